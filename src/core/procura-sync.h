/* procura-sync.h — the sync client: push the outbox, pull changes
 *
 * One run pushes the outbox in batches, then pulls pages of changes until
 * the server has no more (docs/PROTOCOL.md). A server that cannot be
 * reached at all ends the run after four quick tries. Network errors, 408, 429, 5xx
 * and 409 key_in_flight are retried with exponential backoff and full
 * jitter; 400, 401, 403, 410, 413 and 422 are not (a 410 restarts the pull
 * from the beginning once). Attachment files the server lacks are uploaded
 * before the push (resumably, in chunks); after the pull, files of
 * attachments this device lacks are downloaded, and a failed download
 * is counted in the report without failing the run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "procura-account.h"
#include "procura-store.h"

G_BEGIN_DECLS

#define PROCURA_SYNC_ERROR (procura_sync_error_quark ())

typedef enum
{
  PROCURA_SYNC_ERROR_NOT_LOGGED_IN,  /* no account on this device */
  PROCURA_SYNC_ERROR_UNAUTHORIZED,   /* 401: log in again */
  PROCURA_SYNC_ERROR_FORBIDDEN,      /* 403 */
  PROCURA_SYNC_ERROR_REFUSED,        /* 400, 413, 422 and other refusals */
  PROCURA_SYNC_ERROR_CURSOR_EXPIRED, /* 410 even after starting over */
  PROCURA_SYNC_ERROR_UNAVAILABLE,    /* network or server errors after every retry */
  PROCURA_SYNC_ERROR_PROTOCOL,       /* an answer that breaks docs/PROTOCOL.md */
  PROCURA_SYNC_ERROR_NOT_SUPPORTED,  /* 404/405: the server lacks the endpoint */
} ProcuraSyncError;

GQuark procura_sync_error_quark (void);

/* What one run did. applied counts "applied" results, merged "merged";
 * conflicts the mutations answered "conflict" (acknowledged, the losing
 * values listed locally); rejected the refused ones (kept in the
 * conflict list). */
typedef struct
{
  guint pushed;
  guint applied;
  guint merged;
  guint conflicts;
  guint rejected;
  guint pulled;
  /* attachment files: sent before the push, fetched after the pull, and
   * those that could not be fetched (tried again on the next run) */
  guint blobs_uploaded;
  guint blobs_downloaded;
  guint blobs_failed;
} ProcuraSyncReport;

#define PROCURA_TYPE_SYNC (procura_sync_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraSync, procura_sync, PROCURA, SYNC, GObject)

/* data_dir: the store's directory (the async run opens its own connection
 * there). token may be NULL for procura_sync_login(). */
ProcuraSync    *procura_sync_new         (const char      *data_dir,
                                          const char      *server_url,
                                          const char      *token);
const char     *procura_sync_get_server_url (ProcuraSync  *self);
const char     *procura_sync_get_token   (ProcuraSync     *self);
void            procura_sync_set_token   (ProcuraSync     *self,
                                          const char      *token);

/* POST /v1/session. Returns the account (with the token) on success. */
ProcuraAccount *procura_sync_login       (ProcuraSync     *self,
                                          const char      *username,
                                          const char      *password,
                                          GCancellable    *cancellable,
                                          GError         **error);
/* DELETE /v1/session: revokes the token. */
gboolean        procura_sync_logout      (ProcuraSync     *self,
                                          GCancellable    *cancellable,
                                          GError         **error);

/* One push + pull on store (which must be in the data directory given).
 * report (may be NULL) is filled in even on error, with what got done. */
gboolean        procura_sync_run         (ProcuraSync        *self,
                                          ProcuraStore       *store,
                                          ProcuraSyncReport  *report,
                                          GCancellable       *cancellable,
                                          GError            **error);
/* The same in a worker thread with its own store connection. */
void            procura_sync_run_async   (ProcuraSync        *self,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data);
gboolean        procura_sync_run_finish  (ProcuraSync        *self,
                                          GAsyncResult       *result,
                                          ProcuraSyncReport  *report,
                                          GError            **error);

G_END_DECLS
