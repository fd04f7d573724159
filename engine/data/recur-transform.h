/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>
#include <math.h>

G_BEGIN_DECLS

typedef enum
{
  RECUR_SCALER_ZSCORE, /* (x − mean) / std of the training part */
  RECUR_SCALER_MINMAX, /* (x − min) / (max − min) of the training part */
  RECUR_SCALER_NONE,
} RecurScalerKind;

/* scaled = (x − center) / scale */
typedef struct
{
  RecurScalerKind kind;
  double          center;
  double          scale;
} RecurScaler;

/* Fits on values[0..n); a constant part gets scale 1, so nothing divides by zero; huge
 * magnitudes are handled without overflow. */
void        recur_scaler_fit            (RecurScaler        *scaler,
                                         RecurScalerKind     kind,
                                         const double       *values,
                                         gsize               n);
static inline double
recur_scaler_apply (const RecurScaler *scaler,
                    double             x)
{
  double y = (x - scaler->center) / scaler->scale;

  /* x − center overflows only for magnitudes near DBL_MAX; dividing first cannot */
  return isfinite (y) ? y : x / scaler->scale - scaler->center / scaler->scale;
}
static inline double
recur_scaler_invert (const RecurScaler *scaler,
                     double             y)
{
  double x = y * scaler->scale + scaler->center;

  return isfinite (x) ? x : (y / 2 * scaler->scale + scaler->center / 2) * 2;
}
const char *recur_scaler_kind_to_string   (RecurScalerKind     kind);  /* zscore minmax none */
gboolean    recur_scaler_kind_from_string (const char         *text,
                                           RecurScalerKind    *kind);


/* The target transforms of a series, in double precision, forward x → s:
 *   1. Box-Cox (λ given, λ = 0 is log; or λ by Guerrero's method)      x → b
 *   2. deseasonalise: minus classical additive indices by phase t mod m b → u
 *   3. difference: first (lag 1), then seasonal (lag m)                 u → z
 *   4. the scaler (RecurScaler), fitted on z                            z → s
 * z is undefined for the first `offset` = difference + seasonal_difference·m rows.
 * The per-window level (recur_window_level) is not a series transform: a window's inputs and
 * targets are expressed relative to it by whoever cuts the windows. */

#define RECUR_TRANSFORM_ERROR (recur_transform_error_quark ())
GQuark recur_transform_error_quark (void);

typedef enum
{
  RECUR_TRANSFORM_ERROR_NOT_POSITIVE, /* Box-Cox asked for explicitly on a value ≤ 0 */
  RECUR_TRANSFORM_ERROR_TOO_SHORT,    /* not enough points for a step (seasons, differences) */
  RECUR_TRANSFORM_ERROR_INVALID,      /* a parameter out of range (λ, season) */
  RECUR_TRANSFORM_ERROR_DOMAIN,       /* a forecast outside the inverse Box-Cox's domain */
} RecurTransformError;
/* A value that is not finite, before or after a transform: RECUR_DATASET_ERROR_NOT_FINITE. */

typedef enum
{
  RECUR_BOX_COX_NONE,
  RECUR_BOX_COX_AUTO,  /* Guerrero's λ when the fitted part is positive, else skipped */
  RECUR_BOX_COX_GIVEN, /* spec.lambda; non-positive data is an error */
} RecurBoxCoxMode;

/* What becomes of the forecast, back in original units: not a transform, but fitted and stored
 * with them. */
typedef enum
{
  RECUR_THETA_NONE,
  RECUR_THETA_AVERAGE, /* averaged with the Theta method's on the same history (recur-theta.h),
                        * with the season fitted here as its m */
} RecurThetaMode;

typedef enum
{
  RECUR_WINDOW_NORM_NONE,
  RECUR_WINDOW_NORM_LAST, /* level = the window's last input */
  RECUR_WINDOW_NORM_MEAN, /* level = the mean of the window's inputs */
} RecurWindowNorm;

/* Guerrero's λ is searched in [−1, 2], as forecast::BoxCox.lambda's default. */
#define RECUR_BOX_COX_LOWER (-1.0)
#define RECUR_BOX_COX_UPPER 2.0
/* The longest season whose indices a transform can hold (a year of daily points). */
#define RECUR_TRANSFORM_MAX_SEASON 366

typedef struct
{
  RecurBoxCoxMode box_cox;
  double          lambda;              /* RECUR_BOX_COX_GIVEN only; any finite value */
  gboolean        difference;          /* first differences */
  gboolean        seasonal_difference; /* differences at lag m */
  gboolean        deseasonalise;       /* classical additive indices; needs 2 seasons */
  RecurScalerKind scaler;
  RecurWindowNorm window_norm;
  RecurThetaMode  theta;
} RecurTransformSpec;

/* A fitted transform: plain numbers, no pointers, so it is copied with `=` and stored field by
 * field. Phases are row indices modulo m, counted from row 0 of the array it was fitted on;
 * applied to another array (`recur forecast` on a file that starts elsewhere), `phase` is the
 * phase of that array's row 0. */
typedef struct
{
  RecurTransformSpec spec;        /* as asked */
  guint              season;      /* m; 1 when there is none */
  gboolean           box_cox;     /* applied: FALSE for none and for an automatic skip */
  double             lambda;      /* when box_cox; 0 = log */
  guint              offset;      /* rows without a differenced value */
  RecurScaler        scaler;
  double             seasonal_index[RECUR_TRANSFORM_MAX_SEASON]; /* [0, season) when used */
  guint              phase;       /* of row 0 of the history it is applied to: 0 when fitted */
} RecurTransform;

/* Box-Cox of x > 0: log x for λ = 0, else (x^λ − 1)/λ, computed as expm1 (λ log x)/λ. */
double   recur_box_cox                 (double                    x,
                                        double                    lambda);
/* Its inverse: exp y, else (1 + λy)^(1/λ) as exp (log1p (λy)/λ); NaN outside 1 + λy > 0. */
double   recur_box_cox_inverse         (double                    y,
                                        double                    lambda);

/* Guerrero's coefficient of variation of the subseries' sd/mean^(1−λ) (forecast::guer.cv):
 * the last ⌊n/p⌋·p values as ⌊n/p⌋ consecutive blocks of p = max (2, season). NaN when fewer
 * than two blocks. values must be positive and finite. */
double   recur_guerrero_cv             (const double             *values,
                                        gsize                     n,
                                        guint                     season,
                                        double                    lambda);
/* The λ in [lower, upper] minimising it by Brent's fmin with R optimize's tolerance
 * (DBL_EPSILON^¼), as forecast::BoxCox.lambda (method = "guerrero"); 1 when n ≤ 2·season. */
double   recur_guerrero_lambda         (const double             *values,
                                        gsize                     n,
                                        guint                     season,
                                        double                    lower,
                                        double                    upper);

/* Classical seasonal indices by phase (row mod m) of x[0, n), as R's decompose: the trend is the
 * centred moving average of order m (2 × m for an even m); a phase's index is the mean over its
 * rows of x − trend (additive: then shifted to sum to 0) or of x / trend (multiplicative: then
 * scaled to average 1). Needs n ≥ 2m, so that every phase has a row with a trend; writes
 * index[0, m). */
void     recur_classical_indices       (const double             *x,
                                        guint                     n,
                                        guint                     m,
                                        gboolean                  multiplicative,
                                        double                   *index);

/* Fits on values[0, n_fit) only (the training part): λ, seasonal indices, scaler. season is m
 * (0 or 1: none). name is used in messages, e.g. "data.csv: column “x”"; values are numbered
 * from 1 as rows of that part. */
gboolean recur_transform_fit           (RecurTransform           *transform,
                                        const RecurTransformSpec *spec,
                                        const double             *values,
                                        guint                     n_fit,
                                        guint                     season,
                                        const char               *name,
                                        GError                  **error);

/* out[i] = s of values[i] for i in [offset, n); out[0, offset) is NaN. values and out may be the
 * same array. A value Box-Cox cannot take or a non-finite result is an error naming the row. */
gboolean recur_transform_forward       (const RecurTransform     *transform,
                                        const double             *values,
                                        guint                     n,
                                        double                   *out,
                                        const char               *name,
                                        GError                  **error);

/* The forecasts s_out[0, steps) of rows n_history, n_history + 1, … back in original units:
 * un-scale, integrate the differences from the end of history (the actual values, then the
 * forecasts themselves past the season), re-add the indices, inverse Box-Cox. Needs
 * n_history ≥ offset. s_out and out may be the same array. A forecast outside the inverse's
 * domain or not finite is an error naming the step. Does not allocate. */
gboolean recur_transform_inverse       (const RecurTransform     *transform,
                                        const double             *history,
                                        guint                     n_history,
                                        const double             *s_out,
                                        guint                     steps,
                                        double                   *out,
                                        GError                  **error);

/* The level of a window s[0, len) in transformed units: 0 for none, s[len − 1] for last, the
 * mean for mean. Inputs and targets are s − level; forecasts get it added back. */
double   recur_window_level            (RecurWindowNorm           norm,
                                        const double             *s,
                                        guint                     len);
/* The same of s[0], s[stride], … s[(len − 1)·stride]: one channel of a row-major matrix. */
double   recur_window_level_strided    (RecurWindowNorm           norm,
                                        const double             *s,
                                        guint                     len,
                                        gsize                     stride);

const char *recur_window_norm_to_string (RecurWindowNorm          norm); /* none last mean */
gboolean    recur_window_norm_from_string (const char            *text,
                                           RecurWindowNorm       *norm);

G_END_DECLS
