/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#include "recur-project-private.h"

/* ---- the data reference -------------------------------------------------------------------- */

gboolean
hash_file (const char  *path,
           guint64     *size,
           char       **sha256,
           GError     **error)
{
  g_autoptr(GMappedFile) map = NULL;

  if (!recur_series_check_regular_file (path, error))
    return FALSE;
  map = g_mapped_file_new (path, FALSE, error);
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
void
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

JsonNode *
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

/* ---- the data ------------------------------------------------------------------------------ */

const RecurProjectData *
recur_project_get_data (RecurProject *self)
{
  return self->has_data ? &self->data : NULL;
}

/* 0: the recorded file; 1: a file, another one; 2: no file. The data is the one path a project
 * records that may lead outside its folder, by design (the CSV beside the project, or anywhere):
 * it is only ever read, only if it is a regular file (never a FIFO or a device, which could
 * block or never end), and hashed only if it has the recorded size. */
static int
probe_data (RecurProject *self,
            const char   *candidate)
{
  g_autofree char *sha256 = NULL;
  GStatBuf st;
  guint64 size;

  if (g_stat (candidate, &st) != 0 || !S_ISREG (st.st_mode))
    return 2;
  if ((guint64) st.st_size != self->data.size)
    return 1;
  if (!hash_file (candidate, &size, &sha256, NULL))
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

  g_return_val_if_fail (self->writable, FALSE);
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
