/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Runs on the worker pool, as the app drives them: progress through the mailbox on the main
 * loop, stop, failure, and results independent of what runs beside. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "recur-cores.h"
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
  recur_run_pool_free (pool);
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
  recur_run_pool_free (pool);
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
  recur_run_pool_free (pool);
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

static int
thread_nice (void)
{
  return getpriority (PRIO_PROCESS, (id_t) syscall (SYS_gettid));
}

/* The nice value of the thread each epoch ended on (the run's worker). */
static void
record_nice (const RecurEpoch *epoch,
             gpointer          data)
{
  g_atomic_int_set ((gint *) data, thread_nice ());
}

static gpointer
report_nice (gpointer data)
{
  return GINT_TO_POINTER (thread_nice () + 100);
}

static gpointer
yield_then_start (gpointer data)
{
  GThread *child;

  recur_cores_yield_to_interactive ();
  *(int *) data = thread_nice ();
  child = g_thread_new ("child", report_nice, NULL);
  return g_thread_join (child);
}

/* The window's pool trains at a lower priority than the main loop (nice 10 above the
 * process's, up to 19), and the threads its training starts (an ensemble's members, a
 * minibatch's shards) inherit it; another pool's training keeps the process's, also on the
 * threads GLib reuses; the numbers are the same. */
static void
test_window_workers_yield (void)
{
  g_autoptr(RecurSeries) series = sine_series ();
  int process = getpriority (PRIO_PROCESS, (id_t) getpid ());
  int want = MIN (process + 10, 19), nice_in_thread = -100, nice_in_child;
  gint nice_of[2] = { -100, -100 };
  GBytes *params[2] = { NULL, NULL };

  nice_in_child = GPOINTER_TO_INT (g_thread_join (g_thread_new ("yield", yield_then_start,
                                                                &nice_in_thread))) - 100;
  g_assert_cmpint (nice_in_thread, ==, want);
  g_assert_cmpint (nice_in_child, ==, want);
  g_assert_cmpint (thread_nice (), ==, process); /* the caller's own is left alone */

  /* the window's pool first: GLib hands its idle threads to the next pool, which must find
   * them at the process's priority (only the threads the training runs on are lowered) */
  for (gint background = 1; background >= 0; background--)
    {
      GThreadPool *pool = background ? recur_run_pool_new_background (1) : recur_run_pool_new (1);
      g_autoptr(RecurRun) run = NULL;
      g_autoptr(GError) error = NULL;
      RecurJobConfig config;

      config_for (&config, RECUR_CELL_GRU, 4, 3);
      run = recur_run_new ("nice", &config, series, &error);
      g_assert_no_error (error);
      recur_job_config_clear (&config);
      recur_run_set_epoch_func (run, 1, record_nice, &nice_of[background], NULL);
      recur_run_start (run, pool);
      while (recur_run_is_active (run))
        g_main_context_iteration (NULL, TRUE);
      recur_run_set_epoch_func (run, 1, NULL, NULL, NULL);
      recur_run_pool_free (pool);
      g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
      params[background] = params_of (run);
    }
  g_assert_cmpint (nice_of[0], ==, process);
  g_assert_cmpint (nice_of[1], ==, want);
  g_assert_true (g_bytes_equal (params[0], params[1]));
  g_bytes_unref (params[0]);
  g_bytes_unref (params[1]);
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
  recur_run_pool_free (pool);
}

/* ---- names, restored runs, epochs handed on ---------------------------------------------- */

/* What the list shows and what a project file stores, for every status; ids read back, others
 * refused. */
static void
test_status_names (void)
{
  static const char *const shown[] = { "Queued", "Training", "Stopped", "Finished", "Failed",
                                       "Interrupted", "Damaged" };
  static const char *const ids[] = { "queued", "training", "stopped", "finished", "failed",
                                     "interrupted", "damaged" };
  RecurRunStatus status = RECUR_RUN_FAILED;

  for (RecurRunStatus i = RECUR_RUN_QUEUED; i <= RECUR_RUN_DAMAGED; i++)
    {
      g_assert_cmpstr (recur_run_status_to_string (i), ==, shown[i]);
      g_assert_cmpstr (recur_run_status_to_id (i), ==, ids[i]);
      g_assert_true (recur_run_status_from_id (ids[i], &status));
      g_assert_cmpint (status, ==, i);
    }
  g_assert_false (recur_run_status_from_id ("running", &status));
  g_assert_false (recur_run_status_from_id (NULL, &status));
  g_assert_cmpint (status, ==, RECUR_RUN_DAMAGED);
}

static void
on_progress_count (RecurRun *run,
                   gpointer  data)
{
  (*(guint *) data)++;
}

/* A run read back from a project: its history as stored (the best epoch by validation loss, or
 * by training loss where an epoch had none), its message as the error of a failed run, no
 * estimate of time left, its name changed with one "progress"; it cannot resume (its optimiser's
 * state is gone). Weights of another shape are not loaded: the run is then not scored and has
 * no snapshot until the hidden-state window asks for one. */
static void
test_restored_runs (void)
{
  g_autoptr(RecurSeries) series = sine_series ();
  GThreadPool *pool = recur_run_pool_new (1);
  RecurJobConfig config;
  const double train[] = { 0.9, 0.5, 0.4, 0.45 };
  const double val[] = { 0.8, 0.6, NAN, 0.7 };
  const double lr[] = { 0.01, 0.01, 0.005, 0.005 };
  RecurModelSpec other;
  g_autoptr(RecurModel) wrong = NULL;
  g_autoptr(RecurRun) failed = NULL, stopped = NULL, empty = NULL;
  g_autoptr(GError) error = NULL;
  RecurStatesSnapshot *states;
  guint progress = 0;

  config_for (&config, RECUR_CELL_GRU, 10, 1);
  failed = recur_run_new_restored ("failed", &config, series, NULL, 0, 4, train, val, lr,
                                   RECUR_RUN_FAILED, "training diverged at epoch 5", &error);
  g_assert_no_error (error);
  g_assert_cmpint (recur_run_get_status (failed), ==, RECUR_RUN_FAILED);
  g_assert_error (recur_run_get_error (failed), RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_DIVERGED);
  g_assert_cmpstr (recur_run_get_error (failed)->message, ==, "training diverged at epoch 5");
  g_assert_cmpuint (recur_run_get_n_epochs (failed), ==, 4);
  g_assert_cmpuint (recur_run_get_last_progress (failed)->epoch, ==, 4);
  g_assert_cmpuint (recur_run_get_last_progress (failed)->epochs, ==, 10);
  g_assert_cmpuint (recur_run_get_last_progress (failed)->best_epoch, ==, 3); /* 0.4, no validation */
  g_assert_cmpfloat (recur_run_get_last_progress (failed)->best_loss, ==, 0.4);
  g_assert_cmpfloat (recur_run_get_last_progress (failed)->train_loss, ==, 0.45);
  g_assert_cmpfloat (recur_run_get_last_progress (failed)->val_loss, ==, 0.7);
  g_assert_cmpfloat (recur_run_get_lr (failed)[2], ==, 0.005);
  g_assert_true (isnan (recur_run_get_grad_norm (failed)[0]));
  g_assert_true (isnan (recur_run_get_eta (failed)));
  g_assert_false (recur_run_can_resume (failed));
  g_signal_connect (failed, "progress", G_CALLBACK (on_progress_count), &progress);
  recur_run_set_name (failed, "renamed");
  recur_run_set_name (failed, "renamed");
  g_assert_cmpstr (recur_run_get_name (failed), ==, "renamed");
  g_assert_cmpuint (progress, ==, 1);

  recur_model_spec_init (&other);
  other.hidden_size = 3;
  wrong = recur_model_new (&other, NULL);
  stopped = recur_run_new_restored ("stopped", &config, series, &wrong, 1, 2, train, val, lr,
                                    RECUR_RUN_STOPPED, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (recur_run_get_error (stopped));
  g_assert_null (recur_job_get_evaluation (recur_run_get_job (stopped)));
  g_assert_null (recur_run_get_states (stopped));
  g_assert_null (recur_run_get_predictions (stopped));
  g_assert_cmpuint (recur_run_get_last_progress (stopped)->best_epoch, ==, 2);
  g_assert_false (recur_run_can_resume (stopped));
  g_assert_false (recur_run_resume (stopped, pool));
  g_assert_cmpint (recur_run_get_status (stopped), ==, RECUR_RUN_STOPPED);
  recur_run_set_states_window (stopped, 100000); /* past the end: the last window */
  states = recur_run_get_states (stopped);
  g_assert_nonnull (states);
  g_assert_cmpuint (states->start, ==, 400 - 16);
  g_assert_cmpuint (states->epoch, ==, 0);
  g_assert_null (states->grad_flow);
  recur_run_set_states_window (stopped, 7);
  g_assert_cmpuint (recur_run_get_states (stopped)->start, ==, 7);

  empty = recur_run_new_restored ("empty", &config, series, NULL, 0, 0, NULL, NULL, NULL,
                                  RECUR_RUN_INTERRUPTED, "ignored", &error);
  g_assert_no_error (error);
  g_assert_null (recur_run_get_error (empty)); /* a message is a failed run's only */
  g_assert_cmpuint (recur_run_get_n_epochs (empty), ==, 0);
  g_assert_cmpuint (recur_run_get_last_progress (empty)->best_epoch, ==, 0);
  g_assert_cmpfloat (recur_run_get_last_progress (empty)->best_loss, ==, INFINITY);

  config.model.hidden_size = 0;
  g_assert_null (recur_run_new_restored ("bad", &config, series, NULL, 0, 0, NULL, NULL, NULL,
                                         RECUR_RUN_FINISHED, NULL, &error));
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "hidden size 0"));
  recur_job_config_clear (&config);
  recur_run_pool_free (pool);
}

typedef struct
{
  GMutex lock;
  GArray *epochs; /* RecurEpoch */
  guint done;     /* times its destroy notify was called */
} EpochLog;

static void
on_log_done (gpointer data)
{
  ((EpochLog *) data)->done++;
}

static void
log_epoch (const RecurEpoch *epoch,
           gpointer          data)
{
  EpochLog *log = data;

  g_mutex_lock (&log->lock);
  g_array_append_vals (log->epochs, epoch, 1);
  g_mutex_unlock (&log->lock);
}

static guint
logged (EpochLog *log)
{
  guint n;

  g_mutex_lock (&log->lock);
  n = log->epochs->len;
  g_mutex_unlock (&log->lock);
  return n;
}

/* An epoch func set while every epoch still waits in the mailbox (the main loop has not run)
 * is handed them from `from` on, once each and in order, with the numbers the worker's func saw;
 * the main thread's history then holds them all, and a func set after that is handed them from
 * there. */
static void
test_epoch_func_from_the_mailbox (void)
{
  enum { EPOCHS = 6 };
  g_autoptr(RecurSeries) series = sine_series ();
  GThreadPool *pool = recur_run_pool_new (1);
  Counts counts = { 0 };
  g_autoptr(RecurRun) run = new_run (series, RECUR_CELL_RNN_TANH, EPOCHS, 2, &counts);
  EpochLog first = { { 0 }, g_array_new (FALSE, FALSE, sizeof (RecurEpoch)) };
  EpochLog later = { { 0 }, g_array_new (FALSE, FALSE, sizeof (RecurEpoch)) };
  EpochLog history = { { 0 }, g_array_new (FALSE, FALSE, sizeof (RecurEpoch)) };
  gint64 deadline = g_get_monotonic_time () + 120 * G_USEC_PER_SEC;

  g_mutex_init (&first.lock);
  g_mutex_init (&later.lock);
  g_mutex_init (&history.lock);
  recur_run_set_epoch_func (run, 1, log_epoch, &first, NULL);
  recur_run_start (run, pool);
  while (logged (&first) < EPOCHS)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (1000);
    }
  g_assert_cmpuint (recur_run_get_n_epochs (run), ==, 0); /* nothing drained yet */
  recur_run_set_epoch_func (run, 3, log_epoch, &later, NULL);
  g_assert_cmpuint (later.epochs->len, ==, EPOCHS - 2);
  for (guint i = 0; i < later.epochs->len; i++)
    {
      const RecurEpoch *a = &g_array_index (later.epochs, RecurEpoch, i);
      const RecurEpoch *b = &g_array_index (first.epochs, RecurEpoch, i + 2);
      g_assert_cmpuint (a->epoch, ==, i + 3);
      g_assert_cmpuint (b->epoch, ==, i + 3);
      g_assert_cmpfloat (a->train_loss, ==, b->train_loss);
      g_assert_cmpfloat (a->val_loss, ==, b->val_loss);
      g_assert_cmpfloat (a->lr, ==, b->lr);
      g_assert_cmpfloat (a->grad_norm, ==, b->grad_norm);
      g_assert_cmpfloat (a->seconds, ==, b->seconds);
    }
  wait_all (&run, 1);
  g_assert_cmpuint (recur_run_get_n_epochs (run), ==, EPOCHS);
  g_assert_cmpuint (logged (&first), ==, EPOCHS);
  g_assert_cmpuint (logged (&later), ==, EPOCHS - 2);
  for (guint i = 0; i < EPOCHS; i++)
    {
      const RecurEpoch *b = &g_array_index (first.epochs, RecurEpoch, i);
      g_assert_cmpfloat (recur_run_get_train_loss (run)[i], ==, b->train_loss);
      g_assert_cmpfloat (recur_run_get_val_loss (run)[i], ==, b->val_loss);
      g_assert_cmpfloat (recur_run_get_lr (run)[i], ==, b->lr);
      g_assert_cmpfloat (recur_run_get_grad_norm (run)[i], ==, b->grad_norm);
      g_assert_cmpfloat (recur_run_get_seconds (run)[i], ==, b->seconds);
    }

  /* once drained, from the main thread's history; the func it replaces is let go of */
  recur_run_set_epoch_func (run, 5, log_epoch, &history, on_log_done);
  g_assert_cmpuint (history.epochs->len, ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      const RecurEpoch *a = &g_array_index (history.epochs, RecurEpoch, i);
      const RecurEpoch *b = &g_array_index (first.epochs, RecurEpoch, i + 4);
      g_assert_cmpuint (a->epoch, ==, i + 5);
      g_assert_cmpfloat (a->train_loss, ==, b->train_loss);
      g_assert_cmpfloat (a->val_loss, ==, b->val_loss);
      g_assert_cmpfloat (a->lr, ==, b->lr);
      g_assert_cmpfloat (a->grad_norm, ==, b->grad_norm);
      g_assert_cmpfloat (a->seconds, ==, b->seconds);
    }
  recur_run_set_epoch_func (run, EPOCHS + 1, log_epoch, &later, NULL);
  g_assert_cmpuint (history.done, ==, 1);
  g_assert_cmpuint (logged (&later), ==, EPOCHS - 2); /* nothing past the last epoch */
  recur_run_set_epoch_func (run, 0, NULL, NULL, NULL);
  recur_run_pool_free (pool);
  g_array_unref (first.epochs);
  g_array_unref (later.epochs);
  g_array_unref (history.epochs);
  g_mutex_clear (&first.lock);
  g_mutex_clear (&later.lock);
  g_mutex_clear (&history.lock);
}

/* A bidirectional network's states: both directions' units, forward ones first, each ending
 * where its direction ends (the forward one at the last step, the reverse one at the first). */
static void
test_states_of_a_bidirectional_model (void)
{
  RecurSplitSpec split = { .window = 8, .horizon = 2, .output_size = 2, .val_fraction = 0.1,
                           .transform.scaler = RECUR_SCALER_ZSCORE };
  g_autoptr(RecurDataset) data = NULL;
  g_autoptr(RecurModel) model = NULL;
  g_autoptr(RecurWorkspace) ws = NULL;
  RecurStatesSnapshot *states;
  RecurModelSpec spec;
  double v[60];
  float input[8], out[2], h_fwd[5], h_rev[5];
  const float *h;
  guint start = 11;
  RecurRng rng;

  for (guint i = 0; i < 60; i++)
    v[i] = sin (i / 3.0);
  data = recur_dataset_new (v, 60, &split, "sine", NULL);
  recur_model_spec_init (&spec);
  spec.cell = RECUR_CELL_GRU;
  spec.hidden_size = 5;
  spec.window = 8;
  spec.horizon = 2;
  spec.bidirectional = TRUE;
  model = recur_model_new (&spec, NULL);
  recur_rng_init (&rng, 5);
  recur_model_init_weights (model, &rng);
  ws = recur_workspace_new (model, 1);
  states = recur_states_snapshot_new (model, ws, data, start, NULL, 4);
  g_assert_cmpuint (states->units, ==, 10);
  g_assert_cmpuint (states->window, ==, 8);
  g_assert_cmpuint (states->epoch, ==, 4);
  g_assert_null (states->grad_flow);

  recur_dataset_gather (data, &start, 1, input, NULL);
  recur_model_forward (model, ws, 1, input, FALSE, NULL, out);
  recur_workspace_get_h_n (ws, 0, 0, h_fwd);
  recur_workspace_get_h_n (ws, 0, 1, h_rev);
  h = recur_states_snapshot_get (states, 0, RECUR_STATE_HIDDEN);
  for (guint j = 0; j < 5; j++)
    {
      g_assert_cmpfloat (h[j * 8 + 7], ==, h_fwd[j]);
      g_assert_cmpfloat (h[(5 + j) * 8 + 0], ==, h_rev[j]);
    }
  g_assert_nonnull (recur_states_snapshot_get (states, 0, RECUR_STATE_GATE_Z));
  g_assert_null (recur_states_snapshot_get (states, 0, RECUR_STATE_CELL));
  recur_states_snapshot_unref (states);
}

/* ---- let go of on the main thread --------------------------------------------------------- */

typedef struct
{
  GThread *main;
  int finalized;   /* atomic: a run finalized on a worker counts from there */
  int elsewhere;
} Goodbyes;

static void
on_run_finalized (gpointer  data,
                  GObject  *where_the_run_was)
{
  Goodbyes *g = data;

  if (g_thread_self () != g->main)
    g_atomic_int_inc (&g->elsewhere);
  g_atomic_int_inc (&g->finalized);
}

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static void
drop_run (RecurRun *run,
          gpointer  data)
{
  g_object_unref (run);
}

/* A run is a main-thread object: however its worker's last steps interleave with the main
 * thread, its last reference goes on the main thread, even when the main thread lets go of its
 * own as soon as the run has finished. (The worker used to drop the last one now and then,
 * through the GTask that held the run, and finalize the run on the worker thread.) */
static void
test_let_go_on_the_main_thread (void)
{
  enum { N_RUNS = 60 };
  g_autoptr(RecurSeries) series = sine_series ();
  GThreadPool *pool = recur_run_pool_new (3);
  Goodbyes goodbyes = { g_thread_self (), 0, 0 };
  gint64 deadline = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  guint tick;

  for (guint i = 0; i < N_RUNS; i++)
    {
      RecurJobConfig config;
      g_autoptr(GError) error = NULL;
      RecurRun *run;

      config_for (&config, RECUR_CELL_RNN_TANH, 1, i);
      config.model.hidden_size = 2;
      run = recur_run_new ("short", &config, series, &error);
      g_assert_no_error (error);
      recur_job_config_clear (&config);
      g_object_weak_ref (G_OBJECT (run), on_run_finalized, &goodbyes);
      g_signal_connect (run, "finished", G_CALLBACK (drop_run), NULL);
      recur_run_start (run, pool);
    }
  tick = g_timeout_add (50, wake, NULL); /* a run finalized elsewhere wakes nothing */
  while (g_atomic_int_get (&goodbyes.finalized) < N_RUNS)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_source_remove (tick);
  recur_run_pool_free (pool);
  g_assert_cmpint (g_atomic_int_get (&goodbyes.elsewhere), ==, 0);
}

/* The most members of an ensemble training at once, seen at its progress signals. */
typedef struct
{
  RecurRun *other;          /* while it trains, the ensemble may not use a second core */
  guint     most_training;
  guint     most_beside_other;
} MembersWatch;

static void
on_ensemble_progress (RecurRun *run,
                      gpointer  data)
{
  MembersWatch *w = data;
  guint ended, training;

  recur_run_count_members (run, &ended, &training);
  w->most_training = MAX (w->most_training, training);
  if (w->other && recur_run_get_status (w->other) == RECUR_RUN_TRAINING)
    w->most_beside_other = MAX (w->most_beside_other, training);
}

static RecurRun *
new_ensemble_run (RecurSeries  *series,
                  MembersWatch *watch)
{
  RecurJobConfig config;
  g_autoptr(GError) error = NULL;
  RecurRun *run;

  config_for (&config, RECUR_CELL_GRU, 200, 5);
  config.ensemble = 3;
  run = recur_run_new ("ensemble", &config, series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  g_signal_connect (run, "progress", G_CALLBACK (on_ensemble_progress), watch);
  return run;
}

/* On a process of two cores, an ensemble's members train two at once when the ensemble runs
 * alone, and one at a time while another run trains beside it (which holds the second core);
 * its members' numbers are the same either way, and every member ends. */
static void
test_ensembles_share_the_cores (void)
{
  g_autoptr(RecurSeries) series = sine_series ();
  GThreadPool *pool = recur_run_pool_new (2);
  Counts counts = { 0 };
  MembersWatch alone_watch = { 0 }, beside_watch = { 0 };
  g_autoptr(RecurRun) alone = NULL;
  g_autoptr(RecurRun) beside = NULL;
  g_autoptr(RecurRun) other = NULL;
  const RecurEvaluation *ea, *eb;
  guint ended, training;

  recur_cores_set_total (2);
  alone = new_ensemble_run (series, &alone_watch);
  recur_run_start (alone, pool);
  wait_all (&alone, 1);
  g_assert_cmpuint (alone_watch.most_training, ==, 2);
  /* the other members' loss curves: every epoch, their best the one their training kept */
  for (guint k = 0; k < 3; k++)
    {
      const RecurTrainSummary *summary = recur_job_get_member_summary (recur_run_get_job (alone), k);
      const double *train, *val;
      guint n = recur_run_get_member_losses (alone, k, &train, &val);
      double best = INFINITY;

      if (k == 0)
        {
          g_assert_cmpuint (n, ==, 0); /* the run's own */
          continue;
        }
      g_assert_cmpuint (n, ==, summary->epochs_run);
      for (guint i = 0; i < n; i++)
        {
          g_assert_true (isfinite (train[i]) && isfinite (val[i]));
          best = MIN (best, val[i]);
        }
      g_assert_cmpfloat (best, ==, summary->best_loss);
    }

  other = new_run (series, RECUR_CELL_LSTM, 1000000, 1, &counts);
  recur_run_start (other, pool);
  while (recur_run_get_n_epochs (other) < 1)
    g_main_context_iteration (NULL, TRUE);
  beside_watch.other = other;
  beside = new_ensemble_run (series, &beside_watch);
  recur_run_start (beside, pool);
  wait_all (&beside, 1);
  g_assert_cmpint (recur_run_get_status (other), ==, RECUR_RUN_TRAINING);
  recur_run_stop (other);
  wait_all (&other, 1);
  g_assert_cmpuint (beside_watch.most_beside_other, ==, 1);

  g_assert_cmpuint (recur_run_count_members (beside, &ended, &training), ==, 3);
  g_assert_cmpuint (ended, ==, 3);
  g_assert_cmpuint (training, ==, 0);
  g_assert_cmpfloat (recur_run_get_fraction_done (beside), ==, 1.0);
  ea = recur_job_get_evaluation (recur_run_get_job (alone));
  eb = recur_job_get_evaluation (recur_run_get_job (beside));
  g_assert_cmpuint (eb->n_members, ==, 3);
  g_assert_cmpmem (ea->member_forecast, 3 * ea->n_test * sizeof (double),
                   eb->member_forecast, 3 * eb->n_test * sizeof (double));
  recur_run_pool_free (pool);
  recur_cores_set_total (0);
}

/* ---- as the window drives them ------------------------------------------------------------ */

/* What the window's views do on each "progress": keep the latest snapshots and read them. */
typedef struct
{
  RecurStatesSnapshot *states;
  RecurPredictionSnapshot *predictions;
  double sum;   /* read from every state and prediction, so that each is really read */
  guint seen;
} View;

static void
on_progress_view (RecurRun *run,
                  gpointer  data)
{
  View *view = data;
  RecurStatesSnapshot *s = recur_run_get_states (run);
  RecurPredictionSnapshot *p = recur_run_get_predictions (run);

  if (s && s != view->states)
    {
      g_clear_pointer (&view->states, recur_states_snapshot_unref);
      view->states = recur_states_snapshot_ref (s);
      for (gsize i = 0; i < (gsize) s->layers * RECUR_N_STATES * s->units * s->window; i++)
        view->sum += s->states[i];
    }
  if (p && p != view->predictions)
    {
      g_clear_pointer (&view->predictions, recur_prediction_snapshot_unref);
      view->predictions = recur_prediction_snapshot_ref (p);
      for (guint i = 0; i < p->n; i++)
        view->sum += isnan (p->predicted[i]) ? 0 : p->predicted[i];
    }
  view->seen++;
}

/* Holds run 1's worker at the end of its second epoch until the main thread has asked the run
 * to stop, so that the stop lands mid-run however the two threads are scheduled (on a loaded
 * machine the worker could otherwise train to the end before the main thread looks). */
typedef struct
{
  gint stop_sent;
  gint held;
} StopGate;

static void
hold_until_stopped (const RecurEpoch *epoch,
                    gpointer          data)
{
  StopGate *gate = data;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  if (epoch->epoch != 2 || g_atomic_int_get (&gate->held))
    return;
  g_atomic_int_set (&gate->held, 1);
  while (!g_atomic_int_get (&gate->stop_sent) && g_get_monotonic_time () < deadline)
    g_usleep (1000);
}

/* The window's side of the hand-off, without GTK (the GUI suite does not run under
 * ThreadSanitizer: see README.md): runs queued on a pool whose size the "Runs at Once" setting
 * changes while they train, views that keep and read each run's snapshots, the hidden-state
 * window moved while the worker draws it, a run stopped and resumed, and one deleted while it
 * trains. Every run ends as asked, with every epoch in its history, and goes on the main
 * thread. */
static void
test_as_the_window_drives_them (void)
{
  enum { N_RUNS = 6, EPOCHS = 8 };
  g_autoptr(RecurSeries) series = sine_series ();
  GThreadPool *pool = recur_run_pool_new (1);
  RecurRun *runs[N_RUNS];
  View views[N_RUNS];
  Goodbyes goodbyes = { g_thread_self (), 0, 0 };
  gint64 deadline = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
  gboolean resumed = FALSE, grown = FALSE, deleted = FALSE, active = TRUE;
  StopGate gate = { 0, 0 };
  guint moves = 0;

  for (guint i = 0; i < N_RUNS; i++)
    {
      RecurJobConfig config;
      g_autoptr(GError) error = NULL;

      config_for (&config, i % 2 ? RECUR_CELL_GRU : RECUR_CELL_LSTM, i == 5 ? 100000 : EPOCHS,
                  30 + i);
      runs[i] = recur_run_new ("window", &config, series, &error);
      g_assert_no_error (error);
      recur_job_config_clear (&config);
      views[i] = (View) { NULL, NULL, 0.0, 0 };
      g_signal_connect (runs[i], "progress", G_CALLBACK (on_progress_view), &views[i]);
      g_object_weak_ref (G_OBJECT (runs[i]), on_run_finalized, &goodbyes);
      if (i == 1)
        recur_run_set_epoch_func (runs[i], 0, hold_until_stopped, &gate, NULL);
      recur_run_start (runs[i], pool);
    }
  /* run 5 is deleted while it trains: the window stops it and lets go of it at once */
  while (active)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
      if (!grown && recur_run_get_n_epochs (runs[0]) >= 2)
        {
          recur_run_pool_set_max_threads (pool, 3);
          g_assert_cmpint (g_thread_pool_get_max_threads (pool), ==, 3);
          grown = TRUE;
        }
      if (grown && recur_run_get_n_epochs (runs[0]) >= 4)
        recur_run_pool_set_max_threads (pool, 2);
      for (guint i = 0; i < (deleted ? N_RUNS - 1 : N_RUNS); i++)
        if (recur_run_get_status (runs[i]) == RECUR_RUN_TRAINING)
          {
            recur_run_set_states_window (runs[i], (moves * 7 + i) % 200);
            moves++;
          }
      if (recur_run_get_n_epochs (runs[1]) >= 1 && !g_atomic_int_get (&gate.stop_sent))
        {
          recur_run_stop (runs[1]);
          g_atomic_int_set (&gate.stop_sent, 1);
        }
      if (!resumed && recur_run_get_status (runs[1]) == RECUR_RUN_STOPPED)
        {
          g_assert_true (recur_run_resume (runs[1], pool));
          resumed = TRUE;
        }
      if (!deleted && recur_run_get_status (runs[5]) == RECUR_RUN_TRAINING)
        {
          recur_run_stop (runs[5]);
          g_object_unref (runs[5]);
          deleted = TRUE;
        }
      active = FALSE;
      for (guint i = 0; i < N_RUNS - 1; i++)
        active |= recur_run_is_active (runs[i]);
      active |= g_atomic_int_get (&goodbyes.finalized) == 0; /* run 5 still there */
    }
  g_assert_true (grown && resumed && deleted);
  g_assert_cmpuint (moves, >, 0);

  for (guint i = 0; i < N_RUNS - 1; i++)
    {
      const RecurTrainSummary *s = recur_job_get_summary (recur_run_get_job (runs[i]));
      const RecurStatesSnapshot *states = recur_run_get_states (runs[i]);

      /* the stopped one resumed and trained to the end */
      g_assert_cmpint (recur_run_get_status (runs[i]), ==, RECUR_RUN_FINISHED);
      g_assert_cmpuint (s->epochs_run, ==, EPOCHS);
      g_assert_cmpuint (recur_run_get_n_epochs (runs[i]), ==, EPOCHS);
      g_assert_nonnull (states);
      g_assert_cmpuint (states->epoch, ==, s->best_epoch); /* the final one: the best weights */
      g_assert_cmpuint (states->window, ==, 16);
      g_assert_cmpuint (views[i].seen, >, 0);
      g_assert_true (isfinite (views[i].sum));
    }
  g_assert_cmpint (g_atomic_int_get (&goodbyes.finalized), ==, 1);
  for (guint i = 0; i < N_RUNS; i++)
    {
      g_clear_pointer (&views[i].states, recur_states_snapshot_unref);
      g_clear_pointer (&views[i].predictions, recur_prediction_snapshot_unref);
    }
  for (guint i = 0; i < N_RUNS - 1; i++)
    g_object_unref (runs[i]);
  recur_run_pool_free (pool);
  g_assert_cmpint (g_atomic_int_get (&goodbyes.finalized), ==, N_RUNS);
  g_assert_cmpint (g_atomic_int_get (&goodbyes.elsewhere), ==, 0);
}

/* ---- stopped at random moments ----------------------------------------------------------- */

/* The weights a run of `config` keeps after `epochs` epochs, trained here without a pool: a run
 * stopped at its epoch k must hold exactly these for its best epoch k. */
static GBytes *
reference_params (const RecurJobConfig *config,
                  RecurSeries          *series,
                  guint                 epochs)
{
  RecurJobConfig c;
  g_autoptr(RecurJob) job = NULL;
  g_autoptr(GError) error = NULL;
  RecurModel *model;

  recur_job_config_copy (&c, config);
  c.train.epochs = epochs;
  job = recur_job_new (&c, recur_series_ref (series), &error);
  g_assert_no_error (error);
  g_assert_true (recur_job_train (job, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  recur_job_config_clear (&c);
  model = recur_job_get_model (job);
  return g_bytes_new (recur_model_peek_params (model),
                      recur_model_get_n_params (model) * sizeof (float));
}

static gboolean
stop_run (gpointer data)
{
  recur_run_stop (data);
  return G_SOURCE_REMOVE;
}

/* Stops the run `delay` ms after the main thread first sees it training. */
typedef struct
{
  guint delay;
  gboolean armed;
} StopLater;

static void
on_progress_stop_later (RecurRun *run,
                        gpointer  data)
{
  StopLater *later = data;

  if (later->armed || recur_run_get_status (run) != RECUR_RUN_TRAINING)
    return;
  later->armed = TRUE;
  g_timeout_add_full (G_PRIORITY_DEFAULT, later->delay, stop_run, g_object_ref (run),
                      g_object_unref);
}

/* Many short runs of a sweep, three at a time on two cores, each stopped at a moment drawn from
 * the test's seed (`--seed` replays it): before it starts, right after, or any time up to a
 * little past its end. Every run ends, once, stopped or finished; its main-thread history is
 * every epoch it trained; a stopped run keeps the weights of its best epoch, the same bits as a
 * run trained to that epoch and no further, and is scored on them. */
static void
test_stopped_at_random_moments (void)
{
  enum { N_RUNS = 48, EPOCHS = 6 };
  g_autoptr(RecurSeries) series = sine_series ();
  g_autoptr(GPtrArray) points = sweep_points ();
  GThreadPool *pool = recur_run_pool_new (3);
  /* every other run as the window starts them: on a thread of its own that yields */
  GThreadPool *background = recur_run_pool_new_background (3);
  RecurRun *runs[N_RUNS];
  Counts counts[N_RUNS];
  StopLater later[N_RUNS];
  guint ended_at[EPOCHS + 1] = { 0 };
  GBytes *reference[4][EPOCHS + 1] = { { NULL } }; /* per sweep point and best epoch */
  gint64 t0, span;
  guint n_stopped = 0;

  g_assert_cmpuint (points->len, ==, 4);
  /* how long a run takes here, three at a time (a sanitizer slows them down): the moments
   * scale with it */
  {
    RecurRun *probes[3];

    t0 = g_get_monotonic_time ();
    for (guint i = 0; i < 3; i++)
      {
        RecurSweepPoint *p = g_ptr_array_index (points, i);
        probes[i] = recur_run_new ("probe", &p->config, series, NULL);
        recur_run_start (probes[i], pool);
      }
    wait_all (probes, 3);
    span = MAX (g_get_monotonic_time () - t0, 1000);
    for (guint i = 0; i < 3; i++)
      g_object_unref (probes[i]);
  }

  for (guint i = 0; i < N_RUNS; i++)
    {
      RecurSweepPoint *p = g_ptr_array_index (points, i % points->len);
      g_autoptr(GError) error = NULL;
      guint moment = g_test_rand_int_range (0, 10);

      p->config.train.epochs = EPOCHS;
      p->config.train.patience = 0;
      runs[i] = recur_run_new (p->name, &p->config, series, &error);
      g_assert_no_error (error);
      counts[i] = (Counts) { 0 };
      g_signal_connect (runs[i], "progress", G_CALLBACK (on_progress), &counts[i]);
      g_signal_connect (runs[i], "finished", G_CALLBACK (on_finished), &counts[i]);
      if (moment == 0)
        recur_run_stop (runs[i]); /* before it is queued */
      recur_run_start (runs[i], i % 2 ? background : pool);
      if (moment == 1)
        recur_run_stop (runs[i]); /* queued, maybe picked up already */
      else if (moment == 2)
        {
          recur_run_stop (runs[i]);
          recur_run_stop (runs[i]);
        }
      else if (moment < 5)
        {
          /* from now, queued or training (three train at a time) */
          gint64 at = g_test_rand_int_range (0, (int) (span * (N_RUNS / 3) / 1000) + 1);
          g_timeout_add_full (G_PRIORITY_DEFAULT, (guint) at, stop_run, g_object_ref (runs[i]),
                              g_object_unref);
        }
      else if (moment < 9) /* 9: never stopped */
        {
          /* once it trains, any time until a little past its end */
          later[i] = (StopLater) { g_test_rand_int_range (0, (int) (span * 5 / 4 / 1000) + 1) };
          g_signal_connect (runs[i], "progress", G_CALLBACK (on_progress_stop_later), &later[i]);
        }
    }
  wait_all (runs, N_RUNS);
  recur_run_pool_free (pool);
  recur_run_pool_free (background);

  for (guint i = 0; i < N_RUNS; i++)
    {
      RecurRun *run = runs[i];
      RecurJob *job = recur_run_get_job (run);
      const RecurTrainSummary *s = recur_job_get_summary (job);
      RecurRunStatus status = recur_run_get_status (run);
      guint point = i % points->len;
      g_autoptr(GBytes) params = params_of (run);

      g_assert_cmpuint (counts[i].finished, ==, 1);
      g_assert_true (status == RECUR_RUN_STOPPED || status == RECUR_RUN_FINISHED);
      g_assert_null (recur_run_get_error (run));
      g_assert_cmpuint (recur_run_get_n_epochs (run), ==, s->epochs_run);
      g_assert_cmpuint (recur_run_get_best_epoch (run), ==, s->best_epoch);
      g_assert_nonnull (recur_job_get_evaluation (job));
      if (status == RECUR_RUN_FINISHED)
        g_assert_cmpuint (s->epochs_run, ==, EPOCHS);
      else
        n_stopped++;
      g_assert_cmpuint (s->epochs_run, <=, EPOCHS);
      ended_at[s->epochs_run]++;
      if (s->best_epoch == 0)
        {
          g_assert_cmpuint (s->epochs_run, ==, 0);
          g_assert_cmpint (status, ==, RECUR_RUN_STOPPED);
          g_assert_null (recur_run_get_best_model (run));
          continue;
        }
      /* the best epoch is the lowest validation loss of those trained */
      for (guint e = 0; e < s->epochs_run; e++)
        g_assert_cmpfloat (recur_run_get_val_loss (run)[s->best_epoch - 1], <=,
                           recur_run_get_val_loss (run)[e]);
      if (reference[point][s->best_epoch] == NULL)
        reference[point][s->best_epoch] = reference_params (recur_job_get_config (job), series,
                                                            s->best_epoch);
      g_assert_true (g_bytes_equal (params, reference[point][s->best_epoch]));
      g_assert_cmpmem (recur_model_peek_params (recur_run_get_best_model (run)),
                       g_bytes_get_size (params), g_bytes_get_data (params, NULL),
                       g_bytes_get_size (params));
    }
  g_test_message ("%u runs stopped, %u finished; a run takes %.0f ms; ended after 0 to %u "
                  "epochs: %u %u %u %u %u %u %u", n_stopped, N_RUNS - n_stopped, span / 1000.0,
                  EPOCHS, ended_at[0], ended_at[1], ended_at[2], ended_at[3], ended_at[4],
                  ended_at[5], ended_at[6]);
  /* moments 0–2 always stop a run before it ends */
  g_assert_cmpuint (n_stopped, >, 0);
  for (guint i = 0; i < N_RUNS; i++)
    g_object_unref (runs[i]);
  for (guint p = 0; p < 4; p++)
    for (guint e = 0; e <= EPOCHS; e++)
      g_clear_pointer (&reference[p][e], g_bytes_unref);
}

/* Ensembles stopped at random moments, two runs at once on two cores (so a run's helpers get a
 * core only while the other run is not training): each ends stopped or finished, never hangs,
 * and what it kept agrees everywhere: the job's members, the scored median, the predictions and
 * the members the run counted as ended. */
static void
test_ensembles_stopped_at_random_moments (void)
{
  enum { N_RUNS = 24 };
  g_autoptr(RecurSeries) series = sine_series ();
  GThreadPool *pool = recur_run_pool_new (2);
  RecurRun *runs[N_RUNS];
  StopLater later[N_RUNS];
  guint n_stopped = 0;

  recur_cores_set_total (2);
  for (guint i = 0; i < N_RUNS; i++)
    {
      RecurJobConfig config;
      g_autoptr(GError) error = NULL;

      config_for (&config, RECUR_CELL_GRU, 40, i);
      config.model.hidden_size = 8;
      config.ensemble = 3;
      runs[i] = recur_run_new ("ensemble", &config, series, &error);
      g_assert_no_error (error);
      recur_job_config_clear (&config);
      later[i] = (StopLater) { g_test_rand_int_range (0, 300) };
      g_signal_connect (runs[i], "progress", G_CALLBACK (on_progress_stop_later), &later[i]);
      recur_run_start (runs[i], pool);
      if (i % 6 == 0)
        recur_run_stop (runs[i]); /* queued, maybe picked up already */
    }
  wait_all (runs, N_RUNS);
  for (guint i = 0; i < N_RUNS; i++)
    {
      RecurJob *job = recur_run_get_job (runs[i]);
      RecurRunStatus status = recur_run_get_status (runs[i]);
      guint n = recur_job_get_n_members (job), ended, training, trained = 0, with_weights = 0;

      g_assert_true (status == RECUR_RUN_STOPPED || status == RECUR_RUN_FINISHED);
      n_stopped += status == RECUR_RUN_STOPPED;
      g_assert_cmpuint (n, >=, 1);
      g_assert_cmpuint (n, <=, 3);
      if (status == RECUR_RUN_FINISHED)
        g_assert_cmpuint (n, ==, 3);
      g_assert_nonnull (recur_job_get_evaluation (job));
      g_assert_cmpuint (recur_job_get_evaluation (job)->n_members, ==, n);
      g_assert_cmpuint (recur_run_count_members (runs[i], &ended, &training), ==, 3);
      g_assert_cmpuint (training, ==, 0);
      /* every member kept that ran an epoch told its end. Not "all of them or none, as member
       * 0": a helper's member can finish an epoch before the caller's member 0 has (seen under
       * ThreadSanitizer, member 0 stopped at 0 epochs and member 1 at 1) */
      for (guint k = 0; k < n; k++)
        {
          trained += recur_job_get_member_summary (job, k)->epochs_run > 0;
          with_weights += recur_job_get_member_summary (job, k)->best_epoch > 0;
        }
      g_assert_cmpuint (ended, ==, trained);
      /* no initial draw in the median beside trained members: member 0 stays untrained only
       * alone */
      g_assert_true (with_weights == n || (with_weights == 0 && n == 1));
      if (recur_run_get_predictions (runs[i]))
        g_assert_cmpuint (recur_run_get_predictions (runs[i])->n_members, ==, n);
    }
  g_test_message ("%u of %u stopped", n_stopped, N_RUNS);
  for (guint i = 0; i < N_RUNS; i++)
    g_object_unref (runs[i]);
  recur_run_pool_free (pool);
  recur_cores_set_total (0);
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
  g_test_add_func ("/engine/run/stopped-at-random-moments", test_stopped_at_random_moments);
  g_test_add_func ("/engine/run/let-go-on-the-main-thread", test_let_go_on_the_main_thread);
  g_test_add_func ("/engine/run/as-the-window-drives-them", test_as_the_window_drives_them);
  g_test_add_func ("/engine/run/ensembles-share-the-cores", test_ensembles_share_the_cores);
  g_test_add_func ("/engine/run/ensembles-stopped-at-random-moments",
                   test_ensembles_stopped_at_random_moments);
  g_test_add_func ("/engine/run/status-names", test_status_names);
  g_test_add_func ("/engine/run/window-workers-yield", test_window_workers_yield);
  g_test_add_func ("/engine/run/restored-runs", test_restored_runs);
  g_test_add_func ("/engine/run/epoch-func-from-the-mailbox", test_epoch_func_from_the_mailbox);
  g_test_add_func ("/engine/run/states-of-a-bidirectional-model",
                   test_states_of_a_bidirectional_model);
  return g_test_run ();
}
