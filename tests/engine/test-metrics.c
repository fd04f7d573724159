/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "recur-metrics.h"

static void
test_metrics_known_values (void)
{
  const double actual[] = { 100, 200, 300, 400 };
  const double forecast[] = { 110, 190, 330, 400 };
  const double history[] = { 1, 3, 2, 6, 4 };   /* seasonal (m = 1) errors 2, 1, 4, 2 → 2.25 */
  RecurMetrics m;
  double scale = recur_mase_scale (history, 5, 1);

  g_assert_cmpfloat_with_epsilon (scale, 2.25, 1e-12);
  recur_metrics_compute (actual, forecast, 4, scale, &m);
  g_assert_cmpfloat_with_epsilon (m.mae, (10 + 10 + 30 + 0) / 4.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.rmse, sqrt ((100 + 100 + 900 + 0) / 4.0), 1e-12);
  g_assert_cmpfloat_with_epsilon (m.mape, 100.0 * (0.1 + 0.05 + 0.1 + 0) / 4, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.smape,
                                  100.0 * (20.0 / 210 + 20.0 / 390 + 60.0 / 630 + 0) / 4, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.mase, 12.5 / 2.25, 1e-12);
}

static void
test_metrics_undefined_are_nan (void)
{
  const double actual[] = { 0, 0 };
  const double forecast[] = { 0, 1 };
  const double flat[] = { 5, 5, 5, 5 };
  RecurMetrics m;

  recur_metrics_compute (actual, forecast, 2, recur_mase_scale (flat, 4, 1), &m);
  g_assert_true (isnan (m.mape));      /* division by a zero actual */
  g_assert_true (isnan (m.mase));      /* a constant history has no naive error */
  g_assert_cmpfloat_with_epsilon (m.smape, 100.0, 1e-12); /* 0 for (0,0), 200 for (0,1) */
  g_assert_true (isnan (recur_mase_scale (flat, 4, 4)));  /* not longer than the season */
  g_assert_true (isnan (recur_mase_scale (flat, 4, 0)));  /* no season at all */
}

/* A missing actual value (NaN: a gap in the file) is left out of every metric, never read as
 * an error of 0 or of NaN; with none known, every metric is NaN. */
static void
test_metrics_skip_missing_actuals (void)
{
  const double actual[] = { 100, NAN, 300, NAN };
  const double forecast[] = { 110, 5000, 330, 7 };
  const double none[] = { NAN, NAN };
  RecurMetrics m;

  recur_metrics_compute (actual, forecast, 4, 2.0, &m);
  g_assert_cmpfloat_with_epsilon (m.mae, (10 + 30) / 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.rmse, sqrt ((100 + 900) / 2.0), 1e-12);
  g_assert_cmpfloat_with_epsilon (m.mape, 100.0 * (0.1 + 0.1) / 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.smape, 100.0 * (20.0 / 210 + 60.0 / 630) / 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.mase, 20.0 / 2.0, 1e-12);
  recur_metrics_compute (none, forecast, 2, 2.0, &m);
  g_assert_true (isnan (m.mae) && isnan (m.rmse) && isnan (m.mape) && isnan (m.smape)
                 && isnan (m.mase));
}

/* Errors whose squares underflow (below 1e-154) or overflow (above 1e154), and a sum of
 * errors beyond the largest double, still give their true RMSE and MAE. */
static void
test_metrics_extreme_magnitudes (void)
{
  const double tiny[] = { 1e-310, 3e-310 }, zero[] = { 0, 0 };
  const double big[] = { 1e300, -3e300 }, huge[] = { 1.5e308, 1.7e308 };
  RecurMetrics m;

  recur_metrics_compute (tiny, zero, 2, NAN, &m);
  g_assert_cmpfloat (m.rmse, >, 0);
  g_assert_cmpfloat_with_epsilon (m.rmse / 1e-310, sqrt ((1 + 9) / 2.0), 1e-9);
  g_assert_cmpfloat_with_epsilon (m.mae / 1e-310, 2.0, 1e-9);
  recur_metrics_compute (big, zero, 2, NAN, &m);
  g_assert_cmpfloat_with_epsilon (m.rmse / 1e300, sqrt ((1 + 9) / 2.0), 1e-12);
  recur_metrics_compute (huge, zero, 2, NAN, &m);
  g_assert_true (isfinite (m.mae));
  g_assert_cmpfloat_with_epsilon (m.mae / 1e308, 1.6, 1e-12);
  g_assert_cmpfloat_with_epsilon (m.rmse / 1e308, sqrt ((1.5 * 1.5 + 1.7 * 1.7) / 2), 1e-12);
}

static void
test_baselines (void)
{
  const double history[] = { 1, 2, 3, 4, 5, 6, 7 };
  double out[5];

  recur_naive_forecast (history, 7, 5, out);
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat (out[i], ==, 7);
  recur_seasonal_naive_forecast (history, 7, 3, 5, out);
  g_assert_cmpfloat (out[0], ==, 5);
  g_assert_cmpfloat (out[1], ==, 6);
  g_assert_cmpfloat (out[2], ==, 7);
  g_assert_cmpfloat (out[3], ==, 5);
  g_assert_cmpfloat (out[4], ==, 6);
  recur_seasonal_naive_forecast (history, 2, 3, 2, out); /* too short: naive */
  g_assert_cmpfloat (out[0], ==, 2);
  g_assert_cmpfloat (out[1], ==, 2);
  recur_seasonal_naive_forecast (history, 7, 0, 2, out); /* no season: naive */
  g_assert_cmpfloat (out[0], ==, 7);
  g_assert_cmpfloat (out[1], ==, 7);
  recur_seasonal_naive_forecast (history, 3, 3, 4, out); /* exactly one season: repeated */
  g_assert_cmpfloat (out[0], ==, 1);
  g_assert_cmpfloat (out[3], ==, 1);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/metrics/known-values", test_metrics_known_values);
  g_test_add_func ("/engine/metrics/undefined-are-nan", test_metrics_undefined_are_nan);
  g_test_add_func ("/engine/metrics/skip-missing-actuals", test_metrics_skip_missing_actuals);
  g_test_add_func ("/engine/metrics/extreme-magnitudes", test_metrics_extreme_magnitudes);
  g_test_add_func ("/engine/metrics/baselines", test_baselines);
  return g_test_run ();
}
