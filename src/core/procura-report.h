/* procura-report.h — the printable reports: a project, the district
 *
 * A ProcuraReportDocument holds the data of a report, read from the store
 * when it is made, and lays it out for any page size with Pango and cairo
 * (no GTK): procura_report_document_paginate() then
 * procura_report_document_draw_page() per page, as GtkPrintOperation's
 * begin-print and draw-page want (with the operation's unit set to
 * points), or procura_report_document_write_pdf() for an A4 PDF.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include "procura-store.h"

G_BEGIN_DECLS

/* A4 portrait, in points */
#define PROCURA_REPORT_A4_WIDTH  595.276
#define PROCURA_REPORT_A4_HEIGHT 841.89

typedef struct _ProcuraReportDocument ProcuraReportDocument;

/* project: id or project number. PROCURA_ERROR_NOT_FOUND for an unknown
 * one. */
ProcuraReportDocument *procura_report_document_new_project  (ProcuraStore           *store,
                                                             const char             *project,
                                                             GError                **error);
/* The district summary: every live project (what the dashboard shows). */
ProcuraReportDocument *procura_report_document_new_district (ProcuraStore           *store,
                                                             GError                **error);
void                   procura_report_document_free         (ProcuraReportDocument  *doc);
/* For the print job name. */
const char            *procura_report_document_get_title    (ProcuraReportDocument  *doc);
/* Lays the document out for pages of width × height points (A4 =
 * 595.276 × 841.89) with the font map and resolution of context (NULL:
 * the default pangocairo font map at 72 dpi); returns the number of
 * pages (at least 1). May be called again, e.g. for another page size. */
guint                  procura_report_document_paginate     (ProcuraReportDocument  *doc,
                                                             PangoContext           *context,
                                                             double                  width,
                                                             double                  height);
guint                  procura_report_document_get_n_pages  (ProcuraReportDocument  *doc);
/* Draws page (0-based) on cr, 1 unit = 1 point, origin at the top left of
 * the page. Call after paginate; cr may differ from page to page. */
void                   procura_report_document_draw_page    (ProcuraReportDocument  *doc,
                                                             cairo_t                *cr,
                                                             guint                   page);
/* Writes an A4 PDF to path atomically (a temporary file beside path, then
 * a rename): paginates with the default font map, then draws every page.
 * A G_FILE_ERROR naming path when it cannot be written. */
gboolean               procura_report_document_write_pdf    (ProcuraReportDocument  *doc,
                                                             const char             *path,
                                                             GError                **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraReportDocument, procura_report_document_free)

/* The report of a project (id or project number) as an A4 PDF, written
 * atomically: procura_report_document_new_project() then
 * procura_report_document_write_pdf(). Labels follow the current locale.
 * PROCURA_ERROR_NOT_FOUND for an unknown project. */
gboolean procura_report_write_pdf (ProcuraStore  *store,
                                   const char    *project,
                                   const char    *path,
                                   GError       **error);

G_END_DECLS
