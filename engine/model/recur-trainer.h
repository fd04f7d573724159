/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

#include "recur-dataset.h"
#include "recur-model.h"
#include "recur-optimizer.h"

G_BEGIN_DECLS

#define RECUR_TRAINER_ERROR (recur_trainer_error_quark ())
GQuark recur_trainer_error_quark (void);

typedef enum
{
  RECUR_TRAINER_ERROR_INVALID_SPEC, /* a training hyperparameter out of range */
  RECUR_TRAINER_ERROR_MISMATCH,     /* the dataset's window or targets do not fit the model */
  RECUR_TRAINER_ERROR_DIVERGED,     /* the loss became NaN or infinite */
} RecurTrainerError;

typedef enum
{
  RECUR_SCHEDULE_CONSTANT,
  RECUR_SCHEDULE_STEP,     /* lr × gamma every step_size epochs (StepLR) */
  RECUR_SCHEDULE_COSINE,   /* cosine from lr to 0 over the epochs (CosineAnnealingLR) */
  RECUR_SCHEDULE_PLATEAU,  /* lr × gamma after plateau_patience epochs without improvement */
} RecurScheduleKind;

typedef struct
{
  guint              epochs;
  guint              batch_size;
  RecurOptimizerSpec optimizer;
  RecurLossKind      loss;
  double             clip;             /* gradient-norm clipping; 0 = off */
  guint              truncate;         /* truncated BPTT length; 0 = the whole window */
  RecurScheduleKind  schedule;
  guint              step_size;        /* STEP: epochs between decays */
  double             gamma;            /* STEP and PLATEAU: decay factor */
  guint              plateau_patience; /* PLATEAU: epochs without improvement before a decay */
  guint              patience;         /* early stopping; 0 = train all epochs */
  guint64            seed;             /* shuffling and dropout */
  /* Threads that run the shards of a minibatch of ≥ 64 windows (RNN, LSTM, GRU); 1 = the
   * caller's only. Results never depend on it. Each thread calls BLAS: the caller keeps BLAS
   * single-threaded when threads > 1. */
  guint              threads;
} RecurTrainSpec;

void        recur_train_spec_init            (RecurTrainSpec     *spec);
/* How many shards a minibatch of `batch` windows splits into for `model`: 1 below 64 windows
 * or for cells other than RNN, LSTM and GRU, else 2. What a caller sizes threads by. */
guint       recur_train_shards               (const RecurModelSpec *model,
                                              guint               batch);
/* Whether a run of `model` with minibatches of `batch` windows keeps every step's gate
 * activations for the backward pass: when they fit in a fixed budget of 128 MiB (every shape
 * of `recur bench` does), else its backward pass recomputes them, to the same bits. */
gboolean    recur_train_keeps_gates          (const RecurModelSpec *model,
                                              guint               batch);
const char *recur_schedule_kind_to_string    (RecurScheduleKind   kind); /* constant step cosine plateau */
gboolean    recur_schedule_kind_from_string  (const char         *text,
                                              RecurScheduleKind  *kind);

typedef struct
{
  guint    epoch;          /* 1-based */
  guint    epochs;
  double   train_loss;     /* mean over the epoch's training windows (scaled units) */
  double   val_loss;       /* on the validation windows, NAN without any */
  double   grad_norm;      /* mean gradient norm over the epoch's steps, before clipping */
  double   lr;
  double   epoch_seconds;
  double   elapsed_seconds;
  guint    best_epoch;
  double   best_loss;      /* the validation loss (or training loss without validation) */
  gboolean improved;
  gboolean lr_changed;     /* this epoch ran at a different rate than the last */
  guint    windows;        /* training windows per epoch */
  /* ‖∂loss/∂h_t‖ of the epoch's last minibatch, [layers][window]; valid during the callback */
  const double *grad_flow;
  guint    grad_flow_layers;
  guint    grad_flow_window;
} RecurProgress;

typedef void (*RecurProgressFunc) (const RecurProgress *progress,
                                   gpointer             user_data);

typedef struct
{
  guint  epochs_run;
  guint  best_epoch;
  double best_loss;
  double train_loss;       /* of the best epoch */
  double val_loss;         /* of the best epoch */
  double seconds;
  double windows_per_second;
  gboolean stopped_early;
} RecurTrainSummary;

/* Trains `model` in place on `data`. The trainer borrows both; they must outlive it. */
typedef struct _RecurTrainer RecurTrainer;

RecurTrainer *recur_trainer_new         (RecurModel           *model,
                                         const RecurDataset   *data,
                                         const RecurTrainSpec *spec,
                                         GError              **error);
void          recur_trainer_free        (RecurTrainer         *self);

/* Runs the epochs on the calling thread; progress is called after each epoch on this thread.
 * Called again after a cancel, it resumes: from the next epoch, with the optimiser's state, the
 * shuffling, the best weights, the plateau schedule's rate and the epochs counted towards its
 * decay and towards early stopping kept.
 * A one-shot model (recur_cell_is_one_shot: the ESN) is fitted instead, and reported once as
 * epoch 1 of 1 with its training and validation loss; the optimiser settings do not apply.
 * Checks cancellable before each minibatch. However it ends, the model holds the best weights
 * seen (by validation loss); cancelled runs fail with G_IO_ERROR_CANCELLED, diverging ones
 * with RECUR_TRAINER_ERROR_DIVERGED. */
gboolean      recur_trainer_run         (RecurTrainer         *self,
                                         GCancellable         *cancellable,
                                         RecurProgressFunc     progress,
                                         gpointer              user_data,
                                         GError              **error);
const RecurTrainSummary *recur_trainer_get_summary (const RecurTrainer *self);
/* TRUE when a run stopped before its last epoch: recur_trainer_run again goes on from there. */
gboolean      recur_trainer_can_resume  (const RecurTrainer   *self);

/* Mean loss of the model over validation windows (no dropout); NAN when there are none. */
double        recur_trainer_evaluate_validation (RecurTrainer *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurTrainer, recur_trainer_free)

G_END_DECLS
