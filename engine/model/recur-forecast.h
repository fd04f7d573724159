/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-dataset.h"
#include "recur-metrics.h"
#include "recur-model.h"

G_BEGIN_DECLS

/* How a forecast is made: the history is transformed as the model was trained (transform:
 * fitted on its training part), the input is the last `window` transformed values relative to
 * their level (the window norm); each window starts from h0 = 0. direct: the head maps the final
 * state to all horizon values. recursive: the head gives one value, appended to the window (the
 * oldest dropped), horizon times, each window re-levelled. The outputs plus their level are
 * transformed back (recur_transform_inverse: un-scaled, the differences integrated from the
 * history, indices re-added, Box-Cox undone). history holds at least window + offset values in
 * original units; steps ≤ horizon for direct models, any number for recursive ones. extra: the
 * inputs beside the target (recur-covariates.h; NULL for none), rows aligned with history's,
 * for the rows the windows read (a recursive forecast's reach past the history: known-ahead
 * channels only). Fails when
 * memory runs out (RECUR_MEMORY_ERROR), when the transform cannot take a history value
 * (RECUR_TRANSFORM_ERROR, RECUR_DATASET_ERROR_NOT_FINITE, naming the row) or a forecast cannot
 * be transformed back (naming the step): never a NaN forecast. */
gboolean recur_forecast (const RecurModel       *model,
                         const RecurTransform   *transform,
                         const double           *history,
                         guint                   n_history,
                         const RecurExtraInputs *extra,
                         guint                   steps,
                         double                 *out,
                         GError                **error);

/* The median of v[0..n) (of the middle two when n is even), n ≥ 1; v is reordered. */
double   recur_median          (double               *v,
                                guint                 n);

/* out[i] = the median over members k of m[k × stride + i], for i < n: NaN where a member's is
 * not finite (a step it could not forecast). */
void     recur_median_across   (const double         *m,
                                guint                 n_members,
                                gsize                 stride,
                                guint                 n,
                                double               *out);

/* An ensemble's forecast: each member's (recur_forecast, same transform and history), combined
 * step by step by their median, which one member's bad forecast cannot pull away. members_out,
 * when not NULL, receives each member's own forecast, [n_models × steps]. With
 * transform->spec.theta the result (not the members') is then averaged with the Theta method's
 * forecast from the same history (recur-theta.h, m = transform->season). Fails as
 * recur_forecast, on the first member that fails, or as recur_theta_forecast. */
gboolean recur_forecast_ensemble (RecurModel *const     *models,
                                  guint                   n_models,
                                  const RecurTransform   *transform,
                                  const double           *history,
                                  guint                   n_history,
                                  const RecurExtraInputs *extra,
                                  guint                   steps,
                                  double                 *out,
                                  double                 *members_out,
                                  GError                **error);

/* transform->spec.theta: out[0, steps), a forecast from history[0, n_history) in original units,
 * becomes the mean of itself and the Theta method's from the same history (recur-theta.h, m =
 * transform->season; recur_forecast_combine_theta). Nothing to do otherwise. Fails as
 * recur_theta_forecast. */
gboolean recur_forecast_average_theta (const RecurTransform *transform,
                                       const double         *history,
                                       guint                 n_history,
                                       guint                 steps,
                                       double               *out,
                                       GError              **error);
/* How a forecast and Theta's, theta[0, steps), make the forecast averaged with it: out[i]
 * becomes their mean. */
void     recur_forecast_combine_theta (double               *out,
                                       const double         *theta,
                                       guint                 steps);

/* The test part scored as a future forecast would be: from the window just before it. */
typedef struct
{
  guint        season;
  double       scale;           /* MASE's denominator (recur_mase_scale before the test part) */
  guint        n_test;
  guint        n_missing;       /* test points without a value in the file: not scored */
  double      *actual;          /* [n_test], NaN where missing in the file */
  double      *forecast;        /* [n_test]; an ensemble's: the median of its members' (and
                                 * averaged with Theta's when the transform says so) */
  guint        n_members;       /* 1, or an ensemble's size */
  double      *member_forecast; /* [n_members × n_test]: each network's own; NULL for one
                                 * network whose forecast is not averaged with Theta's */
  RecurMetrics *member_metrics; /* [n_members], scored as model_metrics; NULL as above */
  double      *naive;           /* [n_test] */
  double      *seasonal_naive;  /* [n_test] */
  RecurMetrics model_metrics;
  gboolean     theta_averaged;  /* forecast is the networks' averaged with Theta's */
  RecurMetrics network_metrics; /* the networks' own (member 0's or the median) before that;
                                 * model_metrics when not averaged */
  RecurMetrics naive_metrics;
  RecurMetrics seasonal_naive_metrics;
} RecurEvaluation;

/* MASE is scaled by the seasonal-naive error over everything before the test part (season
 * falls back to 1 when that part is too short). `observed`: the test part's values as the file
 * has them, NaN where one is missing (those points are not scored; the dataset's own, gaps
 * filled, feed the window); NULL scores the dataset's. NULL when memory runs out, as above. */
RecurEvaluation *recur_evaluate      (const RecurModel   *model,
                                      const RecurDataset *data,
                                      const double       *observed,
                                      guint               season,
                                      GError            **error);
/* The same for an ensemble's members (recur_forecast_ensemble), each also scored alone. */
RecurEvaluation *recur_evaluate_ensemble (RecurModel *const  *models,
                                          guint               n_models,
                                          const RecurDataset *data,
                                          const double       *observed,
                                          guint               season,
                                          GError            **error);
/* Member k's own forecast [n_test] and metrics; of one network, the model's. */
const double       *recur_evaluation_get_member_forecast (const RecurEvaluation *self,
                                                          guint                  k);
const RecurMetrics *recur_evaluation_get_member_metrics  (const RecurEvaluation *self,
                                                          guint                  k);
/* The lowest and highest MASE of the members alone. */
void             recur_evaluation_member_mase_range (const RecurEvaluation *self,
                                                     double                *lo,
                                                     double                *hi);
void             recur_evaluation_free (RecurEvaluation  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurEvaluation, recur_evaluation_free)

G_END_DECLS
