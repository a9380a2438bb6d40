/* procura-report-private.h — the page layout shared by the printable
 * reports
 *
 * A report is laid out once (paginate) into pages of drawing operations:
 * texts with their font, width and colour, filled rectangles and lines.
 * Drawing a page replays its operations on any cairo_t, laying each text
 * out again with that cairo_t's context and the font map the pages were
 * measured with, so a GtkPrintOperation may hand out a new cairo_t per
 * page. Units are points, origin at the top left of the page.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <pango/pangocairo.h>

#include "procura-report.h"

G_BEGIN_DECLS

#define REPORT_MARGIN    51.0   /* 18 mm */
#define REPORT_FOOTER    22.0
#define REPORT_CELL_PAD   3.0
#define REPORT_TEXT_SIZE  8.5   /* table cells */
/* what report_vbar_chart() takes at most, for keeping it with its title */
#define REPORT_VBAR_HEIGHT 190.0

typedef struct
{
  double red;
  double green;
  double blue;
} ReportColor;

typedef struct
{
  PangoContext *pango;          /* measures the text */
  GStringChunk *strings;        /* the texts of the operations */
  GPtrArray    *pages;          /* GArray of operations, one per page */
  GArray       *ops;            /* the page being laid out */
  double        page_width;
  double        page_height;
  double        content_width;
  double        bottom;         /* lowest y of the content */
  double        y;
  const char   *running;        /* atop pages 2…, may be NULL */
  GPtrArray    *scratch;        /* strings that cells point to */
} Report;

typedef struct
{
  const char *title;
  double      width;            /* fraction of the content width */
  gboolean    right;            /* numbers: right-aligned */
} ReportColumn;

typedef struct
{
  const ReportColumn *columns;
  guint               n_columns;
  gboolean            header;   /* repeat the column titles on each page */
  double              size;     /* text size, 0: REPORT_TEXT_SIZE */
} ReportTable;

/* One category of a bar chart: a value per series, the text shown beside
 * each bar, and a colour for single-series charts (NULL: the series'). */
typedef struct
{
  const char        *label;
  double             values[2];
  const char        *texts[2];
  const ReportColor *color;
} ReportBar;

typedef void (*ReportBuildFunc) (Report   *r,
                                 gpointer  data);

/* A document that lays itself out with build(data); it owns data. */
G_GNUC_INTERNAL
ProcuraReportDocument *report_document_new (const char      *title,
                                            const char      *running,
                                            ReportBuildFunc  build,
                                            gpointer         data,
                                            GDestroyNotify   free_data);

G_GNUC_INTERNAL
PangoLayout *report_make_layout        (Report             *r,
                                        const char         *text,
                                        double              size,
                                        gboolean            bold,
                                        double              width,
                                        int                 max_lines);
G_GNUC_INTERNAL
double       report_layout_height      (PangoLayout        *layout);
G_GNUC_INTERNAL
double       report_layout_width       (PangoLayout        *layout);
G_GNUC_INTERNAL
void         report_show_layout        (Report             *r,
                                        PangoLayout        *layout,
                                        double              x,
                                        double              y,
                                        double              gray);
G_GNUC_INTERNAL
void         report_show_layout_color  (Report             *r,
                                        PangoLayout        *layout,
                                        double              x,
                                        double              y,
                                        const ReportColor  *color);
G_GNUC_INTERNAL
void         report_fill_rect          (Report             *r,
                                        double              x,
                                        double              y,
                                        double              width,
                                        double              height,
                                        const ReportColor  *color);
G_GNUC_INTERNAL
void         report_line               (Report             *r,
                                        double              x1,
                                        double              y1,
                                        double              x2,
                                        double              y2,
                                        double              width,
                                        const ReportColor  *color);
/* Keeps text (taking it) until the layout is done; returns it. */
G_GNUC_INTERNAL
const char  *report_keep               (Report             *r,
                                        char               *text);

G_GNUC_INTERNAL
void         report_new_page           (Report             *r);
/* Starts a new page unless height still fits on this one. */
G_GNUC_INTERNAL
void         report_ensure_space       (Report             *r,
                                        double              height);
G_GNUC_INTERNAL
void         report_heading            (Report             *r,
                                        const char         *text);
G_GNUC_INTERNAL
void         report_paragraph          (Report             *r,
                                        const char         *text,
                                        double              size);

G_GNUC_INTERNAL
void         report_table_begin        (Report             *r,
                                        const ReportTable  *table);
G_GNUC_INTERNAL
void         report_table_row          (Report             *r,
                                        const ReportTable  *table,
                                        const char * const *cells);
/* A row in bold, e.g. the totals. */
G_GNUC_INTERNAL
void         report_table_total        (Report             *r,
                                        const ReportTable  *table,
                                        const char * const *cells);

/* Categories down the page, a bar per series across; n_series 1 or 2.
 * Breaks across pages between categories. */
G_GNUC_INTERNAL
void         report_hbar_chart         (Report             *r,
                                        guint               n_series,
                                        const char * const *series_names,
                                        const ReportColor  *series_colors,
                                        const ReportBar    *bars,
                                        guint               n_bars);
/* Categories across, bars up; n_series 1 or 2. */
G_GNUC_INTERNAL
void         report_vbar_chart         (Report             *r,
                                        guint               n_series,
                                        const char * const *series_names,
                                        const ReportColor  *series_colors,
                                        const ReportBar    *bars,
                                        guint               n_bars);

G_END_DECLS
