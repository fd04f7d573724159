/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "recur-fileutil.h"
#include "recur-jsonutil.h"

void
recur_format_double (char   *buf,
                     gsize   size,
                     double  v)
{
  int first;

  /* Most doubles (losses, gradient norms) need 16 or 17 digits: one try at 15 tells whether
   * fewer can do (if some k ≤ 15 digits read back as v, then rounding v to 15 digits gives those
   * same digits), so only then are the short forms tried, from 1 up. Same result as trying
   * every precision from 1, about four times faster. */
  g_ascii_formatd (buf, size, "%.15g", v);
  first = g_ascii_strtod (buf, NULL) == v ? 1 : 16;
  for (int digits = first; digits <= 17; digits++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%dg", digits);
      g_ascii_formatd (buf, size, format, v);
      if (g_ascii_strtod (buf, NULL) == v)
        return;
    }
}

/* Keeps a '.' or an exponent, so that the number reads back as a double. */
static void
append_shortest (GString *out,
                 double   v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  recur_format_double (buf, sizeof buf, v);
  g_string_append (out, buf);
  if (strpbrk (buf, ".eEn") == NULL)
    g_string_append (out, ".0");
}

/* Rewrites the floating-point literals of generated JSON; strings are copied untouched. */
static char *
shorten_numbers (const char *text,
                 gsize      *length)
{
  GString *out = g_string_sized_new (strlen (text));
  const char *p = text;

  while (*p)
    {
      if (*p == '"')
        {
          const char *start = p++;
          while (*p && *p != '"')
            p += (*p == '\\' && p[1]) ? 2 : 1;
          if (*p)
            p++;
          g_string_append_len (out, start, p - start);
        }
      else if (*p == '-' || g_ascii_isdigit (*p))
        {
          const char *start = p;
          gboolean is_float = FALSE;

          while (*p && strchr ("+-.eE0123456789", *p))
            is_float |= (*p == '.' || *p == 'e' || *p == 'E'), p++;
          if (is_float)
            append_shortest (out, g_ascii_strtod (start, NULL));
          else
            g_string_append_len (out, start, p - start);
        }
      else
        g_string_append_c (out, *p++);
    }
  if (length)
    *length = out->len;
  return g_string_free (out, FALSE);
}

char *
recur_json_to_data (JsonNode *node,
                    gboolean  pretty,
                    gsize    *length)
{
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;

  json_generator_set_pretty (gen, pretty);
  json_generator_set_root (gen, node);
  text = json_generator_to_data (gen, NULL);
  return shorten_numbers (text, length);
}

gboolean
recur_json_write_file (JsonNode    *node,
                       const char  *path,
                       GError     **error)
{
  gsize len;
  g_autofree char *text = recur_json_to_data (node, TRUE, &len);
  g_autofree char *with_newline = g_strconcat (text, "\n", NULL);

  return recur_file_write_atomic (path, with_newline, len + 1, error);
}

JsonNode *
recur_json_read_file (const char  *path,
                      GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autofree char *text = NULL;
  gsize len;

  /* json-glib holds the whole tree, several times the text: a bound on what a file may take
   * (a history of a million epochs is about 125 MB) */
  if (!recur_file_read_regular (path, RECUR_JSON_MAX_FILE_BYTES, &text, &len, error))
    return NULL;
  if (len == 0 || strspn (text, " \t\r\n") == len)
    {
      g_set_error (error, JSON_PARSER_ERROR, JSON_PARSER_ERROR_PARSE, _("%s: the file is empty"),
                   path);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) len, error))
    {
      /* json-glib says "<data>:3:5: Parse error: …": put the file's name in its place */
      if (error && *error && g_str_has_prefix ((*error)->message, "<data>"))
        {
          char *message = g_strconcat (path, (*error)->message + strlen ("<data>"), NULL);
          g_free ((*error)->message);
          (*error)->message = message;
        }
      else
        g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

void
recur_json_add_number (JsonBuilder *builder,
                       const char  *name,
                       double       v)
{
  if (name != NULL)
    json_builder_set_member_name (builder, name);
  if (isfinite (v))
    json_builder_add_double_value (builder, v);
  else
    json_builder_add_null_value (builder);
}

void
recur_json_add_uint64 (JsonBuilder *builder,
                       guint64      v)
{
  if (v <= G_MAXINT64)
    json_builder_add_int_value (builder, (gint64) v);
  else
    {
      g_autofree char *text = g_strdup_printf ("%" G_GUINT64_FORMAT, v);
      json_builder_add_string_value (builder, text);
    }
}

gboolean
recur_json_get_number (JsonObject *object,
                       const char *name,
                       double     *out)
{
  JsonNode *node = json_object_get_member (object, name);
  GType type;

  *out = NAN;
  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  type = json_node_get_value_type (node);
  if (type != G_TYPE_DOUBLE && type != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_double (node);
  return TRUE;
}
