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
/* Whether text that follows a training run's progress (a cell of this table, the window's
 * status line) is due again, shown_at holding when it last was (0: never; updated when due): at
 * most 5 times a second, as a run tells its progress about 30 times a second, more than anyone
 * reads, and each change of a label's text lays the window out again. Plots keep the full rate. */
gboolean   recur_runs_view_text_due       (gint64        *shown_at);
/* Redraws a run's row (its status, progress or metrics changed). */
void       recur_runs_view_update         (RecurRunsView *self,
                                           RecurRun      *run);

G_END_DECLS
