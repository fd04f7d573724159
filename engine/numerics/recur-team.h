/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A fixed team of threads that runs the tasks 0 … n−1 of one job and returns when all are done:
 * the caller's thread works as member 0, helpers as 1 … n_threads−1, member k taking tasks
 * k, k + n_threads, … Which thread runs a task never changes a result as long as tasks write
 * only their own buffers. The helpers sleep between jobs. */
typedef struct _RecurTeam RecurTeam;

typedef void (*RecurTaskFunc) (guint    task,
                               gpointer user_data);

RecurTeam *recur_team_new        (guint          n_threads);
void       recur_team_free       (RecurTeam     *self);
guint      recur_team_get_size   (const RecurTeam *self);
void       recur_team_run        (RecurTeam     *self,
                                  guint          n_tasks,
                                  RecurTaskFunc  func,
                                  gpointer       user_data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurTeam, recur_team_free)

G_END_DECLS
