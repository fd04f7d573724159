/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The main window in a real display (Xvfb in CI): open a CSV, train, watch, stop, export,
 * and bad input shown without losing the loaded series. SHOT_DIR gets PNGs to look at. */
#include "config.h"

#include <glib/gstdio.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "fault-inject.h"
#include "recur-cores.h"
#include "recur-model-io.h"
#include "recur-params-panel.h"
#include "recur-plot-view.h"
#include "recur-project.h"
#include "recur-window.h"
#include "../test-tmp.h"

static gboolean
wake (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
wait_for (gboolean (*cond) (gpointer),
          gpointer  data,
          guint     timeout_ms)
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
save_widget_png (GtkWidget  *w,
                 const char *name)
{
  const char *dir = g_getenv ("SHOT_DIR");
  g_autofree char *path = NULL;
  GdkPaintable *p;
  int width = gtk_widget_get_width (w), height = gtk_widget_get_height (w);
  GtkSnapshot *snap;
  GskRenderNode *node;
  cairo_surface_t *s;
  cairo_t *cr;
  gboolean ok;

  if (dir == NULL)
    return TRUE;
  g_mkdir_with_parents (dir, 0755);
  path = g_build_filename (dir, name, NULL);
  p = gtk_widget_paintable_new (w);
  snap = gtk_snapshot_new ();
  gdk_paintable_snapshot (p, snap, width, height);
  g_object_unref (p);
  node = gtk_snapshot_free_to_node (snap);
  if (node == NULL)
    return FALSE;
  s = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, width, height);
  cr = cairo_create (s);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  gsk_render_node_draw (node, cr);
  cairo_destroy (cr);
  ok = cairo_surface_write_to_png (s, path) == CAIRO_STATUS_SUCCESS;
  cairo_surface_destroy (s);
  gsk_render_node_unref (node);
  return ok;
}

static char *
data_file (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", name, NULL);
}

static gboolean
is_mapped (gpointer w)
{
  return gtk_widget_get_mapped (w);
}

static gboolean
is_loaded (gpointer w)
{
  return !recur_window_is_loading (w) && recur_window_get_series (w) != NULL;
}

static gboolean
not_loading (gpointer w)
{
  return !recur_window_is_loading (w);
}

static gboolean
is_revealed (gpointer r)
{
  return gtk_revealer_get_child_revealed (r);
}

static gboolean
not_training (gpointer w)
{
  return !recur_window_is_training (w);
}

static gboolean
has_epochs (gpointer w)
{
  RecurRun *run = recur_window_get_run (w);
  return run && recur_run_get_n_epochs (run) >= 3 && recur_run_get_states (run) != NULL;
}

static GtkWidget *
find_by_name (GtkWidget  *root,
              GType       type,
              const char *label)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;
      if (G_TYPE_CHECK_INSTANCE_TYPE (c, type)
          && (label == NULL
              || (GTK_IS_LABEL (c) && g_strcmp0 (gtk_label_get_label (GTK_LABEL (c)), label) == 0)))
        return c;
      if ((found = find_by_name (c, type, label)))
        return found;
    }
  return NULL;
}

/* The first label under root whose text (markup removed) is text (whole) or contains it. */
static GtkLabel *
find_label (GtkWidget  *root,
            const char *text,
            gboolean    whole)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkLabel *found;

      if (GTK_IS_LABEL (c) && (whole ? g_str_equal (gtk_label_get_text (GTK_LABEL (c)), text)
                                     : strstr (gtk_label_get_text (GTK_LABEL (c)), text) != NULL))
        return GTK_LABEL (c);
      if ((found = find_label (c, text, whole)))
        return found;
    }
  return NULL;
}

static GtkLabel *
find_label_containing (GtkWidget  *root,
                       const char *needle)
{
  return find_label (root, needle, FALSE);
}

static GtkLabel *
find_label_exactly (GtkWidget  *root,
                    const char *text)
{
  return find_label (root, text, TRUE);
}

/* Whether the button bound to action (as "win.stop-runs") can be clicked: a disabled action
 * leaves its buttons insensitive. */
static gboolean
action_button_enabled (GtkWidget  *root,
                       const char *action)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_BUTTON (c)
          && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (c)), action) == 0)
        return gtk_widget_is_sensitive (c);
      if (gtk_widget_get_first_child (c) && action_button_enabled (c, action))
        return TRUE;
    }
  return FALSE;
}

static GtkWidget *
find_button_labelled (GtkWidget  *root,
                      const char *label)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (GTK_IS_BUTTON (c) && g_strcmp0 (gtk_button_get_label (GTK_BUTTON (c)), label) == 0)
        return c;
      if ((found = find_button_labelled (c, label)))
        return found;
    }
  return NULL;
}

static gboolean
is_null (gpointer pointer_to)
{
  return *(gpointer *) pointer_to == NULL;
}

/* The toplevel window with this title, or NULL. */
static GtkWidget *
find_window_titled (const char *title)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);

      if (g_strcmp0 (gtk_window_get_title (w), title) == 0)
        return GTK_WIDGET (w);
    }
  return NULL;
}

static GtkWindow *
new_window (void)
{
  GtkWidget *win = recur_window_new (NULL);
  g_autofree char *csv = data_file ("nottingham_temperature.csv");

  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
  gtk_window_present (GTK_WINDOW (win));
  g_assert_true (wait_for (is_mapped, win, 10000));
  recur_window_open_path (RECUR_WINDOW (win), csv);
  g_assert_true (wait_for (is_loaded, win, 10000));
  return GTK_WINDOW (win);
}

static RecurParamsPanel *
panel_of (GtkWindow *win)
{
  return RECUR_PARAMS_PANEL (find_by_name (GTK_WIDGET (win), RECUR_TYPE_PARAMS_PANEL, NULL));
}

/* The panel's configuration, into config (initialised here; the caller clears it). */
static void
read_panel (GtkWindow      *win,
            RecurJobConfig *config)
{
  recur_job_config_init (config);
  recur_params_panel_get_config (panel_of (win), config);
}

/* config back into the panel (as Duplicate and Edit puts it), then cleared. */
static void
write_panel (GtkWindow      *win,
             RecurJobConfig *config)
{
  recur_params_panel_set_config (panel_of (win), config);
  recur_job_config_clear (config);
}

static void
set_epochs (GtkWindow *win,
            guint      epochs)
{
  RecurJobConfig config;

  read_panel (win, &config);
  config.train.epochs = epochs;
  config.train.patience = 0;
  write_panel (win, &config);
}

/* The panel's model: an echo state network's defaults, an ensemble of n of them. */
static void
set_reservoirs (GtkWindow *win,
                guint      n)
{
  RecurJobConfig config;

  read_panel (win, &config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_ESN);
  config.ensemble = n;
  write_panel (win, &config);
}

/* The check button of the input column called name, or NULL when there is none. */
static GtkCheckButton *
input_check (GtkWidget  *root,
             const char *name)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkCheckButton *found;

      if (GTK_IS_CHECK_BUTTON (c)
          && g_strcmp0 (gtk_check_button_get_label (GTK_CHECK_BUTTON (c)), name) == 0)
        return GTK_CHECK_BUTTON (c);
      if ((found = input_check (c, name)))
        return found;
    }
  return NULL;
}

/* Inputs: a check button per numeric column but the one to forecast; those ticked are the
 * run's input columns, and the button says which. Choosing a ticked column as the target takes
 * it out of the inputs. */
static void
test_input_columns (void)
{
  GtkWindow *win = new_window ();
  g_autofree char *csv = data_file ("eu_stock_markets.csv");
  const RecurJobConfig *config;
  GtkDropDown *column;
  RecurRun *run;

  recur_window_open_path (RECUR_WINDOW (win), csv);
  g_assert_true (wait_for (is_loaded, win, 10000));
  g_assert_true (wait_for (not_loading, win, 10000));
  g_assert_null (input_check (GTK_WIDGET (win), "dax")); /* the target */
  g_assert_nonnull (input_check (GTK_WIDGET (win), "ftse"));
  g_assert_nonnull (find_by_name (GTK_WIDGET (win), GTK_TYPE_LABEL, "None"));
  gtk_check_button_set_active (input_check (GTK_WIDGET (win), "smi"), TRUE);
  gtk_check_button_set_active (input_check (GTK_WIDGET (win), "ftse"), TRUE);
  g_assert_nonnull (find_by_name (GTK_WIDGET (win), GTK_TYPE_LABEL, "smi, ftse"));

  set_reservoirs (win, 1);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL));
  g_assert_true (wait_for (not_training, win, 30000));
  run = recur_window_get_run (RECUR_WINDOW (win));
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
  config = recur_job_get_config (recur_run_get_job (run));
  g_assert_cmpuint (g_strv_length (config->inputs), ==, 2);
  g_assert_cmpstr (config->inputs[0], ==, "smi");
  g_assert_cmpstr (config->inputs[1], ==, "ftse");
  g_assert_cmpuint (recur_model_get_spec (recur_job_get_model (recur_run_get_job (run)))
                      ->input_size, ==, 3);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-inputs.png"));

  /* smi becomes the target: it leaves the inputs, dax joins them unticked, ftse stays */
  column = GTK_DROP_DOWN (find_by_name (GTK_WIDGET (win), GTK_TYPE_DROP_DOWN, NULL));
  gtk_drop_down_set_selected (column, 1);
  g_assert_null (input_check (GTK_WIDGET (win), "smi"));
  g_assert_false (gtk_check_button_get_active (input_check (GTK_WIDGET (win), "dax")));
  g_assert_true (gtk_check_button_get_active (input_check (GTK_WIDGET (win), "ftse")));
  g_assert_nonnull (find_by_name (GTK_WIDGET (win), GTK_TYPE_LABEL, "ftse"));
  gtk_window_destroy (win);
}

/* Open the bundled series, train, watch the views fill, and read the results. */
static void
test_train_and_watch (void)
{
  GtkWindow *win = new_window ();
  RecurRun *run;
  const RecurEvaluation *ev;
  RecurSeries *series = recur_window_get_series (RECUR_WINDOW (win));

  g_assert_cmpuint (recur_series_get_n_rows (series), ==, 240);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-loaded.png"));

  set_epochs (win, 60);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL));
  g_assert_true (recur_window_is_training (RECUR_WINDOW (win)));
  g_assert_true (wait_for (has_epochs, win, 30000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-training.png"));
  g_assert_true (wait_for (not_training, win, 60000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-trained.png"));

  run = recur_window_get_run (RECUR_WINDOW (win));
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
  g_assert_cmpuint (recur_run_get_n_epochs (run), ==, 60);
  ev = recur_job_get_evaluation (recur_run_get_job (run));
  g_assert_nonnull (ev);
  g_assert_cmpfloat (ev->model_metrics.mase, <, ev->naive_metrics.mase);
  g_assert_nonnull (recur_run_get_predictions (run));
  /* the status line is a real label reporting the end */
  g_assert_nonnull (find_by_name (GTK_WIDGET (win), GTK_TYPE_LABEL, NULL));
  /* the metrics line says where the season came from */
  g_assert_cmpuint (ev->season, ==, 12);
  g_assert_nonnull (find_label_containing (GTK_WIDGET (win),
                                           "seasonal naive (12, from the dates) MASE "));
  gtk_window_destroy (win);
}

static RecurRun *resumed_run;

static gboolean
has_more_epochs (gpointer want)
{
  return recur_run_get_n_epochs (resumed_run) >= GPOINTER_TO_UINT (want);
}

/* Stop keeps the best weights; the run ends within a moment. */
static void
test_stop (void)
{
  GtkWindow *win = new_window ();
  RecurRun *run;

  /* before any run, nothing to stop, resume or rename */
  g_assert_false (action_button_enabled (GTK_WIDGET (win), "win.stop-runs"));
  g_assert_false (action_button_enabled (GTK_WIDGET (win), "win.rename-run"));
  set_epochs (win, 100000);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL);
  g_assert_true (wait_for (has_epochs, win, 30000));
  /* the table's buttons follow the selected run, which trains */
  g_assert_true (action_button_enabled (GTK_WIDGET (win), "win.stop-runs"));
  g_assert_false (action_button_enabled (GTK_WIDGET (win), "win.resume-runs"));
  g_assert_true (action_button_enabled (GTK_WIDGET (win), "win.rename-run"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.stop", NULL));
  g_assert_true (wait_for (not_training, win, 5000));
  run = recur_window_get_run (RECUR_WINDOW (win));
  resumed_run = run;
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_STOPPED);
  g_assert_nonnull (recur_job_get_evaluation (recur_run_get_job (run)));
  g_assert_false (action_button_enabled (GTK_WIDGET (win), "win.stop-runs"));
  g_assert_true (action_button_enabled (GTK_WIDGET (win), "win.resume-runs"));

  /* Resume goes on from the epoch it stopped at */
  {
    guint stopped_at = recur_run_get_n_epochs (run);
    g_assert_true (recur_run_can_resume (run));
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.resume-runs", NULL));
    g_assert_true (recur_window_is_training (RECUR_WINDOW (win)));
    g_assert_true (wait_for (has_more_epochs, GUINT_TO_POINTER (stopped_at + 2), 30000));
    recur_run_stop (run);
    g_assert_true (wait_for (not_training, win, 5000));
    g_assert_cmpuint (recur_run_get_n_epochs (run), >=, stopped_at + 2);
    g_assert_cmpuint (recur_run_get_last_progress (run)->epoch, ==, recur_run_get_n_epochs (run));
  }
  gtk_window_destroy (win);
}

/* A bad file: the message names the place, the loaded series stays. */
static void
test_bad_input_keeps_the_series (void)
{
  GtkWindow *win = new_window ();
  RecurSeries *before = recur_window_get_series (RECUR_WINDOW (win));
  g_autofree char *dir = test_temp_dir ("recur-ui-XXXXXX");
  g_autofree char *bad = g_build_filename (dir, "bad.csv", NULL);
  GtkRevealer *revealer;

  g_assert_true (g_file_set_contents (bad, "date,v\n2020-01-01,1\n2020-02-01,x\n", -1, NULL));
  recur_window_open_path (RECUR_WINDOW (win), bad);
  g_assert_true (wait_for (not_loading, win, 10000));
  g_assert_true (recur_window_get_series (RECUR_WINDOW (win)) == before);
  g_assert_nonnull (recur_window_get_error_text (RECUR_WINDOW (win)));
  g_assert_nonnull (strstr (recur_window_get_error_text (RECUR_WINDOW (win)), "bad.csv:3:2:"));
  /* the message is on screen, in a real label, once the banner has slid in */
  revealer = GTK_REVEALER (find_by_name (GTK_WIDGET (win), GTK_TYPE_REVEALER, NULL));
  g_assert_true (wait_for (is_revealed, revealer, 5000));
  g_assert_nonnull (find_by_name (GTK_WIDGET (win), GTK_TYPE_LABEL,
                                  recur_window_get_error_text (RECUR_WINDOW (win))));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-bad-input.png"));
  g_unlink (bad);
  g_rmdir (dir);
  gtk_window_destroy (win);
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) w = g_list_model_get_item (toplevels, i);
      if (G_TYPE_CHECK_INSTANCE_TYPE (w, type) && gtk_widget_get_visible (GTK_WIDGET (w)))
        return w;
    }
  return NULL;
}

static gboolean
dialog_shown (gpointer type)
{
  return find_toplevel ((GType) GPOINTER_TO_SIZE (type)) != NULL;
}

typedef struct
{
  GtkFileChooser *chooser;
  GFile *want;
} ChooserWait;

static gboolean
chooser_has_file (gpointer data)
{
  ChooserWait *w = data;
  g_autoptr(GFile) file = gtk_file_chooser_get_file (w->chooser);
  return file != NULL && g_file_equal (file, w->want);
}

static gboolean
chooser_lost_file (gpointer data)
{
  return !chooser_has_file (data);
}

static gboolean
not_dialog_shown (gpointer type)
{
  return !dialog_shown (type);
}

static gboolean
file_exists (gpointer path)
{
  return g_file_test (path, G_FILE_TEST_EXISTS);
}

static gboolean
window_gone (gpointer weak)
{
  return *(gpointer *) weak == NULL;
}

static gboolean
chooser_gone_or_asks (gpointer data)
{
  return !dialog_shown (GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG))
         || dialog_shown (GSIZE_TO_POINTER (GTK_TYPE_MESSAGE_DIALOG));
}

/* Saves through the real GtkFileChooserNative (a GtkFileChooserDialog without a portal), saying
 * Replace if the file exists; returns once the dialog is gone (the save has been tried). */
/* The size a plot's export dialog is set to before saving, as its list shows it ("800 × 400",
 * "As on screen"), or NULL. */
static const char *export_size;

/* The export dialog's list of sizes: the drop-down whose strings include "800 × 400". */
static GtkDropDown *
size_drop_down (GtkWidget *root)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkDropDown *found;

      if (GTK_IS_DROP_DOWN (c) && GTK_IS_STRING_LIST (gtk_drop_down_get_model (GTK_DROP_DOWN (c))))
        {
          GListModel *m = gtk_drop_down_get_model (GTK_DROP_DOWN (c));

          for (guint i = 0; i < g_list_model_get_n_items (m); i++)
            if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (m), i), "800 × 400"))
              return GTK_DROP_DOWN (c);
        }
      if ((found = size_drop_down (c)))
        return found;
    }
  return NULL;
}

static void
choose_save_path (GtkWindow  *win,
                  const char *action,
                  GVariant   *target,
                  const char *path)
{
  GtkFileChooser *chooser;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFile) folder = g_file_get_parent (file);
  g_autofree char *name = g_file_get_basename (file);
  ChooserWait w;

  g_assert_true (gtk_widget_activate_action_variant (GTK_WIDGET (win), action, target));
  g_assert_true (wait_for (dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG), 10000));
  chooser = GTK_FILE_CHOOSER (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  /* let the dialog finish setting itself up (it picks a start folder once mapped) */
  g_assert_true (wait_for (is_mapped, chooser, 5000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (chooser));
  /* a save dialog takes a folder and a name; the folder loads asynchronously, and on a loaded
   * machine the dialog's own start folder can finish loading after ours and replace it: set
   * them again until they hold over a draw and a moment more */
  w.chooser = chooser;
  w.want = file;
  for (guint attempt = 0; attempt < 5; attempt++)
    {
      g_assert_true (gtk_file_chooser_set_current_folder (chooser, folder, NULL));
      gtk_file_chooser_set_current_name (chooser, name);
      if (!wait_for (chooser_has_file, &w, 5000))
        continue;
      gtk_test_widget_wait_for_draw (GTK_WIDGET (chooser));
      if (!wait_for (chooser_lost_file, &w, 200))
        break;
    }
  g_assert_true (chooser_has_file (&w));
  if (export_size != NULL)
    {
      /* a plot's dialog offers its sizes, 1200 × 600 chosen at first; another is picked in
       * its drop-down, as a person does (GTK 4.8's dialog ignores set_choice) */
      GtkDropDown *sizes = size_drop_down (GTK_WIDGET (chooser));

      g_assert_nonnull (sizes);
      g_assert_cmpstr (gtk_file_chooser_get_choice (chooser, "size"), ==, "1200x600");
      g_assert_cmpuint (gtk_drop_down_get_selected (sizes), ==, 0);
      for (guint i = 0; i < g_list_model_get_n_items (gtk_drop_down_get_model (sizes)); i++)
        if (g_str_equal (gtk_string_list_get_string (GTK_STRING_LIST (
                           gtk_drop_down_get_model (sizes)), i), export_size))
          gtk_drop_down_set_selected (sizes, i);
    }
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_widget_activate (gtk_dialog_get_widget_for_response (GTK_DIALOG (chooser),
                                                           GTK_RESPONSE_ACCEPT));
  g_assert_true (wait_for (chooser_gone_or_asks, NULL, 10000));
  if (dialog_shown (GSIZE_TO_POINTER (GTK_TYPE_MESSAGE_DIALOG)))
    gtk_dialog_response (GTK_DIALOG (find_toplevel (GTK_TYPE_MESSAGE_DIALOG)),
                         GTK_RESPONSE_ACCEPT); /* "A file named … already exists": Replace */
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_true (wait_for (not_dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG),
                           10000));
}

static void
save_through_chooser (GtkWindow  *win,
                      const char *action,
                      GVariant   *target,
                      const char *path)
{
  choose_save_path (win, action, target, path);
  g_assert_true (wait_for (file_exists, (gpointer) path, 10000));
}

/* A PNG file's width and height, from its IHDR chunk. */
static void
assert_png_size (const char *path,
                 int         width,
                 int         height)
{
  g_autofree guchar *bytes = NULL;
  gsize n = 0;

  g_assert_true (g_file_get_contents (path, (char **) &bytes, &n, NULL));
  g_assert_cmpuint (n, >, 24);
  g_assert_cmpint ((bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19], ==,
                   width);
  g_assert_cmpint ((bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23], ==,
                   height);
}

/* After training: forecast, weights and a plot written where the user chose. */
static void
test_exports (void)
{
  GtkWindow *win = new_window ();
  g_autofree char *dir = test_temp_dir ("recur-export-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "forecast.csv", NULL);
  g_autofree char *weights = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *svg = g_build_filename (dir, "loss.svg", NULL);
  g_autofree char *onnx = g_build_filename (dir, "model.onnx", NULL);
  g_autofree char *png = g_build_filename (dir, "series.png", NULL);
  g_autofree char *text = NULL;
  GtkWidget *series_view;

  set_epochs (win, 5);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL);
  g_assert_true (wait_for (has_epochs, win, 30000));
  g_assert_true (wait_for (not_training, win, 30000));

  save_through_chooser (win, "win.export-forecast", NULL, csv);
  g_assert_true (g_file_get_contents (csv, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "timestamp,mean_temp_f,kind\n1939-01-01,"));
  save_through_chooser (win, "win.export-weights", NULL, weights);
  save_through_chooser (win, "win.export-onnx", NULL, onnx);
  g_clear_pointer (&text, g_free);
  /* an ONNX ModelProto: field 1, ir_version 8, comes first */
  g_assert_true (g_file_get_contents (onnx, &text, NULL, NULL));
  g_assert_true (g_str_has_prefix (text, "\x08\x08"));
  save_through_chooser (win, "win.export-plot", g_variant_new_string ("loss"), svg);
  g_clear_pointer (&text, g_free);
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<svg"));
  /* a PNG at the size chosen: one of the list, or as the plot is on screen */
  export_size = "800 × 400";
  save_through_chooser (win, "win.export-plot", g_variant_new_string ("series"), png);
  assert_png_size (png, 800, 400);
  g_assert_cmpint (g_remove (png), ==, 0);
  export_size = "As on screen";
  save_through_chooser (win, "win.export-plot", g_variant_new_string ("series"), png);
  export_size = NULL;
  series_view = find_by_name (GTK_WIDGET (win), RECUR_TYPE_PLOT_VIEW, NULL); /* the first */
  g_assert_nonnull (series_view);
  g_assert_cmpint (gtk_widget_get_width (series_view), !=, 1200);
  assert_png_size (png, gtk_widget_get_width (series_view), gtk_widget_get_height (series_view));
  gtk_window_destroy (win);
}

static const char previous_export[] = "the previous version\n";

static guint
count_entries (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  guint n = 0;

  g_assert_nonnull (dir);
  while (g_dir_read_name (dir))
    n++;
  return n;
}

static gboolean all_runs_done (gpointer win);

/* Every export, with one step of its write failing (the C library's call, through
 * tests/preload/fault-inject.c): the window shows the error naming the file and the reason, the
 * file keeps its previous bytes, no temporary file is left, and the same export then works. */
static void
test_export_faults (void)
{
  static const struct
  {
    const char *action;
    const char *plot;
    const char *name;
    const char *fault;
    const char *reason;
    const char *starts;   /* what the written file begins with */
  } exports[] = {
    { "win.export-forecast", NULL, "forecast.csv", "open:1:ENOSPC", "No space left on device",
      "timestamp,mean_temp_f,kind\n" },
    { "win.export-weights", NULL, "model.safetensors", "write:1:EIO", "Input/output error", "" },
    { "win.export-onnx", NULL, "model.onnx", "open:1:ENOSPC", "No space left on device",
      "\x08\x08" },
    { "win.export-plot", "loss", "loss.png", "short-write:1:ENOSPC", "No space left on device",
      "\x89PNG" },
    { "win.export-plot", "predictions", "predictions.svg", "fsync:1:EIO", "Input/output error",
      "<?xml" },
    { "win.export-plot", "series", "series.pdf", "close:1:EIO", "Input/output error", "%PDF" },
    { "win.export-table", NULL, "runs.csv", "rename:1:ENOSPC", "No space left on device",
      "rank,best,name," },
  };
  GtkWindow *win = new_window ();
  g_autofree char *dir = test_temp_dir ("recur-export-faults-XXXXXX");
  RecurRun *run;

  set_epochs (win, 5);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL);
  g_assert_true (wait_for (all_runs_done, win, 30000));
  run = recur_window_get_run (RECUR_WINDOW (win));
  for (guint i = 0; i < G_N_ELEMENTS (exports); i++)
    {
      g_autofree char *path = g_build_filename (dir, exports[i].name, NULL);
      g_autofree char *text = NULL;
      GVariant *target = exports[i].plot ? g_variant_new_string (exports[i].plot) : NULL;
      const char *shown;
      gsize len;

      g_assert_true (g_file_set_contents (path, previous_export, -1, NULL));
      recur_fault_set (exports[i].fault, dir);
      choose_save_path (win, exports[i].action, target, path);
      g_assert_cmpuint (recur_fault_injected (), >=, 1);
      recur_fault_set (NULL, NULL);
      shown = recur_window_get_error_text (RECUR_WINDOW (win));
      g_test_message ("%s with %s: %s", exports[i].name, exports[i].fault, shown);
      g_assert_nonnull (shown);
      g_assert_nonnull (strstr (shown, path));
      g_assert_nonnull (strstr (shown, exports[i].reason));
      g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
      g_assert_cmpstr (text, ==, previous_export);
      g_assert_cmpuint (count_entries (dir), ==, i + 1); /* the files so far, no temporary one */

      /* nothing was lost: the same export, again */
      target = exports[i].plot ? g_variant_new_string (exports[i].plot) : NULL;
      choose_save_path (win, exports[i].action, target, path);
      g_clear_pointer (&text, g_free);
      g_assert_true (g_file_get_contents (path, &text, &len, NULL));
      g_assert_cmpstr (text, !=, previous_export);
      g_assert_true (len >= strlen (exports[i].starts)
                     && memcmp (text, exports[i].starts, strlen (exports[i].starts)) == 0);
    }
  /* the weights exported after the failure are the run's */
  {
    g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
    g_autoptr(GError) error = NULL;
    g_autoptr(RecurModel) model = recur_model_load (path, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (recur_model_peek_params (model),
                     recur_model_get_n_params (model) * sizeof (float),
                     recur_model_peek_params (recur_job_get_model (recur_run_get_job (run))),
                     recur_model_get_n_params (model) * sizeof (float));
  }
  g_assert_cmpuint (count_entries (dir), ==, G_N_ELEMENTS (exports));
  gtk_window_destroy (win);
}

/* Closing while training asks first; "Stop and Close" stops the run, then closes. */
static void
test_close_while_training_asks (void)
{
  GtkWindow *win = new_window ();
  gpointer weak = win;
  GtkWindow *dialog;
  RecurRun *run;

  set_epochs (win, 100000);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL);
  g_assert_true (wait_for (has_epochs, win, 30000));
  run = g_object_ref (recur_window_get_run (RECUR_WINDOW (win)));
  g_object_add_weak_pointer (G_OBJECT (win), &weak);
  gtk_window_close (win);
  g_assert_true (wait_for (dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_MESSAGE_DIALOG), 5000));
  g_assert_nonnull (weak); /* still open: it asked */
  dialog = find_toplevel (GTK_TYPE_MESSAGE_DIALOG);
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  g_assert_true (wait_for (window_gone, &weak, 10000));
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_STOPPED);
  g_object_unref (run);
}

static gboolean
run_replaced_and_done (gpointer data)
{
  gpointer *pair = data; /* window, previous run */
  RecurRun *run = recur_window_get_run (pair[0]);
  return run != NULL && run != pair[1] && !recur_run_is_active (run);
}

/* An echo state network is fitted in one shot; moving a slider re-fits it by itself. */
static void
test_esn_refits_instantly (void)
{
  GtkWindow *win = new_window ();
  RecurParamsPanel *panel = panel_of (win);
  RecurJobConfig config;
  RecurRun *first;
  gpointer pair[2];
  const RecurEvaluation *ev;

  read_panel (win, &config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_ESN);
  recur_params_panel_set_config (panel, &config);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL));
  g_assert_true (wait_for (not_training, win, 30000));
  first = recur_window_get_run (RECUR_WINDOW (win));
  g_assert_cmpint (recur_run_get_status (first), ==, RECUR_RUN_FINISHED);
  g_assert_cmpuint (recur_run_get_n_epochs (first), ==, 1);
  ev = recur_job_get_evaluation (recur_run_get_job (first));
  g_assert_cmpfloat (ev->model_metrics.mase, <, ev->naive_metrics.mase);

  /* a new spectral radius: a new fit, without clicking Train */
  config.model.esn.spectral_radius = 0.8f;
  pair[0] = win;
  pair[1] = first;
  recur_params_panel_set_config (panel, &config);
  g_assert_true (wait_for (run_replaced_and_done, pair, 30000));
  g_assert_cmpfloat (recur_job_get_config (recur_run_get_job (recur_window_get_run (RECUR_WINDOW (win))))
                       ->model.esn.spectral_radius, ==, 0.8f);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-esn.png"));
  recur_job_config_clear (&config);
  gtk_window_destroy (win);
}

/* An ensemble (the panel's Ensemble row): Train trains its members and the predictions view
 * shows each faintly behind their median, which is what the run scores. */
static void
test_ensemble_members_shown (void)
{
  GtkWindow *win = new_window ();
  RecurJobConfig config;
  RecurRun *run;
  RecurPredictionSnapshot *p;
  const RecurEvaluation *ev;

  set_reservoirs (win, 5);
  read_panel (win, &config);
  g_assert_cmpuint (config.ensemble, ==, 5); /* the panel holds it */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL));
  g_assert_true (wait_for (not_training, win, 30000));
  run = recur_window_get_run (RECUR_WINDOW (win));
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
  ev = recur_job_get_evaluation (recur_run_get_job (run));
  g_assert_cmpuint (ev->n_members, ==, 5);
  p = recur_run_get_predictions (run);
  g_assert_cmpuint (p->n_members, ==, 5);
  g_assert_cmpmem (p->predicted + (p->n - ev->n_test), ev->n_test * sizeof (double),
                   ev->forecast, ev->n_test * sizeof (double));
  /* every member told its epoch and its end (the status line's and the table's counts) */
  for (guint k = 0; k < 5; k++)
    {
      const RecurMemberEpoch *m = recur_run_get_member_epoch (run, k);

      g_assert_nonnull (m);
      g_assert_true (m->ended);
      g_assert_cmpuint (m->epoch, ==, 1);
      g_assert_cmpuint (m->epochs, ==, 1);
    }
  g_assert_null (recur_run_get_member_epoch (run, 5));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-ensemble.png"));
  recur_job_config_clear (&config);
  gtk_window_destroy (win);
}

static gboolean
members_training (gpointer win)
{
  RecurRun *run = recur_window_get_run (win);
  const RecurMemberEpoch *m1 = run ? recur_run_get_member_epoch (run, 1) : NULL;
  guint ended, training;

  return m1 && m1->epoch >= 2 && recur_run_count_members (run, &ended, &training) == 3
         && training == 2;
}

static gboolean
first_member_best_shown (gpointer win)
{
  return find_label_containing (GTK_WIDGET (win), " · first member’s best epoch ") != NULL;
}

/* An ensemble of gradient-trained networks in the window, with two runs at once: member 0
 * trains on the run's worker and member 1 at once on the spare core, member 2 waiting for a
 * core; the status line and the table count them, the status line with member 0's best epoch;
 * Stop keeps the members that trained (0 and 1), not member 2, which never started. */
static void
test_ensemble_status_and_stop (void)
{
  GtkWindow *win;
  RecurJobConfig config;
  RecurRun *run;
  GtkLabel *status;
  guint ended, training;

  win = new_window ();
  /* Runs at Once is the cores training takes */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "settings.runs-at-once", "i", 2));
  g_assert_cmpuint (recur_cores_get_total (), ==, 2);
  read_panel (win, &config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_GRU);
  config.model.hidden_size = 8;
  config.train.epochs = 1000;
  config.train.patience = 0;
  config.ensemble = 3;
  write_panel (win, &config);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL));
  g_assert_true (wait_for (members_training, win, 60000));
  status = find_label_containing (GTK_WIDGET (win), "Ensemble: 0 of 3 members done, 2 training · ");
  g_assert_nonnull (status);
  g_assert_nonnull (strstr (gtk_label_get_text (status), " elapsed · about "));
  /* and member 0's best epoch so far, as one network's status says its own */
  g_assert_true (wait_for (first_member_best_shown, win, 10000));
  status = find_label_containing (GTK_WIDGET (win), " · first member’s best epoch ");
  g_assert_nonnull (strstr (gtk_label_get_text (status), "(validation loss "));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (win), "2 training · 0/3 done"));
  run = recur_window_get_run (RECUR_WINDOW (win));
  g_assert_null (recur_run_get_member_epoch (run, 2));
  /* member 1's loss curve, drawn faintly under member 0's */
  {
    const double *train, *val;

    g_assert_cmpuint (recur_run_get_member_losses (run, 1, &train, &val), >=, 2);
    g_assert_true (isfinite (val[0]) && isfinite (val[1]));
    g_assert_cmpuint (recur_run_get_member_losses (run, 2, &train, &val), ==, 0);
  }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-ensemble-training.png"));
  recur_run_stop (run);
  g_assert_true (wait_for (not_training, win, 30000));
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_STOPPED);
  g_assert_cmpuint (recur_run_count_members (run, &ended, &training), ==, 3);
  g_assert_cmpuint (ended, ==, 2);
  g_assert_cmpuint (training, ==, 0);
  g_assert_cmpuint (recur_job_get_n_members (recur_run_get_job (run)), ==, 2);
  g_assert_cmpuint (recur_job_get_evaluation (recur_run_get_job (run))->n_members, ==, 2);
  g_assert_cmpuint (recur_run_get_predictions (run)->n_members, ==, 2);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "settings.runs-at-once", "i", 0));
  gtk_window_destroy (win);
}

static gboolean
auto_chose (gpointer win)
{
  GListModel *runs = recur_window_get_runs (win);
  guint n = g_list_model_get_n_items (runs);
  g_autoptr(RecurRun) last = n ? g_list_model_get_item (runs, n - 1) : NULL;

  return last && g_str_has_prefix (recur_run_get_name (last), "auto ✓ ")
         && all_runs_done (win);
}

/* Automatic: Train starts Auto's candidates as runs of their own, then the chosen configuration
 * as "auto ✓ NAME", which forecasts as `recur train` does with the same settings; the model's
 * rows are greyed out meanwhile. */
static void
test_auto_trains_candidates_then_the_chosen (void)
{
  GtkWindow *win = new_window ();
  GtkLabel *label;
  GtkWidget *table, *close;
  gboolean handled = FALSE;
  RecurParamsPanel *panel = panel_of (win);
  GListModel *runs = recur_window_get_runs (RECUR_WINDOW (win));
  g_autoptr(RecurRun) chosen = NULL;
  const RecurJobConfig *config;
  guint n, panel_val_start, auto_val_start, test_start;
  JsonArray *origins;
  RecurJobConfig panel_config;

  /* a validation part of 20 % in the panel: Auto keeps to its own origins */
  read_panel (win, &panel_config);
  panel_config.val_fraction = 0.2;
  write_panel (win, &panel_config);
  recur_window_get_split (RECUR_WINDOW (win), &panel_val_start, &test_start);
  recur_params_panel_set_auto (panel, TRUE);
  /* the plot shades the part Auto validates on, from its first origin */
  recur_window_get_split (RECUR_WINDOW (win), &auto_val_start, &test_start);
  g_assert_cmpuint (auto_val_start, >, panel_val_start);
  g_assert_false (gtk_widget_get_sensitive (recur_params_panel_get_control (panel, "hidden")));
  g_assert_true (gtk_widget_get_sensitive (recur_params_panel_get_control (panel, "horizon")));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL));
  g_assert_true (wait_for (auto_chose, win, 60000));
  n = g_list_model_get_n_items (runs);
  g_assert_cmpuint (n, >=, 4); /* the usual configuration, two floors, more windows, the chosen */
  for (guint i = 0; i + 1 < n; i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (runs, i);
      g_autofree char *prefix = g_strdup_printf ("auto %u/%u: ", i + 1, n - 1);

      g_assert_true (g_str_has_prefix (recur_run_get_name (run), prefix));
      g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
    }
  chosen = g_list_model_get_item (runs, n - 1);
  g_assert_cmpint (recur_run_get_status (chosen), ==, RECUR_RUN_FINISHED);
  config = recur_job_get_config (recur_run_get_job (chosen));
  /* on this series the usual configuration is kept, averaged with the Theta method's forecast
   * (as `recur train` reports) */
  g_assert_cmpstr (recur_run_get_name (chosen), ==, "auto ✓ esn, window 24, level last + Theta");
  g_assert_cmpint (config->model.cell, ==, RECUR_CELL_ESN);
  g_assert_cmpint (config->transform.theta, ==, RECUR_THETA_AVERAGE);
  /* Auto decides it: the panel's control is greyed out */
  g_assert_false (gtk_widget_get_sensitive (recur_params_panel_get_control (panel, "theta")));
  /* a reservoir: five, learning from every point before the test part, as `recur train` */
  g_assert_cmpfloat (config->val_fraction, ==, 0.0);
  g_assert_cmpuint (config->ensemble, ==, 5);
  /* its best epoch was chosen by the training loss, and the status line says so */
  g_assert_nonnull (find_label_containing (GTK_WIDGET (win), "training loss"));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (win), "no validation part"));
  /* the metrics line says the forecast it scores is averaged with Theta's */
  g_assert_nonnull (find_label_containing (GTK_WIDGET (win), "the median of 5 networks (MASE "));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (win),
                                           ") averaged with the Theta method’s forecast; alone "
                                           "MASE "));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-auto.png"));

  /* what Auto tried and why: a line under the metrics, its link opens the table */
  g_assert_nonnull (recur_job_get_auto_report (recur_run_get_job (chosen)));
  /* its first origin (a row from 1) is where the plot's shading started */
  origins = json_object_get_array_member (
    json_node_get_object (recur_job_get_auto_report (recur_run_get_job (chosen))), "origins");
  g_assert_cmpint (json_array_get_int_element (origins, 0) - 1, ==, auto_val_start);
  label = find_label_containing (GTK_WIDGET (win), "Auto chose esn, window 24, level last among ");
  g_assert_nonnull (label);
  g_assert_nonnull (strstr (gtk_label_get_text (label), "All candidates…"));
  g_signal_emit_by_name (label, "activate-link", "auto-candidates", &handled);
  g_assert_true (handled);
  table = find_window_titled ("Auto’s Candidates");
  g_assert_nonnull (table);
  g_assert_true (wait_for (is_mapped, table, 5000));
  /* a row per candidate, the chosen one marked, and why */
  g_assert_nonnull (find_label_containing (GTK_WIDGET (table), "Validation MASE"));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (table), "seasonal naive (12) with drift "
                                                               "(floor)"));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (table), "✓"));
  /* Theta's row below them, marked as averaged in */
  g_assert_nonnull (find_label_containing (GTK_WIDGET (table), "Theta method (averaged in"));
  g_assert_nonnull (find_label_exactly (GTK_WIDGET (table), "+"));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (table), "Chosen: the usual configuration"));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (table));
  g_assert_true (save_widget_png (GTK_WIDGET (table), "auto-candidates.png"));
  /* its Close button closes it */
  g_object_add_weak_pointer (G_OBJECT (table), (gpointer *) &table);
  close = find_button_labelled (table, "_Close");
  g_assert_nonnull (close);
  g_assert_true (gtk_widget_activate (close));
  g_assert_true (wait_for (is_null, &table, 5000));

  /* the floors are named as forecasts, not as the reservoirs that make them, and have no
   * validation loss; the early candidates (LSTM, GRU) no test scores beside the others' */
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (runs, i);
      RecurRunRole role = recur_run_get_role (run);

      if (g_strstr_len (recur_run_get_name (run), -1, "(12) with drift"))
        g_assert_cmpint (role, ==, RECUR_RUN_ROLE_FLOOR);
      if (g_strstr_len (recur_run_get_name (run), -1, "lstm, "))
        g_assert_cmpint (role, ==, RECUR_RUN_ROLE_EARLY_CANDIDATE);
    }
  g_assert_nonnull (find_label_containing (GTK_WIDGET (win), "with drift"));
  g_assert_nonnull (find_label_containing (GTK_WIDGET (win), "seasonal naive"));
  gtk_window_destroy (win);
}

/* The clockwork network's heatmap can show which blocks fire at each step. */
static void
test_clockwork_schedule (void)
{
  GtkWindow *win = new_window ();
  RecurParamsPanel *panel = panel_of (win);
  RecurJobConfig config;
  GtkDropDown *states = NULL;
  GListModel *items;
  guint n;

  read_panel (win, &config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_CLOCKWORK);
  config.train.epochs = 5;
  recur_params_panel_set_config (panel, &config);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL);
  g_assert_true (wait_for (not_training, win, 30000));
  g_assert_cmpint (recur_run_get_status (recur_window_get_run (RECUR_WINDOW (win))), ==,
                   RECUR_RUN_FINISHED);
  /* the state chooser's last entry is the update schedule */
  {
    GtkWidget *root = GTK_WIDGET (win);
    GPtrArray *todo = g_ptr_array_new ();
    g_ptr_array_add (todo, root);
    while (todo->len && states == NULL)
      {
        GtkWidget *w = g_ptr_array_steal_index (todo, todo->len - 1);
        for (GtkWidget *c = gtk_widget_get_first_child (w); c; c = gtk_widget_get_next_sibling (c))
          {
            if (GTK_IS_DROP_DOWN (c) && g_strcmp0 (gtk_widget_get_tooltip_text (c),
                                                   NULL) != 0
                && strstr (gtk_widget_get_tooltip_text (c), "gate"))
              states = GTK_DROP_DOWN (c);
            g_ptr_array_add (todo, c);
          }
      }
    g_ptr_array_unref (todo);
  }
  g_assert_nonnull (states);
  items = gtk_drop_down_get_model (states);
  n = g_list_model_get_n_items (items);
  g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (items), n - 1), ==, "update schedule");
  gtk_drop_down_set_selected (states, n - 1);
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-clockwork.png"));
  recur_job_config_clear (&config);
  gtk_window_destroy (win);
}

static gboolean
all_runs_done (gpointer win)
{
  GListModel *runs = recur_window_get_runs (win);

  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (runs, i);
      if (recur_run_is_active (run))
        return FALSE;
    }
  return TRUE;
}

/* Three runs side by side; two selected are overlaid, and the table lists all three. */
static void
test_compare_runs (void)
{
  GtkWindow *win = new_window ();
  RecurParamsPanel *panel = panel_of (win);
  GtkColumnView *table = GTK_COLUMN_VIEW (find_by_name (GTK_WIDGET (win), GTK_TYPE_COLUMN_VIEW, NULL));
  GtkSelectionModel *selection;
  RecurJobConfig config;
  static const guint hidden[] = { 8, 16, 32 };

  read_panel (win, &config);
  config.train.epochs = 25;
  config.train.patience = 0;
  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    {
      config.model.hidden_size = hidden[i];
      recur_params_panel_set_config (panel, &config);
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL));
    }
  g_assert_cmpuint (g_list_model_get_n_items (recur_window_get_runs (RECUR_WINDOW (win))), ==, 3);
  g_assert_true (wait_for (all_runs_done, win, 60000));

  /* the table shows the three runs, the last started selected */
  selection = gtk_column_view_get_model (table);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (selection)), ==, 3);
  g_assert_cmpuint (recur_window_get_n_overlaid (RECUR_WINDOW (win)), ==, 0);
  /* select the first two: their curves are overlaid */
  gtk_selection_model_select_item (selection, 0, TRUE);
  gtk_selection_model_select_item (selection, 1, FALSE);
  g_assert_cmpuint (recur_window_get_n_overlaid (RECUR_WINDOW (win)), ==, 2);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (recur_window_get_runs (RECUR_WINDOW (win)), i);
      g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
      g_assert_cmpuint (recur_job_get_config (recur_run_get_job (run))->model.hidden_size, ==,
                        hidden[i]);
    }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-compare.png"));
  recur_job_config_clear (&config);
  gtk_window_destroy (win);
}

static void
note_finished (RecurRun *run,
               GArray   *finished)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (run), "test-index"));

  g_array_append_val (finished, index);
}

static gboolean
never (gpointer data)
{
  return FALSE;
}

/* A sweep from the dialog: hidden × lr, four runs, their MASE in the results view, kept in the
 * project the window has. The table lists them in the grid's order; one at a time, they train
 * the most work first (the larger network's two, then the smaller's), as `recur sweep` starts
 * them. */
static void
test_sweep_dialog (void)
{
  g_autoptr(GArray) finished = g_array_new (FALSE, FALSE, sizeof (guint));
  GtkWindow *win = new_window ();
  GtkWindow *dialog;
  GtkWidget *first, *second;
  g_autofree char *dir = test_temp_dir ("recur-sweep-ui-XXXXXX");
  g_autofree char *project = g_build_filename (dir, "sweep.recur", NULL);

  recur_window_save_project (RECUR_WINDOW (win), project);
  g_assert_null (recur_window_get_error_text (RECUR_WINDOW (win)));
  set_epochs (win, 10);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "settings.runs-at-once", "i", 1));
  /* GLib's pool lets a thread idle for half a second before it notices the lower limit */
  g_assert_false (wait_for (never, NULL, 600));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "win.sweep", NULL));
  g_assert_true (wait_for (dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_DIALOG), 5000));
  dialog = find_toplevel (GTK_TYPE_DIALOG);
  first = find_by_name (GTK_WIDGET (dialog), GTK_TYPE_ENTRY, NULL);
  second = find_by_name (gtk_widget_get_parent (first), GTK_TYPE_ENTRY, NULL);
  for (GtkWidget *c = gtk_widget_get_next_sibling (first); c; c = gtk_widget_get_next_sibling (c))
    if (GTK_IS_ENTRY (c))
      {
        second = c;
        break;
      }
  g_assert_true (second != first);
  gtk_editable_set_text (GTK_EDITABLE (first), "hidden=8,16");
  gtk_editable_set_text (GTK_EDITABLE (second), "lr=0.003,0.01");
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_cmpuint (g_list_model_get_n_items (recur_window_get_runs (RECUR_WINDOW (win))), ==, 4);
  /* "finished" reaches the main loop, which has not run since the runs were queued */
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (recur_window_get_runs (RECUR_WINDOW (win)), i);
      g_object_set_data (G_OBJECT (run), "test-index", GUINT_TO_POINTER (i));
      g_signal_connect (run, "finished", G_CALLBACK (note_finished), finished);
    }
  g_assert_true (wait_for (all_runs_done, win, 60000));
  for (guint i = 0; i < 4; i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (recur_window_get_runs (RECUR_WINDOW (win)), i);
      g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
      g_signal_handlers_disconnect_by_data (run, finished);
    }
  /* the larger network's two runs end first (in either order: a thread the pool had before
   * Runs at Once went down to 1 may still take one), the smaller's after them */
  g_assert_cmpuint (finished->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (g_array_index (finished, guint, i) / 2, ==, i < 2 ? 1 : 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "settings.runs-at-once", "i", 0));
  {
    g_autoptr(RecurRun) run = g_list_model_get_item (recur_window_get_runs (RECUR_WINDOW (win)), 3);
    g_assert_cmpstr (recur_run_get_name (run), ==, "hidden=16 lr=0.01");
    g_assert_cmpuint (recur_job_get_config (recur_run_get_job (run))->model.hidden_size, ==, 16);
  }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-sweep.png"));
  gtk_window_destroy (win);
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(RecurProject) saved = recur_project_open (project, RECUR_PROJECT_READ, &error);

    g_assert_no_error (error);
    g_assert_cmpuint (recur_project_get_n_runs (saved), ==, 4);
    for (guint i = 0; i < 4; i++)
      g_assert_cmpint (recur_project_run_get_status (recur_project_get_run (saved, i)), ==,
                       RECUR_RUN_FINISHED);
    g_assert_cmpstr (recur_project_run_get_name (recur_project_get_run (saved, 3)), ==,
                     "hidden=16 lr=0.01");
  }
}

/* Accepts the open file chooser with a file (an existing one: no folder and name to set). */
static void
choose_file (const char *path)
{
  GtkFileChooser *chooser;
  g_autoptr(GFile) file = g_file_new_for_path (path);
  ChooserWait w;

  g_assert_true (wait_for (dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG), 10000));
  chooser = GTK_FILE_CHOOSER (find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG));
  g_assert_true (wait_for (is_mapped, chooser, 5000));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (chooser));
  g_assert_true (gtk_file_chooser_set_file (chooser, file, NULL));
  w.chooser = chooser;
  w.want = file;
  g_assert_true (wait_for (chooser_has_file, &w, 5000));
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  gtk_widget_activate (gtk_dialog_get_widget_for_response (GTK_DIALOG (chooser), GTK_RESPONSE_ACCEPT));
  G_GNUC_END_IGNORE_DEPRECATIONS
  g_assert_true (wait_for (not_dialog_shown, GSIZE_TO_POINTER (GTK_TYPE_FILE_CHOOSER_DIALOG), 10000));
}

static gboolean
has_n_runs (gpointer data)
{
  gpointer *pair = data;
  return g_list_model_get_n_items (recur_window_get_runs (pair[0])) == GPOINTER_TO_UINT (pair[1]);
}

/* The first file called name under dir, depth first; NULL when there is none. */
static char *
find_file_named (const char *dir,
                 const char *name)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *entry;

  while (d && (entry = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, entry, NULL);
      char *found;

      if (g_str_equal (entry, name))
        return g_steal_pointer (&path);
      if (g_file_test (path, G_FILE_TEST_IS_DIR) && (found = find_file_named (path, name)))
        return found;
    }
  return NULL;
}

/* Runs kept in a project: saved, trained on while it is open, reopened in a new window with the
 * same results, reopened with one run's weights damaged (said, the run listed unscored), and
 * reopened again after the CSV moved (the window asks where it is). */
static void
test_project_round_trip (void)
{
  g_autofree char *dir = test_temp_dir ("recur-project-XXXXXX");
  g_autofree char *csv = g_build_filename (dir, "temps.csv", NULL);
  g_autofree char *moved = g_build_filename (dir, "temps-moved.csv", NULL);
  g_autofree char *project = g_build_filename (dir, "temps.recur", NULL);
  g_autofree char *sample = data_file ("nottingham_temperature.csv");
  g_autofree char *text = NULL;
  double mase[2], seconds[2];
  GtkWindow *win;
  gpointer pair[2];

  g_assert_true (g_file_get_contents (sample, &text, NULL, NULL));
  g_assert_true (g_file_set_contents (csv, text, -1, NULL));
  win = new_window ();
  recur_window_open_path (RECUR_WINDOW (win), csv);
  g_assert_true (wait_for (not_loading, win, 10000));
  set_epochs (win, 5);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL);
  g_assert_true (wait_for (all_runs_done, win, 30000));
  save_through_chooser (win, "win.save-project", NULL, project);
  /* a run started with the project open is kept as it trains: an ensemble of three reservoirs,
   * every member of which the project keeps */
  set_reservoirs (win, 3);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL);
  g_assert_true (wait_for (all_runs_done, win, 30000));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (recur_window_get_runs (RECUR_WINDOW (win)), i);
      mase[i] = recur_job_get_evaluation (recur_run_get_job (run))->model_metrics.mase;
      seconds[i] = recur_run_get_seconds (run)[recur_run_get_n_epochs (run) - 1];
    }
  gtk_window_destroy (win);

  win = GTK_WINDOW (recur_window_new (NULL));
  gtk_window_present (GTK_WINDOW (win));
  recur_window_open_project (RECUR_WINDOW (win), project);
  pair[0] = win;
  pair[1] = GUINT_TO_POINTER (2);
  g_assert_true (wait_for (has_n_runs, pair, 10000));
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (recur_window_get_runs (RECUR_WINDOW (win)), i);
      const RecurEvaluation *ev = recur_job_get_evaluation (recur_run_get_job (run));

      g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
      g_assert_cmpuint (recur_run_get_n_epochs (run), ==, i ? 1 : 5); /* an ESN: one fit */
      g_assert_cmpfloat_with_epsilon (ev->model_metrics.mase, mase[i], 1e-9);
      /* its training time, and the heatmap of its best epoch, as before */
      g_assert_cmpfloat (recur_run_get_elapsed (run), ==, seconds[i]);
      g_assert_cmpfloat (recur_run_get_elapsed (run), >, 0);
      g_assert_cmpuint (recur_run_get_states (run)->epoch, ==,
                        recur_run_get_last_progress (run)->best_epoch);
      g_assert_cmpuint (recur_run_get_states (run)->epoch, >, 0);
      g_assert_cmpuint (ev->n_members, ==, i ? 3 : 1);
      g_assert_cmpuint (recur_run_get_predictions (run)->n_members, ==, i ? 3 : 1);
      /* the members' loss curves, which the project keeps beside member 0's */
      for (guint k = 1; k < 3; k++)
        {
          const double *train, *val;

          g_assert_cmpuint (recur_run_get_member_losses (run, k, &train, &val), ==, i ? 1 : 0);
          if (i)
            g_assert_true (isfinite (train[0]));
        }
    }
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-project.png"));
  gtk_window_destroy (win);

  /* one run's weights damaged: the window says which file, and still lists both runs, the
   * other one scored as before */
  {
    g_autofree char *damaged = find_file_named (project, "best.safetensors");
    RecurRun *kept = NULL;

    g_assert_nonnull (damaged);
    g_assert_true (g_file_set_contents (damaged, "not safetensors", -1, NULL));
    win = GTK_WINDOW (recur_window_new (NULL));
    gtk_window_present (GTK_WINDOW (win));
    recur_window_open_project (RECUR_WINDOW (win), project);
    pair[0] = win;
    g_assert_true (wait_for (has_n_runs, pair, 10000));
    g_assert_nonnull (recur_window_get_error_text (RECUR_WINDOW (win)));
    g_assert_nonnull (strstr (recur_window_get_error_text (RECUR_WINDOW (win)), damaged));
    for (guint i = 0; i < 2; i++)
      {
        g_autoptr(RecurRun) run =
          g_list_model_get_item (recur_window_get_runs (RECUR_WINDOW (win)), i);
        const RecurEvaluation *ev = recur_job_get_evaluation (recur_run_get_job (run));

        if (ev != NULL)
          {
            g_assert_null (kept);
            kept = run;
            g_assert_cmpfloat_with_epsilon (ev->model_metrics.mase, mase[i], 1e-9);
          }
      }
    g_assert_nonnull (kept);
    gtk_window_destroy (win);
  }

  /* the CSV moved: the window says so and asks for it */
  g_assert_cmpint (g_rename (csv, moved), ==, 0);
  win = GTK_WINDOW (recur_window_new (NULL));
  gtk_window_present (GTK_WINDOW (win));
  recur_window_open_project (RECUR_WINDOW (win), project);
  g_assert_nonnull (recur_window_get_error_text (RECUR_WINDOW (win)));
  g_assert_nonnull (strstr (recur_window_get_error_text (RECUR_WINDOW (win)), "temps.csv"));
  choose_file (moved);
  pair[0] = win;
  g_assert_true (wait_for (has_n_runs, pair, 10000));
  gtk_window_destroy (win);
}

static gboolean
log_has_epochs (gpointer path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 && st.st_size > 0;
}

static gboolean
process_gone (gpointer proc)
{
  return g_subprocess_get_identifier (proc) == NULL;
}

/* A project a sweep is writing: Open Project and Save Project As are refused, the message naming
 * the sweep's process, shown in the window; the sweep killed, the project opens at once. */
static void
test_project_held_by_a_sweep (void)
{
  g_autofree char *dir = test_temp_dir ("recur-held-XXXXXX");
  g_autofree char *project = g_build_filename (dir, "held.recur", NULL);
  g_autofree char *log = g_build_filename (project, "run-0001", "history.log", NULL);
  g_autofree char *csv = data_file ("nottingham_temperature.csv");
  g_autofree char *named = NULL;
  const char *const argv[] = { g_getenv ("RECUR_BIN"), "sweep", csv, "--grid", "hidden=8",
                               "--epochs", "100000", "--patience", "0", "--quiet", "--project",
                               project, NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocess) sweep = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                          | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
                                                    &error);
  GtkWindow *win;
  GtkRevealer *revealer;
  gpointer pair[2];

  g_assert_no_error (error);
  named = g_strdup_printf ("is open in recur sweep (process %s)",
                           g_subprocess_get_identifier (sweep));
  g_assert_true (wait_for (log_has_epochs, log, 60000));
  win = new_window ();
  recur_window_open_project (RECUR_WINDOW (win), project);
  g_assert_nonnull (recur_window_get_error_text (RECUR_WINDOW (win)));
  g_assert_nonnull (strstr (recur_window_get_error_text (RECUR_WINDOW (win)), named));
  g_assert_cmpuint (g_list_model_get_n_items (recur_window_get_runs (RECUR_WINDOW (win))), ==, 0);
  revealer = GTK_REVEALER (find_by_name (GTK_WIDGET (win), GTK_TYPE_REVEALER, NULL));
  /* the sweep trains beside it: on a loaded machine the banner may take its time */
  g_assert_true (wait_for (is_revealed, revealer, 30000));
  g_assert_nonnull (find_by_name (GTK_WIDGET (win), GTK_TYPE_LABEL,
                                  recur_window_get_error_text (RECUR_WINDOW (win))));
  gtk_test_widget_wait_for_draw (GTK_WIDGET (win));
  g_assert_true (save_widget_png (GTK_WIDGET (win), "window-project-held.png"));
  recur_window_save_project (RECUR_WINDOW (win), project);
  g_assert_nonnull (strstr (recur_window_get_error_text (RECUR_WINDOW (win)), named));

  g_subprocess_force_exit (sweep);
  g_assert_true (wait_for (process_gone, sweep, 10000));
  recur_window_open_project (RECUR_WINDOW (win), project);
  pair[0] = win;
  pair[1] = GUINT_TO_POINTER (1);
  g_assert_true (wait_for (has_n_runs, pair, 10000));
  {
    g_autoptr(RecurRun) run = g_list_model_get_item (recur_window_get_runs (RECUR_WINDOW (win)), 0);
    g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_INTERRUPTED);
    g_assert_cmpuint (recur_run_get_n_epochs (run), >=, 1);
  }
  gtk_window_destroy (win);
}

static RecurProject *
open_sound_project (const char *path,
                    guint       n_runs)
{
  g_autoptr(GError) error = NULL;
  RecurProject *project = recur_project_open (path, RECUR_PROJECT_READ, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (recur_project_get_issues (project)->len, ==, 0);
  g_assert_cmpuint (recur_project_get_n_runs (project), ==, n_runs);
  for (guint i = 0; i < n_runs; i++)
    g_assert_cmpint (recur_project_run_get_status (recur_project_get_run (project, i)), ==,
                     RECUR_RUN_FINISHED);
  return project;
}

/* A project on a full disk: saving it fails with the file and the reason and leaves no folder;
 * a run trained into it while the disk is full stays whole in the window (and the project as
 * it was), and saving the project again, elsewhere, keeps both runs. */
static void
test_project_faults (void)
{
  GtkWindow *win = new_window ();
  g_autofree char *dir = test_temp_dir ("recur-project-faults-XXXXXX");
  g_autofree char *project = g_build_filename (dir, "p.recur", NULL);
  g_autofree char *again = g_build_filename (dir, "again.recur", NULL);
  RecurProject *opened;
  RecurRun *run;
  const char *shown;

  set_epochs (win, 5);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL);
  g_assert_true (wait_for (all_runs_done, win, 30000));

  recur_fault_set ("open:1:ENOSPC:all", dir);
  choose_save_path (win, "win.save-project", NULL, project);
  g_assert_cmpuint (recur_fault_injected (), >=, 1);
  recur_fault_set (NULL, NULL);
  shown = recur_window_get_error_text (RECUR_WINDOW (win));
  g_test_message ("save project on a full disk: %s", shown);
  g_assert_nonnull (strstr (shown, project));
  g_assert_nonnull (strstr (shown, "No space left on device"));
  g_assert_false (g_file_test (project, G_FILE_TEST_EXISTS));

  save_through_chooser (win, "win.save-project", NULL, project);
  recur_project_free (open_sound_project (project, 1));

  /* the disk fills up: the next run trains, and cannot be kept */
  recur_fault_set ("open:1:ENOSPC:all", dir);
  gtk_widget_activate_action (GTK_WIDGET (win), "win.train", NULL);
  g_assert_true (wait_for (all_runs_done, win, 30000));
  g_assert_cmpuint (recur_fault_injected (), >=, 1);
  recur_fault_set (NULL, NULL);
  shown = recur_window_get_error_text (RECUR_WINDOW (win));
  g_test_message ("training into a full disk: %s", shown);
  g_assert_nonnull (strstr (shown, project));
  g_assert_nonnull (strstr (shown, "No space left on device"));
  run = recur_window_get_run (RECUR_WINDOW (win));
  g_assert_cmpint (recur_run_get_status (run), ==, RECUR_RUN_FINISHED);
  g_assert_nonnull (recur_job_get_evaluation (recur_run_get_job (run)));
  recur_project_free (open_sound_project (project, 1));

  /* space again: the runs, still in the window, go into a new project */
  save_through_chooser (win, "win.save-project", NULL, again);
  opened = open_sound_project (again, 2);
  recur_project_free (opened);
  gtk_window_destroy (win);
}

/* How many runs train at once is a setting (default: one per core), and the pool follows it. */
static void
test_runs_at_once_setting (void)
{
  GtkWindow *win = new_window ();
  g_autoptr(GSettings) settings = g_settings_new (RECUR_APP_ID);

  g_assert_cmpint (g_settings_get_int (settings, "runs-at-once"), ==, 0);
  g_assert_cmpuint (recur_window_get_runs_at_once (RECUR_WINDOW (win)), ==, g_get_num_processors ());
  /* as the main menu's radio item does */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "settings.runs-at-once", "i", 1));
  g_assert_cmpint (g_settings_get_int (settings, "runs-at-once"), ==, 1);
  g_assert_cmpuint (recur_window_get_runs_at_once (RECUR_WINDOW (win)), ==, 1);
  g_assert_cmpuint (recur_cores_get_total (), ==, 1); /* an ensemble's members too */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (win), "settings.runs-at-once", "i", 0));
  g_assert_cmpuint (recur_window_get_runs_at_once (RECUR_WINDOW (win)), ==, g_get_num_processors ());
  g_assert_cmpuint (recur_cores_get_total (), ==, g_get_num_processors ());
  gtk_window_destroy (win);
}

int
main (int    argc,
      char **argv)
{
  if (!g_getenv ("DISPLAY") && !g_getenv ("WAYLAND_DISPLAY"))
    {
      g_print ("1..0 # SKIP no display: run under xvfb-run -a dbus-run-session\n");
      return 0;
    }
  gtk_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ui/window/train-and-watch", test_train_and_watch);
  g_test_add_func ("/ui/window/input-columns", test_input_columns);
  g_test_add_func ("/ui/window/stop", test_stop);
  g_test_add_func ("/ui/window/bad-input-keeps-the-series", test_bad_input_keeps_the_series);
  g_test_add_func ("/ui/window/exports", test_exports);
  g_test_add_func ("/ui/window/export-faults", test_export_faults);
  g_test_add_func ("/ui/window/project-faults", test_project_faults);
  g_test_add_func ("/ui/window/compare-runs", test_compare_runs);
  g_test_add_func ("/ui/window/sweep-dialog", test_sweep_dialog);
  g_test_add_func ("/ui/window/project-round-trip", test_project_round_trip);
  g_test_add_func ("/ui/window/project-held-by-a-sweep", test_project_held_by_a_sweep);
  g_test_add_func ("/ui/window/runs-at-once-setting", test_runs_at_once_setting);
  g_test_add_func ("/ui/window/esn-refits-instantly", test_esn_refits_instantly);
  g_test_add_func ("/ui/window/ensemble-members-shown", test_ensemble_members_shown);
  g_test_add_func ("/ui/window/ensemble-status-and-stop", test_ensemble_status_and_stop);
  g_test_add_func ("/ui/window/auto-trains-candidates-then-the-chosen",
                   test_auto_trains_candidates_then_the_chosen);
  g_test_add_func ("/ui/window/clockwork-schedule", test_clockwork_schedule);
  g_test_add_func ("/ui/window/close-while-training-asks", test_close_while_training_asks);
  return g_test_run ();
}
