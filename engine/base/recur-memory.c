/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <unistd.h>

#include "recur-memory.h"

G_DEFINE_QUARK (recur-memory-error-quark, recur_memory_error)

void
recur_memory_set_error (GError     **error,
                        guint64      bytes,
                        const char  *what)
{
  g_autofree char *size = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);

  g_set_error (error, RECUR_MEMORY_ERROR, RECUR_MEMORY_ERROR_NO_MEMORY,
               _("Not enough memory for %s: %s"), what, size);
}

static gpointer
try_alloc (gsize        n,
           gsize        size,
           gboolean     zero,
           const char  *what,
           GError     **error)
{
  gpointer p;

  if (size != 0 && n > G_MAXSIZE / size)
    {
      g_set_error (error, RECUR_MEMORY_ERROR, RECUR_MEMORY_ERROR_NO_MEMORY,
                   _("Not enough memory for %s (more than can be addressed)"), what);
      return NULL;
    }
  n = MAX (n, 1);
  size = MAX (size, 1);
  p = zero ? g_try_malloc0_n (n, size) : g_try_malloc_n (n, size);
  if (p == NULL)
    recur_memory_set_error (error, (guint64) n * size, what);
  return p;
}

gpointer
recur_try_alloc (gsize        n,
                 gsize        size,
                 const char  *what,
                 GError     **error)
{
  return try_alloc (n, size, FALSE, what, error);
}

gpointer
recur_try_alloc0 (gsize        n,
                  gsize        size,
                  const char  *what,
                  GError     **error)
{
  return try_alloc (n, size, TRUE, what, error);
}

guint64
recur_memory_physical (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);

  return pages > 0 && page > 0 ? (guint64) pages * (guint64) page : 0;
}
