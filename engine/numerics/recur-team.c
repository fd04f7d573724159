/* SPDX-License-Identifier: GPL-3.0-or-later */
#define G_LOG_DOMAIN "recur-engine"
#include "config.h"

#include "recur-sync.h"
#include "recur-team.h"

struct _RecurTeam
{
  guint n_threads;
  GThread **helpers;     /* [n_threads − 1] */
  GMutex lock;
  GCond start;           /* a new job, or quitting */
  GCond done;            /* a helper finished its share */
  guint64 generation;    /* bumped per job: helpers wait for a change */
  guint pending;         /* helpers still working on the current job */
  gboolean quit;
  guint n_tasks;
  RecurTaskFunc func;
  gpointer user_data;
};

static void
run_share (RecurTeam *self,
           guint      member,
           guint      n_tasks,
           RecurTaskFunc func,
           gpointer   user_data)
{
  for (guint task = member; task < n_tasks; task += self->n_threads)
    func (task, user_data);
}

typedef struct
{
  RecurTeam *team;
  guint member;
} HelperStart;

static gpointer
helper_main (gpointer data)
{
  HelperStart *start = data;
  RecurTeam *self = start->team;
  guint member = start->member;
  guint64 seen = 0;

  g_free (start);
  recur_mutex_lock (&self->lock);
  for (;;)
    {
      while (!self->quit && self->generation == seen)
        recur_cond_wait (&self->start, &self->lock);
      if (self->quit)
        break;
      seen = self->generation;
      {
        guint n_tasks = self->n_tasks;
        RecurTaskFunc func = self->func;
        gpointer user_data = self->user_data;

        recur_mutex_unlock (&self->lock);
        run_share (self, member, n_tasks, func, user_data);
        recur_mutex_lock (&self->lock);
      }
      if (--self->pending == 0)
        g_cond_signal (&self->done);
    }
  recur_mutex_unlock (&self->lock);
  return NULL;
}

RecurTeam *
recur_team_new (guint n_threads)
{
  RecurTeam *self = g_new0 (RecurTeam, 1);

  self->n_threads = MAX (n_threads, 1);
  recur_mutex_init (&self->lock);
  g_cond_init (&self->start);
  g_cond_init (&self->done);
  self->helpers = g_new0 (GThread *, self->n_threads);
  for (guint k = 1; k < self->n_threads; k++)
    {
      HelperStart *start = g_new (HelperStart, 1);
      start->team = self;
      start->member = k;
      self->helpers[k - 1] = g_thread_new ("recur-team", helper_main, start);
    }
  return self;
}

void
recur_team_free (RecurTeam *self)
{
  if (self == NULL)
    return;
  recur_mutex_lock (&self->lock);
  self->quit = TRUE;
  g_cond_broadcast (&self->start);
  recur_mutex_unlock (&self->lock);
  for (guint k = 1; k < self->n_threads; k++)
    g_thread_join (self->helpers[k - 1]);
  g_free (self->helpers);
  recur_mutex_clear (&self->lock);
  g_cond_clear (&self->start);
  g_cond_clear (&self->done);
  g_free (self);
}

guint
recur_team_get_size (const RecurTeam *self)
{
  return self->n_threads;
}

void
recur_team_run (RecurTeam     *self,
                guint          n_tasks,
                RecurTaskFunc  func,
                gpointer       user_data)
{
  /* helpers with no task would only be woken to find nothing to do */
  if (self->n_threads == 1 || n_tasks <= 1)
    {
      for (guint task = 0; task < n_tasks; task++)
        func (task, user_data);
      return;
    }
  recur_mutex_lock (&self->lock);
  self->n_tasks = n_tasks;
  self->func = func;
  self->user_data = user_data;
  self->pending = self->n_threads - 1;
  self->generation++;
  g_cond_broadcast (&self->start);
  recur_mutex_unlock (&self->lock);

  run_share (self, 0, n_tasks, func, user_data);

  recur_mutex_lock (&self->lock);
  while (self->pending > 0)
    recur_cond_wait (&self->done, &self->lock);
  recur_mutex_unlock (&self->lock);
}
