/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The Theta method (Assimakopoulos & Nikolopoulos 2000) as R's forecast::thetaf computes it
 * (Hyndman & Billah 2003: simple exponential smoothing with drift):
 *   1. seasonal when m ≥ 2, n > 2m and thetaf's test passes (recur_season_test): the history
 *      is divided by classical multiplicative indices (R's decompose, type "multiplicative");
 *      a history with a value ≤ 0 is not (its ratios would mean nothing);
 *   2. simple exponential smoothing of what is left, α in [10⁻⁴, 0.9999] and the initial
 *      level chosen for the least squared one-step errors (as ets's ANN model; the level in
 *      closed form for each α, α by a grid then golden sections);
 *   3. the forecast of step i (from 0): the last level + b (i + (1 − (1 − α)ⁿ) / α), b half
 *      the least-squares slope of the (deseasonalised) history over time;
 *   4. times the index of the step's phase, when seasonal.
 * A refit on whatever history it is given: nothing is stored, so a weights file needs no more
 * than the flag and m. Reads only history[0, n). */

#define RECUR_THETA_ERROR (recur_theta_error_quark ())
GQuark recur_theta_error_quark (void);

typedef enum
{
  RECUR_THETA_ERROR_TOO_SHORT,   /* fewer than RECUR_THETA_MIN_POINTS */
  RECUR_THETA_ERROR_NOT_FINITE,  /* a history value, or a forecast, that is not finite */
} RecurThetaError;

/* The fewest points it forecasts from: a slope and a smoothing need a few. */
#define RECUR_THETA_MIN_POINTS 4

typedef struct
{
  gboolean seasonal;  /* deseasonalised (step 1) */
  double   alpha;     /* the smoothing weight chosen */
  double   level;     /* the last smoothed level */
  double   drift;     /* b */
} RecurThetaFit;

/* out[0, steps) from history[0, n), season m (0 or 1: none). fit, if not NULL, says what was
 * fitted. Fails, saying why, for a too-short or non-finite history, a forecast that is not
 * finite (out then holds the steps before it), or memory. */
gboolean recur_theta_forecast (const double  *history,
                               guint          n,
                               guint          m,
                               guint          steps,
                               double        *out,
                               RecurThetaFit *fit,
                               GError       **error);

G_END_DECLS
