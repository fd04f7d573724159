/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The window while two runs train (issue 17's third case): how long the main loop is kept from
 * running, and how often the window paints. A probe on the main loop (a 1 ms timeout at high
 * priority) records the longest gap between its calls — a stall, a time in which no input, no
 * drain and no frame could be handled — and the frame clock's "after-paint" counts the frames
 * painted, while two small LSTMs train on two workers (Runs at Once 2) and their losses,
 * predictions and states stream into the plots. A meson benchmark(), not a test, run under a
 * display: `xvfb-run -a dbus-run-session -- meson test -C build --benchmark -v gui-frames`, or
 * directly (--seconds N, the CSV to open). It prints one line for people and
 * one JSON object. */
#include "config.h"

#include <gtk/gtk.h>
#include <math.h>

#include "recur-params-panel.h"
#include "recur-run.h"
#include "recur-window.h"

typedef struct
{
  gint64 last_probe;   /* µs */
  gint64 longest_gap;  /* µs, between two probe calls */
  GArray *gaps;        /* µs, every gap over 5 ms, for the distribution */
  guint probes;
  guint frames;
  gint64 frame_start;  /* µs, the frame's "update" */
  gint64 frame_work;   /* µs, summed: each frame's update to its "after-paint" */
  gint64 longest_frame;
} Probe;

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
is_loaded (gpointer w)
{
  return gtk_widget_get_mapped (w) && !recur_window_is_loading (w)
         && recur_window_get_series (w) != NULL;
}

/* Both runs have told an epoch: training, streaming into the plots. */
static gboolean
two_training (gpointer w)
{
  GListModel *runs = recur_window_get_runs (w);
  guint training = 0;

  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (runs, i);

      training += recur_run_get_status (run) == RECUR_RUN_TRAINING
                  && recur_run_get_n_epochs (run) > 0;
    }
  return training == 2;
}

static gboolean
on_probe (gpointer data)
{
  Probe *p = data;
  gint64 now = g_get_monotonic_time ();

  if (p->last_probe > 0)
    {
      gint64 gap = now - p->last_probe;

      p->longest_gap = MAX (p->longest_gap, gap);
      if (gap > 5000)
        g_array_append_val (p->gaps, gap);
    }
  p->last_probe = now;
  p->probes++;
  return G_SOURCE_CONTINUE;
}

static void
on_update (GdkFrameClock *clock,
           gpointer       data)
{
  ((Probe *) data)->frame_start = g_get_monotonic_time ();
}

static void
on_after_paint (GdkFrameClock *clock,
                gpointer       data)
{
  Probe *p = data;

  p->frames++;
  if (p->frame_start > 0)
    {
      gint64 work = g_get_monotonic_time () - p->frame_start;

      p->frame_work += work;
      p->longest_frame = MAX (p->longest_frame, work);
      p->frame_start = 0;
    }
}

static GtkWidget *
find_panel (GtkWidget *root)
{
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found;

      if (RECUR_IS_PARAMS_PANEL (c))
        return c;
      if ((found = find_panel (c)))
        return found;
    }
  return NULL;
}

/* Two small LSTMs that train longer than the measurement, started at once. */
static void
start_two_runs (GtkWidget *win)
{
  RecurParamsPanel *panel = RECUR_PARAMS_PANEL (find_panel (win));
  RecurJobConfig config;

  g_assert_true (gtk_widget_activate_action (win, "settings.runs-at-once", "i", 2));
  recur_job_config_init (&config);
  recur_params_panel_get_config (panel, &config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_LSTM);
  config.train.epochs = 1000000;
  config.train.patience = 0;
  recur_params_panel_set_config (panel, &config);
  recur_job_config_clear (&config);
  for (guint i = 0; i < 2; i++)
    g_assert_true (gtk_widget_activate_action (win, "win.train", NULL));
}

static gboolean
none_active (gpointer w)
{
  GListModel *runs = recur_window_get_runs (w);

  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (runs, i);

      if (recur_run_is_active (run))
        return FALSE;
    }
  return TRUE;
}

static void
stop_runs (GtkWidget *win)
{
  GListModel *runs = recur_window_get_runs (RECUR_WINDOW (win));

  for (guint i = 0; i < g_list_model_get_n_items (runs); i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (runs, i);

      recur_run_stop (run);
    }
  g_assert_true (wait_for (none_active, win, 60000));
}

static int
compare_gaps (gconstpointer a,
              gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

int
main (int    argc,
      char **argv)
{
  int seconds = 10;
  const GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "How long to measure (default 10)", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("FILE.csv");
  g_autoptr(GError) error = NULL;
  Probe probe = { 0 };
  GtkWidget *win;
  GdkFrameClock *clock;
  guint probe_id;
  gulong paint_id, update_id;
  gint64 start, elapsed;
  double fps, p99 = 0;
  guint epochs = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || seconds < 1)
    {
      g_printerr ("bench-gui-frames: %s\n", error ? error->message : "--seconds must be ≥ 1");
      return 2;
    }
  if (!gtk_init_check ())
    {
      g_print ("bench-gui-frames: no display (run it under xvfb-run -a dbus-run-session)\n");
      return 77;
    }
  win = recur_window_new (NULL);
  gtk_window_set_default_size (GTK_WINDOW (win), 1280, 800);
  gtk_window_present (GTK_WINDOW (win));
  if (argc != 2)
    {
      g_printerr ("bench-gui-frames: expected the CSV to open\n");
      return 2;
    }
  recur_window_open_path (RECUR_WINDOW (win), argv[1]);
  g_assert_true (wait_for (is_loaded, win, 20000));
  start_two_runs (win);
  g_assert_true (wait_for (two_training, win, 60000));

  probe.gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  clock = gtk_widget_get_frame_clock (win);
  update_id = g_signal_connect (clock, "update", G_CALLBACK (on_update), &probe);
  paint_id = g_signal_connect (clock, "after-paint", G_CALLBACK (on_after_paint), &probe);
  probe_id = g_timeout_add_full (G_PRIORITY_HIGH, 1, on_probe, &probe, NULL);
  start = g_get_monotonic_time ();
  while ((elapsed = g_get_monotonic_time () - start) < (gint64) seconds * G_USEC_PER_SEC)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (probe_id);
  g_signal_handler_disconnect (clock, paint_id);
  g_signal_handler_disconnect (clock, update_id);
  g_assert_true (two_training (win)); /* both trained all along */

  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(RecurRun) run = g_list_model_get_item (recur_window_get_runs (RECUR_WINDOW (win)),
                                                       i);
      epochs += recur_run_get_n_epochs (run);
    }
  fps = probe.frames / (elapsed / 1e6);
  /* the gap that 1 % of the probe's calls waited longer than: gaps over 5 ms are kept */
  g_array_sort (probe.gaps, compare_gaps);
  if (probe.gaps->len > probe.probes / 100)
    p99 = g_array_index (probe.gaps, gint64, probe.gaps->len - 1 - probe.probes / 100) / 1000.0;
  g_print ("gui-frames: two LSTMs training for %.1f s: %u frames (%.1f frames/s; a frame's "
           "work %.1f ms on average, %.1f ms at most), longest main-loop stall %.1f ms, 99th "
           "percentile %.1f ms, %u probes, %u epochs trained\n",
           elapsed / 1e6, probe.frames, fps, probe.frame_work / 1000.0 / MAX (probe.frames, 1),
           probe.longest_frame / 1000.0, probe.longest_gap / 1000.0, p99, probe.probes, epochs);
  g_print ("{\"config\": \"gui-frames\", \"seconds\": %.3f, \"frames\": %u, \"fps\": %.2f, "
           "\"frame_ms\": %.2f, \"longest_frame_ms\": %.2f, \"longest_stall_ms\": %.2f, "
           "\"stall_p99_ms\": %.2f, \"probes\": %u, \"epochs\": %u}\n",
           elapsed / 1e6, probe.frames, fps, probe.frame_work / 1000.0 / MAX (probe.frames, 1),
           probe.longest_frame / 1000.0, probe.longest_gap / 1000.0, p99, probe.probes, epochs);
  g_array_unref (probe.gaps);
  stop_runs (win);
  gtk_window_destroy (GTK_WINDOW (win));
  return 0;
}
