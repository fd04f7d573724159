/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-forecast.h"
#include "recur-snapshot.h"
#include "recur-theta.h"

/* ---- states ------------------------------------------------------------------------------ */

static void
states_clear (gpointer data)
{
  RecurStatesSnapshot *self = data;

  g_free (self->states);
  g_free (self->grad_flow);
}

RecurStatesSnapshot *
recur_states_snapshot_new (const RecurModel   *model,
                           RecurWorkspace     *ws,
                           const RecurDataset *data,
                           guint               start,
                           const double       *grad_flow,
                           guint               epoch)
{
  const RecurModelSpec *spec = recur_model_get_spec (model);
  RecurStatesSnapshot *self = g_atomic_rc_box_new0 (RecurStatesSnapshot);
  guint T = spec->window, out = recur_model_spec_output_size (spec);
  gsize block;
  g_autofree float *input = g_new (float, (gsize) T * spec->input_size);
  g_autofree float *output = g_new (float, out);

  self->cell = spec->cell;
  self->layers = spec->num_layers;
  self->units = (spec->bidirectional ? 2 : 1) * spec->hidden_size;
  self->window = T;
  self->start = start;
  self->epoch = epoch;
  block = (gsize) self->units * T;
  /* as large as the window × units × layers the options ask for: none this time if it cannot
   * be had (the views then show nothing new) */
  self->states = g_try_malloc0_n ((gsize) self->layers * RECUR_N_STATES * block, sizeof (float));
  if (self->states == NULL)
    {
      recur_states_snapshot_unref (self);
      return NULL;
    }

  recur_dataset_gather_last (data, T, &start, 1, input, NULL);
  recur_model_forward (model, ws, 1, input, FALSE, NULL, output);
  for (guint l = 0; l < self->layers; l++)
    for (guint k = 0; k < RECUR_N_STATES; k++)
      recur_workspace_copy_state (ws, l, k, 0,
                                  self->states + ((gsize) l * RECUR_N_STATES + k) * block);
  if (grad_flow)
    self->grad_flow = g_memdup2 (grad_flow, (gsize) self->layers * T * sizeof (double));
  return self;
}

RecurStatesSnapshot *
recur_states_snapshot_ref (RecurStatesSnapshot *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
recur_states_snapshot_unref (RecurStatesSnapshot *self)
{
  if (self)
    g_atomic_rc_box_release_full (self, states_clear);
}

const float *
recur_states_snapshot_get (const RecurStatesSnapshot *self,
                           guint                      layer,
                           RecurStateKind             kind)
{
  g_return_val_if_fail (layer < self->layers && kind < RECUR_N_STATES, NULL);
  if (!recur_cell_has_state (self->cell, kind))
    return NULL;
  return self->states + ((gsize) layer * RECUR_N_STATES + kind) * self->units * self->window;
}

/* ---- predictions ------------------------------------------------------------------------- */

static void
predictions_clear (gpointer data)
{
  RecurPredictionSnapshot *self = data;

  g_free (self->x);
  g_free (self->actual);
  g_free (self->predicted);
  g_free (self->naive);
  g_free (self->future_x);
  g_free (self->future);
  g_free (self->member_predicted);
  g_free (self->member_future);
  g_free (self->theta_predicted);
  g_free (self->theta_future);
}

static double
x_of (const RecurSeries *series,
      guint              i)
{
  const gint64 *ts = recur_series_get_timestamps (series);
  return ts ? (double) ts[i] : (double) i;
}

/* One step ahead from the window ending before `t`: the first value the head outputs, plus the
 * window's level, transformed back as every forecast is (recur_transform_inverse). NaN when it
 * cannot be. */
static double
predict_one_step (const RecurModel   *model,
                  RecurWorkspace     *ws,
                  const RecurDataset *data,
                  guint               t,
                  float              *input,
                  float              *output)
{
  const RecurTransform *transform = recur_dataset_get_transform (data);
  guint T = recur_model_get_spec (model)->window;
  /* the data's window ending before t, of which the model reads the last T points */
  guint start = t - recur_dataset_get_spec (data)->window;
  double s, x;

  recur_dataset_gather_last (data, T, &start, 1, input, NULL);
  recur_model_forward (model, ws, 1, input, FALSE, NULL, output);
  s = output[0] + recur_window_level (transform->spec.window_norm,
                                      recur_dataset_get_transformed (data) + t - T, T);
  if (!recur_transform_inverse (transform, recur_dataset_get_values (data), t, &s, 1, &x, NULL))
    return NAN;
  return x;
}

/* Theta's forecasts out[0, steps) from history[0, n), NAN when it cannot make them (the job's
 * own forecast says why) */
static void
fit_theta (const double *history,
           guint         n,
           guint         season,
           guint         steps,
           double       *out)
{
  if (!recur_theta_forecast (history, n, season, steps, out, NULL, NULL))
    for (guint h = 0; h < steps; h++)
      out[h] = NAN;
}

/* The test part's forecast and the future averaged with the Theta method's, as the job's are
 * (recur_forecast_average_theta), Theta's own kept beside them: taken from `earlier`, a
 * snapshot of the same data, when it has them, else fitted */
static void
average_theta (RecurPredictionSnapshot       *self,
               const RecurDataset            *data,
               guint                          test_start,
               const RecurPredictionSnapshot *earlier)
{
  const RecurTransform *transform = recur_dataset_get_transform (data);
  guint offset = test_start - self->first;

  if (transform->spec.theta == RECUR_THETA_NONE)
    return;
  if (earlier && earlier->theta_predicted && earlier->first == self->first
      && earlier->n == self->n && earlier->n_future == self->n_future)
    {
      self->theta_predicted = g_memdup2 (earlier->theta_predicted, self->n * sizeof (double));
      self->theta_future = g_memdup2 (earlier->theta_future, self->n_future * sizeof (double));
    }
  else
    {
      self->theta_predicted = g_new (double, self->n);
      self->theta_future = g_new (double, self->n_future);
      for (guint i = 0; i < offset; i++)
        self->theta_predicted[i] = NAN;
      fit_theta (recur_dataset_get_values (data), test_start, transform->season,
                 self->n - offset, self->theta_predicted + offset);
      fit_theta (recur_dataset_get_values (data), recur_dataset_get_n_points (data),
                 transform->season, self->n_future, self->theta_future);
    }
  if (offset < self->n && !isnan (self->theta_predicted[offset]))
    recur_forecast_combine_theta (self->predicted + offset, self->theta_predicted + offset,
                                  self->n - offset);
  if (self->n_future > 0 && !isnan (self->theta_future[0]))
    recur_forecast_combine_theta (self->future, self->theta_future, self->n_future);
}

RecurPredictionSnapshot *
recur_prediction_snapshot_new (RecurModel *const   *members,
                               guint                n_members,
                               RecurWorkspace      *ws,
                               const RecurDataset  *data,
                               const RecurSeries   *series,
                               const double        *observed,
                               guint                epoch,
                               const RecurPredictionSnapshot *earlier)
{
  const RecurModelSpec *spec = recur_model_get_spec (members[0]);
  RecurPredictionSnapshot *self = g_atomic_rc_box_new0 (RecurPredictionSnapshot);
  const double *values = recur_dataset_get_values (data);
  guint n_points = recur_dataset_get_n_points (data);
  guint val_start = recur_dataset_get_val_start (data);
  guint test_start = recur_dataset_get_test_start (data);
  guint context = MIN (val_start, MAX (n_points - val_start, spec->window));
  /* members may read shorter windows than the data's (recur_dataset_gather_last) */
  g_autofree float *input = g_new (float, (gsize) recur_dataset_get_spec (data)->window
                                          * spec->input_size);
  g_autofree float *output = g_new (float, recur_model_spec_output_size (spec));
  /* each member's, then their median; one network's are the snapshot's own */
  double *predicted, *future;
  gint64 last;

  self->epoch = epoch;
  self->first = val_start - context;
  self->n = n_points - self->first;
  self->n_members = n_members;
  self->n_future = spec->horizon;
  self->x = g_new (double, self->n);
  self->actual = g_new (double, self->n);
  self->predicted = g_new (double, self->n);
  self->naive = g_new (double, self->n);
  self->future = g_new (double, self->n_future);
  self->future_x = g_new (double, self->n_future);
  if (n_members > 1)
    {
      self->member_predicted = g_new (double, (gsize) n_members * self->n);
      self->member_future = g_new (double, (gsize) n_members * self->n_future);
    }
  predicted = n_members > 1 ? self->member_predicted : self->predicted;
  future = n_members > 1 ? self->member_future : self->future;
  for (guint i = 0; i < self->n; i++)
    {
      guint t = self->first + i;
      self->x[i] = x_of (series, t);
      self->actual[i] = observed[t];
      self->naive[i] = t >= val_start && t < test_start ? values[t - 1] : NAN;
    }
  for (guint k = 0; k < n_members; k++)
    {
      double *p = predicted + (gsize) k * self->n, *f = future + (gsize) k * self->n_future;
      /* ws is member 0's: a member reading another window needs its own (none: not drawn) */
      g_autoptr(RecurWorkspace) own_ws =
        recur_model_get_spec (members[k])->window != spec->window
        ? recur_workspace_try_new (members[k], 1, RECUR_WORKSPACE_INFERENCE, NULL) : NULL;
      RecurWorkspace *member_ws = own_ws ? own_ws
                                  : recur_model_get_spec (members[k])->window == spec->window
                                  ? ws : NULL;

      for (guint i = 0; i < self->n; i++)
        {
          guint t = self->first + i;
          p[i] = t >= val_start && t < test_start && member_ws
                 ? predict_one_step (members[k], member_ws, data, t, input, output) : NAN;
        }
      for (guint h = 0; h < self->n_future; h++)
        f[h] = NAN;
      /* the test part exactly as it is scored (left NAN, not drawn, if memory runs out) */
      recur_forecast (members[k], recur_dataset_get_transform (data), values, test_start,
                      recur_dataset_get_extra_inputs (data), n_points - test_start,
                      p + (test_start - self->first), NULL);
      recur_forecast (members[k], recur_dataset_get_transform (data), values, n_points,
                      recur_dataset_get_extra_inputs (data), self->n_future, f, NULL);
    }
  if (n_members > 1)
    {
      recur_median_across (self->member_predicted, n_members, self->n, self->n,
                           self->predicted);
      recur_median_across (self->member_future, n_members, self->n_future, self->n_future,
                           self->future);
    }
  average_theta (self, data, test_start, earlier);
  recur_naive_forecast (values, test_start, n_points - test_start,
                        self->naive + (test_start - self->first));
  last = (gint64) x_of (series, n_points - 1);
  for (guint h = 0; h < self->n_future; h++)
    self->future_x[h] = (double) recur_series_advance_timestamp (series, last, h + 1);
  self->val_start_x = x_of (series, val_start);
  self->test_start_x = x_of (series, test_start);
  return self;
}

RecurPredictionSnapshot *
recur_prediction_snapshot_ref (RecurPredictionSnapshot *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
recur_prediction_snapshot_unref (RecurPredictionSnapshot *self)
{
  if (self)
    g_atomic_rc_box_release_full (self, predictions_clear);
}
