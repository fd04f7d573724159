/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Recur's own single-threaded SGEMM, for x86-64 CPUs with AVX-512 or AVX2 + FMA
 * (recur_gemm_available), the same bits with either. Row-major, as recur_sgemm:
 * C = alpha · op(A) · op(B) + beta · C; beta = 0 never reads C. RECUR_NO_OWN_GEMM in the
 * environment turns it off, for comparisons; RECUR_GEMM=avx2 takes the AVX2 kernel where
 * AVX-512 is there too. */
gboolean    recur_gemm_available   (void);
/* "AVX-512", "AVX2", or NULL when not available */
const char *recur_gemm_kernel_name (void);
void     recur_gemm           (gboolean     trans_a,
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
                               gsize        ldc);

/* The same with op(B) packed beforehand, for a B used by many products: a recurrent layer's
 * W_hh, the same at every step of a window. The packed copy holds recur_gemm_packed_size
 * floats (k × n rounded up to whole panels). */
gsize    recur_gemm_packed_size (guint       k,
                                 guint       n);
void     recur_gemm_pack_b      (gboolean     trans_b,
                                 guint        k,
                                 guint        n,
                                 const float *b,
                                 gsize        ldb,
                                 float       *packed);
void     recur_gemm_packed      (gboolean     trans_a,
                                 guint        m,
                                 guint        n,
                                 guint        k,
                                 float        alpha,
                                 const float *a,
                                 gsize        lda,
                                 const float *packed_b,
                                 float        beta,
                                 float       *c,
                                 gsize        ldc);

G_END_DECLS
