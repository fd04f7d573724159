/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  RECUR_OPTIMIZER_ADAM,
  RECUR_OPTIMIZER_ADAMW,
  RECUR_OPTIMIZER_SGD,
  RECUR_OPTIMIZER_RMSPROP,
} RecurOptimizerKind;

typedef struct
{
  RecurOptimizerKind kind;
  double             lr;
  double             momentum;      /* SGD and RMSprop; 0 = none */
  gboolean           nesterov;      /* SGD */
  double             beta1, beta2;  /* Adam(W): 0.9, 0.999 */
  double             eps;           /* Adam(W) 1e-8, RMSprop 1e-8 */
  double             alpha;         /* RMSprop smoothing: 0.99 */
  double             weight_decay;  /* AdamW decoupled (default 0.01); L2 for the others (0) */
} RecurOptimizerSpec;

/* PyTorch's defaults for that kind, with learning rate lr. */
void        recur_optimizer_spec_init        (RecurOptimizerSpec *spec,
                                              RecurOptimizerKind  kind,
                                              double              lr);
const char *recur_optimizer_kind_to_string   (RecurOptimizerKind  kind); /* adam adamw sgd rmsprop */
gboolean    recur_optimizer_kind_from_string (const char         *text,
                                              RecurOptimizerKind *kind);

/* The update rules of torch.optim (1.13, single-tensor path), over one flat buffer. */
typedef struct _RecurOptimizer RecurOptimizer;

/* Memory that cannot be had is RECUR_MEMORY_ERROR (recur_optimizer_new aborts instead). */
RecurOptimizer *recur_optimizer_try_new (const RecurOptimizerSpec  *spec,
                                         gsize                      n_params,
                                         GError                   **error);
RecurOptimizer *recur_optimizer_new  (const RecurOptimizerSpec *spec,
                                      gsize                     n_params);
void            recur_optimizer_free (RecurOptimizer           *self);
/* One step with learning rate lr (the schedule's current value). */
void            recur_optimizer_step (RecurOptimizer           *self,
                                      float                    *params,
                                      const float              *grads,
                                      double                    lr);

/* ‖g‖₂ over the whole buffer; if max_norm > 0 and it is larger, scales g by
 * max_norm / (‖g‖ + 1e-6), as torch.nn.utils.clip_grad_norm_. Returns the norm before clipping. */
double          recur_clip_grad_norm (float                    *grads,
                                      gsize                     n,
                                      double                    max_norm);

typedef enum
{
  RECUR_LOSS_MSE,
  RECUR_LOSS_MAE,
  RECUR_LOSS_HUBER, /* delta = 1, as torch.nn.HuberLoss() */
} RecurLossKind;

const char *recur_loss_kind_to_string   (RecurLossKind  kind); /* mse mae huber */
gboolean    recur_loss_kind_from_string (const char    *text,
                                         RecurLossKind *kind);
/* Mean loss over n values; d_pred (may be NULL) receives its gradient. */
double      recur_loss                  (RecurLossKind  kind,
                                         const float   *pred,
                                         const float   *target,
                                         gsize          n,
                                         float         *d_pred);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurOptimizer, recur_optimizer_free)

G_END_DECLS
