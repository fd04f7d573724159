/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "recur-blas.h"
#include "recur-esn.h"
#include "recur-memory.h"

static float *
tensor (RecurModel *model,
        const char *name)
{
  const RecurTensorInfo *t = recur_model_find_tensor (model, name);

  return t ? recur_model_get_params (model) + t->offset : NULL;
}

gboolean
recur_esn_fit (RecurModel          *model,
               RecurWorkspace      *ws,
               guint                max_batch,
               const RecurDataset  *data,
               GError             **error)
{
  const RecurModelSpec *spec = recur_model_get_spec (model);
  guint N = spec->hidden_size, T = spec->window, P = N + 1;
  guint O = recur_model_spec_output_size (spec);
  guint n = recur_dataset_get_n_train_windows (data);
  float *head_w = tensor (model, "head.weight");
  float *head_b = tensor (model, "head.bias");
  /* sizes from options (reservoir, horizon, window, batch): each may be refused */
  g_autofree double *A = g_try_malloc0_n ((gsize) P * P, sizeof (double)); /* FᵀF + λ I′ */
  g_autofree double *C = g_try_malloc0_n ((gsize) P * O, sizeof (double)); /* FᵀY, the solution */
  g_autofree double *F = g_try_malloc_n ((gsize) max_batch * P, sizeof (double));
  g_autofree double *Y = g_try_malloc_n ((gsize) max_batch * O, sizeof (double));
  g_autofree float *input = g_try_malloc_n ((gsize) T * max_batch * spec->input_size,
                                            sizeof (float));
  g_autofree float *target = g_try_malloc_n ((gsize) max_batch * O, sizeof (float));
  g_autofree float *output = g_try_malloc_n ((gsize) max_batch * O, sizeof (float));
  g_autofree float *h = g_try_malloc_n ((gsize) max_batch * N, sizeof (float));
  g_autofree guint *starts = g_try_malloc_n (max_batch, sizeof (guint));

  g_return_val_if_fail (spec->cell == RECUR_CELL_ESN
                        && spec->input_size == recur_dataset_get_input_size (data), FALSE);
  g_return_val_if_fail (max_batch >= 1, FALSE);
  if (!A || !C || !F || !Y || !input || !target || !output || !h || !starts)
    {
      guint64 doubles = (guint64) P * P + (guint64) P * O + (guint64) max_batch * (P + O);
      guint64 floats = (guint64) max_batch * (T + 2 * O + N);
      g_autofree char *what =
        g_strdup_printf (_("fitting the readout of %u reservoir units to %u outputs, %u windows "
                           "at a time"), N, O, max_batch);
      recur_memory_set_error (error, doubles * sizeof (double) + floats * sizeof (float)
                                     + (guint64) max_batch * sizeof (guint), what);
      return FALSE;
    }

  for (guint first = 0; first < n; first += max_batch)
    {
      guint batch = MIN (max_batch, n - first);

      for (guint b = 0; b < batch; b++)
        starts[b] = recur_dataset_train_window_start (data, first + b);
      recur_dataset_gather_last (data, T, starts, batch, input, target);
      recur_model_forward (model, ws, batch, input, FALSE, NULL, output);
      recur_workspace_get_h_n (ws, 0, 0, h);
      for (guint b = 0; b < batch; b++)
        {
          for (guint j = 0; j < N; j++)
            F[(gsize) b * P + j] = h[(gsize) b * N + j];
          F[(gsize) b * P + N] = 1.0;
          for (guint o = 0; o < O; o++)
            Y[(gsize) b * O + o] = target[(gsize) b * O + o];
        }
      recur_dgemm (TRUE, FALSE, (int) P, (int) P, (int) batch, 1.0, F, (int) P, F, (int) P, 1.0,
                   A, (int) P);
      recur_dgemm (TRUE, FALSE, (int) P, (int) O, (int) batch, 1.0, F, (int) P, Y, (int) O, 1.0,
                   C, (int) O);
    }
  for (guint j = 0; j < N; j++)
    A[(gsize) j * P + j] += spec->esn.ridge;

  if (!recur_solve_spd (A, (int) P, C, (int) O))
    {
      g_set_error (error, RECUR_MODEL_ERROR, RECUR_MODEL_ERROR_FIT_FAILED,
                   _("the echo state network's readout cannot be fitted: its normal equations "
                     "are singular (%u training windows for %u reservoir units); use a ridge "
                     "above %g"), n, N, spec->esn.ridge);
      return FALSE;
    }
  for (guint o = 0; o < O; o++)
    {
      for (guint j = 0; j < N; j++)
        head_w[(gsize) o * N + j] = (float) C[(gsize) j * O + o];
      head_b[o] = (float) C[(gsize) N * O + o];
    }
  return TRUE;
}
