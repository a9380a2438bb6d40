/* test-sync-crash.c — SIGKILL during sync: no acknowledged change lost,
 * none applied twice
 *
 * End to end with the real binaries ($PROCURA_SERVER, $PROCURA_CLI;
 * skipped, saying so, without a server):
 *
 * (1) /sync-crash/server-killed-during-push: a client queues ~100
 *     mutations (inserts of organizations, then two rounds of updates of
 *     them and updates of older ones: three push batches), runs
 *     `procura-cli sync`, and the SERVER is killed with SIGKILL at a
 *     seeded moment inside that sync, then restarted on the same port
 *     and data directory (the client's retry may reach the new server).
 *     20 kills that land while the client is syncing.
 * (2) /sync-crash/client-killed-during-sync: a healthy server; another
 *     client pushes records (first a large batch, so pulls run over
 *     several pages), the client under test queues its own edits, and
 *     its `procura-cli sync` is killed with SIGKILL at a seeded moment.
 *     20 kills that land while it runs.
 *
 * After every kill (before syncing again): both databases pass
 * PRAGMA integrity_check; every mutation the client holds as
 * acknowledged (made here, no longer in its outbox) is on the server;
 * no mutation id has two audit entries on the server; and (2) the
 * client's pull cursor is never ahead of its data (every record the
 * server's feed placed at or before the cursor is held locally at the
 * server's rev). Then sync runs again until the outbox is empty.
 *
 * At the end: every record exists once on the server with the values
 * last written; the server holds exactly one change row per mutation
 * made by the clients, each of them, and one audit entry each; the
 * other client holds the same records (2); `audit verify` exits 0.
 *
 * The moments (seeded GRand) are fractions of the time a sync of the
 * same load took unkilled, measured first, so they adapt to slow
 * (sanitizer) builds; in (2) every other kill comes instead a few ms
 * after the client's push is done (outbox empty) or, with two pages to
 * pull, after its first page is in (cursor moved): while pulling. A kill
 * counts when it lands while the sync runs; attempts are bounded (80).
 * Every wait is bounded. Sanitizer reports of the children fail it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <gio/gio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "procura-store.h"
#include "procura-store-sync.h"
#include "procura-test-utils.h"

#define N_KILLS        20
#define MAX_ATTEMPTS   80     /* kills tried, landed or not */
#define SEED           20261127
#define PASSWORD       "correct horse battery\n"
#define RUN_TIMEOUT_S  120    /* any one command */
#define RESYNC_TRIES   6

typedef struct
{
  char              *dir;
  char              *server_dir;
  char              *server_path;
  char              *cli_path;
  char             **cli_env;
  ProcuraTestServer *server;
  char              *url;
  char              *listen;       /* 127.0.0.1:PORT, kept across restarts */
  guint              starts;
  GRand             *rand;
  guint              uscc_seq;
  GHashTable        *expected;     /* organization id → "address|contact_person" */
  GPtrArray         *older;        /* ids of organizations pushed in earlier rounds */
  gint64             mutations;    /* made by all clients */
} Rig;

static void
rig_free (Rig *r)
{
  /* a failed test's server need not shut down cleanly */
  if (r->server != NULL && r->server->process != NULL)
    {
      g_subprocess_send_signal (r->server->process, SIGKILL);
      g_subprocess_wait (r->server->process, NULL, NULL);
      g_clear_object (&r->server->process);
    }
  g_clear_pointer (&r->server, procura_test_server_free);
  if (r->dir != NULL)
    procura_test_remove_tree (r->dir);
  g_free (r->dir);
  g_free (r->server_dir);
  g_free (r->server_path);
  g_free (r->cli_path);
  g_strfreev (r->cli_env);
  g_free (r->url);
  g_free (r->listen);
  if (r->rand != NULL)
    g_rand_free (r->rand);
  g_clear_pointer (&r->expected, g_hash_table_unref);
  g_clear_pointer (&r->older, g_ptr_array_unref);
  g_free (r);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Rig, rig_free)

/* ---- bounded waits ---------------------------------------------------- */

typedef struct
{
  GMainLoop *loop;
  gboolean   done;
  gboolean   timed_out;
} Wait;

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *w = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  w->done = TRUE;
  g_main_loop_quit (w->loop);
}

static gboolean
wait_timeout_cb (gpointer user_data)
{
  Wait *w = user_data;

  w->timed_out = TRUE;
  g_main_loop_quit (w->loop);
  return G_SOURCE_REMOVE;
}

/* Starts waiting for process; the loop then runs in wait_run(). */
static void
wait_begin (Wait        *w,
            GSubprocess *process)
{
  w->loop = g_main_loop_new (NULL, FALSE);
  w->done = FALSE;
  g_subprocess_wait_async (process, NULL, wait_done_cb, w);
}

/* Runs until the process ended or ms passed; TRUE if it ended. */
static gboolean
wait_run (Wait  *w,
          guint  ms)
{
  guint id;

  if (w->done)
    return TRUE;
  w->timed_out = FALSE;
  id = g_timeout_add (ms, wait_timeout_cb, w);
  g_main_loop_run (w->loop);
  if (!w->timed_out)
    g_source_remove (id);
  return w->done;
}

/* Ends the wait: if the process still runs after ms, it is killed (and
 * FALSE returned); the callback always runs before this returns. */
static gboolean
wait_end (Wait        *w,
          GSubprocess *process,
          guint        ms)
{
  gboolean ended = wait_run (w, ms);

  if (!ended)
    {
      g_subprocess_force_exit (process);
      while (!w->done)
        g_main_loop_run (w->loop);
    }
  g_clear_pointer (&w->loop, g_main_loop_unref);
  return ended;
}

/* ---- processes -------------------------------------------------------- */

typedef struct
{
  GMainLoop *loop;
  gboolean   done;
  char      *out;
  char      *err;
} Communicate;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communicate *c = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, &c->err, NULL);
  c->done = TRUE;
  g_main_loop_quit (c->loop);
}

static gboolean
communicate_timeout_cb (gpointer user_data)
{
  Communicate *c = user_data;

  g_main_loop_quit (c->loop);
  return G_SOURCE_REMOVE;
}

/* Runs argv (NULL-terminated array) with input on stdin, at most
 * RUN_TIMEOUT_S; the exit status (-1: killed by a signal). */
static int
run_argv (char       **env,
          const char  *input,
          char       **out,
          const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = g_strjoinv (" ", (char **) argv + 1);
  Communicate c = { 0 };
  guint id;
  int status;

  if (env != NULL)
    g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_child_setup (launcher, procura_test_die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  c.loop = g_main_loop_new (NULL, FALSE);
  g_subprocess_communicate_utf8_async (process, input, NULL, communicate_cb, &c);
  id = g_timeout_add_seconds (RUN_TIMEOUT_S, communicate_timeout_cb, &c);
  g_main_loop_run (c.loop);
  if (c.done)
    g_source_remove (id);
  else
    {
      g_subprocess_force_exit (process);
      while (!c.done)
        g_main_loop_run (c.loop);
      g_error ("%s %s: still running after %d s", argv[0], joined, RUN_TIMEOUT_S);
    }
  g_main_loop_unref (c.loop);
  g_subprocess_wait (process, NULL, NULL);   /* already ended: returns at once */

  status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  /* under the sanitizers: a report fails the test even if retried */
  if (c.err != NULL && (strstr (c.err, "Sanitizer") != NULL || strstr (c.err, "runtime error:") != NULL))
    g_error ("%s %s:\n%s", argv[0], joined, c.err);
  if (status != 0)
    g_test_message ("%s → %d\n%s%s", joined, status, c.out != NULL ? c.out : "", c.err != NULL ? c.err : "");
  if (out != NULL)
    *out = g_steal_pointer (&c.out);
  g_free (c.out);
  g_free (c.err);
  return status;
}

static char *
client_dir (Rig        *r,
            const char *client)
{
  return g_build_filename (r->dir, client, NULL);
}

static char *
client_db (Rig        *r,
           const char *client)
{
  return g_build_filename (r->dir, client, PROCURA_STORE_DB_NAME, NULL);
}

static char *
server_db (Rig *r)
{
  return g_build_filename (r->server_dir, PROCURA_STORE_DB_NAME, NULL);
}

/* procura-cli CMD… --data-dir DIR/client */
static int
cli (Rig         *r,
     const char  *client,
     const char  *input,
     char       **out,
     const char  *a1,
     const char  *a2,
     const char  *a3,
     const char  *a4,
     const char  *a5)
{
  g_autofree char *dir = client_dir (r, client);
  const char *argv[12] = { r->cli_path, };
  const char *args[] = { a1, a2, a3, a4, a5 };
  guint n = 1;

  for (guint i = 0; i < G_N_ELEMENTS (args) && args[i] != NULL; i++)
    argv[n++] = args[i];
  argv[n++] = "--data-dir";
  argv[n++] = dir;
  argv[n] = NULL;

  return run_argv (r->cli_env, input, out, argv);
}

static int
server_tool (Rig        *r,
             const char *input,
             const char *a1,
             const char *a2,
             const char *a3,
             const char *a4,
             const char *a5)
{
  const char *argv[] = { r->server_path, "--data-dir", r->server_dir, a1, a2, a3, a4, a5, NULL };

  return run_argv (NULL, input, NULL, argv);
}

/* Starts the server on r->listen (a free port the first time), its
 * standard error in a log of its own for each start, and waits, bounded,
 * for its first line. */
static void
server_start (Rig *r)
{
  g_autofree char *log = g_strdup_printf ("%s/server-%02u.log", r->dir, r->starts++);

  if (r->server == NULL)
    r->server = procura_test_server_new (r->server_path, r->server_dir);
  if (!procura_test_server_restart (r->server, r->listen, log))
    g_error ("procura-server did not say where it listens (see %s)", log);

  if (r->url == NULL)
    {
      const char *hostport = r->server->url + strlen ("http://");
      const char *slash = strchr (hostport, '/');

      r->url = g_strdup (r->server->url);
      r->listen = slash != NULL ? g_strndup (hostport, slash - hostport) : g_strdup (hostport);
    }
  else
    g_assert_cmpstr (r->server->url, ==, r->url);
}

static void
server_kill (Rig *r)
{
  GSubprocess *process = r->server->process;
  Wait w = { 0 };

  g_subprocess_send_signal (process, SIGKILL);
  wait_begin (&w, process);
  g_assert_true (wait_end (&w, process, 20000));
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_clear_object (&r->server->process);
}

static void
server_stop (Rig *r)
{
  /* a clean stop on SIGTERM */
  g_assert_true (procura_test_server_stop (r->server));
}

static Rig *
rig_new (void)
{
  g_autoptr(Rig) r = g_new0 (Rig, 1);
  const char *server = NULL;
  const char *cli_path = NULL;

  if (!procura_test_find_sync_binaries (&server, &cli_path))
    return NULL;
  r->cli_env = procura_test_cli_environ ();
  r->cli_env = g_environ_setenv (r->cli_env, "PROCURA_SYNC_BACKOFF_MS", "20", TRUE);
  r->server_path = g_strdup (server);
  r->cli_path = g_strdup (cli_path);
  r->dir = procura_test_make_tmp_dir ("procura-test-sync-crash-XXXXXX");
  r->server_dir = g_build_filename (r->dir, "server", NULL);
  g_assert_cmpint (g_mkdir_with_parents (r->server_dir, 0700), ==, 0);
  r->rand = g_rand_new_with_seed (SEED);
  r->expected = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  r->older = g_ptr_array_new_with_free_func (g_free);

  g_assert_cmpint (server_tool (r, PASSWORD, "user", "add", "alice", "--role", "officer"), ==, 0);
  g_assert_cmpint (server_tool (r, PASSWORD, "user", "add", "bob", "--role", "officer"), ==, 0);
  server_start (r);

  return g_steal_pointer (&r);
}

static void
login (Rig        *r,
       const char *client,
       const char *user)
{
  g_assert_cmpint (cli (r, client, NULL, NULL, "init", NULL, NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (cli (r, client, PASSWORD, NULL, "login", "--server", r->url, "--user", user), ==, 0);
}

/* ---- databases (read-only connections) -------------------------------- */

static sqlite3 *
db_open (const char *path,
         const char *attach)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (attach != NULL)
    {
      g_autofree char *sql = g_strdup_printf ("ATTACH DATABASE 'file:%s?mode=ro' AS c", attach);

      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
  return db;
}

static char *
db_text (sqlite3    *db,
         const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("SQL failed: %s: %s", sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static gint64
db_int (sqlite3    *db,
        const char *sql)
{
  g_autofree char *text = db_text (db, sql);

  return text != NULL ? g_ascii_strtoll (text, NULL, 10) : 0;
}

static void
assert_integrity (const char *path)
{
  sqlite3 *db = db_open (path, NULL);
  g_autofree char *result = db_text (db, "PRAGMA integrity_check");

  g_assert_cmpstr (result, ==, "ok");
  sqlite3_close (db);
}

/* Mutations client made itself (pulled writes are by "server") and no longer has
 * queued: acknowledged. Every one must be on the server. */
#define LOCAL_CHANGE "c.change cc WHERE cc.actor = 'tester' "

/* Returns how many acknowledged mutations were checked; *out_covered
 * (if given) how many records the cursor covers. */
static gint64
assert_acknowledged_kept (Rig        *r,
                          const char *client,
                          gboolean    check_cursor,
                          gint64     *out_covered)
{
  g_autofree char *sdb = server_db (r);
  g_autofree char *cdb = client_db (r, client);
  sqlite3 *db;
  gint64 lost, acked, dup;

  assert_integrity (cdb);
  assert_integrity (sdb);

  db = db_open (sdb, cdb);
  acked = db_int (db, "SELECT count(*) FROM " LOCAL_CHANGE
                      "AND cc.mutation_id NOT IN (SELECT mutation_id FROM c.outbox)");
  lost = db_int (db, "SELECT count(*) FROM " LOCAL_CHANGE
                     "AND cc.mutation_id NOT IN (SELECT mutation_id FROM c.outbox) "
                     "AND cc.mutation_id NOT IN (SELECT mutation_id FROM main.change)");
  if (lost != 0)
    {
      g_autofree char *which = db_text (db, "SELECT group_concat(cc.op || ' ' || cc.record_id || ' (' || cc.mutation_id || ')', ', ') "
                                            "FROM " LOCAL_CHANGE
                                            "AND cc.mutation_id NOT IN (SELECT mutation_id FROM c.outbox) "
                                            "AND cc.mutation_id NOT IN (SELECT mutation_id FROM main.change)");
      g_error ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " acknowledged changes of client %s are not on the server: %s",
               lost, acked, client, which);
    }

  dup = db_int (db, "SELECT count(*) FROM (SELECT mutation_id FROM audit WHERE mutation_id IS NOT NULL "
                    "GROUP BY mutation_id HAVING count(*) > 1)");
  g_assert_cmpint (dup, ==, 0);
  /* each applied mutation once: its change row, its first answer */
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM change"), ==,
                   db_int (db, "SELECT count(*) FROM server_mutation"));

  if (check_cursor)
    {
      /* every record the feed placed at or before the client's cursor is
       * held at the server's rev (records with queued edits aside) */
      gint64 behind = db_int (db,
        "SELECT count(*) FROM server_feed f JOIN organization o ON o.id = f.record_id "
        "WHERE f.kind = 'record' "
        "AND f.seq <= (SELECT CAST(value AS INTEGER) FROM c.sync_state WHERE key = '" PROCURA_SYNC_STATE_CURSOR "') "
        "AND NOT EXISTS (SELECT 1 FROM c.organization co WHERE co.id = o.id AND co.rev >= o.rev) "
        "AND NOT EXISTS (SELECT 1 FROM c.outbox ob WHERE ob.record_id = o.id)");

      if (behind != 0)
        {
          g_autofree char *cursor = db_text (db, "SELECT value FROM c.sync_state WHERE key = '" PROCURA_SYNC_STATE_CURSOR "'");

          g_error ("client %s's cursor %s is ahead of its data: %" G_GINT64_FORMAT " records before it are missing or stale",
                   client, cursor, behind);
        }
      if (out_covered != NULL)
        *out_covered = db_int (db, "SELECT count(*) FROM server_feed f WHERE f.kind = 'record' AND f.seq <= "
                                   "(SELECT CAST(value AS INTEGER) FROM c.sync_state WHERE key = '"
                                   PROCURA_SYNC_STATE_CURSOR "')");
    }
  sqlite3_close (db);
  return acked;
}

/* ---- the clients' edits ----------------------------------------------- */

static void
expect (Rig        *r,
        const char *id,
        const char *address,
        const char *person)
{
  g_hash_table_replace (r->expected, g_strdup (id),
                        g_strdup_printf ("%s|%s", address != NULL ? address : "", person != NULL ? person : ""));
}

static void
expected_field (Rig        *r,
                const char *id,
                guint       index,
                const char *value)
{
  const char *old = g_hash_table_lookup (r->expected, id);
  g_auto(GStrv) parts = g_strsplit (old, "|", 2);

  g_free (parts[index]);
  parts[index] = g_strdup (value);
  expect (r, id, parts[0], parts[1]);
}

/* Queues in client's store: n new organizations, then an address and a
 * contact person for each (one push batch each round: a batch stops
 * before a record's second mutation), and new addresses for n_older
 * organizations pushed before. Written through the store's write path,
 * as the CLI would, with actor "tester". */
static void
queue_edits (Rig        *r,
             const char *client,
             guint       n,
             guint       n_older,
             gboolean    remember)
{
  g_autofree char *dir = client_dir (r, client);
  g_autoptr(ProcuraStore) store = procura_test_open_store (dir, FIXTURE_TODAY, "tester");
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  Fixture f = { .dir = dir, .store = store };
  guint round = r->uscc_seq;

  g_assert_true (procura_store_begin (store, &error));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(ProcuraRecord) org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
      g_autofree char *uscc = make_uscc (++r->uscc_seq);
      g_autofree char *name = g_strdup_printf ("社工服务中心 %u", r->uscc_seq);
      char *id;

      procura_record_set_string (org, "name", name);
      procura_record_set_string (org, "uscc", uscc);
      procura_record_set_string (org, "kind", "social_work_agency");
      id = insert_ok (&f, org);
      expect (r, id, NULL, NULL);
      g_ptr_array_add (ids, id);
      r->mutations++;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *address = g_strdup_printf ("徐汇区漕溪北路 %u 号", round + i);

      set_text (&f, PROCURA_ENTITY_ORGANIZATION, ids->pdata[i], "address", address);
      expected_field (r, ids->pdata[i], 0, address);
      r->mutations++;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *person = g_strdup_printf ("联系人%u", round + i);

      set_text (&f, PROCURA_ENTITY_ORGANIZATION, ids->pdata[i], "contact_person", person);
      expected_field (r, ids->pdata[i], 1, person);
      r->mutations++;
    }
  for (guint i = 0; i < n_older && r->older->len > 0; i++)
    {
      const char *id = r->older->pdata[g_rand_int_range (r->rand, 0, r->older->len)];
      g_autofree char *address = g_strdup_printf ("长桥街道 %u 弄", g_rand_int_range (r->rand, 1, 100000));

      set_text (&f, PROCURA_ENTITY_ORGANIZATION, id, "address", address);
      expected_field (r, id, 0, address);
      r->mutations++;
    }
  g_assert_true (procura_store_commit (store, &error));
  g_assert_no_error (error);

  if (remember)
    for (guint i = 0; i < ids->len; i++)
      g_ptr_array_add (r->older, g_strdup (ids->pdata[i]));
}

static gint64
outbox_of (Rig        *r,
           const char *client)
{
  g_autofree char *path = client_db (r, client);

  return db_query_int (path, "SELECT count(*) FROM outbox");
}

static gint64
cursor_of (Rig        *r,
           const char *client)
{
  g_autofree char *path = client_db (r, client);

  return db_query_int (path, "SELECT coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = '"
                             PROCURA_SYNC_STATE_CURSOR "'), 0)");
}

/* Syncs client until its outbox is empty and a sync succeeded (bounded). */
static void
sync_to_completion (Rig        *r,
                    const char *client)
{
  for (guint i = 0; i < RESYNC_TRIES; i++)
    {
      if (cli (r, client, NULL, NULL, "sync", NULL, NULL, NULL, NULL) == 0 && outbox_of (r, client) == 0)
        return;
    }
  g_error ("client %s: sync did not complete in %d tries", client, RESYNC_TRIES);
}

static GSubprocess *
spawn_sync (Rig        *r,
            const char *client)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *dir = client_dir (r, client);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_environ (launcher, r->cli_env);
  g_subprocess_launcher_set_child_setup (launcher, procura_test_die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawn (launcher, &error, r->cli_path, "sync", "--data-dir", dir, NULL);
  g_assert_no_error (error);
  return process;
}

/* How long (ms) one unkilled sync of client takes. */
static guint
timed_sync (Rig        *r,
            const char *client)
{
  gint64 start = g_get_monotonic_time ();

  g_assert_cmpint (cli (r, client, NULL, NULL, "sync", NULL, NULL, NULL, NULL), ==, 0);
  g_assert_cmpint (outbox_of (r, client), ==, 0);
  return MAX (1, (g_get_monotonic_time () - start) / 1000);
}

/* ---- the final checks ------------------------------------------------- */

static int
compare_ids (const void *a,
             const void *b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

static char *
expected_digest (Rig *r)
{
  guint n = 0;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (r->expected, &n);
  GString *digest = g_string_new (NULL);

  qsort (keys, n, sizeof *keys, compare_ids);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (digest, "%s%s|%s", i > 0 ? "\n" : "", (const char *) keys[i],
                            (const char *) g_hash_table_lookup (r->expected, keys[i]));
  return g_string_free (digest, FALSE);
}

#define DIGEST_SQL \
  "SELECT coalesce(group_concat(line, char(10)), '') FROM " \
  "(SELECT id || '|' || coalesce(address, '') || '|' || coalesce(contact_person, '') AS line " \
  " FROM organization WHERE deleted = 0 ORDER BY id)"

static void
assert_final (Rig         *r,
              const char **clients,
              guint        n_clients)
{
  g_autofree char *sdb = server_db (r);
  g_autofree char *want = expected_digest (r);
  sqlite3 *db;

  /* the server */
  db = db_open (sdb, NULL);
  {
    g_autofree char *have = db_text (db, DIGEST_SQL);

    g_assert_cmpint (db_int (db, "SELECT count(*) FROM organization"), ==, g_hash_table_size (r->expected));
    g_assert_cmpstr (have, ==, want);
  }
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM change"), ==, r->mutations);
  g_assert_cmpint (db_int (db, "SELECT count(DISTINCT mutation_id) FROM change"), ==, r->mutations);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM server_mutation"), ==, r->mutations);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM audit WHERE action IN ('insert', 'update', 'delete')"), ==,
                   r->mutations);
  g_assert_cmpint (db_int (db, "SELECT count(DISTINCT mutation_id) FROM audit WHERE action IN ('insert', 'update', 'delete')"),
                   ==, r->mutations);
  g_assert_cmpint (db_int (db, "SELECT count(*) FROM audit WHERE action IN ('insert', 'update', 'delete') "
                               "AND status NOT IN ('applied', 'merged')"), ==, 0);
  g_test_message ("server: %" G_GINT64_FORMAT " mutations, %" G_GINT64_FORMAT " of them merged",
                  r->mutations, db_int (db, "SELECT count(*) FROM audit WHERE status = 'merged'"));
  sqlite3_close (db);

  /* the clients: each local mutation on the server, same records, same values */
  for (guint i = 0; i < n_clients; i++)
    {
      g_autofree char *cdb = client_db (r, clients[i]);
      g_autofree char *have = NULL;

      g_assert_cmpint (outbox_of (r, clients[i]), ==, 0);
      assert_integrity (cdb);
      db = db_open (sdb, cdb);
      g_assert_cmpint (db_int (db, "SELECT count(*) FROM " LOCAL_CHANGE
                                   "AND cc.mutation_id NOT IN (SELECT mutation_id FROM main.change)"), ==, 0);
      g_assert_cmpint (db_int (db, "SELECT count(*) FROM c.conflict"), ==, 0);
      sqlite3_close (db);
      db = db_open (cdb, NULL);
      have = db_text (db, DIGEST_SQL);
      g_assert_cmpstr (have, ==, want);
      sqlite3_close (db);
    }

  server_stop (r);
  /* nothing the sanitizers said in any of the servers' logs */
  for (guint i = 0; i < r->starts; i++)
    {
      g_autofree char *log = g_strdup_printf ("%s/server-%02u.log", r->dir, i);
      g_autofree char *text = NULL;

      g_assert_true (g_file_get_contents (log, &text, NULL, NULL));
      if (strstr (text, "Sanitizer") != NULL || strstr (text, "runtime error:") != NULL)
        g_error ("%s:\n%s", log, text);
    }
  assert_integrity (sdb);
  g_assert_cmpint (server_tool (r, NULL, "audit", "verify", NULL, NULL, NULL), ==, 0);
}

/* ---- (1) the server killed during pushes ------------------------------- */

static void
test_server_killed (void)
{
  g_autoptr(Rig) r = rig_new ();
  const char *clients[] = { "a" };
  guint landed = 0, attempts = 0, base_ms, killed_unanswered = 0;
  gint64 start;

  if (r == NULL)
    return;
  login (r, "a", "alice");

  /* the time an unkilled sync of one round takes */
  queue_edits (r, "a", 30, 0, TRUE);
  base_ms = timed_sync (r, "a");
  g_test_message ("one unkilled sync of 90 mutations: %u ms", base_ms);

  start = g_get_monotonic_time ();
  while (landed < N_KILLS)
    {
      g_autoptr(GSubprocess) sync = NULL;
      g_autofree char *sdb = server_db (r);
      Wait w = { 0 };
      guint delay;
      gint64 changes_before, pushes_before;
      gsize log_before;

      g_assert_cmpuint (++attempts, <=, MAX_ATTEMPTS);
      queue_edits (r, "a", 30, 10, TRUE);
      delay = (guint) (base_ms * g_rand_double_range (r->rand, 0.05, 0.95));
      changes_before = db_query_int (sdb, "SELECT count(*) FROM change");
      pushes_before = db_query_int (sdb, "SELECT count(*) FROM server_idempotency");
      {
        g_autofree char *log = g_strdup_printf ("%s/server-%02u.log", r->dir, r->starts - 1);
        GStatBuf st;

        log_before = g_stat (log, &st) == 0 ? (gsize) st.st_size : 0;
      }

      sync = spawn_sync (r, "a");
      wait_begin (&w, sync);
      if (wait_run (&w, delay))
        {
          g_test_message ("attempt %u: the sync ended within %u ms; no kill", attempts, delay);
          g_assert_true (wait_end (&w, sync, 1000));
        }
      else
        {
          g_autofree char *log = g_strdup_printf ("%s/server-%02u.log", r->dir, r->starts - 1);
          g_autofree char *text = NULL;
          gsize length = 0;
          guint answered = 0;
          gint64 committed, pushes;
          gboolean restart_first = (landed % 2) == 0;
          const char *ended;

          server_kill (r);
          landed++;
          /* what the dead server had committed, and answered */
          committed = db_query_int (sdb, "SELECT count(*) FROM change") - changes_before;
          pushes = db_query_int (sdb, "SELECT count(*) FROM server_idempotency") - pushes_before;
          g_assert_true (g_file_get_contents (log, &text, &length, NULL));
          g_assert_cmpuint (length, >=, log_before);
          for (const char *p = text + log_before; (p = strstr (p, "POST /v1/push ")) != NULL; p++)
            if (g_str_has_prefix (strstr (p, "status="), "status=200"))
              answered++;

          /* every other time the server is back before the client's retries
           * give up (the same Idempotency-Key again); otherwise after its
           * sync failed (the next sync sends the same mutations under a
           * new key) */
          if (restart_first)
            server_start (r);
          g_assert_true (wait_end (&w, sync, RUN_TIMEOUT_S * 1000));
          ended = g_subprocess_get_if_exited (sync) && g_subprocess_get_exit_status (sync) == 0
                  ? "completed" : "failed";
          if (!restart_first)
            server_start (r);
          if (pushes > answered)
            killed_unanswered++;
          g_test_message ("kill %u (attempt %u) at %u ms: %" G_GINT64_FORMAT " pushes committed (%"
                          G_GINT64_FORMAT " mutations), %u answered%s; server restarted %s the client's sync %s",
                          landed, attempts, delay, pushes, committed, answered,
                          pushes > answered ? ": the last answer lost" : "",
                          restart_first ? "before" : "after", ended);
        }

      assert_acknowledged_kept (r, "a", FALSE, NULL);
      sync_to_completion (r, "a");
    }
  g_test_message ("%u server kills (%u with a push committed but not answered) in %u attempts, %.1f s",
                  landed, killed_unanswered, attempts, (g_get_monotonic_time () - start) / 1e6);

  assert_acknowledged_kept (r, "a", TRUE, NULL);
  assert_final (r, clients, G_N_ELEMENTS (clients));
}

/* ---- (2) the client killed during syncs -------------------------------- */

static void
test_client_killed (void)
{
  g_autoptr(Rig) r = rig_new ();
  const char *clients[] = { "a", "b" };
  guint landed = 0, attempts = 0, base_ms, killed_pulling = 0;
  gint big_group = -1;
  gint64 start;

  if (r == NULL)
    return;
  login (r, "a", "alice");
  login (r, "b", "bob");

  /* the time an unkilled sync of one round takes */
  queue_edits (r, "b", 20, 0, FALSE);
  sync_to_completion (r, "b");
  queue_edits (r, "a", 20, 0, TRUE);
  base_ms = timed_sync (r, "a");
  g_test_message ("one unkilled sync (60 pushed, ~80 pulled): %u ms", base_ms);

  start = g_get_monotonic_time ();
  while (landed < N_KILLS)
    {
      g_autoptr(GSubprocess) sync = NULL;
      Wait w = { 0 };
      guint delay;
      gint64 cursor_before;
      gboolean big = FALSE, by_progress = FALSE;

      g_assert_cmpuint (++attempts, <=, MAX_ATTEMPTS);
      if ((gint) (landed / 5) != big_group)
        {
          /* every fifth kill: a large batch from bob, so the next pull
           * runs over two pages (500 a page); kill somewhere in it */
          gint64 t0;
          guint big_ms;

          big_group = landed / 5;
          queue_edits (r, "b", 550, 0, FALSE);
          t0 = g_get_monotonic_time ();
          sync_to_completion (r, "b");
          big_ms = MAX (1, (g_get_monotonic_time () - t0) / 1000);
          queue_edits (r, "a", 20, 5, TRUE);
          delay = (guint) (big_ms * g_rand_double_range (r->rand, 0.0, 0.2));
          big = TRUE;
        }
      else
        {
          queue_edits (r, "b", 15, 0, FALSE);
          sync_to_completion (r, "b");
          queue_edits (r, "a", 20, 5, TRUE);
          delay = (guint) (base_ms * g_rand_double_range (r->rand, 0.05, 1.1));
          if (attempts % 2 == 0)
            delay = g_rand_int_range (r->rand, 0, 4);
        }

      cursor_before = cursor_of (r, "a");
      sync = spawn_sync (r, "a");
      wait_begin (&w, sync);
      if (big || attempts % 2 == 0)
        {
          /* by progress: once the push is done (outbox empty) or, with
           * several pages, once the first page is in (cursor moved), the
           * kill comes delay ms later: while pulling */
          gint64 deadline = g_get_monotonic_time () + RUN_TIMEOUT_S * G_USEC_PER_SEC;

          while (!wait_run (&w, 1))
            {
              g_assert_cmpint (g_get_monotonic_time (), <, deadline);
              if (big ? cursor_of (r, "a") != cursor_before : outbox_of (r, "a") == 0)
                break;
            }
          by_progress = TRUE;
        }
      if (wait_run (&w, delay))
        {
          g_test_message ("attempt %u: the sync ended within %u ms; no kill", attempts, delay);
          g_assert_true (wait_end (&w, sync, 1000));
        }
      else
        {
          g_autofree char *cdb = client_db (r, "a");
          g_autofree char *sdb = server_db (r);

          g_subprocess_send_signal (sync, SIGKILL);
          g_assert_true (wait_end (&w, sync, 20000));
          if (g_subprocess_get_if_signaled (sync))
            {
              landed++;
              if (db_query_int (cdb, "SELECT count(*) FROM outbox") == 0)
                killed_pulling++;
              g_test_message ("kill %u (attempt %u) %u ms after %s: outbox left %" G_GINT64_FORMAT
                              ", cursor %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT,
                              landed, attempts, delay,
                              !by_progress ? "the start" : big ? "the first page" : "the push", db_query_int (cdb, "SELECT count(*) FROM outbox"),
                              cursor_before, cursor_of (r, "a"),
                              db_query_int (sdb, "SELECT coalesce(max(seq), 0) FROM server_feed"));
            }
          else
            g_test_message ("attempt %u: the sync ended just before the kill", attempts);
        }

      {
        gint64 covered = 0;
        gint64 acked = assert_acknowledged_kept (r, "a", TRUE, &covered);

        g_test_message ("  after it: %" G_GINT64_FORMAT " acknowledged mutations all on the server; "
                        "the cursor covers %" G_GINT64_FORMAT " records, all held", acked, covered);
      }
      sync_to_completion (r, "a");
      assert_acknowledged_kept (r, "a", TRUE, NULL);
    }
  g_test_message ("%u client kills (%u after the push: while pulling) in %u attempts, %.1f s",
                  landed, killed_pulling, attempts, (g_get_monotonic_time () - start) / 1e6);

  /* bob pulls alice's, alice has bob's */
  sync_to_completion (r, "b");
  sync_to_completion (r, "a");
  assert_acknowledged_kept (r, "b", TRUE, NULL);
  assert_final (r, clients, G_N_ELEMENTS (clients));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/sync-crash/server-killed-during-push", test_server_killed);
  g_test_add_func ("/sync-crash/client-killed-during-sync", test_client_killed);
  return g_test_run ();
}
