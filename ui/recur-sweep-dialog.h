/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "recur-sweep.h"

G_BEGIN_DECLS

/* Called with the sweep's expanded points (RecurSweepPoint*, transfer full) when the user
 * queues them. */
typedef void (*RecurSweepQueueFunc) (GPtrArray *points,
                                     gpointer   user_data);

/* A dialog asking for one or two swept hyperparameters (a list of values or a range, as
 * `recur sweep --grid` takes them) over the base configuration, showing how many runs the grid
 * makes or what is wrong with the text, as it is typed. */
GtkWindow *recur_sweep_dialog_new (GtkWindow            *parent,
                                   const RecurJobConfig *base,
                                   RecurSweepQueueFunc   queue,
                                   gpointer              user_data);

G_END_DECLS
