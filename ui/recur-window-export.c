/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "recur-fileutil.h"
#include "recur-window-private.h"

/* ---- exports ------------------------------------------------------------------------------ */

typedef struct
{
  RecurWindow *self;
  ExportKind kind;
  char *plot;
} ExportRequest;

static void
export_request_free (ExportRequest *req)
{
  g_free (req->plot);
  g_free (req);
}

static RecurPlotView *
plot_view_named (RecurWindow *self,
                 const char  *name)
{
  if (g_str_equal (name, "series"))
    return self->series_view;
  if (g_str_equal (name, "loss"))
    return self->loss_view;
  if (g_str_equal (name, "predictions"))
    return self->predictions_view;
  if (g_str_equal (name, "heatmap"))
    return self->heatmap_view;
  return self->gradflow_view;
}

/* The same drawing as the widget, without the hover readout and the zoom. */
typedef struct
{
  RecurPlotViewDrawFunc func;
  RecurWindow *self;
} ExportDraw;

static void
draw_for_export (cairo_t              *cr,
                 double                width,
                 double                height,
                 gconstpointer         data,
                 const RecurPlotStyle *style)
{
  const ExportDraw *d = data;
  d->func (cr, width, height, style, -1, 0.0, 1.0, d->self);
}

static gboolean
export_plot (RecurWindow  *self,
             const char   *name,
             const char   *path,
             const char   *size,
             GError      **error)
{
  RecurPlotView *view = plot_view_named (self, name);
  ExportDraw d = { NULL, self };
  RecurPlotFormat format;
  double w = gtk_widget_get_width (GTK_WIDGET (view));
  double h = gtk_widget_get_height (GTK_WIDGET (view));

  if (!recur_plot_format_from_path (path, &format, error))
    return FALSE;
  /* "window": as on screen, the widget's size; else "WxH" */
  if (size && !g_str_equal (size, "window") && sscanf (size, "%lfx%lf", &w, &h) != 2)
    w = h = 0;
  if (w < 1 || h < 1)
    {
      w = 1200;
      h = 600;
    }
  d.func = view == self->series_view ? recur_window_draw_series
           : view == self->loss_view ? recur_window_draw_loss
           : view == self->predictions_view ? recur_window_draw_predictions
           : view == self->heatmap_view ? recur_window_draw_heatmap : recur_window_draw_gradflow;
  return recur_plot_export (draw_for_export, &d, recur_plot_view_get_style (view), format, w, h,
                            path, error);
}

static void
on_export_response (GtkNativeDialog *dialog,
                    int              response,
                    gpointer         user_data)
{
  ExportRequest *req = user_data;
  RecurWindow *self = req->self;
  g_autoptr(GFile) file = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autofree char *chosen = NULL;

      file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      chosen = file ? g_file_get_path (file) : NULL;
      /* written through a symbolic link, as the command line's outputs are */
      path = chosen ? recur_file_resolve_link (chosen, &error) : NULL;
      if (chosen && path == NULL)
        {
          recur_window_show_error (self, error->message);
          g_clear_error (&error);
        }
    }
  g_debug ("export response %d, path %s", response, path ? path : "(none)");
  if (path)
    {
      RecurJob *job = self->run ? recur_run_get_job (self->run) : NULL;
      switch (req->kind)
        {
        case EXPORT_FORECAST:
          ok = recur_job_write_forecast (job, path, &error);
          break;
        case EXPORT_WEIGHTS:
          ok = recur_job_save_weights (job, path, &error);
          break;
        case EXPORT_ONNX:
          ok = recur_job_export_onnx (job, path, &error);
          break;
        case EXPORT_TABLE:
          {
            g_autoptr(RecurComparison) table = recur_window_comparison_of_runs (self);
            ok = recur_comparison_write_csv (table, path, &error);
          }
          break;
        case EXPORT_PLOT:
        default:
          ok = export_plot (self, req->plot, path,
                            gtk_file_chooser_get_choice (GTK_FILE_CHOOSER (dialog), "size"),
                            &error);
          break;
        }
      if (ok)
        {
          g_autofree char *base = g_path_get_basename (path);
          g_autofree char *done = g_strdup_printf (_("Saved %s"), base);
          gtk_label_set_text (self->status_label, done);
        }
      else
        recur_window_show_error (self, error->message);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  export_request_free (req);
}

void
recur_window_ask_export (RecurWindow *self,
                         ExportKind   kind,
                         const char  *plot)
{
  /* the default first: GTK 4.8's dialog shows the first choice whatever set_choice said */
  static const char *const size_ids[] = { "1200x600", "800x400", "1600x800", "2400x1200",
                                          "window", NULL };
  const char *size_labels[] = { "1200 × 600", "800 × 400", "1600 × 800", "2400 × 1200",
                                _("As on screen"), NULL };
  GtkFileChooserNative *dialog;
  GtkFileFilter *filter = gtk_file_filter_new ();
  ExportRequest *req = g_new0 (ExportRequest, 1);
  g_autofree char *name = NULL;
  const char *column = self->run ? recur_job_get_column_name (recur_run_get_job (self->run))
                                 : "series";

  req->self = self;
  req->kind = kind;
  req->plot = g_strdup (plot);
  dialog = gtk_file_chooser_native_new (_("Export"), GTK_WINDOW (self),
                                        GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"), _("_Cancel"));
  switch (kind)
    {
    case EXPORT_FORECAST:
      name = g_strdup_printf ("%s-forecast.csv", column);
      gtk_file_filter_set_name (filter, _("CSV files"));
      gtk_file_filter_add_suffix (filter, "csv");
      break;
    case EXPORT_WEIGHTS:
      name = g_strdup_printf ("%s.safetensors", column);
      gtk_file_filter_set_name (filter, _("safetensors files"));
      gtk_file_filter_add_suffix (filter, "safetensors");
      break;
    case EXPORT_ONNX:
      name = g_strdup_printf ("%s.onnx", column);
      gtk_file_filter_set_name (filter, _("ONNX models"));
      gtk_file_filter_add_suffix (filter, "onnx");
      break;
    case EXPORT_TABLE:
      name = g_strdup_printf ("%s-runs.csv", column);
      gtk_file_filter_set_name (filter, _("CSV files"));
      gtk_file_filter_add_suffix (filter, "csv");
      break;
    case EXPORT_PLOT:
    default:
      name = g_strdup_printf ("%s-%s.png", column, plot);
      gtk_file_filter_set_name (filter, _("Images (PNG, SVG, PDF)"));
      gtk_file_filter_add_suffix (filter, "png");
      gtk_file_filter_add_suffix (filter, "svg");
      gtk_file_filter_add_suffix (filter, "pdf");
      gtk_file_chooser_add_choice (GTK_FILE_CHOOSER (dialog), "size", _("Size"),
                                   (const char **) size_ids, size_labels);
      gtk_file_chooser_set_choice (GTK_FILE_CHOOSER (dialog), "size", "1200x600");
      break;
    }
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (dialog), filter);
  g_object_unref (filter);
  if (self->series)
    {
      /* next to the data it comes from */
      g_autofree char *dirname = g_path_get_dirname (recur_series_get_path (self->series));
      g_autoptr(GFile) folder = g_file_new_for_path (dirname);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, NULL);
    }
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (dialog), TRUE);
  g_signal_connect (dialog, "response", G_CALLBACK (on_export_response), req);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (dialog));
}
