/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>

#include "recur-safetensors-private.h"

/* A safetensors header: checked token by token, parsed by json-glib, then checked entry by
 * entry, and the entries' tiling of the data section, before any data is copied. */

#define MAX_JSON_DEPTH   64                             /* a valid header is 3 levels deep */
#define MAX_WORD_LENGTH  18                             /* an 18-digit integer is below 2^63 */
#define MAX_QUOTED       120                            /* characters of file text in a message */

/* Member names seen in each JSON object still open while json-glib parses, because
 * JsonObject silently keeps only the last of two members with the same name. */
typedef struct
{
  GPtrArray *open_objects; /* of GHashTable (set of names), innermost last */
  char      *duplicate;    /* the first name found twice, or NULL */
  guint      depth;        /* of the object holding it: 1 for the top level */
} RecurSafetensorsDuplicates;

/* Text taken from a file, made valid UTF-8 (json-glib decodes "\udc00" into invalid UTF-8)
 * and cut short so that a hostile name cannot make a huge message. */
static char *
quote_text (const char *text)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autofree char *prefix = NULL;

  if (g_utf8_strlen (valid, -1) <= MAX_QUOTED)
    return g_steal_pointer (&valid);

  prefix = g_utf8_substring (valid, 0, MAX_QUOTED - 1);
  return g_strconcat (prefix, "…", NULL);
}

/* A token-level guard run before json-glib sees the header.  json-glib 1.6 parses nesting
 * recursively without a limit (a few hundred thousand "[" overflow the stack), reads an integer
 * beyond 64 bits as a wrapped value (18446744073709551617 becomes -1), reads 010 as octal 8 and
 * 0x10 as 16, and accepts comments, single-quoted strings and several top-level values.  None
 * of that is JSON, and a safetensors header is one object three levels deep, so anything
 * outside double-quoted strings must be whitespace, a structural character, or a number or
 * literal made of runs of at most MAX_WORD_LENGTH letters and digits, not starting with "0"
 * then a digit or "x"; nesting is at most MAX_JSON_DEPTH levels; and the header must begin with
 * "{" and end with its "}" (then padding).  This does not parse: json-glib does.  Returns a
 * translated reason, or NULL. */
static const char *
check_header_tokens (const char *text,
                     gsize       length)
{
  gboolean started = FALSE;
  gboolean ended = FALSE;
  gboolean in_number = FALSE; /* inside a number or literal such as -1.5e+3 or true */
  guint depth = 0;
  gsize word = 0;             /* letters and digits in a row */
  gsize i = 0;

  while (i < length)
    {
      char c = text[i];

      if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
        {
          word = 0;
          in_number = FALSE;
          i++;
          continue;
        }

      if (ended)
        return _("there is text after the JSON object");
      if (!started && c != '{')
        return _("it is not a JSON object");
      started = TRUE;

      if (c == '"')
        {
          /* Skip the string; an escape covers the next byte. */
          for (i++; i < length && text[i] != '"'; i++)
            if (text[i] == '\\')
              i++;
          word = 0;
          in_number = FALSE;
          i++;
          continue;
        }

      if (g_ascii_isalnum (c) || c == '.' || c == '+' || c == '-')
        {
          if (!in_number)
            {
              gsize j = c == '-' ? i + 1 : i;

              if (j + 1 < length && text[j] == '0'
                  && (g_ascii_isdigit (text[j + 1]) || text[j + 1] == 'x' || text[j + 1] == 'X'))
                return _("it holds characters that are not JSON");
            }
          in_number = TRUE;
        }
      else
        {
          in_number = FALSE;
        }

      if (c == '{' || c == '[')
        {
          if (++depth > MAX_JSON_DEPTH)
            return _("it nests too deeply");
          word = 0;
        }
      else if (c == '}' || c == ']')
        {
          if (depth > 0 && --depth == 0)
            ended = TRUE;
          word = 0;
        }
      else if (c == ':' || c == ',' || c == '.' || c == '+' || c == '-')
        {
          word = 0;
        }
      else if (g_ascii_isalnum (c))
        {
          if (++word > MAX_WORD_LENGTH)
            return _("it holds a number too long to be read exactly");
        }
      else
        {
          return _("it holds characters that are not JSON");
        }

      i++;
    }

  if (!started)
    return _("it is not a JSON object");

  return NULL;
}

static void
on_object_start (JsonParser *parser G_GNUC_UNUSED,
                 gpointer    user_data)
{
  RecurSafetensorsDuplicates *duplicates = user_data;

  g_ptr_array_add (duplicates->open_objects,
                   g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL));
}

static void
on_object_member (JsonParser *parser G_GNUC_UNUSED,
                  JsonObject *object G_GNUC_UNUSED,
                  const char *name,
                  gpointer    user_data)
{
  RecurSafetensorsDuplicates *duplicates = user_data;
  GHashTable *names;

  if (duplicates->open_objects->len == 0)
    return;

  names = g_ptr_array_index (duplicates->open_objects, duplicates->open_objects->len - 1);
  if (!g_hash_table_add (names, g_strdup (name)) && duplicates->duplicate == NULL)
    {
      duplicates->duplicate = g_strdup (name);
      duplicates->depth = duplicates->open_objects->len;
    }
}

static void
on_object_end (JsonParser *parser G_GNUC_UNUSED,
               JsonObject *object G_GNUC_UNUSED,
               gpointer    user_data)
{
  RecurSafetensorsDuplicates *duplicates = user_data;

  if (duplicates->open_objects->len > 0)
    g_ptr_array_remove_index (duplicates->open_objects, duplicates->open_objects->len - 1);
}

/* A JSON integer ≥ 0 (a float such as 4.0, a string or a boolean is not). */
static gboolean
node_get_count (JsonNode *node,
                guint64  *value)
{
  gint64 v;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;

  v = json_node_get_int (node);
  if (v < 0)
    return FALSE;

  *value = (guint64) v;
  return TRUE;
}

static gboolean
node_holds_string (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_STRING;
}

gboolean
parse_metadata (RecurSafetensors  *self,
                JsonNode          *node,
                GError           **error)
{
  const char *file = recur_safetensors_label (self);
  g_autoptr(GList) members = NULL;
  JsonObject *object;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA,
                   _("%s: “%s” is not a JSON object of strings"), file, METADATA_KEY);
      return FALSE;
    }

  object = json_node_get_object (node);
  members = json_object_get_members (object);
  for (GList *l = members; l != NULL; l = l->next)
    {
      const char *key = l->data;
      JsonNode *value = json_object_get_member (object, key);
      g_autofree char *quoted = quote_text (key);

      if (!node_holds_string (value))
        {
          g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA,
                       _("%s: metadata “%s” is not a string"), file, quoted);
          return FALSE;
        }
      if (!g_utf8_validate (key, -1, NULL)
          || !g_utf8_validate (json_node_get_string (value), -1, NULL))
        {
          g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_METADATA,
                       _("%s: metadata “%s” is not valid UTF-8 text"), file, quoted);
          return FALSE;
        }

      g_hash_table_replace (self->metadata, g_strdup (key),
                            g_strdup (json_node_get_string (value)));
    }

  return TRUE;
}

/* Checks one tensor's entry on its own; the tiling is checked once all are read. */
gboolean
parse_slot (const char            *file,
            const char            *name,
            JsonNode              *node,
            guint64                data_length,
            RecurSafetensorsSlot  *slot,
            GError               **error)
{
  g_autofree char *quoted = quote_text (name);
  g_autofree char *shape_text = NULL;
  JsonObject *object;
  JsonNode *dtype;
  JsonNode *shape;
  JsonNode *offsets;
  JsonArray *array;
  guint64 n_bytes;

  memset (slot, 0, sizeof *slot);
  slot->name = name;

  if (!g_utf8_validate (name, -1, NULL))
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: tensor “%s”: its name is not valid UTF-8 text"), file, quoted);
      return FALSE;
    }

  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: tensor “%s”: its entry is not a JSON object"), file, quoted);
      return FALSE;
    }
  object = json_node_get_object (node);

  dtype = json_object_get_member (object, "dtype");
  shape = json_object_get_member (object, "shape");
  offsets = json_object_get_member (object, "data_offsets");
  if (dtype == NULL || shape == NULL || offsets == NULL)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: tensor “%s”: its entry has no “%s”"), file, quoted,
                   dtype == NULL ? "dtype" : shape == NULL ? "shape" : "data_offsets");
      return FALSE;
    }

  /* dtype */
  if (!node_holds_string (dtype))
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: tensor “%s”: “dtype” is not a string"), file, quoted);
      return FALSE;
    }
  if (strcmp (json_node_get_string (dtype), "F32") != 0)
    {
      g_autofree char *quoted_dtype = quote_text (json_node_get_string (dtype));

      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_DTYPE,
                   _("%s: tensor “%s”: dtype “%s” is not supported, only F32 is"),
                   file, quoted, quoted_dtype);
      return FALSE;
    }

  /* shape */
  if (!JSON_NODE_HOLDS_ARRAY (shape))
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: tensor “%s”: “shape” is not an array"), file, quoted);
      return FALSE;
    }
  array = json_node_get_array (shape);
  if (json_array_get_length (array) > RECUR_SAFETENSORS_MAX_DIMS)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: tensor “%s”: its shape has %u dimensions, more than %d"),
                   file, quoted, json_array_get_length (array), RECUR_SAFETENSORS_MAX_DIMS);
      return FALSE;
    }
  slot->n_dims = json_array_get_length (array);
  for (guint i = 0; i < slot->n_dims; i++)
    if (!node_get_count (json_array_get_element (array, i), &slot->shape[i]))
      {
        g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                     _("%s: tensor “%s”: dimension %u of its shape is not an integer ≥ 0"),
                     file, quoted, i);
        return FALSE;
      }
  shape_text = format_shape (slot->n_dims, slot->shape);
  if (!shape_count_values (slot->n_dims, slot->shape, &slot->n_values))
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: tensor “%s”: shape %s has too many values"),
                   file, quoted, shape_text);
      return FALSE;
    }

  /* data_offsets */
  if (!JSON_NODE_HOLDS_ARRAY (offsets)
      || json_array_get_length (json_node_get_array (offsets)) != 2
      || !node_get_count (json_array_get_element (json_node_get_array (offsets), 0), &slot->begin)
      || !node_get_count (json_array_get_element (json_node_get_array (offsets), 1), &slot->end))
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: tensor “%s”: “data_offsets” is not two integers ≥ 0"), file, quoted);
      return FALSE;
    }
  if (slot->begin > slot->end)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: tensor “%s”: data_offsets [%llu, %llu] end before they begin"),
                   file, quoted, (unsigned long long) slot->begin,
                   (unsigned long long) slot->end);
      return FALSE;
    }

  /* Both are ≤ G_MAXINT64, so neither overflows. */
  n_bytes = slot->end - slot->begin;
  if (n_bytes != 4 * slot->n_values)
    {
      if (n_bytes % 4 == 0)
        g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_LAYOUT,
                     _("%s: tensor “%s”: data_offsets [%llu, %llu] hold %llu values "
                       "but shape %s needs %llu"),
                     file, quoted, (unsigned long long) slot->begin,
                     (unsigned long long) slot->end, (unsigned long long) (n_bytes / 4),
                     shape_text, (unsigned long long) slot->n_values);
      else
        g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_LAYOUT,
                     _("%s: tensor “%s”: data_offsets [%llu, %llu] span %llu bytes, "
                       "not a whole number of F32 values (shape %s needs %llu)"),
                     file, quoted, (unsigned long long) slot->begin,
                     (unsigned long long) slot->end, (unsigned long long) n_bytes,
                     shape_text, (unsigned long long) slot->n_values);
      return FALSE;
    }

  if (slot->end > data_length)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_TRUNCATED,
                   _("%s: tensor “%s”: data_offsets [%llu, %llu] reach past the end of the "
                     "data (%llu bytes); the file is truncated"),
                   file, quoted, (unsigned long long) slot->begin,
                   (unsigned long long) slot->end, (unsigned long long) data_length);
      return FALSE;
    }

  return TRUE;
}

static int
compare_slots (gconstpointer a,
               gconstpointer b,
               gpointer      user_data)
{
  const RecurSafetensorsSlot *slots = user_data;
  const RecurSafetensorsSlot *x = &slots[*(const guint *) a];
  const RecurSafetensorsSlot *y = &slots[*(const guint *) b];

  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  if (x->end != y->end)
    return x->end < y->end ? -1 : 1;
  return 0;
}

/* The tensors, taken in the order of their offsets, must cover [0, data_length) without a gap
 * or an overlap.  Empty tensors may sit at any offset that is a boundary. */
gboolean
check_tiling (const char                 *file,
              const RecurSafetensorsSlot *slots,
              guint                       n_slots,
              guint64                     data_length,
              GError                    **error)
{
  g_autofree guint *order = g_new (guint, MAX (n_slots, 1));
  guint64 cursor = 0;
  const RecurSafetensorsSlot *previous = NULL;

  for (guint i = 0; i < n_slots; i++)
    order[i] = i;
  g_qsort_with_data (order, n_slots, sizeof order[0], compare_slots, (gpointer) slots);

  for (guint i = 0; i < n_slots; i++)
    {
      const RecurSafetensorsSlot *slot = &slots[order[i]];

      if (slot->begin < cursor)
        {
          g_autofree char *quoted = quote_text (slot->name);
          g_autofree char *quoted_previous = quote_text (previous->name);

          g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_LAYOUT,
                       _("%s: tensors “%s” [%llu, %llu] and “%s” [%llu, %llu] overlap"),
                       file, quoted_previous, (unsigned long long) previous->begin,
                       (unsigned long long) previous->end, quoted,
                       (unsigned long long) slot->begin, (unsigned long long) slot->end);
          return FALSE;
        }
      if (slot->begin > cursor)
        {
          g_autofree char *quoted = quote_text (slot->name);

          g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_LAYOUT,
                       _("%s: data bytes [%llu, %llu] before tensor “%s” belong to no tensor"),
                       file, (unsigned long long) cursor, (unsigned long long) slot->begin,
                       quoted);
          return FALSE;
        }

      cursor = slot->end;
      previous = slot;
    }

  if (cursor != data_length)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_LAYOUT,
                   _("%s: the last %llu bytes of the data belong to no tensor"),
                   file, (unsigned long long) (data_length - cursor));
      return FALSE;
    }

  return TRUE;
}

/* Parses the header JSON into root, refusing duplicate names. */
JsonParser *
parse_header_json (const char  *file,
                   const char  *header,
                   gsize        header_length,
                   GError     **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) open_objects = NULL;
  g_autofree char *duplicate = NULL;
  RecurSafetensorsDuplicates duplicates = { NULL, };
  const char *problem;
  JsonNode *root;
  gboolean ok;

  if (!g_utf8_validate (header, header_length, NULL))
    {
      /* This also refuses a NUL byte. */
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: the header is not valid UTF-8 text"), file);
      return NULL;
    }

  problem = check_header_tokens (header, header_length);
  if (problem != NULL)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: the header is not valid: %s"), file, problem);
      return NULL;
    }

  open_objects = g_ptr_array_new_with_free_func ((GDestroyNotify) g_hash_table_unref);
  duplicates.open_objects = open_objects;

  parser = json_parser_new ();
  g_signal_connect (parser, "object-start", G_CALLBACK (on_object_start), &duplicates);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), &duplicates);
  g_signal_connect (parser, "object-end", G_CALLBACK (on_object_end), &duplicates);
  ok = json_parser_load_from_data (parser, header, (gssize) header_length, &local_error);
  g_signal_handlers_disconnect_by_data (parser, &duplicates);
  duplicate = g_steal_pointer (&duplicates.duplicate);

  if (!ok)
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: the header is not valid JSON: %s"), file, local_error->message);
      return NULL;
    }

  if (duplicate != NULL)
    {
      g_autofree char *quoted = quote_text (duplicate);

      if (duplicates.depth == 1 && strcmp (duplicate, METADATA_KEY) != 0)
        g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                     _("%s: tensor “%s” appears more than once in the header"), file, quoted);
      else
        g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                     _("%s: key “%s” appears more than once in an object of the header"),
                     file, quoted);
      return NULL;
    }

  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER,
                   _("%s: the header is not valid: %s"), file, _("it is not a JSON object"));
      return NULL;
    }

  return g_steal_pointer (&parser);
}
