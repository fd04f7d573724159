/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "recur-auto.h"
#include "recur-sync.h"
#include "recur-window-private.h"

/* ---- the series and its split ------------------------------------------------------------- */

void
recur_window_series_data_clear (SeriesData *d)
{
  g_clear_pointer (&d->x, g_free);
  g_clear_pointer (&d->values, g_free);
  g_clear_pointer (&d->missing, g_free);
  d->n = 0;
}

guint
recur_window_selected_column (RecurWindow *self)
{
  guint pos = gtk_drop_down_get_selected (self->column_dropdown);

  if (self->numeric_columns == NULL || pos >= self->numeric_columns->len)
    return G_MAXUINT;
  return g_array_index (self->numeric_columns, guint, pos);
}

/* ---- the input columns beside it ----------------------------------------------------------- */

char **
recur_window_selected_inputs (RecurWindow *self)
{
  g_autoptr(GStrvBuilder) names = g_strv_builder_new ();
  guint n = 0;

  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->inputs_box)); c;
       c = gtk_widget_get_next_sibling (c))
    if (gtk_check_button_get_active (GTK_CHECK_BUTTON (c)))
      {
        g_strv_builder_add (names, g_object_get_data (G_OBJECT (c), "column"));
        n++;
      }
  return n ? g_strv_builder_end (names) : NULL;
}

static void
update_inputs_label (RecurWindow *self)
{
  g_auto(GStrv) names = recur_window_selected_inputs (self);
  g_autofree char *text = names ? g_strjoinv (", ", names) : NULL;

  /* Translators: no input column beside the one to forecast */
  gtk_menu_button_set_label (self->inputs_button, text ? text : _("None"));
}

static void
on_input_toggled (RecurWindow *self)
{
  update_inputs_label (self);
  recur_window_update_split (self);
}

void
recur_window_set_inputs (RecurWindow *self,
                         char *const *names)
{
  for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (self->inputs_box)); c;
       c = gtk_widget_get_next_sibling (c))
    {
      const char *column = g_object_get_data (G_OBJECT (c), "column");

      g_signal_handlers_block_by_func (c, on_input_toggled, self);
      gtk_check_button_set_active (GTK_CHECK_BUTTON (c),
                                   names && g_strv_contains ((const char *const *) names, column));
      g_signal_handlers_unblock_by_func (c, on_input_toggled, self);
    }
  update_inputs_label (self);
}

/* A check button per numeric column but the target, those ticked before staying ticked. */
static void
fill_inputs (RecurWindow *self)
{
  g_auto(GStrv) ticked = recur_window_selected_inputs (self);
  guint target = recur_window_selected_column (self);
  GtkWidget *child;
  guint n = 0;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->inputs_box))))
    gtk_box_remove (self->inputs_box, child);
  for (guint i = 0; self->series && i < self->numeric_columns->len; i++)
    {
      guint c = g_array_index (self->numeric_columns, guint, i);
      const char *name = recur_series_get_column_name (self->series, c);
      GtkWidget *check;

      if (c == target)
        continue;
      check = gtk_check_button_new_with_label (name);
      g_object_set_data_full (G_OBJECT (check), "column", g_strdup (name), g_free);
      gtk_box_append (self->inputs_box, check);
      g_signal_connect_swapped (check, "toggled", G_CALLBACK (on_input_toggled), self);
      n++;
    }
  recur_window_set_inputs (self, ticked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->inputs_button), n > 0);
}

void
recur_window_show_column (RecurWindow *self)
{
  guint col = recur_window_selected_column (self);
  const gint64 *ts;
  const double *values;

  recur_window_series_data_clear (&self->shown);
  fill_inputs (self);
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
  recur_window_update_split (self);
}

void
recur_window_current_config (RecurWindow    *self,
                             RecurJobConfig *config)
{
  guint col = recur_window_selected_column (self);

  recur_job_config_init (config);
  recur_params_panel_get_config (self->params, config);
  if (self->series && col != G_MAXUINT)
    config->column = g_strdup (recur_series_get_column_name (self->series, col));
  config->inputs = recur_window_selected_inputs (self);
}

/* With Automatic on: the split Auto will use (recur_auto_new plans it without training): its
 * candidates learn from the rows before its validation part, and their forecasts from the
 * origins in it are scored up to the test part. Auto's own message when it cannot plan. */
static void
auto_split (RecurWindow          *self,
            const RecurJobConfig *config,
            GError              **error)
{
  g_autoptr(RecurAuto) plan = recur_auto_new (config, NULL, recur_series_ref (self->series),
                                              error);

  if (plan == NULL)
    return;
  self->val_start = recur_auto_get_validation_start (plan);
  self->test_start = self->shown.n - MIN (config->model.horizon, self->shown.n);
}

/* The split the panel's settings give (with Automatic on, Auto's), computed by the engine
 * itself so that the shading is exactly what training will use; a problem (series too short,
 * missing values refused) is shown before anyone clicks Train. */
void
recur_window_update_split (RecurWindow *self)
{
  RecurJobConfig config;
  g_autoptr(GError) error = NULL;
  g_autofree double *filled = NULL;
  guint col = recur_window_selected_column (self);

  self->val_start = self->test_start = self->shown.n;
  gtk_widget_set_visible (GTK_WIDGET (self->problems_label), FALSE);
  if (self->series == NULL || col == G_MAXUINT)
    return;
  recur_window_current_config (self, &config);
  if (recur_params_panel_get_auto (self->params))
    auto_split (self, &config, &error);
  else if ((filled = recur_series_fill_missing (self->series, col, config.missing, &error)))
    {
      RecurSplitSpec split = {
        .window = config.model.window,
        .horizon = config.model.horizon,
        .output_size = recur_model_spec_output_size (&config.model),
        .val_fraction = config.val_fraction,
        .transform = config.transform,
        .season = recur_job_choose_season (&config, self->series, filled,
                                           self->shown.n - MIN (config.model.horizon,
                                                                self->shown.n),
                                           NULL),
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

void
recur_window_draw_series (cairo_t              *cr,
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

void
recur_window_set_series (RecurWindow *self,
                         RecurSeries *series)
{
  g_autofree char *base = g_path_get_basename (recur_series_get_path (series));

  g_clear_pointer (&self->series, recur_series_unref);
  self->series = recur_series_ref (series);
  gtk_label_set_text (self->subtitle_label, base);
  fill_summary (self);
  recur_window_show_column (self);
  recur_window_update_actions (self);
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
  recur_window_update_actions (self);
  if (series == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        recur_window_show_error (self, error->message);
      return;
    }
  recur_window_dismiss_error (self);
  recur_window_set_series (self, series);
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
  recur_window_update_actions (self);
}
