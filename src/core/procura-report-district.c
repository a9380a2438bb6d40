/* procura-report-district.c — the district summary report
 *
 * What the 工作台 (dashboard) shows, on paper: the key figures, its two
 * charts (contract value and paid by street, the milestones of open
 * projects by status) and its lists of work due, with the charts the
 * dashboard has no room for (projects by status and by category, value
 * and paid by year, the grades, the largest agencies), then every live
 * project in a table that runs over as many pages as it needs.
 *
 * Figures come from procura_store_query_dashboard() and the ledger, read
 * when the document is made; money is summed in integer 分 and printed
 * exactly (the charts show 万元 as the dashboard does).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "procura-dashboard-query.h"
#include "procura-date.h"
#include "procura-money.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-report.h"
#include "procura-report-private.h"

/* agencies in their chart */
#define N_TOP_AGENCIES 10

/* the GNOME palette, as the dashboard's charts */
static const ReportColor blue = { 0.208, 0.518, 0.894 };      /* blue_3 */
static const ReportColor green = { 0.180, 0.761, 0.494 };     /* green_4 */
static const ReportColor purple = { 0.753, 0.380, 0.796 };    /* purple_2 */
static const ReportColor orange = { 1.000, 0.471, 0.000 };    /* orange_3 */
static const ReportColor red = { 0.878, 0.106, 0.141 };       /* red_3 */

typedef struct
{
  ProcuraDashboardData *dashboard;
  GPtrArray            *ledger;        /* ProcuraLedgerRow*, by project number */
} DistrictReport;

static void
district_report_free (gpointer data)
{
  DistrictReport *report = data;

  g_clear_pointer (&report->dashboard, procura_dashboard_data_free);
  g_clear_pointer (&report->ledger, g_ptr_array_unref);
  g_free (report);
}

/* ---- values ---------------------------------------------------------- */

/* "1234567" → "1,234,567"; a sign and decimals are kept. */
static char *
group_digits (const char *plain)
{
  GString *out = g_string_new (NULL);
  const char *digits = plain + strspn (plain, "-");
  size_t n = strspn (digits, "0123456789");

  g_string_append_len (out, plain, digits - plain);
  for (size_t i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  g_string_append (out, digits + n);

  return g_string_free (out, FALSE);
}

/* 万元 with two decimals and thousands separators, as on the dashboard */
static const char *
wan_text (Report *r,
          gint64  fen)
{
  g_autofree char *plain = procura_money_format_wan (fen);

  return report_keep (r, group_digits (plain));
}

static const char *
count_text (Report *r,
            guint   n)
{
  return report_keep (r, g_strdup_printf ("%u", n));
}

/* part / whole as "91.8%" (per mille, rounded down; no floating point) */
static char *
format_share (gint64 part,
              gint64 whole)
{
  gint64 per_mille = whole > 0 ? part * 1000 / whole : 0;

  /* Translators: a percentage, e.g. "91.8%" */
  return g_strdup_printf (_("%d.%d%%"), (int) (per_mille / 10), (int) (per_mille % 10));
}

/* What the district has committed to, as the dashboard counts it. */
static gboolean
is_committed (const ProcuraLedgerRow *row)
{
  return g_strcmp0 (row->status, "active") == 0 || g_strcmp0 (row->status, "completed") == 0;
}

static const char *
enum_label (const ProcuraEntityInfo *entity,
            const char              *name,
            const char              *code)
{
  if (code == NULL)
    return "";
  return procura_field_enum_label (procura_entity_lookup_field (entity, name), code);
}

static const char *
field_label (const ProcuraEntityInfo *entity,
             const char              *name)
{
  return procura_field_get_label (procura_entity_lookup_field (entity, name));
}

/* ---- the title and the key figures ----------------------------------- */

static void
title_block (Report         *r,
             DistrictReport *report)
{
  g_autofree char *date = procura_date_format_display (report->dashboard->as_of);
  g_autofree char *subtitle = NULL;
  g_autoptr(PangoLayout) title = NULL;
  g_autoptr(PangoLayout) sub = NULL;

  /* Translators: under the title of the district summary report, e.g.
   * "截至 2026年11月27日 · 共 200 个项目" */
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "As of %s · %u project", "As of %s · %u projects",
                                           report->dashboard->n_projects),
                              date, report->dashboard->n_projects);
  title = report_make_layout (r, _("District Summary of Purchased Service Projects"), 18, TRUE,
                              r->content_width, 3);
  sub = report_make_layout (r, subtitle, 10, FALSE, r->content_width, 2);

  report_show_layout (r, title, REPORT_MARGIN, r->y, 0.05);
  r->y += report_layout_height (title) + 4;
  report_show_layout (r, sub, REPORT_MARGIN, r->y, 0.35);
  r->y += report_layout_height (sub) + 12;
}

typedef struct
{
  const char *label;
  const char *value;
  const char *detail;
} Card;

static void
key_figures (Report         *r,
             DistrictReport *report)
{
  static const ReportColor fill = { 0.94, 0.95, 0.97 };
  const ProcuraDashboardData *data = report->dashboard;
  g_autofree char *all = g_strdup_printf ("%u", data->n_projects);
  g_autofree char *active = g_strdup_printf ("%u", data->n_active);
  g_autofree char *value = procura_money_format (data->value);
  g_autofree char *paid = procura_money_format (data->paid);
  g_autofree char *balance = procura_money_format (data->balance);
  g_autofree char *share = format_share (data->paid, data->value);
  g_autofree char *projects_detail = NULL;
  g_autofree char *paid_detail = NULL;
  const double gap = 8;
  double card_w = (r->content_width - 3 * gap) / 4;
  double height = 0;
  PangoLayout *layouts[4][3];

  projects_detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Of %s project in the ledger",
                                                  "Of %s projects in the ledger", data->n_projects),
                                     all);
  /* Translators: under the paid total: its share of the contract value */
  paid_detail = g_strdup_printf (_("%s of the contract value"), share);

  {
    const Card cards[4] = {
      { _("Projects in Progress"), active, projects_detail },
      { _("Contract value"), value, _("In progress and completed, with amendments") },
      { _("Paid"), paid, paid_detail },
      { _("Balance"), balance, _("Still to be paid") },
    };

    for (guint i = 0; i < 4; i++)
      {
        double h;

        layouts[i][0] = report_make_layout (r, cards[i].label, 8, FALSE, card_w - 12, 2);
        layouts[i][1] = report_make_layout (r, cards[i].value, 12, TRUE, card_w - 12, 2);
        layouts[i][2] = report_make_layout (r, cards[i].detail, 7, FALSE, card_w - 12, 3);
        h = report_layout_height (layouts[i][0]) + report_layout_height (layouts[i][1]) +
            report_layout_height (layouts[i][2]) + 6;
        height = MAX (height, h);
      }
  }
  height += 12;

  report_ensure_space (r, height);
  for (guint i = 0; i < 4; i++)
    {
      double x = REPORT_MARGIN + i * (card_w + gap);
      double y = r->y + 6;

      report_fill_rect (r, x, r->y, card_w, height, &fill);
      report_show_layout (r, layouts[i][0], x + 6, y, 0.35);
      y += report_layout_height (layouts[i][0]) + 3;
      report_show_layout (r, layouts[i][1], x + 6, y, 0.05);
      y += report_layout_height (layouts[i][1]) + 3;
      report_show_layout (r, layouts[i][2], x + 6, y, 0.4);
      for (guint j = 0; j < 3; j++)
        g_object_unref (layouts[i][j]);
    }
  r->y += height + 4;
}

/* ---- the charts ------------------------------------------------------ */

static void
status_chart (Report         *r,
              DistrictReport *report)
{
  GArray *statuses = report->dashboard->project_statuses;
  g_autofree ReportBar *bars = g_new0 (ReportBar, statuses->len);
  const char *names[] = { _("Projects") };

  for (guint i = 0; i < statuses->len; i++)
    {
      const ProcuraDashboardCount *count = &g_array_index (statuses, ProcuraDashboardCount, i);

      bars[i].label = count->label;
      bars[i].values[0] = count->count;
      bars[i].texts[0] = count_text (r, count->count);
    }

  report_heading (r, _("Projects by Status"));
  report_hbar_chart (r, 1, names, &blue, bars, statuses->len);
}

static void
street_chart (Report         *r,
              DistrictReport *report)
{
  GPtrArray *streets = report->dashboard->streets;
  g_autofree ReportBar *bars = g_new0 (ReportBar, MAX (streets->len, 1));
  const char *names[] = { _("Contract value"), _("Paid") };
  const ReportColor colors[] = { blue, green };

  report_heading (r, _("Contract Value and Paid by Street"));
  report_paragraph (r, _("Projects in progress and completed, in units of 10,000 yuan"), 8.5);
  if (streets->len == 0)
    {
      report_paragraph (r, _("No projects in progress or completed yet"), 9);
      return;
    }

  for (guint i = 0; i < streets->len; i++)
    {
      const ProcuraDashboardStreet *street = g_ptr_array_index (streets, i);

      bars[i].label = street->label;
      bars[i].values[0] = street->value;
      bars[i].values[1] = street->paid;
      bars[i].texts[0] = wan_text (r, street->value);
      bars[i].texts[1] = wan_text (r, street->paid);
    }
  report_hbar_chart (r, 2, names, colors, bars, streets->len);
}

typedef struct
{
  int    year;       /* 0: unknown */
  gint64 value;
  gint64 paid;
} YearSum;

static int
compare_years (gconstpointer a,
               gconstpointer b)
{
  const YearSum *x = a, *y = b;

  /* the unknown year last */
  if ((x->year == 0) != (y->year == 0))
    return x->year == 0 ? 1 : -1;
  return x->year < y->year ? -1 : x->year > y->year;
}

static void
year_chart (Report         *r,
            DistrictReport *report)
{
  g_autoptr(GArray) years = g_array_new (FALSE, TRUE, sizeof (YearSum));
  g_autofree ReportBar *bars = NULL;
  const char *names[] = { _("Contract value"), _("Paid") };
  const ReportColor colors[] = { blue, green };

  for (guint i = 0; i < report->ledger->len; i++)
    {
      const ProcuraLedgerRow *row = g_ptr_array_index (report->ledger, i);
      YearSum *sum = NULL;
      int year = row->budget_year;

      if (!is_committed (row))
        continue;
      /* the ledger's year: the budget year, else the year it starts */
      if (year <= 0 && row->start_date != NULL)
        year = atoi (row->start_date);

      for (guint j = 0; j < years->len && sum == NULL; j++)
        if (g_array_index (years, YearSum, j).year == year)
          sum = &g_array_index (years, YearSum, j);
      if (sum == NULL)
        {
          YearSum empty = { year, 0, 0 };

          g_array_append_val (years, empty);
          sum = &g_array_index (years, YearSum, years->len - 1);
        }
      sum->value += row->amended_value;
      sum->paid += row->paid;
    }
  g_array_sort (years, compare_years);

  report_heading (r, _("Contract Value and Paid by Year"));
  report_paragraph (r, _("Projects in progress and completed by budget year (or the year they start), "
                         "in units of 10,000 yuan"), 8.5);
  if (years->len == 0)
    {
      report_paragraph (r, _("No projects in progress or completed yet"), 9);
      return;
    }

  bars = g_new0 (ReportBar, years->len);
  for (guint i = 0; i < years->len; i++)
    {
      const YearSum *sum = &g_array_index (years, YearSum, i);

      /* Translators: a year in the chart of contract value by year,
       * zh_CN: "%d年" */
      bars[i].label = sum->year > 0 ? report_keep (r, g_strdup_printf (C_("chart", "%d"), sum->year))
      /* Translators: a bar of the chart of contract value by year, for
       * projects with no budget year or start date */
                                    : _("Year unknown");
      bars[i].values[0] = sum->value;
      bars[i].values[1] = sum->paid;
      bars[i].texts[0] = wan_text (r, sum->value);
      bars[i].texts[1] = wan_text (r, sum->paid);
    }
  /* across, the values of two series and a dozen years collide */
  report_hbar_chart (r, 2, names, colors, bars, years->len);
}

static void
milestone_chart (Report         *r,
                 DistrictReport *report)
{
  static const struct {
    const char        *code;
    const ReportColor *color;
  } order[] = {
    { "planned", &blue },
    { "submitted", &purple },
    { "accepted", &green },
    { "returned", &orange },
    { "overdue", &red },
  };
  GArray *counts = report->dashboard->milestone_statuses;
  ReportBar bars[G_N_ELEMENTS (order)] = { { 0 } };
  const char *names[] = { _("Milestones") };
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    for (guint j = 0; j < counts->len; j++)
      {
        const ProcuraDashboardCount *count = &g_array_index (counts, ProcuraDashboardCount, j);

        if (strcmp (count->code, order[i].code) != 0)
          continue;
        bars[n].label = count->label;
        bars[n].values[0] = count->count;
        bars[n].texts[0] = count_text (r, count->count);
        bars[n].color = order[i].color;
        n++;
      }

  report_ensure_space (r, 50 + REPORT_VBAR_HEIGHT);
  report_heading (r, _("Milestones of Open Projects"));
  report_paragraph (r, _("By status; overdue milestones are counted on their own"), 8.5);
  report_vbar_chart (r, 1, names, &blue, bars, n);
}

static void
category_chart (Report         *r,
                DistrictReport *report)
{
  const ProcuraFieldInfo *field = procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "category");
  g_autoptr(GArray) bars = g_array_new (FALSE, TRUE, sizeof (ReportBar));
  const char *names[] = { _("Projects") };
  guint n_none = 0;

  for (const ProcuraEnumValue *v = field->enum_values; v->code != NULL; v++)
    {
      guint count = 0;

      for (guint i = 0; i < report->ledger->len; i++)
        {
          const ProcuraLedgerRow *row = g_ptr_array_index (report->ledger, i);

          if (g_strcmp0 (row->category, v->code) == 0)
            count++;
        }
      if (count > 0)
        {
          ReportBar bar = { procura_enum_get_label (v), { count }, { count_text (r, count) } };

          g_array_append_val (bars, bar);
        }
    }
  for (guint i = 0; i < report->ledger->len; i++)
    if (((ProcuraLedgerRow *) g_ptr_array_index (report->ledger, i))->category == NULL)
      n_none++;
  if (n_none > 0)
    {
      /* Translators: a bar of the chart of projects by category */
      ReportBar bar = { _("No category"), { n_none }, { count_text (r, n_none) } };

      g_array_append_val (bars, bar);
    }

  report_heading (r, _("Projects by Category"));
  if (bars->len == 0)
    report_paragraph (r, _("None."), 9);
  else
    report_hbar_chart (r, 1, names, &blue, (ReportBar *) bars->data, bars->len);
}

typedef struct
{
  const char *grade;
  guint       count;
  gint64      best;      /* the highest score graded so, hundredths */
} GradeCount;

/* Better grades first, whatever the scheme that named them. */
static int
compare_grades (gconstpointer a,
                gconstpointer b)
{
  const GradeCount *x = a, *y = b;

  if (x->best != y->best)
    return x->best > y->best ? -1 : 1;
  return g_strcmp0 (x->grade, y->grade);
}

static void
grade_chart (Report         *r,
             DistrictReport *report)
{
  g_autoptr(GArray) grades = g_array_new (FALSE, TRUE, sizeof (GradeCount));
  g_autofree ReportBar *bars = NULL;
  const char *names[] = { _("Projects") };
  guint n_ungraded = 0;
  g_autofree char *note = NULL;

  for (guint i = 0; i < report->ledger->len; i++)
    {
      const ProcuraLedgerRow *row = g_ptr_array_index (report->ledger, i);
      GradeCount *count = NULL;

      if (row->latest_grade == NULL)
        {
          n_ungraded++;
          continue;
        }
      for (guint j = 0; j < grades->len && count == NULL; j++)
        if (strcmp (g_array_index (grades, GradeCount, j).grade, row->latest_grade) == 0)
          count = &g_array_index (grades, GradeCount, j);
      if (count == NULL)
        {
          GradeCount first = { row->latest_grade, 0, row->latest_score };

          g_array_append_val (grades, first);
          count = &g_array_index (grades, GradeCount, grades->len - 1);
        }
      count->count++;
      count->best = MAX (count->best, row->latest_score);
    }
  g_array_sort (grades, compare_grades);

  report_ensure_space (r, 50 + REPORT_VBAR_HEIGHT);
  report_heading (r, _("Grades of the Latest Finalized Evaluations"));
  bars = g_new0 (ReportBar, MAX (grades->len, 1));
  for (guint i = 0; i < grades->len; i++)
    {
      const GradeCount *count = &g_array_index (grades, GradeCount, i);

      bars[i].label = count->grade;
      bars[i].values[0] = count->count;
      bars[i].texts[0] = count_text (r, count->count);
    }
  report_vbar_chart (r, 1, names, &purple, bars, grades->len);

  /* Translators: under the chart of grades in the district report */
  note = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u project has no finalized evaluation yet.",
                                       "%u projects have no finalized evaluation yet.", n_ungraded),
                          n_ungraded);
  report_paragraph (r, note, 8.5);
}

typedef struct
{
  const char *id;
  const char *name;
  guint       n_projects;
  gint64      value;
  gint64      paid;
} AgencySum;

static int
compare_agencies (gconstpointer a,
                  gconstpointer b)
{
  const AgencySum *x = *(AgencySum * const *) a;
  const AgencySum *y = *(AgencySum * const *) b;

  if (x->value != y->value)
    return x->value > y->value ? -1 : 1;
  return g_strcmp0 (x->name, y->name);
}

static void
agency_chart (Report         *r,
              DistrictReport *report)
{
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GPtrArray) agencies = g_ptr_array_new ();
  g_autofree ReportBar *bars = NULL;
  const char *names[] = { _("Contract value"), _("Paid") };
  const ReportColor colors[] = { blue, green };
  guint n;

  for (guint i = 0; i < report->ledger->len; i++)
    {
      const ProcuraLedgerRow *row = g_ptr_array_index (report->ledger, i);
      const char *key = row->agency_id != NULL ? row->agency_id : "";
      AgencySum *sum;

      if (!is_committed (row))
        continue;
      if (!(sum = g_hash_table_lookup (by_id, key)))
        {
          sum = g_new0 (AgencySum, 1);
          sum->id = key;
          /* Translators: the agency of projects that have none yet, in a chart */
          sum->name = row->agency_name != NULL ? row->agency_name : _("No agency");
          g_hash_table_insert (by_id, (gpointer) key, sum);
          g_ptr_array_add (agencies, sum);
        }
      sum->n_projects++;
      sum->value += row->amended_value;
      sum->paid += row->paid;
    }
  g_ptr_array_sort (agencies, compare_agencies);

  report_heading (r, _("Agencies with the Largest Contract Value"));
  report_paragraph (r, _("The ten largest, projects in progress and completed, in units of 10,000 yuan"), 8.5);
  if (agencies->len == 0)
    {
      report_paragraph (r, _("No projects in progress or completed yet"), 9);
      return;
    }

  n = MIN (agencies->len, N_TOP_AGENCIES);
  bars = g_new0 (ReportBar, n);
  for (guint i = 0; i < n; i++)
    {
      const AgencySum *sum = g_ptr_array_index (agencies, i);

      bars[i].label = sum->name;
      bars[i].values[0] = sum->value;
      bars[i].values[1] = sum->paid;
      bars[i].texts[0] = wan_text (r, sum->value);
      bars[i].texts[1] = wan_text (r, sum->paid);
    }
  report_hbar_chart (r, 2, names, colors, bars, n);
}

/* ---- the lists of work due ------------------------------------------- */

static void
list_note (Report                     *r,
           const ProcuraDashboardList *list)
{
  g_autofree char *note = NULL;

  if (list->total <= list->items->len)
    return;

  /* Translators: under a list of the district report cut short, e.g.
   * "仅列出前 50 项，共 637 项。" */
  note = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "The first %u of %u are listed.",
                                       "The first %u of %u are listed.", list->total),
                          list->items->len, list->total);
  r->y += 3;
  report_paragraph (r, note, 8.5);
}

static void
milestone_list (Report                     *r,
                DistrictReport             *report,
                const char                 *title,
                ProcuraDashboardListKind    kind)
{
  const ProcuraDashboardList *list = procura_dashboard_data_get_list (report->dashboard, kind);
  gboolean overdue = kind == PROCURA_DASHBOARD_LIST_OVERDUE;
  const ReportColumn columns[] = {
    { field_label (PROCURA_ENTITY_MILESTONE, "due_date"), 0.17, FALSE },
    { procura_entity_get_label (PROCURA_ENTITY_MILESTONE), overdue ? 0.27 : 0.35, FALSE },
    { field_label (PROCURA_ENTITY_PROJECT, "code"), 0.16, FALSE },
    { procura_entity_get_label (PROCURA_ENTITY_PROJECT), overdue ? 0.30 : 0.32, FALSE },
    /* Translators: column of the list of overdue milestones */
    { _("Days overdue"), 0.10, TRUE },
  };
  const ReportTable table = { columns, overdue ? 5 : 4, TRUE, 8 };

  report_heading (r, title);
  if (list->items->len == 0)
    {
      report_paragraph (r, _("None."), 9);
      return;
    }

  report_table_begin (r, &table);
  for (guint i = 0; i < list->items->len; i++)
    {
      const ProcuraDashboardItem *item = g_ptr_array_index (list->items, i);
      g_autofree char *due = procura_date_format_display (item->date);
      g_autofree char *days = g_strdup_printf ("%d", procura_date_diff_days (item->date, report->dashboard->as_of));
      const char *cells[] = { due, item->title, item->project_code, item->project_title, days };

      report_table_row (r, &table, cells);
    }
  list_note (r, list);
}

static void
review_list (Report         *r,
             DistrictReport *report)
{
  const ProcuraDashboardList *list = procura_dashboard_data_get_list (report->dashboard,
                                                                      PROCURA_DASHBOARD_LIST_REVIEW);
  const ReportColumn columns[] = {
    { field_label (PROCURA_ENTITY_REPORT, "submitted_at"), 0.19, FALSE },
    { procura_entity_get_label (PROCURA_ENTITY_REPORT), 0.25, FALSE },
    { procura_entity_get_label (PROCURA_ENTITY_MILESTONE), 0.18, FALSE },
    { field_label (PROCURA_ENTITY_PROJECT, "code"), 0.14, FALSE },
    { procura_entity_get_label (PROCURA_ENTITY_PROJECT), 0.24, FALSE },
  };
  const ReportTable table = { columns, G_N_ELEMENTS (columns), TRUE, 8 };

  report_heading (r, _("Reports Awaiting Review"));
  if (list->items->len == 0)
    {
      report_paragraph (r, _("None."), 9);
      return;
    }

  report_table_begin (r, &table);
  for (guint i = 0; i < list->items->len; i++)
    {
      const ProcuraDashboardItem *item = g_ptr_array_index (list->items, i);
      g_autofree char *submitted = procura_timestamp_format_display (item->date);
      const char *cells[] = {
        submitted != NULL ? submitted : "", item->title, item->detail != NULL ? item->detail : "",
        item->project_code, item->project_title,
      };

      report_table_row (r, &table, cells);
    }
  list_note (r, list);
}

static void
payable_list (Report         *r,
              DistrictReport *report)
{
  const ProcuraDashboardList *list = procura_dashboard_data_get_list (report->dashboard,
                                                                      PROCURA_DASHBOARD_LIST_PAYABLE);
  const ReportColumn columns[] = {
    { field_label (PROCURA_ENTITY_PAYMENT, "planned_date"), 0.16, FALSE },
    { procura_entity_get_label (PROCURA_ENTITY_PAYMENT), 0.20, FALSE },
    { field_label (PROCURA_ENTITY_PAYMENT, "planned_amount"), 0.16, TRUE },
    { field_label (PROCURA_ENTITY_PROJECT, "code"), 0.16, FALSE },
    { procura_entity_get_label (PROCURA_ENTITY_PROJECT), 0.32, FALSE },
  };
  const ReportTable table = { columns, G_N_ELEMENTS (columns), TRUE, 8 };
  gint64 total = 0;

  report_heading (r, _("Payments Now Payable"));
  if (list->items->len == 0)
    {
      report_paragraph (r, _("None."), 9);
      return;
    }

  report_table_begin (r, &table);
  for (guint i = 0; i < list->items->len; i++)
    {
      const ProcuraDashboardItem *item = g_ptr_array_index (list->items, i);
      g_autofree char *planned = item->date != NULL ? procura_date_format_display (item->date) : g_strdup ("");
      g_autofree char *amount = procura_money_format (item->amount);
      const char *cells[] = { planned, item->title, amount, item->project_code, item->project_title };

      total += item->amount;
      report_table_row (r, &table, cells);
    }
  /* a total of a list cut short would mislead */
  if (list->total == list->items->len)
    {
      g_autofree char *amount = procura_money_format (total);
      const char *cells[] = { _("Total"), "", amount, "", "" };

      report_table_total (r, &table, cells);
    }
  list_note (r, list);
}

/* ---- every project --------------------------------------------------- */

static void
project_table (Report         *r,
               DistrictReport *report)
{
  const ProcuraEntityInfo *project = PROCURA_ENTITY_PROJECT;
  const ReportColumn columns[] = {
    { field_label (project, "code"), 0.145, FALSE },
    { field_label (project, "title"), 0.225, FALSE },
    { field_label (project, "agency_id"), 0.165, FALSE },
    /* wide enough for the totals of 20,000 projects, "¥4,852,228,200.00" */
    { _("Contract value"), 0.155, TRUE },
    { _("Paid"), 0.155, TRUE },
    { field_label (project, "status"), 0.09, FALSE },
    { _("Grade"), 0.065, FALSE },
  };
  const ReportTable table = { columns, G_N_ELEMENTS (columns), TRUE, 7.5 };
  gint64 value = 0, paid = 0;

  report_new_page (r);
  report_heading (r, _("All Projects"));
  report_paragraph (r, _("Contract values include amendments; the grade is that of the latest finalized evaluation."),
                    8.5);
  if (report->ledger->len == 0)
    {
      report_paragraph (r, _("None."), 9);
      return;
    }

  report_table_begin (r, &table);
  for (guint i = 0; i < report->ledger->len; i++)
    {
      const ProcuraLedgerRow *row = g_ptr_array_index (report->ledger, i);
      g_autofree char *value_text = procura_money_format (row->amended_value);
      g_autofree char *paid_text = procura_money_format (row->paid);
      const char *cells[] = {
        row->code, row->title, row->agency_name != NULL ? row->agency_name : "",
        value_text, paid_text, enum_label (project, "status", row->status),
        row->latest_grade != NULL ? row->latest_grade : "",
      };

      value += row->amended_value;
      paid += row->paid;
      report_table_row (r, &table, cells);
    }

  {
    g_autofree char *value_text = procura_money_format (value);
    g_autofree char *paid_text = procura_money_format (paid);
    /* Translators: in the totals row of the district report's table */
    g_autofree char *count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u project", "%u projects",
                                                           report->ledger->len),
                                              report->ledger->len);
    const char *cells[] = { _("Total"), count, "", value_text, paid_text, "", "" };

    report_table_total (r, &table, cells);
  }
}

/* ---- the document ---------------------------------------------------- */

static void
build_district (Report   *r,
                gpointer  data)
{
  DistrictReport *report = data;

  title_block (r, report);
  key_figures (r, report);
  status_chart (r, report);
  street_chart (r, report);
  year_chart (r, report);
  milestone_chart (r, report);
  category_chart (r, report);
  grade_chart (r, report);
  agency_chart (r, report);
  milestone_list (r, report, _("Overdue Milestones"), PROCURA_DASHBOARD_LIST_OVERDUE);
  milestone_list (r, report, _("Due in the Next 7 Days"), PROCURA_DASHBOARD_LIST_DUE_WEEK);
  review_list (r, report);
  payable_list (r, report);
  project_table (r, report);
}

ProcuraReportDocument *
procura_report_document_new_district (ProcuraStore  *store,
                                      GError       **error)
{
  g_autoptr(ProcuraDashboardData) dashboard = NULL;
  g_autoptr(GPtrArray) ledger = NULL;
  g_autofree char *date = NULL;
  g_autofree char *running = NULL;
  DistrictReport *report;
  const char *title;

  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* two reads, not one transaction: a write in between (a sync) would
   * show in the table and not yet in the figures, until the next report */
  if (!(dashboard = procura_store_query_dashboard (store, NULL, 0, error)))
    return NULL;
  if (!(ledger = procura_store_query_ledger (store, NULL, dashboard->as_of, error)))
    return NULL;

  report = g_new0 (DistrictReport, 1);
  report->dashboard = g_steal_pointer (&dashboard);
  report->ledger = g_steal_pointer (&ledger);

  title = _("District Summary of Purchased Service Projects");
  date = procura_date_format_display (report->dashboard->as_of);
  running = g_strdup_printf ("%s  %s", title, date);

  return report_document_new (title, running, build_district, report, district_report_free);
}
