/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Aggregate training throughput of 1, 2 and 4 concurrent runs, as `recur sweep` and the app
 * train them: RecurRuns on a pool, one BLAS thread each, progress drained by a main loop.
 * A small LSTM (32 hidden, window 32, batch 32) on the synthetic series `recur bench` uses
 * (sin(2πt/50) + 0.5 sin(2πt/17) + 0.1 N(0, 1), 4,096 points). A meson benchmark(), not a test:
 * `meson test -C build --benchmark -v concurrent-runs`, or run it directly (--epochs N). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "recur-blas.h"
#include "recur-run.h"

#define N_POINTS 4096

static RecurSeries *
synthetic_series (void)
{
  GString *csv = g_string_new ("t,y\n");
  g_autoptr(GError) error = NULL;
  RecurSeries *series;
  RecurRng rng;

  recur_rng_init (&rng, 0);
  for (guint t = 0; t < N_POINTS; t++)
    g_string_append_printf (csv, "%u,%.9g\n", t,
                            sin (2 * G_PI * t / 50.0) + 0.5 * sin (2 * G_PI * t / 17.0)
                              + 0.1 * recur_rng_normal (&rng));
  series = recur_series_load_csv_data (csv->str, csv->len, "synthetic.csv", &error);
  g_assert_no_error (error);
  g_string_free (csv, TRUE);
  return series;
}

static void
small_lstm (RecurJobConfig *config,
            guint           epochs,
            guint64         seed)
{
  recur_job_config_init (config);
  config->model.cell = RECUR_CELL_LSTM;
  config->model.hidden_size = 32;
  config->model.window = 32;
  config->model.horizon = 1;
  config->train.batch_size = 32;
  config->train.epochs = epochs;
  config->train.patience = 0;
  recur_optimizer_spec_init (&config->train.optimizer, RECUR_OPTIMIZER_ADAM, 1e-3);
  config->train.seed = seed;
}

typedef struct
{
  double wall;
  double cpu;             /* user + system seconds of the whole process */
  double windows;         /* trained, summed over the runs */
  double mean_per_run;    /* each run's own windows/s, averaged */
} Measure;

static double
cpu_seconds (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

static Measure
measure (RecurSeries *series,
         guint        n_runs,
         guint        epochs)
{
  GThreadPool *pool = recur_run_pool_new (n_runs);
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func (g_object_unref);
  Measure m = { 0 };
  gint64 start;
  double cpu_start;
  gboolean active = TRUE;

  for (guint i = 0; i < n_runs; i++)
    {
      RecurJobConfig config;
      g_autoptr(GError) error = NULL;

      small_lstm (&config, epochs, i + 1);
      g_ptr_array_add (runs, recur_run_new ("bench", &config, series, &error));
      g_assert_no_error (error);
      recur_job_config_clear (&config);
    }
  start = g_get_monotonic_time ();
  cpu_start = cpu_seconds ();
  for (guint i = 0; i < n_runs; i++)
    recur_run_start (g_ptr_array_index (runs, i), pool);
  while (active)
    {
      g_main_context_iteration (NULL, TRUE);
      active = FALSE;
      for (guint i = 0; i < n_runs; i++)
        active |= recur_run_is_active (g_ptr_array_index (runs, i));
    }
  m.wall = (g_get_monotonic_time () - start) / 1e6;
  m.cpu = cpu_seconds () - cpu_start;
  for (guint i = 0; i < n_runs; i++)
    {
      RecurJob *job = recur_run_get_job (g_ptr_array_index (runs, i));
      const RecurTrainSummary *s = recur_job_get_summary (job);

      g_assert_cmpint (recur_run_get_status (g_ptr_array_index (runs, i)), ==, RECUR_RUN_FINISHED);
      m.windows += (double) s->epochs_run * recur_dataset_get_n_train_windows (recur_job_get_dataset (job));
      m.mean_per_run += s->windows_per_second / n_runs;
    }
  recur_run_pool_free (pool);
  return m;
}

static char *
cpu_model (void)
{
  g_autofree char *info = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents ("/proc/cpuinfo", &info, NULL, NULL))
    return g_strdup ("unknown CPU");
  lines = g_strsplit (info, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "model name"))
      return g_strdup (g_strstrip (strchr (lines[i], ':') + 1));
  return g_strdup ("unknown CPU");
}

static void
print_environment (void)
{
  g_autofree char *cpu = cpu_model ();
  const char *coretype = g_getenv ("OPENBLAS_CORETYPE");

  printf ("Environment: %u cores (%s); OpenBLAS core %s, OPENBLAS_CORETYPE=%s; "
          "%u BLAS thread per run; GLib %u.%u.%u\n",
          g_get_num_processors (), cpu, recur_blas_get_core_name (),
          coretype ? coretype : "(unset)", recur_blas_get_threads (), glib_major_version,
          glib_minor_version, glib_micro_version);
}

int
main (int    argc,
      char **argv)
{
  static const guint counts[] = { 1, 2, 4 };
  g_autoptr(RecurSeries) series = synthetic_series ();
  gint epochs = 4;
  const GOptionEntry entries[] = {
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &epochs, "Epochs per run (default 4)", "N" },
    { NULL },
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- concurrent training throughput");
  g_autoptr(GError) error = NULL;
  double single = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || epochs < 1)
    {
      g_printerr ("%s\n", error ? error->message : "--epochs must be at least 1");
      return 2;
    }
  /* runs × BLAS threads ≤ cores, as `recur sweep` sets it */
  recur_blas_configure (1);
  printf ("Concurrent runs of an LSTM (32 hidden, window 32, batch 32, Adam) on a synthetic "
          "series of %u points, %d epochs each\n\n", N_POINTS, epochs);
  printf ("%5s %8s %18s %16s %9s %11s %11s\n", "runs", "wall s", "windows/s (sum)",
          "per run (mean)", "speed-up", "efficiency", "cores used");
  measure (series, 1, 1); /* warm up: page in the code, settle the clock */
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      Measure m = measure (series, counts[i], (guint) epochs);
      double total = m.windows / m.wall;
      double speedup;

      if (i == 0)
        single = total;
      speedup = total / single;
      printf ("%5u %8.2f %18.0f %16.0f %8.2fx %10.0f%% %11.2f\n", counts[i], m.wall, total,
              m.mean_per_run, speedup,
              100 * speedup / MIN (counts[i], g_get_num_processors ()), m.cpu / m.wall);
    }
  printf ("\nefficiency = speed-up / min(runs, cores); cores used = CPU time / wall time (below\n"
          "min(runs, cores) when other processes take the CPUs or the runs wait on each other)\n");
  print_environment ();
  return 0;
}
