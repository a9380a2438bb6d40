/* test-permissions.c — product.md §4, cell by cell, against procura-server
 *
 * The full permission matrix: every endpoint and every pushed operation
 * (one row each) for every role, each acting on a record of the agency
 * account's own organization and of another agency's (two columns per
 * role; also an agency account whose organization is not on the server
 * yet, and no account at all). Expectations come from product.md §4 and PROTOCOL.md, not from
 * what the server happens to do. Every cell is its own assertion; all
 * cells run whatever fails, each row reports its failing cells together,
 * and the whole matrix is printed at the end.
 *
 * A pushed operation refused by the permission rules is a 200 answer
 * with the mutation "rejected" "forbidden"; accounts that may change
 * nothing (admin, auditor) get 403 "forbidden" for the whole push;
 * without a token everything but /healthz and the login is 401. Accepted
 * cells are checked to have taken effect (the officer's feed shows the
 * change), refused ones to have changed nothing (the officer's feed shows
 * no change at all), and every refusal must be in the audit log.
 *
 * Each pushed operation's cell also asks the app's permission mirror
 * (src/core/procura-permissions.c) and holds its answer to what the server
 * did, where the mirror can know (see "the app's mirror" below).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>

#include "procura-permissions.h"
#include "procura-test-utils.h"

#define PASSWORD "correct horse 1"

typedef enum
{
  ROLE_ADMIN,
  ROLE_OFFICER,
  ROLE_AGENCY,
  ROLE_UNBOUND,    /* an agency account whose organization is not on the server */
  ROLE_AUDITOR,
  ROLE_ANON,
  N_ROLES
} Role;

static const char *role_names[N_ROLES] = { "admin", "officer", "agency", "agency", "auditor", "anon" };
static const char *user_names[N_ROLES] = { "admin1", "officer1", "agency1", "agency9", "auditor1", NULL };

enum { OWN, OTHER };

#define N_COLS 12
static const struct
{
  const char *label;
  Role        role;
  int         target;
} columns[N_COLS] = {
  { "admin/own", ROLE_ADMIN, OWN },       { "admin/other", ROLE_ADMIN, OTHER },
  { "officer/own", ROLE_OFFICER, OWN },   { "officer/other", ROLE_OFFICER, OTHER },
  { "agency/own", ROLE_AGENCY, OWN },     { "agency/other", ROLE_AGENCY, OTHER },
  { "unbound/own", ROLE_UNBOUND, OWN },   { "unbound/other", ROLE_UNBOUND, OTHER },
  { "auditor/own", ROLE_AUDITOR, OWN },   { "auditor/other", ROLE_AUDITOR, OTHER },
  { "anon/own", ROLE_ANON, OWN },         { "anon/other", ROLE_ANON, OTHER },
};

/* What a cell must come to. OK is the row's success (a push applied or
 * merged, an endpoint's 2xx); FBD a mutation rejected "forbidden" in a
 * 200 push answer; INV one the account may make but a domain rule
 * refuses (rejected "invalid": an accepted report is locked for
 * everyone); E4xx that status with its error code; SEE/HID whether the
 * record reaches the account; RVK the account is told to drop it. */
typedef enum { OK, FBD, INV, E401, E403, E404, SEE, HID, RVK } Expect;

static const char *expect_text[] = { "ok", "forbidden", "invalid", "401", "403", "404", "seen", "hidden", "revoked" };

/* What the app's permission mirror (procura-permissions.c) said of a
 * pushed operation's cell, against what the server did. */
typedef enum { MIRROR_UNASKED, MIRROR_AGREES, MIRROR_DIFFERS } Mirror;

static struct
{
  const char  *binary;
  char        *dir;
  ProcuraTestServer *server;
  SoupSession *session;
  char        *token[N_ROLES];
  char        *cursor[N_ROLES];   /* each account's position in its feed */
  char        *buyer;
  char        *buyer_uscc;
  char        *org[2];
  char        *uscc[2];
  char        *uscc_unbound;      /* no organization has it */
  char        *token_other;       /* agency2, of the other agency (B) */
  char        *project[2];        /* active projects of agency A (own) and B */
  GHashTable  *revs;              /* id → rev, as the officer last saw it */
  GString     *setup_error;
  GPtrArray   *audit_expect;
  char        *actual[128][N_COLS];
  Mirror       mirror[128][N_COLS];
  guint        n_uuid;
} S;

static char *
uuid (void)
{
  return g_strdup_printf ("0190b1e3-%04x-7000-8000-%012x", g_random_int_range (0, 0xffff), ++S.n_uuid);
}

static char *
random_hex (void)
{
  g_autofree char *seed = g_strdup_printf ("%u-%u-%u", g_random_int (), g_random_int (), ++S.n_uuid);

  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
}

static void
setup_fail (const char *format,
            ...) G_GNUC_PRINTF (1, 2);

static void
setup_fail (const char *format,
            ...)
{
  va_list args;

  va_start (args, format);
  if (S.setup_error->len > 0)
    g_string_append (S.setup_error, "; ");
  g_string_append_vprintf (S.setup_error, format, args);
  va_end (args);
}

/* ---- HTTP ------------------------------------------------------------ */

typedef struct
{
  guint     status;
  GBytes   *body;
  JsonNode *json;
  char     *text;
  char     *upload_offset;
} Response;

static void
response_clear (Response *r)
{
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->json, json_node_unref);
  g_clear_pointer (&r->text, g_free);
  g_clear_pointer (&r->upload_offset, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

/* extra headers: name, value pairs, NULL-terminated */
static void
http_full (Response    *r,
           const char  *method,
           const char  *path,
           const char  *token,
           const char  *content_type,
           const void  *body,
           gsize        body_len,
           ...)
{
  g_autofree char *url = g_strconcat (S.server->url, path + 1, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  const char *name;
  va_list args;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Sync-Protocol", "1");
  if (token != NULL)
    {
      g_autofree char *value = g_strdup_printf ("Bearer %s", token);
      soup_message_headers_replace (headers, "Authorization", value);
    }
  va_start (args, body_len);
  while ((name = va_arg (args, const char *)) != NULL)
    soup_message_headers_replace (headers, name, va_arg (args, const char *));
  va_end (args);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, content_type, bytes);
    }

  memset (r, 0, sizeof *r);
  r->body = soup_session_send_and_read (S.session, msg, NULL, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  r->text = g_bytes_get_size (r->body) > 0 ? g_strndup (g_bytes_get_data (r->body, NULL), g_bytes_get_size (r->body))
                                            : g_strdup ("");
  r->upload_offset = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                             "Upload-Offset"));
  if (r->text[0] == '{')
    {
      r->json = json_from_string (r->text, NULL);
      if (r->json != NULL && !JSON_NODE_HOLDS_OBJECT (r->json))
        g_clear_pointer (&r->json, json_node_unref);
    }
}

static void
http_json (Response   *r,
           const char *method,
           const char *path,
           const char *token,
           const char *body)
{
  http_full (r, method, path, token, "application/json", body, body != NULL ? strlen (body) : 0, NULL);
}

static JsonObject *
obj (Response *r)
{
  return r->json != NULL ? json_node_get_object (r->json) : NULL;
}

static const char *
error_code (Response *r)
{
  return obj (r) != NULL ? json_object_get_string_member_with_default (obj (r), "error", NULL) : NULL;
}

static char *
login (const char *name)
{
  g_auto(Response) r = { 0 };
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", name, PASSWORD);

  http_json (&r, "POST", "/v1/session", NULL, body);
  if (r.status != 200)
    g_printerr ("login %s: %u %s\n", name, r.status, r.text);
  g_assert_cmpuint (r.status, ==, 200);
  return g_strdup (json_object_get_string_member (obj (&r), "token"));
}

/* A push of one mutation from device; fields_json may be NULL (a delete). */
static void
push_one_from (Response   *r,
               const char *device,
               const char *token,
               const char *op,
               const char *entity,
               const char *id,
               gint64      base_rev,
               const char *fields_json,
               const char *mutation_id)
{
  g_autofree char *key = uuid ();
  g_autofree char *body = NULL;

  body = g_strdup_printf ("{\"protocol\":1,\"device\":\"%s\",\"mutations\":["
                          "{\"mutation_id\":\"%s\",\"entity\":\"%s\",\"id\":\"%s\",\"op\":\"%s\","
                          "\"base_rev\":%" G_GINT64_FORMAT "%s%s}]}",
                          device, mutation_id, entity, id, op, base_rev,
                          fields_json != NULL ? ",\"fields\":" : "", fields_json != NULL ? fields_json : "");
  http_full (r, "POST", "/v1/push", token, "application/json", body, strlen (body),
             "Idempotency-Key", key, NULL);
}

static void
push_one (Response   *r,
          const char *token,
          const char *op,
          const char *entity,
          const char *id,
          gint64      base_rev,
          const char *fields_json,
          const char *mutation_id)
{
  push_one_from (r, "perm-device", token, op, entity, id, base_rev, fields_json, mutation_id);
}

/* The single result of a 200 push answer, or NULL. */
static JsonObject *
push_result (Response *r)
{
  JsonArray *results;

  if (r->status != 200 || obj (r) == NULL || !json_object_has_member (obj (r), "results"))
    return NULL;
  results = json_object_get_array_member (obj (r), "results");
  if (json_array_get_length (results) != 1)
    return NULL;
  return json_array_get_object_element (results, 0);
}

/* ---- the officer's hands: fixtures ------------------------------------ */

/* Pulls the account's feed from its cursor to the end; the records seen
 * go to into (id → record) when not NULL. The officer's pulls also keep
 * S.revs, the base revisions of the next edits. FALSE: the pull was
 * refused (*out_status says how). */
static gboolean
drain (Role        role,
       GHashTable *into,
       guint      *out_status)
{
  for (guint pages = 0; pages < 10000; pages++)
    {
      g_auto(Response) r = { 0 };
      g_autofree char *path = g_strdup_printf ("/v1/changes?since=%s&limit=1000", S.cursor[role]);
      JsonArray *changes;

      http_json (&r, "GET", path, S.token[role], NULL);
      if (out_status != NULL)
        *out_status = r.status;
      if (r.status != 200 || obj (&r) == NULL)
        return FALSE;
      changes = json_object_get_array_member (obj (&r), "changes");
      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          JsonObject *change = json_array_get_object_element (changes, i);
          JsonObject *record;
          const char *id;

          if (!json_object_has_member (change, "record"))
            continue;
          record = json_object_get_object_member (change, "record");
          id = json_object_get_string_member (record, "id");
          if (into != NULL)
            g_hash_table_replace (into, g_strdup (id), json_object_ref (record));
          if (role == ROLE_OFFICER)
            g_hash_table_replace (S.revs, g_strdup (id),
                                  GINT_TO_POINTER ((int) json_object_get_int_member (record, "rev")));
        }
      g_free (S.cursor[role]);
      S.cursor[role] = g_strdup (json_object_get_string_member (obj (&r), "next"));
      if (!json_object_get_boolean_member (obj (&r), "has_more"))
        return TRUE;
    }
  return FALSE;
}

static GHashTable *
records_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
}

static gint64
rev_of (const char *id)
{
  drain (ROLE_OFFICER, NULL, NULL);
  return GPOINTER_TO_INT (g_hash_table_lookup (S.revs, id));
}

/* An officer's write that must work; its new rev, -1 (and the setup
 * marked failed) if it did not. */
static gint64
officer_write (const char *op,
               const char *entity,
               const char *id,
               const char *fields_json)
{
  g_auto(Response) r = { 0 };
  g_autofree char *mutation_id = uuid ();
  gint64 base_rev = strcmp (op, "insert") == 0 ? 0 : rev_of (id);
  JsonObject *result;
  const char *status;

  push_one (&r, S.token[ROLE_OFFICER], op, entity, id, base_rev, fields_json, mutation_id);
  result = push_result (&r);
  status = result != NULL ? json_object_get_string_member (result, "status") : NULL;
  if (g_strcmp0 (status, "applied") != 0 && g_strcmp0 (status, "merged") != 0 && g_strcmp0 (status, "conflict") != 0)
    {
      setup_fail ("officer %s %s %s: %u %s", op, entity, fields_json != NULL ? fields_json : "", r.status, r.text);
      return -1;
    }
  return json_object_get_int_member (result, "rev");
}

static char *
officer_insert (const char *entity,
                const char *fields_json)
{
  char *id = uuid ();

  officer_write ("insert", entity, id, fields_json);
  return id;
}

static char *
make_org (const char *name,
          const char *uscc)
{
  g_autofree char *fields = g_strdup_printf ("{\"name\":\"%s\",\"uscc\":\"%s\",\"kind\":\"social_work_agency\"}",
                                             name, uscc);

  return officer_insert ("organization", fields);
}

static char *
fresh_org (void)
{
  static guint n = 7000;
  g_autofree char *uscc = make_uscc (++n);

  return make_org ("新成立的社工机构", uscc);
}

/* A project carried out by the own (A) or other (B) agency; active
 * unless draft. */
static char *
make_project (int      target,
              gboolean draft)
{
  g_autofree char *code = g_strdup_printf ("PERM-%u", ++S.n_uuid);
  g_autofree char *fields = NULL;
  char *id;

  fields = g_strdup_printf ("{\"code\":\"%s\",\"title\":\"项目 %s\",\"category\":\"elderly\","
                            "\"method\":\"open_tender\",\"status\":\"draft\",\"value\":1000000,"
                            "\"buyer_id\":\"%s\",\"agency_id\":\"%s\",\"start_date\":\"2026-01-01\","
                            "\"end_date\":\"2026-12-31\",\"date_signed\":\"2025-12-20\"}",
                            code, code, S.buyer, S.org[target]);
  id = officer_insert ("project", fields);
  if (!draft)
    officer_write ("update", "project", id, "{\"status\":\"active\"}");
  return id;
}

static char *make_child (const char *entity, int target, const char *state);

/* Replaces @P by the project, @X by the other one, @O by the target
 * organization, @Y by the other one, @N by a number that differs from cell to cell (an edit
 * that changes nothing would show nothing), @R by a new draft report, @M
 * by a new milestone and @A by a new activity of the other project, @Q by
 * a new accepted report of the target's, @H by a new project of the
 * target's handed over to the other agency. */
static char *
subst (const char *text,
       int         target)
{
  g_autoptr(GString) s = g_string_new (text);

  g_string_replace (s, "@P", S.project[target], 0);
  g_string_replace (s, "@X", S.project[1 - target], 0);
  g_string_replace (s, "@O", S.org[target], 0);
  g_string_replace (s, "@Y", S.org[1 - target], 0);
  if (strstr (s->str, "@R") != NULL)
    {
      g_autofree char *report = make_child ("report", 1 - target, NULL);
      g_string_replace (s, "@R", report, 0);
    }
  if (strstr (s->str, "@H") != NULL)
    {
      g_autofree char *project = make_project (target, FALSE);
      g_autofree char *to = g_strdup_printf ("{\"agency_id\":\"%s\"}", S.org[1 - target]);

      officer_write ("update", "project", project, to);
      g_string_replace (s, "@H", project, 0);
    }
  if (strstr (s->str, "@Q") != NULL)
    {
      g_autofree char *report = make_child ("report", target, "accepted");
      g_string_replace (s, "@Q", report, 0);
    }
  if (strstr (s->str, "@M") != NULL)
    {
      g_autofree char *milestone = make_child ("milestone", 1 - target, NULL);
      g_string_replace (s, "@M", milestone, 0);
    }
  if (strstr (s->str, "@A") != NULL)
    {
      g_autofree char *activity = make_child ("activity", 1 - target, NULL);
      g_string_replace (s, "@A", activity, 0);
    }
  {
    g_autofree char *n = g_strdup_printf ("%04u", ++S.n_uuid % 10000);
    g_string_replace (s, "@N", n, 0);
  }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

static void report_to_state (const char *report, const char *state);

/* What a new record of entity needs, in the target's project; parents
 * (an evaluation, an indicator, a report in report_state) are made by the
 * officer. */
static char *
insert_fields (const char *entity,
               int         target,
               const char *report_state)
{
  const char *p = S.project[target];

  if (strcmp (entity, "activity") == 0)
    return g_strdup_printf ("{\"project_id\":\"%s\",\"kind\":\"event\",\"title\":\"重阳活动\",\"date\":\"2026-10-29\"}", p);
  if (strcmp (entity, "consultation") == 0)
    return g_strdup_printf ("{\"project_id\":\"%s\",\"month\":\"2026-10\",\"source\":\"online_survey\","
                            "\"topic\":\"楼道照明\",\"status\":\"pending\"}", p);
  if (strcmp (entity, "milestone") == 0)
    return g_strdup_printf ("{\"project_id\":\"%s\",\"title\":\"中期报告\",\"type\":\"reporting\","
                            "\"due_date\":\"2026-06-30\",\"status\":\"planned\"}", p);
  if (strcmp (entity, "payment") == 0)
    return g_strdup_printf ("{\"project_id\":\"%s\",\"title\":\"首期拨付\",\"planned_amount\":300000,"
                            "\"status\":\"planned\"}", p);
  if (strcmp (entity, "amendment") == 0)
    return g_strdup_printf ("{\"project_id\":\"%s\",\"date\":\"2026-06-01\",\"rationale\":\"服务对象增加\","
                            "\"description\":\"增加服务楼栋\"}", p);
  if (strcmp (entity, "evaluation") == 0)
    return g_strdup_printf ("{\"project_id\":\"%s\",\"kind\":\"midterm\",\"date\":\"2026-07-01\","
                            "\"status\":\"draft\"}", p);
  if (strcmp (entity, "criterion") == 0)
    {
      g_autofree char *e_fields = insert_fields ("evaluation", target, NULL);
      g_autofree char *evaluation = officer_insert ("evaluation", e_fields);

      return g_strdup_printf ("{\"project_id\":\"%s\",\"evaluation_id\":\"%s\",\"level\":1,\"position\":0,"
                              "\"name\":\"服务质量\",\"weight\":\"100\"}", p, evaluation);
    }
  if (strcmp (entity, "indicator") == 0)
    return g_strdup_printf ("{\"project_id\":\"%s\",\"title\":\"服务人次\",\"result_type\":\"output\","
                            "\"measure\":\"unit\",\"ascending\":true,\"target_value\":\"100\"}", p);
  if (strcmp (entity, "indicator_period") == 0)
    {
      g_autofree char *i_fields = insert_fields ("indicator", target, NULL);
      g_autofree char *indicator = officer_insert ("indicator", i_fields);

      return g_strdup_printf ("{\"project_id\":\"%s\",\"indicator_id\":\"%s\",\"period_start\":\"2026-01-01\","
                              "\"period_end\":\"2026-06-30\",\"target_value\":\"50\"}", p, indicator);
    }
  if (strcmp (entity, "report") == 0)
    return g_strdup_printf ("{\"project_id\":\"%s\",\"title\":\"十月月报\",\"state\":\"draft\"}", p);
  if (strcmp (entity, "attachment") == 0)
    {
      g_autofree char *sha = random_hex ();

      if (report_state != NULL)
        {
          g_autofree char *r_fields = insert_fields ("report", target, NULL);
          g_autofree char *report = officer_insert ("report", r_fields);

          report_to_state (report, report_state);
          return g_strdup_printf ("{\"project_id\":\"%s\",\"report_id\":\"%s\",\"name\":\"签到表.pdf\","
                                  "\"mime_type\":\"application/pdf\",\"size\":5,\"sha256\":\"%s\"}",
                                  p, report, sha);
        }
      return g_strdup_printf ("{\"project_id\":\"%s\",\"name\":\"签到表.pdf\",\"mime_type\":\"application/pdf\","
                              "\"size\":5,\"sha256\":\"%s\"}", p, sha);
    }
  if (strcmp (entity, "grade_scheme") == 0)
    return g_strdup_printf ("{\"name\":\"等级 %u\",\"bands\":\"A>=85;B>=70;C>=60;D>=0\"}", ++S.n_uuid);
  if (strcmp (entity, "organization") == 0)
    {
      g_autofree char *uscc = make_uscc (8000 + ++S.n_uuid);

      return g_strdup_printf ("{\"name\":\"新机构\",\"uscc\":\"%s\",\"kind\":\"social_work_agency\"}", uscc);
    }
  if (strcmp (entity, "project") == 0)
    return g_strdup_printf ("{\"code\":\"NEW-%u\",\"title\":\"新项目\",\"category\":\"youth\","
                            "\"method\":\"inquiry\",\"status\":\"draft\",\"buyer_id\":\"%s\",\"agency_id\":\"%s\"}",
                            ++S.n_uuid, S.buyer, S.org[target]);

  g_assert_not_reached ();
}

static void
report_to_state (const char *report,
                 const char *state)
{
  if (state == NULL || strcmp (state, "draft") == 0)
    return;
  officer_write ("update", "report", report, "{\"state\":\"submitted\"}");
  if (strcmp (state, "accepted") == 0)
    officer_write ("update", "report", report, "{\"state\":\"accepted\"}");
  else if (strcmp (state, "returned") == 0)
    officer_write ("update", "report", report, "{\"state\":\"returned\",\"review_comment\":\"请补充签到表\"}");
}

/* A record of entity in the target's project, made by the officer; a
 * report (or an attachment's report) is brought to state. */
char *
make_child (const char *entity,
            int         target,
            const char *state)
{
  g_autofree char *fields = insert_fields (entity, target, strcmp (entity, "attachment") == 0 ? "draft" : NULL);
  char *id = officer_insert (entity, fields);

  if (strcmp (entity, "report") == 0)
    report_to_state (id, state);
  else if (strcmp (entity, "attachment") == 0 && state != NULL)
    {
      /* the attachment's report */
      g_autoptr(JsonNode) node = json_from_string (fields, NULL);
      const char *report = json_object_get_string_member (json_node_get_object (node), "report_id");

      report_to_state (report, state);
    }
  return id;
}

/* ---- cells ----------------------------------------------------------- */

typedef struct _Row Row;

typedef struct
{
  const Row  *row;
  guint       col;
  Role        role;
  int         target;
  const char *token;
  const char *user;
  GString    *failures;      /* effects that did not hold */
  char       *method;        /* the last request the account made */
  char       *path;
  char       *mutation_id;   /* of a pushed mutation */
  char       *login_name;    /* of a failed login, audited as such */
} Cell;

typedef char *(*CellFunc) (Cell *c);

struct _Row
{
  const char *name;
  CellFunc    run;
  Expect      expect[N_COLS];
  /* pushed operations */
  const char *entity;
  const char *op;
  const char *fields;        /* an update's fields (@P, @X, @O substituted) */
  const char *state;         /* a report's (or an attachment's report's) state first;
                              * "buyer": the organization is the purchasing unit */
};

static void
cell_fail (Cell       *c,
           const char *format,
           ...) G_GNUC_PRINTF (2, 3);

static void
cell_fail (Cell       *c,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  g_string_append (c->failures, c->failures->len > 0 ? "; " : "");
  g_string_append_vprintf (c->failures, format, args);
  va_end (args);
}

/* A request made as the cell's account, remembered for the audit check. */
static void
cell_http (Cell       *c,
           Response   *r,
           const char *method,
           const char *path,
           const char *body)
{
  g_free (c->method);
  g_free (c->path);
  c->method = g_strdup (method);
  c->path = g_strdup (path);
  http_json (r, method, path, c->token, body);
}

/* The outcome of an endpoint: "ok" for the expected success status, the
 * status for a refusal with its right error code, else what came. */
static char *
outcome (Response *r,
         guint     ok_status)
{
  const char *code = error_code (r);
  gboolean head = r->body == NULL || g_bytes_get_size (r->body) == 0;

  if (r->status == ok_status)
    return g_strdup ("ok");
  /* HEAD answers carry no body to name the error */
  if ((r->status == 401 && (head || g_strcmp0 (code, "unauthorized") == 0)) ||
      (r->status == 403 && (head || g_strcmp0 (code, "forbidden") == 0)) ||
      (r->status == 404 && (head || g_strcmp0 (code, "not_found") == 0)))
    return g_strdup_printf ("%u", r->status);
  return g_strdup_printf ("HTTP %u %s", r->status, r->text != NULL ? r->text : "");
}

/* Changes the officer sees since its cursor (the cell's effect). */
static GHashTable *
officer_changes (void)
{
  GHashTable *seen = records_table ();

  drain (ROLE_OFFICER, seen, NULL);
  return seen;
}

static void
assert_unchanged (Cell *c)
{
  g_autoptr(GHashTable) seen = officer_changes ();

  if (g_hash_table_size (seen) > 0)
    {
      GHashTableIter iter;
      gpointer key;

      g_hash_table_iter_init (&iter, seen);
      g_hash_table_iter_next (&iter, &key, NULL);
      cell_fail (c, "refused, yet %u records changed (%s)", g_hash_table_size (seen), (const char *) key);
    }
}

/* ---- pushed operations ----------------------------------------------- */

static void
fresh_target (Cell        *c,
              char       **out_id,
              gint64      *out_base_rev,
              char       **out_fields)
{
  const Row *row = c->row;
  gboolean insert = strcmp (row->op, "insert") == 0;

  *out_fields = NULL;
  if (insert)
    {
      *out_id = uuid ();
      *out_base_rev = 0;
      if (row->fields != NULL)
        *out_fields = subst (row->fields, c->target);
      else
        *out_fields = insert_fields (row->entity, c->target, row->state);
      return;
    }

  if (strcmp (row->entity, "organization") == 0)
    {
      /* an agency acts on its own organization or the other agency's;
       * whoever may delete gets a fresh one, not the shared ones */
      if (g_strcmp0 (row->state, "buyer") == 0)
        *out_id = g_strdup (S.buyer);
      else if (strcmp (row->op, "delete") == 0 && c->role != ROLE_AGENCY && c->role != ROLE_UNBOUND)
        *out_id = fresh_org ();
      else
        *out_id = g_strdup (S.org[c->target]);
    }
  else if (strcmp (row->entity, "project") == 0)
    *out_id = make_project (c->target, strcmp (row->op, "delete") == 0);
  else
    *out_id = make_child (row->entity, c->target, row->state);
  *out_base_rev = rev_of (*out_id);
  if (row->fields != NULL)
    *out_fields = subst (row->fields, c->target);
}

/* Whether every pushed field holds in the record. */
static void
check_fields (Cell       *c,
              JsonObject *record,
              const char *fields_json)
{
  g_autoptr(JsonNode) pushed = json_from_string (fields_json, NULL);
  JsonObject *fields = json_object_get_object_member (record, "fields");
  g_autoptr(GList) names = json_object_get_members (json_node_get_object (pushed));

  for (GList *l = names; l != NULL; l = l->next)
    {
      JsonNode *want = json_object_get_member (json_node_get_object (pushed), l->data);
      JsonNode *have = json_object_get_member (fields, l->data);
      g_autofree char *want_text = json_to_string (want, FALSE);
      g_autofree char *have_text = have != NULL ? json_to_string (have, FALSE) : g_strdup ("(none)");

      if (strcmp (want_text, have_text) != 0)
        cell_fail (c, "accepted, but %s is %s, not %s", (const char *) l->data, have_text, want_text);
    }
}

static char *
run_push (Cell *c)
{
  g_auto(Response) r = { 0 };
  g_autofree char *id = NULL;
  g_autofree char *fields = NULL;
  gint64 base_rev;
  JsonObject *result;
  char *result_text;

  fresh_target (c, &id, &base_rev, &fields);
  if (S.setup_error->len > 0)
    return NULL;
  drain (ROLE_OFFICER, NULL, NULL);

  c->mutation_id = uuid ();
  c->method = g_strdup ("POST");
  c->path = g_strdup ("/v1/push");
  push_one (&r, c->token, c->row->op, c->row->entity, id, base_rev, fields, c->mutation_id);

  if ((result = push_result (&r)) == NULL)
    result_text = outcome (&r, 0);
  else
    {
      const char *status = json_object_get_string_member (result, "status");

      if (g_strcmp0 (status, "applied") == 0 || g_strcmp0 (status, "merged") == 0)
        result_text = g_strdup ("ok");
      else if (g_strcmp0 (status, "rejected") == 0 &&
               g_strcmp0 (json_object_get_string_member (result, "error"), "forbidden") == 0)
        result_text = g_strdup ("forbidden");
      else if (g_strcmp0 (status, "rejected") == 0 &&
               g_strcmp0 (json_object_get_string_member (result, "error"), "invalid") == 0)
        {
          result_text = g_strdup ("invalid");
          g_test_message ("  %s: %s", c->row->name, json_object_get_string_member (result, "reason"));
        }
      else
        result_text = g_strdup_printf ("%s %s: %s", status,
                                       json_object_get_string_member_with_default (result, "error", ""),
                                       json_object_get_string_member_with_default (result, "reason", ""));
    }

  /* the effect, as the officer's feed shows it */
  if (strcmp (result_text, "ok") == 0)
    {
      g_autoptr(GHashTable) seen = officer_changes ();
      JsonObject *record = g_hash_table_lookup (seen, id);

      if (record == NULL)
        cell_fail (c, "accepted, but the record is not in the feed");
      else if (strcmp (c->row->op, "delete") == 0)
        {
          if (!json_object_get_boolean_member (record, "deleted"))
            cell_fail (c, "delete accepted, but the record is live");
        }
      else if (json_object_get_boolean_member (record, "deleted"))
        cell_fail (c, "accepted, but the record is deleted");
      else
        check_fields (c, record, fields);
    }
  else
    assert_unchanged (c);

  return result_text;
}

/* ---- endpoints ------------------------------------------------------- */

static char *
run_healthz (Cell *c)
{
  g_auto(Response) r = { 0 };

  cell_http (c, &r, "GET", "/healthz", NULL);
  return outcome (&r, 200);
}

static char *
run_login (Cell *c)
{
  g_auto(Response) r = { 0 };
  g_autofree char *body = NULL;
  char *result;

  if (c->role == ROLE_ANON)
    {
      c->login_name = g_strdup_printf ("nobody%u", ++S.n_uuid);
      body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", c->login_name, PASSWORD);
    }
  else
    body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", c->user, PASSWORD);
  cell_http (c, &r, "POST", "/v1/session", body);
  result = outcome (&r, 200);
  if (strcmp (result, "ok") == 0)
    {
      const char *role = json_object_get_string_member_with_default (obj (&r), "role", "");
      const char *org = json_object_get_string_member_with_default (obj (&r), "organization", NULL);

      if (g_strcmp0 (role, role_names[c->role]) != 0)
        cell_fail (c, "logged in as role %s, not %s", role, role_names[c->role]);
      if (g_strcmp0 (org, c->role == ROLE_AGENCY ? S.uscc[OWN] : c->role == ROLE_UNBOUND ? S.uscc_unbound : NULL) != 0)
        cell_fail (c, "organization %s", org != NULL ? org : "null");
    }
  return result;
}

static char *
run_logout (Cell *c)
{
  g_auto(Response) r = { 0 };
  g_auto(Response) after = { 0 };
  g_autofree char *token = c->role != ROLE_ANON ? login (c->user) : NULL;
  char *result;

  /* a token of its own: the cell's account keeps its main one */
  c->token = token;
  cell_http (c, &r, "DELETE", "/v1/session", NULL);
  result = outcome (&r, 204);
  if (strcmp (result, "ok") == 0)
    {
      http_json (&after, "GET", "/v1/conflicts", token, NULL);
      if (after.status != 401)
        cell_fail (c, "the token still works after logging out (%u)", after.status);
    }
  c->token = NULL;
  return result;
}

static char *
run_changes (Cell *c)
{
  g_auto(Response) r = { 0 };

  cell_http (c, &r, "GET", "/v1/changes?since=0&limit=1", NULL);
  return outcome (&r, 200);
}

typedef enum
{
  SEE_PROJECT,
  SEE_ACTIVITY,
  SEE_ATTACHMENT,
  SEE_ORG,
  SEE_EVALUATOR,
  SEE_CRITERION,
  SEE_PERIOD,
  SEE_TOMBSTONE,
  SEE_PROJECT_TOMBSTONE,
  SEE_GRADE_SCHEME,
} SeeWhat;

/* Whether a record the officer just wrote reaches the account's pull. */
static char *
run_see (Cell    *c,
         SeeWhat  what)
{
  g_autoptr(GHashTable) seen = records_table ();
  g_autofree char *id = NULL;
  JsonObject *record;
  guint status = 0;

  if (c->role != ROLE_ANON)
    drain (c->role, NULL, NULL);
  switch (what)
    {
    case SEE_PROJECT:
      id = make_project (c->target, TRUE);
      break;
    case SEE_ACTIVITY:
      id = make_child ("activity", c->target, NULL);
      break;
    case SEE_ATTACHMENT:
      id = make_child ("attachment", c->target, NULL);
      break;
    case SEE_ORG:
      id = g_strdup (S.org[c->target]);
      {
        g_autofree char *note = g_strdup_printf ("{\"note\":\"备注 %u\"}", ++S.n_uuid);
        officer_write ("update", "organization", id, note);
      }
      break;
    case SEE_TOMBSTONE:
      id = make_child ("activity", c->target, NULL);
      if (c->role != ROLE_ANON)
        drain (c->role, NULL, NULL);
      officer_write ("delete", "activity", id, NULL);
      break;
    case SEE_PROJECT_TOMBSTONE:
      id = make_project (c->target, TRUE);
      if (c->role != ROLE_ANON)
        drain (c->role, NULL, NULL);
      officer_write ("delete", "project", id, NULL);
      break;
    case SEE_CRITERION:
      id = make_child ("criterion", c->target, NULL);
      break;
    case SEE_PERIOD:
      id = make_child ("indicator_period", c->target, NULL);
      break;
    case SEE_EVALUATOR:
      {
        g_autofree char *fields = NULL;
        g_autofree char *evaluation = NULL;

        id = fresh_org ();
        fields = g_strdup_printf ("{\"project_id\":\"%s\",\"kind\":\"midterm\",\"date\":\"2026-07-01\","
                                  "\"status\":\"draft\",\"evaluator_org_id\":\"%s\"}", S.project[c->target], id);
        evaluation = officer_insert ("evaluation", fields);
      }
      break;
    case SEE_GRADE_SCHEME:
      {
        g_autofree char *fields = insert_fields ("grade_scheme", c->target, NULL);
        id = officer_insert ("grade_scheme", fields);
      }
      break;
    default:
      g_assert_not_reached ();
    }
  if (S.setup_error->len > 0)
    return NULL;

  c->method = g_strdup ("GET");
  c->path = g_strdup ("/v1/changes");
  if (c->role == ROLE_ANON)
    {
      g_auto(Response) r = { 0 };

      cell_http (c, &r, "GET", "/v1/changes?since=0", NULL);
      return outcome (&r, 200);
    }
  if (!drain (c->role, seen, &status))
    return g_strdup_printf ("HTTP %u", status);
  record = g_hash_table_lookup (seen, id);
  if (record == NULL)
    return g_strdup ("hidden");
  if ((what == SEE_TOMBSTONE || what == SEE_PROJECT_TOMBSTONE) && !json_object_get_boolean_member (record, "deleted"))
    cell_fail (c, "the record came, but not as a tombstone");
  return g_strdup ("seen");
}

static char *run_see_project (Cell *c) { return run_see (c, SEE_PROJECT); }
static char *run_see_activity (Cell *c) { return run_see (c, SEE_ACTIVITY); }
static char *run_see_attachment (Cell *c) { return run_see (c, SEE_ATTACHMENT); }
static char *run_see_org (Cell *c) { return run_see (c, SEE_ORG); }
static char *run_see_tombstone (Cell *c) { return run_see (c, SEE_TOMBSTONE); }
static char *run_see_grade_scheme (Cell *c) { return run_see (c, SEE_GRADE_SCHEME); }
static char *run_see_evaluator (Cell *c) { return run_see (c, SEE_EVALUATOR); }
static char *run_see_criterion (Cell *c) { return run_see (c, SEE_CRITERION); }
static char *run_see_project_tombstone (Cell *c) { return run_see (c, SEE_PROJECT_TOMBSTONE); }
static char *run_see_period (Cell *c) { return run_see (c, SEE_PERIOD); }

/* A project of the target agency handed to the other one: accounts that
 * saw it before and may no longer are told to drop it ("revoked"); those
 * who may see it now receive it ("seen"). */
static char *
run_handover (Cell *c)
{
  g_autofree char *id = make_project (c->target, FALSE);
  g_autofree char *to = g_strdup_printf ("{\"agency_id\":\"%s\"}", S.org[1 - c->target]);
  g_autofree char *path = NULL;
  g_auto(Response) r = { 0 };
  JsonArray *changes;
  gboolean seen = FALSE, revoked = FALSE;

  if (c->role != ROLE_ANON)
    drain (c->role, NULL, NULL);
  officer_write ("update", "project", id, to);
  if (S.setup_error->len > 0)
    return NULL;

  path = g_strdup_printf ("/v1/changes?since=%s&limit=1000", S.cursor[c->role]);
  cell_http (c, &r, "GET", path, NULL);
  if (r.status != 200)
    return outcome (&r, 200);
  changes = json_object_get_array_member (obj (&r), "changes");
  for (guint i = 0; i < json_array_get_length (changes); i++)
    {
      JsonObject *change = json_array_get_object_element (changes, i);

      if (json_object_has_member (change, "revoked") &&
          g_strcmp0 (json_object_get_string_member (json_object_get_object_member (change, "revoked"), "id"), id) == 0)
        revoked = TRUE;
      if (json_object_has_member (change, "record") &&
          g_strcmp0 (json_object_get_string_member (json_object_get_object_member (change, "record"), "id"), id) == 0)
        seen = TRUE;
    }
  drain (c->role, NULL, NULL);
  if (seen && revoked)
    return g_strdup ("seen and revoked");
  return g_strdup (revoked ? "revoked" : seen ? "seen" : "hidden");
}

static char *
run_audit (Cell *c)
{
  g_auto(Response) r = { 0 };

  cell_http (c, &r, "GET", "/v1/audit?limit=1", NULL);
  return outcome (&r, 200);
}

static char *
run_conflicts (Cell *c)
{
  g_auto(Response) r = { 0 };

  cell_http (c, &r, "GET", "/v1/conflicts", NULL);
  return outcome (&r, 200);
}

/* The newest open conflict on record's field (0: none), or whether the
 * conflict with that id is open (record NULL), as the officer lists them. */
static gint64
open_conflict_full (const char *record,
                    const char *field,
                    gint64      id)
{
  gint64 newest = 0;
  g_auto(Response) r = { 0 };
  JsonArray *list;

  http_json (&r, "GET", "/v1/conflicts", S.token[ROLE_OFFICER], NULL);
  if (r.status != 200)
    return 0;
  list = json_object_get_array_member (obj (&r), "conflicts");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *conflict = json_array_get_object_element (list, i);

      if (record == NULL && json_object_get_int_member (conflict, "id") == id)
        return id;
      if (record != NULL && g_strcmp0 (json_object_get_string_member (conflict, "record_id"), record) == 0 &&
          g_strcmp0 (json_object_get_string_member_with_default (conflict, "field", NULL), field) == 0)
        newest = MAX (newest, json_object_get_int_member (conflict, "id"));
    }
  return newest;
}

static gint64
open_conflict (const char *record,
               const char *field)
{
  return open_conflict_full (record, field, 0);
}

static gboolean
conflict_is_open (gint64 id)
{
  return open_conflict_full (NULL, NULL, id) == id;
}

/* What a conflict is made on: the record's entity and id, the field, and
 * a value for the server side that no other cell uses. */
typedef struct
{
  const char *entity;
  char       *id;
  const char *field;
  char       *server_value;   /* JSON */
} ConflictTarget;

static void
conflict_target_clear (ConflictTarget *t)
{
  g_clear_pointer (&t->id, g_free);
  g_clear_pointer (&t->server_value, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (ConflictTarget, conflict_target_clear)

typedef enum { ON_ACTIVITY, ON_HANDED_ACTIVITY, ON_PROJECT_TITLE, ON_ORG_NOTE, ON_ORG_NAME, ON_ORG_PHONE } ConflictOn;

static void
conflict_target (ConflictTarget *t,
                 ConflictOn      on,
                 int             target)
{
  guint n = ++S.n_uuid % 10000;

  memset (t, 0, sizeof *t);
  switch (on)
    {
    case ON_ACTIVITY:
      t->entity = "activity";
      t->id = make_child ("activity", target, NULL);
      t->field = "title";
      t->server_value = g_strdup_printf ("\"服务器的标题 %u\"", n);
      break;
    case ON_HANDED_ACTIVITY:
      {
        g_autofree char *project = make_project (target, FALSE);
        g_autofree char *to = g_strdup_printf ("{\"agency_id\":\"%s\"}", S.org[1 - target]);
        g_autofree char *fields = g_strdup_printf ("{\"project_id\":\"%s\",\"kind\":\"event\",\"title\":\"活动\","
                                                   "\"date\":\"2026-10-29\"}", project);

        t->entity = "activity";
        t->id = officer_insert ("activity", fields);
        t->field = "title";
        t->server_value = g_strdup_printf ("\"服务器的标题 %u\"", n);
        officer_write ("update", "project", project, to);
      }
      break;
    case ON_PROJECT_TITLE:
      t->entity = "project";
      t->id = make_project (target, FALSE);
      t->field = "title";
      t->server_value = g_strdup_printf ("\"服务器的标题 %u\"", n);
      break;
    case ON_ORG_NOTE:
    case ON_ORG_NAME:
      t->entity = "organization";
      t->id = g_strdup (S.org[target]);
      t->field = on == ON_ORG_NOTE ? "note" : "name";
      t->server_value = g_strdup_printf ("\"服务器的值 %u\"", n);
      break;
    case ON_ORG_PHONE:
      t->entity = "organization";
      t->id = g_strdup (S.org[target]);
      t->field = "contact_phone";
      t->server_value = g_strdup_printf ("\"0571-8766%04u\"", n);
      break;
    default:
      g_assert_not_reached ();
    }
}

/* An "overwritten" conflict: the officer wrote the server value, then an
 * edit made before it (stale base_rev, another device) overwrote it. */
static gint64
make_conflict (ConflictTarget *t)
{
  gint64 base = rev_of (t->id);
  g_autofree char *first = g_strdup_printf ("{\"%s\":%s}", t->field, t->server_value);
  g_autofree char *stale = NULL;
  g_auto(Response) r = { 0 };
  g_autofree char *mutation_id = uuid ();
  JsonObject *result;

  if (strcmp (t->field, "contact_phone") == 0)
    stale = g_strdup_printf ("{\"%s\":\"0571-8767%04u\"}", t->field, ++S.n_uuid % 10000);
  else
    stale = g_strdup_printf ("{\"%s\":\"较早的改动 %u\"}", t->field, ++S.n_uuid);
  officer_write ("update", t->entity, t->id, first);
  /* from another device: a device's own earlier writes never conflict
   * with its later ones */
  push_one_from (&r, "perm-device-2", S.token[ROLE_OFFICER], "update", t->entity, t->id, base, stale, mutation_id);
  result = push_result (&r);
  if (result == NULL || g_strcmp0 (json_object_get_string_member (result, "status"), "conflict") != 0)
    setup_fail ("no conflict made: %u %s", r.status, r.text);
  return open_conflict (t->id, t->field);
}

static char *
run_conflict_listed (Cell       *c,
                     ConflictOn  on)
{
  g_auto(ConflictTarget) t;
  gint64 conflict;
  g_auto(Response) r = { 0 };
  JsonArray *list;
  char *result;

  conflict_target (&t, on, c->target);
  conflict = make_conflict (&t);
  if (S.setup_error->len > 0)
    return NULL;
  cell_http (c, &r, "GET", "/v1/conflicts", NULL);
  result = outcome (&r, 200);
  if (strcmp (result, "ok") != 0)
    return result;
  g_free (result);
  list = json_object_get_array_member (obj (&r), "conflicts");
  for (guint i = 0; i < json_array_get_length (list); i++)
    if (json_object_get_int_member (json_array_get_object_element (list, i), "id") == conflict)
      return g_strdup ("seen");
  return g_strdup ("hidden");
}

static char *run_conflict_listed_activity (Cell *c) { return run_conflict_listed (c, ON_ACTIVITY); }
static char *run_conflict_listed_org (Cell *c) { return run_conflict_listed (c, ON_ORG_NOTE); }
static char *run_conflict_listed_handed (Cell *c) { return run_conflict_listed (c, ON_HANDED_ACTIVITY); }

/* POST /v1/conflicts/{id}/resolve keeping the server value, which the
 * record no longer holds: a write through the normal path. */
static char *
run_resolve (Cell       *c,
             ConflictOn  on,
             const char *keep)
{
  g_auto(ConflictTarget) t;
  g_autofree char *path = NULL;
  g_autofree char *kept = NULL;
  g_autofree char *body = NULL;
  g_auto(Response) r = { 0 };
  gint64 conflict;
  char *result;

  conflict_target (&t, on, c->target);
  conflict = make_conflict (&t);
  if (S.setup_error->len == 0 && conflict == 0)
    setup_fail ("the conflict is not listed");
  if (S.setup_error->len > 0)
    return NULL;
  drain (ROLE_OFFICER, NULL, NULL);
  path = g_strdup_printf ("/v1/conflicts/%" G_GINT64_FORMAT "/resolve", conflict);

  body = g_strdup_printf ("{\"keep\":\"%s\"}", keep);
  cell_http (c, &r, "POST", path, body);
  result = outcome (&r, 200);
  if (strcmp (result, "ok") == 0 && strcmp (keep, "yours") == 0)
    {
      /* the record holds the kept value already: nothing is written */
      if (conflict_is_open (conflict))
        cell_fail (c, "resolved, yet the conflict is still open");
      assert_unchanged (c);
    }
  else if (strcmp (result, "ok") == 0)
    {
      g_autoptr(GHashTable) seen = officer_changes ();
      JsonObject *record = g_hash_table_lookup (seen, t.id);

      if (g_strcmp0 (json_object_get_string_member_with_default (obj (&r), "status", NULL), "resolved") != 0)
        cell_fail (c, "answer %s", r.text);
      if (conflict_is_open (conflict))
        cell_fail (c, "resolved, yet the conflict is still open");
      kept = g_strdup_printf ("{\"%s\":%s}", t.field, t.server_value);
      if (record == NULL)
        cell_fail (c, "resolved keeping the server value, but the record was not written back");
      else
        check_fields (c, record, kept);
    }
  else
    {
      assert_unchanged (c);
      if (!conflict_is_open (conflict))
        cell_fail (c, "refused, yet the conflict is no longer open");
    }
  return result;
}

/* An agency submitted a report the officer had meanwhile returned: its
 * state is kept as a strict conflict of the agency's own push, which the
 * agency may withdraw (keep the server's "returned") though it could not
 * have written that state itself. */
static char *
run_resolve_own_push (Cell *c)
{
  g_autofree char *report = make_child ("report", c->target, "submitted");
  gint64 base = rev_of (report);
  g_autofree char *mutation_id = uuid ();
  g_autofree char *path = NULL;
  g_auto(Response) pushed = { 0 };
  g_auto(Response) r = { 0 };
  JsonObject *result;
  gint64 conflict;
  char *outcome_text;

  officer_write ("update", "report", report, "{\"state\":\"returned\",\"review_comment\":\"请补充签到表\"}");
  push_one (&pushed, c->target == OWN ? S.token[ROLE_AGENCY] : S.token_other, "update", "report", report, base,
            "{\"state\":\"submitted\",\"narrative\":\"已补充\"}", mutation_id);
  result = push_result (&pushed);
  if (result == NULL || g_strcmp0 (json_object_get_string_member_with_default (result, "error", NULL),
                                   "strict_conflict") != 0)
    setup_fail ("the agency's submit met no strict conflict: %u %s", pushed.status, pushed.text);
  conflict = open_conflict (report, "state");
  if (S.setup_error->len == 0 && conflict == 0)
    setup_fail ("the conflict is not listed");
  if (S.setup_error->len > 0)
    return NULL;
  drain (ROLE_OFFICER, NULL, NULL);

  path = g_strdup_printf ("/v1/conflicts/%" G_GINT64_FORMAT "/resolve", conflict);
  cell_http (c, &r, "POST", path, "{\"keep\":\"server\"}");
  outcome_text = outcome (&r, 200);
  if (strcmp (outcome_text, "ok") == 0 && conflict_is_open (conflict))
    cell_fail (c, "resolved, yet the conflict is still open");
  if (strcmp (outcome_text, "ok") != 0 && !conflict_is_open (conflict))
    cell_fail (c, "refused, yet the conflict is no longer open");
  assert_unchanged (c);
  return outcome_text;
}

static char *run_resolve_activity (Cell *c) { return run_resolve (c, ON_ACTIVITY, "server"); }
static char *run_resolve_project (Cell *c) { return run_resolve (c, ON_PROJECT_TITLE, "server"); }
static char *run_resolve_org_name (Cell *c) { return run_resolve (c, ON_ORG_NAME, "server"); }
static char *run_resolve_org_phone (Cell *c) { return run_resolve (c, ON_ORG_PHONE, "server"); }
static char *run_resolve_activity_current (Cell *c) { return run_resolve (c, ON_ACTIVITY, "yours"); }
static char *run_resolve_project_current (Cell *c) { return run_resolve (c, ON_PROJECT_TITLE, "yours"); }

/* ---- blobs ----------------------------------------------------------- */

static GBytes *
random_content (void)
{
  g_autofree char *text = g_strdup_printf ("签到表 %u %u %u", g_random_int (), g_random_int (), ++S.n_uuid);

  return g_bytes_new (text, strlen (text));
}

static char *
sha_of (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

/* POST /v1/uploads as token; the upload id or NULL. */
static char *
begin_upload (const char *token,
              GBytes     *content)
{
  g_autofree char *sha = sha_of (content);
  g_autofree char *body = g_strdup_printf ("{\"sha256\":\"%s\",\"size\":%" G_GSIZE_FORMAT "}",
                                           sha, g_bytes_get_size (content));
  g_auto(Response) r = { 0 };

  http_json (&r, "POST", "/v1/uploads", token, body);
  if (r.status != 201 || obj (&r) == NULL)
    {
      setup_fail ("upload: %u %s", r.status, r.text);
      return NULL;
    }
  return g_strdup (json_object_get_string_member (obj (&r), "id"));
}

static void
patch_upload (Response   *r,
              const char *token,
              const char *id,
              GBytes     *content)
{
  g_autofree char *path = g_strdup_printf ("/v1/uploads/%s", id);

  http_full (r, "PATCH", path, token, "application/offset+octet-stream",
             g_bytes_get_data (content, NULL), g_bytes_get_size (content), "Upload-Offset", "0", NULL);
}

/* Whether the server holds the file (asked as the officer). */
static gboolean
server_has (const char *sha)
{
  g_autofree char *body = g_strdup_printf ("{\"sha256\":[\"%s\"]}", sha);
  g_auto(Response) r = { 0 };

  http_json (&r, "POST", "/v1/blobs/missing", S.token[ROLE_OFFICER], body);
  g_assert_cmpuint (r.status, ==, 200);
  return json_array_get_length (json_object_get_array_member (obj (&r), "missing")) == 0;
}

static char *
run_blobs_missing (Cell *c)
{
  g_autofree char *sha = random_hex ();
  g_autofree char *body = g_strdup_printf ("{\"sha256\":[\"%s\"]}", sha);
  g_auto(Response) r = { 0 };
  char *result;

  cell_http (c, &r, "POST", "/v1/blobs/missing", body);
  result = outcome (&r, 200);
  if (strcmp (result, "ok") == 0)
    {
      JsonArray *missing = json_object_get_array_member (obj (&r), "missing");

      if (json_array_get_length (missing) != 1 ||
          g_strcmp0 (json_array_get_string_element (missing, 0), sha) != 0)
        cell_fail (c, "missing: %s", r.text);
    }
  return result;
}

static char *
run_upload_create (Cell *c)
{
  g_autoptr(GBytes) content = random_content ();
  g_autofree char *sha = sha_of (content);
  g_autofree char *body = g_strdup_printf ("{\"sha256\":\"%s\",\"size\":%" G_GSIZE_FORMAT "}",
                                           sha, g_bytes_get_size (content));
  g_auto(Response) r = { 0 };
  char *result;

  cell_http (c, &r, "POST", "/v1/uploads", body);
  result = outcome (&r, 201);
  if (strcmp (result, "ok") == 0 &&
      (json_object_get_string_member_with_default (obj (&r), "id", NULL) == NULL ||
       json_object_get_int_member_with_default (obj (&r), "offset", -1) != 0))
    cell_fail (c, "answer %s", r.text);
  return result;
}

/* The upload a cell works on: the account's own ("own"), or another
 * account's ("other"); accounts that cannot upload get an officer's. */
static Role
upload_owner (Cell *c)
{
  if (c->role != ROLE_OFFICER && c->role != ROLE_AGENCY && c->role != ROLE_UNBOUND)
    return ROLE_OFFICER;
  if (c->target == OWN)
    return c->role;
  return c->role == ROLE_OFFICER ? ROLE_AGENCY : ROLE_OFFICER;
}

static gint64
head_offset (const char *token,
             const char *id)
{
  g_autofree char *path = g_strdup_printf ("/v1/uploads/%s", id);
  g_auto(Response) r = { 0 };

  http_full (&r, "HEAD", path, token, NULL, NULL, 0, NULL);
  if (r.status != 200 || r.upload_offset == NULL)
    return -1;
  return g_ascii_strtoll (r.upload_offset, NULL, 10);
}

static char *
run_upload_head (Cell *c)
{
  g_autoptr(GBytes) content = random_content ();
  g_autofree char *id = begin_upload (S.token[upload_owner (c)], content);
  g_autofree char *path = NULL;
  g_auto(Response) r = { 0 };
  char *result;

  if (S.setup_error->len > 0)
    return NULL;
  path = g_strdup_printf ("/v1/uploads/%s", id);
  c->method = g_strdup ("HEAD");
  c->path = g_strdup (path);
  http_full (&r, "HEAD", path, c->token, NULL, NULL, 0, NULL);
  result = outcome (&r, 200);
  if (strcmp (result, "ok") == 0 && g_strcmp0 (r.upload_offset, "0") != 0)
    cell_fail (c, "Upload-Offset %s, not 0", r.upload_offset);
  return result;
}

static char *
run_upload_patch (Cell *c)
{
  g_autoptr(GBytes) content = random_content ();
  g_autofree char *sha = sha_of (content);
  Role owner = upload_owner (c);
  g_autofree char *id = begin_upload (S.token[owner], content);
  g_autofree char *path = NULL;
  g_auto(Response) r = { 0 };
  char *result;

  if (S.setup_error->len > 0)
    return NULL;
  path = g_strdup_printf ("/v1/uploads/%s", id);
  c->method = g_strdup ("PATCH");
  c->path = g_strdup (path);
  patch_upload (&r, c->token, id, content);
  result = outcome (&r, 204);
  if (strcmp (result, "ok") == 0)
    {
      if (!server_has (sha))
        cell_fail (c, "the upload completed, but the server has no such file");
    }
  else
    {
      if (server_has (sha))
        cell_fail (c, "refused, yet the file reached the blob store");
      if (head_offset (S.token[owner], id) != 0)
        cell_fail (c, "refused, yet the owner's upload moved on");
    }
  return result;
}

/* GET /v1/blobs/{sha} of a file an attachment of the target's project
 * names, or named (deleted: no live attachment names it). */
static char *
run_blob_get (Cell     *c,
              gboolean  deleted,
              gboolean  handed)
{
  g_autoptr(GBytes) content = random_content ();
  g_autofree char *sha = sha_of (content);
  g_autofree char *id = begin_upload (S.token[ROLE_OFFICER], content);
  g_autofree char *fields = NULL;
  g_autofree char *path = g_strdup_printf ("/v1/blobs/%s", sha);
  /* a project of its own when it is to change hands */
  g_autofree char *project = handed ? make_project (c->target, FALSE) : g_strdup (S.project[c->target]);
  g_auto(Response) patch = { 0 };
  g_auto(Response) r = { 0 };
  char *result;

  if (S.setup_error->len > 0)
    return NULL;
  patch_upload (&patch, S.token[ROLE_OFFICER], id, content);
  if (patch.status != 204)
    setup_fail ("upload: %u %s", patch.status, patch.text);
  fields = g_strdup_printf ("{\"project_id\":\"%s\",\"name\":\"签到表.txt\",\"mime_type\":\"text/plain\","
                            "\"size\":%" G_GSIZE_FORMAT ",\"sha256\":\"%s\"}",
                            project, g_bytes_get_size (content), sha);
  {
    g_autofree char *attachment = officer_insert ("attachment", fields);

    if (deleted)
      officer_write ("delete", "attachment", attachment, NULL);
  }
  if (handed)
    {
      g_autofree char *to = g_strdup_printf ("{\"agency_id\":\"%s\"}", S.org[1 - c->target]);

      officer_write ("update", "project", project, to);
    }
  if (S.setup_error->len > 0)
    return NULL;

  cell_http (c, &r, "GET", path, NULL);
  result = outcome (&r, 200);
  if (strcmp (result, "ok") == 0 && !g_bytes_equal (r.body, content))
    cell_fail (c, "the file came back different");
  return result;
}

static char *run_blob_get_live (Cell *c) { return run_blob_get (c, FALSE, FALSE); }
static char *run_blob_get_deleted (Cell *c) { return run_blob_get (c, TRUE, FALSE); }
static char *run_blob_get_handed (Cell *c) { return run_blob_get (c, FALSE, TRUE); }

/* ---- the app's mirror ------------------------------------------------ */

/* The desktop app and procura-cli leave out what the account may not do
 * by asking src/core/procura-permissions.c, the client-side copy of
 * product.md §4. Each pushed operation's cell asks it the question the app
 * asks before offering that operation, and its answer must be the
 * server's: "may" for a cell the server accepted, "may not" for one it
 * refused "forbidden" (or 403, the whole push of a read-only account).
 *
 * In the mirror's scope are the cells whose answer it can know from what
 * the device holds:
 *  - admin, officer and auditor cells, own and other alike: their rights
 *    do not depend on whose records they are;
 *  - the agency's own records. Another organization's projects and their
 *    records never reach the agency's device (changes: ... rows, "hidden"),
 *    so the app never asks about them and the mirror answers as if every
 *    project were the agency's own: "other" cells, the unbound agency's
 *    (its organization is not on the server, no project is its own), and
 *    changes naming another agency's records (@X @R @M @A @H) are left
 *    to the server. Organizations are the exception: the mirror tells its
 *    own from others' by USCC (procura_permissions_is_own_organization),
 *    so every agency cell of an organisation row is asked, and so is a
 *    report naming an organization as its submitter (@O, @Y);
 *  - not the anonymous cells: without an account there is no role to ask,
 *    and 401 is authentication, not permission.
 *
 * A cell refused "invalid" passed the server's permission check
 * (check_permission() runs before the domain rules) and was refused by a
 * domain rule such as the lock on an accepted report: only its permission
 * part is compared, so the mirror must say "may". */

static ProcuraOperation
mirror_op (const char *op)
{
  if (strcmp (op, "insert") == 0)
    return PROCURA_OP_CREATE;
  if (strcmp (op, "update") == 0)
    return PROCURA_OP_UPDATE;
  return PROCURA_OP_DELETE;
}

/* The account's organization, as the app knows it (its USCC). */
static const char *
account_uscc (Role role)
{
  return role == ROLE_AGENCY ? S.uscc[OWN] : role == ROLE_UNBOUND ? S.uscc_unbound : NULL;
}

/* May the role set this field to value (as pushed, placeholders and all)?
 * Values the mirror decides by rather than by field: a report's state
 * moves by submitting and reviewing, a new report starts as a draft, the
 * submitter is named by the app (the account's own organization), and an
 * attachment moved onto a report takes on that report's state. */
static gboolean
mirror_may_set (Cell       *c,
                const char *name,
                const char *value)
{
  const char *role = role_names[c->role];
  const char *entity = c->row->entity;

  if (strcmp (entity, "report") == 0 && strcmp (name, "state") == 0 && value != NULL)
    {
      if (strcmp (value, "draft") == 0 && strcmp (c->row->op, "insert") == 0)
        return TRUE;
      if (strcmp (value, "submitted") == 0)
        return procura_permissions_may_submit (role);
      if (strcmp (value, "accepted") == 0 || strcmp (value, "returned") == 0)
        return procura_permissions_may_review (role);
    }
  if (strcmp (entity, "report") == 0 && strcmp (name, "submitter_org_id") == 0 &&
      (g_strcmp0 (value, "@O") == 0 || g_strcmp0 (value, "@Y") == 0))
    {
      const char *uscc = S.uscc[strcmp (value, "@O") == 0 ? c->target : 1 - c->target];

      return procura_permissions_may_field (role, entity, name) ||
             procura_permissions_is_own_organization (role, uscc, account_uscc (c->role));
    }
  if (strcmp (entity, "attachment") == 0 && strcmp (name, "report_id") == 0 && g_strcmp0 (value, "@Q") == 0)
    return procura_permissions_may_field (role, entity, name) &&
           procura_permissions_may_report (role, "accepted", PROCURA_OP_UPDATE);

  return procura_permissions_may_field (role, entity, name);
}

/* The mirror's answer for the cell: 1 may, 0 may not, -1 not its to say
 * (see above); *question says what was asked. */
static int
mirror_answer (Cell  *c,
               char **question)
{
  const Row *row = c->row;
  const char *role = role_names[c->role];
  ProcuraOperation op = mirror_op (row->op);
  gboolean agency = c->role == ROLE_AGENCY || c->role == ROLE_UNBOUND;
  gboolean organization = strcmp (row->entity, "organization") == 0;
  g_autoptr(GString) q = g_string_new (NULL);
  gboolean may;

  *question = NULL;
  if (c->role == ROLE_ANON)
    return -1;
  if (agency && !organization && (c->role == ROLE_UNBOUND || c->target == OTHER))
    return -1;
  if (agency && row->fields != NULL &&
      (strstr (row->fields, "@X") != NULL || strstr (row->fields, "@R") != NULL || strstr (row->fields, "@M") != NULL ||
       strstr (row->fields, "@A") != NULL || strstr (row->fields, "@H") != NULL))
    return -1;

  may = procura_permissions_may_write (role);
  g_string_append_printf (q, "may_write=%d", may);
  may = procura_permissions_may (role, row->entity, op) && may;
  g_string_append_printf (q, " may(%s,%s)=%d", row->entity, row->op, procura_permissions_may (role, row->entity, op));

  if (organization)
    {
      const char *uscc = g_strcmp0 (row->state, "buyer") == 0 ? S.buyer_uscc : S.uscc[c->target];
      gboolean own = procura_permissions_is_own_organization (role, uscc, account_uscc (c->role));

      g_string_append_printf (q, " is_own_organization=%d", own);
      may = may && own;
    }

  /* a report in its state; an attachment's files are its report's, changed
   * while the report may be (as the project page asks) */
  if (strcmp (row->entity, "report") == 0 && row->state != NULL)
    {
      gboolean r = procura_permissions_may_report (role, row->state, op);

      g_string_append_printf (q, " may_report(%s)=%d", row->state, r);
      may = may && r;
    }
  else if (strcmp (row->entity, "attachment") == 0 &&
           (row->state != NULL || op != PROCURA_OP_CREATE))
    {
      /* an existing attachment's report is a draft unless the row says */
      const char *state = row->state != NULL ? row->state : "draft";
      gboolean r = procura_permissions_may_report (role, state, PROCURA_OP_UPDATE);

      g_string_append_printf (q, " may_report(%s,update)=%d", state, r);
      may = may && r;
    }

  /* the fields pushed; an insert with the fixture's fields sets only what
   * a new record of the kind needs, not a question of fields */
  if (row->fields != NULL)
    {
      g_autoptr(JsonNode) node = json_from_string (row->fields, NULL);
      g_autoptr(GList) names = NULL;

      g_assert_nonnull (node);
      names = json_object_get_members (json_node_get_object (node));
      for (GList *l = names; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (json_node_get_object (node), l->data);
          const char *text = JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING
                             ? json_node_get_string (value) : NULL;
          gboolean f = mirror_may_set (c, l->data, text);

          if (!f)
            g_string_append_printf (q, " field %s=0", (const char *) l->data);
          may = may && f;
        }
    }

  *question = g_string_free (g_steal_pointer (&q), FALSE);
  return may ? 1 : 0;
}

/* Compares the mirror's answer with what the server did (got); a
 * difference goes to the cell's failures. */
static Mirror
mirror_check (Cell       *c,
              const char *got)
{
  g_autofree char *question = NULL;
  int server;
  int mirror;

  if (c->row->run != run_push)
    return MIRROR_UNASKED;
  if (strcmp (got, "ok") == 0 || strcmp (got, "invalid") == 0)
    server = 1;
  else if (strcmp (got, "forbidden") == 0 || strcmp (got, "403") == 0)
    server = 0;
  else
    return MIRROR_UNASKED;   /* 401, or a cell that failed otherwise */

  if ((mirror = mirror_answer (c, &question)) < 0)
    return MIRROR_UNASKED;
  if (mirror == server)
    return MIRROR_AGREES;

  cell_fail (c, "the app's permission mirror says %s (%s), the server %s",
             mirror ? "it may" : "it may not", question, got);
  return MIRROR_DIFFERS;
}

/* ---- the matrix ------------------------------------------------------ */

/* Columns: admin, officer, agency, unbound agency, auditor, anon, each
 * own/other. An agency account whose organization is not on the server
 * "sees only grade schemes and may change nothing" (PROTOCOL.md). */
#define PUSH(name, entity, op, fields, state, own, other) \
  { name, run_push, { E403, E403, OK, OK, own, other, FBD, FBD, E403, E403, E401, E401 }, entity, op, fields, state }
/* the officer may, but the record is locked by a domain rule */
#define LOCKED(name, entity, op, fields, state) \
  { name, run_push, { E403, E403, INV, INV, FBD, FBD, FBD, FBD, E403, E403, E401, E401 }, entity, op, fields, state }
/* a record of one project naming a record of another: the domain rules
 * refuse it for everyone who may write at all (no cross-agency links) */
#define CROSS(name, entity, op, fields, state) \
  { name, run_push, { E403, E403, INV, INV, INV, FBD, FBD, FBD, E403, E403, E401, E401 }, entity, op, fields, state }
/* a step the report workflow does not have (it starts as a draft and
 * never goes back to one): refused by the domain rules for everyone who
 * may take the report's steps */
#define NO_SUCH_STEP(name, entity, op, fields, state) \
  { name, run_push, { E403, E403, INV, INV, INV, FBD, FBD, FBD, E403, E403, E401, E401 }, entity, op, fields, state }
/* every account may, with or without a project of its own */
#define ALL_MAY(name, run) { name, run, { OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, E401, E401 } }
#define SEEN_BY_OWN(name, run) { name, run, { SEE, SEE, SEE, SEE, SEE, HID, HID, HID, SEE, SEE, E401, E401 } }
#define WRITERS(name, run) { name, run, { E403, E403, OK, OK, OK, OK, OK, OK, E403, E403, E401, E401 } }

static const Row rows[] = {
  { "GET /healthz", run_healthz, { OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, OK } },
  { "POST /v1/session (log in)", run_login, { OK, OK, OK, OK, OK, OK, OK, OK, OK, OK, E401, E401 } },
  ALL_MAY ("DELETE /v1/session (log out)", run_logout),
  ALL_MAY ("GET /v1/changes", run_changes),
  SEEN_BY_OWN ("changes: project", run_see_project),
  SEEN_BY_OWN ("changes: activity of a project", run_see_activity),
  SEEN_BY_OWN ("changes: attachment of a project", run_see_attachment),
  SEEN_BY_OWN ("changes: agency organisation", run_see_org),
  SEEN_BY_OWN ("changes: evaluation indicator (under an evaluation)", run_see_criterion),
  SEEN_BY_OWN ("changes: indicator period (under an indicator)", run_see_period),
  SEEN_BY_OWN ("changes: evaluator named by an evaluation", run_see_evaluator),
  SEEN_BY_OWN ("changes: tombstone of a deleted activity", run_see_tombstone),
  SEEN_BY_OWN ("changes: tombstone of a deleted project", run_see_project_tombstone),
  { "changes: project handed to the other agency", run_handover,
    { SEE, SEE, SEE, SEE, RVK, SEE, HID, HID, SEE, SEE, E401, E401 } },
  { "changes: grade scheme", run_see_grade_scheme, { SEE, SEE, SEE, SEE, SEE, SEE, SEE, SEE, SEE, SEE, E401, E401 } },
  { "GET /v1/audit", run_audit, { OK, OK, OK, OK, E403, E403, E403, E403, OK, OK, E401, E401 } },
  ALL_MAY ("GET /v1/conflicts", run_conflicts),
  SEEN_BY_OWN ("conflicts: conflict on an activity listed", run_conflict_listed_activity),
  SEEN_BY_OWN ("conflicts: conflict on an organisation listed", run_conflict_listed_org),
  { "conflicts: conflict in a project since handed over", run_conflict_listed_handed,
    { SEE, SEE, SEE, SEE, HID, SEE, HID, HID, SEE, SEE, E401, E401 } },
  { "resolve conflict on an activity", run_resolve_activity,
    { E403, E403, OK, OK, OK, E404, E404, E404, E403, E403, E401, E401 } },
  { "resolve conflict on a project title", run_resolve_project,
    { E403, E403, OK, OK, E403, E404, E404, E404, E403, E403, E401, E401 } },
  { "resolve conflict on an activity, keeping its value", run_resolve_activity_current,
    { E403, E403, OK, OK, OK, E404, E404, E404, E403, E403, E401, E401 } },
  /* deciding a project's title is editing the project, written or not */
  { "resolve conflict on a project title, keeping its value", run_resolve_project_current,
    { E403, E403, OK, OK, E403, E404, E404, E404, E403, E403, E401, E401 } },
  { "resolve the agency's own push's conflict (report state)", run_resolve_own_push,
    { E403, E403, OK, OK, OK, E404, E404, E404, E403, E403, E401, E401 } },
  { "resolve conflict on an organisation name", run_resolve_org_name,
    { E403, E403, OK, OK, E403, E404, E404, E404, E403, E403, E401, E401 } },
  { "resolve conflict on an organisation phone", run_resolve_org_phone,
    { E403, E403, OK, OK, OK, E404, E404, E404, E403, E403, E401, E401 } },
  WRITERS ("POST /v1/blobs/missing", run_blobs_missing),
  WRITERS ("POST /v1/uploads", run_upload_create),
  /* PROTOCOL.md, Blobs: uploads "(all three)" are for officer and agency
   * accounts, "others 403"; then another account's upload is 404 */
  { "HEAD /v1/uploads/{id} (own/other's upload)", run_upload_head,
    { E403, E403, OK, E404, OK, E404, OK, E404, E403, E403, E401, E401 } },
  { "PATCH /v1/uploads/{id} (own/other's upload)", run_upload_patch,
    { E403, E403, OK, E404, OK, E404, OK, E404, E403, E403, E401, E401 } },
  { "GET /v1/blobs/{sha} (attachment's file)", run_blob_get_live,
    { OK, OK, OK, OK, OK, E403, E403, E403, OK, OK, E401, E401 } },
  { "GET /v1/blobs/{sha} (its project since handed over)", run_blob_get_handed,
    { OK, OK, OK, OK, E403, OK, E403, E403, OK, OK, E401, E401 } },
  { "GET /v1/blobs/{sha} (its attachment deleted)", run_blob_get_deleted,
    { E403, E403, E403, E403, E403, E403, E403, E403, E403, E403, E401, E401 } },

  PUSH ("organisation: update contact details", "organization", "update",
        "{\"address\":\"幸福路 @N 号\",\"contact_person\":\"王芳\",\"contact_phone\":\"0571-8765@N\","
        "\"contact_email\":\"wang@N@example.org\"}", NULL, OK, FBD),
  PUSH ("organisation: update contact details and name", "organization", "update",
        "{\"contact_person\":\"李明 @N\",\"name\":\"顺便改名 @N\"}", NULL, FBD, FBD),
  PUSH ("organisation: update the buyer's contact details", "organization", "update",
        "{\"contact_person\":\"赵科长 @N\"}", "buyer", FBD, FBD),
  PUSH ("organisation: update name", "organization", "update", "{\"name\":\"改了名的机构 @N\"}", NULL, FBD, FBD),
  PUSH ("organisation: update note", "organization", "update", "{\"note\":\"机构自己的备注 @N\"}", NULL, FBD, FBD),
  PUSH ("organisation: insert", "organization", "insert", NULL, NULL, FBD, FBD),
  PUSH ("organisation: delete", "organization", "delete", NULL, NULL, FBD, FBD),
  PUSH ("grade scheme: insert", "grade_scheme", "insert", NULL, NULL, FBD, FBD),
  PUSH ("project: insert", "project", "insert", NULL, NULL, FBD, FBD),
  PUSH ("project: update title", "project", "update", "{\"title\":\"机构改的标题\"}", NULL, FBD, FBD),
  PUSH ("contract: update contract fields", "project", "update",
        "{\"contract_no\":\"HT-2026-9\",\"value\":2000000}", NULL, FBD, FBD),
  PUSH ("project: delete (draft)", "project", "delete", NULL, NULL, FBD, FBD),
  PUSH ("amendment: insert", "amendment", "insert", NULL, NULL, FBD, FBD),
  PUSH ("amendment: update", "amendment", "update", "{\"rationale\":\"服务范围扩大\"}", NULL, FBD, FBD),
  PUSH ("amendment: delete", "amendment", "delete", NULL, NULL, FBD, FBD),
  PUSH ("milestone: insert", "milestone", "insert", NULL, NULL, FBD, FBD),
  PUSH ("milestone: update", "milestone", "update", "{\"title\":\"中期评估\"}", NULL, FBD, FBD),
  PUSH ("milestone: delete", "milestone", "delete", NULL, NULL, FBD, FBD),
  PUSH ("payment: insert", "payment", "insert", NULL, NULL, FBD, FBD),
  PUSH ("payment: update", "payment", "update", "{\"title\":\"第一笔拨付\"}", NULL, FBD, FBD),
  PUSH ("payment: delete", "payment", "delete", NULL, NULL, FBD, FBD),
  PUSH ("evaluation: insert", "evaluation", "insert", NULL, NULL, FBD, FBD),
  PUSH ("evaluation: update", "evaluation", "update", "{\"comment\":\"机构自评\"}", NULL, FBD, FBD),
  PUSH ("evaluation: delete", "evaluation", "delete", NULL, NULL, FBD, FBD),
  PUSH ("evaluation indicator: insert", "criterion", "insert", NULL, NULL, FBD, FBD),
  PUSH ("outcome indicator: insert", "indicator", "insert", NULL, NULL, FBD, FBD),
  PUSH ("outcome indicator: update", "indicator", "update", "{\"title\":\"服务人数\"}", NULL, FBD, FBD),
  PUSH ("indicator period: insert", "indicator_period", "insert", NULL, NULL, FBD, FBD),
  PUSH ("indicator actuals: update actual and comment", "indicator_period", "update",
        "{\"actual_value\":\"42\",\"comment\":\"上半年服务 42 人次\"}", NULL, OK, FBD),
  PUSH ("indicator actuals: update actual with target", "indicator_period", "update",
        "{\"actual_value\":\"42\",\"target_value\":\"10\"}", NULL, FBD, FBD),
  PUSH ("indicator period: update target", "indicator_period", "update", "{\"target_value\":\"10\"}", NULL, FBD, FBD),
  PUSH ("activity: insert", "activity", "insert", NULL, NULL, OK, FBD),
  PUSH ("activity: insert into a project since handed over", "activity", "insert",
        "{\"project_id\":\"@H\",\"kind\":\"event\",\"title\":\"交接后的活动\",\"date\":\"2026-10-29\"}", NULL,
        FBD, OK),
  PUSH ("activity: update", "activity", "update", "{\"title\":\"中秋活动\",\"participants\":35}", NULL, OK, FBD),
  PUSH ("activity: delete", "activity", "delete", NULL, NULL, OK, FBD),
  LOCKED ("activity: move to the other agency's project", "activity", "update", "{\"project_id\":\"@X\"}", NULL),
  PUSH ("consultation: insert", "consultation", "insert", NULL, NULL, OK, FBD),
  PUSH ("consultation: update", "consultation", "update", "{\"resolution\":\"已加装声控灯\",\"status\":\"agreed\"}",
        NULL, OK, FBD),
  PUSH ("consultation: delete", "consultation", "delete", NULL, NULL, OK, FBD),
  PUSH ("report: insert draft", "report", "insert", NULL, NULL, OK, FBD),
  LOCKED ("report: insert as accepted", "report", "insert",
          "{\"project_id\":\"@P\",\"title\":\"自己验收的报告\",\"state\":\"accepted\"}", NULL),
  PUSH ("report: edit submitted", "report", "update", "{\"narrative\":\"提交后补充\"}", "submitted", OK, FBD),
  PUSH ("report: insert with its agency as submitter", "report", "insert",
        "{\"project_id\":\"@P\",\"title\":\"代报的月报\",\"state\":\"draft\",\"submitter_org_id\":\"@O\"}", NULL,
        OK, FBD),
  PUSH ("report: insert naming the other agency as submitter", "report", "insert",
        "{\"project_id\":\"@P\",\"title\":\"冒名的月报\",\"state\":\"draft\",\"submitter_org_id\":\"@Y\"}", NULL,
        FBD, FBD),
  PUSH ("report: edit draft", "report", "update", "{\"narrative\":\"本月开展活动 4 场\"}", "draft", OK, FBD),
  PUSH ("report: submit", "report", "update", "{\"state\":\"submitted\"}", "draft", OK, FBD),
  PUSH ("report: edit returned", "report", "update", "{\"narrative\":\"已补充签到表\"}", "returned", OK, FBD),
  PUSH ("report: resubmit returned", "report", "update", "{\"state\":\"submitted\"}", "returned", OK, FBD),
  LOCKED ("report: edit accepted", "report", "update", "{\"title\":\"改过的标题\"}", "accepted"),
  PUSH ("report: accept", "report", "update", "{\"state\":\"accepted\"}", "submitted", FBD, FBD),
  PUSH ("report: return", "report", "update", "{\"state\":\"returned\",\"review_comment\":\"请补充\"}", "submitted",
        FBD, FBD),
  PUSH ("report: write review comment", "report", "update", "{\"review_comment\":\"自己写的意见\"}", "submitted",
        FBD, FBD),
  NO_SUCH_STEP ("report: insert submitted", "report", "insert",
                "{\"project_id\":\"@P\",\"title\":\"直接提交的月报\",\"state\":\"submitted\"}", NULL),
  /* an agency submits; taking a report back to draft is no step of its
   * (product.md §4), whatever the workflow says */
  LOCKED ("report: take submitted back to draft", "report", "update", "{\"state\":\"draft\"}", "submitted"),
  PUSH ("report: delete draft", "report", "delete", NULL, "draft", OK, FBD),
  LOCKED ("report: delete submitted", "report", "delete", NULL, "submitted"),
  PUSH ("attachment: insert", "attachment", "insert", NULL, NULL, OK, FBD),
  PUSH ("attachment: insert on a draft report", "attachment", "insert", NULL, "draft", OK, FBD),
  PUSH ("attachment: update", "attachment", "update", "{\"name\":\"活动照片.jpg\"}", NULL, OK, FBD),
  CROSS ("attachment: insert naming the other agency's report", "attachment", "insert",
        "{\"project_id\":\"@P\",\"report_id\":\"@R\",\"name\":\"x.pdf\",\"mime_type\":\"application/pdf\","
        "\"size\":5,\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\"}", NULL),
  CROSS ("consultation: insert naming the other agency's activity", "consultation", "insert",
        "{\"project_id\":\"@P\",\"month\":\"2026-10\",\"source\":\"online_survey\",\"topic\":\"照明\","
        "\"status\":\"pending\",\"meeting_id\":\"@A\"}", NULL),
  CROSS ("report: insert naming the other agency's milestone", "report", "insert",
        "{\"project_id\":\"@P\",\"title\":\"月报\",\"state\":\"draft\",\"milestone_id\":\"@M\"}", NULL),
  PUSH ("attachment: delete", "attachment", "delete", NULL, NULL, OK, FBD),
  PUSH ("attachment: delete on a submitted report", "attachment", "delete", NULL, "submitted", OK, FBD),
  PUSH ("attachment: update on a returned report", "attachment", "update", "{\"name\":\"补充.pdf\"}", "returned",
        OK, FBD),
  LOCKED ("attachment: insert on an accepted report", "attachment", "insert", NULL, "accepted"),
  LOCKED ("attachment: update on an accepted report", "attachment", "update", "{\"name\":\"改名.pdf\"}", "accepted"),
  LOCKED ("attachment: move onto an accepted report", "attachment", "update", "{\"report_id\":\"@Q\"}", NULL),
  LOCKED ("attachment: delete on an accepted report", "attachment", "delete", NULL, "accepted"),
};

G_STATIC_ASSERT (G_N_ELEMENTS (rows) <= 128);

/* A refusal the audit log must hold. */
typedef struct
{
  char *actor;         /* NULL: no account */
  char *mutation_id;   /* a rejected mutation */
  char *action;        /* "denied", "login" */
  char *status;        /* "401", "403", "failed" */
  char *detail;        /* "METHOD /path from" */
  char *cell;
} AuditExpect;

static void
audit_expect_free (AuditExpect *e)
{
  g_free (e->actor);
  g_free (e->mutation_id);
  g_free (e->action);
  g_free (e->status);
  g_free (e->detail);
  g_free (e->cell);
  g_free (e);
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  guint index = row - rows;
  g_autoptr(GString) failed = g_string_new (NULL);

  for (guint col = 0; col < N_COLS; col++)
    {
      Cell c = { row, col, columns[col].role, columns[col].target,
                 S.token[columns[col].role], user_names[columns[col].role], g_string_new (NULL) };
      const char *want = expect_text[row->expect[col]];
      g_autofree char *got = NULL;

      g_string_truncate (S.setup_error, 0);
      got = row->run (&c);
      if (got == NULL || S.setup_error->len > 0)
        {
          g_free (got);
          got = g_strdup_printf ("setup failed (%s)", S.setup_error->str);
        }
      S.actual[index][col] = g_strdup (got);
      S.mirror[index][col] = mirror_check (&c, got);

      if (strcmp (got, want) != 0)
        g_string_append_printf (failed, "\n  [%s | %s] expected %s, got %s%s%s", row->name, columns[col].label,
                                want, got, c.failures->len > 0 ? "; " : "", c.failures->str);
      else if (c.failures->len > 0)
        g_string_append_printf (failed, "\n  [%s | %s] %s as expected, but %s", row->name, columns[col].label,
                                want, c.failures->str);
      g_test_message ("[%s | %s] expected %s, got %s%s%s", row->name, columns[col].label, want, got,
                      c.failures->len > 0 ? "; " : "", c.failures->str);

      /* refusals as expected must be audited */
      if (strcmp (got, want) == 0 && (row->expect[col] == FBD || row->expect[col] == E401 ||
                                      row->expect[col] == E403))
        {
          AuditExpect *e = g_new0 (AuditExpect, 1);

          e->cell = g_strdup_printf ("%s | %s", row->name, columns[col].label);
          e->actor = g_strdup (c.user);
          if (row->expect[col] == FBD)
            e->mutation_id = g_strdup (c.mutation_id);
          else
            {
              g_autofree char *path = c.path != NULL ? g_strdup (c.path) : NULL;

              /* the log names the path, not the query */
              if (path != NULL && strchr (path, '?') != NULL)
                *strchr (path, '?') = '\0';
              e->action = g_strdup ("denied");
              e->status = g_strdup (expect_text[row->expect[col]]);
              if (c.login_name != NULL)
                {
                  /* a failed login is logged as such */
                  g_free (e->actor);
                  e->actor = g_strdup (c.login_name);
                  g_free (e->action);
                  e->action = g_strdup ("login");
                  g_free (e->status);
                  e->status = g_strdup ("failed");
                }
              e->detail = g_strdup_printf ("%s %s from", c.method, path);
            }
          g_ptr_array_add (S.audit_expect, e);
        }

      g_string_free (c.failures, TRUE);
      g_free (c.method);
      g_free (c.path);
      g_free (c.mutation_id);
      g_free (c.login_name);
    }

  if (failed->len > 0)
    g_test_fail_printf ("%s:%s", row->name, failed->str);
}

/* Every refusal the cells met is in the audit log, as the auditor reads
 * it: rejected mutations by their id, 401 and 403 answers by account,
 * method and path (as many entries as refusals). */
static void
test_audit_of_refusals (void)
{
  g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr(GHashTable) used = g_hash_table_new (NULL, NULL);
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree char *since = g_strdup ("0");
  guint n_missing = 0;

  for (guint pages = 0; pages < 10000; pages++)
    {
      g_auto(Response) r = { 0 };
      g_autofree char *path = g_strdup_printf ("/v1/audit?since=%s&limit=1000", since);
      JsonArray *list;

      http_json (&r, "GET", path, S.token[ROLE_AUDITOR], NULL);
      g_assert_cmpuint (r.status, ==, 200);
      list = json_object_get_array_member (obj (&r), "entries");
      for (guint i = 0; i < json_array_get_length (list); i++)
        g_ptr_array_add (entries, json_object_ref (json_array_get_object_element (list, i)));
      g_free (since);
      since = g_strdup (json_object_get_string_member (obj (&r), "next"));
      if (!json_object_get_boolean_member (obj (&r), "has_more"))
        break;
    }
  g_test_message ("%u audit entries, %u refusals to find", entries->len, S.audit_expect->len);

  for (guint i = 0; i < S.audit_expect->len; i++)
    {
      AuditExpect *e = S.audit_expect->pdata[i];
      gboolean found = FALSE;

      for (guint j = 0; j < entries->len && !found; j++)
        {
          JsonObject *entry = entries->pdata[j];
          const char *actor = json_object_get_string_member_with_default (entry, "actor", NULL);
          const char *detail = json_object_get_string_member_with_default (entry, "detail", NULL);

          if (g_hash_table_contains (used, entry) || g_strcmp0 (actor, e->actor) != 0)
            continue;
          if (e->mutation_id != NULL)
            found = g_strcmp0 (json_object_get_string_member_with_default (entry, "mutation_id", NULL),
                               e->mutation_id) == 0 &&
                    g_strcmp0 (json_object_get_string_member_with_default (entry, "status", NULL), "rejected") == 0 &&
                    g_str_has_prefix (detail != NULL ? detail : "", "forbidden: ");
          else
            found = g_strcmp0 (json_object_get_string_member_with_default (entry, "action", NULL), e->action) == 0 &&
                    g_strcmp0 (json_object_get_string_member_with_default (entry, "status", NULL), e->status) == 0 &&
                    g_str_has_prefix (detail != NULL ? detail : "", e->detail);
          if (found)
            g_hash_table_add (used, entry);
        }
      if (!found)
        {
          n_missing++;
          g_string_append_printf (missing, "\n  [%s] no audit entry (%s %s)", e->cell,
                                  e->mutation_id != NULL ? "mutation" : e->status,
                                  e->mutation_id != NULL ? e->mutation_id : e->detail);
        }
    }
  if (n_missing > 0)
    g_test_fail_printf ("%u of %u refusals are not in the audit log:%s", n_missing, S.audit_expect->len,
                        missing->str);
}

/* The whole matrix, for people: each cell's expectation, and what came
 * where that differs ("expected->actual"). */
static void
test_print_matrix (void)
{
  g_autoptr(GString) line = g_string_new (NULL);
  guint n_cells = 0, n_wrong = 0, n_asked = 0, n_differ = 0;
  int width = 0;

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    width = MAX (width, (int) strlen (rows[i].name));

  g_test_message ("Columns: account/whose records. own = agency1's organization (A) and its projects; other = "
                  "agency B's. unbound = an agency account whose organization is not on the server. Upload rows: "
                  "own = the account's own upload (admin, auditor: an officer's), other = another account's.");
  g_test_message ("Cells: ok = allowed and took effect; forbidden = push answered 200 with the mutation rejected "
                  "\"forbidden\"; invalid = permitted but refused by a domain rule (rejected \"invalid\"); "
                  "401/403/404 = that status with its error code; seen/hidden/revoked = what the account's "
                  "GET /v1/changes or /v1/conflicts shows. A wrong cell reads expected->actual.");
  g_test_message ("Pushed operations are also asked of the app's permission mirror (procura-permissions.c) "
                  "where it can know the answer (not agency/unbound cells of other agencies' projects, not anon): "
                  "a cell marked ~ is one the mirror agreed with, ! one where it predicted otherwise.");
  g_string_append_printf (line, "%-*s", width, "row \\ account/organisation");
  for (guint col = 0; col < N_COLS; col++)
    g_string_append_printf (line, " %-13s", columns[col].label);
  g_test_message ("%s", line->str);

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_string_truncate (line, 0);
      g_string_append_printf (line, "%-*s", width, rows[i].name);
      for (guint col = 0; col < N_COLS; col++)
        {
          const char *want = expect_text[rows[i].expect[col]];
          const char *got = S.actual[i][col];
          g_autofree char *text = NULL;

          n_cells++;
          if (got == NULL || strcmp (got, want) != 0)
            {
              n_wrong++;
              text = g_strdup_printf ("%s->%.*s", want, 12, got != NULL ? got : "(not run)");
            }
          else
            text = g_strdup (want);
          if (S.mirror[i][col] != MIRROR_UNASKED)
            {
              char *marked = g_strconcat (text, S.mirror[i][col] == MIRROR_AGREES ? "~" : "!", NULL);

              n_asked++;
              n_differ += S.mirror[i][col] == MIRROR_DIFFERS;
              g_free (text);
              text = marked;
            }
          g_string_append_printf (line, " %-13s", text);
        }
      g_test_message ("%s", line->str);
    }
  g_test_message ("%u cells, %u as product.md section 4 says, %u not", n_cells, n_cells - n_wrong, n_wrong);
  g_test_message ("%u cells asked of the app's permission mirror, %u where it agrees with the server, %u not",
                  n_asked, n_asked - n_differ, n_differ);
}

static char *
slug (const char *name)
{
  GString *s = g_string_new (NULL);

  for (const char *p = name; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p))
        g_string_append_c (s, g_ascii_tolower (*p));
      else if (s->len > 0 && s->str[s->len - 1] != '-')
        g_string_append_c (s, '-');
    }
  while (s->len > 0 && s->str[s->len - 1] == '-')
    g_string_truncate (s, s->len - 1);
  return g_string_free (s, FALSE);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  procura_test_init_keep_going (&argc, &argv);

  S.binary = g_getenv ("PROCURA_SERVER");
  if (S.binary == NULL || !g_file_test (S.binary, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("PROCURA_SERVER must name the procura-server binary\n");
      return 77;
    }

  S.dir = procura_test_make_tmp_dir ("procura-test-permissions-XXXXXX");
  S.revs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  S.setup_error = g_string_new (NULL);
  S.audit_expect = g_ptr_array_new_with_free_func ((GDestroyNotify) audit_expect_free);
  S.uscc[OWN] = make_uscc (6001);
  S.uscc[OTHER] = make_uscc (6002);
  procura_test_server_add_user (S.binary, S.dir, "admin1", "admin", NULL, PASSWORD);
  procura_test_server_add_user (S.binary, S.dir, "officer1", "officer", NULL, PASSWORD);
  procura_test_server_add_user (S.binary, S.dir, "agency1", "agency", S.uscc[OWN], PASSWORD);
  procura_test_server_add_user (S.binary, S.dir, "agency2", "agency", S.uscc[OTHER], PASSWORD);
  S.uscc_unbound = make_uscc (6009);
  procura_test_server_add_user (S.binary, S.dir, "agency9", "agency", S.uscc_unbound, PASSWORD);
  procura_test_server_add_user (S.binary, S.dir, "auditor1", "auditor", NULL, PASSWORD);

  S.server = procura_test_server_start (S.binary, S.dir);
  g_assert_nonnull (S.server);
  S.session = soup_session_new_with_options ("timeout", 60, NULL);
  for (Role role = 0; role < ROLE_ANON; role++)
    S.token[role] = login (user_names[role]);
  for (Role role = 0; role < N_ROLES; role++)
    S.cursor[role] = g_strdup ("0");
  S.token_other = login ("agency2");

  /* the purchasing unit, the agency account's organization (own) and
   * another agency's (other), each agency with an active project */
  {
    S.buyer_uscc = make_uscc (6000);
    S.buyer = make_org ("区民政局", S.buyer_uscc);
    S.org[OWN] = make_org ("阳光社工", S.uscc[OWN]);
    S.org[OTHER] = make_org ("彩虹社工", S.uscc[OTHER]);
    S.project[OWN] = make_project (OWN, FALSE);
    S.project[OTHER] = make_project (OTHER, FALSE);
    if (S.setup_error->len > 0)
      g_error ("fixtures: %s", S.setup_error->str);
  }

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *name = slug (rows[i].name);
      g_autofree char *path = g_strdup_printf ("/permissions/%02u-%s", i, name);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  g_test_add_func ("/permissions/zz-audit-of-refusals", test_audit_of_refusals);
  g_test_add_func ("/permissions/zz-matrix", test_print_matrix);

  status = g_test_run ();

  g_clear_object (&S.session);
  g_clear_pointer (&S.server, procura_test_server_free);
  procura_test_remove_tree (S.dir);

  for (Role role = 0; role < N_ROLES; role++)
    {
      g_free (S.token[role]);
      g_free (S.cursor[role]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    for (guint col = 0; col < N_COLS; col++)
      g_free (S.actual[i][col]);
  for (int t = OWN; t <= OTHER; t++)
    {
      g_free (S.org[t]);
      g_free (S.uscc[t]);
      g_free (S.project[t]);
    }
  g_free (S.uscc_unbound);
  g_free (S.token_other);
  g_free (S.buyer);
  g_free (S.buyer_uscc);
  g_free (S.dir);
  g_hash_table_unref (S.revs);
  g_string_free (S.setup_error, TRUE);
  g_ptr_array_unref (S.audit_expect);

  return status;
}
