/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* What Auto tried and why it chose (the report of recur_auto_to_json, as a run's job keeps it).
 *
 * One line for the metrics area, Pango markup, ending with a link ("auto-candidates") to the
 * table: "Auto chose esn, window 24, level last among 10 candidates (validation MASE 0.809 on 3
 * origins): the usual configuration: …". NULL for a report it cannot read. */
char      *recur_auto_report_summary    (JsonNode  *report);
/* A dialog with the table: each candidate, its validation MASE on each origin and their mean,
 * the seconds it took or why it failed; the chosen one marked, the floors said, the reason
 * below. Modal over parent; closes itself. */
GtkWindow *recur_auto_report_dialog_new (GtkWindow *parent,
                                         JsonNode  *report);

G_END_DECLS
