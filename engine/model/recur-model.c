/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-blas.h"
#include "recur-gemm.h"
#include "recur-names.h"
#include "recur-kernels.h"
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

#define MAX_DIRECTIONS 2

typedef struct
{
  gsize w_ih, w_hh, b_ih, b_hh; /* offsets into the flat buffer; b_* unused without bias */
  guint input_size;
} LayerOffsets;

typedef struct
{
  gsize w_x, w_y, b, w_o, b_o; /* b, b_o unused without bias */
} JordanOffsets;

struct _RecurModel
{
  RecurModelSpec spec;
  guint n_gates;
  guint n_directions;
  guint output_size;
  gsize n_params;
  gsize n_trainable;
  JordanOffsets jordan;
  float *params;
  float *grads;
  LayerOffsets *layers;  /* [num_layers × n_directions] */
  gsize head_w, head_b;
  GPtrArray *tensors;    /* RecurTensorInfo* in state_dict order */
};

typedef struct
{
  float *gates;  /* [T][B][G·H]: XP, then activated gates (RNN: pre-activation) */
  float *hh;     /* GRU: [T][B][G·H] = W_hh h' + b_hh */
  float *cell;   /* LSTM: [T][B][H] */
} DirectionBuffers;

struct _RecurWorkspace
{
  guint max_batch;
  guint n_layers, n_directions, window, hidden;
  RecurCellKind cell_kind;
  guint batch;          /* of the last forward */
  gboolean training;    /* has the buffers of dropout and the backward pass */
  gboolean dropped;     /* last forward applied dropout */
  float **y;            /* per layer [T][B][D·H] */
  float **y_dropped;    /* per layer < L-1 when dropout > 0: the next layer's input */
  float **mask;         /* per layer < L-1 when dropout > 0: 0 or 1/(1-p) */
  DirectionBuffers *dir; /* [L × D] */
  const float *input;   /* the last forward's input, borrowed */
  float *features;      /* [B][D·H] head input */
  float *packed_w_hh;   /* a pass's W_hh packed for recur_gemm_packed; NULL without it */
  float *scratch_c;     /* [B][H]: where recomputed gates' c and h go (lean training) */
  float *scratch_h;
  /* backward */
  float *d_y;           /* [T][B][D·H] gradient with respect to the current layer's output,
                         * below the top layer (RNN, LSTM, GRU) or at it (Jordan, clockwork) */
  float *d_x;           /* [T][B][D·H] gradient with respect to its input, above layer 0 */
  gboolean keeps_gates; /* every step's gates stay after a forward pass (else chunk_steps') */
  guint chunk_steps;    /* time steps whose gate gradients (and without keeps_gates, gates)
                         * are kept at once */
  float *d_gates;       /* [chunk_steps][B][G·H] */
  float *d_gates_hh;    /* GRU: [chunk_steps][B][G·H] */
  float *d_h;           /* [B][H] */
  float *d_c;           /* [B][H] */
  float *d_features;    /* [B][D·H] */
  double *grad_flow;    /* [L][T] */
  /* Jordan, [T][B][I] each */
  guint input_size;
  float *jordan_y;      /* y_t = W_o h_t + b_o */
  float *jordan_ctx;    /* the context read at t: 0 at t = 0, then x_t or y_{t−1} */
  float *d_jordan_y;    /* ∂loss/∂y_t */
  float *d_aux;         /* the auxiliary loss's gradient w.r.t. y_t, t < T − 1 */
  gboolean aux_active;  /* d_aux belongs to the last forward and goes into the backward */
};

/* ---- spec ------------------------------------------------------------------------------- */

void
recur_model_spec_init (RecurModelSpec *spec)
{
  *spec = (RecurModelSpec) {
    .cell = RECUR_CELL_LSTM,
    .input_size = 1,
    .hidden_size = 32,
    .num_layers = 1,
    .bidirectional = FALSE,
    .bias = TRUE,
    .dropout = 0.0f,
    .window = 24,
    .horizon = 12,
    .strategy = RECUR_STRATEGY_DIRECT,
    .jordan_feedback = RECUR_JORDAN_TEACHER,
    /* chosen on the validation loss of the bundled series; a small input scaling keeps the
     * reservoir near its linear range, which extrapolates a trend, and ρ = 0.5 with α = 0.6
     * contracts by ≤ 0.7 a step, so 12 steps forget the zero start */
    .esn = {
      .connectivity = 0.1f,
      .spectral_radius = 0.5f,
      .input_scaling = 0.05f,
      .leak = 0.6f,
      .washout = 12,
      .ridge = 1e-4,
    },
    .n_periods = 4,
    .periods = { 1, 2, 4, 8 },
  };
}

void
recur_model_spec_init_for_cell (RecurModelSpec *spec,
                                RecurCellKind   cell)
{
  recur_model_spec_init (spec);
  spec->cell = cell;
  /* A teacher-forced Jordan network reads only x_{T−1} into h_T (its context is the data), so
   * a direct head maps one value to the whole horizon; iterating its one-step prediction does
   * better, and matches what the network's own output y_t is. */
  if (cell == RECUR_CELL_JORDAN)
    spec->strategy = RECUR_STRATEGY_RECURSIVE;
  if (cell == RECUR_CELL_ESN)
    spec->hidden_size = 100;
}

gboolean
recur_model_spec_validate (const RecurModelSpec  *spec,
                           GError               **error)
{
#define CHECK(cond, ...) \
  if (!(cond)) \
    { \
      g_set_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC, __VA_ARGS__); \
      return FALSE; \
    }
  CHECK (spec->cell < RECUR_N_CELLS, _("unknown cell type %d"), spec->cell);
  CHECK (spec->input_size >= 1 && spec->input_size <= 4096,
         _("input size %u is out of range (1–4096)"), spec->input_size);
  CHECK (spec->hidden_size >= 1 && spec->hidden_size <= 8192,
         _("hidden size %u is out of range (1–8192)"), spec->hidden_size);
  CHECK (spec->num_layers >= 1 && spec->num_layers <= 16,
         _("number of layers %u is out of range (1–16)"), spec->num_layers);
  CHECK (spec->dropout >= 0.0f && spec->dropout < 1.0f,
         _("dropout %g is out of range (0 ≤ p < 1)"), (double) spec->dropout);
  CHECK (spec->window >= 1 && spec->window <= 100000,
         _("window %u is out of range (1–100000)"), spec->window);
  CHECK (spec->horizon >= 1 && spec->horizon <= 100000,
         _("horizon %u is out of range (1–100000)"), spec->horizon);
  CHECK (spec->strategy <= RECUR_STRATEGY_RECURSIVE, _("unknown strategy %d"), spec->strategy);
  CHECK (spec->strategy == RECUR_STRATEGY_DIRECT || spec->input_size == 1,
         _("the recursive strategy needs a single input series"));
  if (!recur_cell_is_stackable (spec->cell))
    {
      const char *name = recur_cell_to_string (spec->cell);
      CHECK (spec->num_layers == 1, _("a %s network has one layer, not %u"), name,
             spec->num_layers);
      CHECK (!spec->bidirectional, _("a %s network cannot be bidirectional"), name);
    }
  if (spec->cell == RECUR_CELL_JORDAN)
    CHECK (spec->jordan_feedback <= RECUR_JORDAN_FREE, _("unknown Jordan feedback %d"),
           spec->jordan_feedback);
  if (spec->cell == RECUR_CELL_ESN)
    {
      const RecurEsnSpec *e = &spec->esn;
      CHECK (spec->hidden_size <= RECUR_MAX_RESERVOIR,
             _("reservoir size %u is out of range (1–%u)"), spec->hidden_size,
             RECUR_MAX_RESERVOIR);
      CHECK (e->connectivity > 0.0f && e->connectivity <= 1.0f,
             _("connectivity %g is out of range (0 < c ≤ 1)"), (double) e->connectivity);
      CHECK (e->spectral_radius > 0.0f && e->spectral_radius <= 100.0f,
             _("spectral radius %g is out of range (0 < ρ ≤ 100)"), (double) e->spectral_radius);
      CHECK (e->input_scaling > 0.0f && e->input_scaling <= 1000.0f,
             _("input scaling %g is out of range (0 < s ≤ 1000)"), (double) e->input_scaling);
      CHECK (e->leak > 0.0f && e->leak <= 1.0f, _("leak rate %g is out of range (0 < α ≤ 1)"),
             (double) e->leak);
      CHECK (isfinite (e->ridge) && e->ridge >= 0.0 && e->ridge <= 1e6,
             _("ridge %g is out of range (0 ≤ λ ≤ 1e6)"), e->ridge);
      CHECK (e->washout <= spec->window,
             _("the washout (%u steps) is longer than the window (%u steps): each window "
               "starts from a zero state, so it must be at least as long as the washout"),
             e->washout, spec->window);
    }
  if (spec->cell == RECUR_CELL_CLOCKWORK)
    {
      CHECK (spec->n_periods >= 1 && spec->n_periods <= RECUR_MAX_PERIODS,
             _("a clockwork network has 1 to %u blocks, not %u"), RECUR_MAX_PERIODS,
             spec->n_periods);
      for (guint i = 0; i < spec->n_periods; i++)
        {
          CHECK (spec->periods[i] >= 1 && spec->periods[i] <= 100000,
                 _("clockwork period %u is out of range (1–100000)"), spec->periods[i]);
          CHECK (i == 0 || spec->periods[i] >= spec->periods[i - 1],
                 _("clockwork periods must not decrease (%u comes after %u)"), spec->periods[i],
                 spec->periods[i - 1]);
        }
      CHECK (spec->hidden_size % spec->n_periods == 0,
             _("the hidden size %u does not split into %u clockwork blocks of equal size"),
             spec->hidden_size, spec->n_periods);
    }
#undef CHECK
  return TRUE;
}

guint
recur_model_spec_output_size (const RecurModelSpec *spec)
{
  return spec->strategy == RECUR_STRATEGY_DIRECT ? spec->horizon : 1;
}

guint
recur_cell_n_gates (RecurCellKind cell)
{
  switch (cell)
    {
    case RECUR_CELL_LSTM:
      return 4;
    case RECUR_CELL_GRU:
      return 3;
    case RECUR_CELL_RNN_TANH:
    case RECUR_CELL_RNN_RELU:
    case RECUR_CELL_JORDAN:
    case RECUR_CELL_ESN:
    case RECUR_CELL_CLOCKWORK:
    default:
      return 1;
    }
}

static const char *const cell_names[] = { "rnn_tanh", "rnn_relu", "lstm", "gru",
                                          "jordan", "esn", "clockwork" };
static const char *const feedback_names[] = { "teacher", "free" };
static const char *const strategy_names[] = { "direct", "recursive" };

const char *
recur_cell_to_string (RecurCellKind cell)
{
  g_return_val_if_fail (cell < G_N_ELEMENTS (cell_names), NULL);
  return cell_names[cell];
}

gboolean
recur_cell_from_string (const char    *text,
                        RecurCellKind *cell)
{
  int i = recur_name_index (cell_names, G_N_ELEMENTS (cell_names), text);

  if (i < 0)
    return FALSE;
  *cell = (RecurCellKind) i;
  return TRUE;
}

gboolean
recur_cell_is_stackable (RecurCellKind cell)
{
  return cell == RECUR_CELL_RNN_TANH || cell == RECUR_CELL_RNN_RELU || cell == RECUR_CELL_LSTM
         || cell == RECUR_CELL_GRU;
}

gboolean
recur_cell_is_one_shot (RecurCellKind cell)
{
  return cell == RECUR_CELL_ESN;
}

const char *
recur_jordan_feedback_to_string (RecurJordanFeedback feedback)
{
  g_return_val_if_fail (feedback < G_N_ELEMENTS (feedback_names), NULL);
  return feedback_names[feedback];
}

gboolean
recur_jordan_feedback_from_string (const char          *text,
                                   RecurJordanFeedback *feedback)
{
  int i = recur_name_index (feedback_names, G_N_ELEMENTS (feedback_names), text);

  if (i < 0)
    return FALSE;
  *feedback = (RecurJordanFeedback) i;
  return TRUE;
}

gboolean
recur_clockwork_block_fires (const RecurModelSpec *spec,
                             guint                 block,
                             guint                 t)
{
  g_return_val_if_fail (block < spec->n_periods, FALSE);
  return t % spec->periods[block] == 0;
}

char *
recur_periods_to_string (const guint *periods,
                         guint        n_periods)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_periods; i++)
    g_string_append_printf (text, "%s%u", i ? "," : "", periods[i]);
  return g_string_free (text, FALSE);
}

gboolean
recur_periods_from_string (const char *text,
                           guint      *periods,
                           guint      *n_periods)
{
  g_auto(GStrv) parts = g_strsplit (text ? text : "", ",", -1);
  guint n = g_strv_length (parts);

  if (n == 0 || n > RECUR_MAX_PERIODS)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      guint64 v;
      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, 100000, &v, NULL))
        return FALSE;
      periods[i] = (guint) v;
    }
  *n_periods = n;
  return TRUE;
}

const char *
recur_strategy_to_string (RecurStrategy strategy)
{
  g_return_val_if_fail (strategy < G_N_ELEMENTS (strategy_names), NULL);
  return strategy_names[strategy];
}

gboolean
recur_strategy_from_string (const char    *text,
                            RecurStrategy *strategy)
{
  int i = recur_name_index (strategy_names, G_N_ELEMENTS (strategy_names), text);

  if (i < 0)
    return FALSE;
  *strategy = (RecurStrategy) i;
  return TRUE;
}

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

/* Clockwork: zeroes W_hh below its block diagonal. Block row i (units [i·k, (i+1)·k)) takes
 * input from block columns j ≥ i only: slower blocks feed faster ones, never the reverse. */
static void
clockwork_mask (const RecurModelSpec *s,
                float                *w_hh)
{
  guint H = s->hidden_size, k = H / s->n_periods;

  for (guint r = 0; r < H; r++)
    memset (w_hh + (gsize) r * H, 0, (gsize) (r / k) * k * sizeof (float));
}

guint64
recur_model_spec_count_params (const RecurModelSpec *spec)
{
  guint64 H = spec->hidden_size, G = recur_cell_n_gates (spec->cell);
  guint64 D = spec->bidirectional ? 2 : 1, total = 0;
  guint64 out = recur_model_spec_output_size (spec), I = spec->input_size;
  guint64 head = out * D * H + out;

  /* the one-layer cells (hidden_size ≤ 8192, input_size ≤ 4096: nothing overflows) */
  if (spec->cell == RECUR_CELL_JORDAN)
    return 3 * H * I + (spec->bias ? H + I : 0) + head;
  if (spec->cell == RECUR_CELL_ESN)
    return H * I + H * H + (spec->bias ? H : 0) + head;
  for (guint l = 0; l < spec->num_layers; l++)
    {
      guint64 in = l == 0 ? spec->input_size : D * H;
      guint64 per_dir = G * H * (in + H) + (spec->bias ? 2 * G * H : 0);
      if (per_dir > G_MAXUINT64 / 4 || total > G_MAXUINT64 / 2)
        return G_MAXUINT64;
      total += D * per_dir;
    }
  return total + head;
}

char *
recur_model_spec_describe (const RecurModelSpec *spec)
{
  guint64 n = recur_model_spec_count_params (spec);

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s, %u layer of %u units, %" G_GUINT64_FORMAT
                                       " parameters",
                                       "%s, %u layers of %u units, %" G_GUINT64_FORMAT
                                       " parameters",
                                       spec->num_layers),
                          recur_cell_to_string (spec->cell), spec->num_layers, spec->hidden_size,
                          n);
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

/* ---- workspace -------------------------------------------------------------------------- */

/* Gate gradients kept at once: 4 MiB, enough rows for the weight-gradient GEMMs to run at
 * full speed, a fraction of the [T][B][G·H] a whole window would take at large sizes. */
#define CHUNK_FLOATS ((gsize) 1 << 20)

/* Time steps whose gates the gate buffers hold. */
static inline guint
gate_steps (const RecurWorkspace *ws)
{
  return ws->keeps_gates ? ws->window : ws->chunk_steps;
}

/* The buffers of a workspace as they are made: once one cannot be had, the others are only
 * counted, so that the message says how much all of them take. */
typedef struct
{
  gboolean failed;
  guint64  bytes;
} WorkspaceAlloc;

static gpointer
ws_alloc0 (WorkspaceAlloc *a,
           gsize           n,
           gsize           size)
{
  gpointer p;

  if (size != 0 && n > G_MAXSIZE / size)
    {
      a->failed = TRUE;
      a->bytes = G_MAXUINT64;
      return NULL;
    }
  a->bytes = a->bytes > G_MAXUINT64 - n * size ? G_MAXUINT64 : a->bytes + n * size;
  if (a->failed)
    return NULL;
  p = g_try_malloc0_n (MAX (n, 1), size);
  a->failed = p == NULL;
  return p;
}

static RecurWorkspace *
workspace_new (const RecurModel    *model,
               guint                max_batch,
               RecurWorkspaceKind   kind,
               GError             **error)
{
  const RecurModelSpec *s = &model->spec;
  RecurWorkspace *ws = g_new0 (RecurWorkspace, 1);
  gsize T = s->window, B = max_batch, H = s->hidden_size;
  gsize DH = model->n_directions * H, GH = model->n_gates * H;
  guint L = s->num_layers;
  gboolean training = kind != RECUR_WORKSPACE_INFERENCE;
  /* RNN, LSTM and GRU work through windows CHUNK_FLOATS of gates at a time where they can;
   * Jordan, ESN and clockwork use the gate buffers for whole windows */
  gboolean chunked = recur_cell_is_stackable (s->cell);
  guint chunk = chunked ? (guint) CLAMP (CHUNK_FLOATS / (B * GH), 1, T) : (guint) T;
  WorkspaceAlloc alloc = { FALSE, 0 };

  ws->max_batch = max_batch;
  ws->n_layers = L;
  ws->n_directions = model->n_directions;
  ws->window = s->window;
  ws->hidden = s->hidden_size;
  ws->cell_kind = s->cell;
  ws->training = training;
  ws->keeps_gates = kind == RECUR_WORKSPACE_FULL || !chunked;
  ws->chunk_steps = chunk;
  /* the buffers' sizes come from options (window, batch, hidden units): each may fail */
  ws->y = g_new0 (float *, L);
  ws->y_dropped = g_new0 (float *, L);
  ws->mask = g_new0 (float *, L);
  ws->dir = g_new0 (DirectionBuffers, L * model->n_directions);
  for (guint l = 0; l < L; l++)
    {
      ws->y[l] = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
      if (training && s->dropout > 0.0f && l + 1 < L)
        {
          ws->y_dropped[l] = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
          ws->mask[l] = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
        }
      for (guint d = 0; d < model->n_directions; d++)
        {
          DirectionBuffers *db = &ws->dir[l * model->n_directions + d];
          db->gates = ws_alloc0 (&alloc, gate_steps (ws) * B * GH, sizeof (float));
          if (s->cell == RECUR_CELL_GRU)
            db->hh = ws_alloc0 (&alloc, gate_steps (ws) * B * GH, sizeof (float));
          if (s->cell == RECUR_CELL_LSTM)
            db->cell = ws_alloc0 (&alloc, (training ? T : 2) * B * H, sizeof (float));
        }
    }
  ws->features = ws_alloc0 (&alloc, B * DH, sizeof (float));
  if (recur_gemm_available () && recur_cell_is_stackable (s->cell))
    ws->packed_w_hh = ws_alloc0 (&alloc, MAX (recur_gemm_packed_size (H, GH),
                                                 recur_gemm_packed_size (GH, H)), sizeof (float));
  if (!ws->keeps_gates && training)
    {
      ws->scratch_c = ws_alloc0 (&alloc, B * H, sizeof (float));
      ws->scratch_h = ws_alloc0 (&alloc, B * H, sizeof (float));
    }
  if (training)
    {
      /* RNN, LSTM and GRU need layer output gradients only between layers; Jordan and
       * clockwork take the head's as a sequence */
      if (!chunked || L > 1)
        ws->d_y = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
      if (L > 1)
        ws->d_x = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
      ws->d_gates = ws_alloc0 (&alloc, ws->chunk_steps * B * GH, sizeof (float));
      if (s->cell == RECUR_CELL_GRU)
        ws->d_gates_hh = ws_alloc0 (&alloc, ws->chunk_steps * B * GH, sizeof (float));
      ws->d_h = ws_alloc0 (&alloc, B * H, sizeof (float));
      ws->d_c = ws_alloc0 (&alloc, B * H, sizeof (float));
      ws->d_features = ws_alloc0 (&alloc, B * DH, sizeof (float));
    }
  ws->grad_flow = ws_alloc0 (&alloc, (gsize) L * T, sizeof (double));
  ws->input_size = s->input_size;
  if (s->cell == RECUR_CELL_JORDAN)
    {
      gsize n = T * B * s->input_size;
      ws->jordan_y = ws_alloc0 (&alloc, n, sizeof (float));
      ws->jordan_ctx = ws_alloc0 (&alloc, n, sizeof (float));
      if (training)
        {
          ws->d_jordan_y = ws_alloc0 (&alloc, n, sizeof (float));
          ws->d_aux = ws_alloc0 (&alloc, n, sizeof (float));
        }
    }
  if (alloc.failed)
    {
      g_autofree char *what =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "the buffers of %u windows of %u steps through %u layer "
                                      "of %u units",
                                      "the buffers of %u windows of %u steps through %u layers "
                                      "of %u units", L),
                         max_batch, s->window, L, s->hidden_size);
      recur_memory_set_error (error, alloc.bytes, what);
      recur_workspace_free (ws);
      return NULL;
    }
  return ws;
}

RecurWorkspace *
recur_workspace_try_new (const RecurModel    *model,
                         guint                max_batch,
                         RecurWorkspaceKind   kind,
                         GError             **error)
{
  return workspace_new (model, max_batch, kind, error);
}

static RecurWorkspace *
workspace_new_or_abort (const RecurModel   *model,
                        guint               max_batch,
                        RecurWorkspaceKind  kind)
{
  g_autoptr(GError) error = NULL;
  RecurWorkspace *ws = workspace_new (model, max_batch, kind, &error);

  if (ws == NULL)
    g_error ("%s", error->message);
  return ws;
}

RecurWorkspace *
recur_workspace_new (const RecurModel *model,
                     guint             max_batch)
{
  return workspace_new_or_abort (model, max_batch, RECUR_WORKSPACE_FULL);
}

RecurWorkspace *
recur_workspace_new_for_training (const RecurModel *model,
                                  guint             max_batch)
{
  return workspace_new_or_abort (model, max_batch, RECUR_WORKSPACE_LEAN);
}

RecurWorkspace *
recur_workspace_new_for_inference (const RecurModel *model,
                                   guint             max_batch)
{
  return workspace_new_or_abort (model, max_batch, RECUR_WORKSPACE_INFERENCE);
}

void
recur_workspace_set_chunk_steps (RecurWorkspace *ws,
                                 guint           steps)
{
  g_return_if_fail (steps >= 1);
  if (recur_cell_is_stackable (ws->cell_kind))
    ws->chunk_steps = MIN (steps, ws->chunk_steps);
}

void
recur_workspace_free (RecurWorkspace *ws)
{
  if (ws == NULL)
    return;
  for (guint l = 0; l < ws->n_layers; l++)
    {
      g_free (ws->y[l]);
      g_free (ws->y_dropped[l]);
      g_free (ws->mask[l]);
      for (guint d = 0; d < ws->n_directions; d++)
        {
          DirectionBuffers *db = &ws->dir[l * ws->n_directions + d];
          g_free (db->gates);
          g_free (db->hh);
          g_free (db->cell);
        }
    }
  g_free (ws->y);
  g_free (ws->y_dropped);
  g_free (ws->mask);
  g_free (ws->dir);
  g_free (ws->features);
  g_free (ws->packed_w_hh);
  g_free (ws->scratch_c);
  g_free (ws->scratch_h);
  g_free (ws->d_y);
  g_free (ws->d_x);
  g_free (ws->d_gates);
  g_free (ws->d_gates_hh);
  g_free (ws->d_h);
  g_free (ws->d_c);
  g_free (ws->d_features);
  g_free (ws->grad_flow);
  g_free (ws->jordan_y);
  g_free (ws->jordan_ctx);
  g_free (ws->d_jordan_y);
  g_free (ws->d_aux);
  g_free (ws);
}

/* ---- element-wise helpers ------------------------------------------------------------- */

/* rows × n: out[r][j] = bias1[j] + bias2[j] (either may be NULL). */
static void
fill_bias_rows (float       *out,
                gsize        rows,
                gsize        n,
                const float *bias1,
                const float *bias2)
{
  recur_kernel_fill_bias (rows, n, bias1, bias2, out);
}

/* acc[j] += Σ_r m[r][j] */
static void
add_column_sums (float       *acc,
                 const float *m,
                 gsize        rows,
                 gsize        n)
{
  recur_kernel_add_column_sums (acc, m, rows, n);
}

/* ---- forward ---------------------------------------------------------------------------- */

/* The time index of processing step `step` in direction d. */
static inline guint
time_of_step (guint d,
              guint step,
              guint T)
{
  return d ? T - 1 - step : step;
}

/* h at time t for direction d: a [B][H] block of y with row stride D·H. */
static inline float *
hidden_at (RecurWorkspace *ws,
           guint           l,
           guint           d,
           guint           t,
           guint           batch)
{
  gsize DH = (gsize) ws->n_directions * ws->hidden;
  return ws->y[l] + (gsize) t * batch * DH + (gsize) d * ws->hidden;
}

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
static void
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

/* LSTM's cell state at time t (processing step `step`): every step's in a training workspace,
 * the last two in an inference one. */
static inline float *
cell_at (RecurWorkspace         *ws,
         const DirectionBuffers *db,
         guint                   t,
         guint                   step)
{
  gsize BH = (gsize) ws->batch * ws->hidden;
  return db->cell + (ws->training ? t : step % 2) * BH;
}

/* out[batch × GH] += h_prev · W_hhᵀ, with W_hh packed for the whole pass where it can be. */
static void
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

static void
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
        }
    }
}

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
static void
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

/* ESN: h_t = (1 − α) h_{t−1} + α tanh(W_in x_t + b + W h_{t−1}); the pre-activations stay in
 * the gate buffer. Nothing here is trained, so nothing more is kept. */
static void
forward_esn (const RecurModel *self,
             RecurWorkspace   *ws,
             guint             batch,
             const float      *x)
{
  const RecurModelSpec *s = &self->spec;
  const LayerOffsets *lo = &self->layers[0];
  const float *p = self->params;
  guint T = s->window, H = s->hidden_size;
  gsize BH = (gsize) batch * H;
  float alpha = s->esn.leak;
  float *a = ws->dir[0].gates, *h = ws->y[0];

  project_inputs (x, (gsize) T * batch, lo->input_size, p + lo->w_ih, H,
                  s->bias ? p + lo->b_ih : NULL, NULL, a);
  for (guint t = 0; t < T; t++)
    {
      float *at = a + t * BH, *ht = h + t * BH;
      const float *hp = t ? ht - BH : NULL;

      if (hp == NULL)
        {
          for (gsize i = 0; i < BH; i++)
            ht[i] = alpha * tanhf (at[i]);
          continue;
        }
      recur_sgemm (FALSE, TRUE, (int) batch, (int) H, (int) H, 1.0f, hp, (int) H,
                   p + lo->w_hh, (int) H, 1.0f, at, (int) H);
      for (gsize i = 0; i < BH; i++)
        ht[i] = (1.0f - alpha) * hp[i] + alpha * tanhf (at[i]);
    }
}

/* Clockwork: an Elman RNN, h = tanh(W_ih x + b_ih + W_hh h' + b_hh), whose block i recomputes
 * its units only at the steps where t mod T_i = 0, from the blocks j ≥ i of h_{t−1}; between
 * its ticks it keeps its state. At t = 0 every block fires. */
static void
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

static void
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

/* ---- backward --------------------------------------------------------------------------- */

/* From dh (gradient w.r.t. h_t) to the pre-activation gradients of step t. Updates dc for
 * LSTM (to ∂/∂c_{t−1}), and for GRU sets dh to its direct path z ⊙ dh (the rest comes from
 * the W_hh product). */
static void
cell_step_backward (RecurCellKind  cell,
                    guint          batch,
                    guint          H,
                    const float   *g,
                    const float   *hh,
                    const float   *h,
                    const float   *h_prev,
                    const float   *c,
                    const float   *c_prev,
                    gsize          ld_h,
                    float         *dh,
                    float         *dc,
                    float         *dg,
                    float         *dg_hh)
{
  switch (cell)
    {
    case RECUR_CELL_RNN_TANH:
      recur_kernel_tanh_backward (batch, H, h, ld_h, dh, dg, H);
      break;
    case RECUR_CELL_RNN_RELU:
      for (guint b = 0; b < batch; b++)
        for (guint j = 0; j < H; j++)
          dg[(gsize) b * H + j] = h[b * ld_h + j] > 0.0f ? dh[(gsize) b * H + j] : 0.0f;
      break;
    case RECUR_CELL_LSTM:
      recur_kernel_lstm_backward (batch, H, g, c, c_prev, dh, dc, dg);
      break;
    case RECUR_CELL_GRU:
      recur_kernel_gru_backward (batch, H, g, hh, h_prev, ld_h, dh, dg, dg_hh);
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
 * gate gradients are in the chunk buffers: one GEMM each over all their rows. */
static void
add_chunk_gradients (const RecurModel *self,
                     RecurWorkspace   *ws,
                     float            *grads,
                     guint             l,
                     guint             d,
                     guint             t_lo,
                     guint             n,
                     const float      *x)
{
  const LayerOffsets *lo = &self->layers[l * self->n_directions + d];
  guint H = self->spec.hidden_size, batch = ws->batch;
  guint I = lo->input_size;
  gsize GH = (gsize) self->n_gates * H, DH = (gsize) self->n_directions * H;
  const float *dg_hh = ws->d_gates_hh ? ws->d_gates_hh : ws->d_gates;
  guint t_from, t_to;
  const float *h_prev = steps_with_predecessor (ws, l, d, t_lo, n, &t_from, &t_to);

  /* ∂W_hh gets the times that had a predecessor */
  if (h_prev)
    recur_sgemm (TRUE, FALSE, (int) GH, (int) H, (int) ((t_to - t_from) * batch), 1.0f,
                 dg_hh + (gsize) (t_from - t_lo) * batch * GH, (int) GH, h_prev, (int) DH,
                 1.0f, grads + lo->w_hh, (int) H);
  /* ∂W_ih += dgᵀ · X */
  recur_sgemm (TRUE, FALSE, (int) GH, (int) I, (int) (n * batch), 1.0f, ws->d_gates, (int) GH,
               x + (gsize) t_lo * batch * I, (int) I, 1.0f, grads + lo->w_ih, (int) I);
  if (self->spec.bias)
    {
      add_column_sums (grads + lo->b_ih, ws->d_gates, (gsize) n * batch, GH);
      add_column_sums (grads + lo->b_hh, dg_hh, (gsize) n * batch, GH);
    }
  /* ∂x += dg · W_ih, needed below the first layer only */
  if (l > 0)
    recur_sgemm (FALSE, FALSE, (int) (n * batch), (int) I, (int) GH, 1.0f, ws->d_gates, (int) GH,
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

/* BPTT through (layer l, direction d), given ∂loss/∂(the layer's output): the sequence d_seq
 * [T][B][D·H] below the top, or at the top only d_last [B][D·H] at the direction's last step.
 * The gate gradients of ws->chunk_steps steps at a time go into the chunk buffers, then into
 * the weight gradients (and, above the first layer, ∂loss/∂x in ws->d_x). */
static void
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
  float *d_gates_hh = gru ? ws->d_gates_hh : ws->d_gates;
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
      for (guint k = k0; k < k0 + n; k++)
        {
          guint step = T - 1 - k;
          guint t = time_of_step (d, step, T);
          guint t_prev = time_of_step (d, step - 1, T);
          const float *h_prev = step ? hidden_at (ws, l, d, t_prev, batch) : NULL;
          const float *dy = d_seq ? d_seq + (gsize) t * batch * DH + (gsize) d * H
                          : k == 0 ? d_last + (gsize) d * H : NULL;
          float *dg = ws->d_gates + (gsize) (t - t_lo) * BGH;
          float *dg_hh = d_gates_hh + (gsize) (t - t_lo) * BGH;
          double norm2 = 0.0;

          for (guint b = 0; b < batch; b++)
            for (guint j = 0; j < H; j++)
              {
                float v = ws->d_h[b * H + j] + (dy ? dy[b * DH + j] : 0.0f);
                ws->d_h[b * H + j] = v;
                norm2 += (double) v * v;
              }
          ws->grad_flow[(gsize) l * T + t] += norm2;

          cell_step_backward (s->cell, batch, H, db->gates + (gsize) (t - row0) * BGH,
                              gru ? db->hh + (gsize) (t - row0) * BGH : NULL,
                              hidden_at (ws, l, d, t, batch), h_prev,
                              db->cell ? db->cell + (gsize) t * batch * H : NULL,
                              (db->cell && step) ? db->cell + (gsize) t_prev * batch * H : NULL,
                              DH, ws->d_h, ws->d_c, dg, dg_hh);

          /* dh' = dg_hh · W_hh (+ z ⊙ dh for GRU, already in d_h) */
          if (step && k + 1 < steps && ws->packed_w_hh)
            recur_gemm_packed (FALSE, batch, H, (guint) GH, 1.0f, dg_hh, GH, ws->packed_w_hh,
                               gru ? 1.0f : 0.0f, ws->d_h, H);
          else if (step && k + 1 < steps)
            recur_sgemm (FALSE, FALSE, (int) batch, (int) H, (int) GH, 1.0f, dg_hh, (int) GH,
                         w_hh, (int) H, gru ? 1.0f : 0.0f, ws->d_h, (int) H);
        }
      add_chunk_gradients (self, ws, grads, l, d, t_lo, n, x);
    }
}

/* Jordan, from ∂loss/∂h_{T−1} (in d_y) and the auxiliary loss's ∂/∂y_t (d_aux), backwards:
 *   dy_t = d_aux_t + W_yᵀ da_{t+1} (free running only: y_t is then the next step's context)
 *   dh_t = d_y_t + W_oᵀ dy_t,   da_t = dh_t ⊙ (1 − h_t²)
 * then every weight gradient is one product over all steps. */
static void
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
    {
      double norm2 = 0.0;
      for (gsize i = t * BH; i < (t + 1) * BH; i++)
        norm2 += (double) dh[i] * dh[i];
      ws->grad_flow[t] += norm2;
    }

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

/* Clockwork: a block that fired at t backpropagates as Elman units do, through its block row
 * of W_hh to the blocks j ≥ i of h_{t−1}; a block that did not fire passes ∂h_t straight on
 * to h_{t−1}. Every product covers the columns j ≥ i only, so the masked weights get exactly
 * zero gradient. */
static void
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
      double norm2 = 0.0;

      for (gsize q = 0; q < BH; q++)
        {
          float v = dh[q] + dy[q];
          dh[q] = v;
          norm2 += (double) v * v;
        }
      ws->grad_flow[t] += norm2;

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
  /* an inference workspace keeps the hidden states only, a lean training one also the cells */
  g_return_val_if_fail (kind == RECUR_STATE_HIDDEN || (kind == RECUR_STATE_CELL && ws->training)
                        || ws->keeps_gates, FALSE);
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
