/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-auto.h"
#include "recur-forecast.h"
#include "recur-season.h"
#include "recur-settings.h"
#include "recur-sync.h"
#include "recur-team.h"
#include "recur-theta.h"

/* Rolling origins: up to this many, half a horizon apart. */
#define MAX_ORIGINS 3
/* The fewest points before the test part Auto forecasts from. */
#define MIN_POINTS 20
/* The prior's window: 24 points (two years of a monthly series), or what the data allows. */
#define PRIOR_WINDOW 24
/* Another candidate replaces the prior only when its validation MASE is this much lower:
 * a few origins are a noisy judge, and the prior is the best single configuration on average. */
#define MARGIN 0.6
/* The chosen reservoir is refitted as an ensemble of this many (seeds seed … seed + 4), whose
 * median forecasts: fitting one takes milliseconds, and the median of reservoirs drawn at random
 * is steadier than any one of them. A gradient-trained network stays one (five would take five
 * times as long); --ensemble sets both. */
#define RESERVOIR_ENSEMBLE 5
/* The chosen forecast is averaged with the Theta method's when Theta's validation MASE on the
 * same origins is below this many times the chosen one's: a combination of two different methods
 * errs less than either on most series (as the M competitions found), but not when one of them
 * plainly fails (a cycle Theta's straight trend cannot follow, a recession it runs into). On
 * the 14 + 19 series of the README the gate anywhere from 1.2 to 3 did about equally well. */
#define THETA_GATE 2.0
/* The shortest window the direct strategy is used with; below, recursive. */
#define MIN_DIRECT_WINDOW 4
/* The fewest points a candidate trains on, after the validation part the origins need. */
#define MIN_TRAIN 10
/* The fewest training windows a candidate's window leaves. */
#define MIN_WINDOWS 4

/* What the candidates share: the data before the test part and how it is split. */
typedef struct
{
  RecurJobConfig        base_config;
  const RecurJobConfig *base;       /* &base_config */
  GStrv                 pinned;
  RecurSeries          *series;
  double               *values;     /* filled, rows [0, pre) */
  guint                 n;          /* rows */
  guint                 pre;        /* rows before the test part */
  guint                 horizon;
  guint                 season;     /* m, 1 when none */
  gboolean              seasonal;   /* m ≥ 2 and the seasonality test passes */
  guint                 val_len;
  double                val_fraction;
  guint                 train_len;
  RecurStrategy         strategy;   /* direct when its targets leave a useful window */
  guint                 out;        /* targets per training window: horizon, or 1 */
  double                scales[MAX_ORIGINS]; /* MASE's denominator per origin */
} Plan;

struct _RecurAuto
{
  Plan      plan;
  GArray   *candidates;   /* RecurAutoCandidate */
  guint     chosen;
  guint     origins[MAX_ORIGINS];
  guint     n_origins;
  guint     horizon;
  RecurJob *job;          /* the chosen one's, refitted (recur_auto_run) */
  gboolean  interrupted;  /* stopped before every candidate was scored */
  /* the Theta method (recur-theta.h) on the same origins: INFINITY where it could not forecast */
  double    theta_per_origin[MAX_ORIGINS];
  double    theta_validation;
};

static gboolean
is_pinned (const Plan *plan,
           const char *name)
{
  return plan->pinned && g_strv_contains ((const char *const *) plan->pinned, name);
}

static void
candidate_clear (gpointer data)
{
  RecurAutoCandidate *c = data;

  g_free (c->name);
  g_free (c->per_origin);
  g_free (c->error);
  recur_job_config_clear (&c->config);
}

void
recur_auto_free (RecurAuto *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->candidates, g_array_unref);
  g_clear_pointer (&self->job, recur_job_free);
  recur_job_config_clear (&self->plan.base_config);
  g_strfreev (self->plan.pinned);
  g_clear_pointer (&self->plan.series, recur_series_unref);
  g_free (self->plan.values);
  g_free (self);
}

/* MASE's scale before an origin: the seasonal-naive MAE of values[0, n), period 1 when the
 * season does not fit, 1 when not even that. */
static double
mase_scale (const double *values,
            guint         n,
            guint         m)
{
  double scale = recur_mase_scale (values, n, n > m ? m : 1);

  return isnan (scale) ? 1.0 : scale;
}

static gboolean
plan_split (Plan             *plan,
            const char       *name,
            GError          **error)
{
  guint h = plan->horizon, step = MAX (1, (h + 1) / 2), k;
  /* one forecast of h steps to validate on, and something to learn from before it */
  guint need = MAX (MIN_POINTS, h + MIN_TRAIN);

  if (plan->pre < need)
    {
      g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_TOO_SHORT,
                   _("%s: %u points; forecasting %u steps needs at least %u: %u to learn from "
                     "and the %u held out for the test part"),
                   name, plan->n, h, need + h, need, h);
      return FALSE;
    }
  /* as many origins as leave half the points to train on */
  for (k = MAX_ORIGINS; k > 1 && h + (k - 1) * step > plan->pre / 2; k--)
    ;
  plan->val_len = h + (k - 1) * step;
  if (is_pinned (plan, "val-fraction"))
    plan->val_len = CLAMP ((guint) lround (plan->base->val_fraction * plan->pre), h,
                           plan->pre - MIN_TRAIN);
  /* the fraction that recur_dataset_new turns back into val_len */
  plan->val_fraction = (plan->val_len + 0.25) / plan->pre;
  plan->train_len = plan->pre - plan->val_len;
  plan->strategy = RECUR_STRATEGY_DIRECT;
  plan->out = h;
  if (plan->train_len < 1 + h + MIN_WINDOWS - 1 + MIN_DIRECT_WINDOW)
    {
      plan->strategy = RECUR_STRATEGY_RECURSIVE;
      plan->out = 1;
    }
  return TRUE;
}

/* Origins from the last possible one (its horizon ends where the test part starts) back. */
static void
plan_origins (Plan      *plan,
              RecurAuto *self)
{
  guint h = plan->horizon, step = MAX (1, (h + 1) / 2);
  guint val_start = plan->pre - plan->val_len;

  self->n_origins = 0;
  for (guint k = 0; k < MAX_ORIGINS; k++)
    {
      guint o = plan->pre - h - k * step;

      if (plan->pre < h + k * step || o < val_start)
        break;
      self->origins[self->n_origins++] = o;
    }
  for (guint i = 0; i < self->n_origins / 2; i++)
    {
      guint t = self->origins[i];
      self->origins[i] = self->origins[self->n_origins - 1 - i];
      self->origins[self->n_origins - 1 - i] = t;
    }
  for (guint i = 0; i < self->n_origins; i++)
    plan->scales[i] = mase_scale (plan->values, self->origins[i], plan->season);
}

/* The longest window a candidate can read: MIN_WINDOWS training windows left after the
 * differencing offset and the targets. 0 when none fits. */
static guint
max_window (const Plan *plan,
            guint       offset)
{
  guint taken = offset + plan->out + MIN_WINDOWS - 1;

  return plan->train_len > taken ? plan->train_len - taken : 0;
}

/* A setting the user gave keeps its value in every candidate. */
static void
apply_pins (const Plan     *plan,
            RecurJobConfig *config)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint i = 0; i < n; i++)
    if (!g_str_equal (settings[i].name, "model") && is_pinned (plan, settings[i].name))
      {
        g_autofree char *text = recur_setting_format_value (&settings[i], plan->base);

        recur_setting_parse (&settings[i], text, NULL, config, NULL);
      }
}

typedef struct
{
  RecurCellKind   cell;
  guint           window;
  RecurWindowNorm norm;
  gboolean        box_cox;
  gboolean        difference;
  gboolean        seasonal_difference;
  gboolean        floor;   /* the naive forecasts: a readout that can only learn the drift */
  gboolean        target_only; /* without the input columns and calendar given */
} Shape;

/* For people, from the configuration itself (a pinned setting included), so that it never
 * says what the candidate does not do. */
static char *
candidate_name (const RecurJobConfig *config,
                gboolean              floor,
                guint                 season)
{
  const RecurTransformSpec *t = &config->transform;
  GString *name = g_string_new (NULL);

  if (floor)
    {
      if (t->seasonal_difference)
        g_string_append_printf (name, _("seasonal naive (%u) with drift"), season);
      else
        g_string_append (name, _("naive with drift"));
      if (t->box_cox != RECUR_BOX_COX_NONE)
        g_string_append (name, _(", Box-Cox"));
      return g_string_free (name, FALSE);
    }
  g_string_append_printf (name, _("%s, window %u"), recur_cell_to_string (config->model.cell),
                          config->model.window);
  if (t->window_norm != RECUR_WINDOW_NORM_NONE)
    g_string_append_printf (name, _(", level %s"), recur_window_norm_to_string (t->window_norm));
  if (t->box_cox != RECUR_BOX_COX_NONE)
    g_string_append (name, _(", Box-Cox"));
  if (t->difference)
    g_string_append (name, _(", differenced"));
  if (t->seasonal_difference)
    g_string_append (name, _(", seasonally differenced"));
  if (config->inputs)
    {
      g_autofree char *inputs = g_strjoinv (", ", config->inputs);

      g_string_append_printf (name, _(", inputs %s"), inputs);
    }
  if (config->calendar)
    g_string_append (name, _(", calendar"));
  if (config->n_ensemble_windows > 0 && config->ensemble > 1)
    {
      g_autofree char *windows = recur_periods_to_string (config->ensemble_windows,
                                                          config->n_ensemble_windows);

      g_string_append_printf (name, _(", member windows %s"), windows);
    }
  return g_string_free (name, FALSE);
}

static void
config_of_shape (const Plan     *plan,
                 const Shape    *s,
                 RecurJobConfig *config)
{
  RecurModelSpec *m = &config->model;
  guint horizon = plan->base->model.horizon;

  recur_job_config_copy (config, plan->base);
  recur_model_spec_init_for_cell (m, s->cell);
  m->horizon = horizon;
  m->window = s->window;
  m->strategy = plan->strategy;
  if (s->cell == RECUR_CELL_ESN)
    m->esn.washout = MIN (m->esn.washout, s->window / 2);
  config->val_fraction = plan->val_fraction;
  config->transform = (RecurTransformSpec) {
    .box_cox = s->box_cox ? RECUR_BOX_COX_AUTO : RECUR_BOX_COX_NONE,
    .difference = s->difference,
    .seasonal_difference = s->seasonal_difference,
    .scaler = RECUR_SCALER_ZSCORE,
    .window_norm = s->norm,
  };
  apply_pins (plan, config);
  if (s->floor)
    {
      /* one unit, and a ridge that leaves the readout nothing but its bias: the average step of
       * the (seasonally) differenced values as they are. A setting the user gave does not
       * change what makes it the naive forecast: it is the yardstick (a window given is
       * kept: the readout does not read it). */
      m->hidden_size = 1;
      m->esn.ridge = 1e6;
      config->transform.difference = s->difference;
      config->transform.seasonal_difference = s->seasonal_difference;
      config->transform.deseasonalise = FALSE;
      config->transform.window_norm = RECUR_WINDOW_NORM_NONE;
      config->transform.scaler = RECUR_SCALER_NONE;
    }
  /* the naive forecasts read the target alone */
  if (s->target_only || s->floor)
    {
      g_clear_pointer (&config->inputs, g_strfreev);
      config->calendar = FALSE;
    }
  if (m->cell == RECUR_CELL_ESN && m->esn.washout > m->window)
    m->esn.washout = m->window;
}

/* Appends the candidate of shape s, not scored yet. */
static RecurAutoCandidate *
append_candidate (RecurAuto   *self,
                  const Plan  *plan,
                  const Shape *s)
{
  RecurAutoCandidate c = { 0 };

  config_of_shape (plan, s, &c.config);
  c.name = candidate_name (&c.config, s->floor, plan->season);
  c.floor = s->floor;
  c.validation_mase = INFINITY;
  c.per_origin = g_new0 (double, MAX_ORIGINS);
  g_array_append_val (self->candidates, c);
  return &g_array_index (self->candidates, RecurAutoCandidate, self->candidates->len - 1);
}

/* The candidate of shape s, when its window fits the training part. */
static void
add_candidate (RecurAuto   *self,
               const Plan  *plan,
               const Shape *s)
{
  guint offset = (s->difference ? 1 : 0) + (s->seasonal_difference ? plan->season : 0);

  if (s->window >= 2 && s->window <= max_window (plan, offset))
    append_candidate (self, plan, s);
}

/* Windows to try: whole seasons for a seasonal series, else short to long; clipped to what the
 * training part allows. */
static guint
candidate_windows (const Plan *plan,
                   guint       offset,
                   guint      *windows)
{
  guint n = 0, limit = max_window (plan, offset);
  guint wish[3];

  if (is_pinned (plan, "window"))
    {
      windows[0] = plan->base->model.window;
      return 1;
    }
  if (plan->seasonal)
    {
      wish[0] = plan->season;
      wish[1] = 2 * plan->season;
      wish[2] = 3 * plan->season;
    }
  else
    {
      wish[0] = 8;
      wish[1] = 16;
      wish[2] = 24;
    }
  for (guint i = 0; i < G_N_ELEMENTS (wish); i++)
    {
      guint w = MIN (wish[i], limit);
      gboolean seen = FALSE;

      for (guint k = 0; k < n; k++)
        seen |= windows[k] == w;
      if (w >= 2 && !seen)
        windows[n++] = w;
    }
  return n;
}

/* Gradient-trained cells with their own defaults (the window's mean as level), each trained on
 * the rows before the validation part the origins use: their early stopping takes the last tenth
 * of those rows, so their score on the origins is as honest as a reservoir's. */
static void
add_gradient_candidates (RecurAuto  *self,
                         const Plan *plan)
{
  static const RecurCellKind cells[] = { RECUR_CELL_LSTM, RECUR_CELL_GRU };
  guint val_start = plan->pre - plan->val_len;
  guint inner_val = MAX ((guint) lround (0.1 * val_start), plan->out);
  guint train = val_start > inner_val ? val_start - inner_val : 0;
  guint taken = (plan->base->transform.difference ? 1 : 0) + plan->out + MIN_WINDOWS - 1;
  guint limit = train > taken ? train - taken : 0;
  guint window = is_pinned (plan, "window") ? plan->base->model.window : MIN (PRIOR_WINDOW, limit);

  if (window < MIN_DIRECT_WINDOW || window > limit)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      RecurAutoCandidate *c;
      Shape s = {
        .cell = cells[i],
        .window = window,
        .norm = RECUR_WINDOW_NORM_MEAN,
        .box_cox = plan->base->transform.box_cox != RECUR_BOX_COX_NONE,
        .difference = plan->base->transform.difference,
      };

      c = append_candidate (self, plan, &s);
      /* its own split of the rows it sees, as a run of its own has */
      c->config.val_fraction = is_pinned (plan, "val-fraction") ? plan->base->val_fraction : 0.1;
      c->rows = val_start + plan->horizon;
    }
}

static gboolean
has_inputs (const Plan *plan)
{
  return plan->base->inputs != NULL || plan->base->calendar;
}

/* The prior first (a reservoir reading 24 points relative to the last one), then the floors
 * (the simpler forecast wins a tie), then other windows and levels. Box-Cox and differencing
 * are the user's to ask for (given, they apply to every candidate): chosen on a few origins,
 * they won as often by chance as by merit (on ../shared/accuracy the geometric mean MASE went
 * from 0.95 to 1.07 with them among the candidates). */
static void
add_candidates (RecurAuto  *self,
                const Plan *plan)
{
  RecurWindowNorm norms[] = { RECUR_WINDOW_NORM_LAST, RECUR_WINDOW_NORM_MEAN };
  guint n_norms = G_N_ELEMENTS (norms);
  guint offset = plan->base->transform.difference ? 1 : 0;
  guint windows[3], n_windows = candidate_windows (plan, offset, windows);
  guint prior = is_pinned (plan, "window") ? windows[0]
                                           : MIN (PRIOR_WINDOW, max_window (plan, offset));
  Shape s = {
    .cell = RECUR_CELL_ESN,
    .box_cox = plan->base->transform.box_cox != RECUR_BOX_COX_NONE,
    .difference = plan->base->transform.difference,
  };

  if (is_pinned (plan, "window-norm"))
    {
      norms[0] = plan->base->transform.window_norm;
      n_norms = 1;
    }
  s.window = prior;
  s.norm = norms[0];
  /* Input columns or a calendar given: the usual configuration reads the target alone, and
   * the inputs must earn their place like any other change (measured by
   * build-aux/covariate-accuracy: never worse than without them, where taking them always
   * cost 7 % on the stock indices) */
  if (has_inputs (plan))
    {
      s.target_only = TRUE;
      add_candidate (self, plan, &s);
      s.target_only = FALSE;
    }
  add_candidate (self, plan, &s);
  add_candidate (self, plan, &(Shape) { .cell = RECUR_CELL_ESN, .window = 2, .difference = TRUE,
                                        .floor = TRUE });
  if (plan->season >= 2)
    add_candidate (self, plan, &(Shape) { .cell = RECUR_CELL_ESN, .window = 2,
                                          .seasonal_difference = TRUE, .floor = TRUE });
  for (guint w = 0; w < n_windows; w++)
    for (guint k = 0; k < n_norms; k++)
      if (windows[w] != prior || k != 0)
        {
          s.window = windows[w];
          s.norm = norms[k];
          add_candidate (self, plan, &s);
        }
  add_gradient_candidates (self, plan);
}

/* The MASE of a forecast of the horizon's values from origin i. */
static double
origin_mase (const Plan   *plan,
             guint         i,
             guint         origin,
             const double *forecast)
{
  double mae = 0;

  for (guint t = 0; t < plan->horizon; t++)
    mae += fabs (forecast[t] - plan->values[origin + t]) / plan->horizon;
  return plan->scales[i] > 0 ? mae / plan->scales[i] : mae;
}

/* The Theta method's validation MASE, from the same origins as the candidates'. It is refitted
 * on the points before each origin, as it is on the history of every forecast. */
static void
score_theta (RecurAuto *self)
{
  const Plan *plan = &self->plan;
  g_autofree double *forecast = g_new (double, plan->horizon);
  double sum = 0;

  for (guint i = 0; i < self->n_origins; i++)
    {
      guint o = self->origins[i];

      if (!recur_theta_forecast (plan->values, o, plan->season, plan->horizon, forecast, NULL,
                                 NULL))
        {
          self->theta_per_origin[i] = INFINITY;
          sum = INFINITY;
          continue;
        }
      self->theta_per_origin[i] = origin_mase (plan, i, o, forecast);
      sum += self->theta_per_origin[i];
    }
  self->theta_validation = self->n_origins && isfinite (sum) ? sum / self->n_origins : INFINITY;
}

/* Forecasts from each origin with a trained candidate's model. */
static gboolean
score_job (RecurAuto           *self,
           RecurAutoCandidate  *c,
           RecurJob            *job,
           GError             **error)
{
  const Plan *plan = &self->plan;
  RecurModel *model = recur_job_get_model (job);
  const RecurDataset *data = recur_job_get_dataset (job);
  g_autofree double *forecast = g_new (double, plan->horizon);
  double sum = 0;

  for (guint i = 0; i < self->n_origins; i++)
    {
      guint o = self->origins[i];

      if (!recur_forecast (model, recur_dataset_get_transform (data), plan->values, o,
                           recur_dataset_get_extra_inputs (data), plan->horizon, forecast,
                           error))
        return FALSE;
      c->per_origin[i] = origin_mase (plan, i, o, forecast);
      sum += c->per_origin[i];
    }
  c->validation_mase = isfinite (sum) ? sum / self->n_origins : INFINITY;
  return TRUE;
}

void
recur_auto_score (RecurAuto  *self,
                  guint       i,
                  RecurJob   *job,
                  const char *failure,
                  double      seconds)
{
  RecurAutoCandidate *c = &g_array_index (self->candidates, RecurAutoCandidate, i);
  g_autoptr(GError) error = NULL;

  g_return_if_fail (i < self->candidates->len);
  g_clear_pointer (&c->error, g_free);
  c->validation_mase = INFINITY;
  c->seconds = seconds;
  if (job == NULL)
    c->error = g_strdup (failure ? failure : _("failed"));
  else if (!score_job (self, c, job, &error))
    c->error = g_strdup (error->message);
}

/* The prior (candidate 0) unless another beats it by the margin; then the lowest. Unscored
 * candidates never; those trained on the first rows only (a gradient cell's) only when asked. */
static void
choose (RecurAuto *self,
        gboolean   heads_too)
{
  const RecurAutoCandidate *c = &g_array_index (self->candidates, RecurAutoCandidate, 0);
  double bar = isfinite (c->validation_mase) ? MARGIN * c->validation_mase : INFINITY;
  double best = isfinite (c->validation_mase) ? c->validation_mase : INFINITY;

  self->chosen = isfinite (c->validation_mase) ? 0 : G_MAXUINT;
  for (guint i = 1; i < self->candidates->len; i++)
    {
      c = &g_array_index (self->candidates, RecurAutoCandidate, i);
      if (isfinite (c->validation_mase) && (heads_too || c->rows == 0)
          && (c->validation_mase < bar || self->chosen == G_MAXUINT)
          && c->validation_mase < best)
        {
          best = c->validation_mase;
          self->chosen = i;
        }
    }
}

gboolean
recur_auto_choose (RecurAuto  *self,
                   GError    **error)
{
  const RecurAutoCandidate *c;

  choose (self, TRUE);
  if (self->chosen == G_MAXUINT)
    {
      c = self->candidates->len ? &g_array_index (self->candidates, RecurAutoCandidate, 0)
                                : NULL;
      g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_TOO_SHORT,
                   _("no candidate could be trained on this series: %s"),
                   c && c->error ? c->error : _("it is too short for any window"));
      return FALSE;
    }
  return TRUE;
}

/* What the candidates share while they train, several at once on a team's threads. */
typedef struct
{
  RecurAuto             *self;
  GCancellable          *cancellable;
  RecurAutoProgressFunc  progress;
  gpointer               user_data;
  gboolean               concurrent;  /* candidates, not minibatches, take the threads */
  gint                   next;        /* the next candidate to take, atomically */
  RecurJob             **jobs;        /* [n]: each one trained on every row before the test
                                       * part, kept as the result of a stop (lock) */
  gboolean              *done;        /* [n]: trained, or failed (lock) */
  guint                  reported;    /* candidates given to progress, in order (lock) */
  gboolean               interrupted; /* (lock) */
  GMutex                 lock;
} CandidatesTraining;

/* Trains and scores candidate i; its job is kept when a stop could make it the result. */
static void
train_candidate (CandidatesTraining *t,
                 guint               i)
{
  RecurAuto *self = t->self;
  RecurAutoCandidate *c = &g_array_index (self->candidates, RecurAutoCandidate, i);
  gint64 start = g_get_monotonic_time ();
  g_autoptr(GError) local = NULL;
  g_autoptr(RecurJob) job = NULL;
  RecurJobConfig config = c->config;
  RecurSeries *series = c->rows ? recur_series_new_head (self->plan.series, c->rows, &local)
                                : recur_series_ref (self->plan.series);

  /* which thread trains a candidate, and with how many, never changes its numbers */
  if (t->concurrent)
    config.train.threads = 1;
  job = series ? recur_job_new (&config, series, &local) : NULL;
  if (job && !recur_job_train (job, t->cancellable, NULL, NULL, &local))
    g_clear_pointer (&job, recur_job_free);
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      /* left unscored: what is chosen among the candidates scored so far stays */
      recur_mutex_lock (&t->lock);
      t->interrupted = TRUE;
      recur_mutex_unlock (&t->lock);
      return;
    }
  recur_auto_score (self, i, job, local ? local->message : NULL,
                    (g_get_monotonic_time () - start) / 1e6);
  recur_mutex_lock (&t->lock);
  if (c->rows == 0 && isfinite (c->validation_mase))
    t->jobs[i] = g_steal_pointer (&job);
  t->done[i] = TRUE;
  /* progress in the candidates' order, whichever finishes first */
  while (t->reported < self->candidates->len && t->done[t->reported])
    {
      if (t->progress)
        t->progress (&g_array_index (self->candidates, RecurAutoCandidate, t->reported),
                     t->reported, self->candidates->len, t->user_data);
      t->reported++;
    }
  recur_mutex_unlock (&t->lock);
}

/* One thread of the team: takes the next candidate until none is left or training stops. */
static void
train_candidates_task (guint    task,
                       gpointer user_data)
{
  CandidatesTraining *t = user_data;
  guint n = t->self->candidates->len;

  for (;;)
    {
      guint i = (guint) g_atomic_int_add (&t->next, 1);

      if (i >= n || g_cancellable_is_cancelled (t->cancellable))
        break;
      train_candidate (t, i);
    }
}

/* Trains each candidate on the training part and scores it, as many at once as the base's
 * threads (the gradient-trained ones, by far the longest, come last and so run side by side);
 * cancelled, those not scored yet stay unscored (self->interrupted). */
static void
run_candidates (RecurAuto              *self,
                GCancellable           *cancellable,
                RecurAutoProgressFunc   progress,
                gpointer                user_data)
{
  guint n = self->candidates->len;
  guint threads = MIN (MAX (self->plan.base->train.threads, 1), MAX (n, 1));
  g_autofree RecurJob **jobs = g_new0 (RecurJob *, n);
  g_autofree gboolean *done = g_new0 (gboolean, n);
  CandidatesTraining t = {
    .self = self, .cancellable = cancellable, .progress = progress, .user_data = user_data,
    .concurrent = threads > 1, .jobs = jobs, .done = done,
  };

  recur_mutex_init (&t.lock);
  if (threads > 1)
    {
      g_autoptr(RecurTeam) team = recur_team_new (threads);

      recur_team_run (team, threads, train_candidates_task, &t);
    }
  else
    train_candidates_task (0, &t);
  recur_mutex_clear (&t.lock);
  self->interrupted = t.interrupted;
  /* the best among those trained on every row before the test part: the result if the choice
   * was stopped before its end */
  choose (self, FALSE);
  if (self->chosen != G_MAXUINT)
    {
      g_clear_pointer (&self->job, recur_job_free);
      self->job = g_steal_pointer (&jobs[self->chosen]);
    }
  for (guint i = 0; i < n; i++)
    g_clear_pointer (&jobs[i], recur_job_free);
}

/* The chosen candidate's configuration as the final run trains it: a gradient-trained network
 * with the validation part the user asked for, which chooses its best epoch; a reservoir (a
 * floor too) with none unless one was asked for: it has no epoch to choose, and its readout
 * then learns from every point before the test part, the most recent ones included. A reservoir
 * is an ensemble unless --ensemble was given. */
static void
final_config (const RecurAuto *self,
              double           val_fraction,
              RecurJobConfig  *config)
{
  const RecurAutoCandidate *c = recur_auto_get_candidate (self, self->chosen);

  recur_job_config_copy (config, &c->config);
  config->val_fraction = val_fraction;
  config->transform.theta = recur_auto_averages_theta (self) ? RECUR_THETA_AVERAGE
                                                             : RECUR_THETA_NONE;
  if (c->config.model.cell == RECUR_CELL_ESN && !is_pinned (&self->plan, "val-fraction"))
    config->val_fraction = 0;
  if (!c->floor && c->config.model.cell == RECUR_CELL_ESN && !is_pinned (&self->plan, "ensemble"))
    config->ensemble = RESERVOIR_ENSEMBLE;
}

void
recur_auto_get_final_config (const RecurAuto *self,
                             RecurJobConfig  *config)
{
  g_return_if_fail (self->chosen < self->candidates->len);
  final_config (self, self->plan.base->val_fraction, config);
}

/* The chosen configuration trained again as a run of its own would be: with the validation part
 * the user asked for (10 % by default), not the longer one the origins needed, so that it
 * learns from the points nearest the test part too. Still nothing of the test part. */
static gboolean
refit (RecurAuto     *self,
       GCancellable  *cancellable,
       GError       **error)
{
  g_autoptr(RecurJob) job = NULL;
  g_autoptr(GError) local = NULL;
  RecurJobConfig config;

  final_config (self, self->plan.base->val_fraction, &config);
  job = recur_job_new (&config, recur_series_ref (self->plan.series), &local);
  recur_job_config_clear (&config);
  if (job && recur_job_train (job, cancellable, NULL, NULL, &local))
    {
      g_clear_pointer (&self->job, recur_job_free);
      self->job = g_steal_pointer (&job);
      return TRUE;
    }
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  /* the split the origins had is known to work */
  g_clear_error (&local);
  g_clear_pointer (&job, recur_job_free);
  final_config (self, self->plan.val_fraction, &config);
  job = recur_job_new (&config, recur_series_ref (self->plan.series), error);
  recur_job_config_clear (&config);
  if (job == NULL || !recur_job_train (job, cancellable, NULL, NULL, error))
    return FALSE;
  g_clear_pointer (&self->job, recur_job_free);
  self->job = g_steal_pointer (&job);
  return TRUE;
}

/* Input columns or a calendar the data cannot give fail every candidate alike: said once, before
 * any trains. */
static gboolean
check_inputs (Plan                 *plan,
              const RecurJobConfig *base,
              RecurSeries          *series,
              guint                 column,
              GError              **error)
{
  RecurCovariates covariates;
  gboolean ok;

  if (!has_inputs (plan))
    return TRUE;
  recur_covariates_init (&covariates);
  ok = recur_covariates_fit (&covariates, series, column, (const char *const *) base->inputs,
                             base->calendar, base->missing, plan->pre, plan->train_len, error);
  recur_covariates_clear (&covariates);
  return ok;
}

static gboolean
make_plan (Plan                 *plan,
           const RecurJobConfig *base,
           RecurSeries          *series,
           GError              **error)
{
  guint column, n = recur_series_get_n_rows (series);
  g_autofree char *name = NULL;
  g_autofree double *diffs = NULL;
  RecurSeasonSource source;

  if (!recur_series_find_column (series, base->column, &column, error))
    return FALSE;
  name = g_strdup_printf (_("%s: column “%s”"), recur_series_get_path (series),
                          recur_series_get_column_name (series, column));
  plan->horizon = base->model.horizon;
  plan->n = n;
  plan->pre = n > plan->horizon ? n - plan->horizon : 0;
  if (plan->pre < MIN_POINTS)
    return plan_split (plan, name, error);
  plan->values = recur_series_fill_missing_before (series, column, base->missing, plan->pre,
                                                   error);
  if (plan->values == NULL)
    return FALSE;
  if (!plan_split (plan, name, error) || !check_inputs (plan, base, series, column, error))
    return FALSE;
  plan->season = MAX (1, recur_job_choose_season (base, series, plan->values, plan->pre,
                                                  &source));
  /* the season's pattern in the changes, so that a trend does not pass for one */
  diffs = g_new (double, plan->train_len);
  for (guint t = 1; t < plan->train_len; t++)
    diffs[t - 1] = plan->values[t] - plan->values[t - 1];
  plan->seasonal = plan->season >= 2
                   && recur_season_test (diffs, plan->train_len - 1, plan->season);
  return TRUE;
}

/* Member windows given: every candidate reads the window they are the last points of (the one
 * given, else the longest of them), as the windows Auto would try could be shorter. */
static void
pin_window_for_members (Plan *plan)
{
  RecurJobConfig *base = &plan->base_config;
  guint longest = 0;

  if (!is_pinned (plan, "ensemble-windows") || base->n_ensemble_windows == 0
      || is_pinned (plan, "window"))
    return;
  for (guint i = 0; i < base->n_ensemble_windows; i++)
    longest = MAX (longest, base->ensemble_windows[i]);
  base->model.window = longest;
  {
    guint n = plan->pinned ? g_strv_length (plan->pinned) : 0;

    plan->pinned = g_renew (char *, plan->pinned, n + 2);
    plan->pinned[n] = g_strdup ("window");
    plan->pinned[n + 1] = NULL;
  }
}

RecurAuto *
recur_auto_new (const RecurJobConfig  *base,
                const char *const     *pinned,
                RecurSeries           *series,
                GError               **error)
{
  g_autoptr(RecurAuto) self = g_new0 (RecurAuto, 1);
  Plan *plan = &self->plan;

  self->chosen = G_MAXUINT;
  self->candidates = g_array_new (FALSE, TRUE, sizeof (RecurAutoCandidate));
  g_array_set_clear_func (self->candidates, candidate_clear);
  recur_job_config_copy (&plan->base_config, base);
  plan->base = &plan->base_config;
  plan->pinned = g_strdupv ((char **) pinned);
  plan->series = series;
  pin_window_for_members (plan);
  if (!make_plan (plan, plan->base, series, error))
    return NULL;
  self->horizon = plan->horizon;
  plan_origins (plan, self);
  score_theta (self);
  add_candidates (self, plan);
  return g_steal_pointer (&self);
}

RecurAuto *
recur_auto_run (const RecurJobConfig   *base,
                const char *const      *pinned,
                RecurSeries            *series,
                GCancellable           *cancellable,
                RecurAutoProgressFunc   progress,
                gpointer                user_data,
                GError                **error)
{
  g_autoptr(RecurAuto) self = recur_auto_new (base, pinned, series, error);

  if (self == NULL)
    return NULL;
  run_candidates (self, cancellable, progress, user_data);
  if (self->interrupted)
    {
      /* run_candidates chose among those scored: self->job is that one, if any */
      if (self->job == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                       _("stopped before any candidate was scored"));
          return NULL;
        }
      return g_steal_pointer (&self);
    }
  if (!recur_auto_choose (self, error) || !refit (self, cancellable, error))
    return NULL;
  return g_steal_pointer (&self);
}

guint
recur_auto_get_n_candidates (const RecurAuto *self)
{
  return self->candidates->len;
}

const RecurAutoCandidate *
recur_auto_get_candidate (const RecurAuto *self,
                          guint            i)
{
  g_return_val_if_fail (i < self->candidates->len, NULL);
  return &g_array_index (self->candidates, RecurAutoCandidate, i);
}

guint
recur_auto_get_chosen (const RecurAuto *self)
{
  return self->chosen;
}

gboolean
recur_auto_averages_theta (const RecurAuto *self)
{
  const RecurAutoCandidate *c;

  if (self->chosen >= self->candidates->len || self->interrupted)
    return FALSE;
  if (is_pinned (&self->plan, "theta"))
    return self->plan.base->transform.theta != RECUR_THETA_NONE;
  c = recur_auto_get_candidate (self, self->chosen);
  return isfinite (self->theta_validation) && isfinite (c->validation_mase)
         && self->theta_validation < THETA_GATE * c->validation_mase;
}

double
recur_auto_get_theta_validation (const RecurAuto *self)
{
  return self->theta_validation;
}

guint
recur_auto_get_n_origins (const RecurAuto *self)
{
  return self->n_origins;
}

guint
recur_auto_get_validation_start (const RecurAuto *self)
{
  return self->plan.pre - self->plan.val_len;
}

gboolean
recur_auto_was_interrupted (const RecurAuto *self)
{
  return self->interrupted;
}

/* Takes why; adds what became of the Theta method's forecast. */
static char *
describe_theta (const RecurAuto *self,
                char            *why)
{
  g_autofree char *owned = why;

  if (is_pinned (&self->plan, "theta"))
    return g_steal_pointer (&owned);
  if (recur_auto_averages_theta (self))
    /* Translators: %s is why a configuration was chosen; %.3f the Theta method's validation
     * MASE. Theta is the name of a forecasting method. */
    return g_strdup_printf (_("%s; its forecast averaged with the Theta method’s (validation "
                              "MASE %.3f, under twice the chosen one’s)"), owned,
                            self->theta_validation);
  if (isfinite (self->theta_validation))
    /* Translators: %s is why a configuration was chosen; %.3f the Theta method's validation
     * MASE */
    return g_strdup_printf (_("%s; not averaged with the Theta method’s forecast (validation "
                              "MASE %.3f, over twice the chosen one’s)"), owned,
                            self->theta_validation);
  return g_steal_pointer (&owned);
}

char *
recur_auto_describe_choice (const RecurAuto *self)
{
  int percent = (int) lround ((1 - MARGIN) * 100);
  g_autofree char *why = NULL, *retrained = NULL;
  RecurJobConfig final;
  guint members;
  gboolean every_point;

  if (self->interrupted)
    return g_strdup (_("the best of the candidates scored before the choice was stopped, as "
                       "trained for them (not trained again)"));
  if (self->chosen == 0 && has_inputs (&self->plan))
    why = g_strdup_printf (_("the usual configuration, without the input columns or calendar "
                             "given: no candidate with them, nor any other, had a validation "
                             "MASE %d %% below its own"), percent);
  else if (self->chosen == 0)
    why = g_strdup_printf (_("the usual configuration: no other candidate’s validation MASE "
                             "was %d %% below its own"), percent);
  else
    why = g_strdup_printf (_("the lowest validation MASE, more than %d %% below the usual "
                             "configuration’s"), percent);
  final_config (self, self->plan.base->val_fraction, &final);
  members = final.ensemble;
  every_point = final.val_fraction == 0;
  recur_job_config_clear (&final);
  if (members <= 1 && every_point)
    /* Translators: %s is why a configuration was chosen */
    retrained = g_strdup_printf (_("%s; trained again on every point before the test part"),
                                 why);
  else if (members > 1 && !every_point)
    /* Translators: %s is why a configuration was chosen; %u how many networks of it the final
     * run trains */
    retrained = g_strdup_printf (_("%s; trained again as an ensemble of %u, forecasting their "
                                   "median"), why, members);
  else if (members > 1)
    /* Translators: %s is why a configuration was chosen; %u how many networks of it the final
     * run trains */
    retrained = g_strdup_printf (_("%s; trained again on every point before the test part as "
                                   "an ensemble of %u, forecasting their median"), why, members);
  else
    retrained = g_steal_pointer (&why);
  return describe_theta (self, g_steal_pointer (&retrained));
}

RecurJob *
recur_auto_steal_job (RecurAuto *self)
{
  if (self->job != NULL)
    recur_job_set_auto_report (self->job, recur_auto_to_json (self));
  return g_steal_pointer (&self->job);
}

/* "validation_mase" (null when not scored) and "per_origin" (empty then) */
static void
add_scores (JsonBuilder  *b,
            double        mase,
            const double *per_origin,
            guint         n_origins)
{
  json_builder_set_member_name (b, "validation_mase");
  if (isfinite (mase))
    json_builder_add_double_value (b, mase);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "per_origin");
  json_builder_begin_array (b);
  for (guint k = 0; k < n_origins && isfinite (mase); k++)
    json_builder_add_double_value (b, per_origin[k]);
  json_builder_end_array (b);
}

JsonNode *
recur_auto_to_json (const RecurAuto *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autofree char *reason = recur_auto_describe_choice (self);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "horizon");
  json_builder_add_int_value (b, self->horizon);
  json_builder_set_member_name (b, "origins");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->n_origins; i++)
    json_builder_add_int_value (b, self->origins[i] + 1); /* rows, from 1 */
  json_builder_end_array (b);
  json_builder_set_member_name (b, "candidates");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->candidates->len; i++)
    {
      const RecurAutoCandidate *c = recur_auto_get_candidate (self, i);

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, c->name);
      json_builder_set_member_name (b, "config");
      json_builder_add_value (b, recur_job_config_to_json (&c->config));
      json_builder_set_member_name (b, "floor");
      json_builder_add_boolean_value (b, c->floor);
      add_scores (b, c->validation_mase, c->per_origin, self->n_origins);
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, c->seconds);
      json_builder_set_member_name (b, "chosen");
      json_builder_add_boolean_value (b, i == self->chosen);
      if (c->error)
        {
          json_builder_set_member_name (b, "error");
          json_builder_add_string_value (b, c->error);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "theta");
  json_builder_begin_object (b);
  add_scores (b, self->theta_validation, self->theta_per_origin, self->n_origins);
  json_builder_set_member_name (b, "averaged");
  json_builder_add_boolean_value (b, recur_auto_averages_theta (self));
  json_builder_end_object (b);
  json_builder_set_member_name (b, "chosen");
  json_builder_add_string_value (b, recur_auto_get_candidate (self, self->chosen)->name);
  json_builder_set_member_name (b, "reason");
  json_builder_add_string_value (b, reason);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}
