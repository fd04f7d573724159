/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the files of a series (recur-series.c, recur-csv.c, recur-csv-value.c,
 * recur-time-axis.c) and by nothing else: not part of the engine's API. */

#include <glib.h>

#include "recur-series.h"

G_BEGIN_DECLS

#define RECUR_MINUTE          G_GINT64_CONSTANT (60)
#define RECUR_HOUR            (60 * RECUR_MINUTE)
#define RECUR_DAY             (24 * RECUR_HOUR)
/* GDate's Julian day number of 1970-01-01 (day 1 is 0001-01-01) */
#define RECUR_JULIAN_1970     G_GINT64_CONSTANT (719163)
/* GDate's Julian day number of 9999-12-31: GDateTime and our formats stop there */
#define RECUR_JULIAN_MAX      G_GINT64_CONSTANT (3652059)

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

/* A growing array whose growth may fail: a file can hold more rows than memory. */
typedef struct
{
  gpointer data;
  guint    len;
  guint    capacity;
} RecurVec;

#define RECUR_VEC_INDEX(v, type, i) (((type *) (v).data)[i])

typedef struct
{
  char           *name;
  RecurColumnType type;
  gboolean        decided;    /* FALSE while only missing values have been seen */
  guint           n_missing;
  RecurVec        values;     /* double, NAN where missing; numeric (and undecided) columns */
  char           *first_text; /* a text column's first value (its first 40 bytes), for messages */
  guint           first_text_line;
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
  gboolean       has_utc_offset;  /* a time given with Z or ±hh:mm: written back in UTC, with Z */
  RecurFrequency frequency;
  gint64         median_step;     /* seconds; what an irregular series advances by */
};

/* recur-csv-value.c: what a field holds */
gboolean       recur_value_is_missing (const char *text);
/* "PATH: no column holds numbers", with the first text column's first value and line when
 * there is one, for the reader and recur_series_find_column alike. */
char          *recur_series_describe_no_numbers (const RecurSeries *self,
                                                 const char        *path);
RecurValueKind recur_parse_number     (const char *text,
                                       char        delimiter,
                                       double     *value);
RecurDateParse recur_parse_timestamp  (const char *text,
                                       gint64     *unix_time,
                                       gboolean   *has_time);
RecurValueKind recur_classify_value   (const char *text,
                                       char        delimiter);

/* recur-time-axis.c: what a series' timestamps step by */
gint64         recur_median_step     (const gint64 *t,
                                      guint         n);
RecurFrequency recur_frequency_infer (const gint64 *t,
                                      guint         n);

/* recur-series.c */
gboolean     recur_vec_append (RecurVec      *v,
                               gsize          size,
                               gconstpointer  value);
void         recur_vec_clear  (RecurVec      *v);
RecurSeries *recur_series_new (const char    *path);

G_END_DECLS
