/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The checks of an injected fault on a write path, shared by the engine, plot and GUI tests:
 * SQLite's way, a clean write counts the C library calls of each step, then each call in turn
 * fails and the outcome is checked (test_write_path). Functions are static: include once. */
#pragma once

#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fault-inject.h"

/* The steps of a write that can fail it. */
G_GNUC_UNUSED static const char *const failing_ops[] = { "open", "write", "fsync", "close",
                                                         "rename", "mkdir" };
G_GNUC_UNUSED static const char *const errno_names[] = { "ENOSPC", "EIO" };
G_GNUC_UNUSED static const int errno_values[] = { ENOSPC, EIO };

G_GNUC_UNUSED static char *
make_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("recur-faults-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

G_GNUC_UNUSED static void
remove_tree (const char *path)
{
  g_autofree char *command = g_strdup_printf ("rm -rf '%s'", path);

  g_assert_cmpint (system (command), ==, 0);
}

G_GNUC_UNUSED static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

/* The names in dir, sorted, space-separated. */
G_GNUC_UNUSED static char *
listing (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

G_GNUC_UNUSED static GBytes *
read_bytes (const char *path)
{
  char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &text, &len, NULL))
    return NULL;
  return g_bytes_new_take (text, len);
}

G_GNUC_UNUSED static void
assert_same_bytes (GBytes     *a,
                   GBytes     *b,
                   const char *what)
{
  if (a == NULL || b == NULL || !g_bytes_equal (a, b))
    g_error ("%s: the bytes differ (%zu and %zu bytes)", what, a ? g_bytes_get_size (a) : 0,
             b ? g_bytes_get_size (b) : 0);
}

/* The message names path (followed by ": ", not by a temporary suffix) and the reason. */
G_GNUC_UNUSED static void
assert_names_file_and_reason (const GError *error,
                              const char   *path,
                              int           err)
{
  g_autofree char *named = g_strconcat (path, ": ", NULL);

  if (strstr (error->message, named) == NULL || strstr (error->message, g_strerror (err)) == NULL)
    g_error ("“%s” should name %s and say “%s”", error->message, path, g_strerror (err));
}

typedef gboolean (*WriteFunc) (const char  *path,
                               GError     **error);

typedef struct
{
  const char *name;   /* of the test and the file */
  WriteFunc   write;
  GQuark    (*domain) (void); /* the error's; NULL: G_FILE_ERROR with the code from errno */
  int         code;
  /* when set, the bytes compared are what it returns (a PDF's creation date blanked) */
  GBytes   *(*normalize) (GBytes *bytes);
} WritePath;

/* Reads path as wp writes it: normalized. */
G_GNUC_UNUSED static GBytes *
read_written (const WritePath *wp,
              const char      *path)
{
  GBytes *bytes = read_bytes (path);

  if (bytes && wp->normalize)
    {
      GBytes *normal = wp->normalize (bytes);
      g_bytes_unref (bytes);
      return normal;
    }
  return bytes;
}

G_GNUC_UNUSED static const char previous_content[] = "the previous version, which must survive\n";

/* Runs wp with `spec` armed in a fresh folder holding the previous file (or none), and checks
 * the outcome: a failure with errno `err` (0: success) named in the message, the folder holding
 * exactly what it held (or the new file), and a retry without the fault giving `expected`. */
G_GNUC_UNUSED static void
check_fault (const WritePath *wp,
             const char      *spec,
             int              err,
             gboolean         with_previous,
             GBytes          *expected)
{
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, wp->name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GBytes) previous = g_bytes_new_static (previous_content, strlen (previous_content));
  g_autofree char *names = NULL;
  gboolean ok;
  guint injected;

  if (with_previous)
    g_assert_true (g_file_set_contents (path, previous_content, -1, NULL));
  recur_fault_set (spec, dir);
  ok = wp->write (path, &error);
  injected = recur_fault_injected ();
  recur_fault_set (NULL, NULL);
  g_test_message ("%s, %s, %s: %s", wp->name, spec, with_previous ? "over a file" : "new file",
                  error ? error->message : "written");
  g_assert_cmpuint (injected, >=, 1); /* the fault did happen */
  names = listing (dir);
  after = read_written (wp, path);
  if (err == 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
      g_assert_cmpstr (names, ==, wp->name);
      assert_same_bytes (after, expected, spec);
    }
  else
    {
      g_assert_false (ok);
      if (wp->domain)
        g_assert_error (error, wp->domain (), wp->code);
      else
        g_assert_error (error, G_FILE_ERROR, (int) g_file_error_from_errno (err));
      assert_names_file_and_reason (error, path, err);
      /* no temporary file; the previous file as it was, or still none */
      g_assert_cmpstr (names, ==, with_previous ? wp->name : "");
      if (with_previous)
        {
          g_clear_pointer (&after, g_bytes_unref);
          after = read_bytes (path);
          assert_same_bytes (after, previous, spec);
        }
      else
        g_assert_null (after);
      /* what was to be written is still there to write */
      g_clear_error (&error);
      g_assert_true (wp->write (path, &error));
      g_assert_no_error (error);
      g_clear_pointer (&after, g_bytes_unref);
      after = read_written (wp, path);
      assert_same_bytes (after, expected, "the retry");
    }
  remove_tree (dir);
}

/* Every step of a write path failing in turn, each with ENOSPC and EIO; a short write then a
 * full disk; a disk full from the first write on; each over a previous file and into a folder
 * without one; and the faults that must not fail it. */
G_GNUC_UNUSED static void
test_write_path (gconstpointer data)
{
  const WritePath *wp = data;
  g_autofree char *dir = make_dir ();
  g_autofree char *path = g_build_filename (dir, wp->name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) expected = NULL;
  guint counts[G_N_ELEMENTS (failing_ops)];
  guint n_cases = 0;

  /* a clean write: what it writes, and how many calls each step makes */
  g_assert_true (g_file_set_contents (path, previous_content, -1, NULL));
  recur_fault_set (NULL, dir);
  g_assert_true (wp->write (path, &error));
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (failing_ops); i++)
    counts[i] = recur_fault_count (failing_ops[i]);
  g_assert_cmpuint (recur_fault_count ("diropen"), ==, 1);
  g_assert_cmpuint (recur_fault_count ("dirsync"), ==, 1);
  recur_fault_set (NULL, NULL);
  expected = read_written (wp, path);
  g_assert_nonnull (expected);
  /* a new file's mode is 0666 less the umask, as any program's */
  {
    GStatBuf st;
    mode_t mask = umask (022);

    umask (mask);
    g_assert_cmpint (g_stat (path, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0666 & ~mask);
  }
  g_assert_cmpuint (counts[0], ==, 1); /* one temporary file */
  g_assert_cmpuint (counts[1], >=, 1);
  g_assert_cmpuint (counts[4], ==, 1); /* one rename */
  remove_tree (dir);

  for (guint i = 0; i < G_N_ELEMENTS (failing_ops); i++)
    for (guint n = 1; n <= counts[i]; n++)
      for (guint e = 0; e < G_N_ELEMENTS (errno_names); e++)
        {
          g_autofree char *spec = g_strdup_printf ("%s:%u:%s", failing_ops[i], n, errno_names[e]);
          check_fault (wp, spec, errno_values[e], TRUE, expected);
          n_cases++;
        }
  /* the disk fills up during the write, or stays full; a file that did not exist stays so */
  for (guint n = 1; n <= counts[1]; n++)
    {
      g_autofree char *short_spec = g_strdup_printf ("short-write:%u:ENOSPC", n);
      g_autofree char *full_spec = g_strdup_printf ("write:%u:ENOSPC:all", n);
      check_fault (wp, short_spec, ENOSPC, TRUE, expected);
      check_fault (wp, full_spec, ENOSPC, TRUE, expected);
      n_cases += 2;
    }
  for (guint i = 0; i < G_N_ELEMENTS (failing_ops); i++)
    if (counts[i] > 0)
      {
        g_autofree char *spec = g_strdup_printf ("%s:1:ENOSPC", failing_ops[i]);
        check_fault (wp, spec, ENOSPC, FALSE, expected);
        n_cases++;
      }
  /* an interrupted call is retried; the folder's sync is best effort */
  check_fault (wp, "short-write:1:none", 0, TRUE, expected);
  check_fault (wp, "write:1:EINTR", 0, TRUE, expected);
  check_fault (wp, "fsync:1:EINTR", 0, TRUE, expected);
  check_fault (wp, "close:1:EINTR", 0, TRUE, expected);
  check_fault (wp, "dirsync:1:EIO", 0, TRUE, expected);
  check_fault (wp, "diropen:1:EACCES", 0, TRUE, expected);
  n_cases += 6;
  g_test_message ("%s: %u injected faults checked", wp->name, n_cases);
}

