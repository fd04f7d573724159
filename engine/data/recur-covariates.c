/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "recur-covariates.h"
#include "recur-memory.h"

G_DEFINE_QUARK (recur-covariate-error-quark, recur_covariate_error)

static const char *const cycle_names[] = { "day", "week", "year" };

#define N_CYCLES G_N_ELEMENTS (cycle_names)

void
recur_covariates_init (RecurCovariates *self)
{
  memset (self, 0, sizeof *self);
}

void
recur_covariates_clear (RecurCovariates *self)
{
  g_strfreev (self->names);
  recur_covariates_init (self);
}

void
recur_covariates_copy (RecurCovariates       *dest,
                       const RecurCovariates *src)
{
  *dest = *src;
  dest->names = g_strdupv (src->names);
}

guint
recur_calendar_n_channels (RecurCalendar calendar)
{
  guint n = 0;

  for (guint c = 0; c < N_CYCLES; c++)
    n += (calendar >> c) & 1;
  return 2 * n;
}

guint
recur_covariates_n_channels (const RecurCovariates *self)
{
  return self->n_inputs + recur_calendar_n_channels (self->calendar);
}

char *
recur_calendar_to_string (RecurCalendar calendar)
{
  GString *text = g_string_new (NULL);

  for (guint c = 0; c < N_CYCLES; c++)
    if (calendar & (1u << c))
      g_string_append_printf (text, "%s%s", text->len ? "," : "", cycle_names[c]);
  return g_string_free (text, FALSE);
}

gboolean
recur_calendar_from_string (const char    *text,
                            RecurCalendar *calendar)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);
  RecurCalendar result = 0;

  for (guint i = 0; parts[i] && *text; i++)
    {
      guint c = 0;

      while (c < N_CYCLES && !g_str_equal (parts[i], cycle_names[c]))
        c++;
      if (c == N_CYCLES)
        return FALSE;
      result |= 1u << c;
    }
  *calendar = result;
  return TRUE;
}

/* The cycles longer than two steps of spacing seconds. */
static RecurCalendar
calendar_for_spacing (gint64 spacing)
{
  static const gint64 cycle_seconds[] = { 86400, 7 * 86400, 365 * 86400 };
  RecurCalendar calendar = 0;

  for (guint c = 0; c < N_CYCLES; c++)
    if (spacing > 0 && 2 * spacing < cycle_seconds[c])
      calendar |= 1u << c;
  return calendar;
}

gboolean
recur_calendar_for_series (const RecurSeries  *series,
                           RecurCalendar      *calendar,
                           GError            **error)
{
  const gint64 *t = recur_series_get_timestamps (series);
  gint64 spacing;

  if (t == NULL)
    {
      g_set_error (error, RECUR_COVARIATE_ERROR, RECUR_COVARIATE_ERROR_NO_DATES,
                   _("%s: calendar features need dates, and the file has no time column"),
                   recur_series_get_path (series));
      return FALSE;
    }
  /* a month is two steps of a fortnight, not of 31 days: months step by their own length */
  spacing = recur_series_advance_timestamp (series, t[0], 1) - t[0];
  *calendar = calendar_for_spacing (spacing);
  if (*calendar == 0)
    {
      g_set_error (error, RECUR_COVARIATE_ERROR, RECUR_COVARIATE_ERROR_NO_DATES,
                   _("%s: the dates are %s: no calendar cycle (time of day, day of the week, "
                     "month of the year) changes between them"),
                   recur_series_get_path (series),
                   recur_frequency_to_display (recur_series_get_frequency (series)));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_numeric (const RecurSeries  *series,
               guint               column,
               GError            **error)
{
  RecurColumnType type = recur_series_get_column_type (series, column);

  if (type == RECUR_COLUMN_NUMERIC)
    return TRUE;
  g_set_error (error, RECUR_COVARIATE_ERROR, RECUR_COVARIATE_ERROR_NOT_NUMERIC,
               type == RECUR_COLUMN_TIME
                 ? _("%s: column “%s” holds dates, not numbers: it cannot be an input")
                 : _("%s: column “%s” holds text, not numbers: it cannot be an input"),
               recur_series_get_path (series), recur_series_get_column_name (series, column));
  return FALSE;
}

static gboolean
check_names (const RecurSeries  *series,
             guint               target_column,
             const char *const  *names,
             GError            **error)
{
  const char *path = recur_series_get_path (series);
  guint n = names ? g_strv_length ((char **) names) : 0;

  if (n > RECUR_MAX_COVARIATES)
    {
      g_set_error (error, RECUR_COVARIATE_ERROR, RECUR_COVARIATE_ERROR_INVALID,
                   _("%s: %u input columns; a model reads at most %u beside the target"),
                   path, n, RECUR_MAX_COVARIATES);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      guint column;

      if (!recur_series_find_column (series, names[i], &column, error))
        return FALSE;
      if (column == target_column)
        {
          g_set_error (error, RECUR_COVARIATE_ERROR, RECUR_COVARIATE_ERROR_INVALID,
                       _("%s: column “%s” is the column to forecast: its past values are "
                         "already the model’s first input"), path, names[i]);
          return FALSE;
        }
      if (!check_numeric (series, column, error))
        return FALSE;
      for (guint j = 0; j < i; j++)
        if (g_str_equal (names[i], names[j]))
          {
            g_set_error (error, RECUR_COVARIATE_ERROR, RECUR_COVARIATE_ERROR_INVALID,
                         _("%s: column “%s” is listed twice among the inputs"), path,
                         names[i]);
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
recur_covariates_fit (RecurCovariates    *self,
                      const RecurSeries  *series,
                      guint               target_column,
                      const char *const  *names,
                      gboolean            calendar,
                      RecurMissingPolicy  policy,
                      guint               cut,
                      guint               n_fit,
                      GError            **error)
{
  RecurCovariates fitted;

  g_return_val_if_fail (n_fit >= 1, FALSE);
  recur_covariates_init (&fitted);
  if (!check_names (series, target_column, names, error)
      || (calendar && !recur_calendar_for_series (series, &fitted.calendar, error)))
    return FALSE;
  fitted.n_inputs = names ? g_strv_length ((char **) names) : 0;
  for (guint i = 0; i < fitted.n_inputs; i++)
    {
      guint column;
      g_autofree double *filled = NULL;

      recur_series_find_column (series, names[i], &column, NULL);
      filled = recur_series_fill_missing_before (series, column, policy, cut, error);
      if (filled == NULL)
        return FALSE;
      recur_scaler_fit (&fitted.scalers[i], RECUR_SCALER_ZSCORE, filled, n_fit);
    }
  fitted.names = fitted.n_inputs ? g_strdupv ((char **) names) : NULL;
  recur_covariates_clear (self);
  *self = fitted;
  return TRUE;
}

/* Every covariate column of series, or an error listing those it lacks. */
static gboolean
find_columns (const RecurCovariates  *self,
              const RecurSeries      *series,
              guint                  *columns,
              GError                **error)
{
  g_autoptr(GString) missing = g_string_new (NULL);
  guint n_missing = 0;

  for (guint i = 0; i < self->n_inputs; i++)
    if (!recur_series_find_column (series, self->names[i], &columns[i], NULL))
      g_string_append_printf (missing, "%s“%s”", n_missing++ ? ", " : "", self->names[i]);
  if (n_missing == 0)
    return TRUE;
  g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN,
               g_dngettext (GETTEXT_PACKAGE,
                            "%s: the model reads the input column %s, which this file does "
                            "not have",
                            "%s: the model reads the input columns %s, which this file does "
                            "not have", n_missing),
               recur_series_get_path (series), missing->str);
  return FALSE;
}

static gboolean
fill_covariate (const RecurCovariates  *self,
                const RecurSeries      *series,
                guint                   i,
                guint                   column,
                guint                   n_rows,
                RecurMissingPolicy      policy,
                guint                   cut,
                double                 *out,
                guint                   stride,
                GError                **error)
{
  g_autofree double *filled = NULL;

  if (!check_numeric (series, column, error))
    return FALSE;
  filled = recur_series_fill_missing_before (series, column, policy, cut, error);
  if (filled == NULL)
    return FALSE;
  for (guint r = 0; r < n_rows; r++)
    {
      double v = recur_scaler_apply (&self->scalers[i], filled[r]);

      if (!(fabs (v) <= FLT_MAX))
        {
          char text[G_ASCII_DTOSTR_BUF_SIZE];

          g_ascii_formatd (text, sizeof text, "%.6g", filled[r]);
          g_set_error (error, RECUR_COVARIATE_ERROR, RECUR_COVARIATE_ERROR_INVALID,
                       _("%s: column “%s”: value %u (%s) lies too far outside the range of the "
                         "training part to be scaled into the model’s 32-bit numbers"),
                       recur_series_get_path (series), self->names[i], r + 1, text);
          return FALSE;
        }
      out[(gsize) r * stride] = v;
    }
  return TRUE;
}

static void
fill_calendar (const RecurCovariates *self,
               const RecurSeries     *series,
               guint                  n_rows,
               guint                  n_future,
               double                *out,
               guint                  stride)
{
  const gint64 *t = recur_series_get_timestamps (series);

  for (guint r = 0; r < n_rows + n_future; r++)
    {
      gint64 when = r < n_rows ? t[r]
                               : recur_series_advance_timestamp (series, t[n_rows - 1],
                                                                 r - n_rows + 1);
      double *row = out + (gsize) r * stride;

      for (guint c = 0, k = 0; c < N_CYCLES; c++)
        if (self->calendar & (1u << c))
          {
            double angle = 2 * G_PI * recur_cycle_fraction ((RecurCycle) c, when);

            row[k++] = sin (angle);
            row[k++] = cos (angle);
          }
    }
}

double *
recur_covariates_channels (const RecurCovariates *self,
                           const RecurSeries     *series,
                           guint                  n_rows,
                           guint                  n_future,
                           RecurMissingPolicy     policy,
                           guint                  cut,
                           GError               **error)
{
  guint C = recur_covariates_n_channels (self);
  guint columns[RECUR_MAX_COVARIATES];
  g_autofree double *out = NULL;
  gsize n = (gsize) (n_rows + n_future) * C;

  g_return_val_if_fail (n_rows >= 1 && n_rows <= recur_series_get_n_rows (series), NULL);
  if (!find_columns (self, series, columns, error))
    return NULL;
  if (self->calendar && recur_series_get_timestamps (series) == NULL)
    {
      g_set_error (error, RECUR_COVARIATE_ERROR, RECUR_COVARIATE_ERROR_NO_DATES,
                   _("%s: the model reads calendar features, which need dates, and the file "
                     "has no time column"), recur_series_get_path (series));
      return NULL;
    }
  out = g_try_malloc_n (MAX (n, 1), sizeof (double));
  if (out == NULL)
    {
      recur_memory_set_error (error, n * sizeof (double), _("the input columns"));
      return NULL;
    }
  for (guint i = 0; i < self->n_inputs; i++)
    {
      if (!fill_covariate (self, series, i, columns[i], n_rows, policy, cut, out + i, C, error))
        return NULL;
      for (guint r = n_rows; r < n_rows + n_future; r++)
        out[(gsize) r * C + i] = NAN;
    }
  if (self->calendar)
    fill_calendar (self, series, n_rows, n_future, out + self->n_inputs, C);
  return g_steal_pointer (&out);
}

double
recur_extra_inputs_level (const RecurExtraInputs *self,
                          guint                   row,
                          guint                   T,
                          guint                   c,
                          RecurWindowNorm         norm)
{
  return c < self->n_levelled
         ? recur_window_level_strided (norm, self->values + (gsize) row * self->n_channels + c,
                                       T, self->n_channels)
         : 0;
}

void
recur_extra_inputs_gather (const RecurExtraInputs *self,
                           guint                   row,
                           guint                   T,
                           guint                   b,
                           guint                   batch,
                           RecurWindowNorm         norm,
                           float                  *input)
{
  guint C = self->n_channels, I = 1 + C;

  g_return_if_fail (row + T <= self->n_rows);
  for (guint c = 0; c < C; c++)
    {
      const double *src = self->values + (gsize) row * C + c;
      double level = recur_extra_inputs_level (self, row, T, c, norm);

      for (guint t = 0; t < T; t++)
        input[((gsize) t * batch + b) * I + 1 + c] = (float) (src[(gsize) t * C] - level);
    }
}
