/* procura-json.h — records as the sync protocol and exports carry them
 *
 * A record is {"entity": "project", "id": "…", "rev": 0, "deleted": false,
 * "updated_at": "…Z", "fields": {…}}. Money fields are integers of fen,
 * decimal fields strings such as "85.5" (exact), booleans JSON booleans,
 * null for empty fields.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "procura-query.h"

G_BEGIN_DECLS

JsonNode      *procura_record_to_json        (const ProcuraRecord        *record);
/* Every type and enum checked; errors name the member. */
ProcuraRecord *procura_record_from_json      (JsonNode                   *node,
                                              GError                    **error);
JsonNode      *procura_ledger_row_to_json    (const ProcuraLedgerRow     *row);
/* The project, its organizations and every child array keyed by plural
 * entity name, plus "derived": paid, balance, progress, overdue milestones
 * and each evaluation's total and grade as of `as_of`. */
JsonNode      *procura_bundle_to_json        (const ProcuraProjectBundle *bundle,
                                              const char                 *as_of);
JsonNode      *procura_history_entry_to_json (const ProcuraHistoryEntry  *entry);
/* Pretty-printed text of a node. */
char          *procura_json_to_string        (JsonNode                   *node,
                                              gboolean                    pretty);

G_END_DECLS
