/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-job-config.h"

G_BEGIN_DECLS

/* What the `recur` commands share (recur-command.c). The commands include this header; only the
 * dispatcher, recur-cli.c, includes the commands' own headers. */

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

/* `recur train`'s options that make a run's configuration, for commands that build runs
 * (`recur sweep` takes them as its base). */
typedef struct _RecurTrainOptions RecurTrainOptions;

/* Visible so that `recur train` adds its own options (threads, outputs) to the same struct. */
struct _RecurTrainOptions
{
  char *column;
  char *model;
  int hidden;
  int layers;
  gboolean bidirectional;
  double dropout;
  gboolean no_bias;
  int window;
  int horizon;
  char *strategy;
  int epochs;
  int batch;
  double lr;
  char *optimizer;
  double momentum;
  gboolean nesterov;
  double weight_decay;
  double clip;
  char *loss;
  char *scale;
  char *missing;
  char *schedule;
  int truncate;
  int patience;
  double val_fraction;
  int season;
  char *seed;
  int threads;
  char *forecast_out;
  char *weights_out;
  char *summary_out;
  gboolean json;
  gboolean quiet;
  /* the cells with options of their own */
  char *jordan_feedback;
  int reservoir;
  double connectivity;
  double spectral_radius;
  double input_scaling;
  double leak;
  int washout;
  double ridge;
  char *periods;
};

/* Unset options are G_MININT or NAN, so that the configuration's defaults stand. */
void               recur_train_options_init        (RecurTrainOptions        *options);
void               recur_train_options_clear       (RecurTrainOptions        *options);
RecurTrainOptions *recur_train_options_new         (void);
void               recur_train_options_free        (RecurTrainOptions        *options);
void               recur_train_options_add_entries (RecurTrainOptions        *options,
                                                    GOptionContext           *context);
/* Unset options keep config's values; a bad value is a G_OPTION_ERROR naming the option. */
gboolean           recur_train_options_to_config   (const RecurTrainOptions  *options,
                                                    RecurJobConfig           *config,
                                                    GError                  **error);
/* A command's option context: "recur COMMAND" as program name, translated, with a summary. */
GOptionContext    *recur_command_new_context       (const char               *command,
                                                    const char               *parameter,
                                                    const char               *summary);
/* Prints "recur: message" and the --help hint; returns EXIT_USAGE. */
int                recur_command_usage_error       (const char               *message);
/* Prints "recur: error->message", frees error; returns EXIT_FAILED. */
int                recur_command_fail              (GError                   *error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurTrainOptions, recur_train_options_free)

G_END_DECLS
