/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#include "recur-dataset.h"
#include "recur-model.h"
#include "recur-series.h"
#include "recur-trainer.h"

G_BEGIN_DECLS

#define RECUR_MAX_ENSEMBLE_WINDOWS 16

/* Everything one training run is made of: the data, how it is prepared, the model and how it is
 * trained. `recur train`'s options and the GUI's panel both fill one of these. */
typedef struct
{
  char              *column;       /* NULL: the first numeric column */
  char             **inputs;       /* covariate columns read beside it (recur-covariates.h),
                                    * NULL-terminated; NULL: none */
  gboolean           calendar;     /* the dates' calendar features as inputs too */
  RecurMissingPolicy missing;
  RecurTransformSpec transform;    /* the target transforms and the scaler */
  double             val_fraction;
  guint              season;       /* 0: from the series' frequency */
  RecurModelSpec     model;
  RecurTrainSpec     train;
  guint              ensemble;     /* networks trained from seeds seed, seed + 1, …: the
                                    * forecast is the median of theirs; 1: one network */
  /* An ensemble's members' windows, taken in turn (member k reads ensemble_windows[k mod n]),
   * each the last points of the model's window; none (0): every member reads the whole window */
  guint              n_ensemble_windows;
  guint              ensemble_windows[RECUR_MAX_ENSEMBLE_WINDOWS];
} RecurJobConfig;

void recur_job_config_init  (RecurJobConfig       *config);
void recur_job_config_clear (RecurJobConfig       *config);
void recur_job_config_copy  (RecurJobConfig       *dest,
                             const RecurJobConfig *src);
/* The most epochs a training of config runs: train.epochs, or 1 for a one-shot fit (an echo
 * state network's readout). */
guint recur_job_config_max_epochs (const RecurJobConfig *config);
/* The window member k of the ensemble reads: its entry of ensemble_windows, or model.window
 * (also for one network: member windows are an ensemble's). */
guint recur_job_config_member_window (const RecurJobConfig *config,
                                      guint                 k);

/* ---- the configuration as JSON (recur-job-config.c) ---- */

#define RECUR_JOB_CONFIG_ERROR (recur_job_config_error_quark ())
GQuark recur_job_config_error_quark (void);

typedef enum
{
  RECUR_JOB_CONFIG_ERROR_TYPE,          /* not an object, or a field of the wrong JSON type */
  RECUR_JOB_CONFIG_ERROR_VALUE,         /* out of range, or not one of the field's choices */
  RECUR_JOB_CONFIG_ERROR_UNKNOWN_FIELD, /* a member no version of Recur wrote */
  RECUR_JOB_CONFIG_ERROR_VERSION,       /* written by a newer Recur */
} RecurJobConfigError;

/* One JSON object with every field, named as `recur train`'s options ("hidden", "lr",
 * "weight-decay", …; README.md lists them) and a "version". */
JsonNode   *recur_job_config_to_json   (const RecurJobConfig  *config);
/* Initialises config, then reads what recur_job_config_to_json wrote. A missing field keeps
 * its default (the default for the file's "model"), so older files stay readable; an unknown
 * field, a wrong type or a value out of range is an error naming the field. Ranges are those
 * of each field alone: combinations (a two-layer ESN) are the job's to refuse. On failure
 * config is left initialised to the defaults. */
gboolean    recur_job_config_from_json (JsonNode              *node,
                                        RecurJobConfig        *config,
                                        GError               **error);
/* Sets one field, named as in the JSON, from a JSON value with the same checks; config is
 * unchanged on failure. Setting "model" changes only the cell. */
gboolean    recur_job_config_set_field (RecurJobConfig        *config,
                                        const char            *field,
                                        JsonNode              *value,
                                        GError               **error);
/* The names a choice field ("model", "optimizer", "loss", …) takes, NULL-terminated, in the
 * enum's order; NULL for other fields. */
const char *const *recur_job_config_field_choices (const char *field);
/* The same field-by-field checks on a configuration built in memory. */
gboolean    recur_job_config_validate  (const RecurJobConfig  *config,
                                        GError               **error);
/* The names `--model` takes and the JSON writes: rnn rnn-relu lstm gru jordan esn clockwork
 * (recur_cell_to_string's names are read too). */
const char *recur_cell_to_option       (RecurCellKind          cell);
gboolean    recur_cell_from_option     (const char            *text,
                                        RecurCellKind         *cell);

G_END_DECLS
