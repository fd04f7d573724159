/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Pure Cairo drawing of Recur's plots. No GTK types: the widgets in ui/ and the image export
 * call the same functions. Each reads only its arguments and keeps no state between calls.
 * Text is drawn with Pango (pangocairo) and must only be used from one thread at a time. */

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

#define RECUR_PLOT_ERROR (recur_plot_error_quark ())
GQuark recur_plot_error_quark (void);

typedef enum
{
  RECUR_PLOT_ERROR_FORMAT,  /* unknown file extension or format */
  RECUR_PLOT_ERROR_SIZE,    /* width or height out of range (1–20000 pixels/points) */
  RECUR_PLOT_ERROR_CAIRO,   /* Cairo failed to render */
  RECUR_PLOT_ERROR_WRITE,   /* the file could not be written (nothing was left behind) */
} RecurPlotError;

typedef struct
{
  double r, g, b, a;
} RecurRgba;

#define RECUR_PLOT_N_CATEGORICAL 8
#define RECUR_PLOT_N_SEQUENTIAL  9

typedef struct
{
  RecurRgba background;
  RecurRgba foreground;   /* text, axes */
  RecurRgba grid;
  RecurRgba muted;        /* secondary text, markers */
  RecurRgba train;        /* training part / training loss */
  RecurRgba validation;   /* validation part / validation loss */
  RecurRgba test;         /* test part */
  RecurRgba actual;       /* observed values */
  RecurRgba predicted;    /* model predictions */
  RecurRgba baseline;     /* naive forecast */
  RecurRgba forecast;     /* forecast past the end of the data */
  RecurRgba theta;        /* the Theta method's forecast, averaged into the model's */
  RecurRgba negative;     /* diverging colour map: −limit … */
  RecurRgba positive;     /* … +limit; 0 is drawn in the background colour */
  RecurRgba highlight;    /* best epoch, hover marker */
  /* One colour per run when runs are compared, in the order they are handed out */
  RecurRgba categorical[RECUR_PLOT_N_CATEGORICAL];
  /* A sequential colour map, low values to high (the sweep heatmap), evenly spaced stops */
  RecurRgba sequential[RECUR_PLOT_N_SEQUENTIAL];
  char      font[64];     /* Pango font family, e.g. "Sans" */
  double    font_size;    /* points at scale 1 */
} RecurPlotStyle;

/* Colour-blind-safe defaults for a light and a dark theme; widgets then take background,
 * foreground and accent from the GTK theme. */
void recur_plot_style_init (RecurPlotStyle *style,
                            gboolean        dark);

/* The plotting area inside a w×h plot (after margins for axes and labels); the same for a
 * given plot kind and size in drawing and in hit-testing.
 *
 * Margins depend on the text, so layout depends on the style's font and font_size. The
 * recur_plot_*_area and recur_plot_*_hit functions without a style measure with the font of
 * recur_plot_style_init(); a widget that draws with another font or size calls the
 * *_for_style variants with the style it draws with (NULL = the defaults). Every draw
 * function also accepts a NULL style, meaning recur_plot_style_init (style, FALSE). */
typedef struct
{
  double x, y, width, height;
} RecurPlotArea;

/* ---- series view ------------------------------------------------------------------------ */

/* Time axes show UTC, as the engine reads timestamps, with ticks at calendar units. */

typedef struct
{
  guint          n;
  const double  *x;            /* time axis values (Unix seconds, or row index) */
  const double  *values;       /* NAN where missing: drawn as a gap */
  const gboolean *missing;     /* may be NULL: TRUE where a value was missing (marked on the axis) */
  gboolean       x_is_time;    /* format x as dates (and times when x_has_time_of_day) */
  gboolean       x_has_time_of_day;
  guint          val_start;    /* index where the validation part starts; n = none */
  guint          test_start;   /* index where the test part starts; n = none */
  double         view_min;     /* visible x range; view_min >= view_max means everything */
  double         view_max;
  int            hover;        /* index with a readout (date and value), -1 for none */
  const char    *title;        /* e.g. the column name; may be NULL */
} RecurSeriesPlot;

void recur_plot_series       (cairo_t               *cr,
                              double                 width,
                              double                 height,
                              const RecurSeriesPlot *plot,
                              const RecurPlotStyle  *style);
RecurPlotArea recur_plot_series_area (const RecurSeriesPlot *plot,
                                      double                 width,
                                      double                 height);
/* Index of the point nearest to widget x (inside the view), or -1. */
int  recur_plot_series_hit   (const RecurSeriesPlot *plot,
                              double                 width,
                              double                 height,
                              double                 x);
RecurPlotArea recur_plot_series_area_for_style (const RecurSeriesPlot *plot,
                                                const RecurPlotStyle  *style,
                                                double                 width,
                                                double                 height);
int  recur_plot_series_hit_for_style (const RecurSeriesPlot *plot,
                                      const RecurPlotStyle  *style,
                                      double                 width,
                                      double                 height,
                                      double                 x);

/* ---- loss curve --------------------------------------------------------------------------- */

typedef struct _RecurLossRun RecurLossRun;  /* one run's curves: below, with the overlays */

typedef struct
{
  guint         n;            /* epochs so far */
  guint         total;        /* planned epochs: the x axis spans 1…total */
  const double *train;        /* [n] */
  const double *val;          /* [n], NAN where unknown */
  const double *lr;           /* [n] learning rate per epoch: changes are marked; may be NULL */
  guint         best_epoch;   /* 1-based, 0 = none: marked */
  int           hover;        /* epoch index (0-based) with a readout, -1 for none */
  /* an ensemble's other members: each one's validation loss (its training loss where it has
   * none), faint under the run's own lines; name, colour and best_epoch unused */
  guint               n_members;
  const RecurLossRun *members;  /* [n_members] */
} RecurLossPlot;

/* Log-scale y axis, train and validation lines, best epoch and learning-rate changes marked,
 * a legend. */
void recur_plot_loss         (cairo_t              *cr,
                              double                width,
                              double                height,
                              const RecurLossPlot  *plot,
                              const RecurPlotStyle *style);
/* Epoch index (0-based) under widget x, clamped to the epochs so far; -1 outside the area
 * or with no epochs. */
int  recur_plot_loss_hit     (const RecurLossPlot  *plot,
                              double                width,
                              double                height,
                              double                x);
RecurPlotArea recur_plot_loss_area (const RecurLossPlot *plot,
                                    double               width,
                                    double               height);
RecurPlotArea recur_plot_loss_area_for_style (const RecurLossPlot  *plot,
                                              const RecurPlotStyle *style,
                                              double                width,
                                              double                height);
int  recur_plot_loss_hit_for_style (const RecurLossPlot  *plot,
                                    const RecurPlotStyle *style,
                                    double                width,
                                    double                height,
                                    double                x);

/* ---- heatmap ------------------------------------------------------------------------------ */

typedef struct
{
  guint        rows;          /* units */
  guint        cols;          /* time steps */
  const float *values;        /* row-major [rows][cols] */
  double       limit;         /* colour range ±limit; 0 = the largest |value| */
  const char  *title;         /* e.g. "h_t, layer 1" */
  const char  *row_label;     /* e.g. "unit" */
  const char  *col_label;     /* e.g. "time step" */
} RecurHeatmapPlot;

/* Cells painted from an image surface with CAIRO_FILTER_NEAREST, a diverging map centred on 0,
 * and a colour bar with its scale. Non-finite cells take style->grid. */
void recur_plot_heatmap      (cairo_t                *cr,
                              double                  width,
                              double                  height,
                              const RecurHeatmapPlot *plot,
                              const RecurPlotStyle   *style);
/* The cells' rectangle: column c spans x + c·width/cols … x + (c+1)·width/cols, row 0 on top. */
RecurPlotArea recur_plot_heatmap_area (const RecurHeatmapPlot *plot,
                                       double                  width,
                                       double                  height);
RecurPlotArea recur_plot_heatmap_area_for_style (const RecurHeatmapPlot *plot,
                                                 const RecurPlotStyle   *style,
                                                 double                  width,
                                                 double                  height);

/* ---- gradient flow ------------------------------------------------------------------------ */

typedef struct
{
  guint         n;            /* time steps */
  const double *norms;        /* ‖∂loss/∂h_t‖ per step, log-scale bars */
  const char   *why_empty;    /* said when no step has a value, for a model that learns
                               * without gradients; NULL: "No data yet" or "No values to show" */
} RecurGradFlowPlot;

/* Steps without a positive finite norm get no bar. */
void recur_plot_grad_flow    (cairo_t                 *cr,
                              double                   width,
                              double                   height,
                              const RecurGradFlowPlot *plot,
                              const RecurPlotStyle    *style);
/* Step t's bar is centred at x + (t + 0.5)·width/n. */
RecurPlotArea recur_plot_grad_flow_area (const RecurGradFlowPlot *plot,
                                         double                   width,
                                         double                   height);
RecurPlotArea recur_plot_grad_flow_area_for_style (const RecurGradFlowPlot *plot,
                                                   const RecurPlotStyle    *style,
                                                   double                   width,
                                                   double                   height);

/* ---- predictions -------------------------------------------------------------------------- */

typedef struct
{
  guint         n;            /* observed points shown (a tail of the series) */
  const double *x;            /* [n] time axis (as RecurSeriesPlot) */
  const double *actual;       /* [n] */
  const double *predicted;    /* [n], NAN where the model made no prediction */
  const double *naive;        /* [n], NAN where none; may be NULL */
  guint         n_future;
  const double *future_x;     /* [n_future] */
  const double *future;       /* [n_future] forecast past the end of the data */
  gboolean      x_is_time;
  gboolean      x_has_time_of_day;
  double        val_start_x;  /* shading of the validation and test parts; NAN = none */
  double        test_start_x;
  int           hover;        /* index into x (or n + future index) with a readout, -1 none */
  /* An ensemble's members, drawn faintly behind predicted and future (their median) */
  guint         n_members;        /* 0 or 1: none */
  const double *member_predicted; /* [n_members × n], NAN where none */
  const double *member_future;    /* [n_members × n_future]; may be NULL */
  /* The Theta method's own forecast, where predicted and future are averaged with it: dashed */
  const double *theta_predicted;  /* [n], NAN where none; may be NULL */
  const double *theta_future;     /* [n_future]; may be NULL */
} RecurPredictionPlot;

void recur_plot_predictions  (cairo_t                   *cr,
                              double                     width,
                              double                     height,
                              const RecurPredictionPlot *plot,
                              const RecurPlotStyle      *style);
/* Index of the nearest point under widget x: into x, or n + index into future_x; -1 outside. */
int  recur_plot_predictions_hit (const RecurPredictionPlot *plot,
                                 double                     width,
                                 double                     height,
                                 double                     x);
RecurPlotArea recur_plot_predictions_area (const RecurPredictionPlot *plot,
                                           double                     width,
                                           double                     height);
RecurPlotArea recur_plot_predictions_area_for_style (const RecurPredictionPlot *plot,
                                                     const RecurPlotStyle      *style,
                                                     double                     width,
                                                     double                     height);
int  recur_plot_predictions_hit_for_style (const RecurPredictionPlot *plot,
                                           const RecurPlotStyle      *style,
                                           double                     width,
                                           double                     height,
                                           double                     x);

/* ---- comparing runs ------------------------------------------------------------------------ */

/* The loss and the predictions plots draw one run or several, through the same code: one run
 * (recur_plot_loss, recur_plot_predictions) in the colours of what its lines are, several (the
 * _overlay functions below) each in a colour of its own.
 *
 * Each compared run takes a colour of RecurPlotStyle.categorical. A run's `colour` is a 1-based
 * index into it (taken modulo its size), so that a run keeps its colour while others are
 * selected and deselected; 0 gives the run the colour of its position in runs[]. */

struct _RecurLossRun
{
  const char   *name;         /* legend and readout; NULL = "run k". Long names are cut short */
  guint         colour;       /* 1-based slot in style->categorical, 0 = by position */
  guint         n;            /* epochs trained */
  const double *train;        /* [n] training loss; may be NULL */
  const double *val;          /* [n] validation loss, NAN where unknown; may be NULL */
  guint         best_epoch;   /* 1-based, 0 = none: a dot on the run's line */
};

typedef struct
{
  guint               n_runs;
  const RecurLossRun *runs;   /* [n_runs] */
  int                 hover;  /* epoch index (0-based) with a readout of every run, -1 for none */
  const char         *title;  /* may be NULL */
} RecurLossOverlayPlot;

/* The loss curves of several runs on one log-scale axis over epochs 1…(the longest run): each
 * run in its own colour, validation solid and training dashed, its best epoch a dot; a legend
 * with the run names. Non-positive and non-finite losses are gaps. */
void recur_plot_loss_overlay (cairo_t                    *cr,
                              double                      width,
                              double                      height,
                              const RecurLossOverlayPlot *plot,
                              const RecurPlotStyle       *style);
/* Epoch index (0-based) under widget x, clamped to the longest run; -1 outside the area or
 * with no epochs. */
int  recur_plot_loss_overlay_hit (const RecurLossOverlayPlot *plot,
                                  double                      width,
                                  double                      height,
                                  double                      x);
RecurPlotArea recur_plot_loss_overlay_area (const RecurLossOverlayPlot *plot,
                                            double                      width,
                                            double                      height);
RecurPlotArea recur_plot_loss_overlay_area_for_style (const RecurLossOverlayPlot *plot,
                                                      const RecurPlotStyle       *style,
                                                      double                      width,
                                                      double                      height);
int  recur_plot_loss_overlay_hit_for_style (const RecurLossOverlayPlot *plot,
                                            const RecurPlotStyle       *style,
                                            double                      width,
                                            double                      height,
                                            double                      x);

typedef struct
{
  const char   *name;         /* legend and readout; NULL = "run k" */
  guint         colour;       /* 1-based slot in style->categorical, 0 = by position */
  guint         n;
  const double *x;            /* [n] time axis (as RecurPredictionsOverlayPlot.x) */
  const double *predicted;    /* [n] NAN where the run made no prediction */
  guint         n_future;
  const double *future_x;     /* [n_future] */
  const double *future;       /* [n_future] forecast past the end of the data; may be NULL */
  double        val_start_x;  /* this run's validation and test parts, NAN = none; the first */
  double        test_start_x; /* run's are shaded */
} RecurPredictionRun;

typedef struct
{
  guint                     n;          /* observed points shown (a tail of the series) */
  const double             *x;          /* [n] time axis (as RecurSeriesPlot) */
  const double             *actual;     /* [n] in the foreground colour */
  gboolean                  x_is_time;
  gboolean                  x_has_time_of_day;
  guint                     n_runs;
  const RecurPredictionRun *runs;       /* [n_runs] */
  /* Index into x, or n + index into the future_x of the run with the longest forecast (the
   * first of them); each run's values are read at that x. -1 for none. */
  int                       hover;
  const char               *title;      /* may be NULL */
} RecurPredictionsOverlayPlot;

/* The observed series and every run's predictions and forecast, one colour per run. */
void recur_plot_predictions_overlay (cairo_t                           *cr,
                                     double                             width,
                                     double                             height,
                                     const RecurPredictionsOverlayPlot *plot,
                                     const RecurPlotStyle              *style);
/* The nearest point under widget x, as `hover` counts; -1 outside the area. */
int  recur_plot_predictions_overlay_hit (const RecurPredictionsOverlayPlot *plot,
                                         double                             width,
                                         double                             height,
                                         double                             x);
RecurPlotArea recur_plot_predictions_overlay_area (const RecurPredictionsOverlayPlot *plot,
                                                   double                             width,
                                                   double                             height);
RecurPlotArea recur_plot_predictions_overlay_area_for_style
                                                  (const RecurPredictionsOverlayPlot *plot,
                                                   const RecurPlotStyle              *style,
                                                   double                             width,
                                                   double                             height);
int  recur_plot_predictions_overlay_hit_for_style (const RecurPredictionsOverlayPlot *plot,
                                                   const RecurPlotStyle              *style,
                                                   double                             width,
                                                   double                             height,
                                                   double                             x);

/* ---- hyperparameter sweep ----------------------------------------------------------------- */

typedef enum
{
  RECUR_SWEEP_PLOT_SCALE_LINEAR,      /* numeric values, evenly scaled */
  RECUR_SWEEP_PLOT_SCALE_LOG,         /* positive numeric values on a log scale (learning rates) */
  RECUR_SWEEP_PLOT_SCALE_CATEGORICAL, /* labels evenly spaced in the given order ("lstm", "gru") */
} RecurSweepPlotScale;

/* One swept hyperparameter. Ticks sit at the swept values, labelled with `labels` or else the
 * values written out (more than 16 numeric values, as random samples give, get round-number
 * ticks instead). A heatmap spaces any parameter's values evenly, in the given order. */
typedef struct
{
  const char          *name;     /* axis title, e.g. "hidden size" */
  guint                n;        /* values swept */
  const double        *values;   /* [n]; may be NULL when categorical */
  const char * const  *labels;   /* [n] text for each value (RecurSweepValue.text); may be
                                  * NULL when numeric */
  RecurSweepPlotScale  scale;
} RecurSweepPlotAxis;

typedef struct
{
  const char         *metric;           /* the title, e.g. "test MASE" */
  RecurSweepPlotAxis  a;                /* along x (heatmap columns) */
  RecurSweepPlotAxis  b;                /* heatmap rows from the bottom up; b.n = 0 for a sweep
                                         * of one parameter */
  /* The metric per run, NAN where the run failed or has not finished: [a.n] for one parameter;
   * for two, [a.n][b.n] with a varying slowest (as recur_sweep_expand orders a grid whose first
   * parameter is a): value i of a and value j of b at results[i·b.n + j]. */
  const double       *results;
  gboolean            higher_is_better; /* FALSE: the lowest value is the best (losses, MASE) */
  gboolean            log_metric;       /* log y axis (one parameter) or colour scale (two) */
  double              reference;        /* one parameter: a dashed horizontal line, NAN = none */
  const char         *reference_label;  /* e.g. "naive MASE 3.79"; may be NULL */
  int                 hover;            /* index into results with a readout, -1 for none */
} RecurSweepPlot;

/* One parameter: the metric against the swept values, the points joined by a line, the best
 * one marked with its value, failed runs as crosses on the x axis. Two parameters: a heatmap
 * of the metric over the grid on a sequential colour map (style->sequential) with a colour
 * bar that says which end is better, values written in cells large enough, the best cell
 * outlined, failed runs hatched with "—". */
void recur_plot_sweep        (cairo_t              *cr,
                              double                width,
                              double                height,
                              const RecurSweepPlot *plot,
                              const RecurPlotStyle *style);
/* Index into results of the best finite value (the first of equals), -1 when none. */
int  recur_plot_sweep_best   (const RecurSweepPlot *plot);
/* One parameter: the index of the value nearest to widget x; two: the cell under (x, y).
 * -1 outside the area. */
int  recur_plot_sweep_hit    (const RecurSweepPlot *plot,
                              double                width,
                              double                height,
                              double                x,
                              double                y);
/* Two parameters: cell (column i, row j) spans x + i·width/a.n … x + (i + 1)·width/a.n and,
 * rows counted from the bottom, y + height − (j + 1)·height/b.n … y + height − j·height/b.n. */
RecurPlotArea recur_plot_sweep_area (const RecurSweepPlot *plot,
                                     double                width,
                                     double                height);
RecurPlotArea recur_plot_sweep_area_for_style (const RecurSweepPlot *plot,
                                               const RecurPlotStyle *style,
                                               double                width,
                                               double                height);
int  recur_plot_sweep_hit_for_style (const RecurSweepPlot *plot,
                                     const RecurPlotStyle *style,
                                     double                width,
                                     double                height,
                                     double                x,
                                     double                y);

/* ---- export ------------------------------------------------------------------------------- */

typedef enum
{
  RECUR_PLOT_FORMAT_PNG,
  RECUR_PLOT_FORMAT_SVG,
  RECUR_PLOT_FORMAT_PDF,
} RecurPlotFormat;

typedef void (*RecurPlotDrawFunc) (cairo_t              *cr,
                                   double                width,
                                   double                height,
                                   gconstpointer         plot,
                                   const RecurPlotStyle *style);

/* From a file name's extension (.png .svg .pdf, any case). */
gboolean recur_plot_format_from_path (const char      *path,
                                      RecurPlotFormat *format,
                                      GError         **error);
/* Draws into an image (PNG), SVG or PDF surface of width × height (pixels or points) and writes
 * it atomically (temporary file + rename; nothing left behind on failure). */
gboolean recur_plot_export           (RecurPlotDrawFunc     draw,
                                      gconstpointer         plot,
                                      const RecurPlotStyle *style,
                                      RecurPlotFormat       format,
                                      double                width,
                                      double                height,
                                      const char           *path,
                                      GError              **error);

G_END_DECLS
