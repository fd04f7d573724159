/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Analytic gradients against central finite differences, one tensor at a time, for every cell,
 * stacked, bidirectional, with and without bias, both heads, every loss, and dropout; Jordan
 * networks in both feedback modes with their auxiliary one-step loss, clockwork RNNs with
 * blocks that skip steps, and the ESN's readout. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-model.h"
#include "recur-optimizer.h"

typedef struct
{
  RecurCellKind cell;
  guint layers;
  gboolean bidirectional;
  gboolean bias;
  RecurStrategy strategy;
  RecurLossKind loss;
  float dropout;
  guint truncate;
  guint input_size;              /* 0: 1 */
  guint hidden;                  /* 0: 3 */
  guint window;                  /* 0: 5 */
  RecurJordanFeedback feedback;
  guint n_periods;               /* clockwork; 0: the default */
  guint periods[4];
  guint chunk_steps;             /* backward's gate-gradient chunk; 0: the default (all) */
  gboolean lean;                 /* a training workspace that recomputes the gates */
} Case;

typedef struct
{
  RecurModel *model;
  RecurWorkspace *ws;
  guint batch;
  float *input;
  float *target;
  float *output;
  float *d_output;
  gsize n_out;
  float dropout;
} Fixture;

static const guint64 dropout_seed = 7;

static double
loss_with_dropout (Fixture       *f,
                   RecurLossKind  kind,
                   float          dropout)
{
  RecurRng rng;

  recur_rng_init (&rng, dropout_seed); /* the same dropout mask at every evaluation */
  recur_model_forward (f->model, f->ws, f->batch, f->input, dropout > 0, &rng, f->output);
  /* the training objective: the head's loss plus the cell's auxiliary loss (Jordan's) */
  return recur_loss (kind, f->output, f->target, f->n_out, NULL)
         + recur_model_auxiliary_loss (f->model, f->ws, kind, FALSE);
}

/* (L(θ + h) − L(θ − h)) / 2h for parameter i, the loss summed in double precision */
static double
central_difference (Fixture       *f,
                    RecurLossKind  kind,
                    float          dropout,
                    gsize          i,
                    double         h)
{
  float *params = recur_model_get_params (f->model);
  float saved = params[i];
  double plus, minus;

  params[i] = saved + (float) h;
  plus = loss_with_dropout (f, kind, dropout);
  params[i] = saved - (float) h;
  minus = loss_with_dropout (f, kind, dropout);
  params[i] = saved;
  return (plus - minus) / (2.0 * h);
}

static void
run_case (const Case *c)
{
  RecurModelSpec spec;
  Fixture f = { 0 };
  RecurRng rng;
  RecurLossKind loss_kind = c->loss;
  const float *grads;
  float *params;
  double worst = 0.0;
  guint kinks = 0;

  recur_model_spec_init (&spec);
  spec.cell = c->cell;
  spec.input_size = c->input_size ? c->input_size : 1;
  spec.hidden_size = c->hidden ? c->hidden : 3;
  spec.num_layers = c->layers;
  spec.bidirectional = c->bidirectional;
  spec.bias = c->bias;
  spec.window = c->window ? c->window : 5;
  spec.horizon = 2;
  spec.strategy = c->strategy;
  spec.dropout = c->dropout;
  spec.jordan_feedback = c->feedback;
  spec.esn.washout = 2;
  if (c->n_periods)
    {
      spec.n_periods = c->n_periods;
      memcpy (spec.periods, c->periods, sizeof c->periods);
    }

  f.model = recur_model_new (&spec, NULL);
  g_assert_nonnull (f.model);
  recur_rng_init (&rng, 1234);
  recur_model_init_weights (f.model, &rng);
  /* larger weights than the default so every saturating non-linearity is exercised; ReLU
   * networks are unbounded and keep the default scale */
  params = recur_model_get_params (f.model);
  for (gsize i = 0; i < recur_model_get_n_params (f.model); i++)
    params[i] *= c->cell == RECUR_CELL_RNN_RELU ? 1.0f : 2.0f;
  f.batch = 3;
  f.dropout = c->dropout;
  f.ws = c->lean ? recur_workspace_new_for_training (f.model, f.batch)
                 : recur_workspace_new (f.model, f.batch);
  if (c->chunk_steps)
    recur_workspace_set_chunk_steps (f.ws, c->chunk_steps);
  f.n_out = (gsize) f.batch * recur_model_spec_output_size (&spec);
  f.input = g_new (float, spec.window * f.batch * spec.input_size);
  f.target = g_new (float, f.n_out);
  f.output = g_new (float, f.n_out);
  f.d_output = g_new (float, f.n_out);
  for (guint i = 0; i < spec.window * f.batch * spec.input_size; i++)
    f.input[i] = (float) recur_rng_normal (&rng);
  for (gsize i = 0; i < f.n_out; i++)
    f.target[i] = (float) recur_rng_normal (&rng);

  /* analytic */
  loss_with_dropout (&f, loss_kind, c->dropout);
  recur_loss (loss_kind, f.output, f.target, f.n_out, f.d_output);
  recur_model_auxiliary_loss (f.model, f.ws, loss_kind, TRUE);
  recur_model_zero_grads (f.model);
  recur_model_backward (f.model, f.ws, f.d_output, c->truncate);
  grads = recur_model_get_grads (f.model);

  for (guint ti = 0; ti < recur_model_get_n_tensors (f.model); ti++)
    {
      const RecurTensorInfo *t = recur_model_get_tensor (f.model, ti);
      if (t->fixed)
        {
          /* never trained (the ESN's reservoir): no gradient at all */
          for (gsize k = 0; k < t->count; k++)
            g_assert_cmpfloat (grads[t->offset + k], ==, 0.0f);
          continue;
        }
      for (gsize k = 0; k < t->count; k++)
        {
          gsize i = t->offset + k;
          /* ReLU: kinks lie within 1e-3 of some parameters; a smaller step keeps off them */
          double h = c->cell == RECUR_CELL_RNN_RELU ? 1e-3 : 1e-2;
          double numeric, half, err;

          numeric = central_difference (&f, loss_kind, c->dropout, i, h);
          /* A ReLU kink (or an MAE/Huber corner) inside [θ − h, θ + h] makes finite
           * differences meaningless there: they then disagree with a halved step. Such
           * points are skipped, and must stay rare. */
          half = central_difference (&f, loss_kind, c->dropout, i, h / 2);
          if (fabs (numeric - half) > 1e-2 * (1e-2 + fabs (numeric)))
            {
              kinks++;
              continue;
            }
          numeric = (4.0 * half - numeric) / 3.0; /* Richardson: cancels the h² error term */
          err = fabs (numeric - grads[i]) / (1e-2 + fabs (numeric));
          worst = MAX (worst, err);
          if (err > 1e-2 && g_getenv ("GRADCHECK_DEBUG"))
            for (double hh = 2e-2; hh > 1e-4; hh /= 2)
              g_printerr ("h=%g fd=%.6g\n", hh, central_difference (&f, loss_kind, c->dropout, i, hh));
          if (err > 1e-2)
            g_error ("%s[%" G_GSIZE_FORMAT "]: analytic %.6g, finite difference %.6g",
                     t->name, k, (double) grads[i], numeric);
        }
    }
  g_assert_cmpuint (kinks, <=, recur_model_get_n_params (f.model) / 10);
  if (c->cell != RECUR_CELL_RNN_RELU && c->loss == RECUR_LOSS_MSE)
    g_assert_cmpuint (kinks, ==, 0);
  g_test_message ("worst relative error %.3g over %" G_GSIZE_FORMAT " parameters, %u at kinks",
                  worst, recur_model_get_n_params (f.model), kinks);

  recur_workspace_free (f.ws);
  recur_model_free (f.model);
  g_free (f.input);
  g_free (f.target);
  g_free (f.output);
  g_free (f.d_output);
}

static void
test_case (gconstpointer data)
{
  run_case (data);
}

static void
test_truncation_at_window_is_full_bptt (gconstpointer data)
{
  RecurCellKind cell = GPOINTER_TO_UINT (data);
  RecurModelSpec spec;
  g_autoptr(RecurModel) model = NULL;
  g_autoptr(RecurWorkspace) ws = NULL;
  RecurRng rng;
  float input[6 * 2], d_out[2 * 2], out[2 * 2];
  g_autofree float *full = NULL;

  recur_model_spec_init (&spec);
  spec.cell = cell;
  spec.hidden_size = 4;
  spec.window = 6;
  spec.horizon = 2;
  spec.bidirectional = cell == RECUR_CELL_GRU;
  spec.n_periods = 2;
  spec.periods[0] = 1;
  spec.periods[1] = 2;
  spec.jordan_feedback = RECUR_JORDAN_FREE;
  model = recur_model_new (&spec, NULL);
  recur_rng_init (&rng, 9);
  recur_model_init_weights (model, &rng);
  ws = recur_workspace_new (model, 2);
  for (guint i = 0; i < G_N_ELEMENTS (input); i++)
    input[i] = (float) recur_rng_normal (&rng);
  for (guint i = 0; i < G_N_ELEMENTS (d_out); i++)
    d_out[i] = (float) recur_rng_normal (&rng);

  recur_model_forward (model, ws, 2, input, FALSE, NULL, out);
  recur_model_auxiliary_loss (model, ws, RECUR_LOSS_MSE, TRUE);
  recur_model_zero_grads (model);
  recur_model_backward (model, ws, d_out, 0);
  full = g_memdup2 (recur_model_get_grads (model), recur_model_get_n_params (model) * sizeof (float));

  /* a backward pass spends its forward's gates: another one needs another forward */
  if (recur_cell_is_stackable (cell))
    {
      g_test_expect_message ("recur-engine", G_LOG_LEVEL_CRITICAL, "*!ws->gates_spent*");
      recur_model_backward (model, ws, d_out, spec.window);
      g_test_assert_expected_messages ();
    }
  recur_model_forward (model, ws, 2, input, FALSE, NULL, out);
  recur_model_auxiliary_loss (model, ws, RECUR_LOSS_MSE, TRUE);
  recur_model_zero_grads (model);
  recur_model_backward (model, ws, d_out, spec.window);
  g_assert_cmpmem (full, recur_model_get_n_params (model) * sizeof (float),
                   recur_model_get_grads (model), recur_model_get_n_params (model) * sizeof (float));

  /* Truncated to 2 steps, the input-to-hidden weights only see the last two inputs' effect:
   * the gradient differs from full BPTT. */
  recur_model_forward (model, ws, 2, input, FALSE, NULL, out);
  recur_model_auxiliary_loss (model, ws, RECUR_LOSS_MSE, TRUE);
  recur_model_zero_grads (model);
  recur_model_backward (model, ws, d_out, 2);
  g_assert_true (memcmp (full, recur_model_get_grads (model),
                         recur_model_get_n_params (model) * sizeof (float)) != 0);

  /* Truncated in chunks of one step, the gradient is the same to rounding. */
  if (cell == RECUR_CELL_GRU)
    {
      g_autoptr(RecurWorkspace) chunked = recur_workspace_new (model, 2);
      g_autofree float *truncated = g_memdup2 (recur_model_get_grads (model),
                                               recur_model_get_n_params (model) * sizeof (float));

      recur_workspace_set_chunk_steps (chunked, 1);
      recur_model_forward (model, chunked, 2, input, FALSE, NULL, out);
      recur_model_zero_grads (model);
      recur_model_backward (model, chunked, d_out, 2);
      for (gsize i = 0; i < recur_model_get_n_params (model); i++)
        g_assert_cmpfloat_with_epsilon (recur_model_get_grads (model)[i], truncated[i],
                                        1e-6 * (1.0 + fabs (truncated[i])));
    }
}

int
main (int    argc,
      char **argv)
{
  static const RecurCellKind cells[] = { RECUR_CELL_RNN_TANH, RECUR_CELL_RNN_RELU,
                                         RECUR_CELL_LSTM, RECUR_CELL_GRU };
  static Case cases[96];
  guint n = 0;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  for (guint ci = 0; ci < G_N_ELEMENTS (cells); ci++)
    for (guint layers = 1; layers <= 2; layers++)
      for (guint bidir = 0; bidir <= 1; bidir++)
        {
          Case *c = &cases[n++];
          g_autofree char *path = NULL;
          *c = (Case) { .cell = cells[ci], .layers = layers, .bidirectional = bidir,
                        .bias = TRUE, .strategy = RECUR_STRATEGY_DIRECT,
                        .loss = RECUR_LOSS_MSE };
          path = g_strdup_printf ("/engine/gradcheck/%s/layers-%u/%s",
                                  recur_cell_to_string (cells[ci]), layers,
                                  bidir ? "bidirectional" : "unidirectional");
          g_test_add_data_func (path, c, test_case);
        }
  for (guint ci = 0; ci < G_N_ELEMENTS (cells); ci++)
    {
      Case *c = &cases[n++];
      g_autofree char *path = g_strdup_printf ("/engine/gradcheck/%s/no-bias-recursive-head",
                                               recur_cell_to_string (cells[ci]));
      *c = (Case) { .cell = cells[ci], .layers = 2, .bidirectional = TRUE, .bias = FALSE,
                    .strategy = RECUR_STRATEGY_RECURSIVE, .loss = RECUR_LOSS_MSE };
      g_test_add_data_func (path, c, test_case);
    }
  /* the backward pass in chunks of time steps, one and three (which does not divide 7), with
   * every gate kept and with the gates recomputed per chunk; ReLU runs the same code, but a
   * window of 7 puts a unit at a kink the finite difference straddles */
  for (guint ci = 0; ci < G_N_ELEMENTS (cells); ci++)
    for (guint chunk = 1; chunk <= 3 && cells[ci] != RECUR_CELL_RNN_RELU; chunk += 2)
      for (guint lean = 0; lean <= 1; lean++)
        {
          Case *c = &cases[n++];
          g_autofree char *path = g_strdup_printf ("/engine/gradcheck/%s/chunks-of-%u%s",
                                                   recur_cell_to_string (cells[ci]), chunk,
                                                   lean ? "/recomputed" : "");
          *c = (Case) { .cell = cells[ci], .layers = 2, .bidirectional = TRUE, .bias = TRUE,
                        .strategy = RECUR_STRATEGY_DIRECT, .loss = RECUR_LOSS_MSE, .window = 7,
                        .chunk_steps = chunk, .lean = lean };
          g_test_add_data_func (path, c, test_case);
        }
  cases[n] = (Case) { .cell = RECUR_CELL_LSTM, .layers = 1, .bias = TRUE, .loss = RECUR_LOSS_MAE };
  g_test_add_data_func ("/engine/gradcheck/loss/mae", &cases[n++], test_case);
  cases[n] = (Case) { .cell = RECUR_CELL_GRU, .layers = 1, .bias = TRUE, .loss = RECUR_LOSS_HUBER };
  g_test_add_data_func ("/engine/gradcheck/loss/huber", &cases[n++], test_case);
  cases[n] = (Case) { .cell = RECUR_CELL_LSTM, .layers = 3, .bidirectional = TRUE, .bias = TRUE,
                      .loss = RECUR_LOSS_MSE, .dropout = 0.4f };
  g_test_add_data_func ("/engine/gradcheck/dropout-between-layers", &cases[n++], test_case);
  for (guint fb = 0; fb <= 1; fb++)
    {
      const char *mode = recur_jordan_feedback_to_string (fb);
      g_autofree char *path = g_strdup_printf ("/engine/gradcheck/jordan/%s", mode);
      g_autofree char *path2 = g_strdup_printf ("/engine/gradcheck/jordan/%s/two-inputs-no-bias", mode);
      g_autofree char *path3 = g_strdup_printf ("/engine/gradcheck/jordan/%s/recursive", mode);
      g_autofree char *path4 = g_strdup_printf ("/engine/gradcheck/jordan/%s/huber", mode);

      cases[n] = (Case) { .cell = RECUR_CELL_JORDAN, .layers = 1, .bias = TRUE,
                          .loss = RECUR_LOSS_MSE, .feedback = fb, .hidden = 4, .window = 6 };
      g_test_add_data_func (path, &cases[n++], test_case);
      cases[n] = (Case) { .cell = RECUR_CELL_JORDAN, .layers = 1, .bias = FALSE,
                          .strategy = RECUR_STRATEGY_DIRECT, .loss = RECUR_LOSS_MSE,
                          .feedback = fb, .input_size = 2 };
      g_test_add_data_func (path2, &cases[n++], test_case);
      cases[n] = (Case) { .cell = RECUR_CELL_JORDAN, .layers = 1, .bias = TRUE,
                          .strategy = RECUR_STRATEGY_RECURSIVE, .loss = RECUR_LOSS_MSE,
                          .feedback = fb, .window = 6 };
      g_test_add_data_func (path3, &cases[n++], test_case);
      cases[n] = (Case) { .cell = RECUR_CELL_JORDAN, .layers = 1, .bias = TRUE,
                          .loss = RECUR_LOSS_HUBER, .feedback = fb };
      g_test_add_data_func (path4, &cases[n++], test_case);
    }
  /* three blocks of two units; at t = 3 the period-3 block fires and the period-2 one does not */
  cases[n] = (Case) { .cell = RECUR_CELL_CLOCKWORK, .layers = 1, .bias = TRUE,
                      .loss = RECUR_LOSS_MSE, .hidden = 6, .window = 7, .n_periods = 3,
                      .periods = { 1, 2, 3 } };
  g_test_add_data_func ("/engine/gradcheck/clockwork/periods-1-2-3", &cases[n++], test_case);
  cases[n] = (Case) { .cell = RECUR_CELL_CLOCKWORK, .layers = 1, .bias = TRUE,
                      .loss = RECUR_LOSS_MSE, .hidden = 8, .window = 9, .n_periods = 4,
                      .periods = { 1, 2, 4, 8 } };
  g_test_add_data_func ("/engine/gradcheck/clockwork/periods-1-2-4-8", &cases[n++], test_case);
  cases[n] = (Case) { .cell = RECUR_CELL_CLOCKWORK, .layers = 1, .bias = FALSE,
                      .loss = RECUR_LOSS_MSE, .hidden = 4, .window = 7, .n_periods = 2,
                      .periods = { 2, 3 }, .input_size = 2 };
  g_test_add_data_func ("/engine/gradcheck/clockwork/two-inputs-no-bias",
                        &cases[n++], test_case);
  cases[n] = (Case) { .cell = RECUR_CELL_ESN, .layers = 1, .bias = TRUE, .loss = RECUR_LOSS_MSE,
                      .hidden = 6 };
  g_test_add_data_func ("/engine/gradcheck/esn/readout-only", &cases[n++], test_case);
  cases[n] = (Case) { .cell = RECUR_CELL_ESN, .layers = 1, .bias = FALSE, .loss = RECUR_LOSS_MSE,
                      .hidden = 6 };
  g_test_add_data_func ("/engine/gradcheck/esn/no-bias", &cases[n++], test_case);
  /* windows of one step: nothing recurs, Jordan has no one-step loss to add */
  for (guint fb = 0; fb <= 1; fb++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/gradcheck/jordan/%s/window-of-one",
                                               recur_jordan_feedback_to_string (fb));
      cases[n] = (Case) { .cell = RECUR_CELL_JORDAN, .layers = 1, .bias = TRUE,
                          .loss = RECUR_LOSS_MSE, .feedback = fb, .window = 1 };
      g_test_add_data_func (path, &cases[n++], test_case);
    }
  cases[n] = (Case) { .cell = RECUR_CELL_CLOCKWORK, .layers = 1, .bias = TRUE,
                      .loss = RECUR_LOSS_MSE, .hidden = 4, .window = 1, .n_periods = 2,
                      .periods = { 1, 2 } };
  g_test_add_data_func ("/engine/gradcheck/clockwork/window-of-one", &cases[n++], test_case);
  /* GRU's recomputed recurrent gates without b_hh */
  cases[n] = (Case) { .cell = RECUR_CELL_GRU, .layers = 2, .bidirectional = TRUE, .bias = FALSE,
                      .loss = RECUR_LOSS_MSE, .window = 7, .chunk_steps = 3, .lean = TRUE };
  g_test_add_data_func ("/engine/gradcheck/gru/chunks-of-3/recomputed/no-bias", &cases[n++],
                        test_case);
  g_test_add_data_func ("/engine/bptt/truncation-at-window-is-full",
                        GUINT_TO_POINTER (RECUR_CELL_GRU), test_truncation_at_window_is_full_bptt);
  g_test_add_data_func ("/engine/bptt/truncation-at-window-is-full/jordan",
                        GUINT_TO_POINTER (RECUR_CELL_JORDAN),
                        test_truncation_at_window_is_full_bptt);
  g_test_add_data_func ("/engine/bptt/truncation-at-window-is-full/clockwork",
                        GUINT_TO_POINTER (RECUR_CELL_CLOCKWORK),
                        test_truncation_at_window_is_full_bptt);
  return g_test_run ();
}
