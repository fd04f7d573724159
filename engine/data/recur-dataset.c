/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "recur-dataset.h"
#include "recur-memory.h"

G_DEFINE_QUARK (recur-dataset-error-quark, recur_dataset_error)

struct _RecurDataset
{
  RecurSplitSpec spec;
  RecurTransform transform;
  guint n;
  guint val_start;
  guint test_start;
  double *values;
  double *transformed; /* s of every row; NaN for the first transform.offset rows */
  RecurExtraInputs extra; /* n_channels 0: none */
  double *extra_values;
  guint n_forecast;       /* channels that are targets too */
};

/* Every transformed value must fit the model's floats: one far outside the training part's range
 * (1e43 after values near 100) would become an infinity, and every forecast from it NaN. */
static gboolean
check_representable (const RecurDataset  *self,
                     const char          *name,
                     GError             **error)
{
  for (guint i = self->transform.offset; i < self->n; i++)
    if (!(fabs (self->transformed[i]) <= FLT_MAX))
      {
        char text[G_ASCII_DTOSTR_BUF_SIZE];

        g_ascii_formatd (text, sizeof text, "%.6g", self->values[i]);
        g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_NOT_FINITE,
                     _("%s: value %u (%s) lies too far outside the range of the training "
                       "part to be scaled into the model’s 32-bit numbers"),
                     name, i + 1, text);
        return FALSE;
      }
  return TRUE;
}

RecurDataset *
recur_dataset_new (const double         *values,
                   guint                 n,
                   const RecurSplitSpec *spec,
                   const char           *name,
                   GError              **error)
{
  g_autoptr(RecurDataset) self = NULL;
  guint out = spec->output_size, val_len, before_test, need, offset;

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

  /* differencing leaves the first `offset` rows without a value to learn from */
  offset = (spec->transform.difference ? 1 : 0)
           + (spec->transform.seasonal_difference ? MAX (spec->season, 1) : 0);
  before_test = n > spec->horizon ? n - spec->horizon : 0;
  val_len = spec->val_fraction > 0.0
              ? MAX ((guint) lround (spec->val_fraction * before_test), out)
              : 0;
  /* one training window at least, and the window before the test part */
  need = (guint) MIN ((guint64) offset + spec->window + out + val_len + spec->horizon, G_MAXUINT);
  if (n < need || before_test < offset + spec->window)
    {
      if (offset == 0)
        g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_TOO_SHORT,
                     _("%s: the series has %u points, but window %u + horizon %u + validation %u "
                       "+ one training target of %u need at least %u"),
                     name, n, spec->window, spec->horizon, val_len, out, need);
      else
        g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_TOO_SHORT,
                     g_dngettext (GETTEXT_PACKAGE,
                                  "%s: the series has %u points, but window %u + horizon %u + "
                                  "validation %u + one training target of %u + the %u point "
                                  "differencing takes need at least %u",
                                  "%s: the series has %u points, but window %u + horizon %u + "
                                  "validation %u + one training target of %u + the %u points "
                                  "differencing takes need at least %u", offset),
                     name, n, spec->window, spec->horizon, val_len, out, offset, need);
      return NULL;
    }

  self = g_new0 (RecurDataset, 1);
  self->spec = *spec;
  self->n = n;
  self->test_start = before_test;
  self->val_start = before_test - val_len;
  /* as many as the file has rows */
  self->values = g_try_malloc_n (n, sizeof (double));
  self->transformed = self->values ? g_try_malloc_n (n, sizeof (double)) : NULL;
  if (self->transformed == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("%s (%u values)"), name, n);
      recur_memory_set_error (error, (guint64) n * 2 * sizeof (double), what);
      return NULL;
    }
  memcpy (self->values, values, (gsize) n * sizeof (double));
  /* fitted on the training part only; applied to every row (the future forecast's window
   * reaches into the test part) */
  if (!recur_transform_fit (&self->transform, &spec->transform, values, self->val_start,
                            spec->season, name, error)
      || !recur_transform_forward (&self->transform, values, n, self->transformed, name, error)
      || !check_representable (self, name, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
recur_dataset_free (RecurDataset *self)
{
  if (self == NULL)
    return;
  g_free (self->values);
  g_free (self->transformed);
  g_free (self->extra_values);
  g_free (self);
}

const RecurSplitSpec *
recur_dataset_get_spec (const RecurDataset *self)
{
  return &self->spec;
}

const RecurTransform *
recur_dataset_get_transform (const RecurDataset *self)
{
  return &self->transform;
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

const double *
recur_dataset_get_transformed (const RecurDataset *self)
{
  return self->transformed;
}

void
recur_dataset_set_extra_inputs (RecurDataset *self,
                                double       *values,
                                guint         n_channels,
                                guint         n_levelled,
                                guint         n_rows,
                                guint         n_forecast)
{
  g_return_if_fail (n_rows >= self->n && n_levelled <= n_channels);
  g_return_if_fail (n_forecast <= n_levelled && (n_forecast == 0 || self->spec.output_size == 1));
  self->n_forecast = n_forecast;
  g_free (self->extra_values);
  self->extra_values = n_channels ? values : (g_free (values), NULL);
  self->extra = (RecurExtraInputs) {
    .values = self->extra_values,
    .n_channels = n_channels,
    .n_levelled = n_levelled,
    .n_rows = n_rows,
  };
}

const RecurExtraInputs *
recur_dataset_get_extra_inputs (const RecurDataset *self)
{
  return self->extra.n_channels ? &self->extra : NULL;
}

guint
recur_dataset_get_input_size (const RecurDataset *self)
{
  return 1 + self->extra.n_channels;
}

guint
recur_dataset_get_target_size (const RecurDataset *self)
{
  return self->spec.output_size + self->n_forecast;
}

guint
recur_dataset_get_n_train_windows (const RecurDataset *self)
{
  return self->val_start - self->transform.offset - self->spec.window - self->spec.output_size
         + 1;
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
  return self->transform.offset + i;
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
  recur_dataset_gather_last (self, self->spec.window, starts, batch, input, target);
}

void
recur_dataset_gather_last (const RecurDataset *self,
                           guint               T,
                           const guint        *starts,
                           guint               batch,
                           float              *input,
                           float              *target)
{
  guint out = self->spec.output_size, I = recur_dataset_get_input_size (self);
  RecurWindowNorm norm = self->transform.spec.window_norm;

  g_return_if_fail (T >= 1 && T <= self->spec.window);
  for (guint b = 0; b < batch; b++)
    {
      guint first = starts[b] + (self->spec.window - T);
      const double *src = self->transformed + first;
      /* in double, then cast: a level far from 0 keeps the window's small changes */
      double level = recur_window_level (norm, src, T);

      for (guint t = 0; t < T; t++)
        input[((gsize) t * batch + b) * I] = (float) (src[t] - level);
      if (I > 1)
        recur_extra_inputs_gather (&self->extra, first, T, b, batch, norm, input);
      if (target)
        {
          guint size = out + self->n_forecast;

          for (guint k = 0; k < out; k++)
            target[(gsize) b * size + k] = (float) (src[T + k] - level);
          /* a recursive model's input columns, one step ahead */
          for (guint c = 0; c < self->n_forecast; c++)
            target[(gsize) b * size + out + c] =
              (float) (self->extra.values[(gsize) (first + T) * self->extra.n_channels + c]
                       - recur_extra_inputs_level (&self->extra, first, T, c, norm));
        }
    }
}
