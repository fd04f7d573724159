/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "recur-dataset.h"
#include "recur-names.h"
#include "recur-transform.h"

G_DEFINE_QUARK (recur-transform-error-quark, recur_transform_error)

/* The relative error a value may have after Box-Cox and back for the transform to be kept. */
#define LOSSLESS 1e-13

static const char *const scaler_names[] = { "zscore", "minmax", "none" };

const char *
recur_scaler_kind_to_string (RecurScalerKind kind)
{
  g_return_val_if_fail (kind < G_N_ELEMENTS (scaler_names), NULL);
  return scaler_names[kind];
}

gboolean
recur_scaler_kind_from_string (const char      *text,
                               RecurScalerKind *kind)
{
  int i = recur_name_index (scaler_names, G_N_ELEMENTS (scaler_names), text);

  if (i < 0)
    return FALSE;
  *kind = (RecurScalerKind) i;
  return TRUE;
}

void
recur_scaler_fit (RecurScaler     *scaler,
                  RecurScalerKind  kind,
                  const double    *values,
                  gsize            n)
{
  double lo = INFINITY, hi = -INFINITY, big = 0.0;

  scaler->kind = kind;
  scaler->center = 0.0;
  scaler->scale = 1.0;
  if (kind == RECUR_SCALER_NONE || n == 0)
    return;

  for (gsize i = 0; i < n; i++)
    {
      lo = MIN (lo, values[i]);
      hi = MAX (hi, values[i]);
      big = MAX (big, fabs (values[i]));
    }
  if (big == 0.0)
    return;

  if (kind == RECUR_SCALER_MINMAX)
    {
      /* Halves first: max − min of two huge values of opposite sign would overflow. */
      double half_range = hi / 2 - lo / 2;
      scaler->center = lo;
      scaler->scale = half_range > 0.0 ? 2 * half_range : 1.0;
      if (!isfinite (scaler->scale))
        scaler->scale = DBL_MAX;
      return;
    }

  /* z-score in units of the largest magnitude, so squares cannot overflow */
  {
    double mean = 0.0, var = 0.0;
    for (gsize i = 0; i < n; i++)
      mean += values[i] / big;
    mean /= n;
    for (gsize i = 0; i < n; i++)
      {
        double dv = values[i] / big - mean;
        var += dv * dv;
      }
    var /= n;
    scaler->center = mean * big;
    scaler->scale = var > 0.0 ? sqrt (var) * big : 1.0;
    /* A constant series (var 0, or std lost below the values' precision) keeps scale 1
     * relative to its magnitude, so scaled values stay finite and small. */
    if (!(scaler->scale > fabs (scaler->center) * 1e-12))
      scaler->scale = MAX (fabs (scaler->center), 1.0);
  }
}

static const char *const window_norm_names[] = { "none", "last", "mean" };

const char *
recur_window_norm_to_string (RecurWindowNorm norm)
{
  g_return_val_if_fail (norm < G_N_ELEMENTS (window_norm_names), NULL);
  return window_norm_names[norm];
}

gboolean
recur_window_norm_from_string (const char      *text,
                               RecurWindowNorm *norm)
{
  int i = recur_name_index (window_norm_names, G_N_ELEMENTS (window_norm_names), text);

  if (i < 0)
    return FALSE;
  *norm = (RecurWindowNorm) i;
  return TRUE;
}

double
recur_box_cox (double x,
               double lambda)
{
  /* b = log x (λ = 0), (x^λ − 1)/λ = expm1 (λ log x)/λ: no cancellation for λ near 0 */
  if (lambda == 0)
    return log (x);
  return expm1 (lambda * log (x)) / lambda;
}

double
recur_box_cox_inverse (double y,
                       double lambda)
{
  /* x = exp y (λ = 0), (1 + λy)^(1/λ) = exp (log1p (λy)/λ); log1p is NaN below −1 */
  if (lambda == 0)
    return exp (y);
  if (!(lambda * y > -1))
    return NAN;
  return exp (log1p (lambda * y) / lambda);
}

static void
format_arg (char   *buffer,
            gsize   size,
            double  value)
{
  g_ascii_formatd (buffer, size, "%.6g", value);
}

double
recur_guerrero_cv (const double *values,
                   gsize         n,
                   guint         season,
                   double        lambda)
{
  /* forecast::guer.cv: the last ⌊n/p⌋·p values as ⌊n/p⌋ blocks of p; per block the ratio
   * r_j = sd_j / mean_j^(1−λ); the result is sd (r) / mean (r) (sample standard deviations) */
  guint p = MAX (season, 2);
  gsize blocks = n / p;
  const double *first = values + (n - blocks * p);
  double sum = 0, sum_sq = 0, mean;

  if (blocks < 2)
    return NAN;
  /* two passes over the ratios: the first for the mean, the second for the deviations */
  for (int pass = 0; pass < 2; pass++)
    {
      for (gsize j = 0; j < blocks; j++)
        {
          const double *block = first + j * p;
          double block_mean = 0, block_ss = 0, ratio;

          for (guint i = 0; i < p; i++)
            block_mean += block[i];
          block_mean /= p;
          for (guint i = 0; i < p; i++)
            block_ss += (block[i] - block_mean) * (block[i] - block_mean);
          ratio = sqrt (block_ss / (p - 1)) / pow (block_mean, 1 - lambda);
          if (pass == 0)
            sum += ratio;
          else
            sum_sq += (ratio - sum / blocks) * (ratio - sum / blocks);
        }
    }
  mean = sum / blocks;
  return sqrt (sum_sq / (blocks - 1)) / mean;
}

/* The criterion as R's optimize() sees it: a value that is not finite (every block constant,
 * or mean^(1−λ) out of range) becomes DBL_MAX, as optimize's fcn1 replaces it, so the search
 * always ends. */
static double
guerrero_objective (const double *values,
                    gsize         n,
                    guint         season,
                    double        lambda)
{
  double cv = recur_guerrero_cv (values, n, season, lambda);

  return isfinite (cv) ? cv : DBL_MAX;
}

/* Brent's (1973) localmin, in the form R's optimize() runs it (golden section and parabolic
 * steps, f never evaluated closer than eps·|x| + tol/3 to a point already tried), so the λ found
 * matches forecast::BoxCox.lambda's to far better than the tolerance. */
static double
brent_minimise (double        lower,
                double        upper,
                const double *values,
                gsize         n,
                guint         season,
                double        tol)
{
  const double golden = (3. - sqrt (5.)) * .5;
  const double eps = sqrt (DBL_EPSILON);
  double a = lower, b = upper;
  double x = a + golden * (b - a), w = x, v = x;
  double fx = guerrero_objective (values, n, season, x), fw = fx, fv = fx;
  double d = 0, e = 0;

  for (;;)
    {
      double mid = (a + b) * .5;
      double tol1 = eps * fabs (x) + tol / 3.;
      double tol2 = tol1 * 2.;
      double p = 0, q = 0, r = 0, u, fu;

      if (fabs (x - mid) <= tol2 - (b - a) * .5)
        break;
      if (fabs (e) > tol1)
        {
          /* a parabola through (v, fv), (w, fw), (x, fx) */
          r = (x - w) * (fx - fv);
          q = (x - v) * (fx - fw);
          p = (x - v) * q - (x - w) * r;
          q = (q - r) * 2.;
          if (q > 0.)
            p = -p;
          else
            q = -q;
          r = e;
          e = d;
        }
      if (fabs (p) >= fabs (q * .5 * r) || p <= q * (a - x) || p >= q * (b - x))
        {
          /* golden section into the larger part */
          e = x < mid ? b - x : a - x;
          d = golden * e;
        }
      else
        {
          /* the parabola's minimum, kept away from the ends */
          d = p / q;
          u = x + d;
          if (u - a < tol2 || b - u < tol2)
            d = x >= mid ? -tol1 : tol1;
        }
      if (fabs (d) >= tol1)
        u = x + d;
      else
        u = d > 0. ? x + tol1 : x - tol1;
      fu = guerrero_objective (values, n, season, u);

      if (fx <= fu)
        {
          if (u < x)
            a = u;
          else
            b = u;
        }
      if (fu <= fx)
        {
          if (u < x)
            b = x;
          else
            a = x;
          v = w;
          fv = fw;
          w = x;
          fw = fx;
          x = u;
          fx = fu;
        }
      else if (fu <= fw || w == x)
        {
          v = w;
          fv = fw;
          w = u;
          fw = fu;
        }
      else if (fu <= fv || v == x || v == w)
        {
          v = u;
          fv = fu;
        }
    }
  return x;
}

double
recur_guerrero_lambda (const double *values,
                       gsize         n,
                       guint         season,
                       double        lower,
                       double        upper)
{
  /* BoxCox.lambda returns 1 when length(x) ≤ 2·frequency(x); with fewer than two blocks of
   * max (2, m) the criterion is undefined, and 1 (no transform) is the answer there too */
  if (n <= 2 * (gsize) MAX (season, 1) || n / MAX (season, 2) < 2)
    return 1;
  return brent_minimise (lower, upper, values, n, season, pow (DBL_EPSILON, 0.25));
}

/* The deseasonalised Box-Cox value u of row `row` (before differencing). */
static inline double
level_of (const RecurTransform *t,
          double                x,
          guint                 row)
{
  double b = t->box_cox ? recur_box_cox (x, t->lambda) : x;

  return t->spec.deseasonalise ? b - t->seasonal_index[(row + t->phase) % t->season] : b;
}

static gboolean
check_finite (const double *values,
              guint         n,
              const char   *name,
              GError      **error)
{
  for (guint i = 0; i < n; i++)
    if (!isfinite (values[i]))
      {
        g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE,
                     _("%s: value %u is not a finite number"), name, i + 1);
        return FALSE;
      }
  return TRUE;
}

static gboolean
check_positive (const double *values,
                guint         n,
                double        lambda,
                const char   *name,
                GError      **error)
{
  for (guint i = 0; i < n; i++)
    if (!(values[i] > 0))
      {
        char text[G_ASCII_DTOSTR_BUF_SIZE], lambda_text[G_ASCII_DTOSTR_BUF_SIZE];

        format_arg (text, sizeof text, values[i]);
        format_arg (lambda_text, sizeof lambda_text, lambda);
        g_set_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_NOT_POSITIVE,
                     _("%s: value %u (%s) is not positive: a Box-Cox transform "
                       "(λ = %s) needs values above 0"),
                     name, i + 1, text, lambda_text);
        return FALSE;
      }
  return TRUE;
}

void
recur_classical_indices (const double *x,
                         guint         n,
                         guint         m,
                         gboolean      multiplicative,
                         double       *index)
{
  g_autofree double *count = g_new0 (double, m);
  guint half = m / 2;
  double mean = 0;

  for (guint i = 0; i < m; i++)
    index[i] = 0;
  for (guint row = half; row + half < n; row++)
    {
      double trend = 0;

      if (m % 2 == 1)
        {
          for (guint k = row - half; k <= row + half; k++)
            trend += x[k];
          trend /= m;
        }
      else
        {
          for (guint k = row - half + 1; k < row + half; k++)
            trend += x[k];
          trend = (trend + 0.5 * (x[row - half] + x[row + half])) / m;
        }
      index[row % m] += multiplicative ? x[row] / trend : x[row] - trend;
      count[row % m] += 1;
    }
  for (guint i = 0; i < m; i++)
    {
      index[i] /= count[i];
      mean += index[i];
    }
  mean /= m;
  for (guint i = 0; i < m; i++)
    index[i] = multiplicative ? index[i] / mean : index[i] - mean;
}

/* u → z in place over rows [0, n): first then seasonal differences, computed from the end so
 * each row reads rows not yet overwritten; rows below the offset become NaN. */
static void
difference_in_place (const RecurTransform *t,
                     double               *u,
                     guint                 n)
{
  if (t->spec.difference)
    {
      for (guint i = n; i-- > 1;)
        u[i] -= u[i - 1];
      if (n > 0)
        u[0] = NAN;
    }
  if (t->spec.seasonal_difference)
    {
      guint m = t->season;
      guint first = t->spec.difference ? 1 : 0;

      for (guint i = n; i-- > first + m;)
        u[i] -= u[i - m];
      for (guint i = first; i < MIN (first + m, n); i++)
        u[i] = NAN;
    }
}

gboolean
recur_transform_fit (RecurTransform           *transform,
                     const RecurTransformSpec *spec,
                     const double             *values,
                     guint                     n_fit,
                     guint                     season,
                     const char               *name,
                     GError                  **error)
{
  RecurTransform t = { 0 };
  g_autofree double *work = NULL;

  g_return_val_if_fail (transform != NULL && spec != NULL, FALSE);
  g_return_val_if_fail (values != NULL || n_fit == 0, FALSE);

  t.spec = *spec;
  t.season = MAX (season, 1);
  t.offset = (spec->difference ? 1 : 0) + (spec->seasonal_difference ? t.season : 0);
  if (!check_finite (values, n_fit, name, error))
    return FALSE;
  if ((spec->seasonal_difference || spec->deseasonalise) && t.season < 2)
    {
      g_set_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_INVALID,
                   _("%s: %s needs a season of at least 2 points, and this series has none"),
                   name, spec->deseasonalise ? _("deseasonalising") : _("seasonal differencing"));
      return FALSE;
    }
  if (spec->deseasonalise && t.season > RECUR_TRANSFORM_MAX_SEASON)
    {
      g_set_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_INVALID,
                   _("%s: a season of %u points is too long to deseasonalise (at most %u)"),
                   name, t.season, RECUR_TRANSFORM_MAX_SEASON);
      return FALSE;
    }
  if (spec->deseasonalise && n_fit < 2 * t.season)
    {
      g_set_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_TOO_SHORT,
                   _("%s: deseasonalising needs two full seasons (%u points) in the training "
                     "part, which has %u"),
                   name, 2 * t.season, n_fit);
      return FALSE;
    }
  if (n_fit <= t.offset)
    {
      g_set_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_TOO_SHORT,
                   _("%s: differencing needs more than %u points in the training part, "
                     "which has %u"),
                   name, t.offset, n_fit);
      return FALSE;
    }

  switch (spec->box_cox)
    {
    case RECUR_BOX_COX_NONE:
      break;
    case RECUR_BOX_COX_GIVEN:
      if (!isfinite (spec->lambda))
        {
          g_set_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_INVALID,
                       _("%s: the Box-Cox λ must be a finite number"), name);
          return FALSE;
        }
      if (!check_positive (values, n_fit, spec->lambda, name, error))
        return FALSE;
      t.box_cox = TRUE;
      t.lambda = spec->lambda;
      break;
    case RECUR_BOX_COX_AUTO:
      /* Guerrero's method is for positive data: skipped, not an error, otherwise */
      t.box_cox = TRUE;
      for (guint i = 0; i < n_fit; i++)
        if (!(values[i] > 0))
          t.box_cox = FALSE;
      if (t.box_cox)
        t.lambda = recur_guerrero_lambda (values, n_fit, t.season,
                                          RECUR_BOX_COX_LOWER, RECUR_BOX_COX_UPPER);
      break;
    default:
      g_return_val_if_reached (FALSE);
    }

  /* (x^λ − 1)/λ keeps x only to ε·|b|/x^λ: λ ≠ 0 on values far below 1 (1e-150, or 1e-12 with
   * λ = 1) leaves nothing of them to invert, and a huge x^λ overflows. Automatic: skipped;
   * given: refused */
  if (t.box_cox)
    for (guint i = 0; i < n_fit; i++)
      {
        double b = recur_box_cox (values[i], t.lambda);
        double back = recur_box_cox_inverse (b, t.lambda);

        if (!isfinite (b) && spec->box_cox == RECUR_BOX_COX_GIVEN)
          break;  /* an overflow, reported below */
        if (!(fabs (back - values[i]) <= LOSSLESS * values[i]))
          {
            char text[G_ASCII_DTOSTR_BUF_SIZE], lambda_text[G_ASCII_DTOSTR_BUF_SIZE];

            if (spec->box_cox == RECUR_BOX_COX_AUTO)
              {
                t.box_cox = FALSE;
                t.lambda = 0;
                break;
              }
            format_arg (text, sizeof text, values[i]);
            format_arg (lambda_text, sizeof lambda_text, t.lambda);
            g_set_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_INVALID,
                         _("%s: value %u (%s) cannot be recovered from its Box-Cox transform "
                           "(λ = %s) in 64-bit numbers; a λ nearer 0 (0 is log) can"),
                         name, i + 1, text, lambda_text);
            return FALSE;
          }
      }

  work = g_new (double, n_fit);
  for (guint i = 0; i < n_fit; i++)
    {
      work[i] = t.box_cox ? recur_box_cox (values[i], t.lambda) : values[i];
      if (!isfinite (work[i]))
        {
          char text[G_ASCII_DTOSTR_BUF_SIZE], lambda_text[G_ASCII_DTOSTR_BUF_SIZE];

          format_arg (text, sizeof text, values[i]);
          format_arg (lambda_text, sizeof lambda_text, t.lambda);
          g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE,
                       _("%s: value %u (%s) is not finite after a Box-Cox transform "
                         "(λ = %s)"),
                       name, i + 1, text, lambda_text);
          return FALSE;
        }
    }
  if (spec->deseasonalise)
    {
      recur_classical_indices (work, n_fit, t.season, FALSE, t.seasonal_index);
      for (guint i = 0; i < n_fit; i++)
        work[i] -= t.seasonal_index[i % t.season];
    }
  difference_in_place (&t, work, n_fit);
  for (guint i = t.offset; i < n_fit; i++)
    if (!isfinite (work[i]))
      {
        g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE,
                     _("%s: value %u is not finite after differencing"), name, i + 1);
        return FALSE;
      }
  recur_scaler_fit (&t.scaler, spec->scaler, work + t.offset, n_fit - t.offset);
  *transform = t;
  return TRUE;
}

gboolean
recur_transform_forward (const RecurTransform *transform,
                         const double         *values,
                         guint                 n,
                         double               *out,
                         const char           *name,
                         GError              **error)
{
  const RecurTransform *t = transform;

  g_return_val_if_fail (t != NULL, FALSE);
  g_return_val_if_fail ((values != NULL && out != NULL) || n == 0, FALSE);

  if (!check_finite (values, n, name, error))
    return FALSE;
  if (t->box_cox && !check_positive (values, n, t->lambda, name, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      double x = values[i];

      out[i] = level_of (t, x, i);
      if (!isfinite (out[i]))
        {
          char text[G_ASCII_DTOSTR_BUF_SIZE], lambda_text[G_ASCII_DTOSTR_BUF_SIZE];

          format_arg (text, sizeof text, x);
          format_arg (lambda_text, sizeof lambda_text, t->lambda);
          g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE,
                       _("%s: value %u (%s) is not finite after a Box-Cox transform "
                         "(λ = %s)"),
                       name, i + 1, text, lambda_text);
          return FALSE;
        }
    }
  difference_in_place (t, out, n);
  for (guint i = t->offset; i < n; i++)
    {
      double s = recur_scaler_apply (&t->scaler, out[i]);

      if (!isfinite (s))
        {
          g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE,
                       _("%s: value %u is not finite after its transforms"), name, i + 1);
          return FALSE;
        }
      out[i] = s;
    }
  return TRUE;
}

/* u of row r: from the history below n, from the forecasts' u (kept in out) from n on. */
static inline double
level_at (const RecurTransform *t,
          const double         *history,
          guint                 n,
          const double         *u_out,
          guint                 row)
{
  return row < n ? level_of (t, history[row], row) : u_out[row - n];
}

/* The first difference y of row r (u itself without first differencing). */
static inline double
first_difference_at (const RecurTransform *t,
                     const double         *history,
                     guint                 n,
                     const double         *u_out,
                     guint                 row)
{
  double u = level_at (t, history, n, u_out, row);

  return t->spec.difference ? u - level_at (t, history, n, u_out, row - 1) : u;
}

gboolean
recur_transform_inverse (const RecurTransform *transform,
                         const double         *history,
                         guint                 n_history,
                         const double         *s_out,
                         guint                 steps,
                         double               *out,
                         GError              **error)
{
  const RecurTransform *t = transform;
  guint n = n_history;

  g_return_val_if_fail (t != NULL, FALSE);
  g_return_val_if_fail ((s_out != NULL && out != NULL) || steps == 0, FALSE);
  g_return_val_if_fail (n_history >= t->offset, FALSE);
  g_return_val_if_fail (history != NULL || t->offset == 0, FALSE);

  /* the history rows differencing reads must be valid for Box-Cox */
  if (t->box_cox && t->offset > 0)
    for (guint row = n - t->offset; row < n; row++)
      if (!(history[row] > 0) || !isfinite (history[row]))
        {
          char text[G_ASCII_DTOSTR_BUF_SIZE];

          format_arg (text, sizeof text, history[row]);
          g_set_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_NOT_POSITIVE,
                       _("value %u (%s) of the history is not positive: the forecast cannot "
                         "be undone from a Box-Cox transform"),
                       row + 1, text);
          return FALSE;
        }

  /* first pass: out[k] = u of row n + k, integrating the differences from the end of history */
  for (guint k = 0; k < steps; k++)
    {
      guint row = n + k;
      double y = recur_scaler_invert (&t->scaler, s_out[k]);

      if (t->spec.seasonal_difference)
        y += first_difference_at (t, history, n, out, row - t->season);
      out[k] = t->spec.difference ? y + level_at (t, history, n, out, row - 1) : y;
    }
  /* second pass: re-add the indices, inverse Box-Cox */
  for (guint k = 0; k < steps; k++)
    {
      double b = out[k];
      double x;

      if (t->spec.deseasonalise)
        b += t->seasonal_index[(n + k + t->phase) % t->season];
      x = t->box_cox ? recur_box_cox_inverse (b, t->lambda) : b;
      if (t->box_cox && t->lambda != 0 && !(t->lambda * b > -1))
        {
          char text[G_ASCII_DTOSTR_BUF_SIZE], lambda_text[G_ASCII_DTOSTR_BUF_SIZE];

          format_arg (text, sizeof text, b);
          format_arg (lambda_text, sizeof lambda_text, t->lambda);
          g_set_error (error, RECUR_TRANSFORM_ERROR, RECUR_TRANSFORM_ERROR_DOMAIN,
                       _("forecast step %u (%s) lies outside the values a Box-Cox transform "
                         "(λ = %s) can give: it would be below 0 in the series’ units"),
                       k + 1, text, lambda_text);
          return FALSE;
        }
      if (!isfinite (x))
        {
          g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE,
                       _("forecast step %u is not finite after undoing the transforms"),
                       k + 1);
          return FALSE;
        }
      out[k] = x;
    }
  return TRUE;
}

double
recur_window_level (RecurWindowNorm norm,
                    const double   *s,
                    guint           len)
{
  return recur_window_level_strided (norm, s, len, 1);
}

double
recur_window_level_strided (RecurWindowNorm norm,
                            const double   *s,
                            guint           len,
                            gsize           stride)
{
  double sum = 0;

  switch (norm)
    {
    case RECUR_WINDOW_NORM_NONE:
      return 0;
    case RECUR_WINDOW_NORM_LAST:
      g_return_val_if_fail (len > 0, 0);
      return s[(gsize) (len - 1) * stride];
    case RECUR_WINDOW_NORM_MEAN:
      g_return_val_if_fail (len > 0, 0);
      for (guint i = 0; i < len; i++)
        sum += s[(gsize) i * stride];
      return sum / len;
    default:
      g_return_val_if_reached (0);
    }
}
