/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-safetensors.h"
#include "recur-settings.h"

void
recur_model_info_clear (RecurModelInfo *info)
{
  g_clear_pointer (&info->column, g_free);
  g_clear_pointer (&info->frequency, g_free);
  g_clear_pointer (&info->last_timestamp, g_free);
  recur_covariates_clear (&info->covariates);
}

static void
set_double (RecurSafetensors *st,
            const char       *key,
            double            value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  recur_safetensors_set_metadata (st, key, g_ascii_dtostr (buf, sizeof buf, value));
}

/* The settings a weights file carries: those with a weights key ("recur.hidden_size"), but the
 * options of other cells (an LSTM's file has no "recur.leak"). The keys stay as the first files
 * wrote them, so that every Recur reads every file. */
static gboolean
carries (const RecurSetting *setting,
         RecurCellKind       cell)
{
  return setting->weights_key
         && (!recur_setting_is_cell_only (setting) || recur_setting_applies_to_cell (setting, cell));
}

/* The model's spec and what the file says of its data, as the configuration they come from. */
static void
config_of (const RecurModelSpec *spec,
           const RecurModelInfo *info,
           RecurJobConfig       *config)
{
  recur_job_config_init (config);
  config->model = *spec;
  config->transform = info->transform.spec;
  config->transform.scaler = info->transform.scaler.kind;
  config->column = g_strdup (info->column ? info->column : "");
  config->inputs = g_strdupv (info->covariates.names);
  config->calendar = info->covariates.calendar != 0;
  config->train.seed = info->seed;
}

/* "recur.member_windows": members reading windows of their own lengths, one per member. Such
 * a file has no "recur.window", so that a Recur from before refuses it ("metadata
 * “recur.window” is missing") instead of forecasting every member from one window. */
#define MEMBER_WINDOWS_KEY "recur.member_windows"

static gboolean
windows_differ (const RecurModel *const *members,
                guint                    n_members)
{
  for (guint k = 1; k < n_members; k++)
    if (recur_model_get_spec (members[k])->window != recur_model_get_spec (members[0])->window)
      return TRUE;
  return FALSE;
}

/* The inputs beside the target are written only when there are some, Theta's average only when
 * it is made: a file without them is byte for byte what a Recur from before them wrote, and
 * reads as none (is_optional). */
static gboolean
is_absent (const RecurSetting   *setting,
           const RecurJobConfig *config)
{
  return (g_str_equal (setting->name, "inputs") && config->inputs == NULL)
         || (g_str_equal (setting->name, "calendar") && !config->calendar)
         || (g_str_equal (setting->name, "step-outputs") && config->model.step_outputs == 1)
         || (g_str_equal (setting->name, "theta") && config->transform.theta == RECUR_THETA_NONE);
}

static void
write_settings (RecurSafetensors     *st,
                const RecurModelSpec *spec,
                const RecurModelInfo *info,
                gboolean              member_windows)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);
  const RecurSetting *model = recur_settings_find ("model");
  RecurJobConfig config;

  config_of (spec, info, &config);
  for (guint i = 0; i < n; i++)
    if (carries (&settings[i], spec->cell) && !is_absent (&settings[i], &config)
        && !(member_windows && g_str_equal (settings[i].name, "window")))
      {
        /* the cell as PyTorch-minded files name it: rnn_tanh, rnn_relu */
        g_autofree char *text = &settings[i] == model
                                ? g_strdup (recur_cell_to_string (spec->cell))
                                : recur_setting_format_value (&settings[i], &config);

        recur_safetensors_set_metadata (st, settings[i].weights_key, text);
      }
  recur_job_config_clear (&config);
}

/* Whether forecasting needs more of the transform than the scaler, which every Recur reads. */
static gboolean
transform_beyond_scaler (const RecurTransform *t)
{
  return t->box_cox || t->spec.difference || t->spec.seasonal_difference
         || t->spec.deseasonalise || t->spec.window_norm != RECUR_WINDOW_NORM_NONE
         || t->spec.theta != RECUR_THETA_NONE;
}

/* key = "v0,v1,…", each number as g_ascii_dtostr writes it (it reads back exactly). */
static void
set_doubles (RecurSafetensors *st,
             const char       *key,
             const double     *v,
             guint             n)
{
  g_autoptr(GString) list = g_string_new (NULL);

  for (guint i = 0; i < n; i++)
    {
      char buf[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (list, "%s%s", i ? "," : "", g_ascii_dtostr (buf, sizeof buf, v[i]));
    }
  recur_safetensors_set_metadata (st, key, list->str);
}

/* The fitted transform. Its scaler goes under the keys the first files had, unless the
 * transform is more than a scaler: then under other keys, so that a Recur from before the
 * transforms refuses the file ("metadata “recur.scaler_center” is missing") instead of ignoring
 * keys it does not know and forecasting in the wrong units. */
static void
write_transform (RecurSafetensors     *st,
                 const RecurTransform *t)
{
  gboolean beyond = transform_beyond_scaler (t);

  set_double (st, beyond ? "recur.transformed_center" : "recur.scaler_center", t->scaler.center);
  set_double (st, beyond ? "recur.transformed_scale" : "recur.scaler_scale", t->scaler.scale);
  if (t->box_cox)
    set_double (st, "recur.box_cox_lambda", t->lambda);
  if (t->spec.seasonal_difference || t->spec.deseasonalise
      || (t->spec.theta != RECUR_THETA_NONE && t->season >= 2))
    {
      char text[32];

      g_snprintf (text, sizeof text, "%u", t->season);
      recur_safetensors_set_metadata (st, "recur.season", text);
    }
  if (t->spec.deseasonalise)
    set_doubles (st, "recur.seasonal_indices", t->seasonal_index, t->season);
}

/* The covariates' fitted scalers and the calendar's cycles (their names and whether there is
 * a calendar are settings: "recur.inputs", "recur.calendar"). */
static void
write_covariates (RecurSafetensors      *st,
                  const RecurCovariates *c)
{
  if (c->n_inputs > 0)
    {
      double centers[RECUR_MAX_COVARIATES], scales[RECUR_MAX_COVARIATES];

      for (guint i = 0; i < c->n_inputs; i++)
        {
          centers[i] = c->scalers[i].center;
          scales[i] = c->scalers[i].scale;
        }
      set_doubles (st, "recur.input_centers", centers, c->n_inputs);
      set_doubles (st, "recur.input_scales", scales, c->n_inputs);
    }
  if (c->calendar)
    {
      g_autofree char *cycles = recur_calendar_to_string (c->calendar);

      recur_safetensors_set_metadata (st, "recur.calendar_cycles", cycles);
    }
}

/* An ensemble's member k's tensors are "members.k.<name>". */
static char *
member_tensor_name (guint       k,
                    guint       n_members,
                    const char *name)
{
  return n_members > 1 ? g_strdup_printf ("members.%u.%s", k, name) : g_strdup (name);
}

gboolean
recur_model_save (const RecurModel      *model,
                  const RecurModelInfo  *info,
                  const char            *path,
                  GError               **error)
{
  return recur_model_save_members (&model, 1, info, path, error);
}

gboolean
recur_model_save_members (const RecurModel *const  *members,
                          guint                     n_members,
                          const RecurModelInfo     *info,
                          const char               *path,
                          GError                  **error)
{
  const RecurModelSpec *s = recur_model_get_spec (members[0]);
  gboolean member_windows = windows_differ (members, n_members);
  g_autoptr(RecurSafetensors) st = recur_safetensors_new ();

  g_return_val_if_fail (n_members >= 1, FALSE);
  for (guint k = 0; k < n_members; k++)
    {
      const float *params = recur_model_peek_params (members[k]);

      g_return_val_if_fail (recur_model_get_n_params (members[k])
                            == recur_model_get_n_params (members[0]), FALSE);
      for (guint i = 0; i < recur_model_get_n_tensors (members[k]); i++)
        {
          const RecurTensorInfo *t = recur_model_get_tensor (members[k], i);
          g_autofree char *name = member_tensor_name (k, n_members, t->name);

          recur_safetensors_add_borrowed (st, name, t->n_dims, t->shape, params + t->offset);
        }
    }
  if (n_members > 1)
    {
      char text[16];

      g_snprintf (text, sizeof text, "%u", n_members);
      recur_safetensors_set_metadata (st, "recur.ensemble", text);
    }
  write_settings (st, s, info, member_windows);
  if (member_windows)
    {
      g_autoptr(GString) list = g_string_new (NULL);

      for (guint k = 0; k < n_members; k++)
        g_string_append_printf (list, "%s%u", k ? "," : "",
                                recur_model_get_spec (members[k])->window);
      recur_safetensors_set_metadata (st, MEMBER_WINDOWS_KEY, list->str);
    }
  write_transform (st, &info->transform);
  write_covariates (st, &info->covariates);
  recur_safetensors_set_metadata (st, "recur.frequency", info->frequency ? info->frequency : "none");
  recur_safetensors_set_metadata (st, "recur.last_timestamp",
                                  info->last_timestamp ? info->last_timestamp : "");
  if (info->transform.spec.deseasonalise && info->last_phase < info->transform.season)
    {
      char text[16];

      g_snprintf (text, sizeof text, "%u", info->last_phase);
      recur_safetensors_set_metadata (st, "recur.last_phase", text);
    }
  recur_safetensors_set_metadata (st, "recur.version", PACKAGE_VERSION);
  return recur_safetensors_save (st, path, error);
}

/* ---- loading: each metadata field checked, with the file and key in the message -------- */

static const char *
require_key (const RecurSafetensors  *st,
             const char              *key,
             GError                 **error)
{
  const char *value = recur_safetensors_get_metadata (st, key);

  if (value == NULL)
    g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA,
                 _("%s: metadata “%s” is missing"), recur_safetensors_get_display_name (st), key);
  return value;
}

static gboolean
bad_value (const RecurSafetensors  *st,
           const char              *key,
           const char              *value,
           const char              *expected,
           GError                 **error)
{
  g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA,
               _("%s: metadata “%s” is “%s”, expected %s"),
               recur_safetensors_get_display_name (st), key, value, expected);
  return FALSE;
}

static gboolean
read_double (const RecurSafetensors  *st,
             const char              *key,
             double                  *out,
             GError                 **error)
{
  const char *value = require_key (st, key, error);
  char *end = NULL;

  if (value == NULL)
    return FALSE;
  *out = g_ascii_strtod (value, &end);
  if (*value != '\0' && end && *end == '\0' && isfinite (*out))
    return TRUE;
  return bad_value (st, key, value, _("a finite number"), error);
}

/* "zscore, minmax or none"; the cells as the files name them, "rnn_tanh, …, esn or clockwork" */
static char *
choices_text (const RecurSetting *setting)
{
  gboolean cells = setting->offset == G_STRUCT_OFFSET (RecurJobConfig, model.cell);
  guint n = g_strv_length ((char **) setting->choices);
  g_autoptr(GString) head = g_string_new (NULL);

  for (guint i = 0; i + 1 < n; i++)
    g_string_append_printf (head, "%s%s", i ? ", " : "",
                            cells ? recur_cell_to_string (i) : setting->choices[i]);
  /* TRANSLATORS: the last of a list of choices, "zscore, minmax or none" */
  return g_strdup_printf (_("%s or %s"), head->str,
                          cells ? recur_cell_to_string (n - 1) : setting->choices[n - 1]);
}

/* What a key's value should have been, from the schema. */
static char *
expected_text (const RecurSetting *setting)
{
  g_autofree char *range = recur_setting_format_range (setting);

  switch (setting->kind)
    {
    case RECUR_SETTING_UINT:
      return g_strdup_printf (_("an integer from %.0f to %.0f"), setting->lo, setting->hi);
    case RECUR_SETTING_SEED:
      return g_strdup (_("an integer from 0 to 18446744073709551615"));
    case RECUR_SETTING_DOUBLE:
    case RECUR_SETTING_FLOAT:
      return g_strdup_printf (_("a number with %s"), range);
    case RECUR_SETTING_CHOICE:
      return choices_text (setting);
    case RECUR_SETTING_LIST:
      return g_strdup (_(setting->list->expected));
    case RECUR_SETTING_NAMES:
      return g_strdup (_("column names separated by commas"));
    case RECUR_SETTING_BOOL:
    case RECUR_SETTING_COLUMN:
    default:
      return g_strdup ("“true” or “false”");
    }
}

/* Keys the first files did not have: their absence reads as the value they stood for then. */
static gboolean
is_optional (const RecurSetting *setting)
{
  static const char *const later[] = { "dropout", "seed", "column", "box-cox", "deseasonalise",
                                       "difference", "seasonal-difference", "window-norm",
                                       "inputs", "calendar", "step-outputs", "theta" };

  for (guint i = 0; i < G_N_ELEMENTS (later); i++)
    if (g_str_equal (setting->name, later[i]))
      return TRUE;
  return FALSE;
}

static gboolean
read_setting (const RecurSafetensors  *st,
              const RecurSetting      *setting,
              RecurJobConfig          *config,
              GError                 **error)
{
  const char *value = recur_safetensors_get_metadata (st, setting->weights_key);
  g_autofree char *expected = NULL;

  if (value == NULL)
    return is_optional (setting) || require_key (st, setting->weights_key, error) != NULL;
  if (recur_setting_parse (setting, value, NULL, config, NULL))
    return TRUE;
  expected = expected_text (setting);
  return bad_value (st, setting->weights_key, value, expected, error);
}

/* Every setting the file carries, into config; checked with the schema's ranges. */
static gboolean
read_settings (const RecurSafetensors  *st,
               RecurJobConfig          *config,
               GError                 **error)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);
  const RecurSetting *model = recur_settings_find ("model");

  recur_job_config_init (config);
  config->train.seed = 0; /* a file without a seed: 0, as the first files meant */
  config->transform = (RecurTransformSpec) { 0 }; /* without transform keys: none */
  if (!read_setting (st, model, config, error))
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (&settings[i] != model && carries (&settings[i], config->model.cell)
        && !(g_str_equal (settings[i].name, "window")
             && recur_safetensors_get_metadata (st, MEMBER_WINDOWS_KEY) != NULL)
        && !read_setting (st, &settings[i], config, error))
      return FALSE;
  return TRUE;
}

/* Each member's window: "recur.member_windows" (one per member, each a valid window for the
 * spec), else the spec's. */
static gboolean
read_member_windows (const RecurSafetensors  *st,
                     const RecurModelSpec    *spec,
                     guint                    n_members,
                     guint                   *windows,
                     GError                 **error)
{
  const char *text = recur_safetensors_get_metadata (st, MEMBER_WINDOWS_KEY);
  g_auto(GStrv) parts = NULL;
  g_autofree char *expected = NULL;

  for (guint k = 0; k < n_members; k++)
    windows[k] = spec->window;
  if (text == NULL)
    return TRUE;
  parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) == n_members)
    {
      gboolean ok = TRUE;

      for (guint k = 0; ok && k < n_members; k++)
        {
          RecurModelSpec member = *spec;
          guint64 w;

          ok = g_ascii_string_to_unsigned (parts[k], 10, 1, 100000, &w, NULL);
          member.window = (guint) w;
          ok = ok && recur_model_spec_validate (&member, NULL);
          windows[k] = member.window;
        }
      if (ok)
        return TRUE;
    }
  expected = g_strdup_printf (_("one window length per member (%u), each valid for the model"),
                              n_members);
  return bad_value (st, MEMBER_WINDOWS_KEY, text, expected, error);
}

/* key's n finite numbers (non-zero ones when nonzero), as set_doubles writes them; otherwise a
 * bad value, expected saying what it should have been. */
static gboolean
read_doubles (const RecurSafetensors  *st,
              const char              *key,
              guint                    n,
              gboolean                 nonzero,
              const char              *expected,
              double                  *out,
              GError                 **error)
{
  const char *text = require_key (st, key, error);
  g_auto(GStrv) parts = NULL;

  if (text == NULL)
    return FALSE;
  parts = g_strsplit (text, ",", -1);
  if (g_strv_length (parts) != n)
    return bad_value (st, key, text, expected, error);
  for (guint i = 0; i < n; i++)
    {
      char *end = NULL;

      out[i] = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (out[i]) || (nonzero && out[i] == 0.0))
        return bad_value (st, key, text, expected, error);
    }
  return TRUE;
}

/* The fitted transform's numbers, consistent with its settings (already in info->transform.spec). */
static gboolean
read_transform (const RecurSafetensors  *st,
                RecurTransform          *t,
                GError                 **error)
{
  gboolean beyond;
  const char *text;

  /* a λ when Box-Cox was applied: always when given, when the data allowed it when auto */
  if (t->spec.box_cox == RECUR_BOX_COX_GIVEN
      || recur_safetensors_get_metadata (st, "recur.box_cox_lambda") != NULL)
    {
      if (t->spec.box_cox == RECUR_BOX_COX_NONE)
        return bad_value (st, "recur.box_cox", "none", _("auto or given, as the file has a λ"),
                          error);
      if (!read_double (st, "recur.box_cox_lambda", &t->lambda, error))
        return FALSE;
      t->box_cox = TRUE;
    }
  beyond = transform_beyond_scaler (t);
  if (!read_double (st, beyond ? "recur.transformed_center" : "recur.scaler_center",
                    &t->scaler.center, error)
      || !read_double (st, beyond ? "recur.transformed_scale" : "recur.scaler_scale",
                       &t->scaler.scale, error))
    return FALSE;
  if (t->scaler.scale == 0.0)
    return bad_value (st, beyond ? "recur.transformed_scale" : "recur.scaler_scale", "0",
                      _("a non-zero number"), error);

  /* the season of the seasonal transforms, which need one, and of the Theta method's average,
   * which has none (1) without the key */
  t->season = 1;
  if (t->spec.seasonal_difference || t->spec.deseasonalise)
    {
      if (!(text = require_key (st, "recur.season", error)))
        return FALSE;
    }
  else if (t->spec.theta != RECUR_THETA_NONE)
    text = recur_safetensors_get_metadata (st, "recur.season");
  else
    text = NULL;
  if (text != NULL)
    {
      guint64 season;

      if (!g_ascii_string_to_unsigned (text, 10, 2,
                                       t->spec.deseasonalise ? RECUR_TRANSFORM_MAX_SEASON
                                                             : 1000000,
                                       &season, NULL))
        return bad_value (st, "recur.season", text, _("a season of at least 2 points"), error);
      t->season = (guint) season;
    }
  if (t->spec.deseasonalise
      && !read_doubles (st, "recur.seasonal_indices", t->season, FALSE,
                        _("one finite number per point of the season"), t->seasonal_index,
                        error))
    return FALSE;
  t->offset = (t->spec.difference ? 1 : 0) + (t->spec.seasonal_difference ? t->season : 0);
  return TRUE;
}

static gboolean
read_info (const RecurSafetensors  *st,
           RecurModelInfo          *info,
           GError                 **error)
{
  const char *text;

  if (!read_transform (st, &info->transform, error))
    return FALSE;
  text = recur_safetensors_get_metadata (st, "recur.frequency");
  info->frequency = g_strdup (text ? text : "none");
  text = recur_safetensors_get_metadata (st, "recur.last_timestamp");
  info->last_timestamp = g_strdup (text ? text : "");
  info->last_phase = G_MAXUINT;
  text = recur_safetensors_get_metadata (st, "recur.last_phase");
  if (text != NULL && info->transform.spec.deseasonalise)
    {
      guint64 phase;

      if (!g_ascii_string_to_unsigned (text, 10, 0, info->transform.season - 1, &phase, NULL))
        {
          g_autofree char *expected = g_strdup_printf (_("a phase from 0 to %u"),
                                                       info->transform.season - 1);
          return bad_value (st, "recur.last_phase", text, expected, error);
        }
      info->last_phase = (guint) phase;
    }
  return TRUE;
}

/* The covariates the settings name (config's inputs and calendar), with their fitted numbers;
 * the model's input size must be 1 + their channels. */
static gboolean
read_covariates (const RecurSafetensors  *st,
                 const RecurJobConfig    *config,
                 RecurCovariates         *c,
                 GError                 **error)
{
  guint n = config->inputs ? g_strv_length (config->inputs) : 0;
  const char *text;

  if (n > RECUR_MAX_COVARIATES)
    {
      g_autofree char *names = g_strjoinv (",", config->inputs);
      g_autofree char *expected = g_strdup_printf (_("at most %u column names"),
                                                   RECUR_MAX_COVARIATES);
      return bad_value (st, "recur.inputs", names, expected, error);
    }
  c->n_inputs = n;
  c->names = g_strdupv (config->inputs);
  if (n > 0)
    {
      double centers[RECUR_MAX_COVARIATES], scales[RECUR_MAX_COVARIATES];

      if (!read_doubles (st, "recur.input_centers", n, FALSE,
                         _("one finite number per input column"), centers, error)
          || !read_doubles (st, "recur.input_scales", n, TRUE,
                            _("one non-zero number per input column"), scales, error))
        return FALSE;
      for (guint i = 0; i < n; i++)
        c->scalers[i] = (RecurScaler) { RECUR_SCALER_ZSCORE, centers[i], scales[i] };
    }
  if (config->calendar)
    {
      text = require_key (st, "recur.calendar_cycles", error);
      if (text == NULL)
        return FALSE;
      if (!recur_calendar_from_string (text, &c->calendar) || c->calendar == 0)
        return bad_value (st, "recur.calendar_cycles", text,
                          _("cycles among day, week and year, such as “week,year”"), error);
    }
  if (config->model.step_outputs != (config->model.strategy == RECUR_STRATEGY_RECURSIVE
                                      ? 1 + n : 1))
    {
      char text_outputs[16];
      g_autofree char *expected = g_strdup_printf (_("%u: the target and the input columns it "
                                                     "forecasts too"),
                                                   config->model.strategy
                                                     == RECUR_STRATEGY_RECURSIVE ? 1 + n : 1);

      g_snprintf (text_outputs, sizeof text_outputs, "%u", config->model.step_outputs);
      return bad_value (st, "recur.step_outputs", text_outputs, expected, error);
    }
  if (config->model.input_size != 1 + recur_covariates_n_channels (c))
    {
      char text_size[16];
      g_autofree char *expected = g_strdup_printf (_("%u: the target and %u input channels"),
                                                   1 + recur_covariates_n_channels (c),
                                                   recur_covariates_n_channels (c));

      g_snprintf (text_size, sizeof text_size, "%u", config->model.input_size);
      return bad_value (st, "recur.input_size", text_size, expected, error);
    }
  return TRUE;
}

/* Whether the file's tensor `name` is one a member of the model has. */
static gboolean
is_member_tensor (const RecurModel *model,
                  guint             n_members,
                  const char       *name)
{
  const char *rest = name;
  guint64 k;
  char *end;

  if (n_members == 1)
    return recur_model_find_tensor (model, name) != NULL;
  if (!g_str_has_prefix (name, "members.") || !g_ascii_isdigit (name[8]))
    return FALSE;
  k = g_ascii_strtoull (name + 8, &end, 10);
  if (*end != '.' || k >= n_members)
    return FALSE;
  rest = end + 1;
  /* one spelling per member: "members.01.…" would be a second copy of member 1 */
  {
    g_autofree char *canonical = member_tensor_name ((guint) k, n_members, rest);
    if (!g_str_equal (canonical, name))
      return FALSE;
  }
  return recur_model_find_tensor (model, rest) != NULL;
}

/* Member k's tensors present with their shapes. */
static gboolean
read_tensors (const RecurSafetensors  *st,
              RecurModel              *model,
              guint                    k,
              guint                    n_members,
              GError                 **error)
{
  float *params = recur_model_get_params (model);

  for (guint i = 0; i < recur_model_get_n_tensors (model); i++)
    {
      const RecurTensorInfo *t = recur_model_get_tensor (model, i);
      g_autofree char *name = member_tensor_name (k, n_members, t->name);
      const float *data = recur_safetensors_get_checked (st, name, t->n_dims, t->shape, error);
      if (data == NULL)
        return FALSE;
      /* a NaN or an infinity would only come out later, as a forecast of NaN */
      for (gsize k = 0; k < t->count; k++)
        if (!isfinite (data[k]))
          {
            g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_NOT_FINITE,
                         _("%s: tensor “%s” holds %s at index %zu: weights must be finite numbers"),
                         recur_safetensors_get_display_name (st), name,
                         isnan (data[k]) ? "NaN" : data[k] > 0 ? "+inf" : "-inf", k);
            return FALSE;
          }
      memcpy (params + t->offset, data, t->count * sizeof (float));
    }
  return TRUE;
}

/* Nothing in the file but the members' tensors. */
static gboolean
check_no_other_tensors (const RecurSafetensors  *st,
                        const RecurModel        *model,
                        guint                    n_members,
                        GError                 **error)
{
  for (guint i = 0; i < recur_safetensors_get_n_tensors (st); i++)
    {
      const char *name = recur_safetensors_get_name (st, i);
      if (!is_member_tensor (model, n_members, name))
        {
          g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_SHAPE,
                       _("%s: tensor “%s” does not belong to a %s model with these metadata"),
                       recur_safetensors_get_display_name (st), name,
                       recur_cell_to_string (recur_model_get_spec (model)->cell));
          return FALSE;
        }
    }
  return TRUE;
}

/* "recur.ensemble": how many members the file holds; 1 without the key. */
static gboolean
read_n_members (const RecurSafetensors  *st,
                guint                   *n_members,
                GError                 **error)
{
  const char *text = recur_safetensors_get_metadata (st, "recur.ensemble");
  guint64 n;

  *n_members = 1;
  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 2, 1000, &n, NULL))
    return bad_value (st, "recur.ensemble", text, _("a whole number from 2 to 1000"), error);
  *n_members = (guint) n;
  return TRUE;
}

static GPtrArray *
members_from_safetensors (const RecurSafetensors  *st,
                          RecurModelInfo          *info,
                          GError                 **error)
{
  g_autoptr(GPtrArray) members = g_ptr_array_new_with_free_func ((GDestroyNotify) recur_model_free);
  RecurModelInfo local = { 0 };
  guint n_members;
  RecurModelSpec spec;
  RecurJobConfig config;
  guint64 in_file = 0;
  g_autofree guint *windows = NULL;

  if (!read_n_members (st, &n_members, error))
    return NULL;
  if (!read_settings (st, &config, error)) /* which initialises config, also when it fails */
    {
      recur_job_config_clear (&config);
      return NULL;
    }
  spec = config.model;
  windows = g_new (guint, n_members);
  if (!read_member_windows (st, &spec, n_members, windows, error))
    {
      recur_job_config_clear (&config);
      return NULL;
    }
  local.transform.spec = config.transform;
  local.transform.scaler.kind = config.transform.scaler;
  local.seed = config.train.seed;
  local.column = g_strdup (config.column ? config.column : "");
  if (!read_covariates (st, &config, &local.covariates, error))
    {
      recur_job_config_clear (&config);
      recur_model_info_clear (&local);
      return NULL;
    }
  recur_job_config_clear (&config);
  if (!read_info (st, &local, error))
    {
      recur_model_info_clear (&local);
      return NULL;
    }
  /* The file must hold the model's floats before the model is allocated: a hostile header
   * cannot make us allocate more than the file's size. */
  for (guint i = 0; i < recur_safetensors_get_n_tensors (st); i++)
    {
      guint n_dims;
      const guint64 *shape;
      guint64 count = 1;
      recur_safetensors_get (st, recur_safetensors_get_name (st, i), &n_dims, &shape);
      for (guint k = 0; k < n_dims; k++)
        count *= shape[k];
      in_file += count;
    }
  if (recur_model_spec_count_params (&spec) * n_members != in_file)
    {
      g_autofree char *described = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                    recur_model_spec_count_params (&spec)
                                                    * n_members);
      g_autofree char *held = g_strdup_printf ("%" G_GUINT64_FORMAT, in_file);
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_SHAPE,
                   _("%s: the metadata describe a model of %s parameters, but the file holds %s"),
                   recur_safetensors_get_display_name (st), described, held);
      recur_model_info_clear (&local);
      return NULL;
    }
  for (guint k = 0; k < n_members; k++)
    {
      RecurModel *model;

      spec.window = windows[k];
      model = recur_model_new (&spec, error);

      if (model != NULL)
        g_ptr_array_add (members, model);
      if (model == NULL || !read_tensors (st, model, k, n_members, error)
          || (k == 0 && !check_no_other_tensors (st, model, n_members, error)))
        {
          recur_model_info_clear (&local);
          return NULL;
        }
    }
  if (info)
    *info = local;
  else
    recur_model_info_clear (&local);
  return g_steal_pointer (&members);
}

static void
set_ensemble_error (GError     **error,
                    const char  *display_name,
                    guint        n_members)
{
  g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA,
               _("%s: holds an ensemble of %u networks where one was expected"), display_name,
               n_members);
}

RecurModel *
recur_model_take_single (GPtrArray   *members,
                         const char  *display_name,
                         GError     **error)
{
  g_autoptr(GPtrArray) owned = members;

  if (owned->len == 1)
    return g_ptr_array_steal_index (owned, 0);
  set_ensemble_error (error, display_name, owned->len);
  return NULL;
}

/* One network: an ensemble's file is refused, saying so, before its members are read. */
static RecurModel *
model_from_safetensors (const RecurSafetensors  *st,
                        RecurModelInfo          *info,
                        GError                 **error)
{
  guint n_members;
  GPtrArray *members;

  if (!read_n_members (st, &n_members, error))
    return NULL;
  if (n_members > 1)
    {
      set_ensemble_error (error, recur_safetensors_get_display_name (st), n_members);
      return NULL;
    }
  members = members_from_safetensors (st, info, error);
  return members ? recur_model_take_single (members, recur_safetensors_get_display_name (st),
                                            error)
                 : NULL;
}

RecurModel *
recur_model_load (const char      *path,
                  RecurModelInfo  *info,
                  GError         **error)
{
  g_autoptr(RecurSafetensors) st = recur_safetensors_load (path, error);

  return st ? model_from_safetensors (st, info, error) : NULL;
}

RecurModel *
recur_model_load_bytes (GBytes          *bytes,
                        const char      *display_name,
                        RecurModelInfo  *info,
                        GError         **error)
{
  g_autoptr(RecurSafetensors) st = recur_safetensors_new_from_bytes (bytes, display_name, error);

  return st ? model_from_safetensors (st, info, error) : NULL;
}

GPtrArray *
recur_model_load_members (const char      *path,
                          RecurModelInfo  *info,
                          GError         **error)
{
  g_autoptr(RecurSafetensors) st = recur_safetensors_load (path, error);

  return st ? members_from_safetensors (st, info, error) : NULL;
}

GPtrArray *
recur_model_load_members_bytes (GBytes          *bytes,
                                const char      *display_name,
                                RecurModelInfo  *info,
                                GError         **error)
{
  g_autoptr(RecurSafetensors) st = recur_safetensors_new_from_bytes (bytes, display_name, error);

  return st ? members_from_safetensors (st, info, error) : NULL;
}

/* How far past a file's end recur_model_info_place_series looks for the training data's last
 * date: a century of days, and more than any series here has rows. */
#define MAX_PLACE_STEPS 36600

gboolean
recur_model_info_place_series (RecurModelInfo     *info,
                               const RecurSeries  *series,
                               GError            **error)
{
  RecurTransform *t = &info->transform;
  guint n = recur_series_get_n_rows (series);

  t->phase = 0;
  if (!t->spec.deseasonalise || t->season < 2 || info->last_phase == G_MAXUINT
      || recur_series_get_time_column (series) < 0 || info->last_timestamp == NULL
      || *info->last_timestamp == '\0')
    return TRUE;
  const gint64 *ts = recur_series_get_timestamps (series);

  for (guint j = n; j-- > 0;)
    {
      g_autofree char *when = recur_series_format_timestamp (series, ts[j]);
      if (g_str_equal (when, info->last_timestamp))
        {
          /* row j is the training data's last row: its phase is last_phase */
          t->phase = (info->last_phase + t->season - j % t->season) % t->season;
          return TRUE;
        }
    }
  /* a file that ends before the training data did (forecasting from an earlier point): the
   * training data's last date lies k periods after its last row. ISO dates of one form sort as
   * strings: past it, it is not there. */
  for (guint64 k = 1; n > 0 && k <= MAX_PLACE_STEPS; k++)
    {
      g_autofree char *when =
        recur_series_format_timestamp (series,
                                       recur_series_advance_timestamp (series, ts[n - 1],
                                                                       (guint) k));
      int order = strcmp (when, info->last_timestamp);

      if (order == 0)
        {
          guint64 row = (guint64) n - 1 + k;
          t->phase = (guint) ((info->last_phase + t->season - row % t->season) % t->season);
          return TRUE;
        }
      if (order > 0 && strlen (when) == strlen (info->last_timestamp))
        break;
    }
  g_set_error (error, RECUR_DATASET_ERROR, RECUR_DATASET_ERROR_INVALID,
               _("%s: the model removes a season of %u points by phase, counted along the "
                 "training data; this file does not hold the training data’s last date (%s), "
                 "so its rows cannot be placed in that season"),
               recur_series_get_path (series), t->season, info->last_timestamp);
  return FALSE;
}
