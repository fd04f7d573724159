/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include "recur-kernels-private.h"

/* The cells' steps written out for AVX-512. GCC vectorises σ and tanh in recur-kernels.c by
 * splitting each at its clamps: lanes beyond them take a value it folded at compile time, lanes
 * within compute under masks, with the division done twice. The same operations in the same
 * order, written out in one pass over a row's gates, take a quarter less time (LSTM: 57 µs
 * instead of 78 for 64 windows of 512 units) and give the bits of the FMA clones (x86-64-v3 and
 * v4) in every lane: within the clamps the same fused multiply-adds, beyond them the folded
 * values, which recur-kernels.c's scalar functions (baseline ISA, no FMA) also give. Where the
 * source there leaves GCC a choice of which product to fuse into an add, each kernel below
 * fuses the one GCC fuses. Checked against the clones over every float as input to σ and tanh,
 * and by the /engine/kernels/…-avx512-… tests, which sample that sweep and training's ranges
 * and fail when a fusion or a folded value changes. RECUR_PORTABLE_KERNELS=1 runs the clones. */

#ifdef RECUR_KERNEL_CLONES
#include <immintrin.h>

/* GCC contracts a multiply and an add written as intrinsics too (they are vector arithmetic to
 * it); off here, so that what is written is what runs and each fused multiply-add is one
 * written out */
#define AVX512 __attribute__ ((target ("avx512f"), optimize ("fp-contract=off")))

/* σ beyond its clamps: for x above 87 (e^−x clamped at e^−87) and below −88 (at e^88), and
 * tanh above 7.9053 (below −7.9053 its negative): recur_kernel_sigmoid1 (±100),
 * recur_kernel_tanh1 (100) */
#define SIGMOID_ABOVE 0x1p+0f
#define SIGMOID_BELOW 0x1.07b71p-127f
#define TANH_ABOVE    0x1p+0f

#define V(c) _mm512_set1_ps (c)

/* e^x for x within [−87, 88] (or NaN, which it returns) */
AVX512 static inline __m512
exp_within_clamps (__m512 x)
{
  __m512 n, r, z, p;

  /* n = round(x / ln 2): adding and subtracting 1.5 · 2^23 rounds, as exp_approx does */
  n = _mm512_fmadd_ps (x, V (1.44269504088896341f), V (12582912.0f));
  n = _mm512_sub_ps (n, V (12582912.0f));
  r = _mm512_fnmadd_ps (n, V (0.693359375f), x);
  r = _mm512_fnmadd_ps (n, V (-2.12194440e-4f), r);
  z = _mm512_mul_ps (r, r);
  p = _mm512_fmadd_ps (V (1.9875691500e-4f), r, V (1.3981999507e-3f));
  p = _mm512_fmadd_ps (p, r, V (8.3334519073e-3f));
  p = _mm512_fmadd_ps (p, r, V (4.1665795894e-2f));
  p = _mm512_fmadd_ps (p, r, V (1.6666665459e-1f));
  p = _mm512_fmadd_ps (p, r, V (5.0000001201e-1f));
  p = _mm512_add_ps (_mm512_fmadd_ps (p, z, r), V (1.0f));
  return _mm512_scalef_ps (p, n);
}

AVX512 static inline __m512
sigmoid512 (__m512 x)
{
  __m512 a = _mm512_sub_ps (V (0.0f), x);
  __mmask16 above = _mm512_cmp_ps_mask (a, V (-87.0f), _CMP_LT_OQ);
  __mmask16 below = _mm512_cmp_ps_mask (a, V (88.0f), _CMP_GT_OQ);
  __m512 s = _mm512_div_ps (V (1.0f), _mm512_add_ps (V (1.0f), exp_within_clamps (a)));

  s = _mm512_mask_mov_ps (s, above, V (SIGMOID_ABOVE));
  return _mm512_mask_mov_ps (s, below, V (SIGMOID_BELOW));
}

AVX512 static inline __m512
tanh512 (__m512 x)
{
  const float clamp = 7.90531110763549805f;
  __mmask16 above = _mm512_cmp_ps_mask (x, V (clamp), _CMP_GT_OQ);
  __mmask16 below = _mm512_cmp_ps_mask (x, V (-clamp), _CMP_LT_OQ);
  __mmask16 small = _mm512_cmp_ps_mask (_mm512_abs_ps (x), V (4e-4f), _CMP_LT_OQ);
  __m512 x2 = _mm512_mul_ps (x, x), p, q, t;

  p = _mm512_fmadd_ps (V (-2.76076847742355e-16f), x2, V (2.00018790482477e-13f));
  p = _mm512_fmadd_ps (p, x2, V (-8.60467152213735e-11f));
  p = _mm512_fmadd_ps (p, x2, V (5.12229709037114e-08f));
  p = _mm512_fmadd_ps (p, x2, V (1.48572235717979e-05f));
  p = _mm512_fmadd_ps (p, x2, V (6.37261928875436e-04f));
  p = _mm512_fmadd_ps (p, x2, V (4.89352455891786e-03f));
  p = _mm512_mul_ps (p, x);
  q = _mm512_fmadd_ps (V (1.19825839466702e-06f), x2, V (1.18534705686654e-04f));
  q = _mm512_fmadd_ps (q, x2, V (2.26843463243900e-03f));
  q = _mm512_fmadd_ps (q, x2, V (4.89352518554385e-03f));
  t = _mm512_div_ps (p, q);
  t = _mm512_mask_mov_ps (t, above, V (TANH_ABOVE));
  t = _mm512_mask_mov_ps (t, below, V (-TANH_ABOVE));
  return _mm512_mask_mov_ps (t, small, x);
}

AVX512 void
recur_avx512_lstm_forward (guint        batch,
                           guint        H,
                           float       *g,
                           const float *c_prev,
                           float       *c,
                           float       *h,
                           gsize        ld_h)
{
  for (guint b = 0; b < batch; b++)
    {
      float *gi = g + (gsize) b * 4 * H, *cb = c + (gsize) b * H, *hb = h + b * ld_h;
      const float *cp = c_prev ? c_prev + (gsize) b * H : NULL;

      for (guint j = 0; j < H; j += 16)
        {
          __mmask16 m = H - j >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << (H - j)) - 1);
          __m512 i = sigmoid512 (_mm512_maskz_loadu_ps (m, gi + j));
          __m512 f = sigmoid512 (_mm512_maskz_loadu_ps (m, gi + H + j));
          __m512 gg = tanh512 (_mm512_maskz_loadu_ps (m, gi + 2 * H + j));
          __m512 o = sigmoid512 (_mm512_maskz_loadu_ps (m, gi + 3 * H + j));
          /* c = i ⊙ g + f ⊙ c', fused as GCC fuses lstm_cell_value: i · g into f ⊙ c' */
          __m512 cv = _mm512_mul_ps (i, gg);

          if (cp)
            cv = _mm512_fmadd_ps (i, gg, _mm512_mul_ps (f, _mm512_maskz_loadu_ps (m, cp + j)));

          _mm512_mask_storeu_ps (gi + j, m, i);
          _mm512_mask_storeu_ps (gi + H + j, m, f);
          _mm512_mask_storeu_ps (gi + 2 * H + j, m, gg);
          _mm512_mask_storeu_ps (gi + 3 * H + j, m, o);
          _mm512_mask_storeu_ps (cb + j, m, cv);
          _mm512_mask_storeu_ps (hb + j, m, _mm512_mul_ps (o, tanh512 (cv)));
        }
    }
}

/* GRU's step: r and z = σ(g + hh), n = tanh(g_n + r ⊙ hh_n), h = (1 − z) ⊙ n + z ⊙ h′, fused as
 * GCC fuses gru_forward_row */
AVX512 void
recur_avx512_gru_forward (guint        batch,
                          guint        H,
                          float       *g,
                          const float *hh,
                          const float *h_prev,
                          float       *h,
                          gsize        ld_h)
{
  for (guint b = 0; b < batch; b++)
    {
      float *gr = g + (gsize) b * 3 * H, *gz = gr + H, *gn = gr + 2 * H, *hb = h + b * ld_h;
      const float *hr = hh + (gsize) b * 3 * H, *hz = hr + H, *hn = hr + 2 * H;
      const float *hp = h_prev ? h_prev + b * ld_h : NULL;

      for (guint j = 0; j < H; j += 16)
        {
          __mmask16 m = H - j >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << (H - j)) - 1);
          __m512 r = sigmoid512 (_mm512_add_ps (_mm512_maskz_loadu_ps (m, gr + j),
                                                _mm512_maskz_loadu_ps (m, hr + j)));
          __m512 z = sigmoid512 (_mm512_add_ps (_mm512_maskz_loadu_ps (m, gz + j),
                                                _mm512_maskz_loadu_ps (m, hz + j)));
          __m512 n = tanh512 (_mm512_fmadd_ps (r, _mm512_maskz_loadu_ps (m, hn + j),
                                               _mm512_maskz_loadu_ps (m, gn + j)));
          __m512 keep = _mm512_sub_ps (V (1.0f), z), out;

          if (hp) /* (1 − z) · n fused into z · h′ */
            out = _mm512_fmadd_ps (keep, n, _mm512_mul_ps (z, _mm512_maskz_loadu_ps (m, hp + j)));
          else
            out = _mm512_mul_ps (keep, n);
          _mm512_mask_storeu_ps (gr + j, m, r);
          _mm512_mask_storeu_ps (gz + j, m, z);
          _mm512_mask_storeu_ps (gn + j, m, n);
          _mm512_mask_storeu_ps (hb + j, m, out);
        }
    }
}

/* LSTM's backward step (lstm_backward_row), fused as GCC fuses it: 1 − t² and 1 − g² as
 * −t · t + 1, and dh · o · (1 − t²) into dc */
AVX512 void
recur_avx512_lstm_backward (guint        batch,
                            guint        H,
                            float       *g,
                            const float *c,
                            const float *c_prev,
                            const float *dh,
                            float       *dc)
{
  for (guint b = 0; b < batch; b++)
    {
      float *gi = g + (gsize) b * 4 * H, *gf = gi + H, *gg = gi + 2 * H, *go = gi + 3 * H;
      const float *cb = c + (gsize) b * H, *dhb = dh + (gsize) b * H;
      const float *cp = c_prev ? c_prev + (gsize) b * H : NULL;
      float *dcb = dc + (gsize) b * H;

      for (guint j = 0; j < H; j += 16)
        {
          __mmask16 m = H - j >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << (H - j)) - 1);
          __m512 i = _mm512_maskz_loadu_ps (m, gi + j), f = _mm512_maskz_loadu_ps (m, gf + j);
          __m512 gv = _mm512_maskz_loadu_ps (m, gg + j), o = _mm512_maskz_loadu_ps (m, go + j);
          __m512 d = _mm512_maskz_loadu_ps (m, dhb + j);
          __m512 t = tanh512 (_mm512_maskz_loadu_ps (m, cb + j));
          __m512 cpv = cp ? _mm512_maskz_loadu_ps (m, cp + j) : V (0.0f);
          __m512 dcv = _mm512_fmadd_ps (_mm512_mul_ps (d, o), _mm512_fnmadd_ps (t, t, V (1.0f)),
                                        _mm512_maskz_loadu_ps (m, dcb + j));

          __m512 di = _mm512_mul_ps (_mm512_mul_ps (dcv, gv), i);
          __m512 df = _mm512_mul_ps (_mm512_mul_ps (dcv, cpv), f);
          __m512 dg = _mm512_mul_ps (dcv, i);
          __m512 dout = _mm512_mul_ps (_mm512_mul_ps (d, t), o);

          _mm512_mask_storeu_ps (gi + j, m, _mm512_mul_ps (di, _mm512_sub_ps (V (1.0f), i)));
          _mm512_mask_storeu_ps (gf + j, m, _mm512_mul_ps (df, _mm512_sub_ps (V (1.0f), f)));
          _mm512_mask_storeu_ps (gg + j, m, _mm512_mul_ps (dg, _mm512_fnmadd_ps (gv, gv, V (1.0f))));
          _mm512_mask_storeu_ps (go + j, m, _mm512_mul_ps (dout, _mm512_sub_ps (V (1.0f), o)));
          _mm512_mask_storeu_ps (dcb + j, m, _mm512_mul_ps (dcv, f));
        }
    }
}

/* The RNN's step: h = tanh(g), rows strided */
AVX512 void
recur_avx512_tanh_forward (guint        batch,
                           guint        H,
                           const float *g,
                           gsize        ld_g,
                           float       *h,
                           gsize        ld_h)
{
  for (guint b = 0; b < batch; b++)
    for (guint j = 0; j < H; j += 16)
      {
        __mmask16 m = H - j >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << (H - j)) - 1);

        _mm512_mask_storeu_ps (h + b * ld_h + j, m,
                               tanh512 (_mm512_maskz_loadu_ps (m, g + b * ld_g + j)));
      }
}

#undef V

/* Whether this CPU has AVX-512, chosen once (one atomic, as gemm_kernel in recur-gemm.c) */
gboolean
recur_avx512_usable (void)
{
  static int chosen = -1;
  int k = g_atomic_int_get (&chosen);

  if (k < 0)
    {
      __builtin_cpu_init ();
      k = __builtin_cpu_supports ("avx512f") && g_getenv ("RECUR_PORTABLE_KERNELS") == NULL;
      g_atomic_int_set (&chosen, k);
    }
  return k;
}


#endif
