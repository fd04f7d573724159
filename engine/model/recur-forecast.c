/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "recur-forecast.h"
#include "recur-memory.h"

/* The model's input from a window of transformed values: relative to the window's level. */
static double
normalise_window (const RecurTransform *transform,
                  const double         *s,
                  guint                 T,
                  float                *input)
{
  double level = recur_window_level (transform->spec.window_norm, s, T);

  for (guint t = 0; t < T; t++)
    input[t] = (float) (s[t] - level);
  return level;
}

gboolean
recur_forecast (const RecurModel     *model,
                const RecurTransform *transform,
                const double         *history,
                guint                 n_history,
                guint                 steps,
                double               *out,
                GError              **error)
{
  const RecurModelSpec *spec = recur_model_get_spec (model);
  guint T = spec->window, n_out = recur_model_spec_output_size (spec);
  g_autoptr(RecurWorkspace) ws = NULL;
  g_autofree float *input = g_new (float, T);
  g_autofree float *output = g_new (float, n_out);
  /* the transformed history, then the transformed forecasts appended (recursive) */
  g_autofree double *s = NULL;

  g_return_val_if_fail (n_history >= T + transform->offset, FALSE);
  g_return_val_if_fail (spec->strategy == RECUR_STRATEGY_RECURSIVE || steps <= spec->horizon,
                        FALSE);
  ws = recur_workspace_try_new (model, 1, RECUR_WORKSPACE_INFERENCE, error);
  if (ws == NULL)
    return FALSE;
  s = g_try_malloc_n ((gsize) n_history + steps, sizeof (double));
  if (s == NULL)
    {
      recur_memory_set_error (error, ((guint64) n_history + steps) * sizeof (double),
                              _("the forecast’s history"));
      return FALSE;
    }
  if (!recur_transform_forward (transform, history, n_history, s, _("the history"), error))
    return FALSE;

  if (spec->strategy == RECUR_STRATEGY_DIRECT)
    {
      double level = normalise_window (transform, s + n_history - T, T, input);

      recur_model_forward (model, ws, 1, input, FALSE, NULL, output);
      for (guint h = 0; h < steps; h++)
        s[n_history + h] = output[h] + level;
    }
  else
    for (guint h = 0; h < steps; h++)
      {
        /* each step's window re-normalised: the level moves with the forecasts */
        double level = normalise_window (transform, s + n_history + h - T, T, input);

        recur_model_forward (model, ws, 1, input, FALSE, NULL, output);
        s[n_history + h] = output[0] + level;
      }
  return recur_transform_inverse (transform, history, n_history, s + n_history, steps, out,
                                  error);
}

RecurEvaluation *
recur_evaluate (const RecurModel    *model,
                const RecurDataset  *data,
                guint                season,
                GError             **error)
{
  g_autoptr(RecurEvaluation) self = g_new0 (RecurEvaluation, 1);
  const double *values = recur_dataset_get_values (data);
  guint start = recur_dataset_get_test_start (data);
  guint n = recur_dataset_get_n_points (data) - start;
  double scale;

  if (season == 0 || start <= season)
    season = 1;
  self->season = season;
  self->n_test = n;
  self->actual = g_memdup2 (values + start, (gsize) n * sizeof (double));
  self->forecast = g_new (double, n);
  self->naive = g_new (double, n);
  self->seasonal_naive = g_new (double, n);
  if (!recur_forecast (model, recur_dataset_get_transform (data), values, start, n, self->forecast,
                       error))
    return NULL;
  recur_naive_forecast (values, start, n, self->naive);
  recur_seasonal_naive_forecast (values, start, season, n, self->seasonal_naive);

  scale = recur_mase_scale (values, start, season);
  recur_metrics_compute (self->actual, self->forecast, n, scale, &self->model_metrics);
  recur_metrics_compute (self->actual, self->naive, n, scale, &self->naive_metrics);
  recur_metrics_compute (self->actual, self->seasonal_naive, n, scale,
                         &self->seasonal_naive_metrics);
  return g_steal_pointer (&self);
}

void
recur_evaluation_free (RecurEvaluation *self)
{
  if (self == NULL)
    return;
  g_free (self->actual);
  g_free (self->forecast);
  g_free (self->naive);
  g_free (self->seasonal_naive);
  g_free (self);
}
