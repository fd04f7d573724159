/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Projects: runs saved as they train and read back bit for bit; a truncated project.json, a
 * corrupt result, a missing weights file and a moved CSV each give their error and recover what
 * is intact; history.log as a crash can leave it; the lock; paths that lead outside the folder. */
#include "config.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recur-comparison.h"
#include "recur-fileutil.h"
#include "recur-jsonutil.h"
#include "recur-project.h"
#include "recur-safetensors.h"

typedef struct
{
  char *dir;      /* a fresh folder per test */
  char *csv;      /* dir/data/sine.csv */
  char *path;     /* dir/sine.recur */
  GPtrArray *runs;
  RecurSeries *series;
} Fixture;

static void
write_csv (const char *path,
           double      phase)
{
  GString *csv = g_string_new ("t,y\n");
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 200; i++)
    g_string_append_printf (csv, "%d,%.6f\n", i, sin (i / 4.0 + phase) + 0.3 * sin (i / 1.7));
  g_file_set_contents (path, csv->str, csv->len, &error);
  g_assert_no_error (error);
  g_string_free (csv, TRUE);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *data_dir = NULL;
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("recur-project-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (f->dir, "data", NULL);
  g_mkdir (data_dir, 0777);
  f->csv = g_build_filename (data_dir, "sine.csv", NULL);
  f->path = g_build_filename (f->dir, "sine.recur", NULL);
  write_csv (f->csv, 0);
  f->series = recur_series_load_csv (f->csv, &error);
  g_assert_no_error (error);
  f->runs = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", f->dir);

  g_ptr_array_unref (f->runs);
  recur_series_unref (f->series);
  g_assert_cmpint (system (command), ==, 0);
  g_free (f->dir);
  g_free (f->csv);
  g_free (f->path);
}

typedef struct
{
  RecurProject    *project;
  RecurProjectRun *entry;
} Tracked;

static void
on_run_changed (RecurRun *run,
                gpointer  data)
{
  Tracked *t = data;
  g_autoptr(GError) error = NULL;

  recur_project_sync_run (t->project, t->entry, run, &error);
  g_assert_no_error (error);
}

/* Three runs on two workers, saved as they go: two that finish and one that diverges. */
static RecurProject *
train_into_project (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  RecurProject *project = recur_project_create (f->path, f->csv, "y", &error);
  GThreadPool *pool = recur_run_pool_new (2);
  Tracked tracked[3];
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  g_assert_no_error (error);
  for (guint i = 0; i < 3; i++)
    {
      RecurJobConfig config;
      RecurSweepValue swept = { recur_sweep_find_param ("hidden"), 8.0 + 4 * i, NULL };
      g_autofree char *name = g_strdup_printf ("hidden=%u", 8 + 4 * i);
      RecurRun *run;

      recur_job_config_init (&config);
      config.column = g_strdup ("y");
      config.model.hidden_size = 8 + 4 * i;
      config.model.window = 12;
      config.model.horizon = 4;
      config.train.epochs = 8;
      config.train.seed = 5;
      if (i == 2)
        {
          recur_optimizer_spec_init (&config.train.optimizer, RECUR_OPTIMIZER_SGD, 1e30);
          config.train.clip = 0;
        }
      swept.text = g_strdup_printf ("%u", 8 + 4 * i);
      run = recur_run_new (name, &config, f->series, &error);
      g_assert_no_error (error);
      recur_job_config_clear (&config);
      tracked[i].project = project;
      tracked[i].entry = recur_project_add_recur_run (project, run, &swept, 1, &error);
      g_assert_no_error (error);
      g_free (swept.text);
      g_signal_connect (run, "progress", G_CALLBACK (on_run_changed), &tracked[i]);
      g_signal_connect (run, "finished", G_CALLBACK (on_run_changed), &tracked[i]);
      g_ptr_array_add (f->runs, run);
      recur_run_start (run, pool);
    }
  for (guint i = 0; i < 3; i++)
    while (recur_run_is_active (g_ptr_array_index (f->runs, i)))
      {
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        g_main_context_iteration (NULL, TRUE);
      }
  for (guint i = 0; i < 3; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (f->runs, i), &tracked[i]);
  recur_run_pool_free (pool);
  return project;
}

static RecurProject *
reopen (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  RecurProject *project = recur_project_open (f->path, RECUR_PROJECT_READ, &error);

  g_assert_no_error (error);
  g_assert_nonnull (project);
  return project;
}

/* For writing: the writer's lock is let go first (one writer at a time, even in one process). */
static RecurProject *
reopen_for_writing (Fixture       *f,
                    RecurProject **writer)
{
  g_autoptr(GError) error = NULL;
  RecurProject *project;

  g_clear_pointer (writer, recur_project_free);
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (project);
  return project;
}

static char *
config_text (const RecurJobConfig *config)
{
  g_autoptr(JsonNode) node = recur_job_config_to_json (config);
  return recur_json_to_data (node, FALSE, NULL);
}

static void
assert_weights_equal (RecurProject    *project,
                      RecurProjectRun *entry,
                      RecurRun        *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurModel) loaded = recur_project_run_load_weights (project, entry, NULL, &error);
  RecurModel *trained = recur_job_get_model (recur_run_get_job (run));

  g_assert_no_error (error);
  g_assert_cmpmem (recur_model_peek_params (loaded), recur_model_get_n_params (loaded) * 4,
                   recur_model_peek_params (trained), recur_model_get_n_params (trained) * 4);
}

static double
result_number (JsonObject *result,
               const char *group,
               const char *key)
{
  double v;

  g_assert_true (recur_json_get_number (json_object_get_object_member (result, group), key, &v));
  return v;
}

static void
test_round_trip (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autoptr(RecurProject) project = reopen (f);
  const RecurProjectData *d = recur_project_get_data (project);

  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_false (recur_project_is_recovered (project));
  g_assert_cmpstr (d->relative, ==, "../data/sine.csv");
  g_assert_cmpstr (d->column, ==, "y");
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      RecurProjectRun *entry = recur_project_get_run (project, i);
      RecurRun *run = g_ptr_array_index (f->runs, i);
      const RecurHistory *h = recur_project_run_get_history (entry);
      g_autofree char *want = config_text (recur_job_get_config (recur_run_get_job (run)));
      g_autofree char *have = config_text (recur_project_run_get_config (entry));
      guint n_swept;
      const RecurSweepValue *swept = recur_project_run_get_swept (entry, &n_swept);

      g_assert_cmpstr (recur_project_run_get_name (entry), ==, recur_run_get_name (run));
      g_assert_cmpstr (have, ==, want);
      g_assert_cmpuint (n_swept, ==, 1);
      g_assert_cmpstr (swept[0].text, ==, recur_project_run_get_name (entry) + strlen ("hidden="));
      g_assert_cmpint (recur_project_run_get_status (entry), ==, recur_run_get_status (run));
      g_assert_cmpuint (h->n_epochs, ==, recur_run_get_n_epochs (run));
      g_assert_cmpmem (h->train_loss, h->n_epochs * 8, recur_run_get_train_loss (run), h->n_epochs * 8);
      g_assert_cmpmem (h->lr, h->n_epochs * 8, recur_run_get_lr (run), h->n_epochs * 8);
      g_assert_cmpmem (h->grad_norm, h->n_epochs * 8, recur_run_get_grad_norm (run), h->n_epochs * 8);
      g_assert_cmpmem (h->seconds, h->n_epochs * 8, recur_run_get_seconds (run), h->n_epochs * 8);
      for (guint e = 0; e < h->n_epochs; e++)
        g_assert_true (h->val_loss[e] == recur_run_get_val_loss (run)[e]);
      /* the run has ended: history.json holds it all, the epoch log is gone */
      {
        g_autofree char *log = g_build_filename (recur_project_run_get_dir (entry), "history.log",
                                                 NULL);
        g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
      }
    }

  /* the two that finished: metrics and weights exactly as trained */
  for (guint i = 0; i < 2; i++)
    {
      RecurProjectRun *entry = recur_project_get_run (project, i);
      RecurRun *run = g_ptr_array_index (f->runs, i);
      const RecurEvaluation *ev = recur_job_get_evaluation (recur_run_get_job (run));
      JsonObject *result = recur_project_run_get_result (entry);

      g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_FINISHED);
      g_assert_cmpfloat (result_number (result, "test", "mase"), ==, ev->model_metrics.mase);
      g_assert_cmpfloat (result_number (result, "test", "smape"), ==, ev->model_metrics.smape);
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (result, "forecast")), ==, 4);
      g_assert_cmpstr (json_array_get_string_element (
                         json_object_get_array_member (result, "forecast_timestamps"), 0), ==, "200");
      assert_weights_equal (project, entry, run);
    }
  /* the diverging one: failed, with its reason */
  g_assert_cmpint (recur_project_run_get_status (recur_project_get_run (project, 2)), ==,
                   RECUR_RUN_FAILED);
  g_assert_nonnull (strstr (recur_project_run_get_message (recur_project_get_run (project, 2)),
                            "diverged"));
}

/* ---- saved while several runs train ------------------------------------------------------- */

typedef struct
{
  RecurProject *project;
  Tracked *tracked;
  GPtrArray *runs;
  guint saves;
} Saver;

/* As often as the main loop allows, between the runs' own syncs: every run synced and
 * project.json written, while the workers train. */
static gboolean
save_all (gpointer data)
{
  Saver *saver = data;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < saver->runs->len; i++)
    on_run_changed (g_ptr_array_index (saver->runs, i), &saver->tracked[i]);
  recur_project_save (saver->project, &error);
  g_assert_no_error (error);
  saver->saves++;
  return G_SOURCE_CONTINUE;
}

/* Six runs on three workers (more than the cores), each synced on every progress and all of
 * them every 5 ms with project.json rewritten, two stopped while they train: read back, each run
 * is stored as it ended, history, status, metrics and best weights, bit for bit. In the
 * `threads` suite, so that ThreadSanitizer sees the project read what the workers wrote. */
static void
test_saved_while_runs_train (Fixture       *f,
                             gconstpointer  data)
{
  enum { N_RUNS = 6 };
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  g_autoptr(RecurProject) reopened = NULL;
  GThreadPool *pool = recur_run_pool_new (3);
  Tracked tracked[N_RUNS];
  Saver saver = { project, tracked, f->runs, 0 };
  gint64 deadline = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  guint timer;
  gboolean active = TRUE;

  g_assert_no_error (error);
  for (guint i = 0; i < N_RUNS; i++)
    {
      RecurJobConfig config;
      g_autofree char *name = g_strdup_printf ("run %u", i);
      RecurRun *run;

      recur_job_config_init (&config);
      config.column = g_strdup ("y");
      config.model.cell = i % 2 ? RECUR_CELL_GRU : RECUR_CELL_LSTM;
      config.model.hidden_size = 6 + i;
      config.model.window = 12;
      config.model.horizon = 4;
      config.train.epochs = i == 1 || i == 4 ? 100000 : 12; /* those two are stopped */
      config.train.patience = 0;
      config.train.seed = 20 + i;
      run = recur_run_new (name, &config, f->series, &error);
      g_assert_no_error (error);
      recur_job_config_clear (&config);
      tracked[i].project = project;
      tracked[i].entry = recur_project_add_recur_run (project, run, NULL, 0, &error);
      g_assert_no_error (error);
      g_signal_connect (run, "progress", G_CALLBACK (on_run_changed), &tracked[i]);
      g_signal_connect (run, "finished", G_CALLBACK (on_run_changed), &tracked[i]);
      g_ptr_array_add (f->runs, run);
    }
  for (guint i = 0; i < N_RUNS; i++)
    recur_run_start (g_ptr_array_index (f->runs, i), pool);
  timer = g_timeout_add (5, save_all, &saver);
  while (active)
    {
      RecurRun *a = g_ptr_array_index (f->runs, 1), *b = g_ptr_array_index (f->runs, 4);

      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
      if (recur_run_get_n_epochs (a) >= 3 && recur_run_is_active (a))
        recur_run_stop (a);
      if (recur_run_get_n_epochs (b) >= 5 && recur_run_is_active (b))
        recur_run_stop (b);
      active = FALSE;
      for (guint i = 0; i < N_RUNS; i++)
        active |= recur_run_is_active (g_ptr_array_index (f->runs, i));
    }
  g_source_remove (timer);
  g_assert_cmpuint (saver.saves, >, 0);
  for (guint i = 0; i < N_RUNS; i++)
    g_signal_handlers_disconnect_by_data (g_ptr_array_index (f->runs, i), &tracked[i]);
  recur_run_pool_free (pool);

  reopened = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (reopened)->len, ==, 0);
  g_assert_cmpuint (recur_project_get_n_runs (reopened), ==, N_RUNS);
  for (guint i = 0; i < N_RUNS; i++)
    {
      RecurProjectRun *entry = recur_project_get_run (reopened, i);
      RecurRun *run = g_ptr_array_index (f->runs, i);
      const RecurHistory *h = recur_project_run_get_history (entry);
      const RecurEvaluation *ev = recur_job_get_evaluation (recur_run_get_job (run));
      JsonObject *result = recur_project_run_get_result (entry);

      g_assert_cmpint (recur_run_get_status (run), ==,
                       i == 1 || i == 4 ? RECUR_RUN_STOPPED : RECUR_RUN_FINISHED);
      g_assert_cmpint (recur_project_run_get_status (entry), ==, recur_run_get_status (run));
      g_assert_cmpuint (h->n_epochs, ==, recur_run_get_n_epochs (run));
      g_assert_cmpuint (h->n_epochs, ==,
                        recur_job_get_summary (recur_run_get_job (run))->epochs_run);
      g_assert_cmpmem (h->train_loss, h->n_epochs * 8, recur_run_get_train_loss (run), h->n_epochs * 8);
      g_assert_cmpmem (h->val_loss, h->n_epochs * 8, recur_run_get_val_loss (run), h->n_epochs * 8);
      g_assert_cmpmem (h->lr, h->n_epochs * 8, recur_run_get_lr (run), h->n_epochs * 8);
      g_assert_cmpmem (h->seconds, h->n_epochs * 8, recur_run_get_seconds (run), h->n_epochs * 8);
      g_assert_cmpfloat (result_number (result, "test", "mase"), ==, ev->model_metrics.mase);
      g_assert_true (recur_project_run_has_weights (entry));
      assert_weights_equal (reopened, entry, run);
    }
}

static char *
run_path (Fixture    *f,
          const char *id,
          const char *file)
{
  return g_build_filename (f->path, id, file, NULL);
}

static const GError *
find_issue (RecurProject *project,
            int           code)
{
  GPtrArray *issues = recur_project_get_issues (project);

  for (guint i = 0; i < issues->len; i++)
    if (g_error_matches (g_ptr_array_index (issues, i), RECUR_PROJECT_ERROR, code))
      return g_ptr_array_index (issues, i);
  return NULL;
}

static void
truncate_file (const char *path)
{
  g_autofree char *text = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  g_assert_true (g_file_set_contents (path, text, len / 2, NULL));
}

static void
test_truncated_project_json (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *sha256 = g_strdup (recur_project_get_data (written)->sha256);
  g_autofree char *file = g_build_filename (f->path, "project.json", NULL);
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(RecurProject) saved = NULL;
  g_autoptr(GError) error = NULL;
  const GError *issue;

  truncate_file (file);
  project = reopen_for_writing (f, &written);
  issue = find_issue (project, RECUR_PROJECT_ERROR_CORRUPT);
  g_assert_nonnull (issue);
  g_assert_nonnull (strstr (issue->message, "project.json"));
  g_assert_nonnull (strstr (issue->message, "rebuilt from the run folders"));
  g_assert_true (recur_project_is_recovered (project));
  /* everything came back from the run folders: runs, names, data reference */
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
  g_assert_cmpstr (recur_project_run_get_name (recur_project_get_run (project, 1)), ==, "hidden=12");
  g_assert_cmpstr (recur_project_get_data (project)->sha256, ==, sha256);
  g_assert_true (recur_project_check_data (project, &error));
  assert_weights_equal (project, recur_project_get_run (project, 0), g_ptr_array_index (f->runs, 0));

  /* saving writes the rebuilt file; the next open is clean */
  g_assert_true (recur_project_save (project, &error));
  saved = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (saved)->len, ==, 0);
  g_assert_cmpuint (recur_project_get_n_runs (saved), ==, 3);
}

static void
test_corrupt_result (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *result = run_path (f, "run-0001", "result.json");
  g_autofree char *wrong_type = run_path (f, "run-0002", "result.json");
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(RecurComparison) table = recur_comparison_new ();
  RecurProjectRun *damaged;
  const GError *issue;

  truncate_file (result);
  g_assert_true (g_file_set_contents (wrong_type, "{\"status\": \"finished\", \"error\": null, "
                                      "\"test\": {\"mase\": \"low\"}}", -1, NULL));
  project = reopen (f);
  damaged = recur_project_get_run (project, 0);
  g_assert_cmpint (recur_project_run_get_status (damaged), ==, RECUR_RUN_DAMAGED);
  g_assert_nonnull (strstr (recur_project_run_get_message (damaged), "result.json"));
  issue = find_issue (project, RECUR_PROJECT_ERROR_CORRUPT);
  g_assert_nonnull (strstr (issue->message, "run-0001"));
  g_assert_cmpuint (recur_project_run_get_problems (damaged)->len, ==, 1);
  /* its config, history and weights are intact and kept */
  g_assert_nonnull (recur_project_run_get_config (damaged));
  g_assert_cmpuint (recur_project_run_get_history (damaged)->n_epochs, ==, 8);
  assert_weights_equal (project, damaged, g_ptr_array_index (f->runs, 0));
  /* a well-formed file with a wrongly typed metric is damaged too, not misread */
  g_assert_cmpint (recur_project_run_get_status (recur_project_get_run (project, 1)), ==,
                   RECUR_RUN_DAMAGED);
  g_assert_nonnull (strstr (recur_project_run_get_message (recur_project_get_run (project, 1)),
                            "“test”"));
  /* the comparison lists them, unscored, after the rest */
  for (guint i = 0; i < 3; i++)
    recur_comparison_add_project_run (table, recur_project_get_run (project, i));
  recur_comparison_sort (table);
  for (guint i = 0; i < 3; i++)
    {
      g_assert_false (recur_comparison_get_row (table, i)->best);
      g_assert_false (recur_comparison_get_row (table, i)->scored);
    }
}

static void
test_missing_weights (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *weights = run_path (f, "run-0002", "best.safetensors");
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(GError) error = NULL;
  RecurProjectRun *entry;
  const GError *issue;

  g_assert_cmpint (g_unlink (weights), ==, 0);
  project = reopen (f);
  issue = find_issue (project, RECUR_PROJECT_ERROR_MISSING_FILE);
  g_assert_nonnull (issue);
  g_assert_nonnull (strstr (issue->message, weights));
  entry = recur_project_get_run (project, 1);
  g_assert_false (recur_project_run_has_weights (entry));
  /* the result is intact: still finished, still scored */
  g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_FINISHED);
  g_assert_null (recur_project_run_load_weights (project, entry, NULL, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_MISSING_FILE);
}

static void
test_moved_csv (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *moved = g_build_filename (f->dir, "moved.csv", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.csv", NULL);
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(RecurProject) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_sha = g_strdup (recur_project_get_data (written)->sha256);
  const GError *issue;

  g_assert_cmpint (g_rename (f->csv, moved), ==, 0);
  project = reopen_for_writing (f, &written);
  issue = find_issue (project, RECUR_PROJECT_ERROR_DATA_MOVED);
  g_assert_nonnull (issue);
  g_assert_nonnull (strstr (issue->message, f->csv));  /* where it was expected */
  g_assert_nonnull (strstr (issue->message, old_sha));  /* what it must be */
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3); /* the runs are all there */
  g_assert_false (recur_project_check_data (project, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_MOVED);
  g_clear_error (&error);

  /* the wrong file is refused unless the user insists */
  write_csv (other, 1.0);
  g_assert_false (recur_project_set_data_path (project, other, FALSE, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_CHANGED);
  g_assert_nonnull (strstr (error->message, old_sha));
  g_clear_error (&error);

  /* the right one is taken, the issue goes, and the next open is clean */
  g_assert_true (recur_project_set_data_path (project, moved, FALSE, &error));
  g_assert_no_error (error);
  g_assert_null (find_issue (project, RECUR_PROJECT_ERROR_DATA_MOVED));
  g_assert_cmpstr (recur_project_get_data (project)->relative, ==, "../moved.csv");
  again = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (again)->len, ==, 0);

  /* a changed file in its place: DATA_CHANGED; accepted on insistence, the old hash kept */
  g_assert_cmpint (g_rename (other, moved), ==, 0);
  g_clear_pointer (&again, recur_project_free);
  again = reopen_for_writing (f, &project);
  g_assert_nonnull (find_issue (again, RECUR_PROJECT_ERROR_DATA_CHANGED));
  g_assert_true (recur_project_set_data_path (again, moved, TRUE, &error));
  g_assert_cmpstr (recur_project_get_data (again)->sha256, !=, old_sha);
  {
    g_autofree char *file = g_build_filename (f->path, "project.json", NULL);
    g_autofree char *text = NULL;
    g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
    g_assert_nonnull (strstr (text, "\"replaced\""));
    g_assert_nonnull (strstr (text, old_sha));
  }
}

/* Moving the project and its data together keeps the link (the relative path). */
static void
test_moved_together (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *new_dir = g_strconcat (f->dir, "-moved", NULL);
  g_autofree char *new_path = g_build_filename (new_dir, "sine.recur", NULL);
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_rename (f->dir, new_dir), ==, 0);
  project = recur_project_open (new_path, RECUR_PROJECT_READ, &error);
  g_assert_cmpint (g_rename (new_dir, f->dir), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_true (g_str_has_prefix (recur_project_get_data (project)->path, new_dir));
}

static void
test_rename_and_delete (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(RecurProject) project = train_into_project (f);
  g_autoptr(RecurProject) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_strdup (recur_project_run_get_dir (recur_project_get_run (project, 1)));

  g_assert_true (recur_project_rename_run (project, recur_project_get_run (project, 0), "baseline", &error));
  g_assert_false (recur_project_rename_run (project, recur_project_get_run (project, 0), "", &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (recur_project_delete_run (project, recur_project_get_run (project, 1), &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  again = reopen_for_writing (f, &project);
  g_assert_cmpuint (recur_project_get_issues (again)->len, ==, 0);
  g_assert_cmpuint (recur_project_get_n_runs (again), ==, 2);
  g_assert_cmpstr (recur_project_run_get_name (recur_project_get_run (again, 0)), ==, "baseline");
  g_assert_cmpstr (recur_project_run_get_id (recur_project_get_run (again, 1)), ==, "run-0003");
  /* ids are never reused */
  {
    RecurJobConfig config;
    RecurProjectRun *added;
    recur_job_config_init (&config);
    added = recur_project_add_run (again, "new", &config, NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (recur_project_run_get_id (added), ==, "run-0004");
    g_assert_cmpint (recur_project_run_get_status (added), ==, RECUR_RUN_QUEUED);
    recur_job_config_clear (&config);
  }
}

/* A run whose process died mid-training is INTERRUPTED; a folder missing from the list, or a
 * listed one gone, is reported and reconciled. */
static void
test_interrupted_unlisted_and_gone (Fixture       *f,
                                    gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *result = run_path (f, "run-0001", "result.json");
  g_autofree char *gone = g_build_filename (f->path, "run-0002", NULL);
  g_autofree char *command = g_strdup_printf ("rm -rf '%s' && cp -r '%s/run-0003' '%s/run-0009'",
                                              gone, f->path, f->path);
  g_autoptr(RecurProject) project = NULL;

  g_assert_cmpint (g_unlink (result), ==, 0);
  g_assert_cmpint (system (command), ==, 0);
  project = reopen (f);
  g_assert_cmpint (recur_project_run_get_status (recur_project_get_run (project, 0)), ==,
                   RECUR_RUN_INTERRUPTED);
  g_assert_nonnull (find_issue (project, RECUR_PROJECT_ERROR_MISSING_FILE));
  g_assert_nonnull (strstr (find_issue (project, RECUR_PROJECT_ERROR_MISSING_FILE)->message,
                            "run-0002"));
  g_assert_nonnull (strstr (find_issue (project, RECUR_PROJECT_ERROR_CORRUPT)->message,
                            "run-0009"));
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
  g_assert_cmpstr (recur_project_run_get_id (recur_project_get_run (project, 2)), ==, "run-0009");
  g_assert_true (recur_project_is_recovered (project));
}

static void
test_refusals (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *text = NULL;
  g_autoptr(RecurProject) project = NULL;

  g_assert_null (recur_project_open (f->path, RECUR_PROJECT_WRITE, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (recur_project_open (f->dir, RECUR_PROJECT_WRITE, &error)); /* a folder, but no project */
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (recur_project_create (f->dir, f->csv, NULL, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_EXISTS);
  g_clear_error (&error);

  project = recur_project_create (f->path, f->csv, "y", &error);
  g_assert_no_error (error);
  /* a project compares runs on one column */
  {
    RecurJobConfig config;
    g_autoptr(RecurRun) run = NULL;
    recur_job_config_init (&config);
    config.column = g_strdup ("t");
    run = recur_run_new ("other column", &config, f->series, &error);
    g_assert_no_error (error);
    recur_job_config_clear (&config);
    g_assert_null (recur_project_add_recur_run (project, run, NULL, 0, &error));
    g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_MISMATCH);
    g_assert_nonnull (strstr (error->message, "“y”, not “t”"));
    g_clear_error (&error);
    g_assert_cmpuint (recur_project_get_n_runs (project), ==, 0);
  }
  g_clear_pointer (&project, recur_project_free);
  file = g_build_filename (f->path, "project.json", NULL);
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  {
    char *at = strstr (text, "\"version\" : 1");
    g_assert_nonnull (at);
    at[strlen ("\"version\" : ")] = '9';
  }
  g_assert_true (g_file_set_contents (file, text, -1, NULL));
  g_assert_null (recur_project_open (f->path, RECUR_PROJECT_WRITE, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_VERSION);
  g_assert_nonnull (strstr (error->message, "newer"));
}

/* The comparison from a project gives the numbers the sweep's jobs gave, in the same order. */
static void
test_comparison_from_project (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autoptr(RecurProject) project = reopen (f);
  g_autoptr(RecurComparison) live = recur_comparison_new ();
  g_autoptr(RecurComparison) stored = recur_comparison_new ();
  g_autofree char *csv = NULL;

  for (guint i = 0; i < 3; i++)
    {
      RecurRun *run = g_ptr_array_index (f->runs, i);
      const RecurJob *job = recur_run_get_job (run);
      guint n;
      const RecurSweepValue *values = recur_project_run_get_swept (recur_project_get_run (project, i), &n);

      recur_comparison_add_job (live, recur_run_get_name (run), values, n,
                                recur_job_get_config (job), recur_run_get_status (run),
                                recur_run_get_error (run) ? recur_run_get_error (run)->message : NULL,
                                job);
      recur_comparison_add_project_run (stored, recur_project_get_run (project, i));
    }
  recur_comparison_sort (live);
  recur_comparison_sort (stored);
  /* rows copied into another table (what a sweep does as runs end) compare the same */
  {
    g_autoptr(RecurComparison) copied = recur_comparison_new ();
    for (guint i = 3; i-- > 0;)
      recur_comparison_add_row (copied, recur_comparison_get_row (live, i));
    recur_comparison_sort (copied);
    for (guint i = 0; i < 3; i++)
      {
        const RecurComparisonRow *a = recur_comparison_get_row (live, i);
        const RecurComparisonRow *b = recur_comparison_get_row (copied, i);
        g_assert_cmpstr (a->name, ==, b->name);
        g_assert_cmpuint (a->rank, ==, b->rank);
        g_assert_cmpint (a->best, ==, b->best);
        g_assert_cmpstr (a->message, ==, b->message);
        g_assert_cmpstr (recur_comparison_row_get_value (a, "hidden"), ==,
                         recur_comparison_row_get_value (b, "hidden"));
        g_assert_cmpmem (&a->test, sizeof a->test, &b->test, sizeof b->test);
        g_assert_true ((a->config == NULL) == (b->config == NULL));
      }
  }
  for (guint i = 0; i < 3; i++)
    {
      const RecurComparisonRow *a = recur_comparison_get_row (live, i);
      const RecurComparisonRow *b = recur_comparison_get_row (stored, i);

      g_assert_cmpstr (a->name, ==, b->name);
      g_assert_cmpint (a->status, ==, b->status);
      g_assert_cmpint (a->best, ==, b->best);
      g_assert_cmpuint (a->best_epoch, ==, b->best_epoch);
      g_assert_cmpmem (&a->test, sizeof a->test, &b->test, sizeof b->test);
      g_assert_cmpmem (&a->naive, sizeof a->naive, &b->naive, sizeof b->naive);
      g_assert_true (i > 0 || a->test.mase <= recur_comparison_get_row (live, 1)->test.mase);
    }
  g_assert_true (recur_comparison_get_row (live, 0)->best);
  g_assert_cmpint (recur_comparison_get_row (live, 2)->status, ==, RECUR_RUN_FAILED);
  csv = recur_comparison_to_csv (stored, NULL);
  g_assert_true (g_str_has_prefix (csv, "rank,best,name,id,hidden,status,epochs,best_epoch,"));
  g_assert_nonnull (strstr (csv, ",run-0003,16,failed,"));
}


/* ---- history.log, the lock, paths that lead outside ---------------------------------------- */

static gboolean
has_epochs (gpointer data)
{
  gpointer *pair = data;
  return recur_run_get_n_epochs (pair[0]) >= GPOINTER_TO_UINT (pair[1]);
}

static void
iterate_until (gboolean (*cond) (gpointer),
               gpointer   data)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (!cond (data))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static gboolean
run_ended (gpointer run)
{
  return !recur_run_is_active (run);
}

static RecurRun *
new_run (Fixture *f,
         guint    epochs)
{
  g_autoptr(GError) error = NULL;
  RecurJobConfig config;
  RecurRun *run;

  recur_job_config_init (&config);
  config.column = g_strdup ("y");
  config.model.hidden_size = 6;
  config.model.window = 12;
  config.model.horizon = 4;
  config.train.epochs = epochs;
  config.train.patience = 0;
  config.train.seed = 3;
  run = recur_run_new ("logged", &config, f->series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  g_ptr_array_add (f->runs, run);
  return run;
}

/* A run let go while it trains (its project freed: what a killed process leaves): the run
 * folder holds config.json, history.log and the best weights so far, no history.json. Returns
 * the run, stopped, with the epochs it trained. */
static RecurRun *
train_and_let_go (Fixture *f,
                  guint    min_epochs)
{
  g_autoptr(GError) error = NULL;
  RecurProject *project = recur_project_create (f->path, f->csv, "y", &error);
  GThreadPool *pool = recur_run_pool_new (1);
  RecurRun *run = new_run (f, 1000000);
  Tracked tracked;
  gpointer pair[2] = { run, GUINT_TO_POINTER (min_epochs) };

  g_assert_no_error (error);
  tracked.project = project;
  tracked.entry = recur_project_add_recur_run (project, run, NULL, 0, &error);
  g_assert_no_error (error);
  g_signal_connect (run, "progress", G_CALLBACK (on_run_changed), &tracked);
  recur_run_start (run, pool);
  iterate_until (has_epochs, pair);
  g_signal_handlers_disconnect_by_data (run, &tracked);
  recur_project_free (project);  /* detaches the run: it trains on, unlogged */
  recur_run_stop (run);
  iterate_until (run_ended, run);
  recur_run_pool_free (pool);
  return run;
}

static void
assert_history_prefix (const RecurHistory *h,
                       RecurRun           *run,
                       guint               n)
{
  g_assert_cmpuint (h->n_epochs, ==, n);
  g_assert_cmpuint (n, <=, recur_run_get_n_epochs (run));
  g_assert_cmpmem (h->train_loss, n * 8, recur_run_get_train_loss (run), n * 8);
  g_assert_cmpmem (h->val_loss, n * 8, recur_run_get_val_loss (run), n * 8);
  g_assert_cmpmem (h->lr, n * 8, recur_run_get_lr (run), n * 8);
  g_assert_cmpmem (h->grad_norm, n * 8, recur_run_get_grad_norm (run), n * 8);
  g_assert_cmpmem (h->seconds, n * 8, recur_run_get_seconds (run), n * 8);
}

static RecurProject *
reopen_with (Fixture    *f,
             const char *log,
             const char *text,
             gsize       length)
{
  /* a new file, without a sync (1,700 syncs would take the test's time; and ext4 flushes a
   * file truncated to zero on close) */
  FILE *file = (g_unlink (log), fopen (log, "wb"));

  g_assert_nonnull (file);
  g_assert_cmpuint (fwrite (text, 1, length, file), ==, length);
  g_assert_cmpint (fclose (file), ==, 0);
  return reopen (f);
}

/* What a crash can do to history.log, as SQLite's crash tests simulate it (a write cut at any
 * byte, unsynced bytes lost or turned to garbage): cut anywhere, the complete lines are read back
 * bit for bit and the cut one is dropped without an issue (it is the epoch in progress); a
 * complete line that is garbage is an issue, and the epochs before it are kept. */
static void
test_log_cut_anywhere (Fixture       *f,
                       gconstpointer  data)
{
  RecurRun *run = train_and_let_go (f, 12);
  g_autofree char *log = run_path (f, "run-0001", "history.log");
  g_autofree char *history_json = run_path (f, "run-0001", "history.json");
  g_autofree char *text = NULL;
  g_autoptr(GString) damaged = NULL;
  gsize len;
  guint lines = 0;

  g_assert_false (g_file_test (history_json, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (log, &text, &len, NULL));
  for (gsize i = 0; i < len; i++)
    lines += text[i] == '\n';
  g_assert_cmpuint (lines, >=, 12);
  g_assert_cmpint (text[len - 1], ==, '\n');
  {
    g_autoptr(RecurProject) whole = reopen (f);
    RecurProjectRun *entry = recur_project_get_run (whole, 0);
    g_autoptr(GError) error = NULL;
    g_autoptr(RecurModel) weights = recur_project_run_load_weights (whole, entry, NULL, &error);

    g_assert_no_error (error); /* the best weights so far, from an epoch it had logged */
    g_assert_cmpuint (recur_project_get_issues (whole)->len, ==, 0);
    g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_INTERRUPTED);
    assert_history_prefix (recur_project_run_get_history (entry), run, lines);
  }
  /* three lines are enough to cut anywhere: in the first, in one after it, at a line's end */
  lines = 3;
  len = 0;
  for (guint seen = 0; seen < lines; len++)
    seen += text[len] == '\n';

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr(RecurProject) project = reopen_with (f, log, text, cut);
      guint complete = 0;

      for (gsize i = 0; i < cut; i++)
        complete += text[i] == '\n';
      g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
      assert_history_prefix (recur_project_run_get_history (recur_project_get_run (project, 0)),
                             run, complete);
    }

  /* unsynced bytes that came back as zeros or garbage: a cut line, dropped */
  damaged = g_string_new_len (text, (gssize) len);
  g_string_append_len (damaged, "\0\0\0\0\0\0\0\0", 8);
  {
    g_autoptr(RecurProject) project = reopen_with (f, log, damaged->str, damaged->len);
    g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
    assert_history_prefix (recur_project_run_get_history (recur_project_get_run (project, 0)),
                           run, lines);
  }
  /* a complete line of garbage: reported, the epochs before it kept */
  g_string_append (damaged, "\n{\"epoch\":1000}\n");
  {
    g_autoptr(RecurProject) project = reopen_with (f, log, damaged->str, damaged->len);
    const GError *issue = find_issue (project, RECUR_PROJECT_ERROR_CORRUPT);
    g_autofree char *where = g_strdup_printf ("history.log:%u:", lines + 1);
    g_assert_nonnull (issue);
    g_assert_nonnull (strstr (issue->message, where));
    assert_history_prefix (recur_project_run_get_history (recur_project_get_run (project, 0)),
                           run, lines);
  }
  /* a line in the middle garbled (a decimal point turned into a letter) */
  g_string_assign (damaged, text);
  {
    char *third = damaged->str;
    for (guint i = 0; i < 2; i++)
      third = strchr (third, '\n') + 1;
    /* not 'x': json-glib reads "0x57…" as a hexadecimal number */
    *strchr (third, '.') = 'q';
  }
  {
    g_autoptr(RecurProject) project = reopen_with (f, log, damaged->str, damaged->len);
    const GError *issue = find_issue (project, RECUR_PROJECT_ERROR_CORRUPT);
    g_assert_nonnull (issue);
    g_assert_nonnull (strstr (issue->message, "history.log:3:"));
    assert_history_prefix (recur_project_run_get_history (recur_project_get_run (project, 0)),
                           run, 2);
  }
  /* an epoch out of sequence: the second line dropped */
  g_string_assign (damaged, text);
  {
    char *second = strchr (damaged->str, '\n') + 1;
    char *end = strchr (second, '\n') + 1;
    g_string_erase (damaged, second - damaged->str, end - second);
  }
  {
    g_autoptr(RecurProject) project = reopen_with (f, log, damaged->str, damaged->len);
    const GError *issue = find_issue (project, RECUR_PROJECT_ERROR_CORRUPT);
    g_assert_nonnull (issue);
    g_assert_nonnull (strstr (issue->message, "epoch 3 follows epoch 1"));
    assert_history_prefix (recur_project_run_get_history (recur_project_get_run (project, 0)),
                           run, 1);
  }
}

static gboolean
has_result (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

/* On the run's worker: stops it once it has trained pair[1] epochs. */
static void
stop_at_epoch (const RecurEpoch *e,
               gpointer          data)
{
  gpointer *pair = data;

  if (e->epoch >= GPOINTER_TO_UINT (pair[1]))
    recur_run_stop (pair[0]);
}

/* A run stopped, then resumed: its result goes while it trains again, and the end writes the
 * whole history (what history.json had, then the log's) and the new result. */
static void
test_resumed_run (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  GThreadPool *pool = recur_run_pool_new (1);
  RecurRun *run = new_run (f, 60);
  g_autofree char *result = run_path (f, "run-0001", "result.json");
  g_autofree char *log = run_path (f, "run-0001", "history.log");
  gpointer pair[2] = { run, GUINT_TO_POINTER (5) };
  Tracked tracked = { project, NULL };

  g_assert_no_error (error);
  tracked.entry = recur_project_add_recur_run (project, run, NULL, 0, &error);
  g_assert_no_error (error);
  /* stopped by its worker at the fifth epoch: 60 take less than a drain of the main loop */
  recur_run_set_epoch_func (run, 1, stop_at_epoch, pair, NULL);
  recur_run_start (run, pool);
  iterate_until (run_ended, run);
  recur_run_set_epoch_func (run, 0, NULL, NULL, NULL);
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_STOPPED);
  g_assert_cmpuint (recur_run_get_n_epochs (run), <, 60);
  on_run_changed (run, &tracked);
  g_assert_true (g_file_test (result, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));

  g_signal_connect (run, "progress", G_CALLBACK (on_run_changed), &tracked);
  g_signal_connect (run, "finished", G_CALLBACK (on_run_changed), &tracked);
  g_assert_true (recur_run_resume (run, pool));
  g_assert_false (g_file_test (result, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (log, G_FILE_TEST_EXISTS));
  iterate_until (run_ended, run);
  iterate_until (has_result, result);
  g_signal_handlers_disconnect_by_data (run, &tracked);
  recur_run_pool_free (pool);
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
  g_assert_cmpuint (recur_run_get_n_epochs (run), ==, 60);
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
  g_clear_pointer (&project, recur_project_free);
  {
    g_autoptr(RecurProject) again = reopen (f);
    RecurProjectRun *entry = recur_project_get_run (again, 0);
    g_assert_cmpuint (recur_project_get_issues (again)->len, ==, 0);
    g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_FINISHED);
    assert_history_prefix (recur_project_run_get_history (entry), run, 60);
    assert_weights_equal (again, entry, run);
  }
}

/* One writer at a time, even within a process; readers always; the lock goes with its holder. */
static void
test_lock (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) writer = recur_project_create (f->path, f->csv, "y", &error);
  g_autoptr(RecurProject) reader = NULL;
  g_autoptr(RecurProject) second = NULL;
  g_autofree char *pid = g_strdup_printf ("(process %d)", (int) getpid ());
  g_autofree char *lock = g_build_filename (f->path, "lock", NULL);
  g_autofree char *outside = g_build_filename (f->dir, "outside.txt", NULL);
  g_autofree char *text = NULL;

  g_assert_no_error (error);
  g_assert_null (recur_project_open (f->path, RECUR_PROJECT_WRITE, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_LOCKED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, f->path));
  g_assert_nonnull (strstr (error->message, pid));
  g_assert_nonnull (strstr (error->message, g_get_prgname ()));
  g_clear_error (&error);
  /* creating over it is refused by the lock too, not only because it is not empty */
  g_assert_null (recur_project_create (f->path, f->csv, "y", &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_LOCKED);
  g_clear_error (&error);
  reader = recur_project_open (f->path, RECUR_PROJECT_READ, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recur_project_get_issues (reader)->len, ==, 0);

  g_clear_pointer (&writer, recur_project_free);
  second = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_clear_pointer (&second, recur_project_free);

  /* a lock file that is a symbolic link is not followed, nor written through */
  g_assert_true (g_file_set_contents (outside, "keep me", -1, NULL));
  g_assert_cmpint (g_unlink (lock), ==, 0);
  g_assert_cmpint (symlink (outside, lock), ==, 0);
  g_assert_null (recur_project_open (f->path, RECUR_PROJECT_WRITE, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_UNSAFE_PATH);
  g_assert_nonnull (strstr (error->message, lock));
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (outside, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "keep me");
}

/* The contents of every file below dir, for "nothing there changed". */
static char *
tree_digest (const char *dir)
{
  g_autofree char *command = g_strdup_printf ("sh -c 'cd \"%s\" && find . -type f | sort | "
                                              "xargs sha256sum'", dir);
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int status;

  g_assert_true (g_spawn_command_line_sync (command, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return out;
}

static void
write_text (const char *path,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

static void
make_link (const char *target,
           const char *path)
{
  g_unlink (path);
  g_assert_cmpint (symlink (target, path), ==, 0);
}

static gboolean
has_issue_naming (RecurProject *project,
                  int           code,
                  const char   *text)
{
  GPtrArray *issues = recur_project_get_issues (project);

  for (guint i = 0; i < issues->len; i++)
    {
      const GError *e = g_ptr_array_index (issues, i);
      if (e->domain == RECUR_PROJECT_ERROR && e->code == code && strstr (e->message, text))
        return TRUE;
    }
  return FALSE;
}

/* A project whose files point outside its folder: run ids that are paths, run folders and files
 * that are symbolic links. Each is refused with an issue naming it; nothing outside is read (the
 * decoy run outside never shows) or written (the outside tree is unchanged after writing). */
static void
test_paths_outside (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *outside = g_build_filename (f->dir, "outside", NULL);
  g_autofree char *decoy = g_build_filename (outside, "run-0007", NULL);
  g_autofree char *project_file = g_build_filename (f->path, "project.json", NULL);
  g_autofree char *command = g_strdup_printf ("mkdir -p '%s' && cp -r '%s/run-0001' '%s' && "
                                              "sed -i 's/\"name\" : \"hidden=8\"/\"name\" : "
                                              "\"decoy\"/' '%s/config.json'",
                                              outside, f->path, decoy, decoy);
  g_autofree char *text = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) listed = NULL;
  RecurProjectRun *entry;
  const char *const hostile_ids[] = { "../outside/run-0007", "/tmp/run-0007",
                                      "run-0001/../../outside/run-0007", "run-0007/", "run-+7" };
  struct { const char *run, *file; } linked_files[] = {
    { "run-0001", "config.json" }, { "run-0002", "result.json" },
    { "run-0002", "best.safetensors" }, { "run-0003", "history.json" },
    { "run-0003", "history.log" },
  };

  g_clear_pointer (&written, recur_project_free);
  g_assert_cmpint (system (command), ==, 0);
  /* project.json lists ids that are paths, and a run whose folder is a link */
  g_assert_true (g_file_get_contents (project_file, &text, NULL, NULL));
  listed = g_string_new (text);
  for (guint i = 0; i < G_N_ELEMENTS (hostile_ids); i++)
    {
      g_autofree char *entry_text = g_strdup_printf ("{\"id\": \"%s\", \"name\": \"hostile\"}, ",
                                                     hostile_ids[i]);
      g_string_replace (listed, "\"runs\" : [", "\"runs\" : [ ", 1);
      g_string_insert (listed, strstr (listed->str, "\"runs\" : [ ") - listed->str
                                 + strlen ("\"runs\" : [ "), entry_text);
    }
  g_string_replace (listed, "\"runs\" : [ ", "\"runs\" : [ {\"id\": \"run-0008\", \"name\": "
                                             "\"linked\"}, ", 1);
  write_text (project_file, listed->str);
  {
    g_autofree char *link7 = g_build_filename (f->path, "run-0007", NULL);
    g_autofree char *link8 = g_build_filename (f->path, "run-0008", NULL);
    make_link (decoy, link7);   /* unlisted */
    make_link (decoy, link8);   /* listed */
  }
  for (guint i = 0; i < G_N_ELEMENTS (linked_files); i++)
    {
      g_autofree char *path = run_path (f, linked_files[i].run, linked_files[i].file);
      g_autofree char *target = g_build_filename (decoy, linked_files[i].file, NULL);
      if (!g_file_test (target, G_FILE_TEST_EXISTS))
        write_text (target, "{\"epochs\": 0}\n");
      make_link (target, path);
    }
  before = tree_digest (outside);

  project = recur_project_open (f->path, RECUR_PROJECT_READ, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < recur_project_get_issues (project)->len; i++)
    {
      const GError *issue = g_ptr_array_index (recur_project_get_issues (project), i);
      g_test_message ("issue: %s", issue->message);
    }
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr (recur_project_run_get_name (recur_project_get_run (project, i)), !=, "decoy");
  for (guint i = 0; i < G_N_ELEMENTS (hostile_ids); i++)
    {
      g_autofree char *quoted = g_strdup_printf ("“id”: “%s”", hostile_ids[i]);
      g_assert_true (has_issue_naming (project, RECUR_PROJECT_ERROR_UNSAFE_PATH, quoted));
    }
  g_assert_true (has_issue_naming (project, RECUR_PROJECT_ERROR_UNSAFE_PATH,
                                   "run-0007 is a symbolic link"));
  g_assert_true (has_issue_naming (project, RECUR_PROJECT_ERROR_UNSAFE_PATH,
                                   "run-0008 is a symbolic link"));
  for (guint i = 0; i < G_N_ELEMENTS (linked_files); i++)
    {
      g_autofree char *path = run_path (f, linked_files[i].run, linked_files[i].file);
      g_autofree char *what = g_strdup_printf ("%s is a symbolic link", path);
      g_assert_true (has_issue_naming (project, RECUR_PROJECT_ERROR_UNSAFE_PATH, what));
    }
  /* what each link stood for is treated as missing or damaged, never read */
  entry = recur_project_get_run (project, 0);
  g_assert_null (recur_project_run_get_config (entry));
  entry = recur_project_get_run (project, 1);
  g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_DAMAGED);
  g_assert_false (recur_project_run_has_weights (entry));
  g_assert_null (recur_project_run_load_weights (project, entry, NULL, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_UNSAFE_PATH);
  g_clear_error (&error);
  entry = recur_project_get_run (project, 2);
  g_assert_cmpuint (recur_project_run_get_history (entry)->n_epochs, ==, 0);
  g_assert_true (recur_project_is_recovered (project));
  g_clear_pointer (&project, recur_project_free);

  /* writing: links are replaced, never written through; new runs never take a linked id */
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  entry = recur_project_get_run (project, 1);
  g_assert_true (recur_project_write_result (project, entry, RECUR_RUN_FAILED, "rewritten", NULL,
                                             &error));
  g_assert_no_error (error);
  g_assert_true (recur_project_save (project, &error));
  {
    RecurJobConfig config;
    recur_job_config_init (&config);
    entry = recur_project_add_run (project, "new", &config, NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (recur_project_run_get_id (entry), ==, "run-0009");
    recur_job_config_clear (&config);
  }
  {
    g_autofree char *result = run_path (f, "run-0002", "result.json");
    g_assert_cmpint (recur_file_kind (result), ==, RECUR_FILE_KIND_REGULAR);
  }
  g_clear_pointer (&project, recur_project_free);
  after = tree_digest (outside);
  g_assert_cmpstr (before, ==, after);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (project_file, &text, NULL, NULL));
  g_assert_null (strstr (text, "outside"));
  g_assert_null (strstr (text, "run-0008"));
}

/* The data reference may lead outside by design, but only to a regular file, only read: a FIFO
 * or a folder there is "not found" (opening does not block on it), and a relative path that is
 * absolute is refused by name. */
static void
test_data_reference (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *project_file = g_build_filename (f->path, "project.json", NULL);
  g_autofree char *fifo = g_build_filename (f->dir, "fifo.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GString) edited = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = NULL;

  g_clear_pointer (&written, recur_project_free);
  g_assert_true (g_file_get_contents (project_file, &text, NULL, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  edited = g_string_new (text);
  g_string_replace (edited, "\"../data/sine.csv\"", "\"../fifo.csv\"", 1);
  g_string_replace (edited, f->csv, f->dir, 1);   /* absolute_path: a folder */
  write_text (project_file, edited->str);
  project = reopen (f);
  g_assert_nonnull (find_issue (project, RECUR_PROJECT_ERROR_DATA_MOVED));
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
  g_clear_pointer (&project, recur_project_free);

  g_string_assign (edited, text);
  g_string_replace (edited, "\"../data/sine.csv\"", "\"/etc/passwd\"", 1);
  write_text (project_file, edited->str);
  project = reopen (f);
  g_assert_true (has_issue_naming (project, RECUR_PROJECT_ERROR_CORRUPT,
                                   "“relative_path” is an absolute path"));
}

/* project.json that is a symbolic link: not followed (the project is rebuilt from its run
 * folders), and the next save replaces the link with a file, leaving its target alone. */
static void
test_project_json_link (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *project_file = g_build_filename (f->path, "project.json", NULL);
  g_autofree char *outside = g_build_filename (f->dir, "elsewhere.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *after = NULL;
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&written, recur_project_free);
  g_assert_true (g_file_get_contents (project_file, &text, NULL, NULL));
  write_text (outside, text);
  make_link (outside, project_file);
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (has_issue_naming (project, RECUR_PROJECT_ERROR_UNSAFE_PATH,
                                   "project.json is a symbolic link"));
  g_assert_true (has_issue_naming (project, RECUR_PROJECT_ERROR_UNSAFE_PATH,
                                   "rebuilt from the run folders"));
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
  g_assert_nonnull (recur_project_get_data (project));
  g_assert_true (recur_project_save (project, &error));
  g_assert_cmpint (recur_file_kind (project_file), ==, RECUR_FILE_KIND_REGULAR);
  g_assert_true (g_file_get_contents (outside, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, text);
}

/* A run restored from a project as interrupted (what the app shows) has nothing to add to it:
 * syncing it, as the app does on each "progress" (a rename, another heatmap window), writes no
 * result that would make it "damaged" on the next open. */
static void
test_restored_run_left_alone (Fixture       *f,
                              gconstpointer  data)
{
  RecurRun *trained = train_and_let_go (f, 3);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  RecurProjectRun *entry = recur_project_get_run (project, 0);
  const RecurHistory *h = recur_project_run_get_history (entry);
  g_autofree char *result = run_path (f, "run-0001", "result.json");
  g_autoptr(RecurRun) restored = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_INTERRUPTED);
  restored = recur_run_new_restored ("restored", recur_project_run_get_config (entry), f->series,
                                     NULL, 0, h->n_epochs, h->train_loss, h->val_loss, h->lr,
                                     RECUR_RUN_INTERRUPTED, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (recur_project_sync_run (project, entry, restored, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (result, G_FILE_TEST_EXISTS));
  g_clear_pointer (&project, recur_project_free);
  project = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_cmpint (recur_project_run_get_status (recur_project_get_run (project, 0)), ==,
                   RECUR_RUN_INTERRUPTED);
  g_assert_cmpuint (recur_project_run_get_history (recur_project_get_run (project, 0))->n_epochs,
                    <=, recur_run_get_n_epochs (trained));
}

/* An ensemble's run saved as it trains: history.json keeps every member's curve beside member
 * 0's, reopened they are the run's, and a run restored from them draws them again; a damaged
 * "members" is the history's damage, named. */
static void
test_ensemble_member_curves (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  GThreadPool *pool = recur_run_pool_new (1);
  g_autoptr(RecurRun) run = NULL;
  g_autoptr(RecurRun) restored = NULL;
  g_autofree char *history = run_path (f, "run-0001", "history.json");
  RecurJobConfig config;
  Tracked tracked;
  RecurProjectRun *entry;
  const RecurHistory *h;

  g_assert_no_error (error);
  recur_job_config_init (&config);
  config.column = g_strdup ("y");
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_GRU);
  config.model.hidden_size = 4;
  config.model.window = 12;
  config.model.horizon = 4;
  config.train.epochs = 6;
  config.train.patience = 0;
  config.ensemble = 3;
  run = recur_run_new ("ensemble", &config, f->series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  tracked.project = project;
  tracked.entry = recur_project_add_recur_run (project, run, NULL, 0, &error);
  g_assert_no_error (error);
  g_signal_connect (run, "progress", G_CALLBACK (on_run_changed), &tracked);
  g_signal_connect (run, "finished", G_CALLBACK (on_run_changed), &tracked);
  recur_run_start (run, pool);
  while (recur_run_is_active (run))
    g_main_context_iteration (NULL, TRUE);
  g_signal_handlers_disconnect_by_data (run, &tracked);
  recur_run_pool_free (pool);
  g_clear_pointer (&project, recur_project_free);

  project = reopen (f);
  entry = recur_project_get_run (project, 0);
  h = recur_project_run_get_history (entry);
  g_assert_cmpuint (h->n_epochs, ==, 6);
  restored = recur_run_new_restored ("restored", recur_project_run_get_config (entry), f->series,
                                     NULL, 0, h->n_epochs, h->train_loss, h->val_loss, h->lr,
                                     RECUR_RUN_FINISHED, NULL, &error);
  g_assert_no_error (error);
  for (guint k = 0; k < 3; k++)
    {
      const double *train, *val, *saved_train, *saved_val;
      guint n = recur_run_get_member_losses (run, k, &train, &val);
      guint saved = recur_project_run_get_member_losses (entry, k, &saved_train, &saved_val);

      /* member 0's are the history's own */
      g_assert_cmpuint (n, ==, k == 0 ? 0 : 6);
      g_assert_cmpuint (saved, ==, n);
      for (guint e = 0; e < n; e++)
        {
          g_assert_cmpfloat (saved_train[e], ==, train[e]);
          g_assert_cmpfloat (saved_val[e], ==, val[e]);
        }
      if (k > 0)
        recur_run_restore_member_losses (restored, k, saved, saved_train, saved_val);
      n = recur_run_get_member_losses (restored, k, &saved_train, &saved_val);
      g_assert_cmpuint (n, ==, saved);
      if (n > 0)
        g_assert_cmpmem (saved_train, n * sizeof (double), train, n * sizeof (double));
    }
  g_clear_pointer (&project, recur_project_free);

  /* a member of the wrong shape: the history is damaged, and says where */
  {
    g_autofree char *text = NULL;
    GString *damaged;

    g_assert_true (g_file_get_contents (history, &text, NULL, NULL));
    damaged = g_string_new (text);

    g_assert_cmpuint (g_string_replace (damaged, "\"members\":[{", "\"members\":[7,{", 1), ==, 1);
    g_assert_true (g_file_set_contents (history, damaged->str, damaged->len, NULL));
    g_string_free (damaged, TRUE);
  }
  project = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 1);
  g_assert_nonnull (strstr (((GError *) g_ptr_array_index (recur_project_get_issues (project),
                                                           0))->message, "history.json"));
  g_assert_cmpuint (recur_project_run_get_member_losses (recur_project_get_run (project, 0), 1,
                                                         &(const double *) { NULL },
                                                         &(const double *) { NULL }), ==, 0);
}

/* ---- each damaged member of each file, one at a time ------------------------------------- */

static char *
read_text (const char *path)
{
  char *text = NULL;

  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  return text;
}

/* Sets the member at `where` of the JSON file at path ("data.sha256", "runs.0.id": objects'
 * members and arrays' indices, dot-separated; "" for the whole file) to `value`, JSON text, or
 * removes it when value is NULL. */
static void
edit_json (const char *path,
           const char *where,
           const char *value)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) steps = g_strsplit (where, ".", -1);
  g_autofree char *text = NULL;
  JsonNode *node;
  guint n = g_strv_length (steps);

  if (*where == '\0')
    {
      write_text (path, value);
      return;
    }
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  node = json_parser_get_root (parser);
  for (guint i = 0; i + 1 < n; i++)
    node = JSON_NODE_HOLDS_ARRAY (node)
             ? json_array_get_element (json_node_get_array (node), atoi (steps[i]))
             : json_object_get_member (json_node_get_object (node), steps[i]);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  if (value == NULL)
    json_object_remove_member (json_node_get_object (node), steps[n - 1]);
  else
    {
      JsonNode *replacement = json_from_string (value, &error);
      g_assert_no_error (error);
      json_object_set_member (json_node_get_object (node), steps[n - 1], replacement);
    }
  /* not json_to_string, which writes 1e-08 as "1e-08.0" */
  text = recur_json_to_data (json_parser_get_root (parser), TRUE, NULL);
  write_text (path, text);
}

typedef struct
{
  const char *where;   /* as edit_json takes it */
  const char *value;   /* JSON text; NULL: the member removed */
  const char *what;    /* what the issue says after "FILE: " */
} Damage;

/* The issue of `code` whose message names file and says what, or fails. */
static const GError *
assert_issue (RecurProject *project,
              int           code,
              const char   *file,
              const char   *what)
{
  GPtrArray *issues = recur_project_get_issues (project);

  for (guint i = 0; i < issues->len; i++)
    {
      const GError *e = g_ptr_array_index (issues, i);
      if (e->domain == RECUR_PROJECT_ERROR && e->code == code && strstr (e->message, file)
          && strstr (e->message, what))
        return e;
    }
  for (guint i = 0; i < issues->len; i++)
    g_test_message ("issue: %s", ((GError *) g_ptr_array_index (issues, i))->message);
  g_error ("no issue %d naming %s: “%s”", code, file, what);
  return NULL;
}

/* project.json damaged in any member: reported by file and member, and the project rebuilt
 * from its run folders, all three runs and the data reference (from their config.json). */
static void
test_project_json_members (Fixture       *f,
                           gconstpointer  data)
{
  static const Damage damages[] = {
    { "", "[1, 2]", "not a JSON object" },
    { "", "  \n", "the file is empty" },
    { "", "{\"format\": \"recur-project\",", "project.json:1:" },
    { "format", NULL, "“format” must be a string" },
    { "format", "\"recur-sweep\"", "not a Recur project file" },
    { "version", "\"1\"", "“version” must be an integer of at least 1" },
    { "version", "0", "“version” must be an integer of at least 1" },
    { "next_run", "0", "“next_run” must be an integer of at least 1" },
    { "next_run", "1.5", "“next_run” must be an integer of at least 1" },
    { "runs", "{}", "“runs” must be an array" },
    { "runs", NULL, "“runs” must be an array" },
    { "runs", "[\"run-0001\"]", "an entry of “runs” is not an object" },
    { "runs.0.id", "1", "“id” must be a string" },
    { "runs.1.name", NULL, "“name” must be a string" },
    { "data", "\"../data/sine.csv\"", "“data” must be an object" },
    { "data.relative_path", "7", "“relative_path” must be a string" },
    { "data.absolute_path", "null", "“absolute_path” must be a string" },
    { "data.absolute_path", "\"data/sine.csv\"", "“absolute_path” is not an absolute path" },
    { "data.size", "-1", "“size” must be an integer of at least 0" },
    { "data.size", "\"2048\"", "“size” must be an integer of at least 0" },
    { "data.sha256", "null", "“sha256” must be a string" },
    { "data.sha256", "\"0123abcd\"", "“sha256” is not 64 lowercase hexadecimal digits" },
    { "data.sha256", "\"0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\"",
      "“sha256” is not 64 lowercase hexadecimal digits" },
    { "data.sha256", "\"0123456789ghijkl0123456789abcdef0123456789abcdef0123456789abcdef\"",
      "“sha256” is not 64 lowercase hexadecimal digits" },
    { "data.column", "[\"y\"]", "“column” must be a string" },
  };
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *file = g_build_filename (f->path, "project.json", NULL);
  g_autofree char *sha256 = g_strdup (recur_project_get_data (written)->sha256);
  g_autofree char *original = NULL;

  g_clear_pointer (&written, recur_project_free);
  g_assert_true (g_file_get_contents (file, &original, NULL, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (damages); i++)
    {
      g_autoptr(RecurProject) project = NULL;
      const GError *issue;

      write_text (file, original);
      edit_json (file, damages[i].where, damages[i].value);
      project = reopen (f);
      issue = assert_issue (project, RECUR_PROJECT_ERROR_CORRUPT, file, damages[i].what);
      g_test_message ("%s: %s", damages[i].where, issue->message);
      g_assert_nonnull (strstr (issue->message, "; rebuilt from the run folders"));
      g_assert_true (recur_project_is_recovered (project));
      g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
      g_assert_cmpstr (recur_project_run_get_name (recur_project_get_run (project, 2)), ==,
                       "hidden=16");
      g_assert_cmpstr (recur_project_get_data (project)->sha256, ==, sha256);
      g_assert_cmpstr (recur_project_get_data (project)->column, ==, "y");
      g_assert_true (recur_project_check_data (project, NULL));
    }

  /* gone: the same, as a missing file */
  g_assert_cmpint (g_unlink (file), ==, 0);
  {
    g_autoptr(RecurProject) project = reopen (f);
    const GError *issue = assert_issue (project, RECUR_PROJECT_ERROR_MISSING_FILE, file,
                                        "Cannot read");
    g_assert_nonnull (strstr (issue->message, "rebuilt from the run folders"));
    g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
    g_assert_cmpstr (recur_project_get_data (project)->sha256, ==, sha256);
  }
}

/* Each damage of a run's file, to run-0001 of three: reported by file and member as a problem of
 * that run, and what the other files hold is kept. */
typedef struct
{
  const char *file;     /* in run-0001 */
  int         code;     /* the issue's */
  Damage      damages[16];
} RunFileDamages;

static const RunFileDamages run_file_damages[] = {
  { "config.json", RECUR_PROJECT_ERROR_CORRUPT, {
      { "", "[]", "not a JSON object" },
      { "version", NULL, "“version” must be an integer of at least 1" },
      { "name", "8", "“name” must be a string" },
      { "version", "2", "written by a newer Recur" },
      { "config", "\"lstm\"", "a configuration must be a JSON object" },
      { "config.hidden", "\"eight\"", "“hidden”: expected an integer" },
      { "swept", "[8]", "the swept values must be a JSON object" },
      { "swept.hidden", "8.5", "swept values: “hidden” has a value of the wrong type" },
      { "swept.lr", "\"fast\"", "swept values: “lr” has a value of the wrong type" },
      { "swept.bidirectional", "1", "swept values: “bidirectional” has a value of the wrong type" },
      { "swept.no-such-setting", "1", "swept values: “no-such-setting” is not a parameter" },
      { "swept", "{\"hidden\": 8, \"layers\": 1, \"lr\": 0.1}",
        "swept values: “lr” is one more than the 2 a sweep varies" },
    } },
  { "history.json", RECUR_PROJECT_ERROR_CORRUPT, {
      { "", "[]", "not a JSON object" },
      { "epochs", NULL, "“epochs” must be an integer of at least 0" },
      { "epochs", "20000000", "“epochs” is implausibly large" },
      { "train_loss", NULL, "“train_loss” must be an array of 8 numbers (one per epoch)" },
      { "val_loss", "[1, 2]", "“val_loss” must be an array of 8 numbers (one per epoch)" },
      { "lr", "{}", "“lr” must be an array of 8 numbers (one per epoch)" },
      { "seconds", "[1, 2, 3, 4, 5, 6, 7, \"8\"]", "“seconds” holds something that is not a number" },
    } },
  { "result.json", RECUR_PROJECT_ERROR_CORRUPT, {
      { "", "\"finished\"", "not a JSON object" },
      { "status", NULL, "“status” must be a string" },
      { "status", "\"training\"", "“status” must be finished, stopped or failed" },
      { "status", "\"won\"", "“status” must be finished, stopped or failed" },
      { "error", "false", "“error” must be a string" },
      { "epochs_run", "-1", "“epochs_run” must be an integer of at least 0" },
      { "best_epoch", "\"2\"", "“best_epoch” must be an integer of at least 0" },
      { "train_loss", "\"low\"", "“train_loss” must be a number" },
      { "windows_per_second", "{}", "“windows_per_second” must be a number" },
      { "test", "5", "“test” must be an object of metrics" },
      { "test.rmse", "\"x\"", "“test” must be an object of metrics" },
      { "baselines", "[]", "“baselines” must be an object" },
      { "baselines.naive", "5", "“naive” must be an object of metrics" },
      { "baselines.snaive.mase", "true", "“snaive” must be an object of metrics" },
    } },
};

static void
test_run_file_members (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);

  g_clear_pointer (&written, recur_project_free);
  for (guint k = 0; k < G_N_ELEMENTS (run_file_damages); k++)
    {
      const RunFileDamages *d = &run_file_damages[k];
      g_autofree char *file = run_path (f, "run-0001", d->file);
      g_autofree char *original = NULL;

      g_assert_true (g_file_get_contents (file, &original, NULL, NULL));
      for (guint i = 0; i < G_N_ELEMENTS (d->damages) && d->damages[i].what; i++)
        {
          g_autoptr(RecurProject) project = NULL;
          RecurProjectRun *run;
          GPtrArray *problems;
          const GError *issue;

          write_text (file, original);
          edit_json (file, d->damages[i].where, d->damages[i].value);
          project = reopen (f);
          issue = assert_issue (project, d->code, file, d->damages[i].what);
          g_test_message ("%s %s: %s", d->file, d->damages[i].where, issue->message);
          g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
          run = recur_project_get_run (project, 0);
          problems = recur_project_run_get_problems (run);
          g_assert_cmpuint (problems->len, ==, 1);
          g_assert_cmpstr (((GError *) g_ptr_array_index (problems, 0))->message, ==,
                           issue->message);
          /* the other files of the run are read, the other runs untouched */
          g_assert_cmpuint (recur_project_run_get_problems (recur_project_get_run (project, 1))->len,
                            ==, 0);
          g_assert_true (recur_project_run_has_weights (run));
          if (g_str_equal (d->file, "config.json"))
            {
              g_assert_null (recur_project_run_get_config (run));
              g_assert_cmpstr (recur_project_run_get_name (run), ==, "hidden=8"); /* listed */
            }
          else
            g_assert_nonnull (recur_project_run_get_config (run));
          if (g_str_equal (d->file, "history.json"))
            g_assert_cmpuint (recur_project_run_get_history (run)->n_epochs, ==, 0);
          else
            g_assert_cmpuint (recur_project_run_get_history (run)->n_epochs, ==, 8);
          if (g_str_equal (d->file, "result.json"))
            {
              g_assert_cmpint (recur_project_run_get_status (run), ==, RECUR_RUN_DAMAGED);
              g_assert_cmpstr (recur_project_run_get_message (run), ==, issue->message);
              g_assert_null (recur_project_run_get_result (run));
            }
          else
            g_assert_cmpint (recur_project_run_get_status (run), ==, RECUR_RUN_FINISHED);
        }
      write_text (file, original);
    }

  /* members that may be absent: no issue, and what they would hold is not made up */
  {
    g_autofree char *config = run_path (f, "run-0001", "config.json");
    g_autofree char *result = run_path (f, "run-0001", "result.json");
    g_autofree char *weights = run_path (f, "run-0001", "best.safetensors");
    g_autofree char *config_text = read_text (config);
    g_autofree char *result_text = read_text (result);
    g_autoptr(RecurProject) project = NULL;
    RecurProjectRun *run;
    guint n_swept;

    edit_json (config, "swept", NULL);
    edit_json (result, "baselines", NULL);
    edit_json (result, "best_epoch", NULL);
    g_assert_cmpint (g_unlink (weights), ==, 0);  /* with no best epoch, nothing is lost */
    project = reopen (f);
    g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
    run = recur_project_get_run (project, 0);
    recur_project_run_get_swept (run, &n_swept);
    g_assert_cmpuint (n_swept, ==, 0);
    g_assert_cmpint (recur_project_run_get_status (run), ==, RECUR_RUN_FINISHED);
    g_assert_false (recur_project_run_has_weights (run));
    /* in the runs table: no best epoch, so not scored; no baselines to compare with */
    {
      g_autoptr(RecurComparison) table = recur_comparison_new ();
      const RecurComparisonRow *row;

      recur_comparison_add_project_run (table, run);
      row = recur_comparison_get_row (table, 0);
      g_assert_cmpuint (row->epochs_run, ==, 8);
      g_assert_cmpuint (row->best_epoch, ==, 0);
      g_assert_false (row->scored);
      g_assert_true (isnan (row->test.mase) && isnan (row->naive.mase));
    }
    write_text (config, config_text);
    write_text (result, result_text);
  }

  /* a run folder whose config.json is gone, the rest there: a missing file, the rest kept */
  {
    g_autofree char *config = run_path (f, "run-0002", "config.json");
    g_autoptr(RecurProject) project = NULL;
    RecurProjectRun *run;

    g_assert_cmpint (g_unlink (config), ==, 0);
    project = reopen (f);
    g_assert_true (has_issue_naming (project, RECUR_PROJECT_ERROR_MISSING_FILE, config));
    run = recur_project_get_run (project, 1);
    g_assert_null (recur_project_run_get_config (run));
    g_assert_cmpstr (recur_project_run_get_name (run), ==, "hidden=12");
    g_assert_cmpint (recur_project_run_get_status (run), ==, RECUR_RUN_FINISHED);
    g_assert_cmpuint (recur_project_run_get_history (run)->n_epochs, ==, 8);
  }
}

/* The values a history may hold besides numbers: null (no validation loss) is NaN, an integer
 * is its double; a history written with NaN reads back with NaN in the same places. */
static void
test_history_values (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autoptr(RecurProject) project = NULL;
  g_autofree char *file = run_path (f, "run-0001", "history.json");
  double loss[3] = { 2, 1.5, 0.25 }, val[3] = { NAN, NAN, 0.5 }, lr[3] = { 1e-3, 1e-3, 1e-4 };
  double norm[3] = { 3, INFINITY, 1 }, seconds[3] = { 0.5, 1, 1.5 };
  RecurHistory h = { 3, loss, val, lr, norm, seconds };
  g_autoptr(GError) error = NULL;
  const RecurHistory *back;

  g_clear_pointer (&written, recur_project_free);
  write_text (file, "{\"epochs\": 2, \"train_loss\": [3, 2.5], \"val_loss\": [null, null], "
                    "\"lr\": [0.001, 0.001], \"grad_norm\": [1, 2], \"seconds\": [1, 2]}");
  project = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  back = recur_project_run_get_history (recur_project_get_run (project, 0));
  g_assert_cmpuint (back->n_epochs, ==, 2);
  g_assert_cmpfloat (back->train_loss[0], ==, 3.0);
  g_assert_cmpfloat (back->grad_norm[1], ==, 2.0);
  g_assert_true (isnan (back->val_loss[0]) && isnan (back->val_loss[1]));
  g_clear_pointer (&project, recur_project_free);

  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_assert_true (recur_project_write_history (project, recur_project_get_run (project, 0), &h,
                                              &error));
  g_assert_no_error (error);
  g_clear_pointer (&project, recur_project_free);
  project = reopen (f);
  back = recur_project_run_get_history (recur_project_get_run (project, 0));
  g_assert_cmpuint (back->n_epochs, ==, 3);
  g_assert_cmpmem (back->train_loss, sizeof loss, loss, sizeof loss);
  g_assert_cmpmem (back->lr, sizeof lr, lr, sizeof lr);
  g_assert_true (isnan (back->val_loss[0]) && isnan (back->val_loss[1]));
  g_assert_cmpfloat (back->val_loss[2], ==, 0.5);
  g_assert_true (isnan (back->grad_norm[1]));  /* not finite: stored as null */
  g_assert_cmpfloat (back->grad_norm[2], ==, 1.0);
}

/* Lines of history.log that are not epochs, each after the 8 epochs history.json holds: the
 * line is named, the epochs before it are kept. A line of an epoch history.json has is skipped;
 * a null is NaN. */
static void
test_log_lines (Fixture       *f,
                gconstpointer  data)
{
  static const char *const bad[] = {
    "[9]",
    "{\"epoch\":\"9\",\"train_loss\":1,\"val_loss\":1,\"lr\":1,\"grad_norm\":1,\"seconds\":1}",
    "{\"epoch\":0,\"train_loss\":1,\"val_loss\":1,\"lr\":1,\"grad_norm\":1,\"seconds\":1}",
    "{\"epoch\":10000001,\"train_loss\":1,\"val_loss\":1,\"lr\":1,\"grad_norm\":1,\"seconds\":1}",
    "{\"epoch\":9,\"train_loss\":1,\"val_loss\":1,\"lr\":1,\"grad_norm\":1}",
    "{\"epoch\":9,\"train_loss\":1,\"val_loss\":1,\"lr\":\"1\",\"grad_norm\":1,\"seconds\":1}",
  };
  const char *good = "{\"epoch\":5,\"train_loss\":7,\"val_loss\":7,\"lr\":7,\"grad_norm\":7,"
                     "\"seconds\":7}\n"
                     "{\"epoch\":9,\"train_loss\":0.5,\"val_loss\":null,\"lr\":0.001,"
                     "\"grad_norm\":2,\"seconds\":30}\n";
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *log = run_path (f, "run-0001", "history.log");
  g_autofree char *where = g_strdup_printf ("%s:3: not an epoch of the history: the epochs from "
                                            "there on are lost (9 kept)", log);

  g_clear_pointer (&written, recur_project_free);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strconcat (good, bad[i], "\n", NULL);
      g_autoptr(RecurProject) project = reopen_with (f, log, text, strlen (text));
      const RecurHistory *h = recur_project_run_get_history (recur_project_get_run (project, 0));

      g_assert_true (has_issue_naming (project, RECUR_PROJECT_ERROR_CORRUPT, where));
      g_assert_cmpuint (h->n_epochs, ==, 9);
      g_assert_cmpfloat (h->train_loss[4], !=, 7.0);  /* history.json's epoch 5 stands */
      g_assert_cmpfloat (h->train_loss[8], ==, 0.5);
      g_assert_true (isnan (h->val_loss[8]));
      g_assert_cmpfloat (h->seconds[8], ==, 30.0);
    }
}

/* Weights that are not the model config.json describes (another run's), or not weights at all,
 * are refused by file when loaded. */
static void
test_foreign_weights (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *mine = run_path (f, "run-0001", "best.safetensors");
  g_autofree char *other = run_path (f, "run-0002", "best.safetensors");
  g_autofree char *text = NULL;
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(GError) error = NULL;
  RecurModelInfo info = { 0 };
  gsize len;

  g_clear_pointer (&written, recur_project_free);
  g_assert_true (g_file_get_contents (other, &text, &len, NULL));
  g_assert_true (g_file_set_contents (mine, text, (gssize) len, NULL));
  project = reopen (f);
  g_assert_null (recur_project_run_load_weights (project, recur_project_get_run (project, 0),
                                                 &info, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, mine));
  g_assert_nonnull (strstr (error->message, ": the weights are not the model config.json "
                                            "describes (hidden 12, not 8)"));
  g_assert_null (info.column);  /* nothing of the refused file is handed out */
  g_clear_error (&error);

  /* the weights kept, config.json describing another model in each way one can differ */
  {
    static const Damage models[] = {
      { "config.model", "\"gru\"", "(model lstm, not gru)" },
      { "config.layers", "2", "(layers 1, not 2)" },
      { "config.bidirectional", "true", "(bidirectional false, not true)" },
      { "config.bias", "false", "(bias true, not false)" },
      { "config.window", "13", "(window 12, not 13)" },
      { "config.horizon", "5", "(horizon 4, not 5)" },
      { "config.strategy", "\"recursive\"", "(strategy direct, not recursive)" },
      { "config.input-size", "2", "(input-size 1, not 2)" },
    };
    g_autofree char *config = run_path (f, "run-0002", "config.json");
    g_autofree char *weights = run_path (f, "run-0002", "best.safetensors");
    g_autofree char *original = read_text (config);

    for (guint i = 0; i < G_N_ELEMENTS (models); i++)
      {
        g_autoptr(RecurProject) edited = NULL;

        write_text (config, original);
        edit_json (config, models[i].where, models[i].value);
        edited = reopen (f);
        g_assert_nonnull (recur_project_run_get_config (recur_project_get_run (edited, 1)));
        g_assert_null (recur_project_run_load_weights (edited, recur_project_get_run (edited, 1),
                                                       NULL, &error));
        g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT);
        g_assert_true (g_str_has_prefix (error->message, weights));
        g_test_message ("%s: %s", models[i].where, error->message);
        g_assert_nonnull (strstr (error->message, models[i].what));
        g_clear_error (&error);
      }
    /* two settings that differ: both named, in config.json's order, one after the other */
    write_text (config, original);
    edit_json (config, "config.window", "13");
    edit_json (config, "config.horizon", "5");
    {
      g_autoptr(RecurProject) edited = reopen (f);
      g_assert_null (recur_project_run_load_weights (edited, recur_project_get_run (edited, 1),
                                                     NULL, &error));
      g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT);
      g_assert_true (g_str_has_suffix (error->message, ": the weights are not the model "
                                       "config.json describes (window 12, not 13; "
                                       "horizon 4, not 5)"));
      g_clear_error (&error);
    }
    /* a config.json that cannot be read cannot refuse them: they load as they are */
    write_text (config, "{");
    {
      g_autoptr(RecurProject) edited = reopen (f);
      g_autoptr(RecurModel) model = recur_project_run_load_weights (edited,
                                                                    recur_project_get_run (edited, 1),
                                                                    NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (recur_model_get_spec (model)->hidden_size, ==, 12);
    }
    write_text (config, original);
  }

  g_assert_true (g_file_set_contents (mine, "not weights", -1, NULL));
  g_assert_null (recur_project_run_load_weights (project, recur_project_get_run (project, 0),
                                                 NULL, &error));
  g_assert_nonnull (error);
  g_assert_true (error->domain == RECUR_SAFETENSORS_ERROR);
  g_assert_nonnull (strstr (error->message, mine));
}

/* ---- a job trained some other way, added all at once ------------------------------------- */

typedef struct
{
  GArray *train_loss, *val_loss, *lr, *grad_norm, *seconds;
} Recorded;

static void
record_epoch (const RecurProgress *p,
              gpointer             data)
{
  Recorded *r = data;

  g_array_append_val (r->train_loss, p->train_loss);
  g_array_append_val (r->val_loss, p->val_loss);
  g_array_append_val (r->lr, p->lr);
  g_array_append_val (r->grad_norm, p->grad_norm);
  g_array_append_val (r->seconds, p->elapsed_seconds);
}

/* A job trained on the calling thread and added with its history: reopened, the run has its
 * configuration, every epoch of its history, its result and its best weights exactly; one
 * without a history has none; a job on another column is refused, and leaves no run; one that
 * failed before training has its reason and neither scores nor weights. */
static void
test_add_job (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  g_autoptr(RecurProject) reopened = NULL;
  g_autoptr(RecurJob) job = NULL;
  g_autoptr(RecurJob) other = NULL;
  g_autoptr(RecurJob) untrained = NULL;
  RecurSeries *two;
  g_autoptr(RecurModel) loaded = NULL;
  RecurJobConfig config;
  Recorded r;
  RecurHistory history;
  RecurProjectRun *entry;
  const RecurHistory *h;
  guint best;

  g_assert_no_error (error);
  recur_job_config_init (&config);
  config.column = g_strdup ("y");
  config.model.hidden_size = 6;
  config.model.window = 12;
  config.model.horizon = 4;
  config.train.epochs = 5;
  config.train.seed = 3;
  job = recur_job_new (&config, recur_series_ref (f->series), &error);  /* takes a series */
  g_assert_no_error (error);
  r.train_loss = g_array_new (FALSE, FALSE, sizeof (double));
  r.val_loss = g_array_new (FALSE, FALSE, sizeof (double));
  r.lr = g_array_new (FALSE, FALSE, sizeof (double));
  r.grad_norm = g_array_new (FALSE, FALSE, sizeof (double));
  r.seconds = g_array_new (FALSE, FALSE, sizeof (double));
  g_assert_true (recur_job_train (job, NULL, record_epoch, &r, &error));
  g_assert_no_error (error);
  best = recur_job_get_summary (job)->best_epoch;
  g_assert_cmpuint (best, >, 0);
  history = (RecurHistory) { r.train_loss->len, (double *) r.train_loss->data,
                             (double *) r.val_loss->data, (double *) r.lr->data,
                             (double *) r.grad_norm->data, (double *) r.seconds->data };
  g_assert_cmpuint (history.n_epochs, ==, 5);

  entry = recur_project_add_job (project, "trained elsewhere", job, RECUR_RUN_FINISHED, NULL,
                                 &history, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entry);
  entry = recur_project_add_job (project, "no history", job, RECUR_RUN_STOPPED, "stopped early",
                                 NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (entry);

  /* a job on column "z" of other data: the project compares runs on "y" */
  {
    GString *csv = g_string_new ("t,y,z\n");

    for (int i = 0; i < 60; i++)
      g_string_append_printf (csv, "%d,%d,%d\n", i, i % 5, i % 7);
    two = recur_series_load_csv_data (csv->str, csv->len, "two.csv", &error);
    g_assert_no_error (error);
    g_string_free (csv, TRUE);
  }
  g_free (config.column);
  config.column = g_strdup ("z");
  other = recur_job_new (&config, two, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  g_assert_null (recur_project_add_job (project, "other column", other, RECUR_RUN_FINISHED, NULL,
                                        NULL, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_MISMATCH);
  {
    g_autofree char *want = g_strdup_printf ("%s compares runs on column “y”, not “z”", f->path);
    g_assert_cmpstr (error->message, ==, want);
  }
  g_clear_error (&error);
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 2);
  /* a job that failed before it trained: its outcome, no scores, no weights */
  recur_job_config_init (&config);
  config.column = g_strdup ("y");
  untrained = recur_job_new (&config, recur_series_ref (f->series), &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  g_assert_nonnull (recur_project_add_job (project, "never trained", untrained, RECUR_RUN_FAILED,
                                           "not enough memory", NULL, &error));
  g_assert_no_error (error);

  g_clear_pointer (&project, recur_project_free);
  reopened = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (reopened)->len, ==, 0);
  g_assert_cmpuint (recur_project_get_n_runs (reopened), ==, 3);
  entry = recur_project_get_run (reopened, 0);
  g_assert_cmpstr (recur_project_run_get_name (entry), ==, "trained elsewhere");
  g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_FINISHED);
  {
    g_autofree char *want = config_text (recur_job_get_config (job));
    g_autofree char *have = config_text (recur_project_run_get_config (entry));
    g_assert_cmpstr (have, ==, want);
  }
  h = recur_project_run_get_history (entry);
  g_assert_cmpuint (h->n_epochs, ==, 5);
  g_assert_cmpmem (h->train_loss, 5 * 8, history.train_loss, 5 * 8);
  g_assert_cmpmem (h->lr, 5 * 8, history.lr, 5 * 8);
  g_assert_cmpmem (h->grad_norm, 5 * 8, history.grad_norm, 5 * 8);
  g_assert_cmpmem (h->seconds, 5 * 8, history.seconds, 5 * 8);
  for (guint e = 0; e < 5; e++)
    g_assert_true (h->val_loss[e] == history.val_loss[e]);
  g_assert_cmpfloat (result_number (recur_project_run_get_result (entry), "test", "mase"), ==,
                     recur_job_get_evaluation (job)->model_metrics.mase);
  g_assert_true (recur_project_run_has_weights (entry));
  loaded = recur_project_run_load_weights (reopened, entry, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (recur_model_peek_params (loaded), recur_model_get_n_params (loaded) * 4,
                   recur_model_peek_params (recur_job_get_model (job)),
                   recur_model_get_n_params (recur_job_get_model (job)) * 4);

  entry = recur_project_get_run (reopened, 1);
  g_assert_cmpstr (recur_project_run_get_name (entry), ==, "no history");
  g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_STOPPED);
  g_assert_cmpstr (recur_project_run_get_message (entry), ==, "stopped early");
  g_assert_cmpuint (recur_project_run_get_history (entry)->n_epochs, ==, 0);
  g_assert_true (recur_project_run_has_weights (entry));

  entry = recur_project_get_run (reopened, 2);
  g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_FAILED);
  g_assert_cmpstr (recur_project_run_get_message (entry), ==, "not enough memory");
  g_assert_false (recur_project_run_has_weights (entry));
  g_assert_false (json_object_has_member (recur_project_run_get_result (entry), "test"));
  g_assert_false (json_object_has_member (recur_project_run_get_result (entry), "forecast"));

  g_array_unref (r.train_loss);
  g_array_unref (r.val_loss);
  g_array_unref (r.lr);
  g_array_unref (r.grad_norm);
  g_array_unref (r.seconds);
}

/* Writes text over the lock file in place (the same file, so its holder keeps the lock). */
static void
overwrite_in_place (const char *path,
                    const char *text)
{
  FILE *file = fopen (path, "r+");

  g_assert_nonnull (file);
  g_assert_cmpint (ftruncate (fileno (file), 0), ==, 0);
  g_assert_cmpuint (fwrite (text, 1, strlen (text), file), ==, strlen (text));
  g_assert_cmpint (fclose (file), ==, 0);
}

/* Who holds the lock, as its file says, whatever it says: the process and program, the host
 * when it is another, or "another process" when the file does not say (being written, or not
 * written by Recur). A lock file that is not a regular file is refused by name, and creating a
 * project where a lock file is left but not held is refused as a folder that is not empty. */
static void
test_lock_holders (Fixture       *f,
                   gconstpointer  data)
{
  static const struct { const char *text, *holder; } holders[] = {
    { "", "another process" },
    { "{\"pid\": 12", "another process" },
    { "[12, \"recur\"]", "another process" },
    { "{\"pid\": \"12\", \"program\": \"recur\"}", "another process" },
    { "{\"pid\": 12}", "another process" },
    { "{\"pid\": 12, \"program\": \"recur-gui\"}", "recur-gui (process 12)" },
    { "{\"pid\": 12, \"program\": \"recur\", \"host\": \"elsewhere.example\"}",
      "recur (process 12 on elsewhere.example)" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) writer = recur_project_create (f->path, f->csv, "y", &error);
  g_autofree char *lock = g_build_filename (f->path, "lock", NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (holders); i++)
    {
      g_autofree char *want = g_strdup_printf ("%s is open in %s: a project is written by one "
                                               "program at a time", f->path, holders[i].holder);
      overwrite_in_place (lock, holders[i].text);
      g_assert_null (recur_project_open (f->path, RECUR_PROJECT_WRITE, &error));
      g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_LOCKED);
      g_assert_true (g_str_has_prefix (error->message, want));
      g_clear_error (&error);
    }
  g_clear_pointer (&writer, recur_project_free);

  /* the lock file left behind, held by no one: the folder holds a project */
  g_assert_null (recur_project_create (f->path, f->csv, "y", &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "the folder exists and is not empty"));
  g_clear_error (&error);

  /* a folder in its place cannot be opened */
  g_assert_cmpint (g_unlink (lock), ==, 0);
  g_assert_cmpint (g_mkdir (lock, 0777), ==, 0);
  g_assert_null (recur_project_open (f->path, RECUR_PROJECT_WRITE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_nonnull (strstr (error->message, lock));
  g_clear_error (&error);
  g_assert_cmpint (g_rmdir (lock), ==, 0);
  write_text (lock, "");

  /* a FIFO in its place is not opened for writing as a lock */
  g_assert_cmpint (g_unlink (lock), ==, 0);
  g_assert_cmpint (mkfifo (lock, 0600), ==, 0);
  g_assert_null (recur_project_open (f->path, RECUR_PROJECT_WRITE, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_UNSAFE_PATH);
  g_assert_nonnull (strstr (error->message, lock));
  g_assert_nonnull (strstr (error->message, "is not a regular file"));
  g_clear_error (&error);
  /* a reader does not need the lock */
  {
    g_autoptr(RecurProject) reader = reopen (f);
    g_assert_cmpuint (recur_project_get_issues (reader)->len, ==, 0);
  }
}

/* Where a project can be made: in a folder that does not exist yet (its parents made too), or
 * in an empty one; not from a CSV that is not there, nor below a file. A project made without a
 * column takes its first run's. */
static void
test_create_places (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *deep = g_build_filename (f->dir, "a", "b", "deep.recur", NULL);
  g_autofree char *empty = g_build_filename (f->dir, "empty.recur", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.csv", NULL);
  g_autofree char *below_file = g_build_filename (f->csv, "p.recur", NULL);
  g_autofree char *nowhere = g_build_filename (f->dir, "nowhere.recur", NULL);
  g_autoptr(RecurProject) project = NULL;

  project = recur_project_create (deep, f->csv, "y", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_test (deep, G_FILE_TEST_IS_DIR));
  g_clear_pointer (&project, recur_project_free);

  g_assert_cmpint (g_mkdir (empty, 0777), ==, 0);
  project = recur_project_create (empty, f->csv, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (recur_project_get_data (project)->column);
  {
    RecurJobConfig config;
    g_autoptr(RecurRun) run = NULL;

    recur_job_config_init (&config);
    config.column = g_strdup ("y");
    run = recur_run_new ("first", &config, f->series, &error);
    g_assert_no_error (error);
    recur_job_config_clear (&config);
    g_assert_nonnull (recur_project_add_recur_run (project, run, NULL, 0, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (recur_project_get_data (project)->column, ==, "y");
    g_assert_true (recur_project_save (project, &error));
  }
  g_clear_pointer (&project, recur_project_free);
  project = recur_project_open (empty, RECUR_PROJECT_READ, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (recur_project_get_data (project)->column, ==, "y");
  g_clear_pointer (&project, recur_project_free);

  g_assert_null (recur_project_create (nowhere, missing, "y", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, missing));
  g_assert_false (g_file_test (nowhere, G_FILE_TEST_EXISTS));
  g_clear_error (&error);

  g_assert_null (recur_project_create (below_file, f->csv, "y", &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_assert_nonnull (strstr (error->message, f->csv));
  g_clear_error (&error);
}

/* The data's path is kept relative when the CSV is in the project folder or beside it, and only
 * then: not for a folder whose name merely begins like theirs. */
static void
test_data_relative (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  g_autofree char *inside = g_build_filename (f->path, "sine.csv", NULL);
  g_autofree char *like_project = g_strconcat (f->path, "-sine.csv", NULL);
  g_autofree char *like_parent_dir = g_strconcat (f->dir, "x", NULL);
  g_autofree char *like_parent = g_build_filename (like_parent_dir, "sine.csv", NULL);
  g_autofree char *text = NULL;
  gsize len;
  struct { const char *csv, *relative; } cases[] = {
    { inside, "sine.csv" },
    { like_project, "../sine.recur-sine.csv" },
    { like_parent, NULL },
  };

  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (f->csv, &text, &len, NULL));
  g_assert_cmpint (g_mkdir (like_parent_dir, 0777), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RecurProject) again = NULL;

      g_assert_true (g_file_set_contents (cases[i].csv, text, (gssize) len, NULL));
      g_assert_true (recur_project_set_data_path (project, cases[i].csv, FALSE, &error));
      g_assert_no_error (error);
      g_assert_cmpstr (recur_project_get_data (project)->relative, ==, cases[i].relative);
      g_assert_cmpstr (recur_project_get_data (project)->path, ==, cases[i].csv);
      again = reopen (f);
      g_assert_cmpuint (recur_project_get_issues (again)->len, ==, 0);
      g_assert_cmpstr (recur_project_get_data (again)->relative, ==, cases[i].relative);
      g_assert_cmpstr (recur_project_get_data (again)->path, ==, cases[i].csv);
    }
  g_assert_cmpint (g_unlink (like_parent), ==, 0);
  g_assert_cmpint (g_rmdir (like_parent_dir), ==, 0);
}

/* Changes to the data file: one of the same size with other bytes is changed, not moved; a
 * replacement accepted twice keeps both earlier hashes; a file that is not there is refused
 * with the project left as it was; a CSV compared with the project's tells which is which. */
static void
test_data_changes (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  g_autofree char *sha0 = g_strdup (recur_project_get_data (project)->sha256);
  g_autofree char *project_file = g_build_filename (f->path, "project.json", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.csv", NULL);
  g_autofree char *text = NULL;
  g_autofree char *sha1 = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *replaced;
  gsize len;
  char *digit;

  g_assert_no_error (error);
  g_assert_true (recur_project_data_matches (project, f->csv, &error));
  g_assert_no_error (error);

  /* the same size, one digit other */
  g_assert_true (g_file_get_contents (f->csv, &text, &len, NULL));
  digit = strchr (strchr (text, '\n') + 1, '.') + 1;
  *digit = *digit == '9' ? '8' : *digit + 1;
  g_assert_true (g_file_set_contents (f->csv, text, (gssize) len, NULL));
  g_assert_false (recur_project_check_data (project, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_CHANGED);
  g_assert_nonnull (strstr (error->message, f->csv));
  g_assert_nonnull (strstr (error->message, sha0));
  g_clear_error (&error);
  g_assert_false (recur_project_data_matches (project, f->csv, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_MISMATCH);
  g_assert_nonnull (strstr (error->message, sha0));
  g_assert_true (g_str_has_suffix (error->message, "differs"));
  g_clear_error (&error);

  /* accepted, then changed and accepted again: both earlier hashes are kept, in order */
  g_assert_true (recur_project_set_data_path (project, f->csv, TRUE, &error));
  sha1 = g_strdup (recur_project_get_data (project)->sha256);
  write_csv (f->csv, 2.0);
  g_assert_true (recur_project_set_data_path (project, f->csv, TRUE, &error));
  g_assert_no_error (error);
  root = recur_json_read_file (project_file, &error);
  g_assert_no_error (error);
  replaced = json_object_get_array_member (json_object_get_object_member (
                                             json_node_get_object (root), "data"), "replaced");
  g_assert_cmpuint (json_array_get_length (replaced), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (replaced, 0),
                                                  "sha256"), ==, sha0);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (replaced, 1),
                                                  "sha256"), ==, sha1);
  /* they are read back, and kept by the next save */
  g_clear_pointer (&project, recur_project_free);
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_true (recur_project_save (project, &error));
  g_assert_true (g_file_get_contents (project_file, &before, NULL, NULL));
  g_assert_nonnull (strstr (before, sha0));
  g_assert_nonnull (strstr (before, sha1));

  /* a file that is not there: refused by name, nothing written */
  g_assert_false (recur_project_set_data_path (project, missing, TRUE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  g_assert_false (recur_project_data_matches (project, missing, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  g_assert_true (g_file_get_contents (project_file, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  g_clear_pointer (&after, g_free);

  /* "replaced" that is not a list (edited by hand) is started over by the next change */
  edit_json (project_file, "data.replaced", "{\"size\": 1}");
  g_clear_pointer (&project, recur_project_free);
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  write_csv (f->csv, 3.0);
  g_assert_true (recur_project_set_data_path (project, f->csv, TRUE, &error));
  g_clear_pointer (&root, json_node_unref);
  root = recur_json_read_file (project_file, &error);
  replaced = json_object_get_array_member (json_object_get_object_member (
                                             json_node_get_object (root), "data"), "replaced");
  g_assert_cmpuint (json_array_get_length (replaced), ==, 1);
}

/* A project no intact file records the data of (project.json without it, no run's config.json
 * with it): opening says so; choosing the CSV sets it, whatever its hash. */
static void
test_data_unrecorded (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *project_file = g_build_filename (f->path, "project.json", NULL);
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&written, recur_project_free);
  edit_json (project_file, "data", NULL);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("run-%04u", i);
      g_autofree char *config = run_path (f, id, "config.json");
      edit_json (config, "data", NULL);
    }
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_assert_null (recur_project_get_data (project));
  assert_issue (project, RECUR_PROJECT_ERROR_DATA_MOVED, f->path,
                "no intact file records the project's data: choose its CSV file");
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
  g_assert_false (recur_project_data_matches (project, f->csv, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_MISMATCH);
  g_assert_nonnull (strstr (error->message, "(?, SHA-256 ?)"));
  g_clear_error (&error);
  /* saved as it is, without data; a run added meanwhile records none either */
  g_assert_true (recur_project_save (project, &error));
  {
    g_autoptr(JsonNode) root = recur_json_read_file (project_file, &error);
    g_assert_no_error (error);
    g_assert_true (json_node_is_null (json_object_get_member (json_node_get_object (root), "data")));
  }
  {
    RecurJobConfig config;
    g_autoptr(RecurRun) run = NULL;
    g_autofree char *text = NULL;
    g_autofree char *config_file = NULL;
    RecurProjectRun *entry;

    recur_job_config_init (&config);
    config.column = g_strdup ("y");
    run = recur_run_new ("before the data", &config, f->series, &error);
    recur_job_config_clear (&config);
    entry = recur_project_add_recur_run (project, run, NULL, 0, &error);
    g_assert_no_error (error);
    config_file = run_path (f, recur_project_run_get_id (entry), "config.json");
    text = read_text (config_file);
    g_assert_null (strstr (text, "\"data\""));
  }
  g_assert_true (recur_project_set_data_path (project, f->csv, FALSE, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_clear_pointer (&project, recur_project_free);
  project = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_cmpstr (recur_project_get_data (project)->path, ==, f->csv);

  /* with project.json lost as well, the first run whose config.json records it intact gives it */
  g_clear_pointer (&project, recur_project_free);
  g_assert_cmpint (g_unlink (project_file), ==, 0);
  {
    g_autofree char *first = run_path (f, "run-0001", "config.json");
    g_autofree char *second = run_path (f, "run-0002", "config.json");
    g_autofree char *third = run_path (f, "run-0003", "config.json");
    g_autofree char *data_json = NULL;

    /* what the write above recorded nowhere else; run-0002 given it, with a column to tell */
    data_json = g_strdup_printf ("{\"relative_path\": null, \"absolute_path\": \"%s\", "
                                 "\"size\": 1, \"sha256\": \"%064d\", \"column\": \"second\"}",
                                 f->csv, 0);
    edit_json (first, "data", "{\"absolute_path\": \"/x.csv\"}");
    edit_json (second, "data", data_json);
    edit_json (third, "data", data_json);
  }
  project = reopen (f);
  g_assert_cmpstr (recur_project_get_data (project)->column, ==, "second");
  g_assert_nonnull (find_issue (project, RECUR_PROJECT_ERROR_DATA_CHANGED));
}

static RecurProjectRun *
add_plain_run (RecurProject *project,
               const char   *name)
{
  g_autoptr(GError) error = NULL;
  RecurJobConfig config;
  RecurProjectRun *run;

  recur_job_config_init (&config);
  run = recur_project_add_run (project, name, &config, NULL, 0, &error);
  recur_job_config_clear (&config);
  g_assert_no_error (error);
  return run;
}

/* Runs are found by id; a name must be UTF-8 and not empty, and a refused one takes no id; a
 * run whose config.json is unreadable is renamed in project.json alone; a run listed twice is
 * read once. */
static void
test_run_names (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  g_autofree char *project_file = g_build_filename (f->path, "project.json", NULL);
  g_autofree char *config = run_path (f, "run-0001", "config.json");
  RecurJobConfig defaults;
  RecurProjectRun *b;

  g_assert_no_error (error);
  add_plain_run (project, "a");
  b = add_plain_run (project, "b");
  g_assert_true (recur_project_find_run (project, "run-0002") == b);
  g_assert_null (recur_project_find_run (project, "run-0003"));
  recur_job_config_init (&defaults);
  g_assert_null (recur_project_add_run (project, "", &defaults, NULL, 0, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_null (recur_project_add_run (project, "caf\xe9", &defaults, NULL, 0, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_INVALID);
  g_clear_error (&error);
  recur_job_config_clear (&defaults);
  g_assert_cmpstr (recur_project_run_get_id (add_plain_run (project, "c")), ==, "run-0003");

  /* config.json unreadable: the name goes to project.json, config.json is left as it is */
  write_text (config, "[]");
  g_clear_pointer (&project, recur_project_free);
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_assert_null (recur_project_run_get_config (recur_project_get_run (project, 0)));
  g_assert_true (recur_project_rename_run (project, recur_project_get_run (project, 0), "renamed",
                                           &error));
  g_assert_no_error (error);
  {
    g_autofree char *text = read_text (config);
    g_assert_cmpstr (text, ==, "[]");
  }
  g_clear_pointer (&project, recur_project_free);
  project = reopen (f);
  g_assert_cmpstr (recur_project_run_get_name (recur_project_get_run (project, 0)), ==,
                   "renamed");

  /* listed twice: read once, the second entry reported */
  g_clear_pointer (&project, recur_project_free);
  edit_json (project_file, "runs.2.id", "\"run-0002\"");
  project = reopen (f);
  assert_issue (project, RECUR_PROJECT_ERROR_CORRUPT, project_file,
                "“runs”: “id”: “run-0002” is listed twice: the second is ignored");
  g_assert_true (recur_project_is_recovered (project));
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 3);
  g_assert_cmpstr (recur_project_run_get_id (recur_project_get_run (project, 1)), ==, "run-0002");
  g_assert_cmpstr (recur_project_run_get_name (recur_project_get_run (project, 1)), ==, "b");
  /* run-0003 is not listed now: recovered from its folder, after the listed ones */
  g_assert_cmpstr (recur_project_run_get_id (recur_project_get_run (project, 2)), ==, "run-0003");
}

/* Run numbers: never one a name of the run-NNNN form has taken, whatever it is; the last one
 * there is, 4294967295, is used once, and the run after it is refused by name. */
static void
test_run_numbers (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  g_autofree char *file7 = g_build_filename (f->path, "run-0007", NULL);
  g_autofree char *empty5 = g_build_filename (f->path, "run-0005", NULL);
  g_autofree char *project_file = g_build_filename (f->path, "project.json", NULL);
  g_autofree char *last = g_build_filename (f->path, "run-4294967295", NULL);
  RecurJobConfig defaults;

  g_assert_no_error (error);
  write_text (file7, "not a run");
  /* a run folder made, then its process killed before config.json: no run, nor an issue */
  g_assert_cmpint (g_mkdir (empty5, 0777), ==, 0);
  g_clear_pointer (&project, recur_project_free);
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (recur_project_get_path (project), ==, f->path);
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 0);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_cmpstr (recur_project_run_get_id (add_plain_run (project, "after")), ==, "run-0008");

  g_clear_pointer (&project, recur_project_free);
  edit_json (project_file, "next_run", "4294967295");
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_cmpstr (recur_project_run_get_id (add_plain_run (project, "last")), ==,
                   "run-4294967295");
  recur_job_config_init (&defaults);
  g_assert_null (recur_project_add_run (project, "one too many", &defaults, NULL, 0, &error));
  recur_job_config_clear (&defaults);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST);
  g_assert_nonnull (strstr (error->message, last));
  g_clear_error (&error);
  g_clear_pointer (&project, recur_project_free);
  project = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 2);
  g_assert_nonnull (recur_project_find_run (project, "run-4294967295"));

  /* project.json lost: the numbers come from the folders, up to the last */
  g_clear_pointer (&project, recur_project_free);
  g_assert_cmpint (g_unlink (project_file), ==, 0);
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 2);
  recur_job_config_init (&defaults);
  g_assert_null (recur_project_add_run (project, "one too many", &defaults, NULL, 0, &error));
  recur_job_config_clear (&defaults);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST);
}

/* Deleting a run whose folder is already gone takes it out of the list; one whose folder holds
 * something that is not a run's file (a folder) takes it out too, and says which folder is
 * left, under a name that opening ignores. */
static void
test_delete_leftovers (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  g_autofree char *dir1 = g_build_filename (f->path, "run-0001", NULL);
  g_autofree char *inner = g_build_filename (f->path, "run-0002", "notes", NULL);
  g_autofree char *trash = g_build_filename (f->path, ".deleted-run-0002", NULL);
  g_autofree char *command = g_strdup_printf ("rm -r '%s'", dir1);
  g_autofree char *text = NULL;
  g_autofree char *project_file = g_build_filename (f->path, "project.json", NULL);

  g_assert_no_error (error);
  add_plain_run (project, "gone");
  add_plain_run (project, "with a folder inside");
  add_plain_run (project, "kept");
  g_assert_cmpint (system (command), ==, 0);
  g_assert_true (recur_project_delete_run (project, recur_project_get_run (project, 0), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 2);

  g_assert_cmpint (g_mkdir (inner, 0777), ==, 0);
  g_assert_false (recur_project_delete_run (project, recur_project_get_run (project, 0), &error));
  g_assert_true (error->domain == G_FILE_ERROR);
  g_assert_nonnull (strstr (error->message, trash));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOTEMPTY)));
  g_clear_error (&error);
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 1);
  text = read_text (project_file);
  g_assert_null (strstr (text, "run-0002"));
  g_assert_nonnull (strstr (text, "run-0003"));
  g_clear_pointer (&project, recur_project_free);
  project = reopen (f);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, 1);
  g_assert_cmpstr (recur_project_run_get_name (recur_project_get_run (project, 0)), ==, "kept");
}

/* The temporary files a crash leaves beside project.json and a run's files (NAME.XXXXXX) are
 * removed by the next writer, and only they: not by a reader, not a file of another name or
 * length, not a folder, not history.log's (never written that way). */
static void
test_stale_temporaries (Fixture       *f,
                        gconstpointer  data)
{
  static const char *const stale[] = { "project.json.AB12cd", "run-0001/result.json.Zz9xYw",
                                       "run-0001/best.safetensors.000000",
                                       "run-0001/config.json.q1W2e3" };
  static const char *const kept[] = { "project.json.tmp", "project.json.ABCDEFG", "notes.txt",
                                      "run-0001/history.log.abcdef", "run-0001/result.json",
                                      "run-0001/result.jsonXabcdef" };
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  g_autofree char *folder = g_build_filename (f->path, "run-0001", "history.json.abcdef", NULL);

  g_assert_no_error (error);
  add_plain_run (project, "crashed");
  g_clear_pointer (&project, recur_project_free);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *path = g_build_filename (f->path, stale[i], NULL);
      write_text (path, "{");
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *path = g_build_filename (f->path, kept[i], NULL);
      write_text (path, "{}");
    }
  g_assert_cmpint (g_mkdir (folder, 0777), ==, 0);

  project = reopen (f);
  g_clear_pointer (&project, recur_project_free);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *path = g_build_filename (f->path, stale[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (stale); i++)
    {
      g_autofree char *path = g_build_filename (f->path, stale[i], NULL);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  for (guint i = 0; i < G_N_ELEMENTS (kept); i++)
    {
      g_autofree char *path = g_build_filename (f->path, kept[i], NULL);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  g_assert_true (g_file_test (folder, G_FILE_TEST_IS_DIR));
}

static gboolean
log_has_lines (gpointer path)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) && strchr (text, '\n') != NULL;
}

/* A run resumed in a project whose files changed meanwhile: a result.json that cannot be
 * removed, then a history.log that is a symbolic link, each refuse the sync by name (the link's
 * target left alone); once they are gone, the run is logged again and ends whole. */
static void
test_resume_refusals (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  GThreadPool *pool = recur_run_pool_new (1);
  RecurRun *run = new_run (f, 1000000);
  g_autofree char *result = run_path (f, "run-0001", "result.json");
  g_autofree char *log = run_path (f, "run-0001", "history.log");
  g_autofree char *outside = g_build_filename (f->dir, "outside.log", NULL);
  g_autofree char *text = NULL;
  gpointer pair[2] = { run, GUINT_TO_POINTER (3) };
  RecurProjectRun *entry;

  g_assert_no_error (error);
  entry = recur_project_add_recur_run (project, run, NULL, 0, &error);
  g_assert_no_error (error);
  recur_run_start (run, pool);
  iterate_until (has_epochs, pair);
  recur_run_stop (run);
  iterate_until (run_ended, run);
  g_assert_true (recur_project_sync_run (project, entry, run, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (result, G_FILE_TEST_IS_REGULAR));

  /* result.json is a folder now: it cannot be removed */
  g_assert_cmpint (g_unlink (result), ==, 0);
  g_assert_cmpint (g_mkdir (result, 0777), ==, 0);
  g_assert_true (recur_run_resume (run, pool));
  g_assert_false (recur_project_sync_run (project, entry, run, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_nonnull (strstr (error->message, result));
  g_clear_error (&error);

  /* gone, and history.log a link: not written through */
  g_assert_cmpint (g_rmdir (result), ==, 0);
  write_text (outside, "keep me");
  g_assert_cmpint (symlink (outside, log), ==, 0);
  g_assert_false (recur_project_sync_run (project, entry, run, &error));
  g_assert_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_UNSAFE_PATH);
  g_assert_nonnull (strstr (error->message, log));
  g_clear_error (&error);
  text = read_text (outside);
  g_assert_cmpstr (text, ==, "keep me");

  /* a folder there: it cannot be opened to append to */
  g_assert_cmpint (g_unlink (log), ==, 0);
  g_assert_cmpint (g_mkdir (log, 0777), ==, 0);
  g_assert_false (recur_project_sync_run (project, entry, run, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_assert_nonnull (strstr (error->message, log));
  g_clear_error (&error);

  /* gone: logged again, from the first epoch history.json does not hold */
  g_assert_cmpint (g_rmdir (log), ==, 0);
  g_assert_true (recur_project_sync_run (project, entry, run, &error));
  g_assert_no_error (error);
  iterate_until (log_has_lines, log);
  recur_run_stop (run);
  iterate_until (run_ended, run);
  g_assert_true (recur_project_sync_run (project, entry, run, &error));
  g_assert_no_error (error);
  recur_run_pool_free (pool);
  g_clear_pointer (&project, recur_project_free);
  {
    g_autoptr(RecurProject) again = reopen (f);
    RecurProjectRun *back = recur_project_get_run (again, 0);
    g_assert_cmpuint (recur_project_get_issues (again)->len, ==, 0);
    g_assert_cmpint (recur_project_run_get_status (back), ==, RECUR_RUN_STOPPED);
    assert_history_prefix (recur_project_run_get_history (back), run, recur_run_get_n_epochs (run));
  }
}

/* A run restored as damaged (its result.json unreadable) is left as it is by a sync. */
static void
test_restored_damaged_left_alone (Fixture       *f,
                                  gconstpointer  data)
{
  g_autoptr(RecurProject) written = train_into_project (f);
  g_autofree char *result = run_path (f, "run-0001", "result.json");
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(RecurRun) restored = NULL;
  g_autoptr(GError) error = NULL;
  RecurProjectRun *entry;
  const RecurHistory *h;

  g_clear_pointer (&written, recur_project_free);
  write_text (result, "{\"status\": \"finished\"");
  project = recur_project_open (f->path, RECUR_PROJECT_WRITE, &error);
  g_assert_no_error (error);
  entry = recur_project_get_run (project, 0);
  g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_DAMAGED);
  h = recur_project_run_get_history (entry);
  restored = recur_run_new_restored ("restored", recur_project_run_get_config (entry), f->series,
                                     NULL, 0, h->n_epochs, h->train_loss, h->val_loss, h->lr,
                                     RECUR_RUN_DAMAGED, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (recur_project_sync_run (project, entry, restored, &error));
  g_assert_no_error (error);
  {
    g_autofree char *text = read_text (result);
    g_assert_cmpstr (text, ==, "{\"status\": \"finished\"");
  }
}

/* Puts a folder where path is (so that writing it fails: a file cannot replace a folder), or
 * takes it away. */
static void
block (const char *path,
       gboolean    blocked)
{
  if (blocked)
    {
      g_unlink (path);
      g_assert_cmpint (g_mkdir (path, 0777), ==, 0);
    }
  else
    g_assert_cmpint (g_rmdir (path), ==, 0);
}

/* A run that ends while its files cannot be written: weights that cannot be written hold the
 * result back (it would point at weights that are not there); a result that cannot be written
 * is the error; a history that cannot be written costs neither the weights nor the result, and
 * history.log keeps the epochs until it can. Each is tried again on the next sync, and the
 * project ends whole. A run that trains without a validation part logs its loss as null. */
/* With `path` blocked (a folder in its place), syncing the run fails naming it, and the log
 * of its epochs is kept for the next try. */
static void
assert_sync_refused (RecurProject    *project,
                     RecurProjectRun *entry,
                     RecurRun        *run,
                     const char      *path,
                     GQuark           domain,
                     int              code,
                     const char      *log)
{
  g_autoptr(GError) error = NULL;

  block (path, TRUE);
  g_assert_false (recur_project_sync_run (project, entry, run, &error));
  g_assert_error (error, domain, code);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_true (g_file_test (log, G_FILE_TEST_EXISTS));
  block (path, FALSE);
}

static void
test_ending_unwritable (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurProject) project = recur_project_create (f->path, f->csv, "y", &error);
  GThreadPool *pool = recur_run_pool_new (1);
  g_autofree char *history = run_path (f, "run-0001", "history.json");
  g_autofree char *weights = run_path (f, "run-0001", "best.safetensors");
  g_autofree char *result = run_path (f, "run-0001", "result.json");
  g_autofree char *log = run_path (f, "run-0001", "history.log");
  g_autofree char *text = NULL;
  RecurJobConfig config;
  RecurRun *run;
  Tracked tracked = { project, NULL };
  gpointer pair[2] = { NULL, GUINT_TO_POINTER (3) };

  g_assert_no_error (error);
  recur_job_config_init (&config);
  config.column = g_strdup ("y");
  config.model.hidden_size = 6;
  config.model.window = 12;
  config.model.horizon = 4;
  config.train.epochs = 1000000;
  config.train.patience = 0;
  config.val_fraction = 0;
  run = recur_run_new ("unwritable", &config, f->series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  g_ptr_array_add (f->runs, run);
  pair[0] = run;
  tracked.entry = recur_project_add_recur_run (project, run, NULL, 0, &error);
  g_assert_no_error (error);
  /* synced once before it starts, when it has no best epoch: history.log is attached and no
   * weights are written while it trains, so that the ended run's weights are always still to
   * write, however far it trained before the stop landed */
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_QUEUED);
  g_assert_true (recur_project_sync_run (project, tracked.entry, run, &error));
  g_assert_no_error (error);
  recur_run_start (run, pool);
  iterate_until (has_epochs, pair);
  recur_run_stop (run);
  iterate_until (run_ended, run);
  recur_run_pool_free (pool);
  g_assert_cmpuint (recur_run_get_best_epoch (run), >, 0);
  text = read_text (log);
  g_assert_nonnull (strstr (text, "\"val_loss\":null"));

  /* each file of the run blocked in turn: the sync fails naming it, keeps the rest and the
   * log that still holds the epochs */
  assert_sync_refused (project, tracked.entry, run, weights, RECUR_SAFETENSORS_ERROR,
                       RECUR_SAFETENSORS_ERROR_IO, log);
  g_assert_false (g_file_test (result, G_FILE_TEST_EXISTS));
  assert_sync_refused (project, tracked.entry, run, result, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                       log);
  g_assert_true (g_file_test (weights, G_FILE_TEST_IS_REGULAR));
  assert_sync_refused (project, tracked.entry, run, history, G_FILE_ERROR, G_FILE_ERROR_ISDIR,
                       log);
  g_assert_true (g_file_test (result, G_FILE_TEST_IS_REGULAR));

  g_assert_true (recur_project_sync_run (project, tracked.entry, run, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
  g_clear_pointer (&project, recur_project_free);
  {
    g_autoptr(RecurProject) again = reopen (f);
    RecurProjectRun *entry = recur_project_get_run (again, 0);
    const RecurHistory *h = recur_project_run_get_history (entry);

    g_assert_cmpuint (recur_project_get_issues (again)->len, ==, 0);
    g_assert_cmpint (recur_project_run_get_status (entry), ==, RECUR_RUN_STOPPED);
    assert_history_prefix (h, run, recur_run_get_n_epochs (run));
    for (guint e = 0; e < h->n_epochs; e++)
      g_assert_true (isnan (h->val_loss[e]));
    assert_weights_equal (again, entry, run);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
#define ADD(path, func) \
  g_test_add ("/engine/project/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("round-trip", test_round_trip);
  ADD ("saved-while-runs-train", test_saved_while_runs_train);
  ADD ("truncated-project-json", test_truncated_project_json);
  ADD ("corrupt-result", test_corrupt_result);
  ADD ("missing-weights", test_missing_weights);
  ADD ("moved-csv", test_moved_csv);
  ADD ("moved-together", test_moved_together);
  ADD ("rename-and-delete", test_rename_and_delete);
  ADD ("interrupted-unlisted-and-gone", test_interrupted_unlisted_and_gone);
  ADD ("refusals", test_refusals);
  ADD ("comparison-from-project", test_comparison_from_project);
  ADD ("log-cut-anywhere", test_log_cut_anywhere);
  ADD ("resumed-run", test_resumed_run);
  ADD ("lock", test_lock);
  ADD ("paths-outside", test_paths_outside);
  ADD ("data-reference", test_data_reference);
  ADD ("project-json-link", test_project_json_link);
  ADD ("restored-run-left-alone", test_restored_run_left_alone);
  ADD ("ensemble-member-curves", test_ensemble_member_curves);
  ADD ("project-json-members", test_project_json_members);
  ADD ("run-file-members", test_run_file_members);
  ADD ("history-values", test_history_values);
  ADD ("log-lines", test_log_lines);
  ADD ("foreign-weights", test_foreign_weights);
  ADD ("add-job", test_add_job);
  ADD ("lock-holders", test_lock_holders);
  ADD ("create-places", test_create_places);
  ADD ("data-relative", test_data_relative);
  ADD ("data-changes", test_data_changes);
  ADD ("data-unrecorded", test_data_unrecorded);
  ADD ("run-names", test_run_names);
  ADD ("run-numbers", test_run_numbers);
  ADD ("delete-leftovers", test_delete_leftovers);
  ADD ("stale-temporaries", test_stale_temporaries);
  ADD ("resume-refusals", test_resume_refusals);
  ADD ("restored-damaged-left-alone", test_restored_damaged_left_alone);
  ADD ("ending-unwritable", test_ending_unwritable);
#undef ADD
  return g_test_run ();
}
