/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <string.h>

#include "recur-gemm.h"

/* A single-threaded SGEMM for x86-64 CPUs with AVX-512 or AVX2 + FMA, in the manner of
 * GotoBLAS: op(B) is packed into KC × NR panels, and an MR × NR micro-kernel keeps its block of
 * C in registers while it runs down K, broadcasting op(A) from where it lies (or, when A is
 * transposed with rows far apart, from MR-row panels packed for it: the weight gradients'
 * dGᵀ · H, 20 % faster so). Recur's GEMMs are the recurrent steps' small ones (B × 4H by H) and
 * the sequence-wide ones; OpenBLAS's kernel for them is chosen by OPENBLAS_CORETYPE, which on
 * machines set to Haswell leaves half of an AVX-512 core unused, and on some VMs reads the CPU
 * as a Prescott (SSE3: a fifth of an AVX2 core).
 *
 * Two register blocks, one per ISA: 8 × 32 with AVX-512 (16 accumulators of 32 registers),
 * 6 × 16 with AVX2 (12 of 16). Every element of C is the same FMAs in the same order whichever
 * runs (from zero down K within each KC-deep slice, then alpha · sum + C), so the two give the
 * same bits: on one CPU, a model trains to the same numbers with either (RECUR_GEMM=avx2). */

#define KC 256
#define NC 1024   /* a multiple of both NRs */
#define MC_MAX 128

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_OWN_GEMM 1
#include <immintrin.h>
#endif

#ifdef HAVE_OWN_GEMM

/* C[rows × cols] = alpha · A · Bp + beta · C, or + C when accumulate (beta is then unused).
 * A is read in place, element (r, kk) at a[r·rs + kk·cs]: its broadcasts per step come from
 * its rows (or one contiguous run when transposed or packed). Rows past `rows` repeat the last
 * one and are not stored. */
typedef void (*MicroKernel) (guint        kc,
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
                             gboolean     accumulate);

typedef struct
{
  const char *name;
  guint       mr, nr, mc; /* mc: A's block, a multiple of mr that stays in L2 */
  MicroKernel kernel;
} GemmKernel;

/* ---- AVX-512: 8 × 32 ------------------------------------------------------------------- */

#define MR512 8
#define NR512 32

static inline __mmask16
column_mask (guint cols)
{
  return cols >= 16 ? (__mmask16) 0xffff : (__mmask16) ((1u << cols) - 1);
}

/* R is a constant where it is inlined: MR, or 1 for a single row (a batch of one window: an
 * MR-row tile would do MR times its work). Each row's sums are the same FMAs in the same order
 * either way, so the numbers do not depend on R. */
__attribute__ ((target ("avx512f"), always_inline))
static inline void
avx512_rows (guint        R,
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
  __m512 acc[MR512][2];
  __mmask16 m0 = column_mask (cols), m1 = cols > 16 ? column_mask (cols - 16) : 0;
  __m512 va = _mm512_set1_ps (alpha), vb = _mm512_set1_ps (beta);
  const float *row[MR512];

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
      bp += NR512;
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
avx512_kernel (guint        kc,
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
    avx512_rows (1, kc, a, rs, cs, bp, c, ldc, rows, cols, alpha, beta, accumulate);
  else
    avx512_rows (MR512, kc, a, rs, cs, bp, c, ldc, rows, cols, alpha, beta, accumulate);
}

/* ---- AVX2 + FMA: 6 × 16 ----------------------------------------------------------------- */

#define MR256 6
#define NR256 16

/* lanes [0, cols) of 8 set, for maskload/maskstore */
__attribute__ ((target ("avx2")))
static inline __m256i
lane_mask (guint cols)
{
  const __m256i lanes = _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7);

  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 ((int) MIN (cols, 8)), lanes);
}

/* C's row cr (cols of 16) = alpha · (s0, s1) + C, + beta · C, or alone, as avx512_rows. The
 * masks are made here, not kept across the loop, where they would take two of its registers. */
__attribute__ ((target ("avx2,fma"), always_inline))
static inline void
avx2_store_row (float   *cr,
                __m256   s0,
                __m256   s1,
                guint    cols,
                float    alpha,
                float    beta,
                gboolean accumulate)
{
  __m256i m0 = lane_mask (cols), m1 = lane_mask (cols > 8 ? cols - 8 : 0);
  __m256 va = _mm256_set1_ps (alpha);
  __m256 v0 = _mm256_mul_ps (va, s0), v1 = _mm256_mul_ps (va, s1);

  if (accumulate)
    {
      v0 = _mm256_add_ps (v0, _mm256_maskload_ps (cr, m0));
      v1 = _mm256_add_ps (v1, _mm256_maskload_ps (cr + 8, m1));
    }
  else if (beta != 0.0f) /* beta = 0 must not read C: it may hold NaN */
    {
      __m256 vb = _mm256_set1_ps (beta);

      v0 = _mm256_fmadd_ps (vb, _mm256_maskload_ps (cr, m0), v0);
      v1 = _mm256_fmadd_ps (vb, _mm256_maskload_ps (cr + 8, m1), v1);
    }
  _mm256_maskstore_ps (cr, m0, v0);
  _mm256_maskstore_ps (cr + 8, m1, v1);
}

/* One row of broadcasts: its two sums take av · (b0, b1) */
#define AVX2_ROW(p, s0, s1)                                                                     \
  do                                                                                            \
    {                                                                                           \
      __m256 av = _mm256_broadcast_ss ((p) + kk * cs);                                          \
      s0 = _mm256_fmadd_ps (av, b0, s0);                                                        \
      s1 = _mm256_fmadd_ps (av, b1, s1);                                                        \
    }                                                                                           \
  while (0)

/* The 6 × 16 block with its twelve sums in named variables: in an array, indexed by rows in
 * the store, GCC kept them in memory too and stored each at every step (AVX2 has 16 registers,
 * so nothing was left for it to spare), at half the speed. */
__attribute__ ((target ("avx2,fma")))
static void
avx2_kernel (guint        kc,
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
  const float *a0 = a, *a1 = a + MIN (1, rows - 1) * rs, *a2 = a + MIN (2, rows - 1) * rs;
  const float *a3 = a + MIN (3, rows - 1) * rs, *a4 = a + MIN (4, rows - 1) * rs;
  const float *a5 = a + MIN (5, rows - 1) * rs;
  __m256 s00 = _mm256_setzero_ps (), s01 = s00, s10 = s00, s11 = s00, s20 = s00, s21 = s00;
  __m256 s30 = s00, s31 = s00, s40 = s00, s41 = s00, s50 = s00, s51 = s00;

  if (rows == 1) /* a batch of one window: one row's work, not six */
    {
      for (gsize kk = 0; kk < kc; kk++, bp += NR256)
        {
          __m256 b0 = _mm256_loadu_ps (bp), b1 = _mm256_loadu_ps (bp + 8);
          AVX2_ROW (a0, s00, s01);
        }
      avx2_store_row (c, s00, s01, cols, alpha, beta, accumulate);
      return;
    }
  for (gsize kk = 0; kk < kc; kk++, bp += NR256)
    {
      __m256 b0 = _mm256_loadu_ps (bp), b1 = _mm256_loadu_ps (bp + 8);
      AVX2_ROW (a0, s00, s01);
      AVX2_ROW (a1, s10, s11);
      AVX2_ROW (a2, s20, s21);
      AVX2_ROW (a3, s30, s31);
      AVX2_ROW (a4, s40, s41);
      AVX2_ROW (a5, s50, s51);
    }
  avx2_store_row (c, s00, s01, cols, alpha, beta, accumulate);
  avx2_store_row (c + ldc, s10, s11, cols, alpha, beta, accumulate);
  if (rows > 2)
    avx2_store_row (c + 2 * ldc, s20, s21, cols, alpha, beta, accumulate);
  if (rows > 3)
    avx2_store_row (c + 3 * ldc, s30, s31, cols, alpha, beta, accumulate);
  if (rows > 4)
    avx2_store_row (c + 4 * ldc, s40, s41, cols, alpha, beta, accumulate);
  if (rows > 5)
    avx2_store_row (c + 5 * ldc, s50, s51, cols, alpha, beta, accumulate);
}

#undef AVX2_ROW

static const GemmKernel kernels[] = {
  { "AVX-512", MR512, NR512, 128, avx512_kernel },
  { "AVX2", MR256, NR256, 120, avx2_kernel },
};

/* The kernel this CPU runs, chosen once: AVX-512 where the CPU has it, else AVX2 + FMA, else
 * none (OpenBLAS does every product). RECUR_GEMM=avx2 takes the AVX2 kernel on an AVX-512 CPU
 * (tests and comparisons); RECUR_NO_OWN_GEMM turns both off. */
static const GemmKernel *
gemm_kernel (void)
{
  /* -1: not chosen yet, else an index into kernels or G_N_ELEMENTS (kernels) for none. Two
   * threads may both choose, and find the same. One atomic rather than g_once_init_enter,
   * whose release happens inside libglib where ThreadSanitizer cannot see it (recur-sync.h):
   * the value read would look unsynchronised. */
  static int chosen = -1;
  int k = g_atomic_int_get (&chosen);

  if (k < 0)
    {
      const char *want = g_getenv ("RECUR_GEMM");
      gboolean own = g_getenv ("RECUR_NO_OWN_GEMM") == NULL;

      __builtin_cpu_init ();
      if (own && __builtin_cpu_supports ("avx512f") && g_strcmp0 (want, "avx2") != 0)
        k = 0;
      else if (own && __builtin_cpu_supports ("avx2") && __builtin_cpu_supports ("fma"))
        k = 1;
      else
        k = G_N_ELEMENTS (kernels);
      g_atomic_int_set (&chosen, k);
    }
  return k < (int) G_N_ELEMENTS (kernels) ? &kernels[k] : NULL;
}

gboolean
recur_gemm_available (void)
{
  return gemm_kernel () != NULL;
}

const char *
recur_gemm_kernel_name (void)
{
  const GemmKernel *kernel = gemm_kernel ();

  return kernel ? kernel->name : NULL;
}

/* Per-thread packing buffers, allocated on a thread's first GEMM and freed when it exits. */
typedef struct
{
  float *b; /* KC × NC */
  float *a; /* MC_MAX × KC */
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
      p->a = g_aligned_alloc ((gsize) MC_MAX * KC, sizeof (float), 64);
      g_private_set (&pack_key, p);
    }
  return p;
}

/* n floats from src to dst: the packing copies a panel's row at a time, 8, 16 or 32 floats, which
 * a memcpy call of variable size copied at four times the cost of the inlined fixed-size ones
 * (3 % of a large LSTM's training went to libc's memmove) */
static inline void
copy_floats (float       *dst,
             const float *src,
             guint        n)
{
  if (n == 32)
    memcpy (dst, src, 32 * sizeof (float));
  else if (n == 16)
    memcpy (dst, src, 16 * sizeof (float));
  else if (n == 8)
    memcpy (dst, src, 8 * sizeof (float));
  else
    memcpy (dst, src, n * sizeof (float));
}

/* op(B)[k0 … k0+kc)[j0 … j0+nc) into panels of nr columns, each kc rows of nr floats; columns
 * past nc are zero. op(B)[k][j] is b[k·ldb + j], or b[j·ldb + k] when transposed. */
static void
pack_b (guint        nr,
        const float *b,
        gsize        ldb,
        gboolean     trans,
        guint        k0,
        guint        kc,
        guint        j0,
        guint        nc,
        float       *bp)
{
  for (guint jr = 0; jr < nc; jr += nr)
    {
      guint cols = MIN (nr, nc - jr);
      float *panel = bp + (gsize) jr * kc;

      if (!trans)
        for (guint kk = 0; kk < kc; kk++)
          {
            const float *src = b + (gsize) (k0 + kk) * ldb + j0 + jr;
            float *dst = panel + (gsize) kk * nr;
            copy_floats (dst, src, cols);
            for (guint j = cols; j < nr; j++)
              dst[j] = 0.0f;
          }
      else
        {
          for (guint j = 0; j < cols; j++)
            {
              const float *src = b + (gsize) (j0 + jr + j) * ldb + k0;
              for (guint kk = 0; kk < kc; kk++)
                panel[(gsize) kk * nr + j] = src[kk];
            }
          for (guint kk = 0; kk < kc && cols < nr; kk++)
            for (guint j = cols; j < nr; j++)
              panel[(gsize) kk * nr + j] = 0.0f;
        }
    }
}

/* Aᵀ[i0 … i0+mc)[k0 … k0+kc) (A stored transposed: element (i, k) at a[k·lda + i]) into
 * panels of mr rows, each kc columns of mr floats, row-interleaved: the micro-kernel then reads
 * its mr broadcasts per step from one cache line, where in place they lie a row of A apart,
 * further than the hardware prefetcher follows. Rows past mc are not written: the kernel reads
 * only rows it stores. */
static void
pack_a_transposed (guint        mr,
                   const float *a,
                   gsize        lda,
                   guint        i0,
                   guint        mc,
                   guint        k0,
                   guint        kc,
                   float       *ap)
{
  for (guint ir = 0; ir < mc; ir += mr)
    {
      guint rows = MIN (mr, mc - ir);
      float *panel = ap + (gsize) ir * kc;

      for (guint kk = 0; kk < kc; kk++)
        copy_floats (panel + (gsize) kk * mr, a + (gsize) (k0 + kk) * lda + i0 + ir, rows);
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
 * for the others; bp is that slice of op(B) packed, nc columns in nr-wide panels. With ap, the
 * transposed A is packed there block by block first. */
static void
multiply_slice (const GemmKernel *g,
                gboolean          trans_a,
                guint             m,
                guint             nc,
                guint             pc,
                guint             kc,
                float             alpha,
                const float      *a,
                gsize             lda,
                const float      *bp,
                float             beta,
                float            *c,
                gsize             ldc,
                float            *ap)
{
  gsize rs = trans_a ? 1 : lda, cs = trans_a ? lda : 1;

  for (guint ic = 0; ic < m; ic += g->mc)
    {
      guint mc = MIN (g->mc, m - ic);

      if (ap != NULL)
        pack_a_transposed (g->mr, a, lda, ic, mc, pc, kc, ap);
      for (guint jr = 0; jr < nc; jr += g->nr)
        for (guint ir = 0; ir < mc; ir += g->mr)
          g->kernel (kc, ap ? ap + (gsize) ir * kc : a_block (a, lda, trans_a, ic + ir, pc),
                     ap ? 1 : rs, ap ? g->mr : cs,
                     bp + (gsize) jr * kc, c + (gsize) (ic + ir) * ldc + jr, ldc,
                     MIN (g->mr, mc - ir), MIN (g->nr, nc - jr), alpha, beta, pc > 0);
    }
}

/* Whether to pack a transposed A: when its panels are read for more than one of B's, and a
 * row of A is too far from the next for the prefetcher. */
static gboolean
packs_a (const GemmKernel *g,
         gboolean          trans_a,
         guint             nc,
         gsize             lda)
{
  return trans_a && nc > g->nr && lda * sizeof (float) > 2048;
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
  const GemmKernel *g = gemm_kernel ();
  PackBuffers *buf;

  g_return_if_fail (g != NULL);
  if (handled_without_k (m, n, k, beta, c, ldc))
    return;
  buf = pack_buffers ();
  for (guint jc = 0; jc < n; jc += NC)
    {
      guint nc = MIN (NC, n - jc);
      for (guint pc = 0; pc < k; pc += KC)
        {
          guint kc = MIN (KC, k - pc);
          pack_b (g->nr, b, ldb, trans_b, pc, kc, jc, nc, buf->b);
          multiply_slice (g, trans_a, m, nc, pc, kc, alpha, a, lda, buf->b, beta, c + jc, ldc,
                          packs_a (g, trans_a, nc, lda) ? buf->a : NULL);
        }
    }
}

static gsize
padded_columns (const GemmKernel *g,
                guint             n)
{
  return ((gsize) n + g->nr - 1) / g->nr * g->nr;
}

gsize
recur_gemm_packed_size (guint k,
                        guint n)
{
  const GemmKernel *g = gemm_kernel ();

  g_return_val_if_fail (g != NULL, 0);
  return (gsize) k * padded_columns (g, n);
}

/* K-slices of KC rows one after another, each its nr-wide panels: the layout pack_b makes. */
void
recur_gemm_pack_b (gboolean     trans_b,
                   guint        k,
                   guint        n,
                   const float *b,
                   gsize        ldb,
                   float       *packed)
{
  const GemmKernel *g = gemm_kernel ();

  g_return_if_fail (g != NULL);
  for (guint pc = 0; pc < k; pc += KC)
    pack_b (g->nr, b, ldb, trans_b, pc, MIN (KC, k - pc), 0, n,
            packed + (gsize) pc * padded_columns (g, n));
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
  const GemmKernel *g = gemm_kernel ();

  g_return_if_fail (g != NULL);
  if (handled_without_k (m, n, k, beta, c, ldc))
    return;
  for (guint pc = 0; pc < k; pc += KC)
    multiply_slice (g, trans_a, m, n, pc, MIN (KC, k - pc), alpha, a, lda,
                    packed_b + (gsize) pc * padded_columns (g, n), beta, c, ldc,
                    packs_a (g, trans_a, n, lda) ? pack_buffers ()->a : NULL);
}

#else

gboolean
recur_gemm_available (void)
{
  return FALSE;
}

const char *
recur_gemm_kernel_name (void)
{
  return NULL;
}

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
