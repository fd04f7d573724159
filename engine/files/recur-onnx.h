/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <glib.h>

#include "recur-model-io.h"

G_BEGIN_DECLS

/* ONNX export: one graph from raw windows to forecasts in the original units, the transforms
 * folded in as ONNX operators (opset RECUR_ONNX_OPSET):
 *   input  "window"   float [batch, window_length, features]: the last window_length values of
 *                     the target, then of each input column in the weights' order, as the CSV
 *                     holds them (window_length: the model's window, plus the points the
 *                     differences take; the longest member's for an ensemble)
 *   output "forecast" float [batch, steps]: the model's horizon
 * RNN/LSTM/GRU layers are ONNX's own operators (PyTorch's gate order mapped to ONNX's, GRU with
 * linear_before_reset); an echo state network is unrolled into MatMul/Add/Tanh steps; an
 * ensemble's members are one graph whose output is their median; the recursive strategy is
 * unrolled step by step. */

#define RECUR_ONNX_OPSET 17
#define RECUR_ONNX_IR_VERSION 8

#define RECUR_ONNX_ERROR (recur_onnx_error_quark ())
GQuark recur_onnx_error_quark (void);

typedef enum
{
  RECUR_ONNX_ERROR_UNSUPPORTED, /* a setting the graph cannot express: the message names it */
} RecurOnnxError;

/* The window length the graph's input takes. */
guint    recur_onnx_window_length (RecurModel *const    *members,
                                   guint                 n_members,
                                   const RecurModelInfo *info);

/* Writes the graph of members (one network, or an ensemble's) to path atomically. A cell,
 * transform or input the graph cannot express is RECUR_ONNX_ERROR_UNSUPPORTED naming the
 * setting (--model jordan, --deseasonalise, --calendar, …) and why. */
gboolean recur_onnx_export        (RecurModel *const    *members,
                                   guint                 n_members,
                                   const RecurModelInfo *info,
                                   const char           *path,
                                   GError              **error);

G_END_DECLS
