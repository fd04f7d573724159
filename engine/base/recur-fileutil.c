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

/* Sets "Cannot write PATH: REASON" from errno `saved`; returns FALSE. */
static gboolean
fail_write (GError     **error,
            const char  *path,
            int          saved)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot write %s: %s"),
               display, g_strerror (saved));
  return FALSE;
}

static gboolean
fail_not_regular (GError     **error,
                  const char  *path)
{
  g_autofree char *display = g_filename_display_name (path);

  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               _("Cannot write %s: it is not a regular file (a device, a FIFO or a socket)"),
               display);
  return FALSE;
}

/* The temporary file is gone whatever happened; its removal's own error changes nothing. */
static void
discard (const char *tmp)
{
  int saved = errno;

  g_unlink (tmp);
  errno = saved;
}

static gboolean
write_all (int          fd,
           const char  *data,
           gsize        length)
{
  gsize done = 0;

  while (done < length)
    {
      /* Linux writes at most 0x7ffff000 bytes at once: a large write is short anyway */
      gssize n = write (fd, data + done, MIN (length - done, (gsize) G_MAXINT32));

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      if (n == 0)
        {
          errno = ENOSPC; /* no progress and no error: nothing more fits */
          return FALSE;
        }
      done += (gsize) n;
    }
  return TRUE;
}

static gboolean
sync_fd (int fd)
{
  int r;

  while ((r = fsync (fd)) != 0 && errno == EINTR)
    ;
  return r == 0;
}

/* Syncs dir after a rename or mkdir in it, so that the change survives a power failure. Best
 * effort, as SQLite does: by then the file's content is synced and in place, and a folder we
 * may write in but not read cannot even be opened to sync it. */
static void
sync_dir (const char *dir)
{
  int fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);

  if (fd < 0)
    return;
  sync_fd (fd);
  close (fd);
}

gboolean
recur_file_write_atomic (const char  *path,
                         const char  *data,
                         gsize        length,
                         GError     **error)
{
  g_autofree char *tmp = NULL;
  g_autofree char *dir = NULL;
  int fd, saved;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (data != NULL || length == 0, FALSE);

  /* 0. the rename would put a file in place of a folder, a device or a FIFO (/dev/full) */
  switch (recur_file_kind (path))
    {
    case RECUR_FILE_KIND_FOLDER:
      return fail_write (error, path, EISDIR);
    case RECUR_FILE_KIND_OTHER:
      return fail_not_regular (error, path);
    default:
      break;
    }

  /* 1. a new file beside path, so that the rename stays in one file system */
  tmp = g_strconcat (path, ".XXXXXX", NULL);
  fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0666);
  if (fd < 0)
    return fail_write (error, path, errno);

  /* 2–3. all of it, on disk */
  if (!write_all (fd, data, length) || !sync_fd (fd))
    {
      saved = errno;
      close (fd);
      discard (tmp);
      return fail_write (error, path, saved);
    }

  /* 4. close's error is the last word on a write (NFS reports a full disk there); EINTR
   * still closes the descriptor on Linux */
  if (close (fd) != 0 && errno != EINTR)
    {
      discard (tmp);
      return fail_write (error, path, errno);
    }

  /* 5. the switch: path is the old file until here, the new one after */
  if (g_rename (tmp, path) != 0)
    {
      discard (tmp);
      return fail_write (error, path, errno);
    }

  /* 6. the rename is in the directory, which has its own blocks to write */
  dir = g_path_get_dirname (path);
  sync_dir (dir);
  return TRUE;
}

gboolean
recur_file_make_dir (const char  *path,
                     GError     **error)
{
  g_autofree char *parent = NULL;
  g_autofree char *display = NULL;
  int saved;

  if (g_mkdir (path, 0777) == 0)
    {
      parent = g_path_get_dirname (path);
      sync_dir (parent);
      return TRUE;
    }
  saved = errno;
  display = g_filename_display_name (path);
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
               _("Cannot make the folder %s: %s"), display, g_strerror (saved));
  return FALSE;
}

static gboolean
fail_too_large (GError     **error,
                const char  *path,
                gsize        max_length)
{
  g_autofree char *limit = g_format_size_full (max_length, G_FORMAT_SIZE_IEC_UNITS);

  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
               _("%s is larger than %s, more than Recur ever writes there"), path, limit);
  return FALSE;
}

static gboolean
fail_memory (GError     **error,
             const char  *path,
             gsize        size)
{
  g_autofree char *needed = g_format_size_full (size, G_FORMAT_SIZE_IEC_UNITS);

  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, _("Not enough memory to read %s (%s)"),
               path, needed);
  return FALSE;
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
                         gsize        max_length,
                         char       **contents,
                         gsize       *length,
                         GError     **error)
{
  /* O_NONBLOCK: opening a FIFO must not wait for a writer */
  int fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  struct stat st;
  /* room for one byte past the limit, which tells a file longer than it from one as long */
  gsize most = max_length < G_MAXSIZE - 1 ? max_length + 2 : G_MAXSIZE;
  gsize capacity, used = 0;
  char *text;
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
  if ((guint64) st.st_size > max_length)
    {
      close (fd);
      return fail_too_large (error, path, max_length);
    }
  /* the size it has now, plus one for the NUL; a file that grows meanwhile is read on */
  capacity = (gsize) st.st_size + 1;
  text = g_try_malloc (capacity);
  if (text == NULL)
    {
      close (fd);
      return fail_memory (error, path, capacity);
    }
  for (;;)
    {
      gssize n;

      if (used + 1 == capacity)
        {
          gsize grown = capacity <= most / 2 ? capacity * 2 : most;
          char *bigger;

          if (capacity == most) /* a byte past the limit was read */
            {
              close (fd);
              g_free (text);
              return fail_too_large (error, path, max_length);
            }
          bigger = g_try_realloc (text, grown);
          if (bigger == NULL)
            {
              close (fd);
              g_free (text);
              return fail_memory (error, path, grown);
            }
          text = bigger;
          capacity = grown;
        }
      n = read (fd, text + used, capacity - 1 - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          saved = errno;
          close (fd);
          g_free (text);
          return fail_errno (error, path, saved);
        }
      if (n == 0)
        break;
      used += (gsize) n;
    }
  close (fd);
  text[used] = '\0';
  *length = used;
  *contents = text;
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

char *
recur_file_resolve_link (const char  *path,
                         GError     **error)
{
  g_autofree char *current = g_strdup (path);

  /* as the kernel does, at most 40 links in a row */
  for (guint hops = 0; hops <= 40; hops++)
    {
      g_autofree char *target = NULL, *dir = NULL;

      /* /proc's links (/dev/stdout's /proc/self/fd/1) name a descriptor, not a file: one
       * that reads as a file's path would be replaced by the rename */
      if (recur_file_kind (current) != RECUR_FILE_KIND_LINK
          || g_str_has_prefix (current, "/proc/"))
        return g_steal_pointer (&current);
      target = g_file_read_link (current, error);
      if (target == NULL)
        return NULL;
      dir = g_path_get_dirname (current);
      g_free (current);
      current = g_path_is_absolute (target) ? g_steal_pointer (&target)
                                            : g_build_filename (dir, target, NULL);
    }
  {
    g_autofree char *display = g_filename_display_name (path);

    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_LOOP,
                 _("Cannot write %s: too many symbolic links"), display);
  }
  return NULL;
}
