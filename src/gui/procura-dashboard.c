/* procura-dashboard.c
 *
 * Copyright 2025 The Procura authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "procura-dashboard"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "procura-chart.h"
#include "procura-dashboard.h"
#include "procura-date.h"
#include "procura-money.h"

/* A list of more than COLLAPSE_ABOVE items shows its first INITIAL_ROWS
 * and a "Show All" row. */
#define INITIAL_ROWS   5
#define COLLAPSE_ABOVE 8

/* ---- ProcuraDashboardColumns ------------------------------------------
 *
 * The dashboard's two columns: the lists of work (first child) and the
 * charts (second child) side by side when there is room, the charts below
 * the lists otherwise. A layout of its own, because the choice depends on
 * the width given, which a GtkBox cannot make at measure time.
 */

#define COLUMNS_SPACING  24
#define COLUMNS_WIDE_MIN 860   /* narrower than this: one column */
#define SIDE_MIN_WIDTH   340
#define SIDE_MAX_WIDTH   460

#define PROCURA_TYPE_DASHBOARD_COLUMNS (procura_dashboard_columns_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraDashboardColumns, procura_dashboard_columns, PROCURA, DASHBOARD_COLUMNS, GtkWidget)

struct _ProcuraDashboardColumns
{
  GtkWidget parent_instance;
};

G_DEFINE_FINAL_TYPE (ProcuraDashboardColumns, procura_dashboard_columns, GTK_TYPE_WIDGET)

/* TRUE when width fits both columns; their widths then. */
static gboolean
columns_split (GtkWidget *widget,
               int        width,
               int       *out_main,
               int       *out_side)
{
  GtkWidget *main_child = gtk_widget_get_first_child (widget);
  GtkWidget *side_child = gtk_widget_get_last_child (widget);
  int main_min, side_min, side;

  if (width < COLUMNS_WIDE_MIN || main_child == NULL || main_child == side_child ||
      !gtk_widget_should_layout (main_child) || !gtk_widget_should_layout (side_child))
    return FALSE;

  gtk_widget_measure (main_child, GTK_ORIENTATION_HORIZONTAL, -1, &main_min, NULL, NULL, NULL);
  gtk_widget_measure (side_child, GTK_ORIENTATION_HORIZONTAL, -1, &side_min, NULL, NULL, NULL);

  side = MAX (CLAMP (width * 2 / 5, SIDE_MIN_WIDTH, SIDE_MAX_WIDTH), side_min);
  if (width - COLUMNS_SPACING - side < main_min)
    return FALSE;

  *out_main = width - COLUMNS_SPACING - side;
  *out_side = side;

  return TRUE;
}

static void
procura_dashboard_columns_measure (GtkWidget      *widget,
                                   GtkOrientation  orientation,
                                   int             for_size,
                                   int            *minimum,
                                   int            *natural,
                                   int            *minimum_baseline,
                                   int            *natural_baseline)
{
  int main_width, side_width;
  gboolean split = orientation == GTK_ORIENTATION_VERTICAL && for_size >= 0 &&
                   columns_split (widget, for_size, &main_width, &side_width);
  guint n = 0;

  *minimum = *natural = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_min, child_nat, child_for = for_size;

      if (!gtk_widget_should_layout (child))
        continue;

      if (split)
        child_for = n == 0 ? main_width : side_width;
      gtk_widget_measure (child, orientation, child_for, &child_min, &child_nat, NULL, NULL);

      if (orientation == GTK_ORIENTATION_HORIZONTAL)
        {
          /* narrow: one column; the natural width has both side by side */
          *minimum = MAX (*minimum, child_min);
          *natural += child_nat + (n > 0 ? COLUMNS_SPACING : 0);
        }
      else if (split)
        {
          *minimum = MAX (*minimum, child_min);
          *natural = MAX (*natural, child_nat);
        }
      else
        {
          *minimum += child_min + (n > 0 ? COLUMNS_SPACING : 0);
          *natural += child_nat + (n > 0 ? COLUMNS_SPACING : 0);
        }
      n++;
    }

  *natural = MAX (*natural, *minimum);
}

static void
procura_dashboard_columns_size_allocate (GtkWidget *widget,
                                         int        width,
                                         int        height,
                                         int        baseline)
{
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  int main_width, side_width;
  gboolean split = columns_split (widget, width, &main_width, &side_width);
  int y = 0;
  guint n = 0;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      int child_height;

      if (!gtk_widget_should_layout (child))
        continue;

      if (split)
        {
          int x = n == 0 ? 0 : main_width + COLUMNS_SPACING;
          int w = n == 0 ? main_width : side_width;

          if (rtl)
            x = width - x - w;
          gtk_widget_size_allocate (child, &(GtkAllocation) { x, 0, w, height }, -1);
        }
      else
        {
          gtk_widget_measure (child, GTK_ORIENTATION_VERTICAL, width, &child_height, NULL, NULL, NULL);
          gtk_widget_size_allocate (child, &(GtkAllocation) { 0, y, width, child_height }, -1);
          y += child_height + COLUMNS_SPACING;
        }
      n++;
    }
}

static GtkSizeRequestMode
procura_dashboard_columns_get_request_mode (GtkWidget *widget)
{
  return GTK_SIZE_REQUEST_HEIGHT_FOR_WIDTH;
}

static void
procura_dashboard_columns_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (procura_dashboard_columns_parent_class)->dispose (object);
}

static void
procura_dashboard_columns_class_init (ProcuraDashboardColumnsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = procura_dashboard_columns_dispose;

  widget_class->measure = procura_dashboard_columns_measure;
  widget_class->size_allocate = procura_dashboard_columns_size_allocate;
  widget_class->get_request_mode = procura_dashboard_columns_get_request_mode;
}

static void
procura_dashboard_columns_init (ProcuraDashboardColumns *self)
{
}

/* ---- ProcuraDashboard ------------------------------------------------- */

struct _ProcuraDashboard
{
  GtkWidget             parent_instance;

  ProcuraStore         *store;
  ProcuraDashboardData *data;
  GCancellable         *loading;   /* the background load in flight */

  /* Per list (ProcuraDashboardListKind) */
  AdwPreferencesGroup  *groups[PROCURA_DASHBOARD_N_LISTS];
  GtkLabel             *count_labels[PROCURA_DASHBOARD_N_LISTS];
  GPtrArray            *rows[PROCURA_DASHBOARD_N_LISTS];      /* the items' rows built so far */
  GtkWidget            *more_rows[PROCURA_DASHBOARD_N_LISTS]; /* "Show All", or NULL */
  gboolean              expanded[PROCURA_DASHBOARD_N_LISTS];

  /* Template widgets */
  GtkStack             *stack;
  GtkLabel             *projects_value;
  GtkLabel             *projects_detail;
  GtkLabel             *value_value;
  GtkLabel             *value_detail;
  GtkLabel             *paid_value;
  GtkLabel             *paid_detail;
  GtkLabel             *balance_value;
  GtkLabel             *balance_detail;
  AdwStatusPage        *all_clear_page;
  AdwPreferencesGroup  *overdue_group;
  AdwPreferencesGroup  *due_week_group;
  AdwPreferencesGroup  *due_later_group;
  AdwPreferencesGroup  *review_group;
  AdwPreferencesGroup  *payable_group;
  ProcuraChart         *street_chart;
  ProcuraChart         *milestone_chart;
  AdwStatusPage        *error_page;
};

G_DEFINE_FINAL_TYPE (ProcuraDashboard, procura_dashboard, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* Auxiliary methods */

/* "-1234567.89" → "-1,234,567.89" */
static char *
group_digits (const char *number)
{
  GString *out = g_string_new (NULL);
  const char *digits = number;
  const char *end;
  gsize n;

  if (*digits == '-')
    g_string_append_c (out, *digits++);

  end = digits;
  while (g_ascii_isdigit (*end))
    end++;
  n = end - digits;

  for (gsize i = 0; i < n; i++)
    {
      if (i > 0 && (n - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  g_string_append (out, end);

  return g_string_free (out, FALSE);
}

static char *
format_count (guint n)
{
  g_autofree char *plain = g_strdup_printf ("%u", n);

  return group_digits (plain);
}

/* 万元 with two decimals and thousands separators */
static char *
format_wan (gint64 fen)
{
  g_autofree char *plain = procura_money_format_wan (fen);

  return group_digits (plain);
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

/* The local calendar date of a UTC timestamp, or NULL. */
static char *
local_date_of (const char *timestamp)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (timestamp == NULL || !(utc = g_date_time_new_from_iso8601 (timestamp, NULL)))
    return NULL;

  local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%Y-%m-%d");
}

/* "3 days overdue", "Due today", "Due in 5 days"; long delays in months
 * or years, which read better than "3636 days" */
static char *
describe_due (const char *as_of,
              const char *due)
{
  int days = procura_date_diff_days (as_of, due);

  if (days < -730)
    return g_strdup_printf (ngettext ("Over %d year overdue", "Over %d years overdue", -days / 365), -days / 365);
  if (days < -90)
    return g_strdup_printf (ngettext ("Over %d month overdue", "Over %d months overdue", -days / 30), -days / 30);
  if (days < 0)
    return g_strdup_printf (ngettext ("%d day overdue", "%d days overdue", -days), -days);
  if (days == 0)
    return g_strdup (_("Due today"));
  if (days == 1)
    return g_strdup (_("Due tomorrow"));

  return g_strdup_printf (ngettext ("Due in %d day", "Due in %d days", days), days);
}

/* "Submitted today", "Waiting 3 days" */
static char *
describe_waiting (const char *as_of,
                  const char *date)
{
  int days = date != NULL ? procura_date_diff_days (date, as_of) : 0;

  if (days <= 0)
    return g_strdup (_("Submitted today"));

  return g_strdup_printf (ngettext ("Waiting %d day", "Waiting %d days", days), days);
}

static GtkWidget *
create_suffix (const char *text,
               const char *detail,
               const char *style_class)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");
  if (style_class != NULL)
    gtk_widget_add_css_class (label, style_class);
  gtk_box_append (GTK_BOX (box), label);

  if (detail != NULL)
    {
      label = gtk_label_new (detail);
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_widget_add_css_class (label, "caption");
      gtk_widget_add_css_class (label, "dim-label");
      gtk_widget_add_css_class (label, "numeric");
      gtk_box_append (GTK_BOX (box), label);
    }

  return box;
}

static GtkWidget *
create_item_row (ProcuraDashboard           *self,
                 ProcuraDashboardListKind    kind,
                 const ProcuraDashboardItem *item)
{
  GtkWidget *row = adw_action_row_new ();
  g_autofree char *subtitle = NULL;
  g_autofree char *tooltip = NULL;
  g_autofree char *when = NULL;
  g_autofree char *date = NULL;
  g_autofree char *date_text = NULL;
  const char *style_class = NULL;
  GtkWidget *suffix = NULL;
  GtkWidget *arrow;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), item->title);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 1);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 1);

  /* Translators: a row's subtitle on the dashboard: project number and
   * project title */
  subtitle = g_strdup_printf (_("%s · %s"), item->project_code, item->project_title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);

  switch (kind)
    {
    case PROCURA_DASHBOARD_LIST_OVERDUE:
    case PROCURA_DASHBOARD_LIST_DUE_WEEK:
    case PROCURA_DASHBOARD_LIST_DUE_LATER:
      when = describe_due (self->data->as_of, item->date);
      date_text = procura_date_format_display (item->date);
      if (kind == PROCURA_DASHBOARD_LIST_OVERDUE)
        style_class = "error";
      else if (procura_date_diff_days (self->data->as_of, item->date) <= 1)
        style_class = "warning";
      suffix = create_suffix (when, date_text, style_class);
      tooltip = g_strdup_printf ("%s\n%s", subtitle, date_text);
      break;

    case PROCURA_DASHBOARD_LIST_REVIEW:
      date = local_date_of (item->date);
      when = describe_waiting (self->data->as_of, date);
      date_text = date != NULL ? procura_date_format_display (date) : NULL;
      suffix = create_suffix (when, date_text, NULL);
      if (item->detail != NULL)
        /* Translators: tooltip line naming the milestone a report is for */
        tooltip = g_strdup_printf (_("%s\nMilestone: %s"), subtitle, item->detail);
      else
        tooltip = g_strdup (subtitle);
      break;

    case PROCURA_DASHBOARD_LIST_PAYABLE:
      when = procura_money_format (item->amount);
      date_text = item->date != NULL ? procura_date_format_display (item->date) : NULL;
      suffix = create_suffix (when, date_text, NULL);
      if (item->detail != NULL)
        tooltip = g_strdup_printf (_("%s\nMilestone: %s"), subtitle, item->detail);
      else
        tooltip = g_strdup (subtitle);
      break;

    case PROCURA_DASHBOARD_N_LISTS:
    default:
      g_assert_not_reached ();
    }

  adw_action_row_add_suffix (ADW_ACTION_ROW (row), suffix);
  gtk_widget_set_tooltip_text (row, tooltip);

  arrow = gtk_image_new_from_icon_name ("go-next-symbolic");
  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Open project"),
                                  -1);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), arrow);

  /* on to what waits there: the milestones, the report, the tranche */
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "win.open-project-section");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "(ss)", item->project_id,
                                    kind == PROCURA_DASHBOARD_LIST_REVIEW ? "reports"
                                    : kind == PROCURA_DASHBOARD_LIST_PAYABLE ? "payments"
                                    : "milestones");

  return row;
}

/* n_items: the items the list holds, n_hidden: those not shown yet,
 * total: all there are (the list may hold fewer). */
static GtkWidget *
create_more_row (ProcuraDashboardListKind kind,
                 guint                    n_items,
                 guint                    n_hidden,
                 guint                    total)
{
  /* a preferences row, so that the group puts it in its list */
  GtkWidget *row = adw_preferences_row_new ();
  g_autofree char *count = format_count (n_items);
  g_autofree char *more = format_count (n_hidden);
  /* Translators: the last row of a dashboard list: "Show All 12" reveals
   * the rest; "Show 45 More" when the list holds only the first 50 of
   * more (the ledger lists them all) */
  g_autofree char *text = total > n_items ? g_strdup_printf (_("Show %s More"), more)
                                          : g_strdup_printf (_("Show All %s"), count);
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_margin_top (label, 14);
  gtk_widget_set_margin_bottom (label, 14);
  gtk_widget_add_css_class (label, "accent");
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), label);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), text);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), "dashboard.show-all");
  gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s",
                                    procura_dashboard_list_kind_to_string (kind));

  return row;
}

static void
clear_list (ProcuraDashboard         *self,
            ProcuraDashboardListKind  kind)
{
  for (guint i = 0; i < self->rows[kind]->len; i++)
    adw_preferences_group_remove (self->groups[kind], g_ptr_array_index (self->rows[kind], i));
  g_ptr_array_set_size (self->rows[kind], 0);

  if (self->more_rows[kind] != NULL)
    {
      adw_preferences_group_remove (self->groups[kind], self->more_rows[kind]);
      self->more_rows[kind] = NULL;
    }
}

/* Builds the rows of items [from, to) of a list, before its "Show All"
 * row if any. */
static void
add_rows (ProcuraDashboard         *self,
          ProcuraDashboardListKind  kind,
          guint                     from,
          guint                     to)
{
  const ProcuraDashboardList *list = procura_dashboard_data_get_list (self->data, kind);

  for (guint i = from; i < to && i < list->items->len; i++)
    {
      GtkWidget *row = create_item_row (self, kind, g_ptr_array_index (list->items, i));

      adw_preferences_group_add (self->groups[kind], row);
      g_ptr_array_add (self->rows[kind], row);
    }
}

/* A long list shows its first rows and a "Show All" row; the rest are
 * built when asked for, which keeps a reload quick. */
static void
fill_list (ProcuraDashboard         *self,
           ProcuraDashboardListKind  kind)
{
  const ProcuraDashboardList *list = procura_dashboard_data_get_list (self->data, kind);
  guint n = list->items->len;
  gboolean collapsed = !self->expanded[kind] && n > COLLAPSE_ABOVE;
  g_autofree char *count = format_count (list->total);

  add_rows (self, kind, 0, collapsed ? INITIAL_ROWS : n);

  if (collapsed)
    {
      self->more_rows[kind] = create_more_row (kind, n, n - INITIAL_ROWS, list->total);
      adw_preferences_group_add (self->groups[kind], self->more_rows[kind]);
    }

  gtk_label_set_label (self->count_labels[kind], count);

  if (list->total > n)
    {
      g_autofree char *shown = format_count (n);
      g_autofree char *description =
        /* Translators: description of a dashboard list cut short, e.g.
         * "Showing 50 of 637; the project ledger lists them all" */
        g_strdup_printf (ngettext ("Showing %s of %s; the project ledger lists them all",
                                   "Showing %s of %s; the project ledger lists them all",
                                   list->total),
                         shown, count);

      adw_preferences_group_set_description (self->groups[kind], description);
    }
  else
    {
      adw_preferences_group_set_description (self->groups[kind], NULL);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->groups[kind]), n > 0);
}

static void
update_figures (ProcuraDashboard *self)
{
  const ProcuraDashboardData *data = self->data;
  g_autofree char *active = format_count (data != NULL ? data->n_active : 0);
  g_autofree char *all = format_count (data != NULL ? data->n_projects : 0);
  g_autofree char *value = format_wan (data != NULL ? data->value : 0);
  g_autofree char *paid = format_wan (data != NULL ? data->paid : 0);
  g_autofree char *balance = format_wan (data != NULL ? data->balance : 0);
  g_autofree char *share = format_share (data != NULL ? data->paid : 0, data != NULL ? data->value : 0);
  g_autofree char *projects_detail = NULL;
  g_autofree char *paid_detail = NULL;
  guint n_projects = data != NULL ? data->n_projects : 0;
  g_autoptr(GString) by_status = g_string_new (NULL);

  /* the card's tooltip: every status, e.g. "Draft: 47" per line */
  for (guint i = 0; data != NULL && i < data->project_statuses->len; i++)
    {
      const ProcuraDashboardCount *count = &g_array_index (data->project_statuses, ProcuraDashboardCount, i);
      g_autofree char *n = format_count (count->count);

      if (by_status->len > 0)
        g_string_append_c (by_status, '\n');
      /* Translators: a line of a tooltip, e.g. "In progress: 333" */
      g_string_append_printf (by_status, _("%s: %s"), count->label, n);
    }

  projects_detail = g_strdup_printf (ngettext ("Of %s project in the ledger",
                                               "Of %s projects in the ledger",
                                               n_projects),
                                     all);
  /* Translators: under the paid total: its share of the contract value */
  paid_detail = g_strdup_printf (_("%s of the contract value"), share);

  gtk_label_set_label (self->projects_value, active);
  gtk_label_set_label (self->projects_detail, projects_detail);
  gtk_widget_set_tooltip_text (gtk_widget_get_parent (GTK_WIDGET (self->projects_value)),
                               by_status->len > 0 ? by_status->str : NULL);
  gtk_label_set_label (self->value_value, value);
  gtk_label_set_label (self->value_detail, _("In progress and completed, with amendments"));
  gtk_label_set_label (self->paid_value, paid);
  gtk_label_set_label (self->paid_detail, paid_detail);
  gtk_label_set_label (self->balance_value, balance);
  gtk_label_set_label (self->balance_detail, _("Still to be paid"));
}

static void
update_street_chart (ProcuraDashboard *self)
{
  const char *names[2] = { _("Contract value"), _("Paid") };
  static const char * const colors[2] = { "blue_3", "green_4" };

  procura_chart_set_series (self->street_chart, 2, names, colors);

  for (guint i = 0; self->data != NULL && i < self->data->streets->len; i++)
    {
      const ProcuraDashboardStreet *street = g_ptr_array_index (self->data->streets, i);
      g_autofree char *value = format_wan (street->value);
      g_autofree char *paid = format_wan (street->paid);
      g_autofree char *share = format_share (street->paid, street->value);
      g_autofree char *projects = format_count (street->n_projects);
      g_autofree char *tooltip = NULL;
      const char *texts[2] = { value, paid };
      double values[2] = { (double) street->value, (double) street->paid };

      tooltip = g_strdup_printf (ngettext ("%s, %s project\nContract value: %s ×10,000 yuan\nPaid: %s ×10,000 yuan (%s)",
                                           "%s, %s projects\nContract value: %s ×10,000 yuan\nPaid: %s ×10,000 yuan (%s)",
                                           street->n_projects),
                                 street->label, projects, value, paid, share);
      procura_chart_append (self->street_chart, street->label, values, texts, NULL, tooltip);
    }
}

static void
update_milestone_chart (ProcuraDashboard *self)
{
  static const struct {
    const char *code;
    const char *color;
  } bars[] = {
    { "planned", "blue_3" },
    { "submitted", "purple_2" },
    { "accepted", "green_4" },
    { "returned", "orange_3" },
    { "overdue", "error_color" },
  };
  const char *names[1] = { _("Milestones") };
  const char *colors[1] = { "blue_3" };

  procura_chart_set_series (self->milestone_chart, 1, names, colors);

  if (self->data == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (bars); i++)
    {
      GArray *counts = self->data->milestone_statuses;
      const ProcuraDashboardCount *count = NULL;
      g_autofree char *text = NULL;
      g_autofree char *tooltip = NULL;
      const char *texts[1];
      double values[1];

      for (guint j = 0; j < counts->len; j++)
        if (strcmp (g_array_index (counts, ProcuraDashboardCount, j).code, bars[i].code) == 0)
          count = &g_array_index (counts, ProcuraDashboardCount, j);
      if (count == NULL)
        continue;

      text = format_count (count->count);
      texts[0] = text;
      values[0] = count->count;
      /* Translators: tooltip of a bar of the milestone chart, e.g.
       * "Planned: 710 milestones" */
      tooltip = g_strdup_printf (ngettext ("%s: %s milestone", "%s: %s milestones", count->count),
                                 count->label, text);
      procura_chart_append (self->milestone_chart, count->label, values, texts, bars[i].color, tooltip);
    }
}

static void
show_error (ProcuraDashboard *self,
            const char       *message)
{
  adw_status_page_set_description (self->error_page, message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

/* Actions */

static void
show_all_cb (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  ProcuraDashboard *self = PROCURA_DASHBOARD (widget);
  ProcuraDashboardListKind kind;
  guint n_built;

  if (!procura_dashboard_list_kind_from_string (g_variant_get_string (parameter, NULL), &kind))
    return;

  self->expanded[kind] = TRUE;
  if (self->more_rows[kind] == NULL || self->data == NULL)
    return;

  adw_preferences_group_remove (self->groups[kind], self->more_rows[kind]);
  self->more_rows[kind] = NULL;

  n_built = self->rows[kind]->len;
  add_rows (self, kind, n_built, G_MAXUINT);

  /* the "Show All" row had the focus: give it to the first row added */
  if (n_built < self->rows[kind]->len)
    gtk_widget_grab_focus (g_ptr_array_index (self->rows[kind], n_built));
}

/* GObject */

static void
procura_dashboard_dispose (GObject *object)
{
  ProcuraDashboard *self = (ProcuraDashboard *) object;

  /* a load still running finds the page gone and shows nothing */
  g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_DASHBOARD);

  for (guint i = 0; i < PROCURA_DASHBOARD_N_LISTS; i++)
    {
      g_clear_pointer (&self->rows[i], g_ptr_array_unref);
      self->more_rows[i] = NULL;
    }
  g_clear_pointer (&self->data, procura_dashboard_data_free);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (procura_dashboard_parent_class)->dispose (object);
}

static void
procura_dashboard_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ProcuraDashboard *self = PROCURA_DASHBOARD (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_dashboard_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ProcuraDashboard *self = PROCURA_DASHBOARD (object);

  switch (prop_id)
    {
    case PROP_STORE:
      procura_dashboard_set_store (self, g_value_get_object (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_dashboard_class_init (ProcuraDashboardClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = procura_dashboard_dispose;
  object_class->get_property = procura_dashboard_get_property;
  object_class->set_property = procura_dashboard_set_property;

  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PROCURA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (PROCURA_TYPE_CHART);
  g_type_ensure (PROCURA_TYPE_DASHBOARD_COLUMNS);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/procura/Procura/ui/procura-dashboard.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, projects_value);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, projects_detail);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, value_value);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, value_detail);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, paid_value);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, paid_detail);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, balance_value);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, balance_detail);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, all_clear_page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, overdue_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, due_week_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, due_later_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, review_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, payable_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, street_chart);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, milestone_chart);
  gtk_widget_class_bind_template_child (widget_class, ProcuraDashboard, error_page);

  gtk_widget_class_install_action (widget_class, "dashboard.show-all", "s", show_all_cb);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
procura_dashboard_init (ProcuraDashboard *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->groups[PROCURA_DASHBOARD_LIST_OVERDUE] = self->overdue_group;
  self->groups[PROCURA_DASHBOARD_LIST_DUE_WEEK] = self->due_week_group;
  self->groups[PROCURA_DASHBOARD_LIST_DUE_LATER] = self->due_later_group;
  self->groups[PROCURA_DASHBOARD_LIST_REVIEW] = self->review_group;
  self->groups[PROCURA_DASHBOARD_LIST_PAYABLE] = self->payable_group;

  for (guint i = 0; i < PROCURA_DASHBOARD_N_LISTS; i++)
    {
      GtkWidget *count = gtk_label_new (NULL);

      gtk_widget_set_valign (count, GTK_ALIGN_END);
      gtk_widget_add_css_class (count, "dim-label");
      gtk_widget_add_css_class (count, "numeric");
      adw_preferences_group_set_header_suffix (self->groups[i], count);
      self->count_labels[i] = GTK_LABEL (count);
      self->rows[i] = g_ptr_array_new ();
      gtk_widget_set_visible (GTK_WIDGET (self->groups[i]), FALSE);
    }

  update_figures (self);
  update_street_chart (self);
  update_milestone_chart (self);
}

/* Public API */

GtkWidget *
procura_dashboard_new (ProcuraStore *store)
{
  g_return_val_if_fail (store == NULL || PROCURA_IS_STORE (store), NULL);

  return g_object_new (PROCURA_TYPE_DASHBOARD, "store", store, NULL);
}

ProcuraStore *
procura_dashboard_get_store (ProcuraDashboard *self)
{
  g_return_val_if_fail (PROCURA_IS_DASHBOARD (self), NULL);

  return self->store;
}

void
procura_dashboard_set_store (ProcuraDashboard *self,
                             ProcuraStore     *store)
{
  g_return_if_fail (PROCURA_IS_DASHBOARD (self));
  g_return_if_fail (store == NULL || PROCURA_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  procura_dashboard_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

/* Shows data (taken; NULL with error when the query failed). */
static void
show_data (ProcuraDashboard     *self,
           ProcuraDashboardData *data,
           const GError         *error)
{
  gboolean any = FALSE;

  for (guint i = 0; i < PROCURA_DASHBOARD_N_LISTS; i++)
    clear_list (self, i);
  g_clear_pointer (&self->data, procura_dashboard_data_free);
  self->data = data;

  if (self->data == NULL && error != NULL)
    {
      g_debug ("Cannot read the dashboard: %s", error->message);
      show_error (self, error->message);
    }

  update_figures (self);
  update_street_chart (self);
  update_milestone_chart (self);

  for (guint i = 0; i < PROCURA_DASHBOARD_N_LISTS; i++)
    {
      if (self->data != NULL)
        fill_list (self, i);
      else
        gtk_widget_set_visible (GTK_WIDGET (self->groups[i]), FALSE);
      any |= self->rows[i]->len > 0;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->all_clear_page), self->data != NULL && !any);

  if (self->data != NULL || self->store == NULL)
    gtk_stack_set_visible_child_name (self->stack, "dashboard");
}

void
procura_dashboard_reload (ProcuraDashboard *self)
{
  g_autoptr(GError) error = NULL;
  ProcuraDashboardData *data = NULL;

  g_return_if_fail (PROCURA_IS_DASHBOARD (self));

  g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);

  if (self->store != NULL)
    data = procura_store_query_dashboard (self->store, NULL, 0, &error);

  show_data (self, data, error);
}

typedef struct
{
  char *data_dir;
  char *today;
} LoadData;

static void
load_data_free (LoadData *load)
{
  g_free (load->data_dir);
  g_free (load->today);
  g_free (load);
}

/* In a worker thread, on a connection of its own: the store object of the
 * window belongs to the main thread. */
static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *load = task_data;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraDashboardData *data;

  store = procura_store_open (load->data_dir, &error);
  if (store == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  procura_store_set_today (store, load->today);

  data = procura_store_query_dashboard (store, NULL, 0, &error);
  if (data == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, data, (GDestroyNotify) procura_dashboard_data_free);
}

static void
load_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  ProcuraDashboard *self = PROCURA_DASHBOARD (source);
  g_autoptr(GError) error = NULL;
  ProcuraDashboardData *data;

  /* a cancelled load (a newer one started, or the page went away) is
   * dropped, finished or not */
  if (g_task_had_error (G_TASK (result)) == FALSE &&
      g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    {
      procura_dashboard_data_free (g_task_propagate_pointer (G_TASK (result), NULL));
      return;
    }

  data = g_task_propagate_pointer (G_TASK (result), &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;

  g_clear_object (&self->loading);
  show_data (self, data, error);
}

void
procura_dashboard_reload_async (ProcuraDashboard *self)
{
  g_autoptr(GTask) task = NULL;
  LoadData *load;

  g_return_if_fail (PROCURA_IS_DASHBOARD (self));

  if (self->store == NULL)
    {
      procura_dashboard_reload (self);
      return;
    }

  g_cancellable_cancel (self->loading);
  g_clear_object (&self->loading);
  self->loading = g_cancellable_new ();

  load = g_new0 (LoadData, 1);
  load->data_dir = g_strdup (procura_store_get_data_dir (self->store));
  load->today = procura_store_dup_today (self->store);

  task = g_task_new (self, self->loading, load_done_cb, NULL);
  g_task_set_source_tag (task, procura_dashboard_reload_async);
  g_task_set_task_data (task, load, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

void
procura_dashboard_set_store_async (ProcuraDashboard *self,
                                   ProcuraStore     *store)
{
  g_return_if_fail (PROCURA_IS_DASHBOARD (self));
  g_return_if_fail (store == NULL || PROCURA_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  procura_dashboard_reload_async (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

const ProcuraDashboardData *
procura_dashboard_get_data (ProcuraDashboard *self)
{
  g_return_val_if_fail (PROCURA_IS_DASHBOARD (self), NULL);

  return self->data;
}

guint
procura_dashboard_get_n_items (ProcuraDashboard *self,
                               const char       *list)
{
  ProcuraDashboardListKind kind;

  g_return_val_if_fail (PROCURA_IS_DASHBOARD (self), 0);
  g_return_val_if_fail (procura_dashboard_list_kind_from_string (list, &kind), 0);

  if (self->data == NULL)
    return 0;

  return procura_dashboard_data_get_list (self->data, kind)->items->len;
}
