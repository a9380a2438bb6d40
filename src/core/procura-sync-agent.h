/* procura-sync-agent.h — syncing in the background, with a visible state
 *
 * The desktop app's side of sync: one ProcuraSyncAgent per data folder
 * runs the sync engine (procura-sync.h) when the app starts, every
 * ProcuraSyncAgent:interval seconds, a moment after a local edit
 * (ProcuraSyncAgent:debounce), when the network comes back and when
 * asked — never two runs at once — and says where things stand
 * (ProcuraSyncAgent:status, :n-pending, :n-conflicts, …). Logging in and
 * out go through it so that the account file, the keyring and the
 * store's sync state change together.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "procura-account.h"
#include "procura-store.h"

G_BEGIN_DECLS

typedef enum
{
  PROCURA_SYNC_STATUS_LOCAL,        /* no account: a ledger on this computer only */
  PROCURA_SYNC_STATUS_SYNCED,       /* the last run went through */
  PROCURA_SYNC_STATUS_SYNCING,      /* a run is under way */
  PROCURA_SYNC_STATUS_OFFLINE,      /* the server could not be reached */
  PROCURA_SYNC_STATUS_NEEDS_LOGIN,  /* the session ended (401): the password is needed again */
  PROCURA_SYNC_STATUS_FAILED,       /* the server refused, or answered wrongly: see :last-error */
} ProcuraSyncStatus;

GType procura_sync_status_get_type (void);
#define PROCURA_TYPE_SYNC_STATUS (procura_sync_status_get_type ())

#define PROCURA_TYPE_SYNC_AGENT (procura_sync_agent_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraSyncAgent, procura_sync_agent, PROCURA, SYNC_AGENT, GObject)

/* store: the app's connection; counts are read and edits watched there.
 * The runs open connections of their own in its data directory. */
ProcuraSyncAgent  *procura_sync_agent_new             (ProcuraStore      *store);
ProcuraStore      *procura_sync_agent_get_store       (ProcuraSyncAgent  *self);
/* After the database was replaced (a new empty ledger): counts again. */
void               procura_sync_agent_set_store       (ProcuraSyncAgent  *self,
                                                       ProcuraStore      *store);

/* Reads the account of the data folder and, with one, syncs now and then
 * on the schedule. */
void               procura_sync_agent_start           (ProcuraSyncAgent  *self);
/* A run now, or right after the one under way. Nothing without an
 * account or while the password is needed. */
void               procura_sync_agent_sync_now        (ProcuraSyncAgent  *self);
/* Stops the runs (cancels the one under way), e.g. before the database
 * is moved. procura_sync_agent_start() resumes. */
void               procura_sync_agent_stop            (ProcuraSyncAgent  *self);
gboolean           procura_sync_agent_get_running     (ProcuraSyncAgent  *self);

ProcuraSyncStatus  procura_sync_agent_get_status      (ProcuraSyncAgent  *self);
guint              procura_sync_agent_get_n_pending   (ProcuraSyncAgent  *self);
guint              procura_sync_agent_get_n_conflicts (ProcuraSyncAgent  *self);
/* UTC; NULL before the first run that went through in this session. */
GDateTime         *procura_sync_agent_get_last_synced (ProcuraSyncAgent  *self);
const char        *procura_sync_agent_get_last_error  (ProcuraSyncAgent  *self);
const char        *procura_sync_agent_get_server      (ProcuraSyncAgent  *self);
const char        *procura_sync_agent_get_username    (ProcuraSyncAgent  *self);
const char        *procura_sync_agent_get_role        (ProcuraSyncAgent  *self);
const char        *procura_sync_agent_get_organization (ProcuraSyncAgent *self);
/* Reads :n-pending and :n-conflicts from the store again. */
void               procura_sync_agent_refresh_counts  (ProcuraSyncAgent  *self);

/* Changes made on this computer that a login as account would send
 * although they were not made under it: all unsent ones when the store
 * never synced (no pull cursor) or last synced as someone else, or with
 * another server; else 0. account NULL: only the first case. */
guint              procura_sync_agent_count_local_records (ProcuraSyncAgent     *self,
                                                           const ProcuraAccount *account);
/* TRUE when the store holds records pulled as another account (or from
 * another server): logging in over them would show that account's data. */
gboolean           procura_sync_agent_holds_other_account (ProcuraSyncAgent     *self,
                                                           const ProcuraAccount *account);

/* Logging in is two steps, so that the app can ask what to do with local
 * records in between: login_async() asks the server for a session (it
 * changes nothing here); begin_session() keeps it — account file or
 * keyring, the store's sync state — and syncs; discard_login_async()
 * revokes a session that is not wanted after all. */
void               procura_sync_agent_login_async     (ProcuraSyncAgent    *self,
                                                       const char          *server,
                                                       const char          *username,
                                                       const char          *password,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
ProcuraAccount    *procura_sync_agent_login_finish    (ProcuraSyncAgent    *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);
gboolean           procura_sync_agent_begin_session   (ProcuraSyncAgent    *self,
                                                       const ProcuraAccount *account,
                                                       GError             **error);
void               procura_sync_agent_discard_login_async (ProcuraSyncAgent    *self,
                                                       const ProcuraAccount *account,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);

/* Revokes the session on the server (as far as it can be reached) and
 * forgets the token here; unsent changes stay for the next login. */
void               procura_sync_agent_logout_async    (ProcuraSyncAgent    *self,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
gboolean           procura_sync_agent_logout_finish   (ProcuraSyncAgent    *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

/* The role's name for people ("officer" → 经办人 in Chinese). */
const char        *procura_sync_role_display_name     (const char          *role);

G_END_DECLS
