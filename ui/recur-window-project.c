/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "recur-window-private.h"

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
  col = recur_window_selected_column (self);
  project = recur_project_create (path, recur_series_get_path (self->series),
                                  col == G_MAXUINT ? NULL
                                                   : recur_series_get_column_name (self->series, col),
                                  &error);
  if (project == NULL)
    {
      recur_window_show_error (self, error->message);
      return;
    }
  set_project (self, project);
  /* every run so far goes in, finished or not (one training goes on being logged from the
   * epochs it has); later ones as they start */
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->runs)); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      recur_window_add_to_project (self, run);
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

void
recur_window_action_save_project (GtkWidget  *widget,
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

/* How Auto chose a run's configuration, as its result.json kept it. */
static void
restore_auto_report (RecurRun        *run,
                     RecurProjectRun *entry)
{
  JsonObject *result = recur_project_run_get_result (entry);
  JsonNode *report = result ? json_object_get_member (result, "auto") : NULL;

  if (report && JSON_NODE_HOLDS_OBJECT (report))
    recur_job_set_auto_report (recur_run_get_job (run), json_node_copy (report));
}

/* An ensemble's members' curves, as the project kept them. */
static void
restore_member_losses (RecurRun        *run,
                       RecurProjectRun *entry)
{
  guint n = recur_job_get_n_members (recur_run_get_job (run));

  for (guint k = 1; k < n; k++)
    {
      const double *train, *val;
      guint epochs = recur_project_run_get_member_losses (entry, k, &train, &val);

      if (epochs > 0)
        recur_run_restore_member_losses (run, k, epochs, train, val);
    }
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
      g_autoptr(GPtrArray) weights = NULL;
      g_autoptr(GError) weights_error = NULL;
      g_autoptr(GError) error = NULL;
      RecurRunStatus status = recur_project_run_get_status (entry);
      RecurRun *run;

      if (config == NULL)
        continue; /* damaged beyond use: listed in the issues */
      if (recur_project_run_has_weights (entry))
        weights = recur_project_run_load_members (project, entry, NULL, &weights_error);
      /* the run is still listed, with its settings and curves, only not scored */
      if (weights_error != NULL)
        recur_window_show_error (self, weights_error->message);
      if (status == RECUR_RUN_QUEUED || status == RECUR_RUN_TRAINING)
        status = RECUR_RUN_INTERRUPTED;
      run = recur_run_new_restored (recur_project_run_get_name (entry), config, series,
                                    weights ? (RecurModel *const *) weights->pdata : NULL,
                                    weights ? weights->len : 0,
                                    h ? h->n_epochs : 0, h ? h->train_loss : NULL,
                                    h ? h->val_loss : NULL, h ? h->lr : NULL, status,
                                    recur_project_run_get_message (entry), &error);
      if (run == NULL)
        {
          recur_window_show_error (self, error->message);
          continue;
        }
      if (h != NULL)
        recur_run_restore_seconds (run, h->seconds, h->n_epochs);
      restore_auto_report (run, entry);
      restore_member_losses (run, entry);
      self->n_started++;
      g_signal_connect_object (run, "progress", G_CALLBACK (recur_window_on_run_progress), self, G_CONNECT_DEFAULT);
      g_list_store_append (self->runs, run);
      g_hash_table_insert (self->project_runs, run, entry);
      recur_window_focus_run (self, run);
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
      recur_window_show_error (self, error->message);
      set_project (self, NULL);
      return;
    }
  g_list_store_remove_all (self->runs);
  recur_window_focus_run (self, NULL);
  recur_window_set_series (self, series);
  restore_runs (self, series);
  if (recur_project_is_recovered (self->project) && !recur_project_save (self->project, &error))
    recur_window_show_error (self, error->message);
  issues = recur_project_get_issues (self->project);
  if (issues->len)
    recur_window_show_error (self, ((GError *) g_ptr_array_index (issues, issues->len - 1))->message);
  {
    g_autofree char *base = g_path_get_basename (recur_project_get_path (self->project));
    gtk_label_set_text (self->subtitle_label, base); /* set_series showed the CSV's name */
  }
  recur_window_update_actions (self);
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
      recur_window_show_error (self, error->message);
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

  recur_window_show_error (self, why->message);
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
      recur_window_show_error (self, error->message);
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

void
recur_window_action_open_project (GtkWidget  *widget,
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
