/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define RECUR_TYPE_APPLICATION (recur_application_get_type ())
G_DECLARE_FINAL_TYPE (RecurApplication, recur_application, RECUR, APPLICATION, GtkApplication)

RecurApplication *recur_application_new (void);

G_END_DECLS
