/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `recur bench` run as a user runs it, made small with --only, --windows and --epochs: the
 * shapes named as asked, every field of --json, throughputs positive and finite and consistent
 * with one another (never a speed), the table, and the command-line errors. */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cli-common.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN TRUE
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN TRUE
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN FALSE
#endif

/* Runs recur with args, its address space limited to `limit` bytes (0: no limit). */
static Result
run_limited (guint64            limit,
             const char *const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = cli_launcher_new ();
  Result r;

  if (limit > 0)
    g_subprocess_launcher_set_child_setup (launcher, cli_limit_address_space,
                                           GSIZE_TO_POINTER ((gsize) limit), NULL);
  r = cli_run (launcher, args);
  g_assert_false (r.signalled);
  return r;
}

/* One thread, few windows: seconds, not minutes, even under -O0 or the sanitizers. */
#define SMALL "--threads", "1", "--epochs", "2", "--windows", "96"

static JsonArray *
parse_array (JsonParser *parser,
             const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_node_get_array (json_parser_get_root (parser));
}

static double
positive (JsonObject *row,
          const char *key)
{
  double v = json_object_get_double_member (row, key);

  g_assert_true (isfinite (v));
  g_assert_cmpfloat (v, >, 0.0);
  return v;
}

static void
assert_close (double got,
              double want)
{
  g_assert_cmpfloat (fabs (got - want), <=, 1e-9 * fabs (want));
}

/* Matmul FLOPs of one window's forward pass of a one-layer shape with window 32 and 32 hidden
 * units reading one input: T · 2 · (G·H) · (I + H). */
static double
small_forward_flops (int gates)
{
  return 32 * 2.0 * gates * 32 * (1 + 32);
}

/* Every field of a small shape's row, and how they follow from one another. */
static void
check_row (JsonObject *row,
           const char *name,
           const char *cell,
           int         gates,
           gint64      windows,
           gint64      epochs)
{
  static const char *const fields[] = {
    "config", "cell", "hidden", "layers", "window", "batch", "windows", "epochs", "threads",
    "blas_threads", "seconds_per_epoch", "train_windows_per_second", "train_gflops",
    "sgemm_gflops", "gemm_efficiency", "own_gemm_gflops", "own_gemm_efficiency",
    "forecast_windows_per_second", "final_loss", "gates_kept", "peak_memory_mb", NULL,
  };
  double seconds, wps, gflops, sgemm, own, loss;

  for (guint i = 0; fields[i]; i++)
    g_assert_true (json_object_has_member (row, fields[i]));
  g_assert_cmpuint (json_object_get_size (row), ==, g_strv_length ((char **) fields));
  g_assert_cmpstr (json_object_get_string_member (row, "config"), ==, name);
  g_assert_cmpstr (json_object_get_string_member (row, "cell"), ==, cell);
  g_assert_cmpint (json_object_get_int_member (row, "hidden"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (row, "layers"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (row, "window"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (row, "batch"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (row, "windows"), ==, windows);
  g_assert_cmpint (json_object_get_int_member (row, "epochs"), ==, epochs);
  g_assert_cmpint (json_object_get_int_member (row, "threads"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (row, "blas_threads"), ==, 1);

  seconds = positive (row, "seconds_per_epoch");
  wps = positive (row, "train_windows_per_second");
  gflops = positive (row, "train_gflops");
  sgemm = positive (row, "sgemm_gflops");
  positive (row, "forecast_windows_per_second");
  positive (row, "peak_memory_mb");
  /* a small shape's gates fit the memory budget many times over */
  g_assert_true (json_object_get_boolean_member (row, "gates_kept"));
  /* the windows of an epoch over its time; training is 3 forward passes' matmuls */
  assert_close (wps * seconds, (double) windows);
  assert_close (gflops, 3.0 * small_forward_flops (gates) * wps / 1e9);
  assert_close (json_object_get_double_member (row, "gemm_efficiency"), gflops / sgemm);
  /* Recur's own GEMM: 0 on a CPU without AVX-512, and then no share of it either */
  own = json_object_get_double_member (row, "own_gemm_gflops");
  g_assert_cmpfloat (own, >=, 0.0);
  if (own > 0)
    assert_close (json_object_get_double_member (row, "own_gemm_efficiency"), gflops / own);
  else
    g_assert_cmpfloat (json_object_get_double_member (row, "own_gemm_efficiency"), ==, 0.0);
  /* a z-scored sine with noise: the MSE is finite and well below the variance's 1 once trained,
   * but never 0 */
  loss = json_object_get_double_member (row, "final_loss");
  g_assert_true (isfinite (loss));
  g_assert_cmpfloat (loss, >, 0.0);
}

static void
test_json_fields (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur ("bench", "--only", "small-gru,small-rnn", SMALL, "--json");
  JsonArray *rows;

  g_assert_cmpint (r.status, ==, 0);
  g_assert_cmpstr (r.err, ==, "");
  rows = parse_array (parser, r.out);
  /* the shapes asked for, in the order asked */
  g_assert_cmpuint (json_array_get_length (rows), ==, 2);
  check_row (json_array_get_object_element (rows, 0), "small-gru", "gru", 3, 96, 2);
  check_row (json_array_get_object_element (rows, 1), "small-rnn", "rnn_tanh", 1, 96, 2);
  result_clear (&r);
}

/* --windows caps a shape's windows (4,064 for the small ones); --quick times one epoch. */
static void
test_windows_and_quick (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur ("bench", "--only", "small-lstm", "--threads", "1", "--windows", "5000",
                        "--quick", "--json");
  JsonArray *rows;

  g_assert_cmpint (r.status, ==, 0);
  rows = parse_array (parser, r.out);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  check_row (json_array_get_object_element (rows, 0), "small-lstm", "lstm", 4, 4064, 1);
  result_clear (&r);
}

/* The same shape, windows, epochs and threads train to the same loss: the series, the weights
 * and the shuffling are seeded. */
static void
test_loss_repeats (void)
{
  g_autoptr(JsonParser) p1 = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  Result a = run_recur ("bench", "--only", "small-rnn", SMALL, "--json");
  Result b = run_recur ("bench", "--only", "small-rnn", SMALL, "--json");
  JsonObject *x, *y;

  g_assert_cmpint (a.status, ==, 0);
  g_assert_cmpint (b.status, ==, 0);
  x = json_array_get_object_element (parse_array (p1, a.out), 0);
  y = json_array_get_object_element (parse_array (p2, b.out), 0);
  g_assert_cmpfloat (json_object_get_double_member (x, "final_loss"), ==,
                     json_object_get_double_member (y, "final_loss"));
  result_clear (&a);
  result_clear (&b);
}

/* Without --json: the machine, then a header and a row per shape. */
static void
test_table (void)
{
  Result r = run_recur ("bench", "--only", "small-rnn,small-lstm", SMALL);
  g_auto(GStrv) lines = NULL;
  guint header = 0;

  g_assert_cmpint (r.status, ==, 0);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "OpenBLAS core: "));
  g_assert_true (g_str_has_prefix (lines[1], "OpenBLAS sgemm 1024³: "));
  g_assert_true (g_str_has_prefix (lines[2], "Recur’s own"));
  g_assert_true (g_str_has_prefix (lines[3], "Cells’ steps: "));
  for (header = 4; lines[header] && !g_str_has_prefix (lines[header], "config"); header++)
    ;
  g_assert_nonnull (lines[header]);
  g_assert_nonnull (strstr (lines[header], "train win/s"));
  g_assert_nonnull (strstr (lines[header], "peak MB"));
  for (guint k = 0; k < 2; k++)
    {
      g_auto(GStrv) cells = g_strsplit_set (lines[header + 1 + k], " ", -1);
      g_autoptr(GPtrArray) words = g_ptr_array_new ();

      for (guint i = 0; cells[i]; i++)
        if (*cells[i])
          g_ptr_array_add (words, cells[i]);
      /* config, threads, BLAS, train win/s, GFLOP/s, % of sgemm, % of own, forecast w/s,
       * peak MB, loss */
      g_assert_cmpuint (words->len, ==, 10);
      g_assert_cmpstr (g_ptr_array_index (words, 0), ==, k ? "small-lstm" : "small-rnn");
      g_assert_cmpstr (g_ptr_array_index (words, 1), ==, "1");
      g_assert_cmpstr (g_ptr_array_index (words, 2), ==, "1");
      g_assert_cmpfloat (g_ascii_strtod (g_ptr_array_index (words, 3), NULL), >, 0.0);
      g_assert_cmpfloat (g_ascii_strtod (g_ptr_array_index (words, 7), NULL), >, 0.0);
    }
  g_assert_cmpstr (lines[header + 3], ==, "");
  g_assert_null (lines[header + 4]);
  result_clear (&r);
}

/* A row timed on one thread and on several: both times and the peak memory positive, their
 * ratio the speed-up, and the same result on both. */
static void
assert_timed_row (JsonObject *row)
{
  positive (row, "seconds");
  positive (row, "seconds_one_thread");
  positive (row, "peak_memory_mb");
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (row, "speedup"),
                                  json_object_get_double_member (row, "seconds_one_thread")
                                    / json_object_get_double_member (row, "seconds"), 1e-9);
  g_assert_true (json_object_get_boolean_member (row, "same_result"));
}

/* auto-2000, the default of `recur train` (here on 200 points): timed on one thread and on two,
 * the same choice and forecast on both; the table's line says so. */
static void
test_auto (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur ("bench", "--only", "auto-2000", "--windows", "200", "--threads", "2",
                        "--json");
  Result t;
  JsonArray *rows;
  JsonObject *row;

  g_assert_cmpint (r.status, ==, 0);
  rows = parse_array (parser, r.out);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  row = json_array_get_object_element (rows, 0);
  g_assert_cmpstr (json_object_get_string_member (row, "config"), ==, "auto-2000");
  g_assert_cmpint (json_object_get_int_member (row, "points"), ==, 200);
  g_assert_cmpint (json_object_get_int_member (row, "horizon"), ==, 30);
  g_assert_cmpint (json_object_get_int_member (row, "threads"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (row, "candidates"), >=, 3);
  g_assert_cmpstr (json_object_get_string_member (row, "chosen"), !=, "");
  assert_timed_row (row);
  result_clear (&r);

  t = run_recur ("bench", "--only", "auto-2000", "--windows", "200", "--threads", "2");
  g_assert_cmpint (t.status, ==, 0);
  g_assert_nonnull (strstr (t.out, "auto-2000: the default of “recur train” (Auto) on 200 daily "
                                   "points, horizon 30: "));
  g_assert_nonnull (strstr (t.out, " on 2 threads, "));
  g_assert_nonnull (strstr (t.out, "the same choice and forecast, bit for bit"));
  result_clear (&t);
}

/* A row of many runs at once (here on 100 points, 2 epochs a run or member, two threads): its
 * JSON, how many runs (count_key), timed alone and at once with the same result; and the
 * table's lines. */
static void
assert_many_runs_row (const char *name,
                      const char *count_key,
                      gint64      count,
                      const char *title,
                      const char *timing,
                      const char *same)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur ("bench", "--only", name, "--windows", "100", "--epochs", "2",
                        "--threads", "2", "--json");
  Result t;
  JsonArray *rows;
  JsonObject *row;

  g_assert_cmpint (r.status, ==, 0);
  rows = parse_array (parser, r.out);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  row = json_array_get_object_element (rows, 0);
  g_assert_cmpstr (json_object_get_string_member (row, "config"), ==, name);
  g_assert_cmpint (json_object_get_int_member (row, "points"), ==, 100);
  g_assert_cmpint (json_object_get_int_member (row, count_key), ==, count);
  g_assert_cmpint (json_object_get_int_member (row, "epochs"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (row, "threads"), ==, 2);
  assert_timed_row (row);
  result_clear (&r);

  t = run_recur ("bench", "--only", name, "--windows", "100", "--epochs", "2", "--threads", "2");
  g_assert_cmpint (t.status, ==, 0);
  g_assert_nonnull (strstr (t.out, title));
  g_assert_nonnull (strstr (t.out, timing));
  g_assert_nonnull (strstr (t.out, same));
  result_clear (&t);
}

/* ensemble-8, many runs at once: an ensemble timed on a budget of one core and of two, the
 * same members and forecast on both. */
static void
test_ensemble (void)
{
  assert_many_runs_row ("ensemble-8", "members", 8,
                        "ensemble-8: an ensemble of 8 small LSTMs on 100 daily points, "
                        "2 epochs each",
                        " on 2 cores, ", "the same members and forecast, bit for bit");
}

/* sweep-16, many runs as a sweep trains them: one after another and two at once, the same runs
 * on both. */
static void
test_sweep (void)
{
  assert_many_runs_row ("sweep-16", "runs", 16,
                        "sweep-16: a sweep of 16 small LSTM runs on 100 daily points, 2 epochs "
                        "each", " 2 at once, ", "the same runs, bit for bit");
}

/* latency, the serving case (--quick: a tenth of the calls): a time per call, the median no
 * faster than the best; the line says what was timed. */
static void
test_latency (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  Result r = run_recur ("bench", "--only", "latency", "--quick", "--json");
  Result t;
  JsonArray *rows;
  JsonObject *row;

  g_assert_cmpint (r.status, ==, 0);
  rows = parse_array (parser, r.out);
  g_assert_cmpuint (json_array_get_length (rows), ==, 1);
  row = json_array_get_object_element (rows, 0);
  g_assert_cmpstr (json_object_get_string_member (row, "config"), ==, "latency");
  g_assert_cmpint (json_object_get_int_member (row, "hidden"), ==, 32);
  g_assert_cmpint (json_object_get_int_member (row, "window"), ==, 24);
  g_assert_cmpint (json_object_get_int_member (row, "horizon"), ==, 12);
  g_assert_cmpint (json_object_get_int_member (row, "calls"), ==, 2000);
  positive (row, "microseconds_best");
  positive (row, "peak_memory_mb");
  g_assert_cmpfloat (json_object_get_double_member (row, "microseconds"), >=,
                     json_object_get_double_member (row, "microseconds_best"));
  result_clear (&r);

  t = run_recur ("bench", "--only", "latency", "--quick");
  g_assert_cmpint (t.status, ==, 0);
  g_assert_nonnull (strstr (t.out, "latency: one window’s forecast (12 steps) by a small LSTM "
                                   "(32 units, window 24), as recur forecast makes it: "));
  g_assert_nonnull (strstr (t.out, "median of 5 × 2000 calls"));
  result_clear (&t);
}

static void
test_usage_errors (void)
{
  static const char *const cases[][4] = {
    { "--only", "small-rnn,tiny-lstm",
      "--only: unknown shape “tiny-lstm” (choose small-rnn, small-lstm, small-gru, medium-lstm, "
      "medium-gru, large-lstm, auto-2000, ensemble-8, sweep-16, latency)", NULL },
    { "--only", "small-rnn,", "--only: unknown shape “”", NULL },
    { "--epochs", "0", "--epochs must be at least 1, not 0", NULL },
    { "--windows", "-5", "--windows must be at least 1, not -5", NULL },
    { "--threads", "0", "--threads must be at least 1, not 0", NULL },
    { "--blas-threads", "-1", "--blas-threads must be at least 1, not -1", NULL },
    { "--epochs", "many", "many", NULL },
    { "--fast", "small-rnn", "--fast", NULL },
    { "small-rnn", "unexpected argument “small-rnn”", NULL, NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gboolean one = cases[i][2] == NULL;
      Result r = one ? run_recur ("bench", cases[i][0]) : run_recur ("bench", cases[i][0], cases[i][1]);
      const char *message = one ? cases[i][1] : cases[i][2];

      g_test_message ("%s", r.err);
      g_assert_cmpint (r.status, ==, 2);
      g_assert_true (g_str_has_prefix (r.err, "recur: "));
      g_assert_nonnull (strstr (r.err, message));
      g_assert_nonnull (strstr (r.err, "Run “recur bench --help” for the options."));
      g_assert_cmpstr (r.out, ==, "");
      result_clear (&r);
    }
}

/* The smallest address space (to 8 MiB) in which `recur info` reads a small file: what the
 * program itself takes on this machine (tests/cli/test-memory.c finds it the same way). */
static guint64
baseline_limit (void)
{
  g_autofree char *csv = g_test_build_filename (G_TEST_DIST, "..", "data",
                                                "nottingham_temperature.csv", NULL);
  const char *const args[] = { "info", csv, NULL };
  guint64 lo = 16 * MIB, hi = 4096 * MIB;
  Result r = run_limited (hi, args);

  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  while (hi - lo > 8 * MIB)
    {
      guint64 mid = lo + (hi - lo) / 2;
      r = run_limited (mid, args);
      if (r.status == 0)
        hi = mid;
      else
        lo = mid;
      result_clear (&r);
    }
  return hi;
}

/* A shape that does not fit (the large LSTM's training buffers, about 100 MB, in 32 MiB more
 * than the program itself takes): its process says why, and the command names the shape and
 * fails, printing no table. */
static void
test_shape_that_does_not_fit (void)
{
  guint64 limit;
  Result r;

  if (UNDER_ASAN)
    {
      g_test_skip ("under AddressSanitizer, whose shadow memory needs an unlimited address space");
      return;
    }
  limit = baseline_limit () + 32 * MIB;
  g_test_message ("address space limited to %" G_GUINT64_FORMAT " MiB", limit / MIB);
  r = run_limited (limit, (const char *const[]) { "bench", "--only", "small-rnn,large-lstm",
                                                  SMALL, "--json", NULL });
  g_test_message ("%s", r.err);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "recur: Not enough memory for "));
  g_assert_nonnull (strstr (r.err, "recur: the large-lstm benchmark failed\n"));
  g_assert_cmpstr (r.out, ==, "");
  result_clear (&r);
}

/* --help documents what a user can choose; the child processes' option stays out of it. */
static void
test_help (void)
{
  Result r = run_recur ("bench", "--help");

  g_assert_cmpint (r.status, ==, 0);
  g_assert_nonnull (strstr (r.out, "recur bench"));
  for (const char *const *o = (const char *const[]) { "--only=NAME,…", "--windows=N", "--epochs=N",
                                                      "--quick", "--threads=N", "--blas-threads=N",
                                                      "--json", NULL };
       *o; o++)
    g_assert_nonnull (strstr (r.out, *o));
  g_assert_null (strstr (r.out, "--child"));
  result_clear (&r);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_assert_nonnull (g_getenv ("RECUR_BIN"));
  g_test_add_func ("/cli/bench/json-fields", test_json_fields);
  g_test_add_func ("/cli/bench/windows-capped-and-quick", test_windows_and_quick);
  g_test_add_func ("/cli/bench/loss-repeats", test_loss_repeats);
  g_test_add_func ("/cli/bench/table", test_table);
  g_test_add_func ("/cli/bench/auto", test_auto);
  g_test_add_func ("/cli/bench/ensemble", test_ensemble);
  g_test_add_func ("/cli/bench/sweep", test_sweep);
  g_test_add_func ("/cli/bench/latency", test_latency);
  g_test_add_func ("/cli/bench/usage-errors", test_usage_errors);
  g_test_add_func ("/cli/bench/help", test_help);
  g_test_add_func ("/cli/bench/shape-that-does-not-fit", test_shape_that_does_not_fit);
  return g_test_run ();
}
