/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-app"
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "recur-cli.h"
#ifdef HAVE_GUI
#include "recur-application.h"
#endif

/* An uninstalled build finds its translations through RECUR_LOCALEDIR (set by the tests and
 * the README's run script); an installed one in LOCALEDIR. */
static void
setup_i18n (void)
{
  const char *dir = g_getenv ("RECUR_LOCALEDIR");

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, dir && *dir ? dir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
}

static gboolean
have_display (void)
{
  return (g_getenv ("DISPLAY") && *g_getenv ("DISPLAY"))
         || (g_getenv ("WAYLAND_DISPLAY") && *g_getenv ("WAYLAND_DISPLAY"));
}

int
main (int    argc,
      char **argv)
{
  setup_i18n ();
  if (recur_cli_is_command (argc, argv))
    return recur_cli_run (argc, argv);
#ifdef HAVE_GUI
  if (have_display ())
    {
      g_autoptr(RecurApplication) app = recur_application_new ();
      g_set_application_name ("Recur");
      return g_application_run (G_APPLICATION (app), argc, argv);
    }
  g_printerr ("%s\n", _("No display: the window cannot open. The headless commands follow."));
#else
  (void) have_display;
#endif
  recur_cli_print_usage ();
  return argc > 1 ? 2 : 0;
}
