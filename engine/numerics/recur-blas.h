/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Row-major single-precision GEMM: C = alpha · op(A) · op(B) + beta · C, where op(A) is
 * m×k and op(B) is k×n. The one place in Recur that calls BLAS: Recur's own kernel
 * (recur-gemm.h) where the CPU has AVX-512, OpenBLAS otherwise and for products big enough to
 * share among several OpenBLAS threads. */
void recur_sgemm (gboolean     trans_a,
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
                  int          ldc);

/* OpenBLAS's sgemm whatever the CPU: the benchmarks' reference. */
void recur_sgemm_openblas (gboolean     trans_a,
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
                           int          ldc);

/* The same in double precision, for the ESN's normal equations. */
void recur_dgemm (gboolean      trans_a,
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
                  int           ldc);

/* LAPACK through LAPACKE, also only here. The largest |λ| of the n×n row-major matrix a
 * (dgeev, all eigenvalues); a is overwritten. NAN if LAPACK fails. */
double   recur_spectral_radius (double *a,
                                int     n);
/* Solves a x = b for symmetric positive definite a (n×n, row-major, its upper triangle read
 * and overwritten by its Cholesky factor) and b (n×nrhs, row-major, replaced by x): dposv.
 * FALSE if a is not positive definite. */
gboolean recur_solve_spd       (double *a,
                                int     n,
                                double *b,
                                int     nrhs);

/* TRUE when the process has an address-space limit (ulimit -v). OpenBLAS 0.3.21 waits for ever
 * for a buffer it cannot map (OpenBLAS issue 5289): under a limit, Recur runs it on one thread,
 * started without its worker threads (OPENBLAS_NUM_THREADS=1, main.c), and has it map that
 * thread's buffer at start-up with recur_blas_reserve, which fails (G_FILE_ERROR_NOMEM, the
 * limit in the message) when the buffer does not fit. */
gboolean recur_blas_address_space_limited (void);
gboolean recur_blas_reserve               (GError **error);

/* OpenBLAS's thread count is process-wide: set it once at start-up. 0 means one thread per
 * core (one under an address-space limit). Runs × BLAS threads must not exceed the cores: the
 * GUI gives each run 1 thread. */
void recur_blas_configure  (guint n_threads);
guint recur_blas_get_threads (void);
const char *recur_blas_get_core_name (void);

G_END_DECLS
