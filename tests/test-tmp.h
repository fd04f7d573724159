/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Folders of the tests' own files, removed when the test case that made them ends: a test run
 * leaves nothing in /tmp, and never uses a fixed name there that another run (or a user) may be
 * using. Included as "../test-tmp.h" by the suites of each folder. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>

/* Removes path and all it holds; links are removed, not followed. */
G_GNUC_UNUSED static void
test_remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      test_remove_tree (child);
    }
  if (dir)
    g_dir_close (dir);
  g_rmdir (path);
}

G_GNUC_UNUSED static void
test_remove_tree_and_free (gpointer path)
{
  test_remove_tree (path);
  g_free (path);
}

/* A new folder named after template ("recur-model-XXXXXX"), as g_dir_make_tmp makes it (the
 * caller frees the name), removed with its contents when the current test case ends. */
G_GNUC_UNUSED static char *
test_temp_dir (const char *template)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (template, &error);

  g_assert_no_error (error);
  g_test_queue_destroy (test_remove_tree_and_free, g_strdup (dir));
  return dir;
}
