/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <math.h>

#include "recur-jsonutil.h"
#include "recur-metrics.h"

double
recur_mase_scale (const double *history,
                  guint         n,
                  guint         season)
{
  double total = 0.0;

  if (season == 0 || n <= season)
    return NAN;
  for (guint t = season; t < n; t++)
    total += fabs (history[t] - history[t - season]);
  return total / (n - season);
}

/* The root mean square of the n errors e[i] (their largest e_max): as the plain sum where
 * squares neither underflow nor overflow, else scaled by e_max first. */
static double
root_mean_square (const double *e,
                  guint         n,
                  double        e_max)
{
  double sum = 0.0;
  gboolean scaled = e_max > 0.0 && (e_max < 1e-150 || e_max > 1e150) && isfinite (e_max);

  for (guint i = 0; i < n; i++)
    {
      double v = scaled ? e[i] / e_max : e[i];
      sum += v * v;
    }
  return scaled ? e_max * sqrt (sum / n) : sqrt (sum / n);
}

void
recur_metrics_compute (const double *actual,
                       const double *forecast,
                       guint         n,
                       double        mase_scale,
                       RecurMetrics *m)
{
  double abs_sum = 0.0, ape_sum = 0.0, sape_sum = 0.0, e_max = 0.0;
  g_autofree double *errors = g_new (double, MAX (n, 1));
  gboolean ape_defined = TRUE;
  guint scored = 0;

  for (guint i = 0; i < n; i++)
    {
      double a = actual[i], f = forecast[i], e = fabs (a - f);
      double denom = fabs (a) + fabs (f);

      if (isnan (a))
        continue; /* missing in the file: nothing to score it against */
      errors[scored++] = e;
      e_max = MAX (e_max, e);
      abs_sum += e;
      if (a == 0.0)
        ape_defined = FALSE;
      else
        ape_sum += e / fabs (a);
      sape_sum += denom > 0.0 ? 2.0 * e / denom : 0.0;
    }
  if (scored == 0)
    {
      *m = (RecurMetrics) { NAN, NAN, NAN, NAN, NAN };
      return;
    }
  /* a sum beyond the largest double while its terms are not: the mean of the scaled terms */
  if (isinf (abs_sum) && isfinite (e_max))
    {
      abs_sum = 0.0;
      for (guint i = 0; i < scored; i++)
        abs_sum += errors[i] / e_max;
      m->mae = e_max * (abs_sum / scored);
    }
  else
    m->mae = abs_sum / scored;
  m->rmse = root_mean_square (errors, scored, e_max);
  m->mape = ape_defined ? 100.0 * ape_sum / scored : NAN;
  m->smape = 100.0 * sape_sum / scored;
  m->mase = mase_scale > 0.0 ? m->mae / mase_scale : NAN;
}

void
recur_naive_forecast (const double *history,
                      guint         n,
                      guint         horizon,
                      double       *out)
{
  for (guint h = 0; h < horizon; h++)
    out[h] = history[n - 1];
}

void
recur_seasonal_naive_forecast (const double *history,
                               guint         n,
                               guint         season,
                               guint         horizon,
                               double       *out)
{
  if (season == 0 || n < season)
    {
      recur_naive_forecast (history, n, horizon, out);
      return;
    }
  for (guint h = 0; h < horizon; h++)
    out[h] = history[n - season + h % season];
}

void
recur_metrics_add_json (JsonBuilder        *builder,
                        const char         *name,
                        const RecurMetrics *m)
{
  if (name != NULL)
    json_builder_set_member_name (builder, name);
  json_builder_begin_object (builder);
  recur_json_add_number (builder, "mae", m->mae);
  recur_json_add_number (builder, "rmse", m->rmse);
  recur_json_add_number (builder, "mape", m->mape);
  recur_json_add_number (builder, "smape", m->smape);
  recur_json_add_number (builder, "mase", m->mase);
  json_builder_end_object (builder);
}
