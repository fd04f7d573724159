/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-params-panel.h"

/* Listing the tensors builds a throw-away model (its buffers are calloc'ed, so untouched pages
 * cost nothing); above this many parameters only the count is shown. */
#define MAX_LISTED_PARAMS (50 * 1000 * 1000)

/* The learning rate's arrows step through 1, 2, 3, 5 × 10ⁿ, Page Up/Down by tenfold. The
 * adjustment's increments are sentinels recognised in on_spin_value_changed. */
#define LR_MIN       1e-5
#define LR_MAX       10.0
#define LR_STEP      1e-5
#define LR_PAGE      2e-5

struct _RecurParamsPanel
{
  GtkWidget       parent_instance;

  /* the template's only direct child: bound so that gtk_widget_dispose_template unparents it */
  GtkWidget      *content;

  /* Model */
  GtkDropDown    *cell_drop;
  GtkSpinButton  *hidden_spin;
  GtkSpinButton  *layers_spin;
  GtkSwitch      *bidirectional_switch;
  GtkWidget      *dropout_label;
  GtkSpinButton  *dropout_spin;
  GtkSwitch      *bias_switch;
  /* Data */
  GtkSpinButton  *window_spin;
  GtkSpinButton  *horizon_spin;
  GtkDropDown    *strategy_drop;
  GtkDropDown    *scaler_drop;
  GtkDropDown    *missing_drop;
  GtkSpinButton  *val_spin;
  /* Training */
  GtkSpinButton  *epochs_spin;
  GtkSpinButton  *batch_spin;
  GtkDropDown    *loss_drop;
  GtkDropDown    *optimizer_drop;
  GtkSpinButton  *lr_spin;
  GtkWidget      *momentum_label;
  GtkSpinButton  *momentum_spin;
  GtkWidget      *nesterov_label;
  GtkSwitch      *nesterov_switch;
  GtkSpinButton  *decay_spin;
  GtkDropDown    *schedule_drop;
  GtkWidget      *step_label;
  GtkSpinButton  *step_spin;
  GtkWidget      *gamma_label;
  GtkSpinButton  *gamma_spin;
  GtkWidget      *plateau_label;
  GtkSpinButton  *plateau_spin;
  GtkSpinButton  *clip_spin;
  GtkSpinButton  *truncate_spin;
  GtkSpinButton  *patience_spin;
  GtkSpinButton  *seed_spin;

  /* options of one cell only, shown when it is chosen (built in code: see add_cell_options) */
  GtkGrid        *grid;
  GPtrArray      *jordan_rows;     /* label and control widgets of each cell's own rows */
  GPtrArray      *esn_rows;
  GPtrArray      *clockwork_rows;
  GtkDropDown    *jordan_drop;
  GtkScale       *radius_scale;
  GtkScale       *leak_scale;
  GtkScale       *ridge_scale;      /* log10 λ */
  GtkSpinButton  *input_scale_spin;
  GtkSpinButton  *connectivity_spin;
  GtkSpinButton  *washout_spin;
  GtkEntry       *periods_entry;
  GtkWidget      *layers_label;
  GtkWidget      *bidirectional_label;

  GtkLabel       *params_label;
  GtkButton      *reset_button;

  /* What no control shows (season, Adam's betas, …), kept so that set_config → get_config
   * returns them; column is always NULL here. */
  RecurJobConfig  hidden;
  /* The spec the count and tooltip were made for. */
  RecurModelSpec  shown_spec;
  gboolean        shown_valid;
  guint64         n_params;
  double          lr_previous;
  RecurOptimizerKind optimizer_previous;
  /* Set while the panel itself changes controls: their signals are then not the user's. */
  gboolean        updating;
};

enum
{
  CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (RecurParamsPanel, recur_params_panel, GTK_TYPE_WIDGET)

/* ---- formatting ------------------------------------------------------------------------- */

/* Digits grouped by threes with a narrow no-break space (U+202F), as ISO 80000 writes them:
 * the same in every locale, and never split across lines. */
static char *
format_count (guint64 n)
{
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  gsize len = strlen (digits);
  GString *out = g_string_new (NULL);

  for (gsize i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append (out, "\u202f");
      g_string_append_c (out, digits[i]);
    }
  return g_string_free (out, FALSE);
}

/* The next (direction > 0) or previous value of 1, 2, 3, 5 × 10ⁿ from x, within the range. */
static double
lr_neighbour (double x,
              int    direction)
{
  static const double mantissas[] = { 1, 2, 3, 5 };
  double best = x;
  int e = (int) floor (log10 (x));

  for (int k = e - 1; k <= e + 1; k++)
    for (guint m = 0; m < G_N_ELEMENTS (mantissas); m++)
      {
        /* rounded to the spin button's 5 digits, so 3e-3 is 0.003 exactly as typed */
        double v = round (mantissas[m] * pow (10, k) * 1e5) / 1e5;

        if (v < LR_MIN || v > LR_MAX)
          continue;
        if (direction > 0 && v > x * (1 + 1e-9) && (best == x || v < best))
          best = v;
        if (direction < 0 && v < x * (1 - 1e-9) && (best == x || v > best))
          best = v;
      }
  return best;
}

/* ---- reading and writing the controls --------------------------------------------------- */

static guint
spin_uint (GtkSpinButton *spin)
{
  return (guint) gtk_spin_button_get_value_as_int (spin);
}

/* The fields of the chosen cell's own options; the others keep the engine's defaults. */
static void
read_cell_options (RecurParamsPanel *self,
                   RecurModelSpec   *spec)
{
  RecurModelSpec defaults;

  recur_model_spec_init_for_cell (&defaults, spec->cell);
  spec->jordan_feedback = (RecurJordanFeedback) gtk_drop_down_get_selected (self->jordan_drop);
  spec->esn = defaults.esn;
  spec->esn.spectral_radius = (float) gtk_range_get_value (GTK_RANGE (self->radius_scale));
  spec->esn.leak = (float) gtk_range_get_value (GTK_RANGE (self->leak_scale));
  spec->esn.ridge = pow (10.0, gtk_range_get_value (GTK_RANGE (self->ridge_scale)));
  spec->esn.input_scaling = (float) gtk_spin_button_get_value (self->input_scale_spin);
  spec->esn.connectivity = (float) gtk_spin_button_get_value (self->connectivity_spin);
  spec->esn.washout = spin_uint (self->washout_spin);
  if (!recur_periods_from_string (gtk_editable_get_text (GTK_EDITABLE (self->periods_entry)),
                                  spec->periods, &spec->n_periods))
    {
      spec->n_periods = defaults.n_periods;
      memcpy (spec->periods, defaults.periods, sizeof spec->periods);
    }
}

static void
read_model_spec (RecurParamsPanel *self,
                 RecurModelSpec   *spec)
{
  memset (spec, 0, sizeof *spec);
  spec->cell = (RecurCellKind) gtk_drop_down_get_selected (self->cell_drop);
  spec->input_size = 1;
  spec->hidden_size = spin_uint (self->hidden_spin);
  spec->num_layers = spin_uint (self->layers_spin);
  spec->bidirectional = gtk_switch_get_active (self->bidirectional_switch);
  spec->bias = gtk_switch_get_active (self->bias_switch);
  spec->dropout = (float) gtk_spin_button_get_value (self->dropout_spin);
  spec->window = spin_uint (self->window_spin);
  spec->horizon = spin_uint (self->horizon_spin);
  spec->strategy = (RecurStrategy) gtk_drop_down_get_selected (self->strategy_drop);
  read_cell_options (self, spec);
}

static gboolean
model_spec_equal (const RecurModelSpec *a,
                  const RecurModelSpec *b)
{
  return a->cell == b->cell && a->input_size == b->input_size
         && a->hidden_size == b->hidden_size && a->num_layers == b->num_layers
         && !a->bidirectional == !b->bidirectional && !a->bias == !b->bias
         && a->dropout == b->dropout && a->window == b->window && a->horizon == b->horizon
         && a->strategy == b->strategy && a->n_periods == b->n_periods
         && memcmp (a->periods, b->periods, sizeof a->periods) == 0;
}

/* "4H×DH" for a tensor of rnn.* or head.*, in terms of the legend's symbols. */
static char *
tensor_symbol (const RecurTensorInfo *t,
               guint                  n_gates)
{
  g_autofree char *gh = n_gates > 1 ? g_strdup_printf ("%uH", n_gates) : g_strdup ("H");

  if (g_str_has_prefix (t->name, "head.weight"))
    return g_strdup ("O×DH");
  if (g_str_has_prefix (t->name, "head.bias"))
    return g_strdup ("O");
  if (g_str_has_prefix (t->name, "rnn.weight_ih_l0"))
    return g_strdup_printf ("%s×I", gh);
  if (g_str_has_prefix (t->name, "rnn.weight_ih_"))
    return g_strdup_printf ("%s×DH", gh);
  if (g_str_has_prefix (t->name, "rnn.weight_hh_"))
    return g_strdup_printf ("%s×H", gh);
  return g_steal_pointer (&gh);  /* the biases */
}

/* Pads with spaces to `width` characters (not bytes: × is two bytes). */
static void
append_padded (GString    *out,
               const char *text,
               guint       width,
               gboolean    right)
{
  glong len = g_utf8_strlen (text, -1);

  if (!right)
    g_string_append (out, text);
  for (glong i = len; i < (glong) width; i++)
    g_string_append_c (out, ' ');
  if (right)
    g_string_append (out, text);
}

static char *
make_tooltip (const RecurModelSpec *spec,
              guint64               n_params)
{
  g_autofree char *total = format_count (n_params);
  g_autoptr(RecurModel) model = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  guint widths[4] = { 0 };

  if (n_params > MAX_LISTED_PARAMS)
    return g_markup_printf_escaped (_("%s parameters: too many to list tensor by tensor"), total);
  model = recur_model_new (spec, NULL);
  if (model == NULL)
    return g_markup_printf_escaped (_("%s parameters"), total);

  /* the legend of the symbols; the names are translated, the letters are PyTorch's */
  g_string_append_printf (text, "H = %-6u %s\n", spec->hidden_size, _("hidden units"));
  g_string_append_printf (text, "I = %-6u %s\n", spec->input_size, _("inputs"));
  g_string_append_printf (text, "D = %-6u %s\n", spec->bidirectional ? 2 : 1, _("directions"));
  g_string_append_printf (text, "O = %-6u %s\n\n", recur_model_spec_output_size (spec),
                          _("outputs per window"));

  /* name, symbolic shape, numeric shape, count */
  rows = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < recur_model_get_n_tensors (model); i++)
    {
      const RecurTensorInfo *t = recur_model_get_tensor (model, i);
      char *shape = t->n_dims == 2
        ? g_strdup_printf ("%" G_GUINT64_FORMAT "×%" G_GUINT64_FORMAT, t->shape[0], t->shape[1])
        : g_strdup_printf ("%" G_GUINT64_FORMAT, t->shape[0]);

      g_ptr_array_add (rows, g_strdup (t->name));
      g_ptr_array_add (rows, tensor_symbol (t, recur_cell_n_gates (spec->cell)));
      g_ptr_array_add (rows, shape);
      g_ptr_array_add (rows, format_count (t->count));
    }
  for (guint i = 0; i < rows->len; i++)
    widths[i % 4] = MAX (widths[i % 4], (guint) g_utf8_strlen (rows->pdata[i], -1));
  widths[3] = MAX (widths[3], (guint) g_utf8_strlen (total, -1));

  for (guint i = 0; i < rows->len; i += 4)
    {
      append_padded (text, rows->pdata[i], widths[0] + 2, FALSE);
      append_padded (text, rows->pdata[i + 1], widths[1], TRUE);
      g_string_append (text, " = ");
      append_padded (text, rows->pdata[i + 2], widths[2] + 2, FALSE);
      append_padded (text, rows->pdata[i + 3], widths[3], TRUE);
      g_string_append_c (text, '\n');
    }
  append_padded (text, _("Total"), widths[0] + 2 + widths[1] + 3 + widths[2] + 2, FALSE);
  append_padded (text, total, widths[3], TRUE);

  return g_markup_printf_escaped ("<tt>%s</tt>", text->str);
}

/* The count and its tooltip, rebuilt only when the spec changed. */
static void
update_count (RecurParamsPanel *self)
{
  g_autofree char *count = NULL;
  g_autofree char *label = NULL;
  g_autofree char *tooltip = NULL;
  RecurModelSpec spec;

  read_model_spec (self, &spec);
  if (self->shown_valid && model_spec_equal (&spec, &self->shown_spec))
    return;

  self->shown_spec = spec;
  self->shown_valid = TRUE;
  self->n_params = recur_model_spec_count_params (&spec);
  count = format_count (self->n_params);
  if ((spec.cell == RECUR_CELL_ESN || spec.cell == RECUR_CELL_CLOCKWORK)
      && self->n_params <= 50000000)
    {
      /* fixed reservoir or masked blocks: say how many of them training changes */
      g_autoptr(RecurModel) model = recur_model_new (&spec, NULL);
      g_autofree char *trained = model ? format_count (recur_model_get_n_trainable_params (model))
                                       : NULL;
      /* Translators: both %s are numbers such as 4 876 */
      label = trained ? g_strdup_printf (_("Parameters: %s, %s trained"), count, trained)
                      : g_strdup_printf (_("Parameters: %s"), count);
    }
  else
    /* Translators: %s is a number such as 4 876 */
    label = g_strdup_printf (_("Parameters: %s"), count);
  gtk_label_set_text (self->params_label, label);
  tooltip = make_tooltip (&spec, self->n_params);
  gtk_widget_set_tooltip_markup (GTK_WIDGET (self->params_label), tooltip);
}

static void
set_rows_visible (GPtrArray *rows,
                  gboolean   visible)
{
  for (guint i = 0; i < rows->len; i++)
    gtk_widget_set_visible (g_ptr_array_index (rows, i), visible);
}

/* What follows from the values: sensitivity, the truncation's range and the parameter count.
 * Call with self->updating set, since it may clamp the truncation. */
static void
sync_derived (RecurParamsPanel *self)
{
  RecurOptimizerKind kind = gtk_drop_down_get_selected (self->optimizer_drop);
  RecurScheduleKind schedule = gtk_drop_down_get_selected (self->schedule_drop);
  gboolean stacked = spin_uint (self->layers_spin) > 1;
  gboolean momentum = kind == RECUR_OPTIMIZER_SGD || kind == RECUR_OPTIMIZER_RMSPROP;
  gboolean nesterov = kind == RECUR_OPTIMIZER_SGD
                      && gtk_spin_button_get_value (self->momentum_spin) > 0.0;
  gboolean step = schedule == RECUR_SCHEDULE_STEP;
  gboolean plateau = schedule == RECUR_SCHEDULE_PLATEAU;
  double window = gtk_spin_button_get_value (self->window_spin);

  RecurCellKind cell = gtk_drop_down_get_selected (self->cell_drop);
  /* Jordan, ESN and clockwork networks have one unidirectional layer */
  gboolean stackable = recur_cell_is_stackable (cell);

  set_rows_visible (self->jordan_rows, cell == RECUR_CELL_JORDAN);
  set_rows_visible (self->esn_rows, cell == RECUR_CELL_ESN);
  set_rows_visible (self->clockwork_rows, cell == RECUR_CELL_CLOCKWORK);
  gtk_widget_set_sensitive (self->layers_label, stackable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->layers_spin), stackable);
  gtk_widget_set_sensitive (self->bidirectional_label, stackable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->bidirectional_switch), stackable);
  stacked = stacked && stackable;
  gtk_widget_set_sensitive (self->dropout_label, stacked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->dropout_spin), stacked);
  gtk_widget_set_sensitive (self->momentum_label, momentum);
  gtk_widget_set_sensitive (GTK_WIDGET (self->momentum_spin), momentum);
  gtk_widget_set_sensitive (self->nesterov_label, nesterov);
  gtk_widget_set_sensitive (GTK_WIDGET (self->nesterov_switch), nesterov);
  gtk_widget_set_sensitive (self->step_label, step);
  gtk_widget_set_sensitive (GTK_WIDGET (self->step_spin), step);
  gtk_widget_set_sensitive (self->gamma_label, step || plateau);
  gtk_widget_set_sensitive (GTK_WIDGET (self->gamma_spin), step || plateau);
  gtk_widget_set_sensitive (self->plateau_label, plateau);
  gtk_widget_set_sensitive (GTK_WIDGET (self->plateau_spin), plateau);

  /* truncating at the window's length or more is the whole window */
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->truncate_spin), window);
  if (gtk_spin_button_get_value (self->truncate_spin) > window)
    gtk_spin_button_set_value (self->truncate_spin, window);

  update_count (self);
}

static void
write_cell_options (RecurParamsPanel     *self,
                    const RecurModelSpec *m)
{
  RecurModelSpec defaults;
  const RecurModelSpec *esn = m->cell == RECUR_CELL_ESN ? m : &defaults;
  const RecurModelSpec *cw = m->cell == RECUR_CELL_CLOCKWORK ? m : &defaults;
  g_autofree char *periods = NULL;

  /* a cell's options show its defaults until it is chosen */
  recur_model_spec_init_for_cell (&defaults, RECUR_CELL_ESN);
  gtk_drop_down_set_selected (self->jordan_drop, m->jordan_feedback);
  gtk_range_set_value (GTK_RANGE (self->radius_scale), esn->esn.spectral_radius);
  gtk_range_set_value (GTK_RANGE (self->leak_scale), esn->esn.leak);
  gtk_range_set_value (GTK_RANGE (self->ridge_scale), log10 (esn->esn.ridge));
  gtk_spin_button_set_value (self->input_scale_spin, esn->esn.input_scaling);
  gtk_spin_button_set_value (self->connectivity_spin, esn->esn.connectivity);
  gtk_spin_button_set_value (self->washout_spin, esn->esn.washout);
  recur_model_spec_init_for_cell (&defaults, RECUR_CELL_CLOCKWORK);
  if (m->cell != RECUR_CELL_CLOCKWORK)
    cw = &defaults;
  periods = recur_periods_to_string (cw->periods, cw->n_periods);
  gtk_editable_set_text (GTK_EDITABLE (self->periods_entry), periods);
}

static void
write_controls (RecurParamsPanel     *self,
                const RecurJobConfig *config)
{
  const RecurModelSpec *m = &config->model;
  const RecurTrainSpec *t = &config->train;

  gtk_drop_down_set_selected (self->cell_drop, m->cell);
  gtk_spin_button_set_value (self->hidden_spin, m->hidden_size);
  gtk_spin_button_set_value (self->layers_spin, m->num_layers);
  gtk_switch_set_active (self->bidirectional_switch, m->bidirectional);
  gtk_spin_button_set_value (self->dropout_spin, m->dropout);
  gtk_switch_set_active (self->bias_switch, m->bias);
  write_cell_options (self, m);

  gtk_spin_button_set_value (self->window_spin, m->window);
  gtk_adjustment_set_upper (gtk_spin_button_get_adjustment (self->truncate_spin),
                            gtk_spin_button_get_value (self->window_spin));
  gtk_spin_button_set_value (self->horizon_spin, m->horizon);
  gtk_drop_down_set_selected (self->strategy_drop, m->strategy);
  gtk_drop_down_set_selected (self->scaler_drop, config->scaler);
  gtk_drop_down_set_selected (self->missing_drop, config->missing);
  gtk_spin_button_set_value (self->val_spin, config->val_fraction);

  gtk_spin_button_set_value (self->epochs_spin, t->epochs);
  gtk_spin_button_set_value (self->batch_spin, t->batch_size);
  gtk_drop_down_set_selected (self->loss_drop, t->loss);
  gtk_drop_down_set_selected (self->optimizer_drop, t->optimizer.kind);
  gtk_spin_button_set_value (self->lr_spin, t->optimizer.lr);
  gtk_spin_button_set_value (self->momentum_spin, t->optimizer.momentum);
  gtk_switch_set_active (self->nesterov_switch, t->optimizer.nesterov);
  gtk_spin_button_set_value (self->decay_spin, t->optimizer.weight_decay);
  gtk_drop_down_set_selected (self->schedule_drop, t->schedule);
  gtk_spin_button_set_value (self->step_spin, t->step_size);
  gtk_spin_button_set_value (self->gamma_spin, t->gamma);
  gtk_spin_button_set_value (self->plateau_spin, t->plateau_patience);
  gtk_spin_button_set_value (self->clip_spin, t->clip);
  gtk_spin_button_set_value (self->truncate_spin, t->truncate);
  gtk_spin_button_set_value (self->patience_spin, t->patience);
  gtk_spin_button_set_value (self->seed_spin, (double) t->seed);

  self->lr_previous = gtk_spin_button_get_value (self->lr_spin);
  self->optimizer_previous = t->optimizer.kind;
}

/* ---- what the user does ------------------------------------------------------------------ */

/* A value-changed of the learning rate by exactly one sentinel increment came from the arrows,
 * the keyboard or the wheel: replace it with the next value of the log-like sequence. */
static void
learning_rate_changed (RecurParamsPanel *self)
{
  double value = gtk_spin_button_get_value (self->lr_spin);
  double delta = value - self->lr_previous;
  double next = value;

  if (fabs (delta - LR_STEP) < LR_STEP * 1e-3)
    next = lr_neighbour (self->lr_previous, +1);
  else if (fabs (delta + LR_STEP) < LR_STEP * 1e-3)
    next = lr_neighbour (self->lr_previous, -1);
  else if (fabs (delta - LR_PAGE) < LR_STEP * 1e-3)
    next = MIN (self->lr_previous * 10, LR_MAX);
  else if (fabs (delta + LR_PAGE) < LR_STEP * 1e-3)
    next = MAX (self->lr_previous / 10, LR_MIN);
  if (next != value)
    gtk_spin_button_set_value (self->lr_spin, next);
  self->lr_previous = gtk_spin_button_get_value (self->lr_spin);
}

/* A new optimiser gets its own default weight decay unless the user chose one. */
static void
optimizer_changed (RecurParamsPanel *self)
{
  RecurOptimizerKind kind = gtk_drop_down_get_selected (self->optimizer_drop);
  RecurOptimizerSpec old_defaults, new_defaults;

  recur_optimizer_spec_init (&old_defaults, self->optimizer_previous, 1.0);
  recur_optimizer_spec_init (&new_defaults, kind, 1.0);
  if (fabs (gtk_spin_button_get_value (self->decay_spin) - old_defaults.weight_decay) < 1e-12)
    gtk_spin_button_set_value (self->decay_spin, new_defaults.weight_decay);
  self->optimizer_previous = kind;
}

/* A newly chosen cell starts from the settings Recur offers for it (an ESN's reservoir size, a
 * Jordan network's strategy), keeping the window and horizon. */
static void
cell_changed (RecurParamsPanel *self)
{
  RecurModelSpec spec;

  recur_model_spec_init_for_cell (&spec, gtk_drop_down_get_selected (self->cell_drop));
  gtk_spin_button_set_value (self->hidden_spin, spec.hidden_size);
  gtk_drop_down_set_selected (self->strategy_drop, spec.strategy);
  if (!recur_cell_is_stackable (spec.cell))
    {
      gtk_spin_button_set_value (self->layers_spin, 1);
      gtk_switch_set_active (self->bidirectional_switch, FALSE);
    }
  spec.window = spin_uint (self->window_spin);
  spec.horizon = spin_uint (self->horizon_spin);
  write_cell_options (self, &spec);
}

static void
user_changed (RecurParamsPanel *self,
              gpointer          source)
{
  if (self->updating)
    return;
  /* Replacing the learning rate inside its own emission makes GtkAdjustment (NO_RECURSE)
   * restart that emission, which then brings nothing new. */
  if (source == self->lr_spin && gtk_spin_button_get_value (self->lr_spin) == self->lr_previous)
    return;

  self->updating = TRUE;
  if (source == self->cell_drop)
    cell_changed (self);
  if (source == self->lr_spin)
    learning_rate_changed (self);
  else if (source == self->optimizer_drop)
    optimizer_changed (self);
  sync_derived (self);
  self->updating = FALSE;

  g_signal_emit (self, signals[CHANGED], 0);
}

static void
on_spin_value_changed (GtkSpinButton    *spin,
                       RecurParamsPanel *self)
{
  user_changed (self, spin);
}

static void
on_control_notify (GObject          *object,
                   GParamSpec       *pspec G_GNUC_UNUSED,
                   RecurParamsPanel *self)
{
  user_changed (self, object);
}

/* Shows the value with the spin button's digits but no trailing zeros: 0.003, not 0.00300. */
static gboolean
on_spin_output_trimmed (GtkSpinButton    *spin,
                        RecurParamsPanel *self G_GNUC_UNUSED)
{
  g_autofree char *text = g_strdup_printf ("%.*f", (int) gtk_spin_button_get_digits (spin),
                                           gtk_spin_button_get_value (spin));
  gsize len = strlen (text);

  if (strpbrk (text, ".,") != NULL)
    {
      while (len > 0 && text[len - 1] == '0')
        text[--len] = '\0';
      if (len > 0 && (text[len - 1] == '.' || text[len - 1] == ','))
        text[--len] = '\0';
    }
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static void
on_reset_clicked (GtkButton        *button G_GNUC_UNUSED,
                  RecurParamsPanel *self)
{
  RecurJobConfig defaults;

  recur_job_config_init (&defaults);
  recur_params_panel_set_config (self, &defaults);
  recur_job_config_clear (&defaults);
}

/* ---- drop-downs that cannot widen the sidebar ------------------------------------------- */

static void
button_item_setup (GtkSignalListItemFactory *factory G_GNUC_UNUSED,
                   GtkListItem              *item,
                   gpointer                  user_data G_GNUC_UNUSED)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_list_item_set_child (item, label);
}

static void
button_item_bind (GtkSignalListItemFactory *factory G_GNUC_UNUSED,
                  GtkListItem              *item,
                  gpointer                  user_data G_GNUC_UNUSED)
{
  GtkStringObject *string = gtk_list_item_get_item (item);

  gtk_label_set_text (GTK_LABEL (gtk_list_item_get_child (item)),
                      gtk_string_object_get_string (string));
}

/* The button shows the choice ellipsized, so a long (or translated) name never widens the
 * column; the popup keeps GTK's own factory: full names and a check mark on the choice. */
static void
ellipsize_drop_down (GtkDropDown *drop_down)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  if (gtk_drop_down_get_list_factory (drop_down) == NULL)
    gtk_drop_down_set_list_factory (drop_down, gtk_drop_down_get_factory (drop_down));
  g_signal_connect (factory, "setup", G_CALLBACK (button_item_setup), NULL);
  g_signal_connect (factory, "bind", G_CALLBACK (button_item_bind), NULL);
  gtk_drop_down_set_factory (drop_down, factory);
}

/* ---- the type ---------------------------------------------------------------------------- */

/* ---- the options of one cell, built in code below the Model group's rows ----------------- */

static void on_cell_option_changed (RecurParamsPanel *self);

/* Inserts a "label | control" row at *row of the grid and moves *row on. */
static void
add_row (RecurParamsPanel *self,
         GPtrArray        *rows,
         guint            *row,
         const char       *label_text,
         const char       *tooltip,
         GtkWidget        *control)
{
  GtkWidget *label = gtk_label_new (label_text);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_tooltip_text (label, tooltip);
  gtk_widget_set_tooltip_text (control, tooltip);
  gtk_widget_set_hexpand (control, TRUE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (control), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  gtk_grid_insert_row (self->grid, (int) *row);
  gtk_grid_attach (self->grid, label, 0, (int) *row, 1, 1);
  gtk_grid_attach (self->grid, control, 1, (int) *row, 1, 1);
  g_ptr_array_add (rows, label);
  g_ptr_array_add (rows, control);
  (*row)++;
}

static GtkScale *
new_scale (double lo,
           double hi,
           double step,
           int    digits)
{
  GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, lo, hi, step);

  gtk_scale_set_digits (GTK_SCALE (scale), digits);
  gtk_scale_set_draw_value (GTK_SCALE (scale), TRUE);
  gtk_scale_set_value_pos (GTK_SCALE (scale), GTK_POS_LEFT);
  return GTK_SCALE (scale);
}

static GtkSpinButton *
new_spin (double lo,
          double hi,
          double step,
          guint  digits)
{
  GtkWidget *spin = gtk_spin_button_new_with_range (lo, hi, step);

  gtk_spin_button_set_digits (GTK_SPIN_BUTTON (spin), digits);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 5);
  return GTK_SPIN_BUTTON (spin);
}

static char *
format_ridge (GtkScale *scale,
              double    value,
              gpointer  data)
{
  return g_strdup_printf ("%.0e", pow (10.0, value));
}

static void
add_cell_options (RecurParamsPanel *self)
{
  static const char *const feedback[] = { N_("Teacher forcing"), N_("Free running"), NULL };
  g_autoptr(GtkStringList) feedback_list = gtk_string_list_new (NULL);
  guint row;

  /* right below the Model group's last row, Bias */
  gtk_grid_query_child (self->grid, GTK_WIDGET (self->bias_switch), NULL, (int *) &row, NULL, NULL);
  row++;

  self->jordan_rows = g_ptr_array_new ();
  self->esn_rows = g_ptr_array_new ();
  self->clockwork_rows = g_ptr_array_new ();

  for (guint i = 0; feedback[i]; i++)
    gtk_string_list_append (feedback_list, _(feedback[i]));
  self->jordan_drop = GTK_DROP_DOWN (gtk_drop_down_new (G_LIST_MODEL (g_object_ref (feedback_list)),
                                                        NULL));
  add_row (self, self->jordan_rows, &row, _("Context"),
           _("What the context units hold: the observed previous value (teacher forcing) or the "
             "network’s own previous output (free running)"), GTK_WIDGET (self->jordan_drop));

  self->radius_scale = new_scale (0.05, 1.5, 0.05, 2);
  add_row (self, self->esn_rows, &row, _("Spectral radius"),
           _("ρ, how long the reservoir echoes its inputs: below 1 it forgets its start"),
           GTK_WIDGET (self->radius_scale));
  self->leak_scale = new_scale (0.05, 1.0, 0.05, 2);
  add_row (self, self->esn_rows, &row, _("Leak rate"),
           _("α, how much of the reservoir’s state is renewed at each step"),
           GTK_WIDGET (self->leak_scale));
  self->ridge_scale = new_scale (-10, 1, 0.5, 1);
  gtk_scale_set_format_value_func (self->ridge_scale, format_ridge, NULL, NULL);
  add_row (self, self->esn_rows, &row, _("Ridge λ"),
           _("Regularisation of the readout’s least-squares fit"), GTK_WIDGET (self->ridge_scale));
  self->input_scale_spin = new_spin (0.001, 10, 0.01, 3);
  add_row (self, self->esn_rows, &row, _("Input scaling"),
           _("Size of the random input weights: small keeps the reservoir nearly linear"),
           GTK_WIDGET (self->input_scale_spin));
  self->connectivity_spin = new_spin (0.01, 1, 0.01, 2);
  add_row (self, self->esn_rows, &row, _("Connectivity"),
           _("Share of reservoir connections that are not zero"),
           GTK_WIDGET (self->connectivity_spin));
  self->washout_spin = new_spin (0, 1000, 1, 0);
  add_row (self, self->esn_rows, &row, _("Washout"),
           _("Steps at the start of each window that only wash out the zero initial state"),
           GTK_WIDGET (self->washout_spin));

  self->periods_entry = GTK_ENTRY (gtk_entry_new ());
  add_row (self, self->clockwork_rows, &row, _("Periods"),
           _("Clock periods of the hidden blocks, e.g. 1,2,4,8: block i updates when t mod Tᵢ = 0"),
           GTK_WIDGET (self->periods_entry));

  g_signal_connect_swapped (self->jordan_drop, "notify::selected",
                            G_CALLBACK (on_cell_option_changed), self);
  g_signal_connect_swapped (self->radius_scale, "value-changed", G_CALLBACK (on_cell_option_changed), self);
  g_signal_connect_swapped (self->leak_scale, "value-changed", G_CALLBACK (on_cell_option_changed), self);
  g_signal_connect_swapped (self->ridge_scale, "value-changed", G_CALLBACK (on_cell_option_changed), self);
  g_signal_connect_swapped (self->input_scale_spin, "value-changed", G_CALLBACK (on_cell_option_changed), self);
  g_signal_connect_swapped (self->connectivity_spin, "value-changed", G_CALLBACK (on_cell_option_changed), self);
  g_signal_connect_swapped (self->washout_spin, "value-changed", G_CALLBACK (on_cell_option_changed), self);
  g_signal_connect_swapped (self->periods_entry, "changed", G_CALLBACK (on_cell_option_changed), self);
}

static void
on_cell_option_changed (RecurParamsPanel *self)
{
  user_changed (self, NULL);
}

static void
recur_params_panel_dispose (GObject *object)
{
  RecurParamsPanel *self = RECUR_PARAMS_PANEL (object);

  gtk_widget_dispose_template (GTK_WIDGET (self), RECUR_TYPE_PARAMS_PANEL);
  g_clear_pointer (&self->jordan_rows, g_ptr_array_unref);
  g_clear_pointer (&self->esn_rows, g_ptr_array_unref);
  g_clear_pointer (&self->clockwork_rows, g_ptr_array_unref);
  recur_job_config_clear (&self->hidden);

  G_OBJECT_CLASS (recur_params_panel_parent_class)->dispose (object);
}

static void
recur_params_panel_class_init (RecurParamsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = recur_params_panel_dispose;

  /**
   * RecurParamsPanel::changed:
   *
   * A value changed: once per user edit, set_config or reset.
   */
  signals[CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                   NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/org/recur/Recur/ui/recur-params-panel.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "recur-params-panel");

#define BIND(name) gtk_widget_class_bind_template_child (widget_class, RecurParamsPanel, name)
  BIND (content);
  BIND (cell_drop);
  BIND (grid);
  BIND (layers_label);
  BIND (bidirectional_label);
  BIND (hidden_spin);
  BIND (layers_spin);
  BIND (bidirectional_switch);
  BIND (dropout_label);
  BIND (dropout_spin);
  BIND (bias_switch);
  BIND (window_spin);
  BIND (horizon_spin);
  BIND (strategy_drop);
  BIND (scaler_drop);
  BIND (missing_drop);
  BIND (val_spin);
  BIND (epochs_spin);
  BIND (batch_spin);
  BIND (loss_drop);
  BIND (optimizer_drop);
  BIND (lr_spin);
  BIND (momentum_label);
  BIND (momentum_spin);
  BIND (nesterov_label);
  BIND (nesterov_switch);
  BIND (decay_spin);
  BIND (schedule_drop);
  BIND (step_label);
  BIND (step_spin);
  BIND (gamma_label);
  BIND (gamma_spin);
  BIND (plateau_label);
  BIND (plateau_spin);
  BIND (clip_spin);
  BIND (truncate_spin);
  BIND (patience_spin);
  BIND (seed_spin);
  BIND (params_label);
  BIND (reset_button);
#undef BIND

  gtk_widget_class_bind_template_callback (widget_class, on_spin_value_changed);
  gtk_widget_class_bind_template_callback (widget_class, on_control_notify);
  gtk_widget_class_bind_template_callback (widget_class, on_spin_output_trimmed);
  gtk_widget_class_bind_template_callback (widget_class, on_reset_clicked);
}

static void
recur_params_panel_init (RecurParamsPanel *self)
{
  RecurJobConfig defaults;

  self->updating = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  add_cell_options (self);
  ellipsize_drop_down (self->cell_drop);
  ellipsize_drop_down (self->strategy_drop);
  ellipsize_drop_down (self->scaler_drop);
  ellipsize_drop_down (self->missing_drop);
  ellipsize_drop_down (self->loss_drop);
  ellipsize_drop_down (self->optimizer_drop);
  ellipsize_drop_down (self->schedule_drop);

  recur_job_config_init (&defaults);
  recur_job_config_copy (&self->hidden, &defaults);
  g_clear_pointer (&self->hidden.column, g_free);
  write_controls (self, &defaults);
  sync_derived (self);
  self->updating = FALSE;
  recur_job_config_clear (&defaults);
}

GtkWidget *
recur_params_panel_new (void)
{
  return g_object_new (RECUR_TYPE_PARAMS_PANEL, NULL);
}

void
recur_params_panel_get_config (RecurParamsPanel *self,
                               RecurJobConfig   *config)
{
  RecurTrainSpec *t;
  char *column;

  g_return_if_fail (RECUR_IS_PARAMS_PANEL (self));
  g_return_if_fail (config != NULL);

  /* start from what no control shows, then overwrite everything the controls do */
  column = config->column;
  *config = self->hidden;
  config->column = column;

  read_model_spec (self, &config->model);
  config->missing = (RecurMissingPolicy) gtk_drop_down_get_selected (self->missing_drop);
  config->scaler = (RecurScalerKind) gtk_drop_down_get_selected (self->scaler_drop);
  config->val_fraction = gtk_spin_button_get_value (self->val_spin);

  t = &config->train;
  t->epochs = spin_uint (self->epochs_spin);
  t->batch_size = spin_uint (self->batch_spin);
  t->loss = (RecurLossKind) gtk_drop_down_get_selected (self->loss_drop);
  t->optimizer.kind = (RecurOptimizerKind) gtk_drop_down_get_selected (self->optimizer_drop);
  t->optimizer.lr = gtk_spin_button_get_value (self->lr_spin);
  t->optimizer.momentum = gtk_spin_button_get_value (self->momentum_spin);
  /* Nesterov without momentum is refused by the trainer: the switch is insensitive then */
  t->optimizer.nesterov = gtk_switch_get_active (self->nesterov_switch)
                          && t->optimizer.momentum > 0.0;
  t->optimizer.weight_decay = gtk_spin_button_get_value (self->decay_spin);
  t->schedule = (RecurScheduleKind) gtk_drop_down_get_selected (self->schedule_drop);
  t->step_size = spin_uint (self->step_spin);
  t->gamma = gtk_spin_button_get_value (self->gamma_spin);
  t->plateau_patience = spin_uint (self->plateau_spin);
  t->clip = gtk_spin_button_get_value (self->clip_spin);
  t->truncate = spin_uint (self->truncate_spin);
  t->patience = spin_uint (self->patience_spin);
  t->seed = (guint64) gtk_spin_button_get_value (self->seed_spin);
}

void
recur_params_panel_set_config (RecurParamsPanel     *self,
                               const RecurJobConfig *config)
{
  g_return_if_fail (RECUR_IS_PARAMS_PANEL (self));
  g_return_if_fail (config != NULL);

  recur_job_config_clear (&self->hidden);
  self->hidden = *config;
  self->hidden.column = NULL;

  self->updating = TRUE;
  write_controls (self, config);
  sync_derived (self);
  self->updating = FALSE;

  g_signal_emit (self, signals[CHANGED], 0);
}

guint64
recur_params_panel_get_n_params (RecurParamsPanel *self)
{
  g_return_val_if_fail (RECUR_IS_PARAMS_PANEL (self), 0);

  return self->n_params;
}
