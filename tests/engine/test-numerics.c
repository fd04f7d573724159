/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The numerical building blocks under the models, each against an independent reference: the
 * σ and tanh approximations against double precision over a sweep of every float's range, the
 * kernels' optional biases, the GEMMs against plain loops in every transposition, LAPACK's
 * eigenvalues and Cholesky solve, OpenBLAS's thread policy, the RNG's unbiased bounded draws,
 * each optimiser's steps against torch.optim's update rules written out here in double
 * precision, the losses and gradient clipping against hand-computed values, and the names
 * every kind goes by in files and on the command line. */
#include "config.h"

#include <math.h>
#include <string.h>
#include <sys/resource.h>

#include "recur-blas.h"
#include "recur-kernels.h"
#include "recur-optimizer.h"
#include "recur-rng.h"
#include "recur-trainer.h"

/* ---- σ and tanh -------------------------------------------------------------------------- */

/* Every 4093rd bit pattern (a prime stride: all exponents and mantissa patterns), then dense
 * runs where the approximations change regime: around 0 (tanh's linear part below 4e-4), its
 * clamp at ±7.9053, σ's at −88, and where σ and tanh have their largest errors. */
static GArray *
float_sweep (void)
{
  GArray *xs = g_array_new (FALSE, FALSE, sizeof (float));
  static const float centres[] = { 0.0f, 4e-4f, -4e-4f, 7.9053111f, -7.9053111f, -88.0f, -87.0f,
                                   -16.6473103f, 5.82788f, 7.85921f, 88.0f };

  for (guint64 b = 0; b < G_GUINT64_CONSTANT (1) << 32; b += 4093)
    {
      guint32 bits = (guint32) b;
      float x;

      memcpy (&x, &bits, sizeof x);
      if (isfinite (x))
        g_array_append_val (xs, x);
    }
  for (guint c = 0; c < G_N_ELEMENTS (centres); c++)
    {
      float x = centres[c];
      for (guint i = 0; i < 2000; i++)
        {
          float up = nextafterf (x, INFINITY), down;
          g_array_append_val (xs, x);
          down = -x;
          g_array_append_val (xs, down);
          x = up;
        }
    }
  return xs;
}

static double
sigmoid (double x)
{
  return 1.0 / (1.0 + exp (-x));
}

/* tanh within 4.1e-7 relative over every float, exactly odd; σ within 1.5e-7 relative down to
 * −88 and at σ(−88) below it (recur-kernels.h); NaN passes through both, so that a diverging
 * run is seen to diverge, and the infinities saturate. */
static void
test_approximations_within_their_bounds (void)
{
  g_autoptr(GArray) xs = float_sweep ();
  double worst_tanh = 0.0, worst_sigmoid = 0.0;
  float floor = recur_kernel_sigmoid1 (-88.0f);

  for (guint i = 0; i < xs->len; i++)
    {
      float x = g_array_index (xs, float, i);
      double t = tanh ((double) x), s = sigmoid ((double) x);
      float at = recur_kernel_tanh1 (x), as = recur_kernel_sigmoid1 (x);

      worst_tanh = MAX (worst_tanh, t != 0.0 ? fabs (at - t) / fabs (t) : fabs (at));
      g_assert_cmpfloat (recur_kernel_tanh1 (-x), ==, -at);
      if (x >= -88.0f)
        worst_sigmoid = MAX (worst_sigmoid, fabs (as - s) / s);
      else
        g_assert_cmpfloat (as, ==, floor);
    }
  g_test_message ("%u floats: tanh within %.3g, sigmoid within %.3g (relative)", xs->len, worst_tanh,
                  worst_sigmoid);
  g_assert_cmpfloat (worst_tanh, <=, 4.1e-7);
  g_assert_cmpfloat (worst_sigmoid, <=, 1.5e-7);
  g_assert_cmpfloat (floor, >, 0.0f);
  g_assert_cmpfloat (floor, <, 6.1e-39f);

  g_assert_true (isnan (recur_kernel_tanh1 (NAN)));
  g_assert_true (isnan (recur_kernel_sigmoid1 (NAN)));
  g_assert_cmpfloat (recur_kernel_tanh1 (INFINITY), ==, 1.0f);
  g_assert_cmpfloat (recur_kernel_tanh1 (-INFINITY), ==, -1.0f);
  g_assert_cmpfloat (recur_kernel_sigmoid1 (INFINITY), ==, 1.0f);
  g_assert_cmpfloat (recur_kernel_sigmoid1 (-INFINITY), ==, floor);
}

/* The vectorised RNN kernel (the clone this CPU runs) keeps the same bound, row strides and
 * all, and passes NaN on. */
static void
test_vector_tanh_within_its_bound (void)
{
  g_autoptr(GArray) xs = float_sweep ();
  guint H = 7, ld = 9, rows = xs->len / H;
  g_autofree float *g = g_new0 (float, (gsize) rows * ld);
  g_autofree float *h = g_new0 (float, (gsize) rows * ld);
  double worst = 0.0;

  for (guint r = 0; r < rows; r++)
    for (guint j = 0; j < H; j++)
      g[(gsize) r * ld + j] = g_array_index (xs, float, r * H + j);
  g[3] = NAN;
  recur_kernel_tanh_forward (rows, H, g, ld, h, ld);
  for (guint r = 0; r < rows; r++)
    for (guint j = 0; j < H; j++)
      {
        gsize i = (gsize) r * ld + j;
        double t = tanh ((double) g[i]);
        if (i == 3)
          continue;
        worst = MAX (worst, t != 0.0 ? fabs (h[i] - t) / fabs (t) : fabs (h[i]));
      }
  g_assert_true (isnan (h[3]));
  g_assert_cmpfloat (h[7], ==, 0.0f); /* between the rows: untouched */
  g_assert_cmpfloat (worst, <=, 4.1e-7);
}

static gboolean
same_bits (float a,
           float b)
{
  return memcmp (&a, &b, sizeof a) == 0 || (isnan (a) && isnan (b));
}

/* The float sweep and ±∞, NaN, −0 and σ's clamps, as inputs for comparing a step written out for
 * AVX-512 with its clone; NULL, the test skipped, where the clones run instead */
static GArray *
avx512_inputs (void)
{
  static const float specials[] = { INFINITY, -INFINITY, NAN, -0.0f, 88.0f, -87.0f };
  GArray *xs;

  if (!recur_kernel_has_avx512_gates ())
    {
      g_test_skip ("no AVX-512 on this CPU (or RECUR_PORTABLE_KERNELS is set): the clone runs");
      return NULL;
    }
  xs = float_sweep ();
  g_array_append_vals (xs, specials, G_N_ELEMENTS (specials));
  return xs;
}

/* On a CPU with AVX-512, the LSTM step runs a kernel written by hand; every lane must have the
 * bits of the clone that CPUs with FMA run otherwise: the float sweep (and ±∞, NaN, −0) as every
 * other unit's gate pre-activations, each gate reading it in another order (σ for i, f and o;
 * tanh for g, and for c through h), values in training's ranges as the others' (where the
 * roundings of c = f c′ + i g decide the bits), with and without c′, 37 units so that the last
 * lanes of a row are masked (and the clone's remainder loop runs), h's rows wider than H. */
static void
test_lstm_avx512_gives_the_clones_bits (void)
{
  g_autoptr(GArray) xs = avx512_inputs ();
  guint H = 37, ld = H + 3, rows, n;
  g_autofree float *g = NULL, *g2 = NULL, *cp = NULL;
  g_autofree float *c = NULL, *c2 = NULL, *h = NULL, *h2 = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (5);

  if (xs == NULL)
    return;
  n = xs->len;
  rows = (n + H - 1) / H;
  g = g_new (float, (gsize) rows * 4 * H);
  cp = g_new (float, (gsize) rows * H);
  for (gsize i = 0; i < (gsize) rows * H; i++)
    {
      gsize r = i / H, j = i % H;
      gboolean swept = i % 2 == 0;
      for (guint k = 0; k < 4; k++)
        g[r * 4 * H + k * H + j] = swept ? g_array_index (xs, float, (i * (2 * k + 1) + k) % n)
                                         : (float) g_rand_double_range (rng, -10.0, 10.0);
      cp[i] = swept ? g_array_index (xs, float, (i * 7 + 3) % n)
                    : (float) g_rand_double_range (rng, -10.0, 10.0);
    }
  g2 = g_memdup2 (g, (gsize) rows * 4 * H * sizeof (float));
  c = g_new (float, (gsize) rows * H);
  c2 = g_new (float, (gsize) rows * H);
  h = g_new0 (float, (gsize) rows * ld);
  h2 = g_new0 (float, (gsize) rows * ld);
  for (guint with_c = 0; with_c < 2; with_c++)
    {
      g_autofree float *pre = g_memdup2 (g, (gsize) rows * 4 * H * sizeof (float));

      memcpy (g2, pre, (gsize) rows * 4 * H * sizeof (float));
      recur_kernel_lstm_forward (rows, H, g, with_c ? cp : NULL, c, h, ld);
      recur_kernel_lstm_forward_portable (rows, H, g2, with_c ? cp : NULL, c2, h2, ld);
      for (gsize i = 0; i < (gsize) rows * 4 * H; i++)
        if (!same_bits (g[i], g2[i]))
          g_error ("gate %zu of %a: %a, the clone %a", i, pre[i], g[i], g2[i]);
      for (gsize i = 0; i < (gsize) rows * H; i++)
        if (!same_bits (c[i], c2[i]))
          g_error ("cell %zu: %a, the clone %a", i, c[i], c2[i]);
      for (gsize i = 0; i < (gsize) rows * ld; i++)
        if (!same_bits (h[i], h2[i]))
          g_error ("h %zu: %a, the clone %a", i, h[i], h2[i]);
      memcpy (g, pre, (gsize) rows * 4 * H * sizeof (float));
    }
}

/* GRU's step likewise: the sweep (every other unit; values in training's ranges the others) as
 * r's, z's and n's inputs from both products, with and without h′, 37 units. */
static void
test_gru_avx512_gives_the_clones_bits (void)
{
  g_autoptr(GArray) xs = avx512_inputs ();
  guint H = 37, ld = H + 3, rows, n;
  g_autofree float *g = NULL, *hh = NULL, *hp = NULL, *h = NULL, *h2 = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (6);

  if (xs == NULL)
    return;
  n = xs->len;
  rows = (n + H - 1) / H;
  g = g_new (float, (gsize) rows * 3 * H);
  hh = g_new (float, (gsize) rows * 3 * H);
  hp = g_new (float, (gsize) rows * ld);
  for (gsize i = 0; i < (gsize) rows * H; i++)
    {
      gsize r = i / H, j = i % H;
      gboolean swept = i % 2 == 0;
      for (guint k = 0; k < 3; k++)
        {
          g[r * 3 * H + k * H + j] = swept ? g_array_index (xs, float, (i * (2 * k + 1) + k) % n)
                                           : (float) g_rand_double_range (rng, -10.0, 10.0);
          /* the recurrent side small enough that the sums still sweep the range */
          hh[r * 3 * H + k * H + j] = swept ? g_array_index (xs, float, (i * 5 + k) % n) * 1e-3f
                                            : (float) g_rand_double_range (rng, -5.0, 5.0);
        }
      hp[r * ld + j] = swept ? g_array_index (xs, float, (i * 7 + 3) % n)
                             : (float) g_rand_double_range (rng, -1.0, 1.0);
    }
  h = g_new0 (float, (gsize) rows * ld);
  h2 = g_new0 (float, (gsize) rows * ld);
  for (guint with_h = 0; with_h < 2; with_h++)
    {
      g_autofree float *ga = g_memdup2 (g, (gsize) rows * 3 * H * sizeof (float));
      g_autofree float *gb = g_memdup2 (g, (gsize) rows * 3 * H * sizeof (float));

      recur_kernel_gru_forward (rows, H, ga, hh, with_h ? hp : NULL, h, ld);
      recur_kernel_gru_forward_portable (rows, H, gb, hh, with_h ? hp : NULL, h2, ld);
      for (gsize i = 0; i < (gsize) rows * 3 * H; i++)
        if (!same_bits (ga[i], gb[i]))
          g_error ("gate %zu of %a + %a: %a, the clone %a", i, g[i], hh[i], ga[i], gb[i]);
      for (gsize i = 0; i < (gsize) rows * ld; i++)
        if (!same_bits (h[i], h2[i]))
          g_error ("h %zu: %a, the clone %a", i, h[i], h2[i]);
    }
}

/* A gradient as backpropagation brings them: within ±1, at a scale down to 2^−20 */
static float
small_gradient (GRand *rng)
{
  return (float) ldexp (g_rand_double_range (rng, -1.0, 1.0), -g_rand_int_range (rng, 0, 21));
}

/* LSTM's backward step likewise: activated gates in (0, 1) and (−1, 1) as the forward pass
 * leaves them, the sweep (and values in training's ranges) as the cell state (through tanh),
 * dh and dc, with and without c′. */
static void
test_lstm_backward_avx512_gives_the_clones_bits (void)
{
  g_autoptr(GArray) xs = avx512_inputs ();
  guint H = 37, rows, n;
  g_autofree float *g = NULL, *c = NULL, *cp = NULL, *dh = NULL, *dc = NULL;
  g_autoptr(GRand) rng = g_rand_new_with_seed (7);

  if (xs == NULL)
    return;
  n = xs->len;
  rows = (n + H - 1) / H;
  g = g_new (float, (gsize) rows * 4 * H);
  c = g_new (float, (gsize) rows * H);
  cp = g_new (float, (gsize) rows * H);
  dh = g_new (float, (gsize) rows * H);
  dc = g_new (float, (gsize) rows * H);
  /* every other unit from the sweep; the others as training sees them, where the roundings of
   * the arithmetic decide the bits: c within ±10, dh and dc within ±1 at scales down to 2^−20 */
  for (gsize i = 0; i < (gsize) rows * H; i++)
    {
      gsize r = i / H, j = i % H;
      gboolean swept = i % 2 == 0;
      for (guint k = 0; k < 4; k++)
        {
          float x = swept ? g_array_index (xs, float, (i * (2 * k + 1) + k) % n)
                          : (float) g_rand_double_range (rng, -10.0, 10.0);
          g[r * 4 * H + k * H + j] = k == 2 ? recur_kernel_tanh1 (x) : recur_kernel_sigmoid1 (x);
        }
      c[i] = swept ? g_array_index (xs, float, i % n) : (float) g_rand_double_range (rng, -10, 10);
      cp[i] = swept ? g_array_index (xs, float, (i * 7 + 3) % n)
                    : (float) g_rand_double_range (rng, -10, 10);
      dh[i] = swept ? g_array_index (xs, float, (i * 11 + 5) % n)
                    : small_gradient (rng);
      dc[i] = swept ? g_array_index (xs, float, (i * 13 + 1) % n)
                    : small_gradient (rng);
    }
  for (guint with_c = 0; with_c < 2; with_c++)
    {
      gsize ng = (gsize) rows * 4 * H * sizeof (float), nc = (gsize) rows * H * sizeof (float);
      g_autofree float *ga = g_memdup2 (g, ng), *gb = g_memdup2 (g, ng);
      g_autofree float *dca = g_memdup2 (dc, nc), *dcb = g_memdup2 (dc, nc);

      recur_kernel_lstm_backward (rows, H, ga, c, with_c ? cp : NULL, dh, dca);
      recur_kernel_lstm_backward_portable (rows, H, gb, c, with_c ? cp : NULL, dh, dcb);
      for (gsize i = 0; i < (gsize) rows * 4 * H; i++)
        if (!same_bits (ga[i], gb[i]))
          g_error ("gate gradient %zu: %a, the clone %a", i, ga[i], gb[i]);
      for (gsize i = 0; i < (gsize) rows * H; i++)
        if (!same_bits (dca[i], dcb[i]))
          g_error ("dc %zu: %a, the clone %a", i, dca[i], dcb[i]);
    }
}

/* The RNN's step likewise: the sweep through tanh, rows strided, 37 units. (Not the reservoir's
 * leaky step, which keeps its clone: recur-kernels-avx512.h says why.) */
static void
test_rnn_avx512_gives_the_clones_bits (void)
{
  g_autoptr(GArray) xs = avx512_inputs ();
  guint H = 37, ld = H + 2, rows, n;
  g_autofree float *g = NULL, *h = NULL, *h2 = NULL;

  if (xs == NULL)
    return;
  n = xs->len;
  rows = (n + H - 1) / H;
  g = g_new (float, (gsize) rows * ld);
  for (gsize i = 0; i < (gsize) rows * ld; i++)
    g[i] = g_array_index (xs, float, i % n);
  h = g_new0 (float, (gsize) rows * ld);
  h2 = g_new0 (float, (gsize) rows * ld);
  recur_kernel_tanh_forward (rows, H, g, ld, h, ld);
  recur_kernel_tanh_forward_portable (rows, H, g, ld, h2, ld);
  for (gsize i = 0; i < (gsize) rows * ld; i++)
    if (!same_bits (h[i], h2[i]))
      g_error ("RNN h %zu of %a: %a, the clone %a", i, g[i], h[i], h2[i]);
}

static void
assert_same_bits (const char  *what,
                  guint        H,
                  const float *got,
                  const float *clone,
                  gsize        n)
{
  for (gsize i = 0; i < n; i++)
    if (!same_bits (got[i], clone[i]))
      g_error ("%s, %u units, value %zu: %a, the clone %a", what, H, i, got[i], clone[i]);
}

/* The clone runs a vector loop, a narrower one and a scalar remainder, or for few units scalar
 * code alone, and the compiler may fuse differently in each: every width from 1 to 70 units, 1
 * to 5 windows, values in training's ranges, through every hand-written step. */
static void
test_avx512_every_width_gives_the_clones_bits (void)
{
  g_autoptr(GRand) rng = g_rand_new_with_seed (9);

  if (!recur_kernel_has_avx512_gates ())
    {
      g_test_skip ("no AVX-512 on this CPU (or RECUR_PORTABLE_KERNELS is set): the clones run");
      return;
    }
  for (guint H = 1; H <= 70; H++)
    for (guint B = 1; B <= 5; B += 2)
      for (guint rep = 0; rep < 8; rep++)
        {
          gsize n4 = (gsize) B * 4 * H, n1 = (gsize) B * H;
          g_autofree float *g = g_new (float, n4), *g2 = g_new (float, n4), *hh = g_new (float, n4);
          g_autofree float *cp = g_new (float, n1), *dh = g_new (float, n1);
          g_autofree float *dc = g_new (float, n1);
          g_autofree float *c = g_new (float, n1), *c2 = g_new (float, n1);
          g_autofree float *h = g_new (float, n1), *h2 = g_new (float, n1);
          g_autofree float *dc2 = NULL;
          const float *prev = rep % 4 == 0 ? NULL : cp;

          for (gsize i = 0; i < n4; i++)
            {
              g[i] = (float) g_rand_double_range (rng, -10.0, 10.0);
              hh[i] = (float) g_rand_double_range (rng, -5.0, 5.0);
            }
          for (gsize i = 0; i < n1; i++)
            {
              cp[i] = (float) g_rand_double_range (rng, -10.0, 10.0);
              dh[i] = small_gradient (rng);
              dc[i] = small_gradient (rng);
            }
          memcpy (g2, g, n4 * sizeof (float));
          recur_kernel_lstm_forward (B, H, g, prev, c, h, H);
          recur_kernel_lstm_forward_portable (B, H, g2, prev, c2, h2, H);
          assert_same_bits ("LSTM gates", H, g, g2, n4);
          assert_same_bits ("LSTM c", H, c, c2, n1);
          assert_same_bits ("LSTM h", H, h, h2, n1);
          dc2 = g_memdup2 (dc, n1 * sizeof (float));
          recur_kernel_lstm_backward (B, H, g, c, prev, dh, dc);
          recur_kernel_lstm_backward_portable (B, H, g2, c, prev, dh, dc2);
          assert_same_bits ("LSTM gate gradients", H, g, g2, n4);
          assert_same_bits ("LSTM dc", H, dc, dc2, n1);
          for (gsize i = 0; i < n4; i++)
            g[i] = g2[i] = (float) g_rand_double_range (rng, -10.0, 10.0);
          recur_kernel_gru_forward (B, H, g, hh, prev, h, H);
          recur_kernel_gru_forward_portable (B, H, g2, hh, prev, h2, H);
          assert_same_bits ("GRU gates", H, g, g2, (gsize) B * 3 * H);
          assert_same_bits ("GRU h", H, h, h2, n1);
          recur_kernel_tanh_forward (B, H, cp, H, h, H);
          recur_kernel_tanh_forward_portable (B, H, cp, H, h2, H);
          assert_same_bits ("RNN h", H, h, h2, n1);
        }
}

/* The reservoir's leaky step: (1 − α) h' + α tanh(a) over the float sweep, within tanh's bound
 * plus the roundings of the products and the sum, α tanh(a) at the first step, and NaN passed
 * on. */
static void
test_leaky_tanh_within_its_bound (void)
{
  g_autoptr(GArray) xs = float_sweep ();
  gsize n = xs->len;
  const float alpha = 0.7f;
  g_autofree float *prev = g_new (float, n), *h = g_new (float, n), *first = g_new (float, n);
  float *a = (float *) (gpointer) xs->data;
  RecurRng rng;

  recur_rng_init (&rng, 8);
  for (gsize i = 0; i < n; i++)
    prev[i] = (float) (2.0 * recur_rng_double (&rng) - 1.0);
  a[5] = NAN;
  recur_kernel_leaky_tanh (n, alpha, a, prev, h);
  recur_kernel_leaky_tanh (n, alpha, a, NULL, first);
  for (gsize i = 0; i < n; i++)
    {
      double t = tanh ((double) a[i]);
      double want = (1.0 - alpha) * prev[i] + alpha * t;

      if (i == 5)
        continue;
      double terms = (1.0 - alpha) * fabs (prev[i]) + alpha * fabs (t);

      /* tanh's error, then a few roundings of products and a sum as large as its terms */
      g_assert_cmpfloat (fabs (h[i] - want), <=, 4.1e-7 * alpha * fabs (t) + 2.4e-7 * terms + 1e-30);
      g_assert_cmpfloat (fabs (first[i] - alpha * t), <=, (4.1e-7 + 1.2e-7) * alpha * fabs (t) + 1e-30);
    }
  g_assert_true (isnan (h[5]) && isnan (first[5]));
}

/* Either bias may be missing, each alone adds as itself (the input projection took b2 alone
 * for no bias at all). */
static void
test_kernel_biases_either_or_both (void)
{
  const float x[2] = { 2.0f, -1.0f }, w[3] = { 0.5f, 1.0f, -2.0f };
  const float b1[3] = { 1.0f, 2.0f, 3.0f }, b2[3] = { 10.0f, 20.0f, 30.0f };
  const float *const biases[4][2] = { { b1, b2 }, { b1, NULL }, { NULL, b2 }, { NULL, NULL } };

  for (guint c = 0; c < G_N_ELEMENTS (biases); c++)
    {
      const float *p = biases[c][0], *q = biases[c][1];
      float out[2 * 3], fill[2 * 3];

      recur_kernel_project1 (2, 3, x, w, p, q, out);
      recur_kernel_fill_bias (2, 3, p, q, fill);
      for (guint r = 0; r < 2; r++)
        for (guint j = 0; j < 3; j++)
          {
            float bias = (p ? p[j] : 0.0f) + (q ? q[j] : 0.0f);
            g_assert_cmpfloat (fill[r * 3 + j], ==, bias);
            g_assert_cmpfloat (out[r * 3 + j], ==, bias + x[r] * w[j]);
          }
    }
}

/* ---- BLAS and LAPACK --------------------------------------------------------------------- */

/* a[i][j] of a row-major rows×cols matrix stored transposed or not */
static double
element (const double *a,
         gboolean      trans,
         int           ld,
         int           i,
         int           j)
{
  return trans ? a[(gsize) j * ld + i] : a[(gsize) i * ld + j];
}

/* C = 0.5 · op(A) · op(B) + 2 · C, m = 3, n = 4, k = 5, with padded leading dimensions, in
 * single and double precision, against the loops. */
static void
test_gemm_every_transposition (void)
{
  enum { M = 3, N = 4, K = 5, PAD = 2 };
  RecurRng rng;

  recur_rng_init (&rng, 21);
  for (guint ta = 0; ta <= 1; ta++)
    for (guint tb = 0; tb <= 1; tb++)
      {
        int lda = (ta ? M : K) + PAD, ldb = (tb ? K : N) + PAD, ldc = N + PAD;
        double a[(K + PAD) * (K + PAD)], b[(K + PAD) * (K + PAD)], c[M * (N + PAD)];
        double cd[M * (N + PAD)];
        float af[G_N_ELEMENTS (a)], bf[G_N_ELEMENTS (b)], cf[G_N_ELEMENTS (c)];

        for (guint i = 0; i < G_N_ELEMENTS (a); i++)
          af[i] = (float) (a[i] = recur_rng_normal (&rng));
        for (guint i = 0; i < G_N_ELEMENTS (b); i++)
          bf[i] = (float) (b[i] = recur_rng_normal (&rng));
        for (guint i = 0; i < G_N_ELEMENTS (c); i++)
          cf[i] = (float) (cd[i] = c[i] = recur_rng_normal (&rng));
        recur_sgemm (ta, tb, M, N, K, 0.5f, af, lda, bf, ldb, 2.0f, cf, ldc);
        recur_dgemm (ta, tb, M, N, K, 0.5, a, lda, b, ldb, 2.0, cd, ldc);
        for (int i = 0; i < M; i++)
          for (int j = 0; j < N + PAD; j++)
            {
              double want = c[i * ldc + j];
              if (j < N)
                {
                  double dot = 0.0;
                  for (int p = 0; p < K; p++)
                    dot += element (a, ta, lda, i, p) * element (b, tb, ldb, p, j);
                  want = 0.5 * dot + 2.0 * want;
                }
              g_assert_cmpfloat_with_epsilon (cd[i * ldc + j], want, 1e-12);
              g_assert_cmpfloat_with_epsilon (cf[i * ldc + j], want, 1e-5);
            }
      }
}

/* An empty product leaves C as it was (OpenBLAS would complain of its leading dimensions). */
static void
test_gemm_of_nothing (void)
{
  float cf[2] = { 1.0f, 2.0f };
  double cd[2] = { 3.0, 4.0 };

  recur_sgemm (FALSE, FALSE, 0, 2, 3, 1.0f, NULL, 3, NULL, 2, 0.0f, cf, 2);
  recur_sgemm (FALSE, FALSE, 2, 0, 3, 1.0f, NULL, 3, NULL, 1, 0.0f, cf, 1);
  recur_dgemm (TRUE, FALSE, 0, 2, 3, 1.0, NULL, 1, NULL, 2, 0.0, cd, 2);
  recur_dgemm (FALSE, TRUE, 2, 0, 3, 1.0, NULL, 3, NULL, 3, 0.0, cd, 1);
  g_assert_cmpfloat (cf[0], ==, 1.0f);
  g_assert_cmpfloat (cf[1], ==, 2.0f);
  g_assert_cmpfloat (cd[0], ==, 3.0);
  g_assert_cmpfloat (cd[1], ==, 4.0);
}

static void
test_lapack_eigenvalues_and_cholesky (void)
{
  double rotation[] = { 0.0, 2.0, -2.0, 0.0 };           /* ±2i */
  double general[] = { 1.0, 2.0, 3.0, 4.0 };             /* (5 ± √33) / 2 */
  double nilpotent[] = { 0.0, 1.0, 0.0, 0.0 };
  double broken[] = { 1.0, NAN, 0.0, 1.0 };
  double spd[] = { 4.0, 2.0, 2.0, 3.0 }, rhs[] = { 2.0, 1.0, 8.0, 1.0 }; /* two right sides */
  double indefinite[] = { 1.0, 2.0, 2.0, 1.0 }, rhs2[] = { 1.0, 1.0 };

  g_assert_cmpfloat_with_epsilon (recur_spectral_radius (rotation, 2), 2.0, 1e-12);
  g_assert_cmpfloat_with_epsilon (recur_spectral_radius (general, 2), (5 + sqrt (33)) / 2, 1e-12);
  g_assert_cmpfloat (recur_spectral_radius (nilpotent, 2), ==, 0.0);
  g_assert_true (isnan (recur_spectral_radius (broken, 2))); /* LAPACK refuses a NaN */

  /* [4 2; 2 3] X = [2 1; 8 1]: X = [3 −2; −2 4] / 8 · [2 1; 8 1] = [−1.25 0.125; 3.5 0.25] */
  g_assert_true (recur_solve_spd (spd, 2, rhs, 2));
  g_assert_cmpfloat_with_epsilon (rhs[0], -1.25, 1e-12);
  g_assert_cmpfloat_with_epsilon (rhs[1], 0.125, 1e-12);
  g_assert_cmpfloat_with_epsilon (rhs[2], 3.5, 1e-12);
  g_assert_cmpfloat_with_epsilon (rhs[3], 0.25, 1e-12);
  g_assert_false (recur_solve_spd (indefinite, 2, rhs2, 1)); /* eigenvalues −1 and 3 */
}

/* 0 threads means one per core, any other count that many; under an address-space limit one
 * (OpenBLAS would wait for ever for a second thread's buffer). */
static void
test_blas_thread_policy (void)
{
  struct rlimit saved, limited;
  gboolean limited_already = recur_blas_address_space_limited ();

  recur_blas_configure (0);
  g_assert_cmpuint (recur_blas_get_threads (), ==, limited_already ? 1 : g_get_num_processors ());
  g_assert_nonnull (recur_blas_get_core_name ());
  g_assert_cmpuint (strlen (recur_blas_get_core_name ()), >, 0);
  if (limited_already)
    {
      g_test_skip ("the tests run under an address-space limit");
      recur_blas_configure (1);
      return;
    }
  recur_blas_configure (2);
  g_assert_cmpuint (recur_blas_get_threads (), ==, 2);

  g_assert_cmpint (getrlimit (RLIMIT_AS, &saved), ==, 0);
  if (saved.rlim_max == RLIM_INFINITY)
    {
      /* a limit no allocation here comes near, but a limit */
      limited = (struct rlimit) { RLIM_INFINITY - 1, RLIM_INFINITY };
      g_assert_cmpint (setrlimit (RLIMIT_AS, &limited), ==, 0);
      g_assert_true (recur_blas_address_space_limited ());
      recur_blas_configure (2);
      g_assert_cmpuint (recur_blas_get_threads (), ==, 1);
      recur_blas_configure (0);
      g_assert_cmpuint (recur_blas_get_threads (), ==, 1);
      g_assert_cmpint (setrlimit (RLIMIT_AS, &saved), ==, 0);
      g_assert_false (recur_blas_address_space_limited ());
    }
  recur_blas_configure (1); /* as the tests run */
  g_assert_cmpuint (recur_blas_get_threads (), ==, 1);
}

/* ---- RNG --------------------------------------------------------------------------------- */

/* n = 3·2³⁰: the multiply-shift alone would draw the multiples of 3 half the time (2 of every 4
 * 32-bit inputs map to them); the rejection step makes it a third, as for any other residue. */
static void
test_rng_below_is_unbiased (void)
{
  const guint32 n = 3u << 30;
  const guint draws = 30000;
  guint residue[3] = { 0 };
  RecurRng rng;

  recur_rng_init (&rng, 8);
  for (guint i = 0; i < draws; i++)
    {
      guint32 v = recur_rng_below (&rng, n);
      g_assert_cmpuint (v, <, n);
      residue[v % 3]++;
    }
  for (guint r = 0; r < 3; r++)
    g_assert_cmpfloat_with_epsilon (residue[r] / (double) draws, 1.0 / 3, 0.02);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpuint (recur_rng_below (&rng, 1), ==, 0);
}

/* ---- optimisers -------------------------------------------------------------------------- */

/* torch.optim's update rules (1.13, single tensor), in double precision */
typedef struct
{
  RecurOptimizerSpec s;
  guint step;
  double m[4], v[4];
} Reference;

static void
reference_step (Reference    *r,
                double       *p,
                const double *g,
                guint         n,
                double        lr)
{
  const RecurOptimizerSpec *s = &r->s;

  r->step++;
  for (guint i = 0; i < n; i++)
    {
      double d = g[i];

      switch (s->kind)
        {
        case RECUR_OPTIMIZER_ADAM:
        case RECUR_OPTIMIZER_ADAMW:
          {
            double bc1 = 1 - pow (s->beta1, r->step), bc2 = 1 - pow (s->beta2, r->step);
            if (s->kind == RECUR_OPTIMIZER_ADAMW)
              p[i] *= 1 - lr * s->weight_decay;
            else
              d += s->weight_decay * p[i];
            r->m[i] = s->beta1 * r->m[i] + (1 - s->beta1) * d;
            r->v[i] = s->beta2 * r->v[i] + (1 - s->beta2) * d * d;
            p[i] -= lr / bc1 * r->m[i] / (sqrt (r->v[i]) / sqrt (bc2) + s->eps);
            break;
          }
        case RECUR_OPTIMIZER_SGD:
          d += s->weight_decay * p[i];
          if (s->momentum != 0)
            {
              r->m[i] = r->step == 1 ? d : s->momentum * r->m[i] + d;
              d = s->nesterov ? d + s->momentum * r->m[i] : r->m[i];
            }
          p[i] -= lr * d;
          break;
        case RECUR_OPTIMIZER_RMSPROP:
          d += s->weight_decay * p[i];
          r->v[i] = s->alpha * r->v[i] + (1 - s->alpha) * d * d;
          if (s->momentum > 0)
            {
              r->m[i] = s->momentum * r->m[i] + d / (sqrt (r->v[i]) + s->eps);
              p[i] -= lr * r->m[i];
            }
          else
            p[i] -= lr * d / (sqrt (r->v[i]) + s->eps);
          break;
        default:
          g_assert_not_reached ();
        }
    }
}

/* Six steps of every optimiser and option (L2 decay with Adam, AdamW's decoupled decay, SGD
 * plain, with momentum, Nesterov's and decay, RMSprop with and without momentum), with a
 * learning rate that changes between steps as a schedule's does, against the reference. */
static void
test_optimizer_steps_follow_torch (void)
{
  static const struct { RecurOptimizerKind kind; double momentum, decay; gboolean nesterov; } cases[] = {
    { RECUR_OPTIMIZER_ADAM, 0, 0, FALSE },       { RECUR_OPTIMIZER_ADAM, 0, 0.1, FALSE },
    { RECUR_OPTIMIZER_ADAMW, 0, 0.01, FALSE },   { RECUR_OPTIMIZER_SGD, 0, 0, FALSE },
    { RECUR_OPTIMIZER_SGD, 0.9, 0, FALSE },      { RECUR_OPTIMIZER_SGD, 0.9, 0, TRUE },
    { RECUR_OPTIMIZER_SGD, 0.5, 0.05, FALSE },   { RECUR_OPTIMIZER_RMSPROP, 0, 0, FALSE },
    { RECUR_OPTIMIZER_RMSPROP, 0.5, 0.02, FALSE },
  };
  double worst = 0.0;
  static const double grads[6][4] = {
    { 0.5, -1.0, 0.0, 2.0 }, { 0.25, -0.5, 0.1, -2.0 }, { -0.5, 1.0, 0.0, 0.5 },
    { 1.0, 0.0, -0.3, 0.25 }, { 0.0, 0.0, 0.2, -1.0 }, { -1.5, 0.75, 0.05, 0.0 },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      Reference ref = { 0 };
      g_autoptr(RecurOptimizer) opt = NULL;
      double p[4] = { 1.0, -0.5, 0.25, 2.0 };
      float pf[4], gf[4];

      recur_optimizer_spec_init (&ref.s, cases[c].kind, 0.1);
      ref.s.momentum = cases[c].momentum;
      ref.s.nesterov = cases[c].nesterov;
      ref.s.weight_decay = cases[c].decay;
      opt = recur_optimizer_new (&ref.s, 4);
      for (guint i = 0; i < 4; i++)
        pf[i] = (float) p[i];
      for (guint t = 0; t < G_N_ELEMENTS (grads); t++)
        {
          double lr = 0.1 * pow (0.5, t / 2); /* a step schedule: 0.1 0.1 0.05 0.05 … */
          for (guint i = 0; i < 4; i++)
            gf[i] = (float) grads[t][i];
          recur_optimizer_step (opt, pf, gf, lr);
          reference_step (&ref, p, grads[t], 4, lr);
          for (guint i = 0; i < 4; i++)
            worst = MAX (worst, fabs (pf[i] - p[i]) / (1 + fabs (p[i])));
          for (guint i = 0; i < 4; i++)
            if (fabs (pf[i] - p[i]) > 5e-7 * (1 + fabs (p[i])))
              g_error ("%s (momentum %g, decay %g%s), step %u, parameter %u: %.9g, torch's "
                       "rule %.9g", recur_optimizer_kind_to_string (cases[c].kind),
                       cases[c].momentum, cases[c].decay, cases[c].nesterov ? ", Nesterov" : "",
                       t + 1, i, (double) pf[i], p[i]);
        }
    }
  g_test_message ("worst difference from torch's rules: %.3g", worst);
}

/* The first steps worked by hand: Adam moves each parameter with a gradient by lr against its
 * sign (m̂ / √v̂ = ±1), L2 decay first adding 0.1 · p to the gradient; RMSprop's first step is
 * g / √(0.01 g²) = 10 · sign(g) times lr; SGD's is lr · g. */
static void
test_first_steps_by_hand (void)
{
  RecurOptimizerSpec spec;
  float p[3], g[3];

  recur_optimizer_spec_init (&spec, RECUR_OPTIMIZER_ADAM, 0.1);
  spec.weight_decay = 0.1;
  {
    g_autoptr(RecurOptimizer) adam = recur_optimizer_new (&spec, 3);
    p[0] = 1.0f, p[1] = 1.0f, p[2] = 0.0f;
    g[0] = 0.5f, g[1] = -1.0f, g[2] = 0.0f; /* decayed: 0.6, −0.9, 0 */
    recur_optimizer_step (adam, p, g, 0.1);
    g_assert_cmpfloat_with_epsilon (p[0], 0.9, 1e-6);
    g_assert_cmpfloat_with_epsilon (p[1], 1.1, 1e-6);
    g_assert_cmpfloat (p[2], ==, 0.0f);
  }
  recur_optimizer_spec_init (&spec, RECUR_OPTIMIZER_RMSPROP, 0.01);
  {
    g_autoptr(RecurOptimizer) rmsprop = recur_optimizer_new (&spec, 3);
    p[0] = 1.0f, p[1] = 1.0f, p[2] = 1.0f;
    g[0] = 4.0f, g[1] = -0.02f, g[2] = 0.0f;
    recur_optimizer_step (rmsprop, p, g, 0.01);
    g_assert_cmpfloat_with_epsilon (p[0], 0.9, 1e-6);
    g_assert_cmpfloat_with_epsilon (p[1], 1.1, 1e-5);
    g_assert_cmpfloat (p[2], ==, 1.0f);
  }
  recur_optimizer_spec_init (&spec, RECUR_OPTIMIZER_SGD, 0.5);
  {
    g_autoptr(RecurOptimizer) sgd = recur_optimizer_new (&spec, 3);
    p[0] = 1.0f, p[1] = 1.0f, p[2] = 1.0f;
    g[0] = 4.0f, g[1] = -0.5f, g[2] = 0.0f;
    recur_optimizer_step (sgd, p, g, 0.5);
    g_assert_cmpfloat (p[0], ==, -1.0f);
    g_assert_cmpfloat (p[1], ==, 1.25f);
    g_assert_cmpfloat (p[2], ==, 1.0f);
  }
}

/* ---- losses and clipping ----------------------------------------------------------------- */

/* Errors 0, 0.5, 3 and −2: MSE (0 + 0.25 + 9 + 4) / 4, gradient 2e/4; MAE (0 + 0.5 + 3 + 2) / 4,
 * gradient sign(e)/4 with sign(0) = 0; Huber (δ = 1) (0 + 0.125 + 2.5 + 1.5) / 4, gradient e/4
 * inside |e| < 1 and sign(e)/4 outside. */
static void
test_losses_by_hand (void)
{
  const float pred[] = { 1.0f, 1.0f, 3.0f, -2.0f }, target[] = { 1.0f, 0.5f, 0.0f, 0.0f };
  static const struct { RecurLossKind kind; double loss; float grad[4]; } cases[] = {
    { RECUR_LOSS_MSE, 13.25 / 4, { 0.0f, 0.25f, 1.5f, -1.0f } },
    { RECUR_LOSS_MAE, 5.5 / 4, { 0.0f, 0.25f, 0.25f, -0.25f } },
    { RECUR_LOSS_HUBER, 4.125 / 4, { 0.0f, 0.125f, 0.25f, -0.25f } },
  };

  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      float grad[4];

      g_assert_cmpfloat (recur_loss (cases[c].kind, pred, target, 4, grad), ==, cases[c].loss);
      g_assert_cmpmem (grad, sizeof grad, cases[c].grad, sizeof cases[c].grad);
      g_assert_cmpfloat (recur_loss (cases[c].kind, pred, target, 4, NULL), ==, cases[c].loss);
    }
}

/* ‖(3, 4)‖ = 5: clipped to 1 it becomes (3, 4) / (5 + 1e-6), as clip_grad_norm_; a larger limit
 * or none (0) leaves it; the norm before clipping is returned each time. */
static void
test_clipping_by_hand (void)
{
  float g[2] = { 3.0f, 4.0f };

  g_assert_cmpfloat (recur_clip_grad_norm (g, 2, 10.0), ==, 5.0);
  g_assert_cmpfloat (g[0], ==, 3.0f);
  g_assert_cmpfloat (recur_clip_grad_norm (g, 2, 0.0), ==, 5.0);
  g_assert_cmpfloat (g[1], ==, 4.0f);
  g_assert_cmpfloat (recur_clip_grad_norm (g, 2, 1.0), ==, 5.0);
  g_assert_cmpfloat (g[0], ==, 3.0f * (float) (1.0 / (5.0 + 1e-6)));
  g_assert_cmpfloat (g[1], ==, 4.0f * (float) (1.0 / (5.0 + 1e-6)));
}

/* ---- names ------------------------------------------------------------------------------- */

/* The names the command line and job files use, both ways; anything else is refused and
 * leaves the value as it was. */
static void
test_kind_names_both_ways (void)
{
  static const char *const optimizers[] = { "adam", "adamw", "sgd", "rmsprop" };
  static const char *const losses[] = { "mse", "mae", "huber" };
  static const char *const schedules[] = { "constant", "step", "cosine", "plateau" };
  RecurOptimizerKind o = RECUR_OPTIMIZER_SGD;
  RecurLossKind l = RECUR_LOSS_MAE;
  RecurScheduleKind s = RECUR_SCHEDULE_COSINE;

  for (guint i = 0; i < G_N_ELEMENTS (optimizers); i++)
    {
      g_assert_cmpstr (recur_optimizer_kind_to_string (i), ==, optimizers[i]);
      g_assert_true (recur_optimizer_kind_from_string (optimizers[i], &o));
      g_assert_cmpint (o, ==, i);
    }
  for (guint i = 0; i < G_N_ELEMENTS (losses); i++)
    {
      g_assert_cmpstr (recur_loss_kind_to_string (i), ==, losses[i]);
      g_assert_true (recur_loss_kind_from_string (losses[i], &l));
      g_assert_cmpint (l, ==, i);
    }
  for (guint i = 0; i < G_N_ELEMENTS (schedules); i++)
    {
      g_assert_cmpstr (recur_schedule_kind_to_string (i), ==, schedules[i]);
      g_assert_true (recur_schedule_kind_from_string (schedules[i], &s));
      g_assert_cmpint (s, ==, i);
    }
  g_assert_false (recur_optimizer_kind_from_string ("Adam", &o));
  g_assert_false (recur_loss_kind_from_string ("l2", &l));
  g_assert_false (recur_schedule_kind_from_string ("", &s));
  g_assert_false (recur_schedule_kind_from_string (NULL, &s));
  g_assert_cmpint (o, ==, RECUR_OPTIMIZER_RMSPROP);
  g_assert_cmpint (l, ==, RECUR_LOSS_HUBER);
  g_assert_cmpint (s, ==, RECUR_SCHEDULE_PLATEAU);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/kernels/approximations-within-their-bounds",
                   test_approximations_within_their_bounds);
  g_test_add_func ("/engine/kernels/vector-tanh-within-its-bound", test_vector_tanh_within_its_bound);
  g_test_add_func ("/engine/kernels/leaky-tanh-within-its-bound", test_leaky_tanh_within_its_bound);
  g_test_add_func ("/engine/kernels/lstm-avx512-gives-the-clones-bits",
                   test_lstm_avx512_gives_the_clones_bits);
  g_test_add_func ("/engine/kernels/gru-avx512-gives-the-clones-bits",
                   test_gru_avx512_gives_the_clones_bits);
  g_test_add_func ("/engine/kernels/lstm-backward-avx512-gives-the-clones-bits",
                   test_lstm_backward_avx512_gives_the_clones_bits);
  g_test_add_func ("/engine/kernels/rnn-avx512-gives-the-clones-bits",
                   test_rnn_avx512_gives_the_clones_bits);
  g_test_add_func ("/engine/kernels/avx512-every-width-gives-the-clones-bits",
                   test_avx512_every_width_gives_the_clones_bits);
  g_test_add_func ("/engine/kernels/biases-either-or-both", test_kernel_biases_either_or_both);
  g_test_add_func ("/engine/blas/gemm-every-transposition", test_gemm_every_transposition);
  g_test_add_func ("/engine/blas/gemm-of-nothing", test_gemm_of_nothing);
  g_test_add_func ("/engine/blas/eigenvalues-and-cholesky", test_lapack_eigenvalues_and_cholesky);
  g_test_add_func ("/engine/blas/thread-policy", test_blas_thread_policy);
  g_test_add_func ("/engine/rng/below-is-unbiased", test_rng_below_is_unbiased);
  g_test_add_func ("/engine/optimizer/steps-follow-torch", test_optimizer_steps_follow_torch);
  g_test_add_func ("/engine/optimizer/first-steps-by-hand", test_first_steps_by_hand);
  g_test_add_func ("/engine/loss/by-hand", test_losses_by_hand);
  g_test_add_func ("/engine/loss/clipping-by-hand", test_clipping_by_hand);
  g_test_add_func ("/engine/names/kinds-both-ways", test_kind_names_both_ways);
  return g_test_run ();
}
