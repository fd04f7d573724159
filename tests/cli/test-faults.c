/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What a user of `recur` gets when the disk fails under it: each command run with the C library's
 * file calls failing (tests/preload/fault-inject.c, LD_PRELOADed) at every step of writing each
 * of its outputs, ENOSPC and EIO. Each failure is named with its file and reason, the exit status
 * is 1, the file keeps its previous bytes, no temporary file is left, and what could be written
 * or printed still is: `recur train` writes its other outputs and prints its results, `recur
 * sweep` prints its table, and a project on a disk that fills up during a sweep opens without
 * a problem. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>

#include "cli-common.h"
#include "../test-tmp.h"

static const char *const ops[] = { "open", "write", "fsync", "close", "rename" };
static const char *const errno_names[] = { "ENOSPC", "EIO" };
static const char *const reasons[] = { "No space left on device", "Input/output error" };

/* What a faulted run did: its result, and what the shim reports. */
typedef struct
{
  Result run;
  guint  injected;    /* faults the shim injected */
  guint  opens;       /* files it saw opened for writing under the folder */
} Faulted;

static guint
report_value (const char *report,
              const char *key)
{
  g_autofree char *needle = g_strconcat (key, "=", NULL);
  const char *at = report ? strstr (report, needle) : NULL;

  g_assert_nonnull (at);
  return (guint) g_ascii_strtoull (at + strlen (needle), NULL, 10);
}

/* Runs recur with args; with `spec`, the calls on the paths under `dir` fail as it says. */
static Faulted
run_faulted (const char        *spec,
             const char        *dir,
             const char *const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *report_dir = g_dir_make_tmp ("recur-fault-report-XXXXXX", NULL);
  g_autofree char *report = g_build_filename (report_dir, "report", NULL);
  g_autofree char *asan = g_strconcat (g_getenv ("ASAN_OPTIONS") ?: "",
                                       ":verify_asan_link_order=0", NULL);
  g_autofree char *text = NULL;
  Faulted r = { 0 };

  g_ptr_array_add (argv, (char *) g_getenv ("RECUR_BIN"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  /* a sanitized shim comes before the sanitizer's runtime in the library list: fine here */
  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", g_getenv ("RECUR_FAULT_SHIM"), TRUE);
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
  g_subprocess_launcher_setenv (launcher, "RECUR_FAULT", spec ? spec : "", TRUE);
  g_subprocess_launcher_setenv (launcher, "RECUR_FAULT_DIR", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "RECUR_FAULT_REPORT", report, TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.run.out, &r.run.err, &error);
  g_assert_no_error (error);
  r.run.status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  if (!g_file_get_contents (report, &text, NULL, NULL))
    g_error ("no report from the shim (status %d): %s", r.run.status, r.run.err);
  r.injected = report_value (text, "injected");
  r.opens = report_value (text, "open");
  g_unlink (report);
  g_rmdir (report_dir);
  return r;
}

#define run_recur_faulted(spec, dir, ...) \
  run_faulted (spec, dir, (const char *const[]) { __VA_ARGS__, NULL })

static char *
nottingham (void)
{
  return data_file ("nottingham_temperature.csv");
}

static GBytes *
read_bytes (const char *path)
{
  char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, NULL))
    return NULL;
  return g_bytes_new_take (text, len);
}

static void
assert_file_is (const char *path,
                GBytes     *want)
{
  g_autoptr(GBytes) have = read_bytes (path);

  if (have == NULL || !g_bytes_equal (have, want))
    g_error ("%s: not the bytes expected", path);
}

static void
write_previous (const char *path)
{
  g_autofree char *text = g_strdup_printf ("previous %s\n", path);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
}

static void
assert_previous (const char *path)
{
  g_autofree char *want = g_strdup_printf ("previous %s\n", path);
  g_autofree char *have = NULL;

  g_assert_true (g_file_get_contents (path, &have, NULL, NULL));
  g_assert_cmpstr (have, ==, want);
}

/* Every file under dir, recursively: none may be a temporary file ("NAME.XXXXXX"). */
static void
assert_no_temporary_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      const char *dot = strrchr (name, '.');

      if (g_file_test (path, G_FILE_TEST_IS_DIR))
        assert_no_temporary_files (path);
      else if (dot && strlen (dot) == 7 && !g_str_equal (dot, ".recur"))
        g_error ("a temporary file was left: %s", path);
    }
}

static void
assert_message (const Faulted *r,
                const char   *path,
                const char   *reason)
{
  g_autofree char *line = g_strdup_printf ("Cannot write %s: %s", path, reason);

  if (strstr (r->run.err, line) == NULL)
    g_error ("standard error does not say “%s”:\n%s", line, r->run.err);
}

static JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/* ---- recur train -------------------------------------------------------------------------- */

#define N_OUTPUTS 3

/* Each output in turn fails at each step: the others are written, the results printed, the
 * failed file keeps its previous bytes, and the failure is named. */
static void
test_train_outputs (void)
{
  const char *dir = temp_dir ();
  g_autofree char *csv = nottingham ();
  g_autofree char *forecast = g_build_filename (dir, "forecast.csv", NULL);
  g_autofree char *weights = g_build_filename (dir, "weights.safetensors", NULL);
  g_autofree char *summary = g_build_filename (dir, "summary.json", NULL);
  const char *outputs[N_OUTPUTS] = { forecast, weights, summary }; /* in the order written */
  g_autoptr(GBytes) clean_forecast = NULL;
  g_autoptr(GBytes) clean_weights = NULL;
  Faulted r;
  guint n_runs = 0;

#define TRAIN(spec, ...) \
  run_recur_faulted (spec, dir, "train", csv, "--model", "lstm", "--epochs", "3", "--hidden", "4", "--window", "12", \
                     "--horizon", "6", "--quiet", "--forecast-out", forecast, "--weights-out", \
                     weights, "--summary-out", summary, __VA_ARGS__)

  r = TRAIN (NULL, "--json");
  g_assert_cmpint (r.run.status, ==, 0);
  g_assert_cmpuint (r.opens, ==, N_OUTPUTS);
  clean_forecast = read_bytes (forecast);
  clean_weights = read_bytes (weights);
  result_clear (&r.run);

  for (guint o = 0; o < G_N_ELEMENTS (ops) + 1; o++)
    for (guint e = 0; e < G_N_ELEMENTS (errno_names); e++)
      for (guint k = 0; k < N_OUTPUTS; k++)
        {
          /* the k-th call of each step is output k's: each output is written whole in turn */
          /* a short write leaves the disk full: the outputs after it fail too */
          gboolean is_short = o == G_N_ELEMENTS (ops);
          g_autofree char *spec = is_short
            ? g_strdup_printf ("short-write:%u:%s", k + 1, errno_names[e])
            : g_strdup_printf ("%s:%u:%s", ops[o], k + 1, errno_names[e]);
          g_autoptr(JsonNode) printed = NULL;
          gboolean failed[N_OUTPUTS];

          for (guint i = 0; i < N_OUTPUTS; i++)
            {
              write_previous (outputs[i]);
              failed[i] = i == k || (is_short && i > k);
            }
          r = TRAIN (spec, "--json");
          g_test_message ("%s: status %d: %s", spec, r.run.status, r.run.err);
          g_assert_cmpuint (r.injected, >=, 1);
          g_assert_cmpint (r.run.status, ==, 1);
          for (guint i = 0; i < N_OUTPUTS; i++)
            if (failed[i])
              {
                assert_message (&r, outputs[i], reasons[e]);
                assert_previous (outputs[i]);
              }
          if (!failed[0])
            assert_file_is (forecast, clean_forecast);
          if (!failed[1])
            assert_file_is (weights, clean_weights);
          if (!failed[2])
            {
              g_autofree char *text = NULL;
              g_autoptr(JsonNode) written = NULL;
              g_assert_true (g_file_get_contents (summary, &text, NULL, NULL));
              written = parse_json (text);
              g_assert_true (json_object_has_member (json_node_get_object (written), "test"));
            }
          /* the results are printed all the same */
          printed = parse_json (r.run.out);
          g_assert_true (json_object_has_member (json_node_get_object (printed), "test"));
          assert_no_temporary_files (dir);
          result_clear (&r.run);
          n_runs++;
        }

  /* a disk full from the start: every output named, none written, the results printed */
  for (guint i = 0; i < N_OUTPUTS; i++)
    write_previous (outputs[i]);
  r = TRAIN ("open:1:ENOSPC:all", "--json");
  g_assert_cmpint (r.run.status, ==, 1);
  for (guint i = 0; i < N_OUTPUTS; i++)
    {
      assert_message (&r, outputs[i], reasons[0]);
      assert_previous (outputs[i]);
    }
  g_assert_nonnull (strstr (r.run.out, "\"test\""));
  result_clear (&r.run);

  /* without --json: what was written is said, what was not is not */
  r = TRAIN ("short-write:2:ENOSPC", "--epochs", "3");
  g_assert_cmpint (r.run.status, ==, 1);
  g_assert_nonnull (strstr (r.run.out, "Forecast written to"));
  g_assert_null (strstr (r.run.out, "Weights written to"));
  g_assert_null (strstr (r.run.out, "Summary written to")); /* the disk stayed full */
  assert_message (&r, weights, reasons[0]);
  assert_message (&r, summary, reasons[0]);
  result_clear (&r.run);
  g_test_message ("recur train: %u faulted runs checked", n_runs + 2);
#undef TRAIN
}

/* ---- recur forecast ----------------------------------------------------------------------- */

static void
test_forecast_out (void)
{
  const char *dir = temp_dir ();
  g_autofree char *csv = nottingham ();
  g_autofree char *weights = g_build_filename (dir, "w.safetensors", NULL);
  g_autofree char *out = g_build_filename (dir, "f.csv", NULL);
  g_autoptr(GBytes) clean = NULL;
  Faulted r;

  r = run_recur_faulted (NULL, dir, "train", csv, "--model", "lstm", "--epochs", "2", "--hidden", "4", "--quiet",
                         "--weights-out", weights);
  g_assert_cmpint (r.run.status, ==, 0);
  result_clear (&r.run);
  r = run_recur_faulted (NULL, dir, "forecast", "--weights", weights, csv, "--forecast-out", out);
  g_assert_cmpint (r.run.status, ==, 0);
  clean = read_bytes (out);
  result_clear (&r.run);

  for (guint o = 0; o < G_N_ELEMENTS (ops); o++)
    for (guint e = 0; e < G_N_ELEMENTS (errno_names); e++)
      {
        g_autofree char *spec = g_strdup_printf ("%s:1:%s", ops[o], errno_names[e]);

        write_previous (out);
        r = run_recur_faulted (spec, dir, "forecast", "--weights", weights, csv,
                               "--forecast-out", out);
        g_assert_cmpuint (r.injected, ==, 1);
        g_assert_cmpint (r.run.status, ==, 1);
        assert_message (&r, out, reasons[e]);
        assert_previous (out);
        assert_no_temporary_files (dir);
        result_clear (&r.run);
      }
  /* and again, without the fault */
  r = run_recur_faulted (NULL, dir, "forecast", "--weights", weights, csv, "--forecast-out", out);
  g_assert_cmpint (r.run.status, ==, 0);
  assert_file_is (out, clean);
  result_clear (&r.run);
}

/* ---- recur sweep -------------------------------------------------------------------------- */

/* --csv-out failing does not cost --json-out, nor the table on standard output. */
static void
test_sweep_outputs (void)
{
  const char *dir = temp_dir ();
  g_autofree char *csv = nottingham ();
  g_autofree char *table_csv = g_build_filename (dir, "table.csv", NULL);
  g_autofree char *table_json = g_build_filename (dir, "table.json", NULL);
  const char *outputs[2] = { table_csv, table_json };

  for (guint o = 0; o < G_N_ELEMENTS (ops); o++)
    for (guint k = 0; k < 2; k++)
      {
        g_autofree char *spec = g_strdup_printf ("%s:%u:%s", ops[o], k + 1, errno_names[k]);
        g_autoptr(JsonNode) printed = NULL;
        g_autofree char *text = NULL;
        g_autoptr(JsonNode) written = NULL;
        Faulted r;

        write_previous (table_csv);
        write_previous (table_json);
        r = run_recur_faulted (spec, dir, "sweep", csv, "--grid", "hidden=4,6", "--epochs", "2",
                               "--jobs", "2", "--quiet", "--json", "--csv-out", table_csv,
                               "--json-out", table_json);
        g_test_message ("%s: status %d: %s", spec, r.run.status, r.run.err);
        g_assert_cmpuint (r.injected, ==, 1);
        g_assert_cmpint (r.run.status, ==, 1);
        assert_message (&r, outputs[k], reasons[k]);
        assert_previous (outputs[k]);
        printed = parse_json (r.run.out);
        g_assert_cmpuint (json_array_get_length (json_node_get_array (printed)), ==, 2);
        g_assert_true (g_file_get_contents (outputs[1 - k], &text, NULL, NULL));
        if (k == 0)
          {
            written = parse_json (text);
            g_assert_cmpuint (json_array_get_length (json_node_get_array (written)), ==, 2);
          }
        else
          g_assert_true (g_str_has_prefix (text, "rank,best,name,id,hidden,"));
        assert_no_temporary_files (dir);
        result_clear (&r.run);
      }
}

/* `recur project info DIR --json`, without faults: the project opens without an issue, and its
 * runs are finished or (for those whose end could not be saved) interrupted, never damaged. */
static guint
assert_project_sound (const char *project)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *o;
  JsonArray *runs;
  Faulted r = run_recur_faulted (NULL, project, "project", "info", project, "--json");

  if (r.run.status != 0)
    g_error ("recur project info: status %d: %s", r.run.status, r.run.err);
  root = parse_json (r.run.out);
  o = json_node_get_object (root);
  if (json_array_get_length (json_object_get_array_member (o, "issues")) > 0)
    g_error ("the project has issues: %s", r.run.out);
  runs = json_object_get_array_member (o, "runs");
  for (guint i = 0; i < json_array_get_length (runs); i++)
    {
      const char *status = json_object_get_string_member (json_array_get_object_element (runs, i),
                                                          "status");
      g_assert_true (g_str_equal (status, "finished") || g_str_equal (status, "interrupted"));
    }
  result_clear (&r.run);
  return json_array_get_length (runs);
}

/* A disk that fills up at any point of a sweep into a project: the message, the table, exit 1,
 * and a project that opens without a problem. Also a single failed write at each point, which
 * the next write of the same file makes good or the run shows as interrupted. */
static void
test_sweep_project (void)
{
  const char *dir = temp_dir ();
  g_autofree char *csv = nottingham ();
  g_autofree char *project = g_build_filename (dir, "p.recur", NULL);
  guint n_opens, n_checked = 0;
  Faulted r;

#define SWEEP(spec) \
  run_recur_faulted (spec, dir, "sweep", csv, "--grid", "hidden=4,6", "--epochs", "3", \
                     "--jobs", "1", "--quiet", "--json", "--project", project)

  r = SWEEP (NULL);
  g_assert_cmpint (r.run.status, ==, 0);
  n_opens = r.opens;
  g_assert_cmpuint (n_opens, >=, 2 + 2 * 4); /* project.json; per run config, list, history… */
  g_assert_cmpuint (assert_project_sound (project), ==, 2);
  result_clear (&r.run);

  for (guint k = 1; k <= n_opens + 2; k++)
    for (guint persistent = 0; persistent < 2; persistent++)
      {
        g_autofree char *spec = g_strdup_printf (persistent ? "open:%u:ENOSPC:all" : "open:%u:EIO",
                                                 k);
        g_autoptr(JsonNode) printed = NULL;

        test_remove_tree (project);
        r = SWEEP (spec);
        g_test_message ("%s: status %d: %s", spec, r.run.status, r.run.err);
        if (r.injected == 0)
          {
            /* this sweep made fewer writes (history is written as epochs arrive) */
            g_assert_cmpuint (r.opens, <, k);
            g_assert_cmpint (r.run.status, ==, 0);
            result_clear (&r.run);
            continue;
          }
        g_assert_cmpint (r.run.status, ==, 1);
        g_assert_nonnull (strstr (r.run.err, persistent ? reasons[0] : reasons[1]));
        g_assert_nonnull (strstr (r.run.err, project));
        assert_no_temporary_files (dir);
        if (k <= 2)
          {
            /* its lock or project.json could not be made: no sweep, and no folder that looks
             * like a project */
            g_assert_cmpstr (r.run.out, ==, "");
            g_assert_false (g_file_test (project, G_FILE_TEST_EXISTS));
          }
        else
          {
            g_assert_nonnull (strstr (r.run.err, "recur: cannot save to the project: Cannot write "));
            printed = parse_json (r.run.out);
            g_assert_cmpuint (json_array_get_length (json_node_get_array (printed)), ==, 2);
            assert_project_sound (project);
            n_checked++;
          }
        result_clear (&r.run);
      }
  g_assert_cmpuint (n_checked, >=, n_opens);
  g_test_message ("recur sweep --project: %u faulted sweeps checked", n_checked);
#undef SWEEP
}

/* ---- recur project ------------------------------------------------------------------------ */

static void
test_project_commands (void)
{
  const char *dir = temp_dir ();
  g_autofree char *csv = nottingham ();
  g_autofree char *data = g_build_filename (dir, "data.csv", NULL);
  g_autofree char *moved = g_build_filename (dir, "moved.csv", NULL);
  g_autofree char *project = g_build_filename (dir, "p.recur", NULL);
  g_autofree char *project_json = g_build_filename (project, "project.json", NULL);
  g_autofree char *table = g_build_filename (dir, "table.csv", NULL);
  g_autoptr(GBytes) bytes = read_bytes (csv);
  g_autoptr(GBytes) listed = NULL;
  Faulted r;

  g_assert_true (g_file_set_contents (data, g_bytes_get_data (bytes, NULL),
                                      (gssize) g_bytes_get_size (bytes), NULL));
  r = run_recur_faulted (NULL, dir, "sweep", data, "--grid", "hidden=4", "--epochs", "2",
                         "--quiet", "--project", project);
  g_assert_cmpint (r.run.status, ==, 0);
  result_clear (&r.run);
  g_assert_cmpint (g_rename (data, moved), ==, 0);
  listed = read_bytes (project_json);

  for (guint o = 0; o < G_N_ELEMENTS (ops); o++)
    for (guint e = 0; e < G_N_ELEMENTS (errno_names); e++)
      {
        g_autofree char *spec = g_strdup_printf ("%s:1:%s", ops[o], errno_names[e]);

        write_previous (table);
        r = run_recur_faulted (spec, dir, "project", "export-table", project, table);
        g_assert_cmpuint (r.injected, ==, 1);
        g_assert_cmpint (r.run.status, ==, 1);
        assert_message (&r, table, reasons[e]);
        assert_previous (table);
        result_clear (&r.run);

        /* relocating rewrites project.json: it stays as it was, and the data moved (the
         * project's lock file is opened first, so the open that fails is the second) */
        if (g_str_equal (ops[o], "open"))
          {
            g_free (spec);
            spec = g_strdup_printf ("open:2:%s", errno_names[e]);
          }
        r = run_recur_faulted (spec, dir, "project", "relocate", project, moved);
        g_assert_cmpuint (r.injected, ==, 1);
        g_assert_cmpint (r.run.status, ==, 1);
        assert_message (&r, project_json, reasons[e]);
        assert_file_is (project_json, listed);
        assert_no_temporary_files (dir);
        result_clear (&r.run);
      }
  r = run_recur_faulted (NULL, dir, "project", "relocate", project, moved);
  g_assert_cmpint (r.run.status, ==, 0);
  result_clear (&r.run);
  assert_project_sound (project);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/cli/faults/train-outputs", test_train_outputs);
  g_test_add_func ("/cli/faults/forecast-out", test_forecast_out);
  g_test_add_func ("/cli/faults/sweep-outputs", test_sweep_outputs);
  g_test_add_func ("/cli/faults/sweep-project", test_sweep_project);
  g_test_add_func ("/cli/faults/project-commands", test_project_commands);
  return g_test_run ();
}
