/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The whole pipeline on synthetic series and the bundled ones: load, prepare, train, score,
 * export. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "recur-job.h"
#include "recur-season.h"
#include "recur-snapshot.h"
#include "recur-theta.h"
#include "../test-tmp.h"

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
  g_autofree char *dir = test_temp_dir ("recur-job-XXXXXX");
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

static RecurJob *
job_for_csv (const char  *csv,
             const char  *column,
             guint        season,
             GError     **error)
{
  RecurSeries *series = recur_series_load_csv_data (csv, strlen (csv), "job.csv", error);
  RecurJobConfig config;
  RecurJob *job;

  g_assert_nonnull (series);
  recur_job_config_init (&config);
  config.column = g_strdup (column);
  config.missing = RECUR_MISSING_REFUSE;
  config.season = season;
  config.model.hidden_size = 4;
  config.model.window = 6;
  config.model.horizon = 3;
  config.train.epochs = 2;
  job = recur_job_new (&config, series, error);
  recur_job_config_clear (&config);
  return job;
}

/* A job on a column that is not there, or with a missing value it was told to refuse, is
 * refused by name; before it trains it has no forecast to write, no scores, and nothing to
 * resume. */
static void
test_refusals_before_training (void)
{
  g_autoptr(GString) csv = g_string_new ("y\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurJob) job = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autofree char *dir = test_temp_dir ("recur-job-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "forecast.csv", NULL);

  for (guint i = 0; i < 60; i++)
    g_string_append_printf (csv, "%u\n", i % 7);
  g_assert_null (job_for_csv (csv->str, "sales", 0, &error));
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN);
  g_assert_nonnull (strstr (error->message, "“sales”"));
  g_clear_error (&error);
  g_string_append (csv, "\n3\n");
  g_string_replace (csv, "\n\n", "\nNA\n", 1);
  g_assert_null (job_for_csv (csv->str, "y", 0, &error));
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_MISSING_VALUES);
  g_assert_cmpstr (error->message, ==, "job.csv:62:1: column “y”: the value is missing "
                                       "(1 missing value in this column)");
  g_clear_error (&error);

  g_string_replace (csv, "\nNA\n", "\n2\n", 1);
  job = job_for_csv (csv->str, "y", 0, &error);
  g_assert_no_error (error);
  g_assert_false (recur_job_can_resume (job));
  g_assert_null (recur_job_get_evaluation (job));
  g_assert_false (recur_job_write_forecast (job, path, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_assert_nonnull (strstr (error->message,
                            "the run has not been trained, so there is no forecast"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  summary = recur_job_to_json (job);
  g_assert_false (json_object_has_member (json_node_get_object (summary), "test"));
  g_rmdir (dir);
}

/* A series without a time column forecasts row numbers; a column name with a comma and quotes
 * is quoted in the forecast's header; a season set in the configuration is the one the seasonal
 * naive forecast uses, and one longer than the data before the test part falls back to 1. */
static void
test_forecast_forms (void)
{
  g_autoptr(GString) csv = g_string_new ("\"units, \"\"net\"\"\"\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurJob) job = NULL;
  g_autoptr(RecurJob) long_season = NULL;
  g_autofree char *dir = test_temp_dir ("recur-job-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "forecast.csv", NULL);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  guint n;

  for (guint i = 0; i < 60; i++)
    g_string_append_printf (csv, "%u\n", i % 7);
  job = job_for_csv (csv->str, "units, \"net\"", 7, &error);
  g_assert_no_error (error);
  g_assert_true (recur_job_train (job, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recur_job_get_evaluation (job)->season, ==, 7);
  g_assert_true (recur_job_write_forecast (job, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpstr (lines[0], ==, "timestamp,\"units, \"\"net\"\"\",kind");
  g_assert_true (g_str_has_prefix (lines[1], "57,"));  /* the test part: rows 57 to 59 */
  g_assert_true (g_str_has_suffix (lines[1], ",test"));
  g_assert_true (g_str_has_prefix (lines[n - 2], "62,"));  /* then 3 rows past the data */
  g_assert_true (g_str_has_suffix (lines[n - 2], ",future"));

  long_season = job_for_csv (csv->str, "units, \"net\"", 1000, &error);
  g_assert_no_error (error);
  g_assert_true (recur_job_train (long_season, NULL, NULL, NULL, &error));
  g_assert_cmpuint (recur_job_get_evaluation (long_season)->season, ==, 1);
  g_assert_cmpuint (recur_job_get_season (long_season, NULL), ==, 1);
  g_unlink (path);
  g_rmdir (dir);
}

/* A job on 60 monthly points with a gap of two just before the test part (as
 * us_president_approval has), trained. The test part (the last 6 rows) holds test_values, or
 * the series' own pattern when NULL. transformed: Box-Cox (auto), first differences and the
 * window level at its last value; else the default transform. */
static RecurJob *
job_on_values (RecurCellKind  cell,
               gboolean       transformed,
               const double  *test_values)
{
  GString *csv = g_string_new ("date,y\n");
  g_autoptr(GError) error = NULL;
  RecurSeries *series;
  RecurJobConfig config;
  RecurJob *job;
  gboolean trained;

  for (guint i = 0; i < 60; i++)
    {
      double v = 10.0 + 3.0 * sin (i * G_PI / 6.0) + 0.05 * i;
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      if (i >= 54 && test_values != NULL)
        v = test_values[i - 54];
      g_string_append_printf (csv, "%04u-%02u-01,%s\n", 1990 + i / 12, 1 + i % 12,
                              i == 52 || i == 53 ? "" : g_ascii_dtostr (num, sizeof num, v));
    }
  series = recur_series_load_csv_data (csv->str, csv->len, "gap.csv", &error);
  g_assert_no_error (error);
  g_string_free (csv, TRUE);
  recur_job_config_init (&config);
  recur_model_spec_init_for_cell (&config.model, cell);
  config.model.hidden_size = 8;
  config.model.window = 12;
  config.model.horizon = 6;
  config.model.esn.washout = 4;
  config.train.epochs = 3;
  if (transformed)
    {
      config.transform.box_cox = RECUR_BOX_COX_AUTO;
      config.transform.difference = TRUE;
      config.transform.window_norm = RECUR_WINDOW_NORM_LAST;
    }
  job = recur_job_new (&config, series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  trained = recur_job_train (job, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (trained);
  return job;
}

/* The same with the pattern's test values moved by test_offset, default transform. */
static RecurJob *
job_with_gap_before_test (RecurCellKind cell,
                          double        test_offset)
{
  double test_values[6];

  for (guint i = 54; i < 60; i++)
    test_values[i - 54] = 10.0 + 3.0 * sin (i * G_PI / 6.0) + 0.05 * i + test_offset;
  return job_on_values (cell, FALSE, test_values);
}

/* Two jobs' weights, validation loss and test forecast are bit-identical. */
static void
assert_same_model (RecurJob *a,
                   RecurJob *b)
{
  RecurModel *ma = recur_job_get_model (a), *mb = recur_job_get_model (b);
  const RecurEvaluation *ea = recur_job_get_evaluation (a);
  const RecurEvaluation *eb = recur_job_get_evaluation (b);

  g_assert_cmpuint (recur_model_get_n_params (ma), ==, recur_model_get_n_params (mb));
  g_assert_cmpmem (recur_model_peek_params (ma), recur_model_get_n_params (ma) * sizeof (float),
                   recur_model_peek_params (mb), recur_model_get_n_params (mb) * sizeof (float));
  g_assert_cmpfloat (recur_job_get_summary (a)->val_loss, ==,
                     recur_job_get_summary (b)->val_loss);
  g_assert_cmpuint (ea->n_test, ==, 6);
  g_assert_cmpuint (eb->n_test, ==, 6);
  g_assert_cmpmem (ea->forecast, 6 * sizeof (double), eb->forecast, 6 * sizeof (double));
}

/* Honesty: the test part's values reach neither the training nor the test forecast, even
 * where a gap just before it is filled (which once drew a line towards the first test value):
 * other test values give bit-identical weights, validation loss and test forecast. */
static void
test_test_part_never_shapes_the_model (void)
{
  static const RecurCellKind cells[] = { RECUR_CELL_LSTM, RECUR_CELL_ESN, RECUR_CELL_JORDAN };

  for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
    {
      g_autoptr(RecurJob) a = job_with_gap_before_test (cells[c], 0.0);
      g_autoptr(RecurJob) b = job_with_gap_before_test (cells[c], 25.0);

      g_test_message ("%s", recur_cell_to_string (cells[c]));
      assert_same_model (a, b);
      /* and the test values did differ */
      g_assert_cmpfloat (fabs (recur_job_get_evaluation (a)->actual[0]
                               - recur_job_get_evaluation (b)->actual[0]), >, 20.0);
    }
}

/* Test values missing from the file are not made up: the evaluation keeps them as NaN and
 * scores the model and the baselines on the known ones alone, and the model and its test
 * forecast are the same bits as with every value there. */
static void
test_missing_test_values_are_not_scored (void)
{
  double test_values[6];
  g_autoptr(RecurJob) full = NULL, gaps = NULL;
  const RecurEvaluation *ev;
  double model_mae = 0, naive_mae = 0;

  for (guint i = 54; i < 60; i++)
    test_values[i - 54] = 10.0 + 3.0 * sin (i * G_PI / 6.0) + 0.05 * i;
  full = job_on_values (RECUR_CELL_LSTM, FALSE, test_values);
  test_values[2] = test_values[4] = test_values[5] = NAN;
  gaps = job_on_values (RECUR_CELL_LSTM, FALSE, test_values);
  assert_same_model (full, gaps);

  ev = recur_job_get_evaluation (gaps);
  g_assert_cmpuint (ev->n_missing, ==, 3);
  g_assert_cmpuint (recur_job_get_evaluation (full)->n_missing, ==, 0);
  for (guint i = 0; i < 6; i++)
    {
      if (isnan (test_values[i]))
        {
          g_assert_true (isnan (ev->actual[i]));
          continue;
        }
      g_assert_cmpfloat (ev->actual[i], ==, test_values[i]);
      model_mae += fabs (ev->forecast[i] - test_values[i]) / 3;
      naive_mae += fabs (ev->naive[i] - test_values[i]) / 3;
    }
  g_assert_cmpfloat_with_epsilon (ev->model_metrics.mae, model_mae, 1e-12);
  g_assert_cmpfloat_with_epsilon (ev->naive_metrics.mae, naive_mae, 1e-12);
  g_assert_cmpfloat (ev->model_metrics.mae, !=, recur_job_get_evaluation (full)->model_metrics.mae);
}

/* The same with the target transforms, whose parameters (Box-Cox's λ, the scaler) are fitted
 * on the training part: other positive test values change nothing. They stay in the series'
 * range and end on a rise: the future forecast goes on from the last difference, and one that
 * went below 0 would fail the whole run (RECUR_TRANSFORM_ERROR_DOMAIN); values that moved
 * Guerrero's λ to its bound −1, had they reached the fit, would fail it the same way instead of
 * failing the comparison below. */
static void
test_test_part_never_shapes_the_transform (void)
{
  static const RecurCellKind cells[] = { RECUR_CELL_LSTM, RECUR_CELL_ESN, RECUR_CELL_JORDAN };
  static const double others[6] = { 14.0, 9.0, 15.0, 8.5, 13.0, 17.0 };

  for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
    {
      g_autoptr(RecurJob) a = job_on_values (cells[c], TRUE, NULL);
      g_autoptr(RecurJob) b = job_on_values (cells[c], TRUE, others);
      const RecurTransform *ta = recur_dataset_get_transform (recur_job_get_dataset (a));
      const RecurTransform *tb = recur_dataset_get_transform (recur_job_get_dataset (b));

      g_test_message ("%s", recur_cell_to_string (cells[c]));
      /* the transform asked for is the one fitted: Box-Cox applied, differences, last level */
      g_assert_true (ta->box_cox);
      g_assert_true (ta->spec.difference);
      g_assert_cmpint (ta->spec.window_norm, ==, RECUR_WINDOW_NORM_LAST);
      g_assert_cmpuint (ta->offset, ==, 1);
      g_assert_cmpfloat (ta->lambda, ==, tb->lambda);
      g_assert_cmpfloat (ta->scaler.center, ==, tb->scaler.center);
      g_assert_cmpfloat (ta->scaler.scale, ==, tb->scaler.scale);
      assert_same_model (a, b);
      /* and the test values did differ, everywhere */
      for (guint h = 0; h < 6; h++)
        {
          g_assert_cmpfloat (recur_job_get_evaluation (b)->actual[h], ==, others[h]);
          g_assert_cmpfloat (recur_job_get_evaluation (a)->actual[h], !=, others[h]);
        }
    }
}

/* ---- the season ---------------------------------------------------------------------------- */

/* A job on values dated monthly, yearly or not at all (dates NULL), with the given horizon and
 * configured season (0: chosen by the job). */
static RecurJob *
season_job (const double *values,
            guint         n,
            const char   *dates,
            guint         horizon,
            guint         season)
{
  g_autoptr(GString) csv = g_string_new (dates ? "date,y\n" : "y\n");
  g_autoptr(GError) error = NULL;
  RecurSeries *series;
  RecurJobConfig config;
  RecurJob *job;

  for (guint i = 0; i < n; i++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      if (g_strcmp0 (dates, "monthly") == 0)
        g_string_append_printf (csv, "%04u-%02u-01,", 1900 + i / 12, 1 + i % 12);
      else if (g_strcmp0 (dates, "yearly") == 0)
        g_string_append_printf (csv, "%04u-01-01,", 1700 + i);
      g_string_append_printf (csv, "%s\n", g_ascii_dtostr (num, sizeof num, values[i]));
    }
  series = recur_series_load_csv_data (csv->str, csv->len, "season.csv", &error);
  g_assert_no_error (error);
  recur_job_config_init (&config);
  config.season = season;
  config.model.hidden_size = 4;
  config.model.window = 6;
  config.model.horizon = horizon;
  config.model.strategy = RECUR_STRATEGY_RECURSIVE;
  config.train.epochs = 2;
  job = recur_job_new (&config, series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  return job;
}

static void
assert_season (const RecurJob    *job,
               guint              season,
               RecurSeasonSource  source)
{
  RecurSeasonSource got;

  g_assert_cmpuint (recur_job_get_season (job, &got), ==, season);
  g_assert_cmpint (got, ==, source);
  g_assert_cmpuint (recur_job_get_season (job, NULL), ==, season);
}

/* A period of 7 plus noise of a tenth of its amplitude, from row `from` on. */
static void
fill_weekly (double *v,
             guint   from,
             guint   n,
             guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint i = from; i < n; i++)
    v[i] = sin (2 * G_PI * i / 7) + g_rand_double_range (rand, -0.1, 0.1);
}

static void
fill_noise (double *v,
            guint   from,
            guint   n,
            guint32 seed)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (seed);

  for (guint i = from; i < n; i++)
    v[i] = g_rand_double_range (rand, -1, 1);
}

/* Without dates the season is found in the values; it is the one the evaluation and the
 * summary use. White noise and a constant have none. */
static void
test_season_from_the_values (void)
{
  double v[200];
  g_autoptr(RecurJob) weekly = NULL;
  g_autoptr(RecurJob) noise = NULL;
  g_autoptr(RecurJob) constant = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *root;

  fill_weekly (v, 0, 200, 1);
  weekly = season_job (v, 200, NULL, 3, 0);
  assert_season (weekly, 7, RECUR_SEASON_FROM_VALUES);
  g_assert_true (recur_job_train (weekly, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recur_job_get_evaluation (weekly)->season, ==, 7);
  summary = recur_job_to_json (weekly);
  root = json_node_get_object (summary);
  g_assert_cmpint (json_object_get_int_member (root, "season"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (root, "season_source"), ==, "values");

  fill_noise (v, 0, 200, 2);
  noise = season_job (v, 200, NULL, 3, 0);
  assert_season (noise, 1, RECUR_SEASON_NONE);

  for (guint i = 0; i < 200; i++)
    v[i] = 4.25;
  constant = season_job (v, 200, NULL, 3, 0);
  assert_season (constant, 1, RECUR_SEASON_NONE);
}

/* Regular dates give the season whatever the values: white noise dated monthly has 12, and a
 * weekly cycle dated yearly has 1 (its values are not looked at, though undated they give 7). */
static void
test_season_from_the_dates (void)
{
  double v[200];
  g_autoptr(RecurJob) monthly = NULL;
  g_autoptr(RecurJob) yearly = NULL;
  g_autoptr(RecurJob) undated = NULL;
  g_autoptr(JsonNode) summary = NULL;
  g_autoptr(GError) error = NULL;

  fill_noise (v, 0, 200, 3);
  monthly = season_job (v, 200, "monthly", 3, 0);
  assert_season (monthly, 12, RECUR_SEASON_FROM_DATES);
  g_assert_true (recur_job_train (monthly, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  summary = recur_job_to_json (monthly);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (summary),
                                                  "season_source"), ==, "dates");

  fill_weekly (v, 0, 200, 4);
  yearly = season_job (v, 200, "yearly", 3, 0);
  assert_season (yearly, 1, RECUR_SEASON_FROM_DATES);
  undated = season_job (v, 200, NULL, 3, 0);
  assert_season (undated, 7, RECUR_SEASON_FROM_VALUES);
}

/* The configured season wins over the values and the dates, 1 included; one that does not fit
 * before the test part, set or given by the dates, is 1, as the evaluation makes it. */
static void
test_season_from_the_option (void)
{
  double v[200];
  g_autoptr(RecurJob) undated = NULL;
  g_autoptr(RecurJob) monthly = NULL;
  g_autoptr(RecurJob) too_long = NULL;
  g_autoptr(RecurJob) short_monthly = NULL;
  g_autoptr(GError) error = NULL;

  fill_weekly (v, 0, 200, 5);
  undated = season_job (v, 200, NULL, 3, 4);
  assert_season (undated, 4, RECUR_SEASON_FROM_OPTION);
  g_assert_true (recur_job_train (undated, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recur_job_get_evaluation (undated)->season, ==, 4);
  monthly = season_job (v, 200, "monthly", 3, 1);
  assert_season (monthly, 1, RECUR_SEASON_FROM_OPTION);

  too_long = season_job (v, 200, NULL, 3, 197);
  assert_season (too_long, 1, RECUR_SEASON_NONE);
  /* 20 months with 8 to test: 12 before the test part, one season and no more */
  short_monthly = season_job (v, 20, "monthly", 8, 0);
  assert_season (short_monthly, 1, RECUR_SEASON_NONE);
  g_assert_true (recur_job_train (short_monthly, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (recur_job_get_evaluation (short_monthly)->season, ==, 1);
}

/* Honesty: the season comes from the part before the test only. Noise followed by a test
 * part holding a strong period of 5 has none (the whole series would give 5); a weekly cycle
 * keeps 7 whatever its test part holds. */
static void
test_season_ignores_the_test_part (void)
{
  enum { N = 240, HORIZON = 60 };
  double v[N];
  g_autoptr(RecurJob) noise = NULL;

  fill_noise (v, 0, N - HORIZON, 6);
  for (guint i = N - HORIZON; i < N; i++)
    v[i] = 10 * sin (2 * G_PI * i / 5);
  g_assert_cmpuint (recur_season_detect (v, N, N / 3), ==, 5);
  noise = season_job (v, N, NULL, HORIZON, 0);
  assert_season (noise, 1, RECUR_SEASON_NONE);

  for (guint variant = 0; variant < 4; variant++)
    {
      g_autoptr(RecurJob) job = NULL;

      fill_weekly (v, 0, N, 7);
      for (guint i = N - HORIZON; i < N; i++)
        if (variant == 1)
          v[i] = 1000;
        else if (variant == 2)
          v[i] = 10 * sin (2 * G_PI * i / 5);
        else if (variant == 3)
          v[i] = -v[i] * 50;
      job = season_job (v, N, NULL, HORIZON, 0);
      assert_season (job, 7, RECUR_SEASON_FROM_VALUES);
    }
}

/* Issue 15's floor for the family: every cell, with its defaults and nothing tuned, forecasts a
 * seasonal monthly series better than the naive forecast (last value carried on), scored on the
 * test part as recur train scores it. */
static void
test_every_cell_beats_naive (void)
{
  static const char *const files[] = { "air_passengers.csv", "nottingham_temperature.csv" };
  static const RecurCellKind cells[] = {
    RECUR_CELL_RNN_TANH, RECUR_CELL_RNN_RELU, RECUR_CELL_LSTM, RECUR_CELL_GRU,
    RECUR_CELL_JORDAN, RECUR_CELL_ESN, RECUR_CELL_CLOCKWORK,
  };

  for (guint f = 0; f < G_N_ELEMENTS (files); f++)
    for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
      {
        g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", files[f],
                                                       NULL);
        g_autoptr(GError) error = NULL;
        g_autoptr(RecurSeries) series = recur_series_load_csv (path, &error);
        g_autoptr(RecurJob) job = NULL;
        const RecurEvaluation *eval;
        RecurJobConfig config;

        g_assert_no_error (error);
        recur_job_config_init (&config);
        recur_model_spec_init_for_cell (&config.model, cells[c]);
        config.model.horizon = 12;
        job = recur_job_new (&config, recur_series_ref (series), &error);
        recur_job_config_clear (&config);
        g_assert_no_error (error);
        g_assert_true (recur_job_train (job, NULL, NULL, NULL, &error));
        g_assert_no_error (error);
        eval = recur_job_get_evaluation (job);
        g_test_message ("%s, %s: MASE %.3f, naive %.3f", files[f],
                        recur_cell_to_string (cells[c]), eval->model_metrics.mase,
                        eval->naive_metrics.mase);
        g_assert_cmpfloat (eval->model_metrics.mase, <, eval->naive_metrics.mase);
      }
}

/* The window's plot of a job averaged with Theta: the snapshot's test part and future are the
 * job's own forecasts, and Theta's, beside them, are the method's from the same histories (NAN
 * before the test part). A job without Theta has none. */
static RecurPredictionSnapshot *
snapshot_of (RecurJob                      *job,
             const RecurPredictionSnapshot *earlier)
{
  RecurModel *const *members = recur_job_get_members (job);
  g_autoptr(RecurWorkspace) ws = recur_workspace_try_new (members[0], 1,
                                                          RECUR_WORKSPACE_INFERENCE, NULL);

  return recur_prediction_snapshot_new (members, recur_job_get_n_members (job), ws,
                                        recur_job_get_dataset (job), recur_job_get_series (job),
                                        recur_job_get_observed (job), 1, earlier);
}

static void
assert_snapshot_shows_theta (RecurJob     *job,
                             const double *values,
                             guint         n)
{
  g_autoptr(RecurPredictionSnapshot) p = snapshot_of (job, NULL);
  g_autoptr(RecurPredictionSnapshot) again = NULL;
  const RecurEvaluation *ev = recur_job_get_evaluation (job);
  double theta[6];
  guint test = n - 6;

  g_assert_nonnull (p->theta_predicted);
  g_assert_nonnull (p->theta_future);
  g_assert_cmpuint (p->first + p->n, ==, n);
  for (guint i = 0; p->first + i < test; i++)
    g_assert_true (isnan (p->theta_predicted[i]));
  g_assert_true (recur_theta_forecast (values, test, 12, 6, theta, NULL, NULL));
  for (guint h = 0; h < 6; h++)
    {
      g_assert_cmpfloat (p->theta_predicted[test - p->first + h], ==, theta[h]);
      g_assert_cmpfloat (p->predicted[test - p->first + h], ==, ev->forecast[h]);
    }
  g_assert_true (recur_theta_forecast (values, n, 12, 6, theta, NULL, NULL));
  for (guint h = 0; h < 6; h++)
    {
      g_assert_cmpfloat (p->theta_future[h], ==, theta[h]);
      g_assert_cmpfloat (p->future[h], ==, recur_job_get_future (job)[h]);
    }
  /* the next snapshot of the run takes Theta's forecasts from this one, to the same numbers */
  again = snapshot_of (job, p);
  g_assert_true (again->theta_predicted != p->theta_predicted);
  g_assert_cmpmem (again->theta_predicted, p->n * sizeof (double), p->theta_predicted,
                   p->n * sizeof (double));
  g_assert_cmpmem (again->theta_future, p->n_future * sizeof (double), p->theta_future,
                   p->n_future * sizeof (double));
  g_assert_cmpmem (again->predicted, p->n * sizeof (double), p->predicted,
                   p->n * sizeof (double));
  g_assert_cmpmem (again->future, p->n_future * sizeof (double), p->future,
                   p->n_future * sizeof (double));
}

/* --theta: the test forecast and the future are the network's averaged with the Theta method's,
 * refitted on the points before each (the test part's history stops where it starts), with the
 * job's season as its m; the members' own forecasts stay the network's. */
static void
test_theta_average (void)
{
  double values[120], theta[6];
  g_autoptr(RecurJob) plain = NULL, averaged = NULL;
  g_autoptr(RecurPredictionSnapshot) without = NULL;
  RecurJobConfig config;
  const RecurEvaluation *pe, *ae;
  RecurThetaFit fit;

  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    values[i] = (50 + 0.4 * i) * (1 + 0.2 * sin (2 * G_PI * i / 12)) + 3 * sin (i * 1.7);
  plain = job_for_values (values, G_N_ELEMENTS (values), RECUR_CELL_ESN);
  recur_job_config_copy (&config, recur_job_get_config (plain));
  config.transform.theta = RECUR_THETA_AVERAGE;
  averaged = recur_job_new (&config, recur_series_ref ((RecurSeries *) recur_job_get_series (plain)),
                           NULL);
  recur_job_config_clear (&config);
  g_assert_nonnull (averaged);
  g_assert_true (recur_job_train (plain, NULL, NULL, NULL, NULL));
  g_assert_true (recur_job_train (averaged, NULL, NULL, NULL, NULL));
  pe = recur_job_get_evaluation (plain);
  ae = recur_job_get_evaluation (averaged);
  g_assert_false (pe->theta_averaged);
  g_assert_true (ae->theta_averaged);
  g_assert_cmpfloat (ae->network_metrics.mase, ==, pe->model_metrics.mase);

  g_assert_true (recur_theta_forecast (values, 114, 12, 6, theta, &fit, NULL));
  g_assert_true (fit.seasonal);
  for (guint h = 0; h < 6; h++)
    {
      g_assert_cmpfloat (ae->forecast[h], ==, 0.5 * (pe->forecast[h] + theta[h]));
      g_assert_cmpfloat (recur_evaluation_get_member_forecast (ae, 0)[h], ==, pe->forecast[h]);
    }
  g_assert_true (recur_theta_forecast (values, 120, 12, 6, theta, NULL, NULL));
  for (guint h = 0; h < 6; h++)
    g_assert_cmpfloat (recur_job_get_future (averaged)[h], ==,
                       0.5 * (recur_job_get_future (plain)[h] + theta[h]));
  assert_snapshot_shows_theta (averaged, values, G_N_ELEMENTS (values));
  without = snapshot_of (plain, NULL);
  g_assert_null (without->theta_predicted);
  g_assert_null (without->theta_future);
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
  g_test_add_func ("/engine/job/refusals-before-training", test_refusals_before_training);
  g_test_add_func ("/engine/job/forecast-forms", test_forecast_forms);
  g_test_add_func ("/engine/job/test-part-never-shapes-the-model",
                   test_test_part_never_shapes_the_model);
  g_test_add_func ("/engine/job/test-part-never-shapes-the-transform",
                   test_test_part_never_shapes_the_transform);
  g_test_add_func ("/engine/job/missing-test-values-are-not-scored",
                   test_missing_test_values_are_not_scored);
  g_test_add_func ("/engine/job/season/from-the-values", test_season_from_the_values);
  g_test_add_func ("/engine/job/season/from-the-dates", test_season_from_the_dates);
  g_test_add_func ("/engine/job/season/from-the-option", test_season_from_the_option);
  g_test_add_func ("/engine/job/season/ignores-the-test-part", test_season_ignores_the_test_part);
  g_test_add_func ("/engine/job/every-cell-beats-naive", test_every_cell_beats_naive);
  g_test_add_func ("/engine/job/theta-average", test_theta_average);
  return g_test_run ();
}
