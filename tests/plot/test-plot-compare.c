/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "recur-plot.h"
#include "recur-plot-private.h"

#include "plot-test-util.h"
#include "../test-tmp.h"

/* Three colours for three runs that nothing else in a plot is drawn in */
static const RecurRgba run_colours[3] = {
  { 0.0, 0.8, 0.0, 1.0 },   /* green */
  { 0.0, 0.7, 0.9, 1.0 },   /* cyan */
  { 0.9, 0.5, 0.0, 1.0 },   /* orange */
};

static RecurPlotStyle
compare_style (void)
{
  RecurPlotStyle style = test_style ();

  for (guint i = 0; i < 3; i++)
    style.categorical[i] = run_colours[i];
  style.actual = style.foreground;
  style.test = style.validation = style.background;  /* no shading to mix with */
  return style;
}

/* Is p colour c laid over background bg with a coverage of at least a half (an antialiased
 * edge of a thin line)? */
static gboolean
tinted (RecurRgba        p,
        const RecurRgba *c,
        const RecurRgba *bg)
{
  double dc[3] = { c->r - bg->r, c->g - bg->g, c->b - bg->b };
  double dp[3] = { p.r - bg->r, p.g - bg->g, p.b - bg->b };
  double alpha, norm = dc[0] * dc[0] + dc[1] * dc[1] + dc[2] * dc[2];

  if (norm < 1e-6)
    return FALSE;
  alpha = (dp[0] * dc[0] + dp[1] * dc[1] + dp[2] * dc[2]) / norm;
  if (alpha < 0.5 || alpha > 1.05)
    return FALSE;
  for (int i = 0; i < 3; i++)
    if (fabs (dp[i] - alpha * dc[i]) > 0.06)
      return FALSE;
  return TRUE;
}

static guint
count_tinted (cairo_surface_t *surface,
              int              x0,
              int              y0,
              int              x1,
              int              y1,
              const RecurRgba *c,
              const RecurRgba *bg)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  guint count = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, h); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, w); x++)
      count += tinted (pixel_at (surface, x, y), c, bg);
  return count;
}

static const int sizes[][2] = { { 900, 400 }, { 200, 120 }, { 10, 10 }, { 1, 1 }, { 0, 0 } };

/* ------------------------------------------------------------------------------------------ */
/* Style                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static double
distance (const RecurRgba *a,
          const RecurRgba *b)
{
  return fabs (a->r - b->r) + fabs (a->g - b->g) + fabs (a->b - b->b);
}

static double
luminance (const RecurRgba *c)
{
  return 0.2126 * c->r + 0.7152 * c->g + 0.0722 * c->b;
}

static void
test_style_palettes (void)
{
  for (int dark = 0; dark <= 1; dark++)
    {
      RecurPlotStyle style;

      recur_plot_style_init (&style, dark);
      for (guint i = 0; i < RECUR_PLOT_N_CATEGORICAL; i++)
        {
          /* opaque, distinct from each other, and from the background and the observed line */
          g_assert_cmpfloat (style.categorical[i].a, ==, 1.0);
          g_assert_cmpfloat (distance (&style.categorical[i], &style.background), >, 0.6);
          g_assert_cmpfloat (distance (&style.categorical[i], &style.foreground), >, 0.4);
          for (guint k = 0; k < i; k++)
            g_assert_cmpfloat (distance (&style.categorical[i], &style.categorical[k]), >, 0.25);
        }
      /* the sequential map gets lighter from low to high */
      for (guint i = 1; i < RECUR_PLOT_N_SEQUENTIAL; i++)
        g_assert_cmpfloat (luminance (&style.sequential[i]), >,
                           luminance (&style.sequential[i - 1]));
    }
}

static void
test_style_truncate_utf8 (void)
{
  char buffer[16];

  recur_plot_truncate_utf8 ("short", 10, buffer, sizeof buffer);
  g_assert_cmpstr (buffer, ==, "short");
  recur_plot_truncate_utf8 ("abcdefghijkl", 6, buffer, sizeof buffer);
  g_assert_cmpstr (buffer, ==, "abcde\xe2\x80\xa6");
  /* whole characters only, within the buffer */
  recur_plot_truncate_utf8 ("温度温度温度温度温度", 20, buffer, sizeof buffer);
  g_assert_true (g_utf8_validate (buffer, -1, NULL));
  g_assert_cmpuint (strlen (buffer), <, sizeof buffer);
  g_assert_true (g_str_has_suffix (buffer, "\xe2\x80\xa6"));
  recur_plot_truncate_utf8 ("\xff\xfe", 4, buffer, sizeof buffer);
  g_assert_true (g_utf8_validate (buffer, -1, NULL));
}

/* ------------------------------------------------------------------------------------------ */
/* Loss overlay                                                                               */
/* ------------------------------------------------------------------------------------------ */

#define MAX_EPOCHS 40

typedef struct
{
  double               train[3][MAX_EPOCHS], val[3][MAX_EPOCHS];
  RecurLossRun         runs[3];
  RecurLossOverlayPlot plot;
} LossRuns;

/* Three runs of 30, 25 and 40 epochs at different levels, each with its best epoch */
static void
loss_runs_init (LossRuns *d)
{
  static const guint epochs[3] = { 30, 25, 40 }, best[3] = { 20, 12, 33 };
  static const char *names[3] = { "lstm", "gru", "elman" };

  for (guint r = 0; r < 3; r++)
    {
      for (guint i = 0; i < MAX_EPOCHS; i++)
        {
          double level = 0.02 * (r + 1);

          d->train[r][i] = level + exp (-(double) i / (5.0 + 3 * r));
          d->val[r][i] = 1.3 * level + 1.1 * exp (-(double) i / (5.0 + 3 * r))
                         + 0.004 * fabs ((double) i + 1 - best[r]);
        }
      d->runs[r] = (RecurLossRun) { names[r], 0, epochs[r], d->train[r], d->val[r], best[r] };
    }
  d->plot = (RecurLossOverlayPlot) { 3, d->runs, -1, NULL };
}

static void
test_loss_overlay_distinct_colours (void)
{
  RecurPlotStyle style = compare_style ();
  LossRuns d;
  RecurPlotArea a;
  Canvas c = canvas_new (900, 400);

  loss_runs_init (&d);
  recur_plot_loss_overlay (c.cr, 900, 400, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_loss_overlay_area (&d.plot, 900, 400);
  assert_area_inside (&a, 900, 400);
  for (guint r = 0; r < 3; r++)
    {
      /* each run's lines in the area, in its own colour */
      g_assert_cmpuint (count_colour (c.surface, a.x, a.y, a.x + a.width, a.y + a.height,
                                      &run_colours[r], 0.12), >, 200);
      /* and its swatch in the legend above the area, left of the area's right end */
      g_assert_cmpuint (count_tinted (c.surface, a.x, 0, a.x + a.width + 1, a.y - 1,
                                      &run_colours[r], &style.background), >, 10);
    }
  canvas_free (&c);

  /* a run's own colour slot wins over its position */
  d.runs[0].colour = 3;
  c = canvas_new (900, 400);
  recur_plot_loss_overlay (c.cr, 900, 400, &d.plot, &style);
  canvas_finish (&c);
  g_assert_cmpuint (count_colour (c.surface, 0, 0, 900, 400, &run_colours[0], 0.12), ==, 0);
  canvas_free (&c);
}

/* The x of the column with text (dark) pixels right of the swatch of colour c in the title row */
static void
test_loss_overlay_legend_names (void)
{
  RecurPlotStyle style = compare_style ();
  LossRuns d;
  RecurPlotArea a;
  Canvas c;
  const char *long_name = "lstm, 2 layers × 128 units, dropout 0.2, lr 3e-4, batch 64, "
                          "seed 12345, trained on the whole of the Melbourne series";

  loss_runs_init (&d);
  d.runs[0].name = long_name;
  c = canvas_new (900, 400);
  recur_plot_loss_overlay (c.cr, 900, 400, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_loss_overlay_area (&d.plot, 900, 400);
  for (guint r = 0; r < 3; r++)
    {
      int x0 = -1, x1 = -1, y0 = -1;

      /* the swatch: a short line in the run's colour above the area */
      for (int y = 0; y < a.y - 1; y++)
        for (int x = 0; x < 900; x++)
          if (tinted (pixel_at (c.surface, x, y), &run_colours[r], &style.background))
            {
              if (x0 < 0 || x < x0)
                x0 = x;
              x1 = MAX (x1, x);
              y0 = y;
            }
      g_assert_cmpint (x0, >=, 0);
      g_assert_cmpint (x1 - x0, >=, 8);
      /* and its name right after it, in the foreground colour */
      g_assert_cmpuint (count_colour (c.surface, x1 + 2, y0 - 8, x1 + 40, y0 + 8,
                                      &style.foreground, 0.25), >, 5);
    }
  /* the long name was cut short: the legend stayed in the title row, and left the title room */
  g_assert_cmpuint (count_tinted (c.surface, 0, 0, 900, a.y - 1, &run_colours[2],
                                  &style.background), >, 10);
  canvas_free (&c);
}

static double
epoch_px (const RecurPlotArea *a,
          guint                epoch,
          guint                epochs)
{
  double pad = 0.02 * (epochs - 1);

  return a->x + (epoch - 1 + pad) / (epochs - 1 + 2 * pad) * a->width;
}

static void
test_loss_overlay_best_dots (void)
{
  RecurPlotStyle style = compare_style ();
  LossRuns d;
  RecurPlotArea a;
  Canvas c = canvas_new (900, 400);
  RecurAxis y = { 0 };
  double lo = INFINITY, hi = -INFINITY;

  loss_runs_init (&d);
  recur_plot_loss_overlay (c.cr, 900, 400, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_loss_overlay_area (&d.plot, 900, 400);
  /* the y axis as the plot makes it: log, over every loss, 5% margins */
  for (guint r = 0; r < 3; r++)
    {
      recur_plot_range (d.train[r], d.runs[r].n, TRUE, &lo, &hi);
      recur_plot_range (d.val[r], d.runs[r].n, TRUE, &lo, &hi);
    }
  y.kind = RECUR_AXIS_LOG;
  recur_axis_set_range (&y, lo, hi, TRUE);
  y.p0 = a.y + a.height;
  y.p1 = a.y;
  for (guint r = 0; r < 3; r++)
    {
      guint best = d.runs[r].best_epoch;
      int px = (int) floor (epoch_px (&a, best, MAX_EPOCHS));
      int py = (int) floor (recur_axis_map (&y, d.val[r][best - 1]));

      /* a dot, not just a line: its colour all round the centre */
      g_assert_cmpuint (count_colour (c.surface, px - 3, py - 3, px + 4, py + 4, &run_colours[r],
                                      0.12), >=, 30);
    }
  /* no dot where a run has no best epoch */
  d.runs[1].best_epoch = 0;
  canvas_free (&c);
  c = canvas_new (900, 400);
  recur_plot_loss_overlay (c.cr, 900, 400, &d.plot, &style);
  canvas_finish (&c);
  {
    int px = (int) floor (epoch_px (&a, 12, MAX_EPOCHS));
    int py = (int) floor (recur_axis_map (&y, d.val[1][11]));

    g_assert_cmpuint (count_colour (c.surface, px - 3, py - 3, px + 4, py + 4, &run_colours[1],
                                    0.12), <, 30);
  }
  canvas_free (&c);
}

static void
test_loss_overlay_hit (void)
{
  LossRuns d;
  RecurPlotArea a;

  loss_runs_init (&d);
  a = recur_plot_loss_overlay_area (&d.plot, 700, 320);
  for (guint e = 1; e <= MAX_EPOCHS; e++)
    g_assert_cmpint (recur_plot_loss_overlay_hit (&d.plot, 700, 320,
                                                  epoch_px (&a, e, MAX_EPOCHS)), ==, e - 1);
  g_assert_cmpint (recur_plot_loss_overlay_hit (&d.plot, 700, 320, a.x - 1), ==, -1);
  g_assert_cmpint (recur_plot_loss_overlay_hit (&d.plot, 700, 320, a.x + a.width + 1), ==, -1);
  /* the longest run sets the axis: without it, epochs 1…30 span the area */
  d.plot.n_runs = 2;
  a = recur_plot_loss_overlay_area (&d.plot, 700, 320);
  g_assert_cmpint (recur_plot_loss_overlay_hit (&d.plot, 700, 320, a.x + a.width), ==, 29);
  {
    RecurPlotStyle big;

    recur_plot_style_init (&big, FALSE);
    big.font_size = 20;
    g_assert_cmpfloat (recur_plot_loss_overlay_area_for_style (&d.plot, &big, 700, 320).x, >,
                       a.x);
  }
  d.plot.n_runs = 0;
  g_assert_cmpint (recur_plot_loss_overlay_hit (&d.plot, 700, 320, a.x + 10), ==, -1);
}

static void
test_loss_overlay_hover (void)
{
  RecurPlotStyle style = compare_style ();
  LossRuns d;
  RecurPlotArea a;
  Canvas c = canvas_new (900, 400);
  int px;

  loss_runs_init (&d);
  d.plot.hover = 27;  /* past the end of run 1 */
  recur_plot_loss_overlay (c.cr, 900, 400, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_loss_overlay_area (&d.plot, 900, 400);
  px = (int) floor (epoch_px (&a, 28, MAX_EPOCHS));
  g_assert_cmpuint (count_colour (c.surface, px - 1, a.y, px + 2, a.y + a.height, &magenta, 0.1),
                    >, a.height / 2);
  canvas_free (&c);
}

static void
test_loss_overlay_degenerate (void)
{
  RecurPlotStyle style;
  double values[][3] = {
    { 1, 1, 1 }, { NAN, NAN, NAN }, { 0, -1, INFINITY }, { 1e300, 1e-300, 1 },
    { 1e-30, 1e-30, 1e-30 },
  };
  RecurLossRun runs[20];
  char names[20][32];

  recur_plot_style_init (&style, TRUE);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint k = 0; k < G_N_ELEMENTS (values); k++)
      for (guint n_runs = 0; n_runs <= 20; n_runs += (n_runs < 3 ? 1 : 17))
        for (int hover = -1; hover <= 3; hover += 2)
          {
            RecurLossOverlayPlot plot = { n_runs, runs, hover, k % 2 ? "a title" : NULL };
            Canvas c = canvas_new (sizes[s][0], sizes[s][1]);

            for (guint r = 0; r < n_runs; r++)
              {
                g_snprintf (names[r], sizeof names[r], "run number %u", r);
                runs[r] = (RecurLossRun) {
                  r == 1 ? NULL : names[r], r, (r + k) % 4, r % 3 == 2 ? NULL : values[k],
                  r % 2 ? values[(k + 1) % G_N_ELEMENTS (values)] : NULL, (r + k) % 5,
                };
              }
            recur_plot_loss_overlay (c.cr, sizes[s][0], sizes[s][1], &plot, &style);
            canvas_finish (&c);
            g_assert_cmpint (recur_plot_loss_overlay_hit (&plot, sizes[s][0], sizes[s][1], 5),
                             >=, -1);
            canvas_free (&c);
          }
  /* no runs array at all, and one run of one epoch */
  {
    RecurLossOverlayPlot plot = { 3, NULL, 0, NULL };
    double one = 0.5;
    RecurLossRun run = { "one", 0, 1, &one, &one, 1 };
    Canvas c = canvas_new (300, 200);

    recur_plot_loss_overlay (c.cr, 300, 200, &plot, NULL);
    plot = (RecurLossOverlayPlot) { 1, &run, 0, NULL };
    recur_plot_loss_overlay (c.cr, 300, 200, &plot, NULL);
    canvas_finish (&c);
    g_assert_cmpint (recur_plot_loss_overlay_hit (&plot, 300, 200, 150), ==, 0);
    canvas_free (&c);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Predictions overlay                                                                        */
/* ------------------------------------------------------------------------------------------ */

#define N_OBS    30
#define N_AHEAD  10

typedef struct
{
  double                      x[N_OBS], actual[N_OBS], predicted[3][N_OBS];
  double                      future_x[N_AHEAD], future[3][N_AHEAD];
  RecurPredictionRun          runs[3];
  RecurPredictionsOverlayPlot plot;
} PredictionRuns;

/* Observations at 0…29; run r predicts from 10 on, and forecasts 30…(39 − 2r) */
static void
prediction_runs_init (PredictionRuns *d)
{
  for (guint i = 0; i < N_OBS; i++)
    {
      d->x[i] = i;
      d->actual[i] = sin (i / 3.0);
      for (guint r = 0; r < 3; r++)
        d->predicted[r][i] = i < 10 ? NAN : sin (i / 3.0) + 0.3 * (r + 1);
    }
  for (guint i = 0; i < N_AHEAD; i++)
    {
      d->future_x[i] = N_OBS + i;
      for (guint r = 0; r < 3; r++)
        d->future[r][i] = sin ((N_OBS + i) / 3.0) - 0.3 * (r + 1);
    }
  for (guint r = 0; r < 3; r++)
    d->runs[r] = (RecurPredictionRun) {
      .name = r == 0 ? "lstm" : r == 1 ? "gru" : "elman", .n = N_OBS, .x = d->x,
      .predicted = d->predicted[r], .n_future = N_AHEAD - 2 * r, .future_x = d->future_x,
      .future = d->future[r], .val_start_x = 10 + r, .test_start_x = 20 + r,
    };
  d->plot = (RecurPredictionsOverlayPlot) {
    .n = N_OBS, .x = d->x, .actual = d->actual, .n_runs = 3, .runs = d->runs, .hover = -1,
  };
}

static double
pred_px (const RecurPlotArea *a,
         double               x)
{
  return a->x + x / (N_OBS + N_AHEAD - 1) * a->width;
}

static void
test_predictions_overlay_colours (void)
{
  RecurPlotStyle style = compare_style ();
  PredictionRuns d;
  RecurPlotArea a;
  Canvas c = canvas_new (900, 400);

  prediction_runs_init (&d);
  recur_plot_predictions_overlay (c.cr, 900, 400, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_predictions_overlay_area (&d.plot, 900, 400);
  assert_area_inside (&a, 900, 400);
  for (guint r = 0; r < 3; r++)
    {
      double start = pred_px (&a, 10), end = pred_px (&a, N_OBS - 1);

      /* nothing before the run's first prediction; its predictions, then its forecast */
      g_assert_cmpuint (count_colour (c.surface, a.x, a.y, start - 2, a.y + a.height,
                                      &run_colours[r], 0.12), ==, 0);
      g_assert_cmpuint (count_colour (c.surface, start, a.y, end, a.y + a.height,
                                      &run_colours[r], 0.12), >, 100);
      g_assert_cmpuint (count_colour (c.surface, end + 2, a.y, a.x + a.width, a.y + a.height,
                                      &run_colours[r], 0.12), >, 20);
      /* in the legend too */
      g_assert_cmpuint (count_tinted (c.surface, a.x, 0, a.x + a.width + 1, a.y - 1,
                                      &run_colours[r], &style.background), >, 10);
    }
  /* the shorter forecasts end earlier: nothing of run 2 in the last 4 steps */
  g_assert_cmpuint (count_colour (c.surface, pred_px (&a, N_OBS + N_AHEAD - 4) + 2, a.y,
                                  a.x + a.width, a.y + a.height, &run_colours[2], 0.12), ==, 0);
  canvas_free (&c);
}

static void
test_predictions_overlay_hit (void)
{
  PredictionRuns d;
  RecurPlotArea a;

  prediction_runs_init (&d);
  a = recur_plot_predictions_overlay_area (&d.plot, 640, 320);
  /* observations, then the longest forecast (run 0's, ten steps) */
  for (guint i = 0; i < N_OBS + N_AHEAD; i++)
    g_assert_cmpint (recur_plot_predictions_overlay_hit (&d.plot, 640, 320, pred_px (&a, i)), ==,
                     i);
  g_assert_cmpint (recur_plot_predictions_overlay_hit (&d.plot, 640, 320, a.x - 2), ==, -1);

  /* every hovered index draws, the forecasts' ones included */
  for (int hover = -1; hover <= N_OBS + N_AHEAD + 1; hover++)
    {
      RecurPlotStyle style = compare_style ();
      Canvas c = canvas_new (640, 320);

      d.plot.hover = hover;
      recur_plot_predictions_overlay (c.cr, 640, 320, &d.plot, &style);
      canvas_finish (&c);
      if (hover >= 0 && hover < N_OBS + N_AHEAD)
        {
          int px = (int) floor (pred_px (&a, hover));

          g_assert_cmpuint (count_colour (c.surface, px - 1, a.y, px + 2, a.y + a.height,
                                          &magenta, 0.1), >, a.height / 3);
        }
      canvas_free (&c);
    }
}

static void
test_predictions_overlay_degenerate (void)
{
  RecurPlotStyle style;

  recur_plot_style_init (&style, TRUE);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint k = 0; k < 7; k++)
      {
        PredictionRuns d;
        Canvas c = canvas_new (sizes[s][0], sizes[s][1]);

        prediction_runs_init (&d);
        d.plot.hover = k * 6;
        switch (k)
          {
          case 0:
            d.plot.n_runs = 0;
            break;
          case 1:
            d.plot.n = 0, d.plot.n_runs = 0;
            break;
          case 2:
            d.plot.runs = NULL;
            break;
          case 3:
            for (guint r = 0; r < 3; r++)
              d.runs[r].future = NULL, d.runs[r].x = NULL;
            d.plot.n = 1;
            break;
          case 4:
            d.actual[3] = INFINITY, d.predicted[0][12] = 1e300, d.future[1][2] = -1e300;
            d.plot.x_is_time = TRUE;
            break;
          case 5:
            for (guint i = 0; i < N_OBS; i++)
              d.actual[i] = d.predicted[0][i] = d.predicted[1][i] = d.predicted[2][i] = NAN;
            for (guint r = 0; r < 3; r++)
              d.runs[r].n_future = 0;
            break;
          default:
            d.plot.x = NULL;
            d.runs[0].val_start_x = d.runs[0].test_start_x = NAN;
            break;
          }
        recur_plot_predictions_overlay (c.cr, sizes[s][0], sizes[s][1], &d.plot, &style);
        canvas_finish (&c);
        g_assert_cmpint (recur_plot_predictions_overlay_hit (&d.plot, sizes[s][0], sizes[s][1],
                                                             3), >=, -1);
        canvas_free (&c);
      }
}

/* ------------------------------------------------------------------------------------------ */
/* Sweep                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static void
test_sweep_best (void)
{
  double results[6] = { 3.0, NAN, 1.5, 1.5, 4.0, -INFINITY };
  RecurSweepPlot plot = { .a = { .n = 5 }, .results = results, .hover = -1 };

  g_assert_cmpint (recur_plot_sweep_best (&plot), ==, 2);  /* the first of equals */
  plot.higher_is_better = TRUE;
  g_assert_cmpint (recur_plot_sweep_best (&plot), ==, 4);
  plot.a.n = 2;
  g_assert_cmpint (recur_plot_sweep_best (&plot), ==, 0);
  plot.a.n = 1;
  plot.results = results + 1;
  g_assert_cmpint (recur_plot_sweep_best (&plot), ==, -1);
  /* a grid: 3 × 2, and -inf is not a result */
  plot = (RecurSweepPlot) { .a = { .n = 3 }, .b = { .n = 2 }, .results = results, .hover = -1 };
  g_assert_cmpint (recur_plot_sweep_best (&plot), ==, 2);
  plot.results = NULL;
  g_assert_cmpint (recur_plot_sweep_best (&plot), ==, -1);
}

#define N_HIDDEN 6

static const double hidden_sizes[N_HIDDEN] = { 8, 16, 32, 64, 128, 256 };

static RecurSweepPlot
hidden_sweep (const double *results)
{
  return (RecurSweepPlot) {
    .metric = "test MASE", .a = { "hidden size", N_HIDDEN, hidden_sizes, NULL,
                                  RECUR_SWEEP_PLOT_SCALE_LOG },
    .results = results, .reference = NAN, .hover = -1,
  };
}

/* The x of the column with the most pixels of colour c inside the area */
static int
densest_column (cairo_surface_t     *surface,
                const RecurPlotArea *a,
                const RecurRgba     *c)
{
  guint best = 0;
  int best_x = -1;

  for (int x = a->x; x < a->x + a->width; x++)
    {
      guint n = count_colour (surface, x, a->y, x + 1, a->y + a->height, c, 0.1);

      if (n > best)
        best = n, best_x = x;
    }
  return best_x;
}

static void
test_sweep_line_best_marked (void)
{
  double results[N_HIDDEN] = { 3.1, 2.6, 2.2, 2.05, 2.3, NAN };
  RecurSweepPlot plot = hidden_sweep (results);
  RecurPlotStyle style = compare_style ();

  for (guint best = 0; best < N_HIDDEN - 1; best++)
    {
      Canvas c = canvas_new (800, 360);
      RecurPlotArea a;
      double saved = results[best];
      int column;

      results[best] = 1.0;
      recur_plot_sweep (c.cr, 800, 360, &plot, &style);
      canvas_finish (&c);
      a = recur_plot_sweep_area (&plot, 800, 360);
      assert_area_inside (&a, 800, 360);
      g_assert_cmpint (recur_plot_sweep_best (&plot), ==, best);
      /* a highlighted dot at the best value, and nowhere else */
      column = densest_column (c.surface, &a, &magenta);
      g_assert_cmpint (column, >=, 0);
      g_assert_cmpint (recur_plot_sweep_hit (&plot, 800, 360, column + 0.5, a.y), ==, best);
      g_assert_cmpuint (count_colour (c.surface, column - 8, a.y, column + 9, a.y + a.height,
                                      &magenta, 0.1), ==,
                        count_colour (c.surface, 0, 0, 800, 360, &magenta, 0.1));
      /* the line in the first categorical colour */
      g_assert_cmpuint (count_colour (c.surface, a.x, a.y, a.x + a.width, a.y + a.height,
                                      &run_colours[0], 0.12), >, 100);
      results[best] = saved;
      canvas_free (&c);
    }

  /* higher is better: the largest is marked */
  {
    Canvas c = canvas_new (800, 360);
    RecurPlotArea a;
    int column;

    plot.higher_is_better = TRUE;
    recur_plot_sweep (c.cr, 800, 360, &plot, &style);
    canvas_finish (&c);
    a = recur_plot_sweep_area (&plot, 800, 360);
    column = densest_column (c.surface, &a, &magenta);
    g_assert_cmpint (recur_plot_sweep_hit (&plot, 800, 360, column + 0.5, a.y), ==, 0);
    canvas_free (&c);
  }
}

static void
test_sweep_line_reference (void)
{
  double results[N_HIDDEN] = { 3.1, 2.6, 2.2, 2.05, 2.3, 2.8 };
  RecurSweepPlot plot = hidden_sweep (results);
  RecurPlotStyle style = compare_style ();
  Canvas c = canvas_new (800, 360);
  RecurPlotArea a;
  guint best_row = 0;
  int row = -1;

  style.baseline = cyan;
  plot.reference = 3.79;  /* above every result: the axis grows to show it */
  plot.reference_label = "naive MASE 3.79";
  recur_plot_sweep (c.cr, 800, 360, &plot, &style);
  canvas_finish (&c);
  a = recur_plot_sweep_area (&plot, 800, 360);
  for (int y = a.y; y < a.y + a.height; y++)
    {
      guint n = count_colour (c.surface, a.x, y, a.x + a.width, y + 1, &cyan, 0.1);

      if (n > best_row)
        best_row = n, row = y;
    }
  /* dashed across the area, near its top (3.79 is the largest value, a margin below the top) */
  g_assert_cmpuint (best_row, >, a.width / 3);
  g_assert_cmpuint (best_row, <, a.width);
  g_assert_cmpfloat (row, >, a.y + 0.03 * a.height);
  g_assert_cmpfloat (row, <, a.y + 0.2 * a.height);
  canvas_free (&c);
}

static void
test_sweep_categorical (void)
{
  static const char *cells[] = { "lstm", "gru", "rnn", "esn" };
  double results[4] = { 0.91, 0.87, 1.4, NAN };
  RecurSweepPlot plot = {
    .metric = "best validation loss", .a = { "cell", 4, NULL, cells,
                                             RECUR_SWEEP_PLOT_SCALE_CATEGORICAL },
    .results = results, .log_metric = TRUE, .reference = NAN, .hover = -1,
  };
  RecurPlotStyle style = compare_style ();
  Canvas c = canvas_new (600, 300);
  RecurPlotArea a;

  recur_plot_sweep (c.cr, 600, 300, &plot, &style);
  canvas_finish (&c);
  a = recur_plot_sweep_area (&plot, 600, 300);
  /* categories evenly spaced at slot centres */
  for (guint i = 0; i < 4; i++)
    g_assert_cmpint (recur_plot_sweep_hit (&plot, 600, 300, a.x + (i + 0.5) * a.width / 4,
                                           a.y + 5), ==, i);
  g_assert_cmpint (recur_plot_sweep_hit (&plot, 600, 300, a.x - 1, a.y + 5), ==, -1);
  /* the best (gru, the second) is marked */
  g_assert_cmpint (recur_plot_sweep_hit (&plot, 600, 300,
                                         densest_column (c.surface, &a, &magenta) + 0.5,
                                         a.y + 5), ==, 1);
  canvas_free (&c);

  /* the readout of a failed run */
  plot.hover = 3;
  c = canvas_new (600, 300);
  recur_plot_sweep (c.cr, 600, 300, &plot, &style);
  canvas_finish (&c);
  canvas_free (&c);
}

#define GRID_A 4
#define GRID_B 3

/* Cell (i, j) of the grid in pixels, rows from the bottom: results[i * GRID_B + j] */
static RecurPlotArea
grid_cell (const RecurPlotArea *a,
           guint                i,
           guint                j)
{
  double w = a->width / GRID_A, h = a->height / GRID_B;

  return (RecurPlotArea) { a->x + i * w, a->y + a->height - (j + 1) * h, w, h };
}

static const double grid_lr[GRID_A] = { 1e-4, 3e-4, 1e-3, 3e-3 };
static const double grid_hidden[GRID_B] = { 32, 64, 128 };

static RecurSweepPlot
grid_sweep (const double *results)
{
  return (RecurSweepPlot) {
    .metric = "test MASE",
    .a = { "learning rate", GRID_A, grid_lr, NULL, RECUR_SWEEP_PLOT_SCALE_LOG },
    .b = { "hidden size", GRID_B, grid_hidden, NULL, RECUR_SWEEP_PLOT_SCALE_LOG },
    .results = results, .reference = NAN, .hover = -1,
  };
}

static void
test_sweep_heatmap_best_outlined (void)
{
  double results[GRID_A * GRID_B];
  RecurSweepPlot plot = grid_sweep (results);
  RecurPlotStyle style = compare_style ();

  for (guint best = 0; best < GRID_A * GRID_B; best += 5)
    {
      Canvas c = canvas_new (900, 400);
      RecurPlotArea a, cell;
      guint bi = best / GRID_B, bj = best % GRID_B;
      guint inside, total;

      for (guint k = 0; k < GRID_A * GRID_B; k++)
        results[k] = 2.0 + 0.1 * k;
      results[best] = 1.0;
      recur_plot_sweep (c.cr, 900, 400, &plot, &style);
      canvas_finish (&c);
      a = recur_plot_sweep_area (&plot, 900, 400);
      assert_area_inside (&a, 900, 400);
      cell = grid_cell (&a, bi, bj);
      /* the outline: along all four edges of the best cell, and in no other cell */
      inside = count_colour (c.surface, cell.x, cell.y, cell.x + cell.width,
                             cell.y + cell.height, &magenta, 0.1);
      total = count_colour (c.surface, 0, 0, 900, 400, &magenta, 0.1);
      g_assert_cmpuint (inside, ==, total);
      g_assert_cmpuint (inside, >, 2 * (cell.width + cell.height));
      g_assert_cmpuint (count_colour (c.surface, cell.x, cell.y + cell.height / 2,
                                      cell.x + 5, cell.y + cell.height / 2 + 1, &magenta, 0.1),
                        >, 0);
      g_assert_cmpuint (count_colour (c.surface, cell.x + cell.width / 2, cell.y + cell.height - 5,
                                      cell.x + cell.width / 2 + 1, cell.y + cell.height,
                                      &magenta, 0.1), >, 0);
      /* the best (lowest) cell takes the low end of the map, the worst the high end */
      g_assert_true (near (pixel_at (c.surface, cell.x + 0.2 * cell.width,
                                     cell.y + 0.25 * cell.height),
                           &style.sequential[0], 0.02));
      {
        guint worst = best == GRID_A * GRID_B - 1 ? GRID_A * GRID_B - 2 : GRID_A * GRID_B - 1;
        RecurPlotArea w = grid_cell (&a, worst / GRID_B, worst % GRID_B);

        g_assert_true (near (pixel_at (c.surface, w.x + 0.2 * w.width, w.y + 0.25 * w.height),
                             &style.sequential[RECUR_PLOT_N_SEQUENTIAL - 1], 0.02));
      }
      /* hits: every cell, rows counted from the bottom */
      for (guint j = 0; j < GRID_B; j++)
        for (guint i = 0; i < GRID_A; i++)
          {
            RecurPlotArea r = grid_cell (&a, i, j);

            g_assert_cmpint (recur_plot_sweep_hit (&plot, 900, 400, r.x + r.width / 2,
                                                   r.y + r.height / 2), ==, i * GRID_B + j);
          }
      g_assert_cmpint (recur_plot_sweep_hit (&plot, 900, 400, a.x + 5, a.y - 2), ==, -1);
      g_assert_cmpint (recur_plot_sweep_hit (&plot, 900, 400, a.x + a.width + 2, a.y + 5), ==,
                       -1);
      canvas_free (&c);
    }
}

static void
test_sweep_heatmap_nan_cells (void)
{
  double results[GRID_A * GRID_B];
  RecurSweepPlot plot = grid_sweep (results);
  RecurPlotStyle style = compare_style ();
  RecurRgba hatch_fill = blend (&style.grid, 0.5, &style.background);
  RecurRgba hatch_line = blend (&style.muted, 0.35, &hatch_fill);
  Canvas c = canvas_new (900, 400);
  RecurPlotArea a, cell;

  for (guint k = 0; k < GRID_A * GRID_B; k++)
    results[k] = 1.0 + k;
  results[6] = NAN;
  results[7] = INFINITY;
  plot.log_metric = TRUE;
  plot.hover = 6;
  recur_plot_sweep (c.cr, 900, 400, &plot, &style);
  canvas_finish (&c);
  a = recur_plot_sweep_area (&plot, 900, 400);
  for (guint k = 6; k <= 7; k++)
    {
      cell = grid_cell (&a, k / GRID_B, k % GRID_B);
      /* hatched: lines over a light grey fill, no colour of the map */
      g_assert_cmpuint (count_colour (c.surface, cell.x + 3, cell.y + 3, cell.x + cell.width - 3,
                                      cell.y + cell.height - 3, &hatch_fill, 0.02), >, 100);
      g_assert_cmpuint (count_tinted (c.surface, cell.x + 3, cell.y + 3, cell.x + cell.width - 3,
                                      cell.y + cell.height - 3, &hatch_line, &hatch_fill), >, 100);
      for (guint s = 0; s < RECUR_PLOT_N_SEQUENTIAL; s++)
        g_assert_cmpuint (count_colour (c.surface, cell.x + 3, cell.y + 3,
                                        cell.x + cell.width - 3, cell.y + cell.height - 3,
                                        &style.sequential[s], 0.02), ==, 0);
    }
  canvas_free (&c);

  /* all failed: still a grid, and a message */
  for (guint k = 0; k < GRID_A * GRID_B; k++)
    results[k] = NAN;
  c = canvas_new (900, 400);
  recur_plot_sweep (c.cr, 900, 400, &plot, &style);
  canvas_finish (&c);
  g_assert_cmpint (recur_plot_sweep_best (&plot), ==, -1);
  canvas_free (&c);
}

static void
test_sweep_degenerate (void)
{
  static const char *labels[3] = { "a", NULL, "a label far too long to be shown on any axis" };
  double values[3] = { 0.0, -1.0, 1e300 };
  const double results[][6] = {
    { 1, 1, 1, 1, 1, 1 }, { NAN, NAN, NAN, NAN, NAN, NAN }, { 1e300, 1e-300, 0, -1, 2, 3 },
    { -1e308, 1e308, INFINITY, 1, NAN, 2 }, { 1e-30, 2e-30, 1e-30, 3e-30, 1e-30, 1e-30 },
  };
  RecurPlotStyle style;

  recur_plot_style_init (&style, TRUE);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint k = 0; k < G_N_ELEMENTS (results); k++)
      for (guint scale = 0; scale < 3; scale++)
        for (guint shape = 0; shape < 6; shape++)
          {
            /* one value, three, none; two parameters of 3 × 2, 1 × 1 and 3 × 0 */
            static const guint an[6] = { 1, 3, 0, 3, 1, 3 }, bn[6] = { 0, 0, 0, 2, 1, 0 };
            RecurSweepPlot plot = {
              .metric = k % 2 ? "a metric" : NULL,
              .a = { k % 2 ? NULL : "p", an[shape], scale == 1 && k == 4 ? NULL : values,
                     k % 2 ? labels : NULL, scale },
              .b = { "q", bn[shape], values, labels, (scale + 1) % 3 },
              .results = k == 3 && shape == 1 ? NULL : results[k],
              .log_metric = k % 2 == 0, .higher_is_better = k == 2,
              .reference = k == 2 ? 1e-3 : k == 3 ? INFINITY : 2.0,
              .reference_label = "reference",
              .hover = (int) shape - 1,
            };
            Canvas c = canvas_new (sizes[s][0], sizes[s][1]);

            recur_plot_sweep (c.cr, sizes[s][0], sizes[s][1], &plot, &style);
            canvas_finish (&c);
            g_assert_cmpint (recur_plot_sweep_hit (&plot, sizes[s][0], sizes[s][1], 50, 50), >=,
                             -1);
            g_assert_cmpint (recur_plot_sweep_hit (&plot, sizes[s][0], sizes[s][1], 50, 50), <,
                             (int) MAX (an[shape] * MAX (bn[shape], 1), 1));
            canvas_free (&c);
          }

  /* many values: thinned labels, no annotations in tiny cells */
  {
    double many[200], grid[200 * 30];
    RecurSweepPlot plot = {
      .metric = "m", .a = { "a", 200, many, NULL, RECUR_SWEEP_PLOT_SCALE_LINEAR },
      .b = { "b", 30, many, NULL, RECUR_SWEEP_PLOT_SCALE_CATEGORICAL },
      .results = grid, .reference = NAN, .hover = 4321,
    };
    Canvas c = canvas_new (500, 300);

    for (guint i = 0; i < 200; i++)
      many[i] = i * 0.5;
    for (guint i = 0; i < 200 * 30; i++)
      grid[i] = sin (i);
    recur_plot_sweep (c.cr, 500, 300, &plot, NULL);
    plot.b.n = 0;
    recur_plot_sweep (c.cr, 500, 300, &plot, NULL);
    canvas_finish (&c);
    canvas_free (&c);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Export and screenshots                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void
draw_loss_overlay_cb (cairo_t              *cr,
                      double                w,
                      double                h,
                      gconstpointer         p,
                      const RecurPlotStyle *s)
{
  recur_plot_loss_overlay (cr, w, h, p, s);
}

static void
draw_predictions_overlay_cb (cairo_t              *cr,
                             double                w,
                             double                h,
                             gconstpointer         p,
                             const RecurPlotStyle *s)
{
  recur_plot_predictions_overlay (cr, w, h, p, s);
}

static void
draw_sweep_cb (cairo_t              *cr,
               double                w,
               double                h,
               gconstpointer         p,
               const RecurPlotStyle *s)
{
  recur_plot_sweep (cr, w, h, p, s);
}

static void
test_compare_export (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_temp_dir ("test-plot-compare-XXXXXX");
  LossRuns loss;
  PredictionRuns predictions;
  double results[GRID_A * GRID_B];
  RecurSweepPlot sweep = grid_sweep (results);
  const struct
  {
    RecurPlotDrawFunc draw;
    gconstpointer     plot;
  } plots[] = {
    { draw_loss_overlay_cb, &loss.plot },
    { draw_predictions_overlay_cb, &predictions.plot },
    { draw_sweep_cb, &sweep },
  };
  const char *extensions[] = { "png", "svg", "pdf" };

  g_assert_no_error (error);
  loss_runs_init (&loss);
  prediction_runs_init (&predictions);
  for (guint k = 0; k < GRID_A * GRID_B; k++)
    results[k] = k == 5 ? NAN : 1.0 + k;
  for (guint p = 0; p < G_N_ELEMENTS (plots); p++)
    for (guint f = 0; f < G_N_ELEMENTS (extensions); f++)
      {
        g_autofree char *name = g_strdup_printf ("plot-%u.%s", p, extensions[f]);
        g_autofree char *path = g_build_filename (dir, name, NULL);
        RecurPlotFormat format;
        GStatBuf st;

        g_assert_true (recur_plot_format_from_path (path, &format, &error));
        g_assert_true (recur_plot_export (plots[p].draw, plots[p].plot, NULL, format, 640, 320,
                                          path, &error));
        g_assert_no_error (error);
        g_assert_cmpint (g_stat (path, &st), ==, 0);
        g_assert_cmpint (st.st_size, >, 100);
        g_assert_cmpint (g_remove (path), ==, 0);
      }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

typedef struct
{
  GRand *rand;
  /* eight runs' loss curves */
  double train[8][120], val[8][120];
  RecurLossRun loss_runs[8];
  /* a monthly series, its tail and three runs' predictions and forecasts */
  double month_x[84], actual[84], future_x[12], predicted[3][84], future[3][12];
  RecurPredictionRun prediction_runs[3];
} CompareShots;

static double
noise (GRand *rand)
{
  double s = 0;

  for (int i = 0; i < 4; i++)
    s += g_rand_double (rand) - 0.5;
  return s;
}

static void
compare_shots_init (CompareShots *d)
{
  static const char *names[8] = {
    "lstm h64", "gru h64", "lstm h128 · dropout 0.2 · lr 3e-4 · batch 64 · seed 7", "elman h64",
    "gru h32", "lstm h32", "esn 500", "clockwork h64",
  };
  static const guint epochs[8] = { 80, 64, 120, 100, 90, 70, 50, 110 };
  g_autoptr(GDateTime) start = g_date_time_new_utc (1949, 1, 1, 0, 0, 0);

  d->rand = g_rand_new_with_seed (11);
  for (guint r = 0; r < 8; r++)
    {
      double floor_loss = 0.018 + 0.006 * r, speed = 12.0 + 3.0 * r;
      guint best = 1;

      for (guint e = 0; e < epochs[r]; e++)
        {
          double t = e;

          d->train[r][e] = 0.9 * exp (-t / speed) + floor_loss * 0.7
                           + 0.003 * noise (d->rand) * exp (-t / 40.0);
          d->val[r][e] = (0.95 * exp (-t / (speed + 1)) + floor_loss
                          + (t > 0.75 * epochs[r] ? 2e-4 * (t - 0.75 * epochs[r]) : 0))
                         * (1 + 0.08 * noise (d->rand));
          if (d->val[r][e] < d->val[r][best - 1])
            best = e + 1;
        }
      d->loss_runs[r] = (RecurLossRun) { names[r], 0, epochs[r], d->train[r], d->val[r], best };
    }

  for (guint i = 0; i < 84; i++)
    {
      g_autoptr(GDateTime) t = g_date_time_add_months (start, i);
      double season = 11.0 + 9.0 * sin (2 * G_PI * (i - 3) / 12.0);

      d->month_x[i] = g_date_time_to_unix (t);
      d->actual[i] = season + 0.02 * i + 1.3 * noise (d->rand);
      for (guint r = 0; r < 3; r++)
        d->predicted[r][i] = i < 36 ? NAN : season + 0.02 * i + (r - 1.0) * 0.7
                                            + 0.7 * noise (d->rand);
    }
  for (guint i = 0; i < 12; i++)
    {
      g_autoptr(GDateTime) t = g_date_time_add_months (start, 84 + i);
      double season = 11.0 + 9.0 * sin (2 * G_PI * (84 + i - 3) / 12.0);

      d->future_x[i] = g_date_time_to_unix (t);
      for (guint r = 0; r < 3; r++)
        d->future[r][i] = season + 2.0 + (r - 1.0) * (0.6 + 0.08 * i);
    }
  for (guint r = 0; r < 3; r++)
    d->prediction_runs[r] = (RecurPredictionRun) {
      .name = names[r], .n = 84, .x = d->month_x, .predicted = d->predicted[r],
      .n_future = 12 - 3 * r, .future_x = d->future_x, .future = d->future[r],
      .val_start_x = d->month_x[36], .test_start_x = d->month_x[60],
    };
}

static void
shoot_sweeps (const char *dir)
{
  static const double lr[6] = { 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2 };
  static const char *cells[5] = { "lstm", "gru", "elman", "esn", "clockwork" };
  double mase[N_HIDDEN] = { 3.12, 2.61, 2.24, 2.05, 2.31, NAN };
  double loss[6] = { 0.081, 0.043, 0.029, 0.034, 0.11, 0.62 };
  double by_cell[5] = { 0.91, 0.87, 1.32, 1.05, NAN };
  /* test MASE by hidden size (rows, from 16 up) and learning rate (columns) */
  static const double by_hidden[4][5] = {
    { 3.41, 2.95, 2.71, 2.90, 3.30 },
    { 3.02, 2.48, 2.12, 2.37, NAN },
    { 2.88, 2.31, 1.97, 2.26, 3.05 },
    { 2.97, 2.40, 2.09, NAN, 3.62 },
  };
  double grid[5 * 4];
  static const double hidden4[4] = { 16, 32, 64, 128 };
  static const double lr5[5] = { 1e-4, 3e-4, 1e-3, 3e-3, 1e-2 };
  RecurSweepPlot plot = hidden_sweep (mase);
  g_autofree double *big = g_new (double, 24 * 12);
  g_autofree double *big_a = g_new (double, 24);
  g_autofree double *big_b = g_new (double, 12);

  plot.reference = 3.79;
  plot.reference_label = "naive MASE 3.79";
  shoot (dir, "sweep-hidden", draw_sweep_cb, &plot, 900, 400);
  plot.hover = 2;
  shoot (dir, "sweep-hidden-hover", draw_sweep_cb, &plot, 900, 400);
  plot.hover = -1;
  shoot (dir, "sweep-hidden-small", draw_sweep_cb, &plot, 260, 150);

  plot = (RecurSweepPlot) {
    .metric = "best validation loss", .a = { "learning rate", 6, lr, NULL,
                                             RECUR_SWEEP_PLOT_SCALE_LOG },
    .results = loss, .log_metric = TRUE, .reference = NAN, .hover = -1,
  };
  shoot (dir, "sweep-lr", draw_sweep_cb, &plot, 900, 400);

  {
    double sampled[40], sampled_loss[40];
    GRand *rand = g_rand_new_with_seed (3);

    for (guint i = 0; i < 40; i++)
      {
        double e = g_rand_double_range (rand, -4.5, -1.5);

        sampled[i] = pow (10.0, e);
        sampled_loss[i] = i % 13 == 5 ? NAN
                                      : 0.03 + 0.05 * (e + 3.0) * (e + 3.0)
                                        + 0.01 * g_rand_double (rand);
      }
    g_rand_free (rand);
    plot = (RecurSweepPlot) {
      .metric = "best validation loss", .a = { "learning rate", 40, sampled, NULL,
                                               RECUR_SWEEP_PLOT_SCALE_LOG },
      .results = sampled_loss, .log_metric = TRUE, .reference = NAN, .hover = -1,
    };
    shoot (dir, "sweep-lr-random", draw_sweep_cb, &plot, 900, 400);
  }

  plot = (RecurSweepPlot) {
    .metric = "test MASE", .a = { "cell", 5, NULL, cells, RECUR_SWEEP_PLOT_SCALE_CATEGORICAL },
    .results = by_cell, .reference = 1.0, .reference_label = "seasonal naive", .hover = -1,
  };
  shoot (dir, "sweep-cell", draw_sweep_cb, &plot, 900, 400);

  for (guint i = 0; i < 5; i++)
    for (guint j = 0; j < 4; j++)
      grid[i * 4 + j] = by_hidden[j][i];  /* learning rate varies slowest */
  plot = (RecurSweepPlot) {
    .metric = "test MASE",
    .a = { "learning rate", 5, lr5, NULL, RECUR_SWEEP_PLOT_SCALE_LOG },
    .b = { "hidden size", 4, hidden4, NULL, RECUR_SWEEP_PLOT_SCALE_LOG },
    .results = grid, .reference = NAN, .hover = -1,
  };
  shoot (dir, "sweep-grid", draw_sweep_cb, &plot, 900, 400);
  plot.hover = 3 * 4 + 2;  /* lr 0.003, hidden 64 */
  shoot (dir, "sweep-grid-hover", draw_sweep_cb, &plot, 900, 400);
  plot.hover = 4 * 4 + 1;  /* lr 0.01, hidden 32: failed */
  shoot (dir, "sweep-grid-hover-failed", draw_sweep_cb, &plot, 900, 400);
  plot.hover = -1;
  shoot (dir, "sweep-grid-small", draw_sweep_cb, &plot, 260, 150);

  for (guint i = 0; i < 24; i++)
    big_a[i] = 1e-5 * pow (10.0, i / 6.0);
  for (guint j = 0; j < 12; j++)
    big_b[j] = 8 * (j + 1);
  for (guint j = 0; j < 12; j++)
    for (guint i = 0; i < 24; i++)
      big[i * 12 + j] = (i * 7 + j * 3) % 11 == 0
                        ? NAN
                        : 0.02 + 0.5 * pow ((i - 13.0) / 12.0, 2) + 0.3 * pow ((j - 6.0) / 6.0, 2);
  plot = (RecurSweepPlot) {
    .metric = "best validation loss",
    .a = { "learning rate", 24, big_a, NULL, RECUR_SWEEP_PLOT_SCALE_LOG },
    .b = { "hidden size", 12, big_b, NULL, RECUR_SWEEP_PLOT_SCALE_LINEAR },
    .results = big, .log_metric = TRUE, .reference = NAN, .hover = -1,
  };
  shoot (dir, "sweep-grid-large", draw_sweep_cb, &plot, 900, 400);
}

static void
test_compare_screenshots (void)
{
  const char *dir = g_getenv ("SHOT_DIR");
  CompareShots *d;

  if (dir == NULL)
    {
      g_test_skip ("SHOT_DIR is not set");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  d = g_new0 (CompareShots, 1);
  compare_shots_init (d);
  {
    RecurLossOverlayPlot loss = { 3, d->loss_runs, -1, NULL };
    RecurPredictionsOverlayPlot predictions = {
      .n = 84, .x = d->month_x, .actual = d->actual, .x_is_time = TRUE, .n_runs = 3,
      .runs = d->prediction_runs, .hover = -1,
    };

    shoot (dir, "loss-overlay", draw_loss_overlay_cb, &loss, 900, 400);
    loss.hover = 60;
    shoot (dir, "loss-overlay-hover", draw_loss_overlay_cb, &loss, 900, 400);
    loss.hover = -1;
    loss.n_runs = 8;
    shoot (dir, "loss-overlay-8", draw_loss_overlay_cb, &loss, 900, 400);
    loss.hover = 45;
    shoot (dir, "loss-overlay-8-hover", draw_loss_overlay_cb, &loss, 900, 400);
    loss.hover = -1;
    shoot (dir, "loss-overlay-small", draw_loss_overlay_cb, &loss, 260, 150);
    loss.n_runs = 0;
    shoot (dir, "loss-overlay-empty", draw_loss_overlay_cb, &loss, 600, 300);

    shoot (dir, "predictions-overlay", draw_predictions_overlay_cb, &predictions, 900, 400);
    predictions.hover = 70;
    shoot (dir, "predictions-overlay-hover", draw_predictions_overlay_cb, &predictions, 900, 400);
    predictions.hover = 84 + 5;
    shoot (dir, "predictions-overlay-hover-future", draw_predictions_overlay_cb, &predictions,
           900, 400);
    predictions.hover = -1;
    shoot (dir, "predictions-overlay-small", draw_predictions_overlay_cb, &predictions, 260, 150);
  }
  shoot_sweeps (dir);
  g_rand_free (d->rand);
  g_free (d);
}

/* Registered by test-plot.c's main: one test program for the whole plot library */
void
test_plot_compare_add_tests (void)
{
  g_test_add_func ("/plot/style/palettes", test_style_palettes);
  g_test_add_func ("/plot/style/truncate-utf8", test_style_truncate_utf8);
  g_test_add_func ("/plot/loss-overlay/distinct-colours", test_loss_overlay_distinct_colours);
  g_test_add_func ("/plot/loss-overlay/legend-names", test_loss_overlay_legend_names);
  g_test_add_func ("/plot/loss-overlay/best-epoch-dots", test_loss_overlay_best_dots);
  g_test_add_func ("/plot/loss-overlay/hit", test_loss_overlay_hit);
  g_test_add_func ("/plot/loss-overlay/hover-marker", test_loss_overlay_hover);
  g_test_add_func ("/plot/loss-overlay/degenerate", test_loss_overlay_degenerate);
  g_test_add_func ("/plot/predictions-overlay/colours", test_predictions_overlay_colours);
  g_test_add_func ("/plot/predictions-overlay/hit", test_predictions_overlay_hit);
  g_test_add_func ("/plot/predictions-overlay/degenerate", test_predictions_overlay_degenerate);
  g_test_add_func ("/plot/sweep/best", test_sweep_best);
  g_test_add_func ("/plot/sweep/line-best-marked", test_sweep_line_best_marked);
  g_test_add_func ("/plot/sweep/line-reference", test_sweep_line_reference);
  g_test_add_func ("/plot/sweep/categorical", test_sweep_categorical);
  g_test_add_func ("/plot/sweep/heatmap-best-outlined", test_sweep_heatmap_best_outlined);
  g_test_add_func ("/plot/sweep/heatmap-nan-cells", test_sweep_heatmap_nan_cells);
  g_test_add_func ("/plot/sweep/degenerate", test_sweep_degenerate);
  g_test_add_func ("/plot/compare/export", test_compare_export);
  g_test_add_func ("/plot/compare/screenshots", test_compare_screenshots);
}
