/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether argv names one of the headless commands (train, forecast, info, …). */
gboolean recur_cli_is_command (int    argc,
                               char **argv);
/* Runs a headless command; returns the process exit status. */
int      recur_cli_run        (int    argc,
                               char **argv);
/* Prints the top-level usage to stdout. */
void     recur_cli_print_usage (void);

G_END_DECLS
