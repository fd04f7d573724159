/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "recur-sweep-dialog.h"
#include "recur-window-private.h"

/* ---- sweeps ------------------------------------------------------------------------------ */

/* The distinct values of swept parameter k, in order of first appearance. */
static void
sweep_axis (RecurWindow        *self,
            guint               k,
            RecurSweepPlotAxis *axis,
            GPtrArray          *labels,
            GArray             *values)
{
  const RecurSweepPoint *first = g_ptr_array_index (self->sweep_points, 0);
  gboolean numeric = first->values[k].param->kind != RECUR_SWEEP_PARAM_CHOICE
                     && first->values[k].param->kind != RECUR_SWEEP_PARAM_BOOL;
  double lo = INFINITY, hi = -INFINITY;

  for (guint i = 0; i < self->sweep_points->len; i++)
    {
      const RecurSweepValue *v = &((RecurSweepPoint *) g_ptr_array_index (self->sweep_points, i))->values[k];
      gboolean seen = FALSE;
      for (guint j = 0; j < labels->len && !seen; j++)
        seen = g_str_equal (g_ptr_array_index (labels, j), v->text);
      if (seen)
        continue;
      g_ptr_array_add (labels, v->text);
      g_array_append_val (values, v->number);
      lo = MIN (lo, v->number);
      hi = MAX (hi, v->number);
    }
  axis->name = first->values[k].param->name;
  axis->n = labels->len;
  axis->labels = (const char * const *) labels->pdata;
  axis->values = numeric ? (const double *) (gpointer) values->data : NULL;
  axis->scale = !numeric ? RECUR_SWEEP_PLOT_SCALE_CATEGORICAL
                : lo > 0 && hi / lo >= 20 ? RECUR_SWEEP_PLOT_SCALE_LOG
                : RECUR_SWEEP_PLOT_SCALE_LINEAR;
}

static guint
index_of_label (GPtrArray  *labels,
                const char *text)
{
  for (guint j = 0; j < labels->len; j++)
    if (g_str_equal (g_ptr_array_index (labels, j), text))
      return j;
  return 0;
}

void
recur_window_draw_sweep (cairo_t              *cr,
                         double                width,
                         double                height,
                         const RecurPlotStyle *style,
                         double                pointer_x,
                         double                zoom_min,
                         double                zoom_max,
                         gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurSweepPlot plot = { 0 };
  g_autoptr(GPtrArray) labels_a = g_ptr_array_new ();
  g_autoptr(GPtrArray) labels_b = g_ptr_array_new ();
  g_autoptr(GArray) values_a = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(GArray) values_b = g_array_new (FALSE, FALSE, sizeof (double));
  g_autofree double *results = NULL;
  g_autofree char *reference = NULL;
  const RecurSweepPoint *first;
  guint n_cells;

  plot.metric = _("test MASE");
  plot.reference = NAN;
  plot.hover = -1;
  if (self->sweep_points == NULL || self->sweep_points->len == 0)
    {
      recur_plot_sweep (cr, width, height, &plot, style);
      return;
    }
  first = g_ptr_array_index (self->sweep_points, 0);
  sweep_axis (self, 0, &plot.a, labels_a, values_a);
  if (first->n_values > 1)
    sweep_axis (self, 1, &plot.b, labels_b, values_b);
  n_cells = plot.a.n * MAX (plot.b.n, 1);
  results = g_new (double, n_cells);
  for (guint i = 0; i < n_cells; i++)
    results[i] = NAN;
  for (guint r = 0; r < self->sweep_runs->len; r++)
    {
      RecurRun *run = g_ptr_array_index (self->sweep_runs, r);
      const RecurSweepPoint *p = g_ptr_array_index (self->sweep_points, r);
      const RecurEvaluation *ev = recur_run_is_active (run)
                                    ? NULL : recur_job_get_evaluation (recur_run_get_job (run));
      guint i = index_of_label (labels_a, p->values[0].text);
      guint j = plot.b.n ? index_of_label (labels_b, p->values[1].text) : 0;
      if (ev == NULL)
        continue;
      results[i * MAX (plot.b.n, 1) + j] = ev->model_metrics.mase;
      if (isnan (plot.reference))
        {
          plot.reference = ev->naive_metrics.mase;
          reference = g_strdup_printf (_("naive MASE %.3g"), plot.reference);
        }
    }
  plot.results = results;
  plot.reference_label = reference;
  recur_plot_sweep (cr, width, height, &plot, style);
}

static void
queue_sweep (GPtrArray *points,
             gpointer   user_data)
{
  RecurWindow *self = user_data;
  g_autoptr(GPtrArray) owned = points;

  g_clear_pointer (&self->sweep_runs, g_ptr_array_unref);
  g_clear_pointer (&self->sweep_points, g_ptr_array_unref);
  self->sweep_runs = g_ptr_array_new_with_free_func (g_object_unref);
  self->sweep_points = g_ptr_array_new_with_free_func ((GDestroyNotify) recur_sweep_point_free);
  for (guint i = 0; i < points->len; i++)
    {
      RecurSweepPoint *point = g_ptr_array_index (points, i);
      g_autoptr(GError) error = NULL;
      RecurRun *run = recur_run_new (point->name, &point->config, self->series, &error);
      if (run == NULL)
        {
          recur_window_show_error (self, error->message);
          continue;
        }
      g_signal_connect_object (run, "finished", G_CALLBACK (gtk_widget_queue_draw),
                               self->sweep_view, G_CONNECT_SWAPPED);
      g_ptr_array_add (self->sweep_runs, run);
      g_ptr_array_add (self->sweep_points, g_ptr_array_steal_index (points, i--));
    }
  recur_window_start_runs (self, self->sweep_runs);
  gtk_stack_set_visible_child_name (self->inside_stack, "sweep");
  gtk_widget_queue_draw (GTK_WIDGET (self->sweep_view));
}

void
recur_window_action_sweep (GtkWidget  *widget,
                           const char *action,
                           GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  RecurJobConfig config;

  if (self->series == NULL)
    return;
  recur_window_current_config (self, &config);
  gtk_window_present (recur_sweep_dialog_new (GTK_WINDOW (self), &config, queue_sweep, self));
  recur_job_config_clear (&config);
}
