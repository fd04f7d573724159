/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "recur-plot-private.h"

G_DEFINE_QUARK (recur-plot-error-quark, recur_plot_error)

static RecurRgba
rgb (guint32 hex)
{
  return (RecurRgba) {
    ((hex >> 16) & 0xff) / 255.0,
    ((hex >> 8) & 0xff) / 255.0,
    (hex & 0xff) / 255.0,
    1.0,
  };
}

/* Runs compared side by side: Okabe and Ito's palette first (blue, orange, green and pink tell
 * apart under every common colour-vision deficiency), then two of Paul Tol's muted colours.
 * Black and grey are left out: they are the observed series and the baseline. */
static const guint32 categorical_light[RECUR_PLOT_N_CATEGORICAL] = {
  0x0072b2, 0xe69f00, 0x009e73, 0xcc79a7, 0xd55e00, 0x56b4e9, 0x882255, 0x999933,
};
static const guint32 categorical_dark[RECUR_PLOT_N_CATEGORICAL] = {
  0x56b4e9, 0xe69f00, 0x2cc197, 0xe28fc0, 0xf2703a, 0xf0e442, 0xb48ce8, 0xb3b35c,
};

/* Viridis (van der Walt and Smith): perceptually uniform, legible in grey and under the common
 * colour-vision deficiencies, and as clear on a dark background as on a light one. */
static const guint32 viridis[RECUR_PLOT_N_SEQUENTIAL] = {
  0x440154, 0x472c7a, 0x3b518b, 0x2c718e, 0x21908d, 0x27ad81, 0x5cc863, 0xaadc32, 0xfde725,
};

/* Okabe and Ito's palette for the lines, ColorBrewer's RdBu ends for the heatmap: both stay
 * distinct under the common colour-vision deficiencies. The dark theme takes lighter variants
 * where the light ones would sink into #1e1e1e. */
void
recur_plot_style_init (RecurPlotStyle *style,
                       gboolean        dark)
{
  g_return_if_fail (style != NULL);

  memset (style, 0, sizeof *style);
  if (dark)
    {
      style->background = rgb (0x1e1e1e);
      style->foreground = rgb (0xeeeeee);
      style->grid = rgb (0x3a3a3a);
      style->muted = rgb (0x9a9a9a);
      style->train = rgb (0x56b4e9);
      style->validation = rgb (0xe69f00);
      style->test = rgb (0xd55e00);
      style->actual = rgb (0xdddddd);
      style->predicted = rgb (0x56b4e9);
      style->baseline = rgb (0x8c8c8c);
      style->forecast = rgb (0x2cc197);
      style->theta = rgb (0xe28fc0);
      style->negative = rgb (0x4393c3);
      style->positive = rgb (0xd6604d);
      style->highlight = rgb (0xe28fc0);
    }
  else
    {
      style->background = rgb (0xffffff);
      style->foreground = rgb (0x222222);
      style->grid = rgb (0xe3e3e3);
      style->muted = rgb (0x707070);
      style->train = rgb (0x0072b2);
      style->validation = rgb (0xe69f00);
      style->test = rgb (0xd55e00);
      style->actual = rgb (0x333333);
      style->predicted = rgb (0x0072b2);
      style->baseline = rgb (0x8c8c8c);
      style->forecast = rgb (0x009e73);
      style->theta = rgb (0xcc79a7);
      style->negative = rgb (0x2166ac);
      style->positive = rgb (0xb2182b);
      style->highlight = rgb (0xcc79a7);
    }
  for (guint i = 0; i < RECUR_PLOT_N_CATEGORICAL; i++)
    style->categorical[i] = rgb (dark ? categorical_dark[i] : categorical_light[i]);
  for (guint i = 0; i < RECUR_PLOT_N_SEQUENTIAL; i++)
    style->sequential[i] = rgb (viridis[i]);
  g_strlcpy (style->font, "Sans", sizeof style->font);
  style->font_size = 9.0;
}

const RecurPlotStyle *
recur_plot_style_or_default (const RecurPlotStyle *style,
                             RecurPlotStyle       *fallback)
{
  if (style != NULL)
    return style;
  recur_plot_style_init (fallback, FALSE);
  return fallback;
}

void
recur_plot_set_source (cairo_t         *cr,
                       const RecurRgba *colour,
                       double           alpha)
{
  cairo_set_source_rgba (cr, colour->r, colour->g, colour->b, colour->a * alpha);
}

RecurRgba
recur_plot_mix (const RecurRgba *from,
                const RecurRgba *to,
                double           t)
{
  return (RecurRgba) {
    from->r + (to->r - from->r) * t,
    from->g + (to->g - from->g) * t,
    from->b + (to->b - from->b) * t,
    from->a + (to->a - from->a) * t,
  };
}

RecurRgba
recur_plot_colour_map (const RecurRgba *stops,
                       guint            n_stops,
                       double           t)
{
  double s;
  guint i;

  if (n_stops == 0)
    return (RecurRgba) { 0.5, 0.5, 0.5, 1.0 };
  if (n_stops == 1 || !isfinite (t))
    return stops[0];
  s = CLAMP (t, 0.0, 1.0) * (n_stops - 1);
  i = MIN ((guint) s, n_stops - 2);
  return recur_plot_mix (&stops[i], &stops[i + 1], s - i);
}

const RecurRgba *
recur_plot_run_colour (const RecurPlotStyle *style,
                       guint                 slot,
                       guint                 position)
{
  return &style->categorical[(slot > 0 ? slot - 1 : position) % RECUR_PLOT_N_CATEGORICAL];
}

const char *
recur_plot_run_name (const char *name,
                     guint       position,
                     char       *buffer,
                     gsize       size)
{
  if (name != NULL && name[0] != '\0')
    return name;
  /* TRANSLATORS: a training run without a name, numbered from 1 */
  g_snprintf (buffer, size, _("run %u"), position + 1);
  return buffer;
}

double
recur_plot_hairline (cairo_t *cr)
{
  double dx = 1.0, dy = 0.0;

  cairo_device_to_user_distance (cr, &dx, &dy);
  return MAX (hypot (dx, dy), 1e-6);
}

double
recur_plot_snap (cairo_t  *cr,
                 double    v,
                 gboolean  along_x)
{
  double x = along_x ? v : 0.0, y = along_x ? 0.0 : v;

  cairo_user_to_device (cr, &x, &y);
  if (along_x)
    x = floor (x) + 0.5;
  else
    y = floor (y) + 0.5;
  cairo_device_to_user (cr, &x, &y);
  return along_x ? x : y;
}

double
recur_plot_fill_alpha (const RecurPlotStyle *style,
                       double                alpha)
{
  const RecurRgba *bg = &style->background;
  double luminance = 0.2126 * bg->r + 0.7152 * bg->g + 0.0722 * bg->b;

  return luminance < 0.5 ? 0.75 * alpha : alpha;
}

gboolean
recur_plot_range (const double *values,
                  guint         n,
                  gboolean      positive_only,
                  double       *min,
                  double       *max)
{
  gboolean any = FALSE;

  if (values == NULL)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      double v = values[i];

      if (!isfinite (v) || (positive_only && v <= 0.0))
        continue;
      *min = MIN (*min, v);
      *max = MAX (*max, v);
      any = TRUE;
    }
  return any;
}
