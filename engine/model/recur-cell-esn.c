/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <math.h>
#include <string.h>

#include "recur-blas.h"
#include "recur-gemm.h"
#include "recur-kernels.h"
#include "recur-model-private.h"

/* A sparse random matrix can be nilpotent (every eigenvalue 0: nothing to scale); it is drawn
 * again, and after this many tries the reservoir falls back to ρ·I. */
#define MAX_DRAWS 100

static float *
tensor (RecurModel *model,
        const char *name)
{
  const RecurTensorInfo *t = recur_model_find_tensor (model, name);

  return t ? recur_model_get_params (model) + t->offset : NULL;
}

void
recur_esn_init_reservoir (RecurModel *model,
                          RecurRng   *rng)
{
  const RecurModelSpec *spec = recur_model_get_spec (model);
  const RecurEsnSpec *e = &spec->esn;
  guint N = spec->hidden_size;
  gsize NN = (gsize) N * N;
  float *w_in = tensor (model, "esn.weight_in");
  float *w = tensor (model, "esn.weight");
  float *b = tensor (model, "esn.bias");
  float s = e->input_scaling;
  g_autofree double *copy = g_new (double, NN);
  double radius = 0.0;

  g_return_if_fail (spec->cell == RECUR_CELL_ESN && w_in && w);

  for (gsize i = 0; i < (gsize) N * spec->input_size; i++)
    w_in[i] = recur_rng_uniform (rng, -s, s);
  for (guint draw = 0; draw < MAX_DRAWS; draw++)
    {
      for (gsize i = 0; i < NN; i++)
        w[i] = recur_rng_double (rng) < e->connectivity ? recur_rng_uniform (rng, -1.0f, 1.0f)
                                                        : 0.0f;
      for (gsize i = 0; i < NN; i++)
        copy[i] = w[i];
      radius = recur_spectral_radius (copy, (int) N);
      if (isfinite (radius) && radius > 1e-9)
        break;
    }
  if (isfinite (radius) && radius > 1e-9)
    {
      double factor = e->spectral_radius / radius;
      for (gsize i = 0; i < NN; i++)
        w[i] = (float) (w[i] * factor);
    }
  else
    {
      memset (w, 0, NN * sizeof (float));
      for (guint i = 0; i < N; i++)
        w[(gsize) i * N + i] = e->spectral_radius;
    }
  if (b)
    for (guint i = 0; i < N; i++)
      b[i] = recur_rng_uniform (rng, -s, s);
}

/* ESN: h_t = (1 − α) h_{t−1} + α tanh(W_in x_t + b + W h_{t−1}); the pre-activations stay in
 * the gate buffer. Nothing here is trained, so nothing more is kept. */
void
forward_esn (const RecurModel *self,
             RecurWorkspace   *ws,
             guint             batch,
             const float      *x)
{
  const RecurModelSpec *s = &self->spec;
  const LayerOffsets *lo = &self->layers[0];
  const float *p = self->params;
  guint T = s->window, H = s->hidden_size;
  gsize BH = (gsize) batch * H;
  float alpha = s->esn.leak;
  float *a = ws->dir[0].gates, *h = ws->y[0];

  project_inputs (x, (gsize) T * batch, lo->input_size, p + lo->w_ih, H,
                  s->bias ? p + lo->b_ih : NULL, NULL, a);
  /* W packed once for every step's product, not once per step (12 % of a reservoir's time) */
  if (ws->packed_w_hh)
    recur_gemm_pack_b (TRUE, H, H, p + lo->w_hh, H, ws->packed_w_hh);
  for (guint t = 0; t < T; t++)
    {
      float *at = a + t * BH, *ht = h + t * BH;
      const float *hp = t ? ht - BH : NULL;

      if (hp)
        add_recurrent_forward (ws, batch, H, H, hp, H, p + lo->w_hh, at);
      /* the vectorised tanh the other cells use, not libm's scalar one (38 % of the time) */
      recur_kernel_leaky_tanh (BH, alpha, at, hp, ht);
    }
}
