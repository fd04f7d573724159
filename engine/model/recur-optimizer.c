/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "recur-memory.h"
#include "recur-names.h"
#include "recur-kernels.h"
#include "recur-optimizer.h"

struct _RecurOptimizer
{
  RecurOptimizerSpec spec;
  gsize n;
  guint64 step;
  float *m;   /* Adam exp_avg, SGD/RMSprop momentum buffer */
  float *v;   /* Adam exp_avg_sq, RMSprop square_avg */
};

static const char *const optimizer_names[] = { "adam", "adamw", "sgd", "rmsprop" };
static const char *const loss_names[] = { "mse", "mae", "huber" };

const char *
recur_optimizer_kind_to_string (RecurOptimizerKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (optimizer_names), NULL);
  return optimizer_names[kind];
}

gboolean
recur_optimizer_kind_from_string (const char         *text,
                                  RecurOptimizerKind *kind)
{
  int v = recur_name_index (optimizer_names, G_N_ELEMENTS (optimizer_names), text);

  if (v < 0)
    return FALSE;
  *kind = (RecurOptimizerKind) v;
  return TRUE;
}

const char *
recur_loss_kind_to_string (RecurLossKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (loss_names), NULL);
  return loss_names[kind];
}

gboolean
recur_loss_kind_from_string (const char    *text,
                             RecurLossKind *kind)
{
  int v = recur_name_index (loss_names, G_N_ELEMENTS (loss_names), text);

  if (v < 0)
    return FALSE;
  *kind = (RecurLossKind) v;
  return TRUE;
}

void
recur_optimizer_spec_init (RecurOptimizerSpec *spec,
                           RecurOptimizerKind  kind,
                           double              lr)
{
  *spec = (RecurOptimizerSpec) {
    .kind = kind,
    .lr = lr,
    .momentum = 0.0,
    .nesterov = FALSE,
    .beta1 = 0.9,
    .beta2 = 0.999,
    .eps = 1e-8,
    .alpha = 0.99,
    .weight_decay = kind == RECUR_OPTIMIZER_ADAMW ? 0.01 : 0.0,
  };
}

RecurOptimizer *
recur_optimizer_try_new (const RecurOptimizerSpec  *spec,
                         gsize                      n_params,
                         GError                   **error)
{
  RecurOptimizer *self = g_new0 (RecurOptimizer, 1);

  self->spec = *spec;
  self->n = n_params;
  self->m = g_try_malloc0_n (MAX (n_params, 1), sizeof (float));
  self->v = self->m ? g_try_malloc0_n (MAX (n_params, 1), sizeof (float)) : NULL;
  if (self->v == NULL)
    {
      recur_memory_set_error (error, 2 * (guint64) n_params * sizeof (float),
                              _("the optimizer's state"));
      recur_optimizer_free (self);
      return NULL;
    }
  return self;
}

RecurOptimizer *
recur_optimizer_new (const RecurOptimizerSpec *spec,
                     gsize                     n_params)
{
  g_autoptr(GError) error = NULL;
  RecurOptimizer *self = recur_optimizer_try_new (spec, n_params, &error);

  if (self == NULL)
    g_error ("%s", error->message);
  return self;
}

void
recur_optimizer_free (RecurOptimizer *self)
{
  if (self == NULL)
    return;
  g_free (self->m);
  g_free (self->v);
  g_free (self);
}

static void
step_adam (RecurOptimizer *self,
           float          *p,
           const float    *g,
           double          lr)
{
  const RecurOptimizerSpec *s = &self->spec;
  /* 1 − β in double, then rounded, as torch passes its Python floats to the kernels: from β2
   * rounded first, 1 − 0.999f would be 1.3e-5 off */
  double bias_correction1 = 1.0 - pow (s->beta1, (double) self->step);
  double bias_correction2 = 1.0 - pow (s->beta2, (double) self->step);
  RecurAdamStep a = {
    .beta1 = (float) s->beta1,
    .one_minus_beta1 = (float) (1.0 - s->beta1),
    .beta2 = (float) s->beta2,
    .one_minus_beta2 = (float) (1.0 - s->beta2),
    .step_size = (float) (lr / bias_correction1),
    .bias_correction2_sqrt = (float) sqrt (bias_correction2),
    .eps = (float) s->eps,
    .decay = s->kind == RECUR_OPTIMIZER_ADAMW ? (float) (1.0 - lr * s->weight_decay) : 1.0f,
    .l2 = s->kind == RECUR_OPTIMIZER_ADAMW ? 0.0f : (float) s->weight_decay,
  };

  recur_kernel_adam (self->n, p, g, self->m, self->v, &a);
}

static void
step_sgd (RecurOptimizer *self,
          float          *p,
          const float    *g,
          double          lr)
{
  const RecurOptimizerSpec *s = &self->spec;
  float mu = (float) s->momentum, flr = (float) lr;

  for (gsize i = 0; i < self->n; i++)
    {
      float d = g[i] + (float) s->weight_decay * p[i];
      if (mu != 0.0f)
        {
          /* buf = μ buf + d (buf = d at the first step); nesterov: d += μ buf, else d = buf */
          self->m[i] = self->step == 1 ? d : self->m[i] * mu + d;
          d = s->nesterov ? d + mu * self->m[i] : self->m[i];
        }
      p[i] -= flr * d;
    }
}

static void
step_rmsprop (RecurOptimizer *self,
              float          *p,
              const float    *g,
              double          lr)
{
  const RecurOptimizerSpec *s = &self->spec;
  float alpha = (float) s->alpha, eps = (float) s->eps, mu = (float) s->momentum;
  float one_minus_alpha = (float) (1.0 - s->alpha);
  float flr = (float) lr;

  for (gsize i = 0; i < self->n; i++)
    {
      float gi = g[i] + (float) s->weight_decay * p[i];
      float avg;
      /* v = α v + (1 − α) g²;  p −= lr · g / (√v + ε)  (with momentum: buf = μ buf + g / (√v + ε)) */
      self->v[i] = self->v[i] * alpha + gi * gi * one_minus_alpha;
      avg = sqrtf (self->v[i]) + eps;
      if (mu > 0.0f)
        {
          self->m[i] = self->m[i] * mu + gi / avg;
          p[i] -= flr * self->m[i];
        }
      else
        p[i] -= flr * (gi / avg);
    }
}

void
recur_optimizer_step (RecurOptimizer *self,
                      float          *params,
                      const float    *grads,
                      double          lr)
{
  self->step++;
  switch (self->spec.kind)
    {
    case RECUR_OPTIMIZER_ADAM:
    case RECUR_OPTIMIZER_ADAMW:
      step_adam (self, params, grads, lr);
      break;
    case RECUR_OPTIMIZER_SGD:
      step_sgd (self, params, grads, lr);
      break;
    case RECUR_OPTIMIZER_RMSPROP:
      step_rmsprop (self, params, grads, lr);
      break;
    default:
      g_assert_not_reached ();
    }
}

double
recur_clip_grad_norm (float  *grads,
                      gsize   n,
                      double  max_norm)
{
  double sum = 0.0, norm;

  for (gsize i = 0; i < n; i++)
    sum += (double) grads[i] * grads[i];
  norm = sqrt (sum);
  if (max_norm > 0.0)
    {
      double coef = max_norm / (norm + 1e-6);
      if (coef < 1.0)
        for (gsize i = 0; i < n; i++)
          grads[i] *= (float) coef;
    }
  return norm;
}

double
recur_loss (RecurLossKind  kind,
            const float   *pred,
            const float   *target,
            gsize          n,
            float         *d_pred)
{
  double total = 0.0;
  float inv_n = 1.0f / (float) n;

  for (gsize i = 0; i < n; i++)
    {
      float diff = pred[i] - target[i];
      float ad = fabsf (diff);
      float grad;

      switch (kind)
        {
        case RECUR_LOSS_MSE:
          total += (double) diff * diff;
          grad = 2.0f * diff;
          break;
        case RECUR_LOSS_MAE:
          total += ad;
          grad = diff > 0.0f ? 1.0f : diff < 0.0f ? -1.0f : 0.0f;
          break;
        case RECUR_LOSS_HUBER:
          total += ad < 1.0f ? 0.5 * (double) diff * diff : (double) ad - 0.5;
          grad = ad < 1.0f ? diff : (diff > 0.0f ? 1.0f : -1.0f);
          break;
        default:
          g_assert_not_reached ();
        }
      if (d_pred)
        d_pred[i] = grad * inv_n;
    }
  return total / (double) n;
}
