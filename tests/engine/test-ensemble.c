/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ensembles (`--ensemble N`): members trained at once from seeds seed, seed + 1, …, combined by
 * the median; the same numbers whatever the thread count; their weights in one file. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "recur-cores.h"
#include "recur-job.h"
#include "recur-model-io.h"
#include "recur-project.h"
#include "recur-run.h"
#include "recur-safetensors.h"
#include "../test-tmp.h"

/* A seasonal monthly series with a trend and a little noise, from its row `first` on. */
static RecurSeries *
seasonal_series_from (guint first)
{
  g_autoptr(GString) csv = g_string_new ("date,y\n");
  g_autoptr(GError) error = NULL;
  RecurSeries *series;
  guint32 state = 7;

  for (guint i = 0; i < 120; i++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];
      double noise;

      state = state * 1664525u + 1013904223u;
      noise = (state >> 8) / 16777216.0 - 0.5;
      if (i < first)
        continue;
      g_string_append_printf (csv, "%04u-%02u-01,%s\n", 1950 + i / 12, 1 + i % 12,
                              g_ascii_dtostr (num, sizeof num,
                                              100 + 0.5 * i + 10 * sin (2 * G_PI * i / 12)
                                              + 2 * noise));
    }
  series = recur_series_load_csv_data (csv->str, csv->len, "seasonal.csv", &error);
  g_assert_no_error (error);
  return series;
}

static RecurSeries *
seasonal_series (void)
{
  return seasonal_series_from (0);
}

/* An ensemble of small networks on the seasonal series, every epoch trained (no early stop). */
static RecurJob *
new_job (RecurCellKind cell,
         guint         ensemble,
         guint64       seed,
         guint         threads,
         guint         epochs)
{
  g_autoptr(GError) error = NULL;
  RecurJobConfig config;
  RecurJob *job;

  recur_job_config_init (&config);
  config.model.cell = cell;
  config.model.hidden_size = 6;
  config.model.window = 12;
  config.model.horizon = 6;
  config.train.epochs = epochs;
  config.train.patience = 0;
  config.train.seed = seed;
  config.train.threads = threads;
  config.ensemble = ensemble;
  job = recur_job_new (&config, seasonal_series (), &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  return job;
}

static RecurJob *
trained_job (RecurCellKind cell,
             guint         ensemble,
             guint64       seed,
             guint         threads)
{
  g_autoptr(GError) error = NULL;
  RecurJob *job = new_job (cell, ensemble, seed, threads, 8);

  g_assert_true (recur_job_train (job, NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  return job;
}

static void
assert_same_doubles (const double *a,
                     const double *b,
                     gsize         n)
{
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpmem (a, n * sizeof (double), b, n * sizeof (double));
}

static void
test_median (void)
{
  double odd[] = { 3, -1, 7, 2, 5 };
  double even[] = { 4, 1, 3, 10 };
  double one[] = { 42 };

  g_assert_cmpfloat (recur_median (odd, 5), ==, 3);
  g_assert_cmpfloat (recur_median (even, 4), ==, 3.5);
  g_assert_cmpfloat (recur_median (one, 1), ==, 42);
}

/* Member k is the network `--seed S + k` trains alone, and the forecasts are the median of the
 * members', step by step. */
static void
test_members_are_the_single_runs (void)
{
  g_autoptr(RecurJob) ensemble = trained_job (RECUR_CELL_GRU, 3, 11, 1);
  const RecurEvaluation *ev = recur_job_get_evaluation (ensemble);
  const double *member_future = recur_job_get_member_future (ensemble);
  const double *future = recur_job_get_future (ensemble);
  guint n = ev->n_test;

  g_assert_cmpuint (recur_job_get_n_members (ensemble), ==, 3);
  g_assert_cmpuint (ev->n_members, ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      g_autoptr(RecurJob) alone = trained_job (RECUR_CELL_GRU, 1, 11 + k, 1);
      const RecurEvaluation *single = recur_job_get_evaluation (alone);
      RecurModel *model = recur_job_get_members (ensemble)[k];

      g_assert_null (single->member_forecast);
      g_assert_cmpmem (recur_model_peek_params (model),
                       recur_model_get_n_params (model) * sizeof (float),
                       recur_model_peek_params (recur_job_get_model (alone)),
                       recur_model_get_n_params (model) * sizeof (float));
      assert_same_doubles (ev->member_forecast + k * n, single->forecast, n);
      assert_same_doubles (member_future + k * 6, recur_job_get_future (alone), 6);
      g_assert_cmpfloat (ev->member_metrics[k].mase, ==, single->model_metrics.mase);
    }
  for (guint h = 0; h < n; h++)
    {
      double column[3] = { ev->member_forecast[h], ev->member_forecast[n + h],
                           ev->member_forecast[2 * n + h] };
      /* the middle one: at least one of the others on each side of it */
      double m = ev->forecast[h];
      guint below = 0, above = 0, equal = 0;

      for (guint k = 0; k < 3; k++)
        {
          below += column[k] < m;
          above += column[k] > m;
          equal += column[k] == m;
        }
      g_assert_cmpuint (equal, >=, 1);
      g_assert_cmpuint (below, <=, 1);
      g_assert_cmpuint (above, <=, 1);
    }
  for (guint h = 0; h < 6; h++)
    {
      double column[3] = { member_future[h], member_future[6 + h], member_future[12 + h] };
      g_assert_cmpfloat (future[h], ==, recur_median (column, 3));
    }
  /* the members differ: an ensemble of copies would be no ensemble */
  g_assert_true (memcmp (ev->member_forecast, ev->member_forecast + n, n * sizeof (double)) != 0);
}

/* Bit-identical for a seed whatever the number of threads the members train on. */
static void
test_thread_count_never_changes_the_numbers (void)
{
  const RecurCellKind cells[] = { RECUR_CELL_LSTM, RECUR_CELL_ESN };

  for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
    {
      g_autoptr(RecurJob) one = trained_job (cells[c], 4, 5, 1);
      const RecurEvaluation *ev1 = recur_job_get_evaluation (one);

      for (guint threads = 2; threads <= 5; threads++)
        {
          g_autoptr(RecurJob) more = NULL;

          recur_cores_set_total (threads); /* each thread a core, however many there are */
          more = trained_job (cells[c], 4, 5, threads);
          const RecurEvaluation *ev = recur_job_get_evaluation (more);

          assert_same_doubles (ev->forecast, ev1->forecast, ev->n_test);
          assert_same_doubles (ev->member_forecast, ev1->member_forecast, 4 * ev->n_test);
          assert_same_doubles (recur_job_get_future (more), recur_job_get_future (one), 6);
        }
    }
  recur_cores_set_total (0);
}

/* Long enough for the helpers to start while member 0 trains. */
#define MEMBER_EPOCHS 200

/* What each member told (from its own thread: each writes only its own k): its epochs in order,
 * then its end once. */
typedef struct
{
  guint epochs[4];
  guint ended[4];
  gboolean out_of_order[4];
} MembersSeen;

static void
on_member (guint    k,
           guint    epoch,
           guint    epochs,
           double   train_loss,
           double   val_loss,
           gboolean ended,
           gpointer user_data)
{
  MembersSeen *seen = user_data;

  g_assert_cmpuint (k, <, 4);
  g_assert_cmpuint (epochs, ==, MEMBER_EPOCHS);
  g_assert_true (ended ? isnan (train_loss) && isnan (val_loss)
                      : isfinite (train_loss) && isfinite (val_loss));
  if (ended)
    {
      seen->ended[k]++;
      seen->out_of_order[k] |= epoch != seen->epochs[k];
      return;
    }
  seen->out_of_order[k] |= epoch != seen->epochs[k] + 1 || seen->ended[k] > 0;
  seen->epochs[k] = epoch;
}

/* The members train on the cores that no other training holds, never more: with a budget of 3
 * cores, three at once on a team of four threads; with 2, one of which another training holds,
 * only on the job's own (its helpers never get one), one after another. Either way every member
 * trains, tells each epoch and its end, and the numbers are those of one thread. */
static void
test_members_use_only_spare_cores (void)
{
  g_autoptr(RecurJob) alone = new_job (RECUR_CELL_LSTM, 4, 9, 1, MEMBER_EPOCHS);
  const RecurEvaluation *ev1;
  const guint totals[] = { 3, 2 };

  g_assert_true (recur_job_train (alone, NULL, NULL, NULL, NULL));
  ev1 = recur_job_get_evaluation (alone);

  for (guint i = 0; i < G_N_ELEMENTS (totals); i++)
    {
      g_autoptr(RecurJob) job = new_job (RECUR_CELL_LSTM, 4, 9, 4, MEMBER_EPOCHS);
      g_autoptr(GError) error = NULL;
      MembersSeen seen = { 0 };
      gboolean other_training = totals[i] == 2;

      recur_cores_set_total (totals[i]);
      if (other_training)
        recur_cores_hold ();
      recur_cores_reset_peak ();
      recur_job_set_member_progress (job, on_member, &seen);
      g_assert_true (recur_job_train (job, NULL, NULL, NULL, &error));
      g_assert_no_error (error);
      if (other_training)
        {
          g_assert_cmpuint (recur_cores_get_peak (), ==, 2);
          recur_cores_release ();
        }
      else
        g_assert_cmpuint (recur_cores_get_peak (), ==, 3);
      for (guint k = 0; k < 4; k++)
        {
          g_assert_false (seen.out_of_order[k]);
          g_assert_cmpuint (seen.epochs[k], ==, MEMBER_EPOCHS);
          g_assert_cmpuint (seen.ended[k], ==, 1);
        }
      g_assert_cmpuint (recur_job_get_n_members (job), ==, 4);
      assert_same_doubles (recur_job_get_evaluation (job)->member_forecast,
                           ev1->member_forecast, 4 * ev1->n_test);
    }
  recur_cores_set_total (0);
}

/* Stopped before training: member 0 keeps its initial weights and the job is still scored, the
 * members that never started leave the ensemble; the error is the stop's. */
static void
test_cancel_before_training (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurJob) job = new_job (RECUR_CELL_LSTM, 3, 42, 2, 200);

  g_cancellable_cancel (cancellable);
  g_assert_false (recur_job_train (job, cancellable, NULL, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (recur_job_get_n_members (job), ==, 1);
  g_assert_cmpuint (recur_job_get_member_summary (job, 0)->epochs_run, ==, 0);
  g_assert_nonnull (recur_job_get_evaluation (job));
  g_assert_cmpuint (recur_job_get_evaluation (job)->n_members, ==, 1);
}

typedef struct
{
  GCancellable *cancellable;
  guint         at_epoch;
} StopAt;

static void
stop_at_epoch (const RecurProgress *p,
               gpointer             user_data)
{
  StopAt *stop = user_data;

  if (p->epoch == stop->at_epoch)
    g_cancellable_cancel (stop->cancellable);
}

/* Stopped while training, on 2 threads for 3 members: member 0 (the caller's) and member 1 (the
 * helper's, if it had finished an epoch) keep their best weights and make the median; member 2,
 * queued behind member 0, never started and is not counted. */
static void
test_cancel_while_training (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurJob) job = new_job (RECUR_CELL_LSTM, 3, 7, 2, 100000);
  StopAt stop = { cancellable, 3 };
  const RecurEvaluation *ev;
  guint n;

  g_assert_false (recur_job_train (job, cancellable, stop_at_epoch, &stop, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  n = recur_job_get_n_members (job);
  g_assert_cmpuint (n, >=, 1);
  g_assert_cmpuint (n, <=, 2);
  g_assert_cmpuint (recur_job_get_member_summary (job, 0)->epochs_run, ==, 3);
  for (guint k = 0; k < n; k++)
    {
      g_assert_cmpuint (recur_job_get_member_summary (job, k)->best_epoch, >, 0);
      g_assert_cmpuint (recur_job_get_member_seed (job, k), ==, 7 + k);
    }
  ev = recur_job_get_evaluation (job);
  g_assert_nonnull (ev);
  g_assert_cmpuint (ev->n_members, ==, n);
}

static void
stop_at_member_epoch (guint    k,
                      guint    epoch,
                      guint    epochs,
                      double   train_loss,
                      double   val_loss,
                      gboolean ended,
                      gpointer user_data)
{
  if (k == 1 && epoch >= 1 && !ended)
    g_cancellable_cancel (user_data);
}

/* Stopped when the helper's member 1 (reading 2 points) has ended its first epoch and the
 * caller's member 0 (reading 96 on 6,000 points: some 50 times its work) has not: member 0
 * leaves the ensemble like any member without an epoch, since its weights are only the initial
 * draw: the forecast is member 1's alone (the median included member 0's before). */
static void
test_member_zero_stopped_before_its_first_epoch (void)
{
  static const guint windows[] = { 96, 2 };
  g_autoptr(GString) csv = g_string_new ("y\n");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSeries) series = NULL;
  g_autoptr(RecurJob) job = NULL;
  const RecurEvaluation *ev;
  RecurJobConfig config;

  for (guint i = 0; i < 6000; i++)
    g_string_append_printf (csv, "%.6f\n", 10 + sin (2 * G_PI * i / 12) + 0.001 * i);
  series = recur_series_load_csv_data (csv->str, csv->len, "long.csv", &error);
  g_assert_no_error (error);
  recur_job_config_init (&config);
  config.model.cell = RECUR_CELL_LSTM;
  config.model.hidden_size = 32;
  config.model.window = 96;
  config.model.horizon = 6;
  config.train.epochs = 1000;
  config.train.patience = 0;
  config.train.seed = 11;
  config.train.threads = 2;
  config.ensemble = 2;
  config.n_ensemble_windows = 2;
  memcpy (config.ensemble_windows, windows, sizeof windows);
  job = recur_job_new (&config, g_steal_pointer (&series), &error);
  g_assert_no_error (error);
  recur_job_config_clear (&config);
  recur_job_set_member_progress (job, stop_at_member_epoch, cancellable);
  recur_cores_set_total (2);
  g_assert_false (recur_job_train (job, cancellable, NULL, NULL, &error));
  recur_cores_set_total (0);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (recur_job_get_n_members (job), ==, 1);
  g_assert_cmpuint (recur_job_get_member_seed (job, 0), ==, 12);
  g_assert_cmpuint (recur_job_get_member_summary (job, 0)->best_epoch, >, 0);
  g_assert_cmpuint (recur_model_get_spec (recur_job_get_members (job)[0])->window, ==, 2);
  ev = recur_job_get_evaluation (job);
  g_assert_nonnull (ev);
  g_assert_cmpuint (ev->n_members, ==, 1);
}

/* The members go to one file and come back as they were; `recur forecast`'s path (the file
 * alone) gives the job's forecast past the end. */
static void
test_weights_round_trip (void)
{
  g_autoptr(RecurJob) job = trained_job (RECUR_CELL_RNN_TANH, 3, 2, 2);
  g_autofree char *dir = test_temp_dir ("recur-ensemble-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "e.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) members = NULL;
  RecurModelInfo info = { 0 };
  const RecurDataset *data = recur_job_get_dataset (job);
  double future[6];

  g_assert_true (recur_job_save_weights (job, path, &error));
  g_assert_no_error (error);
  members = recur_model_load_members (path, &info, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 3);
  for (guint k = 0; k < 3; k++)
    {
      const RecurModel *a = recur_job_get_members (job)[k], *b = members->pdata[k];
      g_assert_cmpmem (recur_model_peek_params (a), recur_model_get_n_params (a) * sizeof (float),
                       recur_model_peek_params (b), recur_model_get_n_params (b) * sizeof (float));
    }
  g_assert_true (recur_forecast_ensemble ((RecurModel *const *) members->pdata, members->len,
                                          &info.transform, recur_dataset_get_values (data),
                                          recur_dataset_get_n_points (data), NULL, 6, future, NULL,
                                          &error));
  g_assert_no_error (error);
  assert_same_doubles (future, recur_job_get_future (job), 6);
  recur_model_info_clear (&info);

  /* one network was expected: said so, not a list of unknown tensors */
  g_assert_null (recur_model_load (path, NULL, &error));
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA);
  g_assert_nonnull (strstr (error->message, "ensemble of 3 networks"));
  g_clear_error (&error);
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A member too many, a member missing, or a count out of range: refused, naming the key or the
 * tensor. */
static void
test_damaged_files_are_refused (void)
{
  g_autoptr(RecurJob) job = trained_job (RECUR_CELL_RNN_TANH, 2, 2, 1);
  g_autofree char *dir = test_temp_dir ("recur-ensemble-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "e.safetensors", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GPtrArray) members = NULL;

  g_assert_true (recur_job_save_weights (job, path, &error));
  st = recur_safetensors_load (path, &error);
  g_assert_no_error (error);

  recur_safetensors_set_metadata (st, "recur.ensemble", "3");
  bytes = recur_safetensors_to_bytes (st);
  members = recur_model_load_members_bytes (bytes, "three.safetensors", NULL, &error);
  g_assert_null (members);
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "three.safetensors"));
  g_clear_error (&error);
  g_clear_pointer (&bytes, g_bytes_unref);

  recur_safetensors_set_metadata (st, "recur.ensemble", "1");
  bytes = recur_safetensors_to_bytes (st);
  g_assert_null (recur_model_load_members_bytes (bytes, "one.safetensors", NULL, &error));
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA);
  g_assert_nonnull (strstr (error->message, "recur.ensemble"));
  g_clear_error (&error);
  g_clear_pointer (&bytes, g_bytes_unref);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A project at path on the job's series, written to csv for the project to hash. */
static RecurProject *
project_of_job_data (RecurJob   *job,
                     const char *csv,
                     const char *path)
{
  g_autoptr(RecurSeries) series = seasonal_series ();
  g_autoptr(GString) text = g_string_new ("date,y\n");
  const double *v = recur_dataset_get_values (recur_job_get_dataset (job));
  g_autoptr(GError) error = NULL;
  RecurProject *project;

  for (guint i = 0; i < recur_series_get_n_rows (series); i++)
    {
      char num[G_ASCII_DTOSTR_BUF_SIZE];
      g_string_append_printf (text, "%04u-%02u-01,%s\n", 1950 + i / 12, 1 + i % 12,
                              g_ascii_dtostr (num, sizeof num, v[i]));
    }
  g_assert_true (g_file_set_contents (csv, text->str, text->len, &error));
  project = recur_project_create (path, csv, "y", &error);
  g_assert_no_error (error);
  return project;
}

/* A project keeps every member of an ensemble's run; reopened, the run is restored with all of
 * them and forecasts as it did, its predictions plot holding each member's. With member 0's
 * weights alone (what a project holds while an ensemble trains), the run is not scored rather
 * than scored wrongly. */
static void
test_project_keeps_every_member (void)
{
  g_autoptr(RecurJob) job = trained_job (RECUR_CELL_GRU, 3, 9, 2);
  g_autofree char *dir = test_temp_dir ("recur-ensemble-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "seasonal.csv", NULL);
  g_autofree char *path = g_build_filename (dir, "p.recur", NULL);
  g_autoptr(GError) error = NULL;
  const RecurEvaluation *ev = recur_job_get_evaluation (job);
  RecurProject *project;
  RecurProjectRun *entry;
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(RecurSeries) series = seasonal_series ();

  project = project_of_job_data (job, csv, path);
  /* a report of Auto's choice goes with the job's result */
  recur_job_set_auto_report (job, json_from_string ("{\"chosen\": \"esn\", \"candidates\": []}",
                                                    &error));
  g_assert_no_error (error);
  entry = recur_project_add_job (project, "ensemble", job, RECUR_RUN_FINISHED, NULL, NULL,
                                 &error);
  g_assert_no_error (error);
  g_assert_nonnull (entry);
  {
    g_autoptr(RecurProject) reopened = recur_project_open (path, RECUR_PROJECT_READ, &error);
    JsonObject *result;

    g_assert_no_error (error);
    result = recur_project_run_get_result (recur_project_get_run (reopened, 0));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (result, "auto"),
                                                    "chosen"), ==, "esn");
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (result,
                                                                                "ensemble"),
                                                 "members"), ==, 3);
  }
  members = recur_project_run_load_members (project, entry, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 3);
  /* a reader of one network is told why not */
  g_assert_null (recur_project_run_load_weights (project, entry, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "ensemble of 3 networks"));
  g_clear_error (&error);

  {
    g_autoptr(RecurRun) restored = recur_run_new_restored ("restored",
                                                           recur_job_get_config (job),
                                                           series,
                                                           (RecurModel *const *) members->pdata,
                                                           members->len, 0, NULL, NULL, NULL,
                                                           RECUR_RUN_FINISHED, NULL, &error);
    const RecurEvaluation *back;
    RecurPredictionSnapshot *p;
    guint test_offset;

    g_assert_no_error (error);
    back = recur_job_get_evaluation (recur_run_get_job (restored));
    g_assert_nonnull (back);
    assert_same_doubles (back->forecast, ev->forecast, ev->n_test);
    assert_same_doubles (recur_job_get_future (recur_run_get_job (restored)),
                         recur_job_get_future (job), 6);
    p = recur_run_get_predictions (restored);
    g_assert_cmpuint (p->n_members, ==, 3);
    test_offset = p->n - ev->n_test;
    /* the plot's test part is the scored median, and each member's own */
    assert_same_doubles (p->predicted + test_offset, ev->forecast, ev->n_test);
    assert_same_doubles (p->future, recur_job_get_future (job), 6);
    for (guint k = 0; k < 3; k++)
      assert_same_doubles (p->member_predicted + k * p->n + test_offset,
                           ev->member_forecast + k * ev->n_test, ev->n_test);
  }

  /* member 0 alone */
  g_assert_true (recur_project_write_weights (project, entry, job, recur_job_get_model (job),
                                              recur_job_get_summary (job)->best_epoch, &error));
  g_assert_no_error (error);
  g_clear_pointer (&members, g_ptr_array_unref);
  members = recur_project_run_load_members (project, entry, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (members->len, ==, 1);
  {
    g_autoptr(RecurRun) partial = recur_run_new_restored ("partial", recur_job_get_config (job),
                                                          series,
                                                          (RecurModel *const *) members->pdata,
                                                          members->len, 0, NULL, NULL, NULL,
                                                          RECUR_RUN_INTERRUPTED, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (recur_job_get_evaluation (recur_run_get_job (partial)));
    g_assert_null (recur_run_get_predictions (partial));
  }
  recur_project_free (project);
}

/* A job whose members read windows of their own lengths, or one network alone: the values as
 * they are (no scaler), each window relative to its mean; without a validation part, a network
 * reading the last w points of a longer window can be compared with one trained on the series
 * from its row `first`. */
static RecurJob *
windows_job (RecurCellKind  cell,
             guint          first,
             guint          window,
             guint          ensemble,
             const guint   *windows,
             guint          n_windows,
             guint64        seed,
             double         val_fraction,
             GError       **error)
{
  RecurJobConfig config;
  RecurJob *job;

  recur_job_config_init (&config);
  recur_model_spec_init_for_cell (&config.model, cell);
  config.model.hidden_size = 6;
  config.model.window = window;
  config.model.horizon = 6;
  config.model.esn.washout = 2;
  config.transform.scaler = RECUR_SCALER_NONE;
  config.transform.window_norm = RECUR_WINDOW_NORM_MEAN;
  config.val_fraction = val_fraction;
  config.train.epochs = 4;
  config.train.patience = 0;
  config.train.seed = seed;
  config.train.threads = 1;
  config.ensemble = ensemble;
  config.n_ensemble_windows = n_windows;
  if (n_windows > 0)
    memcpy (config.ensemble_windows, windows, n_windows * sizeof (guint));
  job = recur_job_new (&config, seasonal_series_from (first), error);
  recur_job_config_clear (&config);
  if (job && !recur_job_train (job, NULL, NULL, NULL, error))
    g_clear_pointer (&job, recur_job_free);
  return job;
}

static void
assert_same_params (const RecurModel *a,
                    const RecurModel *b)
{
  g_assert_cmpmem (recur_model_peek_params (a), recur_model_get_n_params (a) * sizeof (float),
                   recur_model_peek_params (b), recur_model_get_n_params (b) * sizeof (float));
}

/* `--ensemble-windows 4,8 --window 8`: members 0 and 2 read the last 4 points of each 8-point
 * window, member 1 all 8. Each is exactly the network trained alone on what it reads: window 4
 * on the series without its first 4 rows (the same training windows, shifted), or window 8 on
 * the series; their forecasts and the median too, for a gradient-trained cell and a reservoir. */
static void
test_member_windows_read_the_last_points (void)
{
  static const RecurCellKind cells[] = { RECUR_CELL_LSTM, RECUR_CELL_ESN };
  static const guint windows[] = { 4, 8 };

  for (guint c = 0; c < G_N_ELEMENTS (cells); c++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurJob) job = windows_job (cells[c], 0, 8, 3, windows, 2, 5, 0, &error);
      const RecurEvaluation *ev;
      guint n;

      g_assert_no_error (error);
      ev = recur_job_get_evaluation (job);
      n = ev->n_test;
      for (guint k = 0; k < 3; k++)
        {
          RecurModel *member = recur_job_get_members (job)[k];
          guint w = windows[k % 2];
          g_autoptr(RecurJob) alone = windows_job (cells[c], 8 - w, w, 1, NULL, 0, 5 + k, 0,
                                                   &error);

          g_assert_no_error (error);
          g_assert_cmpuint (recur_model_get_spec (member)->window, ==, w);
          assert_same_params (member, recur_job_get_model (alone));
          assert_same_doubles (ev->member_forecast + k * n,
                               recur_job_get_evaluation (alone)->forecast, n);
          assert_same_doubles (recur_job_get_member_future (job) + k * 6,
                               recur_job_get_future (alone), 6);
        }
      /* the windows differ, so do the members: not copies of one another */
      g_assert_true (memcmp (ev->member_forecast, ev->member_forecast + n, n * sizeof (double))
                     != 0);
    }
}

/* The n members read back are the job's, each with its own window. */
static void
assert_members_read_back (RecurJob    *job,
                          GPtrArray   *members,
                          const guint *windows,
                          guint        n)
{
  g_assert_cmpuint (members->len, ==, n);
  for (guint k = 0; k < n; k++)
    {
      g_assert_cmpuint (recur_model_get_spec (members->pdata[k])->window, ==, windows[k]);
      assert_same_params (recur_job_get_members (job)[k], members->pdata[k]);
    }
}

/* Members reading windows of their own (4, 8, 6 of a window of 8) come back from a project
 * as they went in: member 0 reads 4 points, not the configuration's 8, and is not taken for
 * another run's weights. */
static void
test_project_keeps_member_windows (void)
{
  static const guint windows[] = { 4, 8, 6 };
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurJob) job = windows_job (RECUR_CELL_GRU, 0, 8, 3, windows, 3, 3, 0.2, &error);
  g_autofree char *dir = test_temp_dir ("recur-ensemble-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "seasonal.csv", NULL);
  g_autofree char *path = g_build_filename (dir, "p.recur", NULL);
  g_autoptr(GPtrArray) members = NULL;
  RecurProject *project;
  RecurProjectRun *entry;

  g_assert_no_error (error);
  project = project_of_job_data (job, csv, path);
  entry = recur_project_add_job (project, "windows", job, RECUR_RUN_FINISHED, NULL, NULL,
                                 &error);
  g_assert_no_error (error);
  members = recur_project_run_load_members (project, entry, NULL, &error);
  g_assert_no_error (error);
  assert_members_read_back (job, members, windows, 3);
  recur_project_free (project);
}

/* The weights file keeps each member's window: the members read back forecast as the job did;
 * it has no "recur.window" (a Recur that knows no member windows refuses it rather than read
 * every member with one window), and a list that does not match the members is refused. The
 * predictions plot of a run restored from them draws every member, each from its own window. */
static void
test_member_windows_round_trip (void)
{
  static const guint windows[] = { 4, 8, 6 };
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurJob) job = windows_job (RECUR_CELL_GRU, 0, 8, 3, windows, 3, 3, 0.2, &error);
  g_autofree char *dir = test_temp_dir ("recur-ensemble-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "w.safetensors", NULL);
  g_autoptr(GPtrArray) members = NULL;
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(GBytes) bytes = NULL;
  RecurModelInfo info = { 0 };
  const RecurDataset *data;
  const RecurEvaluation *ev;
  double future[6];

  g_assert_no_error (error);
  data = recur_job_get_dataset (job);
  ev = recur_job_get_evaluation (job);
  g_assert_true (recur_job_save_weights (job, path, &error));
  g_assert_no_error (error);
  members = recur_model_load_members (path, &info, &error);
  g_assert_no_error (error);
  assert_members_read_back (job, members, windows, 3);
  g_assert_true (recur_forecast_ensemble ((RecurModel *const *) members->pdata, members->len,
                                          &info.transform, recur_dataset_get_values (data),
                                          recur_dataset_get_n_points (data), NULL, 6, future, NULL,
                                          &error));
  g_assert_no_error (error);
  assert_same_doubles (future, recur_job_get_future (job), 6);
  recur_model_info_clear (&info);

  st = recur_safetensors_load (path, &error);
  g_assert_no_error (error);
  g_assert_null (recur_safetensors_get_metadata (st, "recur.window"));
  g_assert_cmpstr (recur_safetensors_get_metadata (st, "recur.member_windows"), ==, "4,8,6");
  recur_safetensors_set_metadata (st, "recur.member_windows", "4,8");
  bytes = recur_safetensors_to_bytes (st);
  g_assert_null (recur_model_load_members_bytes (bytes, "two.safetensors", NULL, &error));
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA);
  g_assert_nonnull (strstr (error->message, "recur.member_windows"));
  g_clear_error (&error);

  {
    g_autoptr(RecurSeries) series = seasonal_series ();
    g_autoptr(RecurRun) restored =
      recur_run_new_restored ("restored", recur_job_get_config (job),
                              series, (RecurModel *const *) members->pdata,
                              members->len, 0, NULL, NULL, NULL, RECUR_RUN_FINISHED, NULL,
                              &error);
    RecurPredictionSnapshot *p;
    guint test_offset;

    g_assert_no_error (error);
    p = recur_run_get_predictions (restored);
    g_assert_cmpuint (p->n_members, ==, 3);
    test_offset = p->n - ev->n_test;
    for (guint k = 0; k < 3; k++)
      {
        const double *mine = p->member_predicted + k * p->n;

        assert_same_doubles (mine + test_offset, ev->member_forecast + k * ev->n_test,
                             ev->n_test);
        /* the one-step predictions before the test part, each member from its own window */
        for (guint i = 0; i < test_offset; i++)
          g_assert_true (isnan (mine[i]) == isnan (p->member_predicted[i]));
        g_assert_true (isfinite (mine[test_offset - 1]));
      }
  }
  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* A member window longer than the window, or one the cell cannot read (an echo state network's
 * washout is longer): refused before training, naming the window. */
static void
test_member_windows_are_checked (void)
{
  static const guint too_long[] = { 4, 16 };
  static const guint too_short[] = { 1, 8 };
  g_autoptr(GError) error = NULL;
  RecurJob *job = windows_job (RECUR_CELL_GRU, 0, 8, 2, too_long, 2, 1, 0, &error);

  g_assert_null (job);
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
  g_assert_nonnull (strstr (error->message, "member window 16 is longer than the window (8)"));
  g_clear_error (&error);
  job = windows_job (RECUR_CELL_ESN, 0, 8, 2, too_short, 2, 1, 0, &error);
  g_assert_null (job);
  g_assert_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC);
  g_assert_true (g_str_has_prefix (error->message, "member window 1: "));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/ensemble/median", test_median);
  g_test_add_func ("/engine/ensemble/members-are-the-single-runs",
                   test_members_are_the_single_runs);
  g_test_add_func ("/engine/ensemble/thread-count-never-changes-the-numbers",
                   test_thread_count_never_changes_the_numbers);
  g_test_add_func ("/engine/ensemble/members-use-only-spare-cores",
                   test_members_use_only_spare_cores);
  g_test_add_func ("/engine/ensemble/cancel-before-training", test_cancel_before_training);
  g_test_add_func ("/engine/ensemble/cancel-while-training", test_cancel_while_training);
  g_test_add_func ("/engine/ensemble/member-zero-stopped-before-its-first-epoch",
                   test_member_zero_stopped_before_its_first_epoch);
  g_test_add_func ("/engine/ensemble/weights-round-trip", test_weights_round_trip);
  g_test_add_func ("/engine/ensemble/damaged-files-are-refused", test_damaged_files_are_refused);
  g_test_add_func ("/engine/ensemble/project-keeps-every-member", test_project_keeps_every_member);
  g_test_add_func ("/engine/ensemble/member-windows-read-the-last-points",
                   test_member_windows_read_the_last_points);
  g_test_add_func ("/engine/ensemble/member-windows-round-trip", test_member_windows_round_trip);
  g_test_add_func ("/engine/ensemble/project-keeps-member-windows",
                   test_project_keeps_member_windows);
  g_test_add_func ("/engine/ensemble/member-windows-are-checked", test_member_windows_are_checked);
  return g_test_run ();
}
