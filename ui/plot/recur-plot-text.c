/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-plot-private.h"

/* Unhinted metrics make text as wide in a measuring context as on any surface and at any
 * scale, so margins computed without a cairo_t match the drawn ones. */
static void
set_font_options (PangoContext *context)
{
  cairo_font_options_t *options = cairo_font_options_create ();

  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options (context, options);
  cairo_font_options_destroy (options);
}

static void
setup (RecurPlotText        *text,
       const RecurPlotStyle *style)
{
  /* Points at 96 dpi, given as an absolute size so that no context's resolution matters. */
  double size = CLAMP (style->font_size, 1.0, 500.0) * 96.0 / 72.0;
  const char *family = style->font[0] != '\0' ? style->font : "Sans";

  set_font_options (pango_layout_get_context (text->layout));
  pango_layout_context_changed (text->layout);
  for (guint i = 0; i < RECUR_N_FONTS; i++)
    {
      PangoFontDescription *font = pango_font_description_new ();

      pango_font_description_set_family (font, family);
      pango_font_description_set_absolute_size (font, (i == RECUR_FONT_SMALL ? 0.88 : 1.0)
                                                      * size * PANGO_SCALE);
      if (i == RECUR_FONT_BOLD)
        pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
      text->fonts[i] = font;
    }
  text->em = size;
  text->line_height = 0.0;
  text->small_height = 0.0;

  /* Line heights from a string with an ascender and a descender */
  {
    PangoRectangle logical;

    pango_layout_set_font_description (text->layout, text->fonts[RECUR_FONT_NORMAL]);
    pango_layout_set_text (text->layout, "Ag", -1);
    pango_layout_get_extents (text->layout, NULL, &logical);
    text->line_height = (double) logical.height / PANGO_SCALE;
    pango_layout_set_font_description (text->layout, text->fonts[RECUR_FONT_SMALL]);
    pango_layout_get_extents (text->layout, NULL, &logical);
    text->small_height = (double) logical.height / PANGO_SCALE;
  }
}

void
recur_plot_text_init_measure (RecurPlotText        *text,
                              const RecurPlotStyle *style)
{
  PangoFontMap *map = pango_cairo_font_map_get_default ();  /* one per thread */
  PangoContext *context = pango_font_map_create_context (map);

  text->layout = pango_layout_new (context);
  g_object_unref (context);
  setup (text, style);
}

void
recur_plot_text_init_draw (RecurPlotText        *text,
                           cairo_t              *cr,
                           const RecurPlotStyle *style)
{
  text->layout = pango_cairo_create_layout (cr);
  setup (text, style);
}

void
recur_plot_text_clear (RecurPlotText *text)
{
  for (guint i = 0; i < RECUR_N_FONTS; i++)
    g_clear_pointer (&text->fonts[i], pango_font_description_free);
  g_clear_object (&text->layout);
}

static void
set_text (RecurPlotText *text,
          RecurFont      font,
          const char    *string,
          PangoRectangle *logical)
{
  pango_layout_set_font_description (text->layout, text->fonts[font]);
  pango_layout_set_text (text->layout, string, -1);
  pango_layout_get_extents (text->layout, NULL, logical);
}

double
recur_plot_text_width (RecurPlotText *text,
                       RecurFont      font,
                       const char    *string)
{
  PangoRectangle logical;

  set_text (text, font, string, &logical);
  return (double) logical.width / PANGO_SCALE;
}

void
recur_plot_text_draw (RecurPlotText   *text,
                      cairo_t         *cr,
                      RecurFont        font,
                      const char      *string,
                      double           x,
                      double           y,
                      double           xalign,
                      double           yalign,
                      const RecurRgba *colour)
{
  PangoRectangle logical;
  double w, h;

  set_text (text, font, string, &logical);
  w = (double) logical.width / PANGO_SCALE;
  h = (double) logical.height / PANGO_SCALE;
  cairo_save (cr);
  recur_plot_set_source (cr, colour, 1.0);
  cairo_move_to (cr, x - xalign * w - (double) logical.x / PANGO_SCALE,
                 y - yalign * h - (double) logical.y / PANGO_SCALE);
  pango_cairo_update_layout (cr, text->layout);
  pango_cairo_show_layout (cr, text->layout);
  cairo_restore (cr);
  cairo_new_path (cr);  /* the path is not part of the saved state: drop the current point */
}

void
recur_plot_text_draw_ellipsized (RecurPlotText   *text,
                                 cairo_t         *cr,
                                 RecurFont        font,
                                 const char      *string,
                                 double           x,
                                 double           y,
                                 double           max_width,
                                 const RecurRgba *colour)
{
  if (max_width <= 0.0)
    return;
  pango_layout_set_ellipsize (text->layout, PANGO_ELLIPSIZE_END);
  pango_layout_set_width (text->layout, (int) (max_width * PANGO_SCALE));
  recur_plot_text_draw (text, cr, font, string, x, y, 0.0, 0.0, colour);
  pango_layout_set_width (text->layout, -1);
  pango_layout_set_ellipsize (text->layout, PANGO_ELLIPSIZE_NONE);
}

void
recur_plot_text_draw_vertical (RecurPlotText   *text,
                               cairo_t         *cr,
                               RecurFont        font,
                               const char      *string,
                               double           x,
                               double           y,
                               const RecurRgba *colour)
{
  cairo_save (cr);
  cairo_translate (cr, x, y);
  cairo_rotate (cr, -G_PI / 2.0);
  recur_plot_text_draw (text, cr, font, string, 0.0, 0.0, 0.5, 0.5, colour);
  cairo_restore (cr);
  /* The layout follows the transformation it was last updated with */
  pango_cairo_update_layout (cr, text->layout);
}

void
recur_plot_truncate_utf8 (const char *string,
                          guint       max_chars,
                          char       *buffer,
                          gsize       size)
{
  const char *end = string;
  guint chars = 0;

  g_return_if_fail (size > 0);

  if (string == NULL || !g_utf8_validate (string, -1, NULL))
    {
      g_strlcpy (buffer, "?", size);
      return;
    }
  /* whole characters only, with room for "…" (3 bytes) and the NUL */
  while (*end != '\0' && chars < max_chars)
    {
      const char *next = g_utf8_next_char (end);

      if ((gsize) (next - string) + 4 > size)
        break;
      end = next;
      chars++;
    }
  if (*end == '\0')
    {
      g_strlcpy (buffer, string, size);
      return;
    }
  /* cut one more character for the ellipsis to take its place */
  if (end > string)
    end = g_utf8_prev_char (end);
  memcpy (buffer, string, end - string);
  g_strlcpy (buffer + (end - string), "\xe2\x80\xa6", size - (end - string));
}
