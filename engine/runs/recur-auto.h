/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "recur-job.h"

G_BEGIN_DECLS

/* The automatic choice of a configuration (`recur train --model auto`): a small set of
 * candidates (cell, window, transforms; the naive and seasonal-naive forecasts among them as
 * floors) is trained on the training part and scored by rolling-origin validation: forecasts of
 * `horizon` steps from several origins inside the validation part, each from the actual values
 * before its origin, scored by MASE. The first candidate, the usual configuration (a reservoir
 * reading 24 points relative to the last), is kept unless another's mean is clearly lower (a
 * few origins are a noisy judge); the chosen one is then trained again with the validation part
 * the user asked for, and is the job.
 * Nothing here reads a value of the test part (the last `horizon` rows): changing them leaves
 * the choice and the test forecast bit-identical. */

typedef struct
{
  char           *name;            /* for people: "esn, window 24, level last, Box-Cox" */
  RecurJobConfig  config;
  gboolean        floor;           /* a naive forecast (with drift), not a network's own */
  guint           rows;            /* trains on the series' first rows only (0: all of it): a
                                    * gradient-trained network, whose early stopping must not
                                    * read the values the origins forecast */
  double          validation_mase; /* mean over the origins; INFINITY when it failed */
  double         *per_origin;      /* [n_origins] */
  double          seconds;
  char           *error;           /* why it failed, or NULL */
} RecurAutoCandidate;

typedef struct _RecurAuto RecurAuto;

/* Called after each candidate, in the candidates' order, one call at a time, from whichever
 * thread trained it (recur_auto_run trains as many at once as the base's train.threads). */
typedef void (*RecurAutoProgressFunc) (const RecurAutoCandidate *candidate,
                                       guint                     index,
                                       guint                     n_candidates,
                                       gpointer                  user_data);

/* In stages, for a caller that trains the candidates itself (the window, as live runs):
 * recur_auto_new plans the candidates and origins (nothing is trained; takes the series);
 * each candidate's config is trained into a job on the same series and given to
 * recur_auto_score (job NULL and failure: it failed); recur_auto_choose picks one;
 * recur_auto_get_final_config is then the run to train: the chosen configuration with the
 * validation part the user asked for. recur_auto_run does all of it. */
RecurAuto          *recur_auto_new             (const RecurJobConfig   *base,
                                                const char *const      *pinned,
                                                RecurSeries            *series,
                                                GError                **error);
void                recur_auto_score           (RecurAuto              *self,
                                                guint                   i,
                                                RecurJob               *job,
                                                const char             *failure,
                                                double                  seconds);
/* FALSE, with the error, when no candidate could be scored. */
gboolean            recur_auto_choose          (RecurAuto              *self,
                                                GError                **error);
void                recur_auto_get_final_config (const RecurAuto       *self,
                                                 RecurJobConfig        *config);

/* base: what every candidate starts from (column, horizon, missing values, season, training);
 * pinned: NULL-terminated names of settings the user gave, which no candidate changes (a given
 * --window is every candidate's window). Takes the series. Fails when the series is too short
 * for any candidate (the error says how many points are needed, and for what), or when
 * cancelled before any candidate was scored (G_IO_ERROR_CANCELLED); cancelled later, it ends
 * with the best so far (recur_auto_was_interrupted). The candidates train base->train.threads
 * at a time, each on one thread: the numbers do not depend on it. */
RecurAuto          *recur_auto_run             (const RecurJobConfig   *base,
                                                const char *const      *pinned,
                                                RecurSeries            *series,
                                                GCancellable           *cancellable,
                                                RecurAutoProgressFunc   progress,
                                                gpointer                user_data,
                                                GError                **error);
void                recur_auto_free            (RecurAuto              *self);

guint               recur_auto_get_n_candidates (const RecurAuto       *self);
const RecurAutoCandidate *recur_auto_get_candidate (const RecurAuto    *self,
                                                    guint               i);
guint               recur_auto_get_chosen      (const RecurAuto        *self);
guint               recur_auto_get_n_origins   (const RecurAuto        *self);
/* The Theta method's validation MASE on the same origins (INFINITY where it cannot forecast),
 * and whether the final run averages its forecast with Theta's: when that is below twice the
 * chosen candidate's (or as --theta says, given). FALSE before the choice. */
double              recur_auto_get_theta_validation (const RecurAuto   *self);
gboolean            recur_auto_averages_theta  (const RecurAuto        *self);
/* The first row of the validation part (0-based): the candidates learn from the rows before
 * it, and the origins' forecasts, scored for the choice, lie between it and the test part. */
guint               recur_auto_get_validation_start (const RecurAuto   *self);
/* Whether recur_auto_run was stopped (its GCancellable) after a candidate was scored: the job
 * is then the best of those scored so far among the ones trained on every row before the test
 * part, as trained for the choice (not trained again), and the rest are unscored. */
gboolean            recur_auto_was_interrupted (const RecurAuto        *self);
/* Why the chosen one was chosen, for people. */
char               *recur_auto_describe_choice (const RecurAuto        *self);
/* The chosen candidate's job, trained and scored, with this choice as its Auto report
 * (recur_job_set_auto_report); the caller owns it. */
RecurJob           *recur_auto_steal_job       (RecurAuto              *self);
/* {"origins": [rows], "horizon", "candidates": [{"name", "config", "validation_mase",
 *  "per_origin", "seconds", "chosen", "floor", "error"}], "chosen": name, "reason"} */
JsonNode           *recur_auto_to_json         (const RecurAuto        *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurAuto, recur_auto_free)

G_END_DECLS
