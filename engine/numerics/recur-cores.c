/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <errno.h>
#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include "recur-cores.h"
#include "recur-sync.h"

/* How much lower a background thread's priority is than the process's */
#define BACKGROUND_NICE 10

/* One budget per process: the cores are the machine's. A static GMutex and GCond need no
 * initialisation; recur_mutex_* tells ThreadSanitizer about the lock. */
static GMutex lock;
static GCond freed;
static guint total;    /* 0: one per processor */
static guint in_use;
static guint peak;

void
recur_cores_yield_to_interactive (void)
{
#ifdef __linux__
  pid_t tid = (pid_t) syscall (SYS_gettid);
  int process, now;

  errno = 0;
  process = getpriority (PRIO_PROCESS, (id_t) getpid ());
  now = getpriority (PRIO_PROCESS, (id_t) tid);
  if (errno == 0 && now < MIN (process + BACKGROUND_NICE, 19))
    setpriority (PRIO_PROCESS, (id_t) tid, MIN (process + BACKGROUND_NICE, 19));
#endif
}

static guint
total_locked (void)
{
  return total ? total : (guint) g_get_num_processors ();
}

void
recur_cores_set_total (guint n)
{
  recur_mutex_lock (&lock);
  total = n;
  g_cond_broadcast (&freed);
  recur_mutex_unlock (&lock);
}

guint
recur_cores_get_total (void)
{
  guint n;

  recur_mutex_lock (&lock);
  n = total_locked ();
  recur_mutex_unlock (&lock);
  return n;
}

static void
take_locked (void)
{
  in_use++;
  peak = MAX (peak, in_use);
}

void
recur_cores_hold (void)
{
  recur_mutex_lock (&lock);
  take_locked ();
  recur_mutex_unlock (&lock);
}

void
recur_cores_release (void)
{
  gboolean held;

  recur_mutex_lock (&lock);
  held = in_use > 0;
  if (held)
    in_use--;
  g_cond_broadcast (&freed);
  recur_mutex_unlock (&lock);
  g_return_if_fail (held);
}

gboolean
recur_cores_take_spare (RecurCoresGiveUpFunc give_up,
                        gpointer             data)
{
  gboolean taken = FALSE;

  recur_mutex_lock (&lock);
  while (!give_up (data))
    {
      if (in_use < total_locked ())
        {
          take_locked ();
          taken = TRUE;
          break;
        }
      recur_cond_wait (&freed, &lock);
    }
  recur_mutex_unlock (&lock);
  return taken;
}

void
recur_cores_notify (void)
{
  recur_mutex_lock (&lock);
  g_cond_broadcast (&freed);
  recur_mutex_unlock (&lock);
}

guint
recur_cores_get_peak (void)
{
  guint n;

  recur_mutex_lock (&lock);
  n = peak;
  recur_mutex_unlock (&lock);
  return n;
}

void
recur_cores_reset_peak (void)
{
  recur_mutex_lock (&lock);
  peak = in_use;
  recur_mutex_unlock (&lock);
}
