/* test-crash.c — a write transaction killed at any moment is all or nothing
 *
 * The test binary re-executes itself as a writer (PROCURA_CRASH_CHILD set
 * to a data directory): it commits a small base transaction, then begins
 * ONE large transaction (an organization, 3,000 projects and 3,000
 * milestones through the write path) and reports its progress on stdout.
 * The parent kills it with SIGKILL at a different moment each time —
 * before, during and just after the commit — then opens the store and
 * checks that it is consistent and holds either none or all of the large
 * transaction, with its history and outbox rows.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "procura-error.h"
#include "procura-query.h"
#include "procura-store.h"
#include "procura-test-utils.h"

#define CHILD_ENV   "PROCURA_CRASH_CHILD"
#define N_PROJECTS  3000
#define PROGRESS_EVERY 100
#define BUYER_USCC  "113101040000000190"
#define AGENCY_USCC "52310104501234569J"

/* Fields each write sets, hence its history rows */
#define ORG_FIELDS       3   /* name, uscc, kind */
#define PROJECT_FIELDS  10   /* code, title, buyer, agency, category, method, value, start, end, status */
#define MILESTONE_FIELDS 5   /* project, title, type, due date, status */

/* What the base transaction leaves, and what the large one adds. */
#define BASE_ORGS      1
#define BASE_CHANGES   1
#define BASE_HISTORY   ORG_FIELDS
#define BIG_CHANGES    (1 + 2 * N_PROJECTS)
#define BIG_HISTORY    (ORG_FIELDS + N_PROJECTS * (PROJECT_FIELDS + MILESTONE_FIELDS))

/* Per-iteration limit; a healthy writer needs a few seconds. */
#define ITERATION_TIMEOUT_US (40 * G_USEC_PER_SEC)

/* ---- the child: one large write transaction --------------------------- */

static void
say (const char *format,
     ...) G_GNUC_PRINTF (1, 2);

static void
say (const char *format,
     ...)
{
  g_autofree char *line = NULL;
  va_list args;
  gsize done = 0, len;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  /* unbuffered: the parent acts on every line as soon as it is written */
  len = strlen (line);
  while (done < len)
    {
      ssize_t n = write (STDOUT_FILENO, line + done, len - done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        _exit (4);
      done += n;
    }
}

static ProcuraRecord *
new_org (const char *name,
         const char *uscc,
         const char *kind)
{
  ProcuraRecord *org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);

  procura_record_set_string (org, "name", name);
  procura_record_set_string (org, "uscc", uscc);
  procura_record_set_string (org, "kind", kind);
  return org;
}

static int
child_main (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraRecord) buyer = NULL;
  g_autoptr(ProcuraRecord) agency = NULL;

  store = procura_store_open (dir, &error);
  if (store == NULL)
    {
      g_printerr ("crash child: %s\n", error->message);
      return 3;
    }
  procura_store_set_actor (store, "crash-child");
  procura_store_set_today (store, "2025-01-10");

  /* the base: committed on its own and acknowledged before the big one */
  buyer = new_org ("上海市徐汇区民政局", BUYER_USCC, "civil_affairs_bureau");
  if (!procura_store_insert (store, buyer, &error))
    goto failed;
  say ("base\n");

  if (!procura_store_begin (store, &error))
    goto failed;
  say ("started\n");

  agency = new_org ("徐汇区阳光社工服务中心", AGENCY_USCC, "social_work_agency");
  if (!procura_store_insert (store, agency, &error))
    goto failed;

  for (guint i = 0; i < N_PROJECTS; i++)
    {
      g_autoptr(ProcuraRecord) project = procura_record_new (PROCURA_ENTITY_PROJECT, NULL);
      g_autoptr(ProcuraRecord) milestone = procura_record_new (PROCURA_ENTITY_MILESTONE, NULL);
      g_autofree char *code = g_strdup_printf ("CR-2025-%04u", i + 1);
      g_autofree char *title = g_strdup_printf ("社区服务项目 %u", i + 1);

      procura_record_set_string (project, "code", code);
      procura_record_set_string (project, "title", title);
      procura_record_set_string (project, "buyer_id", procura_record_get_id (buyer));
      procura_record_set_string (project, "agency_id", procura_record_get_id (agency));
      procura_record_set_string (project, "category", "elderly");
      procura_record_set_string (project, "method", "competitive_consultation");
      procura_record_set_int (project, "value", 10000000 + i * 100);
      procura_record_set_string (project, "start_date", "2025-03-01");
      procura_record_set_string (project, "end_date", "2026-02-28");
      if (!procura_store_insert (store, project, &error))
        goto failed;

      procura_record_set_string (milestone, "project_id", procura_record_get_id (project));
      procura_record_set_string (milestone, "title", "中期评估");
      procura_record_set_string (milestone, "type", "assessment");
      procura_record_set_string (milestone, "due_date", "2025-08-31");
      if (!procura_store_insert (store, milestone, &error))
        goto failed;

      if ((i + 1) % PROGRESS_EVERY == 0)
        say ("progress %u\n", i + 1);
    }

  say ("committing\n");
  if (!procura_store_commit (store, &error))
    goto failed;
  say ("committed\n");

  return 0;

failed:
  g_printerr ("crash child: %s\n", error->message);
  return 3;
}

/* ---- the parent ------------------------------------------------------- */

static char *self_exe;

/* Reads the child's lines with a deadline. */
typedef struct
{
  int      fd;
  GString *buffer;
  gboolean eof;
} LineReader;

/* The next line (without its newline), or NULL at end of output or when
 * deadline (monotonic µs) has passed. */
static char *
read_line (LineReader *reader,
           gint64      deadline)
{
  for (;;)
    {
      const char *nl = memchr (reader->buffer->str, '\n', reader->buffer->len);
      char chunk[4096];
      struct pollfd pfd = { reader->fd, POLLIN, 0 };
      gint64 left;
      ssize_t n;
      int rc;

      if (nl != NULL)
        {
          gsize len = nl - reader->buffer->str;
          char *line = g_strndup (reader->buffer->str, len);

          g_string_erase (reader->buffer, 0, len + 1);
          return line;
        }
      if (reader->eof)
        return NULL;

      left = deadline - g_get_monotonic_time ();
      if (left <= 0)
        return NULL;
      rc = poll (&pfd, 1, (int) MIN (left / 1000 + 1, 1000));
      if (rc < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (rc, >=, 0);
      if (rc == 0)
        continue;

      n = read (reader->fd, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        reader->eof = TRUE;
      else
        g_string_append_len (reader->buffer, chunk, n);
    }
}

/* Waits for the child with a deadline; kills it when the deadline passes. */
static int
wait_child (GPid   pid,
            gint64 deadline)
{
  int status = 0;

  for (;;)
    {
      pid_t r = waitpid (pid, &status, WNOHANG);

      if (r == pid)
        return status;
      if (r < 0 && errno != EINTR)
        g_error ("waitpid: %s", g_strerror (errno));
      if (g_get_monotonic_time () > deadline)
        {
          kill (pid, SIGKILL);
          waitpid (pid, &status, 0);
          g_test_fail_printf ("the writer did not finish in time");
          return status;
        }
      g_usleep (2000);
    }
}

typedef enum
{
  KILL_AFTER,       /* SIGKILL once `line` has been read, after delay_us */
  KILL_NEVER,       /* let it finish */
} Action;

typedef struct
{
  const char *name;
  Action      action;
  const char *line;     /* "started", "progress 1200", "committing", "committed" */
  guint       delay_us;
} Plan;

static const Plan plans[] = {
  { "right-after-begin", KILL_AFTER, "started", 0 },
  { "early", KILL_AFTER, "started", 30000 },
  { "after-300", KILL_AFTER, "progress 300", 0 },
  { "after-1200", KILL_AFTER, "progress 1200", 7000 },
  { "after-2500", KILL_AFTER, "progress 2500", 0 },
  { "last-project", KILL_AFTER, "progress 3000", 300 },
  { "commit-started", KILL_AFTER, "committing", 0 },
  { "commit-started-200us", KILL_AFTER, "committing", 200 },
  { "commit-started-1ms", KILL_AFTER, "committing", 1000 },
  { "commit-started-3ms", KILL_AFTER, "committing", 3000 },
  { "commit-started-10ms", KILL_AFTER, "committing", 10000 },
  { "commit-started-30ms", KILL_AFTER, "committing", 30000 },
  { "commit-started-100ms", KILL_AFTER, "committing", 100000 },
  { "after-commit", KILL_AFTER, "committed", 0 },
  { "no-kill", KILL_NEVER, NULL, 0 },
};

/* A count through a second, read-only connection: what any other reader
 * would see. */
static gint64
count_sql (ProcuraStore *store,
           const char   *sql)
{
  g_autofree char *db_path = g_build_filename (procura_store_get_data_dir (store), PROCURA_STORE_DB_NAME, NULL);

  return db_query_int (db_path, sql);
}

/* Opens the store the writer left and checks it. Returns TRUE when the
 * large transaction is there, FALSE when it is not. */
static gboolean
verify_store (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GHashTable) stats = NULL;
  g_autoptr(ProcuraRecord) extra = NULL;
  g_autofree char *buyer_id = NULL;
  gboolean all;
  gint64 projects;

  store = procura_store_open (dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  procura_store_set_actor (store, "crash-parent");

  assert_store_check_passes (store);

  stats = procura_store_query_stats (store, &error);
  g_assert_no_error (error);
  projects = stat_of (stats, "projects");
  g_test_message ("projects %" G_GINT64_FORMAT ", milestones %" G_GINT64_FORMAT
                  ", organizations %" G_GINT64_FORMAT ", changes %" G_GINT64_FORMAT
                  ", history %" G_GINT64_FORMAT ", outbox %" G_GINT64_FORMAT,
                  projects, stat_of (stats, "milestones"), stat_of (stats, "organizations"),
                  stat_of (stats, "changes"), stat_of (stats, "history"), stat_of (stats, "outbox"));

  /* all or nothing */
  g_assert_true (projects == 0 || projects == N_PROJECTS);
  all = projects == N_PROJECTS;

  /* the committed base always survives */
  buyer_id = procura_store_resolve_ref (store, PROCURA_ENTITY_ORGANIZATION, BUYER_USCC, &error);
  g_assert_no_error (error);
  g_assert_nonnull (buyer_id);

  g_assert_cmpint (stat_of (stats, "milestones"), ==, all ? N_PROJECTS : 0);
  g_assert_cmpint (stat_of (stats, "organizations"), ==, BASE_ORGS + (all ? 1 : 0));
  g_assert_cmpint (stat_of (stats, "changes"), ==, BASE_CHANGES + (all ? BIG_CHANGES : 0));
  g_assert_cmpint (stat_of (stats, "outbox"), ==, BASE_CHANGES + (all ? BIG_CHANGES : 0));
  g_assert_cmpint (stat_of (stats, "history"), ==, BASE_HISTORY + (all ? BIG_HISTORY : 0));

  /* the same through the raw tables, tombstones included */
  g_assert_cmpint (count_sql (store, "SELECT count(*) FROM project"), ==, all ? N_PROJECTS : 0);
  g_assert_cmpint (count_sql (store, "SELECT count(*) FROM milestone"), ==, all ? N_PROJECTS : 0);
  g_assert_cmpint (count_sql (store, "SELECT count(*) FROM history_view WHERE actor = 'crash-child'"),
                   ==, BASE_HISTORY + (all ? BIG_HISTORY : 0));
  g_assert_cmpint (count_sql (store, "SELECT count(*) FROM outbox o JOIN change c ON c.id = o.change_id"),
                   ==, BASE_CHANGES + (all ? BIG_CHANGES : 0));
  g_assert_cmpint (count_sql (store, "PRAGMA user_version"), ==, PROCURA_STORE_SCHEMA_VERSION);

  /* the store goes on taking writes */
  extra = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  procura_record_set_string (extra, "name", "上海明德社会评估所");
  procura_record_set_string (extra, "uscc", "52310104501234577D");
  procura_record_set_string (extra, "kind", "evaluator");
  g_assert_true (procura_store_insert (store, extra, &error));
  g_assert_no_error (error);
  g_assert_true (procura_store_check (store, NULL, &error));
  g_assert_no_error (error);

  return all;
}

static void
test_kill (gconstpointer data)
{
  const Plan *plan = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_auto(GStrv) envp = NULL;
  g_autoptr(GString) seen = g_string_new (NULL);
  const char *child_argv[] = { self_exe, NULL };
  LineReader reader = { -1, NULL, FALSE };
  gboolean killed = FALSE;
  gboolean saw_committing, saw_committed;
  gint64 deadline = g_get_monotonic_time () + ITERATION_TIMEOUT_US;
  gint64 started_at = 0;
  GPid pid;
  int status;
  char *line;

  dir = procura_test_make_tmp_dir ("procura-crash-XXXXXX");

  envp = g_get_environ ();
  envp = g_environ_setenv (envp, CHILD_ENV, dir, TRUE);

  g_spawn_async_with_pipes (NULL, (char **) child_argv, envp, G_SPAWN_DO_NOT_REAP_CHILD,
                            NULL, NULL, &pid, NULL, &reader.fd, NULL, &error);
  g_assert_no_error (error);
  reader.buffer = g_string_new (NULL);

  while ((line = read_line (&reader, deadline)) != NULL)
    {
      gboolean hit = plan->action == KILL_AFTER && strcmp (line, plan->line) == 0;

      if (strcmp (line, "started") == 0)
        started_at = g_get_monotonic_time ();
      g_string_append_printf (seen, "%s\n", line);
      g_free (line);

      if (hit)
        {
          if (plan->delay_us > 0)
            g_usleep (plan->delay_us);
          kill (pid, SIGKILL);
          killed = TRUE;
          break;
        }
    }

  status = wait_child (pid, deadline);

  /* whatever the writer said before it died */
  while ((line = read_line (&reader, deadline)) != NULL)
    {
      g_string_append_printf (seen, "%s\n", line);
      g_free (line);
    }
  close (reader.fd);
  g_string_free (reader.buffer, TRUE);

  if (killed)
    {
      /* it may have finished on its own just before the signal */
      g_assert_true ((WIFSIGNALED (status) && WTERMSIG (status) == SIGKILL) ||
                     (WIFEXITED (status) && WEXITSTATUS (status) == 0));
    }
  else
    {
      g_assert_true (WIFEXITED (status));
      g_assert_cmpint (WEXITSTATUS (status), ==, 0);
      g_test_message ("the whole transaction took %.1f s",
                      (g_get_monotonic_time () - started_at) / (double) G_USEC_PER_SEC);
    }
  g_assert_nonnull (strstr (seen->str, "base\n"));
  g_assert_nonnull (strstr (seen->str, "started\n"));

  saw_committing = strstr (seen->str, "committing\n") != NULL;
  saw_committed = strstr (seen->str, "committed\n") != NULL;

  if (verify_store (dir))
    {
      g_test_message ("%s: the transaction survived", plan->name);
      /* a transaction never committed cannot be there */
      g_assert_true (saw_committing);
    }
  else
    {
      g_test_message ("%s: the transaction was rolled back", plan->name);
      /* a commit that returned is durable */
      g_assert_false (saw_committed);
    }

  procura_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  const char *child_dir = g_getenv (CHILD_ENV);

  if (child_dir != NULL)
    return child_main (child_dir);

  procura_test_init_keep_going (&argc, &argv);

  self_exe = g_file_read_link ("/proc/self/exe", NULL);
  if (self_exe == NULL)
    self_exe = g_canonicalize_filename (argv[0], NULL);

  for (guint i = 0; i < G_N_ELEMENTS (plans); i++)
    {
      g_autofree char *path = g_strdup_printf ("/crash/kill/%02u-%s", i, plans[i].name);
      g_test_add_data_func (path, &plans[i], test_kill);
    }

  return g_test_run ();
}
