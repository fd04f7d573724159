/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <string.h>

#include "recur-gemm.h"

/* A single-threaded SGEMM for CPUs with AVX-512, in the manner of GotoBLAS: op(B) is packed
 * into KC × NR panels, and an MR × NR micro-kernel keeps its block of C in 16 registers while
 * it runs down K, broadcasting op(A) from where it lies (or, when A is transposed with rows far
 * apart, from MR-row panels packed for it: the weight gradients' dGᵀ · H, 20 % faster so). Recur's GEMMs are the recurrent steps' small ones
 * (B × 4H by H) and the sequence-wide ones; OpenBLAS's kernel for them is chosen by
 * OPENBLAS_CORETYPE, which on machines set to Haswell leaves half of an AVX-512 core unused. */

#define MR 8
#define NR 32
#define KC 256
#define MC 128 /* a multiple of MR: A's packed block stays in L2 */
#define NC 1024 /* a multiple of NR */

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX512_GEMM 1
#include <immintrin.h>
#endif

gboolean
recur_gemm_available (void)
{
#ifdef HAVE_AVX512_GEMM
  /* 0: not checked yet, 1: no, 2: yes. Two threads may both check, and find the same. One
   * atomic rather than g_once_init_enter, whose release happens inside libglib where
   * ThreadSanitizer cannot see it (recur-sync.h): the value read would look unsynchronised. */
  static int state = 0;
  int s = g_atomic_int_get (&state);

  if (s == 0)
    {
      __builtin_cpu_init ();
      s = __builtin_cpu_supports ("avx512f") && g_getenv ("RECUR_NO_OWN_GEMM") == NULL ? 2 : 1;
      g_atomic_int_set (&state, s);
    }
  return s == 2;
#else
  return FALSE;
#endif
}

#ifdef HAVE_AVX512_GEMM

/* Per-thread packing buffer, allocated on a thread's first GEMM and freed when it exits. */
typedef struct
{
  float *b; /* KC × NC */
  float *a; /* MC × KC */
} PackBuffers;

static void
pack_buffers_free (gpointer data)
{
  PackBuffers *p = data;

  g_aligned_free (p->b);
  g_aligned_free (p->a);
  g_free (p);
}

static GPrivate pack_key = G_PRIVATE_INIT (pack_buffers_free);

static PackBuffers *
pack_buffers (void)
{
  PackBuffers *p = g_private_get (&pack_key);

  if (p == NULL)
    {
      p = g_new (PackBuffers, 1);
      p->b = g_aligned_alloc ((gsize) KC * NC, sizeof (float), 64);
      p->a = g_aligned_alloc ((gsize) MC * KC, sizeof (float), 64);
      g_private_set (&pack_key, p);
    }
  return p;
}

/* op(B)[k0 … k0+kc)[j0 … j0+nc) into panels of NR columns, each kc rows of NR floats; columns
 * past nc are zero. op(B)[k][j] is b[k·ldb + j], or b[j·ldb + k] when transposed. */
static void
pack_b (const float *b,
        gsize        ldb,
        gboolean     trans,
        guint        k0,
        guint        kc,
        guint        j0,
        guint        nc,
        float       *bp)
{
  for (guint jr = 0; jr < nc; jr += NR)
    {
      guint cols = MIN (NR, nc - jr);
      float *panel = bp + (gsize) jr * kc;

      if (!trans)
        for (guint kk = 0; kk < kc; kk++)
          {
            const float *src = b + (gsize) (k0 + kk) * ldb + j0 + jr;
            float *dst = panel + (gsize) kk * NR;
            memcpy (dst, src, cols * sizeof (float));
            for (guint j = cols; j < NR; j++)
              dst[j] = 0.0f;
          }
      else
        {
          for (guint j = 0; j < cols; j++)
            {
              const float *src = b + (gsize) (j0 + jr + j) * ldb + k0;
              for (guint kk = 0; kk < kc; kk++)
                panel[(gsize) kk * NR + j] = src[kk];
            }
          for (guint kk = 0; kk < kc && cols < NR; kk++)
            for (guint j = cols; j < NR; j++)
              panel[(gsize) kk * NR + j] = 0.0f;
        }
    }
}

/* Aᵀ[i0 … i0+mc)[k0 … k0+kc) (A stored transposed: element (i, k) at a[k·lda + i]) into
 * panels of MR rows, each kc columns of MR floats, row-interleaved: the micro-kernel then reads
 * its MR broadcasts per step from one cache line, where in place they lie a row of A apart,
 * further than the hardware prefetcher follows. Rows past mc are not written: the kernel reads
 * only rows it stores. */
static void
pack_a_transposed (const float *a,
                   gsize        lda,
                   guint        i0,
                   guint        mc,
                   guint        k0,
                   guint        kc,
                   float       *ap)
{
  for (guint ir = 0; ir < mc; ir += MR)
    {
      guint rows = MIN (MR, mc - ir);
      float *panel = ap + (gsize) ir * kc;

      for (guint kk = 0; kk < kc; kk++)
        memcpy (panel + (gsize) kk * MR, a + (gsize) (k0 + kk) * lda + i0 + ir,
                rows * sizeof (float));
    }
}

/* Where op(A)[i][k] is. */
static inline const float *
a_block (const float *a,
         gsize        lda,
         gboolean     trans,
         guint        i,
         guint        k)
{
  return trans ? a + (gsize) k * lda + i : a + (gsize) i * lda + k;
}

static inline __mmask16
column_mask (guint cols)
{
  return cols >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << cols) - 1);
}

/* C[rows × cols] = alpha · A · Bp + beta · C, or + C when accumulate (beta is then unused).
 * A is read in place, element (r, kk) at a[r·rs + kk·cs]: its R broadcasts per step come from
 * R rows (or one contiguous run when transposed), so it needs no packing. Rows past `rows`
 * repeat the last one and are not stored. R is a constant where it is inlined: MR, or 1 for a
 * single row (a batch of one window: an MR-row tile would do MR times its work). Each row's
 * sums are the same FMAs in the same order either way, so the numbers do not depend on R. */
__attribute__ ((target ("avx512f"), always_inline))
static inline void
micro_kernel_rows (guint        R,
                   guint        kc,
                   const float *a,
                   gsize        rs,
                   gsize        cs,
                   const float *restrict bp,
                   float       *c,
                   gsize        ldc,
                   guint        rows,
                   guint        cols,
                   float        alpha,
                   float        beta,
                   gboolean     accumulate)
{
  __m512 acc[MR][2];
  __mmask16 m0 = column_mask (cols), m1 = cols > 16 ? column_mask (cols - 16) : 0;
  __m512 va = _mm512_set1_ps (alpha), vb = _mm512_set1_ps (beta);

  const float *row[MR];

  for (guint r = 0; r < R; r++)
    {
      acc[r][0] = acc[r][1] = _mm512_setzero_ps ();
      row[r] = a + MIN (r, rows - 1) * rs;
    }
  for (gsize kk = 0; kk < kc; kk++)
    {
      __m512 b0 = _mm512_loadu_ps (bp), b1 = _mm512_loadu_ps (bp + 16);
      for (guint r = 0; r < R; r++)
        {
          __m512 av = _mm512_set1_ps (row[r][kk * cs]);
          acc[r][0] = _mm512_fmadd_ps (av, b0, acc[r][0]);
          acc[r][1] = _mm512_fmadd_ps (av, b1, acc[r][1]);
        }
      bp += NR;
    }
  for (guint r = 0; r < rows; r++)
    {
      float *cr = c + r * ldc;
      __m512 v0 = _mm512_mul_ps (va, acc[r][0]), v1 = _mm512_mul_ps (va, acc[r][1]);

      if (accumulate)
        {
          v0 = _mm512_add_ps (v0, _mm512_maskz_loadu_ps (m0, cr));
          v1 = _mm512_add_ps (v1, _mm512_maskz_loadu_ps (m1, cr + 16));
        }
      else if (beta != 0.0f) /* beta = 0 must not read C: it may hold NaN */
        {
          v0 = _mm512_fmadd_ps (vb, _mm512_maskz_loadu_ps (m0, cr), v0);
          v1 = _mm512_fmadd_ps (vb, _mm512_maskz_loadu_ps (m1, cr + 16), v1);
        }
      _mm512_mask_storeu_ps (cr, m0, v0);
      _mm512_mask_storeu_ps (cr + 16, m1, v1);
    }
}

__attribute__ ((target ("avx512f")))
static void
micro_kernel (guint        kc,
              const float *a,
              gsize        rs,
              gsize        cs,
              const float *restrict bp,
              float       *c,
              gsize        ldc,
              guint        rows,
              guint        cols,
              float        alpha,
              float        beta,
              gboolean     accumulate)
{
  if (rows == 1)
    micro_kernel_rows (1, kc, a, rs, cs, bp, c, ldc, rows, cols, alpha, beta, accumulate);
  else
    micro_kernel_rows (MR, kc, a, rs, cs, bp, c, ldc, rows, cols, alpha, beta, accumulate);
}

/* The products with nothing to multiply: m or n = 0 (nothing to do), k = 0 (C = beta · C).
 * Returns TRUE when it has handled the product. */
static gboolean
handled_without_k (guint  m,
                   guint  n,
                   guint  k,
                   float  beta,
                   float *c,
                   gsize  ldc)
{
  if (m > 0 && n > 0 && k > 0)
    return FALSE;
  for (guint i = 0; k == 0 && i < m; i++)
    for (guint j = 0; j < n; j++)
      c[i * ldc + j] = beta == 0.0f ? 0.0f : beta * c[i * ldc + j];
  return TRUE;
}

/* C[m × nc] = alpha · op(A)[·][pc … pc+kc) · bp + beta · C for the first K-slice (pc = 0), + C
 * for the others; bp is that slice of op(B) packed, nc columns in NR-wide panels. */
static void
multiply_slice (gboolean     trans_a,
                guint        m,
                guint        nc,
                guint        pc,
                guint        kc,
                float        alpha,
                const float *a,
                gsize        lda,
                const float *bp,
                float        beta,
                float       *c,
                gsize        ldc,
                float       *ap)
{
  gsize rs = trans_a ? 1 : lda, cs = trans_a ? lda : 1;

  for (guint ic = 0; ic < m; ic += MC)
    {
      guint mc = MIN (MC, m - ic);

      if (ap != NULL)
        pack_a_transposed (a, lda, ic, mc, pc, kc, ap);
      for (guint jr = 0; jr < nc; jr += NR)
        for (guint ir = 0; ir < mc; ir += MR)
          micro_kernel (kc,
                        ap ? ap + (gsize) ir * kc : a_block (a, lda, trans_a, ic + ir, pc),
                        ap ? 1 : rs, ap ? MR : cs,
                        bp + (gsize) jr * kc, c + (gsize) (ic + ir) * ldc + jr, ldc,
                        MIN (MR, mc - ir), MIN (NR, nc - jr), alpha, beta, pc > 0);
    }
}

/* Whether to pack a transposed A: when its panels are read for more than one of B's, and a
 * row of A is too far from the next for the prefetcher. */
static gboolean
packs_a (gboolean trans_a,
         guint    nc,
         gsize    lda)
{
  return trans_a && nc > NR && lda * sizeof (float) > 2048;
}

void
recur_gemm (gboolean     trans_a,
            gboolean     trans_b,
            guint        m,
            guint        n,
            guint        k,
            float        alpha,
            const float *a,
            gsize        lda,
            const float *b,
            gsize        ldb,
            float        beta,
            float       *c,
            gsize        ldc)
{
  PackBuffers *buf;

  g_return_if_fail (recur_gemm_available ());
  if (handled_without_k (m, n, k, beta, c, ldc))
    return;
  buf = pack_buffers ();
  for (guint jc = 0; jc < n; jc += NC)
    {
      guint nc = MIN (NC, n - jc);
      for (guint pc = 0; pc < k; pc += KC)
        {
          guint kc = MIN (KC, k - pc);
          pack_b (b, ldb, trans_b, pc, kc, jc, nc, buf->b);
          multiply_slice (trans_a, m, nc, pc, kc, alpha, a, lda, buf->b, beta, c + jc, ldc,
                          packs_a (trans_a, nc, lda) ? buf->a : NULL);
        }
    }
}

static gsize
padded_columns (guint n)
{
  return ((gsize) n + NR - 1) / NR * NR;
}

gsize
recur_gemm_packed_size (guint k,
                        guint n)
{
  return (gsize) k * padded_columns (n);
}

/* K-slices of KC rows one after another, each its NR-wide panels: the layout pack_b makes. */
void
recur_gemm_pack_b (gboolean     trans_b,
                   guint        k,
                   guint        n,
                   const float *b,
                   gsize        ldb,
                   float       *packed)
{
  for (guint pc = 0; pc < k; pc += KC)
    pack_b (b, ldb, trans_b, pc, MIN (KC, k - pc), 0, n, packed + (gsize) pc * padded_columns (n));
}

void
recur_gemm_packed (gboolean     trans_a,
                   guint        m,
                   guint        n,
                   guint        k,
                   float        alpha,
                   const float *a,
                   gsize        lda,
                   const float *packed_b,
                   float        beta,
                   float       *c,
                   gsize        ldc)
{
  g_return_if_fail (recur_gemm_available ());
  if (handled_without_k (m, n, k, beta, c, ldc))
    return;
  for (guint pc = 0; pc < k; pc += KC)
    multiply_slice (trans_a, m, n, pc, MIN (KC, k - pc), alpha, a, lda,
                    packed_b + (gsize) pc * padded_columns (n), beta, c, ldc,
                    packs_a (trans_a, n, lda) ? pack_buffers ()->a : NULL);
}

#else

gsize
recur_gemm_packed_size (guint k,
                        guint n)
{
  g_return_val_if_reached (0);
}

void
recur_gemm_pack_b (gboolean     trans_b,
                   guint        k,
                   guint        n,
                   const float *b,
                   gsize        ldb,
                   float       *packed)
{
  g_return_if_reached ();
}

void
recur_gemm_packed (gboolean     trans_a,
                   guint        m,
                   guint        n,
                   guint        k,
                   float        alpha,
                   const float *a,
                   gsize        lda,
                   const float *packed_b,
                   float        beta,
                   float       *c,
                   gsize        ldc)
{
  g_return_if_reached ();
}

void
recur_gemm (gboolean     trans_a,
            gboolean     trans_b,
            guint        m,
            guint        n,
            guint        k,
            float        alpha,
            const float *a,
            gsize        lda,
            const float *b,
            gsize        ldb,
            float        beta,
            float       *c,
            gsize        ldc)
{
  g_return_if_reached ();
}

#endif
