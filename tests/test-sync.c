/* test-sync.c — the sync client
 *
 * (a) The store's side, without a server: the outbox as wire mutations,
 *     acknowledgements rebasing later edits, refusals kept visible,
 *     pulled pages applied whole or not at all.
 * (b) End to end against the real procura-server ($PROCURA_SERVER) with
 *     two client data directories driven through procura-cli
 *     ($PROCURA_CLI). Skipped, saying so, when there is no server binary.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>

#include "procura-blobs.h"
#include "procura-error.h"
#include "procura-json.h"
#include "procura-store-private.h"
#include "procura-store-sql.h"
#include "procura-store-sync.h"
#include "procura-sync.h"
#include "procura-test-utils.h"

/* ---- helpers --------------------------------------------------------- */

static gint64
db_int (Fixture    *f,
        const char *format,
        ...) G_GNUC_PRINTF (2, 3);

static gint64
db_int (Fixture    *f,
        const char *format,
        ...)
{
  g_autofree char *path = g_build_filename (f->dir, PROCURA_STORE_DB_NAME, NULL);
  g_autofree char *sql = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  return db_query_int (path, sql);
}

/* A second store standing in for the server: records made there through
 * the write path are what a pull carries. */
static void
origin_open (Fixture *f,
             Fixture *origin)
{
  g_autofree char *dir = g_build_filename (f->dir, "origin", NULL);

  fixture_open (origin, dir);
  origin->seq = 500;
}

/* The wire form of a record of store, with the server revision rev. */
static JsonNode *
wire (Fixture                 *store,
      const ProcuraEntityInfo *entity,
      const char              *id,
      gint64                   rev)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraRecord) record = procura_store_get_including_deleted (store->store, entity, id, &error);
  JsonNode *node;

  g_assert_no_error (error);
  node = procura_record_to_json (record);
  json_object_set_int_member (json_node_get_object (node), "rev", rev);

  return node;
}

/* A page entry: {"seq": seq, "record": record} (takes record). */
static void
page_add (JsonArray *page,
          gint64     seq,
          JsonNode  *record)
{
  JsonObject *entry = json_object_new ();

  json_object_set_int_member (entry, "seq", seq);
  json_object_set_member (entry, "record", record);
  json_array_add_object_element (page, entry);
}

static gboolean
apply_page (Fixture    *f,
            JsonArray  *page,
            const char *cursor,
            GError    **error)
{
  guint n = 0;

  return procura_store_sync_apply_page (f->store, page, cursor, &n, error);
}

static JsonArray *
outbox (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  JsonArray *mutations = procura_store_sync_list_outbox (f->store, 500, &error);

  g_assert_no_error (error);
  g_assert_nonnull (mutations);
  return mutations;
}

static char *
outbox_mutation (Fixture *f,
                 guint    index)
{
  g_autoptr(JsonArray) mutations = outbox (f);

  g_assert_cmpuint (index, <, json_array_get_length (mutations));
  return g_strdup (json_object_get_string_member (json_array_get_object_element (mutations, index),
                                                  "mutation_id"));
}

/* Feeds one push result for mutation_id through the store. */
static void
result_ok (Fixture    *f,
           const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = parse_json (json);

  g_assert_true (procura_store_begin (f->store, &error));
  g_assert_true (procura_store_sync_apply_result (f->store, json_node_get_object (node), &error));
  g_assert_no_error (error);
  g_assert_true (procura_store_commit (f->store, &error));
}

static void
ack (Fixture    *f,
     const char *mutation_id,
     const char *status,
     gint64      rev)
{
  g_autofree char *json = g_strdup_printf ("{\"mutation_id\": \"%s\", \"status\": \"%s\", \"rev\": %" G_GINT64_FORMAT "}",
                                           mutation_id, status, rev);
  result_ok (f, json);
}

/* Pushes everything queued as if the server applied it at rev, rev+1 …,
 * then gives the records those revs as the next pull would. */
static void
ack_all (Fixture *f,
         gint64   rev)
{
  g_autoptr(JsonArray) mutations = outbox (f);
  sqlite3 *db = procura_store_get_sqlite (f->store);

  for (guint i = 0; i < json_array_get_length (mutations); i++)
    {
      JsonObject *m = json_array_get_object_element (mutations, i);
      g_autofree char *sql = NULL;

      ack (f, json_object_get_string_member (m, "mutation_id"), "applied", rev + i);
      sql = g_strdup_printf ("UPDATE %s SET rev = max(rev, %" G_GINT64_FORMAT ") WHERE id = '%s'",
                             json_object_get_string_member (m, "entity"), rev + i,
                             json_object_get_string_member (m, "id"));
      g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    }
}

static char *
state (Fixture    *f,
       const char *key)
{
  g_autoptr(GError) error = NULL;
  char *value = procura_store_sync_get_state (f->store, key, &error);

  g_assert_no_error (error);
  return value;
}

/* ---- (a) the outbox -------------------------------------------------- */

/* Pending writes come out oldest first, in the wire form of the
 * protocol: only the changed fields, the rev each edit was based on. */
static void
test_outbox_order_and_shape (Fixture *f)
{
  g_autofree char *org = add_org (f, "徐汇区阳光社工服务中心", "social_work_agency");
  g_autofree char *project = add_draft_project (f, "SY-001");
  g_autoptr(JsonArray) mutations = NULL;
  g_autoptr(JsonArray) limited = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *m;
  JsonObject *fields;

  set_text (f, PROCURA_ENTITY_PROJECT, project, "title", "新标题");

  mutations = outbox (f);
  g_assert_cmpuint (json_array_get_length (mutations), ==, 3);

  m = json_array_get_object_element (mutations, 0);
  g_assert_cmpstr (json_object_get_string_member (m, "entity"), ==, "organization");
  g_assert_cmpstr (json_object_get_string_member (m, "id"), ==, org);
  g_assert_cmpstr (json_object_get_string_member (m, "op"), ==, "insert");
  g_assert_cmpint (json_object_get_int_member (m, "base_rev"), ==, 0);
  g_assert_true (g_uuid_string_is_valid (json_object_get_string_member (m, "mutation_id")));
  fields = json_object_get_object_member (m, "fields");
  g_assert_cmpstr (json_object_get_string_member (fields, "name"), ==, "徐汇区阳光社工服务中心");
  g_assert_cmpstr (json_object_get_string_member (fields, "kind"), ==, "social_work_agency");
  /* unset fields of an insert are not sent */
  g_assert_false (json_object_has_member (fields, "address"));

  m = json_array_get_object_element (mutations, 1);
  g_assert_cmpstr (json_object_get_string_member (m, "entity"), ==, "project");
  g_assert_cmpstr (json_object_get_string_member (m, "op"), ==, "insert");

  m = json_array_get_object_element (mutations, 2);
  g_assert_cmpstr (json_object_get_string_member (m, "id"), ==, project);
  g_assert_cmpstr (json_object_get_string_member (m, "op"), ==, "update");
  fields = json_object_get_object_member (m, "fields");
  g_assert_cmpuint (json_object_get_size (fields), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (fields, "title"), ==, "新标题");

  /* exactly the exact members the protocol names */
  g_assert_cmpuint (json_object_get_size (m), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      static const char * const names[] = { "mutation_id", "entity", "id", "op", "base_rev", "fields" };
      g_assert_true (json_object_has_member (m, names[i]));
    }

  limited = procura_store_sync_list_outbox (f->store, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (limited), ==, 2);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 3);

  /* a delete carries no fields */
  {
    g_autofree char *extra = add_draft_project (f, "SY-002");
    g_autoptr(JsonArray) after = NULL;

    g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_PROJECT, extra, &error));
    g_assert_no_error (error);
    after = outbox (f);
    m = json_array_get_object_element (after, json_array_get_length (after) - 1);
    g_assert_cmpstr (json_object_get_string_member (m, "op"), ==, "delete");
    g_assert_cmpuint (json_object_get_size (json_object_get_object_member (m, "fields")), ==, 0);
  }
}

/* An acknowledgement removes the mutation and nothing more: the record
 * keeps the rev it was pulled at and its later queued edits the base they
 * were made on. The answer's rev also covers other people's writes this
 * device has not seen; taking it for seen would let a later edit
 * overwrite them unnoticed. The next pull brings the record's rev. */
static void
test_ack_rebases (Fixture *f)
{
  g_autofree char *project = add_draft_project (f, "SY-010");
  g_autofree char *other = add_draft_project (f, "SY-011");
  g_autofree char *m_insert = NULL;
  g_autofree char *m_title = NULL;
  g_autoptr(ProcuraRecord) record = NULL;

  set_text (f, PROCURA_ENTITY_PROJECT, project, "title", "第一次修改");
  set_text (f, PROCURA_ENTITY_PROJECT, project, "street", "田林街道");
  m_insert = outbox_mutation (f, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE record_id = '%s' AND base_rev = 0", project), ==, 3);

  ack (f, m_insert, "applied", 7);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE mutation_id = '%s'", m_insert), ==, 0);
  record = get_ok (f, PROCURA_ENTITY_PROJECT, project);
  g_assert_cmpint (procura_record_get_rev (record), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE record_id = '%s' AND base_rev = 0", project), ==, 2);
  g_assert_cmpint (db_int (f, "SELECT base_rev FROM outbox WHERE record_id = '%s'", other), ==, 0);

  /* the second edit of the project is now first in line */
  m_title = outbox_mutation (f, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE mutation_id = '%s' AND record_id = '%s'",
                           m_title, other), ==, 1);
  g_free (m_title);
  m_title = outbox_mutation (f, 1);
  ack (f, m_title, "merged", 12);
  g_clear_pointer (&record, procura_record_unref);
  record = get_ok (f, PROCURA_ENTITY_PROJECT, project);
  g_assert_cmpint (procura_record_get_rev (record), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT base_rev FROM outbox WHERE record_id = '%s'", project), ==, 0);

  /* a replayed answer for a mutation already acknowledged changes nothing */
  ack (f, m_title, "merged", 12);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 2);

  /* an edit made after a pull is based on the pulled rev */
  g_assert_cmpint (sqlite3_exec (procura_store_get_sqlite (f->store),
                                 "UPDATE project SET rev = 20 WHERE code = 'SY-010'", NULL, NULL, NULL), ==, SQLITE_OK);
  set_text (f, PROCURA_ENTITY_PROJECT, project, "title", "第二次修改");
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE record_id = '%s' AND base_rev = 20", project), ==, 1);
}

/* ---- (a) pulling ----------------------------------------------------- */

/* A page arrives with a child before its parent: it is written whole, with
 * history by "server", no outbox rows, and its cursor. */
static void
test_pull_page (Fixture *f)
{
  Fixture origin = { 0 };
  g_autofree char *project = NULL;
  g_autofree char *milestone = NULL;
  g_autofree char *agency = NULL;
  g_autofree char *buyer = NULL;
  g_autofree char *cursor = NULL;
  g_autoptr(JsonArray) page = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraRecord) pulled = NULL;
  gint64 outbox_before = procura_store_sync_count_outbox (f->store, NULL);

  origin_open (f, &origin);
  project = add_active_project (&origin, FIXTURE_VALUE);
  milestone = add_milestone (&origin, project, "第一季度报告", "2021-04-05");
  agency = get_text (&origin, PROCURA_ENTITY_PROJECT, project, "agency_id");

  /* the milestone first, then the project, then the organizations */
  page_add (page, 20, wire (&origin, PROCURA_ENTITY_MILESTONE, milestone, 20));
  page_add (page, 21, wire (&origin, PROCURA_ENTITY_PROJECT, project, 21));
  page_add (page, 22, wire (&origin, PROCURA_ENTITY_ORGANIZATION, agency, 22));
  buyer = get_text (&origin, PROCURA_ENTITY_PROJECT, project, "buyer_id");
  page_add (page, 23, wire (&origin, PROCURA_ENTITY_ORGANIZATION, buyer, 23));

  g_assert_true (apply_page (f, page, "23", &error));
  g_assert_no_error (error);

  pulled = get_ok (f, PROCURA_ENTITY_MILESTONE, milestone);
  g_assert_cmpint (procura_record_get_rev (pulled), ==, 20);
  g_assert_cmpstr (procura_record_get_string (pulled, "title"), ==, "第一季度报告");
  g_clear_pointer (&pulled, procura_record_unref);
  pulled = get_ok (f, PROCURA_ENTITY_PROJECT, project);
  g_assert_cmpint (procura_record_get_rev (pulled), ==, 21);
  g_assert_cmpstr (procura_record_get_string (pulled, "status"), ==, "active");
  g_assert_cmpint (procura_record_get_int (pulled, "value", -1), ==, FIXTURE_VALUE);

  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, outbox_before);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM history_view WHERE record_id = '%s' AND field = 'status' "
                              "AND new_value = 'active' AND actor = 'server'", project), ==, 1);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM change WHERE record_id = '%s' AND op = 'insert'", milestone), ==, 1);
  cursor = state (f, PROCURA_SYNC_STATE_CURSOR);
  g_assert_cmpstr (cursor, ==, "23");
  assert_check_passes (f);

  /* the same page again (a retried pull) writes no new history */
  {
    gint64 changes = db_int (f, "SELECT count(*) FROM change");

    g_assert_true (apply_page (f, page, "23", &error));
    g_assert_no_error (error);
    g_assert_cmpint (db_int (f, "SELECT count(*) FROM change"), ==, changes);
  }

  fixture_close (&origin);
}

/* A pulled record never overwrites fields with unpushed edits; the
 * server's value of those is kept aside. Other fields apply. */
static void
test_pull_skips_pending (Fixture *f)
{
  Fixture origin = { 0 };
  g_autoptr(JsonArray) page = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *project = add_draft_project (f, "SY-020");
  g_autofree char *title = NULL;
  g_autofree char *street = NULL;
  JsonNode *node;
  JsonObject *fields;

  ack_all (f, 5);
  set_text (f, PROCURA_ENTITY_PROJECT, project, "title", "本机的标题");

  /* the server's state: someone else changed title and street */
  origin_open (f, &origin);
  node = wire (f, PROCURA_ENTITY_PROJECT, project, 8);
  fields = json_object_get_object_member (json_node_get_object (node), "fields");
  json_object_set_string_member (fields, "title", "服务器的标题");
  json_object_set_string_member (fields, "street", "长桥街道");
  page_add (page, 8, node);

  g_assert_true (apply_page (f, page, "8", &error));
  g_assert_no_error (error);

  title = get_text (f, PROCURA_ENTITY_PROJECT, project, "title");
  street = get_text (f, PROCURA_ENTITY_PROJECT, project, "street");
  g_assert_cmpstr (title, ==, "本机的标题");
  g_assert_cmpstr (street, ==, "长桥街道");
  g_assert_cmpint (db_int (f, "SELECT rev FROM project WHERE id = '%s'", project), ==, 8);
  /* the pending edit still claims the base it was made on */
  g_assert_cmpint (db_int (f, "SELECT base_rev FROM outbox WHERE record_id = '%s'", project), ==, 5);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM shadow WHERE record_id = '%s' AND field = 'title' "
                              "AND value = '服务器的标题' AND rev = 8", project), ==, 1);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM history_view WHERE record_id = '%s' AND actor = 'server' "
                              "AND field = 'title'", project), ==, 0);

  /* the server refuses the edit: the record shows the server's title, the
   * user's one waits in the conflict list */
  {
    g_autofree char *m = outbox_mutation (f, 0);
    g_autofree char *json = g_strdup_printf ("{\"mutation_id\": \"%s\", \"status\": \"rejected\", "
                                             "\"error\": \"forbidden\", \"reason\": \"no\"}", m);
    result_ok (f, json);
  }
  g_free (title);
  title = get_text (f, PROCURA_ENTITY_PROJECT, project, "title");
  g_assert_cmpstr (title, ==, "服务器的标题");
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM conflict WHERE record_id = '%s' AND kind = 'rejected' "
                              "AND local_value = '本机的标题' AND server_value = '服务器的标题'", project), ==, 1);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM shadow"), ==, 0);
  fixture_close (&origin);
}

/* Tombstones delete; a record never seen alive is not created. */
static void
test_pull_tombstone (Fixture *f)
{
  g_autoptr(JsonArray) page = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *project = add_draft_project (f, "SY-030");
  g_autofree char *ghost = g_uuid_string_random ();
  JsonNode *node;

  ack_all (f, 3);
  node = wire (f, PROCURA_ENTITY_PROJECT, project, 9);
  json_object_set_boolean_member (json_node_get_object (node), "deleted", TRUE);
  page_add (page, 9, node);
  node = wire (f, PROCURA_ENTITY_PROJECT, project, 10);
  json_object_set_boolean_member (json_node_get_object (node), "deleted", TRUE);
  json_object_set_string_member (json_node_get_object (node), "id", ghost);
  page_add (page, 10, node);

  g_assert_true (apply_page (f, page, "10", &error));
  g_assert_no_error (error);
  assert_not_found (f, PROCURA_ENTITY_PROJECT, project);
  g_assert_cmpint (db_int (f, "SELECT deleted FROM project WHERE id = '%s'", project), ==, 1);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM history_view WHERE record_id = '%s' AND op = 'delete' "
                              "AND field = 'deleted' AND new_value = 'true'", project), ==, 1);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM project WHERE id = '%s'", ghost), ==, 0);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 0);
}

/* A page that cannot be applied leaves nothing: no record of it, the
 * cursor where it was. A child whose parent comes in a later page is no
 * such page. */
/* A page that brings attachments says so in its transaction: the run
 * then looks for their files; pages without them leave the mark alone. */
static void
test_pull_marks_files (Fixture *f)
{
  Fixture origin = { 0 };
  g_autofree char *project = NULL;
  g_autofree char *agency = NULL;
  g_autofree char *mark = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *attachment = g_uuid_string_random ();
  g_autofree char *text = NULL;

  origin_open (f, &origin);
  project = add_active_project (&origin, FIXTURE_VALUE);
  text = g_strdup_printf ("{\"entity\": \"attachment\", \"id\": \"%s\", \"rev\": 31, \"deleted\": false, "
                          "\"updated_at\": \"2026-11-27T08:00:00Z\", \"fields\": {\"project_id\": \"%s\", "
                          "\"name\": \"签到表.pdf\", \"mime_type\": \"application/pdf\", \"size\": 12, "
                          "\"sha256\": \"%064d\"}}", attachment, project, 7);
  agency = get_text (&origin, PROCURA_ENTITY_PROJECT, project, "agency_id");
  g_assert_true (procura_store_sync_set_state (f->store, PROCURA_SYNC_STATE_BLOBS_CHECKED, "1", &error));

  {
    g_autoptr(JsonArray) page = json_array_new ();

    page_add (page, 30, wire (&origin, PROCURA_ENTITY_ORGANIZATION, agency, 30));
    g_assert_true (apply_page (f, page, "30", &error));
    g_assert_no_error (error);
  }
  mark = state (f, PROCURA_SYNC_STATE_BLOBS_CHECKED);
  g_assert_cmpstr (mark, ==, "1");
  g_clear_pointer (&mark, g_free);

  {
    g_autoptr(JsonArray) page = json_array_new ();

    page_add (page, 31, json_from_string (text, &error));
    g_assert_no_error (error);
    g_assert_true (apply_page (f, page, "31", &error));
    g_assert_no_error (error);
  }
  mark = state (f, PROCURA_SYNC_STATE_BLOBS_CHECKED);
  g_assert_null (mark);
  fixture_close (&origin);
}

static void
test_pull_atomic (Fixture *f)
{
  Fixture origin = { 0 };
  g_autofree char *project = NULL;
  g_autofree char *milestone = NULL;
  g_autofree char *cursor = NULL;
  g_autoptr(GError) error = NULL;
  gint64 changes_before;

  g_assert_true (procura_store_sync_set_state (f->store, PROCURA_SYNC_STATE_CURSOR, "5", &error));
  origin_open (f, &origin);
  project = add_active_project (&origin, FIXTURE_VALUE);
  milestone = add_milestone (&origin, project, "中期报告", "2021-06-30");
  changes_before = db_int (f, "SELECT count(*) FROM change");

  /* the organizations apply, then a record with a wrong type */
  {
    g_autoptr(JsonArray) page = json_array_new ();
    g_autofree char *agency = get_text (&origin, PROCURA_ENTITY_PROJECT, project, "agency_id");
    JsonNode *node;

    page_add (page, 6, wire (&origin, PROCURA_ENTITY_ORGANIZATION, agency, 6));
    node = wire (&origin, PROCURA_ENTITY_MILESTONE, milestone, 7);
    json_object_set_int_member (json_object_get_object_member (json_node_get_object (node), "fields"),
                                "title", 42);
    page_add (page, 7, node);

    g_assert_false (apply_page (f, page, "7", &error));
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_clear_error (&error);
  }
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM organization"), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM change"), ==, changes_before);
  cursor = state (f, PROCURA_SYNC_STATE_CURSOR);
  g_assert_cmpstr (cursor, ==, "5");

  /* a child pages before its parent (the feed is in order of last write:
   * a project updated after its milestones comes after them): taken, and
   * whole once the parent's page arrives */
  {
    g_autoptr(JsonArray) page = json_array_new ();
    g_autoptr(JsonArray) later = json_array_new ();
    g_autofree char *agency = get_text (&origin, PROCURA_ENTITY_PROJECT, project, "agency_id");
    g_autofree char *buyer = get_text (&origin, PROCURA_ENTITY_PROJECT, project, "buyer_id");

    page_add (page, 6, wire (&origin, PROCURA_ENTITY_MILESTONE, milestone, 6));
    g_assert_true (apply_page (f, page, "6", &error));
    g_assert_no_error (error);
    g_assert_cmpint (db_int (f, "SELECT count(*) FROM milestone"), ==, 1);
    g_free (cursor);
    cursor = state (f, PROCURA_SYNC_STATE_CURSOR);
    g_assert_cmpstr (cursor, ==, "6");

    page_add (later, 7, wire (&origin, PROCURA_ENTITY_ORGANIZATION, agency, 7));
    if (g_strcmp0 (buyer, agency) != 0)
      page_add (later, 8, wire (&origin, PROCURA_ENTITY_ORGANIZATION, buyer, 8));
    page_add (later, 9, wire (&origin, PROCURA_ENTITY_PROJECT, project, 9));
    g_assert_true (apply_page (f, later, "9", &error));
    g_assert_no_error (error);
  }
  /* the store's own connection enforces its keys again */
  {
    sqlite3_stmt *stmt = NULL;

    g_assert_cmpint (sqlite3_prepare_v2 (procura_store_get_sqlite (f->store), "PRAGMA foreign_keys", -1, &stmt, NULL), ==, SQLITE_OK);
    g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
    g_assert_cmpint (sqlite3_column_int (stmt, 0), ==, 1);
    sqlite3_finalize (stmt);
  }

  /* the store still takes writes and pages afterwards */
  {
    g_autofree char *local = add_draft_project (f, "SY-040");
    g_assert_nonnull (local);
  }
  assert_check_passes (f);
  fixture_close (&origin);
}

/* A project leaving the caller's scope goes, with everything under it;
 * pending edits in it move to the conflict list. */
static void
test_pull_revoked (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "结项报告", "2021-12-15");
  g_autofree char *keep = add_draft_project (f, "SY-050");
  g_autoptr(JsonNode) page_node = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  ack_all (f, 100);
  set_text (f, PROCURA_ENTITY_MILESTONE, milestone, "title", "结项报告（修改）");

  json = g_strdup_printf ("[{\"seq\": 300, \"revoked\": {\"entity\": \"project\", \"id\": \"%s\"}}]", project);
  page_node = parse_json (json);
  g_assert_true (apply_page (f, json_node_get_array (page_node), "300", &error));
  g_assert_no_error (error);

  g_assert_cmpint (db_int (f, "SELECT count(*) FROM project WHERE id = '%s'", project), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM milestone WHERE id = '%s'", milestone), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM project WHERE id = '%s'", keep), ==, 1);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM conflict WHERE record_id = '%s' AND kind = 'rejected' "
                              "AND error = 'revoked' AND local_value LIKE '%%结项报告（修改）%%'", milestone), ==, 1);
  /* the history stays */
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM change WHERE record_id = '%s'", milestone), ==, 2);
}

/* ---- (a) conflicts and refusals -------------------------------------- */

/* "conflict": the mutation is acknowledged, the losing server value is
 * listed; keeping the server's writes it back, to be pushed. */
static void
test_conflict_result (Fixture *f)
{
  g_autofree char *project = add_draft_project (f, "SY-060");
  g_autofree char *m = NULL;
  g_autofree char *json = NULL;
  g_autofree char *title = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraConflict *c;

  ack_all (f, 5);
  set_text (f, PROCURA_ENTITY_PROJECT, project, "title", "我的标题");
  m = outbox_mutation (f, 0);
  json = g_strdup_printf ("{\"mutation_id\": \"%s\", \"status\": \"conflict\", \"rev\": 11, \"conflicts\": "
                          "[{\"field\": \"title\", \"kept\": \"yours\", \"server\": {\"value\": \"他的标题\", "
                          "\"rev\": 9, \"by\": \"officer2\"}, \"yours\": {\"value\": \"我的标题\"}}]}", m);
  result_ok (f, json);

  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT rev FROM project WHERE id = '%s'", project), ==, 5);
  conflicts = procura_store_sync_list_conflicts (f->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  c = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (c->kind, ==, "conflict");
  g_assert_cmpstr (c->field, ==, "title");
  g_assert_cmpstr (c->local_value, ==, "我的标题");
  g_assert_cmpstr (c->server_value, ==, "他的标题");
  g_assert_cmpstr (c->server_by, ==, "officer2");
  g_assert_cmpint (c->server_rev, ==, 9);
  g_assert_cmpstr (c->kept, ==, "yours");

  /* keep mine: the server has it already, nothing to send */
  g_assert_true (procura_store_sync_resolve_conflict (f->store, c->id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 0);
  g_assert_false (procura_store_sync_resolve_conflict (f->store, c->id, TRUE, &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_clear_error (&error);

  /* the same again, resolved the other way: the server's value comes back
   * through the write path and is queued */
  set_text (f, PROCURA_ENTITY_PROJECT, project, "title", "我的第二个标题");
  g_free (m);
  m = outbox_mutation (f, 0);
  g_free (json);
  json = g_strdup_printf ("{\"mutation_id\": \"%s\", \"status\": \"conflict\", \"rev\": 14, \"conflicts\": "
                          "[{\"field\": \"title\", \"kept\": \"yours\", \"server\": {\"value\": \"他的第二个标题\", "
                          "\"rev\": 13, \"by\": \"officer2\"}, \"yours\": {\"value\": \"我的第二个标题\"}}]}", m);
  result_ok (f, json);
  g_clear_pointer (&conflicts, g_ptr_array_unref);
  conflicts = procura_store_sync_list_conflicts (f->store, FALSE, &error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  c = g_ptr_array_index (conflicts, 0);
  g_assert_true (procura_store_sync_resolve_conflict (f->store, c->id, FALSE, &error));
  g_assert_no_error (error);
  title = get_text (f, PROCURA_ENTITY_PROJECT, project, "title");
  g_assert_cmpstr (title, ==, "他的第二个标题");
  /* based on the other value's revision, which the person saw */
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE record_id = '%s' AND base_rev = 13 "
                              "AND fields LIKE '%%他的第二个标题%%'", project), ==, 1);
  g_clear_pointer (&conflicts, g_ptr_array_unref);
  conflicts = procura_store_sync_list_conflicts (f->store, TRUE, &error);
  g_assert_cmpuint (conflicts->len, ==, 2);
}

/* A refused strict edit leaves the outbox (the next ones go through), the
 * record shows the server's value, and "keep mine" queues the user's
 * value again. */
static void
test_rejected_kept_visible (Fixture *f)
{
  g_autofree char *project = add_draft_project (f, "SY-069");
  g_autofree char *other = add_draft_project (f, "SY-070");
  g_autofree char *m = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraRecord) record = NULL;
  ProcuraConflict *c;

  {
    g_autoptr(ProcuraRecord) changes = procura_record_new (PROCURA_ENTITY_PROJECT, project);
    procura_record_set_int (changes, "budget", FIXTURE_VALUE);
    update_ok (f, changes);
  }
  ack_all (f, 20);
  {
    g_autoptr(ProcuraRecord) changes = procura_record_new (PROCURA_ENTITY_PROJECT, project);
    procura_record_set_int (changes, "budget", FIXTURE_VALUE + 500000);
    update_ok (f, changes);
  }
  set_text (f, PROCURA_ENTITY_PROJECT, other, "title", "后来的修改");
  m = outbox_mutation (f, 0);
  json = g_strdup_printf ("{\"mutation_id\": \"%s\", \"status\": \"rejected\", \"error\": \"strict_conflict\", "
                          "\"reason\": \"Contract value was changed by officer2\"}", m);
  result_ok (f, json);

  /* the later mutation is first in line now */
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 1);
  record = get_ok (f, PROCURA_ENTITY_PROJECT, project);
  g_assert_cmpint (procura_record_get_int (record, "budget", -1), ==, FIXTURE_VALUE);

  conflicts = procura_store_sync_list_conflicts (f->store, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  c = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (c->kind, ==, "rejected");
  g_assert_cmpstr (c->error, ==, "strict_conflict");
  g_assert_cmpstr (c->field, ==, "budget");
  g_assert_cmpint (g_ascii_strtoll (c->local_value, NULL, 10), ==, FIXTURE_VALUE + 500000);
  g_assert_cmpint (g_ascii_strtoll (c->server_value, NULL, 10), ==, FIXTURE_VALUE);
  g_assert_nonnull (strstr (c->reason, "officer2"));

  g_assert_true (procura_store_sync_resolve_conflict (f->store, c->id, TRUE, &error));
  g_assert_no_error (error);
  g_clear_pointer (&record, procura_record_unref);
  record = get_ok (f, PROCURA_ENTITY_PROJECT, project);
  g_assert_cmpint (procura_record_get_int (record, "budget", -1), ==, FIXTURE_VALUE + 500000);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE record_id = '%s' AND op = 'update'", project), ==, 1);
  assert_check_passes (f);
}

/* A refused insert: the record stays here with its values, listed;
 * keeping it queues the insert again, under a new mutation id. */
static void
test_rejected_insert (Fixture *f)
{
  g_autofree char *org = add_org (f, "被拒绝的机构", "social_work_agency");
  g_autofree char *m = outbox_mutation (f, 0);
  g_autofree char *json = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraConflict *c;

  json = g_strdup_printf ("{\"mutation_id\": \"%s\", \"status\": \"rejected\", \"error\": \"forbidden\", "
                          "\"reason\": \"auditors cannot write\"}", m);
  result_ok (f, json);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM organization WHERE id = '%s' AND deleted = 0", org), ==, 1);

  conflicts = procura_store_sync_list_conflicts (f->store, FALSE, &error);
  g_assert_cmpuint (conflicts->len, ==, 1);
  c = g_ptr_array_index (conflicts, 0);
  g_assert_null (c->field);
  g_assert_cmpstr (c->op, ==, "insert");
  g_assert_nonnull (strstr (c->local_value, "被拒绝的机构"));

  g_assert_true (procura_store_sync_resolve_conflict (f->store, c->id, TRUE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE record_id = '%s' AND op = 'insert' "
                              "AND mutation_id <> '%s'", org, m), ==, 1);
}

/* The server's open conflicts join the local list: the user whose value
 * lost sees it as theirs; the pusher's own conflict is not listed twice. */
static void
test_server_conflicts (Fixture *f)
{
  g_autofree char *project = add_draft_project (f, "SY-100");
  g_autofree char *m = NULL;
  g_autofree char *json = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraConflict *c;

  ack_all (f, 5);
  set_text (f, PROCURA_ENTITY_PROJECT, project, "title", "乙的标题");
  m = outbox_mutation (f, 0);
  json = g_strdup_printf ("{\"mutation_id\": \"%s\", \"status\": \"conflict\", \"rev\": 9, \"conflicts\": "
                          "[{\"field\": \"title\", \"kept\": \"yours\", \"server\": {\"value\": \"甲的标题\", "
                          "\"rev\": 8, \"by\": \"alice\"}, \"yours\": {\"value\": \"乙的标题\"}}]}", m);
  result_ok (f, json);

  g_free (json);
  json = g_strdup_printf ("{\"conflicts\": ["
                          /* bob's own push, answered above */
                          "{\"id\": 31, \"kind\": \"overwritten\", \"entity\": \"project\", \"record_id\": \"%s\", "
                          "\"field\": \"title\", \"mutation_id\": \"%s\", \"status\": \"open\", "
                          "\"server\": {\"value\": \"甲的标题\", \"rev\": 8, \"by\": \"alice\"}, "
                          "\"yours\": {\"value\": \"乙的标题\", \"by\": \"bob\"}},"
                          /* carol overwrote bob's street */
                          "{\"id\": 32, \"kind\": \"overwritten\", \"entity\": \"project\", \"record_id\": \"%s\", "
                          "\"field\": \"street\", \"mutation_id\": \"%s\", \"status\": \"open\", "
                          "\"server\": {\"value\": \"田林街道\", \"rev\": 10, \"by\": \"bob\"}, "
                          "\"yours\": {\"value\": \"长桥街道\", \"rev\": 11, \"by\": \"carol\"}},"
                          "{\"id\": 33, \"kind\": \"overwritten\", \"entity\": \"project\", \"record_id\": \"%s\", "
                          "\"field\": \"community\", \"status\": \"resolved\"}"
                          "]}", project, m, project, "0190a0f2-2222-7000-8000-000000000001", project);
  listed = parse_json (json);

  for (guint round = 0; round < 2; round++)
    {
      g_assert_true (procura_store_sync_merge_server_conflicts (f->store,
                                                                json_object_get_array_member (json_node_get_object (listed),
                                                                                              "conflicts"),
                                                                "bob", &error));
      g_assert_no_error (error);
    }

  conflicts = procura_store_sync_list_conflicts (f->store, FALSE, &error);
  g_assert_cmpuint (conflicts->len, ==, 2);
  c = g_ptr_array_index (conflicts, 0);
  g_assert_cmpstr (c->field, ==, "title");
  g_assert_cmpstr (c->local_value, ==, "乙的标题");
  g_assert_cmpint (db_int (f, "SELECT server_id FROM conflict WHERE id = %" G_GINT64_FORMAT, c->id), ==, 31);
  c = g_ptr_array_index (conflicts, 1);
  g_assert_cmpstr (c->field, ==, "street");
  g_assert_cmpstr (c->local_value, ==, "田林街道");
  g_assert_cmpstr (c->server_value, ==, "长桥街道");
  g_assert_cmpstr (c->server_by, ==, "carol");
  g_assert_cmpstr (c->kept, ==, "server");
}

/* ---- (a) the engine against a scripted server ------------------------- */

/* An in-process SoupServer on 127.0.0.1 that answers pushes and pulls as
 * scripted, and remembers what it was sent. The engine runs in its worker
 * thread (procura_sync_run_async), this one serves on the main loop. */
typedef struct
{
  SoupServer *server;
  char       *url;
  GQueue      push_script;   /* GUINT_TO_POINTER (status) per push, then 200 */
  GQueue      pull_script;   /* char * bodies (or "410") per pull, then an empty page */
  GPtrArray  *keys;          /* Idempotency-Key of each push */
  GPtrArray  *sinces;        /* ?since= of each pull */
  guint       n_push;
  guint       n_pull;
  gint64      rev;
  gint64      last_base_rev; /* of the last mutation pushed */
  gboolean    bad_headers;
} Fake;

static void
fake_reply (SoupServerMessage *msg,
            guint              status,
            const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  if (body != NULL)
    soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
fake_push_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  Fake *fake = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  guint status = 200;
  g_autoptr(JsonNode) request = NULL;
  g_autoptr(JsonArray) results = json_array_new ();
  g_autoptr(JsonObject) answer = json_object_new ();
  g_autoptr(JsonNode) answer_node = NULL;
  g_autofree char *text = NULL;
  JsonArray *mutations;

  fake->n_push++;
  g_ptr_array_add (fake->keys, g_strdup (soup_message_headers_get_one (headers, "Idempotency-Key")));
  if (g_strcmp0 (soup_message_headers_get_one (headers, "Authorization"), "Bearer test-token") != 0 ||
      g_strcmp0 (soup_message_headers_get_one (headers, "Sync-Protocol"), "1") != 0)
    fake->bad_headers = TRUE;

  if (!g_queue_is_empty (&fake->push_script))
    status = GPOINTER_TO_UINT (g_queue_pop_head (&fake->push_script));
  switch (status)
    {
    case 200:
      break;
    case 429:
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", "1");
      fake_reply (msg, 429, "{\"error\": \"too_many_attempts\", \"reason\": \"slow down\"}");
      return;
    case 409:
      fake_reply (msg, 409, "{\"error\": \"key_in_flight\", \"reason\": \"still working on it\"}");
      return;
    case 401:
      fake_reply (msg, 401, "{\"error\": \"unauthorized\", \"reason\": \"token expired\"}");
      return;
    case 422:
      fake_reply (msg, 422, "{\"error\": \"key_reused\", \"reason\": \"another body\"}");
      return;
    default:
      fake_reply (msg, status, "{\"error\": \"internal\", \"reason\": \"scripted\"}");
      return;
    }

  request = parse_json (body->data);
  mutations = json_object_get_array_member (json_node_get_object (request), "mutations");
  for (guint i = 0; i < json_array_get_length (mutations); i++)
    {
      JsonObject *result = json_object_new ();

      json_object_set_string_member (result, "mutation_id",
                                     json_object_get_string_member (json_array_get_object_element (mutations, i),
                                                                    "mutation_id"));
      json_object_set_string_member (result, "status", "applied");
      json_object_set_int_member (result, "rev", ++fake->rev);
      fake->last_base_rev = json_object_get_int_member (json_array_get_object_element (mutations, i), "base_rev");
      json_array_add_object_element (results, result);
    }
  json_object_set_array_member (answer, "results", json_array_ref (results));
  answer_node = json_node_init_object (json_node_alloc (), answer);
  text = json_to_string (answer_node, FALSE);
  fake_reply (msg, 200, text);
}

static void
fake_changes_cb (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Fake *fake = user_data;
  g_autofree char *body = NULL;

  fake->n_pull++;
  g_ptr_array_add (fake->sinces, g_strdup (query != NULL ? g_hash_table_lookup (query, "since") : NULL));
  body = g_queue_pop_head (&fake->pull_script);
  if (g_strcmp0 (body, "410") == 0)
    fake_reply (msg, 410, "{\"error\": \"cursor_expired\", \"reason\": \"too old\"}");
  else
    fake_reply (msg, 200, body != NULL ? body : "{\"changes\": [], \"next\": \"7\", \"has_more\": false}");
}

static Fake *
fake_new (void)
{
  Fake *fake = g_new0 (Fake, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_queue_init (&fake->push_script);
  g_queue_init (&fake->pull_script);
  fake->keys = g_ptr_array_new_with_free_func (g_free);
  fake->sinces = g_ptr_array_new_with_free_func (g_free);
  fake->rev = 100;
  fake->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fake->server, "/v1/push", fake_push_cb, fake, NULL);
  soup_server_add_handler (fake->server, "/v1/changes", fake_changes_cb, fake, NULL);
  g_assert_true (soup_server_listen_local (fake->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fake->server);
  fake->url = g_uri_to_string (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return fake;
}

static void
fake_free (Fake *fake)
{
  soup_server_disconnect (fake->server);
  g_clear_object (&fake->server);
  g_queue_clear (&fake->push_script);
  g_queue_clear_full (&fake->pull_script, g_free);
  g_ptr_array_unref (fake->keys);
  g_ptr_array_unref (fake->sinces);
  g_free (fake->url);
  g_free (fake);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fake, fake_free)

typedef struct
{
  GMainLoop         *loop;
  gboolean           ok;
  GError            *error;
  ProcuraSyncReport  report;
} RunWait;

static void
run_done_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  RunWait *wait = user_data;

  wait->ok = procura_sync_run_finish (PROCURA_SYNC (source), result, &wait->report, &wait->error);
  g_main_loop_quit (wait->loop);
}

/* One run in the worker thread while the fake serves here. */
static gboolean
run_against (Fixture            *f,
             const char         *url,
             ProcuraSyncReport  *report,
             GError            **error)
{
  g_autoptr(ProcuraSync) sync = procura_sync_new (f->dir, url, "test-token");
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  RunWait wait = { loop, FALSE, NULL, { 0, } };

  g_object_set (sync, "backoff-base", 10, "backoff-cap", 200, "max-attempts", 4, NULL);
  procura_sync_run_async (sync, NULL, run_done_cb, &wait);
  g_main_loop_run (loop);
  *report = wait.report;
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);

  return wait.ok;
}

static void
count_attempts (const char     *domain,
                GLogLevelFlags  level,
                const char     *message,
                gpointer        user_data)
{
  if (strstr (message, ": attempt ") != NULL)
    (*(guint *) user_data)++;
}

/* No server at the address at all: a few quick tries, then the run ends
 * as unavailable (the app says "offline" within seconds, not minutes);
 * the next run tries again. */
static void
test_engine_unreachable (Fixture *f)
{
  g_autoptr(ProcuraSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetSocketAddress) bound = NULL;
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new_from_string ("127.0.0.1", 0);
  g_autofree char *url = NULL;
  ProcuraSyncReport report = { 0 };
  guint n_attempts = 0;
  guint handler;

  /* a port nobody listens on: bound, never listening, so connects are refused */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, TRUE, &error));
  bound = G_INET_SOCKET_ADDRESS (g_socket_get_local_address (socket, &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", g_inet_socket_address_get_port (bound));

  sync = procura_sync_new (f->dir, url, "test-token");
  g_object_set (sync, "backoff-base", 1, "backoff-cap", 2, "max-attempts", 8, NULL);
  handler = g_log_set_handler ("procura-core", G_LOG_LEVEL_DEBUG, count_attempts, &n_attempts);
  g_assert_false (procura_sync_run (sync, f->store, &report, NULL, &error));
  g_log_remove_handler ("procura-core", handler);
  g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAVAILABLE);
  g_assert_cmpuint (n_attempts, ==, 4);
}

/* 503, 429 (Retry-After) and 409 key_in_flight are retried under the same
 * Idempotency-Key; the batch then applies, and the pull stores its cursor. */
static void
test_engine_retries (Fixture *f)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autofree char *project = add_draft_project (f, "SY-080");
  g_autofree char *cursor = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraSyncReport report;
  gint64 start;

  set_text (f, PROCURA_ENTITY_PROJECT, project, "title", "重试之后");
  g_queue_push_tail (&fake->push_script, GUINT_TO_POINTER (503));
  g_queue_push_tail (&fake->push_script, GUINT_TO_POINTER (429));
  g_queue_push_tail (&fake->push_script, GUINT_TO_POINTER (409));

  start = g_get_monotonic_time ();
  g_assert_true (run_against (f, fake->url, &report, &error));
  g_assert_no_error (error);
  /* Retry-After: 1 is honoured within the cap (200 ms) */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);

  /* the insert and the edit of the same record in one batch, tried four
   * times under one key */
  g_assert_cmpuint (fake->n_push, ==, 4);
  g_assert_false (fake->bad_headers);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_true (g_uuid_string_is_valid (g_ptr_array_index (fake->keys, i)));
      g_assert_cmpstr (g_ptr_array_index (fake->keys, i), ==, g_ptr_array_index (fake->keys, 0));
    }
  g_assert_cmpint (fake->last_base_rev, ==, 0);
  g_assert_cmpuint (report.pushed, ==, 2);
  g_assert_cmpuint (report.applied, ==, 2);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 0);
  /* the answers' revs are for the pull to bring, not for the ack */
  g_assert_cmpint (db_int (f, "SELECT rev FROM project WHERE id = '%s'", project), ==, 0);
  g_assert_cmpuint (fake->n_pull, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (fake->sinces, 0), ==, "0");
  cursor = state (f, PROCURA_SYNC_STATE_CURSOR);
  g_assert_cmpstr (cursor, ==, "7");
}

/* The blob endpoints of the scripted server: the first chunk is kept but
 * answered 503 (its answer lost), the second answered 409 with nothing
 * kept; everything after that is taken. */
typedef struct
{
  GByteArray *received;
  char       *sha256;
  guint       n_missing;
  guint       n_begin;
  guint       n_patch;
  guint       n_head;
  gboolean    bad_offset;  /* a chunk sent from anywhere but the server's offset, unprompted */
} UploadFake;

static void
upload_fake_offset (SoupServerMessage *msg,
                    UploadFake        *up)
{
  g_autofree char *have = g_strdup_printf ("%u", up->received->len);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Upload-Offset", have);
}

static void
upload_fake_cb (SoupServer        *server,
                SoupServerMessage *msg,
                const char        *path,
                GHashTable        *query,
                gpointer           user_data)
{
  UploadFake *up = user_data;
  const char *method = soup_server_message_get_method (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  guint64 offset;

  if (strcmp (path, "/v1/blobs/missing") == 0)
    {
      g_autofree char *answer = g_strdup_printf ("{\"missing\": [\"%s\"]}", up->sha256);

      up->n_missing++;
      fake_reply (msg, 200, answer);
      return;
    }
  if (strcmp (path, "/v1/uploads") == 0)
    {
      up->n_begin++;
      fake_reply (msg, 201, "{\"id\": \"up1\", \"offset\": 0}");
      return;
    }
  if (strcmp (method, "HEAD") == 0)
    {
      up->n_head++;
      upload_fake_offset (msg, up);
      soup_server_message_set_status (msg, 200, NULL);
      return;
    }

  up->n_patch++;
  offset = g_ascii_strtoull (soup_message_headers_get_one (headers, "Upload-Offset"), NULL, 10);
  if (offset != up->received->len || up->n_patch == 2)
    {
      if (up->n_patch != 2)
        up->bad_offset = TRUE;
      upload_fake_offset (msg, up);
      fake_reply (msg, 409, "{\"error\": \"offset_mismatch\", \"reason\": \"scripted\"}");
      return;
    }
  g_byte_array_append (up->received, (const guint8 *) body->data, body->length);
  if (up->n_patch == 1)
    {
      fake_reply (msg, 503, "{\"error\": \"internal\", \"reason\": \"answer lost\"}");
      return;
    }
  upload_fake_offset (msg, up);
  soup_server_message_set_status (msg, 204, NULL);
}

/* An attachment's file goes up before its record, in chunks; a chunk
 * whose answer is lost or refused with 409 is not resent blindly: HEAD
 * says where to go on. */
static void
test_engine_upload_resumes (Fixture *f)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autofree char *project = add_draft_project (f, "SY-090");
  g_autofree char *blobs = g_build_filename (f->dir, "blobs", NULL);
  g_autoptr(ProcuraRecord) attachment = procura_record_new (PROCURA_ENTITY_ATTACHMENT, NULL);
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  UploadFake up = { 0 };
  ProcuraSyncReport report;
  gsize size = 9 * 1024 * 1024 + 100;
  guint8 *data = g_malloc (size);

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) (i * 7 + (i >> 12));
  content = g_bytes_new_take (data, size);
  up.received = g_byte_array_new ();
  up.sha256 = procura_blobs_import_bytes (blobs, content, &error);
  g_assert_no_error (error);

  procura_record_set_string (attachment, "project_id", project);
  procura_record_set_string (attachment, "name", "合同.pdf");
  procura_record_set_string (attachment, "mime_type", "application/pdf");
  procura_record_set_int (attachment, "size", (gint64) size);
  procura_record_set_string (attachment, "sha256", up.sha256);
  id = insert_ok (f, attachment);

  soup_server_add_handler (fake->server, "/v1/blobs", upload_fake_cb, &up, NULL);
  soup_server_add_handler (fake->server, "/v1/uploads", upload_fake_cb, &up, NULL);

  g_assert_true (run_against (f, fake->url, &report, &error));
  g_assert_no_error (error);

  /* 4 MiB chunks: 0–4 (kept, 503), HEAD → 4, 4–8 (409), HEAD → 4,
   * 4–8, 8–9 */
  g_assert_cmpuint (up.n_missing, ==, 1);
  g_assert_cmpuint (up.n_begin, ==, 1);
  g_assert_cmpuint (up.n_patch, ==, 4);
  g_assert_cmpuint (up.n_head, ==, 2);
  g_assert_false (up.bad_offset);
  g_assert_cmpmem (up.received->data, up.received->len, g_bytes_get_data (content, NULL), size);
  g_assert_cmpuint (report.blobs_uploaded, ==, 1);
  /* then the records */
  g_assert_cmpuint (report.pushed, ==, 2);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 0);

  soup_server_remove_handler (fake->server, "/v1/blobs");
  soup_server_remove_handler (fake->server, "/v1/uploads");
  g_byte_array_unref (up.received);
  g_free (up.sha256);
}

/* 401 and 422 are answers, not accidents: no retry, the outbox stays. */
static void
test_engine_no_retry (Fixture *f)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autofree char *project = add_draft_project (f, "SY-090");
  g_autoptr(GError) error = NULL;
  ProcuraSyncReport report;

  g_queue_push_tail (&fake->push_script, GUINT_TO_POINTER (401));
  g_assert_false (run_against (f, fake->url, &report, &error));
  g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAUTHORIZED);
  g_assert_nonnull (strstr (error->message, "log in again"));
  g_clear_error (&error);
  g_assert_cmpuint (fake->n_push, ==, 1);
  g_assert_cmpuint (fake->n_pull, ==, 0);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 1);

  g_queue_push_tail (&fake->push_script, GUINT_TO_POINTER (422));
  g_assert_false (run_against (f, fake->url, &report, &error));
  g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_REFUSED);
  g_clear_error (&error);
  g_assert_cmpuint (fake->n_push, ==, 2);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 1);

  /* 5xx every time: retried max-attempts times, then given up */
  for (guint i = 0; i < 4; i++)
    g_queue_push_tail (&fake->push_script, GUINT_TO_POINTER (500));
  g_assert_false (run_against (f, fake->url, &report, &error));
  g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_cmpuint (fake->n_push, ==, 6);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 1);

  /* nobody listening */
  {
    g_autofree char *closed = NULL;
    g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
    g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
    g_autoptr(GSocketAddress) bound = NULL;

    g_assert_no_error (error);
    g_assert_true (g_socket_bind (socket, any, FALSE, &error));
    bound = g_socket_get_local_address (socket, &error);
    g_assert_no_error (error);
    closed = g_strdup_printf ("http://127.0.0.1:%u/", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    g_assert_false (run_against (f, closed, &report, &error));
    g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAVAILABLE);
    g_test_message ("%s", error->message);
  }
  (void) project;
}

/* 413: the batch is halved until the server takes it. */
static void
test_engine_too_large (Fixture *f)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GError) error = NULL;
  ProcuraSyncReport report;

  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *code = g_strdup_printf ("SY-11%u", i);
      g_free (add_draft_project (f, code));
    }
  g_queue_push_tail (&fake->push_script, GUINT_TO_POINTER (413));

  g_assert_true (run_against (f, fake->url, &report, &error));
  g_assert_no_error (error);
  /* 3 refused, then 1 and 1 (half of 3), then the last one */
  g_assert_cmpuint (fake->n_push, ==, 4);
  g_assert_cmpuint (report.pushed, ==, 3);
  g_assert_cmpint (procura_store_sync_count_outbox (f->store, NULL), ==, 0);
}

/* Pages follow the cursor while has_more; an expired cursor (410) starts
 * the pull over from the beginning, once. */
static void
test_engine_pull_pages (Fixture *f)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  ProcuraSyncReport report;

  g_assert_true (procura_store_sync_set_state (f->store, PROCURA_SYNC_STATE_CURSOR, "old", &error));
  g_queue_push_tail (&fake->pull_script, g_strdup ("410"));
  g_queue_push_tail (&fake->pull_script, g_strdup ("{\"changes\": [], \"next\": \"a b\", \"has_more\": true}"));
  g_queue_push_tail (&fake->pull_script, g_strdup ("{\"changes\": [], \"next\": 12, \"has_more\": false}"));

  g_assert_true (run_against (f, fake->url, &report, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fake->n_pull, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (fake->sinces, 0), ==, "old");
  g_assert_cmpstr (g_ptr_array_index (fake->sinces, 1), ==, "0");
  g_assert_cmpstr (g_ptr_array_index (fake->sinces, 2), ==, "a b");
  cursor = state (f, PROCURA_SYNC_STATE_CURSOR);
  g_assert_cmpstr (cursor, ==, "12");
}

/* Later pages are fetched ahead while a page is written: a bad page
 * fails the run with the cursor at the last page written, whatever the
 * fetcher got after it. */
static void
test_engine_pull_stops_at_bad_page (Fixture *f)
{
  g_autoptr(Fake) fake = fake_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *cursor = NULL;
  ProcuraSyncReport report;

  g_queue_push_tail (&fake->pull_script, g_strdup ("{\"changes\": [], \"next\": \"p1\", \"has_more\": true}"));
  g_queue_push_tail (&fake->pull_script, g_strdup ("{\"changes\": [], \"next\": \"p2\", \"has_more\": true}"));
  g_queue_push_tail (&fake->pull_script, g_strdup ("{\"changes\": [{\"seq\": 3}], \"next\": \"p3\", \"has_more\": true}"));
  g_queue_push_tail (&fake->pull_script, g_strdup ("{\"changes\": [], \"next\": \"p4\", \"has_more\": true}"));
  g_queue_push_tail (&fake->pull_script, g_strdup ("{\"changes\": [], \"next\": \"p5\", \"has_more\": false}"));

  g_assert_false (run_against (f, fake->url, &report, &error));
  g_assert_nonnull (error);
  g_test_message ("%s", error->message);
  cursor = state (f, PROCURA_SYNC_STATE_CURSOR);
  g_assert_cmpstr (cursor, ==, "p2");
  g_assert_cmpstr (g_ptr_array_index (fake->sinces, 0), ==, "0");
  g_assert_cmpstr (g_ptr_array_index (fake->sinces, 1), ==, "p1");
  g_assert_cmpstr (g_ptr_array_index (fake->sinces, 2), ==, "p2");
  g_assert_cmpuint (fake->n_pull, <=, 5);
}

/* The token file: 0600, no password, gone after remove. */
static void
test_account_file (Fixture *f)
{
  ProcuraAccount account = { (char *) "http://127.0.0.1:1/", (char *) "alice", (char *) "officer", NULL,
                             (char *) "0123abcd", (char *) "2026-12-27T08:00:00Z" };
  g_autoptr(ProcuraAccount) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (f->dir, "account.json", NULL);
  g_autofree char *text = NULL;
  GStatBuf st;

  loaded = procura_account_load (f->dir, &error);
  g_assert_null (loaded);
  g_assert_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN);
  g_clear_error (&error);

  g_assert_true (procura_account_save (f->dir, &account, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "password"));

  loaded = procura_account_load (f->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (loaded->token, ==, "0123abcd");
  g_assert_cmpstr (loaded->role, ==, "officer");
  g_assert_null (loaded->organization);

  g_assert_true (procura_account_remove (f->dir, &error));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  g_assert_true (procura_account_remove (f->dir, &error));
  g_assert_no_error (error);
}

/* ---- (b) end to end against procura-server ----------------------------- */

typedef struct
{
  char              *dir;          /* everything below is in here */
  char              *server_path;
  char              *cli_path;
  char             **cli_env;
  ProcuraTestServer *server;       /* on dir/server */
} E2E;

static void
e2e_free (E2E *e)
{
  /* the server goes before the directory it writes to */
  g_clear_pointer (&e->server, procura_test_server_free);
  if (e->dir != NULL)
    procura_test_remove_tree (e->dir);
  g_free (e->dir);
  g_free (e->server_path);
  g_free (e->cli_path);
  g_strfreev (e->cli_env);
  g_free (e);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (E2E, e2e_free)

/* Starts procura-server on a free port with officer accounts alice and
 * bob; NULL (the test skipped) without a server binary. */
static E2E *
e2e_start (void)
{
  g_autoptr(E2E) e = g_new0 (E2E, 1);
  g_autofree char *server_dir = NULL;
  const char *server = NULL;
  const char *cli = NULL;

  if (!procura_test_find_sync_binaries (&server, &cli))
    return NULL;
  e->cli_env = procura_test_cli_environ ();
  e->server_path = g_strdup (server);
  e->cli_path = g_strdup (cli);
  e->dir = procura_test_make_tmp_dir ("procura-test-sync-XXXXXX");
  server_dir = g_build_filename (e->dir, "server", NULL);
  g_assert_cmpint (g_mkdir_with_parents (server_dir, 0700), ==, 0);

  procura_test_server_add_user (server, server_dir, "alice", "officer", NULL, "correct horse battery");
  procura_test_server_add_user (server, server_dir, "bob", "officer", NULL, "correct horse battery");
  procura_test_server_add_user (server, server_dir, "carol", "auditor", NULL, "correct horse battery");

  e->server = procura_test_server_start (server, server_dir);
  g_assert_nonnull (e->server);
  g_test_message ("server: listening on %s", e->server->url);

  return g_steal_pointer (&e);
}

/* procura-cli with the data directory of client name; stdout returned. */
static int
cli (E2E         *e,
     const char  *client,
     const char  *input,
     char       **out,
     char       **err,
     const char  *first,
     ...) G_GNUC_NULL_TERMINATED;

static int
cli (E2E         *e,
     const char  *client,
     const char  *input,
     char       **out,
     char       **err,
     const char  *first,
     ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) env = g_strdupv (e->cli_env);
  va_list va;

  g_ptr_array_add (args, g_strdup (e->cli_path));
  va_start (va, first);
  for (const char *arg = first; arg != NULL; arg = va_arg (va, const char *))
    g_ptr_array_add (args, g_strdup (arg));
  va_end (va);
  g_ptr_array_add (args, g_strdup ("--data-dir"));
  g_ptr_array_add (args, g_build_filename (e->dir, client, NULL));
  g_ptr_array_add (args, g_strdup ("--actor"));
  g_ptr_array_add (args, g_strdup (client));
  g_ptr_array_add (args, NULL);

  env = g_environ_setenv (env, "PROCURA_SYNC_BACKOFF_MS", "20", TRUE);

  return procura_test_run (env, input, out, err, (const char * const *) args->pdata);
}

static char *
cli_ok (E2E        *e,
        const char *client,
        const char *first,
        ...) G_GNUC_NULL_TERMINATED;

/* Up to 8 arguments, asserting exit 0; returns stdout. */
static char *
cli_ok (E2E        *e,
        const char *client,
        const char *first,
        ...)
{
  const char *a[9] = { first, };
  char *out = NULL;
  va_list va;
  guint n = 1;

  va_start (va, first);
  while (n < 8 && (a[n] = va_arg (va, const char *)) != NULL)
    n++;
  va_end (va);
  a[n] = NULL;

  g_assert_cmpint (cli (e, client, NULL, &out, NULL, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], NULL), ==, 0);
  return out;
}

static void
login (E2E        *e,
       const char *client,
       const char *user)
{
  g_autofree char *out = NULL;
  g_autofree char *account = g_build_filename (e->dir, client, "account.json", NULL);
  GStatBuf st;

  g_assert_cmpint (cli (e, client, "correct horse battery\n", &out, NULL,
                        "login", "--server", e->server->url, "--user", user, NULL), ==, 0);
  g_assert_nonnull (strstr (out, user));
  g_assert_cmpint (g_stat (account, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
}

/* The id a --json add printed. */
static char *
added_id (const char *json)
{
  g_autoptr(JsonNode) node = parse_json (json);

  return g_strdup (json_object_get_string_member (json_node_get_object (node), "id"));
}

static char *
field_of (E2E        *e,
          const char *client,
          const char *id,
          const char *field)
{
  g_autofree char *db = g_build_filename (e->dir, client, PROCURA_STORE_DB_NAME, NULL);
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM project WHERE id = '%s'", field, id);
  sqlite3 *handle = NULL;
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  g_assert_cmpint (sqlite3_open_v2 (db, &handle, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (handle, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (handle);

  return value;
}

static gint64
client_int (E2E        *e,
            const char *client,
            const char *sql)
{
  g_autofree char *db = g_build_filename (e->dir, client, PROCURA_STORE_DB_NAME, NULL);

  return db_query_int (db, sql);
}

/* The first column of the first row, as text (NULL: no row). */
static char *
client_text (E2E        *e,
             const char *client,
             const char *sql)
{
  g_autofree char *path = g_build_filename (e->dir, client, PROCURA_STORE_DB_NAME, NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *text = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_text (stmt, 0) != NULL)
    text = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);

  return text;
}

static void
client_exec (E2E        *e,
             const char *client,
             const char *sql)
{
  g_autofree char *path = g_build_filename (e->dir, client, PROCURA_STORE_DB_NAME, NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/* Whether the server answers GET /v1/conflicts (PROTOCOL.md names it; the
 * server may not have it yet). */
static gboolean
server_lists_conflicts (E2E        *e,
                        const char *client)
{
  g_autoptr(ProcuraAccount) account = NULL;
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_build_filename (e->dir, client, NULL);
  g_autofree char *url = NULL;
  g_autofree char *bearer = NULL;

  account = procura_account_load (dir, &error);
  g_assert_no_error (error);
  url = g_strconcat (e->server->url, g_str_has_suffix (e->server->url, "/") ? "" : "/", "v1/conflicts", NULL);
  msg = soup_message_new ("GET", url);
  bearer = g_strconcat ("Bearer ", account->token, NULL);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", bearer);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Sync-Protocol", "1");
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);

  return soup_message_get_status (msg) == 200;
}

static void
test_e2e_round_trip (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *org = NULL;
  g_autofree char *project = NULL;
  g_autofree char *title = NULL;
  g_autofree char *street = NULL;
  g_autofree char *community = NULL;

  if (e == NULL)
    return;

  /* not logged in: one clear line, exit 1 */
  g_free (cli_ok (e, "a", "init", NULL));
  g_assert_cmpint (cli (e, "a", NULL, NULL, &err, "sync", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "login"));
  g_clear_pointer (&err, g_free);

  /* a wrong password */
  g_assert_cmpint (cli (e, "a", "wrong\n", NULL, &err, "login", "--server", e->server->url, "--user", "alice", NULL), ==, 1);
  g_clear_pointer (&err, g_free);

  login (e, "a", "alice");
  login (e, "b", "bob");

  out = cli_ok (e, "a", "add", "organization", "name=阳光社工服务中心", "uscc=52310104501234569J",
                "kind=social_work_agency", "--json", NULL);
  org = added_id (out);
  g_clear_pointer (&out, g_free);
  out = cli_ok (e, "a", "add", "project", "code=XH-2026-001", "title=社区养老服务",
                "category=elderly", "method=competitive_consultation", "--json", NULL);
  project = added_id (out);
  g_clear_pointer (&out, g_free);

  out = cli_ok (e, "a", "sync", NULL);
  g_assert_nonnull (strstr (out, "pushed 2 (2 applied, 0 conflicts, 0 rejected)"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (client_int (e, "a", "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (client_int (e, "a", "SELECT min(rev) FROM project"), >, 0);

  out = cli_ok (e, "b", "sync", NULL);
  g_assert_nonnull (strstr (out, "pushed 0"));
  g_clear_pointer (&out, g_free);

  /* made and changed before any sync, strict field included: each edit is
   * sent on top of the one before, none taken for someone else's */
  {
    g_autofree char *second = NULL;

    out = cli_ok (e, "b", "add", "project", "code=XH-2026-009", "title=草稿",
                  "category=elderly", "method=competitive_consultation", "--json", NULL);
    second = added_id (out);
    g_clear_pointer (&out, g_free);
    g_free (cli_ok (e, "b", "set", second, "title=助老服务", NULL));
    g_free (cli_ok (e, "b", "set", second, "budget=90000", NULL));
    out = cli_ok (e, "b", "sync", NULL);
    g_assert_nonnull (strstr (out, "pushed 3 (3 applied, 0 conflicts, 0 rejected)"));
    g_clear_pointer (&out, g_free);
  }

  title = field_of (e, "b", project, "title");
  g_assert_cmpstr (title, ==, "社区养老服务");
  g_assert_cmpint (client_int (e, "b", "SELECT count(*) FROM outbox"), ==, 0);

  /* offline edits of different fields merge */
  g_free (cli_ok (e, "a", "set", project, "street=田林街道", NULL));
  g_free (cli_ok (e, "b", "set", project, "community=长桥社区", NULL));
  g_free (cli_ok (e, "a", "sync", NULL));
  out = cli_ok (e, "b", "sync", NULL);
  g_assert_nonnull (strstr (out, "pushed 1 (1 applied, 0 conflicts, 0 rejected)"));
  g_clear_pointer (&out, g_free);
  g_free (cli_ok (e, "a", "sync", NULL));
  street = field_of (e, "a", project, "street");
  community = field_of (e, "a", project, "community");
  g_assert_cmpstr (street, ==, "田林街道");
  g_assert_cmpstr (community, ==, "长桥社区");
  g_free (street);
  g_free (community);
  street = field_of (e, "b", project, "street");
  community = field_of (e, "b", project, "community");
  g_assert_cmpstr (street, ==, "田林街道");
  g_assert_cmpstr (community, ==, "长桥社区");

  /* the same ordinary field: the later push wins, the other value is a
   * listed conflict */
  g_free (cli_ok (e, "a", "set", project, "title=甲的标题", NULL));
  g_free (cli_ok (e, "b", "set", project, "title=乙的标题", NULL));
  g_free (cli_ok (e, "a", "sync", NULL));
  out = cli_ok (e, "b", "sync", NULL);
  g_assert_nonnull (strstr (out, "1 conflicts"));
  g_clear_pointer (&out, g_free);
  out = cli_ok (e, "b", "conflicts", NULL);
  g_assert_nonnull (strstr (out, "甲的标题"));
  g_assert_nonnull (strstr (out, "乙的标题"));
  g_assert_nonnull (strstr (out, "alice"));
  g_clear_pointer (&out, g_free);
  g_free (cli_ok (e, "a", "sync", NULL));
  g_free (title);
  title = field_of (e, "a", project, "title");
  g_assert_cmpstr (title, ==, "乙的标题");
  /* alice's value lost: she sees it too, from the server's list */
  if (server_lists_conflicts (e, "a"))
    {
      out = cli_ok (e, "a", "conflicts", NULL);
      g_assert_nonnull (strstr (out, "yours: 甲的标题\tserver: 乙的标题\tby: bob"));
      g_clear_pointer (&out, g_free);
    }
  else
    g_test_message ("the server has no GET /v1/conflicts yet: the losing side's list is not checked");

  /* a strict field: refused, and the refused value stays listed */
  g_free (cli_ok (e, "a", "set", project, "budget=120000", NULL));
  g_free (cli_ok (e, "b", "set", project, "budget=130000", NULL));
  g_free (cli_ok (e, "a", "sync", NULL));
  out = cli_ok (e, "b", "sync", NULL);
  g_assert_nonnull (strstr (out, "1 rejected"));
  g_clear_pointer (&out, g_free);
  out = cli_ok (e, "b", "conflicts", NULL);
  g_assert_nonnull (strstr (out, "strict_conflict"));
  /* money as people read it, the field by its label */
  g_assert_nonnull (strstr (out, "yours: ¥130,000.00\tserver: ¥120,000.00\tby: alice"));
  g_assert_nonnull (strstr (out, procura_field_get_label (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "budget"))));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (client_int (e, "b", "SELECT count(*) FROM outbox"), ==, 0);
  g_free (title);
  title = field_of (e, "b", project, "budget");
  g_assert_cmpstr (title, ==, "12000000");

  /* bob keeps his value after all: it goes through the write path, is
   * pushed on top of alice's, and reaches her */
  {
    g_autoptr(JsonNode) listed = NULL;
    JsonArray *conflicts;
    g_autofree char *id = NULL;

    out = cli_ok (e, "b", "conflicts", "--json", NULL);
    listed = parse_json (out);
    g_clear_pointer (&out, g_free);
    conflicts = json_node_get_array (listed);
    for (guint i = 0; i < json_array_get_length (conflicts); i++)
      {
        JsonObject *c = json_array_get_object_element (conflicts, i);

        if (g_strcmp0 (json_object_get_string_member (c, "field"), "budget") == 0)
          id = g_strdup_printf ("%" G_GINT64_FORMAT, json_object_get_int_member (c, "id"));
      }
    g_assert_nonnull (id);
    g_assert_cmpint (cli (e, "b", NULL, NULL, &err, "conflicts", "resolve", id, "--keep", "both", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "--keep"));
    g_clear_pointer (&err, g_free);
    g_free (cli_ok (e, "b", "conflicts", "resolve", id, "--keep", "mine", NULL));
    out = cli_ok (e, "b", "sync", NULL);
    g_assert_nonnull (strstr (out, "pushed 1 (1 applied, 0 conflicts, 0 rejected)"));
    g_clear_pointer (&out, g_free);
    g_free (cli_ok (e, "a", "sync", NULL));
    g_free (title);
    title = field_of (e, "a", project, "budget");
    g_assert_cmpstr (title, ==, "13000000");
    out = cli_ok (e, "b", "conflicts", NULL);
    g_assert_null (strstr (out, procura_field_get_label (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "budget"))));
    g_clear_pointer (&out, g_free);
  }

  /* logging out removes the token, and the server revokes it */
  {
    g_autofree char *account = g_build_filename (e->dir, "b", "account.json", NULL);
    g_autofree char *saved = NULL;
    gsize length = 0;

    g_assert_true (g_file_get_contents (account, &saved, &length, NULL));
    g_free (cli_ok (e, "b", "logout", NULL));
    g_assert_false (g_file_test (account, G_FILE_TEST_EXISTS));

    /* a revoked token: exit 1, one line saying to log in again */
    g_assert_true (g_file_set_contents (account, saved, length, NULL));
    g_assert_cmpint (cli (e, "b", NULL, NULL, &err, "sync", NULL), ==, 1);
    g_assert_nonnull (strstr (err, "log in again"));
    g_assert_null (strchr (strchr (err, '\n') + 1, '\n'));
    g_clear_pointer (&err, g_free);
  }
  (void) org;
}

/* A push whose answer was lost is sent again: the server answers from the
 * mutation ids, nothing is applied twice. */
static void
test_e2e_replay (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autofree char *out = NULL;
  g_autofree char *project = NULL;
  g_autofree char *db = NULL;
  g_autofree char *saved = NULL;
  sqlite3 *handle = NULL;

  if (e == NULL)
    return;

  login (e, "a", "alice");
  login (e, "b", "bob");
  out = cli_ok (e, "a", "add", "project", "code=XH-2026-002", "title=助残服务",
                "category=elderly", "method=competitive_consultation", "--json", NULL);
  project = added_id (out);
  g_clear_pointer (&out, g_free);
  g_free (cli_ok (e, "a", "set", project, "street=漕河泾街道", NULL));

  /* keep a copy of the outbox, sync, then put it back: the answers are
   * "lost" */
  db = g_build_filename (e->dir, "a", PROCURA_STORE_DB_NAME, NULL);
  g_assert_cmpint (sqlite3_open_v2 (db, &handle, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, "CREATE TABLE saved_outbox AS SELECT * FROM outbox", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (handle);

  out = cli_ok (e, "a", "sync", NULL);
  g_assert_nonnull (strstr (out, "pushed 2 (2 applied"));
  g_clear_pointer (&out, g_free);

  g_assert_cmpint (sqlite3_open_v2 (db, &handle, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, "INSERT INTO outbox SELECT * FROM saved_outbox",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (handle);

  out = cli_ok (e, "a", "sync", NULL);
  g_assert_nonnull (strstr (out, "pushed 2 (2 applied, 0 conflicts, 0 rejected)"));
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (client_int (e, "a", "SELECT count(*) FROM outbox"), ==, 0);
  /* the first run's pull gave the record its rev; the replay keeps it */
  g_assert_cmpint (client_int (e, "a", "SELECT min(rev) FROM project"), >, 0);

  /* the other client sees one project, changed once */
  g_free (cli_ok (e, "b", "sync", NULL));
  g_assert_cmpint (client_int (e, "b", "SELECT count(*) FROM project"), ==, 1);
  saved = field_of (e, "b", project, "street");
  g_assert_cmpstr (saved, ==, "漕河泾街道");
}

/* A ledger kept offline, pushed whole: the demo creates records, walks
 * them through their states (whose cascades change milestones and
 * tranches, here and on the server) and then edits them again. Such a
 * device's own earlier writes are never someone else's change: every
 * mutation applies, none is a conflict, and B pulls the same ledger. */
static void
test_e2e_offline_ledger (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autofree char *out = NULL;
  g_autofree char *pushed = NULL;
  gint64 n_outbox;

  if (e == NULL)
    return;

  g_free (cli_ok (e, "a", "demo", "--projects", "6", "--seed", "3", NULL));
  n_outbox = client_int (e, "a", "SELECT count(*) FROM outbox");
  g_assert_cmpint (n_outbox, >, 100);
  login (e, "a", "alice");
  login (e, "b", "bob");

  out = cli_ok (e, "a", "sync", NULL);
  pushed = g_strdup_printf ("pushed %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " applied, 0 conflicts, 0 rejected)",
                            n_outbox, n_outbox);
  g_assert_nonnull (strstr (out, pushed));
  g_assert_cmpint (client_int (e, "a", "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (client_int (e, "a", "SELECT count(*) FROM conflict"), ==, 0);

  g_free (cli_ok (e, "b", "sync", NULL));
  for (guint i = 0; i < 3; i++)
    {
      static const char * const checks[] = {
        "SELECT count(*) FROM milestone WHERE deleted = 0",
        "SELECT count(*) FROM milestone WHERE status = 'accepted' AND deleted = 0",
        "SELECT total(paid_amount) FROM payment WHERE status = 'paid' AND deleted = 0",
      };

      g_assert_cmpint (client_int (e, "b", checks[i]), ==, client_int (e, "a", checks[i]));
    }
  g_assert_cmpint (client_int (e, "b", "SELECT count(*) FROM milestone WHERE date_met IS NOT NULL AND "
                                        "date_met >= strftime('%Y-%m-%d', 'now', '-1 day')"), ==,
                   client_int (e, "a", "SELECT count(*) FROM milestone WHERE date_met IS NOT NULL AND "
                                        "date_met >= strftime('%Y-%m-%d', 'now', '-1 day')"));
}

/* Someone else's strict change is never overwritten unseen, however the
 * push is split: A edits a project's title and then its value offline, B
 * changes the value and syncs, A syncs one mutation per request. The
 * answer to the title edit must not count as A having seen B's value. */
static void
test_e2e_split_push_keeps_conflicts (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autoptr(ProcuraAccount) account = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_autofree char *project = NULL;
  g_autofree char *value = NULL;
  g_autofree char *a_dir = NULL;
  ProcuraSyncReport report = { 0 };

  if (e == NULL)
    return;

  login (e, "a", "alice");
  login (e, "b", "bob");
  out = cli_ok (e, "a", "add", "project", "code=XH-2026-011", "title=助老服务",
                "category=elderly", "method=competitive_consultation", "value=100万", "--json", NULL);
  project = added_id (out);
  g_clear_pointer (&out, g_free);
  g_free (cli_ok (e, "a", "sync", NULL));
  g_free (cli_ok (e, "b", "sync", NULL));

  g_free (cli_ok (e, "a", "set", project, "title=助老服务（二期）", NULL));
  g_free (cli_ok (e, "a", "set", project, "value=200万", NULL));
  g_free (cli_ok (e, "b", "set", project, "value=300万", NULL));
  g_free (cli_ok (e, "b", "sync", NULL));

  a_dir = g_build_filename (e->dir, "a", NULL);
  account = procura_account_load (a_dir, &error);
  g_assert_no_error (error);
  store = procura_store_open (a_dir, &error);
  g_assert_no_error (error);
  sync = procura_sync_new (a_dir, account->server, account->token);
  g_object_set (sync, "batch-size", 1u, NULL);
  g_assert_true (procura_sync_run (sync, store, &report, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (report.pushed, ==, 2);
  g_assert_cmpuint (report.rejected, ==, 1);

  /* the server kept B's value, A's waits in the conflict list */
  g_free (cli_ok (e, "b", "sync", NULL));
  value = field_of (e, "b", project, "value");
  g_assert_cmpstr (value, ==, "300000000");
  g_assert_cmpint (client_int (e, "a", "SELECT count(*) FROM conflict WHERE field = 'value' AND status = 'open'"), ==, 1);
}

/* A device that overwrote someone's value (one conflict, naming them)
 * and then edits the field again does not get a second conflict that
 * calls its own earlier value the other person's. */
static void
test_e2e_conflict_named_once (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autofree char *out = NULL;
  g_autofree char *project = NULL;

  if (e == NULL)
    return;

  login (e, "a", "alice");
  login (e, "b", "bob");
  out = cli_ok (e, "a", "add", "project", "code=XH-2026-012", "title=助残服务",
                "category=elderly", "method=competitive_consultation", "--json", NULL);
  project = added_id (out);
  g_clear_pointer (&out, g_free);
  g_free (cli_ok (e, "a", "sync", NULL));
  g_free (cli_ok (e, "b", "sync", NULL));

  g_free (cli_ok (e, "b", "set", project, "title=鲍勃的标题", NULL));
  g_free (cli_ok (e, "b", "sync", NULL));
  g_free (cli_ok (e, "a", "set", project, "title=第一稿", NULL));
  g_free (cli_ok (e, "a", "set", project, "title=第二稿", NULL));
  out = cli_ok (e, "a", "sync", NULL);
  g_assert_nonnull (strstr (out, "1 conflicts"));
  g_assert_cmpint (client_int (e, "a", "SELECT count(*) FROM conflict WHERE field = 'title'"), ==, 1);
  g_assert_cmpint (client_int (e, "a", "SELECT count(*) FROM conflict WHERE field = 'title' "
                                        "AND server_value = '鲍勃的标题' AND server_by = 'bob'"), ==, 1);
}

/* alice's demo ledger on the server, bob logged in, and a report alice
 * submitted on an active project's planned milestone (one with a planned
 * tranche); returns the report's id and the milestone's. */
static char *
demo_with_submitted_report (E2E   *e,
                            char **out_milestone)
{
  g_autofree char *milestone = NULL;
  g_autofree char *project = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *project_arg = NULL;
  g_autofree char *milestone_arg = NULL;
  g_autofree char *out = NULL;
  char *report;

  g_free (cli_ok (e, "a", "demo", "--projects", "12", "--seed", "3", NULL));
  login (e, "a", "alice");
  login (e, "b", "bob");

  milestone = client_text (e, "a", "SELECT m.id FROM milestone m JOIN project p ON p.id = m.project_id "
                                   "WHERE p.status = 'active' AND m.status = 'planned' AND m.deleted = 0 "
                                   "AND EXISTS (SELECT 1 FROM payment y WHERE y.milestone_id = m.id "
                                   "            AND y.status = 'planned') LIMIT 1");
  g_assert_nonnull (milestone);
  sql = g_strdup_printf ("SELECT project_id FROM milestone WHERE id = '%s'", milestone);
  project = client_text (e, "a", sql);
  project_arg = g_strdup_printf ("project_id=%s", project);
  milestone_arg = g_strdup_printf ("milestone_id=%s", milestone);
  out = cli_ok (e, "a", "add", "report", project_arg, milestone_arg, "title=季度服务报告",
                "kind=physicalProgressReport", "--json", NULL);
  report = added_id (out);
  g_free (cli_ok (e, "a", "set", report, "state=submitted", NULL));
  g_free (cli_ok (e, "a", "sync", NULL));

  *out_milestone = g_steal_pointer (&milestone);
  return report;
}

/* A report accepted offline days before the sync: the server keeps when
 * it was reviewed, and dates the milestone it accepts by that day, not by
 * the day the push arrives. */
static void
test_e2e_offline_acceptance_dates (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autofree char *report = NULL;
  g_autofree char *milestone = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *reviewed = NULL;
  g_autofree char *date_met = NULL;

  if (e == NULL)
    return;

  report = demo_with_submitted_report (e, &milestone);

  g_free (cli_ok (e, "a", "set", report, "state=accepted", NULL));
  /* as if accepted on 5 January and synced today */
  client_exec (e, "a", "UPDATE outbox SET fields = json_set(fields, '$.reviewed_at', '2026-01-05T03:00:00Z') "
                       "WHERE entity = 'report'");
  g_free (cli_ok (e, "a", "sync", NULL));
  g_free (cli_ok (e, "b", "sync", NULL));

  g_free (sql);
  reviewed = client_text (e, "b", (sql = g_strdup_printf ("SELECT reviewed_at FROM report WHERE id = '%s'", report)));
  g_assert_cmpstr (reviewed, ==, "2026-01-05T03:00:00Z");
  g_free (sql);
  date_met = client_text (e, "b", (sql = g_strdup_printf ("SELECT date_met FROM milestone WHERE id = '%s'", milestone)));
  g_assert_cmpstr (date_met, ==, "2026-01-05");
}

/* The same submitted report returned by B and, offline, accepted by A:
 * A's acceptance is refused (a strict field), and what it set off here —
 * the milestone accepted, its tranches payable — is undone, so A holds
 * the server's ledger again and offers no payment for the tranche. */
static void
test_e2e_refused_acceptance_undone (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autofree char *report = NULL;
  g_autofree char *milestone = NULL;
  g_autofree char *sql = NULL;

  if (e == NULL)
    return;

  report = demo_with_submitted_report (e, &milestone);
  g_free (cli_ok (e, "b", "sync", NULL));

  g_free (cli_ok (e, "b", "set", report, "state=returned", "review_comment=请补充签到表", NULL));
  g_free (cli_ok (e, "b", "sync", NULL));
  g_free (cli_ok (e, "a", "set", report, "state=accepted", NULL));
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM payment WHERE milestone_id = '%s' AND status = 'payable'", milestone);
  g_assert_cmpint (client_int (e, "a", sql), >, 0);

  g_free (cli_ok (e, "a", "sync", NULL));
  g_assert_cmpint (client_int (e, "a", "SELECT count(*) FROM conflict WHERE kind = 'rejected' AND status = 'open'"), >=, 1);
  g_assert_cmpint (client_int (e, "a", sql), ==, 0);
  g_free (sql);
  sql = g_strdup_printf ("SELECT status || coalesce(date_met, '') FROM milestone WHERE id = '%s'", milestone);
  {
    g_autofree char *mine = client_text (e, "a", sql);
    g_autofree char *theirs = client_text (e, "b", sql);

    g_assert_cmpstr (mine, ==, theirs);
    g_assert_cmpstr (mine, ==, "returned");
  }
}

/* An agency's device: it writes a report on its own project and submits
 * it (the checks that stop an auditor let these through), the server
 * takes both, and the officer sees it submitted; reviewing it is refused
 * on the agency's device before anything is written. */
static void
test_e2e_agency_submits (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autofree char *milestone = NULL;
  g_autofree char *project = NULL;
  g_autofree char *uscc = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *project_arg = NULL;
  g_autofree char *milestone_arg = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *report = NULL;
  g_autofree char *state = NULL;

  if (e == NULL)
    return;

  g_free (cli_ok (e, "a", "demo", "--projects", "12", "--seed", "3", NULL));
  login (e, "a", "alice");
  login (e, "b", "bob");
  g_free (cli_ok (e, "a", "sync", NULL));

  milestone = client_text (e, "a", "SELECT m.id FROM milestone m JOIN project p ON p.id = m.project_id "
                                   "WHERE p.status = 'active' AND m.status = 'planned' AND m.deleted = 0 LIMIT 1");
  g_assert_nonnull (milestone);
  sql = g_strdup_printf ("SELECT project_id FROM milestone WHERE id = '%s'", milestone);
  project = client_text (e, "a", sql);
  g_free (sql);
  sql = g_strdup_printf ("SELECT o.uscc FROM organization o JOIN project p ON p.agency_id = o.id "
                         "WHERE p.id = '%s'", project);
  uscc = client_text (e, "a", sql);
  procura_test_server_add_user (e->server_path, e->server->data_dir, "dora", "agency", uscc,
                                "correct horse battery");
  login (e, "d", "dora");
  g_free (cli_ok (e, "d", "sync", NULL));

  /* it reads its own organization whole; of the buyer its project names,
   * the name but not the people's contact details */
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM organization o JOIN project p ON p.buyer_id = o.id "
                         "WHERE p.id = '%s' AND o.name IS NOT NULL AND o.contact_person IS NULL "
                         "AND o.contact_phone IS NULL AND o.contact_email IS NULL", project);
  g_assert_cmpint (client_int (e, "d", sql), ==, 1);
  g_assert_cmpint (client_int (e, "a", sql), ==, 0);
  g_free (sql);
  sql = g_strdup_printf ("SELECT count(*) FROM organization WHERE uscc = '%s' AND contact_phone IS NOT NULL", uscc);
  g_assert_cmpint (client_int (e, "d", sql), ==, 1);

  project_arg = g_strdup_printf ("project_id=%s", project);
  milestone_arg = g_strdup_printf ("milestone_id=%s", milestone);
  out = cli_ok (e, "d", "add", "report", project_arg, milestone_arg, "title=机构的季度报告",
                "kind=physicalProgressReport", "--json", NULL);
  report = added_id (out);
  g_clear_pointer (&out, g_free);
  g_free (cli_ok (e, "d", "set", report, "state=submitted", NULL));
  g_assert_cmpint (cli (e, "d", NULL, &out, &err, "set", report, "state=accepted", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "dora"));
  g_clear_pointer (&out, g_free);

  out = cli_ok (e, "d", "sync", NULL);
  g_assert_nonnull (strstr (out, "pushed 2 (2 applied, 0 conflicts, 0 rejected)"));
  g_free (cli_ok (e, "b", "sync", NULL));
  g_free (sql);
  sql = g_strdup_printf ("SELECT state FROM report WHERE id = '%s'", report);
  state = client_text (e, "b", sql);
  g_assert_cmpstr (state, ==, "submitted");
}

/* An auditor's device refuses edits at once, naming the account, instead
 * of queueing what the server will refuse: nothing is written and the
 * next sync still brings everyone else's changes. */
static void
test_e2e_read_only_account (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *project = NULL;
  g_autofree char *title = NULL;

  if (e == NULL)
    return;

  login (e, "a", "alice");
  login (e, "c", "carol");
  out = cli_ok (e, "a", "add", "project", "code=XH-2026-009", "title=社区矫正服务",
                "category=elderly", "method=competitive_consultation", "--json", NULL);
  project = added_id (out);
  g_clear_pointer (&out, g_free);
  g_free (cli_ok (e, "a", "sync", NULL));
  g_free (cli_ok (e, "c", "sync", NULL));
  g_assert_cmpint (client_int (e, "c", "SELECT count(*) FROM project"), ==, 1);

  g_assert_cmpint (cli (e, "c", NULL, &out, &err, "set", project, "title=改了", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "carol"));
  g_assert_nonnull (strstr (err, "may read records but not change them"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (e, "c", NULL, &out, &err, "add", "activity", "title=走访", NULL), ==, 1);
  g_assert_nonnull (strstr (err, "may read records but not change them"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (cli (e, "c", NULL, &out, &err, "delete", project, NULL), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* imports too: a ledger and an OCDS package, refused before reading
   * rows into the store; a dry run, which writes nothing, is allowed */
  {
    g_autofree char *csv = g_build_filename (e->dir, "ledger.csv", NULL);
    g_autofree char *json = g_build_filename (e->dir, "package.json", NULL);
    g_autofree char *fixture = g_test_build_filename (G_TEST_DIST, "fixtures", "ocds", "examples",
                                                      "contract.json", NULL);

    g_assert_true (g_file_set_contents (csv, "项目编号,项目名称,服务类别,采购方式\r\n"
                                             "XH-2026-010,社区康复服务,养老服务,竞争性磋商\r\n", -1, NULL));
    g_autofree char *package = NULL;
    gsize package_len = 0;

    g_assert_true (g_file_get_contents (fixture, &package, &package_len, NULL));
    g_assert_true (g_file_set_contents (json, package, package_len, NULL));
    g_assert_cmpint (cli (e, "c", NULL, &out, &err, "import", csv, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "may read records but not change them"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (cli (e, "c", NULL, &out, &err, "import", "--valid-rows", json, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "may read records but not change them"));
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (cli (e, "c", NULL, &out, &err, "import", "--dry-run", csv, NULL), ==, 0);
    g_clear_pointer (&out, g_free);
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (client_int (e, "c", "SELECT count(*) FROM project"), ==, 1);
  }
  g_assert_cmpint (client_int (e, "c", "SELECT count(*) FROM outbox"), ==, 0);
  g_assert_cmpint (client_int (e, "c", "SELECT count(*) FROM change WHERE actor <> 'server'"), ==, 0);
  title = field_of (e, "c", project, "title");
  g_assert_cmpstr (title, ==, "社区矫正服务");

  /* and the auditor's next sync still brings the officer's edit */
  g_free (cli_ok (e, "a", "set", project, "title=社区矫正社会工作服务", NULL));
  g_free (cli_ok (e, "a", "sync", NULL));
  out = cli_ok (e, "c", "sync", NULL);
  g_assert_nonnull (strstr (out, "pushed 0"));
  g_clear_pointer (&title, g_free);
  title = field_of (e, "c", project, "title");
  g_assert_cmpstr (title, ==, "社区矫正社会工作服务");
}

/* Attachment files travel with their records: A's file is uploaded (in
 * more than one chunk) before the record is pushed, and B downloads it
 * after the pull. A record whose file nobody has syncs all the same. */
static void
test_e2e_attachment_files (void)
{
  g_autoptr(E2E) e = e2e_start ();
  g_autofree char *out = NULL;
  g_autofree char *project = NULL;
  g_autofree char *blobs_a = NULL;
  g_autofree char *blobs_b = NULL;
  g_autofree char *blobs_server = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *lost_sha256 = NULL;
  g_autofree char *project_arg = NULL;
  g_autoptr(GBytes) content = NULL;
  g_autoptr(GBytes) copy = NULL;
  g_autoptr(GError) error = NULL;
  gsize size = 5 * 1024 * 1024 + 12345;

  if (e == NULL)
    return;

  login (e, "a", "alice");
  login (e, "b", "bob");
  out = cli_ok (e, "a", "add", "project", "code=XH-2026-003", "title=档案服务",
                "category=elderly", "method=competitive_consultation", "--json", NULL);
  project = added_id (out);
  g_clear_pointer (&out, g_free);
  project_arg = g_strdup_printf ("project_id=%s", project);

  /* the file, as the desktop app keeps it: in A's blob store */
  {
    guint8 *data = g_malloc (size);

    for (gsize i = 0; i < size; i++)
      data[i] = (guint8) ((i * 2654435761u) >> 11);
    content = g_bytes_new_take (data, size);
  }
  blobs_a = g_build_filename (e->dir, "a", "blobs", NULL);
  blobs_b = g_build_filename (e->dir, "b", "blobs", NULL);
  blobs_server = g_build_filename (e->server->data_dir, "blobs", NULL);
  sha256 = procura_blobs_import_bytes (blobs_a, content, &error);
  g_assert_no_error (error);
  {
    g_autofree char *size_arg = g_strdup_printf ("size=%" G_GSIZE_FORMAT, size);
    g_autofree char *sha_arg = g_strdup_printf ("sha256=%s", sha256);

    g_free (cli_ok (e, "a", "add", "attachment", project_arg, "name=签到表.pdf", "mime_type=application/pdf",
                    size_arg, sha_arg, NULL));
  }
  /* and one whose file this device does not have */
  lost_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, "never stored", -1);
  {
    g_autofree char *sha_arg = g_strdup_printf ("sha256=%s", lost_sha256);

    g_free (cli_ok (e, "a", "add", "attachment", project_arg, "name=丢失.pdf", "mime_type=application/pdf",
                    "size=12", sha_arg, NULL));
  }

  g_free (cli_ok (e, "a", "sync", NULL));
  g_assert_true (procura_blobs_has (blobs_server, sha256));
  g_assert_false (procura_blobs_has (blobs_server, lost_sha256));
  g_assert_cmpint (client_int (e, "a", "SELECT count(*) FROM outbox"), ==, 0);

  /* B gets both records, and the one file there is, byte for byte; the
   * missing file does not fail its sync */
  g_free (cli_ok (e, "b", "sync", NULL));
  g_assert_cmpint (client_int (e, "b", "SELECT count(*) FROM attachment"), ==, 2);
  copy = procura_blobs_read (blobs_b, sha256, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (copy, content));
  g_assert_false (procura_blobs_has (blobs_b, lost_sha256));
  /* nothing left half-written */
  {
    g_autofree char *uploads = g_build_filename (e->server->data_dir, "uploads", NULL);
    g_autoptr(GDir) dir = g_dir_open (uploads, 0, NULL);

    g_assert_true (dir == NULL || g_dir_read_name (dir) == NULL);
  }

  /* the engine's report counts the transfers */
  {
    g_autofree char *dir_b = g_build_filename (e->dir, "b", NULL);
    g_autoptr(ProcuraAccount) account = procura_account_load (dir_b, &error);
    g_autoptr(ProcuraStore) store = NULL;
    g_autoptr(ProcuraSync) sync = NULL;
    ProcuraSyncReport report = { 0 };
    g_autofree char *path = procura_blobs_path (blobs_b, sha256);

    g_assert_no_error (error);
    g_assert_cmpint (g_unlink (path), ==, 0);
    store = procura_store_open (dir_b, &error);
    g_assert_no_error (error);
    sync = procura_sync_new (dir_b, account->server, account->token);
    g_assert_true (procura_sync_run (sync, store, &report, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (report.blobs_downloaded, ==, 1);
    g_assert_cmpuint (report.blobs_failed, ==, 1);
    g_assert_cmpuint (report.blobs_uploaded, ==, 0);
    g_clear_pointer (&copy, g_bytes_unref);
    copy = procura_blobs_read (blobs_b, sha256, &error);
    g_assert_no_error (error);
    g_assert_true (g_bytes_equal (copy, content));
  }
}

/* ---- main ------------------------------------------------------------ */

int
main (int    argc,
      char **argv)
{
  static const FixtureTest tests[] = {
    { "/sync/store/outbox-order-and-shape", test_outbox_order_and_shape },
    { "/sync/store/ack-rebases-later-edits", test_ack_rebases },
    { "/sync/store/pull-page", test_pull_page },
    { "/sync/store/pull-skips-pending-fields", test_pull_skips_pending },
    { "/sync/store/pull-tombstone", test_pull_tombstone },
    { "/sync/store/pull-page-atomic", test_pull_atomic },
    { "/sync/store/pull-marks-files-to-fetch", test_pull_marks_files },
    { "/sync/store/pull-revoked", test_pull_revoked },
    { "/sync/store/conflict-result", test_conflict_result },
    { "/sync/store/rejected-kept-visible", test_rejected_kept_visible },
    { "/sync/store/rejected-insert", test_rejected_insert },
    { "/sync/store/server-conflicts", test_server_conflicts },
    { "/sync/engine/retries-keep-the-key", test_engine_retries },
    { "/sync/engine/no-retry", test_engine_no_retry },
    { "/sync/engine/unreachable", test_engine_unreachable },
    { "/sync/engine/pull-pages", test_engine_pull_pages },
    { "/sync/engine/pull-stops-at-bad-page", test_engine_pull_stops_at_bad_page },
    { "/sync/engine/too-large-halves", test_engine_too_large },
    { "/sync/engine/upload-resumes", test_engine_upload_resumes },
    { "/sync/account-file", test_account_file },
  };

  procura_test_init (&argc, &argv);
  fixture_add_tests ("procura-test-sync-XXXXXX", tests, G_N_ELEMENTS (tests));
  g_test_add_func ("/sync/e2e/round-trip", test_e2e_round_trip);
  g_test_add_func ("/sync/e2e/replay-after-lost-answer", test_e2e_replay);
  g_test_add_func ("/sync/e2e/offline-ledger", test_e2e_offline_ledger);
  g_test_add_func ("/sync/e2e/read-only-account", test_e2e_read_only_account);
  g_test_add_func ("/sync/e2e/agency-submits", test_e2e_agency_submits);
  g_test_add_func ("/sync/e2e/split-push-keeps-conflicts", test_e2e_split_push_keeps_conflicts);
  g_test_add_func ("/sync/e2e/conflict-named-once", test_e2e_conflict_named_once);
  g_test_add_func ("/sync/e2e/offline-acceptance-dates", test_e2e_offline_acceptance_dates);
  g_test_add_func ("/sync/e2e/refused-acceptance-undone", test_e2e_refused_acceptance_undone);
  g_test_add_func ("/sync/e2e/attachment-files", test_e2e_attachment_files);

  return g_test_run ();
}
