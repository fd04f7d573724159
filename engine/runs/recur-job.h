/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "recur-dataset.h"
#include "recur-forecast.h"
#include "recur-job-config.h"
#include "recur-model.h"
#include "recur-series.h"
#include "recur-trainer.h"

G_BEGIN_DECLS

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
