/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by recur-safetensors.c and recur-safetensors-parse.c and by nothing else: not
 * part of the engine's API. */

#include <glib.h>
#include <json-glib/json-glib.h>

#include "recur-safetensors.h"

G_BEGIN_DECLS

#define METADATA_KEY     "__metadata__"

typedef struct
{
  char    *name;
  guint    n_dims;
  guint64  shape[RECUR_SAFETENSORS_MAX_DIMS];
  guint64  n_values;
  float   *data;  /* n_values floats; never NULL, even when n_values is 0 */
  gboolean borrowed; /* data is the caller's (recur_safetensors_add_borrowed) */
} RecurSafetensorsEntry;

struct _RecurSafetensors
{
  char       *display_name; /* NULL when made by recur_safetensors_new () */
  GPtrArray  *entries;      /* of RecurSafetensorsEntry, in insertion (or header) order */
  GHashTable *by_name;      /* name → RecurSafetensorsEntry, borrowed from entries */
  GHashTable *metadata;     /* key → value, both owned */
};

/* A tensor described by a header, before its data is copied. */
typedef struct
{
  const char *name;  /* borrowed from the parsed JSON */
  guint       n_dims;
  guint64     shape[RECUR_SAFETENSORS_MAX_DIMS];
  guint64     n_values;
  guint64     begin;
  guint64     end;
} RecurSafetensorsSlot;

/* recur-safetensors.c */
const char *recur_safetensors_label (const RecurSafetensors *self);
char *format_shape (guint          n_dims,
                    const guint64 *shape);
gboolean shape_count_values (guint          n_dims,
                             const guint64 *shape,
                             guint64       *n_values);

/* recur-safetensors-parse.c */
gboolean parse_metadata (RecurSafetensors  *self,
                         JsonNode          *node,
                         GError           **error);
gboolean parse_slot (const char            *file,
                     const char            *name,
                     JsonNode              *node,
                     guint64                data_length,
                     RecurSafetensorsSlot  *slot,
                     GError               **error);
gboolean check_tiling (const char                 *file,
                       const RecurSafetensorsSlot *slots,
                       guint                       n_slots,
                       guint64                     data_length,
                       GError                    **error);
JsonParser *parse_header_json (const char  *file,
                               const char  *header,
                               gsize        header_length,
                               GError     **error);

G_END_DECLS
