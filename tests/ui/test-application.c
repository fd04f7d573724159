/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The GtkApplication itself, started in this process as `recur` starts it (g_application_run
 * on a fresh app with the command line's files): the window it opens on the file given or on
 * the bundled series, a file opened later going to that window, the shortcuts and actions it
 * installs, and quitting, which ends the run with status 0 and the window gone. The checks run
 * from the app's own main loop; each test ends the app through app.quit. */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <stdlib.h>
#include <string.h>

#include "recur-application.h"
#include "recur-params-panel.h"
#include "recur-window.h"
#include "../test-tmp.h"

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (gboolean (*cond) (gpointer),
          gpointer  data,
          guint     timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, wake, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return ok;
}

/* Canonical, as the app's GFile makes the paths of the command line. */
static char *
data_file (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", name, NULL);

  return g_canonicalize_filename (path, NULL);
}

static gboolean
is_loaded (gpointer w)
{
  return !recur_window_is_loading (w) && recur_window_get_series (w) != NULL;
}

typedef struct
{
  const char *path;
  RecurWindow *window;
} Loading;

/* The window has finished loading `path`. */
static gboolean
has_loaded (gpointer data)
{
  Loading *l = data;
  RecurSeries *series = recur_window_get_series (l->window);

  return !recur_window_is_loading (l->window) && series != NULL
         && g_str_equal (recur_series_get_path (series), l->path);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer type)
{
  return find_toplevel ((GType) GPOINTER_TO_SIZE (type)) != NULL;
}

static gboolean
window_gone (gpointer weak)
{
  return *(gpointer *) weak == NULL;
}

/* A test's checks, run once the app's main loop is running; `done` says they all ran. */
typedef void (*Checks) (GtkApplication *app);

typedef struct
{
  Checks checks;
  GtkApplication *app;
  gboolean done;
} Session;

static void
run_checks (gpointer data)
{
  Session *s = data;

  s->checks (s->app);
  s->done = TRUE;
}

/* Starts a fresh app with argv (the files after "recur"), runs checks inside it, and returns
 * g_application_run's status once the app has ended; the app is gone by then. */
static int
run_app (const char *const *files,
         Checks             checks)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  RecurApplication *app = recur_application_new ();
  gpointer weak = app;
  Session s = { checks, GTK_APPLICATION (app), FALSE };
  int status;

  g_ptr_array_add (argv, (char *) "recur");
  for (guint i = 0; files && files[i]; i++)
    g_ptr_array_add (argv, (char *) files[i]);
  g_ptr_array_add (argv, NULL);
  g_idle_add_once (run_checks, &s);
  status = g_application_run (G_APPLICATION (app), (int) argv->len - 1, (char **) argv->pdata);
  g_assert_true (s.done);
  g_assert_null (gtk_application_get_windows (GTK_APPLICATION (app)));
  g_object_add_weak_pointer (G_OBJECT (app), &weak);
  g_object_unref (app);
  g_assert_null (weak);
  return status;
}

/* The one window of the app, once it has shown. */
static RecurWindow *
the_window (GtkApplication *app)
{
  GList *windows = gtk_application_get_windows (app);
  GtkWindow *win;

  g_assert_nonnull (windows);
  g_assert_null (windows->next);
  win = windows->data;
  g_assert_true (RECUR_IS_WINDOW (win));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (win)));
  g_assert_true (gtk_application_get_active_window (app) == win);
  return RECUR_WINDOW (win);
}

/* app.quit closes the window; the app's run then ends. */
static void
quit (GtkApplication *app)
{
  gpointer weak = the_window (app);

  g_object_add_weak_pointer (weak, &weak);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_assert_true (wait_for (window_gone, &weak, 10000));
}

/* ---- the file given, or the bundled series ------------------------------------------------ */

/* what the app was given and what the window should show */
static const char *given_path;
static guint given_rows;

static void
check_opens_the_file_given (GtkApplication *app)
{
  Loading l = { given_path, the_window (app) };

  g_assert_true (wait_for (has_loaded, &l, 10000));
  g_assert_cmpuint (recur_series_get_n_rows (recur_window_get_series (l.window)), ==, 144);
  g_assert_null (recur_window_get_error_text (l.window));
  quit (app);
}

static void
test_opens_the_file_given (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *const files[] = { csv, NULL };

  given_path = csv;
  g_assert_cmpint (run_app (files, check_opens_the_file_given), ==, 0);
}

static gboolean
has_two_runs (gpointer win)
{
  return g_list_model_get_n_items (recur_window_get_runs (win)) == 2;
}

static void
check_opens_the_project_given (GtkApplication *app)
{
  RecurWindow *win = the_window (app);

  g_assert_true (wait_for (has_two_runs, win, 10000));
  g_assert_nonnull (recur_window_get_series (win));
  g_assert_cmpstr (recur_series_get_path (recur_window_get_series (win)), ==, given_path);
  g_assert_null (recur_window_get_error_text (win));
  quit (app);
}

/* `recur DIR.recur`: the project folder opens with its data and its runs, as Open Project…
 * opens it (a folder is not read as a CSV). */
static void
test_opens_the_project_given (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *dir = test_temp_dir ("recur-app-XXXXXX");
  g_autofree char *project = g_build_filename (dir, "p.recur", NULL);
  const char *argv[] = { g_getenv ("RECUR_BIN"), "sweep", csv, "--model", "gru", "--epochs", "2",
                         "--grid", "hidden=4,8", "--project", project, "--quiet", NULL };
  const char *const files[] = { project, NULL };
  g_autoptr(GError) error = NULL;
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  given_path = g_canonicalize_filename (csv, NULL);
  g_assert_cmpint (run_app (files, check_opens_the_project_given), ==, 0);
  g_free ((char *) given_path);
  given_path = NULL;
}

static void
check_opens_the_bundled_series (GtkApplication *app)
{
  RecurWindow *win = the_window (app);
  RecurSeries *series;

  g_assert_true (wait_for (is_loaded, win, 10000));
  series = recur_window_get_series (win);
  g_assert_cmpstr (recur_series_get_path (series), ==, given_path);
  g_assert_cmpuint (recur_series_get_n_rows (series), ==, given_rows);
  quit (app);
}

static void
test_opens_the_bundled_series (void)
{
  g_autofree char *source = g_build_filename (RECUR_SOURCE_DATADIR, "nottingham_temperature.csv",
                                              NULL);
  g_autofree char *installed = g_build_filename (RECUR_DATADIR, "samples",
                                                 "nottingham_temperature.csv", NULL);

  /* an uninstalled build: the series in the source tree (installed, the installed copy) */
  given_path = g_file_test (installed, G_FILE_TEST_EXISTS) ? installed : source;
  given_rows = 240;
  g_assert_cmpint (run_app (NULL, check_opens_the_bundled_series), ==, 0);
}

/* RECUR_DATADIR points the app at another samples folder (a packager's, a test's). */
static void
test_bundled_series_from_datadir (void)
{
  g_autofree char *dir = test_temp_dir ("recur-app-XXXXXX");
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *copy = g_build_filename (dir, "nottingham_temperature.csv", NULL);
  g_autofree char *contents = NULL;
  gsize len;

  g_assert_true (g_file_get_contents (csv, &contents, &len, NULL));
  g_assert_true (g_file_set_contents (copy, contents, (gssize) len, NULL));
  g_setenv ("RECUR_DATADIR", dir, TRUE);
  given_path = copy;
  given_rows = 144;
  g_assert_cmpint (run_app (NULL, check_opens_the_bundled_series), ==, 0);
  g_unsetenv ("RECUR_DATADIR");
  g_remove (copy);
  g_rmdir (dir);
}

/* ---- a file opened while the app runs ----------------------------------------------------- */

static void
check_second_file_goes_to_the_window (GtkApplication *app)
{
  g_autofree char *first = data_file ("air_passengers.csv");
  g_autofree char *second = data_file ("gold_price.csv");
  g_autoptr(GFile) file = g_file_new_for_path (second);
  Loading l = { first, the_window (app) };

  g_assert_true (wait_for (has_loaded, &l, 10000));
  /* as a second `recur gold_price.csv` handed to a running app would: the same window loads it */
  g_application_open (G_APPLICATION (app), &file, 1, "");
  l.path = second;
  g_assert_true (wait_for (has_loaded, &l, 10000));
  g_assert_true (the_window (app) == l.window);
  g_assert_cmpuint (recur_series_get_n_rows (recur_window_get_series (l.window)), ==, 1108);
  /* and activating again (the launcher clicked) presents it, no second window */
  g_application_activate (G_APPLICATION (app));
  g_assert_true (the_window (app) == l.window);
  g_assert_true (g_str_equal (recur_series_get_path (recur_window_get_series (l.window)), second));
  quit (app);
}

static void
test_second_file_goes_to_the_window (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *const files[] = { csv, NULL };

  g_assert_cmpint (run_app (files, check_second_file_goes_to_the_window), ==, 0);
}

static gboolean
shows_error (gpointer w)
{
  return recur_window_get_error_text (w) != NULL;
}

/* A file that is not a series: the window opens anyway and says why, naming the file. */
static void
check_bad_file_shows_the_error (GtkApplication *app)
{
  RecurWindow *win = the_window (app);
  const char *text;

  g_assert_true (wait_for (shows_error, win, 10000));
  text = recur_window_get_error_text (win);
  g_assert_nonnull (strstr (text, given_path));
  g_assert_null (recur_window_get_series (win));
  quit (app);
}

static void
test_bad_file_shows_the_error (void)
{
  const char *const files[] = { "/nonexistent/series.csv", NULL };

  given_path = "/nonexistent/series.csv";
  g_assert_cmpint (run_app (files, check_bad_file_shows_the_error), ==, 0);
}

/* ---- shortcuts and actions ---------------------------------------------------------------- */

static void
assert_accel (GtkApplication *app,
              const char     *action,
              const char     *accel)
{
  g_auto(GStrv) accels = gtk_application_get_accels_for_action (app, action);
  g_auto(GStrv) actions = gtk_application_get_actions_for_accel (app, accel);

  g_assert_cmpuint (g_strv_length (accels), ==, 1);
  g_assert_cmpstr (accels[0], ==, accel);
  g_assert_true (g_strv_contains ((const char *const *) actions, action));
}

static void
check_shortcuts (GtkApplication *app)
{
  RecurWindow *win = the_window (app);
  GtkWindow *shortcuts;

  g_assert_true (wait_for (is_loaded, win, 10000));
  assert_accel (app, "app.quit", "<Control>q");
  assert_accel (app, "win.open", "<Control>o");
  assert_accel (app, "win.train", "<Control>Return");
  assert_accel (app, "win.stop", "Escape");
  assert_accel (app, "win.export", "<Control>e");
  /* the actions they name exist where the shortcuts look for them */
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "quit"));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (app), "about"));
  /* the window's shortcuts overlay (Ctrl+?), from the app's resources */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.show-help-overlay", NULL));
  g_assert_true (wait_for (dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_SHORTCUTS_WINDOW), 5000));
  shortcuts = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW);
  g_assert_true (gtk_window_get_transient_for (shortcuts) == GTK_WINDOW (win));
  gtk_window_close (shortcuts);
  quit (app);
}

static void
test_shortcuts (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *const files[] = { csv, NULL };

  g_assert_cmpint (run_app (files, check_shortcuts), ==, 0);
}

static void
check_about (GtkApplication *app)
{
  RecurWindow *win = the_window (app);
  GtkAboutDialog *about;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (wait_for (dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_ABOUT_DIALOG), 5000));
  about = GTK_ABOUT_DIALOG (find_toplevel (GTK_TYPE_ABOUT_DIALOG));
  g_assert_cmpstr (gtk_about_dialog_get_program_name (about), ==, "Recur");
  g_assert_cmpstr (gtk_about_dialog_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpint (gtk_about_dialog_get_license_type (about), ==, GTK_LICENSE_GPL_3_0);
  g_assert_true (gtk_window_get_transient_for (GTK_WINDOW (about)) == GTK_WINDOW (win));
  gtk_window_destroy (GTK_WINDOW (about));
  quit (app);
}

static void
test_about (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *const files[] = { csv, NULL };

  g_assert_cmpint (run_app (files, check_about), ==, 0);
}

/* ---- quitting while a run trains ---------------------------------------------------------- */

static gboolean
has_epochs (gpointer w)
{
  RecurRun *run = recur_window_get_run (w);
  return run && recur_run_get_n_epochs (run) >= 2;
}

static GtkWidget *
find_child (GtkWidget *root,
            GType      type)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;
      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type))
        return c;
      if ((found = find_child (c, type)))
        return found;
    }
  return NULL;
}

/* Quit asks before it stops a run; declined, the app goes on training; accepted, the run stops
 * with its best weights and the app ends. */
static void
check_quit_while_training_asks (GtkApplication *app)
{
  RecurWindow *win = the_window (app);
  RecurParamsPanel *panel;
  RecurJobConfig config;
  RecurRun *run;
  GtkWindow *dialog;
  gpointer weak = win;

  g_assert_true (wait_for (is_loaded, win, 10000));
  panel = RECUR_PARAMS_PANEL (find_child (GTK_WIDGET (win), RECUR_TYPE_PARAMS_PANEL));
  recur_job_config_init (&config);
  recur_params_panel_get_config (panel, &config);
  config.train.epochs = 100000;
  config.train.patience = 0;
  recur_params_panel_set_config (panel, &config);
  recur_job_config_clear (&config);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL));
  g_assert_true (wait_for (has_epochs, win, 30000));
  run = g_object_ref (recur_window_get_run (win));

  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_assert_true (wait_for (dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_MESSAGE_DIALOG), 5000));
  dialog = find_toplevel (GTK_TYPE_MESSAGE_DIALOG);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_CANCEL);
  g_assert_true (the_window (app) == win);
  g_assert_true (recur_window_is_training (win));

  g_object_add_weak_pointer (G_OBJECT (win), &weak);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  g_assert_true (wait_for (dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_MESSAGE_DIALOG), 5000));
  dialog = find_toplevel (GTK_TYPE_MESSAGE_DIALOG);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  g_assert_true (wait_for (window_gone, &weak, 10000));
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_STOPPED);
  g_assert_cmpuint (recur_job_get_summary (recur_run_get_job (run))->best_epoch, >, 0);
  g_object_unref (run);
}

static void
test_quit_while_training_asks (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *const files[] = { csv, NULL };

  g_assert_cmpint (run_app (files, check_quit_while_training_asks), ==, 0);
}

/* ---- the recur binary, as a user starts it ------------------------------------------------ */

/* Runs a command to its end (at most `seconds`), returns its stdout without the newline. */
static char *
run_tool (const char *const *argv,
          int                *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, status, &error);
  g_assert_no_error (error);
  return g_strchomp (g_steal_pointer (&out));
}

static void
on_exited (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) data = TRUE;
}

static gboolean
is_true (gpointer flag)
{
  return *(gboolean *) flag;
}

/* `recur FILE` under the display opens its window on FILE (added to the recent files, in a
 * folder of this test's) and quits on Ctrl+Q with status 0. Keys go through XTEST, as a
 * keyboard's would (xdotool; build-aux/install-deps installs it for the tests). */
static void
test_binary_opens_the_file_and_quits_on_ctrl_q (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *uri = g_filename_to_uri (csv, NULL, NULL);
  g_autofree char *data_home = test_temp_dir ("recur-app-XXXXXX");
  g_autofree char *recent = g_build_filename (data_home, "recently-used.xbel", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *window = NULL;
  g_autofree char *name = NULL;
  g_autofree char *xbel = NULL;
  g_autofree char *xdotool = g_find_program_in_path ("xdotool");
  gboolean exited = FALSE;
  int status;

  if (xdotool == NULL)
    {
      g_test_skip ("xdotool is not installed (build-aux/install-deps test installs it)");
      return;
    }
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  proc = g_subprocess_launcher_spawn (launcher, &error, g_getenv ("RECUR_BIN"), csv, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (proc, NULL, on_exited, &exited);

  /* its window, once mapped: named Recur */
  window = run_tool ((const char *const[]) { "timeout", "60", "xdotool", "search", "--sync",
                                             "--onlyvisible", "--pid",
                                             g_subprocess_get_identifier (proc), NULL }, &status);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_cmpstr (window, !=, "");
  g_assert_null (strchr (window, '\n')); /* one window */
  name = run_tool ((const char *const[]) { "xdotool", "getwindowname", window, NULL }, &status);
  g_assert_cmpstr (name, ==, "Recur");

  g_free (run_tool ((const char *const[]) { "xdotool", "windowfocus", "--sync", window, "key",
                                            "ctrl+q", NULL }, &status));
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  if (!wait_for (is_true, &exited, 30000))
    {
      g_subprocess_force_exit (proc);
      g_error ("recur did not quit on Ctrl+Q");
    }
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);

  g_assert_true (g_file_get_contents (recent, &xbel, NULL, NULL));
  g_assert_nonnull (strstr (xbel, uri));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *home = NULL;
  g_autofree char *command = NULL;
  int status;

  if (!g_getenv ("DISPLAY") && !g_getenv ("WAYLAND_DISPLAY"))
    {
      g_print ("1..0 # SKIP no display: run under xvfb-run -a dbus-run-session\n");
      return 0;
    }
  /* The recent files the window adds to go to a folder of this run's, not the user's: one for
   * the whole process, as GTK's recent-files manager is made once (so not the per-test dirs of
   * G_TEST_OPTION_ISOLATE_DIRS, which are gone when the manager saves after a test). */
  home = g_dir_make_tmp ("recur-app-XXXXXX", NULL);
  g_assert_nonnull (home);
  g_setenv ("XDG_DATA_HOME", home, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/application/opens-the-file-given", test_opens_the_file_given);
  g_test_add_func ("/ui/application/opens-the-bundled-series", test_opens_the_bundled_series);
  g_test_add_func ("/ui/application/opens-the-project-given", test_opens_the_project_given);
  g_test_add_func ("/ui/application/bundled-series-from-datadir", test_bundled_series_from_datadir);
  g_test_add_func ("/ui/application/second-file-goes-to-the-window",
                   test_second_file_goes_to_the_window);
  g_test_add_func ("/ui/application/bad-file-shows-the-error", test_bad_file_shows_the_error);
  g_test_add_func ("/ui/application/shortcuts", test_shortcuts);
  g_test_add_func ("/ui/application/about", test_about);
  g_test_add_func ("/ui/application/quit-while-training-asks", test_quit_while_training_asks);
  g_test_add_func ("/ui/application/binary-opens-the-file-and-quits-on-ctrl-q",
                   test_binary_opens_the_file_and_quits_on_ctrl_q);
  status = g_test_run ();
  command = g_strdup_printf ("rm -rf '%s'", home);
  if (system (command) != 0)
    status = 1;
  return status;
}
