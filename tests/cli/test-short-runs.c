/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Short jobs, run many times, always end. A `recur train` of two epochs on 120 points takes
 * about 50 ms, most of it before and after training: its main loop and training thread race,
 * and a race that is lost once in a thousand runs hangs a script or a CI job once in a
 * thousand. Each run here gets a deadline; a run past it is a hang.
 *
 * Two ways to lose the race: many runs while busy threads keep every core loaded, and runs
 * whose g_main_loop_run starts late on purpose (tests/preload/late-main-loop.c, named by
 * RECUR_LATE_MAIN_LOOP), which made the old `recur train` hang every time. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#define DEADLINE_SECONDS 30
#define LOADED_RUNS 150
#define LATE_RUNS 5

/* Fewer under ThreadSanitizer (RECUR_LOADED_RUNS, set by tests/cli/meson.build there): a run
 * takes several times as long, and what TSan checks is the threads of each run, which a few
 * dozen runs cover; the normal build runs them all for the odds of a hang. */
static guint
loaded_runs (void)
{
  const char *n = g_getenv ("RECUR_LOADED_RUNS");

  return n ? (guint) g_ascii_strtoull (n, NULL, 10) : LOADED_RUNS;
}

/* ---- keeping the cores busy --------------------------------------------------------------- */

typedef struct
{
  GThread **threads;
  guint n_threads;
  int stop;
} Load;

static gpointer
spin (gpointer data)
{
  Load *load = data;
  volatile guint64 sink = 0;

  while (!g_atomic_int_get (&load->stop))
    sink++;
  return NULL;
}

static void
load_start (Load *load)
{
  load->n_threads = g_get_num_processors ();
  load->threads = g_new (GThread *, load->n_threads);
  g_atomic_int_set (&load->stop, 0);
  for (guint i = 0; i < load->n_threads; i++)
    load->threads[i] = g_thread_new ("load", spin, load);
}

static void
load_stop (Load *load)
{
  g_atomic_int_set (&load->stop, 1);
  for (guint i = 0; i < load->n_threads; i++)
    g_thread_join (load->threads[i]);
  g_free (load->threads);
}

/* ---- one run with a deadline ------------------------------------------------------------ */

static void
on_waited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  gboolean *done = data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs recur with `argv` (after the binary) and `preload` (or NULL) in LD_PRELOAD. Returns
 * FALSE if it had not ended after DEADLINE_SECONDS (it is killed then); else its exit status. */
static gboolean
run_ends (const char *const *args,
          const char        *preload,
          int               *status,
          char             **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + DEADLINE_SECONDS * G_USEC_PER_SEC;
  gboolean done = FALSE, ended;
  guint tick;

  g_ptr_array_add (argv, (char *) g_getenv ("RECUR_BIN"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  if (preload)
    {
      /* a sanitized shim comes before the sanitizer's runtime in the library list: fine here */
      g_autofree char *asan = g_strconcat (g_getenv ("ASAN_OPTIONS") ?: "",
                                           ":verify_asan_link_order=0", NULL);
      g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", preload, TRUE);
      g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
    }
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);

  /* stderr is small (--quiet): the pipe never fills while we wait */
  g_subprocess_wait_async (proc, NULL, on_waited, &done);
  tick = g_timeout_add (20, wake, NULL);
  while (!done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  ended = done;
  if (!ended)
    g_subprocess_force_exit (proc);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);

  /* killed by a signal: minus its number */
  if (!ended)
    *status = -1;
  else if (g_subprocess_get_if_exited (proc))
    *status = g_subprocess_get_exit_status (proc);
  else
    *status = -g_subprocess_get_term_sig (proc);
  *err = NULL;
  {
    GInputStream *stream = g_subprocess_get_stderr_pipe (proc);
    char buffer[4096];
    gssize n = g_input_stream_read (stream, buffer, sizeof buffer - 1, NULL, NULL);
    *err = g_strndup (buffer, MAX (n, 0));
  }
  return ended;
}

/* ---- the data --------------------------------------------------------------------------- */

/* A folder of this process's own (not a fixed name in /tmp, which another test run or a user
 * may be using), removed when the tests end */
static char *work_dir;

/* The first 120 months of the airline passengers: 120 points, as in the report. */
static char *
short_csv (void)
{
  g_autofree char *source = g_test_build_filename (G_TEST_DIST, "..", "data",
                                                   "air_passengers.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autofree char *head = NULL;
  char *path = g_build_filename (work_dir, "short-120.csv", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_get_contents (source, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", 122);
  g_assert_cmpuint (g_strv_length (lines), ==, 122);
  g_free (lines[121]);
  lines[121] = g_strdup ("");
  head = g_strjoinv ("\n", lines);
  g_file_set_contents (path, head, -1, &error);
  g_assert_no_error (error);
  return path;
}

static void
assert_ends (const char *const *args,
             const char        *preload,
             guint              n_runs,
             const char        *what)
{
  guint hangs = 0, failures = 0;

  for (guint i = 0; i < n_runs; i++)
    {
      g_autofree char *err = NULL;
      int status;

      if (!run_ends (args, preload, &status, &err))
        {
          hangs++;
          g_test_message ("%s: run %u of %u never ended (killed after %d s)", what, i + 1,
                          n_runs, DEADLINE_SECONDS);
          if (preload)
            break; /* each further one would wait out the deadline too */
        }
      else if (status != 0)
        {
          failures++;
          if (status < 0)
            g_test_message ("%s: run %u was killed by signal %d (%s): %s", what, i + 1, -status,
                            g_strsignal (-status), err);
          else
            g_test_message ("%s: run %u exited with %d: %s", what, i + 1, status, err);
        }
    }
  g_assert_cmpuint (hangs, ==, 0);
  g_assert_cmpuint (failures, ==, 0);
}

/* ---- tests ------------------------------------------------------------------------------ */

static void
test_train_ends_under_load (void)
{
  g_autofree char *csv = short_csv ();
  const char *args[] = { "train", csv, "--model", "lstm", "--epochs", "2", "--quiet", NULL };
  Load load;

  load_start (&load);
  assert_ends (args, NULL, loaded_runs (), "recur train under load");
  load_stop (&load);
}

static void
test_train_ends_with_late_main_loop (void)
{
  g_autofree char *csv = short_csv ();
  const char *args[] = { "train", csv, "--model", "lstm", "--epochs", "2", "--quiet", NULL };

  assert_ends (args, g_getenv ("RECUR_LATE_MAIN_LOOP"), LATE_RUNS, "recur train, late loop");
}

static void
test_sweep_ends_with_late_main_loop (void)
{
  g_autofree char *csv = short_csv ();
  const char *args[] = { "sweep", csv, "--grid", "hidden=4,8", "--epochs", "2", "--jobs", "2",
                         "--quiet", NULL };

  assert_ends (args, g_getenv ("RECUR_LATE_MAIN_LOOP"), LATE_RUNS, "recur sweep, late loop");
}

static void
test_sweep_ends_under_load (void)
{
  g_autofree char *csv = short_csv ();
  const char *args[] = { "sweep", csv, "--grid", "hidden=4,8", "--epochs", "2", "--jobs", "2",
                         "--quiet", NULL };
  Load load;

  load_start (&load);
  assert_ends (args, NULL, loaded_runs () / 3, "recur sweep under load");
  load_stop (&load);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *csv = NULL;
  int status;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_nonnull (g_getenv ("RECUR_BIN"));
  g_assert_nonnull (g_getenv ("RECUR_LATE_MAIN_LOOP"));
  g_test_add_func ("/cli/short-runs/train-ends-with-late-main-loop",
                   test_train_ends_with_late_main_loop);
  g_test_add_func ("/cli/short-runs/sweep-ends-with-late-main-loop",
                   test_sweep_ends_with_late_main_loop);
  g_test_add_func ("/cli/short-runs/train-ends-under-load", test_train_ends_under_load);
  g_test_add_func ("/cli/short-runs/sweep-ends-under-load", test_sweep_ends_under_load);
  work_dir = g_dir_make_tmp ("recur-short-runs-XXXXXX", NULL);
  g_assert_nonnull (work_dir);
  status = g_test_run ();
  csv = g_build_filename (work_dir, "short-120.csv", NULL);
  g_remove (csv);
  g_rmdir (work_dir);
  g_free (work_dir);
  return status;
}
