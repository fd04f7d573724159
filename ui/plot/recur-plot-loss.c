/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "recur-plot-private.h"

/* More learning-rate changes than this are a schedule, not events: they get no labels. */
#define MAX_LABELLED_LR_CHANGES 10
#define MAX_MARKED_LR_CHANGES   40

typedef struct
{
  RecurFrame     frame;
  RecurFrameSpec spec;
  gboolean       has_values;
  guint          epochs;     /* the x axis spans 1…epochs */
} LossLayout;

static void
loss_layout (const RecurLossPlot  *plot,
             const RecurPlotStyle *style,
             RecurPlotText        *text,
             double                width,
             double                height,
             LossLayout           *out)
{
  double y_min = INFINITY, y_max = -INFINITY;
  gboolean has_val;

  *out = (LossLayout) { 0 };
  out->epochs = MAX (MAX (plot->total, plot->n), 1);
  out->frame.x.kind = RECUR_AXIS_LINEAR;
  out->frame.x.integer = TRUE;
  out->frame.y.kind = RECUR_AXIS_LOG;
  if (out->epochs > 1)
    {
      double pad = 0.02 * (out->epochs - 1);

      out->frame.x.lo = 1.0 - pad;
      out->frame.x.hi = out->epochs + pad;
    }
  else
    recur_axis_set_range (&out->frame.x, 1.0, 1.0, FALSE);

  recur_plot_range (plot->train, plot->n, TRUE, &y_min, &y_max);
  has_val = recur_plot_range (plot->val, plot->n, TRUE, &y_min, &y_max);
  out->has_values = y_min <= y_max;
  recur_axis_set_range (&out->frame.y, y_min, y_max, TRUE);

  out->spec.x_title = _("epoch");
  out->spec.y_title = _("loss");
  out->spec.no_y_ticks = !out->has_values;
  if (out->has_values)
    out->spec.legend[out->spec.n_legend++] = (RecurLegendItem) {
    _("train"), &style->train, RECUR_MARK_LINE };
  if (has_val)
    out->spec.legend[out->spec.n_legend++] = (RecurLegendItem) {
      _("validation"), &style->validation, RECUR_MARK_LINE };
  if (out->has_values && plot->best_epoch > 0 && plot->best_epoch <= plot->n)
    out->spec.legend[out->spec.n_legend++] = (RecurLegendItem) {
      _("best"), &style->highlight, RECUR_MARK_DOT };
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
}

static double
loss_at (const RecurLossPlot *plot,
         guint                i)
{
  if (plot->val != NULL && isfinite (plot->val[i]) && plot->val[i] > 0.0)
    return plot->val[i];
  return plot->train != NULL ? plot->train[i] : NAN;
}

static gboolean
lr_changes_at (const RecurLossPlot *plot,
               guint                i)
{
  return i > 0 && isfinite (plot->lr[i]) && isfinite (plot->lr[i - 1])
         && plot->lr[i] != plot->lr[i - 1];
}

static guint
count_lr_changes (const RecurLossPlot *plot)
{
  guint changes = 0;

  for (guint i = 1; plot->lr != NULL && i < plot->n; i++)
    changes += lr_changes_at (plot, i);
  return changes;
}

/* Dotted lines where the learning rate changed, labelled with the factor while there are few */
static void
draw_lr_changes (const RecurLossPlot  *plot,
                 const LossLayout     *layout,
                 cairo_t              *cr,
                 RecurPlotText        *text,
                 const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &layout->frame.area;
  guint changes = count_lr_changes (plot);
  double label_end = -INFINITY, dots[] = { 1.0, 3.0 };

  if (changes == 0 || changes > MAX_MARKED_LR_CHANGES)
    return;
  for (guint i = 1; i < plot->n; i++)
    {
      double px;
      char label[64], factor[32];

      if (!lr_changes_at (plot, i))
        continue;
      px = recur_plot_snap (cr, recur_axis_map (&layout->frame.x, i + 1.0), TRUE);
      cairo_save (cr);
      cairo_set_line_width (cr, recur_plot_hairline (cr));
      cairo_set_dash (cr, dots, 2, 0.0);
      recur_plot_set_source (cr, &style->muted, 1.0);
      cairo_move_to (cr, px, a->y);
      cairo_line_to (cr, px, a->y + a->height);
      cairo_stroke (cr);
      cairo_restore (cr);

      if (changes > MAX_LABELLED_LR_CHANGES || layout->frame.compact)
        continue;
      recur_plot_format_value (plot->lr[i - 1] != 0.0 ? plot->lr[i] / plot->lr[i - 1] : NAN,
                               factor, sizeof factor);
      /* TRANSLATORS: the learning rate was multiplied by this factor */
      g_snprintf (label, sizeof label, _("lr ×%s"), factor);
      if (px + 3.0 > label_end
          && px + 3.0 + recur_plot_text_width (text, RECUR_FONT_SMALL, label) < a->x + a->width)
        {
          recur_plot_text_draw (text, cr, RECUR_FONT_SMALL, label, px + 3.0, a->y + 2.0,
                                0.0, 0.0, &style->muted);
          label_end = px + 3.0 + recur_plot_text_width (text, RECUR_FONT_SMALL, label) + 4.0;
        }
    }
}

static void
draw_best (const RecurLossPlot  *plot,
           const LossLayout     *layout,
           cairo_t              *cr,
           const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &layout->frame.area;
  double dashes[] = { 4.0, 3.0 }, px;

  if (plot->best_epoch == 0 || plot->best_epoch > plot->n)
    return;
  px = recur_plot_snap (cr, recur_axis_map (&layout->frame.x, plot->best_epoch), TRUE);
  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  cairo_set_dash (cr, dashes, 2, 0.0);
  recur_plot_set_source (cr, &style->highlight, 1.0);
  cairo_move_to (cr, px, a->y);
  cairo_line_to (cr, px, a->y + a->height);
  cairo_stroke (cr);
  cairo_restore (cr);
  recur_frame_draw_dot (&layout->frame, cr, plot->best_epoch,
                        loss_at (plot, plot->best_epoch - 1), 4.0, &style->highlight);
}

static void
draw_hover (const RecurLossPlot  *plot,
            const LossLayout     *layout,
            cairo_t              *cr,
            RecurPlotText        *text,
            const RecurPlotStyle *style)
{
  RecurReadoutLine lines[4] = { { "", NULL }, { "", &style->train } };
  char value[32];
  guint i = (guint) plot->hover, n_lines = 2;

  if (plot->hover < 0 || i >= plot->n)
    return;
  g_snprintf (lines[0].text, sizeof lines[0].text, _("epoch %u"), i + 1);
  recur_plot_format_value (plot->train != NULL ? plot->train[i] : NAN, value, sizeof value);
  g_snprintf (lines[1].text, sizeof lines[1].text, "%s %s", _("train"), value);
  if (plot->val != NULL && isfinite (plot->val[i]))
    {
      recur_plot_format_value (plot->val[i], value, sizeof value);
      g_snprintf (lines[n_lines].text, sizeof lines[n_lines].text, "%s %s", _("validation"), value);
      lines[n_lines++].swatch = &style->validation;
    }
  if (plot->lr != NULL)
    {
      recur_plot_format_value (plot->lr[i], value, sizeof value);
      g_snprintf (lines[n_lines++].text, sizeof lines[0].text, _("learning rate %s"), value);
    }
  recur_frame_draw_readout (&layout->frame, cr, text, style, i + 1.0, lines, n_lines);
  if (plot->train != NULL)
    recur_frame_draw_dot (&layout->frame, cr, i + 1.0, plot->train[i], 3.5, &style->train);
  if (plot->val != NULL)
    recur_frame_draw_dot (&layout->frame, cr, i + 1.0, plot->val[i], 3.5, &style->validation);
}

static void
draw_loss (const RecurLossPlot  *plot,
           const LossLayout     *layout,
           cairo_t              *cr,
           RecurPlotText        *text,
           const RecurPlotStyle *style)
{
  const RecurFrame *frame = &layout->frame;
  RecurLineData lines[2] = {
    { NULL, 1.0, plot->train, plot->n },
    { NULL, 1.0, plot->val, plot->n },
  };

  recur_frame_draw_axes (frame, &layout->spec, cr, text, style);
  if (!layout->has_values)
    {
      recur_frame_draw_message (frame, cr, text, style,
                                plot->n == 0 ? _("No data yet") : _("No values to show"));
      return;
    }
  cairo_save (cr);
  recur_frame_clip (frame, cr);
  draw_lr_changes (plot, layout, cr, text, style);
  recur_frame_draw_line (frame, cr, &lines[0], &style->train, 1.5, FALSE);
  recur_frame_draw_line (frame, cr, &lines[1], &style->validation, 1.5, FALSE);
  cairo_restore (cr);
  draw_best (plot, layout, cr, style);
  recur_frame_draw_legend (frame, &layout->spec, cr, text, style, lines, 2);
  draw_hover (plot, layout, cr, text, style);
}

void
recur_plot_loss (cairo_t              *cr,
                 double                width,
                 double                height,
                 const RecurLossPlot  *plot,
                 const RecurPlotStyle *style)
{
  RecurPlotStyle fallback;
  RecurPlotText measure, text;
  LossLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  style = recur_plot_style_or_default (style, &fallback);
  recur_plot_text_init_measure (&measure, style);
  loss_layout (plot, style, &measure, width, height, &layout);
  recur_plot_text_clear (&measure);

  cairo_save (cr);
  recur_plot_text_init_draw (&text, cr, style);
  draw_loss (plot, &layout, cr, &text, style);
  recur_plot_text_clear (&text);
  cairo_restore (cr);
}

static void
loss_layout_for_style (const RecurLossPlot  *plot,
                       const RecurPlotStyle *style,
                       double                width,
                       double                height,
                       LossLayout           *layout)
{
  RecurPlotStyle fallback;
  RecurPlotText measure;

  style = recur_plot_style_or_default (style, &fallback);
  recur_plot_text_init_measure (&measure, style);
  loss_layout (plot, style, &measure, width, height, layout);
  recur_plot_text_clear (&measure);
}

RecurPlotArea
recur_plot_loss_area_for_style (const RecurLossPlot  *plot,
                                const RecurPlotStyle *style,
                                double                width,
                                double                height)
{
  LossLayout layout;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  loss_layout_for_style (plot, style, width, height, &layout);
  return layout.frame.area;
}

RecurPlotArea
recur_plot_loss_area (const RecurLossPlot *plot,
                      double               width,
                      double               height)
{
  return recur_plot_loss_area_for_style (plot, NULL, width, height);
}

int
recur_plot_loss_hit_for_style (const RecurLossPlot  *plot,
                               const RecurPlotStyle *style,
                               double                width,
                               double                height,
                               double                x)
{
  LossLayout layout;
  const RecurPlotArea *a;
  double epoch;

  g_return_val_if_fail (plot != NULL, -1);

  if (plot->n == 0)
    return -1;
  loss_layout_for_style (plot, style, width, height, &layout);
  a = &layout.frame.area;
  if (x < a->x || x > a->x + a->width)
    return -1;
  epoch = round (recur_axis_unmap (&layout.frame.x, x));
  return (int) CLAMP (epoch, 1.0, (double) plot->n) - 1;
}

int
recur_plot_loss_hit (const RecurLossPlot *plot,
                     double               width,
                     double               height,
                     double               x)
{
  return recur_plot_loss_hit_for_style (plot, NULL, width, height, x);
}
