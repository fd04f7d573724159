/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the `recur` commands share: messages, option contexts, aligned printing, and `recur
 * train`'s options that make a run's configuration. */
#define G_LOG_DOMAIN "recur-app"
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>
#include <math.h>

#include "recur-command.h"
#include "recur-names.h"

/* ---- shared helpers ----------------------------------------------------------------------- */

int
recur_command_fail (GError *error)
{
  g_printerr ("recur: %s\n", error->message);
  g_error_free (error);
  return EXIT_FAILED;
}

int
recur_command_usage_error (const char *message)
{
  g_printerr ("recur: %s\n", message);
  g_printerr (_("Run “%s --help” for the options.\n"), g_get_prgname ());
  return EXIT_USAGE;
}

GOptionContext *
recur_command_new_context (const char *command,
                           const char *parameter,
                           const char *summary)
{
  GOptionContext *context = g_option_context_new (parameter);
  g_autofree char *prgname = g_strdup_printf ("recur %s", command);

  g_set_prgname (prgname);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_summary (context, summary);
  return context;
}

/* Pads to a width in terminal columns: CJK characters take two, so printf's byte-counting
 * %-20s would misalign translated row names. */
void
recur_command_print_padded (const char *text,
                            int         columns)
{
  int width = 0;

  for (const char *p = text; *p; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2 : 1;
  g_print ("%s%*s", text, MAX (columns - width, 0), "");
}

/* ---- a run's configuration as options ----------------------------------------------------- */

typedef struct _RecurTrainOptions TrainOptions;

/* Unset options are G_MININT or NAN, so that the configuration's defaults stand. */
void
recur_train_options_init (TrainOptions *o)
{
  *o = (TrainOptions) {
    .hidden = G_MININT, .layers = G_MININT, .window = G_MININT, .horizon = G_MININT,
    .epochs = G_MININT, .batch = G_MININT, .truncate = G_MININT, .patience = G_MININT,
    .season = G_MININT, .dropout = NAN, .lr = NAN, .momentum = NAN, .weight_decay = NAN,
    .clip = NAN, .val_fraction = NAN, .seed = NULL, .threads = 0,
    .reservoir = G_MININT, .washout = G_MININT, .connectivity = NAN, .spectral_radius = NAN,
    .input_scaling = NAN, .leak = NAN, .ridge = NAN,
  };
}

void
recur_train_options_clear (TrainOptions *o)
{
  g_free (o->column);
  g_free (o->model);
  g_free (o->strategy);
  g_free (o->optimizer);
  g_free (o->loss);
  g_free (o->scale);
  g_free (o->missing);
  g_free (o->schedule);
  g_free (o->forecast_out);
  g_free (o->weights_out);
  g_free (o->summary_out);
  g_free (o->jordan_feedback);
  g_free (o->seed);
  g_free (o->periods);
}

static gboolean
model_from_option (const char    *text,
                   RecurCellKind *cell)
{
  if (g_strcmp0 (text, "rnn") == 0 || g_strcmp0 (text, "rnn-tanh") == 0)
    *cell = RECUR_CELL_RNN_TANH;
  else if (g_strcmp0 (text, "rnn-relu") == 0)
    *cell = RECUR_CELL_RNN_RELU;
  else if (g_strcmp0 (text, "lstm") == 0)
    *cell = RECUR_CELL_LSTM;
  else if (g_strcmp0 (text, "gru") == 0)
    *cell = RECUR_CELL_GRU;
  else if (g_strcmp0 (text, "jordan") == 0)
    *cell = RECUR_CELL_JORDAN;
  else if (g_strcmp0 (text, "esn") == 0)
    *cell = RECUR_CELL_ESN;
  else if (g_strcmp0 (text, "clockwork") == 0)
    *cell = RECUR_CELL_CLOCKWORK;
  else
    return FALSE;
  return TRUE;
}

static gboolean
missing_from_option (const char         *text,
                     RecurMissingPolicy *policy)
{
  static const char *const names[] = { "interpolate", "previous", "refuse" };
  int i = recur_name_index (names, G_N_ELEMENTS (names), text);

  if (i < 0)
    return FALSE;
  *policy = (RecurMissingPolicy) i;
  return TRUE;
}

static gboolean
set_count (int          value,
           const char  *option,
           int          min,
           guint       *out,
           GError     **error)
{
  if (value == G_MININT)
    return TRUE; /* not given */
  if (value < min)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("%s must be at least %d, not %d"), option, min, value);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

#define BAD_CHOICE(option, value, choices) \
  (g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, \
                _("%s: unknown value “%s” (choose %s)"), option, value, choices), FALSE)

/* An option of one cell's only, given with another: a mistake worth saying. */
static gboolean
check_cell_option (gboolean        given,
                   const char     *option,
                   RecurCellKind   cell,
                   RecurCellKind   wanted,
                   GError        **error)
{
  if (!given || cell == wanted)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               _("%s applies to --model %s only"), option, recur_cell_to_string (wanted));
  return FALSE;
}

static void
set_float (double  value,
           float  *out)
{
  if (!isnan (value))
    *out = (float) value;
}

/* The options of Jordan, ESN and clockwork models. */
static gboolean
cell_options_to_spec (const TrainOptions  *o,
                      RecurModelSpec      *m,
                      GError             **error)
{
  static const struct { const char *name; gsize offset; } esn_doubles[] = {
    { "--connectivity", G_STRUCT_OFFSET (TrainOptions, connectivity) },
    { "--spectral-radius", G_STRUCT_OFFSET (TrainOptions, spectral_radius) },
    { "--input-scaling", G_STRUCT_OFFSET (TrainOptions, input_scaling) },
    { "--leak", G_STRUCT_OFFSET (TrainOptions, leak) },
    { "--ridge", G_STRUCT_OFFSET (TrainOptions, ridge) },
  };

  if (!check_cell_option (o->jordan_feedback != NULL, "--jordan-feedback", m->cell,
                          RECUR_CELL_JORDAN, error)
      || !check_cell_option (o->periods != NULL, "--periods", m->cell, RECUR_CELL_CLOCKWORK,
                             error)
      || !check_cell_option (o->reservoir != G_MININT, "--reservoir", m->cell, RECUR_CELL_ESN,
                             error)
      || !check_cell_option (o->washout != G_MININT, "--washout", m->cell, RECUR_CELL_ESN,
                             error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (esn_doubles); i++)
    if (!check_cell_option (!isnan (G_STRUCT_MEMBER (double, o, esn_doubles[i].offset)),
                            esn_doubles[i].name, m->cell, RECUR_CELL_ESN, error))
      return FALSE;

  if (o->jordan_feedback && !recur_jordan_feedback_from_string (o->jordan_feedback,
                                                                &m->jordan_feedback))
    return BAD_CHOICE ("--jordan-feedback", o->jordan_feedback, "teacher, free");
  if (o->periods && !recur_periods_from_string (o->periods, m->periods, &m->n_periods))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--periods: “%s” is not a list of 1 to %u positive integers such as 1,2,4,8"),
                   o->periods, RECUR_MAX_PERIODS);
      return FALSE;
    }
  if (!set_count (o->reservoir, "--reservoir", 1, &m->hidden_size, error)
      || !set_count (o->washout, "--washout", 0, &m->esn.washout, error))
    return FALSE;
  set_float (o->connectivity, &m->esn.connectivity);
  set_float (o->spectral_radius, &m->esn.spectral_radius);
  set_float (o->input_scaling, &m->esn.input_scaling);
  set_float (o->leak, &m->esn.leak);
  if (!isnan (o->ridge))
    m->esn.ridge = o->ridge;
  return TRUE;
}

/* From the parsed options to a job configuration; unset options keep the defaults. */
static gboolean
train_options_to_config (const TrainOptions  *o,
                         RecurJobConfig      *c,
                         GError             **error)
{
  RecurOptimizerKind opt_kind = c->train.optimizer.kind;
  RecurCellKind cell = c->model.cell;

  c->column = g_strdup (o->column);
  if (o->model && !model_from_option (o->model, &cell))
    return BAD_CHOICE ("--model", o->model,
                       "rnn, rnn-relu, lstm, gru, jordan, esn, clockwork");
  recur_model_spec_init_for_cell (&c->model, cell);
  if (!set_count (o->hidden, "--hidden", 1, &c->model.hidden_size, error)
      || !set_count (o->layers, "--layers", 1, &c->model.num_layers, error)
      || !set_count (o->window, "--window", 1, &c->model.window, error)
      || !set_count (o->horizon, "--horizon", 1, &c->model.horizon, error)
      || !set_count (o->epochs, "--epochs", 1, &c->train.epochs, error)
      || !set_count (o->batch, "--batch", 1, &c->train.batch_size, error)
      || !set_count (o->truncate, "--truncate", 0, &c->train.truncate, error)
      || !set_count (o->patience, "--patience", 0, &c->train.patience, error)
      || !set_count (o->season, "--season", 1, &c->season, error))
    return FALSE;
  c->model.bidirectional = o->bidirectional;
  c->model.bias = !o->no_bias;
  if (!isnan (o->dropout))
    c->model.dropout = (float) o->dropout;
  if (o->strategy && !recur_strategy_from_string (o->strategy, &c->model.strategy))
    return BAD_CHOICE ("--strategy", o->strategy, "direct, recursive");
  if (o->optimizer && !recur_optimizer_kind_from_string (o->optimizer, &opt_kind))
    return BAD_CHOICE ("--optimizer", o->optimizer, "adam, adamw, sgd, rmsprop");
  recur_optimizer_spec_init (&c->train.optimizer, opt_kind,
                             isnan (o->lr) ? c->train.optimizer.lr : o->lr);
  if (!isnan (o->momentum))
    c->train.optimizer.momentum = o->momentum;
  c->train.optimizer.nesterov = o->nesterov;
  if (!isnan (o->weight_decay))
    c->train.optimizer.weight_decay = o->weight_decay;
  if (!isnan (o->clip))
    c->train.clip = o->clip;
  if (o->loss && !recur_loss_kind_from_string (o->loss, &c->train.loss))
    return BAD_CHOICE ("--loss", o->loss, "mse, mae, huber");
  if (o->scale && !recur_scaler_kind_from_string (o->scale, &c->scaler))
    return BAD_CHOICE ("--scale", o->scale, "zscore, minmax, none");
  if (o->missing && !missing_from_option (o->missing, &c->missing))
    return BAD_CHOICE ("--missing", o->missing, "interpolate, previous, refuse");
  if (o->schedule && !recur_schedule_kind_from_string (o->schedule, &c->train.schedule))
    return BAD_CHOICE ("--schedule", o->schedule, "constant, step, cosine, plateau");
  if (!isnan (o->val_fraction))
    c->val_fraction = o->val_fraction;
  if (o->seed && !g_ascii_string_to_unsigned (o->seed, 10, 0, G_MAXUINT64, &c->train.seed, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   _("--seed must be a whole number from 0 to %" PRIu64 ", not “%s”"),
                   G_MAXUINT64, o->seed);
      return FALSE;
    }
  return cell_options_to_spec (o, &c->model, error);
}

/* The options that make a run's configuration: `recur sweep` takes them too, as its base. */
static void
add_config_entries (GOptionContext *context,
                    TrainOptions   *o)
{
  const GOptionEntry entries[] = {
    { "column", 'c', 0, G_OPTION_ARG_STRING, &o->column, N_("Column to forecast (default: the first numeric one)"), N_("NAME") },
    { "model", 'm', 0, G_OPTION_ARG_STRING, &o->model, N_("Cell: rnn, rnn-relu, lstm, gru, jordan, esn or clockwork (default lstm)"), N_("CELL") },
    { "hidden", 0, 0, G_OPTION_ARG_INT, &o->hidden, N_("Hidden units per layer (default 32)"), "N" },
    { "layers", 0, 0, G_OPTION_ARG_INT, &o->layers, N_("Stacked recurrent layers (default 1)"), "N" },
    { "bidirectional", 0, 0, G_OPTION_ARG_NONE, &o->bidirectional, N_("Also read each window backwards"), NULL },
    { "dropout", 0, 0, G_OPTION_ARG_DOUBLE, &o->dropout, N_("Dropout between stacked layers while training (default 0)"), "P" },
    { "no-bias", 0, 0, G_OPTION_ARG_NONE, &o->no_bias, N_("Recurrent layers without bias vectors"), NULL },
    { "window", 'w', 0, G_OPTION_ARG_INT, &o->window, N_("Past values the model reads (default 24)"), "N" },
    { "horizon", 'H', 0, G_OPTION_ARG_INT, &o->horizon, N_("Steps to forecast; also the test part (default 12)"), "N" },
    { "strategy", 0, 0, G_OPTION_ARG_STRING, &o->strategy, N_("direct (all steps at once) or recursive (one step, fed back)"), N_("STRATEGY") },
    { "epochs", 'e', 0, G_OPTION_ARG_INT, &o->epochs, N_("Passes over the training windows (default 200)"), "N" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &o->batch, N_("Windows per minibatch (default 32)"), "N" },
    { "lr", 0, 0, G_OPTION_ARG_DOUBLE, &o->lr, N_("Learning rate (default 0.003)"), "X" },
    { "optimizer", 0, 0, G_OPTION_ARG_STRING, &o->optimizer, N_("adam, adamw, sgd or rmsprop (default adam)"), N_("NAME") },
    { "momentum", 0, 0, G_OPTION_ARG_DOUBLE, &o->momentum, N_("Momentum for sgd and rmsprop (default 0)"), "X" },
    { "nesterov", 0, 0, G_OPTION_ARG_NONE, &o->nesterov, N_("Nesterov momentum (sgd)"), NULL },
    { "weight-decay", 0, 0, G_OPTION_ARG_DOUBLE, &o->weight_decay, N_("Weight decay (adamw: decoupled, default 0.01)"), "X" },
    { "clip", 0, 0, G_OPTION_ARG_DOUBLE, &o->clip, N_("Clip the gradient norm to X; 0 turns it off (default 1)"), "X" },
    { "loss", 0, 0, G_OPTION_ARG_STRING, &o->loss, N_("mse, mae or huber (default mse)"), N_("NAME") },
    { "scale", 0, 0, G_OPTION_ARG_STRING, &o->scale, N_("zscore, minmax or none, fitted on the training part (default zscore)"), N_("NAME") },
    { "missing", 0, 0, G_OPTION_ARG_STRING, &o->missing, N_("Missing values: interpolate, previous or refuse (default interpolate)"), N_("POLICY") },
    { "schedule", 0, 0, G_OPTION_ARG_STRING, &o->schedule, N_("Learning rate: constant, step, cosine or plateau (default constant)"), N_("NAME") },
    { "truncate", 0, 0, G_OPTION_ARG_INT, &o->truncate, N_("Truncated BPTT: backpropagate N steps; 0 = the whole window"), "N" },
    { "patience", 0, 0, G_OPTION_ARG_INT, &o->patience, N_("Stop after N epochs without a better validation loss; 0 = never (default 30)"), "N" },
    { "val-fraction", 0, 0, G_OPTION_ARG_DOUBLE, &o->val_fraction, N_("Share of the points before the test part used for validation (default 0.1)"), "X" },
    { "season", 0, 0, G_OPTION_ARG_INT, &o->season, N_("Seasonal period for baselines and MASE (default: from the frequency)"), "N" },
    { "seed", 's', 0, G_OPTION_ARG_STRING, &o->seed, N_("Random seed: the same seed gives the same run (default 42)"), "N" },
    { "jordan-feedback", 0, 0, G_OPTION_ARG_STRING, &o->jordan_feedback, N_("Jordan: the context is the observed value (teacher) or the network's own output (free) (default teacher)"), N_("MODE") },
    { "reservoir", 0, 0, G_OPTION_ARG_INT, &o->reservoir, N_("ESN: reservoir units (default 100)"), "N" },
    { "connectivity", 0, 0, G_OPTION_ARG_DOUBLE, &o->connectivity, N_("ESN: share of non-zero reservoir weights (default 0.1)"), "C" },
    { "spectral-radius", 0, 0, G_OPTION_ARG_DOUBLE, &o->spectral_radius, N_("ESN: the reservoir's spectral radius (default 0.5)"), "R" },
    { "input-scaling", 0, 0, G_OPTION_ARG_DOUBLE, &o->input_scaling, N_("ESN: input weights and biases uniform in ±S (default 0.05)"), "S" },
    { "leak", 0, 0, G_OPTION_ARG_DOUBLE, &o->leak, N_("ESN: leak rate, 1 = no leak (default 0.6)"), "A" },
    { "washout", 0, 0, G_OPTION_ARG_INT, &o->washout, N_("ESN: steps to forget the zero start; at most the window (default 12)"), "N" },
    { "ridge", 0, 0, G_OPTION_ARG_DOUBLE, &o->ridge, N_("ESN: ridge penalty of the readout's fit (default 0.0001)"), "L" },
    { "periods", 0, 0, G_OPTION_ARG_STRING, &o->periods, N_("Clockwork: the blocks' periods, non-decreasing (default 1,2,4,8)"), "T1,T2,…" },
    { NULL },
  };

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
}

/* ---- for the commands in other files ---- */

RecurTrainOptions *
recur_train_options_new (void)
{
  TrainOptions *o = g_new (TrainOptions, 1);

  recur_train_options_init (o);
  return o;
}

void
recur_train_options_free (RecurTrainOptions *options)
{
  if (options == NULL)
    return;
  recur_train_options_clear (options);
  g_free (options);
}

void
recur_train_options_add_entries (RecurTrainOptions *options,
                                 GOptionContext    *context)
{
  add_config_entries (context, options);
}

gboolean
recur_train_options_to_config (const RecurTrainOptions  *options,
                               RecurJobConfig           *config,
                               GError                  **error)
{
  return train_options_to_config (options, config, error);
}
