/* procura-test-utils.h — what the test programs share
 *
 * Running tests in child processes and temporary directories, finding the
 * command-line tool, the store fixture of test-store and test-rules with
 * its record builders and counters, and a few assertions.
 *
 * Names: the infrastructure is procura_test_*; the fixture's helpers and
 * the assertions keep the short names the tests have always called them
 * by (insert_ok, add_active_project, counts, assert_error_names…), so that
 * the test bodies read as before.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "procura-store.h"

G_BEGIN_DECLS

/* ---- running tests --------------------------------------------------- */

/* g_test_init(); the parent of tests that run in child processes (below)
 * only checks how each child ended, so its assertions are non-fatal. */
void          procura_test_init               (int                 *argc,
                                               char              ***argv);
/* g_test_init() with --keep-going: every test runs even after a failure,
 * so one run reports every bug. */
void          procura_test_init_keep_going    (int                 *argc,
                                               char              ***argv);

/* Tests that run in a child process each, so a test that exposes an open
 * core bug fails on its own without stopping the tests after it. */
void          procura_test_add_isolated       (const char          *path,
                                               GTestFunc            func);
void          procura_test_add_isolated_data  (const char          *path,
                                               gconstpointer        data,
                                               GTestDataFunc        func);

/* Call from a test function: runs func (dir, data) in a child process,
 * dir being a fresh temporary directory made from tmpl
 * ("procura-test-…-XXXXXX"). The parent makes the directory, asserts that
 * the child passed, then removes the directory, asserting that every
 * entry could be removed. */
typedef void (*ProcuraTestDirFunc) (const char    *dir,
                                    gconstpointer  data);

void          procura_test_run_in_tmp_dir     (const char          *tmpl,
                                               ProcuraTestDirFunc   func,
                                               gconstpointer        data);

/* procura_test_init_keep_going() for the programs that run procura-cli:
 * the binary $PROCURA_CLI names, and the environment to run it in
 * (messages in English, dates in the desktops' zone, no stray store).
 * FALSE (said on stderr) when $PROCURA_CLI names no executable: the test
 * program then exits 77, skipped. Free *out_env with g_strfreev(). */
gboolean      procura_test_init_cli           (int                 *argc,
                                               char              ***argv,
                                               const char         **out_path,
                                               char              ***out_env);

/* ---- child processes and the real procura-server ---------------------- */

/* Runs argv (environment env, or ours when NULL) with input (may be NULL)
 * on standard input; logs the command, its status and its output with
 * g_test_message() (comment lines, harmless in TAP). Returns the exit
 * status, -1 when the child did not exit normally. out and err, when not
 * NULL, receive standard output and error. */
int           procura_test_run                (char               **env,
                                               const char          *input,
                                               char               **out,
                                               char               **err,
                                               const char * const  *argv);

/* Runs $PROCURA_CLI args… --data-dir data_dir [--today today] in
 * C.UTF-8 (no $PROCURA_DATA_DIR or $LANGUAGE of ours) with
 * procura_test_run(); returns its exit status. */
int           procura_test_run_cli            (const char          *data_dir,
                                               const char          *today,
                                               char               **out,
                                               char               **err,
                                               const char * const  *args);

/* A procura-server serving data_dir on 127.0.0.1. */
typedef struct
{
  char        *binary;
  char        *data_dir;
  char        *url;        /* "http://127.0.0.1:PORT/" */
  GSubprocess *process;    /* NULL once stopped */
} ProcuraTestServer;

/* The server, not started yet: for procura_test_server_restart() with an
 * address or a log of its own. */
ProcuraTestServer *procura_test_server_new     (const char          *binary,
                                               const char          *data_dir);
/* Starts binary on data_dir listening on a free port of 127.0.0.1 and
 * waits (bounded) for the line naming its address; the server dies with
 * the test program. NULL, said with g_test_message(), when it did not
 * start. */
ProcuraTestServer *procura_test_server_start   (const char          *binary,
                                               const char          *data_dir);
/* Starts a stopped (or killed) server again on listen ("127.0.0.1:PORT",
 * NULL for a free port), its standard error into the file stderr_path
 * when not NULL (else ours); FALSE when it did not start. */
gboolean      procura_test_server_restart     (ProcuraTestServer   *server,
                                               const char          *listen,
                                               const char          *stderr_path);
/* SIGTERM, then a bounded wait (SIGKILL after 30 s). TRUE when the server
 * exited on its own with status 0; nothing to do once stopped. */
gboolean      procura_test_server_stop        (ProcuraTestServer   *server);
/* Stops the server if it still runs; leaves data_dir alone. */
void          procura_test_server_free        (ProcuraTestServer   *server);
/* `binary --data-dir data_dir user add name --role role [--org org]`,
 * the password on standard input, asserting it worked; its output stays
 * out of the TAP stream (stderr is printed when it fails). */
void          procura_test_server_add_user    (const char          *binary,
                                               const char          *data_dir,
                                               const char          *name,
                                               const char          *role,
                                               const char          *org,
                                               const char          *password);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraTestServer, procura_test_server_free)

/* A GSpawnChildSetupFunc: the child gets SIGKILL when the test program
 * ends, so that a test that fails and aborts leaves nothing running. */
void          procura_test_die_with_parent    (gpointer             user_data);

/* ---- files and directories ------------------------------------------- */

/* g_dir_make_tmp(), asserting it worked. */
char         *procura_test_make_tmp_dir       (const char          *tmpl);
/* The environment procura-cli children get: C.UTF-8, Asia/Shanghai, no
 * LANGUAGE and no PROCURA_DATA_DIR. */
char        **procura_test_cli_environ        (void);
/* The sync server and the CLI to test against ($PROCURA_SERVER,
 * $PROCURA_CLI); FALSE after g_test_skip() when either is missing. */
gboolean      procura_test_find_sync_binaries (const char         **out_server,
                                               const char         **out_cli);
/* Removes path and everything below it, as far as it can (symbolic links
 * are removed, not followed). */
void          procura_test_remove_tree        (const char          *path);
/* How many entries a directory holds (0 if it does not exist). */
guint         procura_test_count_entries      (const char          *dir);
/* The whole file, asserting it could be read. */
GBytes       *read_file                       (const char          *path);

/* ---- databases and stores -------------------------------------------- */

/* Opens the store in dir, asserting it opened, with today and the actor
 * pinned. */
ProcuraStore *procura_test_open_store         (const char          *dir,
                                               const char          *today,
                                               const char          *actor);
/* One integer from a query on a second, read-only connection to the
 * database file: what any other reader would see; nothing is changed. */
gint64        db_query_int                    (const char          *db_path,
                                               const char          *sql);
/* A figure of procura_store_query_stats(), asserting it is there. */
gint64        stat_of                         (GHashTable          *stats,
                                               const char          *key);
/* procura_store_check() finds nothing wrong. */
void          assert_store_check_passes       (ProcuraStore        *store);

/* ---- assertions ------------------------------------------------------ */

/* PROCURA_ERROR/code with a message naming what (a field label). */
void          assert_error_names              (const GError        *error,
                                               int                  code,
                                               const char          *what);
/* PROCURA_ERROR_INVALID whose message is exactly "<label>: <reason>". */
void          assert_refused                  (const GError        *error,
                                               const char          *label,
                                               const char          *reason);

/* ---- JSON ------------------------------------------------------------ */

/* The parsed document, asserting it parses; free with json_node_unref(). */
JsonNode     *parse_json                      (const char          *text);
/* An integer member, asserting it is there and an integer, never floating
 * point. */
gint64        int_member                      (JsonObject          *object,
                                               const char          *name);

/* ---- the store fixture of test-store and test-rules -------------------- */

/* The fixture's today, the contract period and signing date
 * add_active_project() gives, and a contract value. */
#define FIXTURE_TODAY  "2021-09-15"
#define FIXTURE_START  "2021-01-01"
#define FIXTURE_END    "2021-12-31"
#define FIXTURE_SIGNED "2020-12-20"
#define FIXTURE_VALUE  G_GINT64_CONSTANT (10000000)   /* ¥100,000.00 */

/* A store of its own in a fresh temporary directory, today pinned to
 * FIXTURE_TODAY, the actor "tester". */
typedef struct
{
  char         *dir;
  ProcuraStore *store;
  guint         seq;     /* makes credit codes and project numbers unique */
} Fixture;

typedef void (*FixtureFunc) (Fixture *f);

typedef struct
{
  const char  *path;
  FixtureFunc  func;
} FixtureTest;

void           fixture_open         (Fixture                 *f,
                                     const char              *dir);
void           fixture_close        (Fixture                 *f);
/* Adds each test, to run in a child process with the fixture in a
 * temporary directory made from tmpl (see procura_test_run_in_tmp_dir). */
void           fixture_add_tests    (const char              *tmpl,
                                     const FixtureTest       *tests,
                                     gsize                    n_tests);

/* Writes and reads through the single write path, asserting they work */
char          *insert_ok            (Fixture                 *f,
                                     ProcuraRecord           *record);
void           update_ok            (Fixture                 *f,
                                     ProcuraRecord           *changes);
void           set_text             (Fixture                 *f,
                                     const ProcuraEntityInfo *entity,
                                     const char              *id,
                                     const char              *field,
                                     const char              *value);
void           set_state            (Fixture                 *f,
                                     const ProcuraEntityInfo *entity,
                                     const char              *id,
                                     const char              *state);
ProcuraRecord *get_ok               (Fixture                 *f,
                                     const ProcuraEntityInfo *entity,
                                     const char              *id);
char          *get_text             (Fixture                 *f,
                                     const ProcuraEntityInfo *entity,
                                     const char              *id,
                                     const char              *field);
void           assert_not_found     (Fixture                 *f,
                                     const ProcuraEntityInfo *entity,
                                     const char              *id);
/* The insert is refused with code, the message naming label. */
void           insert_fails         (Fixture                 *f,
                                     ProcuraRecord           *record,
                                     int                      code,
                                     const char              *label);

/* Records to build on; the add_* return the new record's id */
char          *make_uscc            (guint                    n);
char          *add_org_full         (Fixture                 *f,
                                     const char              *name,
                                     const char              *kind,
                                     char                   **out_uscc);
char          *add_org              (Fixture                 *f,
                                     const char              *name,
                                     const char              *kind);
ProcuraRecord *new_project          (Fixture                 *f,
                                     const char              *code);
/* What a signed contract says: the agency, the value, the period
 * FIXTURE_START to FIXTURE_END and the date FIXTURE_SIGNED. */
void           set_contract         (ProcuraRecord           *project,
                                     const char              *agency,
                                     gint64                   value);
char          *add_draft_project    (Fixture                 *f,
                                     const char              *code);
/* A signed contract: value, period 2021, new buyer and agency. */
char          *add_active_project   (Fixture                 *f,
                                     gint64                   value);
char          *add_milestone        (Fixture                 *f,
                                     const char              *project,
                                     const char              *title,
                                     const char              *due);
void           accept_milestone     (Fixture                 *f,
                                     const char              *milestone);
char          *add_payment          (Fixture                 *f,
                                     const char              *project,
                                     const char              *milestone,
                                     gint64                   amount);
void           pay                  (Fixture                 *f,
                                     const char              *payment,
                                     gint64                   amount,
                                     const char              *date);
char          *add_amendment        (Fixture                 *f,
                                     const char              *project,
                                     gint64                   delta,
                                     const char              *new_end);
char          *add_evaluation       (Fixture                 *f,
                                     const char              *project,
                                     const char              *kind,
                                     const char              *date);
char          *add_criterion        (Fixture                 *f,
                                     const char              *evaluation,
                                     const char              *parent,
                                     gint64                   level,
                                     const char              *name,
                                     gint64                   weight,
                                     gint64                   score);   /* -1: unscored */
/* An evaluation with one indicator worth 100, scored, then finalised. */
char          *add_final_evaluation (Fixture                 *f,
                                     const char              *project,
                                     const char              *kind,
                                     const char              *date,
                                     gint64                   score);

/* Rows of history, change and outbox, to tell what a write wrote */
typedef struct
{
  gint64 history;
  gint64 changes;
  gint64 outbox;
} Counts;

Counts         counts               (Fixture                 *f);
void           assert_counts_delta  (Counts                   before,
                                     Counts                   after,
                                     gint64                   history,
                                     gint64                   changes,
                                     gint64                   outbox);
void           assert_check_passes  (Fixture                 *f);

G_END_DECLS
