/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Sweep specs: grids from lists and ranges, random samples reproducible from their seed, and
 * every kind of bad spec refused with the text at fault. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-sweep.h"

static RecurSweep *
new_sweep (void)
{
  RecurJobConfig base;
  RecurSweep *sweep;

  recur_job_config_init (&base);
  sweep = recur_sweep_new (&base);
  recur_job_config_clear (&base);
  return sweep;
}

static GPtrArray *
expand (RecurSweep *sweep)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *points = recur_sweep_expand (sweep, &error);

  g_assert_no_error (error);
  g_assert_nonnull (points);
  return points;
}

static RecurSweepPoint *
point (GPtrArray *points,
       guint      i)
{
  return g_ptr_array_index (points, i);
}

static void
add_grid (RecurSweep *sweep,
          const char *spec)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (recur_sweep_add_grid (sweep, spec, &error));
  g_assert_no_error (error);
}

static void
test_grid_lists (void)
{
  g_autoptr(RecurSweep) sweep = new_sweep ();
  g_autoptr(GPtrArray) points = NULL;

  add_grid (sweep, "hidden=16,32,64");
  add_grid (sweep, "lr=1e-3, 0.01");
  points = expand (sweep);
  g_assert_cmpuint (points->len, ==, 6);
  /* the first parameter varies slowest */
  g_assert_cmpstr (point (points, 0)->name, ==, "hidden=16 lr=0.001");
  g_assert_cmpstr (point (points, 1)->name, ==, "hidden=16 lr=0.01");
  g_assert_cmpstr (point (points, 5)->name, ==, "hidden=64 lr=0.01");
  g_assert_cmpuint (point (points, 4)->config.model.hidden_size, ==, 64);
  g_assert_cmpfloat (point (points, 4)->config.train.optimizer.lr, ==, 0.001);
  g_assert_cmpuint (point (points, 4)->n_values, ==, 2);
  g_assert_cmpstr (point (points, 4)->values[0].param->name, ==, "hidden");
  g_assert_cmpfloat (point (points, 4)->values[0].number, ==, 64);
  g_assert_cmpstr (point (points, 4)->values[1].text, ==, "0.001");
  /* the rest is the base's */
  g_assert_cmpuint (point (points, 4)->config.model.window, ==, 24);
  g_assert_cmpuint (recur_sweep_get_n_params (sweep), ==, 2);
  g_assert_cmpstr (recur_sweep_get_param (sweep, 1)->name, ==, "lr");
}

static void
test_grid_ranges (void)
{
  g_autoptr(RecurSweep) lr = new_sweep ();
  g_autoptr(RecurSweep) dropout = new_sweep ();
  g_autoptr(RecurSweep) hidden = new_sweep ();
  g_autoptr(GPtrArray) p = NULL;
  g_autoptr(GPtrArray) q = NULL;
  g_autoptr(GPtrArray) r = NULL;
  static const double lrs[] = { 0.001, 0.00316, 0.01, 0.0316, 0.1 };
  static const guint sizes[] = { 8, 11, 16, 23, 32 };

  add_grid (lr, "lr=1e-3:1e-1:log:5");
  p = expand (lr);
  g_assert_cmpuint (p->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpfloat (point (p, i)->config.train.optimizer.lr, ==, lrs[i]);
  g_assert_cmpstr (point (p, 1)->name, ==, "lr=0.00316");

  /* linear is the default, "lin" may be written; rounding makes 0.30000000000000004 0.3
   * (between two layers: with one, dropout does nothing and the sweep is refused) */
  {
    RecurJobConfig two_layers;

    recur_job_config_init (&two_layers);
    two_layers.model.num_layers = 2;
    g_clear_pointer (&dropout, recur_sweep_free);
    dropout = recur_sweep_new (&two_layers);
    recur_job_config_clear (&two_layers);
  }
  add_grid (dropout, "dropout=0:0.4:lin:5");
  q = expand (dropout);
  g_assert_cmpuint (q->len, ==, 5);
  g_assert_cmpfloat (point (q, 3)->config.model.dropout, ==, 0.3f);
  g_assert_cmpstr (point (q, 3)->name, ==, "dropout=0.3");

  /* integers round, and repeats made by rounding are dropped */
  add_grid (hidden, "hidden=8:32:log:5");
  r = expand (hidden);
  g_assert_cmpuint (r->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpuint (point (r, i)->config.model.hidden_size, ==, sizes[i]);
  {
    g_autoptr(RecurSweep) narrow = new_sweep ();
    g_autoptr(GPtrArray) n = NULL;
    add_grid (narrow, "window=8:10:6");
    n = expand (narrow);
    g_assert_cmpuint (n->len, ==, 3);
  }
}

static void
test_choices_and_booleans (void)
{
  g_autoptr(RecurSweep) sweep = new_sweep ();
  g_autoptr(RecurSweep) opt = new_sweep ();
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GPtrArray) opts = NULL;

  add_grid (sweep, "model=lstm,gru,rnn-relu");
  add_grid (sweep, "bidirectional=yes,false");
  points = expand (sweep);
  g_assert_cmpuint (points->len, ==, 6);
  g_assert_cmpstr (point (points, 0)->name, ==, "model=lstm bidirectional=true");
  g_assert_cmpint (point (points, 2)->config.model.cell, ==, RECUR_CELL_GRU);
  g_assert_true (point (points, 2)->config.model.bidirectional);
  g_assert_false (point (points, 5)->config.model.bidirectional);
  g_assert_cmpint (point (points, 5)->config.model.cell, ==, RECUR_CELL_RNN_RELU);

  /* a new optimiser gets its own defaults (AdamW's decay) and keeps the learning rate; the
   * learning rate swept beside it is applied after it */
  add_grid (opt, "lr=0.01,0.02");
  add_grid (opt, "optimizer=adam,adamw");
  opts = expand (opt);
  g_assert_cmpint (point (opts, 1)->config.train.optimizer.kind, ==, RECUR_OPTIMIZER_ADAMW);
  g_assert_cmpfloat (point (opts, 1)->config.train.optimizer.weight_decay, ==, 0.01);
  g_assert_cmpfloat (point (opts, 1)->config.train.optimizer.lr, ==, 0.01);
  g_assert_cmpfloat (point (opts, 0)->config.train.optimizer.weight_decay, ==, 0.0);
  g_assert_cmpfloat (point (opts, 3)->config.train.optimizer.lr, ==, 0.02);
}

static GPtrArray *
random_points (guint64 seed)
{
  g_autoptr(RecurSweep) sweep = new_sweep ();
  g_autoptr(GError) error = NULL;

  g_assert_true (recur_sweep_add_bounds (sweep, "lr=1e-4:1e-1:log", &error));
  g_assert_true (recur_sweep_add_bounds (sweep, "hidden=8:128:int", &error));
  recur_sweep_set_random (sweep, 20, seed);
  return expand (sweep);
}

static void
test_random_is_deterministic (void)
{
  g_autoptr(GPtrArray) a = random_points (7);
  g_autoptr(GPtrArray) b = random_points (7);
  g_autoptr(GPtrArray) c = random_points (8);
  gboolean all_same = TRUE;

  g_assert_cmpuint (a->len, ==, 20);
  for (guint i = 0; i < 20; i++)
    {
      RecurSweepPoint *p = point (a, i);
      double lr = p->config.train.optimizer.lr;
      char digits[32];

      g_assert_cmpstr (p->name, ==, point (b, i)->name);
      g_assert_cmpfloat (lr, ==, point (b, i)->config.train.optimizer.lr);
      g_assert_cmpuint (p->config.model.hidden_size, ==, point (b, i)->config.model.hidden_size);
      all_same &= g_str_equal (p->name, point (c, i)->name);
      /* within bounds; three significant digits, so the name is the exact value */
      g_assert_cmpfloat (lr, >=, 1e-4);
      g_assert_cmpfloat (lr, <=, 1e-1);
      g_snprintf (digits, sizeof digits, "%.3g", lr);
      g_assert_cmpfloat (g_ascii_strtod (digits, NULL), ==, lr);
      g_assert_cmpuint (p->config.model.hidden_size, >=, 8);
      g_assert_cmpuint (p->config.model.hidden_size, <=, 128);
    }
  g_assert_false (all_same);
}

/* Random integers repeat: names stay unique. Lists are sampled too. */
static void
test_random_lists_and_unique_names (void)
{
  g_autoptr(RecurSweep) sweep = new_sweep ();
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_assert_true (recur_sweep_add_bounds (sweep, "model=lstm,gru", &error));
  g_assert_true (recur_sweep_add_bounds (sweep, "layers=1:2", &error));
  recur_sweep_set_random (sweep, 12, 1);
  points = expand (sweep);
  for (guint i = 0; i < points->len; i++)
    {
      RecurSweepPoint *p = point (points, i);
      g_assert_true (g_hash_table_add (names, p->name));
      g_assert_true (p->config.model.cell == RECUR_CELL_LSTM || p->config.model.cell == RECUR_CELL_GRU);
      g_assert_true (p->config.model.num_layers == 1 || p->config.model.num_layers == 2);
    }
  g_assert_nonnull (strstr (point (points, points->len - 1)->name, " #"));
}

typedef struct
{
  const char *grid[3];
  const char *bounds;
  int         code;
  const char *needle;
} BadSpec;

static void
test_errors_quote_the_spec (void)
{
  static const BadSpec cases[] = {
    { { "hidden" }, NULL, RECUR_SWEEP_ERROR_SYNTAX, "“hidden”: expected NAME=VALUES" },
    { { "=3" }, NULL, RECUR_SWEEP_ERROR_SYNTAX, "“=3”" },
    { { "colour=red" }, NULL, RECUR_SWEEP_ERROR_UNKNOWN_PARAM, "“colour=red”: colour cannot be swept" },
    { { "horizon=6,12" }, NULL, RECUR_SWEEP_ERROR_UNKNOWN_PARAM, "horizon cannot be swept" },
    { { "hidden=0,16" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "“hidden=0,16”: “hidden”: 0 is out of range" },
    { { "hidden=16,16.5" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "hidden: “16.5” is not an integer" },
    { { "hidden=16,16" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "“16” is listed twice" },
    { { "lr=abc" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "“lr=abc”: lr: “abc” is not a number" },
    { { "lr=-0.1,0.1" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "“lr”: -0.1 is out of range" },
    { { "lr=1e-3:1e-1:cubic:5" }, NULL, RECUR_SWEEP_ERROR_SYNTAX, "a range is START:STOP:N" },
    { { "lr=1e-3:1e-1:1" }, NULL, RECUR_SWEEP_ERROR_SYNTAX, "“lr=1e-3:1e-1:1”" },
    { { "dropout=0:0.5:log:3" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "log range needs START and STOP above 0" },
    { { "seed=1,9223372036854775807" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE,
      "“9223372036854775807” is beyond what a sweep takes (integers up to 9007199254740992)" },
    { { "model=lstm:gru:2" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "model takes a list of values, not a range" },
    { { "model=lstm,cnn" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "model: unknown value “cnn” (choose rnn, rnn-relu" },
    { { "bidirectional=maybe" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "“maybe” is not true or false" },
    { { "hidden=8,16", "hidden=32" }, NULL, RECUR_SWEEP_ERROR_DUPLICATE, "“hidden=32”: hidden is swept twice" },
    { { "hidden=8,16", "lr=0.1,0.2", "layers=1,2" }, NULL, RECUR_SWEEP_ERROR_TOO_MANY, "at most 2 parameters" },
    { { "hidden=1:8192:5000", "lr=0.001:0.1:3" }, NULL, RECUR_SWEEP_ERROR_TOO_MANY, "the grid has 15000 runs" },
    { { "hidden=8,16" }, "lr=1e-4:1e-1", RECUR_SWEEP_ERROR_MIXED, "not both" },
    { { NULL }, "lr=1e-1:1e-4", RECUR_SWEEP_ERROR_BAD_VALUE, "LO must be below HI" },
    { { NULL }, "dropout=0:0.5:log", RECUR_SWEEP_ERROR_BAD_VALUE, "log bounds need LO above 0" },
    { { NULL }, "lr=0.1:1:int", RECUR_SWEEP_ERROR_BAD_VALUE, "lr takes fractional values" },
    { { NULL }, "lr=0.1:1:sqrt", RECUR_SWEEP_ERROR_SYNTAX, "bounds are LO:HI" },
    { { NULL }, "model=lstm:gru", RECUR_SWEEP_ERROR_BAD_VALUE, "not bounds" },
    { { NULL }, NULL, RECUR_SWEEP_ERROR_EMPTY, "nothing to sweep" },
    { { "hidden=" }, NULL, RECUR_SWEEP_ERROR_SYNTAX, "“hidden=”: expected NAME=VALUES" },
    { { "lr=inf" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "lr: “inf” is not a number" },
    { { "lr=0.1,0.2x" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "lr: “0.2x” is not a number" },
    { { "bidirectional=0:1:2" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE,
      "bidirectional takes a list of values, not a range" },
    { { "lr=abc:0.1:3" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "lr: “abc” is not a number" },
    { { "lr=0.001:abc:3" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE, "lr: “abc” is not a number" },
    { { "dropout=0.5:0:log:3" }, NULL, RECUR_SWEEP_ERROR_BAD_VALUE,
      "log range needs START and STOP above 0" },
    { { NULL }, "lr=0.1:1:log:log:log", RECUR_SWEEP_ERROR_SYNTAX, "bounds are LO:HI" },
    { { NULL }, "bidirectional=0:1", RECUR_SWEEP_ERROR_BAD_VALUE, "not bounds" },
    { { NULL }, "lr=abc:1", RECUR_SWEEP_ERROR_BAD_VALUE, "lr: “abc” is not a number" },
    { { NULL }, "lr=0.1:abc", RECUR_SWEEP_ERROR_BAD_VALUE, "lr: “abc” is not a number" },
    { { NULL }, "colour=1:2", RECUR_SWEEP_ERROR_UNKNOWN_PARAM, "colour cannot be swept" },
    { { NULL }, "lr=0.1,abc", RECUR_SWEEP_ERROR_BAD_VALUE, "lr: “abc” is not a number" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RecurSweep) sweep = new_sweep ();
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) points = NULL;
      gboolean ok = TRUE;

      for (guint k = 0; k < 3 && cases[i].grid[k] && ok; k++)
        ok = recur_sweep_add_grid (sweep, cases[i].grid[k], &error);
      if (ok && cases[i].bounds)
        {
          ok = recur_sweep_add_bounds (sweep, cases[i].bounds, &error);
          recur_sweep_set_random (sweep, 3, 1);
        }
      if (ok)
        points = recur_sweep_expand (sweep, &error);
      g_test_message ("case %u: %s", i, error ? error->message : "(no error)");
      g_assert_null (points);
      g_assert_error (error, RECUR_SWEEP_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, cases[i].needle));
    }
}

static void
test_random_needs_bounds_and_bounds_need_random (void)
{
  g_autoptr(RecurSweep) a = new_sweep ();
  g_autoptr(RecurSweep) b = new_sweep ();
  g_autoptr(GError) error = NULL;

  recur_sweep_set_random (a, 5, 1);
  g_assert_null (recur_sweep_expand (a, &error));
  g_assert_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_EMPTY);
  g_clear_error (&error);
  g_assert_true (recur_sweep_add_bounds (b, "lr=0.001:0.1", &error));
  g_assert_null (recur_sweep_expand (b, &error));
  g_assert_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_EMPTY);
  g_assert_nonnull (strstr (error->message, "--random"));
}

static void
test_values_json_round_trip (void)
{
  g_autoptr(RecurSweep) sweep = new_sweep ();
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GError) error = NULL;
  RecurSweepPoint *p;
  RecurSweepValue back[RECUR_SWEEP_MAX_PARAMS];
  g_autoptr(JsonNode) node = NULL;
  guint n;

  add_grid (sweep, "model=gru");
  add_grid (sweep, "lr=0.003");
  points = expand (sweep);
  p = point (points, 0);
  node = recur_sweep_values_to_json (p->values, p->n_values);
  g_assert_true (recur_sweep_values_from_json (node, back, &n, &error));
  g_assert_cmpuint (n, ==, 2);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (back[i].param == p->values[i].param);
      g_assert_cmpfloat (back[i].number, ==, p->values[i].number);
      g_assert_cmpstr (back[i].text, ==, p->values[i].text);
      g_free (back[i].text);
    }
}

static void
test_param_list (void)
{
  static const char *const wanted[] = { "hidden", "layers", "lr", "dropout", "window", "batch",
                                        "epochs", "model", "optimizer", "loss", "clip", "seed",
                                        "bidirectional" };
  guint n;

  recur_sweep_list_params (&n);
  g_assert_cmpuint (n, >=, G_N_ELEMENTS (wanted));
  for (guint i = 0; i < G_N_ELEMENTS (wanted); i++)
    g_assert_nonnull (recur_sweep_find_param (wanted[i]));
  g_assert_cmpstr (recur_sweep_param_get_choices (recur_sweep_find_param ("model"))[6], ==,
                   "clockwork");
  g_assert_cmpstr (recur_sweep_param_get_choices (recur_sweep_find_param ("bidirectional"))[1],
                   ==, "true");
  g_assert_null (recur_sweep_param_get_choices (recur_sweep_find_param ("lr")));
}

/* Bounds first, then a grid: refused as a mix, whichever comes first. */
static void
test_bounds_then_grid (void)
{
  g_autoptr(RecurSweep) sweep = new_sweep ();
  g_autoptr(GError) error = NULL;

  g_assert_true (recur_sweep_add_bounds (sweep, "lr=1e-4:1e-1", &error));
  g_assert_false (recur_sweep_add_grid (sweep, "hidden=8,16", &error));
  g_assert_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_MIXED);
  g_assert_nonnull (strstr (error->message, "not both"));
  g_assert_cmpuint (recur_sweep_get_n_params (sweep), ==, 1);
}

/* Random samples: at most RECUR_SWEEP_MAX_RUNS of them; integers drawn on a log scale stay
 * integers within the bounds; values rounded to three digits never leave the bounds. */
static void
test_random_limits (void)
{
  g_autoptr(RecurSweep) many = new_sweep ();
  g_autoptr(RecurSweep) sweep = new_sweep ();
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (recur_sweep_add_bounds (many, "lr=1e-4:1e-1", &error));
  recur_sweep_set_random (many, RECUR_SWEEP_MAX_RUNS + 1, 1);
  g_assert_null (recur_sweep_expand (many, &error));
  g_assert_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_TOO_MANY);
  g_assert_nonnull (strstr (error->message, "random samples; a sweep has at most"));
  g_clear_error (&error);

  g_assert_true (recur_sweep_add_bounds (sweep, "hidden=8:128:log", &error));
  g_assert_true (recur_sweep_add_bounds (sweep, "lr=0.12345:0.12349", &error));
  recur_sweep_set_random (sweep, 40, 3);
  points = expand (sweep);
  g_assert_cmpuint (points->len, ==, 40);
  for (guint i = 0; i < points->len; i++)
    {
      const RecurJobConfig *c = &point (points, i)->config;
      g_assert_cmpuint (c->model.hidden_size, >=, 8);
      g_assert_cmpuint (c->model.hidden_size, <=, 128);
      g_assert_cmpfloat (c->train.optimizer.lr, >=, 0.12345);
      g_assert_cmpfloat (c->train.optimizer.lr, <=, 0.12349);
    }
}

/* An optimiser swept over a base with its own weight decay keeps that decay; a range may say
 * "lin". */
static void
test_optimizer_keeps_decay (void)
{
  RecurJobConfig base;
  g_autoptr(RecurSweep) sweep = NULL;
  g_autoptr(GPtrArray) points = NULL;

  recur_job_config_init (&base);
  base.train.optimizer.weight_decay = 0.05;
  sweep = recur_sweep_new (&base);
  recur_job_config_clear (&base);
  add_grid (sweep, "optimizer=sgd,adamw");
  add_grid (sweep, "momentum=0.1:0.3:lin:3");
  points = expand (sweep);
  g_assert_cmpuint (points->len, ==, 6);
  for (guint i = 0; i < points->len; i++)
    g_assert_cmpfloat (point (points, i)->config.train.optimizer.weight_decay, ==, 0.05);
  g_assert_cmpfloat (point (points, 1)->config.train.optimizer.momentum, ==, 0.2);
  g_assert_cmpint (point (points, 4)->config.train.optimizer.kind, ==, RECUR_OPTIMIZER_ADAMW);
}

/* A swept cell takes its own defaults where the base had the old cell's, as `recur train
 * --model` does: an ESN's 100 units, a Jordan network's recursive strategy; a hidden size the
 * user chose stays. */
static void
test_model_takes_its_defaults (void)
{
  RecurJobConfig base;
  g_autoptr(RecurSweep) sweep = NULL;
  g_autoptr(RecurSweep) chosen = NULL;
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GPtrArray) chosen_points = NULL;
  RecurModelSpec lstm;

  recur_model_spec_init_for_cell (&lstm, RECUR_CELL_LSTM);
  recur_job_config_init (&base);
  g_assert_cmpint (base.model.cell, ==, RECUR_CELL_LSTM);
  sweep = recur_sweep_new (&base);
  add_grid (sweep, "model=lstm,esn,jordan");
  points = expand (sweep);
  g_assert_cmpuint (points->len, ==, 3);
  g_assert_cmpuint (point (points, 0)->config.model.hidden_size, ==, lstm.hidden_size);
  g_assert_cmpint (point (points, 0)->config.model.strategy, ==, lstm.strategy);
  g_assert_cmpuint (point (points, 1)->config.model.hidden_size, ==, 100);
  g_assert_cmpint (point (points, 2)->config.model.strategy, ==, RECUR_STRATEGY_RECURSIVE);
  g_assert_cmpuint (point (points, 2)->config.model.hidden_size, ==, lstm.hidden_size);

  base.model.hidden_size = 16;
  chosen = recur_sweep_new (&base);
  recur_job_config_clear (&base);
  add_grid (chosen, "model=esn,gru");
  chosen_points = expand (chosen);
  for (guint i = 0; i < chosen_points->len; i++)
    g_assert_cmpuint (point (chosen_points, i)->config.model.hidden_size, ==, 16);
}

/* Swept values read back from JSON: a boolean and a choice; each wrong type refused by name. */
static void
test_values_json_types (void)
{
  static const struct { const char *json; int code; const char *needle; } bad[] = {
    { "{\"hidden\": [8]}", RECUR_SWEEP_ERROR_BAD_VALUE, "“hidden” has a value of the wrong type" },
    { "{\"model\": \"cnn\"}", RECUR_SWEEP_ERROR_BAD_VALUE, "“model” has a value of the wrong type" },
    { "{\"model\": 1}", RECUR_SWEEP_ERROR_BAD_VALUE, "“model” has a value of the wrong type" },
    { "{\"lr\": true}", RECUR_SWEEP_ERROR_BAD_VALUE, "“lr” has a value of the wrong type" },
    { "{\"bidirectional\": \"yes\"}", RECUR_SWEEP_ERROR_BAD_VALUE,
      "“bidirectional” has a value of the wrong type" },
    { "[]", RECUR_SWEEP_ERROR_SYNTAX, "must be a JSON object" },
  };
  RecurSweepValue values[RECUR_SWEEP_MAX_PARAMS];
  g_autoptr(GError) error = NULL;
  guint n;

  {
    g_autoptr(JsonNode) node = json_from_string ("{\"bidirectional\": true, \"model\": \"gru\"}",
                                                 &error);
    g_assert_no_error (error);
    g_assert_true (recur_sweep_values_from_json (node, values, &n, &error));
    g_assert_cmpuint (n, ==, 2);
    g_assert_cmpstr (values[0].text, ==, "true");
    g_assert_cmpfloat (values[0].number, ==, 1);
    g_assert_cmpstr (values[1].text, ==, "gru");
    g_assert_cmpfloat (values[1].number, ==, RECUR_CELL_GRU);
    for (guint i = 0; i < n; i++)
      g_free (values[i].text);
  }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(JsonNode) node = json_from_string (bad[i].json, &error);
      g_assert_no_error (error);
      g_assert_false (recur_sweep_values_from_json (node, values, &n, &error));
      g_assert_error (error, RECUR_SWEEP_ERROR, bad[i].code);
      g_assert_nonnull (strstr (error->message, bad[i].needle));
      g_assert_cmpuint (n, ==, 0);
      g_clear_error (&error);
    }
}

/* The most work first: more parameters, a longer window, more epochs or members; equal work in
 * the order given; an echo state network (one fit) after every gradient-trained one. */
static void
test_order_by_cost (void)
{
  enum { N = 6 };
  RecurJobConfig c[N];
  const RecurJobConfig *configs[N];
  guint order[N];
  static const guint want[N] = { 3, 4, 1, 0, 5, 2 };

  for (guint i = 0; i < N; i++)
    {
      recur_job_config_init (&c[i]);
      configs[i] = &c[i];
    }
  c[0].model.hidden_size = 16;  /* the same work as 5 */
  c[1].model.hidden_size = 32;
  c[2].model.cell = RECUR_CELL_ESN;
  recur_model_spec_init_for_cell (&c[2].model, RECUR_CELL_ESN);
  c[3].model.hidden_size = 32;
  c[3].ensemble = 3;
  c[4].model.hidden_size = 16;
  c[4].model.window = 96;
  c[5].model.hidden_size = 16;
  recur_sweep_order_by_cost (configs, N, order);
  g_assert_cmpmem (order, sizeof order, want, sizeof want);
  for (guint i = 0; i < N; i++)
    recur_job_config_clear (&c[i]);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/sweep/grid-lists", test_grid_lists);
  g_test_add_func ("/engine/sweep/grid-ranges", test_grid_ranges);
  g_test_add_func ("/engine/sweep/choices-and-booleans", test_choices_and_booleans);
  g_test_add_func ("/engine/sweep/random-is-deterministic", test_random_is_deterministic);
  g_test_add_func ("/engine/sweep/random-lists-and-unique-names", test_random_lists_and_unique_names);
  g_test_add_func ("/engine/sweep/errors-quote-the-spec", test_errors_quote_the_spec);
  g_test_add_func ("/engine/sweep/random-needs-bounds", test_random_needs_bounds_and_bounds_need_random);
  g_test_add_func ("/engine/sweep/values-json-round-trip", test_values_json_round_trip);
  g_test_add_func ("/engine/sweep/param-list", test_param_list);
  g_test_add_func ("/engine/sweep/bounds-then-grid", test_bounds_then_grid);
  g_test_add_func ("/engine/sweep/random-limits", test_random_limits);
  g_test_add_func ("/engine/sweep/optimizer-keeps-decay", test_optimizer_keeps_decay);
  g_test_add_func ("/engine/sweep/model-takes-its-defaults", test_model_takes_its_defaults);
  g_test_add_func ("/engine/sweep/values-json-types", test_values_json_types);
  g_test_add_func ("/engine/sweep/order-by-cost", test_order_by_cost);
  return g_test_run ();
}
