/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include "recur-plot-view.h"

#define MIN_ZOOM_SPAN 0.002

struct _RecurPlotView
{
  GtkWidget parent_instance;

  RecurPlotViewDrawFunc func;
  gpointer func_data;
  GDestroyNotify func_destroy;
  RecurPlotStyle style;
  double pointer_x;
  gboolean zoomable;
  double zoom_min, zoom_max;
  double drag_zoom_min;   /* zoom window when the drag began */
};

G_DEFINE_FINAL_TYPE (RecurPlotView, recur_plot_view, GTK_TYPE_WIDGET)

static RecurRgba
rgba_from_gdk (const GdkRGBA *c)
{
  return (RecurRgba) { c->red, c->green, c->blue, c->alpha };
}

/* Light or dark from the theme's text colour, then the theme's own text and background. */
static void
resolve_style (RecurPlotView *self)
{
  GtkStyleContext *context;
  GdkRGBA fg, bg;
  gboolean dark;

  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  context = gtk_widget_get_style_context (GTK_WIDGET (self));
  gtk_style_context_get_color (context, &fg);
  dark = 0.299 * fg.red + 0.587 * fg.green + 0.114 * fg.blue > 0.5;
  recur_plot_style_init (&self->style, dark);
  self->style.foreground = rgba_from_gdk (&fg);
  if (gtk_style_context_lookup_color (context, "view_bg_color", &bg)
      || gtk_style_context_lookup_color (context, "theme_base_color", &bg))
    self->style.background = rgba_from_gdk (&bg);
  G_GNUC_END_IGNORE_DEPRECATIONS
}

static void
recur_plot_view_css_changed (GtkWidget         *widget,
                             GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (recur_plot_view_parent_class)->css_changed (widget, change);
  resolve_style (RECUR_PLOT_VIEW (widget));
  gtk_widget_queue_draw (widget);
}

static void
recur_plot_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  RecurPlotView *self = RECUR_PLOT_VIEW (widget);
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  cairo_t *cr;

  if (w <= 0 || h <= 0 || self->func == NULL)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
  self->func (cr, w, h, &self->style, self->pointer_x, self->zoom_min, self->zoom_max,
              self->func_data);
  cairo_destroy (cr);
}

static void
on_motion (GtkEventControllerMotion *controller,
           double                    x,
           double                    y,
           RecurPlotView            *self)
{
  self->pointer_x = x;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_leave (GtkEventControllerMotion *controller,
          RecurPlotView            *self)
{
  self->pointer_x = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
set_zoom (RecurPlotView *self,
          double         lo,
          double         hi)
{
  double span = CLAMP (hi - lo, MIN_ZOOM_SPAN, 1.0);

  lo = CLAMP (lo, 0.0, 1.0 - span);
  self->zoom_min = lo;
  self->zoom_max = lo + span;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gboolean
on_scroll (GtkEventControllerScroll *controller,
           double                    dx,
           double                    dy,
           RecurPlotView            *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double span = self->zoom_max - self->zoom_min;
  double at = w > 0 && self->pointer_x >= 0 ? self->pointer_x / w : 0.5;
  double focus = self->zoom_min + at * span;
  double factor = dy > 0 ? 1.25 : 0.8;

  if (!self->zoomable || dy == 0)
    return FALSE;
  span *= factor;
  set_zoom (self, focus - at * span, focus - at * span + span);
  return TRUE;
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               RecurPlotView  *self)
{
  self->drag_zoom_min = self->zoom_min;
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          dx,
                double          dy,
                RecurPlotView  *self)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self));
  double span = self->zoom_max - self->zoom_min;

  if (!self->zoomable || w <= 0)
    return;
  set_zoom (self, self->drag_zoom_min - dx / w * span, self->drag_zoom_min - dx / w * span + span);
}

static void
on_pressed (GtkGestureClick *gesture,
            int              n_press,
            double           x,
            double           y,
            RecurPlotView   *self)
{
  if (n_press == 2 && self->zoomable)
    recur_plot_view_reset_zoom (self);
}

static void
recur_plot_view_dispose (GObject *object)
{
  RecurPlotView *self = RECUR_PLOT_VIEW (object);

  if (self->func_destroy)
    g_clear_pointer (&self->func_data, self->func_destroy);
  self->func = NULL;
  G_OBJECT_CLASS (recur_plot_view_parent_class)->dispose (object);
}

static void
recur_plot_view_class_init (RecurPlotViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = recur_plot_view_dispose;
  widget_class->snapshot = recur_plot_view_snapshot;
  widget_class->css_changed = recur_plot_view_css_changed;
  gtk_widget_class_set_css_name (widget_class, "recur-plot-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
recur_plot_view_init (RecurPlotView *self)
{
  GtkEventController *motion = gtk_event_controller_motion_new ();
  GtkEventController *scroll =
    gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_VERTICAL);
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *click = gtk_gesture_click_new ();

  self->pointer_x = -1;
  self->zoom_min = 0.0;
  self->zoom_max = 1.0;
  recur_plot_style_init (&self->style, FALSE);
  gtk_widget_set_focusable (GTK_WIDGET (self), FALSE);

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (GTK_WIDGET (self), scroll);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
recur_plot_view_new (void)
{
  return g_object_new (RECUR_TYPE_PLOT_VIEW, NULL);
}

void
recur_plot_view_set_draw_func (RecurPlotView         *self,
                               RecurPlotViewDrawFunc  func,
                               gpointer               user_data,
                               GDestroyNotify         destroy)
{
  g_return_if_fail (RECUR_IS_PLOT_VIEW (self));
  if (self->func_destroy)
    g_clear_pointer (&self->func_data, self->func_destroy);
  self->func = func;
  self->func_data = user_data;
  self->func_destroy = destroy;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
recur_plot_view_set_zoomable (RecurPlotView *self,
                              gboolean       zoomable)
{
  g_return_if_fail (RECUR_IS_PLOT_VIEW (self));
  self->zoomable = zoomable;
}

void
recur_plot_view_reset_zoom (RecurPlotView *self)
{
  g_return_if_fail (RECUR_IS_PLOT_VIEW (self));
  set_zoom (self, 0.0, 1.0);
}

const RecurPlotStyle *
recur_plot_view_get_style (RecurPlotView *self)
{
  return &self->style;
}
