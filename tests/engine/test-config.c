/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RecurJobConfig as JSON: every field round-trips exactly, missing fields take their defaults,
 * and each kind of bad input is refused with an error naming the field. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-job.h"
#include "recur-jsonutil.h"

static char *
to_text (const RecurJobConfig *config)
{
  g_autoptr(JsonNode) node = recur_job_config_to_json (config);
  return recur_json_to_data (node, FALSE, NULL);
}

static JsonNode *
parse (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_ref (json_parser_get_root (parser));
}

/* Every field away from its default, with values that test the encoding: a float that is not a
 * short double, a seed above G_MAXINT64, a column needing escapes. */
static void
unusual_config (RecurJobConfig *c)
{
  recur_job_config_init (c);
  c->column = g_strdup ("temp \"°F\", max");
  c->missing = RECUR_MISSING_PREVIOUS;
  c->transform.scaler = RECUR_SCALER_MINMAX;
  c->val_fraction = 0.15;
  c->season = 7;
  c->model.cell = RECUR_CELL_CLOCKWORK;
  c->model.hidden_size = 24;
  c->model.num_layers = 3;
  c->model.bidirectional = TRUE;
  c->model.bias = FALSE;
  c->model.dropout = 0.1f;
  c->model.window = 48;
  c->model.horizon = 6;
  c->model.strategy = RECUR_STRATEGY_RECURSIVE;
  c->model.jordan_feedback = RECUR_JORDAN_FREE;
  c->model.esn = (RecurEsnSpec) { 0.25f, 1.1f, 0.5f, 0.7f, 5, 3e-3 };
  c->model.n_periods = 3;
  memcpy (c->model.periods, (guint[]) { 1, 3, 9 }, 3 * sizeof (guint));
  c->train.epochs = 17;
  c->train.batch_size = 5;
  recur_optimizer_spec_init (&c->train.optimizer, RECUR_OPTIMIZER_SGD, 0.0123);
  c->train.optimizer.momentum = 0.9;
  c->train.optimizer.nesterov = TRUE;
  c->train.optimizer.weight_decay = 1e-5;
  c->train.optimizer.beta1 = 0.8;
  c->train.optimizer.beta2 = 0.99;
  c->train.optimizer.eps = 1e-6;
  c->train.optimizer.alpha = 0.95;
  c->train.loss = RECUR_LOSS_HUBER;
  c->train.clip = 0;
  c->train.truncate = 12;
  c->train.schedule = RECUR_SCHEDULE_PLATEAU;
  c->train.step_size = 9;
  c->train.gamma = 0.3;
  c->train.plateau_patience = 4;
  c->train.patience = 0;
  c->train.seed = G_MAXUINT64 - 2;
  c->ensemble = 4;
  c->n_ensemble_windows = 3;
  memcpy (c->ensemble_windows, (guint[]) { 12, 48, 24 }, 3 * sizeof (guint));
}

/* Field by field, so that a failure says which. */
static void
assert_configs_equal (const RecurJobConfig *a,
                      const RecurJobConfig *b)
{
  const RecurModelSpec *m = &a->model, *n = &b->model;
  const RecurTrainSpec *s = &a->train, *t = &b->train;

  g_assert_cmpstr (a->column, ==, b->column);
  g_assert_cmpint (a->missing, ==, b->missing);
  g_assert_cmpint (a->transform.scaler, ==, b->transform.scaler);
  g_assert_cmpfloat (a->val_fraction, ==, b->val_fraction);
  g_assert_cmpuint (a->season, ==, b->season);
  g_assert_cmpint (m->cell, ==, n->cell);
  g_assert_cmpuint (m->input_size, ==, n->input_size);
  g_assert_cmpuint (m->hidden_size, ==, n->hidden_size);
  g_assert_cmpuint (m->num_layers, ==, n->num_layers);
  g_assert_cmpint (m->bidirectional, ==, n->bidirectional);
  g_assert_cmpint (m->bias, ==, n->bias);
  g_assert_cmpfloat (m->dropout, ==, n->dropout);
  g_assert_cmpuint (m->window, ==, n->window);
  g_assert_cmpuint (m->horizon, ==, n->horizon);
  g_assert_cmpint (m->strategy, ==, n->strategy);
  g_assert_cmpint (m->jordan_feedback, ==, n->jordan_feedback);
  g_assert_cmpmem (&m->esn, sizeof m->esn, &n->esn, sizeof n->esn);
  g_assert_cmpmem (m->periods, m->n_periods * sizeof (guint), n->periods,
                   n->n_periods * sizeof (guint));
  g_assert_cmpuint (a->ensemble, ==, b->ensemble);
  g_assert_cmpmem (a->ensemble_windows, a->n_ensemble_windows * sizeof (guint),
                   b->ensemble_windows, b->n_ensemble_windows * sizeof (guint));
  g_assert_cmpuint (s->epochs, ==, t->epochs);
  g_assert_cmpuint (s->batch_size, ==, t->batch_size);
  g_assert_cmpmem (&s->optimizer, sizeof s->optimizer, &t->optimizer, sizeof t->optimizer);
  g_assert_cmpint (s->loss, ==, t->loss);
  g_assert_cmpfloat (s->clip, ==, t->clip);
  g_assert_cmpuint (s->truncate, ==, t->truncate);
  g_assert_cmpint (s->schedule, ==, t->schedule);
  g_assert_cmpuint (s->step_size, ==, t->step_size);
  g_assert_cmpfloat (s->gamma, ==, t->gamma);
  g_assert_cmpuint (s->plateau_patience, ==, t->plateau_patience);
  g_assert_cmpuint (s->patience, ==, t->patience);
  g_assert_cmpuint (s->seed, ==, t->seed);
}

static void
round_trip (const RecurJobConfig *config)
{
  g_autofree char *text = to_text (config);
  g_autoptr(JsonNode) node = parse (text);
  g_autoptr(GError) error = NULL;
  RecurJobConfig back;

  g_assert_true (recur_job_config_from_json (node, &back, &error));
  g_assert_no_error (error);
  assert_configs_equal (config, &back);
  recur_job_config_clear (&back);
}

static void
test_round_trip_defaults (void)
{
  RecurJobConfig c;

  recur_job_config_init (&c);
  round_trip (&c);
  recur_job_config_clear (&c);
}

static void
test_round_trip_every_field (void)
{
  RecurJobConfig c;

  unusual_config (&c);
  round_trip (&c);
  for (RecurCellKind cell = 0; cell < RECUR_N_CELLS; cell++)
    {
      c.model.cell = cell;
      round_trip (&c);
    }
  recur_job_config_clear (&c);
}

/* People read these files: numbers in their shortest form, names as the options'. */
static void
test_readable_numbers (void)
{
  RecurJobConfig c;
  g_autofree char *text = NULL;

  recur_job_config_init (&c);
  c.model.dropout = 0.1f;
  text = to_text (&c);
  g_assert_nonnull (strstr (text, "\"lr\":0.003,"));
  g_assert_nonnull (strstr (text, "\"dropout\":0.1,"));
  g_assert_nonnull (strstr (text, "\"weight-decay\":0.0,"));
  g_assert_nonnull (strstr (text, "\"model\":\"lstm\""));
  g_assert_nonnull (strstr (text, "\"val-fraction\":0.1,"));
  g_assert_nonnull (strstr (text, "\"periods\":[1,2,4,8]"));
  recur_job_config_clear (&c);
}

static void
test_missing_fields_take_defaults (void)
{
  g_autoptr(JsonNode) empty = parse ("{}");
  g_autoptr(JsonNode) esn = parse ("{\"model\": \"esn\", \"lr\": 0.01}");
  g_autoptr(JsonNode) old = parse ("{\"hidden\": 8, \"model\": \"rnn_relu\", \"periods\": \"1,4\"}");
  g_autoptr(GError) error = NULL;
  RecurJobConfig c, defaults;

  recur_job_config_init (&defaults);
  g_assert_true (recur_job_config_from_json (empty, &c, &error));
  assert_configs_equal (&c, &defaults);
  recur_job_config_clear (&c);

  /* the model's own defaults: an ESN's reservoir */
  g_assert_true (recur_job_config_from_json (esn, &c, &error));
  g_assert_cmpint (c.model.cell, ==, RECUR_CELL_ESN);
  g_assert_cmpuint (c.model.hidden_size, ==, 100);
  g_assert_cmpfloat (c.train.optimizer.lr, ==, 0.01);
  g_assert_cmpuint (c.train.epochs, ==, defaults.train.epochs);
  recur_job_config_clear (&c);

  /* the optimiser's own defaults, whatever the order: AdamW's weight decay unless given */
  {
    g_autoptr(JsonNode) adamw = parse ("{\"lr\": 0.02, \"optimizer\": \"adamw\"}");
    g_autoptr(JsonNode) no_decay = parse ("{\"weight-decay\": 0, \"optimizer\": \"adamw\"}");

    g_assert_true (recur_job_config_from_json (adamw, &c, &error));
    g_assert_cmpint (c.train.optimizer.kind, ==, RECUR_OPTIMIZER_ADAMW);
    g_assert_cmpfloat (c.train.optimizer.weight_decay, ==, 0.01);
    g_assert_cmpfloat (c.train.optimizer.lr, ==, 0.02);
    recur_job_config_clear (&c);
    g_assert_true (recur_job_config_from_json (no_decay, &c, &error));
    g_assert_cmpfloat (c.train.optimizer.weight_decay, ==, 0.0);
    recur_job_config_clear (&c);
  }

  /* the weights files' cell names and --periods' spelling are read too; order does not matter */
  g_assert_true (recur_job_config_from_json (old, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpint (c.model.cell, ==, RECUR_CELL_RNN_RELU);
  g_assert_cmpuint (c.model.hidden_size, ==, 8);
  g_assert_cmpuint (c.model.n_periods, ==, 2);
  recur_job_config_clear (&c);
  recur_job_config_clear (&defaults);

  /* member windows as --ensemble-windows spells them, and none as nothing or "none" */
  {
    g_autoptr(JsonNode) text = parse ("{\"ensemble-windows\": \"12, 36\"}");
    g_autoptr(JsonNode) none = parse ("{\"ensemble-windows\": \"none\"}");

    g_assert_true (recur_job_config_from_json (text, &c, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (c.n_ensemble_windows, ==, 2);
    g_assert_cmpuint (c.ensemble_windows[1], ==, 36);
    /* an ensemble's: one network reads the window */
    g_assert_cmpuint (recur_job_config_member_window (&c, 0), ==, c.model.window);
    c.ensemble = 4;
    g_assert_cmpuint (recur_job_config_member_window (&c, 3), ==, 36);
    g_assert_cmpuint (recur_job_config_member_window (&c, 2), ==, 12);
    recur_job_config_clear (&c);
    g_assert_true (recur_job_config_from_json (none, &c, &error));
    g_assert_cmpuint (c.n_ensemble_windows, ==, 0);
    g_assert_cmpuint (recur_job_config_member_window (&c, 3), ==, c.model.window);
    recur_job_config_clear (&c);
  }
}

typedef struct
{
  const char *json;
  int         code;
  const char *needle;  /* the message names the field and the bad value */
} BadCase;

static void
test_errors_name_the_field (void)
{
  static const BadCase cases[] = {
    { "[1, 2]", RECUR_JOB_CONFIG_ERROR_TYPE, "JSON object" },
    { "{\"hiddden\": 32}", RECUR_JOB_CONFIG_ERROR_UNKNOWN_FIELD, "“hiddden”" },
    { "{\"hidden\": \"32\"}", RECUR_JOB_CONFIG_ERROR_TYPE, "“hidden”: expected an integer" },
    { "{\"hidden\": 32.5}", RECUR_JOB_CONFIG_ERROR_TYPE, "“hidden”" },
    { "{\"hidden\": 0}", RECUR_JOB_CONFIG_ERROR_VALUE, "“hidden”: 0 is out of range (1 ≤ hidden ≤ 8192)" },
    { "{\"dropout\": 1.5}", RECUR_JOB_CONFIG_ERROR_VALUE, "“dropout”: 1.5 is out of range (0 ≤ dropout < 1)" },
    { "{\"dropout\": 0.99999999999}", RECUR_JOB_CONFIG_ERROR_VALUE, "“dropout”" },
    { "{\"lr\": 0}", RECUR_JOB_CONFIG_ERROR_VALUE, "“lr”: 0 is out of range (lr > 0)" },
    { "{\"lr\": null}", RECUR_JOB_CONFIG_ERROR_TYPE, "“lr”: expected a number" },
    { "{\"optimizer\": \"adagrad\"}", RECUR_JOB_CONFIG_ERROR_VALUE, "“optimizer”: unknown value “adagrad” (choose adam, adamw, sgd, rmsprop)" },
    { "{\"model\": \"transformer\"}", RECUR_JOB_CONFIG_ERROR_VALUE, "“model”: unknown value “transformer”" },
    { "{\"bidirectional\": 1}", RECUR_JOB_CONFIG_ERROR_TYPE, "“bidirectional”: expected true or false" },
    { "{\"seed\": -1}", RECUR_JOB_CONFIG_ERROR_TYPE, "“seed”" },
    { "{\"seed\": \"12x\"}", RECUR_JOB_CONFIG_ERROR_TYPE, "“seed”" },
    { "{\"column\": 3}", RECUR_JOB_CONFIG_ERROR_TYPE, "“column”: expected a string or null" },
    { "{\"periods\": [4, 2]}", RECUR_JOB_CONFIG_ERROR_VALUE, "“periods”" },
    { "{\"periods\": [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536]}", RECUR_JOB_CONFIG_ERROR_VALUE, "“periods”" },
    { "{\"version\": 3, \"hidden\": 8}", RECUR_JOB_CONFIG_ERROR_VERSION, "version 3" },
    { "{\"val-fraction\": 1}", RECUR_JOB_CONFIG_ERROR_VALUE, "“val-fraction”" },
    { "{\"clip\": -1}", RECUR_JOB_CONFIG_ERROR_VALUE, "“clip”: -1 is out of range (clip ≥ 0)" },
    { "{\"optimizer\": 3}", RECUR_JOB_CONFIG_ERROR_TYPE, "“optimizer”: expected a string" },
    { "{\"periods\": \"1,x\"}", RECUR_JOB_CONFIG_ERROR_TYPE, "“periods”: expected a list of periods" },
    { "{\"periods\": 4}", RECUR_JOB_CONFIG_ERROR_TYPE, "“periods”: expected a list of periods" },
    { "{\"periods\": []}", RECUR_JOB_CONFIG_ERROR_VALUE, "“periods”: expected 1 to 16" },
    { "{\"periods\": [1, \"2\"]}", RECUR_JOB_CONFIG_ERROR_VALUE, "“periods”" },
    { "{\"periods\": [0, 2]}", RECUR_JOB_CONFIG_ERROR_VALUE, "“periods”" },
    { "{\"periods\": [1, 200000]}", RECUR_JOB_CONFIG_ERROR_VALUE, "“periods”" },
    { "{\"ensemble-windows\": [12, 0]}", RECUR_JOB_CONFIG_ERROR_VALUE, "“ensemble-windows”: expected up to 16 window lengths from 1 to 100000" },
    { "{\"ensemble-windows\": \"12;24\"}", RECUR_JOB_CONFIG_ERROR_TYPE, "“ensemble-windows”: expected a list of window lengths" },
    { "{\"ensemble-windows\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17]}", RECUR_JOB_CONFIG_ERROR_VALUE, "“ensemble-windows”" },
    { "{\"version\": \"1\"}", RECUR_JOB_CONFIG_ERROR_TYPE, "“version”: expected a positive integer" },
    { "{\"version\": 0}", RECUR_JOB_CONFIG_ERROR_TYPE, "“version”: expected a positive integer" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse (cases[i].json);
      g_autoptr(GError) error = NULL;
      RecurJobConfig c, defaults;

      g_test_message ("%s", cases[i].json);
      g_assert_false (recur_job_config_from_json (node, &c, &error));
      g_assert_error (error, RECUR_JOB_CONFIG_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
      /* a failed read leaves the defaults, not half a configuration */
      recur_job_config_init (&defaults);
      assert_configs_equal (&c, &defaults);
      recur_job_config_clear (&defaults);
      recur_job_config_clear (&c);
    }
}

static void
test_set_field_and_validate (void)
{
  g_autoptr(JsonNode) good = parse ("64");
  g_autoptr(JsonNode) bad = parse ("[3, 1]");
  g_autoptr(GError) error = NULL;
  RecurJobConfig c;

  recur_job_config_init (&c);
  g_assert_true (recur_job_config_set_field (&c, "hidden", good, &error));
  g_assert_cmpuint (c.model.hidden_size, ==, 64);
  g_assert_false (recur_job_config_set_field (&c, "periods", bad, &error));
  g_assert_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE);
  g_clear_error (&error);
  g_assert_cmpuint (c.model.n_periods, ==, 4); /* unchanged */
  g_assert_cmpuint (c.model.periods[0], ==, 1);
  g_assert_false (recur_job_config_set_field (&c, "nope", good, &error));
  g_assert_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_UNKNOWN_FIELD);
  g_clear_error (&error);

  g_assert_true (recur_job_config_validate (&c, &error));
  c.model.dropout = 2.0f;
  g_assert_false (recur_job_config_validate (&c, &error));
  g_assert_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "“dropout”"));
  g_assert_cmpstrv (recur_job_config_field_choices ("loss"),
                    ((const char *const[]) { "mse", "mae", "huber", NULL }));
  g_assert_null (recur_job_config_field_choices ("hidden"));
  recur_job_config_clear (&c);
}

/* The other spellings read: "rnn-tanh" and the weights files' "rnn_relu" for models, periods as
 * --periods writes them; a configuration that is absent is refused as not an object. */
static void
test_other_spellings (void)
{
  static const struct { const char *json; RecurCellKind cell; } cells[] = {
    { "{\"model\": \"rnn-tanh\"}", RECUR_CELL_RNN_TANH },
    { "{\"model\": \"rnn_relu\"}", RECUR_CELL_RNN_RELU },
  };
  g_autoptr(JsonNode) periods = parse ("{\"model\": \"clockwork\", \"periods\": \"1,2,8\"}");
  g_autoptr(GError) error = NULL;
  RecurJobConfig c;

  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      g_autoptr(JsonNode) node = parse (cells[i].json);
      g_assert_true (recur_job_config_from_json (node, &c, &error));
      g_assert_no_error (error);
      g_assert_cmpint (c.model.cell, ==, cells[i].cell);
      recur_job_config_clear (&c);
    }
  g_assert_true (recur_job_config_from_json (periods, &c, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (c.model.n_periods, ==, 3);
  g_assert_cmpuint (c.model.periods[2], ==, 8);
  recur_job_config_clear (&c);
  g_assert_false (recur_job_config_from_json (NULL, &c, &error));
  g_assert_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_TYPE);
  recur_job_config_clear (&c);
}

/* What validation refuses in a configuration built in code, not read: a number that is not
 * finite, a choice past the list, periods out of order. */
static void
test_validate_built (void)
{
  g_autoptr(GError) error = NULL;
  RecurJobConfig c;

  recur_job_config_init (&c);
  c.train.clip = NAN;
  g_assert_false (recur_job_config_validate (&c, &error));
  g_assert_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "“clip”: nan is out of range"));
  g_clear_error (&error);
  c.train.clip = 1;
  c.train.loss = 7;
  g_assert_false (recur_job_config_validate (&c, &error));
  g_assert_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "“loss”: unknown value 7"));
  g_clear_error (&error);
  c.train.loss = RECUR_LOSS_MAE;
  c.model.n_periods = 2;
  c.model.periods[0] = 4;
  c.model.periods[1] = 2;
  g_assert_false (recur_job_config_validate (&c, &error));
  g_assert_nonnull (strstr (error->message, "“periods”"));
  recur_job_config_clear (&c);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/config/round-trip-defaults", test_round_trip_defaults);
  g_test_add_func ("/engine/config/round-trip-every-field", test_round_trip_every_field);
  g_test_add_func ("/engine/config/readable-numbers", test_readable_numbers);
  g_test_add_func ("/engine/config/missing-fields-take-defaults", test_missing_fields_take_defaults);
  g_test_add_func ("/engine/config/errors-name-the-field", test_errors_name_the_field);
  g_test_add_func ("/engine/config/set-field-and-validate", test_set_field_and_validate);
  g_test_add_func ("/engine/config/other-spellings", test_other_spellings);
  g_test_add_func ("/engine/config/validate-built", test_validate_built);
  return g_test_run ();
}
