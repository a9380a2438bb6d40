/* procura-account.h — the account of this device
 *
 * Which server this data directory syncs with, as whom, and the session
 * token (never the password). Kept in <data_dir>/account.json, mode 0600;
 * the token in the desktop's keyring (Secret Service) when one is running,
 * else in the same file. PROCURA_NO_KEYRING=1 keeps it in the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The account of this device, as account.json keeps it. */
typedef struct
{
  char *server;
  char *username;
  char *role;
  char *organization;
  char *token;
  char *expires_at;
} ProcuraAccount;

void            procura_account_free     (ProcuraAccount  *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraAccount, procura_account_free)

/* <data_dir>/account.json; PROCURA_SYNC_ERROR_NOT_LOGGED_IN when missing. */
ProcuraAccount *procura_account_load     (const char      *data_dir,
                                          GError         **error);
/* Written with mode 0600, atomically; the token goes to the keyring when
 * one is running (account.json then says "token_storage": "keyring").
 * Never holds the password. */
gboolean        procura_account_save     (const char      *data_dir,
                                          const ProcuraAccount *account,
                                          GError         **error);
/* Removes account.json and the keyring's copy of the token. */
gboolean        procura_account_remove   (const char      *data_dir,
                                          GError         **error);

G_END_DECLS
