/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* xoshiro256** seeded through splitmix64: a field of each run, never global, so a seed
 * reproduces a run bit for bit whatever else runs beside it. */
typedef struct
{
  guint64 s[4];
} RecurRng;

void    recur_rng_init     (RecurRng *rng,
                            guint64   seed);
guint64 recur_rng_next     (RecurRng *rng);
/* Uniform in [0, 1) with 53 random bits. */
double  recur_rng_double   (RecurRng *rng);
/* Uniform in [low, high). */
float   recur_rng_uniform  (RecurRng *rng,
                            float     low,
                            float     high);
/* Uniform integer in [0, n), without modulo bias. */
guint32 recur_rng_below    (RecurRng *rng,
                            guint32   n);
/* Standard normal (Box–Muller). */
double  recur_rng_normal   (RecurRng *rng);
/* Fisher–Yates shuffle of n indices. */
void    recur_rng_shuffle  (RecurRng *rng,
                            guint    *items,
                            guint     n);

G_END_DECLS
