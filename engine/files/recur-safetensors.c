/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "recur-fileutil.h"
#include "recur-memory.h"
#include "recur-safetensors.h"
#include "recur-safetensors-private.h"

/* The format (Hugging Face safetensors):
 *
 *   [8 bytes]  N, the header length, unsigned little-endian
 *   [N bytes]  a UTF-8 JSON object, padded with trailing spaces
 *              {"__metadata__": {"key": "value", …},
 *               "name": {"dtype": "F32", "shape": [d0, d1, …], "data_offsets": [begin, end]}, …}
 *   [rest]     the data section: a tensor's values are data[begin:end], row-major, little-endian
 *
 * Offsets are relative to the start of the data section and the tensors tile it exactly.
 * Only F32 is read or written.  The JSON is built and parsed by json-glib; the only thing
 * read by hand is a token-level guard against what json-glib 1.6 cannot refuse safely
 * (see check_header_tokens ()).
 */

#define MAX_HEADER_BYTES G_GUINT64_CONSTANT (100000000) /* the reference implementation's limit */
#define MAX_VALUES       ((guint64) G_MAXINT64 / 4)     /* so that a byte count is a JSON integer */

G_STATIC_ASSERT (sizeof (float) == sizeof (guint32));

G_DEFINE_QUARK (recur-safetensors-error-quark, recur_safetensors_error)

static void
recur_safetensors_entry_free (gpointer data)
{
  RecurSafetensorsEntry *entry = data;

  g_free (entry->name);
  if (!entry->borrowed)
    g_free (entry->data);
  g_free (entry);
}

const char *
recur_safetensors_label (const RecurSafetensors *self)
{
  return self->display_name != NULL ? self->display_name : _("(in memory)");
}

/* "[4, 1]", or "[]" for a scalar. */
char *
format_shape (guint          n_dims,
              const guint64 *shape)
{
  GString *text = g_string_new ("[");

  for (guint i = 0; i < n_dims; i++)
    {
      if (i > 0)
        g_string_append (text, ", ");
      g_string_append_printf (text, "%" G_GUINT64_FORMAT, shape[i]);
    }
  g_string_append_c (text, ']');

  return g_string_free (text, FALSE);
}

/* The number of values of a shape, FALSE if it exceeds MAX_VALUES.  A shape with a zero
 * dimension holds no values whatever its other dimensions are. */
gboolean
shape_count_values (guint          n_dims,
                    const guint64 *shape,
                    guint64       *n_values)
{
  guint64 product = 1;

  for (guint i = 0; i < n_dims; i++)
    if (shape[i] == 0)
      {
        *n_values = 0;
        return TRUE;
      }

  for (guint i = 0; i < n_dims; i++)
    {
      if (shape[i] > MAX_VALUES / product)
        return FALSE;
      product *= shape[i];
    }

  *n_values = product;
  return TRUE;
}

static gboolean
shape_equal (guint          n_dims_a,
             const guint64 *shape_a,
             guint          n_dims_b,
             const guint64 *shape_b)
{
  if (n_dims_a != n_dims_b)
    return FALSE;

  for (guint i = 0; i < n_dims_a; i++)
    if (shape_a[i] != shape_b[i])
      return FALSE;

  return TRUE;
}

/* out receives 4 * n bytes. */
static void
write_floats_le (guint8      *out,
                 const float *values,
                 guint64      n)
{
  for (guint64 i = 0; i < n; i++)
    {
      guint32 bits;

      memcpy (&bits, &values[i], sizeof bits);
      bits = GUINT32_TO_LE (bits);
      memcpy (out + 4 * i, &bits, sizeof bits);
    }
}

/* in holds 4 * n bytes, not necessarily aligned. */
static void
read_floats_le (float        *values,
                const guint8 *in,
                guint64       n)
{
  for (guint64 i = 0; i < n; i++)
    {
      guint32 bits;

      memcpy (&bits, in + 4 * i, sizeof bits);
      bits = GUINT32_FROM_LE (bits);
      memcpy (&values[i], &bits, sizeof bits);
    }
}

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The metadata keys, borrowed, sorted. */
static GPtrArray *
sorted_metadata_keys (const RecurSafetensors *self)
{
  GPtrArray *keys = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, self->metadata);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (keys, key);
  g_ptr_array_sort (keys, compare_strings);

  return keys;
}

RecurSafetensors *
recur_safetensors_new (void)
{
  RecurSafetensors *self = g_new0 (RecurSafetensors, 1);

  self->entries = g_ptr_array_new_with_free_func (recur_safetensors_entry_free);
  self->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  self->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return self;
}

void
recur_safetensors_free (RecurSafetensors *self)
{
  if (self == NULL)
    return;

  g_hash_table_unref (self->by_name);
  g_ptr_array_unref (self->entries);
  g_hash_table_unref (self->metadata);
  g_free (self->display_name);
  g_free (self);
}

/* Takes data.  A tensor of the same name keeps its position and gets the new shape and data. */
static void
recur_safetensors_take (RecurSafetensors *self,
                        const char       *name,
                        guint             n_dims,
                        const guint64    *shape,
                        guint64           n_values,
                        float            *data)
{
  RecurSafetensorsEntry *entry = g_hash_table_lookup (self->by_name, name);
  guint64 dims[RECUR_SAFETENSORS_MAX_DIMS] = { 0, };

  /* shape may be the entry's own (from recur_safetensors_get ()). */
  if (n_dims > 0)
    memcpy (dims, shape, n_dims * sizeof shape[0]);

  if (entry == NULL)
    {
      entry = g_new0 (RecurSafetensorsEntry, 1);
      entry->name = g_strdup (name);
      g_ptr_array_add (self->entries, entry);
      g_hash_table_insert (self->by_name, entry->name, entry);
    }
  else if (!entry->borrowed)
    {
      g_free (entry->data);
    }

  entry->n_dims = n_dims;
  memcpy (entry->shape, dims, sizeof dims);
  entry->n_values = n_values;
  entry->data = data;
  entry->borrowed = FALSE;
}

void
recur_safetensors_add (RecurSafetensors *self,
                       const char       *name,
                       guint             n_dims,
                       const guint64    *shape,
                       const float      *data)
{
  guint64 n_values;
  float *copy;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);
  g_return_if_fail (g_utf8_validate (name, -1, NULL));
  g_return_if_fail (strcmp (name, METADATA_KEY) != 0);
  g_return_if_fail (n_dims <= RECUR_SAFETENSORS_MAX_DIMS);
  g_return_if_fail (n_dims == 0 || shape != NULL);
  for (guint i = 0; i < n_dims; i++)
    g_return_if_fail (shape[i] <= (guint64) G_MAXINT64);
  g_return_if_fail (shape_count_values (n_dims, shape, &n_values));
  g_return_if_fail (n_values <= G_MAXSIZE / sizeof (float));
  g_return_if_fail (n_values == 0 || data != NULL);

  copy = g_new (float, MAX (n_values, 1));
  if (n_values > 0)
    memcpy (copy, data, n_values * sizeof (float));

  recur_safetensors_take (self, name, n_dims, shape, n_values, copy);
}

void
recur_safetensors_add_borrowed (RecurSafetensors *self,
                                const char       *name,
                                guint             n_dims,
                                const guint64    *shape,
                                const float      *data)
{
  static const float none[1];
  guint64 n_values;

  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL && g_utf8_validate (name, -1, NULL));
  g_return_if_fail (strcmp (name, METADATA_KEY) != 0);
  g_return_if_fail (n_dims <= RECUR_SAFETENSORS_MAX_DIMS);
  g_return_if_fail (shape_count_values (n_dims, shape, &n_values));
  g_return_if_fail (n_values == 0 || data != NULL);

  recur_safetensors_take (self, name, n_dims, shape, n_values, (float *) (data ? data : none));
  ((RecurSafetensorsEntry *) g_hash_table_lookup (self->by_name, name))->borrowed = TRUE;
}

void
recur_safetensors_set_metadata (RecurSafetensors *self,
                                const char       *key,
                                const char       *value)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL && g_utf8_validate (key, -1, NULL));
  g_return_if_fail (value != NULL && g_utf8_validate (value, -1, NULL));

  g_hash_table_replace (self->metadata, g_strdup (key), g_strdup (value));
}

static JsonNode *
recur_safetensors_build_header (const RecurSafetensors *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  guint64 offset = 0;

  json_builder_begin_object (builder);

  if (g_hash_table_size (self->metadata) > 0)
    {
      g_autoptr(GPtrArray) keys = sorted_metadata_keys (self);

      json_builder_set_member_name (builder, METADATA_KEY);
      json_builder_begin_object (builder);
      for (guint i = 0; i < keys->len; i++)
        {
          const char *key = g_ptr_array_index (keys, i);

          json_builder_set_member_name (builder, key);
          json_builder_add_string_value (builder, g_hash_table_lookup (self->metadata, key));
        }
      json_builder_end_object (builder);
    }

  for (guint i = 0; i < self->entries->len; i++)
    {
      const RecurSafetensorsEntry *entry = g_ptr_array_index (self->entries, i);

      json_builder_set_member_name (builder, entry->name);
      json_builder_begin_object (builder);

      json_builder_set_member_name (builder, "dtype");
      json_builder_add_string_value (builder, "F32");

      json_builder_set_member_name (builder, "shape");
      json_builder_begin_array (builder);
      for (guint d = 0; d < entry->n_dims; d++)
        json_builder_add_int_value (builder, (gint64) entry->shape[d]);
      json_builder_end_array (builder);

      json_builder_set_member_name (builder, "data_offsets");
      json_builder_begin_array (builder);
      json_builder_add_int_value (builder, (gint64) offset);
      offset += 4 * entry->n_values;
      json_builder_add_int_value (builder, (gint64) offset);
      json_builder_end_array (builder);

      json_builder_end_object (builder);
    }

  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/* The file's bytes, or NULL if memory for them cannot be had (the size in *size). */
static GBytes *
try_to_bytes (const RecurSafetensors *self,
              guint64                *size)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonGenerator) generator = NULL;
  g_autofree char *json = NULL;
  gsize json_length;
  gsize header_length;
  gsize data_length = 0;
  guint64 header_length_le;
  guint8 *out;
  guint8 *data;

  g_return_val_if_fail (self != NULL, NULL);

  root = recur_safetensors_build_header (self);
  generator = json_generator_new ();
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, &json_length);

  /* Pad with spaces so that the data section starts at a multiple of 8. */
  header_length = (json_length + 7) & ~(gsize) 7;
  for (guint i = 0; i < self->entries->len; i++)
    data_length += 4 * ((RecurSafetensorsEntry *) g_ptr_array_index (self->entries, i))->n_values;

  *size = 8 + header_length + data_length;
  out = g_try_malloc (8 + header_length + data_length);
  if (out == NULL)
    return NULL;

  header_length_le = GUINT64_TO_LE ((guint64) header_length);
  memcpy (out, &header_length_le, 8);
  memcpy (out + 8, json, json_length);
  memset (out + 8 + json_length, ' ', header_length - json_length);

  data = out + 8 + header_length;
  for (guint i = 0; i < self->entries->len; i++)
    {
      const RecurSafetensorsEntry *entry = g_ptr_array_index (self->entries, i);

      write_floats_le (data, entry->data, entry->n_values);
      data += 4 * entry->n_values;
    }

  return g_bytes_new_take (out, 8 + header_length + data_length);
}

GBytes *
recur_safetensors_to_bytes (const RecurSafetensors *self)
{
  guint64 size = 0;
  GBytes *bytes = try_to_bytes (self, &size);

  if (bytes == NULL)
    g_error ("out of memory for %" G_GUINT64_FORMAT " bytes of tensors", size);
  return bytes;
}

gboolean
recur_safetensors_save (const RecurSafetensors  *self,
                        const char              *path,
                        GError                 **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  gconstpointer data;
  gsize length;
  guint64 size = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  bytes = try_to_bytes (self, &size);
  if (bytes == NULL)
    {
      g_autofree char *display = g_filename_display_name (path);
      g_autofree char *needed = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_IO,
                   _("Cannot write %s: not enough memory for its %s"), display, needed);
      return FALSE;
    }
  data = g_bytes_get_data (bytes, &length);

  if (!recur_file_write_atomic (path, data, length, &local_error))
    {
      /* the message names the file and the reason */
      g_set_error_literal (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_IO,
                           local_error->message);
      return FALSE;
    }

  return TRUE;
}

RecurSafetensors *
recur_safetensors_new_from_bytes (GBytes      *bytes,
                                  const char  *display_name,
                                  GError     **error)
{
  g_autoptr(RecurSafetensors) self = NULL;
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GList) members = NULL;
  g_autoptr(GArray) slots = NULL;
  const guint8 *contents;
  const guint8 *data;
  const char *file;
  JsonObject *root;
  gsize size;
  guint64 header_length;
  guint64 data_length;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = recur_safetensors_new ();
  self->display_name = g_strdup (display_name);
  file = recur_safetensors_label (self);

  contents = g_bytes_get_data (bytes, &size);
  if (size < 8)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_TRUNCATED,
                   _("%s: the file has %llu bytes, too few for the 8-byte header length"),
                   file, (unsigned long long) size);
      return NULL;
    }

  memcpy (&header_length, contents, 8);
  header_length = GUINT64_FROM_LE (header_length);
  if (header_length > MAX_HEADER_BYTES)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: the header length %llu is more than the limit of %llu bytes"),
                   file, (unsigned long long) header_length,
                   (unsigned long long) MAX_HEADER_BYTES);
      return NULL;
    }
  if (header_length > size - 8)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_TRUNCATED,
                   _("%s: the header length is %llu bytes but only %llu follow"),
                   file, (unsigned long long) header_length, (unsigned long long) (size - 8));
      return NULL;
    }
  data = contents + 8 + header_length;
  data_length = size - 8 - header_length;

  parser = parse_header_json (file, (const char *) contents + 8, header_length, error);
  if (parser == NULL)
    return NULL;
  root = json_node_get_object (json_parser_get_root (parser));

  /* Every entry is checked before any data is copied. */
  slots = g_array_new (FALSE, FALSE, sizeof (RecurSafetensorsSlot));
  members = json_object_get_members (root);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *name = l->data;
      JsonNode *node = json_object_get_member (root, name);
      RecurSafetensorsSlot slot;

      if (strcmp (name, METADATA_KEY) == 0)
        {
          if (!parse_metadata (self, node, error))
            return NULL;
          continue;
        }

      if (!parse_slot (file, name, node, data_length, &slot, error))
        return NULL;
      g_array_append_val (slots, slot);
    }

  if (!check_tiling (file, (RecurSafetensorsSlot *) slots->data, slots->len,
                     data_length, error))
    return NULL;

  /* The tensors tile the data, so together they allocate data_length bytes. */
  for (guint i = 0; i < slots->len; i++)
    {
      const RecurSafetensorsSlot *slot = &g_array_index (slots, RecurSafetensorsSlot, i);
      float *values = g_try_malloc_n (MAX (slot->n_values, 1), sizeof (float));

      if (values == NULL)
        {
          g_autofree char *what = g_strdup_printf (_("the tensors of %s"), file);
          recur_memory_set_error (error, data_length, what);
          return NULL;
        }
      read_floats_le (values, data + slot->begin, slot->n_values);
      recur_safetensors_take (self, slot->name, slot->n_dims, slot->shape, slot->n_values,
                              values);
    }

  return g_steal_pointer (&self);
}

RecurSafetensors *
recur_safetensors_load (const char  *path,
                        GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *display_name = NULL;
  g_autofree char *contents = NULL;
  gsize length;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  display_name = g_filename_display_name (path);
  if (!g_file_get_contents (path, &contents, &length, &local_error))
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_IO,
                   _("%s: cannot read the file: %s"), display_name, local_error->message);
      return NULL;
    }

  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);
  return recur_safetensors_new_from_bytes (bytes, display_name, error);
}

guint
recur_safetensors_get_n_tensors (const RecurSafetensors *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->entries->len;
}

const char *
recur_safetensors_get_name (const RecurSafetensors *self,
                            guint                   index)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (index < self->entries->len, NULL);

  return ((RecurSafetensorsEntry *) g_ptr_array_index (self->entries, index))->name;
}

const float *
recur_safetensors_get (const RecurSafetensors  *self,
                       const char              *name,
                       guint                   *n_dims,
                       const guint64          **shape)
{
  const RecurSafetensorsEntry *entry;

  if (n_dims != NULL)
    *n_dims = 0;
  if (shape != NULL)
    *shape = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  entry = g_hash_table_lookup (self->by_name, name);
  if (entry == NULL)
    return NULL;

  if (n_dims != NULL)
    *n_dims = entry->n_dims;
  if (shape != NULL)
    *shape = entry->shape;

  return entry->data;
}

const float *
recur_safetensors_get_checked (const RecurSafetensors  *self,
                               const char              *name,
                               guint                    n_dims,
                               const guint64           *shape,
                               GError                 **error)
{
  const RecurSafetensorsEntry *entry;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  g_return_val_if_fail (n_dims <= RECUR_SAFETENSORS_MAX_DIMS, NULL);
  g_return_val_if_fail (n_dims == 0 || shape != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  entry = g_hash_table_lookup (self->by_name, name);
  if (entry == NULL)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_MISSING,
                   _("%s: no tensor “%s”"), recur_safetensors_label (self), name);
      return NULL;
    }

  if (!shape_equal (entry->n_dims, entry->shape, n_dims, shape))
    {
      g_autofree char *found = format_shape (entry->n_dims, entry->shape);
      g_autofree char *expected = format_shape (n_dims, shape);

      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_SHAPE,
                   _("%s: tensor “%s” has shape %s, expected %s"),
                   recur_safetensors_label (self), name, found, expected);
      return NULL;
    }

  return entry->data;
}

const char *
recur_safetensors_get_metadata (const RecurSafetensors *self,
                                const char             *key)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (self->metadata, key);
}

char **
recur_safetensors_list_metadata (const RecurSafetensors *self)
{
  g_autoptr(GPtrArray) keys = NULL;
  g_autoptr(GStrvBuilder) builder = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  keys = sorted_metadata_keys (self);
  builder = g_strv_builder_new ();
  for (guint i = 0; i < keys->len; i++)
    g_strv_builder_add (builder, g_ptr_array_index (keys, i));

  return g_strv_builder_end (builder);
}

const char *
recur_safetensors_get_display_name (const RecurSafetensors *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->display_name;
}
