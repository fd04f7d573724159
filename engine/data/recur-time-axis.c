/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <stdlib.h>

#include <glib/gi18n-lib.h>

#include "recur-series-private.h"

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

double
recur_cycle_fraction (RecurCycle cycle,
                      gint64     timestamp)
{
  gint64 day = recur_floor_div (timestamp, RECUR_DAY);
  double time_of_day = (double) (timestamp - day * RECUR_DAY) / RECUR_DAY;
  GDate date;
  gint64 seconds;

  switch (cycle)
    {
    case RECUR_CYCLE_DAY:
      return time_of_day;
    case RECUR_CYCLE_WEEK:
      return (recur_weekday (day) + time_of_day) / 7.0;
    case RECUR_CYCLE_YEAR:
    default:
      if (!recur_unix_to_date (timestamp, &date, &seconds))
        return 0.0; /* past year 9999: no month to place it in */
      return (g_date_get_month (&date) - 1
              + (g_date_get_day (&date) - 1 + time_of_day)
                / recur_days_in_month (g_date_get_year (&date), g_date_get_month (&date)))
             / 12.0;
    }
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
gint64
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
RecurFrequency
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
  /* times given with offsets are kept in UTC: say so, or they would read as local times */
  return g_date_time_format (time, !self->has_time_of_day ? "%Y-%m-%d"
                                   : self->has_utc_offset ? "%Y-%m-%dT%H:%M:%SZ"
                                                          : "%Y-%m-%dT%H:%M:%S");
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
