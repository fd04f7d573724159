/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shard team on its own: every task runs once, on the member the header promises, and what
 * a task wrote is there for the caller when recur_team_run returns, job after job, with 1 to 3
 * threads, on idle cores and on cores that busy threads keep loaded. In the `threads` suite:
 * under ThreadSanitizer (build-aux/test --tsan) a task's write that the caller could read
 * unordered is a report. */
#include "config.h"

#include <string.h>

#include "recur-team.h"

#define MAX_TASKS 64

typedef struct
{
  guint runs[MAX_TASKS];          /* how often each task ran: written by its member only */
  GThread *thread[MAX_TASKS];     /* which thread ran it */
  double value[MAX_TASKS];        /* its result */
  guint job;                      /* the caller's job number, read by every task */
} Board;

static void
mark_task (guint    task,
           gpointer user_data)
{
  Board *board = user_data;

  board->runs[task]++;
  board->thread[task] = g_thread_self ();
  board->value[task] = board->job * 1000.0 + task;
}

/* n_tasks tasks on team: each ran once, member (task mod n) ran it, the caller's thread ran
 * member 0's, and the results read here are the tasks' own. */
static void
check_one_job (RecurTeam *team,
               Board     *board,
               guint      job,
               guint      n_tasks)
{
  guint n = recur_team_get_size (team);
  GThread *member[3] = { NULL, NULL, NULL };

  memset (board->runs, 0, sizeof board->runs);
  board->job = job;
  recur_team_run (team, n_tasks, mark_task, board);
  for (guint task = 0; task < n_tasks; task++)
    {
      guint k = task % n;

      g_assert_cmpuint (board->runs[task], ==, 1);
      g_assert_cmpfloat (board->value[task], ==, job * 1000.0 + task);
      if (member[k] == NULL)
        member[k] = board->thread[task];
      g_assert_true (board->thread[task] == member[k]);
    }
  for (guint task = n_tasks; task < MAX_TASKS; task++)
    g_assert_cmpuint (board->runs[task], ==, 0);
  if (n_tasks > 0)
    g_assert_true (member[0] == g_thread_self ());
  /* the members of a job of several tasks are distinct threads */
  for (guint k = 1; n_tasks > 1 && k < MIN (n, n_tasks); k++)
    {
      g_assert_nonnull (member[k]);
      g_assert_true (member[k] != g_thread_self ());
      for (guint j = 0; j < k; j++)
        g_assert_true (member[k] != member[j]);
    }
}

static void
run_many_jobs (guint n_threads,
               guint n_jobs)
{
  const guint sizes[] = { 0, 1, 2, 3, 5, 17, MAX_TASKS };
  g_autoptr(RecurTeam) team = recur_team_new (n_threads);
  Board board = { { 0 } };

  g_assert_cmpuint (recur_team_get_size (team), ==, MAX (n_threads, 1));
  for (guint job = 0; job < n_jobs; job++)
    check_one_job (team, &board, job, sizes[job % G_N_ELEMENTS (sizes)]);
}

static void
test_every_task_once (void)
{
  for (guint n = 0; n <= 3; n++)
    run_many_jobs (n, 700);
}

/* Busy threads on every core: helpers are descheduled at any point of a job. */
typedef struct
{
  GThread **threads;
  guint n_threads;
  int stop;
} Load;

static gpointer
spin (gpointer data)
{
  Load *load = data;
  volatile guint64 sink = 0;

  while (!g_atomic_int_get (&load->stop))
    sink++;
  return NULL;
}

static void
test_every_task_once_under_load (void)
{
  Load load = { .n_threads = g_get_num_processors () };

  load.threads = g_new (GThread *, load.n_threads);
  for (guint i = 0; i < load.n_threads; i++)
    load.threads[i] = g_thread_new ("load", spin, &load);
  run_many_jobs (2, 1500);
  run_many_jobs (3, 1500);
  g_atomic_int_set (&load.stop, 1);
  for (guint i = 0; i < load.n_threads; i++)
    g_thread_join (load.threads[i]);
  g_free (load.threads);
}

/* Teams made and freed at once, with and without a job in between: the helpers are asleep,
 * waking or just started when told to quit, and every one is joined. */
static void
test_made_and_freed (void)
{
  Board board = { { 0 } };

  for (guint i = 0; i < 300; i++)
    {
      RecurTeam *team = recur_team_new (2 + i % 2);

      if (i % 3 == 0)
        check_one_job (team, &board, i, 7);
      recur_team_free (team);
    }
  recur_team_free (NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, G_TEST_OPTION_ISOLATE_DIRS, NULL);
  g_test_add_func ("/engine/team/every-task-once", test_every_task_once);
  g_test_add_func ("/engine/team/every-task-once-under-load", test_every_task_once_under_load);
  g_test_add_func ("/engine/team/made-and-freed", test_made_and_freed);
  return g_test_run ();
}
