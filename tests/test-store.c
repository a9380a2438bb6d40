/* test-store.c — the store: round trips of every entity, the single write
 * path with its history and outbox, transactions, tombstones, the ledger,
 * the project bundle, the history query and the consistency check
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <sqlite3.h>
#include <string.h>

#include "procura-date.h"
#include "procura-derive.h"
#include "procura-error.h"
#include "procura-json.h"
#include "procura-query.h"
#include "procura-store.h"
#include "procura-test-utils.h"
#include "procura-uscc.h"

/* ---- records --------------------------------------------------------- */

static guint
count_non_null (const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  guint n = 0;

  for (guint i = 0; i < entity->n_fields; i++)
    n += procura_record_get_value (record, i) != NULL ? 1 : 0;

  return n;
}

/* ---- direct database access (what a tamperer would do) --------------- */

/* Runs SQL on a connection of its own, behind the store's back; returns
 * the SQLite result code and the error message (if out_message). */
static int
db_exec (Fixture    *f,
         const char *sql,
         char      **out_message)
{
  g_autofree char *path = g_build_filename (f->dir, PROCURA_STORE_DB_NAME, NULL);
  sqlite3 *db = NULL;
  char *msg = NULL;
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  rc = sqlite3_exec (db, sql, NULL, NULL, &msg);
  if (out_message != NULL)
    *out_message = g_strdup (msg);
  sqlite3_free (msg);
  sqlite3_close (db);

  return rc;
}

/* The same with SQL from a printf format, asserting it ran. */
static void
db_exec_ok (Fixture    *f,
            const char *format,
            ...) G_GNUC_PRINTF (2, 3);

static void
db_exec_ok (Fixture    *f,
            const char *format,
            ...)
{
  g_autofree char *sql = NULL;
  g_autofree char *msg = NULL;
  va_list args;

  va_start (args, format);
  sql = g_strdup_vprintf (format, args);
  va_end (args);

  g_test_message ("SQL: %s", sql);
  g_assert_cmpint (db_exec (f, sql, &msg), ==, SQLITE_OK);
}

/* One integer from a query (a printf format) on a connection of its own. */
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

/* ---- checks ----------------------------------------------------------- */

/* The check fails and some problem mentions every one of the needles. */
static void
assert_check_finds (Fixture    *f,
                    const char *first,
                    ...) G_GNUC_NULL_TERMINATED;

static void
assert_check_finds (Fixture    *f,
                    const char *first,
                    ...)
{
  g_autoptr(GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) needles = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gboolean found = FALSE;
  va_list args;

  va_start (args, first);
  for (const char *n = first; n != NULL; n = va_arg (args, const char *))
    g_ptr_array_add (needles, (gpointer) n);
  va_end (args);

  g_assert_false (procura_store_check (f->store, problems, &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT);
  g_assert_cmpuint (problems->len, >, 0);

  for (guint i = 0; i < problems->len && !found; i++)
    {
      const char *p = g_ptr_array_index (problems, i);
      gboolean all = TRUE;

      g_test_message ("problem: %s", p);
      for (guint j = 0; j < needles->len; j++)
        all = all && strstr (p, g_ptr_array_index (needles, j)) != NULL;
      found = all;
    }
  g_assert_true (found);
}

/* ---- history helpers --------------------------------------------------- */

static GPtrArray *
history_of (Fixture    *f,
            const char *id)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *entries = procura_store_query_history (f->store, id, &error);

  g_assert_no_error (error);
  g_assert_nonnull (entries);

  return entries;
}

/* Entries of the record with this op. */
static guint
count_entries (GPtrArray  *entries,
               const char *record_id,
               const char *op)
{
  guint n = 0;

  for (guint i = 0; i < entries->len; i++)
    {
      ProcuraHistoryEntry *e = g_ptr_array_index (entries, i);

      if (g_strcmp0 (e->record_id, record_id) == 0 && g_strcmp0 (e->op, op) == 0)
        n++;
    }

  return n;
}

static ProcuraHistoryEntry *
find_entry (GPtrArray  *entries,
            const char *record_id,
            const char *op,
            const char *field)
{
  for (guint i = 0; i < entries->len; i++)
    {
      ProcuraHistoryEntry *e = g_ptr_array_index (entries, i);

      if (g_strcmp0 (e->record_id, record_id) == 0 && g_strcmp0 (e->op, op) == 0 &&
          g_strcmp0 (e->field, field) == 0)
        return e;
    }

  return NULL;
}

/* ======================================================================
 * Opening
 * ====================================================================== */

static void
test_open (Fixture *f)
{
  g_autofree char *db = g_build_filename (f->dir, PROCURA_STORE_DB_NAME, NULL);
  g_autofree char *blobs = g_build_filename (f->dir, "blobs", NULL);
  g_autofree char *device = NULL;
  g_autofree char *today = NULL;
  g_autofree char *real_today = NULL;
  g_autofree char *dir = g_strdup (f->dir);
  g_autofree char *org = NULL;
  g_autoptr(ProcuraRecord) again = NULL;

  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (blobs, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (procura_store_get_schema_version (f->store), ==, PROCURA_STORE_SCHEMA_VERSION);
  g_assert_cmpstr (procura_store_get_data_dir (f->store), ==, f->dir);
  g_assert_cmpstr (procura_store_get_actor (f->store), ==, "tester");
  g_assert_nonnull (procura_store_get_device_id (f->store));
  g_assert_true (g_uuid_string_is_valid (procura_store_get_device_id (f->store)));
  device = g_strdup (procura_store_get_device_id (f->store));

  /* today is pinned; NULL means the real local date */
  today = procura_store_dup_today (f->store);
  g_assert_cmpstr (today, ==, FIXTURE_TODAY);
  procura_store_set_today (f->store, NULL);
  g_clear_pointer (&today, g_free);
  today = procura_store_dup_today (f->store);
  real_today = procura_date_today ();
  g_assert_cmpstr (today, ==, real_today);

  org = add_org (f, "阳光社工服务中心", "social_work_agency");

  /* reopening keeps the device id and the data */
  fixture_close (f);
  fixture_open (f, dir);
  g_assert_cmpstr (procura_store_get_device_id (f->store), ==, device);
  again = get_ok (f, PROCURA_ENTITY_ORGANIZATION, org);
  g_assert_cmpstr (procura_record_get_string (again, "name"), ==, "阳光社工服务中心");
  assert_check_passes (f);
}

/* ======================================================================
 * Round trips of every entity
 * ====================================================================== */

typedef struct
{
  char *buyer;
  char *agency;
  char *evaluator;
  char *scheme;
  char *project;
  char *milestone;
  char *report;
  char *evaluation;
  char *criterion;
  char *indicator;
  char *meeting;
} Context;

static void
context_clear (Context *c)
{
  g_free (c->buyer);
  g_free (c->agency);
  g_free (c->evaluator);
  g_free (c->scheme);
  g_free (c->project);
  g_free (c->milestone);
  g_free (c->report);
  g_free (c->evaluation);
  g_free (c->criterion);
  g_free (c->indicator);
  g_free (c->meeting);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Context, context_clear)

static void
context_build (Fixture *f,
               Context *c)
{
  g_autoptr(ProcuraRecord) scheme = procura_record_new (PROCURA_ENTITY_GRADE_SCHEME, NULL);
  g_autoptr(ProcuraRecord) report = procura_record_new (PROCURA_ENTITY_REPORT, NULL);
  g_autoptr(ProcuraRecord) indicator = procura_record_new (PROCURA_ENTITY_INDICATOR, NULL);
  g_autoptr(ProcuraRecord) meeting = procura_record_new (PROCURA_ENTITY_ACTIVITY, NULL);
  g_autoptr(ProcuraRecord) project = NULL;

  c->buyer = add_org (f, "东湖区民政局", "civil_affairs_bureau");
  c->agency = add_org (f, "阳光社工服务中心", "social_work_agency");
  c->evaluator = add_org (f, "明鉴评估中心", "evaluator");

  procura_record_set_string (scheme, "name", "四档制");
  procura_record_set_string (scheme, "bands", "A>=85;B>=70;C>=60;D>=0");
  c->scheme = insert_ok (f, scheme);

  project = new_project (f, "CTX-001");
  procura_record_set_string (project, "buyer_id", c->buyer);
  set_contract (project, c->agency, FIXTURE_VALUE);
  procura_record_set_string (project, "grade_scheme_id", c->scheme);
  c->project = insert_ok (f, project);
  set_state (f, PROCURA_ENTITY_PROJECT, c->project, "active");

  c->milestone = add_milestone (f, c->project, "第二季度服务报告", "2021-06-30");

  procura_record_set_string (report, "project_id", c->project);
  procura_record_set_string (report, "milestone_id", c->milestone);
  procura_record_set_string (report, "title", "第二季度报告");
  c->report = insert_ok (f, report);

  c->evaluation = add_evaluation (f, c->project, "midterm", "2021-07-01");
  c->criterion = add_criterion (f, c->evaluation, NULL, 1, "服务成效", 10000, -1);

  procura_record_set_string (indicator, "project_id", c->project);
  procura_record_set_string (indicator, "title", "居民满意度");
  procura_record_set_string (indicator, "result_type", "outcome");
  procura_record_set_string (indicator, "measure", "percentage");
  c->indicator = insert_ok (f, indicator);

  procura_record_set_string (meeting, "project_id", c->project);
  procura_record_set_string (meeting, "kind", "consultation_meeting");
  procura_record_set_string (meeting, "title", "八月协商议事会");
  procura_record_set_string (meeting, "date", "2021-08-27");
  c->meeting = insert_ok (f, meeting);
}

/* A new record of the entity with every field a new record may carry. */
static ProcuraRecord *
build_full (Fixture                 *f,
            Context                 *c,
            const ProcuraEntityInfo *entity)
{
  ProcuraRecord *r = procura_record_new (entity, NULL);
  const char *name = entity->name;

  if (strcmp (name, "organization") == 0)
    {
      g_autofree char *uscc = make_uscc (777);

      procura_record_set_string (r, "name", "和睦家庭服务社");
      procura_record_set_string (r, "uscc", uscc);
      procura_record_set_string (r, "kind", "volunteer_organization");
      procura_record_set_string (r, "address", "东湖路 1 号");
      procura_record_set_string (r, "contact_person", "李敏");
      procura_record_set_string (r, "contact_phone", "020-12345678");
      procura_record_set_string (r, "contact_email", "limin@example.org");
      procura_record_set_string (r, "note", "备注");
    }
  else if (strcmp (name, "grade_scheme") == 0)
    {
      procura_record_set_string (r, "name", "五档制");
      procura_record_set_string (r, "bands", "A+>=95;A>=90;A->=85;B+>=80;B>=0");
    }
  else if (strcmp (name, "project") == 0)
    {
      procura_record_set_string (r, "code", "GZ-2021-099");
      procura_record_set_string (r, "title", "家庭综合服务");
      procura_record_set_string (r, "description", "面向辖区家庭");
      procura_record_set_string (r, "buyer_id", c->buyer);
      procura_record_set_string (r, "agency_id", c->agency);
      procura_record_set_string (r, "category", "family");
      procura_record_set_string (r, "method", "competitive_consultation");
      procura_record_set_int (r, "budget", 20000000);
      procura_record_set_string (r, "funding_source", "lottery_fund");
      procura_record_set_int (r, "budget_year", 2021);
      procura_record_set_string (r, "contract_no", "HT-2021-17");
      procura_record_set_int (r, "value", 19850000);
      procura_record_set_string (r, "start_date", "2021-03-01");
      procura_record_set_string (r, "end_date", "2022-02-28");
      procura_record_set_string (r, "date_signed", "2021-02-20");
      procura_record_set_string (r, "date_filed", "2021-02-25");
      procura_record_set_string (r, "street", "东湖街道");
      procura_record_set_string (r, "community", "东湖社区");
      procura_record_set_string (r, "status", "draft");
      procura_record_set_string (r, "grade_scheme_id", c->scheme);
    }
  else if (strcmp (name, "amendment") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "date", "2021-06-01");
      procura_record_set_string (r, "rationale", "增加服务对象");
      procura_record_set_string (r, "description", "补充协议一");
      procura_record_set_int (r, "value_delta", 100000);
      procura_record_set_string (r, "new_end_date", "2022-03-31");
    }
  else if (strcmp (name, "milestone") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "title", "十月协商议事会");
      procura_record_set_string (r, "type", "engagement");
      procura_record_set_string (r, "code", "consultationMeeting");
      procura_record_set_string (r, "due_date", "2021-10-31");
      procura_record_set_string (r, "status", "planned");
      procura_record_set_bool (r, "outside_period_allowed", FALSE);
      procura_record_set_string (r, "description", "每月末召开");
    }
  else if (strcmp (name, "payment") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "milestone_id", c->milestone);
      procura_record_set_string (r, "title", "第二期");
      procura_record_set_int (r, "planned_amount", 3000000);
      procura_record_set_string (r, "planned_date", "2021-07-15");
      procura_record_set_string (r, "condition", "第二季度报告通过");
      procura_record_set_string (r, "status", "planned");
    }
  else if (strcmp (name, "report") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "milestone_id", c->milestone);
      procura_record_set_string (r, "submitter_org_id", c->agency);
      procura_record_set_string (r, "kind", "physicalProgressReport");
      procura_record_set_string (r, "title", "第二季度进度报告");
      procura_record_set_string (r, "period_start", "2021-04-01");
      procura_record_set_string (r, "period_end", "2021-06-30");
      procura_record_set_string (r, "narrative", "开展活动 12 场");
      procura_record_set_string (r, "state", "draft");
    }
  else if (strcmp (name, "attachment") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "report_id", c->report);
      procura_record_set_string (r, "name", "签到表.pdf");
      procura_record_set_string (r, "mime_type", "application/pdf");
      procura_record_set_int (r, "size", 12345);
      procura_record_set_string (r, "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
      procura_record_set_string (r, "doc_type", "physicalProgressReport");
      procura_record_set_bool (r, "contains_personal_info", TRUE);
    }
  else if (strcmp (name, "evaluation") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "kind", "spot_check");
      procura_record_set_string (r, "evaluator_org_id", c->evaluator);
      procura_record_set_string (r, "date", "2021-08-15");
      procura_record_set_string (r, "status", "draft");
      procura_record_set_string (r, "comment", "抽查");
    }
  else if (strcmp (name, "criterion") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "evaluation_id", c->evaluation);
      procura_record_set_string (r, "parent_id", c->criterion);
      procura_record_set_int (r, "level", 2);
      procura_record_set_int (r, "position", 3);
      procura_record_set_string (r, "name", "居民参与");
      procura_record_set_int (r, "weight", 2550);
      procura_record_set_int (r, "score", 2125);
      procura_record_set_string (r, "comment", "良好");
    }
  else if (strcmp (name, "indicator") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "title", "独居老人探访率");
      procura_record_set_string (r, "result_type", "output");
      procura_record_set_string (r, "measure", "percentage");
      procura_record_set_string (r, "unit", "%");
      procura_record_set_bool (r, "ascending", FALSE);
      procura_record_set_int (r, "baseline_value", 4550);
      procura_record_set_string (r, "baseline_date", "2020-12-31");
      procura_record_set_int (r, "target_value", 9000);
      procura_record_set_string (r, "dimension", "东湖社区");
    }
  else if (strcmp (name, "indicator_period") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "indicator_id", c->indicator);
      procura_record_set_string (r, "period_start", "2021-07-01");
      procura_record_set_string (r, "period_end", "2021-09-30");
      procura_record_set_int (r, "target_value", 7000);
      procura_record_set_int (r, "actual_value", 7125);
      procura_record_set_string (r, "comment", "第三季度");
    }
  else if (strcmp (name, "activity") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "kind", "survey");
      procura_record_set_string (r, "title", "九月居民问卷");
      procura_record_set_string (r, "date", "2021-09-05");
      procura_record_set_string (r, "location", "社区活动室");
      procura_record_set_string (r, "community", "东湖社区");
      procura_record_set_int (r, "participants", 120);
      procura_record_set_int (r, "residents", 100);
      procura_record_set_int (r, "volunteers", 12);
      procura_record_set_int (r, "partner_staff", 8);
      procura_record_set_string (r, "note", "线上线下结合");
    }
  else if (strcmp (name, "consultation") == 0)
    {
      procura_record_set_string (r, "project_id", c->project);
      procura_record_set_string (r, "month", "2021-08");
      procura_record_set_string (r, "source", "resident_report");
      procura_record_set_string (r, "topic", "楼道堆物");
      procura_record_set_string (r, "raised_by", "3 栋居民");
      procura_record_set_string (r, "parties", "社区、物业、城管");
      procura_record_set_string (r, "meeting_id", c->meeting);
      procura_record_set_string (r, "resolution", "物业一周内清理");
      procura_record_set_string (r, "status", "pending");
    }
  else
    g_assert_not_reached ();

  return r;
}

/* The field each round trip edits, and its new value. */
static const struct { const char *entity, *field, *value; } edits[] = {
  { "organization", "address", "西湖路 2 号" },
  { "grade_scheme", "bands", "甲>=90;乙>=60;丙>=0" },
  { "project", "title", "家庭综合服务（二期）" },
  { "amendment", "rationale", "延长服务期" },
  { "milestone", "title", "十月协商会" },
  { "payment", "title", "第二期（调整）" },
  { "report", "narrative", "开展活动 13 场" },
  { "attachment", "name", "签到表-修订.pdf" },
  { "evaluation", "comment", "专项抽查" },
  { "criterion", "comment", "较好" },
  { "indicator", "unit", "百分比" },
  { "indicator_period", "comment", "三季度" },
  { "activity", "location", "党群服务中心" },
  { "consultation", "topic", "楼道堆物清理" },
};

static void
assert_same_values (const ProcuraRecord *want,
                    const ProcuraRecord *got)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (want);

  for (guint i = 0; i < entity->n_fields; i++)
    {
      GVariant *a = procura_record_get_value (want, i);
      GVariant *b = procura_record_get_value (got, i);

      if (!procura_field_value_equal (a, b))
        {
          g_autofree char *ta = a != NULL ? g_variant_print (a, TRUE) : g_strdup ("null");
          g_autofree char *tb = b != NULL ? g_variant_print (b, TRUE) : g_strdup ("null");

          g_test_message ("%s.%s: wrote %s, read %s", entity->name, entity->fields[i].name, ta, tb);
        }
      g_assert_true (procura_field_value_equal (a, b));
    }
}

static gboolean
list_contains (GPtrArray  *records,
               const char *id)
{
  for (guint i = 0; i < records->len; i++)
    if (g_strcmp0 (procura_record_get_id (g_ptr_array_index (records, i)), id) == 0)
      return TRUE;

  return FALSE;
}

static void
round_trip (Fixture    *f,
            const char *entity_name)
{
  const ProcuraEntityInfo *entity = procura_schema_lookup (entity_name);
  g_auto(Context) ctx = { NULL, };
  g_autoptr(ProcuraRecord) full = NULL;
  g_autoptr(ProcuraRecord) got = NULL;
  g_autoptr(ProcuraRecord) changes = NULL;
  g_autoptr(ProcuraRecord) edited = NULL;
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GPtrArray) after_delete = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = NULL;
  const char *edit_field = NULL;
  const char *edit_value = NULL;
  ProcuraHistoryEntry *entry;
  Counts before, after;
  guint k;

  context_build (f, &ctx);
  full = build_full (f, &ctx, entity);
  k = count_non_null (full);
  g_assert_cmpuint (k, >, 1);

  /* insert: one change, one outbox row, one history row per field */
  before = counts (f);
  id = insert_ok (f, full);
  after = counts (f);
  assert_counts_delta (before, after, k, 1, 1);
  g_assert_true (g_uuid_string_is_valid (id));

  /* read back, field by field */
  got = get_ok (f, entity, id);
  g_assert_cmpstr (procura_record_get_id (got), ==, id);
  g_assert_false (procura_record_get_deleted (got));
  g_assert_nonnull (procura_record_get_updated_at (got));
  assert_same_values (full, got);

  history = history_of (f, id);
  g_assert_cmpuint (count_entries (history, id, "insert"), ==, k);
  for (guint i = 0; i < entity->n_fields; i++)
    {
      GVariant *v = procura_record_get_value (full, i);
      g_autofree char *text = procura_field_value_to_text (&entity->fields[i], v);

      entry = find_entry (history, id, "insert", entity->fields[i].name);
      if (v == NULL)
        {
          g_assert_null (entry);
          continue;
        }
      g_assert_nonnull (entry);
      g_assert_null (entry->old_value);
      g_assert_cmpstr (entry->new_value, ==, text);
      g_assert_cmpstr (entry->entity, ==, entity->name);
    }
  g_clear_pointer (&history, g_ptr_array_unref);

  /* update one field */
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    if (strcmp (edits[i].entity, entity->name) == 0)
      {
        edit_field = edits[i].field;
        edit_value = edits[i].value;
      }
  g_assert_nonnull (edit_field);
  changes = procura_record_new (entity, id);
  procura_record_set_string (changes, edit_field, edit_value);
  before = counts (f);
  update_ok (f, changes);
  after = counts (f);
  assert_counts_delta (before, after, 1, 1, 1);

  edited = get_ok (f, entity, id);
  g_assert_cmpstr (procura_record_get_string (edited, edit_field), ==, edit_value);
  procura_record_set_string (full, edit_field, edit_value);
  assert_same_values (full, edited);

  history = history_of (f, id);
  g_assert_cmpuint (count_entries (history, id, "update"), ==, 1);
  entry = find_entry (history, id, "update", edit_field);
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->old_value, ==, procura_record_get_string (got, edit_field));
  g_assert_cmpstr (entry->new_value, ==, edit_value);
  g_clear_pointer (&history, g_ptr_array_unref);

  /* list */
  listed = procura_store_list (f->store, entity, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (list_contains (listed, id));
  g_clear_pointer (&listed, g_ptr_array_unref);
  if (entity->project_scoped)
    {
      listed = procura_store_list (f->store, entity, "project_id", ctx.project, &error);
      g_assert_no_error (error);
      g_assert_true (list_contains (listed, id));
      g_clear_pointer (&listed, g_ptr_array_unref);
    }

  assert_check_passes (f);

  /* delete: a tombstone stays, reads fail, history records it */
  before = counts (f);
  g_assert_true (procura_store_delete (f->store, entity, id, &error));
  g_assert_no_error (error);
  after = counts (f);
  assert_counts_delta (before, after, 1, 1, 1);

  assert_not_found (f, entity, id);
  {
    g_autoptr(GError) find_error = NULL;
    g_autoptr(ProcuraRecord) found = procura_store_find (f->store, id, &find_error);

    g_assert_null (found);
    g_assert_error (find_error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
  }
  after_delete = procura_store_list (f->store, entity, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (list_contains (after_delete, id));

  g_assert_cmpint (db_int (f, "SELECT deleted FROM %s WHERE id = '%s'", entity->name, id), ==, 1);

  history = history_of (f, id);
  g_assert_cmpstr (((ProcuraHistoryEntry *) g_ptr_array_index (history, 0))->op, ==, "delete");
  entry = find_entry (history, id, "delete", "deleted");
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->old_value, ==, "false");
  g_assert_cmpstr (entry->new_value, ==, "true");

  /* deleting twice is refused, and changes nothing */
  before = counts (f);
  {
    g_autoptr(GError) again = NULL;

    g_assert_false (procura_store_delete (f->store, entity, id, &again));
    g_assert_error (again, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
  }
  assert_counts_delta (before, counts (f), 0, 0, 0);

  assert_check_passes (f);
}

#define ROUND_TRIP(n) static void test_round_trip_##n (Fixture *f) { round_trip (f, #n); }
ROUND_TRIP (organization)
ROUND_TRIP (grade_scheme)
ROUND_TRIP (project)
ROUND_TRIP (amendment)
ROUND_TRIP (milestone)
ROUND_TRIP (payment)
ROUND_TRIP (report)
ROUND_TRIP (attachment)
ROUND_TRIP (evaluation)
ROUND_TRIP (criterion)
ROUND_TRIP (indicator)
ROUND_TRIP (indicator_period)
ROUND_TRIP (activity)
ROUND_TRIP (consultation)

/* Every entity of the catalogue has a round trip here: a new entity
 * without one fails this test. */
static void
test_round_trip_covers_catalogue (Fixture *f)
{
  const ProcuraEntityInfo * const *all;
  guint n_all;

  all = procura_schema_entities (&n_all);
  g_assert_cmpuint (n_all, ==, G_N_ELEMENTS (edits));
  for (guint e = 0; e < n_all; e++)
    {
      gboolean covered = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
        covered |= strcmp (edits[i].entity, all[e]->name) == 0;
      g_test_message ("round trip of %s", all[e]->name);
      g_assert_true (covered);
    }
}

/* The workflow-only fields round-trip too: a milestone's date met, a
 * tranche's payment, a report's review times. */
static void
test_round_trip_workflow_fields (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "第一季度", "2021-03-31");
  g_autofree char *payment = add_payment (f, project, milestone, 3000000);
  g_autoptr(ProcuraRecord) report = procura_record_new (PROCURA_ENTITY_REPORT, NULL);
  g_autoptr(ProcuraRecord) m = NULL;
  g_autoptr(ProcuraRecord) p = NULL;
  g_autoptr(ProcuraRecord) r = NULL;
  g_autofree char *report_id = NULL;

  procura_record_set_string (report, "project_id", project);
  procura_record_set_string (report, "milestone_id", milestone);
  procura_record_set_string (report, "title", "第一季度报告");
  report_id = insert_ok (f, report);
  set_state (f, PROCURA_ENTITY_REPORT, report_id, "submitted");
  set_state (f, PROCURA_ENTITY_REPORT, report_id, "accepted");

  m = get_ok (f, PROCURA_ENTITY_MILESTONE, milestone);
  g_assert_cmpstr (procura_record_get_string (m, "status"), ==, "accepted");
  g_assert_cmpstr (procura_record_get_string (m, "date_met"), ==, FIXTURE_TODAY);

  r = get_ok (f, PROCURA_ENTITY_REPORT, report_id);
  g_assert_nonnull (procura_record_get_string (r, "submitted_at"));
  g_assert_nonnull (procura_record_get_string (r, "reviewed_at"));
  g_assert_true (g_str_has_suffix (procura_record_get_string (r, "submitted_at"), "Z"));

  pay (f, payment, 3000000, "2021-09-01");
  p = get_ok (f, PROCURA_ENTITY_PAYMENT, payment);
  g_assert_cmpstr (procura_record_get_string (p, "status"), ==, "paid");
  g_assert_cmpint (procura_record_get_int (p, "paid_amount", -1), ==, 3000000);
  g_assert_cmpstr (procura_record_get_string (p, "paid_date"), ==, "2021-09-01");
  g_assert_cmpstr (procura_record_get_string (p, "voucher_no"), ==, "记-2021-0815");

  assert_check_passes (f);
}

/* ======================================================================
 * History and outbox
 * ====================================================================== */

static void
test_history_per_field (Fixture *f)
{
  g_autoptr(ProcuraRecord) project = new_project (f, "H-001");
  g_autoptr(ProcuraRecord) changes = NULL;
  g_autoptr(ProcuraRecord) same = NULL;
  g_autoptr(ProcuraRecord) nulled = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *id = NULL;
  ProcuraHistoryEntry *entry;
  Counts before, after;
  guint k;

  procura_record_set_string (project, "street", "东湖街道");
  procura_record_set_int (project, "budget", 5000000);
  k = 6;  /* code, title, category, method, street, budget */
  before = counts (f);
  id = insert_ok (f, project);
  after = counts (f);
  /* plus the status the store filled in */
  assert_counts_delta (before, after, k + 1, 1, 1);

  /* two fields changed → two rows, old and new */
  changes = procura_record_new (PROCURA_ENTITY_PROJECT, id);
  procura_record_set_string (changes, "street", "西湖街道");
  procura_record_set_int (changes, "budget", 5500000);
  procura_record_set_string (changes, "code", "H-001");  /* unchanged */
  before = counts (f);
  update_ok (f, changes);
  after = counts (f);
  assert_counts_delta (before, after, 2, 1, 1);

  history = history_of (f, id);
  g_assert_cmpuint (count_entries (history, id, "update"), ==, 2);
  entry = find_entry (history, id, "update", "street");
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->old_value, ==, "东湖街道");
  g_assert_cmpstr (entry->new_value, ==, "西湖街道");
  entry = find_entry (history, id, "update", "budget");
  g_assert_nonnull (entry);
  g_assert_cmpstr (entry->old_value, ==, "5000000");
  g_assert_cmpstr (entry->new_value, ==, "5500000");
  g_assert_null (find_entry (history, id, "update", "code"));

  /* a change that changes nothing writes nothing */
  same = procura_record_new (PROCURA_ENTITY_PROJECT, id);
  procura_record_set_string (same, "street", "西湖街道");
  procura_record_set_int (same, "budget", 5500000);
  before = counts (f);
  update_ok (f, same);
  assert_counts_delta (before, counts (f), 0, 0, 0);

  /* setting null is a change from the old value to null */
  nulled = procura_record_new (PROCURA_ENTITY_PROJECT, id);
  procura_record_set_null (nulled, "street");
  before = counts (f);
  update_ok (f, nulled);
  assert_counts_delta (before, counts (f), 1, 1, 1);
  g_clear_pointer (&history, g_ptr_array_unref);
  history = history_of (f, id);
  entry = g_ptr_array_index (history, 0);
  g_assert_cmpstr (entry->field, ==, "street");
  g_assert_cmpstr (entry->old_value, ==, "西湖街道");
  g_assert_null (entry->new_value);

  assert_check_passes (f);
}

/* Writes replayed from another device keep its mutation id (first write
 * only: cascades get their own), author and device; remote ones are not
 * queued again. */
static void
test_write_origin (Fixture *f)
{
  static const char mutation[] = "0190a0f2-1111-7000-8000-000000000001";
  g_autofree char *id = add_draft_project (f, "W-001");
  g_autoptr(ProcuraRecord) changes = procura_record_new (PROCURA_ENTITY_PROJECT, id);
  ProcuraWriteOrigin origin = { mutation, "agency:李娜", "device-b", FALSE };
  gint64 outbox_before;

  procura_store_set_write_origin (f->store, &origin);
  procura_record_set_string (changes, "title", "另一台设备的标题");
  g_assert_true (procura_store_update (f->store, changes, NULL));
  set_text (f, PROCURA_ENTITY_PROJECT, id, "street", "群丰镇");
  procura_store_set_write_origin (f->store, NULL);

  g_assert_cmpint (db_int (f, "SELECT count(*) FROM change WHERE mutation_id = '%s' AND record_id = '%s' "
                              "AND actor = 'agency:李娜' AND device = 'device-b'", mutation, id), ==, 1);
  /* the second write under the same origin: same author, a new id */
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM change WHERE record_id = '%s' AND actor = 'agency:李娜'", id), ==, 2);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE mutation_id = '%s'", mutation), ==, 1);

  /* remote: written with history, not queued */
  outbox_before = db_int (f, "SELECT count(*) FROM outbox");
  origin.mutation_id = "0190a0f2-1111-7000-8000-000000000002";
  origin.remote = TRUE;
  procura_store_set_write_origin (f->store, &origin);
  set_text (f, PROCURA_ENTITY_PROJECT, id, "title", "服务器上的标题");
  procura_store_set_write_origin (f->store, NULL);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox"), ==, outbox_before);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM history_view WHERE mutation_id = '%s' "
                              "AND field = 'title' AND new_value = '服务器上的标题'", origin.mutation_id), ==, 1);

  /* back to this device */
  set_text (f, PROCURA_ENTITY_PROJECT, id, "title", "本机标题");
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox"), ==, outbox_before + 1);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM change WHERE record_id = '%s' AND actor = 'agency:李娜'", id), ==, 3);
}

/* On the server a record's revision is the id of its last change, and a
 * field's revision the id of the last change that touched it. */
static void
test_server_mode (Fixture *f)
{
  g_autofree char *id = NULL;
  g_autoptr(ProcuraRecord) record = NULL;
  gint64 rev_created, rev_titled;

  procura_store_set_server_mode (f->store, TRUE);
  g_assert_true (procura_store_get_server_mode (f->store));
  id = add_draft_project (f, "S-001");
  record = get_ok (f, PROCURA_ENTITY_PROJECT, id);
  rev_created = procura_record_get_rev (record);
  g_assert_cmpint (rev_created, ==, db_int (f, "SELECT max(id) FROM change WHERE record_id = '%s'", id));

  set_text (f, PROCURA_ENTITY_PROJECT, id, "title", "新标题");
  g_clear_pointer (&record, procura_record_unref);
  record = get_ok (f, PROCURA_ENTITY_PROJECT, id);
  rev_titled = procura_record_get_rev (record);
  g_assert_cmpint (rev_titled, >, rev_created);
  g_assert_cmpint (procura_store_get_field_rev (f->store, PROCURA_ENTITY_PROJECT, id, "title", NULL), ==, rev_titled);
  g_assert_cmpint (procura_store_get_field_rev (f->store, PROCURA_ENTITY_PROJECT, id, "code", NULL), ==, rev_created);
  g_assert_cmpint (procura_store_get_field_rev (f->store, PROCURA_ENTITY_PROJECT, id, "street", NULL), ==,
                   db_int (f, "SELECT count(*) FROM history_view WHERE record_id = '%s' AND field = 'street'", id) > 0 ? rev_created : 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox"), ==, 0);
}

/* The outbox row carries the write for sync, tied to its change. */
static void
test_outbox_rows (Fixture *f)
{
  g_autofree char *id = add_draft_project (f, "O-001");

  set_text (f, PROCURA_ENTITY_PROJECT, id, "title", "新标题");
  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_PROJECT, id, NULL));

  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE record_id = '%s'", id), ==, 3);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox o JOIN change c ON c.id = o.change_id "
                              "AND c.mutation_id = o.mutation_id AND c.op = o.op "
                              "WHERE o.record_id = '%s' AND o.entity = 'project'", id), ==, 3);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM outbox WHERE record_id = '%s' AND op = 'update' "
                              "AND fields = '{\"title\":\"新标题\"}'", id), ==, 1);
}

static void
test_history_actor_device (Fixture *f)
{
  g_autofree char *id = add_draft_project (f, "A-001");
  g_autoptr(GPtrArray) history = NULL;
  const char *device = procura_store_get_device_id (f->store);
  guint n_tester = 0, n_other = 0;

  procura_store_set_actor (f->store, "张三");
  g_assert_cmpstr (procura_store_get_actor (f->store), ==, "张三");
  set_text (f, PROCURA_ENTITY_PROJECT, id, "title", "张三改的标题");

  history = history_of (f, id);
  g_assert_cmpuint (history->len, >, 1);
  for (guint i = 0; i < history->len; i++)
    {
      ProcuraHistoryEntry *e = g_ptr_array_index (history, i);
      g_autoptr(GDateTime) at = NULL;

      g_assert_cmpstr (e->device, ==, device);
      g_assert_nonnull (e->mutation_id);
      g_assert_true (g_uuid_string_is_valid (e->mutation_id));
      g_assert_cmpstr (e->project_id, ==, id);
      /* UTC timestamps */
      g_assert_nonnull (e->at);
      g_assert_cmpuint (strlen (e->at), ==, 20);
      g_assert_true (g_str_has_suffix (e->at, "Z"));
      at = g_date_time_new_from_iso8601 (e->at, NULL);
      g_assert_nonnull (at);

      if (g_strcmp0 (e->op, "update") == 0)
        {
          g_assert_cmpstr (e->actor, ==, "张三");
          n_other++;
        }
      else
        {
          g_assert_cmpstr (e->actor, ==, "tester");
          n_tester++;
        }
    }
  g_assert_cmpuint (n_other, ==, 1);
  g_assert_cmpuint (n_tester, ==, history->len - 1);
}

/* A refused write leaves no change, history or outbox row and the record
 * as it was. */
static void
test_refused_write_leaves_nothing (Fixture *f)
{
  g_autoptr(ProcuraRecord) bad_org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  g_autoptr(ProcuraRecord) bad_change = NULL;
  g_autoptr(ProcuraRecord) project = NULL;
  g_autoptr(ProcuraRecord) missing = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) change_error = NULL;
  g_autoptr(GError) missing_error = NULL;
  g_autofree char *id = NULL;
  Counts before;

  id = add_draft_project (f, "R-001");
  set_text (f, PROCURA_ENTITY_PROJECT, id, "start_date", "2021-01-01");
  before = counts (f);

  procura_record_set_string (bad_org, "name", "无效机构");
  procura_record_set_string (bad_org, "uscc", "9144030071526726XH");  /* wrong check char */
  procura_record_set_string (bad_org, "kind", "other");
  g_assert_false (procura_store_insert (f->store, bad_org, &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  assert_counts_delta (before, counts (f), 0, 0, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM organization"), ==, 0);

  /* end before start: refused, nothing changes */
  bad_change = procura_record_new (PROCURA_ENTITY_PROJECT, id);
  procura_record_set_string (bad_change, "title", "不应保存");
  procura_record_set_string (bad_change, "end_date", "2020-12-31");
  g_assert_false (procura_store_update (f->store, bad_change, &change_error));
  assert_error_names (change_error, PROCURA_ERROR_INVALID, "End date");
  assert_counts_delta (before, counts (f), 0, 0, 0);
  project = get_ok (f, PROCURA_ENTITY_PROJECT, id);
  g_assert_cmpstr (procura_record_get_string (project, "title"), ==, "社区服务项目 R-001");
  g_assert_null (procura_record_get_string (project, "end_date"));

  /* an update of a record that does not exist */
  missing = procura_record_new (PROCURA_ENTITY_PROJECT, "00000000-0000-4000-8000-000000000000");
  procura_record_set_string (missing, "title", "x");
  g_assert_false (procura_store_update (f->store, missing, &missing_error));
  g_assert_error (missing_error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
  assert_counts_delta (before, counts (f), 0, 0, 0);

  g_assert_cmpint (db_int (f, "SELECT count(*) FROM project WHERE title = '不应保存'"), ==, 0);
  assert_check_passes (f);
}

static void
test_required_and_references (Fixture *f)
{
  g_autoptr(ProcuraRecord) no_title = procura_record_new (PROCURA_ENTITY_PROJECT, NULL);
  g_autoptr(ProcuraRecord) blank_title = NULL;
  g_autoptr(ProcuraRecord) bad_ref = NULL;
  g_autoptr(ProcuraRecord) bad_enum = NULL;
  g_autoptr(ProcuraRecord) bad_date = NULL;
  g_autoptr(ProcuraRecord) negative = NULL;
  Counts before = counts (f);

  procura_record_set_string (no_title, "code", "Q-1");
  procura_record_set_string (no_title, "category", "youth");
  procura_record_set_string (no_title, "method", "inquiry");
  insert_fails (f, no_title, PROCURA_ERROR_REQUIRED, "Project title");

  blank_title = new_project (f, "Q-2");
  procura_record_set_string (blank_title, "title", "");
  insert_fails (f, blank_title, PROCURA_ERROR_REQUIRED, "Project title");

  bad_ref = new_project (f, "Q-3");
  procura_record_set_string (bad_ref, "agency_id", "0c2c4b8e-7d6e-4f5a-9a0b-1c2d3e4f5a6b");
  insert_fails (f, bad_ref, PROCURA_ERROR_NOT_FOUND, "Contracted agency");

  bad_enum = new_project (f, "Q-4");
  procura_record_set_string (bad_enum, "category", "sports");
  insert_fails (f, bad_enum, PROCURA_ERROR_INVALID, "Service category");

  bad_date = new_project (f, "Q-5");
  procura_record_set_string (bad_date, "start_date", "2021/8/1");
  insert_fails (f, bad_date, PROCURA_ERROR_INVALID, "Start date");

  negative = new_project (f, "Q-6");
  procura_record_set_int (negative, "value", -1);
  insert_fails (f, negative, PROCURA_ERROR_INVALID, "Contract value");

  assert_counts_delta (before, counts (f), 0, 0, 0);
}

static void
test_insert_ids (Fixture *f)
{
  g_autoptr(ProcuraRecord) bad_id = new_project (f, "I-1");
  g_autoptr(ProcuraRecord) given = new_project (f, "I-2");
  g_autoptr(ProcuraRecord) twice = new_project (f, "I-3");
  g_autoptr(GError) e2 = NULL;
  g_autofree char *id = NULL;
  const char *uuid = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";

  procura_record_set_id (bad_id, "project-1");
  insert_fails (f, bad_id, PROCURA_ERROR_INVALID, "project-1");

  procura_record_set_id (given, uuid);
  id = insert_ok (f, given);
  g_assert_cmpstr (id, ==, uuid);

  procura_record_set_id (twice, uuid);
  g_assert_false (procura_store_insert (f->store, twice, &e2));
  g_assert_error (e2, PROCURA_ERROR, PROCURA_ERROR_DUPLICATE);
}

/* ======================================================================
 * Transactions
 * ====================================================================== */

static ProcuraRecord *
new_org_record (Fixture    *f,
                const char *name,
                const char *uscc)
{
  ProcuraRecord *org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  g_autofree char *code = uscc == NULL ? make_uscc (5000 + ++f->seq) : g_strdup (uscc);

  procura_record_set_string (org, "name", name);
  procura_record_set_string (org, "uscc", code);
  procura_record_set_string (org, "kind", "other");

  return org;
}

/* A failing write inside begin/commit takes back only itself. */
static void
test_transaction_savepoint (Fixture *f)
{
  g_autoptr(ProcuraRecord) a = new_org_record (f, "甲", NULL);
  g_autoptr(ProcuraRecord) b = new_org_record (f, "乙", "91440300715267260X");
  g_autoptr(ProcuraRecord) c = new_org_record (f, "丙", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) orgs = NULL;
  g_autofree char *a_id = NULL;
  g_autofree char *c_id = NULL;
  Counts before = counts (f);

  g_assert_false (procura_store_in_transaction (f->store));
  g_assert_true (procura_store_begin (f->store, NULL));
  g_assert_true (procura_store_in_transaction (f->store));

  a_id = insert_ok (f, a);
  g_assert_false (procura_store_insert (f->store, b, &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_assert_true (procura_store_in_transaction (f->store));
  c_id = insert_ok (f, c);

  g_assert_true (procura_store_commit (f->store, NULL));
  g_assert_false (procura_store_in_transaction (f->store));

  orgs = procura_store_list (f->store, PROCURA_ENTITY_ORGANIZATION, NULL, NULL, NULL);
  g_assert_cmpuint (orgs->len, ==, 2);
  g_assert_true (list_contains (orgs, a_id));
  g_assert_true (list_contains (orgs, c_id));
  assert_counts_delta (before, counts (f), 3 + 3, 2, 2);
  assert_check_passes (f);
}

/* A write whose cascade fails is refused whole, inside a transaction or
 * not: returning a report whose milestone an officer already accepted
 * cannot move the milestone back. */
static void
test_transaction_failed_cascade (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "季度报告", "2021-06-30");
  g_autoptr(ProcuraRecord) report = procura_record_new (PROCURA_ENTITY_REPORT, NULL);
  g_autoptr(ProcuraRecord) give_back = NULL;
  g_autoptr(ProcuraRecord) r = NULL;
  g_autoptr(ProcuraRecord) m = NULL;
  g_autoptr(ProcuraRecord) a = new_org_record (f, "甲", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  g_autofree char *report_id = NULL;
  g_autofree char *a_id = NULL;
  Counts before;

  procura_record_set_string (report, "project_id", project);
  procura_record_set_string (report, "milestone_id", milestone);
  procura_record_set_string (report, "title", "季度报告");
  report_id = insert_ok (f, report);
  set_state (f, PROCURA_ENTITY_REPORT, report_id, "submitted");
  set_state (f, PROCURA_ENTITY_MILESTONE, milestone, "accepted");

  give_back = procura_record_new (PROCURA_ENTITY_REPORT, report_id);
  procura_record_set_string (give_back, "state", "returned");
  procura_record_set_string (give_back, "review_comment", "请补充签到表");

  before = counts (f);
  g_assert_false (procura_store_update (f->store, give_back, &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION);
  assert_counts_delta (before, counts (f), 0, 0, 0);

  g_assert_true (procura_store_begin (f->store, NULL));
  a_id = insert_ok (f, a);
  g_assert_false (procura_store_update (f->store, give_back, &error2));
  g_assert_error (error2, PROCURA_ERROR, PROCURA_ERROR_TRANSITION);
  g_assert_true (procura_store_commit (f->store, NULL));
  assert_counts_delta (before, counts (f), 3, 1, 1);

  r = get_ok (f, PROCURA_ENTITY_REPORT, report_id);
  g_assert_cmpstr (procura_record_get_string (r, "state"), ==, "submitted");
  g_assert_null (procura_record_get_string (r, "review_comment"));
  g_assert_null (procura_record_get_string (r, "reviewed_at"));
  m = get_ok (f, PROCURA_ENTITY_MILESTONE, milestone);
  g_assert_cmpstr (procura_record_get_string (m, "status"), ==, "accepted");
  g_clear_pointer (&m, procura_record_unref);
  m = get_ok (f, PROCURA_ENTITY_ORGANIZATION, a_id);
  assert_check_passes (f);
}

static void
test_transaction_rollback (Fixture *f)
{
  g_autoptr(ProcuraRecord) a = new_org_record (f, "甲", NULL);
  g_autoptr(GPtrArray) orgs = NULL;
  g_autofree char *kept = add_org (f, "已有机构", "other");
  g_autofree char *a_id = NULL;
  Counts before = counts (f);

  g_assert_true (procura_store_begin (f->store, NULL));
  a_id = insert_ok (f, a);
  set_text (f, PROCURA_ENTITY_ORGANIZATION, a_id, "note", "会被撤销");
  set_text (f, PROCURA_ENTITY_ORGANIZATION, kept, "note", "也会被撤销");
  procura_store_rollback (f->store);
  g_assert_false (procura_store_in_transaction (f->store));

  assert_not_found (f, PROCURA_ENTITY_ORGANIZATION, a_id);
  {
    g_autofree char *note = get_text (f, PROCURA_ENTITY_ORGANIZATION, kept, "note");
    g_assert_null (note);
  }
  orgs = procura_store_list (f->store, PROCURA_ENTITY_ORGANIZATION, NULL, NULL, NULL);
  g_assert_cmpuint (orgs->len, ==, 1);
  assert_counts_delta (before, counts (f), 0, 0, 0);

  /* the store works normally afterwards */
  g_free (kept);
  kept = add_org (f, "之后的机构", "other");
  assert_check_passes (f);
}

static void
test_transaction_nested (Fixture *f)
{
  g_autoptr(ProcuraRecord) a = new_org_record (f, "甲", NULL);
  g_autoptr(ProcuraRecord) b = new_org_record (f, "乙", NULL);
  g_autofree char *a_id = NULL;
  g_autofree char *b_id = NULL;

  g_assert_true (procura_store_begin (f->store, NULL));
  g_assert_true (procura_store_begin (f->store, NULL));
  a_id = insert_ok (f, a);
  g_assert_true (procura_store_commit (f->store, NULL));
  g_assert_true (procura_store_in_transaction (f->store));
  b_id = insert_ok (f, b);

  /* nothing is visible to another connection before the outer commit */
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM organization"), ==, 0);

  g_assert_true (procura_store_commit (f->store, NULL));
  g_assert_false (procura_store_in_transaction (f->store));
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM organization"), ==, 2);
}

/* ======================================================================
 * Append-only history
 * ====================================================================== */

static void
test_history_append_only (Fixture *f)
{
  static const char * const attacks[] = {
    "UPDATE history SET new_value = 'forged'",
    "DELETE FROM history",
    "UPDATE change SET actor = 'someone else'",
    "DELETE FROM change",
  };
  G_GNUC_UNUSED g_autofree char *id = add_draft_project (f, "AO-001");
  Counts before = counts (f);

  for (guint i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      g_autofree char *msg = NULL;
      int rc;

      rc = db_exec (f, attacks[i], &msg);
      g_test_message ("%s → %d %s", attacks[i], rc, msg != NULL ? msg : "");
      g_assert_cmpint (rc & 0xff, ==, SQLITE_CONSTRAINT);
      g_assert_nonnull (msg);
      g_assert_nonnull (strstr (msg, "append-only"));
    }

  assert_counts_delta (before, counts (f), 0, 0, 0);
  g_assert_cmpint (db_int (f, "SELECT count(*) FROM history WHERE new_value = 'forged'"), ==, 0);
  assert_check_passes (f);
}

/* ======================================================================
 * Deletion, uniqueness
 * ====================================================================== */

static void
test_delete_referenced (Fixture *f)
{
  g_autofree char *agency = add_org (f, "阳光社工服务中心", "social_work_agency");
  g_autoptr(ProcuraRecord) project = new_project (f, "D-001");
  g_autofree char *project_id = NULL;
  g_autofree char *milestone = NULL;
  g_autofree char *payment = NULL;
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  Counts before;

  procura_record_set_string (project, "agency_id", agency);
  project_id = insert_ok (f, project);
  milestone = add_milestone (f, project_id, "首期", "2021-05-31");
  payment = add_payment (f, project_id, milestone, 100000);

  before = counts (f);
  g_assert_false (procura_store_delete (f->store, PROCURA_ENTITY_ORGANIZATION, agency, &e1));
  assert_error_names (e1, PROCURA_ERROR_REFERENCED, "Organization");
  g_assert_nonnull (strstr (e1->message, "Project"));

  g_assert_false (procura_store_delete (f->store, PROCURA_ENTITY_MILESTONE, milestone, &e2));
  assert_error_names (e2, PROCURA_ERROR_REFERENCED, "Milestone");
  g_assert_nonnull (strstr (e2->message, "Payment"));

  g_assert_false (procura_store_delete (f->store, PROCURA_ENTITY_PROJECT, project_id, &e3));
  assert_error_names (e3, PROCURA_ERROR_REFERENCED, "Project");
  assert_counts_delta (before, counts (f), 0, 0, 0);

  /* once nothing live refers to them, they can go, children first */
  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_PAYMENT, payment, NULL));
  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_MILESTONE, milestone, NULL));
  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_PROJECT, project_id, NULL));
  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_ORGANIZATION, agency, NULL));
  assert_check_passes (f);
}

static void
test_unique_uscc (Fixture *f)
{
  g_autoptr(ProcuraRecord) first = new_org_record (f, "阳光", "52420000MJH233402K");
  g_autoptr(ProcuraRecord) second = new_org_record (f, "月光", "52420000MJH233402K");
  g_autoptr(ProcuraRecord) third = new_org_record (f, "星光", "53420000MJH2448303");
  g_autoptr(ProcuraRecord) collide = NULL;
  g_autoptr(ProcuraRecord) after = new_org_record (f, "月光", "52420000MJH233402K");
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autofree char *first_id = insert_ok (f, first);
  g_autofree char *third_id = insert_ok (f, third);
  g_autofree char *after_id = NULL;
  Counts before = counts (f);

  g_assert_false (procura_store_insert (f->store, second, &e1));
  assert_error_names (e1, PROCURA_ERROR_DUPLICATE, "Unified social credit code");
  g_assert_nonnull (strstr (e1->message, "52420000MJH233402K"));

  collide = procura_record_new (PROCURA_ENTITY_ORGANIZATION, third_id);
  procura_record_set_string (collide, "uscc", "52420000MJH233402K");
  g_assert_false (procura_store_update (f->store, collide, &e2));
  assert_error_names (e2, PROCURA_ERROR_DUPLICATE, "Unified social credit code");
  assert_counts_delta (before, counts (f), 0, 0, 0);

  /* unique among live records: free again once deleted */
  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_ORGANIZATION, first_id, NULL));
  after_id = insert_ok (f, after);
  g_assert_cmpstr (after_id, !=, first_id);
  assert_check_passes (f);
}

static void
test_unique_project_code (Fixture *f)
{
  G_GNUC_UNUSED g_autofree char *one = add_draft_project (f, "GZ-2021-001");
  g_autofree char *two = add_draft_project (f, "GZ-2021-002");
  g_autoptr(ProcuraRecord) dup = new_project (f, "GZ-2021-001");
  g_autoptr(ProcuraRecord) rename = procura_record_new (PROCURA_ENTITY_PROJECT, two);
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;

  g_assert_false (procura_store_insert (f->store, dup, &e1));
  assert_error_names (e1, PROCURA_ERROR_DUPLICATE, "Project number");
  g_assert_nonnull (strstr (e1->message, "GZ-2021-001"));

  procura_record_set_string (rename, "code", "GZ-2021-001");
  g_assert_false (procura_store_update (f->store, rename, &e2));
  assert_error_names (e2, PROCURA_ERROR_DUPLICATE, "Project number");

  /* a grade scheme's name is unique too */
  {
    g_autoptr(ProcuraRecord) s1 = procura_record_new (PROCURA_ENTITY_GRADE_SCHEME, NULL);
    g_autoptr(ProcuraRecord) s2 = procura_record_new (PROCURA_ENTITY_GRADE_SCHEME, NULL);
    g_autofree char *s1_id = NULL;

    procura_record_set_string (s1, "name", "默认");
    procura_record_set_string (s1, "bands", "优秀>=90;良好>=80;合格>=60;不合格>=0");
    s1_id = insert_ok (f, s1);
    procura_record_set_string (s2, "name", "默认");
    procura_record_set_string (s2, "bands", "好>=60;差>=0");
    insert_fails (f, s2, PROCURA_ERROR_DUPLICATE, "Name");
  }
}

/* ======================================================================
 * Reads: find, resolve, list order, derived project id
 * ====================================================================== */

static void
test_find_and_resolve (Fixture *f)
{
  g_autofree char *uscc = NULL;
  g_autofree char *org = add_org_full (f, "阳光社工服务中心", "social_work_agency", &uscc);
  G_GNUC_UNUSED g_autofree char *twin1 = add_org (f, "同名机构", "other");
  G_GNUC_UNUSED g_autofree char *twin2 = add_org (f, "同名机构", "other");
  g_autofree char *project = add_draft_project (f, "GZ-2021-007");
  g_autofree char *milestone = add_milestone (f, project, "首期", "2021-05-31");
  g_autoptr(ProcuraRecord) found = NULL;
  g_autoptr(ProcuraRecord) found_m = NULL;
  g_autoptr(GError) e1 = NULL;
  g_autoptr(GError) e2 = NULL;
  g_autoptr(GError) e3 = NULL;
  char *resolved;

  found = procura_store_find (f->store, org, NULL);
  g_assert_nonnull (found);
  g_assert_true (procura_record_get_entity (found) == PROCURA_ENTITY_ORGANIZATION);
  found_m = procura_store_find (f->store, milestone, NULL);
  g_assert_nonnull (found_m);
  g_assert_true (procura_record_get_entity (found_m) == PROCURA_ENTITY_MILESTONE);
  g_assert_null (procura_store_find (f->store, "00000000-0000-4000-8000-000000000000", &e1));
  g_assert_error (e1, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);

  resolved = procura_store_resolve_ref (f->store, PROCURA_ENTITY_ORGANIZATION, uscc, NULL);
  g_assert_cmpstr (resolved, ==, org);
  g_free (resolved);
  resolved = procura_store_resolve_ref (f->store, PROCURA_ENTITY_ORGANIZATION, "阳光社工服务中心", NULL);
  g_assert_cmpstr (resolved, ==, org);
  g_free (resolved);
  resolved = procura_store_resolve_ref (f->store, PROCURA_ENTITY_ORGANIZATION, org, NULL);
  g_assert_cmpstr (resolved, ==, org);
  g_free (resolved);
  resolved = procura_store_resolve_ref (f->store, PROCURA_ENTITY_PROJECT, "GZ-2021-007", NULL);
  g_assert_cmpstr (resolved, ==, project);
  g_free (resolved);

  g_assert_null (procura_store_resolve_ref (f->store, PROCURA_ENTITY_ORGANIZATION, "同名机构", &e2));
  g_assert_error (e2, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_assert_null (procura_store_resolve_ref (f->store, PROCURA_ENTITY_PROJECT, "GZ-1999-001", &e3));
  g_assert_error (e3, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
}

static void
test_list_order_and_filter (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *other = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *m3 = add_milestone (f, project, "三", "2021-09-30");
  g_autofree char *m1 = add_milestone (f, project, "一", "2021-03-31");
  g_autofree char *m2 = add_milestone (f, project, "二", "2021-06-30");
  g_autofree char *mx = add_milestone (f, other, "别的", "2021-01-31");
  g_autoptr(GPtrArray) listed = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) bad = NULL;

  listed = procura_store_list (f->store, PROCURA_ENTITY_MILESTONE, "project_id", project, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (listed->len, ==, 3);
  g_assert_cmpstr (procura_record_get_id (g_ptr_array_index (listed, 0)), ==, m1);
  g_assert_cmpstr (procura_record_get_id (g_ptr_array_index (listed, 1)), ==, m2);
  g_assert_cmpstr (procura_record_get_id (g_ptr_array_index (listed, 2)), ==, m3);

  all = procura_store_list (f->store, PROCURA_ENTITY_MILESTONE, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 4);
  g_assert_cmpstr (procura_record_get_id (g_ptr_array_index (all, 0)), ==, mx);

  g_assert_null (procura_store_list (f->store, PROCURA_ENTITY_MILESTONE, "colour", "red", &bad));
  g_assert_error (bad, PROCURA_ERROR, PROCURA_ERROR_INVALID);
}

/* A child's project comes from its parent record; a contradiction is
 * refused. */
static void
test_project_id_derived (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *other = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "self", "2021-07-01");
  g_autofree char *foreign_meeting = NULL;
  g_autoptr(ProcuraRecord) criterion = procura_record_new (PROCURA_ENTITY_CRITERION, NULL);
  g_autoptr(ProcuraRecord) meeting = procura_record_new (PROCURA_ENTITY_ACTIVITY, NULL);
  g_autoptr(ProcuraRecord) item = procura_record_new (PROCURA_ENTITY_CONSULTATION, NULL);
  g_autoptr(ProcuraRecord) got = NULL;
  g_autoptr(ProcuraRecord) move = NULL;
  g_autoptr(GError) move_error = NULL;
  g_autofree char *criterion_id = NULL;

  procura_record_set_string (criterion, "evaluation_id", evaluation);
  procura_record_set_int (criterion, "level", 1);
  procura_record_set_string (criterion, "name", "成效");
  procura_record_set_int (criterion, "weight", 10000);
  criterion_id = insert_ok (f, criterion);
  got = get_ok (f, PROCURA_ENTITY_CRITERION, criterion_id);
  g_assert_cmpstr (procura_record_get_string (got, "project_id"), ==, project);

  procura_record_set_string (meeting, "project_id", other);
  procura_record_set_string (meeting, "kind", "consultation_meeting");
  procura_record_set_string (meeting, "title", "别处的议事会");
  procura_record_set_string (meeting, "date", "2021-08-27");
  foreign_meeting = insert_ok (f, meeting);

  procura_record_set_string (item, "project_id", project);
  procura_record_set_string (item, "month", "2021-08");
  procura_record_set_string (item, "source", "other");
  procura_record_set_string (item, "topic", "停车");
  procura_record_set_string (item, "meeting_id", foreign_meeting);
  insert_fails (f, item, PROCURA_ERROR_INVALID, "Consultation meeting");

  /* and a record never moves to another project */
  move = procura_record_new (PROCURA_ENTITY_CRITERION, criterion_id);
  procura_record_set_string (move, "project_id", other);
  g_assert_false (procura_store_update (f->store, move, &move_error));
  g_assert_error (move_error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
}

/* ======================================================================
 * Ledger, bundle, history query
 * ====================================================================== */

typedef struct
{
  char *p1;
  char *p2;
  char *p3;
  char *p4;
  char *agency1;
  char *agency2;
  char *uscc1;
  char *uscc2;
  char *m1;
  char *m2;
  char *m3;
  char *eval_mid;
  char *eval_final;
  char *eval_draft;
} Scenario;

static void
scenario_clear (Scenario *s)
{
  g_free (s->p1);
  g_free (s->p2);
  g_free (s->p3);
  g_free (s->p4);
  g_free (s->agency1);
  g_free (s->agency2);
  g_free (s->uscc1);
  g_free (s->uscc2);
  g_free (s->m1);
  g_free (s->m2);
  g_free (s->m3);
  g_free (s->eval_mid);
  g_free (s->eval_final);
  g_free (s->eval_draft);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Scenario, scenario_clear)

/* P1 GZ-2021-001 active, 东湖街道, elderly, agency 阳光, budget year 2021,
 *    value ¥100,000 + amendment ¥5,000, milestones due 03-31 (accepted),
 *    06-30 (overdue on FIXTURE_TODAY) and 12-15, ¥30,000 paid, final evaluations
 *    70 (mid-term, June) and 88 (final, September), a draft scored 95.
 * P2 GZ-2021-002 draft, youth, 西湖街道/湖滨社区, no agency, starts 2020.
 * P3 GZ-2022-003 active, elderly, 西湖街道/西湖社区, agency 明德, budget
 *    year 2022, own grade scheme, final evaluation 90.
 * P4 GZ-2021-004 draft, deleted. */
static void
scenario_build (Fixture  *f,
                Scenario *s)
{
  g_autofree char *buyer = add_org (f, "东湖区民政局", "civil_affairs_bureau");
  g_autoptr(ProcuraRecord) p1 = new_project (f, "GZ-2021-001");
  g_autoptr(ProcuraRecord) p2 = new_project (f, "GZ-2021-002");
  g_autoptr(ProcuraRecord) p3 = new_project (f, "GZ-2022-003");
  g_autoptr(ProcuraRecord) scheme = procura_record_new (PROCURA_ENTITY_GRADE_SCHEME, NULL);
  g_autofree char *scheme_id = NULL;
  g_autofree char *pay1 = NULL;
  g_autofree char *extra = NULL;
  g_autofree char *amendment = NULL;
  g_autofree char *c = NULL;
  g_autofree char *e3 = NULL;

  s->agency1 = add_org_full (f, "阳光社工服务中心", "social_work_agency", &s->uscc1);
  s->agency2 = add_org_full (f, "明德社会工作服务社", "social_work_agency", &s->uscc2);

  procura_record_set_string (p1, "title", "长者关爱服务");
  procura_record_set_string (p1, "buyer_id", buyer);
  set_contract (p1, s->agency1, FIXTURE_VALUE);
  procura_record_set_int (p1, "budget_year", 2021);
  procura_record_set_string (p1, "street", "东湖街道");
  procura_record_set_string (p1, "community", "东湖社区");
  s->p1 = insert_ok (f, p1);
  set_state (f, PROCURA_ENTITY_PROJECT, s->p1, "active");

  procura_record_set_string (p2, "title", "青少年成长");
  procura_record_set_string (p2, "category", "youth");
  procura_record_set_string (p2, "start_date", "2020-05-01");
  procura_record_set_string (p2, "end_date", "2020-12-31");
  procura_record_set_string (p2, "street", "西湖街道");
  procura_record_set_string (p2, "community", "湖滨社区");
  s->p2 = insert_ok (f, p2);

  procura_record_set_string (scheme, "name", "ABC");
  procura_record_set_string (scheme, "bands", "A>=85;B>=60;C>=0");
  scheme_id = insert_ok (f, scheme);

  procura_record_set_string (p3, "title", "助老服务");
  procura_record_set_string (p3, "buyer_id", buyer);
  procura_record_set_string (p3, "agency_id", s->agency2);
  procura_record_set_int (p3, "value", 5000000);
  procura_record_set_int (p3, "budget_year", 2022);
  procura_record_set_string (p3, "start_date", "2022-01-01");
  procura_record_set_string (p3, "end_date", "2022-12-31");
  procura_record_set_string (p3, "date_signed", "2021-12-20");
  procura_record_set_string (p3, "street", "西湖街道");
  procura_record_set_string (p3, "community", "西湖社区");
  procura_record_set_string (p3, "grade_scheme_id", scheme_id);
  s->p3 = insert_ok (f, p3);
  set_state (f, PROCURA_ENTITY_PROJECT, s->p3, "active");

  s->p4 = add_draft_project (f, "GZ-2021-004");
  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_PROJECT, s->p4, NULL));

  /* P1's figures */
  amendment = add_amendment (f, s->p1, 500000, NULL);
  s->m1 = add_milestone (f, s->p1, "第一季度", "2021-03-31");
  s->m2 = add_milestone (f, s->p1, "第二季度", "2021-06-30");
  s->m3 = add_milestone (f, s->p1, "年度总结", "2021-12-15");
  extra = add_milestone (f, s->p1, "取消的", "2021-02-28");
  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_MILESTONE, extra, NULL));
  pay1 = add_payment (f, s->p1, s->m1, 3000000);
  accept_milestone (f, s->m1);
  pay (f, pay1, 3000000, "2021-09-01");

  s->eval_mid = add_final_evaluation (f, s->p1, "midterm", "2021-06-01", 7000);
  s->eval_final = add_final_evaluation (f, s->p1, "final", "2021-09-01", 8800);
  s->eval_draft = add_evaluation (f, s->p1, "spot_check", "2021-09-10");
  c = add_criterion (f, s->eval_draft, NULL, 1, "抽查", 10000, 9500);

  e3 = add_final_evaluation (f, s->p3, "self", "2022-03-01", 9000);
}

static void
assert_ledger (Fixture                   *f,
               const ProcuraLedgerFilter *filter,
               const char                *as_of,
               const char                *codes)   /* comma-separated, in order */
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = procura_store_query_ledger (f->store, filter, as_of, &error);
  g_autoptr(GString) got = g_string_new (NULL);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  for (guint i = 0; i < rows->len; i++)
    g_string_append_printf (got, "%s%s", i > 0 ? "," : "",
                            ((ProcuraLedgerRow *) g_ptr_array_index (rows, i))->code);
  g_assert_cmpstr (got->str, ==, codes);
}

static void
test_ledger_filters (Fixture *f)
{
  g_auto(Scenario) s = { NULL, };
  ProcuraLedgerFilter filter;

  scenario_build (f, &s);

  assert_ledger (f, NULL, NULL, "GZ-2021-001,GZ-2021-002,GZ-2022-003");

  filter = (ProcuraLedgerFilter) { .status = "active" };
  assert_ledger (f, &filter, NULL, "GZ-2021-001,GZ-2022-003");
  filter = (ProcuraLedgerFilter) { .status = "draft" };
  assert_ledger (f, &filter, NULL, "GZ-2021-002");
  filter = (ProcuraLedgerFilter) { .status = "completed" };
  assert_ledger (f, &filter, NULL, "");

  filter = (ProcuraLedgerFilter) { .street = "东湖街道" };
  assert_ledger (f, &filter, NULL, "GZ-2021-001");
  filter = (ProcuraLedgerFilter) { .street = "西湖街道" };
  assert_ledger (f, &filter, NULL, "GZ-2021-002,GZ-2022-003");
  filter = (ProcuraLedgerFilter) { .community = "西湖社区" };
  assert_ledger (f, &filter, NULL, "GZ-2022-003");

  filter = (ProcuraLedgerFilter) { .agency = s.uscc1 };
  assert_ledger (f, &filter, NULL, "GZ-2021-001");
  filter = (ProcuraLedgerFilter) { .agency = "明德社会工作服务社" };
  assert_ledger (f, &filter, NULL, "GZ-2022-003");
  filter = (ProcuraLedgerFilter) { .agency = s.agency1 };
  assert_ledger (f, &filter, NULL, "GZ-2021-001");
  filter = (ProcuraLedgerFilter) { .agency = "不存在的机构" };
  assert_ledger (f, &filter, NULL, "");

  filter = (ProcuraLedgerFilter) { .category = "elderly" };
  assert_ledger (f, &filter, NULL, "GZ-2021-001,GZ-2022-003");
  filter = (ProcuraLedgerFilter) { .category = "youth" };
  assert_ledger (f, &filter, NULL, "GZ-2021-002");

  filter = (ProcuraLedgerFilter) { .year = 2021 };
  assert_ledger (f, &filter, NULL, "GZ-2021-001");
  filter = (ProcuraLedgerFilter) { .year = 2020 };   /* from the start date */
  assert_ledger (f, &filter, NULL, "GZ-2021-002");
  filter = (ProcuraLedgerFilter) { .year = 2022 };
  assert_ledger (f, &filter, NULL, "GZ-2022-003");

  filter = (ProcuraLedgerFilter) { .overdue_only = TRUE };
  assert_ledger (f, &filter, NULL, "GZ-2021-001");
  assert_ledger (f, &filter, "2021-06-30", "");
  assert_ledger (f, &filter, "2021-07-01", "GZ-2021-001");

  filter = (ProcuraLedgerFilter) { .search = "关爱" };
  assert_ledger (f, &filter, NULL, "GZ-2021-001");
  filter = (ProcuraLedgerFilter) { .search = "GZ-2022" };
  assert_ledger (f, &filter, NULL, "GZ-2022-003");
  filter = (ProcuraLedgerFilter) { .search = "阳光" };
  assert_ledger (f, &filter, NULL, "GZ-2021-001");
  filter = (ProcuraLedgerFilter) { .search = "湖滨" };
  assert_ledger (f, &filter, NULL, "GZ-2021-002");
  filter = (ProcuraLedgerFilter) { .search = "GZ-2021" };
  assert_ledger (f, &filter, NULL, "GZ-2021-001,GZ-2021-002");
  filter = (ProcuraLedgerFilter) { .search = "无此项目" };
  assert_ledger (f, &filter, NULL, "");

  filter = (ProcuraLedgerFilter) { .status = "active", .category = "elderly", .street = "西湖街道" };
  assert_ledger (f, &filter, NULL, "GZ-2022-003");
  filter = (ProcuraLedgerFilter) { .status = "draft", .agency = s.uscc1 };
  assert_ledger (f, &filter, NULL, "");
}

static ProcuraLedgerRow *
ledger_row (GPtrArray  *rows,
            const char *code)
{
  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (row->code, code) == 0)
        return row;
    }

  g_assert_not_reached ();
}

static void
test_ledger_figures (Fixture *f)
{
  g_auto(Scenario) s = { NULL, };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) later = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraLedgerRow *row;

  scenario_build (f, &s);
  rows = procura_store_query_ledger (f->store, NULL, NULL, &error);
  g_assert_no_error (error);

  row = ledger_row (rows, "GZ-2021-001");
  g_assert_cmpstr (row->id, ==, s.p1);
  g_assert_cmpstr (row->title, ==, "长者关爱服务");
  g_assert_cmpstr (row->agency_id, ==, s.agency1);
  g_assert_cmpstr (row->agency_name, ==, "阳光社工服务中心");
  g_assert_cmpstr (row->street, ==, "东湖街道");
  g_assert_cmpstr (row->community, ==, "东湖社区");
  g_assert_cmpstr (row->category, ==, "elderly");
  g_assert_cmpstr (row->status, ==, "active");
  g_assert_cmpstr (row->start_date, ==, FIXTURE_START);
  g_assert_cmpstr (row->end_date, ==, FIXTURE_END);
  g_assert_cmpint (row->budget_year, ==, 2021);
  g_assert_cmpint (row->value, ==, FIXTURE_VALUE);
  g_assert_cmpint (row->amended_value, ==, FIXTURE_VALUE + 500000);
  g_assert_cmpint (row->paid, ==, 3000000);
  g_assert_cmpint (procura_ledger_row_get_balance (row), ==, FIXTURE_VALUE + 500000 - 3000000);
  g_assert_cmpuint (row->n_milestones, ==, 3);   /* the deleted one does not count */
  g_assert_cmpuint (row->n_accepted, ==, 1);
  g_assert_cmpuint (procura_ledger_row_get_progress (row), ==, 333);
  g_assert_cmpstr (row->next_due, ==, "2021-06-30");
  g_assert_cmpuint (row->n_overdue, ==, 1);
  g_assert_cmpint (row->latest_score, ==, 8800);   /* September's final, not the draft */
  g_assert_cmpstr (row->latest_grade, ==, "良好");

  row = ledger_row (rows, "GZ-2021-002");
  g_assert_null (row->agency_id);
  g_assert_null (row->agency_name);
  g_assert_cmpint (row->budget_year, ==, 0);
  g_assert_cmpint (row->value, ==, 0);
  g_assert_cmpint (row->paid, ==, 0);
  g_assert_cmpuint (row->n_milestones, ==, 0);
  g_assert_cmpuint (procura_ledger_row_get_progress (row), ==, 0);
  g_assert_null (row->next_due);
  g_assert_cmpint (row->latest_score, ==, -1);
  g_assert_null (row->latest_grade);

  row = ledger_row (rows, "GZ-2022-003");
  g_assert_cmpint (row->amended_value, ==, 5000000);
  g_assert_cmpint (row->latest_score, ==, 9000);
  g_assert_cmpstr (row->latest_grade, ==, "A");   /* the project's own scheme */

  /* overdue as of another date */
  later = procura_store_query_ledger (f->store, NULL, "2021-12-31", &error);
  g_assert_no_error (error);
  row = ledger_row (later, "GZ-2021-001");
  g_assert_cmpuint (row->n_overdue, ==, 2);

  /* the JSON form carries the derived figures */
  {
    g_autoptr(JsonNode) node = procura_ledger_row_to_json (ledger_row (rows, "GZ-2021-001"));
    JsonObject *o = json_node_get_object (node);

    g_assert_cmpint (json_object_get_int_member (o, "paid"), ==, 3000000);
    g_assert_cmpint (json_object_get_int_member (o, "balance"), ==, FIXTURE_VALUE + 500000 - 3000000);
    g_assert_cmpint (json_object_get_int_member (o, "progress_permille"), ==, 333);
    g_assert_cmpstr (json_object_get_string_member (o, "latest_score"), ==, "88");
    g_assert_cmpstr (json_object_get_string_member (o, "latest_grade"), ==, "良好");
  }
}

static void
test_bundle (Fixture *f)
{
  g_auto(Scenario) s = { NULL, };
  g_autoptr(ProcuraProjectBundle) bundle = NULL;
  g_autoptr(ProcuraProjectBundle) gone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) gone_error = NULL;
  g_autoptr(ProcuraRecord) report = procura_record_new (PROCURA_ENTITY_REPORT, NULL);
  g_autoptr(ProcuraRecord) attachment = procura_record_new (PROCURA_ENTITY_ATTACHMENT, NULL);
  g_autoptr(ProcuraRecord) indicator = procura_record_new (PROCURA_ENTITY_INDICATOR, NULL);
  g_autoptr(ProcuraRecord) period = procura_record_new (PROCURA_ENTITY_INDICATOR_PERIOD, NULL);
  g_autoptr(ProcuraRecord) activity = procura_record_new (PROCURA_ENTITY_ACTIVITY, NULL);
  g_autoptr(ProcuraRecord) item = procura_record_new (PROCURA_ENTITY_CONSULTATION, NULL);
  g_autoptr(ProcuraRecord) elsewhere = procura_record_new (PROCURA_ENTITY_INDICATOR, NULL);
  g_autofree char *report_id = NULL;
  g_autofree char *attachment_id = NULL;
  g_autofree char *indicator_id = NULL;
  g_autofree char *period_id = NULL;
  g_autofree char *activity_id = NULL;
  g_autofree char *item_id = NULL;
  g_autofree char *elsewhere_id = NULL;
  g_autofree char *grade = NULL;
  const ProcuraEntityInfo * const *all;
  guint n_all;

  scenario_build (f, &s);

  procura_record_set_string (report, "project_id", s.p1);
  procura_record_set_string (report, "milestone_id", s.m2);
  procura_record_set_string (report, "title", "第二季度报告");
  report_id = insert_ok (f, report);
  procura_record_set_string (attachment, "report_id", report_id);
  procura_record_set_string (attachment, "name", "照片.jpg");
  procura_record_set_string (attachment, "mime_type", "image/jpeg");
  procura_record_set_int (attachment, "size", 3);
  procura_record_set_string (attachment, "sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  procura_record_set_string (attachment, "project_id", s.p1);
  attachment_id = insert_ok (f, attachment);
  procura_record_set_string (indicator, "project_id", s.p1);
  procura_record_set_string (indicator, "title", "满意度");
  procura_record_set_string (indicator, "result_type", "outcome");
  procura_record_set_string (indicator, "measure", "percentage");
  indicator_id = insert_ok (f, indicator);
  procura_record_set_string (period, "indicator_id", indicator_id);
  procura_record_set_string (period, "period_start", "2021-01-01");
  procura_record_set_string (period, "period_end", "2021-06-30");
  procura_record_set_int (period, "actual_value", 9150);
  period_id = insert_ok (f, period);
  procura_record_set_string (activity, "project_id", s.p1);
  procura_record_set_string (activity, "kind", "consultation_meeting");
  procura_record_set_string (activity, "title", "议事会");
  procura_record_set_string (activity, "date", "2021-08-27");
  activity_id = insert_ok (f, activity);
  procura_record_set_string (item, "month", "2021-08");
  procura_record_set_string (item, "source", "online_survey");
  procura_record_set_string (item, "topic", "加装电梯");
  procura_record_set_string (item, "meeting_id", activity_id);
  procura_record_set_string (item, "project_id", s.p1);
  item_id = insert_ok (f, item);
  procura_record_set_string (elsewhere, "project_id", s.p3);
  procura_record_set_string (elsewhere, "title", "别的项目的指标");
  procura_record_set_string (elsewhere, "result_type", "output");
  procura_record_set_string (elsewhere, "measure", "unit");
  elsewhere_id = insert_ok (f, elsewhere);

  bundle = procura_store_load_project (f->store, s.p1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (bundle);
  g_assert_cmpstr (procura_record_get_id (bundle->project), ==, s.p1);
  g_assert_nonnull (bundle->agency);
  g_assert_cmpstr (procura_record_get_id (bundle->agency), ==, s.agency1);
  g_assert_nonnull (bundle->buyer);
  g_assert_cmpstr (procura_record_get_string (bundle->buyer, "name"), ==, "东湖区民政局");
  g_assert_null (bundle->grade_scheme);

  g_assert_cmpuint (bundle->amendments->len, ==, 1);
  g_assert_cmpuint (bundle->milestones->len, ==, 3);
  g_assert_cmpuint (bundle->payments->len, ==, 1);
  g_assert_cmpuint (bundle->reports->len, ==, 1);
  g_assert_cmpuint (bundle->attachments->len, ==, 1);
  g_assert_cmpuint (bundle->evaluations->len, ==, 3);
  g_assert_cmpuint (bundle->criteria->len, ==, 3);
  g_assert_cmpuint (bundle->indicators->len, ==, 1);
  g_assert_cmpuint (bundle->indicator_periods->len, ==, 1);
  g_assert_cmpuint (bundle->activities->len, ==, 1);
  g_assert_cmpuint (bundle->consultations->len, ==, 1);
  g_assert_cmpstr (procura_record_get_id (g_ptr_array_index (bundle->indicators, 0)), ==, indicator_id);
  g_assert_cmpstr (procura_record_get_id (g_ptr_array_index (bundle->consultations, 0)), ==, item_id);

  /* every child belongs to the project; the accessor agrees */
  all = procura_schema_entities (&n_all);
  for (guint e = 0; e < n_all; e++)
    {
      GPtrArray *children = procura_project_bundle_get_children (bundle, all[e]);

      if (!all[e]->project_scoped)
        {
          g_assert_null (children);
          continue;
        }
      g_assert_nonnull (children);
      for (guint i = 0; i < children->len; i++)
        g_assert_cmpstr (procura_record_get_string (g_ptr_array_index (children, i), "project_id"), ==, s.p1);
    }

  /* derived figures */
  g_assert_cmpint (procura_project_amended_value (bundle), ==, FIXTURE_VALUE + 500000);
  g_assert_cmpint (procura_project_paid (bundle), ==, 3000000);
  g_assert_cmpint (procura_project_balance (bundle), ==, FIXTURE_VALUE + 500000 - 3000000);
  g_assert_cmpuint (procura_project_progress (bundle), ==, 333);
  g_assert_cmpuint (procura_project_count_overdue (bundle, FIXTURE_TODAY), ==, 1);
  g_assert_cmpuint (procura_project_count_overdue (bundle, "2021-12-31"), ==, 2);
  g_assert_cmpint (procura_evaluation_total (bundle, s.eval_final), ==, 8800);
  g_assert_cmpint (procura_evaluation_total (bundle, s.eval_mid), ==, 7000);
  grade = procura_evaluation_grade (bundle, s.eval_final);
  g_assert_cmpstr (grade, ==, "良好");
  g_free (grade);
  grade = procura_evaluation_grade (bundle, s.eval_mid);
  g_assert_cmpstr (grade, ==, "合格");

  /* a deleted project has no bundle */
  gone = procura_store_load_project (f->store, s.p4, &gone_error);
  g_assert_null (gone);
  g_assert_error (gone_error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
  assert_check_passes (f);
}

static void
test_history_query (Fixture *f)
{
  g_autofree char *p = add_draft_project (f, "HQ-001");
  g_autofree char *q = add_draft_project (f, "HQ-002");
  g_autofree char *m = add_milestone (f, p, "首期", "2021-05-31");
  g_autoptr(GPtrArray) of_p = NULL;
  g_autoptr(GPtrArray) of_m = NULL;
  ProcuraHistoryEntry *first;
  guint n_p_insert, n_m_insert;

  set_text (f, PROCURA_ENTITY_PROJECT, p, "title", "改名");
  set_text (f, PROCURA_ENTITY_PROJECT, q, "title", "别的项目改名");
  set_text (f, PROCURA_ENTITY_MILESTONE, m, "title", "第一期");
  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_MILESTONE, m, NULL));

  of_p = history_of (f, p);
  /* newest first */
  for (guint i = 1; i < of_p->len; i++)
    g_assert_cmpint (((ProcuraHistoryEntry *) g_ptr_array_index (of_p, i - 1))->change_id, >=,
                     ((ProcuraHistoryEntry *) g_ptr_array_index (of_p, i))->change_id);
  first = g_ptr_array_index (of_p, 0);
  g_assert_cmpstr (first->record_id, ==, m);
  g_assert_cmpstr (first->op, ==, "delete");
  g_assert_cmpstr (first->entity, ==, "milestone");
  g_assert_cmpstr (first->project_id, ==, p);

  /* children included, other projects not */
  n_p_insert = count_entries (of_p, p, "insert");
  n_m_insert = count_entries (of_p, m, "insert");
  g_assert_cmpuint (n_p_insert, ==, 5);   /* code, title, category, method, status */
  g_assert_cmpuint (n_m_insert, ==, 5);   /* project, title, type, due date, status */
  g_assert_cmpuint (count_entries (of_p, m, "update"), ==, 1);
  g_assert_cmpuint (count_entries (of_p, p, "update"), ==, 1);
  g_assert_cmpuint (of_p->len, ==, n_p_insert + n_m_insert + 1 + 1 + 1);
  for (guint i = 0; i < of_p->len; i++)
    g_assert_cmpstr (((ProcuraHistoryEntry *) g_ptr_array_index (of_p, i))->project_id, ==, p);

  /* the oldest entries are the project's creation */
  g_assert_cmpstr (((ProcuraHistoryEntry *) g_ptr_array_index (of_p, of_p->len - 1))->record_id, ==, p);
  g_assert_cmpstr (((ProcuraHistoryEntry *) g_ptr_array_index (of_p, of_p->len - 1))->op, ==, "insert");

  /* a child's history is its own */
  of_m = history_of (f, m);
  g_assert_cmpuint (of_m->len, ==, n_m_insert + 1 + 1);
  for (guint i = 0; i < of_m->len; i++)
    g_assert_cmpstr (((ProcuraHistoryEntry *) g_ptr_array_index (of_m, i))->record_id, ==, m);

  /* the JSON form */
  {
    g_autoptr(JsonNode) node = procura_history_entry_to_json (first);
    JsonObject *o = json_node_get_object (node);

    g_assert_cmpstr (json_object_get_string_member (o, "op"), ==, "delete");
    g_assert_cmpstr (json_object_get_string_member (o, "field"), ==, "deleted");
    g_assert_cmpstr (json_object_get_string_member (o, "old"), ==, "false");
    g_assert_cmpstr (json_object_get_string_member (o, "new"), ==, "true");
    g_assert_cmpstr (json_object_get_string_member (o, "actor"), ==, "tester");
  }
}

/* Cascaded writes are history of the project too, with the same actor. */
static void
test_history_cascade (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "首期", "2021-05-31");
  g_autofree char *payment = add_payment (f, project, milestone, 100000);
  g_autoptr(ProcuraRecord) report = procura_record_new (PROCURA_ENTITY_REPORT, NULL);
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *report_id = NULL;
  ProcuraHistoryEntry *e;
  Counts before;

  procura_record_set_string (report, "project_id", project);
  procura_record_set_string (report, "milestone_id", milestone);
  procura_record_set_string (report, "title", "首期报告");
  report_id = insert_ok (f, report);
  set_state (f, PROCURA_ENTITY_REPORT, report_id, "submitted");

  procura_store_set_actor (f->store, "审核员");
  before = counts (f);
  set_state (f, PROCURA_ENTITY_REPORT, report_id, "accepted");
  /* report: state + reviewed_at; milestone: status + date_met; payment:
   * status. Only the report's write is queued for sync: the server runs
   * the cascades itself. */
  assert_counts_delta (before, counts (f), 5, 3, 1);

  history = history_of (f, project);
  e = find_entry (history, milestone, "update", "date_met");
  g_assert_nonnull (e);
  g_assert_cmpstr (e->new_value, ==, FIXTURE_TODAY);
  g_assert_cmpstr (e->actor, ==, "审核员");
  e = find_entry (history, payment, "update", "status");
  g_assert_nonnull (e);
  g_assert_cmpstr (e->old_value, ==, "planned");
  g_assert_cmpstr (e->new_value, ==, "payable");
  g_assert_cmpstr (e->actor, ==, "审核员");
  assert_check_passes (f);
}

/* ======================================================================
 * The consistency check
 * ====================================================================== */

static void
build_good_data (Fixture *f,
                 char   **out_project,
                 char   **out_milestone,
                 char   **out_payment)
{
  g_auto(Scenario) s = { NULL, };
  g_autofree char *payment = NULL;

  scenario_build (f, &s);
  payment = add_payment (f, s.p1, NULL, 1000000);
  pay (f, payment, 1000000, "2021-09-10");
  if (out_project != NULL)
    *out_project = g_strdup (s.p1);
  if (out_milestone != NULL)
    *out_milestone = g_strdup (s.m2);
  if (out_payment != NULL)
    *out_payment = g_steal_pointer (&payment);
}

/* Dry runs give the error a save would give, and write nothing. */
static void
test_dry_run (Fixture *f)
{
  g_autoptr(ProcuraRecord) org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  g_autoptr(ProcuraRecord) good = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  g_autoptr(ProcuraRecord) change = NULL;
  g_autoptr(ProcuraRecord) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  Counts before = counts (f);

  procura_record_set_string (org, "name", "试填机构");
  procura_record_set_string (org, "uscc", "52420000MJH233402A");   /* wrong check character */
  procura_record_set_string (org, "kind", "social_work_agency");
  g_assert_false (procura_store_check_insert (f->store, org, &error));
  assert_error_names (error, PROCURA_ERROR_INVALID, "Unified social credit code");
  g_clear_error (&error);

  procura_record_set_string (good, "name", "试填机构");
  procura_record_set_string (good, "uscc", "52420000MJH233402K");
  procura_record_set_string (good, "kind", "social_work_agency");
  g_assert_true (procura_store_check_insert (f->store, good, &error));
  g_assert_no_error (error);
  /* the record given is left as it was: no id assigned, nothing written */
  g_assert_null (procura_record_get_id (good));
  assert_counts_delta (before, counts (f), 0, 0, 0);
  g_assert_null (procura_store_resolve_ref (f->store, PROCURA_ENTITY_ORGANIZATION, "52420000MJH233402K", NULL));

  /* an update over the amendment-free payment limit, checked, not applied */
  change = procura_record_new (PROCURA_ENTITY_PROJECT, project);
  procura_record_set_int (change, "value", -1);
  g_assert_false (procura_store_check_update (f->store, change, &error));
  assert_error_names (error, PROCURA_ERROR_INVALID, "Contract value");
  g_clear_error (&error);
  procura_record_set_int (change, "value", FIXTURE_VALUE * 2);
  g_assert_true (procura_store_check_update (f->store, change, &error));
  g_assert_no_error (error);
  after = get_ok (f, PROCURA_ENTITY_PROJECT, project);
  g_assert_cmpint (procura_record_get_int (after, "value", 0), ==, FIXTURE_VALUE);
  assert_counts_delta (before, counts (f), 0, 0, 0);
  assert_check_passes (f);
}

/* A closed project has nothing due: its open milestones are neither
 * overdue nor next due in the ledger. */
static void
test_ledger_closed_not_overdue (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "过期节点", "2021-03-31");
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraLedgerRow *row;

  rows = procura_store_query_ledger (f->store, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpuint (row->n_overdue, ==, 1);
  g_assert_cmpstr (row->next_due, ==, "2021-03-31");
  g_clear_pointer (&rows, g_ptr_array_unref);

  set_state (f, PROCURA_ENTITY_PROJECT, project, "terminated");
  rows = procura_store_query_ledger (f->store, NULL, NULL, &error);
  g_assert_no_error (error);
  row = g_ptr_array_index (rows, 0);
  g_assert_cmpuint (row->n_overdue, ==, 0);
  g_assert_null (row->next_due);
  g_clear_pointer (&rows, g_ptr_array_unref);

  {
    ProcuraLedgerFilter overdue = { .overdue_only = TRUE };

    rows = procura_store_query_ledger (f->store, &overdue, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (rows->len, ==, 0);
  }
  (void) milestone;
}

static void
test_check_good (Fixture *f)
{
  build_good_data (f, NULL, NULL, NULL);
  assert_check_passes (f);
}

static void
test_check_tampered_value (Fixture *f)
{
  g_autofree char *project = NULL;

  build_good_data (f, &project, NULL, NULL);
  assert_check_passes (f);

  db_exec_ok (f, "UPDATE project SET value = 99999999 WHERE id = '%s'", project);
  assert_check_finds (f, project, "value", "10000000", "99999999", NULL);
}

static void
test_check_tampered_text (Fixture *f)
{
  g_autofree char *milestone = NULL;

  build_good_data (f, NULL, &milestone, NULL);
  db_exec_ok (f, "UPDATE milestone SET due_date = '2021-08-31' WHERE id = '%s'", milestone);
  assert_check_finds (f, milestone, "due_date", NULL);
}

static void
test_check_tampered_undelete (Fixture *f)
{
  g_autofree char *id = add_draft_project (f, "T-001");

  g_assert_true (procura_store_delete (f->store, PROCURA_ENTITY_PROJECT, id, NULL));
  assert_check_passes (f);
  db_exec_ok (f, "UPDATE project SET deleted = 0 WHERE id = '%s'", id);
  assert_check_finds (f, id, NULL);
}

static void
test_check_invalid_enum (Fixture *f)
{
  g_autofree char *project = NULL;
  g_autofree char *milestone = NULL;

  build_good_data (f, &project, &milestone, NULL);
  db_exec_ok (f, "INSERT INTO project (id, rev, deleted, created_at, updated_at, code, title, "
                 "category, method, status) VALUES ('0b3f6c1e-5b7a-4c1d-9e2f-3a4b5c6d7e8f', 0, 0, "
                 "'2021-01-01T00:00:00Z', '2021-01-01T00:00:00Z', 'X-1', 'x', 'elderly', "
                 "'open_tender', 'approved')");
  assert_check_finds (f, "project.status", "approved", NULL);

  db_exec_ok (f, "UPDATE milestone SET status = 'overdue' WHERE id = '%s'", milestone);
  assert_check_finds (f, "milestone.status", "overdue", NULL);
}

static void
test_check_foreign_key (Fixture *f)
{
  g_autofree char *milestone = NULL;

  build_good_data (f, NULL, &milestone, NULL);
  db_exec_ok (f, "PRAGMA foreign_keys = OFF; UPDATE milestone SET project_id = "
                 "'ffffffff-ffff-4fff-bfff-ffffffffffff' WHERE id = '%s'", milestone);
  assert_check_finds (f, "milestone", "missing", "project", NULL);
}

static void
test_check_money_limit (Fixture *f)
{
  g_autofree char *payment = NULL;

  build_good_data (f, NULL, NULL, &payment);
  db_exec_ok (f, "UPDATE payment SET paid_amount = 99000000 WHERE id = '%s'", payment);
  assert_check_finds (f, "Payments exceed", "GZ-2021-001", NULL);
}

static void
test_check_removed_row (Fixture *f)
{
  g_autofree char *milestone = NULL;

  build_good_data (f, NULL, &milestone, NULL);
  db_exec_ok (f, "PRAGMA foreign_keys = OFF; DELETE FROM milestone WHERE id = '%s'", milestone);
  assert_check_finds (f, milestone, "no record", NULL);
}

static void
test_check_bad_uscc (Fixture *f)
{
  g_autofree char *org = add_org (f, "阳光", "social_work_agency");

  /* forge the value and its history alike: only the credit code rule can tell */
  db_exec_ok (f, "UPDATE organization SET uscc = '9144030071526726XH' WHERE id = '%s'", org);
  db_exec_ok (f, "DROP TRIGGER history_no_update; "
                 "UPDATE history SET new_value = '9144030071526726XH' WHERE field = 'uscc'");
  assert_check_finds (f, org, "Unified social credit code", NULL);
}

/* ---- running tests ------------------------------------------------- */

int
main (int argc, char *argv[])
{
  static const FixtureTest tests[] = {
    { "/store/open", test_open },
    { "/store/dry-run", test_dry_run },
    { "/store/ledger/closed-not-overdue", test_ledger_closed_not_overdue },
    { "/store/round-trip/organization", test_round_trip_organization },
    { "/store/round-trip/grade_scheme", test_round_trip_grade_scheme },
    { "/store/round-trip/project", test_round_trip_project },
    { "/store/round-trip/amendment", test_round_trip_amendment },
    { "/store/round-trip/milestone", test_round_trip_milestone },
    { "/store/round-trip/payment", test_round_trip_payment },
    { "/store/round-trip/report", test_round_trip_report },
    { "/store/round-trip/attachment", test_round_trip_attachment },
    { "/store/round-trip/evaluation", test_round_trip_evaluation },
    { "/store/round-trip/criterion", test_round_trip_criterion },
    { "/store/round-trip/indicator", test_round_trip_indicator },
    { "/store/round-trip/indicator_period", test_round_trip_indicator_period },
    { "/store/round-trip/activity", test_round_trip_activity },
    { "/store/round-trip/consultation", test_round_trip_consultation },
    { "/store/round-trip/workflow-fields", test_round_trip_workflow_fields },
    { "/store/round-trip/covers-catalogue", test_round_trip_covers_catalogue },
    { "/store/insert/history", test_history_per_field },
    { "/store/insert/outbox", test_outbox_rows },
    { "/store/insert/actor-device", test_history_actor_device },
    { "/store/insert/refused-leaves-nothing", test_refused_write_leaves_nothing },
    { "/store/insert/required-and-references", test_required_and_references },
    { "/store/insert/ids", test_insert_ids },
    { "/store/transaction/savepoint", test_transaction_savepoint },
    { "/store/transaction/failed-cascade", test_transaction_failed_cascade },
    { "/store/transaction/rollback", test_transaction_rollback },
    { "/store/transaction/nested", test_transaction_nested },
    { "/store/history/append-only", test_history_append_only },
    { "/store/delete/referenced", test_delete_referenced },
    { "/store/unique/uscc", test_unique_uscc },
    { "/store/unique/project-code", test_unique_project_code },
    { "/store/read/find-and-resolve", test_find_and_resolve },
    { "/store/read/list", test_list_order_and_filter },
    { "/store/read/derived-project-id", test_project_id_derived },
    { "/store/ledger/filters", test_ledger_filters },
    { "/store/ledger/figures", test_ledger_figures },
    { "/store/bundle", test_bundle },
    { "/store/history/query", test_history_query },
    { "/store/history/cascade", test_history_cascade },
    { "/store/check/good", test_check_good },
    { "/store/check/tampered-value", test_check_tampered_value },
    { "/store/check/tampered-text", test_check_tampered_text },
    { "/store/check/tampered-undelete", test_check_tampered_undelete },
    { "/store/check/invalid-enum", test_check_invalid_enum },
    { "/store/check/foreign-key", test_check_foreign_key },
    { "/store/check/money-limit", test_check_money_limit },
    { "/store/check/removed-row", test_check_removed_row },
    { "/store/check/bad-credit-code", test_check_bad_uscc },
    { "/store/sync/write-origin", test_write_origin },
    { "/store/sync/server-mode", test_server_mode },
  };

  procura_test_init (&argc, &argv);
  fixture_add_tests ("procura-test-store-XXXXXX", tests, G_N_ELEMENTS (tests));

  return g_test_run ();
}
