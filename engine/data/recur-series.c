/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"

#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "recur-memory.h"
#include "recur-series.h"
#include "recur-series-private.h"

/* ------------------------------------------------------------------------------------------ */
/* RecurSeries                                                                                */
/* ------------------------------------------------------------------------------------------ */

gboolean
recur_vec_append (RecurVec      *v,
                  gsize          size,
                  gconstpointer  value)
{
  if (v->len == v->capacity)
    {
      guint capacity = v->capacity == 0 ? 256
                       : v->capacity <= G_MAXUINT / 2 ? v->capacity * 2 : G_MAXUINT;
      gpointer data = capacity > v->len ? g_try_realloc_n (v->data, capacity, size) : NULL;

      if (data == NULL)
        return FALSE;
      v->data = data;
      v->capacity = capacity;
    }
  memcpy ((char *) v->data + (gsize) v->len * size, value, size);
  v->len++;
  return TRUE;
}

void
recur_vec_clear (RecurVec *v)
{
  g_clear_pointer (&v->data, g_free);
  v->len = v->capacity = 0;
}

RecurSeries *
recur_series_new (const char *path)
{
  RecurSeries *self = g_new0 (RecurSeries, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->path = g_strdup (path);
  self->time_column = -1;
  self->frequency = RECUR_FREQUENCY_NONE;
  return self;
}

/* A copy of the first n items of v, or FALSE when memory runs out. */
static gboolean
vec_copy_head (RecurVec       *dest,
               const RecurVec *src,
               gsize           size,
               guint           n)
{
  guint len = MIN (n, src->len);

  *dest = (RecurVec) { 0 };
  if (len == 0)
    return TRUE;
  dest->data = g_try_malloc_n (len, size);
  if (dest->data == NULL)
    return FALSE;
  memcpy (dest->data, src->data, (gsize) len * size);
  dest->len = dest->capacity = len;
  return TRUE;
}

RecurSeries *
recur_series_new_head (const RecurSeries  *self,
                       guint               n_rows,
                       GError            **error)
{
  g_autoptr(RecurSeries) head = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (self != NULL && n_rows <= self->n_rows, NULL);
  head = recur_series_new (self->path);
  head->n_rows = n_rows;
  head->n_columns = self->n_columns;
  head->columns = g_new0 (RecurColumn, self->n_columns);
  for (guint j = 0; j < self->n_columns; j++)
    {
      const RecurColumn *c = &self->columns[j];
      RecurColumn *h = &head->columns[j];

      h->name = g_strdup (c->name);
      h->type = c->type;
      h->decided = c->decided;
      h->first_text = g_strdup (c->first_text);
      h->first_text_line = c->first_text_line;
      ok &= vec_copy_head (&h->values, &c->values, sizeof (double), n_rows);
      for (guint i = 0; i < h->values.len; i++)
        h->n_missing += isnan (RECUR_VEC_INDEX (h->values, double, i));
    }
  ok &= vec_copy_head (&head->lines, &self->lines, sizeof (guint), n_rows);
  ok &= vec_copy_head (&head->timestamps, &self->timestamps, sizeof (gint64), n_rows);
  head->time_column = self->time_column;
  head->has_time_of_day = self->has_time_of_day;
  head->has_utc_offset = self->has_utc_offset;
  head->frequency = self->frequency;
  head->median_step = self->median_step;
  if (!ok)
    {
      g_autofree char *what = g_strdup_printf (_("the first %u rows of %s"), n_rows,
                                               self->path);
      recur_memory_set_error (error, (guint64) n_rows * (self->n_columns * sizeof (double)
                                                         + sizeof (guint) + sizeof (gint64)),
                              what);
      return NULL;
    }
  return g_steal_pointer (&head);
}

RecurSeries *
recur_series_ref (RecurSeries *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
recur_series_unref (RecurSeries *self)
{
  if (self == NULL || !g_atomic_ref_count_dec (&self->ref_count))
    return;
  for (guint j = 0; j < self->n_columns; j++)
    {
      g_free (self->columns[j].name);
      g_free (self->columns[j].first_text);
      recur_vec_clear (&self->columns[j].values);
    }
  g_free (self->columns);
  recur_vec_clear (&self->lines);
  recur_vec_clear (&self->timestamps);
  g_free (self->path);
  g_free (self);
}

const char *
recur_series_get_path (const RecurSeries *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->path;
}

guint
recur_series_get_n_rows (const RecurSeries *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_rows;
}

guint
recur_series_get_n_columns (const RecurSeries *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->n_columns;
}

const char *
recur_series_get_column_name (const RecurSeries *self,
                              guint              column)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);
  return self->columns[column].name;
}

RecurColumnType
recur_series_get_column_type (const RecurSeries *self,
                              guint              column)
{
  g_return_val_if_fail (self != NULL, RECUR_COLUMN_TEXT);
  g_return_val_if_fail (column < self->n_columns, RECUR_COLUMN_TEXT);
  return self->columns[column].type;
}

guint
recur_series_get_missing_count (const RecurSeries *self,
                                guint              column)
{
  g_return_val_if_fail (self != NULL, 0);
  g_return_val_if_fail (column < self->n_columns, 0);
  return self->columns[column].n_missing;
}

const double *
recur_series_get_values (const RecurSeries *self,
                         guint              column)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);
  if (self->columns[column].type != RECUR_COLUMN_NUMERIC)
    return NULL;
  return self->columns[column].values.data;
}

int
recur_series_get_time_column (const RecurSeries *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->time_column;
}

const gint64 *
recur_series_get_timestamps (const RecurSeries *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  if (self->time_column < 0)
    return NULL;
  return self->timestamps.data;
}

gboolean
recur_series_has_time_of_day (const RecurSeries *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->has_time_of_day;
}

RecurFrequency
recur_series_get_frequency (const RecurSeries *self)
{
  g_return_val_if_fail (self != NULL, RECUR_FREQUENCY_NONE);
  return self->frequency;
}

/* ------------------------------------------------------------------------------------------ */
/* Columns for forecasting                                                                    */
/* ------------------------------------------------------------------------------------------ */

static int
recur_series_lookup (const RecurSeries *self,
                     const char        *name,
                     gboolean           numeric_only)
{
  for (guint j = 0; j < self->n_columns; j++)
    {
      if (numeric_only && self->columns[j].type != RECUR_COLUMN_NUMERIC)
        continue;
      if (name == NULL || strcmp (self->columns[j].name, name) == 0)
        return (int) j;
    }
  return -1;
}

/* “a”, “b”, “c” */
static char *
recur_series_list_numeric (const RecurSeries *self)
{
  GString *list = g_string_new (NULL);

  for (guint j = 0; j < self->n_columns; j++)
    {
      if (self->columns[j].type != RECUR_COLUMN_NUMERIC)
        continue;
      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append_printf (list, "“%s”", self->columns[j].name);
    }
  return g_string_free (list, FALSE);
}

gboolean
recur_series_check_regular_file (const char  *path,
                                 GError     **error)
{
  g_autofree char *display = NULL;
  GStatBuf st;

  if (g_stat (path, &st) != 0 || S_ISREG (st.st_mode))
    return TRUE;
  display = g_filename_display_name (path);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               S_ISDIR (st.st_mode) ? _("%s is a folder, not a CSV file")
                                    : _("%s is not a regular file (a device, a FIFO or a socket), "
                                        "not a CSV file"),
               display);
  return FALSE;
}

char *
recur_series_describe_no_numbers (const RecurSeries *self,
                                  const char        *path)
{
  for (guint j = 0; j < self->n_columns; j++)
    if (self->columns[j].first_text != NULL)
      return g_strdup_printf (_("%s: no column holds numbers (line %u: column “%s” begins with "
                                "“%s”, which is not a number)"),
                              path, self->columns[j].first_text_line, self->columns[j].name,
                              self->columns[j].first_text);
  return g_strdup_printf (_("%s: no column holds numbers"), path);
}

gboolean
recur_series_find_column (const RecurSeries  *self,
                          const char         *name,
                          guint              *column,
                          GError            **error)
{
  g_autofree char *numeric = NULL;
  int found;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  found = recur_series_lookup (self, name, TRUE);
  /* two columns of one name: taking the first would be a guess, and a weights file naming it
   * could not say which (the default, the first numeric column, too) */
  for (guint j = 0; found >= 0 && j < self->n_columns; j++)
    if ((int) j != found && strcmp (self->columns[j].name, self->columns[found].name) == 0)
      {
        g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN,
                     _("%s: columns %u and %u are both named “%s”: rename one of them"),
                     self->path, MIN ((guint) found, j) + 1, MAX ((guint) found, j) + 1,
                     self->columns[found].name);
        return FALSE;
      }
  if (found >= 0)
    {
      if (column != NULL)
        *column = (guint) found;
      return TRUE;
    }

  numeric = recur_series_list_numeric (self);
  found = name != NULL ? recur_series_lookup (self, name, FALSE) : -1;
  if (name == NULL)
    {
      g_autofree char *message = recur_series_describe_no_numbers (self, self->path);

      g_set_error_literal (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN, message);
    }
  else if (found < 0)
    g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN,
                 _("%s: there is no column “%s”; the numeric columns are %s"),
                 self->path, name, numeric);
  else if (self->columns[found].type == RECUR_COLUMN_TIME)
    g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN,
                 _("%s: column “%s” holds dates, not numbers; the numeric columns are %s"),
                 self->path, name, numeric);
  else if (self->columns[found].first_text != NULL)
    g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN,
                 _("%s: column “%s” holds text, not numbers (line %u: “%s”); the numeric "
                   "columns are %s"),
                 self->path, name, self->columns[found].first_text_line,
                 self->columns[found].first_text, numeric);
  else
    g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN,
                 _("%s: column “%s” holds text, not numbers; the numeric columns are %s"),
                 self->path, name, numeric);
  return FALSE;
}

/* The point a fraction t of the way from a to b. Weighted, not a + (b - a) * t, and kept
 * between the two, so that values near the limits of a double cannot overflow to ±inf. */
static double
recur_between (double a,
               double b,
               double t)
{
  return CLAMP ((1.0 - t) * a + t * b, MIN (a, b), MAX (a, b));
}

/* Straight lines between the values on either side of each gap; the ends repeat the nearest
 * value, since there is nothing to draw a line to. */
static void
recur_fill_interpolate (double *v,
                        guint   n)
{
  guint previous = G_MAXUINT;

  for (guint i = 0; i < n; i++)
    {
      if (isnan (v[i]))
        continue;
      for (guint k = previous == G_MAXUINT ? 0 : previous + 1; k < i; k++)
        v[k] = previous == G_MAXUINT ? v[i] : recur_between (v[previous], v[i],
                                                              (double) (k - previous) / (i - previous));
      previous = i;
    }
  for (guint k = previous + 1; k < n; k++)
    v[k] = v[previous];
}

/* Last observation carried forward; a leading gap has none, so it takes the first value. */
static void
recur_fill_previous (double *v,
                     guint   n)
{
  guint first = 0;

  while (isnan (v[first]))
    first++;
  for (guint k = 0; k < first; k++)
    v[k] = v[first];
  for (guint i = first + 1; i < n; i++)
    if (isnan (v[i]))
      v[i] = v[i - 1];
}

static guint
recur_first_missing_row (const double *v,
                         guint         n)
{
  guint i = 0;

  while (i < n && !isnan (v[i]))
    i++;
  return i;
}

static void
fill_gaps (double             *v,
           guint               n,
           guint               n_missing,
           RecurMissingPolicy  policy)
{
  if (n_missing > 0 && policy == RECUR_MISSING_INTERPOLATE)
    recur_fill_interpolate (v, n);
  else if (n_missing > 0)
    recur_fill_previous (v, n);
}

double *
recur_series_fill_missing (const RecurSeries   *self,
                           guint                column,
                           RecurMissingPolicy   policy,
                           GError             **error)
{
  const RecurColumn *c;
  const double *values;
  double *filled;
  guint row;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (column < self->n_columns, NULL);
  g_return_val_if_fail (self->columns[column].type == RECUR_COLUMN_NUMERIC, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  c = &self->columns[column];
  values = c->values.data;
  if (c->n_missing == self->n_rows)
    {
      g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_ALL_MISSING,
                   _("%s: column “%s”: every value is missing, so there is nothing to fill "
                     "the gaps from"),
                   self->path, c->name);
      return NULL;
    }
  if (c->n_missing > 0 && policy == RECUR_MISSING_REFUSE)
    {
      row = recur_first_missing_row (values, self->n_rows);
      g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_MISSING_VALUES,
                   g_dngettext (GETTEXT_PACKAGE,
                                "%s:%u:%u: column “%s”: the value is missing "
                                "(%u missing value in this column)",
                                "%s:%u:%u: column “%s”: the value is missing "
                                "(%u missing values in this column)",
                                c->n_missing),
                   self->path, RECUR_VEC_INDEX (self->lines, guint, row), column + 1, c->name,
                   c->n_missing);
      return NULL;
    }

  filled = g_try_malloc_n (self->n_rows, sizeof (double));
  if (filled == NULL)
    {
      g_autofree char *what = g_strdup_printf (_("column “%s” of %s (%u values)"), c->name,
                                               self->path, self->n_rows);
      recur_memory_set_error (error, (guint64) self->n_rows * sizeof (double), what);
      return NULL;
    }
  memcpy (filled, values, (gsize) self->n_rows * sizeof (double));
  fill_gaps (filled, self->n_rows, c->n_missing, policy);
  return filled;
}

double *
recur_series_fill_missing_before (const RecurSeries   *self,
                                  guint                column,
                                  RecurMissingPolicy   policy,
                                  guint                cut,
                                  GError             **error)
{
  double *filled = recur_series_fill_missing (self, column, policy, error);
  const double *values;
  guint n_missing = 0;

  if (filled == NULL || cut == 0 || cut >= self->n_rows)
    return filled;
  /* again, from what lies before the cut alone: a gap just before it takes the last value
   * seen, not a line towards a value after it */
  values = self->columns[column].values.data;
  for (guint i = 0; i < cut; i++)
    n_missing += isnan (values[i]);
  if (n_missing == cut)
    return filled; /* nothing before the cut to fill from: the dataset refuses so short a part */
  memcpy (filled, values, (gsize) cut * sizeof (double));
  fill_gaps (filled, cut, n_missing, policy);
  return filled;
}
