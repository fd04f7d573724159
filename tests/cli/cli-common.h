/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* What the CLI tests share: running the built `recur` (RECUR_BIN) as a user would, and the
 * files around it. */

typedef struct
{
  int      status;     /* exit status, or -1 when it did not exit */
  gboolean signalled;  /* killed by a signal */
  char    *out;
  char    *err;
} Result;

void                 result_clear           (Result              *r);

/* A launcher with stdout and stderr piped and LC_ALL=C.UTF-8 (English messages), for a test
 * to add its environment or child setup to. */
GSubprocessLauncher *cli_launcher_new       (void);
/* Runs RECUR_BIN with args (NULL-terminated) from launcher (NULL: cli_launcher_new's) and
 * collects its output. */
Result               cli_run                (GSubprocessLauncher *launcher,
                                             const char *const   *args);
#define run_recur(...) cli_run (NULL, (const char *const[]) { __VA_ARGS__, NULL })

/* A child setup that limits the address space to GPOINTER_TO_SIZE (data) bytes. */
void                 cli_limit_address_space (gpointer            data);

/* A file of the bundled data/ folder. */
char                *data_file              (const char          *name);
/* A fresh folder, removed with everything in it when the test ends. */
char                *temp_dir               (void);

G_END_DECLS
