/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-series-private.h"

/* ------------------------------------------------------------------------------------------ */
/* Field values                                                                               */
/* ------------------------------------------------------------------------------------------ */

gboolean
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
RecurValueKind
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
RecurDateParse
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
RecurValueKind
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
