/* procura-import-csv.h — the project ledger from officers' spreadsheets:
 * CSV files and .xlsx workbooks
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"

G_BEGIN_DECLS

typedef struct _ProcuraImport ProcuraImport;

/* Cells a preview shows beside a row's problems. */
typedef enum
{
  PROCURA_IMPORT_FIELD_CODE,    /* 项目编号 */
  PROCURA_IMPORT_FIELD_TITLE,   /* 项目名称 */
  PROCURA_IMPORT_FIELD_AGENCY,  /* 承接机构 */
  PROCURA_IMPORT_FIELD_VALUE,   /* 合同金额, in yuan or in 万元 */
} ProcuraImportField;

typedef enum
{
  PROCURA_IMPORT_DRY_RUN,     /* check every row, write nothing */
  PROCURA_IMPORT_ALL_OR_NONE, /* write every row, or nothing if any is bad */
  PROCURA_IMPORT_VALID_ROWS,  /* write the good rows, report the rest */
} ProcuraImportMode;

/* Decodes data (UTF-8 with or without a byte order mark, else GB18030),
 * parses it as RFC 4180 CSV and maps the header row to project fields:
 * the first row naming two known columns among the first eleven (a title
 * or a note above it is left out), else the first row. Rows of empty
 * cells (",,,,") are left out.
 * Fails only when the file cannot be read as a table at all: not text in
 * either encoding, lines in both, an unterminated quote, no header, a
 * header of more than 1,000 columns or a row of more than 16,384 cells,
 * or two columns for the same field. */
ProcuraImport *procura_import_csv_parse       (const char     *data,
                                               gsize           length,
                                               GError        **error);
/* A workbook when data is a zip (starts with "PK\3\4"): its first
 * worksheet, read with procura-xlsx-reader.h, with the same header
 * mapping as a CSV and each row's line its sheet row number (cells right
 * of the header's last column are left out; day numbers of a workbook
 * counting from 1904 are read as such); else
 * procura_import_csv_parse(). file_name is for error messages. The .xls
 * of Excel 97–2003 is refused with a clear message. */
ProcuraImport *procura_import_parse           (const char     *data,
                                               gsize           length,
                                               const char     *file_name,
                                               GError        **error);
/* procura_import_parse() of a file: a CSV or an .xlsx, by its content. */
ProcuraImport *procura_import_csv_load        (const char     *path,
                                               GError        **error);
void           procura_import_free            (ProcuraImport  *self);

/* "UTF-8", "UTF-8 (BOM)", "GB18030" or "XLSX" */
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
/* The file line the row starts on (the header is line 1); for a
 * workbook, the sheet's row number. */
guint          procura_import_get_row_line    (ProcuraImport  *self,
                                               guint           row);
/* The row's cell for field as the file gives it, stripped (a number of a
 * workbook as the plain decimal Excel shows; a 万元 amount with “万”
 * after it); NULL when the column is absent or the cell empty. Readable
 * before any run. */
char          *procura_import_dup_row_cell    (ProcuraImport      *self,
                                               guint               row,
                                               ProcuraImportField  field);
/* The row's first problem; NULL when the row is good. */
const char    *procura_import_get_row_problem (ProcuraImport  *self,
                                               guint           row);
/* Every problem of the row: each cell's, then the store's first
 * complaint (the store stops at its first rule): NULL-terminated, empty
 * (never NULL) when the row is good or was not run yet. Valid until the
 * next procura_import_run() or procura_import_free(). */
const char * const *procura_import_get_row_problems (ProcuraImport *self,
                                                     guint          row);
/* What the import did differently from what the row says, which is not
 * a problem (the row is written): e.g. a completed project imported as
 * active. NULL-terminated, empty (never NULL) when none or not run yet.
 * Valid until the next procura_import_run() or procura_import_free(). */
const char * const *procura_import_get_row_notes (ProcuraImport *self,
                                                  guint          row);
/* Rows with at least one note (after procura_import_run()). */
guint          procura_import_get_n_noted     (ProcuraImport  *self);
/* Rows with at least one problem (after procura_import_run()). */
guint          procura_import_get_n_problems  (ProcuraImport  *self);
/* Rows written by the last run (0 after a dry run or a refused import). */
guint          procura_import_get_n_written   (ProcuraImport  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraImport, procura_import_free)

G_END_DECLS
