/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "recur-plot-private.h"

#define READOUT_NAME_CHARS 24

typedef struct
{
  RecurFrame     frame;
  RecurFrameSpec spec;
  gboolean       has_values;
  double         end_x;        /* the last observed x: forecasts start after it */
  int            longest;      /* the run whose future_x `hover` counts in, or -1 */
  char           names[RECUR_FRAME_MAX_LEGEND][16];
  char           more[32];
} OverlayLayout;

static guint
n_runs_of (const RecurPredictionsOverlayPlot *plot)
{
  return plot->runs != NULL ? plot->n_runs : 0;
}

static guint
n_future_of (const RecurPredictionRun *run)
{
  return run->future_x != NULL && run->future != NULL ? run->n_future : 0;
}

/* The first run with the most forecast points */
static int
longest_forecast (const RecurPredictionsOverlayPlot *plot)
{
  int longest = -1;

  for (guint r = 0; r < n_runs_of (plot); r++)
    if (n_future_of (&plot->runs[r]) > 0
        && (longest < 0 || n_future_of (&plot->runs[r]) > n_future_of (&plot->runs[longest])))
      longest = (int) r;
  return longest;
}

static void
overlay_ranges (const RecurPredictionsOverlayPlot *plot,
                OverlayLayout                     *out)
{
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  gboolean has_x = recur_plot_range (plot->x, plot->n, FALSE, &x_min, &x_max);

  out->end_x = x_max;
  out->has_values = recur_plot_range (plot->actual, plot->x != NULL ? plot->n : 0, FALSE,
                                      &y_min, &y_max);
  for (guint r = 0; r < n_runs_of (plot); r++)
    {
      const RecurPredictionRun *run = &plot->runs[r];
      guint n = run->x != NULL ? run->n : 0, n_future = n_future_of (run);

      if (recur_plot_range (run->predicted, n, FALSE, &y_min, &y_max))
        {
          has_x |= recur_plot_range (run->x, n, FALSE, &x_min, &x_max);
          out->has_values = TRUE;
        }
      if (recur_plot_range (run->future, n_future, FALSE, &y_min, &y_max))
        {
          has_x |= recur_plot_range (run->future_x, n_future, FALSE, &x_min, &x_max);
          out->has_values = TRUE;
        }
    }
  out->spec.no_x_ticks = !has_x;
  out->spec.no_y_ticks = !out->has_values;
  out->frame.x.integer = !plot->x_is_time && x_min == floor (x_min) && x_max == floor (x_max);
  recur_axis_set_range (&out->frame.x, x_min, x_max, FALSE);
  recur_axis_set_range (&out->frame.y, y_min, y_max, TRUE);
}

static void
add_legend (const RecurPredictionsOverlayPlot *plot,
            const RecurPlotStyle              *style,
            OverlayLayout                     *out)
{
  RecurFrameSpec *spec = &out->spec;
  guint n_runs = n_runs_of (plot), room = RECUR_FRAME_MAX_LEGEND - 1;
  guint shown = n_runs <= room ? n_runs : room - 1;

  if (plot->actual != NULL && plot->n > 0)
    spec->legend[spec->n_legend++] = (RecurLegendItem) { _("actual"), &style->foreground,
                                                         RECUR_MARK_LINE };
  for (guint r = 0; r < shown; r++)
    spec->legend[spec->n_legend++] = (RecurLegendItem) {
      recur_plot_run_name (plot->runs[r].name, r, out->names[r], sizeof out->names[r]),
      recur_plot_run_colour (style, plot->runs[r].colour, r), RECUR_MARK_LINE };
  if (shown < n_runs)
    {
      g_snprintf (out->more, sizeof out->more, _("+%u more"), n_runs - shown);
      spec->legend[spec->n_legend++] = (RecurLegendItem) { out->more, &style->muted,
                                                           RECUR_MARK_NONE };
    }
}

static void
overlay_layout (const RecurPredictionsOverlayPlot *plot,
                const RecurPlotStyle              *style,
                RecurPlotText                     *text,
                double                             width,
                double                             height,
                OverlayLayout                     *out)
{
  *out = (OverlayLayout) { 0 };
  out->frame.x.kind = plot->x_is_time ? RECUR_AXIS_TIME : RECUR_AXIS_LINEAR;
  out->frame.x.time_of_day = plot->x_has_time_of_day;
  out->frame.y.kind = RECUR_AXIS_LINEAR;
  out->longest = longest_forecast (plot);
  overlay_ranges (plot, out);
  if (out->has_values)
    add_legend (plot, style, out);
  out->spec.title = plot->title;
  out->spec.parts_row = n_runs_of (plot) > 0
                        && (isfinite (plot->runs[0].val_start_x)
                            || isfinite (plot->runs[0].test_start_x) || out->longest >= 0);
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
}

/* The first run's parts, and the forecast after the last observation */
static void
draw_parts (const RecurPredictionsOverlayPlot *plot,
            const OverlayLayout               *layout,
            cairo_t                           *cr,
            RecurPlotText                     *text,
            const RecurPlotStyle              *style)
{
  const RecurFrame *frame = &layout->frame;
  double end = isfinite (layout->end_x) ? layout->end_x : frame->x.hi;
  double val_start = n_runs_of (plot) > 0 ? plot->runs[0].val_start_x : NAN;
  double test_start = n_runs_of (plot) > 0 ? plot->runs[0].test_start_x : NAN;
  double val = isfinite (val_start) ? val_start : end;
  double test = isfinite (test_start) ? test_start : end;

  if (isfinite (val_start) || isfinite (test_start))
    recur_frame_draw_part (frame, cr, text, frame->x.lo, MIN (val, test), NULL, 0.0,
                           _("train"), style);
  if (isfinite (val_start))
    recur_frame_draw_part (frame, cr, text, val, MAX (val, test), &style->validation, 0.14,
                           _("validation"), style);
  if (isfinite (test_start))
    recur_frame_draw_part (frame, cr, text, test, end, &style->test, 0.12, _("test"), style);
  if (layout->longest >= 0 && end < frame->x.hi)
    recur_frame_draw_part (frame, cr, text, end, frame->x.hi, &style->forecast, 0.08,
                           _("forecast"), style);
}

/* A run's forecast, joined to the last observed value so that it reads as its continuation */
static void
draw_forecast (const RecurPredictionsOverlayPlot *plot,
               const RecurPredictionRun          *run,
               const OverlayLayout               *layout,
               cairo_t                           *cr,
               const RecurRgba                   *colour)
{
  guint n_future = n_future_of (run), k = 0;
  g_autofree double *x = NULL, *y = NULL;
  RecurLineData line;

  if (n_future == 0)
    return;
  x = g_new (double, n_future + 1);
  y = g_new (double, n_future + 1);
  if (plot->n > 0 && plot->x != NULL && plot->actual != NULL
      && isfinite (plot->actual[plot->n - 1]) && plot->x[plot->n - 1] < run->future_x[0])
    {
      x[k] = plot->x[plot->n - 1];
      y[k++] = plot->actual[plot->n - 1];
    }
  for (guint i = 0; i < n_future; i++, k++)
    x[k] = run->future_x[i], y[k] = run->future[i];
  line = (RecurLineData) { x, 0.0, y, k };
  recur_frame_draw_line (&layout->frame, cr, &line, colour, 1.5, FALSE);
}

/* values[k] where xs[k] is x (to rounding), or NAN */
static double
value_at (const double *xs,
          const double *values,
          guint         n,
          double        x)
{
  double tolerance = 1e-9 * MAX (1.0, fabs (x));

  for (guint k = 0; xs != NULL && values != NULL && k < n; k++)
    if (fabs (xs[k] - x) <= tolerance)
      return values[k];
  return NAN;
}

/* The x that `hover` (or a hit) counts: x[i], or the longest forecast's future_x[i − n] */
static gboolean
hover_x (const RecurPredictionsOverlayPlot *plot,
         const OverlayLayout               *layout,
         int                                index,
         double                            *x)
{
  guint i = (guint) index;

  if (index < 0)
    return FALSE;
  if (i < plot->n)
    *x = plot->x != NULL ? plot->x[i] : NAN;
  else if (layout->longest >= 0 && i - plot->n < n_future_of (&plot->runs[layout->longest]))
    *x = plot->runs[layout->longest].future_x[i - plot->n];
  else
    return FALSE;
  return isfinite (*x);
}

static void
add_line (RecurReadoutLine *lines,
          double           *values,
          guint            *n_lines,
          const char       *name,
          double            value,
          const RecurRgba  *colour)
{
  char name_cut[48], number[32];

  recur_plot_truncate_utf8 (name, READOUT_NAME_CHARS, name_cut, sizeof name_cut);
  recur_plot_format_value (value, number, sizeof number);
  g_snprintf (lines[*n_lines].text, sizeof lines[*n_lines].text, "%s %s", name_cut, number);
  lines[*n_lines].swatch = colour;
  values[(*n_lines)++] = value;
}

static void
draw_hover (const RecurPredictionsOverlayPlot *plot,
            const OverlayLayout               *layout,
            cairo_t                           *cr,
            RecurPlotText                     *text,
            const RecurPlotStyle              *style)
{
  RecurReadoutLine lines[RECUR_READOUT_MAX_LINES] = { { "", NULL } };
  double values[RECUR_READOUT_MAX_LINES] = { NAN }, x;
  guint n_lines = 1, hidden = 0;

  if (!hover_x (plot, layout, plot->hover, &x))
    return;
  if (plot->x_is_time)
    recur_plot_format_date (x, plot->x_has_time_of_day, lines[0].text, sizeof lines[0].text);
  else
    recur_plot_format_value (x, lines[0].text, sizeof lines[0].text);
  if (plot->actual != NULL)
    {
      double actual = value_at (plot->x, plot->actual, plot->n, x);

      if (isfinite (actual))
        add_line (lines, values, &n_lines, _("actual"), actual, &style->foreground);
    }
  for (guint r = 0; r < n_runs_of (plot); r++)
    {
      const RecurPredictionRun *run = &plot->runs[r];
      double v = value_at (run->x, run->predicted, run->n, x);
      char name[16];

      if (!isfinite (v))
        v = value_at (run->future_x, run->future, n_future_of (run), x);
      if (!isfinite (v))
        continue;
      if (n_lines == RECUR_READOUT_MAX_LINES - 1 && r + 1 < n_runs_of (plot))
        {
          hidden++;
          continue;
        }
      add_line (lines, values, &n_lines, recur_plot_run_name (run->name, r, name, sizeof name),
                v, recur_plot_run_colour (style, run->colour, r));
    }
  if (hidden > 0)
    g_snprintf (lines[n_lines++].text, sizeof lines[0].text, _("+%u more"), hidden);
  recur_frame_draw_readout (&layout->frame, cr, text, style, x, lines, n_lines);
  for (guint k = 1; k < n_lines; k++)
    if (lines[k].swatch != NULL)
      recur_frame_draw_dot (&layout->frame, cr, x, values[k], 3.5, lines[k].swatch);
}

static void
draw_overlay (const RecurPredictionsOverlayPlot *plot,
              const OverlayLayout               *layout,
              cairo_t                           *cr,
              RecurPlotText                     *text,
              const RecurPlotStyle              *style)
{
  const RecurFrame *frame = &layout->frame;
  guint n_runs = n_runs_of (plot);
  g_autofree RecurLineData *lines = g_new0 (RecurLineData, n_runs + 1);

  recur_frame_draw_axes (frame, &layout->spec, cr, text, style);
  if (!layout->has_values)
    {
      recur_frame_draw_message (frame, cr, text, style,
                                plot->n == 0 && n_runs == 0 ? _("No data yet")
                                                            : _("No values to show"));
      return;
    }
  lines[0] = (RecurLineData) { plot->x, 0.0, plot->x != NULL ? plot->actual : NULL, plot->n };
  for (guint r = 0; r < n_runs; r++)
    lines[r + 1] = (RecurLineData) { plot->runs[r].x, 0.0,
                                     plot->runs[r].x != NULL ? plot->runs[r].predicted : NULL,
                                     plot->runs[r].n };
  draw_parts (plot, layout, cr, text, style);
  cairo_save (cr);
  recur_frame_clip (frame, cr);
  recur_frame_draw_line (frame, cr, &lines[0], &style->foreground, 1.6, FALSE);
  for (guint r = 0; r < n_runs; r++)
    {
      const RecurRgba *colour = recur_plot_run_colour (style, plot->runs[r].colour, r);

      recur_frame_draw_line (frame, cr, &lines[r + 1], colour, 1.4, FALSE);
      draw_forecast (plot, &plot->runs[r], layout, cr, colour);
    }
  cairo_restore (cr);
  recur_frame_draw_legend (frame, &layout->spec, cr, text, style, lines, n_runs + 1);
  draw_hover (plot, layout, cr, text, style);
}

void
recur_plot_predictions_overlay (cairo_t                           *cr,
                                double                             width,
                                double                             height,
                                const RecurPredictionsOverlayPlot *plot,
                                const RecurPlotStyle              *style)
{
  RecurPlotStyle fallback;
  RecurPlotText measure, text;
  OverlayLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  style = recur_plot_style_or_default (style, &fallback);
  recur_plot_text_init_measure (&measure, style);
  overlay_layout (plot, style, &measure, width, height, &layout);
  recur_plot_text_clear (&measure);

  cairo_save (cr);
  recur_plot_text_init_draw (&text, cr, style);
  draw_overlay (plot, &layout, cr, &text, style);
  recur_plot_text_clear (&text);
  cairo_restore (cr);
}

static void
overlay_layout_for_style (const RecurPredictionsOverlayPlot *plot,
                          const RecurPlotStyle              *style,
                          double                             width,
                          double                             height,
                          OverlayLayout                     *layout)
{
  RecurPlotStyle fallback;
  RecurPlotText measure;

  style = recur_plot_style_or_default (style, &fallback);
  recur_plot_text_init_measure (&measure, style);
  overlay_layout (plot, style, &measure, width, height, layout);
  recur_plot_text_clear (&measure);
}

RecurPlotArea
recur_plot_predictions_overlay_area_for_style (const RecurPredictionsOverlayPlot *plot,
                                               const RecurPlotStyle              *style,
                                               double                             width,
                                               double                             height)
{
  OverlayLayout layout;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  overlay_layout_for_style (plot, style, width, height, &layout);
  return layout.frame.area;
}

RecurPlotArea
recur_plot_predictions_overlay_area (const RecurPredictionsOverlayPlot *plot,
                                     double                             width,
                                     double                             height)
{
  return recur_plot_predictions_overlay_area_for_style (plot, NULL, width, height);
}

int
recur_plot_predictions_overlay_hit_for_style (const RecurPredictionsOverlayPlot *plot,
                                              const RecurPlotStyle              *style,
                                              double                             width,
                                              double                             height,
                                              double                             x)
{
  OverlayLayout layout;
  const RecurPlotArea *a;
  double value, best = INFINITY;
  int hit = -1;

  g_return_val_if_fail (plot != NULL, -1);

  overlay_layout_for_style (plot, style, width, height, &layout);
  a = &layout.frame.area;
  if (x < a->x || x > a->x + a->width)
    return -1;
  value = recur_axis_unmap (&layout.frame.x, x);
  for (guint i = 0; plot->x != NULL && i < plot->n; i++)
    if (isfinite (plot->x[i]) && fabs (plot->x[i] - value) < best)
      best = fabs (plot->x[i] - value), hit = (int) i;
  if (layout.longest >= 0)
    {
      const RecurPredictionRun *run = &plot->runs[layout.longest];

      for (guint j = 0; j < n_future_of (run); j++)
        if (isfinite (run->future_x[j]) && fabs (run->future_x[j] - value) < best)
          best = fabs (run->future_x[j] - value), hit = (int) (plot->n + j);
    }
  return hit;
}

int
recur_plot_predictions_overlay_hit (const RecurPredictionsOverlayPlot *plot,
                                    double                             width,
                                    double                             height,
                                    double                             x)
{
  return recur_plot_predictions_overlay_hit_for_style (plot, NULL, width, height, x);
}
