/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "recur-run.h"

G_BEGIN_DECLS

/* The table of runs: name, model, the settings that differ between the selected runs in bold,
 * status with progress, best validation loss, test metrics, MASE against the naive forecast,
 * duration; sortable by every column, several rows selectable. The toolbar's buttons act on the
 * selection through the "win.*" run actions of the window.
 *
 * Signal "selection-changed": the selected runs changed (see recur_runs_view_get_selected). */
#define RECUR_TYPE_RUNS_VIEW (recur_runs_view_get_type ())
G_DECLARE_FINAL_TYPE (RecurRunsView, recur_runs_view, RECUR, RUNS_VIEW, GtkWidget)

GtkWidget *recur_runs_view_new            (void);
/* A GListModel of RecurRun, shown in the table. */
void       recur_runs_view_set_runs       (RecurRunsView *self,
                                           GListModel    *runs);
/* The selected runs, in table order (transfer container). */
GPtrArray *recur_runs_view_get_selected   (RecurRunsView *self);
/* Selects exactly this run. */
void       recur_runs_view_select         (RecurRunsView *self,
                                           RecurRun      *run);
/* Redraws a run's row (its status, progress or metrics changed). */
void       recur_runs_view_update         (RecurRunsView *self,
                                           RecurRun      *run);

G_END_DECLS
