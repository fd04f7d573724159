/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>

#include "recur-sweep-dialog.h"

typedef struct
{
  RecurJobConfig base;
  GtkEditable *first;
  GtkEditable *second;
  GtkLabel *preview;
  GtkWidget *queue_button;
  RecurSweepQueueFunc queue;
  gpointer user_data;
} SweepDialog;

static void
sweep_dialog_free (gpointer data)
{
  SweepDialog *d = data;

  recur_job_config_clear (&d->base);
  g_free (d);
}

/* The grid the entries describe, or NULL and why not. */
static GPtrArray *
expand (SweepDialog  *d,
        GError      **error)
{
  g_autoptr(RecurSweep) sweep = recur_sweep_new (&d->base);
  const char *first = gtk_editable_get_text (d->first);
  const char *second = gtk_editable_get_text (d->second);

  if (!recur_sweep_add_grid (sweep, first, error))
    return NULL;
  if (*second && !recur_sweep_add_grid (sweep, second, error))
    return NULL;
  return recur_sweep_expand (sweep, error);
}

static void
on_changed (SweepDialog *d)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) points = expand (d, &error);
  g_autofree char *text = NULL;

  if (points)
    text = g_strdup_printf (ngettext ("%u run will be queued", "%u runs will be queued",
                                      points->len), points->len);
  gtk_label_set_text (d->preview, points ? text : error->message);
  gtk_widget_set_sensitive (d->queue_button, points != NULL);
}

static void
on_response (GtkDialog *dialog,
             int        response,
             gpointer   data)
{
  SweepDialog *d = data;

  if (response == GTK_RESPONSE_ACCEPT)
    {
      GPtrArray *points = expand (d, NULL);
      if (points)
        d->queue (points, d->user_data);
    }
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static GtkEditable *
add_entry (GtkGrid    *grid,
           int         row,
           const char *label,
           const char *placeholder,
           const char *text)
{
  GtkWidget *name = gtk_label_new (label);
  GtkWidget *entry = gtk_entry_new ();

  gtk_label_set_xalign (GTK_LABEL (name), 0);
  g_object_set (entry, "placeholder-text", placeholder, "hexpand", TRUE, NULL);
  gtk_editable_set_text (GTK_EDITABLE (entry), text);
  gtk_accessible_update_relation (GTK_ACCESSIBLE (entry), GTK_ACCESSIBLE_RELATION_LABELLED_BY,
                                  name, NULL, -1);
  gtk_grid_attach (grid, name, 0, row, 1, 1);
  gtk_grid_attach (grid, entry, 1, row, 1, 1);
  return GTK_EDITABLE (entry);
}

static char *
sweepable_names (void)
{
  g_autoptr(GString) names = g_string_new (NULL);
  guint n;
  const RecurSweepParam *params = recur_sweep_list_params (&n);

  for (guint i = 0; i < n; i++)
    g_string_append_printf (names, "%s%s", i ? ", " : "", params[i].name);
  return g_string_free (g_steal_pointer (&names), FALSE);
}

GtkWindow *
recur_sweep_dialog_new (GtkWindow            *parent,
                        const RecurJobConfig *base,
                        RecurSweepQueueFunc   queue,
                        gpointer              user_data)
{
  SweepDialog *d = g_new0 (SweepDialog, 1);
  GtkWidget *dialog, *grid, *help;
  g_autofree char *names = sweepable_names ();
  g_autofree char *help_text = NULL;

  recur_job_config_copy (&d->base, base);
  d->queue = queue;
  d->user_data = user_data;
  G_GNUC_BEGIN_IGNORE_DEPRECATIONS
  dialog = gtk_dialog_new_with_buttons (_("Sweep Hyperparameters"), parent,
                                        GTK_DIALOG_MODAL | GTK_DIALOG_DESTROY_WITH_PARENT
                                          | GTK_DIALOG_USE_HEADER_BAR,
                                        _("_Cancel"), GTK_RESPONSE_CANCEL,
                                        _("_Queue Runs"), GTK_RESPONSE_ACCEPT, NULL);
  d->queue_button = gtk_dialog_get_widget_for_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
  gtk_widget_add_css_class (d->queue_button, "suggested-action");
  grid = gtk_grid_new ();
  gtk_grid_set_row_spacing (GTK_GRID (grid), 8);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 12);
  g_object_set (grid, "margin-start", 16, "margin-end", 16, "margin-top", 16, "margin-bottom",
                16, NULL);
  d->first = add_entry (GTK_GRID (grid), 0, _("Sweep"), "hidden=16,32,64", "hidden=16,32,64");
  d->second = add_entry (GTK_GRID (grid), 1, _("and"), "lr=1e-3,3e-3,1e-2", "");
  help_text = g_strdup_printf (_("Each line is NAME=VALUES: a list (hidden=16,32,64) or a range "
                                 "START:STOP:COUNT or START:STOP:log:COUNT (lr=1e-3:1e-1:log:5). Every other "
                                 "setting comes from the panel. Parameters: %s."), names);
  help = gtk_label_new (help_text);
  gtk_label_set_wrap (GTK_LABEL (help), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (help), 60);
  gtk_label_set_xalign (GTK_LABEL (help), 0);
  gtk_widget_add_css_class (help, "dim-label");
  gtk_grid_attach (GTK_GRID (grid), help, 0, 2, 2, 1);
  d->preview = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (d->preview, 0);
  gtk_label_set_wrap (d->preview, TRUE);
  gtk_grid_attach (GTK_GRID (grid), GTK_WIDGET (d->preview), 0, 3, 2, 1);
  gtk_box_append (GTK_BOX (gtk_dialog_get_content_area (GTK_DIALOG (dialog))), grid);
  G_GNUC_END_IGNORE_DEPRECATIONS

  g_object_set_data_full (G_OBJECT (dialog), "sweep-dialog", d, sweep_dialog_free);
  g_signal_connect_swapped (d->first, "changed", G_CALLBACK (on_changed), d);
  g_signal_connect_swapped (d->second, "changed", G_CALLBACK (on_changed), d);
  g_signal_connect (dialog, "response", G_CALLBACK (on_response), d);
  on_changed (d);
  return GTK_WINDOW (dialog);
}
