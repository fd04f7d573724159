/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The hyperparameter panel: a row per setting of the schema (engine/settings/recur-settings.c),
 * made from its entry: the label, the tooltip, the control its kind calls for, its range and
 * choices, and when it is shown or sensitive. The panel keeps the configuration it shows in
 * self->values and changes a value only when the user changes its control, so that what
 * set_config was given comes back from get_config to the bit. */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-params-panel.h"
#include "recur-settings.h"

/* Listing the tensors builds a throw-away model (its buffers are calloc'ed, so untouched pages
 * cost nothing); above this many parameters only the count is shown. */
#define MAX_LISTED_PARAMS (50 * 1000 * 1000)

/* A log-scale setting's arrows step through 1, 2, 3, 5 × 10ⁿ, Page Up/Down by tenfold. A spin
 * button only adds its increments, so these are sentinels: a change by exactly one of them, or
 * one cut short by an end of the range, is an arrow's, and on_spin_value_changed replaces it
 * with the sequence's next value. */
#define LOG_STEP 1e-5
#define LOG_PAGE 2e-5
/* How far below the setting's lower end such a spin button's adjustment reaches, so that an
 * arrow near 0 is never cut short (1e-10 − 1e-5 would be clamped to 0, and a step could not be
 * told from a page, nor pass GtkSpinButton's 1e-10 threshold). What is typed below the end is
 * refused by on_spin_input, and the arrows give only values of the range. */
#define LOG_MARGIN 1.0

/* The upper end of a spin button whose setting has none (the learning rate, weight decay,
 * clipping): what can be typed in. A loaded value above it widens it. */
#define UNBOUNDED_UPPER 1e6

typedef enum
{
  CONTROL_SPIN,       /* UINT, DOUBLE, FLOAT */
  CONTROL_LOG_SPIN,   /* RECUR_SETTING_LOG_SCALE: the 1, 2, 3, 5 steps */
  CONTROL_SCALE,      /* a slider over the usual span, widened to a value outside it */
  CONTROL_SWITCH,     /* BOOL */
  CONTROL_DROP_DOWN,  /* CHOICE */
  CONTROL_ENTRY,      /* SEED (a double cannot hold 2⁶⁴ − 1) and LIST: recur_setting_parse */
} ControlKind;

/* Settings shown otherwise than their kind is. */
static const struct
{
  const char  *setting;
  ControlKind  control;
} special_controls[] = {
  /* the echo state network re-fits at once as these move: sliders invite trying values */
  { "spectral-radius", CONTROL_SCALE },
  { "leak", CONTROL_SCALE },
};

/* Ties between two settings that the schema does not describe. */
static const struct
{
  const char *setting;
  const char *other;
} needs_nonzero[] = {
  /* the trainer refuses Nesterov without momentum: insensitive, and turned off with it */
  { "nesterov", "momentum" },
}, at_most[] = {
  /* truncating at the window's length or more is the whole window */
  { "truncate", "window" },
};

/* The groups' headings, in the panel's order. */
static const struct
{
  RecurSettingGroup  group;
  const char        *title;
} groups[] = {
  { RECUR_SETTING_GROUP_MODEL, N_("Model") },
  { RECUR_SETTING_GROUP_FORECAST, N_("Forecast") },
  { RECUR_SETTING_GROUP_DATA, N_("Data") },
  { RECUR_SETTING_GROUP_TRAINING, N_("Training") },
};
G_STATIC_ASSERT (G_N_ELEMENTS (groups) == RECUR_SETTING_GROUP_FORECAST + 1);

typedef struct
{
  RecurParamsPanel   *panel;
  const RecurSetting *setting;
  ControlKind         kind;
  GtkWidget          *label;
  GtkWidget          *control;
  double              shown;   /* spin buttons and sliders: the value shown or stored last */
  gboolean            typing;  /* a spin button is taking a typed value */
} Row;

struct _RecurParamsPanel
{
  GtkWidget       parent_instance;

  /* the template's only direct child: bound so that gtk_widget_dispose_template unparents it */
  GtkWidget      *content;
  GtkGrid        *grid;
  GtkLabel       *params_label;
  GtkButton      *reset_button;

  GPtrArray      *rows;        /* Row, in the schema's order */
  GtkSwitch      *auto_switch; /* Train chooses the model (recur-auto.h) */
  GtkSizeGroup   *label_width; /* the labels of the grid and of the Advanced expanders */

  /* What the panel shows, exactly as set_config gave it until the user changes a control;
   * its column is always NULL. */
  RecurJobConfig  values;
  /* The spec the count and tooltip were made for. */
  RecurModelSpec  shown_spec;
  gboolean        shown_valid;
  guint           shown_members;
  guint64         n_params;
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

/* ---- the parameter count ---------------------------------------------------------------- */

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
  RecurModelSpec spec = self->values.model;
  guint members = MAX (self->values.ensemble, 1);

  if (self->shown_valid && model_spec_equal (&spec, &self->shown_spec)
      && members == self->shown_members)
    return;

  self->shown_spec = spec;
  self->shown_members = members;
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
  if (members > 1)
    {
      g_autofree char *all = format_count (self->n_params * members);
      char *with;

      /* Translators: appended to the parameter count of one network: an ensemble's members
       * and their parameters in all, as in “Parameters: 4 876 · 3 members: 14 628 in all” */
      with = g_strdup_printf (_("%s · %u members: %s in all"), label, members, all);
      g_free (label);
      label = with;
    }
  gtk_label_set_text (self->params_label, label);
  tooltip = make_tooltip (&spec, self->n_params);
  gtk_widget_set_tooltip_markup (GTK_WIDGET (self->params_label), tooltip);
}


/* ---- numbers as the controls show them ---------------------------------------------------- */

static gboolean
same_number (const Row *row,
             double     a,
             double     b)
{
  if (row->setting->kind == RECUR_SETTING_FLOAT)
    return (float) a == (float) b;
  return a == b;
}

/* "1e-05" → "1e-5", "1.5e+06" → "1.5e6" */
static void
tidy_exponent (char *text)
{
  char *e = strchr (text, 'e');
  char *from, *to;

  if (e == NULL)
    return;
  from = to = e + 1;
  if (*from == '+')
    from++;
  else if (*from == '-')
    *to++ = *from++;
  while (*from == '0' && from[1] != '\0')
    from++;
  memmove (to, from, strlen (from) + 1);
}

/* The shortest text that reads back as v (as the same float for a FLOAT setting), in the
 * locale's decimal notation: "0.003", "24", "1e-10", "0.30000000000000004". A spin button
 * re-reads its text when it loses the focus, so what it shows must be the value itself. */
static char *
format_number (const Row *row,
               double     v)
{
  if (row->setting->kind == RECUR_SETTING_UINT)
    return g_strdup_printf ("%.0f", v);
  if (v == 0)
    return g_strdup ("0");
  if (fabs (v) >= 1e-4 && fabs (v) < 1e15)
    for (int decimals = 0; decimals <= 17; decimals++)
      {
        char *text = g_strdup_printf ("%.*f", decimals, v);

        if (same_number (row, g_strtod (text, NULL), v))
          return text;
        g_free (text);
      }
  for (int precision = 0; precision <= 16; precision++)
    {
      char *text = g_strdup_printf ("%.*e", precision, v);

      if (same_number (row, g_strtod (text, NULL), v) || precision == 16)
        {
          tidy_exponent (text);
          return text;
        }
      g_free (text);
    }
  g_assert_not_reached ();
}

/* Text as a person types a number: the locale's notation or C's, spaces around allowed. */
static gboolean
parse_number (const char *text,
              double     *v)
{
  g_autofree char *stripped = g_strstrip (g_strdup (text));
  char *end = NULL;

  if (*stripped == '\0')
    return FALSE;
  *v = g_strtod (stripped, &end);
  return end != NULL && *end == '\0' && isfinite (*v);
}

/* A value the arrows made, cut to 15 significant digits: 0.15, not 0.15000000000000002. */
static double
round_decimal (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  return g_ascii_strtod (g_ascii_formatd (buf, sizeof buf, "%.15g", v), NULL);
}

/* The end of the range a control offers: the schema's bound, or the nearest value inside an
 * open one; UNBOUNDED_UPPER for a setting without an upper end. */
static double
range_end (const RecurSetting *s,
           gboolean            low)
{
  double bound = low ? s->lo : s->hi;
  gboolean open = (s->flags & (low ? RECUR_SETTING_LO_OPEN : RECUR_SETTING_HI_OPEN)) != 0;

  if (!low && bound >= G_MAXDOUBLE)
    return UNBOUNDED_UPPER;
  if (!open)
    return bound;
  if (s->kind == RECUR_SETTING_FLOAT)
    return nextafterf ((float) bound, low ? G_MAXFLOAT : -G_MAXFLOAT);
  return nextafter (bound, low ? G_MAXDOUBLE : -G_MAXDOUBLE);
}

/* The next (direction > 0) or previous value of 1, 2, 3, 5 × 10ⁿ from x (or tenfold for a
 * page), within the setting's usual span or as far as x is past it; below the span's lower
 * end comes 0 when the setting takes it (a ridge of 0: no regularisation). */
static double
log_neighbour (const RecurSetting *s,
               double              x,
               int                 direction,
               gboolean            page)
{
  static const int mantissas[] = { 1, 2, 3, 5 };
  gboolean zero = s->lo == 0 && !(s->flags & RECUR_SETTING_LO_OPEN);
  double lo = MIN (s->soft_lo, x), hi = MAX (s->soft_hi, x);
  double best = x;
  int e;

  if (x <= 0)
    return direction > 0 ? s->soft_lo : x;
  if (page)
    {
      best = round_decimal (direction > 0 ? x * 10 : x / 10);
      if (best > hi)
        return hi;
      if (best < lo)
        return zero && x <= s->soft_lo ? 0 : lo;
      return best;
    }
  e = (int) floor (log10 (x));
  for (int k = e - 1; k <= e + 1; k++)
    for (guint m = 0; m < G_N_ELEMENTS (mantissas); m++)
      {
        char text[32];
        double v;

        /* the decimal itself, so that 3e-3 is 0.003 as typed */
        g_snprintf (text, sizeof text, "%de%d", mantissas[m], k);
        v = g_ascii_strtod (text, NULL);
        if (v < lo || v > hi)
          continue;
        if (direction > 0 && v > x * (1 + 1e-9) && (best == x || v < best))
          best = v;
        if (direction < 0 && v < x * (1 - 1e-9) && (best == x || v > best))
          best = v;
      }
  if (best == x && direction < 0 && zero && x <= s->soft_lo)
    return 0;
  return best;
}

/* What a log-scale spin button's change from before to after was: an arrow's (the sequence's
 * next value is returned) or a value set as it is (after is returned). */
static double
log_spin_target (const Row     *row,
                 GtkAdjustment *adjustment,
                 double         before,
                 double         after)
{
  const double tolerance = LOG_STEP * 1e-3;
  double delta = after - before;
  /* cut short by the upper end (the lower one has room: LOG_MARGIN) */
  gboolean cut = delta > 0 && after == gtk_adjustment_get_upper (adjustment)
                 && delta < LOG_PAGE + tolerance;

  if (fabs (fabs (delta) - LOG_STEP) < tolerance || (cut && fabs (delta) < LOG_STEP + tolerance))
    return log_neighbour (row->setting, before, delta > 0 ? 1 : -1, FALSE);
  if (fabs (fabs (delta) - LOG_PAGE) < tolerance || cut)
    return log_neighbour (row->setting, before, delta > 0 ? 1 : -1, TRUE);
  return after;
}

/* ---- rows ------------------------------------------------------------------------------- */

static gboolean
shown_in_panel (const RecurSetting *s)
{
  /* the column is chosen with the data, input-size follows from it; the input columns are
   * not chosen in the window yet */
  return !(s->flags & RECUR_SETTING_INTERNAL) && s->kind != RECUR_SETTING_COLUMN
         && s->kind != RECUR_SETTING_NAMES;
}

static Row *
find_row (RecurParamsPanel *self,
          const char       *name)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);

      if (g_str_equal (row->setting->name, name))
        return row;
    }
  return NULL;
}

static GtkAdjustment *
row_adjustment (const Row *row)
{
  if (row->kind == CONTROL_SCALE)
    return gtk_range_get_adjustment (GTK_RANGE (row->control));
  return gtk_spin_button_get_adjustment (GTK_SPIN_BUTTON (row->control));
}

static char *
row_tooltip (const Row *row)
{
  if (row->kind == CONTROL_LOG_SPIN)
    return g_strdup_printf ("%s\n%s", _(row->setting->description),
                            _("The arrows step through 1, 2, 3 and 5 × 10ⁿ, Page Up and Down "
                              "by tenfold"));
  return g_strdup (_(row->setting->description));
}

/* Sets the setting from text as an option takes it, with the schema's checks. */
static void
store_text (Row        *row,
            const char *text)
{
  g_autoptr(GError) error = NULL;

  /* the controls offer only valid values: a refusal is the panel's mistake */
  if (!recur_setting_parse (row->setting, text, NULL, &row->panel->values, &error))
    g_critical ("%s: %s", row->setting->name, error->message);
}

static void
store_number (Row    *row,
              double  v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (row->setting->kind == RECUR_SETTING_UINT)
    store_text (row, g_ascii_formatd (buf, sizeof buf, "%.0f", v));
  else
    store_text (row, g_ascii_formatd (buf, sizeof buf, "%.17g", v));
  row->shown = v;
}

/* The control shows the setting's value in self->values: a spin button's or slider's range
 * widens to hold it. Call with self->updating set. */
static void
show_row (Row *row)
{
  const RecurSetting *s = row->setting;
  const RecurJobConfig *values = &row->panel->values;
  double v = recur_setting_get_number (s, values);

  switch (row->kind)
    {
    case CONTROL_SPIN:
    case CONTROL_LOG_SPIN:
    case CONTROL_SCALE:
      {
        GtkAdjustment *adjustment = row_adjustment (row);
        gboolean scale = row->kind == CONTROL_SCALE;
        double lo = scale ? s->soft_lo : range_end (s, TRUE);
        double hi = scale ? s->soft_hi : range_end (s, FALSE);

        lo = MIN (lo, v);
        if (row->kind == CONTROL_LOG_SPIN)
          lo -= LOG_MARGIN;
        gtk_adjustment_configure (adjustment, v, lo, MAX (hi, v),
                                  gtk_adjustment_get_step_increment (adjustment),
                                  gtk_adjustment_get_page_increment (adjustment), 0);
        row->shown = v;
        if (!scale)
          /* the same value again: the text is redrawn, as configure may not have */
          gtk_spin_button_set_value (GTK_SPIN_BUTTON (row->control), v);
        break;
      }
    case CONTROL_SWITCH:
      gtk_switch_set_active (GTK_SWITCH (row->control), v != 0);
      break;
    case CONTROL_DROP_DOWN:
      gtk_drop_down_set_selected (GTK_DROP_DOWN (row->control), (guint) v);
      break;
    case CONTROL_ENTRY:
      {
        g_autofree char *text = recur_setting_format_value (s, values);
        g_autofree char *tooltip = row_tooltip (row);

        gtk_editable_set_text (GTK_EDITABLE (row->control), text);
        gtk_widget_remove_css_class (row->control, "error");
        gtk_widget_set_tooltip_text (row->control, tooltip);
        gtk_accessible_reset_state (GTK_ACCESSIBLE (row->control), GTK_ACCESSIBLE_STATE_INVALID);
        break;
      }
    default:
      g_assert_not_reached ();
    }
}

/* ---- what follows from the values ------------------------------------------------------- */


static void
set_row_sensitive (Row      *row,
                   gboolean  sensitive)
{
  gtk_widget_set_sensitive (row->label, sensitive);
  gtk_widget_set_sensitive (row->control, sensitive);
}

/* Which rows show and which are sensitive, the ties between settings and the parameter count.
 * A cell's own options show only for it; any other setting that does nothing here (layers of an
 * echo state network, momentum with Adam, dropout with one layer) is greyed out. */
static void
sync_derived (RecurParamsPanel *self)
{
  const RecurJobConfig *values = &self->values;

  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);
      gboolean visible = !recur_setting_is_cell_only (row->setting)
                         || recur_setting_applies_to_cell (row->setting, values->model.cell);

      gtk_widget_set_visible (row->label, visible);
      gtk_widget_set_visible (row->control, visible);
      /* under Auto the candidates set the model's settings themselves, and Auto whether to
       * average with the Theta method */
      set_row_sensitive (row, recur_setting_applies (row->setting, values)
                                && !((row->setting->group == RECUR_SETTING_GROUP_MODEL
                                      || g_str_equal (row->setting->name, "theta"))
                                     && gtk_switch_get_active (self->auto_switch)));
    }
  for (guint i = 0; i < G_N_ELEMENTS (needs_nonzero); i++)
    {
      Row *row = find_row (self, needs_nonzero[i].setting);
      Row *other = find_row (self, needs_nonzero[i].other);

      if (recur_setting_get_number (other->setting, values) == 0)
        set_row_sensitive (row, FALSE);
    }
  for (guint i = 0; i < G_N_ELEMENTS (at_most); i++)
    {
      Row *row = find_row (self, at_most[i].setting);
      Row *other = find_row (self, at_most[i].other);
      double limit = recur_setting_get_number (other->setting, values);

      /* a loaded value above it stays as it is, until the other one is changed */
      gtk_adjustment_set_upper (row_adjustment (row),
                                MAX (limit, recur_setting_get_number (row->setting, values)));
    }
  update_count (self);
}

/* A configuration's defaults for this cell and optimiser, as a new job starts from. */
static void
init_defaults (RecurJobConfig     *config,
               RecurCellKind       cell,
               RecurOptimizerKind  optimizer)
{
  recur_job_config_init (config);
  recur_model_spec_init_for_cell (&config->model, cell);
  recur_optimizer_spec_init (&config->train.optimizer, optimizer, config->train.optimizer.lr);
}

/* Copies a setting's value from one configuration to the panel's, and shows it. */
static void
take_value (Row                  *row,
            const RecurJobConfig *from)
{
  g_autofree char *text = recur_setting_format_value (row->setting, from);

  store_text (row, text);
  show_row (row);
}

/* After the user chose another cell or optimiser, the settings whose defaults depend on it.
 * A new cell starts from the settings Recur offers for it (an echo state network's 100 units, a
 * Jordan network's recursive strategy), and the options of the cell left or of no cell of the
 * two go back to their defaults; the window and horizon stay. A new optimiser brings its own
 * default (AdamW's weight decay) to the settings the user left at the old one's. */
static void
follow_choice (RecurParamsPanel     *self,
               Row                  *changed,
               const RecurJobConfig *before)
{
  RecurCellKind cell = self->values.model.cell;
  gboolean new_cell = before->model.cell != cell;
  RecurJobConfig old_defaults, new_defaults;

  init_defaults (&old_defaults, before->model.cell, before->train.optimizer.kind);
  init_defaults (&new_defaults, cell, self->values.train.optimizer.kind);
  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = g_ptr_array_index (self->rows, i);
      const RecurSetting *s = row->setting;
      g_autofree char *old_default = NULL;
      g_autofree char *new_default = NULL;
      g_autofree char *value = NULL;
      gboolean take;

      if (row == changed)
        continue;
      old_default = recur_setting_format_value (s, &old_defaults);
      new_default = recur_setting_format_value (s, &new_defaults);
      value = recur_setting_format_value (s, &self->values);
      if (new_cell)
        take = !g_str_equal (old_default, new_default)
               || !recur_setting_applies_to_cell (s, before->model.cell)
               || !recur_setting_applies_to_cell (s, cell);
      else
        take = !g_str_equal (old_default, new_default) && g_str_equal (value, old_default);
      if (take && !g_str_equal (value, new_default))
        take_value (row, &new_defaults);
    }
  recur_job_config_clear (&old_defaults);
  recur_job_config_clear (&new_defaults);
}

/* What a user's change to one setting brings to others. */
static void
follow_change (RecurParamsPanel     *self,
               Row                  *changed,
               const RecurJobConfig *before)
{
  if (changed->setting->kind == RECUR_SETTING_CHOICE)
    follow_choice (self, changed, before);
  for (guint i = 0; i < G_N_ELEMENTS (needs_nonzero); i++)
    if (g_str_equal (changed->setting->name, needs_nonzero[i].other)
        && recur_setting_get_number (changed->setting, &self->values) == 0)
      {
        Row *row = find_row (self, needs_nonzero[i].setting);
        RecurJobConfig defaults;

        recur_job_config_init (&defaults);
        take_value (row, &defaults);
        recur_job_config_clear (&defaults);
      }
  for (guint i = 0; i < G_N_ELEMENTS (at_most); i++)
    if (g_str_equal (changed->setting->name, at_most[i].other))
      {
        Row *row = find_row (self, at_most[i].setting);
        double limit = recur_setting_get_number (changed->setting, &self->values);

        if (recur_setting_get_number (row->setting, &self->values) > limit)
          {
            store_number (row, limit);
            show_row (row);
          }
      }
}

/* The user changed row's control, and its value is stored; before is the configuration as it
 * was. Whatever follows is done, then "changed" is emitted once. */
static void
user_changed (Row                  *row,
              const RecurJobConfig *before)
{
  RecurParamsPanel *self = row->panel;

  self->updating = TRUE;
  follow_change (self, row, before);
  sync_derived (self);
  self->updating = FALSE;

  g_signal_emit (self, signals[CHANGED], 0);
}

/* ---- what the user does ------------------------------------------------------------------ */

static void
on_spin_value_changed (GtkSpinButton *spin,
                       Row           *row)
{
  RecurParamsPanel *self = row->panel;
  GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (spin);
  RecurJobConfig before = self->values;
  double value = gtk_spin_button_get_value (spin);
  double target = value;

  /* Setting the adjustment inside its own emission (below) makes GtkAdjustment (NO_RECURSE)
   * restart that emission, which then brings nothing new. */
  if (self->updating || value == row->shown)
    return;
  if (row->kind == CONTROL_LOG_SPIN && !row->typing)
    target = log_spin_target (row, adjustment, row->shown, value);
  else if (!row->typing && row->setting->kind != RECUR_SETTING_UINT)
    {
      target = round_decimal (value);
      if (row->setting->kind == RECUR_SETTING_FLOAT)
        target = (float) target;   /* what is stored, shown as it is */
      if (!recur_setting_in_range (row->setting, target))
        target = value;
    }
  if (!recur_setting_in_range (row->setting, target))
    target = row->shown;   /* a log-scale spin button's margin, set by a program */
  if (target != value)
    {
      self->updating = TRUE;
      gtk_adjustment_set_value (adjustment, target);
      self->updating = FALSE;
      target = gtk_adjustment_get_value (adjustment);
    }
  if (same_number (row, target, row->shown))
    {
      row->shown = target;
      return;   /* an arrow at an end of the steps */
    }
  store_number (row, target);
  user_changed (row, &before);
}

/* Typed text: the value as it reads, set here because GtkSpinButton would ignore a change
 * smaller than 1e-10 (a ridge of 1e-12 typed over 1e-11). */
static int
on_spin_input (GtkSpinButton *spin,
               double        *new_value,
               Row           *row)
{
  GtkAdjustment *adjustment = gtk_spin_button_get_adjustment (spin);
  double current = gtk_adjustment_get_value (adjustment);
  double v;

  if (!parse_number (gtk_editable_get_text (GTK_EDITABLE (spin)), &v))
    return GTK_INPUT_ERROR;
  if (row->setting->kind == RECUR_SETTING_UINT)
    v = round (v);
  if (!recur_setting_in_range (row->setting, row->setting->kind == RECUR_SETTING_FLOAT
                                             ? (float) v : v))
    return GTK_INPUT_ERROR;
  if (same_number (row, v, current))
    v = current;   /* the text shown, read back */
  else if (v >= gtk_adjustment_get_lower (adjustment) && v <= gtk_adjustment_get_upper (adjustment))
    {
      row->typing = TRUE;
      gtk_adjustment_set_value (adjustment, v);
      row->typing = FALSE;
    }
  *new_value = v;
  return TRUE;
}

static gboolean
on_spin_output (GtkSpinButton *spin,
                Row           *row)
{
  g_autofree char *text = format_number (row, gtk_spin_button_get_value (spin));

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (spin)), text) != 0)
    gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

static char *
format_scale_value (GtkScale *scale G_GNUC_UNUSED,
                    double    value,
                    gpointer  data)
{
  return format_number (data, value);
}

static void
on_scale_value_changed (GtkRange *range,
                        Row      *row)
{
  RecurJobConfig before = row->panel->values;
  double value = gtk_range_get_value (range);

  if (row->panel->updating || same_number (row, value, row->shown))
    return;
  store_number (row, value);
  user_changed (row, &before);
}

static void
on_switch_active (GtkSwitch  *control,
                  GParamSpec *pspec G_GNUC_UNUSED,
                  Row        *row)
{
  RecurJobConfig before = row->panel->values;

  if (row->panel->updating)
    return;
  store_text (row, gtk_switch_get_active (control) ? "true" : "false");
  user_changed (row, &before);
}

static void
on_drop_down_selected (GtkDropDown *control,
                       GParamSpec  *pspec G_GNUC_UNUSED,
                       Row         *row)
{
  RecurJobConfig before = row->panel->values;
  guint selected = gtk_drop_down_get_selected (control);

  if (row->panel->updating || selected == GTK_INVALID_LIST_POSITION)
    return;
  store_text (row, row->setting->choices[selected]);
  user_changed (row, &before);
}

/* A seed or the periods, checked as `recur train` checks them; text that is not a valid value
 * is marked, says why in its tooltip, and leaves the value as it was. */
static void
on_entry_changed (GtkEditable *control,
                  Row         *row)
{
  RecurParamsPanel *self = row->panel;
  RecurJobConfig before = self->values;
  g_autoptr(GError) error = NULL;
  g_autofree char *tooltip = row_tooltip (row);

  if (self->updating)
    return;
  if (!recur_setting_parse (row->setting, gtk_editable_get_text (control),
                            _(row->setting->label), &self->values, &error))
    {
      g_autofree char *text = g_strdup_printf ("%s\n%s", tooltip, error->message);

      gtk_widget_add_css_class (GTK_WIDGET (control), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (control), text);
      gtk_accessible_update_state (GTK_ACCESSIBLE (control), GTK_ACCESSIBLE_STATE_INVALID,
                                   GTK_ACCESSIBLE_INVALID_TRUE, -1);
      return;
    }
  gtk_widget_remove_css_class (GTK_WIDGET (control), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (control), tooltip);
  gtk_accessible_reset_state (GTK_ACCESSIBLE (control), GTK_ACCESSIBLE_STATE_INVALID);
  user_changed (row, &before);
}

static void set_config (RecurParamsPanel     *self,
                        const RecurJobConfig *config,
                        gboolean              automatic);

static void
on_reset_clicked (GtkButton        *button G_GNUC_UNUSED,
                  RecurParamsPanel *self)
{
  RecurJobConfig defaults;

  recur_job_config_init (&defaults);
  set_config (self, &defaults, TRUE);
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

/* ---- the rows, made from the schema -------------------------------------------------------- */

static ControlKind
control_kind (const RecurSetting *s)
{
  for (guint i = 0; i < G_N_ELEMENTS (special_controls); i++)
    if (g_str_equal (s->name, special_controls[i].setting))
      return special_controls[i].control;
  switch (s->kind)
    {
    case RECUR_SETTING_UINT:
    case RECUR_SETTING_DOUBLE:
    case RECUR_SETTING_FLOAT:
      return s->flags & RECUR_SETTING_LOG_SCALE ? CONTROL_LOG_SPIN : CONTROL_SPIN;
    case RECUR_SETTING_BOOL:
      return CONTROL_SWITCH;
    case RECUR_SETTING_CHOICE:
      return CONTROL_DROP_DOWN;
    case RECUR_SETTING_SEED:
    case RECUR_SETTING_LIST:
      return CONTROL_ENTRY;
    case RECUR_SETTING_COLUMN:
    case RECUR_SETTING_NAMES:
    default:
      g_assert_not_reached ();
    }
}

static GtkWidget *
new_spin (Row *row)
{
  const RecurSetting *s = row->setting;
  gboolean log_scale = row->kind == CONTROL_LOG_SPIN;
  double step = log_scale ? LOG_STEP : s->step > 0 ? s->step : 1;
  double lower = range_end (s, TRUE) - (log_scale ? LOG_MARGIN : 0);
  GtkAdjustment *adjustment = gtk_adjustment_new (range_end (s, TRUE), lower,
                                                  range_end (s, FALSE), step,
                                                  log_scale ? LOG_PAGE : step * 10, 0);
  GtkWidget *spin = gtk_spin_button_new (adjustment, 0, s->digits);

  /* text that is no number, or out of range, is put back rather than clamped */
  gtk_spin_button_set_update_policy (GTK_SPIN_BUTTON (spin), GTK_UPDATE_IF_VALID);
  gtk_spin_button_set_numeric (GTK_SPIN_BUTTON (spin), s->kind == RECUR_SETTING_UINT);
  gtk_editable_set_width_chars (GTK_EDITABLE (spin), 5);
  g_signal_connect (spin, "output", G_CALLBACK (on_spin_output), row);
  g_signal_connect (spin, "input", G_CALLBACK (on_spin_input), row);
  g_signal_connect (spin, "value-changed", G_CALLBACK (on_spin_value_changed), row);
  return spin;
}

static GtkWidget *
new_scale (Row *row)
{
  const RecurSetting *s = row->setting;
  GtkWidget *scale = gtk_scale_new_with_range (GTK_ORIENTATION_HORIZONTAL, s->soft_lo,
                                               s->soft_hi, s->step);

  /* dragging gives values of the setting's digits; a loaded value is kept and shown whole */
  gtk_scale_set_digits (GTK_SCALE (scale), (int) s->digits);
  gtk_scale_set_draw_value (GTK_SCALE (scale), TRUE);
  gtk_scale_set_value_pos (GTK_SCALE (scale), GTK_POS_LEFT);
  gtk_scale_set_format_value_func (GTK_SCALE (scale), format_scale_value, row, NULL);
  g_signal_connect (scale, "value-changed", G_CALLBACK (on_scale_value_changed), row);
  return scale;
}

static GtkWidget *
new_drop_down (Row *row)
{
  const RecurSetting *s = row->setting;
  GtkStringList *list = gtk_string_list_new (NULL);
  GtkWidget *drop_down;

  for (guint i = 0; s->choices[i]; i++)
    gtk_string_list_append (list, s->choice_labels ? _(s->choice_labels[i]) : s->choices[i]);
  drop_down = gtk_drop_down_new (G_LIST_MODEL (list), NULL);
  ellipsize_drop_down (GTK_DROP_DOWN (drop_down));
  g_signal_connect (drop_down, "notify::selected", G_CALLBACK (on_drop_down_selected), row);
  return drop_down;
}

static Row *
new_row (RecurParamsPanel   *self,
         const RecurSetting *s)
{
  Row *row = g_new0 (Row, 1);
  g_autofree char *tooltip = NULL;

  row->panel = self;
  row->setting = s;
  row->kind = control_kind (s);
  switch (row->kind)
    {
    case CONTROL_SPIN:
    case CONTROL_LOG_SPIN:
      row->control = new_spin (row);
      break;
    case CONTROL_SCALE:
      row->control = new_scale (row);
      break;
    case CONTROL_SWITCH:
      row->control = gtk_switch_new ();
      gtk_widget_set_halign (row->control, GTK_ALIGN_END);
      gtk_widget_set_valign (row->control, GTK_ALIGN_CENTER);
      g_signal_connect (row->control, "notify::active", G_CALLBACK (on_switch_active), row);
      break;
    case CONTROL_DROP_DOWN:
      row->control = new_drop_down (row);
      break;
    case CONTROL_ENTRY:
      row->control = gtk_entry_new ();
      gtk_editable_set_width_chars (GTK_EDITABLE (row->control), 5);
      if (s->kind == RECUR_SETTING_SEED)
        gtk_entry_set_input_purpose (GTK_ENTRY (row->control), GTK_INPUT_PURPOSE_DIGITS);
      g_signal_connect (row->control, "changed", G_CALLBACK (on_entry_changed), row);
      break;
    default:
      g_assert_not_reached ();
    }

  /* the control's accessible name is its visible label's (GTK 4.8 would join an accessible
   * "label" property to it: "Seed Seed") */
  row->label = gtk_label_new (_(s->label));
  gtk_label_set_xalign (GTK_LABEL (row->label), 0);
  tooltip = row_tooltip (row);
  gtk_widget_set_tooltip_text (row->label, tooltip);
  gtk_widget_set_tooltip_text (row->control, tooltip);
  gtk_widget_set_hexpand (row->control, TRUE);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (row->control),
                                  GTK_ACCESSIBLE_RELATION_LABELLED_BY, row->label, NULL, -1);
  gtk_size_group_add_widget (self->label_width, row->label);
  return row;
}

static void
attach_row (GtkGrid *grid,
            Row     *row,
            int      top)
{
  gtk_grid_attach (grid, row->label, 0, top, 1, 1);
  gtk_grid_attach (grid, row->control, 1, top, 1, 1);
}

/* An expander in the grid's row top, holding a grid of its own for the group's advanced
 * settings; its labels keep the width of the others. */
static GtkGrid *
new_advanced (RecurParamsPanel *self,
              int               top)
{
  GtkWidget *expander = gtk_expander_new_with_mnemonic (_("_Advanced"));
  GtkWidget *grid = gtk_grid_new ();

  gtk_grid_set_row_spacing (GTK_GRID (grid), 6);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  gtk_widget_set_margin_top (grid, 6);
  gtk_expander_set_child (GTK_EXPANDER (expander), grid);
  gtk_grid_attach (self->grid, expander, 0, top, 2, 1);
  return GTK_GRID (grid);
}

static void
on_auto_switch_active (GtkSwitch        *control,
                       GParamSpec       *pspec G_GNUC_UNUSED,
                       RecurParamsPanel *self)
{
  sync_derived (self);
  g_signal_emit (self, signals[CHANGED], 0);
}

/* "Automatic" first under Model: Train then lets Auto choose the cell, window and level. */
static void
attach_auto_switch (RecurParamsPanel *self,
                    int               top)
{
  GtkWidget *label = gtk_label_new (_("Automatic"));
  GtkWidget *control = gtk_switch_new ();
  const char *tooltip = _("Choose the model by validation before the test part: the candidates "
                          "train as runs of their own, then the chosen one again");

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_widget_set_tooltip_text (label, tooltip);
  gtk_widget_set_tooltip_text (control, tooltip);
  gtk_widget_set_halign (control, GTK_ALIGN_END);
  gtk_widget_set_valign (control, GTK_ALIGN_CENTER);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (control), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  label, NULL, -1);
  gtk_size_group_add_widget (self->label_width, label);
  gtk_grid_attach (self->grid, label, 0, top, 1, 1);
  gtk_grid_attach (self->grid, control, 1, top, 1, 1);
  self->auto_switch = GTK_SWITCH (control);
  /* on by default, as `recur train`'s --model auto */
  gtk_switch_set_active (self->auto_switch, TRUE);
  g_signal_connect (control, "notify::active", G_CALLBACK (on_auto_switch_active), self);
}

/* A heading per group, then a row per setting in the schema's order; the advanced ones of a
 * group in an expander where the first of them would be. */
static void
build_rows (RecurParamsPanel *self)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);
  int top = 0;

  for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      GtkGrid *advanced = NULL;
      int advanced_top = 0;
      GtkWidget *heading = NULL;

      for (guint i = 0; i < n; i++)
        {
          const RecurSetting *s = &settings[i];
          Row *row;

          if (s->group != groups[g].group || !shown_in_panel (s))
            continue;
          if (heading == NULL)
            {
              heading = gtk_label_new (_(groups[g].title));
              gtk_label_set_xalign (GTK_LABEL (heading), 0);
              gtk_widget_add_css_class (heading, "heading");
              if (top > 0)
                gtk_widget_set_margin_top (heading, 12);
              gtk_grid_attach (self->grid, heading, 0, top++, 2, 1);
              if (groups[g].group == RECUR_SETTING_GROUP_MODEL)
                attach_auto_switch (self, top++);
            }
          row = new_row (self, s);
          g_ptr_array_add (self->rows, row);
          if (s->flags & RECUR_SETTING_ADVANCED)
            {
              if (advanced == NULL)
                advanced = new_advanced (self, top++);
              attach_row (advanced, row, advanced_top++);
            }
          else
            attach_row (self->grid, row, top++);
        }
    }
}

/* ---- the type ---------------------------------------------------------------------------- */

static void
recur_params_panel_dispose (GObject *object)
{
  RecurParamsPanel *self = RECUR_PARAMS_PANEL (object);

  self->updating = TRUE;   /* what the controls say as they go is not the user's */
  gtk_widget_dispose_template (GTK_WIDGET (self), RECUR_TYPE_PARAMS_PANEL);
  g_clear_object (&self->label_width);

  G_OBJECT_CLASS (recur_params_panel_parent_class)->dispose (object);
}

static void
recur_params_panel_finalize (GObject *object)
{
  RecurParamsPanel *self = RECUR_PARAMS_PANEL (object);

  /* after dispose: the controls' signal handlers hold rows until they are gone */
  g_ptr_array_unref (self->rows);
  recur_job_config_clear (&self->values);

  G_OBJECT_CLASS (recur_params_panel_parent_class)->finalize (object);
}

static void
recur_params_panel_class_init (RecurParamsPanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = recur_params_panel_dispose;
  object_class->finalize = recur_params_panel_finalize;

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

  gtk_widget_class_bind_template_child (widget_class, RecurParamsPanel, content);
  gtk_widget_class_bind_template_child (widget_class, RecurParamsPanel, grid);
  gtk_widget_class_bind_template_child (widget_class, RecurParamsPanel, params_label);
  gtk_widget_class_bind_template_child (widget_class, RecurParamsPanel, reset_button);
  gtk_widget_class_bind_template_callback (widget_class, on_reset_clicked);
}

static void
recur_params_panel_init (RecurParamsPanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new_with_free_func (g_free);
  self->label_width = gtk_size_group_new (GTK_SIZE_GROUP_HORIZONTAL);
  recur_job_config_init (&self->values);
  g_clear_pointer (&self->values.column, g_free);

  self->updating = TRUE;
  build_rows (self);
  for (guint i = 0; i < self->rows->len; i++)
    show_row (g_ptr_array_index (self->rows, i));
  sync_derived (self);
  self->updating = FALSE;
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
  char *column;

  g_return_if_fail (RECUR_IS_PARAMS_PANEL (self));
  g_return_if_fail (config != NULL);

  column = config->column;
  *config = self->values;
  config->column = column;
}

/* The values and Automatic, with one "changed". */
static void
set_config (RecurParamsPanel     *self,
            const RecurJobConfig *config,
            gboolean              automatic)
{
  self->values = *config;
  self->values.column = NULL;

  self->updating = TRUE;
  g_signal_handlers_block_by_func (self->auto_switch, on_auto_switch_active, self);
  gtk_switch_set_active (self->auto_switch, automatic);
  g_signal_handlers_unblock_by_func (self->auto_switch, on_auto_switch_active, self);
  for (guint i = 0; i < self->rows->len; i++)
    show_row (g_ptr_array_index (self->rows, i));
  sync_derived (self);
  self->updating = FALSE;

  g_signal_emit (self, signals[CHANGED], 0);
}

void
recur_params_panel_set_config (RecurParamsPanel     *self,
                               const RecurJobConfig *config)
{
  g_return_if_fail (RECUR_IS_PARAMS_PANEL (self));
  g_return_if_fail (config != NULL);

  /* a configuration of its own (Duplicate and Edit): trained as it is, not chosen again */
  set_config (self, config, FALSE);
}

gboolean
recur_params_panel_get_auto (RecurParamsPanel *self)
{
  g_return_val_if_fail (RECUR_IS_PARAMS_PANEL (self), FALSE);
  return gtk_switch_get_active (self->auto_switch);
}

void
recur_params_panel_set_auto (RecurParamsPanel *self,
                             gboolean          active)
{
  g_return_if_fail (RECUR_IS_PARAMS_PANEL (self));
  gtk_switch_set_active (self->auto_switch, active);
}

guint64
recur_params_panel_get_n_params (RecurParamsPanel *self)
{
  g_return_val_if_fail (RECUR_IS_PARAMS_PANEL (self), 0);

  return self->n_params;
}

GtkWidget *
recur_params_panel_get_control (RecurParamsPanel *self,
                                const char       *setting)
{
  Row *row;

  g_return_val_if_fail (RECUR_IS_PARAMS_PANEL (self), NULL);
  g_return_val_if_fail (setting != NULL, NULL);

  row = find_row (self, setting);
  return row ? row->control : NULL;
}
