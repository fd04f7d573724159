/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <float.h>
#include <math.h>

#include "recur-season.h"

/* The series analysed: the values themselves or their first differences, read in place. */
typedef struct
{
  const double *values;
  guint         n;          /* points of the series analysed */
  gboolean      difference;
  double        mean;
  double        c0;         /* Σ (x_t − mean)² */
} Series;

static inline double
value_at (const Series *s,
          guint         t)
{
  return s->difference ? s->values[t + 1] - s->values[t] : s->values[t];
}

static gboolean
all_finite (const double *values,
            guint         n)
{
  for (guint t = 0; t < n; t++)
    if (!isfinite (values[t]))
      return FALSE;
  return TRUE;
}

/* Mean and sum of squares; FALSE when the series has no variation beyond rounding. */
static gboolean
series_init (Series       *s,
             const double *values,
             guint         n_values,
             gboolean      difference)
{
  double sum = 0, largest = 0;

  s->values = values;
  s->difference = difference;
  s->n = difference ? n_values - 1 : n_values;
  s->mean = 0;
  s->c0 = 0;
  if (s->n == 0)
    return FALSE;
  for (guint t = 0; t < n_values; t++)
    largest = MAX (largest, fabs (values[t]));
  for (guint t = 0; t < s->n; t++)
    sum += value_at (s, t);
  s->mean = sum / s->n;
  for (guint t = 0; t < s->n; t++)
    {
      double e = value_at (s, t) - s->mean;

      s->c0 += e * e;
    }
  return s->c0 > 0 && sqrt (s->c0 / s->n) > 64 * DBL_EPSILON * largest;
}

static double
series_acf (const Series *s,
            guint         k)
{
  double sum = 0;

  for (guint t = 0; t + k < s->n; t++)
    sum += (value_at (s, t) - s->mean) * (value_at (s, t + k) - s->mean);
  return sum / s->c0;
}

gboolean
recur_acf (const double *values,
           guint         n,
           guint         max_lag,
           double       *acf)
{
  Series s;

  g_return_val_if_fail (values != NULL && acf != NULL, FALSE);
  g_return_val_if_fail (max_lag < n, FALSE);
  g_return_val_if_fail (all_finite (values, n), FALSE);

  if (!series_init (&s, values, n, FALSE))
    {
      for (guint k = 0; k <= max_lag; k++)
        acf[k] = 0;
      return FALSE;
    }
  for (guint k = 0; k <= max_lag; k++)
    acf[k] = k == 0 ? 1.0 : series_acf (&s, k);
  return TRUE;
}

gboolean
recur_season_test (const double *values,
                   guint         n,
                   guint         m)
{
  Series s;
  double sum_squares = 0, r_m;

  g_return_val_if_fail (values != NULL || n == 0, FALSE);
  g_return_val_if_fail (all_finite (values, n), FALSE);

  if (m <= 1 || (guint64) n <= 2 * (guint64) m || !series_init (&s, values, n, FALSE))
    return FALSE;
  for (guint k = 1; k < m; k++)
    {
      double r = series_acf (&s, k);

      sum_squares += r * r;
    }
  r_m = series_acf (&s, m);
  return fabs (r_m) > RECUR_SEASON_Z95 * sqrt ((1 + 2 * sum_squares) / n);
}

/* Walks the candidate lags of recur_season_detect in order. Without a target (target == 0) it
 * stores the largest candidate r_k in *largest and its lag in *largest_lag (the first on a tie)
 * and returns 1; with one it returns the first candidate that divides target and has
 * r_k ≥ floor (1 when none). */
static guint
walk_candidates (const Series *s,
                 guint         last,
                 double        se,
                 guint         target,
                 double        floor,
                 double       *largest,
                 guint        *largest_lag)
{
  double previous = series_acf (s, 1);
  double current = series_acf (s, 2);

  for (guint k = 2; k <= last; k++)
    {
      double next = series_acf (s, k + 1);

      if (current > previous && current >= next && current > 0
          && 0.5 * erfc (current / (se * G_SQRT2)) * (last - 1) < 0.05)
        {
          if (target == 0 && current > *largest)
            {
              *largest = current;
              *largest_lag = k;
            }
          else if (target > 0 && target % k == 0 && current >= floor)
            return k;
        }
      previous = current;
      current = next;
    }
  return 1;
}

guint
recur_season_detect (const double *values,
                     guint         n,
                     guint         max_lag)
{
  Series s;
  guint last, largest_lag = 0;
  double r1, se, largest = 0;

  g_return_val_if_fail (values != NULL || n == 0, 1);
  g_return_val_if_fail (all_finite (values, n), 1);

  if (n < 4)
    return 1;
  /* L = min (max_lag, ⌊n/3⌋, N − 2) with N = n − 1 differences; r_{L+1} must exist. */
  last = MIN (max_lag, n / 3);
  last = MIN (last, n - 3);
  if (last < 2 || !series_init (&s, values, n, TRUE))
    return 1;

  /* The null is MA(1), what differencing leaves of white noise or of a random walk's steps:
   * Bartlett's standard error of r_k for k ≥ 2 is then √((1 + 2 r_1²) / N). */
  r1 = series_acf (&s, 1);
  se = sqrt ((1 + 2 * r1 * r1) / s.n);
  walk_candidates (&s, last, se, 0, 0, &largest, &largest_lag);
  if (largest_lag == 0)
    return 1;
  /* Two passes instead of a list of candidates: nothing to allocate. */
  return walk_candidates (&s, last, se, largest_lag, largest - 2 * se, NULL, NULL);
}
