/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-app"
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <sys/resource.h>

#include "recur-bench.h"
#include "recur-gemm.h"
#include "recur-blas.h"
#include "recur-kernels.h"
#include "recur-bench-command.h"
#include "recur-command.h"
#include "recur-jsonutil.h"

/* `recur bench`: each configuration runs in a child process (`recur bench --child NAME`), so
 * that the peak memory it reports is that configuration's alone. */

/* Counts not given are G_MININT: the defaults stand. */
typedef struct
{
  gboolean json;
  gboolean quick;
  char *only;
  char *child;
  int threads;
  int blas_threads;
  int epochs;
  int windows;
} BenchOptions;

static double
peak_rss_mb (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0; /* kilobytes on Linux */
}

/* One member of the JSON object `b` being built */
#define STR(k, v) (json_builder_set_member_name (b, k), json_builder_add_string_value (b, v))
#define NUM(k, v) (json_builder_set_member_name (b, k), json_builder_add_double_value (b, v))
#define INT(k, v) (json_builder_set_member_name (b, k), json_builder_add_int_value (b, v))
#define BOOL(k, v) (json_builder_set_member_name (b, k), json_builder_add_boolean_value (b, v))

/* --threads, or one per core */
static guint
threads_of (const BenchOptions *o)
{
  return o->threads != G_MININT ? (guint) o->threads : g_get_num_processors ();
}

/* sgemm: OpenBLAS's GFLOP/s on as many cores as the run used; own: Recur's kernel's, the
 * same (0 where the CPU has none) */
static JsonNode *
result_to_json (const RecurBenchConfig *c,
                const RecurBenchResult *r,
                double                  sgemm,
                double                  own,
                double                  peak_mb)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  STR ("config", c->name);
  STR ("cell", recur_cell_to_string (c->cell));
  INT ("hidden", c->hidden);
  INT ("layers", c->layers);
  INT ("window", c->window);
  INT ("batch", c->batch);
  INT ("windows", r->windows);
  INT ("epochs", r->epochs);
  INT ("threads", r->threads);
  INT ("blas_threads", r->blas_threads);
  NUM ("seconds_per_epoch", r->seconds_per_epoch);
  NUM ("train_windows_per_second", r->train_windows_per_second);
  NUM ("train_gflops", r->train_gflops);
  NUM ("sgemm_gflops", sgemm);
  NUM ("gemm_efficiency", r->train_gflops / sgemm);
  NUM ("own_gemm_gflops", own);
  NUM ("own_gemm_efficiency", own > 0 ? r->train_gflops / own : 0.0);
  NUM ("forecast_windows_per_second", r->forecast_windows_per_second);
  NUM ("final_loss", r->final_loss);
  BOOL ("gates_kept", r->gates_kept);
  NUM ("peak_memory_mb", peak_mb);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* The end of a row timed on one thread and on --threads (auto-2000, ensemble-8): both times,
 * their ratio, whether both gave the same result and the peak memory; then the object on
 * stdout. */
static int
print_timed_row (JsonBuilder *b,
                 double       seconds,
                 double       seconds_one_thread,
                 gboolean     same_result)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;

  NUM ("seconds", seconds);
  NUM ("seconds_one_thread", seconds_one_thread);
  NUM ("speedup", seconds_one_thread / seconds);
  BOOL ("same_result", same_result);
  NUM ("peak_memory_mb", peak_rss_mb ());
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  text = recur_json_to_data (node, FALSE, NULL);
  g_print ("%s\n", text);
  return 0;
}

/* A timed row's points: `most`, or --windows of them (at least 100) */
static guint
points_of (const BenchOptions *o,
           guint               most)
{
  return o->windows != G_MININT ? CLAMP ((guint) o->windows, 100, most) : most;
}

/* A timed row's epochs per run or member: --epochs, or `fallback` */
static guint
epochs_of (const BenchOptions *o,
           guint               fallback)
{
  return o->epochs != G_MININT ? (guint) o->epochs : fallback;
}

static int
child_failed (const GError *error)
{
  g_printerr ("recur: %s\n", error->message);
  return EXIT_FAILED;
}

/* The child for the default of `recur train`: Auto on RECUR_BENCH_AUTO_POINTS points (fewer
 * with --windows), timed on one thread and on --threads. */
static int
run_auto (const BenchOptions *o)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) error = NULL;
  guint points = points_of (o, RECUR_BENCH_AUTO_POINTS);
  RecurBenchAutoResult r;
  int status;

  recur_blas_configure (1);
  if (!recur_bench_auto (points, RECUR_BENCH_AUTO_HORIZON, threads_of (o), &r, &error))
    return child_failed (error);
  json_builder_begin_object (b);
  STR ("config", RECUR_BENCH_AUTO_NAME);
  INT ("points", r.points);
  INT ("horizon", r.horizon);
  INT ("threads", r.threads);
  INT ("candidates", r.candidates);
  STR ("chosen", r.chosen);
  status = print_timed_row (b, r.seconds, r.seconds_one_thread, r.same_result);
  recur_bench_auto_result_clear (&r);
  return status;
}

/* The child for many runs at once: an ensemble of RECUR_BENCH_ENSEMBLE_MEMBERS small LSTMs on
 * RECUR_BENCH_ENSEMBLE_POINTS points (fewer with --windows; --epochs each), timed on a budget of
 * one core and of --threads. */
static int
run_ensemble (const BenchOptions *o)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) error = NULL;
  guint points = points_of (o, RECUR_BENCH_ENSEMBLE_POINTS);
  guint epochs = epochs_of (o, RECUR_BENCH_ENSEMBLE_EPOCHS);
  RecurBenchEnsembleResult r;

  recur_blas_configure (1);
  if (!recur_bench_ensemble (points, RECUR_BENCH_ENSEMBLE_MEMBERS, epochs, threads_of (o), &r,
                             &error))
    return child_failed (error);
  json_builder_begin_object (b);
  STR ("config", RECUR_BENCH_ENSEMBLE_NAME);
  INT ("points", r.points);
  INT ("members", r.members);
  INT ("epochs", r.epochs);
  INT ("threads", r.threads);
  return print_timed_row (b, r.seconds, r.seconds_one_thread, r.same_result);
}

/* The child for many runs at once as a sweep trains them: RECUR_BENCH_SWEEP_RUNS small LSTM
 * runs on RECUR_BENCH_SWEEP_POINTS points (fewer with --windows; --epochs each), one after
 * another and --threads at once. */
static int
run_sweep (const BenchOptions *o)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(GError) error = NULL;
  guint points = points_of (o, RECUR_BENCH_SWEEP_POINTS);
  guint epochs = epochs_of (o, RECUR_BENCH_SWEEP_EPOCHS);
  RecurBenchSweepResult r;

  recur_blas_configure (1);
  if (!recur_bench_sweep (points, RECUR_BENCH_SWEEP_RUNS, epochs, threads_of (o), &r, &error))
    return child_failed (error);
  json_builder_begin_object (b);
  STR ("config", RECUR_BENCH_SWEEP_NAME);
  INT ("points", r.points);
  INT ("runs", r.runs);
  INT ("epochs", r.epochs);
  INT ("threads", r.threads);
  return print_timed_row (b, r.seconds, r.seconds_one_thread, r.same_result);
}

/* The child for the serving case: one window's forecast by a small LSTM, timed. */
static int
run_latency (const BenchOptions *o)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  RecurBenchLatencyResult r;

  recur_blas_configure (1);
  if (!recur_bench_latency (o->quick ? RECUR_BENCH_LATENCY_CALLS / 10
                                     : RECUR_BENCH_LATENCY_CALLS, &r, &error))
    return child_failed (error);
  json_builder_begin_object (b);
  STR ("config", RECUR_BENCH_LATENCY_NAME);
  STR ("cell", "lstm");
  INT ("hidden", r.hidden);
  INT ("window", r.window);
  INT ("horizon", r.horizon);
  INT ("calls", r.calls);
  NUM ("microseconds", r.microseconds);
  NUM ("microseconds_best", r.microseconds_best);
  NUM ("peak_memory_mb", peak_rss_mb ());
  json_builder_end_object (b);
  node = json_builder_get_root (b);
  text = recur_json_to_data (node, FALSE, NULL);
  g_print ("%s\n", text);
  return 0;
}

/* Under the table: the serving case. */
static void
print_latency (JsonObject *o)
{
  g_print ("\n");
  g_print (_("%s: one window’s forecast (%u steps) by a small LSTM (%u units, window %u), as "
             "recur forecast makes it: %.1f µs (best %.1f µs), median of 5 × %u calls\n"),
           json_object_get_string_member (o, "config"),
           (guint) json_object_get_int_member (o, "horizon"),
           (guint) json_object_get_int_member (o, "hidden"),
           (guint) json_object_get_int_member (o, "window"),
           json_object_get_double_member (o, "microseconds"),
           json_object_get_double_member (o, "microseconds_best"),
           (guint) json_object_get_int_member (o, "calls"));
}

/* The rows that are not a shape, run after the shapes: the default's and many runs at once
 * (timed on one thread and on --threads), the serving case; each with its child and the lines
 * it prints. */
typedef struct
{
  RecurBenchConfig row;
  int  (*child) (const BenchOptions *o);
  void (*print) (JsonObject *o);
} TimedRow;

static void print_auto (JsonObject *o);
static void print_ensemble (JsonObject *o);
static void print_sweep (JsonObject *o);

static const TimedRow timed_rows[] = {
  { { .name = RECUR_BENCH_AUTO_NAME }, run_auto, print_auto },
  { { .name = RECUR_BENCH_ENSEMBLE_NAME }, run_ensemble, print_ensemble },
  { { .name = RECUR_BENCH_SWEEP_NAME }, run_sweep, print_sweep },
  { { .name = RECUR_BENCH_LATENCY_NAME }, run_latency, print_latency },
};

/* The timed row c is, or NULL for a shape. */
static const TimedRow *
timed_row_of (const RecurBenchConfig *c)
{
  for (guint i = 0; i < G_N_ELEMENTS (timed_rows); i++)
    if (c == &timed_rows[i].row)
      return &timed_rows[i];
  return NULL;
}

/* The child: one configuration, one JSON object on stdout. */
static int
run_one (const BenchOptions *o)
{
  const RecurBenchConfig *c = recur_bench_find_config (o->child);
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  RecurBenchConfig shape;
  RecurBenchResult r;
  double sgemm, own, peak;
  guint threads, blas_threads;

  for (guint i = 0; i < G_N_ELEMENTS (timed_rows); i++)
    if (g_str_equal (o->child, timed_rows[i].row.name))
      return timed_rows[i].child (o);
  if (c == NULL)
    {
      g_printerr (_("recur: bench: unknown configuration “%s”\n"), o->child);
      return EXIT_USAGE;
    }
  shape = *c;
  if (o->windows != G_MININT)
    shape.windows = MIN (shape.windows, (guint) o->windows);
  threads = threads_of (o);
  blas_threads = o->blas_threads != G_MININT ? (guint) o->blas_threads : 1;
  recur_blas_configure (blas_threads);
  if (!recur_bench_run (&shape, epochs_of (o, o->quick ? 1 : 3), threads, &r, &error))
    return child_failed (error);
  /* the peak before the sgemm references, whose 1024² matrices are not the job's */
  peak = peak_rss_mb ();
  /* they get as many cores as training used in all */
  recur_blas_configure (threads * blas_threads);
  sgemm = recur_bench_sgemm_gflops (1024, FALSE);
  own = recur_bench_sgemm_gflops (1024, TRUE) * threads;
  node = result_to_json (&shape, &r, sgemm, own, peak);
  text = recur_json_to_data (node, FALSE, NULL);
  g_print ("%s\n", text);
  return 0;
}

static JsonObject *
spawn_one (const char         *self_path,
           const RecurBenchConfig *c,
           const BenchOptions *o,
           JsonParser         *parser,
           GError            **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  const struct { const char *option; int value; } counts[] = {
    { "--threads", o->threads },
    { "--blas-threads", o->blas_threads },
    { "--epochs", o->epochs },
    { "--windows", o->windows },
  };

  g_ptr_array_add (argv, g_strdup (self_path));
  g_ptr_array_add (argv, g_strdup ("bench"));
  g_ptr_array_add (argv, g_strdup ("--child"));
  g_ptr_array_add (argv, g_strdup (c->name));
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    if (counts[i].value != G_MININT)
      {
        g_ptr_array_add (argv, g_strdup (counts[i].option));
        g_ptr_array_add (argv, g_strdup_printf ("%d", counts[i].value));
      }
  if (o->quick)
    g_ptr_array_add (argv, g_strdup ("--quick"));
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_newv ((const char *const *) argv->pdata, G_SUBPROCESS_FLAGS_STDOUT_PIPE,
                            error);

  if (proc == NULL || !g_subprocess_communicate_utf8 (proc, NULL, NULL, &out, NULL, error))
    return NULL;
  if (!g_subprocess_get_successful (proc))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("the %s benchmark failed"), c->name);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, out, -1, error))
    return NULL;
  return json_node_get_object (json_parser_get_root (parser));
}

static void
print_header (void)
{
  const char *coretype = g_getenv ("OPENBLAS_CORETYPE");

  double one, all, own;

  recur_blas_configure (1);
  one = recur_bench_sgemm_gflops (1024, FALSE);
  own = recur_bench_sgemm_gflops (1024, TRUE);
  recur_blas_configure (0);
  all = recur_bench_sgemm_gflops (1024, FALSE);
  g_print (_("OpenBLAS core: %s (OPENBLAS_CORETYPE=%s), %u cores\n"), recur_blas_get_core_name (),
           coretype ? coretype : _("unset"), g_get_num_processors ());
  g_print (_("OpenBLAS sgemm 1024³: %.0f GFLOP/s on 1 thread, %.0f GFLOP/s on %u threads\n"), one,
           all, recur_blas_get_threads ());
  if (own > 0)
    /* Translators: %s is the instruction set, “AVX-512” or “AVX2” */
    g_print (_("Recur’s own %s GEMM 1024³: %.0f GFLOP/s on 1 thread\n"),
             recur_gemm_kernel_name (), own);
  else if (g_getenv ("RECUR_NO_OWN_GEMM"))
    g_print (_("Recur’s own GEMM: not used (RECUR_NO_OWN_GEMM is set)\n"));
  else
    g_print (_("Recur’s own GEMM: not used (this CPU has neither AVX-512 nor AVX2 with FMA)\n"));
  if (recur_kernel_has_avx512_gates ())
    g_print (_("Cells’ steps: written out for AVX-512\n"));
  else if (g_getenv ("RECUR_PORTABLE_KERNELS"))
    g_print (_("Cells’ steps: as the compiler vectorised them (RECUR_PORTABLE_KERNELS is set)\n"));
  else
    g_print (_("Cells’ steps: as the compiler vectorised them\n"));
  g_print ("\n");
  /* headers padded by terminal columns: translations may be double width */
  recur_command_print_padded (_("config"), 12);
  g_print (" %7s %4s %12s %9s %8s %8s %13s %8s %9s\n", _("threads"), "BLAS", _("train win/s"),
           "GFLOP/s",
           /* xgettext:no-c-format */
           _("% of sgemm"),
           /* xgettext:no-c-format */
           _("% of own"), _("forecast w/s"), _("peak MB"), _("loss"));
}

static void
print_row (JsonObject *o)
{
  g_print ("%-12s %7" G_GINT64_FORMAT " %4" G_GINT64_FORMAT " %12.0f %9.1f %7.0f%% %7.0f%% %13.0f %8.0f %9.5f\n",
           json_object_get_string_member (o, "config"),
           json_object_get_int_member (o, "threads"),
           json_object_get_int_member (o, "blas_threads"),
           json_object_get_double_member (o, "train_windows_per_second"),
           json_object_get_double_member (o, "train_gflops"),
           100 * json_object_get_double_member (o, "gemm_efficiency"),
           100 * json_object_get_double_member (o, "own_gemm_efficiency"),
           json_object_get_double_member (o, "forecast_windows_per_second"),
           json_object_get_double_member (o, "peak_memory_mb"),
           json_object_get_double_member (o, "final_loss"));
}

/* A timed row's second line, by format: its times on --threads and on one, their ratio, whether
 * both gave the same result (same, or different), the peak memory */
static void
print_timings (JsonObject *o,
               const char *format,
               const char *same,
               const char *different)
{
  g_print (format,
           json_object_get_double_member (o, "seconds"),
           (guint) json_object_get_int_member (o, "threads"),
           json_object_get_double_member (o, "seconds_one_thread"),
           json_object_get_double_member (o, "speedup"),
           json_object_get_boolean_member (o, "same_result") ? same : different,
           json_object_get_double_member (o, "peak_memory_mb"));
}

/* Under the table: the default of `recur train`, on one thread and on all. */
static void
print_auto (JsonObject *o)
{
  g_print ("\n");
  g_print (_("%s: the default of “recur train” (Auto) on %u daily points, horizon %u: "
             "%u candidates, then the chosen one (%s)\n"),
           json_object_get_string_member (o, "config"),
           (guint) json_object_get_int_member (o, "points"),
           (guint) json_object_get_int_member (o, "horizon"),
           (guint) json_object_get_int_member (o, "candidates"),
           json_object_get_string_member (o, "chosen"));
  print_timings (o, _("  %.1f s on %u threads, %.1f s on 1 (%.2f×); %s; peak %.0f MB\n"),
                 _("the same choice and forecast, bit for bit"),
                 _("A DIFFERENT CHOICE OR FORECAST"));
}

/* Under the table: many runs at once, on one core and on all. */
static void
print_ensemble (JsonObject *o)
{
  g_print ("\n");
  g_print (_("%s: an ensemble of %u small LSTMs on %u daily points, %u epochs each\n"),
           json_object_get_string_member (o, "config"),
           (guint) json_object_get_int_member (o, "members"),
           (guint) json_object_get_int_member (o, "points"),
           (guint) json_object_get_int_member (o, "epochs"));
  print_timings (o, _("  %.1f s on %u cores, %.1f s on 1 (%.2f×); %s; peak %.0f MB\n"),
                 _("the same members and forecast, bit for bit"),
                 _("DIFFERENT MEMBERS OR FORECAST"));
}

/* Under the table: many runs at once as a sweep trains them, one after another and at once. */
static void
print_sweep (JsonObject *o)
{
  g_print ("\n");
  g_print (_("%s: a sweep of %u small LSTM runs on %u daily points, %u epochs each\n"),
           json_object_get_string_member (o, "config"),
           (guint) json_object_get_int_member (o, "runs"),
           (guint) json_object_get_int_member (o, "points"),
           (guint) json_object_get_int_member (o, "epochs"));
  print_timings (o, _("  %.1f s %u at once, %.1f s one after another (%.2f×); %s; peak %.0f MB\n"),
                 _("the same runs, bit for bit"), _("DIFFERENT RUNS"));
}

/* A shape, or a timed row, by --only's name. */
static const RecurBenchConfig *
find_row (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (timed_rows); i++)
    if (g_str_equal (name, timed_rows[i].row.name))
      return &timed_rows[i].row;
  return recur_bench_find_config (name);
}

/* --only's list, in the order given: each a standard shape. */
static GPtrArray *
select_shapes (const char  *only,
               GError     **error)
{
  g_autoptr(GPtrArray) shapes = g_ptr_array_new ();
  g_auto(GStrv) names = NULL;
  guint n;
  const RecurBenchConfig *configs = recur_bench_configs (&n);

  if (only == NULL)
    {
      for (guint i = 0; i < n; i++)
        g_ptr_array_add (shapes, (gpointer) &configs[i]);
      for (guint i = 0; i < G_N_ELEMENTS (timed_rows); i++)
        g_ptr_array_add (shapes, (gpointer) &timed_rows[i].row);
      return g_steal_pointer (&shapes);
    }
  names = g_strsplit (only, ",", -1);
  for (guint k = 0; names[k]; k++)
    {
      const RecurBenchConfig *c = find_row (names[k]);
      if (c == NULL)
        {
          g_autoptr(GString) all = g_string_new (NULL);
          for (guint i = 0; i < n; i++)
            g_string_append_printf (all, "%s%s", i ? ", " : "", configs[i].name);
          for (guint i = 0; i < G_N_ELEMENTS (timed_rows); i++)
            g_string_append_printf (all, ", %s", timed_rows[i].row.name);
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       _("--only: unknown shape “%s” (choose %s)"), names[k], all->str);
          return NULL;
        }
      g_ptr_array_add (shapes, (gpointer) c);
    }
  return g_steal_pointer (&shapes);
}

/* Counts given below 1 are a mistake worth saying, not the default in disguise. */
static gboolean
check_counts (const BenchOptions  *o,
              GError             **error)
{
  const struct { const char *option; int value; } counts[] = {
    { "--threads", o->threads },
    { "--blas-threads", o->blas_threads },
    { "--epochs", o->epochs },
    { "--windows", o->windows },
  };

  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    if (counts[i].value != G_MININT && counts[i].value < 1)
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     _("%s must be at least 1, not %d"), counts[i].option, counts[i].value);
        return FALSE;
      }
  return TRUE;
}

static int
bench_usage_error (GError *error)
{
  int status = recur_command_usage_error (error->message);

  g_error_free (error);
  return status;
}

static void
bench_options_clear (BenchOptions *o)
{
  g_free (o->only);
  g_free (o->child);
}

static int
run_shapes (const BenchOptions *o,
            GPtrArray          *shapes,
            const char         *self_path)
{
  g_autoptr(JsonBuilder) all = json_builder_new ();
  GError *error = NULL;

  if (!o->json)
    print_header ();
  json_builder_begin_array (all);
  for (guint i = 0; i < shapes->len; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      const RecurBenchConfig *c = g_ptr_array_index (shapes, i);
      JsonObject *row = spawn_one (self_path, c, o, parser, &error);
      if (row == NULL)
        return recur_command_fail (error);
      if (o->json)
        json_builder_add_value (all, json_node_copy (json_parser_get_root (parser)));
      else if (timed_row_of (c))
        timed_row_of (c)->print (row);
      else
        print_row (row);
    }
  json_builder_end_array (all);
  if (o->json)
    {
      g_autoptr(JsonNode) root = json_builder_get_root (all);
      g_autofree char *text = recur_json_to_data (root, TRUE, NULL);

      g_print ("%s\n", text);
    }
  return EXIT_OK;
}

int
recur_bench_command (int    argc,
                     char **argv,
                     const char *self_path)
{
  BenchOptions o = { .threads = G_MININT, .blas_threads = G_MININT, .epochs = G_MININT,
                     .windows = G_MININT };
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print the results as JSON"), NULL },
    { "quick", 0, 0, G_OPTION_ARG_NONE, &o.quick, N_("Time one epoch per configuration instead of three"), NULL },
    { "only", 0, 0, G_OPTION_ARG_STRING, &o.only, N_("Run these shapes only, comma-separated (small-rnn, small-lstm, small-gru, medium-lstm, medium-gru, large-lstm; auto-2000: the default of “recur train” on 2,000 points; ensemble-8: eight small LSTMs at once on 500; sweep-16: a sweep of sixteen small LSTM runs on 500; latency: one window’s forecast)"), N_("NAME,…") },
    { "windows", 0, 0, G_OPTION_ARG_INT, &o.windows, N_("Train and forecast on at most N windows of each shape (default: the shape's own, 768 to 4,064); auto-2000, ensemble-8 and sweep-16 on N points (100 to 2,000, 500 and 500)"), "N" },
    { "threads", 't', 0, G_OPTION_ARG_INT, &o.threads, N_("Threads for a minibatch’s shards and for forecasting (default: one per core)"), "N" },
    { "blas-threads", 0, 0, G_OPTION_ARG_INT, &o.blas_threads, N_("OpenBLAS threads within each of those (default 1)"), "N" },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &o.epochs, N_("Timed epochs after the warm-up epoch (default 3); ensemble-8 and sweep-16: each member's or run's epochs (default 20)"), "N" },
    /* the child process that runs one shape and prints its JSON object */
    { "child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &o.child, NULL, NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context = recur_command_new_context (
    "bench", NULL, _("Time training and forecasting of the standard shapes (small, medium, large) "
                     "on a synthetic series, each in a process of its own."));
  g_autoptr(GPtrArray) shapes = NULL;
  GError *error = NULL;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !check_counts (&o, &error))
    status = bench_usage_error (error);
  else if (argc > 1)
    {
      g_autofree char *message = g_strdup_printf (_("unexpected argument “%s”"), argv[1]);
      status = recur_command_usage_error (message);
    }
  else if (o.child)
    status = run_one (&o);
  else if ((shapes = select_shapes (o.only, &error)) == NULL)
    status = bench_usage_error (error);
  else
    status = run_shapes (&o, shapes, self_path);
  bench_options_clear (&o);
  return status;
}
