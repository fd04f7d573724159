/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* What every fuzz target shares: the libFuzzer entry points, and the contract each parser keeps
 * on any input: a result whose invariants hold, or a GError with a message; never both, never
 * neither. A broken contract aborts, which libFuzzer reports as a crash with the input. */

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                    \
  do                                                                                        \
    {                                                                                       \
      if (!(cond))                                                                          \
        {                                                                                   \
          fprintf (stderr, "%s:%d: contract broken: %s\n", __FILE__, __LINE__, #cond);      \
          abort ();                                                                         \
        }                                                                                   \
    }                                                                                       \
  while (0)

/* Exactly one of result and error, and an error says something. */
#define FUZZ_CHECK_OUTCOME(result, error)                                                   \
  do                                                                                        \
    {                                                                                       \
      FUZZ_CHECK (((result) != NULL) != ((error) != NULL));                                 \
      if ((error) != NULL)                                                                  \
        FUZZ_CHECK ((error)->message != NULL && (error)->message[0] != '\0');               \
    }                                                                                       \
  while (0)

/* GLib's criticals and warnings are programmer errors: an input must never reach one. */
static inline void
fuzz_init_glib (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_fatal_mask ("GLib", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_fatal_mask ("GLib-GObject", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_fatal_mask ("Json", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  g_log_set_fatal_mask ("recur-engine", G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}
