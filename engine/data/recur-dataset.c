/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "recur-dataset.h"
#include "recur-memory.h"
#include "recur-names.h"

G_DEFINE_QUARK (recur-dataset-error-quark, recur_dataset_error)

struct _RecurDataset
{
  RecurSplitSpec spec;
  RecurScaler scaler;
  guint n;
  guint val_start;
  guint test_start;
  double *values;
  float *scaled;
};

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

RecurDataset *
recur_dataset_new (const double         *values,
                   guint                 n,
                   const RecurSplitSpec *spec,
                   const char           *name,
                   GError              **error)
{
  g_autoptr(RecurDataset) self = NULL;
  guint out = spec->output_size, val_len, before_test, need;

  if (spec->window < 1 || spec->horizon < 1 || out < 1
      || !(spec->val_fraction >= 0.0 && spec->val_fraction < 1.0))
    {
      g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_INVALID,
                   _("%s: window, horizon and output size must be at least 1 and the validation "
                     "fraction in [0, 1)"), name);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    if (!isfinite (values[i]))
      {
        g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE,
                     _("%s: value %u is not a finite number"), name, i + 1);
        return NULL;
      }

  before_test = n > spec->horizon ? n - spec->horizon : 0;
  val_len = spec->val_fraction > 0.0
              ? MAX ((guint) lround (spec->val_fraction * before_test), out)
              : 0;
  /* one training window at least, and the window before the test part */
  need = (guint) MIN ((guint64) spec->window + out + val_len + spec->horizon, G_MAXUINT);
  if (n < need || before_test < spec->window)
    {
      g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_TOO_SHORT,
                   _("%s: the series has %u points, but window %u + horizon %u + validation %u "
                     "+ one training target of %u need at least %u"),
                   name, n, spec->window, spec->horizon, val_len, out, need);
      return NULL;
    }

  self = g_new0 (RecurDataset, 1);
  self->spec = *spec;
  self->n = n;
  self->test_start = before_test;
  self->val_start = before_test - val_len;
  /* as many as the file has rows */
  self->values = g_try_malloc_n (n, sizeof (double));
  self->scaled = self->values ? g_try_malloc_n (n, sizeof (float)) : NULL;
  if (self->scaled == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("%s (%u values)"), name, n);
      recur_memory_set_error (error, (guint64) n * (sizeof (double) + sizeof (float)), what);
      return NULL;
    }
  memcpy (self->values, values, (gsize) n * sizeof (double));
  recur_scaler_fit (&self->scaler, spec->scaler, values, self->val_start);
  for (guint i = 0; i < n; i++)
    {
      double scaled = recur_scaler_apply (&self->scaler, values[i]);

      /* a value far outside the training part's range (1e43 after values near 100) would
       * become an infinity in the model's floats, and every forecast from it NaN */
      if (!(fabs (scaled) <= FLT_MAX))
        {
          char text[G_ASCII_DTOSTR_BUF_SIZE];

          g_ascii_formatd (text, sizeof text, "%.6g", values[i]);
          g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE,
                       _("%s: value %u (%s) lies too far outside the range of the training "
                         "part to be scaled into the model’s 32-bit numbers"),
                       name, i + 1, text);
          return NULL;
        }
      self->scaled[i] = (float) scaled;
    }
  return g_steal_pointer (&self);
}

void
recur_dataset_free (RecurDataset *self)
{
  if (self == NULL)
    return;
  g_free (self->values);
  g_free (self->scaled);
  g_free (self);
}

const RecurSplitSpec *
recur_dataset_get_spec (const RecurDataset *self)
{
  return &self->spec;
}

const RecurScaler *
recur_dataset_get_scaler (const RecurDataset *self)
{
  return &self->scaler;
}

guint
recur_dataset_get_n_points (const RecurDataset *self)
{
  return self->n;
}

guint
recur_dataset_get_val_start (const RecurDataset *self)
{
  return self->val_start;
}

guint
recur_dataset_get_test_start (const RecurDataset *self)
{
  return self->test_start;
}

const double *
recur_dataset_get_values (const RecurDataset *self)
{
  return self->values;
}

const float *
recur_dataset_get_scaled (const RecurDataset *self)
{
  return self->scaled;
}

guint
recur_dataset_get_n_train_windows (const RecurDataset *self)
{
  return self->val_start - self->spec.window - self->spec.output_size + 1;
}

guint
recur_dataset_get_n_val_windows (const RecurDataset *self)
{
  guint val_len = self->test_start - self->val_start;

  return val_len >= self->spec.output_size ? val_len - self->spec.output_size + 1 : 0;
}

guint
recur_dataset_train_window_start (const RecurDataset *self,
                                  guint               i)
{
  return i;
}

guint
recur_dataset_val_window_start (const RecurDataset *self,
                                guint               i)
{
  return self->val_start - self->spec.window + i;
}

void
recur_dataset_gather (const RecurDataset *self,
                      const guint        *starts,
                      guint               batch,
                      float              *input,
                      float              *target)
{
  guint T = self->spec.window, out = self->spec.output_size;

  for (guint b = 0; b < batch; b++)
    {
      const float *src = self->scaled + starts[b];
      for (guint t = 0; t < T; t++)
        input[(gsize) t * batch + b] = src[t];
      if (target)
        for (guint k = 0; k < out; k++)
          target[(gsize) b * out + k] = src[T + k];
    }
}
