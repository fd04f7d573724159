/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* `recur bench`: self_path is this executable, re-run for each configuration. */
int recur_bench_command (int         argc,
                         char      **argv,
                         const char *self_path);
