/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "onnx.pb-c.h"
#include "recur-fileutil.h"
#include "recur-onnx.h"

G_DEFINE_QUARK (recur-onnx-error-quark, recur_onnx_error)

/* ---- a graph under construction: protobuf-c messages, every allocation in one arena ------- */

#define MAX_ATTRIBUTES 6

typedef struct
{
  GPtrArray *arena; /* freed with the graph */
  GPtrArray *nodes; /* Onnx__NodeProto * */
  GPtrArray *inits; /* Onnx__TensorProto * */
  guint      counter;
} Graph;

static gpointer
keep (Graph    *g,
      gpointer  p)
{
  g_ptr_array_add (g->arena, p);
  return p;
}

static char *
new_name (Graph      *g,
          const char *prefix)
{
  return keep (g, g_strdup_printf ("%s_%u", prefix, g->counter++));
}

static const char *
tensor (Graph        *g,
        const char   *prefix,
        int           data_type,
        gconstpointer data,
        gsize         element_size,
        const gint64 *dims,
        guint         n_dims)
{
  Onnx__TensorProto *t = keep (g, g_new (Onnx__TensorProto, 1));
  gsize n = 1;

  onnx__tensor_proto__init (t);
  for (guint i = 0; i < n_dims; i++)
    n *= (gsize) dims[i];
  t->n_dims = n_dims;
  t->dims = n_dims ? keep (g, g_memdup2 (dims, n_dims * sizeof (int64_t))) : NULL;
  t->has_data_type = TRUE;
  t->data_type = data_type;
  /* raw_data is little-endian, as this CPU's floats are */
  t->has_raw_data = TRUE;
  t->raw_data.len = n * element_size;
  t->raw_data.data = keep (g, g_memdup2 (data, MAX (n * element_size, 1)));
  t->name = new_name (g, prefix);
  g_ptr_array_add (g->inits, t);
  return t->name;
}

static const char *
floats (Graph        *g,
        const char   *prefix,
        const float  *v,
        const gint64 *dims,
        guint         n_dims)
{
  return tensor (g, prefix, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, v, sizeof (float), dims,
                 n_dims);
}

/* A float scalar (a rank-0 tensor: it broadcasts against anything). */
static const char *
scalar (Graph *g,
        double v)
{
  float f = (float) v;

  return floats (g, "scalar", &f, NULL, 0);
}

static const char *
int64s (Graph        *g,
        const gint64 *v,
        guint         n)
{
  gint64 dims[1] = { n };

  return tensor (g, "ints", ONNX__TENSOR_PROTO__DATA_TYPE__INT64, v, sizeof (gint64), dims, 1);
}

static const char *
int64_scalar (Graph  *g,
              gint64  v)
{
  return tensor (g, "index", ONNX__TENSOR_PROTO__DATA_TYPE__INT64, &v, sizeof v, NULL, 0);
}

static Onnx__NodeProto *
node (Graph             *g,
      const char        *op,
      guint              n_out,
      guint              n_in,
      const char *const *in)
{
  Onnx__NodeProto *nd = keep (g, g_new (Onnx__NodeProto, 1));

  onnx__node_proto__init (nd);
  nd->op_type = (char *) op;
  nd->name = new_name (g, op);
  nd->n_input = n_in;
  nd->input = keep (g, g_memdup2 (in, MAX (n_in, 1) * sizeof (char *)));
  nd->n_output = n_out;
  nd->output = keep (g, g_new (char *, n_out));
  for (guint i = 0; i < n_out; i++)
    nd->output[i] = new_name (g, op);
  nd->attribute = keep (g, g_new0 (Onnx__AttributeProto *, MAX_ATTRIBUTES));
  g_ptr_array_add (g->nodes, nd);
  return nd;
}

static Onnx__AttributeProto *
attribute (Graph                               *g,
           Onnx__NodeProto                     *nd,
           const char                          *name,
           Onnx__AttributeProto__AttributeType  type)
{
  Onnx__AttributeProto *a = keep (g, g_new (Onnx__AttributeProto, 1));

  g_assert (nd->n_attribute < MAX_ATTRIBUTES);
  onnx__attribute_proto__init (a);
  a->name = (char *) name;
  a->has_type = TRUE;
  a->type = type;
  nd->attribute[nd->n_attribute++] = a;
  return a;
}

static void
attr_int (Graph           *g,
          Onnx__NodeProto *nd,
          const char      *name,
          gint64           v)
{
  Onnx__AttributeProto *a = attribute (g, nd, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);

  a->has_i = TRUE;
  a->i = v;
}

static void
attr_ints (Graph           *g,
           Onnx__NodeProto *nd,
           const char      *name,
           const gint64    *v,
           guint            n)
{
  Onnx__AttributeProto *a = attribute (g, nd, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);

  a->n_ints = n;
  a->ints = keep (g, g_memdup2 (v, n * sizeof (int64_t)));
}

static void
attr_string (Graph           *g,
             Onnx__NodeProto *nd,
             const char      *name,
             const char      *v)
{
  Onnx__AttributeProto *a = attribute (g, nd, name,
                                       ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);

  a->has_s = TRUE;
  a->s.data = (uint8_t *) v;
  a->s.len = strlen (v);
}

static void
attr_strings (Graph           *g,
              Onnx__NodeProto *nd,
              const char      *name,
              const char      *v,
              guint            n)
{
  Onnx__AttributeProto *a = attribute (g, nd, name,
                                       ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRINGS);

  a->n_strings = n;
  a->strings = keep (g, g_new (ProtobufCBinaryData, n));
  for (guint i = 0; i < n; i++)
    a->strings[i] = (ProtobufCBinaryData) { strlen (v), (uint8_t *) v };
}

/* ---- operators ------------------------------------------------------------------------------ */

static const char *
op1 (Graph      *g,
     const char *op,
     const char *a)
{
  return node (g, op, 1, 1, (const char *[]) { a })->output[0];
}

static const char *
op2 (Graph      *g,
     const char *op,
     const char *a,
     const char *b)
{
  return node (g, op, 1, 2, (const char *[]) { a, b })->output[0];
}

/* x[…, start:end, …] along axis (end G_MAXINT64: to the end; negative: from the end). */
static const char *
slice (Graph      *g,
       const char *x,
       gint64      start,
       gint64      end,
       gint64      axis)
{
  return node (g, "Slice", 1, 4, (const char *[]) { x, int64s (g, &start, 1),
                                                      int64s (g, &end, 1),
                                                      int64s (g, &axis, 1) })->output[0];
}

static const char *
gather (Graph      *g,
        const char *x,
        gint64      index,
        gint64      axis)
{
  Onnx__NodeProto *nd = node (g, "Gather", 1, 2, (const char *[]) { x, int64_scalar (g, index) });

  attr_int (g, nd, "axis", axis);
  return nd->output[0];
}

static const char *
unsqueeze (Graph      *g,
           const char *x,
           gint64      axis)
{
  return op2 (g, "Unsqueeze", x, int64s (g, &axis, 1));
}

static const char *
transpose (Graph        *g,
           const char   *x,
           const gint64 *perm,
           guint         n)
{
  Onnx__NodeProto *nd = node (g, "Transpose", 1, 1, (const char *[]) { x });

  attr_ints (g, nd, "perm", perm, n);
  return nd->output[0];
}

static const char *
reshape (Graph        *g,
         const char   *x,
         const gint64 *shape,
         guint         n)
{
  return op2 (g, "Reshape", x, int64s (g, shape, n));
}

static const char *
concat (Graph             *g,
        const char *const *x,
        guint              n,
        gint64             axis)
{
  Onnx__NodeProto *nd = node (g, "Concat", 1, n, x);

  attr_int (g, nd, "axis", axis);
  return nd->output[0];
}

/* The window's level along axis 1 (recur_window_level), kept as a dimension of 1; NULL for
 * none. */
static const char *
window_level (Graph           *g,
              RecurWindowNorm  norm,
              const char      *x)
{
  Onnx__NodeProto *nd;
  gint64 axis = 1;

  switch (norm)
    {
    case RECUR_WINDOW_NORM_LAST:
      return slice (g, x, -1, G_MAXINT64, 1);
    case RECUR_WINDOW_NORM_MEAN:
      nd = node (g, "ReduceMean", 1, 1, (const char *[]) { x });
      attr_ints (g, nd, "axes", &axis, 1);
      attr_int (g, nd, "keepdims", 1);
      return nd->output[0];
    case RECUR_WINDOW_NORM_NONE:
    default:
      return NULL;
    }
}

/* ---- the networks: [B, T, I] windows to [B, outputs] ---------------------------------------- */

static const float *
param (const RecurModel *model,
       const char       *name,
       const RecurTensorInfo **info)
{
  const RecurTensorInfo *t = recur_model_find_tensor (model, name);

  if (info)
    *info = t;
  return t ? recur_model_peek_params (model) + t->offset : NULL;
}

/* The head (Gemm with head.weight transposed) on features [B, F]. */
static const char *
head (Graph            *g,
      const RecurModel *model,
      const char       *features)
{
  const RecurTensorInfo *w, *b;
  const float *wv = param (model, "head.weight", &w), *bv = param (model, "head.bias", &b);
  gint64 wd[2] = { w->shape[0], w->shape[1] }, bd[1] = { b->shape[0] };
  Onnx__NodeProto *nd = node (g, "Gemm", 1, 3,
                              (const char *[]) { features, floats (g, "head_weight", wv, wd, 2),
                                                 floats (g, "head_bias", bv, bd, 1) });

  attr_int (g, nd, "transB", 1);
  return nd->output[0];
}

/* ONNX's gate blocks from PyTorch's: LSTM i o f c from i f g o, GRU z r h from r z n. */
static const guint *
gate_order (RecurCellKind cell,
            guint        *n_gates)
{
  static const guint lstm[] = { 0, 3, 1, 2 }, gru[] = { 1, 0, 2 }, rnn[] = { 0 };

  *n_gates = cell == RECUR_CELL_LSTM ? 4 : cell == RECUR_CELL_GRU ? 3 : 1;
  return cell == RECUR_CELL_LSTM ? lstm : cell == RECUR_CELL_GRU ? gru : rnn;
}

/* Appends a PyTorch tensor's rows [G·H][cols] with its gate blocks in ONNX's order. */
static void
append_gates (GArray       *out,
              const float  *v,
              const guint  *order,
              guint         n_gates,
              guint         H,
              guint         cols)
{
  for (guint k = 0; k < n_gates; k++)
    g_array_append_vals (out, v + (gsize) order[k] * H * cols, (gsize) H * cols);
}

static const char *
stacked_layer (Graph            *g,
               const RecurModel *model,
               guint             l,
               const char       *xt,
               const char      **y_h)
{
  const RecurModelSpec *s = recur_model_get_spec (model);
  guint H = s->hidden_size, D = s->bidirectional ? 2 : 1, G, I = 0;
  const guint *order = gate_order (s->cell, &G);
  g_autoptr(GArray) W = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) R = g_array_new (FALSE, FALSE, sizeof (float));
  g_autoptr(GArray) B = g_array_new (FALSE, FALSE, sizeof (float));
  static const char *const ops[] = { "RNN", "RNN", "LSTM", "GRU" };
  Onnx__NodeProto *nd;
  const char *in[4];

  for (guint d = 0; d < D; d++)
    {
      const char *suffix = d ? "_reverse" : "";
      g_autofree char *wi = g_strdup_printf ("rnn.weight_ih_l%u%s", l, suffix);
      g_autofree char *wh = g_strdup_printf ("rnn.weight_hh_l%u%s", l, suffix);
      g_autofree char *bi = g_strdup_printf ("rnn.bias_ih_l%u%s", l, suffix);
      g_autofree char *bh = g_strdup_printf ("rnn.bias_hh_l%u%s", l, suffix);
      const RecurTensorInfo *t;
      const float *wv = param (model, wi, &t);

      I = (guint) t->shape[1];
      append_gates (W, wv, order, G, H, I);
      append_gates (R, param (model, wh, NULL), order, G, H, H);
      if (s->bias)
        {
          append_gates (B, param (model, bi, NULL), order, G, H, 1);
          append_gates (B, param (model, bh, NULL), order, G, H, 1);
        }
    }
  in[0] = xt;
  in[1] = floats (g, "W", (float *) W->data, (gint64[]) { D, (gint64) G * H, I }, 3);
  in[2] = floats (g, "R", (float *) R->data, (gint64[]) { D, (gint64) G * H, H }, 3);
  if (s->bias)
    in[3] = floats (g, "B", (float *) B->data, (gint64[]) { D, 2 * (gint64) G * H }, 2);
  nd = node (g, ops[s->cell], s->cell == RECUR_CELL_LSTM ? 3 : 2, s->bias ? 4 : 3, in);
  attr_int (g, nd, "hidden_size", H);
  attr_string (g, nd, "direction", D == 2 ? "bidirectional" : "forward");
  if (s->cell == RECUR_CELL_RNN_TANH || s->cell == RECUR_CELL_RNN_RELU)
    attr_strings (g, nd, "activations", s->cell == RECUR_CELL_RNN_TANH ? "Tanh" : "Relu", D);
  if (s->cell == RECUR_CELL_GRU)
    attr_int (g, nd, "linear_before_reset", 1); /* PyTorch's: r ⊙ (W_hn h + b_hn) */
  *y_h = nd->output[1];
  return nd->output[0];
}

/* RNN/LSTM/GRU: ONNX's operators layer by layer; the head reads the top layer's h_n, the
 * forward direction's then the backward's, as Recur's does. */
static const char *
stacked (Graph            *g,
         const RecurModel *model,
         const char       *x)
{
  const RecurModelSpec *s = recur_model_get_spec (model);
  const char *xt = transpose (g, x, (gint64[]) { 1, 0, 2 }, 3); /* [T, B, I] */
  const char *y_h = NULL;

  for (guint l = 0; l < s->num_layers; l++)
    {
      const char *y = stacked_layer (g, model, l, xt, &y_h); /* [T, D, B, H] */

      /* the next layer reads both directions' outputs side by side: [T, B, D·H] */
      xt = reshape (g, transpose (g, y, (gint64[]) { 0, 2, 1, 3 }, 4), (gint64[]) { 0, 0, -1 },
                    3);
    }
  return head (g, model, reshape (g, transpose (g, y_h, (gint64[]) { 1, 0, 2 }, 3),
                                  (gint64[]) { 0, -1 }, 2));
}

/* An echo state network unrolled: h_t = (1 − α) h_{t−1} + α tanh(W_in x_t + b + W h_{t−1}),
 * from h = 0; the readout reads h_T. */
static const char *
reservoir (Graph            *g,
           const RecurModel *model,
           const char       *x)
{
  const RecurModelSpec *s = recur_model_get_spec (model);
  guint N = s->hidden_size, I = s->input_size, T = s->window;
  const float *w_in = param (model, "esn.weight_in", NULL), *w = param (model, "esn.weight", NULL);
  const float *b = param (model, "esn.bias", NULL);
  g_autofree float *w_in_t = g_new (float, (gsize) I * N);
  g_autofree float *w_t = g_new (float, (gsize) N * N);
  const char *wt_name, *a, *h = NULL, *alpha = scalar (g, s->esn.leak);
  const char *keep_name = scalar (g, 1.0f - s->esn.leak);

  for (guint i = 0; i < N; i++)
    {
      for (guint j = 0; j < I; j++)
        w_in_t[(gsize) j * N + i] = w_in[(gsize) i * I + j];
      for (guint j = 0; j < N; j++)
        w_t[(gsize) j * N + i] = w[(gsize) i * N + j];
    }
  a = op2 (g, "MatMul", x, floats (g, "W_in", w_in_t, (gint64[]) { I, N }, 2)); /* [B, T, N] */
  if (b)
    a = op2 (g, "Add", a, floats (g, "b", b, (gint64[]) { N }, 1));
  wt_name = floats (g, "W", w_t, (gint64[]) { N, N }, 2);
  for (guint t = 0; t < T; t++)
    {
      const char *at = gather (g, a, t, 1), *next;

      if (h)
        at = op2 (g, "Add", at, op2 (g, "MatMul", h, wt_name));
      next = op2 (g, "Mul", op1 (g, "Tanh", at), alpha);
      h = h ? op2 (g, "Add", next, op2 (g, "Mul", h, keep_name)) : next;
    }
  return head (g, model, h);
}

static const char *
network (Graph            *g,
         const RecurModel *model,
         const char       *x)
{
  return recur_model_get_spec (model)->cell == RECUR_CELL_ESN ? reservoir (g, model, x)
                                                               : stacked (g, model, x);
}

/* ---- the transforms around them ------------------------------------------------------------- */

/* What one member reads of the graph's input, in transformed units. */
typedef struct
{
  const char *s;      /* the target's last T values transformed (before the level), [B, T] */
  const char *b_last; /* the last value after Box-Cox, [B, 1]: differences integrate from it */
  const char *b;      /* every value of the window after Box-Cox, [B, T + offset] */
  const char *cov;    /* the covariates' last T values scaled, [B, T, C], or NULL */
} MemberInput;

static const char *
box_cox (Graph      *g,
         const char *x,
         double      lambda)
{
  if (lambda == 0)
    return op1 (g, "Log", x);
  return op2 (g, "Div", op2 (g, "Sub", op2 (g, "Pow", x, scalar (g, lambda)), scalar (g, 1)),
              scalar (g, lambda));
}

static const char *
box_cox_inverse (Graph      *g,
                 const char *y,
                 double      lambda)
{
  if (lambda == 0)
    return op1 (g, "Exp", y);
  return op2 (g, "Pow", op2 (g, "Add", op2 (g, "Mul", y, scalar (g, lambda)), scalar (g, 1)),
              scalar (g, 1 / lambda));
}

static MemberInput
member_input (Graph                *g,
              const char           *target,  /* [B, L] */
              const char           *raw,     /* [B, L, F] */
              const RecurModelInfo *info,
              guint                 T)
{
  const RecurTransform *t = &info->transform;
  const RecurCovariates *c = &info->covariates;
  MemberInput m = { 0 };
  const char *b = slice (g, target, -(gint64) (T + t->offset), G_MAXINT64, 1);

  if (t->box_cox)
    b = box_cox (g, b, t->lambda);
  m.b = b;
  m.b_last = slice (g, b, -1, G_MAXINT64, 1);
  if (t->spec.difference)
    b = op2 (g, "Sub", slice (g, b, 1, G_MAXINT64, 1), slice (g, b, 0, -1, 1));
  if (t->spec.seasonal_difference)
    b = op2 (g, "Sub", slice (g, b, t->season, G_MAXINT64, 1), slice (g, b, 0, -(gint64) t->season,
                                                                     1));
  m.s = op2 (g, "Div", op2 (g, "Sub", b, scalar (g, t->scaler.center)),
             scalar (g, t->scaler.scale));
  if (c->n_inputs > 0)
    {
      g_autofree float *centers = g_new (float, c->n_inputs);
      g_autofree float *scales = g_new (float, c->n_inputs);
      gint64 dims[1] = { c->n_inputs };
      const char *cov = slice (g, slice (g, raw, 1, 1 + c->n_inputs, 2), -(gint64) T,
                               G_MAXINT64, 1);

      for (guint i = 0; i < c->n_inputs; i++)
        {
          centers[i] = (float) c->scalers[i].center;
          scales[i] = (float) c->scalers[i].scale;
        }
      m.cov = op2 (g, "Div", op2 (g, "Sub", cov, floats (g, "centers", centers, dims, 1)),
                   floats (g, "scales", scales, dims, 1));
    }
  return m;
}

/* One step of the network from a window s [B, T] of transformed values and the covariates'
 * cov [B, T, C] (or NULL), each relative to its own level: the target's forecasts plus its
 * level, [B, outputs]; a recursive model that forecasts the covariates too gives theirs plus
 * their levels in *cov_next, [B, 1, C]. */
static const char *
step (Graph                *g,
      const RecurModel     *model,
      const RecurModelInfo *info,
      const char           *s,
      const char           *cov,
      const char          **cov_next)
{
  RecurWindowNorm norm = info->transform.spec.window_norm;
  guint C = info->covariates.n_inputs;
  const char *level = window_level (g, norm, s);
  const char *x = unsqueeze (g, level ? op2 (g, "Sub", s, level) : s, 2);
  const char *cov_level = cov ? window_level (g, norm, cov) : NULL;
  const char *y;

  if (cov)
    x = concat (g, (const char *[]) { x, cov_level ? op2 (g, "Sub", cov, cov_level) : cov }, 2,
                2);
  y = network (g, model, x);
  if (recur_model_get_spec (model)->step_outputs > 1)
    {
      const char *next = unsqueeze (g, slice (g, y, 1, 1 + C, 1), 1);

      *cov_next = cov_level ? op2 (g, "Add", next, cov_level) : next;
      y = slice (g, y, 0, 1, 1);
    }
  return level ? op2 (g, "Add", y, level) : y;
}

/* u at `back` rows before the next one, from the values so far u [B, n]: [B, 1]. */
static const char *
u_back (Graph      *g,
        const char *u,
        guint       back)
{
  return slice (g, u, -(gint64) back, back == 1 ? G_MAXINT64 : -(gint64) back + 1, 1);
}

/* Undoes seasonal (and first) differences step by step as recur_transform_inverse does: each
 * step's value plus the (first-differenced) value a season before, from the window's values,
 * then from the forecasts themselves. y [B, steps] un-scaled; b the window's values. */
static const char *
integrate_seasonal (Graph                *g,
                    const RecurTransform *t,
                    const char           *y,
                    const char           *b,
                    guint                 steps)
{
  const char *u = b;

  for (guint k = 0; k < steps; k++)
    {
      const char *v = slice (g, y, k, k + 1, 1);
      const char *before = u_back (g, u, t->season);

      if (t->spec.difference)
        before = op2 (g, "Sub", before, u_back (g, u, t->season + 1));
      v = op2 (g, "Add", v, before);
      if (t->spec.difference)
        v = op2 (g, "Add", v, u_back (g, u, 1));
      u = concat (g, (const char *[]) { u, v }, 2, 1);
    }
  return slice (g, u, -(gint64) steps, G_MAXINT64, 1);
}

/* A member's forecast in original units, [B, horizon]. */
static const char *
member_forecast (Graph                *g,
                 const RecurModel     *model,
                 const RecurModelInfo *info,
                 const char           *target,
                 const char           *raw)
{
  const RecurModelSpec *spec = recur_model_get_spec (model);
  const RecurTransform *t = &info->transform;
  MemberInput in = member_input (g, target, raw, info, spec->window);
  const char *out;

  if (spec->strategy == RECUR_STRATEGY_DIRECT)
    out = step (g, model, info, in.s, in.cov, NULL);
  else
    {
      /* unrolled: each forecast appended to the window, the oldest value dropped; the
       * covariates' forecasts likewise */
      g_autofree const char **outs = g_new (const char *, spec->horizon);
      const char *s = in.s, *cov = in.cov;

      for (guint h = 0; h < spec->horizon; h++)
        {
          const char *cov_next = NULL;

          outs[h] = step (g, model, info, s, cov, &cov_next);
          s = slice (g, concat (g, (const char *[]) { s, outs[h] }, 2, 1), 1, G_MAXINT64, 1);
          if (cov)
            cov = slice (g, concat (g, (const char *[]) { cov, cov_next }, 2, 1), 1, G_MAXINT64,
                         1);
        }
      out = spec->horizon > 1 ? concat (g, outs, spec->horizon, 1) : outs[0];
    }
  out = op2 (g, "Add", op2 (g, "Mul", out, scalar (g, t->scaler.scale)),
             scalar (g, t->scaler.center));
  if (t->spec.seasonal_difference)
    out = integrate_seasonal (g, t, out, in.b, spec->horizon);
  else if (t->spec.difference)
    out = op2 (g, "Add", op2 (g, "CumSum", out, int64_scalar (g, 1)), in.b_last);
  if (t->box_cox)
    out = box_cox_inverse (g, out, t->lambda);
  return out;
}

/* The members' median step by step (recur_median_across): TopK sorts them. */
static const char *
median (Graph             *g,
        const char *const *forecasts,
        guint              n)
{
  g_autofree const char **columns = g_new (const char *, n);
  const char *all, *sorted;
  gint64 k = n;
  Onnx__NodeProto *nd;

  if (n == 1)
    return forecasts[0];
  for (guint i = 0; i < n; i++)
    columns[i] = unsqueeze (g, forecasts[i], 2);
  all = concat (g, columns, n, 2); /* [B, horizon, n] */
  nd = node (g, "TopK", 2, 2, (const char *[]) { all, int64s (g, &k, 1) });
  attr_int (g, nd, "axis", 2);
  sorted = nd->output[0];
  if (n % 2)
    return gather (g, sorted, n / 2, 2);
  return op2 (g, "Mul", op2 (g, "Add", gather (g, sorted, n / 2 - 1, 2),
                             gather (g, sorted, n / 2, 2)),
              scalar (g, 0.5));
}

/* ---- what the graph can express ------------------------------------------------------------- */

static gboolean
unsupported (GError    **error,
             const char *format,
             ...) G_GNUC_PRINTF (2, 3);

static gboolean
unsupported (GError    **error,
             const char *format,
             ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error_literal (error, RECUR_ONNX_ERROR, RECUR_ONNX_ERROR_UNSUPPORTED, text);
  return FALSE;
}

static gboolean
check_supported (RecurModel *const    *members,
                 guint                 n_members,
                 const RecurModelInfo *info,
                 GError              **error)
{
  const RecurModelSpec *s = recur_model_get_spec (members[0]);
  const RecurTransform *t = &info->transform;

  if (s->cell == RECUR_CELL_JORDAN)
    return unsupported (error, _("--model jordan: ONNX has no operator for a network whose "
                                 "output is fed back as its context, and Recur does not export "
                                 "one as plain operators yet; rnn, rnn-relu, lstm, gru and esn "
                                 "export"));
  if (s->cell == RECUR_CELL_CLOCKWORK)
    return unsupported (error, _("--model clockwork: ONNX has no operator for blocks that "
                                 "update at their own periods, and Recur does not export them "
                                 "as plain operators yet; rnn, rnn-relu, lstm, gru and esn "
                                 "export"));
  if (t->spec.deseasonalise)
    return unsupported (error, _("--deseasonalise: the graph reads windows without dates, so it "
                                 "cannot tell which seasonal index each value takes"));
  if (t->spec.theta != RECUR_THETA_NONE)
    return unsupported (error, _("--theta average: the forecast is averaged with the Theta "
                                 "method’s, which smooths the whole history it is given, not "
                                 "a window; train with --theta none to export (Auto averages "
                                 "on most series)"));
  if (info->covariates.calendar)
    return unsupported (error, _("--calendar: the graph reads the CSV’s columns, and calendar "
                                 "features come from the dates"));
  for (guint k = 0; k < n_members; k++)
    if (recur_model_get_spec (members[k])->cell != s->cell)
      return unsupported (error, _("an ensemble of different cells"));
  return TRUE;
}

guint
recur_onnx_window_length (RecurModel *const    *members,
                          guint                 n_members,
                          const RecurModelInfo *info)
{
  guint longest = 0;

  for (guint k = 0; k < n_members; k++)
    longest = MAX (longest, recur_model_get_spec (members[k])->window);
  return longest + info->transform.offset;
}

/* ---- the model file ------------------------------------------------------------------------- */

static Onnx__ValueInfoProto *
value_info (Graph        *g,
            const char   *name,
            const gint64 *dims,  /* 0: the batch, named */
            guint         n_dims)
{
  Onnx__ValueInfoProto *v = keep (g, g_new (Onnx__ValueInfoProto, 1));
  Onnx__TypeProto *type = keep (g, g_new (Onnx__TypeProto, 1));
  Onnx__TypeProto__Tensor *tensor_type = keep (g, g_new (Onnx__TypeProto__Tensor, 1));
  Onnx__TensorShapeProto *shape = keep (g, g_new (Onnx__TensorShapeProto, 1));

  onnx__value_info_proto__init (v);
  onnx__type_proto__init (type);
  onnx__type_proto__tensor__init (tensor_type);
  onnx__tensor_shape_proto__init (shape);
  shape->n_dim = n_dims;
  shape->dim = keep (g, g_new (Onnx__TensorShapeProto__Dimension *, n_dims));
  for (guint i = 0; i < n_dims; i++)
    {
      Onnx__TensorShapeProto__Dimension *d = keep (g, g_new (Onnx__TensorShapeProto__Dimension,
                                                             1));

      onnx__tensor_shape_proto__dimension__init (d);
      if (dims[i] == 0)
        {
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
          d->dim_param = (char *) "batch";
        }
      else
        {
          d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
          d->dim_value = dims[i];
        }
      shape->dim[i] = d;
    }
  tensor_type->has_elem_type = TRUE;
  tensor_type->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
  tensor_type->shape = shape;
  type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
  type->tensor_type = tensor_type;
  v->name = (char *) name;
  v->type = type;
  return v;
}

static Onnx__StringStringEntryProto *
metadata (Graph      *g,
          const char *key,
          char       *value) /* taken */
{
  Onnx__StringStringEntryProto *e = keep (g, g_new (Onnx__StringStringEntryProto, 1));

  onnx__string_string_entry_proto__init (e);
  e->key = (char *) key;
  e->value = keep (g, value);
  return e;
}

gboolean
recur_onnx_export (RecurModel *const    *members,
                   guint                 n_members,
                   const RecurModelInfo *info,
                   const char           *path,
                   GError              **error)
{
  const RecurModelSpec *s;
  guint L, F, horizon;
  Graph g = { 0 };
  g_autofree const char **forecasts = NULL;
  const char *target, *out;
  Onnx__NodeProto *identity;
  Onnx__GraphProto graph = ONNX__GRAPH_PROTO__INIT;
  Onnx__ModelProto model = ONNX__MODEL_PROTO__INIT;
  Onnx__OperatorSetIdProto opset = ONNX__OPERATOR_SET_ID_PROTO__INIT;
  Onnx__OperatorSetIdProto *opsets[1] = { &opset };
  Onnx__ValueInfoProto *inputs[1], *outputs[1];
  Onnx__StringStringEntryProto *props[3];
  g_autofree guint8 *bytes = NULL;
  gsize size;
  gboolean ok;

  g_return_val_if_fail (n_members >= 1, FALSE);
  if (!check_supported (members, n_members, info, error))
    return FALSE;
  s = recur_model_get_spec (members[0]);
  L = recur_onnx_window_length (members, n_members, info);
  F = s->input_size;
  horizon = s->horizon;
  g.arena = g_ptr_array_new_with_free_func (g_free);
  g.nodes = g_ptr_array_new ();
  g.inits = g_ptr_array_new ();

  /* the target's column, [B, L] */
  target = node (&g, "Squeeze", 1, 2,
                 (const char *[]) { slice (&g, "window", 0, 1, 2),
                                    int64s (&g, (gint64[]) { 2 }, 1) })->output[0];
  forecasts = g_new (const char *, n_members);
  for (guint k = 0; k < n_members; k++)
    forecasts[k] = member_forecast (&g, members[k], info, target, "window");
  out = median (&g, forecasts, n_members);
  identity = node (&g, "Identity", 1, 1, (const char *[]) { out });
  identity->output[0] = (char *) "forecast";

  inputs[0] = value_info (&g, "window", (gint64[]) { 0, L, F }, 3);
  outputs[0] = value_info (&g, "forecast", (gint64[]) { 0, horizon }, 2);
  graph.name = (char *) "recur";
  graph.doc_string = (char *) "window [batch, window_length, features] in the CSV's units "
                              "(the target, then the input columns) to forecast [batch, horizon]";
  graph.n_node = g.nodes->len;
  graph.node = (Onnx__NodeProto **) g.nodes->pdata;
  graph.n_initializer = g.inits->len;
  graph.initializer = (Onnx__TensorProto **) g.inits->pdata;
  graph.n_input = 1;
  graph.input = inputs;
  graph.n_output = 1;
  graph.output = outputs;
  opset.domain = (char *) "";
  opset.has_version = TRUE;
  opset.version = RECUR_ONNX_OPSET;
  model.has_ir_version = TRUE;
  model.ir_version = RECUR_ONNX_IR_VERSION;
  model.n_opset_import = 1;
  model.opset_import = opsets;
  model.producer_name = (char *) "Recur";
  model.producer_version = (char *) PACKAGE_VERSION;
  model.graph = &graph;
  props[0] = metadata (&g, "recur.column", g_strdup (info->column ? info->column : ""));
  props[1] = metadata (&g, "recur.inputs",
                       info->covariates.names ? g_strjoinv (",", info->covariates.names)
                                              : g_strdup (""));
  props[2] = metadata (&g, "recur.window_length", g_strdup_printf ("%u", L));
  model.n_metadata_props = G_N_ELEMENTS (props);
  model.metadata_props = props;

  size = onnx__model_proto__get_packed_size (&model);
  bytes = g_malloc (size);
  onnx__model_proto__pack (&model, bytes);
  ok = recur_file_write_atomic (path, (const char *) bytes, size, error);
  g_ptr_array_unref (g.nodes);
  g_ptr_array_unref (g.inits);
  g_ptr_array_unref (g.arena);
  return ok;
}
