/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "recur-auto.h"
#include "recur-window-private.h"

/* ---- runs --------------------------------------------------------------------------------- */

/* A run keeps its colour in every overlay: its place in the window's list. */
guint
recur_window_run_colour (RecurWindow *self,
                         RecurRun    *run)
{
  guint position;

  return g_list_store_find (self->runs, run, &position) ? position + 1 : 0;
}

gboolean
recur_window_any_run_active (RecurWindow *self)
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
void
recur_window_stop_all_runs (RecurWindow *self)
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
GPtrArray *
recur_window_overlaid_runs (RecurWindow *self)
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
    recur_window_show_error (self, error->message);
}

void
recur_window_add_to_project (RecurWindow *self,
                             RecurRun    *run)
{
  g_autoptr(GError) error = NULL;
  RecurProjectRun *entry;

  if (self->project == NULL)
    return;
  entry = recur_project_add_recur_run (self->project, run, NULL, 0, &error);
  if (entry == NULL)
    {
      recur_window_show_error (self, error->message);
      return;
    }
  g_hash_table_insert (self->project_runs, run, entry);
  sync_to_project (self, run);
}

void
recur_window_on_run_progress (RecurRun    *run,
                              RecurWindow *self)
{
  sync_to_project (self, run);
  if (run == self->run)
    {
      /* the plots at the run's full rate, the status line's numbers as the table's */
      if (recur_runs_view_text_due (&self->status_shown_at))
        recur_window_update_status (self);
      recur_window_queue_training_views (self);
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
      recur_window_update_status (self);
      recur_window_update_metrics (self);
      recur_window_queue_training_views (self);
    }
  recur_window_update_actions (self);
  if (self->close_after_stop && !recur_window_any_run_active (self))
    gtk_window_destroy (GTK_WINDOW (self));
}

/* Shows run in the single-run views (status, heatmap, gradient flow, metrics). */
void
recur_window_focus_run (RecurWindow *self,
                        RecurRun    *run)
{
  if (run == self->run)
    return;
  g_set_object (&self->run, run);
  if (run)
    {
      recur_window_fill_state_dropdown (self, recur_job_get_config (recur_run_get_job (run)));
      recur_window_setup_window_spin (self);
    }
  recur_window_update_status (self);
  recur_window_update_metrics (self);
  recur_window_update_actions (self);
  recur_window_queue_training_views (self);
}

void
recur_window_on_runs_selection_changed (RecurWindow *self)
{
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);
  gboolean focus_selected = FALSE;

  for (guint i = 0; i < selected->len; i++)
    focus_selected |= g_ptr_array_index (selected, i) == (gpointer) self->run;
  if (selected->len > 0 && !focus_selected)
    recur_window_focus_run (self, g_ptr_array_index (selected, 0));
  recur_window_update_actions (self);
  recur_window_queue_training_views (self);
}

/* Adds run to the table and the project and shows it, not yet started. */
static void
add_run (RecurWindow *self,
         RecurRun    *run)
{
  self->n_started++;
  g_signal_connect_object (run, "progress", G_CALLBACK (recur_window_on_run_progress), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (run, "finished", G_CALLBACK (on_run_finished), self, G_CONNECT_DEFAULT);
  g_list_store_append (self->runs, run);
  recur_window_add_to_project (self, run);
  recur_window_focus_run (self, run);
  recur_runs_view_select (self->runs_view, run);
}

/* Adds run to the table, shows it, and queues it on the pool (several train at once). */
void
recur_window_start_run (RecurWindow *self,
                        RecurRun    *run)
{
  add_run (self, run);
  recur_run_start (run, recur_window_run_pool ());
  recur_window_update_status (self);
  recur_window_update_actions (self);
}

/* As recur_window_start_run for each of a sweep's runs (NULLs skipped): the table lists them
 * in their order, the pool starts them the most work first (recur_sweep_order_by_cost), as
 * `recur sweep` does, so that the longest is not left to train alone at the end while the
 * other workers idle. (Auto's candidates start as listed, the quickest first: a stop keeps the
 * best of those scored, and longest-first gained 0.3 s of 3.5 on auto-2000.) */
void
recur_window_start_runs (RecurWindow *self,
                         GPtrArray   *runs)
{
  g_autoptr(GPtrArray) present = g_ptr_array_new ();
  g_autofree const RecurJobConfig **configs = NULL;
  g_autofree guint *order = NULL;

  for (guint i = 0; i < runs->len; i++)
    if (g_ptr_array_index (runs, i) != NULL)
      g_ptr_array_add (present, g_ptr_array_index (runs, i));
  configs = g_new (const RecurJobConfig *, MAX (present->len, 1));
  order = g_new (guint, MAX (present->len, 1));
  for (guint i = 0; i < present->len; i++)
    {
      RecurRun *run = g_ptr_array_index (present, i);

      add_run (self, run);
      configs[i] = recur_job_get_config (recur_run_get_job (run));
    }
  recur_sweep_order_by_cost (configs, present->len, order);
  for (guint i = 0; i < present->len; i++)
    recur_run_start (g_ptr_array_index (present, order[i]), recur_window_run_pool ());
  recur_window_update_status (self);
  recur_window_update_actions (self);
}

/* Auto in the window: the candidates train as runs of their own (rows in the table, curves on
 * the plots); when the last has ended they are scored on the origins before the test part, and
 * the chosen configuration trains again as "auto ✓ NAME" (recur-auto.h). */
typedef struct
{
  GWeakRef     window;
  RecurAuto   *plan;
  RecurSeries *series;
  GPtrArray   *runs;     /* RecurRun by candidate; NULL where the job refused it */
  guint        pending;
} AutoSession;

static void
unref_run (RecurRun *run)
{
  if (run != NULL)
    g_object_unref (run);
}

static void
auto_session_free (AutoSession *session)
{
  for (guint i = 0; i < session->runs->len; i++)
    if (g_ptr_array_index (session->runs, i) != NULL)
      g_signal_handlers_disconnect_by_data (g_ptr_array_index (session->runs, i), session);
  g_weak_ref_clear (&session->window);
  recur_auto_free (session->plan);
  recur_series_unref (session->series);
  g_ptr_array_unref (session->runs);
  g_free (session);
}

/* Each candidate by its run: scored when it trained (to its end, or stopped with weights). */
static void
score_candidates (AutoSession *session)
{
  for (guint i = 0; i < session->runs->len; i++)
    {
      RecurRun *run = g_ptr_array_index (session->runs, i);
      RecurRunStatus status;
      const GError *error;
      gboolean trained;

      if (run == NULL)
        continue; /* scored as failed when it was refused */
      status = recur_run_get_status (run);
      error = recur_run_get_error (run);
      trained = status == RECUR_RUN_FINISHED
                         || (status == RECUR_RUN_STOPPED && recur_run_get_best_epoch (run) > 0);

      recur_auto_score (session->plan, i, trained ? recur_run_get_job (run) : NULL,
                        error ? error->message : recur_run_status_to_string (status),
                        recur_run_get_elapsed (run));
    }
}

static void
on_candidate_finished (RecurRun    *run,
                       AutoSession *session)
{
  g_autoptr(RecurWindow) self = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  g_autoptr(RecurRun) chosen = NULL;
  RecurJobConfig config;

  g_signal_handlers_disconnect_by_data (run, session);
  if (--session->pending > 0)
    return;
  self = g_weak_ref_get (&session->window);
  score_candidates (session);
  if (self != NULL && recur_auto_choose (session->plan, &error))
    {
      recur_auto_get_final_config (session->plan, &config);
      const char *chosen_name = recur_auto_get_candidate (session->plan,
                                                          recur_auto_get_chosen (session->plan))->name;

      /* Translators: the run Auto chose, trained again; %s is the candidate's description;
       * the second, with its forecast averaged with the Theta method's */
      name = recur_auto_averages_theta (session->plan)
             ? g_strdup_printf (_("auto ✓ %s + Theta"), chosen_name)
             : g_strdup_printf (_("auto ✓ %s"), chosen_name);
      chosen = recur_run_new (name, &config, session->series, &error);
      recur_job_config_clear (&config);
      if (chosen != NULL)
        {
          /* what was tried and why, kept with the run (its summary, its project) */
          recur_job_set_auto_report (recur_run_get_job (chosen),
                                     recur_auto_to_json (session->plan));
          recur_window_start_run (self, chosen);
        }
    }
  if (self != NULL && error != NULL)
    recur_window_show_error (self, error->message);
  auto_session_free (session);
}

static void
train_auto (RecurWindow          *self,
            const RecurJobConfig *config)
{
  g_autoptr(GError) error = NULL;
  RecurAuto *plan = recur_auto_new (config, NULL, recur_series_ref (self->series), &error);
  AutoSession *session;
  guint n;

  if (plan == NULL)
    {
      recur_window_show_error (self, error->message);
      return;
    }
  recur_window_dismiss_error (self);
  session = g_new0 (AutoSession, 1);
  g_weak_ref_init (&session->window, self);
  session->plan = plan;
  session->series = recur_series_ref (self->series);
  session->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) unref_run);
  n = recur_auto_get_n_candidates (plan);
  for (guint i = 0; i < n; i++)
    {
      const RecurAutoCandidate *c = recur_auto_get_candidate (plan, i);
      g_autofree char *name = g_strdup_printf (_("auto %u/%u: %s"), i + 1, n, c->name);
      /* a gradient-trained candidate sees the rows before the origins only */
      g_autoptr(RecurSeries) series = c->rows ? recur_series_new_head (self->series, c->rows,
                                                                       &error)
                                              : recur_series_ref (self->series);
      RecurRun *run = series ? recur_run_new (name, &c->config, series, &error) : NULL;

      if (run != NULL)
        recur_run_set_role (run, c->floor ? RECUR_RUN_ROLE_FLOOR
                                 : c->rows ? RECUR_RUN_ROLE_EARLY_CANDIDATE
                                           : RECUR_RUN_ROLE_CANDIDATE);
      if (run == NULL)
        {
          /* the plan made it: a candidate the job refuses is a failed one, not the end */
          recur_auto_score (plan, i, NULL, error->message, 0);
          g_clear_error (&error);
        }
      else
        session->pending++;
      g_ptr_array_add (session->runs, run);
    }
  if (session->pending == 0)
    {
      recur_window_show_error (self, _("Auto: no candidate could be made for this series"));
      auto_session_free (session);
      return;
    }
  for (guint i = 0; i < session->runs->len; i++)
    {
      RecurRun *run = g_ptr_array_index (session->runs, i);

      if (run == NULL)
        continue;
      /* after the window's own handler, which ends the candidate's row */
      g_signal_connect_after (run, "finished", G_CALLBACK (on_candidate_finished), session);
      recur_window_start_run (self, run);
    }
}

void
recur_window_train (RecurWindow *self)
{
  RecurJobConfig config;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  RecurRun *run;

  if (self->series == NULL)
    return;
  recur_window_current_config (self, &config);
  if (recur_params_panel_get_auto (self->params))
    {
      train_auto (self, &config);
      recur_job_config_clear (&config);
      return;
    }
  name = g_strdup_printf (_("%s %u"), recur_cell_to_string (config.model.cell),
                          self->n_started + 1);
  run = recur_run_new (name, &config, self->series, &error);
  recur_job_config_clear (&config);
  if (run == NULL)
    {
      recur_window_show_error (self, error->message);
      return;
    }
  recur_window_dismiss_error (self);
  recur_window_start_run (self, run);
  g_object_unref (run);
}

/* ---- acting on the selected runs ---------------------------------------------------------- */

void
recur_window_action_stop_runs (GtkWidget  *widget,
                               const char *action,
                               GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);

  for (guint i = 0; i < selected->len; i++)
    if (recur_run_is_active (g_ptr_array_index (selected, i)))
      recur_run_stop (g_ptr_array_index (selected, i));
}

void
recur_window_action_resume_runs (GtkWidget  *widget,
                                 const char *action,
                                 GVariant   *param)
{
  RecurWindow *self = RECUR_WINDOW (widget);
  g_autoptr(GPtrArray) selected = recur_runs_view_get_selected (self->runs_view);

  for (guint i = 0; i < selected->len; i++)
    recur_run_resume (g_ptr_array_index (selected, i), recur_window_run_pool ());
  recur_window_update_status (self);
  recur_window_update_actions (self);
}

/* The selected run's settings back in the panel, to change one and train again. */
void
recur_window_action_duplicate_run (GtkWidget  *widget,
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
  recur_window_set_inputs (self, config->inputs);
  recur_params_panel_set_config (self->params, config);
}

void
recur_window_action_delete_runs (GtkWidget  *widget,
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
        recur_window_focus_run (self, NULL);
      if (g_list_store_find (self->runs, run, &position))
        g_list_store_remove (self->runs, position);
      g_hash_table_remove (self->project_runs, run);
      g_object_unref (run);
    }
  recur_window_update_actions (self);
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

void
recur_window_action_rename_run (GtkWidget  *widget,
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
RecurComparison *
recur_window_comparison_of_runs (RecurWindow *self)
{
  RecurComparison *table = recur_comparison_new ();

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->runs)); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (G_LIST_MODEL (self->runs), i);
      RecurJob *job = recur_run_get_job (run);
      const GError *error = recur_run_get_error (run);
      /* an early Auto candidate's test part is another stretch: not ranked beside the others */
      gboolean early = recur_run_get_role (run) == RECUR_RUN_ROLE_EARLY_CANDIDATE;

      recur_comparison_add_job (table, recur_run_get_name (run), NULL, 0,
                                recur_job_get_config (job), recur_run_get_status (run),
                                error ? error->message
                                      : early ? _("Auto's candidate, trained on the rows before "
                                                  "its validation origins: not scored on the "
                                                  "test part")
                                              : NULL,
                                recur_run_is_active (run) || early ? NULL : job);
    }
  recur_comparison_sort (table);
  return table;
}
