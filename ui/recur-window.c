/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "recur-params-panel.h"
#include "recur-comparison.h"
#include "recur-plot-view.h"
#include "recur-project.h"
#include "recur-runs-view.h"
#include "recur-sweep-dialog.h"
#include "recur-sync.h"
#include "recur-window.h"

/* What the series view shows: the chosen column with its gaps. */
typedef struct
{
  guint n;
  double *x;
  double *values;
  gboolean *missing;
} SeriesData;

struct _RecurWindow
{
  GtkApplicationWindow parent_instance;

  /* template children */
  GtkWidget *train_button;
  GtkWidget *stop_button;
  RecurRunsView *runs_view;
  GtkMenuButton *recent_button;
  GtkMenuButton *export_button;
  GtkLabel *subtitle_label;
  GtkRevealer *banner_revealer;
  GtkLabel *banner_label;
  GtkDropDown *column_dropdown;
  GtkLabel *data_summary_label;
  GtkLabel *columns_label;
  GtkLabel *problems_label;
  RecurParamsPanel *params;
  RecurPlotView *series_view;
  RecurPlotView *loss_view;
  RecurPlotView *predictions_view;
  RecurPlotView *heatmap_view;
  RecurPlotView *gradflow_view;
  RecurPlotView *sweep_view;
  GtkStack *inside_stack;
  GtkDropDown *state_dropdown;
  GtkDropDown *layer_dropdown;
  GtkSpinButton *window_spin;
  GtkAdjustment *window_adjustment;
  GtkLabel *status_label;
  GtkLabel *metrics_label;

  RecurSeries *series;
  GArray *numeric_columns;   /* guint: series column of each drop-down entry */
  SeriesData shown;
  guint val_start;           /* split of the shown column with the panel's settings */
  guint test_start;
  GCancellable *load_cancellable;
  char *error_text;

  GListStore *runs;          /* every run of this window, in the order started */
  guint n_started;
  RecurRun *run;             /* the run the views show: the latest started or selected */
  gboolean close_after_stop;
  RecurStateKind states[RECUR_N_STATES + 1]; /* drop-down position → state kind; RECUR_N_STATES:
                                               * a clockwork network's update schedule */
  guint refit_id;            /* a pending instant re-fit of an echo state network */

  /* the project the runs are kept in (NULL until saved or opened), each run's entry in it */
  RecurProject *project;
  GHashTable *project_runs;  /* RecurRun* → RecurProjectRun* */

  /* the latest sweep: its runs and the values they swept, for the results plot */
  GPtrArray *sweep_runs;     /* RecurRun */
  GPtrArray *sweep_points;   /* RecurSweepPoint, parallel to sweep_runs */
};

G_DEFINE_FINAL_TYPE (RecurWindow, recur_window, GTK_TYPE_APPLICATION_WINDOW)

static void update_actions (RecurWindow *self);
static GPtrArray *overlaid_runs (RecurWindow *self);
static guint run_colour (RecurWindow *self, RecurRun *run);
static RecurComparison *comparison_of_runs (RecurWindow *self);
static void update_split (RecurWindow *self);

/* The app's settings, or NULL when the schema is not installed (an uninstalled build run
 * without GSETTINGS_SCHEMA_DIR): the defaults then hold, for this session only. */
static GSettings *
app_settings (void)
{
  static GSettings *settings;

  if (g_once_init_enter (&settings))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr(GSettingsSchema) schema =
        source ? g_settings_schema_source_lookup (source, RECUR_APP_ID, TRUE) : NULL;
      g_once_init_leave (&settings, schema ? g_settings_new (RECUR_APP_ID) : GSIZE_TO_POINTER (1));
    }
  return settings == GSIZE_TO_POINTER (1) ? NULL : settings;
}

/* Runs trained at once: the setting, 0 meaning one per core. */
static guint
runs_at_once (void)
{
  int n = app_settings () ? g_settings_get_int (app_settings (), "runs-at-once") : 0;
  return n > 0 ? (guint) n : g_get_num_processors ();
}

/* The app's own pool for training runs, not GTask's shared one; the rest wait queued. */
static GThreadPool *
run_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    g_once_init_leave (&pool, recur_run_pool_new (runs_at_once ()));
  return pool;
}

/* ---- messages ----------------------------------------------------------------------------- */

static void
show_error (RecurWindow *self,
            const char  *message)
{
  g_free (self->error_text);
  self->error_text = g_strdup (message);
  gtk_label_set_text (self->banner_label, message);
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

static void
dismiss_error (RecurWindow *self)
{
  g_clear_pointer (&self->error_text, g_free);
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
}

/* ---- formatting ----------------------------------------------------------------------------- */

static char *
format_duration (double seconds)
{
  guint s = (guint) (seconds + 0.5);

  if (!isfinite (seconds))
    return g_strdup ("—");
  if (seconds < 10)
    return g_strdup_printf (_("%.1f s"), seconds);
  if (s < 3600)
    return g_strdup_printf ("%u:%02u", s / 60, s % 60);
  return g_strdup_printf ("%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
}

static char *
format_metric (double v)
{
  return isfinite (v) ? g_strdup_printf ("%.4g", v) : g_strdup ("—");
}

/* ---- the series and its split ------------------------------------------------------------- */

static void
series_data_clear (SeriesData *d)
{
  g_clear_pointer (&d->x, g_free);
  g_clear_pointer (&d->values, g_free);
  g_clear_pointer (&d->missing, g_free);
  d->n = 0;
}

static guint
selected_column (RecurWindow *self)
{
  guint pos = gtk_drop_down_get_selected (self->column_dropdown);

  if (self->numeric_columns == NULL || pos >= self->numeric_columns->len)
    return G_MAXUINT;
  return g_array_index (self->numeric_columns, guint, pos);
}

static void
show_column (RecurWindow *self)
{
  guint col = selected_column (self);
  const gint64 *ts;
  const double *values;

  series_data_clear (&self->shown);
  if (self->series == NULL || col == G_MAXUINT)
    return;
  ts = recur_series_get_timestamps (self->series);
  values = recur_series_get_values (self->series, col);
  self->shown.n = recur_series_get_n_rows (self->series);
  self->shown.x = g_new (double, self->shown.n);
  self->shown.values = g_memdup2 (values, self->shown.n * sizeof (double));
  self->shown.missing = g_new (gboolean, self->shown.n);
  for (guint i = 0; i < self->shown.n; i++)
    {
      self->shown.x[i] = ts ? (double) ts[i] : (double) i;
      self->shown.missing[i] = isnan (values[i]);
    }
  recur_plot_view_reset_zoom (self->series_view);
  update_split (self);
}

static void
current_config (RecurWindow    *self,
                RecurJobConfig *config)
{
  guint col = selected_column (self);

  recur_job_config_init (config);
  recur_params_panel_get_config (self->params, config);
  if (self->series && col != G_MAXUINT)
    config->column = g_strdup (recur_series_get_column_name (self->series, col));
}

/* The split the panel's settings give, computed by the engine itself so that the shading is
 * exactly what training will use; a problem (series too short, missing values refused) is
 * shown before anyone clicks Train. */
static void
update_split (RecurWindow *self)
{
  RecurJobConfig config;
  g_autoptr(GError) error = NULL;
  g_autofree double *filled = NULL;
  guint col = selected_column (self);

  self->val_start = self->test_start = self->shown.n;
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), FALSE);
  if (self->series == NULL || col == G_MAXUINT)
    return;
  current_config (self, &config);
  filled = recur_series_fill_missing (self->series, col, config.missing, &error);
  if (filled)
    {
      RecurSplitSpec split = {
        .window = config.model.window,
        .horizon = config.model.horizon,
        .output_size = recur_model_spec_output_size (&config.model),
        .val_fraction = config.val_fraction,
        .scaler = config.scaler,
      };
      g_autofree char *name = g_strdup_printf (_("column “%s”"),
                                               recur_series_get_column_name (self->series, col));
      g_autoptr(RecurDataset) data = recur_dataset_new (filled, self->shown.n, &split, name,
                                                        &error);
      if (data)
        {
          self->val_start = recur_dataset_get_val_start (data);
          self->test_start = recur_dataset_get_test_start (data);
        }
    }
  if (error)
    {
      gtk_label_set_text (self->problems_label, error->message);
      gtk_widget_set_visible (GTK_WIDGET (self->problems_label), TRUE);
    }
  recur_job_config_clear (&config);
  gtk_widget_queue_draw (GTK_WIDGET (self->series_view));
}

static void
draw_series (cairo_t              *cr,
             double                width,
             double                height,
             const RecurPlotStyle *style,
             double                pointer_x,
             double                zoom_min,
             double                zoom_max,
             gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurSeriesPlot plot = { 0 };
  double lo, hi;

  plot.n = self->shown.n;
  plot.x = self->shown.x;
  plot.values = self->shown.values;
  plot.missing = self->shown.missing;
  plot.x_is_time = self->series && recur_series_get_timestamps (self->series) != NULL;
  plot.x_has_time_of_day = self->series && recur_series_has_time_of_day (self->series);
  plot.val_start = self->val_start;
  plot.test_start = self->test_start;
  plot.hover = -1;
  plot.title = NULL;
  if (plot.n > 1 && (zoom_min > 0 || zoom_max < 1))
    {
      lo = plot.x[0];
      hi = plot.x[plot.n - 1];
      plot.view_min = lo + zoom_min * (hi - lo);
      plot.view_max = lo + zoom_max * (hi - lo);
    }
  if (pointer_x >= 0)
    plot.hover = recur_plot_series_hit (&plot, width, height, pointer_x);
  recur_plot_series (cr, width, height, &plot, style);
}

/* ---- loading ------------------------------------------------------------------------------ */

static void
fill_summary (RecurWindow *self)
{
  RecurSeries *s = self->series;
  g_autoptr(GString) columns = g_string_new (NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  int time_col = recur_series_get_time_column (s);
  guint n = recur_series_get_n_rows (s);
  g_autofree char *summary = NULL;

  g_array_set_size (self->numeric_columns, 0);
  for (guint c = 0; c < recur_series_get_n_columns (s); c++)
    {
      RecurColumnType type = recur_series_get_column_type (s, c);
      g_autofree char *name = g_markup_escape_text (recur_series_get_column_name (s, c), -1);
      const char *type_label = type == RECUR_COLUMN_TIME ? _("time")
                               : type == RECUR_COLUMN_NUMERIC ? _("numeric") : _("text");
      guint missing = recur_series_get_missing_count (s, c);

      if (columns->len)
        g_string_append_c (columns, '\n');
      g_string_append_printf (columns, "<b>%s</b>  %s", name, type_label);
      if (missing)
        g_string_append_printf (columns, ngettext (" · %u missing", " · %u missing", missing),
                                missing);
      if (type == RECUR_COLUMN_NUMERIC)
        {
          gtk_string_list_append (names, recur_series_get_column_name (s, c));
          g_array_append_val (self->numeric_columns, c);
        }
    }
  gtk_label_set_markup (self->columns_label, columns->str);

  if (time_col >= 0)
    {
      const gint64 *ts = recur_series_get_timestamps (s);
      g_autofree char *first = recur_series_format_timestamp (s, ts[0]);
      g_autofree char *last = recur_series_format_timestamp (s, ts[n - 1]);
      summary = g_strdup_printf (ngettext ("%u row · time column “%s” · %s\n%s to %s",
                                           "%u rows · time column “%s” · %s\n%s to %s", n), n,
                                 recur_series_get_column_name (s, (guint) time_col),
                                 recur_frequency_to_display (recur_series_get_frequency (s)),
                                 first, last);
    }
  else
    summary = g_strdup_printf (ngettext ("%u row · no time column: the row number is the time axis",
                                         "%u rows · no time column: the row number is the time axis",
                                         n), n);
  gtk_label_set_text (self->data_summary_label, summary);

  gtk_drop_down_set_model (self->column_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->column_dropdown, 0);
}

static void
set_series (RecurWindow *self,
            RecurSeries *series)
{
  g_autofree char *base = g_path_get_basename (recur_series_get_path (series));

  g_clear_pointer (&self->series, recur_series_unref);
  self->series = recur_series_ref (series);
  gtk_label_set_text (self->subtitle_label, base);
  fill_summary (self);
  show_column (self);
  update_actions (self);
}

static void
load_in_thread (GTask        *task,
                gpointer      source,
                gpointer      task_data,
                GCancellable *cancellable)
{
  GError *error = NULL;
  RecurSeries *series;

  recur_sync_acquire (task); /* the path, from recur_window_open_path */
  series = recur_series_load_csv (task_data, &error);
  recur_sync_release (task); /* the series or the error, to on_loaded */
  if (series)
    g_task_return_pointer (task, series, (GDestroyNotify) recur_series_unref);
  else
    g_task_return_error (task, error);
}

static void
on_loaded (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  RecurWindow *self = RECUR_WINDOW (source);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSeries) series = NULL;

  recur_sync_acquire (result);
  series = g_task_propagate_pointer (G_TASK (result), &error);

  g_clear_object (&self->load_cancellable);
  update_actions (self);
  if (series == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_error (self, error->message);
      return;
    }
  dismiss_error (self);
  set_series (self, series);
}

void
recur_window_open_path (RecurWindow *self,
                        const char  *path)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *uri = NULL;

  g_return_if_fail (RECUR_IS_WINDOW (self));
  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  task = g_task_new (self, self->load_cancellable, on_loaded, NULL);
  g_task_set_source_tag (task, recur_window_open_path);
  g_task_set_task_data (task, g_strdup (path), g_free);
  /* on GLib's pool: the hand-off is marked for ThreadSanitizer (engine/base/recur-sync.h) */
  recur_sync_release (task);
  g_task_run_in_thread (task, load_in_thread);

  uri = g_filename_to_uri (path, NULL, NULL);
  if (uri)
    gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
  update_actions (self);
}

/* ---- training ----------------------------------------------------------------------------- */

static void
draw_loss (cairo_t              *cr,
           double                width,
           double                height,
           const RecurPlotStyle *style,
           double                pointer_x,
           double                zoom_min,
           double                zoom_max,
           gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurLossPlot plot = { 0 };
  RecurJobConfig config;
  g_autoptr(GPtrArray) over = overlaid_runs (self);

  if (over->len)
    {
      g_autofree RecurLossRun *runs = g_new0 (RecurLossRun, over->len);
      RecurLossOverlayPlot overlay = { over->len, runs, -1, NULL };
      for (guint i = 0; i < over->len; i++)
        {
          RecurRun *run = g_ptr_array_index (over, i);
          runs[i] = (RecurLossRun) { recur_run_get_name (run), run_colour (self, run),
                                     recur_run_get_n_epochs (run), recur_run_get_train_loss (run),
                                     recur_run_get_val_loss (run),
                                     recur_run_get_last_progress (run)->best_epoch };
        }
      if (pointer_x >= 0)
        overlay.hover = recur_plot_loss_overlay_hit (&overlay, width, height, pointer_x);
      recur_plot_loss_overlay (cr, width, height, &overlay, style);
      return;
    }
  plot.hover = -1;
  if (self->run)
    {
      const RecurJobConfig *c = recur_job_get_config (recur_run_get_job (self->run));
      plot.n = recur_run_get_n_epochs (self->run);
      /* a one-shot fit (echo state network) has a single "epoch" */
      plot.total = recur_cell_is_one_shot (c->model.cell) ? 1 : c->train.epochs;
      plot.train = recur_run_get_train_loss (self->run);
      plot.val = recur_run_get_val_loss (self->run);
      plot.lr = recur_run_get_lr (self->run);
      plot.best_epoch = recur_run_get_last_progress (self->run)->best_epoch;
    }
  else
    {
      current_config (self, &config);
      plot.total = config.train.epochs;
      recur_job_config_clear (&config);
    }
  if (pointer_x >= 0)
    plot.hover = recur_plot_loss_hit (&plot, width, height, pointer_x);
  recur_plot_loss (cr, width, height, &plot, style);
}

static void
draw_predictions (cairo_t              *cr,
                  double                width,
                  double                height,
                  const RecurPlotStyle *style,
                  double                pointer_x,
                  double                zoom_min,
                  double                zoom_max,
                  gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurPredictionSnapshot *p = self->run ? recur_run_get_predictions (self->run) : NULL;
  RecurPredictionPlot plot = { 0 };
  g_autoptr(GPtrArray) over = overlaid_runs (self);

  if (over->len && p)
    {
      g_autofree RecurPredictionRun *runs = g_new0 (RecurPredictionRun, over->len);
      RecurPredictionsOverlayPlot overlay = { 0 };
      guint n_runs = 0;
      for (guint i = 0; i < over->len; i++)
        {
          RecurRun *run = g_ptr_array_index (over, i);
          RecurPredictionSnapshot *q = recur_run_get_predictions (run);
          if (q == NULL)
            continue;
          runs[n_runs++] = (RecurPredictionRun) { recur_run_get_name (run), run_colour (self, run),
                                                  q->n, q->x, q->predicted, q->n_future,
                                                  q->future_x, q->future, q->val_start_x,
                                                  q->test_start_x };
        }
      /* the observed series over the focus run's span */
      overlay.n = p->n;
      overlay.x = p->x;
      overlay.actual = p->actual;
      overlay.x_is_time = self->series && recur_series_get_timestamps (self->series) != NULL;
      overlay.x_has_time_of_day = overlay.x_is_time && recur_series_has_time_of_day (self->series);
      overlay.n_runs = n_runs;
      overlay.runs = runs;
      overlay.hover = pointer_x >= 0
        ? recur_plot_predictions_overlay_hit (&overlay, width, height, pointer_x) : -1;
      recur_plot_predictions_overlay (cr, width, height, &overlay, style);
      return;
    }

  plot.hover = -1;
  plot.val_start_x = NAN;
  plot.test_start_x = NAN;
  if (p)
    {
      plot.n = p->n;
      plot.x = p->x;
      plot.actual = p->actual;
      plot.predicted = p->predicted;
      plot.naive = p->naive;
      plot.n_future = p->n_future;
      plot.future_x = p->future_x;
      plot.future = p->future;
      plot.val_start_x = p->val_start_x;
      plot.test_start_x = p->test_start_x;
    }
  plot.x_is_time = p && self->series && recur_series_get_timestamps (self->series) != NULL;
  plot.x_has_time_of_day = plot.x_is_time && recur_series_has_time_of_day (self->series);
  if (pointer_x >= 0 && p)
    plot.hover = recur_plot_predictions_hit (&plot, width, height, pointer_x);
  recur_plot_predictions (cr, width, height, &plot, style);
}

static guint
heatmap_layer (RecurWindow *self)
{
  return gtk_drop_down_get_selected (self->layer_dropdown);
}

static RecurStateKind
heatmap_state (RecurWindow *self)
{
  guint pos = gtk_drop_down_get_selected (self->state_dropdown);
  return pos <= RECUR_N_STATES ? self->states[pos] : RECUR_STATE_HIDDEN;
}

static void
draw_heatmap (cairo_t              *cr,
              double                width,
              double                height,
              const RecurPlotStyle *style,
              double                pointer_x,
              double                zoom_min,
              double                zoom_max,
              gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurStatesSnapshot *s = self->run ? recur_run_get_states (self->run) : NULL;
  RecurHeatmapPlot plot = { 0 };
  g_autofree char *title = NULL;
  g_autofree float *schedule = NULL;
  guint layer = heatmap_layer (self);
  RecurStateKind kind = heatmap_state (self);

  plot.row_label = _("unit");
  plot.col_label = _("time step");
  if (s && kind == RECUR_N_STATES && self->run)
    {
      /* which blocks fire at each step: 1 where a unit's block updates, 0 where it holds */
      const RecurModelSpec *m = &recur_job_get_config (recur_run_get_job (self->run))->model;
      guint per_block = m->hidden_size / MAX (m->n_periods, 1);
      g_autofree char *periods = recur_periods_to_string (m->periods, m->n_periods);
      schedule = g_new (float, (gsize) s->units * s->window);
      for (guint u = 0; u < s->units; u++)
        for (guint t = 0; t < s->window; t++)
          schedule[(gsize) u * s->window + t] =
            recur_clockwork_block_fires (m, MIN (u / MAX (per_block, 1), m->n_periods - 1), t);
      plot.rows = s->units;
      plot.cols = s->window;
      plot.values = schedule;
      plot.limit = 1.0;
      title = g_strdup_printf (_("blocks updating at each step (periods %s)"), periods);
      plot.title = title;
    }
  else if (s && layer < s->layers && recur_states_snapshot_get (s, layer, kind))
    {
      plot.rows = s->units;
      plot.cols = s->window;
      plot.values = recur_states_snapshot_get (s, layer, kind);
      /* gates live in [0, 1] (g in [−1, 1]): a fixed range keeps colours comparable */
      plot.limit = kind == RECUR_STATE_HIDDEN || kind == RECUR_STATE_CELL ? 0.0 : 1.0;
      title = g_strdup_printf (_("%s_t, layer %u, epoch %u"), recur_state_kind_to_string (kind),
                               layer + 1, s->epoch);
      plot.title = title;
    }
  recur_plot_heatmap (cr, width, height, &plot, style);
}

static void
draw_gradflow (cairo_t              *cr,
               double                width,
               double                height,
               const RecurPlotStyle *style,
               double                pointer_x,
               double                zoom_min,
               double                zoom_max,
               gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurStatesSnapshot *s = self->run ? recur_run_get_states (self->run) : NULL;
  RecurGradFlowPlot plot = { 0 };
  guint layer = heatmap_layer (self);

  if (s && s->grad_flow && layer < s->layers)
    {
      plot.n = s->window;
      plot.norms = s->grad_flow + (gsize) layer * s->window;
    }
  recur_plot_grad_flow (cr, width, height, &plot, style);
}

static void
queue_training_views (RecurWindow *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->loss_view));
  gtk_widget_queue_draw (GTK_WIDGET (self->predictions_view));
  gtk_widget_queue_draw (GTK_WIDGET (self->heatmap_view));
  gtk_widget_queue_draw (GTK_WIDGET (self->gradflow_view));
}

static void
update_status (RecurWindow *self)
{
  RecurRun *run = self->run;
  const RecurProgress *p;
  g_autofree char *elapsed = NULL;
  g_autofree char *eta = NULL;
  g_autofree char *text = NULL;

  if (run == NULL)
    return;
  p = recur_run_get_last_progress (run);
  elapsed = format_duration (recur_run_get_elapsed (run));
  switch (recur_run_get_status (run))
    {
    case RECUR_RUN_QUEUED:
      text = g_strdup (_("Waiting for a free worker…"));
      break;
    case RECUR_RUN_TRAINING:
      eta = format_duration (recur_run_get_eta (run));
      text = p->epoch == 0
        ? g_strdup (_("Training: first epoch…"))
        : g_strdup_printf (_("Epoch %u / %u · %s elapsed · about %s left · %.0f windows/s · "
                             "best validation loss %.4g (epoch %u)"),
                           p->epoch, p->epochs, elapsed, eta,
                           p->epoch_seconds > 0 ? p->windows / p->epoch_seconds : 0.0,
                           p->best_loss, p->best_epoch);
      break;
    case RECUR_RUN_STOPPED:
    case RECUR_RUN_FINISHED:
      /* from the run's history: also right for a run restored from a project */
      text = g_strdup_printf (recur_run_get_status (run) == RECUR_RUN_STOPPED
                                ? _("Stopped after %u epochs in %s · kept the best, epoch %u "
                                    "(validation loss %.4g)")
                                : _("Finished: %u epochs in %s · best epoch %u "
                                    "(validation loss %.4g)"),
                              recur_run_get_n_epochs (run), elapsed, p->best_epoch, p->best_loss);
      break;
    case RECUR_RUN_FAILED:
      text = g_strdup_printf (_("Failed: %s"), recur_run_get_error (run)
                                                 ? recur_run_get_error (run)->message : "");
      break;
    default:
      /* interrupted or damaged, as a project can hold them */
      text = g_strdup (recur_run_status_to_string (recur_run_get_status (run)));
      break;
    }
  gtk_label_set_text (self->status_label, text);
}

static void
update_metrics (RecurWindow *self)
{
  const RecurEvaluation *ev;
  g_autofree char *mae = NULL, *rmse = NULL, *smape = NULL, *mase = NULL;
  g_autofree char *naive = NULL, *snaive = NULL, *text = NULL;

  ev = self->run ? recur_job_get_evaluation (recur_run_get_job (self->run)) : NULL;
  if (ev == NULL || recur_run_is_active (self->run))
    {
      gtk_label_set_text (self->metrics_label, "");
      return;
    }
  mae = format_metric (ev->model_metrics.mae);
  rmse = format_metric (ev->model_metrics.rmse);
  smape = format_metric (ev->model_metrics.smape);
  mase = format_metric (ev->model_metrics.mase);
  naive = format_metric (ev->naive_metrics.mase);
  snaive = format_metric (ev->seasonal_naive_metrics.mase);
  text = g_strdup_printf (_("Test, last %u points: MAE %s · RMSE %s · sMAPE %s %% · "
                            "<b>MASE %s</b> — naive MASE %s · seasonal naive (%u) MASE %s"),
                          ev->n_test, mae, rmse, smape, mase, naive, ev->season, snaive);
  gtk_label_set_markup (self->metrics_label, text);
}

/* The states and layers the heatmap can show for a model: the run's, or the panel's before the
 * first run. Keeps the choice when it still exists. */
static void
fill_state_dropdown (RecurWindow          *self,
                     const RecurJobConfig *c)
{
  RecurStateKind chosen = heatmap_state (self);
  guint chosen_layer = heatmap_layer (self);
  guint chosen_pos = 0;
  g_autoptr(GtkStringList) states = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) layers = gtk_string_list_new (NULL);
  static const char *const labels[] = {
    N_("hidden state h"), N_("cell state c"), N_("input gate i"), N_("forget gate f"),
    N_("cell candidate g"), N_("output gate o"), N_("reset gate r"), N_("update gate z"),
    N_("new gate n"),
  };
  guint n = 0;

  for (guint k = 0; k < RECUR_N_STATES; k++)
    if (recur_cell_has_state (c->model.cell, k))
      {
        if (k == chosen)
          chosen_pos = n;
        gtk_string_list_append (states, _(labels[k]));
        self->states[n++] = k;
      }
  if (c->model.cell == RECUR_CELL_CLOCKWORK)
    {
      if (chosen == RECUR_N_STATES)
        chosen_pos = n;
      gtk_string_list_append (states, _("update schedule"));
      self->states[n++] = RECUR_N_STATES;
    }
  for (guint l = 0; l < c->model.num_layers; l++)
    {
      g_autofree char *label = g_strdup_printf (_("layer %u"), l + 1);
      gtk_string_list_append (layers, label);
    }
  gtk_drop_down_set_model (self->state_dropdown, G_LIST_MODEL (states));
  gtk_drop_down_set_selected (self->state_dropdown, chosen_pos);
  gtk_drop_down_set_model (self->layer_dropdown, G_LIST_MODEL (layers));
  gtk_drop_down_set_selected (self->layer_dropdown,
                              chosen_layer < c->model.num_layers ? chosen_layer
                                                                 : c->model.num_layers - 1);
}

/* The heatmap's window, by the time of its last value; the spin button holds its start. */
static gboolean
on_window_spin_output (GtkSpinButton *spin,
                       RecurWindow   *self)
{
  guint start = (guint) gtk_adjustment_get_value (self->window_adjustment);
  const RecurJobConfig *c = self->run ? recur_job_get_config (recur_run_get_job (self->run)) : NULL;
  g_autofree char *text = NULL;
  guint end;

  if (c == NULL || self->series == NULL)
    return FALSE;
  end = MIN (start + c->model.window, recur_series_get_n_rows (self->series)) - 1;
  text = recur_series_format_timestamp (self->series,
                                        recur_series_get_timestamps (self->series)
                                          ? recur_series_get_timestamps (self->series)[end]
                                          : end);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
on_window_spin_changed (RecurWindow *self)
{
  if (self->run)
    recur_run_set_states_window (self->run, (guint) gtk_adjustment_get_value (self->window_adjustment));
}

static void
setup_window_spin (RecurWindow *self)
{
  const RecurJobConfig *c = recur_job_get_config (recur_run_get_job (self->run));
  guint last = recur_series_get_n_rows (self->series) - c->model.window;

  g_signal_handlers_block_by_func (self->window_adjustment, on_window_spin_changed, self);
  gtk_adjustment_configure (self->window_adjustment, last, 0, last, 1, c->model.window, 0);
  g_signal_handlers_unblock_by_func (self->window_adjustment, on_window_spin_changed, self);
  recur_run_set_states_window (self->run, last);
  gtk_spin_button_update (self->window_spin);
}

/* A run keeps its colour in every overlay: its place in the window's list. */
static guint
run_colour (RecurWindow *self,
            RecurRun    *run)
{
  guint position;

  return g_list_store_find (self->runs, run, &position) ? position + 1 : 0;
}

static gboolean
any_run_active (RecurWindow *self)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->runs));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      if (recur_run_is_active (run))
        return TRUE;
    }
  return FALSE;
}

/* Asks every active run to stop; each keeps its best weights. */
static void
stop_all_runs (RecurWindow *self)
{
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->runs)); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      if (recur_run_is_active (run))
        recur_run_stop (run);
    }
}

/* Runs whose curves the loss and predictions views overlay: the selection, when it has more
 * than one run. */
static GPtrArray *
overlaid_runs (RecurWindow *self)
{
  GPtrArray *selected = recur_runs_view_get_selected (self->runs_view);

  if (selected->len < 2)
    g_ptr_array_set_size (selected, 0);
  return selected;
}

/* Keeps a run's files in the open project up to date (every epoch appended to its history.log
 * by the run's worker as it ends, synced to the disk each drain; best weights at most once a
 * second; history.json and the result at the end): a killed process loses at most the epoch in
 * progress. */
static void
sync_to_project (RecurWindow *self,
                 RecurRun    *run)
{
  RecurProjectRun *entry;
  g_autoptr(GError) error = NULL;

  if (self->project == NULL
      || (entry = g_hash_table_lookup (self->project_runs, run)) == NULL)
    return;
  if (!recur_project_sync_run (self->project, entry, run, &error))
    show_error (self, error->message);
}

static void
add_to_project (RecurWindow *self,
                RecurRun    *run)
{
  g_autoptr(GError) error = NULL;
  RecurProjectRun *entry;

  if (self->project == NULL)
    return;
  entry = recur_project_add_recur_run (self->project, run, NULL, 0, &error);
  if (entry == NULL)
    {
      show_error (self, error->message);
      return;
    }
  g_hash_table_insert (self->project_runs, run, entry);
  sync_to_project (self, run);
}

static void
on_run_progress (RecurRun    *run,
                 RecurWindow *self)
{
  sync_to_project (self, run);
  if (run == self->run)
    {
      update_status (self);
      queue_training_views (self);
    }
  else
    {
      /* an overlaid run moves the overlays */
      gtk_widget_queue_draw (GTK_WIDGET (self->loss_view));
      gtk_widget_queue_draw (GTK_WIDGET (self->predictions_view));
    }
}

static void
on_run_finished (RecurRun    *run,
                 RecurWindow *self)
{
  sync_to_project (self, run);
  if (run == self->run)
    {
      update_status (self);
      update_metrics (self);
      queue_training_views (self);
    }
  update_actions (self);
  if (self->close_after_stop && !any_run_active (self))
    gtk_window_destroy (GTK_WINDOW (self));
}

/* Shows run in the single-run views (status, heatmap, gradient flow, metrics). */
static void
focus_run (RecurWindow *self,
           RecurRun    *run)
{
  if (run == self->run)
    return;
  g_set_object (&self->run, run);
  if (run)
    {
      fill_state_dropdown (self, recur_job_get_config (recur_run_get_job (run)));
      setup_window_spin (self);
    }
  update_status (self);
  update_metrics (self);
  update_actions (self);
  queue_training_views (self);
}

static void
on_runs_selection_changed (RecurWindow *self)
{
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);
  gboolean focus_selected = FALSE;

  for (guint i = 0; i < selected->len; i++)
    focus_selected |= g_ptr_array_index (selected, i) == (gpointer) self->run;
  if (selected->len > 0 && !focus_selected)
    focus_run (self, g_ptr_array_index (selected, 0));
  queue_training_views (self);
}

/* Adds run to the table, shows it, and queues it on the pool (several train at once). */
static void
start_run (RecurWindow *self,
           RecurRun    *run)
{
  self->n_started++;
  g_signal_connect_object (run, "progress", G_CALLBACK (on_run_progress), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (run, "finished", G_CALLBACK (on_run_finished), self, G_CONNECT_DEFAULT);
  g_list_store_append (self->runs, run);
  add_to_project (self, run);
  focus_run (self, run);
  recur_runs_view_select (self->runs_view, run);
  recur_run_start (run, run_pool ());
  update_status (self);
  update_actions (self);
}

static void
train (RecurWindow *self)
{
  RecurJobConfig config;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  RecurRun *run;

  if (self->series == NULL)
    return;
  current_config (self, &config);
  name = g_strdup_printf (_("%s %u"), recur_cell_to_string (config.model.cell),
                          self->n_started + 1);
  run = recur_run_new (name, &config, self->series, &error);
  recur_job_config_clear (&config);
  if (run == NULL)
    {
      show_error (self, error->message);
      return;
    }
  dismiss_error (self);
  start_run (self, run);
  g_object_unref (run);
}

/* ---- exports ------------------------------------------------------------------------------ */

typedef enum
{
  EXPORT_FORECAST,
  EXPORT_WEIGHTS,
  EXPORT_PLOT,
  EXPORT_TABLE,
} ExportKind;

typedef struct
{
  RecurWindow *self;
  ExportKind kind;
  char *plot;
} ExportRequest;

static void
export_request_free (ExportRequest *req)
{
  g_free (req->plot);
  g_free (req);
}

static RecurPlotView *
plot_view_named (RecurWindow *self,
                 const char  *name)
{
  if (g_str_equal (name, "series"))
    return self->series_view;
  if (g_str_equal (name, "loss"))
    return self->loss_view;
  if (g_str_equal (name, "predictions"))
    return self->predictions_view;
  if (g_str_equal (name, "heatmap"))
    return self->heatmap_view;
  return self->gradflow_view;
}

/* The same drawing as the widget, without the hover readout and the zoom. */
typedef struct
{
  RecurPlotViewDrawFunc func;
  RecurWindow *self;
} ExportDraw;

static void
draw_for_export (cairo_t              *cr,
                 double                width,
                 double                height,
                 gconstpointer         data,
                 const RecurPlotStyle *style)
{
  const ExportDraw *d = data;
  d->func (cr, width, height, style, -1, 0.0, 1.0, d->self);
}

static gboolean
export_plot (RecurWindow  *self,
             const char   *name,
             const char   *path,
             const char   *size,
             GError      **error)
{
  RecurPlotView *view = plot_view_named (self, name);
  ExportDraw d = { NULL, self };
  RecurPlotFormat format;
  double w = gtk_widget_get_width (GTK_WIDGET (view));
  double h = gtk_widget_get_height (GTK_WIDGET (view));

  if (!recur_plot_format_from_path (path, &format, error))
    return FALSE;
  if (size && sscanf (size, "%lfx%lf", &w, &h) != 2)
    w = h = 0;
  if (w < 1 || h < 1)
    {
      w = 1200;
      h = 600;
    }
  d.func = view == self->series_view ? draw_series
           : view == self->loss_view ? draw_loss
           : view == self->predictions_view ? draw_predictions
           : view == self->heatmap_view ? draw_heatmap : draw_gradflow;
  return recur_plot_export (draw_for_export, &d, recur_plot_view_get_style (view), format, w, h,
                            path, error);
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  ExportRequest *req = user_data;
  RecurWindow *self = req->self;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      path = file ? g_file_get_path (file) : NULL;
    }
  g_debug ("export response %d, path %s", response, path ? path : "(none)");
  if (path)
    {
      RecurJob *job = self->run ? recur_run_get_job (self->run) : NULL;
      switch (req->kind)
        {
        case EXPORT_FORECAST:
          ok = recur_job_write_forecast (job, path, &error);
          break;
        case EXPORT_WEIGHTS:
          ok = recur_job_save_weights (job, path, &error);
          break;
        case EXPORT_TABLE:
          {
            g_autoptr(RecurComparison) table = comparison_of_runs (self);
            ok = recur_comparison_write_csv (table, path, &error);
          }
          break;
        case EXPORT_PLOT:
        default:
          ok = export_plot (self, req->plot, path,
                            gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "size"),
                            &error);
          break;
        }
      if (ok)
        {
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *done = g_strdup_printf (_("Saved %s"), base);
          gtk_label_set_text (self->status_label, done);
        }
      else
        show_error (self, error->message);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  export_request_free (req);
}

static void
ask_export (RecurWindow *self,
            ExportKind   kind,
            const char  *plot)
{
  static const char *const size_ids[] = { "800x400", "1200x600", "1600x800", "2400x1200",
                                          "window", NULL };
  const char *size_labels[] = { "800 × 400", "1200 × 600", "1600 × 800", "2400 × 1200",
                                _("As on screen"), NULL };
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter = gtk_file_filter_new ();
  ExportRequest *req = g_new0 (ExportRequest, 1);
  g_autofree char *name = NULL;
  const char *column = self->run ? recur_job_get_column_name (recur_run_get_job (self->run))
                                 : "series";

  req->self = self;
  req->kind = kind;
  req->plot = g_strdup (plot);
  dialog = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  switch (kind)
    {
    case EXPORT_FORECAST:
      name = g_strdup_printf ("%s-forecast.csv", column);
      gtk_file_filter_set_name (filter, _("CSV files"));
      gtk_file_filter_add_suffix (filter, "csv");
      break;
    case EXPORT_WEIGHTS:
      name = g_strdup_printf ("%s.safetensors", column);
      gtk_file_filter_set_name (filter, _("safetensors files"));
      gtk_file_filter_add_suffix (filter, "safetensors");
      break;
    case EXPORT_TABLE:
      name = g_strdup_printf ("%s-runs.csv", column);
      gtk_file_filter_set_name (filter, _("CSV files"));
      gtk_file_filter_add_suffix (filter, "csv");
      break;
    case EXPORT_PLOT:
    default:
      name = g_strdup_printf ("%s-%s.png", column, plot);
      gtk_file_filter_set_name (filter, _("Images (PNG, SVG, PDF)"));
      gtk_file_filter_add_suffix (filter, "png");
      gtk_file_filter_add_suffix (filter, "svg");
      gtk_file_filter_add_suffix (filter, "pdf");
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "size", _("Size"),
                                   (const char **) size_ids, size_labels);
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "size", "1200x600");
      break;
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  if (self->series)
    {
      /* next to the data it comes from */
      g_autofree char *dirname = g_path_get_dirname (recur_series_get_path (self->series));
      g_autoptr(GFile) folder = g_file_new_for_path (dirname);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), req);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}



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

static void
draw_sweep (cairo_t              *cr,
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
          show_error (self, error->message);
          continue;
        }
      g_signal_connect_object (run, "finished", G_CALLBACK (gtk_widget_queue_draw),
                               self->sweep_view, G_CONNECT_SWAPPED);
      start_run (self, run);
      g_ptr_array_add (self->sweep_runs, run);
      g_ptr_array_add (self->sweep_points, g_ptr_array_steal_index (points, i--));
    }
  gtk_stack_set_visible_child_name (self->inside_stack, "sweep");
  gtk_widget_queue_draw (GTK_WIDGET (self->sweep_view));
}

static void
action_sweep (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  RecurJobConfig config;

  if (self->series == NULL)
    return;
  current_config (self, &config);
  gtk_window_present (recur_sweep_dialog_new (GTK_WINDOW (self), &config, queue_sweep, self));
  recur_job_config_clear (&config);
}


/* ---- projects ---------------------------------------------------------------------------- */

static void
set_project (RecurWindow  *self,
             RecurProject *project)
{
  g_autofree char *base = NULL;

  g_clear_pointer (&self->project, recur_project_free);
  g_hash_table_remove_all (self->project_runs);
  self->project = project;
  if (project)
    {
      base = g_path_get_basename (recur_project_get_path (project));
      gtk_label_set_text (self->subtitle_label, base);
    }
}

void
recur_window_save_project (RecurWindow *self,
                           const char  *path)
{
  g_autoptr(GError) error = NULL;
  RecurProject *project;
  guint col;

  g_return_if_fail (RECUR_IS_WINDOW (self));
  if (self->series == NULL)
    return;
  col = selected_column (self);
  project = recur_project_create (path, recur_series_get_path (self->series),
                                  col == G_MAXUINT ? NULL
                                                   : recur_series_get_column_name (self->series, col),
                                  &error);
  if (project == NULL)
    {
      show_error (self, error->message);
      return;
    }
  set_project (self, project);
  /* every run so far goes in, finished or not (one training goes on being logged from the
   * epochs it has); later ones as they start */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->runs)); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      add_to_project (self, run);
    }
  gtk_label_set_text (self->status_label, _("Project saved: runs are now kept as they train"));
}

static void
on_save_project_response (GtkNativeDialog *dialog,
                          int              response,
                          gpointer         user_data)
{
  RecurWindow *self = user_data;
  g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT
                            ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;
  g_autofree char *path = file ? g_file_get_path (file) : NULL;

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  if (path)
    recur_window_save_project (self, path);
}

static void
action_save_project (GtkWidget  *widget,
                     const char *action,
                     GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Save Project"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  g_autofree char *name = NULL;

  if (self->series)
    {
      g_autofree char *base = g_path_get_basename (recur_series_get_path (self->series));
      char *dot = strrchr (base, '.');
      if (dot)
        *dot = '\0';
      name = g_strdup_printf ("%s.recur", base);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name ? name : "runs.recur");
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_save_project_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* Every run the project holds, as a restored run (with its best weights when it kept them). */
static void
restore_runs (RecurWindow  *self,
              RecurSeries  *series)
{
  RecurProject *project = self->project;

  for (guint i = 0; i < recur_project_get_n_runs (project); i++)
    {
      RecurProjectRun *entry = recur_project_get_run (project, i);
      const RecurJobConfig *config = recur_project_run_get_config (entry);
      const RecurHistory *h = recur_project_run_get_history (entry);
      g_autoptr(RecurModel) weights = NULL;
      g_autoptr(GError) error = NULL;
      RecurRunStatus status = recur_project_run_get_status (entry);
      RecurRun *run;

      if (config == NULL)
        continue; /* damaged beyond use: listed in the issues */
      if (recur_project_run_has_weights (entry))
        weights = recur_project_run_load_weights (project, entry, NULL, &error);
      if (status == RECUR_RUN_QUEUED || status == RECUR_RUN_TRAINING)
        status = RECUR_RUN_INTERRUPTED;
      run = recur_run_new_restored (recur_project_run_get_name (entry), config, series, weights,
                                    h ? h->n_epochs : 0, h ? h->train_loss : NULL,
                                    h ? h->val_loss : NULL, h ? h->lr : NULL, status,
                                    recur_project_run_get_message (entry), &error);
      if (run == NULL)
        {
          show_error (self, error->message);
          continue;
        }
      self->n_started++;
      g_signal_connect_object (run, "progress", G_CALLBACK (on_run_progress), self, G_CONNECT_DEFAULT);
      g_list_store_append (self->runs, run);
      g_hash_table_insert (self->project_runs, run, entry);
      focus_run (self, run);
      g_object_unref (run);
    }
}

/* Opens the project once its data is found: the series, then the runs. */
static void
finish_open_project (RecurWindow *self)
{
  const RecurProjectData *data = recur_project_get_data (self->project);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSeries) series = recur_series_load_csv (data->path, &error);
  GPtrArray *issues;

  if (series == NULL)
    {
      show_error (self, error->message);
      set_project (self, NULL);
      return;
    }
  g_list_store_remove_all (self->runs);
  focus_run (self, NULL);
  set_series (self, series);
  restore_runs (self, series);
  if (recur_project_is_recovered (self->project) && !recur_project_save (self->project, &error))
    show_error (self, error->message);
  issues = recur_project_get_issues (self->project);
  if (issues->len)
    show_error (self, ((GError *) g_ptr_array_index (issues, issues->len - 1))->message);
  {
    g_autofree char *base = g_path_get_basename (recur_project_get_path (self->project));
    gtk_label_set_text (self->subtitle_label, base); /* set_series showed the CSV's name */
  }
  update_actions (self);
}

static void
on_locate_data_response (GtkNativeDialog *dialog,
                         int              response,
                         gpointer         user_data)
{
  RecurWindow *self = user_data;
  g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT
                            ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;
  g_autofree char *path = file ? g_file_get_path (file) : NULL;
  g_autoptr(GError) error = NULL;

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  if (path == NULL || self->project == NULL)
    {
      set_project (self, NULL);
      return;
    }
  /* the file chosen by hand is taken even if it changed: the user says it is the data */
  if (!recur_project_set_data_path (self->project, path, TRUE, &error))
    {
      show_error (self, error->message);
      set_project (self, NULL);
      return;
    }
  finish_open_project (self);
}

/* The CSV is not where the project recorded it: ask for it. */
static void
locate_data (RecurWindow  *self,
             const GError *why)
{
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Where Is the Project’s CSV File?"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Use This File"), _("_Cancel"));

  show_error (self, why->message);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_locate_data_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

void
recur_window_open_project (RecurWindow *self,
                           const char  *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *canonical = g_canonicalize_filename (path, NULL);
  RecurProject *project;

  /* opened again: let go of it first, or its own lock would refuse it */
  if (self->project && g_str_equal (canonical, recur_project_get_path (self->project)))
    set_project (self, NULL);
  project = recur_project_open (path, RECUR_PROJECT_WRITE, &error);
  if (project == NULL)
    {
      show_error (self, error->message);
      return;
    }
  set_project (self, project);
  if (!recur_project_check_data (project, &error))
    {
      locate_data (self, error);
      return;
    }
  finish_open_project (self);
}

static void
on_open_project_response (GtkNativeDialog *dialog,
                          int              response,
                          gpointer         user_data)
{
  RecurWindow *self = user_data;
  g_autoptr(GFile) file = response == GTK_RESPONSE_ACCEPT
                            ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog)) : NULL;
  g_autofree char *path = file ? g_file_get_path (file) : NULL;

  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  if (path)
    recur_window_open_project (self, path);
}

static void
action_open_project (GtkWidget  *widget,
                     const char *action,
                     GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Open Project"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Open"), _("_Cancel"));

  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_project_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

/* ---- acting on the selected runs ---------------------------------------------------------- */

static void
action_stop_runs (GtkWidget  *widget,
                  const char *action,
                  GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);

  for (guint i = 0; i < selected->len; i++)
    if (recur_run_is_active (g_ptr_array_index (selected, i)))
      recur_run_stop (g_ptr_array_index (selected, i));
}

static void
action_resume_runs (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);

  for (guint i = 0; i < selected->len; i++)
    recur_run_resume (g_ptr_array_index (selected, i), run_pool ());
  update_status (self);
  update_actions (self);
}

/* The selected run's settings back in the panel, to change one and train again. */
static void
action_duplicate_run (GtkWidget  *widget,
                      const char *action,
                      GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);
  const RecurJobConfig *config;

  if (selected->len == 0)
    return;
  config = recur_job_get_config (recur_run_get_job (g_ptr_array_index (selected, 0)));
  for (guint i = 0; config->column && i < self->numeric_columns->len; i++)
    if (g_strcmp0 (recur_series_get_column_name (self->series,
                                                 g_array_index (self->numeric_columns, guint, i)),
                   config->column) == 0)
      gtk_drop_down_set_selected (self->column_dropdown, i);
  recur_params_panel_set_config (self->params, config);
}

static void
action_delete_runs (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);

  for (guint i = 0; i < selected->len; i++)
    {
      RecurRun *run = g_object_ref (g_ptr_array_index (selected, i));
      guint position;
      if (recur_run_is_active (run))
        recur_run_stop (run);
      if (run == self->run)
        focus_run (self, NULL);
      if (g_list_store_find (self->runs, run, &position))
        g_list_store_remove (self->runs, position);
      g_hash_table_remove (self->project_runs, run);
      g_object_unref (run);
    }
  update_actions (self);
}

static void
on_rename_response (GtkDialog   *dialog,
                    int          response,
                    RecurWindow *self)
{
  RecurRun *run = g_object_get_data (G_OBJECT (dialog), "run");
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  const char *name = gtk_editable_get_text (entry);

  if (response == GTK_RESPONSE_ACCEPT && *g_strstrip ((char *) name))
    {
      recur_run_set_name (run, name);
      gtk_widget_queue_draw (GTK_WIDGET (self->loss_view));
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
action_rename_run (GtkWidget  *widget,
                   const char *action,
                   GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);
  GtkWidget *dialog, *entry;
  RecurRun *run;

  if (selected->len == 0)
    return;
  run = g_ptr_array_index (selected, 0);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_dialog_new_with_buttons (_("Rename Run"), GTK_WINDOW (self),
                                        GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT
                                          | GTK_DIALOG_USE_HEADER_BAR,
                                        _("_Cancel"), GTK_RESPONSE_CANCEL,
                                        _("_Rename"), GTK_RESPONSE_ACCEPT, NULL);
  entry = gtk_entry_new ();
  gtk_editable_set_text (GTK_EDITABLE (entry), recur_run_get_name (run));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Run name"), -1);
  gtk_widget_set_margin_start (entry, 12);
  gtk_widget_set_margin_end (entry, 12);
  gtk_widget_set_margin_top (entry, 12);
  gtk_widget_set_margin_bottom (entry, 12);
  gtk_box_append (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), entry);
  gtk_dialog_set_default_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_object_set_data_full (G_OBJECT (dialog), "run", g_object_ref (run), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_signal_connect (dialog, "response", G_CALLBACK (on_rename_response), self);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* The comparison of every run in the window, as `recur sweep` writes it. */
static RecurComparison *
comparison_of_runs (RecurWindow *self)
{
  RecurComparison *table = recur_comparison_new ();

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->runs)); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      RecurJob *job = recur_run_get_job (run);
      const GError *error = recur_run_get_error (run);
      recur_comparison_add_job (table, recur_run_get_name (run), NULL, 0,
                                recur_job_get_config (job), recur_run_get_status (run),
                                error ? error->message : NULL,
                                recur_run_is_active (run) ? NULL : job);
    }
  recur_comparison_sort (table);
  return table;
}

/* ---- actions ------------------------------------------------------------------------------ */

static void
on_open_response (GtkNativeDialog *dialog,
                  int              response,
                  gpointer         user_data)
{
  RecurWindow *self = user_data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        recur_window_open_path (self, path);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
}

static void
action_open (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  GtkFileChooserNative *dialog =
    gtk_file_chooser_native_new (_("Open a CSV File"), GTK_WINDOW (self),
                                 GTK_FILE_CHOOSER_ACTION_OPEN, _("_Open"), _("_Cancel"));
  GtkFileFilter *csv = gtk_file_filter_new ();
  GtkFileFilter *all = gtk_file_filter_new ();

  gtk_file_filter_set_name (csv, _("CSV files"));
  gtk_file_filter_add_suffix (csv, "csv");
  gtk_file_filter_add_suffix (csv, "tsv");
  gtk_file_filter_add_suffix (csv, "txt");
  gtk_file_filter_add_mime_type (csv, "text/csv");
  gtk_file_filter_set_name (all, _("All files"));
  gtk_file_filter_add_pattern (all, "*");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), csv);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), all);
  g_object_unref (csv);
  g_object_unref (all);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_open_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}

static void
action_open_recent (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  g_autofree char *path = g_filename_from_uri (g_variant_get_string (param, NULL), NULL, NULL);

  if (path)
    recur_window_open_path (RECUR_WINDOW (widget), path);
}

static void
action_train (GtkWidget  *widget,
              const char *action,
              GVariant   *param)
{
  train (RECUR_WINDOW (widget));
}

static void
action_stop (GtkWidget  *widget,
             const char *action,
             GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);

  if (recur_window_is_training (self))
    recur_run_stop (self->run);
}

static void
action_export (GtkWidget  *widget,
               const char *action,
               GVariant   *param)
{
  gtk_menu_button_popup (RECUR_WINDOW (widget)->export_button);
}

static void
action_export_forecast (GtkWidget  *widget,
                        const char *action,
                        GVariant   *param)
{
  ask_export (RECUR_WINDOW (widget), EXPORT_FORECAST, NULL);
}

static void
action_export_weights (GtkWidget  *widget,
                       const char *action,
                       GVariant   *param)
{
  ask_export (RECUR_WINDOW (widget), EXPORT_WEIGHTS, NULL);
}

static void
action_export_plot (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  ask_export (RECUR_WINDOW (widget), EXPORT_PLOT, g_variant_get_string (param, NULL));
}

static void
action_export_table (GtkWidget  *widget,
                     const char *action,
                     GVariant   *param)
{
  ask_export (RECUR_WINDOW (widget), EXPORT_TABLE, NULL);
}

/* The pool follows the setting, even while runs train (queued ones start as room frees). */
static void
on_runs_at_once_changed (GSettings  *settings,
                         const char *key,
                         gpointer    data)
{
  recur_run_pool_set_max_threads (run_pool (), runs_at_once ());
}

/* "settings.runs-at-once" for the main menu's radio items: bound to the setting, or held for
 * this session when the schema is not installed. */
static void
on_runs_at_once_state (GSimpleAction *action,
                       GVariant      *state,
                       gpointer       data)
{
  int n = g_variant_get_int32 (state);

  g_simple_action_set_state (action, state);
  recur_run_pool_set_max_threads (run_pool (), n > 0 ? (guint) n : g_get_num_processors ());
}

static void
add_settings_actions (RecurWindow *self)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GAction) action = NULL;

  if (app_settings ())
    {
      action = g_settings_create_action (app_settings (), "runs-at-once");
      g_signal_connect_object (app_settings (), "changed::runs-at-once",
                               G_CALLBACK (on_runs_at_once_changed), self, G_CONNECT_DEFAULT);
    }
  else
    {
      action = G_ACTION (g_simple_action_new_stateful ("runs-at-once", G_VARIANT_TYPE_INT32,
                                                       g_variant_new_int32 (0)));
      g_signal_connect (action, "change-state", G_CALLBACK (on_runs_at_once_state), NULL);
    }
  g_action_map_add_action (G_ACTION_MAP (group), action);
  gtk_widget_insert_action_group (GTK_WIDGET (self), "settings", G_ACTION_GROUP (group));
}

static void
action_dismiss_banner (GtkWidget  *widget,
                       const char *action,
                       GVariant   *param)
{
  dismiss_error (RECUR_WINDOW (widget));
}

static void
update_actions (RecurWindow *self)
{
  gboolean training = recur_window_is_training (self);
  gboolean trained = self->run && !recur_run_is_active (self->run)
                     && recur_job_get_evaluation (recur_run_get_job (self->run)) != NULL;
  GtkWidget *w = GTK_WIDGET (self);

  /* Train always starts another run: runs train side by side on the pool */
  gtk_widget_action_set_enabled (w, "win.train", self->series != NULL);
  gtk_widget_action_set_enabled (w, "win.sweep", self->series != NULL);
  gtk_widget_action_set_enabled (w, "win.save-project", self->series != NULL);
  gtk_widget_action_set_enabled (w, "win.stop", training);
  gtk_widget_action_set_enabled (w, "win.export-forecast", trained);
  gtk_widget_action_set_enabled (w, "win.export-weights", trained);
  gtk_widget_set_visible (self->stop_button, training);
  {
    gboolean any = g_list_model_get_n_items (G_LIST_MODEL (self->runs)) > 0;
    gtk_widget_action_set_enabled (w, "win.export-table", any);
    gtk_widget_action_set_enabled (w, "win.stop-runs", any);
    gtk_widget_action_set_enabled (w, "win.resume-runs", any);
    gtk_widget_action_set_enabled (w, "win.duplicate-run", any);
    gtk_widget_action_set_enabled (w, "win.rename-run", any);
    gtk_widget_action_set_enabled (w, "win.delete-runs", any);
  }
}

/* The recent-files menu, rebuilt each time it opens. */
static void
fill_recent_menu (RecurWindow *self)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  GList *items = gtk_recent_manager_get_items (gtk_recent_manager_get_default ());
  guint n = 0;

  for (GList *l = items; l && n < 10; l = l->next)
    {
      GtkRecentInfo *info = l->data;
      const char *uri = gtk_recent_info_get_uri (info);
      g_autofree char *action = NULL;
      if (!g_str_has_suffix (uri, ".csv") && !g_str_has_suffix (uri, ".tsv"))
        continue;
      action = g_strdup_printf ("win.open-recent('%s')", uri);
      if (strchr (uri, '\'') == NULL)
        {
          g_menu_append (menu, gtk_recent_info_get_display_name (info), action);
          n++;
        }
    }
  g_list_free_full (items, (GDestroyNotify) gtk_recent_info_unref);
  if (n == 0)
    g_menu_append (menu, _("No recent CSV files"), "win.none");
  gtk_menu_button_set_menu_model (self->recent_button, G_MENU_MODEL (menu));
}

static void
on_recent_activate (GtkMenuButton *button,
                    RecurWindow   *self)
{
  fill_recent_menu (self);
}

static gboolean
on_drop (GtkDropTarget *target,
         const GValue  *value,
         double         x,
         double         y,
         RecurWindow   *self)
{
  GFile *file = g_value_get_object (value);
  g_autofree char *path = file ? g_file_get_path (file) : NULL;

  if (path == NULL)
    return FALSE;
  recur_window_open_path (self, path);
  return TRUE;
}

static void
on_close_confirm (GtkDialog   *dialog,
                  int          response,
                  RecurWindow *self)
{
  gtk_window_destroy (GTK_WINDOW (dialog));
  if (response != GTK_RESPONSE_ACCEPT || !any_run_active (self))
    return;
  /* closes once every run has stopped and kept its best weights */
  self->close_after_stop = TRUE;
  stop_all_runs (self);
}

static gboolean
recur_window_close_request (GtkWindow *window)
{
  RecurWindow *self = RECUR_WINDOW (window);
  GtkWidget *dialog;

  if (!any_run_active (self))
    return GTK_WINDOW_CLASS (recur_window_parent_class)->close_request (window);
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_message_dialog_new (window, GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT,
                                   GTK_MESSAGE_QUESTION, GTK_BUTTONS_NONE,
                                   _("Stop training and close?"));
  gtk_message_dialog_format_secondary_text (GTK_MESSAGE_DIALOG (dialog),
                                            _("The run stops after its current minibatch."));
  gtk_dialog_add_buttons (GTK_DIALOG (dialog), _("_Keep Training"), GTK_RESPONSE_CANCEL,
                          _("_Stop and Close"), GTK_RESPONSE_ACCEPT, NULL);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_signal_connect (dialog, "response", G_CALLBACK (on_close_confirm), self);
  gtk_window_present (GTK_WINDOW (dialog));
  return TRUE;
}

/* ---- life cycle --------------------------------------------------------------------------- */

static gboolean
refit_now (gpointer data)
{
  RecurWindow *self = data;

  self->refit_id = 0;
  train (self);
  return G_SOURCE_REMOVE;
}

/* An echo state network fits in milliseconds: once one has been trained, moving its sliders
 * re-fits it at once, so ρ, α and λ can be explored by hand. */
static void
schedule_refit (RecurWindow *self)
{
  RecurJobConfig config;
  gboolean esn_now, esn_before;

  if (self->run == NULL || recur_run_is_active (self->run))
    return;
  current_config (self, &config);
  esn_now = config.model.cell == RECUR_CELL_ESN;
  esn_before = recur_job_get_config (recur_run_get_job (self->run))->model.cell == RECUR_CELL_ESN;
  recur_job_config_clear (&config);
  if (!esn_now || !esn_before)
    return;
  g_clear_handle_id (&self->refit_id, g_source_remove);
  self->refit_id = g_timeout_add (150, refit_now, self);
}

static void
on_params_changed (RecurWindow *self)
{
  update_split (self);
  schedule_refit (self);
  if (self->run == NULL)
    {
      RecurJobConfig config;
      current_config (self, &config);
      fill_state_dropdown (self, &config);
      recur_job_config_clear (&config);
      gtk_widget_queue_draw (GTK_WIDGET (self->loss_view));
    }
}

static void
on_column_selected (RecurWindow *self)
{
  show_column (self);
}

static void
on_heatmap_choice (RecurWindow *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->heatmap_view));
  gtk_widget_queue_draw (GTK_WIDGET (self->gradflow_view));
}

static void
recur_window_dispose (GObject *object)
{
  RecurWindow *self = RECUR_WINDOW (object);

  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_handle_id (&self->refit_id, g_source_remove);
  if (self->runs)
    stop_all_runs (self);
  g_clear_object (&self->run);
  g_clear_object (&self->runs);
  gtk_widget_dispose_template (GTK_WIDGET (self), RECUR_TYPE_WINDOW);
  G_OBJECT_CLASS (recur_window_parent_class)->dispose (object);
}

static void
recur_window_finalize (GObject *object)
{
  RecurWindow *self = RECUR_WINDOW (object);

  g_clear_pointer (&self->series, recur_series_unref);
  g_clear_pointer (&self->numeric_columns, g_array_unref);
  g_clear_pointer (&self->sweep_runs, g_ptr_array_unref);
  g_clear_pointer (&self->sweep_points, g_ptr_array_unref);
  g_clear_pointer (&self->project, recur_project_free);
  g_clear_pointer (&self->project_runs, g_hash_table_unref);
  g_free (self->error_text);
  series_data_clear (&self->shown);
  G_OBJECT_CLASS (recur_window_parent_class)->finalize (object);
}

static void
recur_window_class_init (RecurWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = recur_window_dispose;
  object_class->finalize = recur_window_finalize;
  window_class->close_request = recur_window_close_request;

  g_type_ensure (RECUR_TYPE_PLOT_VIEW);
  g_type_ensure (RECUR_TYPE_PARAMS_PANEL);
  g_type_ensure (RECUR_TYPE_RUNS_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/recur/Recur/ui/recur-window.ui");
#define BIND(name) gtk_widget_class_bind_template_child (widget_class, RecurWindow, name)
  BIND (train_button);
  BIND (stop_button);
  BIND (runs_view);
  BIND (recent_button);
  BIND (export_button);
  BIND (subtitle_label);
  BIND (banner_revealer);
  BIND (banner_label);
  BIND (column_dropdown);
  BIND (data_summary_label);
  BIND (columns_label);
  BIND (problems_label);
  BIND (params);
  BIND (series_view);
  BIND (loss_view);
  BIND (predictions_view);
  BIND (heatmap_view);
  BIND (gradflow_view);
  BIND (sweep_view);
  BIND (inside_stack);
  BIND (state_dropdown);
  BIND (window_spin);
  BIND (window_adjustment);
  BIND (layer_dropdown);
  BIND (status_label);
  BIND (metrics_label);
#undef BIND

  gtk_widget_class_install_action (widget_class, "win.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "win.open-recent", "s", action_open_recent);
  gtk_widget_class_install_action (widget_class, "win.train", NULL, action_train);
  gtk_widget_class_install_action (widget_class, "win.stop", NULL, action_stop);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_export);
  gtk_widget_class_install_action (widget_class, "win.export-forecast", NULL, action_export_forecast);
  gtk_widget_class_install_action (widget_class, "win.export-weights", NULL, action_export_weights);
  gtk_widget_class_install_action (widget_class, "win.export-plot", "s", action_export_plot);
  gtk_widget_class_install_action (widget_class, "win.dismiss-banner", NULL, action_dismiss_banner);
  gtk_widget_class_install_action (widget_class, "win.stop-runs", NULL, action_stop_runs);
  gtk_widget_class_install_action (widget_class, "win.resume-runs", NULL, action_resume_runs);
  gtk_widget_class_install_action (widget_class, "win.duplicate-run", NULL, action_duplicate_run);
  gtk_widget_class_install_action (widget_class, "win.rename-run", NULL, action_rename_run);
  gtk_widget_class_install_action (widget_class, "win.delete-runs", NULL, action_delete_runs);
  gtk_widget_class_install_action (widget_class, "win.export-table", NULL, action_export_table);
  gtk_widget_class_install_action (widget_class, "win.sweep", NULL, action_sweep);
  gtk_widget_class_install_action (widget_class, "win.open-project", NULL, action_open_project);
  gtk_widget_class_install_action (widget_class, "win.save-project", NULL, action_save_project);
}

static void
recur_window_init (RecurWindow *self)
{
  GtkDropTarget *drop = gtk_drop_target_new (G_TYPE_FILE, GDK_ACTION_COPY);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();

  gtk_widget_init_template (GTK_WIDGET (self));
  self->numeric_columns = g_array_new (FALSE, FALSE, sizeof (guint));
  self->runs = g_list_store_new (RECUR_TYPE_RUN);
  self->project_runs = g_hash_table_new (NULL, NULL);
  add_settings_actions (self);
  recur_runs_view_set_runs (self->runs_view, G_LIST_MODEL (self->runs));
  g_signal_connect_swapped (self->runs_view, "selection-changed",
                            G_CALLBACK (on_runs_selection_changed), self);

  recur_plot_view_set_draw_func (self->series_view, draw_series, self, NULL);
  recur_plot_view_set_zoomable (self->series_view, TRUE);
  recur_plot_view_set_draw_func (self->loss_view, draw_loss, self, NULL);
  recur_plot_view_set_draw_func (self->predictions_view, draw_predictions, self, NULL);
  recur_plot_view_set_draw_func (self->heatmap_view, draw_heatmap, self, NULL);
  recur_plot_view_set_draw_func (self->gradflow_view, draw_gradflow, self, NULL);
  recur_plot_view_set_draw_func (self->sweep_view, draw_sweep, self, NULL);

  g_signal_connect_swapped (self->params, "changed", G_CALLBACK (on_params_changed), self);
  g_signal_connect_swapped (self->column_dropdown, "notify::selected",
                            G_CALLBACK (on_column_selected), self);
  g_signal_connect_swapped (self->state_dropdown, "notify::selected",
                            G_CALLBACK (on_heatmap_choice), self);
  g_signal_connect_swapped (self->layer_dropdown, "notify::selected",
                            G_CALLBACK (on_heatmap_choice), self);
  g_signal_connect (self->recent_button, "notify::active", G_CALLBACK (on_recent_activate), self);
  g_signal_connect (self->window_spin, "output", G_CALLBACK (on_window_spin_output), self);
  g_signal_connect_swapped (self->window_adjustment, "value-changed",
                            G_CALLBACK (on_window_spin_changed), self);
  fill_recent_menu (self);
  on_params_changed (self);

  g_signal_connect (drop, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drop));

  gtk_css_provider_load_from_data (css,
                                   ".recur-banner { background: alpha(@error_color, 0.15); "
                                   "border-radius: 6px; }", -1);
  gtk_style_context_add_provider_for_display (gtk_widget_get_display (GTK_WIDGET (self)),
                                              GTK_STYLE_PROVIDER (css),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  update_actions (self);
}

GtkWidget *
recur_window_new (GtkApplication *app)
{
  return g_object_new (RECUR_TYPE_WINDOW, "application", app, NULL);
}

gboolean
recur_window_is_loading (RecurWindow *self)
{
  return self->load_cancellable != NULL;
}

gboolean
recur_window_is_training (RecurWindow *self)
{
  return self->run != NULL && recur_run_is_active (self->run);
}

RecurSeries *
recur_window_get_series (RecurWindow *self)
{
  return self->series;
}

RecurRun *
recur_window_get_run (RecurWindow *self)
{
  return self->run;
}

const char *
recur_window_get_error_text (RecurWindow *self)
{
  return self->error_text;
}

GListModel *
recur_window_get_runs (RecurWindow *self)
{
  return G_LIST_MODEL (self->runs);
}

guint
recur_window_get_n_overlaid (RecurWindow *self)
{
  g_autoptr(GPtrArray) over = overlaid_runs (self);
  return over->len;
}

guint
recur_window_get_runs_at_once (RecurWindow *self)
{
  return (guint) g_thread_pool_get_max_threads (run_pool ());
}
