/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The schema of settings: the table of every field of RecurJobConfig, and what each entry
 * knows how to do with a value — check it, read it from text or JSON, write and show it. */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-jsonutil.h"
#include "recur-settings.h"

/* In the enums' order; the static asserts below catch an enum that grew. */
static const char *const cell_names[] = { "rnn", "rnn-relu", "lstm", "gru", "jordan", "esn",
                                          "clockwork", NULL };
static const char *const cell_labels[] = { N_("Elman RNN (tanh)"), N_("Elman RNN (ReLU)"),
                                           N_("LSTM"), N_("GRU"), N_("Jordan network"),
                                           N_("Echo state network"), N_("Clockwork RNN"), NULL };
static const char *const missing_names[] = { "interpolate", "previous", "refuse", NULL };
static const char *const missing_labels[] = { N_("Interpolate"), N_("Previous value"),
                                              N_("Refuse"), NULL };
static const char *const scaler_names[] = { "zscore", "minmax", "none", NULL };
static const char *const scaler_labels[] = { N_("Z-score"), N_("Min–max"), N_("None"), NULL };
static const char *const box_cox_names[] = { "none", "auto", "given", NULL };
static const char *const box_cox_labels[] = { N_("None"), N_("Automatic λ"), N_("Given λ"),
                                              NULL };
static const char *const window_norm_names[] = { "none", "last", "mean", NULL };
static const char *const window_norm_labels[] = { N_("None"), N_("Last value"), N_("Mean"),
                                                  NULL };
static const char *const theta_names[] = { "none", "average", NULL };
static const char *const theta_labels[] = { N_("None"), N_("Averaged in"), NULL };
static const char *const strategy_names[] = { "direct", "recursive", NULL };
static const char *const strategy_labels[] = { N_("Direct"), N_("Recursive"), NULL };
static const char *const feedback_names[] = { "teacher", "free", NULL };
static const char *const feedback_labels[] = { N_("Teacher forcing"), N_("Free running"), NULL };
static const char *const optimizer_names[] = { "adam", "adamw", "sgd", "rmsprop", NULL };
static const char *const optimizer_labels[] = { N_("Adam"), N_("AdamW"), N_("SGD"),
                                                N_("RMSprop"), NULL };
static const char *const loss_names[] = { "mse", "mae", "huber", NULL };
static const char *const loss_labels[] = { N_("MSE"), N_("MAE"), N_("Huber"), NULL };
static const char *const schedule_names[] = { "constant", "step", "cosine", "plateau", NULL };
static const char *const schedule_labels[] = { N_("Constant"), N_("Step"), N_("Cosine"),
                                               N_("Plateau"), NULL };

G_STATIC_ASSERT (G_N_ELEMENTS (cell_names) == RECUR_N_CELLS + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (cell_labels) == RECUR_N_CELLS + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (missing_names) == RECUR_MISSING_REFUSE + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (scaler_names) == RECUR_SCALER_NONE + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (box_cox_names) == RECUR_BOX_COX_GIVEN + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (window_norm_names) == RECUR_WINDOW_NORM_MEAN + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (strategy_names) == RECUR_STRATEGY_RECURSIVE + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (theta_names) == RECUR_THETA_AVERAGE + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (feedback_names) == RECUR_JORDAN_FREE + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (optimizer_names) == RECUR_OPTIMIZER_RMSPROP + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (loss_names) == RECUR_LOSS_HUBER + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (schedule_names) == RECUR_SCHEDULE_PLATEAU + 2);
/* choices are stored through a guint */
G_STATIC_ASSERT (sizeof (RecurCellKind) == sizeof (guint));
G_STATIC_ASSERT (sizeof (RecurOptimizerKind) == sizeof (guint));

#define OFF(member) G_STRUCT_OFFSET (RecurJobConfig, member)
#define CELL(c) (1u << RECUR_CELL_##c)
#define STACKABLE (CELL (RNN_TANH) | CELL (RNN_RELU) | CELL (LSTM) | CELL (GRU))
/* the cells trained by gradient steps: an ESN's readout is solved at once, without epochs,
 * minibatches, an optimiser or a schedule */
#define GRADIENT (STACKABLE | CELL (JORDAN) | CELL (CLOCKWORK))
#define OPT(o) (1u << RECUR_OPTIMIZER_##o)
#define SCHED(s) (1u << RECUR_SCHEDULE_##s)
#define CHOICES(names) .choices = names##_names, .choice_labels = names##_labels

#define U RECUR_SETTING_UINT
#define D RECUR_SETTING_DOUBLE
#define F RECUR_SETTING_FLOAT
#define B RECUR_SETTING_BOOL
#define C RECUR_SETTING_CHOICE
#define DATA RECUR_SETTING_GROUP_DATA
#define MODEL RECUR_SETTING_GROUP_MODEL
#define TRAIN RECUR_SETTING_GROUP_TRAINING
#define FORECAST RECUR_SETTING_GROUP_FORECAST
#define LO_OPEN RECUR_SETTING_LO_OPEN
#define HI_OPEN RECUR_SETTING_HI_OPEN
#define SWEEP RECUR_SETTING_SWEEPABLE
#define ADVANCED RECUR_SETTING_ADVANCED

/* The shapes of the LIST settings */
static const RecurSettingList periods_list = {
  .count_offset = OFF (model.n_periods), .min_count = 1, .max_count = RECUR_MAX_PERIODS,
  .lo = 1, .hi = 100000, .non_decreasing = TRUE,
  .expected = N_("a list of periods such as 1,2,4,8"),
  .json_expected = N_("a list of periods such as [1, 2, 4, 8]"),
  .invalid = N_("%s: expected 1 to %u non-decreasing periods from 1 to 100000"),
};

static const RecurSettingList ensemble_windows_list = {
  .count_offset = OFF (n_ensemble_windows), .min_count = 0,
  .max_count = RECUR_MAX_ENSEMBLE_WINDOWS, .lo = 1, .hi = 100000,
  .expected = N_("a list of window lengths such as 12,24,36, or nothing"),
  .json_expected = N_("a list of window lengths such as [12, 24, 36]"),
  .invalid = N_("%s: expected up to %u window lengths from 1 to 100000"),
};

/* The ranges are the ones recur_model_spec_validate, the trainer and the dataset enforce;
 * tests/engine/test-settings.c probes each end against them. soft_lo/soft_hi are a control's
 * usual span. */
static const RecurSetting settings[] = {
  { "column", RECUR_SETTING_COLUMN, DATA, OFF (column),
    .label = N_("Column"), .description = N_("Column to forecast"),
    .default_text = N_("the first numeric one"), .short_name = 'c', .metavar = N_("NAME"),
    .weights_key = "recur.column" },
  { "inputs", RECUR_SETTING_NAMES, DATA, OFF (inputs), .label = N_("Inputs"),
    .description = N_("Other columns the model reads beside the one to forecast (past "
                      "covariates), up to the point it forecasts from"),
    .default_text = N_("none"), .metavar = N_("NAME,…"), .weights_key = "recur.inputs" },
  { "calendar", B, DATA, OFF (calendar), .label = N_("Calendar features"),
    .description = N_("Also read each date’s time of day, day of the week and month of the "
                      "year (those that change between its points) as sines and cosines"),
    .weights_key = "recur.calendar" },
  { "missing", C, DATA, OFF (missing), CHOICES (missing), .label = N_("Missing values"),
    .description = N_("How gaps in the column are filled: linearly, with the previous value, "
                      "or not at all"), .metavar = N_("POLICY") },
  /* the target transforms, in the order they apply (recur-transform.h) */
  { "box-cox", C, DATA, OFF (transform.box_cox), .flags = SWEEP, CHOICES (box_cox),
    .label = N_("Box-Cox"),
    .description = N_("Box-Cox transform of the values: auto picks λ by Guerrero’s method on "
                      "the training part (and is skipped unless that part is positive), given "
                      "uses --lambda"), .metavar = N_("MODE"), .weights_key = "recur.box_cox" },
  { "lambda", D, DATA, OFF (transform.lambda), -1, 2, SWEEP | RECUR_SETTING_GIVEN_BOX_COX,
    .label = N_("Box-Cox λ"),
    .description = N_("The λ of --box-cox given: 0 is the logarithm, 1 leaves the shape as it "
                      "is"), .metavar = "X", .soft_lo = -1, .soft_hi = 2, .step = 0.05,
    .digits = 2 },
  { "deseasonalise", B, DATA, OFF (transform.deseasonalise), .flags = SWEEP,
    .label = N_("Deseasonalise"),
    .description = N_("Subtract each phase’s average of the season, fitted on the training "
                      "part (needs two full seasons there)"),
    .weights_key = "recur.deseasonalise" },
  { "difference", B, DATA, OFF (transform.difference), .flags = SWEEP,
    .label = N_("Difference"),
    .description = N_("Learn the changes from one point to the next instead of the values"),
    .weights_key = "recur.difference" },
  { "seasonal-difference", B, DATA, OFF (transform.seasonal_difference), .flags = SWEEP,
    .label = N_("Seasonal difference"),
    .description = N_("Learn the changes from the same point one season before"),
    .weights_key = "recur.seasonal_difference" },
  { "scale", C, DATA, OFF (transform.scaler), .flags = SWEEP, CHOICES (scaler),
    .label = N_("Scaling"),
    .description = N_("How values are rescaled before training, fitted on the training part "
                      "only"), .metavar = N_("NAME"), .weights_key = "recur.scaler" },
  { "window-norm", C, DATA, OFF (transform.window_norm), .flags = SWEEP, CHOICES (window_norm),
    .label = N_("Window level"),
    .description = N_("Express each window’s inputs and targets relative to its last value or "
                      "its mean, so a level never seen in training is no problem"),
    .metavar = N_("LEVEL"), .weights_key = "recur.window_norm" },
  { "theta", C, FORECAST, OFF (transform.theta), .flags = SWEEP, CHOICES (theta),
    .label = N_("Theta method"),
    .description = N_("average: average the forecast with the Theta method’s (exponential "
                      "smoothing with half the trend, deseasonalised when the season is "
                      "significant), refitted on the history each forecast starts from; auto "
                      "chooses it when Theta validates within twice its choice’s error"),
    .metavar = N_("MODE"), .weights_key = "recur.theta" },
  { "val-fraction", D, DATA, OFF (val_fraction), 0, 1, HI_OPEN, .label = N_("Validation share"),
    .description = N_("Share of the points before the test part kept aside to choose the best "
                      "epoch"), .metavar = "X", .soft_lo = 0, .soft_hi = 0.5, .step = 0.05,
    .digits = 2 },
  { "season", U, FORECAST, OFF (season), 0, 1000000, .label = N_("Season"),
    .description = N_("Seasonal period of the baselines and MASE; 0 takes it from the "
                      "dates, or without them from the values"), .metavar = "N", .soft_lo = 0,
    .soft_hi = 1000, .step = 1 },
  { "model", C, MODEL, OFF (model.cell), .flags = SWEEP, CHOICES (cell), .label = N_("Cell"),
    .description = N_("The recurrent unit: Elman cells are the simplest, LSTM and GRU gates "
                      "keep a longer memory; an echo state network trains only its readout; "
                      "Jordan and clockwork networks are their own kinds"),
    .short_name = 'm', .metavar = N_("CELL"), .weights_key = "recur.cell" },
  { "input-size", U, MODEL, OFF (model.input_size), 1, 4096, RECUR_SETTING_INTERNAL,
    .description = N_("Values read at each time step (set by the data)"),
    .weights_key = "recur.input_size" },
  { "step-outputs", U, MODEL, OFF (model.step_outputs), 1, 4096, RECUR_SETTING_INTERNAL,
    .description = N_("Values a recursive model forecasts per step: the target, then the "
                      "input columns it feeds back (set by the data)"),
    .weights_key = "recur.step_outputs" },
  { "hidden", U, MODEL, OFF (model.hidden_size), 1, 8192, SWEEP, .label = N_("Hidden units"),
    .description = N_("Size of each layer’s hidden state: more units can learn more complex "
                      "patterns"), .metavar = "N", .alias = "reservoir",
    .alias_description = N_("esn: reservoir units"), .alias_cells = CELL (ESN), .weights_key = "recur.hidden_size",
    .soft_lo = 1, .soft_hi = 4096, .step = 1 },
  { "layers", U, MODEL, OFF (model.num_layers), 1, 16, SWEEP, .label = N_("Layers"),
    .description = N_("How many recurrent layers are stacked, each reading the outputs of the "
                      "one below"), .cells = STACKABLE, .metavar = "N",
    .weights_key = "recur.num_layers", .soft_lo = 1, .soft_hi = 8, .step = 1 },
  { "bidirectional", B, MODEL, OFF (model.bidirectional), .flags = SWEEP,
    .label = N_("Bidirectional"),
    .description = N_("Also read every window backwards, which doubles the recurrent weights"),
    .cells = STACKABLE, .weights_key = "recur.bidirectional" },
  { "bias", B, MODEL, OFF (model.bias), .flags = RECUR_SETTING_NEGATED, .label = N_("Bias"),
    .description = N_("Give every gate a learned offset besides its weights"),
    .weights_key = "recur.bias" },
  { "dropout", F, MODEL, OFF (model.dropout), 0, 1,
    HI_OPEN | SWEEP | RECUR_SETTING_STACKED,
    .label = N_("Dropout"),
    .description = N_("Share of the units dropped between stacked layers while training "
                      "(needs 2 layers or more)"), .cells = STACKABLE, .metavar = "P",
    .weights_key = "recur.dropout", .soft_lo = 0, .soft_hi = 0.9, .step = 0.05, .digits = 2 },
  { "window", U, MODEL, OFF (model.window), 1, 100000, SWEEP, .label = N_("Window"),
    .description = N_("How many past values the network reads to make one forecast"),
    .short_name = 'w', .metavar = "N", .weights_key = "recur.window", .soft_lo = 1,
    .soft_hi = 1000, .step = 1 },
  { "horizon", U, FORECAST, OFF (model.horizon), 1, 100000, .label = N_("Horizon"),
    .description = N_("How many steps ahead to forecast; the last this many points are held "
                      "out for testing"), .short_name = 'H', .metavar = "N",
    .weights_key = "recur.horizon", .soft_lo = 1, .soft_hi = 1000, .step = 1 },
  { "strategy", C, FORECAST, OFF (model.strategy), .flags = SWEEP, CHOICES (strategy),
    .label = N_("Strategy"),
    .description = N_("Direct forecasts every step at once; recursive forecasts one step and "
                      "feeds it back"), .metavar = N_("STRATEGY"), .weights_key = "recur.strategy" },
  { "jordan-feedback", C, MODEL, OFF (model.jordan_feedback), CHOICES (feedback),
    .label = N_("Context"),
    .description = N_("What the context units hold: the observed previous value (teacher "
                      "forcing) or the network’s own previous output (free running)"),
    .cells = CELL (JORDAN), .metavar = N_("MODE"), .weights_key = "recur.jordan_feedback" },
  { "connectivity", F, MODEL, OFF (model.esn.connectivity), 0, 1, LO_OPEN,
    .label = N_("Connectivity"), .description = N_("Share of reservoir connections that are not "
                                                   "zero"),
    .cells = CELL (ESN), .metavar = "C", .weights_key = "recur.connectivity", .soft_lo = 0.01,
    .soft_hi = 1, .step = 0.01, .digits = 2 },
  { "spectral-radius", F, MODEL, OFF (model.esn.spectral_radius), 0, 100, LO_OPEN | SWEEP,
    .label = N_("Spectral radius"),
    .description = N_("ρ, how long the reservoir echoes its inputs: below 1 it forgets its "
                      "start"), .cells = CELL (ESN), .metavar = "R",
    .weights_key = "recur.spectral_radius", .soft_lo = 0.05, .soft_hi = 1.5, .step = 0.05,
    .digits = 2 },
  { "input-scaling", F, MODEL, OFF (model.esn.input_scaling), 0, 1000, LO_OPEN,
    .label = N_("Input scaling"),
    .description = N_("Size of the random input weights: small keeps the reservoir nearly "
                      "linear"), .cells = CELL (ESN), .metavar = "S",
    .weights_key = "recur.input_scaling", .soft_lo = 0.001, .soft_hi = 10, .step = 0.01,
    .digits = 3 },
  { "leak", F, MODEL, OFF (model.esn.leak), 0, 1, LO_OPEN | SWEEP, .label = N_("Leak rate"),
    .description = N_("α, how much of the reservoir’s state is renewed at each step"),
    .cells = CELL (ESN), .metavar = "A", .weights_key = "recur.leak", .soft_lo = 0.05,
    .soft_hi = 1, .step = 0.05, .digits = 2 },
  { "washout", U, MODEL, OFF (model.esn.washout), 0, 100000, .label = N_("Washout"),
    .description = N_("Steps at the start of each window that only wash out the zero initial "
                      "state; at most the window"), .cells = CELL (ESN), .metavar = "N",
    .weights_key = "recur.washout", .soft_lo = 0, .soft_hi = 1000, .step = 1 },
  { "ridge", D, MODEL, OFF (model.esn.ridge), 0, 1e6, SWEEP | RECUR_SETTING_LOG_SCALE,
    .label = N_("Ridge λ"), .description = N_("Regularisation of the readout’s least-squares fit"),
    .cells = CELL (ESN), .metavar = "L", .weights_key = "recur.ridge", .soft_lo = 1e-10,
    .soft_hi = 10, .step = 0.5, .digits = 1 },
  { "periods", RECUR_SETTING_LIST, MODEL, OFF (model.periods), .label = N_("Periods"),
    .description = N_("Clock periods of the hidden blocks, non-decreasing, e.g. 1,2,4,8: block "
                      "i updates when t mod Tᵢ = 0"), .cells = CELL (CLOCKWORK),
    .metavar = "T1,T2,…", .weights_key = "recur.periods", .list = &periods_list },
  { "epochs", U, TRAIN, OFF (train.epochs), 1, 1000000, SWEEP,
    .cells = GRADIENT, .label = N_("Epochs"),
    .description = N_("The most passes over the training windows"), .short_name = 'e',
    .metavar = "N", .soft_lo = 1, .soft_hi = 100000, .step = 1 },
  { "batch", U, TRAIN, OFF (train.batch_size), 1, 65536, SWEEP,
    .cells = GRADIENT, .label = N_("Batch size"),
    .description = N_("How many windows each gradient step averages over"), .short_name = 'b',
    .metavar = "N", .soft_lo = 1, .soft_hi = 4096, .step = 1 },
  { "optimizer", C, TRAIN, OFF (train.optimizer.kind), .flags = SWEEP, CHOICES (optimizer),
    .cells = GRADIENT, .label = N_("Optimiser"),
    .description = N_("The rule that turns gradients into weight updates"),
    .metavar = N_("NAME") },
  { "lr", D, TRAIN, OFF (train.optimizer.lr), 0, G_MAXDOUBLE, LO_OPEN | SWEEP |
    RECUR_SETTING_LOG_SCALE, .cells = GRADIENT, .label = N_("Learning rate"),
    .description = N_("Size of each update"), .metavar = "X", .soft_lo = 1e-5, .soft_hi = 10,
    .step = 1e-5, .digits = 5 },
  { "momentum", D, TRAIN, OFF (train.optimizer.momentum), 0, 1, HI_OPEN | SWEEP,
    .cells = GRADIENT, .label = N_("Momentum"),
    .description = N_("Share of the previous update carried into the next one"),
    .optimizers = OPT (SGD) | OPT (RMSPROP), .metavar = "X", .soft_lo = 0, .soft_hi = 0.99,
    .step = 0.01, .digits = 2 },
  { "nesterov", B, TRAIN, OFF (train.optimizer.nesterov),
    .cells = GRADIENT, .label = N_("Nesterov"),
    .description = N_("Take the gradient after the momentum step (needs momentum)"),
    .optimizers = OPT (SGD) },
  { "beta1", D, TRAIN, OFF (train.optimizer.beta1), 0, 1, HI_OPEN | ADVANCED,
    .cells = GRADIENT, .label = N_("β₁"),
    .description = N_("Decay of Adam’s running mean of the gradient"),
    .optimizers = OPT (ADAM) | OPT (ADAMW), .metavar = "X", .soft_lo = 0, .soft_hi = 0.999,
    .step = 0.01, .digits = 3 },
  { "beta2", D, TRAIN, OFF (train.optimizer.beta2), 0, 1, HI_OPEN | ADVANCED,
    .cells = GRADIENT, .label = N_("β₂"),
    .description = N_("Decay of Adam’s running mean of the squared gradient"),
    .optimizers = OPT (ADAM) | OPT (ADAMW), .metavar = "X", .soft_lo = 0, .soft_hi = 0.9999,
    .step = 0.001, .digits = 4 },
  { "eps", D, TRAIN, OFF (train.optimizer.eps), 0, 1,
    LO_OPEN | RECUR_SETTING_LOG_SCALE | ADVANCED,
    .cells = GRADIENT, .label = N_("ε"),
    .description = N_("Added to the denominator of Adam’s and RMSprop’s steps"),
    .optimizers = OPT (ADAM) | OPT (ADAMW) | OPT (RMSPROP), .metavar = "X", .soft_lo = 1e-12,
    .soft_hi = 1e-2, .digits = 1 },
  { "alpha", D, TRAIN, OFF (train.optimizer.alpha), 0, 1, ADVANCED,
    .cells = GRADIENT, .label = N_("α"),
    .description = N_("Decay of RMSprop’s running mean of the squared gradient"),
    .optimizers = OPT (RMSPROP), .metavar = "X", .soft_lo = 0, .soft_hi = 1, .step = 0.01,
    .digits = 3 },
  { "weight-decay", D, TRAIN, OFF (train.optimizer.weight_decay), 0, G_MAXDOUBLE, SWEEP,
    .cells = GRADIENT, .label = N_("Weight decay"),
    .description = N_("Pulls the weights towards zero: decoupled for AdamW, an L2 penalty for "
                      "the others"), .metavar = "X", .soft_lo = 0, .soft_hi = 1, .step = 0.001,
    .digits = 4 },
  { "clip", D, TRAIN, OFF (train.clip), 0, G_MAXDOUBLE, SWEEP,
    .cells = GRADIENT, .label = N_("Gradient clipping"),
    .description = N_("Largest gradient norm allowed, against exploding gradients; 0 turns "
                      "clipping off"), .metavar = "X", .soft_lo = 0, .soft_hi = 100, .step = 0.1,
    .digits = 2 },
  { "loss", C, TRAIN, OFF (train.loss), .flags = SWEEP, CHOICES (loss), .cells = GRADIENT,
    .label = N_("Loss"),
    .description = N_("The error training minimises: MSE weighs large misses most, MAE weighs "
                      "all alike, Huber is in between"), .metavar = N_("NAME") },
  { "truncate", U, TRAIN, OFF (train.truncate), 0, 100000, SWEEP,
    .cells = GRADIENT, .label = N_("Truncated BPTT"),
    .description = N_("Backpropagate through at most this many time steps; 0 uses the whole "
                      "window"), .metavar = "N", .soft_lo = 0, .soft_hi = 1000, .step = 1 },
  { "schedule", C, TRAIN, OFF (train.schedule), .flags = SWEEP, CHOICES (schedule),
    .cells = GRADIENT, .label = N_("Schedule"),
    .description = N_("How the learning rate changes while training"),
    .metavar = N_("NAME") },
  { "step-size", U, TRAIN, OFF (train.step_size), 1, 1000000,
    .cells = GRADIENT, .label = N_("Decay every"),
    .description = N_("Epochs between two decays of the learning rate"),
    .schedules = SCHED (STEP), .metavar = "N", .soft_lo = 1, .soft_hi = 100000, .step = 1 },
  { "gamma", D, TRAIN, OFF (train.gamma), 0, 1, LO_OPEN,
    .cells = GRADIENT, .label = N_("Decay factor"),
    .description = N_("What each decay multiplies the learning rate by"),
    .schedules = SCHED (STEP) | SCHED (PLATEAU), .metavar = "X", .soft_lo = 0.01, .soft_hi = 1,
    .step = 0.05, .digits = 2 },
  { "plateau-patience", U, TRAIN, OFF (train.plateau_patience), 0, 1000000,
    .cells = GRADIENT, .label = N_("Plateau patience"),
    .description = N_("Epochs without improvement before the learning rate decays"),
    .schedules = SCHED (PLATEAU), .metavar = "N", .soft_lo = 0, .soft_hi = 10000, .step = 1 },
  { "patience", U, TRAIN, OFF (train.patience), 0, 1000000, SWEEP,
    .cells = GRADIENT, .label = N_("Early stopping"),
    .description = N_("Stop after this many epochs without a better validation loss; 0 trains "
                      "every epoch"), .metavar = "N", .soft_lo = 0, .soft_hi = 10000, .step = 1 },
  { "seed", RECUR_SETTING_SEED, TRAIN, OFF (train.seed), 0, (double) G_MAXUINT64, SWEEP,
    .label = N_("Seed"),
    .description = N_("Seeds the initial weights, the shuffling and dropout: the same seed "
                      "repeats a run"), .short_name = 's', .metavar = "N",
    .weights_key = "recur.seed", .soft_lo = 0, .soft_hi = 2147483648.0, .step = 1 },
  /* no weights key: a file of members says how many it holds (recur-model-io.c) */
  { "ensemble", U, TRAIN, OFF (ensemble), 1, 1000, SWEEP, .label = N_("Ensemble"),
    .description = N_("Train this many networks, from the seed, the seed + 1, …, at once on "
                      "the cores, and forecast the median of their forecasts"),
    .metavar = "N", .soft_lo = 1, .soft_hi = 100, .step = 1 },
  /* no weights key either: the file keeps each member's window (recur-model-io.c) */
  { "ensemble-windows", RECUR_SETTING_LIST, TRAIN, OFF (ensemble_windows),
    .flags = RECUR_SETTING_MEMBERS, .label = N_("Member windows"),
    .description = N_("The ensemble’s members read windows of these lengths in turn, each the "
                      "last points of the window (e.g. 12,24,36 with a window of 36), as N-BEATS "
                      "does; none: every member reads the whole window"),
    .metavar = "W1,W2,…", .default_text = N_("none"), .list = &ensemble_windows_list },
};

#define FIELD(config, type, s) G_STRUCT_MEMBER (type, config, (s)->offset)
/* The longest list a LIST setting holds */
#define MAX_LIST 16
G_STATIC_ASSERT (RECUR_MAX_PERIODS <= MAX_LIST && RECUR_MAX_ENSEMBLE_WINDOWS <= MAX_LIST);

static guint
list_count (const RecurSetting   *setting,
            const RecurJobConfig *config)
{
  return G_STRUCT_MEMBER (guint, config, setting->list->count_offset);
}

static const guint *
list_values (const RecurSetting   *setting,
             const RecurJobConfig *config)
{
  return &FIELD (config, guint, setting);
}

static char **const *
names_field (const RecurSetting   *setting,
             const RecurJobConfig *config)
{
  return &FIELD (config, char **, setting);
}

/* "a,b", each comma and backslash inside a name escaped with a backslash. */
static char *
names_to_text (char *const *names)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; names && names[i]; i++)
    {
      if (i)
        g_string_append_c (text, ',');
      for (const char *c = names[i]; *c; c++)
        {
          if (*c == ',' || *c == '\\')
            g_string_append_c (text, '\\');
          g_string_append_c (text, *c);
        }
    }
  return g_string_free (text, FALSE);
}

/* The names of "a,b" (NULL for ""), or FALSE for an empty name ("a,,b") or a lone trailing
 * backslash. */
static gboolean
names_from_text (const char   *text,
                 char       ***names)
{
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) name = g_string_new (NULL);

  *names = NULL;
  if (*text == '\0')
    return TRUE;
  for (const char *c = text;; c++)
    {
      if (*c == '\\')
        {
          if (*++c == '\0')
            return FALSE;
          g_string_append_c (name, *c);
        }
      else if (*c == ',' || *c == '\0')
        {
          if (name->len == 0)
            return FALSE;
          g_ptr_array_add (list, g_strdup (name->str));
          g_string_truncate (name, 0);
          if (*c == '\0')
            break;
        }
      else
        g_string_append_c (name, *c);
    }
  g_ptr_array_add (list, NULL);
  *names = (char **) g_ptr_array_free (g_steal_pointer (&list), FALSE);
  return TRUE;
}

static void
set_names (const RecurSetting *setting,
           char              **names, /* taken */
           RecurJobConfig     *config)
{
  g_strfreev (FIELD (config, char **, setting));
  FIELD (config, char **, setting) = names;
}

const RecurSetting *
recur_settings_list (guint *n)
{
  *n = G_N_ELEMENTS (settings);
  return settings;
}

const RecurSetting *
recur_settings_find (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (settings); i++)
    if (g_strcmp0 (settings[i].name, name) == 0 || g_strcmp0 (settings[i].alias, name) == 0)
      return &settings[i];
  return NULL;
}

gboolean
recur_setting_is_alias (const RecurSetting *setting,
                        const char         *name)
{
  return setting->alias && g_strcmp0 (setting->alias, name) == 0;
}

/* ---- where it applies ---------------------------------------------------------------------- */

gboolean
recur_setting_applies_to_cell (const RecurSetting *setting,
                               RecurCellKind       cell)
{
  return setting->cells == 0 || (setting->cells & (1u << cell)) != 0;
}

gboolean
recur_setting_is_cell_only (const RecurSetting *setting)
{
  return setting->cells != 0 && (setting->cells & (setting->cells - 1)) == 0;
}

gboolean
recur_setting_applies (const RecurSetting   *setting,
                       const RecurJobConfig *config)
{
  if (!recur_setting_applies_to_cell (setting, config->model.cell))
    return FALSE;
  if (setting->optimizers && !(setting->optimizers & (1u << config->train.optimizer.kind)))
    return FALSE;
  if (setting->schedules && !(setting->schedules & (1u << config->train.schedule)))
    return FALSE;
  if ((setting->flags & RECUR_SETTING_STACKED) && config->model.num_layers < 2)
    return FALSE;
  if ((setting->flags & RECUR_SETTING_MEMBERS) && config->ensemble < 2)
    return FALSE;
  if ((setting->flags & RECUR_SETTING_GIVEN_BOX_COX)
      && config->transform.box_cox != RECUR_BOX_COX_GIVEN)
    return FALSE;
  return TRUE;
}

/* ---- values ------------------------------------------------------------------------------- */

double
recur_setting_get_number (const RecurSetting   *setting,
                          const RecurJobConfig *config)
{
  switch (setting->kind)
    {
    case RECUR_SETTING_UINT:
    case RECUR_SETTING_CHOICE:
      return FIELD (config, guint, setting);
    case RECUR_SETTING_DOUBLE:
      return FIELD (config, double, setting);
    case RECUR_SETTING_FLOAT:
      return FIELD (config, float, setting);
    case RECUR_SETTING_BOOL:
      return FIELD (config, gboolean, setting) ? 1 : 0;
    case RECUR_SETTING_SEED:
      return (double) FIELD (config, guint64, setting);
    case RECUR_SETTING_COLUMN:
    case RECUR_SETTING_LIST:
    case RECUR_SETTING_NAMES:
    default:
      return NAN;
    }
}

/* The float's shortest decimal as a double, so "dropout": 0.1 is written rather than the
 * float's exact 0.10000000149011612; reading it back gives the same float. */
static double
float_as_decimal (float v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 1; digits < 9; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, format, v);
      if ((float) g_ascii_strtod (buf, NULL) == v)
        return g_ascii_strtod (buf, NULL);
    }
  return v;
}

char *
recur_setting_format_value (const RecurSetting   *setting,
                            const RecurJobConfig *config)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (setting->kind)
    {
    case RECUR_SETTING_UINT:
      return g_strdup_printf ("%u", FIELD (config, guint, setting));
    case RECUR_SETTING_DOUBLE:
      recur_format_double (buf, sizeof buf, FIELD (config, double, setting));
      return g_strdup (buf);
    case RECUR_SETTING_FLOAT:
      recur_format_double (buf, sizeof buf, float_as_decimal (FIELD (config, float, setting)));
      return g_strdup (buf);
    case RECUR_SETTING_BOOL:
      return g_strdup (FIELD (config, gboolean, setting) ? "true" : "false");
    case RECUR_SETTING_CHOICE:
      return g_strdup (setting->choices[FIELD (config, guint, setting)]);
    case RECUR_SETTING_SEED:
      return g_strdup_printf ("%" PRIu64, FIELD (config, guint64, setting));
    case RECUR_SETTING_COLUMN:
      return g_strdup (config->column ? config->column : "");
    case RECUR_SETTING_LIST:
      return recur_periods_to_string (list_values (setting, config),
                                      list_count (setting, config));
    case RECUR_SETTING_NAMES:
      return names_to_text (*names_field (setting, config));
    default:
      g_assert_not_reached ();
    }
}

/* The defaults of a configuration with this cell and optimiser, as a job starts from. */
static void
init_defaults (RecurJobConfig     *config,
               RecurCellKind       cell,
               RecurOptimizerKind  optimizer)
{
  recur_job_config_init (config);
  recur_model_spec_init_for_cell (&config->model, cell);
  recur_optimizer_spec_init (&config->train.optimizer, optimizer, config->train.optimizer.lr);
}

/* Appends ", esn 100" for each cell (or optimiser) whose default differs from the first's. */
static void
append_exceptions (GString            *text,
                   const RecurSetting *setting,
                   const char         *base,
                   gboolean            by_cell)
{
  guint n = by_cell ? RECUR_N_CELLS : RECUR_OPTIMIZER_RMSPROP + 1;

  for (guint i = 0; i < n; i++)
    {
      RecurJobConfig config;
      g_autofree char *value = NULL;

      if (by_cell && (!recur_setting_applies_to_cell (setting, i)
                      || setting->choices == cell_names))
        continue;
      if (!by_cell && setting->choices == optimizer_names)
        continue;
      if (!by_cell && setting->optimizers && !(setting->optimizers & (1u << i)))
        continue;
      init_defaults (&config, by_cell ? i : RECUR_CELL_LSTM,
                     by_cell ? RECUR_OPTIMIZER_ADAM : i);
      value = recur_setting_format_value (setting, &config);
      if (!g_str_equal (value, base))
        g_string_append_printf (text, ", %s %s", by_cell ? cell_names[i] : optimizer_names[i],
                                value);
      recur_job_config_clear (&config);
    }
}

char *
recur_setting_format_default (const RecurSetting *setting)
{
  RecurJobConfig config;
  g_autofree char *base = NULL;
  GString *text;

  if (setting->default_text)
    return g_strdup (_(setting->default_text));
  recur_job_config_init (&config);
  base = recur_setting_format_value (setting, &config);
  recur_job_config_clear (&config);
  text = g_string_new (base);
  append_exceptions (text, setting, base, TRUE);
  append_exceptions (text, setting, base, FALSE);
  return g_string_free (text, FALSE);
}

/* ---- ranges and messages ------------------------------------------------------------------- */

gboolean
recur_setting_in_range (const RecurSetting *setting,
                        double              v)
{
  if (!isfinite (v))
    return FALSE;
  if ((setting->flags & LO_OPEN) ? v <= setting->lo : v < setting->lo)
    return FALSE;
  return (setting->flags & HI_OPEN) ? v < setting->hi : v <= setting->hi;
}

char *
recur_setting_format_range (const RecurSetting *setting)
{
  const char *lo_op = (setting->flags & LO_OPEN) ? "<" : "≤";
  const char *hi_op = (setting->flags & HI_OPEN) ? "<" : "≤";

  switch (setting->kind)
    {
    case RECUR_SETTING_UINT:
    case RECUR_SETTING_DOUBLE:
    case RECUR_SETTING_FLOAT:
      break;
    default:
      return NULL;
    }
  if (setting->hi == G_MAXDOUBLE)
    return g_strdup_printf ("%s %s %g", setting->name,
                            (setting->flags & LO_OPEN) ? ">" : "≥", setting->lo);
  return g_strdup_printf ("%g %s %s %s %g", setting->lo, lo_op, setting->name, hi_op,
                          setting->hi);
}

/* "“hidden”: 0 is out of range (1 ≤ hidden ≤ 8192)" for a file;
 * "--hidden must be at least 1, not 0 (1 ≤ hidden ≤ 8192)" for an option. */
static gboolean
range_error (const RecurSetting  *setting,
             double               v,
             const char          *option,
             GError             **error)
{
  g_autofree char *range = recur_setting_format_range (setting);

  if (option == NULL)
    g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
                 _("“%s”: %g is out of range (%s)"), setting->name, v, range);
  else if (isnan (v) || v < setting->lo || (v == setting->lo && (setting->flags & LO_OPEN)))
    g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
                 (setting->flags & LO_OPEN) ? _("%s must be greater than %g, not %g (%s)")
                                            : _("%s must be at least %g, not %g (%s)"),
                 option, setting->lo, v, range);
  else
    g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
                 (setting->flags & HI_OPEN) ? _("%s must be less than %g, not %g (%s)")
                                            : _("%s must be at most %g, not %g (%s)"),
                 option, setting->hi, v, range);
  return FALSE;
}

static gboolean
check_range (const RecurSetting  *setting,
             double               v,
             const char          *option,
             GError             **error)
{
  return recur_setting_in_range (setting, v) || range_error (setting, v, option, error);
}

/* "“optimizer”: unknown value “adagrad” (choose adam, adamw, sgd, rmsprop)", or with
 * "--optimizer" for an option. */
static gboolean
choice_error (const RecurSetting  *setting,
              const char          *text,
              const char          *option,
              GError             **error)
{
  g_autofree char *choices = g_strjoinv (", ", (char **) setting->choices);
  g_autofree char *where = option ? g_strdup (option) : g_strdup_printf ("“%s”", setting->name);

  g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
               _("%s: unknown value “%s” (choose %s)"), where, text, choices);
  return FALSE;
}

/* "“hidden”: expected an integer", or "cannot read “many” for --hidden: expected an integer" */
static gboolean
type_error (const RecurSetting  *setting,
            const char          *text,
            const char          *expected,
            const char          *option,
            GError             **error)
{
  if (option == NULL)
    g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_TYPE,
                 _("“%s”: expected %s"), setting->name, expected);
  else
    g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_TYPE,
                 _("cannot read “%s” for %s: expected %s"), text, option, expected);
  return FALSE;
}

static gboolean
list_error (const RecurSetting  *setting,
            const char          *option,
            GError             **error)
{
  g_autofree char *where = option ? g_strdup (option) : g_strdup_printf ("“%s”", setting->name);

  g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
               _(setting->list->invalid), where, setting->list->max_count);
  return FALSE;
}

static gboolean
check_list (const RecurSetting  *setting,
            const guint         *v,
            guint                n,
            const char          *option,
            GError             **error)
{
  const RecurSettingList *l = setting->list;
  gboolean ok = n >= l->min_count && n <= l->max_count;

  for (guint i = 0; ok && i < n; i++)
    ok = v[i] >= l->lo && v[i] <= l->hi && (!l->non_decreasing || i == 0 || v[i] >= v[i - 1]);
  return ok || list_error (setting, option, error);
}

gboolean
recur_setting_validate (const RecurSetting   *setting,
                        const RecurJobConfig *config,
                        GError              **error)
{
  switch (setting->kind)
    {
    case RECUR_SETTING_UINT:
    case RECUR_SETTING_DOUBLE:
    case RECUR_SETTING_FLOAT:
      return check_range (setting, recur_setting_get_number (setting, config), NULL, error);
    case RECUR_SETTING_CHOICE:
      if (FIELD (config, guint, setting) < g_strv_length ((char **) setting->choices))
        return TRUE;
      g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
                   _("“%s”: unknown value %u"), setting->name, FIELD (config, guint, setting));
      return FALSE;
    case RECUR_SETTING_LIST:
      return check_list (setting, list_values (setting, config), list_count (setting, config),
                         NULL, error);
    case RECUR_SETTING_BOOL:
    case RECUR_SETTING_SEED:
    case RECUR_SETTING_COLUMN:
    case RECUR_SETTING_NAMES:
    default:
      return TRUE;
    }
}

/* ---- setting a value ------------------------------------------------------------------------ */

/* Stores a number already checked against the range. */
static void
store_number (const RecurSetting *setting,
              double              v,
              RecurJobConfig     *config)
{
  if (setting->kind == RECUR_SETTING_UINT)
    FIELD (config, guint, setting) = (guint) v;
  else if (setting->kind == RECUR_SETTING_FLOAT)
    FIELD (config, float, setting) = (float) v;
  else
    FIELD (config, double, setting) = v;
}

static gboolean
set_number (const RecurSetting  *setting,
            double               v,
            const char          *option,
            RecurJobConfig      *config,
            GError             **error)
{
  if (setting->kind == RECUR_SETTING_FLOAT)
    v = (float) v; /* check what will be stored: 0.99999999999 is 1.0f */
  if (!check_range (setting, v, option, error))
    return FALSE;
  store_number (setting, v, config);
  return TRUE;
}

static gboolean
set_choice (const RecurSetting  *setting,
            const char          *text,
            const char          *option,
            RecurJobConfig      *config,
            GError             **error)
{
  if (setting->choices == cell_names)
    {
      RecurCellKind cell;

      if (recur_cell_from_option (text, &cell))
        {
          config->model.cell = cell;
          return TRUE;
        }
    }
  else
    for (guint i = 0; setting->choices[i]; i++)
      if (g_str_equal (text, setting->choices[i]))
        {
          FIELD (config, guint, setting) = i;
          return TRUE;
        }
  return choice_error (setting, text, option, error);
}

static gboolean
set_list (const RecurSetting  *setting,
          const guint         *v,
          guint                n,
          const char          *option,
          RecurJobConfig      *config,
          GError             **error)
{
  if (!check_list (setting, v, n, option, error))
    return FALSE;
  memcpy (&FIELD (config, guint, setting), v, n * sizeof (guint));
  G_STRUCT_MEMBER (guint, config, setting->list->count_offset) = n;
  return TRUE;
}

/* "12,24,36" (spaces allowed), or nothing ("" or "none"): at most max integers are stored, n
 * counts them all; FALSE if not integers. */
static gboolean
parse_list (const char *text,
            guint       max,
            guint      *v,
            guint      *n)
{
  g_auto(GStrv) parts = NULL;

  *n = 0;
  if (text[strspn (text, " \t")] == '\0' || g_str_equal (text, "none"))
    return TRUE;
  parts = g_strsplit (text, ",", -1);
  for (guint i = 0; parts[i]; i++)
    {
      guint64 x;

      if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 0, G_MAXUINT, &x, NULL))
        return FALSE;
      if (*n < max)
        v[*n] = (guint) x;
      (*n)++;
    }
  return TRUE;
}

static gboolean
set_column (const char     *text,
            RecurJobConfig *config)
{
  g_free (config->column);
  config->column = g_strdup (text);
  return TRUE;
}

static gboolean
parse_seed (const RecurSetting  *setting,
            const char          *text,
            const char          *option,
            RecurJobConfig      *config,
            GError             **error)
{
  guint64 seed;

  if (g_ascii_string_to_unsigned (text, 10, 0, G_MAXUINT64, &seed, NULL))
    {
      FIELD (config, guint64, setting) = seed;
      return TRUE;
    }
  if (option)
    g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_TYPE,
                 _("%s must be a whole number from 0 to %" PRIu64 ", not “%s”"), option,
                 G_MAXUINT64, text);
  else
    type_error (setting, text, _("an integer from 0 to 18446744073709551615"), NULL, error);
  return FALSE;
}

static gboolean
parse_number (const RecurSetting  *setting,
              const char          *text,
              const char          *option,
              RecurJobConfig      *config,
              GError             **error)
{
  double v;

  if (setting->kind == RECUR_SETTING_UINT)
    {
      gint64 n;

      if (!g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &n, NULL))
        return type_error (setting, text, _("an integer"), option, error);
      v = (double) n;
    }
  else
    {
      char *end = NULL;

      v = g_ascii_strtod (text, &end);
      if (*text == '\0' || end == NULL || *end != '\0' || g_ascii_isspace (*text))
        return type_error (setting, text, _("a number"), option, error);
    }
  return set_number (setting, v, option, config, error);
}

gboolean
recur_setting_parse (const RecurSetting  *setting,
                     const char          *text,
                     const char          *option,
                     RecurJobConfig      *config,
                     GError             **error)
{
  g_return_val_if_fail (setting != NULL && text != NULL && config != NULL, FALSE);

  switch (setting->kind)
    {
    case RECUR_SETTING_UINT:
    case RECUR_SETTING_DOUBLE:
    case RECUR_SETTING_FLOAT:
      return parse_number (setting, text, option, config, error);
    case RECUR_SETTING_BOOL:
      if (g_str_equal (text, "true") || g_str_equal (text, "false"))
        {
          FIELD (config, gboolean, setting) = g_str_equal (text, "true");
          return TRUE;
        }
      return type_error (setting, text, _("true or false"), option, error);
    case RECUR_SETTING_CHOICE:
      return set_choice (setting, text, option, config, error);
    case RECUR_SETTING_SEED:
      return parse_seed (setting, text, option, config, error);
    case RECUR_SETTING_COLUMN:
      return set_column (text, config);
    case RECUR_SETTING_LIST:
      {
        guint v[MAX_LIST];
        guint n = 0;

        if (!parse_list (text, G_N_ELEMENTS (v), v, &n))
          return type_error (setting, text, _(setting->list->expected), option, error);
        if (n > setting->list->max_count)
          return list_error (setting, option, error);
        return set_list (setting, v, n, option, config, error);
      }
    case RECUR_SETTING_NAMES:
      {
        char **names;

        if (!names_from_text (text, &names))
          return type_error (setting, text,
                             _("column names separated by commas, such as “a,b”"), option,
                             error);
        set_names (setting, names, config);
        return TRUE;
      }
    default:
      g_assert_not_reached ();
    }
}

/* ---- JSON ----------------------------------------------------------------------------------- */

void
recur_setting_write_json (const RecurSetting   *setting,
                          const RecurJobConfig *config,
                          JsonBuilder          *b)
{
  switch (setting->kind)
    {
    case RECUR_SETTING_UINT:
      json_builder_add_int_value (b, FIELD (config, guint, setting));
      break;
    case RECUR_SETTING_DOUBLE:
      json_builder_add_double_value (b, FIELD (config, double, setting));
      break;
    case RECUR_SETTING_FLOAT:
      json_builder_add_double_value (b, float_as_decimal (FIELD (config, float, setting)));
      break;
    case RECUR_SETTING_BOOL:
      json_builder_add_boolean_value (b, FIELD (config, gboolean, setting));
      break;
    case RECUR_SETTING_CHOICE:
      json_builder_add_string_value (b, setting->choices[FIELD (config, guint, setting)]);
      break;
    case RECUR_SETTING_SEED:
      recur_json_add_uint64 (b, FIELD (config, guint64, setting));
      break;
    case RECUR_SETTING_COLUMN:
      if (config->column)
        json_builder_add_string_value (b, config->column);
      else
        json_builder_add_null_value (b);
      break;
    case RECUR_SETTING_LIST:
      json_builder_begin_array (b);
      for (guint i = 0; i < list_count (setting, config); i++)
        json_builder_add_int_value (b, list_values (setting, config)[i]);
      json_builder_end_array (b);
      break;
    case RECUR_SETTING_NAMES:
      json_builder_begin_array (b);
      for (char *const *name = *names_field (setting, config); name && *name; name++)
        json_builder_add_string_value (b, *name);
      json_builder_end_array (b);
      break;
    default:
      g_assert_not_reached ();
    }
}

static gboolean
value_of_type (JsonNode *node,
               GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* A node's text for an option's message: its value, or its JSON. */
static char *
node_text (JsonNode *node)
{
  if (value_of_type (node, G_TYPE_STRING))
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

static gboolean
read_json_error (const RecurSetting  *setting,
                 JsonNode            *node,
                 const char          *expected,
                 const char          *option,
                 GError             **error)
{
  g_autofree char *text = node_text (node);

  return type_error (setting, text, expected, option, error);
}

static gboolean
read_number (const RecurSetting  *setting,
             JsonNode            *node,
             const char          *option,
             RecurJobConfig      *config,
             GError             **error)
{
  double v;

  if (setting->kind == RECUR_SETTING_UINT)
    {
      if (!value_of_type (node, G_TYPE_INT64))
        return read_json_error (setting, node, _("an integer"), option, error);
      v = (double) json_node_get_int (node);
    }
  else if (value_of_type (node, G_TYPE_DOUBLE) || value_of_type (node, G_TYPE_INT64))
    v = json_node_get_double (node);
  else
    return read_json_error (setting, node, _("a number"), option, error);
  return set_number (setting, v, option, config, error);
}

static gboolean
read_list (const RecurSetting  *setting,
           JsonNode            *node,
           const char          *option,
           RecurJobConfig      *config,
           GError             **error)
{
  const RecurSettingList *l = setting->list;
  guint v[MAX_LIST];
  JsonArray *array;
  guint n;

  if (value_of_type (node, G_TYPE_STRING)) /* "1,2,4,8" as --periods takes it */
    return recur_setting_parse (setting, json_node_get_string (node), option, config, error);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return read_json_error (setting, node, _(l->json_expected), option, error);
  array = json_node_get_array (node);
  n = json_array_get_length (array);
  if (n > l->max_count)
    return list_error (setting, option, error);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!value_of_type (item, G_TYPE_INT64) || json_node_get_int (item) < l->lo
          || json_node_get_int (item) > l->hi)
        return list_error (setting, option, error);
      v[i] = (guint) json_node_get_int (item);
    }
  return set_list (setting, v, n, option, config, error);
}

static gboolean
read_names (const RecurSetting  *setting,
            JsonNode            *node,
            const char          *option,
            RecurJobConfig      *config,
            GError             **error)
{
  const char *expected = _("a list of column names such as [\"a\", \"b\"]");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  JsonArray *array;

  if (value_of_type (node, G_TYPE_STRING)) /* "a,b" as --inputs takes it */
    return recur_setting_parse (setting, json_node_get_string (node), option, config, error);
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return read_json_error (setting, node, expected, option, error);
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);

      if (!value_of_type (item, G_TYPE_STRING) || *json_node_get_string (item) == '\0')
        return read_json_error (setting, node, expected, option, error);
      g_ptr_array_add (names, g_strdup (json_node_get_string (item)));
    }
  if (names->len == 0)
    {
      set_names (setting, NULL, config);
      return TRUE;
    }
  g_ptr_array_add (names, NULL);
  set_names (setting, (char **) g_ptr_array_free (g_steal_pointer (&names), FALSE), config);
  return TRUE;
}

gboolean
recur_setting_read_json (const RecurSetting  *setting,
                         JsonNode            *node,
                         const char          *option,
                         RecurJobConfig      *config,
                         GError             **error)
{
  g_return_val_if_fail (setting != NULL && node != NULL && config != NULL, FALSE);

  switch (setting->kind)
    {
    case RECUR_SETTING_UINT:
    case RECUR_SETTING_DOUBLE:
    case RECUR_SETTING_FLOAT:
      return read_number (setting, node, option, config, error);
    case RECUR_SETTING_BOOL:
      if (!value_of_type (node, G_TYPE_BOOLEAN))
        return read_json_error (setting, node, _("true or false"), option, error);
      FIELD (config, gboolean, setting) = json_node_get_boolean (node);
      return TRUE;
    case RECUR_SETTING_CHOICE:
      if (!value_of_type (node, G_TYPE_STRING))
        return read_json_error (setting, node, _("a string"), option, error);
      return set_choice (setting, json_node_get_string (node), option, config, error);
    case RECUR_SETTING_SEED:
      if (value_of_type (node, G_TYPE_INT64) && json_node_get_int (node) >= 0)
        {
          FIELD (config, guint64, setting) = (guint64) json_node_get_int (node);
          return TRUE;
        }
      if (value_of_type (node, G_TYPE_STRING))
        return parse_seed (setting, json_node_get_string (node), option, config, error);
      return read_json_error (setting, node, _("an integer from 0 to 18446744073709551615"),
                              option, error);
    case RECUR_SETTING_COLUMN:
      if (JSON_NODE_HOLDS_NULL (node))
        return TRUE;
      if (!value_of_type (node, G_TYPE_STRING))
        return read_json_error (setting, node, _("a string or null"), option, error);
      return set_column (json_node_get_string (node), config);
    case RECUR_SETTING_LIST:
      return read_list (setting, node, option, config, error);
    case RECUR_SETTING_NAMES:
      return read_names (setting, node, option, config, error);
    default:
      g_assert_not_reached ();
    }
}

/* ---- cell names ----------------------------------------------------------------------------- */

const char *
recur_cell_to_option (RecurCellKind cell)
{
  g_return_val_if_fail (cell < RECUR_N_CELLS, NULL);
  return cell_names[cell];
}

gboolean
recur_cell_from_option (const char    *text,
                        RecurCellKind *cell)
{
  if (g_strcmp0 (text, "rnn-tanh") == 0)
    text = "rnn";
  for (guint i = 0; cell_names[i]; i++)
    if (g_strcmp0 (text, cell_names[i]) == 0)
      {
        *cell = (RecurCellKind) i;
        return TRUE;
      }
  return recur_cell_from_string (text, cell); /* rnn_tanh, rnn_relu: the weights files' names */
}
