/* procura-permissions.h — what an account may do, as the UI shows it
 *
 * The client-side mirror of product.md §4, which procura-server enforces
 * on every request (procura-server-push.c check_permission(),
 * procura-server-app.c). The UI uses it to leave out what the account may
 * not do, so that people never meet an action that can only fail.
 *
 * role is "admin", "officer", "agency", "auditor", or NULL for a local
 * ledger without a server account (officer powers). An unknown role may
 * do nothing. For an agency the answers assume a record of its own
 * projects (the only ones it holds) or, for organizations, its own
 * organization; procura_permissions_is_own_organization() tells which.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  PROCURA_OP_CREATE = 1 << 0,
  PROCURA_OP_UPDATE = 1 << 1,
  PROCURA_OP_DELETE = 1 << 2,
} ProcuraOperation;

/* May the role do op on records of entity (a schema name: "report")? */
gboolean     procura_permissions_may           (const char       *role,
                                                const char       *entity,
                                                ProcuraOperation  op);
/* May the role change this field of an entity's records in a form?
 * Agencies change only the contact details of their organization and the
 * actual values of indicator periods; the review of a report belongs to
 * the officer, and its state moves by submitting, not as a field. */
gboolean     procura_permissions_may_field     (const char       *role,
                                                const char       *entity,
                                                const char       *field);
/* The fields the role may change when some but not all are allowed
 * (NULL-terminated, static), else NULL: all fields the entity has, or
 * none (see procura_permissions_may). */
const char * const *procura_permissions_fields (const char       *role,
                                                const char       *entity);
/* Changes of a report (and its attachments) in a state: agencies only
 * while it is not accepted, and delete only a draft. */
gboolean     procura_permissions_may_report    (const char       *role,
                                                const char       *state,
                                                ProcuraOperation  op);
/* Submit a draft or returned report for review. */
gboolean     procura_permissions_may_submit    (const char       *role);
/* Accept or return a submitted report. */
gboolean     procura_permissions_may_review    (const char       *role);
/* Change any record at all (FALSE for admin and auditor). */
gboolean     procura_permissions_may_write     (const char       *role);
/* Create or delete projects (the ledger's "new project"). */
gboolean     procura_permissions_may_manage_projects (const char *role);
/* Read the whole audit log and verify it (on the server). */
gboolean     procura_permissions_may_see_audit_log (const char   *role);
/* Read a project's history. */
gboolean     procura_permissions_may_see_history (const char     *role);
/* Manage accounts (the server's command line). */
gboolean     procura_permissions_may_manage_accounts (const char *role);
/* TRUE when an organization with this USCC is the agency account's own
 * (organization is the account's USCC); always TRUE for other roles. */
gboolean     procura_permissions_is_own_organization (const char *role,
                                                      const char *organization,
                                                      const char *uscc);

G_END_DECLS
