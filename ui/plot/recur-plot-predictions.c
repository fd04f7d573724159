/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "recur-plot-private.h"

/* Characters of a run's name in a readout line */
#define READOUT_NAME_CHARS 24

/* One plot draws the observed series with the predictions and forecast of one run
 * (recur_plot_predictions) or of several (recur_plot_predictions_overlay). One run's lines are
 * told apart by colour (predicted, forecast, and the naive forecast dashed); several runs take
 * a colour each, and a legend of their names. The validation and test parts shaded are the
 * first run's. */
typedef struct
{
  guint                     n;         /* observed points */
  const double             *x;         /* [n] */
  const double             *actual;    /* [n] */
  const double             *naive;     /* [n] the single run's naive forecast; may be NULL */
  gboolean                  x_is_time;
  gboolean                  x_has_time_of_day;
  guint                     n_runs;
  const RecurPredictionRun *runs;      /* [n_runs] */
  gboolean                  single;    /* one run, in the colours of its lines */
  int                       hover;
  const char               *title;
  /* the single run's ensemble members (RecurPredictionPlot) */
  guint                     n_members;
  const double             *member_predicted;
  const double             *member_future;
  /* the single run's Theta forecast (RecurPredictionPlot) */
  const double             *theta_predicted;
  const double             *theta_future;
} PredictionInput;

typedef struct
{
  RecurFrame     frame;
  RecurFrameSpec spec;
  gboolean       has_values;
  double         end_x;        /* the last observed x: forecasts start after it */
  int            longest;      /* the run whose future_x `hover` counts in, or -1 */
  char           names[RECUR_FRAME_MAX_LEGEND][16];  /* "run k" for runs without a name */
  char           more[32];
  RecurRgba      member_colour; /* the predicted colour, faint */
} PredictionLayout;

static guint
n_future_of (const RecurPredictionRun *run)
{
  return run->future_x != NULL && run->future != NULL ? run->n_future : 0;
}

/* The first run with the most forecast points */
static int
longest_forecast (const PredictionInput *in)
{
  int longest = -1;

  for (guint r = 0; r < in->n_runs; r++)
    if (n_future_of (&in->runs[r]) > 0
        && (longest < 0 || n_future_of (&in->runs[r]) > n_future_of (&in->runs[longest])))
      longest = (int) r;
  return longest;
}

/* The observed series: the single run's in its own colour; under several runs in the
 * foreground colour, which no run takes */
static const RecurRgba *
actual_colour (const PredictionInput *in,
               const RecurPlotStyle  *style)
{
  return in->single ? &style->actual : &style->foreground;
}

/* A run's predictions or forecast: the single run's by what they are, several runs' by run */
static const RecurRgba *
run_colour (const PredictionInput *in,
            const RecurPlotStyle  *style,
            guint                  r,
            gboolean               forecast)
{
  if (in->single)
    return forecast ? &style->forecast : &style->predicted;
  return recur_plot_run_colour (style, in->runs[r].colour, r);
}

/* ---- layout ------------------------------------------------------------------------------- */

static gboolean
any_finite (const double *values,
            guint         n)
{
  double lo = INFINITY, hi = -INFINITY;

  return recur_plot_range (values, n, FALSE, &lo, &hi);
}

/* x spans the observations and what the runs predict; y every value drawn */
static void
prediction_ranges (const PredictionInput *in,
                   PredictionLayout      *out)
{
  double x_min = INFINITY, x_max = -INFINITY, y_min = INFINITY, y_max = -INFINITY;
  gboolean has_x = recur_plot_range (in->x, in->n, FALSE, &x_min, &x_max);
  guint n = in->x != NULL ? in->n : 0;

  out->end_x = x_max;
  out->has_values = recur_plot_range (in->actual, n, FALSE, &y_min, &y_max)
                    | recur_plot_range (in->naive, n, FALSE, &y_min, &y_max);
  for (guint r = 0; r < in->n_runs; r++)
    {
      const RecurPredictionRun *run = &in->runs[r];
      guint n_run = run->x != NULL ? run->n : 0, n_future = n_future_of (run);

      if (recur_plot_range (run->predicted, n_run, FALSE, &y_min, &y_max))
        {
          has_x |= recur_plot_range (run->x, n_run, FALSE, &x_min, &x_max);
          out->has_values = TRUE;
        }
      if (recur_plot_range (run->future, n_future, FALSE, &y_min, &y_max))
        {
          has_x |= recur_plot_range (run->future_x, n_future, FALSE, &x_min, &x_max);
          out->has_values = TRUE;
        }
    }
  /* the members' own lines fit in too: faint, but a member far off is worth seeing */
  for (guint k = 0; in->n_members > 1 && in->runs[0].x != NULL && k < in->n_members; k++)
    {
      const RecurPredictionRun *run = &in->runs[0];

      if (in->member_predicted)
        recur_plot_range (in->member_predicted + (gsize) k * run->n, run->n, FALSE, &y_min,
                          &y_max);
      if (in->member_future)
        recur_plot_range (in->member_future + (gsize) k * n_future_of (run), n_future_of (run),
                          FALSE, &y_min, &y_max);
    }
  if (in->n_runs > 0 && in->runs[0].x != NULL)
    {
      recur_plot_range (in->theta_predicted, in->runs[0].n, FALSE, &y_min, &y_max);
      recur_plot_range (in->theta_future, n_future_of (&in->runs[0]), FALSE, &y_min, &y_max);
    }
  out->spec.no_x_ticks = !has_x;
  out->spec.no_y_ticks = !out->has_values;
  out->frame.x.integer = !in->x_is_time && x_min == floor (x_min) && x_max == floor (x_max);
  recur_axis_set_range (&out->frame.x, x_min, x_max, FALSE);
  recur_axis_set_range (&out->frame.y, y_min, y_max, TRUE);
}

/* The single run's legend: what its lines are, those it draws */
static void
add_line_legend (const PredictionInput *in,
                 const RecurPlotStyle  *style,
                 PredictionLayout      *out)
{
  const RecurPredictionRun *run = &in->runs[0];
  guint n = in->x != NULL ? in->n : 0, n_run = run->x != NULL ? run->n : 0;

  if (any_finite (in->actual, n))
    recur_frame_add_legend (&out->spec, _("actual"), &style->actual, RECUR_MARK_LINE);
  if (any_finite (run->predicted, n_run))
    recur_frame_add_legend (&out->spec, _("predicted"), &style->predicted, RECUR_MARK_LINE);
  if (any_finite (in->naive, n))
    recur_frame_add_legend (&out->spec, _("naive"), &style->baseline, RECUR_MARK_DASHED);
  if (any_finite (run->future, n_future_of (run)))
    recur_frame_add_legend (&out->spec, _("forecast"), &style->forecast, RECUR_MARK_LINE);
  if (any_finite (in->theta_predicted, n_run) || any_finite (in->theta_future, n_future_of (run)))
    /* Translators: the legend of the dashed line of the Theta method's forecast (a method's
     * name), which the model's forecast is averaged with */
    recur_frame_add_legend (&out->spec, _("Theta"), &style->theta, RECUR_MARK_DASHED);
  if (in->n_members > 1)
    {
      out->member_colour = style->predicted;
      out->member_colour.a *= RECUR_PLOT_MEMBER_ALPHA;
      /* Translators: the legend of the faint lines behind an ensemble's forecast (the median
       * of theirs) */
      recur_frame_add_legend (&out->spec, _("members"), &out->member_colour, RECUR_MARK_LINE);
    }
}

/* Several runs' legend: the observed series, then the runs' names; runs beyond its room are
 * counted in a last "+k more" */
static void
add_run_legend (const PredictionInput *in,
                const RecurPlotStyle  *style,
                PredictionLayout      *out)
{
  RecurFrameSpec *spec = &out->spec;
  guint room = RECUR_FRAME_MAX_LEGEND - 1;
  guint shown = in->n_runs <= room ? in->n_runs : room - 1;

  if (in->actual != NULL && in->n > 0)
    recur_frame_add_legend (spec, _("actual"), actual_colour (in, style), RECUR_MARK_LINE);
  for (guint r = 0; r < shown; r++)
    recur_frame_add_legend (spec, recur_plot_run_name (in->runs[r].name, r, out->names[r],
                                                       sizeof out->names[r]),
                            run_colour (in, style, r, FALSE), RECUR_MARK_LINE);
  if (shown < in->n_runs)
    {
      g_snprintf (out->more, sizeof out->more, _("+%u more"), in->n_runs - shown);
      recur_frame_add_legend (spec, out->more, &style->muted, RECUR_MARK_NONE);
    }
}

static void
prediction_layout (gconstpointer         data,
                   const RecurPlotStyle *style,
                   RecurPlotText        *text,
                   double                width,
                   double                height,
                   gpointer              layout)
{
  const PredictionInput *in = data;
  PredictionLayout *out = layout;

  *out = (PredictionLayout) { 0 };
  out->frame.x.kind = in->x_is_time ? RECUR_AXIS_TIME : RECUR_AXIS_LINEAR;
  out->frame.x.time_of_day = in->x_has_time_of_day;
  out->frame.y.kind = RECUR_AXIS_LINEAR;
  out->longest = longest_forecast (in);
  prediction_ranges (in, out);
  if (out->has_values && in->single)
    add_line_legend (in, style, out);
  else if (out->has_values)
    add_run_legend (in, style, out);
  out->spec.title = in->title;
  out->spec.parts_row = in->n_runs > 0
                        && (isfinite (in->runs[0].val_start_x)
                            || isfinite (in->runs[0].test_start_x) || out->longest >= 0);
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
}

/* ---- drawing ------------------------------------------------------------------------------ */

/* The first run's parts, and the forecast after the last observation */
static void
draw_parts (const PredictionInput  *in,
            const PredictionLayout *layout,
            cairo_t                *cr,
            RecurPlotText          *text,
            const RecurPlotStyle   *style)
{
  const RecurFrame *frame = &layout->frame;
  double end = isfinite (layout->end_x) ? layout->end_x : frame->x.hi;
  double val_start = in->n_runs > 0 ? in->runs[0].val_start_x : NAN;
  double test_start = in->n_runs > 0 ? in->runs[0].test_start_x : NAN;
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
draw_forecast_width (const PredictionInput    *in,
                     const RecurPredictionRun *run,
                     const PredictionLayout   *layout,
                     cairo_t                  *cr,
                     const RecurRgba          *colour,
                     double                    width,
                     gboolean                  dashed)
{
  guint n_future = n_future_of (run), k = 0;
  g_autofree double *x = NULL, *y = NULL;
  RecurLineData line;

  if (n_future == 0)
    return;
  x = g_new (double, n_future + 1);
  y = g_new (double, n_future + 1);
  if (in->n > 0 && in->x != NULL && in->actual != NULL
      && isfinite (in->actual[in->n - 1]) && in->x[in->n - 1] < run->future_x[0])
    {
      x[k] = in->x[in->n - 1];
      y[k++] = in->actual[in->n - 1];
    }
  for (guint i = 0; i < n_future; i++, k++)
    x[k] = run->future_x[i], y[k] = run->future[i];
  line = (RecurLineData) { x, 0.0, y, k };
  recur_frame_draw_line (&layout->frame, cr, &line, colour, width, dashed);
}

static void
draw_forecast (const PredictionInput    *in,
               const RecurPredictionRun *run,
               const PredictionLayout   *layout,
               cairo_t                  *cr,
               const RecurRgba          *colour)
{
  draw_forecast_width (in, run, layout, cr, colour, 1.5, FALSE);
}

/* Another forecast of the single run's test part and future (a member's, Theta's), drawn
 * beside its own: either may be NULL */
static void
draw_other_forecast (const PredictionInput  *in,
                     const PredictionLayout *layout,
                     cairo_t                *cr,
                     const double           *predicted,
                     const double           *future,
                     const RecurRgba        *predicted_colour,
                     const RecurRgba        *future_colour,
                     double                  width,
                     gboolean                dashed)
{
  const RecurPredictionRun *run = &in->runs[0];

  if (run->x == NULL)
    return;
  if (predicted)
    {
      RecurLineData line = { run->x, 0.0, predicted, run->n };
      recur_frame_draw_line (&layout->frame, cr, &line, predicted_colour, width, dashed);
    }
  if (future && n_future_of (run) > 0)
    {
      RecurPredictionRun other = *run;

      other.future = future;
      draw_forecast_width (in, &other, layout, cr, future_colour, width, dashed);
    }
}

/* An ensemble's members, thin and faint under the median: their spread at a glance */
static void
draw_members (const PredictionInput  *in,
              const PredictionLayout *layout,
              cairo_t                *cr,
              const RecurPlotStyle   *style)
{
  const RecurPredictionRun *run = &in->runs[0];
  RecurRgba predicted = style->predicted, forecast = style->forecast;

  if (in->n_members < 2)
    return;
  predicted.a *= RECUR_PLOT_MEMBER_ALPHA;
  forecast.a *= RECUR_PLOT_MEMBER_ALPHA;
  for (guint k = 0; k < in->n_members; k++)
    draw_other_forecast (in, layout, cr,
                         in->member_predicted ? in->member_predicted + (gsize) k * run->n : NULL,
                         in->member_future ? in->member_future + (gsize) k * run->n_future : NULL,
                         &predicted, &forecast, 1.0, FALSE);
}

/* The Theta method's forecasts of the test part and of the future, dashed, which the run's
 * (the solid lines) are the average of with the networks' */
static void
draw_theta (const PredictionInput  *in,
            const PredictionLayout *layout,
            cairo_t                *cr,
            const RecurPlotStyle   *style)
{
  draw_other_forecast (in, layout, cr, in->theta_predicted, in->theta_future, &style->theta,
                       &style->theta, 1.2, TRUE);
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
hover_x (const PredictionInput  *in,
         const PredictionLayout *layout,
         int                     index,
         double                 *x)
{
  guint i = (guint) index;

  if (index < 0)
    return FALSE;
  if (i < in->n)
    *x = in->x != NULL ? in->x[i] : NAN;
  else if (layout->longest >= 0 && i - in->n < n_future_of (&in->runs[layout->longest]))
    *x = in->runs[layout->longest].future_x[i - in->n];
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

/* A line of the readout for each series with a value at the hovered x, then a dot on each */
static void
draw_hover (const PredictionInput  *in,
            const PredictionLayout *layout,
            cairo_t                *cr,
            RecurPlotText          *text,
            const RecurPlotStyle   *style)
{
  RecurReadoutLine lines[RECUR_READOUT_MAX_LINES] = { { "", NULL } };
  double values[RECUR_READOUT_MAX_LINES] = { NAN }, x, naive;
  guint n_lines = 1, hidden = 0;

  if (!hover_x (in, layout, in->hover, &x))
    return;
  if (in->x_is_time)
    recur_plot_format_date (x, in->x_has_time_of_day, lines[0].text, sizeof lines[0].text);
  else
    recur_plot_format_value (x, lines[0].text, sizeof lines[0].text);
  if (in->actual != NULL)
    {
      double actual = value_at (in->x, in->actual, in->n, x);

      if (isfinite (actual))
        add_line (lines, values, &n_lines, _("actual"), actual, actual_colour (in, style));
    }
  for (guint r = 0; r < in->n_runs; r++)
    {
      const RecurPredictionRun *run = &in->runs[r];
      double v = value_at (run->x, run->predicted, run->n, x);
      gboolean forecast = !isfinite (v);
      char name[16];

      if (forecast)
        v = value_at (run->future_x, run->future, n_future_of (run), x);
      if (!isfinite (v))
        continue;
      if (n_lines == RECUR_READOUT_MAX_LINES - 1 && r + 1 < in->n_runs)
        {
          hidden++;
          continue;
        }
      add_line (lines, values, &n_lines,
                !in->single ? recur_plot_run_name (run->name, r, name, sizeof name)
                : forecast ? _("forecast") : _("predicted"),
                v, run_colour (in, style, r, forecast));
    }
  if (hidden > 0)
    g_snprintf (lines[n_lines++].text, sizeof lines[0].text, _("+%u more"), hidden);
  if (in->n_runs > 0)
    {
      const RecurPredictionRun *run = &in->runs[0];
      double theta = value_at (run->x, in->theta_predicted, run->n, x);

      if (!isfinite (theta))
        theta = value_at (run->future_x, in->theta_future, n_future_of (run), x);
      if (isfinite (theta) && n_lines < RECUR_READOUT_MAX_LINES - 1)
        add_line (lines, values, &n_lines, _("Theta"), theta, &style->theta);
    }
  naive = value_at (in->x, in->naive, in->n, x);
  if (isfinite (naive))
    add_line (lines, values, &n_lines, _("naive"), naive, &style->baseline);
  recur_frame_draw_readout (&layout->frame, cr, text, style, x, lines, n_lines);
  for (guint k = 1; k < n_lines; k++)
    if (lines[k].swatch != NULL)
      recur_frame_draw_dot (&layout->frame, cr, x, values[k], 3.5, lines[k].swatch);
}

static void
draw_predictions (gconstpointer         data,
                  gconstpointer         laid_out,
                  cairo_t              *cr,
                  RecurPlotText        *text,
                  const RecurPlotStyle *style)
{
  const PredictionInput *in = data;
  const PredictionLayout *layout = laid_out;
  const RecurFrame *frame = &layout->frame;
  guint n_lines = in->n_runs + 2;
  g_autofree RecurLineData *lines = g_new0 (RecurLineData, n_lines);

  recur_frame_draw_axes (frame, &layout->spec, cr, text, style);
  if (!layout->has_values)
    {
      recur_frame_draw_message (frame, cr, text, style,
                                in->n == 0 ? _("No data yet") : _("No values to show"));
      return;
    }
  /* the observed series, the runs' predictions, the naive forecast: none without its x */
  lines[0] = (RecurLineData) { in->x, 0.0, in->x != NULL ? in->actual : NULL, in->n };
  for (guint r = 0; r < in->n_runs; r++)
    lines[r + 1] = (RecurLineData) { in->runs[r].x, 0.0,
                                     in->runs[r].x != NULL ? in->runs[r].predicted : NULL,
                                     in->runs[r].n };
  lines[n_lines - 1] = (RecurLineData) { in->x, 0.0, in->x != NULL ? in->naive : NULL, in->n };
  draw_parts (in, layout, cr, text, style);
  cairo_save (cr);
  recur_frame_clip (frame, cr);
  recur_frame_draw_line (frame, cr, &lines[n_lines - 1], &style->baseline, 1.2, TRUE);
  draw_members (in, layout, cr, style);
  if (in->single)
    draw_theta (in, layout, cr, style);
  /* under several runs the observed series is a little heavier than theirs */
  recur_frame_draw_line (frame, cr, &lines[0], actual_colour (in, style), in->single ? 1.5 : 1.6,
                         FALSE);
  for (guint r = 0; r < in->n_runs; r++)
    {
      recur_frame_draw_line (frame, cr, &lines[r + 1], run_colour (in, style, r, FALSE),
                             in->single ? 1.5 : 1.4, FALSE);
      draw_forecast (in, &in->runs[r], layout, cr, run_colour (in, style, r, TRUE));
    }
  cairo_restore (cr);
  recur_frame_draw_legend (frame, &layout->spec, cr, text, style, lines, n_lines);
  draw_hover (in, layout, cr, text, style);
}

static RecurPlotArea
prediction_area (const PredictionInput *in,
                 const RecurPlotStyle  *style,
                 double                 width,
                 double                 height)
{
  PredictionLayout layout;

  recur_plot_measure_layout (prediction_layout, in, style, width, height, &layout);
  return layout.frame.area;
}

/* The nearest point under widget x, as `hover` counts; -1 outside the area */
static int
prediction_hit (const PredictionInput *in,
                const RecurPlotStyle  *style,
                double                 width,
                double                 height,
                double                 x)
{
  PredictionLayout layout;
  const RecurPlotArea *a;
  double value, best = INFINITY;
  int hit = -1;

  recur_plot_measure_layout (prediction_layout, in, style, width, height, &layout);
  a = &layout.frame.area;
  if (x < a->x || x > a->x + a->width)
    return -1;
  value = recur_axis_unmap (&layout.frame.x, x);
  for (guint i = 0; in->x != NULL && i < in->n; i++)
    if (isfinite (in->x[i]) && fabs (in->x[i] - value) < best)
      best = fabs (in->x[i] - value), hit = (int) i;
  if (layout.longest >= 0)
    {
      const RecurPredictionRun *run = &in->runs[layout.longest];

      for (guint j = 0; j < n_future_of (run); j++)
        if (isfinite (run->future_x[j]) && fabs (run->future_x[j] - value) < best)
          best = fabs (run->future_x[j] - value), hit = (int) (in->n + j);
    }
  return hit;
}

/* ---- one run ------------------------------------------------------------------------------ */

static PredictionInput
single_run (const RecurPredictionPlot *plot,
            RecurPredictionRun        *run)
{
  *run = (RecurPredictionRun) {
    .n = plot->n, .x = plot->x, .predicted = plot->predicted, .n_future = plot->n_future,
    .future_x = plot->future_x, .future = plot->future, .val_start_x = plot->val_start_x,
    .test_start_x = plot->test_start_x,
  };
  return (PredictionInput) {
    .n = plot->n, .x = plot->x, .actual = plot->actual, .naive = plot->naive,
    .x_is_time = plot->x_is_time, .x_has_time_of_day = plot->x_has_time_of_day, .n_runs = 1,
    .runs = run, .single = TRUE, .hover = plot->hover, .n_members = plot->n_members,
    .member_predicted = plot->member_predicted, .member_future = plot->member_future,
    .theta_predicted = plot->theta_predicted, .theta_future = plot->theta_future,
  };
}

void
recur_plot_predictions (cairo_t                   *cr,
                        double                     width,
                        double                     height,
                        const RecurPredictionPlot *plot,
                        const RecurPlotStyle      *style)
{
  RecurPredictionRun run;
  PredictionInput in;
  PredictionLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  in = single_run (plot, &run);
  recur_plot_draw_layout (cr, width, height, &in, style, prediction_layout, draw_predictions,
                          &layout);
}

RecurPlotArea
recur_plot_predictions_area_for_style (const RecurPredictionPlot *plot,
                                       const RecurPlotStyle      *style,
                                       double                     width,
                                       double                     height)
{
  RecurPredictionRun run;
  PredictionInput in;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  in = single_run (plot, &run);
  return prediction_area (&in, style, width, height);
}

RecurPlotArea
recur_plot_predictions_area (const RecurPredictionPlot *plot,
                             double                     width,
                             double                     height)
{
  return recur_plot_predictions_area_for_style (plot, NULL, width, height);
}

int
recur_plot_predictions_hit_for_style (const RecurPredictionPlot *plot,
                                      const RecurPlotStyle      *style,
                                      double                     width,
                                      double                     height,
                                      double                     x)
{
  RecurPredictionRun run;
  PredictionInput in;

  g_return_val_if_fail (plot != NULL, -1);

  in = single_run (plot, &run);
  return prediction_hit (&in, style, width, height, x);
}

int
recur_plot_predictions_hit (const RecurPredictionPlot *plot,
                            double                     width,
                            double                     height,
                            double                     x)
{
  return recur_plot_predictions_hit_for_style (plot, NULL, width, height, x);
}

/* ---- several runs ------------------------------------------------------------------------- */

static PredictionInput
several_runs (const RecurPredictionsOverlayPlot *plot)
{
  return (PredictionInput) {
    .n = plot->n, .x = plot->x, .actual = plot->actual, .x_is_time = plot->x_is_time,
    .x_has_time_of_day = plot->x_has_time_of_day,
    .n_runs = plot->runs != NULL ? plot->n_runs : 0, .runs = plot->runs, .hover = plot->hover,
    .title = plot->title,
  };
}

void
recur_plot_predictions_overlay (cairo_t                           *cr,
                                double                             width,
                                double                             height,
                                const RecurPredictionsOverlayPlot *plot,
                                const RecurPlotStyle              *style)
{
  PredictionInput in;
  PredictionLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  in = several_runs (plot);
  recur_plot_draw_layout (cr, width, height, &in, style, prediction_layout, draw_predictions,
                          &layout);
}

RecurPlotArea
recur_plot_predictions_overlay_area_for_style (const RecurPredictionsOverlayPlot *plot,
                                               const RecurPlotStyle              *style,
                                               double                             width,
                                               double                             height)
{
  PredictionInput in;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  in = several_runs (plot);
  return prediction_area (&in, style, width, height);
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
  PredictionInput in;

  g_return_val_if_fail (plot != NULL, -1);

  in = several_runs (plot);
  return prediction_hit (&in, style, width, height, x);
}

int
recur_plot_predictions_overlay_hit (const RecurPredictionsOverlayPlot *plot,
                                    double                             width,
                                    double                             height,
                                    double                             x)
{
  return recur_plot_predictions_overlay_hit_for_style (plot, NULL, width, height, x);
}
