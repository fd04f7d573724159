/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-dataset.h"
#include "recur-metrics.h"
#include "recur-model.h"

G_BEGIN_DECLS

/* How a forecast is made: the input is the last `window` observed values, scaled; each window
 * starts from h0 = 0. direct: the head maps the final state to all horizon scaled values.
 * recursive: the head gives one value, appended to the window (the oldest dropped), horizon
 * times. Outputs are unscaled. history holds at least `window` values in original units;
 * steps ≤ horizon for direct models, any number for recursive ones. Fails only when the
 * buffers of a forward pass cannot be had (RECUR_MEMORY_ERROR). */
gboolean recur_forecast (const RecurModel  *model,
                         const RecurScaler *scaler,
                         const double      *history,
                         guint              n_history,
                         guint              steps,
                         double            *out,
                         GError           **error);

/* The test part scored as a future forecast would be: from the window just before it. */
typedef struct
{
  guint        season;
  guint        n_test;
  double      *actual;          /* [n_test] */
  double      *forecast;        /* [n_test] */
  double      *naive;           /* [n_test] */
  double      *seasonal_naive;  /* [n_test] */
  RecurMetrics model_metrics;
  RecurMetrics naive_metrics;
  RecurMetrics seasonal_naive_metrics;
} RecurEvaluation;

/* MASE is scaled by the seasonal-naive error over everything before the test part (season
 * falls back to 1 when that part is too short). NULL when memory runs out, as above. */
RecurEvaluation *recur_evaluate      (const RecurModel   *model,
                                      const RecurDataset *data,
                                      guint               season,
                                      GError            **error);
void             recur_evaluation_free (RecurEvaluation  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurEvaluation, recur_evaluation_free)

G_END_DECLS
