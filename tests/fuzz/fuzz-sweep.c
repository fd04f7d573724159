/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: `recur sweep`'s --grid and --bounds specifications.
 *
 * The first byte chooses grid or random samples (and how many), the rest is one spec per line
 * (at most three, to reach "too many"). Contract: each spec is taken or refused with an error
 * that quotes it; a sweep that expands gives at most RECUR_SWEEP_MAX_RUNS runs with unique
 * names, as many swept values as parameters, and configurations that pass validation. */
#define G_LOG_DOMAIN "recur-fuzz"
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "recur-sweep.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

static void
check_points (const RecurSweep *sweep,
              GPtrArray        *points)
{
  g_autoptr(GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);

  FUZZ_CHECK (points->len >= 1 && points->len <= RECUR_SWEEP_MAX_RUNS);
  for (guint i = 0; i < points->len; i++)
    {
      RecurSweepPoint *p = g_ptr_array_index (points, i);
      g_autoptr(GError) error = NULL;

      FUZZ_CHECK (p->name != NULL && g_utf8_validate (p->name, -1, NULL));
      FUZZ_CHECK (g_hash_table_add (names, p->name));
      FUZZ_CHECK (p->n_values == recur_sweep_get_n_params (sweep));
      for (guint k = 0; k < p->n_values; k++)
        FUZZ_CHECK (p->values[k].param == recur_sweep_get_param (sweep, k)
                    && p->values[k].text != NULL);
      if (!recur_job_config_validate (&p->config, &error))
        {
          fprintf (stderr, "run “%s”: %s\n", p->name, error->message);
          FUZZ_CHECK (!"a swept configuration fails validation");
        }
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) specs = NULL;
  g_autoptr(RecurSweep) sweep = NULL;
  g_autoptr(GPtrArray) points = NULL;
  g_autoptr(GError) error = NULL;
  RecurJobConfig base;
  gboolean random;

  if (size < 1)
    return 0;
  random = data[0] & 1;
  text = g_strndup ((const char *) data + 1, size - 1);
  if (strlen (text) != size - 1)
    return 0; /* a NUL: a command line cannot hold one */
  specs = g_strsplit (text, "\n", 4);

  recur_job_config_init (&base);
  sweep = recur_sweep_new (&base);
  recur_job_config_clear (&base);
  if (random)
    recur_sweep_set_random (sweep, 1 + data[0] / 2, 1);
  for (guint i = 0; specs[i] && i < 3; i++)
    {
      gboolean ok = random ? recur_sweep_add_bounds (sweep, specs[i], &error)
                           : recur_sweep_add_grid (sweep, specs[i], &error);
      FUZZ_CHECK (ok == (error == NULL));
      if (!ok)
        {
          FUZZ_CHECK (error->domain == RECUR_SWEEP_ERROR && error->message[0] != '\0');
          return 0;
        }
    }
  points = recur_sweep_expand (sweep, &error);
  FUZZ_CHECK_OUTCOME (points, error);
  if (points)
    check_points (sweep, points);
  return 0;
}
