/* procura-workflow.h — the state machines of product.md §3
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-schema.h"

G_BEGIN_DECLS

/* The state a new record of the entity starts in, or NULL if the entity
 * has no workflow. */
const char  *procura_workflow_initial_state   (const ProcuraEntityInfo *entity);
/* TRUE when from → to is an edge of the entity's graph (from == to is not
 * a transition and is allowed). Otherwise PROCURA_ERROR_TRANSITION naming
 * both states. */
gboolean     procura_workflow_check           (const ProcuraEntityInfo *entity,
                                               const char              *from,
                                               const char              *to,
                                               GError                 **error);
/* The states reachable in one step from `from`, NULL-terminated (static). */
const char **procura_workflow_next_states     (const ProcuraEntityInfo *entity,
                                               const char              *from);
/* The states a record walks through from `from` to `to`, without `from`
 * and ending with `to` (fewest steps; an empty array when they are the
 * same); NULL when `to` cannot be reached. The strings are static. */
GPtrArray   *procura_workflow_path            (const ProcuraEntityInfo *entity,
                                               const char              *from,
                                               const char              *to);
/* TRUE for states after which the record no longer changes (completed,
 * cancelled, paid, accepted, final …). */
gboolean     procura_workflow_is_final        (const ProcuraEntityInfo *entity,
                                               const char              *state);

G_END_DECLS
