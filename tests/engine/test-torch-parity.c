/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Recur against PyTorch: fixtures made by tests/make-torch-fixtures.py (committed). Forward
 * outputs, h_n, c_n, loss, every gradient, and the weights after 3 steps of each optimiser
 * agree to 1e-5 relative; weights files cross between the two in both directions. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "recur-forecast.h"
#include "recur-model-io.h"
#include "recur-model.h"
#include "recur-optimizer.h"
#include "recur-safetensors.h"
#include "recur-series.h"

#define RTOL 1e-5

/* |got − want| ≤ RTOL · (|want| + ‖want‖∞): relative to the value, with the tensor's own
 * scale as the floor so values that cancel to ~0 are judged against their tensor. */
static void
assert_close (const char  *what,
              const float *got,
              const float *want,
              gsize        n)
{
  double scale = 0.0, worst = 0.0;

  for (gsize i = 0; i < n; i++)
    scale = MAX (scale, fabs (want[i]));
  for (gsize i = 0; i < n; i++)
    {
      double err = fabs ((double) got[i] - want[i]) / (fabs (want[i]) + scale + 1e-30);
      worst = MAX (worst, err);
      if (err > RTOL)
        g_error ("%s[%" G_GSIZE_FORMAT "]: recur %.9g, torch %.9g (relative error %.3g)", what,
                 i, (double) got[i], (double) want[i], err);
    }
  g_test_message ("%-28s worst relative error %.2e", what, worst);
}

static const float *
fixture_tensor (RecurSafetensors *st,
                const char       *name,
                gsize            *count)
{
  guint n_dims;
  const guint64 *shape;
  const float *data = recur_safetensors_get (st, name, &n_dims, &shape);

  if (data == NULL)
    g_error ("fixture has no tensor “%s”", name);
  *count = 1;
  for (guint k = 0; k < n_dims; k++)
    *count *= shape[k];
  return data;
}

static guint
meta_uint (RecurSafetensors *st,
           const char       *key)
{
  const char *v = recur_safetensors_get_metadata (st, key);
  g_assert_nonnull (v);
  return (guint) g_ascii_strtoull (v, NULL, 10);
}

static gboolean
meta_bool (RecurSafetensors *st,
           const char       *key)
{
  return g_strcmp0 (recur_safetensors_get_metadata (st, key), "true") == 0;
}

/* Loads params with the given prefix ("" for the initial weights, "adam3." …) into buf. */
static void
gather_params (RecurModel       *model,
               RecurSafetensors *st,
               const char       *prefix,
               float            *buf)
{
  for (guint i = 0; i < recur_model_get_n_tensors (model); i++)
    {
      const RecurTensorInfo *t = recur_model_get_tensor (model, i);
      g_autofree char *name = g_strconcat (prefix, t->name, NULL);
      g_autoptr(GError) error = NULL;
      const float *data = recur_safetensors_get_checked (st, name, t->n_dims, t->shape, &error);
      g_assert_no_error (error);
      memcpy (buf + t->offset, data, t->count * sizeof (float));
    }
}

typedef struct
{
  RecurSafetensors *st;
  RecurModel *model;
  RecurWorkspace *ws;
  guint batch;
  gsize n_out;
  float *input;   /* time-major */
  const float *target;
  float *output;
  float *d_output;
} Parity;

static void
parity_load (Parity     *p,
             const char *name)
{
  g_autofree char *file = g_strconcat (name, ".safetensors", NULL);
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "torch", file, NULL);
  g_autoptr(GError) error = NULL;
  RecurModelSpec spec;
  const float *x;
  gsize count;
  guint T, I;

  p->st = recur_safetensors_load (path, &error);
  g_assert_no_error (error);
  recur_model_spec_init (&spec);
  g_assert_true (recur_cell_from_string (recur_safetensors_get_metadata (p->st, "fixture.cell"),
                                         &spec.cell));
  spec.hidden_size = meta_uint (p->st, "fixture.hidden_size");
  spec.num_layers = meta_uint (p->st, "fixture.num_layers");
  spec.bidirectional = meta_bool (p->st, "fixture.bidirectional");
  spec.bias = meta_bool (p->st, "fixture.bias");
  spec.window = T = meta_uint (p->st, "fixture.window");
  spec.horizon = meta_uint (p->st, "fixture.horizon");
  g_assert_true (recur_strategy_from_string (
    recur_safetensors_get_metadata (p->st, "fixture.strategy"), &spec.strategy));
  p->batch = meta_uint (p->st, "fixture.batch");
  /* the target and covariates; the first fixtures read one value per step */
  spec.input_size = recur_safetensors_get_metadata (p->st, "fixture.input_size")
                      ? meta_uint (p->st, "fixture.input_size") : 1;
  I = spec.input_size;

  p->model = recur_model_new (&spec, &error);
  g_assert_no_error (error);
  gather_params (p->model, p->st, "", recur_model_get_params (p->model));
  p->ws = recur_workspace_new (p->model, p->batch);

  /* batch-first [B][T][I] to time-major [T][B][I] */
  x = fixture_tensor (p->st, "input", &count);
  g_assert_cmpuint (count, ==, (gsize) p->batch * T * I);
  p->input = g_new (float, count);
  for (guint b = 0; b < p->batch; b++)
    for (guint t = 0; t < T; t++)
      for (guint i = 0; i < I; i++)
        p->input[((gsize) t * p->batch + b) * I + i] = x[((gsize) b * T + t) * I + i];
  p->target = fixture_tensor (p->st, "target", &p->n_out);
  p->output = g_new (float, p->n_out);
  p->d_output = g_new (float, p->n_out);
}

static void
parity_clear (Parity *p)
{
  recur_safetensors_free (p->st);
  recur_workspace_free (p->ws);
  recur_model_free (p->model);
  g_free (p->input);
  g_free (p->output);
  g_free (p->d_output);
}

/* forward + MSE + backward at the model's current weights; returns the loss */
static double
parity_gradients (Parity *p)
{
  double loss;

  recur_model_forward (p->model, p->ws, p->batch, p->input, FALSE, NULL, p->output);
  loss = recur_loss (RECUR_LOSS_MSE, p->output, p->target, p->n_out, p->d_output);
  recur_model_zero_grads (p->model);
  recur_model_backward (p->model, p->ws, p->d_output, 0);
  return loss;
}

static void
check_forward (Parity *p)
{
  const RecurModelSpec *s = recur_model_get_spec (p->model);
  guint T = s->window, H = s->hidden_size, B = p->batch, D = s->bidirectional ? 2 : 1;
  guint top = s->num_layers - 1;
  gsize count;
  const float *want_out = fixture_tensor (p->st, "output", &count);
  const float *y = recur_workspace_get_layer_output (p->ws, top);
  g_autofree float *got = g_new (float, count);
  g_autofree float *state = g_new (float, (gsize) B * H);
  const float *want_hn, *want_cn = NULL;
  float loss;

  /* output: torch [B][T][D·H], recur time-major [T][B][D·H] */
  for (guint b = 0; b < B; b++)
    for (guint t = 0; t < T; t++)
      memcpy (got + ((gsize) b * T + t) * D * H, y + ((gsize) t * B + b) * D * H,
              D * H * sizeof (float));
  assert_close ("output", got, want_out, count);
  want_out = fixture_tensor (p->st, "prediction", &count);
  g_assert_cmpuint (count, ==, p->n_out);
  assert_close ("prediction", p->output, want_out, count);

  want_hn = fixture_tensor (p->st, "h_n", &count);
  if (s->cell == RECUR_CELL_LSTM)
    want_cn = fixture_tensor (p->st, "c_n", &count);
  for (guint l = 0; l < s->num_layers; l++)
    for (guint d = 0; d < D; d++)
      {
        gsize at = (gsize) (l * D + d) * B * H;
        recur_workspace_get_h_n (p->ws, l, d, state);
        assert_close ("h_n", state, want_hn + at, (gsize) B * H);
        if (want_cn)
          {
            recur_workspace_get_c_n (p->ws, l, d, state);
            assert_close ("c_n", state, want_cn + at, (gsize) B * H);
          }
      }
  loss = (float) recur_loss (RECUR_LOSS_MSE, p->output, p->target, p->n_out, NULL);
  assert_close ("loss", &loss, fixture_tensor (p->st, "loss", &count), 1);
  g_assert_cmpuint (count, ==, 1);
}

static void
check_gradients (Parity *p)
{
  const float *grads = recur_model_get_grads (p->model);

  for (guint i = 0; i < recur_model_get_n_tensors (p->model); i++)
    {
      const RecurTensorInfo *t = recur_model_get_tensor (p->model, i);
      g_autofree char *name = g_strconcat ("grad.", t->name, NULL);
      gsize count;
      const float *want = fixture_tensor (p->st, name, &count);
      g_assert_cmpuint (count, ==, t->count);
      assert_close (name, grads + t->offset, want, count);
    }
}

static void
check_optimizer (Parity             *p,
                 const char         *prefix,
                 RecurOptimizerKind  kind,
                 double              lr,
                 double              momentum,
                 gboolean            nesterov)
{
  RecurOptimizerSpec spec;
  g_autoptr(RecurOptimizer) opt = NULL;
  gsize n = recur_model_get_n_params (p->model);
  g_autofree float *want = g_new (float, n);
  g_autofree char *dot = g_strconcat (prefix, ".", NULL);

  gather_params (p->model, p->st, "", recur_model_get_params (p->model));
  recur_optimizer_spec_init (&spec, kind, lr);
  spec.momentum = momentum;
  spec.nesterov = nesterov;
  opt = recur_optimizer_new (&spec, n);
  for (int step = 0; step < 3; step++)
    {
      parity_gradients (p);
      recur_optimizer_step (opt, recur_model_get_params (p->model), recur_model_get_grads (p->model),
                            lr);
    }
  gather_params (p->model, p->st, dot, want);
  assert_close (prefix, recur_model_get_params (p->model), want, n);
}

static void
test_parity (gconstpointer data)
{
  Parity p = { 0 };

  parity_load (&p, data);
  parity_gradients (&p);
  check_forward (&p);
  check_gradients (&p);
  check_optimizer (&p, "adam3", RECUR_OPTIMIZER_ADAM, 1e-2, 0.0, FALSE);
  check_optimizer (&p, "adamw3", RECUR_OPTIMIZER_ADAMW, 1e-2, 0.0, FALSE);
  check_optimizer (&p, "sgd3", RECUR_OPTIMIZER_SGD, 1e-2, 0.9, TRUE);
  check_optimizer (&p, "rmsprop3", RECUR_OPTIMIZER_RMSPROP, 1e-3, 0.5, FALSE);
  parity_clear (&p);
}

/* A weights file and the forecast PyTorch made from it on a bundled series. */
static void
test_forecast_matches_torch (gconstpointer data)
{
  const char *name = data;
  g_autofree char *weights_file = g_strconcat (name, ".safetensors", NULL);
  g_autofree char *json_file = g_strconcat (name, ".json", NULL);
  g_autofree char *weights = g_test_build_filename (G_TEST_DIST, "fixtures", "torch", weights_file, NULL);
  g_autofree char *expected = g_test_build_filename (G_TEST_DIST, "fixtures", "torch", json_file, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurModel) model = NULL;
  g_autoptr(RecurSeries) series = NULL;
  g_autofree char *csv = NULL;
  g_autofree double *values = NULL;
  g_autofree double *forecast = NULL;
  g_autofree float *got = NULL;
  g_autofree float *want = NULL;
  RecurModelInfo info = { 0 };
  JsonObject *root;
  JsonArray *array;
  guint column, n;

  if (!g_file_test (weights, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("fixture not generated (tests/make-torch-fixtures.py --recur …)");
      return;
    }
  json_parser_load_from_file (parser, expected, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  array = json_object_get_array_member (root, "forecast");

  model = recur_model_load (weights, &info, &error);
  g_assert_no_error (error);
  csv = g_test_build_filename (G_TEST_DIST, "..", "data",
                               json_object_get_string_member (root, "csv"), NULL);
  series = recur_series_load_csv (csv, &error);
  g_assert_no_error (error);
  g_assert_true (recur_series_find_column (series, info.column, &column, &error));
  values = recur_series_fill_missing (series, column, RECUR_MISSING_REFUSE, &error);
  g_assert_no_error (error);
  n = recur_series_get_n_rows (series);

  forecast = g_new (double, json_array_get_length (array));
  g_assert_true (recur_forecast (model, &info.transform, values, n, NULL, json_array_get_length (array),
                                 forecast, &error));
  g_assert_no_error (error);
  got = g_new (float, json_array_get_length (array));
  want = g_new (float, json_array_get_length (array));
  for (guint h = 0; h < json_array_get_length (array); h++)
    {
      got[h] = (float) forecast[h];
      want[h] = (float) json_array_get_double_element (array, h);
    }
  assert_close ("forecast", got, want, json_array_get_length (array));
  recur_model_info_clear (&info);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *list_path = NULL;
  g_autofree char *list = NULL;
  g_auto(GStrv) names = NULL;
  g_autoptr(GError) error = NULL;

  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  list_path = g_test_build_filename (G_TEST_DIST, "fixtures", "torch", "cases.txt", NULL);
  if (!g_file_get_contents (list_path, &list, NULL, &error))
    g_error ("%s", error->message);
  names = g_strsplit (g_strstrip (list), "\n", -1);
  for (guint i = 0; names[i]; i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine/torch-parity/%s", names[i]);
      g_test_add_data_func (path, names[i], test_parity);
    }
  g_test_add_data_func ("/engine/torch-parity/weights-from-torch/lstm-direct",
                        "torch_written_lstm", test_forecast_matches_torch);
  g_test_add_data_func ("/engine/torch-parity/weights-from-torch/gru-recursive",
                        "torch_written_gru", test_forecast_matches_torch);
  g_test_add_data_func ("/engine/torch-parity/weights-to-torch/gru-bidirectional",
                        "recur_written", test_forecast_matches_torch);
  return g_test_run ();
}
