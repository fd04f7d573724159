/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the files of ui/plot: text, axes and the frame (margins, grid, ticks, legend,
 * readout) that every x–y plot is drawn in. Nothing here keeps state between calls. */

#include <pango/pangocairo.h>

#include "recur-plot.h"

G_BEGIN_DECLS

/* ---- style and colour --------------------------------------------------------------------- */

/* style, or the light defaults when style is NULL (fallback is the storage for them) */
const RecurPlotStyle *recur_plot_style_or_default (const RecurPlotStyle *style,
                                                   RecurPlotStyle       *fallback);
void      recur_plot_set_source  (cairo_t         *cr,
                                  const RecurRgba *colour,
                                  double           alpha);
RecurRgba recur_plot_mix         (const RecurRgba *from,
                                  const RecurRgba *to,
                                  double           t);
/* The width of one device pixel in user units: Cairo 1.16 has no cairo_set_hairline. */
double    recur_plot_hairline    (cairo_t         *cr);
/* v moved to the centre of the device pixel it falls in, along x or y. */
double    recur_plot_snap        (cairo_t         *cr,
                                  double           v,
                                  gboolean         along_x);

/* ---- text --------------------------------------------------------------------------------- */

typedef enum
{
  RECUR_FONT_NORMAL,
  RECUR_FONT_SMALL,
  RECUR_FONT_BOLD,
  RECUR_N_FONTS,
} RecurFont;

/* One Pango layout for the length of one call. Measuring uses a context of its own with fixed
 * font options, so that hit-testing (which has no cairo_t) lays out exactly as drawing does. */
typedef struct
{
  PangoLayout          *layout;
  PangoFontDescription *fonts[RECUR_N_FONTS];
  double                line_height;  /* of RECUR_FONT_NORMAL */
  double                small_height; /* of RECUR_FONT_SMALL */
  double                em;           /* font size in pixels */
} RecurPlotText;

void   recur_plot_text_init_measure (RecurPlotText        *text,
                                     const RecurPlotStyle *style);
void   recur_plot_text_init_draw    (RecurPlotText        *text,
                                     cairo_t              *cr,
                                     const RecurPlotStyle *style);
void   recur_plot_text_clear        (RecurPlotText        *text);
double recur_plot_text_width        (RecurPlotText        *text,
                                     RecurFont             font,
                                     const char           *string);
/* Draws string with its logical box aligned at (x, y): xalign/yalign 0 = left/top, 0.5 =
 * centre, 1 = right/bottom. */
void   recur_plot_text_draw         (RecurPlotText        *text,
                                     cairo_t              *cr,
                                     RecurFont             font,
                                     const char           *string,
                                     double                x,
                                     double                y,
                                     double                xalign,
                                     double                yalign,
                                     const RecurRgba      *colour);
/* Left and top aligned, cut short with "…" where wider than max_width */
void   recur_plot_text_draw_ellipsized (RecurPlotText     *text,
                                        cairo_t           *cr,
                                        RecurFont          font,
                                        const char        *string,
                                        double             x,
                                        double             y,
                                        double             max_width,
                                        const RecurRgba   *colour);
/* The same, rotated a quarter turn counter-clockwise (a vertical axis title) and centred. */
void   recur_plot_text_draw_vertical (RecurPlotText       *text,
                                      cairo_t             *cr,
                                      RecurFont            font,
                                      const char          *string,
                                      double               x,
                                      double               y,
                                      const RecurRgba     *colour);

/* ---- numbers and dates -------------------------------------------------------------------- */

/* %g with as many digits as a tick step of `step` needs, and a true minus sign. */
void recur_plot_format_number (double  value,
                               double  step,
                               char   *buffer,
                               gsize   size);
/* A readout value: 4 significant digits, "–" when not finite. */
void recur_plot_format_value  (double  value,
                               char   *buffer,
                               gsize   size);
/* A readout date: "12 Mar 1935" or "12 Mar 1935 14:00" (UTC); %g outside years 1–9999. */
void recur_plot_format_date   (double  unix_seconds,
                               gboolean time_of_day,
                               char   *buffer,
                               gsize   size);

/* ---- axes --------------------------------------------------------------------------------- */

typedef enum
{
  RECUR_AXIS_LINEAR,
  RECUR_AXIS_LOG,
  RECUR_AXIS_TIME,   /* Unix seconds, UTC, ticks at calendar units */
} RecurAxisKind;

#define RECUR_AXIS_MAX_TICKS 64

typedef struct
{
  double   value;
  gboolean major;      /* labelled, with a full grid line; minor ticks are short and faint */
  char     label[48];
  double   label_pos;  /* centre of the label along the axis, moved inside the bounds */
} RecurTick;

typedef struct
{
  RecurAxisKind kind;
  gboolean      integer;      /* ticks only at whole numbers (epochs, row indices) */
  gboolean      time_of_day;  /* a time axis may tick at hours, minutes and seconds */
  gboolean      inverted;     /* a vertical axis growing downwards (matrix rows) */
  double        lo, hi;       /* visible range in data units (lo > 0 on a log axis) */
  double        p0, p1;       /* pixel positions of lo and hi */
  /* Ticks only at these values (ascending), labelled with these strings: every one labelled
   * where they fit, else every 2nd, 3rd, 5th… with the rest as minor ticks. n_marks = 0 means
   * ticks of the axis kind (for a sweep: the swept values, or categories at 0…n−1). */
  guint               n_marks;
  const double       *marks;
  const char * const *mark_labels;
  guint         n_ticks;
  RecurTick     ticks[RECUR_AXIS_MAX_TICKS];
} RecurAxis;

/* Sets lo and hi from a data range: a linear or log axis gets 5% margins, a single value a
 * range around it; an empty range (min > max) gives 0…1 (or 1…10 on a log axis). */
void   recur_axis_set_range   (RecurAxis     *axis,
                               double         min,
                               double         max,
                               gboolean       margins);
double recur_axis_map         (const RecurAxis *axis,
                               double           v);
double recur_axis_unmap       (const RecurAxis *axis,
                               double           p);
/* Chooses ticks (1-2-5 steps, decades, calendar units) whose labels do not overlap along an
 * axis of the pixel length |p1 - p0|, with every label kept between pixels bound_lo and
 * bound_hi; vertical axes space labels by line height. */
void   recur_axis_make_ticks  (RecurAxis     *axis,
                               RecurPlotText *text,
                               gboolean       vertical,
                               double         bound_lo,
                               double         bound_hi);
double recur_axis_max_label_width (const RecurAxis *axis,
                                   RecurPlotText   *text);

/* ---- the x–y frame ------------------------------------------------------------------------ */

typedef enum
{
  RECUR_MARK_LINE,
  RECUR_MARK_DASHED,
  RECUR_MARK_DOT,
  RECUR_MARK_NONE,   /* a label alone, e.g. "+3 more" */
} RecurMark;

typedef struct
{
  const char      *label;
  const RecurRgba *colour;
  RecurMark        mark;
} RecurLegendItem;

#define RECUR_FRAME_MAX_LEGEND 12
/* An ensemble member's line (predictions, loss): this much of its colour's opacity */
#define RECUR_PLOT_MEMBER_ALPHA 0.3

/* What a plot asks of its frame before layout. */
typedef struct
{
  const char      *title;
  const char      *x_title;
  const char      *y_title;
  gboolean         parts_row;    /* a row of small part labels above the area */
  gboolean         no_x_ticks;   /* no data along x (or y): ticks would be made up */
  gboolean         no_y_ticks;
  guint            n_legend;
  RecurLegendItem  legend[RECUR_FRAME_MAX_LEGEND];
  double           right_extra;  /* more room on the right (the heatmap's colour bar) */
} RecurFrameSpec;

typedef struct
{
  double        width, height;
  RecurPlotArea area;
  RecurAxis     x, y;
  gboolean      compact;       /* too small for text: no labels at all */
  gboolean      legend_on_top; /* in the title row; otherwise inside the area */
  gboolean      legend_small;  /* in the small font: the normal one did not fit on top */
  double        pad;
  double        title_y;       /* top of the title row */
  double        parts_y;       /* top of the parts row, or < 0 for none */
  double        legend_width;
} RecurFrame;

/* x.kind/x.integer/x.time_of_day and the y counterparts, and both ranges, are set; this
 * computes margins, the area and the ticks. The one layout that drawing and hit-testing share. */
void recur_frame_layout       (RecurFrame           *frame,
                               const RecurFrameSpec *spec,
                               RecurPlotText        *text,
                               double                width,
                               double                height);
/* Background, grid, spines, ticks and their labels, titles. */
void recur_frame_draw_axes    (const RecurFrame     *frame,
                               const RecurFrameSpec *spec,
                               cairo_t              *cr,
                               RecurPlotText        *text,
                               const RecurPlotStyle *style);
void recur_frame_draw_message (const RecurFrame     *frame,
                               cairo_t              *cr,
                               RecurPlotText        *text,
                               const RecurPlotStyle *style,
                               const char           *message);
/* Translucent fills are lighter on a dark background, where they would turn muddy */
double recur_plot_fill_alpha  (const RecurPlotStyle *style,
                               double                alpha);
/* A translucent band from data x0 to x1 and its label centred in the parts row. */
void recur_frame_draw_part    (const RecurFrame     *frame,
                               cairo_t              *cr,
                               RecurPlotText        *text,
                               double                x0,
                               double                x1,
                               const RecurRgba      *fill,
                               double                alpha,
                               const char           *label,
                               const RecurPlotStyle *style);

/* A polyline through (x[i], y[i]), or (x_offset + i, y[i]) when x is NULL. Non-finite values
 * (and non-positive ones on a log axis) break it; isolated points become dots. More points
 * than pixels are reduced to each pixel column's first, min, max and last. */
typedef struct
{
  const double *x;
  double        x_offset;
  const double *y;
  guint         n;
} RecurLineData;

void recur_frame_clip         (const RecurFrame     *frame,
                               cairo_t              *cr);
void recur_frame_draw_line    (const RecurFrame     *frame,
                               cairo_t              *cr,
                               const RecurLineData  *line,
                               const RecurRgba      *colour,
                               double                line_width,
                               gboolean              dashed);
/* Appends an item to spec's legend, which holds RECUR_FRAME_MAX_LEGEND. */
void recur_frame_add_legend   (RecurFrameSpec       *spec,
                               const char           *label,
                               const RecurRgba      *colour,
                               RecurMark             mark);
/* All legend items in one row, in the normal or the small font */
double recur_frame_legend_width (const RecurFrameSpec *spec,
                                 RecurPlotText        *text,
                                 gboolean              small);
/* The legend: in the title row when it fits, else in the corner of the area its lines cross
 * least, on a translucent background. */
void recur_frame_draw_legend  (const RecurFrame     *frame,
                               const RecurFrameSpec *spec,
                               cairo_t              *cr,
                               RecurPlotText        *text,
                               const RecurPlotStyle *style,
                               const RecurLineData  *lines,
                               guint                 n_lines);

/* The hover readout: a vertical marker at data x and a box of lines, each with an optional
 * colour swatch. */
#define RECUR_READOUT_MAX_LINES 12

typedef struct
{
  char             text[96];
  const RecurRgba *swatch;
} RecurReadoutLine;

void recur_frame_draw_readout (const RecurFrame       *frame,
                               cairo_t                *cr,
                               RecurPlotText          *text,
                               const RecurPlotStyle   *style,
                               double                  x,
                               const RecurReadoutLine *lines,
                               guint                   n_lines);
/* The same box without a marker, beside the pixel rectangle `beside` (right of it where there
 * is room, else left) and level with its top, kept inside the area: a heatmap cell's readout. */
void recur_frame_draw_readout_at (const RecurFrame       *frame,
                                  cairo_t                *cr,
                                  RecurPlotText          *text,
                                  const RecurPlotStyle   *style,
                                  const RecurPlotArea    *beside,
                                  const RecurReadoutLine *lines,
                                  guint                   n_lines);
/* A filled dot at data (x, y), if finite and inside the area. */
void recur_frame_draw_dot     (const RecurFrame       *frame,
                               cairo_t                *cr,
                               double                  x,
                               double                  y,
                               double                  radius,
                               const RecurRgba        *colour);

/* ---- a plot's layout and drawing ---------------------------------------------------------- */

/* A plot's layout: fills `layout`, the plot's own struct, for plot in width × height, measuring
 * with text. Drawing and hit-testing both lay out through recur_plot_measure_layout, so that they
 * agree to the pixel. */
typedef void (*RecurPlotLayoutFunc) (gconstpointer         plot,
                                     const RecurPlotStyle *style,
                                     RecurPlotText        *text,
                                     double                width,
                                     double                height,
                                     gpointer              layout);
/* Draws plot as laid out in layout. */
typedef void (*RecurPlotPaintFunc)  (gconstpointer         plot,
                                     gconstpointer         layout,
                                     cairo_t              *cr,
                                     RecurPlotText        *text,
                                     const RecurPlotStyle *style);

/* The layout alone (style NULL = the defaults), with text measured by
 * recur_plot_text_init_measure: for the *_area and *_hit functions. */
void recur_plot_measure_layout (RecurPlotLayoutFunc   layout_func,
                                gconstpointer         plot,
                                const RecurPlotStyle *style,
                                double                width,
                                double                height,
                                gpointer              layout);
/* What every plot's draw function does: lays plot out as recur_plot_measure_layout does, then
 * paints it on cr with a drawing text, leaving cr's state as it was. */
void recur_plot_draw_layout    (cairo_t              *cr,
                                double                width,
                                double                height,
                                gconstpointer         plot,
                                const RecurPlotStyle *style,
                                RecurPlotLayoutFunc   layout_func,
                                RecurPlotPaintFunc    paint_func,
                                gpointer              layout);

/* ---- colour bars and categorical colours ---------------------------------------------------- */

/* A vertical colour bar at r: stops[0] at the bottom … stops[n_stops − 1] at the top, evenly
 * spaced, outlined. Labels at fractions of the height (0 = bottom) right of it, each with a
 * short tick; the first n_labels labels are drawn in order and one that would overlap a drawn
 * one is left out (so give the ends first). */
void recur_plot_draw_colour_bar (cairo_t              *cr,
                                 RecurPlotText        *text,
                                 const RecurPlotStyle *style,
                                 const RecurPlotArea  *r,
                                 const RecurRgba      *stops,
                                 guint                 n_stops,
                                 const char * const   *labels,
                                 const double         *fractions,
                                 guint                 n_labels);
/* The colour of stops at t in 0…1, interpolated */
RecurRgba recur_plot_colour_map (const RecurRgba *stops,
                                 guint            n_stops,
                                 double           t);
/* The colour for a compared run: slot is 1-based into style->categorical (modulo), or 0 for
 * the run's position */
const RecurRgba *recur_plot_run_colour (const RecurPlotStyle *style,
                                        guint                 slot,
                                        guint                 position);
/* A run's name for the legend and readouts: name, or "run k" written into buffer */
const char *recur_plot_run_name (const char *name,
                                 guint       position,
                                 char       *buffer,
                                 gsize       size);
/* At most max_chars characters of string, cut short with "…" (readout lines are byte arrays) */
void recur_plot_truncate_utf8 (const char *string,
                               guint       max_chars,
                               char       *buffer,
                               gsize       size);

/* Finite min and max of values (positive only when positive_only), widened. FALSE if none. */
gboolean recur_plot_range     (const double *values,
                               guint         n,
                               gboolean      positive_only,
                               double       *min,
                               double       *max);

G_END_DECLS
