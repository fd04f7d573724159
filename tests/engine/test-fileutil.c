/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The file and JSON helpers every project file goes through: what reading refuses (a missing
 * file, a folder, a FIFO, a link, a file over its limit, also one whose size stat does not
 * tell), what a JSON file's errors say, and numbers written in their shortest exact form. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recur-fileutil.h"
#include "recur-jsonutil.h"
#include "../test-tmp.h"

/* Reads path with max_length, which must fail with code and name path. */
static void
assert_read_fails (const char *path,
                   gsize       max_length,
                   int         code,
                   const char *said)
{
  g_autoptr(GError) error = NULL;
  char *text = NULL;
  gsize length = 0;

  g_assert_false (recur_file_read_regular (path, max_length, &text, &length, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, G_FILE_ERROR, code);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, said));
  g_assert_null (text);
}

static void
test_read_regular (void)
{
  g_autofree char *dir = test_temp_dir ("recur-fileutil-XXXXXX");
  g_autofree char *file = g_build_filename (dir, "ten.txt", NULL);
  g_autofree char *empty = g_build_filename (dir, "empty.txt", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.txt", NULL);
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autoptr(GError) error = NULL;
  char *text = NULL;
  gsize length = 0;

  g_assert_true (g_file_set_contents (file, "0123456789", -1, NULL));
  g_assert_true (g_file_set_contents (empty, "", -1, NULL));
  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_cmpint (symlink (file, link), ==, 0);

  /* exactly the limit reads; a byte less of limit does not */
  g_assert_true (recur_file_read_regular (file, 10, &text, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, ==, 10);
  g_assert_cmpstr (text, ==, "0123456789");
  g_free (text);
  assert_read_fails (file, 9, G_FILE_ERROR_FAILED, "is larger than 9 bytes");
  g_assert_true (recur_file_read_regular (empty, 10, &text, &length, &error));
  g_assert_cmpuint (length, ==, 0);
  g_assert_cmpstr (text, ==, "");
  g_free (text);

  assert_read_fails (missing, 10, G_FILE_ERROR_NOENT, "Cannot read");
  assert_read_fails (dir, 10, G_FILE_ERROR_INVAL, "is not a regular file");
  assert_read_fails (fifo, 10, G_FILE_ERROR_INVAL, "is not a regular file"); /* without blocking */
  assert_read_fails (link, 10, G_FILE_ERROR_LOOP, "is a symbolic link");

  g_assert_cmpint (recur_file_kind (file), ==, RECUR_FILE_KIND_REGULAR);
  g_assert_cmpint (recur_file_kind (dir), ==, RECUR_FILE_KIND_FOLDER);
  g_assert_cmpint (recur_file_kind (fifo), ==, RECUR_FILE_KIND_OTHER);
  g_assert_cmpint (recur_file_kind (link), ==, RECUR_FILE_KIND_LINK);
  g_assert_cmpint (recur_file_kind (missing), ==, RECUR_FILE_KIND_NONE);
}

/* Writing refuses a folder and a FIFO (a device the same: not tried, since a failure would
 * replace one of the machine's) instead of putting a file in their place, and replaces a link (a project's files never lead outside it) without touching its target. */
static void
test_write_refuses_what_is_not_a_file (void)
{
  g_autofree char *dir = test_temp_dir ("recur-fileutil-XXXXXX");
  g_autofree char *fifo = g_build_filename (dir, "fifo", NULL);
  g_autofree char *file = g_build_filename (dir, "file.txt", NULL);
  g_autofree char *link = g_build_filename (dir, "link", NULL);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (mkfifo (fifo, 0600), ==, 0);
  g_assert_false (recur_file_write_atomic (fifo, "x", 1, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL);
  g_assert_nonnull (strstr (error->message, "is not a regular file"));
  g_assert_cmpint (recur_file_kind (fifo), ==, RECUR_FILE_KIND_OTHER);
  g_clear_error (&error);
  g_assert_false (recur_file_write_atomic (dir, "x", 1, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ISDIR);
  g_clear_error (&error);

  g_assert_true (g_file_set_contents (file, "kept", -1, NULL));
  g_assert_cmpint (symlink ("file.txt", link), ==, 0);
  g_assert_true (recur_file_write_atomic (link, "new", 3, &error));
  g_assert_no_error (error);
  g_assert_cmpint (recur_file_kind (link), ==, RECUR_FILE_KIND_REGULAR);
  g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
  g_assert_cmpstr (text, ==, "kept");
}

/* A destination the user names is resolved through a chain of links, relative ones from their
 * own folder; a loop is an error; a link into /proc is kept as it is. */
static void
test_resolve_link (void)
{
  g_autofree char *dir = test_temp_dir ("recur-fileutil-XXXXXX");
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  g_autofree char *first = g_build_filename (dir, "first", NULL);
  g_autofree char *second = g_build_filename (sub, "second", NULL);
  g_autofree char *loop = g_build_filename (dir, "loop", NULL);
  g_autofree char *plain = g_build_filename (dir, "plain.csv", NULL);
  g_autofree char *resolved = NULL, *expected = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_mkdir (sub, 0700), ==, 0);
  g_assert_cmpint (symlink ("sub/second", first), ==, 0);
  g_assert_cmpint (symlink ("target.csv", second), ==, 0); /* dangling: not written yet */
  g_assert_cmpint (symlink ("loop", loop), ==, 0);

  resolved = recur_file_resolve_link (first, &error);
  g_assert_no_error (error);
  expected = g_build_filename (dir, "sub", "target.csv", NULL);
  g_assert_cmpstr (resolved, ==, expected);
  g_clear_pointer (&resolved, g_free);
  resolved = recur_file_resolve_link (plain, &error);
  g_assert_cmpstr (resolved, ==, plain);
  g_clear_pointer (&resolved, g_free);
  g_assert_null (recur_file_resolve_link (loop, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_LOOP);
  g_clear_error (&error);
  if (recur_file_kind ("/dev/stdout") == RECUR_FILE_KIND_LINK)
    {
      resolved = recur_file_resolve_link ("/dev/stdout", &error);
      g_assert_no_error (error);
      g_assert_true (g_str_has_prefix (resolved, "/proc/"));
      g_assert_cmpint (recur_file_kind (resolved), ==, RECUR_FILE_KIND_LINK);
    }
}

/* A file whose size stat does not tell (the kernel's files say 0): read to its end all the
 * same, and refused once it passes the limit. */
static void
test_read_unsized (void)
{
  const char *path = "/proc/self/status";
  g_autoptr(GError) error = NULL;
  char *text = NULL;
  gsize length = 0;
  GStatBuf st;

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  if (st.st_size != 0)
    {
      g_test_skip ("/proc/self/status has a size here");
      return;
    }
  g_assert_true (recur_file_read_regular (path, 1 << 20, &text, &length, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (length, >, 100);
  g_assert_cmpuint (strlen (text), ==, length);
  g_assert_true (g_str_has_prefix (text, "Name:"));
  g_assert_nonnull (strstr (text, "\nPid:"));
  g_free (text);
  assert_read_fails (path, 16, G_FILE_ERROR_FAILED, "is larger than 16 bytes");
}

static void
test_make_dir (void)
{
  g_autofree char *dir = test_temp_dir ("recur-fileutil-XXXXXX");
  g_autofree char *made = g_build_filename (dir, "made", NULL);
  g_autofree char *below = g_build_filename (dir, "missing", "made", NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (recur_file_make_dir (made, &error));
  g_assert_no_error (error);
  g_assert_cmpint (recur_file_kind (made), ==, RECUR_FILE_KIND_FOLDER);
  g_assert_false (recur_file_make_dir (made, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST);
  g_assert_nonnull (strstr (error->message, made));
  g_clear_error (&error);
  g_assert_false (recur_file_make_dir (below, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_assert_nonnull (strstr (error->message, below));
}

/* A JSON file's errors name it: empty, blank, a syntax error at its line and column, text that
 * is not UTF-8. */
static void
test_json_read_errors (void)
{
  static const struct { const char *text; gssize length; const char *said; } cases[] = {
    { "", 0, ": the file is empty" },
    { " \n\t\r\n", -1, ": the file is empty" },
    { "{\n  \"a\": 1,\n  \"b\" 2\n}\n", -1, ".json:3:" },
    { "{\"a\": \"\xff\xfe\"}", -1, NULL },
  };
  g_autofree char *dir = test_temp_dir ("recur-fileutil-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "f.json", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      g_assert_true (g_file_set_contents (path, cases[i].text, cases[i].length, NULL));
      node = recur_json_read_file (path, &error);
      g_assert_null (node);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_true (g_str_has_prefix (error->message, path));
      if (cases[i].said)
        g_assert_nonnull (strstr (error->message, cases[i].said));
    }
}

/* Numbers as JSON holds them: a null or a missing member is NaN; anything but a number is
 * refused. */
static void
test_json_get_number (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string ("{\"int\": 3, \"float\": 0.5, \"null\": null, "
                                               "\"text\": \"1\", \"list\": [1], \"yes\": true}",
                                               &error);
  JsonObject *o;
  double v;

  g_assert_no_error (error);
  o = json_node_get_object (node);
  g_assert_true (recur_json_get_number (o, "int", &v));
  g_assert_cmpfloat (v, ==, 3.0);
  g_assert_true (recur_json_get_number (o, "float", &v));
  g_assert_cmpfloat (v, ==, 0.5);
  g_assert_true (recur_json_get_number (o, "null", &v));
  g_assert_true (isnan (v));
  g_assert_true (recur_json_get_number (o, "absent", &v));
  g_assert_true (isnan (v));
  g_assert_false (recur_json_get_number (o, "text", &v));
  g_assert_false (recur_json_get_number (o, "list", &v));
  g_assert_false (recur_json_get_number (o, "yes", &v));
}

/* Written, every double reads back to itself in the fewest digits; strings that look like
 * numbers, or hold quotes and backslashes, are left as they are. */
static void
test_json_shortest_numbers (void)
{
  const double values[] = { 0.1, 1.0 / 3, 2.0, -0.003, 1e-08, 6.02214076e23, -1e300,
                            5e-324, 123456789.125 };
  const char *const shortest[] = { "0.1", "0.3333333333333333", "2.0", "-0.003", "1e-08",
                                   "6.02214076e+23", "-1e+300", "5e-324",
                                   "123456789.125" };
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  JsonArray *array;
  gsize length;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "say \"1.5\" \\ 2.5");
  json_builder_add_string_value (b, "0.30000000000000004 \"q\" \\");
  json_builder_set_member_name (b, "values");
  json_builder_begin_array (b);
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    json_builder_add_double_value (b, values[i]);
  json_builder_add_int_value (b, -42);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = recur_json_to_data (root, FALSE, &length);
  g_test_message ("%s", text);
  g_assert_cmpuint (strlen (text), ==, length);
  for (guint i = 0; i < G_N_ELEMENTS (shortest); i++)
    {
      g_autofree char *item = g_strdup_printf ("%s%s", i ? "," : "[", shortest[i]);
      g_assert_nonnull (strstr (text, item));
    }
  g_assert_nonnull (strstr (text, ",-42]"));
  g_assert_nonnull (strstr (text, "\"0.30000000000000004 \\\"q\\\" \\\\\""));
  back = json_from_string (text, &error);
  g_assert_no_error (error);
  array = json_object_get_array_member (json_node_get_object (back), "values");
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    g_assert_true (json_array_get_double_element (array, i) == values[i]);
  g_assert_cmpint (json_array_get_int_element (array, G_N_ELEMENTS (values)), ==, -42);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (back),
                                                  "say \"1.5\" \\ 2.5"),
                   ==, "0.30000000000000004 \"q\" \\");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/fileutil/read-regular", test_read_regular);
  g_test_add_func ("/engine/fileutil/read-unsized", test_read_unsized);
  g_test_add_func ("/engine/fileutil/make-dir", test_make_dir);
  g_test_add_func ("/engine/fileutil/write-refuses-what-is-not-a-file",
                   test_write_refuses_what_is_not_a_file);
  g_test_add_func ("/engine/fileutil/resolve-link", test_resolve_link);
  g_test_add_func ("/engine/fileutil/json-read-errors", test_json_read_errors);
  g_test_add_func ("/engine/fileutil/json-get-number", test_json_get_number);
  g_test_add_func ("/engine/fileutil/json-shortest-numbers", test_json_shortest_numbers);
  return g_test_run ();
}
