/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-app"
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <unistd.h>

#include "recur-blas.h"
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

/* Under an address-space limit (ulimit -v), OpenBLAS's worker threads, started as the library
 * loaded, may be waiting for ever for buffers that do not fit (recur-blas.h): start again
 * without them, then map the one buffer Recur's thread needs while there is room, or say that
 * there is none. FALSE, with the message printed, when it does not fit. */
static gboolean
fit_openblas (char **argv)
{
  g_autoptr(GError) error = NULL;

  if (!recur_blas_address_space_limited ())
    return TRUE;
  if (g_getenv ("OPENBLAS_NUM_THREADS") == NULL)
    {
      g_setenv ("OPENBLAS_NUM_THREADS", "1", TRUE);
      execv ("/proc/self/exe", argv);
      /* not restarted: go on, the worker threads may still find room */
    }
  if (!recur_blas_reserve (&error))
    {
      g_printerr ("recur: %s\n", error->message);
      return FALSE;
    }
  return TRUE;
}

int
main (int    argc,
      char **argv)
{
  setup_i18n ();
  if (!fit_openblas (argv))
    return 1;
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
