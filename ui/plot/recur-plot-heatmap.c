/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "recur-plot-private.h"

/* Cairo refuses image surfaces wider than 32767 pixels; more cells than this per side are
 * merged, keeping each group's largest magnitude so that extremes stay visible. */
#define MAX_IMAGE_SIDE 4096

typedef struct
{
  RecurFrame     frame;
  RecurFrameSpec spec;
  double         limit;
  char           limit_labels[3][32];  /* +limit, 0, −limit */
  double         bar_x, bar_width;
} HeatmapLayout;

static gboolean
has_cells (const RecurHeatmapPlot *plot)
{
  return plot->values != NULL && plot->rows > 0 && plot->cols > 0;
}

static double
heatmap_limit (const RecurHeatmapPlot *plot)
{
  double limit = 0.0;
  gsize n = has_cells (plot) ? (gsize) plot->rows * plot->cols : 0;

  if (isfinite (plot->limit) && plot->limit > 0.0)
    return plot->limit;
  for (gsize i = 0; i < n; i++)
    if (isfinite (plot->values[i]))
      limit = MAX (limit, fabs (plot->values[i]));
  return limit > 0.0 ? limit : 1.0;
}

static void
heatmap_layout (gconstpointer         data,
                const RecurPlotStyle *style,
                RecurPlotText        *text,
                double                width,
                double                height,
                gpointer              layout)
{
  const RecurHeatmapPlot *plot = data;
  HeatmapLayout *out = layout;
  double label_width = 0.0;

  *out = (HeatmapLayout) { 0 };
  out->limit = heatmap_limit (plot);
  recur_plot_format_value (out->limit, out->limit_labels[0], sizeof out->limit_labels[0]);
  g_strlcpy (out->limit_labels[1], "0", sizeof out->limit_labels[1]);
  recur_plot_format_value (-out->limit, out->limit_labels[2], sizeof out->limit_labels[2]);
  for (guint i = 0; i < 3; i++)
    label_width = MAX (label_width, recur_plot_text_width (text, RECUR_FONT_NORMAL,
                                                           out->limit_labels[i]));

  /* Cell centres at whole numbers; row 0 at the top as in a matrix */
  out->frame.x.kind = out->frame.y.kind = RECUR_AXIS_LINEAR;
  out->frame.x.integer = out->frame.y.integer = TRUE;
  out->frame.x.lo = -0.5, out->frame.x.hi = MAX (plot->cols, 1) - 0.5;
  out->frame.y.lo = -0.5, out->frame.y.hi = MAX (plot->rows, 1) - 0.5;
  out->frame.y.inverted = TRUE;
  out->spec.title = plot->title;
  out->spec.x_title = plot->col_label;
  out->spec.y_title = plot->row_label;
  out->spec.no_x_ticks = out->spec.no_y_ticks = !has_cells (plot);
  out->bar_width = 0.9 * text->em;
  out->spec.right_extra = text->em + out->bar_width + 3.0 + 3.0 + label_width;
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
  out->bar_x = out->frame.area.x + out->frame.area.width + text->em;
}

static guint32
channel (double v,
         double alpha)
{
  return (guint32) lround (CLAMP (v, 0.0, 1.0) * alpha * 255);
}

static guint32
pixel (const RecurRgba *c)
{
  double a = CLAMP (c->a, 0.0, 1.0);

  /* CAIRO_FORMAT_ARGB32 is premultiplied, native-endian */
  return channel (1.0, a) << 24 | channel (c->r, a) << 16 | channel (c->g, a) << 8
         | channel (c->b, a);
}

static guint32
cell_pixel (double                v,
            double                limit,
            const RecurPlotStyle *style)
{
  RecurRgba c;

  if (!isfinite (v))
    return pixel (&style->grid);
  c = recur_plot_mix (&style->background, v > 0 ? &style->positive : &style->negative,
                      CLAMP (fabs (v) / limit, 0.0, 1.0));
  return pixel (&c);
}

/* The value shown for image pixel (x, y): one cell, or the largest magnitude of a group */
static double
cell_value (const RecurHeatmapPlot *plot,
            guint                   x,
            guint                   y,
            guint                   w,
            guint                   h)
{
  guint c0 = (guint) ((guint64) x * plot->cols / w);
  guint c1 = (guint) ((guint64) (x + 1) * plot->cols / w);
  guint r0 = (guint) ((guint64) y * plot->rows / h);
  guint r1 = (guint) ((guint64) (y + 1) * plot->rows / h);
  double best = NAN;

  for (guint r = r0; r < MAX (r1, r0 + 1); r++)
    for (guint c = c0; c < MAX (c1, c0 + 1); c++)
      {
        double v = plot->values[(gsize) r * plot->cols + c];

        if (isnan (best) || (isfinite (v) && fabs (v) > fabs (best)))
          best = v;
      }
  return best;
}

static cairo_surface_t *
build_image (const RecurHeatmapPlot *plot,
             double                  limit,
             const RecurPlotStyle   *style)
{
  guint w = MIN (plot->cols, MAX_IMAGE_SIDE), h = MIN (plot->rows, MAX_IMAGE_SIDE);
  cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) w, (int) h);
  guchar *data;
  int stride;

  if (cairo_surface_status (image) != CAIRO_STATUS_SUCCESS)
    return image;
  cairo_surface_flush (image);
  data = cairo_image_surface_get_data (image);
  stride = cairo_image_surface_get_stride (image);
  for (guint y = 0; y < h; y++)
    {
      guint32 *row = (guint32 *) (gpointer) (data + (gsize) y * stride);

      for (guint x = 0; x < w; x++)
        row[x] = cell_pixel (cell_value (plot, x, y, w, h), limit, style);
    }
  cairo_surface_mark_dirty (image);
  return image;
}

/* The image's pixels as rectangles, a run of equal ones at a time, in the image's coordinates:
 * cairo 1.16 writes an SVG image without its nearest-neighbour filter, and viewers then blur
 * a 12 × 32 heatmap scaled 50 times into smears. Each reaches a little into the next, so that
 * no seam shows between them. */
static void
paint_cells_as_rectangles (cairo_t         *cr,
                           cairo_surface_t *image)
{
  int w = cairo_image_surface_get_width (image), h = cairo_image_surface_get_height (image);
  int stride = cairo_image_surface_get_stride (image);
  const guchar *data = cairo_image_surface_get_data (image);

  for (int y = 0; y < h; y++)
    {
      const guint32 *row = (const guint32 *) (gconstpointer) (data + (gsize) y * stride);

      for (int x = 0, end; x < w; x = end)
        {
          guint32 p = row[x];
          double alpha = (p >> 24) / 255.0;

          for (end = x + 1; end < w && row[end] == p; end++)
            ;
          if (alpha <= 0)
            continue;
          /* premultiplied in the image */
          cairo_set_source_rgba (cr, ((p >> 16) & 0xff) / 255.0 / alpha,
                                 ((p >> 8) & 0xff) / 255.0 / alpha, (p & 0xff) / 255.0 / alpha,
                                 alpha);
          cairo_rectangle (cr, x, y, end - x + (end < w ? 0.02 : 0), 1.0 + (y + 1 < h ? 0.02 : 0));
          cairo_fill (cr);
        }
    }
}

static void
draw_cells (const RecurHeatmapPlot *plot,
            const HeatmapLayout    *layout,
            cairo_t                *cr,
            const RecurPlotStyle   *style)
{
  const RecurPlotArea *a = &layout->frame.area;
  cairo_surface_t *image = build_image (plot, layout->limit, style);
  cairo_pattern_t *pattern;
  int w = cairo_image_surface_get_width (image), h = cairo_image_surface_get_height (image);

  if (cairo_surface_status (image) == CAIRO_STATUS_SUCCESS && w > 0 && h > 0
      && a->width > 0 && a->height > 0)
    {
      cairo_save (cr);
      cairo_rectangle (cr, a->x, a->y, a->width, a->height);
      cairo_clip (cr);
      cairo_translate (cr, a->x, a->y);
      cairo_scale (cr, a->width / w, a->height / h);
      if (cairo_surface_get_type (cairo_get_target (cr)) == CAIRO_SURFACE_TYPE_SVG)
        paint_cells_as_rectangles (cr, image);
      else
        {
          cairo_set_source_surface (cr, image, 0.0, 0.0);
          pattern = cairo_get_source (cr);
          cairo_pattern_set_filter (pattern, CAIRO_FILTER_NEAREST);
          cairo_pattern_set_extend (pattern, CAIRO_EXTEND_PAD);
          cairo_paint (cr);
        }
      cairo_restore (cr);
    }
  cairo_surface_destroy (image);
}

static void
draw_colour_bar (const HeatmapLayout  *layout,
                 cairo_t              *cr,
                 RecurPlotText        *text,
                 const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &layout->frame.area;
  RecurPlotArea bar = { layout->bar_x, a->y, layout->bar_width, a->height };
  RecurRgba stops[3] = { style->negative, style->background, style->positive };
  const char *labels[3] = {
    layout->limit_labels[0], layout->limit_labels[2], layout->limit_labels[1]
  };
  double fractions[3] = { 1.0, 0.0, 0.5 };

  recur_plot_draw_colour_bar (cr, text, style, &bar, stops, 3, labels, fractions, 3);
}

void
recur_plot_draw_colour_bar (cairo_t              *cr,
                            RecurPlotText        *text,
                            const RecurPlotStyle *style,
                            const RecurPlotArea  *r,
                            const RecurRgba      *stops,
                            guint                 n_stops,
                            const char * const   *labels,
                            const double         *fractions,
                            guint                 n_labels)
{
  double label_x = r->x + r->width + 6.0, drawn[RECUR_AXIS_MAX_TICKS];
  cairo_pattern_t *ramp;
  guint n_drawn = 0;

  if (r->width <= 0.0 || r->height <= 0.0 || n_stops == 0)
    return;
  ramp = cairo_pattern_create_linear (0.0, r->y + r->height, 0.0, r->y);
  for (guint i = 0; i < n_stops; i++)
    cairo_pattern_add_color_stop_rgba (ramp, n_stops > 1 ? (double) i / (n_stops - 1) : 0.0,
                                       stops[i].r, stops[i].g, stops[i].b, stops[i].a);
  cairo_save (cr);
  cairo_rectangle (cr, r->x, r->y, r->width, r->height);
  cairo_set_source (cr, ramp);
  cairo_fill_preserve (cr);
  cairo_set_line_width (cr, recur_plot_hairline (cr));
  recur_plot_set_source (cr, &style->muted, 1.0);
  cairo_stroke (cr);
  for (guint i = 0; i < n_labels; i++)
    {
      double y = r->y + r->height * (1.0 - fractions[i]);

      cairo_move_to (cr, r->x + r->width, recur_plot_snap (cr, y, FALSE));
      cairo_rel_line_to (cr, 3.0, 0.0);
    }
  cairo_stroke (cr);
  cairo_restore (cr);
  cairo_pattern_destroy (ramp);

  for (guint i = 0; i < n_labels && n_drawn < G_N_ELEMENTS (drawn); i++)
    {
      double y = r->y + r->height * (1.0 - fractions[i]);
      gboolean overlaps = FALSE;

      for (guint k = 0; k < n_drawn; k++)
        overlaps |= fabs (drawn[k] - y) < 1.2 * text->line_height;
      if (overlaps || labels[i] == NULL)
        continue;
      recur_plot_text_draw (text, cr, RECUR_FONT_NORMAL, labels[i], label_x, y, 0.0, 0.5,
                            &style->foreground);
      drawn[n_drawn++] = y;
    }
}

static void
draw_heatmap (gconstpointer         data,
              gconstpointer         laid_out,
              cairo_t              *cr,
              RecurPlotText        *text,
              const RecurPlotStyle *style)
{
  const RecurHeatmapPlot *plot = data;
  const HeatmapLayout *layout = laid_out;

  recur_frame_draw_axes (&layout->frame, &layout->spec, cr, text, style);
  if (!has_cells (plot))
    {
      recur_frame_draw_message (&layout->frame, cr, text, style, _("No data yet"));
      return;
    }
  draw_cells (plot, layout, cr, style);
  if (!layout->frame.compact)
    draw_colour_bar (layout, cr, text, style);
}

void
recur_plot_heatmap (cairo_t                *cr,
                    double                  width,
                    double                  height,
                    const RecurHeatmapPlot *plot,
                    const RecurPlotStyle   *style)
{
  HeatmapLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  recur_plot_draw_layout (cr, width, height, plot, style, heatmap_layout, draw_heatmap, &layout);
}

RecurPlotArea
recur_plot_heatmap_area_for_style (const RecurHeatmapPlot *plot,
                                   const RecurPlotStyle   *style,
                                   double                  width,
                                   double                  height)
{
  HeatmapLayout layout;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  recur_plot_measure_layout (heatmap_layout, plot, style, width, height, &layout);
  return layout.frame.area;
}

RecurPlotArea
recur_plot_heatmap_area (const RecurHeatmapPlot *plot,
                         double                  width,
                         double                  height)
{
  return recur_plot_heatmap_area_for_style (plot, NULL, width, height);
}
