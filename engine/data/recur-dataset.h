/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-covariates.h"
#include "recur-transform.h"

G_BEGIN_DECLS

#define RECUR_DATASET_ERROR (recur_dataset_error_quark ())
GQuark recur_dataset_error_quark (void);

typedef enum
{
  RECUR_DATASET_ERROR_TOO_SHORT,   /* not enough points for window + horizon + validation */
  RECUR_DATASET_ERROR_NOT_FINITE,  /* a value that is not finite */
  RECUR_DATASET_ERROR_INVALID,     /* a split parameter out of range */
} RecurDatasetError;

typedef struct
{
  guint           window;
  guint           horizon;      /* the test part: the last `horizon` points */
  guint           output_size;  /* values per training target: horizon (direct) or 1 */
  double          val_fraction; /* of the points before the test part; default 0.1 */
  RecurTransformSpec transform; /* all zero: the z-score alone */
  guint           season;       /* m for the seasonal transforms; 0 or 1: none */
} RecurSplitSpec;

/* A univariate series split chronologically into train | validation | test:
 *   train      [0, val_start)           the scaler is fitted here only
 *   validation [val_start, test_start)  at least output_size points when val_fraction > 0
 *   test       [test_start, n)          n − test_start = horizon
 * A training window s has inputs [s, s + window) and targets [s + window, s + window + output)
 * inside the training part; a validation window's targets lie inside the validation part. */
typedef struct _RecurDataset RecurDataset;

/* name is used in messages, e.g. "data.csv: column “x”". values are copied. */
RecurDataset *recur_dataset_new                (const double         *values,
                                                guint                 n,
                                                const RecurSplitSpec *spec,
                                                const char           *name,
                                                GError              **error);
void          recur_dataset_free               (RecurDataset         *self);

const RecurSplitSpec *recur_dataset_get_spec   (const RecurDataset   *self);
const RecurTransform *recur_dataset_get_transform (const RecurDataset *self);
guint         recur_dataset_get_n_points       (const RecurDataset   *self);
guint         recur_dataset_get_val_start      (const RecurDataset   *self);
guint         recur_dataset_get_test_start     (const RecurDataset   *self);
const double *recur_dataset_get_values         (const RecurDataset   *self); /* original units */
/* Every row transformed (s, before any window's level); NaN for the rows differencing takes. */
const double *recur_dataset_get_transformed    (const RecurDataset   *self);
/* Channels read beside the target at each step (recur-covariates.h): values [n_rows][n_channels]
 * (taken), n_rows ≥ the dataset's points, the rows past them known ahead (the calendar of the
 * future). Windows then read 1 + n_channels inputs per step. n_forecast of the levelled
 * channels (0, or all of them with output_size 1: a recursive model that forecasts its input
 * columns too) are targets beside the target's next value. */
void          recur_dataset_set_extra_inputs   (RecurDataset         *self,
                                                double               *values,
                                                guint                 n_channels,
                                                guint                 n_levelled,
                                                guint                 n_rows,
                                                guint                 n_forecast);
/* NULL without channels. */
const RecurExtraInputs *recur_dataset_get_extra_inputs (const RecurDataset *self);
/* Values per step of a window: 1, or 1 + the channels. */
guint         recur_dataset_get_input_size     (const RecurDataset   *self);
/* Values per window's target: output_size, or 1 + the channels forecast too. */
guint         recur_dataset_get_target_size    (const RecurDataset   *self);
guint         recur_dataset_get_n_train_windows (const RecurDataset  *self);
guint         recur_dataset_get_n_val_windows  (const RecurDataset   *self);
/* First index of the i-th training / validation window. */
guint         recur_dataset_train_window_start (const RecurDataset   *self,
                                                guint                 i);
guint         recur_dataset_val_window_start   (const RecurDataset   *self,
                                                guint                 i);
/* Gathers windows starting at starts[0..batch) into input, time-major [window][batch][I]
 * (I = recur_dataset_get_input_size: the target, then the extra inputs),
 * and (if target is not NULL) their targets, [batch][target_size]: the target's next
 * output_size values, or its next value and the forecast channels' (each relative to its own
 * window's level). */
void          recur_dataset_gather             (const RecurDataset   *self,
                                                const guint          *starts,
                                                guint                 batch,
                                                float                *input,
                                                float                *target);
/* The same, reading the last T ≤ window points of each window (an ensemble member's shorter
 * window; recur_job_config_member_window): input [T][batch][I], each relative to the level of
 * its own T points; the targets are the windows'. */
void          recur_dataset_gather_last        (const RecurDataset   *self,
                                                guint                 T,
                                                const guint          *starts,
                                                guint                 batch,
                                                float                *input,
                                                float                *target);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurDataset, recur_dataset_free)

G_END_DECLS
