/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RecurJobConfig: its defaults, and the configuration as JSON. One table of fields drives
 * writing, reading and validation, so a field added to the configuration is added here once. */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-job-config.h"

#define CONFIG_VERSION 1

G_DEFINE_QUARK (recur-job-config-error-quark, recur_job_config_error)

void
recur_job_config_init (RecurJobConfig *config)
{
  *config = (RecurJobConfig) {
    .column = NULL,
    .missing = RECUR_MISSING_INTERPOLATE,
    .scaler = RECUR_SCALER_ZSCORE,
    .val_fraction = 0.1,
    .season = 0,
  };
  recur_model_spec_init (&config->model);
  recur_train_spec_init (&config->train);
}

void
recur_job_config_clear (RecurJobConfig *config)
{
  g_clear_pointer (&config->column, g_free);
}

void
recur_job_config_copy (RecurJobConfig       *dest,
                       const RecurJobConfig *src)
{
  *dest = *src;
  dest->column = g_strdup (src->column);
}

typedef enum
{
  KIND_UINT,
  KIND_DOUBLE,
  KIND_FLOAT,
  KIND_BOOL,
  KIND_CHOICE,   /* an enum, written as the name of its value */
  KIND_SEED,     /* guint64: an integer, or a decimal string above G_MAXINT64 */
  KIND_COLUMN,   /* a string or null */
  KIND_PERIODS,  /* the clockwork periods: an array of integers */
} FieldKind;

enum
{
  LO_OPEN = 1 << 0,  /* the lower bound itself is out of range */
  HI_OPEN = 1 << 1,
};

typedef struct
{
  const char        *name;
  FieldKind          kind;
  gsize              offset;
  double             lo, hi;   /* numeric kinds: the valid range */
  guint              flags;
  const char *const *choices;  /* KIND_CHOICE: NULL-terminated, in the enum's order */
} Field;

/* In the enums' order; the static asserts below catch an enum that grew. */
static const char *const cell_names[] = { "rnn", "rnn-relu", "lstm", "gru", "jordan", "esn",
                                          "clockwork", NULL };
static const char *const missing_names[] = { "interpolate", "previous", "refuse", NULL };
static const char *const scaler_names[] = { "zscore", "minmax", "none", NULL };
static const char *const strategy_names[] = { "direct", "recursive", NULL };
static const char *const feedback_names[] = { "teacher", "free", NULL };
static const char *const optimizer_names[] = { "adam", "adamw", "sgd", "rmsprop", NULL };
static const char *const loss_names[] = { "mse", "mae", "huber", NULL };
static const char *const schedule_names[] = { "constant", "step", "cosine", "plateau", NULL };

G_STATIC_ASSERT (G_N_ELEMENTS (cell_names) == RECUR_N_CELLS + 1);
G_STATIC_ASSERT (G_N_ELEMENTS (missing_names) == RECUR_MISSING_REFUSE + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (scaler_names) == RECUR_SCALER_NONE + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (strategy_names) == RECUR_STRATEGY_RECURSIVE + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (feedback_names) == RECUR_JORDAN_FREE + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (optimizer_names) == RECUR_OPTIMIZER_RMSPROP + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (loss_names) == RECUR_LOSS_HUBER + 2);
G_STATIC_ASSERT (G_N_ELEMENTS (schedule_names) == RECUR_SCHEDULE_PLATEAU + 2);
/* choices are stored through a guint */
G_STATIC_ASSERT (sizeof (RecurCellKind) == sizeof (guint));
G_STATIC_ASSERT (sizeof (RecurOptimizerKind) == sizeof (guint));

#define OFF(member) G_STRUCT_OFFSET (RecurJobConfig, member)

/* The ranges are the ones recur_model_spec_validate, the trainer and the dataset enforce. */
static const Field fields[] = {
  { "column", KIND_COLUMN, OFF (column) },
  { "missing", KIND_CHOICE, OFF (missing), .choices = missing_names },
  { "scale", KIND_CHOICE, OFF (scaler), .choices = scaler_names },
  { "val-fraction", KIND_DOUBLE, OFF (val_fraction), 0, 1, HI_OPEN },
  { "season", KIND_UINT, OFF (season), 0, 1000000 },
  { "model", KIND_CHOICE, OFF (model.cell), .choices = cell_names },
  { "input-size", KIND_UINT, OFF (model.input_size), 1, 4096 },
  { "hidden", KIND_UINT, OFF (model.hidden_size), 1, 8192 },
  { "layers", KIND_UINT, OFF (model.num_layers), 1, 16 },
  { "bidirectional", KIND_BOOL, OFF (model.bidirectional) },
  { "bias", KIND_BOOL, OFF (model.bias) },
  { "dropout", KIND_FLOAT, OFF (model.dropout), 0, 1, HI_OPEN },
  { "window", KIND_UINT, OFF (model.window), 1, 100000 },
  { "horizon", KIND_UINT, OFF (model.horizon), 1, 100000 },
  { "strategy", KIND_CHOICE, OFF (model.strategy), .choices = strategy_names },
  { "jordan-feedback", KIND_CHOICE, OFF (model.jordan_feedback), .choices = feedback_names },
  { "connectivity", KIND_FLOAT, OFF (model.esn.connectivity), 0, 1, LO_OPEN },
  { "spectral-radius", KIND_FLOAT, OFF (model.esn.spectral_radius), 0, 100, LO_OPEN },
  { "input-scaling", KIND_FLOAT, OFF (model.esn.input_scaling), 0, 1000, LO_OPEN },
  { "leak", KIND_FLOAT, OFF (model.esn.leak), 0, 1, LO_OPEN },
  { "washout", KIND_UINT, OFF (model.esn.washout), 0, 100000 },
  { "ridge", KIND_DOUBLE, OFF (model.esn.ridge), 0, 1e6 },
  { "periods", KIND_PERIODS, 0 },
  { "epochs", KIND_UINT, OFF (train.epochs), 1, 1000000 },
  { "batch", KIND_UINT, OFF (train.batch_size), 1, 65536 },
  { "optimizer", KIND_CHOICE, OFF (train.optimizer.kind), .choices = optimizer_names },
  { "lr", KIND_DOUBLE, OFF (train.optimizer.lr), 0, G_MAXDOUBLE, LO_OPEN },
  { "momentum", KIND_DOUBLE, OFF (train.optimizer.momentum), 0, 1, HI_OPEN },
  { "nesterov", KIND_BOOL, OFF (train.optimizer.nesterov) },
  { "beta1", KIND_DOUBLE, OFF (train.optimizer.beta1), 0, 1, HI_OPEN },
  { "beta2", KIND_DOUBLE, OFF (train.optimizer.beta2), 0, 1, HI_OPEN },
  { "eps", KIND_DOUBLE, OFF (train.optimizer.eps), 0, 1, LO_OPEN },
  { "alpha", KIND_DOUBLE, OFF (train.optimizer.alpha), 0, 1 },
  { "weight-decay", KIND_DOUBLE, OFF (train.optimizer.weight_decay), 0, G_MAXDOUBLE },
  { "clip", KIND_DOUBLE, OFF (train.clip), 0, G_MAXDOUBLE },
  { "loss", KIND_CHOICE, OFF (train.loss), .choices = loss_names },
  { "truncate", KIND_UINT, OFF (train.truncate), 0, 100000 },
  { "schedule", KIND_CHOICE, OFF (train.schedule), .choices = schedule_names },
  { "step-size", KIND_UINT, OFF (train.step_size), 1, 1000000 },
  { "gamma", KIND_DOUBLE, OFF (train.gamma), 0, 1, LO_OPEN },
  { "plateau-patience", KIND_UINT, OFF (train.plateau_patience), 0, 1000000 },
  { "patience", KIND_UINT, OFF (train.patience), 0, 1000000 },
  { "seed", KIND_SEED, OFF (train.seed) },
};

#define FIELD(config, type, f) G_STRUCT_MEMBER (type, config, (f)->offset)

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

/* ---- ranges ---------------------------------------------------------------------------- */

static gboolean
in_range (const Field *f,
          double       v)
{
  if (!isfinite (v))
    return FALSE;
  if ((f->flags & LO_OPEN) ? v <= f->lo : v < f->lo)
    return FALSE;
  return (f->flags & HI_OPEN) ? v < f->hi : v <= f->hi;
}

/* "0 ≤ dropout < 1", "lr > 0" */
static char *
range_text (const Field *f)
{
  const char *lo_op = (f->flags & LO_OPEN) ? "<" : "≤";
  const char *hi_op = (f->flags & HI_OPEN) ? "<" : "≤";

  if (f->hi == G_MAXDOUBLE)
    return g_strdup_printf ("%s %s %g", f->name, (f->flags & LO_OPEN) ? ">" : "≥", f->lo);
  return g_strdup_printf ("%g %s %s %s %g", f->lo, lo_op, f->name, hi_op, f->hi);
}

static gboolean
check_range (const Field  *f,
             double        v,
             GError      **error)
{
  g_autofree char *range = NULL;

  if (in_range (f, v))
    return TRUE;
  range = range_text (f);
  g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
               _("“%s”: %g is out of range (%s)"), f->name, v, range);
  return FALSE;
}

static guint
n_choices (const Field *f)
{
  return g_strv_length ((char **) f->choices);
}

static char *
choices_text (const Field *f)
{
  return g_strjoinv (", ", (char **) f->choices);
}

static gboolean
check_periods (const guint  *periods,
               guint         n,
               GError      **error)
{
  gboolean ok = n >= 1 && n <= RECUR_MAX_PERIODS;

  for (guint i = 0; ok && i < n; i++)
    ok = periods[i] >= 1 && periods[i] <= 100000 && (i == 0 || periods[i] >= periods[i - 1]);
  if (!ok)
    g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
                 _("“periods”: expected 1 to %u non-decreasing periods from 1 to 100000"),
                 RECUR_MAX_PERIODS);
  return ok;
}

static gboolean
validate_field (const RecurJobConfig  *config,
                const Field           *f,
                GError               **error)
{
  switch (f->kind)
    {
    case KIND_UINT:
      return check_range (f, FIELD (config, guint, f), error);
    case KIND_DOUBLE:
      return check_range (f, FIELD (config, double, f), error);
    case KIND_FLOAT:
      return check_range (f, FIELD (config, float, f), error);
    case KIND_CHOICE:
      if (FIELD (config, guint, f) < n_choices (f))
        return TRUE;
      g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
                   _("“%s”: unknown value %u"), f->name, FIELD (config, guint, f));
      return FALSE;
    case KIND_PERIODS:
      return check_periods (config->model.periods, config->model.n_periods, error);
    case KIND_BOOL:
    case KIND_SEED:
    case KIND_COLUMN:
    default:
      return TRUE;
    }
}

gboolean
recur_job_config_validate (const RecurJobConfig  *config,
                           GError               **error)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (!validate_field (config, &fields[i], error))
      return FALSE;
  return TRUE;
}

/* ---- writing ----------------------------------------------------------------------------- */

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

static void
write_field (JsonBuilder          *b,
             const RecurJobConfig *config,
             const Field          *f)
{
  json_builder_set_member_name (b, f->name);
  switch (f->kind)
    {
    case KIND_UINT:
      json_builder_add_int_value (b, FIELD (config, guint, f));
      break;
    case KIND_DOUBLE:
      json_builder_add_double_value (b, FIELD (config, double, f));
      break;
    case KIND_FLOAT:
      json_builder_add_double_value (b, float_as_decimal (FIELD (config, float, f)));
      break;
    case KIND_BOOL:
      json_builder_add_boolean_value (b, FIELD (config, gboolean, f));
      break;
    case KIND_CHOICE:
      json_builder_add_string_value (b, f->choices[FIELD (config, guint, f)]);
      break;
    case KIND_SEED:
      if (config->train.seed <= G_MAXINT64)
        json_builder_add_int_value (b, (gint64) config->train.seed);
      else
        {
          g_autofree char *text = g_strdup_printf ("%" PRIu64, config->train.seed);
          json_builder_add_string_value (b, text);
        }
      break;
    case KIND_COLUMN:
      if (config->column)
        json_builder_add_string_value (b, config->column);
      else
        json_builder_add_null_value (b);
      break;
    case KIND_PERIODS:
      json_builder_begin_array (b);
      for (guint i = 0; i < config->model.n_periods; i++)
        json_builder_add_int_value (b, config->model.periods[i]);
      json_builder_end_array (b);
      break;
    default:
      g_assert_not_reached ();
    }
}

JsonNode *
recur_job_config_to_json (const RecurJobConfig *config)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  g_return_val_if_fail (config != NULL, NULL);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, CONFIG_VERSION);
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    write_field (b, config, &fields[i]);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- reading ----------------------------------------------------------------------------- */

static gboolean
wrong_type (const Field  *f,
            const char   *expected,
            GError      **error)
{
  g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_TYPE,
               _("“%s”: expected %s"), f->name, expected);
  return FALSE;
}

static gboolean
value_of_type (JsonNode *node,
               GType     type)
{
  return JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

static gboolean
read_number (const Field  *f,
             JsonNode     *node,
             double       *out,
             GError      **error)
{
  if (f->kind == KIND_UINT)
    {
      if (!value_of_type (node, G_TYPE_INT64))
        return wrong_type (f, _("an integer"), error);
      *out = (double) json_node_get_int (node);
    }
  else if (value_of_type (node, G_TYPE_DOUBLE) || value_of_type (node, G_TYPE_INT64))
    *out = json_node_get_double (node);
  else
    return wrong_type (f, _("a number"), error);
  if (f->kind == KIND_FLOAT)
    *out = (float) *out; /* check what will be stored: 0.99999999999 is 1.0f */
  return check_range (f, *out, error);
}

static gboolean
read_choice (const Field     *f,
             JsonNode        *node,
             RecurJobConfig  *config,
             GError         **error)
{
  const char *text;
  g_autofree char *choices = NULL;

  if (!value_of_type (node, G_TYPE_STRING))
    return wrong_type (f, _("a string"), error);
  text = json_node_get_string (node);
  if (f->choices == cell_names)
    {
      RecurCellKind cell;
      if (recur_cell_from_option (text, &cell))
        {
          config->model.cell = cell;
          return TRUE;
        }
    }
  else
    for (guint i = 0; f->choices[i]; i++)
      if (g_str_equal (text, f->choices[i]))
        {
          FIELD (config, guint, f) = i;
          return TRUE;
        }
  choices = choices_text (f);
  g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_VALUE,
               _("“%s”: unknown value “%s” (choose %s)"), f->name, text, choices);
  return FALSE;
}

static gboolean
read_seed (const Field     *f,
           JsonNode        *node,
           RecurJobConfig  *config,
           GError         **error)
{
  guint64 seed;

  if (value_of_type (node, G_TYPE_INT64) && json_node_get_int (node) >= 0)
    config->train.seed = (guint64) json_node_get_int (node);
  else if (value_of_type (node, G_TYPE_STRING)
           && g_ascii_string_to_unsigned (json_node_get_string (node), 10, 0, G_MAXUINT64, &seed,
                                          NULL))
    config->train.seed = seed;
  else
    return wrong_type (f, _("an integer from 0 to 18446744073709551615"), error);
  return TRUE;
}

static gboolean
read_periods (const Field     *f,
              JsonNode        *node,
              RecurJobConfig  *config,
              GError         **error)
{
  guint periods[RECUR_MAX_PERIODS];
  guint n = 0;

  if (value_of_type (node, G_TYPE_STRING)) /* "1,2,4,8" as --periods takes it */
    {
      if (!recur_periods_from_string (json_node_get_string (node), periods, &n))
        return wrong_type (f, _("a list of periods such as [1, 2, 4, 8]"), error);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      n = json_array_get_length (array);
      if (n > RECUR_MAX_PERIODS)
        return check_periods (NULL, n, error);
      for (guint i = 0; i < n; i++)
        {
          JsonNode *item = json_array_get_element (array, i);
          if (!value_of_type (item, G_TYPE_INT64) || json_node_get_int (item) < 1
              || json_node_get_int (item) > 100000)
            return check_periods (NULL, 0, error);
          periods[i] = (guint) json_node_get_int (item);
        }
    }
  else
    return wrong_type (f, _("a list of periods such as [1, 2, 4, 8]"), error);
  if (!check_periods (periods, n, error))
    return FALSE;
  memcpy (config->model.periods, periods, n * sizeof (guint));
  config->model.n_periods = n;
  return TRUE;
}

static gboolean
read_field (const Field     *f,
            JsonNode        *node,
            RecurJobConfig  *config,
            GError         **error)
{
  double v;

  switch (f->kind)
    {
    case KIND_UINT:
      if (!read_number (f, node, &v, error))
        return FALSE;
      FIELD (config, guint, f) = (guint) v;
      return TRUE;
    case KIND_DOUBLE:
    case KIND_FLOAT:
      if (!read_number (f, node, &v, error))
        return FALSE;
      if (f->kind == KIND_FLOAT)
        FIELD (config, float, f) = (float) v;
      else
        FIELD (config, double, f) = v;
      return TRUE;
    case KIND_BOOL:
      if (!value_of_type (node, G_TYPE_BOOLEAN))
        return wrong_type (f, _("true or false"), error);
      FIELD (config, gboolean, f) = json_node_get_boolean (node);
      return TRUE;
    case KIND_CHOICE:
      return read_choice (f, node, config, error);
    case KIND_SEED:
      return read_seed (f, node, config, error);
    case KIND_COLUMN:
      if (JSON_NODE_HOLDS_NULL (node))
        return TRUE;
      if (!value_of_type (node, G_TYPE_STRING))
        return wrong_type (f, _("a string or null"), error);
      g_free (config->column);
      config->column = g_strdup (json_node_get_string (node));
      return TRUE;
    case KIND_PERIODS:
      return read_periods (f, node, config, error);
    default:
      g_assert_not_reached ();
    }
}

static const Field *
find_field (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    if (g_str_equal (fields[i].name, name))
      return &fields[i];
  return NULL;
}

static gboolean
check_version (JsonObject  *object,
               GError     **error)
{
  JsonNode *node = json_object_get_member (object, "version");

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
  return TRUE;
}

/* The model comes first: a missing field takes its cell's default (an ESN's larger hidden). */
static gboolean
read_model (JsonObject      *object,
            RecurJobConfig  *config,
            GError         **error)
{
  JsonNode *node = json_object_get_member (object, "model");

  if (node && !read_field (find_field ("model"), node, config, error))
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

  if (node && !read_field (find_field ("optimizer"), node, config, error))
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
  const Field *f = find_field (field);

  if (f == NULL)
    {
      g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_UNKNOWN_FIELD,
                   _("unknown field “%s”"), field);
      return FALSE;
    }
  return read_field (f, value, config, error);
}

const char *const *
recur_job_config_field_choices (const char *field)
{
  const Field *f = find_field (field);

  return f && f->kind == KIND_CHOICE ? f->choices : NULL;
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

  recur_job_config_init (config);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_TYPE,
                   _("a configuration must be a JSON object"));
      return FALSE;
    }
  object = json_node_get_object (node);
  if (!check_version (object, error) || !read_model (object, config, error)
      || !read_optimizer (object, config, error))
    goto fail;

  json_object_iter_init_ordered (&iter, object);
  while (json_object_iter_next_ordered (&iter, &name, &member))
    {
      const Field *f = find_field (name);

      if (g_str_equal (name, "version") || g_str_equal (name, "model")
          || g_str_equal (name, "optimizer"))
        continue;
      if (f == NULL)
        {
          g_set_error (error, RECUR_JOB_CONFIG_ERROR, RECUR_JOB_CONFIG_ERROR_UNKNOWN_FIELD,
                       _("unknown field “%s”"), name);
          goto fail;
        }
      if (!read_field (f, member, config, error))
        goto fail;
    }
  return TRUE;

fail:
  recur_job_config_clear (config);
  recur_job_config_init (config);
  return FALSE;
}
