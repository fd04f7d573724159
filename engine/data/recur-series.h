/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RECUR_CSV_ERROR (recur_csv_error_quark ())
GQuark recur_csv_error_quark (void);

/* Every message names the file, and where it applies the line, the column (1-based field
 * index) and the column's name: "%s:%u:%u: column “%s”: …". */
typedef enum
{
  RECUR_CSV_ERROR_IO,                 /* cannot open or read the file */
  RECUR_CSV_ERROR_EMPTY,              /* no bytes, or only blank lines */
  RECUR_CSV_ERROR_NOT_UTF8,           /* invalid UTF-8 (the message gives line and column) */
  RECUR_CSV_ERROR_NUL_BYTE,           /* a NUL byte in the text */
  RECUR_CSV_ERROR_UNTERMINATED_QUOTE, /* a quoted field still open at end of file */
  RECUR_CSV_ERROR_RAGGED_ROW,         /* a row with a different number of fields than the header */
  RECUR_CSV_ERROR_NOT_A_NUMBER,       /* a field of a numeric column that is not a number */
  RECUR_CSV_ERROR_NOT_FINITE,         /* inf, -inf, Infinity, or a number that overflows a double */
  RECUR_CSV_ERROR_BAD_DATE,           /* a field of the time column that is not a valid ISO 8601 date/time */
  RECUR_CSV_ERROR_DATE_ORDER,         /* a timestamp not strictly after the previous one */
  RECUR_CSV_ERROR_NO_ROWS,            /* a header and no data rows */
  RECUR_CSV_ERROR_NO_NUMERIC_COLUMN,  /* no column holds numbers */
  RECUR_CSV_ERROR_UNKNOWN_COLUMN,     /* recur_series_find_column: no such column */
  RECUR_CSV_ERROR_MISSING_VALUES,     /* RECUR_MISSING_REFUSE and the column has missing values */
  RECUR_CSV_ERROR_ALL_MISSING,        /* a numeric column with no value at all to fill from */
  RECUR_CSV_ERROR_TOO_LONG,           /* a field, a row or columns past the limits below */
  RECUR_CSV_ERROR_NO_MEMORY,          /* more rows than memory holds */
} RecurCsvError;

/* What a CSV may hold: nothing that forecasting reads comes near, and each keeps the memory a
 * hostile file can take bounded (a row's fields are held together until the row is read). */
#define RECUR_CSV_MAX_FIELD_BYTES (1 << 20)
#define RECUR_CSV_MAX_ROW_BYTES   (64 << 20)
#define RECUR_CSV_MAX_COLUMNS     100000

typedef enum
{
  RECUR_COLUMN_TIME,
  RECUR_COLUMN_NUMERIC,
  RECUR_COLUMN_TEXT,
} RecurColumnType;

typedef enum
{
  RECUR_FREQUENCY_NONE,           /* no time column: the row index is the time axis */
  RECUR_FREQUENCY_HALF_HOURLY,
  RECUR_FREQUENCY_HOURLY,
  RECUR_FREQUENCY_DAILY,
  RECUR_FREQUENCY_BUSINESS_DAILY, /* Monday to Friday, weekends skipped */
  RECUR_FREQUENCY_WEEKLY,
  RECUR_FREQUENCY_MONTHLY,
  RECUR_FREQUENCY_QUARTERLY,
  RECUR_FREQUENCY_YEARLY,
  RECUR_FREQUENCY_IRREGULAR,
} RecurFrequency;

typedef enum
{
  RECUR_MISSING_INTERPOLATE, /* linear in the row index; ends take the nearest value */
  RECUR_MISSING_PREVIOUS,    /* last observation carried forward; leading gaps take the first value */
  RECUR_MISSING_REFUSE,      /* any missing value is an error naming its line */
} RecurMissingPolicy;

typedef struct _RecurSeries RecurSeries;

/* Whether path (links followed) is a regular file, as a CSV that is hashed or read again must
 * be: a FIFO would block for ever, a device or a folder cannot be hashed. FALSE with
 * G_FILE_ERROR_INVAL naming it when it is something else; TRUE also when nothing is there (the
 * reading says so). Loading alone takes a pipe (`recur train <(…)`). */
gboolean        recur_series_check_regular_file   (const char          *path,
                                                   GError             **error);
/* Loads a CSV file, streaming it through libcsv. Detects the delimiter (',' ';' or tab),
 * a header row, a UTF-8 BOM, CRLF line ends, quoted fields, decimal commas (when the
 * delimiter is ';'), thousands separators inside quoted numbers, the time column (ISO 8601
 * dates or timestamps) and its frequency. Missing values ("", NA, NaN, null, case-insensitive)
 * are kept as NAN and counted per column. */
RecurSeries    *recur_series_load_csv             (const char          *path,
                                                   GError             **error);
/* The same from memory; display_name stands for the path in messages. */
RecurSeries    *recur_series_load_csv_data        (const char          *data,
                                                   gsize                length,
                                                   const char          *display_name,
                                                   GError             **error);
/* A loaded series is immutable and shared (several runs on one file): atomically refcounted. */
/* A series of the first n_rows rows of self: the same columns, frequency and path (what a
 * model fitted on the part before a point in time sees). NULL when memory runs out. */
RecurSeries    *recur_series_new_head             (const RecurSeries   *self,
                                                   guint                n_rows,
                                                   GError             **error);
RecurSeries    *recur_series_ref                  (RecurSeries         *self);
void            recur_series_unref                (RecurSeries         *self);

const char     *recur_series_get_path             (const RecurSeries   *self);
guint           recur_series_get_n_rows           (const RecurSeries   *self);
guint           recur_series_get_n_columns        (const RecurSeries   *self);
const char     *recur_series_get_column_name      (const RecurSeries   *self,
                                                   guint                column);
RecurColumnType recur_series_get_column_type      (const RecurSeries   *self,
                                                   guint                column);
guint           recur_series_get_missing_count    (const RecurSeries   *self,
                                                   guint                column);
/* Raw values of a numeric column, NAN where missing; n_rows long. NULL for other types. */
const double   *recur_series_get_values           (const RecurSeries   *self,
                                                   guint                column);
/* Index of the column called name, or of the first numeric column when name is NULL. */
gboolean        recur_series_find_column          (const RecurSeries   *self,
                                                   const char          *name,
                                                   guint               *column,
                                                   GError             **error);
/* A numeric column with its gaps filled by policy: a new array of n_rows doubles. */
double         *recur_series_fill_missing         (const RecurSeries   *self,
                                                   guint                column,
                                                   RecurMissingPolicy   policy,
                                                   GError             **error);
/* The same, but the rows before `cut` are filled from those rows alone, so that nothing after
 * the cut (a test part) reaches them: a gap just before it takes the last value seen. */
double         *recur_series_fill_missing_before  (const RecurSeries   *self,
                                                   guint                column,
                                                   RecurMissingPolicy   policy,
                                                   guint                cut,
                                                   GError             **error);

/* The time column: its index, or -1 when there is none (then timestamps are row indices). */
int             recur_series_get_time_column      (const RecurSeries   *self);
/* Unix seconds (UTC) per row, or NULL without a time column. */
const gint64   *recur_series_get_timestamps       (const RecurSeries   *self);
/* TRUE when the time column holds times of day, FALSE for plain dates. */
gboolean        recur_series_has_time_of_day      (const RecurSeries   *self);
RecurFrequency  recur_series_get_frequency        (const RecurSeries   *self);

/* The timestamp `steps` periods after `timestamp` at this series' frequency (business days skip
 * weekends, months keep the day of month clamped to the month's length; an irregular series
 * steps by its median spacing). Without a time column timestamps are row indices:
 * timestamp + steps. */
gint64          recur_series_advance_timestamp    (const RecurSeries   *self,
                                                   gint64               timestamp,
                                                   guint                steps);
/* The calendar cycles a timestamp sits in (calendar features, recur-covariates.h). */
typedef enum
{
  RECUR_CYCLE_DAY,   /* the time of day: 0 at midnight */
  RECUR_CYCLE_WEEK,  /* the day of the week: 0 on Monday at midnight */
  RECUR_CYCLE_YEAR,  /* the month of the year with the day in it: 0 on 1 January, 1/12 on
                      * 1 February, the first of each month 1/12 after the one before */
} RecurCycle;
/* How far through the cycle Unix seconds (UTC) lie, in [0, 1). */
double          recur_cycle_fraction              (RecurCycle           cycle,
                                                   gint64               timestamp);
/* "1960-12-01" for dates, "2024-03-01T13:30:00" for timestamps, "241" for row indices. */
char           *recur_series_format_timestamp     (const RecurSeries   *self,
                                                   gint64               timestamp);

const char     *recur_frequency_to_string         (RecurFrequency       frequency); /* "monthly", …, NULL for NONE */
/* The same, translated, for people to read. */
const char     *recur_frequency_to_display        (RecurFrequency       frequency);
gboolean        recur_frequency_from_string       (const char          *text,
                                                   RecurFrequency      *frequency);
/* The seasonal period used by seasonal-naive baselines and MASE: monthly 12, quarterly 4,
 * hourly 24, half-hourly 48, daily 7, business-daily 5, weekly 52, otherwise 1. */
guint           recur_frequency_season            (RecurFrequency       frequency);
const char     *recur_column_type_to_string       (RecurColumnType      type); /* "time" "numeric" "text" */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurSeries, recur_series_unref)

G_END_DECLS
