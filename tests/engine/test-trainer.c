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
                           .scaler = RECUR_SCALER_ZSCORE };
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
 * last one of an epoch (229 = 2 × 100 + 29) into 14 and 15. The split is fixed by the batch
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

/* Without dropout, a split minibatch takes the step one undivided batch takes: one epoch over
 * all 229 training windows as a single batch of 229 (2 shards, of 114 and 115) against the same
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

static void
test_invalid_spec (void)
{
  Setup s;
  g_autoptr(GError) error = NULL;

  setup_init (&s, RECUR_CELL_LSTM, 1);
  s.train.optimizer.lr = -1;
  g_assert_null (recur_trainer_new (s.model, s.data, &s.train, &error));
  g_assert_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "learning rate"));
  g_clear_error (&error);

  s.train.optimizer.lr = 1e-3;
  s.train.threads = 0;
  g_assert_null (recur_trainer_new (s.model, s.data, &s.train, &error));
  g_assert_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "threads 0 is out of range"));
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
  g_test_add_func ("/engine/trainer/shards-sum-to-the-whole-batch", test_shards_sum_to_the_whole_batch);
  g_test_add_func ("/engine/trainer/cancel-keeps-best-weights", test_cancel_keeps_best_weights);
  g_test_add_func ("/engine/trainer/divergence-is-reported", test_divergence_is_reported);
  g_test_add_func ("/engine/trainer/resume-after-cancel", test_resume_after_cancel);
  g_test_add_func ("/engine/trainer/schedule-rates", test_schedule_rates);
  g_test_add_func ("/engine/trainer/invalid-spec", test_invalid_spec);
  return g_test_run ();
}
