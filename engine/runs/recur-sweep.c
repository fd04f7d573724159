/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Hyperparameter sweeps: parsing `--grid` and `--bounds` specs, and expanding them into the
 * configurations of the runs. A value is applied through recur_job_config_set_field, so its
 * checks and messages are the configuration file's. */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "recur-job-config.h"
#include "recur-jsonutil.h"
#include "recur-model.h"
#include "recur-rng.h"
#include "recur-settings.h"
#include "recur-sweep.h"

G_DEFINE_QUARK (recur-sweep-error-quark, recur_sweep_error)

/* The schema's sweepable settings, in its order, which is also the order they are applied in,
 * whatever order the sweep gives them: "model" and "optimizer" reset their kind's defaults, so
 * they come before "hidden", "lr", "momentum" and "weight-decay". */
static RecurSweepParam params[64];
static guint n_params;

static RecurSweepParamKind
param_kind (const RecurSetting *setting)
{
  switch (setting->kind)
    {
    case RECUR_SETTING_UINT:
    case RECUR_SETTING_SEED:
      return RECUR_SWEEP_PARAM_INT;
    case RECUR_SETTING_DOUBLE:
    case RECUR_SETTING_FLOAT:
      return RECUR_SWEEP_PARAM_FLOAT;
    case RECUR_SETTING_BOOL:
      return RECUR_SWEEP_PARAM_BOOL;
    case RECUR_SETTING_CHOICE:
    case RECUR_SETTING_COLUMN:
    case RECUR_SETTING_LIST:
    case RECUR_SETTING_NAMES:
    default:
      return RECUR_SWEEP_PARAM_CHOICE;
    }
}

static void
ensure_params (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      guint n;
      const RecurSetting *settings = recur_settings_list (&n);

      for (guint i = 0; i < n; i++)
        if (settings[i].flags & RECUR_SETTING_SWEEPABLE)
          {
            g_assert (n_params < G_N_ELEMENTS (params));
            params[n_params++] = (RecurSweepParam) { settings[i].name, param_kind (&settings[i]) };
          }
      g_once_init_leave (&done, 1);
    }
}

static const char *const bool_choices[] = { "false", "true", NULL };

/* Integers a double holds exactly: enough for seeds typed on a command line. */
#define MAX_EXACT_INT 9007199254740992.0

typedef enum
{
  SHAPE_LIST, /* grid: these values; random: one of them */
  SHAPE_LIN,  /* random: uniform in [lo, hi] */
  SHAPE_LOG,  /* random: log-uniform in [lo, hi] */
} Shape;

typedef struct
{
  const RecurSweepParam *param;
  Shape                  shape;
  GArray                *values;  /* double */
  double                 lo, hi;
} Axis;

struct _RecurSweep
{
  RecurJobConfig base;
  Axis           axes[RECUR_SWEEP_MAX_PARAMS];
  guint          n_axes;
  gboolean       has_grid;
  gboolean       has_bounds;
  gboolean       random;
  guint          n_samples;
  guint64        seed;
};

const RecurSweepParam *
recur_sweep_list_params (guint *n)
{
  ensure_params ();
  *n = n_params;
  return params;
}

const RecurSweepParam *
recur_sweep_find_param (const char *name)
{
  ensure_params ();
  for (guint i = 0; i < n_params; i++)
    if (g_strcmp0 (params[i].name, name) == 0)
      return &params[i];
  return NULL;
}

const char *const *
recur_sweep_param_get_choices (const RecurSweepParam *param)
{
  if (param->kind == RECUR_SWEEP_PARAM_BOOL)
    return bool_choices;
  if (param->kind == RECUR_SWEEP_PARAM_CHOICE)
    return recur_job_config_field_choices (param->name);
  return NULL;
}

/* ---- one value ----------------------------------------------------------------------------- */

static char *
value_text (const RecurSweepParam *param,
            double                 number)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  switch (param->kind)
    {
    case RECUR_SWEEP_PARAM_INT:
      return g_strdup_printf ("%.0f", number);
    case RECUR_SWEEP_PARAM_FLOAT:
      recur_format_double (buf, sizeof buf, number);
      return g_strdup (buf);
    case RECUR_SWEEP_PARAM_CHOICE:
    case RECUR_SWEEP_PARAM_BOOL:
    default:
      return g_strdup (recur_sweep_param_get_choices (param)[(guint) number]);
    }
}

static JsonNode *
value_node (const RecurSweepParam *param,
            double                 number)
{
  JsonNode *node = json_node_alloc ();

  switch (param->kind)
    {
    case RECUR_SWEEP_PARAM_INT:
      return json_node_init_int (node, (gint64) number);
    case RECUR_SWEEP_PARAM_FLOAT:
      return json_node_init_double (node, number);
    case RECUR_SWEEP_PARAM_BOOL:
      return json_node_init_boolean (node, number != 0);
    case RECUR_SWEEP_PARAM_CHOICE:
    default:
      return json_node_init_string (node, recur_sweep_param_get_choices (param)[(guint) number]);
    }
}

/* A new optimiser takes PyTorch's defaults for it (AdamW's weight decay of 0.01), keeping the
 * learning rate, the momentum and a weight decay that differs from the old one's default. */
static void
reset_optimizer (RecurOptimizerSpec       *spec,
                 const RecurOptimizerSpec *before)
{
  RecurOptimizerSpec old_defaults;

  recur_optimizer_spec_init (&old_defaults, before->kind, before->lr);
  recur_optimizer_spec_init (spec, spec->kind, before->lr);
  spec->momentum = before->momentum;
  spec->nesterov = before->nesterov;
  spec->beta1 = before->beta1;
  spec->beta2 = before->beta2;
  spec->eps = before->eps;
  spec->alpha = before->alpha;
  if (before->weight_decay != old_defaults.weight_decay)
    spec->weight_decay = before->weight_decay;
}

/* A new cell takes its own defaults (an ESN's 100 units, a Jordan network's recursive
 * strategy) where the run had the old cell's, as `recur train --model` and the panel give them;
 * a value that differs from the old cell's default was chosen, and stays. */
static void
reset_cell (RecurModelSpec *spec,
            RecurCellKind   before)
{
  RecurModelSpec old_defaults, new_defaults;

  recur_model_spec_init_for_cell (&old_defaults, before);
  recur_model_spec_init_for_cell (&new_defaults, spec->cell);
  if (spec->hidden_size == old_defaults.hidden_size)
    spec->hidden_size = new_defaults.hidden_size;
  if (spec->strategy == old_defaults.strategy)
    spec->strategy = new_defaults.strategy;
}

static gboolean
apply_value (RecurJobConfig         *config,
             const RecurSweepParam  *param,
             double                  number,
             GError                **error)
{
  g_autoptr(JsonNode) node = value_node (param, number);
  RecurOptimizerSpec before = config->train.optimizer;
  RecurCellKind cell_before = config->model.cell;

  if (!recur_job_config_set_field (config, param->name, node, error))
    return FALSE;
  if (g_str_equal (param->name, "optimizer"))
    reset_optimizer (&config->train.optimizer, &before);
  if (g_str_equal (param->name, "model"))
    reset_cell (&config->model, cell_before);
  return TRUE;
}

static gboolean
bad_value (const char  *spec,
           GError     **error,
           const char  *format,
           ...) G_GNUC_PRINTF (3, 4);

static gboolean
bad_value (const char  *spec,
           GError     **error,
           const char  *format,
           ...)
{
  g_autofree char *message = NULL;
  va_list ap;

  va_start (ap, format);
  message = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_BAD_VALUE, "“%s”: %s", spec, message);
  return FALSE;
}

static gboolean
parse_bool (const char *text,
            double     *number)
{
  static const char *const yes[] = { "true", "yes", "on", "1" };
  static const char *const no[] = { "false", "no", "off", "0" };

  for (guint i = 0; i < G_N_ELEMENTS (yes); i++)
    if (g_ascii_strcasecmp (text, yes[i]) == 0 || g_ascii_strcasecmp (text, no[i]) == 0)
      {
        *number = g_ascii_strcasecmp (text, yes[i]) == 0;
        return TRUE;
      }
  return FALSE;
}

static gboolean
parse_choice (const RecurSweepParam *param,
              const char            *text,
              double                *number)
{
  const char *const *choices = recur_sweep_param_get_choices (param);
  RecurCellKind cell;

  if (g_str_equal (param->name, "model") && recur_cell_from_option (text, &cell))
    {
      *number = cell;
      return TRUE;
    }
  for (guint i = 0; choices[i]; i++)
    if (g_str_equal (text, choices[i]))
      {
        *number = i;
        return TRUE;
      }
  return FALSE;
}

/* Parses one value of param from text and checks it against base with that value set. */
static gboolean
parse_value (const RecurSweepParam  *param,
             const RecurJobConfig   *base,
             const char             *spec,
             const char             *text,
             double                 *number,
             GError                **error)
{
  RecurJobConfig scratch;
  g_autoptr(GError) local = NULL;
  gint64 i;
  char *end;
  gboolean ok;

  switch (param->kind)
    {
    case RECUR_SWEEP_PARAM_INT:
      if (!g_ascii_string_to_signed (text, 10, -(gint64) MAX_EXACT_INT, (gint64) MAX_EXACT_INT,
                                     &i, NULL))
        {
          guint64 big;

          /* a swept value is a double: integers beyond 2⁵³ would not stay exact */
          if (g_ascii_string_to_unsigned (text[0] == '-' ? text + 1 : text, 10, 0, G_MAXUINT64,
                                          &big, NULL))
            return bad_value (spec, error,
                              _("%s: “%s” is beyond what a sweep takes (integers up to %.0f)"),
                              param->name, text, MAX_EXACT_INT);
          return bad_value (spec, error, _("%s: “%s” is not an integer"), param->name, text);
        }
      *number = (double) i;
      break;
    case RECUR_SWEEP_PARAM_FLOAT:
      *number = g_ascii_strtod (text, &end);
      if (*text == '\0' || *end != '\0' || !isfinite (*number))
        return bad_value (spec, error, _("%s: “%s” is not a number"), param->name, text);
      break;
    case RECUR_SWEEP_PARAM_BOOL:
      if (!parse_bool (text, number))
        return bad_value (spec, error, _("%s: “%s” is not true or false"), param->name, text);
      break;
    case RECUR_SWEEP_PARAM_CHOICE:
    default:
      if (!parse_choice (param, text, number))
        {
          g_autofree char *choices =
            g_strjoinv (", ", (char **) recur_sweep_param_get_choices (param));
          return bad_value (spec, error, _("%s: unknown value “%s” (choose %s)"), param->name,
                            text, choices);
        }
      break;
    }

  recur_job_config_copy (&scratch, base);
  ok = apply_value (&scratch, param, *number, &local);
  recur_job_config_clear (&scratch);
  if (!ok)
    return bad_value (spec, error, "%s", local->message);
  return TRUE;
}

/* ---- specs --------------------------------------------------------------------------------- */

RecurSweep *
recur_sweep_new (const RecurJobConfig *base)
{
  RecurSweep *self = g_new0 (RecurSweep, 1);

  recur_job_config_copy (&self->base, base);
  return self;
}

void
recur_sweep_free (RecurSweep *self)
{
  if (self == NULL)
    return;
  for (guint i = 0; i < self->n_axes; i++)
    g_array_unref (self->axes[i].values);
  recur_job_config_clear (&self->base);
  g_free (self);
}

/* Splits "name=rest", finds the parameter and a free axis for it. */
static Axis *
new_axis (RecurSweep  *self,
          const char  *spec,
          const char **rest,
          GError     **error)
{
  const char *eq = strchr (spec, '=');
  g_autofree char *name = NULL;
  const RecurSweepParam *param;
  Axis *axis;

  if (eq == NULL || eq == spec || eq[1] == '\0')
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_SYNTAX,
                   _("“%s”: expected NAME=VALUES, such as hidden=16,32,64 or "
                     "lr=1e-3:1e-1:log:5"), spec);
      return NULL;
    }
  name = g_strndup (spec, eq - spec);
  param = recur_sweep_find_param (name);
  if (param == NULL)
    {
      g_autoptr(GString) names = g_string_new (NULL);
      ensure_params ();
      for (guint i = 0; i < n_params; i++)
        g_string_append_printf (names, "%s%s", i ? ", " : "", params[i].name);
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_UNKNOWN_PARAM,
                   _("“%s”: %s cannot be swept (sweep %s)"), spec, name, names->str);
      return NULL;
    }
  for (guint i = 0; i < self->n_axes; i++)
    if (self->axes[i].param == param)
      {
        g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_DUPLICATE,
                     _("“%s”: %s is swept twice"), spec, name);
        return NULL;
      }
  if (self->n_axes == RECUR_SWEEP_MAX_PARAMS)
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_TOO_MANY,
                   _("“%s”: a sweep varies at most %d parameters"), spec,
                   RECUR_SWEEP_MAX_PARAMS);
      return NULL;
    }
  axis = &self->axes[self->n_axes];
  *axis = (Axis) { .param = param, .shape = SHAPE_LIST };
  *rest = eq + 1;
  return axis;
}

static gboolean
parse_list (RecurSweep  *self,
            Axis        *axis,
            const char  *spec,
            const char  *text,
            GError     **error)
{
  g_auto(GStrv) items = g_strsplit (text, ",", -1);
  GArray *values = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; items[i]; i++)
    {
      g_autofree char *item = g_strstrip (g_strdup (items[i]));
      double v;

      if (!parse_value (axis->param, &self->base, spec, item, &v, error))
        goto fail;
      for (guint j = 0; j < values->len; j++)
        if (g_array_index (values, double, j) == v)
          {
            bad_value (spec, error, _("%s: “%s” is listed twice"), axis->param->name, item);
            goto fail;
          }
      g_array_append_val (values, v);
    }
  axis->values = values;
  return TRUE;

fail:
  g_array_unref (values);
  return FALSE;
}

/* 3 significant digits: 0.0031622776601683794 → 0.00316. */
static double
round_significant (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_ascii_formatd (buf, sizeof buf, "%.3g", v);
  return g_ascii_strtod (buf, NULL);
}

static double
round_for (const RecurSweepParam *param,
           double                 v)
{
  return param->kind == RECUR_SWEEP_PARAM_INT ? round (v) : round_significant (v);
}

/* START:STOP:N or START:STOP:(lin|log):N. */
static gboolean
parse_range (RecurSweep  *self,
             Axis        *axis,
             const char  *spec,
             const char  *text,
             GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", -1);
  guint n_parts = g_strv_length (parts);
  gboolean log_spaced = n_parts == 4 && g_str_equal (parts[2], "log");
  guint64 n;
  double a, b;

  if (axis->param->kind == RECUR_SWEEP_PARAM_CHOICE || axis->param->kind == RECUR_SWEEP_PARAM_BOOL)
    return bad_value (spec, error, _("%s takes a list of values, not a range"),
                      axis->param->name);
  if ((n_parts != 3 && n_parts != 4)
      || (n_parts == 4 && !log_spaced && !g_str_equal (parts[2], "lin"))
      || !g_ascii_string_to_unsigned (parts[n_parts - 1], 10, 2, RECUR_SWEEP_MAX_RUNS, &n, NULL))
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_SYNTAX,
                   _("“%s”: a range is START:STOP:N or START:STOP:log:N, with 2 ≤ N ≤ %u"),
                   spec, RECUR_SWEEP_MAX_RUNS);
      return FALSE;
    }
  if (!parse_value (axis->param, &self->base, spec, parts[0], &a, error)
      || !parse_value (axis->param, &self->base, spec, parts[1], &b, error))
    return FALSE;
  if (log_spaced && (a <= 0 || b <= 0))
    return bad_value (spec, error, _("a log range needs START and STOP above 0"));

  axis->values = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint k = 0; k < n; k++)
    {
      double t = (double) k / (double) (n - 1);
      double v = log_spaced ? exp (log (a) + t * (log (b) - log (a))) : a + t * (b - a);

      v = k == 0 ? a : k == n - 1 ? b : round_for (axis->param, v);
      if (axis->values->len == 0 || g_array_index (axis->values, double, axis->values->len - 1) != v)
        g_array_append_val (axis->values, v); /* a rounded repeat is dropped */
    }
  return TRUE;
}

gboolean
recur_sweep_add_grid (RecurSweep  *self,
                      const char  *spec,
                      GError     **error)
{
  const char *rest;
  Axis *axis;

  g_return_val_if_fail (self != NULL && spec != NULL, FALSE);
  if (self->has_bounds)
    goto mixed;
  axis = new_axis (self, spec, &rest, error);
  if (axis == NULL)
    return FALSE;
  if (!(strchr (rest, ':') ? parse_range (self, axis, spec, rest, error)
                           : parse_list (self, axis, spec, rest, error)))
    return FALSE;
  self->n_axes++;
  self->has_grid = TRUE;
  return TRUE;

mixed:
  g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_MIXED,
               _("a sweep is a grid (--grid) or random samples (--random with --bounds), "
                 "not both"));
  return FALSE;
}

/* LO:HI[:log][:int] */
static gboolean
parse_bounds (RecurSweep  *self,
              Axis        *axis,
              const char  *spec,
              const char  *text,
              GError     **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ":", -1);
  guint n_parts = g_strv_length (parts);
  gboolean int_flag = FALSE;

  axis->shape = SHAPE_LIN;
  for (guint i = 2; i < n_parts; i++)
    if (g_str_equal (parts[i], "log"))
      axis->shape = SHAPE_LOG;
    else if (g_str_equal (parts[i], "int"))
      int_flag = TRUE;
    else
      n_parts = 0;
  if (n_parts < 2 || n_parts > 4)
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_SYNTAX,
                   _("“%s”: bounds are LO:HI, LO:HI:log, LO:HI:int or a list V1,V2,…"), spec);
      return FALSE;
    }
  if (axis->param->kind == RECUR_SWEEP_PARAM_CHOICE || axis->param->kind == RECUR_SWEEP_PARAM_BOOL)
    return bad_value (spec, error, _("%s takes a list of values, not bounds"), axis->param->name);
  if (int_flag && axis->param->kind != RECUR_SWEEP_PARAM_INT)
    return bad_value (spec, error, _("%s takes fractional values, not integers"),
                      axis->param->name);
  if (!parse_value (axis->param, &self->base, spec, parts[0], &axis->lo, error)
      || !parse_value (axis->param, &self->base, spec, parts[1], &axis->hi, error))
    return FALSE;
  if (!(axis->lo < axis->hi))
    return bad_value (spec, error, _("LO must be below HI"));
  if (axis->shape == SHAPE_LOG && axis->lo <= 0)
    return bad_value (spec, error, _("log bounds need LO above 0"));
  axis->values = g_array_new (FALSE, FALSE, sizeof (double));
  return TRUE;
}

gboolean
recur_sweep_add_bounds (RecurSweep  *self,
                        const char  *spec,
                        GError     **error)
{
  const char *rest;
  Axis *axis;

  g_return_val_if_fail (self != NULL && spec != NULL, FALSE);
  if (self->has_grid)
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_MIXED,
                   _("a sweep is a grid (--grid) or random samples (--random with --bounds), "
                     "not both"));
      return FALSE;
    }
  axis = new_axis (self, spec, &rest, error);
  if (axis == NULL)
    return FALSE;
  if (!(strchr (rest, ':') ? parse_bounds (self, axis, spec, rest, error)
                           : parse_list (self, axis, spec, rest, error)))
    {
      g_clear_pointer (&axis->values, g_array_unref);
      return FALSE;
    }
  self->n_axes++;
  self->has_bounds = TRUE;
  return TRUE;
}

void
recur_sweep_set_random (RecurSweep *self,
                        guint       n_samples,
                        guint64     seed)
{
  self->random = n_samples > 0;
  self->n_samples = n_samples;
  self->seed = seed;
}

guint
recur_sweep_get_n_params (const RecurSweep *self)
{
  return self->n_axes;
}

const RecurSweepParam *
recur_sweep_get_param (const RecurSweep *self,
                       guint             index)
{
  g_return_val_if_fail (index < self->n_axes, NULL);
  return self->axes[index].param;
}

/* ---- expansion ----------------------------------------------------------------------------- */

void
recur_sweep_point_free (RecurSweepPoint *point)
{
  if (point == NULL)
    return;
  g_free (point->name);
  recur_job_config_clear (&point->config);
  for (guint i = 0; i < point->n_values; i++)
    g_free (point->values[i].text);
  g_free (point);
}

/* The base with numbers[i] set for axis i, applied in the parameter table's order. */
static RecurSweepPoint *
make_point (const RecurSweep  *self,
            const double      *numbers,
            GError           **error)
{
  RecurSweepPoint *point = g_new0 (RecurSweepPoint, 1);
  g_autoptr(GString) name = g_string_new (NULL);

  recur_job_config_copy (&point->config, &self->base);
  ensure_params ();
  for (const RecurSweepParam *p = params; p < params + n_params; p++)
    for (guint i = 0; i < self->n_axes; i++)
      if (self->axes[i].param == p && !apply_value (&point->config, p, numbers[i], error))
        {
          recur_sweep_point_free (point);
          return NULL;
        }
  point->n_values = self->n_axes;
  for (guint i = 0; i < self->n_axes; i++)
    {
      RecurSweepValue *v = &point->values[i];
      v->param = self->axes[i].param;
      v->number = numbers[i];
      v->text = value_text (v->param, numbers[i]);
      g_string_append_printf (name, "%s%s=%s", i ? " " : "", v->param->name, v->text);
    }
  point->name = g_strdup (name->str);
  return point;
}

static double
draw (const Axis *axis,
      RecurRng   *rng)
{
  double u = recur_rng_double (rng), v;

  if (axis->shape == SHAPE_LIST)
    return g_array_index (axis->values, double, recur_rng_below (rng, axis->values->len));
  if (axis->param->kind == RECUR_SWEEP_PARAM_INT && axis->shape == SHAPE_LIN)
    v = floor (axis->lo + u * (axis->hi - axis->lo + 1)); /* each integer equally likely */
  else if (axis->shape == SHAPE_LOG)
    v = round_for (axis->param, exp (log (axis->lo) + u * (log (axis->hi) - log (axis->lo))));
  else
    v = round_for (axis->param, axis->lo + u * (axis->hi - axis->lo));
  return CLAMP (v, axis->lo, axis->hi);
}

/* Random samples can repeat a name (integers, lists): "hidden=32 #2". */
static void
make_names_unique (GPtrArray *points)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < points->len; i++)
    {
      RecurSweepPoint *p = g_ptr_array_index (points, i);
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (seen, p->name)) + 1;

      g_hash_table_insert (seen, p->name, GUINT_TO_POINTER (count));
      if (count > 1)
        {
          char *unique = g_strdup_printf ("%s #%u", p->name, count);
          g_free (p->name);
          p->name = unique;
        }
    }
}

static GPtrArray *
expand_random (const RecurSweep  *self,
               GError           **error)
{
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) recur_sweep_point_free);
  RecurRng rng;

  recur_rng_init (&rng, self->seed);
  for (guint s = 0; s < self->n_samples; s++)
    {
      double numbers[RECUR_SWEEP_MAX_PARAMS];
      RecurSweepPoint *point;

      for (guint i = 0; i < self->n_axes; i++)
        numbers[i] = draw (&self->axes[i], &rng);
      point = make_point (self, numbers, error);
      if (point == NULL)
        return NULL;
      g_ptr_array_add (points, point);
    }
  make_names_unique (points);
  return g_steal_pointer (&points);
}

static GPtrArray *
expand_grid (const RecurSweep  *self,
             GError           **error)
{
  g_autoptr(GPtrArray) points = g_ptr_array_new_with_free_func ((GDestroyNotify) recur_sweep_point_free);
  guint64 total = 1;

  for (guint i = 0; i < self->n_axes; i++)
    total *= self->axes[i].values->len;
  if (total > RECUR_SWEEP_MAX_RUNS)
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_TOO_MANY,
                   _("the grid has %" PRIu64 " runs; a sweep has at most %u"), total,
                   RECUR_SWEEP_MAX_RUNS);
      return NULL;
    }
  for (guint64 k = 0; k < total; k++)
    {
      double numbers[RECUR_SWEEP_MAX_PARAMS];
      guint64 rest = k;
      RecurSweepPoint *point;

      /* the last axis varies fastest */
      for (int i = (int) self->n_axes - 1; i >= 0; i--)
        {
          GArray *values = self->axes[i].values;
          numbers[i] = g_array_index (values, double, rest % values->len);
          rest /= values->len;
        }
      point = make_point (self, numbers, error);
      if (point == NULL)
        return NULL;
      g_ptr_array_add (points, point);
    }
  return g_steal_pointer (&points);
}

/* A swept parameter that no run uses (an ESN's leak in a sweep of LSTMs, dropout with one
 * layer, λ without a given Box-Cox, a learning rate for reservoirs) would train identical
 * runs: refused, naming it. */
static gboolean
check_params_matter (GPtrArray  *points,
                     GError    **error)
{
  const RecurSweepPoint *first = g_ptr_array_index (points, 0);

  for (guint v = 0; v < first->n_values; v++)
    {
      const RecurSetting *setting = recur_settings_find (first->values[v].param->name);
      gboolean used = setting == NULL;

      for (guint i = 0; i < points->len && !used; i++)
        {
          const RecurJobConfig *config = &((const RecurSweepPoint *) points->pdata[i])->config;

          /* a run it makes invalid (a two-layer Jordan network) fails and is listed as such */
          used = recur_setting_applies (setting, config)
                 || !recur_job_config_validate (config, NULL)
                 || !recur_model_spec_validate (&config->model, NULL);
        }
      if (!used)
        {
          g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_NO_EFFECT,
                       _("%s has no effect on any run of this sweep (not with this model, "
                         "optimiser, schedule, number of layers, ensemble or Box-Cox setting): "
                         "every run would be the same"), setting->name);
          return FALSE;
        }
    }
  return TRUE;
}

GPtrArray *
recur_sweep_expand (const RecurSweep  *self,
                    GError           **error)
{
  GPtrArray *points;

  g_return_val_if_fail (self != NULL, NULL);
  if (self->random && !self->has_bounds)
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_EMPTY,
                   _("random samples need the bounds of a parameter: --bounds NAME=LO:HI"));
      return NULL;
    }
  if (self->has_bounds && !self->random)
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_EMPTY,
                   _("bounds are for random samples: give their number with --random N"));
      return NULL;
    }
  if (self->random && self->n_samples > RECUR_SWEEP_MAX_RUNS)
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_TOO_MANY,
                   _("%u random samples; a sweep has at most %u"), self->n_samples,
                   RECUR_SWEEP_MAX_RUNS);
      return NULL;
    }
  if (self->n_axes == 0)
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_EMPTY,
                   _("nothing to sweep: give --grid NAME=VALUES, or --random N with --bounds "
                     "NAME=LO:HI"));
      return NULL;
    }
  points = self->random ? expand_random (self, error) : expand_grid (self, error);
  if (points != NULL && !check_params_matter (points, error))
    g_clear_pointer (&points, g_ptr_array_unref);
  return points;
}

/* ---- swept values as JSON ------------------------------------------------------------------ */

JsonNode *
recur_sweep_values_to_json (const RecurSweepValue *values,
                            guint                  n_values)
{
  JsonObject *object = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  for (guint i = 0; i < n_values; i++)
    json_object_set_member (object, values[i].param->name,
                            value_node (values[i].param, values[i].number));
  json_node_take_object (node, object);
  return node;
}

static gboolean
value_from_node (const RecurSweepParam *param,
                 JsonNode              *node,
                 double                *number)
{
  GType type = JSON_NODE_HOLDS_VALUE (node) ? json_node_get_value_type (node) : G_TYPE_INVALID;

  switch (param->kind)
    {
    case RECUR_SWEEP_PARAM_INT:
      *number = type == G_TYPE_INT64 ? (double) json_node_get_int (node) : NAN;
      return type == G_TYPE_INT64;
    case RECUR_SWEEP_PARAM_FLOAT:
      if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
        return FALSE;
      *number = json_node_get_double (node);
      return isfinite (*number);
    case RECUR_SWEEP_PARAM_BOOL:
      *number = type == G_TYPE_BOOLEAN && json_node_get_boolean (node);
      return type == G_TYPE_BOOLEAN;
    case RECUR_SWEEP_PARAM_CHOICE:
    default:
      return type == G_TYPE_STRING && parse_choice (param, json_node_get_string (node), number);
    }
}

gboolean
recur_sweep_values_from_json (JsonNode         *node,
                              RecurSweepValue  *values,
                              guint            *n_values,
                              GError          **error)
{
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  *n_values = 0;
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_SYNTAX,
                   _("the swept values must be a JSON object"));
      return FALSE;
    }
  json_object_iter_init_ordered (&iter, json_node_get_object (node));
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      const RecurSweepParam *param = recur_sweep_find_param (name);
      RecurSweepValue *v = &values[*n_values];

      if (param == NULL)
        {
          g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_UNKNOWN_PARAM,
                       _("swept values: “%s” is not a parameter a sweep varies"), name);
          goto fail;
        }
      if (*n_values == RECUR_SWEEP_MAX_PARAMS)
        {
          g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_TOO_MANY,
                       _("swept values: “%s” is one more than the %u a sweep varies"), name,
                       RECUR_SWEEP_MAX_PARAMS);
          goto fail;
        }
      v->param = param;
      if (!value_from_node (param, member, &v->number))
        {
          g_set_error (error, RECUR_SWEEP_ERROR, RECUR_SWEEP_ERROR_BAD_VALUE,
                       _("swept values: “%s” has a value of the wrong type"), name);
          goto fail;
        }
      v->text = value_text (param, v->number);
      (*n_values)++;
    }
  return TRUE;

fail:
  for (guint i = 0; i < *n_values; i++)
    g_clear_pointer (&values[i].text, g_free);
  *n_values = 0;
  return FALSE;
}

typedef struct
{
  guint  index;
  double cost;
} Costed;

static int
compare_costs (gconstpointer a,
               gconstpointer b)
{
  const Costed *x = a, *y = b;

  if (x->cost != y->cost)
    return x->cost > y->cost ? -1 : 1;
  return (x->index > y->index) - (x->index < y->index);
}

void
recur_sweep_order_by_cost (const RecurJobConfig *const *configs,
                           guint                         n,
                           guint                        *order)
{
  g_autofree Costed *costed = g_new (Costed, n);

  for (guint i = 0; i < n; i++)
    {
      const RecurJobConfig *c = configs[i];

      costed[i] = (Costed) {
        i, (double) recur_model_spec_count_params (&c->model) * c->model.window
             * recur_job_config_max_epochs (c) * MAX (c->ensemble, 1),
      };
    }
  qsort (costed, n, sizeof (Costed), compare_costs);
  for (guint i = 0; i < n; i++)
    order[i] = costed[i].index;
}
