/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-ui"
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "recur-auto-report.h"
#include "recur-window-private.h"

/* ---- formatting ----------------------------------------------------------------------------- */

static char *
format_duration (double seconds)
{
  guint s = (guint) (seconds + 0.5);

  if (!isfinite (seconds))
    return g_strdup ("—");
  /* a reservoir fits in milliseconds: not "0.0 s" */
  if (seconds < 1)
    return g_strdup_printf (_("%.2f s"), seconds);
  if (seconds < 10)
    return g_strdup_printf (_("%.1f s"), seconds);
  if (s < 3600)
    return g_strdup_printf ("%u:%02u", s / 60, s % 60);
  return g_strdup_printf ("%u:%02u:%02u", s / 3600, s / 60 % 60, s % 60);
}

static char *
format_metric (double v)
{
  return isfinite (v) ? g_strdup_printf ("%.4g", v) : g_strdup ("—");
}

/* ---- training ----------------------------------------------------------------------------- */

void
recur_window_draw_loss (cairo_t              *cr,
                        double                width,
                        double                height,
                        const RecurPlotStyle *style,
                        double                pointer_x,
                        double                zoom_min,
                        double                zoom_max,
                        gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurLossPlot plot = { 0 };
  RecurJobConfig config;
  g_autoptr(GPtrArray) over = recur_window_overlaid_runs (self);
  g_autofree RecurLossRun *members = NULL;

  if (over->len)
    {
      g_autofree RecurLossRun *runs = g_new0 (RecurLossRun, over->len);
      RecurLossOverlayPlot overlay = { over->len, runs, -1, NULL };
      for (guint i = 0; i < over->len; i++)
        {
          RecurRun *run = g_ptr_array_index (over, i);
          runs[i] = (RecurLossRun) { recur_run_get_name (run), recur_window_run_colour (self, run),
                                     recur_run_get_n_epochs (run), recur_run_get_train_loss (run),
                                     recur_run_get_val_loss (run),
                                     recur_run_get_last_progress (run)->best_epoch };
        }
      if (pointer_x >= 0)
        overlay.hover = recur_plot_loss_overlay_hit (&overlay, width, height, pointer_x);
      recur_plot_loss_overlay (cr, width, height, &overlay, style);
      return;
    }
  plot.hover = -1;
  if (self->run)
    {
      const RecurJobConfig *c = recur_job_get_config (recur_run_get_job (self->run));
      plot.n = recur_run_get_n_epochs (self->run);
      plot.total = recur_job_config_max_epochs (c);
      plot.train = recur_run_get_train_loss (self->run);
      plot.val = recur_run_get_val_loss (self->run);
      plot.lr = recur_run_get_lr (self->run);
      plot.best_epoch = recur_run_get_last_progress (self->run)->best_epoch;
      /* an ensemble's other members, faint under member 0's lines */
      members = g_new0 (RecurLossRun, MAX (c->ensemble, 1));
      for (guint k = 1; k < c->ensemble; k++)
        {
          RecurLossRun *m = &members[plot.n_members];

          m->n = recur_run_get_member_losses (self->run, k, &m->train, &m->val);
          plot.n_members += m->n > 0;
        }
      plot.members = members;
    }
  else
    {
      recur_window_current_config (self, &config);
      plot.total = config.train.epochs;
      recur_job_config_clear (&config);
    }
  if (pointer_x >= 0)
    plot.hover = recur_plot_loss_hit (&plot, width, height, pointer_x);
  recur_plot_loss (cr, width, height, &plot, style);
}

void
recur_window_draw_predictions (cairo_t              *cr,
                               double                width,
                               double                height,
                               const RecurPlotStyle *style,
                               double                pointer_x,
                               double                zoom_min,
                               double                zoom_max,
                               gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurPredictionSnapshot *p = self->run ? recur_run_get_predictions (self->run) : NULL;
  RecurPredictionPlot plot = { 0 };
  g_autoptr(GPtrArray) over = recur_window_overlaid_runs (self);

  if (over->len && p)
    {
      g_autofree RecurPredictionRun *runs = g_new0 (RecurPredictionRun, over->len);
      RecurPredictionsOverlayPlot overlay = { 0 };
      guint n_runs = 0;
      for (guint i = 0; i < over->len; i++)
        {
          RecurRun *run = g_ptr_array_index (over, i);
          RecurPredictionSnapshot *q = recur_run_get_predictions (run);
          if (q == NULL)
            continue;
          runs[n_runs++] = (RecurPredictionRun) { recur_run_get_name (run), recur_window_run_colour (self, run),
                                                  q->n, q->x, q->predicted, q->n_future,
                                                  q->future_x, q->future, q->val_start_x,
                                                  q->test_start_x };
        }
      /* the observed series over the focus run's span */
      overlay.n = p->n;
      overlay.x = p->x;
      overlay.actual = p->actual;
      overlay.x_is_time = self->series && recur_series_get_timestamps (self->series) != NULL;
      overlay.x_has_time_of_day = overlay.x_is_time && recur_series_has_time_of_day (self->series);
      overlay.n_runs = n_runs;
      overlay.runs = runs;
      overlay.hover = pointer_x >= 0
        ? recur_plot_predictions_overlay_hit (&overlay, width, height, pointer_x) : -1;
      recur_plot_predictions_overlay (cr, width, height, &overlay, style);
      return;
    }

  plot.hover = -1;
  plot.val_start_x = NAN;
  plot.test_start_x = NAN;
  if (p)
    {
      plot.n = p->n;
      plot.x = p->x;
      plot.actual = p->actual;
      plot.predicted = p->predicted;
      plot.naive = p->naive;
      plot.n_future = p->n_future;
      plot.future_x = p->future_x;
      plot.future = p->future;
      plot.val_start_x = p->val_start_x;
      plot.test_start_x = p->test_start_x;
      plot.n_members = p->n_members;
      plot.member_predicted = p->member_predicted;
      plot.member_future = p->member_future;
      plot.theta_predicted = p->theta_predicted;
      plot.theta_future = p->theta_future;
    }
  plot.x_is_time = p && self->series && recur_series_get_timestamps (self->series) != NULL;
  plot.x_has_time_of_day = plot.x_is_time && recur_series_has_time_of_day (self->series);
  if (pointer_x >= 0 && p)
    plot.hover = recur_plot_predictions_hit (&plot, width, height, pointer_x);
  recur_plot_predictions (cr, width, height, &plot, style);
}

static guint
heatmap_layer (RecurWindow *self)
{
  return gtk_drop_down_get_selected (self->layer_dropdown);
}

static RecurStateKind
heatmap_state (RecurWindow *self)
{
  guint pos = gtk_drop_down_get_selected (self->state_dropdown);
  return pos <= RECUR_N_STATES ? self->states[pos] : RECUR_STATE_HIDDEN;
}

void
recur_window_draw_heatmap (cairo_t              *cr,
                           double                width,
                           double                height,
                           const RecurPlotStyle *style,
                           double                pointer_x,
                           double                zoom_min,
                           double                zoom_max,
                           gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurStatesSnapshot *s = self->run ? recur_run_get_states (self->run) : NULL;
  RecurHeatmapPlot plot = { 0 };
  g_autofree char *title = NULL;
  g_autofree float *schedule = NULL;
  guint layer = heatmap_layer (self);
  RecurStateKind kind = heatmap_state (self);

  plot.row_label = _("unit");
  plot.col_label = _("time step");
  if (s && kind == RECUR_N_STATES && self->run)
    {
      /* which blocks fire at each step: 1 where a unit's block updates, 0 where it holds */
      const RecurModelSpec *m = &recur_job_get_config (recur_run_get_job (self->run))->model;
      guint per_block = m->hidden_size / MAX (m->n_periods, 1);
      g_autofree char *periods = recur_periods_to_string (m->periods, m->n_periods);
      schedule = g_new (float, (gsize) s->units * s->window);
      for (guint u = 0; u < s->units; u++)
        for (guint t = 0; t < s->window; t++)
          schedule[(gsize) u * s->window + t] =
            recur_clockwork_block_fires (m, MIN (u / MAX (per_block, 1), m->n_periods - 1), t);
      plot.rows = s->units;
      plot.cols = s->window;
      plot.values = schedule;
      plot.limit = 1.0;
      title = g_strdup_printf (_("blocks updating at each step (periods %s)"), periods);
      plot.title = title;
    }
  else if (s && layer < s->layers && recur_states_snapshot_get (s, layer, kind))
    {
      plot.rows = s->units;
      plot.cols = s->window;
      plot.values = recur_states_snapshot_get (s, layer, kind);
      /* gates live in [0, 1] (g in [−1, 1]): a fixed range keeps colours comparable */
      plot.limit = kind == RECUR_STATE_HIDDEN || kind == RECUR_STATE_CELL ? 0.0 : 1.0;
      title = g_strdup_printf (_("%s_t, layer %u, epoch %u"), recur_state_kind_to_string (kind),
                               layer + 1, s->epoch);
      plot.title = title;
    }
  recur_plot_heatmap (cr, width, height, &plot, style);
}

void
recur_window_draw_gradflow (cairo_t              *cr,
                            double                width,
                            double                height,
                            const RecurPlotStyle *style,
                            double                pointer_x,
                            double                zoom_min,
                            double                zoom_max,
                            gpointer              user_data)
{
  RecurWindow *self = user_data;
  RecurStatesSnapshot *s = self->run ? recur_run_get_states (self->run) : NULL;
  RecurGradFlowPlot plot = { 0 };
  guint layer = heatmap_layer (self);

  if (s && s->grad_flow && layer < s->layers)
    {
      plot.n = s->window;
      plot.norms = s->grad_flow + (gsize) layer * s->window;
    }
  if (self->run
      && recur_job_get_config (recur_run_get_job (self->run))->model.cell == RECUR_CELL_ESN)
    /* Translators: in the gradient plot, empty for an echo state network */
    plot.why_empty = _("No gradients: an ESN is fitted by least squares");
  recur_plot_grad_flow (cr, width, height, &plot, style);
}

void
recur_window_queue_training_views (RecurWindow *self)
{
  gtk_widget_queue_draw (GTK_WIDGET (self->loss_view));
  gtk_widget_queue_draw (GTK_WIDGET (self->predictions_view));
  gtk_widget_queue_draw (GTK_WIDGET (self->heatmap_view));
  gtk_widget_queue_draw (GTK_WIDGET (self->gradflow_view));
}

/* The loss the best epoch was chosen by: the validation loss, or the training loss when the run
 * has no validation part (--val-fraction 0; a reservoir Auto trained on every point). */
static char *
best_loss_text (RecurRun *run,
                double    loss)
{
  const RecurDataset *data = recur_job_get_dataset (recur_run_get_job (run));

  if (recur_dataset_get_n_val_windows (data) == 0)
    return g_strdup_printf (_("training loss %.4g, no validation part"), loss);
  return g_strdup_printf (_("validation loss %.4g"), loss);
}

/* An ensemble while it trains: its members done and training (several at once on the cores
 * other runs leave free), the time left, and the best epoch so far of the first member (the one
 * whose curves the loss plot draws in full); NULL before any member told an epoch. */
static char *
ensemble_status (RecurRun            *run,
                 const RecurProgress *p,
                 const char          *elapsed)
{
  guint ended, training, n = recur_run_count_members (run, &ended, &training);
  g_autofree char *eta = NULL;
  g_autofree char *best = NULL;
  g_autofree char *text = NULL;

  if (n == 0 || ended + training == 0)
    return NULL;
  eta = format_duration (recur_run_get_eta (run));
  /* Translators: an ensemble's members that have ended, of how many, those training now, the
   * share of the whole done, the time so far and left */
  text = g_strdup_printf (_("Ensemble: %u of %u members done, %u training · %.0f %% · %s "
                            "elapsed · about %s left"),
                          ended, n, training, 100 * recur_run_get_fraction_done (run), elapsed,
                          eta);
  if (p->epoch == 0)
    return g_steal_pointer (&text);
  best = best_loss_text (run, p->best_loss);
  /* Translators: the status above, then the first member's best epoch and its loss, e.g.
   * "validation loss 0.1108" */
  return g_strdup_printf (_("%s · first member’s best epoch %u (%s)"), text, p->best_epoch,
                          best);
}

void
recur_window_update_status (RecurWindow *self)
{
  RecurRun *run = self->run;
  const RecurProgress *p;
  g_autofree char *elapsed = NULL;
  g_autofree char *eta = NULL;
  g_autofree char *best = NULL;
  g_autofree char *text = NULL;
  guint n;

  if (run == NULL)
    return;
  p = recur_run_get_last_progress (run);
  elapsed = format_duration (recur_run_get_elapsed (run));
  switch (recur_run_get_status (run))
    {
    case RECUR_RUN_QUEUED:
      text = g_strdup (_("Waiting for a free worker…"));
      break;
    case RECUR_RUN_TRAINING:
      if ((text = ensemble_status (run, p, elapsed)))
        break;
      eta = format_duration (recur_run_get_eta (run));
      best = best_loss_text (run, p->best_loss);
      /* Translators: the last %s is the best epoch's loss, e.g. "validation loss 0.1108" */
      text = p->epoch == 0
        ? g_strdup (_("Training: first epoch…"))
        : g_strdup_printf (_("Epoch %u / %u · %s elapsed · about %s left · %.0f windows/s · "
                             "best epoch %u (%s)"),
                           p->epoch, p->epochs, elapsed, eta,
                           p->epoch_seconds > 0 ? p->windows / p->epoch_seconds : 0.0,
                           p->best_epoch, best);
      break;
    case RECUR_RUN_STOPPED:
    case RECUR_RUN_FINISHED:
      /* from the run's history: also right for a run restored from a project */
      best = best_loss_text (run, p->best_loss);
      n = recur_run_get_n_epochs (run);
      /* Translators: the last %s is the best epoch's loss, e.g. "validation loss 0.1108" */
      text = g_strdup_printf (recur_run_get_status (run) == RECUR_RUN_STOPPED
                                ? ngettext ("Stopped after %u epoch in %s · kept the best, "
                                            "epoch %u (%s)",
                                            "Stopped after %u epochs in %s · kept the best, "
                                            "epoch %u (%s)", n)
                                : ngettext ("Finished: %u epoch in %s · best epoch %u (%s)",
                                            "Finished: %u epochs in %s · best epoch %u (%s)", n),
                              n, elapsed, p->best_epoch, best);
      break;
    case RECUR_RUN_FAILED:
      text = g_strdup_printf (_("Failed: %s"), recur_run_get_error (run)
                                                 ? recur_run_get_error (run)->message : "");
      break;
    default:
      /* interrupted or damaged, as a project can hold them */
      text = g_strdup (recur_run_status_to_string (recur_run_get_status (run)));
      break;
    }
  gtk_label_set_text (self->status_label, text);
}

/* The metrics line's tail for an ensemble, or a forecast averaged with Theta's: what the
 * forecast combines and how its parts score alone. */
static char *
append_members (const char            *text,
                const RecurEvaluation *ev)
{
  double lo, hi;
  g_autofree char *lo_text = NULL, *hi_text = NULL, *network = NULL;
  gboolean scored;

  recur_evaluation_member_mase_range (ev, &lo, &hi);
  lo_text = format_metric (lo);
  hi_text = format_metric (hi);
  network = format_metric (ev->network_metrics.mase);
  scored = isfinite (lo) && isfinite (hi); /* MASE has a scale: the part before the test varies */
  if (ev->theta_averaged && ev->n_members == 1)
    /* Translators: appended to the test metrics: the forecast is one network's averaged with the
     * Theta method's; the network's own MASE */
    return g_strdup_printf (_("%s · averaged with the Theta method’s forecast; the network "
                              "alone MASE %s"), text, network);
  if (ev->theta_averaged && scored)
    /* Translators: appended to the test metrics: how many networks' median is averaged with
     * the Theta method's forecast, the median's MASE, and the lowest and highest MASE of the
     * networks alone */
    return g_strdup_printf (_("%s · the median of %u networks (MASE %s) averaged with the Theta "
                              "method’s forecast; alone MASE %s to %s"),
                            text, ev->n_members, network, lo_text, hi_text);
  if (ev->theta_averaged)
    /* Translators: appended to the test metrics: how many networks' median is averaged with
     * the Theta method's forecast */
    return g_strdup_printf (_("%s · the median of %u networks averaged with the Theta method’s "
                              "forecast"), text, ev->n_members);
  if (scored)
    /* Translators: appended to the test metrics of an ensemble: how many networks the
     * forecast is the median of, and the lowest and highest MASE of them alone */
    return g_strdup_printf (_("%s · the median of %u networks, alone MASE %s to %s"), text,
                            ev->n_members, lo_text, hi_text);
  /* Translators: appended to the test metrics of an ensemble: how many networks the
   * forecast is the median of */
  return g_strdup_printf (_("%s · the median of %u networks"), text, ev->n_members);
}

void
recur_window_update_metrics (RecurWindow *self)
{
  const RecurEvaluation *ev;
  g_autofree char *mae = NULL, *rmse = NULL, *smape = NULL, *mase = NULL;
  g_autofree char *naive = NULL, *snaive = NULL, *season = NULL, *escaped = NULL, *text = NULL;
  g_autofree char *summary = NULL;
  JsonNode *report;
  RecurSeasonSource source;
  guint m;

  ev = self->run ? recur_job_get_evaluation (recur_run_get_job (self->run)) : NULL;
  if (ev == NULL || recur_run_is_active (self->run))
    {
      gtk_label_set_text (self->metrics_label, "");
      return;
    }
  mae = format_metric (ev->model_metrics.mae);
  rmse = format_metric (ev->model_metrics.rmse);
  smape = format_metric (ev->model_metrics.smape);
  mase = format_metric (ev->model_metrics.mase);
  naive = format_metric (ev->naive_metrics.mase);
  snaive = format_metric (ev->seasonal_naive_metrics.mase);
  m = recur_job_get_season (recur_run_get_job (self->run), &source);
  season = recur_season_source_describe (source, m);
  escaped = g_markup_escape_text (season, -1);
  /* Translators: Pango markup; the last %s but one is the seasonal-naive baseline's season and
   * where it came from, as in “12, from the dates” */
  if (recur_run_get_role (self->run) == RECUR_RUN_ROLE_EARLY_CANDIDATE)
    /* Translators: Pango markup, as the test metrics below; an Auto candidate trained on the
     * rows before Auto's validation origins is scored on the points just after them */
    text = g_strdup_printf (_("Auto's candidate, trained on the rows before its validation "
                              "origins; on the %u points after them (not the test part): MAE %s "
                              "· RMSE %s · sMAPE %s %% · <b>MASE %s</b> — naive MASE %s · "
                              "seasonal naive (%s) MASE %s"),
                            ev->n_test, mae, rmse, smape, mase, naive, escaped, snaive);
  else
    text = g_strdup_printf (_("Test, last %u points: MAE %s · RMSE %s · sMAPE %s %% · "
                              "<b>MASE %s</b> — naive MASE %s · seasonal naive (%s) MASE %s"),
                            ev->n_test, mae, rmse, smape, mase, naive, escaped, snaive);
  if (ev->n_missing > 0)
    {
      /* Translators: appended to the test metrics: test points without a value in the file */
      char *with = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                                 "%s · %u point missing in the file, not scored",
                                                 "%s · %u points missing in the file, not scored",
                                                 ev->n_missing),
                                    text, ev->n_missing);

      g_free (text);
      text = with;
    }
  if (ev->n_members > 1 || ev->theta_averaged)
    {
      char *with = append_members (text, ev);

      g_free (text);
      text = with;
    }
  report = recur_job_get_auto_report (recur_run_get_job (self->run));
  summary = report ? recur_auto_report_summary (report) : NULL;
  if (summary)
    {
      char *with = g_strdup_printf ("%s\n%s", text, summary);

      g_free (text);
      text = with;
    }
  gtk_label_set_markup (self->metrics_label, text);
}

/* The metrics line's link to Auto's table. */
gboolean
recur_window_on_metrics_link (RecurWindow *self,
                              const char  *uri)
{
  JsonNode *report;

  if (g_strcmp0 (uri, "auto-candidates") != 0 || self->run == NULL)
    return FALSE;
  report = recur_job_get_auto_report (recur_run_get_job (self->run));
  if (report)
    gtk_window_present (recur_auto_report_dialog_new (GTK_WINDOW (self), report));
  return TRUE;
}

/* The states and layers the heatmap can show for a model: the run's, or the panel's before the
 * first run. Keeps the choice when it still exists. */
void
recur_window_fill_state_dropdown (RecurWindow          *self,
                                  const RecurJobConfig *c)
{
  RecurStateKind chosen = heatmap_state (self);
  guint chosen_layer = heatmap_layer (self);
  guint chosen_pos = 0;
  g_autoptr(GtkStringList) states = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) layers = gtk_string_list_new (NULL);
  static const char *const labels[] = {
    N_("hidden state h"), N_("cell state c"), N_("input gate i"), N_("forget gate f"),
    N_("cell candidate g"), N_("output gate o"), N_("reset gate r"), N_("update gate z"),
    N_("new gate n"),
  };
  guint n = 0;

  for (guint k = 0; k < RECUR_N_STATES; k++)
    if (recur_cell_has_state (c->model.cell, k))
      {
        if (k == chosen)
          chosen_pos = n;
        gtk_string_list_append (states, _(labels[k]));
        self->states[n++] = k;
      }
  if (c->model.cell == RECUR_CELL_CLOCKWORK)
    {
      if (chosen == RECUR_N_STATES)
        chosen_pos = n;
      gtk_string_list_append (states, _("update schedule"));
      self->states[n++] = RECUR_N_STATES;
    }
  for (guint l = 0; l < c->model.num_layers; l++)
    {
      g_autofree char *label = g_strdup_printf (_("layer %u"), l + 1);
      gtk_string_list_append (layers, label);
    }
  gtk_drop_down_set_model (self->state_dropdown, G_LIST_MODEL (states));
  gtk_drop_down_set_selected (self->state_dropdown, chosen_pos);
  gtk_drop_down_set_model (self->layer_dropdown, G_LIST_MODEL (layers));
  gtk_drop_down_set_selected (self->layer_dropdown,
                              chosen_layer < c->model.num_layers ? chosen_layer
                                                                 : c->model.num_layers - 1);
}

/* The heatmap's window, by the time of its last value; the spin button holds its start. */
gboolean
recur_window_on_window_spin_output (GtkSpinButton *spin,
                                    RecurWindow   *self)
{
  guint start = (guint) gtk_adjustment_get_value (self->window_adjustment);
  const RecurJobConfig *c = self->run ? recur_job_get_config (recur_run_get_job (self->run)) : NULL;
  g_autofree char *text = NULL;
  guint end;

  if (c == NULL || self->series == NULL)
    return FALSE;
  end = MIN (start + c->model.window, recur_series_get_n_rows (self->series)) - 1;
  text = recur_series_format_timestamp (self->series,
                                        recur_series_get_timestamps (self->series)
                                          ? recur_series_get_timestamps (self->series)[end]
                                          : end);
  gtk_editable_set_text (GTK_EDITABLE (spin), text);
  return TRUE;
}

void
recur_window_on_window_spin_changed (RecurWindow *self)
{
  if (self->run)
    recur_run_set_states_window (self->run, (guint) gtk_adjustment_get_value (self->window_adjustment));
}

void
recur_window_setup_window_spin (RecurWindow *self)
{
  const RecurJobConfig *c = recur_job_get_config (recur_run_get_job (self->run));
  guint last = recur_series_get_n_rows (self->series) - c->model.window;

  g_signal_handlers_block_by_func (self->window_adjustment, recur_window_on_window_spin_changed, self);
  gtk_adjustment_configure (self->window_adjustment, last, 0, last, 1, c->model.window, 0);
  g_signal_handlers_unblock_by_func (self->window_adjustment, recur_window_on_window_spin_changed, self);
  recur_run_set_states_window (self->run, last);
  gtk_spin_button_update (self->window_spin);
}
