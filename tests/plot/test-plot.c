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

/* ------------------------------------------------------------------------------------------ */
/* Data                                                                                       */
/* ------------------------------------------------------------------------------------------ */

#define N_SERIES 40

typedef struct
{
  double          x[N_SERIES];
  double          values[N_SERIES];
  RecurSeriesPlot plot;
} SeriesData;

/* A sine over row indices 0…39, validation from 24, test from 32 */
static void
series_data_init (SeriesData *d)
{
  for (guint i = 0; i < N_SERIES; i++)
    {
      d->x[i] = i;
      d->values[i] = sin (i / 4.0);
    }
  d->plot = (RecurSeriesPlot) {
    .n = N_SERIES, .x = d->x, .values = d->values, .val_start = 24, .test_start = 32,
    .hover = -1,
  };
}

static double
series_px (const RecurPlotArea *a,
           double               x)
{
  return a->x + x / (N_SERIES - 1) * a->width;
}

/* ------------------------------------------------------------------------------------------ */
/* Style                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static void
test_style_defaults (void)
{
  RecurPlotStyle light, dark;

  recur_plot_style_init (&light, FALSE);
  recur_plot_style_init (&dark, TRUE);
  g_assert_cmpfloat (light.background.r, ==, 1.0);
  g_assert_cmpfloat (dark.background.r, <, 0.2);
  g_assert_cmpfloat (dark.foreground.r, >, 0.8);
  g_assert_cmpfloat_with_epsilon (light.train.b, 0xb2 / 255.0, 1e-9);  /* Okabe–Ito blue */
  g_assert_cmpfloat_with_epsilon (light.validation.r, 0xe6 / 255.0, 1e-9);
  g_assert_cmpfloat (light.positive.r, >, light.positive.b);
  g_assert_cmpfloat (light.negative.b, >, light.negative.r);
  g_assert_cmpfloat (light.font_size, >, 0.0);
  g_assert_cmpstr (light.font, !=, "");
}

/* ------------------------------------------------------------------------------------------ */
/* Series                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void
test_series_line_inside_area (void)
{
  RecurPlotStyle style = test_style ();
  SeriesData d;
  RecurPlotArea a;
  Canvas c = canvas_new (600, 300);

  series_data_init (&d);
  d.plot.val_start = d.plot.test_start = N_SERIES;  /* no shading */
  recur_plot_series (c.cr, 600, 300, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_series_area (&d.plot, 600, 300);
  assert_area_inside (&a, 600, 300);
  g_assert_cmpuint (count_colour (c.surface, a.x, a.y, a.x + a.width + 1, a.y + a.height + 1,
                                  &green, 0.15), >, 100);
  g_assert_cmpuint (count_outside (c.surface, &a, 0.5, &green, 0.3), ==, 0);
  canvas_free (&c);
}

static void
test_series_shading_right_of_split (void)
{
  RecurPlotStyle style = test_style ();
  RecurRgba val_shade = blend (&magenta, 0.14, &style.background);
  RecurRgba test_shade = blend (&cyan, 0.12, &style.background);
  SeriesData d;
  RecurPlotArea a;
  Canvas c = canvas_new (600, 300);
  double split_val, split_test;

  series_data_init (&d);
  recur_plot_series (c.cr, 600, 300, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_series_area (&d.plot, 600, 300);
  split_val = series_px (&a, 24);
  split_test = series_px (&a, 32);

  g_assert_cmpuint (count_colour (c.surface, a.x, a.y, split_val - 1, a.y + a.height,
                                  &val_shade, 0.02), ==, 0);
  g_assert_cmpuint (count_colour (c.surface, split_val + 1, a.y, split_test - 1, a.y + a.height,
                                  &val_shade, 0.02), >, 1000);
  g_assert_cmpuint (count_colour (c.surface, a.x, a.y, split_test - 1, a.y + a.height,
                                  &test_shade, 0.02), ==, 0);
  g_assert_cmpuint (count_colour (c.surface, split_test + 1, a.y, a.x + a.width, a.y + a.height,
                                  &test_shade, 0.02), >, 1000);
  canvas_free (&c);
}

static void
test_series_hit_matches_area (void)
{
  SeriesData d;
  RecurPlotArea a;

  series_data_init (&d);
  a = recur_plot_series_area (&d.plot, 640, 320);
  for (guint i = 0; i < N_SERIES; i++)
    g_assert_cmpint (recur_plot_series_hit (&d.plot, 640, 320, series_px (&a, i)), ==, i);
  g_assert_cmpint (recur_plot_series_hit (&d.plot, 640, 320, series_px (&a, 7.3)), ==, 7);
  g_assert_cmpint (recur_plot_series_hit (&d.plot, 640, 320, a.x - 2), ==, -1);
  g_assert_cmpint (recur_plot_series_hit (&d.plot, 640, 320, a.x + a.width + 2), ==, -1);

  /* A zoomed view: the ends of the view are the ends of the area */
  d.plot.view_min = 10;
  d.plot.view_max = 20;
  a = recur_plot_series_area (&d.plot, 640, 320);
  g_assert_cmpint (recur_plot_series_hit (&d.plot, 640, 320, a.x), ==, 10);
  g_assert_cmpint (recur_plot_series_hit (&d.plot, 640, 320, a.x + a.width / 2), ==, 15);
  g_assert_cmpint (recur_plot_series_hit (&d.plot, 640, 320, a.x + a.width), ==, 20);
}

static void
test_series_hit_follows_style (void)
{
  RecurPlotStyle big;
  SeriesData d;
  RecurPlotArea plain, styled;

  series_data_init (&d);
  recur_plot_style_init (&big, FALSE);
  big.font_size = 20;
  plain = recur_plot_series_area (&d.plot, 640, 320);
  styled = recur_plot_series_area_for_style (&d.plot, &big, 640, 320);
  g_assert_cmpfloat (styled.x, >, plain.x);
  g_assert_cmpint (recur_plot_series_hit_for_style (&d.plot, &big, 640, 320, styled.x), ==, 0);
}

static void
test_series_hover_marker (void)
{
  RecurPlotStyle style = test_style ();
  SeriesData d;
  RecurPlotArea a;
  Canvas c = canvas_new (600, 300);
  int px;

  series_data_init (&d);
  d.plot.val_start = d.plot.test_start = N_SERIES;
  d.plot.hover = 10;
  recur_plot_series (c.cr, 600, 300, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_series_area (&d.plot, 600, 300);
  px = (int) floor (series_px (&a, 10));
  /* the marker runs down the area at the hovered point */
  g_assert_cmpuint (count_colour (c.surface, px - 1, a.y, px + 2, a.y + a.height,
                                  &magenta, 0.1), >, a.height / 2);
  canvas_free (&c);
}

static void
draw_series_checked (const RecurSeriesPlot *plot,
                     int                    width,
                     int                    height)
{
  RecurPlotStyle style = test_style ();
  Canvas c = canvas_new (width, height);

  recur_plot_series (c.cr, width, height, plot, &style);
  canvas_finish (&c);
  if (width >= 200 && width * height <= 1000000)  /* scanning 4000 × 3000 pixels is slow */
    {
      RecurPlotArea a = recur_plot_series_area (plot, width, height);

      assert_area_inside (&a, width, height);
      g_assert_cmpuint (count_outside (c.surface, &a, 0.5, &green, 0.3), ==, 0);
    }
  canvas_free (&c);
}

static const int sizes[][2] = { { 200, 120 }, { 10, 10 }, { 1, 1 }, { 0, 0 }, { 4000, 3000 } };

static void
test_series_degenerate (void)
{
  double x[] = { 0, 1, 2, 3, 4, 5 }, v[6];
  gboolean missing[6] = { FALSE, TRUE, FALSE, FALSE, TRUE, FALSE };
  RecurSeriesPlot plot = { .n = 0, .x = x, .values = v, .missing = missing, .hover = -1 };
  const double cases[][6] = {
    { 1, 1, 1, 1, 1, 1 },
    { NAN, NAN, NAN, NAN, NAN, NAN },
    { 1, NAN, 2, INFINITY, -INFINITY, 3 },
    { 1e300, -1e300, 1e300, 0, 1, 2 },
    { 1e-300, 2e-300, 1e-300, 3e-300, 0, 1e-300 },
    { -1e308, 1e308, 0, 1, 2, 3 },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      plot.n = 0;
      draw_series_checked (&plot, sizes[s][0], sizes[s][1]);
      for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
        for (guint n = 1; n <= 6; n += 5)
          {
            memcpy (v, cases[k], sizeof v);
            plot.n = n;
            plot.val_start = n / 2;
            plot.test_start = n;
            plot.hover = n - 1;
            draw_series_checked (&plot, sizes[s][0], sizes[s][1]);
            g_assert_cmpint (recur_plot_series_hit (&plot, sizes[s][0], sizes[s][1], 5), >=, -1);
            plot.hover = -1;
          }
    }

  /* a time axis, a view with nothing in it, and no title */
  memcpy (v, cases[0], sizeof v);
  for (guint i = 0; i < 6; i++)
    x[i] = -1e12 + i * 86400;  /* before year 1: numbers instead of dates */
  plot.x_is_time = TRUE;
  draw_series_checked (&plot, 300, 200);
  plot.view_min = 5e12;
  plot.view_max = 6e12;
  draw_series_checked (&plot, 300, 200);
}

static void
test_series_dates (void)
{
  g_autoptr(GDateTime) start = g_date_time_new_utc (1935, 1, 1, 0, 0, 0);
  double x[240], v[240];
  RecurSeriesPlot plot = { .n = 240, .x = x, .values = v, .x_is_time = TRUE, .hover = -1,
                           .val_start = 240, .test_start = 240, .title = "t" };

  for (guint i = 0; i < 240; i++)
    {
      g_autoptr(GDateTime) t = g_date_time_add_months (start, i);

      x[i] = g_date_time_to_unix (t);
      v[i] = sin (i / 6.0);
    }
  /* 20 years, 2 years, 2 months, 2 days, 2 hours: each at its own calendar unit */
  draw_series_checked (&plot, 900, 400);
  draw_series_checked (&plot, 200, 120);
  plot.n = 24;
  draw_series_checked (&plot, 900, 400);
  for (guint i = 0; i < 240; i++)
    x[i] = 1e9 + i * 900.0;
  plot.x_has_time_of_day = TRUE;
  plot.n = 240;
  draw_series_checked (&plot, 900, 400);
  plot.n = 8;
  draw_series_checked (&plot, 900, 400);
}

/* ------------------------------------------------------------------------------------------ */
/* Loss                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* In the pixel column x, over the area, how many separate runs of pixels are faint green (an
 * ensemble member's line: green at a third of its opacity, over white or the forecast's tint)
 * and how many are full green (the median's, the run's own). A full line's antialiased edge is faint too: faint pixels
 * within 3 of a full one are its edge. */
static void
count_green_runs (cairo_surface_t     *surface,
                  const RecurPlotArea *a,
                  int                  x,
                  guint               *faint,
                  guint               *full)
{
  int top = (int) a->y + 1, bottom = (int) (a->y + a->height) - 1;
  g_autofree gboolean *is_full = g_new0 (gboolean, bottom + 4);
  gboolean in_faint = FALSE, in_full = FALSE;

  *faint = *full = 0;
  for (int y = top; y < bottom; y++)
    {
      RecurRgba p = pixel_at (surface, x, y);
      is_full[y] = p.r < 0.3 && p.g > 0.6 && p.b < 0.3;
      *full += is_full[y] && !in_full;
      in_full = is_full[y];
    }
  for (int y = top; y < bottom; y++)
    {
      RecurRgba p = pixel_at (surface, x, y);
      gboolean is_faint = p.r > 0.5 && p.g - p.r > 0.15 && p.g - p.b > 0.15;

      for (int dy = -3; dy <= 3 && is_faint; dy++)
        if (y + dy >= top && y + dy < bottom && is_full[y + dy])
          is_faint = FALSE;
      *faint += is_faint && !in_faint;
      in_faint = is_faint;
    }
}

#define N_EPOCHS 30

typedef struct
{
  double        train[N_EPOCHS], val[N_EPOCHS], lr[N_EPOCHS];
  RecurLossPlot plot;
} LossData;

static void
loss_data_init (LossData *d)
{
  for (guint i = 0; i < N_EPOCHS; i++)
    {
      d->train[i] = exp (-(double) i / 8.0);
      d->val[i] = 1.2 * exp (-(double) i / 9.0) + 0.01 * (i > 20 ? i - 20 : 0);
      d->lr[i] = i < 15 ? 1e-3 : 5e-4;
    }
  d->plot = (RecurLossPlot) {
    .n = N_EPOCHS, .total = 40, .train = d->train, .val = d->val, .lr = d->lr,
    .best_epoch = 12, .hover = -1,
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
test_loss_best_epoch_marker (void)
{
  RecurPlotStyle style = test_style ();
  LossData d;
  RecurPlotArea a;
  Canvas c = canvas_new (700, 350);
  int column;

  loss_data_init (&d);
  recur_plot_loss (c.cr, 700, 350, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_loss_area (&d.plot, 700, 350);
  assert_area_inside (&a, 700, 350);
  column = densest_column (c.surface, &a, &magenta);
  g_assert_cmpint (column, >=, 0);
  g_assert_cmpuint (count_colour (c.surface, column, a.y, column + 1, a.y + a.height, &magenta,
                                  0.1), >, a.height / 3);  /* a dashed line down the area */
  g_assert_cmpint (recur_plot_loss_hit (&d.plot, 700, 350, column + 0.5), ==, 11);
  canvas_free (&c);

  /* another epoch, another place */
  d.plot.best_epoch = 25;
  c = canvas_new (700, 350);
  recur_plot_loss (c.cr, 700, 350, &d.plot, &style);
  canvas_finish (&c);
  column = densest_column (c.surface, &a, &magenta);
  g_assert_cmpint (recur_plot_loss_hit (&d.plot, 700, 350, column + 0.5), ==, 24);
  canvas_free (&c);
}

static void
test_loss_lines (void)
{
  RecurPlotStyle style = test_style ();
  LossData d;
  RecurPlotArea a;
  Canvas c = canvas_new (700, 350);

  loss_data_init (&d);
  style.train = green;
  d.plot.best_epoch = 0;
  recur_plot_loss (c.cr, 700, 350, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_loss_area (&d.plot, 700, 350);
  g_assert_cmpuint (count_colour (c.surface, a.x, a.y, a.x + a.width, a.y + a.height, &green,
                                  0.15), >, 100);
  /* outside the area only the legend's swatch, in the title row above it */
  g_assert_cmpuint (count_colour (c.surface, 0, a.y + 1, 700, 350, &green, 0.3), ==,
                    count_colour (c.surface, a.x, a.y + 1, a.x + a.width, a.y + a.height, &green,
                                  0.3));
  canvas_free (&c);
}

/* An ensemble's other members' validation losses are drawn faintly, one line each, under the
 * run's own; the axis makes room for them, and a hover past the run's own epochs (members that
 * trained longer) reads nothing out of bounds. */
static void
test_loss_members_faint (void)
{
  RecurPlotStyle style = test_style ();
  LossData d;
  double member_val[2][N_EPOCHS + 10], member_train[2][N_EPOCHS + 10];
  RecurLossRun members[2];
  RecurPlotArea a;
  guint faint, full;

  loss_data_init (&d);
  style.validation = green;
  d.plot.best_epoch = 0;
  d.plot.lr = NULL;
  for (guint k = 0; k < 2; k++)
    {
      for (guint i = 0; i < N_EPOCHS + 10; i++)
        {
          member_val[k][i] = (k ? 8.0 : 3.0) * 1.2 * exp (-(double) MIN (i, N_EPOCHS - 1) / 9.0);
          member_train[k][i] = member_val[k][i] / 2;
        }
      members[k] = (RecurLossRun) { NULL, 0, N_EPOCHS + 10, member_train[k], member_val[k], 0 };
    }
  for (guint with = 0; with < 2; with++)
    {
      Canvas c = canvas_new (700, 350);
      int column;

      d.plot.n_members = with ? 2 : 0;
      d.plot.members = with ? members : NULL;
      d.plot.hover = with ? N_EPOCHS + 5 : -1;
      recur_plot_loss (c.cr, 700, 350, &d.plot, &style);
      canvas_finish (&c);
      a = recur_plot_loss_area (&d.plot, 700, 350);
      assert_area_inside (&a, 700, 350);
      column = (int) (a.x + a.width * 10.0 / 40.0);
      count_green_runs (c.surface, &a, column, &faint, &full);
      g_assert_cmpuint (full, ==, 1);
      g_assert_cmpuint (faint, ==, with ? 2 : 0);
      canvas_free (&c);
    }
}

static void
test_loss_hit (void)
{
  LossData d;
  RecurPlotArea a;

  loss_data_init (&d);
  a = recur_plot_loss_area (&d.plot, 640, 300);
  g_assert_cmpint (recur_plot_loss_hit (&d.plot, 640, 300, a.x), ==, 0);
  g_assert_cmpint (recur_plot_loss_hit (&d.plot, 640, 300, a.x - 1), ==, -1);
  g_assert_cmpint (recur_plot_loss_hit (&d.plot, 640, 300, a.x + a.width + 1), ==, -1);
  /* past the last trained epoch (30 of 40) the readout stays on the last one */
  g_assert_cmpint (recur_plot_loss_hit (&d.plot, 640, 300, a.x + a.width), ==, N_EPOCHS - 1);
  /* epochs 1…40 evenly across the area */
  for (guint e = 1; e <= N_EPOCHS; e++)
    {
      double pad = 0.02 * 39, px = a.x + (e - 1 + pad) / (39 + 2 * pad) * a.width;

      g_assert_cmpint (recur_plot_loss_hit (&d.plot, 640, 300, px), ==, e - 1);
    }
  d.plot.n = 0;
  g_assert_cmpint (recur_plot_loss_hit (&d.plot, 640, 300, a.x + 10), ==, -1);
}

static void
test_loss_degenerate (void)
{
  RecurPlotStyle style = test_style ();
  double train[3], val[3], lr[3] = { 1, 1, 1 };
  RecurLossPlot plot = { .train = train, .val = val, .lr = lr, .hover = -1 };
  const double cases[][3] = {
    { 1, 1, 1 }, { 0, 0, 0 }, { -1, NAN, INFINITY }, { 1e300, 1e-300, 1 }, { 1e-30, 1e-30, 1e-30 },
    { NAN, NAN, NAN },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
      for (guint n = 0; n <= 3; n++)
        {
          Canvas c = canvas_new (sizes[s][0], sizes[s][1]);

          memcpy (train, cases[k], sizeof train);
          memcpy (val, cases[(k + 1) % G_N_ELEMENTS (cases)], sizeof val);
          plot.n = n;
          plot.total = k;      /* 0, less than n, more than n */
          plot.best_epoch = k;  /* also past n */
          plot.hover = (int) n - 1;
          plot.val = k == 2 ? NULL : val;
          plot.lr = k == 3 ? NULL : lr;
          recur_plot_loss (c.cr, sizes[s][0], sizes[s][1], &plot, &style);
          canvas_finish (&c);
          canvas_free (&c);
        }
}

static void
test_loss_many_lr_changes (void)
{
  double train[200], lr[200];
  RecurLossPlot plot = { .n = 200, .total = 200, .train = train, .lr = lr, .hover = 100 };
  Canvas c = canvas_new (500, 300);

  for (guint i = 0; i < 200; i++)
    {
      train[i] = 1.0 / (i + 1);
      lr[i] = 1e-3 * (1 + cos (i * G_PI / 200)) / 2;  /* a cosine schedule */
    }
  recur_plot_loss (c.cr, 500, 300, &plot, NULL);
  canvas_finish (&c);
  canvas_free (&c);
}

/* A plot of no size has no epoch under any x: -1, not an epoch unmapped over a zero width */
static void
test_loss_hit_empty_area (void)
{
  LossData d;
  RecurLossRun run;
  RecurLossOverlayPlot overlay;

  loss_data_init (&d);
  run = (RecurLossRun) { "run", 0, d.plot.n, d.train, d.val, d.plot.best_epoch };
  overlay = (RecurLossOverlayPlot) { 1, &run, -1, NULL };
  for (double x = -1.0; x <= 1.0; x += 0.5)
    {
      g_assert_cmpint (recur_plot_loss_hit (&d.plot, 0, 0, x), ==, -1);
      g_assert_cmpint (recur_plot_loss_overlay_hit (&overlay, 0, 0, x), ==, -1);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Heatmap                                                                                    */
/* ------------------------------------------------------------------------------------------ */

#define ROWS 4
#define COLS 5

static RecurRgba
cell_pixel (cairo_surface_t     *surface,
            const RecurPlotArea *a,
            guint                r,
            guint                col)
{
  return pixel_at (surface, a->x + (col + 0.5) * a->width / COLS,
                   a->y + (r + 0.5) * a->height / ROWS);
}

static void
check_single_cell (float            value,
                   const RecurRgba *expected)
{
  RecurPlotStyle style = test_style ();
  float cells[ROWS * COLS] = { 0 };
  RecurHeatmapPlot plot = { ROWS, COLS, cells, 0.0, "h", "unit", "time step" };
  Canvas c = canvas_new (500, 300);
  RecurPlotArea a;

  cells[1 * COLS + 3] = value;
  recur_plot_heatmap (c.cr, 500, 300, &plot, &style);
  canvas_finish (&c);
  a = recur_plot_heatmap_area (&plot, 500, 300);
  assert_area_inside (&a, 500, 300);
  for (guint r = 0; r < ROWS; r++)
    for (guint col = 0; col < COLS; col++)
      {
        gboolean is_cell = r == 1 && col == 3;

        g_assert_true (near (cell_pixel (c.surface, &a, r, col),
                             is_cell ? expected : &style.background, 0.01));
      }
  canvas_free (&c);
}

static void
test_heatmap_positive_cell (void)
{
  RecurPlotStyle style = test_style ();

  check_single_cell (2.5f, &style.positive);
}

static void
test_heatmap_negative_cell (void)
{
  RecurPlotStyle style = test_style ();

  check_single_cell (-0.75f, &style.negative);
}

static void
test_heatmap_zero_is_background (void)
{
  RecurPlotStyle style = test_style ();

  check_single_cell (0.0f, &style.background);
}

static void
test_heatmap_limit_scales (void)
{
  RecurPlotStyle style = test_style ();
  float cells[ROWS * COLS] = { 0 };
  RecurHeatmapPlot plot = { ROWS, COLS, cells, 2.0, NULL, NULL, NULL };
  Canvas c = canvas_new (400, 300);
  RecurRgba half = blend (&style.positive, 0.5, &style.background), full;
  RecurPlotArea a;

  cells[0] = 1.0f;   /* half the limit: half way from the background */
  cells[1] = 50.0f;  /* beyond the limit: clamped */
  recur_plot_heatmap (c.cr, 400, 300, &plot, &style);
  canvas_finish (&c);
  a = recur_plot_heatmap_area (&plot, 400, 300);
  g_assert_true (near (cell_pixel (c.surface, &a, 0, 0), &half, 0.01));
  full = cell_pixel (c.surface, &a, 0, 1);
  g_assert_true (near (full, &style.positive, 0.01));
  canvas_free (&c);
}

static void
test_heatmap_degenerate (void)
{
  RecurPlotStyle style;
  float cells[6] = { NAN, INFINITY, -INFINITY, 1e30f, -1e-30f, 0.0f };
  RecurHeatmapPlot plots[] = {
    { 0, 0, NULL, 0, NULL, NULL, NULL },
    { 2, 3, NULL, 0, "t", "r", "c" },
    { 1, 1, cells, 0, "t", "r", "c" },
    { 2, 3, cells, 0, "t", "r", "c" },
    { 6, 1, cells, -1, NULL, NULL, NULL },
    { 1, 6, cells, NAN, NULL, NULL, NULL },
  };
  g_autofree float *wide = g_new0 (float, 3 * 40000);

  recur_plot_style_init (&style, TRUE);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint k = 0; k < G_N_ELEMENTS (plots); k++)
      {
        Canvas c = canvas_new (sizes[s][0], sizes[s][1]);

        recur_plot_heatmap (c.cr, sizes[s][0], sizes[s][1], &plots[k], &style);
        canvas_finish (&c);
        canvas_free (&c);
      }

  /* wider than a Cairo image may be */
  {
    RecurHeatmapPlot plot = { 3, 40000, wide, 0, NULL, NULL, NULL };
    Canvas c = canvas_new (300, 200);

    wide[2 * 40000 + 39999] = 1.0f;
    recur_plot_heatmap (c.cr, 300, 200, &plot, &style);
    canvas_finish (&c);
    canvas_free (&c);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Gradient flow                                                                              */
/* ------------------------------------------------------------------------------------------ */

static void
test_grad_flow_bars (void)
{
  RecurPlotStyle style = test_style ();
  double norms[6] = { 1e-6, 1e-4, NAN, 1e-2, 0.0, 1.0 };
  RecurGradFlowPlot plot = { 6, norms };
  Canvas c = canvas_new (480, 240);
  RecurRgba bar;
  RecurPlotArea a;

  style.train = green;
  bar = blend (&green, 0.9, &style.background);
  recur_plot_grad_flow (c.cr, 480, 240, &plot, &style);
  canvas_finish (&c);
  a = recur_plot_grad_flow_area (&plot, 480, 240);
  assert_area_inside (&a, 480, 240);
  for (guint t = 0; t < 6; t++)
    {
      int x = a.x + (t + 0.5) * a.width / 6, y = a.y + a.height - 2;
      gboolean has_bar = isfinite (norms[t]) && norms[t] > 0;

      g_assert_cmpint (near (pixel_at (c.surface, x, y), &bar, 0.02), ==, has_bar);
      /* between the bars: nothing */
      g_assert_false (near (pixel_at (c.surface, a.x + (t + 0.02) * a.width / 6 + 1, y), &bar,
                            0.02));
    }
  /* on a log scale each bar is taller than the one of a hundredth of its norm */
  {
    int x0 = a.x + 0.5 * a.width / 6, x1 = a.x + 1.5 * a.width / 6, x5 = a.x + 5.5 * a.width / 6;
    guint h0 = count_colour (c.surface, x0, a.y, x0 + 1, a.y + a.height, &bar, 0.02);
    guint h1 = count_colour (c.surface, x1, a.y, x1 + 1, a.y + a.height, &bar, 0.02);
    guint h5 = count_colour (c.surface, x5, a.y, x5 + 1, a.y + a.height, &bar, 0.02);

    g_assert_cmpuint (h0, <, h1);
    g_assert_cmpuint (h1, <, h5);
  }
  canvas_free (&c);
}

static void
test_grad_flow_degenerate (void)
{
  double cases[][4] = {
    { 1, 1, 1, 1 }, { 0, 0, 0, 0 }, { NAN, INFINITY, -1, 1e300 }, { 1e-300, 1e300, 1, 2 },
  };

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
      for (guint n = 0; n <= 4; n += 1)
        {
          RecurGradFlowPlot plot = { n, cases[k] };
          Canvas c = canvas_new (sizes[s][0], sizes[s][1]);

          recur_plot_grad_flow (c.cr, sizes[s][0], sizes[s][1], &plot, NULL);
          canvas_finish (&c);
          canvas_free (&c);
        }
  {
    g_autofree double *many = g_new (double, 100000);
    RecurGradFlowPlot plot = { 100000, many };
    Canvas c = canvas_new (300, 150);

    for (guint i = 0; i < 100000; i++)
      many[i] = exp (-(double) i / 1e4);
    recur_plot_grad_flow (c.cr, 300, 150, &plot, NULL);
    canvas_finish (&c);
    canvas_free (&c);
  }
}

/* ------------------------------------------------------------------------------------------ */
/* Predictions                                                                                */
/* ------------------------------------------------------------------------------------------ */

#define N_PRED   30
#define N_FUTURE 10

typedef struct
{
  double              x[N_PRED], actual[N_PRED], predicted[N_PRED], naive[N_PRED];
  double              future_x[N_FUTURE], future[N_FUTURE];
  RecurPredictionPlot plot;
} PredictionData;

/* Observations at 0…29, forecast at 30…39: x maps linearly over 0…39 */
static void
prediction_data_init (PredictionData *d)
{
  for (guint i = 0; i < N_PRED; i++)
    {
      d->x[i] = i;
      d->actual[i] = sin (i / 3.0);
      d->predicted[i] = i < 10 ? NAN : sin (i / 3.0) + 0.1;
      d->naive[i] = i == 0 ? NAN : sin ((i - 1) / 3.0);
    }
  for (guint i = 0; i < N_FUTURE; i++)
    {
      d->future_x[i] = N_PRED + i;
      d->future[i] = sin ((N_PRED + i) / 3.0);
    }
  d->plot = (RecurPredictionPlot) {
    .n = N_PRED, .x = d->x, .actual = d->actual, .predicted = d->predicted, .naive = d->naive,
    .n_future = N_FUTURE, .future_x = d->future_x, .future = d->future,
    .val_start_x = 10, .test_start_x = 20, .hover = -1,
  };
}

static double
prediction_px (const RecurPlotArea *a,
               double               x)
{
  return a->x + x / (N_PRED + N_FUTURE - 1) * a->width;
}

static void
test_predictions_forecast_after_data (void)
{
  RecurPlotStyle style = test_style ();
  PredictionData d;
  RecurPlotArea a;
  Canvas c = canvas_new (640, 320);
  double end;

  prediction_data_init (&d);
  style.actual = style.foreground;
  style.forecast = green;
  recur_plot_predictions (c.cr, 640, 320, &d.plot, &style);
  canvas_finish (&c);
  a = recur_plot_predictions_area (&d.plot, 640, 320);
  assert_area_inside (&a, 640, 320);
  end = prediction_px (&a, N_PRED - 1);
  g_assert_cmpuint (count_colour (c.surface, a.x, a.y, end - 2, a.y + a.height, &green, 0.15),
                    ==, 0);
  g_assert_cmpuint (count_colour (c.surface, end, a.y, a.x + a.width, a.y + a.height, &green,
                                  0.15), >, 50);
  canvas_free (&c);
}

/* An ensemble's members are drawn faintly around the median, one line each; without members,
 * no faint line. */
static void
test_predictions_members_faint (void)
{
  RecurPlotStyle style = test_style ();
  PredictionData d;
  double member_predicted[5 * N_PRED], member_future[5 * N_FUTURE];
  const double offsets[5] = { -1.2, -0.6, 0, 0.6, 1.2 };
  RecurPlotArea a;
  guint faint, full;
  int column;

  prediction_data_init (&d);
  style.forecast = green;
  style.predicted = cyan;
  for (guint k = 0; k < 5; k++)
    {
      for (guint i = 0; i < N_PRED; i++)
        member_predicted[k * N_PRED + i] = d.predicted[i] + offsets[k];
      for (guint h = 0; h < N_FUTURE; h++)
        member_future[k * N_FUTURE + h] = d.future[h] + offsets[k];
    }
  for (guint with = 0; with < 2; with++)
    {
      Canvas c = canvas_new (640, 480);

      d.plot.n_members = with ? 5 : 0;
      d.plot.member_predicted = with ? member_predicted : NULL;
      d.plot.member_future = with ? member_future : NULL;
      recur_plot_predictions (c.cr, 640, 480, &d.plot, &style);
      canvas_finish (&c);
      a = recur_plot_predictions_area (&d.plot, 640, 480);
      assert_area_inside (&a, 640, 480);
      column = (int) prediction_px (&a, N_PRED + 4.5);
      count_green_runs (c.surface, &a, column, &faint, &full);
      g_assert_cmpuint (full, ==, 1);
      /* the middle member lies under the median */
      g_assert_cmpuint (faint, ==, with ? 4 : 0);
      canvas_free (&c);
    }
}

/* Hovering over the future adds Theta's value to the readout: its swatch and a dot on its line,
 * more of Theta's colour than without the hover. */
static void
assert_theta_in_readout (PredictionData       *d,
                         const RecurPlotStyle *style)
{
  guint counts[2];

  for (guint hover = 0; hover < 2; hover++)
    {
      Canvas c = canvas_new (640, 480);

      d->plot.hover = hover ? N_PRED + 3 : -1;
      recur_plot_predictions (c.cr, 640, 480, &d->plot, style);
      canvas_finish (&c);
      counts[hover] = count_colour (c.surface, 0, 0, 640, 480, &style->theta, 0.15);
      canvas_free (&c);
    }
  d->plot.hover = -1;
  g_assert_cmpuint (counts[1], >, counts[0] + 20);
}

/* The Theta method's forecast, which the run's is averaged with, is drawn over the test part
 * and the future in its own colour, and nowhere before the test part; without it, nothing in
 * that colour inside the area. */
static void
test_predictions_theta_dashed (void)
{
  const RecurRgba orange = { 1.0, 0.5, 0.0, 1.0 };
  RecurPlotStyle style = test_style ();
  PredictionData d;
  double theta_predicted[N_PRED], theta_future[N_FUTURE];
  RecurPlotArea a;

  prediction_data_init (&d);
  style.theta = orange;
  for (guint i = 0; i < N_PRED; i++)
    theta_predicted[i] = i < 20 ? NAN : d.actual[i] - 0.5;
  for (guint h = 0; h < N_FUTURE; h++)
    theta_future[h] = d.future[h] - 0.5;
  for (guint with = 0; with < 2; with++)
    {
      Canvas c = canvas_new (640, 480);
      double test = 0, end = 0, step = 0;
      guint in_test, in_future, before;

      d.plot.theta_predicted = with ? theta_predicted : NULL;
      d.plot.theta_future = with ? theta_future : NULL;
      recur_plot_predictions (c.cr, 640, 480, &d.plot, &style);
      canvas_finish (&c);
      a = recur_plot_predictions_area (&d.plot, 640, 480);
      assert_area_inside (&a, 640, 480);
      test = prediction_px (&a, 20);
      end = prediction_px (&a, N_PRED - 1);
      step = prediction_px (&a, 1) - prediction_px (&a, 0);
      before = count_colour (c.surface, a.x, a.y, test - 2, a.y + a.height, &orange, 0.15);
      in_test = count_colour (c.surface, test + 2, a.y, end - 2, a.y + a.height, &orange, 0.15);
      in_future = count_colour (c.surface, end + step, a.y, a.x + a.width, a.y + a.height,
                                &orange, 0.15);
      g_assert_cmpuint (before, ==, 0);
      if (with)
        {
          g_assert_cmpuint (in_test, >, 20);
          g_assert_cmpuint (in_future, >, 20);
          assert_theta_in_readout (&d, &style);
        }
      else
        {
          g_assert_cmpuint (in_test, ==, 0);
          g_assert_cmpuint (in_future, ==, 0);
        }
      canvas_free (&c);
    }
}

static void
test_predictions_hit (void)
{
  PredictionData d;
  RecurPlotArea a;

  prediction_data_init (&d);
  a = recur_plot_predictions_area (&d.plot, 640, 320);
  for (guint i = 0; i < N_PRED + N_FUTURE; i++)
    g_assert_cmpint (recur_plot_predictions_hit (&d.plot, 640, 320, prediction_px (&a, i)), ==, i);
  g_assert_cmpint (recur_plot_predictions_hit (&d.plot, 640, 320, a.x - 3), ==, -1);
}

static void
test_predictions_degenerate (void)
{
  PredictionData d;
  RecurPlotStyle style;

  recur_plot_style_init (&style, TRUE);
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint k = 0; k < 6; k++)
      {
        Canvas c = canvas_new (sizes[s][0], sizes[s][1]);

        prediction_data_init (&d);
        d.plot.hover = k * 7;
        switch (k)
          {
          case 0:
            d.plot.n = 0, d.plot.n_future = 0;
            break;
          case 1:
            d.plot.n = 1, d.plot.n_future = 0, d.plot.val_start_x = NAN, d.plot.test_start_x = NAN;
            break;
          case 2:
            for (guint i = 0; i < N_PRED; i++)
              d.actual[i] = d.predicted[i] = d.naive[i] = 3.0;
            d.plot.n_future = 0;
            break;
          case 3:
            d.actual[3] = INFINITY, d.predicted[12] = NAN, d.future[2] = 1e300;
            d.naive[5] = -1e300;
            break;
          case 4:
            d.plot.naive = NULL, d.plot.predicted = NULL, d.plot.n = 0;
            break;
          default:
            for (guint i = 0; i < N_PRED; i++)
              d.actual[i] = d.predicted[i] = d.naive[i] = NAN;
            break;
          }
        recur_plot_predictions (c.cr, sizes[s][0], sizes[s][1], &d.plot, &style);
        canvas_finish (&c);
        g_assert_cmpint (recur_plot_predictions_hit (&d.plot, sizes[s][0], sizes[s][1], 3), >=, -1);
        canvas_free (&c);
      }
}

/* ------------------------------------------------------------------------------------------ */
/* Export                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static void
draw_loss (cairo_t              *cr,
           double                width,
           double                height,
           gconstpointer         plot,
           const RecurPlotStyle *style)
{
  recur_plot_loss (cr, width, height, plot, style);
}

static char *
make_tmp_dir (void)
{
  return test_temp_dir ("test-plot-XXXXXX");
}

static GBytes *
export_and_read (RecurPlotFormat  format,
                 const char      *name,
                 double           width,
                 double           height,
                 char           **path_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_tmp_dir ();
  char *path = g_build_filename (dir, name, NULL);
  LossData d;
  char *contents = NULL;
  gsize length = 0;

  loss_data_init (&d);
  g_assert_true (recur_plot_export (draw_loss, &d.plot, NULL, format, width, height, path,
                                    &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &contents, &length, &error));
  g_assert_no_error (error);
  *path_out = path;
  return g_bytes_new_take (contents, length);
}

static void
remove_file_and_dir (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);

  g_assert_cmpint (g_remove (path), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_export_png (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = export_and_read (RECUR_PLOT_FORMAT_PNG, "loss.png", 321, 123, &path);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  cairo_surface_t *image;
  RecurPlotStyle style;

  g_assert_cmpuint (length, >, 8);
  g_assert_cmpmem (data, 8, "\x89PNG\r\n\x1a\n", 8);
  image = cairo_image_surface_create_from_png (path);
  g_assert_cmpint (cairo_surface_status (image), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (image), ==, 321);
  g_assert_cmpint (cairo_image_surface_get_height (image), ==, 123);
  /* opaque, with the background in the corner */
  recur_plot_style_init (&style, FALSE);
  g_assert_true (near (pixel_at (image, 0, 0), &style.background, 0.01));
  cairo_surface_destroy (image);
  remove_file_and_dir (path);
}

static void
test_export_svg (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = export_and_read (RECUR_PLOT_FORMAT_SVG, "loss.svg", 400, 300, &path);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);
  g_autofree char *text = g_strndup (data, length);

  g_assert_true (g_str_has_prefix (text, "<?xml"));
  g_assert_nonnull (strstr (text, "<svg"));
  g_assert_nonnull (strstr (text, "</svg>"));
  remove_file_and_dir (path);
}

static void
draw_heatmap (cairo_t              *cr,
              double                width,
              double                height,
              gconstpointer         plot,
              const RecurPlotStyle *style)
{
  recur_plot_heatmap (cr, width, height, plot, style);
}

/* A heatmap in SVG is drawn cell by cell: an embedded image, scaled up, is smoothed by every
 * SVG viewer (cairo 1.16 writes no nearest-neighbour hint), blurring units into each other. */
static void
test_export_svg_heatmap_cells (void)
{
  float cells[ROWS * COLS] = { 0 };
  RecurHeatmapPlot plot = { ROWS, COLS, cells, 0.0, "h", "unit", "time step" };
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "heatmap.svg", NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  cells[1 * COLS + 3] = 1.0f;
  cells[2 * COLS + 0] = -0.5f;
  g_assert_true (recur_plot_export (draw_heatmap, &plot, NULL, RECUR_PLOT_FORMAT_SVG, 400, 300,
                                    path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "<image"));
  g_assert_nonnull (strstr (text, "<path"));
  remove_file_and_dir (path);
}

static void
test_export_pdf (void)
{
  g_autofree char *path = NULL;
  g_autoptr(GBytes) bytes = export_and_read (RECUR_PLOT_FORMAT_PDF, "loss.pdf", 400, 300, &path);
  gsize length;
  const char *data = g_bytes_get_data (bytes, &length);

  g_assert_cmpuint (length, >, 5);
  g_assert_cmpmem (data, 5, "%PDF-", 5);
  /* complete: the trailer ends the file */
  g_assert_nonnull (g_strstr_len (data + length - MIN (length, 16), MIN (length, 16), "%%EOF"));
  remove_file_and_dir (path);
}

static void
test_export_format_from_path (void)
{
  const struct
  {
    const char     *path;
    RecurPlotFormat format;
  } good[] = {
    { "a.png", RECUR_PLOT_FORMAT_PNG }, { "/x/y/B.PNG", RECUR_PLOT_FORMAT_PNG },
    { "c.Svg", RECUR_PLOT_FORMAT_SVG }, { "d.svg", RECUR_PLOT_FORMAT_SVG },
    { "e.PDF", RECUR_PLOT_FORMAT_PDF }, { "dir.png/f.pdf", RECUR_PLOT_FORMAT_PDF },
  };
  const char *bad[] = { "plot.jpg", "plot", "dir.png/plot", "plot.", "plot.png.bak", ".svgx" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      RecurPlotFormat format = 99;

      g_assert_true (recur_plot_format_from_path (good[i].path, &format, &error));
      g_assert_no_error (error);
      g_assert_cmpint (format, ==, good[i].format);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      RecurPlotFormat format;

      g_assert_false (recur_plot_format_from_path (bad[i], &format, &error));
      g_assert_error (error, RECUR_PLOT_ERROR, RECUR_PLOT_ERROR_FORMAT);
    }
  {
    g_autoptr(GError) error = NULL;
    RecurPlotFormat format;

    recur_plot_format_from_path ("plot.JPEG", &format, &error);
    g_assert_nonnull (strstr (error->message, ".JPEG"));
  }
}

static guint
count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;
  return n;
}

static void
test_export_write_failure (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *blocker = g_build_filename (dir, "blocker", NULL);
  g_autofree char *path = g_build_filename (blocker, "plot.png", NULL);
  g_autofree char *missing = g_build_filename (dir, "no-such-dir", "plot.svg", NULL);
  LossData d;

  loss_data_init (&d);
  g_assert_true (g_file_set_contents (blocker, "x", 1, NULL));
  g_assert_false (recur_plot_export (draw_loss, &d.plot, NULL, RECUR_PLOT_FORMAT_PNG, 200, 100,
                                     path, &error));
  g_assert_error (error, RECUR_PLOT_ERROR, RECUR_PLOT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, path));
  g_clear_error (&error);

  g_assert_false (recur_plot_export (draw_loss, &d.plot, NULL, RECUR_PLOT_FORMAT_SVG, 200, 100,
                                     missing, &error));
  g_assert_error (error, RECUR_PLOT_ERROR, RECUR_PLOT_ERROR_WRITE);
  g_assert_nonnull (strstr (error->message, missing));

  /* nothing left behind: the blocker alone */
  g_assert_cmpuint (count_entries (dir), ==, 1);
  g_assert_cmpint (g_remove (blocker), ==, 0);
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
test_export_size_errors (void)
{
  const double bad[][2] = { { 0, 100 }, { 100, 0 }, { -5, 100 }, { 20001, 10 }, { 10, 1e9 },
                            { NAN, 100 }, { 100, INFINITY }, { 0.5, 0.5 } };
  g_autofree char *dir = make_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "plot.png", NULL);
  LossData d;

  loss_data_init (&d);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (recur_plot_export (draw_loss, &d.plot, NULL, RECUR_PLOT_FORMAT_PNG,
                                         bad[i][0], bad[i][1], path, &error));
      g_assert_error (error, RECUR_PLOT_ERROR, RECUR_PLOT_ERROR_SIZE);
      g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
    }
  /* the limits themselves are fine (a 20000-wide strip, 1 high) */
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (recur_plot_export (draw_loss, &d.plot, NULL, RECUR_PLOT_FORMAT_PNG, 20000, 1,
                                      path, &error));
    g_assert_no_error (error);
    g_assert_cmpint (g_remove (path), ==, 0);
  }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

/* ------------------------------------------------------------------------------------------ */
/* Screenshots: SHOT_DIR=/some/dir writes each plot at 900×400 to look at                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct
{
  GRand  *rand;
  double  month_x[240], temperature[240];
  gboolean missing[240];
  double  train[80], val[80], lr[80];
  float   hidden[32 * 24];
  double  norms[24];
  double  future_x[12], future[12], predicted[240], naive[240];
} ShotData;

static double
noise (GRand *rand)
{
  /* roughly normal: the sum of four uniforms */
  double s = 0;

  for (int i = 0; i < 4; i++)
    s += g_rand_double (rand) - 0.5;
  return s;
}

static void
shot_data_init (ShotData *d)
{
  g_autoptr(GDateTime) start = g_date_time_new_utc (1935, 1, 1, 0, 0, 0);

  d->rand = g_rand_new_with_seed (7);
  for (guint i = 0; i < 240; i++)
    {
      g_autoptr(GDateTime) t = g_date_time_add_months (start, i);

      d->month_x[i] = g_date_time_to_unix (t);
      d->temperature[i] = 11.0 + 9.0 * sin (2 * G_PI * (i - 3) / 12.0) + 0.01 * i
                          + 1.5 * noise (d->rand);
      d->missing[i] = (i >= 50 && i < 53) || i == 130 || i == 131 || i == 200;
      if (d->missing[i])
        d->temperature[i] = NAN;
      d->predicted[i] = i < 168 ? NAN : 11.0 + 9.0 * sin (2 * G_PI * (i - 3) / 12.0) + 0.01 * i
                                        + 0.6 * noise (d->rand);
      d->naive[i] = i < 180 ? NAN : d->temperature[i - 12];
    }
  for (guint i = 0; i < 12; i++)
    {
      g_autoptr(GDateTime) t = g_date_time_add_months (start, 240 + i);

      d->future_x[i] = g_date_time_to_unix (t);
      d->future[i] = 11.0 + 9.0 * sin (2 * G_PI * (240 + i - 3) / 12.0) + 2.4;
    }
  for (guint e = 0; e < 80; e++)
    {
      double t = e;

      d->train[e] = 0.9 * exp (-t / 14.0) + 0.018 + 0.004 * noise (d->rand) * exp (-t / 40.0);
      d->val[e] = (0.95 * exp (-t / 15.0) + 0.027 + (e > 71 ? 3e-4 * (t - 71) : 0))
                  * (1 + 0.12 * noise (d->rand));
      d->lr[e] = e < 49 ? 1e-3 : 5e-4;
    }
  d->val[70] = 0.025;  /* the best epoch, 71 */
  for (guint u = 0; u < 32; u++)
    for (guint t = 0; t < 24; t++)
      d->hidden[u * 24 + t] = tanh (1.8 * sin (0.35 * t * (1 + u % 5) + u)
                                    * cos (0.2 * u - 0.1 * t));
  for (guint t = 0; t < 24; t++)
    d->norms[t] = 0.8 * exp (-0.45 * (23 - t)) * (1 + 0.3 * noise (d->rand));
}

static void
draw_series_cb (cairo_t              *cr,
               double                w,
               double                h,
               gconstpointer         p,
               const RecurPlotStyle *s)
{
  recur_plot_series (cr, w, h, p, s);
}

static void
draw_heatmap_cb (cairo_t              *cr,
                double                w,
                double                h,
                gconstpointer         p,
                const RecurPlotStyle *s)
{
  recur_plot_heatmap (cr, w, h, p, s);
}

static void
draw_grad_flow_cb (cairo_t              *cr,
                  double                w,
                  double                h,
                  gconstpointer         p,
                  const RecurPlotStyle *s)
{
  recur_plot_grad_flow (cr, w, h, p, s);
}

static void
draw_predictions_cb (cairo_t              *cr,
                    double                w,
                    double                h,
                    gconstpointer         p,
                    const RecurPlotStyle *s)
{
  recur_plot_predictions (cr, w, h, p, s);
}

/* Days, hours and plain row numbers on the x axis */
static void
shoot_time_axes (const char *dir,
                 ShotData   *d)
{
  RecurSeriesPlot series = {
    .n = 75, .x = d->month_x, .values = d->temperature, .x_is_time = TRUE,
    .val_start = 60, .test_start = 75, .hover = -1,
  };
  double x[240];

  for (guint i = 0; i < 240; i++)
    x[i] = 1.7e9 + i * 86400.0;
  series.x = x;
  shoot (dir, "series-days", draw_series_cb, &series, 600, 250);
  for (guint i = 0; i < 240; i++)
    x[i] = 1.7e9 + i * 1800.0;
  series.n = 100;
  series.x_has_time_of_day = TRUE;
  shoot (dir, "series-hours", draw_series_cb, &series, 600, 250);
  for (guint i = 0; i < 240; i++)
    x[i] = i;
  series.n = 240;
  series.x_is_time = FALSE;
  series.val_start = 240;
  shoot (dir, "series-rows", draw_series_cb, &series, 600, 250);
}

static void
test_screenshots (void)
{
  const char *dir = g_getenv ("SHOT_DIR");
  ShotData *d;

  if (dir == NULL)
    {
      g_test_skip ("SHOT_DIR is not set");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  d = g_new0 (ShotData, 1);
  shot_data_init (d);
  {
    RecurSeriesPlot series = {
      .n = 240, .x = d->month_x, .values = d->temperature, .missing = d->missing,
      .x_is_time = TRUE, .val_start = 168, .test_start = 204, .hover = -1,
      .title = "temperature",
    };
    RecurLossPlot loss = { 80, 100, d->train, d->val, d->lr, 71, -1 };
    RecurHeatmapPlot heatmap = { 32, 24, d->hidden, 0, "h_t, layer 1", "unit", "time step" };
    RecurGradFlowPlot grad = { 24, d->norms };
    RecurPredictionPlot predictions = {
      .n = 72, .x = d->month_x + 168, .actual = d->temperature + 168,
      .predicted = d->predicted + 168, .naive = d->naive + 168, .n_future = 12,
      .future_x = d->future_x, .future = d->future, .x_is_time = TRUE,
      .val_start_x = d->month_x[168], .test_start_x = d->month_x[204], .hover = -1,
    };

    shoot (dir, "series", draw_series_cb, &series, 900, 400);
    shoot (dir, "loss", draw_loss, &loss, 900, 400);
    shoot (dir, "heatmap", draw_heatmap_cb, &heatmap, 900, 400);
    shoot (dir, "grad-flow", draw_grad_flow_cb, &grad, 900, 400);
    shoot (dir, "predictions", draw_predictions_cb, &predictions, 900, 400);
    {
      /* an ensemble of five around that forecast (its median) */
      static const double spread[5] = { -1.5, -0.7, 0, 0.5, 1.8 };
      double member_predicted[5 * 72], member_future[5 * 12];
      RecurPredictionPlot ensemble = predictions;

      for (guint k = 0; k < 5; k++)
        {
          for (guint i = 0; i < 72; i++)
            member_predicted[k * 72 + i] = predictions.predicted[i]
                                           + spread[k] * (1 + 0.5 * sin (i + 2.0 * k));
          for (guint h = 0; h < 12; h++)
            member_future[k * 12 + h] = predictions.future[h]
                                        + spread[k] * (1 + 0.08 * h) * (1 + 0.3 * cos (h + k));
        }
      ensemble.n_members = 5;
      ensemble.member_predicted = member_predicted;
      ensemble.member_future = member_future;
      shoot (dir, "predictions-ensemble", draw_predictions_cb, &ensemble, 900, 400);
    }

    /* hover readouts, small sizes and an empty plot */
    series.hover = 100;
    loss.hover = 40;
    predictions.hover = 75;
    shoot (dir, "series-hover", draw_series_cb, &series, 900, 400);
    shoot (dir, "loss-hover", draw_loss, &loss, 900, 400);
    shoot (dir, "predictions-hover", draw_predictions_cb, &predictions, 900, 400);
    series.hover = loss.hover = predictions.hover = -1;
    shoot (dir, "series-small", draw_series_cb, &series, 260, 150);
    shoot (dir, "loss-small", draw_loss, &loss, 260, 150);
    shoot (dir, "heatmap-small", draw_heatmap_cb, &heatmap, 260, 150);
    shoot (dir, "grad-flow-small", draw_grad_flow_cb, &grad, 260, 150);
    shoot (dir, "predictions-small", draw_predictions_cb, &predictions, 260, 150);
    loss.n = 0;
    shoot (dir, "loss-empty", draw_loss, &loss, 600, 300);
    shoot_time_axes (dir, d);
  }
  g_rand_free (d->rand);
  g_free (d);
}


/* A vertical axis of kind over [lo, hi], length pixels tall, with its ticks made. */
static void
make_vertical_axis (RecurAxis     *axis,
                    RecurPlotText *text,
                    RecurAxisKind  kind,
                    double         lo,
                    double         hi,
                    gboolean       margins,
                    double         length)
{
  *axis = (RecurAxis) { 0 };
  axis->kind = kind;
  recur_axis_set_range (axis, lo, hi, margins);
  axis->p0 = length;
  axis->p1 = 0;
  recur_axis_make_ticks (axis, text, TRUE, 0, length);
}

/* A log axis never ends up without labels: over 1.5 decades in a short plot, 1-2-5 steps are
 * too dense and decades alone give one label (a loss curve from 0.4 down to 0.012). */
static void
test_axis_log_short_span_keeps_labels (void)
{
  static const double spans[][2] = { { 0.012, 0.415 }, { 0.5, 3.0 }, { 1e-4, 1e3 }, { 2.0, 2.5 } };
  RecurPlotStyle style;
  RecurPlotText text;

  recur_plot_style_init (&style, FALSE);
  recur_plot_text_init_measure (&text, &style);
  for (guint i = 0; i < G_N_ELEMENTS (spans); i++)
    for (double length = 60; length <= 600; length += 30)
      {
        RecurAxis axis;
        guint majors = 0;

        make_vertical_axis (&axis, &text, RECUR_AXIS_LOG, spans[i][0], spans[i][1], TRUE, length);
        for (guint k = 0; k < axis.n_ticks; k++)
          majors += axis.ticks[k].major;
        g_assert_cmpuint (majors, >=, length >= 120 ? 2 : 1);
      }
  recur_plot_text_clear (&text);
}

/* A linear axis in a short plot gets two labels or more, never touching, where the usual
 * spacing would leave one (104–622 over 75 pixels read only "500"), and one at least where
 * two do not fit (the coarsest step left none in the range). */
static void
test_axis_linear_short_keeps_two_labels (void)
{
  static const double spans[][2] = { { 104, 622 }, { 0.2, 0.9 }, { -3, 47 }, { 1000, 1890 } };
  RecurPlotStyle style;
  RecurPlotText text;

  recur_plot_style_init (&style, FALSE);
  recur_plot_text_init_measure (&text, &style);
  for (guint i = 0; i < G_N_ELEMENTS (spans); i++)
    for (double length = 60; length <= 600; length += 15)
      {
        RecurAxis axis;
        guint majors = 0;
        double last_end = -INFINITY;

        make_vertical_axis (&axis, &text, RECUR_AXIS_LINEAR, spans[i][0], spans[i][1], FALSE,
                            length);
        for (guint k = 0; k < axis.n_ticks; k++)
          if (axis.ticks[k].major)
            {
              /* from the bottom (k = 0) up: each label clear of the one below */
              double top = axis.ticks[k].label_pos - text.line_height / 2;
              double bottom = axis.ticks[k].label_pos + text.line_height / 2;

              if (majors > 0)
                g_assert_cmpfloat (bottom, <, last_end);
              last_end = top;
              majors++;
            }
        g_test_message ("%g–%g over %g px: %u labels", spans[i][0], spans[i][1], length, majors);
        g_assert_cmpuint (majors, >=, length >= (i == 0 ? 75 : 105) ? 2 : 1);
      }
  recur_plot_text_clear (&text);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/plot/axis/linear-short-keeps-two-labels",
                   test_axis_linear_short_keeps_two_labels);

  g_test_add_func ("/plot/style/defaults", test_style_defaults);
  g_test_add_func ("/plot/axis/log-short-span-keeps-labels", test_axis_log_short_span_keeps_labels);
  g_test_add_func ("/plot/series/line-stays-inside-area", test_series_line_inside_area);
  g_test_add_func ("/plot/series/shading-right-of-split", test_series_shading_right_of_split);
  g_test_add_func ("/plot/series/hit-matches-area", test_series_hit_matches_area);
  g_test_add_func ("/plot/series/hit-follows-style", test_series_hit_follows_style);
  g_test_add_func ("/plot/series/hover-marker", test_series_hover_marker);
  g_test_add_func ("/plot/series/degenerate", test_series_degenerate);
  g_test_add_func ("/plot/series/dates", test_series_dates);
  g_test_add_func ("/plot/loss/best-epoch-marker", test_loss_best_epoch_marker);
  g_test_add_func ("/plot/loss/lines-inside-area", test_loss_lines);
  g_test_add_func ("/plot/loss/hit", test_loss_hit);
  g_test_add_func ("/plot/loss/degenerate", test_loss_degenerate);
  g_test_add_func ("/plot/loss/many-lr-changes", test_loss_many_lr_changes);
  g_test_add_func ("/plot/loss/hit-empty-area", test_loss_hit_empty_area);
  g_test_add_func ("/plot/heatmap/positive-cell", test_heatmap_positive_cell);
  g_test_add_func ("/plot/heatmap/negative-cell", test_heatmap_negative_cell);
  g_test_add_func ("/plot/heatmap/zero-is-background", test_heatmap_zero_is_background);
  g_test_add_func ("/plot/heatmap/limit-scales", test_heatmap_limit_scales);
  g_test_add_func ("/plot/heatmap/degenerate", test_heatmap_degenerate);
  g_test_add_func ("/plot/grad-flow/bars", test_grad_flow_bars);
  g_test_add_func ("/plot/grad-flow/degenerate", test_grad_flow_degenerate);
  g_test_add_func ("/plot/predictions/forecast-after-data", test_predictions_forecast_after_data);
  g_test_add_func ("/plot/predictions/hit", test_predictions_hit);
  g_test_add_func ("/plot/predictions/members-faint", test_predictions_members_faint);
  g_test_add_func ("/plot/predictions/theta-dashed", test_predictions_theta_dashed);
  g_test_add_func ("/plot/loss/members-faint", test_loss_members_faint);
  g_test_add_func ("/plot/predictions/degenerate", test_predictions_degenerate);
  g_test_add_func ("/plot/export/png", test_export_png);
  g_test_add_func ("/plot/export/svg", test_export_svg);
  g_test_add_func ("/plot/export/svg-heatmap-cells", test_export_svg_heatmap_cells);
  g_test_add_func ("/plot/export/pdf", test_export_pdf);
  g_test_add_func ("/plot/export/format-from-path", test_export_format_from_path);
  g_test_add_func ("/plot/export/write-failure-leaves-nothing", test_export_write_failure);
  g_test_add_func ("/plot/export/size-errors", test_export_size_errors);
  g_test_add_func ("/plot/screenshots", test_screenshots);
  test_plot_compare_add_tests ();

  return g_test_run ();
}
