/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RecurJobConfig: its defaults, and the configuration as JSON. The schema of settings
 * (recur-settings.c) drives writing, reading and validation. */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-job-config.h"
#include "recur-settings.h"

/* 2: the target transforms; a file of version 1 (or none) meant none of them */
#define CONFIG_VERSION 2

G_DEFINE_QUARK (recur-job-config-error-quark, recur_job_config_error)

void
recur_job_config_init (RecurJobConfig *config)
{
  *config = (RecurJobConfig) {
    .column = NULL,
    .missing = RECUR_MISSING_INTERPOLATE,
    .transform = {
      .box_cox = RECUR_BOX_COX_NONE,
      .lambda = 0,
      .scaler = RECUR_SCALER_ZSCORE,
      /* every cell forecasts a level it never saw, as ES-RNN, N-BEATS and DeepAR; the mean,
       * not the last value, which a Jordan network's one input would always see as 0 */
      .window_norm = RECUR_WINDOW_NORM_MEAN,
    },
    .val_fraction = 0.1,
    .season = 0,
    .ensemble = 1,
  };
  recur_model_spec_init (&config->model);
  recur_train_spec_init (&config->train);
}

void
recur_job_config_clear (RecurJobConfig *config)
{
  g_clear_pointer (&config->column, g_free);
  g_clear_pointer (&config->inputs, g_strfreev);
}

void
recur_job_config_copy (RecurJobConfig       *dest,
                       const RecurJobConfig *src)
{
  *dest = *src;
  dest->column = g_strdup (src->column);
  dest->inputs = g_strdupv (src->inputs);
}

guint
recur_job_config_max_epochs (const RecurJobConfig *config)
{
  return recur_cell_is_one_shot (config->model.cell) ? 1 : config->train.epochs;
}

guint
recur_job_config_member_window (const RecurJobConfig *config,
                                guint                 k)
{
  guint n = config->n_ensemble_windows;

  return n > 0 && config->ensemble > 1 ? config->ensemble_windows[k % n] : config->model.window;
}

gboolean
recur_job_config_validate (const RecurJobConfig  *config,
                           GError               **error)
{
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint i = 0; i < n; i++)
    if (!recur_setting_validate (&settings[i], config, error))
      return FALSE;
  return TRUE;
}

/* ---- writing ----------------------------------------------------------------------------- */

JsonNode *
recur_job_config_to_json (const RecurJobConfig *config)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  g_return_val_if_fail (config != NULL, NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, CONFIG_VERSION);
  for (guint i = 0; i < n; i++)
    {
      json_builder_set_member_name (b, settings[i].name);
      recur_setting_write_json (&settings[i], config, b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- reading ----------------------------------------------------------------------------- */

static gboolean
value_of_type (JsonNode *node,
               GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
check_version (JsonObject  *object,
               gint64      *version,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, "version");

  *version = 1;
  if (node == NULL)
    return TRUE; /* the first files had none */
  if (!value_of_type (node, G_TYPE_INT64) || json_node_get_int (node) < 1)
    {
      g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_TYPE,
                   _("“version”: expected a positive integer"));
      return FALSE;
    }
  if (json_node_get_int (node) > CONFIG_VERSION)
    {
      g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VERSION,
                   _("configuration version %" PRId64 " is newer than this Recur "
                     "reads (%d): update Recur"), json_node_get_int (node), CONFIG_VERSION);
      return FALSE;
    }
  *version = json_node_get_int (node);
  return TRUE;
}

/* The model comes first: a missing field takes its cell's default (an ESN's larger hidden). */
static gboolean
read_model (JsonObject      *object,
            RecurJobConfig  *config,
            GError         **error)
{
  JsonNode *node = json_object_get_member (object, "model");

  if (node && !recur_setting_read_json (recur_settings_find ("model"), node, NULL, config, error))
    return FALSE;
  recur_model_spec_init_for_cell (&config->model, config->model.cell);
  return TRUE;
}

/* Then the optimiser: a missing field takes its kind's default (AdamW's weight decay of 0.01),
 * as on the command line and in a sweep. */
static gboolean
read_optimizer (JsonObject      *object,
                RecurJobConfig  *config,
                GError         **error)
{
  JsonNode *node = json_object_get_member (object, "optimizer");

  if (node && !recur_setting_read_json (recur_settings_find ("optimizer"), node, NULL, config, error))
    return FALSE;
  recur_optimizer_spec_init (&config->train.optimizer, config->train.optimizer.kind,
                             config->train.optimizer.lr);
  return TRUE;
}

gboolean
recur_job_config_set_field (RecurJobConfig  *config,
                            const char      *field,
                            JsonNode        *value,
                            GError         **error)
{
  const RecurSetting *s = recur_settings_find (field);

  if (s == NULL || recur_setting_is_alias (s, field))
    {
      g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_UNKNOWN_FIELD,
                   _("unknown field “%s”"), field);
      return FALSE;
    }
  return recur_setting_read_json (s, value, NULL, config, error);
}

const char *const *
recur_job_config_field_choices (const char *field)
{
  const RecurSetting *s = recur_settings_find (field);

  return s && s->kind == RECUR_SETTING_CHOICE ? s->choices : NULL;
}

gboolean
recur_job_config_from_json (JsonNode        *node,
                            RecurJobConfig  *config,
                            GError         **error)
{
  JsonObject *object;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;
  gint64 version;

  recur_job_config_init (config);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_TYPE,
                   _("a configuration must be a JSON object"));
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!check_version (object, &version, error) || !read_model (object, config, error)
      || !read_optimizer (object, config, error))
    goto fail;
  /* a summary, project or --config file of version 1 repeats its run: no transform but its
   * scaler, whatever today's defaults are */
  if (version < 2)
    config->transform = (RecurTransformSpec) { .scaler = config->transform.scaler };

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      const RecurSetting *s = recur_settings_find (name);

      if (g_str_equal (name, "version") || g_str_equal (name, "model")
          || g_str_equal (name, "optimizer"))
        continue;
      if (s == NULL || recur_setting_is_alias (s, name))
        {
          g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_UNKNOWN_FIELD,
                       _("unknown field “%s”"), name);
          goto fail;
        }
      if (!recur_setting_read_json (s, member, NULL, config, error))
        goto fail;
    }
  return TRUE;

fail:
  recur_job_config_clear (config);
  recur_job_config_init (config);
  return FALSE;
}
