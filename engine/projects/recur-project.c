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
#include <string.h>
#include <unistd.h>

#include "recur-fileutil.h"
#include "recur-jsonutil.h"
#include "recur-project.h"
#include "recur-project-private.h"

#define PROJECT_FORMAT  "recur-project"
#define PROJECT_VERSION 1

#define PROJECT_FILE "project.json"

G_DEFINE_QUARK (recur-project-error-quark, recur_project_error)

/* ---- small helpers ------------------------------------------------------------------------- */

GError *
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

gboolean
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
void
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
GError *
as_project_error (const GError *error)
{
  RecurProjectError code = RECUR_PROJECT_ERROR_CORRUPT;

  if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    code = RECUR_PROJECT_ERROR_MISSING_FILE;
  else if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_LOOP))
    code = RECUR_PROJECT_ERROR_UNSAFE_PATH;
  return new_error (code, "%s", error->message);
}

GError *
link_error (const char *path)
{
  return new_error (RECUR_PROJECT_ERROR_UNSAFE_PATH,
                    _("%s is a symbolic link: not followed, since it could lead outside the "
                      "project"), path);
}

char *
run_file (const RecurProjectRun *run,
          const char            *name)
{
  return g_build_filename (run->dir, name, NULL);
}

void
history_clear (RecurHistory *h)
{
  g_clear_pointer (&h->train_loss, g_free);
  g_clear_pointer (&h->val_loss, g_free);
  g_clear_pointer (&h->lr, g_free);
  g_clear_pointer (&h->grad_norm, g_free);
  g_clear_pointer (&h->seconds, g_free);
  h->n_epochs = 0;
}

void
member_losses_clear (RecurProjectRun *run)
{
  for (guint k = 0; k < run->n_member_losses; k++)
    {
      g_free (run->member_losses[k].train_loss);
      g_free (run->member_losses[k].val_loss);
    }
  g_clear_pointer (&run->member_losses, g_free);
  run->n_member_losses = 0;
}

/* The columns of a history, for loops over all of them. */
double **
history_column (RecurHistory *h,
                guint         i)
{
  double **columns[] = { &h->train_loss, &h->val_loss, &h->lr, &h->grad_norm, &h->seconds };
  return columns[i];
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

void
data_clear (RecurProjectData *d)
{
  g_clear_pointer (&d->path, g_free);
  g_clear_pointer (&d->relative, g_free);
  g_clear_pointer (&d->sha256, g_free);
  g_clear_pointer (&d->column, g_free);
}

RecurProjectRun *
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

void
run_free (RecurProjectRun *run)
{
  detach_log (run, FALSE);
  g_free (run->id);
  g_free (run->name);
  g_free (run->dir);
  g_free (run->message);
  recur_job_config_clear (&run->config);
  for (guint i = 0; i < run->n_swept; i++)
    g_free (run->swept[i].text);
  history_clear (&run->history);
  member_losses_clear (run);
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
  self->lock_fd = -1;
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
  g_ptr_array_unref (self->runs);  /* detaches the runs still training */
  g_ptr_array_unref (self->issues);
  if (self->lock_fd >= 0)
    close (self->lock_fd);  /* releases the lock */
  g_free (self);
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

char *
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

  g_return_val_if_fail (self->writable, FALSE);
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
contains_id (GPtrArray  *listed,
             const char *id)
{
  for (guint i = 0; i < listed->len; i++)
    if (g_str_equal (((Listed *) g_ptr_array_index (listed, i))->id, id))
      return TRUE;
  return FALSE;
}

/* The runs project.json lists. An entry whose id is not a run folder's name ("../x", "/abs",
 * "run-0001/../../x") would lead outside the project: it is ignored, as is a second entry of
 * one id, each an issue; project.json is then recovered (rewritten without them). */
static gboolean
read_listed_runs (RecurProject  *self,
                  JsonObject    *o,
                  GPtrArray     *listed,
                  const char    *file,
                  GError       **error)
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
        {
          add_issue (self, NULL, new_error (RECUR_PROJECT_ERROR_UNSAFE_PATH,
                                            _("%s: “runs”: “id”: “%s” is not the name of a run "
                                              "folder (run-0001): ignored, since it could lead "
                                              "outside the project"), file, id));
          self->recovered = TRUE;
          continue;
        }
      if (contains_id (listed, id))
        {
          add_issue (self, NULL, new_error (RECUR_PROJECT_ERROR_CORRUPT,
                                            _("%s: “runs”: “id”: “%s” is listed twice: the "
                                              "second is ignored"), file, id));
          self->recovered = TRUE;
          continue;
        }
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
      || !read_listed_runs (self, o, listed, file, error))
    return FALSE;
  data = json_object_get_member (o, "data");
  if (data && !JSON_NODE_HOLDS_NULL (data))
    {
      JsonNode *replaced;

      if (!read_data (data, &self->data, file, error))
        return FALSE;
      self->has_data = TRUE;
      replaced = json_object_get_member (json_node_get_object (data), "replaced");
      if (replaced)
        self->replaced = json_node_copy (replaced);
    }
  self->next_run = (guint) MIN (next, G_MAXUINT);
  return TRUE;
}

/* ---- opening ------------------------------------------------------------------------------- */

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names of the form run-NNNN that are folders or symbolic links, sorted. No new run takes
 * the number of anything of such a name, whatever it is. */
static GPtrArray *
scan_run_folders (RecurProject *self)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (self->path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (self->path, name, NULL);
      RecurFileKind kind;

      if (!is_run_id (name))
        continue;
      self->next_run = MAX (self->next_run, MIN (run_number (name), G_MAXUINT - 1) + 1);
      kind = recur_file_kind (path);
      if (kind == RECUR_FILE_KIND_FOLDER || kind == RECUR_FILE_KIND_LINK)
        g_ptr_array_add (ids, g_strdup (name));
    }
  g_ptr_array_sort (ids, compare_strings);
  return ids;
}

/* Empty but for the lock file (which a writer leaves behind). */
static gboolean
folder_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    if (!g_str_equal (name, LOCK_FILE))
      return FALSE;
  return TRUE;
}

/* Whether a run folder holds any of a run's files: one that does not (made, then killed before
 * its config.json was written, perhaps leaving the temporary file of that write) holds no run. */
static gboolean
holds_run_files (const char *dir)
{
  static const char *const names[] = { CONFIG_FILE, HISTORY_FILE, LOG_FILE, RESULT_FILE,
                                       WEIGHTS_FILE };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      if (recur_file_kind (path) != RECUR_FILE_KIND_NONE)
        return TRUE;
    }
  return FALSE;
}

/* The temporary files of atomic writes ("result.json.AB12cd") that a crash left: removed by the
 * writer that holds the lock, since no one else can be writing them. */
static void
remove_stale_temporaries (const char *folder)
{
  static const char *const names[] = { PROJECT_FILE, CONFIG_FILE, HISTORY_FILE, RESULT_FILE,
                                       WEIGHTS_FILE };
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        gsize n = strlen (names[i]);
        g_autofree char *path = NULL;

        if (strncmp (name, names[i], n) != 0 || name[n] != '.' || strlen (name + n + 1) != 6)
          continue;
        path = g_build_filename (folder, name, NULL);
        if (recur_file_kind (path) == RECUR_FILE_KIND_REGULAR)
          g_unlink (path);
      }
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
 * unless project.json itself was lost: then all are, and that is the issue). A run folder that
 * is a symbolic link is not read (an issue). */
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
      RecurFileKind kind = recur_file_kind (dir);

      if (kind == RECUR_FILE_KIND_FOLDER)
        add_read_run (self, l->id, l->name);
      else if (kind == RECUR_FILE_KIND_LINK)
        {
          add_issue (self, NULL, link_error (dir));
          self->recovered = TRUE;
        }
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

      if (contains_id (listed, id))
        continue;
      if (recur_file_kind (dir) == RECUR_FILE_KIND_LINK)
        {
          add_issue (self, NULL, link_error (dir));
          continue;
        }
      if (!holds_run_files (dir))
        continue; /* a run whose config.json was never written */
      add_read_run (self, id, NULL);
      self->recovered = TRUE;
      if (have_list)
        add_issue (self, NULL, new_error (RECUR_PROJECT_ERROR_CORRUPT,
                                          _("%s: this run was not listed in %s: recovered"), dir,
                                          PROJECT_FILE));
    }
}

RecurProject *
recur_project_open (const char          *path,
                    RecurProjectAccess   access,
                    GError             **error)
{
  g_autoptr(RecurProject) self = project_new (path);
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func ((GDestroyNotify) listed_free);
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *project_file = g_build_filename (self->path, PROJECT_FILE, NULL);
  GError *local = NULL;
  gboolean have_list = TRUE;

  if (!g_file_test (self->path, G_FILE_TEST_IS_DIR))
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_NOT_FOUND,
                                        _("%s: no such project folder"), self->path));
  /* before the lock, so that no lock file is left in a folder that holds no project */
  found = scan_run_folders (self);
  if (found->len == 0 && recur_file_kind (project_file) == RECUR_FILE_KIND_NONE)
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_NOT_FOUND,
                                        _("%s: not a Recur project (no %s)"), self->path,
                                        PROJECT_FILE));
  if (access == RECUR_PROJECT_WRITE && !take_lock (self, error))
    return NULL;
  if (!load_project_file (self, listed, &local))
    {
      RecurProjectError code = RECUR_PROJECT_ERROR_CORRUPT;

      if (g_error_matches (local, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_VERSION))
        return fail_null (error, local);
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        code = RECUR_PROJECT_ERROR_MISSING_FILE;
      else if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_LOOP))
        code = RECUR_PROJECT_ERROR_UNSAFE_PATH;
      /* the data is set only once all of project.json has been read: the runs listed so far
       * are all that is to be forgotten */
      g_ptr_array_set_size (listed, 0);
      add_issue (self, NULL, new_error (code, _("%s; rebuilt from the run folders"),
                                        local->message));
      g_clear_error (&local);
      self->recovered = TRUE;
      have_list = FALSE;
    }
  load_runs (self, listed, have_list);
  if (self->writable)
    {
      g_autoptr(GPtrArray) folders = scan_run_folders (self);

      remove_stale_temporaries (self->path);
      for (guint i = 0; i < folders->len; i++)
        {
          g_autofree char *dir = g_build_filename (self->path, g_ptr_array_index (folders, i),
                                                   NULL);
          if (recur_file_kind (dir) == RECUR_FILE_KIND_FOLDER)
            remove_stale_temporaries (dir);
        }
    }
  if (!recur_project_check_data (self, &local))
    add_issue (self, NULL, local);
  return g_steal_pointer (&self);
}

/* ---- creating ------------------------------------------------------------------------------ */

/* Undoes the folder create made: its lock let go of, then the lock file and the folder. */
static void
remove_made_folder (RecurProject *self)
{
  g_autofree char *lock = g_build_filename (self->path, LOCK_FILE, NULL);

  if (self->lock_fd >= 0)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
      self->writable = FALSE;
    }
  g_unlink (lock);
  g_rmdir (self->path);
}

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

  /* refused before anything is made: a folder in use, or one that holds anything else */
  if (g_file_test (self->path, G_FILE_TEST_EXISTS) && !folder_is_empty (self->path))
    {
      if (!check_not_held (self->path, error))
        return NULL; /* the better reason */
      return fail_null (error, new_error (RECUR_PROJECT_ERROR_EXISTS,
                                          _("%s: the folder exists and is not empty"),
                                          self->path));
    }
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
      g_autoptr(GError) local = NULL;

      made = recur_file_make_dir (self->path, &local);
      /* made by another process a moment ago: its lock, taken below, names it */
      if (!made && !g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_EXIST))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
    }
  /* checked again with the lock: another process may have begun a project there meanwhile */
  if (!take_lock (self, error))
    {
      if (made)
        g_rmdir (self->path);
      return NULL;
    }
  if (!folder_is_empty (self->path))
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_EXISTS,
                                        _("%s: the folder exists and is not empty"),
                                        self->path));
  self->data.column = g_strdup (column);
  set_data (self, csv, size, sha256);
  if (!recur_project_save (self, error))
    {
      if (made)
        remove_made_folder (self); /* no folder that looks like a project and is not one */
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* ---- the project --------------------------------------------------------------------------- */

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

guint
recur_project_run_get_member_losses (const RecurProjectRun  *run,
                                     guint                   k,
                                     const double          **train,
                                     const double          **val)
{
  if (k == 0 || k >= run->n_member_losses)
    {
      *train = *val = NULL;
      return 0;
    }
  *train = run->member_losses[k].train_loss;
  *val = run->member_losses[k].val_loss;
  return run->member_losses[k].n_epochs;
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

/* "; hidden 12, not 8": one setting in which the weights differ from config.json. */
static void
add_difference (GString    *text,
                const char *setting,
                const char *have,
                const char *want)
{
  if (g_str_equal (have, want))
    return;
  if (text->len > 0)
    g_string_append (text, "; ");
  g_string_append_printf (text, _("%s %s, not %s"), setting, have, want);
}

static void
add_number_difference (GString    *text,
                       const char *setting,
                       guint       have,
                       guint       want)
{
  g_autofree char *have_text = g_strdup_printf ("%u", have);
  g_autofree char *want_text = g_strdup_printf ("%u", want);

  add_difference (text, setting, have_text, want_text);
}

/* The weights must be the model config.json describes: otherwise they belong to another run.
 * The message names each setting that differs, as config.json spells it. */
static gboolean
check_weights_match (const RecurModelSpec  *have,
                     const RecurJobConfig  *config,
                     const char            *file,
                     GError               **error)
{
  const RecurModelSpec *want = &config->model;
  g_autoptr(GString) differences = g_string_new (NULL);
  g_autofree char *what = NULL;
  gboolean a_members_window = FALSE;

  /* an ensemble's members may read windows of their own (--ensemble-windows 12,24) */
  for (guint k = 0; k < MAX (config->ensemble, 1); k++)
    a_members_window |= recur_job_config_member_window (config, k) == have->window;

  add_difference (differences, "model", recur_cell_to_option (have->cell),
                  recur_cell_to_option (want->cell));
  add_number_difference (differences, "input-size", have->input_size, want->input_size);
  add_number_difference (differences, "hidden", have->hidden_size, want->hidden_size);
  add_number_difference (differences, "layers", have->num_layers, want->num_layers);
  add_difference (differences, "bidirectional", have->bidirectional ? "true" : "false",
                  want->bidirectional ? "true" : "false");
  add_difference (differences, "bias", have->bias ? "true" : "false",
                  want->bias ? "true" : "false");
  if (!a_members_window)
    add_number_difference (differences, "window", have->window, want->window);
  add_number_difference (differences, "horizon", have->horizon, want->horizon);
  add_difference (differences, "strategy", recur_strategy_to_string (have->strategy),
                  recur_strategy_to_string (want->strategy));
  if (differences->len == 0)
    return TRUE;
  what = g_strdup_printf (_("the weights are not the model %s describes (%s)"), CONFIG_FILE,
                          differences->str);
  return corrupt (error, file, what);
}

RecurModel *
recur_project_run_load_weights (RecurProject     *self,
                                RecurProjectRun  *run,
                                RecurModelInfo   *info,
                                GError          **error)
{
  GPtrArray *members = recur_project_run_load_members (self, run, info, error);
  g_autofree char *file = run_file (run, WEIGHTS_FILE);
  RecurModel *model;

  if (members == NULL)
    return NULL;
  model = recur_model_take_single (members, file, error);
  if (model == NULL && info)
    recur_model_info_clear (info);
  return model;
}

GPtrArray *
recur_project_run_load_members (RecurProject     *self,
                                RecurProjectRun  *run,
                                RecurModelInfo   *info,
                                GError          **error)
{
  g_autofree char *file = run_file (run, WEIGHTS_FILE);
  g_autoptr(GPtrArray) members = NULL;
  RecurModel *model;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  char *contents;
  gsize length;

  if (recur_file_kind (file) == RECUR_FILE_KIND_NONE)
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_MISSING_FILE,
                                        _("%s: missing: run “%s” has no saved weights"), file,
                                        run->name));
  if (!recur_file_read_regular (file, G_MAXSSIZE, &contents, &length, &local))
    return fail_null (error, as_project_error (local));
  bytes = g_bytes_new_take (contents, length);
  members = recur_model_load_members_bytes (bytes, file, info, error);
  if (members == NULL)
    return NULL;
  model = g_ptr_array_index (members, 0);
  if (run->has_config
      && !check_weights_match (recur_model_get_spec (model), &run->config, file, error))
    {
      if (info)
        recur_model_info_clear (info);
      return NULL;
    }
  return g_steal_pointer (&members);
}
