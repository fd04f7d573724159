/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

/* Shared by the files of a project (recur-project.c and recur-project-{lock,read,write,
 * data}.c) and by nothing else: not part of the engine's API. */

#include <glib.h>
#include <json-glib/json-glib.h>

#include "recur-project.h"

G_BEGIN_DECLS

#define RUN_VERSION     1

#define CONFIG_FILE  "config.json"
#define HISTORY_FILE "history.json"
#define RESULT_FILE  "result.json"
#define WEIGHTS_FILE "best.safetensors"
#define LOG_FILE     "history.log"
#define LOCK_FILE    "lock"

/* A run's history.log while it trains, shared by its project entry and its RecurRun (whose
 * worker appends to it): one line per epoch, written before the next epoch begins. */
typedef struct
{
  int     fd;
  char   *path;
  guint   last_epoch;    /* atomic: the last epoch appended */
  guint   synced_epoch;  /* main thread: the last one synced to the disk */
  gint64  synced_at;     /* main thread: when */
  GMutex  lock;          /* guards the rest */
  GError *error;         /* the first failed write: nothing is appended after it */
  gboolean reported;
} EpochLog;

typedef struct
{
  guint   n_epochs;
  double *train_loss;
  double *val_loss;
} MemberLosses;

/* An ensemble's members at most (the setting's own limit) */
#define RECUR_MAX_MEMBER_LOSSES 1000

struct _RecurProjectRun
{
  char           *id;
  char           *name;
  char           *dir;
  RecurRunStatus  status;
  char           *message;
  gboolean        has_config;
  RecurJobConfig  config;
  guint           n_swept;
  RecurSweepValue swept[RECUR_SWEEP_MAX_PARAMS];
  RecurHistory    history;
  /* an ensemble's members past 0: each one's losses per epoch (history.json's "members"); [0]
   * stays empty, member 0's are the history's own */
  guint           n_member_losses;
  MemberLosses   *member_losses;
  JsonObject     *result;
  gboolean        has_weights;
  GPtrArray      *problems;
  /* what recur_project_sync_run has written */
  guint           weights_epoch;
  guint           weights_members; /* how many members those weights hold */
  gint64          weights_at;
  EpochLog       *log;       /* while a RecurRun trains into it */
  RecurRun       *attached;  /* that run, holding the other reference to log */
};

struct _RecurProject
{
  char             *path;
  gboolean          has_data;
  RecurProjectData  data;
  JsonNode         *replaced;  /* the data's earlier size and hashes, an array, or NULL */
  GPtrArray        *runs;
  guint             next_run;
  GPtrArray        *issues;
  gboolean          recovered;
  gboolean          writable;
  int               lock_fd;   /* -1 when not locked */
};

static const char *const history_names[] = { "train_loss", "val_loss", "lr", "grad_norm",
                                             "seconds" };

/* recur-project.c */
GError *
new_error (RecurProjectError  code,
           const char        *format,
           ...) G_GNUC_PRINTF (2, 3);
gboolean fail_with (GError **error,
                    GError  *local);
void add_issue (RecurProject    *self,
                RecurProjectRun *run,
                GError          *problem);
GError *as_project_error (const GError *error);
GError *link_error (const char *path);
char *run_file (const RecurProjectRun *run,
                const char            *name);
void history_clear (RecurHistory *h);
void member_losses_clear (RecurProjectRun *run);
double **history_column (RecurHistory *h,
                         guint         i);
void data_clear (RecurProjectData *d);
RecurProjectRun *run_new (RecurProject *self,
                          const char   *id,
                          const char   *name);
void run_free (RecurProjectRun *run);
char *format_run_id (guint number);

/* recur-project-lock.c */
gboolean take_lock (RecurProject  *self,
                    GError       **error);
gboolean check_not_held (const char  *path,
                         GError     **error);

/* recur-project-read.c */
gboolean corrupt (GError     **error,
                  const char  *file,
                  const char  *what);
gboolean holds (JsonNode *node,
                GType     type);
gboolean get_string (JsonObject  *o,
                     const char  *name,
                     gboolean     nullable,
                     const char **out,
                     const char  *file,
                     GError     **error);
gboolean get_count (JsonObject  *o,
                    const char  *name,
                    guint64      min,
                    guint64     *out,
                    const char  *file,
                    GError     **error);
gboolean read_data (JsonNode          *node,
                    RecurProjectData  *d,
                    const char        *file,
                    GError           **error);
RecurProjectRun *read_run (RecurProject     *self,
                           const char       *id,
                           const char       *listed_name,
                           RecurProjectData *data,
                           gboolean         *has_data);

/* recur-project-write.c */
void detach_log (RecurProjectRun *entry,
                 gboolean         remove);

/* recur-project-data.c */
gboolean hash_file (const char  *path,
                    guint64     *size,
                    char       **sha256,
                    GError     **error);
void set_data (RecurProject *self,
               const char   *csv,
               guint64       size,
               const char   *sha256);
JsonNode *data_to_json (const RecurProjectData *d,
                        JsonNode               *replaced);

G_END_DECLS
