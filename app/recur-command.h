/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-job-config.h"

G_BEGIN_DECLS

/* What the `recur` commands share (recur-command.c). The commands include this header; only the
 * dispatcher, recur-cli.c, includes the commands' own headers. */

/* The terminal columns text takes (wide characters count twice). */
int      recur_command_text_width   (const char *text);
/* Prints text padded to `columns` terminal columns (wide characters count twice). */
void     recur_command_print_padded (const char *text,
                                     int         columns);

/* Exit statuses: 0 success, 1 the input or the run failed, 2 the command line is wrong,
 * 130 interrupted (Ctrl-C), as shells report SIGINT. */
enum
{
  EXIT_OK = 0,
  EXIT_FAILED = 1,
  EXIT_USAGE = 2,
  EXIT_INTERRUPTED = 130,
};

/* `recur train`'s options that make a run's configuration, one per setting of the schema
 * (recur-settings.h), for the commands that build runs (`recur sweep` takes them as its base). */
typedef struct _RecurTrainOptions RecurTrainOptions;

/* Visible so that `recur train` adds its own options (threads, outputs) to the same struct. */
struct _RecurTrainOptions
{
  int threads;
  char *forecast_out;
  char *weights_out;
  char *summary_out;
  gboolean json;
  gboolean quiet;
  char *config;        /* --config: a configuration, or a summary with one, to start from */
  /* private: the settings' options */
  char **texts;        /* per setting: the text given, or NULL */
  gboolean *flags;     /* per setting (BOOL): given */
  char **alias_texts;  /* per setting: the text given to its alias, or NULL */
  GPtrArray *strings;  /* the help texts and option names the entries point to */
  GArray *entries;     /* GOptionEntry */
};

void               recur_train_options_init        (RecurTrainOptions        *options);
void               recur_train_options_clear       (RecurTrainOptions        *options);
RecurTrainOptions *recur_train_options_new         (void);
void               recur_train_options_free        (RecurTrainOptions        *options);
void               recur_train_options_add_entries (RecurTrainOptions        *options,
                                                    GOptionContext           *context);
/* --config's settings, if given, replace config's: a file that cannot be read or holds a bad
 * value is an error beginning with the file's name (bad input, not a wrong command line). */
gboolean           recur_train_options_read_config (const RecurTrainOptions  *options,
                                                    RecurJobConfig           *config,
                                                    GError                  **error);
/* The settings given as options, onto config: the cell first, with its defaults (an ESN's 100
 * units), then the optimiser with its own, then the rest; options not given keep config's
 * values. A bad value is a G_OPTION_ERROR naming the option, with the schema's range or
 * choices. */
gboolean           recur_train_options_to_config   (const RecurTrainOptions  *options,
                                                    RecurJobConfig           *config,
                                                    GError                  **error);
/* Warns on stderr of each option given that does nothing with config (--momentum with Adam,
 * --gamma with a constant rate, --dropout with one layer): `recur train`'s, not a sweep's, whose
 * runs may vary what makes them count. */
/* `--model auto`: recur train chooses the configuration (engine/runs/recur-auto.h). */
#define RECUR_MODEL_AUTO "auto"
/* Whether --model auto was given; recur_train_options_to_config then leaves the cell alone and
 * takes an option of any cell's. */
gboolean           recur_train_options_model_is_auto (const RecurTrainOptions *options);
/* Whether `recur train` chooses: --model auto, or neither --model nor --config given. */
gboolean           recur_train_options_wants_auto  (const RecurTrainOptions  *options);
/* The names of the settings given as options (not "model"), NULL-terminated. */
GStrv              recur_train_options_given       (const RecurTrainOptions  *options);
void               recur_train_options_warn_unused (const RecurTrainOptions  *options,
                                                    const RecurJobConfig     *config);
/* A command's option context: "recur COMMAND" as program name, translated, with a summary. */
GOptionContext    *recur_command_new_context       (const char               *command,
                                                    const char               *parameter,
                                                    const char               *summary);
/* An input file a command reads, and an output option's file, by option name ("--weights",
 * or the argument's name, as "CSV"); arrays end with option NULL. */
typedef struct
{
  const char *option;
  const char *path;   /* NULL: not given */
} RecurCommandFile;

typedef struct
{
  const char *option;
  char      **path;   /* the option's value; *path NULL: not given */
} RecurCommandOutput;

/* Before anything is written: each output given that is a symbolic link becomes the path it
 * leads to (written through the link, not replacing it); none may be empty, in a folder that
 * is not there, a folder, a device, a FIFO or a socket, nor the same file as an input or as
 * another output (a G_OPTION_ERROR that names them, for the usage status). */
gboolean           recur_command_check_outputs     (const RecurCommandFile   *inputs,
                                                    RecurCommandOutput       *outputs,
                                                    GError                  **error);
/* An output (already resolved by recur_command_check_outputs) inside a project folder would
 * replace one of its files or sit among them: a G_OPTION_ERROR naming both. */
gboolean           recur_command_check_outside     (const char               *option,
                                                    const char               *path,
                                                    const char               *folder,
                                                    GError                  **error);
/* Prints "recur: message" and the --help hint; returns EXIT_USAGE. */
int                recur_command_usage_error       (const char               *message);
/* Prints "recur: error->message", frees error; returns EXIT_FAILED. */
int                recur_command_fail              (GError                   *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurTrainOptions, recur_train_options_free)

G_END_DECLS
