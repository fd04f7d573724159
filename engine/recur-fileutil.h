/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes path atomically: "path.XXXXXX" in the same directory, synced, then renamed over path;
 * on failure the temporary file is removed and path is untouched. Not g_file_replace_contents:
 * in GLib 2.74 it writes a file that does not exist yet in place, so a failed write would
 * leave half a file. The rename replaces a symbolic link at path, never the file it points to.
 * Errors are G_FILE_ERROR, naming the path. */
gboolean recur_file_write_atomic (const char  *path,
                                  const char  *data,
                                  gsize        length,
                                  GError     **error);

/* Reads path, which must be a regular file and not a symbolic link (opened with O_NOFOLLOW, so
 * a link swapped in at the last moment is refused too): for files inside a folder that must
 * never lead outside it. A link is G_FILE_ERROR_LOOP, anything but a regular file (a folder, a
 * FIFO, a device) G_FILE_ERROR_INVAL; the messages name the path. */
gboolean recur_file_read_regular (const char  *path,
                                  char       **contents,
                                  gsize       *length,
                                  GError     **error);

/* What lstat says of path, without following a symbolic link. */
typedef enum
{
  RECUR_FILE_KIND_NONE,     /* nothing there */
  RECUR_FILE_KIND_REGULAR,
  RECUR_FILE_KIND_FOLDER,
  RECUR_FILE_KIND_LINK,     /* a symbolic link, wherever it points */
  RECUR_FILE_KIND_OTHER,    /* a FIFO, a socket, a device */
} RecurFileKind;

RecurFileKind recur_file_kind    (const char  *path);

G_END_DECLS
