/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: CSV bytes → series → a job's data → one epoch and a forecast.
 *
 * The first byte chooses how the series is used (the column by name or the first numeric one,
 * the missing-value policy, the scaler, the target transforms: differencing, automatic Box-Cox,
 * the window level, seasonal differencing at lag 2); the rest is the file. Contract: the reader returns a
 * series or an error; a series has at least one row and one numeric column, numeric values
 * finite or missing (NaN, counted), strictly increasing timestamps that format and advance; a
 * filled column is finite; a job made from it has finite scaled data, and what it forecasts
 * is finite. */
#define G_LOG_DOMAIN "recur-fuzz"
#include "config.h"

#include <math.h>

#include "fuzz.h"
#include "recur-job.h"
#include "recur-series.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

static void
check_column (const RecurSeries *series,
              guint              column)
{
  const char *name = recur_series_get_column_name (series, column);
  RecurColumnType type = recur_series_get_column_type (series, column);
  guint n = recur_series_get_n_rows (series), missing = 0;
  const double *values = recur_series_get_values (series, column);

  FUZZ_CHECK (name != NULL && g_utf8_validate (name, -1, NULL));
  FUZZ_CHECK (type == RECUR_COLUMN_TIME || type == RECUR_COLUMN_NUMERIC
              || type == RECUR_COLUMN_TEXT);
  FUZZ_CHECK ((values != NULL) == (type == RECUR_COLUMN_NUMERIC));
  if (values == NULL)
    return;
  for (guint i = 0; i < n; i++)
    {
      FUZZ_CHECK (isfinite (values[i]) || isnan (values[i]));
      missing += isnan (values[i]);
    }
  FUZZ_CHECK (missing == recur_series_get_missing_count (series, column));
}

static void
check_time (const RecurSeries *series)
{
  int column = recur_series_get_time_column (series);
  const gint64 *ts = recur_series_get_timestamps (series);
  guint n = recur_series_get_n_rows (series);
  RecurFrequency frequency = recur_series_get_frequency (series);
  g_autofree char *first = NULL, *last = NULL;

  FUZZ_CHECK (frequency <= RECUR_FREQUENCY_IRREGULAR);
  FUZZ_CHECK ((column >= 0) == (ts != NULL));
  FUZZ_CHECK ((column >= 0) == (frequency != RECUR_FREQUENCY_NONE));
  if (column >= 0)
    {
      FUZZ_CHECK ((guint) column < recur_series_get_n_columns (series));
      FUZZ_CHECK (recur_series_get_column_type (series, column) == RECUR_COLUMN_TIME);
      for (guint i = 1; i < n; i++)
        FUZZ_CHECK (ts[i] > ts[i - 1]);
    }
  first = recur_series_format_timestamp (series, ts ? ts[0] : 0);
  last = recur_series_format_timestamp (series, ts ? ts[n - 1] : n - 1);
  FUZZ_CHECK (first != NULL && g_utf8_validate (first, -1, NULL));
  FUZZ_CHECK (last != NULL && g_utf8_validate (last, -1, NULL));
  /* the forecast's dates: each after the one before */
  {
    gint64 at = ts ? ts[n - 1] : n - 1;
    gint64 previous = at;
    for (guint h = 1; h <= 3; h++)
      {
        gint64 next = recur_series_advance_timestamp (series, at, h);
        FUZZ_CHECK (next > previous);
        previous = next;
      }
  }
}

/* A small, fast model: the data path is what is fuzzed, not the cells. */
static void
check_job (RecurSeries       *series,
           const char        *column,
           RecurMissingPolicy missing,
           guint8             options)
{
  g_autoptr(GError) error = NULL;
  RecurJobConfig config;
  RecurJob *job;

  recur_job_config_init (&config);
  config.column = g_strdup (column);
  config.missing = missing;
  config.transform.scaler = (options >> 3) & 1 ? RECUR_SCALER_MINMAX : RECUR_SCALER_ZSCORE;
  config.transform.difference = (options >> 4) & 1;
  config.transform.box_cox = (options >> 5) & 1 ? RECUR_BOX_COX_AUTO : RECUR_BOX_COX_NONE;
  config.transform.window_norm = (options >> 6) & 1 ? RECUR_WINDOW_NORM_LAST
                                                    : RECUR_WINDOW_NORM_MEAN;
  config.transform.seasonal_difference = (options >> 7) & 1;
  config.season = config.transform.seasonal_difference ? 2 : 0;
  config.model.cell = RECUR_CELL_RNN_TANH;
  config.model.hidden_size = 2;
  config.model.window = 3;
  config.model.horizon = 2;
  config.train.epochs = 1;
  config.train.batch_size = 16;
  job = recur_job_new (&config, recur_series_ref (series), &error);
  recur_job_config_clear (&config);
  FUZZ_CHECK_OUTCOME (job, error);
  if (job == NULL)
    return;

  {
    const RecurDataset *data = recur_job_get_dataset (job);
    const RecurScaler *s = &recur_dataset_get_transform (data)->scaler;
    const double *scaled = recur_dataset_get_transformed (data);
    guint n = recur_dataset_get_n_points (data);

    FUZZ_CHECK (isfinite (s->center) && isfinite (s->scale) && s->scale != 0.0);
    for (guint i = recur_dataset_get_transform (data)->offset; i < n; i++)
      FUZZ_CHECK (isfinite (scaled[i]));
  }
  /* training is the slow part: only on short series, where the fuzzer spends its time */
  if (recur_series_get_n_rows (series) <= 64)
    {
      gboolean ok = recur_job_train (job, NULL, NULL, NULL, &error);
      const double *future;

      FUZZ_CHECK (ok == (error == NULL));
      future = recur_job_get_future (job);
      if (ok)
        {
          FUZZ_CHECK (future != NULL);
          for (guint h = 0; h < 2; h++)
            FUZZ_CHECK (isfinite (future[h]));
        }
    }
  recur_job_free (job);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSeries) series = NULL;
  guint8 options;
  guint column, n_numeric = 0;
  const char *by_name = NULL;
  g_autofree double *filled = NULL;
  RecurMissingPolicy missing;

  if (size < 1)
    return 0;
  options = data[0];
  series = recur_series_load_csv_data ((const char *) data + 1, size - 1, "fuzz.csv", &error);
  FUZZ_CHECK_OUTCOME (series, error);
  if (series == NULL)
    return 0;

  FUZZ_CHECK (recur_series_get_n_rows (series) >= 1);
  FUZZ_CHECK (recur_series_get_n_columns (series) >= 1);
  for (guint c = 0; c < recur_series_get_n_columns (series); c++)
    {
      check_column (series, c);
      n_numeric += recur_series_get_column_type (series, c) == RECUR_COLUMN_NUMERIC;
    }
  FUZZ_CHECK (n_numeric >= 1);
  check_time (series);

  /* the column by its name (the last one: it may be text or time, an error then) or the
   * first numeric one */
  if (options & 1)
    by_name = recur_series_get_column_name (series, recur_series_get_n_columns (series) - 1);
  if (!recur_series_find_column (series, by_name, &column, &error))
    {
      FUZZ_CHECK (error != NULL && error->message[0] != '\0');
      return 0;
    }
  FUZZ_CHECK (error == NULL);
  FUZZ_CHECK (column < recur_series_get_n_columns (series));

  missing = (RecurMissingPolicy) ((options >> 1) % 3);
  filled = recur_series_fill_missing (series, column, missing, &error);
  FUZZ_CHECK_OUTCOME (filled, error);
  if (filled == NULL)
    return 0;
  for (guint i = 0; i < recur_series_get_n_rows (series); i++)
    FUZZ_CHECK (isfinite (filled[i]));

  check_job (series, by_name, missing, options);
  return 0;
}
