/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The recur command end to end: it is run as a user would, and its output, files and exit
 * status are checked. RECUR_BIN names the built binary, RECUR_LOCALEDIR its translations. */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#include <string.h>

typedef struct
{
  int status;
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_free (r->out);
  g_free (r->err);
}

/* Runs recur with the given arguments (NULL-terminated) and extra environment. */
static Result
run_recur_env (const char *const *env,
               const char        *first,
               ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Result r = { 0 };
  va_list ap;

  g_ptr_array_add (argv, (char *) g_getenv ("RECUR_BIN"));
  va_start (ap, first);
  for (const char *a = first; a; a = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) a);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  for (guint i = 0; env && env[i]; i += 2)
    g_subprocess_launcher_setenv (launcher, env[i], env[i + 1], TRUE);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.status = g_subprocess_get_exit_status (proc);
  return r;
}

#define run_recur(...) run_recur_env (NULL, __VA_ARGS__)

static char *
data_file (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", name, NULL);
}

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
  g_autofree char *dir = g_dir_make_tmp ("recur-cli-XXXXXX", NULL);
  g_autofree char *forecast = g_build_filename (dir, "forecast.csv", NULL);
  g_autofree char *weights = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  Result r = run_recur ("train", csv, "--json", "--seed", "3", "--epochs", "120",
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

/* The rest of the recurrent family, each with its defaults, beats the naive forecast on the
 * Nottingham series; the ESN fits in one shot and says which of its parameters it trained. */
static void
test_family_beats_naive (void)
{
  g_autofree char *csv = data_file ("nottingham_temperature.csv");
  static const char *const models[] = { "jordan", "esn", "clockwork" };

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

/* An ESN and a clockwork RNN forecast from their weights file as `recur train` did. */
static void
test_family_forecast_from_weights (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *dir = g_dir_make_tmp ("recur-cli-XXXXXX", NULL);
  static const char *const args[][6] = {
    { "esn", "--reservoir", "40", "--washout", "10", NULL },
    { "clockwork", "--periods", "1,3,6,12", "--epochs", "5", NULL },
    { "jordan", "--jordan-feedback", "free", "--epochs", "5", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (args); i++)
    {
      g_autofree char *weights = g_build_filename (dir, "m.safetensors", NULL);
      g_autoptr(JsonParser) trained = json_parser_new ();
      g_autoptr(JsonParser) forecast = json_parser_new ();
      g_autoptr(GError) error = NULL;
      Result t = run_recur ("train", csv, "--model", args[i][0], args[i][1], args[i][2],
                            args[i][3], args[i][4], "--json", "--weights-out", weights, NULL);
      Result f = { 0 };
      JsonArray *want, *got;

      g_assert_cmpint (t.status, ==, 0);
      want = json_object_get_array_member (parse_object (trained, t.out), "forecast");
      f = run_recur ("forecast", "--weights", weights, csv, "--json", NULL);
      g_assert_cmpint (f.status, ==, 0);
      json_parser_load_from_data (forecast, f.out, -1, &error);
      g_assert_no_error (error);
      got = json_node_get_array (json_parser_get_root (forecast));
      g_assert_cmpuint (json_array_get_length (got), ==, 12);
      for (guint h = 0; h < 12; h++)
        g_assert_cmpfloat_with_epsilon (
          json_object_get_double_member (json_array_get_object_element (got, h), "value"),
          json_array_get_double_element (want, h), 1e-9);
      result_clear (&t);
      result_clear (&f);
    }
}

/* `recur forecast` from the weights file gives the forecast `recur train` reported. */
static void
test_forecast_from_weights (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  g_autofree char *dir = g_dir_make_tmp ("recur-cli-XXXXXX", NULL);
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
  g_assert_cmpstr (json_object_get_string_member (root, "first"), ==, "1985-01-02");
  g_assert_cmpstr (json_object_get_string_member (root, "last"), ==, "1989-03-31");
  col = json_array_get_object_element (json_object_get_array_member (root, "columns"), 1);
  g_assert_cmpstr (json_object_get_string_member (col, "name"), ==, "price_usd");
  g_assert_cmpstr (json_object_get_string_member (col, "type"), ==, "numeric");
  g_assert_cmpint (json_object_get_int_member (col, "missing"), ==, 34);
  result_clear (&r);
}

/* Bad input: exit status 1 and a message naming file, line and column; nothing written. */
static void
test_bad_input_names_the_place (void)
{
  g_autofree char *dir = g_dir_make_tmp ("recur-cli-XXXXXX", NULL);
  g_autofree char *csv = g_build_filename (dir, "bad.csv", NULL);
  g_autofree char *out = g_build_filename (dir, "out.csv", NULL);
  GString *text = g_string_new ("date,value\n");
  Result r;

  for (int i = 0; i < 60; i++)
    g_string_append_printf (text, "2020-%02d-01,%d\n", 1 + i % 12, i); /* dates repeat: bad order */
  g_assert_true (g_file_set_contents (csv, text->str, -1, NULL));
  r = run_recur ("train", csv, "--forecast-out", out, NULL);
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
  r = run_recur ("train", csv, "--reservoir", "50", NULL);
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
  g_autofree char *dir = g_dir_make_tmp ("recur-cli-XXXXXX", NULL);
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_nonnull (g_getenv ("RECUR_BIN"));
  g_test_add_func ("/cli/train/json-beats-naive", test_train_json_beats_naive);
  g_test_add_func ("/cli/train/jordan-esn-clockwork-beat-naive", test_family_beats_naive);
  g_test_add_func ("/cli/forecast/matches-train", test_forecast_from_weights);
  g_test_add_func ("/cli/forecast/jordan-esn-clockwork-match-train",
                   test_family_forecast_from_weights);
  g_test_add_func ("/cli/info/json", test_info_json);
  g_test_add_func ("/cli/errors/bad-input-names-the-place", test_bad_input_names_the_place);
  g_test_add_func ("/cli/errors/usage", test_usage_errors);
  g_test_add_func ("/cli/errors/weights-file", test_weights_file_errors);
  g_test_add_func ("/cli/i18n/help-in-chinese", test_help_in_chinese);
  return g_test_run ();
}
