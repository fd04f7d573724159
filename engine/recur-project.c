/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Projects: runs kept in a folder across restarts. The layout and the recovery rules are in
 * recur-project.h and README.md. Reading is strict (every member's type is checked, so a damaged
 * file is reported rather than misread) and never fatal for what can be recovered. */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "recur-fileutil.h"
#include "recur-jsonutil.h"
#include "recur-project.h"

#define PROJECT_FORMAT  "recur-project"
#define PROJECT_VERSION 1
#define RUN_VERSION     1

#define PROJECT_FILE "project.json"
#define CONFIG_FILE  "config.json"
#define HISTORY_FILE "history.json"
#define RESULT_FILE  "result.json"
#define WEIGHTS_FILE "best.safetensors"

/* Best weights are rewritten at most this often while a run trains. */
#define WEIGHTS_INTERVAL_US G_USEC_PER_SEC

G_DEFINE_QUARK (recur-project-error-quark, recur_project_error)

struct _RecurProjectRun
{
  char           *id;
  char           *name;
  char           *dir;
  RecurRunStatus  status;
  char           *message;
  gboolean        has_config;
  RecurJobConfig  config;
  guint           n_swept;
  RecurSweepValue swept[RECUR_SWEEP_MAX_PARAMS];
  RecurHistory    history;
  JsonObject     *result;
  gboolean        has_weights;
  GPtrArray      *problems;
  /* what recur_project_sync_run has written */
  guint           weights_epoch;
  gint64          weights_at;
};

struct _RecurProject
{
  char             *path;
  gboolean          has_data;
  RecurProjectData  data;
  JsonNode         *replaced;  /* the data's earlier size and hashes, an array, or NULL */
  GPtrArray        *runs;
  guint             next_run;
  GPtrArray        *issues;
  gboolean          recovered;
};

/* ---- small helpers ------------------------------------------------------------------------- */

static GError *
new_error (RecurProjectError  code,
           const char        *format,
           ...) G_GNUC_PRINTF (2, 3);

static GError *
new_error (RecurProjectError  code,
           const char        *format,
           ...)
{
  GError *error;
  va_list ap;

  va_start (ap, format);
  error = g_error_new_valist (RECUR_PROJECT_ERROR, code, format, ap);
  va_end (ap);
  return error;
}

static gboolean
fail_with (GError **error,
           GError  *local)
{
  g_propagate_error (error, local);
  return FALSE;
}

static gpointer
fail_null (GError **error,
           GError  *local)
{
  g_propagate_error (error, local);
  return NULL;
}

/* Records a problem of the project, and of run if not NULL. Takes problem. */
static void
add_issue (RecurProject    *self,
           RecurProjectRun *run,
           GError          *problem)
{
  if (run)
    g_ptr_array_add (run->problems, g_error_copy (problem));
  g_ptr_array_add (self->issues, problem);
}

/* A read error as a project error: a missing file stays MISSING_FILE, anything else (a syntax
 * error, a truncated file) is CORRUPT. The message already names the file. */
static GError *
as_project_error (const GError *error)
{
  gboolean missing = g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);

  return new_error (missing ? RECUR_PROJECT_ERROR_MISSING_FILE : RECUR_PROJECT_ERROR_CORRUPT,
                    "%s", error->message);
}

static char *
run_file (const RecurProjectRun *run,
          const char            *name)
{
  return g_build_filename (run->dir, name, NULL);
}

static void
history_clear (RecurHistory *h)
{
  g_clear_pointer (&h->train_loss, g_free);
  g_clear_pointer (&h->val_loss, g_free);
  g_clear_pointer (&h->lr, g_free);
  g_clear_pointer (&h->grad_norm, g_free);
  g_clear_pointer (&h->seconds, g_free);
  h->n_epochs = 0;
}

/* The columns of a history, for loops over all of them. */
static double **
history_column (RecurHistory *h,
                guint         i)
{
  double **columns[] = { &h->train_loss, &h->val_loss, &h->lr, &h->grad_norm, &h->seconds };
  return columns[i];
}

static const char *const history_names[] = { "train_loss", "val_loss", "lr", "grad_norm",
                                             "seconds" };

static void
history_copy (RecurHistory       *dest,
              const RecurHistory *src)
{
  history_clear (dest);
  dest->n_epochs = src->n_epochs;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    *history_column (dest, i) =
      g_memdup2 (*history_column ((RecurHistory *) src, i), src->n_epochs * sizeof (double));
}

void
recur_history_view_run (RecurHistory *view,
                        RecurRun     *run)
{
  *view = (RecurHistory) {
    .n_epochs = recur_run_get_n_epochs (run),
    .train_loss = (double *) recur_run_get_train_loss (run),
    .val_loss = (double *) recur_run_get_val_loss (run),
    .lr = (double *) recur_run_get_lr (run),
    .grad_norm = (double *) recur_run_get_grad_norm (run),
    .seconds = (double *) recur_run_get_seconds (run),
  };
}

static void
data_clear (RecurProjectData *d)
{
  g_clear_pointer (&d->path, g_free);
  g_clear_pointer (&d->relative, g_free);
  g_clear_pointer (&d->sha256, g_free);
  g_clear_pointer (&d->column, g_free);
}

static RecurProjectRun *
run_new (RecurProject *self,
         const char   *id,
         const char   *name)
{
  RecurProjectRun *run = g_new0 (RecurProjectRun, 1);

  run->id = g_strdup (id);
  run->name = g_strdup (name);
  run->dir = g_build_filename (self->path, id, NULL);
  run->status = RECUR_RUN_QUEUED;
  run->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  recur_job_config_init (&run->config);
  return run;
}

static void
run_free (RecurProjectRun *run)
{
  g_free (run->id);
  g_free (run->name);
  g_free (run->dir);
  g_free (run->message);
  recur_job_config_clear (&run->config);
  for (guint i = 0; i < run->n_swept; i++)
    g_free (run->swept[i].text);
  history_clear (&run->history);
  g_clear_pointer (&run->result, json_object_unref);
  g_ptr_array_unref (run->problems);
  g_free (run);
}

static RecurProject *
project_new (const char *path)
{
  RecurProject *self = g_new0 (RecurProject, 1);

  self->path = g_canonicalize_filename (path, NULL);
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  self->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->next_run = 1;
  return self;
}

void
recur_project_free (RecurProject *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  data_clear (&self->data);
  g_clear_pointer (&self->replaced, json_node_unref);
  g_ptr_array_unref (self->runs);
  g_ptr_array_unref (self->issues);
  g_free (self);
}

/* ---- the data reference -------------------------------------------------------------------- */

static gboolean
hash_file (const char  *path,
           guint64     *size,
           char       **sha256,
           GError     **error)
{
  g_autoptr(GMappedFile) map = g_mapped_file_new (path, FALSE, error);

  if (map == NULL)
    return FALSE;
  *size = g_mapped_file_get_length (map);
  *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                         (const guchar *) g_mapped_file_get_contents (map),
                                         g_mapped_file_get_length (map));
  return TRUE;
}

/* Relative to the project when the CSV lies in it or beside it (below its parent folder), so
 * that moving both together keeps the link; NULL otherwise. */
static char *
relative_to_project (const char *project,
                     const char *csv)
{
  g_autofree char *parent = g_path_get_dirname (project);
  gsize n = strlen (project), p = strlen (parent);

  if (strncmp (csv, project, n) == 0 && csv[n] == G_DIR_SEPARATOR)
    return g_strdup (csv + n + 1);
  if (p > 1 && strncmp (csv, parent, p) == 0 && csv[p] == G_DIR_SEPARATOR)
    return g_strconcat ("..", csv + p, NULL);
  return NULL;
}

/* Points the data reference at csv, which has this size and hash. */
static void
set_data (RecurProject *self,
          const char   *csv,
          guint64       size,
          const char   *sha256)
{
  char *column = g_strdup (self->data.column);

  data_clear (&self->data);
  self->data.path = g_canonicalize_filename (csv, NULL);
  self->data.relative = relative_to_project (self->path, self->data.path);
  self->data.size = size;
  self->data.sha256 = g_strdup (sha256);
  self->data.column = column;
  self->has_data = TRUE;
}

static JsonNode *
data_to_json (const RecurProjectData *d,
              JsonNode               *replaced)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "relative_path");
  if (d->relative)
    json_builder_add_string_value (b, d->relative);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "absolute_path");
  json_builder_add_string_value (b, d->path);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, (gint64) d->size);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, d->sha256);
  json_builder_set_member_name (b, "column");
  if (d->column)
    json_builder_add_string_value (b, d->column);
  else
    json_builder_add_null_value (b);
  if (replaced)
    {
      json_builder_set_member_name (b, "replaced");
      json_builder_add_value (b, json_node_copy (replaced));
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- strict readers: each names the file and the member ----------------------------------- */

static gboolean
corrupt (GError     **error,
         const char  *file,
         const char  *what)
{
  g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT, "%s: %s", file, what);
  return FALSE;
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* A string member; NULL allowed when nullable. */
static gboolean
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

static gboolean
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

static gboolean
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

static gboolean
is_run_id (const char *name)
{
  guint64 n;

  return g_str_has_prefix (name, "run-")
         && g_ascii_string_to_unsigned (name + 4, 10, 1, G_MAXUINT, &n, NULL);
}

static guint
run_number (const char *id)
{
  return (guint) g_ascii_strtoull (id + 4, NULL, 10);
}

static char *
format_run_id (guint number)
{
  return g_strdup_printf ("run-%04u", number);
}

/* ---- project.json -------------------------------------------------------------------------- */

static JsonNode *
project_to_json (RecurProject *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, PROJECT_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, PROJECT_VERSION);
  json_builder_set_member_name (b, "data");
  if (self->has_data)
    json_builder_add_value (b, data_to_json (&self->data, self->replaced));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "next_run");
  json_builder_add_int_value (b, self->next_run);
  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->runs->len; i++)
    {
      RecurProjectRun *run = g_ptr_array_index (self->runs, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, run->id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, run->name);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
recur_project_save (RecurProject  *self,
                    GError       **error)
{
  g_autoptr(JsonNode) root = project_to_json (self);
  g_autofree char *file = g_build_filename (self->path, PROJECT_FILE, NULL);

  if (!recur_json_write_file (root, file, error))
    return FALSE;
  self->recovered = FALSE;
  return TRUE;
}

/* What project.json lists: ids and names, in order. */
typedef struct
{
  char *id;
  char *name;
} Listed;

static void
listed_free (Listed *l)
{
  g_free (l->id);
  g_free (l->name);
  g_free (l);
}

static gboolean
read_listed_runs (JsonObject  *o,
                  GPtrArray   *listed,
                  const char  *file,
                  GError     **error)
{
  JsonNode *node = json_object_get_member (o, "runs");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return corrupt (error, file, _("“runs” must be an array"));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const char *id, *name;
      Listed *l;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return corrupt (error, file, _("an entry of “runs” is not an object"));
      if (!get_string (json_node_get_object (item), "id", FALSE, &id, file, error)
          || !get_string (json_node_get_object (item), "name", FALSE, &name, file, error))
        return FALSE;
      if (!is_run_id (id))
        return corrupt (error, file, _("a run id is not of the form run-0001"));
      l = g_new0 (Listed, 1);
      l->id = g_strdup (id);
      l->name = g_strdup (name);
      g_ptr_array_add (listed, l);
    }
  return TRUE;
}

static gboolean
check_format (JsonObject  *o,
              const char  *format,
              int          version,
              const char  *file,
              GError     **error)
{
  const char *found;
  guint64 v;

  if (!get_string (o, "format", FALSE, &found, file, error))
    return FALSE;
  if (!g_str_equal (found, format))
    return corrupt (error, file, _("not a Recur project file"));
  if (!get_count (o, "version", 1, &v, file, error))
    return FALSE;
  if (v > (guint64) version)
    {
      g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_VERSION,
                   _("%s: format version %" PRIu64 " is newer than this Recur reads "
                     "(%d): update Recur to open it"), file, v, version);
      return FALSE;
    }
  return TRUE;
}

/* Reads project.json into self (data, next_run) and listed. */
static gboolean
load_project_file (RecurProject  *self,
                   GPtrArray     *listed,
                   GError       **error)
{
  g_autofree char *file = g_build_filename (self->path, PROJECT_FILE, NULL);
  g_autoptr(JsonNode) root = recur_json_read_file (file, error);
  JsonObject *o;
  JsonNode *data;
  guint64 next;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error, file, _("not a JSON object"));
  o = json_node_get_object (root);
  if (!check_format (o, PROJECT_FORMAT, PROJECT_VERSION, file, error)
      || !get_count (o, "next_run", 1, &next, file, error)
      || !read_listed_runs (o, listed, file, error))
    return FALSE;
  data = json_object_get_member (o, "data");
  if (data && !JSON_NODE_HOLDS_NULL (data))
    {
      JsonNode *replaced = json_object_get_member (json_node_get_object (data), "replaced");
      if (!read_data (data, &self->data, file, error))
        return FALSE;
      self->has_data = TRUE;
      if (replaced)
        self->replaced = json_node_copy (replaced);
    }
  self->next_run = (guint) MIN (next, G_MAXUINT);
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
  if (n > 10000000)
    return corrupt (error, file, _("“epochs” is implausibly large"));
  h.n_epochs = (guint) n;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    if (!read_column (json_node_get_object (root), history_names[i], h.n_epochs,
                      history_column (&h, i), file, error))
      {
        history_clear (&h);
        return FALSE;
      }
  history_clear (&run->history);
  run->history = h;
  return TRUE;
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
static RecurProjectRun *
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
  GError *error = NULL;

  if (!read_run_config (run, data, has_data, &error))
    {
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  if (g_file_test (history_file, G_FILE_TEST_EXISTS) && !read_history (run, &error))
    {
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  if (!g_file_test (result_file, G_FILE_TEST_EXISTS))
    run->status = RECUR_RUN_INTERRUPTED;
  else if (!read_result (run, &error))
    {
      run->status = RECUR_RUN_DAMAGED;
      run->message = g_strdup (error->message);
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  run->has_weights = g_file_test (weights_file, G_FILE_TEST_IS_REGULAR);
  if (!run->has_weights && result_best_epoch (run) > 0)
    add_issue (self, run, new_error (RECUR_PROJECT_ERROR_MISSING_FILE,
                                     _("%s: missing: the run's best weights (epoch %u) are lost"),
                                     weights_file, result_best_epoch (run)));
  run->weights_epoch = result_best_epoch (run);
  return run;
}

/* ---- opening ------------------------------------------------------------------------------- */

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The run-NNNN folders, sorted. */
static GPtrArray *
scan_run_folders (RecurProject *self)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (self->path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (self->path, name, NULL);
      if (is_run_id (name) && g_file_test (path, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (ids, g_strdup (name));
    }
  g_ptr_array_sort (ids, compare_strings);
  return ids;
}

static gboolean
folder_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  return dir == NULL || g_dir_read_name (dir) == NULL;
}

static gboolean
contains_id (GPtrArray  *listed,
             const char *id)
{
  for (guint i = 0; i < listed->len; i++)
    if (g_str_equal (((Listed *) g_ptr_array_index (listed, i))->id, id))
      return TRUE;
  return FALSE;
}

/* Adds a run read from its folder; the first intact data reference of a run stands in for a
 * lost project.json's. */
static void
add_read_run (RecurProject *self,
              const char   *id,
              const char   *name)
{
  RecurProjectData data = { 0 };
  gboolean has_data = FALSE;
  RecurProjectRun *run = read_run (self, id, name, &data, &has_data);

  if (has_data && !self->has_data)
    {
      self->data = data;
      self->has_data = TRUE;
    }
  else if (has_data)
    data_clear (&data);
  g_ptr_array_add (self->runs, run);
  self->next_run = MAX (self->next_run, run_number (id) + 1);
}

/* Runs listed in project.json first, in its order, then unlisted run folders (each an issue,
 * unless project.json itself was lost: then all are, and that is the issue). */
static void
load_runs (RecurProject *self,
           GPtrArray    *listed,
           gboolean      have_list)
{
  g_autoptr(GPtrArray) found = scan_run_folders (self);

  for (guint i = 0; i < listed->len; i++)
    {
      Listed *l = g_ptr_array_index (listed, i);
      g_autofree char *dir = g_build_filename (self->path, l->id, NULL);

      if (g_file_test (dir, G_FILE_TEST_IS_DIR))
        add_read_run (self, l->id, l->name);
      else
        {
          add_issue (self, NULL, new_error (RECUR_PROJECT_ERROR_MISSING_FILE,
                                            _("%s: missing: run “%s” is listed in %s but its "
                                              "folder is gone"), dir, l->name, PROJECT_FILE));
          self->recovered = TRUE;
        }
    }
  for (guint i = 0; i < found->len; i++)
    {
      const char *id = g_ptr_array_index (found, i);
      g_autofree char *dir = g_build_filename (self->path, id, NULL);

      if (contains_id (listed, id) || folder_is_empty (dir))
        continue; /* an empty folder: a run whose config.json was never written */
      add_read_run (self, id, NULL);
      self->recovered = TRUE;
      if (have_list)
        add_issue (self, NULL, new_error (RECUR_PROJECT_ERROR_CORRUPT,
                                          _("%s: this run was not listed in %s: recovered"), dir,
                                          PROJECT_FILE));
    }
}

RecurProject *
recur_project_open (const char  *path,
                    GError     **error)
{
  g_autoptr(RecurProject) self = project_new (path);
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func ((GDestroyNotify) listed_free);
  g_autoptr(GPtrArray) found = NULL;
  GError *local = NULL;
  gboolean have_list = TRUE;

  if (!g_file_test (self->path, G_FILE_TEST_IS_DIR))
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_NOT_FOUND,
                                        _("%s: no such project folder"), self->path));
  if (!load_project_file (self, listed, &local))
    {
      if (g_error_matches (local, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_VERSION))
        return fail_null (error, local);
      found = scan_run_folders (self);
      if (found->len == 0 && g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          g_clear_error (&local);
          return fail_null (error, new_error (RECUR_PROJECT_ERROR_NOT_FOUND,
                                              _("%s: not a Recur project (no %s)"), self->path,
                                              PROJECT_FILE));
        }
      g_ptr_array_set_size (listed, 0);
      data_clear (&self->data);
      g_clear_pointer (&self->replaced, json_node_unref);
      self->has_data = FALSE;
      add_issue (self, NULL, new_error (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT)
                                          ? RECUR_PROJECT_ERROR_MISSING_FILE
                                          : RECUR_PROJECT_ERROR_CORRUPT,
                                        _("%s; rebuilt from the run folders"), local->message));
      g_clear_error (&local);
      self->recovered = TRUE;
      have_list = FALSE;
    }
  load_runs (self, listed, have_list);
  if (!recur_project_check_data (self, &local))
    add_issue (self, NULL, local);
  return g_steal_pointer (&self);
}

/* ---- creating ------------------------------------------------------------------------------ */

RecurProject *
recur_project_create (const char  *path,
                      const char  *csv,
                      const char  *column,
                      GError     **error)
{
  g_autoptr(RecurProject) self = project_new (path);
  g_autofree char *sha256 = NULL;
  g_autofree char *parent = g_path_get_dirname (self->path);
  gboolean made = FALSE;
  guint64 size;

  if (g_file_test (self->path, G_FILE_TEST_EXISTS) && !folder_is_empty (self->path))
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_EXISTS,
                                        _("%s: the folder exists and is not empty"),
                                        self->path));
  if (!hash_file (csv, &size, &sha256, error))
    return NULL;
  if (!g_file_test (self->path, G_FILE_TEST_IS_DIR))
    {
      if (!g_file_test (parent, G_FILE_TEST_IS_DIR) && g_mkdir_with_parents (parent, 0777) != 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot make the folder %s: %s"), parent, g_strerror (saved));
          return NULL;
        }
      if (!recur_file_make_dir (self->path, error))
        return NULL;
      made = TRUE;
    }
  self->data.column = g_strdup (column);
  set_data (self, csv, size, sha256);
  if (!recur_project_save (self, error))
    {
      if (made)
        g_rmdir (self->path); /* no folder that looks like a project and is not one */
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* ---- the data ------------------------------------------------------------------------------ */

const char *
recur_project_get_path (RecurProject *self)
{
  return self->path;
}

GPtrArray *
recur_project_get_issues (RecurProject *self)
{
  return self->issues;
}

gboolean
recur_project_is_recovered (RecurProject *self)
{
  return self->recovered;
}

const RecurProjectData *
recur_project_get_data (RecurProject *self)
{
  return self->has_data ? &self->data : NULL;
}

/* 0: the recorded file; 1: a file, another one; 2: no file. */
static int
probe_data (RecurProject *self,
            const char   *candidate)
{
  g_autofree char *sha256 = NULL;
  guint64 size;

  if (!g_file_test (candidate, G_FILE_TEST_IS_REGULAR)
      || !hash_file (candidate, &size, &sha256, NULL))
    return 2;
  return size == self->data.size && g_str_equal (sha256, self->data.sha256) ? 0 : 1;
}

gboolean
recur_project_check_data (RecurProject  *self,
                          GError       **error)
{
  g_autofree char *from_relative = NULL;
  const char *candidates[2];
  const char *changed = NULL;

  if (!self->has_data)
    return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_MOVED,
                                        _("%s: no intact file records the project's data: "
                                          "choose its CSV file"), self->path));
  if (self->data.relative)
    from_relative = g_canonicalize_filename (self->data.relative, self->path);
  candidates[0] = from_relative;
  candidates[1] = self->data.path;
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      int probe = candidates[i] ? probe_data (self, candidates[i]) : 2;
      if (probe == 0)
        {
          if (!g_str_equal (candidates[i], self->data.path))
            {
              g_free (self->data.path);
              self->data.path = g_strdup (candidates[i]);
            }
          return TRUE;
        }
      if (probe == 1 && changed == NULL)
        changed = candidates[i];
    }
  if (changed)
    return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_CHANGED,
                                        _("%s: the data file has changed since the runs were "
                                          "trained on it: expected %" PRIu64 " bytes "
                                          "with SHA-256 %s"), changed, self->data.size,
                                        self->data.sha256));
  return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_MOVED,
                                      _("%s: the data file is gone (%" PRIu64 " bytes, "
                                        "SHA-256 %s): choose where it is now"), self->data.path,
                                      self->data.size, self->data.sha256));
}

static void
drop_data_issues (RecurProject *self)
{
  for (guint i = self->issues->len; i-- > 0;)
    {
      GError *e = g_ptr_array_index (self->issues, i);
      if (g_error_matches (e, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_MOVED)
          || g_error_matches (e, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_CHANGED))
        g_ptr_array_remove_index (self->issues, i);
    }
}

/* Keeps the replaced file's size and hash in "replaced". */
static void
remember_replaced (RecurProject *self)
{
  JsonArray *array;
  JsonObject *old = json_object_new ();

  if (self->replaced == NULL || !JSON_NODE_HOLDS_ARRAY (self->replaced))
    {
      g_clear_pointer (&self->replaced, json_node_unref);
      self->replaced = json_node_init_array (json_node_alloc (), json_array_new ());
    }
  array = json_node_get_array (self->replaced);
  json_object_set_int_member (old, "size", (gint64) self->data.size);
  json_object_set_string_member (old, "sha256", self->data.sha256);
  json_array_add_object_element (array, old);
}

gboolean
recur_project_set_data_path (RecurProject  *self,
                             const char    *csv,
                             gboolean       accept_changed,
                             GError       **error)
{
  g_autofree char *sha256 = NULL;
  g_autoptr(JsonNode) old_replaced = NULL;
  RecurProjectData old_data = { 0 };
  gboolean old_has_data = self->has_data, changed;
  guint64 size;

  if (!hash_file (csv, &size, &sha256, error))
    return FALSE;
  changed = self->has_data && (size != self->data.size || !g_str_equal (sha256, self->data.sha256));
  if (changed && !accept_changed)
    return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_CHANGED,
                                        _("%s is not the project's data: it has %"
                                          PRIu64 " bytes with SHA-256 %s, the "
                                          "runs were trained on %" PRIu64 " bytes "
                                          "with SHA-256 %s"), csv, size, sha256,
                                        self->data.size, self->data.sha256));
  /* kept to be put back if project.json cannot be written */
  old_data.path = g_strdup (self->data.path);
  old_data.relative = g_strdup (self->data.relative);
  old_data.size = self->data.size;
  old_data.sha256 = g_strdup (self->data.sha256);
  old_data.column = g_strdup (self->data.column);
  old_replaced = self->replaced ? json_node_copy (self->replaced) : NULL;
  if (changed)
    remember_replaced (self);
  set_data (self, csv, size, sha256);
  if (!recur_project_save (self, error))
    {
      data_clear (&self->data);
      self->data = old_data;
      self->has_data = old_has_data;
      g_clear_pointer (&self->replaced, json_node_unref);
      self->replaced = g_steal_pointer (&old_replaced);
      return FALSE;
    }
  data_clear (&old_data);
  drop_data_issues (self);
  return TRUE;
}

gboolean
recur_project_data_matches (RecurProject  *self,
                            const char    *csv,
                            GError       **error)
{
  g_autofree char *sha256 = NULL;
  guint64 size;

  if (!hash_file (csv, &size, &sha256, error))
    return FALSE;
  if (self->has_data && size == self->data.size && g_str_equal (sha256, self->data.sha256))
    return TRUE;
  return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_MISMATCH,
                                      _("%s holds runs trained on other data (%s, SHA-256 %s); "
                                        "%s differs"), self->path,
                                      self->has_data ? self->data.path : "?",
                                      self->has_data ? self->data.sha256 : "?", csv));
}

/* ---- runs: reading ------------------------------------------------------------------------- */

guint
recur_project_get_n_runs (RecurProject *self)
{
  return self->runs->len;
}

RecurProjectRun *
recur_project_get_run (RecurProject *self,
                       guint         index)
{
  g_return_val_if_fail (index < self->runs->len, NULL);
  return g_ptr_array_index (self->runs, index);
}

RecurProjectRun *
recur_project_find_run (RecurProject *self,
                        const char   *id)
{
  for (guint i = 0; i < self->runs->len; i++)
    {
      RecurProjectRun *run = g_ptr_array_index (self->runs, i);
      if (g_str_equal (run->id, id))
        return run;
    }
  return NULL;
}

const char *
recur_project_run_get_id (const RecurProjectRun *run)
{
  return run->id;
}

const char *
recur_project_run_get_name (const RecurProjectRun *run)
{
  return run->name;
}

const char *
recur_project_run_get_dir (const RecurProjectRun *run)
{
  return run->dir;
}

RecurRunStatus
recur_project_run_get_status (const RecurProjectRun *run)
{
  return run->status;
}

const char *
recur_project_run_get_message (const RecurProjectRun *run)
{
  return run->message;
}

const RecurJobConfig *
recur_project_run_get_config (const RecurProjectRun *run)
{
  return run->has_config ? &run->config : NULL;
}

const RecurSweepValue *
recur_project_run_get_swept (const RecurProjectRun *run,
                             guint                 *n_values)
{
  *n_values = run->n_swept;
  return run->swept;
}

const RecurHistory *
recur_project_run_get_history (const RecurProjectRun *run)
{
  return &run->history;
}

JsonObject *
recur_project_run_get_result (const RecurProjectRun *run)
{
  return run->result;
}

gboolean
recur_project_run_has_weights (const RecurProjectRun *run)
{
  return run->has_weights;
}

GPtrArray *
recur_project_run_get_problems (const RecurProjectRun *run)
{
  return run->problems;
}

/* The weights must be the model config.json describes: otherwise they belong to another run. */
static gboolean
check_weights_match (const RecurModelSpec  *have,
                     const RecurModelSpec  *want,
                     const char            *file,
                     GError               **error)
{
  g_autofree char *what = NULL;

  if (have->cell == want->cell && have->hidden_size == want->hidden_size
      && have->num_layers == want->num_layers && have->bidirectional == want->bidirectional
      && have->bias == want->bias && have->window == want->window
      && have->horizon == want->horizon && have->strategy == want->strategy
      && have->input_size == want->input_size)
    return TRUE;
  what = g_strdup_printf (_("the weights are a %s of %u hidden units and %u layers with window "
                            "%u and horizon %u, not the %s of %u hidden units and %u layers with "
                            "window %u and horizon %u of %s"),
                          recur_cell_to_option (have->cell), have->hidden_size, have->num_layers,
                          have->window, have->horizon, recur_cell_to_option (want->cell),
                          want->hidden_size, want->num_layers, want->window, want->horizon,
                          CONFIG_FILE);
  return corrupt (error, file, what);
}

RecurModel *
recur_project_run_load_weights (RecurProject     *self,
                                RecurProjectRun  *run,
                                RecurModelInfo   *info,
                                GError          **error)
{
  g_autofree char *file = run_file (run, WEIGHTS_FILE);
  g_autoptr(RecurModel) model = NULL;

  if (!g_file_test (file, G_FILE_TEST_EXISTS))
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_MISSING_FILE,
                                        _("%s: missing: run “%s” has no saved weights"), file,
                                        run->name));
  model = recur_model_load (file, info, error);
  if (model == NULL)
    return NULL;
  if (run->has_config
      && !check_weights_match (recur_model_get_spec (model), &run->config.model, file, error))
    {
      if (info)
        recur_model_info_clear (info);
      return NULL;
    }
  return g_steal_pointer (&model);
}

/* ---- runs: writing ------------------------------------------------------------------------- */

static gboolean
write_run_config (RecurProject     *self,
                  RecurProjectRun  *run,
                  GError          **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *file = run_file (run, CONFIG_FILE);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, RUN_VERSION);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, run->name);
  json_builder_set_member_name (b, "swept");
  json_builder_add_value (b, recur_sweep_values_to_json (run->swept, run->n_swept));
  if (self->has_data)
    {
      json_builder_set_member_name (b, "data");
      json_builder_add_value (b, data_to_json (&self->data, NULL));
    }
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, recur_job_config_to_json (&run->config));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return recur_json_write_file (root, file, error);
}

/* A run folder that could not be completed: its files, then itself. Run folders hold files
 * only. */
static void
discard_run_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
  g_rmdir (path);
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (name && *name && g_utf8_validate (name, -1, NULL))
    return TRUE;
  g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_INVALID,
               _("a run needs a name (UTF-8, not empty)"));
  return FALSE;
}

RecurProjectRun *
recur_project_add_run (RecurProject           *self,
                       const char             *name,
                       const RecurJobConfig   *config,
                       const RecurSweepValue  *swept,
                       guint                   n_swept,
                       GError                **error)
{
  g_autofree char *id = NULL;
  RecurProjectRun *run;

  g_return_val_if_fail (n_swept <= RECUR_SWEEP_MAX_PARAMS, NULL);
  if (!check_name (name, error))
    return NULL;
  id = format_run_id (self->next_run);
  run = run_new (self, id, name);
  recur_job_config_clear (&run->config);
  recur_job_config_copy (&run->config, config);
  run->has_config = TRUE;
  for (guint i = 0; i < n_swept; i++)
    {
      run->swept[i] = swept[i];
      run->swept[i].text = g_strdup (swept[i].text);
    }
  run->n_swept = n_swept;
  /* folder, then config.json, then the list: a crash in between leaves an empty folder (ignored)
   * or an unlisted run (recovered). A write that fails takes the run out again, folder and all,
   * so that the project is as it was; its id is reused only if its folder is gone. */
  if (!recur_file_make_dir (run->dir, error))
    {
      run_free (run);
      return NULL;
    }
  self->next_run++;
  g_ptr_array_add (self->runs, run);
  if (!write_run_config (self, run, error) || !recur_project_save (self, error))
    {
      discard_run_folder (run->dir);
      if (!g_file_test (run->dir, G_FILE_TEST_EXISTS))
        self->next_run--;
      g_ptr_array_remove (self->runs, run);
      return NULL;
    }
  return run;
}

static JsonNode *
history_to_json (const RecurHistory *h)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, h->n_epochs);
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    {
      const double *column = *history_column ((RecurHistory *) h, i);

      json_builder_set_member_name (b, history_names[i]);
      json_builder_begin_array (b);
      for (guint e = 0; e < h->n_epochs; e++)
        if (isfinite (column[e]))
          json_builder_add_double_value (b, column[e]);
        else
          json_builder_add_null_value (b);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
recur_project_write_history (RecurProject        *self,
                             RecurProjectRun     *run,
                             const RecurHistory  *history,
                             GError             **error)
{
  g_autoptr(JsonNode) root = history_to_json (history);
  g_autofree char *file = run_file (run, HISTORY_FILE);
  gsize len;
  /* compact: rewritten every epoch, it grows with them */
  g_autofree char *text = recur_json_to_data (root, FALSE, &len);

  if (!recur_file_write_atomic (file, text, len, error))
    return FALSE;
  if (history != &run->history)
    history_copy (&run->history, history);
  return TRUE;
}

gboolean
recur_project_write_weights (RecurProject      *self,
                             RecurProjectRun   *run,
                             const RecurJob    *job,
                             const RecurModel  *model,
                             guint              epoch,
                             GError           **error)
{
  g_autofree char *file = run_file (run, WEIGHTS_FILE);

  if (!recur_job_save_model (job, model, file, error))
    return FALSE;
  run->has_weights = TRUE;
  run->weights_epoch = epoch;
  run->weights_at = g_get_monotonic_time ();
  return TRUE;
}

/* The timestamps of the test part and of the forecast past the end, as the CSV spells them. */
static void
add_timestamps (JsonObject     *o,
                const RecurJob *job)
{
  const RecurSeries *series = recur_job_get_series (job);
  const RecurDataset *data = recur_job_get_dataset (job);
  const gint64 *ts = recur_series_get_timestamps (series);
  guint start = recur_dataset_get_test_start (data), n = recur_dataset_get_n_points (data);
  gint64 last = ts ? ts[n - 1] : (gint64) n - 1;
  JsonArray *test = json_array_new (), *future = json_array_new ();

  for (guint i = start; i < n; i++)
    {
      g_autofree char *when = recur_series_format_timestamp (series, ts ? ts[i] : (gint64) i);
      json_array_add_string_element (test, when);
    }
  for (guint h = 0; h < recur_job_get_config (job)->model.horizon; h++)
    {
      g_autofree char *when =
        recur_series_format_timestamp (series, recur_series_advance_timestamp (series, last, h + 1));
      json_array_add_string_element (future, when);
    }
  json_object_set_array_member (o, "test_timestamps", test);
  json_object_set_array_member (o, "forecast_timestamps", future);
}

static JsonObject *
result_object (RecurRunStatus  status,
               const char     *message,
               const RecurJob *job)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "version", RUN_VERSION);
  json_object_set_string_member (o, "status", recur_run_status_to_id (status));
  if (message)
    json_object_set_string_member (o, "error", message);
  else
    json_object_set_null_member (o, "error");
  if (job)
    {
      g_autoptr(JsonNode) summary = recur_job_to_json (job);
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (summary));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (o, name, json_node_copy (member));
      if (recur_job_get_evaluation (job))
        add_timestamps (o, job);
      if (recur_job_get_summary (job)->best_epoch == 0)
        {
          /* never trained: the model's scores and forecasts would describe random weights */
          json_object_remove_member (o, "test");
          json_object_remove_member (o, "test_forecast");
          json_object_remove_member (o, "forecast");
        }
    }
  return o;
}

gboolean
recur_project_write_result (RecurProject     *self,
                            RecurProjectRun  *run,
                            RecurRunStatus    status,
                            const char       *message,
                            const RecurJob   *job,
                            GError          **error)
{
  g_autoptr(JsonObject) o = result_object (status, message, job);
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), o);
  g_autofree char *file = run_file (run, RESULT_FILE);

  if (!recur_json_write_file (root, file, error))
    return FALSE;
  run->status = status;
  g_free (run->message);
  run->message = g_strdup (message);
  g_clear_pointer (&run->result, json_object_unref);
  run->result = json_object_ref (o);
  return TRUE;
}

/* The project forecasts one column: a run of another is refused, and a project made without
 * one takes the first run's. */
static gboolean
check_column (RecurProject    *self,
              const RecurJob  *job,
              GError         **error)
{
  const char *column = recur_job_get_column_name (job);

  if (!self->has_data || self->data.column == NULL)
    {
      if (self->has_data)
        self->data.column = g_strdup (column);
      return TRUE;
    }
  if (g_str_equal (self->data.column, column))
    return TRUE;
  return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_MISMATCH,
                                      _("%s compares runs on column “%s”, not “%s”"), self->path,
                                      self->data.column, column));
}

RecurProjectRun *
recur_project_add_recur_run (RecurProject           *self,
                             RecurRun               *run,
                             const RecurSweepValue  *swept,
                             guint                   n_swept,
                             GError                **error)
{
  const RecurJob *job = recur_run_get_job (run);

  if (!check_column (self, job, error))
    return NULL;
  return recur_project_add_run (self, recur_run_get_name (run), recur_job_get_config (job),
                                swept, n_swept, error);
}

static gboolean
sync_weights (RecurProject     *self,
              RecurProjectRun  *entry,
              RecurRun         *run,
              GError          **error)
{
  guint best = recur_run_get_best_epoch (run);
  gboolean active = recur_run_is_active (run);

  if (best == 0 || best == entry->weights_epoch)
    return TRUE;
  if (active && g_get_monotonic_time () - entry->weights_at < WEIGHTS_INTERVAL_US)
    return TRUE; /* the next progress will write them */
  return recur_project_write_weights (self, entry, recur_run_get_job (run),
                                      recur_run_get_best_model (run), best, error);
}

gboolean
recur_project_sync_run (RecurProject     *self,
                        RecurProjectRun  *entry,
                        RecurRun         *run,
                        GError          **error)
{
  g_autoptr(GError) history_error = NULL;
  RecurHistory view;
  RecurRunStatus status = recur_run_get_status (run);

  /* a history that cannot be written costs neither the weights nor the result (it is tried
   * again next time); weights that cannot be written hold the result back, which would
   * otherwise point at weights that are not there */
  recur_history_view_run (&view, run);
  if (view.n_epochs != entry->history.n_epochs)
    recur_project_write_history (self, entry, &view, &history_error);
  if (!sync_weights (self, entry, run, error))
    return FALSE;
  if (recur_run_is_active (run))
    entry->status = status;
  else if (entry->result == NULL
           && !recur_project_write_result (self, entry, status,
                                           recur_run_get_error (run)
                                             ? recur_run_get_error (run)->message : NULL,
                                           recur_run_get_job (run), error))
    return FALSE;
  if (history_error)
    {
      g_propagate_error (error, g_steal_pointer (&history_error));
      return FALSE;
    }
  return TRUE;
}

RecurProjectRun *
recur_project_add_job (RecurProject        *self,
                       const char          *name,
                       const RecurJob      *job,
                       RecurRunStatus       status,
                       const char          *message,
                       const RecurHistory  *history,
                       GError             **error)
{
  RecurProjectRun *run;
  guint best = recur_job_get_summary (job)->best_epoch;

  if (!check_column (self, job, error))
    return NULL;
  run = recur_project_add_run (self, name, recur_job_get_config (job), NULL, 0, error);
  if (run == NULL
      || (history && !recur_project_write_history (self, run, history, error))
      || (best > 0 && !recur_project_write_weights (self, run, job,
                                                    recur_job_get_model ((RecurJob *) job), best,
                                                    error))
      || !recur_project_write_result (self, run, status, message, job, error))
    return NULL;
  return run;
}

gboolean
recur_project_rename_run (RecurProject     *self,
                          RecurProjectRun  *run,
                          const char       *name,
                          GError          **error)
{
  g_autofree char *old = NULL;

  if (!check_name (name, error))
    return FALSE;
  old = g_steal_pointer (&run->name);
  run->name = g_strdup (name);
  /* project.json, then config.json, whose name is the one opening shows: if the second write
   * fails, the run still shows its old name wherever it stops */
  if (!recur_project_save (self, error))
    {
      g_free (run->name);
      run->name = g_steal_pointer (&old);
      return FALSE;
    }
  if (run->has_config && !write_run_config (self, run, error))
    {
      g_free (run->name);
      run->name = g_steal_pointer (&old);
      recur_project_save (self, NULL); /* the old name back in the list, if the disk lets us */
      return FALSE;
    }
  return TRUE;
}

/* Our run folders hold files only. */
static gboolean
remove_folder (const char  *path,
               GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
  if (g_rmdir (path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot remove the folder %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
recur_project_delete_run (RecurProject     *self,
                          RecurProjectRun  *run,
                          GError          **error)
{
  g_autofree char *base = g_strconcat (".deleted-", run->id, NULL);
  g_autofree char *trash = g_build_filename (self->path, base, NULL);
  gboolean moved = FALSE;
  guint index;

  if (g_file_test (run->dir, G_FILE_TEST_IS_DIR))
    {
      if (g_rename (run->dir, trash) != 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot remove the run folder %s: %s"), run->dir, g_strerror (saved));
          return FALSE;
        }
      moved = TRUE;
    }
  if (!g_ptr_array_find (self->runs, run, &index))
    g_return_val_if_reached (FALSE);
  g_ptr_array_steal_index (self->runs, index);
  if (!recur_project_save (self, error))
    {
      /* still listed in project.json: the run stays, folder and all */
      if (moved)
        g_rename (trash, run->dir);
      g_ptr_array_insert (self->runs, (gint) index, run);
      return FALSE;
    }
  run_free (run);
  /* project.json's write synced the folder, the move to the trash with it */
  return !moved || remove_folder (trash, error);
}
