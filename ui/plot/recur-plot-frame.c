/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>

#include "recur-plot-private.h"

#define TICK_LENGTH 4.0
#define TICK_GAP    3.0

/* ---- layout ------------------------------------------------------------------------------- */

static void
layout_vertical (RecurFrame           *frame,
                 const RecurFrameSpec *spec,
                 RecurPlotText        *text,
                 gboolean              title_row)
{
  double top = frame->pad, bottom;

  frame->title_y = top;
  if (title_row)
    top += text->line_height + 0.4 * text->em;
  frame->parts_y = -1.0;
  if (spec->parts_row && frame->height >= 9.0 * text->line_height)
    {
      frame->parts_y = top;
      top += text->small_height + 0.2 * text->em;
    }
  /* the top tick label is centred on the top edge */
  top = MAX (top, frame->pad + text->line_height / 2);

  bottom = frame->pad + TICK_LENGTH + TICK_GAP + text->line_height;
  if (spec->x_title != NULL)
    bottom += text->line_height + 0.2 * text->em;
  frame->area.y = top;
  frame->area.height = frame->height - top - bottom;
}

static void
set_vertical_pixels (RecurFrame *frame)
{
  double top = frame->area.y, bottom = frame->area.y + frame->area.height;

  frame->y.p0 = frame->y.inverted ? top : bottom;
  frame->y.p1 = frame->y.inverted ? bottom : top;
}

static void
layout_horizontal (RecurFrame           *frame,
                   const RecurFrameSpec *spec,
                   RecurPlotText        *text)
{
  double left = frame->pad + TICK_LENGTH + TICK_GAP, right = frame->pad + 0.5 * text->em;

  set_vertical_pixels (frame);
  /* the lowest label may not reach down into the row of x labels */
  frame->y.n_ticks = 0;
  if (!spec->no_y_ticks)
    recur_axis_make_ticks (&frame->y, text, TRUE, 0.0,
                           frame->area.y + frame->area.height + TICK_LENGTH + TICK_GAP - 1.0);
  left += recur_axis_max_label_width (&frame->y, text);
  if (spec->y_title != NULL)
    left += text->line_height + 0.3 * text->em;
  right += spec->right_extra;

  frame->area.x = left;
  frame->area.width = frame->width - left - right;
  frame->x.p0 = frame->area.x;
  frame->x.p1 = frame->area.x + frame->area.width;
  frame->x.n_ticks = 0;
  if (!spec->no_x_ticks)
    recur_axis_make_ticks (&frame->x, text, FALSE, 0.0, frame->width);
}

static void
layout_compact (RecurFrame *frame)
{
  double pad = MIN (2.0, MIN (frame->width, frame->height) / 4);

  frame->compact = TRUE;
  frame->legend_on_top = FALSE;
  frame->parts_y = -1.0;
  frame->area = (RecurPlotArea) { pad, pad, MAX (frame->width - 2 * pad, 0.0),
                                  MAX (frame->height - 2 * pad, 0.0) };
  frame->x.p0 = frame->area.x;
  frame->x.p1 = frame->area.x + frame->area.width;
  set_vertical_pixels (frame);
  frame->x.n_ticks = frame->y.n_ticks = 0;
}

void
recur_frame_layout (RecurFrame           *frame,
                    const RecurFrameSpec *spec,
                    RecurPlotText        *text,
                    double                width,
                    double                height)
{
  gboolean title_row = spec->title != NULL || spec->n_legend > 0;
  double title_width, room;

  frame->width = MAX (width, 0.0);
  frame->height = MAX (height, 0.0);
  frame->compact = FALSE;
  frame->pad = MAX (3.0, round (0.6 * text->em));
  title_width = spec->title != NULL ? recur_plot_text_width (text, RECUR_FONT_BOLD, spec->title)
                                      + 2.0 * text->em : 0.0;

  layout_vertical (frame, spec, text, title_row);
  if (frame->area.height < 2.5 * text->em)
    {
      layout_compact (frame);
      return;
    }
  layout_horizontal (frame, spec, text);

  /* The legend on top in the normal font, or in the small one, or else inside the area */
  room = frame->area.width - title_width;
  frame->legend_small = FALSE;
  frame->legend_width = recur_frame_legend_width (spec, text, FALSE);
  if (frame->legend_width > room)
    {
      frame->legend_small = TRUE;
      frame->legend_width = recur_frame_legend_width (spec, text, TRUE);
    }
  frame->legend_on_top = spec->n_legend > 0 && frame->legend_width <= room;

  /* A row that was only for a legend that did not fit: give it to the data */
  if (spec->n_legend > 0 && !frame->legend_on_top && spec->title == NULL)
    {
      layout_vertical (frame, spec, text, FALSE);
      layout_horizontal (frame, spec, text);
    }
  if (frame->area.width < 3.0 * text->em)
    layout_compact (frame);
}

/* ---- a plot's layout and drawing ---------------------------------------------------------- */

void
recur_plot_measure_layout (RecurPlotLayoutFunc   layout_func,
                           gconstpointer         plot,
                           const RecurPlotStyle *style,
                           double                width,
                           double                height,
                           gpointer              layout)
{
  RecurPlotStyle fallback;
  RecurPlotText measure;

  style = recur_plot_style_or_default (style, &fallback);
  recur_plot_text_init_measure (&measure, style);
  layout_func (plot, style, &measure, width, height, layout);
  recur_plot_text_clear (&measure);
}

void
recur_plot_draw_layout (cairo_t              *cr,
                        double                width,
                        double                height,
                        gconstpointer         plot,
                        const RecurPlotStyle *style,
                        RecurPlotLayoutFunc   layout_func,
                        RecurPlotPaintFunc    paint_func,
                        gpointer              layout)
{
  RecurPlotStyle fallback;
  RecurPlotText text;

  style = recur_plot_style_or_default (style, &fallback);
  recur_plot_measure_layout (layout_func, plot, style, width, height, layout);
  cairo_save (cr);
  recur_plot_text_init_draw (&text, cr, style);
  paint_func (plot, layout, cr, &text, style);
  recur_plot_text_clear (&text);
  cairo_restore (cr);
}

/* ---- axes --------------------------------------------------------------------------------- */

static void
draw_grid (const RecurFrame     *frame,
           cairo_t              *cr,
           const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &frame->area;

  cairo_save (cr);
  cairo_set_line_width (cr, recur_plot_hairline (cr));
  for (guint i = 0; i < frame->y.n_ticks; i++)
    {
      const RecurTick *tick = &frame->y.ticks[i];
      double y = recur_plot_snap (cr, recur_axis_map (&frame->y, tick->value), FALSE);

      cairo_move_to (cr, a->x, y);
      cairo_line_to (cr, a->x + a->width, y);
      recur_plot_set_source (cr, &style->grid, tick->major ? 1.0 : 0.4);
      cairo_stroke (cr);
    }
  for (guint i = 0; i < frame->x.n_ticks; i++)
    {
      const RecurTick *tick = &frame->x.ticks[i];
      double x = recur_plot_snap (cr, recur_axis_map (&frame->x, tick->value), TRUE);

      cairo_move_to (cr, x, a->y);
      cairo_line_to (cr, x, a->y + a->height);
      recur_plot_set_source (cr, &style->grid, tick->major ? 1.0 : 0.4);
      cairo_stroke (cr);
    }
  cairo_restore (cr);
}

static void
draw_spines_and_ticks (const RecurFrame     *frame,
                       cairo_t              *cr,
                       const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &frame->area;
  double left = recur_plot_snap (cr, a->x, TRUE);
  double bottom = recur_plot_snap (cr, a->y + a->height, FALSE);

  cairo_save (cr);
  cairo_set_line_width (cr, recur_plot_hairline (cr));
  recur_plot_set_source (cr, &style->muted, 1.0);
  cairo_move_to (cr, left, a->y);
  cairo_line_to (cr, left, bottom);
  cairo_line_to (cr, a->x + a->width, bottom);
  for (guint i = 0; i < frame->y.n_ticks; i++)
    {
      double y = recur_plot_snap (cr, recur_axis_map (&frame->y, frame->y.ticks[i].value), FALSE);

      cairo_move_to (cr, left, y);
      cairo_rel_line_to (cr, frame->y.ticks[i].major ? -TICK_LENGTH : -TICK_LENGTH / 2, 0.0);
    }
  for (guint i = 0; i < frame->x.n_ticks; i++)
    {
      double x = recur_plot_snap (cr, recur_axis_map (&frame->x, frame->x.ticks[i].value), TRUE);

      cairo_move_to (cr, x, bottom);
      cairo_rel_line_to (cr, 0.0, frame->x.ticks[i].major ? TICK_LENGTH : TICK_LENGTH / 2);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_tick_labels (const RecurFrame     *frame,
                  cairo_t              *cr,
                  RecurPlotText        *text,
                  const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &frame->area;

  for (guint i = 0; i < frame->y.n_ticks; i++)
    if (frame->y.ticks[i].major)
      recur_plot_text_draw (text, cr, RECUR_FONT_NORMAL, frame->y.ticks[i].label,
                            a->x - TICK_LENGTH - TICK_GAP, frame->y.ticks[i].label_pos,
                            1.0, 0.5, &style->foreground);
  for (guint i = 0; i < frame->x.n_ticks; i++)
    if (frame->x.ticks[i].major)
      recur_plot_text_draw (text, cr, RECUR_FONT_NORMAL, frame->x.ticks[i].label,
                            frame->x.ticks[i].label_pos,
                            a->y + a->height + TICK_LENGTH + TICK_GAP,
                            0.5, 0.0, &style->foreground);
}

static void
draw_titles (const RecurFrame     *frame,
             const RecurFrameSpec *spec,
             cairo_t              *cr,
             RecurPlotText        *text,
             const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &frame->area;

  if (spec->title != NULL)
    {
      double room = a->width - (frame->legend_on_top ? frame->legend_width + text->em : 0.0);

      recur_plot_text_draw_ellipsized (text, cr, RECUR_FONT_BOLD, spec->title, a->x,
                                       frame->title_y, room, &style->foreground);
    }
  if (spec->x_title != NULL)
    recur_plot_text_draw (text, cr, RECUR_FONT_NORMAL, spec->x_title, a->x + a->width / 2,
                          frame->height - frame->pad, 0.5, 1.0, &style->muted);
  if (spec->y_title != NULL)
    recur_plot_text_draw_vertical (text, cr, RECUR_FONT_NORMAL, spec->y_title,
                                   frame->pad + text->line_height / 2, a->y + a->height / 2,
                                   &style->muted);
}

void
recur_frame_draw_axes (const RecurFrame     *frame,
                       const RecurFrameSpec *spec,
                       cairo_t              *cr,
                       RecurPlotText        *text,
                       const RecurPlotStyle *style)
{
  recur_plot_set_source (cr, &style->background, 1.0);
  cairo_rectangle (cr, 0.0, 0.0, frame->width, frame->height);
  cairo_fill (cr);
  if (frame->area.width <= 0.0 || frame->area.height <= 0.0)
    return;
  draw_grid (frame, cr, style);
  draw_spines_and_ticks (frame, cr, style);
  if (frame->compact)
    return;
  draw_tick_labels (frame, cr, text, style);
  draw_titles (frame, spec, cr, text, style);
}

void
recur_frame_draw_message (const RecurFrame     *frame,
                          cairo_t              *cr,
                          RecurPlotText        *text,
                          const RecurPlotStyle *style,
                          const char           *message)
{
  const RecurPlotArea *a = &frame->area;

  if (frame->compact)
    return;
  recur_plot_text_draw (text, cr, RECUR_FONT_NORMAL, message, a->x + a->width / 2,
                        a->y + a->height / 2, 0.5, 0.5, &style->muted);
}

void
recur_frame_clip (const RecurFrame *frame,
                  cairo_t          *cr)
{
  cairo_rectangle (cr, frame->area.x, frame->area.y, frame->area.width, frame->area.height);
  cairo_clip (cr);
}

void
recur_frame_draw_part (const RecurFrame     *frame,
                       cairo_t              *cr,
                       RecurPlotText        *text,
                       double                x0,
                       double                x1,
                       const RecurRgba      *fill,
                       double                alpha,
                       const char           *label,
                       const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &frame->area;
  double p0 = recur_axis_map (&frame->x, x0), p1 = recur_axis_map (&frame->x, x1);

  if (!isfinite (p0) || !isfinite (p1))
    return;
  p0 = CLAMP (p0, a->x, a->x + a->width);
  p1 = CLAMP (p1, a->x, a->x + a->width);
  if (p1 - p0 <= 0.0)
    return;
  if (fill != NULL)
    {
      recur_plot_set_source (cr, fill, recur_plot_fill_alpha (style, alpha));
      cairo_rectangle (cr, p0, a->y, p1 - p0, a->height);
      cairo_fill (cr);
    }
  if (label != NULL && frame->parts_y >= 0.0
      && recur_plot_text_width (text, RECUR_FONT_SMALL, label) + 4.0 <= p1 - p0)
    recur_plot_text_draw (text, cr, RECUR_FONT_SMALL, label, (p0 + p1) / 2, frame->parts_y,
                          0.5, 0.0, &style->muted);
}

/* ---- lines -------------------------------------------------------------------------------- */

static gboolean
line_point (const RecurFrame    *frame,
            const RecurLineData *line,
            guint                i,
            double              *px,
            double              *py)
{
  double x = line->x != NULL ? line->x[i] : line->x_offset + i;

  if (!isfinite (x) || !isfinite (line->y[i]))
    return FALSE;
  *px = recur_axis_map (&frame->x, x);
  *py = recur_axis_map (&frame->y, line->y[i]);
  return isfinite (*px) && isfinite (*py);
}

static gboolean
is_isolated (const RecurFrame    *frame,
             const RecurLineData *line,
             guint                i)
{
  double x, y;

  return (i == 0 || !line_point (frame, line, i - 1, &x, &y))
         && (i + 1 >= line->n || !line_point (frame, line, i + 1, &x, &y));
}

/* Every point; isolated ones are left to trace_dots. */
static void
trace_all (const RecurFrame    *frame,
           cairo_t             *cr,
           const RecurLineData *line)
{
  gboolean pen_down = FALSE;

  for (guint i = 0; i < line->n; i++)
    {
      double px, py;

      if (!line_point (frame, line, i, &px, &py))
        pen_down = FALSE;
      else if (pen_down)
        cairo_line_to (cr, px, py);
      else
        {
          cairo_move_to (cr, px, py);
          pen_down = TRUE;
        }
    }
}

/* A point without finite neighbours would be invisible as a line: it becomes a dot. */
static void
trace_dots (const RecurFrame    *frame,
            cairo_t             *cr,
            const RecurLineData *line,
            double               radius)
{
  for (guint i = 0; i < line->n; i++)
    {
      double px, py;

      if (!line_point (frame, line, i, &px, &py) || !is_isolated (frame, line, i))
        continue;
      cairo_new_sub_path (cr);
      cairo_arc (cr, px, py, radius, 0.0, 2 * G_PI);
      cairo_close_path (cr);
    }
}

/* One pixel column of a dense line: the extent of its points and of the segment that enters it */
typedef struct
{
  double x, top, bottom;
} Column;

/* A run of columns as one band, tops left to right and bottoms back: a simple polygon */
static void
band_flush (GArray  *run,
            cairo_t *cr,
            double   half_width)
{
  if (run->len == 0)
    return;
  for (guint i = 0; i < run->len; i++)
    {
      const Column *c = &g_array_index (run, Column, i);

      if (i == 0)
        cairo_move_to (cr, c->x - half_width, c->top - half_width);
      cairo_line_to (cr, c->x, c->top - half_width);
    }
  cairo_line_to (cr, g_array_index (run, Column, run->len - 1).x + half_width,
                 g_array_index (run, Column, run->len - 1).top - half_width);
  cairo_line_to (cr, g_array_index (run, Column, run->len - 1).x + half_width,
                 g_array_index (run, Column, run->len - 1).bottom + half_width);
  for (guint i = run->len; i-- > 0;)
    cairo_line_to (cr, g_array_index (run, Column, i).x,
                   g_array_index (run, Column, i).bottom + half_width);
  cairo_line_to (cr, g_array_index (run, Column, 0).x - half_width,
                 g_array_index (run, Column, 0).bottom + half_width);
  cairo_close_path (cr);
  g_array_set_size (run, 0);
}

/* Many more points than pixels: stroking every segment would pile thousands of overlapping
 * strokes into each pixel column, slowly. Filling each column from its lowest to its highest
 * point (widened by half the line width) draws the same picture as one simple polygon. */
static void
trace_decimated (const RecurFrame    *frame,
                 cairo_t             *cr,
                 const RecurLineData *line,
                 double               line_width)
{
  g_autoptr(GArray) run = g_array_new (FALSE, FALSE, sizeof (Column));
  gboolean have_prev = FALSE;
  double prev_y = 0.0;

  for (guint i = 0; i < line->n; i++)
    {
      double px, py;
      Column *last = run->len > 0 ? &g_array_index (run, Column, run->len - 1) : NULL;

      if (!line_point (frame, line, i, &px, &py))
        {
          band_flush (run, cr, line_width / 2);
          have_prev = FALSE;
          continue;
        }
      if (last == NULL || floor (px) != floor (last->x))
        {
          /* the new column starts where the previous point left off */
          Column c = { floor (px) + 0.5, have_prev ? MIN (prev_y, py) : py,
                       have_prev ? MAX (prev_y, py) : py };

          g_array_append_val (run, c);
        }
      else
        {
          last->top = MIN (last->top, py);
          last->bottom = MAX (last->bottom, py);
        }
      prev_y = py;
      have_prev = TRUE;
    }
  band_flush (run, cr, line_width / 2);
}

void
recur_frame_draw_line (const RecurFrame    *frame,
                       cairo_t             *cr,
                       const RecurLineData *line,
                       const RecurRgba     *colour,
                       double               line_width,
                       gboolean             dashed)
{
  gboolean decimate;

  if (line->y == NULL || line->n == 0)
    return;
  cairo_save (cr);
  cairo_new_path (cr);
  cairo_set_line_width (cr, line_width);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  cairo_set_line_cap (cr, dashed ? CAIRO_LINE_CAP_BUTT : CAIRO_LINE_CAP_ROUND);
  if (dashed)
    {
      double dashes[] = { 4.0 * line_width, 2.5 * line_width };

      cairo_set_dash (cr, dashes, 2, 0.0);
    }
  recur_plot_set_source (cr, colour, 1.0);
  decimate = line->n > 3 * MAX (frame->area.width, 1.0);
  if (decimate)
    {
      trace_decimated (frame, cr, line, line_width);
      cairo_fill (cr);
    }
  else
    {
      trace_all (frame, cr, line);
      cairo_stroke (cr);
      trace_dots (frame, cr, line, line_width);
      cairo_fill (cr);
    }
  cairo_restore (cr);
}

void
recur_frame_draw_dot (const RecurFrame *frame,
                      cairo_t          *cr,
                      double            x,
                      double            y,
                      double            radius,
                      const RecurRgba  *colour)
{
  double px = recur_axis_map (&frame->x, x), py = recur_axis_map (&frame->y, y);
  const RecurPlotArea *a = &frame->area;

  if (!isfinite (px) || !isfinite (py) || px < a->x - radius || px > a->x + a->width + radius
      || py < a->y - radius || py > a->y + a->height + radius)
    return;
  cairo_new_path (cr);
  cairo_arc (cr, px, py, radius, 0.0, 2 * G_PI);
  recur_plot_set_source (cr, colour, 1.0);
  cairo_fill (cr);
}
