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
  double         end_x;       /* the last observed x: the forecast starts after it */
} PredictionLayout;

static gboolean
any_finite (const double *values,
            guint         n)
{
  double lo = INFINITY, hi = -INFINITY;

  return recur_plot_range (values, n, FALSE, &lo, &hi);
}

static void
prediction_ranges (const RecurPredictionPlot *plot,
                   PredictionLayout          *out)
{
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  guint n_future = plot->future_x != NULL ? plot->n_future : 0;

  gboolean has_x = recur_plot_range (plot->x, plot->n, FALSE, &x_min, &x_max);

  out->end_x = x_max;
  has_x |= recur_plot_range (plot->future_x, n_future, FALSE, &x_min, &x_max);
  out->spec.no_x_ticks = !has_x;
  out->has_values = recur_plot_range (plot->actual, plot->n, FALSE, &y_min, &y_max)
                    | recur_plot_range (plot->predicted, plot->n, FALSE, &y_min, &y_max)
                    | recur_plot_range (plot->naive, plot->n, FALSE, &y_min, &y_max)
                    | recur_plot_range (plot->future, n_future, FALSE, &y_min, &y_max);
  out->frame.x.integer = !plot->x_is_time && x_min == floor (x_min) && x_max == floor (x_max);
  recur_axis_set_range (&out->frame.x, x_min, x_max, FALSE);
  recur_axis_set_range (&out->frame.y, y_min, y_max, TRUE);
  out->spec.no_y_ticks = !out->has_values;
}

static void
add_legend (RecurFrameSpec  *spec,
            const char      *label,
            const RecurRgba *colour,
            RecurMark        mark)
{
  spec->legend[spec->n_legend++] = (RecurLegendItem) { label, colour, mark };
}

static void
prediction_layout (const RecurPredictionPlot *plot,
                   const RecurPlotStyle      *style,
                   RecurPlotText             *text,
                   double                     width,
                   double                     height,
                   PredictionLayout          *out)
{
  guint n_future = plot->future_x != NULL ? plot->n_future : 0;

  *out = (PredictionLayout) { 0 };
  out->frame.x.kind = plot->x_is_time ? RECUR_AXIS_TIME : RECUR_AXIS_LINEAR;
  out->frame.x.time_of_day = plot->x_has_time_of_day;
  out->frame.y.kind = RECUR_AXIS_LINEAR;
  prediction_ranges (plot, out);

  if (any_finite (plot->actual, plot->n))
    add_legend (&out->spec, _("actual"), &style->actual, RECUR_MARK_LINE);
  if (any_finite (plot->predicted, plot->n))
    add_legend (&out->spec, _("predicted"), &style->predicted, RECUR_MARK_LINE);
  if (any_finite (plot->naive, plot->n))
    add_legend (&out->spec, _("naive"), &style->baseline, RECUR_MARK_DASHED);
  if (any_finite (plot->future, n_future))
    add_legend (&out->spec, _("forecast"), &style->forecast, RECUR_MARK_LINE);
  out->spec.parts_row = isfinite (plot->val_start_x) || isfinite (plot->test_start_x)
                        || n_future > 0;
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
}

static void
draw_parts (const RecurPredictionPlot *plot,
            const PredictionLayout    *layout,
            cairo_t                   *cr,
            RecurPlotText             *text,
            const RecurPlotStyle      *style)
{
  const RecurFrame *frame = &layout->frame;
  double end = isfinite (layout->end_x) ? layout->end_x : frame->x.hi;
  double val = isfinite (plot->val_start_x) ? plot->val_start_x : end;
  double test = isfinite (plot->test_start_x) ? plot->test_start_x : end;

  if (val > frame->x.lo || test > frame->x.lo)
    recur_frame_draw_part (frame, cr, text, frame->x.lo, MIN (val, test), NULL, 0.0,
                           _("train"), style);
  if (isfinite (plot->val_start_x))
    recur_frame_draw_part (frame, cr, text, val, MAX (val, test), &style->validation, 0.14,
                           _("validation"), style);
  if (isfinite (plot->test_start_x))
    recur_frame_draw_part (frame, cr, text, test, end, &style->test, 0.12, _("test"), style);
  if (plot->n_future > 0 && end < frame->x.hi)
    recur_frame_draw_part (frame, cr, text, end, frame->x.hi, &style->forecast, 0.08,
                           _("forecast"), style);
}

/* The forecast, joined to the last observed value so that it reads as its continuation */
static void
draw_forecast (const RecurPredictionPlot *plot,
               const PredictionLayout    *layout,
               cairo_t                   *cr,
               const RecurPlotStyle      *style)
{
  g_autofree double *x = NULL, *y = NULL;
  RecurLineData line = { 0 };
  guint k = 0;

  if (plot->future_x == NULL || plot->future == NULL || plot->n_future == 0)
    return;
  x = g_new (double, plot->n_future + 1);
  y = g_new (double, plot->n_future + 1);
  if (plot->n > 0 && plot->x != NULL && plot->actual != NULL
      && isfinite (plot->actual[plot->n - 1]))
    {
      x[k] = plot->x[plot->n - 1];
      y[k++] = plot->actual[plot->n - 1];
    }
  for (guint i = 0; i < plot->n_future; i++, k++)
    x[k] = plot->future_x[i], y[k] = plot->future[i];
  line = (RecurLineData) { x, 0.0, y, k };
  recur_frame_draw_line (&layout->frame, cr, &line, &style->forecast, 1.5, FALSE);
}

/* One readout line per series with a value at i; sources remembers which series it was */
static void
add_value_line (RecurReadoutLine  *lines,
                const double     **sources,
                guint             *n_lines,
                const char        *name,
                const double      *values,
                guint              i,
                const RecurRgba   *colour)
{
  char value[32];

  if (values == NULL || !isfinite (values[i]))
    return;
  recur_plot_format_value (values[i], value, sizeof value);
  g_snprintf (lines[*n_lines].text, sizeof lines[*n_lines].text, "%s %s", name, value);
  lines[*n_lines].swatch = colour;
  sources[(*n_lines)++] = values;
}

static void
draw_hover (const RecurPredictionPlot *plot,
            const PredictionLayout    *layout,
            cairo_t                   *cr,
            RecurPlotText             *text,
            const RecurPlotStyle      *style)
{
  RecurReadoutLine lines[RECUR_READOUT_MAX_LINES] = { { "", NULL } };
  const double *sources[RECUR_READOUT_MAX_LINES] = { NULL };
  guint i = (guint) plot->hover, n_lines = 1;
  gboolean future = i >= plot->n;
  const double *xs = future ? plot->future_x : plot->x;
  guint j = future ? i - plot->n : i;

  if (plot->hover < 0 || xs == NULL || j >= (future ? plot->n_future : plot->n)
      || !isfinite (xs[j]))
    return;
  if (plot->x_is_time)
    recur_plot_format_date (xs[j], plot->x_has_time_of_day, lines[0].text, sizeof lines[0].text);
  else
    recur_plot_format_value (xs[j], lines[0].text, sizeof lines[0].text);
  if (future)
    add_value_line (lines, sources, &n_lines, _("forecast"), plot->future, j, &style->forecast);
  else
    {
      add_value_line (lines, sources, &n_lines, _("actual"), plot->actual, j, &style->actual);
      add_value_line (lines, sources, &n_lines, _("predicted"), plot->predicted, j,
                      &style->predicted);
      add_value_line (lines, sources, &n_lines, _("naive"), plot->naive, j, &style->baseline);
    }
  recur_frame_draw_readout (&layout->frame, cr, text, style, xs[j], lines, n_lines);
  for (guint k = 1; k < n_lines; k++)
    recur_frame_draw_dot (&layout->frame, cr, xs[j], sources[k][j], 3.5, lines[k].swatch);
}

static void
draw_predictions (const RecurPredictionPlot *plot,
                  const PredictionLayout    *layout,
                  cairo_t                   *cr,
                  RecurPlotText             *text,
                  const RecurPlotStyle      *style)
{
  const RecurFrame *frame = &layout->frame;
  RecurLineData lines[3] = {
    { plot->x, 0.0, plot->naive, plot->n },
    { plot->x, 0.0, plot->actual, plot->n },
    { plot->x, 0.0, plot->predicted, plot->n },
  };

  recur_frame_draw_axes (frame, &layout->spec, cr, text, style);
  if (!layout->has_values || (plot->x == NULL && plot->n > 0))
    {
      recur_frame_draw_message (frame, cr, text, style,
                                plot->n == 0 ? _("No data yet") : _("No values to show"));
      return;
    }
  draw_parts (plot, layout, cr, text, style);
  cairo_save (cr);
  recur_frame_clip (frame, cr);
  recur_frame_draw_line (frame, cr, &lines[0], &style->baseline, 1.2, TRUE);
  recur_frame_draw_line (frame, cr, &lines[1], &style->actual, 1.5, FALSE);
  recur_frame_draw_line (frame, cr, &lines[2], &style->predicted, 1.5, FALSE);
  draw_forecast (plot, layout, cr, style);
  cairo_restore (cr);
  recur_frame_draw_legend (frame, &layout->spec, cr, text, style, lines, 3);
  draw_hover (plot, layout, cr, text, style);
}

void
recur_plot_predictions (cairo_t                   *cr,
                        double                     width,
                        double                     height,
                        const RecurPredictionPlot *plot,
                        const RecurPlotStyle      *style)
{
  RecurPlotStyle fallback;
  RecurPlotText measure, text;
  PredictionLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  style = recur_plot_style_or_default (style, &fallback);
  recur_plot_text_init_measure (&measure, style);
  prediction_layout (plot, style, &measure, width, height, &layout);
  recur_plot_text_clear (&measure);

  cairo_save (cr);
  recur_plot_text_init_draw (&text, cr, style);
  draw_predictions (plot, &layout, cr, &text, style);
  recur_plot_text_clear (&text);
  cairo_restore (cr);
}

static void
prediction_layout_for_style (const RecurPredictionPlot *plot,
                             const RecurPlotStyle      *style,
                             double                     width,
                             double                     height,
                             PredictionLayout          *layout)
{
  RecurPlotStyle fallback;
  RecurPlotText measure;

  style = recur_plot_style_or_default (style, &fallback);
  recur_plot_text_init_measure (&measure, style);
  prediction_layout (plot, style, &measure, width, height, layout);
  recur_plot_text_clear (&measure);
}

RecurPlotArea
recur_plot_predictions_area_for_style (const RecurPredictionPlot *plot,
                                       const RecurPlotStyle      *style,
                                       double                     width,
                                       double                     height)
{
  PredictionLayout layout;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  prediction_layout_for_style (plot, style, width, height, &layout);
  return layout.frame.area;
}

RecurPlotArea
recur_plot_predictions_area (const RecurPredictionPlot *plot,
                             double                     width,
                             double                     height)
{
  return recur_plot_predictions_area_for_style (plot, NULL, width, height);
}

static void
nearest (const double *xs,
         guint         n,
         double        value,
         guint         offset,
         double       *best,
         int          *hit)
{
  for (guint i = 0; xs != NULL && i < n; i++)
    if (isfinite (xs[i]) && fabs (xs[i] - value) < *best)
      {
        *best = fabs (xs[i] - value);
        *hit = (int) (offset + i);
      }
}

int
recur_plot_predictions_hit_for_style (const RecurPredictionPlot *plot,
                                      const RecurPlotStyle      *style,
                                      double                     width,
                                      double                     height,
                                      double                     x)
{
  PredictionLayout layout;
  const RecurPlotArea *a;
  double value, best = INFINITY;
  int hit = -1;

  g_return_val_if_fail (plot != NULL, -1);

  prediction_layout_for_style (plot, style, width, height, &layout);
  a = &layout.frame.area;
  if (x < a->x || x > a->x + a->width)
    return -1;
  value = recur_axis_unmap (&layout.frame.x, x);
  nearest (plot->x, plot->n, value, 0, &best, &hit);
  nearest (plot->future_x, plot->n_future, value, plot->n, &best, &hit);
  return hit;
}

int
recur_plot_predictions_hit (const RecurPredictionPlot *plot,
                            double                     width,
                            double                     height,
                            double                     x)
{
  return recur_plot_predictions_hit_for_style (plot, NULL, width, height, x);
}
