/* procura-store-sql.h — the store's SQLite connection, for code that keeps
 * tables of its own in the same database and must write them in the same
 * transaction as the records (the server: accounts, the audit log).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <sqlite3.h>

#include "procura-store.h"

G_BEGIN_DECLS

/* Owned by the store; valid while it is open. Use procura_store_begin()
 * and procura_store_commit() for transactions, not BEGIN/COMMIT. */
sqlite3 *procura_store_get_sqlite (ProcuraStore *self);

G_END_DECLS
