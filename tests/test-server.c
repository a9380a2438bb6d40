/* test-server.c — the real procura-server binary, over HTTP
 *
 * Starts $PROCURA_SERVER on 127.0.0.1 with a random port in a temporary
 * data directory, makes accounts with its command line (passwords on
 * standard input), and talks to it with a libsoup client as the desktop
 * app's sync engine will. The server is shared by the tests, which each
 * make records of their own; the audit tests tamper with backups of its
 * database, never with the live file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>
#include <string.h>

#include "procura-test-utils.h"

#define PASSWORD "correct horse 1"

static struct
{
  const char   *binary;
  char         *dir;
  ProcuraTestServer *running;
  SoupSession  *session;
  char         *org_a;      /* id of agency A's organization */
  char         *org_b;
  char         *uscc_a;
  char         *uscc_b;
  char         *buyer;
  guint         n_uuid;
} server;

/* Distinct, valid UUIDs that say which test made them. */
static char *
uuid (void)
{
  return g_strdup_printf ("0190a0f2-%04x-7000-8000-%012x", g_random_int_range (0, 0xffff), ++server.n_uuid);
}

/* ---- the command line ----------------------------------------------- */

/* Runs procura-server with args (NULL-terminated) and input on stdin;
 * returns the exit status. */
static int
run_cli (const char  *data_dir,
         const char  *input,
         char       **out_stdout,
         char       **out_stderr,
         ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  const char *arg;
  va_list args;
  int status;

  g_ptr_array_add (argv, (char *) server.binary);
  g_ptr_array_add (argv, (char *) "--data-dir");
  g_ptr_array_add (argv, (char *) data_dir);
  va_start (args, out_stderr);
  while ((arg = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (argv, (char *) arg);
  va_end (args);
  g_ptr_array_add (argv, NULL);

  status = procura_test_run (NULL, input, out_stdout, out_stderr, (const char * const *) argv->pdata);
  g_assert_cmpint (status, >=, 0);

  return status;
}

/* ---- the server ----------------------------------------------------- */

/* On a free port; its address ends in "/" so paths can be appended */
static void
start_server (void)
{
  g_assert_null (server.running);
  server.running = procura_test_server_start (server.binary, server.dir);
  g_assert_nonnull (server.running);
  g_assert_true (g_str_has_suffix (server.running->url, "/"));
}

static void
stop_server (void)
{
  if (server.running == NULL)
    return;
  /* a clean stop on SIGTERM */
  g_assert_true (procura_test_server_stop (server.running));
  g_clear_pointer (&server.running, procura_test_server_free);
}

/* ---- HTTP ----------------------------------------------------------- */

typedef struct
{
  guint       status;
  JsonNode   *json;
  char       *text;
  char       *retry_after;
} Response;

static void
response_clear (Response *r)
{
  g_clear_pointer (&r->json, json_node_unref);
  g_clear_pointer (&r->text, g_free);
  g_clear_pointer (&r->retry_after, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Response, response_clear)

/* extra_headers: name, value pairs, NULL-terminated */
static void
http_full (Response    *r,
           const char  *method,
           const char  *path,
           const char  *token,
           const char  *body,
           gsize        body_len,
           ...)
{
  g_autofree char *url = g_strconcat (server.running->url, path[0] == '/' ? path + 1 : path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) bytes = NULL;
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
      g_autoptr(GBytes) request = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, "application/json", request);
    }

  bytes = soup_session_send_and_read (server.session, msg, NULL, &error);
  g_assert_no_error (error);

  memset (r, 0, sizeof *r);
  r->status = soup_message_get_status (msg);
  r->text = g_bytes_get_size (bytes) > 0 ? g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes))
                                          : g_strdup ("");
  r->retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
  if (r->text[0] != '\0')
    {
      r->json = json_from_string (r->text, &error);
      g_assert_no_error (error);
    }
}

static void
http (Response   *r,
      const char *method,
      const char *path,
      const char *token,
      const char *body)
{
  http_full (r, method, path, token, body, body != NULL ? strlen (body) : 0, NULL);
}

static JsonObject *
obj (Response *r)
{
  g_assert_nonnull (r->json);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (r->json));
  return json_node_get_object (r->json);
}

static void
assert_error (Response   *r,
              guint       status,
              const char *code)
{
  if (r->status != status)
    g_printerr ("unexpected answer %u: %s\n", r->status, r->text);
  g_assert_cmpuint (r->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (obj (r), "error"), ==, code);
  g_assert_cmpstr (json_object_get_string_member_with_default (obj (r), "reason", ""), !=, "");
}

static void
assert_healthy (void)
{
  g_auto(Response) r;

  http (&r, "GET", "/healthz", NULL, NULL);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (obj (&r), "status"), ==, "ok");
}

static char *
login (const char *name)
{
  g_auto(Response) r;
  g_autofree char *body = g_strdup_printf ("{\"username\":\"%s\",\"password\":\"%s\"}", name, PASSWORD);

  http (&r, "POST", "/v1/session", NULL, body);
  if (r.status != 200)
    g_printerr ("login %s: %u %s\n", name, r.status, r.text);
  g_assert_cmpuint (r.status, ==, 200);
  g_assert_cmpuint (strlen (json_object_get_string_member (obj (&r), "token")), ==, 64);

  return g_strdup (json_object_get_string_member (obj (&r), "token"));
}

/* ---- pushes --------------------------------------------------------- */

/* A push of one mutation; fields_json is the "fields" object's text or
 * NULL. Returns the single result. */
static JsonObject *
push_one (const char *token,
          const char *op,
          const char *entity,
          const char *id,
          gint64      base_rev,
          const char *fields_json,
          char      **out_mutation_id)
{
  g_auto(Response) r;
  g_autofree char *mutation_id = uuid ();
  g_autofree char *key = uuid ();
  g_autofree char *body = NULL;
  JsonArray *results;

  body = g_strdup_printf ("{\"protocol\":1,\"device\":\"test-device\",\"mutations\":["
                          "{\"mutation_id\":\"%s\",\"entity\":\"%s\",\"id\":\"%s\",\"op\":\"%s\","
                          "\"base_rev\":%" G_GINT64_FORMAT "%s%s}]}",
                          mutation_id, entity, id, op, base_rev,
                          fields_json != NULL ? ",\"fields\":" : "", fields_json != NULL ? fields_json : "");
  http_full (&r, "POST", "/v1/push", token, body, strlen (body), "Idempotency-Key", key, NULL);
  if (r.status != 200)
    g_printerr ("push: %u %s\n", r.status, r.text);
  g_assert_cmpuint (r.status, ==, 200);
  results = json_object_get_array_member (obj (&r), "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "mutation_id"), ==,
                   mutation_id);
  if (out_mutation_id != NULL)
    *out_mutation_id = g_strdup (mutation_id);

  return json_object_ref (json_array_get_object_element (results, 0));
}

static void
assert_status (JsonObject *result,
               const char *status)
{
  if (g_strcmp0 (json_object_get_string_member (result, "status"), status) != 0)
    {
      g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), result);
      g_autofree char *text = json_to_string (node, FALSE);
      g_printerr ("result: %s\n", text);
    }
  g_assert_cmpstr (json_object_get_string_member (result, "status"), ==, status);
}

static void
assert_rejected (JsonObject *result,
                 const char *error)
{
  assert_status (result, "rejected");
  g_assert_cmpstr (json_object_get_string_member (result, "error"), ==, error);
  g_assert_cmpstr (json_object_get_string_member (result, "reason"), !=, "");
}

/* Inserts a draft project and returns its id and rev. */
static char *
add_project (const char *token,
             const char *code,
             const char *agency_id,
             gint64     *out_rev)
{
  g_autofree char *id = uuid ();
  g_autofree char *fields = NULL;
  g_autoptr(JsonObject) result = NULL;

  fields = g_strdup_printf ("{\"code\":\"%s\",\"title\":\"项目 %s\",\"category\":\"elderly\","
                            "\"method\":\"open_tender\",\"status\":\"draft\",\"value\":1000000,"
                            "\"buyer_id\":\"%s\",\"agency_id\":%s%s%s}",
                            code, code, server.buyer,
                            agency_id != NULL ? "\"" : "", agency_id != NULL ? agency_id : "null",
                            agency_id != NULL ? "\"" : "");
  result = push_one (token, "insert", "project", id, 0, fields, NULL);
  assert_status (result, "applied");
  g_assert_cmpint (json_object_get_int_member (result, "rev"), >, 0);
  if (out_rev != NULL)
    *out_rev = json_object_get_int_member (result, "rev");

  return g_steal_pointer (&id);
}

static char *
add_organization (const char *token,
                  const char *name,
                  const char *uscc,
                  const char *kind)
{
  g_autofree char *id = uuid ();
  g_autofree char *fields = g_strdup_printf ("{\"name\":\"%s\",\"uscc\":\"%s\",\"kind\":\"%s\"}", name, uscc, kind);
  g_autoptr(JsonObject) result = push_one (token, "insert", "organization", id, 0, fields, NULL);

  assert_status (result, "applied");
  return g_steal_pointer (&id);
}

/* Every change the account can see since the cursor: id → record,
 * walking pages of limit entries; checks the cursor and has_more on the
 * way. Revoked projects go to revoked (if not NULL); *out_next is the
 * cursor after the last page. */
static GHashTable *
pull_since (const char  *token,
            const char  *cursor,
            guint        limit,
            guint       *out_pages,
            GHashTable  *revoked,
            char       **out_next)
{
  GHashTable *records = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) json_object_unref);
  g_autofree char *since = g_strdup (cursor);
  gint64 last_seq = 0;
  guint pages = 0;

  for (;;)
    {
      g_auto(Response) r;
      g_autofree char *path = g_strdup_printf ("/v1/changes?since=%s&limit=%u", since, limit);
      JsonArray *changes;
      gboolean has_more;

      http (&r, "GET", path, token, NULL);
      g_assert_cmpuint (r.status, ==, 200);
      changes = json_object_get_array_member (obj (&r), "changes");
      has_more = json_object_get_boolean_member (obj (&r), "has_more");
      g_assert_cmpuint (json_array_get_length (changes), <=, limit);
      pages++;
      g_assert_cmpuint (pages, <, 100000);

      for (guint i = 0; i < json_array_get_length (changes); i++)
        {
          JsonObject *change = json_array_get_object_element (changes, i);
          JsonObject *record;
          gint64 seq = json_object_get_int_member (change, "seq");

          /* seq increases; a record comes at or after its latest write */
          g_assert_cmpint (seq, >, last_seq);
          last_seq = seq;
          if (json_object_has_member (change, "revoked"))
            {
              JsonObject *gone = json_object_get_object_member (change, "revoked");

              g_assert_cmpstr (json_object_get_string_member (gone, "entity"), ==, "project");
              g_assert_nonnull (revoked);
              g_hash_table_add (revoked, g_strdup (json_object_get_string_member (gone, "id")));
              continue;
            }
          record = json_object_get_object_member (change, "record");
          g_assert_cmpint (json_object_get_int_member (record, "rev"), >, 0);
          g_assert_cmpint (json_object_get_int_member (record, "rev"), <=, seq);
          g_hash_table_replace (records, g_strdup (json_object_get_string_member (record, "id")),
                                json_object_ref (record));
        }

      if (json_array_get_length (changes) > 0)
        {
          g_autofree char *expected = g_strdup_printf ("%" G_GINT64_FORMAT, last_seq);
          g_assert_cmpstr (json_object_get_string_member (obj (&r), "next"), ==, expected);
        }
      else
        g_assert_cmpstr (json_object_get_string_member (obj (&r), "next"), ==, since);

      if (!has_more)
        {
          if (out_next != NULL)
            *out_next = g_strdup (json_object_get_string_member (obj (&r), "next"));
          /* the last page is short or followed by nothing */
          g_auto(Response) after;
          g_autofree char *after_path = g_strdup_printf ("/v1/changes?since=%s&limit=%u",
                                                         json_object_get_string_member (obj (&r), "next"), limit);

          http (&after, "GET", after_path, token, NULL);
          g_assert_cmpuint (json_array_get_length (json_object_get_array_member (obj (&after), "changes")), ==, 0);
          break;
        }
      g_assert_cmpuint (json_array_get_length (changes), ==, limit);
      g_free (since);
      since = g_strdup (json_object_get_string_member (obj (&r), "next"));
    }

  if (out_pages != NULL)
    *out_pages = pages;
  return records;
}

static GHashTable *
pull_all (const char *token,
          guint       limit,
          guint      *out_pages)
{
  return pull_since (token, "0", limit, out_pages, NULL, NULL);
}

static JsonObject *
fields_of (GHashTable *records,
           const char *id)
{
  JsonObject *record = g_hash_table_lookup (records, id);

  g_assert_nonnull (record);
  return json_object_get_object_member (record, "fields");
}

/* ---- tests ---------------------------------------------------------- */

static void
test_healthz (void)
{
  g_auto(Response) missing;
  g_auto(Response) wrong_method;

  assert_healthy ();
  http (&missing, "GET", "/v1/nothing", NULL, NULL);
  assert_error (&missing, 404, "not_found");
  http (&wrong_method, "PUT", "/healthz", NULL, "{}");
  assert_error (&wrong_method, 405, "method_not_allowed");
}

static void
test_cli_users (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err1 = NULL, *err2 = NULL, *err3 = NULL, *err4 = NULL, *err5 = NULL, *err6 = NULL;
  g_autofree char *list = NULL;

  g_assert_cmpint (run_cli (server.dir, PASSWORD "\n", NULL, &err1, "user", "add", "officer1", "--role", "officer", NULL), ==, 1);
  g_assert_nonnull (strstr (err1, "name"));
  g_assert_nonnull (strstr (err1, "already exists"));
  g_assert_cmpint (run_cli (server.dir, PASSWORD "\n", NULL, &err2, "user", "add", "newbie", "--role", "boss", NULL), ==, 1);
  g_assert_nonnull (strstr (err2, "role"));
  g_assert_cmpint (run_cli (server.dir, PASSWORD "\n", NULL, &err3, "user", "add", "newbie", "--role", "agency", NULL), ==, 1);
  g_assert_nonnull (strstr (err3, "org"));
  g_assert_cmpint (run_cli (server.dir, "short\n", NULL, &err4, "user", "add", "newbie", "--role", "officer", NULL), ==, 1);
  g_assert_nonnull (strstr (err4, "password"));
  g_assert_cmpint (run_cli (server.dir, PASSWORD "\n", NULL, &err5, "user", "add", "new bie", "--role", "officer", NULL), ==, 1);
  g_assert_nonnull (strstr (err5, "name"));
  g_assert_cmpint (run_cli (server.dir, PASSWORD "\n", NULL, &err6, "user", "add", "newbie", "--role", "agency",
                            "--org", "91440300715267260Y", NULL), ==, 1);
  g_assert_nonnull (strstr (err6, "org"));

  /* none of the refused ones was made */
  g_assert_cmpint (run_cli (server.dir, NULL, &list, NULL, "user", "list", NULL), ==, 0);
  g_assert_null (strstr (list, "newbie"));
  g_assert_nonnull (strstr (list, "officer1\tofficer\t-\tactive\n"));
  {
    g_autofree char *agency_line = g_strdup_printf ("agency1\tagency\t%s\tactive\n", server.uscc_a);
    g_assert_nonnull (strstr (list, agency_line));
  }

  /* a disabled account cannot log in */
  procura_test_server_add_user (server.binary, server.dir, "leaver", "officer", NULL, PASSWORD);
  g_free (login ("leaver"));
  g_assert_cmpint (run_cli (server.dir, NULL, &out, NULL, "user", "disable", "leaver", NULL), ==, 0);
  {
    g_auto(Response) r;
    g_autofree char *list2 = NULL;

    http (&r, "POST", "/v1/session", NULL, "{\"username\":\"leaver\",\"password\":\"" PASSWORD "\"}");
    assert_error (&r, 401, "unauthorized");
    g_assert_cmpint (run_cli (server.dir, NULL, &list2, NULL, "user", "list", NULL), ==, 0);
    g_assert_nonnull (strstr (list2, "leaver\tofficer\t-\tdisabled\n"));
  }
}

static void
test_login (void)
{
  g_autofree char *token = login ("officer1");
  g_auto(Response) wrong;
  g_auto(Response) unknown;
  g_auto(Response) malformed;
  g_auto(Response) types;

  g_assert_true (g_str_is_ascii (token));
  http (&wrong, "POST", "/v1/session", NULL, "{\"username\":\"officer1\",\"password\":\"wrong password\"}");
  assert_error (&wrong, 401, "unauthorized");
  http (&unknown, "POST", "/v1/session", NULL, "{\"username\":\"nobody\",\"password\":\"" PASSWORD "\"}");
  assert_error (&unknown, 401, "unauthorized");
  http (&malformed, "POST", "/v1/session", NULL, "{\"username\":");
  assert_error (&malformed, 400, "bad_request");
  http (&types, "POST", "/v1/session", NULL, "{\"username\":\"officer1\",\"password\":12345678}");
  assert_error (&types, 400, "bad_request");

  /* passwd sets a new password and ends old sessions */
  {
    g_auto(Response) after;
    g_auto(Response) old;
    g_autofree char *out = NULL;

    procura_test_server_add_user (server.binary, server.dir, "changer", "officer", NULL, PASSWORD);
    g_autofree char *old_token = login ("changer");
    g_assert_cmpint (run_cli (server.dir, "another password 2\n", &out, NULL, "user", "passwd", "changer", NULL), ==, 0);
    http (&after, "POST", "/v1/session", NULL, "{\"username\":\"changer\",\"password\":\"another password 2\"}");
    g_assert_cmpuint (after.status, ==, 200);
    http (&old, "GET", "/v1/changes", old_token, NULL);
    assert_error (&old, 401, "unauthorized");
  }
}

static void
test_login_throttled (void)
{
  g_auto(Response) locked;
  g_auto(Response) other;

  procura_test_server_add_user (server.binary, server.dir, "target", "officer", NULL, PASSWORD);
  for (guint i = 0; i < 5; i++)
    {
      g_auto(Response) r;

      http (&r, "POST", "/v1/session", NULL, "{\"username\":\"target\",\"password\":\"guess guess\"}");
      assert_error (&r, 401, "unauthorized");
    }

  /* now even the right password waits */
  http (&locked, "POST", "/v1/session", NULL, "{\"username\":\"target\",\"password\":\"" PASSWORD "\"}");
  assert_error (&locked, 429, "too_many_attempts");
  g_assert_nonnull (locked.retry_after);
  g_assert_cmpint (g_ascii_strtoll (locked.retry_after, NULL, 10), >, 0);
  g_assert_cmpint (g_ascii_strtoll (locked.retry_after, NULL, 10), <=, 15 * 60);

  /* per name: others are not locked out */
  http (&other, "POST", "/v1/session", NULL, "{\"username\":\"officer2\",\"password\":\"" PASSWORD "\"}");
  g_assert_cmpuint (other.status, ==, 200);
}

static void
test_tokens (void)
{
  g_autofree char *token = login ("officer2");
  g_autofree char *second = login ("officer2");
  g_autofree char *third = NULL;
  g_autofree char *forged = g_strnfill (64, 'a');
  g_autofree char *out = NULL;
  g_auto(Response) none;
  g_auto(Response) bad;
  g_auto(Response) malformed;
  g_auto(Response) ok;
  g_auto(Response) logout;
  g_auto(Response) after_logout;
  g_auto(Response) still;
  g_auto(Response) revoked;
  g_auto(Response) relogin;

  http (&none, "GET", "/v1/changes", NULL, NULL);
  assert_error (&none, 401, "unauthorized");
  http (&bad, "GET", "/v1/changes", forged, NULL);
  assert_error (&bad, 401, "unauthorized");
  http (&malformed, "GET", "/v1/changes", "not-a-token", NULL);
  assert_error (&malformed, 401, "unauthorized");
  http (&ok, "GET", "/v1/changes", token, NULL);
  g_assert_cmpuint (ok.status, ==, 200);

  /* logging out ends that token only */
  http (&logout, "DELETE", "/v1/session", token, NULL);
  g_assert_cmpuint (logout.status, ==, 204);
  http (&after_logout, "GET", "/v1/changes", token, NULL);
  assert_error (&after_logout, 401, "unauthorized");
  http (&still, "GET", "/v1/changes", second, NULL);
  g_assert_cmpuint (still.status, ==, 200);

  /* revoke-tokens ends all of them */
  g_assert_cmpint (run_cli (server.dir, NULL, &out, NULL, "user", "revoke-tokens", "officer2", NULL), ==, 0);
  http (&revoked, "GET", "/v1/changes", second, NULL);
  assert_error (&revoked, 401, "unauthorized");

  /* and a new login works again */
  third = login ("officer2");
  http (&relogin, "GET", "/v1/changes", third, NULL);
  g_assert_cmpuint (relogin.status, ==, 200);
}

static void
test_push_and_pull (void)
{
  g_autofree char *token = login ("officer1");
  g_autofree char *org_uscc = make_uscc (7001);
  g_autofree char *org = add_organization (token, "新开社工", org_uscc, "social_work_agency");
  gint64 rev1, rev2;
  g_autofree char *p1 = add_project (token, "PULL-001", org, &rev1);
  g_autofree char *p2 = add_project (token, "PULL-002", NULL, &rev2);
  g_autoptr(GHashTable) all = NULL;
  g_autoptr(GHashTable) paged = NULL;
  guint pages = 0;
  JsonObject *record;

  g_assert_cmpint (rev2, >, rev1);

  all = pull_all (token, 1000, NULL);
  record = g_hash_table_lookup (all, p1);
  g_assert_nonnull (record);
  g_assert_cmpstr (json_object_get_string_member (record, "entity"), ==, "project");
  g_assert_cmpint (json_object_get_int_member (record, "rev"), ==, rev1);
  g_assert_false (json_object_get_boolean_member (record, "deleted"));
  g_assert_cmpstr (json_object_get_string_member (fields_of (all, p1), "title"), ==, "项目 PULL-001");
  g_assert_cmpstr (json_object_get_string_member (fields_of (all, p1), "agency_id"), ==, org);
  g_assert_cmpint (json_object_get_int_member (fields_of (all, p2), "value"), ==, 1000000);
  g_assert_cmpstr (json_object_get_string_member (fields_of (all, org), "uscc"), ==, org_uscc);

  /* one entry a page walks the same records */
  paged = pull_all (token, 1, &pages);
  g_assert_cmpuint (g_hash_table_size (paged), ==, g_hash_table_size (all));
  g_assert_cmpuint (pages, ==, g_hash_table_size (all));

  /* an update moves the record to the end of the feed, once */
  {
    g_autofree char *cursor = NULL;
    g_autoptr(GHashTable) before = pull_since (token, "0", 1000, NULL, NULL, &cursor);
    g_assert_cmpuint (g_hash_table_size (before), ==, g_hash_table_size (all));
    g_autoptr(JsonObject) result = push_one (token, "update", "project", p1, rev1, "{\"street\":\"西湖街道\"}", NULL);
    g_autoptr(GHashTable) again = NULL;
    g_auto(Response) tail;
    g_autofree char *path = g_strdup_printf ("/v1/changes?since=%s", cursor);
    JsonArray *changes;

    assert_status (result, "applied");
    g_assert_cmpint (json_object_get_int_member (result, "rev"), >, rev2);
    again = pull_all (token, 3, NULL);
    g_assert_cmpuint (g_hash_table_size (again), ==, g_hash_table_size (all));
    g_assert_cmpstr (json_object_get_string_member (fields_of (again, p1), "street"), ==, "西湖街道");

    http (&tail, "GET", path, token, NULL);
    changes = json_object_get_array_member (obj (&tail), "changes");
    g_assert_cmpuint (json_array_get_length (changes), ==, 1);
    g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (json_array_get_object_element (changes, 0),
                                                                                "record"), "rev"), ==,
                     json_object_get_int_member (result, "rev"));
  }

  /* bad cursors and limits */
  {
    g_auto(Response) r1;
    g_auto(Response) r2;
    g_auto(Response) r3;

    http (&r1, "GET", "/v1/changes?since=abc", token, NULL);
    assert_error (&r1, 400, "bad_request");
    http (&r2, "GET", "/v1/changes?limit=0", token, NULL);
    assert_error (&r2, 400, "bad_request");
    http (&r3, "GET", "/v1/changes?limit=1001", token, NULL);
    assert_error (&r3, 400, "bad_request");
  }
}

static void
test_idempotency (void)
{
  g_autofree char *token = login ("officer1");
  g_autofree char *key = uuid ();
  g_autofree char *mutation_id = uuid ();
  g_autofree char *id = uuid ();
  g_autofree char *body = NULL;
  g_autofree char *other_body = NULL;
  g_autoptr(GHashTable) before = NULL;
  g_autoptr(GHashTable) after = NULL;
  g_auto(Response) first;
  g_auto(Response) replay;
  g_auto(Response) reused;
  g_auto(Response) missing;
  g_auto(Response) new_key;
  gint64 last_seq_before, rev;

  body = g_strdup_printf ("{\"protocol\":1,\"device\":\"d\",\"mutations\":[{\"mutation_id\":\"%s\","
                          "\"entity\":\"project\",\"id\":\"%s\",\"op\":\"insert\",\"base_rev\":0,"
                          "\"fields\":{\"code\":\"IDEM-1\",\"title\":\"幂等\",\"category\":\"youth\","
                          "\"method\":\"inquiry\",\"status\":\"draft\"}}]}", mutation_id, id);
  http_full (&first, "POST", "/v1/push", token, body, strlen (body), "Idempotency-Key", key, NULL);
  g_assert_cmpuint (first.status, ==, 200);
  assert_status (json_array_get_object_element (json_object_get_array_member (obj (&first), "results"), 0), "applied");
  rev = json_object_get_int_member (json_array_get_object_element (json_object_get_array_member (obj (&first), "results"), 0), "rev");

  before = pull_all (token, 1000, NULL);
  last_seq_before = json_object_get_int_member (g_hash_table_lookup (before, id), "rev");
  g_assert_cmpint (last_seq_before, ==, rev);

  /* same key, same body: the same answer, byte for byte, nothing written */
  http_full (&replay, "POST", "/v1/push", token, body, strlen (body), "Idempotency-Key", key, NULL);
  g_assert_cmpuint (replay.status, ==, 200);
  g_assert_cmpstr (replay.text, ==, first.text);

  /* same mutation under a new key: rule 1, the first result again */
  {
    g_autofree char *key2 = uuid ();
    http_full (&new_key, "POST", "/v1/push", token, body, strlen (body), "Idempotency-Key", key2, NULL);
    g_assert_cmpuint (new_key.status, ==, 200);
    g_assert_cmpstr (new_key.text, ==, first.text);
  }

  after = pull_all (token, 1000, NULL);
  g_assert_cmpuint (g_hash_table_size (after), ==, g_hash_table_size (before));
  g_assert_cmpint (json_object_get_int_member (g_hash_table_lookup (after, id), "rev"), ==, rev);

  /* same key, another body */
  other_body = g_strdup (body);
  other_body[strlen (other_body) - 10] = 'X';
  http_full (&reused, "POST", "/v1/push", token, other_body, strlen (other_body), "Idempotency-Key", key, NULL);
  assert_error (&reused, 422, "key_reused");

  /* no key */
  http (&missing, "POST", "/v1/push", token, body);
  assert_error (&missing, 400, "bad_request");
}

static void
test_concurrent_writers (void)
{
  g_autofree char *a = login ("officer1");
  g_autofree char *b = login ("officer2");
  gint64 base;
  g_autofree char *p = add_project (a, "TWO-001", NULL, &base);
  g_autoptr(JsonObject) r1 = NULL;
  g_autoptr(JsonObject) r2 = NULL;
  g_autoptr(JsonObject) r3 = NULL;
  g_autoptr(JsonObject) r4 = NULL;
  g_autoptr(JsonObject) r5 = NULL;
  g_autoptr(JsonObject) r6 = NULL;
  g_autoptr(GHashTable) records = NULL;
  JsonObject *conflict;
  JsonArray *conflicts;
  gint64 base2, base3;

  /* different fields from the same base: both apply */
  r1 = push_one (a, "update", "project", p, base, "{\"description\":\"A 的描述\"}", NULL);
  assert_status (r1, "applied");
  r2 = push_one (b, "update", "project", p, base, "{\"street\":\"B 的街道\"}", NULL);
  assert_status (r2, "merged");
  g_assert_cmpint (json_object_get_int_member (r2, "rev"), >, json_object_get_int_member (r1, "rev"));
  records = pull_all (a, 1000, NULL);
  g_assert_cmpstr (json_object_get_string_member (fields_of (records, p), "description"), ==, "A 的描述");
  g_assert_cmpstr (json_object_get_string_member (fields_of (records, p), "street"), ==, "B 的街道");
  g_clear_pointer (&records, g_hash_table_unref);

  /* the same ordinary field: the later push wins, the loser is reported */
  base2 = json_object_get_int_member (r2, "rev");
  r3 = push_one (a, "update", "project", p, base2, "{\"title\":\"A 的标题\"}", NULL);
  assert_status (r3, "applied");
  r4 = push_one (b, "update", "project", p, base2, "{\"title\":\"B 的标题\"}", NULL);
  assert_status (r4, "conflict");
  conflicts = json_object_get_array_member (r4, "conflicts");
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  conflict = json_array_get_object_element (conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, "title");
  g_assert_cmpstr (json_object_get_string_member (conflict, "kept"), ==, "yours");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (conflict, "server"), "value"), ==,
                   "A 的标题");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (conflict, "server"), "by"), ==,
                   "officer1");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (conflict, "server"), "rev"), ==,
                   json_object_get_int_member (r3, "rev"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (conflict, "yours"), "value"), ==,
                   "B 的标题");
  records = pull_all (a, 1000, NULL);
  g_assert_cmpstr (json_object_get_string_member (fields_of (records, p), "title"), ==, "B 的标题");
  g_clear_pointer (&records, g_hash_table_unref);

  /* a strict field: the second is refused and nothing of it is applied */
  base3 = json_object_get_int_member (r4, "rev");
  r5 = push_one (a, "update", "project", p, base3, "{\"value\":2000000}", NULL);
  assert_status (r5, "applied");
  r6 = push_one (b, "update", "project", p, base3, "{\"value\":3000000,\"community\":\"B 社区\"}", NULL);
  assert_rejected (r6, "strict_conflict");
  conflicts = json_object_get_array_member (r6, "conflicts");
  g_assert_cmpuint (json_array_get_length (conflicts), ==, 1);
  conflict = json_array_get_object_element (conflicts, 0);
  g_assert_cmpstr (json_object_get_string_member (conflict, "field"), ==, "value");
  g_assert_cmpstr (json_object_get_string_member (conflict, "kept"), ==, "server");
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (conflict, "server"), "value"), ==, 2000000);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (conflict, "yours"), "value"), ==, 3000000);
  records = pull_all (a, 1000, NULL);
  g_assert_cmpint (json_object_get_int_member (fields_of (records, p), "value"), ==, 2000000);
  g_assert_true (json_object_get_null_member (fields_of (records, p), "community"));
  g_assert_cmpint (json_object_get_int_member (g_hash_table_lookup (records, p), "rev"), ==,
                   json_object_get_int_member (r5, "rev"));

  /* both writers see the open conflicts; an agency does not see these */
  {
    g_autofree char *agency = login ("agency1");
    g_auto(Response) listed;
    g_auto(Response) hidden;
    JsonArray *list;
    gboolean title_seen = FALSE, value_seen = FALSE;

    http (&listed, "GET", "/v1/conflicts", b, NULL);
    g_assert_cmpuint (listed.status, ==, 200);
    list = json_object_get_array_member (obj (&listed), "conflicts");
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *c = json_array_get_object_element (list, i);
        JsonObject *server_side = json_object_get_object_member (c, "server");
        JsonObject *yours = json_object_get_object_member (c, "yours");

        if (g_strcmp0 (json_object_get_string_member (c, "record_id"), p) != 0)
          continue;
        g_assert_cmpint (json_object_get_int_member (c, "id"), >, 0);
        g_assert_cmpstr (json_object_get_string_member (c, "status"), ==, "open");
        g_assert_cmpstr (json_object_get_string_member (yours, "by"), ==, "officer2");
        if (g_strcmp0 (json_object_get_string_member (c, "field"), "title") == 0)
          {
            g_assert_cmpstr (json_object_get_string_member (c, "kind"), ==, "overwritten");
            g_assert_cmpstr (json_object_get_string_member (c, "mutation_id"), ==,
                             json_object_get_string_member (r4, "mutation_id"));
            g_assert_cmpstr (json_object_get_string_member (server_side, "value"), ==, "A 的标题");
            g_assert_cmpstr (json_object_get_string_member (server_side, "by"), ==, "officer1");
            g_assert_cmpstr (json_object_get_string_member (yours, "value"), ==, "B 的标题");
            title_seen = TRUE;
          }
        if (g_strcmp0 (json_object_get_string_member (c, "field"), "value") == 0)
          {
            g_assert_cmpstr (json_object_get_string_member (c, "kind"), ==, "strict");
            g_assert_cmpint (json_object_get_int_member (server_side, "value"), ==, 2000000);
            g_assert_cmpint (json_object_get_int_member (yours, "value"), ==, 3000000);
            value_seen = TRUE;
          }
      }
    g_assert_true (title_seen);
    g_assert_true (value_seen);

    http (&hidden, "GET", "/v1/conflicts", agency, NULL);
    g_assert_cmpuint (hidden.status, ==, 200);
    list = json_object_get_array_member (obj (&hidden), "conflicts");
    for (guint i = 0; i < json_array_get_length (list); i++)
      g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, i), "record_id"), !=, p);
  }

  /* a status change against the current revision applies */
  {
    g_autoptr(JsonObject) r7 = push_one (b, "update", "project", p, json_object_get_int_member (r5, "rev"),
                                         "{\"value\":3000000}", NULL);
    assert_status (r7, "applied");
  }

  /* a person settles the title: the server's value comes back */
  {
    g_autofree char *agency = login ("agency1");
    g_autofree char *auditor = login ("auditor1");
    g_auto(Response) listed;
    g_auto(Response) resolved;
    g_auto(Response) again;
    g_auto(Response) contrary;
    g_auto(Response) hidden;
    g_auto(Response) readonly;
    g_auto(Response) missing;
    g_auto(Response) bad_keep;
    g_auto(Response) after;
    g_autofree char *path = NULL;
    g_autoptr(GHashTable) now = NULL;
    JsonArray *list;
    gint64 title_id = 0;

    http (&listed, "GET", "/v1/conflicts", a, NULL);
    list = json_object_get_array_member (obj (&listed), "conflicts");
    for (guint i = 0; i < json_array_get_length (list); i++)
      {
        JsonObject *c = json_array_get_object_element (list, i);

        if (g_strcmp0 (json_object_get_string_member (c, "record_id"), p) == 0 &&
            g_strcmp0 (json_object_get_string_member (c, "field"), "title") == 0)
          title_id = json_object_get_int_member (c, "id");
      }
    g_assert_cmpint (title_id, >, 0);
    path = g_strdup_printf ("/v1/conflicts/%" G_GINT64_FORMAT "/resolve", title_id);

    http (&hidden, "POST", path, agency, "{\"keep\":\"server\"}");
    assert_error (&hidden, 404, "not_found");
    http (&readonly, "POST", path, auditor, "{\"keep\":\"server\"}");
    assert_error (&readonly, 403, "forbidden");
    http (&bad_keep, "POST", path, a, "{\"keep\":\"mine\"}");
    assert_error (&bad_keep, 400, "bad_request");
    http (&missing, "POST", "/v1/conflicts/999999/resolve", a, "{\"keep\":\"server\"}");
    assert_error (&missing, 404, "not_found");

    http (&resolved, "POST", path, a, "{\"keep\":\"server\"}");
    g_assert_cmpuint (resolved.status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (obj (&resolved), "status"), ==, "resolved");
    now = pull_all (a, 1000, NULL);
    g_assert_cmpstr (json_object_get_string_member (fields_of (now, p), "title"), ==, "A 的标题");
    g_assert_cmpint (json_object_get_int_member (g_hash_table_lookup (now, p), "rev"), ==,
                     json_object_get_int_member (obj (&resolved), "rev"));

    /* a retry answers the same; the other choice is refused */
    http (&again, "POST", path, a, "{\"keep\":\"server\"}");
    g_assert_cmpuint (again.status, ==, 200);
    g_assert_cmpstr (again.text, ==, resolved.text);
    http (&contrary, "POST", path, a, "{\"keep\":\"yours\"}");
    assert_error (&contrary, 400, "bad_request");

    /* and it is no longer listed */
    http (&after, "GET", "/v1/conflicts", b, NULL);
    list = json_object_get_array_member (obj (&after), "conflicts");
    for (guint i = 0; i < json_array_get_length (list); i++)
      g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, i), "id"), !=, title_id);
  }
}

static void
test_deleted (void)
{
  g_autofree char *token = login ("officer1");
  gint64 rev;
  g_autofree char *p = add_project (token, "DEL-001", NULL, &rev);
  g_autoptr(JsonObject) deleted = push_one (token, "delete", "project", p, rev, NULL, NULL);
  g_autoptr(JsonObject) edit = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) missing = NULL;
  g_autoptr(GHashTable) records = NULL;
  g_autofree char *nowhere = uuid ();

  assert_status (deleted, "applied");
  edit = push_one (token, "update", "project", p, rev, "{\"title\":\"迟到的修改\"}", NULL);
  assert_rejected (edit, "deleted");
  again = push_one (token, "delete", "project", p, rev, NULL, NULL);
  assert_rejected (again, "deleted");
  missing = push_one (token, "update", "project", nowhere, 1, "{\"title\":\"x\"}", NULL);
  assert_rejected (missing, "not_found");

  /* the tombstone is in the feed */
  records = pull_all (token, 1000, NULL);
  g_assert_true (json_object_get_boolean_member (g_hash_table_lookup (records, p), "deleted"));
  g_assert_cmpstr (json_object_get_string_member (fields_of (records, p), "title"), ==, "项目 DEL-001");

  /* a domain rule refuses: invalid, with the rule's message */
  {
    g_autofree char *id = uuid ();
    g_autoptr(JsonObject) invalid = push_one (token, "insert", "project", id, 0,
                                              "{\"code\":\"BAD-1\",\"title\":\"负数\",\"category\":\"youth\","
                                              "\"method\":\"inquiry\",\"status\":\"draft\",\"value\":-5}", NULL);
    assert_rejected (invalid, "invalid");
  }
}

static void
test_permissions (void)
{
  g_autofree char *officer = login ("officer1");
  g_autofree char *agency = login ("agency1");
  g_autofree char *auditor = login ("auditor1");
  g_autofree char *admin = login ("admin1");
  gint64 rev_a, rev_b;
  g_autofree char *pa = add_project (officer, "PERM-A", server.org_a, &rev_a);
  g_autofree char *pb = add_project (officer, "PERM-B", server.org_b, &rev_b);
  g_autofree char *activity_a = uuid ();
  g_autofree char *activity_b = uuid ();
  g_autofree char *fields_a = g_strdup_printf ("{\"project_id\":\"%s\",\"kind\":\"event\",\"title\":\"重阳活动\","
                                               "\"date\":\"2026-10-29\"}", pa);
  g_autofree char *fields_b = g_strdup_printf ("{\"project_id\":\"%s\",\"kind\":\"event\",\"title\":\"别人的活动\","
                                               "\"date\":\"2026-10-29\"}", pb);
  g_autoptr(JsonObject) title = NULL;
  g_autoptr(JsonObject) own_activity = NULL;
  g_autoptr(JsonObject) other_activity = NULL;
  g_autoptr(JsonObject) contact = NULL;
  g_autoptr(JsonObject) org_name = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_auto(Response) auditor_push;
  g_auto(Response) admin_push;
  g_auto(Response) agency_audit;
  g_auto(Response) auditor_audit;

  /* an agency does not edit projects, not even its own */
  title = push_one (agency, "update", "project", pa, rev_a, "{\"title\":\"机构改的标题\"}", NULL);
  assert_rejected (title, "forbidden");
  own_activity = push_one (agency, "insert", "activity", activity_a, 0, fields_a, NULL);
  assert_status (own_activity, "applied");
  other_activity = push_one (agency, "insert", "activity", activity_b, 0, fields_b, NULL);
  assert_rejected (other_activity, "forbidden");
  contact = push_one (agency, "update", "organization", server.org_a, 0, "{\"contact_phone\":\"0571-12345678\"}", NULL);
  assert_status (contact, "merged");
  org_name = push_one (agency, "update", "organization", server.org_a, 0, "{\"name\":\"改名\"}", NULL);
  assert_rejected (org_name, "forbidden");

  /* reports: the agency writes and submits, the purchasing unit reviews */
  {
    g_autofree char *report = uuid ();
    g_autofree char *report_fields = g_strdup_printf ("{\"project_id\":\"%s\",\"title\":\"十月月报\",\"state\":\"draft\"}", pa);
    g_autoptr(JsonObject) created = push_one (agency, "insert", "report", report, 0, report_fields, NULL);
    g_autoptr(JsonObject) submitted = NULL;
    g_autoptr(JsonObject) self_accepted = NULL;
    g_autoptr(JsonObject) accepted = NULL;
    g_autoptr(JsonObject) late_edit = NULL;
    gint64 rev;

    assert_status (created, "applied");
    rev = json_object_get_int_member (created, "rev");
    submitted = push_one (agency, "update", "report", report, rev, "{\"state\":\"submitted\"}", NULL);
    assert_status (submitted, "applied");
    rev = json_object_get_int_member (submitted, "rev");
    self_accepted = push_one (agency, "update", "report", report, rev, "{\"state\":\"accepted\"}", NULL);
    assert_rejected (self_accepted, "forbidden");
    accepted = push_one (officer, "update", "report", report, rev, "{\"state\":\"accepted\"}", NULL);
    assert_status (accepted, "applied");
    late_edit = push_one (agency, "update", "report", report, json_object_get_int_member (accepted, "rev"),
                          "{\"narrative\":\"补充说明\"}", NULL);
    assert_rejected (late_edit, "forbidden");
  }

  /* it sees its own project and what hangs off it, not the other */
  seen = pull_all (agency, 1000, NULL);
  g_assert_true (g_hash_table_contains (seen, pa));
  g_assert_true (g_hash_table_contains (seen, activity_a));
  g_assert_true (g_hash_table_contains (seen, server.org_a));
  g_assert_true (g_hash_table_contains (seen, server.buyer));
  g_assert_false (g_hash_table_contains (seen, pb));
  g_assert_false (g_hash_table_contains (seen, server.org_b));
  g_assert_false (g_hash_table_contains (seen, activity_b));
  g_assert_cmpstr (json_object_get_string_member (fields_of (seen, pa), "title"), ==, "项目 PERM-A");
  g_assert_cmpstr (json_object_get_string_member (fields_of (seen, server.org_a), "contact_phone"), ==, "0571-12345678");

  /* read-only roles cannot push at all */
  {
    g_autofree char *key = uuid ();
    g_autofree char *body = g_strdup_printf ("{\"protocol\":1,\"device\":\"d\",\"mutations\":[{\"mutation_id\":\"%s\","
                                             "\"entity\":\"project\",\"id\":\"%s\",\"op\":\"update\",\"base_rev\":%"
                                             G_GINT64_FORMAT ",\"fields\":{\"title\":\"审计员\"}}]}", key, pa, rev_a);

    http_full (&auditor_push, "POST", "/v1/push", auditor, body, strlen (body), "Idempotency-Key", key, NULL);
    assert_error (&auditor_push, 403, "forbidden");
    http_full (&admin_push, "POST", "/v1/push", admin, body, strlen (body), "Idempotency-Key", key, NULL);
    assert_error (&admin_push, 403, "forbidden");
  }

  /* the audit log: not for agencies */
  http (&agency_audit, "GET", "/v1/audit", agency, NULL);
  assert_error (&agency_audit, 403, "forbidden");
  http (&auditor_audit, "GET", "/v1/audit?limit=1000", auditor, NULL);
  g_assert_cmpuint (auditor_audit.status, ==, 200);
  {
    JsonArray *entries = json_object_get_array_member (obj (&auditor_audit), "entries");
    gboolean found_forbidden = FALSE, found_401 = FALSE, found_403 = FALSE, found_failed_login = FALSE;

    g_assert_cmpuint (json_array_get_length (entries), >, 0);
    for (guint i = 0; i < json_array_get_length (entries); i++)
      {
        JsonObject *e = json_array_get_object_element (entries, i);

        g_assert_cmpint (json_object_get_int_member (e, "seq"), ==, i + 1);
        g_assert_cmpuint (strlen (json_object_get_string_member (e, "hash")), ==, 64);
        if (g_strcmp0 (json_object_get_string_member (e, "mutation_id"),
                       json_object_get_string_member (title, "mutation_id")) == 0)
          {
            g_assert_cmpstr (json_object_get_string_member (e, "status"), ==, "rejected");
            g_assert_cmpstr (json_object_get_string_member (e, "actor"), ==, "agency1");
            found_forbidden = TRUE;
          }
        if (g_strcmp0 (json_object_get_string_member (e, "action"), "denied") == 0 &&
            g_strcmp0 (json_object_get_string_member (e, "status"), "401") == 0)
          found_401 = TRUE;
        if (g_strcmp0 (json_object_get_string_member (e, "action"), "denied") == 0 &&
            g_strcmp0 (json_object_get_string_member (e, "status"), "403") == 0 &&
            g_strcmp0 (json_object_get_string_member (e, "actor"), "auditor1") == 0)
          found_403 = TRUE;
        if (g_strcmp0 (json_object_get_string_member (e, "action"), "login") == 0 &&
            g_strcmp0 (json_object_get_string_member (e, "status"), "failed") == 0)
          found_failed_login = TRUE;
      }
    g_assert_true (found_forbidden);
    g_assert_true (found_401);
    g_assert_true (found_403);
    g_assert_true (found_failed_login);
    g_assert_false (json_object_get_boolean_member (obj (&auditor_audit), "has_more"));
  }
}

/* A project handed to another agency reaches it with everything under
 * it, whatever its cursor, and is revoked from the one that lost it. */
static void
test_scope_change (void)
{
  g_autofree char *officer = login ("officer1");
  g_autofree char *agency = login ("agency1");
  g_autofree char *cursor = NULL;
  g_autofree char *cursor2 = NULL;
  g_autofree char *cursor3 = NULL;
  g_autofree char *activity = uuid ();
  g_autofree char *buyer_uscc = make_uscc (5100);
  g_autofree char *new_buyer = add_organization (officer, "街道办事处", buyer_uscc, "street_office");
  gint64 rev;
  g_autofree char *pc = NULL;
  g_autofree char *fields = NULL;
  g_autofree char *move_in = NULL;
  g_autofree char *move_out = NULL;
  g_autoptr(GHashTable) first = NULL;
  g_autoptr(GHashTable) second = NULL;
  g_autoptr(GHashTable) third = NULL;
  g_autoptr(GHashTable) revoked = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonObject) inserted = NULL;
  g_autoptr(JsonObject) moved = NULL;
  g_autoptr(JsonObject) moved_back = NULL;

  pc = add_project (officer, "SCOPE-1", server.org_b, &rev);
  fields = g_strdup_printf ("{\"project_id\":\"%s\",\"kind\":\"visit\",\"title\":\"入户探访\",\"date\":\"2026-11-01\"}", pc);
  inserted = push_one (officer, "insert", "activity", activity, 0, fields, NULL);
  assert_status (inserted, "applied");
  move_in = g_strdup_printf ("{\"buyer_id\":\"%s\"}", new_buyer);
  {
    g_autoptr(JsonObject) rebuy = push_one (officer, "update", "project", pc, rev, move_in, NULL);
    assert_status (rebuy, "applied");
    rev = json_object_get_int_member (rebuy, "rev");
  }

  /* agency A is up to date and sees nothing of it */
  first = pull_since (agency, "0", 1000, NULL, revoked, &cursor);
  g_assert_false (g_hash_table_contains (first, pc));
  g_assert_false (g_hash_table_contains (first, activity));
  g_assert_false (g_hash_table_contains (first, new_buyer));

  /* handed to A: the project, its activity and its buyer arrive */
  g_free (move_in);
  move_in = g_strdup_printf ("{\"agency_id\":\"%s\"}", server.org_a);
  moved = push_one (officer, "update", "project", pc, rev, move_in, NULL);
  assert_status (moved, "applied");
  second = pull_since (agency, cursor, 2, NULL, revoked, &cursor2);
  g_assert_true (g_hash_table_contains (second, pc));
  g_assert_true (g_hash_table_contains (second, activity));
  g_assert_true (g_hash_table_contains (second, new_buyer));
  g_assert_cmpuint (g_hash_table_size (revoked), ==, 0);

  /* taken back: A is told to drop it */
  move_out = g_strdup_printf ("{\"agency_id\":\"%s\"}", server.org_b);
  moved_back = push_one (officer, "update", "project", pc, json_object_get_int_member (moved, "rev"), move_out, NULL);
  assert_status (moved_back, "applied");
  third = pull_since (agency, cursor2, 1000, NULL, revoked, &cursor3);
  g_assert_true (g_hash_table_contains (revoked, pc));
  g_assert_false (g_hash_table_contains (third, pc));
  g_assert_false (g_hash_table_contains (third, activity));

  /* officers get records only, never revoked entries */
  {
    g_autoptr(GHashTable) none = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
    g_autoptr(GHashTable) all = pull_since (officer, "0", 1000, NULL, none, NULL);

    g_assert_cmpuint (g_hash_table_size (none), ==, 0);
    g_assert_true (g_hash_table_contains (all, pc));
  }
}

static void
test_bad_requests (void)
{
  g_autofree char *token = login ("officer1");
  static const char * const bodies[] = {
    "{\"protocol\":1,\"device\":\"d\",\"mutations\":[",                      /* malformed */
    "[1,2,3]",                                                                 /* not an object */
    "{\"protocol\":1,\"device\":\"d\",\"mutations\":{}}",                      /* wrong type */
    "{\"protocol\":1,\"device\":7,\"mutations\":[]}",                          /* wrong type */
    "{\"protocol\":1,\"mutations\":[]}",                                       /* missing member */
    "{\"protocol\":1,\"device\":\"server\",\"mutations\":[]}",                    /* the server's own name */
    "{\"protocol\":1,\"device\":\"d\"}",                                       /* missing member */
    "{\"protocol\":1,\"device\":\"d\",\"mutations\":[{\"mutation_id\":\"0190a0f2-0000-7000-8000-000000000000\","
    "\"entity\":\"project\",\"id\":\"0190a0f2-0000-7000-8000-000000000001\",\"op\":\"update\","
    "\"base_rev\":\"7\",\"fields\":{}}]}",                                      /* base_rev a string */
    "{\"protocol\":1,\"device\":\"d\",\"mutations\":[{\"mutation_id\":\"0190a0f2-0000-7000-8000-000000000000\","
    "\"entity\":\"nothing\",\"id\":\"0190a0f2-0000-7000-8000-000000000001\",\"op\":\"insert\",\"fields\":{}}]}",
    "{\"protocol\":1,\"device\":\"d\",\"mutations\":[{\"mutation_id\":\"x\","
    "\"entity\":\"project\",\"id\":\"0190a0f2-0000-7000-8000-000000000001\",\"op\":\"insert\",\"fields\":{}}]}",
    "{\"protocol\":1,\"device\":\"d\",\"mutations\":[{\"mutation_id\":\"0190a0f2-0000-7000-8000-000000000000\","
    "\"entity\":\"project\",\"id\":\"0190a0f2-0000-7000-8000-000000000001\",\"op\":\"upsert\",\"fields\":{}}]}",
    "\xff\xfe{}",                                                              /* not UTF-8 */
  };

  for (guint i = 0; i < G_N_ELEMENTS (bodies); i++)
    {
      g_auto(Response) r;
      g_autofree char *key = uuid ();

      http_full (&r, "POST", "/v1/push", token, bodies[i], strlen (bodies[i]), "Idempotency-Key", key, NULL);
      assert_error (&r, 400, "bad_request");
      assert_healthy ();
    }

  /* nesting 10,000 deep */
  {
    g_auto(Response) r;
    g_autofree char *key = uuid ();
    GString *deep = g_string_new ("{\"protocol\":1,\"device\":\"d\",\"mutations\":");
    g_autofree char *body = NULL;

    for (guint i = 0; i < 10000; i++)
      g_string_append_c (deep, '[');
    for (guint i = 0; i < 10000; i++)
      g_string_append_c (deep, ']');
    g_string_append_c (deep, '}');
    body = g_string_free (deep, FALSE);
    http_full (&r, "POST", "/v1/push", token, body, strlen (body), "Idempotency-Key", key, NULL);
    assert_error (&r, 400, "bad_request");
    g_assert_nonnull (strstr (json_object_get_string_member (obj (&r), "reason"), "nested"));
    assert_healthy ();
  }

  /* a body over 8 MiB */
  {
    g_auto(Response) r;
    g_autofree char *key = uuid ();
    gsize size = 8 * 1024 * 1024 + 1;
    g_autofree char *body = g_malloc (size);

    memset (body, ' ', size);
    body[0] = '{';
    body[size - 1] = '}';
    http_full (&r, "POST", "/v1/push", token, body, size, "Idempotency-Key", key, NULL);
    assert_error (&r, 413, "too_large");
    assert_healthy ();
  }

  /* another protocol version */
  {
    g_auto(Response) r;

    http_full (&r, "GET", "/v1/changes", token, NULL, 0, "Sync-Protocol", "2", NULL);
    assert_error (&r, 400, "unsupported_protocol");
  }

  /* too many mutations */
  {
    g_auto(Response) r;
    g_autofree char *key = uuid ();
    GString *many = g_string_new ("{\"protocol\":1,\"device\":\"d\",\"mutations\":[");
    g_autofree char *body = NULL;

    for (guint i = 0; i < 501; i++)
      g_string_append_printf (many, "%s{\"mutation_id\":\"0190a0f2-0000-7000-8000-%012u\",\"entity\":\"project\","
                              "\"id\":\"0190a0f2-0000-7000-8000-000000000001\",\"op\":\"delete\",\"base_rev\":1}",
                              i > 0 ? "," : "", i);
    g_string_append (many, "]}");
    body = g_string_free (many, FALSE);
    http_full (&r, "POST", "/v1/push", token, body, strlen (body), "Idempotency-Key", key, NULL);
    assert_error (&r, 400, "bad_request");
  }

  /* nothing of all that was written: no rejected or applied entries */
  assert_healthy ();
}

/* ---- audit ---------------------------------------------------------- */

/* A copy of the live database in a directory of its own. */
static char *
backup_copy (const char *name)
{
  g_autofree char *dir = g_build_filename (server.dir, name, NULL);
  g_autofree char *db = g_build_filename (dir, "procura.db", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_cmpint (run_cli (server.dir, NULL, &out, &err, "backup", db, NULL), ==, 0);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));

  return g_steal_pointer (&dir);
}

static void
exec_sql (const char *dir,
          const char *sql)
{
  g_autofree char *path = g_build_filename (dir, "procura.db", NULL);
  sqlite3 *db = NULL;
  char *message = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (sqlite3_exec (db, sql, NULL, NULL, &message) != SQLITE_OK)
    g_error ("%s: %s", sql, message);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  sqlite3_close (db);
}

static void
assert_verify_fails (const char *dir,
                     const char *expected)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = run_cli (dir, NULL, &out, &err, "audit", "verify", NULL);

  if (strstr (out, expected) == NULL)
    g_printerr ("verify said: %s%s", out, err);
  g_assert_cmpint (status, ==, 1);
  g_assert_nonnull (strstr (out, expected));
}

static void
test_audit (void)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *altered = NULL;
  g_autofree char *removed = NULL;
  g_autofree char *reordered = NULL;
  g_autofree char *inserted = NULL;
  g_autofree char *intact = NULL;
  guint64 n = 0;

  g_assert_cmpint (run_cli (server.dir, NULL, &out, &err, "audit", "verify", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "audit log intact: "));
  n = g_ascii_strtoull (out + strlen ("audit log intact: "), NULL, 10);
  /* logins, pushes, refusals and account changes of the tests above */
  g_assert_cmpuint (n, >, 50);

  /* a backup verifies on its own */
  intact = backup_copy ("backup-intact");
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run_cli (intact, NULL, &out, NULL, "audit", "verify", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "audit log intact: "));

  altered = backup_copy ("backup-altered");
  exec_sql (altered, "UPDATE audit SET detail = 'nothing happened' WHERE seq = 7");
  assert_verify_fails (altered, "entry 7 altered");

  removed = backup_copy ("backup-removed");
  exec_sql (removed, "DELETE FROM audit WHERE seq = 12");
  assert_verify_fails (removed, "entry 12 removed");

  /* swap the whole contents of two entries, numbers included */
  reordered = backup_copy ("backup-reordered");
  exec_sql (reordered,
            "UPDATE audit SET pos = -1 WHERE seq = 20;"
            "UPDATE audit SET pos = 20 WHERE seq = 25;"
            "UPDATE audit SET pos = 25 WHERE seq = 20;");
  assert_verify_fails (reordered, "entry 25 reordered");

  /* a forged entry slipped in after entry 30 */
  inserted = backup_copy ("backup-inserted");
  exec_sql (inserted,
            "UPDATE audit SET pos = pos + 1000000 WHERE pos > 30;"
            "UPDATE audit SET pos = pos - 999999 WHERE pos > 1000000;"
            "INSERT INTO audit (pos, seq, at, actor, action, status, detail, hash) "
            "SELECT 31, 31, at, 'intruder', 'login', 'ok', NULL, hash FROM audit WHERE seq = 31;");
  assert_verify_fails (inserted, "entry 31 inserted");
}

/* ---- blobs ---------------------------------------------------------- */

typedef struct
{
  guint   status;
  GBytes *body;
  char   *upload_offset;
  char   *content_range;
} BlobResponse;

static void
blob_response_clear (BlobResponse *r)
{
  g_clear_pointer (&r->body, g_bytes_unref);
  g_clear_pointer (&r->upload_offset, g_free);
  g_clear_pointer (&r->content_range, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (BlobResponse, blob_response_clear)

/* A request with a raw body (content_type may be NULL); the answer's
 * bytes and the headers the blob endpoints use. */
static void
http_raw (BlobResponse *r,
          const char   *method,
          const char   *path,
          const char   *token,
          const void   *body,
          gsize         body_len,
          const char   *content_type,
          const char   *upload_offset,
          const char   *range)
{
  g_autofree char *url = g_strconcat (server.running->url, path[0] == '/' ? path + 1 : path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autofree char *bearer = g_strdup_printf ("Bearer %s", token);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;
  SoupMessageHeaders *response_headers;

  g_assert_nonnull (msg);
  headers = soup_message_get_request_headers (msg);
  soup_message_headers_replace (headers, "Sync-Protocol", "1");
  soup_message_headers_replace (headers, "Authorization", bearer);
  if (upload_offset != NULL)
    soup_message_headers_replace (headers, "Upload-Offset", upload_offset);
  if (range != NULL)
    soup_message_headers_replace (headers, "Range", range);
  if (body != NULL)
    {
      g_autoptr(GBytes) request = g_bytes_new (body, body_len);
      soup_message_set_request_body_from_bytes (msg, content_type, request);
    }

  memset (r, 0, sizeof *r);
  r->body = soup_session_send_and_read (server.session, msg, NULL, &error);
  g_assert_no_error (error);
  r->status = soup_message_get_status (msg);
  response_headers = soup_message_get_response_headers (msg);
  r->upload_offset = g_strdup (soup_message_headers_get_one (response_headers, "Upload-Offset"));
  r->content_range = g_strdup (soup_message_headers_get_one (response_headers, "Content-Range"));
}

/* A file's worth of bytes that differ from test to test. */
static GBytes *
blob_content (gsize size)
{
  guint8 *data = g_malloc (size);
  guint32 seed = g_random_int ();

  for (gsize i = 0; i < size; i++)
    data[i] = (guint8) ((seed + i * 2654435761u) >> 13);
  return g_bytes_new_take (data, size);
}

static char *
sha256_of (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static JsonArray *
blobs_missing (Response   *r,
               const char *token,
               const char *sha256_json)
{
  g_autofree char *body = g_strdup_printf ("{\"sha256\":%s}", sha256_json);

  http (r, "POST", "/v1/blobs/missing", token, body);
  g_assert_cmpuint (r->status, ==, 200);
  return json_object_get_array_member (obj (r), "missing");
}

/* POST /v1/uploads: the upload's id (NULL when the server has the file). */
static char *
upload_begin (const char *token,
              const char *sha256,
              gsize       size,
              gint64     *out_offset)
{
  g_auto(Response) r;
  g_autofree char *body = g_strdup_printf ("{\"sha256\":\"%s\",\"size\":%" G_GSIZE_FORMAT "}", sha256, size);

  http (&r, "POST", "/v1/uploads", token, body);
  if (r.status == 200)
    {
      g_assert_true (json_object_get_boolean_member (obj (&r), "already_have"));
      return NULL;
    }
  g_assert_cmpuint (r.status, ==, 201);
  if (out_offset != NULL)
    *out_offset = json_object_get_int_member (obj (&r), "offset");
  return g_strdup (json_object_get_string_member (obj (&r), "id"));
}

static void
upload_chunk (BlobResponse *r,
              const char   *token,
              const char   *id,
              GBytes       *content,
              gsize         offset,
              gsize         len)
{
  g_autofree char *path = g_strdup_printf ("/v1/uploads/%s", id);
  g_autofree char *offset_text = g_strdup_printf ("%" G_GSIZE_FORMAT, offset);

  http_raw (r, "PATCH", path, token, (const guint8 *) g_bytes_get_data (content, NULL) + offset, len,
            "application/offset+octet-stream", offset_text, NULL);
}

static gint64
upload_head (const char *token,
             const char *id,
             guint       expected_status)
{
  g_auto(BlobResponse) r = { 0 };
  g_autofree char *path = g_strdup_printf ("/v1/uploads/%s", id);

  http_raw (&r, "HEAD", path, token, NULL, 0, NULL, NULL, NULL);
  g_assert_cmpuint (r.status, ==, expected_status);
  if (expected_status != 200)
    return -1;
  g_assert_nonnull (r.upload_offset);
  return g_ascii_strtoll (r.upload_offset, NULL, 10);
}

/* Uploads content whole, in one chunk. */
static void
upload_all (const char *token,
            GBytes     *content)
{
  g_autofree char *sha256 = sha256_of (content);
  g_autofree char *id = upload_begin (token, sha256, g_bytes_get_size (content), NULL);
  g_auto(BlobResponse) r = { 0 };

  if (id == NULL)
    return;
  upload_chunk (&r, token, id, content, 0, g_bytes_get_size (content));
  g_assert_cmpuint (r.status, ==, 204);
}

static gboolean
server_has_blob (const char *sha256)
{
  g_autofree char *path = g_strdup_printf ("%s/blobs/%.2s/%s", server.dir, sha256, sha256 + 2);

  return g_file_test (path, G_FILE_TEST_IS_REGULAR);
}

static void
add_attachment (const char *token,
                const char *project,
                GBytes     *content)
{
  g_autofree char *id = uuid ();
  g_autofree char *sha256 = sha256_of (content);
  g_autofree char *fields = g_strdup_printf ("{\"project_id\":\"%s\",\"name\":\"签到表.pdf\","
                                             "\"mime_type\":\"application/pdf\",\"size\":%" G_GSIZE_FORMAT
                                             ",\"sha256\":\"%s\"}", project, g_bytes_get_size (content), sha256);
  g_autoptr(JsonObject) result = push_one (token, "insert", "attachment", id, 0, fields, NULL);

  assert_status (result, "applied");
}

static void
assert_blob_get (const char *token,
                 const char *sha256,
                 const char *range,
                 guint       status)
{
  g_auto(BlobResponse) r = { 0 };
  g_autofree char *path = g_strdup_printf ("/v1/blobs/%s", sha256);

  http_raw (&r, "GET", path, token, NULL, 0, NULL, NULL, range);
  g_assert_cmpuint (r.status, ==, status);
}

static void
test_blobs_upload (void)
{
  g_autofree char *officer = login ("officer1");
  g_autofree char *auditor = login ("auditor1");
  g_autoptr(GBytes) content = blob_content (300 * 1024 + 7);
  g_autofree char *sha256 = sha256_of (content);
  g_autofree char *list = NULL;
  g_autofree char *id = NULL;
  g_autofree char *project = add_project (officer, "BLOB-1", NULL, NULL);
  gsize size = g_bytes_get_size (content);
  gsize half = size / 2;
  gint64 offset = -1;

  /* only what the server lacks, once each */
  {
    g_auto(Response) r;
    g_autoptr(GBytes) other = blob_content (10);
    g_autofree char *other_sha = sha256_of (other);
    JsonArray *missing;

    upload_all (officer, other);
    list = g_strdup_printf ("[\"%s\",\"%s\",\"%s\"]", sha256, other_sha, sha256);
    missing = blobs_missing (&r, officer, list);
    g_assert_cmpuint (json_array_get_length (missing), ==, 1);
    g_assert_cmpstr (json_array_get_string_element (missing, 0), ==, sha256);
  }
  /* read-only accounts send no files; a malformed digest names its index */
  {
    g_auto(Response) r;

    http (&r, "POST", "/v1/blobs/missing", auditor, "{\"sha256\":[]}");
    assert_error (&r, 403, "forbidden");
  }
  {
    g_auto(Response) r;

    http (&r, "POST", "/v1/blobs/missing", officer, "{\"sha256\":[\"ABC\"]}");
    assert_error (&r, 400, "bad_request");
    g_assert_true (g_str_has_prefix (json_object_get_string_member (obj (&r), "reason"), "sha256[0]"));
  }
  {
    g_auto(Response) r;

    http (&r, "POST", "/v1/uploads", officer,
          "{\"sha256\":\"0000000000000000000000000000000000000000000000000000000000000000\",\"size\":300000000}");
    assert_error (&r, 413, "too_large");
  }

  id = upload_begin (officer, sha256, size, &offset);
  g_assert_nonnull (id);
  g_assert_cmpint (offset, ==, 0);
  g_assert_cmpint (upload_head (officer, id, 200), ==, 0);
  /* a read-only account may not ask at all */
  g_assert_cmpint (upload_head (auditor, id, 403), ==, -1);

  /* first chunk */
  {
    g_auto(BlobResponse) r = { 0 };

    upload_chunk (&r, officer, id, content, 0, half);
    g_assert_cmpuint (r.status, ==, 204);
    g_assert_cmpint (g_ascii_strtoll (r.upload_offset, NULL, 10), ==, (gint64) half);
  }
  /* the same chunk again: the wrong offset, and the server says which */
  {
    g_auto(BlobResponse) r = { 0 };

    upload_chunk (&r, officer, id, content, 0, half);
    g_assert_cmpuint (r.status, ==, 409);
    g_assert_nonnull (strstr (g_bytes_get_data (r.body, NULL), "offset_mismatch"));
    g_assert_cmpint (g_ascii_strtoll (r.upload_offset, NULL, 10), ==, (gint64) half);
  }
  g_assert_cmpint (upload_head (officer, id, 200), ==, (gint64) half);
  /* a chunk that is not octets */
  {
    g_auto(BlobResponse) r = { 0 };
    g_autofree char *path = g_strdup_printf ("/v1/uploads/%s", id);
    g_autofree char *offset_text = g_strdup_printf ("%" G_GSIZE_FORMAT, half);

    http_raw (&r, "PATCH", path, officer, "{}", 2, "application/json", offset_text, NULL);
    g_assert_cmpuint (r.status, ==, 415);
  }
  g_assert_false (server_has_blob (sha256));

  /* the rest: the file is checked and stored */
  {
    g_auto(BlobResponse) r = { 0 };

    upload_chunk (&r, officer, id, content, half, size - half);
    g_assert_cmpuint (r.status, ==, 204);
    g_assert_cmpint (g_ascii_strtoll (r.upload_offset, NULL, 10), ==, (gint64) size);
  }
  g_assert_true (server_has_blob (sha256));
  g_assert_cmpint (upload_head (officer, id, 404), ==, -1);
  g_assert_null (upload_begin (officer, sha256, size, NULL));
  {
    g_auto(Response) r;
    g_autofree char *one = g_strdup_printf ("[\"%s\"]", sha256);

    g_assert_cmpuint (json_array_get_length (blobs_missing (&r, officer, one)), ==, 0);
  }

  /* stored, but no attachment names it yet: no one may read it */
  assert_blob_get (officer, sha256, NULL, 403);
  add_attachment (officer, project, content);

  /* whole, and in ranges */
  {
    g_auto(BlobResponse) r = { 0 };
    g_autofree char *path = g_strdup_printf ("/v1/blobs/%s", sha256);

    http_raw (&r, "GET", path, officer, NULL, 0, NULL, NULL, NULL);
    g_assert_cmpuint (r.status, ==, 200);
    g_assert_true (g_bytes_equal (r.body, content));
  }
  {
    g_auto(BlobResponse) r = { 0 };
    g_autofree char *path = g_strdup_printf ("/v1/blobs/%s", sha256);
    g_autofree char *expected_range = g_strdup_printf ("bytes 1000-1999/%" G_GSIZE_FORMAT, size);

    http_raw (&r, "GET", path, auditor, NULL, 0, NULL, NULL, "bytes=1000-1999");
    g_assert_cmpuint (r.status, ==, 206);
    g_assert_cmpstr (r.content_range, ==, expected_range);
    g_assert_cmpuint (g_bytes_get_size (r.body), ==, 1000);
    g_assert_cmpmem (g_bytes_get_data (r.body, NULL), 1000, (const guint8 *) g_bytes_get_data (content, NULL) + 1000, 1000);
  }
  {
    g_auto(BlobResponse) r = { 0 };
    g_autofree char *path = g_strdup_printf ("/v1/blobs/%s", sha256);
    g_autofree char *range = g_strdup_printf ("bytes=%" G_GSIZE_FORMAT "-", half);

    http_raw (&r, "GET", path, officer, NULL, 0, NULL, NULL, range);
    g_assert_cmpuint (r.status, ==, 206);
    g_assert_cmpmem (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body),
                     (const guint8 *) g_bytes_get_data (content, NULL) + half, size - half);
  }
  {
    g_auto(BlobResponse) r = { 0 };
    g_autofree char *path = g_strdup_printf ("/v1/blobs/%s", sha256);

    http_raw (&r, "GET", path, officer, NULL, 0, NULL, NULL, "bytes=-5");
    g_assert_cmpuint (r.status, ==, 206);
    g_assert_cmpmem (g_bytes_get_data (r.body, NULL), g_bytes_get_size (r.body),
                     (const guint8 *) g_bytes_get_data (content, NULL) + size - 5, 5);
  }
  {
    g_autofree char *range = g_strdup_printf ("bytes=%" G_GSIZE_FORMAT "-", size);

    assert_blob_get (officer, sha256, range, 416);
    assert_blob_get (officer, sha256, "bytes=0-1,5-6", 416);
    /* not a byte range: ignored */
    assert_blob_get (officer, sha256, "pages=1-2", 200);
  }

  /* unknown and malformed digests */
  assert_blob_get (officer, "1111111111111111111111111111111111111111111111111111111111111111", NULL, 404);
  assert_blob_get (officer, "nothex", NULL, 404);
  assert_blob_get ("0000", sha256, NULL, 401);
}

static void
test_blobs_hash_mismatch (void)
{
  g_autofree char *officer = login ("officer1");
  g_autoptr(GBytes) content = blob_content (64 * 1024);
  g_autoptr(GBytes) other = blob_content (64 * 1024);
  g_autofree char *sha256 = sha256_of (content);
  g_autofree char *id = upload_begin (officer, sha256, g_bytes_get_size (content), NULL);
  g_autofree char *uploads = g_build_filename (server.dir, "uploads", NULL);
  g_autofree char *partial = g_build_filename (uploads, id, NULL);
  g_auto(BlobResponse) r = { 0 };
  g_auto(Response) missing;
  g_autofree char *one = g_strdup_printf ("[\"%s\"]", sha256);

  g_assert_nonnull (id);
  g_assert_true (g_file_test (partial, G_FILE_TEST_IS_REGULAR));

  /* right size, wrong bytes: refused, and nothing kept */
  upload_chunk (&r, officer, id, other, 0, g_bytes_get_size (other));
  g_assert_cmpuint (r.status, ==, 422);
  g_assert_nonnull (strstr (g_bytes_get_data (r.body, NULL), "hash_mismatch"));
  g_assert_false (server_has_blob (sha256));
  g_assert_false (g_file_test (partial, G_FILE_TEST_EXISTS));
  g_assert_cmpint (upload_head (officer, id, 404), ==, -1);
  g_assert_cmpuint (json_array_get_length (blobs_missing (&missing, officer, one)), ==, 1);

  /* past the announced size */
  {
    g_autofree char *id2 = upload_begin (officer, sha256, 10, NULL);
    g_auto(BlobResponse) r2 = { 0 };

    upload_chunk (&r2, officer, id2, content, 0, 11);
    g_assert_cmpuint (r2.status, ==, 400);
  }

  /* an empty file is completed by one empty chunk */
  {
    g_autoptr(GBytes) empty = g_bytes_new_static ("", 0);
    g_autofree char *empty_sha = sha256_of (empty);
    g_autofree char *id3 = upload_begin (officer, empty_sha, 0, NULL);
    g_auto(BlobResponse) r3 = { 0 };

    g_assert_nonnull (id3);
    upload_chunk (&r3, officer, id3, empty, 0, 0);
    g_assert_cmpuint (r3.status, ==, 204);
    g_assert_cmpstr (r3.upload_offset, ==, "0");
    g_assert_true (server_has_blob (empty_sha));
  }
}

static void
test_blobs_resume_after_restart (void)
{
  g_autofree char *officer = login ("officer1");
  g_autoptr(GBytes) content = blob_content (1024 * 1024 + 3);
  g_autofree char *sha256 = sha256_of (content);
  g_autofree char *id = upload_begin (officer, sha256, g_bytes_get_size (content), NULL);
  g_autofree char *again = NULL;
  gsize size = g_bytes_get_size (content);
  gsize part = 400 * 1024;
  gint64 offset;

  {
    g_auto(BlobResponse) r = { 0 };

    upload_chunk (&r, officer, id, content, 0, part);
    g_assert_cmpuint (r.status, ==, 204);
  }

  /* the server goes away with part of a file, and a crash left bytes of
   * an upload it no longer knows */
  stop_server ();
  {
    g_autofree char *orphan = g_build_filename (server.dir, "uploads", "orphan", NULL);

    g_assert_true (g_file_set_contents (orphan, "left over", -1, NULL));
    start_server ();
    assert_healthy ();
    g_assert_false (g_file_test (orphan, G_FILE_TEST_EXISTS));
  }

  offset = upload_head (officer, id, 200);
  g_assert_cmpint (offset, ==, (gint64) part);
  /* a client that lost the id gets the same upload back */
  again = upload_begin (officer, sha256, size, &offset);
  g_assert_cmpstr (again, ==, id);
  g_assert_cmpint (offset, ==, (gint64) part);

  /* bytes recorded but gone from the disk (a crash before they reached
   * it): the server owns up to what it really has */
  {
    g_autofree char *partial = g_build_filename (server.dir, "uploads", id, NULL);

    g_assert_cmpint (truncate (partial, part / 2), ==, 0);
    part /= 2;
  }
  offset = upload_head (officer, id, 200);
  g_assert_cmpint (offset, ==, (gint64) part);

  {
    g_auto(BlobResponse) r = { 0 };

    upload_chunk (&r, officer, id, content, (gsize) offset, size - (gsize) offset);
    g_assert_cmpuint (r.status, ==, 204);
  }
  g_assert_true (server_has_blob (sha256));
  {
    g_autofree char *path = g_strdup_printf ("%s/blobs/%.2s/%s", server.dir, sha256, sha256 + 2);
    g_autofree char *contents = NULL;
    gsize len = 0;

    g_assert_true (g_file_get_contents (path, &contents, &len, NULL));
    g_assert_cmpmem (contents, len, g_bytes_get_data (content, NULL), size);
  }
}

static void
test_blobs_access (void)
{
  g_autofree char *officer = login ("officer1");
  g_autofree char *agency = login ("agency1");
  g_autofree char *auditor = login ("auditor1");
  g_autofree char *pa = add_project (officer, "BLOB-A", server.org_a, NULL);
  g_autofree char *pb = add_project (officer, "BLOB-B", server.org_b, NULL);
  g_autoptr(GBytes) own = blob_content (5000);
  g_autoptr(GBytes) other = blob_content (6000);
  g_autofree char *own_sha = sha256_of (own);
  g_autofree char *other_sha = sha256_of (other);

  /* an agency uploads its own file and attaches it */
  upload_all (agency, own);
  add_attachment (agency, pa, own);
  upload_all (officer, other);
  add_attachment (officer, pb, other);

  assert_blob_get (agency, own_sha, NULL, 200);
  assert_blob_get (agency, own_sha, "bytes=0-9", 206);
  /* knowing the digest of another agency's file is not enough */
  assert_blob_get (agency, other_sha, NULL, 403);
  assert_blob_get (agency, other_sha, "bytes=0-9", 403);
  assert_blob_get (officer, other_sha, NULL, 200);
  assert_blob_get (auditor, other_sha, NULL, 200);
  assert_blob_get (auditor, own_sha, NULL, 200);

  /* the refusal is in the audit log */
  {
    g_auto(Response) r;
    JsonArray *entries;
    gboolean found = FALSE;

    http (&r, "GET", "/v1/audit?limit=1000", auditor, NULL);
    g_assert_cmpuint (r.status, ==, 200);
    entries = json_object_get_array_member (obj (&r), "entries");
    for (guint i = 0; i < json_array_get_length (entries); i++)
      {
        JsonObject *e = json_array_get_object_element (entries, i);

        if (g_strcmp0 (json_object_get_string_member_with_default (e, "actor", NULL), "agency1") == 0 &&
            g_strcmp0 (json_object_get_string_member_with_default (e, "status", NULL), "403") == 0 &&
            g_strrstr (json_object_get_string_member_with_default (e, "detail", ""), other_sha) != NULL)
          found = TRUE;
      }
    g_assert_true (found);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autofree char *officer = NULL;
  int status;

  /* loopback needs no proxy, and libproxy (C++) trips AddressSanitizer */
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  procura_test_init_keep_going (&argc, &argv);

  server.binary = g_getenv ("PROCURA_SERVER");
  if (server.binary == NULL || !g_file_test (server.binary, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_printerr ("PROCURA_SERVER must name the procura-server binary\n");
      return 77;
    }

  server.dir = procura_test_make_tmp_dir ("procura-test-server-XXXXXX");
  server.uscc_a = make_uscc (5001);
  server.uscc_b = make_uscc (5002);
  procura_test_server_add_user (server.binary, server.dir, "officer1", "officer", NULL, PASSWORD);
  procura_test_server_add_user (server.binary, server.dir, "officer2", "officer", NULL, PASSWORD);
  procura_test_server_add_user (server.binary, server.dir, "agency1", "agency", server.uscc_a, PASSWORD);
  procura_test_server_add_user (server.binary, server.dir, "auditor1", "auditor", NULL, PASSWORD);
  procura_test_server_add_user (server.binary, server.dir, "admin1", "admin", NULL, PASSWORD);

  start_server ();
  server.session = soup_session_new_with_options ("timeout", 60, NULL);

  /* the organizations the tests share, made as the officer would */
  officer = login ("officer1");
  {
    g_autofree char *buyer_uscc = make_uscc (5000);

    server.buyer = add_organization (officer, "区民政局", buyer_uscc, "civil_affairs_bureau");
    server.org_a = add_organization (officer, "阳光社工", server.uscc_a, "social_work_agency");
    server.org_b = add_organization (officer, "彩虹社工", server.uscc_b, "social_work_agency");
  }

  g_test_add_func ("/server/healthz", test_healthz);
  g_test_add_func ("/server/cli/users", test_cli_users);
  g_test_add_func ("/server/login", test_login);
  g_test_add_func ("/server/login/throttled", test_login_throttled);
  g_test_add_func ("/server/tokens", test_tokens);
  g_test_add_func ("/server/push/insert-and-pull", test_push_and_pull);
  g_test_add_func ("/server/push/idempotency", test_idempotency);
  g_test_add_func ("/server/push/concurrent-writers", test_concurrent_writers);
  g_test_add_func ("/server/push/deleted", test_deleted);
  g_test_add_func ("/server/permissions", test_permissions);
  g_test_add_func ("/server/scope-change", test_scope_change);
  g_test_add_func ("/server/bad-requests", test_bad_requests);
  g_test_add_func ("/server/audit/verify-and-tamper", test_audit);
  g_test_add_func ("/server/blobs/upload-and-get", test_blobs_upload);
  g_test_add_func ("/server/blobs/hash-mismatch", test_blobs_hash_mismatch);
  g_test_add_func ("/server/blobs/resume-after-restart", test_blobs_resume_after_restart);
  g_test_add_func ("/server/blobs/agency-access", test_blobs_access);

  status = g_test_run ();

  g_clear_object (&server.session);
  stop_server ();
  procura_test_remove_tree (server.dir);
  g_free (server.dir);
  g_free (server.org_a);
  g_free (server.org_b);
  g_free (server.uscc_a);
  g_free (server.uscc_b);
  g_free (server.buyer);
  (void) error;

  return status;
}
