/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

G_BEGIN_DECLS

/* `recur sweep FILE.csv --grid …`: many runs at once, compared. */
int recur_sweep_command   (int    argc,
                           char **argv);
/* `recur project info|export-table|relocate DIR.recur …`. */
int recur_project_command (int    argc,
                           char **argv);

G_END_DECLS
