/* procura-store-private.h — internals shared by the store's modules
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "procura-store.h"

G_BEGIN_DECLS

sqlite3      *_procura_store_get_db        (ProcuraStore  *self);
/* A prepared statement cached by its SQL text, reset and unbound. */
sqlite3_stmt *_procura_store_prepare       (ProcuraStore  *self,
                                            const char    *sql,
                                            GError       **error);
gboolean      _procura_store_exec          (ProcuraStore  *self,
                                            const char    *sql,
                                            GError       **error);
void          _procura_store_set_sqlite_error (ProcuraStore *self,
                                               GError     **error,
                                               const char  *what);
ProcuraRecord *_procura_store_record_from_row (const ProcuraEntityInfo *entity,
                                               sqlite3_stmt            *stmt);
/* SELECT list for an entity: id, rev, deleted, updated_at, fields… */
char         *_procura_store_select_columns (const ProcuraEntityInfo *entity,
                                             const char              *alias);

/* Like procura_store_get(), but tombstones are returned too. */
ProcuraRecord *procura_store_get_including_deleted (ProcuraStore            *self,
                                                    const ProcuraEntityInfo *entity,
                                                    const char              *id,
                                                    GError                 **error);

/* The grade of total under the scheme with scheme_id (NULL: the default),
 * caching parsed schemes in schemes (id → ProcuraGradeScheme*). */
const char    *_procura_store_grade_for (ProcuraStore *store,
                                         GHashTable   *schemes,
                                         const char   *scheme_id,
                                         gint64        total);

/* Migrations (procura-store-migrations.c) */
gboolean      _procura_store_migrate       (sqlite3       *db,
                                            GError       **error);
/* Refuses a database written by a newer Procura without writing to it. */
gboolean      _procura_store_check_version (sqlite3       *db,
                                            const char    *db_path,
                                            GError       **error);

/* Rules (procura-rules.c) */
gboolean      _procura_rules_prepare       (ProcuraStore        *store,
                                            const ProcuraRecord *old,
                                            ProcuraRecord       *merged,
                                            GError             **error);
gboolean      _procura_rules_validate      (ProcuraStore        *store,
                                            const ProcuraRecord *old,
                                            const ProcuraRecord *merged,
                                            GError             **error);
gboolean      _procura_rules_cascade       (ProcuraStore        *store,
                                            const ProcuraRecord *old,
                                            const ProcuraRecord *merged,
                                            GError             **error);

/* Binding helpers */
void          _procura_bind_value          (sqlite3_stmt           *stmt,
                                            int                     col,
                                            const ProcuraFieldInfo *field,
                                            GVariant               *value);

G_END_DECLS
