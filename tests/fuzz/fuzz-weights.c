/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fuzz target: the bytes of a weights file → safetensors → a model with Recur's metadata.
 *
 * Contract: the reader returns a file or an error; a file's tensors all lie inside it (every
 * float is read, so AddressSanitizer sees any overrun), names and metadata are valid UTF-8,
 * and writing it out and reading it back gives the same tensors and metadata. The model loader
 * returns a model or an error; a model's weights are all finite, it has as many parameters as
 * the file holds floats, and its scaler can be inverted. */
#define G_LOG_DOMAIN "recur-fuzz"
#include "config.h"

#include <math.h>
#include <string.h>

#include "fuzz.h"
#include "recur-model-io.h"
#include "recur-safetensors.h"

int
LLVMFuzzerInitialize (int    *argc,
                      char ***argv)
{
  fuzz_init_glib ();
  return 0;
}

/* Floats the tensor holds; every one is read. */
static guint64
check_tensor (const RecurSafetensors *st,
              const char             *name)
{
  guint n_dims;
  const guint64 *shape;
  const float *data = recur_safetensors_get (st, name, &n_dims, &shape);
  guint64 count = 1;
  volatile float sink = 0.0f;

  FUZZ_CHECK (data != NULL || n_dims > 0);
  FUZZ_CHECK (n_dims <= RECUR_SAFETENSORS_MAX_DIMS);
  for (guint k = 0; k < n_dims; k++)
    {
      FUZZ_CHECK (shape[k] == 0 || count <= G_MAXUINT64 / shape[k]);
      count *= shape[k];
    }
  for (guint64 i = 0; i < count; i++)
    sink += data[i];
  return count;
}

static void
check_same (const RecurSafetensors *a,
            const RecurSafetensors *b)
{
  g_auto(GStrv) keys_a = recur_safetensors_list_metadata (a);
  g_auto(GStrv) keys_b = recur_safetensors_list_metadata (b);

  FUZZ_CHECK (recur_safetensors_get_n_tensors (a) == recur_safetensors_get_n_tensors (b));
  for (guint i = 0; i < recur_safetensors_get_n_tensors (a); i++)
    {
      const char *name = recur_safetensors_get_name (a, i);
      guint na, nb;
      const guint64 *sa, *sb;
      const float *da = recur_safetensors_get (a, name, &na, &sa);
      const float *db = recur_safetensors_get (b, name, &nb, &sb);
      guint64 count = 1;

      FUZZ_CHECK (g_str_equal (name, recur_safetensors_get_name (b, i)));
      FUZZ_CHECK (na == nb && memcmp (sa, sb, na * sizeof (guint64)) == 0);
      for (guint k = 0; k < na; k++)
        count *= sa[k];
      FUZZ_CHECK (count == 0 || memcmp (da, db, count * sizeof (float)) == 0);
    }
  FUZZ_CHECK (g_strv_equal ((const char *const *) keys_a, (const char *const *) keys_b));
  for (guint i = 0; keys_a[i]; i++)
    FUZZ_CHECK (g_str_equal (recur_safetensors_get_metadata (a, keys_a[i]),
                             recur_safetensors_get_metadata (b, keys_a[i])));
}

static guint64
check_file (const RecurSafetensors *st)
{
  g_auto(GStrv) keys = recur_safetensors_list_metadata (st);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(RecurSafetensors) again = NULL;
  g_autoptr(GError) error = NULL;
  guint64 floats = 0;

  for (guint i = 0; i < recur_safetensors_get_n_tensors (st); i++)
    {
      const char *name = recur_safetensors_get_name (st, i);
      FUZZ_CHECK (name != NULL && g_utf8_validate (name, -1, NULL));
      floats += check_tensor (st, name);
    }
  for (guint i = 0; keys[i]; i++)
    {
      const char *value = recur_safetensors_get_metadata (st, keys[i]);
      FUZZ_CHECK (g_utf8_validate (keys[i], -1, NULL));
      FUZZ_CHECK (value != NULL && g_utf8_validate (value, -1, NULL));
    }

  bytes = recur_safetensors_to_bytes (st);
  again = recur_safetensors_new_from_bytes (bytes, "again", &error);
  FUZZ_CHECK (again != NULL && error == NULL);
  check_same (st, again);
  return floats;
}

static void
check_model (const RecurModel     *model,
             const RecurModelInfo *info,
             guint64               floats)
{
  const float *params = recur_model_peek_params (model);
  gsize n = recur_model_get_n_params (model);
  double x;

  FUZZ_CHECK (n == floats);
  for (gsize i = 0; i < n; i++)
    FUZZ_CHECK (isfinite (params[i]));
  FUZZ_CHECK (info->column != NULL && info->frequency != NULL && info->last_timestamp != NULL);
  FUZZ_CHECK (isfinite (info->transform.scaler.center) && isfinite (info->transform.scaler.scale));
  FUZZ_CHECK (info->transform.scaler.scale != 0.0);
  FUZZ_CHECK (info->transform.season >= 1);
  FUZZ_CHECK (info->transform.spec.theta == RECUR_THETA_NONE
              || info->transform.spec.theta == RECUR_THETA_AVERAGE);
  FUZZ_CHECK (!info->transform.box_cox || isfinite (info->transform.lambda));
  for (guint i = 0; info->transform.spec.deseasonalise && i < info->transform.season; i++)
    FUZZ_CHECK (isfinite (info->transform.seasonal_index[i]));
  x = recur_scaler_invert (&info->transform.scaler, 0.5);
  FUZZ_CHECK (!isnan (x));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);
  g_autoptr(GError) error = NULL;
  g_autoptr(RecurSafetensors) st = NULL;
  g_autoptr(RecurModel) model = NULL;
  RecurModelInfo info = { 0 };
  guint64 floats;

  st = recur_safetensors_new_from_bytes (bytes, "fuzz.safetensors", &error);
  FUZZ_CHECK_OUTCOME (st, error);
  if (st == NULL)
    return 0;
  floats = check_file (st);

  model = recur_model_load_bytes (bytes, "fuzz.safetensors", &info, &error);
  FUZZ_CHECK_OUTCOME (model, error);
  if (model)
    check_model (model, &info, floats);
  recur_model_info_clear (&info);
  return 0;
}
