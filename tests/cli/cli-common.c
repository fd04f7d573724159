/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include <sys/resource.h>
#include <stdlib.h>

#include "cli-common.h"
#include "../test-tmp.h"

void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
}

GSubprocessLauncher *
cli_launcher_new (void)
{
  GSubprocessLauncher *launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  return launcher;
}

Result
cli_run (GSubprocessLauncher *launcher,
         const char *const   *args)
{
  g_autoptr(GSubprocessLauncher) own = launcher ? NULL : cli_launcher_new ();
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  Result r = { 0 };

  g_ptr_array_add (argv, (char *) g_getenv ("RECUR_BIN"));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  proc = g_subprocess_launcher_spawnv (launcher ? launcher : own,
                                       (const char *const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (proc, NULL, NULL, &r.out, &r.err, &error);
  g_assert_no_error (error);
  r.signalled = g_subprocess_get_if_signaled (proc);
  r.status = g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc) : -1;
  return r;
}

void
cli_limit_address_space (gpointer data)
{
  rlim_t bytes = (rlim_t) GPOINTER_TO_SIZE (data);
  struct rlimit limit = { bytes, bytes };

  setrlimit (RLIMIT_AS, &limit); /* in the child, before exec */
}

char *
data_file (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "..", "data", name, NULL);
}

char *
temp_dir (void)
{
  char *dir = test_temp_dir ("recur-cli-test-XXXXXX");

  g_test_queue_free (dir);
  return dir;
}
