/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

/* Recur's locks and hand-offs between threads, made visible to ThreadSanitizer.
 *
 * GLib 2.74 builds GMutex and GCond on Linux from atomics and raw futex system calls inside
 * libglib, which is not instrumented: TSan sees neither the lock nor the order it gives, so every
 * access to data a GMutex protects looks like a race. The same goes for the hand-offs GLib makes:
 * a job pushed to a GThreadPool that already has an idle thread (a GAsyncQueue: a GMutex and a
 * GCond), a GTask returned from a worker, a source attached to the main context from another
 * thread (seen only when the main loop happens to read its wakeup eventfd after the write).
 * What TSan does see: threads started and joined (pthread_create and pthread_join are
 * intercepted), malloc and free, reads and writes of file descriptors, and the atomics compiled
 * into Recur itself (g_atomic_int_get and friends are macros over GCC's __atomic builtins).
 *
 * So Recur takes its GMutexes with recur_mutex_lock/unlock and waits on a GCond with
 * recur_cond_wait, which tell TSan about the lock through its mutex annotations (g_cond_signal
 * and g_cond_broadcast need none: what a waiter reads, it reads under the mutex). A hand-off
 * through GLib is marked at both ends: recur_sync_release (key) by the thread that hands over,
 * before it does; recur_sync_acquire (key) by the thread that receives, before it reads. Without
 * -fsanitize=thread all of it is the plain GLib call.
 *
 * GLib also allocates inside such a hand-off and lets the other thread free it: the node of a
 * GThreadPool's queue (malloc'd by the pushing thread, freed by the worker that pops it), the
 * source that g_task_return or g_idle_add attaches from a worker (freed by the main thread). TSan
 * sees the malloc and the free, not GLib's lock between them, and reports a race in memory Recur
 * never touches. No annotation on Recur's side can order them (both happen inside the GLib
 * call), so Recur makes exactly those calls inside recur_sync_ignore_begin/end: TSan then keeps
 * no record of what this thread touches within, and GLib's node is fresh memory to it. Only ever
 * around one such GLib call, never around Recur's own code.
 *
 * A lock taken straight with g_mutex_lock is invisible to TSan: in Recur, every GMutex goes
 * through these. */

#if defined(__SANITIZE_THREAD__)
#define RECUR_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RECUR_TSAN 1
#endif
#endif

#ifdef RECUR_TSAN
#include <sanitizer/tsan_interface.h>
/* in libtsan, not declared by GCC 12's header */
void __tsan_ignore_thread_begin (void);
void __tsan_ignore_thread_end (void);
#endif

G_BEGIN_DECLS

static inline void
recur_mutex_init (GMutex *mutex)
{
  g_mutex_init (mutex);
#ifdef RECUR_TSAN
  __tsan_mutex_create (mutex, 0);
#endif
}

static inline void
recur_mutex_clear (GMutex *mutex)
{
#ifdef RECUR_TSAN
  __tsan_mutex_destroy (mutex, 0);
#endif
  g_mutex_clear (mutex);
}

static inline void
recur_mutex_lock (GMutex *mutex)
{
#ifdef RECUR_TSAN
  __tsan_mutex_pre_lock (mutex, 0);
#endif
  g_mutex_lock (mutex);
#ifdef RECUR_TSAN
  __tsan_mutex_post_lock (mutex, 0, 0);
#endif
}

static inline void
recur_mutex_unlock (GMutex *mutex)
{
#ifdef RECUR_TSAN
  __tsan_mutex_pre_unlock (mutex, 0);
#endif
  g_mutex_unlock (mutex);
#ifdef RECUR_TSAN
  __tsan_mutex_post_unlock (mutex, 0);
#endif
}

/* g_cond_wait lets go of mutex while it sleeps and takes it again before it returns. */
static inline void
recur_cond_wait (GCond  *cond,
                 GMutex *mutex)
{
#ifdef RECUR_TSAN
  __tsan_mutex_pre_unlock (mutex, 0);
  __tsan_mutex_post_unlock (mutex, 0);
#endif
  g_cond_wait (cond, mutex);
#ifdef RECUR_TSAN
  __tsan_mutex_pre_lock (mutex, 0);
  __tsan_mutex_post_lock (mutex, 0, 0);
#endif
}

/* What this thread did before happens before what a thread does after recur_sync_acquire on the
 * same key: call it just before handing something over through GLib. */
static inline void
recur_sync_release (gconstpointer key)
{
#ifdef RECUR_TSAN
  __tsan_release ((void *) key);
#endif
}

static inline void
recur_sync_acquire (gconstpointer key)
{
#ifdef RECUR_TSAN
  __tsan_acquire ((void *) key);
#endif
}

/* Around one GLib call that hands GLib's own allocations to another thread (see above). */
static inline void
recur_sync_ignore_begin (void)
{
#ifdef RECUR_TSAN
  __tsan_ignore_thread_begin ();
#endif
}

static inline void
recur_sync_ignore_end (void)
{
#ifdef RECUR_TSAN
  __tsan_ignore_thread_end ();
#endif
}

G_END_DECLS
