/* test-migrations.c — schema versions of the local store
 *
 * A fresh store is created at PROCURA_STORE_SCHEMA_VERSION; every earlier
 * version kept in tests/fixtures opens (migrating as needed) with its data
 * intact; a database from a newer Procura, a file that is not a database
 * and a migration that fails are refused without damage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <sqlite3.h>
#include <string.h>

#include "procura-derive.h"
#include "procura-error.h"
#include "procura-query.h"
#include "procura-store.h"
#include "procura-store-sync.h"
#include "procura-test-utils.h"

/* ---- helpers --------------------------------------------------------- */

typedef struct
{
  char *dir;      /* the data directory */
  char *db_path;  /* dir/procura.db */
} DbFixture;

static void
fixture_setup (DbFixture     *fixture,
               gconstpointer  data)
{
  fixture->dir = procura_test_make_tmp_dir ("procura-migrations-XXXXXX");
  fixture->db_path = g_build_filename (fixture->dir, PROCURA_STORE_DB_NAME, NULL);
}

static void
fixture_teardown (DbFixture     *fixture,
                  gconstpointer  data)
{
  procura_test_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->db_path);
}

/* Runs SQL on the database file with a plain SQLite connection. */
static void
db_exec (const char *path,
         const char *sql)
{
  sqlite3 *db = NULL;
  char *msg = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL), ==, SQLITE_OK);
  rc = sqlite3_exec (db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    g_error ("SQL failed on %s: %s", path, msg);
  sqlite3_free (msg);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

static int
db_user_version (const char *path)
{
  return (int) db_query_int (path, "PRAGMA user_version");
}

static gboolean
db_has_table (const char *path,
              const char *name,
              const char *type)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM sqlite_schema WHERE type = '%s' AND name = '%s'",
                                          type, name);

  return db_query_int (path, sql) == 1;
}

/* Every table, index, trigger and view with its SQL, in a stable order. */
static char *
db_schema (const char *path)
{
  GString *schema = g_string_new (NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT type, name, tbl_name, sql FROM sqlite_schema "
                                           "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    g_string_append_printf (schema, "%s %s on %s: %s\n",
                            (const char *) sqlite3_column_text (stmt, 0),
                            (const char *) sqlite3_column_text (stmt, 1),
                            (const char *) sqlite3_column_text (stmt, 2),
                            sqlite3_column_text (stmt, 3) != NULL ? (const char *) sqlite3_column_text (stmt, 3) : "");
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  return g_string_free (schema, FALSE);
}

/* Marks the test failed (and lets the others run) when the file changed. */
static gboolean
check_same_bytes (GBytes     *before,
                  const char *path)
{
  g_autoptr(GBytes) after = read_file (path);
  const guint8 *a = g_bytes_get_data (before, NULL);
  const guint8 *b = g_bytes_get_data (after, NULL);
  gsize n = MIN (g_bytes_get_size (before), g_bytes_get_size (after));
  gsize i = 0;

  if (g_bytes_equal (before, after))
    return TRUE;

  while (i < n && a[i] == b[i])
    i++;
  if (i < n)
    g_test_fail_printf ("%s was changed although it was refused: size %" G_GSIZE_FORMAT " -> %" G_GSIZE_FORMAT
                        ", first difference at byte %" G_GSIZE_FORMAT " (0x%02x -> 0x%02x)",
                        path, g_bytes_get_size (before), g_bytes_get_size (after), i, a[i], b[i]);
  else
    g_test_fail_printf ("%s was changed although it was refused: size %" G_GSIZE_FORMAT " -> %" G_GSIZE_FORMAT,
                        path, g_bytes_get_size (before), g_bytes_get_size (after));
  return FALSE;
}

/* Every table, index, trigger and view schema version 1 creates. */
static void
assert_schema_v1 (const char *db_path)
{
  static const char * const tables[] = { "meta", "change", "history", "outbox" };
  static const char * const triggers[] = {
    "change_no_update", "change_no_delete", "history_no_update", "history_no_delete",
  };
  static const char * const indexes[] = {
    "organization_uscc", "project_code", "milestone_due", "payment_project", "change_record",
  };
  const ProcuraEntityInfo * const *all;
  guint n_all;

  all = procura_schema_entities (&n_all);
  g_assert_cmpuint (n_all, ==, 14);
  for (guint e = 0; e < n_all; e++)
    {
      g_autofree char *sql = NULL;

      g_assert_true (db_has_table (db_path, all[e]->name, "table"));
      /* every field of the catalogue has its column */
      for (guint i = 0; i < all[e]->n_fields; i++)
        {
          g_autofree char *col_sql = g_strdup_printf ("SELECT count(*) FROM pragma_table_info('%s') WHERE name = '%s'",
                                                      all[e]->name, all[e]->fields[i].name);
          if (db_query_int (db_path, col_sql) != 1)
            g_error ("table %s has no column %s", all[e]->name, all[e]->fields[i].name);
        }
      sql = g_strdup_printf ("SELECT count(*) FROM pragma_table_info('%s') "
                             "WHERE name IN ('id', 'rev', 'deleted', 'created_at', 'updated_at')",
                             all[e]->name);
      g_assert_cmpint (db_query_int (db_path, sql), ==, 5);
    }
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_assert_true (db_has_table (db_path, tables[i], "table"));
  for (guint i = 0; i < G_N_ELEMENTS (triggers); i++)
    g_assert_true (db_has_table (db_path, triggers[i], "trigger"));
  for (guint i = 0; i < G_N_ELEMENTS (indexes); i++)
    g_assert_true (db_has_table (db_path, indexes[i], "index"));
  g_assert_true (db_has_table (db_path, "history_view", "view"));
}

/* What schema version 2 adds for sync: the client's sync state, the
 * conflict list, the server values a pull had to leave aside, and the
 * outbox indexes that acknowledging and pulling look rows up by. */
static void
assert_schema_v2 (const char *db_path)
{
  static const char * const tables[] = { "sync_state", "conflict", "shadow" };
  static const char * const indexes[] = { "conflict_open", "conflict_record", "outbox_record", "outbox_mutation" };

  assert_schema_v1 (db_path);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    g_assert_true (db_has_table (db_path, tables[i], "table"));
  for (guint i = 0; i < G_N_ELEMENTS (indexes); i++)
    g_assert_true (db_has_table (db_path, indexes[i], "index"));
  /* the token is never in the database */
  g_assert_cmpint (db_query_int (db_path, "SELECT count(*) FROM sync_state WHERE key LIKE '%token%'"), ==, 0);
}

/* ---- (a) a fresh directory ------------------------------------------- */

static void
test_fresh (DbFixture     *fixture,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GHashTable) stats = NULL;
  g_autofree char *nested = g_build_filename (fixture->dir, "a", "b", NULL);
  g_autofree char *nested_db = g_build_filename (nested, PROCURA_STORE_DB_NAME, NULL);
  g_autofree char *blobs = g_build_filename (nested, "blobs", NULL);
  g_autofree char *device = NULL;

  /* the data directory is created with its parents */
  store = procura_store_open (nested, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpint (procura_store_get_schema_version (store), ==, PROCURA_STORE_SCHEMA_VERSION);
  g_assert_cmpint (PROCURA_STORE_SCHEMA_VERSION, ==, 3);
  /* version 3: OCDS releases kept for imported projects */
  g_assert_true (db_has_table (nested_db, "ocds_release", "table"));
  g_assert_true (db_has_table (nested_db, "ocds_release_ocid", "index"));
  g_assert_true (g_file_test (nested_db, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (blobs, G_FILE_TEST_IS_DIR));
  g_assert_true (g_uuid_string_is_valid (procura_store_get_device_id (store)));
  device = g_strdup (procura_store_get_device_id (store));

  stats = procura_store_query_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stat_of (stats, "projects"), ==, 0);
  g_assert_cmpint (stat_of (stats, "history"), ==, 0);
  g_assert_cmpint (stat_of (stats, "outbox"), ==, 0);
  assert_store_check_passes (store);
  g_clear_object (&store);

  g_assert_cmpint (db_user_version (nested_db), ==, PROCURA_STORE_SCHEMA_VERSION);
  assert_schema_v2 (nested_db);
  g_assert_cmpint (db_query_int (nested_db, "SELECT count(*) FROM meta WHERE key = 'device_id'"), ==, 1);

  /* opening again migrates nothing and keeps the device id */
  store = procura_store_open (nested, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_store_get_device_id (store), ==, device);
  g_assert_cmpint (procura_store_get_schema_version (store), ==, PROCURA_STORE_SCHEMA_VERSION);
  g_clear_object (&store);
  g_assert_cmpint (db_user_version (nested_db), ==, PROCURA_STORE_SCHEMA_VERSION);
}

/* ---- (b) every earlier version ---------------------------------------- */

/* Version 0: an empty file, as SQLite leaves a database nobody wrote to. */
static void
test_v0_empty_file (DbFixture     *fixture,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraRecord) org = NULL;

  g_file_set_contents (fixture->db_path, "", 0, &error);
  g_assert_no_error (error);

  store = procura_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
  g_assert_cmpint (procura_store_get_schema_version (store), ==, PROCURA_STORE_SCHEMA_VERSION);

  /* and it takes writes */
  org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  procura_record_set_string (org, "name", "徐汇区阳光社工服务中心");
  procura_record_set_string (org, "uscc", "52310104501234569J");
  procura_record_set_string (org, "kind", "social_work_agency");
  g_assert_true (procura_store_insert (store, org, &error));
  g_assert_no_error (error);
  assert_store_check_passes (store);
  g_clear_object (&store);

  g_assert_cmpint (db_user_version (fixture->db_path), ==, PROCURA_STORE_SCHEMA_VERSION);
  assert_schema_v2 (fixture->db_path);
}

/* Ids in tests/fixtures/store-v1.sql */
#define V1_DEVICE     "fdb5fa18-311b-43bb-ab92-8c3d1e098d09"
#define V1_BUREAU     "8c267035-3e8e-457c-9c99-dacaced6ce1a"
#define V1_AGENCY     "4b13afb1-7b0c-4ad6-a15f-a560034e3ed7"
#define V1_EVALUATOR  "a07c6e92-caad-46f6-915b-0b4069672712"
#define V1_SCHEME     "88a0ba6e-3dd5-442c-8c72-8a1b1efb2dea"
#define V1_PROJECT    "c3e5080c-45fa-4c29-b147-73ea71b3ac56"
#define V1_DRAFT      "524ec122-1ba4-4f5f-b619-6553a186b0e6"
#define V1_MILESTONE  "4dab2a0a-363a-48bc-961b-6dee7fd63770"
#define V1_DELETED    "fcd23786-9a07-4fb1-a09d-a4d5184eb30f"
#define V1_PAID       "22a6e58b-5c35-493e-8952-876e34191f13"
#define V1_REPORT     "6115489c-1aa8-4ed2-b76d-f3dfc200bf35"
#define V1_EVALUATION "f0ee8305-5904-44c3-9b3c-8982b622f2e1"

static void
load_fixture (const char *db_path,
              const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", name, NULL);
  g_autofree char *sql = NULL;

  g_file_get_contents (path, &sql, NULL, &error);
  g_assert_no_error (error);
  db_exec (db_path, sql);
}

/* tests/fixtures/store-v1.sql is a version 1 database made with the
 * command-line tool. It is the starting point of every future migration:
 * when schema version 2 arrives, this v1 fixture must migrate and all that
 * is asserted here must still hold (add a store-v2.sql for the next one). */
static void
test_v1_fixture (DbFixture     *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraRecord) project = NULL;
  g_autoptr(ProcuraRecord) agency = NULL;
  g_autoptr(ProcuraRecord) milestone = NULL;
  g_autoptr(ProcuraRecord) report = NULL;
  g_autoptr(ProcuraRecord) deleted = NULL;
  g_autoptr(ProcuraRecord) found = NULL;
  g_autoptr(ProcuraRecord) changes = NULL;
  g_autoptr(ProcuraRecord) new_milestone = NULL;
  g_autoptr(ProcuraProjectBundle) bundle = NULL;
  g_autoptr(GHashTable) stats = NULL;
  g_autoptr(GHashTable) stats_after = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) milestones = NULL;
  g_autoptr(GPtrArray) ledger = NULL;
  g_autofree char *agency_id = NULL;
  g_autofree char *grade = NULL;
  ProcuraLedgerRow *row;
  ProcuraLedgerFilter filter = { 0 };
  static const struct { const char *key; gint64 n; } counts[] = {
    { "organizations", 4 }, { "grade_schemes", 1 }, { "projects", 2 }, { "amendments", 1 },
    { "milestones", 3 }, { "payments", 2 }, { "reports", 1 }, { "attachments", 1 },
    { "evaluations", 1 }, { "criteria", 4 }, { "indicators", 1 }, { "indicator_periods", 1 },
    { "activities", 1 }, { "consultations", 1 },
    { "history", 195 }, { "changes", 38 }, { "outbox", 38 },
  };

  load_fixture (fixture->db_path, "store-v1.sql");
  g_assert_cmpint (db_user_version (fixture->db_path), ==, 1);

  store = procura_test_open_store (fixture->dir, "2025-11-01", "test-migrations");
  g_assert_cmpint (procura_store_get_schema_version (store), ==, PROCURA_STORE_SCHEMA_VERSION);
  /* the device keeps its identity across the upgrade */
  g_assert_cmpstr (procura_store_get_device_id (store), ==, V1_DEVICE);

  assert_store_check_passes (store);

  /* version 2: the edits queued under version 1 are ready to push, in
   * order, and nothing is known of a server yet */
  {
    g_autoptr(JsonArray) outbox = procura_store_sync_list_outbox (store, 500, &error);
    g_autofree char *cursor = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (json_array_get_length (outbox), ==, 38);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (outbox, 0), "op"), ==, "insert");
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (outbox, 0), "base_rev"), ==, 0);
    cursor = procura_store_sync_get_state (store, PROCURA_SYNC_STATE_CURSOR, &error);
    g_assert_no_error (error);
    g_assert_null (cursor);
  }

  stats = procura_store_query_stats (store, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_test_message ("%s", counts[i].key);
      g_assert_cmpint (stat_of (stats, counts[i].key), ==, counts[i].n);
    }

  /* records read back field by field */
  project = procura_store_get (store, PROCURA_ENTITY_PROJECT, V1_PROJECT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_record_get_string (project, "code"), ==, "XH-2025-001");
  g_assert_cmpstr (procura_record_get_string (project, "title"), ==, "田林街道社区养老服务项目");
  g_assert_cmpstr (procura_record_get_string (project, "status"), ==, "active");
  g_assert_cmpstr (procura_record_get_string (project, "category"), ==, "elderly");
  g_assert_cmpstr (procura_record_get_string (project, "method"), ==, "competitive_consultation");
  g_assert_cmpstr (procura_record_get_string (project, "funding_source"), ==, "lottery_fund");
  g_assert_cmpint (procura_record_get_int (project, "value", -1), ==, 12500000);
  g_assert_cmpint (procura_record_get_int (project, "budget", -1), ==, 13000000);
  g_assert_cmpint (procura_record_get_int (project, "budget_year", -1), ==, 2025);
  g_assert_cmpstr (procura_record_get_string (project, "start_date"), ==, "2025-03-01");
  g_assert_cmpstr (procura_record_get_string (project, "end_date"), ==, "2026-02-28");
  g_assert_cmpstr (procura_record_get_string (project, "agency_id"), ==, V1_AGENCY);
  g_assert_cmpstr (procura_record_get_string (project, "buyer_id"), ==, V1_BUREAU);
  g_assert_cmpstr (procura_record_get_string (project, "grade_scheme_id"), ==, V1_SCHEME);
  g_assert_cmpstr (procura_record_get_string (project, "street"), ==, "田林街道");

  agency = procura_store_get (store, PROCURA_ENTITY_ORGANIZATION, V1_AGENCY, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_record_get_string (agency, "uscc"), ==, "52310104501234569J");
  g_assert_cmpstr (procura_record_get_string (agency, "kind"), ==, "social_work_agency");
  g_assert_cmpstr (procura_record_get_string (agency, "contact_person"), ==, "李明");

  agency_id = procura_store_resolve_ref (store, PROCURA_ENTITY_ORGANIZATION, "52310104501234569J", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (agency_id, ==, V1_AGENCY);

  milestone = procura_store_get (store, PROCURA_ENTITY_MILESTONE, V1_MILESTONE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_record_get_string (milestone, "status"), ==, "accepted");
  g_assert_cmpstr (procura_record_get_string (milestone, "date_met"), ==, "2025-09-08");

  report = procura_store_get (store, PROCURA_ENTITY_REPORT, V1_REPORT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_record_get_string (report, "state"), ==, "accepted");
  g_assert_cmpstr (procura_record_get_string (report, "review_comment"), ==, "同意通过");
  g_assert_nonnull (procura_record_get_string (report, "submitted_at"));
  g_assert_nonnull (procura_record_get_string (report, "reviewed_at"));

  /* the tombstone stays a tombstone */
  deleted = procura_store_get (store, PROCURA_ENTITY_MILESTONE, V1_DELETED, &error);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
  g_assert_null (deleted);
  g_clear_error (&error);

  found = procura_store_find (store, V1_PAID, &error);
  g_assert_no_error (error);
  g_assert_true (procura_record_get_entity (found) == PROCURA_ENTITY_PAYMENT);
  g_assert_cmpstr (procura_record_get_string (found, "status"), ==, "paid");
  g_assert_cmpint (procura_record_get_int (found, "paid_amount", -1), ==, 6250000);
  g_assert_cmpstr (procura_record_get_string (found, "voucher_no"), ==, "XH-PZ-2025-0913");

  milestones = procura_store_list (store, PROCURA_ENTITY_MILESTONE, "project_id", V1_PROJECT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (milestones->len, ==, 3);
  /* natural order: by due date */
  g_assert_cmpstr (procura_record_get_string (g_ptr_array_index (milestones, 0), "due_date"), ==, "2025-06-05");
  g_assert_cmpstr (procura_record_get_string (g_ptr_array_index (milestones, 2), "due_date"), ==, "2026-02-15");

  /* derived figures */
  bundle = procura_store_load_project (store, V1_PROJECT, &error);
  g_assert_no_error (error);
  g_assert_cmpint (procura_project_amended_value (bundle), ==, 13500000);
  g_assert_cmpint (procura_project_paid (bundle), ==, 6250000);
  g_assert_cmpint (procura_project_balance (bundle), ==, 7250000);
  g_assert_cmpuint (procura_project_progress (bundle), ==, 333);
  g_assert_cmpuint (procura_project_count_overdue (bundle, "2025-11-01"), ==, 1);
  g_assert_cmpint (procura_evaluation_total (bundle, V1_EVALUATION), ==, 9050);
  grade = procura_evaluation_grade (bundle, V1_EVALUATION);
  g_assert_cmpstr (grade, ==, "A");
  g_assert_cmpuint (bundle->reports->len, ==, 1);
  g_assert_cmpuint (bundle->attachments->len, ==, 1);
  g_assert_cmpuint (bundle->criteria->len, ==, 4);
  g_assert_cmpuint (bundle->consultations->len, ==, 1);
  g_assert_nonnull (bundle->grade_scheme);

  filter.agency = "52310104501234569J";
  ledger = procura_store_query_ledger (store, &filter, "2025-11-01", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (ledger->len, ==, 1);
  row = g_ptr_array_index (ledger, 0);
  g_assert_cmpstr (row->code, ==, "XH-2025-001");
  g_assert_cmpint (row->value, ==, 12500000);
  g_assert_cmpint (row->amended_value, ==, 13500000);
  g_assert_cmpint (row->paid, ==, 6250000);
  g_assert_cmpuint (row->n_milestones, ==, 3);
  g_assert_cmpuint (row->n_accepted, ==, 1);
  g_assert_cmpuint (row->n_overdue, ==, 1);
  g_assert_cmpstr (row->next_due, ==, "2025-06-05");

  /* history: every row of the project and what is under it, newest first */
  history = procura_store_query_history (store, V1_PROJECT, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (history->len, ==, 167);
  for (guint i = 1; i < history->len; i++)
    {
      ProcuraHistoryEntry *newer = g_ptr_array_index (history, i - 1);
      ProcuraHistoryEntry *older = g_ptr_array_index (history, i);

      g_assert_cmpint (newer->change_id, >=, older->change_id);
    }
  g_assert_cmpstr (((ProcuraHistoryEntry *) g_ptr_array_index (history, 0))->entity, ==, "evaluation");
  g_assert_cmpstr (((ProcuraHistoryEntry *) g_ptr_array_index (history, 0))->actor, ==, "王芳");
  g_clear_pointer (&history, g_ptr_array_unref);

  /* the rules still hold on migrated data: an accepted report is evidence */
  changes = procura_record_new (PROCURA_ENTITY_REPORT, V1_REPORT);
  procura_record_set_string (changes, "narrative", "改写");
  g_assert_false (procura_store_update (store, changes, &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION);
  g_clear_error (&error);
  g_clear_pointer (&changes, procura_record_unref);

  /* … and writes still work, with their history and outbox rows */
  changes = procura_record_new (PROCURA_ENTITY_PROJECT, V1_PROJECT);
  procura_record_set_string (changes, "description", "助餐、助浴、探访与冬季送温暖");
  g_assert_true (procura_store_update (store, changes, &error));
  g_assert_no_error (error);

  new_milestone = procura_record_new (PROCURA_ENTITY_MILESTONE, NULL);
  procura_record_set_string (new_milestone, "project_id", V1_PROJECT);
  procura_record_set_string (new_milestone, "title", "第三季度工作报告");
  procura_record_set_string (new_milestone, "type", "reporting");
  procura_record_set_string (new_milestone, "due_date", "2025-12-05");
  g_assert_true (procura_store_insert (store, new_milestone, &error));
  g_assert_no_error (error);

  stats_after = procura_store_query_stats (store, &error);
  g_assert_no_error (error);
  g_assert_cmpint (stat_of (stats_after, "milestones"), ==, 4);
  g_assert_cmpint (stat_of (stats_after, "changes"), ==, 40);
  g_assert_cmpint (stat_of (stats_after, "outbox"), ==, 40);
  /* 1 changed field + the 5 fields of the new milestone (status included) */
  g_assert_cmpint (stat_of (stats_after, "history"), ==, 195 + 1 + 5);

  history = procura_store_query_history (store, V1_PROJECT, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (((ProcuraHistoryEntry *) g_ptr_array_index (history, 0))->actor, ==, "test-migrations");
  g_assert_cmpstr (((ProcuraHistoryEntry *) g_ptr_array_index (history, 0))->device, ==, V1_DEVICE);

  assert_store_check_passes (store);
  g_clear_object (&store);

  g_assert_cmpint (db_user_version (fixture->db_path), ==, PROCURA_STORE_SCHEMA_VERSION);
  assert_schema_v2 (fixture->db_path);

  /* After its migrations an old database has exactly the schema of a new
   * one. This fails when a released migration is edited instead of a new
   * one being added: databases in the field would never get the edit. */
  {
    g_autofree char *fresh_dir = g_build_filename (fixture->dir, "fresh", NULL);
    g_autofree char *fresh_db = g_build_filename (fresh_dir, PROCURA_STORE_DB_NAME, NULL);
    g_autoptr(ProcuraStore) fresh = procura_store_open (fresh_dir, &error);
    g_autofree char *fresh_schema = NULL;
    g_autofree char *migrated_schema = NULL;

    g_assert_no_error (error);
    g_clear_object (&fresh);
    fresh_schema = db_schema (fresh_db);
    migrated_schema = db_schema (fixture->db_path);
    g_assert_cmpstr (migrated_schema, ==, fresh_schema);
  }
}

/* ---- (c) a database from a newer Procura ----------------------------- */

static void
assert_too_new_untouched (DbFixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GBytes) before = read_file (fixture->db_path);
  g_autofree char *wal = g_strconcat (fixture->db_path, "-wal", NULL);

  for (int attempt = 0; attempt < 2; attempt++)
    {
      store = procura_store_open (fixture->dir, &error);
      g_assert_null (store);
      g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_SCHEMA_TOO_NEW);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, "99"));
      /* and the version this build understands */
      {
        g_autofree char *ours = g_strdup_printf ("version %d", PROCURA_STORE_SCHEMA_VERSION);
        g_assert_nonnull (strstr (error->message, ours));
      }
      g_assert_nonnull (strstr (error->message, "newer"));
      g_clear_error (&error);
    }

  /* nothing was written: not the header, not a journal */
  check_same_bytes (before, fixture->db_path);
  if (g_file_test (wal, G_FILE_TEST_IS_REGULAR))
    {
      g_autoptr(GBytes) wal_bytes = read_file (wal);
      g_assert_cmpuint (g_bytes_get_size (wal_bytes), ==, 0);
    }
  g_assert_cmpint (db_user_version (fixture->db_path), ==, 99);
  g_assert_cmpint (db_query_int (fixture->db_path, "SELECT count(*) FROM future_thing"), ==, 2);
}

/* A plain (rollback-journal) database with user_version 99. */
static void
test_too_new (DbFixture     *fixture,
              gconstpointer  data)
{
  db_exec (fixture->db_path,
           "CREATE TABLE future_thing (id INTEGER PRIMARY KEY, name TEXT);"
           "INSERT INTO future_thing (name) VALUES ('a'), ('b');"
           "PRAGMA user_version = 99;");
  assert_too_new_untouched (fixture);
}

/* The same in WAL mode, as a newer Procura would have left it. */
static void
test_too_new_wal (DbFixture     *fixture,
                  gconstpointer  data)
{
  db_exec (fixture->db_path,
           "PRAGMA journal_mode = WAL;"
           "CREATE TABLE future_thing (id INTEGER PRIMARY KEY, name TEXT);"
           "INSERT INTO future_thing (name) VALUES ('a'), ('b');"
           "PRAGMA user_version = 99;");
  assert_too_new_untouched (fixture);
}

/* ---- (d) not a database ---------------------------------------------- */

static void
assert_open_refused (DbFixture  *fixture,
                     const char *contents,
                     gsize       length)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GBytes) before = NULL;

  g_file_set_contents (fixture->db_path, contents, length, &error);
  g_assert_no_error (error);
  before = read_file (fixture->db_path);

  store = procura_store_open (fixture->dir, &error);
  g_assert_null (store);
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  g_assert_true (error->domain == PROCURA_ERROR);
  g_assert_true (error->code == PROCURA_ERROR_STORE || error->code == PROCURA_ERROR_CORRUPT);
  /* the message says which file and what is wrong with it */
  g_assert_nonnull (strstr (error->message, "Database"));
  g_assert_nonnull (strstr (error->message, "not a database"));
  g_assert_nonnull (strstr (error->message, fixture->db_path));

  /* the file is left as it was */
  check_same_bytes (before, fixture->db_path);
}

static void
test_not_a_database (DbFixture     *fixture,
                     gconstpointer  data)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (int i = 0; i < 200; i++)
    g_string_append (text, "项目台账 — this is a spreadsheet export, not a database\n");
  assert_open_refused (fixture, text->str, text->len);
}

static void
test_not_a_database_binary (DbFixture     *fixture,
                            gconstpointer  data)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (42);
  guint8 junk[8192];

  for (gsize i = 0; i < sizeof junk; i++)
    junk[i] = (guint8) g_rand_int_range (rand, 0, 256);
  assert_open_refused (fixture, (const char *) junk, sizeof junk);
}

/* A real store cut short (a copy interrupted half-way): an error or a
 * failing check, never a crash and never a clean bill of health. */
static void
test_truncated_database (DbFixture     *fixture,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GBytes) whole = NULL;
  gsize size;

  load_fixture (fixture->db_path, "store-v1.sql");
  whole = read_file (fixture->db_path);
  size = g_bytes_get_size (whole);
  g_assert_cmpuint (size, >, 16384);
  g_file_set_contents (fixture->db_path, g_bytes_get_data (whole, NULL), size / 2, &error);
  g_assert_no_error (error);

  store = procura_store_open (fixture->dir, &error);
  if (store == NULL)
    {
      g_assert_nonnull (error);
      g_test_message ("open: %s", error->message);
      g_assert_true (error->domain == PROCURA_ERROR);
      g_assert_nonnull (strstr (error->message, "Database"));
    }
  else
    {
      g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

      g_assert_no_error (error);
      g_assert_false (procura_store_check (store, problems, &error));
      g_assert_nonnull (error);
      g_test_message ("check: %s", error->message);
      g_assert_true (error->domain == PROCURA_ERROR);
    }
}

/* A data directory that cannot be created: a path under a regular file. */
static void
test_data_dir_under_file (DbFixture     *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autofree char *file = g_build_filename (fixture->dir, "plain-file", NULL);
  g_autofree char *dir = g_build_filename (file, "data", NULL);

  g_file_set_contents (file, "x", 1, &error);
  g_assert_no_error (error);

  store = procura_store_open (dir, &error);
  g_assert_null (store);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, dir));
}

/* ---- (e) a migration that fails -------------------------------------- */

static void
test_migration_failure (DbFixture     *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;

  /* a version 0 database in which migration 1 cannot create its first table */
  db_exec (fixture->db_path,
           "CREATE TABLE organization (legacy_name TEXT, legacy_code TEXT);"
           "INSERT INTO organization VALUES ('旧台账单位', 'X-001');"
           "INSERT INTO organization VALUES ('旧台账单位二', 'X-002');");
  g_assert_cmpint (db_user_version (fixture->db_path), ==, 0);

  for (int attempt = 0; attempt < 2; attempt++)
    {
      store = procura_store_open (fixture->dir, &error);
      g_assert_null (store);
      g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE);
      g_test_message ("%s", error->message);
      /* says which migration failed and why */
      g_assert_nonnull (strstr (error->message, "migration to schema version 1"));
      g_assert_nonnull (strstr (error->message, "organization"));
      g_clear_error (&error);
    }

  /* still version 0, nothing of migration 1 kept, the old table intact */
  g_assert_cmpint (db_user_version (fixture->db_path), ==, 0);
  g_assert_false (db_has_table (fixture->db_path, "project", "table"));
  g_assert_false (db_has_table (fixture->db_path, "meta", "table"));
  g_assert_false (db_has_table (fixture->db_path, "history", "table"));
  g_assert_cmpint (db_query_int (fixture->db_path, "SELECT count(*) FROM sqlite_schema"), ==, 1);
  g_assert_cmpint (db_query_int (fixture->db_path, "SELECT count(*) FROM organization"), ==, 2);
  g_assert_cmpint (db_query_int (fixture->db_path,
                                 "SELECT count(*) FROM pragma_table_info('organization')"), ==, 2);
  g_assert_cmpint (db_query_int (fixture->db_path,
                                 "SELECT count(*) FROM organization WHERE legacy_code = 'X-002' "
                                 "AND legacy_name = '旧台账单位二'"), ==, 1);
}

/* A failure late in migration 1 (its last statements) is rolled back too. */
static void
test_migration_failure_late (DbFixture     *fixture,
                             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;

  db_exec (fixture->db_path, "CREATE VIEW history_view AS SELECT 1 AS legacy;");

  store = procura_store_open (fixture->dir, &error);
  g_assert_null (store);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE);
  g_assert_nonnull (strstr (error->message, "history_view"));

  g_assert_cmpint (db_user_version (fixture->db_path), ==, 0);
  g_assert_false (db_has_table (fixture->db_path, "organization", "table"));
  g_assert_false (db_has_table (fixture->db_path, "change", "table"));
  g_assert_cmpint (db_query_int (fixture->db_path, "SELECT count(*) FROM sqlite_schema"), ==, 1);
  g_assert_cmpint (db_query_int (fixture->db_path, "SELECT legacy FROM history_view"), ==, 1);
}

int
main (int    argc,
      char **argv)
{
  procura_test_init_keep_going (&argc, &argv);

#define ADD(path, func) g_test_add (path, DbFixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/migrations/fresh", test_fresh);
  ADD ("/migrations/v0-empty-file", test_v0_empty_file);
  ADD ("/migrations/v1-fixture", test_v1_fixture);
  ADD ("/migrations/too-new", test_too_new);
  ADD ("/migrations/too-new-wal", test_too_new_wal);
  ADD ("/migrations/not-a-database/text", test_not_a_database);
  ADD ("/migrations/not-a-database/binary", test_not_a_database_binary);
  ADD ("/migrations/not-a-database/truncated", test_truncated_database);
  ADD ("/migrations/data-dir-under-file", test_data_dir_under_file);
  ADD ("/migrations/failure-keeps-old-version", test_migration_failure);
  ADD ("/migrations/failure-late-keeps-old-version", test_migration_failure_late);
#undef ADD

  return g_test_run ();
}
