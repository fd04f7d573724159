/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recur-forecast.h"
#include "recur-memory.h"
#include "recur-theta.h"

/* The model's input from a window of transformed values ending before row `row` of the
 * history: relative to the window's level, the extra inputs beside them ([T][1][I]); extra's
 * row 0 is the history's row `base`. */
static double
normalise_window (const RecurTransform   *transform,
                  const double           *s,
                  const RecurExtraInputs *extra,
                  guint                   base,
                  guint                   row,
                  guint                   T,
                  float                  *input)
{
  guint I = extra ? 1 + extra->n_channels : 1;
  double level = recur_window_level (transform->spec.window_norm, s + row - T, T);

  for (guint t = 0; t < T; t++)
    input[(gsize) t * I] = (float) (s[row - T + t] - level);
  if (extra)
    recur_extra_inputs_gather (extra, row - T - base, T, 0, 1, transform->spec.window_norm,
                               input);
  return level;
}

/* A recursive model that forecasts its input columns too: the channels of the window before
 * the origin and of the steps after it, in own (rows T + steps), the input columns' future
 * left NaN for the network to fill in; the calendar's is known. */
static gboolean
future_channels (const RecurExtraInputs *extra,
                 guint                   first,
                 guint                   T,
                 guint                   steps,
                 double                **own,
                 RecurExtraInputs       *local,
                 GError                **error)
{
  guint C = extra->n_channels, rows = T + steps;

  *own = g_try_malloc_n ((gsize) rows * C, sizeof (double));
  if (*own == NULL)
    {
      recur_memory_set_error (error, (guint64) rows * C * sizeof (double),
                              _("the input columns’ forecasts"));
      return FALSE;
    }
  for (guint r = 0; r < rows; r++)
    for (guint c = 0; c < C; c++)
      (*own)[(gsize) r * C + c] = first + r < extra->n_rows && (r < T || c >= extra->n_levelled)
                                  ? extra->values[(gsize) (first + r) * C + c] : NAN;
  *local = (RecurExtraInputs) { *own, C, extra->n_levelled, rows };
  return TRUE;
}

gboolean
recur_forecast (const RecurModel       *model,
                const RecurTransform   *transform,
                const double           *history,
                guint                   n_history,
                const RecurExtraInputs *extra,
                guint                   steps,
                double                 *out,
                GError                **error)
{
  const RecurModelSpec *spec = recur_model_get_spec (model);
  guint T = spec->window, n_out = recur_model_spec_output_size (spec);
  g_autoptr(RecurWorkspace) ws = NULL;
  g_autofree float *input = g_new (float, (gsize) T * spec->input_size);
  g_autofree float *output = g_new (float, n_out);
  /* the transformed history, then the transformed forecasts appended (recursive) */
  g_autofree double *s = NULL;
  g_autofree double *own = NULL;
  RecurExtraInputs local;
  RecurWindowNorm norm = transform->spec.window_norm;
  guint base = 0;

  g_return_val_if_fail (n_history >= T + transform->offset, FALSE);
  g_return_val_if_fail (spec->strategy == RECUR_STRATEGY_RECURSIVE || steps <= spec->horizon,
                        FALSE);
  g_return_val_if_fail (spec->input_size == (extra ? 1 + extra->n_channels : 1), FALSE);
  /* recursive: the calendar is known for every step, the input columns are forecast too */
  g_return_val_if_fail (extra == NULL || (spec->strategy == RECUR_STRATEGY_DIRECT
                                          ? extra->n_rows >= n_history
                                          : spec->step_outputs == 1 + extra->n_levelled
                                            && extra->n_rows + 1 >= n_history + steps), FALSE);
  g_return_val_if_fail (extra != NULL || spec->step_outputs == 1, FALSE);
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

  if (spec->step_outputs > 1)
    {
      base = n_history - T;
      if (!future_channels (extra, base, T, steps, &own, &local, error))
        return FALSE;
      extra = &local;
    }
  if (spec->strategy == RECUR_STRATEGY_DIRECT)
    {
      double level = normalise_window (transform, s, extra, base, n_history, T, input);

      recur_model_forward (model, ws, 1, input, FALSE, NULL, output);
      for (guint h = 0; h < steps; h++)
        s[n_history + h] = output[h] + level;
    }
  else
    for (guint h = 0; h < steps; h++)
      {
        /* each step's window re-normalised: the level moves with the forecasts */
        double level = normalise_window (transform, s, extra, base, n_history + h, T, input);
        guint next = n_history + h - base; /* the step's row of the channels */

        recur_model_forward (model, ws, 1, input, FALSE, NULL, output);
        s[n_history + h] = output[0] + level;
        /* the input columns' forecasts, each plus its own window's level, read next step */
        for (guint c = 1; c < spec->step_outputs; c++)
          own[(gsize) next * extra->n_channels + c - 1] =
            output[c] + recur_extra_inputs_level (extra, next - T, T, c - 1, norm);
      }
  return recur_transform_inverse (transform, history, n_history, s + n_history, steps, out,
                                  error);
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

double
recur_median (double *v,
              guint   n)
{
  g_return_val_if_fail (n > 0, NAN);
  qsort (v, n, sizeof (double), compare_doubles);
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

void
recur_median_across (const double *m,
                     guint         n_members,
                     gsize         stride,
                     guint         n,
                     double       *out)
{
  g_autofree double *column = g_new (double, n_members);

  for (guint i = 0; i < n; i++)
    {
      guint finite = 0;

      for (guint k = 0; k < n_members; k++)
        if (isfinite (m[k * stride + i]))
          column[finite++] = m[k * stride + i];
      out[i] = finite == n_members ? recur_median (column, finite) : NAN;
    }
}

gboolean
recur_forecast_average_theta (const RecurTransform *transform,
                              const double         *history,
                              guint                 n_history,
                              guint                 steps,
                              double               *out,
                              GError              **error)
{
  g_autofree double *theta = NULL;

  if (transform->spec.theta == RECUR_THETA_NONE)
    return TRUE;
  theta = g_new (double, steps);
  if (!recur_theta_forecast (history, n_history, transform->season, steps, theta, NULL, error))
    return FALSE;
  recur_forecast_combine_theta (out, theta, steps);
  return TRUE;
}

void
recur_forecast_combine_theta (double       *out,
                              const double *theta,
                              guint         steps)
{
  for (guint i = 0; i < steps; i++)
    out[i] = 0.5 * (out[i] + theta[i]);
}

gboolean
recur_forecast_ensemble (RecurModel *const      *models,
                         guint                   n_models,
                         const RecurTransform   *transform,
                         const double           *history,
                         guint                   n_history,
                         const RecurExtraInputs *extra,
                         guint                   steps,
                         double                 *out,
                         double                 *members_out,
                         GError                **error)
{
  g_autofree double *own = NULL;
  double *members = members_out;

  g_return_val_if_fail (n_models >= 1, FALSE);
  if (n_models == 1)
    {
      if (!recur_forecast (models[0], transform, history, n_history, extra, steps, out,
                           error))
        return FALSE;
      if (members_out)
        memcpy (members_out, out, steps * sizeof (double));
      return recur_forecast_average_theta (transform, history, n_history, steps, out, error);
    }
  if (members == NULL)
    members = own = g_new (double, (gsize) n_models * steps);
  for (guint k = 0; k < n_models; k++)
    if (!recur_forecast (models[k], transform, history, n_history, extra, steps,
                         members + (gsize) k * steps, error))
      return FALSE;
  /* every step finite: recur_forecast never gives a NaN */
  recur_median_across (members, n_models, steps, steps, out);
  return recur_forecast_average_theta (transform, history, n_history, steps, out, error);
}

RecurEvaluation *
recur_evaluate_ensemble (RecurModel *const   *models,
                         guint                n_models,
                         const RecurDataset  *data,
                         const double        *observed,
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
  self->n_members = n_models;
  self->actual = g_memdup2 (observed ? observed : values + start, (gsize) n * sizeof (double));
  for (guint i = 0; i < n; i++)
    self->n_missing += isnan (self->actual[i]);
  self->forecast = g_new (double, n);
  self->naive = g_new (double, n);
  self->seasonal_naive = g_new (double, n);
  self->theta_averaged = recur_dataset_get_transform (data)->spec.theta != RECUR_THETA_NONE;
  if (n_models > 1 || self->theta_averaged)
    {
      self->member_forecast = g_new (double, (gsize) n_models * n);
      self->member_metrics = g_new0 (RecurMetrics, n_models);
    }
  if (!recur_forecast_ensemble (models, n_models, recur_dataset_get_transform (data), values,
                                start, recur_dataset_get_extra_inputs (data), n,
                                self->forecast, self->member_forecast, error))
    return NULL;
  recur_naive_forecast (values, start, n, self->naive);
  recur_seasonal_naive_forecast (values, start, season, n, self->seasonal_naive);

  scale = self->scale = recur_mase_scale (values, start, season);
  recur_metrics_compute (self->actual, self->forecast, n, scale, &self->model_metrics);
  recur_metrics_compute (self->actual, self->naive, n, scale, &self->naive_metrics);
  recur_metrics_compute (self->actual, self->seasonal_naive, n, scale,
                         &self->seasonal_naive_metrics);
  for (guint k = 0; self->member_metrics && k < n_models; k++)
    recur_metrics_compute (self->actual, self->member_forecast + (gsize) k * n, n, scale,
                           &self->member_metrics[k]);
  self->network_metrics = self->model_metrics;
  if (self->theta_averaged)
    {
      g_autofree double *median = g_new (double, n);

      recur_median_across (self->member_forecast, n_models, n, n, median);
      recur_metrics_compute (self->actual, median, n, scale, &self->network_metrics);
    }
  return g_steal_pointer (&self);
}

RecurEvaluation *
recur_evaluate (const RecurModel    *model,
                const RecurDataset  *data,
                const double        *observed,
                guint                season,
                GError             **error)
{
  RecurModel *one = (RecurModel *) model; /* only read */

  return recur_evaluate_ensemble (&one, 1, data, observed, season, error);
}

const double *
recur_evaluation_get_member_forecast (const RecurEvaluation *self,
                                      guint                  k)
{
  g_return_val_if_fail (k < self->n_members, NULL);
  return self->member_forecast ? self->member_forecast + (gsize) k * self->n_test
                               : self->forecast;
}

const RecurMetrics *
recur_evaluation_get_member_metrics (const RecurEvaluation *self,
                                     guint                  k)
{
  g_return_val_if_fail (k < self->n_members, NULL);
  return self->member_metrics ? &self->member_metrics[k] : &self->model_metrics;
}

void
recur_evaluation_member_mase_range (const RecurEvaluation *self,
                                    double                *lo,
                                    double                *hi)
{
  *lo = INFINITY;
  *hi = -INFINITY;
  for (guint k = 0; k < self->n_members; k++)
    {
      *lo = MIN (*lo, recur_evaluation_get_member_metrics (self, k)->mase);
      *hi = MAX (*hi, recur_evaluation_get_member_metrics (self, k)->mase);
    }
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
  g_free (self->member_forecast);
  g_free (self->member_metrics);
  g_free (self);
}
