/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-model.h"
#include "recur-safetensors.h"
#include "../test-tmp.h"

static RecurModel *
make_model (RecurCellKind cell,
            guint         layers,
            gboolean      bidirectional,
            gboolean      bias)
{
  RecurModelSpec spec;
  g_autoptr(GError) error = NULL;
  RecurModel *model;

  recur_model_spec_init (&spec);
  spec.cell = cell;
  spec.hidden_size = 16;
  spec.num_layers = layers;
  spec.bidirectional = bidirectional;
  spec.bias = bias;
  spec.horizon = 3;
  model = recur_model_new (&spec, &error);
  g_assert_no_error (error);
  return model;
}

/* Names and shapes as torch.nn.LSTM(1, 16, num_layers=2, bidirectional=True) + Linear(32, 3) */
static void
test_state_dict_names_and_shapes (void)
{
  g_autoptr(RecurModel) m = make_model (RECUR_CELL_LSTM, 2, TRUE, TRUE);
  static const struct { const char *name; guint64 rows, cols; } want[] = {
    { "rnn.weight_ih_l0", 64, 1 }, { "rnn.weight_hh_l0", 64, 16 },
    { "rnn.bias_ih_l0", 64, 0 }, { "rnn.bias_hh_l0", 64, 0 },
    { "rnn.weight_ih_l0_reverse", 64, 1 }, { "rnn.weight_hh_l0_reverse", 64, 16 },
    { "rnn.bias_ih_l0_reverse", 64, 0 }, { "rnn.bias_hh_l0_reverse", 64, 0 },
    { "rnn.weight_ih_l1", 64, 32 }, { "rnn.weight_hh_l1", 64, 16 },
    { "rnn.bias_ih_l1", 64, 0 }, { "rnn.bias_hh_l1", 64, 0 },
    { "rnn.weight_ih_l1_reverse", 64, 32 }, { "rnn.weight_hh_l1_reverse", 64, 16 },
    { "rnn.bias_ih_l1_reverse", 64, 0 }, { "rnn.bias_hh_l1_reverse", 64, 0 },
    { "head.weight", 3, 32 }, { "head.bias", 3, 0 },
  };
  gsize total = 0;

  g_assert_cmpuint (recur_model_get_n_tensors (m), ==, G_N_ELEMENTS (want));
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    {
      const RecurTensorInfo *t = recur_model_get_tensor (m, i);
      g_assert_cmpstr (t->name, ==, want[i].name);
      g_assert_cmpuint (t->shape[0], ==, want[i].rows);
      g_assert_cmpuint (t->n_dims, ==, want[i].cols ? 2 : 1);
      if (want[i].cols)
        g_assert_cmpuint (t->shape[1], ==, want[i].cols);
      g_assert_cmpuint (t->offset, ==, total);
      total += t->count;
    }
  g_assert_cmpuint (recur_model_get_n_params (m), ==, total);
  g_assert_cmpuint (recur_model_spec_count_params (recur_model_get_spec (m)), ==, total);
  /* torch: sum(p.numel()) = 2·(64·1 + 64·16 + 128) + 2·(64·32 + 64·16 + 128) + 32·3 + 3 */
  g_assert_cmpuint (total, ==, 2 * (64 + 1024 + 128) + 2 * (2048 + 1024 + 128) + 96 + 3);
}

static void
test_no_bias_has_no_bias_tensors (void)
{
  g_autoptr(RecurModel) m = make_model (RECUR_CELL_GRU, 1, FALSE, FALSE);

  g_assert_null (recur_model_find_tensor (m, "rnn.bias_ih_l0"));
  g_assert_nonnull (recur_model_find_tensor (m, "rnn.weight_hh_l0"));
  g_assert_nonnull (recur_model_find_tensor (m, "head.bias")); /* nn.Linear keeps its bias */
  g_assert_cmpuint (recur_model_get_n_params (m), ==, 48 * 1 + 48 * 16 + 16 * 3 + 3);
}

/* U(−1/√H, 1/√H) for the recurrent tensors, U(−1/√F, 1/√F) for the head: inside the bounds,
 * filling them (the extremes come close), centred. */
static void
test_initialisation_follows_torch (void)
{
  g_autoptr(RecurModel) m = make_model (RECUR_CELL_LSTM, 2, TRUE, TRUE);
  const float *p = recur_model_peek_params (m);
  RecurRng rng;

  recur_rng_init (&rng, 3);
  recur_model_init_weights (m, &rng);
  for (guint i = 0; i < recur_model_get_n_tensors (m); i++)
    {
      const RecurTensorInfo *t = recur_model_get_tensor (m, i);
      double bound = g_str_has_prefix (t->name, "head.") ? 1.0 / sqrt (32) : 1.0 / sqrt (16);
      double lo = 1, hi = -1, mean = 0;
      for (gsize k = 0; k < t->count; k++)
        {
          double v = p[t->offset + k];
          g_assert_cmpfloat (fabs (v), <=, bound);
          lo = MIN (lo, v);
          hi = MAX (hi, v);
          mean += v / t->count;
        }
      if (t->count >= 256) /* P(an extreme stays inside 0.9 · bound) = 0.95^256 < 1e-5 */
        {
          g_assert_cmpfloat (hi, >, 0.9 * bound);
          g_assert_cmpfloat (lo, <, -0.9 * bound);
          g_assert_cmpfloat (fabs (mean), <, 0.25 * bound);
        }
    }
}

static void
test_same_seed_same_weights (void)
{
  g_autoptr(RecurModel) a = make_model (RECUR_CELL_GRU, 2, FALSE, TRUE);
  g_autoptr(RecurModel) b = make_model (RECUR_CELL_GRU, 2, FALSE, TRUE);
  RecurRng ra, rb;

  recur_rng_init (&ra, 11);
  recur_rng_init (&rb, 11);
  recur_model_init_weights (a, &ra);
  recur_model_init_weights (b, &rb);
  g_assert_cmpmem (recur_model_peek_params (a), recur_model_get_n_params (a) * sizeof (float),
                   recur_model_peek_params (b), recur_model_get_n_params (b) * sizeof (float));
  recur_rng_init (&rb, 12);
  recur_model_init_weights (b, &rb);
  g_assert_true (memcmp (recur_model_peek_params (a), recur_model_peek_params (b),
                         recur_model_get_n_params (a) * sizeof (float)) != 0);
}

static void
test_invalid_spec_is_an_error (void)
{
  RecurModelSpec spec;
  g_autoptr(GError) error = NULL;

  recur_model_spec_init (&spec);
  spec.hidden_size = 0;
  g_assert_null (recur_model_new (&spec, &error));
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "hidden size 0"));
  g_clear_error (&error);

  recur_model_spec_init (&spec);
  spec.dropout = 1.0f;
  g_assert_null (recur_model_new (&spec, &error));
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "dropout"));
}

/* Each hyperparameter just past each end of its range, for every cell it applies to: refused
 * with an error that names it and the value; the ends themselves are accepted. */
typedef void (*SpecEdit) (RecurModelSpec *spec);

#define EDIT(name, cell, body) \
  static void name (RecurModelSpec *s) { recur_model_spec_init_for_cell (s, cell); body; }
EDIT (unknown_cell, RECUR_CELL_LSTM, s->cell = RECUR_N_CELLS)
EDIT (no_input, RECUR_CELL_LSTM, s->input_size = 0)
EDIT (too_many_inputs, RECUR_CELL_LSTM, s->input_size = 4097)
EDIT (too_many_units, RECUR_CELL_GRU, s->hidden_size = 8193)
EDIT (no_layer, RECUR_CELL_LSTM, s->num_layers = 0)
EDIT (too_many_layers, RECUR_CELL_RNN_TANH, s->num_layers = 17)
EDIT (negative_dropout, RECUR_CELL_LSTM, s->dropout = -0.5f)
EDIT (nan_dropout, RECUR_CELL_LSTM, s->dropout = NAN)
EDIT (no_window, RECUR_CELL_LSTM, s->window = 0)
EDIT (too_long_window, RECUR_CELL_LSTM, s->window = 100001)
EDIT (no_horizon, RECUR_CELL_LSTM, s->horizon = 0)
EDIT (too_long_horizon, RECUR_CELL_LSTM, s->horizon = 100001)
EDIT (unknown_strategy, RECUR_CELL_LSTM, s->strategy = 2)
EDIT (recursive_two_inputs, RECUR_CELL_GRU, { s->strategy = RECUR_STRATEGY_RECURSIVE; s->input_size = 2; })
EDIT (unknown_feedback, RECUR_CELL_JORDAN, s->jordan_feedback = 2)
EDIT (big_reservoir, RECUR_CELL_ESN, s->hidden_size = RECUR_MAX_RESERVOIR + 1)
EDIT (no_connectivity, RECUR_CELL_ESN, s->esn.connectivity = 0.0f)
EDIT (over_connected, RECUR_CELL_ESN, s->esn.connectivity = 1.5f)
EDIT (no_radius, RECUR_CELL_ESN, s->esn.spectral_radius = 0.0f)
EDIT (huge_radius, RECUR_CELL_ESN, s->esn.spectral_radius = 101.0f)
EDIT (no_input_scaling, RECUR_CELL_ESN, s->esn.input_scaling = 0.0f)
EDIT (huge_input_scaling, RECUR_CELL_ESN, s->esn.input_scaling = 1001.0f)
EDIT (no_leak, RECUR_CELL_ESN, s->esn.leak = 0.0f)
EDIT (over_leak, RECUR_CELL_ESN, s->esn.leak = 1.5f)
EDIT (nan_ridge, RECUR_CELL_ESN, s->esn.ridge = NAN)
EDIT (negative_ridge, RECUR_CELL_ESN, s->esn.ridge = -1.0)
EDIT (huge_ridge, RECUR_CELL_ESN, s->esn.ridge = 2e6)
EDIT (too_many_blocks, RECUR_CELL_CLOCKWORK, s->n_periods = RECUR_MAX_PERIODS + 1)
EDIT (too_long_period, RECUR_CELL_CLOCKWORK, s->periods[3] = 100001)
EDIT (widest_lstm, RECUR_CELL_LSTM, { s->input_size = 4096; s->hidden_size = 8192; s->num_layers = 16; s->window = 100000; s->horizon = 100000; })
EDIT (widest_esn, RECUR_CELL_ESN, { s->hidden_size = RECUR_MAX_RESERVOIR; s->esn.connectivity = 1.0f; s->esn.spectral_radius = 100.0f; s->esn.input_scaling = 1000.0f; s->esn.leak = 1.0f; s->esn.ridge = 1e6; })
EDIT (unpenalised_esn, RECUR_CELL_ESN, s->esn.ridge = 0.0)
EDIT (slowest_clockwork, RECUR_CELL_CLOCKWORK, { s->hidden_size = 16; s->n_periods = RECUR_MAX_PERIODS; for (guint i = 0; i < RECUR_MAX_PERIODS; i++) s->periods[i] = 100000; })
#undef EDIT

static void
test_every_range_both_ends (void)
{
  static const struct { SpecEdit edit; const char *said; } refused[] = {
    { unknown_cell, "unknown cell type 7" },
    { no_input, "input size 0 is out of range (1–4096)" },
    { too_many_inputs, "input size 4097" },
    { too_many_units, "hidden size 8193 is out of range (1–8192)" },
    { no_layer, "number of layers 0 is out of range (1–16)" },
    { too_many_layers, "number of layers 17" },
    { negative_dropout, "dropout -0.5 is out of range (0 ≤ p < 1)" },
    { nan_dropout, "dropout nan" },
    { no_window, "window 0 is out of range (1–100000)" },
    { too_long_window, "window 100001" },
    { no_horizon, "horizon 0 is out of range (1–100000)" },
    { too_long_horizon, "horizon 100001" },
    { unknown_strategy, "unknown strategy 2" },
    { unknown_feedback, "unknown Jordan feedback 2" },
    { big_reservoir, "reservoir size 2001 is out of range (1–2000)" },
    { no_connectivity, "connectivity 0 is out of range (0 < c ≤ 1)" },
    { over_connected, "connectivity 1.5" },
    { no_radius, "spectral radius 0 is out of range (0 < ρ ≤ 100)" },
    { huge_radius, "spectral radius 101" },
    { no_input_scaling, "input scaling 0 is out of range (0 < s ≤ 1000)" },
    { huge_input_scaling, "input scaling 1001" },
    { no_leak, "leak rate 0 is out of range (0 < α ≤ 1)" },
    { over_leak, "leak rate 1.5" },
    { nan_ridge, "ridge nan is out of range (0 ≤ λ ≤ 1e6)" },
    { negative_ridge, "ridge -1" },
    { huge_ridge, "ridge 2e+06" },
    { too_many_blocks, "a clockwork network has 1 to 16 blocks, not 17" },
    { too_long_period, "clockwork period 100001 is out of range (1–100000)" },
  };
  /* a recursive model may read inputs known ahead beside its own forecasts (calendar
   * features): the job refuses covariates it would need the future of */
  static const SpecEdit accepted[] = { widest_lstm, widest_esn, unpenalised_esn,
                                       slowest_clockwork, recursive_two_inputs };

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      RecurModelSpec spec;
      g_autoptr(GError) error = NULL;

      refused[i].edit (&spec);
      g_assert_false (recur_model_spec_validate (&spec, &error));
      g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
      if (strstr (error->message, refused[i].said) == NULL)
        g_error ("“%s” does not say “%s”", error->message, refused[i].said);
      g_clear_error (&error);
      g_assert_null (recur_model_new (&spec, &error));
      g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
    }
  for (guint i = 0; i < G_N_ELEMENTS (accepted); i++)
    {
      RecurModelSpec spec;
      g_autoptr(GError) error = NULL;

      accepted[i] (&spec);
      g_assert_true (recur_model_spec_validate (&spec, &error));
      g_assert_no_error (error);
    }
}

/* The names in files and on the command line, both ways; others refused, the value kept. */
static void
test_names_both_ways (void)
{
  static const char *const cells[] = { "rnn_tanh", "rnn_relu", "lstm", "gru", "jordan", "esn",
                                       "clockwork" };
  static const char *const strategies[] = { "direct", "recursive" };
  RecurCellKind cell = RECUR_CELL_GRU;
  RecurStrategy strategy = RECUR_STRATEGY_RECURSIVE;

  G_STATIC_ASSERT (G_N_ELEMENTS (cells) == RECUR_N_CELLS);
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      g_assert_cmpstr (recur_cell_to_string (i), ==, cells[i]);
      g_assert_true (recur_cell_from_string (cells[i], &cell));
      g_assert_cmpint (cell, ==, i);
    }
  for (guint i = 0; i < G_N_ELEMENTS (strategies); i++)
    {
      g_assert_cmpstr (recur_strategy_to_string (i), ==, strategies[i]);
      g_assert_true (recur_strategy_from_string (strategies[i], &strategy));
      g_assert_cmpint (strategy, ==, i);
    }
  g_assert_false (recur_cell_from_string ("LSTM", &cell));
  g_assert_false (recur_strategy_from_string ("multi-output", &strategy));
  g_assert_false (recur_strategy_from_string (NULL, &strategy));
  g_assert_cmpint (cell, ==, RECUR_CELL_CLOCKWORK);
  g_assert_cmpint (strategy, ==, RECUR_STRATEGY_RECURSIVE);
}

/* What the state views may show per cell: h for all; c and the gates i f g o for LSTM, r z n
 * for GRU; RECUR_N_STATES is no state. */
static void
test_states_per_cell (void)
{
  for (RecurCellKind cell = 0; cell < RECUR_N_CELLS; cell++)
    {
      g_assert_true (recur_cell_has_state (cell, RECUR_STATE_HIDDEN));
      for (RecurStateKind k = RECUR_STATE_CELL; k <= RECUR_STATE_GATE_O; k++)
        g_assert_cmpint (recur_cell_has_state (cell, k), ==, cell == RECUR_CELL_LSTM);
      for (RecurStateKind k = RECUR_STATE_GATE_R; k <= RECUR_STATE_GATE_N; k++)
        g_assert_cmpint (recur_cell_has_state (cell, k), ==, cell == RECUR_CELL_GRU);
      g_assert_false (recur_cell_has_state (cell, RECUR_N_STATES));
    }
  g_assert_cmpstr (recur_state_kind_to_string (RECUR_STATE_CELL), ==, "c");
  g_assert_cmpstr (recur_state_kind_to_string (RECUR_STATE_GATE_N), ==, "n");
}

/* Dropout acts between layers only (nn.LSTM's dropout argument): a one-layer network trains
 * with p = 0.5 as with none, output and gradient, bit for bit. */
static void
test_dropout_needs_two_layers (void)
{
  g_autoptr(RecurModel) with = make_model (RECUR_CELL_LSTM, 1, FALSE, TRUE);
  g_autoptr(RecurModel) without = NULL;
  g_autoptr(RecurWorkspace) ws_with = NULL, ws_without = NULL;
  RecurModelSpec spec = *recur_model_get_spec (with);
  float input[24 * 2], out_with[2 * 3], out_without[2 * 3], d_out[2 * 3];
  gsize n = recur_model_get_n_params (with);
  RecurRng rng;

  spec.dropout = 0.5f;
  g_clear_pointer (&with, recur_model_free);
  with = recur_model_new (&spec, NULL);
  spec.dropout = 0.0f;
  without = recur_model_new (&spec, NULL);
  recur_rng_init (&rng, 4);
  recur_model_init_weights (with, &rng);
  recur_model_copy_params (without, with);
  for (guint i = 0; i < G_N_ELEMENTS (input); i++)
    input[i] = (float) recur_rng_normal (&rng);
  for (guint i = 0; i < G_N_ELEMENTS (d_out); i++)
    d_out[i] = (float) recur_rng_normal (&rng);
  ws_with = recur_workspace_new (with, 2);
  ws_without = recur_workspace_new (without, 2);

  recur_model_forward (with, ws_with, 2, input, TRUE, &rng, out_with);
  recur_model_forward (without, ws_without, 2, input, TRUE, &rng, out_without);
  g_assert_cmpmem (out_with, sizeof out_with, out_without, sizeof out_without);
  recur_model_zero_grads (with);
  recur_model_zero_grads (without);
  recur_model_backward (with, ws_with, d_out, 0);
  recur_model_backward (without, ws_without, d_out, 0);
  g_assert_cmpmem (recur_model_get_grads (with), n * sizeof (float),
                   recur_model_get_grads (without), n * sizeof (float));
}

/* Jordan, ESN and clockwork keep whole windows: fewer chunk steps asked of their workspaces
 * change nothing, forward or backward. */
static void
test_chunks_are_for_stackable_cells (void)
{
  const RecurCellKind cells[] = { RECUR_CELL_JORDAN, RECUR_CELL_ESN, RECUR_CELL_CLOCKWORK };

  for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
    {
      RecurModelSpec spec;
      g_autoptr(RecurModel) model = NULL;
      g_autoptr(RecurWorkspace) whole = NULL, asked = NULL;
      g_autofree float *whole_grads = NULL;
      float input[24 * 3], out_whole[3], out_asked[3], d_out[3] = { 0.5f, -1.0f, 0.25f };
      gsize n;
      RecurRng rng;

      recur_model_spec_init_for_cell (&spec, cells[c]);
      spec.hidden_size = 8;
      spec.horizon = 1;
      model = recur_model_new (&spec, NULL);
      n = recur_model_get_n_params (model);
      recur_rng_init (&rng, 6);
      recur_model_init_weights (model, &rng);
      for (guint i = 0; i < G_N_ELEMENTS (input); i++)
        input[i] = (float) recur_rng_normal (&rng);
      whole = recur_workspace_new (model, 3);
      asked = recur_workspace_new (model, 3);
      recur_workspace_set_chunk_steps (asked, 1);

      recur_model_forward (model, whole, 3, input, TRUE, &rng, out_whole);
      recur_model_auxiliary_loss (model, whole, RECUR_LOSS_MSE, TRUE);
      recur_model_zero_grads (model);
      recur_model_backward (model, whole, d_out, 0);
      whole_grads = g_memdup2 (recur_model_get_grads (model), n * sizeof (float));
      recur_model_forward (model, asked, 3, input, TRUE, &rng, out_asked);
      recur_model_auxiliary_loss (model, asked, RECUR_LOSS_MSE, TRUE);
      recur_model_zero_grads (model);
      recur_model_backward (model, asked, d_out, 0);
      g_assert_cmpmem (out_whole, sizeof out_whole, out_asked, sizeof out_asked);
      g_assert_cmpmem (whole_grads, n * sizeof (float), recur_model_get_grads (model),
                       n * sizeof (float));
    }
}

/* More windows at once than 4 MiB of gates hold for one step (140 000 × 8 gate values): the
 * inference workspace keeps a single step's gates and forecasts what a full one does, with the
 * same final cell states. */
static void
test_inference_workspace_of_a_huge_batch (void)
{
  RecurModelSpec spec;
  g_autoptr(RecurModel) model = NULL;
  g_autoptr(RecurWorkspace) full = NULL, infer = NULL;
  const guint batch = 140000, T = 3;
  g_autofree float *input = g_new (float, (gsize) T * batch);
  g_autofree float *out_full = g_new (float, batch), *out_infer = g_new (float, batch);
  g_autofree float *c_full = g_new (float, (gsize) batch * 2), *c_infer = g_new (float, (gsize) batch * 2);
  RecurRng rng;

  recur_model_spec_init (&spec);
  spec.hidden_size = 2;
  spec.window = T;
  spec.horizon = 1;
  model = recur_model_new (&spec, NULL);
  recur_rng_init (&rng, 14);
  recur_model_init_weights (model, &rng);
  for (gsize i = 0; i < (gsize) T * batch; i++)
    input[i] = (float) recur_rng_normal (&rng);
  full = recur_workspace_new (model, batch);
  infer = recur_workspace_new_for_inference (model, batch);
  recur_model_forward (model, full, batch, input, FALSE, NULL, out_full);
  recur_model_forward (model, infer, batch, input, FALSE, NULL, out_infer);
  g_assert_cmpmem (out_full, batch * sizeof (float), out_infer, batch * sizeof (float));
  recur_workspace_get_c_n (full, 0, 0, c_full);
  recur_workspace_get_c_n (infer, 0, 0, c_infer);
  g_assert_cmpmem (c_full, (gsize) batch * 2 * sizeof (float), c_infer,
                   (gsize) batch * 2 * sizeof (float));
}

/* More windows at once than 4 MiB of gate gradients hold for a whole window (8192 windows × 24
 * gate values × 16 steps): the backward pass works through the window 5 steps at a time, the
 * last chunk 1 step, in a full and in a lean workspace alike, through both directions and both
 * layers. Outputs and gradients agree, to rounding, with the same windows passed in narrow
 * pieces whose workspace keeps the whole window's gate gradients. */
static void
test_a_wide_batch_in_chunks_of_steps (void)
{
  enum { T = 16, B = 8192, PIECE = 512, OUT = 2 };
  RecurModelSpec spec;
  g_autoptr(RecurModel) model = NULL;
  g_autoptr(RecurWorkspace) narrow = NULL;
  g_autofree float *input = g_new (float, (gsize) T * B);
  g_autofree float *piece = g_new (float, (gsize) T * PIECE);
  g_autofree float *d_out = g_new (float, (gsize) B * OUT);
  g_autofree float *out_pieces = g_new (float, (gsize) B * OUT);
  g_autofree float *out_wide = g_new (float, (gsize) B * OUT);
  g_autofree float *grads_pieces = NULL;
  float g_max = 0.0f;
  gsize n;
  RecurRng rng;

  recur_model_spec_init (&spec);
  spec.cell = RECUR_CELL_GRU;
  spec.hidden_size = 8;
  spec.num_layers = 2;
  spec.bidirectional = TRUE;
  spec.window = T;
  spec.horizon = OUT;
  model = recur_model_new (&spec, NULL);
  n = recur_model_get_n_params (model);
  recur_rng_init (&rng, 21);
  recur_model_init_weights (model, &rng);
  for (gsize i = 0; i < (gsize) T * B; i++)
    input[i] = (float) recur_rng_normal (&rng);
  for (gsize i = 0; i < (gsize) B * OUT; i++)
    d_out[i] = (float) recur_rng_normal (&rng) / B;

  narrow = recur_workspace_new (model, PIECE);
  recur_model_zero_grads (model);
  for (guint p = 0; p < B / PIECE; p++)
    {
      for (guint t = 0; t < T; t++)
        memcpy (piece + (gsize) t * PIECE, input + (gsize) t * B + (gsize) p * PIECE,
                PIECE * sizeof (float));
      recur_model_forward (model, narrow, PIECE, piece, TRUE, NULL,
                           out_pieces + (gsize) p * PIECE * OUT);
      recur_model_backward (model, narrow, d_out + (gsize) p * PIECE * OUT, 0);
    }
  grads_pieces = g_memdup2 (recur_model_get_grads (model), n * sizeof (float));
  for (gsize i = 0; i < n; i++)
    g_max = MAX (g_max, fabsf (grads_pieces[i]));
  g_assert_cmpfloat (g_max, >, 0.0f);

  for (guint lean = 0; lean < 2; lean++)
    {
      g_autoptr(RecurWorkspace) wide = lean ? recur_workspace_new_for_training (model, B)
                                            : recur_workspace_new (model, B);
      const float *grads = recur_model_get_grads (model);

      recur_model_zero_grads (model);
      recur_model_forward (model, wide, B, input, TRUE, NULL, out_wide);
      recur_model_backward (model, wide, d_out, 0);
      for (gsize i = 0; i < (gsize) B * OUT; i++)
        g_assert_cmpfloat_with_epsilon (out_wide[i], out_pieces[i], 1e-5);
      for (gsize i = 0; i < n; i++)
        g_assert_cmpfloat_with_epsilon (grads[i], grads_pieces[i], 1e-4 * g_max);
    }
}

/* h0 = 0 for every window, whatever ran before in the same workspace */
static void
test_each_window_starts_from_zero_state (void)
{
  g_autoptr(RecurModel) m = make_model (RECUR_CELL_LSTM, 1, FALSE, TRUE);
  g_autoptr(RecurWorkspace) ws = recur_workspace_new (m, 1);
  RecurRng rng;
  float a[24], other[24], out1[3], out2[3];

  recur_rng_init (&rng, 5);
  recur_model_init_weights (m, &rng);
  for (int i = 0; i < 24; i++)
    {
      a[i] = (float) recur_rng_normal (&rng);
      other[i] = 10.0f * (float) recur_rng_normal (&rng);
    }
  recur_model_forward (m, ws, 1, a, FALSE, NULL, out1);
  recur_model_forward (m, ws, 1, other, FALSE, NULL, out2);
  recur_model_forward (m, ws, 1, a, FALSE, NULL, out2);
  g_assert_cmpmem (out1, sizeof out1, out2, sizeof out2);
}


static RecurModelInfo
sample_info (void)
{
  RecurModelInfo info = { .transform.scaler = { RECUR_SCALER_ZSCORE, 12.5, 3.25 },
                          .column = (char *) "temp", .frequency = (char *) "monthly",
                          .last_timestamp = (char *) "1939-12-01", .seed = 77 };
  return info;
}

static void
test_weights_round_trip (void)
{
  g_autoptr(RecurModel) m = make_model (RECUR_CELL_GRU, 2, TRUE, FALSE);
  g_autoptr(RecurModel) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_temp_dir ("recur-model-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "m.safetensors", NULL);
  RecurModelInfo info = sample_info (), read = { 0 };
  const RecurModelSpec *a, *b;
  RecurRng rng;

  recur_rng_init (&rng, 1);
  recur_model_init_weights (m, &rng);
  g_assert_true (recur_model_save (m, &info, path, &error));
  g_assert_no_error (error);
  back = recur_model_load (path, &read, &error);
  g_assert_no_error (error);
  a = recur_model_get_spec (m);
  b = recur_model_get_spec (back);
  g_assert_cmpint (a->cell, ==, b->cell);
  g_assert_cmpuint (a->hidden_size, ==, b->hidden_size);
  g_assert_cmpuint (a->num_layers, ==, b->num_layers);
  g_assert_cmpint (a->bidirectional, ==, b->bidirectional);
  g_assert_cmpint (a->bias, ==, b->bias);
  g_assert_cmpuint (a->window, ==, b->window);
  g_assert_cmpuint (a->horizon, ==, b->horizon);
  g_assert_cmpint (a->strategy, ==, b->strategy);
  g_assert_cmpmem (recur_model_peek_params (m), recur_model_get_n_params (m) * sizeof (float),
                   recur_model_peek_params (back), recur_model_get_n_params (back) * sizeof (float));
  g_assert_cmpfloat (read.transform.scaler.center, ==, 12.5);
  g_assert_cmpfloat (read.transform.scaler.scale, ==, 3.25);
  g_assert_cmpstr (read.column, ==, "temp");
  g_assert_cmpstr (read.frequency, ==, "monthly");
  g_assert_cmpstr (read.last_timestamp, ==, "1939-12-01");
  g_assert_cmpuint (read.seed, ==, 77);
  recur_model_info_clear (&read);
}

/* Rewrites a saved file with one metadata key changed (value NULL: removed) or one tensor
 * added, and checks the load error names the file and the key. */
static void
assert_metadata_refused (const char *key,
                         const char *value,
                         const char *extra_tensor,
                         int         code,
                         const char *in_message)
{
  g_autoptr(RecurModel) m = make_model (RECUR_CELL_LSTM, 1, FALSE, TRUE);
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(RecurSafetensors) edited = recur_safetensors_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_temp_dir ("recur-model-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "edited.safetensors", NULL);
  g_auto(GStrv) keys = NULL;
  RecurModelInfo info = sample_info ();

  g_assert_true (recur_model_save (m, &info, path, NULL));
  st = recur_safetensors_load (path, NULL);
  keys = recur_safetensors_list_metadata (st);
  for (guint i = 0; keys[i]; i++)
    if (!g_str_equal (keys[i], key))
      recur_safetensors_set_metadata (edited, keys[i], recur_safetensors_get_metadata (st, keys[i]));
  if (value)
    recur_safetensors_set_metadata (edited, key, value);
  for (guint i = 0; i < recur_safetensors_get_n_tensors (st); i++)
    {
      const char *name = recur_safetensors_get_name (st, i);
      guint n_dims;
      const guint64 *shape;
      const float *data = recur_safetensors_get (st, name, &n_dims, &shape);
      recur_safetensors_add (edited, name, n_dims, shape, data);
    }
  if (extra_tensor)
    {
      guint64 shape[1] = { 1 };
      float zero = 0;
      recur_safetensors_add (edited, extra_tensor, 1, shape, &zero);
    }
  g_assert_true (recur_safetensors_save (edited, path, NULL));
  g_assert_null (recur_model_load (path, NULL, &error));
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, code);
  g_assert_nonnull (strstr (error->message, "edited.safetensors"));
  g_assert_nonnull (strstr (error->message, in_message));
}

static void
test_weights_metadata_validated (void)
{
  assert_metadata_refused ("recur.hidden_size", "abc", NULL, RECUR_SAFETENSORS_ERROR_METADATA,
                           "recur.hidden_size");
  assert_metadata_refused ("recur.hidden_size", "0", NULL, RECUR_SAFETENSORS_ERROR_METADATA,
                           "recur.hidden_size");
  assert_metadata_refused ("recur.cell", "transformer", NULL, RECUR_SAFETENSORS_ERROR_METADATA,
                           "transformer");
  assert_metadata_refused ("recur.bias", "yes", NULL, RECUR_SAFETENSORS_ERROR_METADATA, "recur.bias");
  assert_metadata_refused ("recur.scaler_scale", "0", NULL, RECUR_SAFETENSORS_ERROR_METADATA,
                           "recur.scaler_scale");
  assert_metadata_refused ("recur.scaler_center", "nan", NULL, RECUR_SAFETENSORS_ERROR_METADATA,
                           "recur.scaler_center");
  assert_metadata_refused ("recur.window", NULL, NULL, RECUR_SAFETENSORS_ERROR_METADATA,
                           "recur.window");
  /* metadata promising a model far larger than the file: refused before allocating it */
  assert_metadata_refused ("recur.hidden_size", "8192", NULL, RECUR_SAFETENSORS_ERROR_SHAPE,
                           "parameters");
  assert_metadata_refused ("recur.num_layers", "2", NULL, RECUR_SAFETENSORS_ERROR_SHAPE,
                           "parameters");
  assert_metadata_refused ("recur.seed", "42", "rnn.weight_ih_l7", RECUR_SAFETENSORS_ERROR_SHAPE,
                           "parameters");
}

/* A weights file holding NaN or an infinity is refused, naming the tensor and the index, not
 * loaded to forecast NaN; the bytes loader and the file loader say the same. */
static void
test_weights_must_be_finite (void)
{
  const float bad[] = { NAN, INFINITY, -INFINITY };
  const char *const said[] = { "NaN", "+inf", "-inf" };

  for (guint b = 0; b < G_N_ELEMENTS (bad); b++)
    {
      g_autoptr(RecurModel) m = make_model (RECUR_CELL_GRU, 1, FALSE, TRUE);
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = test_temp_dir ("recur-model-XXXXXX");
      g_autofree char *path = g_build_filename (dir, "nan.safetensors", NULL);
      g_autofree char *contents = NULL;
      g_autoptr(GBytes) bytes = NULL;
      RecurModelInfo info = sample_info ();
      const RecurTensorInfo *t = recur_model_find_tensor (m, "rnn.weight_hh_l0");
      g_autofree char *where = g_strdup_printf ("“rnn.weight_hh_l0” holds %s at index 5", said[b]);
      gsize length;

      recur_model_get_params (m)[t->offset + 5] = bad[b];
      g_assert_true (recur_model_save (m, &info, path, NULL));
      g_assert_null (recur_model_load (path, NULL, &error));
      g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_NOT_FINITE);
      g_assert_nonnull (strstr (error->message, "nan.safetensors"));
      g_assert_nonnull (strstr (error->message, where));
      g_clear_error (&error);

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
      g_assert_null (recur_model_load_bytes (bytes, "in memory", NULL, &error));
      g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_NOT_FINITE);
      g_assert_nonnull (strstr (error->message, "in memory: tensor"));
    }
}

/* An inference workspace, which keeps the gates of a few steps at a time (here 3 of a window of
 * 24), forecasts what a training workspace does, with the same final states. */
static void
test_inference_workspace_matches_training (void)
{
  const RecurCellKind cells[] = { RECUR_CELL_RNN_TANH, RECUR_CELL_LSTM, RECUR_CELL_GRU };

  for (guint ci = 0; ci < G_N_ELEMENTS (cells); ci++)
    {
      g_autoptr(RecurModel) model = make_model (cells[ci], 2, TRUE, TRUE);
      const RecurModelSpec *spec = recur_model_get_spec (model);
      guint T = spec->window, H = spec->hidden_size, batch = 5;
      g_autoptr(RecurWorkspace) train_ws = recur_workspace_new (model, batch);
      g_autoptr(RecurWorkspace) infer_ws = recur_workspace_new_for_inference (model, batch);
      g_autofree float *input = g_new (float, (gsize) T * batch);
      float out_train[5 * 3], out_infer[5 * 3], state_train[5 * 16], state_infer[5 * 16];
      RecurRng rng;

      recur_rng_init (&rng, 11);
      recur_model_init_weights (model, &rng);
      for (guint i = 0; i < T * batch; i++)
        input[i] = (float) recur_rng_normal (&rng);
      recur_workspace_set_chunk_steps (infer_ws, 3);
      recur_model_forward (model, train_ws, batch, input, FALSE, NULL, out_train);
      recur_model_forward (model, infer_ws, batch, input, FALSE, NULL, out_infer);
      for (guint i = 0; i < G_N_ELEMENTS (out_train); i++)
        g_assert_cmpfloat_with_epsilon (out_infer[i], out_train[i], 1e-6);
      for (guint l = 0; l < 2; l++)
        for (guint d = 0; d < 2; d++)
          {
            recur_workspace_get_h_n (train_ws, l, d, state_train);
            recur_workspace_get_h_n (infer_ws, l, d, state_infer);
            for (guint i = 0; i < batch * H; i++)
              g_assert_cmpfloat_with_epsilon (state_infer[i], state_train[i], 1e-6);
            if (cells[ci] != RECUR_CELL_LSTM)
              continue;
            recur_workspace_get_c_n (train_ws, l, d, state_train);
            recur_workspace_get_c_n (infer_ws, l, d, state_infer);
            for (guint i = 0; i < batch * H; i++)
              g_assert_cmpfloat_with_epsilon (state_infer[i], state_train[i], 1e-6);
          }
    }
}

/* A lean training workspace recomputes the gates in the backward pass, a kept one LSTM's cell
 * states between its checkpoints: the gradient is the one a full workspace gives, bit for bit
 * when all work through the window in the same chunks of steps (as the trainer's workspaces
 * do, whichever kind its memory budget picks), with dropout between the layers and truncated
 * BPTT too, ending at a chunk's edge (5) or inside a chunk (7), and the outputs and last cell
 * states agree. */
static void
test_lean_workspace_matches_full (void)
{
  const RecurCellKind cells[] = { RECUR_CELL_RNN_TANH, RECUR_CELL_LSTM, RECUR_CELL_GRU };
  const guint truncations[] = { 0, 5, 7 };

  for (guint ci = 0; ci < G_N_ELEMENTS (cells); ci++)
    for (guint ti = 0; ti < G_N_ELEMENTS (truncations); ti++)
      {
        RecurModelSpec spec;
        g_autoptr(RecurModel) model = NULL;
        RecurWorkspace *ws[3];
        g_autofree float *input = NULL, *full = NULL;
        guint T, batch = 4, truncate = truncations[ti];
        gsize n;
        float out[3][4 * 3], d_out[4 * 3], c_n[3][4 * 16];
        RecurRng rng;

        recur_model_spec_init (&spec);
        spec.cell = cells[ci];
        spec.hidden_size = 16;
        spec.num_layers = 2;
        spec.bidirectional = TRUE;
        spec.horizon = 3;
        spec.dropout = 0.3f;
        model = recur_model_new (&spec, NULL);
        T = spec.window;
        g_assert_cmpuint (T % 5, !=, 0); /* the earliest chunk is a short one */
        n = recur_model_get_n_params (model);
        ws[0] = recur_workspace_new (model, batch);
        ws[1] = recur_workspace_new_for_training (model, batch);
        ws[2] = recur_workspace_new_for_training_kept (model, batch);
        input = g_new (float, (gsize) T * batch);
        recur_rng_init (&rng, 12);
        recur_model_init_weights (model, &rng);
        for (guint i = 0; i < T * batch; i++)
          input[i] = (float) recur_rng_normal (&rng);
        for (guint i = 0; i < G_N_ELEMENTS (d_out); i++)
          d_out[i] = (float) recur_rng_normal (&rng);

        for (guint k = 0; k < 3; k++)
          {
            recur_workspace_set_chunk_steps (ws[k], 5);
            recur_rng_init (&rng, 1);
            recur_model_forward (model, ws[k], batch, input, TRUE, &rng, out[k]);
            if (cells[ci] == RECUR_CELL_LSTM)
              recur_workspace_get_c_n (ws[k], 1, 0, c_n[k]);
            recur_model_zero_grads (model);
            recur_model_backward (model, ws[k], d_out, truncate);
            if (k == 0)
              full = g_memdup2 (recur_model_get_grads (model), n * sizeof (float));
            else
              {
                g_assert_cmpmem (recur_model_get_grads (model), n * sizeof (float), full,
                                 n * sizeof (float));
                g_assert_cmpmem (out[k], sizeof out[k], out[0], sizeof out[0]);
                if (cells[ci] == RECUR_CELL_LSTM)
                  g_assert_cmpmem (c_n[k], sizeof c_n[k], c_n[0], sizeof c_n[0]);
              }
          }
        for (guint k = 0; k < 3; k++)
          recur_workspace_free (ws[k]);
      }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/model/state-dict-names-and-shapes", test_state_dict_names_and_shapes);
  g_test_add_func ("/engine/model/no-bias-has-no-bias-tensors", test_no_bias_has_no_bias_tensors);
  g_test_add_func ("/engine/model/initialisation-follows-torch", test_initialisation_follows_torch);
  g_test_add_func ("/engine/model/same-seed-same-weights", test_same_seed_same_weights);
  g_test_add_func ("/engine/model/invalid-spec-is-an-error", test_invalid_spec_is_an_error);
  g_test_add_func ("/engine/model/every-range-both-ends", test_every_range_both_ends);
  g_test_add_func ("/engine/model/names-both-ways", test_names_both_ways);
  g_test_add_func ("/engine/model/states-per-cell", test_states_per_cell);
  g_test_add_func ("/engine/model/dropout-needs-two-layers", test_dropout_needs_two_layers);
  g_test_add_func ("/engine/model/chunks-are-for-stackable-cells",
                   test_chunks_are_for_stackable_cells);
  g_test_add_func ("/engine/model/inference-workspace-of-a-huge-batch",
                   test_inference_workspace_of_a_huge_batch);
  g_test_add_func ("/engine/model/a-wide-batch-in-chunks-of-steps",
                   test_a_wide_batch_in_chunks_of_steps);
  g_test_add_func ("/engine/model/each-window-starts-from-zero-state", test_each_window_starts_from_zero_state);
  g_test_add_func ("/engine/model/weights-round-trip", test_weights_round_trip);
  g_test_add_func ("/engine/model/lean-workspace-matches-full", test_lean_workspace_matches_full);
  g_test_add_func ("/engine/model/inference-workspace-matches-training",
                   test_inference_workspace_matches_training);
  g_test_add_func ("/engine/model/weights-metadata-validated", test_weights_metadata_validated);
  g_test_add_func ("/engine/model/weights-must-be-finite", test_weights_must_be_finite);
  return g_test_run ();
}
