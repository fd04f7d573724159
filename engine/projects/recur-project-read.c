/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-fileutil.h"
#include "recur-jsonutil.h"
#include "recur-project-private.h"

/* ---- strict readers: each names the file and the member ----------------------------------- */

gboolean
corrupt (GError     **error,
         const char  *file,
         const char  *what)
{
  g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT, "%s: %s", file, what);
  return FALSE;
}

gboolean
holds (JsonNode *node,
       GType     type)
{
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* A string member; NULL allowed when nullable. */
gboolean
get_string (JsonObject  *o,
            const char  *name,
            gboolean     nullable,
            const char **out,
            const char  *file,
            GError     **error)
{
  JsonNode *node = json_object_get_member (o, name);
  g_autofree char *what = NULL;

  *out = NULL;
  if (holds (node, G_TYPE_STRING))
    {
      *out = json_node_get_string (node);
      return TRUE;
    }
  if (nullable && (node == NULL || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;
  what = g_strdup_printf (_("“%s” must be a string"), name);
  return corrupt (error, file, what);
}

gboolean
get_count (JsonObject  *o,
           const char  *name,
           guint64      min,
           guint64     *out,
           const char  *file,
           GError     **error)
{
  JsonNode *node = json_object_get_member (o, name);
  g_autofree char *what = NULL;

  if (holds (node, G_TYPE_INT64) && json_node_get_int (node) >= (gint64) min)
    {
      *out = (guint64) json_node_get_int (node);
      return TRUE;
    }
  what = g_strdup_printf (_("“%s” must be an integer of at least %" PRIu64), name, min);
  return corrupt (error, file, what);
}

static gboolean
is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

gboolean
read_data (JsonNode          *node,
           RecurProjectData  *d,
           const char        *file,
           GError           **error)
{
  JsonObject *o;
  const char *relative, *absolute, *sha256, *column;
  guint64 size;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return corrupt (error, file, _("“data” must be an object"));
  o = json_node_get_object (node);
  if (!get_string (o, "relative_path", TRUE, &relative, file, error)
      || !get_string (o, "absolute_path", FALSE, &absolute, file, error)
      || !get_count (o, "size", 0, &size, file, error)
      || !get_string (o, "sha256", FALSE, &sha256, file, error)
      || !get_string (o, "column", TRUE, &column, file, error))
    return FALSE;
  if (!g_path_is_absolute (absolute))
    return corrupt (error, file, _("“absolute_path” is not an absolute path"));
  if (relative && g_path_is_absolute (relative))
    return corrupt (error, file, _("“relative_path” is an absolute path"));
  if (!is_sha256 (sha256))
    return corrupt (error, file, _("“sha256” is not 64 lowercase hexadecimal digits"));
  *d = (RecurProjectData) {
    .path = g_strdup (absolute),
    .relative = g_strdup (relative),
    .size = size,
    .sha256 = g_strdup (sha256),
    .column = g_strdup (column),
  };
  return TRUE;
}

/* ---- a run's files: reading ----------------------------------------------------------------- */

static gboolean
read_run_config (RecurProjectRun  *run,
                 RecurProjectData *data,
                 gboolean         *has_data,
                 GError          **error)
{
  g_autofree char *file = run_file (run, CONFIG_FILE);
  g_autoptr(JsonNode) root = recur_json_read_file (file, error);
  g_autoptr(GError) local = NULL;
  JsonObject *o;
  const char *name;
  guint64 version;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error, file, _("not a JSON object"));
  o = json_node_get_object (root);
  if (!get_count (o, "version", 1, &version, file, error)
      || !get_string (o, "name", FALSE, &name, file, error))
    return FALSE;
  if (version > RUN_VERSION)
    return corrupt (error, file, _("written by a newer Recur"));
  if (!recur_job_config_from_json (json_object_get_member (o, "config"), &run->config, &local))
    return corrupt (error, file, local->message);
  if (json_object_has_member (o, "swept")
      && !recur_sweep_values_from_json (json_object_get_member (o, "swept"), run->swept,
                                        &run->n_swept, &local))
    return corrupt (error, file, local->message);
  *has_data = json_object_has_member (o, "data")
              && read_data (json_object_get_member (o, "data"), data, file, NULL);
  g_free (run->name);
  run->name = g_strdup (name);
  run->has_config = TRUE;
  return TRUE;
}

static gboolean
read_column (JsonObject  *o,
             const char  *name,
             guint        n,
             double     **out,
             const char  *file,
             GError     **error)
{
  JsonNode *node = json_object_get_member (o, name);
  g_autofree char *what = NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node)) != n)
    {
      what = g_strdup_printf (_("“%s” must be an array of %u numbers (one per epoch)"), name, n);
      return corrupt (error, file, what);
    }
  array = json_node_get_array (node);
  *out = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_NULL (item))
        (*out)[i] = NAN;
      else if (holds (item, G_TYPE_DOUBLE) || holds (item, G_TYPE_INT64))
        (*out)[i] = json_node_get_double (item);
      else
        {
          what = g_strdup_printf (_("“%s” holds something that is not a number"), name);
          return corrupt (error, file, what);
        }
    }
  return TRUE;
}

/* The most epochs a history may hold: more is a damaged file, not a run */
#define MAX_HISTORY_EPOCHS 10000000

/* history.json's "members", if any: an object of two equal columns per member past 0. */
static gboolean
read_member_losses (RecurProjectRun  *run,
                    JsonObject       *root,
                    const char       *file,
                    GError          **error)
{
  JsonNode *node = json_object_get_member (root, "members");
  JsonArray *array;
  guint n;

  member_losses_clear (run);
  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node)) + 1 > RECUR_MAX_MEMBER_LOSSES)
    return corrupt (error, file, _("“members” must be an array of an object per member"));
  array = json_node_get_array (node);
  n = json_array_get_length (array) + 1;
  run->member_losses = g_new0 (MemberLosses, n);
  run->n_member_losses = n;
  for (guint k = 1; k < n; k++)
    {
      JsonNode *item = json_array_get_element (array, k - 1);
      JsonNode *train;
      MemberLosses *m = &run->member_losses[k];

      if (!JSON_NODE_HOLDS_OBJECT (item)
          || !(train = json_object_get_member (json_node_get_object (item), "train_loss"))
          || !JSON_NODE_HOLDS_ARRAY (train)
          || json_array_get_length (json_node_get_array (train)) > MAX_HISTORY_EPOCHS)
        {
          member_losses_clear (run);
          return corrupt (error, file, _("“members” must be an array of an object per member"));
        }
      m->n_epochs = json_array_get_length (json_node_get_array (train));
      if (!read_column (json_node_get_object (item), "train_loss", m->n_epochs, &m->train_loss,
                        file, error)
          || !read_column (json_node_get_object (item), "val_loss", m->n_epochs, &m->val_loss,
                           file, error))
        {
          member_losses_clear (run);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
read_history (RecurProjectRun  *run,
              GError          **error)
{
  g_autofree char *file = run_file (run, HISTORY_FILE);
  g_autoptr(JsonNode) root = recur_json_read_file (file, error);
  RecurHistory h = { 0 };
  guint64 n;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error, file, _("not a JSON object"));
  if (!get_count (json_node_get_object (root), "epochs", 0, &n, file, error))
    return FALSE;
  if (n > MAX_HISTORY_EPOCHS)
    return corrupt (error, file, _("“epochs” is implausibly large"));
  h.n_epochs = (guint) n;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    if (!read_column (json_node_get_object (root), history_names[i], h.n_epochs,
                      history_column (&h, i), file, error))
      {
        history_clear (&h);
        return FALSE;
      }
  if (!read_member_losses (run, json_node_get_object (root), file, error))
    {
      history_clear (&h);
      return FALSE;
    }
  history_clear (&run->history);
  run->history = h;
  return TRUE;
}

/* One line of history.log: an object of "epoch" (≥ 1) and a number or null for each column. */
static gboolean
parse_epoch_line (JsonParser *parser,
                  const char *line,
                  gsize       length,
                  guint      *epoch,
                  double     *values)
{
  JsonObject *o;
  JsonNode *node;

  if (!json_parser_load_from_data (parser, line, (gssize) length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  node = json_object_get_member (o, "epoch");
  if (!holds (node, G_TYPE_INT64) || json_node_get_int (node) < 1
      || json_node_get_int (node) > MAX_HISTORY_EPOCHS)
    return FALSE;
  *epoch = (guint) json_node_get_int (node);
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    {
      node = json_object_get_member (o, history_names[i]);
      if (node && JSON_NODE_HOLDS_NULL (node))
        values[i] = NAN;
      else if (holds (node, G_TYPE_DOUBLE) || holds (node, G_TYPE_INT64))
        values[i] = json_node_get_double (node);
      else
        return FALSE;
    }
  return TRUE;
}

/* history.log, after history.json: the epochs the run wrote one by one as it trained, those
 * history.json does not have yet (a line of an epoch it has is skipped). A last line without
 * its newline is the epoch that was being written when the process ended: dropped, without an
 * issue, as a crash is allowed to lose it. A complete line that is not an epoch, or an epoch out
 * of sequence, is CORRUPT: the epochs before it are kept. */
static gboolean
read_history_log (RecurProjectRun  *run,
                  GError          **error)
{
  g_autofree char *file = run_file (run, LOG_FILE);
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  GArray *columns[G_N_ELEMENTS (history_names)];
  RecurHistory *h = &run->history;
  const char *p, *end;
  gboolean ok = TRUE;
  guint line = 0;
  gsize len;

  if (!recur_file_read_regular (file, RECUR_JSON_MAX_FILE_BYTES, &text, &len, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    {
      columns[i] = g_array_new (FALSE, FALSE, sizeof (double));
      g_array_append_vals (columns[i], *history_column (h, i), h->n_epochs);
    }
  for (p = text, end = text + len; p < end;)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      guint have = columns[0]->len, epoch;
      double values[G_N_ELEMENTS (history_names)];

      if (nl == NULL)
        break; /* cut short by a crash */
      line++;
      if (!parse_epoch_line (parser, p, (gsize) (nl - p), &epoch, values))
        {
          g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT,
                       _("%s:%u: not an epoch of the history: the epochs from there on are "
                         "lost (%u kept)"), file, line, have);
          ok = FALSE;
          break;
        }
      p = nl + 1;
      if (epoch <= have)
        continue;
      if (epoch != have + 1)
        {
          g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT,
                       _("%s:%u: epoch %u follows epoch %u: the epochs from there on are lost "
                         "(%u kept)"), file, line, epoch, have, have);
          ok = FALSE;
          break;
        }
      for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
        g_array_append_val (columns[i], values[i]);
    }
  history_clear (h);
  h->n_epochs = columns[0]->len;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    *history_column (h, i) = (double *) (gpointer) g_array_free (columns[i], FALSE);
  return ok;
}

static gboolean
check_metrics (JsonObject  *parent,
               const char  *name,
               const char  *file,
               GError     **error)
{
  static const char *const keys[] = { "mae", "rmse", "mape", "smape", "mase" };
  JsonNode *node = json_object_get_member (parent, name);
  g_autofree char *what = g_strdup_printf (_("“%s” must be an object of metrics"), name);
  double v;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return corrupt (error, file, what);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!recur_json_get_number (json_node_get_object (node), keys[i], &v))
      return corrupt (error, file, what);
  return TRUE;
}

/* Checks the members the comparison table and the GUI read; others are left alone. */
static gboolean
validate_result (JsonObject      *o,
                 RecurRunStatus  *status,
                 const char     **message,
                 const char      *file,
                 GError         **error)
{
  static const char *const numbers[] = { "train_loss", "val_loss", "seconds",
                                         "windows_per_second" };
  const char *id;
  guint64 count;
  double v;

  if (!get_string (o, "status", FALSE, &id, file, error)
      || !get_string (o, "error", TRUE, message, file, error))
    return FALSE;
  if (!recur_run_status_from_id (id, status)
      || (*status != RECUR_RUN_FINISHED && *status != RECUR_RUN_STOPPED
          && *status != RECUR_RUN_FAILED))
    return corrupt (error, file, _("“status” must be finished, stopped or failed"));
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i ? "best_epoch" : "epochs_run";
      if (json_object_has_member (o, name) && !get_count (o, name, 0, &count, file, error))
        return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    if (!recur_json_get_number (o, numbers[i], &v))
      {
        g_autofree char *what = g_strdup_printf (_("“%s” must be a number"), numbers[i]);
        return corrupt (error, file, what);
      }
  if (!check_metrics (o, "test", file, error))
    return FALSE;
  if (json_object_has_member (o, "baselines"))
    {
      JsonNode *b = json_object_get_member (o, "baselines");
      if (!JSON_NODE_HOLDS_OBJECT (b))
        return corrupt (error, file, _("“baselines” must be an object"));
      if (!check_metrics (json_node_get_object (b), "naive", file, error)
          || !check_metrics (json_node_get_object (b), "snaive", file, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_result (RecurProjectRun  *run,
             GError          **error)
{
  g_autofree char *file = run_file (run, RESULT_FILE);
  g_autoptr(JsonNode) root = recur_json_read_file (file, error);
  RecurRunStatus status;
  const char *message;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error, file, _("not a JSON object"));
  if (!validate_result (json_node_get_object (root), &status, &message, file, error))
    return FALSE;
  run->status = status;
  g_free (run->message);
  run->message = g_strdup (message);
  g_clear_pointer (&run->result, json_object_unref);
  run->result = json_object_ref (json_node_get_object (root));
  return TRUE;
}

static guint
result_best_epoch (const RecurProjectRun *run)
{
  if (run->result == NULL || !json_object_has_member (run->result, "best_epoch"))
    return 0;
  return (guint) json_object_get_int_member (run->result, "best_epoch");
}

/* Each file on its own: what is intact is kept, each problem is an issue. */
RecurProjectRun *
read_run (RecurProject     *self,
          const char       *id,
          const char       *listed_name,
          RecurProjectData *data,
          gboolean         *has_data)
{
  RecurProjectRun *run = run_new (self, id, listed_name ? listed_name : id);
  g_autofree char *result_file = run_file (run, RESULT_FILE);
  g_autofree char *weights_file = run_file (run, WEIGHTS_FILE);
  g_autofree char *history_file = run_file (run, HISTORY_FILE);
  g_autofree char *log_file = run_file (run, LOG_FILE);
  RecurFileKind weights_kind = recur_file_kind (weights_file);
  GError *error = NULL;

  /* each reader refuses a symbolic link (recur_file_read_regular) */
  if (!read_run_config (run, data, has_data, &error))
    {
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  if (recur_file_kind (history_file) != RECUR_FILE_KIND_NONE && !read_history (run, &error))
    {
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  if (recur_file_kind (log_file) != RECUR_FILE_KIND_NONE && !read_history_log (run, &error))
    {
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  if (recur_file_kind (result_file) == RECUR_FILE_KIND_NONE)
    run->status = RECUR_RUN_INTERRUPTED;
  else if (!read_result (run, &error))
    {
      run->status = RECUR_RUN_DAMAGED;
      run->message = g_strdup (error->message);
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  run->has_weights = weights_kind == RECUR_FILE_KIND_REGULAR;
  if (weights_kind == RECUR_FILE_KIND_LINK)
    add_issue (self, run, link_error (weights_file));
  else if (!run->has_weights && result_best_epoch (run) > 0)
    add_issue (self, run, new_error (RECUR_PROJECT_ERROR_MISSING_FILE,
                                     _("%s: missing: the run's best weights (epoch %u) are lost"),
                                     weights_file, result_best_epoch (run)));
  run->weights_epoch = result_best_epoch (run);
  return run;
}
