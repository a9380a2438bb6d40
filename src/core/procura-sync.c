/* procura-sync.c — the sync client: push the outbox, pull changes
 *
 * The HTTP side of docs/PROTOCOL.md. Everything the store must do with
 * what the server answers is in procura-store-sync.c; this file talks to
 * the server, retries what may be retried, and keeps each push batch under
 * one Idempotency-Key across its retries so that a push whose answer was
 * lost is answered again rather than applied twice.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <errno.h>
#include <string.h>

#include "procura-blobs.h"
#include "procura-schema.h"
#include "procura-store-sync.h"
#include "procura-sync.h"

#define PUSH_BATCH_MAX   500
#define PULL_PAGE_SIZE   500
/* blob transfer: each PATCH well under the server's 8 MiB body limit;
 * downloads in ranges of the same order; files up to the server's 200 MiB */
#define UPLOAD_CHUNK      (4 * 1024 * 1024)
#define DOWNLOAD_CHUNK    (8 * 1024 * 1024)
#define BLOB_MAX          ((gint64) 200 * 1024 * 1024)
#define BLOBS_MISSING_MAX 1000
/* attempts at a server that is not there at all, within one run */
#define UNREACHABLE_ATTEMPTS 4

G_DEFINE_QUARK (procura-sync-error-quark, procura_sync_error)

struct _ProcuraSync
{
  GObject      parent_instance;

  char        *data_dir;
  char        *server_url;   /* without the trailing slash */
  char        *token;
  SoupSession *session;      /* for runs in the caller's thread */

  guint        backoff_base; /* ms */
  guint        backoff_cap;  /* ms */
  guint        max_attempts;
  guint        batch_size;
};

G_DEFINE_FINAL_TYPE (ProcuraSync, procura_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_SERVER_URL,
  PROP_TOKEN,
  PROP_BACKOFF_BASE,
  PROP_BACKOFF_CAP,
  PROP_MAX_ATTEMPTS,
  PROP_BATCH_SIZE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- the object ------------------------------------------------------ */

static SoupSession *
create_session (void)
{
  /* libsoup's default I/O timeout is none at all: a dead server would
   * hang a sync for ever */
  return soup_session_new_with_options ("timeout", 30,
                                        "idle-timeout", 60,
                                        "user-agent", "Procura/" PACKAGE_VERSION " ",
                                        NULL);
}

static void
procura_sync_finalize (GObject *object)
{
  ProcuraSync *self = (ProcuraSync *)object;

  g_clear_object (&self->session);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->token, g_free);

  G_OBJECT_CLASS (procura_sync_parent_class)->finalize (object);
}

static void
procura_sync_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  ProcuraSync *self = PROCURA_SYNC (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_SERVER_URL:
      g_value_set_string (value, self->server_url);
      break;
    case PROP_TOKEN:
      g_value_set_string (value, self->token);
      break;
    case PROP_BACKOFF_BASE:
      g_value_set_uint (value, self->backoff_base);
      break;
    case PROP_BACKOFF_CAP:
      g_value_set_uint (value, self->backoff_cap);
      break;
    case PROP_MAX_ATTEMPTS:
      g_value_set_uint (value, self->max_attempts);
      break;
    case PROP_BATCH_SIZE:
      g_value_set_uint (value, self->batch_size);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_prop (ProcuraSync *self,
               guint       *field,
               guint        value,
               guint        prop_id)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop_id]);
}

static void
procura_sync_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  ProcuraSync *self = PROCURA_SYNC (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      self->data_dir = g_value_dup_string (value);
      break;
    case PROP_SERVER_URL:
      {
        const char *url = g_value_get_string (value);
        gsize len = url != NULL ? strlen (url) : 0;

        while (len > 0 && url[len - 1] == '/')
          len--;
        self->server_url = url != NULL ? g_strndup (url, len) : NULL;
      }
      break;
    case PROP_TOKEN:
      procura_sync_set_token (self, g_value_get_string (value));
      break;
    case PROP_BACKOFF_BASE:
      set_uint_prop (self, &self->backoff_base, g_value_get_uint (value), prop_id);
      break;
    case PROP_BACKOFF_CAP:
      set_uint_prop (self, &self->backoff_cap, g_value_get_uint (value), prop_id);
      break;
    case PROP_MAX_ATTEMPTS:
      set_uint_prop (self, &self->max_attempts, g_value_get_uint (value), prop_id);
      break;
    case PROP_BATCH_SIZE:
      set_uint_prop (self, &self->batch_size, CLAMP (g_value_get_uint (value), 1, PUSH_BATCH_MAX), prop_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_sync_class_init (ProcuraSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = procura_sync_finalize;
  object_class->get_property = procura_sync_get_property;
  object_class->set_property = procura_sync_set_property;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_SERVER_URL] =
    g_param_spec_string ("server-url", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));
  properties[PROP_TOKEN] =
    g_param_spec_string ("token", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* The first retry waits up to backoff-base ms, each next one up to twice
   * as long, never more than backoff-cap (full jitter). */
  properties[PROP_BACKOFF_BASE] =
    g_param_spec_uint ("backoff-base", NULL, NULL, 1, G_MAXUINT, 1000,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BACKOFF_CAP] =
    g_param_spec_uint ("backoff-cap", NULL, NULL, 1, G_MAXUINT, 5 * 60 * 1000,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_MAX_ATTEMPTS] =
    g_param_spec_uint ("max-attempts", NULL, NULL, 1, 1000, 8,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties[PROP_BATCH_SIZE] =
    g_param_spec_uint ("batch-size", NULL, NULL, 1, PUSH_BATCH_MAX, PUSH_BATCH_MAX,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
procura_sync_init (ProcuraSync *self)
{
  const char *backoff = g_getenv ("PROCURA_SYNC_BACKOFF_MS");

  self->backoff_base = 1000;
  self->backoff_cap = 5 * 60 * 1000;
  self->max_attempts = 8;
  self->batch_size = PUSH_BATCH_MAX;

  /* tests (and impatient scripts): a small base, and a cap 16 times it */
  if (backoff != NULL && g_ascii_strtoull (backoff, NULL, 10) > 0)
    {
      self->backoff_base = (guint) MIN (g_ascii_strtoull (backoff, NULL, 10), G_MAXUINT / 16);
      self->backoff_cap = self->backoff_base * 16;
    }
}

ProcuraSync *
procura_sync_new (const char *data_dir,
                  const char *server_url,
                  const char *token)
{
  g_return_val_if_fail (data_dir != NULL, NULL);
  g_return_val_if_fail (server_url != NULL, NULL);

  return g_object_new (PROCURA_TYPE_SYNC,
                       "data-dir", data_dir,
                       "server-url", server_url,
                       "token", token,
                       NULL);
}

const char *
procura_sync_get_server_url (ProcuraSync *self)
{
  g_return_val_if_fail (PROCURA_IS_SYNC (self), NULL);
  return self->server_url;
}

const char *
procura_sync_get_token (ProcuraSync *self)
{
  g_return_val_if_fail (PROCURA_IS_SYNC (self), NULL);
  return self->token;
}

void
procura_sync_set_token (ProcuraSync *self,
                        const char  *token)
{
  g_return_if_fail (PROCURA_IS_SYNC (self));

  if (g_strcmp0 (self->token, token) == 0)
    return;
  g_free (self->token);
  self->token = g_strdup (token);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TOKEN]);
}

/* ---- HTTP ------------------------------------------------------------ */

typedef struct
{
  const char *method;
  const char *path;              /* with the query */
  GBytes     *body;              /* JSON, or NULL */
  const char *idempotency_key;
  gboolean    authorized;
  gboolean    retry;
  /* blob transfer */
  const char *content_type;      /* of body; NULL: JSON */
  const char *upload_offset;     /* Upload-Offset to send */
  const char *range;             /* Range to send */
  char      **out_upload_offset; /* the answer's Upload-Offset */
  char      **out_content_range; /* the answer's Content-Range */
} Request;

static gboolean
status_is_retryable (guint       status,
                     const char *code)
{
  return status == 408 || status == 429 || status >= 500 ||
         (status == 409 && g_strcmp0 (code, "key_in_flight") == 0);
}

/* The error object of an answer: {"error": "…", "reason": "…"}. */
static void
parse_error_body (GBytes  *bytes,
                  char   **out_code,
                  char   **out_reason)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size = 0;
  const char *data = bytes != NULL ? g_bytes_get_data (bytes, &size) : NULL;
  JsonObject *object;

  *out_code = *out_reason = NULL;
  if (data == NULL || size == 0 || !json_parser_load_from_data (parser, data, size, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;

  object = json_node_get_object (json_parser_get_root (parser));
  *out_code = g_strdup (json_object_get_string_member_with_default (object, "error", NULL));
  *out_reason = g_strdup (json_object_get_string_member_with_default (object, "reason", NULL));
}

static void
set_status_error (GError     **error,
                  guint        status,
                  const char  *code,
                  const char  *reason)
{
  const char *why = reason != NULL ? reason : code != NULL ? code : soup_status_get_phrase (status);

  switch (status)
    {
    case 401:
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAUTHORIZED,
                   _("Server: not logged in or the session expired (%s); log in again"), why);
      break;
    case 403:
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_FORBIDDEN,
                   _("Server: not allowed (%s)"), why);
      break;
    case 404:
    case 405:
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_SUPPORTED,
                   _("Server: does not offer this (HTTP %u, %s); is it a Procura server of this version?"),
                   status, why);
      break;
    case 410:
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_CURSOR_EXPIRED,
                   _("Server: this device’s copy is too old to continue (%s)"), why);
      break;
    default:
      if (status_is_retryable (status, code))
        g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAVAILABLE,
                     _("Server: unavailable (HTTP %u, %s); try again later"), status, why);
      else
        g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_REFUSED,
                     _("Server: refused the request (HTTP %u, %s)"), status, why);
    }
}

/* Sleeps ms, waking early when cancelled. */
static gboolean
sleep_cancellable (guint          ms,
                   GCancellable  *cancellable,
                   GError       **error)
{
  gint64 end = g_get_monotonic_time () + (gint64) ms * 1000;

  while (g_get_monotonic_time () < end)
    {
      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      g_usleep (MIN (end - g_get_monotonic_time (), 50 * 1000));
    }

  return !g_cancellable_set_error_if_cancelled (cancellable, error);
}

static guint
backoff_delay (ProcuraSync *self,
               guint        attempt,
               const char  *retry_after)
{
  guint64 ceiling = self->backoff_base;
  guint delay;

  for (guint i = 1; i < attempt && ceiling < self->backoff_cap; i++)
    ceiling *= 2;
  ceiling = MIN (ceiling, self->backoff_cap);

  /* full jitter: anywhere between nothing and the ceiling */
  delay = (guint) g_random_int_range (0, (gint32) MIN (ceiling, G_MAXINT32 - 1) + 1);

  /* the server knows better when it will take us again, within our cap */
  if (retry_after != NULL)
    {
      guint64 seconds = g_ascii_strtoull (retry_after, NULL, 10);

      if (seconds > 0)
        delay = (guint) MIN (MAX ((guint64) delay, seconds * 1000), self->backoff_cap);
    }

  return delay;
}

/* Sends req, retrying what may be retried. Returns the body of a 2xx
 * answer, or NULL with error; *out_status is the last HTTP status (0 when
 * no answer came). */
static GBytes *
send_request (ProcuraSync    *self,
              SoupSession    *session,
              const Request  *req,
              guint          *out_status,
              GCancellable   *cancellable,
              GError        **error)
{
  g_autofree char *url = g_strconcat (self->server_url, req->path, NULL);
  g_autoptr(GError) last_error = NULL;
  guint max_attempts = req->retry ? self->max_attempts : 1;
  guint n_unreachable = 0;

  for (guint attempt = 1; attempt <= max_attempts; attempt++)
    {
      g_autoptr(SoupMessage) msg = soup_message_new (req->method, url);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autofree char *code = NULL;
      g_autofree char *reason = NULL;
      g_autofree char *retry_after = NULL;
      SoupMessageHeaders *headers;
      guint status;

      if (msg == NULL)
        {
          g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_REFUSED,
                       _("Server: “%s” is not a valid address"), self->server_url);
          return NULL;
        }

      headers = soup_message_get_request_headers (msg);
      soup_message_headers_replace (headers, "Sync-Protocol", "1");
      soup_message_headers_replace (headers, "Accept", "application/json");
      if (req->authorized && self->token != NULL)
        {
          g_autofree char *bearer = g_strconcat ("Bearer ", self->token, NULL);
          soup_message_headers_replace (headers, "Authorization", bearer);
        }
      if (req->idempotency_key != NULL)
        {
          soup_message_headers_replace (headers, "Idempotency-Key", req->idempotency_key);
          /* the key makes a resend harmless, so libsoup may reuse a
           * connection for it */
          soup_message_add_flags (msg, SOUP_MESSAGE_IDEMPOTENT);
        }
      if (req->upload_offset != NULL)
        soup_message_headers_replace (headers, "Upload-Offset", req->upload_offset);
      if (req->range != NULL)
        soup_message_headers_replace (headers, "Range", req->range);
      if (req->body != NULL)
        soup_message_set_request_body_from_bytes (msg, req->content_type != NULL ? req->content_type
                                                                                 : "application/json",
                                                  req->body);

      *out_status = 0;
      bytes = soup_session_send_and_read (session, msg, cancellable, &local_error);
      if (bytes == NULL)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
          g_debug ("%s %s: attempt %u: %s", req->method, req->path, attempt, local_error->message);
          g_clear_error (&last_error);
          g_set_error (&last_error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAVAILABLE,
                       _("Server: cannot reach %s (%s)"), self->server_url, local_error->message);
          /* No server there at all (refused, no route, no such host): a
           * few quick tries cover a restart; after that the run ends and
           * says "offline" rather than retrying for minutes — the next
           * run (periodic, or when the network returns) tries again. A
           * connection that broke mid-request keeps every retry. */
          if ((g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
               g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
               g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE) ||
               local_error->domain == G_RESOLVER_ERROR) &&
              ++n_unreachable >= UNREACHABLE_ATTEMPTS)
            break;
        }
      else
        {
          SoupMessageHeaders *response_headers = soup_message_get_response_headers (msg);

          status = *out_status = soup_message_get_status (msg);
          if (req->out_upload_offset != NULL)
            {
              g_free (*req->out_upload_offset);
              *req->out_upload_offset = g_strdup (soup_message_headers_get_one (response_headers, "Upload-Offset"));
            }
          if (req->out_content_range != NULL)
            {
              g_free (*req->out_content_range);
              *req->out_content_range = g_strdup (soup_message_headers_get_one (response_headers, "Content-Range"));
            }
          if (status >= 200 && status < 300)
            return g_steal_pointer (&bytes);

          parse_error_body (bytes, &code, &reason);
          if (!status_is_retryable (status, code) || !req->retry)
            {
              set_status_error (error, status, code, reason);
              return NULL;
            }
          g_debug ("%s %s: attempt %u: HTTP %u %s", req->method, req->path, attempt, status, code);
          g_clear_error (&last_error);
          set_status_error (&last_error, status, code, reason);
          retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                                 "Retry-After"));
        }

      if (attempt < max_attempts &&
          !sleep_cancellable (backoff_delay (self, attempt, retry_after), cancellable, error))
        return NULL;
    }

  g_propagate_error (error, g_steal_pointer (&last_error));
  return NULL;
}

static JsonObject *
parse_object (GBytes  *bytes,
              GError **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  gsize size = 0;
  const char *data = g_bytes_get_data (bytes, &size);
  g_autoptr(GError) local_error = NULL;

  if (data == NULL || !json_parser_load_from_data (parser, data, size, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Server: the answer is not a JSON object (%s)"),
                   local_error != NULL ? local_error->message : _("empty"));
      return NULL;
    }

  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static GBytes *
object_to_bytes (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  gsize length = 0;
  char *text = json_to_string (node, FALSE);

  length = strlen (text);
  return g_bytes_new_take (text, length);
}

/* ---- login and logout ------------------------------------------------ */

static SoupSession *
get_session (ProcuraSync *self)
{
  if (self->session == NULL)
    self->session = create_session ();
  return self->session;
}

ProcuraAccount *
procura_sync_login (ProcuraSync   *self,
                    const char    *username,
                    const char    *password,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GBytes) request_bytes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(ProcuraAccount) account = NULL;
  Request req = { "POST", "/v1/session", NULL, NULL, FALSE, FALSE };
  guint status = 0;

  g_return_val_if_fail (PROCURA_IS_SYNC (self), NULL);
  g_return_val_if_fail (username != NULL && password != NULL, NULL);

  json_object_set_string_member (body, "username", username);
  json_object_set_string_member (body, "password", password);
  req.body = request_bytes = object_to_bytes (body);

  /* a wrong password is not retried: five of them lock the account */
  if (!(bytes = send_request (self, get_session (self), &req, &status, cancellable, error)))
    return NULL;
  if (!(answer = parse_object (bytes, error)))
    return NULL;

  account = g_new0 (ProcuraAccount, 1);
  account->server = g_strdup (self->server_url);
  account->token = g_strdup (json_object_get_string_member_with_default (answer, "token", NULL));
  account->expires_at = g_strdup (json_object_get_string_member_with_default (answer, "expires_at", NULL));
  account->role = g_strdup (json_object_get_string_member_with_default (answer, "role", NULL));
  account->username = g_strdup (json_object_get_string_member_with_default (answer, "username", username));
  account->organization = g_strdup (json_object_get_string_member_with_default (answer, "organization", NULL));
  if (account->token == NULL)
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Server: the login answer has no token"));
      return NULL;
    }

  procura_sync_set_token (self, account->token);
  return g_steal_pointer (&account);
}

gboolean
procura_sync_logout (ProcuraSync   *self,
                     GCancellable  *cancellable,
                     GError       **error)
{
  Request req = { "DELETE", "/v1/session", NULL, NULL, TRUE, FALSE };
  g_autoptr(GBytes) bytes = NULL;
  guint status = 0;

  g_return_val_if_fail (PROCURA_IS_SYNC (self), FALSE);

  bytes = send_request (self, get_session (self), &req, &status, cancellable, error);
  return bytes != NULL;
}

/* ---- push ------------------------------------------------------------ */

static gboolean
push (ProcuraSync        *self,
      SoupSession        *session,
      ProcuraStore       *store,
      ProcuraSyncReport  *report,
      GCancellable       *cancellable,
      GError            **error)
{
  guint limit = self->batch_size;

  for (;;)
    {
      g_autoptr(JsonArray) mutations = NULL;
      g_autoptr(JsonObject) body = NULL;
      g_autoptr(GBytes) body_bytes = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(JsonObject) answer = NULL;
      g_autofree char *key = NULL;
      JsonArray *results;
      Request req = { "POST", "/v1/push", NULL, NULL, TRUE, TRUE };
      g_autoptr(GError) local_error = NULL;
      gboolean more;
      guint n_listed;
      guint n_mutations;
      guint n_results;
      guint status = 0;

      if (!(mutations = procura_store_sync_list_outbox (store, limit, error)))
        return FALSE;
      n_listed = json_array_get_length (mutations);
      if (n_listed == 0)
        return TRUE;

      /* A record's later mutations may go in the same batch as its
       * earlier ones: the server never takes a device's own earlier writes
       * for someone else's change (docs/PROTOCOL.md, "Conflicts"). */
      n_mutations = n_listed;
      more = n_mutations < n_listed || n_listed == limit;

      body = json_object_new ();
      json_object_set_int_member (body, "protocol", 1);
      json_object_set_string_member (body, "device", procura_store_get_device_id (store));
      json_object_set_array_member (body, "mutations", json_array_ref (mutations));
      req.body = body_bytes = object_to_bytes (body);
      /* one key per batch, the same for each retry of it */
      req.idempotency_key = key = g_uuid_string_random ();

      bytes = send_request (self, session, &req, &status, cancellable, &local_error);
      /* over the server's 8 MiB: long texts; send fewer at a time */
      if (bytes == NULL && status == 413 && n_mutations > 1)
        {
          g_debug ("push of %u changes too large, trying %u", n_mutations, n_mutations / 2);
          limit = n_mutations / 2;
          g_clear_error (&local_error);
          continue;
        }
      if (bytes == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!(answer = parse_object (bytes, error)))
        return FALSE;

      if (!json_object_has_member (answer, "results") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (answer, "results")))
        {
          g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                       _("Server: the push answer has no results"));
          return FALSE;
        }
      results = json_object_get_array_member (answer, "results");
      n_results = json_array_get_length (results);
      if (n_results == 0 || n_results > n_mutations)
        {
          g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                       _("Server: %u results for %u changes pushed"), n_results, n_mutations);
          return FALSE;
        }

      /* the whole batch's answers in one transaction: a crash here means
       * the batch is pushed again, and answered again from its ids */
      if (!procura_store_begin (store, error))
        return FALSE;
      for (guint i = 0; i < n_results; i++)
        {
          JsonNode *node = json_array_get_element (results, i);
          JsonObject *result;
          const char *result_status;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                           _("Server: a push result is not an object"));
              procura_store_rollback (store);
              return FALSE;
            }
          result = json_node_get_object (node);
          /* one result per mutation, in order: anything else could
           * acknowledge nothing and push the same batch for ever */
          if (g_strcmp0 (json_object_get_string_member_with_default (result, "mutation_id", NULL),
                         json_object_get_string_member (json_array_get_object_element (mutations, i),
                                                        "mutation_id")) != 0)
            {
              g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                           _("Server: push result %u does not answer the change sent in its place"), i + 1);
              procura_store_rollback (store);
              return FALSE;
            }
          if (!procura_store_sync_apply_result (store, result, error))
            {
              procura_store_rollback (store);
              return FALSE;
            }

          result_status = json_object_get_string_member_with_default (result, "status", "");
          if (strcmp (result_status, "applied") == 0)
            report->applied++;
          else if (strcmp (result_status, "merged") == 0)
            report->merged++;
          else if (strcmp (result_status, "conflict") == 0)
            report->conflicts++;
          else if (strcmp (result_status, "rejected") == 0)
            report->rejected++;
        }
      if (!procura_store_commit (store, error))
        return FALSE;

      report->pushed += n_results;
      if (!more && n_results == n_mutations)
        return TRUE;
    }
}

/* ---- pull ------------------------------------------------------------ */

/* A page of GET /v1/changes, decoded, or what went wrong getting it. */
typedef struct
{
  ProcuraSyncPage *decoded;
  char            *next;
  gboolean         has_more;
  GError          *error;
} PulledPage;

static void
pulled_page_free (PulledPage *page)
{
  g_clear_pointer (&page->decoded, procura_sync_page_free);
  g_free (page->next);
  g_clear_error (&page->error);
  g_free (page);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PulledPage, pulled_page_free)

/* Fetches and parses the page after *cursor. On 410 the pull starts over
 * from the beginning, once (records are upserted): *cursor and *restarted
 * follow. */
static PulledPage *
fetch_page (ProcuraSync   *self,
            SoupSession   *session,
            char         **cursor,
            gboolean      *restarted,
            GCancellable  *cancellable)
{
  g_autoptr(PulledPage) page = g_new0 (PulledPage, 1);

  for (;;)
    {
      g_autofree char *escaped = g_uri_escape_string (*cursor != NULL ? *cursor : "0", NULL, FALSE);
      g_autofree char *path = g_strdup_printf ("/v1/changes?since=%s&limit=%d", escaped, PULL_PAGE_SIZE);
      Request req = { "GET", path, NULL, NULL, TRUE, TRUE };
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonObject) answer = NULL;
      JsonNode *member;
      guint status = 0;

      bytes = send_request (self, session, &req, &status, cancellable, &local_error);
      if (bytes == NULL)
        {
          /* 410: the server no longer has the changes since our cursor */
          if (!*restarted && g_error_matches (local_error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_CURSOR_EXPIRED))
            {
              g_clear_pointer (cursor, g_free);
              *restarted = TRUE;
              continue;
            }
          page->error = g_steal_pointer (&local_error);
          return g_steal_pointer (&page);
        }

      if (!(answer = parse_object (bytes, &page->error)))
        return g_steal_pointer (&page);

      member = json_object_get_member (answer, "changes");
      if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
        {
          g_set_error (&page->error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                       _("Server: the changes answer has no changes"));
          return g_steal_pointer (&page);
        }
      /* records checked and converted here, in the fetching thread */
      if (!(page->decoded = procura_sync_page_decode (json_node_get_array (member), &page->error)))
        return g_steal_pointer (&page);

      /* the cursor is opaque: a string, though a number is taken too */
      member = json_object_get_member (answer, "next");
      if (member != NULL && JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_STRING)
        page->next = g_strdup (json_node_get_string (member));
      else if (member != NULL && JSON_NODE_HOLDS_VALUE (member) && json_node_get_value_type (member) == G_TYPE_INT64)
        page->next = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (member));
      page->has_more = json_object_get_boolean_member_with_default (answer, "has_more", FALSE);

      if (page->has_more && (page->next == NULL || g_strcmp0 (page->next, *cursor) == 0))
        g_set_error (&page->error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                     _("Server: more changes announced but the cursor did not move"));
      return g_steal_pointer (&page);
    }
}

/* Pages after the first are fetched and parsed by a thread of their own
 * while the caller's thread writes the one before: on a large pull the
 * server's time and the client's then overlap instead of adding up. The
 * fetcher runs at most PREFETCH_PAGES ahead; each page is still written
 * with its cursor in one transaction, in order, so a crash or a failure
 * leaves the cursor at the last page written, as without the fetcher. */
#define PREFETCH_PAGES 2
/* pulls of at least this many pages end with a checkpoint */
#define CHECKPOINT_AFTER_PAGES 4

typedef struct
{
  ProcuraSync  *sync;
  char         *cursor;
  gboolean      restarted;
  GCancellable *cancellable;  /* the fetcher's own, cancelled to stop it */
  GAsyncQueue  *pages;        /* PulledPage*, to the writer */
  GAsyncQueue  *credits;      /* from the writer: 1 = fetch one more, 2 = stop */
  GAsyncQueue  *written;      /* PulledPage*, back from the writer to be freed
                               * here: freeing a parsed page costs the writer
                               * as much as a tenth of its time */
} Prefetch;

static gpointer
prefetch_thread (gpointer data)
{
  Prefetch *pf = data;
  g_autoptr(SoupSession) session = create_session ();

  for (;;)
    {
      PulledPage *page;
      PulledPage *done;
      gboolean last;

      if (GPOINTER_TO_INT (g_async_queue_pop (pf->credits)) != 1)
        break;
      while ((done = g_async_queue_try_pop (pf->written)) != NULL)
        pulled_page_free (done);
      page = fetch_page (pf->sync, session, &pf->cursor, &pf->restarted, pf->cancellable);
      last = page->error != NULL || !page->has_more;
      if (!last)
        {
          g_free (pf->cursor);
          pf->cursor = g_strdup (page->next);
        }
      g_async_queue_push (pf->pages, page);
      if (last)
        break;
    }

  return NULL;
}

static void
cancel_prefetch (GCancellable *cancellable,
                 gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static gboolean
pull (ProcuraSync        *self,
      SoupSession        *session,
      ProcuraStore       *store,
      ProcuraSyncReport  *report,
      GCancellable       *cancellable,
      GError            **error)
{
  g_autofree char *cursor = NULL;
  g_autoptr(PulledPage) first = NULL;
  g_autoptr(GError) local_error = NULL;
  Prefetch pf = { 0, };
  GThread *thread;
  gulong cancel_id = 0;
  gboolean restarted = FALSE;
  gboolean ok = TRUE;
  guint n = 0;
  guint n_pages = 1;

  cursor = procura_store_sync_get_state (store, PROCURA_SYNC_STATE_CURSOR, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* the first page in this thread: a sync after an edit has one page,
   * and needs no second thread or connection */
  first = fetch_page (self, session, &cursor, &restarted, cancellable);
  if (first->error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&first->error));
      return FALSE;
    }
  if (!procura_store_sync_apply_decoded_page (store, first->decoded, first->next, &n, error))
    return FALSE;
  report->pulled += n;
  if (!first->has_more)
    return TRUE;

  pf.sync = self;
  pf.cursor = g_strdup (first->next);
  pf.restarted = restarted;
  pf.cancellable = g_cancellable_new ();
  pf.pages = g_async_queue_new_full ((GDestroyNotify) pulled_page_free);
  pf.credits = g_async_queue_new ();
  pf.written = g_async_queue_new_full ((GDestroyNotify) pulled_page_free);
  if (cancellable != NULL)
    cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (cancel_prefetch),
                                       g_object_ref (pf.cancellable), g_object_unref);
  for (guint i = 0; i < PREFETCH_PAGES; i++)
    g_async_queue_push (pf.credits, GINT_TO_POINTER (1));
  thread = g_thread_new ("procura-pull", prefetch_thread, &pf);

  for (;;)
    {
      PulledPage *page = g_async_queue_pop (pf.pages);
      gboolean more = page->has_more;

      if (page->error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&page->error));
          pulled_page_free (page);
          ok = FALSE;
          break;
        }
      if (more)
        g_async_queue_push (pf.credits, GINT_TO_POINTER (1));
      ok = procura_store_sync_apply_decoded_page (store, page->decoded, page->next, &n, error);
      g_async_queue_push (pf.written, page);
      if (!ok)
        break;
      report->pulled += n;
      n_pages++;
      if (!more)
        break;
    }

  /* stop the fetcher, wherever it is: waiting for a credit, or in a
   * request (cancelled) */
  g_cancellable_cancel (pf.cancellable);
  g_async_queue_push (pf.credits, GINT_TO_POINTER (2));
  g_thread_join (thread);
  if (cancel_id != 0)
    g_cancellable_disconnect (cancellable, cancel_id);
  g_async_queue_unref (pf.credits);
  g_async_queue_unref (pf.pages);
  g_async_queue_unref (pf.written);
  g_object_unref (pf.cancellable);
  g_free (pf.cursor);

  /* a pull of many pages leaves up to the store's checkpoint interval of
   * log behind, which a later edit's commit would copy: copy it now,
   * inside the long sync (5–8 ms after the 2,000-project pull) */
  if (ok && n_pages >= CHECKPOINT_AFTER_PAGES)
    procura_store_sync_checkpoint (store);

  return ok;
}

/* ---- blobs ----------------------------------------------------------- */

static gboolean
is_sha256_hex (const char *text)
{
  return text != NULL && strlen (text) == 64 && strspn (text, "0123456789abcdef") == 64;
}

static char *
store_blob_dir (ProcuraStore *store)
{
  return g_build_filename (procura_store_get_data_dir (store), "blobs", NULL);
}

/* An Upload-Offset header's value within 0..size, or -1. */
static gint64
parse_offset (const char *text,
              gint64      size)
{
  guint64 value;

  if (text == NULL || !g_ascii_string_to_unsigned (text, 10, 0, (guint64) size, &value, NULL))
    return -1;
  return (gint64) value;
}

/* HEAD /v1/uploads/{id}: how much the server has; -1 with error, and
 * *out_gone when the upload no longer exists (finished by a request
 * whose answer was lost, or refused). */
static gint64
upload_offset (ProcuraSync   *self,
               SoupSession   *session,
               const char    *id,
               gint64         size,
               gboolean      *out_gone,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *path = g_strconcat ("/v1/uploads/", id, NULL);
  g_autofree char *offset_text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) local_error = NULL;
  Request req = { "HEAD", path, NULL, NULL, TRUE, TRUE };
  guint status = 0;
  gint64 offset;

  *out_gone = FALSE;
  req.out_upload_offset = &offset_text;
  bytes = send_request (self, session, &req, &status, cancellable, &local_error);
  if (bytes == NULL)
    {
      *out_gone = status == 404;
      g_propagate_error (error, g_steal_pointer (&local_error));
      return -1;
    }
  if ((offset = parse_offset (offset_text, size)) < 0)
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Server: Upload-Offset of upload %s is missing or out of range"), id);
      return -1;
    }

  return offset;
}

/* POST /v1/uploads: the upload's id and offset, or NULL (no error) when
 * the server has the file already. */
static char *
upload_begin (ProcuraSync   *self,
              SoupSession   *session,
              const char    *sha256,
              gint64         size,
              gint64        *out_offset,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(JsonObject) body = json_object_new ();
  g_autoptr(GBytes) body_bytes = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonObject) answer = NULL;
  Request req = { "POST", "/v1/uploads", NULL, NULL, TRUE, TRUE };
  guint status = 0;
  const char *id;

  json_object_set_string_member (body, "sha256", sha256);
  json_object_set_int_member (body, "size", size);
  req.body = body_bytes = object_to_bytes (body);

  if (!(bytes = send_request (self, session, &req, &status, cancellable, error)))
    return NULL;
  if (!(answer = parse_object (bytes, error)))
    return NULL;
  if (json_object_get_boolean_member_with_default (answer, "already_have", FALSE))
    return NULL;

  id = json_object_get_string_member_with_default (answer, "id", NULL);
  *out_offset = json_object_get_int_member_with_default (answer, "offset", -1);
  if (id == NULL || id[0] == '\0' || strchr (id, '/') != NULL || *out_offset < 0 || *out_offset > size)
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Server: the answer to an upload of file %s has no id or offset"), sha256);
      return NULL;
    }

  return g_strdup (id);
}

/* Sends one blob in chunks. A chunk that fails (no answer, 5xx, or 409
 * offset_mismatch) is not resent blindly: the server is asked how much it
 * has (HEAD) and the upload goes on from there, within max-attempts
 * failures in a row. */
static gboolean
upload_blob (ProcuraSync   *self,
             SoupSession   *session,
             const char    *blob_dir,
             const char    *sha256,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autofree char *file = procura_blobs_path (blob_dir, sha256);
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GError) local_error = NULL;
  const guint8 *data;
  gint64 size;
  guint restarts = 0;

  if (!(mapped = g_mapped_file_new (file, FALSE, &local_error)))
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_REFUSED,
                   _("Attachment: cannot read file %s: %s"), sha256, local_error->message);
      return FALSE;
    }
  data = (const guint8 *) g_mapped_file_get_contents (mapped);
  size = (gint64) g_mapped_file_get_length (mapped);

  for (;;)
    {
      g_autofree char *id = NULL;
      g_autofree char *path = NULL;
      gint64 offset = 0;
      guint failures = 0;
      gboolean gone = FALSE;
      gboolean done = FALSE;

      if (!(id = upload_begin (self, session, sha256, size, &offset, cancellable, &local_error)))
        {
          if (local_error == NULL)
            return TRUE;
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      path = g_strconcat ("/v1/uploads/", id, NULL);

      /* until a PATCH is answered with the full size: even an upload
       * whose bytes are all there (a zero-byte file, a server that died
       * before storing the file) is completed by one, empty */
      while (!done)
        {
          gsize len = (gsize) MIN ((gint64) UPLOAD_CHUNK, size - offset);
          /* an empty file maps to no memory at all */
          gconstpointer start = data != NULL ? (gconstpointer) (data + offset) : (gconstpointer) "";
          g_autoptr(GBytes) chunk = g_bytes_new_static (start, len);
          g_autofree char *offset_text = g_strdup_printf ("%" G_GINT64_FORMAT, offset);
          g_autofree char *new_offset = NULL;
          g_autoptr(GBytes) bytes = NULL;
          Request req = { "PATCH", path, chunk, NULL, TRUE, FALSE };
          guint status = 0;
          gint64 got;

          req.content_type = "application/offset+octet-stream";
          req.upload_offset = offset_text;
          req.out_upload_offset = &new_offset;
          bytes = send_request (self, session, &req, &status, cancellable, &local_error);
          if (bytes != NULL)
            {
              got = parse_offset (new_offset, size);
              if (got < offset || (got == offset && len > 0))
                {
                  g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                               _("Server: the upload of file %s did not move on"), sha256);
                  return FALSE;
                }
              offset = got;
              failures = 0;
              done = offset == size;
              continue;
            }

          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
              !(status == 0 || status == 409 || status_is_retryable (status, NULL)) ||
              ++failures >= self->max_attempts)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          g_debug ("upload %s at %" G_GINT64_FORMAT ": %s", sha256, offset, local_error->message);
          g_clear_error (&local_error);
          /* 409 is an answer, not an outage: ask at once */
          if (status != 409 && !sleep_cancellable (backoff_delay (self, failures, NULL), cancellable, error))
            return FALSE;

          offset = upload_offset (self, session, id, size, &gone, cancellable, &local_error);
          if (offset < 0 && gone)
            break;
          if (offset < 0)
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
        }
      if (!gone)
        return TRUE;

      /* the upload vanished: the server either has the file now or threw
       * the upload away; asking again tells which */
      g_clear_error (&local_error);
      if (++restarts > 2)
        {
          g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAVAILABLE,
                       _("Server: the upload of file %s keeps disappearing"), sha256);
          return FALSE;
        }
    }
}

/* Before a push: the files of attachments in the outbox that the server
 * lacks. Records must not reach the server before their files, so a
 * failure here fails the run (the outbox stays for the next one). */
static gboolean
upload_blobs (ProcuraSync        *self,
              SoupSession        *session,
              ProcuraStore       *store,
              ProcuraSyncReport  *report,
              GCancellable       *cancellable,
              GError            **error)
{
  g_autoptr(JsonArray) mutations = NULL;
  g_autoptr(GPtrArray) hashes = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *dir = store_blob_dir (store);

  if (!(mutations = procura_store_sync_list_outbox (store, G_MAXINT, error)))
    return FALSE;
  for (guint i = 0; i < json_array_get_length (mutations); i++)
    {
      JsonObject *m = json_array_get_object_element (mutations, i);
      JsonObject *fields;
      const char *sha256;

      if (g_strcmp0 (json_object_get_string_member_with_default (m, "entity", NULL), "attachment") != 0 ||
          g_strcmp0 (json_object_get_string_member_with_default (m, "op", NULL), "delete") == 0 ||
          !json_object_has_member (m, "fields") || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (m, "fields")))
        continue;
      fields = json_object_get_object_member (m, "fields");
      sha256 = json_object_get_string_member_with_default (fields, "sha256", NULL);
      /* a record whose file this device never had can only go without it */
      if (!is_sha256_hex (sha256) || !procura_blobs_has (dir, sha256))
        continue;
      if (g_hash_table_add (seen, (gpointer) sha256))
        g_ptr_array_add (hashes, g_strdup (sha256));
    }

  for (guint start = 0; start < hashes->len; start += BLOBS_MISSING_MAX)
    {
      g_autoptr(JsonObject) body = json_object_new ();
      g_autoptr(JsonArray) list = json_array_new ();
      g_autoptr(GBytes) body_bytes = NULL;
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(JsonObject) answer = NULL;
      g_autoptr(GError) local_error = NULL;
      Request req = { "POST", "/v1/blobs/missing", NULL, NULL, TRUE, TRUE };
      JsonArray *missing;
      guint status = 0;

      for (guint i = start; i < hashes->len && i < start + BLOBS_MISSING_MAX; i++)
        json_array_add_string_element (list, g_ptr_array_index (hashes, i));
      json_object_set_array_member (body, "sha256", g_steal_pointer (&list));
      req.body = body_bytes = object_to_bytes (body);

      bytes = send_request (self, session, &req, &status, cancellable, &local_error);
      if (bytes == NULL)
        {
          /* a server of before blobs: records sync as they did then */
          if (g_error_matches (local_error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_SUPPORTED))
            {
              g_debug ("POST /v1/blobs/missing: %s", local_error->message);
              return TRUE;
            }
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (!(answer = parse_object (bytes, error)))
        return FALSE;
      if (!json_object_has_member (answer, "missing") ||
          !JSON_NODE_HOLDS_ARRAY (json_object_get_member (answer, "missing")))
        {
          g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                       _("Server: the answer about missing files has no list"));
          return FALSE;
        }
      missing = json_object_get_array_member (answer, "missing");
      for (guint i = 0; i < json_array_get_length (missing); i++)
        {
          const char *sha256 = json_array_get_string_element (missing, i);

          /* only files we asked about, and have */
          if (!g_hash_table_contains (seen, sha256))
            continue;
          if (!upload_blob (self, session, dir, sha256, cancellable, error))
            return FALSE;
          report->blobs_uploaded++;
        }
    }

  return TRUE;
}

/* GET /v1/blobs/{sha256} in ranges of DOWNLOAD_CHUNK, each retried on its
 * own; the whole is checked against its digest before it is kept. */
static gboolean
download_blob (ProcuraSync   *self,
               SoupSession   *session,
               const char    *blob_dir,
               const char    *sha256,
               GCancellable  *cancellable,
               GError       **error)
{
  g_autofree char *path = g_strconcat ("/v1/blobs/", sha256, NULL);
  g_autoptr(GByteArray) data = g_byte_array_new ();
  g_autoptr(GBytes) whole = NULL;
  g_autofree char *actual = NULL;
  g_autofree char *stored = NULL;
  gint64 total = -1;

  while (total < 0 || (gint64) data->len < total)
    {
      g_autofree char *range = g_strdup_printf ("bytes=%u-%" G_GUINT64_FORMAT, data->len,
                                                (guint64) data->len + DOWNLOAD_CHUNK - 1);
      g_autofree char *content_range = NULL;
      g_autoptr(GBytes) bytes = NULL;
      Request req = { "GET", path, NULL, NULL, TRUE, TRUE };
      guint status = 0;
      const char *slash;

      req.range = range;
      req.out_content_range = &content_range;
      if (!(bytes = send_request (self, session, &req, &status, cancellable, error)))
        return FALSE;
      if (status == 200)
        {
          /* the server sent it all at once */
          g_byte_array_set_size (data, 0);
          g_byte_array_append (data, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
          break;
        }
      slash = content_range != NULL ? strrchr (content_range, '/') : NULL;
      if (status != 206 || slash == NULL || g_bytes_get_size (bytes) == 0)
        {
          g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                       _("Server: a part of file %s came without its place (HTTP %u)"), sha256, status);
          return FALSE;
        }
      total = g_ascii_strtoll (slash + 1, NULL, 10);
      if (total <= 0 || total > BLOB_MAX || (gint64) (data->len + g_bytes_get_size (bytes)) > total)
        {
          g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                       _("Server: file %s has an impossible size"), sha256);
          return FALSE;
        }
      g_byte_array_append (data, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
    }

  whole = g_byte_array_free_to_bytes (g_steal_pointer (&data));
  actual = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, whole);
  if (strcmp (actual, sha256) != 0)
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Server: file %s arrived damaged (it hashes to %s)"), sha256, actual);
      return FALSE;
    }
  if (!(stored = procura_blobs_import_bytes (blob_dir, whole, error)))
    return FALSE;

  return TRUE;
}

/* After a pull: the files of live attachments this device lacks. A file
 * that cannot be had is counted, not fatal: the records are in, and the
 * next run tries again. */
static gboolean
download_blobs (ProcuraSync        *self,
                SoupSession        *session,
                ProcuraStore       *store,
                ProcuraSyncReport  *report,
                GCancellable       *cancellable,
                GError            **error)
{
  g_autoptr(GPtrArray) attachments = NULL;
  g_autoptr(GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *dir = store_blob_dir (store);
  g_autofree char *checked = NULL;
  g_autoptr(GError) state_error = NULL;
  guint failed_before = report->blobs_failed;

  /* Listing every attachment and looking for its file costs tens of
   * milliseconds on a large store, on every sync: it is done only after
   * pulled pages brought attachments (they clear the mark in their
   * transaction) or when files were missing the last time. */
  checked = procura_store_sync_get_state (store, PROCURA_SYNC_STATE_BLOBS_CHECKED, &state_error);
  if (state_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&state_error));
      return FALSE;
    }
  if (g_strcmp0 (checked, "1") == 0)
    return TRUE;

  if (!(attachments = procura_store_list (store, procura_schema_lookup ("attachment"), NULL, NULL, error)))
    return FALSE;
  for (guint i = 0; i < attachments->len; i++)
    {
      const char *sha256 = procura_record_get_string (g_ptr_array_index (attachments, i), "sha256");
      g_autoptr(GError) local_error = NULL;

      if (!is_sha256_hex (sha256) || procura_blobs_has (dir, sha256) || !g_hash_table_add (seen, (gpointer) sha256))
        continue;
      if (download_blob (self, session, dir, sha256, cancellable, &local_error))
        {
          report->blobs_downloaded++;
          continue;
        }
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      g_debug ("download of file %s: %s", sha256, local_error->message);
      report->blobs_failed++;
    }

  if (report->blobs_failed == failed_before)
    return procura_store_sync_set_state (store, PROCURA_SYNC_STATE_BLOBS_CHECKED, "1", error);
  return TRUE;
}

/* ---- the server's conflict list -------------------------------------- */

/* GET /v1/conflicts: what the server keeps open, so the person whose
 * value lost a merge sees it here as well as the one whose push won. A
 * server without the endpoint is not an error. */
static gboolean
fetch_conflicts (ProcuraSync   *self,
                 SoupSession   *session,
                 ProcuraStore  *store,
                 GCancellable  *cancellable,
                 GError       **error)
{
  Request req = { "GET", "/v1/conflicts", NULL, NULL, TRUE, TRUE };
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) local_error = NULL;
  g_autofree char *username = NULL;
  JsonNode *root;
  JsonArray *conflicts = NULL;
  const char *data;
  gsize size = 0;
  guint status = 0;

  bytes = send_request (self, session, &req, &status, cancellable, &local_error);
  if (bytes == NULL)
    {
      if (g_error_matches (local_error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_SUPPORTED))
        {
          g_debug ("GET /v1/conflicts: %s", local_error->message);
          return TRUE;
        }
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  data = g_bytes_get_data (bytes, &size);
  if (data == NULL || !json_parser_load_from_data (parser, data, size, NULL))
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Server: the conflict list is not JSON"));
      return FALSE;
    }

  /* {"conflicts": […]}, or the array itself */
  root = json_parser_get_root (parser);
  if (JSON_NODE_HOLDS_ARRAY (root))
    conflicts = json_node_get_array (root);
  else if (JSON_NODE_HOLDS_OBJECT (root) && json_object_has_member (json_node_get_object (root), "conflicts") &&
           JSON_NODE_HOLDS_ARRAY (json_object_get_member (json_node_get_object (root), "conflicts")))
    conflicts = json_object_get_array_member (json_node_get_object (root), "conflicts");
  if (conflicts == NULL)
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Server: the conflict list has no conflicts"));
      return FALSE;
    }

  username = procura_store_sync_get_state (store, PROCURA_SYNC_STATE_USERNAME, NULL);
  if (!procura_store_sync_merge_server_conflicts (store, conflicts, username, &local_error))
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL,
                   _("Server: the conflict list is malformed (%s)"), local_error->message);
      return FALSE;
    }

  return TRUE;
}

static gboolean
run (ProcuraSync        *self,
     SoupSession        *session,
     ProcuraStore       *store,
     ProcuraSyncReport  *report,
     GCancellable       *cancellable,
     GError            **error)
{
  if (self->token == NULL)
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN,
                   _("Not logged in: run “procura-cli login --server URL --user NAME” first"));
      return FALSE;
    }

  return upload_blobs (self, session, store, report, cancellable, error) &&
         push (self, session, store, report, cancellable, error) &&
         pull (self, session, store, report, cancellable, error) &&
         download_blobs (self, session, store, report, cancellable, error) &&
         fetch_conflicts (self, session, store, cancellable, error);
}

gboolean
procura_sync_run (ProcuraSync        *self,
                  ProcuraStore       *store,
                  ProcuraSyncReport  *report,
                  GCancellable       *cancellable,
                  GError            **error)
{
  ProcuraSyncReport local_report = { 0, };

  g_return_val_if_fail (PROCURA_IS_SYNC (self), FALSE);
  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);

  if (report == NULL)
    report = &local_report;
  memset (report, 0, sizeof *report);

  return run (self, get_session (self), store, report, cancellable, error);
}

static void
run_thread (GTask        *task,
            gpointer      source_object,
            gpointer      task_data,
            GCancellable *cancellable)
{
  ProcuraSync *self = source_object;
  ProcuraSyncReport *report = task_data;
  /* a session and a store connection of this thread's own: neither is
   * shared with the thread that called */
  g_autoptr(SoupSession) session = create_session ();
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (!(store = procura_store_open (self->data_dir, &error)) ||
      !run (self, session, store, report, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
procura_sync_run_async (ProcuraSync         *self,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PROCURA_IS_SYNC (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, procura_sync_run_async);
  g_task_set_task_data (task, g_new0 (ProcuraSyncReport, 1), g_free);
  g_task_run_in_thread (task, run_thread);
}

gboolean
procura_sync_run_finish (ProcuraSync        *self,
                         GAsyncResult       *result,
                         ProcuraSyncReport  *report,
                         GError            **error)
{
  g_return_val_if_fail (PROCURA_IS_SYNC (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  /* what got done before a failure is reported too */
  if (report != NULL)
    *report = *(ProcuraSyncReport *) g_task_get_task_data (G_TASK (result));

  return g_task_propagate_boolean (G_TASK (result), error);
}
