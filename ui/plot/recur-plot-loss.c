/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "recur-plot-private.h"

/* More learning-rate changes than this are a schedule, not events: they get no labels. */
#define MAX_LABELLED_LR_CHANGES 10
#define MAX_MARKED_LR_CHANGES   40
/* Characters of a run's name in a readout line */
#define READOUT_NAME_CHARS 24

/* One plot draws the loss curves of one run (recur_plot_loss) or of several
 * (recur_plot_loss_overlay), on a log-scale axis over epochs. One run's lines are told apart by
 * colour (training, validation, the best epoch highlighted), with its learning-rate changes
 * and its planned epochs. Several runs take a colour each, their training lines dashed under
 * the validation ones (what runs are compared on), and a legend of their names. */
typedef struct
{
  guint               n_runs;
  const RecurLossRun *runs;    /* [n_runs] */
  gboolean            single;  /* one run, in the colours of its lines rather than its own */
  guint               total;   /* planned epochs: the x axis spans at least 1…total */
  const double       *lr;      /* the single run's learning rate per epoch; may be NULL */
  int                 hover;
  const char         *title;
  guint               n_members;  /* the single run's ensemble's other members, faint */
  const RecurLossRun *members;
} LossInput;

typedef struct
{
  RecurFrame     frame;
  RecurFrameSpec spec;
  gboolean       has_values;
  gboolean       has_val;      /* some run has validation losses */
  gboolean       has_members;  /* some member has a loss to draw */
  RecurRgba      member_colour; /* the validation colour, faint */
  guint          epochs;       /* the x axis spans 1…epochs */
  guint          longest;      /* epochs of the longest run */
  char           names[RECUR_FRAME_MAX_LEGEND][16];  /* "run k" for runs without a name */
  char           more[32];
} LossLayout;

static gboolean
run_has_best (const RecurLossRun *run)
{
  return run->best_epoch > 0 && run->best_epoch <= run->n;
}

/* A line's colour: the single run's by what the line is, several runs' by run */
static const RecurRgba *
line_colour (const LossInput      *in,
             const RecurPlotStyle *style,
             guint                 r,
             gboolean              val)
{
  if (in->single)
    return val ? &style->validation : &style->train;
  return recur_plot_run_colour (style, in->runs[r].colour, r);
}

/* A member's line: its validation loss, or its training loss when it has no validation part */
static const double *
member_line (const RecurLossRun *member)
{
  for (guint i = 0; member->val != NULL && i < member->n; i++)
    if (isfinite (member->val[i]))
      return member->val;
  return member->train;
}

/* ---- layout ------------------------------------------------------------------------------- */

/* The single run's legend: what its lines and its dot are */
static void
add_line_legend (const LossInput      *in,
                 const RecurPlotStyle *style,
                 LossLayout           *out)
{
  if (out->has_values)
    recur_frame_add_legend (&out->spec, _("train"), &style->train, RECUR_MARK_LINE);
  if (out->has_val)
    recur_frame_add_legend (&out->spec, _("validation"), &style->validation, RECUR_MARK_LINE);
  if (out->has_members)
    recur_frame_add_legend (&out->spec, _("members"), &out->member_colour, RECUR_MARK_LINE);
  if (out->has_values && run_has_best (&in->runs[0]))
    recur_frame_add_legend (&out->spec, _("best"), &style->highlight, RECUR_MARK_DOT);
}

/* Several runs' legend: their names, then what solid, dashed and dots mean; runs beyond its
 * room are counted in a last "+k more" */
static void
add_run_legend (const LossInput      *in,
                const RecurPlotStyle *style,
                gboolean              any_best,
                LossLayout           *out)
{
  RecurFrameSpec *spec = &out->spec;
  guint n_keys = (out->has_val ? 2 : 0) + (any_best ? 1 : 0);
  guint room = RECUR_FRAME_MAX_LEGEND - n_keys;
  guint shown = in->n_runs <= room ? in->n_runs : room - 1;

  for (guint r = 0; r < shown; r++)
    recur_frame_add_legend (spec, recur_plot_run_name (in->runs[r].name, r, out->names[r],
                                                       sizeof out->names[r]),
                            line_colour (in, style, r, TRUE), RECUR_MARK_LINE);
  if (shown < in->n_runs)
    {
      /* TRANSLATORS: more runs than the legend has room for */
      g_snprintf (out->more, sizeof out->more, _("+%u more"), in->n_runs - shown);
      recur_frame_add_legend (spec, out->more, &style->muted, RECUR_MARK_NONE);
    }
  if (out->has_val)
    {
      recur_frame_add_legend (spec, _("validation"), &style->muted, RECUR_MARK_LINE);
      recur_frame_add_legend (spec, _("train"), &style->muted, RECUR_MARK_DASHED);
    }
  if (any_best)
    recur_frame_add_legend (spec, _("best"), &style->muted, RECUR_MARK_DOT);
}

static void
loss_layout (gconstpointer         data,
             const RecurPlotStyle *style,
             RecurPlotText        *text,
             double                width,
             double                height,
             gpointer              layout)
{
  const LossInput *in = data;
  LossLayout *out = layout;
  double y_min = INFINITY, y_max = -INFINITY;
  gboolean any_best = FALSE;
  guint members_longest = 0;

  *out = (LossLayout) { 0 };
  for (guint r = 0; r < in->n_runs; r++)
    {
      const RecurLossRun *run = &in->runs[r];
      gboolean has_train = recur_plot_range (run->train, run->n, TRUE, &y_min, &y_max);
      gboolean has_val = recur_plot_range (run->val, run->n, TRUE, &y_min, &y_max);

      out->longest = MAX (out->longest, run->n);
      out->has_val |= has_val;
      any_best |= (has_train || has_val) && run_has_best (run);
    }
  /* the members' lines fit in too: a member that learns worse is worth seeing */
  for (guint k = 0; k < in->n_members; k++)
    {
      const double *line = member_line (&in->members[k]);

      out->has_members |= recur_plot_range (line, in->members[k].n, TRUE, &y_min, &y_max);
      members_longest = MAX (members_longest, in->members[k].n);
    }
  out->member_colour = style->validation;
  out->member_colour.a *= RECUR_PLOT_MEMBER_ALPHA;
  out->has_values = y_min <= y_max;
  /* the hover reads the runs' own epochs (longest); the axis spans the members' too */
  out->epochs = MAX (MAX (in->total, MAX (out->longest, members_longest)), 1);

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

  out->spec.title = in->title;
  out->spec.x_title = _("epoch");
  out->spec.y_title = _("loss");
  /* no epoch planned or trained: ticks would be made up */
  out->spec.no_x_ticks = in->total == 0 && out->longest == 0;
  out->spec.no_y_ticks = !out->has_values;
  if (in->single)
    add_line_legend (in, style, out);
  else if (in->n_runs > 0)
    add_run_legend (in, style, any_best, out);
  recur_frame_layout (&out->frame, &out->spec, text, width, height);
}

/* ---- drawing ------------------------------------------------------------------------------ */

/* Where a run's best epoch and hover dots sit: on the validation line, else the training one */
static double
loss_at (const RecurLossRun *run,
         guint               i)
{
  if (run->val != NULL && isfinite (run->val[i]) && run->val[i] > 0.0)
    return run->val[i];
  return run->train != NULL ? run->train[i] : NAN;
}

static gboolean
lr_changes_at (const double *lr,
               guint         i)
{
  return i > 0 && isfinite (lr[i]) && isfinite (lr[i - 1]) && lr[i] != lr[i - 1];
}

static guint
count_lr_changes (const double *lr,
                  guint         n)
{
  guint changes = 0;

  for (guint i = 1; lr != NULL && i < n; i++)
    changes += lr_changes_at (lr, i);
  return changes;
}

/* Dotted lines where the single run's learning rate changed, labelled with the factor while
 * there are few */
static void
draw_lr_changes (const LossInput      *in,
                 const LossLayout     *layout,
                 cairo_t              *cr,
                 RecurPlotText        *text,
                 const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &layout->frame.area;
  const double *lr = in->lr;
  guint n = in->runs[0].n, changes = count_lr_changes (lr, n);
  double label_end = -INFINITY, dots[] = { 1.0, 3.0 };

  if (changes == 0 || changes > MAX_MARKED_LR_CHANGES)
    return;
  for (guint i = 1; i < n; i++)
    {
      double px;
      char label[64], factor[32];

      if (!lr_changes_at (lr, i))
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
      recur_plot_format_value (lr[i - 1] != 0.0 ? lr[i] / lr[i - 1] : NAN, factor,
                               sizeof factor);
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

/* The single run's best epoch: a dashed line down the area and a dot */
static void
draw_best_line (const RecurLossRun   *run,
                const LossLayout     *layout,
                cairo_t              *cr,
                const RecurPlotStyle *style)
{
  const RecurPlotArea *a = &layout->frame.area;
  double dashes[] = { 4.0, 3.0 }, px;

  px = recur_plot_snap (cr, recur_axis_map (&layout->frame.x, run->best_epoch), TRUE);
  cairo_save (cr);
  cairo_set_line_width (cr, 1.0);
  cairo_set_dash (cr, dashes, 2, 0.0);
  recur_plot_set_source (cr, &style->highlight, 1.0);
  cairo_move_to (cr, px, a->y);
  cairo_line_to (cr, px, a->y + a->height);
  cairo_stroke (cr);
  cairo_restore (cr);
  recur_frame_draw_dot (&layout->frame, cr, run->best_epoch, loss_at (run, run->best_epoch - 1),
                        4.0, &style->highlight);
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
draw_best (const LossInput      *in,
           const LossLayout     *layout,
           cairo_t              *cr,
           const RecurPlotStyle *style)
{
  const RecurFrame *frame = &layout->frame;

  for (guint r = 0; r < in->n_runs; r++)
    {
      const RecurLossRun *run = &in->runs[r];

      if (!run_has_best (run))
        continue;
      if (in->single)
        draw_best_line (run, layout, cr, style);
      else
        draw_ringed_dot (frame, cr, run->best_epoch, loss_at (run, run->best_epoch - 1),
                         CLAMP (frame->area.height / 60.0, 2.5, 4.0),
                         line_colour (in, style, r, TRUE), style);
    }
}

/* The single run's readout: its losses by name, and the learning rate */
static guint
add_line_readout (const LossInput      *in,
                  guint                 i,
                  const RecurPlotStyle *style,
                  RecurReadoutLine     *lines)
{
  const RecurLossRun *run = &in->runs[0];
  char value[32];
  guint n_lines = 1;

  recur_plot_format_value (run->train != NULL ? run->train[i] : NAN, value, sizeof value);
  g_snprintf (lines[n_lines].text, sizeof lines[n_lines].text, "%s %s", _("train"), value);
  lines[n_lines++].swatch = &style->train;
  if (run->val != NULL && isfinite (run->val[i]))
    {
      recur_plot_format_value (run->val[i], value, sizeof value);
      g_snprintf (lines[n_lines].text, sizeof lines[n_lines].text, "%s %s", _("validation"), value);
      lines[n_lines++].swatch = &style->validation;
    }
  if (in->lr != NULL)
    {
      recur_plot_format_value (in->lr[i], value, sizeof value);
      g_snprintf (lines[n_lines++].text, sizeof lines[0].text, _("learning rate %s"), value);
    }
  return n_lines;
}

/* Several runs' readout: a line a run, as many as the box holds, then "+k more" */
static guint
add_run_readout (const LossInput      *in,
                 guint                 i,
                 const RecurPlotStyle *style,
                 RecurReadoutLine     *lines)
{
  guint n_lines = 1, hidden = 0;

  for (guint r = 0; r < in->n_runs; r++)
    {
      const RecurLossRun *run = &in->runs[r];
      double train = run->train != NULL && i < run->n ? run->train[i] : NAN;
      double val = run->val != NULL && i < run->n ? run->val[i] : NAN;
      char name_buf[16], name[48], t[32], v[32];
      RecurReadoutLine *line = &lines[n_lines];

      if (!isfinite (train) && !isfinite (val))
        continue;
      if (n_lines == RECUR_READOUT_MAX_LINES - 1 && r + 1 < in->n_runs)
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
      line->swatch = line_colour (in, style, r, TRUE);
      n_lines++;
    }
  if (hidden > 0)
    g_snprintf (lines[n_lines++].text, sizeof lines[0].text, _("+%u more"), hidden);
  return n_lines;
}

static void
draw_hover (const LossInput      *in,
            const LossLayout     *layout,
            cairo_t              *cr,
            RecurPlotText        *text,
            const RecurPlotStyle *style)
{
  RecurReadoutLine lines[RECUR_READOUT_MAX_LINES] = { { "", NULL } };
  guint i = (guint) in->hover, n_lines;

  if (in->hover < 0 || i >= layout->longest || !layout->has_values)
    return;
  g_snprintf (lines[0].text, sizeof lines[0].text, _("epoch %u"), i + 1);
  n_lines = in->single ? add_line_readout (in, i, style, lines)
                       : add_run_readout (in, i, style, lines);
  recur_frame_draw_readout (&layout->frame, cr, text, style, i + 1.0, lines, n_lines);
  for (guint r = 0; r < in->n_runs; r++)
    {
      const RecurLossRun *run = &in->runs[r];

      if (i >= run->n)
        continue;
      if (run->train != NULL)
        recur_frame_draw_dot (&layout->frame, cr, i + 1.0, run->train[i], in->single ? 3.5 : 3.0,
                              line_colour (in, style, r, FALSE));
      if (run->val != NULL)
        recur_frame_draw_dot (&layout->frame, cr, i + 1.0, run->val[i], 3.5,
                              line_colour (in, style, r, TRUE));
    }
}

static void
draw_loss (gconstpointer         data,
           gconstpointer         laid_out,
           cairo_t              *cr,
           RecurPlotText        *text,
           const RecurPlotStyle *style)
{
  const LossInput *in = data;
  const LossLayout *layout = laid_out;
  const RecurFrame *frame = &layout->frame;
  /* several runs: training dashed, where there are validation lines to tell it from */
  gboolean dashed = !in->single && layout->has_val;
  g_autofree RecurLineData *lines = NULL;

  recur_frame_draw_axes (frame, &layout->spec, cr, text, style);
  if (!layout->has_values)
    {
      recur_frame_draw_message (frame, cr, text, style,
                                in->n_runs == 0 ? _("No runs selected")
                                : layout->longest == 0 ? _("No data yet")
                                : _("No values to show"));
      return;
    }
  lines = g_new0 (RecurLineData, 2 * in->n_runs);
  for (guint r = 0; r < in->n_runs; r++)
    {
      lines[2 * r] = (RecurLineData) { NULL, 1.0, in->runs[r].train, in->runs[r].n };
      lines[2 * r + 1] = (RecurLineData) { NULL, 1.0, in->runs[r].val, in->runs[r].n };
    }
  cairo_save (cr);
  recur_frame_clip (frame, cr);
  if (in->lr != NULL)
    draw_lr_changes (in, layout, cr, text, style);
  /* an ensemble's other members, thin and faint under the run's own lines */
  for (guint k = 0; k < in->n_members; k++)
    {
      RecurLineData member = { NULL, 1.0, member_line (&in->members[k]), in->members[k].n };

      recur_frame_draw_line (frame, cr, &member, &layout->member_colour, 1.0, FALSE);
    }
  /* training lines underneath: the validation losses are what runs are compared on */
  for (guint r = 0; r < in->n_runs; r++)
    recur_frame_draw_line (frame, cr, &lines[2 * r], line_colour (in, style, r, FALSE),
                           dashed ? 1.2 : 1.5, dashed);
  for (guint r = 0; r < in->n_runs; r++)
    recur_frame_draw_line (frame, cr, &lines[2 * r + 1], line_colour (in, style, r, TRUE),
                           in->single ? 1.5 : 1.6, FALSE);
  cairo_restore (cr);
  draw_best (in, layout, cr, style);
  recur_frame_draw_legend (frame, &layout->spec, cr, text, style, lines, 2 * in->n_runs);
  draw_hover (in, layout, cr, text, style);
}

static RecurPlotArea
loss_area (const LossInput      *in,
           const RecurPlotStyle *style,
           double                width,
           double                height)
{
  LossLayout layout;

  recur_plot_measure_layout (loss_layout, in, style, width, height, &layout);
  return layout.frame.area;
}

/* The epoch index (0-based) under widget x, clamped to the longest run; -1 outside the area,
 * with nothing drawn, or when the area is empty (nothing to unmap x over) */
static int
loss_hit (const LossInput      *in,
          const RecurPlotStyle *style,
          double                width,
          double                height,
          double                x)
{
  LossLayout layout;
  const RecurPlotArea *a;
  double epoch;

  recur_plot_measure_layout (loss_layout, in, style, width, height, &layout);
  a = &layout.frame.area;
  if (!layout.has_values || a->width <= 0.0 || x < a->x || x > a->x + a->width)
    return -1;
  epoch = round (recur_axis_unmap (&layout.frame.x, x));
  return (int) CLAMP (epoch, 1.0, (double) layout.longest) - 1;
}

/* ---- one run ------------------------------------------------------------------------------ */

static LossInput
single_run (const RecurLossPlot *plot,
            RecurLossRun        *run)
{
  *run = (RecurLossRun) { NULL, 0, plot->n, plot->train, plot->val, plot->best_epoch };
  return (LossInput) { .n_runs = 1, .runs = run, .single = TRUE, .total = plot->total,
                       .lr = plot->lr, .hover = plot->hover, .n_members = plot->n_members,
                       .members = plot->members };
}

void
recur_plot_loss (cairo_t              *cr,
                 double                width,
                 double                height,
                 const RecurLossPlot  *plot,
                 const RecurPlotStyle *style)
{
  RecurLossRun run;
  LossInput in;
  LossLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  in = single_run (plot, &run);
  recur_plot_draw_layout (cr, width, height, &in, style, loss_layout, draw_loss, &layout);
}

RecurPlotArea
recur_plot_loss_area_for_style (const RecurLossPlot  *plot,
                                const RecurPlotStyle *style,
                                double                width,
                                double                height)
{
  RecurLossRun run;
  LossInput in;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  in = single_run (plot, &run);
  return loss_area (&in, style, width, height);
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
  RecurLossRun run;
  LossInput in;

  g_return_val_if_fail (plot != NULL, -1);

  in = single_run (plot, &run);
  return loss_hit (&in, style, width, height, x);
}

int
recur_plot_loss_hit (const RecurLossPlot *plot,
                     double               width,
                     double               height,
                     double               x)
{
  return recur_plot_loss_hit_for_style (plot, NULL, width, height, x);
}

/* ---- several runs ------------------------------------------------------------------------- */

static LossInput
several_runs (const RecurLossOverlayPlot *plot)
{
  return (LossInput) { .n_runs = plot->runs != NULL ? plot->n_runs : 0, .runs = plot->runs,
                       .hover = plot->hover, .title = plot->title };
}

void
recur_plot_loss_overlay (cairo_t                    *cr,
                         double                      width,
                         double                      height,
                         const RecurLossOverlayPlot *plot,
                         const RecurPlotStyle       *style)
{
  LossInput in;
  LossLayout layout;

  g_return_if_fail (cr != NULL);
  g_return_if_fail (plot != NULL);

  in = several_runs (plot);
  recur_plot_draw_layout (cr, width, height, &in, style, loss_layout, draw_loss, &layout);
}

RecurPlotArea
recur_plot_loss_overlay_area_for_style (const RecurLossOverlayPlot *plot,
                                        const RecurPlotStyle       *style,
                                        double                      width,
                                        double                      height)
{
  LossInput in;

  g_return_val_if_fail (plot != NULL, (RecurPlotArea) { 0 });

  in = several_runs (plot);
  return loss_area (&in, style, width, height);
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
  LossInput in;

  g_return_val_if_fail (plot != NULL, -1);

  in = several_runs (plot);
  return loss_hit (&in, style, width, height, x);
}

int
recur_plot_loss_overlay_hit (const RecurLossOverlayPlot *plot,
                             double                      width,
                             double                      height,
                             double                      x)
{
  return recur_plot_loss_overlay_hit_for_style (plot, NULL, width, height, x);
}
