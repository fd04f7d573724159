/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-dataset.h"
#include "recur-model.h"
#include "recur-series.h"

G_BEGIN_DECLS

/* What a weights file says besides the model: enough to forecast from it. */
typedef struct
{
  RecurTransform transform;    /* as fitted on the training part: forecasts undo it */
  RecurCovariates covariates;  /* the inputs beside the target, as fitted */
  char       *column;          /* the series' column name */
  char       *frequency;       /* "monthly", …, or "none" */
  char       *last_timestamp;  /* of the training data, as the CSV spelled it ("" if none) */
  guint       last_phase;      /* deseasonalised: the season's phase of that last row (its row
                                * index mod the season); G_MAXUINT when the file does not say */
  guint64     seed;
} RecurModelInfo;

void        recur_model_info_clear (RecurModelInfo   *info);
/* A deseasonalised model's indices go by phase, counted from the training file's first row;
 * forecasting from another file (a later extract, the data with new rows, an earlier cut), its
 * first row's phase is found from the training data's last date, held by the file or lying
 * after its end: it sets info->transform.phase. Without dates (or a file from before
 * `recur.last_phase`) the file is taken to start where the training data did. Fails, saying
 * why, for a file that starts after that date. Nothing to do for other models. */
gboolean    recur_model_info_place_series (RecurModelInfo     *info,
                                           const RecurSeries  *series,
                                           GError            **error);

/* Writes the weights with PyTorch state_dict names (rnn.*, head.*) and the recur.* metadata
 * documented in README.md, atomically. */
gboolean    recur_model_save       (const RecurModel      *model,
                                    const RecurModelInfo  *info,
                                    const char            *path,
                                    GError               **error);
/* An ensemble's members (all of one spec) in one file: member k's tensors are named
 * "members.k.rnn.…", and "recur.ensemble" says how many; one member is recur_model_save. */
gboolean    recur_model_save_members (const RecurModel *const *members,
                                      guint                    n_members,
                                      const RecurModelInfo    *info,
                                      const char              *path,
                                      GError                 **error);
/* Reads and validates a weights file of one network or an ensemble: a GPtrArray of its
 * RecurModels (owned), checked as recur_model_load checks one. */
GPtrArray  *recur_model_load_members (const char            *path,
                                      RecurModelInfo        *info,
                                      GError               **error);
GPtrArray  *recur_model_load_members_bytes (GBytes          *bytes,
                                            const char      *display_name,
                                            RecurModelInfo  *info,
                                            GError         **error);
/* The one network of members (transfer full: it is freed), or NULL and an error, named after
 * display_name, when they are an ensemble. */
RecurModel *recur_model_take_single (GPtrArray             *members,
                                     const char            *display_name,
                                     GError               **error);
/* Reads and validates a weights file: every metadata field, every tensor's presence and shape,
 * no unknown tensors. info may be NULL. An ensemble's file is an error. */
RecurModel *recur_model_load       (const char            *path,
                                    RecurModelInfo        *info,
                                    GError               **error);
/* The same from the bytes of a weights file; display_name stands for the path in messages. */
RecurModel *recur_model_load_bytes (GBytes                *bytes,
                                    const char            *display_name,
                                    RecurModelInfo        *info,
                                    GError               **error);

G_END_DECLS
