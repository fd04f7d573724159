/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include "recur-gemm.h"
#include "recur-kernels.h"
#include "recur-memory.h"
#include "recur-model-private.h"

/* ---- workspace -------------------------------------------------------------------------- */

/* Gates recomputed at once, or turned into weight gradients at once: 4 MiB, enough rows for
 * the weight-gradient GEMMs to run at full speed, a fraction of the [T][B][G·H] a whole window
 * would take at large sizes. */
#define CHUNK_FLOATS ((gsize) 1 << 20)

/* The buffers of a workspace as they are made: once one cannot be had, the others are only
 * counted, so that the message says how much all of them take. */
typedef struct
{
  gboolean failed;
  guint64  bytes;
} WorkspaceAlloc;

static gpointer
ws_alloc0 (WorkspaceAlloc *a,
           gsize           n,
           gsize           size)
{
  gpointer p;

  if (size != 0 && n > G_MAXSIZE / size)
    {
      a->failed = TRUE;
      a->bytes = G_MAXUINT64;
      return NULL;
    }
  a->bytes = a->bytes > G_MAXUINT64 - n * size ? G_MAXUINT64 : a->bytes + n * size;
  if (a->failed)
    return NULL;
  p = g_try_malloc0_n (MAX (n, 1), size);
  a->failed = p == NULL;
  return p;
}

/* A kept training workspace keeps LSTM's cells at checkpoints once its window has several
 * chunks of steps: with one, they would save nothing. */
static gboolean
wants_checkpoints (const RecurWorkspace *ws)
{
  return ws->may_checkpoint && ws->cell_kind == RECUR_CELL_LSTM && ws->chunk_steps < ws->window;
}

/* [B][H] blocks of LSTM's cell states a workspace keeps: the last two, and with checkpoints
 * those of the steps T − 1 − m · chunk_steps, m ≥ 1 */
static gsize
cell_slots (const RecurWorkspace *ws)
{
  switch (ws->cells)
    {
    case CELLS_EVERY_STEP:
      return ws->window;
    case CELLS_CHECKPOINTS:
      return 2 + (gsize) (ws->window - 1) / ws->chunk_steps;
    case CELLS_LAST_TWO:
    default:
      return 2;
    }
}

static RecurWorkspace *
workspace_new (const RecurModel    *model,
               guint                max_batch,
               RecurWorkspaceKind   kind,
               GError             **error)
{
  const RecurModelSpec *s = &model->spec;
  RecurWorkspace *ws = g_new0 (RecurWorkspace, 1);
  gsize T = s->window, B = max_batch, H = s->hidden_size;
  gsize DH = model->n_directions * H, GH = model->n_gates * H;
  guint L = s->num_layers;
  gboolean training = kind != RECUR_WORKSPACE_INFERENCE;
  /* RNN, LSTM and GRU work through windows CHUNK_FLOATS of gates at a time where they can;
   * Jordan, ESN and clockwork use the gate buffers for whole windows */
  gboolean chunked = recur_cell_is_stackable (s->cell);
  guint chunk = chunked ? (guint) CLAMP (CHUNK_FLOATS / (B * GH), 1, T) : (guint) T;
  WorkspaceAlloc alloc = { FALSE, 0 };

  ws->max_batch = max_batch;
  ws->n_layers = L;
  ws->n_directions = model->n_directions;
  ws->window = s->window;
  ws->hidden = s->hidden_size;
  ws->cell_kind = s->cell;
  ws->training = training;
  ws->keeps_gates = kind == RECUR_WORKSPACE_FULL || kind == RECUR_WORKSPACE_TRAINING || !chunked;
  ws->chunk_steps = chunk;
  ws->may_checkpoint = kind == RECUR_WORKSPACE_TRAINING && chunked;
  ws->cells = kind == RECUR_WORKSPACE_INFERENCE ? CELLS_LAST_TWO
            : wants_checkpoints (ws) ? CELLS_CHECKPOINTS
            : CELLS_EVERY_STEP;
  /* the buffers' sizes come from options (window, batch, hidden units): each may fail */
  ws->y = g_new0 (float *, L);
  ws->y_dropped = g_new0 (float *, L);
  ws->mask = g_new0 (float *, L);
  ws->dir = g_new0 (DirectionBuffers, L * model->n_directions);
  for (guint l = 0; l < L; l++)
    {
      ws->y[l] = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
      if (training && s->dropout > 0.0f && l + 1 < L)
        {
          ws->y_dropped[l] = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
          ws->mask[l] = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
        }
      for (guint d = 0; d < model->n_directions; d++)
        {
          DirectionBuffers *db = &ws->dir[l * model->n_directions + d];
          db->gates = ws_alloc0 (&alloc, gate_steps (ws) * B * GH, sizeof (float));
          if (s->cell == RECUR_CELL_GRU)
            db->hh = ws_alloc0 (&alloc, gate_steps (ws) * B * GH, sizeof (float));
          if (s->cell == RECUR_CELL_LSTM)
            db->cell = ws_alloc0 (&alloc, cell_slots (ws) * B * H, sizeof (float));
        }
    }
  ws->features = ws_alloc0 (&alloc, B * DH, sizeof (float));
  if (recur_gemm_available () && (recur_cell_is_stackable (s->cell) || s->cell == RECUR_CELL_ESN))
    ws->packed_w_hh = ws_alloc0 (&alloc, MAX (recur_gemm_packed_size (H, GH),
                                                 recur_gemm_packed_size (GH, H)), sizeof (float));
  if (ws->cells == CELLS_CHECKPOINTS)
    ws->cell_chunk = ws_alloc0 (&alloc, chunk * B * H, sizeof (float));
  if (!ws->keeps_gates && training)
    {
      ws->scratch_c = ws_alloc0 (&alloc, B * H, sizeof (float));
      ws->scratch_h = ws_alloc0 (&alloc, B * H, sizeof (float));
    }
  if (training)
    {
      /* RNN, LSTM and GRU need layer output gradients only between layers; Jordan and
       * clockwork take the head's as a sequence */
      if (!chunked || L > 1)
        ws->d_y = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
      if (L > 1)
        ws->d_x = ws_alloc0 (&alloc, T * B * DH, sizeof (float));
      /* RNN, LSTM and GRU put a step's gate gradients in place of its gates */
      if (!chunked)
        ws->d_gates = ws_alloc0 (&alloc, T * B * GH, sizeof (float));
      ws->d_h = ws_alloc0 (&alloc, B * H, sizeof (float));
      ws->d_c = ws_alloc0 (&alloc, B * H, sizeof (float));
      ws->d_features = ws_alloc0 (&alloc, B * DH, sizeof (float));
    }
  ws->grad_flow = ws_alloc0 (&alloc, (gsize) L * T, sizeof (double));
  ws->input_size = s->input_size;
  if (s->cell == RECUR_CELL_JORDAN)
    {
      gsize n = T * B * s->input_size;
      ws->jordan_y = ws_alloc0 (&alloc, n, sizeof (float));
      ws->jordan_ctx = ws_alloc0 (&alloc, n, sizeof (float));
      if (training)
        {
          ws->d_jordan_y = ws_alloc0 (&alloc, n, sizeof (float));
          ws->d_aux = ws_alloc0 (&alloc, n, sizeof (float));
        }
    }
  if (alloc.failed)
    {
      g_autofree char *what =
        g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                      "the buffers of %u windows of %u steps through %u layer "
                                      "of %u units",
                                      "the buffers of %u windows of %u steps through %u layers "
                                      "of %u units", L),
                         max_batch, s->window, L, s->hidden_size);
      recur_memory_set_error (error, alloc.bytes, what);
      recur_workspace_free (ws);
      return NULL;
    }
  return ws;
}

RecurWorkspace *
recur_workspace_try_new (const RecurModel    *model,
                         guint                max_batch,
                         RecurWorkspaceKind   kind,
                         GError             **error)
{
  return workspace_new (model, max_batch, kind, error);
}

static RecurWorkspace *
workspace_new_or_abort (const RecurModel   *model,
                        guint               max_batch,
                        RecurWorkspaceKind  kind)
{
  g_autoptr(GError) error = NULL;
  RecurWorkspace *ws = workspace_new (model, max_batch, kind, &error);

  if (ws == NULL)
    g_error ("%s", error->message);
  return ws;
}

RecurWorkspace *
recur_workspace_new (const RecurModel *model,
                     guint             max_batch)
{
  return workspace_new_or_abort (model, max_batch, RECUR_WORKSPACE_FULL);
}

RecurWorkspace *
recur_workspace_new_for_training (const RecurModel *model,
                                  guint             max_batch)
{
  return workspace_new_or_abort (model, max_batch, RECUR_WORKSPACE_LEAN);
}

RecurWorkspace *
recur_workspace_new_for_training_kept (const RecurModel *model,
                                       guint             max_batch)
{
  return workspace_new_or_abort (model, max_batch, RECUR_WORKSPACE_TRAINING);
}

RecurWorkspace *
recur_workspace_new_for_inference (const RecurModel *model,
                                   guint             max_batch)
{
  return workspace_new_or_abort (model, max_batch, RECUR_WORKSPACE_INFERENCE);
}

void
recur_workspace_set_chunk_steps (RecurWorkspace *ws,
                                 guint           steps)
{
  g_return_if_fail (steps >= 1);
  if (!recur_cell_is_stackable (ws->cell_kind))
    return;
  ws->chunk_steps = MIN (steps, ws->chunk_steps);
  /* shorter chunks: checkpoints where there were none, or more of them */
  if (wants_checkpoints (ws))
    {
      gsize BH = (gsize) ws->max_batch * ws->hidden;

      ws->cells = CELLS_CHECKPOINTS;
      for (guint i = 0; i < ws->n_layers * ws->n_directions; i++)
        ws->dir[i].cell = g_renew (float, ws->dir[i].cell, cell_slots (ws) * BH);
      if (ws->cell_chunk == NULL)
        ws->cell_chunk = g_new (float, ws->chunk_steps * BH);
    }
}

void
recur_workspace_free (RecurWorkspace *ws)
{
  if (ws == NULL)
    return;
  for (guint l = 0; l < ws->n_layers; l++)
    {
      g_free (ws->y[l]);
      g_free (ws->y_dropped[l]);
      g_free (ws->mask[l]);
      for (guint d = 0; d < ws->n_directions; d++)
        {
          DirectionBuffers *db = &ws->dir[l * ws->n_directions + d];
          g_free (db->gates);
          g_free (db->hh);
          g_free (db->cell);
        }
    }
  g_free (ws->y);
  g_free (ws->y_dropped);
  g_free (ws->mask);
  g_free (ws->dir);
  g_free (ws->features);
  g_free (ws->packed_w_hh);
  g_free (ws->scratch_c);
  g_free (ws->cell_chunk);
  g_free (ws->scratch_h);
  g_free (ws->d_y);
  g_free (ws->d_x);
  g_free (ws->d_gates);
  g_free (ws->d_h);
  g_free (ws->d_c);
  g_free (ws->d_features);
  g_free (ws->grad_flow);
  g_free (ws->jordan_y);
  g_free (ws->jordan_ctx);
  g_free (ws->d_jordan_y);
  g_free (ws->d_aux);
  g_free (ws);
}

/* ---- element-wise helpers ------------------------------------------------------------- */

/* rows × n: out[r][j] = bias1[j] + bias2[j] (either may be NULL). */
void
fill_bias_rows (float       *out,
                gsize        rows,
                gsize        n,
                const float *bias1,
                const float *bias2)
{
  recur_kernel_fill_bias (rows, n, bias1, bias2, out);
}

/* acc[j] += Σ_r m[r][j] */
void
add_column_sums (float       *acc,
                 const float *m,
                 gsize        rows,
                 gsize        n)
{
  recur_kernel_add_column_sums (acc, m, rows, n);
}
