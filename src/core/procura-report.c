/* procura-report.c — the printable PDF report of a project
 *
 * A4 portrait, drawn with Pango on a cairo PDF surface: the title block,
 * the contract facts with the amount in capital form, milestones,
 * payments, evaluations with their grades, the outcome indicators with a
 * bar chart per indicator, and a summary of the history.
 *
 * "第 N 页 共 M 页" needs M before page 1 is drawn, so the report is laid
 * out twice: once into a PDF surface that writes nowhere, to count the
 * pages, then into the file. Laying out is cheap next to loading.
 *
 * Units are PDF points (the Pango context runs at 72 dpi). Text is set
 * with "Noto Sans CJK SC" and the zh-cn language tag, so Han characters
 * take their Simplified Chinese glyphs whatever the locale.
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
#include <pango/pangocairo.h>

#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-derive.h"
#include "procura-error.h"
#include "procura-money.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-report.h"

#define PAGE_WIDTH   595.276   /* A4, points */
#define PAGE_HEIGHT  841.890
#define MARGIN       51.0      /* 18 mm */
#define FOOTER       22.0
#define CONTENT_WIDTH (PAGE_WIDTH - 2 * MARGIN)
#define BOTTOM       (PAGE_HEIGHT - MARGIN - FOOTER)
#define CELL_PAD     3.0
#define FONT_FAMILY  "Noto Sans CJK SC"
#define N_RECENT_CHANGES 15
#define CHART_HEIGHT 96.0

typedef struct
{
  cairo_t      *cr;
  PangoContext *pango;
  double        y;
  int           page;       /* 1-based */
  int           n_pages;    /* 0 in the counting pass */
  const char   *running;    /* project number and title, atop pages 2… */
  const char   *generated;
  GPtrArray    *scratch;    /* strings the cells of a page point to */
} Report;

typedef struct
{
  const char *title;
  double      width;        /* fraction of the content width */
  gboolean    right;        /* numbers: right-aligned */
} Column;

typedef struct
{
  const Column *columns;
  guint         n_columns;
  gboolean      header;     /* repeat the column titles on each page */
} Table;

/* ---- text ------------------------------------------------------------ */

static PangoLayout *
make_layout (Report     *r,
             const char *text,
             double      size,
             gboolean    bold,
             double      width,
             int         max_lines)
{
  PangoLayout *layout = pango_layout_new (r->pango);
  g_autoptr(PangoFontDescription) desc = pango_font_description_new ();

  pango_font_description_set_family (desc, FONT_FAMILY);
  pango_font_description_set_absolute_size (desc, size * PANGO_SCALE);
  pango_font_description_set_weight (desc, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description (layout, desc);
  if (width > 0)
    {
      pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
      pango_layout_set_wrap (layout, PANGO_WRAP_WORD_CHAR);
    }
  /* a row never outgrows a page: long texts end in an ellipsis */
  if (max_lines > 0)
    {
      pango_layout_set_height (layout, -max_lines);
      pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
    }
  pango_layout_set_text (layout, text != NULL ? text : "", -1);

  return layout;
}

static double
layout_height (PangoLayout *layout)
{
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  return (double) h / PANGO_SCALE;
}

static double
layout_width (PangoLayout *layout)
{
  int w, h;

  pango_layout_get_size (layout, &w, &h);
  return (double) w / PANGO_SCALE;
}

static void
show_layout (Report      *r,
             PangoLayout *layout,
             double       x,
             double       y,
             double       gray)
{
  cairo_set_source_rgb (r->cr, gray, gray, gray);
  cairo_move_to (r->cr, x, y);
  pango_cairo_show_layout (r->cr, layout);
}

/* ---- pages ----------------------------------------------------------- */

static void
finish_page (Report *r)
{
  g_autoptr(PangoLayout) left = NULL;
  g_autoptr(PangoLayout) right = NULL;
  g_autofree char *page = NULL;
  double y = PAGE_HEIGHT - MARGIN - 10;

  /* Translators: page footer of the PDF report, e.g. "第 1 页 共 3 页" */
  page = g_strdup_printf (_("Page %d of %d"), r->page, MAX (r->n_pages, r->page));
  left = make_layout (r, r->generated, 8, FALSE, 0, 0);
  right = make_layout (r, page, 8, FALSE, 0, 0);

  cairo_set_source_rgb (r->cr, 0.7, 0.7, 0.7);
  cairo_set_line_width (r->cr, 0.5);
  cairo_move_to (r->cr, MARGIN, y - 4);
  cairo_line_to (r->cr, PAGE_WIDTH - MARGIN, y - 4);
  cairo_stroke (r->cr);
  show_layout (r, left, MARGIN, y, 0.35);
  show_layout (r, right, PAGE_WIDTH - MARGIN - layout_width (right), y, 0.35);
  cairo_show_page (r->cr);
}

static void
new_page (Report *r)
{
  g_autoptr(PangoLayout) running = NULL;

  finish_page (r);
  r->page++;
  r->y = MARGIN;

  running = make_layout (r, r->running, 8, FALSE, CONTENT_WIDTH, 1);
  show_layout (r, running, MARGIN, r->y, 0.45);
  r->y += layout_height (running) + 10;
}

/* Starts a new page unless height still fits on this one. */
static void
ensure_space (Report *r,
              double  height)
{
  if (r->y + height > BOTTOM)
    new_page (r);
}

static void
heading (Report     *r,
         const char *text)
{
  g_autoptr(PangoLayout) layout = make_layout (r, text, 12.5, TRUE, CONTENT_WIDTH, 2);
  double h = layout_height (layout);

  /* keep a heading with at least a few lines of what it heads */
  ensure_space (r, 14 + h + 60);
  r->y += 14;
  show_layout (r, layout, MARGIN, r->y, 0.1);
  r->y += h + 3;
  cairo_set_source_rgb (r->cr, 0.2, 0.35, 0.6);
  cairo_set_line_width (r->cr, 1.0);
  cairo_move_to (r->cr, MARGIN, r->y);
  cairo_line_to (r->cr, PAGE_WIDTH - MARGIN, r->y);
  cairo_stroke (r->cr);
  r->y += 5;
}

static void
paragraph (Report     *r,
           const char *text,
           double      size)
{
  g_autoptr(PangoLayout) layout = make_layout (r, text, size, FALSE, CONTENT_WIDTH, 12);
  double h = layout_height (layout);

  ensure_space (r, h);
  show_layout (r, layout, MARGIN, r->y, 0.15);
  r->y += h + 3;
}

/* ---- tables ---------------------------------------------------------- */

static void table_header (Report *r, const Table *table);

static void
draw_row (Report             *r,
          const Table        *table,
          const char * const *cells,
          gboolean            is_header,
          gboolean            bold)
{
  PangoLayout *layouts[16];
  double height = 0, x = MARGIN;

  g_assert (table->n_columns <= G_N_ELEMENTS (layouts));

  for (guint i = 0; i < table->n_columns; i++)
    {
      double w = table->columns[i].width * CONTENT_WIDTH - 2 * CELL_PAD;

      layouts[i] = make_layout (r, cells[i], 8.5, is_header || bold, w, 6);
      if (table->columns[i].right)
        pango_layout_set_alignment (layouts[i], PANGO_ALIGN_RIGHT);
      height = MAX (height, layout_height (layouts[i]));
    }
  height += 2 * CELL_PAD;

  if (!is_header && r->y + height > BOTTOM)
    {
      new_page (r);
      if (table->header)
        table_header (r, table);
    }

  if (is_header)
    {
      cairo_set_source_rgb (r->cr, 0.9, 0.92, 0.96);
      cairo_rectangle (r->cr, MARGIN, r->y, CONTENT_WIDTH, height);
      cairo_fill (r->cr);
    }

  for (guint i = 0; i < table->n_columns; i++)
    {
      show_layout (r, layouts[i], x + CELL_PAD, r->y + CELL_PAD, 0.1);
      x += table->columns[i].width * CONTENT_WIDTH;
      g_object_unref (layouts[i]);
    }

  r->y += height;
  cairo_set_source_rgb (r->cr, 0.8, 0.8, 0.8);
  cairo_set_line_width (r->cr, 0.5);
  cairo_move_to (r->cr, MARGIN, r->y);
  cairo_line_to (r->cr, PAGE_WIDTH - MARGIN, r->y);
  cairo_stroke (r->cr);
}

static void
table_header (Report      *r,
              const Table *table)
{
  const char *titles[16];

  for (guint i = 0; i < table->n_columns; i++)
    titles[i] = table->columns[i].title;
  draw_row (r, table, titles, TRUE, TRUE);
}

static void
table_begin (Report      *r,
             const Table *table)
{
  /* the header and at least one row together */
  ensure_space (r, 48);
  if (table->header)
    table_header (r, table);
}

static void
table_row (Report             *r,
           const Table        *table,
           const char * const *cells)
{
  draw_row (r, table, cells, FALSE, FALSE);
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
  g_autoptr(PangoLayout) kind = make_layout (r, _("Project report"), 10, FALSE, CONTENT_WIDTH, 1);
  g_autoptr(PangoLayout) title = make_layout (r, text_or_empty (bundle->project, "title"), 18, TRUE, CONTENT_WIDTH, 3);
  static const Column columns[] = { { NULL, 0.22, FALSE }, { NULL, 0.78, FALSE } };
  const Table table = { columns, G_N_ELEMENTS (columns), FALSE };

  show_layout (r, kind, MARGIN, r->y, 0.4);
  r->y += layout_height (kind) + 2;
  show_layout (r, title, MARGIN, r->y, 0.05);
  r->y += layout_height (title) + 8;

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
      table_row (r, &table, rows[i]);
  }
}

static void
contract_section (Report               *r,
                  ProcuraProjectBundle *bundle)
{
  const ProcuraEntityInfo *project = PROCURA_ENTITY_PROJECT;
  const ProcuraEntityInfo *amendment = PROCURA_ENTITY_AMENDMENT;
  static const Column facts_columns[] = { { NULL, 0.22, FALSE }, { NULL, 0.78, FALSE } };
  const Table facts = { facts_columns, G_N_ELEMENTS (facts_columns), FALSE };
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

  heading (r, _("Contract"));
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
      table_row (r, &facts, rows[i]);
  }

  if (bundle->amendments->len > 0)
    {
      gint64 amended = procura_project_amended_value (bundle);
      g_autofree char *amended_text = procura_money_format (amended);
      g_autofree char *amended_capital = procura_money_format_capital (amended);
      g_autofree char *line = NULL;
      const Column columns[] = {
        { field_label (amendment, "date"), 0.16, FALSE },
        { field_label (amendment, "rationale"), 0.48, FALSE },
        { field_label (amendment, "value_delta"), 0.18, TRUE },
        { field_label (amendment, "new_end_date"), 0.18, FALSE },
      };
      const Table table = { columns, G_N_ELEMENTS (columns), TRUE };

      r->y += 8;
      paragraph (r, procura_entity_get_label (amendment), 10);
      table_begin (r, &table);
      for (guint i = 0; i < bundle->amendments->len; i++)
        {
          ProcuraRecord *a = g_ptr_array_index (bundle->amendments, i);
          g_autofree char *delta = money_or_empty (a, "value_delta");
          const char *cells[] = {
            date_cell (r, a, "date"), text_or_empty (a, "rationale"), delta,
            date_cell (r, a, "new_end_date"),
          };

          table_row (r, &table, cells);
        }
      r->y += 4;
      /* Translators: the contract value after amendments, then in capital form */
      line = g_strdup_printf (_("Value with amendments: %s (RMB %s)"), amended_text, amended_capital);
      paragraph (r, line, 9);
    }
}

static void
milestones_section (Report               *r,
                    ProcuraProjectBundle *bundle,
                    const char           *today)
{
  const ProcuraEntityInfo *milestone = PROCURA_ENTITY_MILESTONE;
  const Column columns[] = {
    { field_label (milestone, "title"), 0.34, FALSE },
    { field_label (milestone, "type"), 0.15, FALSE },
    { field_label (milestone, "due_date"), 0.16, FALSE },
    { field_label (milestone, "date_met"), 0.16, FALSE },
    { field_label (milestone, "status"), 0.19, FALSE },
  };
  const Table table = { columns, G_N_ELEMENTS (columns), TRUE };
  gboolean closed = procura_project_is_closed (bundle);

  heading (r, procura_entity_get_label (milestone));
  if (bundle->milestones->len == 0)
    {
      paragraph (r, _("None recorded."), 9);
      return;
    }

  table_begin (r, &table);
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

        table_row (r, &table, cells);
      }
    }
}

static void
payments_section (Report               *r,
                  ProcuraProjectBundle *bundle)
{
  const ProcuraEntityInfo *payment = PROCURA_ENTITY_PAYMENT;
  const Column columns[] = {
    { field_label (payment, "title"), 0.24, FALSE },
    { field_label (payment, "planned_date"), 0.16, FALSE },
    { field_label (payment, "planned_amount"), 0.16, TRUE },
    { field_label (payment, "status"), 0.10, FALSE },
    { field_label (payment, "paid_date"), 0.16, FALSE },
    { field_label (payment, "paid_amount"), 0.18, TRUE },
  };
  const Table table = { columns, G_N_ELEMENTS (columns), TRUE };
  gint64 planned = 0;

  heading (r, procura_entity_get_label (payment));
  if (bundle->payments->len > 0)
    {
      table_begin (r, &table);
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
          table_row (r, &table, cells);
        }

      {
        g_autofree char *planned_total = procura_money_format (planned);
        g_autofree char *paid_total = procura_money_format (procura_project_paid (bundle));
        const char *cells[] = { _("Total"), "", planned_total, "", "", paid_total };

        draw_row (r, &table, cells, FALSE, TRUE);
      }
    }
  else
    paragraph (r, _("None recorded."), 9);

  {
    g_autofree char *paid = procura_money_format (procura_project_paid (bundle));
    g_autofree char *balance = procura_money_format (procura_project_balance (bundle));
    /* Translators: totals under the payments table of the PDF report */
    g_autofree char *line = g_strdup_printf (_("Paid: %s   Balance: %s"), paid, balance);

    r->y += 4;
    paragraph (r, line, 9);
  }
}

static void
evaluations_section (Report               *r,
                     ProcuraProjectBundle *bundle)
{
  const ProcuraEntityInfo *evaluation = PROCURA_ENTITY_EVALUATION;
  const Column columns[] = {
    { field_label (evaluation, "kind"), 0.21, FALSE },
    { field_label (evaluation, "date"), 0.16, FALSE },
    { field_label (evaluation, "status"), 0.11, FALSE },
    { _("Total score"), 0.12, TRUE },
    { _("Grade"), 0.12, FALSE },
    { field_label (evaluation, "comment"), 0.28, FALSE },
  };
  const Table table = { columns, G_N_ELEMENTS (columns), TRUE };

  heading (r, procura_entity_get_label (evaluation));
  if (bundle->evaluations->len == 0)
    {
      paragraph (r, _("None recorded."), 9);
      return;
    }

  table_begin (r, &table);
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

      table_row (r, &table, cells);
    }
}

static void
set_series_color (cairo_t *cr,
                  guint    series)
{
  static const double colors[][3] = {
    { 0.62, 0.62, 0.62 },   /* baseline */
    { 0.26, 0.47, 0.80 },   /* target */
    { 0.20, 0.62, 0.33 },   /* actual */
  };

  cairo_set_source_rgb (cr, colors[series][0], colors[series][1], colors[series][2]);
}

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

  ensure_space (r, CHART_HEIGHT + 30);
  top = r->y + 18;
  plot_h = CHART_HEIGHT - 18;
  plot_x = MARGIN + 40;
  plot_w = CONTENT_WIDTH - 40;

  /* legend */
  legend_x = MARGIN + CONTENT_WIDTH;
  for (int s = G_N_ELEMENTS (series) - 1; s >= 0; s--)
    {
      g_autoptr(PangoLayout) label = make_layout (r, series[s], 7.5, FALSE, 0, 0);

      legend_x -= layout_width (label);
      show_layout (r, label, legend_x, r->y, 0.3);
      legend_x -= 10;
      set_series_color (r->cr, s);
      cairo_rectangle (r->cr, legend_x, r->y + 3, 7, 7);
      cairo_fill (r->cr);
      legend_x -= 10;
    }

  /* axis with the maximum */
  {
    g_autofree char *max_text = procura_decimal_format (max);
    g_autoptr(PangoLayout) max_label = make_layout (r, max_text, 7, FALSE, 36, 1);
    g_autoptr(PangoLayout) zero_label = make_layout (r, "0", 7, FALSE, 36, 1);

    pango_layout_set_alignment (max_label, PANGO_ALIGN_RIGHT);
    pango_layout_set_alignment (zero_label, PANGO_ALIGN_RIGHT);
    show_layout (r, max_label, MARGIN, top - 4, 0.4);
    show_layout (r, zero_label, MARGIN, top + plot_h - 8, 0.4);
    cairo_set_source_rgb (r->cr, 0.85, 0.85, 0.85);
    cairo_set_line_width (r->cr, 0.4);
    cairo_move_to (r->cr, plot_x, top);
    cairo_line_to (r->cr, plot_x + plot_w, top);
    cairo_stroke (r->cr);
    cairo_set_source_rgb (r->cr, 0.4, 0.4, 0.4);
    cairo_set_line_width (r->cr, 0.6);
    cairo_move_to (r->cr, plot_x, top);
    cairo_line_to (r->cr, plot_x, top + plot_h);
    cairo_line_to (r->cr, plot_x + plot_w, top + plot_h);
    cairo_stroke (r->cr);
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
      g_autoptr(PangoLayout) label = make_layout (r, date_cell (r, p, "period_end"), 7, FALSE, group_w, 1);

      for (guint s = 0; s < 3; s++)
        {
          double h = present[s] ? plot_h * MAX (values[s], 0) / (double) max : 0;

          if (!present[s])
            continue;
          set_series_color (r->cr, s);
          cairo_rectangle (r->cr, x0 + s * bar_w, top + plot_h - h, bar_w - 1, h);
          cairo_fill (r->cr);
        }
      pango_layout_set_alignment (label, PANGO_ALIGN_CENTER);
      show_layout (r, label, plot_x + i * group_w, top + plot_h + 2, 0.35);
    }

  r->y = top + plot_h + 16;
}

static void
indicators_section (Report               *r,
                    ProcuraProjectBundle *bundle)
{
  const ProcuraEntityInfo *indicator = PROCURA_ENTITY_INDICATOR;
  const Column columns[] = {
    { field_label (indicator, "title"), 0.40, FALSE },
    { field_label (indicator, "result_type"), 0.14, FALSE },
    { field_label (indicator, "unit"), 0.12, FALSE },
    { field_label (indicator, "baseline_value"), 0.17, TRUE },
    { field_label (indicator, "target_value"), 0.17, TRUE },
  };
  const Table table = { columns, G_N_ELEMENTS (columns), TRUE };

  heading (r, _("Outcome indicators"));
  if (bundle->indicators->len == 0)
    {
      paragraph (r, _("None recorded."), 9);
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
      table_begin (r, &table);
      table_row (r, &table, cells);
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
  static const Column actor_columns[] = {
    { N_("Person"), 0.5, FALSE }, { N_("Changes"), 0.25, TRUE }, { N_("Fields changed"), 0.25, TRUE },
  };
  Column actor_translated[G_N_ELEMENTS (actor_columns)];
  const Column recent_columns[] = {
    { _("Time"), 0.22, FALSE },
    { _("Person"), 0.14, FALSE },
    { _("Record"), 0.15, FALSE },
    { _("Field"), 0.17, FALSE },
    { _("New value"), 0.32, FALSE },
  };
  const Table actor_table = { actor_translated, G_N_ELEMENTS (actor_translated), TRUE };
  const Table recent_table = { recent_columns, G_N_ELEMENTS (recent_columns), TRUE };
  GHashTableIter iter;
  gpointer value;
  g_autofree char *summary = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (actor_columns); i++)
    {
      actor_translated[i] = actor_columns[i];
      actor_translated[i].title = _(actor_columns[i].title);
    }

  heading (r, _("History"));
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
  paragraph (r, summary, 9);
  if (history->len == 0)
    return;

  table_begin (r, &actor_table);
  for (guint i = 0; i < counts->len; i++)
    {
      ActorCount *count = &g_array_index (counts, ActorCount, i);
      g_autofree char *changes = g_strdup_printf ("%u", count->changes);
      g_autofree char *fields = g_strdup_printf ("%u", count->fields);
      const char *cells[] = { count->actor, changes, fields };

      table_row (r, &actor_table, cells);
    }

  r->y += 8;
  /* the title with the table's header and first rows */
  ensure_space (r, 80);
  {
    /* Translators: heading over the newest changes in the PDF report */
    g_autofree char *title = g_strdup_printf (_("Latest %u changes"), MIN (history->len, N_RECENT_CHANGES));

    paragraph (r, title, 10);
  }
  table_begin (r, &recent_table);
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

        table_row (r, &recent_table, cells);
      }
    }
}

/* ---- the document ---------------------------------------------------- */

static void
render (cairo_surface_t      *surface,
        ProcuraProjectBundle *bundle,
        GPtrArray            *history,
        const char           *today,
        const char           *generated,
        int                   n_pages,
        int                  *out_pages)
{
  g_autofree char *running = g_strdup_printf ("%s  %s", text_or_empty (bundle->project, "code"),
                                              text_or_empty (bundle->project, "title"));
  cairo_font_options_t *options = cairo_font_options_create ();
  Report r = { 0 };

  r.cr = cairo_create (surface);
  r.pango = pango_cairo_create_context (r.cr);
  pango_cairo_context_set_resolution (r.pango, 72);
  pango_context_set_language (r.pango, pango_language_from_string ("zh-cn"));
  /* unhinted metrics: the same layout at every resolution */
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (r.pango, options);
  cairo_font_options_destroy (options);
  r.page = 1;
  r.n_pages = n_pages;
  r.y = MARGIN;
  r.running = running;
  r.generated = generated;
  r.scratch = g_ptr_array_new_with_free_func (g_free);

  title_block (&r, bundle);
  contract_section (&r, bundle);
  milestones_section (&r, bundle, today);
  payments_section (&r, bundle);
  evaluations_section (&r, bundle);
  indicators_section (&r, bundle);
  history_section (&r, history);
  finish_page (&r);

  *out_pages = r.page;
  g_ptr_array_unref (r.scratch);
  g_object_unref (r.pango);
  cairo_destroy (r.cr);
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

static ProcuraProjectBundle *
load_bundle (ProcuraStore  *store,
             const char    *project,
             GError       **error)
{
  g_autofree char *id = NULL;

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

  return procura_store_load_project (store, id, error);
}

gboolean
procura_report_write_pdf (ProcuraStore  *store,
                          const char    *project,
                          const char    *path,
                          GError       **error)
{
  g_autoptr(ProcuraProjectBundle) bundle = NULL;
  g_autoptr(GPtrArray) history = NULL;
  g_autofree char *now = procura_timestamp_now ();
  g_autofree char *now_text = procura_timestamp_format_display (now);
  g_autofree char *generated = NULL;
  g_autofree char *today = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *tmp = NULL;
  cairo_surface_t *surface;
  cairo_status_t status;
  FileSink sink = { -1, 0 };
  int n_pages = 0, n_written = 0;

  g_return_val_if_fail (project != NULL && path != NULL, FALSE);

  if (!(bundle = load_bundle (store, project, error)))
    return FALSE;
  if (!(history = procura_store_query_history (store, procura_record_get_id (bundle->project), error)))
    return FALSE;
  today = procura_store_dup_today (store);
  /* Translators: footer of the PDF report: when it was made */
  generated = g_strdup_printf (_("Generated %s"), now_text);

  /* first pass: count the pages */
  surface = cairo_pdf_surface_create_for_stream (NULL, NULL, PAGE_WIDTH, PAGE_HEIGHT);
  render (surface, bundle, history, today, generated, 0, &n_pages);
  cairo_surface_finish (surface);
  cairo_surface_destroy (surface);

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

  surface = cairo_pdf_surface_create_for_stream (write_to_fd, &sink, PAGE_WIDTH, PAGE_HEIGHT);
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_TITLE, text_or_empty (bundle->project, "title"));
  cairo_pdf_surface_set_metadata (surface, CAIRO_PDF_METADATA_CREATOR, "Procura " PACKAGE_VERSION);
  render (surface, bundle, history, today, generated, n_pages, &n_written);
  cairo_surface_finish (surface);
  status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);

  /* both passes lay out the same text with the same fonts */
  g_warn_if_fail (n_written == n_pages);

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
