/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-dataset.h"
#include "recur-model.h"
#include "recur-series.h"

G_BEGIN_DECLS

/* Immutable payloads a training thread hands to the UI: built on the worker, never changed
 * afterwards, shared by reference counting (g_atomic_rc_box). */

/* The internal states of one window: what the hidden-state heatmap shows. */
typedef struct
{
  RecurCellKind cell;
  guint         layers;
  guint         units;       /* directions × hidden */
  guint         window;
  guint         start;       /* index of the window's first point in the series */
  guint         epoch;
  float        *states;      /* [layers][RECUR_N_STATES][units][window], absent kinds zero */
  double       *grad_flow;   /* [layers][window], NULL before the first backward pass */
} RecurStatesSnapshot;

/* Runs the model (no dropout) on the window starting at `start` of data and copies every state
 * of every layer; ws must fit the model (batch ≥ 1). grad_flow ([layers][window]) may be NULL. */
RecurStatesSnapshot *recur_states_snapshot_new   (const RecurModel          *model,
                                                  RecurWorkspace            *ws,
                                                  const RecurDataset        *data,
                                                  guint                      start,
                                                  const double              *grad_flow,
                                                  guint                      epoch);
RecurStatesSnapshot *recur_states_snapshot_ref   (RecurStatesSnapshot       *self);
void                 recur_states_snapshot_unref (RecurStatesSnapshot       *self);
/* units × window, row-major; NULL when the cell has no such state. */
const float         *recur_states_snapshot_get   (const RecurStatesSnapshot *self,
                                                  guint                      layer,
                                                  RecurStateKind             kind);

/* Actual against predicted, in original units: the validation part one step ahead (each point
 * from the window just before it), the test part as scored (one forecast from the window before
 * it), and the forecast past the end of the data; with the naive forecast made the same way. */
typedef struct
{
  guint   epoch;
  guint   first;           /* series index of x[0]: some training context precedes validation */
  guint   n;
  double *x;               /* [n] timestamps (seconds) or row indices */
  double *actual;          /* [n] */
  double *predicted;       /* [n], NAN over the training context */
  double *naive;           /* [n], NAN over the training context */
  guint   n_future;
  double *future_x;
  double *future;
  double  val_start_x;
  double  test_start_x;
  /* An ensemble's: predicted and future are the median of its members', whose own are here */
  guint   n_members;       /* 1 for one network */
  double *member_predicted; /* [n_members × n], NAN where none; NULL for one network */
  double *member_future;    /* [n_members × n_future]; NULL for one network */
  /* Averaged with the Theta method's (RecurTransformSpec.theta): predicted's test part and
   * future are the average, Theta's own forecasts are here; NULL otherwise */
  double *theta_predicted;  /* [n], NAN outside the test part */
  double *theta_future;     /* [n_future] */
} RecurPredictionSnapshot;

/* From one network, or from an ensemble's members (the same spec; ws fits it): the median of
 * theirs, with each member's own kept. `observed`: the values as the file has them (NaN where
 * missing: actual has a gap there), rows as the data's. `earlier`: a snapshot of the same data
 * (NULL: none), whose Theta forecasts are taken instead of fitted again: they depend on the data
 * alone. */
RecurPredictionSnapshot *recur_prediction_snapshot_new   (RecurModel *const       *members,
                                                          guint                    n_members,
                                                          RecurWorkspace          *ws,
                                                          const RecurDataset      *data,
                                                          const RecurSeries       *series,
                                                          const double            *observed,
                                                          guint                    epoch,
                                                          const RecurPredictionSnapshot *earlier);
RecurPredictionSnapshot *recur_prediction_snapshot_ref   (RecurPredictionSnapshot *self);
void                     recur_prediction_snapshot_unref (RecurPredictionSnapshot *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurStatesSnapshot, recur_states_snapshot_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurPredictionSnapshot, recur_prediction_snapshot_unref)

G_END_DECLS
