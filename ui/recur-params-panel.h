/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gtk/gtk.h>

#include "recur-job.h"

G_BEGIN_DECLS

/* The hyperparameter sidebar: a row for every setting of the schema (recur-settings.h) but the
 * column and the internal ones, under the schema's groups (Model, Forecast, Data, Training),
 * with a live parameter count whose tooltip lists every tensor. "changed" (no arguments) is
 * emitted once per change, be it made by the user, by recur_params_panel_set_config or by the
 * "Reset to defaults" button. */
#define RECUR_TYPE_PARAMS_PANEL (recur_params_panel_get_type ())
G_DECLARE_FINAL_TYPE (RecurParamsPanel, recur_params_panel, RECUR, PARAMS_PANEL, GtkWidget)

GtkWidget *recur_params_panel_new        (void);
/* Fills every field except config->column, which is left untouched. */
void       recur_params_panel_get_config (RecurParamsPanel     *self,
                                          RecurJobConfig       *config);
/* Shows config (its column is ignored) as it is: every value in its setting's range is shown
 * and comes back from get_config unchanged until the user changes its control. */
void       recur_params_panel_set_config (RecurParamsPanel     *self,
                                          const RecurJobConfig *config);
/* Parameters of the model the panel describes: recur_model_spec_count_params of its spec. */
/* Whether Train lets Auto choose the model ("Automatic", first under Model): on at first and
 * after a reset, off once set_config has put a configuration in the panel. */
gboolean   recur_params_panel_get_auto   (RecurParamsPanel     *self);
void       recur_params_panel_set_auto   (RecurParamsPanel     *self,
                                          gboolean              active);
guint64    recur_params_panel_get_n_params (RecurParamsPanel   *self);
/* The control that shows a setting, by its schema name ("hidden", "weight-decay"): a
 * GtkSpinButton, GtkScale, GtkSwitch, GtkDropDown or GtkEntry; NULL for one the panel does not
 * show. */
GtkWidget *recur_params_panel_get_control (RecurParamsPanel  *self,
                                           const char        *setting);

G_END_DECLS
