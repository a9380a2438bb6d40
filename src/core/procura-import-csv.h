/* procura-import-csv.h — the project ledger from officers' spreadsheets
 * saved as CSV
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"

G_BEGIN_DECLS

typedef struct _ProcuraImport ProcuraImport;

typedef enum
{
  PROCURA_IMPORT_DRY_RUN,     /* check every row, write nothing */
  PROCURA_IMPORT_ALL_OR_NONE, /* write every row, or nothing if any is bad */
  PROCURA_IMPORT_VALID_ROWS,  /* write the good rows, report the rest */
} ProcuraImportMode;

/* Decodes data (UTF-8 with or without a byte order mark, else GB18030),
 * parses it as RFC 4180 CSV and maps the header row to project fields.
 * Fails only when the file cannot be read as a table at all: not text in
 * either encoding, an unterminated quote, no header, or two columns for
 * the same field. */
ProcuraImport *procura_import_csv_parse       (const char     *data,
                                               gsize           length,
                                               GError        **error);
/* procura_import_csv_parse() of a file; an .xlsx file is refused (not
 * available yet). */
ProcuraImport *procura_import_csv_load        (const char     *path,
                                               GError        **error);
void           procura_import_free            (ProcuraImport  *self);

/* "UTF-8", "UTF-8 (BOM)" or "GB18030" */
const char    *procura_import_get_encoding    (ProcuraImport  *self);
/* Header texts of the columns that map to nothing (NULL-terminated). */
const char * const *procura_import_get_unknown_columns (ProcuraImport *self);
/* Header texts of columns Procura computes itself (paid, progress,
 * grade): recognised, not imported. */
const char * const *procura_import_get_ignored_columns (ProcuraImport *self);

/* Turns each data row into a project (with its agency) through the
 * store's write path, inside one transaction: every row is checked
 * against every rule, each row in a savepoint of its own so that a bad
 * row leaves nothing behind. DRY_RUN then rolls everything back;
 * ALL_OR_NONE commits only when no row has a problem; VALID_ROWS commits
 * the good rows. Afterwards each row's problem (or none) can be read.
 * FALSE only for a store failure (nothing written). */
gboolean       procura_import_run             (ProcuraImport     *self,
                                               ProcuraStore      *store,
                                               ProcuraImportMode  mode,
                                               GError           **error);
guint          procura_import_get_n_rows      (ProcuraImport  *self);
/* The file line the row starts on (the header is line 1). */
guint          procura_import_get_row_line    (ProcuraImport  *self,
                                               guint           row);
/* NULL when the row is good. */
const char    *procura_import_get_row_problem (ProcuraImport  *self,
                                               guint           row);
guint          procura_import_get_n_problems  (ProcuraImport  *self);
/* Rows written by the last run (0 after a dry run or a refused import). */
guint          procura_import_get_n_written   (ProcuraImport  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraImport, procura_import_free)

G_END_DECLS
