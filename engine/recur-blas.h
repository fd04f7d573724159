/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Row-major single-precision GEMM: C = alpha · op(A) · op(B) + beta · C, where op(A) is
 * m×k and op(B) is k×n. The one place in Recur that calls BLAS. */
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

/* OpenBLAS's thread count is process-wide: set it once at start-up. 0 means one thread per
 * core. Runs × BLAS threads must not exceed the cores: the GUI gives each run 1 thread. */
void recur_blas_configure  (guint n_threads);
guint recur_blas_get_threads (void);
const char *recur_blas_get_core_name (void);

G_END_DECLS
