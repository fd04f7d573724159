/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "recur-job.h"
#include "recur-snapshot.h"

G_BEGIN_DECLS

typedef enum
{
  RECUR_RUN_QUEUED,    /* waiting for a worker */
  RECUR_RUN_TRAINING,
  RECUR_RUN_STOPPED,   /* cancelled: keeps its best weights */
  RECUR_RUN_FINISHED,
  RECUR_RUN_FAILED,    /* see recur_run_get_error */
  /* only runs read back from a project (recur-project.h) */
  RECUR_RUN_INTERRUPTED, /* no result: its process ended while it was queued or training */
  RECUR_RUN_DAMAGED,     /* its result file is unreadable */
} RecurRunStatus;

const char *recur_run_status_to_string (RecurRunStatus status); /* translated, for display */
/* Untranslated, for files: queued training stopped finished failed interrupted damaged. */
const char *recur_run_status_to_id     (RecurRunStatus  status);
gboolean    recur_run_status_from_id   (const char     *id,
                                        RecurRunStatus *status);

#define RECUR_TYPE_RUN (recur_run_get_type ())
G_DECLARE_FINAL_TYPE (RecurRun, recur_run, RECUR, RUN, GObject)

/* One training run: a job trained on a worker of a GThreadPool made by recur_run_pool_new, its
 * progress handed to the main thread through a mailbox that the main loop drains at most ~30
 * times a second, emitting "progress" once per drain. The worker never touches the UI. A run
 * that trains holds a reference to itself until "finished" has been emitted, and lets go of it
 * on the main thread: whoever drops theirs first, a run is always finalized there.
 *
 * Signals (main thread): "progress" — new epochs or snapshots arrived;
 *                        "finished" — training ended, whatever the status. */
RecurRun       *recur_run_new            (const char            *name,
                                          const RecurJobConfig  *config,
                                          RecurSeries           *series,
                                          GError               **error);

/* A run that has ended, as a project stored it: its weights (n_weights models: one, or an
 * ensemble's members — fewer than its configuration's when it was stopped before all had
 * started; none when none were kept, or when the run was INTERRUPTED with fewer, as an
 * ensemble's project holds member 0's only while training: the run is then not scored), its
 * per-epoch losses and learning rates (n_epochs each) and how it ended. It can be shown,
 * compared and exported like any other, not started. */
RecurRun       *recur_run_new_restored   (const char            *name,
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
                                          GError               **error);

/* The pool that runs RecurRuns: max_threads of them at once, the rest queued. */
GThreadPool    *recur_run_pool_new       (guint                  max_threads);
/* The same for a program with a window: its workers yield the CPU to the main loop
 * (recur_cores_yield_to_interactive), so that frames and input are not kept waiting behind
 * training on a machine whose cores it fills. */
GThreadPool    *recur_run_pool_new_background (guint             max_threads);
/* Queued runs start as room frees, even while others train. */
void            recur_run_pool_set_max_threads (GThreadPool     *pool,
                                                guint            max_threads);
/* Waits for every run queued on pool to end, then frees it. */
void            recur_run_pool_free      (GThreadPool           *pool);

/* Queues the run on pool; must be called on the thread whose main context drains progress. */
void            recur_run_start          (RecurRun              *self,
                                          GThreadPool           *pool);
/* A stopped run that had epochs left trains on from where it stopped (its optimiser's state,
 * shuffling and best weights kept), queued on pool. FALSE when it cannot. */
gboolean        recur_run_resume         (RecurRun              *self,
                                          GThreadPool           *pool);
gboolean        recur_run_can_resume     (RecurRun              *self);
/* An epoch as it ended, for recur_run_set_epoch_func. */
typedef struct
{
  guint  epoch;       /* 1-based, counted across a resume */
  double train_loss;
  double val_loss;    /* NAN without validation windows */
  double lr;
  double grad_norm;
  double seconds;     /* elapsed since training began */
} RecurEpoch;

typedef void (*RecurEpochFunc) (const RecurEpoch *epoch,
                                gpointer          user_data);

/* Hands func every epoch of the run as it ends, on the worker thread, before the next epoch
 * begins and before the main thread hears of it: where a finished epoch must be kept even if
 * the process is killed a moment later (a project's history.log). The epochs that have ended
 * already, numbered from `from` on, are handed first, now, on this thread, so that func sees
 * each epoch once and in order. func must not call the run; the drain does not wait for it.
 * NULL detaches: once this returns the old func is not running and will not be called again,
 * and its destroy has run. Main thread. */
void            recur_run_set_epoch_func (RecurRun              *self,
                                          guint                  from,
                                          RecurEpochFunc         func,
                                          gpointer               user_data,
                                          GDestroyNotify         destroy);
/* Asks the run to stop between two minibatches; it keeps its best weights. */
void            recur_run_stop           (RecurRun              *self);

/* What a run is for: one of its own, or one of Auto's candidates (the window trains them as
 * runs), which a table shows apart. */
typedef enum
{
  RECUR_RUN_ROLE_OWN,
  RECUR_RUN_ROLE_CANDIDATE,       /* trained on every row before the test part */
  RECUR_RUN_ROLE_EARLY_CANDIDATE, /* on the rows before Auto's origins only (a gradient-trained
                                   * cell): its test part is the stretch just after them */
  RECUR_RUN_ROLE_FLOOR,           /* a naive forecast with drift, made as a reservoir's readout */
} RecurRunRole;

RecurRunRole    recur_run_get_role       (RecurRun              *self);
/* Main thread, before the run starts. */
void            recur_run_set_role       (RecurRun              *self,
                                          RecurRunRole           role);
const char     *recur_run_get_name       (RecurRun              *self);
void            recur_run_set_name       (RecurRun              *self,
                                          const char            *name);
RecurRunStatus  recur_run_get_status     (RecurRun              *self);
gboolean        recur_run_is_active      (RecurRun              *self); /* queued or training */
const GError   *recur_run_get_error      (RecurRun              *self);
/* The job: its configuration always; its model, evaluation and exports once not active. */
RecurJob       *recur_run_get_job        (RecurRun              *self);

/* Main-thread history of the epochs received so far. */
guint           recur_run_get_n_epochs   (RecurRun              *self);
const double   *recur_run_get_train_loss (RecurRun              *self);
const double   *recur_run_get_val_loss   (RecurRun              *self);
const double   *recur_run_get_lr         (RecurRun              *self);
const double   *recur_run_get_grad_norm  (RecurRun              *self); /* mean, before clipping */
const double   *recur_run_get_seconds    (RecurRun              *self); /* elapsed at each epoch's end */
/* The weights of the best epoch so far (main thread, refreshed by each drain; the worker copies
 * them into the mailbox whenever the validation loss improves), NULL before the first epoch.
 * Once the run has ended they equal the job's model. */
const RecurModel *recur_run_get_best_model (RecurRun            *self);
guint           recur_run_get_best_epoch (RecurRun              *self); /* 0: none yet */
const RecurProgress *recur_run_get_last_progress (RecurRun      *self);
/* An ensemble's member at its latest epoch; its members train at once on the cores other runs
 * leave free (recur-job.h), member 0's epochs being also the run's progress (its loss curve). */
typedef struct
{
  guint    epoch;
  guint    epochs;
  gboolean ended;  /* trained, stopped or failed: epoch is the epochs it ran */
} RecurMemberEpoch;
/* Member k as last drained (main thread), NULL for one network or before k told an epoch. Each
 * training (a resumed one too) starts them again. */
const RecurMemberEpoch *recur_run_get_member_epoch (RecurRun     *self,
                                                    guint         k);
/* An ensemble's member k > 0: its training and validation loss per epoch so far (NAN where
 * none), and how many epochs (main thread; valid until the next "progress"). 0 and NULLs for
 * member 0 (the run's own losses), for one network and before any epoch. */
guint           recur_run_get_member_losses (RecurRun           *self,
                                             guint               k,
                                             const double      **train,
                                             const double      **val);
/* A restored ensemble's member k > 0: its losses per epoch as its project kept them
 * (recur_project_run_get_member_losses), for the loss plot; ignored for member 0, one network
 * or a member the run does not have. Not while the run trains. */
void            recur_run_restore_member_losses (RecurRun           *self,
                                                 guint               k,
                                                 guint               n_epochs,
                                                 const double       *train_loss,
                                                 const double       *val_loss);
/* An ensemble's members (0 for one network), and how many of them have ended and are training. */
guint           recur_run_count_members  (RecurRun              *self,
                                          guint                 *ended,
                                          guint                 *training);
/* The share of its training done: its epochs of all; an ensemble's, the mean of its members'
 * shares (one that has ended counting as done). */
double          recur_run_get_fraction_done (RecurRun           *self);
/* Seconds since the run started training (frozen once it ends), and the estimated rest (an
 * ensemble: at the pace of its members so far). */
double          recur_run_get_elapsed    (RecurRun              *self);
/* A run restored from a project: each epoch's time since training began (history.json's, NAN
 * where unknown), so that its curves and its training time are the ones it had. */
void            recur_run_restore_seconds (RecurRun             *self,
                                           const double          *seconds,
                                           guint                  n);
double          recur_run_get_eta        (RecurRun              *self);

/* The latest snapshots (transfer none; valid until the next "progress"), NULL before any. */
RecurStatesSnapshot     *recur_run_get_states      (RecurRun    *self);
RecurPredictionSnapshot *recur_run_get_predictions (RecurRun    *self);
/* Which window the states snapshot shows (default: the last one before the test part). */
void            recur_run_set_states_window (RecurRun           *self,
                                             guint               start);

G_END_DECLS
