/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The schema of settings walked entry by entry: every setting round-trips through the JSON at
 * its default and at both ends of its range, is refused just past them with its range named,
 * takes the same defaults whether it comes from the init functions, a JSON file or a sweep, and
 * the sweep knows exactly the sweepable ones. The CLI's side is tests/cli/test-cli-settings.c,
 * the panel's tests/ui/test-params-panel.c. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-jsonutil.h"
#include "recur-settings.h"
#include "recur-sweep.h"

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
  double toward = low ? G_MAXDOUBLE : -G_MAXDOUBLE;

  if (!open)
    return bound;
  if (s->kind == RECUR_SETTING_FLOAT)
    return nextafterf ((float) bound, (float) (low ? G_MAXFLOAT : -G_MAXFLOAT));
  return nextafter (bound, toward);
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

/* Writes config as JSON text, reads it back, and checks the setting kept its value. */
static void
assert_round_trip (const RecurSetting   *s,
                   const RecurJobConfig *config)
{
  g_autoptr(JsonNode) node = recur_job_config_to_json (config);
  g_autofree char *text = recur_json_to_data (node, FALSE, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *before = recur_setting_format_value (s, config);
  g_autofree char *after = NULL;
  RecurJobConfig back;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_true (recur_job_config_from_json (json_parser_get_root (parser), &back, &error));
  g_assert_no_error (error);
  after = recur_setting_format_value (s, &back);
  g_assert_cmpstr (after, ==, before);
  if (is_numeric (s) || s->kind == RECUR_SETTING_SEED)
    g_assert_cmpfloat (recur_setting_get_number (s, &back), ==,
                       recur_setting_get_number (s, config));
  recur_job_config_clear (&back);
}

/* The values a setting takes that are worth a round trip. */
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
      g_ptr_array_add (values, g_strdup ("9223372036854775808"));
      g_ptr_array_add (values, g_strdup ("18446744073709551615"));
      break;
    case RECUR_SETTING_COLUMN:
      g_ptr_array_add (values, g_strdup ("“temp” °C, 2"));
      break;
    case RECUR_SETTING_LIST:
      g_ptr_array_add (values, g_strdup ("1"));
      g_ptr_array_add (values, g_strdup ("1,1,2,3,5,8,13,21,34,55,89,144,233,377,610,100000"));
      break;
    case RECUR_SETTING_NAMES:
      g_ptr_array_add (values, g_strdup ("dax"));
      /* a comma and a backslash inside a name, escaped */
      g_ptr_array_add (values, g_strdup ("“temp” °C\\, 2,a\\\\b,x"));
      break;
    default:
      g_assert_not_reached ();
    }
  return values;
}

static void
test_every_setting_round_trips (void)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  g_assert_cmpuint (n, >=, 43);
  for (guint i = 0; i < n; i++)
    {
      const RecurSetting *s = &settings[i];
      g_autoptr(GPtrArray) values = values_of (s);
      RecurJobConfig config;

      recur_job_config_init (&config);
      assert_round_trip (s, &config); /* the default */
      for (guint k = 0; k < values->len; k++)
        {
          g_autoptr(GError) error = NULL;
          g_autofree char *shown = NULL;

          g_test_message ("%s = %s", s->name, (char *) values->pdata[k]);
          g_assert_true (recur_setting_parse (s, values->pdata[k], NULL, &config, &error));
          g_assert_no_error (error);
          shown = recur_setting_format_value (s, &config);
          if (s->kind == RECUR_SETTING_FLOAT) /* shown as the float's shortest decimal */
            g_assert_cmpfloat ((float) g_ascii_strtod (shown, NULL), ==,
                               (float) g_ascii_strtod (values->pdata[k], NULL));
          else
            g_assert_cmpstr (shown, ==, values->pdata[k]);
          assert_round_trip (s, &config);
        }
      recur_job_config_clear (&config);
    }
}

/* Just past each end: refused by the file's reader and by the option's parser, each naming
 * the setting and the schema's range. */
static void
test_past_the_ends_refused (void)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint i = 0; i < n; i++)
    {
      const RecurSetting *s = &settings[i];
      g_autofree char *range = recur_setting_format_range (s);

      if (!is_numeric (s))
        continue;
      for (int low = 0; low <= 1; low++)
        {
          g_autofree char *text = NULL;
          g_autofree char *option = g_strdup_printf ("--%s", s->name);
          g_autofree char *field = g_strdup_printf ("“%s”", s->name);
          g_autoptr(GError) file_error = NULL;
          g_autoptr(GError) option_error = NULL;
          RecurJobConfig config, before;

          if (!low && s->hi == G_MAXDOUBLE)
            continue; /* no finite number is past it; inf is refused as not finite */
          text = number_text (s, outer_end (s, low));
          g_test_message ("%s = %s", s->name, text);
          recur_job_config_init (&config);
          recur_job_config_init (&before);
          g_assert_false (recur_setting_parse (s, text, NULL, &config, &file_error));
          g_assert_error (file_error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE);
          g_assert_true (g_str_has_prefix (file_error->message, field));
          g_assert_nonnull (strstr (file_error->message, range));
          g_assert_false (recur_setting_parse (s, text, option, &config, &option_error));
          g_assert_true (g_str_has_prefix (option_error->message, option));
          g_assert_nonnull (strstr (option_error->message, range));
          /* refused values leave the configuration as it was */
          g_assert_cmpfloat (recur_setting_get_number (s, &config), ==,
                             recur_setting_get_number (s, &before));
          recur_job_config_clear (&config);
          recur_job_config_clear (&before);
        }
    }
}

/* The model's own validator agrees with the schema at both ends of each model setting. */
static void
test_model_ranges_match_the_validator (void)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);
  gsize model_start = G_STRUCT_OFFSET (RecurJobConfig, model);
  gsize model_end = model_start + sizeof (RecurModelSpec);

  for (guint i = 0; i < n; i++)
    {
      const RecurSetting *s = &settings[i];

      if (!is_numeric (s) || s->offset < model_start || s->offset >= model_end)
        continue;
      for (int low = 0; low <= 1; low++)
        for (int inside = 0; inside <= 1; inside++)
          {
            double v = inside ? inner_end (s, low) : outer_end (s, low);
            g_autoptr(GError) error = NULL;
            RecurJobConfig config;
            gboolean valid;

            recur_job_config_init (&config);
            /* a cell it applies to, with room for it: an ESN's reservoir is capped lower and
             * its washout must fit in the window */
            if (s->cells)
              config.model.cell = (RecurCellKind) g_bit_nth_lsf (s->cells, -1);
            if (config.model.cell == RECUR_CELL_ESN)
              config.model.hidden_size = 16;
            config.model.window = 100000;
            config.model.esn.washout = 0;
            if (s->kind == RECUR_SETTING_UINT)
              G_STRUCT_MEMBER (guint, &config, s->offset) = (guint) MAX (v, 0);
            else if (s->kind == RECUR_SETTING_FLOAT)
              G_STRUCT_MEMBER (float, &config, s->offset) = (float) v;
            else
              G_STRUCT_MEMBER (double, &config, s->offset) = v;
            if (s->kind == RECUR_SETTING_UINT && v < 0)
              continue; /* a guint cannot hold it: the parser's check is the one that counts */
            if (g_str_equal (s->name, "hidden") && !low)
              config.model.cell = RECUR_CELL_LSTM;
            if (g_str_equal (s->name, "dropout"))
              config.model.num_layers = MAX (config.model.num_layers, 2);
            if (g_str_equal (s->name, "step-outputs"))
              {
                /* a recursive model forecasting as many inputs as the largest input size */
                config.model.input_size = 4096;
                config.model.strategy = RECUR_STRATEGY_RECURSIVE;
              }
            g_test_message ("%s = %g (%s)", s->name, v, inside ? "inside" : "outside");
            valid = recur_model_spec_validate (&config.model, &error);
            g_assert_cmpint (valid, ==, inside);
            g_assert_cmpint (recur_job_config_validate (&config, NULL), ==, inside);
            recur_job_config_clear (&config);
          }
    }
}

/* A cell's and an optimiser's defaults are the init functions', from a file as from them. */
static void
test_defaults_are_the_init_functions (void)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);
  const RecurSetting *model = recur_settings_find ("model");
  const RecurSetting *optimizer = recur_settings_find ("optimizer");

  for (guint cell = 0; model->choices[cell]; cell++)
    for (guint opt = 0; optimizer->choices[opt]; opt++)
      {
        g_autofree char *json = g_strdup_printf ("{\"version\": 2, \"model\": \"%s\", "
                                                 "\"optimizer\": \"%s\"}",
                                                 model->choices[cell], optimizer->choices[opt]);
        g_autoptr(JsonParser) parser = json_parser_new ();
        RecurJobConfig from_file, from_init;

        g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
        g_assert_true (recur_job_config_from_json (json_parser_get_root (parser), &from_file,
                                                   NULL));
        recur_job_config_init (&from_init);
        recur_model_spec_init_for_cell (&from_init.model, cell);
        recur_optimizer_spec_init (&from_init.train.optimizer, opt, from_init.train.optimizer.lr);
        for (guint i = 0; i < n; i++)
          {
            g_autofree char *a = recur_setting_format_value (&settings[i], &from_file);
            g_autofree char *b = recur_setting_format_value (&settings[i], &from_init);

            g_test_message ("%s: %s", json, settings[i].name);
            g_assert_cmpstr (a, ==, b);
          }
        recur_job_config_clear (&from_file);
        recur_job_config_clear (&from_init);
      }
  /* and --help's default text names the exceptions */
  {
    g_autofree char *hidden = recur_setting_format_default (recur_settings_find ("hidden"));
    g_autofree char *decay = recur_setting_format_default (recur_settings_find ("weight-decay"));

    g_assert_cmpstr (hidden, ==, "32, esn 100");
    g_assert_cmpstr (decay, ==, "0, adamw 0.01");
  }
}

/* The sweep offers exactly the sweepable settings, as their kind, in the schema's order; a
 * swept cell takes its own defaults, as a file and the command line give them. */
static void
test_sweep_knows_the_sweepable (void)
{
  guint n, n_params, k = 0;
  const RecurSetting *settings = recur_settings_list (&n);
  const RecurSweepParam *params = recur_sweep_list_params (&n_params);

  for (guint i = 0; i < n; i++)
    if (settings[i].flags & RECUR_SETTING_SWEEPABLE)
      {
        g_assert_cmpuint (k, <, n_params);
        g_assert_cmpstr (params[k].name, ==, settings[i].name);
        if (settings[i].kind == RECUR_SETTING_CHOICE)
          g_assert_cmpint (params[k].kind, ==, RECUR_SWEEP_PARAM_CHOICE);
        else if (settings[i].kind == RECUR_SETTING_BOOL)
          g_assert_cmpint (params[k].kind, ==, RECUR_SWEEP_PARAM_BOOL);
        else if (settings[i].kind == RECUR_SETTING_UINT || settings[i].kind == RECUR_SETTING_SEED)
          g_assert_cmpint (params[k].kind, ==, RECUR_SWEEP_PARAM_INT);
        else
          g_assert_cmpint (params[k].kind, ==, RECUR_SWEEP_PARAM_FLOAT);
        k++;
      }
  g_assert_cmpuint (k, ==, n_params);
  g_assert_cmpuint (n_params, ==, 31); /* … "ensemble" and "theta" */

  {
    RecurJobConfig base;
    g_autoptr(RecurSweep) sweep = NULL;
    g_autoptr(GPtrArray) points = NULL;
    g_autoptr(GError) error = NULL;
    RecurSweepPoint *esn;

    recur_job_config_init (&base);
    sweep = recur_sweep_new (&base);
    g_assert_true (recur_sweep_add_grid (sweep, "model=lstm,esn", &error));
    points = recur_sweep_expand (sweep, &error);
    g_assert_no_error (error);
    esn = g_ptr_array_index (points, 1);
    g_assert_cmpuint (esn->config.model.hidden_size, ==, 100);
    recur_job_config_clear (&base);
  }
}

/* --inputs: names split at commas, a comma inside one escaped; JSON takes an array; an empty
 * name or a dangling escape is refused naming the option. */
static void
test_input_names (void)
{
  const RecurSetting *s = recur_settings_find ("inputs");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  RecurJobConfig config;
  const char *const bad[] = { "a,,b", ",a", "a,", "a\\" };

  g_assert_nonnull (s);
  g_assert_cmpint (s->kind, ==, RECUR_SETTING_NAMES);
  recur_job_config_init (&config);
  g_assert_null (config.inputs);
  g_assert_true (recur_setting_parse (s, "dax,temp\\, °C,a\\\\b", "--inputs", &config, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (config.inputs), ==, 3);
  g_assert_cmpstr (config.inputs[0], ==, "dax");
  g_assert_cmpstr (config.inputs[1], ==, "temp, °C");
  g_assert_cmpstr (config.inputs[2], ==, "a\\b");
  node = recur_job_config_to_json (&config);
  text = json_to_string (json_object_get_member (json_node_get_object (node), "inputs"), FALSE);
  g_assert_cmpstr (text, ==, "[\"dax\",\"temp, °C\",\"a\\\\b\"]");
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_test_message ("--inputs %s", bad[i]);
      g_assert_false (recur_setting_parse (s, bad[i], "--inputs", &config, &error));
      g_assert_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_TYPE);
      g_assert_nonnull (strstr (error->message, "--inputs"));
      g_clear_error (&error);
    }
  /* unchanged by the refused ones; "" is none */
  g_assert_cmpuint (g_strv_length (config.inputs), ==, 3);
  g_assert_true (recur_setting_parse (s, "", "--inputs", &config, &error));
  g_assert_null (config.inputs);
  recur_job_config_clear (&config);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/settings/every-setting-round-trips", test_every_setting_round_trips);
  g_test_add_func ("/settings/past-the-ends-refused", test_past_the_ends_refused);
  g_test_add_func ("/settings/model-ranges-match-the-validator",
                   test_model_ranges_match_the_validator);
  g_test_add_func ("/settings/defaults-are-the-init-functions",
                   test_defaults_are_the_init_functions);
  g_test_add_func ("/settings/sweep-knows-the-sweepable", test_sweep_knows_the_sweepable);
  g_test_add_func ("/settings/input-names", test_input_names);
  return g_test_run ();
}
