/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-blas.h"
#include "recur-kernels.h"
#include "recur-model-private.h"

/* C[rows×n] += A[rows×k] · Wᵀ with W [n][k]: a GEMM, or a broadcast product when k = 1. */
static void
add_product_bt (gsize        rows,
                guint        n,
                guint        k,
                const float *a,
                guint        lda,
                const float *w,
                float       *c,
                guint        ldc)
{
  if (k == 1)
    {
      for (gsize r = 0; r < rows; r++)
        {
          float av = a[r * lda];
          float *cr = c + r * ldc;
          for (guint j = 0; j < n; j++)
            cr[j] += av * w[j];
        }
      return;
    }
  recur_sgemm (FALSE, TRUE, (int) rows, (int) n, (int) k, 1.0f, a, (int) lda, w, (int) k,
               1.0f, c, (int) ldc);
}

/* Jordan: a_t = W_x x_t + b + W_y c_t, h_t = tanh(a_t), y_t = W_o h_t + b_o, with the context
 * c_0 = 0 and c_t = x_t (teacher forcing) or y_{t−1} (free running) for t ≥ 1. */
void
forward_jordan (const RecurModel *self,
                RecurWorkspace   *ws,
                guint             batch,
                const float      *x)
{
  const RecurModelSpec *s = &self->spec;
  const JordanOffsets *jo = &self->jordan;
  const float *p = self->params;
  const float *b_o = s->bias ? p + jo->b_o : NULL;
  guint T = s->window, H = s->hidden_size, I = s->input_size;
  gsize BI = (gsize) batch * I, BH = (gsize) batch * H;
  float *a = ws->dir[0].gates, *h = ws->y[0];

  /* a = X · W_xᵀ + b over all T·B rows */
  project_inputs (x, (gsize) T * batch, I, p + jo->w_x, H, s->bias ? p + jo->b : NULL, NULL, a);
  memset (ws->jordan_ctx, 0, BI * sizeof (float));
  if (s->jordan_feedback == RECUR_JORDAN_TEACHER)
    {
      /* The context is the observed series: nothing recurs, every product is sequence-wide. */
      if (T > 1)
        {
          memcpy (ws->jordan_ctx + BI, x + BI, (T - 1) * BI * sizeof (float));
          add_product_bt ((gsize) (T - 1) * batch, H, I, ws->jordan_ctx + BI, I, p + jo->w_y,
                          a + BH, H);
        }
      for (gsize i = 0; i < T * BH; i++)
        h[i] = tanhf (a[i]);
      fill_bias_rows (ws->jordan_y, (gsize) T * batch, I, b_o, NULL);
      recur_sgemm (FALSE, TRUE, (int) (T * batch), (int) I, (int) H, 1.0f, h, (int) H,
                   p + jo->w_o, (int) H, 1.0f, ws->jordan_y, (int) I);
      return;
    }
  for (guint t = 0; t < T; t++)
    {
      float *at = a + t * BH, *ht = h + t * BH, *yt = ws->jordan_y + t * BI;

      if (t > 0)
        {
          memcpy (ws->jordan_ctx + t * BI, yt - BI, BI * sizeof (float));
          add_product_bt (batch, H, I, yt - BI, I, p + jo->w_y, at, H);
        }
      for (gsize i = 0; i < BH; i++)
        ht[i] = tanhf (at[i]);
      fill_bias_rows (yt, batch, I, b_o, NULL);
      recur_sgemm (FALSE, TRUE, (int) batch, (int) I, (int) H, 1.0f, ht, (int) H, p + jo->w_o,
                   (int) H, 1.0f, yt, (int) I);
    }
}

/* Jordan, from ∂loss/∂h_{T−1} (in d_y) and the auxiliary loss's ∂/∂y_t (d_aux), backwards:
 *   dy_t = d_aux_t + W_yᵀ da_{t+1} (free running only: y_t is then the next step's context)
 *   dh_t = d_y_t + W_oᵀ dy_t,   da_t = dh_t ⊙ (1 − h_t²)
 * then every weight gradient is one product over all steps. */
void
backward_jordan (const RecurModel *self,
                 RecurWorkspace   *ws,
                 float            *grads,
                 guint           truncate)
{
  const RecurModelSpec *s = &self->spec;
  const JordanOffsets *jo = &self->jordan;
  const float *p = self->params;
  guint T = s->window, H = s->hidden_size, I = s->input_size, batch = ws->batch;
  gsize BI = (gsize) batch * I, BH = (gsize) batch * H;
  guint steps = (truncate && truncate < T) ? truncate : T;
  guint first = T - steps; /* the steps before it are cut off: no gradient */
  const float *h = ws->y[0];
  float *dh = ws->d_y, *da = ws->d_gates, *dy = ws->d_jordan_y;

  if (ws->aux_active)
    memcpy (dy, ws->d_aux, T * BI * sizeof (float));
  else
    memset (dy, 0, T * BI * sizeof (float));
  memset (dy, 0, first * BI * sizeof (float));
  memset (da, 0, first * BH * sizeof (float));

  if (s->jordan_feedback == RECUR_JORDAN_TEACHER)
    {
      recur_sgemm (FALSE, FALSE, (int) (steps * batch), (int) H, (int) I, 1.0f, dy + first * BI,
                   (int) I, p + jo->w_o, (int) H, 1.0f, dh + first * BH, (int) H);
      for (gsize i = first * BH; i < T * BH; i++)
        da[i] = dh[i] * (1.0f - h[i] * h[i]);
    }
  else
    for (guint t = T; t-- > first;)
      {
        float *dyt = dy + t * BI, *dht = dh + t * BH, *dat = da + t * BH;
        const float *ht = h + t * BH;

        if (t + 1 < T)
          recur_sgemm (FALSE, FALSE, (int) batch, (int) I, (int) H, 1.0f, dat + BH, (int) H,
                       p + jo->w_y, (int) I, 1.0f, dyt, (int) I);
        recur_sgemm (FALSE, FALSE, (int) batch, (int) H, (int) I, 1.0f, dyt, (int) I,
                     p + jo->w_o, (int) H, 1.0f, dht, (int) H);
        for (gsize i = 0; i < BH; i++)
          dat[i] = dht[i] * (1.0f - ht[i] * ht[i]);
      }
  for (guint t = first; t < T; t++)
    ws->grad_flow[t] += recur_kernel_add_rows_sum_squares (batch, H, dh + t * BH, NULL, 0);

  /* ∂W_x += daᵀ · X, ∂W_y += da[1:]ᵀ · C[1:], ∂W_o += dyᵀ · H over all T·B rows */
  recur_sgemm (TRUE, FALSE, (int) H, (int) I, (int) (T * batch), 1.0f, da, (int) H, ws->input,
               (int) I, 1.0f, grads + jo->w_x, (int) I);
  if (T > 1)
    recur_sgemm (TRUE, FALSE, (int) H, (int) I, (int) ((T - 1) * batch), 1.0f, da + BH, (int) H,
                 ws->jordan_ctx + BI, (int) I, 1.0f, grads + jo->w_y, (int) I);
  recur_sgemm (TRUE, FALSE, (int) I, (int) H, (int) (T * batch), 1.0f, dy, (int) I, h, (int) H,
               1.0f, grads + jo->w_o, (int) H);
  if (s->bias)
    {
      add_column_sums (grads + jo->b, da, (gsize) T * batch, H);
      add_column_sums (grads + jo->b_o, dy, (gsize) T * batch, I);
    }
}

double
recur_model_auxiliary_loss (const RecurModel *self,
                            RecurWorkspace   *ws,
                            RecurLossKind     kind,
                            gboolean          for_backward)
{
  const RecurModelSpec *s = &self->spec;
  gsize BI, n;
  double loss;

  if (s->cell != RECUR_CELL_JORDAN || s->window < 2)
    return 0.0;
  g_return_val_if_fail (ws->batch > 0 && ws->jordan_y != NULL, 0.0);
  g_return_val_if_fail (!for_backward || ws->training, 0.0);
  BI = (gsize) ws->batch * s->input_size;
  n = (gsize) (s->window - 1) * BI;
  /* y_t predicts x_{t+1}: rows 0…T−2 of y against rows 1…T−1 of the input, both contiguous */
  loss = recur_loss (kind, ws->jordan_y, ws->input + BI, n, for_backward ? ws->d_aux : NULL);
  if (for_backward)
    {
      memset (ws->d_aux + n, 0, BI * sizeof (float));
      ws->aux_active = TRUE;
    }
  return loss;
}
