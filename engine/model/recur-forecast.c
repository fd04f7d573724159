/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <string.h>

#include "recur-forecast.h"

gboolean
recur_forecast (const RecurModel  *model,
                const RecurScaler *scaler,
                const double      *history,
                guint              n_history,
                guint              steps,
                double            *out,
                GError           **error)
{
  const RecurModelSpec *spec = recur_model_get_spec (model);
  guint T = spec->window, n_out = recur_model_spec_output_size (spec);
  g_autoptr(RecurWorkspace) ws = NULL;
  g_autofree float *window = g_new (float, T);
  g_autofree float *output = g_new (float, n_out);

  g_return_val_if_fail (n_history >= T, FALSE);
  g_return_val_if_fail (spec->strategy == RECUR_STRATEGY_RECURSIVE || steps <= spec->horizon,
                        FALSE);
  ws = recur_workspace_try_new (model, 1, RECUR_WORKSPACE_INFERENCE, error);
  if (ws == NULL)
    return FALSE;

  for (guint t = 0; t < T; t++)
    window[t] = (float) recur_scaler_apply (scaler, history[n_history - T + t]);

  if (spec->strategy == RECUR_STRATEGY_DIRECT)
    {
      recur_model_forward (model, ws, 1, window, FALSE, NULL, output);
      for (guint h = 0; h < steps; h++)
        out[h] = recur_scaler_invert (scaler, output[h]);
      return TRUE;
    }
  for (guint h = 0; h < steps; h++)
    {
      recur_model_forward (model, ws, 1, window, FALSE, NULL, output);
      out[h] = recur_scaler_invert (scaler, output[0]);
      memmove (window, window + 1, (T - 1) * sizeof (float));
      window[T - 1] = output[0];
    }
  return TRUE;
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
  if (!recur_forecast (model, recur_dataset_get_scaler (data), values, start, n, self->forecast,
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
