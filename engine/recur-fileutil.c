/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include "recur-fileutil.h"

gboolean
recur_file_write_atomic (const char  *path,
                         const char  *data,
                         gsize        length,
                         GError     **error)
{
  return g_file_set_contents_full (path, data, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT,
                                   0666, error);
}
