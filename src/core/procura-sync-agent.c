/* procura-sync-agent.c — syncing in the background, with a visible state
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "procura-store-sync.h"
#include "procura-sync.h"
#include "procura-sync-agent.h"

#define DEFAULT_INTERVAL 60      /* seconds between runs */
#define DEFAULT_DEBOUNCE 2000    /* ms after the last local edit */

struct _ProcuraSyncAgent
{
  GObject            parent_instance;

  ProcuraStore      *store;
  gulong             committed_id;
  GMainContext      *context;       /* where the agent lives */

  ProcuraAccount    *account;       /* NULL: no session */
  ProcuraSync       *sync;
  /* without a session: whom the store last synced as (to ask again) */
  char              *server;
  char              *username;
  char              *role;
  char              *organization;

  GCancellable      *cancellable;   /* of the run under way */
  gboolean           running;
  gboolean           again;         /* asked for during a run */
  gboolean           started;

  GNetworkMonitor   *monitor;
  gboolean           network_available;

  ProcuraSyncStatus  status;
  guint              n_pending;
  guint              n_conflicts;
  GDateTime         *last_synced;
  char              *last_error;

  guint              interval;
  guint              debounce;
  guint              periodic_id;
  guint              debounce_id;
  guint              progress_id;   /* counts the outbox down during a run */
  gint               committed_pending;  /* atomic: an idle is on its way */
};

G_DEFINE_FINAL_TYPE (ProcuraSyncAgent, procura_sync_agent, G_TYPE_OBJECT)

G_DEFINE_ENUM_TYPE (ProcuraSyncStatus, procura_sync_status,
  G_DEFINE_ENUM_VALUE (PROCURA_SYNC_STATUS_LOCAL, "local"),
  G_DEFINE_ENUM_VALUE (PROCURA_SYNC_STATUS_SYNCED, "synced"),
  G_DEFINE_ENUM_VALUE (PROCURA_SYNC_STATUS_SYNCING, "syncing"),
  G_DEFINE_ENUM_VALUE (PROCURA_SYNC_STATUS_OFFLINE, "offline"),
  G_DEFINE_ENUM_VALUE (PROCURA_SYNC_STATUS_NEEDS_LOGIN, "needs-login"),
  G_DEFINE_ENUM_VALUE (PROCURA_SYNC_STATUS_FAILED, "failed"))

enum {
  PROP_0,
  PROP_STORE,
  PROP_STATUS,
  PROP_N_PENDING,
  PROP_N_CONFLICTS,
  PROP_LAST_SYNCED,
  PROP_LAST_ERROR,
  PROP_SERVER,
  PROP_USERNAME,
  PROP_ROLE,
  PROP_ORGANIZATION,
  PROP_INTERVAL,
  PROP_DEBOUNCE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

enum {
  PULLED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void schedule_periodic (ProcuraSyncAgent *self);

const char *
procura_sync_role_display_name (const char *role)
{
  if (g_strcmp0 (role, "admin") == 0)
    return C_("role", "Administrator");
  if (g_strcmp0 (role, "officer") == 0)
    return C_("role", "Officer");
  if (g_strcmp0 (role, "agency") == 0)
    return C_("role", "Service agency");
  if (g_strcmp0 (role, "auditor") == 0)
    return C_("role", "Auditor");

  return role;
}

static void
set_status (ProcuraSyncAgent  *self,
            ProcuraSyncStatus  status)
{
  if (self->status == status)
    return;

  self->status = status;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STATUS]);
}

static void
set_last_error (ProcuraSyncAgent *self,
                const char       *message)
{
  if (g_strcmp0 (self->last_error, message) == 0)
    return;

  g_free (self->last_error);
  self->last_error = g_strdup (message);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LAST_ERROR]);
}

static void
set_string (ProcuraSyncAgent  *self,
            char             **field,
            const char        *value,
            guint              prop)
{
  if (g_strcmp0 (*field, value) == 0)
    return;

  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties [prop]);
}

/* Who this folder syncs as: the account, else the store's memory of it. */
static void
set_identity (ProcuraSyncAgent *self,
              const char       *server,
              const char       *username,
              const char       *role,
              const char       *organization)
{
  g_object_freeze_notify (G_OBJECT (self));
  set_string (self, &self->server, server, PROP_SERVER);
  set_string (self, &self->username, username, PROP_USERNAME);
  set_string (self, &self->role, role, PROP_ROLE);
  set_string (self, &self->organization, organization, PROP_ORGANIZATION);
  g_object_thaw_notify (G_OBJECT (self));
}

void
procura_sync_agent_refresh_counts (ProcuraSyncAgent *self)
{
  g_autoptr(GPtrArray) conflicts = NULL;
  g_autoptr(GError) error = NULL;
  gint64 pending;
  guint n_conflicts = 0;

  g_return_if_fail (PROCURA_IS_SYNC_AGENT (self));

  if (self->store == NULL)
    return;

  pending = procura_store_sync_count_outbox (self->store, &error);
  if (pending < 0)
    {
      g_warning ("Could not count unsent changes: %s", error->message);
      pending = self->n_pending;
      g_clear_error (&error);
    }
  if ((conflicts = procura_store_sync_list_conflicts (self->store, FALSE, &error)))
    n_conflicts = conflicts->len;
  else
    {
      g_warning ("Could not list conflicts: %s", error->message);
      n_conflicts = self->n_conflicts;
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (self->n_pending != (guint) pending)
    {
      self->n_pending = (guint) pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_PENDING]);
    }
  if (self->n_conflicts != n_conflicts)
    {
      self->n_conflicts = n_conflicts;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_CONFLICTS]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* ---- runs --------------------------------------------------------------- */

static gboolean
progress_cb (gpointer user_data)
{
  ProcuraSyncAgent *self = user_data;
  gint64 pending;

  /* only the outbox moves during a run: conflicts are counted at its end */
  if (self->store != NULL &&
      (pending = procura_store_sync_count_outbox (self->store, NULL)) >= 0 &&
      self->n_pending != (guint) pending)
    {
      self->n_pending = (guint) pending;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_PENDING]);
    }

  return G_SOURCE_CONTINUE;
}

static void
run_cb (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(ProcuraSyncAgent) self = user_data;
  g_autoptr(GError) error = NULL;
  ProcuraSyncReport report = { 0, };
  gboolean ok;

  ok = procura_sync_run_finish (PROCURA_SYNC (source), result, &report, &error);
  self->running = FALSE;
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_object (&self->cancellable);

  g_debug ("Sync run: %s; pushed %u, pulled %u, conflicts %u, rejected %u",
           ok ? "done" : error->message, report.pushed, report.pulled, report.conflicts, report.rejected);

  /* a logout, a stop or a new session cancelled it: they set the state
   * themselves; a new session asked for a run of its own */
  if (!ok && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      procura_sync_agent_refresh_counts (self);
      if (self->again && self->started)
        procura_sync_agent_sync_now (self);
      return;
    }

  g_object_freeze_notify (G_OBJECT (self));
  if (ok)
    {
      g_clear_pointer (&self->last_synced, g_date_time_unref);
      self->last_synced = g_date_time_new_now_utc ();
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LAST_SYNCED]);
      set_last_error (self, NULL);
      set_status (self, PROCURA_SYNC_STATUS_SYNCED);
    }
  else
    {
      set_last_error (self, error->message);
      if (g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAVAILABLE))
        set_status (self, PROCURA_SYNC_STATUS_OFFLINE);
      else if (g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAUTHORIZED) ||
               g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_LOGGED_IN))
        set_status (self, PROCURA_SYNC_STATUS_NEEDS_LOGIN);
      else
        set_status (self, PROCURA_SYNC_STATUS_FAILED);
    }
  procura_sync_agent_refresh_counts (self);
  g_object_thaw_notify (G_OBJECT (self));

  /* what another device did, or what the server decided about ours, is
   * in the store now: the views read it again */
  if (report.pulled + report.conflicts + report.rejected + report.merged + report.blobs_downloaded > 0)
    g_signal_emit (self, signals [PULLED], 0);

  if (self->again && self->status != PROCURA_SYNC_STATUS_NEEDS_LOGIN)
    {
      self->again = FALSE;
      procura_sync_agent_sync_now (self);
    }
}

void
procura_sync_agent_sync_now (ProcuraSyncAgent *self)
{
  g_return_if_fail (PROCURA_IS_SYNC_AGENT (self));

  g_clear_handle_id (&self->debounce_id, g_source_remove);

  /* stopped (the ledger being replaced) or without a store: nothing may
   * open the database now */
  if (self->sync == NULL || self->status == PROCURA_SYNC_STATUS_NEEDS_LOGIN ||
      !self->started || self->store == NULL)
    return;

  if (self->running)
    {
      self->again = TRUE;
      return;
    }

  self->running = TRUE;
  self->again = FALSE;
  self->cancellable = g_cancellable_new ();
  /* Offline stays offline while a run tries again: a run without a server
   * retries for up to two minutes, and the periodic run starts the next
   * one, so "Syncing…" would otherwise hide the outage for good. */
  if (self->status != PROCURA_SYNC_STATUS_OFFLINE)
    set_status (self, PROCURA_SYNC_STATUS_SYNCING);
  procura_sync_run_async (self->sync, self->cancellable, run_cb, g_object_ref (self));
  /* a first push of a whole ledger takes a while: "N to send" counts down
   * as the server acknowledges each batch */
  g_clear_handle_id (&self->progress_id, g_source_remove);
  self->progress_id = g_timeout_add_seconds (1, progress_cb, self);
}

gboolean
procura_sync_agent_get_running (ProcuraSyncAgent *self)
{
  g_return_val_if_fail (PROCURA_IS_SYNC_AGENT (self), FALSE);

  return self->running;
}

static gboolean
periodic_cb (gpointer user_data)
{
  ProcuraSyncAgent *self = user_data;

  if (self->status != PROCURA_SYNC_STATUS_NEEDS_LOGIN)
    procura_sync_agent_sync_now (self);

  return G_SOURCE_CONTINUE;
}

static void
schedule_periodic (ProcuraSyncAgent *self)
{
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  if (self->sync != NULL && self->started && self->interval > 0)
    self->periodic_id = g_timeout_add_seconds (self->interval, periodic_cb, self);
}

static gboolean
debounce_cb (gpointer user_data)
{
  ProcuraSyncAgent *self = user_data;

  self->debounce_id = 0;
  procura_sync_agent_sync_now (self);

  return G_SOURCE_REMOVE;
}

/* In the agent's thread: counts again, and sends the edit a moment later
 * (a burst of edits makes one run). */
static gboolean
committed_idle (gpointer user_data)
{
  ProcuraSyncAgent *self = user_data;

  g_atomic_int_set (&self->committed_pending, FALSE);
  if (self->store == NULL)
    return G_SOURCE_REMOVE;

  procura_sync_agent_refresh_counts (self);
  if (self->sync != NULL && self->started && self->n_pending > 0 &&
      self->status != PROCURA_SYNC_STATUS_NEEDS_LOGIN)
    {
      g_clear_handle_id (&self->debounce_id, g_source_remove);
      self->debounce_id = g_timeout_add (self->debounce, debounce_cb, self);
    }

  return G_SOURCE_REMOVE;
}

static void
store_committed_cb (ProcuraStore     *store,
                    ProcuraSyncAgent *self)
{
  g_autoptr(GSource) source = NULL;

  /* once per burst of commits (an import commits thousands), in the
   * agent's thread (the store may commit in a worker) */
  if (!g_atomic_int_compare_and_exchange (&self->committed_pending, FALSE, TRUE))
    return;

  source = g_idle_source_new ();
  g_source_set_priority (source, G_PRIORITY_DEFAULT);
  g_source_set_callback (source, committed_idle, g_object_ref (self), g_object_unref);
  g_source_set_static_name (source, "[procura] store committed");
  g_source_attach (source, self->context);
}

static void
network_changed_cb (ProcuraSyncAgent *self,
                    GParamSpec       *pspec,
                    GNetworkMonitor  *monitor)
{
  gboolean available = g_network_monitor_get_network_available (monitor);

  if (available && !self->network_available && self->status == PROCURA_SYNC_STATUS_OFFLINE)
    procura_sync_agent_sync_now (self);
  self->network_available = available;
}

/* ---- the account ---------------------------------------------------------- */

static void
read_identity_from_store (ProcuraSyncAgent *self)
{
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;
  g_autofree char *role = NULL;
  g_autofree char *organization = NULL;

  if (self->store != NULL)
    {
      server = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_SERVER, NULL);
      username = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_USERNAME, NULL);
      role = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_ROLE, NULL);
      organization = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_ORGANIZATION, NULL);
    }
  set_identity (self, server, username, role, organization);
}

static void
set_account (ProcuraSyncAgent *self,
             ProcuraAccount   *account)
{
  g_clear_pointer (&self->account, procura_account_free);
  g_clear_object (&self->sync);
  self->account = account;

  if (account != NULL)
    {
      self->sync = procura_sync_new (procura_store_get_data_dir (self->store), account->server, account->token);
      set_identity (self, account->server, account->username, account->role, account->organization);
    }
}

void
procura_sync_agent_start (ProcuraSyncAgent *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL;
  ProcuraAccount *account;

  g_return_if_fail (PROCURA_IS_SYNC_AGENT (self));
  g_return_if_fail (self->store != NULL);

  self->started = TRUE;
  procura_sync_agent_refresh_counts (self);

  account = procura_account_load (procura_store_get_data_dir (self->store), &error);
  set_account (self, account);
  if (account == NULL)
    {
      path = g_build_filename (procura_store_get_data_dir (self->store), "account.json", NULL);
      read_identity_from_store (self);
      if (g_file_test (path, G_FILE_TEST_EXISTS))
        {
          /* an account whose token is gone (from the keyring, say) */
          set_last_error (self, error->message);
          set_status (self, PROCURA_SYNC_STATUS_NEEDS_LOGIN);
        }
      else
        {
          set_identity (self, NULL, NULL, NULL, NULL);
          set_status (self, PROCURA_SYNC_STATUS_LOCAL);
        }
      return;
    }

  schedule_periodic (self);
  procura_sync_agent_sync_now (self);
}

void
procura_sync_agent_stop (ProcuraSyncAgent *self)
{
  g_return_if_fail (PROCURA_IS_SYNC_AGENT (self));

  self->started = FALSE;
  self->again = FALSE;
  g_clear_handle_id (&self->periodic_id, g_source_remove);
  g_clear_handle_id (&self->debounce_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
}

guint
procura_sync_agent_count_local_records (ProcuraSyncAgent     *self,
                                        const ProcuraAccount *account)
{
  g_autofree char *cursor = NULL;
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;
  g_autoptr(GError) error = NULL;
  gboolean same_account;
  gint64 n;

  g_return_val_if_fail (PROCURA_IS_SYNC_AGENT (self), 0);

  if (self->store == NULL)
    return 0;

  /* a store that pulled once as this account holds the server's records
   * and this account's edits of them */
  cursor = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_CURSOR, &error);
  if (error != NULL)
    return 0;
  server = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_SERVER, NULL);
  username = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_USERNAME, NULL);
  same_account = account == NULL ||
                 (g_strcmp0 (server, account->server) == 0 && g_strcmp0 (username, account->username) == 0);
  if (cursor != NULL && same_account)
    return 0;

  n = procura_store_sync_count_outbox (self->store, NULL);

  return n > 0 ? (guint) n : 0;
}

/* The store was filled from a server as another account (or from another
 * server): what it holds is what that account may see, not necessarily
 * what this one may (an agency sees only its own projects). */
gboolean
procura_sync_agent_holds_other_account (ProcuraSyncAgent     *self,
                                        const ProcuraAccount *account)
{
  g_autofree char *cursor = NULL;
  g_autofree char *server = NULL;
  g_autofree char *username = NULL;

  g_return_val_if_fail (PROCURA_IS_SYNC_AGENT (self), FALSE);
  g_return_val_if_fail (account != NULL, FALSE);

  if (self->store == NULL)
    return FALSE;

  cursor = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_CURSOR, NULL);
  if (cursor == NULL)
    return FALSE;
  server = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_SERVER, NULL);
  username = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_USERNAME, NULL);

  return g_strcmp0 (server, account->server) != 0 || g_strcmp0 (username, account->username) != 0;
}

typedef struct
{
  char *data_dir;
  char *server;
  char *username;
  char *password;
  char *token;
  gboolean remove_account;
} LoginData;

static void
login_data_free (LoginData *data)
{
  g_free (data->data_dir);
  g_free (data->server);
  g_free (data->username);
  if (data->password != NULL)
    {
      memset (data->password, 0, strlen (data->password));
      g_free (data->password);
    }
  g_free (data->token);
  g_free (data);
}

static void
login_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  LoginData *data = task_data;
  g_autoptr(ProcuraSync) sync = procura_sync_new (data->data_dir, data->server, NULL);
  GError *error = NULL;
  ProcuraAccount *account;

  account = procura_sync_login (sync, data->username, data->password, cancellable, &error);
  if (account == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, account, (GDestroyNotify) procura_account_free);
}

void
procura_sync_agent_login_async (ProcuraSyncAgent    *self,
                                const char          *server,
                                const char          *username,
                                const char          *password,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GUri) uri = NULL;
  LoginData *data;

  g_return_if_fail (PROCURA_IS_SYNC_AGENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, procura_sync_agent_login_async);

  server = server != NULL ? server : "";
  uri = g_uri_parse (server, G_URI_FLAGS_NONE, NULL);
  if (server[0] == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Server: required (the sync server’s address)"));
      return;
    }
  if (uri == NULL || (g_strcmp0 (g_uri_get_scheme (uri), "http") != 0 &&
                      g_strcmp0 (g_uri_get_scheme (uri), "https") != 0))
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Server: “%s” is not an http:// or https:// address"), server);
      return;
    }
  if (username == NULL || username[0] == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("User name: required (your account name on the server)"));
      return;
    }
  if (password == NULL || password[0] == '\0')
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("Password: required"));
      return;
    }

  data = g_new0 (LoginData, 1);
  data->data_dir = g_strdup (procura_store_get_data_dir (self->store));
  data->server = g_strdup (server);
  data->username = g_strdup (username);
  data->password = g_strdup (password);
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  g_task_run_in_thread (task, login_thread);
}

ProcuraAccount *
procura_sync_agent_login_finish (ProcuraSyncAgent  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static ProcuraAccount *
account_copy (const ProcuraAccount *account)
{
  ProcuraAccount *copy = g_new0 (ProcuraAccount, 1);

  copy->server = g_strdup (account->server);
  copy->username = g_strdup (account->username);
  copy->role = g_strdup (account->role);
  copy->organization = g_strdup (account->organization);
  copy->token = g_strdup (account->token);
  copy->expires_at = g_strdup (account->expires_at);

  return copy;
}

gboolean
procura_sync_agent_begin_session (ProcuraSyncAgent      *self,
                                  const ProcuraAccount  *account,
                                  GError               **error)
{
  const char *data_dir;
  g_autofree char *old_server = NULL;
  g_autofree char *old_user = NULL;

  g_return_val_if_fail (PROCURA_IS_SYNC_AGENT (self), FALSE);
  g_return_val_if_fail (account != NULL && account->server != NULL && account->token != NULL, FALSE);

  data_dir = procura_store_get_data_dir (self->store);
  if (!procura_account_save (data_dir, account, error))
    return FALSE;

  /* another server or account sees other records: pull from the start
   * (as procura-cli login does) */
  old_server = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_SERVER, NULL);
  old_user = procura_store_sync_get_state (self->store, PROCURA_SYNC_STATE_USERNAME, NULL);
  if (!procura_store_begin (self->store, error))
    return FALSE;
  if (((g_strcmp0 (old_server, account->server) != 0 || g_strcmp0 (old_user, account->username) != 0) &&
       !procura_store_sync_set_state (self->store, PROCURA_SYNC_STATE_CURSOR, NULL, error)) ||
      !procura_store_sync_set_state (self->store, PROCURA_SYNC_STATE_SERVER, account->server, error) ||
      !procura_store_sync_set_state (self->store, PROCURA_SYNC_STATE_USERNAME, account->username, error) ||
      !procura_store_sync_set_state (self->store, PROCURA_SYNC_STATE_ROLE, account->role, error) ||
      !procura_store_sync_set_state (self->store, PROCURA_SYNC_STATE_ORGANIZATION, account->organization, error) ||
      !procura_store_commit (self->store, error))
    {
      procura_store_rollback (self->store);
      return FALSE;
    }

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  self->started = TRUE;
  set_account (self, account_copy (account));
  set_last_error (self, NULL);
  /* not NEEDS_LOGIN any more, so that the run may start */
  set_status (self, PROCURA_SYNC_STATUS_SYNCING);
  schedule_periodic (self);
  procura_sync_agent_sync_now (self);

  return TRUE;
}

static void
revoke_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  LoginData *data = task_data;
  g_autoptr(ProcuraSync) sync = procura_sync_new (data->data_dir, data->server, data->token);
  g_autoptr(GError) error = NULL;
  GError *remove_error = NULL;

  /* the token is forgotten here even when the server cannot be told; an
   * expired or revoked one is gone there already */
  if (data->token != NULL &&
      !procura_sync_logout (sync, NULL, &error) &&
      !g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAUTHORIZED))
    g_message ("The server could not revoke the session: %s", error->message);

  if (data->remove_account && !procura_account_remove (data->data_dir, &remove_error))
    {
      g_task_return_error (task, remove_error);
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
revoke_async (ProcuraSyncAgent     *self,
              const ProcuraAccount *account,
              gboolean              remove_account,
              gpointer              source_tag,
              GAsyncReadyCallback   callback,
              gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  LoginData *data = g_new0 (LoginData, 1);

  g_task_set_source_tag (task, source_tag);
  data->data_dir = g_strdup (procura_store_get_data_dir (self->store));
  data->server = g_strdup (account->server);
  data->token = g_strdup (account->token);
  data->remove_account = remove_account;
  g_task_set_task_data (task, data, (GDestroyNotify) login_data_free);
  g_task_run_in_thread (task, revoke_thread);
}

void
procura_sync_agent_discard_login_async (ProcuraSyncAgent     *self,
                                        const ProcuraAccount *account,
                                        GAsyncReadyCallback   callback,
                                        gpointer              user_data)
{
  g_return_if_fail (PROCURA_IS_SYNC_AGENT (self));
  g_return_if_fail (account != NULL);

  revoke_async (self, account, FALSE, procura_sync_agent_discard_login_async, callback, user_data);
}

void
procura_sync_agent_logout_async (ProcuraSyncAgent    *self,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(ProcuraAccount) account = NULL;

  g_return_if_fail (PROCURA_IS_SYNC_AGENT (self));

  procura_sync_agent_stop (self);
  self->started = TRUE;

  account = g_steal_pointer (&self->account);
  g_clear_object (&self->sync);
  if (account == NULL)
    {
      /* an account.json without a usable token: only forget it */
      ProcuraAccount empty = { (char *) (self->server != NULL ? self->server : ""), NULL, NULL, NULL, NULL, NULL };

      revoke_async (self, &empty, TRUE, procura_sync_agent_logout_async, callback, user_data);
    }
  else
    revoke_async (self, account, TRUE, procura_sync_agent_logout_async, callback, user_data);

  set_last_error (self, NULL);
  set_identity (self, NULL, NULL, NULL, NULL);
  set_status (self, PROCURA_SYNC_STATUS_LOCAL);
}

gboolean
procura_sync_agent_logout_finish (ProcuraSyncAgent  *self,
                                  GAsyncResult      *result,
                                  GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- GObject ----------------------------------------------------------------- */

ProcuraSyncAgent *
procura_sync_agent_new (ProcuraStore *store)
{
  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);

  return g_object_new (PROCURA_TYPE_SYNC_AGENT, "store", store, NULL);
}

ProcuraStore *
procura_sync_agent_get_store (ProcuraSyncAgent *self)
{
  g_return_val_if_fail (PROCURA_IS_SYNC_AGENT (self), NULL);

  return self->store;
}

void
procura_sync_agent_set_store (ProcuraSyncAgent *self,
                              ProcuraStore     *store)
{
  g_return_if_fail (PROCURA_IS_SYNC_AGENT (self));
  g_return_if_fail (store == NULL || PROCURA_IS_STORE (store));

  if (self->store == store)
    return;

  if (self->store != NULL)
    g_clear_signal_handler (&self->committed_id, self->store);
  g_set_object (&self->store, store);
  if (store != NULL)
    {
      self->committed_id = g_signal_connect (store, "committed", G_CALLBACK (store_committed_cb), self);
      procura_sync_agent_refresh_counts (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);
}

#define GETTER(type, name, field, fallback) \
  type \
  procura_sync_agent_get_##name (ProcuraSyncAgent *self) \
  { \
    g_return_val_if_fail (PROCURA_IS_SYNC_AGENT (self), fallback); \
    return self->field; \
  }

GETTER (ProcuraSyncStatus, status, status, PROCURA_SYNC_STATUS_LOCAL)
GETTER (guint, n_pending, n_pending, 0)
GETTER (guint, n_conflicts, n_conflicts, 0)
GETTER (GDateTime *, last_synced, last_synced, NULL)
GETTER (const char *, last_error, last_error, NULL)
GETTER (const char *, server, server, NULL)
GETTER (const char *, username, username, NULL)
GETTER (const char *, role, role, NULL)
GETTER (const char *, organization, organization, NULL)
#undef GETTER

static void
procura_sync_agent_dispose (GObject *object)
{
  ProcuraSyncAgent *self = (ProcuraSyncAgent *)object;

  procura_sync_agent_stop (self);
  if (self->monitor != NULL)
    g_signal_handlers_disconnect_by_data (self->monitor, self);
  g_clear_object (&self->monitor);
  if (self->store != NULL)
    g_clear_signal_handler (&self->committed_id, self->store);
  g_clear_object (&self->store);
  g_clear_object (&self->sync);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (procura_sync_agent_parent_class)->dispose (object);
}

static void
procura_sync_agent_finalize (GObject *object)
{
  ProcuraSyncAgent *self = (ProcuraSyncAgent *)object;

  g_clear_pointer (&self->account, procura_account_free);
  g_clear_pointer (&self->last_synced, g_date_time_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_free (self->last_error);
  g_free (self->server);
  g_free (self->username);
  g_free (self->role);
  g_free (self->organization);

  G_OBJECT_CLASS (procura_sync_agent_parent_class)->finalize (object);
}

static void
procura_sync_agent_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  ProcuraSyncAgent *self = PROCURA_SYNC_AGENT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_STATUS:
      g_value_set_enum (value, self->status);
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, self->n_pending);
      break;
    case PROP_N_CONFLICTS:
      g_value_set_uint (value, self->n_conflicts);
      break;
    case PROP_LAST_SYNCED:
      g_value_set_boxed (value, self->last_synced);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    case PROP_SERVER:
      g_value_set_string (value, self->server);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;
    case PROP_ORGANIZATION:
      g_value_set_string (value, self->organization);
      break;
    case PROP_INTERVAL:
      g_value_set_uint (value, self->interval);
      break;
    case PROP_DEBOUNCE:
      g_value_set_uint (value, self->debounce);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_sync_agent_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  ProcuraSyncAgent *self = PROCURA_SYNC_AGENT (object);

  switch (prop_id)
    {
    case PROP_STORE:
      procura_sync_agent_set_store (self, g_value_get_object (value));
      break;
    case PROP_INTERVAL:
      if (self->interval != g_value_get_uint (value))
        {
          self->interval = g_value_get_uint (value);
          if (self->periodic_id != 0)
            schedule_periodic (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DEBOUNCE:
      if (self->debounce != g_value_get_uint (value))
        {
          self->debounce = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_sync_agent_class_init (ProcuraSyncAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = procura_sync_agent_dispose;
  object_class->finalize = procura_sync_agent_finalize;
  object_class->get_property = procura_sync_agent_get_property;
  object_class->set_property = procura_sync_agent_set_property;

#define RO (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS)
  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, PROCURA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_STATUS] =
    g_param_spec_enum ("status", NULL, NULL, PROCURA_TYPE_SYNC_STATUS, PROCURA_SYNC_STATUS_LOCAL, RO);
  /* changes made here and not yet accepted by the server */
  properties [PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0, RO);
  /* open conflicts and refused changes, waiting for a person */
  properties [PROP_N_CONFLICTS] =
    g_param_spec_uint ("n-conflicts", NULL, NULL, 0, G_MAXUINT, 0, RO);
  properties [PROP_LAST_SYNCED] =
    g_param_spec_boxed ("last-synced", NULL, NULL, G_TYPE_DATE_TIME, RO);
  /* why the last run failed, for people */
  properties [PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL, RO);
  properties [PROP_SERVER] =
    g_param_spec_string ("server", NULL, NULL, NULL, RO);
  properties [PROP_USERNAME] =
    g_param_spec_string ("username", NULL, NULL, NULL, RO);
  properties [PROP_ROLE] =
    g_param_spec_string ("role", NULL, NULL, NULL, RO);
  properties [PROP_ORGANIZATION] =
    g_param_spec_string ("organization", NULL, NULL, NULL, RO);
#undef RO
  /* seconds between runs; 0: none on a schedule */
  properties [PROP_INTERVAL] =
    g_param_spec_uint ("interval", NULL, NULL, 0, G_MAXUINT, DEFAULT_INTERVAL,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  /* milliseconds from the last local edit to its run */
  properties [PROP_DEBOUNCE] =
    g_param_spec_uint ("debounce", NULL, NULL, 0, G_MAXUINT, DEFAULT_DEBOUNCE,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ProcuraSyncAgent::pulled:
   *
   * A run changed local records (others' changes, or the server's
   * decisions about ours): views read the store again.
   */
  signals [PULLED] =
    g_signal_new ("pulled",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);
}

static void
procura_sync_agent_init (ProcuraSyncAgent *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->interval = DEFAULT_INTERVAL;
  self->debounce = DEFAULT_DEBOUNCE;
  self->status = PROCURA_SYNC_STATUS_LOCAL;

  self->monitor = g_object_ref (g_network_monitor_get_default ());
  self->network_available = g_network_monitor_get_network_available (self->monitor);
  g_signal_connect_object (self->monitor, "notify::network-available",
                           G_CALLBACK (network_changed_cb), self, G_CONNECT_SWAPPED);
}
