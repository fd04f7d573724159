/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `recur sweep` and `recur project`: parse, build the runs, connect them to the main loop and
 * the project, print. The work is the engine's (RecurSweep, RecurRun, RecurProject,
 * RecurComparison). */
#define G_LOG_DOMAIN "recur-app"
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <glib-unix.h>
#include <math.h>
#include <stdio.h>
#include <unistd.h>

#include "recur-blas.h"
#include "recur-command.h"
#include "recur-comparison.h"
#include "recur-cores.h"
#include "recur-jsonutil.h"
#include "recur-project.h"
#include "recur-run.h"
#include "recur-sweep-command.h"
#include "recur-sweep.h"

/* The compact progress line on a terminal is redrawn at most this often. */
#define TTY_INTERVAL_US (200 * G_TIME_SPAN_MILLISECOND)

/* ---- printing the comparison ------------------------------------------------------------- */

static void
print_cell (double      v,
            int         width,
            const char *format)
{
  g_print (" ");
  if (isfinite (v))
    g_print (format, width, v);
  else
    g_print ("%*s", width + 2, "—"); /* "—" is 3 bytes, 1 column */
}

static int
name_width (const RecurComparison *table)
{
  int width = 4;

  for (guint i = 0; i < recur_comparison_get_n_rows (table); i++)
    width = MAX (width, (int) g_utf8_strlen (recur_comparison_get_row (table, i)->name, -1));
  return MIN (width, 40);
}

static void
print_header (const RecurComparison *table,
              int                    width)
{
  g_print ("     ");
  recur_command_print_padded (_("name"), width + 1);
  for (guint p = 0; p < recur_comparison_get_n_params (table); p++)
    g_print ("%10s ", recur_comparison_get_param (table, p));
  recur_command_print_padded (_("status"), 12);
  g_print ("%6s %5s %9s %9s %9s %8s %7s %9s %8s\n", _("epochs"), _("best"), _("val loss"), "MAE",
           "RMSE", "sMAPE %", "MASE", _("vs naive"), _("seconds"));
}

static void
print_row (const RecurComparison    *table,
           const RecurComparisonRow *row,
           int                       width)
{
  g_print ("%s%3u ", row->best ? "*" : " ", row->rank);
  recur_command_print_padded (row->name, width + 1);
  for (guint p = 0; p < recur_comparison_get_n_params (table); p++)
    {
      const char *value = recur_comparison_row_get_value (row, recur_comparison_get_param (table, p));
      g_print ("%10s ", value ? value : "");
    }
  recur_command_print_padded (recur_run_status_to_string (row->status), 12);
  g_print ("%6u %5u", row->epochs_run, row->best_epoch);
  print_cell (row->val_loss, 9, "%*.5f");
  print_cell (row->test.mae, 9, "%*.4g");
  print_cell (row->test.rmse, 9, "%*.4g");
  print_cell (row->test.smape, 8, "%*.2f");
  print_cell (row->test.mase, 7, "%*.3f");
  print_cell (row->relative_mase, 9, "%*.3f");
  print_cell (row->seconds, 8, "%*.1f");
  g_print ("\n");
}

/* Why runs failed or are damaged, under the table. */
static void
print_messages (const RecurComparison *table)
{
  gboolean first = TRUE;

  for (guint i = 0; i < recur_comparison_get_n_rows (table); i++)
    {
      const RecurComparisonRow *row = recur_comparison_get_row (table, i);
      if (row->message == NULL)
        continue;
      if (first)
        g_print ("\n%s\n", _("Failed or damaged runs:"));
      first = FALSE;
      g_print ("  %s: %s\n", row->name, row->message);
    }
}

static double
naive_mase (const RecurComparison *table)
{
  for (guint i = 0; i < recur_comparison_get_n_rows (table); i++)
    if (isfinite (recur_comparison_get_row (table, i)->naive.mase))
      return recur_comparison_get_row (table, i)->naive.mase;
  return NAN;
}

static void
print_comparison (const RecurComparison *table)
{
  int width = name_width (table);
  double naive = naive_mase (table);

  print_header (table, width);
  for (guint i = 0; i < recur_comparison_get_n_rows (table); i++)
    print_row (table, recur_comparison_get_row (table, i), width);
  print_messages (table);
  g_print ("\n%s\n", _("* the lowest test MASE. Sorted by test MASE; the metrics are on the test "
                       "part, from each run's best weights."));
  if (isfinite (naive))
    g_print (_("“vs naive” is the MASE divided by the naive forecast's (%.3f): below 1 beats "
               "repeating the last value.\n"), naive);
}

static void
print_json_to_stdout (JsonNode *node)
{
  g_autofree char *text = recur_json_to_data (node, TRUE, NULL);

  g_print ("%s\n", text);
}

/* --csv-out, --json-out: both tried, each failure named. */
static gboolean
write_outputs (const RecurComparison *table,
               const char            *csv_out,
               const char            *json_out)
{
  GError *error = NULL;
  gboolean ok = TRUE;

  if (csv_out && !recur_comparison_write_csv (table, csv_out, &error))
    {
      recur_command_fail (g_steal_pointer (&error));
      ok = FALSE;
    }
  if (json_out && !recur_comparison_write_json (table, json_out, &error))
    {
      recur_command_fail (g_steal_pointer (&error));
      ok = FALSE;
    }
  return ok;
}

/* ---- sweep: the runs ------------------------------------------------------------------- */

/* A point of the sweep and, once made, its run. Runs are made as workers free up and let go
 * once their row of the table is taken: a 10,000-run sweep holds `--jobs` models, datasets and
 * workspaces at a time, not 10,000. */
typedef struct
{
  RecurSweepPoint *point;   /* borrowed */
  gboolean         made;
  RecurRun        *run;     /* while it is made and not ended */
  GError          *error;   /* why it could not be made */
  RecurProjectRun *entry;   /* with --project */
  RecurComparison *row;     /* its row of the table, once it has ended */
} Item;

typedef struct
{
  GPtrArray    *items;
  GMainLoop    *loop;
  GThreadPool  *pool;
  guint         jobs;
  guint        *order;      /* the items in the order they start: the most work first */
  guint         next;       /* the first of order not made yet */
  guint         n_running;
  guint         n_done;
  RecurSeries  *series;
  RecurProject *project;
  GError       *project_error;  /* the first failed write: the runs go on, the command fails */
  gboolean      interrupted;
  gboolean      tty;
  gboolean      quiet;
  gboolean      line_shown;
  gint64        line_at;
  double        best_mase;
  const char   *best_name;
} Sweep;

static void
item_free (Item *item)
{
  g_clear_object (&item->run);
  g_clear_error (&item->error);
  g_clear_pointer (&item->row, recur_comparison_free);
  g_free (item);
}

/* The row of the table, kept; the run itself can go. */
static void
take_row (Item *item)
{
  RecurSweepPoint *p = item->point;
  const GError *error = item->run ? recur_run_get_error (item->run) : item->error;

  item->row = recur_comparison_new ();
  recur_comparison_add_job (item->row, p->name, p->values, p->n_values, &p->config,
                            item->run ? recur_run_get_status (item->run) : RECUR_RUN_FAILED,
                            error ? error->message : NULL,
                            item->run ? recur_run_get_job (item->run) : NULL);
}

static void
release_run (gpointer data)
{
  Item *item = data;

  g_clear_object (&item->run);
}

static void
note_project_error (Sweep  *sweep,
                    GError *error)
{
  if (sweep->project_error == NULL)
    {
      g_printerr (_("recur: cannot save to the project: %s\n"), error->message);
      sweep->project_error = error;
    }
  else
    g_error_free (error);
}

static void
draw_tty_line (Sweep    *sweep,
               gboolean  force)
{
  gint64 now = g_get_monotonic_time ();
  g_autofree char *best = NULL;

  if (sweep->quiet || !sweep->tty || (!force && now - sweep->line_at < TTY_INTERVAL_US))
    return;
  sweep->line_at = now;
  if (sweep->best_name)
    best = g_strdup_printf (_("best test MASE %.3f (%s)"), sweep->best_mase, sweep->best_name);
  fprintf (stderr, "\r\033[K");
  fprintf (stderr, _("[%u/%u done, %u training] %s"), sweep->n_done, sweep->items->len,
           sweep->n_running, best ? best : "");
  fflush (stderr);
  sweep->line_shown = TRUE;
}

/* One line per finished run when stderr is not a terminal. */
static void
print_finished_line (Sweep *sweep,
                     Item  *item)
{
  const RecurJob *job = item->run ? recur_run_get_job (item->run) : NULL;
  const RecurTrainSummary *s = job ? recur_job_get_summary (job) : NULL;
  const RecurEvaluation *ev = job ? recur_job_get_evaluation (job) : NULL;
  const GError *error = item->run ? recur_run_get_error (item->run) : item->error;
  RecurRunStatus status = item->run ? recur_run_get_status (item->run) : RECUR_RUN_FAILED;

  if (sweep->quiet || sweep->tty)
    return;
  fprintf (stderr, "[%u/%u] %s: %s", sweep->n_done, sweep->items->len, item->point->name,
           recur_run_status_to_string (status));
  if (s && s->best_epoch > 0)
    {
      fprintf (stderr, g_dngettext (GETTEXT_PACKAGE, ", %u epoch (best %u) in %.1f s",
                                    ", %u epochs (best %u) in %.1f s", s->epochs_run),
               s->epochs_run, s->best_epoch, s->seconds);
      if (ev)
        fprintf (stderr, _(", test MASE %.3f"), ev->model_metrics.mase);
    }
  if (error)
    fprintf (stderr, ": %s", error->message);
  fputc ('\n', stderr);
}

static void
note_best (Sweep *sweep,
           Item  *item)
{
  const RecurJob *job = recur_run_get_job (item->run);
  const RecurEvaluation *ev = recur_job_get_evaluation (job);
  RecurRunStatus status = recur_run_get_status (item->run);

  if (ev && recur_job_get_summary (job)->best_epoch > 0
      && (status == RECUR_RUN_FINISHED || status == RECUR_RUN_STOPPED)
      && isfinite (ev->model_metrics.mase)
      && (sweep->best_name == NULL || ev->model_metrics.mase < sweep->best_mase))
    {
      sweep->best_mase = ev->model_metrics.mase;
      sweep->best_name = item->point->name;
    }
}

static void start_more (Sweep *sweep);

static void
item_done (Sweep *sweep,
           Item  *item)
{
  sweep->n_done++;
  if (item->run)
    note_best (sweep, item);
  print_finished_line (sweep, item);
  draw_tty_line (sweep, TRUE);
  take_row (item);
  if (item->run) /* not from inside its own "finished" emission */
    g_idle_add_once (release_run, item);
}

static Sweep *
sweep_of (Item *item)
{
  return g_object_get_data (G_OBJECT (item->run), "recur-sweep");
}

static void
on_progress (RecurRun *run,
             gpointer  data)
{
  Item *item = data;
  Sweep *sweep = sweep_of (item);
  GError *error = NULL;

  if (item->entry && !recur_project_sync_run (sweep->project, item->entry, run, &error))
    note_project_error (sweep, error);
  draw_tty_line (sweep, FALSE);
}

static void
on_finished (RecurRun *run,
             gpointer  data)
{
  Item *item = data;
  Sweep *sweep = sweep_of (item);
  GError *error = NULL;

  if (item->entry && !recur_project_sync_run (sweep->project, item->entry, run, &error))
    note_project_error (sweep, error);
  sweep->n_running--;
  item_done (sweep, item);
  start_more (sweep);
}

/* Runs not made yet stay queued: they are listed, never started. */
static gboolean
on_interrupt (gpointer data)
{
  Sweep *sweep = data;

  if (!sweep->interrupted && !sweep->quiet)
    {
      if (sweep->line_shown)
        fputc ('\n', stderr);
      g_printerr ("%s\n", _("recur: interrupted; stopping every run (each keeps its best "
                            "weights)"));
    }
  sweep->interrupted = TRUE;
  for (guint i = 0; i < sweep->next; i++)
    {
      Item *item = g_ptr_array_index (sweep->items, sweep->order[i]);
      if (item->run && recur_run_is_active (item->run))
        recur_run_stop (item->run);
    }
  return G_SOURCE_CONTINUE;
}

/* In the project, a run that could not be made is kept as failed, with its reason. */
static void
record_item (Sweep *sweep,
             Item  *item)
{
  RecurSweepPoint *point = item->point;
  GError *error = NULL;

  if (item->run)
    item->entry = recur_project_add_recur_run (sweep->project, item->run, point->values,
                                               point->n_values, &error);
  else
    {
      item->entry = recur_project_add_run (sweep->project, point->name, &point->config,
                                           point->values, point->n_values, &error);
      if (item->entry)
        recur_project_write_result (sweep->project, item->entry, RECUR_RUN_FAILED,
                                    item->error->message, NULL, &error);
    }
  if (error)
    note_project_error (sweep, error);
}

/* A run that cannot even be made (a two-layer ESN, a window longer than the data) is listed as
 * failed, as is one that fails while training. */
static void
make_item (Sweep *sweep,
           Item  *item)
{
  item->made = TRUE;
  item->run = recur_run_new (item->point->name, &item->point->config, sweep->series,
                             &item->error);
  if (sweep->project)
    record_item (sweep, item);
  if (item->run == NULL)
    return;
  g_object_set_data (G_OBJECT (item->run), "recur-sweep", sweep);
  g_signal_connect (item->run, "progress", G_CALLBACK (on_progress), item);
  g_signal_connect (item->run, "finished", G_CALLBACK (on_finished), item);
}

/* Keeps `jobs` runs training until every point has had its turn (or Ctrl-C); quits the loop
 * once the last has ended. */
static void
start_more (Sweep *sweep)
{
  while (!sweep->interrupted && sweep->n_running < sweep->jobs
         && sweep->next < sweep->items->len)
    {
      Item *item = g_ptr_array_index (sweep->items, sweep->order[sweep->next++]);

      make_item (sweep, item);
      if (item->run == NULL)
        {
          item_done (sweep, item);
          continue;
        }
      sweep->n_running++;
      recur_run_start (item->run, sweep->pool);
    }
  if (sweep->n_running == 0 && g_main_loop_is_running (sweep->loop))
    g_main_loop_quit (sweep->loop);
}

static RecurComparison *
compare_items (Sweep *sweep)
{
  RecurComparison *table = recur_comparison_new ();

  for (guint i = 0; i < sweep->items->len; i++)
    {
      Item *item = g_ptr_array_index (sweep->items, i);
      RecurSweepPoint *p = item->point;

      if (item->row)
        recur_comparison_add_row (table, recur_comparison_get_row (item->row, 0));
      else /* never started */
        recur_comparison_add_job (table, p->name, p->values, p->n_values, &p->config,
                                  RECUR_RUN_QUEUED, NULL, NULL);
    }
  recur_comparison_sort (table);
  return table;
}

/* Trains every point, `jobs` at a time; returns when all have ended (or Ctrl-C stopped them). */
static void
run_sweep (Sweep     *sweep,
           GPtrArray *points,
           guint      jobs)
{
  guint sigint;

  g_autofree const RecurJobConfig **configs = g_new (const RecurJobConfig *, points->len);

  for (guint i = 0; i < points->len; i++)
    {
      Item *item = g_new0 (Item, 1);
      item->point = g_ptr_array_index (points, i);
      g_ptr_array_add (sweep->items, item);
      configs[i] = &item->point->config;
    }
  /* the table is in the grid's order, whatever the order the runs train in */
  sweep->order = g_new (guint, points->len);
  recur_sweep_order_by_cost (configs, points->len, sweep->order);
  sweep->jobs = jobs;
  sweep->pool = recur_run_pool_new (jobs);
  /* --jobs is also the cores training takes: an ensemble's members use those no run holds */
  recur_cores_set_total (jobs);
  sigint = g_unix_signal_add (SIGINT, on_interrupt, sweep);
  start_more (sweep);
  draw_tty_line (sweep, TRUE);
  if (sweep->n_running > 0)
    g_main_loop_run (sweep->loop);
  while (g_main_context_pending (NULL)) /* the last runs' release_run */
    g_main_context_iteration (NULL, FALSE);
  g_source_remove (sigint);
  recur_run_pool_free (sweep->pool);
  g_clear_pointer (&sweep->order, g_free);
  if (sweep->line_shown)
    fputc ('\n', stderr);
}

/* ---- sweep: the command ---------------------------------------------------------------- */

typedef struct
{
  char   **grid;
  char   **bounds;
  int      random;
  gint64   random_seed;
  int      jobs;
  gboolean json;
  gboolean quiet;
  char    *csv_out;
  char    *json_out;
  char    *project;
} SweepOptions;

static void
sweep_options_clear (SweepOptions *o)
{
  g_strfreev (o->grid);
  g_strfreev (o->bounds);
  g_free (o->csv_out);
  g_free (o->json_out);
  g_free (o->project);
}

/* The base configuration and the sweep's specs; errors name the option and the spec, or the
 * --config file (then bad_file is set). */
static GPtrArray *
build_points (const RecurTrainOptions  *train,
              const SweepOptions       *o,
              gboolean                 *bad_file,
              GError                  **error)
{
  RecurJobConfig base;
  g_autoptr(RecurSweep) sweep = NULL;
  gboolean ok;

  recur_job_config_init (&base);
  *bad_file = !recur_train_options_read_config (train, &base, error);
  if (!*bad_file && recur_train_options_model_is_auto (train))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--model %s chooses one configuration by itself: give it to “recur "
                     "train”; a sweep compares the cells you name"), RECUR_MODEL_AUTO);
      recur_job_config_clear (&base);
      return NULL;
    }
  ok = !*bad_file && recur_train_options_to_config (train, &base, error);
  sweep = recur_sweep_new (&base);
  recur_job_config_clear (&base);
  if (!ok)
    return NULL;
  for (guint i = 0; o->grid && o->grid[i]; i++)
    if (!recur_sweep_add_grid (sweep, o->grid[i], error))
      {
        g_prefix_error (error, "--grid: ");
        return NULL;
      }
  for (guint i = 0; o->bounds && o->bounds[i]; i++)
    if (!recur_sweep_add_bounds (sweep, o->bounds[i], error))
      {
        g_prefix_error (error, "--bounds: ");
        return NULL;
      }
  if (o->random < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--random must be at least 1, not %d"), o->random);
      return NULL;
    }
  recur_sweep_set_random (sweep, (guint) o->random, (guint64) o->random_seed);
  return recur_sweep_expand (sweep, error);
}

/* An existing project takes the sweep's runs if they are on its data: the same file (size and
 * SHA-256, wherever it is now) and the same column. One that lost its data reference takes this
 * file. */
static gboolean
reuse_project (RecurProject  *project,
               const char    *csv,
               const char    *column,
               GError       **error)
{
  const RecurProjectData *d = recur_project_get_data (project);

  if (d && !recur_project_data_matches (project, csv, error))
    return FALSE;
  if (d && d->column && !g_str_equal (d->column, column))
    {
      g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_MISMATCH,
                   _("%s compares runs on column “%s”, not “%s”"),
                   recur_project_get_path (project), d->column, column);
      return FALSE;
    }
  return (recur_project_check_data (project, NULL)
          || recur_project_set_data_path (project, csv, FALSE, error))
         && (!recur_project_is_recovered (project) || recur_project_save (project, error));
}

/* --project: opened, or made. */
static RecurProject *
open_project (const char   *path,
              const char   *csv,
              RecurSeries  *series,
              const char   *column,
              GError      **error)
{
  g_autoptr(GError) local = NULL;
  RecurProject *project;
  const char *name;
  GPtrArray *issues;
  guint col;

  if (!recur_series_find_column (series, column, &col, error))
    return NULL;
  name = recur_series_get_column_name (series, col);
  project = recur_project_open (path, RECUR_PROJECT_WRITE, &local);
  if (project == NULL && g_error_matches (local, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_NOT_FOUND))
    return recur_project_create (path, csv, name, error);
  if (project == NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  issues = recur_project_get_issues (project);
  for (guint i = 0; i < issues->len; i++)
    g_printerr (_("recur: warning: %s\n"), ((GError *) g_ptr_array_index (issues, i))->message);
  if (!reuse_project (project, csv, name, error))
    {
      recur_project_free (project);
      return NULL;
    }
  return project;
}

static guint
default_jobs (void)
{
  return MAX (g_get_num_processors (), 1);
}

static int
finish_sweep (Sweep              *sweep,
              const SweepOptions *o)
{
  g_autoptr(RecurComparison) table = compare_items (sweep);
  gboolean any_scored = FALSE;

  for (guint i = 0; i < recur_comparison_get_n_rows (table); i++)
    any_scored |= recur_comparison_get_row (table, i)->scored;
  if (o->json)
    {
      g_autoptr(JsonNode) root = recur_comparison_to_json (table);
      print_json_to_stdout (root);
    }
  else
    print_comparison (table);
  if (!write_outputs (table, o->csv_out, o->json_out))
    return EXIT_FAILED;
  if (sweep->interrupted)
    return EXIT_INTERRUPTED;
  if (sweep->project_error || !any_scored)
    return EXIT_FAILED;
  return EXIT_OK;
}

static int
sweep_with (RecurTrainOptions *train,
            SweepOptions      *o,
            const char        *csv)
{
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(RecurSeries) series = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Sweep sweep = { 0 };
  GError *error = NULL;
  gboolean bad_file;
  int status;

  points = build_points (train, o, &bad_file, &error);
  if (points == NULL && bad_file)
    return recur_command_fail (error);
  if (points == NULL)
    {
      status = recur_command_usage_error (error->message);
      g_error_free (error);
      return status;
    }
  if (o->jobs < 0)
    return recur_command_usage_error (_("--jobs must be at least 1"));
  /* runs × BLAS threads ≤ cores: each run gets one BLAS thread */
  recur_blas_configure (1);
  series = recur_series_load_csv (csv, &error);
  /* the column every run reads, refused once rather than by every run */
  if (series == NULL
      || !recur_series_find_column (series,
                                    ((const RecurSweepPoint *) g_ptr_array_index (points, 0))
                                      ->config.column, NULL, &error))
    return recur_command_fail (error);
  sweep.items = g_ptr_array_new_with_free_func ((GDestroyNotify) item_free);
  sweep.loop = loop;
  sweep.tty = isatty (STDERR_FILENO);
  sweep.quiet = o->quiet;
  if (o->project)
    {
      const RecurSweepPoint *first = g_ptr_array_index (points, 0);
      sweep.project = open_project (o->project, csv, series, first->config.column, &error);
      if (sweep.project == NULL)
        {
          g_ptr_array_unref (sweep.items);
          return recur_command_fail (error);
        }
    }
  sweep.series = series;
  run_sweep (&sweep, points, o->jobs > 0 ? (guint) o->jobs : default_jobs ());
  status = finish_sweep (&sweep, o);
  g_ptr_array_unref (sweep.items);
  g_clear_pointer (&sweep.project, recur_project_free);
  g_clear_error (&sweep.project_error);
  return status;
}

int
recur_sweep_command (int    argc,
                     char **argv)
{
  SweepOptions o = { .random_seed = 1 };
  const GOptionEntry entries[] = {
    { "grid", 'g', 0, G_OPTION_ARG_STRING_ARRAY, &o.grid, N_("A swept parameter: NAME=V1,V2,… or NAME=START:STOP:N or NAME=START:STOP:log:N (once or twice)"), N_("SPEC") },
    { "random", 0, 0, G_OPTION_ARG_INT, &o.random, N_("N random samples instead of a grid, within --bounds"), "N" },
    { "bounds", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.bounds, N_("Where --random draws a parameter: NAME=LO:HI, NAME=LO:HI:log, NAME=LO:HI:int or NAME=V1,V2,…"), N_("SPEC") },
    { "random-seed", 0, 0, G_OPTION_ARG_INT64, &o.random_seed, N_("Seed of the random samples (default 1); --seed seeds the runs"), "N" },
    { "jobs", 'j', 0, G_OPTION_ARG_INT, &o.jobs, N_("Runs trained at once, each on one BLAS thread (default: one per core)"), "N" },
    { "project", 'p', 0, G_OPTION_ARG_FILENAME, &o.project, N_("Save every run, as it trains, into this project folder (made if needed)"), N_("DIR.recur") },
    { "csv-out", 0, 0, G_OPTION_ARG_FILENAME, &o.csv_out, N_("Write the comparison table as CSV"), N_("FILE") },
    { "json-out", 0, 0, G_OPTION_ARG_FILENAME, &o.json_out, N_("Write the comparison table as JSON"), N_("FILE") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &o.json, N_("Print the comparison table as JSON"), NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &o.quiet, N_("No progress output"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context =
    recur_command_new_context ("sweep", _("FILE.csv"),
                               _("Train many runs of one CSV column at once, over a grid or random "
                                 "samples of one or two hyperparameters, and compare them on the "
                                 "test part. Every “recur train” option sets the base of the "
                                 "runs."));
  g_autoptr(RecurTrainOptions) train = recur_train_options_new ();
  GError *error = NULL;
  int status;

  recur_train_options_add_entries (train, context);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = recur_command_usage_error (error->message);
      g_error_free (error);
    }
  else if (argc != 2)
    status = recur_command_usage_error (_("expected one CSV file"));
  else if (!recur_command_check_outputs ((const RecurCommandFile[]) { { "FILE.csv", argv[1] },
                                                                      { "--config",
                                                                        train->config },
                                                                      { NULL } },
                                         (RecurCommandOutput[]) { { "--csv-out", &o.csv_out },
                                                                  { "--json-out", &o.json_out },
                                                                  { NULL } },
                                         &error)
           || (o.project && o.csv_out
               && !recur_command_check_outside ("--csv-out", o.csv_out, o.project, &error))
           || (o.project && o.json_out
               && !recur_command_check_outside ("--json-out", o.json_out, o.project, &error)))
    {
      status = recur_command_usage_error (error->message);
      g_error_free (error);
    }
  else
    status = sweep_with (train, &o, argv[1]);
  sweep_options_clear (&o);
  return status;
}

/* ---- project ----------------------------------------------------------------------------- */

static const char *
issue_id (const GError *issue)
{
  static const char *const ids[] = { "not-found", "exists", "version", "corrupt", "missing-file",
                                     "data-moved", "data-changed", "data-mismatch", "invalid",
                                     "locked", "unsafe-path" };

  if (issue->domain == RECUR_PROJECT_ERROR && (guint) issue->code < G_N_ELEMENTS (ids))
    return ids[issue->code];
  return "error";
}

static RecurComparison *
compare_project (RecurProject *project)
{
  RecurComparison *table = recur_comparison_new ();

  for (guint i = 0; i < recur_project_get_n_runs (project); i++)
    recur_comparison_add_project_run (table, recur_project_get_run (project, i));
  recur_comparison_sort (table);
  return table;
}

static JsonNode *
project_to_json (RecurProject          *project,
                 const RecurComparison *table)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const RecurProjectData *d = recur_project_get_data (project);
  GPtrArray *issues = recur_project_get_issues (project);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "path");
  json_builder_add_string_value (b, recur_project_get_path (project));
  json_builder_set_member_name (b, "data");
  if (d)
    {
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "path");
      json_builder_add_string_value (b, d->path);
      json_builder_set_member_name (b, "size");
      json_builder_add_int_value (b, (gint64) d->size);
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, d->sha256);
      json_builder_set_member_name (b, "column");
      if (d->column)
        json_builder_add_string_value (b, d->column);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "issues");
  json_builder_begin_array (b);
  for (guint i = 0; i < issues->len; i++)
    {
      const GError *issue = g_ptr_array_index (issues, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "code");
      json_builder_add_string_value (b, issue_id (issue));
      json_builder_set_member_name (b, "message");
      json_builder_add_string_value (b, issue->message);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "runs");
  json_builder_add_value (b, recur_comparison_to_json (table));
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static void
print_project (RecurProject          *project,
               const RecurComparison *table)
{
  const RecurProjectData *d = recur_project_get_data (project);

  g_print (_("Project: %s\n"), recur_project_get_path (project));
  if (d)
    g_print (_("Data: %s, column “%s” (%" PRIu64 " bytes, SHA-256 %.16s…)\n"), d->path,
             d->column ? d->column : _("the first numeric one"), d->size, d->sha256);
  g_print (g_dngettext (GETTEXT_PACKAGE, "%u run\n\n", "%u runs\n\n",
                        recur_project_get_n_runs (project)),
           recur_project_get_n_runs (project));
  if (recur_project_get_n_runs (project) > 0)
    print_comparison (table);
}

/* info and export-table only look (no lock: they work while a sweep writes to the project);
 * relocate writes. */
static RecurProject *
open_project_folder (const char          *path,
                     RecurProjectAccess   access,
                     gboolean             warn)
{
  GError *error = NULL;
  RecurProject *project = recur_project_open (path, access, &error);
  GPtrArray *issues;

  if (project == NULL)
    {
      recur_command_fail (error);
      return NULL;
    }
  issues = recur_project_get_issues (project);
  for (guint i = 0; warn && i < issues->len; i++)
    g_printerr (_("recur: warning: %s\n"), ((GError *) g_ptr_array_index (issues, i))->message);
  return project;
}

static int
project_info (int    argc,
              char **argv)
{
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print the project as JSON"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context =
    recur_command_new_context ("project info", _("DIR.recur"),
                               _("List a project's runs and compare their test metrics; say what "
                                 "is damaged or moved."));
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(RecurComparison) table = NULL;
  GError *error = NULL;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = recur_command_usage_error (error->message);
      g_error_free (error);
      return status;
    }
  if (argc != 2)
    return recur_command_usage_error (_("expected one project folder"));
  project = open_project_folder (argv[1], RECUR_PROJECT_READ, TRUE);
  if (project == NULL)
    return EXIT_FAILED;
  table = compare_project (project);
  if (json)
    {
      g_autoptr(JsonNode) root = project_to_json (project, table);
      print_json_to_stdout (root);
    }
  else
    print_project (project, table);
  return EXIT_OK;
}

static int
project_export_table (int    argc,
                      char **argv)
{
  g_autoptr(GOptionContext) context =
    recur_command_new_context ("project export-table", _("DIR.recur FILE.csv"),
                               _("Write the comparison table of a project's runs as CSV."));
  g_autoptr(RecurProject) project = NULL;
  g_autoptr(RecurComparison) table = NULL;
  g_autofree char *out = NULL;
  const RecurProjectData *data;
  GError *error = NULL;
  int status;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = recur_command_usage_error (error->message);
      g_error_free (error);
      return status;
    }
  if (argc != 3)
    return recur_command_usage_error (_("expected a project folder and a CSV file to write"));
  project = open_project_folder (argv[1], RECUR_PROJECT_READ, TRUE);
  if (project == NULL)
    return EXIT_FAILED;
  out = g_strdup (argv[2]);
  data = recur_project_get_data (project);
  if (!recur_command_check_outputs ((const RecurCommandFile[]) {
                                      { _("the project's data"), data ? data->path : NULL },
                                      { NULL } },
                                    (RecurCommandOutput[]) { { "FILE.csv", &out }, { NULL } },
                                    &error)
      || !recur_command_check_outside ("FILE.csv", out, recur_project_get_path (project),
                                       &error))
    {
      status = recur_command_usage_error (error->message);
      g_error_free (error);
      return status;
    }
  table = compare_project (project);
  if (!recur_comparison_write_csv (table, out, &error))
    return recur_command_fail (error);
  return EXIT_OK;
}

static gboolean
check_relocated_data (RecurProject  *project,
                      const char    *csv,
                      GError       **error)
{
  const RecurProjectData *data = recur_project_get_data (project);
  g_autoptr(RecurSeries) series = NULL;

  /* before reading it: a FIFO would block the reading for ever */
  if (!recur_series_check_regular_file (csv, error))
    return FALSE;
  series = recur_series_load_csv (csv, error);
  if (series == NULL)
    return FALSE;
  return data == NULL || data->column == NULL || *data->column == '\0'
         || recur_series_find_column (series, data->column, NULL, error);
}

static int
project_relocate (int    argc,
                  char **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Accept a file whose contents differ from the data the runs were trained on"), NULL },
    { NULL },
  };
  g_autoptr(GOptionContext) context =
    recur_command_new_context ("project relocate", _("DIR.recur FILE.csv"),
                               _("Tell a project where its data file is now. The file must be the "
                                 "one the runs were trained on (same size and SHA-256) unless "
                                 "--force."));
  g_autoptr(RecurProject) project = NULL;
  GError *error = NULL;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = recur_command_usage_error (error->message);
      g_error_free (error);
      return status;
    }
  if (argc != 3)
    return recur_command_usage_error (_("expected a project folder and its CSV file"));
  project = open_project_folder (argv[1], RECUR_PROJECT_WRITE, FALSE);
  if (project == NULL)
    return EXIT_FAILED;
  /* forced, another file must still be a CSV holding the column the runs forecast (without,
   * only the project's own file, by size and hash, is taken) */
  if ((force && !check_relocated_data (project, argv[2], &error))
      || !recur_project_set_data_path (project, argv[2], force, &error))
    return recur_command_fail (error);
  return EXIT_OK;
}

int
recur_project_command (int    argc,
                       char **argv)
{
  static const struct
  {
    const char *name;
    int (*run) (int argc, char **argv);
    const char *summary;
  } subcommands[] = {
    { "info", project_info, N_("List the runs and their metrics (--json for JSON)") },
    { "export-table", project_export_table, N_("Write the comparison table as CSV") },
    { "relocate", project_relocate, N_("Point the project at its moved data file") },
  };

  for (guint i = 0; argc >= 2 && i < G_N_ELEMENTS (subcommands); i++)
    if (g_str_equal (argv[1], subcommands[i].name))
      return subcommands[i].run (argc - 1, argv + 1);
  g_print ("%s\n  recur project %s\n\n%s\n", _("Usage:"), _("COMMAND DIR.recur …"),
           _("Commands:"));
  for (guint i = 0; i < G_N_ELEMENTS (subcommands); i++)
    g_print ("  %-14s %s\n", subcommands[i].name, _(subcommands[i].summary));
  return argc >= 2 && (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
           ? EXIT_OK : EXIT_USAGE;
}
