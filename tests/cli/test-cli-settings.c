/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `recur`'s options walked through the schema of settings: every setting has its option, its
 * --help names the schema's default and choices, its range is the schema's at both ends, and a
 * run's summary repeats the run (--config). RECUR_BIN names the built binary. */
#include "config.h"

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "cli-common.h"
#include "recur-jsonutil.h"
#include "recur-settings.h"

static Result
run_recur_argv (GPtrArray *args)
{
  g_ptr_array_add (args, NULL);
  return cli_run (NULL, (const char *const *) args->pdata);
}

/* Whether p starts an option's entry: only spaces, or a short option ("-c,"), before it on its
 * line. Another option's help may name it too. */
static gboolean
starts_entry (const char *help,
              const char *p)
{
  const char *line = p;

  while (line > help && line[-1] != '\n')
    line--;
  while (line < p && *line == ' ')
    line++;
  return line == p || (p - line == 4 && line[0] == '-' && line[2] == ',');
}

/* The option's line in --help, from "--name" to the end of the line; NULL if absent. */
static char *
help_line (const char *help,
           const char *option)
{
  g_autofree char *needle = g_strdup_printf (" %s", option);
  const char *p = strstr (help, needle);

  while (p && !((p[strlen (needle)] == '=' || p[strlen (needle)] == ' ')
                && starts_entry (help, p + 1)))
    p = strstr (p + 1, needle);
  if (p == NULL)
    return NULL;
  p++;
  return g_strndup (p, strcspn (p, "\n"));
}

/* Every setting a user sets has its option in `recur train --help` and `recur sweep --help`,
 * with the schema's default (cells' and optimisers' own included) and choices. */
static void
test_help_knows_every_setting (void)
{
  const char *commands[] = { "train", "sweep" };
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint c = 0; c < G_N_ELEMENTS (commands); c++)
    {
      Result r = run_recur (commands[c], "--help", NULL);

      g_assert_cmpint (r.status, ==, 0);
      for (guint i = 0; i < n; i++)
        {
          const RecurSetting *s = &settings[i];
          gboolean negated = s->flags & RECUR_SETTING_NEGATED;
          g_autofree char *option = g_strdup_printf (negated ? "--no-%s" : "--%s", s->name);
          g_autofree char *line = help_line (r.out, option);
          g_autofree char *fallback = recur_setting_format_default (s);

          g_test_message ("%s %s: %s", commands[c], option, line);
          if (s->flags & RECUR_SETTING_INTERNAL)
            {
              g_assert_null (line);
              continue;
            }
          g_assert_nonnull (line);
          if (s->kind != RECUR_SETTING_BOOL)
            g_assert_nonnull (strstr (line, fallback));
          for (guint k = 0; s->choices && s->choices[k]; k++)
            g_assert_nonnull (strstr (line, s->choices[k]));
        }
      result_clear (&r);
    }
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

/* Runs `recur train MISSING.csv --name value` (with a cell it applies to): a value the option
 * takes fails only on the missing file (status 1); one it refuses is a usage error (2). */
static Result
try_value (const RecurSetting *s,
           const char         *value)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup ("train"));
  g_ptr_array_add (args, g_strdup ("/nonexistent/missing.csv"));
  if (s->cells)
    {
      g_ptr_array_add (args, g_strdup ("--model"));
      g_ptr_array_add (args, g_strdup (recur_cell_to_option (g_bit_nth_lsf (s->cells, -1))));
    }
  g_ptr_array_add (args, g_strdup_printf ("--%s", s->name));
  g_ptr_array_add (args, g_strdup (value));
  return run_recur_argv (args);
}

/* Each numeric option at both ends of the schema's range is taken; just past them it is a
 * usage error naming the option, the value and the schema's range. */
static void
test_every_option_at_its_ends (void)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint i = 0; i < n; i++)
    {
      const RecurSetting *s = &settings[i];
      g_autofree char *range = recur_setting_format_range (s);
      gboolean open_lo = s->flags & RECUR_SETTING_LO_OPEN;
      gboolean open_hi = s->flags & RECUR_SETTING_HI_OPEN;

      if (range == NULL || (s->flags & RECUR_SETTING_INTERNAL))
        continue;
      for (int low = 0; low <= 1; low++)
        {
          double bound = low ? s->lo : s->hi;
          gboolean open = low ? open_lo : open_hi;
          double inside = open ? nextafter (bound, low ? G_MAXDOUBLE : -G_MAXDOUBLE) : bound;
          double step = s->kind == RECUR_SETTING_UINT ? 1 : fmax (1e-6, fabs (bound) * 1e-6);
          double outside = open ? bound : bound + (low ? -step : step);
          g_autofree char *in_text = number_text (s, inside);
          g_autofree char *out_text = number_text (s, outside);
          Result in, out;

          if (s->kind == RECUR_SETTING_FLOAT && open)
            {
              g_free (in_text);
              in_text = number_text (s, nextafterf ((float) bound,
                                                    low ? G_MAXFLOAT : -G_MAXFLOAT));
            }
          if (!low && s->hi == G_MAXDOUBLE)
            continue;
          in = try_value (s, in_text);
          g_test_message ("--%s %s: %s", s->name, in_text, in.err);
          g_assert_cmpint (in.status, ==, 1);
          g_assert_nonnull (strstr (in.err, "missing.csv"));
          out = try_value (s, out_text);
          g_test_message ("--%s %s: %s", s->name, out_text, out.err);
          g_assert_cmpint (out.status, ==, 2);
          g_assert_true (g_str_has_prefix (out.err, "recur: --"));
          g_assert_nonnull (strstr (out.err, s->name));
          g_assert_nonnull (strstr (out.err, range));
          result_clear (&in);
          result_clear (&out);
        }
    }
}

/* The number tokens of JSON text are JSON's (json-glib 1.6 alone writes "1e-08.0"). */
static void
assert_strict_numbers (const char *text)
{
  g_autoptr(GRegex) number = g_regex_new ("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][-+]?[0-9]+)?$",
                                          0, 0, NULL);
  const char *p = text;

  while (*p)
    if (*p == '"')
      {
        for (p++; *p && *p != '"'; p += (*p == '\\' && p[1]) ? 2 : 1)
          ;
        p += *p != '\0';
      }
    else if (*p == '-' || g_ascii_isdigit (*p))
      {
        gsize len = strspn (p, "+-.eE0123456789");
        g_autofree char *token = g_strndup (p, len);

        g_assert_true (g_regex_match (number, token, 0, NULL));
        p += len;
      }
    else
      p++;
}

static JsonObject *
parse_object (JsonParser *parser,
              const char *text)
{
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* A summary names every setting the run used; --config with it trains the same run to the
 * bit, and options given with it change only themselves. */
static void
test_summary_repeats_the_run (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *dir = temp_dir ();
  g_autofree char *summary = g_build_filename (dir, "summary.json", NULL);
  g_autoptr(JsonParser) p1 = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  g_autoptr(JsonParser) p3 = json_parser_new ();
  Result first = run_recur ("train", csv, "--json", "--quiet", "--summary-out", summary,
                            "--model", "gru", "--hidden", "6", "--epochs", "4", "--lr", "0.01",
                            "--optimizer", "adamw", "--schedule", "step", "--step-size", "2",
                            "--gamma", "0.7", "--beta2", "0.99", "--season", "6",
                            "--seed", "18446744073709551615", "--window", "12", NULL);
  Result again, changed;
  JsonObject *a, *b, *c;
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  g_assert_cmpint (first.status, ==, 0);
  assert_strict_numbers (first.out);
  a = parse_object (p1, first.out);
  /* every setting is in the summary */
  for (guint i = 0; i < n; i++)
    g_assert_true (json_object_has_member (json_object_get_object_member (a, "config"),
                                           settings[i].name));
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (a, "config"),
                                                    "weight-decay"), ==, 0.01);
  again = run_recur ("train", csv, "--json", "--quiet", "--config", summary, NULL);
  g_assert_cmpint (again.status, ==, 0);
  b = parse_object (p2, again.out);
  g_assert_true (json_node_equal (json_object_get_member (a, "config"),
                                  json_object_get_member (b, "config")));
  g_assert_cmpfloat (json_object_get_double_member (a, "val_loss"), ==,
                     json_object_get_double_member (b, "val_loss"));
  g_assert_cmpfloat (json_object_get_double_member (a, "train_loss"), ==,
                     json_object_get_double_member (b, "train_loss"));

  changed = run_recur ("train", csv, "--json", "--quiet", "--config", summary, "--hidden", "5",
                       NULL);
  g_assert_cmpint (changed.status, ==, 0);
  c = parse_object (p3, changed.out);
  c = json_object_get_object_member (c, "config");
  g_assert_cmpint (json_object_get_int_member (c, "hidden"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (c, "step-size"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (c, "seed"), ==, "18446744073709551615");

  result_clear (&first);
  result_clear (&again);
  result_clear (&changed);
}

/* A --config file with a bad value is bad input (status 1), named with the field. */
static void
test_bad_config_file (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *dir = temp_dir ();
  g_autofree char *path = g_build_filename (dir, "bad.json", NULL);
  Result train, sweep, missing;
  g_autofree char *nowhere = g_build_filename (dir, "none.json", NULL);

  g_assert_true (g_file_set_contents (path, "{\"config\": {\"dropout\": 1}}", -1, NULL));
  train = run_recur ("train", csv, "--config", path, NULL);
  g_assert_cmpint (train.status, ==, 1);
  g_assert_nonnull (strstr (train.err, path));
  g_assert_nonnull (strstr (train.err, "“dropout”: 1 is out of range (0 ≤ dropout < 1)"));
  sweep = run_recur ("sweep", csv, "--config", path, "--grid", "hidden=2,3", NULL);
  g_assert_cmpint (sweep.status, ==, 1);
  g_assert_nonnull (strstr (sweep.err, "“dropout”"));
  missing = run_recur ("train", csv, "--config", nowhere, NULL);
  g_assert_cmpint (missing.status, ==, 1);
  g_assert_nonnull (strstr (missing.err, nowhere));
  result_clear (&train);
  result_clear (&sweep);
  result_clear (&missing);
}

/* An option that does nothing with the rest (its optimiser, schedule, layers, cell or
 * ensemble) is run anyway, with a warning that says why; a sweep, whose runs may vary what makes
 * it count, says nothing. */
static void
test_unused_options_warned (void)
{
  Result r = run_recur ("train", "/nonexistent/missing.csv", "--model", "lstm", "--momentum", "0.9", "--gamma",
                        "0.2", "--layers", "1", "--dropout", "0.3", "--lr", "0.01",
                        "--ensemble-windows", "12,24", "--box-cox", "auto", "--lambda", "0.5",
                        NULL);
  Result quiet = run_recur ("train", "/nonexistent/missing.csv", "--model", "lstm", "--optimizer", "sgd",
                            "--momentum", "0.9", "--schedule", "step", "--gamma", "0.2",
                            "--layers", "2", "--dropout", "0.3", "--ensemble", "2",
                            "--ensemble-windows", "12,24", "--box-cox", "given", "--lambda",
                            "0.5", NULL);

  g_assert_cmpint (r.status, ==, 1);
  g_assert_nonnull (strstr (r.err, "recur: warning: --momentum has no effect with --optimizer "
                                   "adam: it applies to sgd, rmsprop\n"));
  g_assert_nonnull (strstr (r.err, "recur: warning: --gamma has no effect with --schedule "
                                   "constant: it applies to step, plateau\n"));
  g_assert_nonnull (strstr (r.err, "recur: warning: --dropout has no effect with one layer"));
  g_assert_nonnull (strstr (r.err, "recur: warning: --ensemble-windows has no effect with one "
                                   "network: it applies to the members of --ensemble 2 or more"));
  g_assert_nonnull (strstr (r.err, "recur: warning: --lambda has no effect without --box-cox "
                                   "given\n"));
  g_assert_null (strstr (r.err, "--lr"));
  g_assert_null (strstr (r.err, "--layers has"));
  g_assert_cmpint (quiet.status, ==, 1);
  g_assert_null (strstr (quiet.err, "warning"));
  result_clear (&r);
  result_clear (&quiet);
}

/* `recur train` without --model chooses (--model auto): its JSON says what it tried and what it
 * chose, the summary's configuration is the chosen run's and --config repeats it to the bit; an
 * option given is kept by every candidate; a sweep refuses auto. */
static void
test_auto_is_the_default (void)
{
  g_autofree char *csv = data_file ("air_passengers.csv");
  const char *dir = temp_dir ();
  g_autofree char *summary = g_build_filename (dir, "auto-summary.json", NULL);
  g_autoptr(JsonParser) p1 = json_parser_new ();
  g_autoptr(JsonParser) p2 = json_parser_new ();
  g_autoptr(JsonParser) p3 = json_parser_new ();
  Result first = run_recur ("train", csv, "--json", "--quiet", "--summary-out", summary, NULL);
  Result again = run_recur ("train", csv, "--json", "--quiet", "--config", summary, NULL);
  Result pinned = run_recur ("train", csv, "--json", "--quiet", "--model", "auto", "--window",
                             "12", NULL);
  Result sweep = run_recur ("sweep", csv, "--model", "auto", "--grid", "hidden=4,8", NULL);
  JsonObject *a, *b, *c, *chosen = NULL;
  JsonArray *candidates;

  g_assert_cmpint (first.status, ==, 0);
  a = parse_object (p1, first.out);
  g_assert_true (json_object_has_member (a, "auto"));
  candidates = json_object_get_array_member (json_object_get_object_member (a, "auto"),
                                             "candidates");
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    if (json_object_get_boolean_member (json_array_get_object_element (candidates, i), "chosen"))
      chosen = json_array_get_object_element (candidates, i);
  g_assert_nonnull (chosen);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (chosen, "config"),
                                                  "model"), ==,
                   json_object_get_string_member (json_object_get_object_member (a, "config"),
                                                  "model"));
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (chosen, "config"),
                                               "window"), ==,
                   json_object_get_int_member (json_object_get_object_member (a, "config"),
                                               "window"));

  g_assert_cmpint (again.status, ==, 0);
  b = parse_object (p2, again.out);
  g_assert_false (json_object_has_member (b, "auto"));
  g_assert_true (json_node_equal (json_object_get_member (a, "config"),
                                  json_object_get_member (b, "config")));
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (a, "test"),
                                                    "mase"), ==,
                     json_object_get_double_member (json_object_get_object_member (b, "test"),
                                                    "mase"));

  g_assert_cmpint (pinned.status, ==, 0);
  c = parse_object (p3, pinned.out);
  candidates = json_object_get_array_member (json_object_get_object_member (c, "auto"),
                                             "candidates");
  g_assert_cmpuint (json_array_get_length (candidates), >, 1);
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    {
      JsonObject *config = json_object_get_object_member (
        json_array_get_object_element (candidates, i), "config");

      g_assert_cmpint (json_object_get_int_member (config, "window"), ==, 12);
    }

  g_assert_cmpint (sweep.status, ==, 2);
  g_assert_nonnull (strstr (sweep.err, "--model auto"));
  result_clear (&first);
  result_clear (&again);
  result_clear (&pinned);
  result_clear (&sweep);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/settings/help-knows-every-setting", test_help_knows_every_setting);
  g_test_add_func ("/cli/settings/every-option-at-its-ends", test_every_option_at_its_ends);
  g_test_add_func ("/cli/settings/summary-repeats-the-run", test_summary_repeats_the_run);
  g_test_add_func ("/cli/settings/bad-config-file", test_bad_config_file);
  g_test_add_func ("/cli/settings/unused-options-warned", test_unused_options_warned);
  g_test_add_func ("/cli/settings/auto-is-the-default", test_auto_is_the_default);
  return g_test_run ();
}
