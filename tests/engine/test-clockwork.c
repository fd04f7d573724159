/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The clockwork RNN: one block is an Elman RNN bit for bit; slow blocks hold their state between
 * their ticks; the masked weights stay exactly zero through training; its periods go through the
 * weights file. Gradients are checked in test-gradcheck.c. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-model.h"
#include "recur-optimizer.h"
#include "recur-safetensors.h"
#include "recur-settings.h"
#include "../test-tmp.h"

static RecurModel *
make_clockwork (guint        hidden,
                guint        window,
                const guint *periods,
                guint        n_periods,
                guint64      seed)
{
  RecurModelSpec spec;
  g_autoptr(GError) error = NULL;
  RecurModel *model;
  RecurRng rng;

  recur_model_spec_init (&spec);
  spec.cell = RECUR_CELL_CLOCKWORK;
  spec.hidden_size = hidden;
  spec.window = window;
  spec.horizon = 3;
  spec.n_periods = n_periods;
  memcpy (spec.periods, periods, n_periods * sizeof (guint));
  model = recur_model_new (&spec, &error);
  g_assert_no_error (error);
  recur_rng_init (&rng, seed);
  recur_model_init_weights (model, &rng);
  return model;
}

static void
random_input (float   *x,
              gsize    n,
              guint64  seed)
{
  RecurRng rng;

  recur_rng_init (&rng, seed);
  for (gsize i = 0; i < n; i++)
    x[i] = (float) recur_rng_normal (&rng);
}

/* One block of period 1 is an Elman RNN: same tensors, same numbers, bit for bit, forward
 * and backward. */
static void
test_one_block_is_elman (void)
{
  static const guint one[] = { 1 };
  const guint H = 16, T = 12, B = 5;
  g_autoptr(RecurModel) cw = make_clockwork (H, T, one, 1, 3);
  g_autoptr(RecurModel) elman = NULL;
  g_autoptr(RecurWorkspace) ws_cw = recur_workspace_new (cw, B);
  g_autoptr(RecurWorkspace) ws_elman = NULL;
  RecurModelSpec spec = *recur_model_get_spec (cw);
  gsize n = recur_model_get_n_params (cw);
  float x[12 * 5], out_cw[5 * 3], out_elman[5 * 3], d_out[5 * 3];

  spec.cell = RECUR_CELL_RNN_TANH;
  elman = recur_model_new (&spec, NULL);
  g_assert_cmpuint (recur_model_get_n_params (elman), ==, n);
  for (guint i = 0; i < recur_model_get_n_tensors (cw); i++)
    g_assert_cmpstr (recur_model_get_tensor (cw, i)->name, ==,
                     recur_model_get_tensor (elman, i)->name);
  recur_model_copy_params (elman, cw);
  ws_elman = recur_workspace_new (elman, B);

  random_input (x, G_N_ELEMENTS (x), 11);
  random_input (d_out, G_N_ELEMENTS (d_out), 12);
  recur_model_forward (cw, ws_cw, B, x, FALSE, NULL, out_cw);
  recur_model_forward (elman, ws_elman, B, x, FALSE, NULL, out_elman);
  g_assert_cmpmem (out_cw, sizeof out_cw, out_elman, sizeof out_elman);
  g_assert_cmpmem (recur_workspace_get_layer_output (ws_cw, 0), (gsize) T * B * H * sizeof (float),
                   recur_workspace_get_layer_output (ws_elman, 0),
                   (gsize) T * B * H * sizeof (float));

  recur_model_zero_grads (cw);
  recur_model_zero_grads (elman);
  recur_model_backward (cw, ws_cw, d_out, 0);
  recur_model_backward (elman, ws_elman, d_out, 0);
  g_assert_cmpmem (recur_model_get_grads (cw), n * sizeof (float),
                   recur_model_get_grads (elman), n * sizeof (float));
  g_assert_cmpmem (recur_workspace_get_grad_flow (ws_cw, 0), T * sizeof (double),
                   recur_workspace_get_grad_flow (ws_elman, 0), T * sizeof (double));
  g_assert_cmpuint (recur_model_get_n_trainable_params (cw), ==, n);
}

/* Block i updates at t mod T_i = 0 and holds its state otherwise. */
static void
test_slow_blocks_hold_between_ticks (void)
{
  static const guint periods[] = { 1, 2, 4, 8 };
  const guint H = 12, T = 20, B = 3, k = H / 4;
  g_autoptr(RecurModel) m = make_clockwork (H, T, periods, 4, 5);
  g_autoptr(RecurWorkspace) ws = recur_workspace_new (m, B);
  const RecurModelSpec *spec = recur_model_get_spec (m);
  float x[20 * 3], out[3 * 3], h[12 * 20];

  random_input (x, G_N_ELEMENTS (x), 21);
  recur_model_forward (m, ws, B, x, FALSE, NULL, out);
  g_assert_true (recur_cell_has_state (RECUR_CELL_CLOCKWORK, RECUR_STATE_HIDDEN));
  g_assert_false (recur_cell_has_state (RECUR_CELL_CLOCKWORK, RECUR_STATE_CELL));
  for (guint index = 0; index < B; index++)
    {
      g_assert_true (recur_workspace_copy_state (ws, 0, RECUR_STATE_HIDDEN, index, h));
      for (guint i = 0; i < 4; i++)
        {
          guint ticks = 0;
          for (guint t = 0; t < T; t++)
            {
              gboolean fires = recur_clockwork_block_fires (spec, i, t);
              g_assert_cmpint (fires, ==, t % periods[i] == 0);
              if (t == 0 || fires)
                {
                  /* a tick: the block's state is recomputed (and here it moves) */
                  gboolean moved = t == 0;
                  for (guint j = i * k; j < (i + 1) * k && t > 0; j++)
                    moved |= h[j * T + t] != h[j * T + t - 1];
                  g_assert_true (moved);
                  ticks++;
                  continue;
                }
              for (guint j = i * k; j < (i + 1) * k; j++)
                g_assert_cmpfloat (h[j * T + t], ==, h[j * T + t - 1]);
            }
          g_assert_cmpuint (ticks, ==, (T + periods[i] - 1) / periods[i]);
        }
    }
}

/* Training never makes a masked weight non-zero: its gradient is exactly zero, and so stays the
 * weight under AdamW's decoupled decay. */
static void
test_masked_weights_stay_zero (void)
{
  static const guint periods[] = { 1, 3, 9 };
  const guint H = 9, T = 14, B = 4, k = 3;
  g_autoptr(RecurModel) m = make_clockwork (H, T, periods, 3, 8);
  g_autoptr(RecurWorkspace) ws = recur_workspace_new (m, B);
  const RecurTensorInfo *w_hh = recur_model_find_tensor (m, "rnn.weight_hh_l0");
  RecurOptimizerSpec ospec;
  g_autoptr(RecurOptimizer) opt = NULL;
  float x[14 * 4], out[4 * 3], target[4 * 3], d_out[4 * 3];
  guint masked = 0;

  recur_optimizer_spec_init (&ospec, RECUR_OPTIMIZER_ADAMW, 0.05);
  opt = recur_optimizer_new (&ospec, recur_model_get_n_params (m));
  random_input (x, G_N_ELEMENTS (x), 31);
  random_input (target, G_N_ELEMENTS (target), 32);
  for (guint step = 0; step < 20; step++)
    {
      const float *p = recur_model_peek_params (m) + w_hh->offset;
      const float *g = recur_model_get_grads (m) + w_hh->offset;

      recur_model_forward (m, ws, B, x, TRUE, NULL, out);
      recur_loss (RECUR_LOSS_MSE, out, target, G_N_ELEMENTS (out), d_out);
      recur_model_zero_grads (m);
      recur_model_backward (m, ws, d_out, 0);
      masked = 0;
      for (guint r = 0; r < H; r++)
        for (guint c = 0; c < H; c++)
          if (c / k < r / k)
            {
              g_assert_cmpfloat (g[r * H + c], ==, 0.0f);
              g_assert_cmpfloat (p[r * H + c], ==, 0.0f);
              masked++;
            }
          else if (step == 0)
            g_assert_cmpfloat (p[r * H + c], !=, 0.0f);
      recur_optimizer_step (opt, recur_model_get_params (m), recur_model_get_grads (m), 0.05);
    }
  g_assert_cmpuint (masked, ==, k * k * 3);
  g_assert_cmpuint (recur_model_get_n_trainable_params (m), ==,
                    recur_model_get_n_params (m) - masked);
}

static void
assert_invalid (RecurModelSpec *spec,
                const char     *in_message)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (recur_model_new (spec, &error));
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, in_message));
}

static void
test_invalid_specs (void)
{
  RecurModelSpec spec;

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_CLOCKWORK);
  spec.hidden_size = 30; /* 4 blocks */
  assert_invalid (&spec, "4 clockwork blocks");
  recur_model_spec_init_for_cell (&spec, RECUR_CELL_CLOCKWORK);
  spec.periods[2] = 1;
  assert_invalid (&spec, "must not decrease");
  recur_model_spec_init_for_cell (&spec, RECUR_CELL_CLOCKWORK);
  spec.periods[0] = 0;
  assert_invalid (&spec, "period 0");
  recur_model_spec_init_for_cell (&spec, RECUR_CELL_CLOCKWORK);
  spec.n_periods = 0;
  assert_invalid (&spec, "blocks");
  recur_model_spec_init_for_cell (&spec, RECUR_CELL_CLOCKWORK);
  spec.num_layers = 2;
  assert_invalid (&spec, "one layer");
  recur_model_spec_init_for_cell (&spec, RECUR_CELL_CLOCKWORK);
  spec.bidirectional = TRUE;
  assert_invalid (&spec, "bidirectional");
}

/* --periods as the settings read it (the one parser of integer lists), and written back. */
static gboolean
parse_periods (const char     *text,
               RecurJobConfig *config)
{
  g_autoptr(GError) error = NULL;
  gboolean ok = recur_setting_parse (recur_settings_find ("periods"), text, NULL, config, &error);

  g_assert_true (ok == (error == NULL));
  return ok;
}

static void
test_periods_parse (void)
{
  RecurJobConfig config;
  g_autofree char *text = NULL;

  recur_job_config_init (&config);
  g_assert_true (parse_periods ("1, 3,6,12", &config));
  g_assert_cmpuint (config.model.n_periods, ==, 4);
  g_assert_cmpuint (config.model.periods[3], ==, 12);
  text = recur_periods_to_string (config.model.periods, config.model.n_periods);
  g_assert_cmpstr (text, ==, "1,3,6,12");
  g_assert_false (parse_periods ("", &config));
  g_assert_false (parse_periods ("1,,2", &config));
  g_assert_false (parse_periods ("1,0", &config));
  g_assert_false (parse_periods ("1,x", &config));
  g_assert_false (parse_periods ("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17", &config));
  g_assert_cmpuint (config.model.n_periods, ==, 4); /* unchanged by each refusal */
  recur_job_config_clear (&config);
}

/* recur.periods goes into the file and comes back; the loaded model forecasts the same. */
static void
test_weights_round_trip (void)
{
  static const guint periods[] = { 1, 3, 6, 12 };
  g_autoptr(RecurModel) m = make_clockwork (8, 24, periods, 4, 9);
  g_autoptr(RecurModel) back = NULL;
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(RecurWorkspace) ws = recur_workspace_new (m, 1);
  g_autoptr(RecurWorkspace) ws_back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_temp_dir ("recur-clockwork-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "cw.safetensors", NULL);
  RecurModelInfo info = { .transform.scaler = { RECUR_SCALER_ZSCORE, 1.0, 2.0 } };
  const RecurModelSpec *b;
  float x[24], out[3], out_back[3];

  g_assert_true (recur_model_save (m, &info, path, &error));
  g_assert_no_error (error);
  st = recur_safetensors_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.cell"), ==, "clockwork");
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.periods"), ==, "1,3,6,12");
  back = recur_model_load (path, NULL, &error);
  g_assert_no_error (error);
  b = recur_model_get_spec (back);
  g_assert_cmpint (b->cell, ==, RECUR_CELL_CLOCKWORK);
  g_assert_cmpuint (b->n_periods, ==, 4);
  g_assert_cmpmem (b->periods, 4 * sizeof (guint), periods, sizeof periods);
  g_assert_cmpmem (recur_model_peek_params (m), recur_model_get_n_params (m) * sizeof (float),
                   recur_model_peek_params (back), recur_model_get_n_params (back) * sizeof (float));
  ws_back = recur_workspace_new (back, 1);
  random_input (x, G_N_ELEMENTS (x), 41);
  recur_model_forward (m, ws, 1, x, FALSE, NULL, out);
  recur_model_forward (back, ws_back, 1, x, FALSE, NULL, out_back);
  g_assert_cmpmem (out, sizeof out, out_back, sizeof out_back);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/clockwork/one-block-is-elman-bit-for-bit", test_one_block_is_elman);
  g_test_add_func ("/engine/clockwork/slow-blocks-hold-between-ticks",
                   test_slow_blocks_hold_between_ticks);
  g_test_add_func ("/engine/clockwork/masked-weights-stay-zero", test_masked_weights_stay_zero);
  g_test_add_func ("/engine/clockwork/invalid-specs-are-errors", test_invalid_specs);
  g_test_add_func ("/engine/clockwork/periods-parse", test_periods_parse);
  g_test_add_func ("/engine/clockwork/weights-round-trip", test_weights_round_trip);
  return g_test_run ();
}
