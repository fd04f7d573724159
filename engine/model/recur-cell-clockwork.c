/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <string.h>

#include "recur-blas.h"
#include "recur-kernels.h"
#include "recur-model-private.h"

/* Clockwork: zeroes W_hh below its block diagonal. Block row i (units [i·k, (i+1)·k)) takes
 * input from block columns j ≥ i only: slower blocks feed faster ones, never the reverse. */
void
clockwork_mask (const RecurModelSpec *s,
                float                *w_hh)
{
  guint H = s->hidden_size, k = H / s->n_periods;

  for (guint r = 0; r < H; r++)
    memset (w_hh + (gsize) r * H, 0, (gsize) (r / k) * k * sizeof (float));
}

/* Clockwork: an Elman RNN, h = tanh(W_ih x + b_ih + W_hh h' + b_hh), whose block i recomputes
 * its units only at the steps where t mod T_i = 0, from the blocks j ≥ i of h_{t−1}; between
 * its ticks it keeps its state. At t = 0 every block fires. */
void
forward_clockwork (const RecurModel *self,
                   RecurWorkspace   *ws,
                   guint             batch,
                   const float      *x)
{
  const RecurModelSpec *s = &self->spec;
  const LayerOffsets *lo = &self->layers[0];
  const float *p = self->params;
  const float *w_hh = p + lo->w_hh;
  guint T = s->window, H = s->hidden_size, k = H / s->n_periods;
  gsize BH = (gsize) batch * H;
  float *g = ws->dir[0].gates, *h = ws->y[0];

  project_inputs (x, (gsize) T * batch, lo->input_size, p + lo->w_ih, H,
                  s->bias ? p + lo->b_ih : NULL, s->bias ? p + lo->b_hh : NULL, g);
  for (guint t = 0; t < T; t++)
    {
      float *gt = g + t * BH, *ht = h + t * BH;
      const float *hp = t ? ht - BH : NULL;

      for (guint i = 0; i < s->n_periods; i++)
        {
          guint r0 = i * k;

          if (t % s->periods[i] != 0)
            {
              for (guint b = 0; b < batch; b++)
                memcpy (ht + (gsize) b * H + r0, hp + (gsize) b * H + r0, k * sizeof (float));
              continue;
            }
          if (hp)
            recur_sgemm (FALSE, TRUE, (int) batch, (int) k, (int) (H - r0), 1.0f, hp + r0,
                         (int) H, w_hh + (gsize) r0 * H + r0, (int) H, 1.0f, gt + r0, (int) H);
          /* the same tanh as the Elman cell's, so one block is exactly an Elman RNN */
          recur_kernel_tanh_forward (batch, k, gt + r0, H, ht + r0, H);
        }
    }
}

/* Clockwork: a block that fired at t backpropagates as Elman units do, through its block row
 * of W_hh to the blocks j ≥ i of h_{t−1}; a block that did not fire passes ∂h_t straight on
 * to h_{t−1}. Every product covers the columns j ≥ i only, so the masked weights get exactly
 * zero gradient. */
void
backward_clockwork (const RecurModel *self,
                    RecurWorkspace   *ws,
                    float            *grads,
                    guint           truncate)
{
  const RecurModelSpec *s = &self->spec;
  const LayerOffsets *lo = &self->layers[0];
  guint T = s->window, H = s->hidden_size, k = H / s->n_periods, batch = ws->batch;
  gsize BH = (gsize) batch * H;
  guint steps = (truncate && truncate < T) ? truncate : T;
  const float *w_hh = self->params + lo->w_hh, *h = ws->y[0];
  float *dh = ws->d_h;

  memset (dh, 0, BH * sizeof (float));
  if (steps < T)
    memset (ws->d_gates, 0, (T - steps) * BH * sizeof (float));

  for (guint kk = 0; kk < steps; kk++)
    {
      guint t = T - 1 - kk;
      const float *ht = h + t * BH, *dy = ws->d_y + t * BH;
      float *dg = ws->d_gates + t * BH;

      ws->grad_flow[t] += recur_kernel_add_rows_sum_squares (batch, H, dh, dy, H);

      for (guint i = 0; i < s->n_periods; i++)
        {
          gboolean fires = t % s->periods[i] == 0;
          guint r0 = i * k;

          /* dg = dh ⊙ (1 − h²) through the Elman cell's own kernel, so that one block is
           * exactly an Elman RNN */
          if (fires)
            recur_kernel_tanh_backward (batch, k, ht + r0, H, dh + r0, dg + r0, H);
          for (guint b = 0; b < batch; b++)
            for (gsize q = (gsize) b * H + r0; q < (gsize) b * H + r0 + k; q++)
              if (fires)
                dh[q] = 0.0f;
              else
                dg[q] = 0.0f;  /* dh[q] goes on to h_{t−1} unchanged */
        }
      /* dh' += dg[block i] · W_hh[block row i, columns ≥ i·k] for the blocks that fired */
      if (t > 0 && kk + 1 < steps)
        for (guint i = 0; i < s->n_periods; i++)
          if (t % s->periods[i] == 0)
            {
              guint r0 = i * k;
              recur_sgemm (FALSE, FALSE, (int) batch, (int) (H - r0), (int) k, 1.0f, dg + r0,
                           (int) H, w_hh + (gsize) r0 * H + r0, (int) H, 1.0f, dh + r0, (int) H);
            }
    }

  /* ∂W_hh[block row i, columns ≥ i·k] += Σ_t dg_t[block i]ᵀ · h_{t−1}[columns ≥ i·k] */
  if (T > 1)
    for (guint i = 0; i < s->n_periods; i++)
      {
        guint r0 = i * k;
        recur_sgemm (TRUE, FALSE, (int) k, (int) (H - r0), (int) ((T - 1) * batch), 1.0f,
                     ws->d_gates + BH + r0, (int) H, h + r0, (int) H, 1.0f,
                     grads + lo->w_hh + (gsize) r0 * H + r0, (int) H);
      }
  recur_sgemm (TRUE, FALSE, (int) H, (int) lo->input_size, (int) (T * batch), 1.0f, ws->d_gates,
               (int) H, ws->input, (int) lo->input_size, 1.0f, grads + lo->w_ih,
               (int) lo->input_size);
  if (s->bias)
    {
      add_column_sums (grads + lo->b_ih, ws->d_gates, (gsize) T * batch, H);
      add_column_sums (grads + lo->b_hh, ws->d_gates, (gsize) T * batch, H);
    }
}
