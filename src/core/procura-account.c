/* procura-account.c — the account of this device (account.json)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <errno.h>

#if HAVE_LIBSECRET
#include <libsecret/secret.h>
#endif

#include "procura-account.h"
#include "procura-sync.h"

#define ACCOUNT_FILE "account.json"
#define TOKEN_IN_KEYRING "keyring"

/* ---- the keyring --------------------------------------------------------
 *
 * Where the desktop has a Secret Service (GNOME Keyring, KWallet), the
 * token goes there and account.json only says so. Nothing here may make
 * a login or a start wait: without a session bus, or with no service
 * running on it, the file is used at once; a keyring that asks to be
 * unlocked gets a few seconds. PROCURA_NO_KEYRING=1 always uses the file
 * (tests, and people who prefer it).
 */

#if HAVE_LIBSECRET
#define KEYRING_DEADLINE_US (8 * G_USEC_PER_SEC)

static const SecretSchema *
token_schema (void)
{
  static const SecretSchema schema = {
    "cn.gov.procura.Token", SECRET_SCHEMA_NONE,
    {
      { "server", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      /* two data folders logged in as the same person keep two sessions */
      { "data-dir", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    },
  };

  return &schema;
}

/* The folder as the keyring item names it: the same folder reached by a
 * relative path (procura-cli --data-dir .) or an absolute one (the app)
 * finds the same token. */
static char *
canonical_dir (const char *data_dir)
{
  return g_canonicalize_filename (data_dir, NULL);
}

/* The session bus this process was given: $DBUS_SESSION_BUS_ADDRESS, or
 * the per-user bus at $XDG_RUNTIME_DIR/bus. Not
 * g_dbus_address_get_for_bus_sync(): without those two it runs
 * “dbus-launch --autolaunch” under X11 on every call (a fork and exec in
 * the middle of a login), and the first one starts a bus daemon that
 * outlives us. */
static char *
session_bus_address (void)
{
  const char *env = g_getenv ("DBUS_SESSION_BUS_ADDRESS");
  const char *runtime_dir = g_getenv ("XDG_RUNTIME_DIR");
  g_autofree char *path = NULL;
  g_autofree char *escaped = NULL;

  if (env != NULL && *env != '\0')
    return g_str_has_prefix (env, "autolaunch:") ? NULL : g_strdup (env);
  if (runtime_dir == NULL || *runtime_dir == '\0')
    return NULL;
  path = g_build_filename (runtime_dir, "bus", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    return NULL;
  escaped = g_dbus_address_escape_value (path);

  return g_strconcat ("unix:path=", escaped, NULL);
}

/* Whether a Secret Service runs now, asked without starting anything:
 * no bus autolaunch, no service activation. */
static gboolean
keyring_available (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  g_autofree char *address = NULL;
  gboolean owned = FALSE;

  if (g_strcmp0 (g_getenv ("PROCURA_NO_KEYRING"), "1") == 0)
    return FALSE;

  if ((address = session_bus_address ()) == NULL)
    return FALSE;
  if (g_str_has_prefix (address, "unix:path="))
    {
      g_autofree char *path = g_strndup (address + strlen ("unix:path="),
                                         strcspn (address + strlen ("unix:path="), ",;"));

      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        return FALSE;
    }

  bus = g_dbus_connection_new_for_address_sync (address,
                                                G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
                                                G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                NULL, NULL, NULL);
  if (bus == NULL)
    return FALSE;
  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", "org.freedesktop.secrets"),
                                       G_VARIANT_TYPE ("(b)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                       1000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &owned);
  g_dbus_connection_close_sync (bus, NULL, NULL);

  return owned;
}

/* A keyring call gets KEYRING_DEADLINE_US, then is cancelled: an unlock
 * prompt nobody answers must not hang a login or a start. */
typedef struct
{
  GMutex        mutex;
  GCond         cond;
  gboolean      done;
  GCancellable *cancellable;
} Deadline;

static gpointer
deadline_thread (gpointer data)
{
  Deadline *deadline = data;
  gint64 end = g_get_monotonic_time () + KEYRING_DEADLINE_US;

  g_mutex_lock (&deadline->mutex);
  while (!deadline->done)
    if (!g_cond_wait_until (&deadline->cond, &deadline->mutex, end))
      break;
  if (!deadline->done)
    g_cancellable_cancel (deadline->cancellable);
  g_mutex_unlock (&deadline->mutex);

  return NULL;
}

static GThread *
deadline_start (Deadline *deadline)
{
  g_mutex_init (&deadline->mutex);
  g_cond_init (&deadline->cond);
  deadline->done = FALSE;
  deadline->cancellable = g_cancellable_new ();

  return g_thread_new ("procura-keyring-deadline", deadline_thread, deadline);
}

static void
deadline_end (Deadline *deadline,
              GThread  *thread)
{
  g_mutex_lock (&deadline->mutex);
  deadline->done = TRUE;
  g_cond_signal (&deadline->cond);
  g_mutex_unlock (&deadline->mutex);
  g_thread_join (thread);
  g_clear_object (&deadline->cancellable);
  g_mutex_clear (&deadline->mutex);
  g_cond_clear (&deadline->cond);
}

static gboolean
keyring_store (const char           *data_dir,
               const ProcuraAccount *account)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *label = NULL;
  g_autofree char *dir = canonical_dir (data_dir);
  Deadline deadline;
  GThread *thread;
  gboolean ok;

  if (account->token == NULL || !keyring_available ())
    return FALSE;

  /* Translators: the keyring item of a session; %s are the account and the server */
  label = g_strdup_printf (_("Procura session of %s on %s"),
                           account->username != NULL ? account->username : "?", account->server);
  thread = deadline_start (&deadline);
  ok = secret_password_store_sync (token_schema (), SECRET_COLLECTION_DEFAULT, label, account->token,
                                   deadline.cancellable, &error,
                                   "server", account->server,
                                   "username", account->username != NULL ? account->username : "",
                                   "data-dir", dir,
                                   NULL);
  deadline_end (&deadline, thread);
  if (!ok)
    g_debug ("Token not kept in the keyring (%s); using account.json", error->message);

  return ok;
}

static char *
keyring_lookup (const char  *data_dir,
                const char  *server,
                const char  *username,
                GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *dir = canonical_dir (data_dir);
  char *token = NULL;
  Deadline deadline;
  GThread *thread;
  gboolean available;

  if ((available = keyring_available ()))
    {
      thread = deadline_start (&deadline);
      token = secret_password_lookup_sync (token_schema (), deadline.cancellable, &local_error,
                                           "server", server,
                                           "username", username != NULL ? username : "",
                                           "data-dir", dir,
                                           NULL);
      deadline_end (&deadline, thread);
    }

  if (token == NULL)
    g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN,
                 _("Account: the session token is not in the keyring (%s); log in again"),
                 local_error != NULL ? local_error->message
                 : available ? _("it was removed, or the keyring was reset")
                 : _("no keyring is running"));

  return token;
}

static void
keyring_clear (const char *data_dir,
               const char *server,
               const char *username)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = canonical_dir (data_dir);
  Deadline deadline;
  GThread *thread;

  if (!keyring_available ())
    return;

  thread = deadline_start (&deadline);
  if (!secret_password_clear_sync (token_schema (), deadline.cancellable, &error,
                                   "server", server,
                                   "username", username != NULL ? username : "",
                                   "data-dir", dir,
                                   NULL) && error != NULL)
    g_debug ("Could not remove the token from the keyring: %s", error->message);
  deadline_end (&deadline, thread);
}
#else
static gboolean
keyring_store (const char           *data_dir,
               const ProcuraAccount *account)
{
  return FALSE;
}

static char *
keyring_lookup (const char  *data_dir,
                const char  *server,
                const char  *username,
                GError     **error)
{
  g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN,
               _("Account: the session token is in a keyring this build cannot read; log in again"));
  return NULL;
}

static void
keyring_clear (const char *data_dir,
               const char *server,
               const char *username)
{
}
#endif

void
procura_account_free (ProcuraAccount *account)
{
  if (account == NULL)
    return;

  g_free (account->server);
  g_free (account->username);
  g_free (account->role);
  g_free (account->organization);
  g_free (account->token);
  g_free (account->expires_at);
  g_free (account);
}

ProcuraAccount *
procura_account_load (const char  *data_dir,
                      GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, ACCOUNT_FILE, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(ProcuraAccount) account = g_new0 (ProcuraAccount, 1);
  g_autoptr(GError) local_error = NULL;
  JsonObject *object;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN,
                   _("Not logged in: run “procura-cli login --server URL --user NAME” first"));
      return NULL;
    }

  if (!json_parser_load_from_file (parser, path, &local_error) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN,
                   _("Account: “%s” is unreadable (%s); log in again"), path,
                   local_error != NULL ? local_error->message : _("not a JSON object"));
      return NULL;
    }

  object = json_node_get_object (json_parser_get_root (parser));
#define MEMBER(name) g_strdup (json_object_get_string_member_with_default (object, (name), NULL))
  account->server = MEMBER ("server");
  account->username = MEMBER ("username");
  account->role = MEMBER ("role");
  account->organization = MEMBER ("organization");
  account->token = MEMBER ("token");
  account->expires_at = MEMBER ("expires_at");
#undef MEMBER

  if (account->token == NULL && account->server != NULL &&
      g_strcmp0 (json_object_get_string_member_with_default (object, "token_storage", NULL),
                 TOKEN_IN_KEYRING) == 0 &&
      !(account->token = keyring_lookup (data_dir, account->server, account->username, error)))
    return NULL;

  if (account->server == NULL || account->token == NULL)
    {
      g_set_error (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN,
                   _("Account: “%s” has no server or token; log in again"), path);
      return NULL;
    }

  return g_steal_pointer (&account);
}

gboolean
procura_account_save (const char            *data_dir,
                      const ProcuraAccount  *account,
                      GError               **error)
{
  g_autofree char *path = g_build_filename (data_dir, ACCOUNT_FILE, NULL);
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  gboolean in_keyring;

  in_keyring = keyring_store (data_dir, account);

  json_builder_begin_object (builder);
#define MEMBER(name, value) \
  json_builder_set_member_name (builder, (name)); \
  if ((value) != NULL) json_builder_add_string_value (builder, (value)); else json_builder_add_null_value (builder)
  MEMBER ("server", account->server);
  MEMBER ("username", account->username);
  MEMBER ("role", account->role);
  MEMBER ("organization", account->organization);
  if (in_keyring)
    {
      json_builder_set_member_name (builder, "token_storage");
      json_builder_add_string_value (builder, TOKEN_IN_KEYRING);
    }
  else
    {
      MEMBER ("token", account->token);
    }
  MEMBER ("expires_at", account->expires_at);
#undef MEMBER
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);

  if (g_mkdir_with_parents (data_dir, 0700) != 0)
    {
      int errsv = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("Data directory: cannot create “%s”: %s"), data_dir, g_strerror (errsv));
      return FALSE;
    }

  /* the token is a password for 30 days: only its owner may read it */
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);
}

gboolean
procura_account_remove (const char  *data_dir,
                        GError     **error)
{
  g_autofree char *path = g_build_filename (data_dir, ACCOUNT_FILE, NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();

  /* the keyring's copy goes too, when account.json says there is one */
  if (json_parser_load_from_file (parser, path, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *object = json_node_get_object (json_parser_get_root (parser));
      const char *server = json_object_get_string_member_with_default (object, "server", NULL);

      if (server != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (object, "token_storage", NULL),
                     TOKEN_IN_KEYRING) == 0)
        keyring_clear (data_dir, server,
                       json_object_get_string_member_with_default (object, "username", NULL));
    }

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int errsv = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("Account: cannot remove “%s”: %s"), path, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}
