/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Private to numerics/: the cells' steps written out for AVX-512 (recur-kernels-avx512.c), which
 * the kernels of recur-kernels.h run in place of their clones on CPUs that have it. Each gives
 * the bits of the FMA clones, so where they run changes no number. They exist where the clones
 * do: GCC on x86-64, not under ThreadSanitizer (recur-kernels.c says why). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_THREAD__)
#define RECUR_KERNEL_CLONES 1

/* TRUE when this CPU has AVX-512 and RECUR_PORTABLE_KERNELS is not set; chosen once */
gboolean recur_avx512_usable        (void);

/* The steps of recur_kernel_lstm_forward, _gru_forward, _lstm_backward and _tanh_forward, with
 * their arguments. Not the reservoir's leaky step: GCC's clone of it fuses (1 − α) · h′ into
 * α · tanh(a) in its vector loops but α · tanh(a) into (1 − α) · h′ in its scalar remainder,
 * so its bits depend on where a value lies in the array, which one kernel for every lane would
 * not give. */
void     recur_avx512_lstm_forward  (guint        batch,
                                     guint        H,
                                     float       *g,
                                     const float *c_prev,
                                     float       *c,
                                     float       *h,
                                     gsize        ld_h);
void     recur_avx512_gru_forward   (guint        batch,
                                     guint        H,
                                     float       *g,
                                     const float *hh,
                                     const float *h_prev,
                                     float       *h,
                                     gsize        ld_h);
void     recur_avx512_lstm_backward (guint        batch,
                                     guint        H,
                                     float       *g,
                                     const float *c,
                                     const float *c_prev,
                                     const float *dh,
                                     float       *dc);
void     recur_avx512_tanh_forward  (guint        batch,
                                     guint        H,
                                     const float *g,
                                     gsize        ld_g,
                                     float       *h,
                                     gsize        ld_h);
#endif

G_END_DECLS
