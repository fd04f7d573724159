/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Weights files' metadata, key by key, for each kind of model: a key that is missing or holds
 * what it cannot is refused by the file's name and the key's; the keys that may be absent take
 * their defaults; a tensor the model does not have is refused by name. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-rng.h"
#include "recur-safetensors.h"
#include "recur-settings.h"
#include "../test-tmp.h"

/* A small model of cell, saved with info and read back as a RecurSafetensors. */
static RecurSafetensors *
saved_model (RecurCellKind cell,
             gboolean      bias)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = test_temp_dir ("recur-model-io-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "m.safetensors", NULL);
  RecurModelInfo info = { .transform.scaler = { RECUR_SCALER_MINMAX, 1.5, 2.5 },
                          .column = (char *) "y", .frequency = (char *) "daily",
                          .last_timestamp = (char *) "2024-01-31", .seed = 9 };
  g_autoptr(RecurModel) model = NULL;
  RecurSafetensors *st;
  RecurModelSpec spec;
  RecurRng rng;

  g_assert_no_error (error);
  recur_model_spec_init_for_cell (&spec, cell);
  spec.hidden_size = 8;
  spec.bias = bias;
  spec.horizon = 2;
  model = recur_model_new (&spec, &error);
  g_assert_no_error (error);
  recur_rng_init (&rng, 3);
  recur_model_init_weights (model, &rng);
  g_assert_true (recur_model_save (model, &info, path, &error));
  g_assert_no_error (error);
  st = recur_safetensors_load (path, &error);
  g_assert_no_error (error);
  g_unlink (path);
  g_rmdir (dir);
  return st;
}

/* st's bytes with the metadata key set to value (NULL: removed), and a tensor of no values
 * added under extra_tensor if not NULL. */
static GBytes *
edited (const RecurSafetensors *st,
        const char             *key,
        const char             *value,
        const char             *extra_tensor)
{
  g_autoptr(RecurSafetensors) copy = recur_safetensors_new ();
  g_auto(GStrv) keys = recur_safetensors_list_metadata (st);

  for (guint i = 0; keys[i]; i++)
    if (key == NULL || !g_str_equal (keys[i], key))
      recur_safetensors_set_metadata (copy, keys[i], recur_safetensors_get_metadata (st, keys[i]));
  if (key && value)
    recur_safetensors_set_metadata (copy, key, value);
  for (guint i = 0; i < recur_safetensors_get_n_tensors (st); i++)
    {
      const char *name = recur_safetensors_get_name (st, i);
      guint n_dims;
      const guint64 *shape;
      const float *data = recur_safetensors_get (st, name, &n_dims, &shape);

      recur_safetensors_add (copy, name, n_dims, shape, data);
    }
  if (extra_tensor)
    {
      guint64 shape[1] = { 0 };
      recur_safetensors_add (copy, extra_tensor, 1, shape, NULL);
    }
  return recur_safetensors_to_bytes (copy);
}

typedef struct
{
  RecurCellKind cell;
  const char   *key;
  const char   *value;   /* NULL: the key removed */
  const char   *said;    /* in the message, beside the file's name */
} BadKey;

static void
test_bad_keys (void)
{
  static const BadKey cases[] = {
    { RECUR_CELL_LSTM, "recur.cell", NULL, "recur.cell" },
    { RECUR_CELL_LSTM, "recur.input_size", "0", "recur.input_size" },
    { RECUR_CELL_LSTM, "recur.num_layers", "17", "recur.num_layers" },
    { RECUR_CELL_LSTM, "recur.bidirectional", "maybe", "recur.bidirectional" },
    { RECUR_CELL_LSTM, "recur.dropout", "half", "recur.dropout" },
    { RECUR_CELL_LSTM, "recur.dropout", "", "recur.dropout" },
    { RECUR_CELL_LSTM, "recur.horizon", NULL, "recur.horizon" },
    { RECUR_CELL_LSTM, "recur.strategy", NULL, "recur.strategy" },
    { RECUR_CELL_LSTM, "recur.strategy", "sideways", "direct or recursive" },
    { RECUR_CELL_LSTM, "recur.scaler", NULL, "recur.scaler" },
    { RECUR_CELL_LSTM, "recur.scaler", "log", "zscore, minmax or none" },
    { RECUR_CELL_LSTM, "recur.scaler_scale", "wide", "recur.scaler_scale" },
    { RECUR_CELL_LSTM, "recur.seed", "-1", "recur.seed" },
    { RECUR_CELL_JORDAN, "recur.jordan_feedback", NULL, "recur.jordan_feedback" },
    { RECUR_CELL_JORDAN, "recur.jordan_feedback", "sometimes", "teacher or free" },
    { RECUR_CELL_ESN, "recur.connectivity", "x", "recur.connectivity" },
    { RECUR_CELL_ESN, "recur.spectral_radius", NULL, "recur.spectral_radius" },
    { RECUR_CELL_ESN, "recur.input_scaling", "inf", "recur.input_scaling" },
    { RECUR_CELL_ESN, "recur.leak", "0.5x", "recur.leak" },
    { RECUR_CELL_ESN, "recur.washout", "100001", "recur.washout" },
    { RECUR_CELL_ESN, "recur.ridge", "nan", "recur.ridge" },
    { RECUR_CELL_CLOCKWORK, "recur.periods", NULL, "recur.periods" },
    { RECUR_CELL_CLOCKWORK, "recur.periods", "0,1", "a list of periods such as 1,2,4,8" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(RecurSafetensors) st = saved_model (cases[i].cell, TRUE);
      g_autoptr(GBytes) bytes = edited (st, cases[i].key, cases[i].value, NULL);
      g_autoptr(GError) error = NULL;
      RecurModelInfo info = { 0 };
      g_autoptr(RecurModel) model = recur_model_load_bytes (bytes, "edited.safetensors", &info,
                                                            &error);

      g_test_message ("%s = %s: %s", cases[i].key, cases[i].value ? cases[i].value : "(none)",
                      error ? error->message : "(loaded)");
      g_assert_null (model);
      g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA);
      g_assert_true (g_str_has_prefix (error->message, "edited.safetensors"));
      g_assert_nonnull (strstr (error->message, cases[i].key));
      g_assert_nonnull (strstr (error->message, cases[i].said));
      g_assert_null (info.column);
    }
}

/* What may be absent: the dropout (0), the seed (0), the column, frequency and last timestamp
 * (empty, "none", empty). A model without biases, of each one-layer kind, reads back. */
static void
test_optional_keys (void)
{
  static const char *const optional[] = { "recur.dropout", "recur.seed", "recur.column",
                                          "recur.frequency", "recur.last_timestamp", NULL };
  static const RecurCellKind cells[] = { RECUR_CELL_JORDAN, RECUR_CELL_ESN, RECUR_CELL_GRU };
  g_autoptr(RecurSafetensors) st = saved_model (RECUR_CELL_LSTM, TRUE);
  g_autoptr(RecurSafetensors) without = recur_safetensors_new ();
  g_autoptr(GBytes) bytes = edited (st, "recur.dropout", "0.25", NULL);
  g_autoptr(GError) error = NULL;
  RecurModelInfo info = { 0 };
  g_autoptr(RecurModel) model = recur_model_load_bytes (bytes, "m.safetensors", &info, &error);

  g_assert_no_error (error);
  g_assert_cmpfloat (recur_model_get_spec (model)->dropout, ==, 0.25f);
  g_assert_cmpstr (info.column, ==, "y");
  g_assert_cmpstr (info.frequency, ==, "daily");
  g_assert_cmpuint (info.seed, ==, 9);
  recur_model_info_clear (&info);
  g_clear_pointer (&model, recur_model_free);
  g_clear_pointer (&bytes, g_bytes_unref);

  {
    g_auto(GStrv) keys = recur_safetensors_list_metadata (st);

    for (guint k = 0; keys[k]; k++)
      if (!g_strv_contains (optional, keys[k]))
        recur_safetensors_set_metadata (without, keys[k],
                                        recur_safetensors_get_metadata (st, keys[k]));
  }
  for (guint i = 0; i < recur_safetensors_get_n_tensors (st); i++)
    {
      const char *name = recur_safetensors_get_name (st, i);
      guint n_dims;
      const guint64 *shape;
      const float *data = recur_safetensors_get (st, name, &n_dims, &shape);
      recur_safetensors_add (without, name, n_dims, shape, data);
    }
  bytes = recur_safetensors_to_bytes (without);
  model = recur_model_load_bytes (bytes, "m.safetensors", &info, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (recur_model_get_spec (model)->dropout, ==, 0.0f);
  g_assert_cmpuint (info.seed, ==, 0);
  g_assert_cmpstr (info.column, ==, "");
  g_assert_cmpstr (info.frequency, ==, "none");
  g_assert_cmpstr (info.last_timestamp, ==, "");
  recur_model_info_clear (&info);

  for (guint i = 0; i < G_N_ELEMENTS (cells); i++)
    {
      g_autoptr(RecurSafetensors) plain = saved_model (cells[i], FALSE);
      g_autoptr(GBytes) plain_bytes = edited (plain, NULL, NULL, NULL);
      g_autoptr(RecurModel) back = recur_model_load_bytes (plain_bytes, "plain.safetensors", NULL,
                                                           &error);

      g_assert_no_error (error);
      g_assert_cmpint (recur_model_get_spec (back)->cell, ==, cells[i]);
      g_assert_false (recur_model_get_spec (back)->bias);
      g_assert_cmpuint (recur_model_get_n_params (back), ==,
                        recur_model_spec_count_params (recur_model_get_spec (back)));
    }
}

/* A tensor beside the model's, even one of no values (so the count still matches): refused by
 * its name. */
static void
test_foreign_tensor (void)
{
  g_autoptr(RecurSafetensors) st = saved_model (RECUR_CELL_GRU, TRUE);
  g_autoptr(GBytes) bytes = edited (st, NULL, NULL, "rnn.weight_ih_l9");
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurModel) model = recur_model_load_bytes (bytes, "extra.safetensors", NULL, &error);

  g_assert_null (model);
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "extra.safetensors: tensor “rnn.weight_ih_l9” does "
                                            "not belong to a gru model"));
}

/* The file carries exactly the schema's keyed settings for its cell (the options of other cells
 * left out), each written as the schema shows it, the cell as the files name it. */
static void
test_keys_follow_the_schema (void)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  for (RecurCellKind cell = 0; cell < RECUR_N_CELLS; cell++)
    {
      g_autoptr(RecurSafetensors) st = saved_model (cell, TRUE);
      RecurJobConfig config;

      recur_job_config_init (&config);
      recur_model_spec_init_for_cell (&config.model, cell);
      config.model.hidden_size = 8;
      config.model.horizon = 2;
      config.transform.scaler = RECUR_SCALER_MINMAX;
      config.transform.window_norm = RECUR_WINDOW_NORM_NONE; /* as saved_model's info */
      config.column = g_strdup ("y");
      config.train.seed = 9;
      for (guint i = 0; i < n; i++)
        {
          const RecurSetting *s = &settings[i];
          const char *value = s->weights_key ? recur_safetensors_get_metadata (st, s->weights_key)
                                             : NULL;
          g_autofree char *want = recur_setting_format_value (s, &config);

          if (s->weights_key == NULL)
            continue;
          g_test_message ("%s: %s = %s", recur_cell_to_string (cell), s->weights_key, value);
          if ((recur_setting_is_cell_only (s) && !recur_setting_applies_to_cell (s, cell))
              /* no input columns and no calendar: their keys are absent, as in the files from
               * before them */
              || g_str_equal (s->name, "inputs") || g_str_equal (s->name, "calendar")
              || g_str_equal (s->name, "step-outputs")
              /* nor without the Theta method's average */
              || g_str_equal (s->name, "theta"))
            {
              g_assert_null (value);
              continue;
            }
          g_assert_nonnull (value);
          if (g_str_equal (s->name, "model"))
            g_assert_cmpstr (value, ==, recur_cell_to_string (cell));
          else
            g_assert_cmpstr (value, ==, want);
        }
      recur_job_config_clear (&config);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/model-io/bad-keys", test_bad_keys);
  g_test_add_func ("/engine/model-io/keys-follow-the-schema", test_keys_follow_the_schema);
  g_test_add_func ("/engine/model-io/optional-keys", test_optional_keys);
  g_test_add_func ("/engine/model-io/foreign-tensor", test_foreign_tensor);
  return g_test_run ();
}
