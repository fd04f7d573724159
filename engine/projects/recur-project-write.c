/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <unistd.h>

#include "recur-fileutil.h"
#include "recur-jsonutil.h"
#include "recur-project-private.h"

/* Best weights are rewritten, and history.log synced to the disk, at most this often while a run
 * trains. */
#define WEIGHTS_INTERVAL_US G_USEC_PER_SEC
#define LOG_SYNC_INTERVAL_US G_USEC_PER_SEC

static void
history_copy (RecurHistory       *dest,
              const RecurHistory *src)
{
  history_clear (dest);
  dest->n_epochs = src->n_epochs;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    *history_column (dest, i) =
      g_memdup2 (*history_column ((RecurHistory *) src, i), src->n_epochs * sizeof (double));
}

/* ---- history.log: the epochs of a run that trains ------------------------------------------ */

static void
epoch_log_clear (gpointer data)
{
  EpochLog *log = data;

  close (log->fd);  /* made only with an open one (attach_log) */
  g_free (log->path);
  g_clear_error (&log->error);
  g_mutex_clear (&log->lock);
}

static EpochLog *
epoch_log_ref (EpochLog *log)
{
  return g_atomic_rc_box_acquire (log);
}

static void
epoch_log_unref (gpointer log)
{
  g_atomic_rc_box_release_full (log, epoch_log_clear);
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* One epoch, one line: {"epoch":12,"train_loss":…,"val_loss":…,"lr":…,"grad_norm":…,"seconds":…}
 * with every number in 17 significant digits, which read back to the same double (null where it
 * is not finite; not the shortest form history.json has, which costs twice as much to find). On
 * the run's worker (recur_run_set_epoch_func), before it posts the epoch: one write, no
 * allocation, about 8 µs. */
static void
epoch_log_append (const RecurEpoch *e,
                  gpointer          data)
{
  EpochLog *log = data;
  const double values[] = { e->train_loss, e->val_loss, e->lr, e->grad_norm, e->seconds };
  char text[G_N_ELEMENTS (values)][G_ASCII_DTOSTR_BUF_SIZE];
  char line[G_N_ELEMENTS (values) * G_ASCII_DTOSTR_BUF_SIZE + 128];
  gboolean failed;
  int n;

  g_mutex_lock (&log->lock);
  failed = log->error != NULL;
  g_mutex_unlock (&log->lock);
  if (failed)
    return; /* a torn line may end the file: nothing may follow it */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      if (isfinite (values[i]))
        g_ascii_dtostr (text[i], sizeof text[i], values[i]);
      else
        g_strlcpy (text[i], "null", sizeof text[i]);
    }
  n = g_snprintf (line, sizeof line,
                  "{\"epoch\":%u,\"train_loss\":%s,\"val_loss\":%s,\"lr\":%s,"
                  "\"grad_norm\":%s,\"seconds\":%s}\n",
                  e->epoch, text[0], text[1], text[2], text[3], text[4]);
  if (!write_all (log->fd, line, (gsize) n))
    {
      int saved = errno;
      g_mutex_lock (&log->lock);
      g_set_error (&log->error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot write %s: %s"), log->path, g_strerror (saved));
      g_mutex_unlock (&log->lock);
      return;
    }
  g_atomic_int_set (&log->last_epoch, e->epoch);
  /* with G_MESSAGES_DEBUG=recur-engine: what the crash tests compare the files with */
  g_debug ("%s: epoch %u written", log->path, e->epoch);
}

/* Stops the run's worker from appending, and lets go of the log: removed when the run's ending
 * has been written (history.json and result.json hold it all), kept otherwise (the process is
 * letting the run go while it trains: it is interrupted, with the epochs it had). */
void
detach_log (RecurProjectRun *entry,
            gboolean         remove)
{
  if (entry->attached)
    {
      recur_run_set_epoch_func (entry->attached, 0, NULL, NULL, NULL);
      g_clear_object (&entry->attached);
    }
  if (entry->log)
    {
      if (remove)
        g_unlink (entry->log->path);
      g_clear_pointer (&entry->log, epoch_log_unref);
    }
}

/* ---- runs: writing ------------------------------------------------------------------------- */

static gboolean
write_run_config (RecurProject     *self,
                  RecurProjectRun  *run,
                  GError          **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *file = run_file (run, CONFIG_FILE);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, RUN_VERSION);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, run->name);
  json_builder_set_member_name (b, "swept");
  json_builder_add_value (b, recur_sweep_values_to_json (run->swept, run->n_swept));
  if (self->has_data)
    {
      json_builder_set_member_name (b, "data");
      json_builder_add_value (b, data_to_json (&self->data, NULL));
    }
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, recur_job_config_to_json (&run->config));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return recur_json_write_file (root, file, error);
}

/* A run folder that could not be completed: its files, then itself. Run folders hold files
 * only. */
static void
discard_run_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
  g_rmdir (path);
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (name && *name && g_utf8_validate (name, -1, NULL))
    return TRUE;
  g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_INVALID,
               _("a run needs a name (UTF-8, not empty)"));
  return FALSE;
}

RecurProjectRun *
recur_project_add_run (RecurProject           *self,
                       const char             *name,
                       const RecurJobConfig   *config,
                       const RecurSweepValue  *swept,
                       guint                   n_swept,
                       GError                **error)
{
  g_autofree char *id = NULL;
  guint number = self->next_run;
  RecurProjectRun *run;

  g_return_val_if_fail (self->writable, NULL);
  g_return_val_if_fail (n_swept <= RECUR_SWEEP_MAX_PARAMS, NULL);
  if (!check_name (name, error))
    return NULL;
  id = format_run_id (number);
  run = run_new (self, id, name);
  recur_job_config_clear (&run->config);
  recur_job_config_copy (&run->config, config);
  run->has_config = TRUE;
  for (guint i = 0; i < n_swept; i++)
    {
      run->swept[i] = swept[i];
      run->swept[i].text = g_strdup (swept[i].text);
    }
  run->n_swept = n_swept;
  /* folder, then config.json, then the list: a crash in between leaves an empty folder (ignored)
   * or an unlisted run (recovered). A write that fails takes the run out again, folder and all,
   * so that the project is as it was; its id is reused only if its folder is gone. */
  if (!recur_file_make_dir (run->dir, error))
    {
      run_free (run);
      return NULL;
    }
  /* the last number, G_MAXUINT, stays the next: its folder exists, so no run comes after it */
  self->next_run = number == G_MAXUINT ? number : number + 1;
  g_ptr_array_add (self->runs, run);
  if (!write_run_config (self, run, error) || !recur_project_save (self, error))
    {
      discard_run_folder (run->dir);
      if (!g_file_test (run->dir, G_FILE_TEST_EXISTS))
        self->next_run = number;
      g_ptr_array_remove (self->runs, run);
      return NULL;
    }
  return run;
}

/* A column of numbers, null where not finite. */
static void
add_column (JsonBuilder  *b,
            const char   *name,
            const double *column,
            guint         n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint e = 0; e < n; e++)
    if (isfinite (column[e]))
      json_builder_add_double_value (b, column[e]);
    else
      json_builder_add_null_value (b);
  json_builder_end_array (b);
}

/* The history, and with an ensemble's run "members": [{"train_loss", "val_loss"} of member 1,
 * of member 2, …] (a reader from before ignores it). */
static JsonNode *
history_to_json (const RecurHistory    *h,
                 const RecurProjectRun *run)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, h->n_epochs);
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    add_column (b, history_names[i], *history_column ((RecurHistory *) h, i), h->n_epochs);
  if (run->n_member_losses > 1)
    {
      json_builder_set_member_name (b, "members");
      json_builder_begin_array (b);
      for (guint k = 1; k < run->n_member_losses; k++)
        {
          const MemberLosses *m = &run->member_losses[k];

          json_builder_begin_object (b);
          add_column (b, "train_loss", m->train_loss, m->n_epochs);
          add_column (b, "val_loss", m->val_loss, m->n_epochs);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* An ensemble's members' losses as the run keeps them, for history.json. */
static void
take_member_losses (RecurProjectRun *entry,
                    RecurRun        *run)
{
  guint n = recur_job_get_config (recur_run_get_job (run))->ensemble;

  member_losses_clear (entry);
  if (n < 2)
    return;
  entry->member_losses = g_new0 (MemberLosses, n);
  entry->n_member_losses = n;
  for (guint k = 1; k < n; k++)
    {
      const double *train, *val;
      guint epochs = recur_run_get_member_losses (run, k, &train, &val);

      entry->member_losses[k] = (MemberLosses) {
        epochs, g_memdup2 (train, epochs * sizeof (double)),
        g_memdup2 (val, epochs * sizeof (double)),
      };
    }
}

gboolean
recur_project_write_history (RecurProject        *self,
                             RecurProjectRun     *run,
                             const RecurHistory  *history,
                             GError             **error)
{
  g_autoptr(JsonNode) root = history_to_json (history, run);
  g_autofree char *file = run_file (run, HISTORY_FILE);
  gsize len;
  /* compact: it grows with the epochs */
  g_autofree char *text = recur_json_to_data (root, FALSE, &len);

  g_return_val_if_fail (self->writable, FALSE);
  if (!recur_file_write_atomic (file, text, len, error))
    return FALSE;
  if (history != &run->history)
    history_copy (&run->history, history);
  return TRUE;
}

/* members (n of them, of job's spec) as the run's best weights, from epoch. */
static gboolean
write_members (RecurProject             *self,
               RecurProjectRun          *run,
               const RecurJob           *job,
               const RecurModel *const  *members,
               guint                     n,
               guint                     epoch,
               GError                  **error)
{
  g_autofree char *file = run_file (run, WEIGHTS_FILE);

  g_return_val_if_fail (self->writable, FALSE);
  if (!recur_job_save_members (job, members, n, file, error))
    return FALSE;
  run->has_weights = TRUE;
  run->weights_epoch = epoch;
  run->weights_members = n;
  run->weights_at = g_get_monotonic_time ();
  return TRUE;
}

gboolean
recur_project_write_weights (RecurProject      *self,
                             RecurProjectRun   *run,
                             const RecurJob    *job,
                             const RecurModel  *model,
                             guint              epoch,
                             GError           **error)
{
  return write_members (self, run, job, &model, 1, epoch, error);
}

gboolean
recur_project_write_members (RecurProject      *self,
                             RecurProjectRun   *run,
                             const RecurJob    *job,
                             guint              epoch,
                             GError           **error)
{
  return write_members (self, run, job, (const RecurModel *const *) recur_job_get_members (job),
                        recur_job_get_n_members (job), epoch, error);
}

/* The timestamps of the test part and of the forecast past the end, as the CSV spells them. */
static void
add_timestamps (JsonObject     *o,
                const RecurJob *job)
{
  const RecurSeries *series = recur_job_get_series (job);
  const RecurDataset *data = recur_job_get_dataset (job);
  const gint64 *ts = recur_series_get_timestamps (series);
  guint start = recur_dataset_get_test_start (data), n = recur_dataset_get_n_points (data);
  gint64 last = ts ? ts[n - 1] : (gint64) n - 1;
  JsonArray *test = json_array_new (), *future = json_array_new ();

  for (guint i = start; i < n; i++)
    {
      g_autofree char *when = recur_series_format_timestamp (series, ts ? ts[i] : (gint64) i);
      json_array_add_string_element (test, when);
    }
  for (guint h = 0; h < recur_job_get_config (job)->model.horizon; h++)
    {
      g_autofree char *when =
        recur_series_format_timestamp (series, recur_series_advance_timestamp (series, last, h + 1));
      json_array_add_string_element (future, when);
    }
  json_object_set_array_member (o, "test_timestamps", test);
  json_object_set_array_member (o, "forecast_timestamps", future);
}

static JsonObject *
result_object (RecurRunStatus  status,
               const char     *message,
               const RecurJob *job)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "version", RUN_VERSION);
  json_object_set_string_member (o, "status", recur_run_status_to_id (status));
  if (message)
    json_object_set_string_member (o, "error", message);
  else
    json_object_set_null_member (o, "error");
  if (job)
    {
      g_autoptr(JsonNode) summary = recur_job_to_json (job);
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (summary));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (o, name, json_node_copy (member));
      if (recur_job_get_evaluation (job))
        add_timestamps (o, job);
      if (recur_job_get_summary (job)->best_epoch == 0)
        {
          /* never trained: the model's scores and forecasts would describe random weights */
          json_object_remove_member (o, "test");
          json_object_remove_member (o, "test_forecast");
          json_object_remove_member (o, "forecast");
        }
    }
  return o;
}

gboolean
recur_project_write_result (RecurProject     *self,
                            RecurProjectRun  *run,
                            RecurRunStatus    status,
                            const char       *message,
                            const RecurJob   *job,
                            GError          **error)
{
  g_autoptr(JsonObject) o = result_object (status, message, job);
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), o);
  g_autofree char *file = run_file (run, RESULT_FILE);

  g_return_val_if_fail (self->writable, FALSE);
  if (!recur_json_write_file (root, file, error))
    return FALSE;
  run->status = status;
  g_free (run->message);
  run->message = g_strdup (message);
  g_clear_pointer (&run->result, json_object_unref);
  run->result = json_object_ref (o);
  return TRUE;
}

/* The project forecasts one column: a run of another is refused, and a project made without
 * one takes the first run's. */
static gboolean
check_column (RecurProject    *self,
              const RecurJob  *job,
              GError         **error)
{
  const char *column = recur_job_get_column_name (job);

  if (!self->has_data || self->data.column == NULL)
    {
      if (self->has_data)
        self->data.column = g_strdup (column);
      return TRUE;
    }
  if (g_str_equal (self->data.column, column))
    return TRUE;
  return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_MISMATCH,
                                      _("%s compares runs on column “%s”, not “%s”"), self->path,
                                      self->data.column, column));
}

/* From now on the run's worker appends each epoch to history.log as it ends (those it has
 * already, beyond what history.json holds, first). */
static gboolean
attach_log (RecurProjectRun  *entry,
            RecurRun         *run,
            GError          **error)
{
  g_autofree char *file = run_file (entry, LOG_FILE);
  int fd = open (file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0666);
  EpochLog *log;

  if (fd < 0)
    {
      int saved = errno;
      if (saved == ELOOP)
        return fail_with (error, link_error (file));
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot write %s: %s"),
                   file, g_strerror (saved));
      return FALSE;
    }
  log = g_atomic_rc_box_new0 (EpochLog);
  log->fd = fd;
  log->path = g_steal_pointer (&file);
  g_mutex_init (&log->lock);
  entry->log = log;
  entry->attached = g_object_ref (run);
  recur_run_set_epoch_func (run, entry->history.n_epochs + 1, epoch_log_append,
                            epoch_log_ref (log), epoch_log_unref);
  return TRUE;
}

/* While the run trains: the first failed append is reported (once), and what was appended is
 * synced to the disk at most once a second, for a system crash or a power cut (a killed process
 * needs no sync: what it wrote is the kernel's; and a sync costs milliseconds on the main
 * thread, as much as many epochs). */
static gboolean
sync_log (EpochLog  *log,
          GError   **error)
{
  guint last = g_atomic_int_get (&log->last_epoch);
  GError *failed = NULL;

  g_mutex_lock (&log->lock);
  if (log->error && !log->reported)
    {
      failed = g_error_copy (log->error);
      log->reported = TRUE;
    }
  g_mutex_unlock (&log->lock);
  if (failed)
    return fail_with (error, failed);
  if (last != log->synced_epoch
      && g_get_monotonic_time () - log->synced_at >= LOG_SYNC_INTERVAL_US)
    {
      if (fdatasync (log->fd) != 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot write %s: %s"), log->path, g_strerror (saved));
          return FALSE;
        }
      log->synced_epoch = last;
      log->synced_at = g_get_monotonic_time ();
    }
  return TRUE;
}

RecurProjectRun *
recur_project_add_recur_run (RecurProject           *self,
                             RecurRun               *run,
                             const RecurSweepValue  *swept,
                             guint                   n_swept,
                             GError                **error)
{
  const RecurJob *job = recur_run_get_job (run);
  RecurProjectRun *entry;

  g_return_val_if_fail (self->writable, NULL);
  if (!check_column (self, job, error))
    return NULL;
  entry = recur_project_add_run (self, recur_run_get_name (run), recur_job_get_config (job),
                                 swept, n_swept, error);
  if (entry && recur_run_is_active (run) && !attach_log (entry, run, error))
    return NULL;
  return entry;
}

static gboolean
sync_weights (RecurProject     *self,
              RecurProjectRun  *entry,
              RecurRun         *run,
              GError          **error)
{
  guint best = recur_run_get_best_epoch (run);
  gboolean active = recur_run_is_active (run);
  RecurJob *job = recur_run_get_job (run);
  /* an ensemble's other members are written once they have ended: until then they are being
   * trained on other threads, and member 0's best weights are what can be kept */
  guint members = active ? 1 : recur_job_get_n_members (job);

  if (best == 0 || (best == entry->weights_epoch && members == entry->weights_members))
    return TRUE;
  if (active && g_get_monotonic_time () - entry->weights_at < WEIGHTS_INTERVAL_US)
    return TRUE; /* the next progress will write them */
  if (members > 1)
    return recur_project_write_members (self, entry, job, best, error);
  return recur_project_write_weights (self, entry, job, recur_run_get_best_model (run), best,
                                      error);
}

/* A run that ended and was written, now training again (resumed): its result no longer holds. */
static gboolean
reopen_run (RecurProjectRun  *entry,
            GError          **error)
{
  g_autofree char *file = run_file (entry, RESULT_FILE);

  if (g_unlink (file) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot remove %s: %s"), file, g_strerror (saved));
      return FALSE;
    }
  g_clear_pointer (&entry->result, json_object_unref);
  return TRUE;
}

gboolean
recur_project_sync_run (RecurProject     *self,
                        RecurProjectRun  *entry,
                        RecurRun         *run,
                        GError          **error)
{
  g_autoptr(GError) history_error = NULL;
  RecurHistory view;
  RecurRunStatus status = recur_run_get_status (run);

  g_return_val_if_fail (self->writable, FALSE);
  if (recur_run_is_active (run))
    {
      if (entry->result != NULL && !reopen_run (entry, error))
        return FALSE;
      if (entry->log == NULL && !attach_log (entry, run, error))
        return FALSE;
      entry->status = status;
      return sync_log (entry->log, error) && sync_weights (self, entry, run, error);
    }
  if (status == RECUR_RUN_INTERRUPTED || status == RECUR_RUN_DAMAGED)
    return TRUE; /* restored from a project as it was: nothing of ours to add */
  /* It has ended: the whole history, the last best weights and the result, each atomically,
   * then history.log goes, once history.json holds its epochs. A history that cannot be written
   * costs neither the weights nor the result (the log keeps the epochs, and the history is
   * tried again next time); weights that cannot be written hold the result back, which would
   * otherwise point at weights that are not there. */
  recur_history_view_run (&view, run);
  if (view.n_epochs != entry->history.n_epochs || entry->log)
    {
      take_member_losses (entry, run);
      recur_project_write_history (self, entry, &view, &history_error);
    }
  if (!sync_weights (self, entry, run, error))
    return FALSE;
  if (entry->result == NULL
      && !recur_project_write_result (self, entry, status,
                                      recur_run_get_error (run)
                                        ? recur_run_get_error (run)->message : NULL,
                                      recur_run_get_job (run), error))
    return FALSE;
  if (history_error)
    {
      g_propagate_error (error, g_steal_pointer (&history_error));
      return FALSE;
    }
  detach_log (entry, TRUE);
  return TRUE;
}

RecurProjectRun *
recur_project_add_job (RecurProject        *self,
                       const char          *name,
                       const RecurJob      *job,
                       RecurRunStatus       status,
                       const char          *message,
                       const RecurHistory  *history,
                       GError             **error)
{
  RecurProjectRun *run;
  guint best = recur_job_get_summary (job)->best_epoch;

  g_return_val_if_fail (self->writable, NULL);
  if (!check_column (self, job, error))
    return NULL;
  run = recur_project_add_run (self, name, recur_job_get_config (job), NULL, 0, error);
  if (run == NULL
      || (history && !recur_project_write_history (self, run, history, error))
      || (best > 0 && !recur_project_write_members (self, run, job, best, error))
      || !recur_project_write_result (self, run, status, message, job, error))
    return NULL;
  return run;
}

gboolean
recur_project_rename_run (RecurProject     *self,
                          RecurProjectRun  *run,
                          const char       *name,
                          GError          **error)
{
  g_autofree char *old = NULL;

  g_return_val_if_fail (self->writable, FALSE);
  if (!check_name (name, error))
    return FALSE;
  old = g_steal_pointer (&run->name);
  run->name = g_strdup (name);
  /* project.json, then config.json, whose name is the one opening shows: if the second write
   * fails, the run still shows its old name wherever it stops */
  if (!recur_project_save (self, error))
    {
      g_free (run->name);
      run->name = g_steal_pointer (&old);
      return FALSE;
    }
  if (run->has_config && !write_run_config (self, run, error))
    {
      g_free (run->name);
      run->name = g_steal_pointer (&old);
      recur_project_save (self, NULL); /* the old name back in the list, if the disk lets us */
      return FALSE;
    }
  return TRUE;
}

/* Our run folders hold files only. */
static gboolean
remove_folder (const char  *path,
               GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
  if (g_rmdir (path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot remove the folder %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
recur_project_delete_run (RecurProject     *self,
                          RecurProjectRun  *run,
                          GError          **error)
{
  g_autofree char *base = g_strconcat (".deleted-", run->id, NULL);
  g_autofree char *trash = g_build_filename (self->path, base, NULL);
  gboolean moved = FALSE;
  guint index;

  g_return_val_if_fail (self->writable, FALSE);
  if (g_file_test (run->dir, G_FILE_TEST_IS_DIR))
    {
      if (g_rename (run->dir, trash) != 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot remove the run folder %s: %s"), run->dir, g_strerror (saved));
          return FALSE;
        }
      moved = TRUE;
    }
  if (!g_ptr_array_find (self->runs, run, &index))
    g_return_val_if_reached (FALSE);
  g_ptr_array_steal_index (self->runs, index);
  if (!recur_project_save (self, error))
    {
      /* still listed in project.json: the run stays, folder and all */
      if (moved)
        g_rename (trash, run->dir);
      g_ptr_array_insert (self->runs, (gint) index, run);
      return FALSE;
    }
  run_free (run);
  /* project.json's write synced the folder, the move to the trash with it */
  return !moved || remove_folder (trash, error);
}
