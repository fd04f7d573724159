/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kill loop (kill-loop.h). What a child says it has done, it says after doing it: the engine
 * logs "…/run-0002/history.log: epoch 12 written" (G_MESSAGES_DEBUG=recur-engine, on standard
 * output) once the epoch is in the file, and a run's "finished" line comes once its result is
 * written. So after the kill, for every run:
 *   - said finished: its result, its whole history and its best weights are there and are
 *     exactly those of an uninterrupted run of its configuration (trained here, in-process);
 *   - otherwise: its history is the first D epochs of that run, bit for bit, where D is the last
 *     epoch it said was written, or one more (killed between writing an epoch and saying so):
 *     at most the epoch in progress is lost; its best weights, if written, are the weights of an
 *     epoch ≤ D at which the uninterrupted run improved, bit for bit.
 * and the project opens, through the engine and through `recur project info --json`, with no
 * issue but "a run not listed yet: recovered" for a run killed while being added. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <string.h>

#include "kill-loop.h"
#include "recur-blas.h"
#include "recur-jsonutil.h"
#include "recur-project.h"

/* ---- the uninterrupted run of a configuration --------------------------------------------- */

typedef struct
{
  guint  epoch;
  float *params;
} Improvement;

typedef struct
{
  guint   n_epochs;
  GArray *train_loss, *val_loss, *lr, *grad_norm;
  GArray *improvements;   /* Improvement, in epoch order */
  guint   n_params;
  float  *final_params;   /* the best weights, which the job keeps at the end */
  double  test_mase;
  guint   best_epoch;
} Reference;

static void
reference_free (Reference *ref)
{
  g_array_unref (ref->train_loss);
  g_array_unref (ref->val_loss);
  g_array_unref (ref->lr);
  g_array_unref (ref->grad_norm);
  for (guint i = 0; i < ref->improvements->len; i++)
    g_free (g_array_index (ref->improvements, Improvement, i).params);
  g_array_unref (ref->improvements);
  g_free (ref->final_params);
  g_free (ref);
}

typedef struct
{
  Reference *ref;
  RecurJob  *job;
} Training;

static void
on_reference_epoch (const RecurProgress *p,
                    gpointer             data)
{
  Training *t = data;
  Reference *ref = t->ref;

  g_assert_cmpuint (p->epoch, ==, ref->train_loss->len + 1);
  g_array_append_val (ref->train_loss, p->train_loss);
  g_array_append_val (ref->val_loss, p->val_loss);
  g_array_append_val (ref->lr, p->lr);
  g_array_append_val (ref->grad_norm, p->grad_norm);
  if (p->improved)
    {
      /* the model holds this epoch's weights now (what RecurRun posts for a project) */
      const RecurModel *model = recur_job_get_model (t->job);
      Improvement imp = { p->epoch, g_memdup2 (recur_model_peek_params (model),
                                               ref->n_params * sizeof (float)) };
      g_array_append_val (ref->improvements, imp);
    }
}

static Reference *
train_reference (const RecurJobConfig *config,
                 RecurSeries          *series)
{
  g_autoptr(GError) error = NULL;
  Reference *ref = g_new0 (Reference, 1);
  Training t = { ref, recur_job_new (config, recur_series_ref (series), &error) };

  g_assert_no_error (error);
  ref->train_loss = g_array_new (FALSE, FALSE, sizeof (double));
  ref->val_loss = g_array_new (FALSE, FALSE, sizeof (double));
  ref->lr = g_array_new (FALSE, FALSE, sizeof (double));
  ref->grad_norm = g_array_new (FALSE, FALSE, sizeof (double));
  ref->improvements = g_array_new (FALSE, FALSE, sizeof (Improvement));
  ref->n_params = recur_model_get_n_params (recur_job_get_model (t.job));
  g_assert_true (recur_job_train (t.job, NULL, on_reference_epoch, &t, &error));
  g_assert_no_error (error);
  ref->n_epochs = ref->train_loss->len;
  ref->final_params = g_memdup2 (recur_model_peek_params (recur_job_get_model (t.job)),
                                 ref->n_params * sizeof (float));
  ref->test_mase = recur_job_get_evaluation (t.job)->model_metrics.mase;
  ref->best_epoch = recur_job_get_summary (t.job)->best_epoch;
  recur_job_free (t.job);
  return ref;
}

/* ---- one child --------------------------------------------------------------------------- */

typedef struct
{
  GHashTable *epochs;     /* history.log path → the last epoch said written */
  GHashTable *finished;   /* run names said finished */
  gboolean    exited;     /* it ended by itself: no kill */
  int         status;
  gint64      ran_us;
  gint64      first_epoch_us; /* from the start to the first epoch said written, or -1 */
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_pointer (&o->epochs, g_hash_table_unref);
  g_clear_pointer (&o->finished, g_hash_table_unref);
}

typedef struct
{
  GSubprocess *proc;
  GBytes      *out;
  GBytes      *err;
  gboolean     done;
  gboolean     killed;
} Child;

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Child *c = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &c->out, &c->err, &error);
  g_assert_no_error (error);
  c->done = TRUE;
}

static gboolean
on_kill (gpointer data)
{
  Child *c = data;

  c->killed = TRUE;
  g_subprocess_send_signal (c->proc, SIGKILL);
  return G_SOURCE_REMOVE;
}

/* "(recur sweep:123): recur-engine-DEBUG: 11:22:33.444: /p.recur/run-0002/history.log: epoch 7
 * written" */
static void
parse_epoch_line (const char *line,
                  GHashTable *epochs)
{
  const char *at = strstr (line, "/history.log: epoch ");
  const char *start;
  guint64 epoch;

  if (at == NULL || !g_str_has_suffix (line, " written"))
    return;
  start = g_strrstr_len (line, at - line, ": ");
  g_assert_nonnull (start);
  start += 2;
  epoch = g_ascii_strtoull (at + strlen ("/history.log: epoch "), NULL, 10);
  g_hash_table_insert (epochs, g_strndup (start, at + strlen ("/history.log") - start),
                       GUINT_TO_POINTER ((guint) epoch));
}

/* "[2/3] hidden=6: Finished, …" (recur sweep) or "finished: LSTM 2" (the window's child). */
static void
parse_finished_line (const char *line,
                     GHashTable *finished)
{
  const char *name, *end;

  if (g_str_has_prefix (line, "finished: "))
    {
      g_hash_table_add (finished, g_strdup (line + strlen ("finished: ")));
      return;
    }
  if (line[0] != '[' || (name = strstr (line, "] ")) == NULL
      || (end = strstr (name, ": Finished")) == NULL)
    return;
  g_hash_table_add (finished, g_strndup (name + 2, end - name - 2));
}

/* The milliseconds of the day in the child's timestamp of its first "epoch N written" line
 * ("… recur-engine-DEBUG: 11:22:33.444: …"), or -1. GLib stamps its messages with the local
 * time, which the parent reads too: the two processes share the clock. */
static gint64
first_epoch_ms_of_day (GBytes *bytes)
{
  gsize len;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;
  g_autofree char *text = data ? g_strndup (data, len) : g_strdup ("");
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      const char *stamp = strstr (lines[i], "-DEBUG: ");
      guint h, m, sec, ms;

      if (stamp && strstr (lines[i], "/history.log: epoch ")
          && sscanf (stamp + strlen ("-DEBUG: "), "%2u:%2u:%2u.%3u", &h, &m, &sec, &ms) == 4)
        return ((h * 60 + m) * 60 + sec) * (gint64) 1000 + ms;
    }
  return -1;
}

static gint64
ms_of_day_now (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return ((g_date_time_get_hour (now) * 60 + g_date_time_get_minute (now)) * 60
          + g_date_time_get_second (now)) * (gint64) 1000
         + g_date_time_get_microsecond (now) / 1000;
}

static void
parse_lines (GBytes      *bytes,
             void       (*parse) (const char *, GHashTable *),
             GHashTable  *into)
{
  gsize len;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;
  g_autofree char *text = data ? g_strndup (data, len) : g_strdup ("");
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    parse (lines[i], into);
}

static void
run_child (const KillLoop *loop,
           const char     *project,
           gint64          kill_after_us,
           Outcome        *outcome)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_auto(GStrv) argv = loop->argv_for (project, loop->user_data);
  g_autoptr(GError) error = NULL;
  Child c = { 0 };
  gint64 start, deadline, started_ms, first_ms;
  guint kill_id = 0;

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "recur-engine", TRUE);
  /* Under AddressSanitizer: no leak check in the child (a killed process is never checked; the
   * same code runs checked in the sweep and window tests) and the fast unwinder, which make a
   * GTK child three times faster; memory errors are still caught. */
  if (g_getenv ("ASAN_OPTIONS"))
    g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", "detect_leaks=0", TRUE);
  started_ms = ms_of_day_now ();
  start = g_get_monotonic_time ();
  c.proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_async (c.proc, NULL, NULL, on_communicated, &c);
  if (kill_after_us >= 0)
    kill_id = g_timeout_add (MAX (kill_after_us / 1000, 0), on_kill, &c);
  deadline = start + 300 * G_USEC_PER_SEC;
  while (!c.done)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("%s did not end within 300 s", loop->what);
      g_main_context_iteration (NULL, TRUE);
    }
  g_subprocess_wait (c.proc, NULL, &error);
  g_assert_no_error (error);
  outcome->ran_us = g_get_monotonic_time () - start;
  if (!c.killed && kill_id)
    g_source_remove (kill_id);
  outcome->exited = g_subprocess_get_if_exited (c.proc);
  outcome->status = outcome->exited ? g_subprocess_get_exit_status (c.proc) : -1;
  if (!outcome->exited)
    g_assert_cmpint (g_subprocess_get_term_sig (c.proc), ==, SIGKILL);
  outcome->epochs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  outcome->finished = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  parse_lines (c.out, parse_epoch_line, outcome->epochs);
  first_ms = first_epoch_ms_of_day (c.out);
  outcome->first_epoch_us = first_ms < 0 ? -1
                            : ((first_ms - started_ms + 86400000) % 86400000) * 1000;
  parse_lines (c.err, parse_finished_line, outcome->finished);
  if (outcome->exited && outcome->status != 0)
    {
      gsize len;
      const char *err = c.err ? g_bytes_get_data (c.err, &len) : "";
      g_error ("%s exited with status %d: %.*s", loop->what, outcome->status, (int) len, err);
    }
  g_clear_pointer (&c.out, g_bytes_unref);
  g_clear_pointer (&c.err, g_bytes_unref);
  g_clear_object (&c.proc);
}

/* ---- checking what it left ---------------------------------------------------------------- */

typedef enum
{
  PHASE_START_UP,   /* no run had trained an epoch */
  PHASE_TRAINING,   /* some had, not every run had ended */
  PHASE_ENDING,     /* every run had ended: killed while finishing, or not killed at all */
  N_PHASES
} Phase;

static const char *const phase_names[] = { "start-up", "training", "ending" };

typedef struct
{
  const KillLoop *loop;
  RecurSeries    *series;
  GHashTable     *references;  /* config as JSON text → Reference */
  guint           phases[N_PHASES];
  guint           temporaries; /* kills that cut an atomic write (its temporary file left) */
  guint           lost_epoch;  /* kills between writing an epoch and saying so */
  guint           weights_checked;
} State;

static const Reference *
reference_for (State                *state,
               const RecurJobConfig *config)
{
  g_autoptr(JsonNode) node = recur_job_config_to_json (config);
  g_autofree char *key = json_to_string (node, FALSE);
  Reference *ref = g_hash_table_lookup (state->references, key);

  if (ref == NULL)
    {
      ref = train_reference (config, state->series);
      g_hash_table_insert (state->references, g_steal_pointer (&key), ref);
    }
  return ref;
}

static gboolean
same_double (double a,
             double b)
{
  return (isnan (a) && isnan (b)) || memcmp (&a, &b, sizeof a) == 0;
}

/* The first n epochs of h are the reference's, bit for bit (the seconds are the clock's). */
static void
check_history (const RecurHistory *h,
               const Reference    *ref,
               const char         *where)
{
  if (h->n_epochs > ref->n_epochs)
    g_error ("%s: %u epochs, the uninterrupted run has %u", where, h->n_epochs, ref->n_epochs);
  for (guint e = 0; e < h->n_epochs; e++)
    {
      if (!same_double (h->train_loss[e], g_array_index (ref->train_loss, double, e))
          || !same_double (h->val_loss[e], g_array_index (ref->val_loss, double, e))
          || !same_double (h->lr[e], g_array_index (ref->lr, double, e))
          || !same_double (h->grad_norm[e], g_array_index (ref->grad_norm, double, e)))
        g_error ("%s: epoch %u differs from the uninterrupted run's: train loss %.17g (want "
                 "%.17g), val loss %.17g (want %.17g)", where, e + 1, h->train_loss[e],
                 g_array_index (ref->train_loss, double, e), h->val_loss[e],
                 g_array_index (ref->val_loss, double, e));
      if (!(h->seconds[e] >= 0) || (e > 0 && h->seconds[e] < h->seconds[e - 1]))
        g_error ("%s: epoch %u: seconds %g do not follow %g", where, e + 1, h->seconds[e],
                 e ? h->seconds[e - 1] : 0.0);
    }
}

/* The weights are the reference's at an epoch ≤ max_epoch where it improved; returns it. */
static guint
check_weights (RecurProject    *project,
               RecurProjectRun *run,
               const Reference *ref,
               guint            max_epoch,
               gboolean         final,
               const char      *where)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurModel) model = recur_project_run_load_weights (project, run, NULL, &error);
  const float *params;

  if (model == NULL)
    g_error ("%s: the best weights do not load: %s", where, error->message);
  g_assert_cmpuint (recur_model_get_n_params (model), ==, ref->n_params);
  params = recur_model_peek_params (model);
  if (final)
    {
      if (memcmp (params, ref->final_params, ref->n_params * sizeof (float)) != 0)
        g_error ("%s: the best weights are not the uninterrupted run's", where);
      return ref->best_epoch;
    }
  for (guint i = ref->improvements->len; i-- > 0;)
    {
      const Improvement *imp = &g_array_index (ref->improvements, Improvement, i);
      if (memcmp (params, imp->params, ref->n_params * sizeof (float)) == 0)
        {
          if (imp->epoch > max_epoch)
            g_error ("%s: the best weights are epoch %u's, but only %u epochs are kept", where,
                     imp->epoch, max_epoch);
          return imp->epoch;
        }
    }
  g_error ("%s: the best weights are none of the uninterrupted run's best epochs' weights",
           where);
  return 0;
}

/* A temporary file of an atomic write ("result.json.AB12cd"): the kill cut that write. */
static gboolean
has_temporary (const char *folder)
{
  static const char *const bases[] = { "project.json.", "config.json.", "history.json.",
                                       "result.json.", "best.safetensors." };
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
      if (g_str_has_prefix (name, bases[i]) && strlen (name) == strlen (bases[i]) + 6)
        return TRUE;
  return FALSE;
}

/* `recur project info --json` reads the same project the same way. */
static void
check_info (State        *state,
            RecurProject *project,
            const char   *path)
{
  const char *argv[] = { state->loop->recur, "project", "info", path, "--json", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *info;
  JsonArray *runs;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out,
                               &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("recur project info %s failed: %s", path, err);
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  info = json_node_get_object (json_parser_get_root (parser));
  runs = json_object_get_array_member (info, "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, recur_project_get_n_runs (project));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (info, "issues")), ==,
                    recur_project_get_issues (project)->len);
  for (guint i = 0; i < json_array_get_length (runs); i++)
    {
      JsonObject *row = json_array_get_object_element (runs, i);
      RecurProjectRun *run = recur_project_find_run (project,
                                                     json_object_get_string_member (row, "id"));
      g_assert_nonnull (run);
      g_assert_cmpstr (json_object_get_string_member (row, "status"), ==,
                       recur_run_status_to_id (recur_project_run_get_status (run)));
      g_assert_cmpint (json_object_get_int_member (row, "epochs_run"), ==,
                       recur_project_run_get_history (run)->n_epochs);
    }
}

static Phase
check_project (State         *state,
               const char    *path,
               const Outcome *outcome,
               const char    *moment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_open (path, RECUR_PROJECT_READ, &error);
  GPtrArray *issues;
  guint ended = 0, trained = 0;

  if (project == NULL)
    {
      /* killed before project.json was first written: nothing was said done */
      if (!g_error_matches (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_NOT_FOUND)
          || g_hash_table_size (outcome->epochs) > 0 || g_hash_table_size (outcome->finished) > 0)
        g_error ("%s: the project does not open: %s", moment, error->message);
      return PHASE_START_UP;
    }
  issues = recur_project_get_issues (project);
  for (guint i = 0; i < issues->len; i++)
    {
      const GError *issue = g_ptr_array_index (issues, i);
      if (!g_error_matches (issue, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT)
          || !strstr (issue->message, "was not listed in project.json: recovered"))
        g_error ("%s: opening reports “%s”", moment, issue->message);
    }
  if (has_temporary (path))
    state->temporaries++;
  for (guint i = 0; i < recur_project_get_n_runs (project); i++)
    {
      RecurProjectRun *run = recur_project_get_run (project, i);
      const RecurJobConfig *config = recur_project_run_get_config (run);
      const RecurHistory *h = recur_project_run_get_history (run);
      g_autofree char *log = g_build_filename (recur_project_run_get_dir (run), "history.log",
                                               NULL);
      g_autofree char *where = g_strdup_printf ("%s: %s (%s)", moment,
                                                recur_project_run_get_id (run),
                                                recur_project_run_get_name (run));
      guint said = GPOINTER_TO_UINT (g_hash_table_lookup (outcome->epochs, log));
      gboolean said_finished = g_hash_table_contains (outcome->finished,
                                                      recur_project_run_get_name (run));
      RecurRunStatus status = recur_project_run_get_status (run);
      const Reference *ref;

      if (has_temporary (recur_project_run_get_dir (run)))
        state->temporaries++;
      if (config == NULL)
        g_error ("%s: no configuration", where);
      if (recur_project_run_get_problems (run)->len > 0)
        g_error ("%s: %s", where,
                 ((GError *) g_ptr_array_index (recur_project_run_get_problems (run), 0))->message);
      ref = reference_for (state, config);
      check_history (h, ref, where);
      if (status == RECUR_RUN_FINISHED)
        {
          JsonObject *result = recur_project_run_get_result (run);
          double mase;

          ended++;
          trained++;
          if (h->n_epochs != ref->n_epochs
              || json_object_get_int_member (result, "epochs_run") != ref->n_epochs
              || json_object_get_int_member (result, "best_epoch") != ref->best_epoch)
            g_error ("%s: finished with %u epochs (result: %" G_GINT64_FORMAT ", best %"
                     G_GINT64_FORMAT "); the uninterrupted run has %u (best %u)", where,
                     h->n_epochs, json_object_get_int_member (result, "epochs_run"),
                     json_object_get_int_member (result, "best_epoch"), ref->n_epochs,
                     ref->best_epoch);
          g_assert_true (recur_json_get_number (json_object_get_object_member (result, "test"),
                                                "mase", &mase));
          if (!same_double (mase, ref->test_mase))
            g_error ("%s: test MASE %.17g, the uninterrupted run's %.17g", where, mase,
                     ref->test_mase);
          check_weights (project, run, ref, h->n_epochs, TRUE, where);
          state->weights_checked++;
          continue;
        }
      if (status != RECUR_RUN_INTERRUPTED)
        g_error ("%s: status %s", where, recur_run_status_to_id (status));
      if (said_finished)
        g_error ("%s: said finished, but has no result", where);
      /* at most the epoch in progress lost */
      if (h->n_epochs < said || h->n_epochs > said + 1)
        g_error ("%s: %u epochs kept, but the process had said epoch %u was written", where,
                 h->n_epochs, said);
      state->lost_epoch += h->n_epochs == said + 1;
      if (h->n_epochs > 0)
        trained++;
      if (recur_project_run_has_weights (run))
        {
          check_weights (project, run, ref, h->n_epochs, FALSE, where);
          state->weights_checked++;
        }
    }
  /* a run said finished is in the project */
  {
    GHashTableIter iter;
    gpointer name;

    g_hash_table_iter_init (&iter, outcome->finished);
    while (g_hash_table_iter_next (&iter, &name, NULL))
      {
        gboolean found = FALSE;
        for (guint i = 0; i < recur_project_get_n_runs (project); i++)
          found |= g_str_equal (recur_project_run_get_name (recur_project_get_run (project, i)),
                                name);
        if (!found)
          g_error ("%s: %s was said finished but is not in the project", moment,
                   (const char *) name);
      }
  }
  check_info (state, project, path);
  if (ended == state->loop->n_runs)
    return PHASE_ENDING;
  return trained > 0 ? PHASE_TRAINING : PHASE_START_UP;
}

static void
remove_tree (const char *dir)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", dir);

  g_assert_cmpint (system (command), ==, 0);
}

void
kill_loop_run (const KillLoop *loop)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("recur-kill-XXXXXX", &error);
  g_autoptr(GRand) rand = g_rand_new_with_seed (loop->seed);
  State state = { loop };
  Outcome outcome = { 0 };
  g_autofree char *baseline = NULL;
  gint64 full_us, start_up_us, started = g_get_monotonic_time ();
  Phase phase;

  g_assert_no_error (error);
  /* the reference runs train here as the child's do: one BLAS thread */
  recur_blas_configure (1);
  state.series = recur_series_load_csv (loop->csv, &error);
  g_assert_no_error (error);
  state.references = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) reference_free);

  /* once to the end: everything finished and intact, and how long it takes */
  baseline = g_build_filename (dir, "baseline.recur", NULL);
  run_child (loop, baseline, -1, &outcome);
  g_assert_true (outcome.exited);
  full_us = outcome.ran_us;
  /* start-up is what comes before the first epoch is written: measured, since it is a few
   * percent of the run in one build and a quarter in another */
  g_assert_cmpint (outcome.first_epoch_us, >, 0);
  start_up_us = MIN (outcome.first_epoch_us, full_us);
  phase = check_project (&state, baseline, &outcome, "uninterrupted");
  g_assert_cmpint (phase, ==, PHASE_ENDING);
  g_assert_cmpuint (g_hash_table_size (outcome.finished), ==, loop->n_runs);
  outcome_clear (&outcome);
  remove_tree (baseline);

  for (guint i = 0; i < loop->iterations; i++)
    {
      g_autofree char *project = g_strdup_printf ("%s/kill-%02u.recur", dir, i);
      g_autofree char *moment = NULL;
      double where = g_rand_double (rand);
      gint64 kill_us;

      /* a quarter early (start-up: the CSV, the project made, the first runs added, up to
       * the first epoch written), half over the whole run, a quarter late (the last runs
       * ending, the table, the exit, or past it: a loaded machine makes some runs slower than
       * the first) */
      if (where < 0.25)
        kill_us = (gint64) (where / 0.25 * start_up_us);
      else if (where < 0.75)
        kill_us = (gint64) ((where - 0.25) / 0.5 * full_us);
      else
        kill_us = (gint64) ((0.85 + (where - 0.75) / 0.25 * 0.65) * full_us);
      moment = g_strdup_printf ("%s killed at %.3f s (iteration %u, seed %u)", loop->what,
                                kill_us / 1e6, i, loop->seed);
      run_child (loop, project, kill_us, &outcome);
      phase = check_project (&state, project, &outcome, moment);
      state.phases[phase]++;
      g_test_message ("%s: %s%s", moment, phase_names[phase],
                      outcome.exited ? ", had ended by itself" : "");
      outcome_clear (&outcome);
      remove_tree (project);
    }
  g_test_message ("%s: %u kills passed in %.1f s (one uninterrupted run: %.2f s, its first "
                  "epoch written at %.3f s): %u in "
                  "start-up, %u while training, %u while ending; %u cut an atomic write, "
                  "%u came between writing an epoch and saying so; %u weights files checked",
                  loop->what, loop->iterations,
                  (g_get_monotonic_time () - started) / 1e6, full_us / 1e6, start_up_us / 1e6,
                  state.phases[PHASE_START_UP], state.phases[PHASE_TRAINING],
                  state.phases[PHASE_ENDING], state.temporaries, state.lost_epoch,
                  state.weights_checked);
  /* the draw must reach every part of the process's life */
  g_assert_cmpuint (state.phases[PHASE_START_UP], >, 0);
  g_assert_cmpuint (state.phases[PHASE_TRAINING], >, 0);
  g_assert_cmpuint (state.phases[PHASE_ENDING], >, 0);
  g_hash_table_unref (state.references);
  recur_series_unref (state.series);
  g_rmdir (dir);
}
