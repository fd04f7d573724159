/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "recur-plot.h"

G_BEGIN_DECLS

/* What a view shows, drawn by its owner with the pure Cairo functions of ui/plot/:
 *   pointer_x  the pointer's x in widget coordinates, or -1 (for the hover readout);
 *   zoom_min, zoom_max  the visible fraction [0, 1] of the x range (zoomable views). */
typedef void (*RecurPlotViewDrawFunc) (cairo_t              *cr,
                                       double                width,
                                       double                height,
                                       const RecurPlotStyle *style,
                                       double                pointer_x,
                                       double                zoom_min,
                                       double                zoom_max,
                                       gpointer              user_data);

#define RECUR_TYPE_PLOT_VIEW (recur_plot_view_get_type ())
G_DECLARE_FINAL_TYPE (RecurPlotView, recur_plot_view, RECUR, PLOT_VIEW, GtkWidget)

GtkWidget *recur_plot_view_new            (void);
void       recur_plot_view_set_draw_func  (RecurPlotView         *self,
                                           RecurPlotViewDrawFunc  func,
                                           gpointer               user_data,
                                           GDestroyNotify         destroy);
/* Scroll zooms the x axis around the pointer, dragging pans, double-click resets. */
void       recur_plot_view_set_zoomable   (RecurPlotView         *self,
                                           gboolean               zoomable);
void       recur_plot_view_reset_zoom     (RecurPlotView         *self);
/* The theme's colours, resolved on css-changed: for drawing and for image export alike. */
const RecurPlotStyle *recur_plot_view_get_style (RecurPlotView   *self);

G_END_DECLS
