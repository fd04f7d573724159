/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The automatic choice (recur-auto.h): it never reads the test part, it works on short series,
 * it refuses a series too short with the count, and its report is consistent. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-auto.h"
#include "recur-metrics.h"
#include "recur-theta.h"
#include "test-data.h"

/* A CSV of n values, dated monthly from 1900 or yearly from 1950; a value NAN is left empty. */
static RecurSeries *
series_of (const double *values,
           guint         n,
           gboolean      yearly)
{
  g_autoptr(GString) csv = g_string_new ("date,y\n");
  g_autoptr(GError) error = NULL;
  RecurSeries *series;

  for (guint i = 0; i < n; i++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE] = "";

      if (!isnan (values[i]))
        g_ascii_dtostr (num, sizeof num, values[i]);
      if (yearly)
        g_string_append_printf (csv, "%04u-01-01,%s\n", 1950 + i, num);
      else
        g_string_append_printf (csv, "%04u-%02u-01,%s\n", 1900 + i / 12, 1 + i % 12, num);
    }
  series = recur_series_load_csv_data (csv->str, csv->len, "auto.csv", &error);
  g_assert_no_error (error);
  return series;
}

/* Trend, a yearly season and noise, positive. */
static void
seasonal_values (double *v,
                 guint   n,
                 guint   seed)
{
  GRand *rand = g_rand_new_with_seed (seed);

  for (guint i = 0; i < n; i++)
    v[i] = 100 + 0.8 * i + 15 * sin (2 * G_PI * i / 12) + g_rand_double_range (rand, -4, 4);
  g_rand_free (rand);
}

static RecurAuto *
run_auto (const double *values,
          guint         n,
          gboolean      yearly,
          guint         horizon,
          GError      **error)
{
  RecurJobConfig base;
  RecurAuto *a;

  recur_job_config_init (&base);
  base.model.horizon = horizon;
  a = recur_auto_run (&base, NULL, series_of (values, n, yearly), NULL, NULL, NULL, error);
  recur_job_config_clear (&base);
  return a;
}

/* Auto on a monthly series from a base the caller set (cleared here), with the settings pinned
 * and a progress function, if any. */
static RecurAuto *
run_auto_from (RecurJobConfig        *base,
               const char *const     *pinned,
               const double          *values,
               guint                  n,
               RecurAutoProgressFunc  progress,
               gpointer               user_data)
{
  g_autoptr(GError) error = NULL;
  RecurAuto *a = recur_auto_run (base, pinned, series_of (values, n, FALSE), NULL, progress,
                                 user_data, &error);

  g_assert_no_error (error);
  recur_job_config_clear (base);
  return a;
}

static void
assert_same_choice (RecurAuto *a,
                    RecurAuto *b)
{
  g_assert_cmpuint (recur_auto_get_n_candidates (a), ==, recur_auto_get_n_candidates (b));
  g_assert_cmpuint (recur_auto_get_chosen (a), ==, recur_auto_get_chosen (b));
  for (guint i = 0; i < recur_auto_get_n_candidates (a); i++)
    {
      const RecurAutoCandidate *ca = recur_auto_get_candidate (a, i);
      const RecurAutoCandidate *cb = recur_auto_get_candidate (b, i);

      g_assert_cmpstr (ca->name, ==, cb->name);
      /* bit for bit: the same numbers from the same points */
      g_assert_cmpmem (&ca->validation_mase, sizeof (double), &cb->validation_mase,
                       sizeof (double));
    }
}

/* The chosen jobs' test forecasts and every member's weights, bit for bit. */
static void
assert_same_job (RecurJob *ja,
                 RecurJob *jb,
                 guint     h)
{
  g_assert_cmpmem (recur_job_get_evaluation (ja)->forecast, h * sizeof (double),
                   recur_job_get_evaluation (jb)->forecast, h * sizeof (double));
  g_assert_cmpuint (recur_job_get_n_members (ja), ==, recur_job_get_n_members (jb));
  for (guint k = 0; k < recur_job_get_n_members (ja); k++)
    {
      RecurModel *ma = recur_job_get_members (ja)[k];
      RecurModel *mb = recur_job_get_members (jb)[k];

      g_assert_cmpmem (recur_model_peek_params (ma),
                       recur_model_get_n_params (ma) * sizeof (float),
                       recur_model_peek_params (mb),
                       recur_model_get_n_params (mb) * sizeof (float));
    }
}

/* Changing the test part (the last `horizon` rows) leaves every candidate's validation score,
 * the choice, the test forecast and the weights bit-identical; also with a gap right before the
 * test part, which is filled from the points before it only. */
static void
test_never_reads_the_test_part (void)
{
  const guint n = 132, h = 12;
  double v[132], w[132];

  for (guint gap = 0; gap < 2; gap++)
    {
      g_autoptr(RecurAuto) a = NULL;
      g_autoptr(RecurAuto) b = NULL;
      g_autoptr(RecurJob) ja = NULL;
      g_autoptr(RecurJob) jb = NULL;
      g_autoptr(GError) error = NULL;

      seasonal_values (v, n, 7);
      if (gap)
        v[n - h - 1] = v[n - h - 2] = NAN;
      memcpy (w, v, sizeof v);
      for (guint i = n - h; i < n; i++)
        w[i] = 5 * v[i] + 1000 * (i % 2); /* far off, still positive */

      a = run_auto (v, n, FALSE, h, &error);
      g_assert_no_error (error);
      b = run_auto (w, n, FALSE, h, &error);
      g_assert_no_error (error);
      assert_same_choice (a, b);
      ja = recur_auto_steal_job (a);
      jb = recur_auto_steal_job (b);
      assert_same_job (ja, jb, h);
      /* and the test part was scored with the values the runs were given */
      g_assert_cmpfloat (recur_job_get_evaluation (jb)->actual[0], ==, w[n - h]);
    }
}

/* 37 yearly points, 6 to forecast (china_income's shape): a window the data allows, a forecast;
 * 25 points: refused with how many are needed and what for. */
static void
test_short_series (void)
{
  double v[37];
  g_autoptr(RecurAuto) a = NULL;
  g_autoptr(RecurAuto) none = NULL;
  g_autoptr(RecurJob) job = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 37; i++)
    v[i] = 100 * exp (0.06 * i) + 10 * sin (i);
  a = run_auto (v, 37, TRUE, 6, &error);
  g_assert_no_error (error);
  job = recur_auto_steal_job (a);
  g_assert_cmpuint (recur_job_get_config (job)->model.window, <=, 31);
  for (guint h = 0; h < 6; h++)
    g_assert_true (isfinite (recur_job_get_future (job)[h]));

  none = run_auto (v, 25, TRUE, 6, &error);
  g_assert_null (none);
  g_assert_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_TOO_SHORT);
  g_assert_nonnull (strstr (error->message, "auto.csv: column “y”: 25 points; forecasting 6 "
                                            "steps needs at least 26: 20 to learn from and the "
                                            "6 held out for the test part"));
}

/* The report: the first candidate is the usual configuration, floors are marked, exactly one
 * is chosen, its name and config are the job's, origins lie before the test part. */
static void
test_report_is_the_choice (void)
{
  const guint n = 132, h = 12;
  double v[132];
  g_autoptr(RecurAuto) a = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(RecurJob) job = NULL;
  JsonObject *root;
  JsonArray *candidates, *origins;
  guint chosen = 0, floors = 0;

  seasonal_values (v, n, 3);
  a = run_auto (v, n, FALSE, h, &error);
  g_assert_no_error (error);
  json = recur_auto_to_json (a);
  root = json_node_get_object (json);
  candidates = json_object_get_array_member (root, "candidates");
  origins = json_object_get_array_member (root, "origins");
  g_assert_cmpuint (json_array_get_length (candidates), ==, recur_auto_get_n_candidates (a));
  g_assert_cmpuint (json_array_get_length (origins), ==, recur_auto_get_n_origins (a));
  for (guint k = 0; k < json_array_get_length (origins); k++)
    g_assert_cmpint (json_array_get_int_element (origins, k) - 1 + h, <=, n - h);
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    {
      JsonObject *c = json_array_get_object_element (candidates, i);

      chosen += json_object_get_boolean_member (c, "chosen");
      floors += json_object_get_boolean_member (c, "floor");
      g_assert_cmpuint (json_array_get_length (json_object_get_array_member (c, "per_origin")),
                        ==, json_array_get_length (origins));
    }
  g_assert_cmpuint (chosen, ==, 1);
  g_assert_cmpuint (floors, ==, 2); /* naive, and seasonal naive: monthly */
  g_assert_cmpstr (json_object_get_string_member (root, "chosen"), ==,
                   recur_auto_get_candidate (a, recur_auto_get_chosen (a))->name);
  g_assert_true (g_str_has_prefix (recur_auto_get_candidate (a, 0)->name, "esn, window 24, "
                                                                           "level last"));
  job = recur_auto_steal_job (a);
  g_assert_cmpint (recur_job_get_config (job)->model.cell, ==,
                   recur_auto_get_candidate (a, recur_auto_get_chosen (a))->config.model.cell);
  g_assert_cmpuint (recur_job_get_config (job)->model.window, ==,
                    recur_auto_get_candidate (a, recur_auto_get_chosen (a))->config.model.window);
}

/* The Theta method's row: its validation MASE recomputed here from the same origins (refitted
 * on the points before each, scaled as the candidates are), and the final run averaged with it
 * exactly when that is under twice the chosen candidate's; a cycle Theta's trend cannot follow
 * is not averaged; --theta given holds either way. */
static void
assert_theta_row (RecurAuto    *a,
                  const double *v,
                  guint         h,
                  guint         m)
{
  g_autoptr(JsonNode) json = recur_auto_to_json (a);
  JsonObject *root = json_node_get_object (json);
  JsonObject *theta = json_object_get_object_member (root, "theta");
  JsonArray *origins = json_object_get_array_member (root, "origins");
  JsonArray *per_origin = json_object_get_array_member (theta, "per_origin");
  double sum = 0, chosen = recur_auto_get_candidate (a, recur_auto_get_chosen (a))->validation_mase;
  g_autofree double *f = g_new (double, h);

  g_assert_cmpuint (json_array_get_length (per_origin), ==, json_array_get_length (origins));
  for (guint k = 0; k < json_array_get_length (origins); k++)
    {
      guint o = json_array_get_int_element (origins, k) - 1;
      double mae = 0, scale = recur_mase_scale (v, o, o > m ? m : 1);

      g_assert_true (recur_theta_forecast (v, o, m, h, f, NULL, NULL));
      for (guint t = 0; t < h; t++)
        mae += fabs (f[t] - v[o + t]) / h;
      g_assert_cmpfloat_with_epsilon (json_array_get_double_element (per_origin, k), mae / scale,
                                      1e-12);
      sum += mae / scale;
    }
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (theta, "validation_mase"),
                                  sum / json_array_get_length (origins), 1e-12);
  g_assert_cmpint (json_object_get_boolean_member (theta, "averaged"), ==,
                   sum / json_array_get_length (origins) < 2 * chosen);
  g_assert_cmpint (recur_auto_averages_theta (a), ==,
                   json_object_get_boolean_member (theta, "averaged"));
}

static void
test_theta_gate (void)
{
  const guint h = 12;
  guint n;
  g_autofree double *v = test_load_column ("air_passengers.csv", NULL, RECUR_MISSING_INTERPOLATE,
                                            &n);
  double cycle[80];
  const char *const pinned[] = { "theta", NULL };

  for (guint i = 0; i < G_N_ELEMENTS (cycle); i++)
    cycle[i] = 50 + 20 * sin (2 * G_PI * i / 10.3);
  for (guint s = 0; s < 2; s++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurAuto) a = s == 0 ? run_auto (v, n, FALSE, h, &error)
                                      : run_auto (cycle, G_N_ELEMENTS (cycle), TRUE, 6, &error);
      g_autoptr(RecurJob) job = NULL;

      g_assert_no_error (error);
      assert_theta_row (a, s == 0 ? v : cycle, s == 0 ? h : 6, s == 0 ? 12 : 1);
      /* the airline's season is averaged (Theta 0.89, the chosen reservoir 0.81), the cycle is
       * not (Theta's straight trend 2.4, the reservoir 0.001) */
      g_assert_cmpint (recur_auto_averages_theta (a), ==, s == 0);
      job = recur_auto_steal_job (a);
      g_assert_cmpint (recur_job_get_config (job)->transform.theta, ==,
                       s == 0 ? RECUR_THETA_AVERAGE : RECUR_THETA_NONE);
    }
  for (RecurThetaMode mode = RECUR_THETA_NONE; mode <= RECUR_THETA_AVERAGE; mode++)
    {
      g_autoptr(RecurAuto) a = NULL;
      g_autoptr(RecurJob) job = NULL;
      RecurJobConfig base;

      recur_job_config_init (&base);
      base.model.horizon = h;
      base.transform.theta = mode;
      a = run_auto_from (&base, pinned, v, n, NULL, NULL);
      g_assert_cmpint (recur_auto_averages_theta (a), ==, mode == RECUR_THETA_AVERAGE);
      job = recur_auto_steal_job (a);
      g_assert_cmpint (recur_job_get_config (job)->transform.theta, ==, mode);
    }
}

/* A chosen reservoir is refitted as an ensemble of five (seeds seed … seed + 4), whose median
 * forecasts; --ensemble given holds for the candidates and the final run alike. */
static void
test_reservoir_ensemble (void)
{
  const guint n = 132, h = 12;
  double v[132];
  const char *const pinned[] = { "ensemble", NULL };

  seasonal_values (v, n, 3);
  for (guint pin = 0; pin < 2; pin++)
    {
      g_autoptr(RecurAuto) a = NULL;
      g_autoptr(RecurJob) job = NULL;
      const RecurAutoCandidate *chosen;
      RecurJobConfig base;

      recur_job_config_init (&base);
      base.model.horizon = h;
      base.ensemble = pin ? 2 : 1;
      a = run_auto_from (&base, pin ? pinned : NULL, v, n, NULL, NULL);
      chosen = recur_auto_get_candidate (a, recur_auto_get_chosen (a));
      g_assert_cmpint (chosen->config.model.cell, ==, RECUR_CELL_ESN); /* this series' choice */
      g_assert_false (chosen->floor);
      for (guint i = 0; i < recur_auto_get_n_candidates (a); i++)
        g_assert_cmpuint (recur_auto_get_candidate (a, i)->config.ensemble, ==, pin ? 2 : 1);
      job = recur_auto_steal_job (a);
      g_assert_cmpuint (recur_job_get_n_members (job), ==, pin ? 2 : 5);
      g_assert_cmpuint (recur_job_get_config (job)->ensemble, ==, pin ? 2 : 5);
      g_assert_cmpuint (recur_job_get_evaluation (job)->n_members, ==, pin ? 2 : 5);
      /* no epoch to choose: the readout learns from every point before the test part */
      g_assert_cmpfloat (recur_job_get_config (job)->val_fraction, ==, 0.0);
    }
}

/* A validation part given holds for the final reservoir too. */
static void
test_reservoir_validation_part (void)
{
  const guint n = 132, h = 12;
  const char *const pinned[] = { "val-fraction", NULL };
  double v[132];
  g_autoptr(RecurAuto) a = NULL;
  g_autoptr(RecurJob) job = NULL;
  g_autofree char *reason = NULL;
  RecurJobConfig base;

  seasonal_values (v, n, 3);
  recur_job_config_init (&base);
  base.model.horizon = h;
  base.val_fraction = 0.2;
  a = run_auto_from (&base, pinned, v, n, NULL, NULL);
  job = recur_auto_steal_job (a);
  g_assert_cmpint (recur_job_get_config (job)->model.cell, ==, RECUR_CELL_ESN);
  g_assert_cmpfloat (recur_job_get_config (job)->val_fraction, ==, 0.2);
  reason = recur_auto_describe_choice (a);
  g_assert_null (strstr (reason, "every point"));
}

/* A setting the user gave holds for every network among the candidates, and their names say so;
 * the floors stay the naive forecasts they are named after (the yardstick): a level pinned to
 * the window's mean changes no floor's score, bit for bit. */
static void
test_pins_never_change_the_floors (void)
{
  const guint n = 132, h = 12;
  const char *const pinned[] = { "window-norm", NULL };
  double v[132];
  g_autoptr(RecurAuto) free_choice = NULL;
  g_autoptr(RecurAuto) pinned_choice = NULL;
  g_autoptr(GError) error = NULL;
  RecurJobConfig base;
  guint floors = 0;

  seasonal_values (v, n, 3);
  free_choice = run_auto (v, n, FALSE, h, &error);
  g_assert_no_error (error);
  recur_job_config_init (&base);
  base.model.horizon = h;
  base.transform.window_norm = RECUR_WINDOW_NORM_MEAN;
  pinned_choice = run_auto_from (&base, pinned, v, n, NULL, NULL);
  g_assert_cmpuint (recur_auto_get_n_candidates (free_choice), >,
                    recur_auto_get_n_candidates (pinned_choice)); /* no level last to try */
  for (guint i = 0; i < recur_auto_get_n_candidates (pinned_choice); i++)
    {
      const RecurAutoCandidate *c = recur_auto_get_candidate (pinned_choice, i);

      if (!c->floor)
        {
          g_assert_cmpint (c->config.transform.window_norm, ==, RECUR_WINDOW_NORM_MEAN);
          g_assert_nonnull (strstr (c->name, ", level mean"));
          continue;
        }
      for (guint j = 0; j < recur_auto_get_n_candidates (free_choice); j++)
        {
          const RecurAutoCandidate *f = recur_auto_get_candidate (free_choice, j);

          if (f->floor && g_str_equal (f->name, c->name))
            {
              g_assert_cmpint (c->config.transform.window_norm, ==, RECUR_WINDOW_NORM_NONE);
              g_assert_cmpmem (c->per_origin, recur_auto_get_n_origins (pinned_choice)
                                              * sizeof (double),
                               f->per_origin, recur_auto_get_n_origins (free_choice)
                                              * sizeof (double));
              floors++;
            }
        }
    }
  g_assert_cmpuint (floors, ==, 2);
}

/* The candidates train several at once on base.train.threads threads (one each); which thread
 * trains one, and how many there are, changes no score, no choice and no forecast. The calls to
 * progress come in the candidates' order, once each, whatever finishes first. */
typedef struct
{
  guint calls;
  guint last;
} Reports;

static void
count_report (const RecurAutoCandidate *c,
              guint                     index,
              guint                     n,
              gpointer                  user_data)
{
  Reports *r = user_data;

  g_assert_cmpuint (index, ==, r->calls);
  r->calls++;
  r->last = n;
}

static void
test_threads_never_change_the_choice (void)
{
  const guint n = 132, h = 12;
  double v[132];
  g_autoptr(RecurAuto) one = NULL;
  g_autoptr(RecurJob) one_job = NULL;

  seasonal_values (v, n, 5);
  for (guint threads = 1; threads <= 3; threads++)
    {
      g_autoptr(RecurAuto) a = NULL;
      g_autoptr(RecurJob) job = NULL;
      Reports reports = { 0 };
      RecurJobConfig base;

      recur_job_config_init (&base);
      base.model.horizon = h;
      base.train.threads = threads;
      a = run_auto_from (&base, NULL, v, n, count_report, &reports);
      g_assert_cmpuint (reports.calls, ==, recur_auto_get_n_candidates (a));
      g_assert_cmpuint (reports.last, ==, recur_auto_get_n_candidates (a));
      if (threads == 1)
        {
          one = g_steal_pointer (&a);
          one_job = recur_auto_steal_job (one);
          continue;
        }
      assert_same_choice (one, a);
      job = recur_auto_steal_job (a);
      assert_same_job (one_job, job, h);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/auto/never-reads-the-test-part", test_never_reads_the_test_part);
  g_test_add_func ("/engine/auto/short-series", test_short_series);
  g_test_add_func ("/engine/auto/report-is-the-choice", test_report_is_the_choice);
  g_test_add_func ("/engine/auto/theta-gate", test_theta_gate);
  g_test_add_func ("/engine/auto/reservoir-ensemble", test_reservoir_ensemble);
  g_test_add_func ("/engine/auto/reservoir-validation-part", test_reservoir_validation_part);
  g_test_add_func ("/engine/auto/pins-never-change-the-floors", test_pins_never_change_the_floors);
  g_test_add_func ("/engine/auto/threads-never-change-the-choice",
                   test_threads_never_change_the_choice);
  return g_test_run ();
}
