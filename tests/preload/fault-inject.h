/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fault injection into the C library's file calls (fault-inject.c): linked into the in-process
 * tests, LD_PRELOADed into `recur` for the CLI tests. See fault-inject.c for the spec. */
#pragma once

/* Arms `spec` ("write:2:ENOSPC", "short-write:1:ENOSPC", "rename:1:EIO", "fsync:1:EIO:all",
 * or NULL for none) for the paths under `dir` (NULL: every path) and resets the counts. An
 * invalid spec aborts. */
void         recur_fault_set      (const char *spec,
                                   const char *dir);

/* Calls of `op` ("open", "write", "fsync", "close", "rename", "mkdir", "diropen", "dirsync")
 * on the watched paths since the last recur_fault_set, and faults injected. */
unsigned int recur_fault_count    (const char *op);
unsigned int recur_fault_injected (void);
