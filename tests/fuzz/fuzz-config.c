/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: a run's configuration JSON (a project's config.json, `recur sweep`'s
 * configurations) and the swept values beside it.
 *
 * Contract: the reader returns a configuration or an error naming the field; a configuration
 * it accepts passes the same validation as one built in memory, and writing it out and reading
 * it back gives the same JSON. Swept values are read or refused, each with a parameter a sweep
 * varies and a text that shows its value. */
#define G_LOG_DOMAIN "recur-fuzz"
#include "config.h"

#include <json-glib/json-glib.h>

#include "fuzz.h"
#include "recur-job.h"
#include "recur-jsonutil.h"
#include "recur-sweep.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

static void
check_config (JsonNode *root)
{
  g_autoptr(GError) error = NULL;
  RecurJobConfig config, again;
  gboolean ok = recur_job_config_from_json (root, &config, &error);

  FUZZ_CHECK (ok == (error == NULL));
  if (!ok)
    {
      FUZZ_CHECK (error->domain == RECUR_JOB_CONFIG_ERROR && error->message[0] != '\0');
      recur_job_config_clear (&config);
      return;
    }
  FUZZ_CHECK (recur_job_config_validate (&config, &error));
  {
    g_autoptr(JsonNode) written = recur_job_config_to_json (&config);
    g_autoptr(JsonNode) rewritten = NULL;
    g_autofree char *text = recur_json_to_data (written, FALSE, NULL);
    g_autofree char *text_again = NULL;

    FUZZ_CHECK (recur_job_config_from_json (written, &again, &error));
    rewritten = recur_job_config_to_json (&again);
    text_again = recur_json_to_data (rewritten, FALSE, NULL);
    FUZZ_CHECK (g_str_equal (text, text_again));
    recur_job_config_clear (&again);
  }
  recur_job_config_clear (&config);
}

static void
check_swept (JsonNode *root)
{
  g_autoptr(GError) error = NULL;
  RecurSweepValue values[RECUR_SWEEP_MAX_PARAMS];
  guint n = G_MAXUINT;
  gboolean ok = recur_sweep_values_from_json (root, values, &n, &error);

  FUZZ_CHECK (ok == (error == NULL));
  FUZZ_CHECK (n <= RECUR_SWEEP_MAX_PARAMS);
  FUZZ_CHECK (ok || n == 0);
  for (guint i = 0; i < n; i++)
    {
      FUZZ_CHECK (values[i].param != NULL && values[i].text != NULL);
      FUZZ_CHECK (g_utf8_validate (values[i].text, -1, NULL));
      g_free (values[i].text);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (!json_parser_load_from_data (parser, (const char *) data, (gssize) size, &error))
    return 0;
  root = json_parser_get_root (parser);
  if (root == NULL)
    return 0;
  check_config (root);
  check_swept (root);
  return 0;
}
