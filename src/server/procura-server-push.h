/* procura-server-push.h — applying pushed mutations (SQLite backend)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-server-storage.h"
#include "procura-store.h"

G_BEGIN_DECLS

/* Applies every mutation of a push inside the caller's transaction, each
 * write in its own savepoint, with its audit entry, conflicts and replay
 * row; returns the answer's JSON ({"results": […]}). NULL only on an
 * internal error: the caller rolls everything back. */
char *procura_server_apply_push    (ProcuraStore             *store,
                                    ProcuraServerStorage     *storage,
                                    const ProcuraServerUser  *user,
                                    const char               *device,
                                    JsonArray                *mutations,
                                    GError                  **error);

/* Closes one open conflict inside the caller's transaction, writing the
 * kept value through the write path when the record does not hold it,
 * audited; returns the answer's JSON. */
char *procura_server_resolve_conflict (ProcuraStore             *store,
                                       ProcuraServerStorage     *storage,
                                       const ProcuraServerUser  *user,
                                       gint64                    conflict_id,
                                       const char               *keep,
                                       GError                  **error);

/* The id of the live organization an agency account is bound to (by its
 * USCC), or NULL. */
char *procura_server_agency_org_id (ProcuraStore             *store,
                                    const ProcuraServerUser  *user);

G_END_DECLS
