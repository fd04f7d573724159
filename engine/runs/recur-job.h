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

/* Where a job's season (the period of the seasonal-naive baseline and of MASE's scale) comes
 * from, looked at in this order. */
typedef enum
{
  RECUR_SEASON_FROM_OPTION,   /* the configuration's season, when > 0 (`--season N`) */
  RECUR_SEASON_FROM_DATES,    /* a regular time column: its frequency's season (monthly 12, …,
                               * yearly 1); the dates are authoritative, the values are not
                               * looked at */
  RECUR_SEASON_FROM_VALUES,   /* no time column or irregular dates: a period > 1 found in the
                               * values before the test part (recur_season_detect) */
  RECUR_SEASON_NONE,          /* 1: the values show no period, or the season given (option or
                               * dates) does not fit in the part before the test */
} RecurSeasonSource;

/* "option", "dates", "values", "none" (the summary's `season_source`). */
const char      *recur_season_source_to_string (RecurSeasonSource source);
/* For people to read, translated: "12, from the dates", "7, from the values", "4, as set",
 * "1, no season". */
char            *recur_season_source_describe  (RecurSeasonSource source,
                                                guint             season);
/* The season a series' dates give (recur_frequency_season), or 0 when it has no usable dates
 * (no time column, or irregular ones): a job then looks for one in its values. */
guint            recur_job_dates_season        (const RecurSeries *series);

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

/* An ensemble (the configuration's `ensemble` > 1): its members train at once on a team of up to
 * the configuration's train.threads (each member's minibatches then on one thread), member k from
 * seed + k. The calling thread trains member 0, then the next members as they come; each helper
 * thread takes the next member only on a spare core of the process (recur-cores.h), so the
 * members use the cores that other trainings leave free. A stop stops them all, each keeping its
 * best weights, and those that had not ended an epoch leave it (member 0 too, unless no member
 * had): n_members is then below the configuration's. A member that fails (diverges) keeps its
 * best weights too; the others train on, and the training fails with member 0's error, else the
 * first member's. The forecasts are
 * the median of the members'. The numbers depend neither on the thread count nor on which thread
 * trained a member. Member 0 is the job's model: it reports the progress. Any training holds one
 * core of the process (recur_cores_hold) while it trains. */
guint                  recur_job_get_n_members   (const RecurJob *self);
/* Told of every epoch of an ensemble's members, member 0's too (also the training's progress),
 * from the thread that trains the member, k its place (0 … n_members − 1), with the epoch's
 * training and validation loss; then once more when the member has ended (trained, or stopped
 * or failed after an epoch: ended TRUE, epoch the epochs it ran, epochs those it was to run, the
 * losses NAN). Never called for a single network. */
typedef void (*RecurMemberProgressFunc) (guint    k,
                                         guint    epoch,
                                         guint    epochs,
                                         double   train_loss,
                                         double   val_loss,
                                         gboolean ended,
                                         gpointer user_data);
/* Before recur_job_train; NULL for none. */
void                   recur_job_set_member_progress (RecurJob               *self,
                                                      RecurMemberProgressFunc func,
                                                      gpointer                user_data);
/* The seed member k trained from: the configuration's seed + its place in the ensemble asked. */
guint64                recur_job_get_member_seed (const RecurJob *self,
                                                  guint           k);
RecurModel *const     *recur_job_get_members     (const RecurJob *self);
const RecurTrainSummary *recur_job_get_member_summary (const RecurJob *self,
                                                   guint           k);
/* Each member's forecast past the end, [n_members × horizon]; NULL for one network or before
 * the job is scored. (The test part's are in the evaluation.) */
const double          *recur_job_get_member_future (const RecurJob *self);

/* How Auto chose the job's configuration (recur_auto_to_json), kept with it: recur_job_to_json
 * writes it as "auto", and so do the summaries and projects. Takes report; NULL for none. */
void                   recur_job_set_auto_report (RecurJob       *self,
                                                  JsonNode       *report);
JsonNode              *recur_job_get_auto_report (const RecurJob *self);

/* TRUE when training stopped before its last epoch: recur_job_train then resumes it. */
gboolean               recur_job_can_resume      (const RecurJob *self);

/* Scores the model as it is (test metrics, baselines, the future forecast): what training does
 * at its end, for a model whose weights came from elsewhere (a saved project). A forecast that
 * cannot be made (outside Box-Cox's range) is an error saying which: of the test part (no
 * evaluation), or past the end of the data (the evaluation stays, the future is NULL). */
gboolean               recur_job_score           (RecurJob       *self,
                                                  GError        **error);

/* The season from config's --season, else regular dates, else the first n_before values (the
 * part before the test, gaps filled), as every job and Auto take it. */
guint                  recur_job_choose_season  (const RecurJobConfig *config,
                                                 const RecurSeries    *series,
                                                 const double         *values,
                                                 guint                 n_before,
                                                 RecurSeasonSource    *source);
/* The season the job scores with (and where it came from, when source is not NULL): chosen once
 * when the job is made, from the part before the test only. */
guint                  recur_job_get_season      (const RecurJob    *self,
                                                  RecurSeasonSource *source);
const RecurJobConfig  *recur_job_get_config      (const RecurJob *self);
const RecurSeries     *recur_job_get_series      (const RecurJob *self);
const char            *recur_job_get_column_name (const RecurJob *self);
/* The target column as the file has it, NaN where a value is missing (the dataset's rows,
 * whose gaps are filled): what the test part is scored against and the plots draw. */
const double          *recur_job_get_observed    (const RecurJob *self);
const RecurDataset    *recur_job_get_dataset     (const RecurJob *self);
RecurModel            *recur_job_get_model       (RecurJob       *self);
const RecurTrainSummary *recur_job_get_summary   (const RecurJob *self);
/* NULL before training ends. */
const RecurEvaluation *recur_job_get_evaluation  (const RecurJob *self);
/* `horizon` values past the end of the data; NULL before training ends, or when they could not
 * be made (recur_job_score). */
const double          *recur_job_get_future      (const RecurJob *self);

/* CSV with header "timestamp,<column>,kind": the test part's forecast (kind "test") then the
 * future (kind "future"; none when it could not be made); timestamps continue the series'
 * frequency. Atomic. */
gboolean         recur_job_write_forecast  (const RecurJob        *self,
                                            const char            *path,
                                            GError               **error);
/* Every member's weights (recur_model_save_members). */
gboolean         recur_job_save_weights    (const RecurJob        *self,
                                            const char            *path,
                                            GError               **error);
/* Saves another model of the job's spec (the best weights a RecurRun posted while training)
 * with the job's metadata (scaler, column, frequency, seed). */
gboolean         recur_job_save_model      (const RecurJob        *self,
                                            const RecurModel      *model,
                                            const char            *path,
                                            GError               **error);
/* Every member as one ONNX graph (recur_onnx_export), the job's transforms folded in. */
gboolean         recur_job_export_onnx     (const RecurJob        *self,
                                            const char            *path,
                                            GError               **error);
/* Saves members (an ensemble's, or one model) in one file with the job's metadata. */
gboolean         recur_job_save_members    (const RecurJob          *self,
                                            const RecurModel *const *members,
                                            guint                    n_members,
                                            const char              *path,
                                            GError                 **error);
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
