/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <math.h>

#include "recur-rng.h"

static guint64
splitmix64 (guint64 *x)
{
  guint64 z = (*x += G_GUINT64_CONSTANT (0x9e3779b97f4a7c15));

  z = (z ^ (z >> 30)) * G_GUINT64_CONSTANT (0xbf58476d1ce4e5b9);
  z = (z ^ (z >> 27)) * G_GUINT64_CONSTANT (0x94d049bb133111eb);
  return z ^ (z >> 31);
}

static inline guint64
rotl (guint64 x,
      int     k)
{
  return (x << k) | (x >> (64 - k));
}

void
recur_rng_init (RecurRng *rng,
                guint64   seed)
{
  guint64 x = seed;

  for (guint i = 0; i < 4; i++)
    rng->s[i] = splitmix64 (&x);
}

guint64
recur_rng_next (RecurRng *rng)
{
  guint64 *s = rng->s;
  guint64 result = rotl (s[1] * 5, 7) * 9;
  guint64 t = s[1] << 17;

  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl (s[3], 45);
  return result;
}

double
recur_rng_double (RecurRng *rng)
{
  return (double) (recur_rng_next (rng) >> 11) * 0x1.0p-53;
}

float
recur_rng_uniform (RecurRng *rng,
                   float     low,
                   float     high)
{
  return (float) (low + (high - (double) low) * recur_rng_double (rng));
}

guint32
recur_rng_below (RecurRng *rng,
                 guint32   n)
{
  /* Lemire's multiply-shift with rejection. */
  guint64 m = (recur_rng_next (rng) >> 32) * (guint64) n;
  guint32 low = (guint32) m;

  if (low < n)
    {
      guint32 threshold = -n % n;
      while (low < threshold)
        {
          m = (recur_rng_next (rng) >> 32) * (guint64) n;
          low = (guint32) m;
        }
    }
  return (guint32) (m >> 32);
}

double
recur_rng_normal (RecurRng *rng)
{
  double u1 = 1.0 - recur_rng_double (rng); /* (0, 1]: log is finite */
  double u2 = recur_rng_double (rng);

  return sqrt (-2.0 * log (u1)) * cos (2.0 * G_PI * u2);
}

void
recur_rng_shuffle (RecurRng *rng,
                   guint    *items,
                   guint     n)
{
  for (guint i = n; i > 1; i--)
    {
      guint j = recur_rng_below (rng, i);
      guint tmp = items[i - 1];
      items[i - 1] = items[j];
      items[j] = tmp;
    }
}
