/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The engine suites' one way to read a bundled series (data/ at the top of the tree). */
#pragma once

#include <glib.h>

#include "recur-series.h"

/* Column column_name (NULL: the first numeric one) of data/FILE, its gaps handled by `missing`;
 * *n its rows. A failure fails the test. */
static inline double *
test_load_column (const char         *file,
                  const char         *column_name,
                  RecurMissingPolicy  missing,
                  guint              *n)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "data", file, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RecurSeries) series = recur_series_load_csv (path, &error);
  guint column;
  double *values;

  g_assert_no_error (error);
  g_assert_true (recur_series_find_column (series, column_name, &column, &error));
  values = recur_series_fill_missing (series, column, missing, &error);
  g_assert_no_error (error);
  *n = recur_series_get_n_rows (series);
  return values;
}
