/* procura-application.h — the application: data directory, store, app actions
 *
 * Copyright 2025 The Procura authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "procura-store.h"
#include "procura-sync-agent.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_APPLICATION (procura_application_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraApplication, procura_application, PROCURA, APPLICATION, AdwApplication)

ProcuraApplication *procura_application_new           (void) G_GNUC_WARN_UNUSED_RESULT;
/* The data directory in use: --data-dir, else $PROCURA_DATA_DIR, else the
 * data-dir setting, else $XDG_DATA_HOME/procura. */
const char         *procura_application_get_data_dir  (ProcuraApplication  *self);
void                procura_application_set_data_dir  (ProcuraApplication  *self,
                                                       const char          *data_dir);
/* The store of the data directory, opened on first use and owned by the
 * application. On failure returns NULL and sets error; the next call tries
 * again. */
ProcuraStore       *procura_application_get_store     (ProcuraApplication  *self,
                                                       GError             **error);

/* The server account's role ("admin", "officer", "agency", "auditor") and,
 * for an agency, its organization's USCC; NULL for a local ledger. */
const char         *procura_application_get_role      (ProcuraApplication  *self);
const char         *procura_application_get_organization (ProcuraApplication *self);
void                procura_application_set_account_role (ProcuraApplication *self,
                                                          const char         *role,
                                                          const char         *organization);

/* Syncs the data directory's store with the server of its account (see
 * procura-sync-agent.h); NULL while the store cannot be opened. */
ProcuraSyncAgent   *procura_application_get_sync_agent (ProcuraApplication *self);
/* Moves the database aside (procura.db → procura-local-<UTC time>.db, its
 * WAL files with it; nothing is deleted) and opens an empty one in its
 * place, for the windows, the reminders and the sync agent: an account
 * that may not send this computer's records starts on an empty ledger.
 * out_moved_to: the new name of the old database. Fails, and leaves
 * everything as it was, while the old database is still in use. */
gboolean            procura_application_start_empty_ledger (ProcuraApplication *self,
                                                            char              **out_moved_to,
                                                            GError            **error);

G_END_DECLS
