/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The season of a series from its values alone (when its dates give none), in double precision.
 * Every function here reads only the `n` values it is given: the caller passes the pre-test part
 * (gaps already filled), so nothing here can see the test part. Values must be finite (a
 * non-finite value is a programming error: g_return_val_if_fail). Nothing is allocated; the cost
 * is O(n · lags). */

/* qnorm (0.95): the one-sided 5 % point of the standard normal, as forecast::thetaf uses. */
#define RECUR_SEASON_Z95 1.6448536269514722

/* The sample autocorrelation as R's acf () computes it: mean removed, denominator the sum of
 * squares over all n points at every lag: r_k = Σ_{t<n−k} (x_t − x̄)(x_{t+k} − x̄) / Σ_t (x_t − x̄)².
 * Writes r_0 … r_max_lag into acf (max_lag + 1 entries; max_lag < n). A series without variation
 * (standard deviation ≤ 64 ε · max |x|, which takes in a constant series and one whose spread is
 * rounding) has none: returns FALSE with acf all 0. */
gboolean recur_acf           (const double *values,
                              guint         n,
                              guint         max_lag,
                              double       *acf);

/* forecast::thetaf's seasonality test at lag m: seasonal when
 *   |r_m| > 1.645 · √((1 + 2 Σ_{k=1}^{m−1} r_k²) / n),  r = recur_acf (values),
 * and, as thetaf, never for m ≤ 1, n ≤ 2m or a series without variation (see recur_acf). It is
 * applied to the values as given: like R, it can call a long pure trend seasonal (its ACF stays
 * high at every lag); difference first to test the season of a trending series. */
gboolean recur_season_test   (const double *values,
                              guint         n,
                              guint         m);

/* A period from the ACF r of the first differences d_t = x_{t+1} − x_t (N = n − 1 of them).
 * Candidates are the lags k with 2 ≤ k ≤ L, L = min (max_lag, ⌊n/3⌋, N − 2), where
 *   - r_k is a local maximum: r_k > r_{k−1} and r_k ≥ r_{k+1}, and
 *   - r_k is significantly positive against an MA(1) null (what differencing leaves of white
 *     noise or of a random walk's steps): with se = √((1 + 2 r_1²) / N) (Bartlett), the one-sided
 *     p-value ½ erfc (r_k / (se √2)) times the L − 1 lags searched is below 0.05 (Bonferroni,
 *     so that a series without a season gets one by chance at most 5 % of the time, whatever L).
 * The period is the smallest candidate p that divides the lag k* of the largest candidate r
 * (the first on a tie) with r_p ≥ r_k* − 2 se; k* itself always qualifies. The largest alone is
 * often a multiple of the period (r_2p ≈ r_p: noise decides, nottingham_temperature has
 * r_24 > r_12), the first alone often lag 2 (r_1 is pulled down by differenced noise) or a
 * noise wiggle. Returns 1 when there is no candidate, when L < 2, or when the differences have
 * no variation (a straight line: their standard deviation ≤ 64 ε · max |x|, as in recur_acf).
 * Cost: two passes of O(N · L). */
guint    recur_season_detect (const double *values,
                              guint         n,
                              guint         max_lag);

G_END_DECLS
