/* procura-store-sync.h — the store's side of sync
 *
 * What the sync engine (procura-sync.c) needs from the local store: the
 * outbox as wire mutations, acknowledging and refusing them, applying
 * pulled pages with their cursor, the client's sync state, and the
 * conflicts the server reported.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "procura-store.h"

G_BEGIN_DECLS

/* Keys of the sync_state table */
#define PROCURA_SYNC_STATE_SERVER       "server"
#define PROCURA_SYNC_STATE_USERNAME     "username"
#define PROCURA_SYNC_STATE_ROLE         "role"
#define PROCURA_SYNC_STATE_ORGANIZATION "organization"
#define PROCURA_SYNC_STATE_CURSOR       "cursor"
/* "1" when every live attachment's file was here or fetched at the end of
 * a sync; removed by each pulled page that brings attachments */
#define PROCURA_SYNC_STATE_BLOBS_CHECKED "blobs_checked"

char      *procura_store_sync_get_state       (ProcuraStore  *self,
                                               const char    *key,
                                               GError       **error);
/* value NULL removes the key. */
gboolean   procura_store_sync_set_state       (ProcuraStore  *self,
                                               const char    *key,
                                               const char    *value,
                                               GError       **error);

/* Up to limit pending mutations, oldest first, in the wire form of
 * docs/PROTOCOL.md: {"mutation_id", "entity", "id", "op", "base_rev",
 * "fields"}. */
JsonArray *procura_store_sync_list_outbox     (ProcuraStore  *self,
                                               guint          limit,
                                               GError       **error);
gint64     procura_store_sync_count_outbox    (ProcuraStore  *self,
                                               GError       **error);

/* One result of a push (an element of "results"). applied, merged and
 * conflict acknowledge the mutation: its outbox row goes; the record's
 * rev and its later queued edits' base_rev stay (the answer's rev covers
 * writes of others not pulled yet; the next pull brings it, and the
 * server never takes this device's own writes for someone else's). conflict also records
 * the reported conflicts; a field the server kept is written locally.
 * rejected moves the mutation out of the outbox into the conflict table
 * (the user's values stay there, restorable) and puts the server's value
 * back in the local record. FALSE with error when the result is
 * malformed or the database fails; the caller's transaction then rolls
 * back. */
gboolean   procura_store_sync_apply_result    (ProcuraStore  *self,
                                               JsonObject    *result,
                                               GError       **error);

/* Applies one pulled page ("changes" of GET /v1/changes) and stores its
 * cursor, in one transaction: all of it or nothing. Records are written as
 * remote writes (history, author "server", no outbox) without the domain
 * rules and cascades — the server validated them — but with the type and
 * enumeration checks of procura_record_from_json() and the foreign keys,
 * checked at the end of the page so a child may come before its parent.
 * Fields with unpushed edits are not overwritten. A "revoked" entry drops
 * the project and everything under it (hard delete; history stays, and
 * pending edits in it move to the conflict table as refused). */
gboolean   procura_store_sync_apply_page      (ProcuraStore  *self,
                                               JsonArray     *changes,
                                               const char    *cursor,
                                               guint         *out_n_applied,
                                               GError       **error);

/* A page decoded ahead of applying it — every record checked and
 * converted with procura_record_from_json(), no store needed — so that a
 * thread fetching pages can do it while the store writes the page before.
 * Applying a decoded page is procura_store_sync_apply_page() without the
 * decoding. */
typedef struct _ProcuraSyncPage ProcuraSyncPage;

ProcuraSyncPage *procura_sync_page_decode           (JsonArray        *changes,
                                                     GError          **error);
void             procura_sync_page_free             (ProcuraSyncPage  *page);
gboolean   procura_store_sync_apply_decoded_page    (ProcuraStore     *self,
                                                     ProcuraSyncPage  *page,
                                                     const char       *cursor,
                                                     guint            *out_n_applied,
                                                     GError          **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraSyncPage, procura_sync_page_free)

/* After a large pull: copies the write-ahead log into the database now
 * (a passive checkpoint), so that the log starts over and the user's next
 * edit does not pay for the copy SQLite would otherwise make at a later
 * commit. Failing is harmless and not reported. */
void       procura_store_sync_checkpoint            (ProcuraStore     *self);

/* Merges the open conflicts the server lists (GET /v1/conflicts) into the
 * local list, so that the user whose value lost sees them too. username is
 * this device's account: a conflict whose losing value is theirs is listed
 * with that value as "yours". Conflicts already listed (by their server
 * id, or by mutation and field for this device's own pushes) are not
 * listed twice. */
gboolean   procura_store_sync_merge_server_conflicts (ProcuraStore *self,
                                                      JsonArray    *conflicts,
                                                      const char   *username,
                                                      GError      **error);

typedef struct
{
  gint64  id;
  char   *kind;          /* "conflict" or "rejected" */
  char   *entity;
  char   *record_id;
  char   *op;
  char   *field;         /* NULL: the whole record (a refused insert) */
  char   *local_value;   /* yours, as history text */
  char   *server_value;
  char   *server_by;
  gint64  server_rev;
  char   *kept;          /* "yours", "server" or NULL (refused) */
  char   *error;         /* refusals: the server's error code */
  char   *reason;
  char   *status;        /* "open" or "resolved" */
  char   *at;
} ProcuraConflict;

void       procura_conflict_free              (ProcuraConflict *conflict);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraConflict, procura_conflict_free)

/* Open conflicts (all of them when include_resolved), oldest first. */
GPtrArray *procura_store_sync_list_conflicts  (ProcuraStore  *self,
                                               gboolean       include_resolved,
                                               GError       **error);
/* Resolves a conflict locally. keep_mine: the record gets your value
 * through the normal write path (so it is pushed again) unless it already
 * has it and the server does too; otherwise the server's value. */
gboolean   procura_store_sync_resolve_conflict (ProcuraStore *self,
                                                gint64        id,
                                                gboolean      keep_mine,
                                                GError      **error);

G_END_DECLS
