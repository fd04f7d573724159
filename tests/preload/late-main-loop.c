/* SPDX-License-Identifier: GPL-3.0-or-later */
/* LD_PRELOAD shim for tests: every g_main_loop_run starts 100 ms late, as it does when the
 * main thread is descheduled on a loaded machine. Code that quits a main loop from another
 * thread before the loop has started running then hangs every time instead of now and then
 * (a g_main_loop_quit that comes before g_main_loop_run is lost). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <glib.h>

void g_main_loop_run (GMainLoop *loop);

void
g_main_loop_run (GMainLoop *loop)
{
  static void (*real_run) (GMainLoop *);

  if (real_run == NULL)
    real_run = (void (*) (GMainLoop *)) dlsym (RTLD_NEXT, "g_main_loop_run");
  g_usleep (100 * G_TIME_SPAN_MILLISECOND);
  real_run (loop);
}
