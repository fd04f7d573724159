/* SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef G_LOG_DOMAIN
#define G_LOG_DOMAIN "recur-test"
#endif

#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "recur-safetensors.h"
#include "../test-tmp.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers                                                                                   */

static guint32
float_bits (float value)
{
  guint32 bits;

  memcpy (&bits, &value, sizeof bits);
  return bits;
}

static float
bits_float (guint32 bits)
{
  float value;

  memcpy (&value, &bits, sizeof value);
  return value;
}

/* A file made of an 8-byte little-endian length, header_length bytes of header and
 * data_length data bytes (counting 0, 1, 2, …). */
static GBytes *
make_file_raw (const char *header,
               gsize       header_length,
               gsize       data_length)
{
  guint64 length_le = GUINT64_TO_LE ((guint64) header_length);
  guint8 *out = g_malloc (8 + header_length + data_length);

  memcpy (out, &length_le, 8);
  memcpy (out + 8, header, header_length);
  for (gsize i = 0; i < data_length; i++)
    out[8 + header_length + i] = (guint8) i;

  return g_bytes_new_take (out, 8 + header_length + data_length);
}

static GBytes *
make_file (const char *header,
           gsize       data_length)
{
  return make_file_raw (header, strlen (header), data_length);
}

/* Three tensors and two metadata keys; the data is 4 * (6 + 3 + 1) = 40 bytes. */
static RecurSafetensors *
make_sample (void)
{
  static const guint64 shape_w[] = { 2, 3 };
  static const guint64 shape_b[] = { 3 };
  static const float w[] = { 1.0f, -2.0f, 0.25f, 3.5f, -0.0f, 1e-3f };
  static const float b[] = { 0.5f, -0.5f, 7.0f };
  static const float s[] = { 42.0f };
  RecurSafetensors *st = recur_safetensors_new ();

  recur_safetensors_add (st, "rnn.weight_ih_l0", 2, shape_w, w);
  recur_safetensors_add (st, "rnn.bias_ih_l0", 1, shape_b, b);
  recur_safetensors_add (st, "scale", 0, NULL, s);
  recur_safetensors_set_metadata (st, "format", "pt");
  recur_safetensors_set_metadata (st, "recur.version", "1");

  return st;
}

static void
assert_same_tensors (const RecurSafetensors *a,
                     const RecurSafetensors *b)
{
  g_auto(GStrv) keys_a = recur_safetensors_list_metadata (a);
  g_auto(GStrv) keys_b = recur_safetensors_list_metadata (b);

  g_assert_cmpuint (recur_safetensors_get_n_tensors (a), ==, recur_safetensors_get_n_tensors (b));
  for (guint i = 0; i < recur_safetensors_get_n_tensors (a); i++)
    {
      const char *name = recur_safetensors_get_name (a, i);
      const guint64 *shape_a;
      const guint64 *shape_b;
      guint n_dims_a;
      guint n_dims_b;
      const float *data_a;
      const float *data_b;
      guint64 n = 1;

      g_assert_cmpstr (name, ==, recur_safetensors_get_name (b, i));
      data_a = recur_safetensors_get (a, name, &n_dims_a, &shape_a);
      data_b = recur_safetensors_get (b, name, &n_dims_b, &shape_b);
      g_assert_nonnull (data_a);
      g_assert_nonnull (data_b);
      g_assert_cmpuint (n_dims_a, ==, n_dims_b);
      for (guint d = 0; d < n_dims_a; d++)
        {
          g_assert_cmpuint (shape_a[d], ==, shape_b[d]);
          n *= shape_a[d];
        }
      /* Bit for bit, so -0.0, denormals and NaN payloads count. */
      for (guint64 k = 0; k < n; k++)
        g_assert_cmphex (float_bits (data_a[k]), ==, float_bits (data_b[k]));
    }

  g_assert_cmpstrv (keys_a, keys_b);
  for (guint i = 0; keys_a[i] != NULL; i++)
    g_assert_cmpstr (recur_safetensors_get_metadata (a, keys_a[i]), ==,
                     recur_safetensors_get_metadata (b, keys_a[i]));
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The names in a directory, sorted, as one string: "a.safetensors b.txt". */
static char *
list_dir (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) dir = g_dir_open (path, 0, &error);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_no_error (error);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);

  return g_strjoinv (" ", (char **) names->pdata);
}

/* ---------------------------------------------------------------------------------------- */
/* Writing and reading back                                                                  */

static void
test_round_trip_bytes (void)
{
  static const guint32 special[] = {
    0x00000000, /* 0 */
    0x80000000, /* -0 */
    0x00000001, /* the smallest denormal */
    0x807fffff, /* the largest negative denormal */
    0x00800000, /* FLT_MIN */
    0x7f7fffff, /* FLT_MAX */
    0x7f800000, /* inf */
    0xff800000, /* -inf */
    0x7fc00000, /* a quiet NaN */
    0x3eaaaaab, /* 1/3 */
  };
  static const guint64 shape_special[] = { 2, 5 };
  static const guint64 shape_empty[] = { 0, 3 };
  float values[G_N_ELEMENTS (special)];
  g_autoptr(RecurSafetensors) st = make_sample ();
  g_autoptr(RecurSafetensors) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 *shape;
  guint n_dims;

  for (guint i = 0; i < G_N_ELEMENTS (special); i++)
    values[i] = bits_float (special[i]);
  recur_safetensors_add (st, "special", 2, shape_special, values);
  recur_safetensors_add (st, "empty", 2, shape_empty, NULL);
  recur_safetensors_add (st, "naïve “quoted” \\ \"name\"\n", 1, (const guint64[]) { 1 },
                         (const float[]) { 9.0f });
  recur_safetensors_set_metadata (st, "note", "ünïcode, \"quotes\", \\ and\nnewlines");
  recur_safetensors_set_metadata (st, "empty", "");

  bytes = recur_safetensors_to_bytes (st);
  back = recur_safetensors_new_from_bytes (bytes, "round-trip.safetensors", &error);
  g_assert_no_error (error);
  g_assert_nonnull (back);

  assert_same_tensors (st, back);
  g_assert_cmpstr (recur_safetensors_get_display_name (back), ==, "round-trip.safetensors");
  g_assert_null (recur_safetensors_get_display_name (st));

  /* Insertion order, not alphabetical. */
  g_assert_cmpuint (recur_safetensors_get_n_tensors (back), ==, 6);
  g_assert_cmpstr (recur_safetensors_get_name (back, 0), ==, "rnn.weight_ih_l0");
  g_assert_cmpstr (recur_safetensors_get_name (back, 1), ==, "rnn.bias_ih_l0");
  g_assert_cmpstr (recur_safetensors_get_name (back, 2), ==, "scale");
  g_assert_cmpstr (recur_safetensors_get_name (back, 3), ==, "special");
  g_assert_cmpstr (recur_safetensors_get_name (back, 4), ==, "empty");

  /* A scalar has shape []. */
  g_assert_cmpfloat (recur_safetensors_get (back, "scale", &n_dims, &shape)[0], ==, 42.0f);
  g_assert_cmpuint (n_dims, ==, 0);

  /* An empty tensor still has data (not NULL) and its shape. */
  g_assert_nonnull (recur_safetensors_get (back, "empty", &n_dims, &shape));
  g_assert_cmpuint (n_dims, ==, 2);
  g_assert_cmpuint (shape[0], ==, 0);
  g_assert_cmpuint (shape[1], ==, 3);

  g_assert_cmpstr (recur_safetensors_get_metadata (back, "note"), ==,
                   "ünïcode, \"quotes\", \\ and\nnewlines");
  g_assert_cmpstr (recur_safetensors_get_metadata (back, "empty"), ==, "");
  g_assert_null (recur_safetensors_get_metadata (back, "absent"));

  /* Serialising what was read gives the same bytes. */
  {
    g_autoptr(GBytes) again = recur_safetensors_to_bytes (back);

    g_assert_true (g_bytes_equal (bytes, again));
  }
}

static void
test_round_trip_file (void)
{
  g_autofree char *dir = test_temp_dir ("recur-safetensors-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autofree char *listing = NULL;
  g_autoptr(RecurSafetensors) st = make_sample ();
  g_autoptr(RecurSafetensors) back = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (recur_safetensors_save (st, path, &error));
  g_assert_no_error (error);

  back = recur_safetensors_load (path, &error);
  g_assert_no_error (error);
  assert_same_tensors (st, back);
  g_assert_cmpstr (recur_safetensors_get_display_name (back), ==, path);

  /* The file is exactly what to_bytes () gives. */
  {
    g_autoptr(GBytes) expected = recur_safetensors_to_bytes (st);
    g_autofree char *contents = NULL;
    gsize length;

    g_assert_true (g_file_get_contents (path, &contents, &length, &error));
    g_assert_cmpmem (contents, length, g_bytes_get_data (expected, NULL),
                     g_bytes_get_size (expected));
  }

  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "model.safetensors");

}

static void
test_empty (void)
{
  g_autoptr(RecurSafetensors) st = recur_safetensors_new ();
  g_autoptr(RecurSafetensors) back = NULL;
  g_autoptr(GBytes) bytes = recur_safetensors_to_bytes (st);
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) keys = NULL;
  static const guint8 expected[] = {
    8, 0, 0, 0, 0, 0, 0, 0,
    '{', '}', ' ', ' ', ' ', ' ', ' ', ' ',
  };

  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, sizeof expected);

  back = recur_safetensors_new_from_bytes (bytes, "empty.safetensors", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recur_safetensors_get_n_tensors (back), ==, 0);
  keys = recur_safetensors_list_metadata (back);
  g_assert_cmpuint (g_strv_length (keys), ==, 0);
}

static void
test_header_alignment (void)
{
  /* Names of every length from 1 to 24 move the JSON's length through all residues mod 8. */
  for (guint length = 1; length <= 24; length++)
    {
      g_autoptr(RecurSafetensors) st = recur_safetensors_new ();
      g_autoptr(RecurSafetensors) back = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *name = g_strnfill (length, 'x');
      const guint8 *data;
      gsize size;
      guint64 header_length;
      float value = (float) length;

      recur_safetensors_add (st, name, 1, (const guint64[]) { 1 }, &value);
      bytes = recur_safetensors_to_bytes (st);
      data = g_bytes_get_data (bytes, &size);

      memcpy (&header_length, data, 8);
      header_length = GUINT64_FROM_LE (header_length);
      g_assert_cmpuint ((8 + header_length) % 8, ==, 0);
      g_assert_cmpuint (size, ==, 8 + header_length + 4);
      /* The JSON ends with its "}" then only spaces. */
      {
        gsize end = 8 + header_length;

        while (data[end - 1] == ' ')
          end--;
        g_assert_cmpint (data[end - 1], ==, '}');
        g_assert_cmpuint (8 + header_length - end, <, 8);
      }

      back = recur_safetensors_new_from_bytes (bytes, "aligned.safetensors", &error);
      g_assert_no_error (error);
      g_assert_cmpfloat (recur_safetensors_get (back, name, NULL, NULL)[0], ==, value);
    }
}

/* The exact bytes of a small file, written out by hand from the format's description, so the
 * test asserts the format itself rather than agreement between our writer and our reader. */
static void
test_byte_layout (void)
{
  static const guint8 expected[] = {
    /* Header length: 144 = 0x90, unsigned 64-bit little-endian. */
    0x90, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    /* 138 bytes of compact JSON: metadata first, then the tensors in insertion order … */
    '{', '"', '_', '_', 'm', 'e', 't', 'a', 'd', 'a', 't', 'a', '_', '_', '"', ':',
    '{', '"', 'f', 'o', 'r', 'm', 'a', 't', '"', ':', '"', 'p', 't', '"', '}', ',',
    '"', 'w', '"', ':', '{',
    '"', 'd', 't', 'y', 'p', 'e', '"', ':', '"', 'F', '3', '2', '"', ',',
    '"', 's', 'h', 'a', 'p', 'e', '"', ':', '[', '2', ']', ',',
    '"', 'd', 'a', 't', 'a', '_', 'o', 'f', 'f', 's', 'e', 't', 's', '"', ':',
    '[', '0', ',', '8', ']', '}', ',',
    '"', 's', '"', ':', '{',
    '"', 'd', 't', 'y', 'p', 'e', '"', ':', '"', 'F', '3', '2', '"', ',',
    '"', 's', 'h', 'a', 'p', 'e', '"', ':', '[', ']', ',',
    '"', 'd', 'a', 't', 'a', '_', 'o', 'f', 'f', 's', 'e', 't', 's', '"', ':',
    '[', '8', ',', '1', '2', ']', '}', '}',
    /* … padded with 6 spaces so that the data starts at 8 + 144 = 152, a multiple of 8. */
    ' ', ' ', ' ', ' ', ' ', ' ',
    /* w = [1.0, -2.0]: 0x3f800000 and 0xc0000000, little-endian. */
    0x00, 0x00, 0x80, 0x3f,
    0x00, 0x00, 0x00, 0xc0,
    /* s = 0.5: 0x3f000000. */
    0x00, 0x00, 0x00, 0x3f,
  };
  g_autoptr(RecurSafetensors) st = recur_safetensors_new ();
  g_autoptr(RecurSafetensors) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) hand_made = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 *shape;
  const float *w;
  guint n_dims;

  G_STATIC_ASSERT (sizeof expected == 8 + 144 + 12);

  recur_safetensors_add (st, "w", 1, (const guint64[]) { 2 }, (const float[]) { 1.0f, -2.0f });
  recur_safetensors_add (st, "s", 0, NULL, (const float[]) { 0.5f });
  recur_safetensors_set_metadata (st, "format", "pt");

  bytes = recur_safetensors_to_bytes (st);
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes),
                   expected, sizeof expected);

  /* And the hand-made bytes read back as the right tensors. */
  hand_made = g_bytes_new_static (expected, sizeof expected);
  back = recur_safetensors_new_from_bytes (hand_made, "layout.safetensors", &error);
  g_assert_no_error (error);
  w = recur_safetensors_get (back, "w", &n_dims, &shape);
  g_assert_cmpuint (n_dims, ==, 1);
  g_assert_cmpuint (shape[0], ==, 2);
  g_assert_cmpfloat (w[0], ==, 1.0f);
  g_assert_cmpfloat (w[1], ==, -2.0f);
  g_assert_cmpfloat (recur_safetensors_get (back, "s", &n_dims, NULL)[0], ==, 0.5f);
  g_assert_cmpuint (n_dims, ==, 0);
  g_assert_cmpstr (recur_safetensors_get_metadata (back, "format"), ==, "pt");
}

/* What another writer may produce: whitespace in the JSON, tensors listed in another order than
 * their data, a header whose length leaves the data unaligned, no metadata. */
static void
test_foreign_layout (void)
{
  const char *json =
    "{\n"
    "  \"b\": {\"data_offsets\": [8, 12], \"shape\": [1], \"dtype\": \"F32\"},\n"
    "  \"a\": {\"dtype\": \"F32\", \"shape\": [2, 1], \"data_offsets\": [0, 8]}\n"
    "}";
  g_autofree char *header = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  GByteArray *file = g_byte_array_new ();
  guint64 length_le;
  static const guint8 data[] = {
    0x00, 0x00, 0x80, 0x3f, /* a[0] = 1 */
    0x00, 0x00, 0x40, 0x40, /* a[1] = 3 */
    0x00, 0x00, 0x20, 0xc1, /* b[0] = -10 */
  };
  const float *a;

  /* Padding so that the data starts 3 bytes past a multiple of 4. */
  header = g_strdup_printf ("%s%*s", json, (int) (7 - (8 + strlen (json) + 4) % 4), "");
  g_assert_cmpuint ((8 + strlen (header)) % 4, ==, 3);
  length_le = GUINT64_TO_LE ((guint64) strlen (header));
  g_byte_array_append (file, (const guint8 *) &length_le, 8);
  g_byte_array_append (file, (const guint8 *) header, strlen (header));
  g_byte_array_append (file, data, sizeof data);
  bytes = g_byte_array_free_to_bytes (file);

  st = recur_safetensors_new_from_bytes (bytes, "foreign.safetensors", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (recur_safetensors_get_n_tensors (st), ==, 2);
  /* The header's order. */
  g_assert_cmpstr (recur_safetensors_get_name (st, 0), ==, "b");
  g_assert_cmpstr (recur_safetensors_get_name (st, 1), ==, "a");
  a = recur_safetensors_get_checked (st, "a", 2, (const guint64[]) { 2, 1 }, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (a[0], ==, 1.0f);
  g_assert_cmpfloat (a[1], ==, 3.0f);
  g_assert_cmpfloat (recur_safetensors_get (st, "b", NULL, NULL)[0], ==, -10.0f);
}

static void
test_replace (void)
{
  g_autoptr(RecurSafetensors) st = recur_safetensors_new ();
  g_autoptr(RecurSafetensors) back = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 *shape;
  const float *data;
  guint n_dims;

  recur_safetensors_add (st, "a", 1, (const guint64[]) { 1 }, (const float[]) { 1.0f });
  recur_safetensors_add (st, "b", 1, (const guint64[]) { 1 }, (const float[]) { 2.0f });
  recur_safetensors_add (st, "a", 2, (const guint64[]) { 1, 2 }, (const float[]) { 3.0f, 4.0f });
  recur_safetensors_set_metadata (st, "k", "old");
  recur_safetensors_set_metadata (st, "k", "new");

  g_assert_cmpuint (recur_safetensors_get_n_tensors (st), ==, 2);
  g_assert_cmpstr (recur_safetensors_get_name (st, 0), ==, "a");
  g_assert_cmpstr (recur_safetensors_get_name (st, 1), ==, "b");

  /* Re-adding a tensor from its own shape and data is allowed. */
  data = recur_safetensors_get (st, "a", &n_dims, &shape);
  recur_safetensors_add (st, "a", n_dims, shape, data);

  bytes = recur_safetensors_to_bytes (st);
  back = recur_safetensors_new_from_bytes (bytes, "replace.safetensors", &error);
  g_assert_no_error (error);
  data = recur_safetensors_get_checked (back, "a", 2, (const guint64[]) { 1, 2 }, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (data[0], ==, 3.0f);
  g_assert_cmpfloat (data[1], ==, 4.0f);
  g_assert_cmpstr (recur_safetensors_get_metadata (back, "k"), ==, "new");
}

static void
test_metadata_sorted (void)
{
  g_autoptr(RecurSafetensors) st = recur_safetensors_new ();
  g_auto(GStrv) keys = NULL;
  const char *expected[] = { "alpha", "beta", "zeta", NULL };

  recur_safetensors_set_metadata (st, "zeta", "3");
  recur_safetensors_set_metadata (st, "alpha", "1");
  recur_safetensors_set_metadata (st, "beta", "2");
  keys = recur_safetensors_list_metadata (st);
  g_assert_cmpstrv (keys, expected);
}

static void
test_get_checked (void)
{
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  const guint64 *shape;
  guint n_dims = 99;

  {
    g_autoptr(RecurSafetensors) built = recur_safetensors_new ();
    float zeros[16] = { 0, };

    recur_safetensors_add (built, "head.weight", 2, (const guint64[]) { 1, 16 }, zeros);
    bytes = recur_safetensors_to_bytes (built);
  }
  st = recur_safetensors_new_from_bytes (bytes, "weights.safetensors", &error);
  g_assert_no_error (error);

  g_assert_nonnull (recur_safetensors_get_checked (st, "head.weight", 2,
                                                   (const guint64[]) { 1, 16 }, &error));
  g_assert_no_error (error);

  g_assert_null (recur_safetensors_get_checked (st, "head.bias", 1,
                                                (const guint64[]) { 1 }, &error));
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_MISSING);
  g_assert_cmpstr (error->message, ==, "weights.safetensors: no tensor “head.bias”");
  g_clear_error (&error);

  g_assert_null (recur_safetensors_get_checked (st, "head.weight", 2,
                                                (const guint64[]) { 1, 32 }, &error));
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_SHAPE);
  g_assert_cmpstr (error->message, ==,
                   "weights.safetensors: tensor “head.weight” has shape [1, 16], expected [1, 32]");
  g_clear_error (&error);

  /* Fewer dimensions with the same number of values is another shape too. */
  g_assert_null (recur_safetensors_get_checked (st, "head.weight", 1,
                                                (const guint64[]) { 16 }, &error));
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "expected [16]"));
  g_clear_error (&error);

  g_assert_null (recur_safetensors_get (st, "head.bias", &n_dims, &shape));
  g_assert_cmpuint (n_dims, ==, 0);
  g_assert_null (shape);

  /* Without a file, messages still say where. */
  {
    g_autoptr(RecurSafetensors) memory = recur_safetensors_new ();

    g_assert_null (recur_safetensors_get_checked (memory, "x", 0, NULL, &error));
    g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_MISSING);
    g_assert_cmpstr (error->message, ==, "(in memory): no tensor “x”");
    g_clear_error (&error);
  }
}

/* ---------------------------------------------------------------------------------------- */
/* Saving                                                                                    */

static void
test_save_replaces_atomically (void)
{
  g_autofree char *dir = test_temp_dir ("recur-safetensors-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "model.safetensors", NULL);
  g_autoptr(RecurSafetensors) first = make_sample ();
  g_autoptr(RecurSafetensors) second = recur_safetensors_new ();
  g_autoptr(RecurSafetensors) back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  g_assert_true (recur_safetensors_save (first, path, &error));
  g_assert_no_error (error);

  recur_safetensors_add (second, "only", 1, (const guint64[]) { 1 }, (const float[]) { 5.0f });
  g_assert_true (recur_safetensors_save (second, path, &error));
  g_assert_no_error (error);

  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "model.safetensors");

  back = recur_safetensors_load (path, &error);
  g_assert_no_error (error);
  assert_same_tensors (second, back);

}

static void
test_save_fails_cleanly (void)
{
  g_autofree char *dir = test_temp_dir ("recur-safetensors-XXXXXX");
  g_autofree char *file = g_build_filename (dir, "file.txt", NULL);
  g_autofree char *under_file = g_build_filename (dir, "file.txt", "x.safetensors", NULL);
  g_autofree char *under_missing = g_build_filename (dir, "missing", "x.safetensors", NULL);
  g_autofree char *onto_dir = g_build_filename (dir, "dir.safetensors", NULL);
  g_autofree char *listing = NULL;
  g_autofree char *inner_listing = NULL;
  g_autoptr(RecurSafetensors) st = make_sample ();
  g_autoptr(GError) error = NULL;
  const char *failing[] = { under_file, under_missing, onto_dir };

  g_assert_true (g_file_set_contents (file, "not a directory", -1, &error));
  g_assert_cmpint (g_mkdir (onto_dir, 0700), ==, 0);

  /* Under a regular file (works even as root), in a missing directory, and onto a directory:
   * the last one gets as far as the temporary file, so it checks that it is removed. */
  for (guint i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      g_assert_false (recur_safetensors_save (st, failing[i], &error));
      g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_IO);
      g_assert_nonnull (strstr (error->message, failing[i]));
      g_clear_error (&error);
    }

  listing = list_dir (dir);
  g_assert_cmpstr (listing, ==, "dir.safetensors file.txt");
  inner_listing = list_dir (onto_dir);
  g_assert_cmpstr (inner_listing, ==, "");

}

static void
test_load_io_error (void)
{
  g_autofree char *dir = test_temp_dir ("recur-safetensors-XXXXXX");
  g_autofree char *path = g_build_filename (dir, "absent.safetensors", NULL);
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;

  st = recur_safetensors_load (path, &error);
  g_assert_null (st);
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_IO);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_clear_error (&error);

  /* A directory is not a file. */
  st = recur_safetensors_load (dir, &error);
  g_assert_null (st);
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_IO);

}

/* ---------------------------------------------------------------------------------------- */
/* Hostile and corrupt files                                                                 */

typedef struct
{
  const char *path;        /* appended to /engine/safetensors/corrupt/ */
  const char *header;      /* the JSON */
  gsize       data_length; /* bytes after it */
  int         code;
  const char *needle;      /* in the message, besides the file's name (NULL: nothing more) */
} CorruptCase;

#define T32(name, shape, offsets) \
  "\"" name "\": {\"dtype\": \"F32\", \"shape\": " shape ", \"data_offsets\": " offsets "}"

#define X10 "xxxxxxxxxx"
#define X120 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10

static const CorruptCase corrupt_cases[] = {
  /* The header's JSON */
  { "empty-header", "", 0, RECUR_SAFETENSORS_ERROR_HEADER, "not a JSON object" },
  { "blank-header", "        ", 0, RECUR_SAFETENSORS_ERROR_HEADER, "not a JSON object" },
  { "not-json", "{\"a\": ", 0, RECUR_SAFETENSORS_ERROR_HEADER, "not valid JSON" },
  { "not-an-object", "[1, 2]", 0, RECUR_SAFETENSORS_ERROR_HEADER, "not a JSON object" },
  { "string-root", "\"{}\"", 0, RECUR_SAFETENSORS_ERROR_HEADER, "not a JSON object" },
  { "two-objects", "{} {}", 0, RECUR_SAFETENSORS_ERROR_HEADER, "after the JSON object" },
  { "trailing-text", "{}x", 0, RECUR_SAFETENSORS_ERROR_HEADER, "after the JSON object" },
  { "trailing-comma", "{" T32 ("a", "[1]", "[0, 4]") ",}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "not valid JSON" },
  { "comment", "{/* x */}", 0, RECUR_SAFETENSORS_ERROR_HEADER, "not JSON" },
  { "octal", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 04]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "not JSON" },
  { "negative-octal", "{" T32 ("rnn.weight_ih_l0", "[1]", "[-00, 4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "not JSON" },
  { "hexadecimal", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 0x4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "not JSON" },
  { "single-quotes", "{'a': 1}", 0, RECUR_SAFETENSORS_ERROR_HEADER, "not JSON" },
  { "nul-byte", "{\"a\0\": 1}", 0, RECUR_SAFETENSORS_ERROR_HEADER, NULL },
  { "invalid-utf8", "{\"\xff\xfe\": 1}", 0, RECUR_SAFETENSORS_ERROR_HEADER, "UTF-8" },
  { "huge-integer", "{" T32 ("rnn.weight_ih_l0", "[18446744073709551617]", "[0, 4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "too long" },
  { "wrapping-negative", "{" T32 ("rnn.weight_ih_l0", "[-18446744073709551615]", "[0, 4]") "}",
    4, RECUR_SAFETENSORS_ERROR_HEADER, "too long" },
  { "duplicate-tensor", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 4]") ","
                        T32 ("rnn.weight_ih_l0", "[1]", "[4, 8]") "}", 8,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0” appears more than once" },
  { "duplicate-field", "{\"a\": {\"dtype\": \"F64\", \"dtype\": \"F32\", \"shape\": [1], "
                       "\"data_offsets\": [0, 4]}}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“dtype” appears more than once" },
  { "duplicate-metadata", "{\"__metadata__\": {\"k\": \"1\", \"k\": \"2\"}}", 0,
    RECUR_SAFETENSORS_ERROR_HEADER, "“k” appears more than once" },

  /* One tensor's entry */
  { "name-invalid-utf8", "{" T32 ("\\udc00x", "[1]", "[0, 4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "its name is not valid UTF-8" },
  { "entry-not-object", "{\"rnn.weight_ih_l0\": 5}", 0,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”" },
  { "entry-null", "{\"rnn.weight_ih_l0\": null}", 0,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”" },
  { "missing-dtype", "{\"rnn.weight_ih_l0\": {\"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: its entry has no “dtype”" },
  { "missing-shape", "{\"rnn.weight_ih_l0\": {\"dtype\": \"F32\", \"data_offsets\": [0, 4]}}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: its entry has no “shape”" },
  { "missing-offsets", "{\"rnn.weight_ih_l0\": {\"dtype\": \"F32\", \"shape\": [1]}}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: its entry has no “data_offsets”" },
  { "dtype-f64", "{\"rnn.weight_ih_l0\": {\"dtype\": \"F64\", \"shape\": [1], "
                 "\"data_offsets\": [0, 8]}}", 8,
    RECUR_SAFETENSORS_ERROR_DTYPE, "tensor “rnn.weight_ih_l0”: dtype “F64”" },
  { "dtype-f16", "{\"rnn.weight_ih_l0\": {\"dtype\": \"F16\", \"shape\": [2], "
                 "\"data_offsets\": [0, 4]}}", 4,
    RECUR_SAFETENSORS_ERROR_DTYPE, "tensor “rnn.weight_ih_l0”: dtype “F16”" },
  { "dtype-bf16", "{\"x\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [0, 4]}}", 4,
    RECUR_SAFETENSORS_ERROR_DTYPE, "“BF16”" },
  { "dtype-i32", "{\"x\": {\"dtype\": \"I32\", \"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
    RECUR_SAFETENSORS_ERROR_DTYPE, "“I32”" },
  { "dtype-lowercase", "{\"x\": {\"dtype\": \"f32\", \"shape\": [1], \"data_offsets\": [0, 4]}}",
    4, RECUR_SAFETENSORS_ERROR_DTYPE, "“f32”" },
  { "dtype-not-string", "{\"x\": {\"dtype\": 32, \"shape\": [1], \"data_offsets\": [0, 4]}}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“x”: “dtype” is not a string" },
  { "shape-not-array", "{" T32 ("rnn.weight_ih_l0", "4", "[0, 16]") "}", 16,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: “shape” is not an array" },
  { "shape-negative", "{" T32 ("rnn.weight_ih_l0", "[-1]", "[0, 4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: dimension 0" },
  { "shape-float", "{" T32 ("rnn.weight_ih_l0", "[1, 2.0]", "[0, 8]") "}", 8,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: dimension 1" },
  { "shape-string", "{" T32 ("rnn.weight_ih_l0", "[\"2\"]", "[0, 8]") "}", 8,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: dimension 0" },
  { "shape-bool", "{" T32 ("rnn.weight_ih_l0", "[true]", "[0, 4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: dimension 0" },
  { "shape-nested", "{" T32 ("rnn.weight_ih_l0", "[[1]]", "[0, 4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: dimension 0" },
  { "shape-too-many-dims", "{" T32 ("rnn.weight_ih_l0", "[1, 1, 1, 1, 1, 1, 1, 1, 1]", "[0, 4]")
                           "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: its shape has 9 dimensions" },
  { "shape-overflow", "{" T32 ("rnn.weight_ih_l0", "[4294967296, 4294967296, 4294967296]",
                               "[0, 4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: shape [4294967296, 4294967296, "
                                    "4294967296] has too many values" },
  { "shape-just-too-big", "{" T32 ("rnn.weight_ih_l0", "[999999999999999999, 3]", "[0, 4]") "}",
    4, RECUR_SAFETENSORS_ERROR_HEADER, "has too many values" },
  { "offsets-not-array", "{" T32 ("rnn.weight_ih_l0", "[1]", "0") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: “data_offsets”" },
  { "offsets-one", "{" T32 ("rnn.weight_ih_l0", "[1]", "[4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: “data_offsets”" },
  { "offsets-three", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 4, 8]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: “data_offsets”" },
  { "offsets-negative", "{" T32 ("rnn.weight_ih_l0", "[1]", "[-4, 0]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: “data_offsets”" },
  { "offsets-float", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 4.0]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "“rnn.weight_ih_l0”: “data_offsets”" },
  { "offsets-reversed", "{" T32 ("rnn.weight_ih_l0", "[0]", "[8, 4]") "}", 8,
    RECUR_SAFETENSORS_ERROR_HEADER, "data_offsets [8, 4] end before they begin" },

  /* Offsets against the shape and the data section */
  { "size-mismatch", "{" T32 ("rnn.weight_ih_l0", "[4, 1]", "[0, 12]") "}", 12,
    RECUR_SAFETENSORS_ERROR_LAYOUT,
    "tensor “rnn.weight_ih_l0”: data_offsets [0, 12] hold 3 values but shape [4, 1] needs 4" },
  { "size-too-big", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 8]") "}", 8,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "hold 2 values but shape [1] needs 1" },
  { "size-not-whole", "{" T32 ("rnn.weight_ih_l0", "[3]", "[0, 13]") "}", 13,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "span 13 bytes" },
  { "scalar-empty", "{" T32 ("rnn.weight_ih_l0", "[]", "[0, 0]") "}", 0,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "hold 0 values but shape [] needs 1" },
  { "past-the-end", "{" T32 ("rnn.weight_ih_l0", "[4]", "[0, 16]") "}", 8,
    RECUR_SAFETENSORS_ERROR_TRUNCATED, "tensor “rnn.weight_ih_l0”: data_offsets [0, 16] reach "
                                       "past the end of the data (8 bytes)" },
  { "far-past-the-end", "{" T32 ("rnn.weight_ih_l0", "[1]", "[999999999999999996, "
                                 "999999999999999999]") "}", 8,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "“rnn.weight_ih_l0”" },
  { "huge-past-the-end", "{" T32 ("rnn.weight_ih_l0", "[250000000000000000]",
                                  "[0, 999999999999999999]") "}", 8,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "“rnn.weight_ih_l0”" },
  { "huge-consistent", "{" T32 ("rnn.weight_ih_l0", "[200000000000000000]",
                                "[0, 800000000000000000]") "}", 8,
    RECUR_SAFETENSORS_ERROR_TRUNCATED, "“rnn.weight_ih_l0”" },
  { "overlap", "{" T32 ("rnn.weight_ih_l0", "[2]", "[0, 8]") ","
               T32 ("rnn.bias_ih_l0", "[2]", "[4, 12]") "}", 12,
    RECUR_SAFETENSORS_ERROR_LAYOUT,
    "tensors “rnn.weight_ih_l0” [0, 8] and “rnn.bias_ih_l0” [4, 12] overlap" },
  { "same-place", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 4]") ","
                  T32 ("rnn.bias_ih_l0", "[1]", "[0, 4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "overlap" },
  { "empty-inside-another", "{" T32 ("rnn.weight_ih_l0", "[2]", "[0, 8]") ","
                            T32 ("rnn.bias_ih_l0", "[0]", "[4, 4]") "}", 8,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "overlap" },
  { "gap", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 4]") ","
           T32 ("rnn.bias_ih_l0", "[1]", "[8, 12]") "}", 12,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "data bytes [4, 8] before tensor “rnn.bias_ih_l0”" },
  { "not-from-zero", "{" T32 ("rnn.weight_ih_l0", "[1]", "[4, 8]") "}", 8,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "data bytes [0, 4] before tensor “rnn.weight_ih_l0”" },
  { "trailing-data", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 4]") "}", 8,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "the last 4 bytes of the data belong to no tensor" },
  { "data-without-tensors", "{}", 4,
    RECUR_SAFETENSORS_ERROR_LAYOUT, "the last 4 bytes" },

  /* Metadata */
  { "metadata-array", "{\"__metadata__\": []}", 0,
    RECUR_SAFETENSORS_ERROR_METADATA, "“__metadata__” is not a JSON object" },
  { "metadata-string", "{\"__metadata__\": \"x\"}", 0,
    RECUR_SAFETENSORS_ERROR_METADATA, "“__metadata__”" },
  { "metadata-null", "{\"__metadata__\": null}", 0,
    RECUR_SAFETENSORS_ERROR_METADATA, "“__metadata__”" },
  { "metadata-integer", "{\"__metadata__\": {\"format\": \"pt\", \"epochs\": 12}}", 0,
    RECUR_SAFETENSORS_ERROR_METADATA, "metadata “epochs” is not a string" },
  { "metadata-null-value", "{\"__metadata__\": {\"epochs\": null}}", 0,
    RECUR_SAFETENSORS_ERROR_METADATA, "“epochs”" },
  { "metadata-invalid-utf8", "{\"__metadata__\": {\"k\": \"\\udc00x\"}}", 0,
    RECUR_SAFETENSORS_ERROR_METADATA, "metadata “k” is not valid UTF-8" },
  { "metadata-nested", "{\"__metadata__\": {\"run\": {\"epochs\": \"12\"}}}", 0,
    RECUR_SAFETENSORS_ERROR_METADATA, "“run”" },
  { "metadata-key-invalid-utf8", "{\"__metadata__\": {\"\\udc00k\": \"v\"}}", 0,
    RECUR_SAFETENSORS_ERROR_METADATA, "is not valid UTF-8" },
  { "metadata-twice", "{\"__metadata__\": {}, \"__metadata__\": {}}", 0,
    RECUR_SAFETENSORS_ERROR_HEADER, "key “__metadata__” appears more than once" },

  /* More of the header's JSON: a long name is quoted cut short */
  { "long-name", "{\"" X120 "yz\": {\"dtype\": \"F64\", \"shape\": [1], "
                 "\"data_offsets\": [0, 8]}}", 8,
    RECUR_SAFETENSORS_ERROR_DTYPE, "tensor “" X10 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
                                   "xxxxxxxxx…”" },
  { "trailing-zero", "{}0", 0, RECUR_SAFETENSORS_ERROR_HEADER, "after the JSON object" },
  { "hexadecimal-upper", "{" T32 ("rnn.weight_ih_l0", "[1]", "[0, 0X4]") "}", 4,
    RECUR_SAFETENSORS_ERROR_HEADER, "not JSON" },
  { "stray-close", "]{}", 0, RECUR_SAFETENSORS_ERROR_HEADER, NULL },
};

static void
test_corrupt (gconstpointer user_data)
{
  const CorruptCase *c = user_data;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(GError) error = NULL;
  gsize header_length = strlen (c->header);

  /* "nul-byte" holds a NUL: count through the closing brace. */
  if (strcmp (c->path, "nul-byte") == 0)
    header_length = sizeof "{\"a\0\": 1}" - 1;

  bytes = make_file_raw (c->header, header_length, c->data_length);
  st = recur_safetensors_new_from_bytes (bytes, "corrupt.safetensors", &error);
  g_assert_null (st);
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, c->code);
  g_test_message ("%s", error->message);
  g_assert_true (g_str_has_prefix (error->message, "corrupt.safetensors: "));
  if (c->needle != NULL && strstr (error->message, c->needle) == NULL)
    g_error ("“%s” is not in “%s”", c->needle, error->message);
}

static void
test_layout_message (void)
{
  g_autoptr(GBytes) bytes = make_file ("{" T32 ("rnn.weight_ih_l0", "[4, 1]", "[0, 12]") "}", 12);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSafetensors) st = NULL;

  st = recur_safetensors_new_from_bytes (bytes, "weights.safetensors", &error);
  g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_LAYOUT);
  g_assert_cmpstr (error->message, ==,
                   "weights.safetensors: tensor “rnn.weight_ih_l0”: data_offsets [0, 12] hold 3 "
                   "values but shape [4, 1] needs 4");
}

/* Files that are valid even though they look odd. */
static void
test_accepted_oddities (void)
{
  static const struct
  {
    const char *header;
    gsize       data_length;
    guint       n_tensors;
  } cases[] = {
    /* Empty tensors may sit at any boundary, in any order. */
    { "{" T32 ("a", "[0]", "[4, 4]") "," T32 ("b", "[1]", "[0, 4]") ","
      T32 ("c", "[3, 0, 2]", "[0, 0]") "}", 4, 3 },
    /* A zero dimension makes any other dimension harmless. */
    { "{" T32 ("a", "[0, 999999999999999999, 999999999999999999]", "[0, 0]") "}", 0, 1 },
    /* Unknown fields are ignored; the order of fields does not matter. */
    { "{\"a\": {\"data_offsets\": [0, 4], \"extra\": [1, {\"x\": null}], \"shape\": [1], "
      "\"dtype\": \"F32\"}}", 4, 1 },
    /* An empty name and a name that only looks special. */
    { "{" T32 ("", "[1]", "[0, 4]") "," T32 ("__metadata", "[1]", "[4, 8]") "}", 8, 2 },
    /* Empty metadata, no tensors, no data. */
    { "{\"__metadata__\": {}}", 0, 0 },
    /* Zeros that are JSON: 0, 0.05, 1e-05, -0 (unknown fields may hold any JSON). */
    { "{\"a\": {\"dtype\": \"F32\", \"shape\": [1], \"data_offsets\": [0, 4], "
      "\"x\": [0.05, 1e-05, 1E+05, -0, -0.0, 10, 100]}}", 4, 1 },
    /* Whitespace everywhere JSON allows it, and padding. */
    { " \t\r\n{ \"a\" : { \"dtype\" : \"F32\" , \"shape\" : [ 1 ] ,\n"
      "  \"data_offsets\" : [ 0 , 4 ] } }        ", 4, 1 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GBytes) bytes = make_file (cases[i].header, cases[i].data_length);
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurSafetensors) st = NULL;

      st = recur_safetensors_new_from_bytes (bytes, "odd.safetensors", &error);
      g_assert_no_error (error);
      g_assert_cmpuint (recur_safetensors_get_n_tensors (st), ==, cases[i].n_tensors);
    }
}

static void
test_short_files (void)
{
  for (gsize size = 0; size < 8; size++)
    {
      static const guint8 zeros[8] = { 0, };
      g_autoptr(GBytes) bytes = g_bytes_new_static (zeros, size);
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurSafetensors) st = NULL;

      st = recur_safetensors_new_from_bytes (bytes, "short.safetensors", &error);
      g_assert_null (st);
      g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_TRUNCATED);
      g_assert_true (g_str_has_prefix (error->message, "short.safetensors: "));
    }
}

/* Header lengths that would be absurd to allocate are refused from the first 8 bytes. */
static void
test_huge_header_length (void)
{
  static const struct
  {
    guint64 header_length;
    int     code;
  } cases[] = {
    { G_GUINT64_CONSTANT (1) << 63, RECUR_SAFETENSORS_ERROR_HEADER },
    { G_MAXUINT64, RECUR_SAFETENSORS_ERROR_HEADER },
    { G_GUINT64_CONSTANT (1) << 40, RECUR_SAFETENSORS_ERROR_HEADER },
    { G_GUINT64_CONSTANT (100000001), RECUR_SAFETENSORS_ERROR_HEADER },
    /* Within the limit but longer than the file. */
    { G_GUINT64_CONSTANT (100000000), RECUR_SAFETENSORS_ERROR_TRUNCATED },
    { 9, RECUR_SAFETENSORS_ERROR_TRUNCATED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      guint8 file[16] = { 0, };
      guint64 length_le = GUINT64_TO_LE (cases[i].header_length);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurSafetensors) st = NULL;

      memcpy (file, &length_le, 8);
      memcpy (file + 8, "{}      ", 8);
      bytes = g_bytes_new (file, sizeof file);
      st = recur_safetensors_new_from_bytes (bytes, "huge.safetensors", &error);
      g_assert_null (st);
      g_assert_error (error, RECUR_SAFETENSORS_ERROR, cases[i].code);
      g_assert_true (g_str_has_prefix (error->message, "huge.safetensors: "));
    }
}

/* json-glib 1.6 recurses without a limit: deep nesting must be refused before it. */
static void
test_deep_nesting (void)
{
  static const gsize depths[] = { 65, 1000, 1000000 };

  for (guint i = 0; i < G_N_ELEMENTS (depths); i++)
    {
      GString *header = g_string_new ("{\"a\": ");
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurSafetensors) st = NULL;

      for (gsize d = 0; d < depths[i]; d++)
        g_string_append_c (header, '[');
      for (gsize d = 0; d < depths[i]; d++)
        g_string_append_c (header, ']');
      g_string_append_c (header, '}');

      bytes = make_file_raw (header->str, header->len, 0);
      g_string_free (header, TRUE);

      st = recur_safetensors_new_from_bytes (bytes, "deep.safetensors", &error);
      g_assert_null (st);
      g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_HEADER);
      g_assert_nonnull (strstr (error->message, "nests too deeply"));
    }

  /* Deep nesting inside a string is only text. */
  {
    g_autofree char *brackets = g_strnfill (100000, '[');
    g_autofree char *header = g_strdup_printf ("{\"__metadata__\": {\"k\": \"%s\"}}", brackets);
    g_autoptr(GBytes) bytes = make_file (header, 0);
    g_autoptr(GError) error = NULL;
    g_autoptr(RecurSafetensors) st = NULL;

    st = recur_safetensors_new_from_bytes (bytes, "deep.safetensors", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (recur_safetensors_get_metadata (st, "k"), ==, brackets);
  }
}

/* Every strict prefix of a valid file is refused as truncated. */
static void
test_truncated_prefixes (void)
{
  g_autoptr(RecurSafetensors) st = make_sample ();
  g_autoptr(GBytes) whole = recur_safetensors_to_bytes (st);
  gsize size;
  const guint8 *data = g_bytes_get_data (whole, &size);

  for (gsize length = 0; length < size; length++)
    {
      g_autoptr(GBytes) prefix = g_bytes_new (data, length);
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurSafetensors) back = NULL;

      back = recur_safetensors_new_from_bytes (prefix, "prefix.safetensors", &error);
      g_assert_null (back);
      g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_TRUNCATED);
      g_assert_true (g_str_has_prefix (error->message, "prefix.safetensors: "));
    }

  /* One byte too many is a layout error. */
  {
    g_autoptr(GByteArray) longer = g_byte_array_new ();
    g_autoptr(GBytes) bytes = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(RecurSafetensors) back = NULL;

    g_byte_array_append (longer, data, size);
    g_byte_array_append (longer, (const guint8 *) "", 1);
    bytes = g_bytes_new (longer->data, longer->len);
    back = recur_safetensors_new_from_bytes (bytes, "longer.safetensors", &error);
    g_assert_error (error, RECUR_SAFETENSORS_ERROR, RECUR_SAFETENSORS_ERROR_LAYOUT);
  }
}

/* Random corruption never crashes: a file either loads, consistently, or gives an error of
 * this domain that names the file. */
static void
test_byte_flips (void)
{
  g_autoptr(RecurSafetensors) st = make_sample ();
  g_autoptr(GBytes) whole = recur_safetensors_to_bytes (st);
  g_autoptr(GRand) rand = g_rand_new_with_seed (20240611);
  gsize size;
  const guint8 *data = g_bytes_get_data (whole, &size);
  guint64 header_length;
  guint n_loaded = 0;
  guint n_refused = 0;

  memcpy (&header_length, data, 8);
  header_length = GUINT64_FROM_LE (header_length);

  for (guint iteration = 0; iteration < 4000; iteration++)
    {
      guint8 *copy = g_memdup2 (data, size);
      guint n_flips = g_rand_int_range (rand, 1, 4);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(RecurSafetensors) back = NULL;

      for (guint k = 0; k < n_flips; k++)
        {
          /* Three times in four in the length or the header, where parsing happens. */
          gsize end = g_rand_int_range (rand, 0, 4) == 0 ? size : 8 + header_length;
          gsize at = g_rand_int_range (rand, 0, (gint32) end);

          if (g_rand_boolean (rand))
            copy[at] ^= (guint8) (1 << g_rand_int_range (rand, 0, 8));
          else
            copy[at] = (guint8) g_rand_int_range (rand, 0, 256);
        }

      bytes = g_bytes_new_take (copy, size);
      back = recur_safetensors_new_from_bytes (bytes, "flipped.safetensors", &error);
      if (back == NULL)
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == RECUR_SAFETENSORS_ERROR);
          g_assert_true (g_str_has_prefix (error->message, "flipped.safetensors: "));
          n_refused++;
        }
      else
        {
          g_autoptr(GBytes) again = NULL;
          g_autoptr(RecurSafetensors) reread = NULL;

          g_assert_no_error (error);
          for (guint i = 0; i < recur_safetensors_get_n_tensors (back); i++)
            {
              const char *name = recur_safetensors_get_name (back, i);
              const guint64 *shape;
              guint n_dims;

              g_assert_nonnull (recur_safetensors_get (back, name, &n_dims, &shape));
              g_assert_cmpuint (n_dims, <=, RECUR_SAFETENSORS_MAX_DIMS);
              g_assert_nonnull (recur_safetensors_get_checked (back, name, n_dims, shape,
                                                               &error));
              g_assert_no_error (error);
            }

          /* What loads can be written and read again. */
          again = recur_safetensors_to_bytes (back);
          reread = recur_safetensors_new_from_bytes (again, "again.safetensors", &error);
          g_assert_no_error (error);
          assert_same_tensors (back, reread);
          n_loaded++;
        }
    }

  g_test_message ("%u flipped files loaded, %u refused", n_loaded, n_refused);
  g_assert_cmpuint (n_loaded, >, 0);
  g_assert_cmpuint (n_refused, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);

  g_test_add_func ("/engine/safetensors/round-trip-bytes", test_round_trip_bytes);
  g_test_add_func ("/engine/safetensors/round-trip-file", test_round_trip_file);
  g_test_add_func ("/engine/safetensors/empty", test_empty);
  g_test_add_func ("/engine/safetensors/header-is-aligned-to-8", test_header_alignment);
  g_test_add_func ("/engine/safetensors/byte-layout-matches-hand-written",
                   test_byte_layout);
  g_test_add_func ("/engine/safetensors/reads-foreign-layout", test_foreign_layout);
  g_test_add_func ("/engine/safetensors/add-replaces-in-place", test_replace);
  g_test_add_func ("/engine/safetensors/metadata-keys-sorted", test_metadata_sorted);
  g_test_add_func ("/engine/safetensors/get-checked-names-both-shapes", test_get_checked);
  g_test_add_func ("/engine/safetensors/save-replaces-atomically",
                   test_save_replaces_atomically);
  g_test_add_func ("/engine/safetensors/save-fails-cleanly", test_save_fails_cleanly);
  g_test_add_func ("/engine/safetensors/load-io-error-names-path", test_load_io_error);
  g_test_add_func ("/engine/safetensors/layout-message", test_layout_message);
  g_test_add_func ("/engine/safetensors/accepts-odd-but-valid", test_accepted_oddities);
  g_test_add_func ("/engine/safetensors/refuses-short-files", test_short_files);
  g_test_add_func ("/engine/safetensors/refuses-huge-header-length", test_huge_header_length);
  g_test_add_func ("/engine/safetensors/refuses-deep-nesting", test_deep_nesting);
  g_test_add_func ("/engine/safetensors/refuses-truncated-prefixes", test_truncated_prefixes);
  g_test_add_func ("/engine/safetensors/survives-byte-flips", test_byte_flips);

  for (guint i = 0; i < G_N_ELEMENTS (corrupt_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/engine/safetensors/corrupt/",
                                           corrupt_cases[i].path, NULL);

      g_test_add_data_func (path, &corrupt_cases[i], test_corrupt);
    }

  return g_test_run ();
}
