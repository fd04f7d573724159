/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-dataset.h"
#include "recur-model.h"

G_BEGIN_DECLS

/* The echo state network's readout. Its fixed reservoir is drawn with the model's weights
 * (recur-cell-esn.c). */

/* Fits an ESN's readout (head.weight, head.bias) in one shot: ridge regression of the training
 * windows' targets Y on the features F = [h_T, 1], h_T the reservoir state after reading the
 * window from a zero state, exactly as a forecast reads it. Minimises ‖F W − Y‖² + λ ‖W_h‖²
 * (the bias unpenalised) through the normal equations (FᵀF + λ I′) W = FᵀY, accumulated and
 * solved in double precision (dposv). ws must fit the model, for up to max_batch windows. */
gboolean recur_esn_fit            (RecurModel          *model,
                                   RecurWorkspace      *ws,
                                   guint                max_batch,
                                   const RecurDataset  *data,
                                   GError             **error);

G_END_DECLS
