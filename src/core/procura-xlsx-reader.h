/* procura-xlsx-reader.h — the cells of an .xlsx workbook's first worksheet
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Each part of the workbook is read at most this far uncompressed; a
 * larger one is refused (a zip bomb, or not a ledger). */
#define PROCURA_XLSX_MAX_PART_SIZE (200u * 1024u * 1024u)

typedef enum
{
  PROCURA_XLSX_CELL_TEXT,     /* shared, inline or formula string */
  PROCURA_XLSX_CELL_NUMBER,   /* as written in the XML: "11000000", "1.5E+3" */
  PROCURA_XLSX_CELL_BOOLEAN,  /* "TRUE" or "FALSE" */
  PROCURA_XLSX_CELL_ERROR,    /* a formula's error: "#N/A", "#DIV/0!" */
} ProcuraXlsxCellType;

typedef struct
{
  guint                column;  /* 0 is A */
  ProcuraXlsxCellType  type;
  char                *text;    /* never empty */
} ProcuraXlsxCell;

typedef struct
{
  guint            number;   /* the sheet's row number, 1 is the first */
  guint            n_cells;
  ProcuraXlsxCell *cells;    /* by column, without the empty ones */
} ProcuraXlsxRow;

typedef struct _ProcuraXlsxSheet ProcuraXlsxSheet;

/* Reads the first worksheet of a workbook (data is the .xlsx file, a
 * zip): the sheet named first in xl/workbook.xml, found through
 * xl/_rels/workbook.xml.rels, with xl/sharedStrings.xml. Rows without a
 * value are left out. The cells' text together is bounded (a shared
 * string counts once for each cell showing it). Errors name file_name
 * and the part at fault. */
ProcuraXlsxSheet     *procura_xlsx_sheet_read     (const char        *data,
                                                   gsize              length,
                                                   const char        *file_name,
                                                   GError           **error);
void                  procura_xlsx_sheet_free     (ProcuraXlsxSheet  *self);

/* The sheet's name as the workbook lists it. */
const char           *procura_xlsx_sheet_get_name (ProcuraXlsxSheet  *self);
/* Whether the workbook counts days from 1904-01-01 (workbookPr
 * date1904, old Mac workbooks) rather than from 1900. */
gboolean              procura_xlsx_sheet_get_date1904 (ProcuraXlsxSheet *self);
guint                 procura_xlsx_sheet_get_n_rows (ProcuraXlsxSheet *self);
const ProcuraXlsxRow *procura_xlsx_sheet_get_row  (ProcuraXlsxSheet  *self,
                                                   guint              index);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraXlsxSheet, procura_xlsx_sheet_free)

G_END_DECLS
