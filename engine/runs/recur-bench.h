/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-model.h"

G_BEGIN_DECLS

/* The standard shapes `recur bench` times, the same as tests/bench/compare-pytorch trains in
 * PyTorch: a synthetic series (two sines plus noise, fixed seed, 4,096 points), horizon 1,
 * Adam at 1e-3, MSE, shuffled minibatches. */
typedef struct
{
  const char   *name;     /* "small-lstm", … */
  RecurCellKind cell;
  guint         hidden;
  guint         layers;
  guint         window;
  guint         batch;
  guint         windows;  /* training windows per epoch */
} RecurBenchConfig;

const RecurBenchConfig *recur_bench_configs     (guint               *n_configs);
const RecurBenchConfig *recur_bench_find_config (const char          *name);

typedef struct
{
  guint  windows;
  guint  epochs;                    /* timed, after one warm-up epoch */
  double seconds_per_epoch;         /* median */
  double train_windows_per_second;
  double train_gflops;              /* matmul FLOPs: 3 × forward */
  double forecast_windows_per_second; /* inference over all windows in minibatches */
  double forecast_gflops;
  double final_loss;
  gboolean gates_kept;              /* training kept every step's gates (recur_train_keeps_gates) */
  guint  threads;                   /* running a minibatch's shards, and forecasting */
  guint  blas_threads;
} RecurBenchResult;

/* Matmul FLOPs of one window's forward pass: Σ_layers T · 2 · (G·H) · (I + H), the same model
 * as the PyTorch reference (the head is left out). */
double   recur_bench_forward_flops (const RecurBenchConfig *config);

/* Trains the configuration for 1 + epochs epochs and times it, then its forecasts: on the
 * calling thread and threads − 1 more (BLAS as the caller configured it). */
gboolean recur_bench_run           (const RecurBenchConfig *config,
                                    guint                   epochs,
                                    guint                   threads,
                                    RecurBenchResult       *result,
                                    GError                **error);

/* GFLOP/s of a square n × n × n sgemm (best of a few): OpenBLAS's with the current BLAS
 * threads, or with own Recur's single-threaded kernel (0 where the CPU has none). */
double   recur_bench_sgemm_gflops  (guint                   n,
                                    gboolean                own);

/* The default of `recur train` (Auto: every candidate, then the chosen one trained again) on a
 * synthetic daily series of n_points (a random walk with a weekly pattern), timed on one thread
 * and on `threads`. */
typedef struct
{
  guint   points;
  guint   horizon;
  guint   threads;
  guint   candidates;
  char   *chosen;             /* the chosen candidate's name */
  double  seconds;            /* on `threads` threads */
  double  seconds_one_thread;
  gboolean same_result;       /* the same choice and test forecast, bit for bit, on both */
} RecurBenchAutoResult;

#define RECUR_BENCH_AUTO_NAME "auto-2000"
#define RECUR_BENCH_AUTO_POINTS 2000
#define RECUR_BENCH_AUTO_HORIZON 30

gboolean recur_bench_auto              (guint                 n_points,
                                        guint                 horizon,
                                        guint                 threads,
                                        RecurBenchAutoResult *result,
                                        GError              **error);
void     recur_bench_auto_result_clear (RecurBenchAutoResult *result);

/* Many small runs at once: an ensemble of `members` small LSTMs (the defaults: 32 units, window
 * 24, horizon 12; a fixed number of epochs) on the same kind of daily series of n_points, timed
 * with a budget of one core and of `threads` (recur-cores.h), its members compared bit for bit. */
typedef struct
{
  guint    points;
  guint    members;
  guint    epochs;
  guint    threads;
  double   seconds;            /* on `threads` cores */
  double   seconds_one_thread;
  gboolean same_result;        /* every member's weights and the forecast, bit for bit */
} RecurBenchEnsembleResult;

#define RECUR_BENCH_ENSEMBLE_NAME "ensemble-8"
#define RECUR_BENCH_ENSEMBLE_POINTS 500
#define RECUR_BENCH_ENSEMBLE_MEMBERS 8
#define RECUR_BENCH_ENSEMBLE_EPOCHS 20

gboolean recur_bench_ensemble          (guint                     n_points,
                                        guint                     members,
                                        guint                     epochs,
                                        guint                     threads,
                                        RecurBenchEnsembleResult *result,
                                        GError                  **error);

/* Many runs at once, as `recur sweep` trains them: n_runs small LSTM runs of a grid (hidden
 * 16 or 32 × four learning rates from 1e-3 to 1e-2 × seeds 42, 43, …; a fixed number of epochs)
 * on the daily series of n_points, each a RecurRun on a pool of `jobs` workers with a core
 * budget of `jobs` — timed with 1 and with `threads`, each run compared bit for bit. */
typedef struct
{
  guint    points;
  guint    runs;
  guint    epochs;
  guint    threads;
  double   seconds;            /* `threads` runs at once */
  double   seconds_one_thread; /* one after another */
  gboolean same_result;        /* every run's weights and test forecast, bit for bit */
} RecurBenchSweepResult;

#define RECUR_BENCH_SWEEP_NAME "sweep-16"
#define RECUR_BENCH_SWEEP_POINTS 500
#define RECUR_BENCH_SWEEP_RUNS 16
#define RECUR_BENCH_SWEEP_EPOCHS 20

gboolean recur_bench_sweep             (guint                     n_points,
                                        guint                     n_runs,
                                        guint                     epochs,
                                        guint                     threads,
                                        RecurBenchSweepResult    *result,
                                        GError                  **error);

/* The serving case: the time to forecast `horizon` steps from one window with a small LSTM (32
 * units, window 24, direct; random weights), through recur_forecast as `recur forecast` and the
 * window call it (transform, forward pass, inverse), `calls` times in a row, after a warm-up; the
 * median and the best of five such blocks, per call. */
typedef struct
{
  guint  window;
  guint  horizon;
  guint  hidden;
  guint  calls;
  double microseconds;       /* median block's, per call */
  double microseconds_best;
} RecurBenchLatencyResult;

#define RECUR_BENCH_LATENCY_NAME "latency"
#define RECUR_BENCH_LATENCY_CALLS 20000

gboolean recur_bench_latency           (guint                     calls,
                                        RecurBenchLatencyResult  *result,
                                        GError                  **error);

G_END_DECLS
