/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-cores.h"
#include "recur-fileutil.h"
#include "recur-job.h"
#include "recur-onnx.h"
#include "recur-jsonutil.h"
#include "recur-memory.h"
#include "recur-model-io.h"
#include "recur-season.h"
#include "recur-team.h"

struct _RecurJob
{
  RecurJobConfig config;
  RecurSeries *series;
  guint column;
  RecurDataset *data;
  RecurCovariates covariates; /* the inputs beside the target, fitted on the training part */
  /* An ensemble's members (one network: n_members 1), member k seeded seed + k; member 0 is
   * "the model", the one that reports its progress and shows its states */
  guint n_members;
  guint *member_index;       /* [n_members]: k in the ensemble asked for (seed + k); fewer
                              * than asked once a stop dropped those that never started */
  RecurModel **models;
  RecurTrainer **trainers;   /* from the first training on, so that a stopped run can resume */
  RecurTrainSummary *member_summaries;
  RecurTrainSummary summary; /* member 0's */
  RecurEvaluation *evaluation;
  double *future;            /* the median of the members' */
  double *member_future;     /* [n_members × horizon], each network's own; NULL for one
                              * network not averaged with Theta's */
  JsonNode *auto_report;             /* how Auto chose this configuration, or NULL */
  RecurMemberProgressFunc member_progress; /* the other members' epochs */
  gpointer member_progress_data;
  guint season;                      /* chosen once, from the part before the test */
  RecurSeasonSource season_source;
};

/* Copies of the parameters a run keeps while it trains: weights and gradients, the best weights
 * (and their gradients), the optimizer's two moments, a second shard's gradients, and the GUI's
 * copy of the best weights. */
#define TRAINING_COPIES 8

/* A model whose training needs more than this computer's memory is refused before anything is
 * allocated: the allocations themselves could succeed (Linux promises memory it may not have)
 * and the training then be killed, or take the machine down with it. */
static gboolean
check_model_fits (const RecurModelSpec  *spec,
                  guint                  n_members,
                  GError               **error)
{
  guint64 one = recur_model_spec_count_params (spec);
  guint64 n = one <= G_MAXUINT64 / n_members ? one * n_members : G_MAXUINT64;
  guint64 have = recur_memory_physical ();
  g_autofree char *model = NULL;
  g_autofree char *need_text = NULL;
  g_autofree char *have_text = NULL;

  if (have == 0 || (n <= G_MAXUINT64 / (TRAINING_COPIES * sizeof (float))
                    && n * TRAINING_COPIES * sizeof (float) <= have))
    return TRUE;
  model = recur_model_spec_describe (spec);
  need_text = g_format_size_full (n <= G_MAXUINT64 / (TRAINING_COPIES * sizeof (float))
                                    ? n * TRAINING_COPIES * sizeof (float) : G_MAXUINT64,
                                  G_FORMAT_SIZE_IEC_UNITS);
  have_text = g_format_size_full (have, G_FORMAT_SIZE_IEC_UNITS);
  g_set_error (error, RECUR_MEMORY_ERROR, RECUR_MEMORY_ERROR_TOO_LARGE,
               _("Not enough memory for the model (%s): training it takes about %s (weights, "
                 "gradients, optimizer state and best weights), and this computer has %s"),
               model, need_text, have_text);
  return FALSE;
}

/* Each member window is the last points of the window, and makes a model of its own. */
static gboolean
check_member_windows (const RecurJobConfig  *config,
                      GError               **error)
{
  for (guint i = 0; config->ensemble > 1 && i < config->n_ensemble_windows; i++)
    {
      RecurModelSpec spec = config->model;
      GError *invalid = NULL;

      spec.window = config->ensemble_windows[i];
      if (spec.window > config->model.window)
        {
          g_set_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC,
                       _("member window %u is longer than the window (%u): each member reads "
                         "the last points of the window, so the window must be at least the "
                         "longest member window"), spec.window, config->model.window);
          return FALSE;
        }
      if (!recur_model_spec_validate (&spec, &invalid))
        {
          g_propagate_prefixed_error (error, invalid, _("member window %u: "), spec.window);
          return FALSE;
        }
    }
  return TRUE;
}

guint
recur_job_dates_season (const RecurSeries *series)
{
  RecurFrequency frequency = recur_series_get_frequency (series);

  if (frequency == RECUR_FREQUENCY_NONE || frequency == RECUR_FREQUENCY_IRREGULAR)
    return 0;
  return recur_frequency_season (frequency);
}

/* The longest period looked for in the values: a year of daily points (so also a week of
 * hourly ones, 168). Longer would rarely be seen: recur_season_detect needs three periods of
 * data (L ≤ n/3). */
#define VALUES_MAX_SEASON 366
/* The detection reads the last this many points before the test part at most: its cost is
 * O(n · L), and this keeps a job on millions of undated rows from spending seconds (on the
 * GUI's main thread) on it, while the ACF's standard error (about 1/√n) stays below 0.01. */
#define VALUES_MAX_POINTS 20000

/* The season, from the first n_before values (the part before the test, gaps filled) and
 * nothing after them: the option; else the dates when they are regular, even when they say 1
 * (yearly): no ACF second-guesses them; else a period detected in the values. A season that
 * does not fit before the test part is 1, as recur_evaluate would make it. */
guint
recur_job_choose_season (const RecurJobConfig *config,
                         const RecurSeries    *series,
                         const double         *values,
                         guint                 n_before,
                         RecurSeasonSource    *source_out)
{
  RecurSeasonSource ignored, *source = source_out ? source_out : &ignored;
  guint season = recur_job_dates_season (series);
  guint from = n_before - MIN (n_before, VALUES_MAX_POINTS);
  gboolean finite = TRUE;

  if (config->season > 0)
    {
      season = config->season;
      *source = RECUR_SEASON_FROM_OPTION;
    }
  else if (season > 0)
    *source = RECUR_SEASON_FROM_DATES;
  else
    {
      /* a value that is not finite fails the dataset's checks right after this */
      for (guint i = from; i < n_before && finite; i++)
        finite = isfinite (values[i]);
      season = finite ? recur_season_detect (values + from, n_before - from,
                                             MIN ((n_before - from) / 3, VALUES_MAX_SEASON))
                      : 1;
      *source = season > 1 ? RECUR_SEASON_FROM_VALUES : RECUR_SEASON_NONE;
    }
  if (season >= n_before && season > 1)
    {
      season = 1;
      *source = RECUR_SEASON_NONE;
    }
  return season;
}

/* The covariates and calendar features the configuration asks for: fitted on the training part
 * (their gaps filled from the rows before the test part, as the target's), read by every window
 * and by the future forecast (the calendar known for its rows). The model reads them after the
 * target: input_size is 1 + their channels; a recursive model forecasts the covariates too. */
static gboolean
add_covariates (RecurJob  *self,
                guint      n_before,
                GError   **error)
{
  const RecurJobConfig *config = &self->config;
  guint n_rows = recur_dataset_get_n_points (self->data), horizon = config->model.horizon;
  gboolean recursive;
  double *channels;

  if (config->inputs == NULL && !config->calendar)
    return TRUE;
  if (!recur_covariates_fit (&self->covariates, self->series, self->column,
                             (const char *const *) config->inputs, config->calendar,
                             config->missing, n_before,
                             recur_dataset_get_val_start (self->data), error))
    return FALSE;
  channels = recur_covariates_channels (&self->covariates, self->series, n_rows, horizon,
                                        config->missing, n_before, error);
  if (channels == NULL)
    return FALSE;
  /* recursive: each forecast is the next step's input, so the network forecasts the input
   * columns too (their future is not in the file); the calendar's is known */
  recursive = config->model.strategy == RECUR_STRATEGY_RECURSIVE;
  recur_dataset_set_extra_inputs (self->data, channels,
                                  recur_covariates_n_channels (&self->covariates),
                                  self->covariates.n_inputs, n_rows + horizon,
                                  recursive ? self->covariates.n_inputs : 0);
  self->config.model.input_size = recur_dataset_get_input_size (self->data);
  self->config.model.step_outputs = recursive ? 1 + self->covariates.n_inputs : 1;
  return recur_model_spec_validate (&self->config.model, error);
}

RecurJob *
recur_job_new (const RecurJobConfig  *config,
               RecurSeries           *series,
               GError               **error)
{
  g_autoptr(RecurJob) self = g_new0 (RecurJob, 1);
  g_autofree double *values = NULL;
  g_autofree char *name = NULL;
  guint n_rows = recur_series_get_n_rows (series);
  /* the rows before the test part (the last `horizon`) */
  guint n_before = n_rows - MIN (config->model.horizon, n_rows);
  RecurSplitSpec split;
  RecurRng rng;

  recur_job_config_copy (&self->config, config);
  self->series = series;
  self->n_members = MAX (config->ensemble, 1);
  if (!recur_model_spec_validate (&config->model, error)
      || !check_member_windows (config, error)
      || !check_model_fits (&config->model, self->n_members, error))
    return NULL;
  if (!recur_series_find_column (series, config->column, &self->column, error))
    return NULL;
  /* the test part (the last `horizon` rows) is filled apart: no test value may shape the
   * points the model trains, validates and forecasts the test part from */
  values = recur_series_fill_missing_before (series, self->column, config->missing, n_before,
                                             error);
  if (values == NULL)
    return NULL;
  self->season = recur_job_choose_season (config, series, values, n_before,
                                          &self->season_source);

  split = (RecurSplitSpec) {
    .window = config->model.window,
    .horizon = config->model.horizon,
    .output_size = recur_model_spec_output_size (&config->model),
    .val_fraction = config->val_fraction,
    .transform = config->transform,
    .season = self->season,
  };
  name = g_strdup_printf (_("%s: column “%s”"), recur_series_get_path (series),
                          recur_series_get_column_name (series, self->column));
  self->data = recur_dataset_new (values, n_rows, &split, name, error);
  if (self->data == NULL || !add_covariates (self, n_before, error))
    return NULL;
  self->models = g_new0 (RecurModel *, self->n_members);
  self->trainers = g_new0 (RecurTrainer *, self->n_members);
  self->member_summaries = g_new0 (RecurTrainSummary, self->n_members);
  self->member_index = g_new (guint, self->n_members);
  for (guint k = 0; k < self->n_members; k++)
    {
      RecurModelSpec spec = self->config.model;

      spec.window = recur_job_config_member_window (config, k);
      self->member_index[k] = k;
      self->models[k] = recur_model_new (&spec, error);
      if (self->models[k] == NULL)
        return NULL;
      recur_rng_init (&rng, config->train.seed + k);
      recur_model_init_weights (self->models[k], &rng);
    }
  return g_steal_pointer (&self);
}

RecurJob *
recur_job_new_from_file (const RecurJobConfig  *config,
                         const char            *path,
                         GError               **error)
{
  RecurSeries *series = recur_series_load_csv (path, error);

  if (series == NULL)
    return NULL;
  return recur_job_new (config, series, error); /* takes the series, even when it fails */
}

void
recur_job_free (RecurJob *self)
{
  if (self == NULL)
    return;
  for (guint k = 0; self->models && k < self->n_members; k++)
    {
      /* the trainer borrows the model and the data */
      g_clear_pointer (&self->trainers[k], recur_trainer_free);
      g_clear_pointer (&self->models[k], recur_model_free);
    }
  g_free (self->trainers);
  g_free (self->models);
  g_free (self->member_summaries);
  g_free (self->member_index);
  recur_job_config_clear (&self->config);
  g_clear_pointer (&self->series, recur_series_unref);
  g_clear_pointer (&self->data, recur_dataset_free);
  recur_covariates_clear (&self->covariates);
  g_clear_pointer (&self->evaluation, recur_evaluation_free);
  g_free (self->future);
  g_free (self->member_future);
  g_clear_pointer (&self->auto_report, json_node_unref);
  g_free (self);
}

static const char *const season_source_names[] = { "option", "dates", "values", "none" };

const char *
recur_season_source_to_string (RecurSeasonSource source)
{
  g_return_val_if_fail ((guint) source < G_N_ELEMENTS (season_source_names), NULL);
  return season_source_names[source];
}

char *
recur_season_source_describe (RecurSeasonSource source,
                              guint             season)
{
  switch (source)
    {
    case RECUR_SEASON_FROM_OPTION:
      /* Translators: a season (a number of points) and where it came from: set in the run's
       * settings (--season) */
      return g_strdup_printf (_("%u, as set"), season);
    case RECUR_SEASON_FROM_DATES:
      /* Translators: a season (a number of points) and where it came from: the time column's
       * frequency (12 for monthly dates) */
      return g_strdup_printf (_("%u, from the dates"), season);
    case RECUR_SEASON_FROM_VALUES:
      /* Translators: a season (a number of points) and where it came from: found in the
       * values themselves (there are no dates to give one) */
      return g_strdup_printf (_("%u, from the values"), season);
    case RECUR_SEASON_NONE:
    default:
      /* Translators: a season of 1 point: the series has none (or none that fits the data) */
      return g_strdup_printf (_("%u, no season"), season);
    }
}

guint
recur_job_get_season (const RecurJob    *self,
                      RecurSeasonSource *source)
{
  if (source != NULL)
    *source = self->season_source;
  return self->season;
}

gboolean
recur_job_score (RecurJob  *self,
                 GError   **error)
{
  guint n = recur_dataset_get_n_points (self->data);
  guint horizon = self->config.model.horizon;
  g_autofree double *future = g_new (double, horizon);
  g_autofree double *member_future = self->n_members > 1
                                     || self->config.transform.theta != RECUR_THETA_NONE
                                     ? g_new (double, (gsize) self->n_members * horizon) : NULL;

  g_clear_pointer (&self->evaluation, recur_evaluation_free);
  g_clear_pointer (&self->future, g_free);
  g_clear_pointer (&self->member_future, g_free);
  self->evaluation = recur_evaluate_ensemble (self->models, self->n_members, self->data,
                                              recur_job_get_observed (self)
                                              + recur_dataset_get_test_start (self->data),
                                              self->season, error);
  if (self->evaluation == NULL)
    {
      g_prefix_error (error, _("the forecast of the test part: "));
      return FALSE;
    }
  if (!recur_forecast_ensemble (self->models, self->n_members,
                                recur_dataset_get_transform (self->data),
                                recur_dataset_get_values (self->data), n,
                                recur_dataset_get_extra_inputs (self->data), horizon, future,
                                member_future, error))
    {
      /* the test part's score stays: only the future is missing */
      g_prefix_error (error, _("the forecast past the end of the data: "));
      return FALSE;
    }
  self->future = g_steal_pointer (&future);
  self->member_future = g_steal_pointer (&member_future);
  return TRUE;
}

/* What the members of an ensemble share while they train, several at once on a team. */
typedef struct
{
  RecurJob          *job;
  GCancellable      *cancellable;
  RecurProgressFunc  progress;
  gpointer           user_data;
  GError           **errors;     /* [n_members], each member's own */
  gboolean          *ok;         /* [n_members] */
  gint               next;       /* the next member to take, atomically; member 0 is the
                                  * caller's */
} MembersTraining;

/* Whether member k has epochs to train: not yet started, or stopped before its last. */
static gboolean
member_has_work (const RecurJob *self,
                 guint           k)
{
  return self->trainers[k] == NULL || recur_trainer_get_summary (self->trainers[k])->epochs_run == 0
         || recur_trainer_can_resume (self->trainers[k]);
}

/* The epochs of member k, for recur_job_set_member_progress. */
typedef struct
{
  RecurJob          *job;
  guint              k;
  RecurProgressFunc  progress;   /* member 0's: the training's own */
  gpointer           user_data;
} MemberEpochs;

static void
on_member_epoch (const RecurProgress *p,
                 gpointer             user_data)
{
  MemberEpochs *m = user_data;

  if (m->progress)
    m->progress (p, m->user_data);
  if (m->job->member_progress)
    m->job->member_progress (m->k, p->epoch, p->epochs, p->train_loss, p->val_loss, FALSE,
                             m->job->member_progress_data);
}

/* Member k has ended (trained, stopped or failed after an epoch), for
 * recur_job_set_member_progress. */
static void
report_member_ended (RecurJob *self,
                     guint     k)
{
  guint epochs = recur_job_config_max_epochs (&self->config);
  guint run = self->trainers[k] ? recur_trainer_get_summary (self->trainers[k])->epochs_run : 0;

  /* one stopped before its first epoch never started: it leaves the ensemble */
  if (self->n_members > 1 && self->member_progress && run > 0)
    self->member_progress (k, run, epochs, NAN, NAN, TRUE, self->member_progress_data);
}

/* Member k, on whichever thread of the team: member 0 (on the caller's) reports its epochs to
 * the training's progress, and every member to the member progress, if any. A member reads the
 * shared dataset and writes only its own model and trainer. */
static void
train_member (guint    k,
              gpointer user_data)
{
  MembersTraining *t = user_data;
  RecurJob *self = t->job;
  MemberEpochs epochs = { self, k, k == 0 ? t->progress : NULL, t->user_data };
  gboolean tell_members = self->n_members > 1 && self->member_progress != NULL;

  t->ok[k] = TRUE;
  if (!member_has_work (self, k) && k > 0)
    {
      report_member_ended (self, k); /* finished before a stop of the others */
      return;
    }
  if (self->trainers[k] == NULL)
    {
      RecurTrainSpec spec = self->config.train;

      spec.seed += self->member_index[k];
      /* the ensemble's members, not their minibatches, take the cores */
      if (self->n_members > 1)
        spec.threads = 1;
      self->trainers[k] = recur_trainer_new (self->models[k], self->data, &spec, &t->errors[k]);
      if (self->trainers[k] == NULL)
        {
          t->ok[k] = FALSE;
          return;
        }
    }
  t->ok[k] = recur_trainer_run (self->trainers[k], t->cancellable,
                                tell_members ? on_member_epoch : epochs.progress,
                                tell_members ? (gpointer) &epochs : t->user_data, &t->errors[k]);
  self->member_summaries[k] = *recur_trainer_get_summary (self->trainers[k]);
  report_member_ended (self, k);
}

static gboolean
members_all_taken (gpointer data)
{
  MembersTraining *t = data;

  return (guint) g_atomic_int_get (&t->next) >= t->job->n_members;
}

/* Thread `worker` of the team: the caller's (0) trains member 0, then takes members as they
 * come, on the core its training holds; a helper takes a member only on a spare core, so that
 * the members use the cores other runs leave free, never more. */
static void
members_worker (guint    worker,
                gpointer user_data)
{
  MembersTraining *t = user_data;
  guint n = t->job->n_members;

  if (worker == 0)
    train_member (0, t);
  for (;;)
    {
      guint k;

      if (worker > 0 && !recur_cores_take_spare (members_all_taken, t))
        return;
      k = (guint) g_atomic_int_add (&t->next, 1);
      if (k < n)
        train_member (k, t);
      if (worker > 0)
        recur_cores_release ();
      if (k + 1 >= n)
        {
          recur_cores_notify (); /* the helpers waiting for a core give up */
          return;
        }
    }
}

/* Whether member k has weights of its own: it ended an epoch (a reservoir, its fit). */
static gboolean
member_trained (const RecurJob *self,
                guint           k)
{
  return self->trainers[k] != NULL
         && recur_trainer_get_summary (self->trainers[k])->best_epoch > 0;
}

/* After a stop, the members that never ended an epoch (queued behind others on fewer threads
 * than members, or stopped within their first) leave the ensemble: their weights are only the
 * initial draw, and the median must not count them. Member 0 among them too when another
 * trained (a helper's member can end an epoch before the caller's member 0 does); when none
 * did, member 0 stays alone, as a network stopped before its first epoch does. */
static void
drop_untrained_members (RecurJob *self)
{
  guint kept = 0;
  gboolean any = FALSE;

  for (guint k = 0; k < self->n_members; k++)
    any |= member_trained (self, k);
  for (guint k = 0; k < self->n_members; k++)
    {
      if (any ? !member_trained (self, k) : k > 0)
        {
          g_clear_pointer (&self->trainers[k], recur_trainer_free);
          g_clear_pointer (&self->models[k], recur_model_free);
          continue;
        }
      self->models[kept] = self->models[k];
      self->trainers[kept] = self->trainers[k];
      self->member_summaries[kept] = self->member_summaries[k];
      self->member_index[kept] = self->member_index[k];
      kept++;
    }
  self->n_members = kept;
}

gboolean
recur_job_train (RecurJob          *self,
                 GCancellable      *cancellable,
                 RecurProgressFunc  progress,
                 gpointer           user_data,
                 GError           **error)
{
  guint n = self->n_members;
  g_autofree GError **errors = g_new0 (GError *, n);
  g_autofree gboolean *ok = g_new0 (gboolean, n);
  MembersTraining t = { self, cancellable, progress, user_data, errors, ok, 1 };
  gboolean all_ok = TRUE;
  GError *first = NULL;

  recur_cores_hold ();
  if (n == 1)
    train_member (0, &t);
  else
    {
      /* up to one thread per member, as many as the run may use, each training on a core
       * (members_worker); which thread trains a member never changes its numbers (its own
       * seed, single-threaded BLAS) */
      guint threads = MIN (n, MAX (self->config.train.threads, 1));
      g_autoptr(RecurTeam) team = recur_team_new (threads);

      recur_team_run (team, threads, members_worker, &t);
    }
  recur_cores_release ();
  for (guint k = 0; k < n; k++)
    {
      all_ok = all_ok && ok[k];
      /* member 0's failure first, else the first member's that failed */
      if (first == NULL && errors[k] != NULL)
        first = g_steal_pointer (&errors[k]);
      g_clear_error (&errors[k]);
    }
  if (self->trainers[0] == NULL)
    {
      g_propagate_error (error, first);
      return FALSE;
    }
  if (!all_ok)
    drop_untrained_members (self);
  self->summary = self->member_summaries[0];
  /* scored even when stopped or diverged; a scoring that fails leaves no evaluation */
  if (!recur_job_score (self, all_ok ? error : NULL) || !all_ok)
    {
      /* training's failure, when it failed, is the one to tell */
      if (!all_ok)
        g_propagate_error (error, first);
      return FALSE;
    }
  g_clear_error (&first);
  return TRUE;
}

gboolean
recur_job_can_resume (const RecurJob *self)
{
  for (guint k = 0; k < self->n_members; k++)
    if (self->trainers[k] != NULL && recur_trainer_can_resume (self->trainers[k]))
      return TRUE;
  return FALSE;
}

void
recur_job_set_member_progress (RecurJob               *self,
                               RecurMemberProgressFunc func,
                               gpointer                user_data)
{
  self->member_progress = func;
  self->member_progress_data = user_data;
}

void
recur_job_set_auto_report (RecurJob *self,
                           JsonNode *report)
{
  g_clear_pointer (&self->auto_report, json_node_unref);
  self->auto_report = report;
}

JsonNode *
recur_job_get_auto_report (const RecurJob *self)
{
  return self->auto_report;
}

guint
recur_job_get_n_members (const RecurJob *self)
{
  return self->n_members;
}

guint64
recur_job_get_member_seed (const RecurJob *self,
                           guint           k)
{
  g_return_val_if_fail (k < self->n_members, 0);
  return self->config.train.seed + self->member_index[k];
}

RecurModel *const *
recur_job_get_members (const RecurJob *self)
{
  return self->models;
}

const RecurTrainSummary *
recur_job_get_member_summary (const RecurJob *self,
                              guint           k)
{
  g_return_val_if_fail (k < self->n_members, NULL);
  return &self->member_summaries[k];
}

const double *
recur_job_get_member_future (const RecurJob *self)
{
  return self->member_future;
}

const RecurJobConfig *
recur_job_get_config (const RecurJob *self)
{
  return &self->config;
}

const RecurSeries *
recur_job_get_series (const RecurJob *self)
{
  return self->series;
}

const double *
recur_job_get_observed (const RecurJob *self)
{
  return recur_series_get_values (self->series, self->column);
}

const char *
recur_job_get_column_name (const RecurJob *self)
{
  return recur_series_get_column_name (self->series, self->column);
}

const RecurDataset *
recur_job_get_dataset (const RecurJob *self)
{
  return self->data;
}

RecurModel *
recur_job_get_model (RecurJob *self)
{
  return self->models[0];
}

const RecurTrainSummary *
recur_job_get_summary (const RecurJob *self)
{
  return &self->summary;
}

const RecurEvaluation *
recur_job_get_evaluation (const RecurJob *self)
{
  return self->evaluation;
}

const double *
recur_job_get_future (const RecurJob *self)
{
  return self->future;
}

/* The timestamp of row i, or i itself without a time column. */
static gint64
row_timestamp (const RecurSeries *series,
               guint              i)
{
  const gint64 *ts = recur_series_get_timestamps (series);
  return ts ? ts[i] : (gint64) i;
}

gboolean
recur_write_forecast_csv (const RecurSeries  *series,
                          const char         *column,
                          const gint64       *timestamps,
                          const double       *values,
                          const char *const  *kinds,
                          guint               n,
                          const char         *path,
                          GError            **error)
{
  g_autoptr(GString) csv = g_string_new ("timestamp,");
  g_autofree char *quoted = NULL;

  /* RFC 4180 quoting for a column name holding a comma, quote or newline */
  if (strpbrk (column, ",\"\r\n"))
    {
      g_autofree char *escaped = NULL;
      g_auto(GStrv) parts = g_strsplit (column, "\"", -1);
      escaped = g_strjoinv ("\"\"", parts);
      quoted = g_strdup_printf ("\"%s\"", escaped);
    }
  g_string_append (csv, quoted ? quoted : column);
  g_string_append (csv, kinds ? ",kind\n" : "\n");
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *when = recur_series_format_timestamp (series, timestamps[i]);
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      g_ascii_formatd (num, sizeof num, "%.10g", values[i]);
      g_string_append_printf (csv, "%s,%s%s%s\n", when, num, kinds ? "," : "",
                              kinds ? kinds[i] : "");
    }
  return recur_file_write_atomic (path, csv->str, csv->len, error);
}

gboolean
recur_job_write_forecast (const RecurJob  *self,
                          const char      *path,
                          GError         **error)
{
  const RecurEvaluation *ev = self->evaluation;
  guint start = recur_dataset_get_test_start (self->data);
  guint n_points = recur_dataset_get_n_points (self->data);
  /* without a future forecast (it could not be made), the test part's alone */
  guint horizon = self->future ? self->config.model.horizon : 0;
  guint n = ev ? ev->n_test + horizon : 0;
  g_autofree gint64 *ts = NULL;
  g_autofree double *values = NULL;
  g_autofree const char **kinds = NULL;

  if (ev == NULL && self->trainers[0] == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   _("Cannot write %s: the run has not been trained, so there is no forecast"),
                   display);
      return FALSE;
    }
  if (ev == NULL)
    {
      /* scoring ran out of memory (recur_job_score): there is no forecast to write */
      g_autofree char *display = g_filename_display_name (path);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                   _("Cannot write %s: the model could not be scored, so there is no forecast"),
                   display);
      return FALSE;
    }
  ts = g_new (gint64, n);
  values = g_new (double, n);
  kinds = g_new (const char *, n);
  gint64 last = row_timestamp (self->series, n_points - 1);

  g_return_val_if_fail (ev != NULL, FALSE);
  for (guint i = 0; i < ev->n_test; i++)
    {
      ts[i] = row_timestamp (self->series, start + i);
      values[i] = ev->forecast[i];
      kinds[i] = "test";
    }
  for (guint h = 0; h < horizon; h++)
    {
      ts[ev->n_test + h] = recur_series_advance_timestamp (self->series, last, h + 1);
      values[ev->n_test + h] = self->future[h];
      kinds[ev->n_test + h] = "future";
    }
  return recur_write_forecast_csv (self->series, recur_job_get_column_name (self), ts, values,
                                   kinds, n, path, error);
}

gboolean
recur_job_save_weights (const RecurJob  *self,
                        const char      *path,
                        GError         **error)
{
  return recur_job_save_members (self, (const RecurModel *const *) self->models, self->n_members,
                                 path, error);
}

gboolean
recur_job_save_model (const RecurJob    *self,
                      const RecurModel  *model,
                      const char        *path,
                      GError           **error)
{
  return recur_job_save_members (self, &model, 1, path, error);
}

/* What a weights file says of the job's data, borrowed from the job (never cleared) but for
 * *last, the last timestamp's text, which the caller frees. */
static void
model_info_of (const RecurJob *self,
               RecurModelInfo *info,
               char          **last)
{
  guint n = recur_series_get_n_rows (self->series);
  const char *freq = recur_frequency_to_string (recur_series_get_frequency (self->series));

  *last = recur_series_get_time_column (self->series) >= 0
    ? recur_series_format_timestamp (self->series, row_timestamp (self->series, n - 1))
    : g_strdup ("");
  *info = (RecurModelInfo) {
    .transform = *recur_dataset_get_transform (self->data),
    .covariates = self->covariates,
    .column = (char *) recur_job_get_column_name (self),
    .frequency = (char *) (freq ? freq : "none"),
    .last_timestamp = *last,
    .last_phase = (n - 1) % MAX (recur_dataset_get_transform (self->data)->season, 1),
    .seed = self->config.train.seed,
  };
}

gboolean
recur_job_save_members (const RecurJob           *self,
                        const RecurModel *const  *members,
                        guint                     n_members,
                        const char               *path,
                        GError                  **error)
{
  RecurModelInfo info;
  g_autofree char *last = NULL;

  model_info_of (self, &info, &last);
  return recur_model_save_members (members, n_members, &info, path, error);
}

gboolean
recur_job_export_onnx (const RecurJob  *self,
                       const char      *path,
                       GError         **error)
{
  RecurModelInfo info;
  g_autofree char *last = NULL;

  model_info_of (self, &info, &last);
  return recur_onnx_export (self->models, self->n_members, &info, path, error);
}

/* name NULL: an element of an array */
static void
add_series (JsonBuilder  *b,
            const char   *name,
            const double *v,
            guint         n)
{
  if (name != NULL)
    json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    recur_json_add_number (b, NULL, v[i]); /* null where missing (test_actual) */
  json_builder_end_array (b);
}

/* "ensemble": {"members", "combine": "median", "theta": averaged with Theta's, "seeds",
 * "test": [each member's metrics],
 * "epochs_run", "best_epoch", "test_forecast": [[…] per member], "forecast": [[…]] or null} */
static void
add_ensemble (JsonBuilder    *b,
              const RecurJob *self)
{
  const RecurEvaluation *ev = self->evaluation;
  guint horizon = self->config.model.horizon;

  json_builder_set_member_name (b, "ensemble");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "members");
  json_builder_add_int_value (b, self->n_members);
  json_builder_set_member_name (b, "asked");
  json_builder_add_int_value (b, self->config.ensemble);
  json_builder_set_member_name (b, "combine");
  json_builder_add_string_value (b, "median");
  json_builder_set_member_name (b, "theta");
  json_builder_add_boolean_value (b, self->config.transform.theta != RECUR_THETA_NONE);
  json_builder_set_member_name (b, "seeds");
  json_builder_begin_array (b);
  for (guint k = 0; k < self->n_members; k++)
    recur_json_add_uint64 (b, recur_job_get_member_seed (self, k));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "windows");
  json_builder_begin_array (b);
  for (guint k = 0; k < self->n_members; k++)
    json_builder_add_int_value (b, recur_model_get_spec (self->models[k])->window);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "epochs_run");
  json_builder_begin_array (b);
  for (guint k = 0; k < self->n_members; k++)
    json_builder_add_int_value (b, self->member_summaries[k].epochs_run);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "best_epoch");
  json_builder_begin_array (b);
  for (guint k = 0; k < self->n_members; k++)
    json_builder_add_int_value (b, self->member_summaries[k].best_epoch);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "test");
  json_builder_begin_array (b);
  for (guint k = 0; k < self->n_members; k++)
    recur_metrics_add_json (b, NULL, recur_evaluation_get_member_metrics (ev, k));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "test_forecast");
  json_builder_begin_array (b);
  for (guint k = 0; k < self->n_members; k++)
    add_series (b, NULL, recur_evaluation_get_member_forecast (ev, k), ev->n_test);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "forecast");
  if (self->future == NULL)
    json_builder_add_null_value (b);
  else
    {
      json_builder_begin_array (b);
      for (guint k = 0; k < self->n_members; k++)
        add_series (b, NULL, self->member_future ? self->member_future + (gsize) k * horizon
                                                 : self->future, horizon);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
}

/* Every setting the run used, with the column named, so that the summary alone repeats the
 * run (`recur train --config SUMMARY.json`). */
static void
add_config (JsonBuilder    *b,
            const RecurJob *self)
{
  RecurJobConfig used;

  recur_job_config_copy (&used, &self->config);
  g_free (used.column);
  used.column = g_strdup (recur_job_get_column_name (self));
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, recur_job_config_to_json (&used));
  recur_job_config_clear (&used);
}

JsonNode *
recur_job_to_json (const RecurJob *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  const RecurJobConfig *c = &self->config;
  const RecurEvaluation *ev = self->evaluation;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "file");
  json_builder_add_string_value (b, recur_series_get_path (self->series));
  json_builder_set_member_name (b, "column");
  json_builder_add_string_value (b, recur_job_get_column_name (self));
  json_builder_set_member_name (b, "model");
  json_builder_add_string_value (b, recur_cell_to_string (c->model.cell));
  json_builder_set_member_name (b, "parameters");
  json_builder_add_int_value (b, (gint64) (recur_model_get_n_params (self->models[0])
                                           * self->n_members));
  json_builder_set_member_name (b, "trainable_parameters");
  json_builder_add_int_value (b, (gint64) (recur_model_get_n_trainable_params (self->models[0])
                                           * self->n_members));
  json_builder_set_member_name (b, "seed");
  recur_json_add_uint64 (b, c->train.seed);
  add_config (b, self);
  json_builder_set_member_name (b, "epochs_run");
  json_builder_add_int_value (b, self->summary.epochs_run);
  json_builder_set_member_name (b, "best_epoch");
  json_builder_add_int_value (b, self->summary.best_epoch);
  recur_json_add_number (b, "train_loss", self->summary.train_loss);
  recur_json_add_number (b, "val_loss", self->summary.val_loss);
  json_builder_set_member_name (b, "stopped_early");
  json_builder_add_boolean_value (b, self->summary.stopped_early);
  recur_json_add_number (b, "seconds", self->summary.seconds);
  recur_json_add_number (b, "windows_per_second", self->summary.windows_per_second);
  if (ev)
    {
      json_builder_set_member_name (b, "season");
      json_builder_add_int_value (b, ev->season);
      json_builder_set_member_name (b, "season_source");
      json_builder_add_string_value (b, recur_season_source_to_string (self->season_source));
      recur_metrics_add_json (b, "test", &ev->model_metrics);
      json_builder_set_member_name (b, "baselines");
      json_builder_begin_object (b);
      recur_metrics_add_json (b, "naive", &ev->naive_metrics);
      recur_metrics_add_json (b, "snaive", &ev->seasonal_naive_metrics);
      json_builder_end_object (b);
      if (self->config.ensemble > 1)
        add_ensemble (b, self);
      json_builder_set_member_name (b, "test_missing");
      json_builder_add_int_value (b, ev->n_missing);
      add_series (b, "test_actual", ev->actual, ev->n_test);
      add_series (b, "test_forecast", ev->forecast, ev->n_test);
      if (self->future)
        add_series (b, "forecast", self->future, c->model.horizon);
      else
        {
          json_builder_set_member_name (b, "forecast");
          json_builder_add_null_value (b);
        }
    }
  if (self->auto_report)
    {
      json_builder_set_member_name (b, "auto");
      json_builder_add_value (b, json_node_copy (self->auto_report));
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
