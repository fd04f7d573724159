/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-model-io.h"
#include "recur-safetensors.h"

void
recur_model_info_clear (RecurModelInfo *info)
{
  g_clear_pointer (&info->column, g_free);
  g_clear_pointer (&info->frequency, g_free);
  g_clear_pointer (&info->last_timestamp, g_free);
}

static void
set_uint (RecurSafetensors *st,
          const char       *key,
          guint64           value)
{
  g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, value);
  recur_safetensors_set_metadata (st, key, text);
}

static void
set_double (RecurSafetensors *st,
            const char       *key,
            double            value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  recur_safetensors_set_metadata (st, key, g_ascii_dtostr (buf, sizeof buf, value));
}

gboolean
recur_model_save (const RecurModel      *model,
                  const RecurModelInfo  *info,
                  const char            *path,
                  GError               **error)
{
  const RecurModelSpec *s = recur_model_get_spec (model);
  const float *params = recur_model_peek_params (model);
  g_autoptr(RecurSafetensors) st = recur_safetensors_new ();

  for (guint i = 0; i < recur_model_get_n_tensors (model); i++)
    {
      const RecurTensorInfo *t = recur_model_get_tensor (model, i);
      recur_safetensors_add_borrowed (st, t->name, t->n_dims, t->shape, params + t->offset);
    }
  recur_safetensors_set_metadata (st, "recur.cell", recur_cell_to_string (s->cell));
  set_uint (st, "recur.input_size", s->input_size);
  set_uint (st, "recur.hidden_size", s->hidden_size);
  set_uint (st, "recur.num_layers", s->num_layers);
  recur_safetensors_set_metadata (st, "recur.bidirectional", s->bidirectional ? "true" : "false");
  recur_safetensors_set_metadata (st, "recur.bias", s->bias ? "true" : "false");
  set_double (st, "recur.dropout", s->dropout);
  set_uint (st, "recur.window", s->window);
  set_uint (st, "recur.horizon", s->horizon);
  recur_safetensors_set_metadata (st, "recur.strategy", recur_strategy_to_string (s->strategy));
  if (s->cell == RECUR_CELL_JORDAN)
    recur_safetensors_set_metadata (st, "recur.jordan_feedback",
                                    recur_jordan_feedback_to_string (s->jordan_feedback));
  if (s->cell == RECUR_CELL_ESN)
    {
      set_double (st, "recur.connectivity", s->esn.connectivity);
      set_double (st, "recur.spectral_radius", s->esn.spectral_radius);
      set_double (st, "recur.input_scaling", s->esn.input_scaling);
      set_double (st, "recur.leak", s->esn.leak);
      set_uint (st, "recur.washout", s->esn.washout);
      set_double (st, "recur.ridge", s->esn.ridge);
    }
  if (s->cell == RECUR_CELL_CLOCKWORK)
    {
      g_autofree char *periods = recur_periods_to_string (s->periods, s->n_periods);
      recur_safetensors_set_metadata (st, "recur.periods", periods);
    }
  recur_safetensors_set_metadata (st, "recur.scaler", recur_scaler_kind_to_string (info->scaler.kind));
  set_double (st, "recur.scaler_center", info->scaler.center);
  set_double (st, "recur.scaler_scale", info->scaler.scale);
  recur_safetensors_set_metadata (st, "recur.column", info->column ? info->column : "");
  recur_safetensors_set_metadata (st, "recur.frequency", info->frequency ? info->frequency : "none");
  recur_safetensors_set_metadata (st, "recur.last_timestamp",
                                  info->last_timestamp ? info->last_timestamp : "");
  set_uint (st, "recur.seed", info->seed);
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
read_uint (const RecurSafetensors  *st,
           const char              *key,
           guint64                  min,
           guint64                  max,
           guint64                 *out,
           GError                 **error)
{
  const char *value = require_key (st, key, error);
  g_autofree char *expected = NULL;

  if (value == NULL)
    return FALSE;
  if (g_ascii_string_to_unsigned (value, 10, min, max, out, NULL))
    return TRUE;
  {
    /* numbers formatted apart: xgettext cannot see through G_GUINT64_FORMAT */
    g_autofree char *lo = g_strdup_printf ("%" G_GUINT64_FORMAT, min);
    g_autofree char *hi = g_strdup_printf ("%" G_GUINT64_FORMAT, max);
    expected = g_strdup_printf (_("an integer from %s to %s"), lo, hi);
  }
  return bad_value (st, key, value, expected, error);
}

static gboolean
read_bool (const RecurSafetensors  *st,
           const char              *key,
           gboolean                *out,
           GError                 **error)
{
  const char *value = require_key (st, key, error);

  if (value == NULL)
    return FALSE;
  if (g_str_equal (value, "true") || g_str_equal (value, "false"))
    {
      *out = g_str_equal (value, "true");
      return TRUE;
    }
  return bad_value (st, key, value, "“true” or “false”", error);
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

static gboolean
read_spec (const RecurSafetensors  *st,
           RecurModelSpec          *spec,
           GError                 **error)
{
  const char *cell, *strategy;
  guint64 v;
  double dropout = 0.0;

  recur_model_spec_init (spec);
  if (!(cell = require_key (st, "recur.cell", error)))
    return FALSE;
  if (!recur_cell_from_string (cell, &spec->cell))
    return bad_value (st, "recur.cell", cell,
                      "rnn_tanh, rnn_relu, lstm, gru, jordan, esn or clockwork", error);
  if (!read_uint (st, "recur.input_size", 1, 4096, &v, error))
    return FALSE;
  spec->input_size = (guint) v;
  if (!read_uint (st, "recur.hidden_size", 1, 8192, &v, error))
    return FALSE;
  spec->hidden_size = (guint) v;
  if (!read_uint (st, "recur.num_layers", 1, 16, &v, error))
    return FALSE;
  spec->num_layers = (guint) v;
  if (!read_bool (st, "recur.bidirectional", &spec->bidirectional, error)
      || !read_bool (st, "recur.bias", &spec->bias, error))
    return FALSE;
  if (recur_safetensors_get_metadata (st, "recur.dropout")
      && !read_double (st, "recur.dropout", &dropout, error))
    return FALSE;
  spec->dropout = (float) dropout;
  if (!read_uint (st, "recur.window", 1, 100000, &v, error))
    return FALSE;
  spec->window = (guint) v;
  if (!read_uint (st, "recur.horizon", 1, 100000, &v, error))
    return FALSE;
  spec->horizon = (guint) v;
  if (!(strategy = require_key (st, "recur.strategy", error)))
    return FALSE;
  if (!recur_strategy_from_string (strategy, &spec->strategy))
    return bad_value (st, "recur.strategy", strategy, "direct or recursive", error);
  if (spec->cell == RECUR_CELL_JORDAN)
    {
      const char *feedback = require_key (st, "recur.jordan_feedback", error);
      if (feedback == NULL)
        return FALSE;
      if (!recur_jordan_feedback_from_string (feedback, &spec->jordan_feedback))
        return bad_value (st, "recur.jordan_feedback", feedback, "teacher or free", error);
    }
  if (spec->cell == RECUR_CELL_ESN)
    {
      double c, rho, scaling, leak;
      if (!read_double (st, "recur.connectivity", &c, error)
          || !read_double (st, "recur.spectral_radius", &rho, error)
          || !read_double (st, "recur.input_scaling", &scaling, error)
          || !read_double (st, "recur.leak", &leak, error)
          || !read_uint (st, "recur.washout", 0, 100000, &v, error)
          || !read_double (st, "recur.ridge", &spec->esn.ridge, error))
        return FALSE;
      spec->esn.connectivity = (float) c;
      spec->esn.spectral_radius = (float) rho;
      spec->esn.input_scaling = (float) scaling;
      spec->esn.leak = (float) leak;
      spec->esn.washout = (guint) v;
    }
  if (spec->cell == RECUR_CELL_CLOCKWORK)
    {
      const char *periods = require_key (st, "recur.periods", error);
      if (periods == NULL)
        return FALSE;
      if (!recur_periods_from_string (periods, spec->periods, &spec->n_periods))
        return bad_value (st, "recur.periods", periods,
                          _("1 to 16 comma-separated periods, such as 1,2,4,8"), error);
    }
  return TRUE;
}

static gboolean
read_info (const RecurSafetensors  *st,
           RecurModelInfo          *info,
           GError                 **error)
{
  const char *scaler, *text;
  guint64 seed = 0;

  if (!(scaler = require_key (st, "recur.scaler", error)))
    return FALSE;
  if (!recur_scaler_kind_from_string (scaler, &info->scaler.kind))
    return bad_value (st, "recur.scaler", scaler, "zscore, minmax or none", error);
  if (!read_double (st, "recur.scaler_center", &info->scaler.center, error)
      || !read_double (st, "recur.scaler_scale", &info->scaler.scale, error))
    return FALSE;
  if (info->scaler.scale == 0.0)
    return bad_value (st, "recur.scaler_scale", "0", _("a non-zero number"), error);
  if (recur_safetensors_get_metadata (st, "recur.seed")
      && !read_uint (st, "recur.seed", 0, G_MAXUINT64, &seed, error))
    return FALSE;
  info->seed = seed;
  text = recur_safetensors_get_metadata (st, "recur.column");
  info->column = g_strdup (text ? text : "");
  text = recur_safetensors_get_metadata (st, "recur.frequency");
  info->frequency = g_strdup (text ? text : "none");
  text = recur_safetensors_get_metadata (st, "recur.last_timestamp");
  info->last_timestamp = g_strdup (text ? text : "");
  return TRUE;
}

/* Every expected tensor present with its shape, and nothing else. */
static gboolean
read_tensors (const RecurSafetensors  *st,
              RecurModel              *model,
              GError                 **error)
{
  float *params = recur_model_get_params (model);

  for (guint i = 0; i < recur_model_get_n_tensors (model); i++)
    {
      const RecurTensorInfo *t = recur_model_get_tensor (model, i);
      const float *data = recur_safetensors_get_checked (st, t->name, t->n_dims, t->shape, error);
      if (data == NULL)
        return FALSE;
      /* a NaN or an infinity would only come out later, as a forecast of NaN */
      for (gsize k = 0; k < t->count; k++)
        if (!isfinite (data[k]))
          {
            g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_NOT_FINITE,
                         _("%s: tensor “%s” holds %s at index %zu: weights must be finite numbers"),
                         recur_safetensors_get_display_name (st), t->name,
                         isnan (data[k]) ? "NaN" : data[k] > 0 ? "+inf" : "-inf", k);
            return FALSE;
          }
      memcpy (params + t->offset, data, t->count * sizeof (float));
    }
  for (guint i = 0; i < recur_safetensors_get_n_tensors (st); i++)
    {
      const char *name = recur_safetensors_get_name (st, i);
      if (recur_model_find_tensor (model, name) == NULL)
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

static RecurModel *
model_from_safetensors (const RecurSafetensors  *st,
                        RecurModelInfo          *info,
                        GError                 **error)
{
  g_autoptr(RecurModel) model = NULL;
  RecurModelInfo local = { 0 };
  RecurModelSpec spec;
  guint64 in_file = 0;

  if (!read_spec (st, &spec, error))
    return NULL;
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
  if (recur_model_spec_count_params (&spec) != in_file)
    {
      g_autofree char *described = g_strdup_printf ("%" G_GUINT64_FORMAT,
                                                    recur_model_spec_count_params (&spec));
      g_autofree char *held = g_strdup_printf ("%" G_GUINT64_FORMAT, in_file);
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_SHAPE,
                   _("%s: the metadata describe a model of %s parameters, but the file holds %s"),
                   recur_safetensors_get_display_name (st), described, held);
      recur_model_info_clear (&local);
      return NULL;
    }
  model = recur_model_new (&spec, error);
  if (model == NULL || !read_tensors (st, model, error))
    {
      recur_model_info_clear (&local);
      return NULL;
    }
  if (info)
    *info = local;
  else
    recur_model_info_clear (&local);
  return g_steal_pointer (&model);
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
