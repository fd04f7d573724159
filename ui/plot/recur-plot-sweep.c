/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "recur-plot-private.h"

/* Characters of a swept value's label on an axis and in a readout */
#define LABEL_CHARS 16

/* More numeric values than this (random samples) are not each a tick */
#define MAX_VALUE_TICKS 16

/* One axis of the sweep: where each swept value sits and the marks (ticks) for it */
typedef struct
{
  guint    n;
  double  *pos;          /* [n] data position of value i along the axis, NAN if none */
  char   **labels;       /* [n] */
  guint   *order;        /* [n] indices by position, NAN positions last */
  double  *marks;        /* [n_marks] ascending positions … */
  const char **mark_labels; /* … and their labels */
  guint    n_marks;
} SweepAxis;

typedef struct
{
  RecurFrame     frame;
  RecurFrameSpec spec;
  gboolean       two;          /* two parameters: a heatmap */
  gboolean       has_values;   /* some finite (and drawable) result */
  int            best;         /* index into results, or -1 */
  SweepAxis      a, b;
  /* the heatmap's colour scale, which its colour bar shows as a vertical axis: its ends are
   * the ends of style->sequential */
  RecurAxis      scale;
  RecurPlotArea  bar;
  double         caption_x;
} SweepLayout;

static gsize
n_results (const RecurSweepPlot *plot)
{
  if (plot->results == NULL || plot->a.n == 0)
    return 0;
  return (gsize) plot->a.n * MAX (plot->b.n, 1);
}

static gboolean
is_better (const RecurSweepPlot *plot,
           double                v,
           double                than)
{
  return plot->higher_is_better ? v > than : v < than;
}

int
recur_plot_sweep_best (const RecurSweepPlot *plot)
{
  gsize n;
  int best = -1;

  g_return_val_if_fail (plot != NULL, -1);

  n = MIN (n_results (plot), (gsize) G_MAXINT);
  for (gsize i = 0; i < n; i++)
    if (isfinite (plot->results[i]) && (best < 0 || is_better (plot, plot->results[i],
                                                               plot->results[best])))
      best = (int) i;
  return best;
}

/* ---- labels ------------------------------------------------------------------------------- */

/* "0.001", "256", "2.5e−5": four significant digits, a true minus and no exponent padding */
static char *
format_param (double value)
{
  char raw[64];
  GString *out = g_string_new (NULL);
  const char *e;

  g_snprintf (raw, sizeof raw, "%.4g", value);
  e = strchr (raw, 'e');
  for (const char *p = raw; *p != '\0'; p++)
    {
      if (e != NULL && p == e + 1 && *p == '+')
        continue;
      if (e != NULL && p > e && *p == '0' && (p[-1] == '-' || p[-1] == '+' || p[-1] == 'e')
          && p[1] != '\0')
        continue;
      if (*p == '-')
        g_string_append (out, "\xe2\x88\x92");
      else
        g_string_append_c (out, *p);
    }
  return g_string_free (out, FALSE);
}

static char *
param_label (const RecurSweepPlotAxis *param,
             guint                     i)
{
  char cut[44];  /* fits a RecurTick label whole */

  if (param->labels != NULL && param->labels[i] != NULL)
    {
      recur_plot_truncate_utf8 (param->labels[i], LABEL_CHARS, cut, sizeof cut);
      return g_strdup (cut);
    }
  if (param->values != NULL && isfinite (param->values[i]))
    return format_param (param->values[i]);
  return g_strdup_printf ("%u", i + 1);
}

/* A readout line "name value", the name cut short so that the line stays whole */
static void
readout_text (RecurReadoutLine *line,
              const char       *name,
              const char       *value)
{
  char cut[48];

  recur_plot_truncate_utf8 (name != NULL ? name : "", 24, cut, sizeof cut);
  g_snprintf (line->text, sizeof line->text, "%s %s", cut, value);
}

/* Evenly spaced at 0…n−1 (categories, heatmap rows and columns), or at the values */
static gboolean
is_numeric (const RecurSweepPlotAxis *param,
            gboolean                  heatmap)
{
  return !heatmap && param->scale != RECUR_SWEEP_PLOT_SCALE_CATEGORICAL && param->values != NULL;
}

static int
compare_positions (gconstpointer a,
                   gconstpointer b,
                   gpointer      data)
{
  const double *pos = data;
  double pa = pos[*(const guint *) a], pb = pos[*(const guint *) b];

  if (isnan (pa) || isnan (pb))
    return isnan (pa) - isnan (pb);
  if (pa != pb)
    return (pa > pb) - (pa < pb);
  /* equal positions keep their order */
  return (*(const guint *) a > *(const guint *) b) - (*(const guint *) a < *(const guint *) b);
}

static void
sweep_axis_init (SweepAxis                *axis,
                 const RecurSweepPlotAxis *param,
                 gboolean                  heatmap)
{
  gboolean numeric = is_numeric (param, heatmap);
  gboolean log = param->scale == RECUR_SWEEP_PLOT_SCALE_LOG;

  axis->n = param->n;
  axis->pos = g_new (double, MAX (param->n, 1));
  axis->labels = g_new0 (char *, MAX (param->n, 1));
  axis->order = g_new (guint, MAX (param->n, 1));
  axis->marks = g_new (double, MAX (param->n, 1));
  axis->mark_labels = g_new (const char *, MAX (param->n, 1));
  axis->n_marks = 0;
  for (guint i = 0; i < param->n; i++)
    {
      double v = numeric ? param->values[i] : i;

      axis->pos[i] = isfinite (v) && (!numeric || !log || v > 0.0) ? v : NAN;
      axis->labels[i] = param_label (param, i);
      axis->order[i] = i;
    }
  g_qsort_with_data (axis->order, (gint) MIN (param->n, (guint) G_MAXINT), sizeof (guint),
                     compare_positions, axis->pos);
  for (guint k = 0; k < param->n; k++)
    {
      guint i = axis->order[k];

      if (isnan (axis->pos[i])
          || (axis->n_marks > 0 && axis->pos[i] == axis->marks[axis->n_marks - 1]))
        continue;
      axis->marks[axis->n_marks] = axis->pos[i];
      axis->mark_labels[axis->n_marks++] = axis->labels[i];
    }
}

static void
sweep_axis_clear (SweepAxis *axis)
{
  for (guint i = 0; axis->labels != NULL && i < axis->n; i++)
    g_free (axis->labels[i]);
  g_clear_pointer (&axis->labels, g_free);
  g_clear_pointer (&axis->pos, g_free);
  g_clear_pointer (&axis->order, g_free);
  g_clear_pointer (&axis->marks, g_free);
  g_clear_pointer (&axis->mark_labels, g_free);
}

static void
sweep_layout_clear (SweepLayout *layout)
{
  sweep_axis_clear (&layout->a);
  sweep_axis_clear (&layout->b);
}

static void
set_marks (RecurAxis       *axis,
           const SweepAxis *sweep)
{
  axis->n_marks = sweep->n_marks;
  axis->marks = sweep->marks;
  axis->mark_labels = (const char * const *) sweep->mark_labels;
}

/* ---- layout ------------------------------------------------------------------------------- */

/* More room at both ends: for the best point's value, and the crosses of failed runs */
static void
widen (RecurAxis *axis,
       double     fraction)
{
  if (axis->kind == RECUR_AXIS_LOG)
    {
      double decades = log10 (axis->hi / axis->lo);

      axis->lo = MAX (axis->lo / pow (10.0, fraction * decades), 1e-307);
      axis->hi = MIN (axis->hi * pow (10.0, fraction * decades), 1e307);
    }
  else if (isfinite (axis->hi - axis->lo))
    {
      double pad = fraction * (axis->hi - axis->lo);

      axis->lo -= pad;
      axis->hi += pad;
    }
}

static void
layout_line (const RecurSweepPlot *plot,
             SweepLayout          *out)
{
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  gboolean numeric = is_numeric (&plot->a, FALSE);
  gsize n = n_results (plot);

  out->frame.x.kind = numeric && plot->a.scale == RECUR_SWEEP_PLOT_SCALE_LOG ? RECUR_AXIS_LOG
                                                                         : RECUR_AXIS_LINEAR;
  out->frame.y.kind = plot->log_metric ? RECUR_AXIS_LOG : RECUR_AXIS_LINEAR;
  if (numeric)
    {
      recur_plot_range (out->a.pos, out->a.n, FALSE, &x_min, &x_max);
      recur_axis_set_range (&out->frame.x, x_min, x_max, TRUE);
    }
  else
    {
      out->frame.x.lo = -0.5;
      out->frame.x.hi = MAX (out->a.n, 1) - 0.5;
    }
  for (gsize i = 0; i < n; i++)
    if (isfinite (out->a.pos[i]) && isfinite (plot->results[i])
        && (!plot->log_metric || plot->results[i] > 0.0))
      {
        y_min = MIN (y_min, plot->results[i]);
        y_max = MAX (y_max, plot->results[i]);
      }
  out->has_values = y_min <= y_max;
  if (out->has_values && isfinite (plot->reference)
      && (!plot->log_metric || plot->reference > 0.0))
    {
      y_min = MIN (y_min, plot->reference);
      y_max = MAX (y_max, plot->reference);
    }
  recur_axis_set_range (&out->frame.y, y_min, y_max, TRUE);
  if (out->has_values)
    widen (&out->frame.y, 0.08);
  /* ticks at a grid's values; random samples' odd values get round numbers instead */
  if (!numeric || out->a.n_marks <= MAX_VALUE_TICKS)
    set_marks (&out->frame.x, &out->a);
  out->spec.x_title = plot->a.name;
  out->spec.no_x_ticks = out->a.n_marks == 0;
  out->spec.no_y_ticks = !out->has_values;
}

/* Where v falls on the colour scale, 0…1 (NAN for none) */
static double
colour_fraction (const SweepLayout *layout,
                 double             v)
{
  const RecurAxis *axis = &layout->scale;
  double lo, hi;

  if (!isfinite (v) || (axis->kind == RECUR_AXIS_LOG && v <= 0.0))
    return NAN;
  if (axis->kind == RECUR_AXIS_LOG)
    {
      lo = log10 (axis->lo), hi = log10 (axis->hi), v = log10 (v);
    }
  else
    lo = axis->lo, hi = axis->hi;
  return hi > lo ? CLAMP (v / (hi - lo) - lo / (hi - lo), 0.0, 1.0) : 0.5;
}

static void
layout_heatmap (const RecurSweepPlot *plot,
                RecurPlotText        *text,
                double                height,
                SweepLayout          *out)
{
  gsize n = n_results (plot);
  double lo = INFINITY, hi = -INFINITY, label_width = 0.0;
  gboolean log = plot->log_metric;

  out->frame.x.kind = out->frame.y.kind = RECUR_AXIS_LINEAR;
  out->frame.x.lo = out->frame.y.lo = -0.5;
  out->frame.x.hi = MAX (out->a.n, 1) - 0.5;
  out->frame.y.hi = MAX (out->b.n, 1) - 0.5;
  set_marks (&out->frame.x, &out->a);
  set_marks (&out->frame.y, &out->b);

  /* the colour scale: a log scale only where every value can be on it */
  for (gsize i = 0; i < n; i++)
    log &= !isfinite (plot->results[i]) || plot->results[i] > 0.0;
  out->has_values = recur_plot_range (plot->results, (guint) MIN (n, G_MAXUINT), log, &lo, &hi);
  out->scale.kind = log ? RECUR_AXIS_LOG : RECUR_AXIS_LINEAR;
  recur_axis_set_range (&out->scale, lo, hi, FALSE);

  /* its labels' width, from ticks along about the height the bar will have */
  if (out->has_values)
    {
      out->scale.p0 = MAX (height - 6.0 * text->line_height, 0.0);
      out->scale.p1 = 0.0;
      recur_axis_make_ticks (&out->scale, text, TRUE, 0.0, height);
      label_width = recur_axis_max_label_width (&out->scale, text) + 0.5 * text->em;
    }
  out->bar.width = 0.9 * text->em;
  /* gap, bar, tick and labels, then the caption turned on its side */
  out->spec.right_extra = text->em + out->bar.width + 6.0 + label_width + 0.5 * text->em
                          + text->small_height;
  out->spec.x_title = plot->a.name;
  out->spec.y_title = plot->b.name;
}

static void
sweep_layout (gconstpointer         data,
              const RecurPlotStyle *style,
              RecurPlotText        *text,
              double                width,
              double                height,
              gpointer              layout)
{
  const RecurSweepPlot *plot = data;
  SweepLayout *out = layout;

  *out = (SweepLayout) { 0 };
  out->two = plot->b.n > 0;
  out->best = recur_plot_sweep_best (plot);
  sweep_axis_init (&out->a, &plot->a, out->two);
  sweep_axis_init (&out->b, &plot->b, out->two);
  out->spec.title = plot->metric;
  if (out->two)
    layout_heatmap (plot, text, height, out);
  else
    layout_line (plot, out);
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
  if (out->two)
    {
      const RecurPlotArea *a = &out->frame.area;

      out->bar.x = a->x + a->width + text->em;
      out->bar.y = a->y;
      out->bar.height = a->height;
      out->caption_x = out->frame.width - out->frame.pad - text->small_height / 2;
      out->scale.p0 = a->y + a->height;
      out->scale.p1 = a->y;
      out->scale.n_ticks = 0;
      if (out->has_values && !out->frame.compact)
        recur_axis_make_ticks (&out->scale, text, TRUE, 0.0, out->frame.height);
    }
}

/* ---- one parameter: a line ---------------------------------------------------------------- */

/* The value written by the best point: on the side away from the others (above a minimum,
 * below a maximum) where it fits, else on the other */
static void
draw_best_label (const RecurSweepPlot *plot,
                 const SweepLayout    *layout,
                 cairo_t              *cr,
                 RecurPlotText        *text,
                 const RecurPlotStyle *style,
                 double                px,
                 double                py,
                 const char           *label)
{
  const RecurPlotArea *a = &layout->frame.area;
  double w = recur_plot_text_width (text, RECUR_FONT_BOLD, label), h = text->line_height;
  double gap = 0.75 * text->em, above = py - gap - h, below = py + gap, x, y;

  x = CLAMP (px - w / 2, a->x + 2.0, MAX (a->x + 2.0, a->x + a->width - w - 2.0));
  if (plot->higher_is_better)
    y = below + h <= a->y + a->height ? below : above;
  else
    y = above >= a->y ? above : below;
  /* a halo of background keeps it legible across the line and the grid */
  cairo_save (cr);
  cairo_rectangle (cr, x - 2.0, y, w + 4.0, h);
  recur_plot_set_source (cr, &style->background, 0.8);
  cairo_fill (cr);
  cairo_restore (cr);
  recur_plot_text_draw (text, cr, RECUR_FONT_BOLD, label, x, y, 0.0, 0.0, &style->foreground);
}

static void
draw_reference (const RecurSweepPlot *plot,
                const SweepLayout    *layout,
                cairo_t              *cr,
                RecurPlotText        *text,
                const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &layout->frame.area;
  double dashes[] = { 5.0, 3.0 }, py = recur_axis_map (&layout->frame.y, plot->reference);

  if (!isfinite (plot->reference) || !isfinite (py) || py < a->y || py > a->y + a->height)
    return;
  py = recur_plot_snap (cr, py, FALSE);
  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  cairo_set_dash (cr, dashes, 2, 0.0);
  recur_plot_set_source (cr, &style->baseline, 1.0);
  cairo_move_to (cr, a->x, py);
  cairo_line_to (cr, a->x + a->width, py);
  cairo_stroke (cr);
  cairo_restore (cr);
  if (plot->reference_label != NULL && !layout->frame.compact)
    {
      gboolean above = py - a->y > text->small_height + 4.0;

      recur_plot_text_draw (text, cr, RECUR_FONT_SMALL, plot->reference_label,
                            a->x + a->width - 4.0, above ? py - 2.0 : py + 2.0,
                            1.0, above ? 1.0 : 0.0, &style->muted);
    }
}

/* Runs without a result: small crosses along the bottom of the area, labelled where the
 * labels have room */
static void
draw_failed (const RecurSweepPlot *plot,
             const SweepLayout    *layout,
             cairo_t              *cr,
             RecurPlotText        *text,
             const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &layout->frame.area;
  double s = 3.0, y = a->y + a->height - s - 3.0, spacing = INFINITY, label_end = -INFINITY;
  const char *label = _("no result");
  double w = recur_plot_text_width (text, RECUR_FONT_SMALL, label);

  for (guint k = 1; k < plot->a.n; k++)
    {
      double p0 = recur_axis_map (&layout->frame.x, layout->a.pos[layout->a.order[k - 1]]);
      double p1 = recur_axis_map (&layout->frame.x, layout->a.pos[layout->a.order[k]]);

      if (isfinite (p0) && isfinite (p1))
        spacing = MIN (spacing, p1 - p0);
    }
  cairo_save (cr);
  cairo_set_line_width (cr, 1.5);
  recur_plot_set_source (cr, &style->muted, 1.0);
  for (guint k = 0; k < plot->a.n; k++)
    {
      guint i = layout->a.order[k];
      double px = recur_axis_map (&layout->frame.x, layout->a.pos[i]);

      if (isfinite (plot->results[i]) || !isfinite (px))
        continue;
      cairo_move_to (cr, px - s, y - s);
      cairo_line_to (cr, px + s, y + s);
      cairo_move_to (cr, px - s, y + s);
      cairo_line_to (cr, px + s, y - s);
      cairo_stroke (cr);
      if (!layout->frame.compact && w + 0.5 * text->em < spacing && px - w / 2 > label_end
          && px - w / 2 >= a->x && px + w / 2 <= a->x + a->width)
        {
          recur_plot_text_draw (text, cr, RECUR_FONT_SMALL, label, px, y - s - 2.0, 0.5, 1.0,
                                &style->muted);
          label_end = px + w / 2 + 0.5 * text->em;
        }
    }
  cairo_restore (cr);
}

static void
draw_line_hover (const RecurSweepPlot *plot,
                 const SweepLayout    *layout,
                 cairo_t              *cr,
                 RecurPlotText        *text,
                 const RecurPlotStyle *style)
{
  RecurReadoutLine lines[2] = { { "", NULL }, { "", &style->categorical[0] } };
  guint i = (guint) plot->hover;
  char value[32];

  if (plot->hover < 0 || i >= plot->a.n || !isfinite (layout->a.pos[i]))
    return;
  readout_text (&lines[0], plot->a.name, layout->a.labels[i]);
  recur_plot_format_value (plot->results[i], value, sizeof value);
  if (isfinite (plot->results[i]))
    readout_text (&lines[1], plot->metric, value);
  else
    g_strlcpy (lines[1].text, _("no result"), sizeof lines[1].text);
  recur_frame_draw_readout (&layout->frame, cr, text, style, layout->a.pos[i], lines, 2);
  recur_frame_draw_dot (&layout->frame, cr, layout->a.pos[i], plot->results[i], 4.5,
                        &style->categorical[0]);
}

static void
draw_line (const RecurSweepPlot *plot,
           const SweepLayout    *layout,
           cairo_t              *cr,
           RecurPlotText        *text,
           const RecurPlotStyle *style)
{
  const RecurFrame *frame = &layout->frame;
  const RecurRgba *colour = &style->categorical[0];
  g_autofree double *x = g_new (double, MAX (plot->a.n, 1));
  g_autofree double *y = g_new (double, MAX (plot->a.n, 1));
  RecurLineData line = { x, 0.0, y, 0 };
  gboolean categorical = !is_numeric (&plot->a, FALSE);

  /* the finished runs in order along x, so that failed ones leave no gap */
  for (guint k = 0; k < plot->a.n; k++)
    {
      guint i = layout->a.order[k];

      if (isfinite (layout->a.pos[i]) && isfinite (plot->results[i]))
        x[line.n] = layout->a.pos[i], y[line.n++] = plot->results[i];
    }
  cairo_save (cr);
  recur_frame_clip (frame, cr);
  draw_reference (plot, layout, cr, text, style);
  /* categories have no order for a line to follow: dots alone */
  if (categorical)
    for (guint k = 0; k < line.n; k++)
      recur_frame_draw_dot (frame, cr, x[k], y[k], 4.5, colour);
  else
    {
      recur_frame_draw_line (frame, cr, &line, colour, 1.5, FALSE);
      for (guint k = 0; k < line.n; k++)
        {
          recur_frame_draw_dot (frame, cr, x[k], y[k], 4.0, &style->background);
          recur_frame_draw_dot (frame, cr, x[k], y[k], 3.0, colour);
        }
    }
  cairo_restore (cr);
  draw_failed (plot, layout, cr, text, style);
  if (layout->best >= 0 && isfinite (layout->a.pos[layout->best]))
    {
      double bx = layout->a.pos[layout->best], by = plot->results[layout->best];
      double px = recur_axis_map (&frame->x, bx), py = recur_axis_map (&frame->y, by);
      char label[32];

      recur_frame_draw_dot (frame, cr, bx, by, 7.0, &style->background);
      recur_frame_draw_dot (frame, cr, bx, by, 5.5, &style->highlight);
      recur_plot_format_value (by, label, sizeof label);
      if (isfinite (px) && isfinite (py) && !frame->compact)
        draw_best_label (plot, layout, cr, text, style, px, py, label);
    }
  draw_line_hover (plot, layout, cr, text, style);
}

/* ---- two parameters: a heatmap ------------------------------------------------------------ */

/* Cell (i, j) in pixels, inset to leave a hairline of background between cells */
static RecurPlotArea
cell_rect (const SweepLayout *layout,
           guint              i,
           guint              j)
{
  const RecurFrame *f = &layout->frame;
  double x0 = recur_axis_map (&f->x, i - 0.5), x1 = recur_axis_map (&f->x, i + 0.5);
  double y0 = recur_axis_map (&f->y, j + 0.5), y1 = recur_axis_map (&f->y, j - 0.5);
  double gap = MIN (x1 - x0, y1 - y0) >= 8.0 ? 1.0 : 0.0;

  return (RecurPlotArea) { x0 + gap / 2, y0 + gap / 2, x1 - x0 - gap, y1 - y0 - gap };
}

static RecurRgba
cell_colour (const SweepLayout    *layout,
             const RecurPlotStyle *style,
             double                v)
{
  return recur_plot_colour_map (style->sequential, RECUR_PLOT_N_SEQUENTIAL,
                                colour_fraction (layout, v));
}

static double
luminance (const RecurRgba *c)
{
  return 0.2126 * c->r + 0.7152 * c->g + 0.0722 * c->b;
}

/* Of the foreground and the background, the one further from the cell's lightness */
static const RecurRgba *
text_on (const RecurRgba      *fill,
         const RecurPlotStyle *style)
{
  double l = luminance (fill);

  return fabs (luminance (&style->foreground) - l) >= fabs (luminance (&style->background) - l)
         ? &style->foreground : &style->background;
}

/* A run without a result: diagonal hatching and a dash */
static void
draw_failed_cell (cairo_t              *cr,
                  RecurPlotText        *text,
                  const RecurPlotStyle *style,
                  const RecurPlotArea  *r,
                  gboolean              compact)
{
  double step = 6.0;

  cairo_save (cr);
  cairo_rectangle (cr, r->x, r->y, r->width, r->height);
  cairo_clip (cr);
  recur_plot_set_source (cr, &style->grid, 0.5);
  cairo_paint (cr);
  cairo_set_line_width (cr, 1.0);
  recur_plot_set_source (cr, &style->muted, 0.35);
  for (double d = -r->height; d < r->width; d += step)
    {
      cairo_move_to (cr, r->x + d, r->y + r->height);
      cairo_line_to (cr, r->x + d + r->height, r->y);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
  if (!compact && r->width >= 2.0 * text->em && r->height >= text->line_height)
    recur_plot_text_draw (text, cr, RECUR_FONT_NORMAL, "\xe2\x80\x94", r->x + r->width / 2,
                          r->y + r->height / 2, 0.5, 0.5, &style->muted);
}

static void
draw_cell (const RecurSweepPlot *plot,
           const SweepLayout    *layout,
           cairo_t              *cr,
           RecurPlotText        *text,
           const RecurPlotStyle *style,
           guint                 i,
           guint                 j)
{
  RecurPlotArea r = cell_rect (layout, i, j);
  gsize k = (gsize) i * plot->b.n + j;
  double v = plot->results[k];
  RecurRgba fill;
  char label[32];
  RecurFont font = (int) k == layout->best ? RECUR_FONT_BOLD : RECUR_FONT_NORMAL;

  if (r.width <= 0.0 || r.height <= 0.0)
    return;
  if (!isfinite (colour_fraction (layout, v)))
    {
      draw_failed_cell (cr, text, style, &r, layout->frame.compact);
      return;
    }
  fill = cell_colour (layout, style, v);
  recur_plot_set_source (cr, &fill, 1.0);
  cairo_rectangle (cr, r.x, r.y, r.width, r.height);
  cairo_fill (cr);
  /* the value, where the cell has room for it */
  recur_plot_format_value (v, label, sizeof label);
  if (!layout->frame.compact
      && recur_plot_text_width (text, font, label) + 0.8 * text->em <= r.width
      && text->line_height + 0.2 * text->em <= r.height)
    recur_plot_text_draw (text, cr, font, label, r.x + r.width / 2, r.y + r.height / 2,
                          0.5, 0.5, text_on (&fill, style));
}

/* A ring around cell (i, j): inside it, so that neighbours and the spines do not cover it */
static void
outline_cell (const SweepLayout *layout,
              cairo_t           *cr,
              guint              i,
              guint              j,
              double             line_width,
              const RecurRgba   *colour,
              const RecurRgba   *inner)
{
  RecurPlotArea r = cell_rect (layout, i, j);
  double w = MIN (line_width, MIN (r.width, r.height) / 4);

  if (w <= 0.0)
    return;
  cairo_save (cr);
  cairo_set_line_width (cr, w);
  recur_plot_set_source (cr, colour, 1.0);
  cairo_rectangle (cr, r.x + w / 2, r.y + w / 2, r.width - w, r.height - w);
  cairo_stroke (cr);
  if (inner != NULL && MIN (r.width, r.height) > 4 * w + 2.0)
    {
      cairo_set_line_width (cr, 1.0);
      recur_plot_set_source (cr, inner, 1.0);
      cairo_rectangle (cr, r.x + w + 0.5, r.y + w + 0.5, r.width - 2 * w - 1.0,
                       r.height - 2 * w - 1.0);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

static void
draw_colour_bar (const RecurSweepPlot *plot,
                 const SweepLayout    *layout,
                 cairo_t              *cr,
                 RecurPlotText        *text,
                 const RecurPlotStyle *style)
{
  const char *labels[RECUR_AXIS_MAX_TICKS];
  double fractions[RECUR_AXIS_MAX_TICKS];
  guint n_labels = 0;
  const char *caption = plot->higher_is_better ? _("higher is better")
                                               : _("lower is better");

  if (!layout->has_values)
    return;
  for (guint i = 0; i < layout->scale.n_ticks; i++)
    if (layout->scale.ticks[i].major)
      {
        labels[n_labels] = layout->scale.ticks[i].label;
        fractions[n_labels++] = colour_fraction (layout, layout->scale.ticks[i].value);
      }
  recur_plot_draw_colour_bar (cr, text, style, &layout->bar, style->sequential,
                              RECUR_PLOT_N_SEQUENTIAL, labels, fractions, n_labels);
  if (recur_plot_text_width (text, RECUR_FONT_SMALL, caption) <= layout->bar.height)
    recur_plot_text_draw_vertical (text, cr, RECUR_FONT_SMALL, caption, layout->caption_x,
                                   layout->bar.y + layout->bar.height / 2, &style->muted);
}

static void
draw_heatmap_hover (const RecurSweepPlot *plot,
                    const SweepLayout    *layout,
                    cairo_t              *cr,
                    RecurPlotText        *text,
                    const RecurPlotStyle *style)
{
  RecurReadoutLine lines[3] = { { "", NULL }, { "", NULL }, { "", NULL } };
  guint i, j;
  RecurPlotArea r;
  RecurRgba fill;
  char value[32];

  if (plot->hover < 0 || (gsize) plot->hover >= n_results (plot))
    return;
  i = (guint) plot->hover / plot->b.n;
  j = (guint) plot->hover % plot->b.n;
  r = cell_rect (layout, i, j);
  outline_cell (layout, cr, i, j, 2.0, &style->foreground, NULL);
  readout_text (&lines[0], plot->a.name, layout->a.labels[i]);
  readout_text (&lines[1], plot->b.name, layout->b.labels[j]);
  if (isfinite (colour_fraction (layout, plot->results[plot->hover])))
    {
      fill = cell_colour (layout, style, plot->results[plot->hover]);
      recur_plot_format_value (plot->results[plot->hover], value, sizeof value);
      readout_text (&lines[2], plot->metric, value);
      lines[2].swatch = &fill;
    }
  else
    g_strlcpy (lines[2].text, _("no result"), sizeof lines[2].text);
  recur_frame_draw_readout_at (&layout->frame, cr, text, style, &r, lines, 3);
}

static void
draw_heatmap (const RecurSweepPlot *plot,
              const SweepLayout    *layout,
              cairo_t              *cr,
              RecurPlotText        *text,
              const RecurPlotStyle *style)
{
  cairo_save (cr);
  recur_frame_clip (&layout->frame, cr);
  recur_plot_set_source (cr, &style->background, 1.0);
  cairo_paint (cr);
  for (guint j = 0; j < plot->b.n; j++)
    for (guint i = 0; i < plot->a.n; i++)
      draw_cell (plot, layout, cr, text, style, i, j);
  if (layout->best >= 0)
    outline_cell (layout, cr, (guint) layout->best / plot->b.n,
                  (guint) layout->best % plot->b.n, 3.0, &style->highlight, &style->background);
  cairo_restore (cr);
  if (!layout->frame.compact)
    draw_colour_bar (plot, layout, cr, text, style);
  draw_heatmap_hover (plot, layout, cr, text, style);
}

static void
draw_sweep (gconstpointer         data,
            gconstpointer         laid_out,
            cairo_t              *cr,
            RecurPlotText        *text,
            const RecurPlotStyle *style)
{
  const RecurSweepPlot *plot = data;
  const SweepLayout *layout = laid_out;

  recur_frame_draw_axes (&layout->frame, &layout->spec, cr, text, style);
  if (n_results (plot) == 0)
    {
      recur_frame_draw_message (&layout->frame, cr, text, style, _("No runs yet"));
      return;
    }
  if (layout->two)
    {
      draw_heatmap (plot, layout, cr, text, style);
      if (!layout->has_values)
        recur_frame_draw_message (&layout->frame, cr, text, style, _("No results yet"));
      return;
    }
  if (!layout->has_values)
    {
      draw_failed (plot, layout, cr, text, style);
      recur_frame_draw_message (&layout->frame, cr, text, style, _("No results yet"));
      return;
    }
  draw_line (plot, layout, cr, text, style);
}

void
recur_plot_sweep (cairo_t              *cr,
                  double                width,
                  double                height,
                  const RecurSweepPlot *plot,
                  const RecurPlotStyle *style)
{
  SweepLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  recur_plot_draw_layout (cr, width, height, plot, style, sweep_layout, draw_sweep, &layout);
  sweep_layout_clear (&layout);
}

/* ---- hit-testing -------------------------------------------------------------------------- */

RecurPlotArea
recur_plot_sweep_area_for_style (const RecurSweepPlot *plot,
                                 const RecurPlotStyle *style,
                                 double                width,
                                 double                height)
{
  SweepLayout layout;
  RecurPlotArea area;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  recur_plot_measure_layout (sweep_layout, plot, style, width, height, &layout);
  area = layout.frame.area;
  sweep_layout_clear (&layout);
  return area;
}

RecurPlotArea
recur_plot_sweep_area (const RecurSweepPlot *plot,
                       double                width,
                       double                height)
{
  return recur_plot_sweep_area_for_style (plot, NULL, width, height);
}

static int
hit (const RecurSweepPlot *plot,
     const SweepLayout    *layout,
     double                x,
     double                y)
{
  const RecurPlotArea *a = &layout->frame.area;
  double best = INFINITY;
  int found = -1;

  if (n_results (plot) == 0 || x < a->x || x > a->x + a->width)
    return -1;
  if (layout->two)
    {
      double i = round (recur_axis_unmap (&layout->frame.x, x));
      double j = round (recur_axis_unmap (&layout->frame.y, y));

      if (y < a->y || y > a->y + a->height)
        return -1;
      i = CLAMP (i, 0.0, plot->a.n - 1.0);
      j = CLAMP (j, 0.0, plot->b.n - 1.0);
      return (int) (i * plot->b.n + j);
    }
  for (guint i = 0; i < plot->a.n; i++)
    {
      double px = recur_axis_map (&layout->frame.x, layout->a.pos[i]);

      if (isfinite (px) && fabs (px - x) < best)
        best = fabs (px - x), found = (int) i;
    }
  return found;
}

int
recur_plot_sweep_hit_for_style (const RecurSweepPlot *plot,
                                const RecurPlotStyle *style,
                                double                width,
                                double                height,
                                double                x,
                                double                y)
{
  SweepLayout layout;
  int found;

  g_return_val_if_fail (plot != NULL, -1);

  recur_plot_measure_layout (sweep_layout, plot, style, width, height, &layout);
  found = hit (plot, &layout, x, y);
  sweep_layout_clear (&layout);
  return found;
}

int
recur_plot_sweep_hit (const RecurSweepPlot *plot,
                      double                width,
                      double                height,
                      double                x,
                      double                y)
{
  return recur_plot_sweep_hit_for_style (plot, NULL, width, height, x, y);
}
