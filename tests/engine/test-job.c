/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The whole pipeline on synthetic series: load, prepare, train, score, export. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "recur-job.h"

static RecurJob *
job_for_values (const double *values,
                guint         n,
                RecurCellKind cell)
{
  GString *csv = g_string_new ("date,y\n");
  g_autoptr(GError) error = NULL;
  RecurSeries *series;
  RecurJobConfig config;
  RecurJob *job;

  for (guint i = 0; i < n; i++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (csv, "%04u-%02u-01,%s\n", 1900 + i / 12, 1 + i % 12,
                              g_ascii_dtostr (num, sizeof num, values[i]));
    }
  series = recur_series_load_csv_data (csv->str, csv->len, "synthetic.csv", &error);
  g_assert_no_error (error);
  g_string_free (csv, TRUE);

  recur_job_config_init (&config);
  config.model.cell = cell;
  config.model.hidden_size = 8;
  config.model.window = 12;
  config.model.horizon = 6;
  config.train.epochs = 10;
  job = recur_job_new (&config, series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  return job;
}

static void
assert_finite_forecasts (RecurJob *job)
{
  const RecurEvaluation *ev = recur_job_get_evaluation (job);
  const double *future = recur_job_get_future (job);

  g_assert_nonnull (ev);
  for (guint h = 0; h < 6; h++)
    {
      g_assert_true (isfinite (future[h]));
      g_assert_true (isfinite (ev->forecast[h]));
    }
}

static void
test_constant_series_forecasts_the_constant (void)
{
  double v[120];
  g_autoptr(RecurJob) job = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 120; i++)
    v[i] = 42.5;
  job = job_for_values (v, 120, RECUR_CELL_GRU);
  g_assert_true (recur_job_train (job, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_finite_forecasts (job);
  /* scaled, a constant is 0 and the network can only move it by its (small) output */
  for (guint h = 0; h < 6; h++)
    g_assert_cmpfloat (fabs (recur_job_get_future (job)[h] - 42.5), <, 42.5 * 0.5);
}

static void
test_huge_magnitudes_stay_finite (void)
{
  double v[120];
  g_autoptr(RecurJob) job = NULL;

  for (int i = 0; i < 120; i++)
    v[i] = 1e300 * (1.0 + 0.5 * sin (i / 3.0));
  job = job_for_values (v, 120, RECUR_CELL_LSTM);
  g_assert_true (recur_job_train (job, NULL, NULL, NULL, NULL));
  assert_finite_forecasts (job);
}

/* The failed export leaves neither the file nor a temporary one behind. */
static void
test_failed_export_leaves_nothing (void)
{
  double v[100];
  g_autoptr(RecurJob) job = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("recur-job-XXXXXX", NULL);
  g_autofree char *blocker = g_build_filename (dir, "file", NULL);
  g_autofree char *bad = g_build_filename (blocker, "forecast.csv", NULL);
  g_autofree char *good = g_build_filename (dir, "forecast.csv", NULL);
  g_autofree char *text = NULL;
  GDir *d;
  guint n_entries = 0;

  for (int i = 0; i < 100; i++)
    v[i] = sin (i / 2.0);
  job = job_for_values (v, 100, RECUR_CELL_RNN_TANH);
  g_assert_true (recur_job_train (job, NULL, NULL, NULL, NULL));
  g_assert_true (g_file_set_contents (blocker, "", 0, NULL));
  g_assert_false (recur_job_write_forecast (job, bad, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "forecast.csv"));
  g_clear_error (&error);
  g_assert_false (recur_job_save_weights (job, bad, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_true (recur_job_write_forecast (job, good, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (good, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "timestamp,y,kind\n"));
  d = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (d))
    n_entries++;
  g_dir_close (d);
  g_assert_cmpuint (n_entries, ==, 2); /* "file" and forecast.csv, no temporary left */
  g_unlink (good);
  g_unlink (blocker);
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/job/constant-series-forecasts-the-constant",
                   test_constant_series_forecasts_the_constant);
  g_test_add_func ("/engine/job/huge-magnitudes-stay-finite", test_huge_magnitudes_stay_finite);
  g_test_add_func ("/engine/job/failed-export-leaves-nothing", test_failed_export_leaves_nothing);
  return g_test_run ();
}
