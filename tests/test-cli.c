/* test-cli.c — procura-cli end to end
 *
 * Runs the real command-line tool ($PROCURA_CLI) in temporary data
 * directories: a small district ledger is entered the way an officer and
 * an agency would, then read back through list, show, history, stats and
 * check, as text and as JSON. Every kind of bad input must exit 1 with one
 * line on stderr naming the field or argument and the reason, and must
 * leave the store exactly as it was.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#include "procura-store.h"
#include "procura-test-utils.h"

#define TODAY "2025-11-01"

/* Valid credit codes (GB 32100 check characters) */
#define USCC_BUREAU   "113101040000000190"
#define USCC_AGENCY_A "52310104501234569J"
#define USCC_AGENCY_B "52310104501234577D"
#define USCC_EVAL     "523101041234567883"
#define USCC_SPARE    "11310104111111117L"

static const char *cli_path;
static char **cli_env;

/* ---- running the tool ------------------------------------------------ */

typedef struct
{
  int   status;   /* exit code; -1 when killed */
  char *out;
  char *err;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->out, g_free);
  g_clear_pointer (&r->err, g_free);
  r->status = 0;
}

typedef struct
{
  char       *root;      /* temporary directory holding everything */
  char       *data_dir;
  const char *actor;
  const char *today;
  gboolean    options_first;  /* global options before the command */
  GHashTable *ids;       /* "P1" → uuid */
} Session;

static Session *
session_new (void)
{
  Session *s = g_new0 (Session, 1);

  s->root = procura_test_make_tmp_dir ("procura-cli-XXXXXX");
  s->data_dir = g_build_filename (s->root, "data", NULL);
  s->actor = "王芳";
  s->today = TODAY;
  s->ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  return s;
}

static void
session_free (Session *s)
{
  procura_test_remove_tree (s->root);
  g_free (s->root);
  g_free (s->data_dir);
  g_hash_table_unref (s->ids);
  g_free (s);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Session, session_free)

static const char *
id_of (Session    *s,
       const char *name)
{
  const char *id = g_hash_table_lookup (s->ids, name);

  if (id == NULL)
    g_error ("no id recorded for %s", name);
  return id;
}

/* "@P1" → its id; "project_id=@P1" → "project_id=<id>" */
static char *
substitute (Session    *s,
            const char *arg)
{
  const char *at;

  if (arg[0] == '@')
    return g_strdup (id_of (s, arg + 1));

  at = strstr (arg, "=@");
  if (at != NULL)
    {
      g_autofree char *prefix = g_strndup (arg, at + 1 - arg);
      return g_strconcat (prefix, id_of (s, at + 2), NULL);
    }

  return g_strdup (arg);
}

/* Runs procura-cli with args (already substituted) plus the session's
 * global options. */
static void
run_argv (Session            *s,
          Result             *r,
          const char * const *args,
          gboolean            with_globals)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) globals = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  gboolean own_today = FALSE;
  int wait_status = 0;

  /* a test of --today itself gives its own, which must not be overridden */
  for (guint i = 0; args[i] != NULL; i++)
    own_today |= strcmp (args[i], "--today") == 0;

  if (with_globals)
    {
      g_ptr_array_add (globals, (gpointer) "--data-dir");
      g_ptr_array_add (globals, s->data_dir);
      g_ptr_array_add (globals, (gpointer) "--actor");
      g_ptr_array_add (globals, (gpointer) s->actor);
      if (!own_today)
        {
          g_ptr_array_add (globals, (gpointer) "--today");
          g_ptr_array_add (globals, (gpointer) s->today);
        }
    }

  g_ptr_array_add (argv, g_strdup (cli_path));
  if (s->options_first)
    for (guint i = 0; i < globals->len; i++)
      g_ptr_array_add (argv, g_strdup (g_ptr_array_index (globals, i)));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, substitute (s, args[i]));
  if (!s->options_first)
    for (guint i = 0; i < globals->len; i++)
      g_ptr_array_add (argv, g_strdup (g_ptr_array_index (globals, i)));
  g_ptr_array_add (argv, NULL);

  result_clear (r);
  g_spawn_sync (NULL, (char **) argv->pdata, cli_env, G_SPAWN_DEFAULT, NULL, NULL,
                &r->out, &r->err, &wait_status, &error);
  g_assert_no_error (error);

  r->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  if (WIFSIGNALED (wait_status))
    g_error ("procura-cli %s died of signal %d; stderr: %s",
             (const char *) argv->pdata[1], WTERMSIG (wait_status), r->err);
}

/* Runs procura-cli with the arguments in before (NULL-terminated, or
 * NULL), then first and the rest of ap, and the session's global options. */
static void
runv (Session            *s,
      Result             *r,
      const char * const *before,
      const char         *first,
      va_list             ap)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();

  for (guint i = 0; before != NULL && before[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) before[i]);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  g_ptr_array_add (args, NULL);

  run_argv (s, r, (const char * const *) args->pdata, TRUE);
}

static void
run (Session    *s,
     Result     *r,
     const char *first,
     ...) G_GNUC_NULL_TERMINATED;

static void
run (Session    *s,
     Result     *r,
     const char *first,
     ...)
{
  va_list ap;

  va_start (ap, first);
  runv (s, r, NULL, first, ap);
  va_end (ap);
}

/* Runs and asserts success; returns stdout (owned by r). */
static const char *
ok (Session    *s,
    Result     *r,
    const char *first,
    ...) G_GNUC_NULL_TERMINATED;

static const char *
ok (Session    *s,
    Result     *r,
    const char *first,
    ...)
{
  va_list ap;

  va_start (ap, first);
  runv (s, r, NULL, first, ap);
  va_end (ap);

  if (r->status != 0)
    g_error ("procura-cli %s … exited %d: %s", first, r->status, r->err);

  return r->out;
}

/* `add KIND FIELD=VALUE…` that must print the new id; records it as name. */
static const char *
add (Session    *s,
     const char *name,
     const char *kind,
     ...) G_GNUC_NULL_TERMINATED;

static const char *
add (Session    *s,
     const char *name,
     const char *kind,
     ...)
{
  const char *before[] = { "add", kind, NULL };
  const char *first;
  Result r = { 0 };
  g_autofree char *id = NULL;
  va_list ap;

  va_start (ap, kind);
  first = va_arg (ap, const char *);
  runv (s, &r, before, first, ap);
  va_end (ap);
  if (r.status != 0)
    g_error ("add %s %s exited %d: %s", kind, name, r.status, r.err);
  g_assert_cmpstr (r.err, ==, "");

  /* exactly the new id and a newline */
  g_assert_true (g_str_has_suffix (r.out, "\n"));
  id = g_strndup (r.out, strlen (r.out) - 1);
  g_assert_true (g_uuid_string_is_valid (id));
  result_clear (&r);

  g_hash_table_replace (s->ids, g_strdup (name), g_strdup (id));
  return g_hash_table_lookup (s->ids, name);
}

/* ---- JSON ------------------------------------------------------------ */

/* The JSON output of a command that must succeed */
static JsonNode *
ok_jsonv (Session            *s,
          const char * const *before,
          const char         *first,
          va_list             ap)
{
  Result r = { 0 };
  JsonNode *node;

  runv (s, &r, before, first, ap);
  if (r.status != 0)
    g_error ("procura-cli %s --json exited %d: %s", before != NULL ? before[0] : first, r.status, r.err);
  node = parse_json (r.out);
  result_clear (&r);

  return node;
}

static JsonNode *
ok_json (Session    *s,
         const char *first,
         ...) G_GNUC_NULL_TERMINATED;

static JsonNode *
ok_json (Session    *s,
         const char *first,
         ...)
{
  JsonNode *node;
  va_list ap;

  va_start (ap, first);
  node = ok_jsonv (s, NULL, first, ap);
  va_end (ap);

  return node;
}

static const char *
str_member (JsonObject *object,
            const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL)
    g_error ("no member %s", name);
  if (JSON_NODE_HOLDS_NULL (node))
    return NULL;
  g_assert_true (json_node_get_value_type (node) == G_TYPE_STRING);
  return json_node_get_string (node);
}

/* The "fields" object of a record in JSON */
static JsonObject *
fields_of (JsonNode *record)
{
  return json_object_get_object_member (json_node_get_object (record), "fields");
}

/* The object of array whose string member name is value */
static JsonObject *
find_object (JsonArray  *array,
             const char *name,
             const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (str_member (object, name), value) == 0)
        return object;
    }
  g_error ("no object with %s %s", name, value);
  return NULL;
}

/* A ledger row by project code */
static JsonObject *
ledger_row (JsonArray  *rows,
            const char *code)
{
  return find_object (rows, "code", code);
}

/* Codes of `list --json FILTERS…`, joined by spaces. */
static char *
list_codes (Session    *s,
            const char *first,
            ...) G_GNUC_NULL_TERMINATED;

static char *
list_codes (Session    *s,
            const char *first,
            ...)
{
  static const char * const before[] = { "list", "--json", NULL };
  g_autoptr(GString) codes = g_string_new (NULL);
  g_autoptr(JsonNode) node = NULL;
  JsonArray *rows;
  va_list ap;

  va_start (ap, first);
  node = ok_jsonv (s, before, first, ap);
  va_end (ap);

  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  rows = json_node_get_array (node);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    g_string_append_printf (codes, "%s%s", i ? " " : "",
                            str_member (json_array_get_object_element (rows, i), "code"));

  return g_strdup (codes->str);
}

/* ---- the ledger every test reads -------------------------------------- */

static JsonObject *
find_by_id (JsonArray  *records,
            const char *id)
{
  return find_object (records, "id", id);
}

static const char *
field_of (Session    *s,
          JsonNode   *bundle,
          const char *array,
          const char *name,
          const char *field)
{
  JsonArray *records = json_object_get_array_member (json_node_get_object (bundle), array);
  JsonObject *record = find_by_id (records, id_of (s, name));

  return str_member (json_object_get_object_member (record, "fields"), field);
}

/* Enters a small ledger, asserting every step; the officer is 王芳, the
 * agency reporter 李明:
 *   XH-2025-001 active, ¥125,000 (+¥5,000 amendment), two milestones, the
 *               first accepted after a returned report, ¥62,500 paid, a
 *               payable tranche without milestone
 *   XH-2024-007 active, last year's, one overdue milestone
 *   XH-2025-003 active, nothing under it
 *   XH-2025-004 a complete draft (and a deleted milestone)
 *   XH-2025-005 a bare draft */
static void
build_ledger (Session *s)
{
  Result r = { 0 };
  g_autoptr(JsonNode) bundle = NULL;

  ok (s, &r, "init", NULL);
  g_assert_nonnull (strstr (r.out, s->data_dir));
  g_assert_nonnull (strstr (r.out, "schema version 3"));
  result_clear (&r);

  add (s, "BUREAU", "organization", "name=上海市徐汇区民政局", "uscc=" USCC_BUREAU,
       "kind=civil_affairs_bureau", "address=上海市徐汇区漕溪北路336号", NULL);
  add (s, "AGENCY_A", "organization", "name=徐汇区阳光社工服务中心", "uscc=" USCC_AGENCY_A,
       "kind=social_work_agency", "contact_person=李明", "contact_phone=021-64001234", NULL);
  add (s, "AGENCY_B", "organization", "name=徐汇区彩虹社工服务中心", "uscc=" USCC_AGENCY_B,
       "kind=social_work_agency", NULL);
  add (s, "EVALUATOR", "organization", "name=上海明德社会评估所", "uscc=" USCC_EVAL, "kind=evaluator", NULL);

  /* P1: money in 万元, references by credit code */
  add (s, "P1", "project", "code=XH-2025-001", "title=田林街道社区养老服务项目",
       "buyer_id=" USCC_BUREAU, "agency_id=" USCC_AGENCY_A, "category=elderly",
       "method=competitive_consultation", "budget=13万", "budget_year=2025", "value=12.5万",
       "start_date=2025-03-01", "end_date=2026-02-28", "date_signed=2025-02-20",
       "street=田林街道", "community=田林十二村", NULL);
  add (s, "M1", "milestone", "project_id=XH-2025-001", "title=中期评估", "type=assessment",
       "due_date=2025-08-31", NULL);
  add (s, "M2", "milestone", "project_id=@P1", "title=结项验收", "type=assessment",
       "due_date=2026-02-15", NULL);
  add (s, "T1", "payment", "project_id=@P1", "milestone_id=@M1", "title=首期款",
       "planned_amount=6.25万", "planned_date=2025-09-15", NULL);
  add (s, "T2", "payment", "project_id=@P1", "milestone_id=@M2", "title=尾款",
       "planned_amount=62,500.00", "planned_date=2026-03-15", NULL);
  /* by project number */
  ok (s, &r, "set", "XH-2025-001", "status=active", NULL);
  g_assert_cmpstr (r.out, ==, "");

  /* the review loop: submit, return with a comment, resubmit, accept */
  s->actor = "李明";
  s->today = "2025-08-28";
  add (s, "R1", "report", "project_id=@P1", "milestone_id=@M1", "submitter_org_id=" USCC_AGENCY_A,
       "kind=physicalProgressReport", "title=中期工作报告", "period_start=2025-03-01",
       "period_end=2025-08-15", "narrative=开展助餐服务4200人次。", NULL);
  ok (s, &r, "set", "@R1", "state=submitted", NULL);
  bundle = ok_json (s, "show", "--json", "XH-2025-001", NULL);
  g_assert_cmpstr (field_of (s, bundle, "milestones", "M1", "status"), ==, "submitted");
  g_assert_nonnull (field_of (s, bundle, "reports", "R1", "submitted_at"));
  g_clear_pointer (&bundle, json_node_unref);

  s->actor = "王芳";
  s->today = "2025-09-02";
  ok (s, &r, "set", "@R1", "state=returned", "review_comment=请补充满意度调查数据", NULL);
  bundle = ok_json (s, "show", "--json", "XH-2025-001", NULL);
  g_assert_cmpstr (field_of (s, bundle, "milestones", "M1", "status"), ==, "returned");
  g_assert_cmpstr (field_of (s, bundle, "reports", "R1", "state"), ==, "returned");
  g_clear_pointer (&bundle, json_node_unref);

  s->actor = "李明";
  s->today = "2025-09-05";
  ok (s, &r, "set", "@R1", "state=submitted", "narrative=开展助餐服务4200人次；满意率96.2%。", NULL);

  s->actor = "王芳";
  s->today = "2025-09-08";
  ok (s, &r, "set", "@R1", "state=accepted", "review_comment=同意通过", NULL);
  bundle = ok_json (s, "show", "--json", "XH-2025-001", NULL);
  g_assert_cmpstr (field_of (s, bundle, "reports", "R1", "state"), ==, "accepted");
  g_assert_nonnull (field_of (s, bundle, "reports", "R1", "reviewed_at"));
  g_assert_cmpstr (field_of (s, bundle, "milestones", "M1", "status"), ==, "accepted");
  g_assert_cmpstr (field_of (s, bundle, "milestones", "M1", "date_met"), ==, "2025-09-08");
  g_assert_cmpstr (field_of (s, bundle, "payments", "T1", "status"), ==, "payable");
  g_assert_cmpstr (field_of (s, bundle, "payments", "T2", "status"), ==, "planned");
  g_clear_pointer (&bundle, json_node_unref);

  ok (s, &r, "set", "@T1", "status=paid", "paid_date=2025-09-20", "paid_amount=¥62,500.00",
      "voucher_no=XH-PZ-2025-0913", NULL);
  add (s, "A1", "amendment", "project_id=XH-2025-001", "date=2025-10-10",
       "rationale=增加冬季送温暖活动", "value_delta=0.5万", NULL);
  /* a tranche without a milestone, made payable by hand */
  add (s, "T3", "payment", "project_id=@P1", "title=追加款", "planned_amount=10万", NULL);
  ok (s, &r, "set", "@T3", "status=payable", NULL);

  /* P2: last year's project with an overdue milestone */
  s->today = TODAY;
  add (s, "P2", "project", "code=XH-2024-007", "title=漕河泾街道青少年成长陪伴项目",
       "buyer_id=上海市徐汇区民政局", "agency_id=" USCC_AGENCY_B, "category=youth",
       "method=inquiry", "budget_year=2024", "value=¥80,000.00", "start_date=2024-06-01",
       "end_date=2025-05-31", "date_signed=2024-05-20", "street=漕河泾街道", "community=长桥一村", NULL);
  add (s, "M3", "milestone", "project_id=XH-2024-007", "title=年度总结", "type=reporting",
       "due_date=2024-12-31", NULL);
  ok (s, &r, "set", "XH-2024-007", "status=active", NULL);

  /* P3: active, nothing under it */
  add (s, "P3", "project", "code=XH-2025-003", "title=田林街道社区协商议事项目",
       "buyer_id=" USCC_BUREAU, "agency_id=徐汇区彩虹社工服务中心", "category=community_governance",
       "method=single_source", "budget_year=2025", "value=50000元", "start_date=2025-04-01",
       "end_date=2026-03-31", "date_signed=2025-03-25", "street=田林街道", "community=田林四村", NULL);
  ok (s, &r, "set", "@P3", "status=active", NULL);

  /* P4: a complete draft; P5: a bare draft */
  add (s, "P4", "project", "code=XH-2025-004", "title=虹梅街道家庭综合服务项目",
       "buyer_id=" USCC_BUREAU, "agency_id=" USCC_AGENCY_A, "category=family", "method=open_tender",
       "budget_year=2025", "value=30000", "start_date=2025-07-01", "end_date=2026-06-30",
       "date_signed=2025-06-20", "street=虹梅街道", "community=古美一村", NULL);
  add (s, "P5", "project", "code=XH-2025-005", "title=待立项项目", "category=other", "method=other", NULL);

  /* a milestone entered by mistake and deleted (a tombstone) */
  add (s, "MX", "milestone", "project_id=@P4", "title=误录节点", "type=delivery", "due_date=2025-08-01", NULL);
  ok (s, &r, "delete", "@MX", NULL);
  g_assert_cmpstr (r.out, ==, "");

  /* the last change of P1, two fields at once, by someone else */
  s->actor = "张伟";
  ok (s, &r, "set", "XH-2025-001", "description=助餐、助浴与探访", "community=田林十二村等", NULL);
  s->actor = "王芳";

  result_clear (&r);
}

static Session *shared;

/* The ledger, entered once; tests that read it must not change it. */
static Session *
ledger (void)
{
  if (shared == NULL)
    {
      shared = session_new ();
      build_ledger (shared);
    }
  return shared;
}

/* ---- the happy paths ------------------------------------------------- */

static void
test_help (void)
{
  static const char * const commands[] = {
    "init", "add", "set", "delete", "demo", "list", "show", "history", "stats", "check",
  };
  g_autoptr(Session) s = session_new ();
  Result r = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      const char *args[] = { commands[i], "--help", NULL };
      g_autofree char *usage = g_strdup_printf (" %s", commands[i]);

      run_argv (s, &r, args, FALSE);
      g_test_message ("%s --help", commands[i]);
      g_assert_cmpint (r.status, ==, 0);
      g_assert_nonnull (strstr (r.out, usage));
      g_assert_nonnull (strstr (r.out, "--data-dir"));
      g_assert_cmpstr (r.err, ==, "");
    }

  {
    const char *args[] = { "--help", NULL };

    run_argv (s, &r, args, FALSE);
    g_assert_cmpint (r.status, ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      g_assert_nonnull (strstr (r.out, commands[i]));
  }

  /* --help wrote nothing anywhere */
  g_assert_false (g_file_test (s->data_dir, G_FILE_TEST_EXISTS));
  result_clear (&r);
}

static void
test_init (void)
{
  g_autoptr(Session) s = session_new ();
  g_autofree char *db = g_build_filename (s->data_dir, PROCURA_STORE_DB_NAME, NULL);
  Result r = { 0 };

  ok (s, &r, "init", NULL);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  g_assert_nonnull (strstr (r.out, "schema version 3"));
  /* twice is fine */
  ok (s, &r, "init", NULL);
  ok (s, &r, "check", NULL);
  g_assert_nonnull (strstr (r.out, "consistent"));
  result_clear (&r);
}

static void
test_list (void)
{
  Session *s = ledger ();
  g_autoptr(JsonNode) node = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *rows;
  JsonObject *row;
  Result r = { 0 };

  /* text: one line per project in code order, the count on stderr */
  ok (s, &r, "list", NULL);
  lines = g_strsplit (r.out, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 6);
  g_assert_cmpstr (lines[5], ==, "");
  g_assert_true (g_str_has_prefix (lines[0], "XH-2024-007\t"));
  g_assert_true (g_str_has_prefix (lines[1], "XH-2025-001\t田林街道社区养老服务项目\t徐汇区阳光社工服务中心\t田林街道\t"));
  g_assert_nonnull (strstr (lines[1], "¥130,000.00"));
  g_assert_nonnull (strstr (lines[1], "¥62,500.00"));
  g_assert_nonnull (strstr (lines[1], "50%"));
  g_assert_nonnull (strstr (lines[0], "!"));      /* overdue mark */
  g_assert_nonnull (strstr (r.err, "5 projects"));

  /* JSON */
  node = ok_json (s, "list", "--json", NULL);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  rows = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (rows), ==, 5);
  g_assert_cmpstr (str_member (json_array_get_object_element (rows, 0), "code"), ==, "XH-2024-007");
  g_assert_cmpstr (str_member (json_array_get_object_element (rows, 4), "code"), ==, "XH-2025-005");

  row = ledger_row (rows, "XH-2025-001");
  g_assert_cmpstr (str_member (row, "id"), ==, id_of (s, "P1"));
  g_assert_cmpstr (str_member (row, "status"), ==, "active");
  g_assert_cmpstr (str_member (row, "category"), ==, "elderly");
  g_assert_cmpstr (str_member (row, "agency_id"), ==, id_of (s, "AGENCY_A"));
  g_assert_cmpstr (str_member (row, "agency_name"), ==, "徐汇区阳光社工服务中心");
  g_assert_cmpstr (str_member (row, "street"), ==, "田林街道");
  g_assert_cmpstr (str_member (row, "community"), ==, "田林十二村等");
  g_assert_cmpint (int_member (row, "value"), ==, 12500000);
  g_assert_cmpint (int_member (row, "amended_value"), ==, 13000000);
  g_assert_cmpint (int_member (row, "paid"), ==, 6250000);
  g_assert_cmpint (int_member (row, "balance"), ==, 6750000);
  g_assert_cmpint (int_member (row, "budget_year"), ==, 2025);
  g_assert_cmpint (int_member (row, "milestones"), ==, 2);
  g_assert_cmpint (int_member (row, "milestones_accepted"), ==, 1);
  g_assert_cmpint (int_member (row, "progress_permille"), ==, 500);
  g_assert_cmpint (int_member (row, "overdue"), ==, 0);
  g_assert_cmpstr (str_member (row, "next_due"), ==, "2026-02-15");

  row = ledger_row (rows, "XH-2024-007");
  g_assert_cmpint (int_member (row, "value"), ==, 8000000);
  g_assert_cmpint (int_member (row, "paid"), ==, 0);
  g_assert_cmpint (int_member (row, "overdue"), ==, 1);
  g_assert_cmpstr (str_member (row, "next_due"), ==, "2024-12-31");

  row = ledger_row (rows, "XH-2025-003");
  g_assert_cmpint (int_member (row, "value"), ==, 5000000);
  g_assert_cmpint (int_member (row, "milestones"), ==, 0);
  g_assert_cmpint (int_member (row, "progress_permille"), ==, 0);

  row = ledger_row (rows, "XH-2025-004");
  g_assert_cmpint (int_member (row, "value"), ==, 3000000);
  /* the deleted milestone does not count */
  g_assert_cmpint (int_member (row, "milestones"), ==, 0);
  g_assert_cmpstr (str_member (row, "status"), ==, "draft");

  /* overdue depends on --today */
  s->today = "2024-12-01";
  g_clear_pointer (&node, json_node_unref);
  node = ok_json (s, "list", "--json", NULL);
  g_assert_cmpint (int_member (ledger_row (json_node_get_array (node), "XH-2024-007"), "overdue"), ==, 0);
  s->today = TODAY;

  result_clear (&r);
}

static void
test_list_filters (void)
{
  Session *s = ledger ();
  static const struct { const char *args[3]; const char *codes; } cases[] = {
    { { NULL }, "XH-2024-007 XH-2025-001 XH-2025-003 XH-2025-004 XH-2025-005" },
    { { "--status", "active" }, "XH-2024-007 XH-2025-001 XH-2025-003" },
    { { "--status", "draft" }, "XH-2025-004 XH-2025-005" },
    { { "--status", "In progress" }, "XH-2024-007 XH-2025-001 XH-2025-003" },
    { { "--status", "completed" }, "" },
    { { "--street", "田林街道" }, "XH-2025-001 XH-2025-003" },
    { { "--street", "虹梅街道" }, "XH-2025-004" },
    { { "--agency", USCC_AGENCY_A }, "XH-2025-001 XH-2025-004" },
    { { "--agency", "徐汇区彩虹社工服务中心" }, "XH-2024-007 XH-2025-003" },
    { { "--agency", USCC_EVAL }, "" },
    { { "--year", "2024" }, "XH-2024-007" },
    { { "--year", "2025" }, "XH-2025-001 XH-2025-003 XH-2025-004" },
    { { "--overdue" }, "XH-2024-007" },
    { { "--search", "养老" }, "XH-2025-001" },
    { { "--search", "XH-2024" }, "XH-2024-007" },
    { { "--search", "长桥" }, "XH-2024-007" },
    { { "--search", "彩虹" }, "XH-2024-007 XH-2025-003" },
    { { "--search", "没有这个" }, "" },
    { { "--category", "family" }, "XH-2025-004" },
    { { "--community", "田林四村" }, "XH-2025-003" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *codes = list_codes (s, cases[i].args[0], cases[i].args[1], NULL);

      g_test_message ("list %s %s", cases[i].args[0], cases[i].args[1]);
      g_assert_cmpstr (codes, ==, cases[i].codes);
    }

  /* filters combine */
  {
    g_autofree char *codes = list_codes (s, "--street", "田林街道", "--agency", USCC_AGENCY_A, "--status", "active", NULL);
    g_assert_cmpstr (codes, ==, "XH-2025-001");
  }
}

static void
test_show (void)
{
  Session *s = ledger ();
  g_autoptr(JsonNode) bundle = NULL;
  g_autoptr(JsonNode) by_id = NULL;
  g_autoptr(JsonNode) milestone = NULL;
  g_autoptr(JsonNode) org = NULL;
  JsonObject *root, *project, *derived;
  Result r = { 0 };

  bundle = ok_json (s, "show", "--json", "XH-2025-001", NULL);
  root = json_node_get_object (bundle);

  project = json_object_get_object_member (root, "project");
  g_assert_cmpstr (str_member (project, "entity"), ==, "project");
  g_assert_cmpstr (str_member (project, "id"), ==, id_of (s, "P1"));
  g_assert_cmpint (int_member (fields_of (json_object_get_member (root, "project")), "value"), ==, 12500000);
  g_assert_cmpint (int_member (fields_of (json_object_get_member (root, "project")), "budget"), ==, 13000000);
  g_assert_cmpstr (str_member (fields_of (json_object_get_member (root, "project")), "status"), ==, "active");
  g_assert_cmpstr (str_member (fields_of (json_object_get_member (root, "project")), "agency_id"), ==, id_of (s, "AGENCY_A"));
  g_assert_cmpstr (str_member (fields_of (json_object_get_member (root, "agency")), "uscc"), ==, USCC_AGENCY_A);
  g_assert_cmpstr (str_member (fields_of (json_object_get_member (root, "buyer")), "uscc"), ==, USCC_BUREAU);

  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "milestones")), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "payments")), ==, 3);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "reports")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "amendments")), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "evaluations")), ==, 0);
  g_assert_cmpstr (field_of (s, bundle, "payments", "T1", "status"), ==, "paid");
  g_assert_cmpstr (field_of (s, bundle, "payments", "T1", "voucher_no"), ==, "XH-PZ-2025-0913");
  g_assert_cmpstr (field_of (s, bundle, "payments", "T3", "status"), ==, "payable");
  g_assert_cmpint (int_member (json_object_get_object_member (find_by_id (json_object_get_array_member (root, "payments"),
                                                                           id_of (s, "T1")), "fields"),
                               "paid_amount"), ==, 6250000);
  g_assert_cmpint (int_member (json_object_get_object_member (find_by_id (json_object_get_array_member (root, "amendments"),
                                                                           id_of (s, "A1")), "fields"),
                               "value_delta"), ==, 500000);

  /* derived figures, never stored */
  derived = json_object_get_object_member (root, "derived");
  g_assert_cmpstr (str_member (derived, "as_of"), ==, TODAY);
  g_assert_cmpint (int_member (derived, "amended_value"), ==, 13000000);
  g_assert_cmpint (int_member (derived, "paid"), ==, 6250000);
  g_assert_cmpint (int_member (derived, "balance"), ==, 6750000);
  g_assert_cmpint (int_member (derived, "progress_permille"), ==, 500);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (derived, "overdue_milestones")), ==, 0);

  /* the same project by id; and its overdue list later on */
  s->today = "2026-03-01";
  by_id = ok_json (s, "show", "--json", "@P1", NULL);
  s->today = TODAY;
  derived = json_object_get_object_member (json_node_get_object (by_id), "derived");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (derived, "overdue_milestones")), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (derived, "overdue_milestones"), 0),
                   ==, id_of (s, "M2"));

  /* other records show as themselves */
  milestone = ok_json (s, "show", "--json", "@M1", NULL);
  g_assert_cmpstr (str_member (json_node_get_object (milestone), "entity"), ==, "milestone");
  g_assert_cmpstr (str_member (fields_of (milestone), "status"), ==, "accepted");
  org = ok_json (s, "show", "--json", USCC_AGENCY_B, NULL);
  g_assert_cmpstr (str_member (fields_of (org), "name"), ==, "徐汇区彩虹社工服务中心");

  /* text: money as people read it, in figures and in capitals */
  ok (s, &r, "show", "XH-2025-001", NULL);
  g_assert_nonnull (strstr (r.out, "XH-2025-001"));
  g_assert_nonnull (strstr (r.out, "¥130,000.00"));
  g_assert_nonnull (strstr (r.out, "壹拾叁万元整"));
  g_assert_nonnull (strstr (r.out, "¥62,500.00"));
  g_assert_nonnull (strstr (r.out, USCC_AGENCY_A));
  result_clear (&r);
}

static void
test_history (void)
{
  Session *s = ledger ();
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) report = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(GHashTable) actors = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *rows;
  JsonObject *first, *second, *third;
  guint n_state = 0, n_status_change = 0;
  Result r = { 0 };

  node = ok_json (s, "history", "--json", "XH-2025-001", NULL);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  rows = json_node_get_array (node);
  g_assert_cmpuint (json_array_get_length (rows), >, 40);

  /* newest first; the whole project, everything under it included */
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      if (i > 0)
        g_assert_cmpint (int_member (json_array_get_object_element (rows, i - 1), "change"), >=,
                         int_member (row, "change"));
      g_assert_cmpstr (str_member (row, "project_id"), ==, id_of (s, "P1"));
      g_assert_nonnull (str_member (row, "at"));
      g_assert_true (g_str_has_suffix (str_member (row, "at"), "Z"));
      g_hash_table_add (actors, (gpointer) str_member (row, "actor"));
      if (g_strcmp0 (str_member (row, "entity"), "project") == 0 &&
          g_strcmp0 (str_member (row, "op"), "update") == 0 &&
          g_strcmp0 (str_member (row, "field"), "status") == 0)
        {
          n_status_change++;
          g_assert_cmpstr (str_member (row, "old"), ==, "draft");
          g_assert_cmpstr (str_member (row, "new"), ==, "active");
          g_assert_cmpstr (str_member (row, "actor"), ==, "王芳");
        }
    }
  g_assert_cmpuint (n_status_change, ==, 1);
  /* the authors given with --actor */
  g_assert_cmpuint (g_hash_table_size (actors), ==, 3);
  g_assert_true (g_hash_table_contains (actors, "王芳"));
  g_assert_true (g_hash_table_contains (actors, "李明"));
  g_assert_true (g_hash_table_contains (actors, "张伟"));

  /* the newest change: two fields, so two rows of the same change, nothing else */
  first = json_array_get_object_element (rows, 0);
  second = json_array_get_object_element (rows, 1);
  third = json_array_get_object_element (rows, 2);
  g_assert_cmpint (int_member (first, "change"), ==, int_member (second, "change"));
  g_assert_cmpint (int_member (third, "change"), <, int_member (first, "change"));
  g_assert_cmpstr (str_member (first, "mutation_id"), ==, str_member (second, "mutation_id"));
  g_assert_cmpstr (str_member (first, "actor"), ==, "张伟");
  g_assert_cmpstr (str_member (first, "op"), ==, "update");
  g_assert_cmpstr (str_member (first, "entity"), ==, "project");
  g_assert_cmpstr (str_member (first, "id"), ==, id_of (s, "P1"));
  {
    const char *f1 = str_member (first, "field");
    const char *f2 = str_member (second, "field");
    JsonObject *community = g_strcmp0 (f1, "community") == 0 ? first : second;

    g_assert_true ((g_strcmp0 (f1, "community") == 0 && g_strcmp0 (f2, "description") == 0) ||
                   (g_strcmp0 (f1, "description") == 0 && g_strcmp0 (f2, "community") == 0));
    g_assert_cmpstr (str_member (community, "old"), ==, "田林十二村");
    g_assert_cmpstr (str_member (community, "new"), ==, "田林十二村等");
  }

  /* a report's review loop, state by state */
  report = ok_json (s, "history", "--json", "@R1", NULL);
  rows = json_node_get_array (report);
  for (guint i = 0; i < json_array_get_length (rows); i++)
    {
      JsonObject *row = json_array_get_object_element (rows, i);

      g_assert_cmpstr (str_member (row, "id"), ==, id_of (s, "R1"));
      if (g_strcmp0 (str_member (row, "field"), "state") == 0)
        {
          static const char * const newest_first[] = { "accepted", "submitted", "returned", "submitted", "draft" };
          static const char * const by[] = { "王芳", "李明", "王芳", "李明", "李明" };

          g_assert_cmpuint (n_state, <, G_N_ELEMENTS (newest_first));
          g_assert_cmpstr (str_member (row, "new"), ==, newest_first[n_state]);
          g_assert_cmpstr (str_member (row, "actor"), ==, by[n_state]);
          if (n_state == 4)
            {
              g_assert_cmpstr (str_member (row, "op"), ==, "insert");
              g_assert_null (str_member (row, "old"));
            }
          n_state++;
        }
    }
  g_assert_cmpuint (n_state, ==, 5);

  /* a change that changes nothing records nothing */
  ok (s, &r, "set", "XH-2025-001", "street=田林街道", NULL);
  again = ok_json (s, "history", "--json", "XH-2025-001", NULL);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (again)), ==,
                    json_array_get_length (json_node_get_array (node)));

  /* text form: one line per row */
  ok (s, &r, "history", "@R1", NULL);
  g_assert_nonnull (strstr (r.out, "state"));
  g_assert_nonnull (strstr (r.out, "李明"));
  result_clear (&r);
}

static void
test_stats_check (void)
{
  Session *s = ledger ();
  g_autoptr(JsonNode) node = NULL;
  JsonObject *stats;
  Result r = { 0 };
  static const struct { const char *key; gint64 n; } counts[] = {
    { "organizations", 4 }, { "grade_schemes", 0 }, { "projects", 5 }, { "amendments", 1 },
    { "milestones", 3 }, { "payments", 3 }, { "reports", 1 }, { "attachments", 0 },
    { "evaluations", 0 }, { "criteria", 0 }, { "indicators", 0 }, { "indicator_periods", 0 },
    { "activities", 0 }, { "consultations", 0 },
  };

  node = ok_json (s, "stats", "--json", NULL);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  stats = json_node_get_object (node);
  for (guint i = 0; i < G_N_ELEMENTS (counts); i++)
    {
      g_test_message ("%s", counts[i].key);
      g_assert_cmpint (int_member (stats, counts[i].key), ==, counts[i].n);
    }
  g_assert_cmpint (int_member (stats, "history"), >, 100);
  g_assert_cmpint (int_member (stats, "changes"), >, 30);
  /* every write is queued for sync but the cascades (the server runs them) */
  g_assert_cmpint (int_member (stats, "outbox"), <, int_member (stats, "changes"));
  g_assert_cmpint (int_member (stats, "outbox"), >=, int_member (stats, "changes") * 3 / 4);
  g_assert_cmpuint (json_object_get_size (stats), ==, 14 + 3);

  ok (s, &r, "stats", NULL);
  g_assert_nonnull (strstr (r.out, "projects"));

  ok (s, &r, "check", NULL);
  g_assert_nonnull (strstr (r.out, "consistent"));
  g_assert_cmpstr (r.err, ==, "");
  result_clear (&r);
}

/* Money in every form officers type, stored as integer fen. */
static void
test_money_input (void)
{
  g_autoptr(Session) s = session_new ();
  g_autoptr(JsonNode) bundle = NULL;
  static const struct { const char *text; gint64 fen; } amounts[] = {
    { "1234.56", 123456 }, { "1,234.56", 123456 }, { "¥1,234.56", 123456 }, { "￥1234.56", 123456 },
    { "1234.56元", 123456 }, { "12.5万", 12500000 }, { "12.5万元", 12500000 }, { "0.01", 1 },
    { "800", 80000 },
  };
  JsonArray *payments;
  Result r = { 0 };

  ok (s, &r, "init", NULL);
  result_clear (&r);
  add (s, "P", "project", "code=M-1", "title=金额录入", "category=other", "method=other", NULL);
  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *title = g_strdup_printf ("title=%02u", i);
      g_autofree char *amount = g_strdup_printf ("planned_amount=%s", amounts[i].text);

      add (s, "X", "payment", "project_id=M-1", title, amount, NULL);
    }

  bundle = ok_json (s, "show", "--json", "M-1", NULL);
  payments = json_object_get_array_member (json_node_get_object (bundle), "payments");
  g_assert_cmpuint (json_array_get_length (payments), ==, G_N_ELEMENTS (amounts));
  for (guint i = 0; i < G_N_ELEMENTS (amounts); i++)
    {
      g_autofree char *title = g_strdup_printf ("%02u", i);

      for (guint j = 0; j < json_array_get_length (payments); j++)
        {
          JsonObject *fields = json_object_get_object_member (json_array_get_object_element (payments, j), "fields");

          if (g_strcmp0 (str_member (fields, "title"), title) == 0)
            {
              g_test_message ("%s", amounts[i].text);
              g_assert_cmpint (int_member (fields, "planned_amount"), ==, amounts[i].fen);
            }
        }
    }
}

/* Global options go before or after the command. */
static void
test_option_position (void)
{
  g_autoptr(Session) s = session_new ();
  g_autoptr(JsonNode) history = NULL;
  Result r = { 0 };

  s->options_first = TRUE;
  s->actor = "前置选项";
  ok (s, &r, "init", NULL);
  result_clear (&r);
  add (s, "O", "organization", "name=徐汇区阳光社工服务中心", "uscc=" USCC_AGENCY_A, "kind=social_work_agency", NULL);
  s->options_first = FALSE;
  s->actor = "后置选项";
  ok (s, &r, "set", USCC_AGENCY_A, "contact_person=李明", NULL);

  s->options_first = TRUE;
  history = ok_json (s, "history", "--json", "@O", NULL);
  g_assert_cmpstr (str_member (json_array_get_object_element (json_node_get_array (history), 0), "actor"),
                   ==, "后置选项");
  g_assert_cmpstr (str_member (json_array_get_object_element (json_node_get_array (history), 1), "actor"),
                   ==, "前置选项");

  /* --json before the command too */
  {
    const char *args[] = { "--data-dir", s->data_dir, "--json", "stats", NULL };

    run_argv (s, &r, args, FALSE);
    g_assert_cmpint (r.status, ==, 0);
    g_clear_pointer (&history, json_node_unref);
    history = parse_json (r.out);
    g_assert_cmpint (int_member (json_node_get_object (history), "organizations"), ==, 1);
  }
  result_clear (&r);
}

/* ---- bad input ------------------------------------------------------- */

/* What must not change: statistics (history, changes and outbox included),
 * the ledger, the history of every project, and the database file. */
static char *
snapshot (Session *s)
{
  g_autoptr(GString) snap = g_string_new (NULL);
  g_autofree char *db = g_build_filename (s->data_dir, PROCURA_STORE_DB_NAME, NULL);
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *checksum = NULL;
  const char *projects[] = { "P1", "P2", "P3", "P4", "P5" };
  Result r = { 0 };

  ok (s, &r, "stats", "--json", NULL);
  g_string_append (snap, r.out);
  ok (s, &r, "list", "--json", NULL);
  g_string_append (snap, r.out);
  for (guint i = 0; i < G_N_ELEMENTS (projects); i++)
    {
      g_autoptr(JsonNode) history = NULL;

      ok (s, &r, "history", "--json", id_of (s, projects[i]), NULL);
      history = parse_json (r.out);
      g_string_append_printf (snap, "history %s: %u\n", projects[i],
                              json_array_get_length (json_node_get_array (history)));
    }
  result_clear (&r);

  /* after the reads above the WAL is checkpointed: the file holds it all */
  bytes = read_file (db);
  checksum = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
  g_string_append_printf (snap, "procura.db %s\n", checksum);

  return g_strdup (snap->str);
}

typedef struct
{
  const char *expect[2];  /* what the message must name (case-insensitive), NULL-ended */
  const char *args[16];   /* arguments; @NAME stands for a recorded id */
} BadInput;

static const BadInput bad_inputs[] = {
  /* add */
  { { "add" }, { "add" } },
  { { "widget" }, { "add", "widget", "name=x" } },
  { { "bogus" }, { "add", "organization", "name=x", "bogus=1", "uscc=" USCC_SPARE, "kind=other" } },
  { { "uscc", "FIELD=VALUE" }, { "add", "organization", "name=x", "uscc", "kind=other" } },
  { { "=x", "FIELD=VALUE" }, { "add", "organization", "=x" } },
  { { "contract value", "decimal" }, { "add", "project", "code=E-1", "title=t", "category=other", "method=other", "value=12.345" } },
  { { "contract value", "amount" }, { "add", "project", "code=E-1", "title=t", "category=other", "method=other", "value=abc元" } },
  { { "contract value", "negative" }, { "add", "project", "code=E-1", "title=t", "category=other", "method=other", "value=-1000" } },
  { { "budget" }, { "add", "project", "code=E-1", "title=t", "category=other", "method=other", "budget=12.5万万" } },
  { { "credit code", "check character" }, { "add", "organization", "name=x", "uscc=52310104501234569K", "kind=other" } },
  { { "credit code" }, { "add", "organization", "name=x", "uscc=5231010450123456", "kind=other" } },
  { { "credit code", USCC_AGENCY_A }, { "add", "organization", "name=x", "uscc=" USCC_AGENCY_A, "kind=other" } },
  { { "project number", "XH-2025-001" }, { "add", "project", "code=XH-2025-001", "title=t", "category=other", "method=other" } },
  { { "start date", "2023-02-29" }, { "add", "project", "code=E-1", "title=t", "category=other", "method=other", "start_date=2023-02-29" } },
  { { "end date", "before" }, { "add", "project", "code=E-1", "title=t", "category=other", "method=other", "start_date=2025-03-01", "end_date=2025-02-01" } },
  { { "service category", "bogus" }, { "add", "project", "code=E-1", "title=t", "category=bogus", "method=other" } },
  { { "organization type", "bogus" }, { "add", "organization", "name=x", "uscc=" USCC_SPARE, "kind=bogus" } },
  { { "project title", "required" }, { "add", "project", "code=E-1", "category=other", "method=other" } },
  { { "budget year", "3000" }, { "add", "project", "code=E-1", "title=t", "category=other", "method=other", "budget_year=3000" } },
  { { "project", "nosuch" }, { "add", "milestone", "project_id=nosuch", "title=t", "type=delivery", "due_date=2025-05-01" } },
  { { "due date", "outside" }, { "add", "milestone", "project_id=@P1", "title=t", "type=delivery", "due_date=2027-01-01" } },
  { { "status" }, { "add", "milestone", "project_id=@P1", "title=t", "type=delivery", "due_date=2025-05-01", "status=accepted" } },
  { { "review state", "draft" }, { "add", "report", "project_id=@P1", "title=t", "state=accepted" } },
  { { "change in value", "10%" }, { "add", "amendment", "project_id=@P1", "date=2025-10-20", "rationale=超额", "value_delta=1万" } },
  { { "project", "in progress" }, { "add", "amendment", "project_id=@P4", "date=2025-10-20", "rationale=草稿不能变更", "value_delta=1000" } },
  /* set */
  { { "set" }, { "set", "@P1" } },
  { { "set" }, { "set" } },
  { { "ID", "no record" }, { "set", "0f8fad5b-d9cb-469f-a165-70867728950e", "title=x" } },
  { { "ID", "nosuch" }, { "set", "nosuch", "title=x" } },
  { { "deleted" }, { "set", "@MX", "title=x" } },
  { { "status", "completed" }, { "set", "@P4", "status=completed" } },
  { { "status", "completed" }, { "set", "@P5", "status=completed" } },
  { { "status", "draft" }, { "set", "@P1", "status=draft" } },
  { { "contracted agency", "required" }, { "set", "@P5", "status=active" } },
  { { "status", "final milestone" }, { "set", "@P1", "status=completed" } },
  { { "review state" }, { "set", "@R1", "state=draft" } },
  { { "review state", "accepted" }, { "set", "@R1", "narrative=改写" } },
  { { "status", "planned" }, { "set", "@T1", "status=planned" } },
  { { "status", "milestone" }, { "set", "@T2", "status=payable" } },
  { { "change in value", "10%" }, { "set", "@A1", "value_delta=2万" } },
  { { "contract value" }, { "set", "@P1", "value=5万" } },
  { { "amount paid", "contract value" }, { "set", "@T3", "status=paid", "paid_date=2025-10-20", "paid_amount=10万", "voucher_no=V-1" } },
  { { "amount paid", "zero" }, { "set", "@T3", "status=paid", "paid_date=2025-10-20", "paid_amount=0", "voucher_no=V-1" } },
  { { "voucher number", "required" }, { "set", "@T3", "status=paid", "paid_date=2025-10-20", "paid_amount=100" } },
  { { "review state", "returned" }, { "set", "@R1", "state=returned" } },
  { { "credit code", "check character" }, { "set", USCC_AGENCY_B, "uscc=52310104501234577E" } },
  { { "credit code", USCC_AGENCY_A }, { "set", USCC_AGENCY_B, "uscc=" USCC_AGENCY_A } },
  { { "unknown_field" }, { "set", "@P1", "unknown_field=1" } },
  { { "end date" }, { "set", "@P1", "end_date=2024-01-01" } },
  /* delete */
  { { "delete" }, { "delete" } },
  { { "delete" }, { "delete", "@P5", "@P4" } },
  { { "organization", "refer" }, { "delete", USCC_AGENCY_A } },
  { { "project", "cannot be deleted" }, { "delete", "@P3" } },
  { { "project", "cannot be deleted" }, { "delete", "XH-2025-001" } },
  { { "report", "cannot be deleted" }, { "delete", "@R1" } },
  { { "ID", "nosuch" }, { "delete", "nosuch" } },
  /* demo */
  { { "--projects" }, { "demo", "--projects", "0" } },
  { { "--projects" }, { "demo", "--projects", "-3" } },
  { { "--projects" }, { "demo", "--projects", "lots" } },
  { { "--seed" }, { "demo", "--projects", "5", "--seed", "-1" } },
  { { "already has projects" }, { "demo", "--projects", "5" } },
  { { "extra" }, { "demo", "extra" } },
  /* list */
  { { "--status", "nonsense" }, { "list", "--status", "nonsense" } },
  { { "--year", "3000" }, { "list", "--year", "3000" } },
  { { "--year", "abc" }, { "list", "--year", "abc" } },
  { { "--category", "nonsense" }, { "list", "--category", "nonsense" } },
  { { "--bogus" }, { "list", "--bogus" } },
  { { "extra" }, { "list", "extra" } },
  /* show, history */
  { { "show" }, { "show" } },
  { { "ID", "nosuch" }, { "show", "nosuch" } },
  { { "ID", "0f8fad5b-d9cb-469f-a165-70867728950e" }, { "show", "0f8fad5b-d9cb-469f-a165-70867728950e" } },
  { { "history" }, { "history" } },
  { { "ID", "nosuch" }, { "history", "nosuch" } },
  { { "ID", "0f8fad5b-d9cb-469f-a165-70867728950e" }, { "history", "--json", "0f8fad5b-d9cb-469f-a165-70867728950e" } },
  /* stats, check, init */
  { { "extra" }, { "stats", "extra" } },
  { { "extra" }, { "check", "extra" } },
  { { "extra" }, { "init", "extra" } },
  { { "--json" }, { "init", "--json" } },
  { { "--json" }, { "check", "--json" } },
  /* a bad --today, wherever it is given */
  { { "--today", "2025-02-30" }, { "list", "--today", "2025-02-30" } },
  { { "--today" }, { "stats", "--today", "tomorrow" } },
  { { "--today" }, { "set", "@P1", "title=x", "--today", "2025-13-01" } },
  { { "--today" }, { "add", "organization", "name=x", "uscc=" USCC_SPARE, "kind=other", "--today", "01/11/2025" } },
  { { "--today" }, { "--today", "2025-11-31", "show", "@P1" } },
  /* an unknown command */
  { { "frobnicate" }, { "frobnicate" } },
  { { "lsit" }, { "lsit", "--json" } },
};

/* Text on one line, for TAP: newlines shown as " | " */
static char *
one_line (const char *text)
{
  g_auto(GStrv) lines = g_strsplit (text, "\n", -1);
  g_autofree char *joined = g_strjoinv (" | ", lines);

  return g_strdup (g_strchomp (joined));
}

static char *
describe (const char * const *args)
{
  return g_strjoinv (" ", (char **) args);
}

static void
test_bad_input (gconstpointer data)
{
  const BadInput *bad = data;
  Session *s = ledger ();
  g_autofree char *before = snapshot (s);
  g_autofree char *after = NULL;
  g_autofree char *what = describe (bad->args);
  g_autofree char *folded = NULL;
  g_autofree char *err_line = NULL;
  Result r = { 0 };
  const char *nl;

  g_test_message ("procura-cli %s", what);
  run_argv (s, &r, bad->args, TRUE);
  err_line = one_line (r.err);
  g_test_message ("exit %d, stderr: %s", r.status, err_line);

  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");

  /* exactly one line, naming the field or argument and the reason */
  nl = strchr (r.err, '\n');
  g_assert_nonnull (nl);
  if (nl[1] != '\0')
    g_test_fail_printf ("procura-cli %s: more than one line on stderr: %s", what, err_line);
  g_assert_true (g_str_has_prefix (r.err, "procura-cli: "));
  folded = g_utf8_casefold (r.err, -1);
  for (guint i = 0; i < G_N_ELEMENTS (bad->expect) && bad->expect[i] != NULL; i++)
    {
      g_autofree char *want = g_utf8_casefold (bad->expect[i], -1);

      if (strstr (folded, want) == NULL)
        g_test_fail_printf ("procura-cli %s: the message does not name “%s”: %s",
                            what, bad->expect[i], err_line);
    }

  /* and nothing was written */
  after = snapshot (s);
  g_assert_cmpstr (after, ==, before);
  result_clear (&r);
}

/* Bad input in a data directory that does not exist yet leaves no store
 * behind. */
static void
test_bad_input_creates_nothing (void)
{
  g_autoptr(Session) s = session_new ();
  Result r = { 0 };

  run (s, &r, "add", "organization", "name=x", "uscc=52310104501234569K", "kind=other", NULL);
  g_assert_cmpint (r.status, ==, 1);
  run (s, &r, "add", "project", "code=E-1", "title=t", "category=bogus", "method=other", NULL);
  g_assert_cmpint (r.status, ==, 1);
  run (s, &r, "set", "nosuch", "title=x", NULL);
  g_assert_cmpint (r.status, ==, 1);
  if (g_file_test (s->data_dir, G_FILE_TEST_EXISTS))
    g_test_fail_printf ("refused commands created the data directory %s", s->data_dir);
  result_clear (&r);
}

/* Only global options, no command: say that a command is missing. */
static void
test_no_command (void)
{
  g_autoptr(Session) s = session_new ();
  g_autofree char *err_line = NULL;
  Result r = { 0 };
  const char *none[] = { NULL };
  const char *only_options[] = { "--data-dir", s->data_dir, "--actor", "王芳", NULL };

  run_argv (s, &r, none, FALSE);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");
  g_assert_nonnull (strstr (r.err, "Usage"));

  run_argv (s, &r, only_options, FALSE);
  err_line = one_line (r.err);
  g_test_message ("stderr: %s", err_line);
  g_assert_cmpint (r.status, ==, 1);
  g_assert_cmpstr (r.out, ==, "");
  /* the option is not a command */
  if (strstr (r.err, "unknown command “--data-dir”") != NULL)
    g_test_fail_printf ("only options given, yet: %s", err_line);
  g_assert_false (g_file_test (s->data_dir, G_FILE_TEST_EXISTS));
  result_clear (&r);
}

/* ---- data directories that cannot be used ----------------------------- */

static void
assert_one_line (const Result *r)
{
  const char *nl = strchr (r->err, '\n');

  g_assert_nonnull (nl);
  g_assert_cmpstr (nl + 1, ==, "");
  g_assert_true (g_str_has_prefix (r->err, "procura-cli: "));
}

/* A data directory under a regular file cannot be created. For init that
 * is the file system refusing, which the tool's contract (and
 * fail_error()) reports as an internal error: exit 2. Every other command
 * finds no store there: the user's mistake, exit 1. Always one clear line
 * naming the path. */
static void
test_data_dir_unusable (void)
{
  g_autoptr(Session) s = session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename (s->root, "a-file", NULL);
  const char * const commands[][4] = {
    { "init" }, { "list" }, { "stats" }, { "check" }, { "show", "XH-2025-001" },
    { "add", "organization", "name=x" },
  };
  Result r = { 0 };

  g_file_set_contents (file, "not a directory", -1, &error);
  g_assert_no_error (error);
  g_free (s->data_dir);
  s->data_dir = g_build_filename (file, "data", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    {
      run_argv (s, &r, commands[i], TRUE);
      g_test_message ("%s: exit %d: %s", commands[i][0], r.status, r.err);
      g_assert_cmpint (r.status, ==, i == 0 ? 2 : 1);
      g_assert_cmpstr (r.out, ==, "");
      assert_one_line (&r);
      g_assert_nonnull (strstr (r.err, s->data_dir));
    }
  result_clear (&r);
}

/* procura.db that is not a database: exit 2, one line, the file untouched. */
static void
test_data_dir_not_a_database (void)
{
  g_autoptr(Session) s = session_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *db = g_build_filename (s->data_dir, PROCURA_STORE_DB_NAME, NULL);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  Result r = { 0 };

  g_assert_cmpint (g_mkdir_with_parents (s->data_dir, 0700), ==, 0);
  g_file_set_contents (db, "项目,金额\nXH-2025-001,125000\n", -1, &error);
  g_assert_no_error (error);
  before = read_file (db);

  run (s, &r, "list", NULL);
  g_test_message ("exit %d: %s", r.status, r.err);
  g_assert_cmpint (r.status, ==, 2);
  assert_one_line (&r);
  g_assert_nonnull (strstr (r.err, "not a database"));

  run (s, &r, "add", "organization", "name=x", "uscc=" USCC_SPARE, "kind=other", NULL);
  g_assert_cmpint (r.status, ==, 2);
  assert_one_line (&r);

  after = read_file (db);
  g_assert_true (g_bytes_equal (before, after));
  result_clear (&r);
}

/* A store written by a newer Procura: the user must update; exit 1. */
static void
test_data_dir_too_new (void)
{
  g_autoptr(Session) s = session_new ();
  g_autofree char *db = g_build_filename (s->data_dir, PROCURA_STORE_DB_NAME, NULL);
  Result r = { 0 };
  sqlite3 *handle = NULL;

  ok (s, &r, "init", NULL);
  g_assert_cmpint (sqlite3_open (db, &handle), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (handle, "PRAGMA user_version = 99", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (handle);

  run (s, &r, "stats", NULL);
  g_test_message ("exit %d: %s", r.status, r.err);
  g_assert_cmpint (r.status, ==, 1);
  assert_one_line (&r);
  g_assert_nonnull (strstr (r.err, "99"));
  g_assert_nonnull (strstr (r.err, "newer"));
  result_clear (&r);
}

int
main (int    argc,
      char **argv)
{
  int status;

  if (!procura_test_init_cli (&argc, &argv, &cli_path, &cli_env))
    return 77;

  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/init", test_init);
  g_test_add_func ("/cli/list", test_list);
  g_test_add_func ("/cli/list-filters", test_list_filters);
  g_test_add_func ("/cli/show", test_show);
  g_test_add_func ("/cli/history", test_history);
  g_test_add_func ("/cli/stats-check", test_stats_check);
  g_test_add_func ("/cli/money-input", test_money_input);
  g_test_add_func ("/cli/option-position", test_option_position);
  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_autofree char *what = describe (bad_inputs[i].args);
      g_autofree char *path = NULL;

      g_strdelimit (what, "/ ", '_');
      path = g_strdup_printf ("/cli/bad-input/%03u-%s", i, what);
      g_test_add_data_func (path, &bad_inputs[i], test_bad_input);
    }
  g_test_add_func ("/cli/bad-input-creates-nothing", test_bad_input_creates_nothing);
  g_test_add_func ("/cli/no-command", test_no_command);
  g_test_add_func ("/cli/data-dir/unusable", test_data_dir_unusable);
  g_test_add_func ("/cli/data-dir/not-a-database", test_data_dir_not_a_database);
  g_test_add_func ("/cli/data-dir/too-new", test_data_dir_too_new);

  status = g_test_run ();

  if (shared != NULL)
    session_free (shared);
  g_strfreev (cli_env);

  return status;
}
