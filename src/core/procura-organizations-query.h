/* procura-organizations-query.h — the organizations (承接机构) read model:
 * each organization with its figures as a contracted agency
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"

G_BEGIN_DECLS

/* One organization with what it did as the contracted agency of projects.
 * Plain data: a city keeps 2,000 of them.
 *
 * Figures count the organization's live projects as agency (agency_id);
 * projects it bought (buyer_id) are counted apart in n_purchased.
 * total_value is the contract value plus amendments of those projects,
 * cancelled ones (已撤销) left out. The average score is that of the
 * latest final evaluation of each of those projects which has one (the
 * ledger's "latest grade"), rounded half up to hundredths, and graded with
 * the default scheme (PROCURA_GRADE_SCHEME_DEFAULT) so that organizations
 * compare on one scale. */
typedef struct
{
  char   *id;
  char   *name;
  char   *uscc;
  char   *kind;            /* enum code */
  char   *address;
  char   *contact_person;
  char   *contact_phone;
  char   *average_grade;   /* grade of average_score, or NULL */
  gint64  total_value;     /* fen */
  gint64  average_score;   /* hundredths, -1 when no project has a final evaluation */
  guint   n_projects;      /* live projects as agency */
  guint   n_active;        /* … of which in progress (执行中) */
  guint   n_graded;        /* … with a final evaluation: those averaged */
  guint   n_purchased;     /* live projects as buyer (购买主体) */
  char   *search_key;      /* case-folded name, code, type, contacts and
                            * address, one per line: see _row_matches() */
} ProcuraOrganizationRow;

void       procura_organization_row_free       (ProcuraOrganizationRow       *row);

/* Splits what a person typed into case-folded terms, on spaces of any
 * width (the ideographic space U+3000 too). Empty text gives no terms. */
char     **procura_organization_search_terms   (const char                   *text);
/* TRUE when every term (from procura_organization_search_terms()) occurs
 * in the row's name, credit code, type label, contact person, phone or
 * address. NULL or no terms match every row. */
gboolean   procura_organization_row_matches    (const ProcuraOrganizationRow *row,
                                                const char * const           *folded_terms);

/* Live organizations whose fields match search_or_null (see
 * procura_organization_row_matches(); NULL or blank: all), ordered by name
 * in the collation of the current locale. Array of
 * ProcuraOrganizationRow*, freeing them; NULL with error on failure. */
GPtrArray *procura_store_query_organizations   (ProcuraStore                 *store,
                                                const char                   *search_or_null,
                                                GError                      **error);

/* The live projects of which the organization is the contracted agency,
 * ordered by code: what procura_store_query_ledger() gives for
 * filter.agency = organization_id, with the ledger's figures, read through
 * the organization's index rather than the whole ledger. Array of
 * ProcuraLedgerRow* (procura-query.h), freeing them. */
GPtrArray *procura_store_query_organization_projects (ProcuraStore          *store,
                                                      const char            *organization_id,
                                                      GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraOrganizationRow, procura_organization_row_free)

G_END_DECLS
