/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `recur sweep` and `recur project` end to end, run as a user runs them: the table sorted, the
 * JSON parseable, --jobs 1 and --jobs 2 giving the same numbers, a failing run listed with its
 * reason, Ctrl-C, and a project saved, reopened, damaged and relocated. */
#define _GNU_SOURCE /* posix_openpt and the pseudo-terminal calls */
#include "config.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli-common.h"

static GSubprocess *
spawn_recur (const char *const *args,
             GError           **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher = cli_launcher_new ();

  g_ptr_array_add (argv, (char *) g_getenv ("RECUR_BIN"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
}

static Result
finish (GSubprocess *proc)
{
  g_autoptr(GError) error = NULL;
  Result r = { 0 };

  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  return r;
}

static char *
nottingham (void)
{
  return data_file ("nottingham_temperature.csv");
}

static JsonArray *
parse_array (JsonParser *parser,
             const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_node_get_array (json_parser_get_root (parser));
}

static double
test_mase (JsonObject *row)
{
  JsonNode *test = json_object_get_member (row, "test");

  if (JSON_NODE_HOLDS_NULL (test))
    return INFINITY;
  return json_object_get_double_member (json_node_get_object (test), "mase");
}

static JsonObject *
find_row (JsonArray  *rows,
          const char *name)
{
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      if (g_str_equal (json_object_get_string_member (row, "name"), name))
        return row;
    }
  g_assert_not_reached ();
}

/* The small grid all these tests share: four runs of 8 epochs. */
#define GRID "--grid", "hidden=8,16", "--grid", "lr=0.003,0.01", "--epochs", "8", "--quiet"

static void
test_table_sorted (void)
{
  g_autofree char *csv = nottingham ();
  Result r = run_recur ("sweep", csv, GRID);
  g_auto(GStrv) lines = NULL;
  double last = -1;
  guint rows = 0;

  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_nonnull (strstr (lines[0], "name"));
  g_assert_nonnull (strstr (lines[0], "hidden"));
  g_assert_nonnull (strstr (lines[0], "MASE"));
  for (guint i = 1; lines[i] && *lines[i]; i++)
    {
      g_auto(GStrv) cells = g_strsplit_set (lines[i], " ", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();
      double mase;

      for (guint k = 0; cells[k]; k++)
        if (*cells[k])
          g_ptr_array_add (words, cells[k]);
      /* … MASE, vs naive, seconds */
      mase = g_ascii_strtod (g_ptr_array_index (words, words->len - 3), NULL);
      g_assert_cmpfloat (mase, >=, last);
      last = mase;
      g_assert_true (g_str_has_prefix (lines[i], rows == 0 ? "*  1 " : "   "));
      rows++;
    }
  g_assert_cmpuint (rows, ==, 4);
  result_clear (&r);
}

static void
test_json_and_files (void)
{
  g_autofree char *csv = nottingham ();
  const char *dir = temp_dir ();
  g_autofree char *json_out = g_build_filename (dir, "table.json", NULL);
  g_autofree char *csv_out = g_build_filename (dir, "table.csv", NULL);
  g_autofree char *written = NULL;
  g_autofree char *table = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur ("sweep", csv, GRID, "--json", "--json-out", json_out, "--csv-out", csv_out);
  g_auto(GStrv) lines = NULL;
  JsonArray *rows;

  g_assert_cmpint (r.status, ==, 0);
  rows = parse_array (parser, r.out);
  g_assert_cmpuint (json_array_get_length (rows), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      JsonObject *config = json_object_get_object_member (row, "config");

      g_assert_cmpint (json_object_get_int_member (row, "rank"), ==, i + 1);
      g_assert_cmpint (json_object_get_boolean_member (row, "best"), ==, i == 0);
      g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "finished");
      g_assert_true (json_object_get_null_member (row, "error"));
      g_assert_cmpint (json_object_get_int_member (config, "epochs"), ==, 8);
      g_assert_cmpint (json_object_get_int_member (config, "hidden"), ==,
                       json_object_get_int_member (json_object_get_object_member (row, "swept"), "hidden"));
      g_assert_true (isfinite (json_object_get_double_member (
        json_object_get_object_member (json_object_get_object_member (row, "baselines"), "naive"), "mase")));
      g_assert_true (i == 0 || test_mase (json_array_get_object_element (rows, i - 1)) <= test_mase (row));
      g_assert_true (json_object_has_member (row, "relative_mase"));
      g_assert_true (json_object_has_member (row, "seconds"));
    }
  /* the files hold the same table */
  g_assert_true (g_file_get_contents (json_out, &written, NULL, NULL));
  g_assert_cmpstr (written, ==, r.out);
  g_assert_true (g_file_get_contents (csv_out, &table, NULL, NULL));
  lines = g_strsplit (table, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "rank,best,name,id,hidden,lr,status,epochs,"));
  g_assert_true (g_str_has_prefix (lines[1], "1,yes,"));
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  result_clear (&r);
}

/* Each run owns its RNG and BLAS runs single-threaded: the numbers cannot depend on --jobs. */
static void
test_jobs_give_identical_numbers (void)
{
  g_autofree char *csv = nottingham ();
  g_autoptr(JsonParser) one = json_parser_new ();
  g_autoptr(JsonParser) two = json_parser_new ();
  Result a = run_recur ("sweep", csv, GRID, "--json", "--jobs", "1");
  Result b = run_recur ("sweep", csv, GRID, "--json", "--jobs", "2");
  JsonArray *ra, *rb;

  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpint (b.status, ==, 0);
  ra = parse_array (one, a.out);
  rb = parse_array (two, b.out);
  for (guint i = 0; i < json_array_get_length (ra); i++)
    {
      JsonObject *x = json_array_get_object_element (ra, i);
      JsonObject *y = find_row (rb, json_object_get_string_member (x, "name"));
      g_autoptr(JsonNode) tx = json_node_copy (json_object_get_member (x, "test"));
      g_autoptr(JsonNode) ty = json_node_copy (json_object_get_member (y, "test"));

      g_assert_true (json_node_equal (tx, ty));
      g_assert_cmpint (json_object_get_int_member (x, "rank"), ==, json_object_get_int_member (y, "rank"));
      g_assert_cmpint (json_object_get_int_member (x, "best_epoch"), ==,
                       json_object_get_int_member (y, "best_epoch"));
      g_assert_cmpfloat (json_object_get_double_member (x, "val_loss"), ==,
                         json_object_get_double_member (y, "val_loss"));
    }
  result_clear (&a);
  result_clear (&b);
}

static void
test_failed_run_listed (void)
{
  g_autofree char *csv = nottingham ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur ("sweep", csv, "--grid", "lr=0.01,1e30", "--optimizer", "sgd", "--clip", "0",
                        "--epochs", "5", "--json");
  Result t = run_recur ("sweep", csv, "--grid", "lr=0.01,1e30", "--optimizer", "sgd", "--clip", "0",
                        "--grid", "layers=1,2", "--model", "jordan", "--epochs", "5");
  JsonArray *rows;
  JsonObject *failed;

  g_assert_cmpint (r.status, ==, 0);
  rows = parse_array (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "status"),
                   ==, "finished");
  g_assert_true (json_object_get_boolean_member (json_array_get_object_element (rows, 0), "best"));
  failed = json_array_get_object_element (rows, 1);
  g_assert_cmpstr (json_object_get_string_member (failed, "status"), ==, "failed");
  g_assert_nonnull (strstr (json_object_get_string_member (failed, "error"), "diverged"));
  g_assert_true (json_object_get_null_member (failed, "test"));
  /* one line per finished run on stderr (not a terminal), the failure's reason in it */
  g_assert_nonnull (strstr (r.err, "[2/2] "));
  g_assert_nonnull (strstr (r.err, "diverged"));

  /* runs that cannot even be built (a two-layer Jordan network) are listed too */
  g_assert_cmpint (t.status, ==, 0);
  g_assert_nonnull (strstr (t.out, "Failed or damaged runs:"));
  g_assert_nonnull (strstr (t.out, "lr=0.01 layers=2: a jordan network has one layer, not 2"));
  g_assert_nonnull (strstr (t.out, "lr=1e+30 layers=1: training diverged"));
  result_clear (&r);
  result_clear (&t);
}

static void
test_bad_specs (void)
{
  g_autofree char *csv = nottingham ();
  static const char *const cases[][5] = {
    { "--grid", "hidden=0,16", "--grid: “hidden=0,16”: “hidden”: 0 is out of range", NULL },
    { "--grid", "lr=1e-3:1e-1:cubic:5", "--grid: “lr=1e-3:1e-1:cubic:5”: a range is", NULL },
    { "--grid", "colour=red", "colour cannot be swept", NULL },
    { "--bounds", "lr=1e-4:1e-1:log", "give their number with --random N", NULL },
    { "--random", "5", "random samples need the bounds", NULL },
    { "--grid", "hidden=8", "--bounds", "lr=0.1:1", "not both" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean four = cases[i][4] != NULL;
      Result r = four ? run_recur ("sweep", csv, cases[i][0], cases[i][1], cases[i][2], cases[i][3])
                      : run_recur ("sweep", csv, cases[i][0], cases[i][1]);
      const char *needle = four ? cases[i][4] : cases[i][2];

      g_test_message ("%s", r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, needle));
      result_clear (&r);
    }
}

static gboolean
has_contents (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 && st.st_size > 0;
}

/* Ctrl-C stops every run, which keep their best weights; the table is still printed. Runs are
 * made as workers free up, the most work first (recur_sweep_order_by_cost), so the smallest of
 * three on two workers, hidden=8, is never started. */
static void
test_interrupt (void)
{
  g_autofree char *csv = nottingham ();
  const char *dir = temp_dir ();
  g_autofree char *project = g_build_filename (dir, "p.recur", NULL);
  g_autofree char *history = g_build_filename (project, "run-0002", "history.log", NULL);
  const char *const args[] = { "sweep", csv, "--grid", "hidden=8,12,16", "--epochs", "100000",
                               "--patience", "0", "--jobs", "2", "--project", project, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = spawn_recur (args, &error);
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  Result r;

  g_assert_no_error (error);
  /* both runs are training once both have logged an epoch */
  while (!has_contents (history))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
  g_subprocess_send_signal (proc, SIGINT);
  r = finish (proc);
  g_assert_cmpint (r.status, ==, 130);
  g_assert_nonnull (strstr (r.err, "interrupted"));
  g_assert_nonnull (strstr (r.out, "Stopped"));
  g_assert_nonnull (strstr (r.out, "*  1 "));
  g_assert_nonnull (strstr (r.out, "hidden=8"));
  g_assert_nonnull (strstr (r.out, "Queued"));
  result_clear (&r);

  /* the project has both, stopped, with their best weights */
  r = run_recur ("project", "info", project, "--json");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"status\" : \"stopped\""));
  g_assert_null (strstr (r.out, "\"status\" : \"finished\""));
  g_assert_nonnull (strstr (r.out, "hidden=16"));
  g_assert_nonnull (strstr (r.out, "hidden=12"));
  g_assert_null (strstr (r.out, "hidden=8"));
  g_assert_nonnull (strstr (r.out, "\"issues\" : []"));
  result_clear (&r);
}

/* Waits until path exists and is not empty (a run has written it while training). */
static void
wait_for_file (const char *path)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (!has_contents (path))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
}

/* A sweep killed outright (no chance to clean up) leaves a project that opens: the runs are
 * interrupted, with the history and the best weights they had written while training. */
static void
test_project_survives_a_kill (void)
{
  g_autofree char *csv = nottingham ();
  const char *dir = temp_dir ();
  g_autofree char *project = g_build_filename (dir, "p.recur", NULL);
  g_autofree char *weights = g_build_filename (project, "run-0001", "best.safetensors", NULL);
  g_autofree char *history = g_build_filename (project, "run-0002", "history.log", NULL);
  const char *const args[] = { "sweep", csv, "--grid", "hidden=8,12", "--epochs", "100000",
                               "--patience", "0", "--jobs", "2", "--project", project, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) proc = spawn_recur (args, &error);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *runs;
  Result r;

  g_assert_no_error (error);
  wait_for_file (weights);  /* best weights are written while the run trains */
  wait_for_file (history);
  g_subprocess_force_exit (proc);
  r = finish (proc);
  g_assert_cmpint (r.status, ==, -1);
  result_clear (&r);

  r = run_recur ("project", "info", project, "--json");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, r.out, -1, &error));
  runs = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *run = json_array_get_object_element (runs, i);
      g_assert_cmpstr (json_object_get_string_member (run, "status"), ==, "interrupted");
      g_assert_cmpint (json_object_get_int_member (run, "epochs_run"), >=, 1);
    }
  g_assert_null (strstr (r.err, "warning"));
  result_clear (&r);
}

static void
test_project (void)
{
  g_autofree char *csv = nottingham ();
  const char *dir = temp_dir ();
  g_autofree char *project = g_build_filename (dir, "nottingham.recur", NULL);
  g_autofree char *copy = g_build_filename (dir, "temperatures.csv", NULL);
  g_autofree char *moved = g_build_filename (dir, "moved.csv", NULL);
  g_autofree char *exported = g_build_filename (dir, "table.csv", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.csv", NULL);
  g_autofree char *result = g_build_filename (project, "run-0001", "result.json", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) sweep_parser = json_parser_new ();
  g_autoptr(JsonParser) info_parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *swept, *stored;
  JsonObject *info;
  Result r;
  gsize len;

  g_assert_true (g_file_get_contents (csv, &contents, &len, &error));
  g_assert_true (g_file_set_contents (copy, contents, len, &error));
  r = run_recur ("sweep", copy, GRID, "--json", "--project", project);
  g_assert_cmpint (r.status, ==, 0);
  swept = parse_array (sweep_parser, r.out);
  result_clear (&r);

  /* a second sweep into the same project adds to it */
  r = run_recur ("sweep", copy, "--grid", "model=gru", "--epochs", "3", "--quiet", "--project", project);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  r = run_recur ("project", "info", project, "--json");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (json_parser_load_from_data (info_parser, r.out, -1, &error));
  info = json_node_get_object (json_parser_get_root (info_parser));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (info, "issues")), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (info, "data"), "column"),
                   ==, "mean_temp_f");
  stored = json_object_get_array_member (info, "runs");
  g_assert_cmpuint (json_array_get_length (stored), ==, 5);
  /* the sweep's numbers, read back */
  for (guint i = 0; i < json_array_get_length (swept); i++)
    {
      JsonObject *x = json_array_get_object_element (swept, i);
      JsonObject *y = find_row (stored, json_object_get_string_member (x, "name"));
      g_autoptr(JsonNode) tx = json_node_copy (json_object_get_member (x, "test"));
      g_autoptr(JsonNode) ty = json_node_copy (json_object_get_member (y, "test"));
      g_assert_true (json_node_equal (tx, ty));
      g_assert_true (g_str_has_prefix (json_object_get_string_member (y, "id"), "run-000"));
    }
  result_clear (&r);

  r = run_recur ("project", "export-table", project, exported);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (exported, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "rank,best,name,id,hidden,lr,model,status,"));

  /* damage a result and move the data: info still lists everything, and says what is wrong */
  g_assert_true (g_file_set_contents (result, "{\"status\": \"fini", -1, NULL));
  g_assert_cmpint (g_rename (copy, moved), ==, 0);
  r = run_recur ("project", "info", project);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "warning"));
  g_assert_nonnull (strstr (r.err, "result.json"));
  g_assert_nonnull (strstr (r.err, "the data file is gone"));
  g_assert_nonnull (strstr (r.out, "Damaged"));
  g_assert_nonnull (strstr (r.out, "5 runs"));
  result_clear (&r);

  /* relocating: the wrong file is refused, the right one taken; forced, a file must still be
   * a CSV with the project's column, and a FIFO is refused without opening it */
  r = run_recur ("project", "relocate", project, exported);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "is not the project's data"));
  result_clear (&r);
  r = run_recur ("project", "relocate", project, exported, "--force");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "there is no column “mean_temp_f”"));
  result_clear (&r);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  r = run_recur ("project", "relocate", project, fifo, "--force");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "is not a regular file"));
  result_clear (&r);
  /* the table never goes over the project's own files, nor does a sweep's */
  r = run_recur ("project", "export-table", project, result);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "is inside the project folder"));
  result_clear (&r);
  r = run_recur ("sweep", moved, "--grid", "hidden=4", "--epochs", "1", "--quiet", "--project",
                 project, "--csv-out", result);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--csv-out: "));
  g_assert_nonnull (strstr (r.err, "is inside the project folder"));
  result_clear (&r);
  r = run_recur ("project", "relocate", project, moved);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  r = run_recur ("project", "info", project);
  g_assert_null (strstr (r.err, "the data file is gone"));
  result_clear (&r);
}

/* One writer at a time: a second sweep on a project a sweep is writing is refused, naming the
 * process that holds it, as is relocating it; info and export-table still read it. Killed
 * outright, the holder leaves no stale lock: the next sweep goes ahead at once. */
static void
test_project_lock (void)
{
  g_autofree char *csv = nottingham ();
  const char *dir = temp_dir ();
  g_autofree char *project = g_build_filename (dir, "p.recur", NULL);
  g_autofree char *history = g_build_filename (project, "run-0001", "history.log", NULL);
  g_autofree char *table = g_build_filename (dir, "table.csv", NULL);
  const char *const args[] = { "sweep", csv, "--grid", "hidden=8", "--epochs", "100000",
                               "--patience", "0", "--project", project, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) holder = spawn_recur (args, &error);
  g_autofree char *named = NULL;
  Result r;

  g_assert_no_error (error);
  named = g_strdup_printf ("is open in recur sweep (process %s)",
                           g_subprocess_get_identifier (holder));
  wait_for_file (history);

  r = run_recur ("sweep", csv, "--grid", "hidden=4", "--epochs", "2", "--project", project);
  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, project));
  g_assert_nonnull (strstr (r.err, named));
  result_clear (&r);
  r = run_recur ("project", "relocate", project, csv);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, named));
  result_clear (&r);
  /* readers only look: every file is replaced atomically, the log only grows */
  r = run_recur ("project", "info", project, "--json");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"status\" : \"interrupted\""));
  g_assert_nonnull (strstr (r.out, "\"issues\" : []"));
  result_clear (&r);
  r = run_recur ("project", "export-table", project, table);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  g_subprocess_force_exit (holder);
  r = finish (holder);
  g_assert_cmpint (r.status, ==, -1);
  result_clear (&r);
  r = run_recur ("sweep", csv, "--grid", "hidden=4", "--epochs", "2", "--quiet", "--json",
                 "--project", project);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  r = run_recur ("project", "info", project, "--json");
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\"status\" : \"interrupted\""));
  g_assert_nonnull (strstr (r.out, "\"status\" : \"finished\""));
  result_clear (&r);
}

/* A wrong command line: status 2, the option named, nothing on stdout; a file that cannot be
 * read: status 1, named. */
static void
assert_usage_error (const Result *r,
                    const char   *command,
                    const char   *message)
{
  g_autofree char *hint = g_strdup_printf ("Run “recur %s --help” for the options.\n", command);

  g_test_message ("%s", r->err);
  g_assert_cmpint (r->status, ==, 2);
  g_assert_true (g_str_has_prefix (r->err, "recur: "));
  g_assert_nonnull (strstr (r->err, message));
  g_assert_true (g_str_has_suffix (r->err, hint));
  g_assert_cmpstr (r->out, ==, "");
}

static void
assert_failed (const Result *r,
               const char   *message)
{
  g_test_message ("%s", r->err);
  g_assert_cmpint (r->status, ==, 1);
  g_assert_true (g_str_has_prefix (r->err, "recur: "));
  g_assert_nonnull (strstr (r->err, message));
}

static void
test_sweep_usage_errors (void)
{
  g_autofree char *csv = nottingham ();
  Result r;

  r = run_recur ("sweep", csv, "--random", "-1", "--bounds", "lr=0.01:0.1");
  assert_usage_error (&r, "sweep", "--random must be at least 1, not -1");
  result_clear (&r);
  r = run_recur ("sweep", csv, "--grid", "hidden=8", "--jobs", "-1");
  assert_usage_error (&r, "sweep", "--jobs must be at least 1");
  result_clear (&r);
  r = run_recur ("sweep", "--grid", "hidden=8");
  assert_usage_error (&r, "sweep", "expected one CSV file");
  result_clear (&r);
  r = run_recur ("sweep", csv, csv, "--grid", "hidden=8");
  assert_usage_error (&r, "sweep", "expected one CSV file");
  result_clear (&r);
  r = run_recur ("sweep", csv, "--grid", "hidden=8", "--fast");
  assert_usage_error (&r, "sweep", "--fast");
  result_clear (&r);
  /* the base run's options are `recur train`'s, checked the same */
  r = run_recur ("sweep", csv, "--grid", "hidden=8", "--model", "transformer");
  assert_usage_error (&r, "sweep", "--model: unknown value “transformer”");
  result_clear (&r);
  r = run_recur ("sweep", "/nonexistent/series.csv", "--grid", "hidden=8");
  assert_failed (&r, "/nonexistent/series.csv");
  result_clear (&r);
  /* a parameter no run uses would train identical runs: an ESN's leak for LSTMs, dropout with
   * one layer, a learning rate for reservoirs */
  r = run_recur ("sweep", csv, "--grid", "leak=0.3,0.6", "--model", "lstm");
  assert_usage_error (&r, "sweep", "leak has no effect on any run of this sweep");
  result_clear (&r);
  r = run_recur ("sweep", csv, "--grid", "dropout=0,0.2", "--model", "lstm");
  assert_usage_error (&r, "sweep", "dropout has no effect on any run of this sweep");
  result_clear (&r);
  r = run_recur ("sweep", csv, "--grid", "lr=0.001,0.01", "--model", "esn");
  assert_usage_error (&r, "sweep", "lr has no effect on any run of this sweep");
  result_clear (&r);
  r = run_recur ("sweep", csv, "--grid", "loss=mse,mae", "--model", "esn");
  assert_usage_error (&r, "sweep", "loss has no effect on any run of this sweep");
  result_clear (&r);
  /* but a parameter some runs use is swept */
  r = run_recur ("sweep", csv, "--grid", "model=lstm,esn", "--grid", "leak=0.3,0.6", "--epochs",
                 "1", "--hidden", "4", "--quiet");
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
}

static void
assert_project_usage (const char *out)
{
  g_assert_true (g_str_has_prefix (out, "Usage:\n  recur project COMMAND DIR.recur …\n"));
  g_assert_nonnull (strstr (out, "\n  info           List the runs"));
  g_assert_nonnull (strstr (out, "\n  export-table   Write the comparison table as CSV\n"));
  g_assert_nonnull (strstr (out, "\n  relocate       Point the project at its moved data file\n"));
}

static void
test_project_usage_errors (void)
{
  const char *dir = temp_dir ();
  g_autofree char *table = g_build_filename (dir, "table.csv", NULL);
  const char *missing = "/nonexistent/p.recur";
  Result r;

  r = run_recur ("project", "--help");
  g_assert_cmpint (r.status, ==, 0);
  assert_project_usage (r.out);
  result_clear (&r);
  r = run_recur ("project", "list");
  g_assert_cmpint (r.status, ==, 2);
  assert_project_usage (r.out);
  result_clear (&r);
  r = cli_run (NULL, (const char *const[]) { "project", NULL });
  g_assert_cmpint (r.status, ==, 2);
  assert_project_usage (r.out);
  result_clear (&r);

  r = cli_run (NULL, (const char *const[]) { "project", "info", NULL });
  assert_usage_error (&r, "project info", "expected one project folder");
  result_clear (&r);
  r = run_recur ("project", "info", missing, "--all");
  assert_usage_error (&r, "project info", "--all");
  result_clear (&r);
  r = run_recur ("project", "info", missing);
  assert_failed (&r, missing);
  result_clear (&r);

  r = run_recur ("project", "export-table", missing);
  assert_usage_error (&r, "project export-table", "expected a project folder and a CSV file to write");
  result_clear (&r);
  r = run_recur ("project", "export-table", missing, table, "--json");
  assert_usage_error (&r, "project export-table", "--json");
  result_clear (&r);
  r = run_recur ("project", "export-table", missing, table);
  assert_failed (&r, missing);
  g_assert_false (g_file_test (table, G_FILE_TEST_EXISTS));
  result_clear (&r);

  r = run_recur ("project", "relocate", missing);
  assert_usage_error (&r, "project relocate", "expected a project folder and its CSV file");
  result_clear (&r);
  r = run_recur ("project", "relocate", missing, table, "--anyway");
  assert_usage_error (&r, "project relocate", "--anyway");
  result_clear (&r);
  r = run_recur ("project", "relocate", missing, table);
  assert_failed (&r, missing);
  result_clear (&r);
}

static JsonObject *
project_info (JsonParser *parser,
              const char *project)
{
  Result r = run_recur ("project", "info", project, "--json");
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (r.status, ==, 0);
  json_parser_load_from_data (parser, r.out, -1, &error);
  g_assert_no_error (error);
  result_clear (&r);
  return json_node_get_object (json_parser_get_root (parser));
}

/* A sweep into an existing project: only on the project's data and column, wherever the file
 * has moved; runs that cannot be made are kept as failed; a damaged run is warned about. */
static void
test_project_takes_runs_on_its_data (void)
{
  g_autofree char *stocks = g_test_build_filename (G_TEST_DIST, "..", "data",
                                                   "eu_stock_markets.csv", NULL);
  g_autofree char *other = nottingham ();
  const char *dir = temp_dir ();
  g_autofree char *copy = g_build_filename (dir, "stocks.csv", NULL);
  g_autofree char *moved = g_build_filename (dir, "moved.csv", NULL);
  g_autofree char *project = g_build_filename (dir, "stocks.recur", NULL);
  g_autofree char *result = g_build_filename (project, "run-0001", "result.json", NULL);
  g_autofree char *message = NULL;
  g_autofree char *contents = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *info, *data;
  JsonArray *runs;
  gsize len;
  Result r;

  g_assert_true (g_file_get_contents (stocks, &contents, &len, &error));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, &error));
  r = run_recur ("sweep", copy, "--column", "dax", "--grid", "hidden=4", "--epochs", "1",
                 "--quiet", "--project", project);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  /* another column of the same file, a column that is not there, another file: refused */
  r = run_recur ("sweep", copy, "--column", "smi", "--grid", "hidden=4", "--epochs", "1",
                 "--quiet", "--project", project);
  message = g_strdup_printf ("recur: %s compares runs on column “dax”, not “smi”\n", project);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.err, ==, message);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);
  r = run_recur ("sweep", copy, "--column", "nikkei", "--grid", "hidden=4", "--epochs", "1",
                 "--quiet", "--project", project);
  assert_failed (&r, "there is no column “nikkei”");
  result_clear (&r);
  r = run_recur ("sweep", other, "--grid", "hidden=4", "--epochs", "1", "--quiet", "--project",
                 project);
  assert_failed (&r, "stocks.recur holds runs trained on other data (");
  g_assert_nonnull (strstr (r.err, "nottingham_temperature.csv differs"));
  result_clear (&r);

  /* the file moved: a sweep on it where it is now goes on, and the project follows it */
  g_assert_cmpint (g_rename (copy, moved), ==, 0);
  r = run_recur ("sweep", moved, "--column", "dax", "--grid", "layers=1,2", "--model", "jordan",
                 "--epochs", "1", "--quiet", "--project", project);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "layers=2: a jordan network has one layer, not 2"));
  result_clear (&r);
  info = project_info (parser, project);
  data = json_object_get_object_member (info, "data");
  g_assert_cmpstr (json_object_get_string_member (data, "path"), ==, moved);
  g_assert_cmpstr (json_object_get_string_member (data, "column"), ==, "dax");
  g_assert_cmpint (json_object_get_int_member (data, "size"), ==, (gint64) len);
  g_assert_cmpuint (strlen (json_object_get_string_member (data, "sha256")), ==, 64);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (info, "issues")), ==, 0);
  runs = json_object_get_array_member (info, "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 3);
  /* the run that could not be made is kept, failed, with its reason */
  {
    JsonObject *failed = find_row (runs, "layers=2");
    g_assert_cmpstr (json_object_get_string_member (failed, "status"), ==, "failed");
    g_assert_nonnull (strstr (json_object_get_string_member (failed, "error"), "one layer, not 2"));
    g_assert_true (json_object_get_null_member (failed, "test"));
  }

  /* a damaged run: the next sweep warns, naming the file, and goes on */
  g_assert_true (g_file_set_contents (result, "{\"status\": ", -1, NULL));
  r = run_recur ("sweep", moved, "--column", "dax", "--grid", "hidden=5", "--epochs", "1",
                 "--quiet", "--project", project);
  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_true (g_str_has_prefix (r.err, "recur: warning: "));
  g_assert_nonnull (strstr (r.err, result));
  result_clear (&r);
  info = project_info (parser, project);
  runs = json_object_get_array_member (info, "runs");
  g_assert_cmpuint (json_array_get_length (runs), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (
                     json_object_get_array_member (info, "issues"), 0), "code"), ==, "corrupt");
}

/* When no run can be scored, the table still lists them with their reasons, without the naive
 * comparison, and the status is 1. */
static void
test_no_run_scored (void)
{
  g_autofree char *csv = nottingham ();
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur ("sweep", csv, "--model", "jordan", "--layers", "2", "--grid",
                        "hidden=4,8", "--epochs", "1");
  JsonArray *rows;

  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.out, "Failed or damaged runs:\n  hidden=4: a jordan network has one "
                                   "layer, not 2\n"));
  g_assert_nonnull (strstr (r.out, "* the lowest test MASE."));
  g_assert_null (strstr (r.out, "“vs naive”"));
  /* the larger run first (recur_sweep_order_by_cost) */
  g_assert_nonnull (strstr (r.err, "[2/2] hidden=4: Failed: a jordan network"));
  result_clear (&r);

  r = run_recur ("sweep", csv, "--model", "jordan", "--layers", "2", "--grid", "hidden=4,8",
                 "--epochs", "1", "--json", "--quiet");
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.err, ==, "");
  rows = parse_array (parser, r.out);
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);
      g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "failed");
      g_assert_true (json_object_get_null_member (row, "test"));
      g_assert_false (json_object_get_boolean_member (row, "best"));
    }
  result_clear (&r);
}

/* Runs recur with stderr on a pseudo-terminal; r.err is what the terminal showed. */
static Result
run_recur_on_terminal (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  GString *shown = g_string_new (NULL);
  int master = posix_openpt (O_RDWR | O_NOCTTY);
  int slave;
  Result r = { 0 };
  char buf[4096];
  ssize_t n;

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  slave = open (ptsname (master), O_RDWR | O_NOCTTY);
  g_assert_cmpint (slave, >=, 0);
  g_ptr_array_add (argv, (char *) g_getenv ("RECUR_BIN"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_object (&launcher); /* closes this process's copy of the slave */
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.out, NULL, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_exit_status (proc);
  while ((n = read (master, buf, sizeof buf)) > 0) /* then EIO: the child is gone */
    g_string_append_len (shown, buf, n);
  close (master);
  r.err = g_string_free (shown, FALSE);
  return r;
}

/* On a terminal: one progress line, redrawn, with the best run so far, ended by a newline. */
static void
test_progress_line_on_a_terminal (void)
{
  g_autofree char *csv = nottingham ();
  const char *const args[] = { "sweep", csv, "--grid", "hidden=4,6", "--epochs", "2", "--jobs",
                               "1", "--json", NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur_on_terminal (args);
  JsonArray *rows;
  g_autofree char *best = NULL;

  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  rows = parse_array (parser, r.out);
  best = g_strdup_printf ("\r\033[K[2/2 done, 0 training] best test MASE %.3f (%s)\r\n",
                          test_mase (json_array_get_object_element (rows, 0)),
                          json_object_get_string_member (json_array_get_object_element (rows, 0),
                                                         "name"));
  g_assert_true (g_str_has_prefix (r.err, "\r\033[K[0/2 done, 1 training] "));
  g_assert_nonnull (strstr (r.err, "\r\033[K[1/2 done, "));
  g_assert_true (g_str_has_suffix (r.err, best));
  g_assert_null (strstr (r.err, "[1/2] ")); /* no line per run */
  g_assert_true (strchr (r.err, '\n') == r.err + strlen (r.err) - 1);
  result_clear (&r);
}

/* The one run's configuration of a sweep over seed=7 with the given base options. */
static JsonObject *
base_config (JsonParser        *parser,
             const char *const *options)
{
  g_autofree char *csv = g_test_build_filename (G_TEST_DIST, "..", "data", "air_passengers.csv",
                                                NULL);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  JsonArray *rows;
  Result r;

  for (const char *const *a = (const char *const[]) { "sweep", csv, "--grid", "seed=7", "--epochs",
                                                      "1", "--json", "--quiet", NULL };
       *a; a++)
    g_ptr_array_add (args, (char *) *a);
  for (guint i = 0; options[i]; i++)
    g_ptr_array_add (args, (char *) options[i]);
  g_ptr_array_add (args, NULL);
  r = cli_run (NULL, (const char *const *) args->pdata);
  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  rows = parse_array (parser, r.out);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (rows, 0), "status"),
                   ==, "finished");
  result_clear (&r);
  return json_object_get_object_member (json_array_get_object_element (rows, 0), "config");
}

static void
assert_number (JsonObject *config,
               const char *field,
               double      want)
{
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (config, field), want,
                                  1e-6 * fabs (want));
}

/* Every `recur train` option given to a sweep is in its runs' configuration, as named. */
static void
test_base_options_reach_the_runs (void)
{
  g_autoptr(JsonParser) p1 = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  g_autoptr(JsonParser) p3 = json_parser_new ();
  g_autoptr(JsonParser) p4 = json_parser_new ();
  JsonObject *c;

  c = base_config (p1, (const char *const[]) {
    "--model", "gru", "--hidden", "6", "--layers", "2", "--bidirectional", "--dropout", "0.25",
    "--no-bias", "--window", "10", "--horizon", "4", "--strategy", "recursive", "--batch", "16",
    "--lr", "0.02", "--optimizer", "sgd", "--momentum", "0.5", "--nesterov", "--weight-decay",
    "0.001", "--clip", "0.5", "--loss", "huber", "--scale", "minmax", "--missing", "previous",
    "--schedule", "cosine", "--truncate", "5", "--patience", "3", "--val-fraction", "0.2",
    "--season", "6", "--column", "passengers_thousands", NULL });
  g_assert_cmpstr (json_object_get_string_member (c, "model"), ==, "gru");
  g_assert_cmpint (json_object_get_int_member (c, "hidden"), ==, 6);
  g_assert_cmpint (json_object_get_int_member (c, "layers"), ==, 2);
  g_assert_true (json_object_get_boolean_member (c, "bidirectional"));
  assert_number (c, "dropout", 0.25);
  g_assert_false (json_object_get_boolean_member (c, "bias"));
  g_assert_cmpint (json_object_get_int_member (c, "window"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (c, "horizon"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (c, "strategy"), ==, "recursive");
  g_assert_cmpint (json_object_get_int_member (c, "batch"), ==, 16);
  assert_number (c, "lr", 0.02);
  g_assert_cmpstr (json_object_get_string_member (c, "optimizer"), ==, "sgd");
  assert_number (c, "momentum", 0.5);
  g_assert_true (json_object_get_boolean_member (c, "nesterov"));
  assert_number (c, "weight-decay", 0.001);
  assert_number (c, "clip", 0.5);
  g_assert_cmpstr (json_object_get_string_member (c, "loss"), ==, "huber");
  g_assert_cmpstr (json_object_get_string_member (c, "scale"), ==, "minmax");
  g_assert_cmpstr (json_object_get_string_member (c, "missing"), ==, "previous");
  g_assert_cmpstr (json_object_get_string_member (c, "schedule"), ==, "cosine");
  g_assert_cmpint (json_object_get_int_member (c, "truncate"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (c, "patience"), ==, 3);
  assert_number (c, "val-fraction", 0.2);
  g_assert_cmpint (json_object_get_int_member (c, "season"), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (c, "column"), ==, "passengers_thousands");
  g_assert_cmpint (json_object_get_int_member (c, "seed"), ==, 7);

  c = base_config (p2, (const char *const[]) {
    "--model", "esn", "--reservoir", "30", "--connectivity", "0.2", "--spectral-radius", "0.8",
    "--input-scaling", "0.1", "--leak", "0.7", "--washout", "4", "--ridge", "0.001", NULL });
  g_assert_cmpstr (json_object_get_string_member (c, "model"), ==, "esn");
  g_assert_cmpint (json_object_get_int_member (c, "hidden"), ==, 30);
  assert_number (c, "connectivity", 0.2);
  assert_number (c, "spectral-radius", 0.8);
  assert_number (c, "input-scaling", 0.1);
  assert_number (c, "leak", 0.7);
  g_assert_cmpint (json_object_get_int_member (c, "washout"), ==, 4);
  assert_number (c, "ridge", 0.001);

  c = base_config (p3, (const char *const[]) { "--model", "jordan", "--jordan-feedback", "free",
                                               NULL });
  g_assert_cmpstr (json_object_get_string_member (c, "jordan-feedback"), ==, "free");

  c = base_config (p4, (const char *const[]) { "--model", "clockwork", "--hidden", "6",
                                               "--periods", "1,3,9", NULL });
  {
    JsonArray *periods = json_object_get_array_member (c, "periods");
    g_assert_cmpuint (json_array_get_length (periods), ==, 3);
    g_assert_cmpint (json_array_get_int_element (periods, 2), ==, 9);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/cli/sweep/table-sorted", test_table_sorted);
  g_test_add_func ("/cli/sweep/json-and-files", test_json_and_files);
  g_test_add_func ("/cli/sweep/jobs-give-identical-numbers", test_jobs_give_identical_numbers);
  g_test_add_func ("/cli/sweep/failed-run-listed", test_failed_run_listed);
  g_test_add_func ("/cli/sweep/bad-specs", test_bad_specs);
  g_test_add_func ("/cli/sweep/interrupt", test_interrupt);
  g_test_add_func ("/cli/project/save-reopen-damage-relocate", test_project);
  g_test_add_func ("/cli/project/survives-a-kill", test_project_survives_a_kill);
  g_test_add_func ("/cli/project/lock", test_project_lock);
  g_test_add_func ("/cli/sweep/usage-errors", test_sweep_usage_errors);
  g_test_add_func ("/cli/sweep/base-options-reach-the-runs", test_base_options_reach_the_runs);
  g_test_add_func ("/cli/sweep/no-run-scored", test_no_run_scored);
  g_test_add_func ("/cli/sweep/progress-line-on-a-terminal", test_progress_line_on_a_terminal);
  g_test_add_func ("/cli/project/usage-errors", test_project_usage_errors);
  g_test_add_func ("/cli/project/takes-runs-on-its-data", test_project_takes_runs_on_its_data);
  return g_test_run ();
}
