/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `recur sweep --project` killed with SIGKILL at 50 moments drawn from a fixed seed: each time
 * the project opens with every finished run intact and at most the epoch in progress of each
 * other run lost (kill-loop.h). */
#include "config.h"

#include "kill-loop.h"

static char *csv_path;

static GStrv
sweep_argv (const char *project,
            gpointer    user_data)
{
  const char *const argv[] = { g_getenv ("RECUR_BIN"), "sweep", csv_path,
                               "--grid", "hidden=4,6,8", "--epochs", "120", "--patience", "0",
                               "--window", "12", "--horizon", "6", "--jobs", "2",
                               "--project", project, NULL };

  return g_strdupv ((char **) argv);
}

static void
test_kill_sweep (void)
{
  KillLoop loop = {
    .what = "recur sweep",
    .csv = csv_path,
    .recur = g_getenv ("RECUR_BIN"),
    .n_runs = 3,
    .iterations = 50,
    .seed = 13,
    .argv_for = sweep_argv,
  };

  kill_loop_run (&loop);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  csv_path = g_test_build_filename (G_TEST_DIST, "..", "data", "nottingham_temperature.csv",
                                    NULL);
  g_test_add_func ("/cli/project/kill-loop", test_kill_sweep);
  return g_test_run ();
}
