/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* JSON text with every floating-point number written in the fewest digits that read back to the
 * same double ("0.003", not json-glib's "0.0030000000000000001"), so files people read stay
 * readable and still round-trip exactly. Floats keep a '.' or an exponent, so they read back as
 * doubles. */
char      *recur_json_to_data    (JsonNode    *node,
                                  gboolean     pretty,
                                  gsize       *length);
/* recur_json_to_data, pretty, written with recur_file_write_atomic. Errors name the path. */
gboolean   recur_json_write_file (JsonNode    *node,
                                  const char  *path,
                                  GError     **error);
/* The largest JSON file read: parsing holds the whole tree, several times the text. */
#define RECUR_JSON_MAX_FILE_BYTES (256u << 20)

/* Reads and parses a JSON file, which must be a regular file and not a symbolic link
 * (recur_file_read_regular: a project's files never lead outside its folder) of at most
 * RECUR_JSON_MAX_FILE_BYTES. A missing file is G_FILE_ERROR_NOENT, a link G_FILE_ERROR_LOOP, a
 * larger one G_FILE_ERROR_FAILED; an empty, truncated or malformed one JSON_PARSER_ERROR
 * (JSON_PARSER_ERROR_PARSE for an empty file). Messages begin with the path and, for syntax
 * errors, give the line and column. */
JsonNode  *recur_json_read_file  (const char  *path,
                                  GError     **error);

/* v in the fewest digits that read back as v ("0.003", "1e-05", "32"); size ≥
 * G_ASCII_DTOSTR_BUF_SIZE. */
void       recur_format_double   (char        *buf,
                                  gsize        size,
                                  double       v);
/* Adds name: v, or name: null where v is not finite (JSON has no NaN); for name NULL, v as
 * an element of the array being built. */
void       recur_json_add_number (JsonBuilder *builder,
                                  const char  *name,
                                  double       v);
/* An unsigned integer (a seed) as an element or a member's value: an integer up to 2⁶³ − 1,
 * the most JSON readers keep exactly, beyond as its decimal string. */
void       recur_json_add_uint64 (JsonBuilder *builder,
                                  guint64      v);
/* The member as a double: NAN when it is null or absent; FALSE if it is something else. */
gboolean   recur_json_get_number (JsonObject  *object,
                                  const char  *name,
                                  double      *out);

G_END_DECLS
