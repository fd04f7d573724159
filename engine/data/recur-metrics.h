/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Point-forecast accuracy over the pairs whose actual value is known (a NaN actual, missing in
 * the file, is left out; every metric is NAN when none is known). Undefined values are NAN:
 * MAPE when an actual value is 0, MASE when the in-sample seasonal-naive error is 0 (a
 * constant history). */
typedef struct
{
  double mae;
  double rmse;
  double mape;   /* percent */
  double smape;  /* percent, 200 |a − f| / (|a| + |f|), 0 where both are 0 */
  double mase;   /* MAE / in-sample seasonal-naive MAE */
} RecurMetrics;

/* Mean |y_t − y_{t−season}| over history[0..n); NAN if n ≤ season. */
double recur_mase_scale       (const double *history,
                               guint         n,
                               guint         season);
void   recur_metrics_compute  (const double *actual,
                               const double *forecast,
                               guint         n,
                               double        mase_scale,
                               RecurMetrics *metrics);

/* {"mae", "rmse", "mape", "smape", "mase"}, null where undefined (JSON has no NaN), as the
 * member `name` of the object being built, or as an element of an array for name NULL. */
void   recur_metrics_add_json (JsonBuilder        *builder,
                               const char         *name,
                               const RecurMetrics *metrics);

/* Baselines over `horizon` steps from history[0..n): the last value repeated, and the last
 * season repeated (falls back to naive when n < season). */
void   recur_naive_forecast          (const double *history,
                                      guint         n,
                                      guint         horizon,
                                      double       *out);
void   recur_seasonal_naive_forecast (const double *history,
                                      guint         n,
                                      guint         season,
                                      guint         horizon,
                                      double       *out);

G_END_DECLS
