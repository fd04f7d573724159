/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "recur-job.h"
#include "recur-metrics.h"
#include "recur-project.h"
#include "recur-run.h"
#include "recur-sweep.h"

G_BEGIN_DECLS

/* One row of the comparison of runs (`recur sweep`'s table, `recur project info`). */
typedef struct
{
  char           *name;
  char           *id;             /* the project run's id; NULL outside a project */
  guint           n_values;
  RecurSweepValue values[RECUR_SWEEP_MAX_PARAMS];
  RecurJobConfig *config;         /* NULL when unknown (a damaged config.json) */
  RecurRunStatus  status;
  char           *message;        /* why it failed, or what is damaged; NULL otherwise */
  gboolean        scored;         /* trained at least one epoch: test metrics are its best
                                   * weights' (otherwise they are NAN) */
  guint           epochs_run;
  guint           best_epoch;
  double          val_loss;       /* of the best epoch, in scaled units */
  RecurMetrics    test;
  RecurMetrics    naive;          /* the baselines: NAN when the run never got to scoring */
  RecurMetrics    snaive;
  double          relative_mase;  /* test MASE / naive MASE: below 1 beats repeating the last value */
  double          seconds;
  guint           rank;           /* 1-based, after recur_comparison_sort */
  gboolean        best;           /* the lowest test MASE of the finished and stopped runs */
} RecurComparisonRow;

typedef struct _RecurComparison RecurComparison;

RecurComparison *recur_comparison_new          (void);
void             recur_comparison_free         (RecurComparison          *self);

/* A run from its job (NULL when it failed before one existed). */
void             recur_comparison_add_job      (RecurComparison          *self,
                                                const char               *name,
                                                const RecurSweepValue    *values,
                                                guint                     n_values,
                                                const RecurJobConfig     *config,
                                                RecurRunStatus            status,
                                                const char               *message,
                                                const RecurJob           *job);
/* A run read from a project (its result.json). */
void             recur_comparison_add_project_run (RecurComparison       *self,
                                                   const RecurProjectRun *run);

/* A copy of a row of another table (rank and best are set by the next sort). */
void             recur_comparison_add_row      (RecurComparison          *self,
                                                const RecurComparisonRow *row);

/* Finished and stopped runs with a test MASE first, lowest first; then the others (failed,
 * interrupted, damaged, never trained), by MASE then in the order added. Sets rank and best. */
void             recur_comparison_sort         (RecurComparison          *self);

guint            recur_comparison_get_n_rows   (const RecurComparison    *self);
const RecurComparisonRow *recur_comparison_get_row (const RecurComparison *self,
                                                    guint                  index);
/* The swept parameters of all rows, in order of first appearance: the value columns. */
guint            recur_comparison_get_n_params (const RecurComparison    *self);
const char      *recur_comparison_get_param    (const RecurComparison    *self,
                                                guint                     index);
/* The value of param in row, as text; NULL when the row did not sweep it. */
const char      *recur_comparison_row_get_value (const RecurComparisonRow *row,
                                                 const char               *param);

/* An array of objects: rank, best, name, id, swept, config, status, error, epochs_run,
 * best_epoch, val_loss, test, baselines {naive, snaive}, relative_mase, seconds. */
JsonNode        *recur_comparison_to_json      (const RecurComparison    *self);
/* RFC 4180 CSV, a header then a row per run (README.md lists the columns). */
char            *recur_comparison_to_csv       (const RecurComparison    *self,
                                                gsize                    *length);
/* Both written atomically; errors name the path. */
gboolean         recur_comparison_write_json   (const RecurComparison    *self,
                                                const char               *path,
                                                GError                  **error);
gboolean         recur_comparison_write_csv    (const RecurComparison    *self,
                                                const char               *path,
                                                GError                  **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurComparison, recur_comparison_free)

G_END_DECLS
