/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _GNU_SOURCE /* F_OFD_SETLK */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recur-jsonutil.h"
#include "recur-project-private.h"

/* ---- the lock ------------------------------------------------------------------------------ */

/* "recur (process 1234)", or on another host "recur (process 1234 on otherhost)", from what the
 * holder wrote into the lock file; NULL when it cannot be read (the holder is writing it). */
static char *
describe_holder (int fd)
{
  char buf[1024];
  gssize n = pread (fd, buf, sizeof buf - 1, 0);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *o;
  const char *program, *host;
  g_autofree char *pid_text = NULL;
  gint64 pid;

  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  if (!json_parser_load_from_data (parser, buf, n, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (parser));
  if (!holds (json_object_get_member (o, "pid"), G_TYPE_INT64)
      || !holds (json_object_get_member (o, "program"), G_TYPE_STRING))
    return NULL;
  pid = json_object_get_int_member (o, "pid");
  program = json_object_get_string_member (o, "program");
  host = json_object_get_string_member_with_default (o, "host", NULL);
  /* the pid formatted apart: xgettext cannot see through G_GINT64_FORMAT */
  pid_text = g_strdup_printf ("%" G_GINT64_FORMAT, pid);
  if (host && !g_str_equal (host, g_get_host_name ()))
    return g_strdup_printf (_("%s (process %s on %s)"), program, pid_text, host);
  return g_strdup_printf (_("%s (process %s)"), program, pid_text);
}

static GError *
locked_error (const char *path,
              int         fd)
{
  g_autofree char *holder = describe_holder (fd);

  return new_error (RECUR_PROJECT_ERROR_LOCKED,
                    _("%s is open in %s: a project is written by one program at a time; close it "
                      "there first"), path, holder ? holder : _("another process"));
}

/* Who holds the lock, for the message of those refused. Written over the old contents, then
 * cut to length: a reader never sees an empty file. */
static void
write_holder (int fd)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize len;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pid");
  json_builder_add_int_value (b, getpid ());
  json_builder_set_member_name (b, "program");
  json_builder_add_string_value (b, g_get_prgname () ? g_get_prgname () : "recur");
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, g_get_host_name ());
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = recur_json_to_data (root, FALSE, &len);
  if (pwrite (fd, text, len, 0) != (gssize) len || ftruncate (fd, (off_t) len) != 0)
    g_debug ("cannot write who holds the lock: %s", g_strerror (errno));
}

/* Takes the project's lock: an open file description lock on the lock file (F_OFD_SETLK, so two
 * projects objects of one process exclude each other too), which the kernel releases when the
 * holder closes it or dies: a crashed holder never leaves it stuck. A file system without
 * locks (some network ones) lets the project be written unlocked. */
gboolean
take_lock (RecurProject  *self,
           GError       **error)
{
  g_autofree char *file = g_build_filename (self->path, LOCK_FILE, NULL);
  int fd = open (file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0666);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  struct stat st;
  int saved;

  if (fd < 0)
    {
      saved = errno;
      if (saved == ELOOP)
        return fail_with (error, link_error (file));
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot open %s: %s"), file, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return fail_with (error, new_error (RECUR_PROJECT_ERROR_UNSAFE_PATH,
                                          _("%s is not a regular file"), file));
    }
  if (fcntl (fd, F_OFD_SETLK, &fl) != 0)
    {
      saved = errno;
      if (saved == EAGAIN || saved == EACCES)
        {
          GError *held = locked_error (self->path, fd);
          close (fd);
          return fail_with (error, held);
        }
      if (saved != ENOLCK && saved != EINVAL && saved != EOPNOTSUPP)
        {
          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot lock %s: %s"), file, g_strerror (saved));
          return FALSE;
        }
      g_debug ("%s: the file system has no locks: writing unlocked", file);
    }
  write_holder (fd);
  self->lock_fd = fd;
  self->writable = TRUE;
  return TRUE;
}

/* LOCKED if a process holds the lock of the folder at path, without taking it or making a lock
 * file: for refusing to make a project over one that is in use with the right reason. */
gboolean
check_not_held (const char  *path,
                GError     **error)
{
  g_autofree char *file = g_build_filename (path, LOCK_FILE, NULL);
  int fd = open (file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  GError *held;

  if (fd < 0)
    return TRUE;
  if (fcntl (fd, F_OFD_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
    {
      close (fd);
      return TRUE;
    }
  held = locked_error (path, fd);
  close (fd);
  return fail_with (error, held);
}
