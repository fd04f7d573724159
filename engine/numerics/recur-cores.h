/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The cores every training in this process shares, so that runs at once and an ensemble's
 * members together never ask for more threads than there are cores. A training's own thread
 * holds one while it trains, whatever is spare (what starts a run — the window's run pool, the
 * command line — already bounds how many train at once); a helper thread that would train more
 * of the same work (an ensemble's next member) takes a spare one for it, or waits. */

/* How many cores there are to share; 0: one per processor (the default). */
void     recur_cores_set_total   (guint n);
guint    recur_cores_get_total   (void);

/* The calling thread trains: one more core is in use, even past the total. */
void     recur_cores_hold        (void);
/* A core held or taken is free again: wakes a thread waiting for one. */
void     recur_cores_release     (void);

/* TRUE when the waiting thread has nothing left to take a core for; called with the budget's
 * lock held, so it may only read what it is given (atomically when other threads write it). */
typedef gboolean (*RecurCoresGiveUpFunc) (gpointer data);
/* Takes a spare core (TRUE), waiting until one is; FALSE, with none taken, as soon as give_up
 * says so. It is asked again whenever a core is released and at recur_cores_notify. */
gboolean recur_cores_take_spare  (RecurCoresGiveUpFunc give_up,
                                  gpointer             data);
/* Wakes the threads waiting in recur_cores_take_spare to ask their give_up again: call it after
 * changing what they read. */
void     recur_cores_notify      (void);

/* The calling thread, and the threads it starts from now on (they inherit it), yield the CPU to
 * the process's other threads: a nice value 10 above the process's (Linux keeps one per
 * thread). For the window's training workers: on a machine whose cores they fill, the main
 * loop would otherwise wait its turn behind them for every frame. Lasting: raising a thread's
 * priority back needs a privilege. Nothing where threads have no priority of their own. */
void     recur_cores_yield_to_interactive (void);

/* The most cores in use at once since the last reset (tests, benchmarks). */
guint    recur_cores_get_peak    (void);
void     recur_cores_reset_peak  (void);

G_END_DECLS
