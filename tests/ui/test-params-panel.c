/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The hyperparameter panel in a real display (Xvfb in CI): both ways between controls and
 * RecurJobConfig, the live parameter count, what is sensitive when, and one "changed" per change;
 * then the schema of settings walked through it: every setting has its control, tooltip and
 * range, every value of its range comes back unchanged, and recur_setting_applies decides what
 * shows and what is greyed out. SHOT_DIR gets PNGs to look at. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gtk/gtk.h>
#include <math.h>
#include <string.h>

#include "recur-jsonutil.h"
#include "recur-model-io.h"
#include "recur-params-panel.h"
#include "recur-settings.h"

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

/* A panel for a cell chosen by hand: Automatic off (it is on in a new panel). */
static GtkWidget *
manual_panel (void)
{
  GtkWidget *panel = recur_params_panel_new ();

  recur_params_panel_set_auto (RECUR_PARAMS_PANEL (panel), FALSE);
  return panel;
}

/* The panel in a window, so that it is rooted and styled like in the app. */
static GtkWidget *
panel_in_window (GtkWidget **window)
{
  GtkWidget *panel = manual_panel ();

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
  g_assert_cmpint (a->transform.scaler, ==, b->transform.scaler);
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
  config->transform.scaler = RECUR_SCALER_MINMAX;
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

/* Automatic is on in a new panel and after a reset, with the model's rows greyed out; a
 * configuration put in the panel (Duplicate and Edit) turns it off. */
static void
test_automatic_by_default (void)
{
  GtkWidget *panel = g_object_ref_sink (recur_params_panel_new ());
  RecurParamsPanel *p = RECUR_PARAMS_PANEL (panel);
  RecurJobConfig config;

  g_assert_true (recur_params_panel_get_auto (p));
  g_assert_false (gtk_widget_get_sensitive (recur_params_panel_get_control (p, "hidden")));
  g_assert_false (gtk_widget_get_sensitive (recur_params_panel_get_control (p, "window")));
  g_assert_true (gtk_widget_get_sensitive (recur_params_panel_get_control (p, "horizon")));
  recur_job_config_init (&config);
  recur_params_panel_set_config (p, &config);
  g_assert_false (recur_params_panel_get_auto (p));
  g_assert_true (gtk_widget_get_sensitive (recur_params_panel_get_control (p, "hidden")));
  g_signal_emit_by_name (child (panel, "reset_button"), "clicked");
  g_assert_true (recur_params_panel_get_auto (p));
  recur_job_config_clear (&config);
  g_object_unref (panel);
}

static void
test_defaults_round_trip (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
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
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
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

  /* an ensemble's members count too: "… · 3 members: 3 × the count in all" */
  config.ensemble = 3;
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  {
    const char *text = gtk_label_get_text (GTK_LABEL (child (panel, "params_label")));
    const char *all = strstr (text, " · 3 members: ");
    guint64 n = 0;

    g_assert_nonnull (all);
    for (const char *p = all + strlen (" · 3 members: "); *p && *p != ' '; p++)
      if (g_ascii_isdigit (*p))
        n = n * 10 + (guint64) (*p - '0');
    g_assert_cmpuint (n, ==, 3 * expected);
    g_assert_true (g_str_has_suffix (text, " in all"));
  }

  recur_job_config_clear (&config);
  recur_job_config_clear (&got);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_dropout_needs_layers (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
  GtkWidget *layers = child (panel, "layers_spin"), *dropout = child (panel, "dropout_spin");

  gtk_spin_button_set_value (GTK_SPIN_BUTTON (layers), 1);
  g_assert_false (gtk_widget_get_sensitive (dropout));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (layers), 2);
  g_assert_true (gtk_widget_get_sensitive (dropout));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (layers), 1);
  g_assert_false (gtk_widget_get_sensitive (dropout));

  g_object_unref (panel);
}

/* Member windows are an ensemble's: greyed out for one network; typed in, they reach the
 * configuration, and a bad list is refused as `recur train` refuses it. */
static void
test_member_windows_need_an_ensemble (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
  GtkWidget *ensemble = recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel), "ensemble");
  GtkWidget *windows = recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel),
                                                       "ensemble-windows");
  RecurJobConfig config;

  g_assert_true (GTK_IS_ENTRY (windows));
  g_assert_false (gtk_widget_get_sensitive (windows));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ensemble), 3);
  g_assert_true (gtk_widget_get_sensitive (windows));
  gtk_editable_set_text (GTK_EDITABLE (windows), "12, 24");
  recur_job_config_init (&config);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &config);
  g_assert_cmpuint (config.ensemble, ==, 3);
  g_assert_cmpuint (config.n_ensemble_windows, ==, 2);
  g_assert_cmpuint (config.ensemble_windows[0], ==, 12);
  g_assert_cmpuint (config.ensemble_windows[1], ==, 24);
  recur_job_config_clear (&config);
  gtk_editable_set_text (GTK_EDITABLE (windows), "12,x");
  g_assert_true (gtk_widget_has_css_class (windows, "error"));
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (ensemble), 1);
  g_assert_false (gtk_widget_get_sensitive (windows));

  g_object_unref (panel);
}

static void
test_momentum_follows_optimizer (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
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
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
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
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
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
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
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


/* ---- the schema walked through the panel -------------------------------------------------- */

static gboolean
shown_in_panel (const RecurSetting *s)
{
  /* the column and the input columns are chosen with the data, in the window */
  return !(s->flags & RECUR_SETTING_INTERNAL) && s->kind != RECUR_SETTING_COLUMN
         && s->kind != RECUR_SETTING_NAMES;
}

static gboolean
is_numeric (const RecurSetting *s)
{
  return s->kind == RECUR_SETTING_UINT || s->kind == RECUR_SETTING_DOUBLE
         || s->kind == RECUR_SETTING_FLOAT;
}

/* The valid end of a range: the bound, or the nearest value inside an open one. */
static double
inner_end (const RecurSetting *s,
           gboolean            low)
{
  double bound = low ? s->lo : s->hi;
  gboolean open = (s->flags & (low ? RECUR_SETTING_LO_OPEN : RECUR_SETTING_HI_OPEN)) != 0;

  if (!open)
    return bound;
  if (s->kind == RECUR_SETTING_FLOAT)
    return nextafterf ((float) bound, low ? G_MAXFLOAT : -G_MAXFLOAT);
  return nextafter (bound, low ? G_MAXDOUBLE : -G_MAXDOUBLE);
}

/* Just outside: the bound itself when open, else one step (a unit for integers) past it. */
static double
outer_end (const RecurSetting *s,
           gboolean            low)
{
  gboolean open = (s->flags & (low ? RECUR_SETTING_LO_OPEN : RECUR_SETTING_HI_OPEN)) != 0;
  double bound = low ? s->lo : s->hi;

  if (open)
    return bound;
  if (s->kind == RECUR_SETTING_UINT)
    return low ? bound - 1 : bound + 1;
  return low ? bound - fmax (1e-6, fabs (bound) * 1e-6) : bound * (1 + 1e-6) + 1e-6;
}

static char *
number_text (const RecurSetting *s,
             double              v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (s->kind == RECUR_SETTING_UINT)
    return g_strdup_printf ("%.0f", v);
  recur_format_double (buf, sizeof buf, v);
  return g_strdup (buf);
}

/* The values a setting is loaded with: both ends of its range, every choice, seeds past 2⁵³
 * and 2⁶³, the shortest and the longest periods. */
static GPtrArray *
values_of (const RecurSetting *s)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);

  switch (s->kind)
    {
    case RECUR_SETTING_UINT:
    case RECUR_SETTING_DOUBLE:
    case RECUR_SETTING_FLOAT:
      g_ptr_array_add (values, number_text (s, inner_end (s, TRUE)));
      g_ptr_array_add (values, number_text (s, inner_end (s, FALSE)));
      break;
    case RECUR_SETTING_BOOL:
      g_ptr_array_add (values, g_strdup ("true"));
      g_ptr_array_add (values, g_strdup ("false"));
      break;
    case RECUR_SETTING_CHOICE:
      for (guint i = 0; s->choices[i]; i++)
        g_ptr_array_add (values, g_strdup (s->choices[i]));
      break;
    case RECUR_SETTING_SEED:
      g_ptr_array_add (values, g_strdup ("0"));
      g_ptr_array_add (values, g_strdup ("9007199254740993"));
      g_ptr_array_add (values, g_strdup ("9223372036854775808"));
      g_ptr_array_add (values, g_strdup ("18446744073709551615"));
      break;
    case RECUR_SETTING_LIST:
      g_ptr_array_add (values, g_strdup ("1"));
      g_ptr_array_add (values, g_strdup ("1,1,2,3,5,8,13,21,34,55,89,144,233,377,610,100000"));
      break;
    default:
      g_assert_not_reached ();
    }
  return values;
}

/* What the tooltip of a setting's label and control says. */
static char *
expected_tooltip (const RecurSetting *s)
{
  if (s->flags & RECUR_SETTING_LOG_SCALE)
    return g_strdup_printf ("%s\n%s", g_dgettext (GETTEXT_PACKAGE, s->description),
                            g_dgettext (GETTEXT_PACKAGE, "The arrows step through 1, 2, 3 and "
                                        "5 × 10ⁿ, Page Up and Down by tenfold"));
  return g_strdup (g_dgettext (GETTEXT_PACKAGE, s->description));
}

/* The label in front of a control: the grid cell left of it. */
static GtkWidget *
label_of (GtkWidget *control)
{
  GtkGrid *grid = GTK_GRID (gtk_widget_get_parent (control));
  int column, row;

  gtk_grid_query_child (grid, control, &column, &row, NULL, NULL);
  g_assert_cmpint (column, ==, 1);
  return gtk_grid_get_child_at (grid, 0, row);
}

static GtkAdjustment *
adjustment_of (GtkWidget *control)
{
  if (GTK_IS_SPIN_BUTTON (control))
    return gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (control));
  return gtk_range_get_adjustment (GTK_RANGE (control));
}

/* Types text into a spin button as a person does: the text, then leaving the field. */
static void
type_into (GtkWidget  *spin,
           const char *text)
{
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  gtk_spin_button_update (GTK_SPIN_BUTTON (spin));
}

static double
number_in_panel (GtkWidget          *panel,
                 const RecurSetting *s)
{
  RecurJobConfig got;
  double v;

  recur_job_config_init (&got);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  v = recur_setting_get_number (s, &got);
  recur_job_config_clear (&got);
  return v;
}

/* A spin button takes each end of the setting's range typed in, and refuses what is just past
 * it (the value stays). An unbounded end, the truncation's (the window) and a negative integer
 * (a numeric spin button drops the sign as it is typed) are left out. */
static void
assert_typed_range (GtkWidget          *panel,
                    const RecurSetting *s,
                    GtkWidget          *spin)
{
  for (int low = 1; low >= 0; low--)
    {
      g_autofree char *inside = number_text (s, inner_end (s, low));
      g_autofree char *outside = number_text (s, outer_end (s, low));
      double v;

      if (!low && (s->hi == G_MAXDOUBLE || g_str_equal (s->name, "truncate")))
        continue;
      g_test_message ("%s: typed %s, then %s", s->name, inside, outside);
      type_into (spin, inside);
      v = number_in_panel (panel, s);
      if (s->kind == RECUR_SETTING_FLOAT)
        g_assert_cmpfloat ((float) v, ==, (float) inner_end (s, low));
      else
        g_assert_cmpfloat (v, ==, inner_end (s, low));
      if (s->kind == RECUR_SETTING_UINT && outer_end (s, low) < 0)
        continue;
      type_into (spin, outside);
      g_assert_cmpfloat (number_in_panel (panel, s), ==, v);
    }
}

/* Every setting the user sets has a control of its kind, labelled with the schema's label,
 * with its description as tooltip, its choices in order, and its range: a spin button's is the
 * valid range (an unbounded one ends at a finite number past the usual span), a slider's the
 * usual span, which lies inside the valid range. A spin button takes the ends of the range
 * typed in and refuses what is past them. */
static void
test_schema_controls (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
  guint n, n_shown = 0;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint i = 0; i < n; i++)
    {
      const RecurSetting *s = &settings[i];
      GtkWidget *control = recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel), s->name);
      g_autofree char *tooltip = NULL;
      GtkWidget *label;

      g_test_message ("%s", s->name);
      if (!shown_in_panel (s))
        {
          g_assert_null (control);
          continue;
        }
      n_shown++;
      g_assert_nonnull (control);
      tooltip = expected_tooltip (s);
      g_assert_cmpstr (gtk_widget_get_tooltip_text (control), ==, tooltip);
      label = label_of (control);
      g_assert_true (GTK_IS_LABEL (label));
      g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==,
                       g_dgettext (GETTEXT_PACKAGE, s->label));
      g_assert_cmpstr (gtk_widget_get_tooltip_text (label), ==, tooltip);

      switch (s->kind)
        {
        case RECUR_SETTING_UINT:
        case RECUR_SETTING_DOUBLE:
        case RECUR_SETTING_FLOAT:
          {
            GtkAdjustment *adjustment = adjustment_of (control);
            double lower = gtk_adjustment_get_lower (adjustment);
            double upper = gtk_adjustment_get_upper (adjustment);

            if (GTK_IS_SCALE (control))
              {
                g_assert_false (s->flags & RECUR_SETTING_LOG_SCALE);
                g_assert_cmpfloat (lower, ==, s->soft_lo);
                g_assert_cmpfloat (upper, ==, s->soft_hi);
                g_assert_true (recur_setting_in_range (s, lower));
                g_assert_true (recur_setting_in_range (s, upper));
                break;
              }
            g_assert_true (GTK_IS_SPIN_BUTTON (control));
            assert_typed_range (panel, s, control);
            if (s->flags & RECUR_SETTING_LOG_SCALE)  /* room below for the arrows' sentinels */
              g_assert_cmpfloat (lower, <, inner_end (s, TRUE));
            else
              g_assert_cmpfloat (lower, ==, inner_end (s, TRUE));
            if (g_str_equal (s->name, "truncate"))  /* at most the window */
              g_assert_cmpfloat (upper, ==,
                                 number_in_panel (panel, recur_settings_find ("window")));
            else if (s->hi == G_MAXDOUBLE)
              {
                g_assert_true (isfinite (upper));
                g_assert_cmpfloat (upper, >=, s->soft_hi);
              }
            else
              g_assert_cmpfloat (upper, ==, inner_end (s, FALSE));
            break;
          }
        case RECUR_SETTING_BOOL:
          g_assert_true (GTK_IS_SWITCH (control));
          break;
        case RECUR_SETTING_CHOICE:
          {
            GListModel *items = gtk_drop_down_get_model (GTK_DROP_DOWN (control));

            g_assert_cmpuint (g_list_model_get_n_items (items), ==,
                              g_strv_length ((char **) s->choices));
            for (guint k = 0; s->choices[k]; k++)
              g_assert_cmpstr (gtk_string_list_get_string (GTK_STRING_LIST (items), k), ==,
                               g_dgettext (GETTEXT_PACKAGE, s->choice_labels[k]));
            break;
          }
        case RECUR_SETTING_SEED:
        case RECUR_SETTING_LIST:
          g_assert_true (GTK_IS_ENTRY (control));
          break;
        default:
          g_assert_not_reached ();
        }
    }
  g_assert_cmpuint (n_shown, >=, 40);
  g_object_unref (panel);
}

/* The first kind of a mask (bit k for kind k), or fallback when the mask is 0 (every kind). */
static guint
first_of (guint mask,
          guint fallback)
{
  return mask ? (guint) g_bit_nth_lsf (mask, -1) : fallback;
}

/* The defaults of a cell, with what makes s apply: one of its optimisers and schedules, two
 * layers for dropout, some momentum for Nesterov. */
static void
config_where_it_applies (RecurJobConfig     *config,
                         const RecurSetting *s,
                         RecurCellKind       cell)
{
  recur_job_config_init (config);
  recur_model_spec_init_for_cell (&config->model, cell);
  recur_optimizer_spec_init (&config->train.optimizer,
                             first_of (s->optimizers, config->train.optimizer.kind),
                             config->train.optimizer.lr);
  config->train.schedule = first_of (s->schedules, config->train.schedule);
  if (s->flags & RECUR_SETTING_STACKED)
    config->model.num_layers = 2;
  if (s->flags & RECUR_SETTING_MEMBERS)
    config->ensemble = 2;
  if (s->flags & RECUR_SETTING_GIVEN_BOX_COX)
    config->transform.box_cox = RECUR_BOX_COX_GIVEN;
  if (g_str_equal (s->name, "nesterov"))
    config->train.optimizer.momentum = 0.9;
}

/* The control shows exactly the setting's value in config. */
static void
assert_control_shows (GtkWidget            *panel,
                      const RecurSetting   *s,
                      const RecurJobConfig *config)
{
  GtkWidget *control = recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel), s->name);
  double v = recur_setting_get_number (s, config);

  if (GTK_IS_SPIN_BUTTON (control))
    {
      const char *text = gtk_editable_get_text (GTK_EDITABLE (control));
      double back = g_strtod (text, NULL);

      g_assert_cmpfloat (gtk_spin_button_get_value (GTK_SPIN_BUTTON (control)), ==, v);
      /* the text reads back as the value: leaving the field keeps it */
      if (s->kind == RECUR_SETTING_FLOAT)
        g_assert_cmpfloat ((float) back, ==, (float) v);
      else
        g_assert_cmpfloat (back, ==, v);
    }
  else if (GTK_IS_SCALE (control))
    g_assert_cmpfloat (gtk_range_get_value (GTK_RANGE (control)), ==, v);
  else if (GTK_IS_SWITCH (control))
    g_assert_cmpint (gtk_switch_get_active (GTK_SWITCH (control)), ==, v != 0);
  else if (GTK_IS_DROP_DOWN (control))
    g_assert_cmpuint (gtk_drop_down_get_selected (GTK_DROP_DOWN (control)), ==, (guint) v);
  else
    {
      g_autofree char *text = recur_setting_format_value (s, config);

      g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (control)), ==, text);
      g_assert_false (gtk_widget_has_css_class (control, "error"));
    }
}

/* Every setting at both ends of its range (every choice, the largest seeds), for every cell it
 * applies to: shown as it is, and back from get_config unchanged, with every other setting. */
static void
test_schema_round_trip (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
  guint n, n_trips = 0;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint i = 0; i < n; i++)
    {
      const RecurSetting *s = &settings[i];
      g_autoptr(GPtrArray) values = NULL;

      if (!shown_in_panel (s))
        continue;
      values = values_of (s);
      for (RecurCellKind cell = 0; cell < RECUR_N_CELLS; cell++)
        {
          if (!recur_setting_applies_to_cell (s, cell))
            continue;
          for (guint k = 0; k < values->len; k++)
            {
              g_autoptr(GError) error = NULL;
              RecurJobConfig config, got;

              g_test_message ("%s = %s, %s", s->name, (char *) values->pdata[k],
                              recur_cell_to_option (cell));
              config_where_it_applies (&config, s, cell);
              g_assert_true (recur_setting_parse (s, values->pdata[k], NULL, &config, &error));
              g_assert_no_error (error);
              g_assert_true (recur_setting_applies (s, &config));
              recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
              assert_control_shows (panel, s, &config);

              recur_job_config_init (&got);
              recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
              for (guint t = 0; t < n; t++)
                {
                  g_autofree char *want = recur_setting_format_value (&settings[t], &config);
                  g_autofree char *have = recur_setting_format_value (&settings[t], &got);

                  g_assert_cmpstr (have, ==, want);
                  if (is_numeric (&settings[t]) || settings[t].kind == RECUR_SETTING_SEED)
                    g_assert_cmpfloat (recur_setting_get_number (&settings[t], &got), ==,
                                       recur_setting_get_number (&settings[t], &config));
                }
              recur_job_config_clear (&got);
              recur_job_config_clear (&config);
              n_trips++;
            }
        }
    }
  g_test_message ("%u round trips", n_trips);
  g_assert_cmpuint (n_trips, >, 200);
  g_object_unref (panel);
}

/* A change made through each control reaches get_config: a spin button or slider moved to
 * the other end of its usual span, a switch flipped, every other choice, a seed and periods
 * typed. */
static void
test_schema_user_edits (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint i = 0; i < n; i++)
    {
      const RecurSetting *s = &settings[i];
      GtkWidget *control = recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel), s->name);
      RecurJobConfig config, got;
      double before;

      if (!shown_in_panel (s))
        continue;
      g_test_message ("%s", s->name);
      config_where_it_applies (&config, s, first_of (s->cells, RECUR_CELL_LSTM));
      recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
      before = recur_setting_get_number (s, &config);
      recur_job_config_init (&got);
      if (GTK_IS_SPIN_BUTTON (control) || GTK_IS_SCALE (control))
        {
          double target = before == s->soft_hi ? s->soft_lo : s->soft_hi;
          double shown;

          if (s->kind == RECUR_SETTING_FLOAT)
            target = (float) target;
          if (GTK_IS_SPIN_BUTTON (control))
            gtk_spin_button_set_value (GTK_SPIN_BUTTON (control), target);
          else
            gtk_range_set_value (GTK_RANGE (control), target);
          shown = gtk_adjustment_get_value (adjustment_of (control));
          recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
          g_assert_cmpfloat (shown, !=, before);
          g_assert_cmpfloat (recur_setting_get_number (s, &got), ==, shown);
        }
      else if (GTK_IS_SWITCH (control))
        {
          gtk_switch_set_active (GTK_SWITCH (control), before == 0);
          recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
          g_assert_cmpfloat (recur_setting_get_number (s, &got), ==, (before == 0));
        }
      else if (GTK_IS_DROP_DOWN (control))
        for (guint k = 0; s->choices[k]; k++)
          {
            gtk_drop_down_set_selected (GTK_DROP_DOWN (control), k);
            recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
            g_assert_cmpfloat (recur_setting_get_number (s, &got), ==, k);
          }
      else
        {
          const char *text = s->kind == RECUR_SETTING_SEED ? "9223372036854775809" : "2,3,3,7";
          g_autofree char *shown = NULL;

          gtk_editable_set_text (GTK_EDITABLE (control), text);
          recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
          shown = recur_setting_format_value (s, &got);
          g_assert_cmpstr (shown, ==, text);
        }
      recur_job_config_clear (&got);
      recur_job_config_clear (&config);
    }
  g_object_unref (panel);
}

/* What shows and what is greyed out, for each cell, optimiser and schedule and for one or two
 * layers: a cell's own options show only for it, and every control is sensitive exactly when
 * recur_setting_applies says the setting does something; Nesterov also needs some momentum,
 * which the schema does not say (the trainer refuses it without). */
static void
assert_sensitivity_follows_schema (GtkWidget            *panel,
                                   const RecurJobConfig *config)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), config);
  for (guint i = 0; i < n; i++)
    {
      const RecurSetting *s = &settings[i];
      GtkWidget *control = recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel), s->name);
      gboolean visible, sensitive;

      if (!shown_in_panel (s))
        continue;
      g_test_message ("%s", s->name);
      visible = !recur_setting_is_cell_only (s)
                || recur_setting_applies_to_cell (s, config->model.cell);
      sensitive = recur_setting_applies (s, config);
      if (g_str_equal (s->name, "nesterov"))
        sensitive = sensitive && config->train.optimizer.momentum > 0;
      g_assert_cmpint (gtk_widget_get_visible (control), ==, visible);
      g_assert_cmpint (gtk_widget_get_visible (label_of (control)), ==, visible);
      g_assert_cmpint (gtk_widget_get_sensitive (control), ==, sensitive);
      g_assert_cmpint (gtk_widget_get_sensitive (label_of (control)), ==, sensitive);
    }
}

static void
test_schema_sensitivity (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
  RecurJobConfig config;

  for (RecurCellKind cell = 0; cell < RECUR_N_CELLS; cell++)
    {
      recur_job_config_init (&config);
      recur_model_spec_init_for_cell (&config.model, cell);
      assert_sensitivity_follows_schema (panel, &config);
      recur_job_config_clear (&config);
    }
  for (RecurOptimizerKind kind = 0; kind <= RECUR_OPTIMIZER_RMSPROP; kind++)
    for (guint with_momentum = 0; with_momentum <= 1; with_momentum++)
      {
        recur_job_config_init (&config);
        recur_optimizer_spec_init (&config.train.optimizer, kind, 0.01);
        config.train.optimizer.momentum = with_momentum ? 0.9 : 0;
        assert_sensitivity_follows_schema (panel, &config);
        recur_job_config_clear (&config);
      }
  for (RecurScheduleKind schedule = 0; schedule <= RECUR_SCHEDULE_PLATEAU; schedule++)
    {
      recur_job_config_init (&config);
      config.train.schedule = schedule;
      assert_sensitivity_follows_schema (panel, &config);
      recur_job_config_clear (&config);
    }
  for (guint layers = 1; layers <= 2; layers++)
    for (RecurCellKind cell = RECUR_CELL_LSTM; cell <= RECUR_CELL_ESN; cell += 3)
      {
        recur_job_config_init (&config);
        recur_model_spec_init_for_cell (&config.model, cell);
        config.model.num_layers = layers;
        assert_sensitivity_follows_schema (panel, &config);
        recur_job_config_clear (&config);
      }
  g_object_unref (panel);
}

/* A ridge of 0 (no regularisation) is shown as 0 and reached from the arrows, below the usual
 * span's 1e-10; a value typed closer than GtkSpinButton's 1e-10 to the one shown still counts. */
static void
test_ridge_reaches_zero (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
  GtkSpinButton *ridge;
  RecurJobConfig config, got;

  recur_job_config_init (&config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_ESN);
  config.model.esn.ridge = 0;
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  ridge = GTK_SPIN_BUTTON (recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel), "ridge"));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ridge)), ==, "0");

  recur_job_config_init (&got);
  gtk_spin_button_spin (ridge, GTK_SPIN_STEP_FORWARD, 0);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat (got.model.esn.ridge, ==, 1e-10);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ridge)), ==, "1e-10");
  gtk_spin_button_spin (ridge, GTK_SPIN_STEP_FORWARD, 0);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat (got.model.esn.ridge, ==, 2e-10);
  gtk_spin_button_spin (ridge, GTK_SPIN_PAGE_FORWARD, 0);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat (got.model.esn.ridge, ==, 2e-9);
  gtk_spin_button_spin (ridge, GTK_SPIN_PAGE_BACKWARD, 0);
  gtk_spin_button_spin (ridge, GTK_SPIN_STEP_BACKWARD, 0);
  gtk_spin_button_spin (ridge, GTK_SPIN_STEP_BACKWARD, 0);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat (got.model.esn.ridge, ==, 0);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ridge)), ==, "0");

  /* typed: 1e-12 over 1e-11 */
  config.model.esn.ridge = 1e-11;
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (ridge)), ==, "1e-11");
  gtk_editable_set_text (GTK_EDITABLE (ridge), "1e-12");
  gtk_spin_button_update (ridge);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat (got.model.esn.ridge, ==, 1e-12);
  /* and a typed 1e6, the end of the range, stays */
  gtk_editable_set_text (GTK_EDITABLE (ridge), "1e6");
  gtk_spin_button_update (ridge);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat (got.model.esn.ridge, ==, 1e6);

  recur_job_config_clear (&got);
  recur_job_config_clear (&config);
  g_object_unref (panel);
}

/* The seed is text checked as `recur train --seed` checks it: every 64-bit seed is taken; what
 * is not one is marked, says why, and changes nothing. */
static void
test_seed_entry (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
  GtkWidget *seed = recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel), "seed");
  RecurJobConfig got;
  guint changed = 0;

  g_signal_connect (panel, "changed", G_CALLBACK (count_changed), &changed);
  recur_job_config_init (&got);
  gtk_editable_set_text (GTK_EDITABLE (seed), "18446744073709551615");
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpuint (got.train.seed, ==, G_MAXUINT64);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_false (gtk_widget_has_css_class (seed, "error"));

  gtk_editable_set_text (GTK_EDITABLE (seed), "-5");
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpuint (got.train.seed, ==, G_MAXUINT64);
  g_assert_cmpuint (changed, ==, 1);
  g_assert_true (gtk_widget_has_css_class (seed, "error"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (seed), "“-5”"));
  g_assert_nonnull (strstr (gtk_widget_get_tooltip_text (seed), "18446744073709551615"));

  gtk_editable_set_text (GTK_EDITABLE (seed), "7");
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpuint (got.train.seed, ==, 7);
  g_assert_cmpuint (changed, ==, 2);
  g_assert_false (gtk_widget_has_css_class (seed, "error"));

  recur_job_config_clear (&got);
  g_object_unref (panel);
}

/* A new cell starts from its own defaults: an echo state network's 100 units, a Jordan
 * network's recursive strategy; the window stays, the options of the cell left go back. */
static void
test_cell_brings_its_defaults (void)
{
  GtkWidget *panel = g_object_ref_sink (manual_panel ());
  GtkDropDown *cell = GTK_DROP_DOWN (child (panel, "cell_drop"));
  GtkWidget *leak;
  RecurJobConfig got;

  recur_job_config_init (&got);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (panel, "window_spin")), 48);
  gtk_spin_button_set_value (GTK_SPIN_BUTTON (child (panel, "layers_spin")), 3);
  gtk_drop_down_set_selected (cell, RECUR_CELL_ESN);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpuint (got.model.hidden_size, ==, 100);
  g_assert_cmpuint (got.model.num_layers, ==, 1);
  g_assert_cmpuint (got.model.window, ==, 48);
  leak = recur_params_panel_get_control (RECUR_PARAMS_PANEL (panel), "leak");
  g_assert_true (gtk_widget_get_visible (leak));
  gtk_range_set_value (GTK_RANGE (leak), 0.3);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpfloat (got.model.esn.leak, ==, 0.3f);

  gtk_drop_down_set_selected (cell, RECUR_CELL_JORDAN);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpuint (got.model.hidden_size, ==, 32);
  g_assert_cmpint (got.model.strategy, ==, RECUR_STRATEGY_RECURSIVE);
  g_assert_cmpfloat (got.model.esn.leak, ==, 0.6f);
  g_assert_false (gtk_widget_get_visible (leak));

  gtk_drop_down_set_selected (cell, RECUR_CELL_LSTM);
  recur_params_panel_get_config (RECUR_PARAMS_PANEL (panel), &got);
  g_assert_cmpint (got.model.strategy, ==, RECUR_STRATEGY_DIRECT);
  g_assert_cmpuint (got.model.window, ==, 48);

  recur_job_config_clear (&got);
  g_object_unref (panel);
}

static void
expand_advanced (GtkWidget *widget)
{
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    {
      if (GTK_IS_EXPANDER (c))
        gtk_expander_set_expanded (GTK_EXPANDER (c), TRUE);
      expand_advanced (c);
    }
}

/* PNGs of an LSTM's, an echo state network's (Advanced open) and SGD with a step schedule. */
static void
test_screenshot_kinds (void)
{
  const char *dir = g_getenv ("SHOT_DIR");
  GtkWidget *window;
  GtkWidget *panel = panel_in_window (&window);
  RecurJobConfig config;

  if (dir == NULL)
    {
      gtk_window_destroy (GTK_WINDOW (window));
      g_test_skip ("SHOT_DIR is not set");
      return;
    }
  gtk_window_present (GTK_WINDOW (window));
  g_assert_true (wait_for (is_mapped, panel, 5000));
  g_assert_no_errno (g_mkdir_with_parents (dir, 0755));

  recur_job_config_init (&config);
  config.model.num_layers = 2;
  config.model.dropout = 0.2f;
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  shoot (window, dir, "params-panel-lstm.png");
  recur_job_config_clear (&config);

  recur_job_config_init (&config);
  recur_model_spec_init_for_cell (&config.model, RECUR_CELL_ESN);
  config.model.esn.spectral_radius = 1.9f;   /* past the slider's usual 1.5 */
  config.model.esn.ridge = 0;
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  expand_advanced (panel);
  shoot (window, dir, "params-panel-esn.png");
  recur_job_config_clear (&config);

  recur_job_config_init (&config);
  recur_optimizer_spec_init (&config.train.optimizer, RECUR_OPTIMIZER_SGD, 0.05);
  config.train.optimizer.momentum = 0.9;
  config.train.schedule = RECUR_SCHEDULE_STEP;
  config.train.seed = G_MAXUINT64;
  recur_params_panel_set_config (RECUR_PARAMS_PANEL (panel), &config);
  shoot (window, dir, "params-panel-sgd-step.png");
  recur_job_config_clear (&config);

  g_assert_cmpuint (gtk_widget_get_width (panel), ==, 300);
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

  g_test_add_func ("/ui/params-panel/automatic-by-default", test_automatic_by_default);
  g_test_add_func ("/ui/params-panel/defaults-round-trip", test_defaults_round_trip);
  g_test_add_func ("/ui/params-panel/set-get-round-trip", test_set_get_round_trip);
  g_test_add_func ("/ui/params-panel/count-follows-hidden-units", test_count_follows_hidden);
  g_test_add_func ("/ui/params-panel/dropout-needs-two-layers", test_dropout_needs_layers);
  g_test_add_func ("/ui/params-panel/member-windows-need-an-ensemble",
                   test_member_windows_need_an_ensemble);
  g_test_add_func ("/ui/params-panel/momentum-follows-optimizer", test_momentum_follows_optimizer);
  g_test_add_func ("/ui/params-panel/changed-once-per-change", test_changed_once);
  g_test_add_func ("/ui/params-panel/learning-rate-steps", test_learning_rate_steps);
  g_test_add_func ("/ui/params-panel/large-model-count-only", test_large_model_count_only);
  g_test_add_func ("/ui/params-panel/screenshot", test_screenshot);
  g_test_add_func ("/ui/params-panel/schema/controls", test_schema_controls);
  g_test_add_func ("/ui/params-panel/schema/round-trip", test_schema_round_trip);
  g_test_add_func ("/ui/params-panel/schema/user-edits", test_schema_user_edits);
  g_test_add_func ("/ui/params-panel/schema/sensitivity", test_schema_sensitivity);
  g_test_add_func ("/ui/params-panel/ridge-reaches-zero", test_ridge_reaches_zero);
  g_test_add_func ("/ui/params-panel/seed-entry", test_seed_entry);
  g_test_add_func ("/ui/params-panel/cell-brings-its-defaults", test_cell_brings_its_defaults);
  g_test_add_func ("/ui/params-panel/screenshot-kinds", test_screenshot_kinds);
  return g_test_run ();
}
