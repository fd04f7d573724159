/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the model's files in engine/ and by nothing else: not part of the engine's API. */

#include <glib.h>

#include "recur-model.h"

G_BEGIN_DECLS

/* Draws an ESN model's fixed tensors from rng, in state_dict order: esn.weight_in uniform in
 * ±input_scaling; esn.weight sparse, each entry non-zero with probability connectivity and then
 * uniform in ±1, scaled so that its spectral radius (the largest |λ| of all its eigenvalues,
 * from LAPACK's dgeev) is exactly spectral_radius; esn.bias uniform in ±input_scaling. */
void recur_esn_init_reservoir (RecurModel *model,
                               RecurRng   *rng);

/* The model and its workspace: recur-model.c and recur-workspace.c make them, the cells
 * (recur-cell-*.c) run through them. */

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

/* Which of LSTM's cell states a workspace keeps after a forward pass */
typedef enum
{
  CELLS_EVERY_STEP,   /* [T][B][H] by time (full and lean workspaces) */
  CELLS_LAST_TWO,     /* [2][B][H] by processing step (inference) */
  CELLS_CHECKPOINTS,  /* the last two, then those of the steps T − 1 − m · chunk_steps, m ≥ 1
                       * (training workspaces that keep the gates) */
} CellKeeping;

typedef struct
{
  float *gates;  /* [T][B][G·H]: XP, then activated gates (RNN: pre-activation) */
  float *hh;     /* GRU: [T][B][G·H] = W_hh h' + b_hh */
  float *cell;   /* LSTM: as ws->cells says */
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
  CellKeeping cells;
  gboolean may_checkpoint; /* a training workspace that keeps the gates: CELLS_CHECKPOINTS
                            * once a window has several chunks */
  float *cell_chunk;    /* CELLS_CHECKPOINTS: [chunk_steps][B][H], a chunk's cells recomputed */
  gboolean keeps_gates; /* every step's gates stay after a forward pass (else chunk_steps');
                         * a backward pass turns them into their gradients */
  guint chunk_steps;    /* time steps whose gate gradients go into the weight gradients at
                         * once (and without keeps_gates, whose gates are kept at once) */
  gboolean gates_spent; /* a backward pass has turned the last forward's gates into gradients */
  float *d_gates;       /* Jordan, clockwork: [T][B][G·H]; the others' go in place of the gates */
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

/* Where a step's buffers are. */

/* Time steps whose gates the gate buffers hold. */
static inline guint
gate_steps (const RecurWorkspace *ws)
{
  return ws->keeps_gates ? ws->window : ws->chunk_steps;
}

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

/* Where the forward pass puts LSTM's cell state at time t (processing step `step`): every
 * step's in a full or lean workspace, the last two otherwise. */
static inline float *
cell_at (RecurWorkspace         *ws,
         const DirectionBuffers *db,
         guint                   t,
         guint                   step)
{
  gsize BH = (gsize) ws->batch * ws->hidden;
  return db->cell + (ws->cells == CELLS_EVERY_STEP ? t : step % 2) * BH;
}

/* CELLS_CHECKPOINTS: the kept cell state of processing step T − 1 − m · chunk_steps, m ≥ 1 */
static inline float *
cell_checkpoint (RecurWorkspace         *ws,
                 const DirectionBuffers *db,
                 guint                   m)
{
  return db->cell + (gsize) (1 + m) * ws->batch * ws->hidden;
}

/* recur-workspace.c: the element-wise helpers */
void fill_bias_rows  (float       *out,
                      gsize        rows,
                      gsize        n,
                      const float *bias1,
                      const float *bias2);
void add_column_sums (float       *acc,
                      const float *m,
                      gsize        rows,
                      gsize        n);

/* recur-cell-stacked.c: RNN, LSTM and GRU, and the input projection every cell uses */
void project_inputs     (const float      *x,
                         gsize             rows,
                         guint             in,
                         const float      *w_ih,
                         gsize             GH,
                         const float      *bias1,
                         const float      *bias2,
                         float            *out);
void add_recurrent_forward (RecurWorkspace *ws,
                            guint           batch,
                            guint           GH,
                            guint           H,
                            const float    *h_prev,
                            gsize           ld_h,
                            const float    *w_hh,
                            float          *out);
void forward_direction  (const RecurModel *self,
                         RecurWorkspace   *ws,
                         guint             l,
                         guint             d,
                         guint             batch,
                         const float      *x);
void apply_dropout      (RecurWorkspace   *ws,
                         guint             l,
                         gsize             n,
                         float             p,
                         RecurRng         *rng);
void backward_direction (const RecurModel *self,
                         RecurWorkspace   *ws,
                         float            *grads,
                         guint             l,
                         guint             d,
                         const float      *d_seq,
                         const float      *d_last,
                         guint             truncate);

/* recur-cell-jordan.c */
void forward_jordan  (const RecurModel *self,
                      RecurWorkspace   *ws,
                      guint             batch,
                      const float      *x);
void backward_jordan (const RecurModel *self,
                      RecurWorkspace   *ws,
                      float            *grads,
                      guint             truncate);

/* recur-cell-esn.c */
void forward_esn (const RecurModel *self,
                  RecurWorkspace   *ws,
                  guint             batch,
                  const float      *x);

/* recur-cell-clockwork.c */
void clockwork_mask     (const RecurModelSpec *s,
                         float                *w_hh);
void forward_clockwork  (const RecurModel     *self,
                         RecurWorkspace       *ws,
                         guint                 batch,
                         const float          *x);
void backward_clockwork (const RecurModel     *self,
                         RecurWorkspace       *ws,
                         float                *grads,
                         guint                 truncate);

G_END_DECLS
