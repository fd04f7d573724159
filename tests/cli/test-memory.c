/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sizes that come from input and exceed memory: `recur` says what was too big and exits with
 * status 1, never aborts. A CSV of ten million rows reads (given the memory) and, with the
 * child's address space limited (RLIMIT_AS), is refused at the row where memory ran out; a
 * model whose training needs more than the computer has is refused before anything is
 * allocated; a model, or a window × batch workspace, that does not fit the limit is refused
 * where it is allocated. The limited runs are skipped under AddressSanitizer, whose shadow
 * memory needs terabytes of address space. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli-common.h"

#define MIB (G_GUINT64_CONSTANT (1) << 20)
#define DEADLINE_SECONDS 240
#define TEN_MILLION 10000000

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

static void
on_communicated (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  Result *r = data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &r->out, &r->err,
                                        &error);
  g_assert_no_error (error);
  r->status = -2; /* done */
}

/* Runs recur with args, its address space limited to `limit` bytes (0: no limit), killed after
 * `seconds`; with OPENBLAS_NUM_THREADS=1 unless `blas_as_is` (recur then sees to OpenBLAS's
 * threads itself). */
static Result
run_limited_blas (guint64            limit,
                  guint              seconds,
                  gboolean           blas_as_is,
                  const char *const *args)
{
  g_autoptr(GSubprocessLauncher) launcher = cli_launcher_new ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  /* under AddressSanitizer, a full stack on every malloc makes ten million rows take minutes;
   * leaks are still found */
  g_autofree char *asan = g_strconcat (g_getenv ("ASAN_OPTIONS") ?: "",
                                       ":fast_unwind_on_malloc=1", NULL);
  Result r = { -1 };

  g_ptr_array_add (argv, (char *) g_getenv ("RECUR_BIN"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  /* one thread, as the other tests run: what the program takes does not depend on the cores */
  if (blas_as_is)
    g_subprocess_launcher_unsetenv (launcher, "OPENBLAS_NUM_THREADS");
  else
    g_subprocess_launcher_setenv (launcher, "OPENBLAS_NUM_THREADS", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "ASAN_OPTIONS", asan, TRUE);
  if (limit > 0)
    g_subprocess_launcher_set_child_setup (launcher, cli_limit_address_space,
                                           GSIZE_TO_POINTER ((gsize) limit), NULL);
  proc = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (proc, NULL, NULL, on_communicated, &r);
  while (r.status != -2 && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10000);
  if (r.status != -2)
    {
      g_subprocess_force_exit (proc);
      while (r.status != -2)
        g_main_context_iteration (NULL, TRUE);
    }
  g_subprocess_wait (proc, NULL, NULL);
  r.signalled = g_subprocess_get_if_signaled (proc);
  r.status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  return r;
}

static Result
run_limited (guint64            limit,
             guint              seconds,
             const char *const *args)
{
  return run_limited_blas (limit, seconds, FALSE, args);
}

#undef run_recur
#define run_recur(limit, ...) \
  run_limited (limit, DEADLINE_SECONDS, (const char *const[]) { __VA_ARGS__, NULL })

static char *
nottingham (void)
{
  return data_file ("nottingham_temperature.csv");
}

static guint64
physical_memory (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);

  return pages > 0 && page > 0 ? (guint64) pages * (guint64) page : 0;
}

/* The smallest address space (to 16 MiB) in which `recur info` reads a small file: what the
 * program itself takes, on this machine. 0 if none up to 4 GiB. */
static guint64
baseline_limit (void)
{
  static guint64 found;
  g_autofree char *csv = nottingham ();
  guint64 lo = 16 * MIB, hi = 4096 * MIB;
  Result r;

  if (found)
    return found;
  r = run_limited (hi, 60, (const char *const[]) { "info", csv, NULL });
  if (r.status != 0)
    {
      result_clear (&r);
      return 0;
    }
  result_clear (&r);
  while (hi - lo > 16 * MIB)
    {
      guint64 mid = lo + (hi - lo) / 2;
      r = run_limited (mid, 30, (const char *const[]) { "info", csv, NULL });
      if (r.status == 0)
        hi = mid;
      else
        lo = mid;
      result_clear (&r);
    }
  found = hi;
  g_test_message ("recur info runs in %" G_GUINT64_FORMAT " MiB of address space", hi / MIB);
  return found;
}

static void
assert_refused (const Result *r,
                const char   *what)
{
  g_test_message ("status %d: %s", r->status, r->err);
  g_assert_false (r->signalled);       /* no abort */
  g_assert_cmpint (r->status, ==, 1);
  if (strstr (r->err, what) == NULL)
    g_error ("standard error does not say “%s”:\n%s", what, r->err);
  g_assert_null (strstr (r->err, "GLib-ERROR"));
}

/* ---- a CSV of ten million rows ----------------------------------------------------------- */

static char *
write_ten_million_rows (const char *dir)
{
  char *path = g_build_filename (dir, "ten-million.csv", NULL);
  GString *csv = g_string_sized_new (7 * (gsize) TEN_MILLION);
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  char lines[7000][8];

  /* the values repeat every 7000 rows: formatted once */
  for (guint i = 0; i < 7000; i++)
    g_snprintf (lines[i], sizeof lines[i], "%u.%u\n", i % 1000, i % 7);
  g_string_append (csv, "value\n");
  for (guint i = 0; i < TEN_MILLION; i++)
    g_string_append (csv, lines[i % 7000]);
  g_file_set_contents (path, csv->str, (gssize) csv->len, &error);
  g_assert_no_error (error);
  g_test_message ("%s: %zu MB written in %.1f s", path, csv->len / 1000000,
                  (g_get_monotonic_time () - start) / 1e6);
  g_string_free (csv, TRUE);
  return path;
}

static void
test_ten_million_rows (void)
{
  const char *dir = temp_dir ();
  g_autofree char *csv = write_ten_million_rows (dir);
  gint64 start;
  Result r;

  /* given the memory (about 200 MB), it simply reads */
  if (physical_memory () >= 2048 * MIB)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *info;

      start = g_get_monotonic_time ();
      r = run_recur (0, "info", csv, "--json");
      g_test_message ("recur info on ten million rows: %.1f s",
                      (g_get_monotonic_time () - start) / 1e6);
      g_assert_cmpint (r.status, ==, 0);
      json_parser_load_from_data (parser, r.out, -1, &error);
      g_assert_no_error (error);
      info = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpint (json_object_get_int_member (info, "rows"), ==, TEN_MILLION);
      result_clear (&r);
    }
  else
    g_test_message ("less than 2 GiB of memory: reading it whole is not tried");

  /* with 128 MiB more address space than the program takes, it cannot all be held */
  if (UNDER_ASAN)
    {
      g_test_message ("under AddressSanitizer: the limited run is skipped");
      return;
    }
  g_assert_cmpuint (baseline_limit (), >, 0);
  start = g_get_monotonic_time ();
  r = run_recur (baseline_limit () + 128 * MIB, "info", csv);
  g_test_message ("the limited run: %.1f s", (g_get_monotonic_time () - start) / 1e6);
  assert_refused (&r, "ten-million.csv:");
  assert_refused (&r, ": not enough memory to read more rows: the ");
  result_clear (&r);
}

/* Under an address-space limit, OpenBLAS 0.3.21 retries the map of a buffer that does not fit
 * for ever (its issue 5289): its worker threads, started as the library loads, hung `recur info`
 * at exit. recur starts again without them, maps its own thread's buffer at start-up, and says
 * so when it does not fit: every run here ends, and in time. */
static void
test_openblas_under_a_limit (void)
{
  g_autofree char *csv = nottingham ();
  const char *const info[] = { "info", csv, NULL };
  const char *const train[] = { "train", csv, "--model", "lstm", "--epochs", "2", "--quiet", NULL };
  Result r;

  if (UNDER_ASAN)
    {
      g_test_skip ("under AddressSanitizer, whose shadow memory needs an unlimited address space");
      return;
    }
  g_assert_cmpuint (baseline_limit (), >, 0);
  for (guint64 extra = 0; extra <= 256 * MIB; extra += 64 * MIB)
    {
      r = run_limited_blas (baseline_limit () + extra, 60, TRUE, info);
      g_test_message ("info, %" G_GUINT64_FORMAT " MiB: status %d", (baseline_limit () + extra) / MIB,
                      r.status);
      g_assert_false (r.signalled); /* the deadline would kill it */
      g_assert_cmpint (r.status, ==, 0);
      result_clear (&r);
    }
  r = run_limited_blas (baseline_limit () + 256 * MIB, 120, TRUE, train);
  g_assert_false (r.signalled);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);

  /* the program loads, but its buffer does not fit: the smallest limit it runs in holds the
   * program and that buffer of 128 MiB */
  r = run_limited_blas (baseline_limit () - 64 * MIB, 60, TRUE, info);
  assert_refused (&r, "recur: the address-space limit (ulimit -v: ");
  assert_refused (&r, "MiB OpenBLAS needs for its buffer");
  result_clear (&r);
}

/* ---- models and workspaces --------------------------------------------------------------- */

static void
test_model_too_big (void)
{
  g_autofree char *csv = nottingham ();
  guint64 needed = G_GUINT64_CONSTANT (4027187212) * 8 * sizeof (float);
  guint64 limit = UNDER_ASAN ? 0 : baseline_limit () + 256 * MIB;
  Result r;

  /* 4,027,187,212 parameters: refused before anything is allocated (this computer has less
   * than the 120 GiB it takes to train), or where they are allocated (under the limit) */
  if (UNDER_ASAN && physical_memory () >= needed)
    {
      g_test_skip ("under AddressSanitizer on a machine that could hold the model");
      return;
    }
  g_assert_true (UNDER_ASAN || baseline_limit () > 0);
  r = run_recur (limit, "train", csv, "--model", "lstm", "--hidden", "8192", "--layers", "8", "--epochs", "1",
                 "--quiet");
  assert_refused (&r, "Not enough memory for the model");
  assert_refused (&r, "lstm, 8 layers of 8192 units, 4027187212 parameters");
  result_clear (&r);
}

static void
test_model_over_the_limit (void)
{
  g_autofree char *csv = nottingham ();
  Result r;

  if (UNDER_ASAN)
    {
      g_test_skip ("under AddressSanitizer: no address space limit");
      return;
    }
  g_assert_cmpuint (baseline_limit (), >, 0);
  /* 201,457,676 parameters: 1.5 GiB for the weights and gradients, past a limit of 256 MiB
   * more than the program takes */
  r = run_recur (baseline_limit () + 256 * MIB, "train", csv, "--model", "lstm", "--hidden", "4096", "--layers",
                 "2", "--epochs", "1", "--quiet");
  assert_refused (&r, "Not enough memory for the model");
  assert_refused (&r, "lstm, 2 layers of 4096 units, 201457676 parameters");
  result_clear (&r);
}

static void
test_workspace_over_the_limit (void)
{
  const char *dir = temp_dir ();
  g_autofree char *csv = g_build_filename (dir, "sine.csv", NULL);
  GString *text = g_string_new ("t,y\n");
  g_autoptr(GError) error = NULL;
  Result r;

  if (UNDER_ASAN)
    {
      g_test_skip ("under AddressSanitizer: no address space limit");
      g_string_free (text, TRUE);
      return;
    }
  g_assert_cmpuint (baseline_limit (), >, 0);
  for (guint i = 0; i < 20000; i++)
    g_string_append_printf (text, "%u,%.4f\n", i, (i % 97) / 97.0);
  g_file_set_contents (csv, text->str, (gssize) text->len, &error);
  g_assert_no_error (error);
  g_string_free (text, TRUE);
  /* a small model (1.1 million parameters) whose minibatches of 4096 windows of 512 steps take
   * 4 GiB of layer outputs alone */
  r = run_recur (baseline_limit () + 256 * MIB, "train", csv, "--model", "lstm", "--window", "512", "--batch",
                 "4096", "--hidden", "512", "--epochs", "1", "--quiet");
  assert_refused (&r, "Not enough memory for the buffers of ");
  assert_refused (&r, " windows of 512 steps through 1 layer of 512 units: ");
  result_clear (&r);
}

/* `recur forecast --horizon N` with a recursive model: N is bounded like a horizon. */
static void
test_forecast_steps (void)
{
  const char *dir = temp_dir ();
  g_autofree char *csv = nottingham ();
  g_autofree char *weights = g_build_filename (dir, "w.safetensors", NULL);
  Result r;

  r = run_recur (0, "train", csv, "--model", "lstm", "--strategy", "recursive", "--hidden", "4", "--epochs", "2",
                 "--quiet", "--weights-out", weights);
  g_assert_cmpint (r.status, ==, 0);
  result_clear (&r);
  r = run_recur (0, "forecast", "--weights", weights, csv, "--horizon", "2000000000");
  g_assert_false (r.signalled);
  g_assert_cmpint (r.status, ==, 2);
  g_assert_nonnull (strstr (r.err, "2000000000 steps asked; at most 100000"));
  result_clear (&r);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/cli/memory/ten-million-rows", test_ten_million_rows);
  g_test_add_func ("/cli/memory/openblas-under-a-limit", test_openblas_under_a_limit);
  g_test_add_func ("/cli/memory/model-too-big", test_model_too_big);
  g_test_add_func ("/cli/memory/model-over-the-limit", test_model_over_the_limit);
  g_test_add_func ("/cli/memory/workspace-over-the-limit", test_workspace_over_the_limit);
  g_test_add_func ("/cli/memory/forecast-steps", test_forecast_steps);
  return g_test_run ();
}
