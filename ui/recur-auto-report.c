/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "recur-auto-report.h"

/* A number of the report, or NAN where it wrote null (a candidate that failed). */
static double
number_member (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node && JSON_NODE_HOLDS_VALUE (node) ? json_node_get_double (node) : NAN;
}

static char *
format_mase (double v)
{
  return isfinite (v) ? g_strdup_printf ("%.3f", v) : g_strdup ("–");
}

/* The report's parts, checked: an object with candidates (objects), origins and a chosen name. */
static gboolean
read_report (JsonNode    *report,
             JsonObject **root,
             JsonArray  **candidates,
             JsonArray  **origins)
{
  JsonNode *node;

  if (report == NULL || !JSON_NODE_HOLDS_OBJECT (report))
    return FALSE;
  *root = json_node_get_object (report);
  node = json_object_get_member (*root, "candidates");
  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  *candidates = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (*candidates); i++)
    if (!JSON_NODE_HOLDS_OBJECT (json_array_get_element (*candidates, i)))
      return FALSE;
  node = json_object_get_member (*root, "origins");
  *origins = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  return json_object_get_string_member_with_default (*root, "chosen", NULL) != NULL;
}

static JsonObject *
chosen_candidate (JsonArray *candidates)
{
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    {
      JsonObject *c = json_array_get_object_element (candidates, i);
      if (json_object_get_boolean_member_with_default (c, "chosen", FALSE))
        return c;
    }
  return NULL;
}

char *
recur_auto_report_summary (JsonNode *report)
{
  JsonObject *root, *chosen;
  JsonArray *candidates, *origins;
  g_autofree char *name = NULL, *reason = NULL, *mase = NULL;

  if (!read_report (report, &root, &candidates, &origins))
    return NULL;
  chosen = chosen_candidate (candidates);
  name = g_markup_escape_text (json_object_get_string_member (root, "chosen"), -1);
  reason = g_markup_escape_text (json_object_get_string_member_with_default (root, "reason", ""),
                                 -1);
  mase = format_mase (chosen ? number_member (chosen, "validation_mase") : NAN);
  /* Translators: Pango markup. The chosen configuration, how many candidates, its validation
   * MASE, how many origins, why it was chosen; keep the <a href="auto-candidates"> link */
  return g_strdup_printf (_("Auto chose <b>%s</b> among %u candidates (validation MASE %s on %u "
                            "origins before the test part): %s. "
                            "<a href=\"auto-candidates\">All candidates…</a>"),
                          name, json_array_get_length (candidates), mase,
                          origins ? json_array_get_length (origins) : 0, reason);
}

static GtkWidget *
cell (const char *text,
      gboolean    bold,
      float       xalign)
{
  GtkWidget *label = gtk_label_new (NULL);
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *markup = bold ? g_strdup_printf ("<b>%s</b>", escaped) : NULL;

  gtk_label_set_markup (GTK_LABEL (label), bold ? markup : escaped);
  gtk_label_set_xalign (GTK_LABEL (label), xalign);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  return label;
}

/* The validation MASE (bold when chosen) and each origin's, from column col on; returns the
 * next column. */
static int
add_score_cells (GtkGrid    *grid,
                 int         row,
                 int         col,
                 JsonObject *scored,
                 guint       n_origins,
                 gboolean    bold)
{
  JsonNode *per = json_object_get_member (scored, "per_origin");
  JsonArray *per_origin = per && JSON_NODE_HOLDS_ARRAY (per) ? json_node_get_array (per) : NULL;
  g_autofree char *mase = format_mase (number_member (scored, "validation_mase"));

  gtk_grid_attach (grid, cell (mase, bold, 1), col++, row, 1, 1);
  for (guint k = 0; k < n_origins; k++)
    {
      double v = NAN;
      g_autofree char *text = NULL;

      if (per_origin && k < json_array_get_length (per_origin)
          && JSON_NODE_HOLDS_VALUE (json_array_get_element (per_origin, k)))
        v = json_array_get_double_element (per_origin, k);
      text = format_mase (v);
      gtk_grid_attach (grid, cell (text, FALSE, 1), col++, row, 1, 1);
    }
  return col;
}

/* One row per candidate: ✓, name, mean, each origin, seconds or why it failed. */
static void
add_candidate_row (GtkGrid    *grid,
                   int         row,
                   JsonObject *c,
                   guint       n_origins)
{
  gboolean chosen = json_object_get_boolean_member_with_default (c, "chosen", FALSE);
  gboolean floor = json_object_get_boolean_member_with_default (c, "floor", FALSE);
  const char *error = json_object_get_string_member_with_default (c, "error", NULL);
  const char *plain = json_object_get_string_member_with_default (c, "name", "");
  /* Translators: a candidate of Auto's table that is a naive forecast, not a network */
  g_autofree char *name = floor ? g_strdup_printf (_("%s (floor)"), plain) : g_strdup (plain);
  g_autofree char *seconds = NULL;
  int col = 0;

  gtk_grid_attach (grid, cell (chosen ? "✓" : "", TRUE, 0.5), col++, row, 1, 1);
  gtk_grid_attach (grid, cell (name, chosen, 0), col++, row, 1, 1);
  col = add_score_cells (grid, row, col, c, n_origins, chosen);
  if (error)
    seconds = g_strdup (error);
  else
    /* Translators: how long a candidate took to train, in seconds */
    seconds = g_strdup_printf (_("%.1f s"), number_member (c, "seconds"));
  gtk_grid_attach (grid, cell (seconds, FALSE, error ? 0 : 1), col, row, 1, 1);
}

/* The Theta method's row, below the candidates: "+" when its forecast was averaged with the
 * chosen one's, its scores on the same origins. Reports from before Theta have no row. */
static void
add_theta_row (GtkGrid    *grid,
               int         row,
               JsonObject *root,
               guint       n_origins)
{
  JsonNode *node = json_object_get_member (root, "theta");
  JsonObject *theta;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return;
  theta = json_node_get_object (node);
  add_score_cells (grid, row, 2, theta, n_origins, FALSE);
  gtk_grid_attach (grid,
                   cell (json_object_get_boolean_member_with_default (theta, "averaged", FALSE)
                           ? "+" : "", TRUE, 0.5),
                   0, row, 1, 1);
  /* Translators: the Theta method's row in Auto's table of candidates */
  gtk_grid_attach (grid, cell (_("Theta method (averaged in if under 2 × the chosen)"), FALSE, 0),
                   1, row, 1, 1);
}

static GtkWidget *
candidates_grid (JsonObject *root,
                 JsonArray  *candidates,
                 JsonArray  *origins)
{
  GtkWidget *grid = gtk_grid_new ();
  guint n_origins = origins ? json_array_get_length (origins) : 0;
  int col = 0;

  gtk_grid_set_row_spacing (GTK_GRID (grid), 4);
  gtk_grid_set_column_spacing (GTK_GRID (grid), 14);
  gtk_grid_attach (GTK_GRID (grid), cell ("", TRUE, 0), col++, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), cell (_("Candidate"), TRUE, 0), col++, 0, 1, 1);
  gtk_grid_attach (GTK_GRID (grid), cell (_("Validation MASE"), TRUE, 1), col++, 0, 1, 1);
  for (guint k = 0; k < n_origins; k++)
    {
      /* Translators: a column of Auto's table: the MASE of the forecast from origin k (a row
       * number of the series) */
      g_autofree char *title = g_strdup_printf (_("from row %u"),
                                                (guint) json_array_get_int_element (origins, k));
      gtk_grid_attach (GTK_GRID (grid), cell (title, TRUE, 1), col++, 0, 1, 1);
    }
  gtk_grid_attach (GTK_GRID (grid), cell (_("Time"), TRUE, 1), col, 0, 1, 1);
  for (guint i = 0; i < json_array_get_length (candidates); i++)
    add_candidate_row (GTK_GRID (grid), (int) i + 1, json_array_get_object_element (candidates, i),
                       n_origins);
  add_theta_row (GTK_GRID (grid), (int) json_array_get_length (candidates) + 1, root, n_origins);
  return grid;
}

GtkWindow *
recur_auto_report_dialog_new (GtkWindow *parent,
                              JsonNode  *report)
{
  JsonObject *root;
  JsonArray *candidates, *origins;
  GtkWidget *dialog, *box, *intro, *reason, *scroll, *close;
  GtkEventController *shortcuts;
  g_autofree char *reason_text = NULL;

  dialog = gtk_window_new ();
  gtk_window_set_title (GTK_WINDOW (dialog), _("Auto’s Candidates"));
  gtk_window_set_transient_for (GTK_WINDOW (dialog), parent);
  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (dialog), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (dialog), -1, 440);
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 10);
  g_object_set (box, "margin-start", 16, "margin-end", 16, "margin-top", 16, "margin-bottom", 16,
                NULL);
  intro = gtk_label_new (_("Each candidate was trained on the points before the origins and "
                           "forecast the horizon from each origin; the table gives the MASE of "
                           "those forecasts. No value of the test part was read."));
  gtk_label_set_wrap (GTK_LABEL (intro), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (intro), 80);
  gtk_label_set_xalign (GTK_LABEL (intro), 0);
  gtk_widget_add_css_class (intro, "dim-label");
  gtk_box_append (GTK_BOX (box), intro);
  scroll = gtk_scrolled_window_new ();
  gtk_widget_set_vexpand (scroll, TRUE);
  /* as wide as the table, up to the screen */
  gtk_scrolled_window_set_propagate_natural_width (GTK_SCROLLED_WINDOW (scroll), TRUE);
  gtk_box_append (GTK_BOX (box), scroll);
  if (read_report (report, &root, &candidates, &origins))
    {
      gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scroll),
                                     candidates_grid (root, candidates, origins));
      /* Translators: below Auto's table: why the marked candidate was chosen */
      reason_text = g_strdup_printf (_("Chosen: %s"),
                                     json_object_get_string_member_with_default (root, "reason",
                                                                                 ""));
    }
  else
    reason_text = g_strdup (_("This run’s report of Auto’s choice cannot be read."));
  reason = gtk_label_new (reason_text);
  gtk_label_set_wrap (GTK_LABEL (reason), TRUE);
  gtk_label_set_max_width_chars (GTK_LABEL (reason), 80);
  gtk_label_set_xalign (GTK_LABEL (reason), 0);
  gtk_label_set_selectable (GTK_LABEL (reason), TRUE);
  gtk_box_append (GTK_BOX (box), reason);
  close = gtk_button_new_with_mnemonic (_("_Close"));
  gtk_widget_set_halign (close, GTK_ALIGN_END);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (close), "window.close");
  gtk_box_append (GTK_BOX (box), close);
  gtk_window_set_child (GTK_WINDOW (dialog), box);
  /* Escape closes it, as a dialog's does */
  shortcuts = gtk_shortcut_controller_new ();
  gtk_shortcut_controller_add_shortcut (
    GTK_SHORTCUT_CONTROLLER (shortcuts),
    gtk_shortcut_new (gtk_keyval_trigger_new (GDK_KEY_Escape, 0),
                      gtk_named_action_new ("window.close")));
  gtk_widget_add_controller (dialog, shortcuts);
  gtk_window_set_default_widget (GTK_WINDOW (dialog), close);
  return GTK_WINDOW (dialog);
}
