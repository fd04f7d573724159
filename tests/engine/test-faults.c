/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Injected faults on every write path of the engine, as SQLite's tests inject I/O errors: a
 * clean write first counts the C library calls each step makes (open, write, fsync, close,
 * rename, mkdir), then each call in turn fails, with ENOSPC and EIO, a short write then ENOSPC,
 * and a disk that stays full, and the result is checked every time: the error names the file
 * and the reason, no temporary file is left, the previous file (or project) is byte for byte
 * what it was, and the same call without the fault writes what a clean write writes. The faults
 * come from tests/preload/fault-inject.c, linked in: GLib's own calls fail as the C library's.
 * An EINTR is retried, and a folder that cannot be synced does not fail the write. */
#include "config.h"

#include <string.h>

#include "fault-check.h"
#include "recur-comparison.h"
#include "recur-fileutil.h"
#include "recur-job.h"
#include "recur-jsonutil.h"
#include "recur-project.h"
#include "recur-safetensors.h"

/* One trained job for every test: its forecast, weights and summary are what is written. */
static RecurJob *job;
static char *csv_path;

static void
train_job (void)
{
  g_autoptr(GError) error = NULL;
  RecurJobConfig config;

  csv_path = g_test_build_filename (G_TEST_DIST, "..", "data", "nottingham_temperature.csv", NULL);
  recur_job_config_init (&config);
  config.model.hidden_size = 4;
  config.model.window = 12;
  config.model.horizon = 6;
  config.train.epochs = 3;
  job = recur_job_new_from_file (&config, csv_path, &error);
  g_assert_no_error (error);
  g_assert_true (recur_job_train (job, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  recur_job_config_clear (&config);
}

/* ---- one file --------------------------------------------------------------------------- */

static gboolean
write_forecast (const char  *path,
                GError     **error)
{
  return recur_job_write_forecast (job, path, error);
}

static gboolean
write_weights (const char  *path,
               GError     **error)
{
  return recur_job_save_weights (job, path, error);
}

static RecurComparison *
table_of_job (void)
{
  RecurComparison *table = recur_comparison_new ();

  recur_comparison_add_job (table, "hidden=4", NULL, 0, recur_job_get_config (job),
                            RECUR_RUN_FINISHED, NULL, job);
  recur_comparison_sort (table);
  return table;
}

static gboolean
write_table_csv (const char  *path,
                 GError     **error)
{
  g_autoptr(RecurComparison) table = table_of_job ();
  return recur_comparison_write_csv (table, path, error);
}

static gboolean
write_table_json (const char  *path,
                  GError     **error)
{
  g_autoptr(RecurComparison) table = table_of_job ();
  return recur_comparison_write_json (table, path, error);
}

static gboolean
write_summary (const char  *path,
               GError     **error)
{
  g_autoptr(JsonNode) summary = recur_job_to_json (job);
  return recur_json_write_file (summary, path, error);
}

/* Large enough that the kernel may write it in more than one piece: 3 MiB. */
static gboolean
write_large (const char  *path,
             GError     **error)
{
  gsize n = 3 << 20;
  g_autofree char *data = g_malloc (n);

  for (gsize i = 0; i < n; i++)
    data[i] = (char) ('a' + i % 26);
  return recur_file_write_atomic (path, data, n, error);
}

static const WritePath write_paths[] = {
  { "forecast-csv", write_forecast },
  { "weights", write_weights, recur_safetensors_error_quark, RECUR_SAFETENSORS_ERROR_IO },
  { "runs-table-csv", write_table_csv },
  { "runs-table-json", write_table_json },
  { "summary-json", write_summary },
  { "large-file", write_large },
};

/* ---- projects ----------------------------------------------------------------------------- */

/* A project folder's files: relative path → bytes. */
static void
snapshot_into (GHashTable *tree,
               const char *root,
               const char *rel)
{
  g_autofree char *path = rel ? g_build_filename (root, rel, NULL) : g_strdup (root);
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *child_rel = rel ? g_build_filename (rel, name, NULL) : g_strdup (name);
      g_autofree char *child = g_build_filename (root, child_rel, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          g_hash_table_insert (tree, g_strconcat (child_rel, "/", NULL), NULL);
          snapshot_into (tree, root, child_rel);
        }
      else
        g_hash_table_insert (tree, g_strdup (child_rel), read_bytes (child));
    }
}

static void
bytes_unref0 (gpointer bytes)
{
  if (bytes)
    g_bytes_unref (bytes);
}

static GHashTable *
snapshot (const char *root)
{
  GHashTable *tree = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, bytes_unref0);
  snapshot_into (tree, root, NULL);
  return tree;
}

static void
assert_same_tree (GHashTable *a,
                  GHashTable *b,
                  const char *what)
{
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, a);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      gpointer other;
      if (!g_hash_table_lookup_extended (b, key, NULL, &other))
        g_error ("%s: %s is gone or should not be there", what, (char *) key);
      if (value || other)
        assert_same_bytes (value, other, key);
    }
  g_hash_table_iter_init (&iter, b);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    if (!g_hash_table_contains (a, key))
      g_error ("%s: %s is new", what, (char *) key);
}

/* Puts tree back under root, which is emptied first. */
static void
restore (GHashTable *tree,
         const char *root)
{
  g_autoptr(GList) keys = NULL;
  gpointer value;

  remove_tree (root);
  g_assert_cmpint (g_mkdir (root, 0777), ==, 0);
  keys = g_hash_table_get_keys (tree);
  keys = g_list_sort (keys, (GCompareFunc) g_strcmp0); /* folders before their files */
  for (GList *l = keys; l; l = l->next)
    {
      g_autofree char *path = g_build_filename (root, l->data, NULL);
      value = g_hash_table_lookup (tree, l->data);
      if (g_str_has_suffix (l->data, "/"))
        g_assert_cmpint (g_mkdir (path, 0777), ==, 0);
      else
        g_assert_true (g_file_set_contents (path, g_bytes_get_data (value, NULL),
                                            (gssize) g_bytes_get_size (value), NULL));
    }
}

typedef struct
{
  char *dir;       /* the folder under which faults happen: holds the project and the data */
  char *project;   /* dir/p.recur */
  char *csv;       /* dir/data.csv */
  char *moved;     /* dir/moved.csv, the same bytes */
} ProjectPlace;

typedef gboolean (*ProjectOp) (ProjectPlace  *place,
                               RecurProject **project,
                               GError       **error);

/* When the disk stays full, an operation writing two files cannot always undo the first: this
 * says whether what it left is the project before in all that opening shows. */
typedef gboolean (*ProjectSame) (ProjectPlace *place,
                                 GHashTable   *before,
                                 GHashTable   *now);

typedef struct
{
  const char *name;
  guint       stage;      /* the project before: 0 none, 1 no run, 2 run-0001 (its config),
                           * 3 with its history and weights */
  ProjectOp   op;
  GQuark    (*domain) (void); /* the error's, as in WritePath */
  int         code;
  ProjectSame same;       /* NULL: only the same files, byte for byte */
} ProjectCase;

static RecurProjectRun *
first_run (RecurProject *project)
{
  g_assert_cmpuint (recur_project_get_n_runs (project), >=, 1);
  return recur_project_get_run (project, 0);
}

static gboolean
op_create (ProjectPlace  *place,
           RecurProject **project,
           GError       **error)
{
  g_clear_pointer (project, recur_project_free);
  *project = recur_project_create (place->project, place->csv, "mean_temp_f", error);
  return *project != NULL;
}

static gboolean
op_add_run (ProjectPlace  *place,
            RecurProject **project,
            GError       **error)
{
  RecurSweepValue swept = { recur_sweep_find_param ("hidden"), 4.0, (char *) "4" };

  return recur_project_add_run (*project, "hidden=4", recur_job_get_config (job), &swept, 1,
                                error) != NULL;
}

static gboolean
op_write_history (ProjectPlace  *place,
                  RecurProject **project,
                  GError       **error)
{
  double loss[3] = { 0.5, 0.25, 0.125 }, lr[3] = { 3e-3, 3e-3, 3e-3 };
  double norm[3] = { 1, 0.5, 0.25 }, seconds[3] = { 0.1, 0.2, 0.3 };
  RecurHistory h = { 3, loss, loss, lr, norm, seconds };

  return recur_project_write_history (*project, first_run (*project), &h, error);
}

static gboolean
op_write_weights (ProjectPlace  *place,
                  RecurProject **project,
                  GError       **error)
{
  return recur_project_write_weights (*project, first_run (*project), job,
                                      recur_job_get_model (job), 3, error);
}

static gboolean
op_write_result (ProjectPlace  *place,
                 RecurProject **project,
                 GError       **error)
{
  return recur_project_write_result (*project, first_run (*project), RECUR_RUN_FINISHED, NULL,
                                     job, error);
}

static gboolean
op_rename_run (ProjectPlace  *place,
               RecurProject **project,
               GError       **error)
{
  return recur_project_rename_run (*project, first_run (*project), "renamed", error);
}

static gboolean
op_delete_run (ProjectPlace  *place,
               RecurProject **project,
               GError       **error)
{
  return recur_project_delete_run (*project, first_run (*project), error);
}

static gboolean
op_relocate (ProjectPlace  *place,
             RecurProject **project,
             GError       **error)
{
  return recur_project_set_data_path (*project, place->moved, FALSE, error);
}

static RecurProject *
open_clean_for (const char         *path,
                RecurProjectAccess  access)
{
  g_autoptr(GError) error = NULL;
  RecurProject *project = recur_project_open (path, access, &error);

  g_assert_no_error (error);
  if (recur_project_get_issues (project)->len > 0)
    g_error ("%s has issues: %s", path,
             ((GError *) g_ptr_array_index (recur_project_get_issues (project), 0))->message);
  g_assert_false (recur_project_is_recovered (project));
  return project;
}

/* To write to, taking its lock. */
static RecurProject *
open_clean (const char *path)
{
  return open_clean_for (path, RECUR_PROJECT_WRITE);
}

/* A rename writes project.json, then config.json, whose name opening shows: project.json may
 * keep the new name if the disk is still full when it is put back. */
static gboolean
same_name (ProjectPlace *place,
           GHashTable   *before,
           GHashTable   *now)
{
  g_autoptr(GHashTable) rest_before = g_hash_table_ref (before);
  g_autoptr(RecurProject) project = NULL;
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, now);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      GBytes *was = g_hash_table_lookup (before, key);
      if (!g_str_equal (key, "p.recur/project.json") && (value || was)
          && (!value || !was || !g_bytes_equal (value, was)))
        return FALSE;
    }
  if (g_hash_table_size (now) != g_hash_table_size (rest_before))
    return FALSE;
  project = open_clean_for (place->project, RECUR_PROJECT_READ);
  return g_str_equal (recur_project_run_get_name (first_run (project)), "hidden=4");
}

static const ProjectCase project_cases[] = {
  { "create", 0, op_create },
  { "add-run", 1, op_add_run },
  { "history", 2, op_write_history },
  { "weights", 2, op_write_weights, recur_safetensors_error_quark, RECUR_SAFETENSORS_ERROR_IO },
  { "result", 3, op_write_result },
  { "rename-run", 3, op_rename_run, NULL, 0, same_name },
  { "delete-run", 3, op_delete_run },
  { "relocate", 3, op_relocate },
};

/* The project before the operation: empty (for create), a project without runs, or with one. */
static GHashTable *
project_before (ProjectPlace      *place,
                const ProjectCase *pc)
{
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) data = read_bytes (csv_path);

  g_assert_true (g_file_set_contents (place->csv, g_bytes_get_data (data, NULL),
                                      (gssize) g_bytes_get_size (data), NULL));
  g_assert_true (g_file_set_contents (place->moved, g_bytes_get_data (data, NULL),
                                      (gssize) g_bytes_get_size (data), NULL));
  if (pc->stage >= 1)
    {
      project = recur_project_create (place->project, place->csv, "mean_temp_f", &error);
      g_assert_no_error (error);
    }
  if (pc->stage >= 2)
    g_assert_true (op_add_run (place, &project, &error));
  if (pc->stage >= 3)
    {
      g_assert_true (op_write_history (place, &project, &error));
      g_assert_true (op_write_weights (place, &project, &error));
    }
  g_assert_no_error (error);
  return snapshot (place->dir);
}

static void
check_project_fault (ProjectPlace      *place,
                     const ProjectCase *pc,
                     GHashTable        *before,
                     GHashTable        *after,
                     const char        *spec,
                     int                err)
{
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(GHashTable) now = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;
  guint injected;

  restore (before, place->dir);
  if (pc->op != op_create)
    project = open_clean (place->project);
  recur_fault_set (spec, place->dir);
  ok = pc->op (place, &project, &error);
  injected = recur_fault_injected ();
  recur_fault_set (NULL, NULL);
  g_test_message ("project %s, %s: %s", pc->name, spec, error ? error->message : "written");
  g_assert_cmpuint (injected, >=, 1);
  if (err == 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      now = snapshot (place->dir);
      assert_same_tree (now, after, spec);
      return;
    }
  g_assert_false (ok);
  if (pc->domain)
    g_assert_error (error, pc->domain (), pc->code);
  else
    g_assert_error (error, G_FILE_ERROR, (int) g_file_error_from_errno (err));
  g_assert_nonnull (strstr (error->message, place->project));
  g_assert_nonnull (strstr (error->message, g_strerror (err)));
  /* the project as it was, file for file, and it opens without a problem */
  now = snapshot (place->dir);
  if (pc->same == NULL || !pc->same (place, before, now))
    assert_same_tree (now, before, spec);
  if (pc->op != op_create)
    {
      /* to look, beside the one holding it */
      RecurProject *reopened = open_clean_for (place->project, RECUR_PROJECT_READ);
      recur_project_free (reopened);
    }
  /* the same operation, without the fault, on the same project in memory */
  g_clear_error (&error);
  g_assert_true (pc->op (place, &project, &error));
  g_assert_no_error (error);
  g_clear_pointer (&now, g_hash_table_unref);
  now = snapshot (place->dir);
  assert_same_tree (now, after, "the retry");
}

static void
test_project_op (gconstpointer data)
{
  const ProjectCase *pc = data;
  g_autofree char *root = make_dir ();
  ProjectPlace place = {
    .dir = g_build_filename (root, "place", NULL),
    .project = NULL,
  };
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(GError) error = NULL;
  guint counts[G_N_ELEMENTS (failing_ops)];
  guint n_cases = 0;

  g_assert_cmpint (g_mkdir (place.dir, 0777), ==, 0);
  place.project = g_build_filename (place.dir, "p.recur", NULL);
  place.csv = g_build_filename (place.dir, "data.csv", NULL);
  place.moved = g_build_filename (place.dir, "moved.csv", NULL);
  before = project_before (&place, pc);

  /* a clean run: the project after it, and the calls each step makes */
  restore (before, place.dir);
  if (pc->op != op_create)
    project = open_clean (place.project);
  recur_fault_set (NULL, place.dir);
  g_assert_true (pc->op (&place, &project, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (failing_ops); i++)
    counts[i] = recur_fault_count (failing_ops[i]);
  recur_fault_set (NULL, NULL);
  after = snapshot (place.dir);
  g_clear_pointer (&project, recur_project_free);
  project = open_clean (place.project);
  g_clear_pointer (&project, recur_project_free);
  g_assert_cmpuint (counts[0], >=, 1);

  for (guint i = 0; i < G_N_ELEMENTS (failing_ops); i++)
    for (guint n = 1; n <= counts[i]; n++)
      for (guint e = 0; e < G_N_ELEMENTS (errno_names); e++)
        {
          g_autofree char *spec = g_strdup_printf ("%s:%u:%s", failing_ops[i], n, errno_names[e]);
          check_project_fault (&place, pc, before, after, spec, errno_values[e]);
          n_cases++;
        }
  for (guint n = 1; n <= counts[1]; n++)
    {
      g_autofree char *short_spec = g_strdup_printf ("short-write:%u:ENOSPC", n);
      check_project_fault (&place, pc, before, after, short_spec, ENOSPC);
      n_cases++;
    }
  /* a disk full from the start */
  check_project_fault (&place, pc, before, after, "open:1:ENOSPC:all", ENOSPC);
  check_project_fault (&place, pc, before, after, "dirsync:1:EIO:all", 0);
  n_cases += 2;
  g_test_message ("project %s: %u injected faults checked", pc->name, n_cases);

  remove_tree (root);
  g_free (place.dir);
  g_free (place.project);
  g_free (place.csv);
  g_free (place.moved);
}

/* ---- history.log, written by a run's worker as it trains ---------------------------------- */

static gboolean
has_epochs (RecurRun *run,
            guint     n)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  while (recur_run_get_n_epochs (run) < n)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  return TRUE;
}

/* The epochs of history.log, which must be 1, 2, … in order; a last line without its newline
 * (torn) is not counted, and *torn says whether there is one. */
static guint
logged_epochs (const char *log,
               gboolean   *torn)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines) - 1;  /* what follows the last newline */
  *torn = *lines[n] != '\0';
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *start = g_strdup_printf ("{\"epoch\":%u,", i + 1);
      g_assert_true (g_str_has_prefix (lines[i], start));
    }
  return n;
}

/* A disk that fills while a run trains: an interrupted append is retried and loses nothing; a
 * write cut short leaves a torn line after which nothing more is appended (it could not be
 * read past); the failure is reported by the next sync, once, as is a sync of the log to the
 * disk that fails. A reader meanwhile sees the complete epochs; once the run ends, history.json
 * holds them all and the log goes. */
static void
test_history_log (void)
{
  g_autofree char *root = make_dir ();
  g_autofree char *dir = g_build_filename (root, "p.recur", NULL);
  g_autofree char *log = g_build_filename (dir, "run-0001", "history.log", NULL);
  g_autoptr(RecurSeries) series = NULL;
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(RecurRun) run = NULL;
  g_autoptr(GError) error = NULL;
  GThreadPool *pool = recur_run_pool_new (1);
  RecurProjectRun *entry;
  RecurJobConfig config;
  gboolean torn;
  guint before, after;

  series = recur_series_load_csv (csv_path, &error);
  g_assert_no_error (error);
  project = recur_project_create (dir, csv_path, "mean_temp_f", &error);
  g_assert_no_error (error);
  recur_job_config_init (&config);
  config.model.hidden_size = 4;
  config.model.window = 12;
  config.model.horizon = 6;
  config.train.epochs = 1000000;
  config.train.patience = 0;
  run = recur_run_new ("logged", &config, series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  entry = recur_project_add_recur_run (project, run, NULL, 0, &error);
  g_assert_no_error (error);

  /* trained a while before its first sync, which attaches the log and writes the epochs so
   * far: then syncing the log to the disk fails (the first sync that has epochs to sync, so
   * the one that syncs them whatever the time), is reported, and is tried again by the next */
  recur_run_start (run, pool);
  has_epochs (run, 4);
  recur_fault_set ("fsync:1:EIO", dir);
  g_assert_false (recur_project_sync_run (project, entry, run, &error));
  g_assert_cmpuint (recur_fault_injected (), ==, 1);
  recur_fault_set (NULL, NULL);
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_IO);
  assert_names_file_and_reason (error, log, EIO);
  g_clear_error (&error);
  g_assert_true (recur_project_sync_run (project, entry, run, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (logged_epochs (log, &torn), >=, 4);

  /* the second append after this interrupted by a signal: retried, nothing lost */
  recur_fault_set ("write:2:EINTR", dir);
  while (recur_fault_injected () < 1)
    {
      g_assert_true (recur_run_is_active (run));
      g_main_context_iteration (NULL, TRUE);
    }
  recur_fault_set (NULL, NULL);
  has_epochs (run, recur_run_get_n_epochs (run) + 2);
  g_assert_cmpuint (logged_epochs (log, &torn), >=, 5);  /* 1, 2, … in order */

  /* the next append cut short by a full disk, and every write after it refused */
  recur_fault_set ("short-write:1:ENOSPC", dir);
  while (recur_fault_injected () < 2)  /* the half written, then the rest refused */
    {
      g_assert_true (recur_run_is_active (run));
      g_main_context_iteration (NULL, TRUE);
    }
  recur_fault_set (NULL, NULL);
  before = logged_epochs (log, &torn);
  g_assert_true (torn);
  g_assert_cmpuint (before, >=, 3);
  has_epochs (run, recur_run_get_n_epochs (run) + 2);
  after = logged_epochs (log, &torn);
  g_assert_cmpuint (after, ==, before);  /* nothing after the torn line, the disk free again */
  g_assert_false (recur_project_sync_run (project, entry, run, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  assert_names_file_and_reason (error, log, ENOSPC);
  g_clear_error (&error);
  {
    g_autoptr(RecurProject) reader = recur_project_open (dir, RECUR_PROJECT_READ, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (recur_project_get_issues (reader)->len, ==, 0);
    g_assert_cmpuint (recur_project_run_get_history (first_run (reader))->n_epochs, ==, before);
  }

  recur_run_stop (run);
  while (recur_run_is_active (run))
    g_main_context_iteration (NULL, TRUE);
  recur_run_pool_free (pool);
  g_assert_true (recur_project_sync_run (project, entry, run, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (log, G_FILE_TEST_EXISTS));
  g_clear_pointer (&project, recur_project_free);
  project = open_clean_for (dir, RECUR_PROJECT_READ);
  g_assert_cmpuint (recur_project_run_get_history (first_run (project))->n_epochs, ==,
                    recur_run_get_n_epochs (run));
  g_clear_pointer (&project, recur_project_free);
  remove_tree (root);
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  train_job ();
  for (guint i = 0; i < G_N_ELEMENTS (write_paths); i++)
    {
      g_autofree char *name = g_strdup_printf ("/engine/faults/%s", write_paths[i].name);
      g_test_add_data_func (name, &write_paths[i], test_write_path);
    }
  for (guint i = 0; i < G_N_ELEMENTS (project_cases); i++)
    {
      g_autofree char *name = g_strdup_printf ("/engine/faults/project/%s", project_cases[i].name);
      g_test_add_data_func (name, &project_cases[i], test_project_op);
    }
  g_test_add_func ("/engine/faults/project/history-log", test_history_log);
  status = g_test_run ();
  recur_job_free (job);
  g_free (csv_path);
  return status;
}
