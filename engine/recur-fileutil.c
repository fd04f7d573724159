/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recur-fileutil.h"

gboolean
recur_file_write_atomic (const char  *path,
                         const char  *data,
                         gsize        length,
                         GError     **error)
{
  return g_file_set_contents_full (path, data, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0666, error);
}

static gboolean
fail_errno (GError     **error,
            const char  *path,
            int          saved)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot read %s: %s"),
               path, g_strerror (saved));
  return FALSE;
}

gboolean
recur_file_read_regular (const char  *path,
                         char       **contents,
                         gsize       *length,
                         GError     **error)
{
  /* O_NONBLOCK: opening a FIFO must not wait for a writer */
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  struct stat st;
  GString *text;
  int saved;

  if (fd < 0)
    {
      saved = errno;
      if (saved == ELOOP)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_LOOP,
                       _("%s is a symbolic link: not followed, since it could lead outside its "
                         "folder"), path);
          return FALSE;
        }
      return fail_errno (error, path, saved);
    }
  if (fstat (fd, &st) != 0)
    {
      saved = errno;
      close (fd);
      return fail_errno (error, path, saved);
    }
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, _("%s is not a regular file"), path);
      return FALSE;
    }
  text = g_string_sized_new ((gsize) st.st_size + 1);
  for (;;)
    {
      char buf[65536];
      gssize n = read (fd, buf, sizeof buf);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved = errno;
          close (fd);
          g_string_free (text, TRUE);
          return fail_errno (error, path, saved);
        }
      if (n == 0)
        break;
      g_string_append_len (text, buf, n);
    }
  close (fd);
  *length = text->len;
  *contents = g_string_free (text, FALSE);
  return TRUE;
}

RecurFileKind
recur_file_kind (const char *path)
{
  struct stat st;

  if (g_lstat (path, &st) != 0)
    return RECUR_FILE_KIND_NONE;
  if (S_ISLNK (st.st_mode))
    return RECUR_FILE_KIND_LINK;
  if (S_ISREG (st.st_mode))
    return RECUR_FILE_KIND_REGULAR;
  if (S_ISDIR (st.st_mode))
    return RECUR_FILE_KIND_FOLDER;
  return RECUR_FILE_KIND_OTHER;
}
