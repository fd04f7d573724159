/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-plot"
#include "config.h"

#include <math.h>
#include <string.h>

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <glib/gi18n-lib.h>

#include "recur-fileutil.h"
#include "recur-plot-private.h"

#define MAX_SIZE 20000.0

gboolean
recur_plot_format_from_path (const char       *path,
                             RecurPlotFormat  *format,
                             GError          **error)
{
  const char *base, *dot;
  g_autofree char *extension = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (format != NULL, FALSE);

  base = strrchr (path, G_DIR_SEPARATOR);
  dot = strrchr (base != NULL ? base : path, '.');
  if (dot == NULL || dot[1] == '\0')
    {
      g_set_error (error, RECUR_PLOT_ERROR, RECUR_PLOT_ERROR_FORMAT,
                   _("“%s” has no file extension: use .png, .svg or .pdf"), path);
      return FALSE;
    }
  extension = g_ascii_strdown (dot + 1, -1);
  if (g_str_equal (extension, "png"))
    *format = RECUR_PLOT_FORMAT_PNG;
  else if (g_str_equal (extension, "svg"))
    *format = RECUR_PLOT_FORMAT_SVG;
  else if (g_str_equal (extension, "pdf"))
    *format = RECUR_PLOT_FORMAT_PDF;
  else
    {
      g_set_error (error, RECUR_PLOT_ERROR, RECUR_PLOT_ERROR_FORMAT,
                   _("Unknown plot format “%s”: use .png, .svg or .pdf"), dot);
      return FALSE;
    }
  return TRUE;
}

static cairo_status_t
append_to_array (void                *closure,
                 const unsigned char *data,
                 unsigned int         length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

static cairo_surface_t *
create_surface (RecurPlotFormat  format,
                double           width,
                double           height,
                GByteArray      *out)
{
  switch (format)
    {
    case RECUR_PLOT_FORMAT_SVG:
      return cairo_svg_surface_create_for_stream (append_to_array, out, width, height);
    case RECUR_PLOT_FORMAT_PDF:
      return cairo_pdf_surface_create_for_stream (append_to_array, out, width, height);
    case RECUR_PLOT_FORMAT_PNG:
    default:
      return cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) ceil (width),
                                         (int) ceil (height));
    }
}

static gboolean
check_status (cairo_status_t   status,
              GError         **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, RECUR_PLOT_ERROR, RECUR_PLOT_ERROR_CAIRO,
               _("Could not draw the plot: %s"), cairo_status_to_string (status));
  return FALSE;
}

/* An opaque page: a translucent theme background is composed over white */
static void
paint_background (cairo_t              *cr,
                  const RecurPlotStyle *style)
{
  cairo_set_source_rgb (cr, 1.0, 1.0, 1.0);
  cairo_paint (cr);
  recur_plot_set_source (cr, &style->background, 1.0);
  cairo_paint (cr);
}

static gboolean
render (RecurPlotDrawFunc      draw,
        gconstpointer          plot,
        const RecurPlotStyle  *style,
        RecurPlotFormat        format,
        double                 width,
        double                 height,
        GByteArray            *out,
        GError               **error)
{
  cairo_surface_t *surface = create_surface (format, width, height, out);
  cairo_status_t status = cairo_surface_status (surface);
  cairo_t *cr;

  if (status == CAIRO_STATUS_SUCCESS)
    {
      cr = cairo_create (surface);
      paint_background (cr, style);
      draw (cr, width, height, plot, style);
      status = cairo_status (cr);
      cairo_destroy (cr);
    }
  if (status == CAIRO_STATUS_SUCCESS && format == RECUR_PLOT_FORMAT_PNG)
    status = cairo_surface_write_to_png_stream (surface, append_to_array, out);
  else if (status == CAIRO_STATUS_SUCCESS)
    {
      /* the vector surfaces write their last bytes on finishing */
      cairo_surface_finish (surface);
      status = cairo_surface_status (surface);
    }
  cairo_surface_destroy (surface);
  return check_status (status, error);
}

gboolean
recur_plot_export (RecurPlotDrawFunc     draw,
                   gconstpointer         plot,
                   const RecurPlotStyle *style,
                   RecurPlotFormat       format,
                   double                width,
                   double                height,
                   const char           *path,
                   GError              **error)
{
  g_autoptr(GByteArray) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  RecurPlotStyle fallback;

  g_return_val_if_fail (draw != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (format <= RECUR_PLOT_FORMAT_PDF, FALSE);

  if (!(width >= 1.0 && width <= MAX_SIZE && height >= 1.0 && height <= MAX_SIZE))
    {
      g_set_error (error, RECUR_PLOT_ERROR, RECUR_PLOT_ERROR_SIZE,
                   _("Cannot export a plot of %g × %g: each side must be 1 to %g"),
                   width, height, MAX_SIZE);
      return FALSE;
    }
  style = recur_plot_style_or_default (style, &fallback);
  bytes = g_byte_array_new ();
  if (!render (draw, plot, style, format, width, height, bytes, error))
    return FALSE;
  if (!recur_file_write_atomic (path, (const char *) bytes->data, bytes->len, &local_error))
    {
      /* the message names the file and the reason */
      g_set_error_literal (error, RECUR_PLOT_ERROR, RECUR_PLOT_ERROR_WRITE, local_error->message);
      return FALSE;
    }
  return TRUE;
}
