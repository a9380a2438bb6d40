/* procura-server-app.c — the HTTP interface of procura-server
 *
 * One SoupServer in the main thread: requests are handled one at a time,
 * which matches SQLite's single writer. This layer parses and checks
 * requests (size, nesting, types, authentication, roles) and answers;
 * everything kept goes through the storage interface.
 *
 * Bodies are not accumulated by libsoup: each chunk is copied here until
 * the limit is reached and dropped after it, so an oversized body costs
 * no memory and is answered 413 once read.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <string.h>
#include <unistd.h>

#include "procura-blobs.h"
#include "procura-schema.h"
#include "procura-server-app.h"
#include "procura-server-auth.h"

/* A body announced larger than this is refused before it is read: the
 * connection is closed, as reading gigabytes only to refuse them helps
 * nobody. Between the two limits the body is read and dropped so that
 * ordinary clients see the 413. */
#define HARD_MAX_BODY (64 * 1024 * 1024)
#define LISTEN_BACKLOG 256
/* A blob upload's announced size above this is refused with 413; each
 * PATCH chunk is a request body, so PROCURA_SERVER_MAX_BODY bounds it. */
#define PROCURA_SERVER_MAX_BLOB (200 * 1024 * 1024)
/* digests in one POST /v1/blobs/missing */
#define PROCURA_SERVER_MAX_MISSING 1000

struct _ProcuraServerApp
{
  GObject               parent_instance;

  SoupServer           *server;
  ProcuraServerStorage *storage;
  ProcuraThrottle      *throttle;
};

G_DEFINE_FINAL_TYPE (ProcuraServerApp, procura_server_app, G_TYPE_OBJECT)

/* What the log line and the handlers need to know about a request. */
typedef struct
{
  gint64      start;
  char       *user;
  GByteArray *body;
  gboolean    too_large;
} RequestInfo;

static void
request_info_free (RequestInfo *info)
{
  g_free (info->user);
  g_byte_array_unref (info->body);
  g_free (info);
}

static RequestInfo *
request_info (SoupServerMessage *msg)
{
  return g_object_get_data (G_OBJECT (msg), "procura-request");
}

/* ---- answers --------------------------------------------------------- */

static void
respond_json (SoupServerMessage *msg,
              guint              status,
              char              *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body, strlen (body));
}

static void
respond_node (SoupServerMessage *msg,
              guint              status,
              JsonNode          *node)
{
  respond_json (msg, status, json_to_string (node, FALSE));
}

static void
respond_error (SoupServerMessage *msg,
               guint              status,
               const char        *code,
               const char        *reason)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, code);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_string_value (builder, reason);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  respond_node (msg, status, root);
}

static void
respond_gerror (SoupServerMessage *msg,
                const GError      *error)
{
  if (error->domain == PROCURA_SERVER_ERROR)
    switch ((ProcuraServerError) error->code)
      {
      case PROCURA_SERVER_ERROR_BAD_REQUEST:
        respond_error (msg, 400, "bad_request", error->message);
        return;
      case PROCURA_SERVER_ERROR_UNAUTHORIZED:
        respond_error (msg, 401, "unauthorized", error->message);
        return;
      case PROCURA_SERVER_ERROR_FORBIDDEN:
        respond_error (msg, 403, "forbidden", error->message);
        return;
      case PROCURA_SERVER_ERROR_NOT_FOUND:
        respond_error (msg, 404, "not_found", error->message);
        return;
      case PROCURA_SERVER_ERROR_KEY_IN_FLIGHT:
        respond_error (msg, 409, "key_in_flight", error->message);
        return;
      case PROCURA_SERVER_ERROR_KEY_REUSED:
        respond_error (msg, 422, "key_reused", error->message);
        return;
      case PROCURA_SERVER_ERROR_INVALID:
      case PROCURA_SERVER_ERROR_EXISTS:
      case PROCURA_SERVER_ERROR_INTERNAL:
      default:
        break;
      }

  /* the details are for the operator, not for the client */
  g_printerr ("procura-server: internal error: %s\n", error->message);
  respond_error (msg, 500, "internal", "internal server error");
}

/* ---- audit of refusals ----------------------------------------------- */

static void
audit_refusal (ProcuraServerApp  *self,
               SoupServerMessage *msg,
               const char        *actor,
               const char        *action,
               const char        *status,
               const char        *detail)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  ProcuraAuditEntry entry = { 0 };

  if (detail == NULL)
    detail = text = g_strdup_printf ("%s %s from %s", soup_server_message_get_method (msg),
                                     g_uri_get_path (soup_server_message_get_uri (msg)),
                                     soup_server_message_get_remote_host (msg));
  entry.actor = actor;
  entry.action = action;
  entry.status = status;
  entry.detail = detail;
  if (!self->storage->ops->audit_append (self->storage, &entry, &error))
    g_printerr ("procura-server: could not write the audit log: %s\n", error->message);
}

/* ---- request parsing ------------------------------------------------- */

int
procura_json_depth (const char *text,
                    gsize       len,
                    int         max_depth)
{
  gboolean in_string = FALSE;
  int depth = 0;
  int deepest = 0;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > max_depth)
            return -1;
          deepest = MAX (deepest, depth);
        }
      else if (c == ']' || c == '}')
        depth--;
    }

  return deepest;
}

/* The body as a JSON object, or NULL after answering 400. */
static JsonObject *
parse_body (SoupServerMessage *msg)
{
  RequestInfo *info = request_info (msg);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (info->body->len == 0)
    {
      respond_error (msg, 400, "bad_request", "the request needs a JSON body");
      return NULL;
    }
  if (procura_json_depth ((const char *) info->body->data, info->body->len, PROCURA_SERVER_MAX_DEPTH) < 0)
    {
      respond_error (msg, 400, "bad_request", "JSON nested deeper than 64 levels");
      return NULL;
    }
  if (!json_parser_load_from_data (parser, (const char *) info->body->data, info->body->len, &error))
    {
      g_autofree char *reason = g_strdup_printf ("malformed JSON: %s", error->message);
      respond_error (msg, 400, "bad_request", reason);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      respond_error (msg, 400, "bad_request", "the body must be a JSON object");
      return NULL;
    }

  return json_object_ref (json_node_get_object (root));
}

static gboolean
member_is_string (JsonObject *object,
                  const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING;
}

static gboolean
member_is_int (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_INT64;
}

static gboolean
member_is_object (JsonObject *object,
                  const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node);
}

/* Checks one mutation's members; NULL when fine, else why not. */
static char *
check_mutation (JsonNode *node,
                guint     index)
{
  JsonObject *m;
  const char *op;

  if (!JSON_NODE_HOLDS_OBJECT (node))
    return g_strdup_printf ("mutations[%u]: must be an object", index);
  m = json_node_get_object (node);

  if (!member_is_string (m, "mutation_id") || !g_uuid_string_is_valid (json_object_get_string_member (m, "mutation_id")))
    return g_strdup_printf ("mutations[%u].mutation_id: must be a UUID string", index);
  if (!member_is_string (m, "entity") || procura_schema_lookup (json_object_get_string_member (m, "entity")) == NULL)
    return g_strdup_printf ("mutations[%u].entity: must name an entity", index);
  if (!member_is_string (m, "id") || !g_uuid_string_is_valid (json_object_get_string_member (m, "id")))
    return g_strdup_printf ("mutations[%u].id: must be a UUID string", index);
  if (!member_is_string (m, "op"))
    return g_strdup_printf ("mutations[%u].op: must be \"insert\", \"update\" or \"delete\"", index);
  op = json_object_get_string_member (m, "op");
  if (strcmp (op, "insert") != 0 && strcmp (op, "update") != 0 && strcmp (op, "delete") != 0)
    return g_strdup_printf ("mutations[%u].op: must be \"insert\", \"update\" or \"delete\"", index);

  if (json_object_has_member (m, "base_rev") || strcmp (op, "insert") != 0)
    {
      if (!member_is_int (m, "base_rev") || json_object_get_int_member (m, "base_rev") < 0)
        return g_strdup_printf ("mutations[%u].base_rev: must be an integer ≥ 0", index);
    }

  if (strcmp (op, "delete") != 0 || json_object_has_member (m, "fields"))
    {
      if (!member_is_object (m, "fields"))
        return g_strdup_printf ("mutations[%u].fields: must be an object", index);
    }

  return NULL;
}

/* ---- authentication -------------------------------------------------- */

/* The account of the bearer token, or NULL after answering 401. */
static ProcuraServerUser *
authenticate (ProcuraServerApp  *self,
              SoupServerMessage *msg,
              guint8             out_hash[32])
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autoptr(GError) error = NULL;
  ProcuraServerUser *user = NULL;
  guint8 hash[32];

  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Bearer ", 7) == 0 &&
      procura_auth_token_hash (authorization + 7, hash))
    {
      user = self->storage->ops->token_lookup (self->storage, hash, g_get_real_time () / G_USEC_PER_SEC, &error);
      if (error != NULL)
        {
          respond_gerror (msg, error);
          return NULL;
        }
    }

  if (user == NULL)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "WWW-Authenticate", "Bearer");
      audit_refusal (self, msg, NULL, "denied", "401", NULL);
      respond_error (msg, 401, "unauthorized",
                     authorization == NULL ? "log in first: no bearer token"
                                           : "the token is unknown, expired or revoked");
      return NULL;
    }

  if (out_hash != NULL)
    memcpy (out_hash, hash, 32);
  g_free (request_info (msg)->user);
  request_info (msg)->user = g_strdup (user->name);

  return user;
}

static void
forbid (ProcuraServerApp        *self,
        SoupServerMessage       *msg,
        const ProcuraServerUser *user,
        const char              *reason)
{
  audit_refusal (self, msg, user->name, "denied", "403", NULL);
  respond_error (msg, 403, "forbidden", reason);
}

/* ---- handlers -------------------------------------------------------- */

static void
handle_login (ProcuraServerApp  *self,
              SoupServerMessage *msg)
{
  g_autoptr(JsonObject) body = parse_body (msg);
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GDateTime) expires = NULL;
  g_autofree char *token = NULL;
  g_autofree char *expires_text = NULL;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  const char *name, *password;
  guint8 hash[32];
  gint64 wait;
  ProcuraAuditEntry entry = { 0 };

  if (body == NULL)
    return;
  if (!member_is_string (body, "username") || !member_is_string (body, "password"))
    {
      respond_error (msg, 400, "bad_request", "username and password: must be strings");
      return;
    }
  name = json_object_get_string_member (body, "username");
  password = json_object_get_string_member (body, "password");

  if ((wait = procura_throttle_check (self->throttle, name, now)) > 0)
    {
      g_autofree char *seconds = g_strdup_printf ("%" G_GINT64_FORMAT, wait);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Retry-After", seconds);
      audit_refusal (self, msg, name, "login", "throttled", NULL);
      respond_error (msg, 429, "too_many_attempts", "too many failed logins for this name; try again later");
      return;
    }

  user = self->storage->ops->user_get (self->storage, name, &error);
  if (user == NULL && !g_error_matches (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_NOT_FOUND))
    {
      respond_gerror (msg, error);
      return;
    }
  if (user == NULL)
    procura_auth_dummy_check (password);

  if (user == NULL || user->disabled || !procura_auth_check_password (user->password_hash, password))
    {
      procura_throttle_failed (self->throttle, name, now);
      audit_refusal (self, msg, name, "login", "failed", NULL);
      respond_error (msg, 401, "unauthorized", "wrong name or password, or the account is disabled");
      return;
    }

  procura_throttle_reset (self->throttle, name);
  token = procura_auth_new_token (hash);
  g_clear_error (&error);
  if (!self->storage->ops->token_add (self->storage, user->name, hash, now + PROCURA_TOKEN_LIFETIME, &error))
    {
      respond_gerror (msg, error);
      return;
    }
  entry.actor = user->name;
  entry.action = "login";
  entry.status = "ok";
  if (!self->storage->ops->audit_append (self->storage, &entry, &error))
    {
      respond_gerror (msg, error);
      return;
    }
  g_free (request_info (msg)->user);
  request_info (msg)->user = g_strdup (user->name);

  expires = g_date_time_new_from_unix_utc (now + PROCURA_TOKEN_LIFETIME);
  expires_text = g_date_time_format (expires, "%Y-%m-%dT%H:%M:%SZ");

  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token");
  json_builder_add_string_value (builder, token);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_string_value (builder, expires_text);
  json_builder_set_member_name (builder, "role");
  json_builder_add_string_value (builder, procura_role_to_string (user->role));
  json_builder_set_member_name (builder, "username");
  json_builder_add_string_value (builder, user->name);
  json_builder_set_member_name (builder, "organization");
  if (user->org_uscc != NULL)
    json_builder_add_string_value (builder, user->org_uscc);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  respond_node (msg, 200, root);
}

static void
handle_logout (ProcuraServerApp  *self,
               SoupServerMessage *msg)
{
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraAuditEntry entry = { 0 };
  guint8 hash[32];

  if ((user = authenticate (self, msg, hash)) == NULL)
    return;
  entry.actor = user->name;
  entry.action = "logout";
  entry.status = "ok";
  if (!self->storage->ops->token_revoke (self->storage, hash, &error) ||
      !self->storage->ops->audit_append (self->storage, &entry, &error))
    {
      respond_gerror (msg, error);
      return;
    }
  soup_server_message_set_status (msg, 204, NULL);
}

/* since and limit of a paged GET; FALSE after answering 400. */
static gboolean
page_params (SoupServerMessage *msg,
             GHashTable        *query,
             gint64            *since,
             guint64           *limit,
             guint64            max_limit)
{
  const char *since_text = query != NULL ? g_hash_table_lookup (query, "since") : NULL;
  const char *limit_text = query != NULL ? g_hash_table_lookup (query, "limit") : NULL;
  guint64 value;

  *since = 0;
  *limit = MIN (500, max_limit);
  if (since_text != NULL && since_text[0] != '\0')
    {
      if (!g_ascii_string_to_unsigned (since_text, 10, 0, G_MAXINT64, &value, NULL))
        {
          respond_error (msg, 400, "bad_request", "since: not a cursor this server gave out");
          return FALSE;
        }
      *since = (gint64) value;
    }
  if (limit_text != NULL)
    {
      if (!g_ascii_string_to_unsigned (limit_text, 10, 1, max_limit, limit, NULL))
        {
          g_autofree char *reason = g_strdup_printf ("limit: must be a number from 1 to %" G_GUINT64_FORMAT,
                                                     max_limit);
          respond_error (msg, 400, "bad_request", reason);
          return FALSE;
        }
    }

  return TRUE;
}

static void
handle_changes (ProcuraServerApp  *self,
                SoupServerMessage *msg,
                GHashTable        *query)
{
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  char *body;
  gint64 since;
  guint64 limit;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;
  if (!page_params (msg, query, &since, &limit, 1000))
    return;

  body = self->storage->ops->changes (self->storage, user, since, (guint) limit, &error);
  if (body == NULL)
    {
      respond_gerror (msg, error);
      return;
    }
  respond_json (msg, 200, body);
}

static void
handle_audit (ProcuraServerApp  *self,
              SoupServerMessage *msg,
              GHashTable        *query)
{
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  char *body;
  gint64 since;
  guint64 limit;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;
  if (user->role == PROCURA_ROLE_AGENCY)
    {
      forbid (self, msg, user, "the audit log is for the purchasing unit and auditors");
      return;
    }
  if (!page_params (msg, query, &since, &limit, 1000))
    return;

  body = self->storage->ops->audit_read (self->storage, since, (guint) limit, &error);
  if (body == NULL)
    {
      respond_gerror (msg, error);
      return;
    }
  respond_json (msg, 200, body);
}

static void
handle_conflicts (ProcuraServerApp  *self,
                  SoupServerMessage *msg)
{
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  char *body;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;

  body = self->storage->ops->conflicts (self->storage, user, &error);
  if (body == NULL)
    {
      respond_gerror (msg, error);
      return;
    }
  respond_json (msg, 200, body);
}

static void
handle_resolve (ProcuraServerApp  *self,
                SoupServerMessage *msg,
                const char        *id_text)
{
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  const char *keep;
  guint64 id;
  char *answer;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;
  if (user->role != PROCURA_ROLE_OFFICER && user->role != PROCURA_ROLE_AGENCY)
    {
      forbid (self, msg, user, "this account may read records but not change them");
      return;
    }
  if (!g_ascii_string_to_unsigned (id_text, 10, 1, G_MAXINT64, &id, NULL))
    {
      respond_error (msg, 404, "not_found", "no such conflict");
      return;
    }
  if ((body = parse_body (msg)) == NULL)
    return;
  if (!member_is_string (body, "keep") ||
      (strcmp (json_object_get_string_member (body, "keep"), "server") != 0 &&
       strcmp (json_object_get_string_member (body, "keep"), "yours") != 0))
    {
      respond_error (msg, 400, "bad_request", "keep: must be \"server\" or \"yours\"");
      return;
    }
  keep = json_object_get_string_member (body, "keep");

  answer = self->storage->ops->resolve_conflict (self->storage, user, (gint64) id, keep, &error);
  if (answer == NULL)
    {
      if (g_error_matches (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_FORBIDDEN))
        audit_refusal (self, msg, user->name, "denied", "403", NULL);
      respond_gerror (msg, error);
      return;
    }
  respond_json (msg, 200, answer);
}

static void
handle_push (ProcuraServerApp  *self,
             SoupServerMessage *msg)
{
  RequestInfo *info = request_info (msg);
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body_sha256 = NULL;
  ProcuraPushAnswer answer = { 0 };
  const char *key;
  JsonArray *mutations;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;
  if (user->role != PROCURA_ROLE_OFFICER && user->role != PROCURA_ROLE_AGENCY)
    {
      forbid (self, msg, user, "this account may read records but not change them");
      return;
    }

  key = soup_message_headers_get_one (soup_server_message_get_request_headers (msg), "Idempotency-Key");
  if (key == NULL || key[0] == '\0' || strlen (key) > 200)
    {
      respond_error (msg, 400, "bad_request", "Idempotency-Key: required (a UUID)");
      return;
    }

  if ((body = parse_body (msg)) == NULL)
    return;

  if (json_object_has_member (body, "protocol") &&
      (!member_is_int (body, "protocol") || json_object_get_int_member (body, "protocol") != 1))
    {
      respond_error (msg, 400, "unsupported_protocol", "protocol: this server speaks version 1");
      return;
    }
  if (!member_is_string (body, "device") || json_object_get_string_member (body, "device")[0] == '\0' ||
      /* the server's own writes go under "server": a client claiming it
       * would pass for them when conflicts are judged */
      g_strcmp0 (json_object_get_string_member (body, "device"), "server") == 0)
    {
      respond_error (msg, 400, "bad_request", "device: must be a non-empty string other than \"server\"");
      return;
    }
  if (!json_object_has_member (body, "mutations") || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (body, "mutations")))
    {
      respond_error (msg, 400, "bad_request", "mutations: must be an array");
      return;
    }
  mutations = json_object_get_array_member (body, "mutations");
  if (json_array_get_length (mutations) > PROCURA_SERVER_MAX_MUTATIONS)
    {
      respond_error (msg, 400, "bad_request", "mutations: at most 500 in one push");
      return;
    }
  for (guint i = 0; i < json_array_get_length (mutations); i++)
    {
      g_autofree char *reason = check_mutation (json_array_get_element (mutations, i), i);

      if (reason != NULL)
        {
          respond_error (msg, 400, "bad_request", reason);
          return;
        }
    }

  body_sha256 = procura_server_sha256_hex (info->body->data, info->body->len);
  if (!self->storage->ops->push (self->storage, user, json_object_get_string_member (body, "device"),
                                 key, body_sha256, mutations, &answer, &error))
    {
      respond_gerror (msg, error);
      return;
    }
  respond_json (msg, answer.status, answer.body);
}

/* ---- blobs and uploads (PROTOCOL.md, Blobs) ------------------------- */

static gboolean
is_sha256_hex (const char *text)
{
  return text != NULL && strlen (text) == 64 && strspn (text, "0123456789abcdef") == 64;
}

static char *
blob_dir (ProcuraServerApp *self)
{
  return g_build_filename (self->storage->ops->files_dir (self->storage), "blobs", NULL);
}

static char *
upload_path (ProcuraServerApp *self,
             const char       *id)
{
  return g_build_filename (self->storage->ops->files_dir (self->storage), "uploads", id, NULL);
}

/* Only accounts that may change records send files; FALSE after 403. */
static gboolean
may_write (ProcuraServerApp        *self,
           SoupServerMessage       *msg,
           const ProcuraServerUser *user)
{
  if (user->role == PROCURA_ROLE_OFFICER || user->role == PROCURA_ROLE_AGENCY)
    return TRUE;
  forbid (self, msg, user, "this account may read records but not change them");
  return FALSE;
}

static void
set_upload_offset_header (SoupServerMessage *msg,
                          gint64             offset)
{
  g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, offset);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Upload-Offset", text);
  /* an offset is only true now: no cache may keep it */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
}

static void
audit_upload (ProcuraServerApp          *self,
              const ProcuraServerUpload *upload,
              const char                *status)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *detail = g_strdup_printf ("size %" G_GINT64_FORMAT, upload->size);
  ProcuraAuditEntry entry = { 0 };

  entry.actor = upload->username;
  entry.action = "blob_upload";
  entry.entity = "blob";
  entry.id = upload->sha256;
  entry.status = status;
  entry.detail = detail;
  if (!self->storage->ops->audit_append (self->storage, &entry, &error))
    g_printerr ("procura-server: could not write the audit log: %s\n", error->message);
}

/* POST /v1/blobs/missing {"sha256": […]} → {"missing": […]} */
static void
handle_blobs_missing (ProcuraServerApp  *self,
                      SoupServerMessage *msg)
{
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(JsonBuilder) builder = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GHashTable) seen = NULL;
  g_autofree char *dir = NULL;
  JsonArray *hashes;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;
  if (!may_write (self, msg, user))
    return;
  if ((body = parse_body (msg)) == NULL)
    return;
  if (!json_object_has_member (body, "sha256") || !JSON_NODE_HOLDS_ARRAY (json_object_get_member (body, "sha256")))
    {
      respond_error (msg, 400, "bad_request", "sha256: must be an array of SHA-256 digests");
      return;
    }
  hashes = json_object_get_array_member (body, "sha256");
  if (json_array_get_length (hashes) > PROCURA_SERVER_MAX_MISSING)
    {
      g_autofree char *reason = g_strdup_printf ("sha256: at most %u digests in one request",
                                                 PROCURA_SERVER_MAX_MISSING);
      respond_error (msg, 400, "bad_request", reason);
      return;
    }

  dir = blob_dir (self);
  seen = g_hash_table_new (g_str_hash, g_str_equal);
  builder = json_builder_new ();
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "missing");
  json_builder_begin_array (builder);
  for (guint i = 0; i < json_array_get_length (hashes); i++)
    {
      JsonNode *node = json_array_get_element (hashes, i);
      const char *sha256 = NULL;

      if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
        sha256 = json_node_get_string (node);
      if (!is_sha256_hex (sha256))
        {
          g_autofree char *reason = g_strdup_printf ("sha256[%u]: must be 64 lower-case hexadecimal digits", i);
          respond_error (msg, 400, "bad_request", reason);
          return;
        }
      /* each digest once, in the order asked */
      if (g_hash_table_add (seen, (gpointer) sha256) && !procura_blobs_has (dir, sha256))
        json_builder_add_string_value (builder, sha256);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  respond_node (msg, 200, root);
}

static void
respond_upload (SoupServerMessage         *msg,
                const ProcuraServerUpload *upload)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *location = g_strconcat ("/v1/uploads/", upload->id, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, upload->id);
  json_builder_set_member_name (builder, "offset");
  json_builder_add_int_value (builder, upload->offset);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);

  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Location", location);
  set_upload_offset_header (msg, upload->offset);
  respond_node (msg, 201, root);
}

/* Removes an upload's file and row; the row last, so that a crash leaves
 * at worst a row without a file, which the next PATCH recreates. */
static gboolean
discard_upload (ProcuraServerApp           *self,
                const ProcuraServerUpload  *upload,
                GError                    **error)
{
  g_autofree char *path = upload_path (self, upload->id);

  g_unlink (path);
  return self->storage->ops->upload_remove (self->storage, upload->id, error);
}

/* The file is the truth when it holds less than the row says (lost by a
 * crash before its fsync, or removed by hand): the offset goes back to
 * what is really there, so the client resends rather than leaving a hole
 * that only the final hash check would catch. */
static gboolean
reconcile_offset (ProcuraServerApp     *self,
                  ProcuraServerUpload  *upload,
                  GError              **error)
{
  g_autofree char *path = upload_path (self, upload->id);
  GStatBuf st;
  gint64 have = 0;

  if (g_stat (path, &st) == 0)
    have = (gint64) st.st_size;
  if (have >= upload->offset)
    return TRUE;
  if (!self->storage->ops->upload_set_offset (self->storage, upload->id, have, error))
    return FALSE;
  upload->offset = have;

  return TRUE;
}

/* POST /v1/uploads {"sha256", "size"} → 201 {"id", "offset"} or 200
 * {"already_have": true}. An unfinished upload of the same file by the
 * same account is answered again, so a client that lost the id resumes. */
static void
handle_upload_create (ProcuraServerApp  *self,
                      SoupServerMessage *msg)
{
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(JsonObject) body = NULL;
  g_autoptr(ProcuraServerUpload) existing = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *uploads = NULL;
  g_autofree char *path = NULL;
  ProcuraServerUpload upload = { 0 };
  const char *sha256;
  gint64 size;
  guint8 unused[32];
  int fd;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;
  if (!may_write (self, msg, user))
    return;
  if ((body = parse_body (msg)) == NULL)
    return;
  if (!member_is_string (body, "sha256") || !is_sha256_hex (json_object_get_string_member (body, "sha256")))
    {
      respond_error (msg, 400, "bad_request", "sha256: must be 64 lower-case hexadecimal digits");
      return;
    }
  sha256 = json_object_get_string_member (body, "sha256");
  if (!member_is_int (body, "size") || json_object_get_int_member (body, "size") < 0)
    {
      respond_error (msg, 400, "bad_request", "size: must be an integer ≥ 0");
      return;
    }
  size = json_object_get_int_member (body, "size");
  if (size > PROCURA_SERVER_MAX_BLOB)
    {
      respond_error (msg, 413, "too_large", "size: files are limited to 200 MiB");
      return;
    }

  dir = blob_dir (self);
  if (procura_blobs_has (dir, sha256))
    {
      respond_json (msg, 200, g_strdup ("{\"already_have\":true}"));
      return;
    }

  existing = self->storage->ops->upload_get (self->storage, NULL, user->name, sha256, &error);
  if (existing == NULL && !g_error_matches (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_NOT_FOUND))
    {
      respond_gerror (msg, error);
      return;
    }
  g_clear_error (&error);
  if (existing != NULL && existing->size == size)
    {
      if (!reconcile_offset (self, existing, &error))
        {
          respond_gerror (msg, error);
          return;
        }
      respond_upload (msg, existing);
      return;
    }
  /* the same digest with another size cannot complete: start afresh */
  if (existing != NULL && !discard_upload (self, existing, &error))
    {
      respond_gerror (msg, error);
      return;
    }

  uploads = g_build_filename (self->storage->ops->files_dir (self->storage), "uploads", NULL);
  if (g_mkdir_with_parents (uploads, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (&error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                   "creating %s: %s", uploads, g_strerror (errsv));
      respond_gerror (msg, error);
      return;
    }

  /* 256 random bits: the id is not guessable, though only its owner may
   * use it anyway */
  upload.id = procura_auth_new_token (unused);
  upload.username = user->name;
  upload.sha256 = (char *) sha256;
  upload.size = size;
  upload.offset = 0;
  path = upload_path (self, upload.id);
  fd = g_open (path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    {
      int errsv = errno;
      g_set_error (&error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                   "creating %s: %s", path, g_strerror (errsv));
    }
  else
    close (fd);
  if (error != NULL || !self->storage->ops->upload_add (self->storage, &upload, &error))
    {
      g_unlink (path);
      g_free (upload.id);
      respond_gerror (msg, error);
      return;
    }

  respond_upload (msg, &upload);
  g_free (upload.id);
}

/* The caller's upload with that id, or NULL after answering 404: another
 * account's upload is as invisible as one that never was. */
static ProcuraServerUpload *
lookup_upload (ProcuraServerApp        *self,
               SoupServerMessage       *msg,
               const ProcuraServerUser *user,
               const char              *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraServerUpload) upload = NULL;

  upload = self->storage->ops->upload_get (self->storage, id, NULL, NULL, &error);
  if (upload == NULL && !g_error_matches (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_NOT_FOUND))
    {
      respond_gerror (msg, error);
      return NULL;
    }
  if (upload == NULL || strcmp (upload->username, user->name) != 0)
    {
      respond_error (msg, 404, "not_found", "no such upload (finished, refused or never begun)");
      return NULL;
    }
  if (!reconcile_offset (self, upload, &error))
    {
      respond_gerror (msg, error);
      return NULL;
    }

  return g_steal_pointer (&upload);
}

/* HEAD /v1/uploads/{id} → Upload-Offset, Upload-Length */
static void
handle_upload_head (ProcuraServerApp  *self,
                    SoupServerMessage *msg,
                    const char        *id)
{
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(ProcuraServerUpload) upload = NULL;
  g_autofree char *length = NULL;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;
  /* as for the upload's other methods: read-only accounts upload nothing */
  if (!may_write (self, msg, user))
    return;
  if ((upload = lookup_upload (self, msg, user, id)) == NULL)
    return;

  length = g_strdup_printf ("%" G_GINT64_FORMAT, upload->size);
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Upload-Length", length);
  set_upload_offset_header (msg, upload->offset);
  soup_server_message_set_status (msg, 200, NULL);
}

/* Writes data at offset of the upload's file, dropping whatever lies
 * beyond offset first: bytes of a chunk written before a crash but never
 * recorded are not part of the upload. */
static gboolean
write_chunk (const char    *path,
             gint64         offset,
             const guint8  *data,
             gsize          len,
             GError       **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  gsize done = 0;

  if (fd < 0 || ftruncate (fd, offset) != 0)
    goto fail;
  while (done < len)
    {
      gssize n = pwrite (fd, data + done, len - done, offset + (gint64) done);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        goto fail;
      done += n;
    }
  /* the offset is recorded next: the bytes must be on disk before it */
  if (fsync (fd) != 0)
    goto fail;
  close (fd);
  return TRUE;

fail:
  {
    int errsv = errno;

    if (fd >= 0)
      close (fd);
    g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                 "writing %s: %s", path, g_strerror (errsv));
    return FALSE;
  }
}

/* SHA-256 of a file, read in pieces (uploads may be 200 MiB). */
static char *
file_sha256 (const char  *path,
             GError     **error)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = g_malloc (64 * 1024);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;

  if (fd < 0)
    goto fail;
  while ((n = read (fd, buffer, 64 * 1024)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        goto fail;
      g_checksum_update (checksum, buffer, n);
    }
  close (fd);
  return g_strdup (g_checksum_get_string (checksum));

fail:
  {
    int errsv = errno;

    if (fd >= 0)
      close (fd);
    g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                 "reading %s: %s", path, g_strerror (errsv));
    return NULL;
  }
}

/* PATCH /v1/uploads/{id}, Upload-Offset: n, a chunk of the file →
 * 204 with the new Upload-Offset. The last chunk checks the whole file's
 * SHA-256 and moves it into the blob store. */
static void
handle_upload_patch (ProcuraServerApp  *self,
                     SoupServerMessage *msg,
                     const char        *id)
{
  RequestInfo *info = request_info (msg);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(ProcuraServerUpload) upload = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  g_autofree char *actual = NULL;
  const char *content_type;
  const char *offset_text;
  guint64 offset;
  gint64 end;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;
  if (!may_write (self, msg, user))
    return;
  if ((upload = lookup_upload (self, msg, user, id)) == NULL)
    return;

  content_type = soup_message_headers_get_content_type (headers, NULL);
  if (g_strcmp0 (content_type, "application/offset+octet-stream") != 0)
    {
      respond_error (msg, 415, "unsupported_media_type",
                     "Content-Type: chunks are sent as application/offset+octet-stream");
      return;
    }
  offset_text = soup_message_headers_get_one (headers, "Upload-Offset");
  if (offset_text == NULL || !g_ascii_string_to_unsigned (offset_text, 10, 0, G_MAXINT64, &offset, NULL))
    {
      respond_error (msg, 400, "bad_request", "Upload-Offset: required, the byte count already sent");
      return;
    }
  if ((gint64) offset != upload->offset)
    {
      g_autofree char *reason = g_strdup_printf ("Upload-Offset: the server has %" G_GINT64_FORMAT
                                                 " bytes of this upload, not %" G_GUINT64_FORMAT,
                                                 upload->offset, offset);
      set_upload_offset_header (msg, upload->offset);
      respond_error (msg, 409, "offset_mismatch", reason);
      return;
    }
  end = upload->offset + (gint64) info->body->len;
  if (end > upload->size)
    {
      g_autofree char *reason = g_strdup_printf ("body: goes past the announced size of %" G_GINT64_FORMAT " bytes",
                                                 upload->size);
      respond_error (msg, 400, "bad_request", reason);
      return;
    }

  path = upload_path (self, upload->id);
  if (!write_chunk (path, upload->offset, info->body->data, info->body->len, &error) ||
      !self->storage->ops->upload_set_offset (self->storage, upload->id, end, &error))
    {
      respond_gerror (msg, error);
      return;
    }
  upload->offset = end;

  if (end == upload->size)
    {
      g_autofree char *dir = blob_dir (self);
      g_autofree char *stored = NULL;

      if (!(actual = file_sha256 (path, &error)))
        {
          respond_gerror (msg, error);
          return;
        }
      if (strcmp (actual, upload->sha256) != 0)
        {
          g_autofree char *reason = g_strdup_printf ("the file received hashes to %s, not %s; send it again",
                                                     actual, upload->sha256);
          /* a damaged upload is of no use: the client starts over */
          if (!discard_upload (self, upload, &error))
            {
              respond_gerror (msg, error);
              return;
            }
          audit_upload (self, upload, "hash_mismatch");
          respond_error (msg, 422, "hash_mismatch", reason);
          return;
        }

      stored = procura_blobs_import_file (dir, path, NULL, &error);
      if (stored == NULL)
        {
          g_autoptr(GError) internal = g_error_new (PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                                                    "storing blob %s: %s", upload->sha256, error->message);
          respond_gerror (msg, internal);
          return;
        }
      if (!discard_upload (self, upload, &error))
        {
          respond_gerror (msg, error);
          return;
        }
      audit_upload (self, upload, "ok");
    }

  set_upload_offset_header (msg, end);
  soup_server_message_set_status (msg, 204, NULL);
}

/* A single range of "bytes=a-b", "bytes=a-" or "bytes=-n" within size.
 * Returns 1 for a usable range, 0 when the header is to be ignored (not a
 * byte range we understand), -1 when it cannot be satisfied. */
static int
parse_range (const char *text,
             gint64      size,
             gint64     *out_start,
             gint64     *out_end)
{
  g_autofree char *spec = NULL;
  const char *dash;
  guint64 a = 0, b = 0;

  if (!g_str_has_prefix (text, "bytes="))
    return 0;
  spec = g_strstrip (g_strdup (text + strlen ("bytes=")));
  /* one range only: a multipart answer is more than a sync client needs */
  if (strchr (spec, ',') != NULL)
    return -1;
  if ((dash = strchr (spec, '-')) == NULL)
    return 0;

  if (dash == spec)
    {
      /* the last n bytes */
      if (!g_ascii_string_to_unsigned (dash + 1, 10, 1, G_MAXINT64, &b, NULL) || size == 0)
        return -1;
      *out_start = size - (gint64) MIN (b, (guint64) size);
      *out_end = size - 1;
      return 1;
    }

  {
    g_autofree char *first = g_strndup (spec, dash - spec);

    if (!g_ascii_string_to_unsigned (first, 10, 0, G_MAXINT64, &a, NULL))
      return 0;
  }
  if (dash[1] == '\0')
    b = (guint64) size - 1;
  else if (!g_ascii_string_to_unsigned (dash + 1, 10, 0, G_MAXINT64, &b, NULL) || b < a)
    return 0;
  if ((gint64) a >= size)
    return -1;
  *out_start = (gint64) a;
  *out_end = MIN ((gint64) b, size - 1);

  return 1;
}

/* GET /v1/blobs/{sha256} [Range] → 200 or 206 with the bytes */
static void
handle_blob_get (ProcuraServerApp  *self,
                 SoupServerMessage *msg,
                 const char        *sha256)
{
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr(ProcuraServerUser) user = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GBytes) part = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *etag = NULL;
  const char *range;
  gboolean readable = FALSE;
  gint64 size, start = 0, end = 0;
  int ranged = 0;

  if ((user = authenticate (self, msg, NULL)) == NULL)
    return;
  dir = blob_dir (self);
  if (!is_sha256_hex (sha256) || !procura_blobs_has (dir, sha256))
    {
      respond_error (msg, 404, "not_found", "no such file");
      return;
    }
  /* knowing a digest is no right to the file: an attachment the account
   * can see must name it */
  if (!self->storage->ops->blob_readable (self->storage, user, sha256, &readable, &error))
    {
      respond_gerror (msg, error);
      return;
    }
  if (!readable)
    {
      forbid (self, msg, user, "no attachment this account may see refers to this file");
      return;
    }

  /* The whole file is hash-checked as it is read. A range is not: the
   * client checks the whole it assembles, and hashing a 200 MiB file for
   * each of its 8 MiB ranges would cost 25 times the file. The mapping
   * reads only the pages sent. */
  range = soup_message_headers_get_one (request_headers, "Range");
  if (range == NULL)
    bytes = procura_blobs_read (dir, sha256, &error);
  else
    {
      g_autofree char *path = procura_blobs_path (dir, sha256);
      g_autoptr(GMappedFile) mapped = g_mapped_file_new (path, FALSE, &error);

      if (mapped != NULL)
        bytes = g_mapped_file_get_bytes (mapped);
    }
  if (bytes == NULL)
    {
      g_autoptr(GError) internal = g_error_new (PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                                                "reading blob %s: %s", sha256, error->message);
      respond_gerror (msg, internal);
      return;
    }
  size = (gint64) g_bytes_get_size (bytes);

  etag = g_strdup_printf ("\"%s\"", sha256);
  soup_message_headers_replace (headers, "ETag", etag);
  soup_message_headers_replace (headers, "Accept-Ranges", "bytes");
  soup_message_headers_replace (headers, "Cache-Control", "private");

  if (range != NULL)
    ranged = parse_range (range, size, &start, &end);
  /* a Range we do not understand is ignored: the whole file, checked */
  if (range != NULL && ranged == 0)
    {
      g_bytes_unref (bytes);
      if (!(bytes = procura_blobs_read (dir, sha256, &error)))
        {
          g_autoptr(GError) internal = g_error_new (PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INTERNAL,
                                                    "reading blob %s: %s", sha256, error->message);
          respond_gerror (msg, internal);
          return;
        }
    }
  if (ranged < 0)
    {
      g_autofree char *content_range = g_strdup_printf ("bytes */%" G_GINT64_FORMAT, size);

      soup_message_headers_replace (headers, "Content-Range", content_range);
      respond_error (msg, 416, "range_not_satisfiable", "Range: one range of bytes within the file");
      return;
    }

  if (ranged > 0)
    {
      g_autofree char *content_range = g_strdup_printf ("bytes %" G_GINT64_FORMAT "-%" G_GINT64_FORMAT
                                                        "/%" G_GINT64_FORMAT, start, end, size);

      soup_message_headers_replace (headers, "Content-Range", content_range);
      part = g_bytes_new_from_bytes (bytes, start, end - start + 1);
      soup_server_message_set_status (msg, 206, NULL);
    }
  else
    {
      part = g_bytes_ref (bytes);
      soup_server_message_set_status (msg, 200, NULL);
    }
  soup_message_headers_set_content_type (headers, "application/octet-stream", NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), part);
}

static void
handle_request_cb (SoupServer        *server,
                   SoupServerMessage *msg,
                   const char        *path,
                   GHashTable        *query,
                   gpointer           user_data)
{
  ProcuraServerApp *self = user_data;
  RequestInfo *info = request_info (msg);
  const char *method = soup_server_message_get_method (msg);
  const char *protocol = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                       "Sync-Protocol");
  gboolean get = strcmp (method, SOUP_METHOD_GET) == 0;
  gboolean post = strcmp (method, SOUP_METHOD_POST) == 0;

  if (info->too_large)
    {
      respond_error (msg, 413, "too_large", "request bodies are limited to 8 MiB");
      return;
    }

  if (strcmp (path, "/healthz") == 0)
    {
      if (!get)
        respond_error (msg, 405, "method_not_allowed", "use GET");
      else
        respond_json (msg, 200, g_strdup ("{\"status\":\"ok\"}"));
      return;
    }

  if (protocol != NULL && strcmp (protocol, "1") != 0)
    {
      respond_error (msg, 400, "unsupported_protocol", "Sync-Protocol: this server speaks version 1");
      return;
    }

  if (strcmp (path, "/v1/session") == 0)
    {
      if (post)
        handle_login (self, msg);
      else if (strcmp (method, SOUP_METHOD_DELETE) == 0)
        handle_logout (self, msg);
      else
        respond_error (msg, 405, "method_not_allowed", "use POST or DELETE");
    }
  else if (strcmp (path, "/v1/push") == 0)
    {
      if (post)
        handle_push (self, msg);
      else
        respond_error (msg, 405, "method_not_allowed", "use POST");
    }
  else if (strcmp (path, "/v1/changes") == 0)
    {
      if (get)
        handle_changes (self, msg, query);
      else
        respond_error (msg, 405, "method_not_allowed", "use GET");
    }
  else if (strcmp (path, "/v1/conflicts") == 0)
    {
      if (get)
        handle_conflicts (self, msg);
      else
        respond_error (msg, 405, "method_not_allowed", "use GET");
    }
  else if (g_str_has_prefix (path, "/v1/conflicts/") && g_str_has_suffix (path, "/resolve") &&
           strlen (path) > strlen ("/v1/conflicts/") + strlen ("/resolve"))
    {
      g_autofree char *id = g_strndup (path + strlen ("/v1/conflicts/"),
                                       strlen (path) - strlen ("/v1/conflicts/") - strlen ("/resolve"));

      if (post)
        handle_resolve (self, msg, id);
      else
        respond_error (msg, 405, "method_not_allowed", "use POST");
    }
  else if (strcmp (path, "/v1/blobs/missing") == 0)
    {
      if (post)
        handle_blobs_missing (self, msg);
      else
        respond_error (msg, 405, "method_not_allowed", "use POST");
    }
  else if (g_str_has_prefix (path, "/v1/blobs/") && strchr (path + strlen ("/v1/blobs/"), '/') == NULL)
    {
      if (get)
        handle_blob_get (self, msg, path + strlen ("/v1/blobs/"));
      else
        respond_error (msg, 405, "method_not_allowed", "use GET");
    }
  else if (strcmp (path, "/v1/uploads") == 0)
    {
      if (post)
        handle_upload_create (self, msg);
      else
        respond_error (msg, 405, "method_not_allowed", "use POST");
    }
  else if (g_str_has_prefix (path, "/v1/uploads/") && path[strlen ("/v1/uploads/")] != '\0' &&
           strchr (path + strlen ("/v1/uploads/"), '/') == NULL)
    {
      const char *id = path + strlen ("/v1/uploads/");

      if (strcmp (method, SOUP_METHOD_HEAD) == 0)
        handle_upload_head (self, msg, id);
      else if (strcmp (method, "PATCH") == 0)
        handle_upload_patch (self, msg, id);
      else
        respond_error (msg, 405, "method_not_allowed", "use HEAD or PATCH");
    }
  else if (strcmp (path, "/v1/audit") == 0)
    {
      if (get)
        handle_audit (self, msg, query);
      else
        respond_error (msg, 405, "method_not_allowed", "use GET");
    }
  else
    respond_error (msg, 404, "not_found", "no such resource");
}

/* ---- bodies and the request log ------------------------------------- */

static void
got_chunk_cb (SoupServerMessage *msg,
              GBytes            *chunk,
              gpointer           user_data)
{
  RequestInfo *info = request_info (msg);
  gsize size;
  const guint8 *data = g_bytes_get_data (chunk, &size);

  if (info->too_large)
    return;
  if (info->body->len + size > PROCURA_SERVER_MAX_BODY)
    {
      info->too_large = TRUE;
      g_byte_array_set_size (info->body, 0);
      return;
    }
  g_byte_array_append (info->body, data, size);
}

static void
early_handler_cb (SoupServer        *server,
                  SoupServerMessage *msg,
                  const char        *path,
                  GHashTable        *query,
                  gpointer           user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (soup_message_headers_get_encoding (headers) != SOUP_ENCODING_CONTENT_LENGTH)
    return;
  if (soup_message_headers_get_content_length (headers) > PROCURA_SERVER_MAX_BODY)
    request_info (msg)->too_large = TRUE;
  if (soup_message_headers_get_content_length (headers) > HARD_MAX_BODY)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
      respond_error (msg, 413, "too_large", "request bodies are limited to 8 MiB");
    }
}

static void
request_started_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  RequestInfo *info = g_new0 (RequestInfo, 1);

  info->start = g_get_monotonic_time ();
  info->body = g_byte_array_new ();
  g_object_set_data_full (G_OBJECT (msg), "procura-request", info, (GDestroyNotify) request_info_free);

  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  g_signal_connect (msg, "got-chunk", G_CALLBACK (got_chunk_cb), NULL);

  /* libsoup 3.2 never closes a kept-alive connection that the client
   * closes while it is idle (fixed in 3.3): one descriptor leaked per
   * connection until the server can accept no more. Every answer closes
   * its connection; on the networks this runs on, a new connection costs
   * far less than the leak. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Connection", "close");
}

/* One line per request: never the query (it might carry secrets one
 * day), never a body or a header. */
static void
log_request (SoupServerMessage *msg,
             const char        *outcome)
{
  RequestInfo *info = request_info (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  gint64 ms = info != NULL ? (g_get_monotonic_time () - info->start) / 1000 : 0;

  g_printerr ("%s %s user=%s status=%u%s %" G_GINT64_FORMAT "ms\n",
              soup_server_message_get_method (msg),
              uri != NULL ? g_uri_get_path (uri) : "?",
              info != NULL && info->user != NULL ? info->user : "-",
              soup_server_message_get_status (msg),
              outcome, ms);
}

static void
request_finished_cb (SoupServer        *server,
                     SoupServerMessage *msg,
                     gpointer           user_data)
{
  log_request (msg, "");
}

static void
request_aborted_cb (SoupServer        *server,
                    SoupServerMessage *msg,
                    gpointer           user_data)
{
  log_request (msg, " (aborted)");
}

/* ---- the object ------------------------------------------------------ */

static void
procura_server_app_finalize (GObject *object)
{
  ProcuraServerApp *self = PROCURA_SERVER_APP (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->throttle, procura_throttle_free);

  G_OBJECT_CLASS (procura_server_app_parent_class)->finalize (object);
}

static void
procura_server_app_class_init (ProcuraServerAppClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = procura_server_app_finalize;
}

static void
procura_server_app_init (ProcuraServerApp *self)
{
  self->throttle = procura_throttle_new ();
}

ProcuraServerApp *
procura_server_app_new (ProcuraServerStorage *storage,
                        GTlsCertificate      *tls_certificate)
{
  ProcuraServerApp *self = g_object_new (PROCURA_TYPE_SERVER_APP, NULL);

  self->storage = storage;
  self->server = g_object_new (SOUP_TYPE_SERVER,
                               "server-header", "procura-server/" PACKAGE_VERSION " ",
                               "tls-certificate", tls_certificate,
                               NULL);
  soup_server_add_early_handler (self->server, NULL, early_handler_cb, self, NULL);
  soup_server_add_handler (self->server, NULL, handle_request_cb, self, NULL);
  g_signal_connect (self->server, "request-started", G_CALLBACK (request_started_cb), self);
  g_signal_connect (self->server, "request-finished", G_CALLBACK (request_finished_cb), self);
  g_signal_connect (self->server, "request-aborted", G_CALLBACK (request_aborted_cb), self);

  return self;
}

gboolean
procura_server_app_listen (ProcuraServerApp  *self,
                           const char        *host,
                           guint16            port,
                           char             **out_url,
                           GError           **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  GSList *uris;
  SoupServerListenOptions options = 0;

  g_return_val_if_fail (PROCURA_IS_SERVER_APP (self), FALSE);

  address = g_inet_socket_address_new_from_string (host, port);
  if (address == NULL)
    {
      g_set_error (error, PROCURA_SERVER_ERROR, PROCURA_SERVER_ERROR_INVALID,
                   "listen: “%s” is not an IP address", host);
      return FALSE;
    }
  if (soup_server_is_https (self->server))
    options |= SOUP_SERVER_LISTEN_HTTPS;

  /* our own socket for a longer accept queue than SoupServer's 10: fifty
   * clients connecting at once were reset and retried for seconds */
  {
    g_autoptr(GSocket) socket = g_socket_new (g_socket_address_get_family (address),
                                              G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);

    if (socket == NULL)
      return FALSE;
    g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
    if (!g_socket_bind (socket, address, TRUE, error) ||
        !g_socket_listen (socket, error) ||
        !soup_server_listen_socket (self->server, socket, options, error))
      return FALSE;
  }

  uris = soup_server_get_uris (self->server);
  if (out_url != NULL)
    *out_url = uris != NULL ? g_uri_to_string (uris->data) : NULL;
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  return TRUE;
}
