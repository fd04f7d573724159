/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-series.h"
#include "recur-transform.h"

G_BEGIN_DECLS

/* What a model reads beside the target at each time step, after it in the input vector
 * (input_size = 1 + channels, the order of ONNX's and PyTorch's input features):
 *   1. past covariates: other columns of the file, in the order given, each z-scored with
 *      numbers fitted on the training part only. Their values are known up to the forecast
 *      origin only, so only the direct strategy (every step from one window) can use them.
 *   2. calendar features: each cycle the dates go through (time of day, day of week, month of
 *      the year) as a sine and a cosine. Known for every future row, so recursive forecasts
 *      use them too.
 * A window's covariates are taken relative to their own level as the target is (the window
 * norm); calendar features are read as they are. */

#define RECUR_MAX_COVARIATES 64

/* The cycles a model reads (bits of 1 << RecurCycle). */
typedef guint RecurCalendar;

typedef struct
{
  guint          n_inputs;
  char         **names;   /* [n_inputs], NULL-terminated; NULL when there are none */
  RecurScaler    scalers[RECUR_MAX_COVARIATES]; /* [n_inputs], z-score of the training part */
  RecurCalendar  calendar;
} RecurCovariates;

void     recur_covariates_init        (RecurCovariates       *self);
void     recur_covariates_clear       (RecurCovariates       *self);
void     recur_covariates_copy        (RecurCovariates       *dest,
                                       const RecurCovariates *src);
/* 2 per cycle: sine, then cosine; in RecurCycle's order. */
guint    recur_calendar_n_channels    (RecurCalendar          calendar);
/* Channels beside the target: the covariates, then the calendar's. */
guint    recur_covariates_n_channels  (const RecurCovariates *self);
/* "day,week,year" as the weights file stores it, "" for none; and back (FALSE for a name it
 * does not know). */
char    *recur_calendar_to_string     (RecurCalendar          calendar);
gboolean recur_calendar_from_string   (const char            *text,
                                       RecurCalendar         *calendar);

#define RECUR_COVARIATE_ERROR (recur_covariate_error_quark ())
GQuark recur_covariate_error_quark (void);

typedef enum
{
  RECUR_COVARIATE_ERROR_INVALID,    /* listed twice, the target itself, too many */
  RECUR_COVARIATE_ERROR_NO_DATES,   /* calendar features without dates that give a cycle */
  RECUR_COVARIATE_ERROR_NOT_NUMERIC,/* a covariate column of dates or text */
} RecurCovariateError;

/* The calendar a series' dates give: the cycles shorter than its whole span and longer than
 * two of its steps (an hourly series: day, week, year; a daily one: week, year; a monthly or
 * quarterly one: year). An error, naming the file, without a time column or for yearly dates. */
gboolean recur_calendar_for_series    (const RecurSeries     *series,
                                       RecurCalendar         *calendar,
                                       GError               **error);

/* Fits self for the series: names[] (NULL or NULL-terminated) are the covariate columns, each
 * numeric, listed once, not the target; calendar asks for the dates' features. Gaps are filled
 * by policy from the rows before cut (as the target's are), and each scaler is fitted on rows
 * [0, n_fit). Errors name the file and the column: RECUR_CSV_ERROR_UNKNOWN_COLUMN,
 * _ALL_MISSING, _MISSING_VALUES, or RECUR_COVARIATE_ERROR. */
gboolean recur_covariates_fit         (RecurCovariates       *self,
                                       const RecurSeries     *series,
                                       guint                  target_column,
                                       const char *const     *names,
                                       gboolean               calendar,
                                       RecurMissingPolicy     policy,
                                       guint                  cut,
                                       guint                  n_fit,
                                       GError               **error);

/* The channels of rows [0, n_rows + n_future) of series, in model units, row-major
 * [row][channel]: each covariate filled as recur_covariates_fit does and scaled (NaN in the
 * future rows, which the file does not have), the calendar of each row's date (future rows
 * dated by recur_series_advance_timestamp from the last). series may be another file than the
 * one fitted on (`recur forecast`): it must have every covariate column, or the error lists
 * those it lacks. A scaled value too far out for 32-bit numbers is an error naming the
 * column and the row. */
double  *recur_covariates_channels    (const RecurCovariates *self,
                                       const RecurSeries     *series,
                                       guint                  n_rows,
                                       guint                  n_future,
                                       RecurMissingPolicy     policy,
                                       guint                  cut,
                                       GError               **error);

/* The channels as windows read them. */
typedef struct
{
  const double *values;     /* [n_rows][n_channels] */
  guint         n_channels;
  guint         n_levelled; /* the first n_levelled (the covariates) go relative to their
                             * window's level */
  guint         n_rows;
} RecurExtraInputs;

/* Channel c's level over rows [row, row + T): norm's for the covariates, 0 for the calendar. */
double   recur_extra_inputs_level     (const RecurExtraInputs *self,
                                       guint                   row,
                                       guint                   T,
                                       guint                   c,
                                       RecurWindowNorm         norm);

/* Writes channels of rows [row, row + T) into input, time-major [T][batch][1 + n_channels],
 * at batch position b after the target's slot, each levelled channel minus its level (norm
 * over those T rows). Rows must lie below n_rows and be finite. */
void     recur_extra_inputs_gather    (const RecurExtraInputs *self,
                                       guint                   row,
                                       guint                   T,
                                       guint                   b,
                                       guint                   batch,
                                       RecurWindowNorm         norm,
                                       float                  *input);

G_END_DECLS
