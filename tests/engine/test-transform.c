/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-series.h"
#include "test-data.h"
#include "recur-dataset.h"
#include "recur-transform.h"

/* How far Recur's λ may be from R's (see test_boxcox_lambda_as_r). */
#define R_LAMBDA_TOLERANCE 1e-9

/* The largest |x̂ − x| / max (|x|, floor) over the rows compared. */
static double
max_relative_error (const double *expected,
                    const double *actual,
                    guint         n,
                    double        floor)
{
  double worst = 0;

  for (guint i = 0; i < n; i++)
    {
      double e = fabs (actual[i] - expected[i]) / MAX (fabs (expected[i]), floor);

      g_assert_true (isfinite (actual[i]));
      worst = MAX (worst, e);
    }
  return worst;
}

static void
test_box_cox_formulas (void)
{
  const double xs[] = { 1e-300, 1e-8, 0.3, 1, 2.5, 112, 6e4, 1e300 };

  for (guint i = 0; i < G_N_ELEMENTS (xs); i++)
    {
      double x = xs[i];

      /* λ = 0 is the logarithm, exactly */
      g_assert_cmpfloat (recur_box_cox (x, 0), ==, log (x));
      g_assert_cmpfloat (recur_box_cox_inverse (log (x), 0), ==, exp (log (x)));
      /* near 0 the expm1 form tends to log x without cancellation */
      g_assert_cmpfloat_with_epsilon (recur_box_cox (x, 1e-12), log (x),
                                      1e-9 * MAX (1, fabs (log (x))));
      /* λ = −1, ½, 1 in their closed forms (exp of log x, rounded, is off by |log x|·ε) */
      g_assert_cmpfloat_with_epsilon (recur_box_cox (x, 1), x - 1, 1e-13 * MAX (1, x));
      g_assert_cmpfloat_with_epsilon (recur_box_cox (x, -1), 1 - 1 / x,
                                      1e-13 * MAX (1, 1 / x));
      g_assert_cmpfloat_with_epsilon (recur_box_cox (x, 0.5), 2 * (sqrt (x) - 1),
                                      1e-13 * MAX (1, sqrt (x)));
      /* and back */
      for (double lambda = -1; lambda <= 2; lambda += 0.25)
        {
          double y = recur_box_cox (x, lambda);

          if (isfinite (y) && lambda * y > -1 + 1e-6)
            g_assert_cmpfloat_with_epsilon (recur_box_cox_inverse (y, lambda), x, 1e-12 * x);
        }
    }
  /* outside the inverse's domain: NaN, never a value */
  g_assert_true (isnan (recur_box_cox_inverse (-3, 0.5)));
  g_assert_true (isnan (recur_box_cox_inverse (1, -1)));
}

typedef struct
{
  const char *file;
  const char *column;
  guint       season;
} SeriesCase;

static const SeriesCase shipped[] = {
  { "air_passengers.csv", "passengers_thousands", 12 },
  { "nottingham_temperature.csv", "mean_temp_f", 12 },
  { "eu_stock_markets.csv", "dax", 5 },
  { "eu_stock_markets.csv", "smi", 5 },
  { "eu_stock_markets.csv", "cac", 5 },
  { "eu_stock_markets.csv", "ftse", 5 },
  { "gold_price.csv", "price_usd", 5 },
};

/* Fits on the first 80 %, forwards the whole series, and inverts from several ends of history:
 * the offset (the first point that can be inverted), the end of the fitted part, and 60 points
 * before the end; each inversion covers up to 60 steps, and one from the offset covers the
 * whole series. Returns the largest relative error. */
static double
round_trip (const double             *x,
            guint                     n,
            guint                     season,
            const RecurTransformSpec *spec,
            RecurTransform           *t)
{
  g_autoptr (GError) error = NULL;
  g_autofree double *s = g_new (double, n);
  g_autofree double *back = g_new (double, n);
  guint n_fit = n * 4 / 5;
  double worst = 0, top = 0;
  guint cuts[3];

  g_assert_true (recur_transform_fit (t, spec, x, n_fit, season, "test", &error));
  g_assert_no_error (error);
  g_assert_true (recur_transform_forward (t, x, n, s, "test", &error));
  g_assert_no_error (error);
  for (guint i = 0; i < n; i++)
    top = MAX (top, fabs (x[i]));
  cuts[0] = t->offset;
  cuts[1] = n_fit;
  cuts[2] = n - 60;
  for (guint c = 0; c < G_N_ELEMENTS (cuts); c++)
    {
      guint steps = c == 0 ? n - cuts[c] : MIN (60, n - cuts[c]);

      g_assert_true (recur_transform_inverse (t, x, cuts[c], s + cuts[c], steps, back, &error));
      g_assert_no_error (error);
      /* a forecast over the whole series integrates ~2,000 differences: its errors are
       * relative to the series' largest value, the others to each value */
      worst = MAX (worst, max_relative_error (x + cuts[c], back, steps,
                                              c == 0 ? top : 0));
    }
  /* the inverse may write over its input */
  memcpy (back, s + n_fit, (n - n_fit) * sizeof (double));
  g_assert_true (recur_transform_inverse (t, x, n_fit, back, n - n_fit, back, &error));
  worst = MAX (worst, max_relative_error (x + n_fit, back, n - n_fit, 0));
  return worst;
}

static void
test_round_trip_shipped (void)
{
  const RecurBoxCoxMode modes[] = { RECUR_BOX_COX_NONE, RECUR_BOX_COX_AUTO, RECUR_BOX_COX_GIVEN,
                                    RECUR_BOX_COX_GIVEN, RECUR_BOX_COX_GIVEN };
  const double lambdas[] = { 0, 0, 0, 0.5, -0.3 };
  double worst = 0;
  guint n_cases = 0;

  for (guint c = 0; c < G_N_ELEMENTS (shipped); c++)
    {
      guint n;
      g_autofree double *x = test_load_column (shipped[c].file, shipped[c].column,
                                               RECUR_MISSING_INTERPOLATE, &n);

      for (guint b = 0; b < G_N_ELEMENTS (modes); b++)
        for (guint bits = 0; bits < 8; bits++)
          for (RecurScalerKind k = RECUR_SCALER_ZSCORE; k <= RECUR_SCALER_NONE; k++)
            {
              RecurTransformSpec spec = {
                .box_cox = modes[b],
                .lambda = lambdas[b],
                .difference = (bits & 1) != 0,
                .seasonal_difference = (bits & 2) != 0,
                .deseasonalise = (bits & 4) != 0,
                .scaler = k,
              };
              RecurTransform t;
              double e = round_trip (x, n, shipped[c].season, &spec, &t);

              if (e > 1e-12)
                g_test_message ("%s %s: box-cox %u λ %g bits %u scaler %d: error %g",
                                shipped[c].file, shipped[c].column, b, t.lambda, bits, k, e);
              g_assert_cmpfloat (e, <=, 1e-12);
              g_assert_cmpuint (t.offset, ==, (bits & 1) + ((bits & 2) ? shipped[c].season : 0));
              worst = MAX (worst, e);
              n_cases++;
            }
    }
  g_test_message ("%u combinations, largest relative error %.3g", n_cases, worst);
}

static void
test_round_trip_random (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (15);
  const guint n = 500;
  g_autofree double *x = g_new (double, n);
  /* magnitudes: ordinary, huge, tiny; signs: positive (Box-Cox allowed) or mixed */
  const double magnitudes[] = { 1, 1e150, 1e-150 };

  for (guint trial = 0; trial < 20; trial++)
    for (guint mag = 0; mag < G_N_ELEMENTS (magnitudes); mag++)
      for (guint mixed = 0; mixed < 2; mixed++)
        {
          guint season = g_rand_int_range (rand, 2, 30);
          RecurTransformSpec spec = {
            /* a given λ ≠ 0 cannot keep values far from 1 (see test_box_cox_lossy) */
            .box_cox = mixed ? RECUR_BOX_COX_NONE : (RecurBoxCoxMode) g_rand_int_range (rand, 0, 3),
            .lambda = mag == 0 ? g_rand_double_range (rand, -1, 2) : 0,
            .difference = g_rand_boolean (rand),
            .seasonal_difference = g_rand_boolean (rand),
            .deseasonalise = g_rand_boolean (rand),
            .scaler = (RecurScalerKind) g_rand_int_range (rand, 0, 3),
          };
          RecurTransform t;
          double level = g_rand_double_range (rand, 1, 100);
          double e;

          /* a random walk with a seasonal pattern and noise, kept positive when it must be */
          for (guint i = 0; i < n; i++)
            {
              double v = level + 0.3 * level * sin (2 * G_PI * i / season)
                         + g_rand_double_range (rand, -1, 1);

              if (mixed)
                v -= 1.3 * level;
              x[i] = MAX (v, 1e-3) * magnitudes[mag];
              if (mixed)
                x[i] = v * magnitudes[mag];
              level = MAX (level + g_rand_double_range (rand, -0.5, 0.5), 2);
            }
          e = round_trip (x, n, season, &spec, &t);
          if (e > 1e-12)
            g_test_message ("trial %u magnitude %g mixed %u λ %g: error %g",
                            trial, magnitudes[mag], mixed, t.lambda, e);
          g_assert_cmpfloat (e, <=, 1e-12);
        }
}

static void
test_forward_known_values (void)
{
  /* scaler none: z_t = (x_t − x_{t−1}) − (x_{t−m} − x_{t−m−1}), computed here by hand */
  const double x[] = { 3, 5, 4, 8, 6, 9, 12, 7, 10, 15, 11, 13 };
  const guint n = G_N_ELEMENTS (x), m = 3;
  RecurTransformSpec spec = { .difference = TRUE, .seasonal_difference = TRUE,
                              .scaler = RECUR_SCALER_NONE };
  RecurTransform t;
  double z[G_N_ELEMENTS (x)];
  g_autoptr (GError) error = NULL;

  g_assert_true (recur_transform_fit (&t, &spec, x, n, m, "test", &error));
  g_assert_cmpuint (t.offset, ==, 4);
  g_assert_true (recur_transform_forward (&t, x, n, z, "test", &error));
  for (guint i = 0; i < t.offset; i++)
    g_assert_true (isnan (z[i]));
  for (guint i = t.offset; i < n; i++)
    g_assert_cmpfloat (z[i], ==, (x[i] - x[i - 1]) - (x[i - m] - x[i - m - 1]));

  /* forward may write over its input */
  double same[G_N_ELEMENTS (x)];
  memcpy (same, x, sizeof x);
  g_assert_true (recur_transform_forward (&t, same, n, same, "test", &error));
  g_assert_cmpmem (same + t.offset, (n - t.offset) * sizeof (double),
                   z + t.offset, (n - t.offset) * sizeof (double));
}

static void
test_zero_forecast_is_naive (void)
{
  /* with scaler none, a forecast of zero differences is the naive forecast (first difference)
   * or the seasonal naive forecast (seasonal difference), exactly, past the season too */
  const double x[] = { 112, 118, 132, 129, 121, 135, 148, 148, 136, 119, 104, 118,
                       115, 126, 141, 135, 125, 149, 170, 170, 158, 133, 114, 140 };
  const guint n = G_N_ELEMENTS (x), m = 12, steps = 30;
  double zeros[30] = { 0 }, out[30];
  g_autoptr (GError) error = NULL;

  for (int bc = 0; bc < 2; bc++)
    {
      RecurTransformSpec naive = { .difference = TRUE, .scaler = RECUR_SCALER_NONE,
                                   .box_cox = bc ? RECUR_BOX_COX_GIVEN : RECUR_BOX_COX_NONE };
      RecurTransformSpec seasonal = { .seasonal_difference = TRUE,
                                      .scaler = RECUR_SCALER_NONE,
                                      .box_cox = naive.box_cox };
      RecurTransform t;

      g_assert_true (recur_transform_fit (&t, &naive, x, n, m, "test", &error));
      g_assert_true (recur_transform_inverse (&t, x, n, zeros, steps, out, &error));
      for (guint k = 0; k < steps; k++)
        g_assert_cmpfloat (fabs (out[k] - x[n - 1]), <=, bc ? 1e-12 * x[n - 1] : 0);
      g_assert_true (recur_transform_fit (&t, &seasonal, x, n, m, "test", &error));
      g_assert_true (recur_transform_inverse (&t, x, n, zeros, steps, out, &error));
      for (guint k = 0; k < steps; k++)
        {
          double expected = x[n - m + k % m];

          g_assert_cmpfloat (fabs (out[k] - expected), <=, bc ? 1e-12 * expected : 0);
        }
    }
}

static void
test_seasonal_indices (void)
{
  /* a linear trend plus a zero-mean pattern: the centred moving average is the trend exactly,
   * so the indices are the pattern, whatever phase the series starts at */
  const double pattern[] = { -3, 1, 4, 0.5, -2.5 };
  const guint m = G_N_ELEMENTS (pattern);
  double x[23];
  RecurTransformSpec spec = { .deseasonalise = TRUE, .scaler = RECUR_SCALER_NONE };
  RecurTransform t;
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (x); i++)
    x[i] = 10 + 0.7 * i + pattern[i % m];
  g_assert_true (recur_transform_fit (&t, &spec, x, G_N_ELEMENTS (x), m, "test", &error));
  for (guint i = 0; i < m; i++)
    g_assert_cmpfloat_with_epsilon (t.seasonal_index[i], pattern[i], 1e-12);

  /* an even season uses the 2×m average: a pattern of period 4 */
  const double pattern4[] = { 2, -1, 0.5, -1.5 };
  for (guint i = 0; i < 17; i++)
    x[i] = -4 + 0.25 * i + pattern4[i % 4];
  g_assert_true (recur_transform_fit (&t, &spec, x, 17, 4, "test", &error));
  for (guint i = 0; i < 4; i++)
    g_assert_cmpfloat_with_epsilon (t.seasonal_index[i], pattern4[i], 1e-12);

  /* fewer than two seasons is refused, saying how many points it needs */
  g_assert_false (recur_transform_fit (&t, &spec, x, 7, 4, "data.csv: column “x”", &error));
  g_assert_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_TOO_SHORT);
  g_assert_nonnull (strstr (error->message, "data.csv: column “x”"));
  g_assert_nonnull (strstr (error->message, "8"));
  g_assert_nonnull (strstr (error->message, "7"));
  g_clear_error (&error);
  /* and no season at all */
  g_assert_false (recur_transform_fit (&t, &spec, x, 17, 1, "test", &error));
  g_assert_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_INVALID);
}

static void
test_fit_reads_training_part_only (void)
{
  guint n;
  g_autofree double *x = test_load_column ("air_passengers.csv", "passengers_thousands",
                                           RECUR_MISSING_INTERPOLATE, &n);
  g_autofree double *y = g_memdup2 (x, n * sizeof (double));
  RecurTransformSpec spec = { .box_cox = RECUR_BOX_COX_AUTO, .deseasonalise = TRUE,
                              .difference = TRUE, .scaler = RECUR_SCALER_ZSCORE };
  RecurTransform a, b;
  g_autoptr (GError) error = NULL;

  for (guint i = 100; i < n; i++)
    y[i] = i % 2 ? -1e6 : NAN;
  g_assert_true (recur_transform_fit (&a, &spec, x, 100, 12, "test", &error));
  g_assert_true (recur_transform_fit (&b, &spec, y, 100, 12, "test", &error));
  g_assert_true (a.box_cox && b.box_cox);
  g_assert_cmpfloat (a.lambda, ==, b.lambda);
  g_assert_cmpfloat (a.scaler.center, ==, b.scaler.center);
  g_assert_cmpfloat (a.scaler.scale, ==, b.scaler.scale);
  g_assert_cmpmem (a.seasonal_index, sizeof a.seasonal_index,
                   b.seasonal_index, sizeof b.seasonal_index);
}

static void
test_refusals (void)
{
  const double x[] = { 4, 5, 6, 7, 0, 9, -3, 11 };
  const double ok[] = { 4, 5, 6, 7, 8, 9, 10, 11 };
  RecurTransformSpec given = { .box_cox = RECUR_BOX_COX_GIVEN, .lambda = 0.5,
                               .scaler = RECUR_SCALER_NONE };
  RecurTransform t;
  double out[8];
  g_autoptr (GError) error = NULL;

  /* Box-Cox asked for on data with a 0 in row 5: refused naming the value and where */
  g_assert_false (recur_transform_fit (&t, &given, x, 8, 1, "data.csv: column “x”", &error));
  g_assert_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_NOT_POSITIVE);
  g_assert_nonnull (strstr (error->message, "data.csv: column “x”: value 5 (0)"));
  g_assert_nonnull (strstr (error->message, "λ = 0.5"));
  g_clear_error (&error);
  /* a negative value, with log */
  given.lambda = 0;
  g_assert_false (recur_transform_fit (&t, &given, x + 5, 3, 1, "data.csv: column “x”", &error));
  g_assert_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_NOT_POSITIVE);
  g_assert_nonnull (strstr (error->message, "value 2 (-3)"));
  g_clear_error (&error);

  /* fitted on positive data, forwarding a non-positive value names its row */
  g_assert_true (recur_transform_fit (&t, &given, ok, 8, 1, "test", &error));
  g_assert_false (recur_transform_forward (&t, x, 8, out, "data.csv: column “x”", &error));
  g_assert_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_NOT_POSITIVE);
  g_assert_nonnull (strstr (error->message, "value 5 (0)"));
  g_clear_error (&error);

  /* a non-finite value, in fit and in forward */
  double bad[] = { 4, 5, NAN, 7 };
  g_assert_false (recur_transform_fit (&t, &given, bad, 4, 1, "data.csv: column “x”", &error));
  g_assert_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE);
  g_assert_nonnull (strstr (error->message, "data.csv: column “x”: value 3"));
  g_clear_error (&error);
  bad[2] = INFINITY;
  g_assert_false (recur_transform_forward (&t, bad, 4, out, "data.csv: column “x”", &error));
  g_assert_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE);
  g_assert_nonnull (strstr (error->message, "value 3"));
  g_clear_error (&error);

  /* finite before, not after: λ = 2 on 1e200 */
  const double huge[] = { 1, 2, 1e200, 3 };
  given.lambda = 2;
  g_assert_false (recur_transform_fit (&t, &given, huge, 4, 1, "data.csv: column “x”", &error));
  g_assert_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE);
  g_assert_nonnull (strstr (error->message, "value 3 (1e+200)"));
  g_clear_error (&error);

  /* a non-finite λ */
  given.lambda = NAN;
  g_assert_false (recur_transform_fit (&t, &given, ok, 8, 1, "test", &error));
  g_assert_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_INVALID);
  g_clear_error (&error);

  /* a forecast the inverse cannot take (1 + λy ≤ 0 would be a value below 0) names its step */
  RecurTransformSpec half = { .box_cox = RECUR_BOX_COX_GIVEN, .lambda = 0.5,
                              .scaler = RECUR_SCALER_NONE };
  const double s_out[] = { 1, -1.5, -2.5 };
  g_assert_true (recur_transform_fit (&t, &half, ok, 8, 1, "test", &error));
  g_assert_false (recur_transform_inverse (&t, ok, 8, s_out, 3, out, &error));
  g_assert_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_DOMAIN);
  g_assert_nonnull (strstr (error->message, "step 3 (-2.5)"));
  g_clear_error (&error);

  /* differencing that leaves nothing to fit on */
  RecurTransformSpec diff = { .difference = TRUE, .seasonal_difference = TRUE,
                              .scaler = RECUR_SCALER_ZSCORE };
  g_assert_false (recur_transform_fit (&t, &diff, ok, 8, 7, "data.csv: column “x”", &error));
  g_assert_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_TOO_SHORT);
  g_assert_nonnull (strstr (error->message, "more than 8 points"));
}

static void
test_box_cox_lossy (void)
{
  /* λ = 1 on values near 1e-12: x − 1 keeps 4 of their digits; refused when given, naming the
   * first value it cannot keep; log keeps them */
  const double tiny[] = { 3e-12, 5e-12, 4e-12, 6e-12, 2e-12, 7e-12, 5e-12, 8e-12 };
  RecurTransformSpec spec = { .box_cox = RECUR_BOX_COX_GIVEN, .lambda = 1,
                              .scaler = RECUR_SCALER_NONE };
  RecurTransform t;
  g_autoptr (GError) error = NULL;

  g_assert_false (recur_transform_fit (&t, &spec, tiny, 8, 2, "data.csv: column “x”", &error));
  g_assert_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "data.csv: column “x”: value 1 (3e-12)"));
  g_assert_nonnull (strstr (error->message, "λ = 1"));
  g_clear_error (&error);
  spec.lambda = 0;
  g_assert_true (recur_transform_fit (&t, &spec, tiny, 8, 2, "test", &error));
  g_assert_true (t.box_cox);

  /* automatic: Guerrero's λ is the same for x and 1e150·x (it does not depend on the scale);
   * air passengers' λ < 0 makes x^λ ~ 1e-44 there, which keeps nothing of x: skipped */
  guint n;
  g_autofree double *x = test_load_column ("air_passengers.csv", "passengers_thousands",
                                           RECUR_MISSING_INTERPOLATE, &n);
  spec.box_cox = RECUR_BOX_COX_AUTO;
  g_assert_true (recur_transform_fit (&t, &spec, x, n, 12, "test", &error));
  g_assert_true (t.box_cox);
  g_assert_cmpfloat (t.lambda, <, 0);
  double lambda = t.lambda;
  for (guint i = 0; i < n; i++)
    x[i] *= 1e150;
  g_assert_cmpfloat_with_epsilon (recur_guerrero_lambda (x, n, 12, -1, 2), lambda, 1e-6);
  g_assert_true (recur_transform_fit (&t, &spec, x, n, 12, "test", &error));
  g_assert_false (t.box_cox);
}

static void
test_auto_skips_non_positive (void)
{
  const double x[] = { 5, 0, 3, 8, 1, 0, 4, 9, 2, 0, 5, 11, 3, 0, 6, 12 };
  RecurTransformSpec spec = { .box_cox = RECUR_BOX_COX_AUTO, .scaler = RECUR_SCALER_NONE };
  RecurTransform t;
  double out[G_N_ELEMENTS (x)];
  g_autoptr (GError) error = NULL;

  /* skipped, not an error: the series passes through unchanged */
  g_assert_true (recur_transform_fit (&t, &spec, x, G_N_ELEMENTS (x), 4, "test", &error));
  g_assert_no_error (error);
  g_assert_false (t.box_cox);
  g_assert_true (recur_transform_forward (&t, x, G_N_ELEMENTS (x), out, "test", &error));
  g_assert_cmpmem (out, sizeof out, x, sizeof x);

  /* a constant positive series: Guerrero's criterion is 0/0 at every λ; the search still
   * ends inside the range (R's optimize replaces the value the same way) */
  const double flat[] = { 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7 };
  double lambda = recur_guerrero_lambda (flat, G_N_ELEMENTS (flat), 2, -1, 2);
  g_assert_cmpfloat (lambda, >=, -1);
  g_assert_cmpfloat (lambda, <=, 2);
  g_assert_true (recur_transform_fit (&t, &spec, flat, G_N_ELEMENTS (flat), 2, "test", &error));
  g_assert_true (recur_transform_forward (&t, flat, G_N_ELEMENTS (flat), out, "test", &error));
  g_assert_true (recur_transform_inverse (&t, flat, 0, out, G_N_ELEMENTS (flat),
                                          out, &error));
  for (guint i = 0; i < G_N_ELEMENTS (flat); i++)
    g_assert_cmpfloat_with_epsilon (out[i], 7, 1e-12 * 7);

  /* positive data: applied */
  const double pos[] = { 5, 1, 3, 8, 1, 2, 4, 9, 2, 1, 5, 11, 3, 2, 6, 12 };
  g_assert_true (recur_transform_fit (&t, &spec, pos, G_N_ELEMENTS (pos), 4, "test", &error));
  g_assert_true (t.box_cox);
  g_assert_cmpfloat (t.lambda, >=, RECUR_BOX_COX_LOWER);
  g_assert_cmpfloat (t.lambda, <=, RECUR_BOX_COX_UPPER);
}

/* One row of a λ fixture: a series' column, season m, the first n values, a reference λ, and
 * Guerrero's criterion at these λs. */
static const double cv_lambdas[] = { -1, -0.5, 0, 0.5, 1, 2 };

typedef struct
{
  const char *series;
  const char *column;
  double     *x;
  guint       m;
  guint       n;
  double      lambda;   /* the reference's */
} LambdaCase;

/* Each row of fixtures/transform/NAME: the criterion checked against the reference's to
 * rounding, then check (row) for the λ. The number of rows. */
static guint
for_each_lambda_case (const char  *name,
                      void       (*check) (const LambdaCase *c))
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "transform", name,
                                                 NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) lines = NULL;
  guint n_cases = 0;

  g_assert_true (g_file_get_contents (path, &text, NULL, &error));
  lines = g_strsplit (text, "\n", -1);
  for (guint l = 0; lines[l] != NULL; l++)
    {
      g_auto (GStrv) f = NULL;
      g_autofree double *x = NULL;
      guint n_rows;
      LambdaCase c;

      if (lines[l][0] == '#' || lines[l][0] == '\0')
        continue;
      f = g_strsplit (lines[l], "\t", -1);
      g_assert_cmpuint (g_strv_length (f), ==, 5 + G_N_ELEMENTS (cv_lambdas));
      x = test_load_column (f[0], f[1], RECUR_MISSING_INTERPOLATE, &n_rows);
      c = (LambdaCase) {
        .series = f[0], .column = f[1], .x = x,
        .m = (guint) g_ascii_strtoull (f[2], NULL, 10),
        .n = (guint) g_ascii_strtoull (f[3], NULL, 10),
        .lambda = g_ascii_strtod (f[4], NULL),
      };
      g_assert_cmpuint (c.n, <=, n_rows);
      for (guint i = 0; i < G_N_ELEMENTS (cv_lambdas); i++)
        {
          double ref = g_ascii_strtod (f[5 + i], NULL);

          g_assert_cmpfloat_with_epsilon (recur_guerrero_cv (x, c.n, c.m, cv_lambdas[i]), ref,
                                          1e-12 * ref);
        }
      check (&c);
      n_cases++;
    }
  return n_cases;
}

/* The λ: R's optimize() stops within eps·|λ| + tol of the minimiser, tol = ε^¼ */
static void
check_guerrero_lambda (const LambdaCase *c)
{
  double lambda = recur_guerrero_lambda (c->x, c->n, c->m, RECUR_BOX_COX_LOWER,
                                         RECUR_BOX_COX_UPPER);

  g_test_message ("%s %s m %u n %u: λ %.10g, reference %.10g", c->series, c->column, c->m,
                  c->n, lambda, c->lambda);
  if (c->n <= 2 * c->m)
    g_assert_cmpfloat (lambda, ==, 1);
  else
    {
      double tol = pow (2.220446049250313e-16, 0.25);

      g_assert_cmpfloat_with_epsilon (lambda, c->lambda, 1.5e-8 * fabs (c->lambda) + tol);
      /* and the criterion there is as low as at the minimiser, to Brent's accuracy */
      g_assert_cmpfloat (recur_guerrero_cv (c->x, c->n, c->m, lambda), <=,
                         recur_guerrero_cv (c->x, c->n, c->m, c->lambda) * (1 + 1e-6));
    }
}

/* The criterion computed apart in Python, to rounding, and the λ near its minimiser. */
static void
test_guerrero_fixture (void)
{
  g_assert_cmpuint (for_each_lambda_case ("guerrero.tsv", check_guerrero_lambda), >=, 10);
}

static void
check_r_lambda (const LambdaCase *c)
{
  double lambda = recur_guerrero_lambda (c->x, c->n, c->m, RECUR_BOX_COX_LOWER,
                                         RECUR_BOX_COX_UPPER);

  g_test_message ("%s %s m %u n %u: λ %.17g, R %.17g", c->series, c->column, c->m, c->n,
                  lambda, c->lambda);
  g_assert_cmpfloat_with_epsilon (lambda, c->lambda, R_LAMBDA_TOLERANCE);
}

/* Against R itself (tests/make-boxcox-fixture.R: forecast 8.20's BoxCox.lambda, method
 * "guerrero"): the criterion to rounding, and the λ R's optimize() returns — Recur's search is
 * its Brent fmin step for step, so to far below optimize()'s own tolerance. */
static void
test_boxcox_lambda_as_r (void)
{
  g_assert_cmpuint (for_each_lambda_case ("boxcox-r.tsv", check_r_lambda), ==, 11);
}

static void
test_window_level (void)
{
  const double s[] = { 1, 4, -2, 7 };

  g_assert_cmpfloat (recur_window_level (RECUR_WINDOW_NORM_NONE, s, 4), ==, 0);
  g_assert_cmpfloat (recur_window_level (RECUR_WINDOW_NORM_LAST, s, 4), ==, 7);
  g_assert_cmpfloat (recur_window_level (RECUR_WINDOW_NORM_LAST, s, 3), ==, -2);
  g_assert_cmpfloat (recur_window_level (RECUR_WINDOW_NORM_MEAN, s, 4), ==, 2.5);

  for (RecurWindowNorm k = RECUR_WINDOW_NORM_NONE; k <= RECUR_WINDOW_NORM_MEAN; k++)
    {
      RecurWindowNorm back;

      g_assert_true (recur_window_norm_from_string (recur_window_norm_to_string (k), &back));
      g_assert_cmpint (back, ==, k);
    }
  RecurWindowNorm unused;
  g_assert_false (recur_window_norm_from_string ("median", &unused));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/transform/box-cox-formulas", test_box_cox_formulas);
  g_test_add_func ("/transform/round-trip-shipped", test_round_trip_shipped);
  g_test_add_func ("/transform/round-trip-random", test_round_trip_random);
  g_test_add_func ("/transform/forward-known-values", test_forward_known_values);
  g_test_add_func ("/transform/zero-forecast-is-naive", test_zero_forecast_is_naive);
  g_test_add_func ("/transform/seasonal-indices", test_seasonal_indices);
  g_test_add_func ("/transform/fit-reads-training-part-only", test_fit_reads_training_part_only);
  g_test_add_func ("/transform/refusals", test_refusals);
  g_test_add_func ("/transform/box-cox-lossy", test_box_cox_lossy);
  g_test_add_func ("/transform/auto-skips-non-positive", test_auto_skips_non_positive);
  g_test_add_func ("/transform/guerrero-fixture", test_guerrero_fixture);
  g_test_add_func ("/transform/boxcox-lambda-as-r", test_boxcox_lambda_as_r);
  g_test_add_func ("/transform/window-level", test_window_level);
  return g_test_run ();
}
