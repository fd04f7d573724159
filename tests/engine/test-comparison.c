/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The runs table: the order (finished and stopped runs by test MASE, then the rest, ties in the
 * order added), the best run, and the table as CSV and JSON with runs that never trained, runs
 * that failed after scoring, names that need quoting. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-comparison.h"

static RecurJob *
trained_job (guint hidden)
{
  g_autoptr(GString) csv = g_string_new ("y\n");
  g_autoptr(GError) error = NULL;
  RecurSeries *series;
  RecurJobConfig config;
  RecurJob *job;

  for (guint i = 0; i < 80; i++)
    g_string_append_printf (csv, "%.4f\n", sin (i / 3.0) + 0.01 * i);
  series = recur_series_load_csv_data (csv->str, csv->len, "table.csv", &error);
  g_assert_no_error (error);
  recur_job_config_init (&config);
  config.model.hidden_size = hidden;
  config.model.window = 8;
  config.model.horizon = 4;
  config.train.epochs = 3;
  job = recur_job_new (&config, series, &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  g_assert_true (recur_job_train (job, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return job;
}

static void
test_order_and_formats (void)
{
  g_autoptr(RecurJob) a = trained_job (4);
  g_autoptr(RecurJob) b = trained_job (6);
  g_autoptr(RecurComparison) table = recur_comparison_new ();
  g_autoptr(RecurComparison) copy = recur_comparison_new ();
  g_autoptr(JsonNode) json = NULL;
  g_autofree char *csv = NULL;
  const RecurComparisonRow *row;
  RecurSweepValue swept = { recur_sweep_find_param ("hidden"), 4, (char *) "4" };
  JsonArray *rows;
  gsize length;

  /* a run that failed before it had a job, one that failed after scoring, two finished */
  recur_comparison_add_job (table, "queued, then \"refused\"", NULL, 0, NULL, RECUR_RUN_FAILED,
                            "no memory, \"none\"", NULL);
  recur_comparison_add_job (table, "diverged", NULL, 0, recur_job_get_config (b),
                            RECUR_RUN_FAILED, "diverged", b);
  recur_comparison_add_job (table, "a", &swept, 1, recur_job_get_config (a), RECUR_RUN_FINISHED,
                            NULL, a);
  recur_comparison_add_job (table, "b", NULL, 0, recur_job_get_config (b), RECUR_RUN_FINISHED,
                            NULL, b);
  recur_comparison_sort (table);

  row = recur_comparison_get_row (table, 0);
  g_assert_true (row->best);
  g_assert_true (g_str_equal (row->name, "a") || g_str_equal (row->name, "b"));
  g_assert_cmpuint (row->rank, ==, 1);
  g_assert_false (recur_comparison_get_row (table, 1)->best);
  g_assert_cmpfloat (row->test.mase, <=, recur_comparison_get_row (table, 1)->test.mase);
  /* the failed runs after the contenders: the scored one first, then the unscored */
  row = recur_comparison_get_row (table, 2);
  g_assert_cmpstr (row->name, ==, "diverged");
  g_assert_true (row->scored);
  g_assert_true (isfinite (row->test.mase));
  row = recur_comparison_get_row (table, 3);
  g_assert_false (row->scored);
  g_assert_true (isnan (row->test.mase) && isnan (row->naive.mase) && isnan (row->seconds));
  g_assert_null (row->config);

  csv = recur_comparison_to_csv (table, &length);
  g_test_message ("%s", csv);
  g_assert_cmpuint (strlen (csv), ==, length);
  /* only "a" was swept: the others' "hidden" is empty */
  g_assert_cmpuint (recur_comparison_get_n_params (table), ==, 1);
  g_assert_true (g_str_has_prefix (csv, "rank,best,name,id,hidden,status,"));
  g_assert_nonnull (strstr (csv, "\n4,,\"queued, then \"\"refused\"\"\",,,failed,0,0,,,,,,,,,,,"
                                 "\"no memory, \"\"none\"\"\"\n"));
  g_assert_nonnull (strstr (csv, "\n3,,diverged,,,failed,3,"));
  g_assert_nonnull (strstr (csv, ",a,,4,finished,3,"));
  json = recur_comparison_to_json (table);
  rows = json_node_get_array (json);
  g_assert_true (json_object_get_null_member (json_array_get_object_element (rows, 3), "config"));
  g_assert_true (json_object_get_null_member (json_array_get_object_element (rows, 3), "test"));
  g_assert_nonnull (json_object_get_object_member (json_array_get_object_element (rows, 2),
                                                   "test"));

  /* the same row twice: ties keep the order they were added in */
  for (guint i = 0; i < 2; i++)
    recur_comparison_add_row (copy, recur_comparison_get_row (table, 3));
  recur_comparison_add_row (copy, recur_comparison_get_row (table, 1));
  recur_comparison_add_row (copy, recur_comparison_get_row (table, 1));
  recur_comparison_sort (copy);
  g_assert_cmpstr (recur_comparison_get_row (copy, 0)->name, ==,
                   recur_comparison_get_row (table, 1)->name);
  g_assert_true (recur_comparison_get_row (copy, 0)->best);
  g_assert_false (recur_comparison_get_row (copy, 1)->best);
  g_assert_cmpuint (recur_comparison_get_row (copy, 3)->rank, ==, 4);
  g_assert_null (recur_comparison_get_row (copy, 3)->config);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/comparison/order-and-formats", test_order_and_formats);
  return g_test_run ();
}
