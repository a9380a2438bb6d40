/* procura-ocds-import.h — OCDS release packages into the store
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-import-csv.h"
#include "procura-store.h"

G_BEGIN_DECLS

typedef struct _ProcuraOcdsImport ProcuraOcdsImport;

/* Whether data looks like an OCDS release package: a JSON object (after
 * white space or a byte order mark) with a "releases" member. */
gboolean            procura_ocds_import_detect        (const char         *data,
                                                       gsize               length);

/* Parses a release package. Fails when it is not JSON, not an object, or
 * has no "releases" array; each release is checked when run. */
ProcuraOcdsImport  *procura_ocds_import_parse         (const char         *data,
                                                       gsize               length,
                                                       GError            **error);
ProcuraOcdsImport  *procura_ocds_import_load          (const char         *path,
                                                       GError            **error);
void                procura_ocds_import_free          (ProcuraOcdsImport  *self);

/* The ocid prefix this installation exports under (as given to
 * procura_ocds_export_release_package()): an ocid of the form
 * PREFIX-CODE names the project numbered CODE. The default prefix is
 * always recognised too; NULL leaves only it. */
void                procura_ocds_import_set_prefix    (ProcuraOcdsImport  *self,
                                                       const char         *prefix);

/* Applies the releases, per ocid in date order, through the store's write
 * path in one transaction, each release in a savepoint of its own: an
 * ocid imported before (or a project numbered as the ocid names it)
 * updates that project, others add one. Each release sets the project,
 * its purchasing unit and agency (parties with CN-USCI identifiers; found
 * by credit code or added), contract value, period, signing date and
 * status (along the workflow), amendments, implementation milestones and
 * transactions (as paid tranches). The compiled release is kept with the
 * project, so what Procura does not model is written back on export.
 * What the ledger's rules refuse of a release's milestones, transactions,
 * amendments or status is left out of the ledger (kept in the OCDS data)
 * and listed as the release's notes. Modes as for CSV: DRY_RUN writes
 * nothing; ALL_OR_NONE commits only when no release has a problem;
 * VALID_ROWS commits the good releases. FALSE only for a store failure. */
gboolean            procura_ocds_import_run           (ProcuraOcdsImport  *self,
                                                       ProcuraStore       *store,
                                                       ProcuraImportMode   mode,
                                                       GError            **error);

/* Releases in package order. */
guint               procura_ocds_import_get_n_releases (ProcuraOcdsImport *self);
/* "ocid / id" as the release gives them. */
const char         *procura_ocds_import_get_release_label   (ProcuraOcdsImport *self,
                                                             guint              release);
/* NULL when good; else "releases[2].awards[0].value.amount: must be a
 * number" and the like. */
const char         *procura_ocds_import_get_release_problem (ProcuraOcdsImport *self,
                                                             guint              release);
/* What of the release stays in the OCDS data only (NULL-terminated). */
const char * const *procura_ocds_import_get_release_notes   (ProcuraOcdsImport *self,
                                                             guint              release);
/* The project the release went to (also in a dry run); NULL if none. */
const char         *procura_ocds_import_get_release_project (ProcuraOcdsImport *self,
                                                             guint              release);
guint               procura_ocds_import_get_n_problems (ProcuraOcdsImport *self);
/* Releases written by the last run (0 after a dry run or a refusal). */
guint               procura_ocds_import_get_n_written  (ProcuraOcdsImport *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraOcdsImport, procura_ocds_import_free)

G_END_DECLS
