/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

#include "recur-job.h"

G_BEGIN_DECLS

#define RECUR_SWEEP_ERROR (recur_sweep_error_quark ())
GQuark recur_sweep_error_quark (void);

/* Messages quote the text at fault and name the parameter. */
typedef enum
{
  RECUR_SWEEP_ERROR_SYNTAX,        /* not NAME=VALUES, or a malformed range or bounds */
  RECUR_SWEEP_ERROR_UNKNOWN_PARAM, /* not a sweepable parameter */
  RECUR_SWEEP_ERROR_BAD_VALUE,     /* not of the parameter's type, or out of its range */
  RECUR_SWEEP_ERROR_DUPLICATE,     /* the same parameter swept twice */
  RECUR_SWEEP_ERROR_TOO_MANY,      /* more than RECUR_SWEEP_MAX_PARAMS, or RECUR_SWEEP_MAX_RUNS */
  RECUR_SWEEP_ERROR_MIXED,         /* grid axes and random bounds in one sweep */
  RECUR_SWEEP_ERROR_EMPTY,         /* nothing swept, or random samples without bounds */
  RECUR_SWEEP_ERROR_NO_EFFECT,     /* a parameter no run of the sweep uses */
} RecurSweepError;

#define RECUR_SWEEP_MAX_PARAMS 2
#define RECUR_SWEEP_MAX_RUNS   10000

typedef enum
{
  RECUR_SWEEP_PARAM_INT,
  RECUR_SWEEP_PARAM_FLOAT,
  RECUR_SWEEP_PARAM_CHOICE,
  RECUR_SWEEP_PARAM_BOOL,
} RecurSweepParamKind;

/* A hyperparameter a sweep can vary, named as `recur train`'s option and the configuration's
 * JSON field. Its valid values are recur_job_config_validate's. */
typedef struct
{
  const char         *name;      /* "hidden", "lr", "model", … */
  RecurSweepParamKind kind;
} RecurSweepParam;

/* Every sweepable parameter, for a sweep dialog: n receives the count. */
const RecurSweepParam *recur_sweep_list_params       (guint                 *n);
const RecurSweepParam *recur_sweep_find_param        (const char            *name);
/* CHOICE: the names it takes, NULL-terminated; BOOL: "false", "true"; NULL otherwise. */
const char *const     *recur_sweep_param_get_choices (const RecurSweepParam *param);

/* One swept value of one run. */
typedef struct
{
  const RecurSweepParam *param;
  double                 number; /* INT, FLOAT: the value; CHOICE: the choice's index; BOOL: 0, 1 */
  char                  *text;   /* as the run's name shows it: "32", "0.003", "gru", "true" */
} RecurSweepValue;

/* One run of a sweep: its configuration, and the values that set it apart. */
typedef struct
{
  char           *name;                            /* "hidden=32 lr=0.003" */
  RecurJobConfig  config;
  guint           n_values;
  RecurSweepValue values[RECUR_SWEEP_MAX_PARAMS];
} RecurSweepPoint;

void      recur_sweep_point_free            (RecurSweepPoint       *point);
/* {"hidden": 32, "lr": 0.003, "model": "gru"}: numbers as numbers, choices as strings. */
JsonNode *recur_sweep_values_to_json        (const RecurSweepValue *values,
                                             guint                  n_values);
/* Reads that object back into values[RECUR_SWEEP_MAX_PARAMS] (free each text with g_free). */
gboolean  recur_sweep_values_from_json      (JsonNode              *node,
                                             RecurSweepValue       *values,
                                             guint                 *n_values,
                                             GError               **error);

/* A sweep: a base configuration and one or two parameters, either a grid (the cartesian
 * product of each parameter's values) or random samples within bounds.
 *
 * Grid, `recur sweep --grid`:  NAME=V1,V2,…            the values listed
 *                              NAME=START:STOP:N       N evenly spaced points, both ends included
 *                              NAME=START:STOP:log:N   N points evenly spaced in log (START > 0)
 *                                                      (":lin:" may be written for the first)
 * Random, `--random N` with `--bounds`:  NAME=LO:HI     uniform in [LO, HI]
 *                                        NAME=LO:HI:log log-uniform (LO > 0)
 *                                        NAME=LO:HI:int integers (an INT parameter always is)
 *                                        NAME=V1,V2,…   one of the values, uniformly
 * Generated fractional values are rounded to 3 significant digits (ends of ranges are kept as
 * written), so a run's name shows exactly the value it trained with; integer ranges round to
 * integers, and values a range repeats by rounding are dropped. Samples are drawn from a
 * RecurRng seeded with the sweep's seed: the same seed gives the same runs. */
typedef struct _RecurSweep RecurSweep;

RecurSweep *recur_sweep_new             (const RecurJobConfig  *base);
void        recur_sweep_free            (RecurSweep            *self);

gboolean    recur_sweep_add_grid        (RecurSweep            *self,
                                         const char            *spec,
                                         GError               **error);
gboolean    recur_sweep_add_bounds      (RecurSweep            *self,
                                         const char            *spec,
                                         GError               **error);
void        recur_sweep_set_random      (RecurSweep            *self,
                                         guint                  n_samples,
                                         guint64                seed);

guint       recur_sweep_get_n_params    (const RecurSweep      *self);
const RecurSweepParam *recur_sweep_get_param (const RecurSweep *self,
                                              guint             index);
/* The runs, in order (grid: the first parameter varies slowest), as RecurSweepPoint with
 * names unique within the sweep; NULL if the sweep is incomplete or too large. */
GPtrArray  *recur_sweep_expand          (const RecurSweep      *self,
                                         GError               **error);

/* The order to start n runs in on a few workers: the most work first (parameters × window ×
 * the most epochs × members; the same series), ties in the order given. Run in the order given,
 * a sweep whose costly runs come last leaves a worker idle while the last one trains; longest
 * first, the work left at the end is the smallest. order receives n indices into configs. */
void        recur_sweep_order_by_cost   (const RecurJobConfig *const *configs,
                                         guint                  n,
                                         guint                 *order);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurSweep, recur_sweep_free)

G_END_DECLS
