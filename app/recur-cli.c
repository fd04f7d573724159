/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-app"
#include "config.h"

#include <glib/gi18n.h>
#include <glib-unix.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "recur-bench-command.h"
#include "recur-auto.h"
#include "recur-blas.h"
#include "recur-cli.h"
#include "recur-cores.h"
#include "recur-command.h"
#include "recur-fileutil.h"
#include "recur-forecast.h"
#include "recur-job.h"
#include "recur-jsonutil.h"
#include "recur-model-io.h"
#include "recur-onnx.h"
#include "recur-series.h"
#include "recur-sweep-command.h"
#include "recur-sync.h"

typedef struct
{
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static int cmd_train (int argc, char **argv);
static int cmd_forecast (int argc, char **argv);
static int cmd_info (int argc, char **argv);
static int cmd_export (int argc, char **argv);

static int
cmd_bench (int    argc,
           char **argv)
{
  return recur_bench_command (argc, argv, "/proc/self/exe");
}

static const Command commands[] = {
  { "train", cmd_train, N_("Train a model on a CSV series, score it and forecast") },
  { "forecast", cmd_forecast, N_("Forecast past the end of a CSV series with saved weights") },
  { "info", cmd_info, N_("Show what Recur understands of a CSV file") },
  { "export", cmd_export, N_("Convert saved weights for other tools: an ONNX model") },
  { "bench", cmd_bench, N_("Time training and forecasting of the standard model shapes") },
  { "sweep", recur_sweep_command, N_("Train many runs over a grid of hyperparameters and compare them") },
  { "project", recur_project_command, N_("List, compare and export the runs kept in a project folder") },
};

gboolean
recur_cli_is_command (int    argc,
                      char **argv)
{
  if (argc < 2)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return TRUE;
  return g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h")
         || g_str_equal (argv[1], "help") || g_str_equal (argv[1], "--version");
}

void
recur_cli_print_usage (void)
{
  g_print ("%s\n  recur %s\n\n%s\n", _("Usage:"), _("COMMAND [OPTION…] FILE.csv"),
           _("Forecast time series with recurrent neural networks."));
  g_print ("\n%s\n", _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    g_print ("  %-10s %s\n", commands[i].name, _(commands[i].summary));
  g_print ("\n%s\n", _("Run “recur COMMAND --help” for the options of a command."));
}

int
recur_cli_run (int    argc,
               char **argv)
{
  if (g_str_equal (argv[1], "--version"))
    {
      g_print ("recur %s\n", PACKAGE_VERSION);
      return EXIT_OK;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);
  recur_cli_print_usage ();
  return EXIT_OK;
}

/* ---- shared helpers ----------------------------------------------------------------------- */

static gboolean
parse_options (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               GError         **error)
{
  return g_option_context_parse (context, argc, argv, error);
}

/* Through recur_json_to_data, as every file Recur writes: json-glib 1.6 alone writes 1e-08 as
 * "1e-08.0", which strict JSON readers refuse. */
static void
print_json (JsonNode *node,
            FILE     *out)
{
  g_autofree char *text = recur_json_to_data (node, TRUE, NULL);

  fprintf (out, "%s\n", text);
}

/* ---- train -------------------------------------------------------------------------------- */

typedef struct
{
  gboolean tty;
  gboolean quiet;
  gboolean bar_shown;  /* a progress bar is on the terminal's last line */
  GThread *thread;     /* the training's: an ensemble's members on other threads stay quiet */
  guint n_members;
} ProgressPrinter;

/* "[#####...................]": done of all, 24 cells */
static void
format_bar (char  *bar,
            double done)
{
  const int width = 24;
  int filled = (int) (CLAMP (done, 0.0, 1.0) * width);

  for (int i = 0; i < width; i++)
    bar[i] = i < filled ? '#' : '.';
  bar[width] = '\0';
}

/* An ensemble's members after member 0, those the training's own thread trains (member k of a
 * team of T threads runs there when k is a multiple of T): one bar, or a line an epoch. */
static void
print_member_progress (guint    k,
                       guint    epoch,
                       guint    epochs,
                       double   train_loss,
                       double   val_loss,
                       gboolean ended,
                       gpointer user_data)
{
  ProgressPrinter *printer = user_data;

  /* member 0's epochs are the training's own bar */
  if (printer->quiet || g_thread_self () != printer->thread || epochs == 0 || k == 0 || ended)
    return;
  if (printer->tty)
    {
      char bar[32];

      format_bar (bar, (double) epoch / epochs);
      /* padded over the longer line of member 0's bar */
      fprintf (stderr, "\r[%s] %s %u/%u  %s %u/%u%-40s", bar, _("member"), k + 1,
               printer->n_members, _("epoch"), epoch, epochs, "");
      printer->bar_shown = TRUE;
    }
  else
    fprintf (stderr, "%s %u/%u %s %u/%u\n", _("member"), k + 1, printer->n_members, _("epoch"),
             epoch, epochs);
  fflush (stderr);
}

static void
print_progress (const RecurProgress *p,
                gpointer             user_data)
{
  ProgressPrinter *printer = user_data;
  char val[32];

  if (printer->quiet)
    return;
  if (isnan (p->val_loss))
    g_strlcpy (val, "—", sizeof val);
  else
    g_snprintf (val, sizeof val, "%.5f", p->val_loss);

  if (printer->tty)
    {
      char bar[32];

      format_bar (bar, (double) p->epoch / p->epochs);
      fprintf (stderr, "\r[%s] %s %u/%u  %s %.5f  %s %s  %s %u  ", bar, _("epoch"), p->epoch,
               p->epochs, _("train"), p->train_loss, _("val"), val, _("best"), p->best_epoch);
      printer->bar_shown = TRUE;
    }
  else
    fprintf (stderr, "%s %u/%u %s %.6f %s %s %s %.3g %s %.3g %s %u\n", _("epoch"), p->epoch,
             p->epochs, _("train"), p->train_loss, _("val"), val, _("grad-norm"), p->grad_norm,
             _("lr"), p->lr, _("best"), p->best_epoch);
  fflush (stderr);
}

/* Four decimals in a column of ten, or the exponent form where that would not fit (a series of
 * 1e12s) */
static void
print_metric (const char *label,
              double      value)
{
  if (!isfinite (value))
    g_print (" %12s", "—"); /* three bytes, one column */
  else if (fabs (value) >= 1e5)
    g_print (" %10.3e", value);
  else
    g_print (" %10.4f", value);
  (void) label;
}

static void
print_metrics_row (const char         *name,
                   int                 width,
                   const RecurMetrics *m)
{
  recur_command_print_padded (name, width);
  print_metric ("mae", m->mae);
  print_metric ("rmse", m->rmse);
  print_metric ("mape", m->mape);
  print_metric ("smape", m->smape);
  print_metric ("mase", m->mase);
  g_print ("\n");
}

/* An ensemble: how many, from which seeds, and how far apart its members' scores are. */
static void
print_members (RecurJob              *job,
               const RecurEvaluation *ev)
{
  guint asked = recur_job_get_config (job)->ensemble;
  g_autoptr(GString) seeds = g_string_new (NULL);
  double lo, hi;

  recur_evaluation_member_mase_range (ev, &lo, &hi);
  for (guint k = 0; k < ev->n_members; k++)
    g_string_append_printf (seeds, "%s%" G_GUINT64_FORMAT, k ? ", " : "",
                            recur_job_get_member_seed (job, k));
  if (ev->n_members == 1)
    g_print (_("One network of the ensemble (seed %s)\n"), seeds->str);
  else if (isfinite (lo) && isfinite (hi))
    g_print (_("The median of an ensemble of %u networks (seeds %s); alone, their MASE ranges "
               "from %.4f to %.4f\n"), ev->n_members, seeds->str, lo, hi);
  else /* MASE has no scale: the part before the test never changes */
    g_print (_("The median of an ensemble of %u networks (seeds %s)\n"), ev->n_members,
             seeds->str);
  if (ev->n_members < asked)
    g_print (_("(%u of the %u asked had not ended an epoch when training stopped)\n"),
             asked - ev->n_members, asked);
}

static guint
count_trailing_missing (const double *values,
                        guint         n)
{
  guint k = 0;

  while (k < n && isnan (values[n - 1 - k]))
    k++;
  return k;
}

static void
print_report (RecurJob *job)
{
  const RecurEvaluation *ev = recur_job_get_evaluation (job);
  const RecurTrainSummary *s = recur_job_get_summary (job);
  const RecurJobConfig *c = recur_job_get_config (job);
  const RecurSeries *series = recur_job_get_series (job);
  const double *future = recur_job_get_future (job);
  gint64 last;
  guint n = recur_series_get_n_rows (series), trailing;
  const gint64 *ts = recur_series_get_timestamps (series);
  RecurSeasonSource source;
  guint season = recur_job_get_season (job, &source);
  g_autofree char *season_text = recur_season_source_describe (source, season);
  /* Translators: the seasonal-naive baseline's row; %s is its season and where it came from,
   * as in “12, from the dates” */
  g_autofree char *season_label = g_strdup_printf (_("seasonal naive (%s)"), season_text);
  const char *model_label = _("model");
  const char *naive_label = _("naive");
  int width = 20;

  RecurModel *model = recur_job_get_model (job);
  gsize n_params = recur_model_get_n_params (model);
  gsize n_trainable = recur_model_get_n_trainable_params (model);

  if (recur_job_get_n_members (job) > 1)
    g_print (_("%s, column “%s”: %u points; %u × %s, %u parameters each, %u of them trained\n"),
             recur_series_get_path (series), recur_job_get_column_name (job), n,
             recur_job_get_n_members (job), recur_cell_to_string (c->model.cell),
             (guint) n_params, (guint) n_trainable);
  else if (n_trainable == n_params)
    g_print (_("%s, column “%s”: %u points; %s, %u parameters\n"),
             recur_series_get_path (series), recur_job_get_column_name (job), n,
             recur_cell_to_string (c->model.cell), (guint) n_params);
  else
    g_print (_("%s, column “%s”: %u points; %s, %u parameters, %u of them trained\n"),
             recur_series_get_path (series), recur_job_get_column_name (job), n,
             recur_cell_to_string (c->model.cell), (guint) n_params, (guint) n_trainable);
  if (recur_job_get_n_members (job) > 1)
    g_print ("%s", _("Member 0: "));
  if (isfinite (s->val_loss))
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "%u epoch in %.1f s (%.0f windows/s); best epoch %u, validation loss "
                          "%.5f\n\n",
                          "%u epochs in %.1f s (%.0f windows/s); best epoch %u, validation loss "
                          "%.5f\n\n", s->epochs_run),
             s->epochs_run, s->seconds, s->windows_per_second, s->best_epoch, s->val_loss);
  else /* --val-fraction 0 */
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "%u epoch in %.1f s (%.0f windows/s); best epoch %u, no validation "
                          "part\n\n",
                          "%u epochs in %.1f s (%.0f windows/s); best epoch %u, no validation "
                          "part\n\n", s->epochs_run),
             s->epochs_run, s->seconds, s->windows_per_second, s->best_epoch);
  if (ev == NULL)
    {
      /* the forecasts could not be made (the message above says why) */
      g_print ("%s\n", _("No forecast: see the error above."));
      return;
    }
  g_print (_("Test part: the last %u points, forecast from the window before them\n"), ev->n_test);
  if (ev->n_missing > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "(%u of them has no value in the file: it is not scored)\n",
                          "(%u of them have no value in the file: they are not scored)\n",
                          ev->n_missing),
             ev->n_missing);
  if (recur_job_get_config (job)->ensemble > 1)
    print_members (job, ev);
  if (ev->theta_averaged && ev->n_members > 1)
    g_print (_("Their median averaged with the Theta method’s forecast; the median alone has "
               "MASE %.4f\n"), ev->network_metrics.mase);
  else if (ev->theta_averaged)
    g_print (_("The network’s forecast averaged with the Theta method’s; the network’s alone "
               "has MASE %.4f\n"), ev->network_metrics.mase);
  for (const char *const *l = (const char *const[]) { model_label, naive_label, season_label,
                                                      NULL };
       *l; l++)
    width = MAX (width, recur_command_text_width (*l) + 1);
  recur_command_print_padded ("", width);
  g_print (" %10s %10s %10s %10s %10s\n", "MAE", "RMSE", "MAPE %", "sMAPE %", "MASE");
  print_metrics_row (model_label, width, &ev->model_metrics);
  print_metrics_row (naive_label, width, &ev->naive_metrics);
  print_metrics_row (season_label, width, &ev->seasonal_naive_metrics);

  if (future == NULL)
    {
      g_print ("\n%s\n", _("No forecast past the end of the data: see the error above."));
      return;
    }
  g_print ("\n%s\n", _("Forecast past the end of the data:"));
  trailing = count_trailing_missing (recur_job_get_observed (job), n);
  if (trailing > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "(the last value is missing in the file: the forecast reads it as "
                          "filled in)\n",
                          "(the last %u values are missing in the file: the forecast reads "
                          "them as filled in)\n", trailing),
             trailing);
  last = ts ? ts[n - 1] : (gint64) n - 1;
  for (guint h = 0; h < c->model.horizon; h++)
    {
      g_autofree char *when = recur_series_format_timestamp (
        series, recur_series_advance_timestamp (series, last, h + 1));
      g_print (fabs (future[h]) >= 1e9 ? "  %s  %.6e\n" : "  %s  %.4f\n", when, future[h]);
    }
}

/* Auto's table: each candidate's validation MASE per origin and its mean, the chosen marked. */
static void
print_auto (const RecurAuto *a)
{
  guint n = recur_auto_get_n_candidates (a), origins = recur_auto_get_n_origins (a);
  g_autofree char *reason = NULL;

  g_print (_("Auto: %u candidates, scored by MASE on %u forecasts from origins before the test "
             "part\n"), n, origins);
  for (guint i = 0; i < n; i++)
    {
      const RecurAutoCandidate *c = recur_auto_get_candidate (a, i);
      const char *mark = i == recur_auto_get_chosen (a) ? "*" : " ";

      if (c->error)
        g_print (" %s %-52s %s\n", mark, c->name, _("failed"));
      else if (!isfinite (c->validation_mase))
        g_print (" %s %-52s %s\n", mark, c->name, _("not run"));
      else
        g_print (" %s %-52s %8.3f\n", mark, c->name, c->validation_mase);
    }
  if (isfinite (recur_auto_get_theta_validation (a)))
    /* Translators: the Theta method's row in Auto's table; "+" marks it averaged with the
     * chosen candidate's forecast. Keep the name within 52 columns. */
    g_print (" %s %-52s %8.3f\n", recur_auto_averages_theta (a) ? "+" : " ",
             _("Theta method (averaged in if under 2 × the chosen)"),
             recur_auto_get_theta_validation (a));
  reason = recur_auto_describe_choice (a);
  g_print (_("Chosen: %s\n\n"), reason);
}

/* Training runs on a worker thread so that Ctrl-C, seen by the main loop, can cancel it
 * between two minibatches; the best weights are still written out. */
typedef struct
{
  RecurJob *job;
  GCancellable *cancellable;
  ProgressPrinter printer;
  GError *error;
  gboolean ok;
  GMainLoop *loop;
  /* --model auto: what the candidates start from, and what they gave */
  const RecurJobConfig *auto_base;
  GStrv auto_pinned;
  RecurSeries *auto_series;
  RecurAuto *auto_result;
} TrainRun;

static void
print_candidate (const RecurAutoCandidate *c,
                 guint                     index,
                 guint                     n,
                 gpointer                  user_data)
{
  const ProgressPrinter *printer = user_data;

  if (printer->quiet)
    return;
  if (c->error)
    g_printerr (_("auto %u/%u: %s: failed: %s\n"), index + 1, n, c->name, c->error);
  else
    g_printerr (_("auto %u/%u: %s: validation MASE %.3f (%.1f s)\n"), index + 1, n, c->name,
                c->validation_mase, c->seconds);
}

/* Auto's candidates, then the chosen one's job in run->job. */
static gboolean
run_auto (TrainRun *run)
{
  run->auto_result = recur_auto_run (run->auto_base, (const char *const *) run->auto_pinned,
                                     g_steal_pointer (&run->auto_series), run->cancellable,
                                     print_candidate, &run->printer, &run->error);
  if (run->auto_result == NULL)
    return FALSE;
  run->job = recur_auto_steal_job (run->auto_result);
  if (recur_auto_was_interrupted (run->auto_result))
    {
      /* Ctrl-C: the best candidate so far is written, as a stopped run's best weights are */
      g_set_error_literal (&run->error, G_IO_ERROR, G_IO_ERROR_CANCELLED, _("interrupted"));
      return FALSE;
    }
  return TRUE;
}

static void
quit_loop (gpointer loop)
{
  g_main_loop_quit (loop);
}

static gpointer
train_thread (gpointer data)
{
  TrainRun *run = data;

  run->printer.thread = g_thread_self ();
  if (run->auto_base)
    run->ok = run_auto (run);
  else
    {
      run->printer.n_members = recur_job_get_n_members (run->job);
      recur_job_set_member_progress (run->job, print_member_progress, &run->printer);
      run->ok = recur_job_train (run->job, run->cancellable, print_progress, &run->printer,
                                 &run->error);
    }
  /* Through the main context, never g_main_loop_quit from here: a quit that comes before
   * g_main_loop_run has started is lost, and a short run would then wait for ever. What the
   * run left reaches the main thread through g_thread_join; the idle's own memory, freed by
   * the main thread, is GLib's (engine/base/recur-sync.h). */
  recur_sync_ignore_begin ();
  g_idle_add_once (quit_loop, run->loop);
  recur_sync_ignore_end ();
  return NULL;
}

static gboolean
on_interrupt (gpointer data)
{
  TrainRun *run = data;

  g_cancellable_cancel (run->cancellable);
  return G_SOURCE_CONTINUE;
}

/* A minibatch that splits into shards trains on `threads` threads; BLAS is single-threaded
 * always: OpenBLAS's products change in their last bits with its thread count (an ESN's readout,
 * an unsharded minibatch), and the numbers must not depend on --threads. */
static void
configure_threads (RecurJobConfig *config,
                   gboolean        auto_model,
                   guint           threads)
{
  /* an ensemble's members, or Auto's candidates, take the threads, one each */
  config->train.threads = auto_model || config->ensemble > 1
                          || recur_train_shards (&config->model, config->train.batch_size) > 1
                            ? threads : 1;
  /* the process has --threads cores to train on, however many the machine has */
  recur_cores_set_total (threads);
  recur_blas_configure (1);
}

static int
cmd_train (int    argc,
           char **argv)
{
  RecurTrainOptions o;
  const GOptionEntry entries[] = {
    { "threads", 't', 0, G_OPTION_ARG_INT, &o.threads, N_("Threads to train with (default: one per core); results do not depend on it"), "N" },
    { "forecast-out", 'o', 0, G_OPTION_ARG_FILENAME, &o.forecast_out, N_("Write the test and future forecasts as CSV"), N_("FILE") },
    { "weights-out", 0, 0, G_OPTION_ARG_FILENAME, &o.weights_out, N_("Write the weights as safetensors"), N_("FILE") },
    { "summary-out", 0, 0, G_OPTION_ARG_FILENAME, &o.summary_out, N_("Write the results as JSON"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print the results as one JSON object"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, N_("No progress output"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context =
    recur_command_new_context ("train", _("FILE.csv"),
                               _("Train a recurrent network on one column of a CSV file, "
                                 "score it on the test part against naive baselines "
                                 "and forecast past the end of the data."));
  RecurJobConfig config;
  g_autoptr(RecurJob) job = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(JsonNode) result = NULL;
  GError *error = NULL, *forecast_error, *weights_error, *summary_error;
  TrainRun run = { 0 };
  GThread *thread;
  guint sigint;
  int status = EXIT_OK;
  gboolean auto_model;
  g_autoptr(RecurAuto) auto_result = NULL;

  recur_train_options_init (&o);
  recur_train_options_add_entries (&o, context);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    {
      int r = recur_command_usage_error (error->message);
      g_error_free (error);
      recur_train_options_clear (&o);
      return r;
    }
  if (argc != 2)
    {
      recur_train_options_clear (&o);
      return recur_command_usage_error (_("expected one CSV file"));
    }
  if (!recur_command_check_outputs ((const RecurCommandFile[]) { { "FILE.csv", argv[1] },
                                                                 { "--config", o.config },
                                                                 { NULL } },
                                    (RecurCommandOutput[]) { { "--forecast-out", &o.forecast_out },
                                                             { "--weights-out", &o.weights_out },
                                                             { "--summary-out", &o.summary_out },
                                                             { NULL } },
                                    &error))
    {
      int r = recur_command_usage_error (error->message);
      g_error_free (error);
      recur_train_options_clear (&o);
      return r;
    }

  recur_job_config_init (&config);
  if (!recur_train_options_read_config (&o, &config, &error))
    {
      recur_job_config_clear (&config);
      recur_train_options_clear (&o);
      return recur_command_fail (error);
    }
  if (!recur_train_options_to_config (&o, &config, &error))
    {
      int r = recur_command_usage_error (error->message);
      g_error_free (error);
      recur_job_config_clear (&config);
      recur_train_options_clear (&o);
      return r;
    }
  auto_model = recur_train_options_wants_auto (&o);
  configure_threads (&config, auto_model,
                     o.threads > 0 ? (guint) o.threads : g_get_num_processors ());
  if (auto_model)
    {
      /* every candidate takes the options: none is unused for all of them */
      run.auto_series = recur_series_load_csv (argv[1], &error);
      run.auto_pinned = recur_train_options_given (&o);
      run.auto_base = &config;
    }
  else
    {
      recur_train_options_warn_unused (&o, &config);
      job = run.job = recur_job_new_from_file (&config, argv[1], &error);
    }
  if (run.auto_series == NULL && job == NULL)
    {
      g_strfreev (run.auto_pinned);
      recur_job_config_clear (&config);
      recur_train_options_clear (&o);
      return recur_command_fail (error);
    }

  run.cancellable = cancellable;
  run.printer.tty = isatty (STDERR_FILENO);
  run.printer.quiet = o.quiet;
  run.loop = loop;
  sigint = g_unix_signal_add (SIGINT, on_interrupt, &run);
  thread = g_thread_new ("recur-train", train_thread, &run);
  g_main_loop_run (loop);
  g_thread_join (thread);
  g_source_remove (sigint);
  g_strfreev (run.auto_pinned);
  recur_job_config_clear (&config);
  auto_result = g_steal_pointer (&run.auto_result);
  if (auto_model)
    job = run.job;
  if (run.printer.bar_shown)
    fputc ('\n', stderr); /* end the bar's line, however training ended */

  if (!run.ok && job == NULL) /* Auto failed or was stopped before any candidate was chosen */
    {
      gboolean cancelled = g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

      g_printerr ("recur: %s\n", cancelled ? _("interrupted") : run.error->message);
      g_clear_error (&run.error);
      recur_train_options_clear (&o);
      return cancelled ? EXIT_INTERRUPTED : EXIT_FAILED;
    }
  if (!run.ok)
    {
      gboolean cancelled = g_error_matches (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      gboolean untrained = recur_job_get_summary (job)->best_epoch == 0;

      if (cancelled)
        g_printerr ("recur: %s\n", untrained ? _("interrupted before the first epoch ended: "
                                                 "there are no weights to write")
                                              : _("interrupted; writing the best weights so far"));
      else
        g_printerr ("recur: %s\n", run.error->message);
      status = cancelled ? EXIT_INTERRUPTED : EXIT_FAILED;
      g_clear_error (&run.error);
      if (untrained)
        {
          recur_train_options_clear (&o);
          return status; /* nothing trained: nothing worth writing */
        }
    }

  /* Every output is tried: one that cannot be written (a full disk) costs neither the others
   * nor the results, which are printed anyway; each failure is named and the status is 1. */
  result = recur_job_to_json (job); /* with Auto's report, when it chose */
  forecast_error = o.forecast_out && !recur_job_write_forecast (job, o.forecast_out, &error)
                   ? g_steal_pointer (&error) : NULL;
  weights_error = o.weights_out && !recur_job_save_weights (job, o.weights_out, &error)
                  ? g_steal_pointer (&error) : NULL;
  summary_error = o.summary_out && !recur_json_write_file (result, o.summary_out, &error)
                  ? g_steal_pointer (&error) : NULL;
  if (o.json)
    print_json (result, stdout);
  else
    {
      if (auto_result)
        print_auto (auto_result);
      print_report (job);
    }
  if (!o.json)
    {
      if (o.forecast_out && !forecast_error)
        g_print (_("Forecast written to %s\n"), o.forecast_out);
      if (o.weights_out && !weights_error)
        g_print (_("Weights written to %s\n"), o.weights_out);
      if (o.summary_out && !summary_error)
        g_print (_("Summary written to %s\n"), o.summary_out);
    }
  if (forecast_error || weights_error || summary_error)
    {
      status = EXIT_FAILED;
      if (forecast_error)
        recur_command_fail (forecast_error);
      if (weights_error)
        recur_command_fail (weights_error);
      if (summary_error)
        recur_command_fail (summary_error);
    }
  recur_train_options_clear (&o);
  return status;
}

/* ---- forecast ----------------------------------------------------------------------------- */

static int
cmd_forecast (int    argc,
              char **argv)
{
  g_autofree char *weights = NULL;
  g_autofree char *out = NULL;
  g_autofree char *column = NULL;
  int horizon = G_MININT; /* not given: the model's */
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "weights", 0, 0, G_OPTION_ARG_FILENAME, &weights, N_("Weights file written by “recur train --weights-out”"), N_("FILE") },
    { "horizon", 'H', 0, G_OPTION_ARG_INT, &horizon, N_("Steps to forecast (default: the model's horizon)"), "N" },
    { "column", 'c', 0, G_OPTION_ARG_STRING, &column, N_("Column to read (default: the one the model was trained on)"), N_("NAME") },
    { "forecast-out", 'o', 0, G_OPTION_ARG_FILENAME, &out, N_("Write the forecast as CSV"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the forecast as JSON"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context =
    recur_command_new_context ("forecast", _("FILE.csv"),
                               _("Forecast past the end of a CSV series with a "
                                 "model saved by “recur train”."));
  g_autoptr(GPtrArray) members = NULL;
  RecurModel *model;
  g_autoptr(RecurSeries) series = NULL;
  g_autofree double *values = NULL;
  g_autofree double *channels = NULL;
  g_autofree double *forecast = NULL;
  g_autofree gint64 *stamps = NULL;
  RecurExtraInputs extra;
  RecurModelInfo info = { 0 };
  const RecurModelSpec *spec;
  GError *error = NULL;
  guint col, n, steps, longest = 0;
  gint64 last;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    {
      int r = recur_command_usage_error (error->message);
      g_error_free (error);
      return r;
    }
  if (argc != 2)
    return recur_command_usage_error (_("expected one CSV file"));
  if (weights == NULL)
    return recur_command_usage_error (_("--weights FILE is required"));
  if (horizon != G_MININT && horizon < 1)
    return recur_command_usage_error (_("--horizon: the steps to forecast must be 1 or more"));
  if (!recur_command_check_outputs ((const RecurCommandFile[]) { { "FILE.csv", argv[1] },
                                                                 { "--weights", weights },
                                                                 { NULL } },
                                    (RecurCommandOutput[]) { { "--forecast-out", &out },
                                                             { NULL } },
                                    &error))
    {
      int r = recur_command_usage_error (error->message);
      g_error_free (error);
      return r;
    }

  /* one network, or an ensemble's members: their median is the forecast */
  members = recur_model_load_members (weights, &info, &error);
  if (members == NULL)
    return recur_command_fail (error);
  model = g_ptr_array_index (members, 0);
  spec = recur_model_get_spec (model);
  steps = horizon != G_MININT ? (guint) horizon : spec->horizon;
  if (steps > RECUR_MAX_FORECAST_STEPS)
    {
      recur_model_info_clear (&info);
      g_printerr (_("recur: --horizon: %u steps asked; at most %u can be forecast\n"), steps,
                  RECUR_MAX_FORECAST_STEPS);
      return EXIT_USAGE;
    }
  if (spec->strategy == RECUR_STRATEGY_DIRECT && steps > spec->horizon)
    {
      recur_model_info_clear (&info);
      g_printerr (_("recur: %s: a direct model forecasts at most %u steps; %u asked\n"),
                  weights, spec->horizon, steps);
      return EXIT_USAGE;
    }

  series = recur_series_load_csv (argv[1], &error);
  if (series == NULL
      || !recur_series_find_column (series, column ? column : (*info.column ? info.column : NULL),
                                    &col, &error)
      || !(values = recur_series_fill_missing (series, col, RECUR_MISSING_INTERPOLATE, &error)))
    {
      recur_model_info_clear (&info);
      return recur_command_fail (error);
    }
  n = recur_series_get_n_rows (series);
  if (!recur_model_info_place_series (&info, series, &error))
    {
      recur_model_info_clear (&info);
      return recur_command_fail (error);
    }
  for (guint k = 0; k < members->len; k++)
    longest = MAX (longest, recur_model_get_spec (g_ptr_array_index (members, k))->window);
  if (n < longest + info.transform.offset)
    {
      guint offset = info.transform.offset;

      recur_model_info_clear (&info);
      if (offset == 0)
        g_printerr (_("recur: %s: column “%s” has %u points; the model reads windows of %u\n"),
                    argv[1], recur_series_get_column_name (series, col), n, longest);
      else
        g_printerr (ngettext ("recur: %s: column “%s” has %u points; the model reads windows "
                              "of %u and, for its differencing, %u point before them\n",
                              "recur: %s: column “%s” has %u points; the model reads windows "
                              "of %u and, for its differencing, %u points before them\n",
                              offset),
                    argv[1], recur_series_get_column_name (series, col), n, longest, offset);
      return EXIT_FAILED;
    }

  /* the inputs beside the target: the same columns, scaled as in training; the calendar of
   * the rows forecast */
  if (recur_covariates_n_channels (&info.covariates) > 0
      && !(channels = recur_covariates_channels (&info.covariates, series, n, steps,
                                                 RECUR_MISSING_INTERPOLATE, n, &error)))
    {
      recur_model_info_clear (&info);
      return recur_command_fail (error);
    }
  extra = (RecurExtraInputs) {
    .values = channels,
    .n_channels = recur_covariates_n_channels (&info.covariates),
    .n_levelled = info.covariates.n_inputs,
    .n_rows = n + steps,
  };
  forecast = g_new (double, steps);
  stamps = g_new (gint64, steps);
  if (!recur_forecast_ensemble ((RecurModel *const *) members->pdata, members->len,
                                &info.transform, values, n, channels ? &extra : NULL, steps,
                                forecast, NULL, &error))
    {
      /* Translators: before why the forecast failed (as Theta's minimum of points): the file
       * and the column */
      g_prefix_error (&error, _("%s: column “%s”: "), argv[1],
                      recur_series_get_column_name (series, col));
      recur_model_info_clear (&info);
      return recur_command_fail (error);
    }
  last = recur_series_get_timestamps (series) ? recur_series_get_timestamps (series)[n - 1]
                                              : (gint64) n - 1;
  for (guint h = 0; h < steps; h++)
    stamps[h] = recur_series_advance_timestamp (series, last, h + 1);
  recur_model_info_clear (&info);

  if (out && !recur_write_forecast_csv (series, recur_series_get_column_name (series, col),
                                        stamps, forecast, NULL, steps, out, &error))
    return recur_command_fail (error);
  if (json)
    {
      g_autoptr(JsonBuilder) b = json_builder_new ();
      g_autoptr(JsonNode) root = NULL;
      json_builder_begin_array (b);
      for (guint h = 0; h < steps; h++)
        {
          g_autofree char *when = recur_series_format_timestamp (series, stamps[h]);
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "timestamp");
          json_builder_add_string_value (b, when);
          json_builder_set_member_name (b, "value");
          json_builder_add_double_value (b, forecast[h]);
          json_builder_end_object (b);
        }
      json_builder_end_array (b);
      root = json_builder_get_root (b);
      print_json (root, stdout);
    }
  else if (!out)
    for (guint h = 0; h < steps; h++)
      {
        g_autofree char *when = recur_series_format_timestamp (series, stamps[h]);
        g_print ("%s,%.10g\n", when, forecast[h]);
      }
  else
    g_print (_("Forecast written to %s\n"), out);
  return EXIT_OK;
}

/* ---- info --------------------------------------------------------------------------------- */

static JsonNode *
info_to_json (const RecurSeries *series)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  int time_col = recur_series_get_time_column (series);
  guint n = recur_series_get_n_rows (series);
  const char *freq = recur_frequency_to_string (recur_series_get_frequency (series));
  guint season = recur_job_dates_season (series);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rows");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "time_column");
  if (time_col >= 0)
    json_builder_add_string_value (b, recur_series_get_column_name (series, (guint) time_col));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "frequency");
  if (freq)
    json_builder_add_string_value (b, freq);
  else
    json_builder_add_null_value (b);
  /* without usable dates the season comes from the values before the test part, which
   * depend on the horizon: `recur train` finds it */
  json_builder_set_member_name (b, "season");
  if (season > 0)
    json_builder_add_int_value (b, season);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "season_source");
  if (season > 0)
    json_builder_add_string_value (b, recur_season_source_to_string (RECUR_SEASON_FROM_DATES));
  else
    json_builder_add_null_value (b);
  for (guint k = 0; k < 2; k++)
    {
      json_builder_set_member_name (b, k ? "last" : "first");
      if (time_col >= 0)
        {
          g_autofree char *when = recur_series_format_timestamp (
            series, recur_series_get_timestamps (series)[k ? n - 1 : 0]);
          json_builder_add_string_value (b, when);
        }
      else
        json_builder_add_null_value (b);
    }
  json_builder_set_member_name (b, "columns");
  json_builder_begin_array (b);
  for (guint c = 0; c < recur_series_get_n_columns (series); c++)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, recur_series_get_column_name (series, c));
      json_builder_set_member_name (b, "type");
      json_builder_add_string_value (b, recur_column_type_to_string (
                                          recur_series_get_column_type (series, c)));
      json_builder_set_member_name (b, "missing");
      json_builder_add_int_value (b, recur_series_get_missing_count (series, c));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* Columns that share a name: --column and --inputs refuse the name, so say so here first. */
static void
print_shared_names (const RecurSeries *series)
{
  g_autoptr(GHashTable) first = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint c = 0; c < recur_series_get_n_columns (series); c++)
    {
      const char *name = recur_series_get_column_name (series, c);
      gpointer earlier;

      if (g_hash_table_lookup_extended (first, name, NULL, &earlier))
        g_print (_("Columns %u and %u are both named “%s”: rename one to choose either\n"),
                 GPOINTER_TO_UINT (earlier) + 1, c + 1, name);
      else
        g_hash_table_insert (first, (gpointer) name, GUINT_TO_POINTER (c));
    }
}

static void
print_info (const RecurSeries *series)
{
  int time_col = recur_series_get_time_column (series);
  guint n = recur_series_get_n_rows (series);
  guint season = recur_job_dates_season (series);

  g_print (_("File: %s\n"), recur_series_get_path (series));
  g_print (_("Rows: %u\n"), n);
  if (time_col >= 0)
    {
      const gint64 *ts = recur_series_get_timestamps (series);
      g_autofree char *first = recur_series_format_timestamp (series, ts[0]);
      g_autofree char *last = recur_series_format_timestamp (series, ts[n - 1]);
      g_print (_("Time column: “%s”, %s, from %s to %s\n"),
               recur_series_get_column_name (series, (guint) time_col),
               recur_frequency_to_display (recur_series_get_frequency (series)), first, last);
    }
  else
    g_print ("%s\n", _("Time column: none (the row number is the time axis)"));
  if (season > 0)
    {
      g_autofree char *text = recur_season_source_describe (RECUR_SEASON_FROM_DATES, season);
      /* Translators: %s is the season and where it came from, as in “12, from the dates” */
      g_print (_("Season: %s\n"), text);
    }
  else
    g_print ("%s\n", _("Season: none from the dates; training looks for one in the values "
                       "before the test part"));
  g_print ("%s\n", _("Columns:"));
  for (guint c = 0; c < recur_series_get_n_columns (series); c++)
    g_print (_("  %-24s %-8s %u missing\n"), recur_series_get_column_name (series, c),
             recur_column_type_to_string (recur_series_get_column_type (series, c)),
             recur_series_get_missing_count (series, c));
  print_shared_names (series);
}

/* ---- export --------------------------------------------------------------------------------- */

static int
cmd_export (int    argc,
            char **argv)
{
  g_autofree char *onnx = NULL;
  const GOptionEntry entries[] = {
    { "onnx", 0, 0, G_OPTION_ARG_FILENAME, &onnx, N_("Write an ONNX model that maps raw windows to forecasts, the scaling and transforms included"), N_("FILE") },
    { NULL },
  };
  g_autoptr(GOptionContext) context =
    recur_command_new_context ("export", _("WEIGHTS.safetensors"),
                               _("Convert a weights file written by “recur train” for other "
                                 "tools."));
  g_autoptr(GPtrArray) members = NULL;
  g_autofree char *columns = NULL;
  RecurModelInfo info = { 0 };
  const RecurModelSpec *spec;
  GError *error = NULL;
  guint length;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    {
      int r = recur_command_usage_error (error->message);
      g_error_free (error);
      return r;
    }
  if (argc != 2)
    return recur_command_usage_error (_("expected one weights file"));
  if (onnx == NULL)
    return recur_command_usage_error (_("--onnx FILE is required"));
  if (!recur_command_check_outputs ((const RecurCommandFile[]) { { "WEIGHTS.safetensors",
                                                                   argv[1] },
                                                                 { NULL } },
                                    (RecurCommandOutput[]) { { "--onnx", &onnx }, { NULL } },
                                    &error))
    {
      int r = recur_command_usage_error (error->message);
      g_error_free (error);
      return r;
    }
  members = recur_model_load_members (argv[1], &info, &error);
  if (members == NULL
      || !recur_onnx_export ((RecurModel *const *) members->pdata, members->len, &info, onnx,
                             &error))
    {
      recur_model_info_clear (&info);
      return recur_command_fail (error);
    }
  spec = recur_model_get_spec (g_ptr_array_index (members, 0));
  length = recur_onnx_window_length ((RecurModel *const *) members->pdata, members->len, &info);
  columns = info.covariates.names ? g_strjoinv (", ", info.covariates.names) : NULL;
  g_print (_("ONNX model written to %s\n"), onnx);
  if (columns)
    g_print (_("  input “window”: [batch, %u, %u]: the last %u values of “%s”, then of %s\n"),
             length, spec->input_size, length, info.column, columns);
  else
    g_print (_("  input “window”: [batch, %u, 1]: the last %u values of “%s”\n"), length,
             length, info.column);
  g_print (_("  output “forecast”: [batch, %u]: the next %u values, in the same units\n"),
           spec->horizon, spec->horizon);
  recur_model_info_clear (&info);
  return EXIT_OK;
}

static int
cmd_info (int    argc,
          char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the result as JSON"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context =
    recur_command_new_context ("info", _("FILE.csv"),
                               _("Show the columns, time column, frequency and season Recur "
                                 "finds in a CSV file."));
  g_autoptr(RecurSeries) series = NULL;
  GError *error = NULL;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_options (context, &argc, &argv, &error))
    {
      int r = recur_command_usage_error (error->message);
      g_error_free (error);
      return r;
    }
  if (argc != 2)
    return recur_command_usage_error (_("expected one CSV file"));
  series = recur_series_load_csv (argv[1], &error);
  if (series == NULL)
    return recur_command_fail (error);
  if (json)
    {
      g_autoptr(JsonNode) root = info_to_json (series);
      print_json (root, stdout);
    }
  else
    print_info (series);
  return EXIT_OK;
}
