/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The element-wise halves of the recurrent cells, vectorised: the GEMMs do the products, these
 * do everything between them. Each is compiled for AVX-512, AVX2+FMA and baseline x86-64 and
 * picked at load time (GCC's target_clones), so one binary runs on any x86-64 and uses what the
 * CPU has. σ and tanh are polynomial/rational approximations (exp within 1.4 ulp; tanh within
 * 4.1e-7 relative over all floats; σ within 1.5e-7 relative down to x = −88, below which it
 * stays at σ(−88) ≈ 6e-39; checked against double precision, tests/engine/test-numerics.c)
 * because libm's scalar expf/tanhf took half of a small LSTM's training time. Rows are [B][·]
 * with the gate blocks of one row contiguous, as recur-model.c lays them out. */

/* On CPUs with AVX-512 the LSTM, GRU and RNN steps run versions written out by hand
 * (recur-kernels-avx512.c) with the clones' bits, unless RECUR_PORTABLE_KERNELS is set or the
 * build has no clones (clang, ThreadSanitizer); recur_kernel_has_avx512_gates says whether they
 * do. Each such kernel's _portable twin runs the compiler's clone for this CPU whatever it has,
 * for the tests that compare the two. */
gboolean recur_kernel_has_avx512_gates (void);

/* Scalar versions of the same approximations, for code outside the kernels. */
float recur_kernel_sigmoid1 (float x);
float recur_kernel_tanh1    (float x);

/* out[r][j] = b1[j] + b2[j] + x[r] · w[j] for r < rows, j < n: the input projection of a
 * one-feature series (a GEMM with K = 1, which BLAS does poorly). b1, b2 may be NULL. */
void recur_kernel_project1 (gsize        rows,
                            gsize        n,
                            const float *x,
                            const float *w,
                            const float *b1,
                            const float *b2,
                            float       *out);

/* RNN tanh, one step: h[b][j] = tanh(g[b][j]) for j < H, rows strided by ld_g and ld_h. */
void recur_kernel_tanh_forward (guint        batch,
                                guint        H,
                                const float *g,
                                gsize        ld_g,
                                float       *h,
                                gsize        ld_h);
void recur_kernel_tanh_forward_portable (guint        batch,
                                         guint        H,
                                         const float *g,
                                         gsize        ld_g,
                                         float       *h,
                                         gsize        ld_h);
/* An echo state network's leaky step over n values: h = (1 − α) h' + α tanh(a), or α tanh(a)
 * where h_prev is NULL (the first step) */
void recur_kernel_leaky_tanh    (gsize        n,
                                 float        alpha,
                                 const float *a,
                                 const float *h_prev,
                                 float       *h);
/* dg = dh ⊙ (1 − h²); dh and dg share the row stride ld_d */
void recur_kernel_tanh_backward (guint        batch,
                                 guint        H,
                                 const float *h,
                                 gsize        ld_h,
                                 const float *dh,
                                 float       *dg,
                                 gsize        ld_d);

/* LSTM, one step. g holds the pre-activations [i f g o] and leaves with the activated gates;
 * c_prev is NULL at the first step. */
void recur_kernel_lstm_forward (guint        batch,
                                guint        H,
                                float       *g,
                                const float *c_prev,
                                float       *c,
                                float       *h,
                                gsize        ld_h);
void recur_kernel_lstm_forward_portable (guint        batch,
                                         guint        H,
                                         float       *g,
                                         const float *c_prev,
                                         float       *c,
                                         float       *h,
                                         gsize        ld_h);
/* LSTM's cell state again from a step's activated gates g: c = f ⊙ c' + i ⊙ g, the bits the
 * forward pass gave (c_prev NULL at the first step) */
void recur_kernel_lstm_cell     (guint        batch,
                                 guint        H,
                                 const float *g,
                                 const float *c_prev,
                                 float       *c);
/* From dh and dc (∂/∂c_t, left as ∂/∂c_{t−1}) to the pre-activation gradients, in place: g
 * comes with the step's activated gates and leaves with their gradients (the backward pass
 * needs the gates of no other step, so no buffer of its own). c is the step's cell state,
 * whose tanh is recomputed. */
void recur_kernel_lstm_backward (guint        batch,
                                 guint        H,
                                 float       *g,
                                 const float *c,
                                 const float *c_prev,
                                 const float *dh,
                                 float       *dc);
void recur_kernel_lstm_backward_portable (guint        batch,
                                          guint        H,
                                          float       *g,
                                          const float *c,
                                          const float *c_prev,
                                          const float *dh,
                                          float       *dc);

/* GRU, one step. g holds W_i· x + b_i· [r z n], hh holds W_h· h' + b_h·; g leaves with the
 * activated gates. h_prev (row stride ld_h) is NULL at the first step. */
void recur_kernel_gru_forward (guint        batch,
                               guint        H,
                               float       *g,
                               const float *hh,
                               const float *h_prev,
                               float       *h,
                               gsize        ld_h);
void recur_kernel_gru_forward_portable (guint        batch,
                                        guint        H,
                                        float       *g,
                                        const float *hh,
                                        const float *h_prev,
                                        float       *h,
                                        gsize        ld_h);
/* In place, as LSTM's: g (activated gates) leaves with the input side's gradients, hh with the
 * recurrent side's; dh leaves as its direct path z ⊙ dh. */
void recur_kernel_gru_backward (guint        batch,
                                guint        H,
                                float       *g,
                                float       *hh,
                                const float *h_prev,
                                gsize        ld_h,
                                float       *dh);

/* out[r][j] = b1[j] + b2[j] (either may be NULL: then 0) */
void recur_kernel_fill_bias       (gsize        rows,
                                   gsize        n,
                                   const float *b1,
                                   const float *b2,
                                   float       *out);
/* dh[b] += dy[b] (rows of stride ld_dy; dy may be NULL), then Σ dh² over all batch × H, in
 * double: a step's gradient flow */
double recur_kernel_add_rows_sum_squares (guint        batch,
                                          guint        H,
                                          float       *dh,
                                          const float *dy,
                                          gsize        ld_dy);
/* One Adam (or AdamW) step's scalars, computed by the optimiser */
typedef struct
{
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float step_size;             /* lr / (1 − β1ᵗ) */
  float bias_correction2_sqrt; /* √(1 − β2ᵗ) */
  float eps;
  float decay;                 /* AdamW: 1 − lr · weight decay; else 1 */
  float l2;                    /* Adam: the weight decay, added to the gradient; else 0 */
} RecurAdamStep;

/* Adam over n parameters: m and v updated, then params, as torch.optim.Adam's for-loop does */
void recur_kernel_adam (gsize               n,
                        float              *params,
                        const float        *grads,
                        float              *m,
                        float              *v,
                        const RecurAdamStep *step);
/* acc[j] += Σ_r m[r][j], rows in order */
void recur_kernel_add_column_sums (float       *acc,
                                   const float *m,
                                   gsize        rows,
                                   gsize        n);

G_END_DECLS
