/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "recur-runs-view.h"
#include "recur-settings.h"

struct _RecurRunsView
{
  GtkWidget parent_instance;

  GtkWidget *box;
  GtkColumnView *table;
  GtkSortListModel *sorted;
  GtkMultiSelection *selection;
  GListModel *runs;
  GPtrArray *settings_labels;   /* bound labels of the Settings column, refreshed on selection */
};

G_DEFINE_FINAL_TYPE (RecurRunsView, recur_runs_view, GTK_TYPE_WIDGET)

enum
{
  SELECTION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ---- what a row shows -------------------------------------------------------------------- */

/* The test part's scores, comparable down the table: not an early Auto candidate's, whose
 * test part is another stretch (before Auto's origins). */
static const RecurEvaluation *
evaluation_of (RecurRun *run)
{
  if (recur_run_is_active (run) || recur_run_get_role (run) == RECUR_RUN_ROLE_EARLY_CANDIDATE)
    return NULL;
  return recur_job_get_evaluation (recur_run_get_job (run));
}

static double
test_metric (RecurRun *run,
             guint     which)
{
  const RecurEvaluation *ev = evaluation_of (run);

  if (ev == NULL)
    return NAN;
  switch (which)
    {
    case 0:
      return ev->model_metrics.mae;
    case 1:
      return ev->model_metrics.rmse;
    case 2:
      return ev->model_metrics.smape;
    case 3:
      return ev->model_metrics.mase;
    default:
      return ev->model_metrics.mase / ev->naive_metrics.mase;
    }
}

/* None for a run without a validation part (its best loss is a training loss) or for a floor
 * (a naive forecast's loss, in the units of its differences) */
static double
best_val_loss (RecurRun *run)
{
  const RecurProgress *p = recur_run_get_last_progress (run);

  if (recur_run_get_role (run) == RECUR_RUN_ROLE_FLOOR
      || recur_job_get_config (recur_run_get_job (run))->val_fraction <= 0)
    return NAN;
  return p->epoch ? p->best_loss : NAN;
}

/* The Settings column: every setting of the schema (recur-settings.h) whose value differs
 * between the selected runs, in bold and first, so that a narrow column still shows them; then
 * these, always; as "name value" in the names and texts `recur train` takes. The cell has its
 * own column. */
static const char *const always_shown[] = { "hidden", "layers", "window", "lr", "batch", "seed" };

static const RecurJobConfig *
config_of (RecurRun *run)
{
  return recur_job_get_config (recur_run_get_job (run));
}

static gboolean
compared (const RecurSetting *s)
{
  return !(s->flags & RECUR_SETTING_INTERNAL) && !g_str_equal (s->name, "model");
}

/* Whether the selected runs that the setting applies to (an ESN's leak, not an LSTM's) hold
 * two values of it or more. */
static gboolean
setting_differs (GPtrArray          *selected,
                 const RecurSetting *s)
{
  g_autofree char *first = NULL;

  for (guint i = 0; selected && i < selected->len; i++)
    {
      const RecurJobConfig *config = config_of (g_ptr_array_index (selected, i));
      g_autofree char *v = NULL;

      if (!recur_setting_applies (s, config))
        continue;
      v = recur_setting_format_value (s, config);
      if (first == NULL)
        first = g_steal_pointer (&v);
      else if (g_strcmp0 (v, first) != 0)
        return TRUE;
    }
  return FALSE;
}

static void
append_setting (GString            *out,
                const RecurSetting *s,
                RecurRun           *run,
                gboolean            differs)
{
  g_autofree char *value = NULL;
  g_autofree char *escaped = NULL;

  if (!recur_setting_applies (s, config_of (run)))
    return; /* what does nothing for this run is not shown for it */
  value = recur_setting_format_value (s, config_of (run));
  escaped = g_markup_escape_text (*value ? value : "—", -1);
  if (out->len)
    g_string_append (out, " · ");
  g_string_append_printf (out, differs ? "<b>%s %s</b>" : "%s %s", s->name, escaped);
}

static char *
settings_markup (RecurRunsView *self,
                 RecurRun      *run)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GPtrArray) selected = self ? recur_runs_view_get_selected (self) : NULL;
  guint n;
  const RecurSetting *settings = recur_settings_list (&n);

  for (guint i = 0; i < n; i++)
    if (compared (&settings[i]) && setting_differs (selected, &settings[i]))
      append_setting (out, &settings[i], run, TRUE);
  for (guint i = 0; i < G_N_ELEMENTS (always_shown); i++)
    {
      const RecurSetting *s = recur_settings_find (always_shown[i]);

      if (!setting_differs (selected, s))
        append_setting (out, s, run, FALSE);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* ---- columns ----------------------------------------------------------------------------- */

typedef enum
{
  COLUMN_NAME,
  COLUMN_MODEL,
  COLUMN_SETTINGS,
  COLUMN_STATUS,
  COLUMN_VAL_LOSS,
  COLUMN_MAE,
  COLUMN_RMSE,
  COLUMN_SMAPE,
  COLUMN_MASE,
  COLUMN_RELATIVE_MASE,
  COLUMN_DURATION,
  N_COLUMNS
} Column;

static const struct
{
  const char *title;
  const char *tooltip;
} columns[N_COLUMNS] = {
  { N_("Run"), N_("The run's name") },
  { N_("Model"), N_("The recurrent cell") },
  { N_("Settings"), N_("Main hyperparameters; those that differ between the selected runs in bold") },
  { N_("Status"), N_("Queued, training (with its progress), stopped, finished or failed") },
  { N_("Val. loss"), N_("Best validation loss (scaled units)") },
  { N_("MAE"), N_("Mean absolute error on the test part") },
  { N_("RMSE"), N_("Root mean squared error on the test part") },
  { N_("sMAPE %"), N_("Symmetric mean absolute percentage error on the test part") },
  { N_("MASE"), N_("Mean absolute scaled error on the test part: below 1 beats the in-sample seasonal naive error") },
  { N_("÷ naive"), N_("MASE divided by the naive forecast's MASE: below 1 beats repeating the last value") },
  { N_("Time"), N_("Training time") },
};

/* The sort key of a numeric column (NAN sorts last). */
static double
column_value (Column    column,
              RecurRun *run)
{
  switch (column)
    {
    case COLUMN_STATUS:
      return recur_run_get_status (run);
    case COLUMN_VAL_LOSS:
      return best_val_loss (run);
    case COLUMN_MAE:
    case COLUMN_RMSE:
    case COLUMN_SMAPE:
    case COLUMN_MASE:
    case COLUMN_RELATIVE_MASE:
      return test_metric (run, column - COLUMN_MAE);
    case COLUMN_DURATION:
      return recur_run_get_elapsed (run);
    default:
      return NAN;
    }
}

static char *
column_text (RecurRunsView *self,
             Column         column,
             RecurRun      *run)
{
  guint n, ended, training;
  double v;

  switch (column)
    {
    case COLUMN_NAME:
      return g_markup_escape_text (recur_run_get_name (run), -1);
    case COLUMN_MODEL:
      if (recur_run_get_role (run) == RECUR_RUN_ROLE_FLOOR)
        return g_strdup (config_of (run)->transform.seasonal_difference ? _("seasonal naive")
                                                                         : _("naive"));
      return g_strdup (recur_cell_to_string (config_of (run)->model.cell));
    case COLUMN_SETTINGS:
      if (recur_run_get_role (run) == RECUR_RUN_ROLE_FLOOR)
        return g_strdup (_("with drift"));
      return settings_markup (self, run);
    case COLUMN_STATUS:
      if (recur_run_get_status (run) == RECUR_RUN_TRAINING
          && (n = recur_run_count_members (run, &ended, &training)) > 0)
        /* Translators: an ensemble's members training now; those that have ended, of how many */
        return g_strdup_printf (_("%u training · %u/%u done"), training, ended, n);
      if (recur_run_get_status (run) == RECUR_RUN_TRAINING)
        return g_strdup_printf (_("epoch %u / %u"), recur_run_get_last_progress (run)->epoch,
                                recur_run_get_last_progress (run)->epochs);
      return g_markup_escape_text (recur_run_status_to_string (recur_run_get_status (run)), -1);
    case COLUMN_DURATION:
      v = recur_run_get_elapsed (run);
      return v > 0 ? g_strdup_printf (v < 1 ? _("%.2f s") : _("%.1f s"), v) : g_strdup ("—");
    default:
      v = column_value (column, run);
      return isfinite (v) ? g_strdup_printf ("%.4g", v) : g_strdup ("—");
    }
}

static Column
column_of (GtkListItemFactory *factory)
{
  return GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
}

/* A label's text, changed only when it differs: setting it queues a resize of the window,
 * whose layout is most of a frame's work while runs train. */
static void
set_cell_markup (GtkWidget  *label,
                 const char *markup)
{
  if (g_strcmp0 (gtk_label_get_label (GTK_LABEL (label)), markup) != 0)
    gtk_label_set_markup (GTK_LABEL (label), markup);
}

static void
update_cell (GtkListItem *item)
{
  RecurRunsView *self = g_object_get_data (G_OBJECT (item), "view");
  Column column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (item), "column"));
  RecurRun *run = gtk_list_item_get_item (item);
  GtkWidget *child = gtk_list_item_get_child (item);
  g_autofree char *text = NULL;

  if (run == NULL)
    return;
  text = column_text (self, column, run);
  if (column == COLUMN_STATUS)
    {
      GtkWidget *label = gtk_widget_get_first_child (child);
      GtkWidget *bar = gtk_widget_get_next_sibling (label);
      const GError *error = recur_run_get_error (run);
      set_cell_markup (label, text);
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), recur_run_get_fraction_done (run));
      gtk_widget_set_visible (bar, recur_run_is_active (run));
      gtk_widget_set_tooltip_text (child, error ? error->message : NULL);
    }
  else
    set_cell_markup (child, text);
  if (column == COLUMN_SETTINGS)
    {
      /* the whole list, a setting a line, for when the column cuts it short */
      g_auto(GStrv) settings = g_strsplit (text, " · ", -1);
      g_autofree char *lines = g_strjoinv ("\n", settings);

      gtk_widget_set_tooltip_markup (child, lines);
    }
}

static void
on_cell_setup (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               RecurRunsView            *self)
{
  Column column = column_of (GTK_LIST_ITEM_FACTORY (factory));
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), column >= COLUMN_VAL_LOSS ? 1.0f : 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (column >= COLUMN_VAL_LOSS)
    gtk_widget_add_css_class (label, "numeric");
  g_object_set_data (G_OBJECT (item), "view", self);
  g_object_set_data (G_OBJECT (item), "column", GUINT_TO_POINTER (column));
  if (column == COLUMN_STATUS)
    {
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
      GtkWidget *bar = gtk_progress_bar_new ();
      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), label);
      gtk_box_append (GTK_BOX (box), bar);
      gtk_list_item_set_child (item, box);
      return;
    }
  gtk_list_item_set_child (item, label);
}

#define TEXT_INTERVAL_US (G_USEC_PER_SEC / 5)

gboolean
recur_runs_view_text_due (gint64 *shown_at)
{
  gint64 now = g_get_monotonic_time ();

  if (*shown_at != 0 && now - *shown_at < TEXT_INTERVAL_US)
    return FALSE;
  *shown_at = now;
  return TRUE;
}

/* The table's numbers while a run trains, as often as recur_runs_view_text_due lets them; the
 * end of a run is shown at once (on_run_changed). */
static void
on_run_progress (RecurRun    *run,
                 GtkListItem *item)
{
  gint64 *shown = g_object_get_data (G_OBJECT (item), "shown-at");

  /* what training does not change is not asked again */
  if (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (item), "column")) == COLUMN_SETTINGS)
    return;
  if (shown == NULL)
    {
      shown = g_new0 (gint64, 1);
      g_object_set_data_full (G_OBJECT (item), "shown-at", shown, g_free);
    }
  if (recur_runs_view_text_due (shown))
    update_cell (item);
}

static void
on_run_changed (RecurRun    *run,
                GtkListItem *item)
{
  update_cell (item);
}

static void
on_cell_bind (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              RecurRunsView            *self)
{
  RecurRun *run = gtk_list_item_get_item (item);
  gulong progress = g_signal_connect (run, "progress", G_CALLBACK (on_run_progress), item);
  gulong finished = g_signal_connect (run, "finished", G_CALLBACK (on_run_changed), item);

  g_object_set_data (G_OBJECT (item), "progress-id", GSIZE_TO_POINTER (progress));
  g_object_set_data (G_OBJECT (item), "finished-id", GSIZE_TO_POINTER (finished));
  if (column_of (GTK_LIST_ITEM_FACTORY (factory)) == COLUMN_SETTINGS)
    g_ptr_array_add (self->settings_labels, item);
  update_cell (item);
}

static void
on_cell_unbind (GtkSignalListItemFactory *factory,
                GtkListItem              *item,
                RecurRunsView            *self)
{
  RecurRun *run = gtk_list_item_get_item (item);

  g_signal_handler_disconnect (run, GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "progress-id")));
  g_signal_handler_disconnect (run, GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (item), "finished-id")));
  g_ptr_array_remove_fast (self->settings_labels, item);
}

static int
compare_runs (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  Column column = GPOINTER_TO_UINT (data);
  RecurRun *x = RECUR_RUN ((gpointer) a), *y = RECUR_RUN ((gpointer) b);
  double u, v;

  if (column == COLUMN_NAME || column == COLUMN_MODEL || column == COLUMN_SETTINGS)
    {
      g_autofree char *s = column_text (NULL, column == COLUMN_SETTINGS ? COLUMN_NAME : column, x);
      g_autofree char *t = column_text (NULL, column == COLUMN_SETTINGS ? COLUMN_NAME : column, y);
      return g_utf8_collate (s, t);
    }
  u = column_value (column, x);
  v = column_value (column, y);
  if (isnan (u) || isnan (v))
    return isnan (u) - isnan (v); /* unknown values last */
  return (u > v) - (u < v);
}

static void
add_column (RecurRunsView *self,
            Column         column)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *col;
  GtkSorter *sorter = GTK_SORTER (gtk_custom_sorter_new (compare_runs, GUINT_TO_POINTER (column),
                                                         NULL));

  g_object_set_data (G_OBJECT (factory), "column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (on_cell_setup), self);
  g_signal_connect (factory, "bind", G_CALLBACK (on_cell_bind), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (on_cell_unbind), self);
  col = gtk_column_view_column_new (_(columns[column].title), factory);
  gtk_column_view_column_set_sorter (col, sorter);
  gtk_column_view_column_set_resizable (col, TRUE);
  gtk_column_view_column_set_expand (col, column == COLUMN_SETTINGS);
  /* sized to its content, the status column widened and narrowed the others as a training
   * run's progress text changed */
  if (column == COLUMN_STATUS)
    gtk_column_view_column_set_fixed_width (col, 120);
  gtk_column_view_append_column (self->table, col);
  g_object_unref (sorter);
  g_object_unref (col);
}

/* ---- selection --------------------------------------------------------------------------- */

static void
on_selection_changed (GtkSelectionModel *model,
                      guint              position,
                      guint              n_items,
                      RecurRunsView     *self)
{
  for (guint i = 0; i < self->settings_labels->len; i++)
    update_cell (g_ptr_array_index (self->settings_labels, i));
  g_signal_emit (self, signals[SELECTION_CHANGED], 0);
}

GPtrArray *
recur_runs_view_get_selected (RecurRunsView *self)
{
  GPtrArray *out = g_ptr_array_new ();
  GListModel *model = G_LIST_MODEL (self->selection);
  guint n = g_list_model_get_n_items (model);

  for (guint i = 0; i < n; i++)
    if (gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), i))
      {
        g_autoptr(RecurRun) run = g_list_model_get_item (model, i);
        g_ptr_array_add (out, run); /* the model keeps it alive */
      }
  return out;
}

void
recur_runs_view_select (RecurRunsView *self,
                        RecurRun      *run)
{
  GListModel *model = G_LIST_MODEL (self->selection);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(RecurRun) item = g_list_model_get_item (model, i);
      if (item == run)
        {
          gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), i, TRUE);
          return;
        }
    }
}

void
recur_runs_view_update (RecurRunsView *self,
                        RecurRun      *run)
{
  /* bound cells follow their run's signals; nothing else keeps row state */
  gtk_widget_queue_draw (GTK_WIDGET (self->table));
}

void
recur_runs_view_set_runs (RecurRunsView *self,
                          GListModel    *runs)
{
  g_set_object (&self->runs, runs);
  gtk_sort_list_model_set_model (self->sorted, runs);
}

/* ---- life cycle -------------------------------------------------------------------------- */

static void
recur_runs_view_dispose (GObject *object)
{
  RecurRunsView *self = RECUR_RUNS_VIEW (object);

  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->runs);
  G_OBJECT_CLASS (recur_runs_view_parent_class)->dispose (object);
}

static void
recur_runs_view_finalize (GObject *object)
{
  RecurRunsView *self = RECUR_RUNS_VIEW (object);

  g_ptr_array_unref (self->settings_labels);
  G_OBJECT_CLASS (recur_runs_view_parent_class)->finalize (object);
}

static void
recur_runs_view_class_init (RecurRunsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = recur_runs_view_dispose;
  object_class->finalize = recur_runs_view_finalize;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "recur-runs-view");
  signals[SELECTION_CHANGED] = g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 0);
}

/* Buttons acting on the selected runs through the window's actions. */
static GtkWidget *
toolbar_button (const char *label,
                const char *action,
                const char *tooltip)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static void
recur_runs_view_init (RecurRunsView *self)
{
  GtkWidget *toolbar = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *title = gtk_label_new (_("Runs"));
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkWidget *toolbar_scroller = gtk_scrolled_window_new ();
  g_autoptr(GListStore) empty = g_list_store_new (RECUR_TYPE_RUN);

  self->settings_labels = g_ptr_array_new ();
  self->box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (title), 0);
  gtk_widget_set_hexpand (title, TRUE);
  gtk_box_append (GTK_BOX (toolbar), title);
  gtk_box_append (GTK_BOX (toolbar), toolbar_button (_("_Sweep…"), "win.sweep",
                                                     _("Queue runs over a grid of hyperparameter values")));
  gtk_box_append (GTK_BOX (toolbar), toolbar_button (_("_Duplicate and Edit"), "win.duplicate-run",
                                                     _("Put the selected run's settings in the panel")));
  gtk_box_append (GTK_BOX (toolbar), toolbar_button (_("Res_ume"), "win.resume-runs",
                                                     _("Train the selected stopped runs on from where they stopped")));
  gtk_box_append (GTK_BOX (toolbar), toolbar_button (_("S_top"), "win.stop-runs",
                                                     _("Stop the selected runs; they keep their best weights")));
  gtk_box_append (GTK_BOX (toolbar), toolbar_button (_("_Rename…"), "win.rename-run",
                                                     _("Rename the selected run")));
  gtk_box_append (GTK_BOX (toolbar), toolbar_button (_("De_lete"), "win.delete-runs",
                                                     _("Remove the selected runs")));
  gtk_box_append (GTK_BOX (toolbar), toolbar_button (_("E_xport Table…"), "win.export-table",
                                                     _("Write the comparison table as CSV")));
  /* on a narrow screen the buttons scroll rather than widen the window past it */
  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (toolbar_scroller), GTK_POLICY_AUTOMATIC,
                                  GTK_POLICY_NEVER);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (toolbar_scroller), TRUE);
  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (toolbar_scroller), toolbar);
  gtk_box_append (GTK_BOX (self->box), toolbar_scroller);

  self->table = GTK_COLUMN_VIEW (gtk_column_view_new (NULL));
  gtk_column_view_set_show_column_separators (self->table, TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->table), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Runs"), -1);
  for (Column c = 0; c < N_COLUMNS; c++)
    add_column (self, c);
  self->sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (empty)),
                                          g_object_ref (gtk_column_view_get_sorter (self->table)));
  self->selection = gtk_multi_selection_new (G_LIST_MODEL (self->sorted));
  g_signal_connect (self->selection, "selection-changed", G_CALLBACK (on_selection_changed), self);
  gtk_column_view_set_model (self->table, GTK_SELECTION_MODEL (self->selection));
  g_object_unref (self->selection); /* the column view holds it */

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), GTK_WIDGET (self->table));
  gtk_widget_set_vexpand (scrolled, TRUE);
  gtk_box_append (GTK_BOX (self->box), scrolled);
}

GtkWidget *
recur_runs_view_new (void)
{
  return g_object_new (RECUR_TYPE_RUNS_VIEW, NULL);
}
