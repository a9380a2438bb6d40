/* procura-test-utils.c — what the test programs share
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "procura-error.h"
#include "procura-query.h"
#include "procura-test-utils.h"
#include "procura-uscc.h"

/* The parent tells the child of procura_test_run_in_tmp_dir() its
 * directory through the environment. */
#define DIR_ENV "PROCURA_TEST_DATA_DIR"

/* ---- running tests --------------------------------------------------- */

void
procura_test_init (int    *argc,
                   char ***argv)
{
  g_test_init (argc, argv, NULL);
  /* the parent only checks how each child ended */
  if (!g_test_subprocess ())
    g_test_set_nonfatal_assertions ();
}

void
procura_test_init_keep_going (int    *argc,
                              char ***argv)
{
  static char *args[64];
  static int n_args;

  n_args = 0;
  for (int i = 0; i < *argc && n_args < (int) G_N_ELEMENTS (args) - 2; i++)
    args[n_args++] = (*argv)[i];
  args[n_args++] = (char *) "--keep-going";
  args[n_args] = NULL;

  *argc = n_args;
  *argv = args;
  g_test_init (argc, argv, NULL);
}

typedef struct
{
  GTestDataFunc func;
  gconstpointer data;
} IsolatedTest;

static void
run_isolated (gconstpointer data)
{
  const IsolatedTest *test = data;

  if (g_test_subprocess ())
    {
      test->func (test->data);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
}

void
procura_test_add_isolated_data (const char    *path,
                                gconstpointer  data,
                                GTestDataFunc  func)
{
  IsolatedTest *test = g_new0 (IsolatedTest, 1);

  test->func = func;
  test->data = data;
  g_test_add_data_func_full (path, test, run_isolated, g_free);
}

static void
call_plain (gconstpointer data)
{
  ((GTestFunc) data) ();
}

void
procura_test_add_isolated (const char *path,
                           GTestFunc   func)
{
  procura_test_add_isolated_data (path, (gconstpointer) func, call_plain);
}

/* Removes a directory the child of a test used, asserting every removal;
 * bounded depth (the store nests two levels). */
static void
remove_tree_asserting (const char *path,
                       guint       depth)
{
  g_assert_cmpuint (depth, <, 8);

  if (g_file_test (path, G_FILE_TEST_IS_DIR) && !g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *name;

      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree_asserting (child, depth + 1);
        }
      g_assert_cmpint (g_rmdir (path), ==, 0);
    }
  else
    g_assert_cmpint (g_unlink (path), ==, 0);
}

void
procura_test_run_in_tmp_dir (const char         *tmpl,
                             ProcuraTestDirFunc  func,
                             gconstpointer       data)
{
  g_autofree char *dir = NULL;

  if (g_test_subprocess ())
    {
      func (g_getenv (DIR_ENV), data);
      return;
    }

  dir = procura_test_make_tmp_dir (tmpl);
  g_setenv (DIR_ENV, dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT | G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_passed ();
  remove_tree_asserting (dir, 0);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

gboolean
procura_test_init_cli (int          *argc,
                       char       ***argv,
                       const char  **out_path,
                       char       ***out_env)
{
  const char *path;
  char **env;

  procura_test_init_keep_going (argc, argv);

  path = g_getenv ("PROCURA_CLI");
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("PROCURA_CLI must name the procura-cli binary\n");
      return FALSE;
    }

  env = procura_test_cli_environ ();

  *out_path = path;
  *out_env = env;
  return TRUE;
}

char **
procura_test_cli_environ (void)
{
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);
  env = g_environ_setenv (env, "TZ", "Asia/Shanghai", TRUE);
  env = g_environ_unsetenv (env, "LANGUAGE");
  env = g_environ_unsetenv (env, "PROCURA_DATA_DIR");

  return env;
}

gboolean
procura_test_find_sync_binaries (const char **out_server,
                                 const char **out_cli)
{
  const char *server = g_getenv ("PROCURA_SERVER");
  const char *cli = g_getenv ("PROCURA_CLI");

  if (server == NULL || !g_file_test (server, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip (server == NULL
                   ? "no sync server to test against: $PROCURA_SERVER is not set"
                   : "no sync server to test against: $PROCURA_SERVER names no executable file");
      return FALSE;
    }
  if (cli == NULL || !g_file_test (cli, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_test_skip ("$PROCURA_CLI names no executable");
      return FALSE;
    }

  *out_server = server;
  *out_cli = cli;
  return TRUE;
}

/* ---- child processes and the real procura-server ---------------------- */

static int
run_child (char               **env,
           const char          *input,
           char               **out,
           char               **err,
           const char * const  *argv,
           gboolean             log)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *input_path = NULL;
  g_autofree char *stdout_text = NULL;
  g_autofree char *stderr_text = NULL;
  int fd;
  int status;

  /* standard input from a file: a command that refuses its arguments
   * exits without reading it, and a pipe would then break */
  fd = g_file_open_tmp ("procura-test-input-XXXXXX", &input_path, &error);
  g_assert_no_error (error);
  close (fd);
  g_assert_true (g_file_set_contents (input_path, input != NULL ? input : "", -1, NULL));

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  if (env != NULL)
    g_subprocess_launcher_set_environ (launcher, env);
  g_subprocess_launcher_set_stdin_file_path (launcher, input_path);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &stdout_text, &stderr_text, &error);
  g_assert_no_error (error);
  g_unlink (input_path);

  status = g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1;
  if (log)
    {
      g_autofree char *joined = g_strjoinv (" ", (char **) argv);

      g_test_message ("%s → %d\n%s%s", joined, status, stdout_text, stderr_text);
    }
  if (out != NULL)
    *out = g_steal_pointer (&stdout_text);
  if (err != NULL)
    *err = g_steal_pointer (&stderr_text);

  return status;
}

int
procura_test_run (char               **env,
                  const char          *input,
                  char               **out,
                  char               **err,
                  const char * const  *argv)
{
  return run_child (env, input, out, err, argv, TRUE);
}

void
procura_test_server_add_user (const char *binary,
                              const char *data_dir,
                              const char *name,
                              const char *role,
                              const char *org,
                              const char *password)
{
  const char *argv[] = { binary, "--data-dir", data_dir, "user", "add", name, "--role", role,
                         org != NULL ? "--org" : NULL, org, NULL };
  g_autofree char *input = g_strconcat (password, "\n", NULL);
  g_autofree char *err = NULL;
  int status;

  /* not logged: its "added …" line is kept from the TAP stream */
  status = run_child (NULL, input, NULL, &err, argv, FALSE);
  if (status != 0)
    g_printerr ("%s", err);
  g_assert_cmpint (status, ==, 0);
}

/* A test that fails aborts; a server must not outlive it (it would hold
 * the test's stderr open and meson would wait for it). */
void
procura_test_die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
line_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  char **line = user_data;

  *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result, NULL, NULL);
  if (*line == NULL)
    *line = g_strdup ("");
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *(gboolean *) user_data = TRUE;
}

gboolean
procura_test_server_restart (ProcuraTestServer *server,
                             const char        *listen,
                             const char        *stderr_path)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GDataInputStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = NULL;
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  g_assert_null (server->process);
  g_clear_pointer (&server->url, g_free);
  g_subprocess_launcher_set_child_setup (launcher, procura_test_die_with_parent, NULL, NULL);
  if (stderr_path != NULL)
    g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  server->process = g_subprocess_launcher_spawn (launcher, &error, server->binary, "--data-dir", server->data_dir,
                                                 "--listen", listen != NULL ? listen : "127.0.0.1:0", "serve",
                                                 NULL);
  if (server->process == NULL)
    {
      g_test_message ("%s did not start: %s", server->binary, error->message);
      return FALSE;
    }

  /* the first line names the port; bounded wait */
  stream = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server->process));
  g_data_input_stream_read_line_async (stream, G_PRIORITY_DEFAULT, NULL, line_cb, &line);
  while (line == NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  if (line == NULL || !g_str_has_prefix (line, "listening on http://127.0.0.1:"))
    {
      g_test_message ("%s did not say where it listens (%s)", server->binary,
                      line != NULL ? line : "no line in time");
      g_subprocess_force_exit (server->process);
      g_subprocess_wait (server->process, NULL, NULL);
      g_clear_object (&server->process);
      /* the pending read ends with the pipe; let it finish before line goes */
      while (line == NULL)
        g_main_context_iteration (NULL, TRUE);
      return FALSE;
    }
  server->url = g_strdup (line + strlen ("listening on "));

  return TRUE;
}

ProcuraTestServer *
procura_test_server_new (const char *binary,
                         const char *data_dir)
{
  ProcuraTestServer *server = g_new0 (ProcuraTestServer, 1);

  server->binary = g_strdup (binary);
  server->data_dir = g_strdup (data_dir);

  return server;
}

ProcuraTestServer *
procura_test_server_start (const char *binary,
                           const char *data_dir)
{
  g_autoptr(ProcuraTestServer) server = procura_test_server_new (binary, data_dir);

  if (!procura_test_server_restart (server, NULL, NULL))
    return NULL;

  return g_steal_pointer (&server);
}

gboolean
procura_test_server_stop (ProcuraTestServer *server)
{
  gboolean done = FALSE;
  gboolean clean;
  /* generous: a sanitizer build takes its time to shut down */
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  if (server->process == NULL)
    return TRUE;
  g_subprocess_send_signal (server->process, SIGTERM);
  g_subprocess_wait_async (server->process, NULL, wait_cb, &done);
  while (!done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, FALSE) || (g_usleep (1000), TRUE);
  if (!done)
    {
      g_subprocess_force_exit (server->process);
      while (!done)
        g_main_context_iteration (NULL, TRUE);
    }
  clean = g_subprocess_get_if_exited (server->process) && g_subprocess_get_exit_status (server->process) == 0;
  g_clear_object (&server->process);

  return clean;
}

void
procura_test_server_free (ProcuraTestServer *server)
{
  if (server == NULL)
    return;
  procura_test_server_stop (server);
  g_free (server->binary);
  g_free (server->data_dir);
  g_free (server->url);
  g_free (server);
}

/* ---- files and directories ------------------------------------------- */

char *
procura_test_make_tmp_dir (const char *tmpl)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp (tmpl, &error);

  g_assert_no_error (error);
  return dir;
}

guint
procura_test_count_entries (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  if (d != NULL)
    while (g_dir_read_name (d) != NULL)
      n++;
  return n;
}

void
procura_test_remove_tree (const char *path)
{
  GDir *dir;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }

  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          procura_test_remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

GBytes *
read_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *contents = NULL;
  gsize length = 0;

  g_file_get_contents (path, &contents, &length, &error);
  g_assert_no_error (error);

  return g_bytes_new_take (contents, length);
}

/* ---- databases and stores -------------------------------------------- */

ProcuraStore *
procura_test_open_store (const char *dir,
                         const char *today,
                         const char *actor)
{
  g_autoptr(GError) error = NULL;
  ProcuraStore *store = procura_store_open (dir, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  procura_store_set_today (store, today);
  procura_store_set_actor (store, actor);

  return store;
}

gint64
db_query_int (const char *db_path,
              const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    g_error ("SQL failed on %s: %s: %s", db_path, sql, sqlite3_errmsg (db));
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return value;
}

gint64
stat_of (GHashTable *stats,
         const char *key)
{
  gint64 *n = g_hash_table_lookup (stats, key);

  g_assert_nonnull (n);
  return *n;
}

void
assert_store_check_passes (ProcuraStore *store)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = procura_store_check (store, problems, &error);
  for (guint i = 0; i < problems->len; i++)
    g_test_message ("problem: %s", (const char *) g_ptr_array_index (problems, i));
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (problems->len, ==, 0);
}

/* ---- assertions ------------------------------------------------------ */

void
assert_error_names (const GError *error,
                    int           code,
                    const char   *what)
{
  if (error != NULL && strstr (error->message, what) == NULL)
    g_test_message ("message “%s” does not name “%s”", error->message, what);
  g_assert_error (error, PROCURA_ERROR, code);
  g_assert_nonnull (strstr (error->message, what));
}

void
assert_refused (const GError *error,
                const char   *label,
                const char   *reason)
{
  g_autofree char *expected = g_strdup_printf ("%s: %s", label, reason);

  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_INVALID));
  g_assert_cmpstr (error->message, ==, expected);
}

/* ---- JSON ------------------------------------------------------------ */

JsonNode *
parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

gint64
int_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    g_error ("no member %s", name);
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  /* integers, never floating point */
  g_assert_true (json_node_get_value_type (node) == G_TYPE_INT64);
  return json_node_get_int (node);
}

/* ---- the store fixture ----------------------------------------------- */

void
fixture_open (Fixture    *f,
              const char *dir)
{
  f->dir = g_strdup (dir);
  f->store = procura_test_open_store (f->dir, FIXTURE_TODAY, "tester");
}

void
fixture_close (Fixture *f)
{
  g_clear_object (&f->store);
  g_clear_pointer (&f->dir, g_free);
}

typedef struct
{
  const char  *tmpl;
  FixtureFunc  func;
} FixtureCase;

/* In the child: the parent made the directory and removes it. */
static void
fixture_run_in (const char    *dir,
                gconstpointer  data)
{
  FixtureFunc func = (FixtureFunc) data;
  Fixture f = { NULL, };

  fixture_open (&f, dir);
  func (&f);
  fixture_close (&f);
}

static void
fixture_run (gconstpointer data)
{
  const FixtureCase *test = data;

  procura_test_run_in_tmp_dir (test->tmpl, fixture_run_in, (gconstpointer) test->func);
}

void
fixture_add_tests (const char        *tmpl,
                   const FixtureTest *tests,
                   gsize              n_tests)
{
  for (gsize i = 0; i < n_tests; i++)
    {
      FixtureCase *test = g_new0 (FixtureCase, 1);

      test->tmpl = tmpl;
      test->func = tests[i].func;
      g_test_add_data_func_full (tests[i].path, test, fixture_run, g_free);
    }
}

char *
insert_ok (Fixture       *f,
           ProcuraRecord *record)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = procura_store_insert (f->store, record, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_nonnull (procura_record_get_id (record));

  return g_strdup (procura_record_get_id (record));
}

void
update_ok (Fixture       *f,
           ProcuraRecord *changes)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  ok = procura_store_update (f->store, changes, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
}

void
set_text (Fixture                 *f,
          const ProcuraEntityInfo *entity,
          const char              *id,
          const char              *field,
          const char              *value)
{
  g_autoptr(ProcuraRecord) changes = procura_record_new (entity, id);

  procura_record_set_string (changes, field, value);
  update_ok (f, changes);
}

void
set_state (Fixture                 *f,
           const ProcuraEntityInfo *entity,
           const char              *id,
           const char              *state)
{
  set_text (f, entity, id, entity->status_field, state);
}

ProcuraRecord *
get_ok (Fixture                 *f,
        const ProcuraEntityInfo *entity,
        const char              *id)
{
  g_autoptr(GError) error = NULL;
  ProcuraRecord *record = procura_store_get (f->store, entity, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);

  return record;
}

char *
get_text (Fixture                 *f,
          const ProcuraEntityInfo *entity,
          const char              *id,
          const char              *field)
{
  g_autoptr(ProcuraRecord) record = get_ok (f, entity, id);

  return g_strdup (procura_record_get_string (record, field));
}

void
assert_not_found (Fixture                 *f,
                  const ProcuraEntityInfo *entity,
                  const char              *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraRecord) record = procura_store_get (f->store, entity, id, &error);

  g_assert_null (record);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
}

void
insert_fails (Fixture       *f,
              ProcuraRecord *record,
              int            code,
              const char    *label)
{
  g_autoptr(GError) error = NULL;

  g_assert_false (procura_store_insert (f->store, record, &error));
  assert_error_names (error, code, label);
}

char *
make_uscc (guint n)
{
  char body[16];
  char first17[32];

  g_snprintf (body, sizeof body, "%08u", n % 100000000);
  g_snprintf (first17, sizeof first17, "52440300%s%c", body, procura_uscc_org_check_char (body));

  return g_strdup_printf ("%s%c", first17, procura_uscc_check_char (first17));
}

char *
add_org_full (Fixture    *f,
              const char *name,
              const char *kind,
              char      **out_uscc)
{
  g_autoptr(ProcuraRecord) org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  g_autofree char *uscc = make_uscc (1000 + ++f->seq);

  procura_record_set_string (org, "name", name);
  procura_record_set_string (org, "uscc", uscc);
  procura_record_set_string (org, "kind", kind);
  if (out_uscc != NULL)
    *out_uscc = g_strdup (uscc);

  return insert_ok (f, org);
}

char *
add_org (Fixture    *f,
         const char *name,
         const char *kind)
{
  return add_org_full (f, name, kind, NULL);
}

ProcuraRecord *
new_project (Fixture    *f,
             const char *code)
{
  ProcuraRecord *project = procura_record_new (PROCURA_ENTITY_PROJECT, NULL);
  g_autofree char *title = g_strdup_printf ("社区服务项目 %s", code);

  procura_record_set_string (project, "code", code);
  procura_record_set_string (project, "title", title);
  procura_record_set_string (project, "category", "elderly");
  procura_record_set_string (project, "method", "open_tender");

  return project;
}

void
set_contract (ProcuraRecord *project,
              const char    *agency,
              gint64         value)
{
  procura_record_set_string (project, "agency_id", agency);
  procura_record_set_int (project, "value", value);
  procura_record_set_string (project, "start_date", FIXTURE_START);
  procura_record_set_string (project, "end_date", FIXTURE_END);
  procura_record_set_string (project, "date_signed", FIXTURE_SIGNED);
}

char *
add_draft_project (Fixture    *f,
                   const char *code)
{
  g_autoptr(ProcuraRecord) project = new_project (f, code);

  return insert_ok (f, project);
}

char *
add_active_project (Fixture *f,
                    gint64   value)
{
  g_autofree char *code = g_strdup_printf ("QZ-2021-%03u", ++f->seq);
  g_autofree char *buyer = add_org (f, "区民政局", "civil_affairs_bureau");
  g_autofree char *agency = add_org (f, "社工服务中心", "social_work_agency");
  g_autoptr(ProcuraRecord) project = new_project (f, code);
  char *id;

  procura_record_set_string (project, "buyer_id", buyer);
  set_contract (project, agency, value);
  id = insert_ok (f, project);
  set_state (f, PROCURA_ENTITY_PROJECT, id, "active");

  return id;
}

char *
add_milestone (Fixture    *f,
               const char *project,
               const char *title,
               const char *due)
{
  g_autoptr(ProcuraRecord) m = procura_record_new (PROCURA_ENTITY_MILESTONE, NULL);

  procura_record_set_string (m, "project_id", project);
  procura_record_set_string (m, "title", title);
  procura_record_set_string (m, "type", "reporting");
  procura_record_set_string (m, "due_date", due);

  return insert_ok (f, m);
}

void
accept_milestone (Fixture    *f,
                  const char *milestone)
{
  set_state (f, PROCURA_ENTITY_MILESTONE, milestone, "submitted");
  set_state (f, PROCURA_ENTITY_MILESTONE, milestone, "accepted");
}

char *
add_payment (Fixture    *f,
             const char *project,
             const char *milestone,
             gint64      amount)
{
  g_autoptr(ProcuraRecord) p = procura_record_new (PROCURA_ENTITY_PAYMENT, NULL);

  procura_record_set_string (p, "project_id", project);
  if (milestone != NULL)
    procura_record_set_string (p, "milestone_id", milestone);
  procura_record_set_string (p, "title", "拨付");
  procura_record_set_int (p, "planned_amount", amount);

  return insert_ok (f, p);
}

void
pay (Fixture    *f,
     const char *payment,
     gint64      amount,
     const char *date)
{
  g_autoptr(ProcuraRecord) changes = procura_record_new (PROCURA_ENTITY_PAYMENT, payment);
  g_autofree char *state = get_text (f, PROCURA_ENTITY_PAYMENT, payment, "status");

  if (g_strcmp0 (state, "planned") == 0)
    set_state (f, PROCURA_ENTITY_PAYMENT, payment, "payable");
  procura_record_set_string (changes, "status", "paid");
  procura_record_set_int (changes, "paid_amount", amount);
  procura_record_set_string (changes, "paid_date", date);
  procura_record_set_string (changes, "voucher_no", "记-2021-0815");
  update_ok (f, changes);
}

char *
add_amendment (Fixture    *f,
               const char *project,
               gint64      delta,
               const char *new_end)
{
  g_autoptr(ProcuraRecord) a = procura_record_new (PROCURA_ENTITY_AMENDMENT, NULL);

  procura_record_set_string (a, "project_id", project);
  procura_record_set_string (a, "date", "2021-06-01");
  procura_record_set_string (a, "rationale", "服务对象增加");
  procura_record_set_int (a, "value_delta", delta);
  if (new_end != NULL)
    procura_record_set_string (a, "new_end_date", new_end);

  return insert_ok (f, a);
}

char *
add_evaluation (Fixture    *f,
                const char *project,
                const char *kind,
                const char *date)
{
  g_autoptr(ProcuraRecord) e = procura_record_new (PROCURA_ENTITY_EVALUATION, NULL);

  procura_record_set_string (e, "project_id", project);
  procura_record_set_string (e, "kind", kind);
  procura_record_set_string (e, "date", date);

  return insert_ok (f, e);
}

char *
add_criterion (Fixture    *f,
               const char *evaluation,
               const char *parent,
               gint64      level,
               const char *name,
               gint64      weight,
               gint64      score)
{
  g_autoptr(ProcuraRecord) c = procura_record_new (PROCURA_ENTITY_CRITERION, NULL);

  procura_record_set_string (c, "evaluation_id", evaluation);
  if (parent != NULL)
    procura_record_set_string (c, "parent_id", parent);
  procura_record_set_int (c, "level", level);
  procura_record_set_string (c, "name", name);
  procura_record_set_int (c, "weight", weight);
  if (score >= 0)
    procura_record_set_int (c, "score", score);

  return insert_ok (f, c);
}

char *
add_final_evaluation (Fixture    *f,
                      const char *project,
                      const char *kind,
                      const char *date,
                      gint64      score)
{
  char *evaluation = add_evaluation (f, project, kind, date);

  g_free (add_criterion (f, evaluation, NULL, 1, "综合", 10000, score));
  set_state (f, PROCURA_ENTITY_EVALUATION, evaluation, "final");
  return evaluation;
}

Counts
counts (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GHashTable) stats = procura_store_query_stats (f->store, &error);
  Counts c;

  g_assert_no_error (error);
  c.history = stat_of (stats, "history");
  c.changes = stat_of (stats, "changes");
  c.outbox = stat_of (stats, "outbox");

  return c;
}

void
assert_counts_delta (Counts before,
                     Counts after,
                     gint64 history,
                     gint64 changes,
                     gint64 outbox)
{
  g_assert_cmpint (after.history - before.history, ==, history);
  g_assert_cmpint (after.changes - before.changes, ==, changes);
  g_assert_cmpint (after.outbox - before.outbox, ==, outbox);
}

void
assert_check_passes (Fixture *f)
{
  assert_store_check_passes (f->store);
}

int
procura_test_run_cli (const char          *data_dir,
                      const char          *today,
                      char               **out,
                      char               **err,
                      const char * const  *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_auto(GStrv) env = g_get_environ ();

  env = g_environ_unsetenv (env, "PROCURA_DATA_DIR");
  env = g_environ_unsetenv (env, "LANGUAGE");
  env = g_environ_setenv (env, "LC_ALL", "C.UTF-8", TRUE);

  g_assert_nonnull (g_getenv ("PROCURA_CLI"));
  g_ptr_array_add (argv, (gpointer) g_getenv ("PROCURA_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, (gpointer) data_dir);
  if (today != NULL)
    {
      g_ptr_array_add (argv, (gpointer) "--today");
      g_ptr_array_add (argv, (gpointer) today);
    }
  g_ptr_array_add (argv, NULL);

  return procura_test_run (env, NULL, out, err, (const char * const *) argv->pdata);
}
