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
  gboolean       has_values;
} GradFlowLayout;

static void
grad_flow_layout (gconstpointer         data,
                  const RecurPlotStyle *style,
                  RecurPlotText        *text,
                  double                width,
                  double                height,
                  gpointer              layout)
{
  const RecurGradFlowPlot *plot = data;
  GradFlowLayout *out = layout;
  double y_min = INFINITY, y_max = -INFINITY;

  *out = (GradFlowLayout) { 0 };
  /* One slot per time step, centred on its index */
  out->frame.x.kind = RECUR_AXIS_LINEAR;
  out->frame.x.integer = TRUE;
  out->frame.x.lo = -0.5;
  out->frame.x.hi = MAX (plot->n, 1) - 0.5;
  out->frame.y.kind = RECUR_AXIS_LOG;
  out->has_values = recur_plot_range (plot->norms, plot->n, TRUE, &y_min, &y_max);
  recur_axis_set_range (&out->frame.y, y_min, y_max, TRUE);
  out->spec.x_title = _("time step");
  out->spec.y_title = _("‖∂loss/∂h‖");
  out->spec.no_x_ticks = plot->n == 0 || plot->norms == NULL;
  out->spec.no_y_ticks = !out->has_values;
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
}

/* Bars rise from the bottom of the log axis: its length, not its area, is the magnitude. */
static void
bar_path (cairo_t          *cr,
          const RecurFrame *frame,
          double            x,
          double            width,
          double            value)
{
  double top = recur_axis_map (&frame->y, value);

  cairo_rectangle (cr, x, top, width, frame->area.y + frame->area.height - top);
}

/* More steps than pixels share a column, which shows the largest of them: one rectangle per
 * column rather than 100 000 slivers that Cairo would take seconds to fill. */
static void
trace_columns (const RecurGradFlowPlot *plot,
               const RecurFrame        *frame,
               cairo_t                 *cr)
{
  double column = NAN, column_max = 0.0;

  for (guint t = 0; t < plot->n; t++)
    {
      double v = plot->norms[t], col = floor (recur_axis_map (&frame->x, t));

      if (col != column)
        {
          if (column_max > 0.0)
            bar_path (cr, frame, column, 1.0, column_max);
          column = col;
          column_max = 0.0;
        }
      if (isfinite (v) && v > column_max)
        column_max = v;
    }
  if (column_max > 0.0)
    bar_path (cr, frame, column, 1.0, column_max);
}

static void
trace_bars (const RecurGradFlowPlot *plot,
            const RecurFrame        *frame,
            cairo_t                 *cr)
{
  double slot = frame->area.width / MAX (plot->n, 1);
  double bar = slot >= 3.0 ? 0.75 * slot : slot;

  if (slot < 1.0)
    {
      trace_columns (plot, frame, cr);
      return;
    }
  for (guint t = 0; t < plot->n; t++)
    if (isfinite (plot->norms[t]) && plot->norms[t] > 0.0)
      bar_path (cr, frame, recur_axis_map (&frame->x, t) - bar / 2, bar, plot->norms[t]);
}

static void
draw_bars (const RecurGradFlowPlot *plot,
           const GradFlowLayout    *layout,
           cairo_t                 *cr,
           const RecurPlotStyle    *style)
{
  cairo_save (cr);
  recur_frame_clip (&layout->frame, cr);
  recur_plot_set_source (cr, &style->train, 0.9);
  cairo_new_path (cr);
  trace_bars (plot, &layout->frame, cr);
  cairo_fill (cr);
  cairo_restore (cr);
}

static void
draw_grad_flow (gconstpointer         data,
                gconstpointer         laid_out,
                cairo_t              *cr,
                RecurPlotText        *text,
                const RecurPlotStyle *style)
{
  const RecurGradFlowPlot *plot = data;
  const GradFlowLayout *layout = laid_out;

  recur_frame_draw_axes (&layout->frame, &layout->spec, cr, text, style);
  if (!layout->has_values)
    {
      recur_frame_draw_message (&layout->frame, cr, text, style,
                                plot->why_empty ? plot->why_empty
                                : plot->n == 0  ? _("No data yet")
                                                : _("No values to show"));
      return;
    }
  draw_bars (plot, layout, cr, style);
}

void
recur_plot_grad_flow (cairo_t                 *cr,
                      double                   width,
                      double                   height,
                      const RecurGradFlowPlot *plot,
                      const RecurPlotStyle    *style)
{
  GradFlowLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  recur_plot_draw_layout (cr, width, height, plot, style, grad_flow_layout, draw_grad_flow,
                          &layout);
}

RecurPlotArea
recur_plot_grad_flow_area_for_style (const RecurGradFlowPlot *plot,
                                     const RecurPlotStyle    *style,
                                     double                   width,
                                     double                   height)
{
  GradFlowLayout layout;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  recur_plot_measure_layout (grad_flow_layout, plot, style, width, height, &layout);
  return layout.frame.area;
}

RecurPlotArea
recur_plot_grad_flow_area (const RecurGradFlowPlot *plot,
                           double                   width,
                           double                   height)
{
  return recur_plot_grad_flow_area_for_style (plot, NULL, width, height);
}
