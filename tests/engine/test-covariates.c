/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inputs beside the target: covariate columns and calendar features, from the CSV to the
 * windows, the training, the forecasts and the weights file. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "recur-auto.h"
#include "recur-covariates.h"
#include "recur-job.h"
#include "recur-model-io.h"
#include "recur-run.h"
#include "../test-tmp.h"

#define N_POINTS 400
#define LAG      3

/* Monthly rows: y follows x three steps later (y_t = 10 + x_{t−3}), x is noise, "w" is y's
 * noise of its own, "note" is text. changed_from: x from that row on is replaced (the honesty
 * checks). */
static RecurSeries *
lagged_series (guint changed_from)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(GString) csv = g_string_new ("date,y,x,w,note\n");
  g_autoptr(GError) error = NULL;
  double x[N_POINTS];
  RecurSeries *series;

  for (guint i = 0; i < N_POINTS; i++)
    x[i] = g_rand_double_range (rand, -1, 1);
  for (guint i = 0; i < N_POINTS; i++)
    {
      char y_text[G_ASCII_DTOSTR_BUF_SIZE], x_text[G_ASCII_DTOSTR_BUF_SIZE];
      char w_text[G_ASCII_DTOSTR_BUF_SIZE];
      double xi = i >= changed_from ? 1000.0 + i : x[i];

      g_ascii_dtostr (y_text, sizeof y_text, 10 + (i >= LAG ? x[i - LAG] : 0));
      g_ascii_dtostr (x_text, sizeof x_text, xi);
      g_ascii_dtostr (w_text, sizeof w_text, g_rand_double (rand));
      g_string_append_printf (csv, "%04u-%02u-01,%s,%s,%s,row %u\n", 1900 + i / 12, 1 + i % 12,
                              y_text, x_text, w_text, i);
    }
  series = recur_series_load_csv_data (csv->str, csv->len, "lagged.csv", &error);
  g_assert_no_error (error);
  return series;
}

static void
config_for (RecurJobConfig *config,
            const char     *inputs,
            gboolean        calendar)
{
  recur_job_config_init (config);
  config->column = g_strdup ("y");
  config->inputs = inputs ? g_strsplit (inputs, ",", -1) : NULL;
  config->calendar = calendar;
  config->model.cell = RECUR_CELL_GRU;
  config->model.hidden_size = 16;
  config->model.window = 8;
  config->model.horizon = LAG;
  config->transform.window_norm = RECUR_WINDOW_NORM_NONE;
  config->train.epochs = 40;
  config->train.seed = 5;
}

static RecurJob *
trained_job_with (RecurSeries   *series,
                  const char    *inputs,
                  gboolean       calendar,
                  RecurStrategy  strategy)
{
  g_autoptr(GError) error = NULL;
  RecurJobConfig config;
  RecurJob *job;

  config_for (&config, inputs, calendar);
  config.model.strategy = strategy;
  job = recur_job_new (&config, recur_series_ref (series), &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  g_assert_true (recur_job_train (job, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return job;
}

static RecurJob *
trained_job (RecurSeries *series,
             const char  *inputs,
             gboolean     calendar)
{
  return trained_job_with (series, inputs, calendar, RECUR_STRATEGY_DIRECT);
}

/* A forecast that needs the covariate learns it: the target is the covariate three steps
 * late, so every step of the horizon is in the window; without it the target is noise. */
static void
test_covariate_is_learned (void)
{
  g_autoptr(RecurSeries) series = lagged_series (G_MAXUINT);
  g_autoptr(RecurJob) with = trained_job (series, "x", FALSE);
  g_autoptr(RecurJob) without = trained_job (series, NULL, FALSE);
  const RecurModelSpec *spec = recur_model_get_spec (recur_job_get_model (with));
  double mase_with = recur_job_get_evaluation (with)->model_metrics.mase;
  double mase_without = recur_job_get_evaluation (without)->model_metrics.mase;

  g_assert_cmpuint (spec->input_size, ==, 2);
  g_assert_cmpuint (recur_model_get_spec (recur_job_get_model (without))->input_size, ==, 1);
  g_test_message ("test MASE with x %.3f, without %.3f; validation loss %.4f, %.4f", mase_with,
                  mase_without, recur_job_get_summary (with)->val_loss,
                  recur_job_get_summary (without)->val_loss);
  g_assert_cmpfloat (recur_job_get_summary (with)->val_loss, <,
                     0.25 * recur_job_get_summary (without)->val_loss);
  g_assert_cmpfloat (mase_with, <, 0.5 * mase_without);
}

/* The covariate's values in the test part (and after it) reach neither the fitting nor the
 * test forecast: changing them leaves every bit of the test forecast as it was. */
static void
test_test_part_never_read (void)
{
  g_autoptr(RecurSeries) series = lagged_series (G_MAXUINT);
  g_autoptr(RecurSeries) changed = lagged_series (N_POINTS - LAG);
  g_autoptr(RecurJob) a = trained_job (series, "x", TRUE);
  g_autoptr(RecurJob) b = trained_job (changed, "x", TRUE);
  const RecurEvaluation *ea = recur_job_get_evaluation (a);
  const RecurEvaluation *eb = recur_job_get_evaluation (b);

  g_assert_cmpmem (ea->forecast, ea->n_test * sizeof (double), eb->forecast,
                   eb->n_test * sizeof (double));
  /* the future forecast reads the last window, which now holds the changed values */
  g_assert_true (memcmp (recur_job_get_future (a), recur_job_get_future (b),
                         LAG * sizeof (double)) != 0);
}

/* Each covariate is z-scored with the training part's mean and deviation alone. */
static void
test_scaled_on_training_part (void)
{
  g_autoptr(RecurSeries) series = lagged_series (G_MAXUINT);
  g_autoptr(RecurSeries) changed = lagged_series (300);
  g_autoptr(GError) error = NULL;
  RecurCovariates a, b;
  const char *const names[] = { "x", "w", NULL };
  const double *x = recur_series_get_values (series, 2);
  double mean = 0, var = 0;

  recur_covariates_init (&a);
  recur_covariates_init (&b);
  g_assert_true (recur_covariates_fit (&a, series, 1, names, FALSE, RECUR_MISSING_INTERPOLATE,
                                       397, 300, &error));
  g_assert_no_error (error);
  g_assert_true (recur_covariates_fit (&b, changed, 1, names, FALSE, RECUR_MISSING_INTERPOLATE,
                                       397, 300, &error));
  g_assert_cmpuint (a.n_inputs, ==, 2);
  g_assert_cmpstr (a.names[1], ==, "w");
  g_assert_cmpmem (a.scalers, 2 * sizeof (RecurScaler), b.scalers, 2 * sizeof (RecurScaler));
  for (guint i = 0; i < 300; i++)
    mean += x[i] / 300;
  for (guint i = 0; i < 300; i++)
    var += (x[i] - mean) * (x[i] - mean) / 300;
  g_assert_cmpfloat_with_epsilon (a.scalers[0].center, mean, 1e-12);
  /* population or sample deviation, as the target's scaler takes it */
  g_assert_true (fabs (a.scalers[0].scale - sqrt (var)) < 1e-12
                 || fabs (a.scalers[0].scale - sqrt (var * 300 / 299)) < 1e-12);
  recur_covariates_clear (&a);
  recur_covariates_clear (&b);
}

/* Monthly dates give the year's cycle; the features are the sine and cosine of the month. */
static void
test_calendar_features (void)
{
  g_autoptr(RecurSeries) series = lagged_series (G_MAXUINT);
  g_autoptr(GError) error = NULL;
  g_autofree double *channels = NULL;
  g_autofree char *cycles = NULL;
  RecurCovariates c;

  recur_covariates_init (&c);
  g_assert_true (recur_covariates_fit (&c, series, 1, NULL, TRUE, RECUR_MISSING_INTERPOLATE,
                                       397, 300, &error));
  g_assert_no_error (error);
  cycles = recur_calendar_to_string (c.calendar);
  g_assert_cmpstr (cycles, ==, "year");
  g_assert_cmpuint (recur_covariates_n_channels (&c), ==, 2);
  /* two rows past the data: 1933-05 and 1933-06 (row 400 is May 1933) */
  channels = recur_covariates_channels (&c, series, N_POINTS, 2, RECUR_MISSING_INTERPOLATE,
                                        397, &error);
  g_assert_no_error (error);
  for (guint r = 0; r < N_POINTS + 2; r++)
    {
      double angle = 2 * G_PI * (r % 12) / 12.0;

      g_assert_cmpfloat_with_epsilon (channels[2 * r], sin (angle), 1e-12);
      g_assert_cmpfloat_with_epsilon (channels[2 * r + 1], cos (angle), 1e-12);
    }
  recur_covariates_clear (&c);
}

static RecurSeries *
series_from (const char *csv)
{
  g_autoptr(GError) error = NULL;
  RecurSeries *series = recur_series_load_csv_data (csv, strlen (csv), "cal.csv", &error);

  g_assert_no_error (error);
  return series;
}

/* The cycles each frequency goes through, and the dates that have none. */
static void
test_calendar_cycles_of_frequencies (void)
{
  static const struct
  {
    const char *csv;
    const char *cycles; /* NULL: refused */
  } cases[] = {
    { "t,y\n2024-01-01T00:00:00,1\n2024-01-01T01:00:00,2\n2024-01-01T02:00:00,3\n"
      "2024-01-01T03:00:00,4\n", "day,week,year" },
    { "t,y\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n2024-01-04,4\n", "week,year" },
    { "t,y\n2024-01-01,1\n2024-02-01,2\n2024-03-01,3\n2024-04-01,4\n", "year" },
    { "t,y\n2024-01-01,1\n2024-04-01,2\n2024-07-01,3\n2024-10-01,4\n", "year" },
    { "t,y\n2021-01-01,1\n2022-01-01,2\n2023-01-01,3\n2024-01-01,4\n", NULL },
    { "y,z\n1,2\n2,3\n3,4\n4,5\n", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RecurSeries) series = series_from (cases[i].csv);
      g_autoptr(GError) error = NULL;
      RecurCalendar calendar = 0;

      if (cases[i].cycles)
        {
          g_autofree char *text = NULL;

          g_assert_true (recur_calendar_for_series (series, &calendar, &error));
          g_assert_no_error (error);
          text = recur_calendar_to_string (calendar);
          g_assert_cmpstr (text, ==, cases[i].cycles);
        }
      else
        {
          g_assert_false (recur_calendar_for_series (series, &calendar, &error));
          g_assert_error (error, RECUR_COVARIATE_ERROR, RECUR_COVARIATE_ERROR_NO_DATES);
          g_assert_nonnull (strstr (error->message, "cal.csv"));
        }
    }
  /* the fractions themselves: Wednesday 2024-01-03 12:00 UTC */
  g_assert_cmpfloat_with_epsilon (recur_cycle_fraction (RECUR_CYCLE_DAY, 1704283200), 0.5,
                                  1e-12);
  g_assert_cmpfloat_with_epsilon (recur_cycle_fraction (RECUR_CYCLE_WEEK, 1704283200),
                                  2.5 / 7, 1e-12);
  g_assert_cmpfloat_with_epsilon (recur_cycle_fraction (RECUR_CYCLE_YEAR, 1704283200),
                                  2.5 / 31 / 12, 1e-12);
}

/* Bad input columns: each error says which column and why. */
static void
test_bad_inputs_refused (void)
{
  static const struct
  {
    const char *inputs;
    GQuark      domain;
    int         code;
    const char *said;
  } cases[] = {
    { "nope", 0, RECUR_CSV_ERROR_UNKNOWN_COLUMN, "no column “nope”" },
    { "y", 1, RECUR_COVARIATE_ERROR_INVALID, "column “y” is the column to forecast" },
    { "x,w,x", 1, RECUR_COVARIATE_ERROR_INVALID, "column “x” is listed twice" },
    { "note", 0, RECUR_CSV_ERROR_UNKNOWN_COLUMN, "“note”" },
    { "empty", 0, RECUR_CSV_ERROR_ALL_MISSING, "column “empty”: every value is missing" },
  };
  const char *csv = "date,y,x,w,note,empty\n";
  g_autoptr(GString) text = g_string_new (csv);
  g_autoptr(RecurSeries) series = NULL;

  for (guint i = 0; i < 60; i++)
    g_string_append_printf (text, "%04u-%02u-01,%u,%u,%u,n%u,\n", 1900 + i / 12, 1 + i % 12,
                            i, i * 2, i % 5, i);
  series = series_from (text->str);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      RecurJobConfig config;
      GQuark domain = cases[i].domain ? RECUR_COVARIATE_ERROR : RECUR_CSV_ERROR;
      RecurJob *job;

      config_for (&config, cases[i].inputs, FALSE);
      config.model.window = 4;
      job = recur_job_new (&config, recur_series_ref (series), &error);
      recur_job_config_clear (&config);
      g_assert_null (job);
      g_assert_error (error, domain, cases[i].code);
      if (strstr (error->message, cases[i].said) == NULL)
        g_error ("“%s” does not say “%s”", error->message, cases[i].said);
      g_assert_nonnull (strstr (error->message, "cal.csv"));
    }
}

static RecurJob *
recursive_job (RecurSeries *series,
               const char  *inputs,
               gboolean     calendar)
{
  return trained_job_with (series, inputs, calendar, RECUR_STRATEGY_RECURSIVE);
}

/* The recursive strategy feeds each forecast back as the next step's input, and the input
 * columns' future is not in the file: the network forecasts them too (its head gives the
 * target's next value and each input column's), and learns the column the target follows as
 * the direct strategy does; calendar features alone are known ahead. recur_forecast from the
 * saved weights forecasts the job's future bit for bit, and further than its horizon. */
static void
test_recursive_strategy (void)
{
  g_autoptr(RecurSeries) series = lagged_series (G_MAXUINT);
  g_autoptr(RecurJob) with = recursive_job (series, "x", FALSE);
  g_autoptr(RecurJob) without = recursive_job (series, NULL, FALSE);
  g_autoptr(RecurJob) calendar = recursive_job (series, NULL, TRUE);
  const RecurModelSpec *spec = recur_model_get_spec (recur_job_get_model (with));
  g_autofree char *dir = test_temp_dir ("recur-cov-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "w.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurModel) model = NULL;
  g_autofree double *channels = NULL;
  const RecurDataset *data = recur_job_get_dataset (with);
  guint n = recur_dataset_get_n_points (data);
  double mase_with = recur_job_get_evaluation (with)->model_metrics.mase;
  double mase_without = recur_job_get_evaluation (without)->model_metrics.mase;
  RecurModelInfo info = { 0 };
  RecurExtraInputs extra;
  double future[2 * LAG];

  g_assert_cmpuint (spec->input_size, ==, 2);
  g_assert_cmpuint (spec->step_outputs, ==, 2);
  g_assert_cmpuint (recur_model_spec_output_size (spec), ==, 2);
  g_test_message ("recursive: test MASE with x %.3f, without %.3f", mase_with, mase_without);
  g_assert_cmpfloat (mase_with, <, 0.5 * mase_without);
  /* the calendar alone: read at every step, nothing more forecast */
  spec = recur_model_get_spec (recur_job_get_model (calendar));
  g_assert_cmpuint (spec->input_size, ==, 3);
  g_assert_cmpuint (spec->step_outputs, ==, 1);
  for (guint h = 0; h < LAG; h++)
    g_assert_true (isfinite (recur_job_get_future (calendar)[h]));

  g_assert_true (recur_job_save_weights (with, path, &error));
  g_assert_no_error (error);
  model = recur_model_load (path, &info, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recur_model_get_spec (model)->step_outputs, ==, 2);
  channels = recur_covariates_channels (&info.covariates, series, n, 2 * LAG,
                                        RECUR_MISSING_INTERPOLATE, n, &error);
  g_assert_no_error (error);
  extra = (RecurExtraInputs) { channels, 1, 1, n + 2 * LAG };
  g_assert_true (recur_forecast (model, &info.transform, recur_dataset_get_values (data), n,
                                 &extra, 2 * LAG, future, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (future, LAG * sizeof (double), recur_job_get_future (with),
                   LAG * sizeof (double));
  for (guint h = LAG; h < 2 * LAG; h++)
    g_assert_true (isfinite (future[h]));
  recur_model_info_clear (&info);
  g_unlink (path);
  g_rmdir (dir);
}

/* The weights file holds the covariates' names, scalers and cycles; a model read back from it
 * forecasts what the job forecast, bit for bit; a file that lacks a column is refused naming
 * it. */
static void
test_weights_round_trip (void)
{
  g_autoptr(RecurSeries) series = lagged_series (G_MAXUINT);
  g_autoptr(RecurJob) job = trained_job (series, "x,w", TRUE);
  g_autofree char *dir = test_temp_dir ("recur-cov-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "w.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurModel) model = NULL;
  g_autofree double *channels = NULL;
  g_autofree double *missing = NULL;
  g_autoptr(RecurSeries) other = series_from ("date,y,x\n2000-01-01,1,2\n2000-02-01,2,3\n");
  const RecurDataset *data = recur_job_get_dataset (job);
  guint n = recur_dataset_get_n_points (data);
  RecurModelInfo info = { 0 };
  RecurExtraInputs extra;
  double future[LAG];

  g_assert_true (recur_job_save_weights (job, path, &error));
  g_assert_no_error (error);
  model = recur_model_load (path, &info, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (info.covariates.n_inputs, ==, 2);
  g_assert_cmpstr (info.covariates.names[0], ==, "x");
  g_assert_cmpstr (info.covariates.names[1], ==, "w");
  g_assert_cmpuint (info.covariates.calendar, ==, 1u << RECUR_CYCLE_YEAR);
  g_assert_cmpuint (recur_model_get_spec (model)->input_size, ==, 5);

  channels = recur_covariates_channels (&info.covariates, series, n, LAG,
                                        RECUR_MISSING_INTERPOLATE, n, &error);
  g_assert_no_error (error);
  extra = (RecurExtraInputs) { channels, 4, 2, n + LAG };
  g_assert_true (recur_forecast (model, &info.transform, recur_dataset_get_values (data), n,
                                 &extra, LAG, future, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (future, sizeof future, recur_job_get_future (job), sizeof future);

  missing = recur_covariates_channels (&info.covariates, other, 2, 0, RECUR_MISSING_INTERPOLATE,
                                       2, &error);
  g_assert_null (missing);
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN);
  g_assert_nonnull (strstr (error->message, "input column “w”"));
  recur_model_info_clear (&info);
  g_unlink (path);
  g_rmdir (dir);
}

/* A run restored from what a project keeps (its configuration, with the input columns, and its
 * weights) rebuilds the covariates and scores the test part as the run that trained did. */
static void
test_restored_run (void)
{
  g_autoptr(RecurSeries) series = lagged_series (G_MAXUINT);
  g_autoptr(RecurJob) job = trained_job (series, "x,w", TRUE);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurRun) run = NULL;
  g_autoptr(JsonNode) node = recur_job_config_to_json (recur_job_get_config (job));
  const RecurEvaluation *want = recur_job_get_evaluation (job), *got;
  RecurJobConfig config;

  /* the configuration as the project's JSON holds it */
  g_assert_true (recur_job_config_from_json (node, &config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (config.inputs), ==, 2);
  run = recur_run_new_restored ("restored", &config, series,
                                recur_job_get_members (job), 1, 0, NULL, NULL, NULL,
                                RECUR_RUN_FINISHED, NULL, &error);
  recur_job_config_clear (&config);
  g_assert_no_error (error);
  got = recur_job_get_evaluation (recur_run_get_job (run));
  g_assert_nonnull (got);
  g_assert_cmpmem (got->forecast, got->n_test * sizeof (double), want->forecast,
                   want->n_test * sizeof (double));
}

/* Auto with input columns: the usual configuration reads the target alone, and the inputs are
 * taken only where the validation origins show them worth it: the covariate the target
 * follows three steps late is taken, a column of noise is not. */
static void
test_auto_validates_inputs (void)
{
  static const struct
  {
    const char *inputs;
    gboolean    taken;
  } cases[] = { { "x", TRUE }, { "w", FALSE } };
  g_autoptr(RecurSeries) series = lagged_series (G_MAXUINT);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurAuto) a = NULL;
      const RecurAutoCandidate *first, *second, *chosen;
      RecurJobConfig base;

      recur_job_config_init (&base);
      base.column = g_strdup ("y");
      base.inputs = g_strsplit (cases[i].inputs, ",", -1);
      base.model.horizon = LAG;
      a = recur_auto_run (&base, NULL, recur_series_ref (series), NULL, NULL, NULL, &error);
      recur_job_config_clear (&base);
      g_assert_no_error (error);
      first = recur_auto_get_candidate (a, 0);
      second = recur_auto_get_candidate (a, 1);
      g_assert_null (first->config.inputs);
      g_assert_cmpstr (second->config.inputs[0], ==, cases[i].inputs);
      chosen = recur_auto_get_candidate (a, recur_auto_get_chosen (a));
      g_test_message ("inputs %s: chose %s (%.3f; target alone %.3f, with the inputs %.3f)",
                      cases[i].inputs, chosen->name, chosen->validation_mase,
                      first->validation_mase, second->validation_mase);
      g_assert_true ((chosen->config.inputs != NULL) == cases[i].taken);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/covariates/learned", test_covariate_is_learned);
  g_test_add_func ("/engine/covariates/test-part-never-read", test_test_part_never_read);
  g_test_add_func ("/engine/covariates/scaled-on-training-part", test_scaled_on_training_part);
  g_test_add_func ("/engine/covariates/calendar-features", test_calendar_features);
  g_test_add_func ("/engine/covariates/calendar-cycles", test_calendar_cycles_of_frequencies);
  g_test_add_func ("/engine/covariates/bad-inputs-refused", test_bad_inputs_refused);
  g_test_add_func ("/engine/covariates/recursive-strategy", test_recursive_strategy);
  g_test_add_func ("/engine/covariates/weights-round-trip", test_weights_round_trip);
  g_test_add_func ("/engine/covariates/restored-run", test_restored_run);
  g_test_add_func ("/engine/covariates/auto-validates-inputs", test_auto_validates_inputs);
  return g_test_run ();
}
