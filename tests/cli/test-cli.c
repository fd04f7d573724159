/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The recur command end to end: it is run as a user would, and its output, files and exit
 * status are checked. RECUR_BIN names the built binary, RECUR_LOCALEDIR its translations. */
#define _GNU_SOURCE /* posix_openpt and the pseudo-terminal calls */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli-common.h"
#include "../test-tmp.h"

/* Runs recur with args (NULL-terminated) and extra environment (name, value pairs; a NULL
 * value unsets the variable). */
static Result
run_recur_envv (const char *const *env,
                const char *const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = cli_launcher_new ();

  for (guint i = 0; env && env[i]; i += 2)
    if (env[i + 1])
      g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
    else
      g_subprocess_launcher_unsetenv (launcher, env[i]);
  return cli_run (launcher, args);
}

/* The same with the arguments given one by one. */
static Result
run_recur_env (const char *const *env,
               const char        *first,
               ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (char *) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);
  return run_recur_envv (env, (const char *const *) args->pdata);
}

#undef run_recur
#define run_recur(...) run_recur_env (NULL, __VA_ARGS__)

static JsonObject *
parse_object (JsonParser *parser,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static double
metric (JsonObject *root,
        const char *group,
        const char *name,
        const char *key)
{
  JsonObject *o = json_object_get_object_member (root, group);
  if (name)
    o = json_object_get_object_member (o, name);
  return json_object_get_double_member (o, key);
}

/* The acceptance test of the whole engine: a default LSTM beats the naive forecast. */
static void
test_train_json_beats_naive (void)
{
  g_autofree char *csv = data_file ("nottingham_temperature.csv");
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *forecast = g_build_filename (dir, "forecast.csv", NULL);
  g_autofree char *weights = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  Result r = run_recur ("train", csv, "--model", "lstm", "--json", "--seed", "3", "--epochs", "120",
                        "--forecast-out", forecast, "--weights-out", weights, NULL);
  JsonObject *root;

  g_assert_cmpint (r.status, ==, 0);
  root = parse_object (parser, r.out);
  for (const char *const *k = (const char *const[]) { "parameters", "epochs_run", "best_epoch",
                                                      "train_loss", "val_loss", "test",
                                                      "baselines", "seconds",
                                                      "windows_per_second", NULL };
       *k; k++)
    g_assert_true (json_object_has_member (root, *k));
  for (const char *const *k = (const char *const[]) { "mae", "rmse", "mape", "smape", "mase", NULL };
       *k; k++)
    {
      g_assert_true (json_object_has_member (json_object_get_object_member (root, "test"), *k));
      g_assert_true (isfinite (metric (root, "baselines", "snaive", *k)));
    }
  g_assert_cmpint (json_object_get_int_member (root, "seed"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (root, "parameters"), ==, 4 * 32 * (1 + 32 + 2) + 12 * 32 + 12);
  g_test_message ("MASE model %.3f, naive %.3f, seasonal naive %.3f",
                  metric (root, "test", NULL, "mase"), metric (root, "baselines", "naive", "mase"),
                  metric (root, "baselines", "snaive", "mase"));
  g_assert_cmpfloat (metric (root, "test", NULL, "mase"), <, metric (root, "baselines", "naive", "mase"));

  /* the forecast file: header, 12 test rows then 12 future rows continuing the months */
  g_assert_true (g_file_get_contents (forecast, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpstr (lines[0], ==, "timestamp,mean_temp_f,kind");
  g_assert_true (g_str_has_prefix (lines[1], "1939-01-01,"));
  g_assert_true (g_str_has_suffix (lines[12], ",test"));
  g_assert_true (g_str_has_prefix (lines[13], "1940-01-01,"));
  g_assert_true (g_str_has_prefix (lines[24], "1940-12-01,"));
  g_assert_true (g_str_has_suffix (lines[24], ",future"));
  g_assert_cmpstr (lines[25], ==, "");
  g_assert_true (g_file_test (weights, G_FILE_TEST_IS_REGULAR));
  result_clear (&r);
}

/* A seed past 63 bits is taken whole, trains the same run twice, and is reported as the
 * configuration writes it: a string, since JSON readers keep integers to 63 bits. */
static void
test_train_seed_past_63_bits (void)
{
  g_autofree char *csv = data_file ("nottingham_temperature.csv");
  g_autoptr(JsonParser) first_parser = json_parser_new ();
  g_autoptr(JsonParser) second_parser = json_parser_new ();
  Result first = run_recur ("train", csv, "--model", "lstm", "--json", "--seed", "18446744073709551615",
                            "--epochs", "2", "--hidden", "4", NULL);
  Result second = run_recur ("train", csv, "--model", "lstm", "--json", "--seed", "18446744073709551615",
                             "--epochs", "2", "--hidden", "4", NULL);
  JsonObject *a, *b;

  g_assert_cmpint (first.status, ==, 0);
  g_assert_cmpint (second.status, ==, 0);
  a = parse_object (first_parser, first.out);
  b = parse_object (second_parser, second.out);
  g_assert_cmpstr (json_object_get_string_member (a, "seed"), ==, "18446744073709551615");
  g_assert_cmpfloat (json_object_get_double_member (a, "train_loss"), ==,
                     json_object_get_double_member (b, "train_loss"));
  result_clear (&first);
  result_clear (&second);
}

/* Trains args (NULL-terminated) with RECUR_GEMM set to gemm (NULL: unset) into
 * dir/name.safetensors and returns the file's bytes. */
static GBytes *
weights_with_kernel (const char         *dir,
                     const char         *name,
                     const char         *gemm,
                     const char *const  *args)
{
  g_autofree char *weights = g_strdup_printf ("%s/%s.safetensors", dir, name);
  const char *const env[] = { "RECUR_GEMM", gemm, NULL };
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GMappedFile) file = NULL;
  Result r;

  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, "--weights-out");
  g_ptr_array_add (argv, weights);
  g_ptr_array_add (argv, NULL);
  r = run_recur_envv (env, (const char *const *) argv->pdata);
  if (r.status != 0)
    g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  file = g_mapped_file_new (weights, FALSE, NULL);
  g_assert_nonnull (file);
  return g_mapped_file_get_bytes (file);
}

/* Recur's GEMM has an AVX-512 and an AVX2 kernel, whose sums are the same FMAs in the same
 * order: a model trains to the same bits with either (a stacked bidirectional LSTM; a GRU of
 * 300 units, whose products span several K-slices and pack the transposed gate gradients; a
 * reservoir). Without AVX-512 there is one kernel to compare. */
static void
test_train_same_bits_with_either_kernel (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *dir = temp_dir ();
  const char *const runs[][16] = {
    { "train", csv, "--model", "lstm", "--hidden", "24", "--layers", "2", "--bidirectional",
      "--epochs", "4", "--seed", "5", "--quiet", NULL },
    { "train", csv, "--model", "gru", "--hidden", "300", "--epochs", "2", "--seed", "5",
      "--quiet", NULL },
    { "train", csv, "--model", "esn", "--seed", "5", "--quiet", NULL },
  };

#if defined(__x86_64__) && defined(__GNUC__)
  if (!__builtin_cpu_supports ("avx512f") || !__builtin_cpu_supports ("avx2"))
#endif
    {
      g_test_skip ("this CPU has not both AVX-512 and AVX2: one kernel at most");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (runs); i++)
    {
      g_autoptr(GBytes) wide = weights_with_kernel (dir, "avx512", NULL, runs[i]);
      g_autoptr(GBytes) narrow = weights_with_kernel (dir, "avx2", "avx2", runs[i]);

      g_assert_true (g_bytes_equal (wide, narrow));
    }
}

/* Every cell of the family, each with its defaults, beats the naive forecast on the Nottingham
 * series (LSTM: the test above); the ESN fits in one shot and says which of its parameters it
 * trained. */
static void
test_family_beats_naive (void)
{
  g_autofree char *csv = data_file ("nottingham_temperature.csv");
  static const char *const models[] = { "rnn", "rnn-relu", "gru", "jordan", "esn",
                                        "clockwork" };

  for (guint i = 0; i < G_N_ELEMENTS (models); i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      Result r = run_recur ("train", csv, "--model", models[i], "--json", NULL);
      JsonObject *root;
      double mase, naive, snaive;

      g_assert_cmpint (r.status, ==, 0);
      root = parse_object (parser, r.out);
      mase = metric (root, "test", NULL, "mase");
      naive = metric (root, "baselines", "naive", "mase");
      snaive = metric (root, "baselines", "snaive", "mase");
      g_test_message ("%s: MASE %.3f, naive %.3f, seasonal naive %.3f (%" G_GINT64_FORMAT
                      " epochs, %.2f s)", models[i], mase, naive, snaive,
                      json_object_get_int_member (root, "epochs_run"),
                      json_object_get_double_member (root, "seconds"));
      g_assert_cmpfloat (mase, <, naive);
      if (g_str_equal (models[i], "esn"))
        {
          g_assert_cmpint (json_object_get_int_member (root, "epochs_run"), ==, 1);
          g_assert_cmpint (json_object_get_int_member (root, "trainable_parameters"), <,
                           json_object_get_int_member (root, "parameters"));
        }
      else
        g_assert_cmpint (json_object_get_int_member (root, "epochs_run"), >, 1);
      result_clear (&r);
    }
}


/* `recur forecast --weights weights csv --json` gives the n values of want, each within
 * tolerance (0: to the bit). */
static void
assert_forecast_is (const char *weights,
                    const char *csv,
                    JsonArray  *want,
                    guint       n,
                    double      tolerance)
{
  g_autoptr(JsonParser) forecast = json_parser_new ();
  g_autoptr(GError) error = NULL;
  Result f = run_recur ("forecast", "--weights", weights, csv, "--json", NULL);
  JsonArray *got;

  g_assert_cmpint (f.status, ==, 0);
  json_parser_load_from_data (forecast, f.out, -1, &error);
  g_assert_no_error (error);
  got = json_node_get_array (json_parser_get_root (forecast));
  g_assert_cmpuint (json_array_get_length (got), ==, n);
  g_assert_cmpuint (json_array_get_length (want), ==, n);
  for (guint h = 0; h < n; h++)
    {
      double value = json_object_get_double_member (json_array_get_object_element (got, h),
                                                    "value");

      /* GLib's epsilon test is strict: 0 would refuse equal values */
      if (tolerance == 0)
        g_assert_cmpfloat (value, ==, json_array_get_double_element (want, h));
      else
        g_assert_cmpfloat_with_epsilon (value, json_array_get_double_element (want, h),
                                        tolerance);
    }
  result_clear (&f);
}
/* An ESN and a clockwork RNN forecast from their weights file as `recur train` did. */
static void
test_family_forecast_from_weights (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  static const char *const args[][6] = {
    { "esn", "--reservoir", "40", "--washout", "10", NULL },
    { "clockwork", "--periods", "1,3,6,12", "--epochs", "5", NULL },
    { "jordan", "--jordan-feedback", "free", "--epochs", "5", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    {
      g_autofree char *weights = g_build_filename (dir, "m.safetensors", NULL);
      g_autoptr(JsonParser) trained = json_parser_new ();
      Result t = run_recur ("train", csv, "--model", args[i][0], args[i][1], args[i][2],
                            args[i][3], args[i][4], "--json", "--weights-out", weights, NULL);

      g_assert_cmpint (t.status, ==, 0);
      assert_forecast_is (weights, csv,
                          json_object_get_array_member (parse_object (trained, t.out),
                                                        "forecast"), 12, 1e-9);
      result_clear (&t);
    }
}

/* Input columns and calendar features: `recur forecast` reads the same columns and gives the
 * forecast `recur train` reported, to the bit; a file without one of them is refused naming it;
 * the inputs are in the summary's configuration. */
static void
test_forecast_with_inputs (void)
{
  g_autofree char *csv = data_file ("eu_stock_markets.csv");
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *weights = g_build_filename (dir, "inputs.safetensors", NULL);
  g_autofree char *fewer = g_build_filename (dir, "fewer.csv", NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GString) cut = g_string_new (NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(JsonParser) trained = json_parser_new ();
  JsonObject *root, *config;
  JsonArray *inputs;
  Result t = run_recur ("train", csv, "--column", "ftse", "--inputs", "dax,cac", "--calendar",
                        "--model", "gru", "--epochs", "4", "--horizon", "5", "--json",
                        "--weights-out", weights, NULL);
  Result f;

  g_assert_cmpint (t.status, ==, 0);
  root = parse_object (trained, t.out);
  assert_forecast_is (weights, csv, json_object_get_array_member (root, "forecast"), 5, 0);
  config = json_object_get_object_member (root, "config");
  inputs = json_object_get_array_member (config, "inputs");
  g_assert_cmpuint (json_array_get_length (inputs), ==, 2);
  g_assert_cmpstr (json_array_get_string_element (inputs, 1), ==, "cac");
  g_assert_true (json_object_get_boolean_member (config, "calendar"));
  /* the target, two columns, and business days' week and year as sine/cosine pairs */
  g_assert_cmpint (json_object_get_int_member (config, "input-size"), ==, 7);

  /* the same file without "cac" */
  g_assert_true (g_file_get_contents (csv, &contents, NULL, NULL));
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] && *lines[i]; i++)
    {
      g_auto(GStrv) fields = g_strsplit (lines[i], ",", -1);

      g_string_append_printf (cut, "%s,%s,%s,%s\n", fields[0], fields[1], fields[2], fields[4]);
    }
  g_assert_true (g_file_set_contents (fewer, cut->str, -1, NULL));
  f = run_recur ("forecast", "--weights", weights, fewer, NULL);
  g_assert_cmpint (f.status, ==, 1);
  g_assert_nonnull (strstr (f.err, "the model reads the input column “cac”, which this file "
                                   "does not have"));
  result_clear (&f);
  result_clear (&t);
}

/* `recur forecast` from the weights file gives the forecast `recur train` reported. */
static void
test_forecast_from_weights (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *weights = g_build_filename (dir, "gru.safetensors", NULL);
  g_autoptr(JsonParser) trained = json_parser_new ();
  g_autoptr(JsonParser) forecast = json_parser_new ();
  g_autoptr(GError) error = NULL;
  Result t = run_recur ("train", csv, "--model", "gru", "--strategy", "recursive", "--epochs", "15",
                        "--horizon", "6", "--json", "--weights-out", weights, NULL);
  Result f = { 0 };
  JsonArray *want, *got;

  g_assert_cmpint (t.status, ==, 0);
  want = json_object_get_array_member (parse_object (trained, t.out), "forecast");
  f = run_recur ("forecast", "--weights", weights, csv, "--json", NULL);
  g_assert_cmpint (f.status, ==, 0);
  json_parser_load_from_data (forecast, f.out, -1, &error);
  g_assert_no_error (error);
  got = json_node_get_array (json_parser_get_root (forecast));
  g_assert_cmpuint (json_array_get_length (got), ==, 6);
  for (guint h = 0; h < 6; h++)
    {
      JsonObject *o = json_array_get_object_element (got, h);
      g_assert_cmpfloat_with_epsilon (json_object_get_double_member (o, "value"),
                                      json_array_get_double_element (want, h), 1e-9);
    }
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (got, 0), "timestamp"),
                   ==, "1961-01-01");
  result_clear (&t);
  result_clear (&f);
}

static void
test_info_json (void)
{
  g_autofree char *csv = data_file ("gold_price.csv");
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur ("info", csv, "--json", NULL);
  JsonObject *root, *col;

  g_assert_cmpint (r.status, ==, 0);
  root = parse_object (parser, r.out);
  g_assert_cmpint (json_object_get_int_member (root, "rows"), ==, 1108);
  g_assert_cmpstr (json_object_get_string_member (root, "time_column"), ==, "date");
  g_assert_cmpstr (json_object_get_string_member (root, "frequency"), ==, "business-daily");
  g_assert_cmpint (json_object_get_int_member (root, "season"), ==, 5);
  g_assert_cmpstr (json_object_get_string_member (root, "season_source"), ==, "dates");
  g_assert_cmpstr (json_object_get_string_member (root, "first"), ==, "1985-01-02");
  g_assert_cmpstr (json_object_get_string_member (root, "last"), ==, "1989-03-31");
  col = json_array_get_object_element (json_object_get_array_member (root, "columns"), 1);
  g_assert_cmpstr (json_object_get_string_member (col, "name"), ==, "price_usd");
  g_assert_cmpstr (json_object_get_string_member (col, "type"), ==, "numeric");
  g_assert_cmpint (json_object_get_int_member (col, "missing"), ==, 34);
  result_clear (&r);
}

/* A future forecast a Box-Cox transform cannot take back (below 0 in the series' units, after a
 * last step from 10000 down to 42 that differencing carries on) is an error that says which
 * forecast and which step: status 1, never a NaN; the test part's score and forecast are kept
 * (report, JSON, the forecast file's test rows), the future is missing and said to be. */
static void
test_forecast_outside_box_cox_is_an_error (void)
{
  const char *dir = temp_dir ();  /* removed when the test ends */
  g_autofree char *csv = g_build_filename (dir, "drop.csv", NULL);
  g_autofree char *out = g_build_filename (dir, "forecast.csv", NULL);
  g_autoptr(GString) text = g_string_new ("date,y\n");
  const double tail[] = { 200, 400, 1e4, 42 };
  g_autofree char *written = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  Result r;

  for (guint i = 0; i < 64; i++)
    g_string_append_printf (text, "%04u-%02u-01,%g\n", 1900 + i / 12, 1 + i % 12,
                            i < 60 ? 100 + i + 10 * sin (i) : tail[i - 60]);
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  r = run_recur ("train", csv, "--model", "esn", "--box-cox", "given", "--lambda", "1",
                 "--difference", "--window-norm", "last", "--horizon", "4", "--forecast-out",
                 out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "recur: the forecast past the end of the data: forecast step "
                                   "1 ("));
  g_assert_nonnull (strstr (r.err, "lies outside the values a Box-Cox transform (λ = 1) can "
                                   "give"));
  g_assert_nonnull (strstr (r.out, "Test part: the last 4 points"));
  g_assert_nonnull (strstr (r.out, "No forecast past the end of the data: see the error above."));
  g_assert_null (strstr (r.out, "nan"));
  g_assert_true (g_file_get_contents (out, &written, NULL, NULL));
  {
    g_auto(GStrv) rows = g_strsplit (written, "\n", -1);

    g_assert_cmpuint (g_strv_length (rows), ==, 1 + 4 + 1); /* header, 4 test rows, "" */
  }
  g_assert_null (strstr (written, "future"));
  result_clear (&r);

  r = run_recur ("train", csv, "--model", "esn", "--box-cox", "given", "--lambda", "1",
                 "--difference", "--window-norm", "last", "--horizon", "4", "--json", NULL);
  g_assert_cmpint (r.status, ==, 1);
  root = parse_object (parser, r.out);
  g_assert_true (json_object_get_null_member (root, "forecast"));
  g_assert_true (isfinite (metric (root, "test", NULL, "mase")));
  result_clear (&r);
}

/* Bad input: exit status 1 and a message naming file, line and column; nothing written. */
static void
test_bad_input_names_the_place (void)
{
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "bad.csv", NULL);
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  GString *text = g_string_new ("date,value\n");
  Result r;

  for (int i = 0; i < 60; i++)
    g_string_append_printf (text, "2020-%02d-01,%d\n", 1 + i % 12, i); /* dates repeat: bad order */
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  r = run_recur ("train", csv, "--model", "lstm", "--forecast-out", out, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "bad.csv:14:1:"));
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  result_clear (&r);

  g_string_assign (text, "value\n1\n2\nabc\n4\n");
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  r = run_recur ("train", csv, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "bad.csv:4:1:"));
  g_assert_nonnull (strstr (r.err, "abc"));
  result_clear (&r);

  /* too short for window + horizon */
  g_string_assign (text, "value\n1\n2\n3\n4\n5\n");
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  r = run_recur ("train", csv, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "bad.csv"));
  g_assert_nonnull (strstr (r.err, "5 points"));
  result_clear (&r);

  r = run_recur ("train", "/nonexistent/file.csv", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/nonexistent/file.csv"));
  result_clear (&r);
  g_string_free (text, TRUE);
}

static void
test_usage_errors (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  Result r = run_recur ("train", csv, "--model", "transformer", NULL);

  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "transformer"));
  result_clear (&r);
  r = run_recur ("train", NULL);
  g_assert_cmpint (r.status, ==, 2);
  result_clear (&r);
  r = run_recur ("forecast", csv, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--weights"));
  result_clear (&r);
  /* a cell's own options with another cell, and malformed values */
  r = run_recur ("train", csv, "--model", "lstm", "--periods", "1,2", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--periods applies to --model clockwork only"));
  result_clear (&r);
  r = run_recur ("train", csv, "--model", "lstm", "--reservoir", "50", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--reservoir applies to --model esn only"));
  result_clear (&r);
  r = run_recur ("train", csv, "--model", "esn", "--ridge", "0.1", "--jordan-feedback", "free", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "--jordan-feedback"));
  result_clear (&r);
  r = run_recur ("train", csv, "--model", "jordan", "--jordan-feedback", "forced", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "forced"));
  result_clear (&r);
  r = run_recur ("train", csv, "--model", "clockwork", "--periods", "1,x", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "1,x"));
  result_clear (&r);
  /* the model's own checks: a clear error, exit status 1 */
  r = run_recur ("train", csv, "--model", "esn", "--window", "12", "--washout", "20", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "washout (20 steps) is longer than the window (12 steps)"));
  result_clear (&r);
  r = run_recur ("train", csv, "--model", "clockwork", "--hidden", "30", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "30 does not split into 4 clockwork blocks"));
  result_clear (&r);
  r = run_recur ("train", csv, "--model", "jordan", "--layers", "2", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "one layer"));
  result_clear (&r);
}

static void
test_weights_file_errors (void)
{
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *bad = g_build_filename (dir, "bad.safetensors", NULL);
  g_autofree char *csv = data_file ("air_passengers.csv");
  Result r;

  g_assert_true (g_file_set_contents (bad, "\x10\0\0\0\0\0\0\0{}", 10, NULL));
  r = run_recur ("forecast", "--weights", bad, csv, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "bad.safetensors"));
  result_clear (&r);
}

static gboolean
have_locale (const char *name)
{
  const char *saved = setlocale (LC_ALL, NULL);
  g_autofree char *copy = g_strdup (saved);
  gboolean ok = setlocale (LC_ALL, name) != NULL;

  setlocale (LC_ALL, copy);
  return ok;
}

static void
test_help_in_chinese (void)
{
  const char *env[] = { "LANG", "zh_CN.UTF-8", "LC_ALL", "zh_CN.UTF-8", "LANGUAGE", "zh_CN",
                        "RECUR_LOCALEDIR", g_getenv ("RECUR_LOCALEDIR"), NULL };
  Result r;

  if (!have_locale ("zh_CN.UTF-8"))
    {
      g_test_skip ("the zh_CN.UTF-8 locale is not generated (see README: locale-gen)");
      return;
    }
  r = run_recur_env (env, "train", "--help", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "循环神经网络")); /* "recurrent network" in the summary */
  g_assert_null (strstr (r.out, "Train a recurrent network"));
  result_clear (&r);
  r = run_recur_env (env, "train", "/nonexistent.csv", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_null (strstr (r.err, "cannot"));
  result_clear (&r);
}

/* ---- the command line itself ------------------------------------------------------------- */

static void
assert_usage (const char *out)
{
  g_assert_true (g_str_has_prefix (out, "Usage:\n  recur COMMAND"));
  for (const char *const *c = (const char *const[]) { "train", "forecast", "info", "export",
                                                      "bench", "sweep", "project", NULL };
       *c; c++)
    {
      g_autofree char *line = g_strdup_printf ("\n  %-10s ", *c);
      g_assert_nonnull (strstr (out, line));
    }
  g_assert_nonnull (strstr (out, "Run “recur COMMAND --help” for the options of a command."));
}

/* --version, the help, and `recur` where no window can open. */
static void
test_top_level (void)
{
  const char *no_display[] = { "DISPLAY", NULL, "WAYLAND_DISPLAY", NULL, NULL };
  g_autofree char *version = g_strdup_printf ("recur %s\n", PACKAGE_VERSION);
  g_autofree char *csv = data_file ("air_passengers.csv");
  Result r = run_recur ("--version", NULL);

  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.out, ==, version);
  result_clear (&r);
  for (const char *const *h = (const char *const[]) { "--help", "-h", "help", NULL }; *h; h++)
    {
      r = run_recur (*h, NULL);
      g_assert_cmpint (r.status, ==, 0);
      assert_usage (r.out);
      g_assert_cmpstr (r.err, ==, "");
      result_clear (&r);
    }
  /* no display: the commands instead of the window; with a file, that is a wrong command line */
  r = run_recur_env (no_display, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "No display: the window cannot open. The headless commands follow.\n");
  assert_usage (r.out);
  result_clear (&r);
  r = run_recur_env (no_display, csv, NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "No display"));
  assert_usage (r.out);
  result_clear (&r);
}

/* Every option's wrong value: status 2, the option and the value named, nothing on stdout. */
static void
test_usage_every_option (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  static const struct
  {
    const char *args[6];
    const char *message;
  } cases[] = {
    { { "train", "CSV", "--strategy", "sideways" },
      "--strategy: unknown value “sideways” (choose direct, recursive)" },
    { { "train", "CSV", "--optimizer", "lbfgs" },
      "--optimizer: unknown value “lbfgs” (choose adam, adamw, sgd, rmsprop)" },
    { { "train", "CSV", "--loss", "l3" }, "--loss: unknown value “l3” (choose mse, mae, huber)" },
    { { "train", "CSV", "--scale", "log" },
      "--scale: unknown value “log” (choose zscore, minmax, none)" },
    { { "train", "CSV", "--missing", "guess" },
      "--missing: unknown value “guess” (choose interpolate, previous, refuse)" },
    { { "train", "CSV", "--schedule", "linear" },
      "--schedule: unknown value “linear” (choose constant, step, cosine, plateau)" },
    { { "train", "CSV", "--hidden", "0" }, "--hidden must be at least 1, not 0" },
    { { "train", "CSV", "--seed", "-5" },
      "--seed must be a whole number from 0 to 18446744073709551615, not “-5”" },
    { { "train", "CSV", "--seed", "18446744073709551616" },
      "--seed must be a whole number from 0 to 18446744073709551615, not “18446744073709551616”" },
    { { "train", "CSV", "--patience", "-1" }, "--patience must be at least 0, not -1" },
    { { "train", "CSV", "--model", "esn", "--reservoir", "0" }, "--reservoir must be at least 1, not 0" },
    { { "train", "CSV", "--hidden", "many" }, "“many” for --hidden" },
    { { "train", "CSV", "--leak", "0.5" }, "--leak applies to --model esn only" },
    { { "train", "CSV", "--model", "gru", "--washout", "3" }, "--washout applies to --model esn only" },
    { { "train", "CSV", "--model", "lstm", "CSV" }, "expected one CSV file" },
    { { "train", "CSV", "--model", "lstm", "--wings" }, "--wings" },
    { { "forecast", "--weights", "w.safetensors" }, "expected one CSV file" },
    { { "forecast", "CSV", "--weights", "w.safetensors", "--horizon", "x" }, "“x” for --horizon" },
    { { "forecast", "CSV", "--weights", "w.safetensors", "--horizon", "0" },
      "--horizon: the steps to forecast must be 1 or more" },
    { { "forecast", "CSV", "--weights", "w.safetensors", "--horizon", "-3" },
      "--horizon: the steps to forecast must be 1 or more" },
    { { "info" }, "expected one CSV file" },
    { { "info", "CSV", "CSV" }, "expected one CSV file" },
    { { "info", "CSV", "--verbose" }, "--verbose" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const char *args[G_N_ELEMENTS (cases[i].args)] = { NULL };
      g_autofree char *hint = g_strdup_printf ("Run “recur %s --help” for the options.\n",
                                               cases[i].args[0]);
      Result r;

      for (guint k = 0; k < G_N_ELEMENTS (args) && cases[i].args[k]; k++)
        args[k] = g_str_equal (cases[i].args[k], "CSV") ? csv : cases[i].args[k];
      r = run_recur (args[0], args[1], args[2], args[3], args[4], args[5], NULL);
      g_test_message ("%s", r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_true (g_str_has_prefix (r.err, "recur: "));
      g_assert_nonnull (strstr (r.err, cases[i].message));
      g_assert_true (g_str_has_suffix (r.err, hint));
      g_assert_cmpstr (r.out, ==, "");
      result_clear (&r);
    }
}

static JsonObject *
load_object (JsonParser *parser,
             const char *path)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

/* Without --json: a progress line per epoch on stderr (not a terminal), then the report and
 * where each output went; without a validation part, no validation loss anywhere. */
static void
test_train_report (void)
{
  g_autofree char *csv = data_file ("nottingham_temperature.csv");
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *summary = g_build_filename (dir, "summary.json", NULL);
  g_autofree char *forecast = g_build_filename (dir, "forecast.csv", NULL);
  g_autofree char *weights = g_build_filename (dir, "rnn.safetensors", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *written = NULL;
  g_auto(GStrv) err = NULL;
  g_auto(GStrv) out = NULL;
  JsonObject *root;
  Result r = run_recur ("train", csv, "--model", "rnn", "--hidden", "4", "--epochs", "3",
                        "--val-fraction", "0", "--summary-out", summary, "--forecast-out",
                        forecast, "--weights-out", weights, NULL);
  guint i;

  g_assert_cmpint (r.status, ==, 0);
  err = g_strsplit (r.err, "\n", -1);
  g_assert_cmpuint (g_strv_length (err), ==, 4);
  for (i = 0; i < 3; i++)
    {
      g_autofree char *prefix = g_strdup_printf ("epoch %u/3 train ", i + 1);
      g_assert_true (g_str_has_prefix (err[i], prefix));
      g_assert_nonnull (strstr (err[i], " val — grad-norm "));
      g_assert_nonnull (strstr (err[i], " lr 0.003 best "));
    }

  out = g_strsplit (r.out, "\n", -1);
  written = g_strdup_printf ("%s, column “mean_temp_f”: 240 points; rnn_tanh, 88 parameters", csv);
  g_assert_cmpstr (out[0], ==, written);
  g_assert_true (g_str_has_prefix (out[1], "3 epochs in "));
  g_assert_true (g_str_has_suffix (out[1], ", no validation part"));
  g_assert_cmpstr (out[3], ==, "Test part: the last 12 points, forecast from the window before them");
  g_assert_true (g_str_has_prefix (out[5], "model "));
  g_assert_true (g_str_has_prefix (out[6], "naive "));
  /* the season says where it came from, and the column of row names widens to fit it */
  g_assert_true (g_str_has_prefix (out[7], "seasonal naive (12, from the dates)  "));
  g_assert_cmpuint (strlen (out[4]), ==, strlen (out[5]));
  g_assert_cmpuint (strlen (out[5]), ==, strlen (out[7]));
  g_assert_true (g_str_has_suffix (out[4], "  MASE"));
  g_assert_null (strstr (r.out, "—")); /* every metric defined on this series */
  g_assert_cmpstr (out[9], ==, "Forecast past the end of the data:");
  g_assert_true (g_str_has_prefix (out[10], "  1940-01-01  "));
  g_assert_true (g_str_has_prefix (out[21], "  1940-12-01  "));
  g_clear_pointer (&written, g_free);
  written = g_strdup_printf ("Forecast written to %s", forecast);
  g_assert_cmpstr (out[22], ==, written);
  g_clear_pointer (&written, g_free);
  written = g_strdup_printf ("Weights written to %s", weights);
  g_assert_cmpstr (out[23], ==, written);
  g_clear_pointer (&written, g_free);
  written = g_strdup_printf ("Summary written to %s", summary);
  g_assert_cmpstr (out[24], ==, written);
  g_assert_cmpstr (out[25], ==, "");
  g_assert_null (out[26]);

  /* the summary is what --json prints */
  root = load_object (parser, summary);
  g_assert_cmpstr (json_object_get_string_member (root, "model"), ==, "rnn_tanh");
  g_assert_cmpint (json_object_get_int_member (root, "parameters"), ==, 88);
  g_assert_cmpint (json_object_get_int_member (root, "epochs_run"), ==, 3);
  g_assert_true (json_object_get_null_member (root, "val_loss"));
  g_assert_cmpint (json_object_get_int_member (root, "season"), ==, 12);
  g_assert_cmpstr (json_object_get_string_member (root, "season_source"), ==, "dates");
  g_assert_true (g_file_test (forecast, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (weights, G_FILE_TEST_IS_REGULAR));
  result_clear (&r);
  g_remove (summary);
  g_remove (forecast);
  g_remove (weights);
  g_rmdir (dir);

  /* --quiet: the report only; an ESN says how many of its parameters it trained */
  r = run_recur ("train", csv, "--model", "esn", "--reservoir", "20", "--washout", "4", "--quiet",
                 NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  g_assert_nonnull (strstr (r.out, "; esn, "));
  g_assert_nonnull (strstr (r.out, " of them trained\n"));
  result_clear (&r);

  /* the ReLU Elman network: the tanh one's parameters */
  r = run_recur ("train", csv, "--model", "rnn-relu", "--hidden", "4", "--epochs", "2", "--json",
                 "--quiet", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_object (parser, r.out);
  g_assert_cmpstr (json_object_get_string_member (root, "model"), ==, "rnn_relu");
  g_assert_cmpint (json_object_get_int_member (root, "parameters"), ==, 88);
  result_clear (&r);
}

/* A metric undefined on the test part (MAPE, with an actual value of 0) is shown as "—" and is
 * null in JSON; without a time column, the future is numbered on from the last row. */
static void
test_undefined_metric (void)
{
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "cycle.csv", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GString *text = g_string_new ("value\n");
  g_auto(GStrv) lines = NULL;
  JsonObject *root;
  Result r;
  guint i;

  for (i = 0; i < 120; i++)
    g_string_append_printf (text, "%u\n", i % 4);
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  g_string_free (text, TRUE);
  r = run_recur ("train", csv, "--model", "lstm", "--hidden", "4", "--window", "8", "--horizon", "4", "--epochs", "2",
                 "--quiet", NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  for (i = 0; lines[i] && !g_str_has_prefix (lines[i], "model "); i++)
    ;
  g_assert_nonnull (lines[i]);
  for (guint k = 0; k < 3; k++)
    {
      g_auto(GStrv) cells = g_strsplit_set (lines[i + k], " ", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();

      for (guint c = 0; cells[c]; c++)
        if (*cells[c])
          g_ptr_array_add (words, cells[c]);
      /* … MAE, RMSE, MAPE, sMAPE, MASE: the last five words */
      g_assert_cmpuint (words->len, >=, 5);
      g_assert_cmpstr (g_ptr_array_index (words, words->len - 3), ==, "—");
      g_assert_cmpstr (g_ptr_array_index (words, words->len - 2), !=, "—");
    }
  g_assert_true (g_str_has_prefix (lines[i + 5], "  120  "));
  g_assert_true (g_str_has_prefix (lines[i + 8], "  123  "));
  result_clear (&r);

  r = run_recur ("train", csv, "--model", "lstm", "--hidden", "4", "--window", "8", "--horizon", "4", "--epochs", "2",
                 "--quiet", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_object (parser, r.out);
  g_assert_true (json_object_get_null_member (json_object_get_object_member (root, "test"), "mape"));
  g_assert_true (isfinite (metric (root, "test", NULL, "smape")));
  result_clear (&r);
  g_remove (csv);
  g_rmdir (dir);
}

/* Test values missing from the file: the report says how many and scores the others, JSON has
 * null for them and counts them, and the future forecast says it reads filled values. */
static void
test_missing_test_values (void)
{
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "gaps.csv", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  GString *text = g_string_new ("date,y\n");
  JsonArray *actual;
  JsonObject *root;
  Result r;

  for (guint i = 0; i < 60; i++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (text, "%04u-%02u-01,%s\n", 1990 + i / 12, 1 + i % 12,
                              i >= 57 ? "" : g_ascii_dtostr (num, sizeof num,
                                                             10 + sin (i * G_PI / 6)));
    }
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  g_string_free (text, TRUE);
  r = run_recur ("train", csv, "--model", "gru", "--hidden", "4", "--window", "12", "--horizon",
                 "6", "--epochs", "2", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "(3 of them have no value in the file: they are not scored)\n"));
  g_assert_nonnull (strstr (r.out, "(the last 3 values are missing in the file: the forecast "
                                   "reads them as filled in)\n"));
  result_clear (&r);

  r = run_recur ("train", csv, "--model", "gru", "--hidden", "4", "--window", "12", "--horizon",
                 "6", "--epochs", "2", "--quiet", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_object (parser, r.out);
  g_assert_cmpint (json_object_get_int_member (root, "test_missing"), ==, 3);
  actual = json_object_get_array_member (root, "test_actual");
  g_assert_cmpuint (json_array_get_length (actual), ==, 6);
  for (guint i = 0; i < 6; i++)
    g_assert_cmpint (JSON_NODE_HOLDS_NULL (json_array_get_element (actual, i)), ==, i >= 3);
  g_assert_true (isfinite (metric (root, "test", NULL, "mae")));
  result_clear (&r);
  g_remove (csv);
  g_rmdir (dir);
}

/* Outputs are checked before training: one that is the input or another output, a FIFO or a
 * folder is a usage error that names them, and nothing is written; an output that is a link
 * is written through it, the link staying a link. */
static void
test_outputs_checked_before_training (void)
{
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *source = data_file ("air_passengers.csv");
  g_autofree char *csv = g_build_filename (dir, "air.csv", NULL);
  g_autofree char *alias = g_build_filename (dir, "alias.csv", NULL);
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  g_autofree char *same = g_build_filename (dir, ".", "out.csv", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo.csv", NULL);
  g_autofree char *link = g_build_filename (dir, "link.csv", NULL);
  g_autofree char *target = g_build_filename (dir, "target.csv", NULL);
  g_autofree char *nodir = g_build_filename (dir, "not-made", "summary.json", NULL);
  g_autofree char *before = NULL, *after = NULL, *written = NULL;
  const char *common[] = { "--model", "gru", "--hidden", "4", "--epochs", "1", "--quiet" };
  static const struct
  {
    const char *option, *path_name, *said;
  } refused[] = {
    { "--forecast-out", "csv", "--forecast-out would overwrite FILE.csv" },
    { "--summary-out", "alias", "--summary-out would overwrite FILE.csv" },
    { "--weights-out", "same", "--forecast-out and --weights-out name the same file" },
    { "--forecast-out", "fifo", "is not a regular file" },
    { "--forecast-out", "dir", "is a folder, not a file" },
    { "--summary-out", "nodir", "there is no folder" },
    { "--weights-out", "empty", "--weights-out: the file name is empty" },
  };

  g_assert_true (g_file_get_contents (source, &before, NULL, NULL));
  g_assert_true (g_file_set_contents (csv, before, -1, NULL));
  g_assert_cmpint (symlink ("air.csv", alias), ==, 0);
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      const char *path = g_str_equal (refused[i].path_name, "csv")   ? csv
                         : g_str_equal (refused[i].path_name, "alias") ? alias
                         : g_str_equal (refused[i].path_name, "same")  ? same
                         : g_str_equal (refused[i].path_name, "fifo")  ? fifo
                         : g_str_equal (refused[i].path_name, "nodir") ? nodir
                         : g_str_equal (refused[i].path_name, "empty") ? ""
                                                                       : dir;
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      Result r;

      g_ptr_array_add (args, "train");
      g_ptr_array_add (args, csv);
      for (guint k = 0; k < G_N_ELEMENTS (common); k++)
        g_ptr_array_add (args, (char *) common[k]);
      if (g_str_equal (refused[i].path_name, "same"))
        {
          g_ptr_array_add (args, "--forecast-out");
          g_ptr_array_add (args, out);
        }
      g_ptr_array_add (args, (char *) refused[i].option);
      g_ptr_array_add (args, (char *) path);
      g_ptr_array_add (args, NULL);
      r = run_recur_envv (NULL, (const char *const *) args->pdata);
      g_test_message ("%s", r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_nonnull (strstr (r.err, refused[i].said));
      g_assert_cmpstr (r.out, ==, "");
      result_clear (&r);
    }
  g_assert_true (g_file_get_contents (csv, &after, NULL, NULL));
  g_assert_cmpstr (after, ==, before);
  g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));

  /* through a link to a file not written yet */
  g_assert_cmpint (symlink ("target.csv", link), ==, 0);
  {
    Result r = run_recur ("train", csv, "--model", "gru", "--hidden", "4", "--epochs", "1",
                          "--quiet", "--forecast-out", link, NULL);

    g_assert_cmpint (r.status, ==, 0);
    result_clear (&r);
  }
  g_assert_true (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_get_contents (target, &written, NULL, NULL));
  g_assert_true (g_str_has_prefix (written, "timestamp,passengers_thousands,kind\n"));
}

/* Two columns of one name: info says so, train refuses the name and names both columns. */
static void
test_shared_column_names (void)
{
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "twice.csv", NULL);
  GString *text = g_string_new ("date,v,v,w\n");
  Result r;

  for (guint i = 0; i < 40; i++)
    g_string_append_printf (text, "%04u-%02u-01,%u,%u,%u\n", 2000 + i / 12, 1 + i % 12, i,
                            2 * i, 3 * i);
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  g_string_free (text, TRUE);
  r = run_recur ("info", csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Columns 2 and 3 are both named “v”"));
  result_clear (&r);
  r = run_recur ("train", csv, "--column", "v", "--model", "gru", "--epochs", "1", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "columns 2 and 3 are both named “v”: rename one of them"));
  result_clear (&r);
  /* the default, the first numeric column, as well: a weights file naming it could not say
   * which */
  r = run_recur ("train", csv, "--model", "gru", "--epochs", "1", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "columns 2 and 3 are both named “v”"));
  result_clear (&r);
}

/* --missing: refuse names the first missing value; previous fills it. */
static void
test_missing_policies (void)
{
  g_autofree char *csv = data_file ("gold_price.csv");
  Result r = run_recur ("train", csv, "--model", "lstm", "--missing", "refuse", NULL);

  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "gold_price.csv:69:2: column “price_usd”: the value is missing"));
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);
  r = run_recur ("train", csv, "--model", "lstm", "--missing", "previous", "--hidden", "4", "--epochs", "1",
                 "--quiet", "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
}

/* A pseudo-terminal for a child's stderr: the master end (read it) and the name of the slave. */
static int
open_terminal (char **slave_name)
{
  int master = posix_openpt (O_RDWR | O_NOCTTY);

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  *slave_name = g_strdup (ptsname (master));
  return master;
}

/* Runs recur with stderr on a terminal; returns what the terminal showed in r.err. */
static Result
run_recur_on_terminal (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *slave_name = NULL;
  GString *shown = g_string_new (NULL);
  int master = open_terminal (&slave_name);
  int slave = open (slave_name, O_RDWR | O_NOCTTY);
  Result r = { 0 };
  char buf[4096];
  ssize_t n;

  g_assert_cmpint (slave, >=, 0);
  g_ptr_array_add (argv, (char *) g_getenv ("RECUR_BIN"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  g_subprocess_launcher_take_stderr_fd (launcher, slave);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_object (&launcher); /* closes this process's copy of the slave */
  /* what the child writes stays in the terminal's buffer until read: a few lines here */
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.out, NULL, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_exit_status (proc);
  /* the child has exited: the master reads what is left, then EIO */
  while ((n = read (master, buf, sizeof buf)) > 0)
    g_string_append_len (shown, buf, n);
  close (master);
  r.err = g_string_free (shown, FALSE);
  return r;
}

/* On a terminal, progress is one bar redrawn in place, ended by a newline. */
static void
test_progress_bar_on_a_terminal (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *const args[] = { "train", csv, "--model", "lstm", "--hidden", "4", "--epochs", "4", "--patience", "0",
                               "--json", NULL };
  Result r = run_recur_on_terminal (args);
  g_autoptr(JsonParser) parser = json_parser_new ();

  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 0);
  parse_object (parser, r.out);
  /* 24 cells, filled by the share of epochs done */
  g_assert_true (g_str_has_prefix (r.err, "\r[######..................] epoch 1/4  train "));
  g_assert_nonnull (strstr (r.err, "\r[############............] epoch 2/4  train "));
  g_assert_nonnull (strstr (r.err, "\r[########################] epoch 4/4  train "));
  g_assert_nonnull (strstr (r.err, "  val "));
  /* one line in all, ended once training ends (the terminal shows \n as \r\n) */
  g_assert_true (g_str_has_suffix (r.err, "\r\n"));
  g_assert_true (strchr (r.err, '\n') == r.err + strlen (r.err) - 1);
  result_clear (&r);
}

static gboolean
has_contents (const char *path,
              const char *needle)
{
  g_autofree char *text = NULL;

  return g_file_get_contents (path, &text, NULL, NULL) && strstr (text, needle) != NULL;
}

/* Ctrl-C stops training between two minibatches; the best weights so far are written and the
 * results printed, and the status is 130. */
/* `recur train ARGS… --json` with stderr to log, interrupted (SIGINT) once log holds
 * wait_for: its stdout, after checking that it exited with 130 and said so. */
static char *
train_interrupted (const char        *log,
                   const char        *wait_for,
                   const char *const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;
  char *out = NULL;

  g_ptr_array_add (argv, (gpointer) g_getenv ("RECUR_BIN"));
  g_ptr_array_add (argv, (gpointer) "train");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "--json");
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_stderr_file_path (launcher, log);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  while (!has_contents (log, wait_for))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_usleep (20000);
    }
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 130);
  g_assert_true (g_file_get_contents (log, &err, NULL, NULL));
  g_assert_true (g_str_has_suffix (err, "recur: interrupted; writing the best weights so far\n"));
  return out;
}

static void
test_interrupt_keeps_the_best_weights (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *dir = temp_dir ();  /* removed when the test ends */
  g_autofree char *weights = g_build_filename (dir, "best.safetensors", NULL);
  g_autofree char *log = g_build_filename (dir, "stderr.log", NULL);
  const char *const args[] = { csv, "--model", "lstm", "--hidden", "8", "--epochs", "100000",
                               "--patience", "0", "--weights-out", weights, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = train_interrupted (log, "epoch 3/100000", args);
  JsonObject *root = parse_object (parser, out);
  gint64 epochs = json_object_get_int_member (root, "epochs_run");
  Result f;

  g_assert_cmpint (epochs, >=, 3);
  g_assert_cmpint (epochs, <, 100000);
  g_assert_cmpint (json_object_get_int_member (root, "best_epoch"), >=, 1);
  /* the weights written are a model `recur forecast` reads */
  f = run_recur ("forecast", "--weights", weights, csv, "--json", NULL);
  g_assert_cmpint (f.status, ==, 0);
  result_clear (&f);
}

/* An ensemble stopped by Ctrl-C (4 members on 2 threads): the members that had started keep
 * their best weights and make the median, written, printed and forecast again from the file by
 * `recur forecast`; those still queued are said to be left out; the status is 130. */
static void
test_interrupt_ensemble (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *dir = temp_dir ();  /* removed when the test ends */
  g_autofree char *weights = g_build_filename (dir, "ensemble.safetensors", NULL);
  g_autofree char *log = g_build_filename (dir, "ensemble-stderr.log", NULL);
  const char *const args[] = { csv, "--model", "lstm", "--hidden", "8", "--ensemble", "4",
                               "--threads", "2", "--epochs", "100000", "--patience", "0",
                               "--weights-out", weights, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  JsonObject *root, *ensemble;
  gint64 members;

  out = train_interrupted (log, "epoch 3/100000", args);
  root = parse_object (parser, out);
  ensemble = json_object_get_object_member (root, "ensemble");
  g_assert_nonnull (ensemble);
  g_assert_cmpint (json_object_get_int_member (ensemble, "asked"), ==, 4);
  /* members 0 and 1 were training (1 may not have ended an epoch yet on a loaded machine);
   * 2 and 3 queued behind them */
  members = json_object_get_int_member (ensemble, "members");
  g_assert_cmpint (members, >=, 1);
  g_assert_cmpint (members, <=, 2);
  for (guint k = 0; k < members; k++)
    {
      g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (ensemble,
                                                                                 "seeds"), k),
                       ==, 42 + k);
      g_assert_cmpint (json_array_get_int_element (json_object_get_array_member (ensemble,
                                                                                 "best_epoch"),
                                                   k), >=, 1);
    }
  assert_forecast_is (weights, csv, json_object_get_array_member (root, "forecast"), 12, 1e-9);
}

/* An ensemble on one thread: after member 0's epochs, the next members' are told too. */
static void
test_ensemble_progress (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  Result r = run_recur ("train", csv, "--model", "gru", "--hidden", "4", "--epochs", "3",
                        "--patience", "0", "--ensemble", "3", "--threads", "1", NULL);

  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.err, "epoch 3/3 train "));
  g_assert_nonnull (strstr (r.err, "member 2/3 epoch 1/3\n"));
  g_assert_nonnull (strstr (r.err, "member 3/3 epoch 3/3\n"));
  g_assert_nonnull (strstr (r.out, "The median of an ensemble of 3 networks (seeds 42, 43, 44)"));
  result_clear (&r);
}

/* A series that never changes: MASE has no scale, and the ensemble's line says so by leaving
 * the members' MASE range out, never "nan to nan". */
static void
test_ensemble_of_a_constant_series (void)
{
  const char *dir = temp_dir ();  /* removed when the test ends */
  g_autofree char *csv = g_build_filename (dir, "flat.csv", NULL);
  g_autoptr(GString) text = g_string_new ("y\n");
  Result r;

  for (guint i = 0; i < 60; i++)
    g_string_append (text, "5\n");
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  r = run_recur ("train", csv, "--model", "esn", "--ensemble", "3", "--horizon", "6", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "The median of an ensemble of 3 networks (seeds 42, 43, 44)\n"));
  g_assert_null (strstr (r.out, "nan"));
  result_clear (&r);
}

/* The air passengers' rows from..to (1-based data rows, inclusive) as a CSV of its own. */
static char *
passengers_rows (const char *dir,
                 const char *name,
                 guint       from,
                 guint       to)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  lines = g_strsplit (text, "\n", -1);
  g_string_append_printf (out, "%s\n", lines[0]);
  for (guint i = from; i <= to && lines[i] && *lines[i]; i++)
    g_string_append_printf (out, "%s\n", lines[i]);
  g_assert_true (g_file_set_contents (path, out->str, out->len, NULL));
  return path;
}

static char *
first_forecast_line (const char *weights,
                     const char *csv)
{
  Result r = run_recur ("forecast", "--weights", weights, csv, NULL);
  char *line;

  g_assert_cmpint (r.status, ==, 0);
  line = g_strndup (r.out, strcspn (r.out, "\n"));
  result_clear (&r);
  return line;
}

/* A deseasonalised model's indices go by phase: `recur forecast` from a file that starts
 * elsewhere (rows dropped at the start, or cut earlier) places its rows in the season by the
 * training data's last date, and forecasts as from the whole file; a file that starts after
 * that date is refused, naming it. */
static void
test_forecast_places_the_season (void)
{
  const char *dir = temp_dir ();
  g_autofree char *weights = g_build_filename (dir, "deseasonalised.safetensors", NULL);
  g_autofree char *whole = passengers_rows (dir, "whole.csv", 1, 144);
  g_autofree char *later = passengers_rows (dir, "later.csv", 8, 144);
  g_autofree char *cut = passengers_rows (dir, "cut.csv", 1, 100);
  g_autofree char *cut_later = passengers_rows (dir, "cut-later.csv", 6, 100);
  g_autofree char *after = passengers_rows (dir, "after.csv", 1, 144);
  g_autofree char *from_whole = NULL, *from_later = NULL, *from_cut = NULL, *from_cut_later = NULL;
  Result r = run_recur ("train", whole, "--model", "esn", "--deseasonalise", "--quiet",
                        "--weights-out", weights, NULL);

  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  from_whole = first_forecast_line (weights, whole);
  from_later = first_forecast_line (weights, later);
  g_assert_cmpstr (from_later, ==, from_whole);
  from_cut = first_forecast_line (weights, cut);
  from_cut_later = first_forecast_line (weights, cut_later);
  g_assert_true (g_str_has_prefix (from_cut, "1957-05-01,"));
  g_assert_cmpstr (from_cut_later, ==, from_cut);

  {
    /* a century later: the training data's end (1960-12-01) is neither in the file nor after
     * its end */
    g_autofree char *text = NULL;
    g_autoptr(GString) shifted = NULL;

    g_assert_true (g_file_get_contents (after, &text, NULL, NULL));
    shifted = g_string_new (text);
    g_string_replace (shifted, "\n19", "\n20", 0);
    g_assert_true (g_file_set_contents (after, shifted->str, shifted->len, NULL));
  }
  r = run_recur ("forecast", "--weights", weights, after, NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "after.csv: the model removes a season of 12 points by phase"));
  g_assert_nonnull (strstr (r.err, "does not hold the training data’s last date (1960-12-01)"));
  result_clear (&r);
}

/* Ctrl-C while Auto chooses (here in its LSTM candidate, which would train for ever): the best of
 * the candidates scored so far is the result, written and printed, the rest marked unscored,
 * and the status is 130. */
static void
test_interrupt_auto_keeps_the_best_so_far (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *dir = temp_dir ();  /* removed when the test ends */
  g_autofree char *weights = g_build_filename (dir, "auto.safetensors", NULL);
  g_autofree char *log = g_build_filename (dir, "auto-stderr.log", NULL);
  const char *const args[] = { csv, "--epochs", "100000", "--patience", "0", "--weights-out",
                               weights, NULL };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  JsonObject *root, *choice;
  JsonArray *candidates;
  guint unscored = 0;
  Result f;

  /* the reservoirs and floors are scored; the LSTM is training */
  out = train_interrupted (log, ": esn, window 36, level mean: validation MASE", args);
  root = parse_object (parser, out);
  choice = json_object_get_object_member (root, "auto");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (choice, "reason"),
                                   "the best of the candidates scored before"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (choice, "chosen"), "esn") ||
                 strstr (json_object_get_string_member (choice, "chosen"), "naive"));
  candidates = json_object_get_array_member (choice, "candidates");
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    unscored += json_object_get_null_member (json_array_get_object_element (candidates, i),
                                             "validation_mase") ? 1 : 0;
  /* the LSTM and the GRU: stopped, or (one core) the GRU never started */
  g_assert_cmpuint (unscored, ==, 2);
  f = run_recur ("forecast", "--weights", weights, csv, "--json", NULL);
  g_assert_cmpint (f.status, ==, 0);
  result_clear (&f);
}

/* `recur forecast`: the text and file outputs, and what it refuses. */
static void
test_forecast_outputs_and_errors (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *weights = g_build_filename (dir, "direct.safetensors", NULL);
  g_autofree char *out = g_build_filename (dir, "forecast.csv", NULL);
  g_autofree char *shorter = g_build_filename (dir, "short.csv", NULL);
  g_autofree char *written = NULL;
  g_autofree char *message = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) rows = NULL;
  JsonArray *want;
  Result r = run_recur ("train", csv, "--model", "lstm", "--hidden", "4", "--epochs", "2", "--horizon", "6", "--json",
                        "--quiet", "--weights-out", weights, NULL);

  g_assert_cmpint (r.status, ==, 0);
  want = json_object_get_array_member (parse_object (parser, r.out), "forecast");
  result_clear (&r);

  /* plain: "date,value" per step, as the model forecast them in training */
  r = run_recur ("forecast", "--weights", weights, csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 7);
  for (guint h = 0; h < 6; h++)
    {
      g_autofree char *date = g_strdup_printf ("1961-%02u-01,", h + 1);
      g_assert_true (g_str_has_prefix (lines[h], date));
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (lines[h] + strlen (date), NULL),
                                      json_array_get_double_element (want, h), 1e-6);
    }
  result_clear (&r);

  /* to a file: said where, with the column's name */
  r = run_recur ("forecast", "--weights", weights, csv, "-o", out, NULL);
  g_assert_cmpint (r.status, ==, 0);
  message = g_strdup_printf ("Forecast written to %s\n", out);
  g_assert_cmpstr (r.out, ==, message);
  g_assert_true (g_file_get_contents (out, &written, NULL, NULL));
  rows = g_strsplit (written, "\n", -1);
  g_assert_cmpstr (rows[0], ==, "timestamp,passengers_thousands");
  g_assert_true (g_str_has_prefix (rows[1], "1961-01-01,"));
  g_assert_true (g_str_has_prefix (rows[6], "1961-06-01,"));
  result_clear (&r);

  /* a direct model forecasts its horizon at most: a wrong command line */
  r = run_recur ("forecast", "--weights", weights, csv, "--horizon", "20", NULL);
  g_assert_cmpint (r.status, ==, 2);
  g_clear_pointer (&message, g_free);
  message = g_strdup_printf ("recur: %s: a direct model forecasts at most 6 steps; 20 asked\n",
                             weights);
  g_assert_cmpstr (r.err, ==, message);
  result_clear (&r);

  /* a column that is not there, and a series shorter than the model's window: bad input */
  r = run_recur ("forecast", "--weights", weights, csv, "--column", "passengers", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "air_passengers.csv: there is no column “passengers”"));
  result_clear (&r);
  g_assert_true (g_file_set_contents (shorter, "value\n1\n2\n3\n4\n5\n", -1, NULL));
  r = run_recur ("forecast", "--weights", weights, shorter, "--column", "value", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_clear_pointer (&message, g_free);
  message = g_strdup_printf ("recur: %s: column “value” has 5 points; the model reads windows "
                             "of 24\n", shorter);
  g_assert_cmpstr (r.err, ==, message);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);
  r = run_recur ("forecast", "--weights", weights, "/nonexistent/series.csv", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/nonexistent/series.csv"));
  result_clear (&r);
  g_remove (weights);
  g_remove (out);
  g_remove (shorter);
  g_rmdir (dir);
}

/* The points `recur forecast` needs: the longest window its members read, and before it those
 * the differencing takes; fewer is an error that says so (it was a crash), exactly enough
 * forecasts as `recur train` did. */
static void
test_forecast_needs_the_longest_window (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *members = g_build_filename (dir, "members.safetensors", NULL);
  g_autofree char *differenced = g_build_filename (dir, "differenced.safetensors", NULL);
  g_autofree char *shorter = g_build_filename (dir, "short.csv", NULL);
  g_autofree char *message = NULL;
  g_autoptr(GString) rows = g_string_new ("value\n");
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *want;
  Result r = run_recur ("train", csv, "--model", "gru", "--hidden", "4", "--epochs", "2",
                        "--horizon", "6", "--ensemble", "2", "--window", "30",
                        "--ensemble-windows", "12,30", "--json", "--quiet", "--weights-out",
                        members, NULL);

  g_assert_cmpint (r.status, ==, 0);
  want = json_object_get_array_member (parse_object (parser, r.out), "forecast");
  result_clear (&r);
  r = run_recur ("train", csv, "--model", "gru", "--hidden", "4", "--epochs", "2",
                 "--horizon", "6", "--window", "24", "--difference", "--quiet", "--weights-out",
                 differenced, NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  /* the members' median, member 1 reading 30 points, as in training */
  r = run_recur ("forecast", "--weights", members, csv, NULL);
  g_assert_cmpint (r.status, ==, 0);
  {
    g_auto(GStrv) lines = g_strsplit (r.out, "\n", -1);

    for (guint h = 0; h < 6; h++)
      g_assert_cmpfloat_with_epsilon (g_ascii_strtod (strchr (lines[h], ',') + 1, NULL),
                                      json_array_get_double_element (want, h), 1e-6);
  }
  result_clear (&r);

  for (guint i = 0; i < 24; i++)
    g_string_append_printf (rows, "%u\n", 100 + i);
  g_assert_true (g_file_set_contents (shorter, rows->str, -1, NULL));
  r = run_recur ("forecast", "--weights", members, shorter, "--column", "value", NULL);
  g_assert_cmpint (r.status, ==, 1);
  message = g_strdup_printf ("recur: %s: column “value” has 24 points; the model reads windows "
                             "of 30\n", shorter);
  g_assert_cmpstr (r.err, ==, message);
  result_clear (&r);
  r = run_recur ("forecast", "--weights", differenced, shorter, "--column", "value", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_clear_pointer (&message, g_free);
  message = g_strdup_printf ("recur: %s: column “value” has 24 points; the model reads windows "
                             "of 24 and, for its differencing, 1 point before them\n", shorter);
  g_assert_cmpstr (r.err, ==, message);
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);
  g_string_append (rows, "124\n");
  g_assert_true (g_file_set_contents (shorter, rows->str, -1, NULL));
  r = run_recur ("forecast", "--weights", differenced, shorter, "--column", "value", NULL);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  g_remove (members);
  g_remove (differenced);
  g_remove (shorter);
  g_rmdir (dir);
}

/* Without dates the season is found in the values before the test part, and the summary and
 * the report say so; --season overrides it. The values: a period of 7 plus noise. */
static void
test_train_season_from_the_values (void)
{
  /* 3 sin (2π i / 7), rounded */
  static const double week[7] = { 0, 2.35, 2.92, 1.30, -1.30, -2.92, -2.35 };
  const char *dir = temp_dir ();  /* removed when the test ends */
  g_autofree char *csv = g_build_filename (dir, "weekly-cycle.csv", NULL);
  g_autoptr(GString) text = g_string_new ("sales\n");
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  Result r;

  for (guint i = 0; i < 150; i++)
    g_string_append_printf (text, "%.6f\n",
                            10 + week[i % 7] + g_rand_double_range (rand, -0.3, 0.3));
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  r = run_recur ("train", csv, "--json", "--hidden", "4", "--epochs", "2", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_object (parser, r.out);
  g_assert_cmpint (json_object_get_int_member (root, "season"), ==, 7);
  g_assert_cmpstr (json_object_get_string_member (root, "season_source"), ==, "values");
  /* the configuration repeats the run: 0, found again from the values */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "config"),
                                               "season"), ==, 0);
  result_clear (&r);

  r = run_recur ("train", csv, "--hidden", "4", "--epochs", "2", "--quiet", NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "\nseasonal naive (7, from the values)  "));
  result_clear (&r);

  r = run_recur ("train", csv, "--json", "--hidden", "4", "--epochs", "2", "--season", "4",
                 NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_object (parser, r.out);
  g_assert_cmpint (json_object_get_int_member (root, "season"), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (root, "season_source"), ==, "option");
  result_clear (&r);
}

/* `recur info` without --json, with a time column and without one. */
static void
test_info_text (void)
{
  g_autofree char *csv = data_file ("gold_price.csv");
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *plain = g_build_filename (dir, "plain.csv", NULL);
  g_autofree char *want = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;
  Result r = run_recur ("info", csv, NULL);

  g_assert_cmpint (r.status, ==, 0);
  want = g_strdup_printf ("File: %s\nRows: 1108\nTime column: “date”, ", csv);
  g_assert_true (g_str_has_prefix (r.out, want));
  g_assert_nonnull (strstr (r.out, ", from 1985-01-02 to 1989-03-31\n"
                                   "Season: 5, from the dates\nColumns:\n"));
  g_assert_nonnull (strstr (r.out, "\n  price_usd                numeric  34 missing\n"));
  result_clear (&r);

  g_assert_true (g_file_set_contents (plain, "a,b\n1,x\n2,y\n3,\n", -1, NULL));
  r = run_recur ("info", plain, NULL);
  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "Rows: 3\nTime column: none (the row number is the time axis)\n"
                                   "Season: none from the dates; training looks for one in the "
                                   "values before the test part\n"));
  result_clear (&r);
  r = run_recur ("info", plain, "--json", NULL);
  g_assert_cmpint (r.status, ==, 0);
  root = parse_object (parser, r.out);
  g_assert_cmpint (json_object_get_int_member (root, "rows"), ==, 3);
  for (const char *const *k = (const char *const[]) { "time_column", "frequency", "season",
                                                      "season_source", "first", "last", NULL };
       *k; k++)
    g_assert_true (json_object_get_null_member (root, *k));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "columns")), ==, 2);
  result_clear (&r);
  r = run_recur ("info", "/nonexistent/series.csv", NULL);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "/nonexistent/series.csv"));
  result_clear (&r);
  g_remove (plain);
  g_rmdir (dir);
}

/* A run that fails while training (diverging from its first epoch) names why, writes nothing
 * and exits with 1. */
static void
test_diverging_run_writes_nothing (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *dir = test_temp_dir ("recur-cli-XXXXXX");
  g_autofree char *weights = g_build_filename (dir, "w.safetensors", NULL);
  Result r = run_recur ("train", csv, "--model", "lstm", "--optimizer", "sgd", "--lr", "1e30", "--clip", "0",
                        "--epochs", "5", "--quiet", "--weights-out", weights, NULL);

  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.err, ==, "recur: training diverged at epoch 1: the loss became NaN; try a "
                              "lower learning rate or gradient clipping\n");
  g_assert_cmpstr (r.out, ==, "");
  g_assert_false (g_file_test (weights, G_FILE_TEST_EXISTS));
  result_clear (&r);
  g_rmdir (dir);
}

/* Minibatches of 64 windows split into shards, trained on --threads threads: the numbers are
 * the same on one thread or two. */
static void
test_threads_give_identical_numbers (void)
{
  g_autofree char *csv = data_file ("nottingham_temperature.csv");
  g_autoptr(JsonParser) p1 = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  Result a = run_recur ("train", csv, "--model", "lstm", "--batch", "64", "--hidden", "8", "--epochs", "3",
                        "--threads", "1", "--json", "--quiet", NULL);
  Result b = run_recur ("train", csv, "--model", "lstm", "--batch", "64", "--hidden", "8", "--epochs", "3",
                        "--threads", "2", "--json", "--quiet", NULL);
  JsonObject *x, *y;
  JsonArray *fx, *fy;

  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpint (b.status, ==, 0);
  x = parse_object (p1, a.out);
  y = parse_object (p2, b.out);
  g_assert_cmpfloat (json_object_get_double_member (x, "train_loss"), ==,
                     json_object_get_double_member (y, "train_loss"));
  g_assert_cmpfloat (json_object_get_double_member (x, "val_loss"), ==,
                     json_object_get_double_member (y, "val_loss"));
  fx = json_object_get_array_member (x, "forecast");
  fy = json_object_get_array_member (y, "forecast");
  for (guint h = 0; h < 12; h++)
    g_assert_cmpfloat (json_array_get_double_element (fx, h), ==,
                       json_array_get_double_element (fy, h));
  result_clear (&a);
  result_clear (&b);
}

/* Unsharded minibatches (the default 32) and an ESN's readout and Auto's whole choice: the same
 * numbers on one thread or two, to the last bit. */
static void
test_threads_never_change_the_numbers (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *const models[] = { "lstm", "esn", "auto" };

  for (guint m = 0; m < G_N_ELEMENTS (models); m++)
    {
      Result a = run_recur ("train", csv, "--model", models[m], "--epochs", "5", "--threads",
                            "1", "--json", "--quiet", NULL);
      Result b = run_recur ("train", csv, "--model", models[m], "--epochs", "5", "--threads",
                            "2", "--json", "--quiet", NULL);
      g_autoptr(JsonParser) p1 = json_parser_new ();
      g_autoptr(JsonParser) p2 = json_parser_new ();
      JsonObject *x, *y;

      g_test_message ("--model %s", models[m]);
      g_assert_cmpint (a.status, ==, 0);
      g_assert_cmpint (b.status, ==, 0);
      x = parse_object (p1, a.out);
      y = parse_object (p2, b.out);
      /* everything but the timings */
      json_object_remove_member (x, "seconds");
      json_object_remove_member (y, "seconds");
      json_object_remove_member (x, "windows_per_second");
      json_object_remove_member (y, "windows_per_second");
      if (json_object_has_member (x, "auto"))
        {
          JsonArray *cx = json_object_get_array_member (json_object_get_object_member (x, "auto"),
                                                        "candidates");
          JsonArray *cy = json_object_get_array_member (json_object_get_object_member (y, "auto"),
                                                        "candidates");

          for (guint i = 0; i < json_array_get_length (cx); i++)
            {
              json_object_remove_member (json_array_get_object_element (cx, i), "seconds");
              json_object_remove_member (json_array_get_object_element (cy, i), "seconds");
            }
        }
      g_assert_true (json_node_equal (json_parser_get_root (p1), json_parser_get_root (p2)));
      result_clear (&a);
      result_clear (&b);
    }
}

/* The metadata of a safetensors file: its header is 8 bytes of little-endian length, then
 * JSON. */
static JsonObject *
weights_metadata (JsonParser *parser,
                  const char *path)
{
  g_autofree char *contents = NULL;
  g_autofree char *header = NULL;
  gsize length;
  guint64 n = 0;
  JsonObject *root;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >=, 8);
  for (guint i = 0; i < 8; i++)
    n |= (guint64) (guchar) contents[i] << (8 * i);
  g_assert_cmpuint (n, <=, length - 8);
  header = g_strndup (contents + 8, n);
  root = parse_object (parser, header);
  g_assert_true (json_object_has_member (root, "__metadata__"));
  return json_object_get_object_member (root, "__metadata__");
}

/* A weights file averaged with Theta's forecast, given fewer points than Theta needs (but as
 * many as the network's window): refused, saying which file and column and how many points. */
static void
test_forecast_theta_needs_points (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *dir = temp_dir ();  /* removed when the test ends */
  g_autofree char *weights = g_build_filename (dir, "w.safetensors", NULL);
  g_autofree char *three = g_build_filename (dir, "three.csv", NULL);
  g_autofree char *want = NULL;
  Result t, f;

  t = run_recur ("train", csv, "--model", "gru", "--window", "2", "--epochs", "1", "--theta",
                 "average", "--weights-out", weights, "--quiet", NULL);
  g_assert_cmpint (t.status, ==, 0);
  result_clear (&t);
  g_assert_true (g_file_set_contents (three, "date,passengers_thousands\n1961-01-01,400\n"
                                      "1961-02-01,410\n1961-03-01,420\n", -1, NULL));
  f = run_recur ("forecast", "--weights", weights, three, NULL);
  g_assert_cmpint (f.status, ==, 1);
  g_assert_cmpstr (f.out, ==, "");
  want = g_strdup_printf ("recur: %s: column “passengers_thousands”: the Theta method needs at "
                          "least 4 points to forecast from; 3 given\n", three);
  g_assert_cmpstr (f.err, ==, want);
  result_clear (&f);
}

/* With the target transforms, `recur forecast` from the weights file gives exactly the future
 * forecast `recur train` wrote (the fitted transform travels in the file): the same text in the
 * CSV files and the same doubles in the JSON. A transform beyond the scaler stores the scaler
 * under keys an older Recur does not read, so that it refuses the file; a plain scaler keeps
 * the old keys. */
static void
test_forecast_with_transforms_matches_train (void)
{
  static const struct { const char *model; const char *const options[6]; } cases[] = {
    { "lstm", { "--box-cox", "auto", "--difference", "--window-norm", "last", NULL } },
    { "esn", { "--box-cox", "auto", "--difference", "--window-norm", "last", NULL } },
    { "jordan", { "--box-cox", "auto", "--difference", "--window-norm", "last", NULL } },
    { "lstm", { "--seasonal-difference", "--window-norm", "none", NULL } },
    { "esn", { "--seasonal-difference", "--window-norm", "none", NULL } },
    { "lstm", { "--deseasonalise", "--window-norm", "mean", NULL } },
    { "esn", { "--deseasonalise", "--window-norm", "mean", NULL } },
    { "lstm", { "--box-cox", "given", "--lambda", "0", NULL } },
    { "esn", { "--box-cox", "given", "--lambda", "0", NULL } },
    /* averaged with the Theta method's forecast, refitted on the file's history: seasonal
     * (the season travels in the file), and without a season */
    { "esn", { "--theta", "average", NULL } },
    { "lstm", { "--theta", "average", "--season", "1", NULL } },
    { "lstm", { "--theta", "average", "--difference", NULL } },
    /* the control: a scaler alone */
    { "lstm", { "--window-norm", "none", NULL } },
  };
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *dir = temp_dir ();  /* removed when the test ends */
  g_autofree char *weights = g_build_filename (dir, "w.safetensors", NULL);
  g_autofree char *trained_csv = g_build_filename (dir, "trained.csv", NULL);
  g_autofree char *forecast_csv = g_build_filename (dir, "forecast.csv", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean plain = i == G_N_ELEMENTS (cases) - 1;
      g_autofree char *options = g_strjoinv (" ", (char **) cases[i].options);
      g_autoptr(GPtrArray) args = g_ptr_array_new ();
      g_autoptr(JsonParser) trained = json_parser_new ();
      g_autoptr(JsonParser) header = json_parser_new ();
      g_autofree char *want_text = NULL;
      g_autofree char *got_text = NULL;
      g_auto(GStrv) want_rows = NULL;
      g_auto(GStrv) got_rows = NULL;
      g_autoptr(GError) error = NULL;
      JsonArray *want;
      JsonObject *metadata;
      Result t, f;
      guint n_future = 0;

      g_test_message ("--model %s %s", cases[i].model, options);
      g_remove (weights);
      g_remove (trained_csv);
      g_remove (forecast_csv);
      for (const char *const *a = (const char *const[]) { "train", csv, "--model",
                                                          cases[i].model, NULL }; *a; a++)
        g_ptr_array_add (args, (char *) *a);
      if (g_strcmp0 (cases[i].model, "esn") != 0)
        {
          g_ptr_array_add (args, "--epochs");
          g_ptr_array_add (args, "3");
        }
      for (const char *const *o = cases[i].options; *o; o++)
        g_ptr_array_add (args, (char *) *o);
      for (const char *const *a = (const char *const[]) { "--weights-out", weights,
                                                          "--forecast-out", trained_csv,
                                                          "--json", "--quiet", NULL }; *a; a++)
        g_ptr_array_add (args, (char *) *a);
      g_ptr_array_add (args, NULL);
      t = cli_run (NULL, (const char *const *) args->pdata);
      g_assert_cmpstr (t.err, ==, "");
      g_assert_cmpint (t.status, ==, 0);
      want = json_object_get_array_member (parse_object (trained, t.out), "forecast");
      g_assert_cmpuint (json_array_get_length (want), ==, 12);

      /* the CSV files: every `future` row of training's, in order, is forecast's */
      f = run_recur ("forecast", "--weights", weights, csv, "--forecast-out", forecast_csv, NULL);
      g_assert_cmpint (f.status, ==, 0);
      result_clear (&f);
      g_assert_true (g_file_get_contents (trained_csv, &want_text, NULL, NULL));
      g_assert_true (g_file_get_contents (forecast_csv, &got_text, NULL, NULL));
      want_rows = g_strsplit (want_text, "\n", -1);
      got_rows = g_strsplit (got_text, "\n", -1);
      g_assert_cmpstr (got_rows[0], ==, "timestamp,passengers_thousands");
      for (guint r = 1; want_rows[r] && *want_rows[r]; r++)
        if (g_str_has_suffix (want_rows[r], ",future"))
          {
            g_autofree char *row = g_strndup (want_rows[r],
                                              strlen (want_rows[r]) - strlen (",future"));

            g_assert_cmpuint (n_future + 1, <, g_strv_length (got_rows));
            g_assert_cmpstr (got_rows[1 + n_future], ==, row);
            n_future++;
          }
      g_assert_cmpuint (n_future, ==, 12);
      g_assert_cmpstr (got_rows[1 + n_future], ==, "");

      /* the JSON: the same doubles, to the bit */
      assert_forecast_is (weights, csv, want, 12, 0);

      /* an older Recur looks for recur.scaler_center: absent when it would misread the file */
      metadata = weights_metadata (header, weights);
      g_assert_cmpint (json_object_has_member (metadata, "recur.scaler_center"), ==, plain);
      g_assert_cmpint (json_object_has_member (metadata, "recur.scaler_scale"), ==, plain);
      g_assert_cmpint (json_object_has_member (metadata, "recur.transformed_center"), ==, !plain);
      g_assert_cmpint (json_object_has_member (metadata, "recur.transformed_scale"), ==, !plain);
      if (strstr (options, "--theta"))
        {
          g_assert_cmpstr (json_object_get_string_member (metadata, "recur.theta"), ==, "average");
          g_assert_cmpstr (json_object_get_string_member_with_default (metadata, "recur.season",
                                                                       "none"),
                           ==, strstr (options, "--season 1") ? "none" : "12");
        }
      else
        g_assert_false (json_object_has_member (metadata, "recur.theta"));
      result_clear (&t);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_nonnull (g_getenv ("RECUR_BIN"));
  g_test_add_func ("/cli/train/json-beats-naive", test_train_json_beats_naive);
  g_test_add_func ("/cli/train/seed-past-63-bits", test_train_seed_past_63_bits);
  g_test_add_func ("/cli/train/same-bits-with-either-gemm-kernel",
                   test_train_same_bits_with_either_kernel);
  g_test_add_func ("/cli/train/jordan-esn-clockwork-beat-naive", test_family_beats_naive);
  g_test_add_func ("/cli/forecast/matches-train", test_forecast_from_weights);
  g_test_add_func ("/cli/forecast/with-inputs", test_forecast_with_inputs);
  g_test_add_func ("/cli/forecast/jordan-esn-clockwork-match-train",
                   test_family_forecast_from_weights);
  g_test_add_func ("/cli/info/json", test_info_json);
  g_test_add_func ("/cli/errors/bad-input-names-the-place", test_bad_input_names_the_place);
  g_test_add_func ("/cli/errors/forecast-outside-box-cox", test_forecast_outside_box_cox_is_an_error);
  g_test_add_func ("/cli/train/interrupt-ensemble", test_interrupt_ensemble);
  g_test_add_func ("/cli/train/ensemble-progress", test_ensemble_progress);
  g_test_add_func ("/cli/train/ensemble-of-a-constant-series", test_ensemble_of_a_constant_series);
  g_test_add_func ("/cli/forecast/places-the-season", test_forecast_places_the_season);
  g_test_add_func ("/cli/train/interrupt-auto-keeps-the-best-so-far",
                   test_interrupt_auto_keeps_the_best_so_far);
  g_test_add_func ("/cli/errors/usage", test_usage_errors);
  g_test_add_func ("/cli/errors/weights-file", test_weights_file_errors);
  g_test_add_func ("/cli/i18n/help-in-chinese", test_help_in_chinese);
  g_test_add_func ("/cli/usage/top-level", test_top_level);
  g_test_add_func ("/cli/errors/usage-every-option", test_usage_every_option);
  g_test_add_func ("/cli/train/report", test_train_report);
  g_test_add_func ("/cli/train/season-from-the-values", test_train_season_from_the_values);
  g_test_add_func ("/cli/train/undefined-metric", test_undefined_metric);
  g_test_add_func ("/cli/train/missing-policies", test_missing_policies);
  g_test_add_func ("/cli/train/missing-test-values", test_missing_test_values);
  g_test_add_func ("/cli/info/shared-column-names", test_shared_column_names);
  g_test_add_func ("/cli/train/outputs-checked-before-training",
                   test_outputs_checked_before_training);
  g_test_add_func ("/cli/train/progress-bar-on-a-terminal", test_progress_bar_on_a_terminal);
  g_test_add_func ("/cli/train/interrupt-keeps-the-best-weights",
                   test_interrupt_keeps_the_best_weights);
  g_test_add_func ("/cli/forecast/needs-the-longest-window",
                   test_forecast_needs_the_longest_window);
  g_test_add_func ("/cli/forecast/outputs-and-errors", test_forecast_outputs_and_errors);
  g_test_add_func ("/cli/info/text", test_info_text);
  g_test_add_func ("/cli/train/diverging-run-writes-nothing", test_diverging_run_writes_nothing);
  g_test_add_func ("/cli/forecast/theta-needs-points", test_forecast_theta_needs_points);
  g_test_add_func ("/cli/forecast/transforms-match-train",
                   test_forecast_with_transforms_matches_train);
  g_test_add_func ("/cli/train/threads-give-identical-numbers",
                   test_threads_give_identical_numbers);
  g_test_add_func ("/cli/train/threads-never-change-the-numbers",
                   test_threads_never_change_the_numbers);
  return g_test_run ();
}
