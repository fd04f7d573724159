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

G_END_DECLS
