/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes path atomically, in steps whose every result is checked:
 *
 *   1. create "path.XXXXXX" in the same directory (O_CREAT | O_EXCL, mode 0666 less the umask);
 *   2. write all of data (short writes continued, EINTR retried);
 *   3. fsync it;  4. close it (its error checked);
 *   5. rename it over path;
 *   6. fsync the directory, so that the rename itself survives a power failure (best effort,
 *      as in SQLite: the content is synced and in place by then, and a folder we may write in
 *      but not read cannot be opened to sync it).
 *
 * A failure in steps 1–5 removes the temporary file and leaves path as it was (absent, or its
 * previous content byte for byte). The error is G_FILE_ERROR (the code from errno) and names
 * path, never the temporary file, with the reason: "Cannot write /x/forecast.csv: No space
 * left on device". The rename replaces a symbolic link at path, never the file it points to
 * (a project folder's files must never lead outside it; a destination the user names goes
 * through recur_file_resolve_link first). A folder, a device, a FIFO or a socket at path is
 * refused (G_FILE_ERROR_ISDIR, G_FILE_ERROR_INVAL), never replaced by a file.
 * Not g_file_set_contents: its messages name the temporary file, and in GLib 2.74
 * g_file_replace_contents writes a file that does not exist yet in place. */
gboolean recur_file_write_atomic (const char  *path,
                                  const char  *data,
                                  gsize        length,
                                  GError     **error);

/* Where a file the user names as a destination is written: the path a symbolic link there
 * leads to (following a chain of them, relative to each link's folder), so that writing goes
 * through the link as a shell's redirection does; path itself when it is not a link. A link
 * into /proc (/dev/stdout leads to /proc/self/fd/1) is not followed: it names a descriptor,
 * and is returned as the link it is. NULL
 * with G_FILE_ERROR_LOOP after 40 links, or the error reading one. */
char    *recur_file_resolve_link (const char  *path,
                                  GError     **error);

/* Reads path, which must be a regular file and not a symbolic link (opened with O_NOFOLLOW, so
 * a link swapped in at the last moment is refused too): for files inside a folder that must
 * never lead outside it. A link is G_FILE_ERROR_LOOP, anything but a regular file (a folder, a
 * FIFO, a device) G_FILE_ERROR_INVAL, a file longer than max_length G_FILE_ERROR_FAILED, and
 * memory that runs out G_FILE_ERROR_NOMEM; the messages name the path. contents ends in a NUL
 * not counted in length. */
gboolean recur_file_read_regular (const char  *path,
                                  gsize        max_length,
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

/* Makes the folder path (its parent must exist) and syncs the parent (best effort, as above),
 * so that the new folder survives a power failure. Errors name path: "Cannot make the folder
 * /x/run-0003: No space left on device". An existing path is G_FILE_ERROR_EXIST. */
gboolean recur_file_make_dir (const char  *path,
                              GError     **error);

G_END_DECLS
