/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Allocations sized by input: one that cannot even be addressed, and one the system refuses,
 * each an error saying what it was for and how much, never an abort. */
#include "config.h"

#include <string.h>

#include "recur-memory.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN TRUE
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN TRUE
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN FALSE
#endif

static void
test_unaddressable (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_null (recur_try_alloc (G_MAXSIZE / 4 + 1, 8, "the windows", &error));
  g_assert_error (error, RECUR_MEMORY_ERROR, RECUR_MEMORY_ERROR_NO_MEMORY);
  g_assert_cmpstr (error->message, ==,
                   "Not enough memory for the windows (more than can be addressed)");
  g_clear_error (&error);
  g_assert_null (recur_try_alloc0 (G_MAXSIZE, 2, "the gates", &error));
  g_assert_error (error, RECUR_MEMORY_ERROR, RECUR_MEMORY_ERROR_NO_MEMORY);
  g_assert_nonnull (strstr (error->message, "the gates"));
}

/* An eighth of the address space: no system grants it. */
static void
test_refused (void)
{
  g_autoptr(GError) error = NULL;
  gpointer p;

  if (UNDER_ASAN)
    {
      g_test_skip ("AddressSanitizer aborts on a request this large instead of refusing it");
      return;
    }
  p = recur_try_alloc0 (G_MAXSIZE / 64, 8, "the hidden states", &error);
  g_assert_null (p);
  g_assert_error (error, RECUR_MEMORY_ERROR, RECUR_MEMORY_ERROR_NO_MEMORY);
  /* g_format_size puts a no-break space between the number and its unit */
  g_assert_cmpstr (error->message, ==, "Not enough memory for the hidden states: 2.0\u00a0EiB");
  g_clear_error (&error);
  /* zero of anything is one byte, not an error */
  p = recur_try_alloc (0, 8, "nothing", &error);
  g_assert_nonnull (p);
  g_free (p);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/alloc/unaddressable", test_unaddressable);
  g_test_add_func ("/engine/alloc/refused", test_refused);
  return g_test_run ();
}
