/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Projects: runs kept in a folder across restarts. The layout and the recovery rules are in
 * recur-project.h and README.md. Reading is strict (every member's type is checked, so a damaged
 * file is reported rather than misread) and never fatal for what can be recovered. */
#define _GNU_SOURCE /* F_OFD_SETLK */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recur-fileutil.h"
#include "recur-jsonutil.h"
#include "recur-project.h"

#define PROJECT_FORMAT  "recur-project"
#define PROJECT_VERSION 1
#define RUN_VERSION     1

#define PROJECT_FILE "project.json"
#define CONFIG_FILE  "config.json"
#define HISTORY_FILE "history.json"
#define RESULT_FILE  "result.json"
#define WEIGHTS_FILE "best.safetensors"
#define LOG_FILE     "history.log"
#define LOCK_FILE    "lock"

/* Best weights are rewritten, and history.log synced to the disk, at most this often while a run
 * trains. */
#define WEIGHTS_INTERVAL_US G_USEC_PER_SEC
#define LOG_SYNC_INTERVAL_US G_USEC_PER_SEC

G_DEFINE_QUARK (recur-project-error-quark, recur_project_error)

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
  JsonObject     *result;
  gboolean        has_weights;
  GPtrArray      *problems;
  /* what recur_project_sync_run has written */
  guint           weights_epoch;
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

/* ---- small helpers ------------------------------------------------------------------------- */

static GError *
new_error (RecurProjectError  code,
           const char        *format,
           ...) G_GNUC_PRINTF (2, 3);

static GError *
new_error (RecurProjectError  code,
           const char        *format,
           ...)
{
  GError *error;
  va_list ap;

  va_start (ap, format);
  error = g_error_new_valist (RECUR_PROJECT_ERROR, code, format, ap);
  va_end (ap);
  return error;
}

static gboolean
fail_with (GError **error,
           GError  *local)
{
  g_propagate_error (error, local);
  return FALSE;
}

static gpointer
fail_null (GError **error,
           GError  *local)
{
  g_propagate_error (error, local);
  return NULL;
}

/* Records a problem of the project, and of run if not NULL. Takes problem. */
static void
add_issue (RecurProject    *self,
           RecurProjectRun *run,
           GError          *problem)
{
  if (run)
    g_ptr_array_add (run->problems, g_error_copy (problem));
  g_ptr_array_add (self->issues, problem);
}

/* A read error as a project error: a missing file stays MISSING_FILE, anything else (a syntax
 * error, a truncated file) is CORRUPT. The message already names the file. */
static GError *
as_project_error (const GError *error)
{
  RecurProjectError code = RECUR_PROJECT_ERROR_CORRUPT;

  if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
    code = RECUR_PROJECT_ERROR_MISSING_FILE;
  else if (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_LOOP))
    code = RECUR_PROJECT_ERROR_UNSAFE_PATH;
  return new_error (code, "%s", error->message);
}

static GError *
link_error (const char *path)
{
  return new_error (RECUR_PROJECT_ERROR_UNSAFE_PATH,
                    _("%s is a symbolic link: not followed, since it could lead outside the "
                      "project"), path);
}

static char *
run_file (const RecurProjectRun *run,
          const char            *name)
{
  return g_build_filename (run->dir, name, NULL);
}

static void
history_clear (RecurHistory *h)
{
  g_clear_pointer (&h->train_loss, g_free);
  g_clear_pointer (&h->val_loss, g_free);
  g_clear_pointer (&h->lr, g_free);
  g_clear_pointer (&h->grad_norm, g_free);
  g_clear_pointer (&h->seconds, g_free);
  h->n_epochs = 0;
}

/* The columns of a history, for loops over all of them. */
static double **
history_column (RecurHistory *h,
                guint         i)
{
  double **columns[] = { &h->train_loss, &h->val_loss, &h->lr, &h->grad_norm, &h->seconds };
  return columns[i];
}

static const char *const history_names[] = { "train_loss", "val_loss", "lr", "grad_norm",
                                             "seconds" };

static void
history_copy (RecurHistory       *dest,
              const RecurHistory *src)
{
  history_clear (dest);
  dest->n_epochs = src->n_epochs;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    *history_column (dest, i) =
      g_memdup2 (*history_column ((RecurHistory *) src, i), src->n_epochs * sizeof (double));
}

void
recur_history_view_run (RecurHistory *view,
                        RecurRun     *run)
{
  *view = (RecurHistory) {
    .n_epochs = recur_run_get_n_epochs (run),
    .train_loss = (double *) recur_run_get_train_loss (run),
    .val_loss = (double *) recur_run_get_val_loss (run),
    .lr = (double *) recur_run_get_lr (run),
    .grad_norm = (double *) recur_run_get_grad_norm (run),
    .seconds = (double *) recur_run_get_seconds (run),
  };
}

/* ---- history.log: the epochs of a run that trains ------------------------------------------ */

static void
epoch_log_clear (gpointer data)
{
  EpochLog *log = data;

  close (log->fd);  /* made only with an open one (attach_log) */
  g_free (log->path);
  g_clear_error (&log->error);
  g_mutex_clear (&log->lock);
}

static EpochLog *
epoch_log_ref (EpochLog *log)
{
  return g_atomic_rc_box_acquire (log);
}

static void
epoch_log_unref (gpointer log)
{
  g_atomic_rc_box_release_full (log, epoch_log_clear);
}

static gboolean
write_all (int         fd,
           const char *data,
           gsize       length)
{
  while (length > 0)
    {
      gssize n = write (fd, data, length);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      data += n;
      length -= (gsize) n;
    }
  return TRUE;
}

/* One epoch, one line: {"epoch":12,"train_loss":…,"val_loss":…,"lr":…,"grad_norm":…,"seconds":…}
 * with every number in 17 significant digits, which read back to the same double (null where it
 * is not finite; not the shortest form history.json has, which costs twice as much to find). On
 * the run's worker (recur_run_set_epoch_func), before it posts the epoch: one write, no
 * allocation, about 8 µs. */
static void
epoch_log_append (const RecurEpoch *e,
                  gpointer          data)
{
  EpochLog *log = data;
  const double values[] = { e->train_loss, e->val_loss, e->lr, e->grad_norm, e->seconds };
  char text[G_N_ELEMENTS (values)][G_ASCII_DTOSTR_BUF_SIZE];
  char line[G_N_ELEMENTS (values) * G_ASCII_DTOSTR_BUF_SIZE + 128];
  gboolean failed;
  int n;

  g_mutex_lock (&log->lock);
  failed = log->error != NULL;
  g_mutex_unlock (&log->lock);
  if (failed)
    return; /* a torn line may end the file: nothing may follow it */
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      if (isfinite (values[i]))
        g_ascii_dtostr (text[i], sizeof text[i], values[i]);
      else
        g_strlcpy (text[i], "null", sizeof text[i]);
    }
  n = g_snprintf (line, sizeof line,
                  "{\"epoch\":%u,\"train_loss\":%s,\"val_loss\":%s,\"lr\":%s,"
                  "\"grad_norm\":%s,\"seconds\":%s}\n",
                  e->epoch, text[0], text[1], text[2], text[3], text[4]);
  if (!write_all (log->fd, line, (gsize) n))
    {
      int saved = errno;
      g_mutex_lock (&log->lock);
      g_set_error (&log->error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot write %s: %s"), log->path, g_strerror (saved));
      g_mutex_unlock (&log->lock);
      return;
    }
  g_atomic_int_set (&log->last_epoch, e->epoch);
  /* with G_MESSAGES_DEBUG=recur-engine: what the crash tests compare the files with */
  g_debug ("%s: epoch %u written", log->path, e->epoch);
}

/* Stops the run's worker from appending, and lets go of the log: removed when the run's ending
 * has been written (history.json and result.json hold it all), kept otherwise (the process is
 * letting the run go while it trains: it is interrupted, with the epochs it had). */
static void
detach_log (RecurProjectRun *entry,
            gboolean         remove)
{
  if (entry->attached)
    {
      recur_run_set_epoch_func (entry->attached, 0, NULL, NULL, NULL);
      g_clear_object (&entry->attached);
    }
  if (entry->log)
    {
      if (remove)
        g_unlink (entry->log->path);
      g_clear_pointer (&entry->log, epoch_log_unref);
    }
}

static void
data_clear (RecurProjectData *d)
{
  g_clear_pointer (&d->path, g_free);
  g_clear_pointer (&d->relative, g_free);
  g_clear_pointer (&d->sha256, g_free);
  g_clear_pointer (&d->column, g_free);
}

static RecurProjectRun *
run_new (RecurProject *self,
         const char   *id,
         const char   *name)
{
  RecurProjectRun *run = g_new0 (RecurProjectRun, 1);

  run->id = g_strdup (id);
  run->name = g_strdup (name);
  run->dir = g_build_filename (self->path, id, NULL);
  run->status = RECUR_RUN_QUEUED;
  run->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  recur_job_config_init (&run->config);
  return run;
}

static void
run_free (RecurProjectRun *run)
{
  detach_log (run, FALSE);
  g_free (run->id);
  g_free (run->name);
  g_free (run->dir);
  g_free (run->message);
  recur_job_config_clear (&run->config);
  for (guint i = 0; i < run->n_swept; i++)
    g_free (run->swept[i].text);
  history_clear (&run->history);
  g_clear_pointer (&run->result, json_object_unref);
  g_ptr_array_unref (run->problems);
  g_free (run);
}

static RecurProject *
project_new (const char *path)
{
  RecurProject *self = g_new0 (RecurProject, 1);

  self->path = g_canonicalize_filename (path, NULL);
  self->runs = g_ptr_array_new_with_free_func ((GDestroyNotify) run_free);
  self->issues = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  self->next_run = 1;
  self->lock_fd = -1;
  return self;
}

void
recur_project_free (RecurProject *self)
{
  if (self == NULL)
    return;
  g_free (self->path);
  data_clear (&self->data);
  g_clear_pointer (&self->replaced, json_node_unref);
  g_ptr_array_unref (self->runs);  /* detaches the runs still training */
  g_ptr_array_unref (self->issues);
  if (self->lock_fd >= 0)
    close (self->lock_fd);  /* releases the lock */
  g_free (self);
}

/* ---- the data reference -------------------------------------------------------------------- */

static gboolean
hash_file (const char  *path,
           guint64     *size,
           char       **sha256,
           GError     **error)
{
  g_autoptr(GMappedFile) map = g_mapped_file_new (path, FALSE, error);

  if (map == NULL)
    return FALSE;
  *size = g_mapped_file_get_length (map);
  *sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
                                         (const guchar *) g_mapped_file_get_contents (map),
                                         g_mapped_file_get_length (map));
  return TRUE;
}

/* Relative to the project when the CSV lies in it or beside it (below its parent folder), so
 * that moving both together keeps the link; NULL otherwise. */
static char *
relative_to_project (const char *project,
                     const char *csv)
{
  g_autofree char *parent = g_path_get_dirname (project);
  gsize n = strlen (project), p = strlen (parent);

  if (strncmp (csv, project, n) == 0 && csv[n] == G_DIR_SEPARATOR)
    return g_strdup (csv + n + 1);
  if (p > 1 && strncmp (csv, parent, p) == 0 && csv[p] == G_DIR_SEPARATOR)
    return g_strconcat ("..", csv + p, NULL);
  return NULL;
}

/* Points the data reference at csv, which has this size and hash. */
static void
set_data (RecurProject *self,
          const char   *csv,
          guint64       size,
          const char   *sha256)
{
  char *column = g_strdup (self->data.column);

  data_clear (&self->data);
  self->data.path = g_canonicalize_filename (csv, NULL);
  self->data.relative = relative_to_project (self->path, self->data.path);
  self->data.size = size;
  self->data.sha256 = g_strdup (sha256);
  self->data.column = column;
  self->has_data = TRUE;
}

static JsonNode *
data_to_json (const RecurProjectData *d,
              JsonNode               *replaced)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "relative_path");
  if (d->relative)
    json_builder_add_string_value (b, d->relative);
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "absolute_path");
  json_builder_add_string_value (b, d->path);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, (gint64) d->size);
  json_builder_set_member_name (b, "sha256");
  json_builder_add_string_value (b, d->sha256);
  json_builder_set_member_name (b, "column");
  if (d->column)
    json_builder_add_string_value (b, d->column);
  else
    json_builder_add_null_value (b);
  if (replaced)
    {
      json_builder_set_member_name (b, "replaced");
      json_builder_add_value (b, json_node_copy (replaced));
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

/* ---- strict readers: each names the file and the member ----------------------------------- */

static gboolean
corrupt (GError     **error,
         const char  *file,
         const char  *what)
{
  g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT, "%s: %s", file, what);
  return FALSE;
}

static gboolean
holds (JsonNode *node,
       GType     type)
{
  return node && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == type;
}

/* A string member; NULL allowed when nullable. */
static gboolean
get_string (JsonObject  *o,
            const char  *name,
            gboolean     nullable,
            const char **out,
            const char  *file,
            GError     **error)
{
  JsonNode *node = json_object_get_member (o, name);
  g_autofree char *what = NULL;

  *out = NULL;
  if (holds (node, G_TYPE_STRING))
    {
      *out = json_node_get_string (node);
      return TRUE;
    }
  if (nullable && (node == NULL || JSON_NODE_HOLDS_NULL (node)))
    return TRUE;
  what = g_strdup_printf (_("“%s” must be a string"), name);
  return corrupt (error, file, what);
}

static gboolean
get_count (JsonObject  *o,
           const char  *name,
           guint64      min,
           guint64     *out,
           const char  *file,
           GError     **error)
{
  JsonNode *node = json_object_get_member (o, name);
  g_autofree char *what = NULL;

  if (holds (node, G_TYPE_INT64) && json_node_get_int (node) >= (gint64) min)
    {
      *out = (guint64) json_node_get_int (node);
      return TRUE;
    }
  what = g_strdup_printf (_("“%s” must be an integer of at least %" PRIu64), name, min);
  return corrupt (error, file, what);
}

static gboolean
is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;
  for (const char *p = text; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;
  return TRUE;
}

static gboolean
read_data (JsonNode          *node,
           RecurProjectData  *d,
           const char        *file,
           GError           **error)
{
  JsonObject *o;
  const char *relative, *absolute, *sha256, *column;
  guint64 size;

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return corrupt (error, file, _("“data” must be an object"));
  o = json_node_get_object (node);
  if (!get_string (o, "relative_path", TRUE, &relative, file, error)
      || !get_string (o, "absolute_path", FALSE, &absolute, file, error)
      || !get_count (o, "size", 0, &size, file, error)
      || !get_string (o, "sha256", FALSE, &sha256, file, error)
      || !get_string (o, "column", TRUE, &column, file, error))
    return FALSE;
  if (!g_path_is_absolute (absolute))
    return corrupt (error, file, _("“absolute_path” is not an absolute path"));
  if (relative && g_path_is_absolute (relative))
    return corrupt (error, file, _("“relative_path” is an absolute path"));
  if (!is_sha256 (sha256))
    return corrupt (error, file, _("“sha256” is not 64 lowercase hexadecimal digits"));
  *d = (RecurProjectData) {
    .path = g_strdup (absolute),
    .relative = g_strdup (relative),
    .size = size,
    .sha256 = g_strdup (sha256),
    .column = g_strdup (column),
  };
  return TRUE;
}

static gboolean
is_run_id (const char *name)
{
  guint64 n;

  return g_str_has_prefix (name, "run-")
         && g_ascii_string_to_unsigned (name + 4, 10, 1, G_MAXUINT, &n, NULL);
}

static guint
run_number (const char *id)
{
  return (guint) g_ascii_strtoull (id + 4, NULL, 10);
}

static char *
format_run_id (guint number)
{
  return g_strdup_printf ("run-%04u", number);
}

/* ---- the lock ------------------------------------------------------------------------------ */

/* "recur (process 1234)", or on another host "recur (process 1234 on otherhost)", from what the
 * holder wrote into the lock file; NULL when it cannot be read (the holder is writing it). */
static char *
describe_holder (int fd)
{
  char buf[1024];
  gssize n = pread (fd, buf, sizeof buf - 1, 0);
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  JsonObject *o;
  const char *program, *host;
  gint64 pid;

  if (n <= 0)
    return NULL;
  buf[n] = '\0';
  if (!json_parser_load_from_data (parser, buf, n, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  o = json_node_get_object (json_parser_get_root (parser));
  if (!holds (json_object_get_member (o, "pid"), G_TYPE_INT64)
      || !holds (json_object_get_member (o, "program"), G_TYPE_STRING))
    return NULL;
  pid = json_object_get_int_member (o, "pid");
  program = json_object_get_string_member (o, "program");
  host = json_object_get_string_member_with_default (o, "host", NULL);
  if (host && !g_str_equal (host, g_get_host_name ()))
    return g_strdup_printf (_("%s (process %" G_GINT64_FORMAT " on %s)"), program, pid, host);
  return g_strdup_printf (_("%s (process %" G_GINT64_FORMAT ")"), program, pid);
}

static GError *
locked_error (const char *path,
              int         fd)
{
  g_autofree char *holder = describe_holder (fd);

  return new_error (RECUR_PROJECT_ERROR_LOCKED,
                    _("%s is open in %s: a project is written by one program at a time; close it "
                      "there first"), path, holder ? holder : _("another process"));
}

/* Who holds the lock, for the message of those refused. Written over the old contents, then
 * cut to length: a reader never sees an empty file. */
static void
write_holder (int fd)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gsize len;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "pid");
  json_builder_add_int_value (b, getpid ());
  json_builder_set_member_name (b, "program");
  json_builder_add_string_value (b, g_get_prgname () ? g_get_prgname () : "recur");
  json_builder_set_member_name (b, "host");
  json_builder_add_string_value (b, g_get_host_name ());
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  text = recur_json_to_data (root, FALSE, &len);
  if (pwrite (fd, text, len, 0) != (gssize) len || ftruncate (fd, (off_t) len) != 0)
    g_debug ("cannot write who holds the lock: %s", g_strerror (errno));
}

/* Takes the project's lock: an open file description lock on the lock file (F_OFD_SETLK, so two
 * projects objects of one process exclude each other too), which the kernel releases when the
 * holder closes it or dies: a crashed holder never leaves it stuck. A file system without
 * locks (some network ones) lets the project be written unlocked. */
static gboolean
take_lock (RecurProject  *self,
           GError       **error)
{
  g_autofree char *file = g_build_filename (self->path, LOCK_FILE, NULL);
  int fd = open (file, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, 0666);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  struct stat st;
  int saved;

  if (fd < 0)
    {
      saved = errno;
      if (saved == ELOOP)
        return fail_with (error, link_error (file));
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot open %s: %s"), file, g_strerror (saved));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      return fail_with (error, new_error (RECUR_PROJECT_ERROR_UNSAFE_PATH,
                                          _("%s is not a regular file"), file));
    }
  if (fcntl (fd, F_OFD_SETLK, &fl) != 0)
    {
      saved = errno;
      if (saved == EAGAIN || saved == EACCES)
        {
          GError *held = locked_error (self->path, fd);
          close (fd);
          return fail_with (error, held);
        }
      if (saved != ENOLCK && saved != EINVAL && saved != EOPNOTSUPP)
        {
          close (fd);
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot lock %s: %s"), file, g_strerror (saved));
          return FALSE;
        }
      g_debug ("%s: the file system has no locks: writing unlocked", file);
    }
  write_holder (fd);
  self->lock_fd = fd;
  self->writable = TRUE;
  return TRUE;
}

/* LOCKED if a process holds the lock of the folder at path, without taking it or making a lock
 * file: for refusing to make a project over one that is in use with the right reason. */
static gboolean
check_not_held (const char  *path,
                GError     **error)
{
  g_autofree char *file = g_build_filename (path, LOCK_FILE, NULL);
  int fd = open (file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
  GError *held;

  if (fd < 0)
    return TRUE;
  if (fcntl (fd, F_OFD_GETLK, &fl) != 0 || fl.l_type == F_UNLCK)
    {
      close (fd);
      return TRUE;
    }
  held = locked_error (path, fd);
  close (fd);
  return fail_with (error, held);
}

/* ---- project.json -------------------------------------------------------------------------- */

static JsonNode *
project_to_json (RecurProject *self)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, PROJECT_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, PROJECT_VERSION);
  json_builder_set_member_name (b, "data");
  if (self->has_data)
    json_builder_add_value (b, data_to_json (&self->data, self->replaced));
  else
    json_builder_add_null_value (b);
  json_builder_set_member_name (b, "next_run");
  json_builder_add_int_value (b, self->next_run);
  json_builder_set_member_name (b, "runs");
  json_builder_begin_array (b);
  for (guint i = 0; i < self->runs->len; i++)
    {
      RecurProjectRun *run = g_ptr_array_index (self->runs, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "id");
      json_builder_add_string_value (b, run->id);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, run->name);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
recur_project_save (RecurProject  *self,
                    GError       **error)
{
  g_autoptr(JsonNode) root = project_to_json (self);
  g_autofree char *file = g_build_filename (self->path, PROJECT_FILE, NULL);

  g_return_val_if_fail (self->writable, FALSE);
  if (!recur_json_write_file (root, file, error))
    return FALSE;
  self->recovered = FALSE;
  return TRUE;
}

/* What project.json lists: ids and names, in order. */
typedef struct
{
  char *id;
  char *name;
} Listed;

static void
listed_free (Listed *l)
{
  g_free (l->id);
  g_free (l->name);
  g_free (l);
}

static gboolean
contains_id (GPtrArray  *listed,
             const char *id)
{
  for (guint i = 0; i < listed->len; i++)
    if (g_str_equal (((Listed *) g_ptr_array_index (listed, i))->id, id))
      return TRUE;
  return FALSE;
}

/* The runs project.json lists. An entry whose id is not a run folder's name ("../x", "/abs",
 * "run-0001/../../x") would lead outside the project: it is ignored, as is a second entry of
 * one id, each an issue; project.json is then recovered (rewritten without them). */
static gboolean
read_listed_runs (RecurProject  *self,
                  JsonObject    *o,
                  GPtrArray     *listed,
                  const char    *file,
                  GError       **error)
{
  JsonNode *node = json_object_get_member (o, "runs");
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return corrupt (error, file, _("“runs” must be an array"));
  array = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      const char *id, *name;
      Listed *l;

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return corrupt (error, file, _("an entry of “runs” is not an object"));
      if (!get_string (json_node_get_object (item), "id", FALSE, &id, file, error)
          || !get_string (json_node_get_object (item), "name", FALSE, &name, file, error))
        return FALSE;
      if (!is_run_id (id))
        {
          add_issue (self, NULL, new_error (RECUR_PROJECT_ERROR_UNSAFE_PATH,
                                            _("%s: “runs”: “id”: “%s” is not the name of a run "
                                              "folder (run-0001): ignored, since it could lead "
                                              "outside the project"), file, id));
          self->recovered = TRUE;
          continue;
        }
      if (contains_id (listed, id))
        {
          add_issue (self, NULL, new_error (RECUR_PROJECT_ERROR_CORRUPT,
                                            _("%s: “runs”: “id”: “%s” is listed twice: the "
                                              "second is ignored"), file, id));
          self->recovered = TRUE;
          continue;
        }
      l = g_new0 (Listed, 1);
      l->id = g_strdup (id);
      l->name = g_strdup (name);
      g_ptr_array_add (listed, l);
    }
  return TRUE;
}

static gboolean
check_format (JsonObject  *o,
              const char  *format,
              int          version,
              const char  *file,
              GError     **error)
{
  const char *found;
  guint64 v;

  if (!get_string (o, "format", FALSE, &found, file, error))
    return FALSE;
  if (!g_str_equal (found, format))
    return corrupt (error, file, _("not a Recur project file"));
  if (!get_count (o, "version", 1, &v, file, error))
    return FALSE;
  if (v > (guint64) version)
    {
      g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_VERSION,
                   _("%s: format version %" PRIu64 " is newer than this Recur reads "
                     "(%d): update Recur to open it"), file, v, version);
      return FALSE;
    }
  return TRUE;
}

/* Reads project.json into self (data, next_run) and listed. */
static gboolean
load_project_file (RecurProject  *self,
                   GPtrArray     *listed,
                   GError       **error)
{
  g_autofree char *file = g_build_filename (self->path, PROJECT_FILE, NULL);
  g_autoptr(JsonNode) root = recur_json_read_file (file, error);
  JsonObject *o;
  JsonNode *data;
  guint64 next;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error, file, _("not a JSON object"));
  o = json_node_get_object (root);
  if (!check_format (o, PROJECT_FORMAT, PROJECT_VERSION, file, error)
      || !get_count (o, "next_run", 1, &next, file, error)
      || !read_listed_runs (self, o, listed, file, error))
    return FALSE;
  data = json_object_get_member (o, "data");
  if (data && !JSON_NODE_HOLDS_NULL (data))
    {
      JsonNode *replaced;

      if (!read_data (data, &self->data, file, error))
        return FALSE;
      self->has_data = TRUE;
      replaced = json_object_get_member (json_node_get_object (data), "replaced");
      if (replaced)
        self->replaced = json_node_copy (replaced);
    }
  self->next_run = (guint) MIN (next, G_MAXUINT);
  return TRUE;
}

/* ---- a run's files: reading ----------------------------------------------------------------- */

static gboolean
read_run_config (RecurProjectRun  *run,
                 RecurProjectData *data,
                 gboolean         *has_data,
                 GError          **error)
{
  g_autofree char *file = run_file (run, CONFIG_FILE);
  g_autoptr(JsonNode) root = recur_json_read_file (file, error);
  g_autoptr(GError) local = NULL;
  JsonObject *o;
  const char *name;
  guint64 version;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error, file, _("not a JSON object"));
  o = json_node_get_object (root);
  if (!get_count (o, "version", 1, &version, file, error)
      || !get_string (o, "name", FALSE, &name, file, error))
    return FALSE;
  if (version > RUN_VERSION)
    return corrupt (error, file, _("written by a newer Recur"));
  if (!recur_job_config_from_json (json_object_get_member (o, "config"), &run->config, &local))
    return corrupt (error, file, local->message);
  if (json_object_has_member (o, "swept")
      && !recur_sweep_values_from_json (json_object_get_member (o, "swept"), run->swept,
                                        &run->n_swept, &local))
    return corrupt (error, file, local->message);
  *has_data = json_object_has_member (o, "data")
              && read_data (json_object_get_member (o, "data"), data, file, NULL);
  g_free (run->name);
  run->name = g_strdup (name);
  run->has_config = TRUE;
  return TRUE;
}

static gboolean
read_column (JsonObject  *o,
             const char  *name,
             guint        n,
             double     **out,
             const char  *file,
             GError     **error)
{
  JsonNode *node = json_object_get_member (o, name);
  g_autofree char *what = NULL;
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (json_node_get_array (node)) != n)
    {
      what = g_strdup_printf (_("“%s” must be an array of %u numbers (one per epoch)"), name, n);
      return corrupt (error, file, what);
    }
  array = json_node_get_array (node);
  *out = g_new (double, n);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      if (JSON_NODE_HOLDS_NULL (item))
        (*out)[i] = NAN;
      else if (holds (item, G_TYPE_DOUBLE) || holds (item, G_TYPE_INT64))
        (*out)[i] = json_node_get_double (item);
      else
        {
          what = g_strdup_printf (_("“%s” holds something that is not a number"), name);
          return corrupt (error, file, what);
        }
    }
  return TRUE;
}

static gboolean
read_history (RecurProjectRun  *run,
              GError          **error)
{
  g_autofree char *file = run_file (run, HISTORY_FILE);
  g_autoptr(JsonNode) root = recur_json_read_file (file, error);
  RecurHistory h = { 0 };
  guint64 n;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error, file, _("not a JSON object"));
  if (!get_count (json_node_get_object (root), "epochs", 0, &n, file, error))
    return FALSE;
  if (n > 10000000)
    return corrupt (error, file, _("“epochs” is implausibly large"));
  h.n_epochs = (guint) n;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    if (!read_column (json_node_get_object (root), history_names[i], h.n_epochs,
                      history_column (&h, i), file, error))
      {
        history_clear (&h);
        return FALSE;
      }
  history_clear (&run->history);
  run->history = h;
  return TRUE;
}

/* One line of history.log: an object of "epoch" (≥ 1) and a number or null for each column. */
static gboolean
parse_epoch_line (JsonParser *parser,
                  const char *line,
                  gsize       length,
                  guint      *epoch,
                  double     *values)
{
  JsonObject *o;
  JsonNode *node;

  if (!json_parser_load_from_data (parser, line, (gssize) length, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  o = json_node_get_object (json_parser_get_root (parser));
  node = json_object_get_member (o, "epoch");
  if (!holds (node, G_TYPE_INT64) || json_node_get_int (node) < 1
      || json_node_get_int (node) > 10000000)
    return FALSE;
  *epoch = (guint) json_node_get_int (node);
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    {
      node = json_object_get_member (o, history_names[i]);
      if (node && JSON_NODE_HOLDS_NULL (node))
        values[i] = NAN;
      else if (holds (node, G_TYPE_DOUBLE) || holds (node, G_TYPE_INT64))
        values[i] = json_node_get_double (node);
      else
        return FALSE;
    }
  return TRUE;
}

/* history.log, after history.json: the epochs the run wrote one by one as it trained, those
 * history.json does not have yet (a line of an epoch it has is skipped). A last line without
 * its newline is the epoch that was being written when the process ended: dropped, without an
 * issue, as a crash is allowed to lose it. A complete line that is not an epoch, or an epoch out
 * of sequence, is CORRUPT: the epochs before it are kept. */
static gboolean
read_history_log (RecurProjectRun  *run,
                  GError          **error)
{
  g_autofree char *file = run_file (run, LOG_FILE);
  g_autofree char *text = NULL;
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  GArray *columns[G_N_ELEMENTS (history_names)];
  RecurHistory *h = &run->history;
  const char *p, *end;
  gboolean ok = TRUE;
  guint line = 0;
  gsize len;

  if (!recur_file_read_regular (file, RECUR_JSON_MAX_FILE_BYTES, &text, &len, error))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    {
      columns[i] = g_array_new (FALSE, FALSE, sizeof (double));
      g_array_append_vals (columns[i], *history_column (h, i), h->n_epochs);
    }
  for (p = text, end = text + len; p < end;)
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      guint have = columns[0]->len, epoch;
      double values[G_N_ELEMENTS (history_names)];

      if (nl == NULL)
        break; /* cut short by a crash */
      line++;
      if (!parse_epoch_line (parser, p, (gsize) (nl - p), &epoch, values))
        {
          g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT,
                       _("%s:%u: not an epoch of the history: the epochs from there on are "
                         "lost (%u kept)"), file, line, have);
          ok = FALSE;
          break;
        }
      p = nl + 1;
      if (epoch <= have)
        continue;
      if (epoch != have + 1)
        {
          g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_CORRUPT,
                       _("%s:%u: epoch %u follows epoch %u: the epochs from there on are lost "
                         "(%u kept)"), file, line, epoch, have, have);
          ok = FALSE;
          break;
        }
      for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
        g_array_append_val (columns[i], values[i]);
    }
  history_clear (h);
  h->n_epochs = columns[0]->len;
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    *history_column (h, i) = (double *) (gpointer) g_array_free (columns[i], FALSE);
  return ok;
}

static gboolean
check_metrics (JsonObject  *parent,
               const char  *name,
               const char  *file,
               GError     **error)
{
  static const char *const keys[] = { "mae", "rmse", "mape", "smape", "mase" };
  JsonNode *node = json_object_get_member (parent, name);
  g_autofree char *what = g_strdup_printf (_("“%s” must be an object of metrics"), name);
  double v;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return corrupt (error, file, what);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!recur_json_get_number (json_node_get_object (node), keys[i], &v))
      return corrupt (error, file, what);
  return TRUE;
}

/* Checks the members the comparison table and the GUI read; others are left alone. */
static gboolean
validate_result (JsonObject      *o,
                 RecurRunStatus  *status,
                 const char     **message,
                 const char      *file,
                 GError         **error)
{
  static const char *const numbers[] = { "train_loss", "val_loss", "seconds",
                                         "windows_per_second" };
  const char *id;
  guint64 count;
  double v;

  if (!get_string (o, "status", FALSE, &id, file, error)
      || !get_string (o, "error", TRUE, message, file, error))
    return FALSE;
  if (!recur_run_status_from_id (id, status)
      || (*status != RECUR_RUN_FINISHED && *status != RECUR_RUN_STOPPED
          && *status != RECUR_RUN_FAILED))
    return corrupt (error, file, _("“status” must be finished, stopped or failed"));
  for (guint i = 0; i < 2; i++)
    {
      const char *name = i ? "best_epoch" : "epochs_run";
      if (json_object_has_member (o, name) && !get_count (o, name, 0, &count, file, error))
        return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (numbers); i++)
    if (!recur_json_get_number (o, numbers[i], &v))
      {
        g_autofree char *what = g_strdup_printf (_("“%s” must be a number"), numbers[i]);
        return corrupt (error, file, what);
      }
  if (!check_metrics (o, "test", file, error))
    return FALSE;
  if (json_object_has_member (o, "baselines"))
    {
      JsonNode *b = json_object_get_member (o, "baselines");
      if (!JSON_NODE_HOLDS_OBJECT (b))
        return corrupt (error, file, _("“baselines” must be an object"));
      if (!check_metrics (json_node_get_object (b), "naive", file, error)
          || !check_metrics (json_node_get_object (b), "snaive", file, error))
        return FALSE;
    }
  return TRUE;
}

static gboolean
read_result (RecurProjectRun  *run,
             GError          **error)
{
  g_autofree char *file = run_file (run, RESULT_FILE);
  g_autoptr(JsonNode) root = recur_json_read_file (file, error);
  RecurRunStatus status;
  const char *message;

  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    return corrupt (error, file, _("not a JSON object"));
  if (!validate_result (json_node_get_object (root), &status, &message, file, error))
    return FALSE;
  run->status = status;
  g_free (run->message);
  run->message = g_strdup (message);
  g_clear_pointer (&run->result, json_object_unref);
  run->result = json_object_ref (json_node_get_object (root));
  return TRUE;
}

static guint
result_best_epoch (const RecurProjectRun *run)
{
  if (run->result == NULL || !json_object_has_member (run->result, "best_epoch"))
    return 0;
  return (guint) json_object_get_int_member (run->result, "best_epoch");
}

/* Each file on its own: what is intact is kept, each problem is an issue. */
static RecurProjectRun *
read_run (RecurProject     *self,
          const char       *id,
          const char       *listed_name,
          RecurProjectData *data,
          gboolean         *has_data)
{
  RecurProjectRun *run = run_new (self, id, listed_name ? listed_name : id);
  g_autofree char *result_file = run_file (run, RESULT_FILE);
  g_autofree char *weights_file = run_file (run, WEIGHTS_FILE);
  g_autofree char *history_file = run_file (run, HISTORY_FILE);
  g_autofree char *log_file = run_file (run, LOG_FILE);
  RecurFileKind weights_kind = recur_file_kind (weights_file);
  GError *error = NULL;

  /* each reader refuses a symbolic link (recur_file_read_regular) */
  if (!read_run_config (run, data, has_data, &error))
    {
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  if (recur_file_kind (history_file) != RECUR_FILE_KIND_NONE && !read_history (run, &error))
    {
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  if (recur_file_kind (log_file) != RECUR_FILE_KIND_NONE && !read_history_log (run, &error))
    {
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  if (recur_file_kind (result_file) == RECUR_FILE_KIND_NONE)
    run->status = RECUR_RUN_INTERRUPTED;
  else if (!read_result (run, &error))
    {
      run->status = RECUR_RUN_DAMAGED;
      run->message = g_strdup (error->message);
      add_issue (self, run, as_project_error (error));
      g_clear_error (&error);
    }
  run->has_weights = weights_kind == RECUR_FILE_KIND_REGULAR;
  if (weights_kind == RECUR_FILE_KIND_LINK)
    add_issue (self, run, link_error (weights_file));
  else if (!run->has_weights && result_best_epoch (run) > 0)
    add_issue (self, run, new_error (RECUR_PROJECT_ERROR_MISSING_FILE,
                                     _("%s: missing: the run's best weights (epoch %u) are lost"),
                                     weights_file, result_best_epoch (run)));
  run->weights_epoch = result_best_epoch (run);
  return run;
}

/* ---- opening ------------------------------------------------------------------------------- */

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The names of the form run-NNNN that are folders or symbolic links, sorted. No new run takes
 * the number of anything of such a name, whatever it is. */
static GPtrArray *
scan_run_folders (RecurProject *self)
{
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GDir) dir = g_dir_open (self->path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *path = g_build_filename (self->path, name, NULL);
      RecurFileKind kind;

      if (!is_run_id (name))
        continue;
      self->next_run = MAX (self->next_run, MIN (run_number (name), G_MAXUINT - 1) + 1);
      kind = recur_file_kind (path);
      if (kind == RECUR_FILE_KIND_FOLDER || kind == RECUR_FILE_KIND_LINK)
        g_ptr_array_add (ids, g_strdup (name));
    }
  g_ptr_array_sort (ids, compare_strings);
  return ids;
}

/* Empty but for the lock file (which a writer leaves behind). */
static gboolean
folder_is_empty (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    if (!g_str_equal (name, LOCK_FILE))
      return FALSE;
  return TRUE;
}

/* Whether a run folder holds any of a run's files: one that does not (made, then killed before
 * its config.json was written, perhaps leaving the temporary file of that write) holds no run. */
static gboolean
holds_run_files (const char *dir)
{
  static const char *const names[] = { CONFIG_FILE, HISTORY_FILE, LOG_FILE, RESULT_FILE,
                                       WEIGHTS_FILE };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      if (recur_file_kind (path) != RECUR_FILE_KIND_NONE)
        return TRUE;
    }
  return FALSE;
}

/* The temporary files of atomic writes ("result.json.AB12cd") that a crash left: removed by the
 * writer that holds the lock, since no one else can be writing them. */
static void
remove_stale_temporaries (const char *folder)
{
  static const char *const names[] = { PROJECT_FILE, CONFIG_FILE, HISTORY_FILE, RESULT_FILE,
                                       WEIGHTS_FILE };
  g_autoptr(GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    for (guint i = 0; i < G_N_ELEMENTS (names); i++)
      {
        gsize n = strlen (names[i]);
        g_autofree char *path = NULL;

        if (strncmp (name, names[i], n) != 0 || name[n] != '.' || strlen (name + n + 1) != 6)
          continue;
        path = g_build_filename (folder, name, NULL);
        if (recur_file_kind (path) == RECUR_FILE_KIND_REGULAR)
          g_unlink (path);
      }
}

/* Adds a run read from its folder; the first intact data reference of a run stands in for a
 * lost project.json's. */
static void
add_read_run (RecurProject *self,
              const char   *id,
              const char   *name)
{
  RecurProjectData data = { 0 };
  gboolean has_data = FALSE;
  RecurProjectRun *run = read_run (self, id, name, &data, &has_data);

  if (has_data && !self->has_data)
    {
      self->data = data;
      self->has_data = TRUE;
    }
  else if (has_data)
    data_clear (&data);
  g_ptr_array_add (self->runs, run);
  self->next_run = MAX (self->next_run, run_number (id) + 1);
}

/* Runs listed in project.json first, in its order, then unlisted run folders (each an issue,
 * unless project.json itself was lost: then all are, and that is the issue). A run folder that
 * is a symbolic link is not read (an issue). */
static void
load_runs (RecurProject *self,
           GPtrArray    *listed,
           gboolean      have_list)
{
  g_autoptr(GPtrArray) found = scan_run_folders (self);

  for (guint i = 0; i < listed->len; i++)
    {
      Listed *l = g_ptr_array_index (listed, i);
      g_autofree char *dir = g_build_filename (self->path, l->id, NULL);
      RecurFileKind kind = recur_file_kind (dir);

      if (kind == RECUR_FILE_KIND_FOLDER)
        add_read_run (self, l->id, l->name);
      else if (kind == RECUR_FILE_KIND_LINK)
        {
          add_issue (self, NULL, link_error (dir));
          self->recovered = TRUE;
        }
      else
        {
          add_issue (self, NULL, new_error (RECUR_PROJECT_ERROR_MISSING_FILE,
                                            _("%s: missing: run “%s” is listed in %s but its "
                                              "folder is gone"), dir, l->name, PROJECT_FILE));
          self->recovered = TRUE;
        }
    }
  for (guint i = 0; i < found->len; i++)
    {
      const char *id = g_ptr_array_index (found, i);
      g_autofree char *dir = g_build_filename (self->path, id, NULL);

      if (contains_id (listed, id))
        continue;
      if (recur_file_kind (dir) == RECUR_FILE_KIND_LINK)
        {
          add_issue (self, NULL, link_error (dir));
          continue;
        }
      if (!holds_run_files (dir))
        continue; /* a run whose config.json was never written */
      add_read_run (self, id, NULL);
      self->recovered = TRUE;
      if (have_list)
        add_issue (self, NULL, new_error (RECUR_PROJECT_ERROR_CORRUPT,
                                          _("%s: this run was not listed in %s: recovered"), dir,
                                          PROJECT_FILE));
    }
}

RecurProject *
recur_project_open (const char          *path,
                    RecurProjectAccess   access,
                    GError             **error)
{
  g_autoptr(RecurProject) self = project_new (path);
  g_autoptr(GPtrArray) listed = g_ptr_array_new_with_free_func ((GDestroyNotify) listed_free);
  g_autoptr(GPtrArray) found = NULL;
  g_autofree char *project_file = g_build_filename (self->path, PROJECT_FILE, NULL);
  GError *local = NULL;
  gboolean have_list = TRUE;

  if (!g_file_test (self->path, G_FILE_TEST_IS_DIR))
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_NOT_FOUND,
                                        _("%s: no such project folder"), self->path));
  /* before the lock, so that no lock file is left in a folder that holds no project */
  found = scan_run_folders (self);
  if (found->len == 0 && recur_file_kind (project_file) == RECUR_FILE_KIND_NONE)
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_NOT_FOUND,
                                        _("%s: not a Recur project (no %s)"), self->path,
                                        PROJECT_FILE));
  if (access == RECUR_PROJECT_WRITE && !take_lock (self, error))
    return NULL;
  if (!load_project_file (self, listed, &local))
    {
      RecurProjectError code = RECUR_PROJECT_ERROR_CORRUPT;

      if (g_error_matches (local, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_VERSION))
        return fail_null (error, local);
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        code = RECUR_PROJECT_ERROR_MISSING_FILE;
      else if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_LOOP))
        code = RECUR_PROJECT_ERROR_UNSAFE_PATH;
      /* the data is set only once all of project.json has been read: the runs listed so far
       * are all that is to be forgotten */
      g_ptr_array_set_size (listed, 0);
      add_issue (self, NULL, new_error (code, _("%s; rebuilt from the run folders"),
                                        local->message));
      g_clear_error (&local);
      self->recovered = TRUE;
      have_list = FALSE;
    }
  load_runs (self, listed, have_list);
  if (self->writable)
    {
      g_autoptr(GPtrArray) folders = scan_run_folders (self);

      remove_stale_temporaries (self->path);
      for (guint i = 0; i < folders->len; i++)
        {
          g_autofree char *dir = g_build_filename (self->path, g_ptr_array_index (folders, i),
                                                   NULL);
          if (recur_file_kind (dir) == RECUR_FILE_KIND_FOLDER)
            remove_stale_temporaries (dir);
        }
    }
  if (!recur_project_check_data (self, &local))
    add_issue (self, NULL, local);
  return g_steal_pointer (&self);
}

/* ---- creating ------------------------------------------------------------------------------ */

/* Undoes the folder create made: its lock let go of, then the lock file and the folder. */
static void
remove_made_folder (RecurProject *self)
{
  g_autofree char *lock = g_build_filename (self->path, LOCK_FILE, NULL);

  if (self->lock_fd >= 0)
    {
      close (self->lock_fd);
      self->lock_fd = -1;
      self->writable = FALSE;
    }
  g_unlink (lock);
  g_rmdir (self->path);
}

RecurProject *
recur_project_create (const char  *path,
                      const char  *csv,
                      const char  *column,
                      GError     **error)
{
  g_autoptr(RecurProject) self = project_new (path);
  g_autofree char *sha256 = NULL;
  g_autofree char *parent = g_path_get_dirname (self->path);
  gboolean made = FALSE;
  guint64 size;

  /* refused before anything is made: a folder in use, or one that holds anything else */
  if (g_file_test (self->path, G_FILE_TEST_EXISTS) && !folder_is_empty (self->path))
    {
      if (!check_not_held (self->path, error))
        return NULL; /* the better reason */
      return fail_null (error, new_error (RECUR_PROJECT_ERROR_EXISTS,
                                          _("%s: the folder exists and is not empty"),
                                          self->path));
    }
  if (!hash_file (csv, &size, &sha256, error))
    return NULL;
  if (!g_file_test (self->path, G_FILE_TEST_IS_DIR))
    {
      if (!g_file_test (parent, G_FILE_TEST_IS_DIR) && g_mkdir_with_parents (parent, 0777) != 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot make the folder %s: %s"), parent, g_strerror (saved));
          return NULL;
        }
      if (!recur_file_make_dir (self->path, error))
        return NULL;
      made = TRUE;
    }
  /* checked again with the lock: another process may have begun a project there meanwhile */
  if (!take_lock (self, error))
    {
      if (made)
        g_rmdir (self->path);
      return NULL;
    }
  if (!folder_is_empty (self->path))
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_EXISTS,
                                        _("%s: the folder exists and is not empty"),
                                        self->path));
  self->data.column = g_strdup (column);
  set_data (self, csv, size, sha256);
  if (!recur_project_save (self, error))
    {
      if (made)
        remove_made_folder (self); /* no folder that looks like a project and is not one */
      return NULL;
    }
  return g_steal_pointer (&self);
}

/* ---- the data ------------------------------------------------------------------------------ */

const char *
recur_project_get_path (RecurProject *self)
{
  return self->path;
}

GPtrArray *
recur_project_get_issues (RecurProject *self)
{
  return self->issues;
}

gboolean
recur_project_is_recovered (RecurProject *self)
{
  return self->recovered;
}

const RecurProjectData *
recur_project_get_data (RecurProject *self)
{
  return self->has_data ? &self->data : NULL;
}

/* 0: the recorded file; 1: a file, another one; 2: no file. The data is the one path a project
 * records that may lead outside its folder, by design (the CSV beside the project, or anywhere):
 * it is only ever read, only if it is a regular file (never a FIFO or a device, which could
 * block or never end), and hashed only if it has the recorded size. */
static int
probe_data (RecurProject *self,
            const char   *candidate)
{
  g_autofree char *sha256 = NULL;
  GStatBuf st;
  guint64 size;

  if (g_stat (candidate, &st) != 0 || !S_ISREG (st.st_mode))
    return 2;
  if ((guint64) st.st_size != self->data.size)
    return 1;
  if (!hash_file (candidate, &size, &sha256, NULL))
    return 2;
  return size == self->data.size && g_str_equal (sha256, self->data.sha256) ? 0 : 1;
}

gboolean
recur_project_check_data (RecurProject  *self,
                          GError       **error)
{
  g_autofree char *from_relative = NULL;
  const char *candidates[2];
  const char *changed = NULL;

  if (!self->has_data)
    return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_MOVED,
                                        _("%s: no intact file records the project's data: "
                                          "choose its CSV file"), self->path));
  if (self->data.relative)
    from_relative = g_canonicalize_filename (self->data.relative, self->path);
  candidates[0] = from_relative;
  candidates[1] = self->data.path;
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    {
      int probe = candidates[i] ? probe_data (self, candidates[i]) : 2;
      if (probe == 0)
        {
          if (!g_str_equal (candidates[i], self->data.path))
            {
              g_free (self->data.path);
              self->data.path = g_strdup (candidates[i]);
            }
          return TRUE;
        }
      if (probe == 1 && changed == NULL)
        changed = candidates[i];
    }
  if (changed)
    return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_CHANGED,
                                        _("%s: the data file has changed since the runs were "
                                          "trained on it: expected %" PRIu64 " bytes "
                                          "with SHA-256 %s"), changed, self->data.size,
                                        self->data.sha256));
  return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_MOVED,
                                      _("%s: the data file is gone (%" PRIu64 " bytes, "
                                        "SHA-256 %s): choose where it is now"), self->data.path,
                                      self->data.size, self->data.sha256));
}

static void
drop_data_issues (RecurProject *self)
{
  for (guint i = self->issues->len; i-- > 0;)
    {
      GError *e = g_ptr_array_index (self->issues, i);
      if (g_error_matches (e, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_MOVED)
          || g_error_matches (e, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_DATA_CHANGED))
        g_ptr_array_remove_index (self->issues, i);
    }
}

/* Keeps the replaced file's size and hash in "replaced". */
static void
remember_replaced (RecurProject *self)
{
  JsonArray *array;
  JsonObject *old = json_object_new ();

  if (self->replaced == NULL || !JSON_NODE_HOLDS_ARRAY (self->replaced))
    {
      g_clear_pointer (&self->replaced, json_node_unref);
      self->replaced = json_node_init_array (json_node_alloc (), json_array_new ());
    }
  array = json_node_get_array (self->replaced);
  json_object_set_int_member (old, "size", (gint64) self->data.size);
  json_object_set_string_member (old, "sha256", self->data.sha256);
  json_array_add_object_element (array, old);
}

gboolean
recur_project_set_data_path (RecurProject  *self,
                             const char    *csv,
                             gboolean       accept_changed,
                             GError       **error)
{
  g_autofree char *sha256 = NULL;
  g_autoptr(JsonNode) old_replaced = NULL;
  RecurProjectData old_data = { 0 };
  gboolean old_has_data = self->has_data, changed;
  guint64 size;

  g_return_val_if_fail (self->writable, FALSE);
  if (!hash_file (csv, &size, &sha256, error))
    return FALSE;
  changed = self->has_data && (size != self->data.size || !g_str_equal (sha256, self->data.sha256));
  if (changed && !accept_changed)
    return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_CHANGED,
                                        _("%s is not the project's data: it has %"
                                          PRIu64 " bytes with SHA-256 %s, the "
                                          "runs were trained on %" PRIu64 " bytes "
                                          "with SHA-256 %s"), csv, size, sha256,
                                        self->data.size, self->data.sha256));
  /* kept to be put back if project.json cannot be written */
  old_data.path = g_strdup (self->data.path);
  old_data.relative = g_strdup (self->data.relative);
  old_data.size = self->data.size;
  old_data.sha256 = g_strdup (self->data.sha256);
  old_data.column = g_strdup (self->data.column);
  old_replaced = self->replaced ? json_node_copy (self->replaced) : NULL;
  if (changed)
    remember_replaced (self);
  set_data (self, csv, size, sha256);
  if (!recur_project_save (self, error))
    {
      data_clear (&self->data);
      self->data = old_data;
      self->has_data = old_has_data;
      g_clear_pointer (&self->replaced, json_node_unref);
      self->replaced = g_steal_pointer (&old_replaced);
      return FALSE;
    }
  data_clear (&old_data);
  drop_data_issues (self);
  return TRUE;
}

gboolean
recur_project_data_matches (RecurProject  *self,
                            const char    *csv,
                            GError       **error)
{
  g_autofree char *sha256 = NULL;
  guint64 size;

  if (!hash_file (csv, &size, &sha256, error))
    return FALSE;
  if (self->has_data && size == self->data.size && g_str_equal (sha256, self->data.sha256))
    return TRUE;
  return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_MISMATCH,
                                      _("%s holds runs trained on other data (%s, SHA-256 %s); "
                                        "%s differs"), self->path,
                                      self->has_data ? self->data.path : "?",
                                      self->has_data ? self->data.sha256 : "?", csv));
}

/* ---- runs: reading ------------------------------------------------------------------------- */

guint
recur_project_get_n_runs (RecurProject *self)
{
  return self->runs->len;
}

RecurProjectRun *
recur_project_get_run (RecurProject *self,
                       guint         index)
{
  g_return_val_if_fail (index < self->runs->len, NULL);
  return g_ptr_array_index (self->runs, index);
}

RecurProjectRun *
recur_project_find_run (RecurProject *self,
                        const char   *id)
{
  for (guint i = 0; i < self->runs->len; i++)
    {
      RecurProjectRun *run = g_ptr_array_index (self->runs, i);
      if (g_str_equal (run->id, id))
        return run;
    }
  return NULL;
}

const char *
recur_project_run_get_id (const RecurProjectRun *run)
{
  return run->id;
}

const char *
recur_project_run_get_name (const RecurProjectRun *run)
{
  return run->name;
}

const char *
recur_project_run_get_dir (const RecurProjectRun *run)
{
  return run->dir;
}

RecurRunStatus
recur_project_run_get_status (const RecurProjectRun *run)
{
  return run->status;
}

const char *
recur_project_run_get_message (const RecurProjectRun *run)
{
  return run->message;
}

const RecurJobConfig *
recur_project_run_get_config (const RecurProjectRun *run)
{
  return run->has_config ? &run->config : NULL;
}

const RecurSweepValue *
recur_project_run_get_swept (const RecurProjectRun *run,
                             guint                 *n_values)
{
  *n_values = run->n_swept;
  return run->swept;
}

const RecurHistory *
recur_project_run_get_history (const RecurProjectRun *run)
{
  return &run->history;
}

JsonObject *
recur_project_run_get_result (const RecurProjectRun *run)
{
  return run->result;
}

gboolean
recur_project_run_has_weights (const RecurProjectRun *run)
{
  return run->has_weights;
}

GPtrArray *
recur_project_run_get_problems (const RecurProjectRun *run)
{
  return run->problems;
}

/* "; hidden 12, not 8": one setting in which the weights differ from config.json. */
static void
add_difference (GString    *text,
                const char *setting,
                const char *have,
                const char *want)
{
  if (g_str_equal (have, want))
    return;
  if (text->len > 0)
    g_string_append (text, "; ");
  g_string_append_printf (text, _("%s %s, not %s"), setting, have, want);
}

static void
add_number_difference (GString    *text,
                       const char *setting,
                       guint       have,
                       guint       want)
{
  g_autofree char *have_text = g_strdup_printf ("%u", have);
  g_autofree char *want_text = g_strdup_printf ("%u", want);

  add_difference (text, setting, have_text, want_text);
}

/* The weights must be the model config.json describes: otherwise they belong to another run.
 * The message names each setting that differs, as config.json spells it. */
static gboolean
check_weights_match (const RecurModelSpec  *have,
                     const RecurModelSpec  *want,
                     const char            *file,
                     GError               **error)
{
  g_autoptr(GString) differences = g_string_new (NULL);
  g_autofree char *what = NULL;

  add_difference (differences, "model", recur_cell_to_option (have->cell),
                  recur_cell_to_option (want->cell));
  add_number_difference (differences, "input-size", have->input_size, want->input_size);
  add_number_difference (differences, "hidden", have->hidden_size, want->hidden_size);
  add_number_difference (differences, "layers", have->num_layers, want->num_layers);
  add_difference (differences, "bidirectional", have->bidirectional ? "true" : "false",
                  want->bidirectional ? "true" : "false");
  add_difference (differences, "bias", have->bias ? "true" : "false",
                  want->bias ? "true" : "false");
  add_number_difference (differences, "window", have->window, want->window);
  add_number_difference (differences, "horizon", have->horizon, want->horizon);
  add_difference (differences, "strategy", recur_strategy_to_string (have->strategy),
                  recur_strategy_to_string (want->strategy));
  if (differences->len == 0)
    return TRUE;
  what = g_strdup_printf (_("the weights are not the model %s describes (%s)"), CONFIG_FILE,
                          differences->str);
  return corrupt (error, file, what);
}

RecurModel *
recur_project_run_load_weights (RecurProject     *self,
                                RecurProjectRun  *run,
                                RecurModelInfo   *info,
                                GError          **error)
{
  g_autofree char *file = run_file (run, WEIGHTS_FILE);
  g_autoptr(RecurModel) model = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local = NULL;
  char *contents;
  gsize length;

  if (recur_file_kind (file) == RECUR_FILE_KIND_NONE)
    return fail_null (error, new_error (RECUR_PROJECT_ERROR_MISSING_FILE,
                                        _("%s: missing: run “%s” has no saved weights"), file,
                                        run->name));
  if (!recur_file_read_regular (file, G_MAXSSIZE, &contents, &length, &local))
    return fail_null (error, as_project_error (local));
  bytes = g_bytes_new_take (contents, length);
  model = recur_model_load_bytes (bytes, file, info, error);
  if (model == NULL)
    return NULL;
  if (run->has_config
      && !check_weights_match (recur_model_get_spec (model), &run->config.model, file, error))
    {
      if (info)
        recur_model_info_clear (info);
      return NULL;
    }
  return g_steal_pointer (&model);
}

/* ---- runs: writing ------------------------------------------------------------------------- */

static gboolean
write_run_config (RecurProject     *self,
                  RecurProjectRun  *run,
                  GError          **error)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *file = run_file (run, CONFIG_FILE);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, RUN_VERSION);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, run->name);
  json_builder_set_member_name (b, "swept");
  json_builder_add_value (b, recur_sweep_values_to_json (run->swept, run->n_swept));
  if (self->has_data)
    {
      json_builder_set_member_name (b, "data");
      json_builder_add_value (b, data_to_json (&self->data, NULL));
    }
  json_builder_set_member_name (b, "config");
  json_builder_add_value (b, recur_job_config_to_json (&run->config));
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  return recur_json_write_file (root, file, error);
}

/* A run folder that could not be completed: its files, then itself. Run folders hold files
 * only. */
static void
discard_run_folder (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
  g_rmdir (path);
}

static gboolean
check_name (const char  *name,
            GError     **error)
{
  if (name && *name && g_utf8_validate (name, -1, NULL))
    return TRUE;
  g_set_error (error, RECUR_PROJECT_ERROR, RECUR_PROJECT_ERROR_INVALID,
               _("a run needs a name (UTF-8, not empty)"));
  return FALSE;
}

RecurProjectRun *
recur_project_add_run (RecurProject           *self,
                       const char             *name,
                       const RecurJobConfig   *config,
                       const RecurSweepValue  *swept,
                       guint                   n_swept,
                       GError                **error)
{
  g_autofree char *id = NULL;
  guint number = self->next_run;
  RecurProjectRun *run;

  g_return_val_if_fail (self->writable, NULL);
  g_return_val_if_fail (n_swept <= RECUR_SWEEP_MAX_PARAMS, NULL);
  if (!check_name (name, error))
    return NULL;
  id = format_run_id (number);
  run = run_new (self, id, name);
  recur_job_config_clear (&run->config);
  recur_job_config_copy (&run->config, config);
  run->has_config = TRUE;
  for (guint i = 0; i < n_swept; i++)
    {
      run->swept[i] = swept[i];
      run->swept[i].text = g_strdup (swept[i].text);
    }
  run->n_swept = n_swept;
  /* folder, then config.json, then the list: a crash in between leaves an empty folder (ignored)
   * or an unlisted run (recovered). A write that fails takes the run out again, folder and all,
   * so that the project is as it was; its id is reused only if its folder is gone. */
  if (!recur_file_make_dir (run->dir, error))
    {
      run_free (run);
      return NULL;
    }
  /* the last number, G_MAXUINT, stays the next: its folder exists, so no run comes after it */
  self->next_run = number == G_MAXUINT ? number : number + 1;
  g_ptr_array_add (self->runs, run);
  if (!write_run_config (self, run, error) || !recur_project_save (self, error))
    {
      discard_run_folder (run->dir);
      if (!g_file_test (run->dir, G_FILE_TEST_EXISTS))
        self->next_run = number;
      g_ptr_array_remove (self->runs, run);
      return NULL;
    }
  return run;
}

static JsonNode *
history_to_json (const RecurHistory *h)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "epochs");
  json_builder_add_int_value (b, h->n_epochs);
  for (guint i = 0; i < G_N_ELEMENTS (history_names); i++)
    {
      const double *column = *history_column ((RecurHistory *) h, i);

      json_builder_set_member_name (b, history_names[i]);
      json_builder_begin_array (b);
      for (guint e = 0; e < h->n_epochs; e++)
        if (isfinite (column[e]))
          json_builder_add_double_value (b, column[e]);
        else
          json_builder_add_null_value (b);
      json_builder_end_array (b);
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

gboolean
recur_project_write_history (RecurProject        *self,
                             RecurProjectRun     *run,
                             const RecurHistory  *history,
                             GError             **error)
{
  g_autoptr(JsonNode) root = history_to_json (history);
  g_autofree char *file = run_file (run, HISTORY_FILE);
  gsize len;
  /* compact: it grows with the epochs */
  g_autofree char *text = recur_json_to_data (root, FALSE, &len);

  g_return_val_if_fail (self->writable, FALSE);
  if (!recur_file_write_atomic (file, text, len, error))
    return FALSE;
  if (history != &run->history)
    history_copy (&run->history, history);
  return TRUE;
}

gboolean
recur_project_write_weights (RecurProject      *self,
                             RecurProjectRun   *run,
                             const RecurJob    *job,
                             const RecurModel  *model,
                             guint              epoch,
                             GError           **error)
{
  g_autofree char *file = run_file (run, WEIGHTS_FILE);

  g_return_val_if_fail (self->writable, FALSE);
  if (!recur_job_save_model (job, model, file, error))
    return FALSE;
  run->has_weights = TRUE;
  run->weights_epoch = epoch;
  run->weights_at = g_get_monotonic_time ();
  return TRUE;
}

/* The timestamps of the test part and of the forecast past the end, as the CSV spells them. */
static void
add_timestamps (JsonObject     *o,
                const RecurJob *job)
{
  const RecurSeries *series = recur_job_get_series (job);
  const RecurDataset *data = recur_job_get_dataset (job);
  const gint64 *ts = recur_series_get_timestamps (series);
  guint start = recur_dataset_get_test_start (data), n = recur_dataset_get_n_points (data);
  gint64 last = ts ? ts[n - 1] : (gint64) n - 1;
  JsonArray *test = json_array_new (), *future = json_array_new ();

  for (guint i = start; i < n; i++)
    {
      g_autofree char *when = recur_series_format_timestamp (series, ts ? ts[i] : (gint64) i);
      json_array_add_string_element (test, when);
    }
  for (guint h = 0; h < recur_job_get_config (job)->model.horizon; h++)
    {
      g_autofree char *when =
        recur_series_format_timestamp (series, recur_series_advance_timestamp (series, last, h + 1));
      json_array_add_string_element (future, when);
    }
  json_object_set_array_member (o, "test_timestamps", test);
  json_object_set_array_member (o, "forecast_timestamps", future);
}

static JsonObject *
result_object (RecurRunStatus  status,
               const char     *message,
               const RecurJob *job)
{
  JsonObject *o = json_object_new ();

  json_object_set_int_member (o, "version", RUN_VERSION);
  json_object_set_string_member (o, "status", recur_run_status_to_id (status));
  if (message)
    json_object_set_string_member (o, "error", message);
  else
    json_object_set_null_member (o, "error");
  if (job)
    {
      g_autoptr(JsonNode) summary = recur_job_to_json (job);
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (summary));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        json_object_set_member (o, name, json_node_copy (member));
      if (recur_job_get_evaluation (job))
        add_timestamps (o, job);
      if (recur_job_get_summary (job)->best_epoch == 0)
        {
          /* never trained: the model's scores and forecasts would describe random weights */
          json_object_remove_member (o, "test");
          json_object_remove_member (o, "test_forecast");
          json_object_remove_member (o, "forecast");
        }
    }
  return o;
}

gboolean
recur_project_write_result (RecurProject     *self,
                            RecurProjectRun  *run,
                            RecurRunStatus    status,
                            const char       *message,
                            const RecurJob   *job,
                            GError          **error)
{
  g_autoptr(JsonObject) o = result_object (status, message, job);
  g_autoptr(JsonNode) root = json_node_init_object (json_node_alloc (), o);
  g_autofree char *file = run_file (run, RESULT_FILE);

  g_return_val_if_fail (self->writable, FALSE);
  if (!recur_json_write_file (root, file, error))
    return FALSE;
  run->status = status;
  g_free (run->message);
  run->message = g_strdup (message);
  g_clear_pointer (&run->result, json_object_unref);
  run->result = json_object_ref (o);
  return TRUE;
}

/* The project forecasts one column: a run of another is refused, and a project made without
 * one takes the first run's. */
static gboolean
check_column (RecurProject    *self,
              const RecurJob  *job,
              GError         **error)
{
  const char *column = recur_job_get_column_name (job);

  if (!self->has_data || self->data.column == NULL)
    {
      if (self->has_data)
        self->data.column = g_strdup (column);
      return TRUE;
    }
  if (g_str_equal (self->data.column, column))
    return TRUE;
  return fail_with (error, new_error (RECUR_PROJECT_ERROR_DATA_MISMATCH,
                                      _("%s compares runs on column “%s”, not “%s”"), self->path,
                                      self->data.column, column));
}

/* From now on the run's worker appends each epoch to history.log as it ends (those it has
 * already, beyond what history.json holds, first). */
static gboolean
attach_log (RecurProjectRun  *entry,
            RecurRun         *run,
            GError          **error)
{
  g_autofree char *file = run_file (entry, LOG_FILE);
  int fd = open (file, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0666);
  EpochLog *log;

  if (fd < 0)
    {
      int saved = errno;
      if (saved == ELOOP)
        return fail_with (error, link_error (file));
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved), _("Cannot write %s: %s"),
                   file, g_strerror (saved));
      return FALSE;
    }
  log = g_atomic_rc_box_new0 (EpochLog);
  log->fd = fd;
  log->path = g_steal_pointer (&file);
  g_mutex_init (&log->lock);
  entry->log = log;
  entry->attached = g_object_ref (run);
  recur_run_set_epoch_func (run, entry->history.n_epochs + 1, epoch_log_append,
                            epoch_log_ref (log), epoch_log_unref);
  return TRUE;
}

/* While the run trains: the first failed append is reported (once), and what was appended is
 * synced to the disk at most once a second, for a system crash or a power cut (a killed process
 * needs no sync: what it wrote is the kernel's; and a sync costs milliseconds on the main
 * thread, as much as many epochs). */
static gboolean
sync_log (EpochLog  *log,
          GError   **error)
{
  guint last = g_atomic_int_get (&log->last_epoch);
  GError *failed = NULL;

  g_mutex_lock (&log->lock);
  if (log->error && !log->reported)
    {
      failed = g_error_copy (log->error);
      log->reported = TRUE;
    }
  g_mutex_unlock (&log->lock);
  if (failed)
    return fail_with (error, failed);
  if (last != log->synced_epoch
      && g_get_monotonic_time () - log->synced_at >= LOG_SYNC_INTERVAL_US)
    {
      if (fdatasync (log->fd) != 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot write %s: %s"), log->path, g_strerror (saved));
          return FALSE;
        }
      log->synced_epoch = last;
      log->synced_at = g_get_monotonic_time ();
    }
  return TRUE;
}

RecurProjectRun *
recur_project_add_recur_run (RecurProject           *self,
                             RecurRun               *run,
                             const RecurSweepValue  *swept,
                             guint                   n_swept,
                             GError                **error)
{
  const RecurJob *job = recur_run_get_job (run);
  RecurProjectRun *entry;

  g_return_val_if_fail (self->writable, NULL);
  if (!check_column (self, job, error))
    return NULL;
  entry = recur_project_add_run (self, recur_run_get_name (run), recur_job_get_config (job),
                                 swept, n_swept, error);
  if (entry && recur_run_is_active (run) && !attach_log (entry, run, error))
    return NULL;
  return entry;
}

static gboolean
sync_weights (RecurProject     *self,
              RecurProjectRun  *entry,
              RecurRun         *run,
              GError          **error)
{
  guint best = recur_run_get_best_epoch (run);
  gboolean active = recur_run_is_active (run);

  if (best == 0 || best == entry->weights_epoch)
    return TRUE;
  if (active && g_get_monotonic_time () - entry->weights_at < WEIGHTS_INTERVAL_US)
    return TRUE; /* the next progress will write them */
  return recur_project_write_weights (self, entry, recur_run_get_job (run),
                                      recur_run_get_best_model (run), best, error);
}

/* A run that ended and was written, now training again (resumed): its result no longer holds. */
static gboolean
reopen_run (RecurProjectRun  *entry,
            GError          **error)
{
  g_autofree char *file = run_file (entry, RESULT_FILE);

  if (g_unlink (file) != 0 && errno != ENOENT)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot remove %s: %s"), file, g_strerror (saved));
      return FALSE;
    }
  g_clear_pointer (&entry->result, json_object_unref);
  return TRUE;
}

gboolean
recur_project_sync_run (RecurProject     *self,
                        RecurProjectRun  *entry,
                        RecurRun         *run,
                        GError          **error)
{
  g_autoptr(GError) history_error = NULL;
  RecurHistory view;
  RecurRunStatus status = recur_run_get_status (run);

  g_return_val_if_fail (self->writable, FALSE);
  if (recur_run_is_active (run))
    {
      if (entry->result != NULL && !reopen_run (entry, error))
        return FALSE;
      if (entry->log == NULL && !attach_log (entry, run, error))
        return FALSE;
      entry->status = status;
      return sync_log (entry->log, error) && sync_weights (self, entry, run, error);
    }
  if (status == RECUR_RUN_INTERRUPTED || status == RECUR_RUN_DAMAGED)
    return TRUE; /* restored from a project as it was: nothing of ours to add */
  /* It has ended: the whole history, the last best weights and the result, each atomically,
   * then history.log goes, once history.json holds its epochs. A history that cannot be written
   * costs neither the weights nor the result (the log keeps the epochs, and the history is
   * tried again next time); weights that cannot be written hold the result back, which would
   * otherwise point at weights that are not there. */
  recur_history_view_run (&view, run);
  if (view.n_epochs != entry->history.n_epochs || entry->log)
    recur_project_write_history (self, entry, &view, &history_error);
  if (!sync_weights (self, entry, run, error))
    return FALSE;
  if (entry->result == NULL
      && !recur_project_write_result (self, entry, status,
                                      recur_run_get_error (run)
                                        ? recur_run_get_error (run)->message : NULL,
                                      recur_run_get_job (run), error))
    return FALSE;
  if (history_error)
    {
      g_propagate_error (error, g_steal_pointer (&history_error));
      return FALSE;
    }
  detach_log (entry, TRUE);
  return TRUE;
}

RecurProjectRun *
recur_project_add_job (RecurProject        *self,
                       const char          *name,
                       const RecurJob      *job,
                       RecurRunStatus       status,
                       const char          *message,
                       const RecurHistory  *history,
                       GError             **error)
{
  RecurProjectRun *run;
  guint best = recur_job_get_summary (job)->best_epoch;

  g_return_val_if_fail (self->writable, NULL);
  if (!check_column (self, job, error))
    return NULL;
  run = recur_project_add_run (self, name, recur_job_get_config (job), NULL, 0, error);
  if (run == NULL
      || (history && !recur_project_write_history (self, run, history, error))
      || (best > 0 && !recur_project_write_weights (self, run, job,
                                                    recur_job_get_model ((RecurJob *) job), best,
                                                    error))
      || !recur_project_write_result (self, run, status, message, job, error))
    return NULL;
  return run;
}

gboolean
recur_project_rename_run (RecurProject     *self,
                          RecurProjectRun  *run,
                          const char       *name,
                          GError          **error)
{
  g_autofree char *old = NULL;

  g_return_val_if_fail (self->writable, FALSE);
  if (!check_name (name, error))
    return FALSE;
  old = g_steal_pointer (&run->name);
  run->name = g_strdup (name);
  /* project.json, then config.json, whose name is the one opening shows: if the second write
   * fails, the run still shows its old name wherever it stops */
  if (!recur_project_save (self, error))
    {
      g_free (run->name);
      run->name = g_steal_pointer (&old);
      return FALSE;
    }
  if (run->has_config && !write_run_config (self, run, error))
    {
      g_free (run->name);
      run->name = g_steal_pointer (&old);
      recur_project_save (self, NULL); /* the old name back in the list, if the disk lets us */
      return FALSE;
    }
  return TRUE;
}

/* Our run folders hold files only. */
static gboolean
remove_folder (const char  *path,
               GError     **error)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, error);
  const char *name;

  if (dir == NULL)
    return FALSE;
  while ((name = g_dir_read_name (dir)))
    {
      g_autofree char *file = g_build_filename (path, name, NULL);
      g_unlink (file);
    }
  if (g_rmdir (path) != 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("Cannot remove the folder %s: %s"), path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

gboolean
recur_project_delete_run (RecurProject     *self,
                          RecurProjectRun  *run,
                          GError          **error)
{
  g_autofree char *base = g_strconcat (".deleted-", run->id, NULL);
  g_autofree char *trash = g_build_filename (self->path, base, NULL);
  gboolean moved = FALSE;
  guint index;

  g_return_val_if_fail (self->writable, FALSE);
  if (g_file_test (run->dir, G_FILE_TEST_IS_DIR))
    {
      if (g_rename (run->dir, trash) != 0)
        {
          int saved = errno;
          g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                       _("Cannot remove the run folder %s: %s"), run->dir, g_strerror (saved));
          return FALSE;
        }
      moved = TRUE;
    }
  if (!g_ptr_array_find (self->runs, run, &index))
    g_return_val_if_reached (FALSE);
  g_ptr_array_steal_index (self->runs, index);
  if (!recur_project_save (self, error))
    {
      /* still listed in project.json: the run stays, folder and all */
      if (moved)
        g_rename (trash, run->dir);
      g_ptr_array_insert (self->runs, (gint) index, run);
      return FALSE;
    }
  run_free (run);
  /* project.json's write synced the folder, the move to the trash with it */
  return !moved || remove_folder (trash, error);
}
