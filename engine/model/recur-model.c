/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-blas.h"
#include "recur-memory.h"
#include "recur-model.h"
#include "recur-model-private.h"

/* Layout follows torch.nn.RNN/LSTM/GRU(batch_first=True) followed by nn.Linear:
 *   rnn.weight_ih_l{l}[_reverse]  [G·H][I_l]    I_0 = input_size, I_l = D·H
 *   rnn.weight_hh_l{l}[_reverse]  [G·H][H]
 *   rnn.bias_ih_l{l}[_reverse]    [G·H]         (when bias)
 *   rnn.bias_hh_l{l}[_reverse]    [G·H]
 *   head.weight [O][D·H], head.bias [O]
 * with gate blocks in PyTorch's order (LSTM i,f,g,o; GRU r,z,n). All activations are kept
 * time-major, [T][B][·], so each time step's rows are contiguous for the GEMMs.
 *
 * The rest of the family, one unidirectional layer each, with the same head:
 *   Jordan     rnn.weight_x [H][I], rnn.weight_y [H][I], rnn.bias [H],
 *              rnn.weight_o [I][H], rnn.bias_o [I]            (biases when bias)
 *   ESN        esn.weight_in [N][I], esn.weight [N][N], esn.bias [N]: fixed, never trained
 *   clockwork  rnn.weight_ih_l0, rnn.weight_hh_l0, rnn.bias_ih_l0, rnn.bias_hh_l0 as an Elman
 *              RNN, with W_hh block upper-triangular (the masked blocks stay exactly zero) */

G_DEFINE_QUARK (recur-model-error-quark, recur_model_error)

/* ---- parameters ------------------------------------------------------------------------- */

static void
tensor_info_free (gpointer data)
{
  RecurTensorInfo *info = data;

  g_free (info->name);
  g_free (info);
}

static gsize
add_tensor_full (RecurModel *self,
                 char       *name,
                 guint64     rows,
                 guint64     cols,
                 gboolean    fixed)
{
  RecurTensorInfo *info = g_new0 (RecurTensorInfo, 1);

  info->name = name;
  info->n_dims = cols ? 2 : 1;
  info->shape[0] = rows;
  info->shape[1] = cols;
  info->offset = self->n_params;
  info->count = rows * (cols ? cols : 1);
  info->fixed = fixed;
  self->n_params += info->count;
  if (!fixed)
    self->n_trainable += info->count;
  g_ptr_array_add (self->tensors, info);
  return info->offset;
}

static gsize
add_tensor (RecurModel *self,
            char       *name,
            guint64     rows,
            guint64     cols)
{
  return add_tensor_full (self, name, rows, cols, FALSE);
}

static void
layout_parameters (RecurModel *self)
{
  const RecurModelSpec *s = &self->spec;
  guint gh = self->n_gates * s->hidden_size;
  guint H = s->hidden_size, I = s->input_size;

  if (s->cell == RECUR_CELL_JORDAN)
    {
      JordanOffsets *jo = &self->jordan;
      jo->w_x = add_tensor (self, g_strdup ("rnn.weight_x"), H, I);
      jo->w_y = add_tensor (self, g_strdup ("rnn.weight_y"), H, I);
      if (s->bias)
        jo->b = add_tensor (self, g_strdup ("rnn.bias"), H, 0);
      jo->w_o = add_tensor (self, g_strdup ("rnn.weight_o"), I, H);
      if (s->bias)
        jo->b_o = add_tensor (self, g_strdup ("rnn.bias_o"), I, 0);
    }
  else if (s->cell == RECUR_CELL_ESN)
    {
      LayerOffsets *lo = &self->layers[0];
      lo->input_size = I;
      lo->w_ih = add_tensor_full (self, g_strdup ("esn.weight_in"), H, I, TRUE);
      lo->w_hh = add_tensor_full (self, g_strdup ("esn.weight"), H, H, TRUE);
      if (s->bias)
        lo->b_ih = add_tensor_full (self, g_strdup ("esn.bias"), H, 0, TRUE);
    }
  else
    {
      for (guint l = 0; l < s->num_layers; l++)
        for (guint d = 0; d < self->n_directions; d++)
          {
            LayerOffsets *lo = &self->layers[l * self->n_directions + d];
            const char *suffix = d ? "_reverse" : "";

            lo->input_size = l == 0 ? I : self->n_directions * H;
            lo->w_ih = add_tensor (self, g_strdup_printf ("rnn.weight_ih_l%u%s", l, suffix),
                                   gh, lo->input_size);
            lo->w_hh = add_tensor (self, g_strdup_printf ("rnn.weight_hh_l%u%s", l, suffix),
                                   gh, H);
            if (s->bias)
              {
                lo->b_ih = add_tensor (self, g_strdup_printf ("rnn.bias_ih_l%u%s", l, suffix),
                                       gh, 0);
                lo->b_hh = add_tensor (self, g_strdup_printf ("rnn.bias_hh_l%u%s", l, suffix),
                                       gh, 0);
              }
          }
    }
  self->head_w = add_tensor (self, g_strdup ("head.weight"), self->output_size,
                             self->n_directions * s->hidden_size);
  self->head_b = add_tensor (self, g_strdup ("head.bias"), self->output_size, 0);
  if (s->cell == RECUR_CELL_CLOCKWORK)
    {
      /* block i (k units) reads only blocks j ≥ i: k · i·k masked weights per block row */
      gsize g = s->n_periods, k = H / g;
      self->n_trainable -= k * k * g * (g - 1) / 2;
    }
}

RecurModel *
recur_model_new (const RecurModelSpec  *spec,
                 GError               **error)
{
  g_autofree char *what = NULL;
  RecurModel *self;

  if (!recur_model_spec_validate (spec, error))
    return NULL;

  self = g_new0 (RecurModel, 1);
  self->spec = *spec;
  self->n_gates = recur_cell_n_gates (spec->cell);
  self->n_directions = spec->bidirectional ? 2 : 1;
  self->output_size = recur_model_spec_output_size (spec);
  self->layers = g_new0 (LayerOffsets, spec->num_layers * self->n_directions);
  self->tensors = g_ptr_array_new_with_free_func (tensor_info_free);
  layout_parameters (self);
  /* the sizes come from options or a weights file's metadata: a refusal, not an abort */
  if (!(self->params = g_try_malloc0_n (MAX (self->n_params, 1), sizeof (float)))
      || !(self->grads = g_try_malloc0_n (MAX (self->n_params, 1), sizeof (float))))
    {
      g_autofree char *model = recur_model_spec_describe (spec);
      what = g_strdup_printf (_("the model's weights and gradients (%s)"), model);
      recur_memory_set_error (error, 2 * (guint64) self->n_params * sizeof (float), what);
      recur_model_free (self);
      return NULL;
    }
  return self;
}

RecurModel *
recur_model_try_copy (const RecurModel  *self,
                      GError           **error)
{
  RecurModel *copy = recur_model_new (&self->spec, error);

  if (copy)
    recur_model_copy_params (copy, self);
  return copy;
}

RecurModel *
recur_model_copy (const RecurModel *self)
{
  RecurModel *copy = recur_model_try_copy (self, NULL);

  if (copy == NULL)
    g_error ("out of memory copying a model of %" G_GSIZE_FORMAT " parameters", self->n_params);
  return copy;
}

void
recur_model_free (RecurModel *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->tensors);
  g_free (self->layers);
  g_free (self->params);
  g_free (self->grads);
  g_free (self);
}

void
recur_model_init_weights (RecurModel *self,
                          RecurRng   *rng)
{
  float rnn_bound = 1.0f / sqrtf ((float) self->spec.hidden_size);
  float head_bound = 1.0f / sqrtf ((float) recur_model_get_feature_size (self));

  if (self->spec.cell == RECUR_CELL_ESN)
    recur_esn_init_reservoir (self, rng);
  for (guint i = 0; i < self->tensors->len; i++)
    {
      const RecurTensorInfo *info = g_ptr_array_index (self->tensors, i);
      float bound = g_str_has_prefix (info->name, "head.") ? head_bound : rnn_bound;

      if (info->fixed)
        continue;
      for (gsize k = 0; k < info->count; k++)
        self->params[info->offset + k] = recur_rng_uniform (rng, -bound, bound);
    }
  if (self->spec.cell == RECUR_CELL_CLOCKWORK)
    clockwork_mask (&self->spec, self->params + self->layers[0].w_hh);
}

const RecurModelSpec *
recur_model_get_spec (const RecurModel *self)
{
  return &self->spec;
}

gsize
recur_model_get_n_params (const RecurModel *self)
{
  return self->n_params;
}

gsize
recur_model_get_n_trainable_params (const RecurModel *self)
{
  return self->n_trainable;
}

float *
recur_model_get_params (RecurModel *self)
{
  return self->params;
}

const float *
recur_model_peek_params (const RecurModel *self)
{
  return self->params;
}

float *
recur_model_get_grads (RecurModel *self)
{
  return self->grads;
}

void
recur_model_zero_grads (RecurModel *self)
{
  memset (self->grads, 0, self->n_params * sizeof (float));
}

void
recur_model_copy_params (RecurModel       *self,
                         const RecurModel *from)
{
  g_return_if_fail (self->n_params == from->n_params);
  memcpy (self->params, from->params, self->n_params * sizeof (float));
}

guint
recur_model_get_n_tensors (const RecurModel *self)
{
  return self->tensors->len;
}

const RecurTensorInfo *
recur_model_get_tensor (const RecurModel *self,
                        guint             index)
{
  g_return_val_if_fail (index < self->tensors->len, NULL);
  return g_ptr_array_index (self->tensors, index);
}

const RecurTensorInfo *
recur_model_find_tensor (const RecurModel *self,
                         const char       *name)
{
  for (guint i = 0; i < self->tensors->len; i++)
    {
      const RecurTensorInfo *info = g_ptr_array_index (self->tensors, i);
      if (g_strcmp0 (info->name, name) == 0)
        return info;
    }
  return NULL;
}

guint
recur_model_get_feature_size (const RecurModel *self)
{
  return self->n_directions * self->spec.hidden_size;
}

/* ---- forward and backward: every cell's pass, then the head ----------------------------- */

void
recur_model_forward (const RecurModel *self,
                     RecurWorkspace   *ws,
                     guint             batch,
                     const float      *input,
                     gboolean          training,
                     RecurRng         *rng,
                     float            *output)
{
  const RecurModelSpec *s = &self->spec;
  guint T = s->window, H = s->hidden_size, L = s->num_layers;
  gsize DH = (gsize) self->n_directions * H;
  const float *x = input;

  g_return_if_fail (batch >= 1 && batch <= ws->max_batch);
  g_return_if_fail (ws->window == T && ws->hidden == H && ws->n_layers == L);
  g_return_if_fail (!training || ws->training);

  ws->batch = batch;
  ws->input = input;
  ws->aux_active = FALSE;
  ws->gates_spent = FALSE;
  ws->dropped = training && s->dropout > 0.0f && L > 1;
  for (guint l = 0; l < L; l++)
    {
      if (s->cell == RECUR_CELL_JORDAN)
        forward_jordan (self, ws, batch, x);
      else if (s->cell == RECUR_CELL_ESN)
        forward_esn (self, ws, batch, x);
      else if (s->cell == RECUR_CELL_CLOCKWORK)
        forward_clockwork (self, ws, batch, x);
      else
        for (guint d = 0; d < self->n_directions; d++)
          forward_direction (self, ws, l, d, batch, x);
      x = ws->y[l];
      if (ws->dropped && l + 1 < L)
        {
          g_return_if_fail (rng != NULL);
          apply_dropout (ws, l, (gsize) T * batch * DH, s->dropout, rng);
          x = ws->y_dropped[l];
        }
    }

  /* features = [h_fwd at t = T−1, h_rev at t = 0], as PyTorch's h_n of the top layer */
  for (guint d = 0; d < self->n_directions; d++)
    {
      guint t = d ? 0 : T - 1;
      for (guint b = 0; b < batch; b++)
        memcpy (ws->features + b * DH + (gsize) d * H,
                hidden_at (ws, L - 1, d, t, batch) + b * DH, H * sizeof (float));
    }
  /* output = features · head.weightᵀ + head.bias */
  fill_bias_rows (output, batch, self->output_size, self->params + self->head_b, NULL);
  recur_sgemm (FALSE, TRUE, (int) batch, (int) self->output_size, (int) DH, 1.0f,
               ws->features, (int) DH, self->params + self->head_w, (int) DH,
               1.0f, output, (int) self->output_size);
}

void
recur_model_backward (RecurModel     *self,
                      RecurWorkspace *ws,
                      const float    *d_output,
                      guint           truncate)
{
  recur_model_backward_into (self, ws, d_output, truncate, self->grads);
}

void
recur_model_backward_into (const RecurModel *self,
                           RecurWorkspace   *ws,
                           const float      *d_output,
                           guint             truncate,
                           float            *grads)
{
  const RecurModelSpec *s = &self->spec;
  guint T = s->window, H = s->hidden_size, L = s->num_layers, batch = ws->batch;
  gsize DH = (gsize) self->n_directions * H;
  gsize n_y = (gsize) T * batch * DH;

  g_return_if_fail (batch > 0 && ws->training);
  /* RNN, LSTM and GRU leave their gate gradients where the forward pass's gates were */
  g_return_if_fail (!ws->gates_spent);

  /* head: ∂W += d_outᵀ · features, ∂b += Σ d_out, ∂features = d_out · W */
  recur_sgemm (TRUE, FALSE, (int) self->output_size, (int) DH, (int) batch, 1.0f, d_output,
               (int) self->output_size, ws->features, (int) DH, 1.0f,
               grads + self->head_w, (int) DH);
  add_column_sums (grads + self->head_b, d_output, batch, self->output_size);
  recur_sgemm (FALSE, FALSE, (int) batch, (int) DH, (int) self->output_size, 1.0f, d_output,
               (int) self->output_size, self->params + self->head_w, (int) DH, 0.0f,
               ws->d_features, (int) DH);

  memset (ws->grad_flow, 0, (gsize) L * T * sizeof (double));
  if (recur_cell_is_stackable (s->cell))
    {
      ws->gates_spent = TRUE;
      for (guint l = L; l-- > 0;)
        {
          /* the top layer's output gradient is the head's, at each direction's last step */
          for (guint d = 0; d < self->n_directions; d++)
            backward_direction (self, ws, grads, l, d, l + 1 < L ? ws->d_y : NULL,
                                l + 1 < L ? NULL : ws->d_features, truncate);
          if (l > 0)
            {
              /* ∂y[l−1] = ∂x[l] ⊙ mask: the two buffers trade places */
              float *d_x = ws->d_x;
              if (ws->dropped)
                for (gsize i = 0; i < n_y; i++)
                  d_x[i] *= ws->mask[l - 1][i];
              ws->d_x = ws->d_y;
              ws->d_y = d_x;
            }
        }
    }
  else if (s->cell != RECUR_CELL_ESN) /* an ESN's reservoir is fixed: only the head learns */
    {
      /* one layer, its output gradient as a sequence: the head's at the last step */
      memset (ws->d_y, 0, n_y * sizeof (float));
      for (guint b = 0; b < batch; b++)
        memcpy (ws->d_y + ((gsize) (T - 1) * batch + b) * DH, ws->d_features + b * DH,
                DH * sizeof (float));
      if (s->cell == RECUR_CELL_JORDAN)
        backward_jordan (self, ws, grads, truncate);
      else
        backward_clockwork (self, ws, grads, truncate);
    }
  for (gsize i = 0; i < (gsize) L * T; i++)
    ws->grad_flow[i] = sqrt (ws->grad_flow[i]);
}

/* ---- inspection ------------------------------------------------------------------------- */

const float *
recur_workspace_get_layer_output (const RecurWorkspace *ws,
                                  guint                 layer)
{
  g_return_val_if_fail (layer < ws->n_layers, NULL);
  return ws->y[layer];
}

void
recur_workspace_get_h_n (const RecurWorkspace *ws,
                         guint                 layer,
                         guint                 direction,
                         float                *out)
{
  guint T = ws->window, H = ws->hidden, batch = ws->batch;
  gsize DH = (gsize) ws->n_directions * H;
  guint t = direction ? 0 : T - 1;

  g_return_if_fail (layer < ws->n_layers && direction < ws->n_directions);
  for (guint b = 0; b < batch; b++)
    memcpy (out + (gsize) b * H, ws->y[layer] + ((gsize) t * batch + b) * DH + direction * H,
            H * sizeof (float));
}

void
recur_workspace_get_c_n (const RecurWorkspace *ws,
                         guint                 layer,
                         guint                 direction,
                         float                *out)
{
  guint T = ws->window, H = ws->hidden, batch = ws->batch;
  guint t = direction ? 0 : T - 1;
  const DirectionBuffers *db = &ws->dir[layer * ws->n_directions + direction];

  g_return_if_fail (db->cell != NULL);
  /* the direction's last step, T − 1, whatever its time */
  memcpy (out, cell_at ((RecurWorkspace *) ws, db, t, T - 1), (gsize) batch * H * sizeof (float));
}

const double *
recur_workspace_get_grad_flow (const RecurWorkspace *ws,
                               guint                 layer)
{
  g_return_val_if_fail (layer < ws->n_layers, NULL);
  return ws->grad_flow + (gsize) layer * ws->window;
}

gboolean
recur_cell_has_state (RecurCellKind  cell,
                      RecurStateKind kind)
{
  switch (kind)
    {
    case RECUR_STATE_HIDDEN:
      return TRUE;
    case RECUR_STATE_CELL:
    case RECUR_STATE_GATE_I:
    case RECUR_STATE_GATE_F:
    case RECUR_STATE_GATE_G:
    case RECUR_STATE_GATE_O:
      return cell == RECUR_CELL_LSTM;
    case RECUR_STATE_GATE_R:
    case RECUR_STATE_GATE_Z:
    case RECUR_STATE_GATE_N:
      return cell == RECUR_CELL_GRU;
    case RECUR_N_STATES:
    default:
      return FALSE;
    }
}

const char *
recur_state_kind_to_string (RecurStateKind kind)
{
  static const char *const names[] = { "h", "c", "i", "f", "g", "o", "r", "z", "n" };

  g_return_val_if_fail (kind < RECUR_N_STATES, NULL);
  return names[kind];
}

gboolean
recur_workspace_copy_state (const RecurWorkspace *ws,
                            guint                 layer,
                            RecurStateKind        kind,
                            guint                 index,
                            float                *out)
{
  guint T = ws->window, H = ws->hidden, batch = ws->batch, D = ws->n_directions;
  gsize DH = (gsize) D * H, GH = (gsize) recur_cell_n_gates (ws->cell_kind) * H;

  g_return_val_if_fail (layer < ws->n_layers && index < batch, FALSE);
  /* an inference workspace keeps the hidden states only, a lean training one also the cells,
   * a kept training one the gates but not every cell; a backward pass spends the gates */
  g_return_val_if_fail (kind == RECUR_STATE_HIDDEN
                        || (kind == RECUR_STATE_CELL ? ws->cells == CELLS_EVERY_STEP
                                                     : ws->keeps_gates && !ws->gates_spent),
                        FALSE);
  if (!recur_cell_has_state (ws->cell_kind, kind))
    return FALSE;

  for (guint d = 0; d < D; d++)
    {
      const DirectionBuffers *db = &ws->dir[layer * D + d];
      for (guint j = 0; j < H; j++)
        for (guint t = 0; t < T; t++)
          {
            gsize row = (gsize) t * batch + index;
            float v;
            if (kind == RECUR_STATE_HIDDEN)
              v = ws->y[layer][row * DH + (gsize) d * H + j];
            else if (kind == RECUR_STATE_CELL)
              v = db->cell[row * H + j];
            else
              {
                /* activated gates in PyTorch's order: LSTM i f g o, GRU r z n */
                guint gate = kind >= RECUR_STATE_GATE_R ? kind - RECUR_STATE_GATE_R
                                                        : kind - RECUR_STATE_GATE_I;
                v = db->gates[row * GH + (gsize) gate * H + j];
              }
            out[((gsize) d * H + j) * T + t] = v;
          }
    }
  return TRUE;
}
