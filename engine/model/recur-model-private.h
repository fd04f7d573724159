/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the model's files in engine/ and by nothing else: not part of the engine's API. */

#include <glib.h>

#include "recur-model.h"

G_BEGIN_DECLS

/* Draws an ESN model's fixed tensors from rng, in state_dict order: esn.weight_in uniform in
 * ±input_scaling; esn.weight sparse, each entry non-zero with probability connectivity and then
 * uniform in ±1, scaled so that its spectral radius (the largest |λ| of all its eigenvalues,
 * from LAPACK's dgeev) is exactly spectral_radius; esn.bias uniform in ±input_scaling. */
void recur_esn_init_reservoir (RecurModel *model,
                               RecurRng   *rng);

G_END_DECLS
