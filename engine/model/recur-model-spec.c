/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "recur-names.h"
#include "recur-model.h"

/* A model's hyperparameters: defaults, validation, names, and what they make. */

/* ---- spec ------------------------------------------------------------------------------- */

void
recur_model_spec_init (RecurModelSpec *spec)
{
  *spec = (RecurModelSpec) {
    .cell = RECUR_CELL_LSTM,
    .input_size = 1,
    .hidden_size = 32,
    .num_layers = 1,
    .bidirectional = FALSE,
    .bias = TRUE,
    .dropout = 0.0f,
    .window = 24,
    .horizon = 12,
    .strategy = RECUR_STRATEGY_DIRECT,
    .step_outputs = 1,
    .jordan_feedback = RECUR_JORDAN_TEACHER,
    /* chosen on the validation loss of the bundled series; a small input scaling keeps the
     * reservoir near its linear range, which extrapolates a trend, and ρ = 0.5 with α = 0.6
     * contracts by ≤ 0.7 a step, so 12 steps forget the zero start */
    .esn = {
      .connectivity = 0.1f,
      .spectral_radius = 0.5f,
      .input_scaling = 0.05f,
      .leak = 0.6f,
      .washout = 12,
      .ridge = 1e-4,
    },
    .n_periods = 4,
    .periods = { 1, 2, 4, 8 },
  };
}

void
recur_model_spec_init_for_cell (RecurModelSpec *spec,
                                RecurCellKind   cell)
{
  recur_model_spec_init (spec);
  spec->cell = cell;
  /* A teacher-forced Jordan network reads only x_{T−1} into h_T (its context is the data), so
   * a direct head maps one value to the whole horizon; iterating its one-step prediction does
   * better, and matches what the network's own output y_t is. */
  if (cell == RECUR_CELL_JORDAN)
    spec->strategy = RECUR_STRATEGY_RECURSIVE;
  if (cell == RECUR_CELL_ESN)
    spec->hidden_size = 100;
}

gboolean
recur_model_spec_validate (const RecurModelSpec  *spec,
                           GError               **error)
{
#define CHECK(cond, ...) \
  if (!(cond)) \
    { \
      g_set_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_INVALID_SPEC, __VA_ARGS__); \
      return FALSE; \
    }
  CHECK (spec->cell < RECUR_N_CELLS, _("unknown cell type %d"), spec->cell);
  CHECK (spec->input_size >= 1 && spec->input_size <= 4096,
         _("input size %u is out of range (1–4096)"), spec->input_size);
  CHECK (spec->hidden_size >= 1 && spec->hidden_size <= 8192,
         _("hidden size %u is out of range (1–8192)"), spec->hidden_size);
  CHECK (spec->num_layers >= 1 && spec->num_layers <= 16,
         _("number of layers %u is out of range (1–16)"), spec->num_layers);
  CHECK (spec->dropout >= 0.0f && spec->dropout < 1.0f,
         _("dropout %g is out of range (0 ≤ p < 1)"), (double) spec->dropout);
  CHECK (spec->window >= 1 && spec->window <= 100000,
         _("window %u is out of range (1–100000)"), spec->window);
  CHECK (spec->horizon >= 1 && spec->horizon <= 100000,
         _("horizon %u is out of range (1–100000)"), spec->horizon);
  CHECK (spec->strategy <= RECUR_STRATEGY_RECURSIVE, _("unknown strategy %d"), spec->strategy);
  CHECK (spec->step_outputs >= 1 && spec->step_outputs <= spec->input_size,
         _("%u outputs per step is out of range (1 to the input size, %u)"), spec->step_outputs,
         spec->input_size);
  CHECK (spec->strategy == RECUR_STRATEGY_RECURSIVE || spec->step_outputs == 1,
         _("a direct model forecasts the target alone, not %u values per step"),
         spec->step_outputs);
  if (!recur_cell_is_stackable (spec->cell))
    {
      const char *name = recur_cell_to_string (spec->cell);
      CHECK (spec->num_layers == 1, _("a %s network has one layer, not %u"), name,
             spec->num_layers);
      CHECK (!spec->bidirectional, _("a %s network cannot be bidirectional"), name);
    }
  if (spec->cell == RECUR_CELL_JORDAN)
    CHECK (spec->jordan_feedback <= RECUR_JORDAN_FREE, _("unknown Jordan feedback %d"),
           spec->jordan_feedback);
  if (spec->cell == RECUR_CELL_ESN)
    {
      const RecurEsnSpec *e = &spec->esn;
      CHECK (spec->hidden_size <= RECUR_MAX_RESERVOIR,
             _("reservoir size %u is out of range (1–%u)"), spec->hidden_size,
             RECUR_MAX_RESERVOIR);
      CHECK (e->connectivity > 0.0f && e->connectivity <= 1.0f,
             _("connectivity %g is out of range (0 < c ≤ 1)"), (double) e->connectivity);
      CHECK (e->spectral_radius > 0.0f && e->spectral_radius <= 100.0f,
             _("spectral radius %g is out of range (0 < ρ ≤ 100)"), (double) e->spectral_radius);
      CHECK (e->input_scaling > 0.0f && e->input_scaling <= 1000.0f,
             _("input scaling %g is out of range (0 < s ≤ 1000)"), (double) e->input_scaling);
      CHECK (e->leak > 0.0f && e->leak <= 1.0f, _("leak rate %g is out of range (0 < α ≤ 1)"),
             (double) e->leak);
      CHECK (isfinite (e->ridge) && e->ridge >= 0.0 && e->ridge <= 1e6,
             _("ridge %g is out of range (0 ≤ λ ≤ 1e6)"), e->ridge);
      CHECK (e->washout <= spec->window,
             _("the washout (%u steps) is longer than the window (%u steps): each window "
               "starts from a zero state, so it must be at least as long as the washout"),
             e->washout, spec->window);
    }
  if (spec->cell == RECUR_CELL_CLOCKWORK)
    {
      CHECK (spec->n_periods >= 1 && spec->n_periods <= RECUR_MAX_PERIODS,
             _("a clockwork network has 1 to %u blocks, not %u"), RECUR_MAX_PERIODS,
             spec->n_periods);
      for (guint i = 0; i < spec->n_periods; i++)
        {
          CHECK (spec->periods[i] >= 1 && spec->periods[i] <= 100000,
                 _("clockwork period %u is out of range (1–100000)"), spec->periods[i]);
          CHECK (i == 0 || spec->periods[i] >= spec->periods[i - 1],
                 _("clockwork periods must not decrease (%u comes after %u)"), spec->periods[i],
                 spec->periods[i - 1]);
        }
      CHECK (spec->hidden_size % spec->n_periods == 0,
             _("the hidden size %u does not split into %u clockwork blocks of equal size"),
             spec->hidden_size, spec->n_periods);
    }
#undef CHECK
  return TRUE;
}

guint
recur_model_spec_output_size (const RecurModelSpec *spec)
{
  return spec->strategy == RECUR_STRATEGY_DIRECT ? spec->horizon : MAX (spec->step_outputs, 1);
}

guint
recur_cell_n_gates (RecurCellKind cell)
{
  switch (cell)
    {
    case RECUR_CELL_LSTM:
      return 4;
    case RECUR_CELL_GRU:
      return 3;
    case RECUR_CELL_RNN_TANH:
    case RECUR_CELL_RNN_RELU:
    case RECUR_CELL_JORDAN:
    case RECUR_CELL_ESN:
    case RECUR_CELL_CLOCKWORK:
    default:
      return 1;
    }
}

static const char *const cell_names[] = { "rnn_tanh", "rnn_relu", "lstm", "gru",
                                          "jordan", "esn", "clockwork" };
static const char *const feedback_names[] = { "teacher", "free" };
static const char *const strategy_names[] = { "direct", "recursive" };

const char *
recur_cell_to_string (RecurCellKind cell)
{
  g_return_val_if_fail (cell < G_N_ELEMENTS (cell_names), NULL);
  return cell_names[cell];
}

gboolean
recur_cell_from_string (const char    *text,
                        RecurCellKind *cell)
{
  int i = recur_name_index (cell_names, G_N_ELEMENTS (cell_names), text);

  if (i < 0)
    return FALSE;
  *cell = (RecurCellKind) i;
  return TRUE;
}

gboolean
recur_cell_is_stackable (RecurCellKind cell)
{
  return cell == RECUR_CELL_RNN_TANH || cell == RECUR_CELL_RNN_RELU || cell == RECUR_CELL_LSTM
         || cell == RECUR_CELL_GRU;
}

gboolean
recur_cell_is_one_shot (RecurCellKind cell)
{
  return cell == RECUR_CELL_ESN;
}

const char *
recur_jordan_feedback_to_string (RecurJordanFeedback feedback)
{
  g_return_val_if_fail (feedback < G_N_ELEMENTS (feedback_names), NULL);
  return feedback_names[feedback];
}

gboolean
recur_jordan_feedback_from_string (const char          *text,
                                   RecurJordanFeedback *feedback)
{
  int i = recur_name_index (feedback_names, G_N_ELEMENTS (feedback_names), text);

  if (i < 0)
    return FALSE;
  *feedback = (RecurJordanFeedback) i;
  return TRUE;
}

gboolean
recur_clockwork_block_fires (const RecurModelSpec *spec,
                             guint                 block,
                             guint                 t)
{
  g_return_val_if_fail (block < spec->n_periods, FALSE);
  return t % spec->periods[block] == 0;
}

char *
recur_periods_to_string (const guint *periods,
                         guint        n_periods)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < n_periods; i++)
    g_string_append_printf (text, "%s%u", i ? "," : "", periods[i]);
  return g_string_free (text, FALSE);
}

const char *
recur_strategy_to_string (RecurStrategy strategy)
{
  g_return_val_if_fail (strategy < G_N_ELEMENTS (strategy_names), NULL);
  return strategy_names[strategy];
}

gboolean
recur_strategy_from_string (const char    *text,
                            RecurStrategy *strategy)
{
  int i = recur_name_index (strategy_names, G_N_ELEMENTS (strategy_names), text);

  if (i < 0)
    return FALSE;
  *strategy = (RecurStrategy) i;
  return TRUE;
}

guint64
recur_model_spec_count_params (const RecurModelSpec *spec)
{
  guint64 H = spec->hidden_size, G = recur_cell_n_gates (spec->cell);
  guint64 D = spec->bidirectional ? 2 : 1, total = 0;
  guint64 out = recur_model_spec_output_size (spec), I = spec->input_size;
  guint64 head = out * D * H + out;

  /* the one-layer cells (hidden_size ≤ 8192, input_size ≤ 4096: nothing overflows) */
  if (spec->cell == RECUR_CELL_JORDAN)
    return 3 * H * I + (spec->bias ? H + I : 0) + head;
  if (spec->cell == RECUR_CELL_ESN)
    return H * I + H * H + (spec->bias ? H : 0) + head;
  for (guint l = 0; l < spec->num_layers; l++)
    {
      guint64 in = l == 0 ? spec->input_size : D * H;
      guint64 per_dir = G * H * (in + H) + (spec->bias ? 2 * G * H : 0);
      if (per_dir > G_MAXUINT64 / 4 || total > G_MAXUINT64 / 2)
        return G_MAXUINT64;
      total += D * per_dir;
    }
  return total + head;
}

char *
recur_model_spec_describe (const RecurModelSpec *spec)
{
  /* the count formatted apart: xgettext cannot see through G_GUINT64_FORMAT */
  g_autofree char *n = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                        recur_model_spec_count_params (spec));

  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s, %u layer of %u units, %s parameters",
                                       "%s, %u layers of %u units, %s parameters",
                                       spec->num_layers),
                          recur_cell_to_string (spec->cell), spec->num_layers, spec->hidden_size,
                          n);
}
