/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "recur-run.h"
#include "recur-series.h"

G_BEGIN_DECLS

#define RECUR_TYPE_WINDOW (recur_window_get_type ())
G_DECLARE_FINAL_TYPE (RecurWindow, recur_window, RECUR, WINDOW, GtkApplicationWindow)

/* app may be NULL (tests). */
GtkWidget   *recur_window_new             (GtkApplication *app);
/* Loads a CSV in the background; on failure the message is shown in the window and the
 * series loaded before stays. */
void         recur_window_open_path       (RecurWindow    *self,
                                           const char     *path);
/* Makes a project folder at path (Save Project As…) and keeps every run of the window in it,
 * as they train; a failure (the folder not empty, or in use by another process) is shown. */
void         recur_window_save_project    (RecurWindow    *self,
                                           const char     *path);
/* Opens a project folder: its CSV (asking where it is when it moved) and its runs; a project
 * another process is writing to is refused, the message naming that process. */
void         recur_window_open_project    (RecurWindow    *self,
                                           const char     *path);
gboolean     recur_window_is_loading      (RecurWindow    *self);
gboolean     recur_window_is_training     (RecurWindow    *self);
/* The loaded series (NULL before one is) and the current run (NULL before the first). */
RecurSeries *recur_window_get_series      (RecurWindow    *self);
RecurRun    *recur_window_get_run         (RecurWindow    *self);
/* Every run of the window (a GListModel of RecurRun), and how many the overlays show. */
GListModel  *recur_window_get_runs        (RecurWindow    *self);
guint        recur_window_get_n_overlaid  (RecurWindow    *self);
/* How many runs the app trains at once (the "runs-at-once" setting, or one per core). */
guint        recur_window_get_runs_at_once (RecurWindow   *self);
/* The message shown in the error banner, NULL when none. */
const char  *recur_window_get_error_text  (RecurWindow    *self);
/* The rows the series plot shades: the validation part from val_start, the test part from
 * test_start (both the row count when there is none): the panel's split, or with Automatic on
 * the one Auto will use (its origins from val_start). */
void         recur_window_get_split       (RecurWindow    *self,
                                           guint          *val_start,
                                           guint          *test_start);

G_END_DECLS
