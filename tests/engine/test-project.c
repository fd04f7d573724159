/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Projects: runs saved as they train and read back bit for bit; a truncated project.json, a
 * corrupt result, a missing weights file and a moved CSV each give their error and recover what
 * is intact; history.log as a crash can leave it; the lock; paths that lead outside the folder. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recur-comparison.h"
#include "recur-fileutil.h"
#include "recur-jsonutil.h"
#include "recur-project.h"

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
  /* a line in the middle garbled (a digit turned into a letter) */
  g_string_assign (damaged, text);
  {
    char *third = damaged->str;
    for (guint i = 0; i < 2; i++)
      third = strchr (third, '\n') + 1;
    *strchr (third, '.') = 'x';
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
  g_signal_connect (run, "progress", G_CALLBACK (on_run_changed), &tracked);
  g_signal_connect (run, "finished", G_CALLBACK (on_run_changed), &tracked);
  recur_run_start (run, pool);
  iterate_until (has_epochs, pair);
  recur_run_stop (run);
  iterate_until (run_ended, run);
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_STOPPED);
  g_assert_cmpuint (recur_run_get_n_epochs (run), <, 60);
  g_assert_true (g_file_test (result, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));

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
                                     NULL, h->n_epochs, h->train_loss, h->val_loss, h->lr,
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
#undef ADD
  return g_test_run ();
}
