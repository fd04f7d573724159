/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "recur-plot-private.h"

/* Characters of a run's name in a readout line */
#define READOUT_NAME_CHARS 24

typedef struct
{
  RecurFrame     frame;
  RecurFrameSpec spec;
  gboolean       has_values;
  gboolean       has_val;      /* some run has validation losses: training lines are dashed */
  guint          epochs;       /* the x axis spans 1…epochs */
  char           names[RECUR_FRAME_MAX_LEGEND][16];  /* "run k" for runs without a name */
  char           more[32];
} OverlayLayout;

static gboolean
run_has_best (const RecurLossRun *run)
{
  return run->best_epoch > 0 && run->best_epoch <= run->n;
}

/* The legend: the runs' names, then what solid, dashed and dots mean; runs beyond its room
 * are counted in a last "+k more" */
static void
add_legend (const RecurLossOverlayPlot *plot,
            const RecurPlotStyle       *style,
            gboolean                    any_best,
            OverlayLayout              *out)
{
  RecurFrameSpec *spec = &out->spec;
  guint n_keys = (out->has_val ? 2 : 0) + (any_best ? 1 : 0);
  guint room = RECUR_FRAME_MAX_LEGEND - n_keys;
  guint shown = plot->n_runs <= room ? plot->n_runs : room - 1;

  for (guint r = 0; r < shown; r++)
    spec->legend[spec->n_legend++] = (RecurLegendItem) {
      recur_plot_run_name (plot->runs[r].name, r, out->names[r], sizeof out->names[r]),
      recur_plot_run_colour (style, plot->runs[r].colour, r), RECUR_MARK_LINE };
  if (shown < plot->n_runs)
    {
      /* TRANSLATORS: more runs than the legend has room for */
      g_snprintf (out->more, sizeof out->more, _("+%u more"), plot->n_runs - shown);
      spec->legend[spec->n_legend++] = (RecurLegendItem) { out->more, &style->muted,
                                                           RECUR_MARK_NONE };
    }
  if (out->has_val)
    {
      spec->legend[spec->n_legend++] = (RecurLegendItem) { _("validation"), &style->muted,
                                                           RECUR_MARK_LINE };
      spec->legend[spec->n_legend++] = (RecurLegendItem) { _("train"), &style->muted,
                                                           RECUR_MARK_DASHED };
    }
  if (any_best)
    spec->legend[spec->n_legend++] = (RecurLegendItem) { _("best"), &style->muted,
                                                         RECUR_MARK_DOT };
}

static void
overlay_layout (const RecurLossOverlayPlot *plot,
                const RecurPlotStyle       *style,
                RecurPlotText              *text,
                double                      width,
                double                      height,
                OverlayLayout              *out)
{
  double y_min = INFINITY, y_max = -INFINITY;
  gboolean any_best = FALSE;
  guint n_runs = plot->runs != NULL ? plot->n_runs : 0;

  *out = (OverlayLayout) { 0 };
  out->epochs = 1;
  for (guint r = 0; r < n_runs; r++)
    {
      const RecurLossRun *run = &plot->runs[r];
      gboolean has_train = recur_plot_range (run->train, run->n, TRUE, &y_min, &y_max);
      gboolean has_val = recur_plot_range (run->val, run->n, TRUE, &y_min, &y_max);

      out->epochs = MAX (out->epochs, run->n);
      out->has_val |= has_val;
      any_best |= (has_train || has_val) && run_has_best (run);
    }
  out->has_values = y_min <= y_max;

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
  recur_axis_set_range (&out->frame.y, y_min, y_max, TRUE);

  out->spec.title = plot->title;
  out->spec.x_title = _("epoch");
  out->spec.y_title = _("loss");
  out->spec.no_x_ticks = out->spec.no_y_ticks = !out->has_values;
  if (n_runs > 0)
    add_legend (plot, style, any_best, out);
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
}

/* Where a run's best epoch and hover dots sit: on the validation line, else the training one */
static double
loss_at (const RecurLossRun *run,
         guint               i)
{
  if (run->val != NULL && isfinite (run->val[i]) && run->val[i] > 0.0)
    return run->val[i];
  return run->train != NULL ? run->train[i] : NAN;
}

/* A dot with a ring of background around it, so that it stands out of crossing lines */
static void
draw_ringed_dot (const RecurFrame     *frame,
                 cairo_t              *cr,
                 double                x,
                 double                y,
                 double                radius,
                 const RecurRgba      *colour,
                 const RecurPlotStyle *style)
{
  recur_frame_draw_dot (frame, cr, x, y, radius + 1.5, &style->background);
  recur_frame_draw_dot (frame, cr, x, y, radius, colour);
}

static void
draw_hover (const RecurLossOverlayPlot *plot,
            const OverlayLayout        *layout,
            cairo_t                    *cr,
            RecurPlotText              *text,
            const RecurPlotStyle       *style)
{
  RecurReadoutLine lines[RECUR_READOUT_MAX_LINES] = { { "", NULL } };
  guint i = (guint) plot->hover, n_lines = 1, hidden = 0;

  if (plot->hover < 0 || i >= layout->epochs || !layout->has_values)
    return;
  g_snprintf (lines[0].text, sizeof lines[0].text, _("epoch %u"), i + 1);
  for (guint r = 0; r < plot->n_runs; r++)
    {
      const RecurLossRun *run = &plot->runs[r];
      double train = run->train != NULL && i < run->n ? run->train[i] : NAN;
      double val = run->val != NULL && i < run->n ? run->val[i] : NAN;
      char name_buf[16], name[48], t[32], v[32];
      RecurReadoutLine *line = &lines[n_lines];

      if (!isfinite (train) && !isfinite (val))
        continue;
      if (n_lines == RECUR_READOUT_MAX_LINES - 1 && r + 1 < plot->n_runs)
        {
          hidden++;
          continue;
        }
      recur_plot_truncate_utf8 (recur_plot_run_name (run->name, r, name_buf, sizeof name_buf),
                                READOUT_NAME_CHARS, name, sizeof name);
      recur_plot_format_value (train, t, sizeof t);
      recur_plot_format_value (val, v, sizeof v);
      if (isfinite (val) && isfinite (train))
        /* TRANSLATORS: a run's losses in the readout: name, validation, training */
        g_snprintf (line->text, sizeof line->text, _("%s: val %s, train %s"), name, v, t);
      else if (isfinite (val))
        g_snprintf (line->text, sizeof line->text, _("%s: val %s"), name, v);
      else
        g_snprintf (line->text, sizeof line->text, _("%s: train %s"), name, t);
      line->swatch = recur_plot_run_colour (style, run->colour, r);
      n_lines++;
    }
  if (hidden > 0)
    g_snprintf (lines[n_lines++].text, sizeof lines[0].text, _("+%u more"), hidden);
  recur_frame_draw_readout (&layout->frame, cr, text, style, i + 1.0, lines, n_lines);
  for (guint r = 0; r < plot->n_runs; r++)
    {
      const RecurLossRun *run = &plot->runs[r];
      const RecurRgba *colour = recur_plot_run_colour (style, run->colour, r);

      if (i >= run->n)
        continue;
      if (run->train != NULL)
        recur_frame_draw_dot (&layout->frame, cr, i + 1.0, run->train[i], 3.0, colour);
      if (run->val != NULL)
        recur_frame_draw_dot (&layout->frame, cr, i + 1.0, run->val[i], 3.5, colour);
    }
}

static void
draw_overlay (const RecurLossOverlayPlot *plot,
              const OverlayLayout        *layout,
              cairo_t                    *cr,
              RecurPlotText              *text,
              const RecurPlotStyle       *style)
{
  const RecurFrame *frame = &layout->frame;
  g_autofree RecurLineData *lines = NULL;
  guint n_runs = plot->runs != NULL ? plot->n_runs : 0;

  recur_frame_draw_axes (frame, &layout->spec, cr, text, style);
  if (!layout->has_values)
    {
      recur_frame_draw_message (frame, cr, text, style,
                                n_runs == 0 ? _("No runs selected") : _("No data yet"));
      return;
    }
  lines = g_new0 (RecurLineData, 2 * n_runs);
  for (guint r = 0; r < n_runs; r++)
    {
      lines[2 * r] = (RecurLineData) { NULL, 1.0, plot->runs[r].train, plot->runs[r].n };
      lines[2 * r + 1] = (RecurLineData) { NULL, 1.0, plot->runs[r].val, plot->runs[r].n };
    }
  cairo_save (cr);
  recur_frame_clip (frame, cr);
  /* training lines underneath: the validation losses are what runs are compared on */
  for (guint r = 0; r < n_runs; r++)
    recur_frame_draw_line (frame, cr, &lines[2 * r],
                           recur_plot_run_colour (style, plot->runs[r].colour, r),
                           layout->has_val ? 1.2 : 1.5, layout->has_val);
  for (guint r = 0; r < n_runs; r++)
    recur_frame_draw_line (frame, cr, &lines[2 * r + 1],
                           recur_plot_run_colour (style, plot->runs[r].colour, r), 1.6, FALSE);
  cairo_restore (cr);
  for (guint r = 0; r < n_runs; r++)
    if (run_has_best (&plot->runs[r]))
      draw_ringed_dot (frame, cr, plot->runs[r].best_epoch,
                       loss_at (&plot->runs[r], plot->runs[r].best_epoch - 1),
                       CLAMP (frame->area.height / 60.0, 2.5, 4.0),
                       recur_plot_run_colour (style, plot->runs[r].colour, r), style);
  recur_frame_draw_legend (frame, &layout->spec, cr, text, style, lines, 2 * n_runs);
  draw_hover (plot, layout, cr, text, style);
}

void
recur_plot_loss_overlay (cairo_t                    *cr,
                         double                      width,
                         double                      height,
                         const RecurLossOverlayPlot *plot,
                         const RecurPlotStyle       *style)
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
overlay_layout_for_style (const RecurLossOverlayPlot *plot,
                          const RecurPlotStyle       *style,
                          double                      width,
                          double                      height,
                          OverlayLayout              *layout)
{
  RecurPlotStyle fallback;
  RecurPlotText measure;

  style = recur_plot_style_or_default (style, &fallback);
  recur_plot_text_init_measure (&measure, style);
  overlay_layout (plot, style, &measure, width, height, layout);
  recur_plot_text_clear (&measure);
}

RecurPlotArea
recur_plot_loss_overlay_area_for_style (const RecurLossOverlayPlot *plot,
                                        const RecurPlotStyle       *style,
                                        double                      width,
                                        double                      height)
{
  OverlayLayout layout;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  overlay_layout_for_style (plot, style, width, height, &layout);
  return layout.frame.area;
}

RecurPlotArea
recur_plot_loss_overlay_area (const RecurLossOverlayPlot *plot,
                              double                      width,
                              double                      height)
{
  return recur_plot_loss_overlay_area_for_style (plot, NULL, width, height);
}

int
recur_plot_loss_overlay_hit_for_style (const RecurLossOverlayPlot *plot,
                                       const RecurPlotStyle       *style,
                                       double                      width,
                                       double                      height,
                                       double                      x)
{
  OverlayLayout layout;
  const RecurPlotArea *a;
  double epoch;

  g_return_val_if_fail (plot != NULL, -1);

  overlay_layout_for_style (plot, style, width, height, &layout);
  a = &layout.frame.area;
  if (!layout.has_values || x < a->x || x > a->x + a->width)
    return -1;
  epoch = round (recur_axis_unmap (&layout.frame.x, x));
  return (int) CLAMP (epoch, 1.0, (double) layout.epochs) - 1;
}

int
recur_plot_loss_overlay_hit (const RecurLossOverlayPlot *plot,
                             double                      width,
                             double                      height,
                             double                      x)
{
  return recur_plot_loss_overlay_hit_for_style (plot, NULL, width, height, x);
}
