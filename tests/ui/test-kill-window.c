/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window training into a project, killed with SIGKILL at 50 moments drawn from a fixed seed
 * (kill-loop.h): the process killed is this executable run as a child (--child CSV PROJECT),
 * which does what a person does in the app: open the CSV, Train, Save Project As… while that
 * run trains, Train twice more, and wait. The runs' files are written by the window's own
 * project sync, which is what dies. */
#include "config.h"

#include <gtk/gtk.h>
#include <stdio.h>

#include "kill-loop.h"
#include "recur-blas.h"
#include "recur-params-panel.h"
#include "recur-window.h"

/* ---- the child: the window, training ------------------------------------------------------ */

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
iterate_until (gboolean (*cond) (gpointer),
               gpointer   data)
{
  guint tick = g_timeout_add (10, wake, NULL);

  while (!cond (data))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
}

static gboolean
is_loaded (gpointer w)
{
  return !recur_window_is_loading (w) && recur_window_get_series (w) != NULL;
}

static gboolean
first_run_trains (gpointer w)
{
  RecurRun *run = recur_window_get_run (w);

  return run && (recur_run_get_n_epochs (run) >= 5 || !recur_run_is_active (run));
}

static gboolean
all_runs_done (gpointer w)
{
  GListModel *runs = recur_window_get_runs (w);

  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (runs, i);
      if (recur_run_is_active (run))
        return FALSE;
    }
  return TRUE;
}

static GtkWidget *
find_panel (GtkWidget *root)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;
      if (RECUR_IS_PARAMS_PANEL (c))
        return c;
      if ((found = find_panel (c)))
        return found;
    }
  return NULL;
}

/* Said once the window has written the run's end (its "finished" handler ran first). */
static void
on_finished (RecurRun *run,
             gpointer  data)
{
  g_autofree char *line = g_strdup_printf ("finished: %s\n", recur_run_get_name (run));

  fputs (line, stderr);
  fflush (stderr);
}

static void
train (GtkWidget *win,
       guint      hidden)
{
  RecurParamsPanel *panel = RECUR_PARAMS_PANEL (find_panel (win));
  RecurJobConfig config;

  recur_job_config_init (&config);
  recur_params_panel_get_config (panel, &config);
  config.model.hidden_size = hidden;
  config.model.window = 12;
  config.model.horizon = 6;
  config.train.epochs = 400; /* training, not the start-up of GTK, is most of its life */
  config.train.patience = 0;
  recur_params_panel_set_config (panel, &config);
  recur_job_config_clear (&config);
  g_assert_true (gtk_widget_activate_action (win, "win.train", NULL));
  g_signal_connect (recur_window_get_run (RECUR_WINDOW (win)), "finished",
                    G_CALLBACK (on_finished), NULL);
}

static int
run_child (const char *csv,
           const char *project)
{
  GtkWidget *win;

  gtk_init ();
  recur_blas_configure (1); /* as the app does */
  win = recur_window_new (NULL);
  gtk_window_present (GTK_WINDOW (win));
  recur_window_open_path (RECUR_WINDOW (win), csv);
  iterate_until (is_loaded, win);
  train (win, 4);
  iterate_until (first_run_trains, win);
  recur_window_save_project (RECUR_WINDOW (win), project);
  if (recur_window_get_error_text (RECUR_WINDOW (win)))
    {
      g_printerr ("%s\n", recur_window_get_error_text (RECUR_WINDOW (win)));
      return 1;
    }
  train (win, 6);
  train (win, 8);
  iterate_until (all_runs_done, win);
  gtk_window_destroy (GTK_WINDOW (win));
  while (g_main_context_pending (NULL))
    g_main_context_iteration (NULL, FALSE);
  return 0;
}

/* ---- the parent: the loop ------------------------------------------------------------------ */

static char *csv_path;
static char *self_path;

static GStrv
child_argv (const char *project,
            gpointer    user_data)
{
  const char *const argv[] = { self_path, "--child", csv_path, project, NULL };

  return g_strdupv ((char **) argv);
}

static void
test_kill_window (void)
{
  KillLoop loop = {
    .what = "the window",
    .csv = csv_path,
    .recur = g_getenv ("RECUR_BIN"),
    .n_runs = 3,
    .iterations = 50,
    .seed = 13,
    .argv_for = child_argv,
  };

  kill_loop_run (&loop);
}

int
main (int    argc,
      char **argv)
{
  if (argc == 4 && g_str_equal (argv[1], "--child"))
    return run_child (argv[2], argv[3]);
  if (!g_getenv ("DISPLAY") && !g_getenv ("WAYLAND_DISPLAY"))
    {
      g_print ("1..0 # SKIP no display: run under xvfb-run -a dbus-run-session\n");
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  self_path = g_file_read_link ("/proc/self/exe", NULL);
  g_assert_nonnull (self_path);
  csv_path = g_test_build_filename (G_TEST_DIST, "..", "data", "nottingham_temperature.csv",
                                    NULL);
  g_test_add_func ("/ui/project/kill-loop", test_kill_window);
  return g_test_run ();
}
