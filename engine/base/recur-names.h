/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The position of text in names[0..n), or -1: the one lookup behind every enum's
 * _from_string, whose name tables list the values in the enum's order. */
static inline int
recur_name_index (const char *const *names,
                  guint              n,
                  const char        *text)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (text, names[i]) == 0)
      return (int) i;
  return -1;
}

G_END_DECLS
