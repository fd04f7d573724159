/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "recur-kernels.h"
#include "recur-kernels-private.h"

/* This file is built with -O3 (engine/meson.build) so that GCC vectorises every loop below; no
 * -ffast-math: the rounding trick in exp_approx needs IEEE arithmetic, and results must not
 * depend on how the compiler reassociates. Each exported kernel is cloned per ISA; within one
 * machine the same clone always runs, so training stays bit-for-bit reproducible. */
/* Not under ThreadSanitizer: GCC 12 instruments the clones' ifunc resolver, which the dynamic
 * loader runs before libtsan is set up, so the program crashed at load. There the kernels are
 * built once, for the baseline ISA: the same code, checked for races the same. */
#ifdef RECUR_KERNEL_CLONES /* recur-kernels-private.h */
#define KERNEL __attribute__ ((target_clones ("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KERNEL
#endif

/* GCC contracts a · b + c into a fused multiply-add in the clones that have FMA; where a
 * kernel must round as the engine's plain C does, it turns that off (clang contracts only
 * with FMA enabled, which no flag here does) */
#if defined(__GNUC__) && !defined(__clang__)
#define NO_FP_CONTRACT __attribute__ ((optimize ("fp-contract=off")))
#else
#define NO_FP_CONTRACT
#endif

static inline float
clampf (float x,
        float lo,
        float hi)
{
  /* written so that NaN passes through (a diverging run must still be seen to diverge) */
  x = x < lo ? lo : x;
  return x > hi ? hi : x;
}

/* e^x = 2^n · e^r, n = round(x / ln 2), r = x − n ln 2 with ln 2 in two parts (Cody–Waite),
 * e^r from Cephes' expf polynomial; x clamped to [−87, 88] so 2^n stays a normal float.
 * Adding and subtracting 1.5 · 2^23 rounds to the nearest integer without a libm call. */
static inline float
exp_approx (float x)
{
  float n, r, z, p, scale, xs;
  uint32_t bits;

  x = clampf (x, -87.0f, 88.0f);
  /* n from x with NaN read as 0, so the integer conversion below is always defined;
   * p still carries the NaN into the result. A mask, not `x == x ? x : 0`: GCC splits on
   * that condition and runs the polynomial once for each side, which made σ 60 % slower. */
  memcpy (&bits, &x, sizeof bits);
  bits &= -(uint32_t) (x == x);
  memcpy (&xs, &bits, sizeof xs);
  n = (xs * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  z = r * r;
  p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r + 1.0f;
  bits = (uint32_t) ((int32_t) n + 127) << 23;
  memcpy (&scale, &bits, sizeof scale);
  return p * scale;
}

/* σ(x) = 1 / (1 + e^−x) */
static inline float
sigmoid_approx (float x)
{
  return 1.0f / (1.0f + exp_approx (-x));
}

/* tanh(x) as Eigen's rational approximation: odd degree-13 over even degree-6 polynomial on
 * x clamped to ±7.905 (where tanh rounds to ±1), and x itself below 4e-4. No exp, no
 * cancellation near 0. */
static inline float
tanh_approx (float x)
{
  float c = clampf (x, -7.90531110763549805f, 7.90531110763549805f);
  float x2 = c * c, p, q, t;

  p = -2.76076847742355e-16f;
  p = p * x2 + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * c;
  q = 1.19825839466702e-06f;
  q = q * x2 + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  t = p / q;
  return (x < 4e-4f && x > -4e-4f) ? x : t;
}

float
recur_kernel_sigmoid1 (float x)
{
  return sigmoid_approx (x);
}

float
recur_kernel_tanh1 (float x)
{
  return tanh_approx (x);
}

KERNEL void
recur_kernel_project1 (gsize        rows,
                       gsize        n,
                       const float *x,
                       const float *w,
                       const float *b1,
                       const float *b2,
                       float       *out)
{
  /* b2 alone adds as b1 alone does */
  if (b1 == NULL)
    {
      b1 = b2;
      b2 = NULL;
    }
  for (gsize r = 0; r < rows; r++)
    {
      float *restrict o = out + r * n;
      float xv = x[r];

      /* the same sums as fill-then-accumulate: (b1 + b2) + x · w */
      if (b1 && b2)
        for (gsize j = 0; j < n; j++)
          o[j] = (b1[j] + b2[j]) + xv * w[j];
      else if (b1)
        for (gsize j = 0; j < n; j++)
          o[j] = b1[j] + xv * w[j];
      else
        for (gsize j = 0; j < n; j++)
          o[j] = xv * w[j];
    }
}

KERNEL void
recur_kernel_tanh_forward_portable (guint        batch,
                                    guint        H,
                                    const float *g,
                                    gsize        ld_g,
                                    float       *h,
                                    gsize        ld_h)
{
  for (guint b = 0; b < batch; b++)
    {
      const float *restrict gb = g + b * ld_g;
      float *restrict hb = h + b * ld_h;

      /* h = tanh(W_ih x + b_ih + W_hh h' + b_hh) */
      for (guint j = 0; j < H; j++)
        hb[j] = tanh_approx (gb[j]);
    }
}

void
recur_kernel_tanh_forward (guint        batch,
                           guint        H,
                           const float *g,
                           gsize        ld_g,
                           float       *h,
                           gsize        ld_h)
{
#ifdef RECUR_KERNEL_CLONES
  if (recur_avx512_usable ())
    {
      recur_avx512_tanh_forward (batch, H, g, ld_g, h, ld_h);
      return;
    }
#endif
  recur_kernel_tanh_forward_portable (batch, H, g, ld_g, h, ld_h);
}

KERNEL void
recur_kernel_leaky_tanh (gsize        n,
                         float        alpha,
                         const float *a,
                         const float *h_prev,
                         float       *h)
{
  const float *restrict av = a, *restrict hp = h_prev;
  float *restrict hv = h;

  if (hp == NULL)
    for (gsize i = 0; i < n; i++)
      hv[i] = alpha * tanh_approx (av[i]);
  else
    for (gsize i = 0; i < n; i++)
      hv[i] = (1.0f - alpha) * hp[i] + alpha * tanh_approx (av[i]);
}

KERNEL void
recur_kernel_tanh_backward (guint        batch,
                            guint        H,
                            const float *h,
                            gsize        ld_h,
                            const float *dh,
                            float       *dg,
                            gsize        ld_d)
{
  for (guint b = 0; b < batch; b++)
    {
      const float *restrict hb = h + b * ld_h;
      const float *restrict dhb = dh + b * ld_d;
      float *restrict dgb = dg + b * ld_d;

      for (guint j = 0; j < H; j++)
        dgb[j] = dhb[j] * (1.0f - hb[j] * hb[j]);
    }
}

static inline __attribute__ ((always_inline)) void
sigmoid_in_place (float *restrict x,
                  guint           n)
{
  for (guint j = 0; j < n; j++)
    x[j] = sigmoid_approx (x[j]);
}

static inline __attribute__ ((always_inline)) void
tanh_in_place (float *restrict x,
               guint           n)
{
  for (guint j = 0; j < n; j++)
    x[j] = tanh_approx (x[j]);
}

/* c = f ⊙ c' + i ⊙ g, written once for the forward pass and for the cells recomputed from
 * kept gates, so that both round (and fuse) alike */
static inline __attribute__ ((always_inline)) float
lstm_cell_value (float    i,
                 float    f,
                 float    g,
                 float    cp,
                 gboolean first)
{
  return first ? i * g : i * g + f * cp;
}

/* c = f ⊙ c' + i ⊙ g; h = o ⊙ tanh(c), from the activated gates */
static inline __attribute__ ((always_inline)) void
lstm_combine (guint                 H,
              const float *restrict i,
              const float *restrict f,
              const float *restrict g,
              const float *restrict o,
              const float *restrict cp,
              float *restrict       cb,
              float *restrict       hb,
              gboolean              first)
{
  for (guint j = 0; j < H; j++)
    {
      float cv = lstm_cell_value (i[j], f[j], g[j], first ? 0.0f : cp[j], first);
      cb[j] = cv;
      hb[j] = o[j] * tanh_approx (cv);
    }
}

/* One row of the LSTM step; `first` (a constant after inlining) leaves c' out, so that every
 * loop is branch-free and vectorises. */
static inline __attribute__ ((always_inline)) void
lstm_forward_row (guint                  H,
                  float *restrict        gi,
                  const float *restrict  cp,
                  float *restrict        cb,
                  float *restrict        hb,
                  gboolean               first)
{
  /* i = σ(·), f = σ(·), g = tanh(·), o = σ(·) each in a loop of its own (i and f are one run of
   * 2H): one approximation per loop keeps its constants in registers */
  sigmoid_in_place (gi, 2 * H);
  tanh_in_place (gi + 2 * H, H);
  sigmoid_in_place (gi + 3 * H, H);
  lstm_combine (H, gi, gi + H, gi + 2 * H, gi + 3 * H, cp, cb, hb, first);
}

KERNEL void
recur_kernel_lstm_forward_portable (guint        batch,
                                    guint        H,
                                    float       *g,
                                    const float *c_prev,
                                    float       *c,
                                    float       *h,
                                    gsize        ld_h)
{
  for (guint b = 0; b < batch; b++)
    {
      float *gi = g + (gsize) b * 4 * H;
      float *cb = c + (gsize) b * H, *hb = h + b * ld_h;

      if (c_prev)
        lstm_forward_row (H, gi, c_prev + (gsize) b * H, cb, hb, FALSE);
      else
        lstm_forward_row (H, gi, NULL, cb, hb, TRUE);
    }
}

gboolean
recur_kernel_has_avx512_gates (void)
{
#ifdef RECUR_KERNEL_CLONES
  return recur_avx512_usable ();
#else
  return FALSE;
#endif
}

void
recur_kernel_lstm_forward (guint        batch,
                           guint        H,
                           float       *g,
                           const float *c_prev,
                           float       *c,
                           float       *h,
                           gsize        ld_h)
{
#ifdef RECUR_KERNEL_CLONES
  if (recur_avx512_usable ())
    {
      recur_avx512_lstm_forward (batch, H, g, c_prev, c, h, ld_h);
      return;
    }
#endif
  recur_kernel_lstm_forward_portable (batch, H, g, c_prev, c, h, ld_h);
}

static inline __attribute__ ((always_inline)) void
lstm_cell_row (guint                 H,
               const float *restrict i,
               const float *restrict f,
               const float *restrict g,
               const float *restrict cp,
               float *restrict       cb,
               gboolean              first)
{
  for (guint j = 0; j < H; j++)
    cb[j] = lstm_cell_value (i[j], f[j], g[j], first ? 0.0f : cp[j], first);
}

KERNEL void
recur_kernel_lstm_cell (guint        batch,
                        guint        H,
                        const float *g,
                        const float *c_prev,
                        float       *c)
{
  for (guint b = 0; b < batch; b++)
    {
      const float *gb = g + (gsize) b * 4 * H;
      float *cb = c + (gsize) b * H;

      if (c_prev)
        lstm_cell_row (H, gb, gb + H, gb + 2 * H, c_prev + (gsize) b * H, cb, FALSE);
      else
        lstm_cell_row (H, gb, gb + H, gb + 2 * H, NULL, cb, TRUE);
    }
}

/* gi, gf, gg, go hold the activated gates and leave with their pre-activation gradients: each
 * its own restrict pointer, read and written only through it, so that the loop vectorises */
static inline __attribute__ ((always_inline)) void
lstm_backward_row (guint                 H,
                   float *restrict       gi,
                   float *restrict       gf,
                   float *restrict       gg,
                   float *restrict       go,
                   const float *restrict cb,
                   const float *restrict cp,
                   const float *restrict dhb,
                   float *restrict       dcb,
                   gboolean              first)
{
  for (guint j = 0; j < H; j++)
    {
      /* tanh(c) again rather than kept from the forward pass: a [T][B][H] buffer less */
      float i = gi[j], f = gf[j], gv = gg[j], o = go[j], t = tanh_approx (cb[j]);
      /* dc += dh ⊙ o ⊙ (1 − tanh²(c)); then through c = f ⊙ c' + i ⊙ g */
      float dcv = dcb[j] + dhb[j] * o * (1.0f - t * t);
      float cpv = first ? 0.0f : cp[j];

      gi[j] = dcv * gv * i * (1.0f - i);
      gf[j] = dcv * cpv * f * (1.0f - f);
      gg[j] = dcv * i * (1.0f - gv * gv);
      go[j] = dhb[j] * t * o * (1.0f - o);
      dcb[j] = dcv * f;
    }
}

KERNEL void
recur_kernel_lstm_backward_portable (guint        batch,
                                     guint        H,
                                     float       *g,
                                     const float *c,
                                     const float *c_prev,
                                     const float *dh,
                                     float       *dc)
{
  for (guint b = 0; b < batch; b++)
    {
      gsize o4 = (gsize) b * 4 * H, o1 = (gsize) b * H;

      float *gb = g + o4;

      if (c_prev)
        lstm_backward_row (H, gb, gb + H, gb + 2 * H, gb + 3 * H, c + o1, c_prev + o1, dh + o1,
                           dc + o1, FALSE);
      else
        lstm_backward_row (H, gb, gb + H, gb + 2 * H, gb + 3 * H, c + o1, NULL, dh + o1, dc + o1,
                           TRUE);
    }
}

void
recur_kernel_lstm_backward (guint        batch,
                            guint        H,
                            float       *g,
                            const float *c,
                            const float *c_prev,
                            const float *dh,
                            float       *dc)
{
#ifdef RECUR_KERNEL_CLONES
  if (recur_avx512_usable ())
    {
      recur_avx512_lstm_backward (batch, H, g, c, c_prev, dh, dc);
      return;
    }
#endif
  recur_kernel_lstm_backward_portable (batch, H, g, c, c_prev, dh, dc);
}

static inline __attribute__ ((always_inline)) void
gru_forward_row (guint                 H,
                 float *restrict       grz,
                 const float *restrict hrz,
                 float *restrict       gn,
                 const float *restrict hn,
                 const float *restrict hp,
                 float *restrict       hb,
                 gboolean              first)
{
  const float *restrict gr = grz, *restrict gz = grz + H;

  /* r = σ(W_ir x + b_ir + W_hr h' + b_hr), z likewise: one run of 2H, then
   * n = tanh(W_in x + b_in + r ⊙ (W_hn h' + b_hn)), h = (1 − z) ⊙ n + z ⊙ h' — one
   * approximation per loop, as LSTM's */
  for (guint j = 0; j < 2 * H; j++)
    grz[j] = sigmoid_approx (grz[j] + hrz[j]);
  for (guint j = 0; j < H; j++)
    {
      float z = gz[j], n = tanh_approx (gn[j] + gr[j] * hn[j]);

      gn[j] = n;
      hb[j] = first ? (1.0f - z) * n : (1.0f - z) * n + z * hp[j];
    }
}

KERNEL void
recur_kernel_gru_forward_portable (guint        batch,
                                   guint        H,
                                   float       *g,
                                   const float *hh,
                                   const float *h_prev,
                                   float       *h,
                                   gsize        ld_h)
{
  for (guint b = 0; b < batch; b++)
    {
      gsize o3 = (gsize) b * 3 * H;

      float *gb = g + o3;
      const float *hb = hh + o3;

      if (h_prev)
        gru_forward_row (H, gb, hb, gb + 2 * H, hb + 2 * H, h_prev + b * ld_h, h + b * ld_h,
                         FALSE);
      else
        gru_forward_row (H, gb, hb, gb + 2 * H, hb + 2 * H, NULL, h + b * ld_h, TRUE);
    }
}

void
recur_kernel_gru_forward (guint        batch,
                          guint        H,
                          float       *g,
                          const float *hh,
                          const float *h_prev,
                          float       *h,
                          gsize        ld_h)
{
#ifdef RECUR_KERNEL_CLONES
  if (recur_avx512_usable ())
    {
      recur_avx512_gru_forward (batch, H, g, hh, h_prev, h, ld_h);
      return;
    }
#endif
  recur_kernel_gru_forward_portable (batch, H, g, hh, h_prev, h, ld_h);
}

/* gr, gz, gn hold the activated gates and hr, hz, hn W_h· h' + b_h·; they leave with the
 * gradients of their pre-activations (each its own restrict pointer, as LSTM's) */
static inline __attribute__ ((always_inline)) void
gru_backward_row (guint                 H,
                  float *restrict       gr,
                  float *restrict       gz,
                  float *restrict       gn,
                  float *restrict       hr,
                  float *restrict       hz,
                  float *restrict       hn,
                  const float *restrict hp,
                  float *restrict       dhb,
                  gboolean              first)
{
  for (guint j = 0; j < H; j++)
    {
      float r = gr[j], z = gz[j], n = gn[j], hnv = hn[j];
      float hpv = first ? 0.0f : hp[j];
      float dnv = dhb[j] * (1.0f - z) * (1.0f - n * n);
      float dzv = dhb[j] * (hpv - n) * z * (1.0f - z);
      float drv = dnv * hnv * r * (1.0f - r);

      gr[j] = drv;
      gz[j] = dzv;
      gn[j] = dnv;
      hr[j] = drv;
      hz[j] = dzv;
      hn[j] = dnv * r;
      dhb[j] = dhb[j] * z;
    }
}

KERNEL void
recur_kernel_gru_backward (guint        batch,
                           guint        H,
                           float       *g,
                           float       *hh,
                           const float *h_prev,
                           gsize        ld_h,
                           float       *dh)
{
  for (guint b = 0; b < batch; b++)
    {
      gsize o3 = (gsize) b * 3 * H, o1 = (gsize) b * H;
      float *gb = g + o3, *hb = hh + o3;

      if (h_prev)
        gru_backward_row (H, gb, gb + H, gb + 2 * H, hb, hb + H, hb + 2 * H, h_prev + b * ld_h,
                          dh + o1, FALSE);
      else
        gru_backward_row (H, gb, gb + H, gb + 2 * H, hb, hb + H, hb + 2 * H, NULL, dh + o1,
                          TRUE);
    }
}

KERNEL void
recur_kernel_fill_bias (gsize        rows,
                        gsize        n,
                        const float *b1,
                        const float *b2,
                        float       *out)
{
  for (gsize r = 0; r < rows; r++)
    {
      float *restrict o = out + r * n;

      if (b1 && b2)
        for (gsize j = 0; j < n; j++)
          o[j] = b1[j] + b2[j];
      else if (b1 || b2)
        memcpy (o, b1 ? b1 : b2, n * sizeof (float));
      else
        memset (o, 0, n * sizeof (float));
    }
}

KERNEL double
recur_kernel_add_rows_sum_squares (guint        batch,
                                   guint        H,
                                   float       *dh,
                                   const float *dy,
                                   gsize        ld_dy)
{
  /* eight running sums, one per lane of a vector of doubles, each in the same order whatever
   * the ISA: a float's square is exact in double, so a fused multiply-add rounds as a
   * multiply then an add does */
  double part[8] = { 0 };
  double sum = 0.0;

  for (guint b = 0; b < batch; b++)
    {
      float *restrict row = dh + (gsize) b * H;
      guint j = 0;

      if (dy)
        {
          const float *restrict dyb = dy + b * ld_dy;
          for (guint k = 0; k < H; k++)
            row[k] += dyb[k];
        }
      for (; j + 8 <= H; j += 8)
        for (guint k = 0; k < 8; k++)
          part[k] += (double) row[j + k] * row[j + k];
      for (; j < H; j++)
        part[j % 8] += (double) row[j] * row[j];
    }
  for (guint k = 0; k < 8; k++)
    sum += part[k];
  return sum;
}

/* No fused multiply-adds here: each clone rounds as the scalar loop did (the engine's own code
 * is built without FMA), so Adam's steps stay those of every earlier Recur. */
KERNEL NO_FP_CONTRACT void
recur_kernel_adam (gsize               n,
                   float              *params,
                   const float        *grads,
                   float              *m,
                   float              *v,
                   const RecurAdamStep *step)
{
  const RecurAdamStep s = *step, *a = &s; /* in registers, not reread after each store */
  float *restrict p = params, *restrict mv = m, *restrict vv = v;
  const float *restrict g = grads;

  for (gsize i = 0; i < n; i++)
    {
      float gi = g[i];

      if (a->decay != 1.0f)
        p[i] *= a->decay;            /* decoupled weight decay (AdamW) */
      else if (a->l2 != 0.0f)
        gi += a->l2 * p[i];          /* L2 (Adam) */
      /* m = β1 m + (1 − β1) g;  v = β2 v + (1 − β2) g² */
      mv[i] = mv[i] * a->beta1 + gi * a->one_minus_beta1;
      vv[i] = vv[i] * a->beta2 + gi * gi * a->one_minus_beta2;
      /* p −= lr / (1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + ε) */
      p[i] -= a->step_size * (mv[i] / (sqrtf (vv[i]) / a->bias_correction2_sqrt + a->eps));
    }
}

KERNEL void
recur_kernel_add_column_sums (float       *acc,
                              const float *m,
                              gsize        rows,
                              gsize        n)
{
  float *restrict a = acc;

  /* row by row, so each column is summed in the same order as a scalar loop would */
  for (gsize r = 0; r < rows; r++)
    {
      const float *restrict row = m + r * n;
      for (gsize j = 0; j < n; j++)
        a[j] += row[j];
    }
}
