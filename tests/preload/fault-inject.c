/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Fault injection for tests: wraps the C library's open, write, fsync, close, rename and mkdir
 * so that the N-th call on the paths under a directory fails with a chosen errno, as a full
 * disk or a failing one makes them fail. The code under test runs unchanged, GLib's calls
 * included: this is the C library failing, not a mock of Recur's helpers.
 *
 * Two ways in:
 *   - child processes: LD_PRELOAD=libfault-inject.so with
 *       RECUR_FAULT=SPEC            what fails (below);
 *       RECUR_FAULT_DIR=DIR         only calls on DIR and the paths under it count (absolute);
 *       RECUR_FAULT_REPORT=FILE     at exit, "open=2 write=3 … injected=1\n" is written there;
 *   - in-process tests: linked in (it then comes before the C library in the lookup order),
 *     armed with recur_fault_set (fault-inject.h).
 *
 * SPEC is OP:N:ERRNO[:all]. The N-th call of OP (counted from 1 on the watched paths) fails
 * with ERRNO (a name: ENOSPC, EIO, EDQUOT, EACCES, EROFS, EINTR, …); with ":all", so does every
 * later one (a disk that stays full). OP is
 *   open         an open that may write (O_WRONLY, O_RDWR or O_CREAT): the temporary file;
 *   write        a write to a file opened under the directory;
 *   short-write  the N-th write writes half of its bytes (at least one) and reports it, and
 *                every later write fails with ERRNO: the disk filled up during the write
 *                (ERRNO "none": the later writes succeed, as after a signal);
 *   fsync        fsync or fdatasync of such a file;   close   its close (the descriptor is
 *                closed anyway, as Linux does);
 *   rename       a rename from or to a watched path;  mkdir   a mkdir of one;
 *   diropen      an open of a watched directory (to sync it);   dirsync   its fsync.
 * Reads are never counted nor failed. */
#define _GNU_SOURCE
/* open and open64 are both defined here: no redirection of one to the other */
#undef _FILE_OFFSET_BITS
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault-inject.h"

enum { OP_OPEN, OP_WRITE, OP_FSYNC, OP_CLOSE, OP_RENAME, OP_MKDIR, OP_DIROPEN, OP_DIRSYNC, N_OPS };
static const char *const op_names[N_OPS] = { "open", "write", "fsync", "close", "rename", "mkdir",
                                             "diropen", "dirsync" };

#define MAX_FDS 65536
enum { FD_NONE, FD_FILE, FD_DIR };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int initialized;
static int fault_op = -1;          /* none */
static int fault_short;            /* short-write */
static unsigned int fault_nth;
static int fault_errno;
static int fault_all;
static char watch_dir[4096];       /* empty: every path */
static unsigned int counts[N_OPS];
static unsigned int injected;
static int short_done;             /* the short write happened: later writes fail */
static unsigned char fd_kind[MAX_FDS];

static const struct { const char *name; int value; } errnos[] = {
  { "ENOSPC", ENOSPC }, { "EIO", EIO }, { "EDQUOT", EDQUOT }, { "EACCES", EACCES },
  { "EROFS", EROFS }, { "EINTR", EINTR }, { "EPERM", EPERM }, { "EFBIG", EFBIG },
  { "ENOMEM", ENOMEM }, { "EMFILE", EMFILE }, { "EXDEV", EXDEV }, { "EINVAL", EINVAL },
};

/* ---- the real functions ------------------------------------------------------------------ */

#define REAL(name) \
  static __typeof__ (name) *real_##name; \
  if (real_##name == NULL) \
    real_##name = (__typeof__ (name) *) dlsym (RTLD_NEXT, #name)

static void
die (const char *what,
     const char *text)
{
  fprintf (stderr, "fault-inject: %s: \"%s\"\n", what, text ? text : "(null)");
  abort ();
}

/* ---- the spec ---------------------------------------------------------------------------- */

/* Called with the lock held. */
static void
parse_spec (const char *spec,
            const char *dir)
{
  char buf[256], *op, *nth, *err, *all, *end, *save = NULL;
  unsigned long n;
  size_t k;

  fault_op = -1;
  fault_short = 0;
  fault_all = 0;
  short_done = 0;
  injected = 0;
  memset (counts, 0, sizeof counts);
  watch_dir[0] = '\0';
  if (dir && *dir)
    {
      if (dir[0] != '/' || strlen (dir) >= sizeof watch_dir)
        die ("the directory must be an absolute path", dir);
      strcpy (watch_dir, dir);
      for (k = strlen (watch_dir); k > 1 && watch_dir[k - 1] == '/'; k--)
        watch_dir[k - 1] = '\0';
    }
  if (spec == NULL || *spec == '\0')
    return;
  if (strlen (spec) >= sizeof buf)
    die ("spec too long", spec);
  strcpy (buf, spec);
  op = strtok_r (buf, ":", &save);
  nth = strtok_r (NULL, ":", &save);
  err = strtok_r (NULL, ":", &save);
  all = strtok_r (NULL, ":", &save);
  if (op == NULL || nth == NULL || err == NULL)
    die ("expected OP:N:ERRNO[:all]", spec);
  if (strcmp (op, "short-write") == 0)
    {
      fault_op = OP_WRITE;
      fault_short = 1;
      fault_all = 1;
    }
  else
    for (int i = 0; i < N_OPS; i++)
      if (strcmp (op, op_names[i]) == 0)
        fault_op = i;
  if (fault_op < 0)
    die ("unknown operation", spec);
  n = strtoul (nth, &end, 10);
  if (*end != '\0' || n < 1 || n > 1000000)
    die ("N must be 1 to 1000000", spec);
  fault_nth = (unsigned int) n;
  fault_errno = 0;
  for (k = 0; k < sizeof errnos / sizeof errnos[0]; k++)
    if (strcmp (err, errnos[k].name) == 0)
      fault_errno = errnos[k].value;
  if (fault_errno == 0 && !(fault_short && strcmp (err, "none") == 0))
    die ("unknown errno name", spec);
  if (all && strcmp (all, "all") == 0)
    fault_all = 1;
  else if (all)
    die ("expected \"all\" after the errno", spec);
}

static void
init_locked (void)
{
  if (initialized)
    return;
  initialized = 1;
  parse_spec (getenv ("RECUR_FAULT"), getenv ("RECUR_FAULT_DIR"));
}

void
recur_fault_set (const char *spec,
                 const char *dir)
{
  pthread_mutex_lock (&lock);
  initialized = 1;
  parse_spec (spec, dir);
  pthread_mutex_unlock (&lock);
}

unsigned int
recur_fault_count (const char *op)
{
  unsigned int n = 0;

  pthread_mutex_lock (&lock);
  for (int i = 0; i < N_OPS; i++)
    if (strcmp (op, op_names[i]) == 0)
      n = counts[i];
  pthread_mutex_unlock (&lock);
  return n;
}

unsigned int
recur_fault_injected (void)
{
  unsigned int n;

  pthread_mutex_lock (&lock);
  n = injected;
  pthread_mutex_unlock (&lock);
  return n;
}

/* ---- deciding ---------------------------------------------------------------------------- */

/* Whether path (relative to the working directory, or to dirfd) is watched. */
static int
watched (int         dirfd,
         const char *path)
{
  char full[8192], base[4096];
  size_t n;

  if (path == NULL)
    return 0;
  if (watch_dir[0] == '\0')
    return 1;
  if (path[0] == '/')
    snprintf (full, sizeof full, "%s", path);
  else
    {
      if (dirfd == AT_FDCWD)
        {
          if (getcwd (base, sizeof base) == NULL)
            return 0;
        }
      else
        {
          char link[64];
          ssize_t len;
          snprintf (link, sizeof link, "/proc/self/fd/%d", dirfd);
          len = readlink (link, base, sizeof base - 1);
          if (len < 0)
            return 0;
          base[len] = '\0';
        }
      snprintf (full, sizeof full, "%s/%s", base, path);
    }
  n = strlen (watch_dir);
  return strncmp (full, watch_dir, n) == 0 && (full[n] == '\0' || full[n] == '/');
}

/* Counts a call of op and says whether it fails (0, or the errno). Called with the lock. */
static int
decide_locked (int op)
{
  unsigned int n = ++counts[op];

  if (op != fault_op)
    return 0;
  if (fault_short)
    return 0; /* decided by the write wrapper */
  if (n == fault_nth || (fault_all && n > fault_nth))
    {
      injected++;
      return fault_errno;
    }
  return 0;
}

static int
decide (int op)
{
  int e;

  pthread_mutex_lock (&lock);
  init_locked ();
  e = decide_locked (op);
  pthread_mutex_unlock (&lock);
  return e;
}

static int
kind_of (int fd)
{
  return fd >= 0 && fd < MAX_FDS ? fd_kind[fd] : FD_NONE;
}

static void
track (int fd,
       int kind)
{
  if (fd >= 0 && fd < MAX_FDS)
    {
      pthread_mutex_lock (&lock);
      fd_kind[fd] = (unsigned char) kind;
      pthread_mutex_unlock (&lock);
    }
}

/* ---- open -------------------------------------------------------------------------------- */

static int
writes (int flags)
{
  return (flags & O_ACCMODE) != O_RDONLY || (flags & O_CREAT);
}

/* Before an open: whether it fails (the errno) and which kind of descriptor it makes. */
static int
before_open (int         dirfd,
             const char *path,
             int         flags,
             int        *kind)
{
  int is_dir;

  *kind = FD_NONE;
  pthread_mutex_lock (&lock);
  init_locked ();
  pthread_mutex_unlock (&lock);
  if (!watched (dirfd, path))
    return 0;
  is_dir = (flags & O_DIRECTORY) != 0;
  if (!is_dir && !writes (flags))
    return 0; /* reading a file: not a write path */
  if (!is_dir && !(flags & O_CREAT))
    {
      struct stat st;
      if (fstatat (dirfd, path, &st, 0) == 0 && S_ISDIR (st.st_mode))
        is_dir = 1;
    }
  *kind = is_dir ? FD_DIR : FD_FILE;
  return decide (is_dir ? OP_DIROPEN : OP_OPEN);
}

static int
opened (int fd,
        int kind)
{
  if (fd >= 0 && kind != FD_NONE)
    track (fd, kind);
  return fd;
}

#define MODE_ARG(flags, mode) \
  mode_t mode = 0; \
  if ((flags) & (O_CREAT | __O_TMPFILE)) \
    { \
      va_list ap; \
      va_start (ap, flags); \
      mode = va_arg (ap, mode_t); \
      va_end (ap); \
    }

#define OPEN_WRAPPER(name) \
  int name (const char *path, int flags, ...); \
  int \
  name (const char *path, int flags, ...) \
  { \
    REAL (name); \
    MODE_ARG (flags, mode); \
    int kind, e = before_open (AT_FDCWD, path, flags, &kind); \
    if (e) \
      { \
        errno = e; \
        return -1; \
      } \
    return opened (real_##name (path, flags, mode), kind); \
  }

#define OPENAT_WRAPPER(name) \
  int name (int dirfd, const char *path, int flags, ...); \
  int \
  name (int dirfd, const char *path, int flags, ...) \
  { \
    REAL (name); \
    MODE_ARG (flags, mode); \
    int kind, e = before_open (dirfd, path, flags, &kind); \
    if (e) \
      { \
        errno = e; \
        return -1; \
      } \
    return opened (real_##name (dirfd, path, flags, mode), kind); \
  }

/* _FORTIFY_SOURCE's checked opens take no mode (they refuse O_CREAT without one) */
#define OPEN2_WRAPPER(name) \
  int name (const char *path, int flags); \
  int \
  name (const char *path, int flags) \
  { \
    REAL (name); \
    int kind, e = before_open (AT_FDCWD, path, flags, &kind); \
    if (e) \
      { \
        errno = e; \
        return -1; \
      } \
    return opened (real_##name (path, flags), kind); \
  }

OPEN_WRAPPER (open)
OPEN_WRAPPER (open64)
OPENAT_WRAPPER (openat)
OPENAT_WRAPPER (openat64)
OPEN2_WRAPPER (__open_2)
OPEN2_WRAPPER (__open64_2)

/* ---- write, fsync, close ----------------------------------------------------------------- */

ssize_t write (int fd, const void *buf, size_t count);

ssize_t
write (int         fd,
       const void *buf,
       size_t      count)
{
  REAL (write);
  int e = 0, cut = 0;

  if (kind_of (fd) == FD_FILE)
    {
      pthread_mutex_lock (&lock);
      e = decide_locked (OP_WRITE);
      if (fault_op == OP_WRITE && fault_short)
        {
          if (short_done && fault_errno != 0)
            {
              e = fault_errno;
              injected++;
            }
          else if (!short_done && counts[OP_WRITE] == fault_nth)
            {
              short_done = 1;
              injected++;
              cut = 1;
            }
        }
      pthread_mutex_unlock (&lock);
    }
  if (e)
    {
      errno = e;
      return -1;
    }
  if (cut && count > 1)
    count /= 2;
  return real_write (fd, buf, count);
}

static int
sync_wrapper (int  fd,
              int (*real) (int))
{
  int kind = kind_of (fd), e = 0;

  if (kind == FD_FILE)
    e = decide (OP_FSYNC);
  else if (kind == FD_DIR)
    e = decide (OP_DIRSYNC);
  if (e)
    {
      errno = e;
      return -1;
    }
  return real (fd);
}

int fsync (int fd);

int
fsync (int fd)
{
  REAL (fsync);
  return sync_wrapper (fd, real_fsync);
}

int fdatasync (int fd);

int
fdatasync (int fd)
{
  REAL (fdatasync);
  return sync_wrapper (fd, real_fdatasync);
}

int close (int fd);

int
close (int fd)
{
  REAL (close);
  int kind = kind_of (fd), e = 0, r;

  if (kind != FD_NONE)
    {
      if (kind == FD_FILE)
        e = decide (OP_CLOSE);
      track (fd, FD_NONE);
    }
  r = real_close (fd); /* closed even when it "fails", as on Linux */
  if (e)
    {
      errno = e;
      return -1;
    }
  return r;
}

/* ---- rename, mkdir ----------------------------------------------------------------------- */

static int
before_path_op (int         op,
                int         dirfd_a,
                const char *a,
                int         dirfd_b,
                const char *b)
{
  pthread_mutex_lock (&lock);
  init_locked ();
  pthread_mutex_unlock (&lock);
  if (!watched (dirfd_a, a) && !watched (dirfd_b, b))
    return 0;
  return decide (op);
}

int rename (const char *from, const char *to);

int
rename (const char *from,
        const char *to)
{
  REAL (rename);
  int e = before_path_op (OP_RENAME, AT_FDCWD, from, AT_FDCWD, to);

  if (e)
    {
      errno = e;
      return -1;
    }
  return real_rename (from, to);
}

int renameat (int fromfd, const char *from, int tofd, const char *to);

int
renameat (int         fromfd,
          const char *from,
          int         tofd,
          const char *to)
{
  REAL (renameat);
  int e = before_path_op (OP_RENAME, fromfd, from, tofd, to);

  if (e)
    {
      errno = e;
      return -1;
    }
  return real_renameat (fromfd, from, tofd, to);
}

int mkdir (const char *path, mode_t mode);

int
mkdir (const char *path,
       mode_t      mode)
{
  REAL (mkdir);
  int e = before_path_op (OP_MKDIR, AT_FDCWD, path, AT_FDCWD, NULL);

  if (e)
    {
      errno = e;
      return -1;
    }
  return real_mkdir (path, mode);
}

/* ---- the report -------------------------------------------------------------------------- */

__attribute__ ((destructor)) static void
write_report (void)
{
  const char *path = getenv ("RECUR_FAULT_REPORT");
  char text[512];
  size_t used = 0;
  FILE *f;

  if (path == NULL || *path == '\0')
    return;
  pthread_mutex_lock (&lock);
  for (int i = 0; i < N_OPS; i++)
    used += (size_t) snprintf (text + used, sizeof text - used, "%s=%u ", op_names[i], counts[i]);
  snprintf (text + used, sizeof text - used, "injected=%u\n", injected);
  pthread_mutex_unlock (&lock);
  f = fopen (path, "w"); /* fopen's own open and write are the C library's, not these */
  if (f)
    {
      fputs (text, f);
      fclose (f);
    }
}
