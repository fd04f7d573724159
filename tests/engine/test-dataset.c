/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "recur-dataset.h"

static RecurSplitSpec
split (guint window,
       guint horizon,
       guint out)
{
  return (RecurSplitSpec) { .window = window, .horizon = horizon, .output_size = out,
                            .val_fraction = 0.1, .transform.scaler = RECUR_SCALER_ZSCORE };
}

static void
test_split_is_chronological (void)
{
  double v[100];
  RecurSplitSpec s = split (10, 12, 12);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurDataset) d = NULL;
  guint last_train, first_val;

  for (int i = 0; i < 100; i++)
    v[i] = i;
  d = recur_dataset_new (v, 100, &s, "series", &error);
  g_assert_no_error (error);
  /* test: the last 12 points; validation: 10 % of the 88 before (9, at least the 12 targets) */
  g_assert_cmpuint (recur_dataset_get_test_start (d), ==, 88);
  g_assert_cmpuint (recur_dataset_get_val_start (d), ==, 88 - 12);
  /* the last training window's targets end right before validation starts */
  last_train = recur_dataset_train_window_start (d, recur_dataset_get_n_train_windows (d) - 1);
  g_assert_cmpuint (last_train + 10 + 12, ==, recur_dataset_get_val_start (d));
  first_val = recur_dataset_val_window_start (d, 0);
  g_assert_cmpuint (first_val + 10, ==, recur_dataset_get_val_start (d));
  g_assert_cmpuint (recur_dataset_val_window_start (d, recur_dataset_get_n_val_windows (d) - 1)
                    + 10 + 12, ==, recur_dataset_get_test_start (d));
}

static void
test_scaler_fitted_on_training_part_only (void)
{
  double v[60];
  RecurSplitSpec s = split (5, 5, 1);
  g_autoptr(RecurDataset) d = NULL;
  const RecurScaler *sc;
  guint train_end;
  double mean = 0, var = 0;

  for (int i = 0; i < 60; i++)
    v[i] = i < 40 ? (i % 2 ? 1.0 : 3.0) : 1000.0; /* the later parts are far off */
  d = recur_dataset_new (v, 60, &s, "series", NULL);
  train_end = recur_dataset_get_val_start (d);
  for (guint i = 0; i < train_end; i++)
    mean += v[i] / train_end;
  for (guint i = 0; i < train_end; i++)
    var += (v[i] - mean) * (v[i] - mean) / train_end;
  sc = &recur_dataset_get_transform (d)->scaler;
  g_assert_cmpfloat_with_epsilon (sc->center, mean, 1e-9);
  g_assert_cmpfloat_with_epsilon (sc->scale, sqrt (var), 1e-9);
  g_assert_cmpfloat_with_epsilon (recur_scaler_invert (sc, recur_scaler_apply (sc, 1000.0)),
                                  1000.0, 1e-9);
}

static void
test_constant_and_huge_series_stay_finite (void)
{
  static const double magnitudes[] = { 0.0, 5.0, -1e300, 1e-300 };
  RecurScalerKind kinds[] = { RECUR_SCALER_ZSCORE, RECUR_SCALER_MINMAX, RECUR_SCALER_NONE };

  for (guint m = 0; m < G_N_ELEMENTS (magnitudes); m++)
    for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
      {
        RecurScaler sc;
        double v[8] = { 0 };
        for (int i = 0; i < 8; i++)
          v[i] = magnitudes[m];
        recur_scaler_fit (&sc, kinds[k], v, 8);
        g_assert_true (isfinite (sc.scale) && sc.scale != 0.0);
        g_assert_true (isfinite (recur_scaler_apply (&sc, v[0])));
      }
  {
    RecurScaler sc;
    double v[4] = { -DBL_MAX, DBL_MAX, 0, 1e308 };
    recur_scaler_fit (&sc, RECUR_SCALER_ZSCORE, v, 4);
    g_assert_true (isfinite (sc.center) && isfinite (sc.scale) && sc.scale > 0);
    recur_scaler_fit (&sc, RECUR_SCALER_MINMAX, v, 4);
    g_assert_true (isfinite (sc.center) && isfinite (sc.scale) && sc.scale > 0);
    g_assert_true (isfinite (recur_scaler_apply (&sc, DBL_MAX / 2)));
  }
}

static void
test_too_short_is_an_error (void)
{
  double v[20] = { 0 };
  RecurSplitSpec s = split (12, 6, 6);
  g_autoptr(GError) error = NULL;
  RecurDataset *d = recur_dataset_new (v, 20, &s, "x.csv: column “y”", &error);

  g_assert_null (d);
  g_assert_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_TOO_SHORT);
  g_assert_nonnull (strstr (error->message, "x.csv: column “y”"));
  g_assert_nonnull (strstr (error->message, "20 points"));
}

static void
test_gather_is_time_major (void)
{
  double v[40];
  RecurSplitSpec s = split (3, 2, 2);
  g_autoptr(RecurDataset) d = NULL;
  guint starts[] = { 0, 5 };
  float input[3 * 2], target[2 * 2];
  const double *scaled;

  for (int i = 0; i < 40; i++)
    v[i] = i * i;
  d = recur_dataset_new (v, 40, &s, "series", NULL);
  scaled = recur_dataset_get_transformed (d);
  recur_dataset_gather (d, starts, 2, input, target);
  for (guint t = 0; t < 3; t++)
    for (guint b = 0; b < 2; b++)
      g_assert_cmpfloat (input[t * 2 + b], ==, (float) scaled[starts[b] + t]);
  g_assert_cmpfloat (target[0], ==, (float) scaled[3]);
  g_assert_cmpfloat (target[1], ==, (float) scaled[4]);
  g_assert_cmpfloat (target[2], ==, (float) scaled[8]);
  g_assert_cmpfloat (target[3], ==, (float) scaled[9]);
}

static void
test_non_finite_is_an_error (void)
{
  double v[50] = { 0 };
  RecurSplitSpec s = split (3, 2, 2);
  g_autoptr(GError) error = NULL;

  v[17] = INFINITY;
  g_assert_null (recur_dataset_new (v, 50, &s, "series", &error));
  g_assert_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE);
  g_assert_nonnull (strstr (error->message, "value 18"));
}

/* A finite value so far outside the training part's range that its scaled form would be an
 * infinity in the model's floats (found by fuzzing: 1.9e43 after values near 150) is refused,
 * naming the value, in either scaler; one merely far outside is kept. */
static void
test_unscalable_value_is_an_error (void)
{
  const RecurScalerKind kinds[] = { RECUR_SCALER_ZSCORE, RECUR_SCALER_MINMAX };

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      double v[50];
      RecurSplitSpec s = split (3, 2, 2);
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurDataset) far = NULL;

      s.transform.scaler = kinds[k];
      for (guint i = 0; i < 50; i++)
        v[i] = 100.0 + (i % 7);
      v[49] = 1.9555e43;
      g_assert_null (recur_dataset_new (v, 50, &s, "series", &error));
      g_assert_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE);
      g_assert_nonnull (strstr (error->message, "series: value 50 (1.9555e+43)"));
      g_assert_nonnull (strstr (error->message, "32-bit"));
      g_clear_error (&error);

      v[49] = 1e30;
      far = recur_dataset_new (v, 50, &s, "series", &error);
      g_assert_no_error (error);
      g_assert_true (isfinite (recur_dataset_get_transformed (far)[49]));
    }
}

/* A split that cannot be made is refused by the series' name; no scaling keeps the values; a
 * constant below 1 in magnitude is scaled by 1; without a validation part there are no
 * validation windows. */
static void
test_split_refusals_and_edges (void)
{
  double v[60];
  RecurSplitSpec bad[] = { split (0, 5, 5), split (5, 0, 5), split (5, 5, 0), split (5, 5, 5),
                           split (5, 5, 5) };
  RecurSplitSpec none = split (5, 5, 1), constant = split (5, 5, 1), no_val = split (5, 5, 1);
  g_autoptr(RecurDataset) plain = NULL;
  g_autoptr(RecurDataset) flat = NULL;
  g_autoptr(RecurDataset) unvalidated = NULL;
  RecurScalerKind kind;

  bad[3].val_fraction = 1.0;
  bad[4].val_fraction = NAN;
  for (int i = 0; i < 60; i++)
    v[i] = 0.25 * (i % 3);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurDataset) d = recur_dataset_new (v, 60, &bad[i], "sales.csv", &error);

      g_assert_null (d);
      g_assert_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "sales.csv: window, horizon and output "
                                                       "size must be at least 1"));
    }

  none.transform.scaler = RECUR_SCALER_NONE;
  plain = recur_dataset_new (v, 60, &none, "s", NULL);
  g_assert_cmpfloat (recur_dataset_get_transform (plain)->scaler.center, ==, 0.0);
  g_assert_cmpfloat (recur_dataset_get_transform (plain)->scaler.scale, ==, 1.0);

  for (int i = 0; i < 60; i++)
    v[i] = 0.25;
  flat = recur_dataset_new (v, 60, &constant, "s", NULL);
  g_assert_cmpfloat (recur_dataset_get_transform (flat)->scaler.center, ==, 0.25);
  g_assert_cmpfloat (recur_dataset_get_transform (flat)->scaler.scale, ==, 1.0);

  no_val.val_fraction = 0.0;
  unvalidated = recur_dataset_new (v, 60, &no_val, "s", NULL);
  g_assert_cmpuint (recur_dataset_get_val_start (unvalidated), ==,
                    recur_dataset_get_test_start (unvalidated));
  g_assert_cmpuint (recur_dataset_get_n_val_windows (unvalidated), ==, 0);

  g_assert_true (recur_scaler_kind_from_string ("minmax", &kind));
  g_assert_cmpint (kind, ==, RECUR_SCALER_MINMAX);
  g_assert_false (recur_scaler_kind_from_string ("log", &kind));
  g_assert_cmpstr (recur_scaler_kind_to_string (RECUR_SCALER_NONE), ==, "none");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/dataset/split-is-chronological", test_split_is_chronological);
  g_test_add_func ("/engine/dataset/scaler-fitted-on-training-part", test_scaler_fitted_on_training_part_only);
  g_test_add_func ("/engine/dataset/constant-and-huge-series-stay-finite", test_constant_and_huge_series_stay_finite);
  g_test_add_func ("/engine/dataset/too-short-is-an-error", test_too_short_is_an_error);
  g_test_add_func ("/engine/dataset/gather-is-time-major", test_gather_is_time_major);
  g_test_add_func ("/engine/dataset/non-finite-is-an-error", test_non_finite_is_an_error);
  g_test_add_func ("/engine/dataset/unscalable-value-is-an-error", test_unscalable_value_is_an_error);
  g_test_add_func ("/engine/dataset/split-refusals-and-edges", test_split_refusals_and_edges);
  return g_test_run ();
}
