/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the files of the main window (GNOME Text Editor's editor-window-private.h
 * pattern): the instance struct, and the functions one file calls in another.
 *   recur-window.c          messages, actions and the life cycle
 *   recur-window-series.c   the series, its split, and loading a CSV
 *   recur-window-panes.c    the training panes: loss, predictions, heatmap, gradient flow, status
 *   recur-window-runs.c     the runs: colours, starting, focus, project sync, the selected runs
 *   recur-window-export.c   exporting forecasts, weights, plots and the runs table
 *   recur-window-sweep.c    sweeps and their results plot
 *   recur-window-project.c  saving and opening projects */

#include "recur-comparison.h"
#include "recur-params-panel.h"
#include "recur-plot-view.h"
#include "recur-project.h"
#include "recur-runs-view.h"
#include "recur-window.h"

G_BEGIN_DECLS

/* What the series view shows: the chosen column with its gaps. */
typedef struct
{
  guint n;
  double *x;
  double *values;
  gboolean *missing;
} SeriesData;

struct _RecurWindow
{
  GtkApplicationWindow parent_instance;

  /* template children */
  GtkWidget *train_button;
  GtkWidget *stop_button;
  RecurRunsView *runs_view;
  GtkMenuButton *recent_button;
  GtkMenuButton *export_button;
  GtkLabel *subtitle_label;
  GtkRevealer *banner_revealer;
  GtkLabel *banner_label;
  GtkDropDown *column_dropdown;
  GtkMenuButton *inputs_button;
  GtkBox *inputs_box;        /* a check button per other numeric column, its name as "column" */
  GtkLabel *data_summary_label;
  GtkLabel *columns_label;
  GtkLabel *problems_label;
  RecurParamsPanel *params;
  RecurPlotView *series_view;
  RecurPlotView *loss_view;
  RecurPlotView *predictions_view;
  RecurPlotView *heatmap_view;
  RecurPlotView *gradflow_view;
  RecurPlotView *sweep_view;
  GtkStack *inside_stack;
  GtkDropDown *state_dropdown;
  GtkDropDown *layer_dropdown;
  GtkSpinButton *window_spin;
  GtkAdjustment *window_adjustment;
  GtkLabel *status_label;
  GtkLabel *metrics_label;

  RecurSeries *series;
  GArray *numeric_columns;   /* guint: series column of each drop-down entry */
  SeriesData shown;
  guint val_start;           /* split of the shown column with the panel's settings */
  guint test_start;
  GCancellable *load_cancellable;
  char *error_text;

  GListStore *runs;          /* every run of this window, in the order started */
  guint n_started;
  RecurRun *run;             /* the run the views show: the latest started or selected */
  gint64 status_shown_at;    /* when the status line last followed the run's progress (µs) */
  gboolean close_after_stop;
  RecurStateKind states[RECUR_N_STATES + 1]; /* drop-down position → state kind; RECUR_N_STATES:
                                               * a clockwork network's update schedule */
  guint refit_id;            /* a pending instant re-fit of an echo state network */

  /* the project the runs are kept in (NULL until saved or opened), each run's entry in it */
  RecurProject *project;
  GHashTable *project_runs;  /* RecurRun* → RecurProjectRun* */

  /* the latest sweep: its runs and the values they swept, for the results plot */
  GPtrArray *sweep_runs;     /* RecurRun */
  GPtrArray *sweep_points;   /* RecurSweepPoint, parallel to sweep_runs */
};

typedef enum
{
  EXPORT_FORECAST,
  EXPORT_WEIGHTS,
  EXPORT_ONNX,
  EXPORT_PLOT,
  EXPORT_TABLE,
} ExportKind;

/* ---- recur-window.c ----------------------------------------------------------------------- */

GThreadPool     *recur_window_run_pool                  (void);
void             recur_window_show_error                (RecurWindow *self,
                                                         const char  *message);
void             recur_window_dismiss_error             (RecurWindow *self);
void             recur_window_update_actions            (RecurWindow *self);

/* ---- recur-window-series.c ---------------------------------------------------------------- */

void             recur_window_series_data_clear         (SeriesData *d);
guint            recur_window_selected_column           (RecurWindow *self);
void             recur_window_show_column               (RecurWindow *self);
/* The input columns ticked beside the target (NULL for none), and ticking those of names. */
char           **recur_window_selected_inputs           (RecurWindow *self);
void             recur_window_set_inputs                (RecurWindow *self,
                                                         char *const *names);
void             recur_window_current_config            (RecurWindow    *self,
                                                         RecurJobConfig *config);
void             recur_window_update_split              (RecurWindow *self);
void             recur_window_draw_series               (cairo_t              *cr,
                                                         double                width,
                                                         double                height,
                                                         const RecurPlotStyle *style,
                                                         double                pointer_x,
                                                         double                zoom_min,
                                                         double                zoom_max,
                                                         gpointer              user_data);
void             recur_window_set_series                (RecurWindow *self,
                                                         RecurSeries *series);

/* ---- recur-window-panes.c ----------------------------------------------------------------- */

void             recur_window_draw_loss                 (cairo_t              *cr,
                                                         double                width,
                                                         double                height,
                                                         const RecurPlotStyle *style,
                                                         double                pointer_x,
                                                         double                zoom_min,
                                                         double                zoom_max,
                                                         gpointer              user_data);
void             recur_window_draw_predictions          (cairo_t              *cr,
                                                         double                width,
                                                         double                height,
                                                         const RecurPlotStyle *style,
                                                         double                pointer_x,
                                                         double                zoom_min,
                                                         double                zoom_max,
                                                         gpointer              user_data);
void             recur_window_draw_heatmap              (cairo_t              *cr,
                                                         double                width,
                                                         double                height,
                                                         const RecurPlotStyle *style,
                                                         double                pointer_x,
                                                         double                zoom_min,
                                                         double                zoom_max,
                                                         gpointer              user_data);
void             recur_window_draw_gradflow             (cairo_t              *cr,
                                                         double                width,
                                                         double                height,
                                                         const RecurPlotStyle *style,
                                                         double                pointer_x,
                                                         double                zoom_min,
                                                         double                zoom_max,
                                                         gpointer              user_data);
void             recur_window_queue_training_views      (RecurWindow *self);
void             recur_window_update_status             (RecurWindow *self);
void             recur_window_update_metrics            (RecurWindow *self);
/* "activate-link" of the metrics line: its link opens Auto's table. */
gboolean         recur_window_on_metrics_link           (RecurWindow *self,
                                                         const char  *uri);
void             recur_window_fill_state_dropdown       (RecurWindow          *self,
                                                         const RecurJobConfig *c);
gboolean         recur_window_on_window_spin_output     (GtkSpinButton *spin,
                                                         RecurWindow   *self);
void             recur_window_on_window_spin_changed    (RecurWindow *self);
void             recur_window_setup_window_spin         (RecurWindow *self);

/* ---- recur-window-runs.c ------------------------------------------------------------------ */

guint            recur_window_run_colour                (RecurWindow *self,
                                                         RecurRun    *run);
gboolean         recur_window_any_run_active            (RecurWindow *self);
void             recur_window_stop_all_runs             (RecurWindow *self);
GPtrArray       *recur_window_overlaid_runs             (RecurWindow *self);
void             recur_window_add_to_project            (RecurWindow *self,
                                                         RecurRun    *run);
void             recur_window_on_run_progress           (RecurRun    *run,
                                                         RecurWindow *self);
void             recur_window_focus_run                 (RecurWindow *self,
                                                         RecurRun    *run);
void             recur_window_on_runs_selection_changed (RecurWindow *self);
void             recur_window_start_run                 (RecurWindow *self,
                                                         RecurRun    *run);
void             recur_window_start_runs                (RecurWindow *self,
                                                         GPtrArray   *runs);
void             recur_window_train                     (RecurWindow *self);
void             recur_window_action_stop_runs          (GtkWidget  *widget,
                                                         const char *action,
                                                         GVariant   *param);
void             recur_window_action_resume_runs        (GtkWidget  *widget,
                                                         const char *action,
                                                         GVariant   *param);
void             recur_window_action_duplicate_run      (GtkWidget  *widget,
                                                         const char *action,
                                                         GVariant   *param);
void             recur_window_action_delete_runs        (GtkWidget  *widget,
                                                         const char *action,
                                                         GVariant   *param);
void             recur_window_action_rename_run         (GtkWidget  *widget,
                                                         const char *action,
                                                         GVariant   *param);
RecurComparison *recur_window_comparison_of_runs        (RecurWindow *self);

/* ---- recur-window-export.c ---------------------------------------------------------------- */

void             recur_window_ask_export                (RecurWindow *self,
                                                         ExportKind   kind,
                                                         const char  *plot);

/* ---- recur-window-sweep.c ----------------------------------------------------------------- */

void             recur_window_draw_sweep                (cairo_t              *cr,
                                                         double                width,
                                                         double                height,
                                                         const RecurPlotStyle *style,
                                                         double                pointer_x,
                                                         double                zoom_min,
                                                         double                zoom_max,
                                                         gpointer              user_data);
void             recur_window_action_sweep              (GtkWidget  *widget,
                                                         const char *action,
                                                         GVariant   *param);

/* ---- recur-window-project.c --------------------------------------------------------------- */

void             recur_window_action_save_project       (GtkWidget  *widget,
                                                         const char *action,
                                                         GVariant   *param);
void             recur_window_action_open_project       (GtkWidget  *widget,
                                                         const char *action,
                                                         GVariant   *param);

G_END_DECLS
