/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "recur-plot-private.h"

typedef struct
{
  RecurFrame     frame;
  RecurFrameSpec spec;
  guint          first, end;  /* indices drawn: the visible ones and a neighbour each side */
  gboolean       has_values;
} SeriesLayout;

static gboolean
has_view (const RecurSeriesPlot *plot)
{
  return plot->view_min < plot->view_max && isfinite (plot->view_min)
         && isfinite (plot->view_max);
}

static gboolean
in_view (const RecurSeriesPlot *plot,
         guint                  i)
{
  double x = plot->x[i];

  return isfinite (x) && (!has_view (plot) || (x >= plot->view_min && x <= plot->view_max));
}

/* The x range, the y range of the visible values, and whether x holds whole numbers. */
static void
series_ranges (const RecurSeriesPlot *plot,
               SeriesLayout          *out)
{
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  gboolean integer = TRUE;

  out->first = plot->n;
  out->end = 0;
  for (guint i = 0; plot->x != NULL && i < plot->n; i++)
    {
      if (!in_view (plot, i))
        continue;
      out->first = MIN (out->first, i);
      out->end = i + 1;
      x_min = MIN (x_min, plot->x[i]);
      x_max = MAX (x_max, plot->x[i]);
      integer = integer && plot->x[i] == floor (plot->x[i]);
      if (plot->values != NULL && isfinite (plot->values[i]))
        {
          y_min = MIN (y_min, plot->values[i]);
          y_max = MAX (y_max, plot->values[i]);
        }
    }
  /* one more point on each side, so that lines run to the edges of a zoomed view */
  out->first = out->first > 0 && out->first < plot->n ? out->first - 1 : out->first;
  out->end = MIN (out->end + 1, plot->n);
  out->has_values = y_min <= y_max;

  if (has_view (plot))
    x_min = plot->view_min, x_max = plot->view_max;
  out->frame.x.integer = !plot->x_is_time && integer;
  recur_axis_set_range (&out->frame.x, x_min, x_max, FALSE);
  recur_axis_set_range (&out->frame.y, y_min, y_max, TRUE);
}

static void
series_layout (gconstpointer         data,
               const RecurPlotStyle *style,
               RecurPlotText        *text,
               double                width,
               double                height,
               gpointer              layout)
{
  const RecurSeriesPlot *plot = data;
  SeriesLayout *out = layout;

  *out = (SeriesLayout) { 0 };
  out->frame.x.kind = plot->x_is_time ? RECUR_AXIS_TIME : RECUR_AXIS_LINEAR;
  out->frame.x.time_of_day = plot->x_has_time_of_day;
  out->frame.y.kind = RECUR_AXIS_LINEAR;
  series_ranges (plot, out);
  out->spec.title = plot->title;
  out->spec.parts_row = plot->val_start < plot->n || plot->test_start < plot->n;
  out->spec.no_x_ticks = out->first >= out->end && !has_view (plot);
  out->spec.no_y_ticks = !out->has_values;
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
}

static void
draw_parts (const RecurSeriesPlot *plot,
            const SeriesLayout    *layout,
            cairo_t               *cr,
            RecurPlotText         *text,
            const RecurPlotStyle  *style)
{
  const RecurFrame *frame = &layout->frame;
  gboolean has_val = plot->val_start < plot->n, has_test = plot->test_start < plot->n;
  double val_x = has_val ? plot->x[plot->val_start] : frame->x.hi;
  double test_x = has_test ? plot->x[plot->test_start] : frame->x.hi;

  if (!has_val && !has_test)
    return;
  recur_frame_draw_part (frame, cr, text, frame->x.lo, MIN (val_x, test_x), NULL, 0.0,
                         _("train"), style);
  if (has_val)
    recur_frame_draw_part (frame, cr, text, val_x, test_x, &style->validation, 0.14,
                           _("validation"), style);
  if (has_test)
    recur_frame_draw_part (frame, cr, text, test_x, frame->x.hi, &style->test, 0.12,
                           _("test"), style);
}

/* Missing values as short marks rising from the x axis */
static void
draw_missing (const RecurSeriesPlot *plot,
              const SeriesLayout    *layout,
              cairo_t               *cr,
              const RecurPlotStyle  *style)
{
  const RecurFrame *frame = &layout->frame;
  double bottom = frame->area.y + frame->area.height, prev = -INFINITY;

  if (plot->missing == NULL || frame->compact)
    return;
  cairo_save (cr);
  cairo_set_line_width (cr, recur_plot_hairline (cr));
  recur_plot_set_source (cr, &style->test, 0.8);
  for (guint i = layout->first; i < layout->end; i++)
    {
      double px;

      if (!plot->missing[i] || !isfinite (plot->x[i]))
        continue;
      px = recur_plot_snap (cr, recur_axis_map (&frame->x, plot->x[i]), TRUE);
      if (px == prev)
        continue;  /* one mark per pixel column is enough */
      cairo_move_to (cr, px, bottom);
      cairo_line_to (cr, px, bottom - 5.0);
      prev = px;
    }
  cairo_stroke (cr);
  cairo_restore (cr);
}

static void
draw_hover (const RecurSeriesPlot *plot,
            const SeriesLayout    *layout,
            cairo_t               *cr,
            RecurPlotText         *text,
            const RecurPlotStyle  *style)
{
  RecurReadoutLine lines[2] = { { "", NULL }, { "", &style->actual } };
  guint i = (guint) plot->hover;
  double v;

  if (plot->hover < 0 || i >= plot->n || !isfinite (plot->x[i]))
    return;
  v = plot->values != NULL ? plot->values[i] : NAN;
  if (plot->x_is_time)
    recur_plot_format_date (plot->x[i], plot->x_has_time_of_day, lines[0].text,
                            sizeof lines[0].text);
  else
    recur_plot_format_value (plot->x[i], lines[0].text, sizeof lines[0].text);
  if (isfinite (v))
    recur_plot_format_value (v, lines[1].text, sizeof lines[1].text);
  else
    g_strlcpy (lines[1].text, _("missing"), sizeof lines[1].text);
  recur_frame_draw_readout (&layout->frame, cr, text, style, plot->x[i], lines, 2);
  recur_frame_draw_dot (&layout->frame, cr, plot->x[i], v, 3.5, &style->highlight);
}

static void
draw_series (gconstpointer         data,
             gconstpointer         laid_out,
             cairo_t              *cr,
             RecurPlotText        *text,
             const RecurPlotStyle *style)
{
  const RecurSeriesPlot *plot = data;
  const SeriesLayout *layout = laid_out;
  const RecurFrame *frame = &layout->frame;
  RecurLineData line = { 0 };

  recur_frame_draw_axes (frame, &layout->spec, cr, text, style);
  if (plot->x == NULL || plot->n == 0 || !layout->has_values)
    {
      recur_frame_draw_message (frame, cr, text, style,
                                plot->n == 0 ? _("No data yet") : _("No values to show"));
      return;
    }
  draw_parts (plot, layout, cr, text, style);
  cairo_save (cr);
  recur_frame_clip (frame, cr);
  line.x = plot->x + layout->first;
  line.y = plot->values + layout->first;
  line.n = layout->end - layout->first;
  recur_frame_draw_line (frame, cr, &line, &style->actual, 1.5, FALSE);
  draw_missing (plot, layout, cr, style);
  cairo_restore (cr);
  draw_hover (plot, layout, cr, text, style);
}

void
recur_plot_series (cairo_t               *cr,
                   double                 width,
                   double                 height,
                   const RecurSeriesPlot *plot,
                   const RecurPlotStyle  *style)
{
  SeriesLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  recur_plot_draw_layout (cr, width, height, plot, style, series_layout, draw_series, &layout);
}

RecurPlotArea
recur_plot_series_area_for_style (const RecurSeriesPlot *plot,
                                  const RecurPlotStyle  *style,
                                  double                 width,
                                  double                 height)
{
  SeriesLayout layout;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  recur_plot_measure_layout (series_layout, plot, style, width, height, &layout);
  return layout.frame.area;
}

RecurPlotArea
recur_plot_series_area (const RecurSeriesPlot *plot,
                        double                 width,
                        double                 height)
{
  return recur_plot_series_area_for_style (plot, NULL, width, height);
}

int
recur_plot_series_hit_for_style (const RecurSeriesPlot *plot,
                                 const RecurPlotStyle  *style,
                                 double                 width,
                                 double                 height,
                                 double                 x)
{
  SeriesLayout layout;
  const RecurPlotArea *a;
  double value, best = INFINITY;
  int hit = -1;

  g_return_val_if_fail (plot != NULL, -1);

  if (plot->n == 0 || plot->x == NULL)
    return -1;
  recur_plot_measure_layout (series_layout, plot, style, width, height, &layout);
  a = &layout.frame.area;
  if (x < a->x || x > a->x + a->width)
    return -1;
  value = recur_axis_unmap (&layout.frame.x, x);
  for (guint i = 0; i < plot->n; i++)
    if (in_view (plot, i) && fabs (plot->x[i] - value) < best)
      {
        best = fabs (plot->x[i] - value);
        hit = (int) i;
      }
  return hit;
}

int
recur_plot_series_hit (const RecurSeriesPlot *plot,
                       double                 width,
                       double                 height,
                       double                 x)
{
  return recur_plot_series_hit_for_style (plot, NULL, width, height, x);
}
