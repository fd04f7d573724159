/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"

#include "config.h"

#include <csv.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "recur-memory.h"
#include "recur-series.h"

G_DEFINE_QUARK (recur-csv-error-quark, recur_csv_error)

#define RECUR_CSV_CHUNK_SIZE  (64 * 1024)
/* The delimiter is chosen from the first lines; they wait in memory until then. */
#define RECUR_CSV_SNIFF_LINES 20
#define RECUR_CSV_SNIFF_BYTES (64 * 1024)

#define RECUR_MINUTE          G_GINT64_CONSTANT (60)
#define RECUR_HOUR            (60 * RECUR_MINUTE)
#define RECUR_DAY             (24 * RECUR_HOUR)
/* GDate's Julian day number of 1970-01-01 (day 1 is 0001-01-01) */
#define RECUR_JULIAN_1970     G_GINT64_CONSTANT (719163)
/* GDate's Julian day number of 9999-12-31: GDateTime and our formats stop there */
#define RECUR_JULIAN_MAX      G_GINT64_CONSTANT (3652059)

/* ------------------------------------------------------------------------------------------ */
/* Field values                                                                               */
/* ------------------------------------------------------------------------------------------ */

typedef enum
{
  RECUR_VALUE_MISSING,
  RECUR_VALUE_NUMBER,
  RECUR_VALUE_NOT_FINITE,
  RECUR_VALUE_DATE,       /* shaped like an ISO 8601 date, though maybe not a real one */
  RECUR_VALUE_TEXT,
} RecurValueKind;

typedef enum
{
  RECUR_DATE_NONE,        /* not shaped like an ISO 8601 date at all */
  RECUR_DATE_INVALID,     /* shaped like one, but no real date or time: 2024-02-30, 25:00 */
  RECUR_DATE_VALID,
} RecurDateParse;

static gboolean
recur_value_is_missing (const char *text)
{
  static const char * const spellings[] = { "", "NA", "N/A", "NaN", "null" };

  for (guint i = 0; i < G_N_ELEMENTS (spellings); i++)
    if (g_ascii_strcasecmp (text, spellings[i]) == 0)
      return TRUE;
  return FALSE;
}

/* strtod reads these too, so they are caught by name before it */
static gboolean
recur_value_is_infinity (const char *text)
{
  if (*text == '+' || *text == '-')
    text++;
  return g_ascii_strcasecmp (text, "inf") == 0 || g_ascii_strcasecmp (text, "infinity") == 0;
}

static guint
recur_number_copy_digits (const char **p,
                          char       **out)
{
  guint n = 0;

  for (; g_ascii_isdigit (**p); (*p)++, n++)
    *(*out)++ = **p;
  return n;
}

/* Copies the digits before the decimal separator, dropping thousands separators when they
 * form real groups: "1,234,567" but neither "12,34" nor "1234,567", which are typos or
 * decimal commas in disguise. */
static gboolean
recur_number_copy_integer (const char **p,
                           char         group,
                           char       **out,
                           guint       *n_digits)
{
  const char *s = *p;
  guint run = 0;
  gboolean grouped = FALSE;

  for (; g_ascii_isdigit (*s) || (group != '\0' && *s == group); s++)
    {
      if (*s != group)
        {
          *(*out)++ = *s;
          run++;
          (*n_digits)++;
          continue;
        }
      /* The first group holds 1 to 3 digits, every later one exactly 3. */
      if (run == 0 || run > 3 || (grouped && run != 3))
        return FALSE;
      grouped = TRUE;
      run = 0;
    }
  *p = s;
  return !grouped || run == 3;
}

/* Rewrites a number written with the file's separators in the C locale's form
 * ("1.234,5" → "1234.5" when decimal is ','). out has room for strlen (text) + 1 bytes,
 * which is enough because nothing is ever added. FALSE unless all of text is one number:
 * strtod alone would also accept hex, "nan(…)" and trailing junk. */
static gboolean
recur_number_canonicalize (const char *text,
                           char        decimal,
                           char        group,
                           char       *out)
{
  const char *p = text;
  guint n_digits = 0;

  if (*p == '+' || *p == '-')
    *out++ = *p++;
  if (!recur_number_copy_integer (&p, group, &out, &n_digits))
    return FALSE;
  if (*p == decimal)
    {
      p++;
      *out++ = '.';
      n_digits += recur_number_copy_digits (&p, &out);
    }
  if (n_digits == 0)
    return FALSE;
  if (*p == 'e' || *p == 'E')
    {
      *out++ = *p++;
      if (*p == '+' || *p == '-')
        *out++ = *p++;
      if (recur_number_copy_digits (&p, &out) == 0)
        return FALSE;
    }
  *out = '\0';
  return *p == '\0';
}

/* Returns RECUR_VALUE_NUMBER (and the value), RECUR_VALUE_NOT_FINITE or RECUR_VALUE_TEXT. */
static RecurValueKind
recur_parse_number (const char *text,
                    char        delimiter,
                    double     *value)
{
  /* Files split by ';' come from locales with a decimal comma; there dots group thousands.
   * Without a comma, a dot in such a file is still read as the decimal point. */
  gboolean decimal_comma = delimiter == ';' && strchr (text, ',') != NULL;
  char decimal = decimal_comma ? ',' : '.';
  char group = decimal_comma ? '.' : (delimiter == ';' ? '\0' : ',');
  gsize length = strlen (text);
  char small[64];
  g_autofree char *large = NULL;
  char *canonical = length < sizeof small ? small : (large = g_malloc (length + 1));
  double parsed;

  if (recur_value_is_infinity (text))
    return RECUR_VALUE_NOT_FINITE;
  if (!recur_number_canonicalize (text, decimal, group, canonical))
    return RECUR_VALUE_TEXT;
  parsed = g_ascii_strtod (canonical, NULL);
  /* 1e999 overflows to HUGE_VAL */
  if (!isfinite (parsed))
    return RECUR_VALUE_NOT_FINITE;
  if (value != NULL)
    *value = parsed;
  return RECUR_VALUE_NUMBER;
}

static gboolean
recur_scan_char (const char **p,
                 char         c)
{
  if (**p != c)
    return FALSE;
  (*p)++;
  return TRUE;
}

/* Exactly n digits; never reads past the terminating NUL, which is not a digit. */
static gboolean
recur_scan_digits (const char **p,
                   guint        n,
                   int         *value)
{
  int v = 0;

  for (guint i = 0; i < n; i++)
    {
      if (!g_ascii_isdigit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *value = v;
  return TRUE;
}

/* "Z", "+02:00", "-0530" or nothing; *offset in seconds east of UTC. */
static gboolean
recur_scan_utc_offset (const char **p,
                       int         *offset)
{
  int sign, hours, minutes;

  *offset = 0;
  if (recur_scan_char (p, 'Z') || recur_scan_char (p, 'z'))
    return TRUE;
  if (**p != '+' && **p != '-')
    return TRUE;
  sign = *(*p)++ == '-' ? -1 : 1;
  if (!recur_scan_digits (p, 2, &hours))
    return FALSE;
  recur_scan_char (p, ':');
  if (!recur_scan_digits (p, 2, &minutes) || hours > 23 || minutes > 59)
    return FALSE;
  *offset = sign * (hours * 3600 + minutes * 60);
  return TRUE;
}

/* "HH:MM[:SS]" and an optional UTC offset. */
static gboolean
recur_scan_time_of_day (const char **p,
                        int         *seconds,
                        int         *offset)
{
  int hour, minute, second = 0;

  if (!recur_scan_digits (p, 2, &hour) || !recur_scan_char (p, ':')
      || !recur_scan_digits (p, 2, &minute))
    return FALSE;
  if (recur_scan_char (p, ':') && !recur_scan_digits (p, 2, &second))
    return FALSE;
  if (hour > 23 || minute > 59 || second > 59)
    return FALSE;
  *seconds = hour * 3600 + minute * 60 + second;
  return recur_scan_utc_offset (p, offset);
}

/* ISO 8601: "YYYY-MM" (the first of the month), "YYYY-MM-DD", or that followed by 'T' or a
 * space and "HH:MM[:SS][Z|±hh:mm]". Sets *unix_time (UTC seconds) and *has_time when valid. */
static RecurDateParse
recur_parse_timestamp (const char *text,
                       gint64     *unix_time,
                       gboolean   *has_time)
{
  const char *p = text;
  int year, month, day = 1, seconds = 0, offset = 0;
  gboolean time = FALSE;
  GDate date;

  if (!recur_scan_digits (&p, 4, &year) || !recur_scan_char (&p, '-')
      || !recur_scan_digits (&p, 2, &month))
    return RECUR_DATE_NONE;
  if (*p != '\0')
    {
      if (!recur_scan_char (&p, '-') || !recur_scan_digits (&p, 2, &day))
        return RECUR_DATE_INVALID;
      time = recur_scan_char (&p, 'T') || recur_scan_char (&p, 't') || recur_scan_char (&p, ' ');
      if (time && !recur_scan_time_of_day (&p, &seconds, &offset))
        return RECUR_DATE_INVALID;
    }
  if (*p != '\0' || !g_date_valid_dmy (day, month, year))
    return RECUR_DATE_INVALID;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  if (unix_time != NULL)
    *unix_time = ((gint64) g_date_get_julian (&date) - RECUR_JULIAN_1970) * RECUR_DAY
                 + seconds - offset;
  if (has_time != NULL)
    *has_time = time;
  return RECUR_DATE_VALID;
}

/* What a field looks like, for header and column-type detection. */
static RecurValueKind
recur_classify_value (const char *text,
                      char        delimiter)
{
  RecurValueKind kind;

  if (recur_value_is_missing (text))
    return RECUR_VALUE_MISSING;
  kind = recur_parse_number (text, delimiter, NULL);
  if (kind != RECUR_VALUE_TEXT)
    return kind;
  if (recur_parse_timestamp (text, NULL, NULL) != RECUR_DATE_NONE)
    return RECUR_VALUE_DATE;
  return RECUR_VALUE_TEXT;
}

/* ------------------------------------------------------------------------------------------ */
/* Calendar arithmetic on Unix seconds (UTC)                                                  */
/* ------------------------------------------------------------------------------------------ */

static gint64
recur_floor_div (gint64 a,
                 gint64 b)
{
  return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Days since 1970-01-01 to a weekday, Monday 0 … Sunday 6 (1970-01-01 was a Thursday). */
static guint
recur_weekday (gint64 day)
{
  return (guint) ((day % 7 + 7 + 3) % 7);
}

/* Splits Unix seconds into a date and seconds since midnight; FALSE outside years 1–9999. */
static gboolean
recur_unix_to_date (gint64  t,
                    GDate  *date,
                    gint64 *time_of_day)
{
  gint64 day = recur_floor_div (t, RECUR_DAY);
  gint64 julian = day + RECUR_JULIAN_1970;

  g_date_clear (date, 1);
  if (julian < 1 || julian > RECUR_JULIAN_MAX)
    return FALSE;
  g_date_set_julian (date, (guint32) julian);
  *time_of_day = t - day * RECUR_DAY;
  return TRUE;
}

static gint64
recur_month_index (const GDate *date)
{
  return (gint64) g_date_get_year (date) * 12 + g_date_get_month (date) - 1;
}

/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar, any year ≥ 1 (GDate
 * stops at 9999): Howard Hinnant's days_from_civil. */
static gint64
recur_days_from_civil (gint64 year,
                       guint  month,
                       guint  day)
{
  gint64 y = year - (month <= 2);
  gint64 era = y / 400;  /* y ≥ 0 */
  gint64 year_of_era = y - era * 400;
  gint64 day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  gint64 day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;

  return era * 146097 + day_of_era - 719468;
}

static guint
recur_days_in_month (gint64 year,
                     guint  month)
{
  static const guint8 days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
  gboolean leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

  return month == 2 && leap ? 29 : days[month - 1];
}

/* Keeps the day of month, clamped to the length of the month reached: Jan 31 + 1 = Feb 28.
 * Past the year 9999 too, in seconds (which no date format shows: as with days, the forecast
 * past then has numbers for timestamps, never a date that is not the one meant). */
static gint64
recur_add_months (gint64 t,
                  gint64 months)
{
  GDate date;
  gint64 time_of_day, index, year;
  guint month;

  if (!recur_unix_to_date (t, &date, &time_of_day))
    return t;
  index = recur_month_index (&date) + months;
  year = index / 12;
  month = (guint) (index % 12) + 1;
  return recur_days_from_civil (year, month, MIN (g_date_get_day (&date),
                                                  recur_days_in_month (year, month)))
           * RECUR_DAY
         + time_of_day;
}

static gint64
recur_add_business_days (gint64 t,
                         guint  steps)
{
  gint64 day = recur_floor_div (t, RECUR_DAY);
  gint64 time_of_day = t - day * RECUR_DAY;
  guint rest;

  /* From a weekend the first step lands on Monday; from a weekday, whole weeks are
   * 5 steps each, which is only true when starting on a weekday. */
  if (steps > 0 && recur_weekday (day) >= 5)
    {
      day += 7 - recur_weekday (day);
      steps--;
    }
  day += (gint64) (steps / 5) * 7;
  for (rest = steps % 5; rest > 0;)
    {
      day++;
      if (recur_weekday (day) < 5)
        rest--;
    }
  return day * RECUR_DAY + time_of_day;
}

/* Weekdays in (from, to], both in days since 1970-01-01. */
static gint64
recur_business_days_between (gint64 from,
                             gint64 to)
{
  gint64 weeks = (to - from) / 7;
  gint64 count = weeks * 5;

  for (gint64 day = from + weeks * 7 + 1; day <= to; day++)
    if (recur_weekday (day) < 5)
      count++;
  return count;
}

/* ------------------------------------------------------------------------------------------ */
/* Frequency inference                                                                        */
/* ------------------------------------------------------------------------------------------ */

static int
recur_compare_gint64 (const void *a,
                      const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* The median of the n − 1 steps; if memory for them all cannot be had (a file of hundreds of
 * millions of rows), the median of 65,536 of them evenly spread. */
static gint64
recur_median_step (const gint64 *t,
                   guint         n)
{
  guint m = n - 1, stride = 1;
  g_autofree gint64 *steps = g_try_malloc_n (m, sizeof (gint64));

  if (steps == NULL)
    {
      stride = m / 65536 + 1;
      m = (n - 1) / stride;
      steps = g_new (gint64, m);
    }
  for (guint i = 0; i < m; i++)
    steps[i] = t[(gsize) i * stride + 1] - t[(gsize) i * stride];
  qsort (steps, m, sizeof (gint64), recur_compare_gint64);
  return steps[m / 2];
}

/* Business days: daily steps over more than a week and still no Saturday or Sunday. */
static gboolean
recur_is_business_daily (const gint64 *t,
                         guint         n)
{
  if (t[n - 1] - t[0] < 7 * RECUR_DAY)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (recur_weekday (recur_floor_div (t[i], RECUR_DAY)) >= 5)
      return FALSE;
  return TRUE;
}

static RecurFrequency
recur_frequency_guess (const gint64 *t,
                       guint         n,
                       gint64        median)
{
  if (median >= 25 * RECUR_MINUTE && median <= 35 * RECUR_MINUTE)
    return RECUR_FREQUENCY_HALF_HOURLY;
  if (median >= 50 * RECUR_MINUTE && median <= 70 * RECUR_MINUTE)
    return RECUR_FREQUENCY_HOURLY;
  if (median >= 23 * RECUR_HOUR && median <= 25 * RECUR_HOUR)
    return recur_is_business_daily (t, n) ? RECUR_FREQUENCY_BUSINESS_DAILY : RECUR_FREQUENCY_DAILY;
  if (median >= 6 * RECUR_DAY && median <= 8 * RECUR_DAY)
    return RECUR_FREQUENCY_WEEKLY;
  if (median >= 28 * RECUR_DAY && median <= 31 * RECUR_DAY)
    return RECUR_FREQUENCY_MONTHLY;
  if (median >= 89 * RECUR_DAY && median <= 92 * RECUR_DAY)
    return RECUR_FREQUENCY_QUARTERLY;
  if (median >= 365 * RECUR_DAY && median <= 366 * RECUR_DAY)
    return RECUR_FREQUENCY_YEARLY;
  return RECUR_FREQUENCY_IRREGULAR;
}

/* Calendar months vary in length: a step agrees when it moves by `months`, at the same time of
 * day, to the same day of month (clamped in shorter months), or from a month end to a month
 * end (Jan 31, Feb 28, Mar 31, …). */
static gboolean
recur_months_step_agrees (gint64 a,
                          gint64 b,
                          gint64 months)
{
  GDate da, db;
  gint64 ta, tb;
  guint day_a, day_b, last_a, last_b;

  if (!recur_unix_to_date (a, &da, &ta) || !recur_unix_to_date (b, &db, &tb) || ta != tb)
    return FALSE;
  if (recur_month_index (&db) - recur_month_index (&da) != months)
    return FALSE;
  day_a = g_date_get_day (&da);
  day_b = g_date_get_day (&db);
  last_a = g_date_get_days_in_month (g_date_get_month (&da), g_date_get_year (&da));
  last_b = g_date_get_days_in_month (g_date_get_month (&db), g_date_get_year (&db));
  return day_b == MIN (day_a, last_b) || (day_a == last_a && day_b == last_b);
}

/* Holidays leave gaps of whole business days; up to a week of them is still the rhythm. */
static gboolean
recur_business_step_agrees (gint64 a,
                            gint64 b)
{
  gint64 n;

  if ((b - a) % RECUR_DAY != 0)
    return FALSE;
  n = recur_business_days_between (recur_floor_div (a, RECUR_DAY), recur_floor_div (b, RECUR_DAY));
  return n >= 1 && n <= 5;
}

static gboolean
recur_step_agrees (RecurFrequency frequency,
                   gint64         a,
                   gint64         b)
{
  switch (frequency)
    {
    case RECUR_FREQUENCY_HALF_HOURLY:
      return b - a == 30 * RECUR_MINUTE;
    case RECUR_FREQUENCY_HOURLY:
      return b - a == RECUR_HOUR;
    case RECUR_FREQUENCY_DAILY:
      return b - a == RECUR_DAY;
    case RECUR_FREQUENCY_BUSINESS_DAILY:
      return recur_business_step_agrees (a, b);
    case RECUR_FREQUENCY_WEEKLY:
      return b - a == 7 * RECUR_DAY;
    case RECUR_FREQUENCY_MONTHLY:
      return recur_months_step_agrees (a, b, 1);
    case RECUR_FREQUENCY_QUARTERLY:
      return recur_months_step_agrees (a, b, 3);
    case RECUR_FREQUENCY_YEARLY:
      return recur_months_step_agrees (a, b, 12);
    case RECUR_FREQUENCY_NONE:
    case RECUR_FREQUENCY_IRREGULAR:
    default:
      return FALSE;
    }
}

/* The median step names a candidate; the series keeps it unless more than one step in ten
 * disagrees (a few missing rows are tolerated, a different rhythm is not). */
static RecurFrequency
recur_frequency_infer (const gint64 *t,
                       guint         n)
{
  RecurFrequency guess;
  guint disagree = 0;

  if (n < 2)
    return RECUR_FREQUENCY_IRREGULAR;
  guess = recur_frequency_guess (t, n, recur_median_step (t, n));
  if (guess == RECUR_FREQUENCY_IRREGULAR)
    return guess;
  for (guint i = 1; i < n; i++)
    if (!recur_step_agrees (guess, t[i - 1], t[i]))
      disagree++;
  return (guint64) disagree * 10 > n - 1 ? RECUR_FREQUENCY_IRREGULAR : guess;
}

/* ------------------------------------------------------------------------------------------ */
/* RecurSeries                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* A growing array whose growth may fail: a file can hold more rows than memory. */
typedef struct
{
  gpointer data;
  guint    len;
  guint    capacity;
} RecurVec;

static gboolean
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

static void
recur_vec_clear (RecurVec *v)
{
  g_clear_pointer (&v->data, g_free);
  v->len = v->capacity = 0;
}

#define RECUR_VEC_INDEX(v, type, i) (((type *) (v).data)[i])

typedef struct
{
  char           *name;
  RecurColumnType type;
  gboolean        decided;    /* FALSE while only missing values have been seen */
  guint           n_missing;
  RecurVec        values;     /* double, NAN where missing; numeric (and undecided) columns */
} RecurColumn;

struct _RecurSeries
{
  gatomicrefcount ref_count;
  char          *path;
  guint          n_rows;
  guint          n_columns;
  RecurColumn   *columns;
  RecurVec       lines;           /* guint: the line each row starts on, for messages */
  int            time_column;
  RecurVec       timestamps;      /* gint64; only with a time column */
  gboolean       has_time_of_day;
  RecurFrequency frequency;
  gint64         median_step;     /* seconds; what an irregular series advances by */
};

static RecurSeries *
recur_series_new (const char *path)
{
  RecurSeries *self = g_new0 (RecurSeries, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->path = g_strdup (path);
  self->time_column = -1;
  self->frequency = RECUR_FREQUENCY_NONE;
  return self;
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
/* Reading: physical lines → libcsv records → rows                                            */
/* ------------------------------------------------------------------------------------------ */

/* A line kept while the delimiter is not yet known. */
typedef struct
{
  guint number;
  gsize length;
  char  text[];
} RecurCsvLine;

typedef struct
{
  guint      line;         /* where the record starts */
  GPtrArray *fields;       /* char *, surrounding whitespace trimmed */
  GArray    *field_lines;  /* guint: where each field starts; quoted fields may span lines */
} RecurCsvRecord;

static RecurCsvRecord *
recur_csv_record_new (void)
{
  RecurCsvRecord *self = g_new0 (RecurCsvRecord, 1);

  self->fields = g_ptr_array_new_with_free_func (g_free);
  self->field_lines = g_array_new (FALSE, FALSE, sizeof (guint));
  return self;
}

static void
recur_csv_record_free (RecurCsvRecord *self)
{
  g_ptr_array_unref (self->fields);
  g_array_unref (self->field_lines);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurCsvRecord, recur_csv_record_free)

static const char *
recur_csv_record_field (const RecurCsvRecord *self,
                        guint                 j)
{
  return g_ptr_array_index (self->fields, j);
}

static guint
recur_csv_record_field_line (const RecurCsvRecord *self,
                             guint                 j)
{
  return g_array_index (self->field_lines, guint, j);
}

/* Everything one load needs; there is no state outside it, so loads may run concurrently. */
typedef struct
{
  char              *display_name;     /* the path as shown in messages */
  RecurSeries       *series;
  GError            *error;            /* the first error; from then on nothing is parsed */

  /* Physical lines */
  guint              line;             /* lines seen so far */
  GByteArray        *partial;          /* the start of a line cut by the end of a chunk */
  gboolean           after_cr;         /* a LF now would be the second half of a CRLF */

  /* Delimiter detection, then libcsv */
  GPtrArray         *sniffed;          /* RecurCsvLine */
  gsize              sniffed_bytes;
  gboolean           parsing;
  char               delimiter;
  struct csv_parser  parser;
  guint              feed_line;        /* the line libcsv is reading */

  /* The record libcsv is assembling */
  gboolean           in_record;
  guint              next_field_line;
  RecurCsvRecord    *record;
  gsize              record_bytes;     /* its fields' bytes so far */
  guint              n_fields;         /* of the first record; 0 before it */

  /* Header detection: records wait in pending until it is decided */
  gboolean           header_decided;
  GPtrArray         *pending;          /* RecurCsvRecord */
  gboolean          *header_open;      /* per column: text in the first record, nothing below yet */
  guint              n_header_open;

  /* The time column's previous value, to check the order */
  GString           *previous_time;
  guint              previous_time_line;
} RecurCsvReader;

static RecurCsvReader *
recur_csv_reader_new (const char *path,
                      const char *display_name)
{
  RecurCsvReader *self = g_new0 (RecurCsvReader, 1);

  self->display_name = g_strdup (display_name);
  self->series = recur_series_new (path);
  self->partial = g_byte_array_new ();
  self->sniffed = g_ptr_array_new_with_free_func (g_free);
  self->record = recur_csv_record_new ();
  self->pending = g_ptr_array_new_with_free_func ((GDestroyNotify) recur_csv_record_free);
  self->previous_time = g_string_new (NULL);
  return self;
}

static void
recur_csv_reader_free (RecurCsvReader *self)
{
  if (self->parsing)
    csv_free (&self->parser);
  g_clear_pointer (&self->series, recur_series_unref);
  g_clear_error (&self->error);
  g_byte_array_unref (self->partial);
  g_ptr_array_unref (self->sniffed);
  recur_csv_record_free (self->record);
  g_clear_pointer (&self->pending, g_ptr_array_unref);
  g_free (self->header_open);
  g_string_free (self->previous_time, TRUE);
  g_free (self->display_name);
  g_free (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurCsvReader, recur_csv_reader_free)

G_GNUC_PRINTF (3, 4)
static void
recur_csv_reader_fail (RecurCsvReader *self,
                       RecurCsvError   code,
                       const char     *format,
                       ...)
{
  va_list args;

  if (self->error != NULL)
    return;
  va_start (args, format);
  self->error = g_error_new_valist (RECUR_CSV_ERROR, code, format, args);
  va_end (args);
}

/* A column's name for a message, even before the header is decided: then a text field of the
 * first record is most likely the name. */
static char *
recur_csv_reader_column_name (const RecurCsvReader *self,
                              guint                 j)
{
  const RecurCsvRecord *first;

  if (self->series->columns != NULL && j < self->series->n_columns)
    return g_strdup (self->series->columns[j].name);
  if (self->pending != NULL && self->pending->len > 0)
    {
      first = g_ptr_array_index (self->pending, 0);
      if (j < first->fields->len
          && recur_classify_value (recur_csv_record_field (first, j), self->delimiter)
             == RECUR_VALUE_TEXT)
        return g_strdup (recur_csv_record_field (first, j));
    }
  return g_strdup_printf ("column%u", j + 1);
}

/* A field, line or row past the limits (column 0: a line, before its fields are known). */
static void
recur_csv_reader_fail_too_long (RecurCsvReader *self,
                                guint           line,
                                guint           column)
{
  g_autofree char *name = NULL;

  if (column > RECUR_CSV_MAX_COLUMNS)
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_TOO_LONG,
                           _("%s:%u: the row has more than %u columns, the most Recur reads"),
                           self->display_name, line, RECUR_CSV_MAX_COLUMNS);
  else if (column == 0 || self->record_bytes > RECUR_CSV_MAX_ROW_BYTES)
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_TOO_LONG,
                           _("%s:%u: the row is longer than %u MiB, the most Recur reads"),
                           self->display_name, line, RECUR_CSV_MAX_ROW_BYTES >> 20);
  else
    {
      name = recur_csv_reader_column_name (self, column - 1);
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_TOO_LONG,
                             _("%s:%u:%u: column “%s”: the field is longer than %u MiB, the "
                               "most Recur reads"),
                             self->display_name, line, column, name,
                             RECUR_CSV_MAX_FIELD_BYTES >> 20);
    }
}

/* The rows so far hold all the memory there is; the row on `line` could not be kept. */
static void
recur_csv_reader_fail_memory (RecurCsvReader *self,
                              guint           line,
                              guint           rows_read)
{
  const RecurSeries *series = self->series;
  guint64 per_row = sizeof (guint) + (series->time_column >= 0 ? sizeof (gint64) : 0);
  g_autofree char *size = NULL;

  for (guint j = 0; j < series->n_columns; j++)
    per_row += series->columns[j].type == RECUR_COLUMN_NUMERIC ? sizeof (double) : 0;
  size = g_format_size_full (per_row * rows_read, G_FORMAT_SIZE_IEC_UNITS);
  recur_csv_reader_fail (self, RECUR_CSV_ERROR_NO_MEMORY,
                         _("%s:%u: not enough memory to read more rows: the %u rows above take "
                           "%s, and the file goes on"),
                         self->display_name, line, rows_read, size);
}

/* --- Columns and values ------------------------------------------------------------------- */

static void
recur_series_init_columns (RecurSeries          *self,
                           guint                 n_columns,
                           const RecurCsvRecord *header)
{
  self->n_columns = n_columns;
  self->columns = g_new0 (RecurColumn, n_columns);
  for (guint j = 0; j < n_columns; j++)
    {
      const char *name = header != NULL ? recur_csv_record_field (header, j) : "";
      RecurColumn *column = &self->columns[j];

      column->name = *name != '\0' ? g_strdup (name) : g_strdup_printf ("column%u", j + 1);
      /* Numeric until a value says otherwise: a column of only missing values stays so. */
      column->type = RECUR_COLUMN_NUMERIC;
    }
}

static void
recur_csv_reader_fail_missing_date (RecurCsvReader *self,
                                    guint           j,
                                    guint           line)
{
  recur_csv_reader_fail (self, RECUR_CSV_ERROR_BAD_DATE,
                         _("%s:%u:%u: column “%s”: the date is missing; every row needs one"),
                         self->display_name, line, j + 1, self->series->columns[j].name);
}

/* The first value that is not missing decides a column's type. */
static void
recur_csv_reader_decide_column (RecurCsvReader *self,
                                guint           j,
                                const char     *text)
{
  RecurSeries *series = self->series;
  RecurColumn *column = &series->columns[j];
  RecurValueKind kind = recur_classify_value (text, self->delimiter);

  column->decided = TRUE;
  if (kind == RECUR_VALUE_NUMBER || kind == RECUR_VALUE_NOT_FINITE)
    return;
  recur_vec_clear (&column->values);
  /* Only the first date column is the time axis; later ones are labels like text. */
  if (kind != RECUR_VALUE_DATE || series->time_column >= 0)
    {
      column->type = RECUR_COLUMN_TEXT;
      return;
    }
  column->type = RECUR_COLUMN_TIME;
  series->time_column = (int) j;
  /* The rows above had no date: the first of them is the culprit. */
  if (column->n_missing > 0)
    recur_csv_reader_fail_missing_date (self, j, RECUR_VEC_INDEX (series->lines, guint, 0));
}

static void
recur_csv_reader_take_number (RecurCsvReader *self,
                              guint           j,
                              const char     *text,
                              gboolean        missing,
                              guint           line)
{
  RecurColumn *column = &self->series->columns[j];
  double value = NAN;

  switch (missing ? RECUR_VALUE_MISSING : recur_parse_number (text, self->delimiter, &value))
    {
    case RECUR_VALUE_MISSING:
    case RECUR_VALUE_NUMBER:
      if (!recur_vec_append (&column->values, sizeof value, &value))
        recur_csv_reader_fail_memory (self, line, self->series->n_rows - 1);
      break;
    case RECUR_VALUE_NOT_FINITE:
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_NOT_FINITE,
                             _("%s:%u:%u: column “%s”: “%s” is not a finite number"),
                             self->display_name, line, j + 1, column->name, text);
      break;
    case RECUR_VALUE_DATE:
    case RECUR_VALUE_TEXT:
    default:
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_NOT_A_NUMBER,
                             _("%s:%u:%u: column “%s”: “%s” is not a number"),
                             self->display_name, line, j + 1, column->name, text);
      break;
    }
}

static void
recur_csv_reader_take_time (RecurCsvReader *self,
                            guint           j,
                            const char     *text,
                            gboolean        missing,
                            guint           line)
{
  RecurSeries *series = self->series;
  const char *name = series->columns[j].name;
  gint64 t;
  gboolean has_time;

  if (missing)
    {
      recur_csv_reader_fail_missing_date (self, j, line);
      return;
    }
  if (recur_parse_timestamp (text, &t, &has_time) != RECUR_DATE_VALID)
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_BAD_DATE,
                             _("%s:%u:%u: column “%s”: “%s” is not a valid ISO 8601 date or time "
                               "(YYYY-MM-DD, YYYY-MM or YYYY-MM-DDTHH:MM:SS)"),
                             self->display_name, line, j + 1, name, text);
      return;
    }
  if (series->timestamps.len > 0
      && t <= RECUR_VEC_INDEX (series->timestamps, gint64, series->timestamps.len - 1))
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_DATE_ORDER,
                             _("%s:%u:%u: column “%s”: “%s” does not come after “%s” on line %u; "
                               "rows must be in time order, each time once"),
                             self->display_name, line, j + 1, name, text,
                             self->previous_time->str, self->previous_time_line);
      return;
    }
  if (!recur_vec_append (&series->timestamps, sizeof t, &t))
    {
      recur_csv_reader_fail_memory (self, line, series->n_rows - 1);
      return;
    }
  series->has_time_of_day |= has_time;
  g_string_assign (self->previous_time, text);
  self->previous_time_line = line;
}

static void
recur_csv_reader_take_value (RecurCsvReader *self,
                             guint           j,
                             const char     *text,
                             guint           line)
{
  RecurColumn *column = &self->series->columns[j];
  gboolean missing = recur_value_is_missing (text);

  if (missing)
    column->n_missing++;
  if (!column->decided && !missing)
    recur_csv_reader_decide_column (self, j, text);
  if (self->error != NULL)
    return;

  switch (column->type)
    {
    case RECUR_COLUMN_NUMERIC:
      recur_csv_reader_take_number (self, j, text, missing, line);
      break;
    case RECUR_COLUMN_TIME:
      recur_csv_reader_take_time (self, j, text, missing, line);
      break;
    case RECUR_COLUMN_TEXT:
    default:
      break;   /* kept out of forecasting, so nothing is stored */
    }
}

static void
recur_csv_reader_take_row (RecurCsvReader       *self,
                           const RecurCsvRecord *record)
{
  RecurSeries *series = self->series;

  if (series->n_rows == G_MAXUINT - 1 || !recur_vec_append (&series->lines, sizeof (guint),
                                                             &record->line))
    {
      recur_csv_reader_fail_memory (self, record->line, series->n_rows);
      return;
    }
  series->n_rows++;
  for (guint j = 0; j < series->n_columns && self->error == NULL; j++)
    recur_csv_reader_take_value (self, j, recur_csv_record_field (record, j),
                                 recur_csv_record_field_line (record, j));
}

/* --- Header detection --------------------------------------------------------------------- */

static void
recur_csv_reader_decide_header (RecurCsvReader *self,
                                gboolean        has_header)
{
  g_autoptr(GPtrArray) pending = g_steal_pointer (&self->pending);
  const RecurCsvRecord *first = pending->len > 0 ? g_ptr_array_index (pending, 0) : NULL;

  self->header_decided = TRUE;
  recur_series_init_columns (self->series, self->n_fields, has_header ? first : NULL);
  for (guint i = has_header ? 1 : 0; i < pending->len && self->error == NULL; i++)
    recur_csv_reader_take_row (self, g_ptr_array_index (pending, i));
}

/* The first record is a header when one of its fields is text where the rows below hold numbers
 * or dates. Each later record settles the columns it can: a number or date under the text
 * decides "header", text under text rules that column out, a missing value tells nothing. */
static void
recur_csv_reader_vote_header (RecurCsvReader       *self,
                              const RecurCsvRecord *record)
{
  gboolean first = self->header_open == NULL;

  if (first)
    self->header_open = g_new0 (gboolean, self->n_fields);
  for (guint j = 0; j < self->n_fields; j++)
    {
      RecurValueKind kind;

      if (!first && !self->header_open[j])
        continue;
      kind = recur_classify_value (recur_csv_record_field (record, j), self->delimiter);
      if (first)
        {
          self->header_open[j] = kind == RECUR_VALUE_TEXT;
          self->n_header_open += kind == RECUR_VALUE_TEXT;
        }
      else if (kind == RECUR_VALUE_TEXT)
        {
          self->header_open[j] = FALSE;
          self->n_header_open--;
        }
      else if (kind != RECUR_VALUE_MISSING)
        {
          recur_csv_reader_decide_header (self, TRUE);
          return;
        }
    }
  if (self->n_header_open == 0)
    recur_csv_reader_decide_header (self, FALSE);
}

/* --- libcsv callbacks --------------------------------------------------------------------- */

static void
recur_csv_reader_take_record (RecurCsvReader *self)
{
  RecurCsvRecord *record = self->record;
  guint n = record->fields->len;

  self->record_bytes = 0;
  if (self->n_fields == 0)
    self->n_fields = n;
  if (n != self->n_fields)
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_RAGGED_ROW,
                             g_dngettext (GETTEXT_PACKAGE,
                                          "%s:%u: row has %u field, expected %u",
                                          "%s:%u: row has %u fields, expected %u", n),
                             self->display_name, record->line, n, self->n_fields);
      return;
    }
  if (self->header_decided)
    {
      recur_csv_reader_take_row (self, record);
      g_ptr_array_set_size (record->fields, 0);
      g_array_set_size (record->field_lines, 0);
      return;
    }
  g_ptr_array_add (self->pending, g_steal_pointer (&self->record));
  self->record = recur_csv_record_new ();
  recur_csv_reader_vote_header (self, record);
}

static void
recur_csv_on_field (void   *data,
                    size_t  length,
                    void   *user_data)
{
  RecurCsvReader *self = user_data;
  guint column = self->record->fields->len + 1;
  char *text;

  if (self->error != NULL)
    return;
  self->record_bytes += length;
  if (length > RECUR_CSV_MAX_FIELD_BYTES || column > RECUR_CSV_MAX_COLUMNS
      || self->record_bytes > RECUR_CSV_MAX_ROW_BYTES)
    {
      recur_csv_reader_fail_too_long (self, self->next_field_line, column);
      return;
    }
  /* libcsv passes NULL for an empty field when its buffer is not allocated yet */
  text = data != NULL ? g_strndup (data, length) : g_strdup ("");
  g_ptr_array_add (self->record->fields, g_strstrip (text));
  g_array_append_val (self->record->field_lines, self->next_field_line);
  /* The delimiter that ended this field is on the line being read: so is the next field. */
  self->next_field_line = self->feed_line;
}

static void
recur_csv_on_row (int   terminator G_GNUC_UNUSED,
                  void *user_data)
{
  RecurCsvReader *self = user_data;

  if (self->error != NULL)
    return;
  self->in_record = FALSE;
  recur_csv_reader_take_record (self);
}

/* libcsv skips blank lines and the spaces before a record, so a record starts on the first
 * line holding anything else. */
static gboolean
recur_csv_starts_record (const char *text,
                         gsize       length,
                         char        delimiter)
{
  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == delimiter || (c != ' ' && c != '\t' && c != '\r' && c != '\n'))
        return TRUE;
    }
  return FALSE;
}

static void
recur_csv_reader_fail_parse (RecurCsvReader *self)
{
  guint column = self->record->fields->len + 1;
  g_autofree char *name = recur_csv_reader_column_name (self, column - 1);

  /* libcsv's buffer for a field grows through csv_field_realloc, which refuses past the limit */
  if (csv_error (&self->parser) == CSV_ENOMEM
      && self->parser.entry_size > RECUR_CSV_MAX_FIELD_BYTES)
    recur_csv_reader_fail_too_long (self, self->next_field_line, column);
  else if (csv_error (&self->parser) == CSV_ENOMEM)
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_NO_MEMORY,
                           _("%s:%u:%u: column “%s”: not enough memory for this field"),
                           self->display_name, self->feed_line, column, name);
  else if (csv_error (&self->parser) != CSV_EPARSE)
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_IO, "%s:%u: %s", self->display_name,
                           self->feed_line, csv_strerror (csv_error (&self->parser)));
  else
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_UNTERMINATED_QUOTE,
                           _("%s:%u:%u: column “%s”: stray quote; a field with quotes must be "
                             "enclosed in them, with each quote inside doubled (\"\")"),
                           self->display_name, self->feed_line, column, name);
}

/* Feeds libcsv one physical line at a time, so every callback knows the line it is on. */
static void
recur_csv_reader_feed (RecurCsvReader *self,
                       guint           number,
                       const char     *text,
                       gsize           length)
{
  gsize parsed;

  self->feed_line = number;
  if (!self->in_record && recur_csv_starts_record (text, length, self->delimiter))
    {
      self->in_record = TRUE;
      self->record->line = number;
      self->next_field_line = number;
    }
  parsed = csv_parse (&self->parser, text, length, recur_csv_on_field, recur_csv_on_row, self);
  if (parsed < length && self->error == NULL)
    recur_csv_reader_fail_parse (self);
}

/* --- Delimiter detection ------------------------------------------------------------------ */

static const char recur_csv_delimiters[] = { '\t', ';', ',' };

static void
recur_csv_count_delimiters (const RecurCsvLine *line,
                            guint              *counts,
                            gboolean           *quoted,
                            gboolean           *content)
{
  for (gsize i = 0; i < line->length; i++)
    {
      char c = line->text[i];

      if (c == '"')
        *quoted = !*quoted;
      if (c != ' ' && c != '\r' && c != '\n')
        *content = TRUE;
      for (guint k = 0; k < G_N_ELEMENTS (recur_csv_delimiters) && !*quoted; k++)
        counts[k] += c == recur_csv_delimiters[k];
    }
}

/* The candidate found outside quotes in the first record that splits the most of the first
 * records into that same number of fields. Ties go to tab, then ';' (such files often hold
 * decimal commas), then ','. With none of them, the file has one column. */
static char
recur_csv_sniff_delimiter (GPtrArray *lines)
{
  guint counts[G_N_ELEMENTS (recur_csv_delimiters)] = { 0 };
  guint first[G_N_ELEMENTS (recur_csv_delimiters)] = { 0 };
  guint votes[G_N_ELEMENTS (recur_csv_delimiters)] = { 0 };
  guint n_records = 0, best = 0;
  gboolean quoted = FALSE, content = FALSE;

  for (guint i = 0; i < lines->len; i++)
    {
      recur_csv_count_delimiters (g_ptr_array_index (lines, i), counts, &quoted, &content);
      if (quoted || !content)
        continue;   /* the record goes on, or the line was blank */
      for (guint k = 0; k < G_N_ELEMENTS (recur_csv_delimiters); k++)
        {
          if (n_records == 0)
            first[k] = counts[k];
          votes[k] += first[k] > 0 && counts[k] == first[k];
          counts[k] = 0;
        }
      n_records++;
      content = FALSE;
    }
  for (guint k = 1; k < G_N_ELEMENTS (recur_csv_delimiters); k++)
    if (votes[k] > votes[best])
      best = k;
  return votes[best] > 0 ? recur_csv_delimiters[best] : ',';
}

/* libcsv grows its buffer for a field with this, up to the limit and a little more (it keeps
 * a closing quote and the spaces after it until it knows the field has ended): the field's own
 * length is checked when libcsv hands it over. */
#define CSV_FIELD_SLACK (64 * 1024)

static void *
csv_field_realloc (void   *buffer,
                   size_t  size)
{
  return size > RECUR_CSV_MAX_FIELD_BYTES + CSV_FIELD_SLACK ? NULL : g_try_realloc (buffer, size);
}

static void
recur_csv_reader_start_parsing (RecurCsvReader *self)
{
  self->delimiter = recur_csv_sniff_delimiter (self->sniffed);
  /* STRICT_FINI makes csv_fini report a quote still open at the end of the file. */
  csv_init (&self->parser, CSV_STRICT | CSV_STRICT_FINI);
  csv_set_delim (&self->parser, (unsigned char) self->delimiter);
  csv_set_realloc_func (&self->parser, csv_field_realloc);
  /* libcsv grows the buffer by this much at a time (128 bytes by default: a long field would be
   * copied thousands of times) */
  csv_set_blk_size (&self->parser, CSV_FIELD_SLACK);
  csv_set_free_func (&self->parser, g_free);
  self->parsing = TRUE;
  for (guint i = 0; i < self->sniffed->len && self->error == NULL; i++)
    {
      const RecurCsvLine *line = g_ptr_array_index (self->sniffed, i);

      recur_csv_reader_feed (self, line->number, line->text, line->length);
    }
  g_ptr_array_set_size (self->sniffed, 0);
}

static void
recur_csv_reader_dispatch (RecurCsvReader *self,
                           guint           number,
                           const char     *text,
                           gsize           length)
{
  RecurCsvLine *line;

  if (self->parsing)
    {
      recur_csv_reader_feed (self, number, text, length);
      return;
    }
  line = g_malloc (sizeof *line + length);
  line->number = number;
  line->length = length;
  memcpy (line->text, text, length);
  g_ptr_array_add (self->sniffed, line);
  self->sniffed_bytes += length;
  if (self->line >= RECUR_CSV_SNIFF_LINES || self->sniffed_bytes >= RECUR_CSV_SNIFF_BYTES)
    recur_csv_reader_start_parsing (self);
}

/* --- Physical lines ----------------------------------------------------------------------- */

/* NUL bytes and invalid UTF-8 are found here, before libcsv, where the column is still known:
 * it counts characters from 1, as editors do. */
static gboolean
recur_csv_reader_check_text (RecurCsvReader *self,
                             guint           number,
                             const char     *text,
                             gsize           length)
{
  const char *end;
  guint column;

  if (g_utf8_validate (text, (gssize) length, &end))
    return TRUE;
  column = (guint) g_utf8_strlen (text, end - text) + 1;
  if (end < text + length && *end == '\0')
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_NUL_BYTE,
                           _("%s:%u:%u: NUL byte; this looks like a binary or UTF-16 file, "
                             "not UTF-8 text"),
                           self->display_name, number, column);
  else
    recur_csv_reader_fail (self, RECUR_CSV_ERROR_NOT_UTF8,
                           _("%s:%u:%u: invalid UTF-8; save the file as UTF-8"),
                           self->display_name, number, column);
  return FALSE;
}

/* One physical line, with its terminator (a LF or a CR) unless it is the last. */
static void
recur_csv_reader_take_line (RecurCsvReader *self,
                            const char     *text,
                            gsize           length)
{
  guint number = ++self->line;
  gsize content;

  if (number == 1 && length >= 3 && memcmp (text, "\xEF\xBB\xBF", 3) == 0)
    {
      text += 3;
      length -= 3;
    }
  content = length;
  if (content > 0 && (text[content - 1] == '\n' || text[content - 1] == '\r'))
    content--;
  if (recur_csv_reader_check_text (self, number, text, content))
    recur_csv_reader_dispatch (self, number, text, length);
}

static void
recur_csv_reader_end_line (RecurCsvReader *self,
                           const char     *text,
                           gsize           length)
{
  if (self->partial->len == 0)
    {
      recur_csv_reader_take_line (self, text, length);
      return;
    }
  if (self->partial->len + length > RECUR_CSV_MAX_ROW_BYTES)
    {
      recur_csv_reader_fail_too_long (self, self->line + 1, 0);
      return;
    }
  g_byte_array_append (self->partial, (const guint8 *) text, length);
  recur_csv_reader_take_line (self, (const char *) self->partial->data, self->partial->len);
  g_byte_array_set_size (self->partial, 0);
}

/* Splits a chunk into lines ended by LF, CR or CRLF, like an editor. A CR ends its line at
 * once, so a CRLF cut by the end of a chunk needs nothing special: its LF is passed on alone,
 * on the same line number, where libcsv skips it (or keeps it inside a quoted field). */
static void
recur_csv_reader_push (RecurCsvReader *self,
                       const char     *chunk,
                       gsize           length)
{
  gsize start = 0;

  for (gsize i = 0; i < length && self->error == NULL; i++)
    {
      char c = chunk[i];

      if (self->after_cr && c == '\n')
        {
          self->after_cr = FALSE;
          recur_csv_reader_dispatch (self, self->line, "\n", 1);
          start = i + 1;
          continue;
        }
      self->after_cr = FALSE;
      if (c != '\n' && c != '\r')
        continue;
      recur_csv_reader_end_line (self, chunk + start, i + 1 - start);
      start = i + 1;
      self->after_cr = c == '\r';
    }
  if (self->error == NULL && start < length)
    {
      if (self->partial->len + (length - start) > RECUR_CSV_MAX_ROW_BYTES)
        recur_csv_reader_fail_too_long (self, self->line + 1, 0);
      else
        g_byte_array_append (self->partial, (const guint8 *) chunk + start, length - start);
    }
}

/* --- The end of the file ------------------------------------------------------------------ */

static void
recur_csv_reader_fini (RecurCsvReader *self)
{
  guint column = self->record->fields->len + 1;
  g_autofree char *name = NULL;

  if (csv_fini (&self->parser, recur_csv_on_field, recur_csv_on_row, self) == 0
      || self->error != NULL)
    return;
  name = recur_csv_reader_column_name (self, column - 1);
  recur_csv_reader_fail (self, RECUR_CSV_ERROR_UNTERMINATED_QUOTE,
                         _("%s:%u:%u: column “%s”: the quoted field that starts here is not "
                           "closed before the end of the file"),
                         self->display_name, self->next_field_line, column, name);
}

static gboolean
recur_series_has_numeric_column (const RecurSeries *self)
{
  for (guint j = 0; j < self->n_columns; j++)
    if (self->columns[j].type == RECUR_COLUMN_NUMERIC)
      return TRUE;
  return FALSE;
}

static void
recur_csv_reader_complete (RecurCsvReader *self)
{
  RecurSeries *series = self->series;

  if (self->n_fields == 0)
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_EMPTY,
                             _("%s: the file is empty"), self->display_name);
      return;
    }
  /* Text in the first record above nothing but missing values: names, most likely. */
  if (!self->header_decided)
    recur_csv_reader_decide_header (self, TRUE);
  if (self->error != NULL)
    return;
  if (series->n_rows == 0)
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_NO_ROWS,
                             _("%s: there are no data rows below the header"),
                             self->display_name);
      return;
    }
  if (!recur_series_has_numeric_column (series))
    {
      recur_csv_reader_fail (self, RECUR_CSV_ERROR_NO_NUMERIC_COLUMN,
                             _("%s: no column holds numbers"), self->display_name);
      return;
    }
  if (series->time_column >= 0)
    {
      const gint64 *t = series->timestamps.data;
      guint n = series->timestamps.len;
      series->frequency = recur_frequency_infer (t, n);
      series->median_step = n >= 2 ? recur_median_step (t, n) : 1;
    }
}

static RecurSeries *
recur_csv_reader_finish (RecurCsvReader  *self,
                         GError         **error)
{
  if (self->error == NULL && self->partial->len > 0)
    {
      recur_csv_reader_take_line (self, (const char *) self->partial->data, self->partial->len);
      g_byte_array_set_size (self->partial, 0);
    }
  if (self->error == NULL && !self->parsing)
    recur_csv_reader_start_parsing (self);
  if (self->error == NULL)
    recur_csv_reader_fini (self);
  if (self->error == NULL)
    recur_csv_reader_complete (self);
  if (self->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&self->error));
      return NULL;
    }
  return g_steal_pointer (&self->series);
}

static void
recur_csv_reader_read_file (RecurCsvReader *self,
                            FILE           *file)
{
  g_autofree char *chunk = g_malloc (RECUR_CSV_CHUNK_SIZE);
  gsize n;

  do
    {
      n = fread (chunk, 1, RECUR_CSV_CHUNK_SIZE, file);
      recur_csv_reader_push (self, chunk, n);
    }
  while (n == RECUR_CSV_CHUNK_SIZE && self->error == NULL);

  if (ferror (file))
    {
      int saved_errno = errno;

      recur_csv_reader_fail (self, RECUR_CSV_ERROR_IO, _("%s: cannot read the file: %s"),
                             self->display_name, g_strerror (saved_errno));
    }
}

RecurSeries *
recur_series_load_csv (const char  *path,
                       GError     **error)
{
  g_autoptr(RecurCsvReader) reader = NULL;
  g_autofree char *display_name = NULL;
  FILE *file;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_filename_display_name (path);
  file = g_fopen (path, "rb");
  if (file == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_IO, _("%s: cannot open the file: %s"),
                   display_name, g_strerror (saved_errno));
      return NULL;
    }
  reader = recur_csv_reader_new (path, display_name);
  recur_csv_reader_read_file (reader, file);
  fclose (file);
  return recur_csv_reader_finish (reader, error);
}

RecurSeries *
recur_series_load_csv_data (const char  *data,
                            gsize        length,
                            const char  *display_name,
                            GError     **error)
{
  g_autoptr(RecurCsvReader) reader = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);
  g_return_val_if_fail (display_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  reader = recur_csv_reader_new (display_name, display_name);
  /* The same chunked path as a file, so both behave alike. */
  for (gsize offset = 0; offset < length && reader->error == NULL; offset += RECUR_CSV_CHUNK_SIZE)
    recur_csv_reader_push (reader, data + offset, MIN (RECUR_CSV_CHUNK_SIZE, length - offset));
  return recur_csv_reader_finish (reader, error);
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
  if (found >= 0)
    {
      if (column != NULL)
        *column = (guint) found;
      return TRUE;
    }

  numeric = recur_series_list_numeric (self);
  found = name != NULL ? recur_series_lookup (self, name, FALSE) : -1;
  if (name == NULL)
    g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN,
                 _("%s: no column holds numbers"), self->path);
  else if (found < 0)
    g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN,
                 _("%s: there is no column “%s”; the numeric columns are %s"),
                 self->path, name, numeric);
  else if (self->columns[found].type == RECUR_COLUMN_TIME)
    g_set_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN,
                 _("%s: column “%s” holds dates, not numbers; the numeric columns are %s"),
                 self->path, name, numeric);
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
  if (c->n_missing > 0 && policy == RECUR_MISSING_INTERPOLATE)
    recur_fill_interpolate (filled, self->n_rows);
  else if (c->n_missing > 0)
    recur_fill_previous (filled, self->n_rows);
  return filled;
}

/* ------------------------------------------------------------------------------------------ */
/* Time axis                                                                                  */
/* ------------------------------------------------------------------------------------------ */

gint64
recur_series_advance_timestamp (const RecurSeries *self,
                                gint64             timestamp,
                                guint              steps)
{
  g_return_val_if_fail (self != NULL, timestamp);

  switch (self->time_column < 0 ? RECUR_FREQUENCY_NONE : self->frequency)
    {
    case RECUR_FREQUENCY_HALF_HOURLY:
      return timestamp + (gint64) steps * 30 * RECUR_MINUTE;
    case RECUR_FREQUENCY_HOURLY:
      return timestamp + (gint64) steps * RECUR_HOUR;
    case RECUR_FREQUENCY_DAILY:
      return timestamp + (gint64) steps * RECUR_DAY;
    case RECUR_FREQUENCY_BUSINESS_DAILY:
      return recur_add_business_days (timestamp, steps);
    case RECUR_FREQUENCY_WEEKLY:
      return timestamp + (gint64) steps * 7 * RECUR_DAY;
    case RECUR_FREQUENCY_MONTHLY:
      return recur_add_months (timestamp, steps);
    case RECUR_FREQUENCY_QUARTERLY:
      return recur_add_months (timestamp, (gint64) steps * 3);
    case RECUR_FREQUENCY_YEARLY:
      return recur_add_months (timestamp, (gint64) steps * 12);
    case RECUR_FREQUENCY_IRREGULAR:
      return timestamp + (gint64) steps * self->median_step;
    case RECUR_FREQUENCY_NONE:
    default:
      return timestamp + steps;   /* row indices */
    }
}

char *
recur_series_format_timestamp (const RecurSeries *self,
                               gint64             timestamp)
{
  g_autoptr(GDateTime) time = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->time_column >= 0)
    time = g_date_time_new_from_unix_utc (timestamp);
  if (time == NULL)
    return g_strdup_printf ("%" G_GINT64_FORMAT, timestamp);
  return g_date_time_format (time, self->has_time_of_day ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%d");
}

static const char * const recur_frequency_names[] = {
  [RECUR_FREQUENCY_NONE] = NULL,
  [RECUR_FREQUENCY_HALF_HOURLY] = "half-hourly",
  [RECUR_FREQUENCY_HOURLY] = "hourly",
  [RECUR_FREQUENCY_DAILY] = "daily",
  [RECUR_FREQUENCY_BUSINESS_DAILY] = "business-daily",
  [RECUR_FREQUENCY_WEEKLY] = "weekly",
  [RECUR_FREQUENCY_MONTHLY] = "monthly",
  [RECUR_FREQUENCY_QUARTERLY] = "quarterly",
  [RECUR_FREQUENCY_YEARLY] = "yearly",
  [RECUR_FREQUENCY_IRREGULAR] = "irregular",
};

const char *
recur_frequency_to_string (RecurFrequency frequency)
{
  g_return_val_if_fail ((guint) frequency < G_N_ELEMENTS (recur_frequency_names), NULL);
  return recur_frequency_names[frequency];
}

const char *
recur_frequency_to_display (RecurFrequency frequency)
{
  switch (frequency)
    {
    case RECUR_FREQUENCY_HALF_HOURLY:
      return C_("frequency", "half-hourly");
    case RECUR_FREQUENCY_HOURLY:
      return C_("frequency", "hourly");
    case RECUR_FREQUENCY_DAILY:
      return C_("frequency", "daily");
    case RECUR_FREQUENCY_BUSINESS_DAILY:
      return C_("frequency", "business days");
    case RECUR_FREQUENCY_WEEKLY:
      return C_("frequency", "weekly");
    case RECUR_FREQUENCY_MONTHLY:
      return C_("frequency", "monthly");
    case RECUR_FREQUENCY_QUARTERLY:
      return C_("frequency", "quarterly");
    case RECUR_FREQUENCY_YEARLY:
      return C_("frequency", "yearly");
    case RECUR_FREQUENCY_IRREGULAR:
      return C_("frequency", "irregular");
    case RECUR_FREQUENCY_NONE:
    default:
      return C_("frequency", "none");
    }
}

gboolean
recur_frequency_from_string (const char     *text,
                             RecurFrequency *frequency)
{
  g_return_val_if_fail (text != NULL, FALSE);

  for (guint f = 0; f < G_N_ELEMENTS (recur_frequency_names); f++)
    {
      if (recur_frequency_names[f] == NULL
          || g_ascii_strcasecmp (text, recur_frequency_names[f]) != 0)
        continue;
      if (frequency != NULL)
        *frequency = (RecurFrequency) f;
      return TRUE;
    }
  return FALSE;
}

guint
recur_frequency_season (RecurFrequency frequency)
{
  switch (frequency)
    {
    case RECUR_FREQUENCY_MONTHLY:
      return 12;
    case RECUR_FREQUENCY_QUARTERLY:
      return 4;
    case RECUR_FREQUENCY_HOURLY:
      return 24;
    case RECUR_FREQUENCY_HALF_HOURLY:
      return 48;
    case RECUR_FREQUENCY_DAILY:
      return 7;
    case RECUR_FREQUENCY_BUSINESS_DAILY:
      return 5;
    case RECUR_FREQUENCY_WEEKLY:
      return 52;
    case RECUR_FREQUENCY_NONE:
    case RECUR_FREQUENCY_YEARLY:
    case RECUR_FREQUENCY_IRREGULAR:
    default:
      return 1;
    }
}

const char *
recur_column_type_to_string (RecurColumnType type)
{
  switch (type)
    {
    case RECUR_COLUMN_TIME:
      return "time";
    case RECUR_COLUMN_NUMERIC:
      return "numeric";
    case RECUR_COLUMN_TEXT:
      return "text";
    default:
      g_return_val_if_reached (NULL);
    }
}
