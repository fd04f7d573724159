/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <string.h>

#include "recur-blas.h"
#include "recur-gemm.h"
#include "recur-kernels.h"
#include "recur-model-private.h"

/* The stackable cells, RNN (tanh, ReLU), LSTM and GRU: one direction of one layer through
 * a window, forwards and backwards (BPTT). */

/* ---- forward ---------------------------------------------------------------------------- */

/* The pointwise part of one time step, given pre-activations in g (and GRU's hh); the gate
 * formulas are in recur-kernels.c. h_prev and c_prev are NULL at the first step (h0 = c0 = 0). */
static void
cell_step_forward (RecurCellKind  cell,
                   guint          batch,
                   guint          H,
                   float         *g,
                   const float   *hh,
                   const float   *h_prev,
                   const float   *c_prev,
                   float         *c,
                   float         *h,
                   gsize          ld_h)
{
  switch (cell)
    {
    case RECUR_CELL_RNN_TANH:
      /* h = tanh(W_ih x + b_ih + W_hh h' + b_hh) */
      recur_kernel_tanh_forward (batch, H, g, H, h, ld_h);
      break;
    case RECUR_CELL_RNN_RELU:
      for (guint b = 0; b < batch; b++)
        for (guint j = 0; j < H; j++)
          h[b * ld_h + j] = g[(gsize) b * H + j] > 0.0f ? g[(gsize) b * H + j] : 0.0f;
      break;
    case RECUR_CELL_LSTM:
      /* i = σ(·), f = σ(·), g = tanh(·), o = σ(·); c = f ⊙ c' + i ⊙ g; h = o ⊙ tanh(c) */
      recur_kernel_lstm_forward (batch, H, g, c_prev, c, h, ld_h);
      break;
    case RECUR_CELL_GRU:
      /* r = σ(W_ir x + b_ir + W_hr h' + b_hr), z likewise,
       * n = tanh(W_in x + b_in + r ⊙ (W_hn h' + b_hn)), h = (1 − z) ⊙ n + z ⊙ h' */
      recur_kernel_gru_forward (batch, H, g, hh, h_prev, h, ld_h);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* XP = X · W_ihᵀ (+ biases) for all T·B rows in one GEMM; with one input feature, a
 * broadcast product, which BLAS does poorly at K = 1. */
void
project_inputs (const float *x,
                gsize        rows,
                guint        in,
                const float *w_ih,
                gsize        GH,
                const float *bias1,
                const float *bias2,
                float       *out)
{
  if (in == 1)
    {
      recur_kernel_project1 (rows, GH, x, w_ih, bias1, bias2, out);
      return;
    }
  fill_bias_rows (out, rows, GH, bias1, bias2);
  recur_sgemm (FALSE, TRUE, (int) rows, (int) GH, (int) in, 1.0f, x, (int) in,
               w_ih, (int) in, 1.0f, out, (int) GH);
}

/* The input projections of the times [t_lo, t_lo + n) of (layer l, direction d) into out:
 * X · W_ihᵀ + b_ih (+ b_hh, except for GRU, whose n gate scales W_hn h + b_hn by r). */
static void
project_chunk (const RecurModel *self,
               guint             l,
               guint             d,
               const float      *x,
               guint             batch,
               guint             t_lo,
               guint             n,
               float            *out)
{
  const LayerOffsets *lo = &self->layers[l * self->n_directions + d];
  const float *p = self->params;
  gboolean bias = self->spec.bias, gru = self->spec.cell == RECUR_CELL_GRU;
  gsize I = lo->input_size;

  project_inputs (x + (gsize) t_lo * batch * I, (gsize) n * batch, lo->input_size, p + lo->w_ih,
                  (gsize) self->n_gates * self->spec.hidden_size, bias ? p + lo->b_ih : NULL,
                  bias && !gru ? p + lo->b_hh : NULL, out);
}

/* out[batch × GH] += h_prev · W_hhᵀ, with W_hh packed for the whole pass where it can be (the
 * echo state network's reservoir too). */
void
add_recurrent_forward (RecurWorkspace *ws,
                       guint           batch,
                       guint           GH,
                       guint           H,
                       const float    *h_prev,
                       gsize           ld_h,
                       const float    *w_hh,
                       float          *out)
{
  if (ws->packed_w_hh)
    recur_gemm_packed (FALSE, batch, GH, H, 1.0f, h_prev, ld_h, ws->packed_w_hh, 1.0f, out, GH);
  else
    recur_sgemm (FALSE, TRUE, (int) batch, (int) GH, (int) H, 1.0f, h_prev, (int) ld_h, w_hh,
                 (int) H, 1.0f, out, (int) GH);
}

/* CELLS_CHECKPOINTS: the cell state c of processing step `step` is kept when the backward
 * pass's chunks of steps (taken from the last step down) start right above it */
static void
keep_checkpoint (RecurWorkspace         *ws,
                 const DirectionBuffers *db,
                 guint                   step,
                 const float            *c)
{
  guint from_end = ws->window - 1 - step, m = from_end / ws->chunk_steps;

  if (from_end % ws->chunk_steps == 0 && m >= 1)
    memcpy (cell_checkpoint (ws, db, m), c, (gsize) ws->batch * ws->hidden * sizeof (float));
}

void
forward_direction (const RecurModel *self,
                   RecurWorkspace   *ws,
                   guint             l,
                   guint             d,
                   guint             batch,
                   const float      *x)
{
  const RecurModelSpec *s = &self->spec;
  const LayerOffsets *lo = &self->layers[l * self->n_directions + d];
  DirectionBuffers *db = &ws->dir[l * self->n_directions + d];
  const float *p = self->params;
  const float *b_hh = s->bias ? p + lo->b_hh : NULL;
  guint T = s->window, H = s->hidden_size;
  gsize GH = (gsize) self->n_gates * H, DH = (gsize) self->n_directions * H;
  gboolean gru = s->cell == RECUR_CELL_GRU;

  /* a full workspace keeps every step's gates, others a chunk of steps' (their rows start at
   * time row0); training keeps every step's cell for the backward pass, inference the last two */
  guint chunk = gate_steps (ws);
  gsize BGH = (gsize) batch * GH;

  if (ws->packed_w_hh)
    recur_gemm_pack_b (TRUE, H, (guint) GH, p + lo->w_hh, H, ws->packed_w_hh);
  for (guint k0 = 0; k0 < T; k0 += chunk)
    {
      guint n = MIN (chunk, T - k0);
      guint t_lo = d ? T - k0 - n : k0; /* steps k0 … k0+n−1 are the times t_lo … t_lo+n−1 */
      guint row0 = ws->keeps_gates ? 0 : t_lo;

      project_chunk (self, l, d, x, batch, t_lo, n, db->gates + (t_lo - row0) * BGH);
      for (guint step = k0; step < k0 + n; step++)
        {
          guint t = time_of_step (d, step, T);
          guint t_prev = time_of_step (d, step - 1, T);
          float *g = db->gates + (t - row0) * BGH;
          float *hh = gru ? db->hh + (t - row0) * BGH : NULL;
          const float *h_prev = step ? hidden_at (ws, l, d, t_prev, batch) : NULL;
          float *c = db->cell ? cell_at (ws, db, t, step) : NULL;
          const float *c_prev = (c && step) ? cell_at (ws, db, t_prev, step - 1) : NULL;

          if (gru)
            fill_bias_rows (hh, batch, GH, b_hh, NULL);
          if (h_prev)
            add_recurrent_forward (ws, batch, (guint) GH, H, h_prev, DH, p + lo->w_hh,
                                   gru ? hh : g);
          cell_step_forward (s->cell, batch, H, g, hh, h_prev, c_prev, c,
                             hidden_at (ws, l, d, t, batch), DH);
          if (c && ws->cells == CELLS_CHECKPOINTS)
            keep_checkpoint (ws, db, step, c);
        }
    }
}

void
apply_dropout (RecurWorkspace *ws,
               guint           l,
               gsize           n,
               float           p,
               RecurRng       *rng)
{
  float keep_scale = 1.0f / (1.0f - p);

  for (gsize i = 0; i < n; i++)
    {
      float m = recur_rng_double (rng) < p ? 0.0f : keep_scale;
      ws->mask[l][i] = m;
      ws->y_dropped[l][i] = ws->y[l][i] * m;
    }
}

/* ---- backward --------------------------------------------------------------------------- */

/* From dh (gradient w.r.t. h_t) to the pre-activation gradients of step t, in place: g (and
 * GRU's hh) come with the step's gates and leave with their gradients. Updates dc for LSTM (to
 * ∂/∂c_{t−1}), and for GRU sets dh to its direct path z ⊙ dh (the rest comes from the W_hh
 * product). */
static void
cell_step_backward (RecurCellKind  cell,
                    guint          batch,
                    guint          H,
                    float         *g,
                    float         *hh,
                    const float   *h,
                    const float   *h_prev,
                    const float   *c,
                    const float   *c_prev,
                    gsize          ld_h,
                    float         *dh,
                    float         *dc)
{
  switch (cell)
    {
    case RECUR_CELL_RNN_TANH:
      recur_kernel_tanh_backward (batch, H, h, ld_h, dh, g, H);
      break;
    case RECUR_CELL_RNN_RELU:
      for (guint b = 0; b < batch; b++)
        for (guint j = 0; j < H; j++)
          g[(gsize) b * H + j] = h[b * ld_h + j] > 0.0f ? dh[(gsize) b * H + j] : 0.0f;
      break;
    case RECUR_CELL_LSTM:
      recur_kernel_lstm_backward (batch, H, g, c, c_prev, dh, dc);
      break;
    case RECUR_CELL_GRU:
      recur_kernel_gru_backward (batch, H, g, hh, h_prev, ld_h, dh);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* Of the times [t_lo, t_lo + n) of direction d, those [*from, *to) that had a predecessor in
 * the window (h_prev = h[t−1] going forwards, h[t+1] going backwards); returns h_prev of *from,
 * the first of as many consecutive [B] row blocks of y as there are such times. */
static const float *
steps_with_predecessor (RecurWorkspace *ws,
                        guint           l,
                        guint           d,
                        guint           t_lo,
                        guint           n,
                        guint          *from,
                        guint          *to)
{
  *from = d ? t_lo : MAX (t_lo, 1);
  *to = d ? MIN (t_lo + n, ws->window - 1) : t_lo + n;
  return *to > *from ? hidden_at (ws, l, d, d ? *from + 1 : *from - 1, ws->batch) : NULL;
}

/* Weight and input gradients of the times [t_lo, t_lo + n) of (layer l, direction d), whose
 * gate gradients are the rows dg [n][B][G·H] (GRU's recurrent side dg_hh, else dg): one GEMM
 * each over all their rows. */
static void
add_chunk_gradients (const RecurModel *self,
                     RecurWorkspace   *ws,
                     float            *grads,
                     guint             l,
                     guint             d,
                     guint             t_lo,
                     guint             n,
                     const float      *x,
                     const float      *dg,
                     const float      *dg_hh)
{
  const LayerOffsets *lo = &self->layers[l * self->n_directions + d];
  guint H = self->spec.hidden_size, batch = ws->batch;
  guint I = lo->input_size;
  gsize GH = (gsize) self->n_gates * H, DH = (gsize) self->n_directions * H;
  guint t_from, t_to;
  const float *h_prev = steps_with_predecessor (ws, l, d, t_lo, n, &t_from, &t_to);

  /* ∂W_hh gets the times that had a predecessor */
  if (h_prev)
    recur_sgemm (TRUE, FALSE, (int) GH, (int) H, (int) ((t_to - t_from) * batch), 1.0f,
                 dg_hh + (gsize) (t_from - t_lo) * batch * GH, (int) GH, h_prev, (int) DH,
                 1.0f, grads + lo->w_hh, (int) H);
  /* ∂W_ih += dgᵀ · X */
  recur_sgemm (TRUE, FALSE, (int) GH, (int) I, (int) (n * batch), 1.0f, dg, (int) GH,
               x + (gsize) t_lo * batch * I, (int) I, 1.0f, grads + lo->w_ih, (int) I);
  if (self->spec.bias)
    {
      add_column_sums (grads + lo->b_ih, dg, (gsize) n * batch, GH);
      add_column_sums (grads + lo->b_hh, dg_hh, (gsize) n * batch, GH);
    }
  /* ∂x += dg · W_ih, needed below the first layer only */
  if (l > 0)
    recur_sgemm (FALSE, FALSE, (int) (n * batch), (int) I, (int) GH, 1.0f, dg, (int) GH,
                 self->params + lo->w_ih, (int) I, 1.0f, ws->d_x + (gsize) t_lo * batch * I,
                 (int) I);
}

/* Lean training: the gates of the times [t_lo, t_lo + n) of (layer l, direction d) again, as
 * the forward pass made them, into the chunk's gate buffers: the input projection and the
 * recurrent product of the whole chunk in one GEMM each (every h_{t−1} is kept), then the
 * activations, whose c and h (kept already) go to scratch. The same kernels as the forward
 * pass's, so the same bits. */
static void
recompute_gates (const RecurModel *self,
                 RecurWorkspace   *ws,
                 guint             l,
                 guint             d,
                 guint             t_lo,
                 guint             n,
                 const float      *x)
{
  const RecurModelSpec *s = &self->spec;
  const LayerOffsets *lo = &self->layers[l * self->n_directions + d];
  DirectionBuffers *db = &ws->dir[l * self->n_directions + d];
  const float *p = self->params;
  guint T = s->window, H = s->hidden_size, batch = ws->batch;
  gsize GH = (gsize) self->n_gates * H, DH = (gsize) self->n_directions * H;
  gsize BGH = (gsize) batch * GH;
  gboolean gru = s->cell == RECUR_CELL_GRU;
  float *recurrent = gru ? db->hh : db->gates; /* where W_hh h' goes */
  guint t_from, t_to;
  const float *h_prev = steps_with_predecessor (ws, l, d, t_lo, n, &t_from, &t_to);

  project_chunk (self, l, d, x, batch, t_lo, n, db->gates);
  if (gru)
    fill_bias_rows (db->hh, (gsize) n * batch, GH, s->bias ? p + lo->b_hh : NULL, NULL);
  if (h_prev)
    {
      guint rows = (t_to - t_from) * batch;
      float *out = recurrent + (gsize) (t_from - t_lo) * BGH;
      /* the forward pass's kernel, not whichever recur_sgemm picks for a product this big */
      if (ws->packed_w_hh)
        recur_gemm (FALSE, TRUE, rows, (guint) GH, H, 1.0f, h_prev, DH, p + lo->w_hh, H, 1.0f,
                    out, GH);
      else
        recur_sgemm (FALSE, TRUE, (int) rows, (int) GH, (int) H, 1.0f, h_prev, (int) DH,
                     p + lo->w_hh, (int) H, 1.0f, out, (int) GH);
    }
  for (guint t = t_lo; t < t_lo + n; t++)
    {
      guint step = d ? T - 1 - t : t;
      guint t_prev = time_of_step (d, step - 1, T);
      const float *h_before = step ? hidden_at (ws, l, d, t_prev, batch) : NULL;
      const float *c_prev = (db->cell && step) ? cell_at (ws, db, t_prev, step - 1) : NULL;

      cell_step_forward (s->cell, batch, H, db->gates + (gsize) (t - t_lo) * BGH,
                         gru ? db->hh + (gsize) (t - t_lo) * BGH : NULL, h_before, c_prev,
                         ws->scratch_c, ws->scratch_h, H);
    }
}

/* CELLS_CHECKPOINTS: the backward chunk of steps from T − 1 − k0 down covers the steps above
 * base = T − 1 − k0 − chunk_steps, whose cells go to ws->cell_chunk (step s at s − base − 1);
 * base's own is the checkpoint m = k0 / chunk_steps + 1 (none below step 0). */
static float *
chunk_cell (RecurWorkspace         *ws,
            const DirectionBuffers *db,
            guint                   k0,
            guint                   step)
{
  gint base = (gint) (ws->window - 1 - k0) - (gint) ws->chunk_steps;

  if ((gint) step > base)
    return ws->cell_chunk + (gsize) ((gint) step - base - 1) * ws->batch * ws->hidden;
  return cell_checkpoint (ws, db, k0 / ws->chunk_steps + 1);
}

/* CELLS_CHECKPOINTS: the cells of the chunk of steps from T − 1 − k0 down (and of those below
 * it, down to its checkpoint, when truncation ends it early) again from the kept activated
 * gates, before the backward pass turns them into gradients. */
static void
recompute_cells (RecurWorkspace         *ws,
                 const DirectionBuffers *db,
                 guint                   d,
                 guint                   k0)
{
  guint T = ws->window, batch = ws->batch;
  gsize BGH = (gsize) batch * 4 * ws->hidden;
  gint s_hi = (gint) (T - 1 - k0), base = s_hi - (gint) ws->chunk_steps;

  for (gint step = MAX (base + 1, 0); step <= s_hi; step++)
    recur_kernel_lstm_cell (batch, ws->hidden,
                            db->gates + (gsize) time_of_step (d, (guint) step, T) * BGH,
                            step ? chunk_cell (ws, db, k0, (guint) step - 1) : NULL,
                            chunk_cell (ws, db, k0, (guint) step));
}

/* LSTM's cell state of processing step `step` (time t) in the backward chunk from k0 */
static const float *
backward_cell (RecurWorkspace         *ws,
               const DirectionBuffers *db,
               guint                   k0,
               guint                   step,
               guint                   t)
{
  if (ws->cells == CELLS_CHECKPOINTS)
    return chunk_cell (ws, db, k0, step);
  return db->cell + (gsize) t * ws->batch * ws->hidden;
}

/* BPTT through (layer l, direction d), given ∂loss/∂(the layer's output): the sequence d_seq
 * [T][B][D·H] below the top, or at the top only d_last [B][D·H] at the direction's last step.
 * Each step's gate gradients take the place of its gates, and those of ws->chunk_steps steps
 * at a time go into the weight gradients (and, above the first layer, ∂loss/∂x in ws->d_x). */
void
backward_direction (const RecurModel *self,
                    RecurWorkspace   *ws,
                    float            *grads,
                    guint             l,
                    guint             d,
                    const float      *d_seq,
                    const float      *d_last,
                    guint             truncate)
{
  const RecurModelSpec *s = &self->spec;
  const LayerOffsets *lo = &self->layers[l * self->n_directions + d];
  DirectionBuffers *db = &ws->dir[l * self->n_directions + d];
  guint T = s->window, H = s->hidden_size, batch = ws->batch;
  gsize GH = (gsize) self->n_gates * H, DH = (gsize) self->n_directions * H;
  gsize BGH = batch * GH;
  gboolean gru = s->cell == RECUR_CELL_GRU;
  const float *w_hh = self->params + lo->w_hh;
  guint steps = (truncate && truncate < T) ? truncate : T;
  const float *x = l == 0 ? ws->input : (ws->dropped ? ws->y_dropped[l - 1] : ws->y[l - 1]);

  memset (ws->d_h, 0, (gsize) batch * H * sizeof (float));
  memset (ws->d_c, 0, (gsize) batch * H * sizeof (float));
  /* both directions add their rows of ∂x; times truncation never reaches keep 0 */
  if (l > 0 && d == 0)
    memset (ws->d_x, 0, (gsize) T * batch * DH * sizeof (float));
  if (ws->packed_w_hh)
    recur_gemm_pack_b (FALSE, (guint) GH, H, w_hh, H, ws->packed_w_hh);

  for (guint k0 = 0; k0 < steps; k0 += ws->chunk_steps)
    {
      guint n = MIN (ws->chunk_steps, steps - k0);
      guint t_lo = d ? k0 : T - k0 - n; /* steps k0 … k0+n−1 are the times t_lo … t_lo+n−1 */

      guint row0 = ws->keeps_gates ? 0 : t_lo; /* the gate buffers' first time */

      if (!ws->keeps_gates && (s->cell == RECUR_CELL_LSTM || gru))
        recompute_gates (self, ws, l, d, t_lo, n, x);
      if (db->cell && ws->cells == CELLS_CHECKPOINTS)
        recompute_cells (ws, db, d, k0);
      for (guint k = k0; k < k0 + n; k++)
        {
          guint step = T - 1 - k;
          guint t = time_of_step (d, step, T);
          guint t_prev = time_of_step (d, step - 1, T);
          const float *h_prev = step ? hidden_at (ws, l, d, t_prev, batch) : NULL;
          const float *dy = d_seq ? d_seq + (gsize) t * batch * DH + (gsize) d * H
                          : k == 0 ? d_last + (gsize) d * H : NULL;
          float *dg = db->gates + (gsize) (t - row0) * BGH; /* the gates, then their gradients */
          float *dg_hh = gru ? db->hh + (gsize) (t - row0) * BGH : dg;

          ws->grad_flow[(gsize) l * T + t] +=
            recur_kernel_add_rows_sum_squares (batch, H, ws->d_h, dy, DH);

          cell_step_backward (s->cell, batch, H, dg, gru ? dg_hh : NULL,
                              hidden_at (ws, l, d, t, batch), h_prev,
                              db->cell ? backward_cell (ws, db, k0, step, t) : NULL,
                              (db->cell && step) ? backward_cell (ws, db, k0, step - 1, t_prev)
                                                 : NULL,
                              DH, ws->d_h, ws->d_c);

          /* dh' = dg_hh · W_hh (+ z ⊙ dh for GRU, already in d_h) */
          if (step && k + 1 < steps && ws->packed_w_hh)
            recur_gemm_packed (FALSE, batch, H, (guint) GH, 1.0f, dg_hh, GH, ws->packed_w_hh,
                               gru ? 1.0f : 0.0f, ws->d_h, H);
          else if (step && k + 1 < steps)
            recur_sgemm (FALSE, FALSE, (int) batch, (int) H, (int) GH, 1.0f, dg_hh, (int) GH,
                         w_hh, (int) H, gru ? 1.0f : 0.0f, ws->d_h, (int) H);
        }
      add_chunk_gradients (self, ws, grads, l, d, t_lo, n, x, db->gates + (t_lo - row0) * BGH,
                           (gru ? db->hh : db->gates) + (t_lo - row0) * BGH);
    }
}
