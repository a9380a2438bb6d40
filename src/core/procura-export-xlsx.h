/* procura-export-xlsx.h — the export tables as an Excel workbook
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-export-csv.h"

G_BEGIN_DECLS

/* The sheet's name in the current language (项目台账, 里程碑, …). */
const char *procura_export_table_get_sheet_name (ProcuraExportTable table);

/* Writes tables (n_tables of them, each at most once) as the worksheets of
 * one .xlsx workbook at path, in that order, with the rows of
 * procura_export_csv(): a bold, frozen header row in the current
 * language, money and numbers as numbers, dates as Excel dates, text as
 * strings. Atomic: a temporary file beside path renamed over it, so a
 * failed export leaves path as it was. */
gboolean    procura_export_xlsx_to_file         (ProcuraStore              *store,
                                                 const ProcuraExportTable  *tables,
                                                 guint                      n_tables,
                                                 GPtrArray                 *project_ids,
                                                 const char                *path,
                                                 GError                   **error);

G_END_DECLS
