/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: a project folder (project.json, and each run's config.json, history.json,
 * result.json and best weights).
 *
 * The input is the folder packed as text: a line "=== NAME" starts each file, whose bytes run
 * to the next such line. Only the names a project holds are written (project.json, data.csv,
 * run-0001/… to run-0003/…, history.log of a run still training included), inside a private temporary folder that is emptied before each
 * input, so no input can make the target write elsewhere.
 *
 * Contract: opening gives a project or, only when there is nothing to recover, an error; every
 * issue is an error with a message; each run has an id of its own folder's form, a known
 * status, a configuration that passes validation (or none), a history whose arrays hold its
 * epochs, and weights that load or are refused; saving the project and opening it again gives
 * the same runs. */
#define G_LOG_DOMAIN "recur-fuzz"
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "recur-project.h"

#define MAX_RUNS 3

static const char *const run_files[] = { "config.json", "history.json", "history.log",
                                         "result.json", "best.safetensors" };
static char *project_dir;

static void
remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
        remove_tree (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  const char *base = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
  g_autofree char *tmpl = g_build_filename (base, "recur-fuzz-project-XXXXXX", NULL);
  char *parent;

  fuzz_init_glib ();
  parent = g_mkdtemp (g_steal_pointer (&tmpl));
  FUZZ_CHECK (parent != NULL);
  project_dir = g_build_filename (parent, "p.recur", NULL);
  g_free (parent);
  return 0;
}

static gboolean
allowed_name (const char *name)
{
  if (g_str_equal (name, "project.json") || g_str_equal (name, "data.csv"))
    return TRUE;
  for (guint r = 1; r <= MAX_RUNS; r++)
    for (guint f = 0; f < G_N_ELEMENTS (run_files); f++)
      {
        g_autofree char *allowed = g_strdup_printf ("run-%04u/%s", r, run_files[f]);
        if (g_str_equal (name, allowed))
          return TRUE;
      }
  return FALSE;
}

/* Writes each "=== NAME" section of the input as the file NAME of the project folder. */
static void
unpack (const char *data,
        gsize       size)
{
  const char *end = data + size, *p = data;

  remove_tree (project_dir);
  FUZZ_CHECK (g_mkdir_with_parents (project_dir, 0700) == 0);
  while (p < end)
    {
      const char *header = p, *name_end, *body, *next;
      g_autofree char *name = NULL;

      if (end - header < 4 || memcmp (header, "=== ", 4) != 0)
        {
          const char *nl = memchr (p, '\n', end - p);
          p = nl ? nl + 1 : end;
          continue;
        }
      name_end = memchr (header, '\n', end - header);
      if (name_end == NULL)
        return;
      name = g_strndup (header + 4, name_end - header - 4);
      body = name_end + 1;
      for (next = body; next < end; next++)
        if ((next == body || next[-1] == '\n') && end - next >= 4 && memcmp (next, "=== ", 4) == 0)
          break;
      if (allowed_name (name))
        {
          g_autofree char *path = g_build_filename (project_dir, name, NULL);
          g_autofree char *dir = g_path_get_dirname (path);
          /* the file ends before the newline that precedes the next header */
          gsize length = next - body;
          if (next < end && length > 0)
            length--;
          FUZZ_CHECK (g_mkdir_with_parents (dir, 0700) == 0);
          FUZZ_CHECK (g_file_set_contents (path, body, length, NULL));
        }
      p = next;
    }
}

static void
check_run (RecurProject    *project,
           RecurProjectRun *run)
{
  const char *id = recur_project_run_get_id (run);
  RecurRunStatus status = recur_project_run_get_status (run);
  const RecurJobConfig *config = recur_project_run_get_config (run);
  const RecurHistory *history = recur_project_run_get_history (run);
  GPtrArray *problems = recur_project_run_get_problems (run);
  guint64 number;
  g_autofree char *expected_dir = NULL;

  FUZZ_CHECK (id != NULL && strlen (id) == 8 && g_str_has_prefix (id, "run-"));
  FUZZ_CHECK (g_ascii_string_to_unsigned (id + 4, 10, 1, 9999, &number, NULL));
  expected_dir = g_build_filename (project_dir, id, NULL);
  FUZZ_CHECK (g_str_equal (recur_project_run_get_dir (run), expected_dir));
  FUZZ_CHECK (recur_project_run_get_name (run) != NULL);
  FUZZ_CHECK (g_utf8_validate (recur_project_run_get_name (run), -1, NULL));
  FUZZ_CHECK (status <= RECUR_RUN_DAMAGED && status != RECUR_RUN_TRAINING);
  if (config)
    {
      g_autoptr(GError) error = NULL;
      FUZZ_CHECK (recur_job_config_validate (config, &error));
    }
  for (guint i = 0; i < history->n_epochs; i++)
    {
      volatile double sink = history->train_loss[i] + history->val_loss[i] + history->lr[i]
                             + history->grad_norm[i] + history->seconds[i];
      (void) sink;
    }
  for (guint i = 0; problems && i < problems->len; i++)
    {
      const GError *e = g_ptr_array_index (problems, i);
      FUZZ_CHECK (e != NULL && e->message[0] != '\0');
    }
  if (recur_project_run_has_weights (run))
    {
      g_autoptr(GError) error = NULL;
      RecurModelInfo info = { 0 };
      g_autoptr(RecurModel) model = recur_project_run_load_weights (project, run, &info, &error);
      FUZZ_CHECK_OUTCOME (model, error);
      if (model)
        for (gsize i = 0; i < recur_model_get_n_params (model); i++)
          FUZZ_CHECK (isfinite (recur_model_peek_params (model)[i]));
      recur_model_info_clear (&info);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(RecurProject) again = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *issues;

  unpack ((const char *) data, size);
  project = recur_project_open (project_dir, RECUR_PROJECT_WRITE, &error);
  FUZZ_CHECK_OUTCOME (project, error);
  if (project == NULL)
    {
      FUZZ_CHECK (g_error_matches (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_NOT_FOUND)
                  || g_error_matches (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_VERSION));
      return 0;
    }
  issues = recur_project_get_issues (project);
  g_debug ("%u runs, %u issues", recur_project_get_n_runs (project), issues->len);
  for (guint i = 0; i < issues->len; i++)
    {
      const GError *e = g_ptr_array_index (issues, i);
      FUZZ_CHECK (e != NULL && e->message[0] != '\0');
    }
  for (guint i = 0; i < recur_project_get_n_runs (project); i++)
    check_run (project, recur_project_get_run (project, i));

  /* what was recovered is written back, and reads back the same */
  if (!recur_project_save (project, &error))
    {
      FUZZ_CHECK (error != NULL && error->message[0] != '\0');
      return 0;
    }
  again = recur_project_open (project_dir, RECUR_PROJECT_READ, &error);
  FUZZ_CHECK (again != NULL && error == NULL);
  FUZZ_CHECK (recur_project_get_n_runs (again) == recur_project_get_n_runs (project));
  for (guint i = 0; i < recur_project_get_n_runs (again); i++)
    {
      RecurProjectRun *a = recur_project_get_run (project, i);
      RecurProjectRun *b = recur_project_get_run (again, i);
      FUZZ_CHECK (g_str_equal (recur_project_run_get_id (a), recur_project_run_get_id (b)));
      FUZZ_CHECK (g_str_equal (recur_project_run_get_name (a), recur_project_run_get_name (b)));
      FUZZ_CHECK (recur_project_run_get_status (a) == recur_project_run_get_status (b));
    }
  return 0;
}
