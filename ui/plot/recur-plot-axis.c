/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <float.h>
#include <math.h>
#include <string.h>

#include "recur-plot-private.h"

/* Pixel coordinates are kept within this of the origin: Cairo's 24.8 fixed point wraps
 * around beyond ±8 million, and a 1e300 spike must not become a line across the plot. */
#define PIXEL_LIMIT 1e6

/* Data beyond this makes hi − lo overflow. */
#define VALUE_LIMIT (DBL_MAX / 8.0)

/* ---- numbers and dates -------------------------------------------------------------------- */

/* Typography: U+2212 MINUS SIGN is as wide as "+" and lines up with the digits. */
static void
copy_with_minus (const char *raw,
                 char       *buffer,
                 gsize       size)
{
  GString *out = g_string_sized_new (32);

  for (const char *p = raw; *p != '\0'; p++)
    {
      if (*p == '-')
        g_string_append (out, "\xe2\x88\x92");
      else
        g_string_append_c (out, *p);
    }
  g_strlcpy (buffer, out->str, size);
  g_string_free (out, TRUE);
}

void
recur_plot_format_number (double  value,
                          double  step,
                          char   *buffer,
                          gsize   size)
{
  char raw[64];
  int digits = 6;

  if (isfinite (step) && step > 0.0 && fabs (value) < step * 1e-6)
    value = 0.0;  /* k × step may come out as 1e-17 rather than 0 */
  if (value != 0.0 && isfinite (value) && isfinite (step) && step > 0.0)
    {
      int mag = (int) floor (log10 (fabs (value)) + 1e-9);
      int step_mag = (int) floor (log10 (step) + 1e-9);

      /* enough digits to tell ticks apart, and whole numbers below a million written out */
      digits = MAX (mag - step_mag + 1, MIN (mag + 1, 6));
    }
  g_snprintf (raw, sizeof raw, "%.*g", CLAMP (digits, 1, 17), value);
  copy_with_minus (raw, buffer, size);
}

void
recur_plot_format_value (double  value,
                         char   *buffer,
                         gsize   size)
{
  char raw[64];

  if (!isfinite (value))
    {
      g_strlcpy (buffer, "\xe2\x80\x93", size);
      return;
    }
  g_snprintf (raw, sizeof raw, "%.4g", value);
  copy_with_minus (raw, buffer, size);
}

static GDateTime *
date_time_new (double unix_seconds)
{
  /* GDateTime covers years 1–9999 */
  if (!isfinite (unix_seconds) || unix_seconds < -62135596800.0 || unix_seconds > 253402300799.0)
    return NULL;
  return g_date_time_new_from_unix_utc ((gint64) floor (unix_seconds));
}

static void
format_date_time (GDateTime  *time,
                  const char *format,
                  char       *buffer,
                  gsize       size)
{
  g_autofree char *text = g_date_time_format (time, format);

  g_strlcpy (buffer, text != NULL ? text : "?", size);
}

void
recur_plot_format_date (double    unix_seconds,
                        gboolean  time_of_day,
                        char     *buffer,
                        gsize     size)
{
  g_autoptr(GDateTime) time = date_time_new (unix_seconds);
  const char *format = "%-d %b %Y";

  if (time == NULL)
    {
      recur_plot_format_value (unix_seconds, buffer, size);
      return;
    }
  if (time_of_day)
    format = g_date_time_get_second (time) != 0 ? "%-d %b %Y %H:%M:%S" : "%-d %b %Y %H:%M";
  format_date_time (time, format, buffer, size);
}

/* ---- range and mapping -------------------------------------------------------------------- */

static void
set_empty_range (RecurAxis *axis)
{
  if (axis->kind == RECUR_AXIS_LOG)
    axis->lo = 1.0, axis->hi = 10.0;
  else if (axis->kind == RECUR_AXIS_TIME)
    axis->lo = 0.0, axis->hi = 86400.0;
  else
    axis->lo = 0.0, axis->hi = 1.0;
}

static void
set_log_range (RecurAxis *axis,
               double     min,
               double     max,
               gboolean   margins)
{
  double a = log10 (MAX (min, DBL_MIN)), b = log10 (MIN (max, DBL_MAX));

  if (b - a < 1e-9)
    a -= 0.25, b += 0.25;    /* one value: half a decade around it */
  else if (margins)
    {
      double pad = 0.05 * (b - a);

      a -= pad, b += pad;
    }
  axis->lo = pow (10.0, MAX (a, -307.0));
  axis->hi = pow (10.0, MIN (b, 307.0));
}

static void
set_linear_range (RecurAxis *axis,
                  double     min,
                  double     max,
                  gboolean   margins)
{
  min = CLAMP (min, -VALUE_LIMIT, VALUE_LIMIT);
  max = CLAMP (max, -VALUE_LIMIT, VALUE_LIMIT);
  if (max - min <= fabs (max) * 1e-12)
    {
      /* one value: a range that shows it as the middle of something */
      double d;

      if (axis->kind == RECUR_AXIS_TIME)
        d = axis->time_of_day ? 3600.0 : 86400.0;
      else if (axis->integer)
        d = 1.0;
      else
        d = max != 0.0 ? fabs (max) * 0.1 : 1.0;
      min -= d, max += d;
    }
  else if (margins)
    {
      double pad = 0.05 * (max - min);

      min -= pad, max += pad;
    }
  axis->lo = min;
  axis->hi = max;
}

void
recur_axis_set_range (RecurAxis *axis,
                      double     min,
                      double     max,
                      gboolean   margins)
{
  if (!(min <= max) || !isfinite (min) || !isfinite (max)
      || (axis->kind == RECUR_AXIS_LOG && min <= 0.0))
    set_empty_range (axis);
  else if (axis->kind == RECUR_AXIS_LOG)
    set_log_range (axis, min, max, margins);
  else
    set_linear_range (axis, min, max, margins);
}

static double
to_scale (const RecurAxis *axis,
          double           v)
{
  if (axis->kind == RECUR_AXIS_LOG)
    return v > 0.0 ? log10 (v) : NAN;
  return v;
}

double
recur_axis_map (const RecurAxis *axis,
                double           v)
{
  double a = to_scale (axis, axis->lo), b = to_scale (axis, axis->hi), s = to_scale (axis, v);
  double p;

  if (isnan (s))
    return NAN;
  /* divide first: v − lo may overflow where (v − lo) / (hi − lo) would not */
  p = axis->p0 + (s / (b - a) - a / (b - a)) * (axis->p1 - axis->p0);
  return CLAMP (p, -PIXEL_LIMIT, PIXEL_LIMIT);
}

double
recur_axis_unmap (const RecurAxis *axis,
                  double           p)
{
  double a = to_scale (axis, axis->lo), b = to_scale (axis, axis->hi);
  double s = a + (p - axis->p0) / (axis->p1 - axis->p0) * (b - a);

  return axis->kind == RECUR_AXIS_LOG ? pow (10.0, s) : s;
}

/* ---- generating ticks --------------------------------------------------------------------- */

static gboolean
add_tick (RecurAxis  *axis,
          double      value,
          gboolean    major,
          const char *label)
{
  RecurTick *tick;

  if (axis->n_ticks >= RECUR_AXIS_MAX_TICKS)
    return FALSE;
  tick = &axis->ticks[axis->n_ticks++];
  tick->value = value;
  tick->major = major;
  tick->label_pos = recur_axis_map (axis, value);
  g_strlcpy (tick->label, major && label != NULL ? label : "", sizeof tick->label);
  return TRUE;
}

/* Level k is the step {1, 2, 5}[k mod 3] × 10^(k div 3). */
static double
linear_step (int level)
{
  static const double mantissa[] = { 1.0, 2.0, 5.0 };
  int e = level >= 0 ? level / 3 : -((-level + 2) / 3);

  return mantissa[level - 3 * e] * pow (10.0, e);
}

static int
linear_first_level (double raw_step)
{
  int e = (int) floor (log10 (raw_step));
  double m = raw_step / pow (10.0, e);

  if (m <= 1.0 + 1e-9)
    return 3 * e;
  if (m <= 2.0 + 1e-9)
    return 3 * e + 1;
  if (m <= 5.0 + 1e-9)
    return 3 * e + 2;
  return 3 * e + 3;
}

static gboolean
linear_ticks (RecurAxis *axis,
              int        level)
{
  double step = linear_step (level);
  double first = ceil (axis->lo / step - 1e-9), last = floor (axis->hi / step + 1e-9);

  if (!isfinite (step) || step <= 0.0 || (axis->integer && step < 1.0))
    return FALSE;
  /* beyond 2^53, k++ would stand still */
  if (!isfinite (first) || !isfinite (last) || last - first + 1.0 > RECUR_AXIS_MAX_TICKS
      || fabs (first) > 1e15 || fabs (last) > 1e15)
    return FALSE;
  for (double k = first; k <= last; k++)
    {
      char label[48];
      double v = k * step;

      recur_plot_format_number (v, step, label, sizeof label);
      if (fabs (v) < step * 1e-6)
        v = 0.0;
      add_tick (axis, v, TRUE, label);
    }
  return TRUE;
}

/* Log levels: 0 labels every mantissa 1–9, 1 labels 1, 2 and 5, 2 labels 1 and 3 (about half
 * a decade apart), 3 labels decades (with minor ticks between), 4… label every 2nd, 3rd, 5th,
 * 10th… decade. */
static const int decade_strides[] = { 2, 3, 5, 10, 20, 50, 100 };
#define FIRST_DECADE_LEVEL 3
#define N_LOG_LEVELS (FIRST_DECADE_LEVEL + 1 + (int) G_N_ELEMENTS (decade_strides))

static gboolean
log_is_labelled (int level,
                 int mantissa,
                 int decade)
{
  if (level == 0)
    return TRUE;
  if (level == 1)
    return mantissa == 1 || mantissa == 2 || mantissa == 5;
  if (level == 2)
    return mantissa == 1 || mantissa == 3;
  if (mantissa != 1)
    return FALSE;
  return level == FIRST_DECADE_LEVEL
         || decade % decade_strides[level - FIRST_DECADE_LEVEL - 1] == 0;
}

static gboolean
log_ticks (RecurAxis *axis,
           int        level,
           double     pixels_per_decade)
{
  int d0 = (int) floor (log10 (axis->lo)), d1 = (int) ceil (log10 (axis->hi));
  int n_decades = d1 - d0 + 1;
  int stride = level > FIRST_DECADE_LEVEL ? decade_strides[level - FIRST_DECADE_LEVEL - 1] : 1;
  int mantissas = level > FIRST_DECADE_LEVEL ? 1 : 9;
  gboolean minors;

  /* minor ticks only where a decade has room for them */
  if (level > FIRST_DECADE_LEVEL)
    minors = n_decades <= RECUR_AXIS_MAX_TICKS / 2;
  else
    minors = pixels_per_decade >= 40.0 && n_decades * 9 <= RECUR_AXIS_MAX_TICKS;
  if (n_decades / stride > RECUR_AXIS_MAX_TICKS)
    return FALSE;
  for (int d = d0; d <= d1; d++)
    for (int m = 1; m <= mantissas; m++)
      {
        double v = m * pow (10.0, d);
        gboolean major = log_is_labelled (level, m, d);
        char label[48];

        if (v < axis->lo * (1 - 1e-9) || v > axis->hi * (1 + 1e-9) || (!major && !minors))
          continue;
        recur_plot_format_number (v, v, label, sizeof label);
        if (!add_tick (axis, v, major, label))
          return FALSE;
      }
  return TRUE;
}

static guint
count_major (const RecurAxis *axis)
{
  guint n = 0;

  for (guint i = 0; i < axis->n_ticks; i++)
    n += axis->ticks[i].major;
  return n;
}

/* Calendar units for time axes, finest first. */
typedef enum
{
  UNIT_SECOND,
  UNIT_MINUTE,
  UNIT_HOUR,
  UNIT_DAY,
  UNIT_WEEK,
  UNIT_SEMIMONTH,
  UNIT_MONTH,
  UNIT_YEAR,
} TimeUnit;

static const struct
{
  TimeUnit unit;
  int      count;
  double   seconds;   /* approximate length of one step */
} time_steps[] = {
  { UNIT_SECOND, 1, 1 }, { UNIT_SECOND, 2, 2 }, { UNIT_SECOND, 5, 5 }, { UNIT_SECOND, 10, 10 },
  { UNIT_SECOND, 15, 15 }, { UNIT_SECOND, 30, 30 },
  { UNIT_MINUTE, 1, 60 }, { UNIT_MINUTE, 2, 120 }, { UNIT_MINUTE, 5, 300 },
  { UNIT_MINUTE, 10, 600 }, { UNIT_MINUTE, 15, 900 }, { UNIT_MINUTE, 30, 1800 },
  { UNIT_HOUR, 1, 3600 }, { UNIT_HOUR, 2, 7200 }, { UNIT_HOUR, 3, 10800 },
  { UNIT_HOUR, 6, 21600 }, { UNIT_HOUR, 12, 43200 },
  { UNIT_DAY, 1, 86400 }, { UNIT_DAY, 2, 172800 }, { UNIT_WEEK, 1, 604800 },
  { UNIT_SEMIMONTH, 1, 1314900 },
  { UNIT_MONTH, 1, 2629800 }, { UNIT_MONTH, 2, 5259600 }, { UNIT_MONTH, 3, 7889400 },
  { UNIT_MONTH, 6, 15778800 },
  { UNIT_YEAR, 1, 31557600 }, { UNIT_YEAR, 2, 63115200 }, { UNIT_YEAR, 5, 157788000 },
  { UNIT_YEAR, 10, 315576000 }, { UNIT_YEAR, 20, 631152000 }, { UNIT_YEAR, 50, 1577880000 },
  { UNIT_YEAR, 100, 3155760000 }, { UNIT_YEAR, 200, 6311520000 },
  { UNIT_YEAR, 500, 15778800000 }, { UNIT_YEAR, 1000, 31557600000 },
  { UNIT_YEAR, 2000, 63115200000 },
};

static int
first_day_level (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (time_steps); i++)
    if (time_steps[i].unit == UNIT_DAY)
      return (int) i;
  g_assert_not_reached ();
}

static const char *
time_label_format (TimeUnit   unit,
                   GDateTime *time)
{
  switch (unit)
    {
    case UNIT_SECOND:
      return "%H:%M:%S";
    case UNIT_MINUTE:
    case UNIT_HOUR:
      /* midnight says which day the hours belong to */
      if (g_date_time_get_hour (time) == 0 && g_date_time_get_minute (time) == 0)
        return "%-d %b";
      return "%H:%M";
    case UNIT_DAY:
    case UNIT_WEEK:
    case UNIT_SEMIMONTH:
      /* New Year's Day says which year the days belong to */
      if (g_date_time_get_month (time) == 1 && g_date_time_get_day_of_month (time) == 1)
        return "%Y";
      return "%-d %b";
    case UNIT_MONTH:
      return "%b %Y";
    case UNIT_YEAR:
    default:
      return "%Y";
    }
}

static gboolean
add_time_tick (RecurAxis *axis,
               TimeUnit   unit,
               GDateTime *time)
{
  char label[48];

  format_date_time (time, time_label_format (unit, time), label, sizeof label);
  return add_tick (axis, (double) g_date_time_to_unix (time), TRUE, label);
}

/* Ticks a fixed number of seconds apart, aligned to the Unix epoch (weeks to Mondays). */
static gboolean
fixed_time_ticks (RecurAxis *axis,
                  TimeUnit   unit,
                  double     step)
{
  double origin = unit == UNIT_WEEK ? 4 * 86400.0 : 0.0;  /* 1970-01-05 was a Monday */
  double first = ceil ((axis->lo - origin) / step), last = floor ((axis->hi - origin) / step);

  for (double k = first; k <= last; k++)
    {
      g_autoptr(GDateTime) time = date_time_new (origin + k * step);

      if (time == NULL || !add_time_tick (axis, unit, time))
        return FALSE;
    }
  return TRUE;
}

/* Ticks on the 1st (and 15th) of months, or on 1 January of years, `count` units apart. */
static gboolean
calendar_ticks (RecurAxis *axis,
                TimeUnit   unit,
                int        count)
{
  g_autoptr(GDateTime) start = date_time_new (axis->lo);
  int year, month;

  if (start == NULL)
    return FALSE;
  year = g_date_time_get_year (start);
  month = unit == UNIT_YEAR ? 1 : g_date_time_get_month (start);
  if (unit == UNIT_YEAR)
    year -= ((year % count) + count) % count;
  else if (unit == UNIT_MONTH)
    month -= (month - 1) % count;

  for (guint guard = 0; guard < 4 * RECUR_AXIS_MAX_TICKS; guard++)
    {
      for (int day = 1; day <= 15; day += 14)
        {
          g_autoptr(GDateTime) time = NULL;
          double t;

          if (day == 15 && unit != UNIT_SEMIMONTH)
            break;
          time = g_date_time_new_utc (year, month, day, 0, 0, 0.0);
          if (time == NULL)
            return axis->n_ticks > 0;
          t = (double) g_date_time_to_unix (time);
          if (t > axis->hi)
            return TRUE;
          if (t >= axis->lo && !add_time_tick (axis, unit, time))
            return FALSE;
        }
      if (unit == UNIT_YEAR)
        year += count;
      else
        month += unit == UNIT_MONTH ? count : 1;
      year += (month - 1) / 12;
      month = (month - 1) % 12 + 1;
    }
  return FALSE;
}

static gboolean
time_ticks (RecurAxis *axis,
            int        level)
{
  TimeUnit unit = time_steps[level].unit;

  if ((axis->hi - axis->lo) / time_steps[level].seconds > RECUR_AXIS_MAX_TICKS)
    return FALSE;
  if (unit <= UNIT_WEEK)
    return fixed_time_ticks (axis, unit, time_steps[level].seconds);
  return calendar_ticks (axis, unit, time_steps[level].count);
}

/* ---- choosing among the candidates -------------------------------------------------------- */

/* Label centres along the axis, moved inside the bounds; FALSE if two labels come closer
 * than min_gap, or label centres closer than min_spacing. */
static gboolean
labels_fit_spaced (RecurAxis     *axis,
                   RecurPlotText *text,
                   gboolean       vertical,
                   double         bound_lo,
                   double         bound_hi,
                   double         min_spacing)
{
  double min_gap = vertical ? 0.6 * text->em : 1.5 * text->em;
  double prev_end = -INFINITY, prev_pos = -INFINITY;
  double lo = MIN (bound_lo, bound_hi), hi = MAX (bound_lo, bound_hi);
  gboolean reversed = axis->p1 < axis->p0;

  for (guint k = 0; k < axis->n_ticks; k++)
    {
      /* walk in increasing pixel order */
      RecurTick *tick = &axis->ticks[reversed ? axis->n_ticks - 1 - k : k];
      double size, pos;

      if (!tick->major)
        continue;
      size = vertical ? text->line_height : recur_plot_text_width (text, RECUR_FONT_NORMAL,
                                                                    tick->label);
      pos = CLAMP (tick->label_pos, lo + size / 2, MAX (lo + size / 2, hi - size / 2));
      tick->label_pos = pos;
      if (pos - size / 2 < prev_end + min_gap || pos - prev_pos < min_spacing)
        return FALSE;
      prev_end = pos + size / 2;
      prev_pos = pos;
    }
  return TRUE;
}

/* Round numbers need room between them to read as a scale; given marks only must not touch */
static gboolean
labels_fit (RecurAxis     *axis,
            RecurPlotText *text,
            gboolean       vertical,
            double         bound_lo,
            double         bound_hi)
{
  return labels_fit_spaced (axis, text, vertical, bound_lo, bound_hi,
                            vertical ? 2.6 * text->em : 6.0 * text->em);
}

/* Every stride-th mark labelled, counted from the first; the others minor while they fit */
static gboolean
mark_ticks (RecurAxis *axis,
            guint      stride)
{
  gboolean minors = axis->n_marks <= RECUR_AXIS_MAX_TICKS;

  axis->n_ticks = 0;
  if (axis->n_marks / stride + (axis->n_marks % stride != 0) > RECUR_AXIS_MAX_TICKS)
    return FALSE;
  for (guint i = 0; i < axis->n_marks; i++)
    {
      gboolean major = i % stride == 0;

      if (!isfinite (axis->marks[i]) || !isfinite (recur_axis_map (axis, axis->marks[i]))
          || (!major && !minors))
        continue;
      if (!add_tick (axis, axis->marks[i], major,
                     axis->mark_labels != NULL ? axis->mark_labels[i] : ""))
        return FALSE;
    }
  return TRUE;
}

static void
make_mark_ticks (RecurAxis     *axis,
                 RecurPlotText *text,
                 gboolean       vertical,
                 double         bound_lo,
                 double         bound_hi)
{
  static const guint strides[] = { 1, 2, 3, 4, 5, 10, 20, 25, 50, 100, 200, 500, 1000, 10000 };

  for (guint k = 0; k < G_N_ELEMENTS (strides); k++)
    if (mark_ticks (axis, strides[k])
        && labels_fit_spaced (axis, text, vertical, bound_lo, bound_hi, 0.0))
      return;
  /* not even one label fits: ticks without labels */
  mark_ticks (axis, G_MAXUINT);
  for (guint i = 0; i < axis->n_ticks; i++)
    axis->ticks[i].major = FALSE;
}

static gboolean
generate (RecurAxis *axis,
          int        level,
          double     length)
{
  axis->n_ticks = 0;
  switch (axis->kind)
    {
    case RECUR_AXIS_LOG:
      return log_ticks (axis, level, length / log10 (axis->hi / axis->lo));
    case RECUR_AXIS_TIME:
      return time_ticks (axis, level);
    case RECUR_AXIS_LINEAR:
    default:
      return linear_ticks (axis, level);
    }
}

static gboolean
try_levels (RecurAxis     *axis,
            RecurPlotText *text,
            gboolean       vertical,
            double         bound_lo,
            double         bound_hi,
            int            first,
            int            last)
{
  double length = fabs (axis->p1 - axis->p0);

  for (int level = first; level < last; level++)
    if (generate (axis, level, length) && labels_fit (axis, text, vertical, bound_lo, bound_hi))
      return TRUE;
  axis->n_ticks = 0;
  return FALSE;
}

/* The ticks of level instead of axis's, if they give more labels (at least `least`), closer
 * together than a scale's usual spacing but never touching: for an axis too short for two at
 * that spacing. */
static void
take_denser_level (RecurAxis     *axis,
                   RecurPlotText *text,
                   gboolean       vertical,
                   double         bound_lo,
                   double         bound_hi,
                   int            level,
                   guint          least)
{
  RecurAxis denser = *axis;

  if (generate (&denser, level, fabs (axis->p1 - axis->p0))
      && labels_fit_spaced (&denser, text, vertical, bound_lo, bound_hi,
                            vertical ? 1.6 * text->em : 4.5 * text->em)
      && count_major (&denser) > count_major (axis) && count_major (&denser) >= least)
    *axis = denser;
}

static gboolean
make_linear_ticks (RecurAxis     *axis,
                   RecurPlotText *text,
                   gboolean       vertical,
                   double         bound_lo,
                   double         bound_hi)
{
  double length = fabs (axis->p1 - axis->p0);
  double max_count = MAX (1.0, floor (length / ((vertical ? 2.6 : 6.0) * text->em)));
  double span = axis->hi - axis->lo;
  int first;

  if (!(span > 0.0) || !isfinite (span))
    return FALSE;
  first = linear_first_level (span / max_count);
  if (axis->integer)
    first = MAX (first, 0);
  try_levels (axis, text, vertical, bound_lo, bound_hi, first, first + 30);
  /* one label alone, or none, gives no scale (a short plot's 104–622 labelled "500"): a finer
   * step whose labels still fit, if one gives two */
  for (int level = first - 1; count_major (axis) < 2 && level >= first - 3; level--)
    if (!axis->integer || level >= 0)
      take_denser_level (axis, text, vertical, bound_lo, bound_hi, level, 1);
  return axis->n_ticks > 0;
}

static void
make_log_ticks (RecurAxis     *axis,
                RecurPlotText *text,
                gboolean       vertical,
                double         bound_lo,
                double         bound_hi)
{
  double decades = log10 (axis->hi / axis->lo);

  /* Level 0 (every mantissa labelled) only where less than two decades show */
  if (try_levels (axis, text, vertical, bound_lo, bound_hi, decades < 2.0 ? 0 : 1, N_LOG_LEVELS)
      && count_major (axis) >= 2)
    return;

  /* Less than a decade with too few round numbers in it: 1-2-5 steps in the values */
  {
    RecurAxis linear = *axis;

    linear.kind = RECUR_AXIS_LINEAR;
    linear.integer = FALSE;
    if (make_linear_ticks (&linear, text, vertical, bound_lo, bound_hi))
      {
        axis->n_ticks = 0;
        for (guint i = 0; i < linear.n_ticks; i++)
          if (linear.ticks[i].value > 0.0)
            add_tick (axis, linear.ticks[i].value, TRUE, linear.ticks[i].label);
        /* positions on the log scale, then fitted again */
        if (!labels_fit (axis, text, vertical, bound_lo, bound_hi))
          axis->n_ticks = 0;
      }
  }

  /* Two labels closer than a scale's usual spacing (never touching) beat one: 0.1 and 0.5 on
   * a short loss plot that reads only "0.5" otherwise */
  for (int level = 0; count_major (axis) < 2 && level < N_LOG_LEVELS; level++)
    take_denser_level (axis, text, vertical, bound_lo, bound_hi, level, 2);

  /* An axis with one labelled decade beats an axis with none. */
  if (count_major (axis) == 0)
    try_levels (axis, text, vertical, bound_lo, bound_hi, 0, N_LOG_LEVELS);
}

void
recur_axis_make_ticks (RecurAxis     *axis,
                       RecurPlotText *text,
                       gboolean       vertical,
                       double         bound_lo,
                       double         bound_hi)
{
  axis->n_ticks = 0;
  if (fabs (axis->p1 - axis->p0) < 1.0)
    return;
  if (axis->n_marks > 0 && axis->marks != NULL)
    {
      make_mark_ticks (axis, text, vertical, bound_lo, bound_hi);
      return;
    }
  switch (axis->kind)
    {
    case RECUR_AXIS_LOG:
      make_log_ticks (axis, text, vertical, bound_lo, bound_hi);
      break;
    case RECUR_AXIS_TIME:
      {
        g_autoptr(GDateTime) a = date_time_new (axis->lo);
        g_autoptr(GDateTime) b = date_time_new (axis->hi);
        int first = axis->time_of_day ? 0 : first_day_level ();

        /* Outside the calendar's years, or less than a second: plain numbers */
        if (a == NULL || b == NULL || axis->hi - axis->lo < 2.0)
          {
            RecurAxis linear = *axis;

            linear.kind = RECUR_AXIS_LINEAR;
            make_linear_ticks (&linear, text, vertical, bound_lo, bound_hi);
            *axis = linear;
            axis->kind = RECUR_AXIS_TIME;
            break;
          }
        try_levels (axis, text, vertical, bound_lo, bound_hi, first, G_N_ELEMENTS (time_steps));
      }
      break;
    case RECUR_AXIS_LINEAR:
    default:
      make_linear_ticks (axis, text, vertical, bound_lo, bound_hi);
      break;
    }
}

double
recur_axis_max_label_width (const RecurAxis *axis,
                            RecurPlotText   *text)
{
  double width = 0.0;

  for (guint i = 0; i < axis->n_ticks; i++)
    if (axis->ticks[i].major && axis->ticks[i].label[0] != '\0')
      width = MAX (width, recur_plot_text_width (text, RECUR_FONT_NORMAL, axis->ticks[i].label));
  return width;
}
