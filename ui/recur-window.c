/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "recur-cores.h"
#include "recur-window-private.h"

G_DEFINE_FINAL_TYPE (RecurWindow, recur_window, GTK_TYPE_APPLICATION_WINDOW)

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
GThreadPool *
recur_window_run_pool (void)
{
  static GThreadPool *pool;

  if (g_once_init_enter (&pool))
    {
      recur_cores_set_total (runs_at_once ());
      g_once_init_leave (&pool, recur_run_pool_new_background (runs_at_once ()));
    }
  return pool;
}

/* Runs at Once is also the cores training may take: an ensemble's members train on those no
 * run holds (recur-cores.h), so one run alone uses them all, and 1 keeps everything on one. */
static void
set_runs_at_once (guint n)
{
  recur_run_pool_set_max_threads (recur_window_run_pool (), n);
  recur_cores_set_total (n);
}

/* ---- messages ----------------------------------------------------------------------------- */

void
recur_window_show_error (RecurWindow *self,
                         const char  *message)
{
  g_free (self->error_text);
  self->error_text = g_strdup (message);
  gtk_label_set_text (self->banner_label, message);
  gtk_revealer_set_reveal_child (self->banner_revealer, TRUE);
}

void
recur_window_dismiss_error (RecurWindow *self)
{
  g_clear_pointer (&self->error_text, g_free);
  gtk_revealer_set_reveal_child (self->banner_revealer, FALSE);
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
  recur_window_train (RECUR_WINDOW (widget));
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
  recur_window_ask_export (RECUR_WINDOW (widget), EXPORT_FORECAST, NULL);
}

static void
action_export_weights (GtkWidget  *widget,
                       const char *action,
                       GVariant   *param)
{
  recur_window_ask_export (RECUR_WINDOW (widget), EXPORT_WEIGHTS, NULL);
}

static void
action_export_onnx (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  recur_window_ask_export (RECUR_WINDOW (widget), EXPORT_ONNX, NULL);
}

static void
action_export_plot (GtkWidget  *widget,
                    const char *action,
                    GVariant   *param)
{
  recur_window_ask_export (RECUR_WINDOW (widget), EXPORT_PLOT, g_variant_get_string (param, NULL));
}

static void
action_export_table (GtkWidget  *widget,
                     const char *action,
                     GVariant   *param)
{
  recur_window_ask_export (RECUR_WINDOW (widget), EXPORT_TABLE, NULL);
}

/* The pool follows the setting, even while runs train (queued ones start as room frees). */
static void
on_runs_at_once_changed (GSettings  *settings,
                         const char *key,
                         gpointer    data)
{
  set_runs_at_once (runs_at_once ());
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
  set_runs_at_once (n > 0 ? (guint) n : g_get_num_processors ());
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
  recur_window_dismiss_error (RECUR_WINDOW (widget));
}

/* The runs table's buttons follow the selected runs: Stop while one of them trains, Resume
 * when one can go on, Rename for one run, the others for any. */
static void
update_run_actions (RecurWindow *self)
{
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);
  GtkWidget *w = GTK_WIDGET (self);
  gboolean active = FALSE, resumable = FALSE;

  for (guint i = 0; i < selected->len; i++)
    {
      RecurRun *run = g_ptr_array_index (selected, i);

      active |= recur_run_is_active (run);
      resumable |= recur_run_can_resume (run);
    }
  gtk_widget_action_set_enabled (w, "win.export-table",
                                 g_list_model_get_n_items (G_LIST_MODEL (self->runs)) > 0);
  gtk_widget_action_set_enabled (w, "win.stop-runs", active);
  gtk_widget_action_set_enabled (w, "win.resume-runs", resumable);
  gtk_widget_action_set_enabled (w, "win.duplicate-run", selected->len > 0);
  gtk_widget_action_set_enabled (w, "win.rename-run", selected->len == 1);
  gtk_widget_action_set_enabled (w, "win.delete-runs", selected->len > 0);
}

void
recur_window_update_actions (RecurWindow *self)
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
  gtk_widget_action_set_enabled (w, "win.export-onnx", trained);
  gtk_widget_action_set_enabled (w, "win.export-plot", self->series != NULL);
  gtk_widget_set_visible (self->stop_button, training);
  update_run_actions (self);
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
  if (response != GTK_RESPONSE_ACCEPT || !recur_window_any_run_active (self))
    return;
  /* closes once every run has stopped and kept its best weights */
  self->close_after_stop = TRUE;
  recur_window_stop_all_runs (self);
}

static gboolean
recur_window_close_request (GtkWindow *window)
{
  RecurWindow *self = RECUR_WINDOW (window);
  GtkWidget *dialog;

  if (!recur_window_any_run_active (self))
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
  recur_window_train (self);
  return G_SOURCE_REMOVE;
}

/* An echo state network fits in milliseconds: once one has been trained, moving its sliders
 * re-fits it at once, so ρ, α and λ can be explored by hand. */
static void
schedule_refit (RecurWindow *self)
{
  RecurJobConfig config;
  gboolean esn_now, esn_before;

  /* under Auto, Train starts a whole choice: never on a slider's move */
  if (self->run == NULL || recur_run_is_active (self->run)
      || recur_params_panel_get_auto (self->params))
    return;
  recur_window_current_config (self, &config);
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
  recur_window_update_split (self);
  schedule_refit (self);
  if (self->run == NULL)
    {
      RecurJobConfig config;
      recur_window_current_config (self, &config);
      recur_window_fill_state_dropdown (self, &config);
      recur_job_config_clear (&config);
      gtk_widget_queue_draw (GTK_WIDGET (self->loss_view));
    }
}

static void
on_column_selected (RecurWindow *self)
{
  recur_window_show_column (self);
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
    recur_window_stop_all_runs (self);
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
  recur_window_series_data_clear (&self->shown);
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
  BIND (inputs_button);
  BIND (inputs_box);
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
  gtk_widget_class_install_action (widget_class, "win.export-onnx", NULL, action_export_onnx);
  gtk_widget_class_install_action (widget_class, "win.export-plot", "s", action_export_plot);
  gtk_widget_class_install_action (widget_class, "win.dismiss-banner", NULL, action_dismiss_banner);
  gtk_widget_class_install_action (widget_class, "win.stop-runs", NULL, recur_window_action_stop_runs);
  gtk_widget_class_install_action (widget_class, "win.resume-runs", NULL, recur_window_action_resume_runs);
  gtk_widget_class_install_action (widget_class, "win.duplicate-run", NULL, recur_window_action_duplicate_run);
  gtk_widget_class_install_action (widget_class, "win.rename-run", NULL, recur_window_action_rename_run);
  gtk_widget_class_install_action (widget_class, "win.delete-runs", NULL, recur_window_action_delete_runs);
  gtk_widget_class_install_action (widget_class, "win.export-table", NULL, action_export_table);
  gtk_widget_class_install_action (widget_class, "win.sweep", NULL, recur_window_action_sweep);
  gtk_widget_class_install_action (widget_class, "win.open-project", NULL, recur_window_action_open_project);
  gtk_widget_class_install_action (widget_class, "win.save-project", NULL, recur_window_action_save_project);
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
                            G_CALLBACK (recur_window_on_runs_selection_changed), self);

  recur_plot_view_set_draw_func (self->series_view, recur_window_draw_series, self, NULL);
  recur_plot_view_set_zoomable (self->series_view, TRUE);
  recur_plot_view_set_draw_func (self->loss_view, recur_window_draw_loss, self, NULL);
  recur_plot_view_set_draw_func (self->predictions_view, recur_window_draw_predictions, self, NULL);
  recur_plot_view_set_draw_func (self->heatmap_view, recur_window_draw_heatmap, self, NULL);
  recur_plot_view_set_draw_func (self->gradflow_view, recur_window_draw_gradflow, self, NULL);
  recur_plot_view_set_draw_func (self->sweep_view, recur_window_draw_sweep, self, NULL);

  g_signal_connect_swapped (self->params, "changed", G_CALLBACK (on_params_changed), self);
  g_signal_connect_swapped (self->metrics_label, "activate-link",
                            G_CALLBACK (recur_window_on_metrics_link), self);
  g_signal_connect_swapped (self->column_dropdown, "notify::selected",
                            G_CALLBACK (on_column_selected), self);
  g_signal_connect_swapped (self->state_dropdown, "notify::selected",
                            G_CALLBACK (on_heatmap_choice), self);
  g_signal_connect_swapped (self->layer_dropdown, "notify::selected",
                            G_CALLBACK (on_heatmap_choice), self);
  g_signal_connect (self->recent_button, "notify::active", G_CALLBACK (on_recent_activate), self);
  g_signal_connect (self->window_spin, "output", G_CALLBACK (recur_window_on_window_spin_output), self);
  g_signal_connect_swapped (self->window_adjustment, "value-changed",
                            G_CALLBACK (recur_window_on_window_spin_changed), self);
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
  recur_window_update_actions (self);
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

void
recur_window_get_split (RecurWindow *self,
                        guint       *val_start,
                        guint       *test_start)
{
  *val_start = self->val_start;
  *test_start = self->test_start;
}

GListModel *
recur_window_get_runs (RecurWindow *self)
{
  return G_LIST_MODEL (self->runs);
}

guint
recur_window_get_n_overlaid (RecurWindow *self)
{
  g_autoptr(GPtrArray) over = recur_window_overlaid_runs (self);
  return over->len;
}

guint
recur_window_get_runs_at_once (RecurWindow *self)
{
  return (guint) g_thread_pool_get_max_threads (recur_window_run_pool ());
}
