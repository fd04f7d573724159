/* SPDX-License-Identifier: GPL-3.0-or-later */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "recur-job.h"
#include "recur-model-io.h"
#include "recur-run.h"
#include "recur-sweep.h"

G_BEGIN_DECLS

#define RECUR_PROJECT_ERROR (recur_project_error_quark ())
GQuark recur_project_error_quark (void);

/* Every message names the file (or folder) and says what is wrong with it. */
typedef enum
{
  RECUR_PROJECT_ERROR_NOT_FOUND,     /* no such folder, or no project in it */
  RECUR_PROJECT_ERROR_EXISTS,        /* create: the folder exists and is not empty */
  RECUR_PROJECT_ERROR_VERSION,       /* written by a newer Recur: not opened, nothing changed */
  RECUR_PROJECT_ERROR_CORRUPT,       /* a file is truncated, malformed or inconsistent */
  RECUR_PROJECT_ERROR_MISSING_FILE,  /* a file or run folder the project records is not there */
  RECUR_PROJECT_ERROR_DATA_MOVED,    /* no file at the CSV's recorded paths (or none recorded) */
  RECUR_PROJECT_ERROR_DATA_CHANGED,  /* a file is there, but its size or SHA-256 differ */
  RECUR_PROJECT_ERROR_DATA_MISMATCH, /* a run on other data (another column) than the project's */
  RECUR_PROJECT_ERROR_INVALID,       /* an empty run name */
  RECUR_PROJECT_ERROR_LOCKED,        /* another process has the project open for writing */
  RECUR_PROJECT_ERROR_UNSAFE_PATH,   /* a symbolic link, or a run id that is not a run folder's
                                      * name: not followed, since it could lead outside */
} RecurProjectError;

/* How a project is opened. */
typedef enum
{
  RECUR_PROJECT_READ,   /* to look: no lock; every file is replaced atomically, so what is read
                         * is whole even while a writer works on it. Writing is a programmer
                         * error. */
  RECUR_PROJECT_WRITE,  /* takes the project's lock first: LOCKED while another process holds
                         * it; held until the project is freed */
} RecurProjectAccess;

/* The CSV a project's runs were trained on. */
typedef struct
{
  char   *path;      /* absolute: where it was found on open, or where it was last seen */
  char   *relative;  /* as recorded, relative to the project folder; NULL when not below the
                      * project's parent folder */
  guint64 size;
  char   *sha256;    /* 64 lowercase hex digits */
  char   *column;    /* the column the runs forecast; NULL: the first numeric one */
} RecurProjectData;

/* One run's history, an entry per epoch. */
typedef struct
{
  guint   n_epochs;
  double *train_loss;
  double *val_loss;   /* NAN without validation windows */
  double *lr;
  double *grad_norm;  /* mean over the epoch's steps, before clipping */
  double *seconds;    /* elapsed since training began, at the epoch's end */
} RecurHistory;

/* A view of a RecurRun's main-thread history: borrowed, valid until its next "progress". */
void recur_history_view_run (RecurHistory *view,
                             RecurRun     *run);

/* A project: a folder NAME.recur/ holding
 *   project.json              format version, the data reference, the list of runs
 *   lock                      held (fcntl, F_OFD_SETLK) by the process writing to the project;
 *                             its pid, program and host inside, for the message of the refused
 *   run-0001/config.json      the run's name, swept values, configuration and data reference
 *   run-0001/history.log      while it trains: one JSON object per epoch, appended by the
 *                             run's worker before the next epoch begins
 *   run-0001/history.json     per epoch: train and validation loss, lr, gradient norm, seconds
 *   run-0001/result.json      status, error, summary, test metrics, baselines, forecasts
 *   run-0001/best.safetensors the best weights (recur_model_save)
 * Every file but history.log is written with recur_file_write_atomic: a crash leaves the old or
 * the new file, never half of one. history.log only grows: a crash can cut its last line, which
 * reading drops (the epoch that was being written). A project object is used from one thread
 * (the main one); the lock keeps a second process from writing to the same folder, while any
 * number of readers (RECUR_PROJECT_READ) may look.
 *
 * Opening recovers what is intact and lists what is not as issues (GErrors of
 * RECUR_PROJECT_ERROR, each naming the file and what is wrong), so a damaged project still
 * opens: a missing or corrupt project.json is rebuilt from the run folders (each config.json
 * holds the data reference too); a run whose result.json is corrupt is DAMAGED, keeping its
 * config, history and weights if those are intact; a missing weights file or a corrupt history
 * is an issue of its run; a run listed but gone, or present but unlisted, is an issue; the CSV
 * not found, or found changed, is DATA_MOVED or DATA_CHANGED. Nothing read from the folder
 * leads outside it: a run id that is not a run folder's name ("../x", "/abs") is ignored, and a
 * run folder or file that is a symbolic link is not followed (UNSAFE_PATH issues). The one
 * path that may lead outside is the CSV's, by design: it is only read, only if it is a regular
 * file of the recorded size, and only used if its SHA-256 matches. Opening never writes but
 * for the lock (and, for writing, the temporary files of writes a crash cut short are removed);
 * a rebuilt project.json is written by the next change or recur_project_save. */
typedef struct _RecurProject    RecurProject;
typedef struct _RecurProjectRun RecurProjectRun;   /* owned by its project */

/* Makes the folder (its parents too; an existing one must be empty), takes its lock and writes
 * project.json. csv is hashed (size and SHA-256) so that a moved or changed file is noticed;
 * column is the one the runs forecast (NULL: the first numeric one). */
RecurProject    *recur_project_create          (const char          *path,
                                                const char          *csv,
                                                const char          *column,
                                                GError             **error);
/* NULL only when there is nothing to recover: no such folder, no project.json and no run
 * folder (NOT_FOUND), a newer format (VERSION), or, for writing, the lock held elsewhere
 * (LOCKED, naming the process). Everything else is an issue. */
RecurProject    *recur_project_open            (const char          *path,
                                                RecurProjectAccess   access,
                                                GError             **error);
void             recur_project_free            (RecurProject        *self);

const char      *recur_project_get_path        (RecurProject        *self); /* absolute */
/* What open found wrong and recovered from (GError *), oldest first; empty when all is well. */
GPtrArray       *recur_project_get_issues      (RecurProject        *self);
/* TRUE when project.json differs from what open read (rebuilt, runs recovered or dropped):
 * recur_project_save writes it. */
gboolean         recur_project_is_recovered    (RecurProject        *self);
gboolean         recur_project_save            (RecurProject        *self,
                                                GError             **error);

/* ---- the data ---------------------------------------------------------------------------- */

/* NULL when no intact file records it (then set_data_path takes any file). */
const RecurProjectData *recur_project_get_data (RecurProject        *self);
/* Looks for the CSV: the relative path first (the project and the data moved together), then the
 * absolute one (the project moved alone). TRUE when a file with the recorded size and SHA-256 is
 * found (data->path is then where); otherwise DATA_MOVED or DATA_CHANGED naming the path and the
 * size and hash expected, so a UI can ask where the file is now. */
gboolean         recur_project_check_data      (RecurProject        *self,
                                                GError             **error);
/* "The data moved": points the project at csv and saves project.json. A file with the recorded
 * size and SHA-256 is accepted. Another file is refused with DATA_CHANGED unless accept_changed
 * (the user insists): then its size and hash are recorded, and the old ones are kept in
 * project.json's "replaced" list, since the stored runs were scored on the old data. The
 * data issues of open are dropped once the data is set. */
gboolean         recur_project_set_data_path   (RecurProject        *self,
                                                const char          *csv,
                                                gboolean             accept_changed,
                                                GError             **error);
/* Whether csv is the project's data (same size and SHA-256): for reusing a project. */
gboolean         recur_project_data_matches    (RecurProject        *self,
                                                const char          *csv,
                                                GError             **error);

/* ---- runs -------------------------------------------------------------------------------- */

guint            recur_project_get_n_runs      (RecurProject        *self);
/* In the order they were added. Valid until deleted or the project is freed. */
RecurProjectRun *recur_project_get_run         (RecurProject        *self,
                                                guint                index);
RecurProjectRun *recur_project_find_run        (RecurProject        *self,
                                                const char          *id);

const char      *recur_project_run_get_id      (const RecurProjectRun *run); /* "run-0007" */
const char      *recur_project_run_get_name    (const RecurProjectRun *run);
const char      *recur_project_run_get_dir     (const RecurProjectRun *run); /* absolute */
RecurRunStatus   recur_project_run_get_status  (const RecurProjectRun *run);
/* FAILED: why it failed; DAMAGED: what is wrong with its result; NULL otherwise. */
const char      *recur_project_run_get_message (const RecurProjectRun *run);
/* NULL when config.json is missing or damaged. */
const RecurJobConfig *recur_project_run_get_config (const RecurProjectRun *run);
const RecurSweepValue *recur_project_run_get_swept (const RecurProjectRun *run,
                                                    guint                 *n_values);
/* Empty (n_epochs 0) without an intact history.json. */
const RecurHistory *recur_project_run_get_history (const RecurProjectRun *run);
/* An ensemble's member k > 0: its training and validation losses per epoch (NAN where none) as
 * history.json keeps them, and how many epochs; 0 and NULLs for member 0 (the history's own),
 * one network, or a history without them (as recur_run_get_member_losses). */
guint recur_project_run_get_member_losses (const RecurProjectRun  *run,
                                           guint                   k,
                                           const double          **train,
                                           const double          **val);
/* result.json as written or read: status, error, epochs_run, best_epoch, train_loss, val_loss,
 * seconds, test, baselines, forecasts (see README.md); NULL before the run ends. */
JsonObject      *recur_project_run_get_result  (const RecurProjectRun *run);
gboolean         recur_project_run_has_weights (const RecurProjectRun *run);
/* What is wrong with this run's files (GError *), also in the project's issues. */
GPtrArray       *recur_project_run_get_problems (const RecurProjectRun *run);

/* Reads best.safetensors (fully validated) and checks it is the model config.json describes:
 * MISSING_FILE, CORRUPT, or a RECUR_SAFETENSORS_ERROR. info may be NULL. */
/* The same for a run of any ensemble size: its members (a GPtrArray of RecurModel); while an
 * ensemble trains, a project holds member 0's best weights only (it then has one member). */
GPtrArray       *recur_project_run_load_members (RecurProject       *self,
                                                 RecurProjectRun    *run,
                                                 RecurModelInfo     *info,
                                                 GError            **error);
RecurModel      *recur_project_run_load_weights (RecurProject       *self,
                                                 RecurProjectRun    *run,
                                                 RecurModelInfo     *info,
                                                 GError            **error);

/* ---- writing runs ------------------------------------------------------------------------ */

/* A new run: its folder and config.json, then project.json. Its status is QUEUED until a result
 * is written; reopened without one, it is INTERRUPTED. */
RecurProjectRun *recur_project_add_run         (RecurProject          *self,
                                                const char            *name,
                                                const RecurJobConfig  *config,
                                                const RecurSweepValue *swept,
                                                guint                  n_swept,
                                                GError               **error);
/* Each rewrites one small file atomically: cheap enough to call every epoch. */
gboolean         recur_project_write_history   (RecurProject          *self,
                                                RecurProjectRun       *run,
                                                const RecurHistory    *history,
                                                GError               **error);
/* Saves model (a model of job's spec: job's own, or RecurRun's best) as the run's best weights,
 * with job's metadata; epoch is the epoch they come from. */
gboolean         recur_project_write_weights   (RecurProject          *self,
                                                RecurProjectRun       *run,
                                                const RecurJob        *job,
                                                const RecurModel      *model,
                                                guint                  epoch,
                                                GError               **error);
/* The same with every member of an ensemble's job (its models, once it has ended). */
gboolean         recur_project_write_members   (RecurProject          *self,
                                                RecurProjectRun       *run,
                                                const RecurJob        *job,
                                                guint                  epoch,
                                                GError               **error);
/* The run's outcome: status, message (why it failed; may be NULL) and, when job is not NULL and
 * was trained, its summary, metrics, baselines and forecasts (recur_job_to_json). */
gboolean         recur_project_write_result    (RecurProject          *self,
                                                RecurProjectRun       *run,
                                                RecurRunStatus         status,
                                                const char            *message,
                                                const RecurJob        *job,
                                                GError               **error);

/* A RecurRun, as it goes (main thread). add: recur_project_add_run with the run's name and
 * configuration (DATA_MISMATCH if it forecasts another column than the project's), and from
 * then on the run's worker appends each epoch to history.log as it ends, before the next one
 * begins (recur_run_set_epoch_func; the epochs it had already are written first). sync, from
 * the run's "progress" and "finished": while it trains, syncs history.log to the disk when
 * epochs arrived and writes best.safetensors when the best epoch changed (at most once a
 * second); once it has ended, history.json, the last best weights and result.json, then removes
 * history.log. A resumed run loses its result.json until it ends again. A killed process loses
 * at most the epoch in progress; a system crash or power cut, the epochs of the last drain
 * (~33 ms). Freeing the project detaches it from the runs still training. */
RecurProjectRun *recur_project_add_recur_run   (RecurProject          *self,
                                                RecurRun              *run,
                                                const RecurSweepValue *swept,
                                                guint                  n_swept,
                                                GError               **error);
gboolean         recur_project_sync_run        (RecurProject          *self,
                                                RecurProjectRun       *entry,
                                                RecurRun              *run,
                                                GError               **error);
/* A job trained some other way, with its history, all at once. */
RecurProjectRun *recur_project_add_job         (RecurProject          *self,
                                                const char            *name,
                                                const RecurJob        *job,
                                                RecurRunStatus         status,
                                                const char            *message,
                                                const RecurHistory    *history,
                                                GError               **error);

gboolean         recur_project_rename_run      (RecurProject          *self,
                                                RecurProjectRun       *run,
                                                const char            *name,
                                                GError               **error);
/* Removes the run's folder and its entry; run is freed. The folder is first renamed to
 * .deleted-run-0007, so a crash halfway leaves no half-deleted run behind. When project.json
 * cannot be written, nothing changes and run stays; once it is, the run is gone (freed) even
 * if its folder then cannot be removed (a folder someone put in it): that folder stays as
 * .deleted-run-0007, which opening ignores, and is the error. */
gboolean         recur_project_delete_run      (RecurProject          *self,
                                                RecurProjectRun       *run,
                                                GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RecurProject, recur_project_free)

G_END_DECLS
