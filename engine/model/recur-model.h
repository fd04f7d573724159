/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-optimizer.h"
#include "recur-rng.h"

G_BEGIN_DECLS

#define RECUR_MODEL_ERROR (recur_model_error_quark ())
GQuark recur_model_error_quark (void);

typedef enum
{
  RECUR_MODEL_ERROR_INVALID_SPEC, /* a hyperparameter out of range */
  RECUR_MODEL_ERROR_FIT_FAILED,   /* a one-shot fit (ESN readout) has no solution */
} RecurModelError;

typedef enum
{
  RECUR_CELL_RNN_TANH, /* h = tanh(W_ih x + b_ih + W_hh h' + b_hh) */
  RECUR_CELL_RNN_RELU, /* h = relu(W_ih x + b_ih + W_hh h' + b_hh) */
  RECUR_CELL_LSTM,     /* gates i, f, g, o */
  RECUR_CELL_GRU,      /* gates r, z, n */
  RECUR_CELL_JORDAN,   /* h = tanh(W_x x + W_y y' + b), y = W_o h + b_o: the context is the output */
  RECUR_CELL_ESN,      /* echo state network: a fixed random reservoir, only the head is fitted */
  RECUR_CELL_CLOCKWORK, /* blocks of an Elman RNN that update at their own periods */
} RecurCellKind;

#define RECUR_N_CELLS (RECUR_CELL_CLOCKWORK + 1)

/* What a Jordan network's context y_{t−1} holds while it reads a window. */
typedef enum
{
  RECUR_JORDAN_TEACHER, /* the observed value x_t (teacher forcing) */
  RECUR_JORDAN_FREE,    /* the network's own previous output y_{t−1} (free running) */
} RecurJordanFeedback;

/* The echo state network's reservoir and readout; hidden_size is the reservoir size N. */
typedef struct
{
  float  connectivity;    /* share of non-zero reservoir weights, 0 < c ≤ 1 */
  float  spectral_radius; /* the reservoir matrix is scaled to exactly this ρ */
  float  input_scaling;   /* W_in and b are uniform in ±input_scaling */
  float  leak;            /* α in h = (1 − α) h' + α tanh(W_in x + W h' + b), 0 < α ≤ 1 */
  guint  washout;         /* steps a window needs to forget its zero start; ≤ window */
  double ridge;           /* λ of the ridge regression that fits the readout */
} RecurEsnSpec;

#define RECUR_MAX_PERIODS 16
#define RECUR_MAX_RESERVOIR 2000
/* The largest horizon, and the most steps `recur forecast` makes with a recursive model. */
#define RECUR_MAX_FORECAST_STEPS 100000

typedef enum
{
  RECUR_STRATEGY_DIRECT,    /* the head outputs all `horizon` steps at once */
  RECUR_STRATEGY_RECURSIVE, /* the head outputs one step, fed back `horizon` times */
} RecurStrategy;

typedef struct
{
  RecurCellKind cell;
  guint         input_size;
  guint         hidden_size;
  guint         num_layers;
  gboolean      bidirectional;
  gboolean      bias;
  float         dropout;     /* between stacked layers, training only */
  guint         window;      /* time steps per window, T */
  guint         horizon;     /* steps forecast */
  RecurStrategy strategy;
  /* recursive: the values the head gives per step, the target's then those of the first
   * step_outputs − 1 inputs (the input columns it forecasts too, to feed them back); 1 for
   * the target alone, and always 1 for the direct strategy */
  guint         step_outputs;
  /* RECUR_CELL_JORDAN */
  RecurJordanFeedback jordan_feedback;
  /* RECUR_CELL_ESN */
  RecurEsnSpec  esn;
  /* RECUR_CELL_CLOCKWORK: hidden_size / n_periods units per block, block i updating at the
   * steps t (0-based in the window) where t mod periods[i] = 0; periods non-decreasing */
  guint         n_periods;
  guint         periods[RECUR_MAX_PERIODS];
} RecurModelSpec;

/* One tensor of the flat parameter buffer, named as in PyTorch's state_dict. */
typedef struct
{
  char   *name;     /* "rnn.weight_ih_l0", "head.bias", … */
  guint   n_dims;   /* 1 or 2 */
  guint64 shape[2];
  gsize   offset;   /* in floats, into the parameter (and gradient) buffer */
  gsize   count;
  gboolean fixed;   /* never trained (the ESN's reservoir) */
} RecurTensorInfo;

void         recur_model_spec_init             (RecurModelSpec        *spec);
/* recur_model_spec_init, then `cell` with the defaults Recur offers for it: an ESN's reservoir
 * of 100 units, a Jordan network's recursive strategy. */
void         recur_model_spec_init_for_cell    (RecurModelSpec        *spec,
                                                RecurCellKind          cell);
gboolean     recur_model_spec_validate         (const RecurModelSpec  *spec,
                                                GError               **error);
/* Values the head outputs per window: horizon (direct) or 1 (recursive). */
guint        recur_model_spec_output_size      (const RecurModelSpec  *spec);
/* Floats the spec's model holds, computed without allocating (G_MAXUINT64 on overflow). */
guint64      recur_model_spec_count_params     (const RecurModelSpec  *spec);
guint        recur_cell_n_gates                (RecurCellKind          cell);
/* rnn_tanh rnn_relu lstm gru jordan esn clockwork */
const char  *recur_cell_to_string              (RecurCellKind          cell);
gboolean     recur_cell_from_string            (const char            *text,
                                                RecurCellKind         *cell);
/* TRUE for the cells of PyTorch's nn.RNN, nn.LSTM and nn.GRU (rnn_tanh, rnn_relu, lstm, gru):
 * they stack, run both ways and train layer by layer; the others have one forward layer. */
gboolean     recur_cell_is_stackable           (RecurCellKind          cell);
/* TRUE for cells trained in one shot rather than by gradient descent (ESN). */
gboolean     recur_cell_is_one_shot            (RecurCellKind          cell);
const char  *recur_jordan_feedback_to_string   (RecurJordanFeedback    feedback); /* teacher free */
gboolean     recur_jordan_feedback_from_string (const char            *text,
                                                RecurJordanFeedback   *feedback);
/* Clockwork: whether block `block` (0-based, by increasing period) updates at step t. */
gboolean     recur_clockwork_block_fires       (const RecurModelSpec  *spec,
                                                guint                  block,
                                                guint                  t);
/* "1,2,4,8" for periods, or any list of integers (member windows); the settings parse it back
 * (recur_setting_parse). */
char        *recur_periods_to_string           (const guint           *periods,
                                                guint                  n_periods);
const char  *recur_strategy_to_string          (RecurStrategy          strategy);
gboolean     recur_strategy_from_string        (const char            *text,
                                                RecurStrategy         *strategy);

typedef struct _RecurModel RecurModel;

/* Allocates parameters (zeroed) and gradients; call recur_model_init_weights to initialise.
 * Memory that cannot be had is RECUR_MEMORY_ERROR, naming the model. */
RecurModel  *recur_model_new                   (const RecurModelSpec  *spec,
                                                GError               **error);
RecurModel  *recur_model_try_copy              (const RecurModel      *self,
                                                GError               **error);
/* Aborts if memory runs out: for models already known to fit. */
RecurModel  *recur_model_copy                  (const RecurModel      *self);
/* "lstm, 8 layers of 8192 units, 2147745792 parameters", for messages. */
char        *recur_model_spec_describe         (const RecurModelSpec  *spec);
void         recur_model_free                  (RecurModel            *self);

/* PyTorch's initialisation: every recurrent tensor U(−1/√H, 1/√H); the head as nn.Linear,
 * weight and bias U(−1/√F, 1/√F) with F its input features. Drawn in state_dict order. */
void         recur_model_init_weights          (RecurModel            *self,
                                                RecurRng              *rng);

const RecurModelSpec *recur_model_get_spec     (const RecurModel      *self);
gsize        recur_model_get_n_params          (const RecurModel      *self);
/* The parameters training changes: all but an ESN's fixed reservoir and the clockwork's masked
 * (always zero) hidden-to-hidden blocks. */
gsize        recur_model_get_n_trainable_params (const RecurModel     *self);
float       *recur_model_get_params            (RecurModel            *self);
const float *recur_model_peek_params           (const RecurModel      *self);
float       *recur_model_get_grads             (RecurModel            *self);
void         recur_model_zero_grads            (RecurModel            *self);
/* Copies parameters from a model of the same spec. */
void         recur_model_copy_params           (RecurModel            *self,
                                                const RecurModel      *from);
guint        recur_model_get_n_tensors         (const RecurModel      *self);
const RecurTensorInfo *recur_model_get_tensor  (const RecurModel      *self,
                                                guint                  index);
const RecurTensorInfo *recur_model_find_tensor (const RecurModel      *self,
                                                const char            *name);
/* Size of the head's input: directions × hidden_size. */
guint        recur_model_get_feature_size      (const RecurModel      *self);

/* Buffers for forward and backward passes of up to max_batch windows: allocate once per run,
 * then passes never allocate. One workspace per thread. */
typedef struct _RecurWorkspace RecurWorkspace;

typedef enum
{
  RECUR_WORKSPACE_FULL,       /* keeps every state of the last forward pass; trains */
  RECUR_WORKSPACE_TRAINING,   /* trains, keeping every step's gates; LSTM's cell states only
                               * every chunk of steps, the rest recomputed from the gates */
  RECUR_WORKSPACE_LEAN,       /* trains, recomputing the gates chunk by chunk backward */
  RECUR_WORKSPACE_INFERENCE,  /* forward passes only */
} RecurWorkspaceKind;

/* Any of the three below; memory that cannot be had (window × batch × hidden units come from
 * options) is RECUR_MEMORY_ERROR, naming the sizes. The three below abort instead. */
RecurWorkspace *recur_workspace_try_new        (const RecurModel      *model,
                                                guint                  max_batch,
                                                RecurWorkspaceKind     kind,
                                                GError               **error);
RecurWorkspace *recur_workspace_new            (const RecurModel      *model,
                                                guint                  max_batch);
/* The same for training only, in about a third of the memory: RNN, LSTM and GRU keep h and c
 * of every step but not the gates, which the backward pass recomputes a chunk of steps at a
 * time (the same bits). The GUI's state views need recur_workspace_new's gates. */
RecurWorkspace *recur_workspace_new_for_training (const RecurModel   *model,
                                                guint                  max_batch);
/* The same for training, keeping every step's gates as recur_workspace_new does, but LSTM's
 * cell states only at the chunks' edges: the backward pass recomputes the others from the
 * gates (c = f ⊙ c' + i ⊙ g, the same bits), a [T][B][H] buffer less for a few element-wise
 * operations. What the trainer uses within its memory budget. */
RecurWorkspace *recur_workspace_new_for_training_kept (const RecurModel *model,
                                                      guint             max_batch);
/* Buffers for forward passes without training (no dropout, no backward): about half the
 * memory of a training workspace. */
RecurWorkspace *recur_workspace_new_for_inference (const RecurModel   *model,
                                                guint                  max_batch);
/* RNN, LSTM and GRU backward passes keep the gate gradients of a few time steps at a time, as
 * many as fit 4 MiB, and turn each such chunk into weight gradients; their forward passes in an
 * inference workspace keep the gates of as few steps. This keeps fewer (at least 1), for
 * tests: the results agree to rounding whatever the chunk. */
void         recur_workspace_set_chunk_steps   (RecurWorkspace        *ws,
                                                guint                  steps);
void         recur_workspace_free              (RecurWorkspace        *self);

/* input: time-major [window][batch][input_size]. output: [batch][output_size].
 * training enables dropout, drawn from rng (which may be NULL when dropout is 0 or not
 * training). Keeps what backward needs in ws. */
void         recur_model_forward               (const RecurModel      *self,
                                                RecurWorkspace        *ws,
                                                guint                  batch,
                                                const float           *input,
                                                gboolean               training,
                                                RecurRng              *rng,
                                                float                 *output);
/* Accumulates into self's gradients the gradient of a loss whose gradient with respect to the
 * last forward's output is d_output [batch][output_size]. truncate > 0 backpropagates through
 * at most that many time steps of each direction (truncated BPTT); 0 through the whole window.
 * Once per forward pass: RNN, LSTM and GRU put their gate gradients in place of its gates. */
void         recur_model_backward              (RecurModel            *self,
                                                RecurWorkspace        *ws,
                                                const float           *d_output,
                                                guint                  truncate);
/* As recur_model_backward, into `grads` (recur_model_get_n_params floats) instead of the model's
 * own: each thread of a split minibatch accumulates its part apart. */
void         recur_model_backward_into         (const RecurModel      *self,
                                                RecurWorkspace        *ws,
                                                const float           *d_output,
                                                guint                  truncate,
                                                float                 *grads);
/* The auxiliary objective of the last forward, 0 for cells without one. Jordan: the mean loss of
 * the one-step outputs y_t against the next inputs x_{t+1}, t < window − 1. With for_backward,
 * its gradient is kept in ws and added by the next recur_model_backward (a forward drops it). */
double       recur_model_auxiliary_loss        (const RecurModel      *self,
                                                RecurWorkspace        *ws,
                                                RecurLossKind          kind,
                                                gboolean               for_backward);

/* What the last forward computed, for parity tests and the GUI's views. */
/* Layer outputs, time-major [window][batch][directions × hidden]. */
const float *recur_workspace_get_layer_output  (const RecurWorkspace  *ws,
                                                guint                  layer);
/* Final hidden state h_n of (layer, direction): [batch][hidden], as PyTorch's h_n[l*D + d]. */
void         recur_workspace_get_h_n           (const RecurWorkspace  *ws,
                                                guint                  layer,
                                                guint                  direction,
                                                float                 *out);
/* LSTM only: final cell state c_n of (layer, direction): [batch][hidden]. */
void         recur_workspace_get_c_n           (const RecurWorkspace  *ws,
                                                guint                  layer,
                                                guint                  direction,
                                                float                 *out);
/* After backward: ‖∂loss/∂h_t‖ (all directions, units and windows of the batch) per time step,
 * [window]; shows vanishing and exploding gradients through time. */
const double *recur_workspace_get_grad_flow    (const RecurWorkspace  *ws,
                                                guint                  layer);

/* The internal states a heatmap can show. Which exist depends on the cell: every cell has
 * HIDDEN (an ESN's reservoir state, a clockwork RNN's blocks, which hold their value between
 * their ticks); LSTM adds CELL and gates I, F, G, O; GRU adds gates R, Z, N. */
typedef enum
{
  RECUR_STATE_HIDDEN,  /* h_t */
  RECUR_STATE_CELL,    /* c_t (LSTM) */
  RECUR_STATE_GATE_I,
  RECUR_STATE_GATE_F,
  RECUR_STATE_GATE_G,
  RECUR_STATE_GATE_O,
  RECUR_STATE_GATE_R,
  RECUR_STATE_GATE_Z,
  RECUR_STATE_GATE_N,
  RECUR_N_STATES
} RecurStateKind;

gboolean     recur_cell_has_state              (RecurCellKind          cell,
                                                RecurStateKind         kind);
const char  *recur_state_kind_to_string        (RecurStateKind         kind); /* "h" "c" "i" … */
/* Copies a state of window `index` of the last forward as units × time steps,
 * out[(d·H + j)·T + t] for direction d and unit j. FALSE if the cell has no such state. */
gboolean     recur_workspace_copy_state        (const RecurWorkspace  *ws,
                                                guint                  layer,
                                                RecurStateKind         kind,
                                                guint                  index,
                                                float                 *out);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurModel, recur_model_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurWorkspace, recur_workspace_free)

G_END_DECLS
