/* procura-export-csv.h — the ledger, milestones, payments and evaluations
 * as CSV for Excel and WPS
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"

G_BEGIN_DECLS

typedef enum
{
  PROCURA_EXPORT_TABLE_LEDGER,
  PROCURA_EXPORT_TABLE_MILESTONES,
  PROCURA_EXPORT_TABLE_PAYMENTS,
  PROCURA_EXPORT_TABLE_EVALUATIONS,
} ProcuraExportTable;

/* "ledger", "milestones", "payments", "evaluations" */
const char *procura_export_table_get_name   (ProcuraExportTable  table);
gboolean    procura_export_table_from_name  (const char         *name,
                                             ProcuraExportTable *out_table);

/* Project ids for what a person may type: ids or project numbers. The
 * error names the first key that matches no live project. Array of
 * char*, in the order given, without duplicates. */
GPtrArray  *procura_export_resolve_projects (ProcuraStore        *store,
                                             const char * const  *keys,
                                             GError             **error);

/* Appends table as CSV to out: UTF-8 with a byte order mark, CRLF line
 * ends, RFC 4180 quoting, a header row in the current language, then one
 * row per project (ledger) or per record, ordered by project number.
 * project_ids (NULL: every live project) limits the rows to those
 * projects. Nothing is appended on error. */
gboolean    procura_export_csv              (ProcuraStore        *store,
                                             ProcuraExportTable   table,
                                             GPtrArray           *project_ids,
                                             GString             *out,
                                             GError             **error);

/* procura_export_csv() into path, atomically: a temporary file renamed
 * over path, so a failed export leaves path as it was. */
gboolean    procura_export_csv_to_file      (ProcuraStore        *store,
                                             ProcuraExportTable   table,
                                             GPtrArray           *project_ids,
                                             const char          *path,
                                             GError             **error);

G_END_DECLS
