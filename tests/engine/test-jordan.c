/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Jordan network: its forward pass follows its equations (recomputed here in double
 * precision) in both feedback modes, its auxiliary one-step loss trains W_o in teacher mode,
 * its tensors are named as documented and go through the weights file. Gradients are checked in
 * test-gradcheck.c. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-model.h"
#include "recur-safetensors.h"
#include "../test-tmp.h"

enum { H = 5, T = 7, B = 3, O = 2 };

static RecurModel *
make_jordan (RecurJordanFeedback feedback,
             guint64             seed)
{
  RecurModelSpec spec;
  g_autoptr(GError) error = NULL;
  RecurModel *model;
  RecurRng rng;

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_JORDAN);
  spec.hidden_size = H;
  spec.window = T;
  spec.horizon = O;
  spec.strategy = RECUR_STRATEGY_DIRECT;
  spec.jordan_feedback = feedback;
  model = recur_model_new (&spec, &error);
  g_assert_no_error (error);
  recur_rng_init (&rng, seed);
  recur_model_init_weights (model, &rng);
  /* larger than the default so tanh saturates somewhat and the feedback matters */
  for (gsize i = 0; i < recur_model_get_n_params (model); i++)
    recur_model_get_params (model)[i] *= 2.0f;
  return model;
}

static const float *
param (const RecurModel *m,
       const char       *name)
{
  return recur_model_peek_params (m) + recur_model_find_tensor (m, name)->offset;
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

static void
test_names_and_shapes (void)
{
  g_autoptr(RecurModel) m = make_jordan (RECUR_JORDAN_TEACHER, 1);
  static const struct { const char *name; guint64 rows, cols; } want[] = {
    { "rnn.weight_x", H, 1 }, { "rnn.weight_y", H, 1 }, { "rnn.bias", H, 0 },
    { "rnn.weight_o", 1, H }, { "rnn.bias_o", 1, 0 },
    { "head.weight", O, H }, { "head.bias", O, 0 },
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
      g_assert_false (t->fixed);
      total += t->count;
    }
  g_assert_cmpuint (recur_model_get_n_params (m), ==, total);
  g_assert_cmpuint (recur_model_get_n_trainable_params (m), ==, total);
  g_assert_cmpuint (recur_model_spec_count_params (recur_model_get_spec (m)), ==, total);
}

/* h_t = tanh(W_x x_t + W_y c_t + b), y_t = W_o h_t + b_o, c_0 = 0, c_t = x_t (teacher) or
 * y_{t−1} (free); head = W h_{T−1} + b; auxiliary loss = mean (y_t − x_{t+1})², t < T − 1. */
static void
test_forward_follows_equations (gconstpointer data)
{
  RecurJordanFeedback feedback = GPOINTER_TO_UINT (data);
  g_autoptr(RecurModel) m = make_jordan (feedback, 2);
  g_autoptr(RecurWorkspace) ws = recur_workspace_new (m, B);
  const float *wx = param (m, "rnn.weight_x"), *wy = param (m, "rnn.weight_y");
  const float *bb = param (m, "rnn.bias"), *wo = param (m, "rnn.weight_o");
  const float *bo = param (m, "rnn.bias_o"), *hw = param (m, "head.weight");
  const float *hb = param (m, "head.bias");
  float x[T * B], out[B * O], states[H * T];
  double aux = 0.0;

  random_input (x, G_N_ELEMENTS (x), 3);
  recur_model_forward (m, ws, B, x, FALSE, NULL, out);
  for (guint b = 0; b < B; b++)
    {
      double h[H], y = 0.0;

      g_assert_true (recur_workspace_copy_state (ws, 0, RECUR_STATE_HIDDEN, b, states));
      for (guint t = 0; t < T; t++)
        {
          double xt = x[t * B + b];
          double c = t == 0 ? 0.0 : feedback == RECUR_JORDAN_TEACHER ? xt : y;
          y = bo[0];
          for (guint j = 0; j < H; j++)
            {
              h[j] = tanh (wx[j] * xt + wy[j] * c + bb[j]);
              g_assert_cmpfloat_with_epsilon (states[j * T + t], h[j], 1e-5);
              y += wo[j] * h[j];
            }
          if (t + 1 < T)
            aux += (y - x[(t + 1) * B + b]) * (y - x[(t + 1) * B + b]);
        }
      for (guint o = 0; o < O; o++)
        {
          double v = hb[o];
          for (guint j = 0; j < H; j++)
            v += hw[o * H + j] * h[j];
          g_assert_cmpfloat_with_epsilon (out[b * O + o], v, 1e-5);
        }
    }
  aux /= (T - 1) * B;
  g_assert_cmpfloat_with_epsilon (recur_model_auxiliary_loss (m, ws, RECUR_LOSS_MSE, FALSE), aux,
                                  1e-5 * MAX (1.0, aux));
}

/* In teacher mode the context is the data: W_o does not change the hidden states, and only the
 * auxiliary loss gives it a gradient. In free mode it does both. */
static void
test_teacher_context_is_the_data (void)
{
  for (guint mode = 0; mode <= 1; mode++)
    {
      g_autoptr(RecurModel) m = make_jordan (mode, 4);
      g_autoptr(RecurWorkspace) ws = recur_workspace_new (m, B);
      const RecurTensorInfo *wo = recur_model_find_tensor (m, "rnn.weight_o");
      float x[T * B], out[B * O], out2[B * O], d_out[B * O];
      const float *g;
      double norm = 0.0;

      random_input (x, G_N_ELEMENTS (x), 5);
      random_input (d_out, G_N_ELEMENTS (d_out), 6);
      recur_model_forward (m, ws, B, x, FALSE, NULL, out);
      recur_model_get_params (m)[wo->offset] += 0.5f;
      recur_model_forward (m, ws, B, x, FALSE, NULL, out2);
      if (mode == RECUR_JORDAN_TEACHER)
        g_assert_cmpmem (out, sizeof out, out2, sizeof out2);
      else
        g_assert_true (memcmp (out, out2, sizeof out) != 0);

      /* the head's gradient alone */
      recur_model_zero_grads (m);
      recur_model_backward (m, ws, d_out, 0);
      g = recur_model_get_grads (m) + wo->offset;
      for (guint j = 0; j < H; j++)
        norm += fabs (g[j]);
      if (mode == RECUR_JORDAN_TEACHER)
        g_assert_cmpfloat (norm, ==, 0.0);
      else
        g_assert_cmpfloat (norm, >, 0.0);

      /* with the auxiliary loss, W_o learns in both modes; a new forward drops it */
      recur_model_auxiliary_loss (m, ws, RECUR_LOSS_MSE, TRUE);
      recur_model_zero_grads (m);
      recur_model_backward (m, ws, d_out, 0);
      norm = 0.0;
      for (guint j = 0; j < H; j++)
        norm += fabs (g[j]);
      g_assert_cmpfloat (norm, >, 0.0);
      if (mode == RECUR_JORDAN_TEACHER)
        {
          recur_model_forward (m, ws, B, x, FALSE, NULL, out);
          recur_model_zero_grads (m);
          recur_model_backward (m, ws, d_out, 0);
          for (guint j = 0; j < H; j++)
            g_assert_cmpfloat (g[j], ==, 0.0f);
        }
    }
}

static void
test_weights_round_trip (gconstpointer data)
{
  RecurJordanFeedback feedback = GPOINTER_TO_UINT (data);
  g_autoptr(RecurModel) m = make_jordan (feedback, 7);
  g_autoptr(RecurModel) back = NULL;
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_temp_dir ("recur-jordan-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "jordan.safetensors", NULL);
  RecurModelInfo info = { .transform.scaler = { RECUR_SCALER_ZSCORE, 1.0, 2.0 } };

  g_assert_true (recur_model_save (m, &info, path, &error));
  g_assert_no_error (error);
  st = recur_safetensors_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.cell"), ==, "jordan");
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.jordan_feedback"), ==,
                   recur_jordan_feedback_to_string (feedback));
  back = recur_model_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (recur_model_get_spec (back)->cell, ==, RECUR_CELL_JORDAN);
  g_assert_cmpint (recur_model_get_spec (back)->jordan_feedback, ==, feedback);
  g_assert_cmpmem (recur_model_peek_params (m), recur_model_get_n_params (m) * sizeof (float),
                   recur_model_peek_params (back), recur_model_get_n_params (back) * sizeof (float));
}

static void
test_invalid_specs (void)
{
  RecurModelSpec spec;
  g_autoptr(GError) error = NULL;
  RecurJordanFeedback feedback;

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_JORDAN);
  spec.num_layers = 2;
  g_assert_null (recur_model_new (&spec, &error));
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "jordan network has one layer"));
  g_clear_error (&error);
  recur_model_spec_init_for_cell (&spec, RECUR_CELL_JORDAN);
  spec.bidirectional = TRUE;
  g_assert_null (recur_model_new (&spec, &error));
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
  g_assert_true (recur_jordan_feedback_from_string ("free", &feedback));
  g_assert_cmpint (feedback, ==, RECUR_JORDAN_FREE);
  g_assert_false (recur_jordan_feedback_from_string ("forced", &feedback));
  /* what Recur offers by default: teacher forcing, one-step outputs iterated */
  recur_model_spec_init_for_cell (&spec, RECUR_CELL_JORDAN);
  g_assert_cmpint (spec.jordan_feedback, ==, RECUR_JORDAN_TEACHER);
  g_assert_cmpint (spec.strategy, ==, RECUR_STRATEGY_RECURSIVE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/jordan/names-and-shapes", test_names_and_shapes);
  g_test_add_data_func ("/engine/jordan/teacher/forward-follows-equations",
                        GUINT_TO_POINTER (RECUR_JORDAN_TEACHER), test_forward_follows_equations);
  g_test_add_data_func ("/engine/jordan/free/forward-follows-equations",
                        GUINT_TO_POINTER (RECUR_JORDAN_FREE), test_forward_follows_equations);
  g_test_add_func ("/engine/jordan/teacher-context-is-the-data", test_teacher_context_is_the_data);
  g_test_add_data_func ("/engine/jordan/teacher/weights-round-trip",
                        GUINT_TO_POINTER (RECUR_JORDAN_TEACHER), test_weights_round_trip);
  g_test_add_data_func ("/engine/jordan/free/weights-round-trip",
                        GUINT_TO_POINTER (RECUR_JORDAN_FREE), test_weights_round_trip);
  g_test_add_func ("/engine/jordan/invalid-specs-are-errors", test_invalid_specs);
  return g_test_run ();
}
