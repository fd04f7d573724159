/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Allocations whose size comes from a file or an option: a CSV's rows, a model's parameters,
 * a window × batch workspace. They fail with this error, naming what was too big and its size,
 * instead of aborting as g_malloc does. */
#define RECUR_MEMORY_ERROR (recur_memory_error_quark ())
GQuark recur_memory_error_quark (void);

typedef enum
{
  RECUR_MEMORY_ERROR_NO_MEMORY,   /* the allocation failed (or its size overflows) */
  RECUR_MEMORY_ERROR_TOO_LARGE,   /* more than this computer's memory: not even tried */
} RecurMemoryError;

/* n × size bytes (zeroed for _alloc0), or NULL with "Not enough memory for WHAT: SIZE". */
gpointer recur_try_alloc  (gsize        n,
                           gsize        size,
                           const char  *what,
                           GError     **error);
gpointer recur_try_alloc0 (gsize        n,
                           gsize        size,
                           const char  *what,
                           GError     **error);

/* The physical memory of this computer, in bytes (0 if unknown). */
guint64  recur_memory_physical (void);

/* Sets the error for `bytes` of `what` that could not be had. */
void     recur_memory_set_error (GError     **error,
                                 guint64      bytes,
                                 const char  *what);

G_END_DECLS
