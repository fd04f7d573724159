/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-app"
#include "config.h"

#include <glib/gi18n.h>

#include "recur-application.h"
#include "recur-blas.h"
#include "recur-window.h"

struct _RecurApplication
{
  GtkApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (RecurApplication, recur_application, GTK_TYPE_APPLICATION)

/* The bundled series shown when no file is given, so the first screen is never empty. */
static char *
find_sample (void)
{
  const char *dir = g_getenv ("RECUR_DATADIR");
  g_autofree char *installed = g_build_filename (RECUR_DATADIR, "samples",
                                                 "nottingham_temperature.csv", NULL);

  if (dir && *dir)
    return g_build_filename (dir, "nottingham_temperature.csv", NULL);
  if (g_file_test (installed, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&installed);
  return g_build_filename (RECUR_SOURCE_DATADIR, "nottingham_temperature.csv", NULL);
}

static void
recur_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autofree char *sample = NULL;

  if (window == NULL)
    {
      window = GTK_WINDOW (recur_window_new (GTK_APPLICATION (app)));
      sample = find_sample ();
      recur_window_open_path (RECUR_WINDOW (window), sample);
    }
  gtk_window_present (window);
}

static void
recur_application_open (GApplication  *app,
                        GFile        **files,
                        int            n_files,
                        const char    *hint)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autofree char *path = g_file_get_path (files[0]);

  if (window == NULL)
    window = GTK_WINDOW (recur_window_new (GTK_APPLICATION (app)));
  /* `recur DIR.recur`: a project folder opens as Open Project… opens it */
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    recur_window_open_project (RECUR_WINDOW (window), path);
  else
    recur_window_open_path (RECUR_WINDOW (window), path);
  gtk_window_present (window);
}

static void
recur_application_startup (GApplication *app)
{
  static const char *const quit[] = { "<Control>q", NULL };
  static const char *const open[] = { "<Control>o", NULL };
  static const char *const train[] = { "<Control>Return", NULL };
  static const char *const stop[] = { "Escape", NULL };
  static const char *const export[] = { "<Control>e", NULL };

  G_APPLICATION_CLASS (recur_application_parent_class)->startup (app);
  /* Runs train side by side on the app's pool: one BLAS thread each keeps
   * runs × BLAS threads within the cores. */
  recur_blas_configure (1);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "app.quit", quit);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.open", open);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.train", train);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.stop", stop);
  gtk_application_set_accels_for_action (GTK_APPLICATION (app), "win.export", export);
}

static void
on_quit (GSimpleAction *action,
         GVariant      *parameter,
         gpointer       user_data)
{
  GtkApplication *app = user_data;
  /* a window that closes at once leaves the app's list, and that node is freed: walk a copy,
   * holding each window until it has been asked */
  GList *windows = g_list_copy (gtk_application_get_windows (app));

  for (GList *l = windows; l; l = l->next)
    g_object_ref (l->data);
  /* each window asks before it stops a training run */
  for (GList *l = windows; l; l = l->next)
    gtk_window_close (l->data);
  g_list_free_full (windows, g_object_unref);
}

static void
on_about (GSimpleAction *action,
          GVariant      *parameter,
          gpointer       user_data)
{
  GtkApplication *app = user_data;

  gtk_show_about_dialog (gtk_application_get_active_window (app),
                         "program-name", "Recur",
                         "logo-icon-name", RECUR_APP_ID,
                         "version", PACKAGE_VERSION,
                         "comments", _("Forecast time series with recurrent neural networks"),
                         "license-type", GTK_LICENSE_GPL_3_0,
                         NULL);
}

static void
recur_application_class_init (RecurApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  app_class->activate = recur_application_activate;
  app_class->open = recur_application_open;
  app_class->startup = recur_application_startup;
}

static void
recur_application_init (RecurApplication *self)
{
  static const GActionEntry entries[] = {
    { "quit", on_quit },
    { "about", on_about },
  };

  g_action_map_add_action_entries (G_ACTION_MAP (self), entries, G_N_ELEMENTS (entries), self);
}

RecurApplication *
recur_application_new (void)
{
  return g_object_new (RECUR_TYPE_APPLICATION,
                       "application-id", RECUR_APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN | G_APPLICATION_NON_UNIQUE,
                       "resource-base-path", "/org/recur/Recur",
                       NULL);
}
