/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The hyperparameter panel in a real display (Xvfb in CI): both ways between controls and
 * RecurJobConfig, the live parameter count, what is sensitive when, and one "changed" per change.
 * SHOT_DIR gets PNGs to look at. */
#include "config.h"

#include <gtk/gtk.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-params-panel.h"

/* ---- helpers ------------------------------------------------------------------------------ */

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

/* A widget of the panel by the name the .ui gave it when it listed every control; the controls
 * are now made from the schema and found by their setting's name. */
static GtkWidget *
child (GtkWidget  *panel,
       const char *name)
{
  static const char *const settings[][2] = {
    { "cell_drop", "model" },          { "hidden_spin", "hidden" },
    { "layers_spin", "layers" },       { "dropout_spin", "dropout" },
    { "bias_switch", "bias" },         { "window_spin", "window" },
    { "optimizer_drop", "optimizer" }, { "lr_spin", "lr" },
    { "momentum_spin", "momentum" },   { "nesterov_switch", "nesterov" },
    { "decay_spin", "weight-decay" },
  };
  GObject *object = gtk_widget_get_template_child (panel, RECUR_TYPE_PARAMS_PANEL, name);

  for (guint i = 0; object == NULL && i < G_N_ELEMENTS (settings); i++)
    if (g_str_equal (name, settings[i][0]))
      object = G_OBJECT (recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel),
                                                         settings[i][1]));
  g_assert_nonnull (object);
  return GTK_WIDGET (object);
}

static void
count_changed (RecurParamsPanel *panel G_GNUC_UNUSED,
               guint            *count)
{
  (*count)++;
}

/* The panel in a window, so that it is rooted and styled like in the app. */
static GtkWidget *
panel_in_window (GtkWidget **window)
{
  GtkWidget *panel = recur_params_panel_new ();

  *window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (*window), 300, -1);
  gtk_window_set_child (GTK_WINDOW (*window), panel);
  return panel;
}

/* The digits of the label's text, separators dropped. */
static guint64
label_count (GtkWidget *panel)
{
  const char *text = gtk_label_get_text (GTK_LABEL (child (panel, "params_label")));
  guint64 n = 0;

  for (const char *p = text; *p; p++)
    if (g_ascii_isdigit (*p))
      n = n * 10 + (guint64) (*p - '0');
  return n;
}

static void
assert_configs_equal (const RecurJobConfig *a,
                      const RecurJobConfig *b)
{
  const RecurModelSpec *ma = &a->model, *mb = &b->model;
  const RecurTrainSpec *ta = &a->train, *tb = &b->train;

  g_assert_cmpint (a->missing, ==, b->missing);
  g_assert_cmpint (a->scaler, ==, b->scaler);
  g_assert_cmpfloat_with_epsilon (a->val_fraction, b->val_fraction, 1e-9);
  g_assert_cmpuint (a->season, ==, b->season);

  g_assert_cmpint (ma->cell, ==, mb->cell);
  g_assert_cmpuint (ma->input_size, ==, mb->input_size);
  g_assert_cmpuint (ma->hidden_size, ==, mb->hidden_size);
  g_assert_cmpuint (ma->num_layers, ==, mb->num_layers);
  g_assert_cmpint (!ma->bidirectional, ==, !mb->bidirectional);
  g_assert_cmpint (!ma->bias, ==, !mb->bias);
  g_assert_cmpfloat_with_epsilon (ma->dropout, mb->dropout, 1e-6);
  g_assert_cmpuint (ma->window, ==, mb->window);
  g_assert_cmpuint (ma->horizon, ==, mb->horizon);
  g_assert_cmpint (ma->strategy, ==, mb->strategy);

  g_assert_cmpuint (ta->epochs, ==, tb->epochs);
  g_assert_cmpuint (ta->batch_size, ==, tb->batch_size);
  g_assert_cmpint (ta->optimizer.kind, ==, tb->optimizer.kind);
  g_assert_cmpfloat_with_epsilon (ta->optimizer.lr, tb->optimizer.lr, 1e-12);
  g_assert_cmpfloat_with_epsilon (ta->optimizer.momentum, tb->optimizer.momentum, 1e-12);
  g_assert_cmpint (!ta->optimizer.nesterov, ==, !tb->optimizer.nesterov);
  g_assert_cmpfloat_with_epsilon (ta->optimizer.beta1, tb->optimizer.beta1, 1e-12);
  g_assert_cmpfloat_with_epsilon (ta->optimizer.beta2, tb->optimizer.beta2, 1e-12);
  g_assert_cmpfloat_with_epsilon (ta->optimizer.eps, tb->optimizer.eps, 1e-15);
  g_assert_cmpfloat_with_epsilon (ta->optimizer.alpha, tb->optimizer.alpha, 1e-12);
  g_assert_cmpfloat_with_epsilon (ta->optimizer.weight_decay, tb->optimizer.weight_decay, 1e-12);
  g_assert_cmpint (ta->loss, ==, tb->loss);
  g_assert_cmpfloat_with_epsilon (ta->clip, tb->clip, 1e-12);
  g_assert_cmpuint (ta->truncate, ==, tb->truncate);
  g_assert_cmpint (ta->schedule, ==, tb->schedule);
  g_assert_cmpuint (ta->step_size, ==, tb->step_size);
  g_assert_cmpfloat_with_epsilon (ta->gamma, tb->gamma, 1e-12);
  g_assert_cmpuint (ta->plateau_patience, ==, tb->plateau_patience);
  g_assert_cmpuint (ta->patience, ==, tb->patience);
  g_assert_cmpuint (ta->seed, ==, tb->seed);
}

/* A config in which every field the panel shows differs from the defaults. */
static void
make_unusual_config (RecurJobConfig *config)
{
  recur_job_config_init (config);
  config->missing = RECUR_MISSING_PREVIOUS;
  config->scaler = RECUR_SCALER_MINMAX;
  config->val_fraction = 0.2;
  config->season = 7;
  config->model.cell = RECUR_CELL_GRU;
  config->model.hidden_size = 48;
  config->model.num_layers = 3;
  config->model.bidirectional = TRUE;
  config->model.bias = FALSE;
  config->model.dropout = 0.25f;
  config->model.window = 36;
  config->model.horizon = 6;
  config->model.strategy = RECUR_STRATEGY_RECURSIVE;
  config->train.epochs = 750;
  config->train.batch_size = 64;
  recur_optimizer_spec_init (&config->train.optimizer, RECUR_OPTIMIZER_SGD, 0.0125);
  config->train.optimizer.momentum = 0.9;
  config->train.optimizer.nesterov = TRUE;
  config->train.optimizer.beta1 = 0.8;
  config->train.optimizer.beta2 = 0.99;
  config->train.optimizer.eps = 1e-6;
  config->train.optimizer.alpha = 0.95;
  config->train.optimizer.weight_decay = 0.0005;
  config->train.loss = RECUR_LOSS_HUBER;
  config->train.clip = 2.5;
  config->train.truncate = 12;
  config->train.schedule = RECUR_SCHEDULE_STEP;
  config->train.step_size = 25;
  config->train.gamma = 0.3;
  config->train.plateau_patience = 4;
  config->train.patience = 15;
  config->train.seed = 123456789;
}

/* ---- tests -------------------------------------------------------------------------------- */

static void
test_defaults_round_trip (void)
{
  GtkWidget *panel = g_object_ref_sink (recur_params_panel_new ());
  RecurJobConfig expected, got;

  recur_job_config_init (&expected);
  recur_job_config_init (&got);
  got.column = g_strdup ("passengers");
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);

  g_assert_cmpstr (got.column, ==, "passengers");  /* left alone */
  assert_configs_equal (&got, &expected);
  g_assert_cmpuint (recur_params_panel_get_n_params (RECUR_PARAMS_PANEL (panel)), ==,
                    recur_model_spec_count_params (&expected.model));
  g_assert_cmpuint (label_count (panel), ==, recur_model_spec_count_params (&expected.model));

  recur_job_config_clear (&expected);
  recur_job_config_clear (&got);
  g_object_unref (panel);
}

static void
test_set_get_round_trip (void)
{
  GtkWidget *panel = g_object_ref_sink (recur_params_panel_new ());
  RecurJobConfig config, got;

  make_unusual_config (&config);
  config.column = g_strdup ("ignored");
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);

  recur_job_config_init (&got);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_null (got.column);
  assert_configs_equal (&got, &config);
  g_assert_true (recur_model_spec_validate (&got.model, NULL));

  recur_job_config_clear (&config);
  recur_job_config_clear (&got);
  g_object_unref (panel);
}

static void
test_count_follows_hidden (void)
{
  GtkWidget *window;
  GtkWidget *panel = panel_in_window (&window);
  RecurJobConfig config, got;
  guint changed = 0;
  guint64 expected;
  const char *tooltip;

  recur_job_config_init (&config);
  config.model.cell = RECUR_CELL_LSTM;
  config.model.num_layers = 2;
  config.model.bidirectional = TRUE;
  config.model.horizon = 12;
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);

  g_signal_connect (panel, "changed", G_CALLBACK (count_changed), &changed);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (panel, "hidden_spin")), 64);
  g_assert_cmpuint (changed, ==, 1);

  config.model.hidden_size = 64;
  expected = recur_model_spec_count_params (&config.model);
  /* 2 directions × (4·64·(1+64) + 2·256) + 2 × (4·64·(128+64) + 2·256) + 12·128 + 12 */
  g_assert_cmpuint (expected, ==, 2 * (256 * 65 + 512) + 2 * (256 * 192 + 512) + 12 * 128 + 12);
  g_assert_cmpuint (recur_params_panel_get_n_params (RECUR_PARAMS_PANEL (panel)), ==, expected);
  g_assert_cmpuint (label_count (panel), ==, expected);
  g_assert_true (g_str_has_prefix (gtk_label_get_text (GTK_LABEL (child (panel, "params_label"))),
                                   "Parameters: "));

  recur_job_config_init (&got);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpuint (got.model.hidden_size, ==, 64);
  g_assert_cmpuint (recur_model_spec_count_params (&got.model), ==, expected);

  /* the tooltip lists every tensor, in symbols and numbers */
  tooltip = gtk_widget_get_tooltip_text (child (panel, "params_label"));
  g_assert_nonnull (tooltip);
  g_assert_nonnull (strstr (tooltip, "rnn.weight_ih_l0"));
  g_assert_nonnull (strstr (tooltip, "4H×I = 256×1"));
  g_assert_nonnull (strstr (tooltip, "rnn.weight_ih_l1_reverse"));
  g_assert_nonnull (strstr (tooltip, "4H×DH = 256×128"));
  g_assert_nonnull (strstr (tooltip, "O×DH = 12×128"));
  g_assert_nonnull (strstr (tooltip, "head.bias"));

  recur_job_config_clear (&config);
  recur_job_config_clear (&got);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_dropout_needs_layers (void)
{
  GtkWidget *panel = g_object_ref_sink (recur_params_panel_new ());
  GtkWidget *layers = child (panel, "layers_spin"), *dropout = child (panel, "dropout_spin");

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (layers), 1);
  g_assert_false (gtk_widget_get_sensitive (dropout));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (layers), 2);
  g_assert_true (gtk_widget_get_sensitive (dropout));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (layers), 1);
  g_assert_false (gtk_widget_get_sensitive (dropout));

  g_object_unref (panel);
}

static void
test_momentum_follows_optimizer (void)
{
  GtkWidget *panel = g_object_ref_sink (recur_params_panel_new ());
  GtkDropDown *optimizer = GTK_DROP_DOWN (child (panel, "optimizer_drop"));
  GtkWidget *momentum = child (panel, "momentum_spin");
  GtkWidget *nesterov = child (panel, "nesterov_switch");
  RecurJobConfig got;

  recur_job_config_init (&got);
  gtk_drop_down_set_selected (optimizer, RECUR_OPTIMIZER_ADAM);
  g_assert_false (gtk_widget_get_sensitive (momentum));
  g_assert_false (gtk_widget_get_sensitive (nesterov));

  gtk_drop_down_set_selected (optimizer, RECUR_OPTIMIZER_RMSPROP);
  g_assert_true (gtk_widget_get_sensitive (momentum));
  g_assert_false (gtk_widget_get_sensitive (nesterov));

  /* Nesterov: SGD with some momentum */
  gtk_drop_down_set_selected (optimizer, RECUR_OPTIMIZER_SGD);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (momentum), 0.0);
  g_assert_true (gtk_widget_get_sensitive (momentum));
  g_assert_false (gtk_widget_get_sensitive (nesterov));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (momentum), 0.9);
  g_assert_true (gtk_widget_get_sensitive (nesterov));
  gtk_switch_set_active (GTK_SWITCH (nesterov), TRUE);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_true (got.train.optimizer.nesterov);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (momentum), 0.0);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_false (got.train.optimizer.nesterov);  /* the trainer would refuse it */

  /* switching to AdamW brings its default weight decay, unless the user chose one */
  gtk_drop_down_set_selected (optimizer, RECUR_OPTIMIZER_ADAMW);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat_with_epsilon (got.train.optimizer.weight_decay, 0.01, 1e-12);
  gtk_drop_down_set_selected (optimizer, RECUR_OPTIMIZER_ADAM);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat_with_epsilon (got.train.optimizer.weight_decay, 0.0, 1e-12);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (panel, "decay_spin")), 0.001);
  gtk_drop_down_set_selected (optimizer, RECUR_OPTIMIZER_ADAMW);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat_with_epsilon (got.train.optimizer.weight_decay, 0.001, 1e-12);

  recur_job_config_clear (&got);
  g_object_unref (panel);
}

static void
test_changed_once (void)
{
  GtkWidget *panel = g_object_ref_sink (recur_params_panel_new ());
  RecurJobConfig config, got;
  guint changed = 0;

  g_signal_connect (panel, "changed", G_CALLBACK (count_changed), &changed);
  make_unusual_config (&config);
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  g_assert_cmpuint (changed, ==, 1);

  /* the same again still says so once */
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  g_assert_cmpuint (changed, ==, 2);

  /* a window shorter than the truncation clamps it, in one change */
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (panel, "window_spin")), 8);
  g_assert_cmpuint (changed, ==, 3);
  recur_job_config_init (&got);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpuint (got.model.window, ==, 8);
  g_assert_cmpuint (got.train.truncate, ==, 8);

  /* a drop-down, a switch */
  gtk_drop_down_set_selected (GTK_DROP_DOWN (child (panel, "cell_drop")), RECUR_CELL_RNN_RELU);
  g_assert_cmpuint (changed, ==, 4);
  gtk_switch_set_active (GTK_SWITCH (child (panel, "bias_switch")), TRUE);
  g_assert_cmpuint (changed, ==, 5);

  /* reset */
  g_signal_emit_by_name (child (panel, "reset_button"), "clicked");
  g_assert_cmpuint (changed, ==, 6);
  recur_job_config_clear (&got);
  recur_job_config_clear (&config);
  recur_job_config_init (&config);
  recur_job_config_init (&got);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  assert_configs_equal (&got, &config);

  recur_job_config_clear (&got);
  recur_job_config_clear (&config);
  g_object_unref (panel);
}

static void
test_learning_rate_steps (void)
{
  GtkWidget *panel = g_object_ref_sink (recur_params_panel_new ());
  GtkSpinButton *lr = GTK_SPIN_BUTTON (child (panel, "lr_spin"));
  guint changed = 0;

  g_signal_connect (panel, "changed", G_CALLBACK (count_changed), &changed);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr), 0.003, 1e-12);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lr)), ==, "0.003");

  gtk_spin_button_spin (lr, GTK_SPIN_STEP_FORWARD, 0);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr), 0.005, 1e-12);
  g_assert_cmpuint (changed, ==, 1);
  gtk_spin_button_spin (lr, GTK_SPIN_STEP_FORWARD, 0);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr), 0.01, 1e-12);
  gtk_spin_button_spin (lr, GTK_SPIN_STEP_BACKWARD, 0);
  gtk_spin_button_spin (lr, GTK_SPIN_STEP_BACKWARD, 0);
  gtk_spin_button_spin (lr, GTK_SPIN_STEP_BACKWARD, 0);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr), 0.002, 1e-12);
  gtk_spin_button_spin (lr, GTK_SPIN_PAGE_BACKWARD, 0);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr), 0.0002, 1e-12);
  g_assert_cmpuint (changed, ==, 6);

  /* a typed value is kept as it is */
  gtk_spin_button_set_value (lr, 0.0123);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr), 0.0123, 1e-12);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (lr)), ==, "0.0123");

  /* the ends stay inside the range */
  gtk_spin_button_set_value (lr, 0.00001);
  gtk_spin_button_spin (lr, GTK_SPIN_STEP_BACKWARD, 0);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr), 0.00001, 1e-12);
  gtk_spin_button_set_value (lr, 5);
  gtk_spin_button_spin (lr, GTK_SPIN_STEP_FORWARD, 0);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr), 10, 1e-12);
  gtk_spin_button_spin (lr, GTK_SPIN_STEP_FORWARD, 0);
  g_assert_cmpfloat_with_epsilon (gtk_spin_button_get_value (lr), 10, 1e-12);

  g_object_unref (panel);
}

static void
test_large_model_count_only (void)
{
  GtkWidget *panel = g_object_ref_sink (recur_params_panel_new ());
  RecurJobConfig config;
  const char *tooltip;
  guint64 expected;

  recur_job_config_init (&config);
  config.model.hidden_size = 4096;
  config.model.num_layers = 8;
  config.model.bidirectional = TRUE;
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  expected = recur_model_spec_count_params (&config.model);
  g_assert_cmpuint (expected, >, 50000000);
  g_assert_cmpuint (recur_params_panel_get_n_params (RECUR_PARAMS_PANEL (panel)), ==, expected);
  g_assert_cmpuint (label_count (panel), ==, expected);
  tooltip = gtk_widget_get_tooltip_text (child (panel, "params_label"));
  g_assert_null (strstr (tooltip, "rnn.weight"));

  recur_job_config_clear (&config);
  g_object_unref (panel);
}

static void
shoot (GtkWidget  *window,
       const char *dir,
       const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  gtk_test_widget_wait_for_draw (window);
  g_assert_true (save_widget_png (window, path));
  g_test_message ("wrote %s", path);
}

/* PNGs for a person to look at: the defaults, then every control away from them. */
static void
test_screenshot (void)
{
  const char *dir = g_getenv ("SHOT_DIR");
  GtkWidget *window;
  GtkWidget *panel = panel_in_window (&window);
  RecurJobConfig config;

  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (is_mapped, panel, 5000));
  gtk_test_widget_wait_for_draw (window);
  if (dir == NULL)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      g_test_skip ("SHOT_DIR is not set");
      return;
    }
  g_assert_no_errno (g_mkdir_with_parents (dir, 0755));
  shoot (window, dir, "params-panel.png");

  make_unusual_config (&config);
  config.model.cell = RECUR_CELL_RNN_TANH;
  config.train.schedule = RECUR_SCHEDULE_PLATEAU;
  config.train.seed = 2147483648u;
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  g_assert_cmpuint (gtk_widget_get_width (panel), ==, 300);
  shoot (window, dir, "params-panel-custom.png");

  recur_job_config_clear (&config);
  gtk_window_destroy (GTK_WINDOW (window));
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

  g_test_add_func ("/ui/params-panel/defaults-round-trip", test_defaults_round_trip);
  g_test_add_func ("/ui/params-panel/set-get-round-trip", test_set_get_round_trip);
  g_test_add_func ("/ui/params-panel/count-follows-hidden-units", test_count_follows_hidden);
  g_test_add_func ("/ui/params-panel/dropout-needs-two-layers", test_dropout_needs_layers);
  g_test_add_func ("/ui/params-panel/momentum-follows-optimizer", test_momentum_follows_optimizer);
  g_test_add_func ("/ui/params-panel/changed-once-per-change", test_changed_once);
  g_test_add_func ("/ui/params-panel/learning-rate-steps", test_learning_rate_steps);
  g_test_add_func ("/ui/params-panel/large-model-count-only", test_large_model_count_only);
  g_test_add_func ("/ui/params-panel/screenshot", test_screenshot);
  return g_test_run ();
}
