/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-esn.h"
#include "recur-memory.h"
#include "recur-names.h"
#include "recur-team.h"
#include "recur-trainer.h"

G_DEFINE_QUARK (recur-trainer-error-quark, recur_trainer_error)

/* Streams drawn from the run's seed, each its own RNG so that, e.g., turning dropout on
 * does not change the shuffling order. */
#define SHUFFLE_STREAM G_GUINT64_CONSTANT (0x53485546464c4531)
#define DROPOUT_STREAM G_GUINT64_CONSTANT (0x44524f504f555431)

/* A minibatch of at least 2 × SHARD_ROWS windows is split into shards of at least SHARD_ROWS
 * rows, at most MAX_SHARDS, each with its own workspace and gradient buffer, summed in shard
 * order after the backward passes. The split depends on the batch size only, never on the
 * threads that run it, so a run gives the same numbers on any machine and thread count. Thinner
 * shards would make the per-step GEMMs too narrow to pay; more shards would each want their
 * own packed weights, gradients and chunk buffers (a run's memory grows with them) for cores
 * that several runs at once use better. */
#define SHARD_ROWS 32
#define MAX_SHARDS 2

/* The memory budget for a run's kept gate activations (every step's, of all its shards): within
 * it the workspaces keep them from the forward pass for the backward one; above it they
 * recompute them a chunk of steps at a time (recur_workspace_new_for_training), with the same
 * bits, in about a third of the memory for a third more time. Every shape of `recur bench`
 * fits (the large LSTM keeps 64 MiB: 1.25× faster, at 134 MB peak under a quarter of
 * PyTorch's), and a fixed budget, not one taken from the machine's memory, keeps a run's speed
 * and memory the same wherever it runs. */
#define KEPT_GATES_BUDGET (G_GUINT64_CONSTANT (128) << 20)

gboolean
recur_train_keeps_gates (const RecurModelSpec *ms,
                         guint                 batch)
{
  guint64 directions = ms->bidirectional ? 2 : 1;
  guint64 gates = (guint64) ms->window * batch * recur_cell_n_gates (ms->cell) * ms->hidden_size
                  * directions * ms->num_layers;
  return gates * sizeof (float) <= KEPT_GATES_BUDGET;
}

typedef struct
{
  RecurWorkspace *ws;
  float *grads;      /* shard 0 uses the model's own */
  float *input;      /* [T][rows] */
  RecurRng dropout_rng;
  guint first, rows; /* its rows of the current minibatch */
  double loss;       /* its rows' mean loss */
} Shard;

struct _RecurTrainer
{
  RecurTrainSpec spec;
  RecurModel *model;
  const RecurDataset *data;
  RecurModel *best;
  Shard *shards;
  guint n_shards;
  RecurTeam *team;   /* runs the shards */
  double *grad_flow; /* [layers][window], of all shards */
  RecurOptimizer *optimizer;
  RecurRng shuffle_rng;
  guint *order;      /* training window starts, reshuffled every epoch */
  guint *starts;     /* [batch] */
  float *target;     /* [batch][out] */
  float *output;     /* [batch][out] */
  float *d_output;   /* [batch][out] */
  guint out;
  RecurTrainSummary summary;
  /* what the next epoch goes on from, kept across a cancel so that a resume continues them */
  guint bad_epochs;      /* epochs since the best one, for early stopping */
  guint plateau_bad;     /* epochs since the plateau schedule's best */
  double plateau_best;
  double plateau_lr;
  double last_lr;        /* the last epoch's rate, NAN before the first */
};

static const char *const schedule_names[] = { "constant", "step", "cosine", "plateau" };

const char *
recur_schedule_kind_to_string (RecurScheduleKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (schedule_names), NULL);
  return schedule_names[kind];
}

gboolean
recur_schedule_kind_from_string (const char        *text,
                                 RecurScheduleKind *kind)
{
  int i = recur_name_index (schedule_names, G_N_ELEMENTS (schedule_names), text);

  if (i < 0)
    return FALSE;
  *kind = (RecurScheduleKind) i;
  return TRUE;
}

void
recur_train_spec_init (RecurTrainSpec *spec)
{
  *spec = (RecurTrainSpec) {
    .epochs = 200,
    .batch_size = 32,
    .loss = RECUR_LOSS_MSE,
    .clip = 1.0,
    .truncate = 0,
    .schedule = RECUR_SCHEDULE_CONSTANT,
    .step_size = 50,
    .gamma = 0.5,
    .plateau_patience = 10,
    .patience = 30,
    .seed = 42,
    .threads = 1,
  };
  recur_optimizer_spec_init (&spec->optimizer, RECUR_OPTIMIZER_ADAM, 3e-3);
}

static gboolean
validate_spec (const RecurTrainSpec  *spec,
               GError               **error)
{
#define CHECK(cond, ...) \
  if (!(cond)) \
    { \
      g_set_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_INVALID_SPEC, __VA_ARGS__); \
      return FALSE; \
    }
  CHECK (spec->epochs >= 1 && spec->epochs <= 1000000, _("epochs %u is out of range (1–1000000)"),
         spec->epochs);
  CHECK (spec->batch_size >= 1 && spec->batch_size <= 65536,
         _("batch size %u is out of range (1–65536)"), spec->batch_size);
  CHECK (isfinite (spec->optimizer.lr) && spec->optimizer.lr > 0.0,
         _("learning rate %g must be a positive number"), spec->optimizer.lr);
  CHECK (isfinite (spec->optimizer.momentum) && spec->optimizer.momentum >= 0.0
           && spec->optimizer.momentum < 1.0,
         _("momentum %g is out of range (0 ≤ m < 1)"), spec->optimizer.momentum);
  CHECK (!spec->optimizer.nesterov || spec->optimizer.momentum > 0.0,
         _("Nesterov momentum needs a momentum above 0"));
  CHECK (isfinite (spec->clip) && spec->clip >= 0.0, _("clipping norm %g must be 0 (off) or positive"),
         spec->clip);
  CHECK (spec->schedule <= RECUR_SCHEDULE_PLATEAU, _("unknown learning-rate schedule"));
  CHECK (spec->gamma > 0.0 && spec->gamma <= 1.0, _("decay factor %g is out of range (0 < γ ≤ 1)"),
         spec->gamma);
  CHECK (spec->step_size >= 1, _("the step schedule needs a step size of at least 1 epoch"));
  CHECK (spec->threads >= 1 && spec->threads <= 256, _("threads %u is out of range (1–256)"),
         spec->threads);
#undef CHECK
  return TRUE;
}

static guint
batch_capacity (const RecurTrainer *self)
{
  return MIN (self->spec.batch_size,
              MAX (recur_dataset_get_n_train_windows (self->data),
                   recur_dataset_get_n_val_windows (self->data)));
}

/* The stackable cells' passes only read the shared weights and write their own buffers.
 * Jordan's auxiliary loss is a mean over the whole batch, so it stays in one piece. */
guint
recur_train_shards (const RecurModelSpec *ms,
                    guint                 batch)
{
  return recur_cell_is_stackable (ms->cell) ? CLAMP (batch / SHARD_ROWS, 1, MAX_SHARDS) : 1;
}

/* Gives each shard its rows of a minibatch of `batch`: as even as can be, in order. */
static void
split_batch (RecurTrainer *self,
             guint         batch)
{
  for (guint s = 0; s < self->n_shards; s++)
    {
      self->shards[s].first = (guint) ((guint64) s * batch / self->n_shards);
      self->shards[s].rows = (guint) ((guint64) (s + 1) * batch / self->n_shards)
                             - self->shards[s].first;
    }
}

RecurTrainer *
recur_trainer_new (RecurModel           *model,
                   const RecurDataset   *data,
                   const RecurTrainSpec *spec,
                   GError              **error)
{
  const RecurModelSpec *ms = recur_model_get_spec (model);
  const RecurSplitSpec *ds = recur_dataset_get_spec (data);
  RecurTrainer *self;
  guint n_train, batch;
  gboolean lean;

  if (!validate_spec (spec, error))
    return NULL;
  /* a member of an ensemble may read the last points of the data's windows */
  if (ds->window < ms->window
      || recur_dataset_get_target_size (data) != recur_model_spec_output_size (ms)
      || ms->input_size != recur_dataset_get_input_size (data))
    {
      g_set_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_MISMATCH,
                   _("the data's windows (%u steps, %u targets) do not fit the model "
                     "(%u steps, %u outputs, %u inputs)"),
                   ds->window, recur_dataset_get_target_size (data), ms->window,
                   recur_model_spec_output_size (ms), ms->input_size);
      return NULL;
    }

  n_train = recur_dataset_get_n_train_windows (data);
  self = g_new0 (RecurTrainer, 1);
  self->spec = *spec;
  self->model = model;
  self->data = data;
  self->out = recur_dataset_get_target_size (data);
  batch = batch_capacity (self);
  self->n_shards = recur_train_shards (ms, batch);
  self->shards = g_new0 (Shard, self->n_shards);
  self->team = recur_team_new (MIN (spec->threads, self->n_shards));
  recur_rng_init (&self->shuffle_rng, spec->seed ^ SHUFFLE_STREAM);
  self->summary.best_loss = INFINITY;
  split_batch (self, batch); /* the shards' largest share */
  lean = !recur_train_keeps_gates (ms, batch);
  /* every size below comes from options (window, batch, hidden units, horizon) or the data's
   * length: memory that cannot be had is an error, not an abort */
  if (!(self->best = recur_model_try_copy (model, error)))
    goto fail;
  for (guint s = 0; s < self->n_shards; s++)
    {
      Shard *shard = &self->shards[s];

      shard->ws = recur_workspace_try_new (model, shard->rows,
                                           lean ? RECUR_WORKSPACE_LEAN
                                                : RECUR_WORKSPACE_TRAINING,
                                           error);
      if (shard->ws == NULL
          || !(shard->input = recur_try_alloc ((gsize) ms->window * shard->rows
                                               * ms->input_size, sizeof (float),
                                               _("a minibatch's windows"), error))
          || !(shard->grads = s ? recur_try_alloc0 (recur_model_get_n_params (model),
                                                    sizeof (float), _("a shard's gradients"),
                                                    error)
                                : recur_model_get_grads (model)))
        goto fail;
      /* shard 0 draws the stream an unsplit batch draws */
      recur_rng_init (&shard->dropout_rng, (spec->seed ^ DROPOUT_STREAM) + s);
    }
  self->grad_flow = g_new0 (double, (gsize) ms->num_layers * ms->window);
  if (!(self->optimizer = recur_optimizer_try_new (&spec->optimizer,
                                                   recur_model_get_n_params (model), error))
      || !(self->order = recur_try_alloc (n_train, sizeof (guint), _("the training windows"),
                                          error))
      || !(self->starts = recur_try_alloc (batch, sizeof (guint), _("a minibatch"), error))
      || !(self->target = recur_try_alloc ((gsize) batch * self->out, sizeof (float),
                                           _("a minibatch's targets"), error))
      || !(self->output = recur_try_alloc ((gsize) batch * self->out, sizeof (float),
                                           _("a minibatch's outputs"), error))
      || !(self->d_output = recur_try_alloc ((gsize) batch * self->out, sizeof (float),
                                             _("a minibatch's outputs"), error)))
    goto fail;
  for (guint i = 0; i < n_train; i++)
    self->order[i] = recur_dataset_train_window_start (data, i);
  return self;

fail:
  recur_trainer_free (self);
  return NULL;
}

void
recur_trainer_free (RecurTrainer *self)
{
  if (self == NULL)
    return;
  recur_model_free (self->best);
  recur_team_free (self->team);
  for (guint s = 0; s < self->n_shards; s++)
    {
      recur_workspace_free (self->shards[s].ws);
      g_free (self->shards[s].input);
      if (s > 0)
        g_free (self->shards[s].grads);
    }
  g_free (self->shards);
  g_free (self->grad_flow);
  recur_optimizer_free (self->optimizer);
  g_free (self->order);
  g_free (self->starts);
  g_free (self->target);
  g_free (self->output);
  g_free (self->d_output);
  g_free (self);
}

gboolean
recur_trainer_can_resume (const RecurTrainer *self)
{
  return self->summary.epochs_run > 0 && self->summary.epochs_run < self->spec.epochs
         && !self->summary.stopped_early
         && !recur_cell_is_one_shot (recur_model_get_spec (self->model)->cell);
}

const RecurTrainSummary *
recur_trainer_get_summary (const RecurTrainer *self)
{
  return &self->summary;
}

/* Scheduled rate for `epoch` (1-based); PLATEAU's decays are applied by the caller. */
static double
scheduled_lr (const RecurTrainSpec *spec,
              guint                 epoch,
              double                plateau_lr)
{
  double lr0 = spec->optimizer.lr;

  switch (spec->schedule)
    {
    case RECUR_SCHEDULE_STEP:
      return lr0 * pow (spec->gamma, (double) ((epoch - 1) / spec->step_size));
    case RECUR_SCHEDULE_COSINE:
      return lr0 * 0.5 * (1.0 + cos (G_PI * (double) (epoch - 1) / (double) spec->epochs));
    case RECUR_SCHEDULE_PLATEAU:
      return plateau_lr;
    case RECUR_SCHEDULE_CONSTANT:
    default:
      return lr0;
    }
}

typedef struct
{
  RecurTrainer *self;
  guint batch;
  gboolean training;
} BatchJob;

/* One shard's rows of self->starts: forward, loss, and when training the loss gradient (scaled
 * to the whole batch's mean) and the backward pass into the shard's gradients. */
static void
run_shard (guint    s,
           gpointer data)
{
  BatchJob *job = data;
  RecurTrainer *self = job->self;
  Shard *shard = &self->shards[s];
  gsize o = (gsize) shard->first * self->out, n = (gsize) shard->rows * self->out;
  float *d_output = job->training ? self->d_output + o : NULL;

  if (job->training)
    memset (shard->grads, 0, recur_model_get_n_params (self->model) * sizeof (float));
  shard->loss = 0.0;
  if (shard->rows == 0)
    return;
  recur_dataset_gather_last (self->data, recur_model_get_spec (self->model)->window,
                             self->starts + shard->first, shard->rows, shard->input,
                             self->target + o);
  recur_model_forward (self->model, shard->ws, shard->rows, shard->input, job->training,
                       &shard->dropout_rng, self->output + o);
  shard->loss = recur_loss (self->spec.loss, self->output + o, self->target + o, n, d_output);
  if (!job->training)
    return;
  if (shard->rows != job->batch)
    {
      float share = (float) shard->rows / (float) job->batch;
      for (gsize i = 0; i < n; i++)
        d_output[i] *= share;
    }
  recur_model_auxiliary_loss (self->model, shard->ws, self->spec.loss, TRUE);
  recur_model_backward_into (self->model, shard->ws, d_output, self->spec.truncate,
                             shard->grads);
}

/* The first `batch` windows of self->starts through the shards, on the team's threads. Training
 * leaves the batch's gradient in the model, summed over the shards in their order. Returns the
 * batch's mean loss. */
static double
run_batch (RecurTrainer *self,
           guint         batch,
           gboolean      training)
{
  BatchJob job = { self, batch, training };
  gsize n_params = recur_model_get_n_params (self->model);
  double total = 0.0;

  split_batch (self, batch);
  recur_team_run (self->team, self->n_shards, run_shard, &job);
  if (self->n_shards == 1)
    return self->shards[0].loss;

  for (guint s = 0; s < self->n_shards; s++)
    total += self->shards[s].loss * self->shards[s].rows;
  if (training)
    {
      float *sum = self->shards[0].grads;
      for (guint s = 1; s < self->n_shards; s++)
        for (gsize i = 0; i < n_params; i++)
          sum[i] += self->shards[s].grads[i];
    }
  return total / batch;
}

/* ‖∂loss/∂h_t‖ of the last minibatch over all its rows: the shards' norms in quadrature. Before
 * any evaluation: the shards' rows must still be that minibatch's. */
static const double *
last_grad_flow (RecurTrainer *self)
{
  const RecurModelSpec *ms = recur_model_get_spec (self->model);
  gsize n = (gsize) ms->num_layers * ms->window;

  if (self->n_shards == 1)
    return recur_workspace_get_grad_flow (self->shards[0].ws, 0);
  memset (self->grad_flow, 0, n * sizeof (double));
  for (guint s = 0; s < self->n_shards; s++)
    {
      const double *g = recur_workspace_get_grad_flow (self->shards[s].ws, 0);
      if (self->shards[s].rows == 0)
        continue;
      for (gsize i = 0; i < n; i++)
        self->grad_flow[i] += g[i] * g[i];
    }
  for (gsize i = 0; i < n; i++)
    self->grad_flow[i] = sqrt (self->grad_flow[i]);
  return self->grad_flow;
}

/* Mean loss over `n` windows whose starts `start_of` gives, in minibatches, without dropout. */
static double
evaluate_windows (RecurTrainer *self,
                  guint         n,
                  guint       (*start_of) (const RecurDataset *, guint))
{
  guint max_batch = batch_capacity (self);
  double total = 0.0;

  for (guint first = 0; first < n; first += max_batch)
    {
      guint batch = MIN (max_batch, n - first);
      for (guint b = 0; b < batch; b++)
        self->starts[b] = start_of (self->data, first + b);
      total += run_batch (self, batch, FALSE) * batch;
    }
  return total / n;
}

double
recur_trainer_evaluate_validation (RecurTrainer *self)
{
  guint n = recur_dataset_get_n_val_windows (self->data);

  if (n == 0)
    return NAN;
  return evaluate_windows (self, n, recur_dataset_val_window_start);
}

/* One minibatch: forward, loss, backward, clip, step. Returns the batch's mean loss: the head's,
 * as validation measures it. The objective also holds the cell's auxiliary loss (Jordan's
 * one-step outputs), whose gradient the backward pass adds. */
static double
train_step (RecurTrainer *self,
            guint         batch,
            double        lr,
            double       *grad_norm)
{
  float *grads = recur_model_get_grads (self->model);
  gsize n_params = recur_model_get_n_params (self->model);
  double loss = run_batch (self, batch, TRUE);

  *grad_norm = recur_clip_grad_norm (grads, n_params, self->spec.clip);
  recur_optimizer_step (self->optimizer, recur_model_get_params (self->model), grads, lr);
  return loss;
}

/* What an epoch is judged by: its validation loss, or without validation windows its training
 * loss. A validation loss that became NaN is a divergence, not a lack of validation. */
static double
epoch_score (const RecurTrainer *self,
             double              train_loss,
             double              val_loss)
{
  return recur_dataset_get_n_val_windows (self->data) > 0 ? val_loss : train_loss;
}

static gboolean
diverged (double      loss,
          guint       epoch,
          GError    **error)
{
  if (isfinite (loss))
    return FALSE;
  g_set_error (error, RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_DIVERGED,
               _("training diverged at epoch %u: the loss became %s; try a lower learning rate "
                 "or gradient clipping"), epoch, isnan (loss) ? "NaN" : "infinite");
  return TRUE;
}

/* Mean loss over the training windows, in their order; as recur_trainer_evaluate_validation. */
static double
evaluate_training (RecurTrainer *self)
{
  return evaluate_windows (self, recur_dataset_get_n_train_windows (self->data),
                           recur_dataset_train_window_start);
}

/* A one-shot fit (ESN): no epochs, no optimiser; one progress report, as epoch 1 of 1. */
static gboolean
run_one_shot (RecurTrainer       *self,
              GCancellable       *cancellable,
              RecurProgressFunc   progress,
              gpointer            user_data,
              GError            **error)
{
  const RecurModelSpec *ms = recur_model_get_spec (self->model);
  guint n_train = recur_dataset_get_n_train_windows (self->data);
  gint64 t_start = g_get_monotonic_time ();
  RecurProgress p = { 0 };
  double score;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return FALSE;
  if (!recur_esn_fit (self->model, self->shards[0].ws, batch_capacity (self), self->data, error))
    return FALSE;

  p.epoch = p.epochs = 1;
  p.windows = n_train;
  p.train_loss = evaluate_training (self);
  p.val_loss = recur_trainer_evaluate_validation (self);
  score = epoch_score (self, p.train_loss, p.val_loss);
  if (diverged (score, 1, error))
    return FALSE;
  p.lr = 0.0;
  p.best_epoch = 1;
  p.best_loss = score;
  p.improved = TRUE;
  p.grad_flow = last_grad_flow (self); /* zero: no backward pass */
  p.grad_flow_layers = ms->num_layers;
  p.grad_flow_window = ms->window;
  self->summary.epochs_run = 1;
  self->summary.best_epoch = 1;
  self->summary.best_loss = score;
  self->summary.train_loss = p.train_loss;
  self->summary.val_loss = p.val_loss;
  recur_model_copy_params (self->best, self->model);
  p.epoch_seconds = p.elapsed_seconds = (g_get_monotonic_time () - t_start) / 1e6;
  self->summary.seconds = p.elapsed_seconds;
  self->summary.windows_per_second = p.elapsed_seconds > 0 ? n_train / p.elapsed_seconds : 0.0;
  if (progress)
    progress (&p, user_data);
  return TRUE;
}

gboolean
recur_trainer_run (RecurTrainer       *self,
                   GCancellable       *cancellable,
                   RecurProgressFunc   progress,
                   gpointer            user_data,
                   GError            **error)
{
  const RecurTrainSpec *spec = &self->spec;
  guint n_train = recur_dataset_get_n_train_windows (self->data);
  guint capacity = batch_capacity (self);
  gint64 t_start = g_get_monotonic_time ();
  gboolean ok = TRUE;

  /* A second call resumes: the epochs go on from where they stopped, with the optimiser's
   * moments, the shuffling and the best weights as they were. */
  double seconds_before = self->summary.seconds;

  if (self->summary.epochs_run == 0)
    {
      memset (&self->summary, 0, sizeof self->summary);
      self->summary.best_loss = INFINITY;
      seconds_before = 0.0;
      recur_model_copy_params (self->best, self->model);
      self->bad_epochs = 0;
      self->plateau_bad = 0;
      self->plateau_best = INFINITY;
      self->plateau_lr = spec->optimizer.lr;
      self->last_lr = NAN;
    }
  if (recur_cell_is_one_shot (recur_model_get_spec (self->model)->cell))
    return run_one_shot (self, cancellable, progress, user_data, error);

  for (guint epoch = self->summary.epochs_run + 1; epoch <= spec->epochs; epoch++)
    {
      gint64 t_epoch = g_get_monotonic_time ();
      double lr = scheduled_lr (spec, epoch, self->plateau_lr);
      double total = 0.0, norm_sum = 0.0, score;
      guint n_steps = 0;
      RecurProgress p = { 0 };

      recur_rng_shuffle (&self->shuffle_rng, self->order, n_train);
      for (guint first = 0; first < n_train; first += capacity)
        {
          guint batch = MIN (capacity, n_train - first);
          double norm, loss;

          if (g_cancellable_set_error_if_cancelled (cancellable, error))
            {
              ok = FALSE;
              break;
            }
          memcpy (self->starts, self->order + first, batch * sizeof (guint));
          loss = train_step (self, batch, lr, &norm);
          if (diverged (loss, epoch, error))
            {
              ok = FALSE;
              break;
            }
          total += loss * batch;
          norm_sum += norm;
          n_steps++;
        }
      if (!ok)
        break;

      p.epoch = epoch;
      p.epochs = spec->epochs;
      p.windows = n_train;
      p.train_loss = total / n_train;
      /* before validation splits its own minibatches over the shards */
      p.grad_flow = last_grad_flow (self);
      p.val_loss = recur_trainer_evaluate_validation (self);
      p.grad_norm = norm_sum / n_steps; /* every dataset has a training window */
      p.lr = lr;
      p.lr_changed = epoch > 1 && lr != self->last_lr;
      p.grad_flow_layers = recur_model_get_spec (self->model)->num_layers;
      p.grad_flow_window = recur_model_get_spec (self->model)->window;
      self->last_lr = lr;
      score = epoch_score (self, p.train_loss, p.val_loss);
      if (diverged (score, epoch, error))
        {
          ok = FALSE;
          break;
        }

      p.improved = score < self->summary.best_loss;
      if (p.improved)
        {
          self->summary.best_loss = score;
          self->summary.best_epoch = epoch;
          self->summary.train_loss = p.train_loss;
          self->summary.val_loss = p.val_loss;
          recur_model_copy_params (self->best, self->model);
          self->bad_epochs = 0;
        }
      else
        self->bad_epochs++;

      /* ReduceLROnPlateau, relative threshold 1e-4 as PyTorch's default */
      if (spec->schedule == RECUR_SCHEDULE_PLATEAU)
        {
          if (score < self->plateau_best * (1.0 - 1e-4))
            {
              self->plateau_best = score;
              self->plateau_bad = 0;
            }
          else if (++self->plateau_bad > spec->plateau_patience)
            {
              self->plateau_lr *= spec->gamma;
              self->plateau_bad = 0;
            }
        }

      self->summary.epochs_run = epoch;
      p.best_epoch = self->summary.best_epoch;
      p.best_loss = self->summary.best_loss;
      p.epoch_seconds = (g_get_monotonic_time () - t_epoch) / 1e6;
      p.elapsed_seconds = seconds_before + (g_get_monotonic_time () - t_start) / 1e6;
      if (progress)
        progress (&p, user_data);

      if (spec->patience && self->bad_epochs >= spec->patience)
        {
          self->summary.stopped_early = TRUE;
          break;
        }
    }

  /* Whatever happened, the model leaves with the best weights seen. */
  if (self->summary.best_epoch > 0)
    recur_model_copy_params (self->model, self->best);
  self->summary.seconds = seconds_before + (g_get_monotonic_time () - t_start) / 1e6;
  self->summary.windows_per_second = self->summary.seconds > 0
    ? (double) self->summary.epochs_run * n_train / self->summary.seconds
    : 0.0;
  return ok;
}
