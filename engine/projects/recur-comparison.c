/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The comparison table of runs: built from jobs (a sweep as it ends) or from a project's
 * stored results, sorted by test MASE, written as JSON or CSV. */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-comparison.h"
#include "recur-fileutil.h"
#include "recur-jsonutil.h"

typedef struct
{
  RecurComparisonRow row;
  guint              order;  /* as added: the tie-breaker */
} Row;

struct _RecurComparison
{
  GPtrArray *rows;    /* Row */
  GPtrArray *params;  /* const char *: the parameters' static names */
};

static const RecurMetrics undefined_metrics = { NAN, NAN, NAN, NAN, NAN };

static void
row_free (Row *r)
{
  g_free (r->row.name);
  g_free (r->row.id);
  for (guint i = 0; i < r->row.n_values; i++)
    g_free (r->row.values[i].text);
  if (r->row.config)
    {
      recur_job_config_clear (r->row.config);
      g_free (r->row.config);
    }
  g_free (r->row.message);
  g_free (r);
}

RecurComparison *
recur_comparison_new (void)
{
  RecurComparison *self = g_new0 (RecurComparison, 1);

  self->rows = g_ptr_array_new_with_free_func ((GDestroyNotify) row_free);
  self->params = g_ptr_array_new ();
  return self;
}

void
recur_comparison_free (RecurComparison *self)
{
  if (self == NULL)
    return;
  g_ptr_array_unref (self->rows);
  g_ptr_array_unref (self->params);
  g_free (self);
}

/* A row with what every source gives: name, values, config, status, message. */
static RecurComparisonRow *
add_row (RecurComparison       *self,
         const char            *name,
         const RecurSweepValue *values,
         guint                  n_values,
         const RecurJobConfig  *config,
         RecurRunStatus         status,
         const char            *message)
{
  Row *r = g_new0 (Row, 1);
  RecurComparisonRow *row = &r->row;

  r->order = self->rows->len;
  row->name = g_strdup (name);
  row->n_values = MIN (n_values, RECUR_SWEEP_MAX_PARAMS);
  for (guint i = 0; i < row->n_values; i++)
    {
      row->values[i] = values[i];
      row->values[i].text = g_strdup (values[i].text);
      if (!g_ptr_array_find (self->params, values[i].param->name, NULL))
        g_ptr_array_add (self->params, (gpointer) values[i].param->name);
    }
  if (config)
    {
      row->config = g_new0 (RecurJobConfig, 1);
      recur_job_config_copy (row->config, config);
    }
  row->status = status;
  row->message = g_strdup (message);
  row->val_loss = row->relative_mase = row->seconds = NAN;
  row->test = row->naive = row->snaive = undefined_metrics;
  g_ptr_array_add (self->rows, r);
  return row;
}

static void
finish_row (RecurComparisonRow *row)
{
  if (!row->scored)
    row->test = undefined_metrics;
  row->relative_mase = row->test.mase / row->naive.mase;
}

void
recur_comparison_add_job (RecurComparison       *self,
                          const char            *name,
                          const RecurSweepValue *values,
                          guint                  n_values,
                          const RecurJobConfig  *config,
                          RecurRunStatus         status,
                          const char            *message,
                          const RecurJob        *job)
{
  RecurComparisonRow *row = add_row (self, name, values, n_values, config, status, message);
  const RecurTrainSummary *s;
  const RecurEvaluation *ev;

  if (job == NULL)
    return;
  s = recur_job_get_summary (job);
  ev = recur_job_get_evaluation (job);
  row->epochs_run = s->epochs_run;
  row->best_epoch = s->best_epoch;
  row->seconds = s->seconds;
  row->scored = s->best_epoch > 0 && ev != NULL;
  if (row->scored)
    row->val_loss = s->val_loss;
  if (ev)
    {
      row->test = ev->model_metrics;
      row->naive = ev->naive_metrics;
      row->snaive = ev->seasonal_naive_metrics;
    }
  finish_row (row);
}

void
recur_comparison_add_row (RecurComparison          *self,
                          const RecurComparisonRow *row)
{
  RecurComparisonRow *copy = add_row (self, row->name, row->values, row->n_values, row->config,
                                      row->status, row->message);
  char *name = copy->name, *message = copy->message;
  RecurSweepValue values[RECUR_SWEEP_MAX_PARAMS];
  RecurJobConfig *config = copy->config;

  /* the numbers as they are, the strings and the configuration as add_row copied them */
  memcpy (values, copy->values, sizeof values);
  *copy = *row;
  copy->name = name;
  copy->message = message;
  copy->config = config;
  copy->id = g_strdup (row->id);
  memcpy (copy->values, values, sizeof values);
  copy->rank = 0;
  copy->best = FALSE;
}

/* Metrics of a result.json object; undefined where absent (the reader checked the types). */
static RecurMetrics
metrics_from_json (JsonObject *parent,
                   const char *name)
{
  RecurMetrics m = undefined_metrics;
  JsonObject *o;

  if (parent == NULL || !json_object_has_member (parent, name))
    return m;
  o = json_object_get_object_member (parent, name);
  recur_json_get_number (o, "mae", &m.mae);
  recur_json_get_number (o, "rmse", &m.rmse);
  recur_json_get_number (o, "mape", &m.mape);
  recur_json_get_number (o, "smape", &m.smape);
  recur_json_get_number (o, "mase", &m.mase);
  return m;
}

void
recur_comparison_add_project_run (RecurComparison       *self,
                                  const RecurProjectRun *run)
{
  guint n_values;
  const RecurSweepValue *values = recur_project_run_get_swept (run, &n_values);
  JsonObject *result = recur_project_run_get_result (run);
  RecurComparisonRow *row = add_row (self, recur_project_run_get_name (run), values, n_values,
                                     recur_project_run_get_config (run),
                                     recur_project_run_get_status (run),
                                     recur_project_run_get_message (run));
  JsonObject *baselines;

  row->id = g_strdup (recur_project_run_get_id (run));
  row->epochs_run = recur_project_run_get_history (run)->n_epochs;
  if (result == NULL || row->status == RECUR_RUN_DAMAGED)
    return;
  if (json_object_has_member (result, "epochs_run"))
    row->epochs_run = (guint) json_object_get_int_member (result, "epochs_run");
  if (json_object_has_member (result, "best_epoch"))
    row->best_epoch = (guint) json_object_get_int_member (result, "best_epoch");
  recur_json_get_number (result, "seconds", &row->seconds);
  row->scored = row->best_epoch > 0 && json_object_has_member (result, "test");
  if (row->scored)
    recur_json_get_number (result, "val_loss", &row->val_loss);
  row->test = metrics_from_json (result, "test");
  baselines = json_object_has_member (result, "baselines")
                ? json_object_get_object_member (result, "baselines") : NULL;
  row->naive = metrics_from_json (baselines, "naive");
  row->snaive = metrics_from_json (baselines, "snaive");
  finish_row (row);
}

/* ---- order --------------------------------------------------------------------------------- */

static gboolean
is_contender (const RecurComparisonRow *row)
{
  return row->scored && isfinite (row->test.mase)
         && (row->status == RECUR_RUN_FINISHED || row->status == RECUR_RUN_STOPPED);
}

static gint
compare_rows (gconstpointer a,
              gconstpointer b)
{
  const Row *x = *(const Row *const *) a, *y = *(const Row *const *) b;
  double mx = isfinite (x->row.test.mase) ? x->row.test.mase : INFINITY;
  double my = isfinite (y->row.test.mase) ? y->row.test.mase : INFINITY;
  gboolean cx = is_contender (&x->row), cy = is_contender (&y->row);

  if (cx != cy)
    return cx ? -1 : 1;
  if (mx != my)
    return mx < my ? -1 : 1;
  return x->order < y->order ? -1 : x->order > y->order;
}

void
recur_comparison_sort (RecurComparison *self)
{
  g_ptr_array_sort (self->rows, compare_rows);
  for (guint i = 0; i < self->rows->len; i++)
    {
      RecurComparisonRow *row = &((Row *) g_ptr_array_index (self->rows, i))->row;
      row->rank = i + 1;
      row->best = i == 0 && is_contender (row);
    }
}

guint
recur_comparison_get_n_rows (const RecurComparison *self)
{
  return self->rows->len;
}

const RecurComparisonRow *
recur_comparison_get_row (const RecurComparison *self,
                          guint                  index)
{
  g_return_val_if_fail (index < self->rows->len, NULL);
  return &((Row *) g_ptr_array_index (self->rows, index))->row;
}

guint
recur_comparison_get_n_params (const RecurComparison *self)
{
  return self->params->len;
}

const char *
recur_comparison_get_param (const RecurComparison *self,
                            guint                  index)
{
  g_return_val_if_fail (index < self->params->len, NULL);
  return g_ptr_array_index (self->params, index);
}

const char *
recur_comparison_row_get_value (const RecurComparisonRow *row,
                                const char               *param)
{
  for (guint i = 0; i < row->n_values; i++)
    if (g_str_equal (row->values[i].param->name, param))
      return row->values[i].text;
  return NULL;
}

/* ---- JSON ---------------------------------------------------------------------------------- */

static void
add_nullable_string (JsonBuilder *b,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
row_to_json (JsonBuilder              *b,
             const RecurComparisonRow *row)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "rank");
  json_builder_add_int_value (b, row->rank);
  json_builder_set_member_name (b, "best");
  json_builder_add_boolean_value (b, row->best);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, row->name);
  if (row->id)
    add_nullable_string (b, "id", row->id);
  json_builder_set_member_name (b, "swept");
  json_builder_add_value (b, recur_sweep_values_to_json (row->values, row->n_values));
  json_builder_set_member_name (b, "config");
  if (row->config)
    json_builder_add_value (b, recur_job_config_to_json (row->config));
  else
    json_builder_add_null_value (b);
  add_nullable_string (b, "status", recur_run_status_to_id (row->status));
  add_nullable_string (b, "error", row->message);
  json_builder_set_member_name (b, "epochs_run");
  json_builder_add_int_value (b, row->epochs_run);
  json_builder_set_member_name (b, "best_epoch");
  json_builder_add_int_value (b, row->best_epoch);
  recur_json_add_number (b, "val_loss", row->val_loss);
  if (row->scored)
    recur_metrics_add_json (b, "test", &row->test);
  else
    add_nullable_string (b, "test", NULL);
  json_builder_set_member_name (b, "baselines");
  json_builder_begin_object (b);
  recur_metrics_add_json (b, "naive", &row->naive);
  recur_metrics_add_json (b, "snaive", &row->snaive);
  json_builder_end_object (b);
  recur_json_add_number (b, "relative_mase", row->relative_mase);
  recur_json_add_number (b, "seconds", row->seconds);
  json_builder_end_object (b);
}

JsonNode *
recur_comparison_to_json (const RecurComparison *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_array (b);
  for (guint i = 0; i < self->rows->len; i++)
    row_to_json (b, recur_comparison_get_row (self, i));
  json_builder_end_array (b);
  return json_builder_get_root (b);
}

gboolean
recur_comparison_write_json (const RecurComparison  *self,
                             const char             *path,
                             GError                **error)
{
  g_autoptr(JsonNode) root = recur_comparison_to_json (self);

  return recur_json_write_file (root, path, error);
}

/* ---- CSV ----------------------------------------------------------------------------------- */

/* A field after the first of its line (each line begins with the rank). */
static void
append_field (GString    *csv,
              const char *text)
{
  g_string_append_c (csv, ',');
  if (text && strpbrk (text, ",\"\r\n"))
    {
      g_string_append_c (csv, '"');
      for (const char *p = text; *p; p++)
        {
          if (*p == '"')
            g_string_append_c (csv, '"');
          g_string_append_c (csv, *p);
        }
      g_string_append_c (csv, '"');
    }
  else if (text)
    g_string_append (csv, text);
}

/* Empty for an undefined value. */
static void
append_number (GString *csv,
               double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (isfinite (v))
    recur_format_double (buf, sizeof buf, v);
  else
    buf[0] = '\0';
  append_field (csv, buf);
}

static void
append_header (const RecurComparison *self,
               GString               *csv)
{
  static const char *const after[] = { "status", "epochs", "best_epoch", "val_loss", "test_mae",
                                       "test_rmse", "test_mape", "test_smape", "test_mase",
                                       "relative_mase", "naive_mase", "snaive_mase", "seconds",
                                       "error" };

  g_string_append (csv, "rank,best,name,id");
  for (guint i = 0; i < self->params->len; i++)
    append_field (csv, g_ptr_array_index (self->params, i));
  for (guint i = 0; i < G_N_ELEMENTS (after); i++)
    append_field (csv, after[i]);
  g_string_append_c (csv, '\n');
}

static void
append_row (const RecurComparison    *self,
            const RecurComparisonRow *row,
            GString                  *csv)
{
  const double numbers[] = { row->val_loss, row->test.mae, row->test.rmse, row->test.mape,
                             row->test.smape, row->test.mase, row->relative_mase,
                             row->naive.mase, row->snaive.mase, row->seconds };

  g_string_append_printf (csv, "%u,%s", row->rank, row->best ? "yes" : "");
  append_field (csv, row->name);
  append_field (csv, row->id ? row->id : "");
  for (guint i = 0; i < self->params->len; i++)
    append_field (csv, recur_comparison_row_get_value (row, g_ptr_array_index (self->params, i)));
  append_field (csv, recur_run_status_to_id (row->status));
  g_string_append_printf (csv, ",%u,%u", row->epochs_run, row->best_epoch);
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    append_number (csv, numbers[i]);
  append_field (csv, row->message ? row->message : "");
  g_string_append_c (csv, '\n');
}

char *
recur_comparison_to_csv (const RecurComparison *self,
                         gsize                 *length)
{
  GString *csv = g_string_new (NULL);

  append_header (self, csv);
  for (guint i = 0; i < self->rows->len; i++)
    append_row (self, recur_comparison_get_row (self, i), csv);
  if (length)
    *length = csv->len;
  return g_string_free (csv, FALSE);
}

gboolean
recur_comparison_write_csv (const RecurComparison  *self,
                            const char             *path,
                            GError                **error)
{
  gsize len;
  g_autofree char *csv = recur_comparison_to_csv (self, &len);

  return recur_file_write_atomic (path, csv, len, error);
}
