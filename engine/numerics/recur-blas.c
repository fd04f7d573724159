/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <cblas.h>
#include <glib/gi18n-lib.h>
#include <lapacke.h>
#include <math.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "recur-blas.h"
#include "recur-gemm.h"

void
recur_sgemm_openblas (gboolean     trans_a,
                      gboolean     trans_b,
                      int          m,
                      int          n,
                      int          k,
                      float        alpha,
                      const float *a,
                      int          lda,
                      const float *b,
                      int          ldb,
                      float        beta,
                      float       *c,
                      int          ldc)
{
  cblas_sgemm (CblasRowMajor,
               trans_a ? CblasTrans : CblasNoTrans,
               trans_b ? CblasTrans : CblasNoTrans,
               m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void
recur_sgemm (gboolean     trans_a,
             gboolean     trans_b,
             int          m,
             int          n,
             int          k,
             float        alpha,
             const float *a,
             int          lda,
             const float *b,
             int          ldb,
             float        beta,
             float       *c,
             int          ldc)
{
  if (m == 0 || n == 0)
    return;
  /* Recur's own kernel where the CPU has AVX-512, unless OpenBLAS may use several threads on
   * a product big enough to share */
  if (recur_gemm_available ()
      && (openblas_get_num_threads () == 1 || (double) m * n * k < 1 << 23))
    {
      recur_gemm (trans_a, trans_b, (guint) m, (guint) n, (guint) k, alpha, a, (gsize) lda, b,
                  (gsize) ldb, beta, c, (gsize) ldc);
      return;
    }
  recur_sgemm_openblas (trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void
recur_dgemm (gboolean      trans_a,
             gboolean      trans_b,
             int           m,
             int           n,
             int           k,
             double        alpha,
             const double *a,
             int           lda,
             const double *b,
             int           ldb,
             double        beta,
             double       *c,
             int           ldc)
{
  if (m == 0 || n == 0)
    return;
  cblas_dgemm (CblasRowMajor,
               trans_a ? CblasTrans : CblasNoTrans,
               trans_b ? CblasTrans : CblasNoTrans,
               m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

double
recur_spectral_radius (double *a,
                       int     n)
{
  g_autofree double *wr = g_new (double, n);
  g_autofree double *wi = g_new (double, n);
  double radius = 0.0;

  if (LAPACKE_dgeev (LAPACK_ROW_MAJOR, 'N', 'N', n, a, n, wr, wi, NULL, 1, NULL, 1) != 0)
    return NAN;
  for (int i = 0; i < n; i++)
    radius = MAX (radius, hypot (wr[i], wi[i]));
  return radius;
}

gboolean
recur_solve_spd (double *a,
                 int     n,
                 double *b,
                 int     nrhs)
{
  return LAPACKE_dposv (LAPACK_ROW_MAJOR, 'U', n, nrhs, a, n, b, nrhs) == 0;
}

/* OpenBLAS 0.3.21 (Debian 12) maps a buffer of 128 MiB per thread, and when the map fails it
 * tries again for ever (OpenBLAS issue 5289, fixed in 0.3.30): its worker threads, which start
 * when the library loads and are joined at exit, and the calling thread at its first product.
 * Under an address-space limit (ulimit -v) that is a hang, not an error. */
#define OPENBLAS_BUFFER_BYTES ((gsize) 128 << 20)
/* The probe asks for this much more: OpenBLAS maps its buffer plus a page and allocates a little
 * besides, and a probe of the bare 128 MiB that fitted within a MiB of the limit let the product
 * after it crash the process (seen at 215 MiB when a library more was linked). */
#define PROBE_SLACK_BYTES ((gsize) 16 << 20)

gboolean
recur_blas_address_space_limited (void)
{
  struct rlimit limit;

  return getrlimit (RLIMIT_AS, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY;
}

gboolean
recur_blas_reserve (GError **error)
{
  static const float a[128 * 128];
  static float c[128 * 128];
  void *probe = mmap (NULL, OPENBLAS_BUFFER_BYTES + PROBE_SLACK_BYTES, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  if (probe == MAP_FAILED)
    {
      struct rlimit limit;

      getrlimit (RLIMIT_AS, &limit);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                   _("the address-space limit (ulimit -v: %" PRIu64 " MiB) leaves less than the "
                     "%" PRIu64 " MiB OpenBLAS needs for its buffer"),
                   (guint64) limit.rlim_cur >> 20, (guint64) OPENBLAS_BUFFER_BYTES >> 20);
      return FALSE;
    }
  munmap (probe, OPENBLAS_BUFFER_BYTES + PROBE_SLACK_BYTES);
  /* a product OpenBLAS computes itself (too big for a small-matrix kernel) makes it map its
   * buffer now, into the room just seen free */
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, 128, 128, 128, 1.0f, a, 128, a, 128,
               0.0f, c, 128);
  return TRUE;
}

void
recur_blas_configure (guint n_threads)
{
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
  /* more threads would each map a buffer, and hang where one does not fit */
  if (recur_blas_address_space_limited ())
    n_threads = 1;
  openblas_set_num_threads ((int) n_threads);
}

guint
recur_blas_get_threads (void)
{
  return (guint) openblas_get_num_threads ();
}

const char *
recur_blas_get_core_name (void)
{
  return openblas_get_corename ();
}
