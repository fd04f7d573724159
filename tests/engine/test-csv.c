/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "recur-series.h"

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static RecurSeries *
load (const char  *text,
      GError     **error)
{
  return recur_series_load_csv_data (text, strlen (text), "test.csv", error);
}

static RecurSeries *
load_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  RecurSeries *series = load (text, &error);

  g_assert_no_error (error);
  g_assert_nonnull (series);
  return series;
}

static RecurSeries *
load_fixture (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "csv", name, NULL);
  RecurSeries *series = recur_series_load_csv (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (series);
  return series;
}

static void
assert_message_has (const GError *error,
                    const char   *part)
{
  if (strstr (error->message, part) == NULL)
    g_test_message ("“%s” does not contain “%s”", error->message, part);
  g_assert_nonnull (strstr (error->message, part));
}

/* Loads text, which must fail with code, and checks the message names where: "test.csv:7:3:" */
static void
assert_load_fails_n (const char    *text,
                     gsize          length,
                     RecurCsvError  code,
                     const char    *where)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSeries) series = recur_series_load_csv_data (text, length, "test.csv", &error);

  g_assert_null (series);
  g_assert_error (error, RECUR_CSV_ERROR, (int) code);
  assert_message_has (error, where);
}

static void
assert_load_fails (const char    *text,
                   RecurCsvError  code,
                   const char    *where)
{
  assert_load_fails_n (text, strlen (text), code, where);
}

static gint64
utc (int year,
     int month,
     int day,
     int hour,
     int minute,
     int second)
{
  g_autoptr(GDateTime) time = g_date_time_new_utc (year, month, day, hour, minute, second);

  return g_date_time_to_unix (time);
}

static void
assert_values (const double *actual,
               const double *expected,
               guint         n)
{
  for (guint i = 0; i < n; i++)
    {
      if (isnan (expected[i]))
        g_assert_true (isnan (actual[i]));
      else
        g_assert_cmpfloat_with_epsilon (actual[i], expected[i], 1e-9);
    }
}

/* "date,value" rows for the given dates, values 1, 2, 3, … */
static RecurSeries *
load_dates (const char * const *dates)
{
  g_autoptr(GString) text = g_string_new ("date,value\n");

  for (guint i = 0; dates[i] != NULL; i++)
    g_string_append_printf (text, "%s,%u\n", dates[i], i + 1);
  return load_ok (text->str);
}

/* n timestamps from start, step seconds apart, as "YYYY-MM-DDTHH:MM:SS" rows */
static RecurSeries *
load_steps (gint64 start,
            gint64 step,
            guint  n)
{
  g_autoptr(GString) text = g_string_new ("time,value\n");

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (start + i * step);
      g_autofree char *iso = g_date_time_format (t, "%Y-%m-%dT%H:%M:%S");

      g_string_append_printf (text, "%s,%u\n", iso, i);
    }
  return load_ok (text->str);
}

/* Every weekday (or every day) from start for n rows, skipping the dates in `skip` */
static RecurSeries *
load_days (int                 year,
           int                 month,
           int                 day,
           guint               n,
           gboolean            weekdays_only,
           const char * const *skip)
{
  g_autoptr(GString) text = g_string_new ("date,value\n");
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, day, month, year);
  for (guint i = 0; i < n; g_date_add_days (&date, 1))
    {
      char iso[16];

      g_date_strftime (iso, sizeof iso, "%Y-%m-%d", &date);
      if (weekdays_only && g_date_get_weekday (&date) >= G_DATE_SATURDAY)
        continue;
      if (skip != NULL && g_strv_contains (skip, iso))
        continue;
      g_string_append_printf (text, "%s,%u\n", iso, i++);
    }
  return load_ok (text->str);
}

static void
assert_format (const RecurSeries *series,
               gint64             timestamp,
               const char        *expected)
{
  g_autofree char *text = recur_series_format_timestamp (series, timestamp);

  g_assert_cmpstr (text, ==, expected);
}

/* ------------------------------------------------------------------------------------------ */
/* Valid files                                                                                */
/* ------------------------------------------------------------------------------------------ */

static void
test_basic (void)
{
  g_autoptr(RecurSeries) series = load_ok ("date,passengers\n"
                                           "1949-01-01,112\n"
                                           "1949-02-01,118\n"
                                           "1949-03-01,132\n");
  const double expected[] = { 112, 118, 132 };
  const gint64 *t;

  g_assert_cmpstr (recur_series_get_path (series), ==, "test.csv");
  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 3);
  g_assert_cmpuint (recur_series_get_n_columns (series), ==, 2);
  g_assert_cmpstr (recur_series_get_column_name (series, 0), ==, "date");
  g_assert_cmpstr (recur_series_get_column_name (series, 1), ==, "passengers");
  g_assert_cmpint (recur_series_get_column_type (series, 0), ==, RECUR_COLUMN_TIME);
  g_assert_cmpint (recur_series_get_column_type (series, 1), ==, RECUR_COLUMN_NUMERIC);
  g_assert_null (recur_series_get_values (series, 0));
  assert_values (recur_series_get_values (series, 1), expected, 3);
  g_assert_cmpint (recur_series_get_time_column (series), ==, 0);
  t = recur_series_get_timestamps (series);
  g_assert_cmpint (t[0], ==, utc (1949, 1, 1, 0, 0, 0));
  g_assert_cmpint (t[2], ==, utc (1949, 3, 1, 0, 0, 0));
  g_assert_false (recur_series_has_time_of_day (series));
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_MONTHLY);
}

static void
test_bom (void)
{
  g_autoptr(RecurSeries) series = load_ok ("\xEF\xBB\xBF" "date,value\n"
                                           "2024-01-01,1\n2024-01-02,2\n");

  g_assert_cmpstr (recur_series_get_column_name (series, 0), ==, "date");
  g_assert_cmpint (recur_series_get_column_type (series, 0), ==, RECUR_COLUMN_TIME);
  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 2);
}

static void
test_crlf (void)
{
  g_autoptr(RecurSeries) series = load_ok ("date,value\r\n2024-01-01,1.5\r\n2024-01-02,2.5\r\n");
  g_autoptr(RecurSeries) cr_only = load_ok ("date,value\r2024-01-01,1\r2024-01-02,2\r");
  const double expected[] = { 1.5, 2.5 };

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 2);
  g_assert_cmpstr (recur_series_get_column_name (series, 1), ==, "value");
  assert_values (recur_series_get_values (series, 1), expected, 2);
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_DAILY);
  /* Old Mac line ends */
  g_assert_cmpuint (recur_series_get_n_rows (cr_only), ==, 2);
  g_assert_cmpfloat (recur_series_get_values (cr_only, 1)[1], ==, 2);
}

static void
test_cr_only_line_numbers (void)
{
  assert_load_fails ("date,value\r2024-01-01,1\r2024-01-02,x\r", RECUR_CSV_ERROR_NOT_A_NUMBER,
                     "test.csv:3:2: column “value”: “x”");
  assert_load_fails ("date,value\r\n2024-01-01,1\r\n\r\n2024-01-02,x\r\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:4:2:");
}

static void
test_quoted (void)
{
  g_autoptr(RecurSeries) series = load_ok ("\"date\",\"note\",\"value\"\n"
                                           "2024-01-01,\"a, b\",\"1\"\n"
                                           "2024-01-02,\"say \"\"hi\"\"\",\" 2 \"\n"
                                           "2024-01-03,\"two\nlines\",3\n"
                                           "2024-01-04,\"\",4\n");
  const double expected[] = { 1, 2, 3, 4 };

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 4);
  g_assert_cmpstr (recur_series_get_column_name (series, 2), ==, "value");
  g_assert_cmpint (recur_series_get_column_type (series, 1), ==, RECUR_COLUMN_TEXT);
  g_assert_cmpuint (recur_series_get_missing_count (series, 1), ==, 1);
  assert_values (recur_series_get_values (series, 2), expected, 4);
}

static void
test_quoted_line_numbers (void)
{
  /* Lines are counted like an editor does, through quoted newlines and blank lines. */
  assert_load_fails ("date,note,value\n"
                     "2024-01-01,\"two\nlines\",1\n"
                     "\n"
                     "2024-01-02,x,bad\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:5:3: column “value”: “bad”");
  /* A field reports the line it starts on, even inside a record spanning lines. */
  assert_load_fails ("note,value\nplain,1\n\"first\nsecond\",abc\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:4:2: column “value”: “abc”");
}

static void
test_semicolon_decimal_comma (void)
{
  g_autoptr(RecurSeries) series = load_ok ("date;value;other\n"
                                           "2024-01-01;3,5;1.234,5\n"
                                           "2024-01-02;-0,25;1.234.567,25\n"
                                           "2024-01-03;\"7,0\";2.5\n"
                                           "2024-01-04; 8 ;-1e3\n");
  const double value[] = { 3.5, -0.25, 7.0, 8 };
  const double other[] = { 1234.5, 1234567.25, 2.5, -1000 };

  g_assert_cmpuint (recur_series_get_n_columns (series), ==, 3);
  assert_values (recur_series_get_values (series, 1), value, 4);
  assert_values (recur_series_get_values (series, 2), other, 4);
}

static void
test_semicolon_bad_grouping (void)
{
  assert_load_fails ("date;value\n2024-01-01;1\n2024-01-02;1.23,5\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:2: column “value”: “1.23,5”");
}

static void
test_tab (void)
{
  g_autoptr(RecurSeries) series = load_ok ("date\tvalue\tlabel\n"
                                           "2024-01-01\t1.5\tx, y\n"
                                           "2024-01-02\t2.5\tz; w\n");
  const double expected[] = { 1.5, 2.5 };

  g_assert_cmpuint (recur_series_get_n_columns (series), ==, 3);
  g_assert_cmpstr (recur_series_get_column_name (series, 2), ==, "label");
  g_assert_cmpint (recur_series_get_column_type (series, 2), ==, RECUR_COLUMN_TEXT);
  assert_values (recur_series_get_values (series, 1), expected, 2);
}

static void
test_thousands_separators (void)
{
  g_autoptr(RecurSeries) series = load_ok ("date,value\n"
                                           "2024-01-01,\"1,234.5\"\n"
                                           "2024-01-02,\"12,345,678\"\n"
                                           "2024-01-03,\"-999\"\n"
                                           "2024-01-04,\"+1,000.25\"\n");
  const double expected[] = { 1234.5, 12345678, -999, 1000.25 };

  assert_values (recur_series_get_values (series, 1), expected, 4);
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,\"1,23\"\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:2: column “value”: “1,23”");
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,\"1234,567\"\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:2:");
  /* groups of the wrong size after the first, or no digit before the first separator */
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,\"1,2345,678\"\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:2:");
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,\",123\"\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:2:");
  /* A comma is not a decimal separator with ',' between fields. */
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,\"3,5\"\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:2:");
}

static void
test_number_forms (void)
{
  g_autoptr(RecurSeries) series = load_ok ("value\n.5\n5.\n+7\n-0\n1e-3\n2E+2\n 4 \n1e-999\n");
  const double expected[] = { 0.5, 5, 7, 0, 0.001, 200, 4, 0 };

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 8);
  assert_values (recur_series_get_values (series, 0), expected, 8);
  assert_load_fails ("value\n1\n0x1A\n", RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:1:");
  assert_load_fails ("value\n1\n1e\n", RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:1:");
  assert_load_fails ("value\n1\n1.2.3\n", RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:1:");
  assert_load_fails ("value\n1\n-\n", RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:1:");
}

static void
test_no_header (void)
{
  g_autoptr(RecurSeries) numbers = load_ok ("1,2\n3,4\n5,6\n");
  g_autoptr(RecurSeries) dated = load_ok ("2024-01-01,5\n2024-01-02,6\n");
  g_autoptr(RecurSeries) labelled = load_ok ("alice,3\nbob,4\n");
  const double expected[] = { 2, 4, 6 };

  g_assert_cmpuint (recur_series_get_n_rows (numbers), ==, 3);
  g_assert_cmpstr (recur_series_get_column_name (numbers, 0), ==, "column1");
  g_assert_cmpstr (recur_series_get_column_name (numbers, 1), ==, "column2");
  assert_values (recur_series_get_values (numbers, 1), expected, 3);
  g_assert_cmpint (recur_series_get_time_column (numbers), ==, -1);
  g_assert_null (recur_series_get_timestamps (numbers));
  g_assert_cmpint (recur_series_get_frequency (numbers), ==, RECUR_FREQUENCY_NONE);

  g_assert_cmpuint (recur_series_get_n_rows (dated), ==, 2);
  g_assert_cmpint (recur_series_get_time_column (dated), ==, 0);
  g_assert_cmpstr (recur_series_get_column_name (dated, 1), ==, "column2");

  /* Text above text is data, not a header. */
  g_assert_cmpuint (recur_series_get_n_rows (labelled), ==, 2);
  g_assert_cmpint (recur_series_get_column_type (labelled, 0), ==, RECUR_COLUMN_TEXT);
  g_assert_cmpstr (recur_series_get_column_name (labelled, 0), ==, "column1");
}

static void
test_header_above_missing (void)
{
  /* The header is recognised even when the first rows have no value under its text. */
  g_autoptr(RecurSeries) series = load_ok ("a,b\nNA,\n,\n1,2\n");
  g_autoptr(RecurSeries) blank_name = load_ok (",value\n1,2\n");

  g_assert_cmpstr (recur_series_get_column_name (series, 0), ==, "a");
  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 3);
  g_assert_cmpuint (recur_series_get_missing_count (series, 0), ==, 2);
  g_assert_cmpuint (recur_series_get_missing_count (series, 1), ==, 2);
  g_assert_cmpstr (recur_series_get_column_name (blank_name, 0), ==, "column1");
  g_assert_cmpstr (recur_series_get_column_name (blank_name, 1), ==, "value");
}

static void
test_single_column (void)
{
  g_autoptr(RecurSeries) series = load_ok ("value\n1\n2\n3\n");
  g_autoptr(RecurSeries) one_row = load_ok ("42\n");

  g_assert_cmpuint (recur_series_get_n_columns (series), ==, 1);
  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 3);
  g_assert_cmpuint (recur_series_get_n_rows (one_row), ==, 1);
  g_assert_cmpfloat (recur_series_get_values (one_row, 0)[0], ==, 42);
}

static void
test_several_numeric_columns (void)
{
  g_autoptr(RecurSeries) series = load_ok ("date,dax,smi,cac\n"
                                           "2024-01-01,1,10,100\n"
                                           "2024-01-02,2,20,200\n");
  const double cac[] = { 100, 200 };

  g_assert_cmpuint (recur_series_get_n_columns (series), ==, 4);
  for (guint j = 1; j < 4; j++)
    g_assert_cmpint (recur_series_get_column_type (series, j), ==, RECUR_COLUMN_NUMERIC);
  assert_values (recur_series_get_values (series, 3), cac, 2);
}

static void
test_text_column (void)
{
  g_autoptr(RecurSeries) series = load_ok ("station,date,value,observed\n"
                                           "north,2024-01-01,1,2024-02-11\n"
                                           "north,2024-01-02,2,2024-02-01\n");

  g_assert_cmpint (recur_series_get_column_type (series, 0), ==, RECUR_COLUMN_TEXT);
  g_assert_null (recur_series_get_values (series, 0));
  /* Only the first date column is the time axis; later ones are labels. */
  g_assert_cmpint (recur_series_get_time_column (series), ==, 1);
  g_assert_cmpint (recur_series_get_column_type (series, 3), ==, RECUR_COLUMN_TEXT);
  g_assert_cmpint (recur_series_get_column_type (series, 2), ==, RECUR_COLUMN_NUMERIC);
}

static void
test_timestamps (void)
{
  g_autoptr(RecurSeries) t_form = load_ok ("time,value\n"
                                           "2024-03-01T13:30:00,1\n"
                                           "2024-03-01T14:30,2\n"
                                           "2024-03-01 15:30:00Z,3\n"
                                           "2024-03-01T17:30:00+01:00,4\n"
                                           "2024-03-01T12:00:00-0530,5\n");
  const gint64 *t = recur_series_get_timestamps (t_form);
  g_autoptr(RecurSeries) months = load_ok ("month,value\n2023-11,1\n2023-12,2\n2024-01,3\n");

  g_assert_true (recur_series_has_time_of_day (t_form));
  g_assert_cmpint (t[0], ==, utc (2024, 3, 1, 13, 30, 0));
  g_assert_cmpint (t[1], ==, utc (2024, 3, 1, 14, 30, 0));
  g_assert_cmpint (t[2], ==, utc (2024, 3, 1, 15, 30, 0));
  g_assert_cmpint (t[3], ==, utc (2024, 3, 1, 16, 30, 0));
  g_assert_cmpint (t[4], ==, utc (2024, 3, 1, 17, 30, 0));
  g_assert_cmpint (recur_series_get_frequency (t_form), ==, RECUR_FREQUENCY_HOURLY);

  g_assert_false (recur_series_has_time_of_day (months));
  g_assert_cmpint (recur_series_get_timestamps (months)[2], ==, utc (2024, 1, 1, 0, 0, 0));
  g_assert_cmpint (recur_series_get_frequency (months), ==, RECUR_FREQUENCY_MONTHLY);
}

static void
test_missing_values (void)
{
  g_autoptr(RecurSeries) series = load_ok ("date,a,b,note\n"
                                           "2024-01-01,1,,x\n"
                                           "2024-01-02,NA,na,\n"
                                           "2024-01-03,N/A,n/a,y\n"
                                           "2024-01-04,NaN,NAN,null\n"
                                           "2024-01-05,null,NULL,z\n"
                                           "2024-01-06,\"\", ,\n"
                                           "2024-01-07,7,7,w\n");
  const double *a = recur_series_get_values (series, 1);

  g_assert_cmpuint (recur_series_get_missing_count (series, 0), ==, 0);
  g_assert_cmpuint (recur_series_get_missing_count (series, 1), ==, 5);
  g_assert_cmpuint (recur_series_get_missing_count (series, 2), ==, 6);
  g_assert_cmpuint (recur_series_get_missing_count (series, 3), ==, 3);
  g_assert_cmpfloat (a[0], ==, 1);
  for (guint i = 1; i < 6; i++)
    g_assert_true (isnan (a[i]));
  g_assert_cmpfloat (a[6], ==, 7);
}

static void
test_blank_lines (void)
{
  g_autoptr(RecurSeries) series = load_ok ("\n  \ndate,value\n\n2024-01-01,1\n"
                                           "   \n2024-01-02,2\n\n\n");
  g_autoptr(RecurSeries) no_final_newline = load_ok ("date,value\n2024-01-01,1\n2024-01-02,2");

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 2);
  g_assert_cmpstr (recur_series_get_column_name (series, 0), ==, "date");
  g_assert_cmpuint (recur_series_get_n_rows (no_final_newline), ==, 2);
  g_assert_cmpfloat (recur_series_get_values (no_final_newline, 1)[1], ==, 2);
}

/* Lines, CRLFs and UTF-8 characters cut by the 64 KiB chunks the reader works in. */
static GString *
build_long_file (guint *n_rows)
{
  GString *text = g_string_new ("date,label,value\r\n");
  const gsize boundaries[] = { 65536, 2 * 65536, 3 * 65536 };
  guint placed = 0;
  GDate date;

  g_date_clear (&date, 1);
  g_date_set_dmy (&date, 1, 1, 1900);
  for (*n_rows = 0; text->len < 4 * 65536; (*n_rows)++, g_date_add_days (&date, 1))
    {
      char iso[16];
      g_autofree char *tail = g_strdup_printf (",%u\r\n", *n_rows);
      gsize label = 1;

      g_date_strftime (iso, sizeof iso, "%Y-%m-%d", &date);
      /* Pad one label so that the row's CR is the last byte of a chunk and its LF the first
       * of the next (boundary 0), so that an "é" straddles it (boundary 1), or so that a
       * chunk ends exactly with a line (boundary 2). */
      if (placed < G_N_ELEMENTS (boundaries) && text->len + 64 > boundaries[placed])
        {
          gsize before = text->len + strlen (iso) + 1;

          if (placed == 0)
            label = boundaries[0] - 1 - before - (strlen (tail) - 2);
          else if (placed == 1)
            label = boundaries[1] - before;
          else
            label = boundaries[2] - before - strlen (tail);
          g_assert_cmpuint (label, <, 100);
        }
      g_string_append_printf (text, "%s,", iso);
      for (gsize i = 1; i < label; i++)
        g_string_append_c (text, 'x');
      if (placed == 1 && label > 1)
        g_string_append (text, "é");
      else
        g_string_append_c (text, 'y');
      g_string_append (text, tail);
      if (label > 1)
        placed++;
    }
  g_assert_cmpuint (placed, ==, 3);
  g_assert_cmpint (text->str[65535], ==, '\r');
  g_assert_cmpint (text->str[65536], ==, '\n');
  g_assert_cmpint ((guchar) text->str[2 * 65536 - 1], ==, 0xC3);
  g_assert_cmpint (text->str[3 * 65536 - 1], ==, '\n');
  return text;
}

static void
test_chunk_boundaries (void)
{
  guint n_rows;
  g_autoptr(GString) text = build_long_file (&n_rows);
  g_autofree char *dir = g_dir_make_tmp ("recur-csv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "long.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSeries) from_data = NULL;
  g_autoptr(RecurSeries) from_file = NULL;

  from_data = recur_series_load_csv_data (text->str, text->len, "long.csv", &error);
  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (path, text->str, text->len, &error));
  g_assert_no_error (error);
  from_file = recur_series_load_csv (path, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (recur_series_get_n_rows (from_data), ==, n_rows);
  g_assert_cmpuint (recur_series_get_n_rows (from_file), ==, n_rows);
  g_assert_cmpstr (recur_series_get_path (from_file), ==, path);
  g_assert_cmpfloat (recur_series_get_values (from_file, 2)[n_rows - 1], ==, n_rows - 1);
  g_assert_cmpint (recur_series_get_frequency (from_file), ==, RECUR_FREQUENCY_DAILY);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);

  /* An error past the chunks still names its line: header + n_rows rows, then this one. */
  g_string_append (text, "2100-01-01,z,oops\r\n");
  {
    g_autofree char *where = g_strdup_printf ("long.csv:%u:3:", n_rows + 2);
    g_autoptr(GError) late = NULL;
    g_autoptr(RecurSeries) none = recur_series_load_csv_data (text->str, text->len, "long.csv",
                                                               &late);

    g_assert_null (none);
    g_assert_error (late, RECUR_CSV_ERROR, RECUR_CSV_ERROR_NOT_A_NUMBER);
    assert_message_has (late, where);
  }
}

typedef struct
{
  const char *text;
  gsize       length;
} LoadJob;

static gpointer
load_in_thread (gpointer data)
{
  const LoadJob *job = data;

  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurSeries) series = recur_series_load_csv_data (job->text, job->length,
                                                                   "eu.csv", &error);

      g_assert_no_error (error);
      g_assert_cmpuint (recur_series_get_n_rows (series), ==, 1860);
      g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_BUSINESS_DAILY);
    }
  return NULL;
}

static void
test_concurrent_loads (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data",
                                                 "eu_stock_markets.csv", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  GThread *threads[6];
  LoadJob job;

  g_assert_true (g_file_get_contents (path, &text, &job.length, &error));
  g_assert_no_error (error);
  job.text = text;
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("load", load_in_thread, &job);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
}

/* ------------------------------------------------------------------------------------------ */
/* Fixture files                                                                              */
/* ------------------------------------------------------------------------------------------ */

static void
test_fixture_bom_crlf (void)
{
  g_autoptr(RecurSeries) series = load_fixture ("bom-crlf.csv");
  const double sales[] = { 1204.5, 1190, NAN, 1302.25, 1288, 1350 };

  g_assert_cmpstr (recur_series_get_column_name (series, 0), ==, "month");
  g_assert_cmpstr (recur_series_get_column_name (series, 1), ==, "sales");
  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 6);
  assert_values (recur_series_get_values (series, 1), sales, 6);
  g_assert_cmpuint (recur_series_get_missing_count (series, 1), ==, 1);
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_MONTHLY);
}

static void
test_fixture_semicolon (void)
{
  g_autoptr(RecurSeries) series = load_fixture ("semicolon-decimal-comma.csv");
  const double temperature[] = { 3.5, -1.25, NAN, 0.5, 2, 4.75, 5, 6.25 };
  const double rain[] = { 0, 1234.5, 12, NAN, 7, 0.1, 0, 3 };

  g_assert_cmpuint (recur_series_get_n_columns (series), ==, 3);
  g_assert_cmpstr (recur_series_get_column_name (series, 2), ==, "Niederschlag");
  assert_values (recur_series_get_values (series, 1), temperature, 8);
  assert_values (recur_series_get_values (series, 2), rain, 8);
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_DAILY);
}

static void
test_fixture_tab_hourly (void)
{
  g_autoptr(RecurSeries) series = load_fixture ("tab-hourly.tsv");
  guint column = 99;

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 6);
  g_assert_true (recur_series_has_time_of_day (series));
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_HOURLY);
  g_assert_cmpint (recur_series_get_column_type (series, 2), ==, RECUR_COLUMN_TEXT);
  g_assert_cmpuint (recur_series_get_missing_count (series, 1), ==, 1);
  g_assert_true (recur_series_find_column (series, NULL, &column, NULL));
  g_assert_cmpuint (column, ==, 1);
  assert_format (series, recur_series_get_timestamps (series)[0], "2024-03-10T22:00:00Z");
}

static void
test_fixture_quoted_multiline (void)
{
  g_autoptr(RecurSeries) series = load_fixture ("quoted-multiline.csv");
  const double expected[] = { 1, 2, 3, 4, 5, 6 };

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 6);
  g_assert_cmpint (recur_series_get_column_type (series, 1), ==, RECUR_COLUMN_TEXT);
  assert_values (recur_series_get_values (series, 2), expected, 6);
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_DAILY);
}

static void
test_fixture_ragged (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "csv", "ragged.csv",
                                                 NULL);
  g_autofree char *where = g_strdup_printf ("%s:6: row has 3 fields, expected 2", path);
  g_autoptr(RecurSeries) series = recur_series_load_csv (path, &error);

  g_assert_null (series);
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_RAGGED_ROW);
  assert_message_has (error, where);
}

/* ------------------------------------------------------------------------------------------ */
/* The bundled sample data                                                                    */
/* ------------------------------------------------------------------------------------------ */

static RecurSeries *
load_sample (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", name, NULL);
  RecurSeries *series = recur_series_load_csv (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (series);
  return series;
}

static void
test_sample_air_passengers (void)
{
  g_autoptr(RecurSeries) series = load_sample ("air_passengers.csv");
  const gint64 *t = recur_series_get_timestamps (series);
  guint column;

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 144);
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_MONTHLY);
  g_assert_true (recur_series_find_column (series, "passengers_thousands", &column, NULL));
  g_assert_cmpfloat (recur_series_get_values (series, column)[0], ==, 112);
  g_assert_cmpuint (recur_series_get_missing_count (series, column), ==, 0);
  assert_format (series, t[143], "1960-12-01");
  assert_format (series, recur_series_advance_timestamp (series, t[143], 1), "1961-01-01");
}

static void
test_sample_nottingham (void)
{
  g_autoptr(RecurSeries) series = load_sample ("nottingham_temperature.csv");

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 240);
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_MONTHLY);
  g_assert_cmpstr (recur_series_get_column_name (series, 1), ==, "mean_temp_f");
}

static void
test_sample_eu_stock_markets (void)
{
  g_autoptr(RecurSeries) series = load_sample ("eu_stock_markets.csv");
  guint n_numeric = 0;

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 1860);
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_BUSINESS_DAILY);
  for (guint j = 0; j < recur_series_get_n_columns (series); j++)
    n_numeric += recur_series_get_column_type (series, j) == RECUR_COLUMN_NUMERIC;
  g_assert_cmpuint (n_numeric, ==, 4);
  g_assert_cmpfloat_with_epsilon (recur_series_get_values (series, 1)[0], 1628.75, 1e-9);
  /* 1998-08-14 was a Friday */
  assert_format (series, recur_series_advance_timestamp (series, utc (1998, 8, 14, 0, 0, 0), 1),
                 "1998-08-17");
}

static void
test_sample_gold_price (void)
{
  g_autoptr(RecurSeries) series = load_sample ("gold_price.csv");
  g_autoptr(GError) error = NULL;
  g_autofree double *filled = NULL;

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 1108);
  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_BUSINESS_DAILY);
  g_assert_cmpuint (recur_series_get_missing_count (series, 1), ==, 34);
  filled = recur_series_fill_missing (series, 1, RECUR_MISSING_INTERPOLATE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < 1108; i++)
    g_assert_true (isfinite (filled[i]));
  g_assert_null (recur_series_fill_missing (series, 1, RECUR_MISSING_REFUSE, &error));
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_MISSING_VALUES);
  assert_message_has (error, "gold_price.csv:");
  assert_message_has (error, "34");
}

/* ------------------------------------------------------------------------------------------ */
/* Missing values filled                                                                      */
/* ------------------------------------------------------------------------------------------ */

static const char *gappy = "date,value\n"
                           "2024-01-01,NA\n"
                           "2024-01-02,2\n"
                           "2024-01-03,\n"
                           "2024-01-04,null\n"
                           "2024-01-05,8\n"
                           "2024-01-06,NaN\n";

static void
test_fill_interpolate (void)
{
  g_autoptr(RecurSeries) series = load_ok (gappy);
  g_autoptr(GError) error = NULL;
  g_autofree double *filled = recur_series_fill_missing (series, 1, RECUR_MISSING_INTERPOLATE,
                                                         &error);
  const double expected[] = { 2, 2, 4, 6, 8, 8 };

  g_assert_no_error (error);
  assert_values (filled, expected, 6);
  /* The raw values are untouched. */
  g_assert_true (isnan (recur_series_get_values (series, 1)[2]));
}

/* Found by fuzz-csv (tests/fixtures/fuzz/csv/crash-interpolation-overflows-to-inf): a gap
 * between values near the limits of a double was filled with -inf, as (b - a) * t overflowed
 * before the division. Every filled value lies between its two neighbours. */
static void
test_fill_interpolate_near_the_limits (void)
{
  g_autoptr(RecurSeries) series = load_ok ("value\n1e308\nNA\nNA\n2\n-1.7e308\nNA\n1.7e308\n");
  g_autoptr(GError) error = NULL;
  g_autofree double *filled = recur_series_fill_missing (series, 0, RECUR_MISSING_INTERPOLATE,
                                                         &error);

  g_assert_no_error (error);
  for (guint i = 0; i < 7; i++)
    g_assert_true (isfinite (filled[i]));
  g_assert_cmpfloat_with_epsilon (filled[1], 1e308 / 3.0 * 2.0, 1e293);
  g_assert_cmpfloat_with_epsilon (filled[2], 1e308 / 3.0, 1e293);
  g_assert_cmpfloat_with_epsilon (filled[5], 0.0, 1e293);
}

static void
test_fill_previous (void)
{
  g_autoptr(RecurSeries) series = load_ok (gappy);
  g_autoptr(GError) error = NULL;
  g_autofree double *filled = recur_series_fill_missing (series, 1, RECUR_MISSING_PREVIOUS,
                                                         &error);
  const double expected[] = { 2, 2, 2, 2, 8, 8 };

  g_assert_no_error (error);
  assert_values (filled, expected, 6);
}

static void
test_fill_refuse (void)
{
  g_autoptr(RecurSeries) series = load_ok (gappy);
  g_autoptr(RecurSeries) complete = load_ok ("value\n1\n2\n");
  g_autoptr(GError) error = NULL;
  g_autofree double *none = recur_series_fill_missing (series, 1, RECUR_MISSING_REFUSE, &error);
  g_autofree double *copy = NULL;
  const double expected[] = { 1, 2 };

  g_assert_null (none);
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_MISSING_VALUES);
  assert_message_has (error, "test.csv:2:2: column “value”");
  assert_message_has (error, "4 missing values");
  g_clear_error (&error);

  copy = recur_series_fill_missing (complete, 0, RECUR_MISSING_REFUSE, &error);
  g_assert_no_error (error);
  assert_values (copy, expected, 2);
}

static void
test_fill_interior_gap_first_line (void)
{
  g_autoptr(RecurSeries) series = load_ok ("value\n1\n\n2\nNA\n3\n");
  g_autoptr(GError) error = NULL;
  g_autofree double *none = recur_series_fill_missing (series, 0, RECUR_MISSING_REFUSE, &error);

  g_assert_null (none);
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_MISSING_VALUES);
  /* The blank line 3 is skipped; NA is on line 5. */
  assert_message_has (error, "test.csv:5:1: column “value”");
  assert_message_has (error, "1 missing value ");
}

static void
test_fill_all_missing (void)
{
  g_autoptr(RecurSeries) series = load_ok ("date,value,empty\n2024-01-01,1,\n2024-01-02,2,NA\n");
  RecurMissingPolicy policies[] = { RECUR_MISSING_INTERPOLATE, RECUR_MISSING_PREVIOUS,
                                    RECUR_MISSING_REFUSE };

  g_assert_cmpint (recur_series_get_column_type (series, 2), ==, RECUR_COLUMN_NUMERIC);
  for (guint i = 0; i < G_N_ELEMENTS (policies); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree double *none = recur_series_fill_missing (series, 2, policies[i], &error);

      g_assert_null (none);
      g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_ALL_MISSING);
      assert_message_has (error, "test.csv: column “empty”");
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Finding columns                                                                            */
/* ------------------------------------------------------------------------------------------ */

static void
test_find_column (void)
{
  g_autoptr(RecurSeries) series = load_ok ("date,label,dax,smi\n"
                                           "2024-01-01,a,1,2\n2024-01-02,b,3,4\n");
  g_autoptr(GError) error = NULL;
  guint column = 99;

  g_assert_true (recur_series_find_column (series, NULL, &column, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (column, ==, 2);
  g_assert_true (recur_series_find_column (series, "smi", &column, &error));
  g_assert_cmpuint (column, ==, 3);

  g_assert_false (recur_series_find_column (series, "ftse", &column, &error));
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN);
  assert_message_has (error, "test.csv: ");
  assert_message_has (error, "“ftse”");
  assert_message_has (error, "“dax”, “smi”");
  g_clear_error (&error);

  g_assert_false (recur_series_find_column (series, "date", &column, &error));
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN);
  assert_message_has (error, "“date”");
  assert_message_has (error, "“dax”, “smi”");
  g_clear_error (&error);

  g_assert_false (recur_series_find_column (series, "label", &column, &error));
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN);
  assert_message_has (error, "“label”");
  assert_message_has (error, "(line 2: “a”)");
  g_assert_cmpuint (column, ==, 3);
  g_clear_error (&error);

  /* two columns of one name: a name that picks neither, the other columns still found */
  {
    g_autoptr(RecurSeries) twice = load_ok ("date,v,v,w\n2024-01-01,1,2,3\n"
                                            "2024-01-02,4,5,6\n");

    g_assert_false (recur_series_find_column (twice, "v", &column, &error));
    g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_UNKNOWN_COLUMN);
    assert_message_has (error, "columns 2 and 3 are both named “v”");
    g_clear_error (&error);
    g_assert_true (recur_series_find_column (twice, "w", &column, &error));
    g_assert_cmpuint (column, ==, 3);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Frequencies                                                                                */
/* ------------------------------------------------------------------------------------------ */

static void
test_frequency_half_hourly (void)
{
  g_autoptr(RecurSeries) series = load_steps (utc (2024, 3, 1, 0, 0, 0), 1800, 10);

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_HALF_HOURLY);
  g_assert_true (recur_series_has_time_of_day (series));
}

static void
test_frequency_hourly (void)
{
  g_autoptr(RecurSeries) series = load_steps (utc (2024, 3, 1, 0, 0, 0), 3600, 30);

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_HOURLY);
}

static void
test_frequency_daily (void)
{
  g_autoptr(RecurSeries) series = load_days (2024, 1, 1, 30, FALSE, NULL);
  const char * const one_gap[] = { "2024-01-10", NULL };
  g_autoptr(RecurSeries) gap = load_days (2024, 1, 1, 30, FALSE, one_gap);

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_DAILY);
  /* One missing day in thirty is a gap, not a change of rhythm. */
  g_assert_cmpint (recur_series_get_frequency (gap), ==, RECUR_FREQUENCY_DAILY);
}

static void
test_frequency_business_daily (void)
{
  g_autoptr(RecurSeries) series = load_days (2024, 1, 1, 40, TRUE, NULL);
  const char * const holidays[] = { "2024-01-15", "2024-02-14", "2024-02-15", NULL };
  g_autoptr(RecurSeries) with_holidays = load_days (2024, 1, 1, 40, TRUE, holidays);
  /* A daily series that skips weekends but has one Saturday is not business-daily. */
  g_autoptr(RecurSeries) with_saturday = load_ok ("date,value\n"
                                                  "2024-01-01,1\n2024-01-02,1\n2024-01-03,1\n"
                                                  "2024-01-04,1\n2024-01-05,1\n2024-01-06,1\n"
                                                  "2024-01-08,1\n2024-01-09,1\n2024-01-10,1\n"
                                                  "2024-01-11,1\n2024-01-12,1\n");

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_BUSINESS_DAILY);
  g_assert_cmpint (recur_series_get_frequency (with_holidays), ==,
                   RECUR_FREQUENCY_BUSINESS_DAILY);
  g_assert_cmpint (recur_series_get_frequency (with_saturday), !=,
                   RECUR_FREQUENCY_BUSINESS_DAILY);
}

static void
test_frequency_weekly (void)
{
  g_autoptr(RecurSeries) series = load_steps (utc (2024, 1, 7, 0, 0, 0), 7 * 86400, 12);

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_WEEKLY);
}

static void
test_frequency_monthly (void)
{
  const char * const firsts[] = { "2023-11-15", "2023-12-15", "2024-01-15", "2024-02-15",
                                  "2024-03-15", "2024-04-15", NULL };
  const char * const ends[] = { "2023-11-30", "2023-12-31", "2024-01-31", "2024-02-29",
                                "2024-03-31", "2024-04-30", "2024-05-31", NULL };
  g_autoptr(RecurSeries) mid = load_dates (firsts);
  g_autoptr(RecurSeries) month_ends = load_dates (ends);

  g_assert_cmpint (recur_series_get_frequency (mid), ==, RECUR_FREQUENCY_MONTHLY);
  g_assert_cmpint (recur_series_get_frequency (month_ends), ==, RECUR_FREQUENCY_MONTHLY);
}

static void
test_frequency_quarterly (void)
{
  const char * const dates[] = { "2022-01-01", "2022-04-01", "2022-07-01", "2022-10-01",
                                 "2023-01-01", "2023-04-01", NULL };
  g_autoptr(RecurSeries) series = load_dates (dates);

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_QUARTERLY);
}

static void
test_frequency_yearly (void)
{
  const char * const dates[] = { "2019-01-01", "2020-01-01", "2021-01-01", "2022-01-01", NULL };
  g_autoptr(RecurSeries) series = load_dates (dates);

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_YEARLY);
}

static void
test_frequency_irregular (void)
{
  const char * const random[] = { "2024-01-01", "2024-01-02", "2024-01-09", "2024-01-10",
                                  "2024-02-20", "2024-02-21", "2024-02-22", NULL };
  const char * const one[] = { "2024-01-01", NULL };
  g_autoptr(RecurSeries) series = load_dates (random);
  g_autoptr(RecurSeries) single = load_dates (one);

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_IRREGULAR);
  g_assert_cmpint (recur_series_get_frequency (single), ==, RECUR_FREQUENCY_IRREGULAR);
  /* Irregular series step by their median spacing: steps 1, 7, 1, 41, 1, 1 days → 1 day. */
  g_assert_cmpint (recur_series_advance_timestamp (series, 100, 3), ==, 100 + 3 * 86400);
}

static void
test_frequency_none (void)
{
  g_autoptr(RecurSeries) series = load_ok ("value\n1\n2\n");

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_NONE);
  g_assert_cmpint (recur_series_advance_timestamp (series, 241, 3), ==, 244);
  assert_format (series, 241, "241");
}

static void
test_frequency_strings (void)
{
  const struct { RecurFrequency frequency; const char *name; guint season; } table[] = {
    { RECUR_FREQUENCY_HALF_HOURLY, "half-hourly", 48 },
    { RECUR_FREQUENCY_HOURLY, "hourly", 24 },
    { RECUR_FREQUENCY_DAILY, "daily", 7 },
    { RECUR_FREQUENCY_BUSINESS_DAILY, "business-daily", 5 },
    { RECUR_FREQUENCY_WEEKLY, "weekly", 52 },
    { RECUR_FREQUENCY_MONTHLY, "monthly", 12 },
    { RECUR_FREQUENCY_QUARTERLY, "quarterly", 4 },
    { RECUR_FREQUENCY_YEARLY, "yearly", 1 },
    { RECUR_FREQUENCY_IRREGULAR, "irregular", 1 },
  };
  RecurFrequency parsed;

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    {
      g_assert_cmpstr (recur_frequency_to_string (table[i].frequency), ==, table[i].name);
      g_assert_true (recur_frequency_from_string (table[i].name, &parsed));
      g_assert_cmpint (parsed, ==, table[i].frequency);
      g_assert_cmpuint (recur_frequency_season (table[i].frequency), ==, table[i].season);
    }
  g_assert_null (recur_frequency_to_string (RECUR_FREQUENCY_NONE));
  g_assert_cmpuint (recur_frequency_season (RECUR_FREQUENCY_NONE), ==, 1);
  g_assert_false (recur_frequency_from_string ("fortnightly", &parsed));
  g_assert_false (recur_frequency_from_string ("", &parsed));
  g_assert_cmpstr (recur_column_type_to_string (RECUR_COLUMN_TIME), ==, "time");
  g_assert_cmpstr (recur_column_type_to_string (RECUR_COLUMN_NUMERIC), ==, "numeric");
  g_assert_cmpstr (recur_column_type_to_string (RECUR_COLUMN_TEXT), ==, "text");
}

/* ------------------------------------------------------------------------------------------ */
/* Advancing and formatting timestamps                                                        */
/* ------------------------------------------------------------------------------------------ */

static void
test_advance_monthly_clamps (void)
{
  const char * const dates[] = { "2023-10-31", "2023-11-30", "2023-12-31", "2024-01-31", NULL };
  g_autoptr(RecurSeries) series = load_dates (dates);
  gint64 jan31 = utc (2024, 1, 31, 0, 0, 0);

  g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_MONTHLY);
  assert_format (series, recur_series_advance_timestamp (series, jan31, 1), "2024-02-29");
  assert_format (series, recur_series_advance_timestamp (series, jan31, 2), "2024-03-31");
  assert_format (series, recur_series_advance_timestamp (series, jan31, 3), "2024-04-30");
  assert_format (series, recur_series_advance_timestamp (series, jan31, 13), "2025-02-28");
  assert_format (series, recur_series_advance_timestamp (series, jan31, 0), "2024-01-31");
  /* Before 1970 too */
  assert_format (series, recur_series_advance_timestamp (series, utc (1960, 12, 1, 0, 0, 0), 2),
                 "1961-02-01");
}

static void
test_advance_quarterly_yearly (void)
{
  const char * const quarters[] = { "2023-02-28", "2023-05-28", "2023-08-28", "2023-11-28", NULL };
  const char * const years[] = { "2020-02-29", "2021-02-28", "2022-02-28", NULL };
  g_autoptr(RecurSeries) quarterly = load_dates (quarters);
  g_autoptr(RecurSeries) yearly = load_dates (years);

  g_assert_cmpint (recur_series_get_frequency (quarterly), ==, RECUR_FREQUENCY_QUARTERLY);
  assert_format (quarterly, recur_series_advance_timestamp (quarterly, utc (2023, 11, 30, 0, 0, 0),
                                                            1), "2024-02-29");
  g_assert_cmpint (recur_series_get_frequency (yearly), ==, RECUR_FREQUENCY_YEARLY);
  assert_format (yearly, recur_series_advance_timestamp (yearly, utc (2024, 2, 29, 0, 0, 0), 1),
                 "2025-02-28");
  assert_format (yearly, recur_series_advance_timestamp (yearly, utc (2024, 2, 29, 0, 0, 0), 4),
                 "2028-02-29");
}

static void
test_advance_business_days (void)
{
  g_autoptr(RecurSeries) series = load_days (2024, 1, 1, 20, TRUE, NULL);
  gint64 friday = utc (2024, 3, 1, 0, 0, 0);
  gint64 saturday = utc (2024, 3, 2, 0, 0, 0);
  gint64 wednesday = utc (2024, 3, 6, 0, 0, 0);

  assert_format (series, recur_series_advance_timestamp (series, friday, 1), "2024-03-04");
  assert_format (series, recur_series_advance_timestamp (series, friday, 5), "2024-03-08");
  assert_format (series, recur_series_advance_timestamp (series, friday, 6), "2024-03-11");
  assert_format (series, recur_series_advance_timestamp (series, wednesday, 3), "2024-03-11");
  assert_format (series, recur_series_advance_timestamp (series, wednesday, 10), "2024-03-20");
  assert_format (series, recur_series_advance_timestamp (series, saturday, 1), "2024-03-04");
  assert_format (series, recur_series_advance_timestamp (series, saturday, 6), "2024-03-11");
  assert_format (series, recur_series_advance_timestamp (series, saturday, 0), "2024-03-02");
}

static void
test_advance_fixed_steps (void)
{
  gint64 start = utc (2024, 3, 30, 23, 30, 0);
  g_autoptr(RecurSeries) half_hourly = load_steps (start, 1800, 5);
  g_autoptr(RecurSeries) hourly = load_steps (start, 3600, 5);
  g_autoptr(RecurSeries) daily = load_steps (start, 86400, 5);
  g_autoptr(RecurSeries) weekly = load_steps (start, 7 * 86400, 5);

  assert_format (half_hourly, recur_series_advance_timestamp (half_hourly, start, 3),
                 "2024-03-31T01:00:00");
  assert_format (hourly, recur_series_advance_timestamp (hourly, start, 3), "2024-03-31T02:30:00");
  g_assert_cmpint (recur_series_get_frequency (daily), ==, RECUR_FREQUENCY_DAILY);
  assert_format (daily, recur_series_advance_timestamp (daily, start, 2), "2024-04-01T23:30:00");
  g_assert_cmpint (recur_series_get_frequency (weekly), ==, RECUR_FREQUENCY_WEEKLY);
  assert_format (weekly, recur_series_advance_timestamp (weekly, start, 1), "2024-04-06T23:30:00");
}

static void
test_format_timestamp (void)
{
  const char * const dates[] = { "1960-11-01", "1960-12-01", NULL };
  g_autoptr(RecurSeries) plain = load_dates (dates);
  g_autoptr(RecurSeries) times = load_steps (utc (2024, 3, 1, 12, 30, 0), 3600, 3);

  assert_format (plain, recur_series_get_timestamps (plain)[1], "1960-12-01");
  assert_format (times, utc (2024, 3, 1, 13, 30, 0), "2024-03-01T13:30:00");
}

/* ------------------------------------------------------------------------------------------ */
/* Bad input                                                                                  */
/* ------------------------------------------------------------------------------------------ */

static void
test_error_not_a_number (void)
{
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,abc\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:2: column “value”: “abc”");
  assert_load_fails ("date,a,b\n"
                     "2024-01-01,1,1\n2024-01-02,2,2\n2024-01-03,3,3\n"
                     "2024-01-04,4,4\n2024-01-05,5,5\n2024-01-06,6,1O\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:7:3: column “b”: “1O”");
  /* A date where numbers are expected */
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,2024-01-02\n",
                     RECUR_CSV_ERROR_NOT_A_NUMBER, "test.csv:3:2:");
}

static void
test_error_ragged (void)
{
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,2\n2024-01-03,3\n"
                     "2024-01-04,4\n2024-01-05,5\n2024-01-06,6,7\n",
                     RECUR_CSV_ERROR_RAGGED_ROW, "test.csv:7: row has 3 fields, expected 2");
  assert_load_fails ("a,b,c\n1,2,3\n4,5\n", RECUR_CSV_ERROR_RAGGED_ROW,
                     "test.csv:3: row has 2 fields, expected 3");
  /* Caught while the header is still undecided too */
  assert_load_fails ("a,b\n,\n1\n", RECUR_CSV_ERROR_RAGGED_ROW,
                     "test.csv:3: row has 1 field, expected 2");
}

static void
test_error_unterminated_quote (void)
{
  assert_load_fails ("date,note,value\n2024-01-01,ok,1\n2024-01-02,\"open,2\n2024-01-03,x,3\n",
                     RECUR_CSV_ERROR_UNTERMINATED_QUOTE, "test.csv:3:2: column “note”");
  assert_load_fails ("value\n1\n\"2", RECUR_CSV_ERROR_UNTERMINATED_QUOTE, "test.csv:3:1:");
  /* while only missing values follow the first row, whether it names the columns is undecided:
   * a column is called by its text there, or by its number past it or over a number */
  assert_load_fails ("a,b\nNA,NA\nNA,\"open", RECUR_CSV_ERROR_UNTERMINATED_QUOTE,
                     "test.csv:3:2: column “b”: the quoted field that starts here is not closed "
                     "before the end of the file");
  assert_load_fails ("a,b\nNA,NA,\"open", RECUR_CSV_ERROR_UNTERMINATED_QUOTE,
                     "test.csv:2:3: column “column3”:");
  assert_load_fails ("x,1\nNA,NA\nNA,\"open", RECUR_CSV_ERROR_UNTERMINATED_QUOTE,
                     "test.csv:3:2: column “column2”:");
}

static void
test_error_stray_quote (void)
{
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,2\"\n",
                     RECUR_CSV_ERROR_UNTERMINATED_QUOTE, "test.csv:3:2: column “value”");
  assert_load_fails ("date,note,value\n2024-01-01,\"a\"b,1\n",
                     RECUR_CSV_ERROR_UNTERMINATED_QUOTE, "test.csv:2:2: column “note”");
}

static void
test_error_bad_date (void)
{
  assert_load_fails ("date,value\n2023-02-28,1\n2023-02-30,2\n", RECUR_CSV_ERROR_BAD_DATE,
                     "test.csv:3:1: column “date”: “2023-02-30”");
  assert_load_fails ("date,value\n2023-02-28,1\n2023-13,2\n", RECUR_CSV_ERROR_BAD_DATE,
                     "test.csv:3:1:");
  assert_load_fails ("time,value\n2023-02-28T23:00,1\n2023-02-28T25:00,2\n",
                     RECUR_CSV_ERROR_BAD_DATE, "test.csv:3:1: column “time”: “2023-02-28T25:00”");
  assert_load_fails ("date,value\n2023-02-28,1\nyesterday,2\n", RECUR_CSV_ERROR_BAD_DATE,
                     "test.csv:3:1: column “date”: “yesterday”");
  assert_load_fails ("value,date\n1,2023-02-28\n2,42\n", RECUR_CSV_ERROR_BAD_DATE,
                     "test.csv:3:2: column “date”: “42”");
  assert_load_fails ("date,value\n2023-02-28,1\n2023-03-01x,2\n", RECUR_CSV_ERROR_BAD_DATE,
                     "test.csv:3:1:");
}

static void
test_error_missing_date (void)
{
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-02,2\nNA,3\n", RECUR_CSV_ERROR_BAD_DATE,
                     "test.csv:4:1: column “date”");
  /* A missing first date is found once later rows show the column holds dates. */
  assert_load_fails ("date,value\n,1\n2024-01-02,2\n", RECUR_CSV_ERROR_BAD_DATE,
                     "test.csv:2:1: column “date”");
}

static void
test_error_date_order (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSeries) series = load ("date,value\n2024-01-01,1\n2024-01-03,2\n2024-01-02,3\n",
                                        &error);

  g_assert_null (series);
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_DATE_ORDER);
  assert_message_has (error, "test.csv:4:1: column “date”");
  assert_message_has (error, "“2024-01-02”");
  assert_message_has (error, "“2024-01-03”");
  assert_load_fails ("date,value\n2024-01-01,1\n2024-01-01,2\n", RECUR_CSV_ERROR_DATE_ORDER,
                     "test.csv:3:1:");
  /* The same instant written in two time zones is a repeat */
  assert_load_fails ("time,value\n2024-01-01T12:00Z,1\n2024-01-01T13:00+01:00,2\n",
                     RECUR_CSV_ERROR_DATE_ORDER, "test.csv:3:1:");
}

static void
test_error_nul_byte (void)
{
  const char text[] = "date,value\n2024-01-01,1\n2024-01-02,\0x\n";

  assert_load_fails_n (text, sizeof text - 1, RECUR_CSV_ERROR_NUL_BYTE, "test.csv:3:12:");
  /* UTF-16 text is full of NULs */
  assert_load_fails_n ("\xFF\xFEv\0a\0l\0", 8, RECUR_CSV_ERROR_NOT_UTF8, "test.csv:1:1:");
  assert_load_fails_n ("v\0a\0l\0", 6, RECUR_CSV_ERROR_NUL_BYTE, "test.csv:1:2:");
}

static void
test_error_not_utf8 (void)
{
  /* Columns count characters: "é" is one. */
  assert_load_fails ("name,value\nhé,1\nhé\xFF,2\n", RECUR_CSV_ERROR_NOT_UTF8, "test.csv:3:3:");
  assert_load_fails ("name,value\nLatin-1 caf\xE9,1\n", RECUR_CSV_ERROR_NOT_UTF8,
                     "test.csv:2:12:");
}

static void
test_error_empty (void)
{
  assert_load_fails_n ("", 0, RECUR_CSV_ERROR_EMPTY, "test.csv: ");
  assert_load_fails ("\n\n   \r\n", RECUR_CSV_ERROR_EMPTY, "test.csv: ");
  assert_load_fails ("\xEF\xBB\xBF", RECUR_CSV_ERROR_EMPTY, "test.csv: ");
}

static void
test_error_no_rows (void)
{
  assert_load_fails ("date,value\n", RECUR_CSV_ERROR_NO_ROWS, "test.csv: ");
  assert_load_fails ("date,value\n\n\n", RECUR_CSV_ERROR_NO_ROWS, "test.csv: ");
}

static void
test_error_no_numeric_column (void)
{
  assert_load_fails ("name,city\nann,paris\nbob,rome\n", RECUR_CSV_ERROR_NO_NUMERIC_COLUMN,
                     "test.csv: ");
  assert_load_fails ("date,name\n2024-01-01,ann\n", RECUR_CSV_ERROR_NO_NUMERIC_COLUMN,
                     "test.csv: ");
  /* where: the first text column's first value, as a price with its currency sign */
  assert_load_fails ("date,price\n2024-01-01,\n2024-01-02,$12\n",
                     RECUR_CSV_ERROR_NO_NUMERIC_COLUMN,
                     "test.csv: no column holds numbers (line 3: column “price” begins with "
                     "“$12”, which is not a number)");
}

static void
test_error_not_finite (void)
{
  const char *spellings[] = { "inf", "-inf", "Infinity", "+INF", "1e999", "-1e400" };

  for (guint i = 0; i < G_N_ELEMENTS (spellings); i++)
    {
      g_autofree char *text = g_strdup_printf ("date,value\n2024-01-01,1\n2024-01-02,%s\n",
                                               spellings[i]);
      g_autofree char *where = g_strdup_printf ("test.csv:3:2: column “value”: “%s”",
                                                spellings[i]);

      assert_load_fails (text, RECUR_CSV_ERROR_NOT_FINITE, where);
    }
  /* Even as the first value of its column */
  assert_load_fails ("value\ninf\n1\n", RECUR_CSV_ERROR_NOT_FINITE, "test.csv:2:1:");
}

/* The limits that keep a hostile file's memory bounded, each just under and just over. */
static void
test_error_too_long (void)
{
  g_autoptr(GString) text = g_string_new ("label,value\n");
  g_autoptr(RecurSeries) series = NULL;

  /* a field of 1 MiB reads; one byte more is refused where it is, quoted or not */
  g_string_append (text, "\"");
  for (guint i = 0; i < RECUR_CSV_MAX_FIELD_BYTES; i++)
    g_string_append_c (text, 'x');
  g_string_append (text, "\",1\n");
  series = load_ok (text->str);
  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 1);
  g_string_insert_c (text, strlen ("label,value\n\""), 'x');
  assert_load_fails (text->str, RECUR_CSV_ERROR_TOO_LONG,
                     "test.csv:2:1: column “label”: the field is longer than 1 MiB");
  g_string_erase (text, strlen ("label,value\n"), 1);
  g_string_truncate (text, text->len - strlen ("\",1\n"));
  g_string_append (text, ",1\n");
  assert_load_fails (text->str, RECUR_CSV_ERROR_TOO_LONG,
                     "test.csv:2:1: column “label”: the field is longer than 1 MiB");
  /* twice as long: libcsv is stopped before its buffer holds it all */
  g_string_insert_len (text, strlen ("label,value\n"), text->str + strlen ("label,value\n"),
                       RECUR_CSV_MAX_FIELD_BYTES);
  assert_load_fails (text->str, RECUR_CSV_ERROR_TOO_LONG,
                     "test.csv:2:1: column “label”: the field is longer than 1 MiB");

  /* 100,000 columns read; 100,001 do not */
  g_string_truncate (text, 0);
  for (guint j = 0; j < RECUR_CSV_MAX_COLUMNS; j++)
    g_string_append (text, j ? ",1" : "1");
  g_string_append (text, "\n");
  g_clear_pointer (&series, recur_series_unref);
  series = load_ok (text->str);
  g_assert_cmpuint (recur_series_get_n_columns (series), ==, RECUR_CSV_MAX_COLUMNS);
  g_string_insert (text, 0, "1,");
  assert_load_fails (text->str, RECUR_CSV_ERROR_TOO_LONG,
                     "test.csv:1: the row has more than 100000 columns");

  /* a row of more than 64 MiB: a line that long, and a record of quoted fields over lines */
  g_string_truncate (text, 0);
  g_string_append (text, "value\n");
  while (text->len <= RECUR_CSV_MAX_ROW_BYTES + 8)
    g_string_append (text, "1");
  g_string_append (text, "\n");
  assert_load_fails (text->str, RECUR_CSV_ERROR_TOO_LONG,
                     "test.csv:2: the row is longer than 64 MiB");
  /* fields under 1 MiB, each quoted over two lines: the 65th takes the record past 64 MiB, on
   * line 2 + 64 where it begins */
  g_string_truncate (text, 0);
  g_string_append (text, "value\n");
  for (guint k = 0; k < 65; k++)
    {
      g_string_append (text, k ? ",\"" : "\"");
      for (guint i = 0; i < 1040000; i++)
        g_string_append_c (text, 'x');
      g_string_append (text, "\ny\"");
    }
  g_string_append (text, "\n");
  assert_load_fails (text->str, RECUR_CSV_ERROR_TOO_LONG,
                     "test.csv:66: the row is longer than 64 MiB");
}

static void
test_error_io (void)
{
  /* a folder of its own: a file of that name in /tmp would be read */
  g_autofree char *dir = g_dir_make_tmp ("recur-csv-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "no-such-file.csv", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSeries) series = recur_series_load_csv (path, &error);

  g_assert_null (series);
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_IO);
  assert_message_has (error, path);
  g_clear_error (&error);

  g_assert_null (recur_series_load_csv (dir, &error));
  g_assert_error (error, RECUR_CSV_ERROR, RECUR_CSV_ERROR_IO);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Rhythms without a name, timestamp forms, the calendar's ends                               */
/* ------------------------------------------------------------------------------------------ */

/* Steps between the named rhythms (or beyond them) are irregular: the series is not forced
 * into the nearest name. */
static void
test_frequency_unnamed (void)
{
  const gint64 steps[] = { 5 * 60, 40 * 60, 2 * 3600, 3 * 86400, 14 * 86400, 60 * 86400,
                           180 * 86400, 730 * 86400 };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      g_autoptr(RecurSeries) series = load_steps (utc (2001, 1, 1, 0, 0, 0), steps[i], 12);

      g_test_message ("a step of %" G_GINT64_FORMAT " s", steps[i]);
      g_assert_cmpint (recur_series_get_frequency (series), ==, RECUR_FREQUENCY_IRREGULAR);
      /* an irregular series advances by its median step */
      g_assert_cmpint (recur_series_advance_timestamp (series, 0, 2), ==, 2 * steps[i]);
    }
}

/* Each frequency's name as the window shows it. */
static void
test_frequency_display (void)
{
  const struct { RecurFrequency frequency; const char *shown; } table[] = {
    { RECUR_FREQUENCY_HALF_HOURLY, "half-hourly" }, { RECUR_FREQUENCY_HOURLY, "hourly" },
    { RECUR_FREQUENCY_DAILY, "daily" }, { RECUR_FREQUENCY_BUSINESS_DAILY, "business days" },
    { RECUR_FREQUENCY_WEEKLY, "weekly" }, { RECUR_FREQUENCY_MONTHLY, "monthly" },
    { RECUR_FREQUENCY_QUARTERLY, "quarterly" }, { RECUR_FREQUENCY_YEARLY, "yearly" },
    { RECUR_FREQUENCY_IRREGULAR, "irregular" }, { RECUR_FREQUENCY_NONE, "none" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (table); i++)
    g_assert_cmpstr (recur_frequency_to_display (table[i].frequency), ==, table[i].shown);
}

/* A step that disagrees with the rhythm: another time of day, another day of the month, a
 * business day at a time of day. One in ten is a gap; more is another rhythm. */
static void
test_frequency_disagreeing_steps (void)
{
  const char * const one_late[] = { "2023-01-15", "2023-02-15", "2023-03-15", "2023-04-15",
                                    "2023-05-15", "2023-06-15", "2023-07-15", "2023-08-15",
                                    "2023-09-15", "2023-10-15", "2023-11-15T06:00", NULL };
  const char * const two_off[] = { "2023-01-15", "2023-02-15", "2023-03-20", "2023-04-15",
                                   "2023-05-15", "2023-06-15", "2023-07-15T06:00", "2023-08-15",
                                   "2023-09-15", "2023-10-15", "2023-11-15", NULL };
  const char * const two_late_days[] = { "2024-01-01", "2024-01-02", "2024-01-03T12:00",
                                         "2024-01-04", "2024-01-05", "2024-01-08", "2024-01-09",
                                         "2024-01-10T12:00", "2024-01-11", "2024-01-12", NULL };
  g_autoptr(RecurSeries) late = load_dates (one_late);
  g_autoptr(RecurSeries) off = load_dates (two_off);
  g_autoptr(RecurSeries) days = load_dates (two_late_days);

  g_assert_cmpint (recur_series_get_frequency (late), ==, RECUR_FREQUENCY_MONTHLY);
  g_assert_cmpint (recur_series_get_frequency (off), ==, RECUR_FREQUENCY_IRREGULAR);
  g_assert_cmpint (recur_series_get_frequency (days), ==, RECUR_FREQUENCY_IRREGULAR);
}

/* Calendar rhythms with whole periods missing: the step over a gap moves by more months than
 * the rhythm, so it disagrees; one such step in ten keeps the rhythm, two make it irregular. */
static void
test_frequency_missing_periods (void)
{
  static const struct { guint year, month, day, step, n, skip1, skip2; RecurFrequency want; }
  cases[] = {
    { 2022, 1, 31, 1, 12, 5, 0, RECUR_FREQUENCY_MONTHLY },  /* month ends, June missing */
    { 2022, 1, 31, 1, 13, 5, 9, RECUR_FREQUENCY_IRREGULAR },
    { 2020, 2, 1, 3, 12, 6, 0, RECUR_FREQUENCY_QUARTERLY },
    { 2020, 2, 1, 3, 13, 3, 8, RECUR_FREQUENCY_IRREGULAR },
    { 2000, 7, 1, 12, 12, 4, 0, RECUR_FREQUENCY_YEARLY },
    { 2000, 7, 1, 12, 13, 4, 10, RECUR_FREQUENCY_IRREGULAR },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      g_autoptr(GString) text = g_string_new ("date,value\n");
      g_autoptr(RecurSeries) series = NULL;
      GDate first, d;

      g_date_clear (&first, 1);
      g_date_set_dmy (&first, cases[c].day, cases[c].month, cases[c].year);
      for (guint i = 0; i < cases[c].n; i++)
        {
          char iso[16];

          if (i == cases[c].skip1 || (cases[c].skip2 && i == cases[c].skip2))
            continue;
          d = first;
          g_date_add_months (&d, i * cases[c].step);  /* clamps to the month's last day */
          g_date_strftime (iso, sizeof iso, "%Y-%m-%d", &d);
          g_string_append_printf (text, "%s,%u\n", iso, i);
        }
      series = load_ok (text->str);
      g_test_message ("%s", text->str);
      g_assert_cmpint (recur_series_get_frequency (series), ==, cases[c].want);
    }
}

/* Time of day and UTC offsets as ISO 8601 writes them, and what is refused: the row and the
 * field are named. */
static void
test_timestamp_forms (void)
{
  const struct { const char *text; gint64 time; } good[] = {
    { "2024-01-02T03:04z", 0 }, { "2024-01-02t03:04:05Z", 5 }, { "2024-01-02 03:04", 0 },
    { "2024-01-02T05:34+02:30", 0 }, { "2024-01-02T00:34-0230", 0 },
  };
  const char *const bad[] = {
    "2024-01-02T03:04+5", "2024-01-02T03:04+24:00", "2024-01-02T03:04+05:60",
    "2024-01-02T03:04+05:3x", "2024-01-02T3:04", "2024-01-02T03-04", "2024-01-02T03:0x",
    "2024-01-02T03:04:5", "2024-01-02T24:00", "2024-01-02T03:60", "2024-01-02T03:04:60",
    "2024-01-0", "2024-01-", "2024-01x02", "2024-1",
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autofree char *text = g_strdup_printf ("time,value\n2024-01-02T02:04,1\n%s,2\n",
                                               good[i].text);
      g_autoptr(RecurSeries) series = load_ok (text);

      g_assert_cmpint (recur_series_get_timestamps (series)[1], ==,
                       utc (2024, 1, 2, 3, 4, 0) + good[i].time);
      /* kept and written in UTC: with a Z where the file gave an offset, which a local time
       * written back would lose */
      assert_format (series, recur_series_get_timestamps (series)[0],
                     strpbrk (good[i].text + 11, "Zz+-") ? "2024-01-02T02:04:00Z"
                                                         : "2024-01-02T02:04:00");
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = g_strdup_printf ("time,value\n2024-01-01T00:00,1\n%s,2\n", bad[i]);
      g_autofree char *where = g_strdup_printf ("test.csv:3:1: column “time”: “%s”", bad[i]);

      assert_load_fails (text, RECUR_CSV_ERROR_BAD_DATE, where);
    }
}

/* Before 1970 (negative seconds, with a time of day) and at the end of year 9999, past which
 * months go on in seconds, shown as numbers as days are (no date format holds them), never as
 * a date that is not the one meant. */
static void
test_calendar_ends (void)
{
  g_autoptr(RecurSeries) before = load_steps (utc (1969, 12, 31, 21, 0, 0), 3600, 6);
  const char * const last_months[] = { "9999-08-01", "9999-09-01", "9999-10-01", "9999-11-01",
                                       NULL };
  g_autoptr(RecurSeries) late = load_dates (last_months);
  gint64 november = recur_series_get_timestamps (late)[3];

  g_assert_cmpint (recur_series_get_frequency (before), ==, RECUR_FREQUENCY_HOURLY);
  assert_format (before, recur_series_get_timestamps (before)[0], "1969-12-31T21:00:00");
  assert_format (before, recur_series_advance_timestamp (before, utc (1969, 12, 31, 21, 0, 0),
                                                         4), "1970-01-01T01:00:00");
  g_assert_cmpint (recur_series_get_frequency (late), ==, RECUR_FREQUENCY_MONTHLY);
  assert_format (late, recur_series_advance_timestamp (late, november, 1), "9999-12-01");
  /* 10000-01-01 and 10000-02-29 (a leap year), in seconds since 1970 */
  assert_format (late, recur_series_advance_timestamp (late, november, 2), "253402300800");
  g_assert_cmpint (recur_series_advance_timestamp (late, recur_series_get_timestamps (late)[0]
                                                           + 28 * 86400, 6),
                   ==, 253402300800 + (31 + 28) * 86400);
  {
    g_autoptr(RecurSeries) daily = load_steps (utc (9999, 12, 30, 0, 0, 0), 86400, 2);
    assert_format (daily, recur_series_advance_timestamp (daily, utc (9999, 12, 31, 0, 0, 0), 1),
                   "253402300800");
  }
}

/* A field too long in the first rows, before the header is decided: the column is named from
 * the first row when it holds text there, by its number otherwise. */
static void
test_error_too_long_first_rows (void)
{
  g_autoptr(GString) named = g_string_new ("name,value\nx,");
  g_autoptr(GString) numbered = g_string_new ("1,2\n3,");

  for (guint i = 0; i <= RECUR_CSV_MAX_FIELD_BYTES; i++)
    {
      g_string_append_c (named, '7');
      g_string_append_c (numbered, '7');
    }
  g_string_append (named, "\n");
  g_string_append (numbered, "\n");
  assert_load_fails (named->str, RECUR_CSV_ERROR_TOO_LONG,
                     "test.csv:2:2: column “value”: the field is longer than 1 MiB");
  assert_load_fails (numbered->str, RECUR_CSV_ERROR_TOO_LONG,
                     "test.csv:2:2: column “column2”: the field is longer than 1 MiB");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/csv/basic", test_basic);
  g_test_add_func ("/engine/csv/bom", test_bom);
  g_test_add_func ("/engine/csv/crlf", test_crlf);
  g_test_add_func ("/engine/csv/cr-only-line-numbers", test_cr_only_line_numbers);
  g_test_add_func ("/engine/csv/quoted", test_quoted);
  g_test_add_func ("/engine/csv/quoted-line-numbers", test_quoted_line_numbers);
  g_test_add_func ("/engine/csv/decimal-comma", test_semicolon_decimal_comma);
  g_test_add_func ("/engine/csv/decimal-comma-bad-grouping", test_semicolon_bad_grouping);
  g_test_add_func ("/engine/csv/tab", test_tab);
  g_test_add_func ("/engine/csv/thousands-separators", test_thousands_separators);
  g_test_add_func ("/engine/csv/number-forms", test_number_forms);
  g_test_add_func ("/engine/csv/no-header", test_no_header);
  g_test_add_func ("/engine/csv/header-above-missing", test_header_above_missing);
  g_test_add_func ("/engine/csv/single-column", test_single_column);
  g_test_add_func ("/engine/csv/several-numeric-columns", test_several_numeric_columns);
  g_test_add_func ("/engine/csv/text-column", test_text_column);
  g_test_add_func ("/engine/csv/timestamps", test_timestamps);
  g_test_add_func ("/engine/csv/missing-values", test_missing_values);
  g_test_add_func ("/engine/csv/blank-lines", test_blank_lines);
  g_test_add_func ("/engine/csv/chunk-boundaries", test_chunk_boundaries);
  g_test_add_func ("/engine/csv/concurrent-loads", test_concurrent_loads);

  g_test_add_func ("/engine/csv/fixture/bom-crlf", test_fixture_bom_crlf);
  g_test_add_func ("/engine/csv/fixture/semicolon-decimal-comma", test_fixture_semicolon);
  g_test_add_func ("/engine/csv/fixture/tab-hourly", test_fixture_tab_hourly);
  g_test_add_func ("/engine/csv/fixture/quoted-multiline", test_fixture_quoted_multiline);
  g_test_add_func ("/engine/csv/fixture/ragged", test_fixture_ragged);

  g_test_add_func ("/engine/csv/sample/air-passengers", test_sample_air_passengers);
  g_test_add_func ("/engine/csv/sample/nottingham-temperature", test_sample_nottingham);
  g_test_add_func ("/engine/csv/sample/eu-stock-markets", test_sample_eu_stock_markets);
  g_test_add_func ("/engine/csv/sample/gold-price", test_sample_gold_price);

  g_test_add_func ("/engine/csv/fill/interpolate", test_fill_interpolate);
  g_test_add_func ("/engine/csv/fill/interpolate-near-the-limits",
                   test_fill_interpolate_near_the_limits);
  g_test_add_func ("/engine/csv/fill/previous", test_fill_previous);
  g_test_add_func ("/engine/csv/fill/refuse", test_fill_refuse);
  g_test_add_func ("/engine/csv/fill/refuse-names-first-gap", test_fill_interior_gap_first_line);
  g_test_add_func ("/engine/csv/fill/all-missing", test_fill_all_missing);

  g_test_add_func ("/engine/csv/find-column", test_find_column);

  g_test_add_func ("/engine/csv/frequency/half-hourly", test_frequency_half_hourly);
  g_test_add_func ("/engine/csv/frequency/hourly", test_frequency_hourly);
  g_test_add_func ("/engine/csv/frequency/daily", test_frequency_daily);
  g_test_add_func ("/engine/csv/frequency/business-daily", test_frequency_business_daily);
  g_test_add_func ("/engine/csv/frequency/weekly", test_frequency_weekly);
  g_test_add_func ("/engine/csv/frequency/monthly", test_frequency_monthly);
  g_test_add_func ("/engine/csv/frequency/quarterly", test_frequency_quarterly);
  g_test_add_func ("/engine/csv/frequency/yearly", test_frequency_yearly);
  g_test_add_func ("/engine/csv/frequency/irregular", test_frequency_irregular);
  g_test_add_func ("/engine/csv/frequency/none", test_frequency_none);
  g_test_add_func ("/engine/csv/frequency/strings", test_frequency_strings);

  g_test_add_func ("/engine/csv/advance/monthly-clamps", test_advance_monthly_clamps);
  g_test_add_func ("/engine/csv/advance/quarterly-yearly", test_advance_quarterly_yearly);
  g_test_add_func ("/engine/csv/advance/business-days-skip-weekends", test_advance_business_days);
  g_test_add_func ("/engine/csv/advance/fixed-steps", test_advance_fixed_steps);
  g_test_add_func ("/engine/csv/format-timestamp", test_format_timestamp);

  g_test_add_func ("/engine/csv/error/not-a-number", test_error_not_a_number);
  g_test_add_func ("/engine/csv/error/ragged-row", test_error_ragged);
  g_test_add_func ("/engine/csv/error/unterminated-quote", test_error_unterminated_quote);
  g_test_add_func ("/engine/csv/error/stray-quote", test_error_stray_quote);
  g_test_add_func ("/engine/csv/error/bad-date", test_error_bad_date);
  g_test_add_func ("/engine/csv/error/missing-date", test_error_missing_date);
  g_test_add_func ("/engine/csv/error/date-order", test_error_date_order);
  g_test_add_func ("/engine/csv/error/nul-byte", test_error_nul_byte);
  g_test_add_func ("/engine/csv/error/not-utf8", test_error_not_utf8);
  g_test_add_func ("/engine/csv/error/empty", test_error_empty);
  g_test_add_func ("/engine/csv/error/no-rows", test_error_no_rows);
  g_test_add_func ("/engine/csv/error/no-numeric-column", test_error_no_numeric_column);
  g_test_add_func ("/engine/csv/error/not-finite", test_error_not_finite);
  g_test_add_func ("/engine/csv/error/io", test_error_io);
  g_test_add_func ("/engine/csv/error/too-long", test_error_too_long);
  g_test_add_func ("/engine/csv/error/too-long-first-rows", test_error_too_long_first_rows);
  g_test_add_func ("/engine/csv/frequency/unnamed", test_frequency_unnamed);
  g_test_add_func ("/engine/csv/frequency/display", test_frequency_display);
  g_test_add_func ("/engine/csv/frequency/disagreeing-steps", test_frequency_disagreeing_steps);
  g_test_add_func ("/engine/csv/frequency/missing-periods", test_frequency_missing_periods);
  g_test_add_func ("/engine/csv/timestamp-forms", test_timestamp_forms);
  g_test_add_func ("/engine/csv/calendar-ends", test_calendar_ends);

  return g_test_run ();
}
