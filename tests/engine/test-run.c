/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs on the worker pool, as the app drives them: progress through the mailbox on the main
 * loop, stop, failure, and results independent of what runs beside. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-run.h"
#include "recur-sweep.h"

static RecurSeries *
sine_series (void)
{
  GString *csv = g_string_new ("t,y\n");
  g_autoptr(GError) error = NULL;
  RecurSeries *series;

  for (int i = 0; i < 400; i++)
    g_string_append_printf (csv, "%d,%.6f\n", i, sin (i / 4.0) + 0.3 * sin (i / 1.7));
  series = recur_series_load_csv_data (csv->str, csv->len, "sine.csv", &error);
  g_assert_no_error (error);
  g_string_free (csv, TRUE);
  return series;
}

static void
config_for (RecurJobConfig *config,
            RecurCellKind   cell,
            guint           epochs,
            guint64         seed)
{
  recur_job_config_init (config);
  config->model.cell = cell;
  config->model.hidden_size = 16;
  config->model.window = 16;
  config->model.horizon = 4;
  config->train.epochs = epochs;
  config->train.patience = 0;
  config->train.seed = seed;
}

typedef struct
{
  guint progress;
  guint finished;
} Counts;

static void
on_progress (RecurRun *run,
             gpointer  data)
{
  ((Counts *) data)->progress++;
}

static void
on_finished (RecurRun *run,
             gpointer  data)
{
  ((Counts *) data)->finished++;
}

static RecurRun *
new_run (RecurSeries   *series,
         RecurCellKind  cell,
         guint          epochs,
         guint64        seed,
         Counts        *counts)
{
  RecurJobConfig config;
  g_autoptr(GError) error = NULL;
  RecurRun *run;

  config_for (&config, cell, epochs, seed);
  run = recur_run_new ("run", &config, series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  g_signal_connect (run, "progress", G_CALLBACK (on_progress), counts);
  g_signal_connect (run, "finished", G_CALLBACK (on_finished), counts);
  return run;
}

static void
wait_all (RecurRun **runs,
          guint      n)
{
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  for (;;)
    {
      gboolean active = FALSE;
      for (guint i = 0; i < n; i++)
        active |= recur_run_is_active (runs[i]);
      if (!active)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
}

static GBytes *
params_of (RecurRun *run)
{
  RecurModel *model = recur_job_get_model (recur_run_get_job (run));
  return g_bytes_new (recur_model_peek_params (model),
                      recur_model_get_n_params (model) * sizeof (float));
}

static void
test_run_reports_progress_and_finishes (void)
{
  g_autoptr(RecurSeries) series = sine_series ();
  GThreadPool *pool = recur_run_pool_new (2);
  Counts counts = { 0 };
  g_autoptr(RecurRun) run = new_run (series, RECUR_CELL_LSTM, 12, 1, &counts);
  RecurStatesSnapshot *states;
  RecurPredictionSnapshot *pred;

  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_QUEUED);
  recur_run_start (run, pool);
  wait_all (&run, 1);
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
  g_assert_cmpuint (counts.finished, ==, 1);
  g_assert_cmpuint (counts.progress, >=, 1);
  g_assert_cmpuint (recur_run_get_n_epochs (run), ==, 12);
  g_assert_cmpuint (recur_run_get_last_progress (run)->epoch, ==, 12);
  g_assert_nonnull (recur_job_get_evaluation (recur_run_get_job (run)));

  states = recur_run_get_states (run);
  g_assert_nonnull (states);
  g_assert_cmpuint (states->units, ==, 16);
  g_assert_cmpuint (states->window, ==, 16);
  g_assert_nonnull (recur_states_snapshot_get (states, 0, RECUR_STATE_GATE_F));
  g_assert_null (recur_states_snapshot_get (states, 0, RECUR_STATE_GATE_Z));
  g_assert_nonnull (states->grad_flow);
  for (guint t = 0; t < 16; t++)
    g_assert_true (isfinite (states->grad_flow[t]) && states->grad_flow[t] >= 0);
  /* LSTM forget gates are sigmoids */
  for (guint i = 0; i < 16 * 16; i++)
    {
      float f = recur_states_snapshot_get (states, 0, RECUR_STATE_GATE_F)[i];
      g_assert_cmpfloat (f, >, 0.0f);
      g_assert_cmpfloat (f, <, 1.0f);
    }

  pred = recur_run_get_predictions (run);
  g_assert_nonnull (pred);
  g_assert_cmpuint (pred->first + pred->n, ==, 400);
  g_assert_cmpuint (pred->n_future, ==, 4);
  g_assert_true (isnan (pred->predicted[0]));                 /* training context */
  g_assert_true (isfinite (pred->predicted[pred->n - 1]));    /* test part */
  g_assert_cmpfloat (pred->future_x[0], ==, 400);             /* row index continues */
  /* the test part shows what was scored */
  for (guint h = 0; h < 4; h++)
    g_assert_cmpfloat (pred->predicted[pred->n - 4 + h], ==,
                       recur_job_get_evaluation (recur_run_get_job (run))->forecast[h]);
  g_thread_pool_free (pool, FALSE, TRUE);
}

/* Three runs on two workers: one stopped, one diverging, one finishing; the finishing one gives
 * the same weights as alone. */
static void
test_runs_are_independent (void)
{
  g_autoptr(RecurSeries) series = sine_series ();
  GThreadPool *pool = recur_run_pool_new (2);
  Counts counts = { 0 };
  RecurRun *runs[3];
  g_autoptr(RecurRun) alone = new_run (series, RECUR_CELL_GRU, 8, 5, &counts);
  g_autoptr(GBytes) a = NULL;
  g_autoptr(GBytes) b = NULL;
  RecurJobConfig config;
  g_autoptr(GError) error = NULL;

  recur_run_start (alone, pool);
  wait_all (&alone, 1);
  a = params_of (alone);

  runs[0] = new_run (series, RECUR_CELL_GRU, 8, 5, &counts);
  runs[1] = new_run (series, RECUR_CELL_LSTM, 100000, 6, &counts);
  config_for (&config, RECUR_CELL_RNN_RELU, 50, 7);
  recur_optimizer_spec_init (&config.train.optimizer, RECUR_OPTIMIZER_SGD, 1e30);
  config.train.clip = 0;
  runs[2] = recur_run_new ("diverging", &config, series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  for (guint i = 0; i < 3; i++)
    recur_run_start (runs[i], pool);

  /* stop the long one once it has trained a little */
  while (recur_run_get_n_epochs (runs[1]) < 2)
    g_main_context_iteration (NULL, TRUE);
  recur_run_stop (runs[1]);
  wait_all (runs, 3);

  g_assert_cmpint (recur_run_get_status (runs[0]), ==, RECUR_RUN_FINISHED);
  g_assert_cmpint (recur_run_get_status (runs[1]), ==, RECUR_RUN_STOPPED);
  g_assert_cmpint (recur_run_get_status (runs[2]), ==, RECUR_RUN_FAILED);
  g_assert_nonnull (strstr (recur_run_get_error (runs[2])->message, "diverged"));
  g_assert_cmpuint (recur_job_get_summary (recur_run_get_job (runs[1]))->best_epoch, >=, 1);
  g_assert_nonnull (recur_job_get_evaluation (recur_run_get_job (runs[1]))); /* best weights scored */

  b = params_of (runs[0]);
  g_assert_true (g_bytes_equal (a, b));
  for (guint i = 0; i < 3; i++)
    g_object_unref (runs[i]);
  g_thread_pool_free (pool, FALSE, TRUE);
}

/* A sweep's runs trained four at a time give bit-identical weights to the same runs trained one
 * at a time, even with a run stopped beside them: each run owns its RNG and BLAS runs one thread
 * per call. */
static GPtrArray *
sweep_points (void)
{
  RecurJobConfig base;
  g_autoptr(RecurSweep) sweep = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *points;

  config_for (&base, RECUR_CELL_LSTM, 6, 11);
  base.model.hidden_size = 8;
  sweep = recur_sweep_new (&base);
  recur_job_config_clear (&base);
  g_assert_true (recur_sweep_add_grid (sweep, "model=lstm,gru", &error));
  g_assert_true (recur_sweep_add_grid (sweep, "lr=0.003,0.01", &error));
  points = recur_sweep_expand (sweep, &error);
  g_assert_no_error (error);
  return points;
}

static GPtrArray *
train_points (RecurSeries *series,
              GPtrArray   *points,
              guint        threads,
              gboolean     with_stopped)
{
  GThreadPool *pool = recur_run_pool_new (threads);
  GPtrArray *runs = g_ptr_array_new_with_free_func (g_object_unref);
  Counts counts = { 0 };
  RecurRun *stopped = NULL;

  if (with_stopped)
    {
      stopped = new_run (series, RECUR_CELL_GRU, 100000, 3, &counts);
      recur_run_start (stopped, pool);
    }
  for (guint i = 0; i < points->len; i++)
    {
      RecurSweepPoint *p = g_ptr_array_index (points, i);
      g_autoptr(GError) error = NULL;
      RecurRun *run = recur_run_new (p->name, &p->config, series, &error);

      g_assert_no_error (error);
      g_ptr_array_add (runs, run);
      recur_run_start (run, pool);
      if (threads == 1)
        wait_all (&run, 1); /* one at a time */
    }
  if (stopped)
    {
      while (recur_run_get_n_epochs (stopped) < 1)
        g_main_context_iteration (NULL, TRUE);
      recur_run_stop (stopped);
      wait_all (&stopped, 1);
      g_assert_cmpint (recur_run_get_status (stopped), ==, RECUR_RUN_STOPPED);
      g_object_unref (stopped);
    }
  wait_all ((RecurRun **) runs->pdata, runs->len);
  g_thread_pool_free (pool, FALSE, TRUE);
  return runs;
}

static void
test_parallel_equals_sequential (void)
{
  g_autoptr(RecurSeries) series = sine_series ();
  g_autoptr(GPtrArray) points = sweep_points ();
  g_autoptr(GPtrArray) alone = train_points (series, points, 1, FALSE);
  g_autoptr(GPtrArray) together = train_points (series, points, 4, TRUE);

  g_assert_cmpuint (alone->len, ==, 4);
  for (guint i = 0; i < alone->len; i++)
    {
      RecurRun *a = g_ptr_array_index (alone, i), *b = g_ptr_array_index (together, i);
      g_autoptr(GBytes) pa = params_of (a);
      g_autoptr(GBytes) pb = params_of (b);
      const RecurEvaluation *ea = recur_job_get_evaluation (recur_run_get_job (a));
      const RecurEvaluation *eb = recur_job_get_evaluation (recur_run_get_job (b));

      g_assert_cmpint (recur_run_get_status (a), ==, RECUR_RUN_FINISHED);
      g_assert_cmpint (recur_run_get_status (b), ==, RECUR_RUN_FINISHED);
      g_assert_true (g_bytes_equal (pa, pb));
      g_assert_cmpmem (&ea->model_metrics, sizeof (RecurMetrics), &eb->model_metrics,
                       sizeof (RecurMetrics));
      g_assert_cmpmem (recur_run_get_val_loss (a), 6 * sizeof (double),
                       recur_run_get_val_loss (b), 6 * sizeof (double));
    }
}

/* The mailbox carries the best epoch's weights and the whole history a project stores. */
static void
test_best_weights_and_history (void)
{
  g_autoptr(RecurSeries) series = sine_series ();
  GThreadPool *pool = recur_run_pool_new (1);
  Counts counts = { 0 };
  g_autoptr(RecurRun) run = new_run (series, RECUR_CELL_GRU, 10, 4, &counts);
  RecurModel *model;
  const double *seconds;

  g_assert_null (recur_run_get_best_model (run));
  g_assert_cmpuint (recur_run_get_best_epoch (run), ==, 0);
  recur_run_start (run, pool);
  wait_all (&run, 1);
  model = recur_job_get_model (recur_run_get_job (run));
  g_assert_cmpuint (recur_run_get_best_epoch (run), ==,
                    recur_job_get_summary (recur_run_get_job (run))->best_epoch);
  g_assert_cmpmem (recur_model_peek_params (recur_run_get_best_model (run)),
                   recur_model_get_n_params (model) * sizeof (float),
                   recur_model_peek_params (model), recur_model_get_n_params (model) * sizeof (float));
  seconds = recur_run_get_seconds (run);
  for (guint e = 0; e < 10; e++)
    {
      g_assert_true (isfinite (recur_run_get_grad_norm (run)[e]));
      g_assert_cmpfloat (recur_run_get_grad_norm (run)[e], >, 0);
      g_assert_cmpfloat (seconds[e], >, 0);
      g_assert_true (e == 0 || seconds[e] >= seconds[e - 1]);
    }
  g_assert_cmpstr (recur_run_status_to_id (RECUR_RUN_INTERRUPTED), ==, "interrupted");
  g_thread_pool_free (pool, FALSE, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/run/reports-progress-and-finishes", test_run_reports_progress_and_finishes);
  g_test_add_func ("/engine/run/runs-are-independent", test_runs_are_independent);
  g_test_add_func ("/engine/run/parallel-equals-sequential", test_parallel_equals_sequential);
  g_test_add_func ("/engine/run/best-weights-and-history", test_best_weights_and_history);
  return g_test_run ();
}
