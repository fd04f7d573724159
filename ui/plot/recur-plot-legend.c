/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>

#include "recur-plot-private.h"

/* ---- legend ------------------------------------------------------------------------------- */

/* Sizes of the normal and the small legend */
typedef struct
{
  RecurFont font;
  double    swatch, gap, spacing, row;
} LegendMetrics;

static LegendMetrics
legend_metrics (RecurPlotText *text,
                gboolean       small)
{
  if (small)
    return (LegendMetrics) { RECUR_FONT_SMALL, 1.3 * text->em, 0.35 * text->em, 0.8 * text->em,
                             text->small_height };
  return (LegendMetrics) { RECUR_FONT_NORMAL, 1.8 * text->em, 0.4 * text->em, 1.2 * text->em,
                           text->line_height };
}

/* Longer labels (a run's name) are cut short with "…" */
#define MAX_LABEL_EMS 14.0

static double
label_width (const RecurLegendItem *item,
             RecurPlotText         *text,
             const LegendMetrics   *m)
{
  return MIN (recur_plot_text_width (text, m->font, item->label), MAX_LABEL_EMS * text->em);
}

static double
item_width (const RecurLegendItem *item,
            RecurPlotText         *text,
            const LegendMetrics   *m)
{
  if (item->mark == RECUR_MARK_NONE)
    return label_width (item, text, m);
  return m->swatch + m->gap + label_width (item, text, m);
}

void
recur_frame_add_legend (RecurFrameSpec  *spec,
                        const char      *label,
                        const RecurRgba *colour,
                        RecurMark        mark)
{
  g_return_if_fail (spec->n_legend < RECUR_FRAME_MAX_LEGEND);

  spec->legend[spec->n_legend++] = (RecurLegendItem) { label, colour, mark };
}

double
recur_frame_legend_width (const RecurFrameSpec *spec,
                          RecurPlotText        *text,
                          gboolean              small)
{
  LegendMetrics m = legend_metrics (text, small);
  double width = 0.0;

  for (guint i = 0; i < spec->n_legend; i++)
    width += item_width (&spec->legend[i], text, &m) + (i > 0 ? m.spacing : 0.0);
  return width;
}

static void
draw_swatch (cairo_t               *cr,
             const RecurLegendItem *item,
             double                 x,
             double                 y,
             double                 length)
{
  if (item->mark == RECUR_MARK_NONE)
    return;
  cairo_save (cr);
  recur_plot_set_source (cr, item->colour, 1.0);
  cairo_new_path (cr);
  if (item->mark == RECUR_MARK_DOT)
    {
      cairo_arc (cr, x + length / 2, y, 3.5, 0.0, 2 * G_PI);
      cairo_fill (cr);
    }
  else
    {
      cairo_set_line_width (cr, 1.5);
      if (item->mark == RECUR_MARK_DASHED)
        {
          double dashes[] = { 6.0, 3.75 };

          cairo_set_dash (cr, dashes, 2, 0.0);
        }
      cairo_move_to (cr, x, y);
      cairo_line_to (cr, x + length, y);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

/* One item: swatch then label, starting at x and centred on y; returns its width. */
static double
draw_item (cairo_t               *cr,
           RecurPlotText         *text,
           const LegendMetrics   *m,
           const RecurLegendItem *item,
           double                 x,
           double                 y,
           const RecurPlotStyle  *style)
{
  double label_x = x;

  if (item->mark != RECUR_MARK_NONE)
    {
      draw_swatch (cr, item, x, y, m->swatch);
      label_x += m->swatch + m->gap;
    }
  if (recur_plot_text_width (text, m->font, item->label) > MAX_LABEL_EMS * text->em)
    recur_plot_text_draw_ellipsized (text, cr, m->font, item->label, label_x, y - m->row / 2,
                                     MAX_LABEL_EMS * text->em,
                                     item->mark == RECUR_MARK_NONE ? &style->muted
                                                                   : &style->foreground);
  else
    recur_plot_text_draw (text, cr, m->font, item->label, label_x, y, 0.0, 0.5,
                          item->mark == RECUR_MARK_NONE ? &style->muted : &style->foreground);
  return item_width (item, text, m);
}

static void
draw_on_top (const RecurFrame     *frame,
             const RecurFrameSpec *spec,
             cairo_t              *cr,
             RecurPlotText        *text,
             const RecurPlotStyle *style)
{
  LegendMetrics m = legend_metrics (text, frame->legend_small);
  double x = frame->area.x + frame->area.width - frame->legend_width;
  double y = frame->title_y + text->line_height / 2;

  for (guint i = 0; i < spec->n_legend; i++)
    x += draw_item (cr, text, &m, &spec->legend[i], x, y, style) + m.spacing;
}

/* Liang–Barsky: does the segment (x0, y0)–(x1, y1) enter the rectangle? */
static gboolean
segment_crosses (double                x0,
                 double                y0,
                 double                x1,
                 double                y1,
                 const RecurPlotArea  *r)
{
  double p[4] = { -(x1 - x0), x1 - x0, -(y1 - y0), y1 - y0 };
  double q[4] = { x0 - r->x, r->x + r->width - x0, y0 - r->y, r->y + r->height - y0 };
  double t0 = 0.0, t1 = 1.0;

  for (int i = 0; i < 4; i++)
    {
      if (p[i] == 0.0)
        {
          if (q[i] < 0.0)
            return FALSE;
          continue;
        }
      if (p[i] < 0.0)
        t0 = MAX (t0, q[i] / p[i]);
      else
        t1 = MIN (t1, q[i] / p[i]);
      if (t0 > t1)
        return FALSE;
    }
  return TRUE;
}

static gboolean
point_at (const RecurFrame    *frame,
          const RecurLineData *line,
          guint                i,
          double              *px,
          double              *py)
{
  double x = line->x != NULL ? line->x[i] : line->x_offset + i;

  *px = recur_axis_map (&frame->x, x);
  *py = recur_axis_map (&frame->y, line->y[i]);
  return isfinite (*px) && isfinite (*py);
}

/* How much of the data a box at r would hide: segments crossing it, about 1000 per line. */
static guint
count_crossings (const RecurFrame    *frame,
                 const RecurLineData *lines,
                 guint                n_lines,
                 const RecurPlotArea *r)
{
  guint count = 0;

  for (guint l = 0; l < n_lines; l++)
    {
      guint stride = MAX (1, lines[l].n / 1000);
      gboolean prev_ok = FALSE;
      double px = 0.0, py = 0.0;

      for (guint i = 0; lines[l].y != NULL && i < lines[l].n; i += stride)
        {
          double x, y;
          gboolean ok = point_at (frame, &lines[l], i, &x, &y);

          if (ok && (prev_ok ? segment_crosses (px, py, x, y, r)
                             : segment_crosses (x, y, x, y, r)))
            count++;
          prev_ok = ok, px = x, py = y;
        }
    }
  return count;
}

static void
draw_inside (const RecurFrame     *frame,
             const RecurFrameSpec *spec,
             cairo_t              *cr,
             RecurPlotText        *text,
             const RecurPlotStyle *style,
             const RecurLineData  *lines,
             guint                 n_lines)
{
  const RecurPlotArea *a = &frame->area;
  LegendMetrics m = legend_metrics (text, TRUE);
  double inset = 0.5 * text->em, pad = 0.4 * text->em, w = 0.0, h;
  RecurPlotArea best = { 0 };
  guint best_count = G_MAXUINT;

  for (guint i = 0; i < spec->n_legend; i++)
    w = MAX (w, item_width (&spec->legend[i], text, &m));
  w += 2 * pad;
  h = spec->n_legend * m.row + 2 * pad;
  /* a legend that would hide a good part of the data is better left out */
  if (w > a->width - 2 * inset || h > a->height - 2 * inset || w * h > 0.3 * a->width * a->height)
    return;

  /* top right, top left, bottom right, bottom left: the first that hides the least */
  for (guint corner = 0; corner < 4; corner++)
    {
      RecurPlotArea r = {
        corner % 2 == 0 ? a->x + a->width - inset - w : a->x + inset,
        corner < 2 ? a->y + inset : a->y + a->height - inset - h, w, h
      };
      guint count = count_crossings (frame, lines, n_lines, &r);

      if (count < best_count)
        best = r, best_count = count;
    }

  cairo_save (cr);
  cairo_rectangle (cr, best.x, best.y, best.width, best.height);
  recur_plot_set_source (cr, &style->background, 0.85);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, recur_plot_hairline (cr));
  recur_plot_set_source (cr, &style->grid, 1.0);
  cairo_stroke (cr);
  for (guint i = 0; i < spec->n_legend; i++)
    draw_item (cr, text, &m, &spec->legend[i], best.x + pad, best.y + pad + (i + 0.5) * m.row,
               style);
  cairo_restore (cr);
}

void
recur_frame_draw_legend (const RecurFrame     *frame,
                         const RecurFrameSpec *spec,
                         cairo_t              *cr,
                         RecurPlotText        *text,
                         const RecurPlotStyle *style,
                         const RecurLineData  *lines,
                         guint                 n_lines)
{
  if (frame->compact || spec->n_legend == 0)
    return;
  if (frame->legend_on_top)
    draw_on_top (frame, spec, cr, text, style);
  else
    draw_inside (frame, spec, cr, text, style, lines, n_lines);
}

/* ---- hover readout ------------------------------------------------------------------------ */

static void
draw_marker (const RecurFrame     *frame,
             cairo_t              *cr,
             const RecurPlotStyle *style,
             double                px)
{
  px = recur_plot_snap (cr, px, TRUE);
  cairo_save (cr);
  cairo_set_line_width (cr, recur_plot_hairline (cr));
  recur_plot_set_source (cr, &style->highlight, 1.0);
  cairo_move_to (cr, px, frame->area.y);
  cairo_line_to (cr, px, frame->area.y + frame->area.height);
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
rounded_rectangle (cairo_t             *cr,
                   const RecurPlotArea *r,
                   double               radius)
{
  cairo_new_sub_path (cr);
  cairo_arc (cr, r->x + r->width - radius, r->y + radius, radius, -G_PI / 2, 0.0);
  cairo_arc (cr, r->x + r->width - radius, r->y + r->height - radius, radius, 0.0, G_PI / 2);
  cairo_arc (cr, r->x + radius, r->y + r->height - radius, radius, G_PI / 2, G_PI);
  cairo_arc (cr, r->x + radius, r->y + radius, radius, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

/* The box's text: the first line (the x) in bold, in the small font where the area is cramped */
typedef struct
{
  RecurFont first, rest;
  double    row;
  double    width;   /* of the widest line, swatch included */
} ReadoutMetrics;

static ReadoutMetrics
readout_metrics (RecurPlotText          *text,
                 gboolean                small,
                 const RecurReadoutLine *lines,
                 guint                   n_lines)
{
  ReadoutMetrics m = { small ? RECUR_FONT_SMALL : RECUR_FONT_BOLD,
                       small ? RECUR_FONT_SMALL : RECUR_FONT_NORMAL,
                       small ? text->small_height : text->line_height, 0.0 };

  for (guint i = 0; i < n_lines; i++)
    m.width = MAX (m.width, (lines[i].swatch != NULL ? 1.2 * text->em : 0.0)
                            + recur_plot_text_width (text, i == 0 ? m.first : m.rest,
                                                     lines[i].text));
  return m;
}

/* Right of pixels left…right (the marker, or a cell), or left of them where the right has no
 * room; its top at py (below the top of the area when py is NAN), moved up to stay inside */
static RecurPlotArea
readout_box (const RecurFrame     *frame,
             RecurPlotText        *text,
             double                left,
             double                right,
             double                py,
             const ReadoutMetrics *m,
             guint                 n_lines)
{
  const RecurPlotArea *a = &frame->area;
  double pad = 0.5 * text->em, gap = 0.6 * text->em;
  RecurPlotArea r;

  r.width = m->width + 2 * pad;
  r.height = n_lines * m->row + 2 * pad;
  r.x = right + gap;
  if (r.x + r.width > a->x + a->width)
    r.x = MAX (a->x, left - gap - r.width);
  r.y = isnan (py) ? a->y + gap : MAX (a->y, MIN (py, a->y + a->height - r.height));
  return r;
}

static void
draw_readout_lines (cairo_t                *cr,
                    RecurPlotText          *text,
                    const RecurPlotStyle   *style,
                    const RecurPlotArea    *r,
                    const ReadoutMetrics   *m,
                    const RecurReadoutLine *lines,
                    guint                   n_lines)
{
  double pad = 0.5 * text->em;

  for (guint i = 0; i < n_lines; i++)
    {
      double x0 = r->x + pad, y = r->y + pad + (i + 0.5) * m->row;

      if (lines[i].swatch != NULL)
        {
          cairo_new_path (cr);
          cairo_arc (cr, x0 + 0.4 * text->em, y, 0.3 * text->em, 0.0, 2 * G_PI);
          recur_plot_set_source (cr, lines[i].swatch, 1.0);
          cairo_fill (cr);
          x0 += 1.2 * text->em;
        }
      recur_plot_text_draw (text, cr, i == 0 ? m->first : m->rest, lines[i].text, x0, y,
                            0.0, 0.5, &style->foreground);
    }
}

static void
draw_box (const RecurFrame       *frame,
          cairo_t                *cr,
          RecurPlotText          *text,
          const RecurPlotStyle   *style,
          double                  left,
          double                  right,
          double                  py,
          const RecurReadoutLine *lines,
          guint                   n_lines)
{
  ReadoutMetrics m;
  RecurPlotArea r;

  if (frame->compact || n_lines == 0)
    return;
  m = readout_metrics (text, FALSE, lines, n_lines);
  if (n_lines * m.row > 0.5 * frame->area.height || m.width > 0.4 * frame->area.width)
    m = readout_metrics (text, TRUE, lines, n_lines);
  r = readout_box (frame, text, left, right, py, &m, n_lines);
  cairo_save (cr);
  rounded_rectangle (cr, &r, 3.0);
  recur_plot_set_source (cr, &style->background, 0.92);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, recur_plot_hairline (cr));
  recur_plot_set_source (cr, &style->muted, 0.6);
  cairo_stroke (cr);
  draw_readout_lines (cr, text, style, &r, &m, lines, n_lines);
  cairo_restore (cr);
}

void
recur_frame_draw_readout (const RecurFrame       *frame,
                          cairo_t                *cr,
                          RecurPlotText          *text,
                          const RecurPlotStyle   *style,
                          double                  x,
                          const RecurReadoutLine *lines,
                          guint                   n_lines)
{
  double px = recur_axis_map (&frame->x, x);

  if (!isfinite (px) || px < frame->area.x - 0.5 || px > frame->area.x + frame->area.width + 0.5)
    return;
  draw_marker (frame, cr, style, px);
  draw_box (frame, cr, text, style, px, px, NAN, lines, n_lines);
}

void
recur_frame_draw_readout_at (const RecurFrame       *frame,
                             cairo_t                *cr,
                             RecurPlotText          *text,
                             const RecurPlotStyle   *style,
                             const RecurPlotArea    *beside,
                             const RecurReadoutLine *lines,
                             guint                   n_lines)
{
  if (!isfinite (beside->x) || !isfinite (beside->y) || !isfinite (beside->width))
    return;
  draw_box (frame, cr, text, style, beside->x, beside->x + beside->width, beside->y, lines,
            n_lines);
}
