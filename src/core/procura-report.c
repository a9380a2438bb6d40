/* procura-report.c — the printable reports: the page layout they share,
 * the document API and the report of a project
 *
 * The project report is A4 portrait: the title block, the contract facts
 * with the amount in capital form, milestones, payments, evaluations with
 * their grades, the outcome indicators with a bar chart per indicator,
 * and a summary of the history. The district summary is in
 * procura-report-district.c.
 *
 * A document is laid out once per page size (paginate) into pages of
 * drawing operations, then each page is drawn on whatever cairo_t the
 * caller has: GtkPrintOperation gives a new one, with its own context,
 * for every page. Keeping the PangoLayouts of pagination would tie them
 * to the context they were measured with and cost memory at 20,000
 * projects, so an operation keeps the text and its font, width and
 * alignment, and drawing lays it out again with a context of the same
 * font map. Metrics unhinted and glyph positions unrounded make both
 * layouts the same whatever the scale of the cairo_t. "第 N 页 共 M 页"
 * is drawn with the page, when M is known.
 *
 * Text is set with "Noto Sans CJK SC" at absolute sizes in points and the
 * zh-cn language tag, so Han characters take their Simplified Chinese
 * glyphs whatever the locale, and the resolution of a print context does
 * not change the layout.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <cairo-pdf.h>

#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-derive.h"
#include "procura-error.h"
#include "procura-money.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-report.h"
#include "procura-report-private.h"

#define FONT_FAMILY      "Noto Sans CJK SC"
#define N_RECENT_CHANGES 15
#define CHART_HEIGHT     96.0

typedef enum
{
  OP_TEXT,
  OP_RECT,
  OP_LINE,
} OpKind;

/* One drawing operation of a page. */
typedef struct
{
  OpKind              kind;
  ReportColor         color;
  double              x;
  double              y;
  double              x2;          /* rectangles: width; lines: end */
  double              y2;          /* rectangles: height; lines: end */
  double              line_width;
  /* texts */
  const char         *text;        /* in the document's string chunk */
  double              size;
  gboolean            bold;
  int                 width;       /* Pango units, -1: no wrapping */
  int                 height;      /* as pango_layout_set_height */
  PangoAlignment      alignment;
  PangoEllipsizeMode  ellipsize;
} Op;

struct _ProcuraReportDocument
{
  char            *title;
  char            *running;
  char            *generated;
  ReportBuildFunc  build;
  gpointer         data;
  GDestroyNotify   free_data;

  /* the layout of the last paginate */
  PangoFontMap    *font_map;
  double           resolution;
  double           width;
  double           height;
  GPtrArray       *pages;          /* GArray of Op */
  GStringChunk    *strings;
};

/* ---- text ------------------------------------------------------------ */

static void
setup_context (PangoContext *context,
               double        resolution)
{
  cairo_font_options_t *options = cairo_font_options_create ();

  pango_cairo_context_set_resolution (context, resolution);
  pango_context_set_language (context, pango_language_from_string ("zh-cn"));
  /* unhinted metrics and unrounded positions: the same layout at every
   * scale, so what was measured is what is drawn */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (context, options);
  pango_context_set_round_glyph_positions (context, FALSE);
  cairo_font_options_destroy (options);
}

static void
configure_layout (PangoLayout        *layout,
                  const char         *text,
                  double              size,
                  gboolean            bold,
                  int                 width,
                  int                 height,
                  PangoEllipsizeMode  ellipsize,
                  PangoAlignment      alignment)
{
  g_autoptr(PangoFontDescription) desc = pango_font_description_new ();

  pango_font_description_set_family (desc, FONT_FAMILY);
  pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
  pango_font_description_set_weight (desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, desc);
  if (width >= 0)
    {
      pango_layout_set_width (layout, width);
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  pango_layout_set_height (layout, height);
  pango_layout_set_ellipsize (layout, ellipsize);
  pango_layout_set_alignment (layout, alignment);
  pango_layout_set_text (layout, text != NULL ? text : "", -1);
}

PangoLayout *
report_make_layout (Report     *r,
                    const char *text,
                    double      size,
                    gboolean    bold,
                    double      width,
                    int         max_lines)
{
  PangoLayout *layout = pango_layout_new (r->pango);

  /* a row never outgrows a page: long texts end in an ellipsis */
  configure_layout (layout, text, size, bold,
                    width > 0 ? (int) (width * PANGO_SCALE) : -1,
                    max_lines > 0 ? -max_lines : -1,
                    max_lines > 0 ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE,
                    PANGO_ALIGN_LEFT);

  return layout;
}

double
report_layout_height (PangoLayout *layout)
{
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

double
report_layout_width (PangoLayout *layout)
{
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  return (double) w / PANGO_SCALE;
}

void
report_show_layout_color (Report            *r,
                          PangoLayout       *layout,
                          double             x,
                          double             y,
                          const ReportColor *color)
{
  const PangoFontDescription *desc = pango_layout_get_font_description (layout);
  Op op = { OP_TEXT, *color, x, y };

  op.text = g_string_chunk_insert_const (r->strings, pango_layout_get_text (layout));
  op.size = (double) pango_font_description_get_size (desc) / PANGO_SCALE;
  op.bold = pango_font_description_get_weight (desc) >= PANGO_WEIGHT_BOLD;
  op.width = pango_layout_get_width (layout);
  op.height = pango_layout_get_height (layout);
  op.alignment = pango_layout_get_alignment (layout);
  op.ellipsize = pango_layout_get_ellipsize (layout);
  g_array_append_val (r->ops, op);
}

void
report_show_layout (Report      *r,
                    PangoLayout *layout,
                    double       x,
                    double       y,
                    double       gray)
{
  ReportColor color = { gray, gray, gray };

  report_show_layout_color (r, layout, x, y, &color);
}

void
report_fill_rect (Report            *r,
                  double             x,
                  double             y,
                  double             width,
                  double             height,
                  const ReportColor *color)
{
  Op op = { OP_RECT, *color, x, y, width, height };

  g_array_append_val (r->ops, op);
}

void
report_line (Report            *r,
             double             x1,
             double             y1,
             double             x2,
             double             y2,
             double             width,
             const ReportColor *color)
{
  Op op = { OP_LINE, *color, x1, y1, x2, y2, width };

  g_array_append_val (r->ops, op);
}

const char *
report_keep (Report *r,
             char   *text)
{
  g_ptr_array_add (r->scratch, text);
  return text;
}

/* ---- pages ----------------------------------------------------------- */

void
report_new_page (Report *r)
{
  g_ptr_array_add (r->pages, r->ops);
  r->ops = g_array_new (FALSE, FALSE, sizeof (Op));
  r->y = REPORT_MARGIN;

  if (r->running != NULL)
    {
      g_autoptr(PangoLayout) running = report_make_layout (r, r->running, 8, FALSE, r->content_width, 1);

      report_show_layout (r, running, REPORT_MARGIN, r->y, 0.45);
      r->y += report_layout_height (running) + 10;
    }
}

void
report_ensure_space (Report *r,
                     double  height)
{
  if (r->y + height > r->bottom)
    report_new_page (r);
}

void
report_heading (Report     *r,
                const char *text)
{
  static const ReportColor rule = { 0.2, 0.35, 0.6 };
  g_autoptr(PangoLayout) layout = report_make_layout (r, text, 12.5, TRUE, r->content_width, 2);
  double h = report_layout_height (layout);

  /* keep a heading with at least a few lines of what it heads */
  report_ensure_space (r, 14 + h + 60);
  r->y += 14;
  report_show_layout (r, layout, REPORT_MARGIN, r->y, 0.1);
  r->y += h + 3;
  report_line (r, REPORT_MARGIN, r->y, r->page_width - REPORT_MARGIN, r->y, 1.0, &rule);
  r->y += 5;
}

void
report_paragraph (Report     *r,
                  const char *text,
                  double      size)
{
  g_autoptr(PangoLayout) layout = report_make_layout (r, text, size, FALSE, r->content_width, 12);
  double h = report_layout_height (layout);

  report_ensure_space (r, h);
  report_show_layout (r, layout, REPORT_MARGIN, r->y, 0.15);
  r->y += h + 3;
}

/* ---- tables ---------------------------------------------------------- */

static void table_header (Report *r, const ReportTable *table);

static void
draw_row (Report             *r,
          const ReportTable  *table,
          const char * const *cells,
          gboolean            is_header,
          gboolean            bold)
{
  static const ReportColor header_fill = { 0.9, 0.92, 0.96 };
  static const ReportColor rule = { 0.8, 0.8, 0.8 };
  PangoLayout *layouts[16];
  double height = 0, x = REPORT_MARGIN;
  double size = table->size > 0 ? table->size : REPORT_TEXT_SIZE;

  g_assert (table->n_columns <= G_N_ELEMENTS (layouts));

  for (guint i = 0; i < table->n_columns; i++)
    {
      double w = table->columns[i].width * r->content_width - 2 * REPORT_CELL_PAD;

      layouts[i] = report_make_layout (r, cells[i], size, is_header || bold, w, 6);
      if (table->columns[i].right)
        pango_layout_set_alignment (layouts[i], PANGO_ALIGN_RIGHT);
      height = MAX (height, report_layout_height (layouts[i]));
    }
  height += 2 * REPORT_CELL_PAD;

  if (!is_header && r->y + height > r->bottom)
    {
      report_new_page (r);
      if (table->header)
        table_header (r, table);
    }

  if (is_header)
    report_fill_rect (r, REPORT_MARGIN, r->y, r->content_width, height, &header_fill);

  for (guint i = 0; i < table->n_columns; i++)
    {
      report_show_layout (r, layouts[i], x + REPORT_CELL_PAD, r->y + REPORT_CELL_PAD, 0.1);
      x += table->columns[i].width * r->content_width;
      g_object_unref (layouts[i]);
    }

  r->y += height;
  report_line (r, REPORT_MARGIN, r->y, r->page_width - REPORT_MARGIN, r->y, 0.5, &rule);
}

static void
table_header (Report            *r,
              const ReportTable *table)
{
  const char *titles[16];

  for (guint i = 0; i < table->n_columns; i++)
    titles[i] = table->columns[i].title;
  draw_row (r, table, titles, TRUE, TRUE);
}

void
report_table_begin (Report            *r,
                    const ReportTable *table)
{
  /* the header and at least one row together */
  report_ensure_space (r, 48);
  if (table->header)
    table_header (r, table);
}

void
report_table_row (Report             *r,
                  const ReportTable  *table,
                  const char * const *cells)
{
  draw_row (r, table, cells, FALSE, FALSE);
}

void
report_table_total (Report             *r,
                    const ReportTable  *table,
                    const char * const *cells)
{
  draw_row (r, table, cells, FALSE, TRUE);
}

/* ---- charts ---------------------------------------------------------- */

static double
bars_max (const ReportBar *bars,
          guint            n_bars,
          guint            n_series)
{
  double max = 0;

  for (guint i = 0; i < n_bars; i++)
    for (guint s = 0; s < n_series; s++)
      max = MAX (max, bars[i].values[s]);

  return max > 0 ? max : 1;
}

/* The series' names with their colours, right-aligned on the current
 * line; returns the height taken. */
static double
chart_legend (Report             *r,
              guint               n_series,
              const char * const *series_names,
              const ReportColor  *series_colors)
{
  double x = REPORT_MARGIN + r->content_width;
  double height = 0;

  for (int s = n_series - 1; s >= 0; s--)
    {
      g_autoptr(PangoLayout) label = report_make_layout (r, series_names[s], 7.5, FALSE, 0, 0);

      x -= report_layout_width (label);
      report_show_layout (r, label, x, r->y, 0.3);
      x -= 10;
      report_fill_rect (r, x, r->y + 3, 7, 7, &series_colors[s]);
      x -= 14;
      height = MAX (height, report_layout_height (label));
    }

  return height + 4;
}

void
report_hbar_chart (Report             *r,
                   guint               n_series,
                   const char * const *series_names,
                   const ReportColor  *series_colors,
                   const ReportBar    *bars,
                   guint               n_bars)
{
  static const ReportColor axis = { 0.55, 0.55, 0.55 };
  double label_w = r->content_width * 0.26;
  double plot_x = REPORT_MARGIN + label_w + 8;
  /* room for the value beside the longest bar */
  double plot_w = r->content_width - label_w - 8 - 64;
  double thickness = n_series > 1 ? 8 : 11;
  double bars_h = n_series * thickness + (n_series - 1) * 2;
  double max = bars_max (bars, n_bars, n_series);

  g_return_if_fail (n_series >= 1 && n_series <= 2);

  if (n_series > 1)
    {
      report_ensure_space (r, 40);
      r->y += chart_legend (r, n_series, series_names, series_colors);
    }

  for (guint i = 0; i < n_bars; i++)
    {
      g_autoptr(PangoLayout) label = report_make_layout (r, bars[i].label, 8, FALSE, label_w, 2);
      double label_h = report_layout_height (label);
      double row_h = MAX (label_h, bars_h) + 6;
      double top;

      pango_layout_set_alignment (label, PANGO_ALIGN_RIGHT);
      report_ensure_space (r, row_h);
      top = r->y + 3;
      report_show_layout (r, label, REPORT_MARGIN, top + (row_h - 6 - label_h) / 2, 0.2);

      for (guint s = 0; s < n_series; s++)
        {
          const ReportColor *color = bars[i].color != NULL && n_series == 1 ? bars[i].color : &series_colors[s];
          double y = top + (row_h - 6 - bars_h) / 2 + s * (thickness + 2);
          double w = plot_w * MAX (bars[i].values[s], 0) / max;

          if (w > 0)
            report_fill_rect (r, plot_x, y, w, thickness, color);
          if (bars[i].texts[s] != NULL)
            {
              g_autoptr(PangoLayout) text = report_make_layout (r, bars[i].texts[s], 7, FALSE, 0, 0);

              report_show_layout (r, text, plot_x + w + 3,
                                  y + (thickness - report_layout_height (text)) / 2, 0.3);
            }
        }

      report_line (r, plot_x, r->y, plot_x, r->y + row_h, 0.6, &axis);
      r->y += row_h;
    }

  r->y += 6;
}

void
report_vbar_chart (Report             *r,
                   guint               n_series,
                   const char * const *series_names,
                   const ReportColor  *series_colors,
                   const ReportBar    *bars,
                   guint               n_bars)
{
  static const ReportColor axis = { 0.55, 0.55, 0.55 };
  const double plot_h = 110;
  double max = bars_max (bars, n_bars, n_series);
  double group_w, bar_w, top, labels_h = 0;

  g_return_if_fail (n_series >= 1 && n_series <= 2);

  if (n_bars == 0)
    return;

  report_ensure_space (r, REPORT_VBAR_HEIGHT);
  if (n_series > 1)
    r->y += chart_legend (r, n_series, series_names, series_colors);

  /* room for the values over the highest bars */
  top = r->y + 12;
  group_w = r->content_width / n_bars;
  bar_w = MIN (group_w * 0.7 / n_series, 36);

  for (guint i = 0; i < n_bars; i++)
    {
      double center = REPORT_MARGIN + (i + 0.5) * group_w;
      g_autoptr(PangoLayout) label = report_make_layout (r, bars[i].label, 7.5, FALSE, group_w - 2, 2);

      for (guint s = 0; s < n_series; s++)
        {
          const ReportColor *color = bars[i].color != NULL && n_series == 1 ? bars[i].color : &series_colors[s];
          double x = center - n_series * bar_w / 2 + s * bar_w;
          double h = plot_h * MAX (bars[i].values[s], 0) / max;

          if (h > 0)
            report_fill_rect (r, x + 0.5, top + plot_h - h, bar_w - 1, h, color);
          if (bars[i].texts[s] != NULL)
            {
              g_autoptr(PangoLayout) text = report_make_layout (r, bars[i].texts[s], 6.5, FALSE, 0, 0);
              double text_w = report_layout_width (text);

              report_show_layout (r, text, x + bar_w / 2 - text_w / 2,
                                  top + plot_h - h - report_layout_height (text) - 1, 0.3);
            }
        }

      pango_layout_set_alignment (label, PANGO_ALIGN_CENTER);
      report_show_layout (r, label, center - (group_w - 2) / 2, top + plot_h + 3, 0.2);
      labels_h = MAX (labels_h, report_layout_height (label));
    }

  report_line (r, REPORT_MARGIN, top + plot_h, REPORT_MARGIN + r->content_width, top + plot_h, 0.6, &axis);
  r->y = top + plot_h + 3 + labels_h + 8;
}

/* ---- the document ---------------------------------------------------- */

ProcuraReportDocument *
report_document_new (const char      *title,
                     const char      *running,
                     ReportBuildFunc  build,
                     gpointer         data,
                     GDestroyNotify   free_data)
{
  ProcuraReportDocument *doc = g_new0 (ProcuraReportDocument, 1);
  g_autofree char *now = procura_timestamp_now ();
  g_autofree char *now_text = procura_timestamp_format_display (now);

  doc->title = g_strdup (title);
  doc->running = g_strdup (running);
  /* Translators: footer of the PDF report: when it was made */
  doc->generated = g_strdup_printf (_("Generated %s"), now_text);
  doc->build = build;
  doc->data = data;
  doc->free_data = free_data;

  return doc;
}

void
procura_report_document_free (ProcuraReportDocument *doc)
{
  if (doc == NULL)
    return;

  if (doc->free_data != NULL)
    doc->free_data (doc->data);
  g_clear_pointer (&doc->pages, g_ptr_array_unref);
  g_clear_pointer (&doc->strings, g_string_chunk_free);
  g_clear_object (&doc->font_map);
  g_free (doc->title);
  g_free (doc->running);
  g_free (doc->generated);
  g_free (doc);
}

const char *
procura_report_document_get_title (ProcuraReportDocument *doc)
{
  g_return_val_if_fail (doc != NULL, NULL);

  return doc->title;
}

guint
procura_report_document_get_n_pages (ProcuraReportDocument *doc)
{
  g_return_val_if_fail (doc != NULL, 0);

  return doc->pages != NULL ? doc->pages->len : 0;
}

guint
procura_report_document_paginate (ProcuraReportDocument *doc,
                                  PangoContext          *context,
                                  double                 width,
                                  double                 height)
{
  g_autoptr(PangoFontMap) own_font_map = NULL;
  PangoFontMap *font_map;
  double resolution = 72;
  Report r = { 0 };

  g_return_val_if_fail (doc != NULL, 0);
  g_return_val_if_fail (context == NULL || PANGO_IS_CONTEXT (context), 0);
  /* the margins and a few lines */
  g_return_val_if_fail (width >= 4 * REPORT_MARGIN && height >= 4 * REPORT_MARGIN, 0);

  if (context != NULL)
    {
      font_map = pango_context_get_font_map (context);
      resolution = pango_cairo_context_get_resolution (context);
      if (resolution <= 0 && PANGO_IS_CAIRO_FONT_MAP (font_map))
        resolution = pango_cairo_font_map_get_resolution (PANGO_CAIRO_FONT_MAP (font_map));
      if (resolution <= 0)
        resolution = 72;
    }
  else
    /* not the thread's default map: the document may be laid out in a
     * worker and drawn on the main thread, and a thread's default map
     * must stay in its thread */
    font_map = own_font_map = pango_cairo_font_map_new ();

  g_set_object (&doc->font_map, font_map);
  doc->resolution = resolution;
  doc->width = width;
  doc->height = height;
  g_clear_pointer (&doc->pages, g_ptr_array_unref);
  g_clear_pointer (&doc->strings, g_string_chunk_free);
  doc->pages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  doc->strings = g_string_chunk_new (64 * 1024);

  /* a context of our own: the caller's keeps its language and options */
  r.pango = pango_font_map_create_context (font_map);
  setup_context (r.pango, resolution);
  r.strings = doc->strings;
  r.pages = doc->pages;
  r.ops = g_array_new (FALSE, FALSE, sizeof (Op));
  r.page_width = width;
  r.page_height = height;
  r.content_width = width - 2 * REPORT_MARGIN;
  r.bottom = height - REPORT_MARGIN - REPORT_FOOTER;
  r.y = REPORT_MARGIN;
  r.running = doc->running;
  r.scratch = g_ptr_array_new_with_free_func (g_free);

  doc->build (&r, doc->data);
  g_ptr_array_add (r.pages, r.ops);

  g_ptr_array_unref (r.scratch);
  g_object_unref (r.pango);

  return doc->pages->len;
}

static void
draw_text (cairo_t            *cr,
           PangoContext       *context,
           const char         *text,
           double              size,
           gboolean            bold,
           int                 width,
           int                 height,
           PangoEllipsizeMode  ellipsize,
           PangoAlignment      alignment,
           double              x,
           double              y,
           const ReportColor  *color)
{
  g_autoptr(PangoLayout) layout = pango_layout_new (context);

  configure_layout (layout, text, size, bold, width, height, ellipsize, alignment);
  cairo_set_source_rgb (cr, color->red, color->green, color->blue);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

static void
draw_footer (ProcuraReportDocument *doc,
             cairo_t               *cr,
             PangoContext          *context,
             guint                  page)
{
  static const ReportColor text = { 0.35, 0.35, 0.35 };
  g_autoptr(PangoLayout) right = pango_layout_new (context);
  g_autofree char *label = NULL;
  double y = doc->height - REPORT_MARGIN - 10;
  int w, h;

  /* Translators: page footer of the PDF report, e.g. "第 1 页 共 3 页" */
  label = g_strdup_printf (_("Page %d of %d"), (int) page + 1, (int) doc->pages->len);
  configure_layout (right, label, 8, FALSE, -1, -1, PANGO_ELLIPSIZE_NONE, PANGO_ALIGN_LEFT);
  pango_layout_get_size (right, &w, &h);

  cairo_set_source_rgb (cr, 0.7, 0.7, 0.7);
  cairo_set_line_width (cr, 0.5);
  cairo_move_to (cr, REPORT_MARGIN, y - 4);
  cairo_line_to (cr, doc->width - REPORT_MARGIN, y - 4);
  cairo_stroke (cr);
  /* the time it was made on the left, as long as the page number leaves room for */
  draw_text (cr, context, doc->generated, 8, FALSE,
             (int) ((doc->width - 2 * REPORT_MARGIN - (double) w / PANGO_SCALE - 12) * PANGO_SCALE),
             -1, PANGO_ELLIPSIZE_END, PANGO_ALIGN_LEFT, REPORT_MARGIN, y, &text);
  cairo_set_source_rgb (cr, text.red, text.green, text.blue);
  cairo_move_to (cr, doc->width - REPORT_MARGIN - (double) w / PANGO_SCALE, y);
  pango_cairo_show_layout (cr, right);
}

void
procura_report_document_draw_page (ProcuraReportDocument *doc,
                                   cairo_t               *cr,
                                   guint                  page)
{
  PangoContext *context;
  GArray *ops;

  g_return_if_fail (doc != NULL);
  g_return_if_fail (cr != NULL);
  g_return_if_fail (doc->pages != NULL);
  g_return_if_fail (page < doc->pages->len);

  ops = g_ptr_array_index (doc->pages, page);
  context = pango_font_map_create_context (doc->font_map);
  setup_context (context, doc->resolution);
  pango_cairo_update_context (cr, context);

  cairo_save (cr);
  cairo_set_line_cap (cr, CAIRO_LINE_CAP_BUTT);

  for (guint i = 0; i < ops->len; i++)
    {
      const Op *op = &g_array_index (ops, Op, i);

      switch (op->kind)
        {
        case OP_TEXT:
          draw_text (cr, context, op->text, op->size, op->bold, op->width, op->height,
                     op->ellipsize, op->alignment, op->x, op->y, &op->color);
          break;

        case OP_RECT:
          cairo_set_source_rgb (cr, op->color.red, op->color.green, op->color.blue);
          cairo_rectangle (cr, op->x, op->y, op->x2, op->y2);
          cairo_fill (cr);
          break;

        case OP_LINE:
          cairo_set_source_rgb (cr, op->color.red, op->color.green, op->color.blue);
          cairo_set_line_width (cr, op->line_width);
          cairo_move_to (cr, op->x, op->y);
          cairo_line_to (cr, op->x2, op->y2);
          cairo_stroke (cr);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  draw_footer (doc, cr, context, page);
  cairo_restore (cr);
  g_object_unref (context);
}

typedef struct
{
  int fd;
  int saved_errno;
} FileSink;

static cairo_status_t
write_to_fd (void                *closure,
             const unsigned char *data,
             unsigned int         length)
{
  FileSink *sink = closure;

  while (length > 0)
    {
      ssize_t n = write (sink->fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        {
          sink->saved_errno = n < 0 ? errno : EIO;
          return CAIRO_STATUS_WRITE_ERROR;
        }
      data += n;
      length -= n;
    }

  return CAIRO_STATUS_SUCCESS;
}

gboolean
procura_report_document_write_pdf (ProcuraReportDocument  *doc,
                                   const char             *path,
                                   GError                **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;
  FileSink sink = { -1, 0 };
  guint n_pages;

  g_return_val_if_fail (doc != NULL, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  n_pages = procura_report_document_paginate (doc, NULL, PROCURA_REPORT_A4_WIDTH, PROCURA_REPORT_A4_HEIGHT);

  dir = g_path_get_dirname (path);
  tmp = g_build_filename (dir, ".procura-report-XXXXXX", NULL);
  sink.fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0666);
  if (sink.fd < 0)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("%s: cannot write (%s)"), path, g_strerror (saved));
      return FALSE;
    }
  /* g_mkstemp_full's mode is not filtered by umask on every libc */
  {
    mode_t mask = umask (0);

    umask (mask);
    fchmod (sink.fd, 0666 & ~mask);
  }

  surface = cairo_pdf_surface_create_for_stream (write_to_fd, &sink, doc->width, doc->height);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, doc->title);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Procura " PACKAGE_VERSION);
  cr = cairo_create (surface);
  for (guint i = 0; i < n_pages; i++)
    {
      procura_report_document_draw_page (doc, cr, i);
      cairo_show_page (cr);
    }
  status = cairo_status (cr);
  cairo_destroy (cr);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  if (status == CAIRO_STATUS_SUCCESS && fsync (sink.fd) != 0)
    {
      sink.saved_errno = errno;
      status = CAIRO_STATUS_WRITE_ERROR;
    }
  if (close (sink.fd) != 0 && status == CAIRO_STATUS_SUCCESS)
    {
      sink.saved_errno = errno;
      status = CAIRO_STATUS_WRITE_ERROR;
    }
  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_unlink (tmp);
      if (sink.saved_errno != 0)
        g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (sink.saved_errno),
                     _("%s: cannot write (%s)"), path, g_strerror (sink.saved_errno));
      else
        g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                     _("%s: drawing the report failed (%s)"), path, cairo_status_to_string (status));
      return FALSE;
    }

  if (g_rename (tmp, path) != 0)
    {
      int saved = errno;

      g_unlink (tmp);
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   _("%s: cannot write (%s)"), path, g_strerror (saved));
      return FALSE;
    }

  return TRUE;
}

/* ---- values ---------------------------------------------------------- */

static const char *
enum_label (const ProcuraRecord *record,
            const char          *name)
{
  const ProcuraFieldInfo *field = procura_entity_lookup_field (procura_record_get_entity (record), name);
  const char *code = procura_record_get_string (record, name);

  return code != NULL ? procura_field_enum_label (field, code) : "";
}

static const char *
field_label (const ProcuraEntityInfo *entity,
             const char              *name)
{
  return procura_field_get_label (procura_entity_lookup_field (entity, name));
}

static const char *
text_or_empty (const ProcuraRecord *record,
               const char          *name)
{
  const char *text = procura_record_get_string (record, name);

  return text != NULL ? text : "";
}

static char *
money_or_empty (const ProcuraRecord *record,
                const char          *name)
{
  if (!procura_record_has (record, name) ||
      procura_record_get_value (record, procura_entity_field_index (procura_record_get_entity (record), name)) == NULL)
    return g_strdup ("");
  return procura_money_format (procura_record_get_int (record, name, 0));
}

static char *
decimal_or_empty (const ProcuraRecord *record,
                  const char          *name)
{
  int index = procura_entity_field_index (procura_record_get_entity (record), name);

  if (index < 0 || procura_record_get_value (record, index) == NULL)
    return g_strdup ("");
  return procura_decimal_format (procura_record_get_int (record, name, 0));
}

/* A date as people read it ("2026年11月27日" under zh_CN), owned by the
 * report. */
static const char *
date_cell (Report              *r,
           const ProcuraRecord *record,
           const char          *name)
{
  const char *date = procura_record_get_string (record, name);
  char *text;

  if (date == NULL)
    return "";
  text = procura_date_format_display (date);
  g_ptr_array_add (r->scratch, text);
  return text;
}

/* ---- sections -------------------------------------------------------- */

static void
title_block (Report               *r,
             ProcuraProjectBundle *bundle)
{
  const ProcuraEntityInfo *project = PROCURA_ENTITY_PROJECT;
  g_autoptr(PangoLayout) kind = report_make_layout (r, _("Project report"), 10, FALSE, r->content_width, 1);
  g_autoptr(PangoLayout) title = report_make_layout (r, text_or_empty (bundle->project, "title"), 18, TRUE, r->content_width, 3);
  static const ReportColumn columns[] = { { NULL, 0.22, FALSE }, { NULL, 0.78, FALSE } };
  const ReportTable table = { columns, G_N_ELEMENTS (columns), FALSE };

  report_show_layout (r, kind, REPORT_MARGIN, r->y, 0.4);
  r->y += report_layout_height (kind) + 2;
  report_show_layout (r, title, REPORT_MARGIN, r->y, 0.05);
  r->y += report_layout_height (title) + 8;

  {
    const char *rows[][2] = {
      { field_label (project, "code"), text_or_empty (bundle->project, "code") },
      { field_label (project, "status"), enum_label (bundle->project, "status") },
      { field_label (project, "agency_id"),
        bundle->agency != NULL ? text_or_empty (bundle->agency, "name") : "" },
      { field_label (project, "buyer_id"),
        bundle->buyer != NULL ? text_or_empty (bundle->buyer, "name") : "" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      report_table_row (r, &table, rows[i]);
  }
}

static void
contract_section (Report               *r,
                  ProcuraProjectBundle *bundle)
{
  const ProcuraEntityInfo *project = PROCURA_ENTITY_PROJECT;
  const ProcuraEntityInfo *amendment = PROCURA_ENTITY_AMENDMENT;
  static const ReportColumn facts_columns[] = { { NULL, 0.22, FALSE }, { NULL, 0.78, FALSE } };
  const ReportTable facts = { facts_columns, G_N_ELEMENTS (facts_columns), FALSE };
  gint64 value = procura_record_get_int (bundle->project, "value", 0);
  g_autofree char *value_text = procura_money_format (value);
  g_autofree char *capital = procura_money_format_capital (value);
  /* Translators: the amount in capital form on documents, e.g. 人民币壹拾贰万伍仟元整 */
  g_autofree char *capital_text = g_strdup_printf (_("RMB %s"), capital);
  g_autofree char *budget = money_or_empty (bundle->project, "budget");
  g_autofree char *budget_year = NULL;
  g_autofree char *period = NULL;

  if (procura_record_get_int (bundle->project, "budget_year", 0) > 0)
    budget_year = g_strdup_printf ("%" G_GINT64_FORMAT, procura_record_get_int (bundle->project, "budget_year", 0));
  /* Translators: a period from one date to another */
  period = g_strdup_printf (_("%s to %s"), date_cell (r, bundle->project, "start_date"),
                            date_cell (r, bundle->project, "end_date"));

  report_heading (r, _("Contract"));
  {
    const char *rows[][2] = {
      { field_label (project, "contract_no"), text_or_empty (bundle->project, "contract_no") },
      { field_label (project, "value"), value_text },
      { _("Amount in words"), capital_text },
      { field_label (project, "budget"), budget },
      { field_label (project, "method"), enum_label (bundle->project, "method") },
      { field_label (project, "category"), enum_label (bundle->project, "category") },
      { field_label (project, "funding_source"), enum_label (bundle->project, "funding_source") },
      { field_label (project, "budget_year"), budget_year != NULL ? budget_year : "" },
      { _("Contract period"), period },
      { field_label (project, "date_signed"), date_cell (r, bundle->project, "date_signed") },
      { field_label (project, "street"), text_or_empty (bundle->project, "street") },
      { field_label (project, "community"), text_or_empty (bundle->project, "community") },
    };

    for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
      report_table_row (r, &facts, rows[i]);
  }

  if (bundle->amendments->len > 0)
    {
      gint64 amended = procura_project_amended_value (bundle);
      g_autofree char *amended_text = procura_money_format (amended);
      g_autofree char *amended_capital = procura_money_format_capital (amended);
      g_autofree char *line = NULL;
      const ReportColumn columns[] = {
        { field_label (amendment, "date"), 0.16, FALSE },
        { field_label (amendment, "rationale"), 0.48, FALSE },
        { field_label (amendment, "value_delta"), 0.18, TRUE },
        { field_label (amendment, "new_end_date"), 0.18, FALSE },
      };
      const ReportTable table = { columns, G_N_ELEMENTS (columns), TRUE };

      r->y += 8;
      report_paragraph (r, procura_entity_get_label (amendment), 10);
      report_table_begin (r, &table);
      for (guint i = 0; i < bundle->amendments->len; i++)
        {
          ProcuraRecord *a = g_ptr_array_index (bundle->amendments, i);
          g_autofree char *delta = money_or_empty (a, "value_delta");
          const char *cells[] = {
            date_cell (r, a, "date"), text_or_empty (a, "rationale"), delta,
            date_cell (r, a, "new_end_date"),
          };

          report_table_row (r, &table, cells);
        }
      r->y += 4;
      /* Translators: the contract value after amendments, then in capital form */
      line = g_strdup_printf (_("Value with amendments: %s (RMB %s)"), amended_text, amended_capital);
      report_paragraph (r, line, 9);
    }
}

static void
milestones_section (Report               *r,
                    ProcuraProjectBundle *bundle,
                    const char           *today)
{
  const ProcuraEntityInfo *milestone = PROCURA_ENTITY_MILESTONE;
  const ReportColumn columns[] = {
    { field_label (milestone, "title"), 0.34, FALSE },
    { field_label (milestone, "type"), 0.15, FALSE },
    { field_label (milestone, "due_date"), 0.16, FALSE },
    { field_label (milestone, "date_met"), 0.16, FALSE },
    { field_label (milestone, "status"), 0.19, FALSE },
  };
  const ReportTable table = { columns, G_N_ELEMENTS (columns), TRUE };
  gboolean closed = procura_project_is_closed (bundle);

  report_heading (r, procura_entity_get_label (milestone));
  if (bundle->milestones->len == 0)
    {
      report_paragraph (r, _("None recorded."), 9);
      return;
    }

  report_table_begin (r, &table);
  for (guint i = 0; i < bundle->milestones->len; i++)
    {
      ProcuraRecord *m = g_ptr_array_index (bundle->milestones, i);
      g_autofree char *status = NULL;

      if (!closed && procura_milestone_is_overdue (m, today))
        /* Translators: a milestone status, then that it is overdue */
        status = g_strdup_printf (_("%s (overdue)"), enum_label (m, "status"));
      else
        status = g_strdup (enum_label (m, "status"));

      {
        const char *cells[] = {
          text_or_empty (m, "title"), enum_label (m, "type"), date_cell (r, m, "due_date"),
          date_cell (r, m, "date_met"), status,
        };

        report_table_row (r, &table, cells);
      }
    }
}

static void
payments_section (Report               *r,
                  ProcuraProjectBundle *bundle)
{
  const ProcuraEntityInfo *payment = PROCURA_ENTITY_PAYMENT;
  const ReportColumn columns[] = {
    { field_label (payment, "title"), 0.24, FALSE },
    { field_label (payment, "planned_date"), 0.16, FALSE },
    { field_label (payment, "planned_amount"), 0.16, TRUE },
    { field_label (payment, "status"), 0.10, FALSE },
    { field_label (payment, "paid_date"), 0.16, FALSE },
    { field_label (payment, "paid_amount"), 0.18, TRUE },
  };
  const ReportTable table = { columns, G_N_ELEMENTS (columns), TRUE };
  gint64 planned = 0;

  report_heading (r, procura_entity_get_label (payment));
  if (bundle->payments->len > 0)
    {
      report_table_begin (r, &table);
      for (guint i = 0; i < bundle->payments->len; i++)
        {
          ProcuraRecord *p = g_ptr_array_index (bundle->payments, i);
          g_autofree char *planned_text = money_or_empty (p, "planned_amount");
          g_autofree char *paid_text = money_or_empty (p, "paid_amount");
          const char *cells[] = {
            text_or_empty (p, "title"), date_cell (r, p, "planned_date"), planned_text,
            enum_label (p, "status"), date_cell (r, p, "paid_date"), paid_text,
          };

          planned += procura_record_get_int (p, "planned_amount", 0);
          report_table_row (r, &table, cells);
        }

      {
        g_autofree char *planned_total = procura_money_format (planned);
        g_autofree char *paid_total = procura_money_format (procura_project_paid (bundle));
        const char *cells[] = { _("Total"), "", planned_total, "", "", paid_total };

        report_table_total (r, &table, cells);
      }
    }
  else
    report_paragraph (r, _("None recorded."), 9);

  {
    g_autofree char *paid = procura_money_format (procura_project_paid (bundle));
    g_autofree char *balance = procura_money_format (procura_project_balance (bundle));
    /* Translators: totals under the payments table of the PDF report */
    g_autofree char *line = g_strdup_printf (_("Paid: %s   Balance: %s"), paid, balance);

    r->y += 4;
    report_paragraph (r, line, 9);
  }
}

static void
evaluations_section (Report               *r,
                     ProcuraProjectBundle *bundle)
{
  const ProcuraEntityInfo *evaluation = PROCURA_ENTITY_EVALUATION;
  const ReportColumn columns[] = {
    { field_label (evaluation, "kind"), 0.21, FALSE },
    { field_label (evaluation, "date"), 0.16, FALSE },
    { field_label (evaluation, "status"), 0.11, FALSE },
    { _("Total score"), 0.12, TRUE },
    { _("Grade"), 0.12, FALSE },
    { field_label (evaluation, "comment"), 0.28, FALSE },
  };
  const ReportTable table = { columns, G_N_ELEMENTS (columns), TRUE };

  report_heading (r, procura_entity_get_label (evaluation));
  if (bundle->evaluations->len == 0)
    {
      report_paragraph (r, _("None recorded."), 9);
      return;
    }

  report_table_begin (r, &table);
  for (guint i = 0; i < bundle->evaluations->len; i++)
    {
      ProcuraRecord *e = g_ptr_array_index (bundle->evaluations, i);
      const char *id = procura_record_get_id (e);
      gint64 total = procura_evaluation_total (bundle, id);
      g_autofree char *grade = procura_evaluation_grade (bundle, id);
      g_autofree char *total_text = total >= 0 ? procura_decimal_format (total) : g_strdup (_("Not scored"));
      const char *cells[] = {
        enum_label (e, "kind"), date_cell (r, e, "date"), enum_label (e, "status"),
        total_text, grade != NULL ? grade : "", text_or_empty (e, "comment"),
      };

      report_table_row (r, &table, cells);
    }
}

/* baseline, target, actual */
static const ReportColor series_colors[] = {
  { 0.62, 0.62, 0.62 },
  { 0.26, 0.47, 0.80 },
  { 0.20, 0.62, 0.33 },
};

/* Bars of baseline, target and actual per period. Values are hundredths;
 * a missing value leaves a gap, negative ones are drawn at zero. */
static void
indicator_chart (Report               *r,
                 ProcuraProjectBundle *bundle,
                 ProcuraRecord        *indicator)
{
  const ProcuraEntityInfo *period_entity = procura_schema_lookup ("indicator_period");
  const ProcuraEntityInfo *indicator_entity = PROCURA_ENTITY_INDICATOR;
  const char *series[] = {
    field_label (indicator_entity, "baseline_value"),
    field_label (indicator_entity, "target_value"),
    field_label (period_entity, "actual_value"),
  };
  g_autoptr(GPtrArray) periods = g_ptr_array_new ();
  int baseline_index = procura_entity_field_index (indicator_entity, "baseline_value");
  int target_index = procura_entity_field_index (indicator_entity, "target_value");
  gboolean has_baseline = procura_record_get_value (indicator, baseline_index) != NULL;
  gboolean has_target = procura_record_get_value (indicator, target_index) != NULL;
  gint64 baseline = procura_record_get_int (indicator, "baseline_value", 0);
  gint64 target = procura_record_get_int (indicator, "target_value", 0);
  gint64 max = 1;
  double top, plot_h, plot_x, plot_w, group_w, bar_w, legend_x;

  for (guint i = 0; i < bundle->indicator_periods->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (bundle->indicator_periods, i);

      if (g_strcmp0 (procura_record_get_string (p, "indicator_id"), procura_record_get_id (indicator)) == 0)
        g_ptr_array_add (periods, p);
    }
  if (periods->len == 0)
    return;

  if (has_baseline)
    max = MAX (max, baseline);
  if (has_target)
    max = MAX (max, target);
  for (guint i = 0; i < periods->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (periods, i);

      max = MAX (max, procura_record_get_int (p, "target_value", 0));
      max = MAX (max, procura_record_get_int (p, "actual_value", 0));
    }

  report_ensure_space (r, CHART_HEIGHT + 30);
  top = r->y + 18;
  plot_h = CHART_HEIGHT - 18;
  plot_x = REPORT_MARGIN + 40;
  plot_w = r->content_width - 40;

  /* legend */
  legend_x = REPORT_MARGIN + r->content_width;
  for (int s = G_N_ELEMENTS (series) - 1; s >= 0; s--)
    {
      g_autoptr(PangoLayout) label = report_make_layout (r, series[s], 7.5, FALSE, 0, 0);

      legend_x -= report_layout_width (label);
      report_show_layout (r, label, legend_x, r->y, 0.3);
      legend_x -= 10;
      report_fill_rect (r, legend_x, r->y + 3, 7, 7, &series_colors[s]);
      legend_x -= 10;
    }

  /* axis with the maximum */
  {
    g_autofree char *max_text = procura_decimal_format (max);
    g_autoptr(PangoLayout) max_label = report_make_layout (r, max_text, 7, FALSE, 36, 1);
    g_autoptr(PangoLayout) zero_label = report_make_layout (r, "0", 7, FALSE, 36, 1);
    static const ReportColor light = { 0.85, 0.85, 0.85 };
    static const ReportColor axis = { 0.4, 0.4, 0.4 };

    pango_layout_set_alignment (max_label, PANGO_ALIGN_RIGHT);
    pango_layout_set_alignment (zero_label, PANGO_ALIGN_RIGHT);
    report_show_layout (r, max_label, REPORT_MARGIN, top - 4, 0.4);
    report_show_layout (r, zero_label, REPORT_MARGIN, top + plot_h - 8, 0.4);
    report_line (r, plot_x, top, plot_x + plot_w, top, 0.4, &light);
    report_line (r, plot_x, top, plot_x, top + plot_h, 0.6, &axis);
    report_line (r, plot_x, top + plot_h, plot_x + plot_w, top + plot_h, 0.6, &axis);
  }

  group_w = plot_w / periods->len;
  bar_w = MIN (group_w * 0.8 / 3, 16);
  for (guint i = 0; i < periods->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (periods, i);
      int period_target = procura_entity_field_index (period_entity, "target_value");
      int period_actual = procura_entity_field_index (period_entity, "actual_value");
      gboolean present[3] = {
        has_baseline,
        procura_record_get_value (p, period_target) != NULL || has_target,
        procura_record_get_value (p, period_actual) != NULL,
      };
      gint64 values[3] = {
        baseline,
        procura_record_get_value (p, period_target) != NULL ? procura_record_get_int (p, "target_value", 0) : target,
        procura_record_get_int (p, "actual_value", 0),
      };
      double x0 = plot_x + i * group_w + (group_w - 3 * bar_w) / 2;
      g_autoptr(PangoLayout) label = report_make_layout (r, date_cell (r, p, "period_end"), 7, FALSE, group_w, 1);

      for (guint s = 0; s < 3; s++)
        {
          double h = present[s] ? plot_h * MAX (values[s], 0) / (double) max : 0;

          if (!present[s])
            continue;
          report_fill_rect (r, x0 + s * bar_w, top + plot_h - h, bar_w - 1, h, &series_colors[s]);
        }
      pango_layout_set_alignment (label, PANGO_ALIGN_CENTER);
      report_show_layout (r, label, plot_x + i * group_w, top + plot_h + 2, 0.35);
    }

  r->y = top + plot_h + 16;
}

static void
indicators_section (Report               *r,
                    ProcuraProjectBundle *bundle)
{
  const ProcuraEntityInfo *indicator = PROCURA_ENTITY_INDICATOR;
  const ReportColumn columns[] = {
    { field_label (indicator, "title"), 0.40, FALSE },
    { field_label (indicator, "result_type"), 0.14, FALSE },
    { field_label (indicator, "unit"), 0.12, FALSE },
    { field_label (indicator, "baseline_value"), 0.17, TRUE },
    { field_label (indicator, "target_value"), 0.17, TRUE },
  };
  const ReportTable table = { columns, G_N_ELEMENTS (columns), TRUE };

  report_heading (r, _("Outcome indicators"));
  if (bundle->indicators->len == 0)
    {
      report_paragraph (r, _("None recorded."), 9);
      return;
    }

  for (guint i = 0; i < bundle->indicators->len; i++)
    {
      ProcuraRecord *ind = g_ptr_array_index (bundle->indicators, i);
      g_autofree char *baseline = decimal_or_empty (ind, "baseline_value");
      g_autofree char *target = decimal_or_empty (ind, "target_value");
      const char *cells[] = {
        text_or_empty (ind, "title"), enum_label (ind, "result_type"), text_or_empty (ind, "unit"),
        baseline, target,
      };

      r->y += i > 0 ? 8 : 0;
      report_table_begin (r, &table);
      report_table_row (r, &table, cells);
      r->y += 4;
      indicator_chart (r, bundle, ind);
    }
}

typedef struct
{
  const char *actor;
  guint       changes;    /* distinct writes */
  guint       fields;     /* field changes */
} ActorCount;

static int
compare_actor_counts (gconstpointer a,
                      gconstpointer b)
{
  const ActorCount *x = a, *y = b;

  if (x->changes != y->changes)
    return x->changes < y->changes ? 1 : -1;
  return g_strcmp0 (x->actor, y->actor);
}

static void
history_section (Report    *r,
                 GPtrArray *history)
{
  g_autoptr(GHashTable) by_actor = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) writes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(GArray) counts = g_array_new (FALSE, FALSE, sizeof (ActorCount));
  static const ReportColumn actor_columns[] = {
    { N_("Person"), 0.5, FALSE }, { N_("Changes"), 0.25, TRUE }, { N_("Fields changed"), 0.25, TRUE },
  };
  ReportColumn actor_translated[G_N_ELEMENTS (actor_columns)];
  const ReportColumn recent_columns[] = {
    { _("Time"), 0.22, FALSE },
    { _("Person"), 0.14, FALSE },
    { _("Record"), 0.15, FALSE },
    { _("Field"), 0.17, FALSE },
    { _("New value"), 0.32, FALSE },
  };
  const ReportTable actor_table = { actor_translated, G_N_ELEMENTS (actor_translated), TRUE };
  const ReportTable recent_table = { recent_columns, G_N_ELEMENTS (recent_columns), TRUE };
  GHashTableIter iter;
  gpointer value;
  g_autofree char *summary = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (actor_columns); i++)
    {
      actor_translated[i] = actor_columns[i];
      actor_translated[i].title = _(actor_columns[i].title);
    }

  report_heading (r, _("History"));
  for (guint i = 0; i < history->len; i++)
    {
      ProcuraHistoryEntry *entry = g_ptr_array_index (history, i);
      const char *actor = entry->actor != NULL ? entry->actor : "";
      ActorCount *count = g_hash_table_lookup (by_actor, actor);
      g_autofree char *write_key = g_strdup_printf ("%s/%s", entry->mutation_id, entry->record_id);

      if (count == NULL)
        {
          count = g_new0 (ActorCount, 1);
          count->actor = actor;
          g_hash_table_insert (by_actor, (gpointer) actor, count);
        }
      count->fields++;
      if (!g_hash_table_contains (writes, write_key))
        {
          count->changes++;
          g_hash_table_add (writes, g_steal_pointer (&write_key));
        }
    }

  g_hash_table_iter_init (&iter, by_actor);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_array_append_val (counts, *(ActorCount *) value);
  g_array_sort (counts, compare_actor_counts);

  /* Translators: summary of a project's history in the PDF report */
  summary = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u field change in all.", "%u field changes in all.",
                                          history->len), history->len);
  report_paragraph (r, summary, 9);
  if (history->len == 0)
    return;

  report_table_begin (r, &actor_table);
  for (guint i = 0; i < counts->len; i++)
    {
      ActorCount *count = &g_array_index (counts, ActorCount, i);
      g_autofree char *changes = g_strdup_printf ("%u", count->changes);
      g_autofree char *fields = g_strdup_printf ("%u", count->fields);
      const char *cells[] = { count->actor, changes, fields };

      report_table_row (r, &actor_table, cells);
    }

  r->y += 8;
  /* the title with the table's header and first rows */
  report_ensure_space (r, 80);
  {
    /* Translators: heading over the newest changes in the PDF report */
    g_autofree char *title = g_strdup_printf (_("Latest %u changes"), MIN (history->len, N_RECENT_CHANGES));

    report_paragraph (r, title, 10);
  }
  report_table_begin (r, &recent_table);
  for (guint i = 0; i < history->len && i < N_RECENT_CHANGES; i++)
    {
      ProcuraHistoryEntry *entry = g_ptr_array_index (history, i);
      const ProcuraEntityInfo *entity = procura_schema_lookup (entry->entity);
      const ProcuraFieldInfo *field = entity != NULL && entry->field != NULL
                                      ? procura_entity_lookup_field (entity, entry->field) : NULL;
      g_autofree char *when = procura_timestamp_format_display (entry->at);
      g_autofree char *shown = NULL;

      /* a reference would show as a bare UUID: say nothing instead */
      if (field != NULL && field->type == PROCURA_FIELD_REF)
        shown = g_strdup ("");
      else if (field != NULL && entry->new_value != NULL)
        {
          g_autoptr(GVariant) v = procura_field_value_from_text (field, entry->new_value);

          if (v != NULL)
            shown = procura_field_value_to_display (field, v);
        }
      if (shown == NULL)
        shown = g_strdup (entry->new_value != NULL ? entry->new_value : "");

      {
        const char *cells[] = {
          when, entry->actor != NULL ? entry->actor : "",
          entity != NULL ? procura_entity_get_label (entity) : entry->entity,
          field != NULL ? procura_field_get_label (field) : (entry->field != NULL ? entry->field : ""),
          shown,
        };

        report_table_row (r, &recent_table, cells);
      }
    }
}

/* ---- the project report ---------------------------------------------- */

typedef struct
{
  ProcuraProjectBundle *bundle;
  GPtrArray            *history;
  char                 *today;
} ProjectReport;

static void
project_report_free (gpointer data)
{
  ProjectReport *report = data;

  g_clear_pointer (&report->bundle, procura_project_bundle_free);
  g_clear_pointer (&report->history, g_ptr_array_unref);
  g_free (report->today);
  g_free (report);
}

static void
build_project (Report   *r,
               gpointer  data)
{
  ProjectReport *report = data;

  title_block (r, report->bundle);
  contract_section (r, report->bundle);
  milestones_section (r, report->bundle, report->today);
  payments_section (r, report->bundle);
  evaluations_section (r, report->bundle);
  indicators_section (r, report->bundle);
  history_section (r, report->history);
}

ProcuraReportDocument *
procura_report_document_new_project (ProcuraStore  *store,
                                     const char    *project,
                                     GError       **error)
{
  g_autoptr(ProcuraProjectBundle) bundle = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *id = NULL;
  g_autofree char *running = NULL;
  ProjectReport *report;

  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);
  g_return_val_if_fail (project != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_uuid_string_is_valid (project))
    id = g_strdup (project);
  else
    id = procura_store_resolve_ref (store, PROCURA_ENTITY_PROJECT, project, NULL);

  if (id == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                   _("Project: nothing matches “%s” (give a project id or number)"), project);
      return NULL;
    }

  if (!(bundle = procura_store_load_project (store, id, error)))
    return NULL;
  if (!(history = procura_store_query_history (store, procura_record_get_id (bundle->project), error)))
    return NULL;

  report = g_new0 (ProjectReport, 1);
  report->bundle = g_steal_pointer (&bundle);
  report->history = g_steal_pointer (&history);
  report->today = procura_store_dup_today (store);
  running = g_strdup_printf ("%s  %s", text_or_empty (report->bundle->project, "code"),
                             text_or_empty (report->bundle->project, "title"));

  return report_document_new (text_or_empty (report->bundle->project, "title"), running,
                              build_project, report, project_report_free);
}

gboolean
procura_report_write_pdf (ProcuraStore  *store,
                          const char    *project,
                          const char    *path,
                          GError       **error)
{
  g_autoptr(ProcuraReportDocument) doc = NULL;

  g_return_val_if_fail (project != NULL && path != NULL, FALSE);

  if (!(doc = procura_report_document_new_project (store, project, error)))
    return FALSE;

  return procura_report_document_write_pdf (doc, path, error);
}
