/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The runs table in a real display (Xvfb in CI): its Settings column shows a few settings
 * always and, in bold, every setting of the schema whose value differs between the selected
 * runs, swept ones the table once missed (leak, weight decay) included. SHOT_DIR gets a PNG. */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "recur-runs-view.h"

static gboolean
wake (gpointer data G_GNUC_UNUSED)
{
  return G_SOURCE_CONTINUE;
}

/* Iterates the main loop until cond (data) holds or timeout_ms pass. */
static gboolean
wait_for (gboolean (*cond) (gpointer),
          gpointer   data,
          guint      timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;
  guint tick = g_timeout_add (10, wake, NULL);
  gboolean ok;

  while (!(ok = cond (data)) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (tick);
  return ok;
}

static gboolean
is_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

/* What a mapped widget shows, as PNG, drawn in software whatever the renderer. */
static gboolean
save_widget_png (GtkWidget  *widget,
                 const char *path)
{
  int width = gtk_widget_get_width (widget), height = gtk_widget_get_height (widget);
  GdkPaintable *paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  GskRenderNode *node;
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean ok;

  gdk_paintable_snapshot (paintable, snapshot, width, height);
  g_object_unref (paintable);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    return FALSE;
  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  ok = cairo_surface_write_to_png (surface, path) == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy (surface);
  gsk_render_node_unref (node);
  return ok;
}

/* 200 months of a seasonal series. */
static RecurSeries *
make_series (void)
{
  g_autoptr(GString) csv = g_string_new ("date,value\n");
  g_autoptr(GError) error = NULL;
  RecurSeries *series;

  for (guint i = 0; i < 200; i++)
    g_string_append_printf (csv, "%04u-%02u-01,%u\n", 2000 + i / 12, i % 12 + 1,
                            10 + (i * 7) % 12);
  series = recur_series_load_csv_data (csv->str, csv->len, "seasonal.csv", &error);
  g_assert_no_error (error);
  return series;
}

static RecurRun *
new_run (const char           *name,
         const RecurJobConfig *config,
         RecurSeries          *series)
{
  g_autoptr(GError) error = NULL;
  RecurRun *run = recur_run_new (name, config, series, &error);

  g_assert_no_error (error);
  return run;
}

static void
find_column_view (GtkWidget      *widget,
                  GtkColumnView **found)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c && !*found;
       c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_COLUMN_VIEW (c))
        *found = GTK_COLUMN_VIEW (c);
      find_column_view (c, found);
    }
}

/* The markup of every label of the Settings column (they all name the seed, which every cell
 * uses: an echo state network has no batch size). */
static void
collect_settings (GtkWidget *widget,
                  GPtrArray *markups)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_LABEL (c) && strstr (gtk_label_get_label (GTK_LABEL (c)), "seed "))
        {
          g_auto(GStrv) settings = g_strsplit (gtk_label_get_label (GTK_LABEL (c)), " · ", -1);
          g_autofree char *lines = g_strjoinv ("\n", settings);

          g_ptr_array_add (markups, g_strdup (gtk_label_get_label (GTK_LABEL (c))));
          /* the tooltip lists them a line each, for when the column is too narrow */
          g_assert_cmpstr (gtk_widget_get_tooltip_markup (c), ==, lines);
        }
      collect_settings (c, markups);
    }
}

static gboolean
any_contains (GPtrArray  *markups,
              const char *text)
{
  for (guint i = 0; i < markups->len; i++)
    if (strstr (markups->pdata[i], text))
      return TRUE;
  return FALSE;
}

/* The Settings column's labels after selecting rows first and second, once redrawn. */
static GPtrArray *
settings_of_selection (GtkWidget         *window,
                       GtkWidget         *view,
                       GtkSelectionModel *selection,
                       guint              first,
                       guint              second)
{
  GPtrArray *markups = g_ptr_array_new_with_free_func (g_free);

  gtk_selection_model_select_item (selection, first, TRUE);
  gtk_selection_model_select_item (selection, second, FALSE);
  gtk_test_widget_wait_for_draw (window);
  collect_settings (view, markups);
  for (guint i = 0; i < markups->len; i++)
    g_test_message ("%s", (char *) markups->pdata[i]);
  g_assert_cmpuint (markups->len, ==, 4);
  return markups;
}

static void
test_differing_settings (void)
{
  RecurSeries *series = make_series ();
  g_autoptr(GListStore) runs = g_list_store_new (RECUR_TYPE_RUN);
  GtkWidget *window = gtk_window_new ();
  GtkWidget *view = recur_runs_view_new ();
  GtkColumnView *table = NULL;
  GtkSelectionModel *selection;
  g_autoptr(GPtrArray) leak = NULL;
  g_autoptr(GPtrArray) decay = NULL;
  g_autoptr(GPtrArray) hidden = NULL;
  const char *dir = g_getenv ("SHOT_DIR");
  RecurJobConfig config;

  /* two echo state networks differing only in their leak, two LSTMs only in weight decay */
  recur_job_config_init (&config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_ESN);
  {
    g_autoptr(RecurRun) a = new_run ("esn leak 0.6", &config, series);
    g_autoptr(RecurRun) b = NULL;

    config.model.esn.leak = 0.3f;
    b = new_run ("esn leak 0.3", &config, series);
    g_list_store_append (runs, a);
    g_list_store_append (runs, b);
  }
  recur_job_config_clear (&config);
  recur_job_config_init (&config);
  {
    g_autoptr(RecurRun) c = new_run ("lstm decay 0", &config, series);
    g_autoptr(RecurRun) d = NULL;

    config.train.optimizer.weight_decay = 0.01;
    d = new_run ("lstm decay 0.01", &config, series);
    g_list_store_append (runs, c);
    g_list_store_append (runs, d);
  }
  recur_job_config_clear (&config);

  gtk_window_set_default_size (GTK_WINDOW (window), 1100, 260);
  gtk_window_set_child (GTK_WINDOW (window), view);
  recur_runs_view_set_runs (RECUR_RUNS_VIEW (view), G_LIST_MODEL (runs));
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (is_mapped, view, 5000));
  find_column_view (view, &table);
  g_assert_nonnull (table);
  selection = gtk_column_view_get_model (table);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, 4);

  /* the leak differs: bold and first, in the rows it applies to; what is the same is not
   * listed, nor what does nothing for a run (an ESN's layers, an LSTM's leak) */
  leak = settings_of_selection (window, view, selection, 0, 1);
  g_assert_true (any_contains (leak, "<b>leak 0.6</b>"));
  g_assert_true (any_contains (leak, "<b>leak 0.3</b>"));
  g_assert_false (any_contains (leak, "weight-decay"));
  g_assert_false (any_contains (leak, "spectral-radius"));
  /* then the ones always shown, not bold when the same; a reservoir has no learning rate or
   * batch size */
  g_assert_true (any_contains (leak, "<b>leak 0.3</b> · hidden 100 · window 24 · seed 42"));
  for (guint i = 0; i < leak->len; i++)
    if (strstr (leak->pdata[i], "hidden 32"))
      g_assert_true (g_str_has_prefix (leak->pdata[i], "hidden 32 · layers 1 · window 24"));
  if (dir)
    {
      g_autofree char *path = g_build_filename (dir, "runs-view-differing.png", NULL);

      g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
      g_assert_true (save_widget_png (window, path));
      g_test_message ("wrote %s", path);
    }

  decay = settings_of_selection (window, view, selection, 2, 3);
  g_assert_true (any_contains (decay, "<b>weight-decay 0.01</b>"));
  g_assert_true (any_contains (decay, "<b>weight-decay 0</b>"));
  g_assert_false (any_contains (decay, "leak"));
  g_assert_true (any_contains (decay, "<b>weight-decay 0.01</b> · hidden 32 · layers 1"));

  /* an echo state network and an LSTM: only the hidden units differ (the cell has its column) */
  hidden = settings_of_selection (window, view, selection, 0, 2);
  g_assert_true (any_contains (hidden, "<b>hidden 100</b> · window 24 · seed 42"));
  g_assert_true (any_contains (hidden, "<b>hidden 32</b> · layers 1"));
  g_assert_false (any_contains (hidden, "leak"));
  g_assert_false (any_contains (hidden, "model"));

  gtk_window_destroy (GTK_WINDOW (window));
  recur_series_unref (series);
}

int
main (int    argc,
      char **argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display\n");
      return 0;
    }
  gtk_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ui/runs-view/differing-settings", test_differing_settings);
  return g_test_run ();
}
