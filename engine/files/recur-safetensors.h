/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RECUR_SAFETENSORS_ERROR (recur_safetensors_error_quark ())
GQuark recur_safetensors_error_quark (void);

typedef enum
{
  RECUR_SAFETENSORS_ERROR_IO,           /* cannot read or write the file */
  RECUR_SAFETENSORS_ERROR_TRUNCATED,    /* shorter than its header says */
  RECUR_SAFETENSORS_ERROR_HEADER,       /* header length, JSON or a field of it is invalid */
  RECUR_SAFETENSORS_ERROR_DTYPE,        /* a tensor whose dtype is not F32 */
  RECUR_SAFETENSORS_ERROR_LAYOUT,       /* offsets outside the data, overlapping, or not matching the shape */
  RECUR_SAFETENSORS_ERROR_MISSING,      /* a tensor or metadata key the caller needs is not there */
  RECUR_SAFETENSORS_ERROR_SHAPE,        /* a tensor has another shape than the caller needs */
  RECUR_SAFETENSORS_ERROR_METADATA,     /* a metadata value is missing or invalid */
  RECUR_SAFETENSORS_ERROR_NOT_FINITE,   /* a model's weight is NaN or infinite */
} RecurSafetensorsError;

#define RECUR_SAFETENSORS_MAX_DIMS 8

/* An in-memory safetensors file: named float32 tensors plus string metadata.
 * Format: 8-byte little-endian header length N, N bytes of JSON
 * {"__metadata__": {str: str}, "name": {"dtype": "F32", "shape": [...], "data_offsets": [b, e]}, ...},
 * then the raw little-endian data. */
typedef struct _RecurSafetensors RecurSafetensors;

RecurSafetensors *recur_safetensors_new            (void);
void              recur_safetensors_free           (RecurSafetensors        *self);

/* Copies data (product of shape floats). Replaces a tensor of the same name (which keeps its
 * position in the order). */
void              recur_safetensors_add            (RecurSafetensors        *self,
                                                    const char              *name,
                                                    guint                    n_dims,
                                                    const guint64           *shape,
                                                    const float             *data);
/* The same without a copy: data must outlive self (saving a model's weights without a second
 * copy of them). */
void              recur_safetensors_add_borrowed   (RecurSafetensors        *self,
                                                    const char              *name,
                                                    guint                    n_dims,
                                                    const guint64           *shape,
                                                    const float             *data);
void              recur_safetensors_set_metadata   (RecurSafetensors        *self,
                                                    const char              *key,
                                                    const char              *value);

/* Serialises (tensors in insertion order, header padded with spaces to a multiple of 8). */
GBytes           *recur_safetensors_to_bytes       (const RecurSafetensors  *self);
/* Writes atomically: a temporary file in the same directory, then rename. */
gboolean          recur_safetensors_save           (const RecurSafetensors  *self,
                                                    const char              *path,
                                                    GError                 **error);

/* Parses and validates everything before allocating by sizes it read (header length bounded by
 * the file size and by 100 MB; every tensor's shape, dtype and offsets checked; offsets must tile
 * the data without gaps or overlap). display_name is used in messages. Tensors keep the
 * header's order; a name given twice, and JSON extensions json-glib would accept (comments,
 * single quotes, octal or hexadecimal or beyond-64-bit integers), are HEADER errors. */
RecurSafetensors *recur_safetensors_new_from_bytes (GBytes                  *bytes,
                                                    const char              *display_name,
                                                    GError                 **error);
RecurSafetensors *recur_safetensors_load           (const char              *path,
                                                    GError                 **error);

guint             recur_safetensors_get_n_tensors  (const RecurSafetensors  *self);
const char       *recur_safetensors_get_name       (const RecurSafetensors  *self,
                                                    guint                    index);
/* NULL if absent. n_dims and shape (may be NULL) receive the tensor's shape. */
const float      *recur_safetensors_get            (const RecurSafetensors  *self,
                                                    const char              *name,
                                                    guint                   *n_dims,
                                                    const guint64          **shape);
/* The tensor called name with exactly this shape, or NULL and an error naming the file,
 * the tensor and both shapes (MISSING or SHAPE). */
const float      *recur_safetensors_get_checked    (const RecurSafetensors  *self,
                                                    const char              *name,
                                                    guint                    n_dims,
                                                    const guint64           *shape,
                                                    GError                 **error);
const char       *recur_safetensors_get_metadata   (const RecurSafetensors  *self,
                                                    const char              *key);
/* NULL-terminated list of metadata keys, sorted; free with g_strfreev. */
char            **recur_safetensors_list_metadata  (const RecurSafetensors  *self);
/* The display_name given to new_from_bytes, the path (for display) given to load, or NULL after
 * recur_safetensors_new () (messages then say “(in memory)”). */
const char       *recur_safetensors_get_display_name (const RecurSafetensors *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurSafetensors, recur_safetensors_free)

G_END_DECLS
