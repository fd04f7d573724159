/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <math.h>

#include "recur-gemm.h"
#include "recur-rng.h"

/* C = alpha · op(A) · op(B) + beta · C in double, the reference. */
static void
reference_gemm (gboolean trans_a, gboolean trans_b, guint m, guint n, guint k, float alpha,
                const float *a, gsize lda, const float *b, gsize ldb, float beta, double *c,
                gsize ldc)
{
  for (guint i = 0; i < m; i++)
    for (guint j = 0; j < n; j++)
      {
        double sum = 0.0;
        for (guint p = 0; p < k; p++)
          sum += (double) (trans_a ? a[p * lda + i] : a[i * lda + p])
                 * (trans_b ? b[j * ldb + p] : b[p * ldb + j]);
        c[i * ldc + j] = alpha * sum + (beta == 0.0f ? 0.0 : beta * c[i * ldc + j]);
      }
}

static void
fill (float *x, gsize n, RecurRng *rng)
{
  for (gsize i = 0; i < n; i++)
    x[i] = (float) (2.0 * recur_rng_double (rng) - 1.0);
}

/* TRUE, the test skipped, where the CPU has no kernel of Recur's GEMM. */
static gboolean
skips_without_own_gemm (void)
{
  if (recur_gemm_available ())
    return FALSE;
  g_test_skip ("this CPU has neither AVX-512 nor AVX2 with FMA: Recur uses OpenBLAS only");
  return TRUE;
}

/* Every transpose, directly and with B packed beforehand, with leading dimensions wider than the matrices, against the double
 * reference: shapes on and off the 8 × 32 register block, K over several 256-deep panels,
 * N over the 1024-wide block, and the recurrent steps' shapes. */
static void
test_matches_reference (void)
{
  const guint shapes[][3] = {
    { 1, 1, 1 }, { 7, 31, 5 }, { 8, 32, 256 }, { 9, 33, 257 }, { 32, 128, 32 },
    { 64, 512, 128 }, { 64, 128, 512 }, { 130, 1030, 300 }, { 17, 5, 600 }, { 3, 2049, 2 },
    { 601, 70, 300 }, /* A transposed with rows over 2 KiB apart: packed */
  };
  const float alphas[] = { 1.0f, -0.5f }, betas[] = { 0.0f, 1.0f, 0.25f };
  RecurRng rng;

  if (skips_without_own_gemm ())
    return;
  /* RECUR_GEMM=avx2 (the gemm-avx2 test) runs the AVX2 kernel here */
  if (g_strcmp0 (g_getenv ("RECUR_GEMM"), "avx2") == 0)
    g_assert_cmpstr (recur_gemm_kernel_name (), ==, "AVX2");
  recur_rng_init (&rng, 3);
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    for (guint t = 0; t < 4; t++)
      for (guint ab = 0; ab < G_N_ELEMENTS (alphas) * G_N_ELEMENTS (betas); ab++)
        {
          guint m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
          gboolean ta = t & 1, tb = t >> 1;
          float alpha = alphas[ab % 2], beta = betas[ab / 2];
          gsize lda = (ta ? m : k) + 3, ldb = (tb ? k : n) + 1, ldc = n + 5;
          g_autofree float *a = g_new (float, (ta ? k : m) * lda);
          g_autofree float *b = g_new (float, (tb ? n : k) * ldb);
          g_autofree float *c = g_new (float, m * ldc);
          g_autofree double *want = g_new (double, m * ldc);

          fill (a, (ta ? k : m) * lda, &rng);
          fill (b, (tb ? n : k) * ldb, &rng);
          fill (c, m * ldc, &rng);
          for (gsize i = 0; i < m * ldc; i++)
            want[i] = c[i];
          if (beta == 0.0f)
            for (guint i = 0; i < m; i++)
              c[i * ldc] = NAN; /* beta = 0 must not read C */
          reference_gemm (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, want, ldc);
          if (ab % 2 == 0)
            recur_gemm (ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
          else
            {
              g_autofree float *packed = g_new (float, recur_gemm_packed_size (k, n));
              recur_gemm_pack_b (tb, k, n, b, ldb, packed);
              recur_gemm_packed (ta, m, n, k, alpha, a, lda, packed, beta, c, ldc);
            }
          for (guint i = 0; i < m; i++)
            {
              for (guint j = 0; j < n; j++)
                if (fabs (c[i * ldc + j] - want[i * ldc + j]) > 1e-5 * sqrt (k) + 1e-6)
                  g_error ("%ux%ux%u ta=%d tb=%d alpha=%g beta=%g: C[%u][%u] = %.8g, want %.8g",
                           m, n, k, ta, tb, alpha, beta, i, j, c[i * ldc + j], want[i * ldc + j]);
              for (gsize j = n; j < ldc; j++) /* past n: untouched */
                g_assert_cmpfloat (c[i * ldc + j], ==, (float) want[i * ldc + j]);
            }
        }
}

/* op(A) read transposed (packed into panels first when its rows lie far apart, as the weight
 * gradients' dGᵀ · H) or in place: the same sums in the same order, so the same bits. */
static void
test_transposed_a_keeps_the_bits (void)
{
  const guint shapes[][3] = { { 601, 70, 300 }, { 2048, 512, 520 }, { 520, 33, 17 }, { 9, 40, 8 } };
  RecurRng rng;

  if (skips_without_own_gemm ())
    return;
  recur_rng_init (&rng, 5);
  for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
    {
      guint m = shapes[s][0], n = shapes[s][1], k = shapes[s][2];
      g_autofree float *a = g_new (float, (gsize) m * k);
      g_autofree float *at = g_new (float, (gsize) k * m);
      g_autofree float *b = g_new (float, (gsize) k * n);
      g_autofree float *c = g_new0 (float, (gsize) m * n);
      g_autofree float *ct = g_new0 (float, (gsize) m * n);

      fill (a, (gsize) m * k, &rng);
      fill (b, (gsize) k * n, &rng);
      for (guint i = 0; i < m; i++)
        for (guint p = 0; p < k; p++)
          at[(gsize) p * m + i] = a[(gsize) i * k + p];
      recur_gemm (FALSE, FALSE, m, n, k, 1.0f, a, k, b, n, 0.0f, c, n);
      recur_gemm (TRUE, FALSE, m, n, k, 1.0f, at, m, b, n, 0.0f, ct, n);
      g_assert_cmpmem (c, (gsize) m * n * sizeof (float), ct, (gsize) m * n * sizeof (float));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/engine/gemm/matches-reference", test_matches_reference);
  g_test_add_func ("/engine/gemm/transposed-a-keeps-the-bits", test_transposed_a_keeps_the_bits);
  return g_test_run ();
}
