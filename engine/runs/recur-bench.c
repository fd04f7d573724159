/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recur-auto.h"
#include "recur-bench.h"
#include "recur-blas.h"
#include "recur-cores.h"
#include "recur-dataset.h"
#include "recur-gemm.h"
#include "recur-run.h"
#include "recur-sweep.h"
#include "recur-team.h"
#include "recur-trainer.h"

#define SERIES_POINTS 4096

static const RecurBenchConfig configs[] = {
  { "small-rnn", RECUR_CELL_RNN_TANH, 32, 1, 32, 32, 4064 },
  { "small-lstm", RECUR_CELL_LSTM, 32, 1, 32, 32, 4064 },
  { "small-gru", RECUR_CELL_GRU, 32, 1, 32, 32, 4064 },
  { "medium-lstm", RECUR_CELL_LSTM, 128, 2, 64, 64, 4032 },
  { "medium-gru", RECUR_CELL_GRU, 128, 2, 64, 64, 4032 },
  { "large-lstm", RECUR_CELL_LSTM, 512, 1, 64, 128, 768 },
};

const RecurBenchConfig *
recur_bench_configs (guint *n_configs)
{
  *n_configs = G_N_ELEMENTS (configs);
  return configs;
}

const RecurBenchConfig *
recur_bench_find_config (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (configs); i++)
    if (g_strcmp0 (configs[i].name, name) == 0)
      return &configs[i];
  return NULL;
}

double
recur_bench_forward_flops (const RecurBenchConfig *c)
{
  double g = recur_cell_n_gates (c->cell), h = c->hidden, total = 0;

  for (guint l = 0; l < c->layers; l++)
    total += c->window * 2.0 * g * h * ((l == 0 ? 1.0 : h) + h);
  return total;
}

/* sin(2πt/50) + 0.5 sin(2πt/17) + 0.1 N(0, 1), as the PyTorch reference */
static double *
synthetic_series (guint n)
{
  double *x = g_new (double, n);
  RecurRng rng;

  recur_rng_init (&rng, 0);
  for (guint t = 0; t < n; t++)
    x[t] = sin (2 * G_PI * t / 50.0) + 0.5 * sin (2 * G_PI * t / 17.0)
           + 0.1 * recur_rng_normal (&rng);
  return x;
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median (double *v,
        guint   n)
{
  qsort (v, n, sizeof (double), compare_double);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

typedef struct
{
  double *epoch_seconds;
  guint n;
  double last_loss;
} EpochLog;

static void
log_epoch (const RecurProgress *p,
           gpointer             data)
{
  EpochLog *log = data;
  log->epoch_seconds[log->n++] = p->epoch_seconds;
  log->last_loss = p->train_loss;
}

/* How long the forecast is timed for, at least */
#define FORECAST_SECONDS 0.3

/* One thread's share of the forecasts, with buffers of its own. */
typedef struct
{
  RecurWorkspace *ws;
  guint *starts;
  float *input;
  float *output;
} ForecastBuffers;

typedef struct
{
  const RecurModel *model;
  const RecurDataset *data;
  guint batch;
  guint n_tasks;
  ForecastBuffers *buffers; /* [n_tasks] */
} ForecastJob;

/* Task k of n forecasts the minibatches k, k + n, … */
static void
forecast_share (guint    task,
                gpointer user_data)
{
  const ForecastJob *job = user_data;
  const ForecastBuffers *buf = &job->buffers[task];
  guint n = recur_dataset_get_n_train_windows (job->data), batch = job->batch;

  for (guint first = task * batch; first < n; first += job->n_tasks * batch)
    {
      guint b = MIN (batch, n - first);
      for (guint i = 0; i < b; i++)
        buf->starts[i] = first + i;
      recur_dataset_gather (job->data, buf->starts, b, buf->input, NULL);
      recur_model_forward (job->model, buf->ws, b, buf->input, FALSE, NULL, buf->output);
    }
}

/* Inference over every training window in minibatches, shared by the team's threads: the best
 * of as many passes as fit in FORECAST_SECONDS (three at least). A small model's pass takes a
 * few milliseconds, and Linux may wake the team's helper on the caller's CPU for the first
 * tens of them (sched_getcpu showed both on one CPU for about 85 ms on this VM, at half the
 * speed, until its load balancer moved one): three passes measured that, not the forecast. The
 * buffers are made before the clock starts. */
static double
time_forecast (const RecurModel   *model,
               const RecurDataset *data,
               guint               batch,
               RecurTeam          *team)
{
  const RecurModelSpec *spec = recur_model_get_spec (model);
  ForecastJob job = { model, data, batch, recur_team_get_size (team), NULL };
  double best = INFINITY;

  job.buffers = g_new (ForecastBuffers, job.n_tasks);
  for (guint k = 0; k < job.n_tasks; k++)
    {
      job.buffers[k].ws = recur_workspace_new_for_inference (model, batch);
      job.buffers[k].starts = g_new (guint, batch);
      job.buffers[k].input = g_new (float, (gsize) spec->window * batch);
      job.buffers[k].output = g_new (float, (gsize) batch * recur_model_spec_output_size (spec));
    }
  for (gint64 start = g_get_monotonic_time (), rep = 0;
       rep < 3 || g_get_monotonic_time () - start < FORECAST_SECONDS * G_USEC_PER_SEC; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();
      recur_team_run (team, job.n_tasks, forecast_share, &job);
      best = MIN (best, (g_get_monotonic_time () - t0) / 1e6);
    }
  for (guint k = 0; k < job.n_tasks; k++)
    {
      recur_workspace_free (job.buffers[k].ws);
      g_free (job.buffers[k].starts);
      g_free (job.buffers[k].input);
      g_free (job.buffers[k].output);
    }
  g_free (job.buffers);
  return recur_dataset_get_n_train_windows (data) / best;
}

gboolean
recur_bench_run (const RecurBenchConfig *c,
                 guint                   epochs,
                 guint                   threads,
                 RecurBenchResult       *result,
                 GError                **error)
{
  guint n_points = c->windows + c->window + 1;
  g_autofree double *series = synthetic_series (MAX (n_points, SERIES_POINTS));
  RecurSplitSpec split = { .window = c->window, .horizon = 1, .output_size = 1,
                           .val_fraction = 0.0,
                           .transform.scaler = RECUR_SCALER_ZSCORE };
  g_autoptr(RecurDataset) data = NULL;
  g_autoptr(RecurModel) model = NULL;
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(RecurTeam) team = NULL;
  g_autofree double *times = g_new (double, epochs + 1);
  EpochLog log = { times, 0, NAN };
  RecurModelSpec spec;
  RecurTrainSpec train;
  RecurRng rng;
  double fwd = recur_bench_forward_flops (c);

  data = recur_dataset_new (series, n_points, &split, c->name, error);
  if (data == NULL)
    return FALSE;
  recur_model_spec_init (&spec);
  spec.cell = c->cell;
  spec.hidden_size = c->hidden;
  spec.num_layers = c->layers;
  spec.window = c->window;
  spec.horizon = 1;
  model = recur_model_new (&spec, error);
  if (model == NULL)
    return FALSE;
  recur_rng_init (&rng, 0);
  recur_model_init_weights (model, &rng);

  recur_train_spec_init (&train);
  train.epochs = epochs + 1;
  train.batch_size = c->batch;
  train.patience = 0;
  train.clip = 0.0;
  train.threads = threads;
  recur_optimizer_spec_init (&train.optimizer, RECUR_OPTIMIZER_ADAM, 1e-3);
  trainer = recur_trainer_new (model, data, &train, error);
  if (trainer == NULL || !recur_trainer_run (trainer, NULL, log_epoch, &log, error))
    return FALSE;

  memset (result, 0, sizeof *result);
  result->windows = recur_dataset_get_n_train_windows (data);
  result->epochs = epochs;
  result->gates_kept = recur_train_keeps_gates (&spec, MIN (c->batch, result->windows));
  result->seconds_per_epoch = median (times + 1, epochs); /* epoch 1 warms up */
  result->train_windows_per_second = result->windows / result->seconds_per_epoch;
  result->train_gflops = 3.0 * fwd * result->train_windows_per_second / 1e9;
  /* a forecast needs none of the trainer's buffers: free them, as an app would, so that the
   * peak memory is that of training or of forecasting, not of both at once */
  g_clear_pointer (&trainer, recur_trainer_free);
  team = recur_team_new (threads);
  result->forecast_windows_per_second = time_forecast (model, data, c->batch, team);
  result->forecast_gflops = fwd * result->forecast_windows_per_second / 1e9;
  result->final_loss = log.last_loss;
  result->blas_threads = recur_blas_get_threads ();
  result->threads = threads;
  return TRUE;
}

double
recur_bench_sgemm_gflops (guint    n,
                          gboolean own)
{
  g_autofree float *a = g_new (float, (gsize) n * n);
  g_autofree float *b = g_new (float, (gsize) n * n);
  g_autofree float *c = g_new0 (float, (gsize) n * n);
  double best = INFINITY;

  if (own && !recur_gemm_available ())
    return 0.0;
  for (gsize i = 0; i < (gsize) n * n; i++)
    {
      a[i] = (float) (i % 7) * 0.1f;
      b[i] = (float) (i % 5) * 0.1f;
    }
  for (int rep = 0; rep < 5; rep++)
    {
      gint64 t0 = g_get_monotonic_time ();
      if (own)
        recur_gemm (FALSE, FALSE, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
      else
        recur_sgemm_openblas (FALSE, FALSE, (int) n, (int) n, (int) n, 1.0f, a, (int) n, b,
                              (int) n, 0.0f, c, (int) n);
      best = MIN (best, (g_get_monotonic_time () - t0) / 1e6);
    }
  return 2.0 * n * n * n / best / 1e9;
}

/* A daily series of n points from 2015-01-01: a random walk with a weekly pattern, the kind of
 * series (a price, a demand) the default is most often given; fixed seed. */
static RecurSeries *
auto_series (guint    n,
             GError **error)
{
  g_autoptr(GString) csv = g_string_new ("date,value\n");
  g_autoptr(GDate) date = g_date_new_dmy (1, G_DATE_JANUARY, 2015);
  RecurRng rng;
  double level = 100;

  recur_rng_init (&rng, 0);
  for (guint t = 0; t < n; t++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      level += 0.5 * recur_rng_normal (&rng);
      g_string_append_printf (csv, "%04u-%02u-%02u,%s\n", g_date_get_year (date),
                              g_date_get_month (date), g_date_get_day (date),
                              g_ascii_formatd (num, sizeof num, "%.4f",
                                               level + 3 * sin (2 * G_PI * t / 7.0)));
      g_date_add_days (date, 1);
    }
  return recur_series_load_csv_data (csv->str, csv->len, "auto-bench.csv", error);
}

/* One choice, timed; the chosen job's test forecast in forecast[horizon]. */
static gboolean
time_auto (guint         n_points,
           guint         horizon,
           guint         threads,
           double       *seconds,
           RecurAuto   **out,
           double       *forecast,
           GError      **error)
{
  g_autoptr(RecurSeries) series = auto_series (n_points, error);
  g_autoptr(RecurJob) job = NULL;
  RecurJobConfig base;
  RecurAuto *a;
  gint64 start;

  if (series == NULL)
    return FALSE;
  recur_job_config_init (&base);
  base.model.horizon = horizon;
  base.train.threads = threads;
  start = g_get_monotonic_time ();
  a = recur_auto_run (&base, NULL, g_steal_pointer (&series), NULL, NULL, NULL, error);
  *seconds = (g_get_monotonic_time () - start) / 1e6;
  recur_job_config_clear (&base);
  if (a == NULL)
    return FALSE;
  job = recur_auto_steal_job (a);
  memcpy (forecast, recur_job_get_evaluation (job)->forecast, horizon * sizeof (double));
  *out = a;
  return TRUE;
}

gboolean
recur_bench_auto (guint                 n_points,
                  guint                 horizon,
                  guint                 threads,
                  RecurBenchAutoResult *result,
                  GError              **error)
{
  g_autoptr(RecurAuto) one = NULL;
  g_autoptr(RecurAuto) all = NULL;
  g_autofree double *one_forecast = g_new (double, horizon);
  g_autofree double *all_forecast = g_new (double, horizon);

  memset (result, 0, sizeof *result);
  if (!time_auto (n_points, horizon, 1, &result->seconds_one_thread, &one, one_forecast, error)
      || !time_auto (n_points, horizon, threads, &result->seconds, &all, all_forecast, error))
    return FALSE;
  result->points = n_points;
  result->horizon = horizon;
  result->threads = threads;
  result->candidates = recur_auto_get_n_candidates (all);
  result->chosen = g_strdup (recur_auto_get_candidate (all, recur_auto_get_chosen (all))->name);
  result->same_result = recur_auto_get_chosen (one) == recur_auto_get_chosen (all)
                        && memcmp (one_forecast, all_forecast, horizon * sizeof (double)) == 0;
  return TRUE;
}

void
recur_bench_auto_result_clear (RecurBenchAutoResult *result)
{
  g_clear_pointer (&result->chosen, g_free);
}

/* One ensemble trained on a budget of `cores`, timed; its job in *out. */
static gboolean
time_ensemble (guint      n_points,
               guint      members,
               guint      epochs,
               guint      cores,
               double    *seconds,
               RecurJob **out,
               GError   **error)
{
  RecurSeries *series = auto_series (n_points, error);
  RecurJobConfig config;
  RecurJob *job;
  gint64 start;
  gboolean ok;

  if (series == NULL)
    return FALSE;
  recur_job_config_init (&config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_LSTM);
  config.train.epochs = epochs;
  config.train.patience = 0;
  config.train.threads = cores;
  config.ensemble = members;
  job = recur_job_new (&config, series, error);
  recur_job_config_clear (&config);
  if (job == NULL)
    return FALSE;
  recur_cores_set_total (cores);
  start = g_get_monotonic_time ();
  ok = recur_job_train (job, NULL, NULL, NULL, error);
  *seconds = (g_get_monotonic_time () - start) / 1e6;
  recur_cores_set_total (0);
  if (!ok)
    {
      recur_job_free (job);
      return FALSE;
    }
  *out = job;
  return TRUE;
}

/* Whether two trained jobs' members hold the same weights and forecast the same test part, bit
 * for bit. */
static gboolean
same_members (RecurJob *a,
              RecurJob *b)
{
  const RecurEvaluation *ea = recur_job_get_evaluation (a), *eb = recur_job_get_evaluation (b);

  if (recur_job_get_n_members (a) != recur_job_get_n_members (b))
    return FALSE;
  for (guint k = 0; k < recur_job_get_n_members (a); k++)
    {
      const RecurModel *ma = recur_job_get_members (a)[k], *mb = recur_job_get_members (b)[k];

      if (memcmp (recur_model_peek_params (ma), recur_model_peek_params (mb),
                  recur_model_get_n_params (ma) * sizeof (float)) != 0)
        return FALSE;
    }
  return memcmp (ea->forecast, eb->forecast, ea->n_test * sizeof (double)) == 0;
}

gboolean
recur_bench_ensemble (guint                     n_points,
                      guint                     members,
                      guint                     epochs,
                      guint                     threads,
                      RecurBenchEnsembleResult *result,
                      GError                  **error)
{
  g_autoptr(RecurJob) one = NULL;
  g_autoptr(RecurJob) all = NULL;

  memset (result, 0, sizeof *result);
  if (!time_ensemble (n_points, members, epochs, 1, &result->seconds_one_thread, &one, error)
      || !time_ensemble (n_points, members, epochs, threads, &result->seconds, &all, error))
    return FALSE;
  result->points = n_points;
  result->members = members;
  result->epochs = epochs;
  result->threads = threads;
  result->same_result = same_members (one, all);
  return TRUE;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

gboolean
recur_bench_latency (guint                     calls,
                     RecurBenchLatencyResult  *result,
                     GError                  **error)
{
  enum { BLOCKS = 5, HORIZON = 12 };
  g_autoptr(RecurSeries) series = auto_series (200, error);
  g_autoptr(RecurDataset) data = NULL;
  g_autoptr(RecurModel) model = NULL;
  RecurModelSpec spec;
  RecurSplitSpec split;
  RecurRng rng;
  double block[BLOCKS], out[HORIZON];
  const double *values;
  guint n;

  if (series == NULL)
    return FALSE;
  recur_model_spec_init_for_cell (&spec, RECUR_CELL_LSTM);
  spec.window = 24;
  spec.horizon = HORIZON;
  split = (RecurSplitSpec) { .window = spec.window, .horizon = spec.horizon,
                             .output_size = spec.horizon, .val_fraction = 0.1,
                             .transform = { .scaler = RECUR_SCALER_ZSCORE,
                                            .window_norm = RECUR_WINDOW_NORM_MEAN } };
  {
    guint column;
    g_autofree double *filled = NULL;

    if (!recur_series_find_column (series, NULL, &column, error)
        || !(filled = recur_series_fill_missing (series, column, RECUR_MISSING_INTERPOLATE,
                                                 error))
        || !(data = recur_dataset_new (filled, recur_series_get_n_rows (series), &split,
                                       "latency", error)))
      return FALSE;
  }
  if (!(model = recur_model_new (&spec, error)))
    return FALSE;
  recur_rng_init (&rng, 42);
  recur_model_init_weights (model, &rng);
  values = recur_dataset_get_values (data);
  n = recur_dataset_get_n_points (data);
  /* warm-up: caches, page faults, OpenBLAS's first call */
  for (guint i = 0; i < 100; i++)
    if (!recur_forecast (model, recur_dataset_get_transform (data), values, n, NULL, spec.horizon,
                         out, error))
      return FALSE;
  for (guint b = 0; b < BLOCKS; b++)
    {
      gint64 start = g_get_monotonic_time ();

      for (guint i = 0; i < calls; i++)
        recur_forecast (model, recur_dataset_get_transform (data), values, n, NULL, spec.horizon,
                        out, NULL);
      block[b] = (g_get_monotonic_time () - start) / (double) calls;
    }
  qsort (block, BLOCKS, sizeof (double), compare_doubles);
  *result = (RecurBenchLatencyResult) {
    .window = spec.window, .horizon = spec.horizon, .hidden = spec.hidden_size, .calls = calls,
    .microseconds = block[BLOCKS / 2], .microseconds_best = block[0],
  };
  return TRUE;
}

/* Run i of the sweep's grid: hidden 16 or 32, a learning rate of four from 1e-3 to 1e-2, and
 * the seed 42 + i / 8. */
static void
sweep_point_config (guint           i,
                    guint           epochs,
                    RecurJobConfig *config)
{
  recur_job_config_init (config);
  recur_model_spec_init_for_cell (&config->model, RECUR_CELL_LSTM);
  config->model.hidden_size = i % 2 ? 32 : 16;
  config->train.optimizer.lr = 1e-3 * pow (10, (i / 2 % 4) / 3.0);
  config->train.seed = 42 + i / 8;
  config->train.epochs = epochs;
  config->train.patience = 0;
  config->train.threads = 1;
}

/* The sweep's runs on a pool of `jobs` workers and a budget of `jobs` cores, as `recur sweep
 * --jobs` trains them, timed from the first start to the last end; the runs in *out. */
static gboolean
time_sweep (guint       n_points,
            guint       n_runs,
            guint       epochs,
            guint       jobs,
            double     *seconds,
            GPtrArray **out,
            GError    **error)
{
  g_autoptr(RecurSeries) series = auto_series (n_points, error);
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  g_autofree const RecurJobConfig **configs = g_new (const RecurJobConfig *, n_runs);
  g_autofree guint *order = g_new (guint, n_runs);
  GThreadPool *pool;
  gint64 start;

  if (series == NULL)
    return FALSE;
  for (guint i = 0; i < n_runs; i++)
    {
      g_autofree char *name = g_strdup_printf ("sweep %u", i + 1);
      RecurJobConfig config;
      RecurRun *run;

      sweep_point_config (i, epochs, &config);
      run = recur_run_new (name, &config, series, error);
      recur_job_config_clear (&config);
      if (run == NULL)
        return FALSE;
      g_ptr_array_add (runs, run);
      configs[i] = recur_job_get_config (recur_run_get_job (run));
    }
  /* in the order recur sweep starts them */
  recur_sweep_order_by_cost (configs, n_runs, order);
  recur_cores_set_total (jobs);
  pool = recur_run_pool_new (jobs);
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n_runs; i++)
    recur_run_start (g_ptr_array_index (runs, order[i]), pool);
  for (guint i = 0; i < n_runs; i++)
    while (recur_run_is_active (g_ptr_array_index (runs, i)))
      g_main_context_iteration (NULL, TRUE);
  *seconds = (g_get_monotonic_time () - start) / 1e6;
  recur_run_pool_free (pool);
  recur_cores_set_total (0);
  for (guint i = 0; i < n_runs; i++)
    {
      RecurRun *run = g_ptr_array_index (runs, i);

      if (recur_run_get_status (run) != RECUR_RUN_FINISHED)
        {
          g_set_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_DIVERGED,
                       _("%s: run %u did not finish: %s"), RECUR_BENCH_SWEEP_NAME, i + 1,
                       recur_run_get_error (run) ? recur_run_get_error (run)->message : "");
          return FALSE;
        }
    }
  *out = g_steal_pointer (&runs);
  return TRUE;
}

gboolean
recur_bench_sweep (guint                  n_points,
                   guint                  n_runs,
                   guint                  epochs,
                   guint                  threads,
                   RecurBenchSweepResult *result,
                   GError               **error)
{
  g_autoptr(GPtrArray) one = NULL;
  g_autoptr(GPtrArray) all = NULL;

  memset (result, 0, sizeof *result);
  if (!time_sweep (n_points, n_runs, epochs, 1, &result->seconds_one_thread, &one, error)
      || !time_sweep (n_points, n_runs, epochs, threads, &result->seconds, &all, error))
    return FALSE;
  result->points = n_points;
  result->runs = n_runs;
  result->epochs = epochs;
  result->threads = threads;
  result->same_result = TRUE;
  for (guint i = 0; i < n_runs; i++)
    result->same_result = result->same_result
                          && same_members (recur_run_get_job (g_ptr_array_index (one, i)),
                                           recur_run_get_job (g_ptr_array_index (all, i)));
  return TRUE;
}
