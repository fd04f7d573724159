/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the plot tests: a canvas to draw on, pixels read back, and screenshots.
 * SHOT_DIR=/some/dir makes the screenshot tests write PNGs there to look at. */

#include <math.h>

#include <glib.h>

#include "recur-plot.h"

/* The comparison plots' tests, in test-plot-compare.c */
void test_plot_compare_add_tests (void);

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

G_GNUC_UNUSED static const RecurRgba green = { 0.0, 0.8, 0.0, 1.0 };
G_GNUC_UNUSED static const RecurRgba magenta = { 1.0, 0.0, 1.0, 1.0 };
G_GNUC_UNUSED static const RecurRgba cyan = { 0.0, 0.7, 0.9, 1.0 };

/* The light defaults with colours no text or grid pixel can be mistaken for */
G_GNUC_UNUSED static RecurPlotStyle
test_style (void)
{
  RecurPlotStyle style;

  recur_plot_style_init (&style, FALSE);
  style.actual = green;
  style.validation = magenta;
  style.test = cyan;
  style.highlight = magenta;
  return style;
}

typedef struct
{
  cairo_surface_t *surface;
  cairo_t         *cr;
} Canvas;

G_GNUC_UNUSED static Canvas
canvas_new (int width,
            int height)
{
  Canvas c;

  c.surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  g_assert_cmpint (cairo_surface_status (c.surface), ==, CAIRO_STATUS_SUCCESS);
  c.cr = cairo_create (c.surface);
  return c;
}

/* Checks that drawing left Cairo well, then flushes for reading pixels */
G_GNUC_UNUSED static void
canvas_finish (Canvas *c)
{
  g_assert_cmpint (cairo_status (c->cr), ==, CAIRO_STATUS_SUCCESS);
  cairo_destroy (c->cr);
  c->cr = NULL;
  cairo_surface_flush (c->surface);
  g_assert_cmpint (cairo_surface_status (c->surface), ==, CAIRO_STATUS_SUCCESS);
}

G_GNUC_UNUSED static void
canvas_free (Canvas *c)
{
  g_clear_pointer (&c->cr, cairo_destroy);
  g_clear_pointer (&c->surface, cairo_surface_destroy);
}

G_GNUC_UNUSED static RecurRgba
pixel_at (cairo_surface_t *surface,
          int              x,
          int              y)
{
  guchar *data = cairo_image_surface_get_data (surface);
  int stride = cairo_image_surface_get_stride (surface);
  guint32 p = *(guint32 *) (gpointer) (data + (gsize) y * stride + 4 * (gsize) x);
  double a = (p >> 24) / 255.0;

  if (a == 0.0)
    return (RecurRgba) { 0, 0, 0, 0 };
  return (RecurRgba) { ((p >> 16) & 0xff) / 255.0 / a, ((p >> 8) & 0xff) / 255.0 / a,
                       (p & 0xff) / 255.0 / a, a };
}

G_GNUC_UNUSED static gboolean
near (RecurRgba        p,
      const RecurRgba *c,
      double           tolerance)
{
  return fabs (p.r - c->r) <= tolerance && fabs (p.g - c->g) <= tolerance
         && fabs (p.b - c->b) <= tolerance && p.a > 0.99;
}

G_GNUC_UNUSED static RecurRgba
blend (const RecurRgba *over,
       double           alpha,
       const RecurRgba *under)
{
  return (RecurRgba) { over->r * alpha + under->r * (1 - alpha),
                       over->g * alpha + under->g * (1 - alpha),
                       over->b * alpha + under->b * (1 - alpha), 1.0 };
}

/* Pixels of colour c in the rectangle [x0, x1) × [y0, y1) */
G_GNUC_UNUSED static guint
count_colour (cairo_surface_t *surface,
              int              x0,
              int              y0,
              int              x1,
              int              y1,
              const RecurRgba *c,
              double           tolerance)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  guint count = 0;

  for (int y = MAX (y0, 0); y < MIN (y1, h); y++)
    for (int x = MAX (x0, 0); x < MIN (x1, w); x++)
      count += near (pixel_at (surface, x, y), c, tolerance);
  return count;
}

/* Pixels of colour c outside the area grown by margin */
G_GNUC_UNUSED static guint
count_outside (cairo_surface_t     *surface,
               const RecurPlotArea *a,
               double               margin,
               const RecurRgba     *c,
               double               tolerance)
{
  int w = cairo_image_surface_get_width (surface), h = cairo_image_surface_get_height (surface);
  guint count = 0;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if (x + 0.5 < a->x - margin || x + 0.5 > a->x + a->width + margin
          || y + 0.5 < a->y - margin || y + 0.5 > a->y + a->height + margin)
        count += near (pixel_at (surface, x, y), c, tolerance);
  return count;
}

G_GNUC_UNUSED static void
assert_area_inside (const RecurPlotArea *a,
                    double               width,
                    double               height)
{
  g_assert_cmpfloat (a->x, >, 0.0);
  g_assert_cmpfloat (a->y, >, 0.0);
  g_assert_cmpfloat (a->width, >, 0.0);
  g_assert_cmpfloat (a->height, >, 0.0);
  g_assert_cmpfloat (a->x + a->width, <, width);
  g_assert_cmpfloat (a->y + a->height, <, height);
}

G_GNUC_UNUSED static void
shoot (const char        *dir,
       const char        *name,
       RecurPlotDrawFunc  draw,
       gconstpointer      plot,
       double             width,
       double             height)
{
  for (int dark = 0; dark <= 1; dark++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *file = g_strdup_printf ("%s-%s.png", name, dark ? "dark" : "light");
      g_autofree char *path = g_build_filename (dir, file, NULL);
      RecurPlotStyle style;

      recur_plot_style_init (&style, dark);
      g_assert_true (recur_plot_export (draw, plot, &style, RECUR_PLOT_FORMAT_PNG, width, height,
                                        path, &error));
      g_assert_no_error (error);
    }
}
