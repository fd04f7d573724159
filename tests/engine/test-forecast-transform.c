/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The target transforms through the forecast path (recur_forecast), exactly: a model whose head
 * is zero outputs exactly 0, so what comes out is the transform's own forecast. With the
 * differences and no scaler it is the naive forecast; with the window level at the last value,
 * the naive forecast again; with the seasonal difference, the seasonal naive one, its own
 * forecasts carried past the first season. With real weights, a window levelled at its last
 * value makes the forecast move with the series: forecast (x + c) = forecast (x) + c. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-data.h"
#include "recur-forecast.h"
#include "recur-model.h"
#include "recur-series.h"
#include "recur-transform.h"

#define SEASON 12
/* the transform is fitted on the first N_FIT rows; the forecast starts after N_HISTORY, and
 * the array handed to recur_forecast goes on past it (as recur_evaluate's does), so a
 * forecast that read a row past the history would be seen */
#define N_FIT 108
#define N_HISTORY 132

static const RecurCellKind cells[] = { RECUR_CELL_LSTM, RECUR_CELL_ESN, RECUR_CELL_JORDAN };

/* The monthly air passengers, 1949–1960 (144 values). */
static double *
load_air_passengers (guint *n)
{
  double *values = test_load_column ("air_passengers.csv", NULL, RECUR_MISSING_REFUSE, n);

  g_assert_cmpuint (*n, ==, 144);
  return values;
}

static void
zero_tensor (RecurModel *model,
             const char *name)
{
  const RecurTensorInfo *t = recur_model_find_tensor (model, name);

  g_assert_nonnull (t);
  memset (recur_model_get_params (model) + t->offset, 0, t->count * sizeof (float));
}

/* A model with random weights (the seed's), its head zeroed when asked. */
static RecurModel *
make_model (RecurCellKind cell,
            RecurStrategy strategy,
            guint         horizon,
            gboolean      zero_head,
            guint64       seed)
{
  g_autoptr(GError) error = NULL;
  RecurModelSpec spec;
  RecurModel *model;
  RecurRng rng;

  recur_model_spec_init_for_cell (&spec, cell);
  spec.hidden_size = 16;
  spec.window = 24;
  spec.horizon = horizon;
  spec.strategy = strategy;
  if (cell == RECUR_CELL_ESN)
    spec.esn.washout = MIN (spec.esn.washout, spec.window);
  model = recur_model_new (&spec, &error);
  g_assert_no_error (error);
  recur_rng_init (&rng, seed);
  recur_model_init_weights (model, &rng);
  if (zero_head)
    {
      zero_tensor (model, "head.weight");
      zero_tensor (model, "head.bias");
    }
  return model;
}

static RecurTransformSpec
plain_spec (void)
{
  RecurTransformSpec spec = { 0 };

  spec.box_cox = RECUR_BOX_COX_NONE;
  spec.scaler = RECUR_SCALER_NONE;
  spec.window_norm = RECUR_WINDOW_NORM_NONE;
  return spec;
}

static void
fit (RecurTransform           *transform,
     const RecurTransformSpec *spec,
     const double             *values)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (recur_transform_fit (transform, spec, values, N_FIT, SEASON,
                                      "air_passengers.csv", &error));
  g_assert_no_error (error);
}

static void
forecast (const RecurModel     *model,
          const RecurTransform *transform,
          const double         *history,
          guint                 steps,
          double               *out)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (recur_forecast (model, transform, history, N_HISTORY, NULL, steps, out, &error));
  g_assert_no_error (error);
}

/* A zero-headed model of every cell, direct (steps = horizon) and recursive (steps past it),
 * must give the last history value at every step. */
static void
check_naive (const RecurTransformSpec *tspec)
{
  g_autofree double *x = NULL;
  RecurTransform transform;
  guint n;

  x = load_air_passengers (&n);
  fit (&transform, tspec, x);
  for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
    for (RecurStrategy strategy = RECUR_STRATEGY_DIRECT; strategy <= RECUR_STRATEGY_RECURSIVE;
         strategy++)
      {
        guint steps = strategy == RECUR_STRATEGY_DIRECT ? 12 : 30;
        g_autoptr(RecurModel) model = make_model (cells[c], strategy, 12, TRUE, 7 + c);
        double out[30];

        forecast (model, &transform, x, steps, out);
        for (guint h = 0; h < steps; h++)
          {
            if (out[h] != x[N_HISTORY - 1])
              g_test_message ("cell %s, %s, step %u: %.17g, not %.17g",
                              recur_cell_to_string (cells[c]),
                              recur_strategy_to_string (strategy), h + 1, out[h],
                              x[N_HISTORY - 1]);
            g_assert_cmpfloat (out[h], ==, x[N_HISTORY - 1]);
          }
      }
}

static void
test_difference_gives_naive (void)
{
  RecurTransformSpec tspec = plain_spec ();

  tspec.difference = TRUE;
  check_naive (&tspec);
}

static void
test_last_level_gives_naive (void)
{
  RecurTransformSpec tspec = plain_spec ();

  tspec.window_norm = RECUR_WINDOW_NORM_LAST;
  check_naive (&tspec);
}

/* The seasonal difference: step h gives the value one season before it, which past the first
 * season is the forecast's own (the last season of history, repeated). h = 6 with a direct
 * model; h = 30 > horizon with a recursive one. */
static void
test_seasonal_difference_gives_seasonal_naive (void)
{
  static const struct { RecurStrategy strategy; guint horizon, steps; } cases[] = {
    { RECUR_STRATEGY_DIRECT, 6, 6 },
    { RECUR_STRATEGY_RECURSIVE, 6, 30 },
    { RECUR_STRATEGY_RECURSIVE, 1, 30 },
  };
  RecurTransformSpec tspec = plain_spec ();
  g_autofree double *x = NULL;
  RecurTransform transform;
  guint n;

  tspec.seasonal_difference = TRUE;
  x = load_air_passengers (&n);
  fit (&transform, &tspec, x);
  g_assert_cmpuint (transform.season, ==, SEASON);
  g_assert_cmpuint (transform.offset, ==, SEASON);
  for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(RecurModel) model = make_model (cells[c], cases[i].strategy, cases[i].horizon,
                                                  TRUE, 31 + c);
        double out[30];

        forecast (model, &transform, x, cases[i].steps, out);
        for (guint h = 0; h < cases[i].steps; h++)
          {
            /* the forecast's own value one season before, or history's */
            double before = h >= SEASON ? out[h - SEASON] : x[N_HISTORY - SEASON + h];

            g_assert_cmpfloat (out[h], ==, before);
            /* so it repeats the last season of history */
            g_assert_cmpfloat (out[h], ==, x[N_HISTORY - SEASON + h % SEASON]);
          }
      }
}

/* Non-zero weights: the window relative to its last value sees the same numbers for x and
 * x + c, so the forecast moves by c, c far outside anything the transform was fitted on. */
static void
test_last_level_is_shift_invariant (void)
{
  const double c = 1e6;
  RecurTransformSpec tspec = plain_spec ();
  g_autofree double *x = NULL;
  g_autofree double *shifted = NULL;
  RecurTransform transform;
  guint n;

  tspec.window_norm = RECUR_WINDOW_NORM_LAST;
  x = load_air_passengers (&n);
  fit (&transform, &tspec, x);
  shifted = g_new (double, n);
  for (guint i = 0; i < n; i++)
    shifted[i] = x[i] + c;
  for (guint k = 0; k < G_N_ELEMENTS (cells); k++)
    for (RecurStrategy strategy = RECUR_STRATEGY_DIRECT; strategy <= RECUR_STRATEGY_RECURSIVE;
         strategy++)
      {
        guint steps = strategy == RECUR_STRATEGY_DIRECT ? 12 : 30;
        g_autoptr(RecurModel) model = make_model (cells[k], strategy, 12, FALSE, 101 + k);
        double out[30], out_shifted[30];
        gboolean moved = FALSE;

        forecast (model, &transform, x, steps, out);
        forecast (model, &transform, shifted, steps, out_shifted);
        for (guint h = 0; h < steps; h++)
          {
            double expected = out[h] + c;

            g_assert_true (isfinite (out[h]));
            /* 1e-12 relative, a few thousand ulps of x + c: the differences the model reads
             * are exact for this integer series, so the two forecasts agree but for rounding */
            g_assert_cmpfloat (fabs (out_shifted[h] - expected), <=, 1e-12 * fabs (expected));
            moved |= out[h] != x[N_HISTORY - 1];
          }
        /* the model does something: this is not the naive forecast in disguise */
        g_assert_true (moved);
      }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/forecast-transform/difference-gives-naive",
                   test_difference_gives_naive);
  g_test_add_func ("/engine/forecast-transform/last-level-gives-naive",
                   test_last_level_gives_naive);
  g_test_add_func ("/engine/forecast-transform/seasonal-difference-gives-seasonal-naive",
                   test_seasonal_difference_gives_seasonal_naive);
  g_test_add_func ("/engine/forecast-transform/last-level-is-shift-invariant",
                   test_last_level_is_shift_invariant);
  return g_test_run ();
}
