/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-trainer.h"

typedef struct
{
  RecurDataset *data;
  RecurModel *model;
  RecurTrainSpec train;
} Setup;

static void
setup_init (Setup         *s,
            RecurCellKind  cell,
            guint64        seed)
{
  double v[300];
  RecurSplitSpec split = { .window = 16, .horizon = 8, .output_size = 8, .val_fraction = 0.15,
                           .transform.scaler = RECUR_SCALER_ZSCORE };
  RecurModelSpec spec;
  RecurRng rng;

  for (int i = 0; i < 300; i++)
    v[i] = 10 + 3 * sin (2 * G_PI * i / 25.0) + sin (2 * G_PI * i / 7.0);
  s->data = recur_dataset_new (v, 300, &split, "sines", NULL);
  g_assert_nonnull (s->data);
  recur_model_spec_init (&spec);
  spec.cell = cell;
  spec.hidden_size = 12;
  spec.window = 16;
  spec.horizon = 8;
  spec.num_layers = 2;
  spec.dropout = 0.1f;
  s->model = recur_model_new (&spec, NULL);
  recur_rng_init (&rng, seed);
  recur_model_init_weights (s->model, &rng);
  recur_train_spec_init (&s->train);
  s->train.epochs = 15;
  s->train.batch_size = 16;
  s->train.seed = seed;
  s->train.optimizer.lr = 1e-2;
}

static void
setup_clear (Setup *s)
{
  recur_dataset_free (s->data);
  recur_model_free (s->model);
}

typedef struct
{
  GArray *train_loss;
  GArray *val_loss;
  guint best_epoch;
  double best_loss;
  GCancellable *cancel_at_epoch_cancellable;
  guint cancel_at_epoch;
} Record;

static void
record_progress (const RecurProgress *p,
                 gpointer             data)
{
  Record *r = data;

  g_array_append_val (r->train_loss, p->train_loss);
  g_array_append_val (r->val_loss, p->val_loss);
  r->best_epoch = p->best_epoch;
  r->best_loss = p->best_loss;
  if (r->cancel_at_epoch && p->epoch == r->cancel_at_epoch)
    g_cancellable_cancel (r->cancel_at_epoch_cancellable);
}

static void
test_training_reduces_the_loss (void)
{
  Setup s;
  Record r = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)), 0, 0, NULL, 0 };
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;

  setup_init (&s, RECUR_CELL_LSTM, 1);
  trainer = recur_trainer_new (s.model, s.data, &s.train, &error);
  g_assert_no_error (error);
  g_assert_true (recur_trainer_run (trainer, NULL, record_progress, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.train_loss->len, ==, 15);
  g_assert_cmpfloat (g_array_index (r.train_loss, double, 14), <,
                     0.5 * g_array_index (r.train_loss, double, 0));
  g_assert_cmpfloat (recur_trainer_get_summary (trainer)->best_loss, <,
                     0.5 * g_array_index (r.val_loss, double, 0));
  g_array_unref (r.train_loss);
  g_array_unref (r.val_loss);
  setup_clear (&s);
}

/* The model ends with the weights of its best validation epoch, not its last. */
static void
test_best_weights_are_restored (void)
{
  Setup s;
  Record r = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)), 0, 0, NULL, 0 };
  g_autoptr(RecurTrainer) trainer = NULL;
  const RecurTrainSummary *sum;

  setup_init (&s, RECUR_CELL_GRU, 2);
  s.train.optimizer.lr = 0.05; /* noisy enough that the last epoch is rarely the best */
  s.train.epochs = 25;
  s.train.patience = 0;
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_true (recur_trainer_run (trainer, NULL, record_progress, &r, NULL));
  sum = recur_trainer_get_summary (trainer);
  g_assert_cmpuint (sum->best_epoch, ==, r.best_epoch);
  g_assert_cmpfloat (g_array_index (r.val_loss, double, sum->best_epoch - 1), ==, sum->best_loss);
  for (guint i = 0; i < r.val_loss->len; i++)
    g_assert_cmpfloat (g_array_index (r.val_loss, double, i), >=, sum->best_loss);
  /* re-evaluating the model now gives the best epoch's loss exactly */
  g_assert_cmpfloat (recur_trainer_evaluate_validation (trainer), ==, sum->best_loss);
  g_array_unref (r.train_loss);
  g_array_unref (r.val_loss);
  setup_clear (&s);
}

static void
test_early_stopping (void)
{
  Setup s;
  g_autoptr(RecurTrainer) trainer = NULL;
  const RecurTrainSummary *sum;

  setup_init (&s, RECUR_CELL_RNN_TANH, 3);
  s.train.epochs = 500;
  s.train.patience = 3;
  s.train.optimizer.lr = 0.05;
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_true (recur_trainer_run (trainer, NULL, NULL, NULL, NULL));
  sum = recur_trainer_get_summary (trainer);
  g_assert_true (sum->stopped_early);
  g_assert_cmpuint (sum->epochs_run, ==, sum->best_epoch + 3);
  g_assert_cmpuint (sum->epochs_run, <, 500);
  g_assert_false (recur_trainer_can_resume (trainer)); /* it ended: nothing left to go on with */
  setup_clear (&s);
}

/* The weights after training `epochs` epochs of minibatches of `batch` on `threads` threads. */
static GArray *
train_params (RecurCellKind cell,
              guint64       seed,
              guint         epochs,
              guint         batch,
              guint         threads)
{
  Setup s;
  g_autoptr(RecurTrainer) trainer = NULL;
  GArray *params = g_array_new (FALSE, FALSE, sizeof (float));

  setup_init (&s, cell, seed);
  s.train.epochs = epochs;
  s.train.batch_size = batch;
  s.train.threads = threads;
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_true (recur_trainer_run (trainer, NULL, NULL, NULL, NULL));
  g_array_append_vals (params, recur_model_peek_params (s.model), recur_model_get_n_params (s.model));
  setup_clear (&s);
  return params;
}

static GArray *
train_once (RecurCellKind cell,
            guint64       seed)
{
  return train_params (cell, seed, 4, 16, 1);
}

static void
test_same_seed_is_bit_identical (void)
{
  g_autoptr(GArray) a = train_once (RECUR_CELL_LSTM, 9);
  g_autoptr(GArray) b = train_once (RECUR_CELL_LSTM, 9);
  g_autoptr(GArray) c = train_once (RECUR_CELL_LSTM, 10);

  g_assert_cmpmem (a->data, a->len * sizeof (float), b->data, b->len * sizeof (float));
  g_assert_true (memcmp (a->data, c->data, a->len * sizeof (float)) != 0);
}

/* A minibatch of 100 windows splits into 2 shards of 50 rows, with dropout drawn per shard; the
 * last one of an epoch (225 = 2 × 100 + 25) into 12 and 13. The split is fixed by the batch
 * size, so 1, 2 or 3 threads give the same bits. */
static GArray *
train_sharded (RecurCellKind cell,
               guint         threads)
{
  return train_params (cell, 5, 3, 100, threads);
}

static void
test_threads_do_not_change_results (void)
{
  const RecurCellKind cells[] = { RECUR_CELL_LSTM, RECUR_CELL_GRU, RECUR_CELL_RNN_TANH };

  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      g_autoptr(GArray) one = train_sharded (cells[i], 1);
      g_autoptr(GArray) two = train_sharded (cells[i], 2);
      g_autoptr(GArray) three = train_sharded (cells[i], 3);

      g_assert_cmpmem (one->data, one->len * sizeof (float), two->data, two->len * sizeof (float));
      g_assert_cmpmem (one->data, one->len * sizeof (float), three->data, three->len * sizeof (float));
    }
}

/* Minibatches of 112 windows: an epoch's 225 end with a minibatch of one, whose first shard is
 * empty. Two threads train it as one does. */
static void
test_a_minibatch_of_one_on_two_shards (void)
{
  Setup s;
  g_autoptr(GArray) one = train_params (RECUR_CELL_GRU, 5, 3, 112, 1);
  g_autoptr(GArray) two = train_params (RECUR_CELL_GRU, 5, 3, 112, 2);

  setup_init (&s, RECUR_CELL_GRU, 5);
  g_assert_cmpuint (recur_dataset_get_n_train_windows (s.data), ==, 2 * 112 + 1);
  g_assert_cmpuint (recur_train_shards (recur_model_get_spec (s.model), 112), ==, 2);
  setup_clear (&s);

  g_assert_cmpmem (one->data, one->len * sizeof (float), two->data, two->len * sizeof (float));
}

/* A run keeps its gates when every step's, of every layer and direction, fit in 128 MiB: the
 * large shape of `recur bench` (LSTM, 512 units, window 64, minibatches of 128: 64 MiB) keeps
 * them up to twice its minibatch, and recomputes them one window more, or bidirectional, or
 * with a second layer; GRU has three gates to LSTM's four. */
static void
test_gates_are_kept_within_the_memory_budget (void)
{
  RecurModelSpec large;

  recur_model_spec_init (&large);
  large.cell = RECUR_CELL_LSTM;
  large.hidden_size = 512;
  large.window = 64;
  g_assert_true (recur_train_keeps_gates (&large, 128));
  g_assert_true (recur_train_keeps_gates (&large, 256));
  g_assert_false (recur_train_keeps_gates (&large, 257));
  large.bidirectional = TRUE;
  g_assert_true (recur_train_keeps_gates (&large, 128));
  g_assert_false (recur_train_keeps_gates (&large, 129));
  large.bidirectional = FALSE;
  large.num_layers = 2;
  g_assert_false (recur_train_keeps_gates (&large, 129));
  large.num_layers = 1;
  large.cell = RECUR_CELL_GRU;
  g_assert_true (recur_train_keeps_gates (&large, 341));
  g_assert_false (recur_train_keeps_gates (&large, 342));
}

/* The gradient flow an epoch reports is its last minibatch's, over that minibatch's rows only,
 * whatever split the validation minibatches had after it. Here the last training minibatch is
 * one window (225 = 2 × 112 + 1: its first shard empty) and validation splits 37 windows over
 * both shards. With a constant series every window is the same and with a rate of 1e-30 no step
 * changes a weight, so the reference is one window's backward pass through the initial weights. */
typedef struct
{
  double *flow;
  guint n;
} FlowLog;

static void
log_flow (const RecurProgress *p,
          gpointer             data)
{
  FlowLog *log = data;

  log->n = p->grad_flow_layers * p->grad_flow_window;
  g_free (log->flow);
  log->flow = g_memdup2 (p->grad_flow, log->n * sizeof (double));
}

static void
test_grad_flow_of_the_last_minibatch (void)
{
  RecurSplitSpec split = { .window = 16, .horizon = 8, .output_size = 8, .val_fraction = 0.15,
                           .transform.scaler = RECUR_SCALER_ZSCORE };
  g_autoptr(RecurDataset) data = NULL;
  g_autoptr(RecurModel) model = NULL;
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(RecurWorkspace) ws = NULL;
  RecurModelSpec spec;
  RecurTrainSpec train;
  FlowLog log = { NULL, 0 };
  float input[16] = { 0 }, target[8] = { 0 }, output[8], d_output[8];
  double v[300];
  RecurRng rng;

  for (guint i = 0; i < 300; i++)
    v[i] = 7.0;
  data = recur_dataset_new (v, 300, &split, "constant", NULL);
  g_assert_cmpuint (recur_dataset_get_n_train_windows (data), ==, 2 * 112 + 1);
  g_assert_cmpuint (recur_dataset_get_n_val_windows (data), ==, 37);
  recur_model_spec_init (&spec);
  spec.cell = RECUR_CELL_GRU;
  spec.hidden_size = 12;
  spec.window = 16;
  spec.horizon = 8;
  spec.num_layers = 2;
  model = recur_model_new (&spec, NULL);
  recur_rng_init (&rng, 3);
  recur_model_init_weights (model, &rng);
  recur_train_spec_init (&train);
  train.epochs = 1;
  train.batch_size = 112;
  recur_optimizer_spec_init (&train.optimizer, RECUR_OPTIMIZER_SGD, 1e-30);
  trainer = recur_trainer_new (model, data, &train, NULL);
  g_assert_true (recur_trainer_run (trainer, NULL, log_flow, &log, NULL));
  g_assert_cmpuint (log.n, ==, 2 * 16);

  ws = recur_workspace_new (model, 1);
  recur_model_forward (model, ws, 1, input, FALSE, NULL, output);
  recur_loss (RECUR_LOSS_MSE, output, target, 8, d_output);
  recur_model_zero_grads (model);
  recur_model_backward (model, ws, d_output, 0);
  for (guint l = 0; l < 2; l++)
    for (guint t = 0; t < 16; t++)
      {
        double want = recur_workspace_get_grad_flow (ws, l)[t];
        g_assert_cmpfloat (want, >, 0.0);
        g_assert_cmpfloat_with_epsilon (log.flow[l * 16 + t], want, 1e-6 * want);
      }
  g_free (log.flow);
}

/* A bidirectional two-layer GRU, sharded: the same bits on one thread and on two, and its
 * training loss falls. */
static void
test_bidirectional_on_two_threads (void)
{
  GArray *params[2];
  double first[2] = { 0 }, last[2] = { 0 };

  for (guint threads = 1; threads <= 2; threads++)
    {
      Setup s;
      Record r = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)), 0, 0, NULL, 0 };
      RecurModelSpec spec;
      g_autoptr(RecurTrainer) trainer = NULL;
      RecurRng rng;

      setup_init (&s, RECUR_CELL_GRU, 12);
      spec = *recur_model_get_spec (s.model);
      spec.bidirectional = TRUE;
      recur_model_free (s.model);
      s.model = recur_model_new (&spec, NULL);
      recur_rng_init (&rng, 12);
      recur_model_init_weights (s.model, &rng);
      s.train.epochs = 4;
      s.train.batch_size = 100;
      s.train.threads = threads;
      trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
      g_assert_true (recur_trainer_run (trainer, NULL, record_progress, &r, NULL));
      first[threads - 1] = g_array_index (r.train_loss, double, 0);
      last[threads - 1] = g_array_index (r.train_loss, double, 3);
      params[threads - 1] = g_array_new (FALSE, FALSE, sizeof (float));
      g_array_append_vals (params[threads - 1], recur_model_peek_params (s.model),
                           recur_model_get_n_params (s.model));
      g_array_unref (r.train_loss);
      g_array_unref (r.val_loss);
      setup_clear (&s);
    }
  g_assert_cmpmem (params[0]->data, params[0]->len * sizeof (float), params[1]->data,
                   params[1]->len * sizeof (float));
  g_assert_cmpfloat (first[0], ==, first[1]);
  g_assert_cmpfloat (last[0], <, first[0]);
  g_array_unref (params[0]);
  g_array_unref (params[1]);
}

/* Without dropout, a split minibatch takes the step one undivided batch takes: one epoch over
 * all 225 training windows as a single batch of 225 (2 shards, of 112 and 113) against the same
 * step computed here with one workspace. */
static void
test_shards_sum_to_the_whole_batch (void)
{
  Setup s;
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(RecurModel) reference = NULL;
  g_autoptr(RecurWorkspace) ws = NULL;
  g_autoptr(RecurOptimizer) opt = NULL;
  g_autofree guint *starts = NULL;
  g_autofree float *input = NULL, *target = NULL, *output = NULL, *d_output = NULL;
  const RecurModelSpec *ms;
  guint n, T, out;
  double max_diff = 0.0;

  setup_init (&s, RECUR_CELL_LSTM, 8);
  ms = recur_model_get_spec (s.model);
  ((RecurModelSpec *) ms)->dropout = 0.0f; /* the trainer draws per shard, the reference not */
  n = recur_dataset_get_n_train_windows (s.data);
  T = ms->window;
  out = recur_model_spec_output_size (ms);
  s.train.epochs = 1;
  s.train.batch_size = n;
  s.train.clip = 0.0;
  s.train.threads = 2;
  s.train.optimizer = (RecurOptimizerSpec) { 0 };
  recur_optimizer_spec_init (&s.train.optimizer, RECUR_OPTIMIZER_SGD, 0.1);
  reference = recur_model_copy (s.model);

  /* the reference step: the same windows in one workspace (the order does not matter to the
   * mean gradient; the trainer's shuffle is its own) */
  ws = recur_workspace_new (reference, n);
  starts = g_new (guint, n);
  input = g_new (float, (gsize) T * n);
  target = g_new (float, (gsize) n * out);
  output = g_new (float, (gsize) n * out);
  d_output = g_new (float, (gsize) n * out);
  for (guint i = 0; i < n; i++)
    starts[i] = recur_dataset_train_window_start (s.data, i);
  recur_dataset_gather (s.data, starts, n, input, target);
  recur_model_forward (reference, ws, n, input, FALSE, NULL, output);
  recur_loss (RECUR_LOSS_MSE, output, target, (gsize) n * out, d_output);
  recur_model_zero_grads (reference);
  recur_model_backward (reference, ws, d_output, 0);
  opt = recur_optimizer_new (&s.train.optimizer, recur_model_get_n_params (reference));
  recur_optimizer_step (opt, recur_model_get_params (reference), recur_model_get_grads (reference),
                        0.1);

  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_true (recur_trainer_run (trainer, NULL, NULL, NULL, NULL));
  for (gsize i = 0; i < recur_model_get_n_params (s.model); i++)
    max_diff = MAX (max_diff, fabs (recur_model_peek_params (s.model)[i]
                                    - recur_model_peek_params (reference)[i]));
  g_assert_cmpfloat (max_diff, <, 1e-6);
  g_assert_cmpfloat (max_diff, >, 0.0); /* the shards' sums are ordered differently */
  setup_clear (&s);
}

/* Cancelled from another thread's point of view (here: the progress callback, as the GUI's
 * Stop does), the run stops within a minibatch, reports CANCELLED and keeps its best weights. */
static void
test_cancel_keeps_best_weights (void)
{
  Setup s;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Record r = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)),
               0, 0, cancellable, 3 };
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  const RecurTrainSummary *sum;

  setup_init (&s, RECUR_CELL_GRU, 4);
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_false (recur_trainer_run (trainer, cancellable, record_progress, &r, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  sum = recur_trainer_get_summary (trainer);
  g_assert_cmpuint (r.train_loss->len, ==, 3); /* the 4th epoch never completed */
  g_assert_cmpuint (sum->best_epoch, >=, 1);
  g_assert_cmpfloat (recur_trainer_evaluate_validation (trainer), ==, sum->best_loss);
  g_array_unref (r.train_loss);
  g_array_unref (r.val_loss);
  setup_clear (&s);
}

/* Stopped at epoch 3, trained again: the epochs go on from 4 to the last, never forgetting the
 * best seen before the stop. */
static void
test_resume_after_cancel (void)
{
  Setup s;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Record r = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)),
               0, 0, cancellable, 3 };
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  double best_before;

  setup_init (&s, RECUR_CELL_LSTM, 8);
  s.train.epochs = 8;
  s.train.patience = 0;
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_false (recur_trainer_run (trainer, cancellable, record_progress, &r, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_true (recur_trainer_can_resume (trainer));
  best_before = recur_trainer_get_summary (trainer)->best_loss;

  g_cancellable_reset (cancellable);
  r.cancel_at_epoch = 0;
  g_assert_true (recur_trainer_run (trainer, cancellable, record_progress, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.train_loss->len, ==, 8); /* 3 before the stop, 5 after */
  g_assert_cmpuint (recur_trainer_get_summary (trainer)->epochs_run, ==, 8);
  g_assert_cmpfloat (recur_trainer_get_summary (trainer)->best_loss, <=, best_before);
  g_assert_false (recur_trainer_can_resume (trainer));
  g_assert_cmpfloat (recur_trainer_evaluate_validation (trainer), ==,
                     recur_trainer_get_summary (trainer)->best_loss);
  g_array_unref (r.train_loss);
  g_array_unref (r.val_loss);
  setup_clear (&s);
}

static void
test_divergence_is_reported (void)
{
  Setup s;
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;

  setup_init (&s, RECUR_CELL_RNN_RELU, 5);
  recur_optimizer_spec_init (&s.train.optimizer, RECUR_OPTIMIZER_SGD, 1e30);
  s.train.clip = 0;
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_false (recur_trainer_run (trainer, NULL, NULL, NULL, &error));
  g_assert_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_DIVERGED);
  g_assert_nonnull (strstr (error->message, "diverged"));
  setup_clear (&s);
}

typedef struct
{
  double lr[8];
  guint n;
} LrLog;

static void
log_lr (const RecurProgress *p,
        gpointer             data)
{
  LrLog *log = data;
  log->lr[log->n++] = p->lr;
}

static void
test_schedule_rates (void)
{
  Setup s;
  LrLog log = { { 0 }, 0 };
  g_autoptr(RecurTrainer) trainer = NULL;

  setup_init (&s, RECUR_CELL_RNN_TANH, 6);
  s.train.epochs = 6;
  s.train.patience = 0;
  s.train.schedule = RECUR_SCHEDULE_STEP;
  s.train.step_size = 2;
  s.train.gamma = 0.5;
  s.train.optimizer.lr = 0.01;
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_true (recur_trainer_run (trainer, NULL, log_lr, &log, NULL));
  g_assert_cmpfloat_with_epsilon (log.lr[0], 0.01, 1e-15);
  g_assert_cmpfloat_with_epsilon (log.lr[1], 0.01, 1e-15);
  g_assert_cmpfloat_with_epsilon (log.lr[2], 0.005, 1e-15);
  g_assert_cmpfloat_with_epsilon (log.lr[5], 0.0025, 1e-15);
  g_clear_pointer (&trainer, recur_trainer_free);

  log.n = 0;
  s.train.schedule = RECUR_SCHEDULE_COSINE;
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_true (recur_trainer_run (trainer, NULL, log_lr, &log, NULL));
  /* CosineAnnealingLR(T_max = epochs, eta_min = 0) */
  for (guint e = 0; e < 6; e++)
    g_assert_cmpfloat_with_epsilon (log.lr[e], 0.01 * 0.5 * (1 + cos (G_PI * e / 6)), 1e-15);
  setup_clear (&s);
}

/* ReduceLROnPlateau (mode min, relative threshold 1e-4, no cooldown): the rate of each epoch
 * replayed here from the validation losses reported, halved once `plateau_patience` epochs have
 * passed without an improvement of a ten-thousandth; lr_changed marks exactly the epochs after a
 * decay. Noisy enough (lr 0.05) that it decays. */
typedef struct
{
  double lr[40], val[40];
  gboolean changed[40];
  guint n;
} PlateauLog;

static void
log_plateau (const RecurProgress *p,
             gpointer             data)
{
  PlateauLog *log = data;

  g_assert_cmpuint (p->epoch, ==, log->n + 1);
  log->lr[log->n] = p->lr;
  log->val[log->n] = p->val_loss;
  log->changed[log->n++] = p->lr_changed;
}

static void
test_plateau_schedule (void)
{
  Setup s;
  PlateauLog log = { { 0 } };
  g_autoptr(RecurTrainer) trainer = NULL;
  double lr = 0.05, best = INFINITY;
  guint bad = 0, decays = 0;

  setup_init (&s, RECUR_CELL_GRU, 2);
  s.train.optimizer.lr = 0.05;
  s.train.epochs = 40;
  s.train.patience = 0;
  s.train.schedule = RECUR_SCHEDULE_PLATEAU;
  s.train.plateau_patience = 1;
  s.train.gamma = 0.5;
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_true (recur_trainer_run (trainer, NULL, log_plateau, &log, NULL));
  g_assert_cmpuint (log.n, ==, 40);
  for (guint e = 0; e < log.n; e++)
    {
      g_assert_cmpfloat (log.lr[e], ==, lr);
      g_assert_cmpint (log.changed[e], ==, e > 0 && log.lr[e] != log.lr[e - 1]);
      if (log.val[e] < best * (1.0 - 1e-4))
        {
          best = log.val[e];
          bad = 0;
        }
      else if (++bad > 1)
        {
          lr *= 0.5;
          bad = 0;
          decays++;
        }
    }
  g_test_message ("%u decays, to %g", decays, log.lr[log.n - 1]);
  g_assert_cmpuint (decays, >=, 2);
  setup_clear (&s);
}

/* Stopped in the middle of a plateau or of epochs without improvement, then trained again: the
 * resumed epochs go on with the rate, the plateau's count and the early stopping's count as they
 * were, so that the rules replayed over all the epochs reported, across the stop, give every
 * rate, every lr_changed and the epoch it stops early at. */
typedef struct
{
  double lr[200], val[200];
  gboolean changed[200];
  guint n;
  GCancellable *cancellable;
  double decayed_below;   /* cancel only once the rate is below this */
  guint cancel_after_bad; /* … and this many epochs in a row have not improved */
  guint bad_in_a_row;
  guint cancelled_at;
} ResumeLog;

static void
log_and_stop_on_a_plateau (const RecurProgress *p,
                           gpointer             data)
{
  ResumeLog *log = data;

  g_assert_cmpuint (p->epoch, ==, log->n + 1);
  g_assert_cmpuint (log->n, <, G_N_ELEMENTS (log->lr));
  log->lr[log->n] = p->lr;
  log->val[log->n] = p->val_loss;
  log->changed[log->n++] = p->lr_changed;
  log->bad_in_a_row = p->improved ? 0 : log->bad_in_a_row + 1;
  if (log->cancelled_at == 0 && p->lr < log->decayed_below
      && log->bad_in_a_row >= log->cancel_after_bad)
    {
      log->cancelled_at = p->epoch;
      g_cancellable_cancel (log->cancellable);
    }
}

static void
train_stopped_and_resumed (Setup     *s,
                           ResumeLog *log)
{
  const RecurTrainSpec *spec = &s->train;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(RecurTrainer) trainer = recur_trainer_new (s->model, s->data, spec, NULL);
  g_autoptr(GError) error = NULL;
  double lr = spec->optimizer.lr, plateau_best = INFINITY, best = INFINITY;
  guint plateau_bad = 0, bad = 0, stop = spec->epochs;

  log->cancellable = cancellable;
  g_assert_false (recur_trainer_run (trainer, cancellable, log_and_stop_on_a_plateau, log,
                                     &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (log->cancelled_at, >, 0);
  g_assert_cmpuint (log->n, ==, log->cancelled_at);
  g_assert_true (recur_trainer_can_resume (trainer));
  g_cancellable_reset (cancellable);
  g_assert_true (recur_trainer_run (trainer, cancellable, log_and_stop_on_a_plateau, log,
                                    &error));
  g_assert_no_error (error);
  g_test_message ("stopped at epoch %u, ended at %u", log->cancelled_at, log->n);

  for (guint e = 0; e < spec->epochs; e++)
    {
      g_assert_cmpuint (e, <, log->n);
      g_assert_cmpfloat (log->lr[e], ==, lr);
      g_assert_cmpint (log->changed[e], ==, e > 0 && log->lr[e] != log->lr[e - 1]);
      if (spec->schedule == RECUR_SCHEDULE_PLATEAU)
        {
          if (log->val[e] < plateau_best * (1.0 - 1e-4))
            {
              plateau_best = log->val[e];
              plateau_bad = 0;
            }
          else if (++plateau_bad > spec->plateau_patience)
            {
              lr *= spec->gamma;
              plateau_bad = 0;
            }
        }
      if (log->val[e] < best)
        {
          best = log->val[e];
          bad = 0;
        }
      else if (++bad >= spec->patience)
        {
          stop = e + 1;
          break;
        }
    }
  g_assert_cmpuint (log->n, ==, stop);
  g_assert_cmpuint (recur_trainer_get_summary (trainer)->epochs_run, ==, stop);
  g_assert_cmpint (recur_trainer_get_summary (trainer)->stopped_early, ==, stop < spec->epochs);
  g_assert_cmpfloat (recur_trainer_get_summary (trainer)->best_loss, ==, best);
}

static void
test_resume_keeps_the_schedule_and_patience (void)
{
  Setup s;
  ResumeLog plateau = { .decayed_below = 0.05, .cancel_after_bad = 1 };
  ResumeLog patience = { .decayed_below = INFINITY, .cancel_after_bad = 2 };

  /* the rate halved before the stop stays halved after it */
  setup_init (&s, RECUR_CELL_GRU, 2);
  s.train.optimizer.lr = 0.05;
  s.train.epochs = 80;
  s.train.patience = 6;
  s.train.schedule = RECUR_SCHEDULE_PLATEAU;
  s.train.plateau_patience = 1;
  s.train.gamma = 0.5;
  train_stopped_and_resumed (&s, &plateau);
  setup_clear (&s);

  /* two epochs without improvement before the stop count towards a patience of 3 after it: the
   * first epoch after the stop (of this seed) does not improve either, and is the last */
  setup_init (&s, RECUR_CELL_RNN_TANH, 4);
  s.train.optimizer.lr = 0.05;
  s.train.epochs = 200;
  s.train.patience = 3;
  train_stopped_and_resumed (&s, &patience);
  g_assert_cmpuint (patience.n, ==, patience.cancelled_at + 1);
  setup_clear (&s);
}

/* Without validation windows, the best epoch is the one of the lowest training loss, and its
 * weights are kept; validation is NaN. */
static void
test_without_validation (void)
{
  Setup s;
  Record r = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)), 0, 0, NULL, 0 };
  RecurSplitSpec split = { .window = 16, .horizon = 8, .output_size = 8, .val_fraction = 0.0,
                           .transform.scaler = RECUR_SCALER_ZSCORE };
  g_autoptr(RecurDataset) data = NULL;
  g_autoptr(RecurTrainer) trainer = NULL;
  const RecurTrainSummary *sum;
  double v[300];
  guint best = 0;

  setup_init (&s, RECUR_CELL_RNN_TANH, 7);
  for (int i = 0; i < 300; i++)
    v[i] = 10 + 3 * sin (2 * G_PI * i / 25.0) + sin (2 * G_PI * i / 7.0);
  data = recur_dataset_new (v, 300, &split, "sines", NULL);
  g_assert_cmpuint (recur_dataset_get_n_val_windows (data), ==, 0);
  s.train.optimizer.lr = 0.05;
  s.train.patience = 0;
  trainer = recur_trainer_new (s.model, data, &s.train, NULL);
  g_assert_true (recur_trainer_run (trainer, NULL, record_progress, &r, NULL));
  sum = recur_trainer_get_summary (trainer);
  for (guint e = 0; e < r.train_loss->len; e++)
    {
      g_assert_true (isnan (g_array_index (r.val_loss, double, e)));
      if (g_array_index (r.train_loss, double, e) < g_array_index (r.train_loss, double, best))
        best = e;
    }
  g_assert_cmpuint (sum->best_epoch, ==, best + 1);
  g_assert_cmpfloat (sum->best_loss, ==, g_array_index (r.train_loss, double, best));
  g_assert_cmpfloat (sum->train_loss, ==, sum->best_loss);
  g_assert_true (isnan (sum->val_loss));
  g_assert_true (isnan (recur_trainer_evaluate_validation (trainer)));
  g_array_unref (r.train_loss);
  g_array_unref (r.val_loss);
  setup_clear (&s);
}

/* One minibatch an epoch: its loss is finite, the step it takes (SGD at 1e300, infinite in
 * float) is not, so the validation that follows finds the divergence, at epoch 1, before any
 * epoch is reported. */
static void
test_divergence_found_by_validation (void)
{
  Setup s;
  Record r = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)), 0, 0, NULL, 0 };
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;

  setup_init (&s, RECUR_CELL_RNN_RELU, 5);
  recur_optimizer_spec_init (&s.train.optimizer, RECUR_OPTIMIZER_SGD, 1e300);
  s.train.clip = 0;
  s.train.batch_size = 65536;
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_assert_false (recur_trainer_run (trainer, NULL, record_progress, &r, &error));
  g_assert_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_DIVERGED);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "training diverged at epoch 1: the loss became"));
  g_assert_nonnull (strstr (error->message, "try a lower learning rate or gradient clipping"));
  g_assert_cmpuint (r.train_loss->len, ==, 0);
  g_assert_cmpuint (recur_trainer_get_summary (trainer)->epochs_run, ==, 0);
  g_assert_false (recur_trainer_can_resume (trainer));
  g_array_unref (r.train_loss);
  g_array_unref (r.val_loss);
  setup_clear (&s);
}

/* Cancelled before it starts: not one step taken, the weights as they were, nothing to resume;
 * run again with the cancellable reset, it trains from epoch 1. */
static void
test_cancelled_before_the_first_step (void)
{
  Setup s;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Record r = { g_array_new (FALSE, FALSE, sizeof (double)), g_array_new (FALSE, FALSE, sizeof (double)), 0, 0, NULL, 0 };
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;

  setup_init (&s, RECUR_CELL_LSTM, 3);
  s.train.epochs = 3;
  before = g_bytes_new (recur_model_peek_params (s.model),
                        recur_model_get_n_params (s.model) * sizeof (float));
  trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
  g_cancellable_cancel (cancellable);
  g_assert_false (recur_trainer_run (trainer, cancellable, record_progress, &r, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (r.train_loss->len, ==, 0);
  g_assert_cmpuint (recur_trainer_get_summary (trainer)->epochs_run, ==, 0);
  g_assert_cmpuint (recur_trainer_get_summary (trainer)->best_epoch, ==, 0);
  g_assert_cmpmem (g_bytes_get_data (before, NULL), g_bytes_get_size (before),
                   recur_model_peek_params (s.model), g_bytes_get_size (before));
  g_assert_false (recur_trainer_can_resume (trainer));

  g_cancellable_reset (cancellable);
  g_assert_true (recur_trainer_run (trainer, cancellable, record_progress, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.train_loss->len, ==, 3);
  g_assert_cmpuint (recur_trainer_get_summary (trainer)->epochs_run, ==, 3);
  g_array_unref (r.train_loss);
  g_array_unref (r.val_loss);
  setup_clear (&s);
}

/* Mean squared error of `starts` windows, each through its own batch of one. */
static double
loss_window_by_window (Setup       *s,
                       guint        n,
                       guint      (*start_of) (const RecurDataset *, guint))
{
  g_autoptr(RecurWorkspace) ws = recur_workspace_new (s->model, 1);
  float input[16], target[8], output[8];
  double total = 0.0;

  for (guint i = 0; i < n; i++)
    {
      guint start = start_of (s->data, i);
      recur_dataset_gather (s->data, &start, 1, input, target);
      recur_model_forward (s->model, ws, 1, input, FALSE, NULL, output);
      total += recur_loss (RECUR_LOSS_MSE, output, target, 8, NULL);
    }
  return total / n;
}

/* More validation windows than training windows (60 % of the series validates): evaluated in
 * minibatches of 10 (the last one short), all of them at once, or one by one, the loss is the
 * same mean. */
static void
test_validation_in_pieces (void)
{
  Setup s;
  RecurSplitSpec split = { .window = 16, .horizon = 8, .output_size = 8, .val_fraction = 0.6,
                           .transform.scaler = RECUR_SCALER_ZSCORE };
  double v[300], one_by_one, whole, pieces;
  guint n_val;

  setup_init (&s, RECUR_CELL_GRU, 9);
  recur_dataset_free (s.data);
  for (int i = 0; i < 300; i++)
    v[i] = 10 + 3 * sin (2 * G_PI * i / 25.0) + sin (2 * G_PI * i / 7.0);
  s.data = recur_dataset_new (v, 300, &split, "sines", NULL);
  n_val = recur_dataset_get_n_val_windows (s.data);
  g_assert_cmpuint (n_val, >, recur_dataset_get_n_train_windows (s.data));
  g_assert_cmpuint (n_val % 10, !=, 0);
  one_by_one = loss_window_by_window (&s, n_val, recur_dataset_val_window_start);
  {
    g_autoptr(RecurTrainer) trainer = NULL;

    s.train.batch_size = 10;
    trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
    pieces = recur_trainer_evaluate_validation (trainer);
    g_clear_pointer (&trainer, recur_trainer_free);
    s.train.batch_size = 65536; /* held to the validation windows, the larger set */
    trainer = recur_trainer_new (s.model, s.data, &s.train, NULL);
    whole = recur_trainer_evaluate_validation (trainer);
  }
  g_assert_cmpfloat_with_epsilon (pieces, one_by_one, 1e-6 * one_by_one);
  g_assert_cmpfloat_with_epsilon (whole, one_by_one, 1e-6 * one_by_one);
  setup_clear (&s);
}

/* Each training option just past each end of its range: refused, naming the option and the
 * value; the ends themselves accepted. */
static void
test_invalid_spec (void)
{
  static const struct { const char *field; double value; const char *said; } refused[] = {
    { "epochs", 0, "epochs 0 is out of range (1–1000000)" },
    { "epochs", 1000001, "epochs 1000001 is out of range" },
    { "batch", 0, "batch size 0 is out of range (1–65536)" },
    { "batch", 65537, "batch size 65537" },
    { "lr", -1, "learning rate -1 must be a positive number" },
    { "lr", 0, "learning rate 0 must be" },
    { "lr", NAN, "learning rate nan" },
    { "lr", INFINITY, "learning rate inf" },
    { "momentum", -0.1, "momentum -0.1 is out of range (0 ≤ m < 1)" },
    { "momentum", 1, "momentum 1 is out of range" },
    { "momentum", NAN, "momentum nan" },
    { "nesterov", 0, "Nesterov momentum needs a momentum above 0" },
    { "clip", -1, "clipping norm -1 must be 0 (off) or positive" },
    { "clip", NAN, "clipping norm nan" },
    { "schedule", 4, "unknown learning-rate schedule" },
    { "gamma", 0, "decay factor 0 is out of range (0 < γ ≤ 1)" },
    { "gamma", 1.5, "decay factor 1.5" },
    { "step", 0, "the step schedule needs a step size of at least 1 epoch" },
    { "threads", 0, "threads 0 is out of range (1–256)" },
    { "threads", 257, "threads 257 is out of range" },
  };
  Setup s;

  setup_init (&s, RECUR_CELL_LSTM, 1);
  for (guint i = 0; i < G_N_ELEMENTS (refused) + 1; i++)
    {
      RecurTrainSpec t = s.train;
      const char *field = i < G_N_ELEMENTS (refused) ? refused[i].field : "edges";
      double v = i < G_N_ELEMENTS (refused) ? refused[i].value : 0;
      g_autoptr(RecurTrainer) trainer = NULL;
      g_autoptr(GError) error = NULL;

      if (g_str_equal (field, "epochs"))
        t.epochs = (guint) v;
      else if (g_str_equal (field, "batch"))
        t.batch_size = (guint) v;
      else if (g_str_equal (field, "lr"))
        t.optimizer.lr = v;
      else if (g_str_equal (field, "momentum"))
        t.optimizer.momentum = v;
      else if (g_str_equal (field, "nesterov"))
        t.optimizer.nesterov = TRUE;
      else if (g_str_equal (field, "clip"))
        t.clip = v;
      else if (g_str_equal (field, "schedule"))
        t.schedule = (RecurScheduleKind) v;
      else if (g_str_equal (field, "gamma"))
        t.gamma = v;
      else if (g_str_equal (field, "step"))
        t.step_size = (guint) v;
      else if (g_str_equal (field, "threads"))
        t.threads = (guint) v;
      else
        {
          /* every end of every range at once */
          t.epochs = 1000000;
          t.batch_size = 65536;
          t.optimizer.momentum = 0.0;
          t.clip = 0.0;
          t.schedule = RECUR_SCHEDULE_PLATEAU;
          t.gamma = 1.0;
          t.step_size = 1;
          t.threads = 256;
          trainer = recur_trainer_new (s.model, s.data, &t, &error);
          g_assert_no_error (error);
          g_assert_nonnull (trainer);
          g_clear_pointer (&trainer, recur_trainer_free);
          t.optimizer.momentum = 0.999;
          t.optimizer.nesterov = TRUE;
          t.epochs = 1;
          t.threads = 1;
          trainer = recur_trainer_new (s.model, s.data, &t, &error);
          g_assert_no_error (error);
          g_assert_nonnull (trainer);
          continue;
        }
      g_assert_null (recur_trainer_new (s.model, s.data, &t, &error));
      g_assert_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_INVALID_SPEC);
      if (strstr (error->message, refused[i].said) == NULL)
        g_error ("“%s” does not say “%s”", error->message, refused[i].said);
    }
  setup_clear (&s);
}

/* Windows whose length, targets or inputs differ from the model's are refused, with both
 * shapes in the message. */
static void
test_data_must_fit_the_model (void)
{
  Setup s;
  static const struct { guint window, horizon, inputs; RecurStrategy strategy; const char *said; } cases[] = {
    /* a model may read the last steps of the data's windows (an ensemble member), not more */
    { 20, 8, 1, RECUR_STRATEGY_DIRECT,
      "the data's windows (16 steps, 8 targets) do not fit the model (20 steps, 8 outputs, 1 inputs)" },
    { 16, 4, 1, RECUR_STRATEGY_DIRECT, "(16 steps, 4 outputs, 1 inputs)" },
    { 16, 8, 1, RECUR_STRATEGY_RECURSIVE, "(16 steps, 1 outputs, 1 inputs)" },
    { 16, 8, 2, RECUR_STRATEGY_DIRECT, "(16 steps, 8 outputs, 2 inputs)" },
  };

  setup_init (&s, RECUR_CELL_GRU, 1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RecurModelSpec spec = *recur_model_get_spec (s.model);
      g_autoptr(RecurModel) model = NULL;
      g_autoptr(GError) error = NULL;

      spec.window = cases[i].window;
      spec.horizon = cases[i].horizon;
      spec.input_size = cases[i].inputs;
      spec.strategy = cases[i].strategy;
      model = recur_model_new (&spec, &error);
      g_assert_no_error (error);
      g_assert_null (recur_trainer_new (model, s.data, &s.train, &error));
      g_assert_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_MISMATCH);
      if (strstr (error->message, cases[i].said) == NULL)
        g_error ("“%s” does not say “%s”", error->message, cases[i].said);
    }
  setup_clear (&s);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/trainer/training-reduces-the-loss", test_training_reduces_the_loss);
  g_test_add_func ("/engine/trainer/best-weights-are-restored", test_best_weights_are_restored);
  g_test_add_func ("/engine/trainer/early-stopping", test_early_stopping);
  g_test_add_func ("/engine/trainer/same-seed-is-bit-identical", test_same_seed_is_bit_identical);
  g_test_add_func ("/engine/trainer/threads-do-not-change-results", test_threads_do_not_change_results);
  g_test_add_func ("/engine/trainer/gates-are-kept-within-the-memory-budget",
                   test_gates_are_kept_within_the_memory_budget);
  g_test_add_func ("/engine/trainer/shards-sum-to-the-whole-batch", test_shards_sum_to_the_whole_batch);
  g_test_add_func ("/engine/trainer/cancel-keeps-best-weights", test_cancel_keeps_best_weights);
  g_test_add_func ("/engine/trainer/divergence-is-reported", test_divergence_is_reported);
  g_test_add_func ("/engine/trainer/resume-after-cancel", test_resume_after_cancel);
  g_test_add_func ("/engine/trainer/schedule-rates", test_schedule_rates);
  g_test_add_func ("/engine/trainer/invalid-spec", test_invalid_spec);
  g_test_add_func ("/engine/trainer/data-must-fit-the-model", test_data_must_fit_the_model);
  g_test_add_func ("/engine/trainer/plateau-schedule", test_plateau_schedule);
  g_test_add_func ("/engine/trainer/resume-keeps-the-schedule-and-patience",
                   test_resume_keeps_the_schedule_and_patience);
  g_test_add_func ("/engine/trainer/without-validation", test_without_validation);
  g_test_add_func ("/engine/trainer/divergence-found-by-validation",
                   test_divergence_found_by_validation);
  g_test_add_func ("/engine/trainer/cancelled-before-the-first-step",
                   test_cancelled_before_the_first_step);
  g_test_add_func ("/engine/trainer/validation-in-pieces", test_validation_in_pieces);
  g_test_add_func ("/engine/trainer/a-minibatch-of-one-on-two-shards",
                   test_a_minibatch_of_one_on_two_shards);
  g_test_add_func ("/engine/trainer/bidirectional-on-two-threads", test_bidirectional_on_two_threads);
  g_test_add_func ("/engine/trainer/grad-flow-of-the-last-minibatch",
                   test_grad_flow_of_the_last_minibatch);
  return g_test_run ();
}
