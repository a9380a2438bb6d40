/* procura-store.h — the local SQLite store and its single write path
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "procura-record.h"

G_BEGIN_DECLS

/* The schema version this build writes; a database with a higher
 * PRAGMA user_version is refused. */
#define PROCURA_STORE_SCHEMA_VERSION 3
#define PROCURA_STORE_DB_NAME "procura.db"

#define PROCURA_TYPE_STORE (procura_store_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraStore, procura_store, PROCURA, STORE, GObject)

/* Opens (creating when missing) the store in data_dir: the database
 * procura.db and the attachment directory blobs/. Runs pending migrations,
 * each in one transaction. */
ProcuraStore  *procura_store_open            (const char     *data_dir,
                                              GError        **error);
const char    *procura_store_get_data_dir    (ProcuraStore   *self);
const char    *procura_store_get_actor       (ProcuraStore   *self);
void           procura_store_set_actor       (ProcuraStore   *self,
                                              const char     *actor);
const char    *procura_store_get_device_id   (ProcuraStore   *self);
int            procura_store_get_schema_version (ProcuraStore *self);
/* "Today" for workflow rules and derived values; NULL = the real local date.
 * Tests and the demo generator pin it. */
void           procura_store_set_today       (ProcuraStore   *self,
                                              const char     *date);
char          *procura_store_dup_today       (ProcuraStore   *self);

/* Groups several writes in one BEGIN IMMEDIATE transaction. Writes outside
 * begin/commit run in a transaction of their own. Each commit emits
 * ProcuraStore::committed. */
gboolean       procura_store_begin           (ProcuraStore   *self,
                                              GError        **error);
gboolean       procura_store_commit          (ProcuraStore   *self,
                                              GError        **error);
void           procura_store_rollback        (ProcuraStore   *self);
gboolean       procura_store_in_transaction  (ProcuraStore   *self);

/* Where the next writes come from, until set again (NULL: this device,
 * the store's actor, queued for sync). Sync uses it to replay another
 * device's mutation under that device's mutation id and author. */
typedef struct
{
  const char *mutation_id;  /* NULL: a new one; names the first write only */
  const char *actor;        /* NULL: the store's actor */
  const char *device;       /* NULL: this device */
  gboolean    remote;       /* TRUE: already on the server, not queued */
} ProcuraWriteOrigin;

void           procura_store_set_write_origin (ProcuraStore             *self,
                                               const ProcuraWriteOrigin *origin);
/* The server's store: a write's revision (the record's rev) is the id of
 * its change row, a global commit-ordered sequence, and nothing is queued
 * in the outbox. */
void           procura_store_set_server_mode (ProcuraStore   *self,
                                              gboolean        server_mode);
gboolean       procura_store_get_server_mode (ProcuraStore   *self);
/* The change id of the last write that changed field of the record
 * (0: never); -1 on error. On the server this is the field's revision. */
gint64         procura_store_get_field_rev   (ProcuraStore            *self,
                                              const ProcuraEntityInfo *entity,
                                              const char              *id,
                                              const char              *field,
                                              GError                 **error);

/* The single write path. Each call validates the record against every
 * rule (fields, workflow, money limits, references), then — in one
 * transaction — writes it, appends one history row per changed field and
 * one outbox row, and applies the workflow's consequences (a report
 * accepted marks its milestone accepted and its tranches payable), which
 * are writes of their own through this same path. On error nothing is
 * written. */
gboolean       procura_store_insert          (ProcuraStore   *self,
                                              ProcuraRecord  *record,
                                              GError        **error);
/* changes: a record of the entity with the id of the record to change and
 * only the changed fields set. A change that changes nothing is a no-op. */
gboolean       procura_store_update          (ProcuraStore   *self,
                                              ProcuraRecord  *changes,
                                              GError        **error);
/* Deletion keeps a tombstone (for history and sync); refused while live
 * records refer to this one. */
gboolean       procura_store_delete          (ProcuraStore   *self,
                                              const ProcuraEntityInfo *entity,
                                              const char     *id,
                                              GError        **error);

/* Dry runs for live validation in forms: run the whole write path —
 * every rule, reference and limit — inside a savepoint that is always
 * rolled back, and report the first problem. Nothing is written. */
gboolean       procura_store_check_insert    (ProcuraStore   *self,
                                              ProcuraRecord  *record,
                                              GError        **error);
gboolean       procura_store_check_update    (ProcuraStore   *self,
                                              ProcuraRecord  *changes,
                                              GError        **error);

/* Reads */
ProcuraRecord *procura_store_get             (ProcuraStore   *self,
                                              const ProcuraEntityInfo *entity,
                                              const char     *id,
                                              GError        **error);
/* Looks the id up in every entity. */
ProcuraRecord *procura_store_find            (ProcuraStore   *self,
                                              const char     *id,
                                              GError        **error);
/* Live records of entity whose field equals value (field NULL: all),
 * ordered by the entity's natural order. */
GPtrArray     *procura_store_list            (ProcuraStore   *self,
                                              const ProcuraEntityInfo *entity,
                                              const char     *field,
                                              const char     *value,
                                              GError        **error);
/* Resolves what a person may type for a reference: an id, an
 * organization's credit code or name, a project's number. */
char          *procura_store_resolve_ref     (ProcuraStore   *self,
                                              const ProcuraEntityInfo *entity,
                                              const char     *text,
                                              GError        **error);

G_END_DECLS
