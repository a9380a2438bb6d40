/* procura-export-sink.h — where the export tables' rows go: CSV or XLSX
 *
 * The tables of procura-export-csv.c are built once and handed, cell by
 * cell, to a sink; procura-export-csv.c has the CSV sink,
 * procura-export-xlsx.c the XLSX one. Internal to the core.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-export-csv.h"

G_BEGIN_DECLS

typedef struct _ProcuraExportSink ProcuraExportSink;

typedef struct
{
  /* a column header, already translated; the header row ends with end_row */
  void (*header)  (ProcuraExportSink *sink,
                   const char        *text);
  /* text as typed or a translated label; NULL or "" is an empty cell */
  void (*text)    (ProcuraExportSink *sink,
                   const char        *text);
  /* an ISO 8601 date, YYYY-MM-DD; NULL is an empty cell */
  void (*date)    (ProcuraExportSink *sink,
                   const char        *iso);
  void (*money)   (ProcuraExportSink *sink,
                   gint64             fen);
  /* value / 10^digits, value >= 0, digits 1 or 2 (progress, scores) */
  void (*decimal) (ProcuraExportSink *sink,
                   gint64             value,
                   guint              digits);
  void (*end_row) (ProcuraExportSink *sink);
} ProcuraExportSinkVTable;

/* Embedded as the first member of a sink's own struct. */
struct _ProcuraExportSink
{
  const ProcuraExportSinkVTable *vtable;
};

/* The header row, then the rows of table (see procura_export_csv()). */
gboolean procura_export_to_sink (ProcuraStore        *store,
                                 ProcuraExportTable   table,
                                 GPtrArray           *project_ids,
                                 ProcuraExportSink   *sink,
                                 GError             **error);

G_END_DECLS
