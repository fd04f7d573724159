/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes path atomically: "path.XXXXXX" in the same directory, synced, then renamed over path;
 * on failure the temporary file is removed and path is untouched. Not g_file_replace_contents:
 * in GLib 2.74 it writes a file that does not exist yet in place, so a failed write would
 * leave half a file. Errors are G_FILE_ERROR, naming the path. */
gboolean recur_file_write_atomic (const char  *path,
                                  const char  *data,
                                  gsize        length,
                                  GError     **error);

G_END_DECLS
