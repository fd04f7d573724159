/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Plot exports (PNG, SVG, PDF) with the C library's file calls failing at every step of the
 * atomic write (tests/preload/fault-check.h): the error names the file and the reason, nothing
 * is left behind, the previous file is intact and the same export then succeeds. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "fault-check.h"
#include "recur-plot.h"

#define N_EPOCHS 30

static double train[N_EPOCHS], val[N_EPOCHS], lr[N_EPOCHS];
static RecurLossPlot plot;

static void
draw_loss (cairo_t              *cr,
           double                width,
           double                height,
           gconstpointer         data,
           const RecurPlotStyle *style)
{
  recur_plot_loss (cr, width, height, data, style);
}

static gboolean
export_as (RecurPlotFormat  format,
           const char      *path,
           GError         **error)
{
  return recur_plot_export (draw_loss, &plot, NULL, format, 640, 320, path, error);
}

static gboolean
export_png (const char  *path,
            GError     **error)
{
  return export_as (RECUR_PLOT_FORMAT_PNG, path, error);
}

static gboolean
export_svg (const char  *path,
            GError     **error)
{
  return export_as (RECUR_PLOT_FORMAT_SVG, path, error);
}

static gboolean
export_pdf (const char  *path,
            GError     **error)
{
  return export_as (RECUR_PLOT_FORMAT_PDF, path, error);
}

/* Cairo dates a PDF to the second: "/CreationDate (D:20250101120000Z)" loses its digits. */
static GBytes *
blank_pdf_date (GBytes *bytes)
{
  gsize n;
  const char *data = g_bytes_get_data (bytes, &n);
  char *copy = g_memdup2 (data, n);
  const char key[] = "/CreationDate (D:";
  gsize k = strlen (key);

  /* the file holds NUL bytes (compressed streams): no strstr */
  for (gsize i = 0; i + k <= n; i++)
    if (memcmp (copy + i, key, k) == 0)
      {
        for (gsize j = i + k; j < n && copy[j] != ')'; j++)
          copy[j] = '0';
        break;
      }
  return g_bytes_new_take (copy, n);
}

/* Cairo numbers its SVG surfaces across the process: "<g id="surface6">" loses its number. */
static GBytes *
blank_svg_ids (GBytes *bytes)
{
  gsize n;
  const char *data = g_bytes_get_data (bytes, &n);
  const char key[] = "id=\"surface";
  GString *out = g_string_sized_new (n);

  for (gsize i = 0; i < n; i++)
    {
      g_string_append_c (out, data[i]);
      if (out->len >= strlen (key) && memcmp (out->str + out->len - strlen (key), key,
                                              strlen (key)) == 0)
        while (i + 1 < n && g_ascii_isdigit (data[i + 1]))
          i++;
    }
  return g_string_free_to_bytes (out);
}

static const WritePath export_paths[] = {
  { "loss.png", export_png, recur_plot_error_quark, RECUR_PLOT_ERROR_WRITE },
  { "loss.svg", export_svg, recur_plot_error_quark, RECUR_PLOT_ERROR_WRITE, blank_svg_ids },
  { "loss.pdf", export_pdf, recur_plot_error_quark, RECUR_PLOT_ERROR_WRITE, blank_pdf_date },
};

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  for (guint i = 0; i < N_EPOCHS; i++)
    {
      train[i] = exp (-(double) i / 8.0);
      val[i] = 1.2 * exp (-(double) i / 9.0);
      lr[i] = 1e-3;
    }
  plot = (RecurLossPlot) { .n = N_EPOCHS, .total = N_EPOCHS, .train = train, .val = val,
                           .lr = lr, .best_epoch = 12, .hover = -1 };
  for (guint i = 0; i < G_N_ELEMENTS (export_paths); i++)
    {
      g_autofree char *name = g_strdup_printf ("/plot/faults/%s", export_paths[i].name);
      g_test_add_data_func (name, &export_paths[i], test_write_path);
    }
  return g_test_run ();
}
