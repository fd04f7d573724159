/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The kill loop: a process that trains runs into a project (`recur sweep --project`, or the
 * window in a child of the GUI test) is killed with SIGKILL at random moments, from a fixed
 * seed, and each time the project must open with every finished run intact and at most the
 * epoch in progress of each other run lost, every number bit for bit what an uninterrupted run
 * of the same configuration gives. As SQLite's crash tests do: a child process does the work and
 * dies at a random point, the parent opens what it left and checks it. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The child's command line (NULL-terminated, transfer full) for a project to write at path. */
typedef GStrv (*KillLoopArgvFunc) (const char *project,
                                   gpointer    user_data);

typedef struct
{
  const char      *what;        /* for messages: "recur sweep", "the window" */
  const char      *csv;         /* the data the runs train on */
  const char      *recur;       /* the recur executable, for `recur project info --json` */
  guint            n_runs;      /* how many runs the child trains */
  guint            iterations;
  guint32          seed;
  KillLoopArgvFunc argv_for;
  gpointer         user_data;
} KillLoop;

/* Runs the child once to the end (it must finish every run, intact), then `iterations` times
 * killed at a moment drawn from seed over its start-up, training, writing and ending; checks the
 * project each time. Fails the test at the first violation, naming the iteration and moment. */
void kill_loop_run (const KillLoop *loop);

G_END_DECLS
