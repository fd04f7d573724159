/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recur-rng.h"
#include "recur-theta.h"

/* Parses a comma-separated list of numbers into a new array. */
static double *
parse_numbers (const char *text,
               guint      *n)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  double *v = g_new (double, g_strv_length (parts));

  *n = 0;
  for (guint i = 0; parts[i]; i++)
    v[(*n)++] = g_ascii_strtod (parts[i], NULL);
  return v;
}

/* Every series of the fixture: the forecast within TOLERANCE of R's thetaf, relative to the
 * mean absolute one-step change of the history (the scale a forecast error is judged on).
 * R's ets fits α and the initial level by Nelder–Mead on the likelihood, Recur by a grid and
 * golden sections on the same least squares, so they agree to a few decimals, not to the last
 * bit: the largest difference on these series is 5e-5 of that scale. */
#define TOLERANCE 1e-3

static void
test_matches_r (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "theta",
                                                 "thetaf-r.tsv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  guint tested = 0, seasonal = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint l = 0; lines[l]; l++)
    {
      g_auto(GStrv) f = NULL;
      g_autofree double *values = NULL, *expected = NULL, *forecast = NULL;
      guint n, h, m;
      double scale = 0, worst = 0;
      RecurThetaFit fit;

      if (lines[l][0] == '#' || lines[l][0] == '\0')
        continue;
      f = g_strsplit (lines[l], "\t", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 5);
      m = atoi (f[1]);
      values = parse_numbers (f[3], &n);
      expected = parse_numbers (f[4], &h);
      g_assert_cmpuint (h, ==, (guint) atoi (f[2]));
      forecast = g_new (double, h);
      g_assert_true (recur_theta_forecast (values, n, m, h, forecast, &fit, &error));
      g_assert_no_error (error);
      for (guint t = 1; t < n; t++)
        scale += fabs (values[t] - values[t - 1]) / (n - 1);
      for (guint i = 0; i < h; i++)
        worst = MAX (worst, fabs (forecast[i] - expected[i]) / scale);
      g_test_message ("%s: alpha %.4f, %s, worst difference %.2g of the mean change", f[0],
                      fit.alpha, fit.seasonal ? "seasonal" : "not seasonal", worst);
      g_assert_cmpfloat (worst, <, TOLERANCE);
      tested++;
      seasonal += fit.seasonal;
    }
  g_assert_cmpuint (tested, >=, 10);
  /* both paths are compared */
  g_assert_cmpuint (seasonal, >=, 2);
  g_assert_cmpuint (seasonal, <, tested);
}

/* A straight line: SES follows it (α → its upper bound) and the drift is half the slope, so
 * step i lies at last + slope/2 · (i + 1/α − …): exactly what thetaf gives a line. */
static void
test_line (void)
{
  double x[50], out[5];
  RecurThetaFit fit;

  for (guint t = 0; t < 50; t++)
    x[t] = 10 + 2.0 * t;
  g_assert_true (recur_theta_forecast (x, 50, 1, 5, out, &fit, NULL));
  g_assert_false (fit.seasonal);
  g_assert_cmpfloat_with_epsilon (fit.drift, 1.0, 1e-9);
  for (guint i = 0; i < 5; i++)
    {
      double want = fit.level + (i + (1 - pow (1 - fit.alpha, 50)) / fit.alpha);
      g_assert_cmpfloat_with_epsilon (out[i], want, 1e-9);
      /* between the naive forecast and the line's own continuation */
      g_assert_cmpfloat (out[i], >, 108.0);
      g_assert_cmpfloat (out[i], <, 108.0 + 2.0 * (i + 1) + 1e-6);
    }
}

/* A shift of the series shifts the forecast (smoothing and slope do not change), far from 0
 * too; a seasonal pattern is carried into the forecast by phase. */
static void
test_shift_and_season (void)
{
  double x[96], y[96], a[12], b[12];
  RecurRng rng;
  RecurThetaFit fit;

  recur_rng_init (&rng, 7);
  for (guint t = 0; t < 96; t++)
    {
      x[t] = (100 + 0.5 * t) * (1 + 0.3 * sin (2 * G_PI * t / 12)) + recur_rng_normal (&rng);
      y[t] = x[t] + 1e6;
    }
  g_assert_true (recur_theta_forecast (x, 96, 12, 12, a, &fit, NULL));
  g_assert_true (fit.seasonal);
  /* the phase of row 96 + i is (96 + i) mod 12 = i: the peak at i = 3, the trough at i = 9 */
  g_assert_cmpfloat (a[3], >, a[0]);
  g_assert_cmpfloat (a[9], <, a[6]);
  g_assert_cmpfloat (a[3] - a[9], >, 50);
  /* without the season given, the same data is smoothed as it is */
  g_assert_true (recur_theta_forecast (x, 96, 1, 12, b, &fit, NULL));
  g_assert_false (fit.seasonal);
  /* the shifted series is not deseasonalised (its ratios to the trend are all near 1), so
   * compare its plain forecast with the plain one */
  g_assert_true (recur_theta_forecast (y, 96, 1, 12, a, NULL, NULL));
  for (guint i = 0; i < 12; i++)
    g_assert_cmpfloat_with_epsilon (a[i] - 1e6, b[i], 1e-6);
}

/* A value ≤ 0 turns the multiplicative season off rather than dividing by it. */
static void
test_not_positive (void)
{
  double x[60], out[6];
  RecurThetaFit fit;

  for (guint t = 0; t < 60; t++)
    x[t] = 5 * sin (2 * G_PI * t / 6);
  g_assert_true (recur_theta_forecast (x, 60, 6, 6, out, &fit, NULL));
  g_assert_false (fit.seasonal);
  for (guint i = 0; i < 6; i++)
    g_assert_true (isfinite (out[i]));
}

static void
test_errors (void)
{
  double x[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, out[3] = { -1, -1, -1 };
  g_autoptr(GError) error = NULL;

  g_assert_false (recur_theta_forecast (x, 3, 1, 3, out, NULL, &error));
  g_assert_error (error, RECUR_THETA_ERROR, RECUR_THETA_ERROR_TOO_SHORT);
  g_assert_nonnull (strstr (error->message, "at least 4 points"));
  g_assert_cmpfloat (out[0], ==, -1);
  g_clear_error (&error);
  x[4] = NAN;
  g_assert_false (recur_theta_forecast (x, 10, 1, 3, out, NULL, &error));
  g_assert_error (error, RECUR_THETA_ERROR, RECUR_THETA_ERROR_NOT_FINITE);
  g_assert_nonnull (strstr (error->message, "row 5"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/theta/matches-r-thetaf", test_matches_r);
  g_test_add_func ("/theta/line", test_line);
  g_test_add_func ("/theta/shift-and-season", test_shift_and_season);
  g_test_add_func ("/theta/not-positive", test_not_positive);
  g_test_add_func ("/theta/errors", test_errors);
  return g_test_run ();
}
