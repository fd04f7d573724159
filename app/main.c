/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-app"
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>

#include "recur-cli.h"

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

int
main (int    argc,
      char **argv)
{
  setup_i18n ();
  if (recur_cli_is_command (argc, argv))
    return recur_cli_run (argc, argv);
  recur_cli_print_usage ();
  return argc > 1 ? 2 : 0;
}
