/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-cores.h"
#include "recur-memory.h"
#include "recur-run.h"
#include "recur-sync.h"

/* How often the main loop looks into the mailbox, and how often the worker rebuilds the
 * prediction snapshot (a forward pass per validation point: not every epoch of a fast run). */
#define DRAIN_INTERVAL_MS 33
#define PREDICTIONS_INTERVAL_US (400 * G_TIME_SPAN_MILLISECOND)

struct _RecurRun
{
  GObject parent_instance;

  char *name;
  RecurRunRole role;
  RecurJob *job;
  GCancellable *cancellable;

  /* main thread */
  RecurRunStatus status;
  GError *error;
  guint drain_id;
  gint64 started_at;    /* monotonic µs, 0 before the worker picked the run up */
  gint64 ended_at;
  GArray *train_loss;
  GArray *val_loss;
  GArray *lr;
  GArray *grad_norm;
  GArray *seconds;
  RecurProgress last;
  RecurModel *best_model;  /* the best epoch's weights, as last drained */
  guint best_epoch;
  RecurStatesSnapshot *states;
  RecurPredictionSnapshot *predictions;
  guint n_members;           /* an ensemble's, as this training started; 1 for one network */
  RecurMemberEpoch *members; /* [n_members] as last drained; NULL for one network */
  guint n_histories;         /* the ensemble asked for; 0 for one network */
  GArray **member_train;     /* [n_histories] each member's loss per epoch (NAN where none;
                              * member 0's stays empty: it is the run's own) */
  GArray **member_val;

  /* mailbox: written by the worker, drained by the main loop, under lock */
  GMutex lock;
  gboolean pending_started;
  gint64 pending_started_at;
  GArray *pending;                         /* RecurProgress, reserved for every epoch */
  RecurStatesSnapshot *pending_states;     /* latest only */
  RecurPredictionSnapshot *pending_predictions;
  float *pending_best;                     /* the model's parameters at pending_best_epoch */
  guint pending_best_epoch;                /* 0: nothing new */
  RecurMemberEpoch *pending_members;       /* [n_members], latest of each */
  GArray *pending_member_losses;           /* MemberLoss, since the last drain */
  gboolean pending_members_changed;
  guint states_window;

  /* recur_run_set_epoch_func: called by the worker with every epoch as it ends, under
   * epoch_lock, which the worker holds from the call until the epoch is in the mailbox (so that
   * replaying what is there misses none and repeats none). Not the mailbox's lock: the drain
   * never waits for a write to the disk. */
  GMutex epoch_lock;
  RecurEpochFunc epoch_func;
  gpointer epoch_data;
  GDestroyNotify epoch_destroy;

  /* worker only */
  RecurWorkspace *inspect_ws;
  gint64 predictions_at;
  RecurPredictionSnapshot *made_predictions; /* the last made: its Theta forecasts reused */
  double *grad_flow;       /* the last epoch's, for the final snapshot */
};

G_DEFINE_FINAL_TYPE (RecurRun, recur_run, G_TYPE_OBJECT)

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const char *
recur_run_status_to_string (RecurRunStatus status)
{
  switch (status)
    {
    case RECUR_RUN_QUEUED:
      return C_("run status", "Queued");
    case RECUR_RUN_TRAINING:
      return C_("run status", "Training");
    case RECUR_RUN_STOPPED:
      return C_("run status", "Stopped");
    case RECUR_RUN_FINISHED:
      return C_("run status", "Finished");
    case RECUR_RUN_FAILED:
      return C_("run status", "Failed");
    case RECUR_RUN_INTERRUPTED:
      return _("Interrupted");
    case RECUR_RUN_DAMAGED:
      return _("Damaged");
    default:
      return "";
    }
}

static const char *const status_ids[] = { "queued", "training", "stopped", "finished", "failed",
                                          "interrupted", "damaged" };
G_STATIC_ASSERT (G_N_ELEMENTS (status_ids) == RECUR_RUN_DAMAGED + 1);

const char *
recur_run_status_to_id (RecurRunStatus status)
{
  g_return_val_if_fail (status < G_N_ELEMENTS (status_ids), NULL);
  return status_ids[status];
}

gboolean
recur_run_status_from_id (const char     *id,
                          RecurRunStatus *status)
{
  for (guint i = 0; i < G_N_ELEMENTS (status_ids); i++)
    if (g_strcmp0 (id, status_ids[i]) == 0)
      {
        *status = (RecurRunStatus) i;
        return TRUE;
      }
  return FALSE;
}

static void
recur_run_dispose (GObject *object)
{
  RecurRun *self = RECUR_RUN (object);

  g_clear_handle_id (&self->drain_id, g_source_remove);
  recur_run_set_epoch_func (self, 0, NULL, NULL, NULL);
  G_OBJECT_CLASS (recur_run_parent_class)->dispose (object);
}

static void
recur_run_finalize (GObject *object)
{
  RecurRun *self = RECUR_RUN (object);

  g_free (self->name);
  g_clear_pointer (&self->job, recur_job_free);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->error);
  g_array_unref (self->train_loss);
  g_array_unref (self->val_loss);
  g_array_unref (self->lr);
  g_array_unref (self->grad_norm);
  g_array_unref (self->seconds);
  g_clear_pointer (&self->best_model, recur_model_free);
  g_free (self->pending_best);
  g_free (self->members);
  g_free (self->pending_members);
  for (guint k = 0; k < self->n_histories; k++)
    {
      g_array_unref (self->member_train[k]);
      g_array_unref (self->member_val[k]);
    }
  g_free (self->member_train);
  g_free (self->member_val);
  g_clear_pointer (&self->pending_member_losses, g_array_unref);
  g_array_unref (self->pending);
  g_clear_pointer (&self->states, recur_states_snapshot_unref);
  g_clear_pointer (&self->predictions, recur_prediction_snapshot_unref);
  g_clear_pointer (&self->pending_states, recur_states_snapshot_unref);
  g_clear_pointer (&self->pending_predictions, recur_prediction_snapshot_unref);
  g_clear_pointer (&self->inspect_ws, recur_workspace_free);
  g_clear_pointer (&self->made_predictions, recur_prediction_snapshot_unref);
  g_free (self->grad_flow);
  recur_mutex_clear (&self->lock);
  recur_mutex_clear (&self->epoch_lock);
  G_OBJECT_CLASS (recur_run_parent_class)->finalize (object);
}

static void
recur_run_class_init (RecurRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = recur_run_dispose;
  object_class->finalize = recur_run_finalize;

  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 0);
}

static void
recur_run_init (RecurRun *self)
{
  recur_mutex_init (&self->lock);
  recur_mutex_init (&self->epoch_lock);
  self->cancellable = g_cancellable_new ();
  self->train_loss = g_array_new (FALSE, FALSE, sizeof (double));
  self->val_loss = g_array_new (FALSE, FALSE, sizeof (double));
  self->lr = g_array_new (FALSE, FALSE, sizeof (double));
  self->grad_norm = g_array_new (FALSE, FALSE, sizeof (double));
  self->seconds = g_array_new (FALSE, FALSE, sizeof (double));
}

RecurRun *
recur_run_new (const char            *name,
               const RecurJobConfig  *config,
               RecurSeries           *series,
               GError               **error)
{
  g_autoptr(RecurRun) self = NULL;
  RecurJobConfig used;
  RecurJob *job;
  const RecurDataset *data;

  /* an ensemble's members may take every core of the process that no other training holds
   * (recur_job_train); how many do never changes a number */
  recur_job_config_copy (&used, config);
  if (used.ensemble > 1)
    used.train.threads = MAX (used.train.threads, MIN (used.ensemble, recur_cores_get_total ()));
  job = recur_job_new (&used, recur_series_ref (series), error);
  recur_job_config_clear (&used);
  if (job == NULL)
    return NULL;
  self = g_object_new (RECUR_TYPE_RUN, NULL);
  self->name = g_strdup (name);
  self->job = job;
  self->status = RECUR_RUN_QUEUED;
  /* grows past this with the epochs (up to a million) as they come */
  self->pending = g_array_sized_new (FALSE, FALSE, sizeof (RecurProgress),
                                     MIN (config->train.epochs, 1024));
  /* the sizes come from options: memory that cannot be had is an error, not an abort */
  self->inspect_ws = recur_workspace_try_new (recur_job_get_model (job), 1, RECUR_WORKSPACE_FULL,
                                              error);
  if (self->inspect_ws == NULL)
    return NULL;
  /* allocated here so that the worker only copies into it */
  self->best_model = recur_model_try_copy (recur_job_get_model (job), error);
  if (self->best_model == NULL
      || !(self->pending_best = recur_try_alloc (recur_model_get_n_params (self->best_model),
                                                 sizeof (float), _("the best weights"), error)))
    return NULL;
  data = recur_job_get_dataset (job);
  self->states_window = recur_dataset_get_test_start (data) - config->model.window;
  return g_steal_pointer (&self);
}

/* Whether weights are every member of the job, each of its spec's size. */
static gboolean
weights_fit (RecurJob          *job,
             RecurModel *const *weights,
             guint              n_weights)
{
  if (n_weights == 0 || n_weights != recur_job_get_n_members (job))
    return FALSE;
  for (guint k = 0; k < n_weights; k++)
    if (recur_model_get_n_params (weights[k])
        != recur_model_get_n_params (recur_job_get_model (job)))
      return FALSE;
  return TRUE;
}

RecurRun *
recur_run_new_restored (const char            *name,
                        const RecurJobConfig  *config,
                        RecurSeries           *series,
                        RecurModel *const     *weights,
                        guint                  n_weights,
                        guint                  n_epochs,
                        const double          *train_loss,
                        const double          *val_loss,
                        const double          *lr,
                        RecurRunStatus         status,
                        const char            *message,
                        GError               **error)
{
  g_autoptr(RecurRun) self = NULL;
  RecurJobConfig used;
  RecurModel *model;
  double best = INFINITY;

  /* an ensemble stopped before all its members started kept fewer: those are the run's */
  recur_job_config_copy (&used, config);
  if (status != RECUR_RUN_INTERRUPTED && n_weights >= 1 && n_weights < config->ensemble)
    used.ensemble = n_weights;
  self = recur_run_new (name, &used, series, error);
  recur_job_config_clear (&used);
  if (self == NULL)
    return NULL;
  g_return_val_if_fail (status != RECUR_RUN_QUEUED && status != RECUR_RUN_TRAINING, NULL);
  for (guint i = 0; i < n_epochs; i++)
    {
      double score = isnan (val_loss[i]) ? train_loss[i] : val_loss[i];
      g_array_append_val (self->train_loss, train_loss[i]);
      g_array_append_val (self->val_loss, val_loss[i]);
      g_array_append_val (self->lr, lr[i]);
      /* not stored by every writer: unknown, but as long as the others */
      g_array_append_val (self->grad_norm, (double) { NAN });
      g_array_append_val (self->seconds, (double) { NAN });
      if (score < best)
        {
          best = score;
          self->last.best_epoch = i + 1;
        }
    }
  /* the snapshots are of the best weights, which a project keeps */
  model = recur_job_get_model (self->job);
  if (weights_fit (self->job, weights, n_weights))
    {
      for (guint k = 0; k < n_weights; k++)
        recur_model_copy_params (recur_job_get_members (self->job)[k], weights[k]);
      if (!recur_job_score (self->job, error))
        return NULL;
      self->states = recur_states_snapshot_new (model, self->inspect_ws,
                                                recur_job_get_dataset (self->job),
                                                g_atomic_int_get (&self->states_window), NULL,
                                                self->last.best_epoch);
      self->predictions = recur_prediction_snapshot_new (recur_job_get_members (self->job),
                                                         recur_job_get_n_members (self->job),
                                                         self->inspect_ws,
                                                         recur_job_get_dataset (self->job),
                                                         recur_job_get_series (self->job),
                                                         recur_job_get_observed (self->job),
                                                         self->last.best_epoch, NULL);
    }
  self->last.epoch = n_epochs;
  self->last.epochs = config->train.epochs;
  self->last.best_loss = best;
  if (n_epochs)
    {
      self->last.train_loss = train_loss[n_epochs - 1];
      self->last.val_loss = val_loss[n_epochs - 1];
    }
  self->status = status;
  if (message && status == RECUR_RUN_FAILED)
    self->error = g_error_new_literal (RECUR_TRAINER_ERROR, RECUR_TRAINER_ERROR_DIVERGED, message);
  return g_steal_pointer (&self);
}

/* ---- worker side ------------------------------------------------------------------------- */

/* Builds the snapshots (outside the lock: they run the model) and posts them. While an
 * ensemble trains, its other members are being written on other threads: its predictions are
 * then member 0's, and the members' median once training has ended (`ended`). */
static void
post_snapshots (RecurRun *self,
                guint     epoch,
                gboolean  force_predictions,
                gboolean  ended)
{
  RecurJob *job = self->job;
  RecurModel *model = recur_job_get_model (job);
  const RecurDataset *data = recur_job_get_dataset (job);
  RecurStatesSnapshot *states;
  RecurPredictionSnapshot *predictions = NULL;
  gint64 now = g_get_monotonic_time ();

  states = recur_states_snapshot_new (model, self->inspect_ws, data,
                                      g_atomic_int_get (&self->states_window),
                                      self->grad_flow, epoch);
  if (force_predictions || now - self->predictions_at >= PREDICTIONS_INTERVAL_US)
    {
      predictions = recur_prediction_snapshot_new (recur_job_get_members (job),
                                                   ended ? recur_job_get_n_members (job) : 1,
                                                   self->inspect_ws, data,
                                                   recur_job_get_series (job),
                                                   recur_job_get_observed (job), epoch,
                                                   self->made_predictions);
      self->predictions_at = now;
      g_clear_pointer (&self->made_predictions, recur_prediction_snapshot_unref);
      self->made_predictions = recur_prediction_snapshot_ref (predictions);
    }

  recur_mutex_lock (&self->lock);
  g_clear_pointer (&self->pending_states, recur_states_snapshot_unref);
  self->pending_states = states;
  if (predictions)
    {
      g_clear_pointer (&self->pending_predictions, recur_prediction_snapshot_unref);
      self->pending_predictions = predictions;
    }
  recur_mutex_unlock (&self->lock);
}

/* An epoch of an ensemble's member k > 0, in the mailbox until the drain keeps its losses. */
typedef struct
{
  guint  k;
  guint  epoch;
  double train_loss;
  double val_loss;
} MemberLoss;

/* An ensemble's members' epochs: each member's latest for the status line, and the losses of
 * members past 0 for their curves. */
static void
on_worker_member_epoch (guint    k,
                        guint    epoch,
                        guint    epochs,
                        double   train_loss,
                        double   val_loss,
                        gboolean ended,
                        gpointer user_data)
{
  RecurRun *self = user_data;

  recur_mutex_lock (&self->lock);
  if (k < self->n_members)
    {
      self->pending_members[k] = (RecurMemberEpoch) { epoch, epochs, ended };
      self->pending_members_changed = TRUE;
    }
  if (!ended && k > 0 && k < self->n_histories && epoch >= 1)
    {
      MemberLoss loss = { k, epoch, train_loss, val_loss };
      g_array_append_val (self->pending_member_losses, loss);
    }
  recur_mutex_unlock (&self->lock);
}

/* An ensemble's members' loss histories, once: they last over a resumed training (a member
 * carries on from its epoch), and a restored run has them from its project. */
static void
ensure_member_histories (RecurRun *self)
{
  guint n = recur_job_get_n_members (self->job);

  if (self->n_histories > 0 || n < 2)
    return;
  self->n_histories = n;
  self->member_train = g_new (GArray *, n);
  self->member_val = g_new (GArray *, n);
  self->pending_member_losses = g_array_new (FALSE, FALSE, sizeof (MemberLoss));
  for (guint k = 0; k < n; k++)
    {
      self->member_train[k] = g_array_new (FALSE, FALSE, sizeof (double));
      self->member_val[k] = g_array_new (FALSE, FALSE, sizeof (double));
    }
}

void
recur_run_restore_member_losses (RecurRun     *self,
                                 guint         k,
                                 guint         n_epochs,
                                 const double *train_loss,
                                 const double *val_loss)
{
  g_return_if_fail (RECUR_IS_RUN (self));
  g_return_if_fail (!recur_run_is_active (self));
  ensure_member_histories (self);
  if (k == 0 || k >= self->n_histories)
    return;
  g_array_set_size (self->member_train[k], 0);
  g_array_set_size (self->member_val[k], 0);
  g_array_append_vals (self->member_train[k], train_loss, n_epochs);
  g_array_append_vals (self->member_val[k], val_loss, n_epochs);
}

/* A member's loss into its history at its epoch (1-based), NAN over any epoch skipped. */
static void
keep_member_loss (RecurRun         *self,
                  const MemberLoss *loss)
{
  GArray *train = self->member_train[loss->k], *val = self->member_val[loss->k];

  while (train->len < loss->epoch)
    {
      g_array_append_val (train, (double) { NAN });
      g_array_append_val (val, (double) { NAN });
    }
  g_array_index (train, double, loss->epoch - 1) = loss->train_loss;
  g_array_index (val, double, loss->epoch - 1) = loss->val_loss;
}

static void
on_worker_progress (const RecurProgress *p,
                    gpointer             user_data)
{
  RecurRun *self = user_data;
  RecurProgress copy = *p;

  copy.grad_flow = NULL; /* points into the trainer's workspace: the snapshot keeps a copy */
  if (self->grad_flow == NULL)
    self->grad_flow = g_new (double, (gsize) p->grad_flow_layers * p->grad_flow_window);
  memcpy (self->grad_flow, p->grad_flow,
          (gsize) p->grad_flow_layers * p->grad_flow_window * sizeof (double));
  recur_mutex_lock (&self->epoch_lock);
  if (self->epoch_func)
    {
      RecurEpoch epoch = { p->epoch, p->train_loss, p->val_loss, p->lr, p->grad_norm,
                           p->elapsed_seconds };
      self->epoch_func (&epoch, self->epoch_data);
    }
  recur_mutex_lock (&self->lock);
  g_array_append_val (self->pending, copy);
  recur_mutex_unlock (&self->epoch_lock);
  if (p->improved)
    {
      /* the model holds this epoch's weights now, the best ones: a project can save them */
      RecurModel *model = recur_job_get_model (self->job);
      memcpy (self->pending_best, recur_model_peek_params (model),
              recur_model_get_n_params (model) * sizeof (float));
      self->pending_best_epoch = p->epoch;
    }
  recur_mutex_unlock (&self->lock);
  post_snapshots (self, p->epoch, FALSE, FALSE);
}

/* The training of a run, on the thread that trains it. */
typedef struct
{
  RecurRun *run;
  GError   *error;
  gboolean  ok;
} Training;

static void
train (Training *t)
{
  recur_job_set_member_progress (t->run->job, on_worker_member_epoch, t->run);
  t->ok = recur_job_train (t->run->job, t->run->cancellable, on_worker_progress, t->run,
                           &t->error);
}

/* A background pool's training, on a thread of its own that yields to the main loop: the pool's
 * thread, which GLib hands to other work afterwards (a GTask's), keeps its priority. The
 * threads it starts (members, shards) inherit the lower one. */
static gpointer
train_in_background (gpointer data)
{
  recur_cores_yield_to_interactive ();
  train (data);
  return NULL;
}

static void
run_worker (gpointer data,
            gpointer user_data)
{
  GTask *task = data;
  RecurRun *self = g_task_get_task_data (task);
  Training t = { self, NULL, FALSE };
  GError *error;
  gboolean ok;

  recur_sync_acquire (self); /* what the main thread did before recur_run_start */
  recur_mutex_lock (&self->lock);
  self->pending_started = TRUE;
  self->pending_started_at = g_get_monotonic_time ();
  recur_mutex_unlock (&self->lock);

  if (GPOINTER_TO_INT (user_data))
    g_thread_join (g_thread_new ("recur-train", train_in_background, &t));
  else
    train (&t);
  ok = t.ok;
  error = t.error;
  /* the model now holds the best weights: show those */
  if (recur_job_get_summary (self->job)->best_epoch > 0)
    post_snapshots (self, recur_job_get_summary (self->job)->best_epoch, TRUE, TRUE);
  recur_sync_release (self); /* to on_task_done, through the GTask */
  /* The run may be gone as soon as the task is returned: nothing of it is touched past here.
   * Returning attaches a source that the main thread frees (recur-sync.h). */
  recur_sync_ignore_begin ();
  if (ok)
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
  recur_sync_ignore_end ();
  g_object_unref (task); /* holds no reference to the run (recur_run_start) */
}

GThreadPool *
recur_run_pool_new (guint max_threads)
{
  return g_thread_pool_new (run_worker, GINT_TO_POINTER (FALSE), (int) MAX (max_threads, 1),
                            FALSE, NULL);
}

GThreadPool *
recur_run_pool_new_background (guint max_threads)
{
  return g_thread_pool_new (run_worker, GINT_TO_POINTER (TRUE), (int) MAX (max_threads, 1),
                            FALSE, NULL);
}

void
recur_run_pool_set_max_threads (GThreadPool *pool,
                                guint        max_threads)
{
  /* a thread it starts may be an idle one of GLib's, woken through a queue (recur-sync.h) */
  recur_sync_ignore_begin ();
  g_thread_pool_set_max_threads (pool, (int) MAX (max_threads, 1), NULL);
  recur_sync_ignore_end ();
}

void
recur_run_pool_free (GThreadPool *pool)
{
  /* stopping the pool's threads queues a marker for each, freed by the thread (recur-sync.h) */
  recur_sync_ignore_begin ();
  g_thread_pool_free (pool, FALSE, TRUE);
  recur_sync_ignore_end ();
}

/* ---- main thread ------------------------------------------------------------------------- */

/* Moves what the worker posted into the main-thread history; TRUE if anything arrived. */
static gboolean
drain_mailbox (RecurRun *self)
{
  gboolean changed = FALSE;

  recur_mutex_lock (&self->lock);
  if (self->pending_started)
    {
      /* the elapsed time counts from the first start, across a resume */
      if (self->started_at == 0)
        self->started_at = self->pending_started_at;
      /* a start (and a resume) leaves the run queued until here: its worker has begun */
      self->status = RECUR_RUN_TRAINING;
      self->pending_started = FALSE;
      changed = TRUE;
    }
  for (guint i = 0; i < self->pending->len; i++)
    {
      const RecurProgress *p = &g_array_index (self->pending, RecurProgress, i);
      g_array_append_val (self->train_loss, p->train_loss);
      g_array_append_val (self->val_loss, p->val_loss);
      g_array_append_val (self->lr, p->lr);
      g_array_append_val (self->grad_norm, p->grad_norm);
      g_array_append_val (self->seconds, p->elapsed_seconds);
      self->last = *p;
      changed = TRUE;
    }
  g_array_set_size (self->pending, 0);
  if (self->pending_best_epoch)
    {
      memcpy (recur_model_get_params (self->best_model), self->pending_best,
              recur_model_get_n_params (self->best_model) * sizeof (float));
      self->best_epoch = self->pending_best_epoch;
      self->pending_best_epoch = 0;
      changed = TRUE;
    }
  if (self->pending_members_changed)
    {
      memcpy (self->members, self->pending_members, self->n_members * sizeof *self->members);
      self->pending_members_changed = FALSE;
      changed = TRUE;
    }
  for (guint i = 0; self->pending_member_losses && i < self->pending_member_losses->len; i++)
    keep_member_loss (self, &g_array_index (self->pending_member_losses, MemberLoss, i));
  if (self->pending_member_losses)
    g_array_set_size (self->pending_member_losses, 0);
  if (self->pending_states)
    {
      g_clear_pointer (&self->states, recur_states_snapshot_unref);
      self->states = g_steal_pointer (&self->pending_states);
      changed = TRUE;
    }
  if (self->pending_predictions)
    {
      g_clear_pointer (&self->predictions, recur_prediction_snapshot_unref);
      self->predictions = g_steal_pointer (&self->pending_predictions);
      changed = TRUE;
    }
  recur_mutex_unlock (&self->lock);
  return changed;
}

static gboolean
on_drain (gpointer user_data)
{
  RecurRun *self = user_data;

  if (drain_mailbox (self))
    g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
  return G_SOURCE_CONTINUE;
}

/* Holds the reference recur_run_start took, and lets go of it last. */
static void
on_task_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  RecurRun *self = RECUR_RUN (user_data);
  GError *error = NULL;

  recur_sync_acquire (self); /* the job, its model and evaluation, as the worker left them */
  g_clear_handle_id (&self->drain_id, g_source_remove);
  drain_mailbox (self);
  self->ended_at = g_get_monotonic_time ();
  if (g_task_propagate_boolean (G_TASK (result), &error))
    self->status = RECUR_RUN_FINISHED;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->status = RECUR_RUN_STOPPED;
      g_clear_error (&error);
    }
  else
    {
      self->status = RECUR_RUN_FAILED;
      self->error = error;
    }
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
  g_object_unref (self);
}

void
recur_run_start (RecurRun    *self,
                 GThreadPool *pool)
{
  GTask *task;
  g_autoptr(GError) error = NULL;
  gboolean pushed;

  g_return_if_fail (RECUR_IS_RUN (self));
  g_return_if_fail (self->status == RECUR_RUN_QUEUED && self->drain_id == 0);

  /* each member's progress starts again: a resumed one tells its epochs anew, one that has
   * ended tells that at once */
  self->n_members = recur_job_get_n_members (self->job);
  g_clear_pointer (&self->members, g_free);
  g_clear_pointer (&self->pending_members, g_free);
  self->pending_members_changed = FALSE;
  if (self->n_members > 1)
    {
      self->members = g_new0 (RecurMemberEpoch, self->n_members);
      self->pending_members = g_new0 (RecurMemberEpoch, self->n_members);
    }
  ensure_member_histories (self);
  /* The run, not the task, holds the reference that keeps it alive while it trains, and
   * on_task_done lets go of it on this thread. Were it the task's (its source object), the
   * worker's unref of the task could be the run's last one, and finalize the run there. */
  task = g_task_new (NULL, self->cancellable, on_task_done, g_object_ref (self));
  g_task_set_task_data (task, self, NULL);
  g_task_set_source_tag (task, recur_run_start);
  self->drain_id = g_timeout_add (DRAIN_INTERVAL_MS, on_drain, self);
  recur_sync_release (self); /* to run_worker, through the pool's queue */
  recur_sync_ignore_begin ();  /* the queue's node is freed by the worker (recur-sync.h) */
  pushed = g_thread_pool_push (pool, task, &error);
  recur_sync_ignore_end ();
  if (!pushed)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
    }
}

gboolean
recur_run_can_resume (RecurRun *self)
{
  return self->status == RECUR_RUN_STOPPED && recur_job_can_resume (self->job);
}

gboolean
recur_run_resume (RecurRun    *self,
                  GThreadPool *pool)
{
  g_return_val_if_fail (RECUR_IS_RUN (self), FALSE);
  if (!recur_run_can_resume (self))
    return FALSE;
  g_cancellable_reset (self->cancellable);
  self->status = RECUR_RUN_QUEUED;
  self->ended_at = 0;
  recur_run_start (self, pool);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
  return TRUE;
}

void
recur_run_set_epoch_func (RecurRun       *self,
                          guint           from,
                          RecurEpochFunc  func,
                          gpointer        user_data,
                          GDestroyNotify  destroy)
{
  g_autoptr(GArray) done = g_array_new (FALSE, FALSE, sizeof (RecurEpoch));
  GDestroyNotify old_destroy;
  gpointer old_data;

  g_return_if_fail (RECUR_IS_RUN (self));
  recur_mutex_lock (&self->epoch_lock);
  old_destroy = self->epoch_destroy;
  old_data = self->epoch_data;
  if (func)
    {
      /* what the main thread has, then what waits in the mailbox: every epoch so far (the
       * worker cannot be between calling the old func and posting an epoch: it holds
       * epoch_lock from one to the other) */
      recur_mutex_lock (&self->lock);
      for (guint i = MAX (from, 1) - 1; i < self->train_loss->len; i++)
        {
          RecurEpoch epoch = { i + 1,
                               g_array_index (self->train_loss, double, i),
                               g_array_index (self->val_loss, double, i),
                               g_array_index (self->lr, double, i),
                               g_array_index (self->grad_norm, double, i),
                               g_array_index (self->seconds, double, i) };
          g_array_append_val (done, epoch);
        }
      for (guint i = 0; i < self->pending->len; i++)
        {
          const RecurProgress *p = &g_array_index (self->pending, RecurProgress, i);
          RecurEpoch epoch = { p->epoch, p->train_loss, p->val_loss, p->lr, p->grad_norm,
                               p->elapsed_seconds };
          if (p->epoch >= from)
            g_array_append_val (done, epoch);
        }
      recur_mutex_unlock (&self->lock);
      for (guint i = 0; i < done->len; i++)
        func (&g_array_index (done, RecurEpoch, i), user_data);
    }
  self->epoch_func = func;
  self->epoch_data = user_data;
  self->epoch_destroy = destroy;
  recur_mutex_unlock (&self->epoch_lock);
  if (old_destroy)
    old_destroy (old_data);
}

void
recur_run_stop (RecurRun *self)
{
  g_return_if_fail (RECUR_IS_RUN (self));
  g_cancellable_cancel (self->cancellable);
}

RecurRunRole
recur_run_get_role (RecurRun *self)
{
  return self->role;
}

void
recur_run_set_role (RecurRun     *self,
                    RecurRunRole  role)
{
  g_return_if_fail (RECUR_IS_RUN (self));
  self->role = role;
}

const char *
recur_run_get_name (RecurRun *self)
{
  return self->name;
}

void
recur_run_set_name (RecurRun   *self,
                    const char *name)
{
  g_return_if_fail (RECUR_IS_RUN (self));
  if (g_strcmp0 (self->name, name) == 0)
    return;
  g_free (self->name);
  self->name = g_strdup (name);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
}

RecurRunStatus
recur_run_get_status (RecurRun *self)
{
  return self->status;
}

gboolean
recur_run_is_active (RecurRun *self)
{
  return self->status == RECUR_RUN_QUEUED || self->status == RECUR_RUN_TRAINING;
}

const GError *
recur_run_get_error (RecurRun *self)
{
  return self->error;
}

RecurJob *
recur_run_get_job (RecurRun *self)
{
  return self->job;
}

guint
recur_run_get_n_epochs (RecurRun *self)
{
  return self->train_loss->len;
}

const double *
recur_run_get_train_loss (RecurRun *self)
{
  return (const double *) (gpointer) self->train_loss->data;
}

const double *
recur_run_get_val_loss (RecurRun *self)
{
  return (const double *) (gpointer) self->val_loss->data;
}

const double *
recur_run_get_lr (RecurRun *self)
{
  return (const double *) (gpointer) self->lr->data;
}

const double *
recur_run_get_grad_norm (RecurRun *self)
{
  return (const double *) (gpointer) self->grad_norm->data;
}

const double *
recur_run_get_seconds (RecurRun *self)
{
  return (const double *) (gpointer) self->seconds->data;
}

const RecurModel *
recur_run_get_best_model (RecurRun *self)
{
  return self->best_epoch ? self->best_model : NULL;
}

guint
recur_run_get_best_epoch (RecurRun *self)
{
  return self->best_epoch;
}

const RecurProgress *
recur_run_get_last_progress (RecurRun *self)
{
  return &self->last;
}

double
recur_run_get_elapsed (RecurRun *self)
{
  gint64 end = self->ended_at ? self->ended_at : g_get_monotonic_time ();

  /* not trained here (restored from a project, or queued): the last epoch's time it kept */
  if (self->started_at == 0)
    {
      for (guint i = self->seconds->len; i > 0; i--)
        if (isfinite (g_array_index (self->seconds, double, i - 1)))
          return g_array_index (self->seconds, double, i - 1);
      return 0.0;
    }
  return (end - self->started_at) / (double) G_USEC_PER_SEC;
}

void
recur_run_restore_seconds (RecurRun     *self,
                           const double *seconds,
                           guint         n)
{
  g_return_if_fail (RECUR_IS_RUN (self));
  for (guint i = 0; seconds && i < MIN (n, self->seconds->len); i++)
    g_array_index (self->seconds, double, i) = seconds[i];
}

double
recur_run_get_eta (RecurRun *self)
{
  guint done = self->last.epoch;
  double fraction;

  if (!recur_run_is_active (self) || done == 0)
    return NAN;
  if (self->members == NULL)
    return recur_run_get_elapsed (self) / done * (self->last.epochs - done);
  /* an ensemble: at the pace of its members so far */
  fraction = recur_run_get_fraction_done (self);
  return fraction > 0 ? recur_run_get_elapsed (self) * (1 - fraction) / fraction : NAN;
}

double
recur_run_get_fraction_done (RecurRun *self)
{
  double done = 0;

  if (self->members == NULL)
    return self->last.epochs ? (double) self->last.epoch / self->last.epochs : 0.0;
  for (guint k = 0; k < self->n_members; k++)
    {
      const RecurMemberEpoch *m = &self->members[k];

      done += m->ended ? 1.0 : m->epochs ? (double) m->epoch / m->epochs : 0.0;
    }
  return done / self->n_members;
}

RecurStatesSnapshot *
recur_run_get_states (RecurRun *self)
{
  return self->states;
}

RecurPredictionSnapshot *
recur_run_get_predictions (RecurRun *self)
{
  return self->predictions;
}

void
recur_run_set_states_window (RecurRun *self,
                             guint     start)
{
  const RecurDataset *data = recur_job_get_dataset (self->job);
  guint last = recur_dataset_get_n_points (data) - recur_dataset_get_spec (data)->window;

  /* differencing leaves the first rows without a transformed value to read */
  start = MAX (MIN (start, last), recur_dataset_get_transform (data)->offset);
  g_atomic_int_set (&self->states_window, start);
  if (!recur_run_is_active (self))
    {
      /* no worker to rebuild it: do it here (one forward pass) */
      RecurModel *model = recur_job_get_model (self->job);
      RecurStatesSnapshot *old = self->states;
      self->states = recur_states_snapshot_new (model, self->inspect_ws, data, start,
                                                old ? old->grad_flow : NULL,
                                                old ? old->epoch : 0);
      g_clear_pointer (&old, recur_states_snapshot_unref);
      g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
    }
}

const RecurMemberEpoch *
recur_run_get_member_epoch (RecurRun *self,
                            guint     k)
{
  g_return_val_if_fail (RECUR_IS_RUN (self), NULL);
  if (self->members == NULL || k >= self->n_members || self->members[k].epochs == 0)
    return NULL;
  return &self->members[k];
}

guint
recur_run_get_member_losses (RecurRun      *self,
                             guint          k,
                             const double **train,
                             const double **val)
{
  g_return_val_if_fail (RECUR_IS_RUN (self), 0);
  if (k == 0 || k >= self->n_histories)
    {
      *train = *val = NULL;
      return 0;
    }
  *train = (const double *) (gpointer) self->member_train[k]->data;
  *val = (const double *) (gpointer) self->member_val[k]->data;
  return self->member_train[k]->len;
}

guint
recur_run_count_members (RecurRun *self,
                         guint    *ended,
                         guint    *training)
{
  g_return_val_if_fail (RECUR_IS_RUN (self), 0);
  *ended = *training = 0;
  if (self->members == NULL)
    return 0;
  for (guint k = 0; k < self->n_members; k++)
    {
      *ended += self->members[k].ended;
      *training += !self->members[k].ended && self->members[k].epochs > 0;
    }
  return self->n_members;
}
