/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The echo state network: its reservoir has exactly the spectral radius asked for, it forgets
 * its initial state within the washout, its readout is the closed-form ridge solution, the
 * trainer fits it in one shot, and it goes through the weights file. Every reference here is
 * computed independently of the engine's own solver. */
#include "config.h"

#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-model.h"
#include "recur-run.h"
#include "recur-safetensors.h"
#include "recur-trainer.h"
#include "../test-tmp.h"

static RecurModel *
make_esn (const RecurModelSpec *spec,
          guint64               seed)
{
  g_autoptr(GError) error = NULL;
  RecurModel *model = recur_model_new (spec, &error);
  RecurRng rng;

  g_assert_no_error (error);
  recur_rng_init (&rng, seed);
  recur_model_init_weights (model, &rng);
  return model;
}

/* max |λ| of the reservoir, from LAPACK's dgeev on a double copy */
static double
reservoir_radius (const RecurModel *model)
{
  const RecurTensorInfo *t = recur_model_find_tensor (model, "esn.weight");
  guint n = (guint) t->shape[0];
  g_autofree double *a = g_new (double, (gsize) n * n);
  g_autofree double *wr = g_new (double, n);
  g_autofree double *wi = g_new (double, n);
  double radius = 0.0;

  for (gsize i = 0; i < (gsize) n * n; i++)
    a[i] = recur_model_peek_params (model)[t->offset + i];
  g_assert_cmpint (LAPACKE_dgeev (LAPACK_ROW_MAJOR, 'N', 'N', (int) n, a, (int) n, wr, wi,
                                  NULL, 1, NULL, 1), ==, 0);
  for (guint i = 0; i < n; i++)
    radius = MAX (radius, hypot (wr[i], wi[i]));
  return radius;
}

static void
test_spectral_radius_is_exact (void)
{
  static const struct { guint n; float rho, c; } cases[] = {
    { 100, 0.9f, 0.1f }, { 60, 1.25f, 0.05f }, { 30, 0.5f, 1.0f }, { 3, 0.8f, 0.2f },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      RecurModelSpec spec;
      g_autoptr(RecurModel) m = NULL;
      const RecurTensorInfo *t;
      gsize nonzero = 0;

      recur_model_spec_init_for_cell (&spec, RECUR_CELL_ESN);
      spec.hidden_size = cases[i].n;
      spec.esn.spectral_radius = cases[i].rho;
      spec.esn.connectivity = cases[i].c;
      m = make_esn (&spec, 100 + i);
      g_test_message ("N %u, ρ %g: radius %.7f", cases[i].n, cases[i].rho, reservoir_radius (m));
      g_assert_cmpfloat_with_epsilon (reservoir_radius (m), cases[i].rho, 1e-3);
      t = recur_model_find_tensor (m, "esn.weight");
      for (gsize k = 0; k < t->count; k++)
        nonzero += recur_model_peek_params (m)[t->offset + k] != 0.0f;
      if (cases[i].n >= 30)
        {
          /* sparse as asked: within a few standard deviations of c·N² */
          double mean = cases[i].c * t->count;
          double sd = sqrt (t->count * cases[i].c * (1 - cases[i].c)) + 1;
          g_assert_cmpfloat (fabs ((double) nonzero - mean), <, 5 * sd);
        }
    }
}

/* The final state of a window, from a zero start, batch of one. */
static void
final_state (const RecurModel *m,
             const float      *x,
             float            *h)
{
  g_autoptr(RecurWorkspace) ws = recur_workspace_new (m, 1);
  g_autofree float *out = g_new (float, recur_model_spec_output_size (recur_model_get_spec (m)));

  recur_model_forward (m, ws, 1, x, FALSE, NULL, out);
  recur_workspace_get_h_n (ws, 0, 0, h);
}

static double
max_abs_diff (const float *a,
              const float *b,
              guint        n)
{
  double d = 0.0;

  for (guint i = 0; i < n; i++)
    d = MAX (d, fabs ((double) a[i] - b[i]));
  return d;
}

/* Two different initial states — reached by reading two different prefixes, and the zero
 * state — end within a small distance of each other after `washout` steps of the same input.
 * With the default reservoir (ρ = 0.9) and the default washout. */
static void
test_forgets_initial_state_within_washout (void)
{
  RecurModelSpec spec, long_spec, probe_spec;
  const guint prefix = 20;
  g_autoptr(RecurModel) short_m = NULL;
  g_autoptr(RecurModel) long_m = NULL;
  g_autoptr(RecurModel) probe = NULL;
  g_autofree float *a = NULL, *b = NULL, *ha = NULL, *hb = NULL, *hz = NULL;
  guint w, N;
  double before;
  RecurRng rng;

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_ESN);
  w = spec.esn.washout;
  N = spec.hidden_size;
  g_assert_cmpfloat (spec.esn.spectral_radius, <, 1.0f);
  spec.window = w;
  short_m = make_esn (&spec, 5);
  long_spec = spec;
  long_spec.window = prefix + w;
  long_m = recur_model_new (&long_spec, NULL);
  recur_model_copy_params (long_m, short_m);

  a = g_new (float, prefix + w);
  b = g_new (float, prefix + w);
  ha = g_new (float, N);
  hb = g_new (float, N);
  hz = g_new (float, N);
  recur_rng_init (&rng, 77);
  for (guint t = 0; t < prefix + w; t++)
    {
      a[t] = (float) (2.0 * recur_rng_normal (&rng));
      b[t] = t < prefix ? (float) (-2.0 * recur_rng_normal (&rng)) : a[t];
    }

  /* the states the washout starts from really differ */
  probe_spec = spec;
  probe_spec.window = prefix;
  probe_spec.esn.washout = 0;
  probe = recur_model_new (&probe_spec, NULL);
  recur_model_copy_params (probe, short_m);
  final_state (probe, a, ha);
  final_state (probe, b, hb);
  memset (hz, 0, N * sizeof (float));
  before = MAX (max_abs_diff (ha, hb, N), max_abs_diff (ha, hz, N));
  g_test_message ("distance before the washout: %.3g (prefixes), %.3g (zero start)",
                  max_abs_diff (ha, hb, N), max_abs_diff (ha, hz, N));
  g_assert_cmpfloat (max_abs_diff (ha, hb, N), >, 0.01);

  /* and after it they agree, with each other and with the zero start: the default reservoir
   * (near-linear, ρ = 0.5, α = 0.6) contracts by at most 0.7 a step, 0.7¹² ≈ 1.4 % */
  final_state (long_m, a, ha);
  final_state (long_m, b, hb);
  final_state (short_m, a + prefix, hz);
  g_test_message ("distance after %u washout steps: %.3g (prefixes), %.3g (zero start)", w,
                  max_abs_diff (ha, hb, N), max_abs_diff (ha, hz, N));
  g_assert_cmpfloat (max_abs_diff (ha, hb, N), <, 2e-2 * before);
  g_assert_cmpfloat (max_abs_diff (ha, hz, N), <, 2e-2 * before);
}

static void
test_washout_longer_than_window_is_an_error (void)
{
  RecurModelSpec spec;
  g_autoptr(GError) error = NULL;

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_ESN);
  spec.window = 10;
  spec.esn.washout = 11;
  g_assert_null (recur_model_new (&spec, &error));
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "washout (11 steps)"));
  g_assert_nonnull (strstr (error->message, "window (10 steps)"));
  spec.esn.washout = 10;
  g_assert_true (recur_model_spec_validate (&spec, NULL));
}

static RecurDataset *
make_dataset_split (guint  window,
                    guint  horizon,
                    guint  n,
                    double val_fraction)
{
  RecurSplitSpec split = { .window = window, .horizon = horizon, .output_size = horizon,
                           .val_fraction = val_fraction, .transform.scaler = RECUR_SCALER_ZSCORE };
  g_autofree double *v = g_new (double, n);
  g_autoptr(GError) error = NULL;
  RecurDataset *data;
  RecurRng rng;

  recur_rng_init (&rng, 3);
  for (guint i = 0; i < n; i++)
    v[i] = 10 + 3 * sin (i / 5.0) + sin (i / 13.0) + 0.2 * recur_rng_normal (&rng);
  data = recur_dataset_new (v, n, &split, "sine", &error);
  g_assert_no_error (error);
  return data;
}

static RecurDataset *
make_dataset (guint window,
              guint horizon,
              guint n)
{
  return make_dataset_split (window, horizon, n, 0.1);
}

/* x = a⁻¹ b by Gaussian elimination with partial pivoting; a n×n, b n×m, both row-major. */
static void
gauss_solve (double *a,
             double *b,
             guint   n,
             guint   m)
{
  for (guint c = 0; c < n; c++)
    {
      guint p = c;
      for (guint r = c + 1; r < n; r++)
        if (fabs (a[r * n + c]) > fabs (a[p * n + c]))
          p = r;
      for (guint k = 0; k < n; k++)
        {
          double t = a[c * n + k]; a[c * n + k] = a[p * n + k]; a[p * n + k] = t;
        }
      for (guint k = 0; k < m; k++)
        {
          double t = b[c * m + k]; b[c * m + k] = b[p * m + k]; b[p * m + k] = t;
        }
      for (guint r = 0; r < n; r++)
        {
          double f;
          if (r == c)
            continue;
          f = a[r * n + c] / a[c * n + c];
          for (guint k = c; k < n; k++)
            a[r * n + k] -= f * a[c * n + k];
          for (guint k = 0; k < m; k++)
            b[r * m + k] -= f * b[c * m + k];
        }
    }
  for (guint r = 0; r < n; r++)
    for (guint k = 0; k < m; k++)
      b[r * m + k] /= a[r * n + r];
}

static void
count_progress (const RecurProgress *p,
                gpointer             user_data)
{
  guint *calls = user_data;

  g_assert_cmpuint (p->epoch, ==, 1);
  g_assert_cmpuint (p->epochs, ==, 1);
  g_assert_true (isfinite (p->train_loss) && isfinite (p->val_loss));
  g_assert_nonnull (p->grad_flow);
  (*calls)++;
}

/* The trainer fits the readout in one shot, and it is the ridge solution of the normal
 * equations built here from the model's own features: [h_T, 1] of every training window. */
static void
test_readout_is_the_ridge_solution (void)
{
  const guint N = 24, T = 16, O = 4, P = N + 1;
  const double lambda = 1e-3;
  g_autoptr(RecurDataset) data = make_dataset (T, O, 400);
  RecurModelSpec spec;
  RecurTrainSpec tspec;
  g_autoptr(RecurModel) m = NULL;
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree double *A = g_new0 (double, P * P);
  g_autofree double *C = g_new0 (double, P * O);
  const RecurTrainSummary *summary;
  const float *head_w, *head_b;
  float x[16], y[4], h[24];
  guint n, calls = 0;
  double worst = 0.0;

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_ESN);
  spec.hidden_size = N;
  spec.window = T;
  spec.horizon = O;
  spec.esn.washout = 8;
  spec.esn.ridge = lambda;
  m = make_esn (&spec, 12);
  recur_train_spec_init (&tspec);
  trainer = recur_trainer_new (m, data, &tspec, &error);
  g_assert_no_error (error);
  g_assert_true (recur_trainer_run (trainer, NULL, count_progress, &calls, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (calls, ==, 1);
  summary = recur_trainer_get_summary (trainer);
  g_assert_cmpuint (summary->epochs_run, ==, 1);
  g_assert_cmpuint (summary->best_epoch, ==, 1);
  g_assert_cmpfloat (summary->val_loss, ==, recur_trainer_evaluate_validation (trainer));
  g_assert_cmpuint (recur_model_get_n_trainable_params (m), ==, O * N + O);
  g_assert_cmpuint (recur_model_get_n_params (m), ==, N + N * N + N + O * N + O);

  n = recur_dataset_get_n_train_windows (data);
  for (guint i = 0; i < n; i++)
    {
      guint start = recur_dataset_train_window_start (data, i);
      double f[25];
      recur_dataset_gather (data, &start, 1, x, y);
      final_state (m, x, h);
      for (guint j = 0; j < N; j++)
        f[j] = h[j];
      f[N] = 1.0;
      for (guint r = 0; r < P; r++)
        {
          for (guint c = 0; c < P; c++)
            A[r * P + c] += f[r] * f[c];
          for (guint o = 0; o < O; o++)
            C[r * O + o] += f[r] * y[o];
        }
    }
  for (guint j = 0; j < N; j++)
    A[j * P + j] += lambda; /* the bias is not penalised */
  gauss_solve (A, C, P, O);

  head_w = recur_model_peek_params (m) + recur_model_find_tensor (m, "head.weight")->offset;
  head_b = recur_model_peek_params (m) + recur_model_find_tensor (m, "head.bias")->offset;
  for (guint o = 0; o < O; o++)
    {
      for (guint j = 0; j < N; j++)
        worst = MAX (worst, fabs (head_w[o * N + j] - C[j * O + o]) / MAX (1.0, fabs (C[j * O + o])));
      worst = MAX (worst, fabs (head_b[o] - C[N * O + o]) / MAX (1.0, fabs (C[N * O + o])));
    }
  g_test_message ("readout against the closed form: worst difference %.3g", worst);
  g_assert_cmpfloat (worst, <, 1e-4);
}

/* Every hyperparameter goes into the metadata, the reservoir and readout into tensors; the
 * loaded model is the same model. */
static void
test_weights_round_trip (void)
{
  RecurModelSpec spec;
  g_autoptr(RecurModel) m = NULL;
  g_autoptr(RecurModel) back = NULL;
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_temp_dir ("recur-esn-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "esn.safetensors", NULL);
  RecurModelInfo info = { .transform.scaler = { RECUR_SCALER_ZSCORE, 1.0, 2.0 } };
  const RecurModelSpec *b;
  static const char *const fixed[] = { "esn.weight_in", "esn.weight", "esn.bias" };

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_ESN);
  spec.hidden_size = 40;
  spec.esn.connectivity = 0.25f;
  spec.esn.spectral_radius = 0.7f;
  spec.esn.input_scaling = 0.5f;
  spec.esn.leak = 0.6f;
  spec.esn.washout = 9;
  spec.esn.ridge = 0.125;
  m = make_esn (&spec, 4);
  for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
    g_assert_true (recur_model_find_tensor (m, fixed[i])->fixed);
  g_assert_false (recur_model_find_tensor (m, "head.weight")->fixed);

  g_assert_true (recur_model_save (m, &info, path, &error));
  g_assert_no_error (error);
  st = recur_safetensors_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.cell"), ==, "esn");
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.hidden_size"), ==, "40");
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.connectivity"), ==, "0.25");
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.washout"), ==, "9");
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.ridge"), ==, "0.125");
  back = recur_model_load (path, NULL, &error);
  g_assert_no_error (error);
  b = recur_model_get_spec (back);
  g_assert_cmpint (b->cell, ==, RECUR_CELL_ESN);
  g_assert_cmpuint (b->hidden_size, ==, 40);
  g_assert_cmpfloat (b->esn.connectivity, ==, 0.25f);
  g_assert_cmpfloat (b->esn.spectral_radius, ==, 0.7f);
  g_assert_cmpfloat (b->esn.input_scaling, ==, 0.5f);
  g_assert_cmpfloat (b->esn.leak, ==, 0.6f);
  g_assert_cmpuint (b->esn.washout, ==, 9);
  g_assert_cmpfloat (b->esn.ridge, ==, 0.125);
  g_assert_cmpmem (recur_model_peek_params (m), recur_model_get_n_params (m) * sizeof (float),
                   recur_model_peek_params (back), recur_model_get_n_params (back) * sizeof (float));
  g_assert_cmpuint (recur_model_get_n_trainable_params (back), ==,
                    recur_model_get_n_trainable_params (m));
  g_assert_cmpfloat_with_epsilon (reservoir_radius (back), 0.7, 1e-3);
}

/* A reservoir drawn so sparse that every draw is all zeros (nilpotent, no radius to scale to)
 * falls back to ρ·I after its tries: exactly ρ on the diagonal, 0 elsewhere. */
static void
test_empty_reservoir_becomes_rho_identity (void)
{
  RecurModelSpec spec;
  g_autoptr(RecurModel) m = NULL;
  const RecurTensorInfo *t;
  const float *w;

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_ESN);
  spec.hidden_size = 6;
  spec.esn.connectivity = 1e-12f;
  spec.esn.spectral_radius = 0.75f;
  m = make_esn (&spec, 3);
  t = recur_model_find_tensor (m, "esn.weight");
  w = recur_model_peek_params (m) + t->offset;
  for (guint i = 0; i < 6; i++)
    for (guint j = 0; j < 6; j++)
      g_assert_cmpfloat (w[i * 6 + j], ==, i == j ? 0.75f : 0.0f);
  g_assert_cmpfloat_with_epsilon (reservoir_radius (m), 0.75, 1e-7);
}

/* Without a bias, a reservoir fed zeros stays exactly at zero; with one it does not. */
static void
test_no_bias_reservoir (void)
{
  RecurModelSpec spec;
  float x[24] = { 0 }, h[20];

  for (guint bias = 0; bias <= 1; bias++)
    {
      g_autoptr(RecurModel) m = NULL;
      double norm = 0.0;

      recur_model_spec_init_for_cell (&spec, RECUR_CELL_ESN);
      spec.hidden_size = 20;
      spec.bias = bias;
      m = make_esn (&spec, 8);
      g_assert_cmpint (recur_model_find_tensor (m, "esn.bias") != NULL, ==, bias);
      g_assert_cmpuint (recur_model_get_n_params (m), ==, 20 + 400 + (bias ? 20 : 0) + 12 * 20 + 12);
      final_state (m, x, h);
      for (guint j = 0; j < 20; j++)
        norm += fabs (h[j]);
      if (bias)
        g_assert_cmpfloat (norm, >, 0.0);
      else
        g_assert_cmpfloat (norm, ==, 0.0);
    }
}

/* A reservoir that does not respond to its input (input weights zeroed, no bias) gives every
 * window the same zero state: without a ridge the normal equations are singular, and the fit
 * says so, with the counts and the way out; the readout is left as it was. */
static void
test_singular_readout_is_an_error (void)
{
  g_autoptr(RecurDataset) data = make_dataset (16, 4, 200);
  RecurModelSpec spec;
  RecurTrainSpec tspec;
  g_autoptr(RecurModel) m = NULL;
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  g_autofree char *said = NULL;
  const RecurTensorInfo *w_in;

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_ESN);
  spec.hidden_size = 10;
  spec.window = 16;
  spec.horizon = 4;
  spec.bias = FALSE;
  spec.esn.ridge = 0.0;
  m = make_esn (&spec, 2);
  w_in = recur_model_find_tensor (m, "esn.weight_in");
  memset (recur_model_get_params (m) + w_in->offset, 0, w_in->count * sizeof (float));
  before = g_bytes_new (recur_model_peek_params (m), recur_model_get_n_params (m) * sizeof (float));
  recur_train_spec_init (&tspec);
  trainer = recur_trainer_new (m, data, &tspec, NULL);
  g_assert_false (recur_trainer_run (trainer, NULL, NULL, NULL, &error));
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_FIT_FAILED);
  said = g_strdup_printf ("singular (%u training windows for 10 reservoir units); use a ridge "
                          "above 0", recur_dataset_get_n_train_windows (data));
  g_assert_nonnull (strstr (error->message, "the echo state network's readout cannot be fitted"));
  g_assert_nonnull (strstr (error->message, said));
  g_assert_cmpmem (g_bytes_get_data (before, NULL), g_bytes_get_size (before),
                   recur_model_peek_params (m), g_bytes_get_size (before));
  g_assert_cmpuint (recur_trainer_get_summary (trainer)->epochs_run, ==, 0);
}

/* The one-shot fit checks the cancellable before it starts: cancelled, it fits nothing. Once
 * fitted there is nothing to resume, and without validation windows it is judged (and its best
 * loss is) its training loss. */
static void
test_one_shot_cancel_resume_and_no_validation (void)
{
  g_autoptr(RecurDataset) data = make_dataset_split (16, 4, 300, 0.0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  RecurModelSpec spec;
  RecurTrainSpec tspec;
  g_autoptr(RecurModel) m = NULL;
  g_autoptr(RecurTrainer) trainer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) before = NULL;
  const RecurTrainSummary *sum;

  recur_model_spec_init_for_cell (&spec, RECUR_CELL_ESN);
  spec.hidden_size = 20;
  spec.window = 16;
  spec.horizon = 4;
  spec.esn.washout = 8;
  m = make_esn (&spec, 6);
  before = g_bytes_new (recur_model_peek_params (m), recur_model_get_n_params (m) * sizeof (float));
  recur_train_spec_init (&tspec);
  trainer = recur_trainer_new (m, data, &tspec, NULL);

  g_cancellable_cancel (cancellable);
  g_assert_false (recur_trainer_run (trainer, cancellable, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpmem (g_bytes_get_data (before, NULL), g_bytes_get_size (before),
                   recur_model_peek_params (m), g_bytes_get_size (before));
  g_assert_cmpuint (recur_trainer_get_summary (trainer)->epochs_run, ==, 0);
  g_assert_false (recur_trainer_can_resume (trainer));

  g_assert_true (recur_trainer_run (trainer, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  sum = recur_trainer_get_summary (trainer);
  g_assert_cmpuint (sum->epochs_run, ==, 1);
  g_assert_cmpuint (sum->best_epoch, ==, 1);
  g_assert_true (isnan (sum->val_loss));
  g_assert_true (isfinite (sum->train_loss));
  g_assert_cmpfloat (sum->best_loss, ==, sum->train_loss);
  /* 200 epochs asked for, one taken: a one-shot fit is complete all the same */
  g_assert_false (recur_trainer_can_resume (trainer));
}

/* As the GUI runs it: on the worker pool, one epoch reported, the reservoir's states in the
 * snapshot, the test part scored. */
static void
test_run_is_one_epoch_with_snapshots (void)
{
  GString *csv = g_string_new ("t,y\n");
  g_autoptr(RecurSeries) series = NULL;
  g_autoptr(RecurRun) run = NULL;
  g_autoptr(GError) error = NULL;
  GThreadPool *pool = recur_run_pool_new (1);
  RecurJobConfig config;
  RecurStatesSnapshot *states;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  for (int i = 0; i < 300; i++)
    g_string_append_printf (csv, "%d,%.6f\n", i, sin (i / 4.0) + 0.3 * sin (i / 1.7));
  series = recur_series_load_csv_data (csv->str, csv->len, "sine.csv", &error);
  g_assert_no_error (error);
  g_string_free (csv, TRUE);
  recur_job_config_init (&config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_ESN);
  config.model.hidden_size = 30;
  config.model.window = 16;
  config.model.horizon = 4;
  run = recur_run_new ("esn", &config, series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  recur_run_start (run, pool);
  while (recur_run_is_active (run))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
  g_assert_cmpuint (recur_run_get_n_epochs (run), ==, 1);
  g_assert_cmpuint (recur_run_get_last_progress (run)->epochs, ==, 1);
  g_assert_true (isfinite (recur_run_get_val_loss (run)[0]));
  states = recur_run_get_states (run);
  g_assert_nonnull (states);
  g_assert_cmpuint (states->units, ==, 30);
  g_assert_nonnull (recur_states_snapshot_get (states, 0, RECUR_STATE_HIDDEN));
  g_assert_null (recur_states_snapshot_get (states, 0, RECUR_STATE_CELL));
  g_assert_nonnull (recur_run_get_predictions (run));
  g_assert_cmpfloat (recur_job_get_evaluation (recur_run_get_job (run))->model_metrics.mase, <,
                     recur_job_get_evaluation (recur_run_get_job (run))->naive_metrics.mase);
  recur_run_pool_free (pool);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/esn/spectral-radius-is-exact", test_spectral_radius_is_exact);
  g_test_add_func ("/engine/esn/forgets-initial-state-within-washout",
                   test_forgets_initial_state_within_washout);
  g_test_add_func ("/engine/esn/washout-longer-than-window-is-an-error",
                   test_washout_longer_than_window_is_an_error);
  g_test_add_func ("/engine/esn/readout-is-the-ridge-solution", test_readout_is_the_ridge_solution);
  g_test_add_func ("/engine/esn/empty-reservoir-becomes-rho-identity",
                   test_empty_reservoir_becomes_rho_identity);
  g_test_add_func ("/engine/esn/no-bias-reservoir", test_no_bias_reservoir);
  g_test_add_func ("/engine/esn/singular-readout-is-an-error", test_singular_readout_is_an_error);
  g_test_add_func ("/engine/esn/one-shot-cancel-resume-and-no-validation",
                   test_one_shot_cancel_resume_and_no_validation);
  g_test_add_func ("/engine/esn/weights-round-trip", test_weights_round_trip);
  g_test_add_func ("/engine/esn/run-is-one-epoch-with-snapshots",
                   test_run_is_one_epoch_with_snapshots);
  return g_test_run ();
}
