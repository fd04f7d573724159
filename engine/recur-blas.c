/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <cblas.h>
#include <lapacke.h>
#include <math.h>

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

void
recur_blas_configure (guint n_threads)
{
  if (n_threads == 0)
    n_threads = g_get_num_processors ();
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
