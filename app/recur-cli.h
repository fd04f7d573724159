/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-job.h"

G_BEGIN_DECLS

/* Whether argv names one of the headless commands (train, forecast, info, …). */
gboolean recur_cli_is_command (int    argc,
                               char **argv);
/* Runs a headless command; returns the process exit status. */
int      recur_cli_run        (int    argc,
                               char **argv);
/* Prints text padded to `columns` terminal columns (wide characters count twice). */
void     recur_cli_print_padded (const char *text,
                                 int         columns);
/* Prints the top-level usage to stdout. */
void     recur_cli_print_usage (void);

/* Exit statuses: 0 success, 1 the input or the run failed, 2 the command line is wrong,
 * 130 interrupted (Ctrl-C), as shells report SIGINT. */
enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_INTERRUPTED = 130,
};

/* ---- shared by the commands (recur-cli.c) ---- */

/* `recur train`'s options that make a run's configuration, for commands that build runs
 * (`recur sweep` takes them as its base). */
typedef struct _RecurTrainOptions RecurTrainOptions;

RecurTrainOptions *recur_train_options_new         (void);
void               recur_train_options_free        (RecurTrainOptions        *options);
void               recur_train_options_add_entries (RecurTrainOptions        *options,
                                                    GOptionContext           *context);
/* Unset options keep config's values; a bad value is a G_OPTION_ERROR naming the option. */
gboolean           recur_train_options_to_config   (const RecurTrainOptions  *options,
                                                    RecurJobConfig           *config,
                                                    GError                  **error);
/* A command's option context: "recur COMMAND" as program name, translated, with a summary. */
GOptionContext    *recur_cli_new_context           (const char               *command,
                                                    const char               *parameter,
                                                    const char               *summary);
/* Prints "recur: message" and the --help hint; returns EXIT_USAGE. */
int                recur_cli_usage_error           (const char               *message);
/* Prints "recur: error->message", frees error; returns EXIT_FAILED. */
int                recur_cli_fail                  (GError                   *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurTrainOptions, recur_train_options_free)

G_END_DECLS
