/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "recur-dataset.h"
#include "recur-forecast.h"
#include "recur-model.h"
#include "recur-series.h"
#include "recur-trainer.h"

G_BEGIN_DECLS

/* Everything one training run is made of: the data, how it is prepared, the model and how it is
 * trained. `recur train`'s options and the GUI's panel both fill one of these. */
typedef struct
{
  char              *column;       /* NULL: the first numeric column */
  RecurMissingPolicy missing;
  RecurScalerKind    scaler;
  double             val_fraction;
  guint              season;       /* 0: from the series' frequency */
  RecurModelSpec     model;
  RecurTrainSpec     train;
} RecurJobConfig;

void recur_job_config_init  (RecurJobConfig       *config);
void recur_job_config_clear (RecurJobConfig       *config);
void recur_job_config_copy  (RecurJobConfig       *dest,
                             const RecurJobConfig *src);

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

/* A run from a loaded series to a scored, exportable model. */
typedef struct _RecurJob RecurJob;

/* Takes ownership of series (also when it fails). Picks the column, fills missing values, splits and scales the
 * data and builds the model initialised from the seed. */
RecurJob        *recur_job_new             (const RecurJobConfig  *config,
                                            RecurSeries           *series,
                                            GError               **error);
RecurJob        *recur_job_new_from_file   (const RecurJobConfig  *config,
                                            const char            *path,
                                            GError               **error);
void             recur_job_free            (RecurJob              *self);

/* Trains on the calling thread (see recur_trainer_run), then scores the test part and
 * forecasts past the end; after a cancel or a failure the best weights are still evaluated
 * and exportable. */
gboolean         recur_job_train           (RecurJob              *self,
                                            GCancellable          *cancellable,
                                            RecurProgressFunc      progress,
                                            gpointer               user_data,
                                            GError               **error);

/* TRUE when training stopped before its last epoch: recur_job_train then resumes it. */
gboolean               recur_job_can_resume      (const RecurJob *self);

/* Scores the model as it is (test metrics, baselines, the future forecast): what training does
 * at its end, for a model whose weights came from elsewhere (a saved project). */
gboolean               recur_job_score           (RecurJob       *self,
                                                  GError        **error);

const RecurJobConfig  *recur_job_get_config      (const RecurJob *self);
const RecurSeries     *recur_job_get_series      (const RecurJob *self);
const char            *recur_job_get_column_name (const RecurJob *self);
const RecurDataset    *recur_job_get_dataset     (const RecurJob *self);
RecurModel            *recur_job_get_model       (RecurJob       *self);
const RecurTrainSummary *recur_job_get_summary   (const RecurJob *self);
/* NULL before training ends. */
const RecurEvaluation *recur_job_get_evaluation  (const RecurJob *self);
/* `horizon` values past the end of the data, NULL before training ends. */
const double          *recur_job_get_future      (const RecurJob *self);

/* CSV with header "timestamp,<column>,kind": the test part's forecast (kind "test") then the
 * future (kind "future"); timestamps continue the series' frequency. Atomic. */
gboolean         recur_job_write_forecast  (const RecurJob        *self,
                                            const char            *path,
                                            GError               **error);
gboolean         recur_job_save_weights    (const RecurJob        *self,
                                            const char            *path,
                                            GError               **error);
/* Saves another model of the job's spec (the best weights a RecurRun posted while training)
 * with the job's metadata (scaler, column, frequency, seed). */
gboolean         recur_job_save_model      (const RecurJob        *self,
                                            const RecurModel      *model,
                                            const char            *path,
                                            GError               **error);
/* The result as the JSON object `recur train --json` prints. */
JsonNode        *recur_job_to_json         (const RecurJob        *self);

/* Writes rows of (timestamp, value[, kind]) as CSV, atomically. kinds may be NULL. */
gboolean         recur_write_forecast_csv  (const RecurSeries     *series,
                                            const char            *column,
                                            const gint64          *timestamps,
                                            const double          *values,
                                            const char *const     *kinds,
                                            guint                  n,
                                            const char            *path,
                                            GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurJob, recur_job_free)

G_END_DECLS
