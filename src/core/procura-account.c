/* procura-account.c — the account of this device (account.json)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <errno.h>

#include "procura-account.h"
#include "procura-sync.h"

#define ACCOUNT_FILE "account.json"

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

  json_builder_begin_object (builder);
#define MEMBER(name, value) \
  json_builder_set_member_name (builder, (name)); \
  if ((value) != NULL) json_builder_add_string_value (builder, (value)); else json_builder_add_null_value (builder)
  MEMBER ("server", account->server);
  MEMBER ("username", account->username);
  MEMBER ("role", account->role);
  MEMBER ("organization", account->organization);
  MEMBER ("token", account->token);
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

  if (g_unlink (path) != 0 && errno != ENOENT)
    {
      int errsv = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                   _("Account: cannot remove “%s”: %s"), path, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}
