/* test-dashboard.c — the 工作台: its queries and its page
 *
 * A small store built by hand through the write path, as of the fixture's
 * today (2021-09-15):
 *
 *   project A, in progress, street 长江街道, amended +¥5,000:
 *     milestone due 2021-09-10 (overdue), 2021-09-20 (in 5 days),
 *     2021-09-25 (in 10 days), 2021-10-30 (beyond the two weeks),
 *     2021-09-01 accepted; a report submitted, not linked to a milestone
 *   project B, completed, no street:
 *     milestone due 2021-09-18 not accepted (a closed project: not listed),
 *     final milestone accepted, whose tranche is therefore payable; a
 *     second tranche of ¥30,000 paid
 *
 * The query tests count what the dashboard lists and sums; the widget
 * tests check that the page shows those rows and that activating one
 * activates win.open-project-section with the project's id and the
 * section to show. Runs under a display (xvfb-run in build-aux/test.sh).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>

#include "procura-chart.h"
#include "procura-dashboard.h"
#include "procura-dashboard-query.h"
#include "procura-error.h"
#include "procura-schema.h"
#include "procura-test-utils.h"
#include "procura-workflow.h"

#define AMENDMENT     G_GINT64_CONSTANT (500000)    /* ¥5,000.00 */
#define PAID          G_GINT64_CONSTANT (3000000)   /* ¥30,000.00 */
#define FINAL_TRANCHE G_GINT64_CONSTANT (2000000)   /* ¥20,000.00 */

typedef struct
{
  Fixture  f;
  char    *project_a;
  char    *project_b;
  char    *overdue;
  char    *due_5;
  char    *due_10;
  char    *report;
  char    *payable;
} DashFixture;

/* ---- the store --------------------------------------------------------- */

static char *
add_report (Fixture    *f,
            const char *project,
            const char *title)
{
  g_autoptr(ProcuraRecord) report = procura_record_new (PROCURA_ENTITY_REPORT, NULL);
  char *id;

  procura_record_set_string (report, "project_id", project);
  procura_record_set_string (report, "title", title);
  procura_record_set_string (report, "state", "draft");
  id = insert_ok (f, report);
  set_state (f, PROCURA_ENTITY_REPORT, id, "submitted");

  return id;
}

static void
build_store (DashFixture *d)
{
  Fixture *f = &d->f;
  g_autofree char *accepted = NULL;
  g_autofree char *later = NULL;
  g_autofree char *closed_open = NULL;
  g_autofree char *closed_final = NULL;
  g_autofree char *paid = NULL;
  g_autofree char *amendment = NULL;
  g_autofree char *evaluation = NULL;

  /* A: in progress */
  d->project_a = add_active_project (f, FIXTURE_VALUE);
  set_text (f, PROCURA_ENTITY_PROJECT, d->project_a, "street", "长江街道");
  amendment = add_amendment (f, d->project_a, AMENDMENT, NULL);
  d->overdue = add_milestone (f, d->project_a, "中期报告", "2021-09-10");
  d->due_5 = add_milestone (f, d->project_a, "九月服务报告", "2021-09-20");
  d->due_10 = add_milestone (f, d->project_a, "居民满意度调查", "2021-09-25");
  later = add_milestone (f, d->project_a, "十月服务报告", "2021-10-30");
  accepted = add_milestone (f, d->project_a, "八月服务报告", "2021-09-01");
  accept_milestone (f, accepted);
  d->report = add_report (f, d->project_a, "2021年9月服务报告");

  /* B: completed; its last open milestone is not due any more */
  d->project_b = add_active_project (f, FIXTURE_VALUE);
  closed_open = add_milestone (f, d->project_b, "专项督查", "2021-09-18");
  closed_final = add_milestone (f, d->project_b, "结项验收", "2021-12-15");
  d->payable = add_payment (f, d->project_b, closed_final, FINAL_TRANCHE);
  paid = add_payment (f, d->project_b, NULL, PAID);
  pay (f, paid, PAID, "2021-08-15");
  accept_milestone (f, closed_final);
  evaluation = add_final_evaluation (f, d->project_b, "final", "2021-09-13", 9000);
  set_state (f, PROCURA_ENTITY_PROJECT, d->project_b, "completed");
}

static void
dash_setup (DashFixture   *d,
            gconstpointer  data)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-dashboard-XXXXXX");

  fixture_open (&d->f, dir);
  if (data == NULL)
    build_store (d);
}

static void
dash_teardown (DashFixture   *d,
               gconstpointer  data)
{
  g_autofree char *dir = g_strdup (d->f.dir);

  fixture_close (&d->f);
  procura_test_remove_tree (dir);
  g_free (d->project_a);
  g_free (d->project_b);
  g_free (d->overdue);
  g_free (d->due_5);
  g_free (d->due_10);
  g_free (d->report);
  g_free (d->payable);
}

static ProcuraDashboardData *
query_ok (DashFixture *d,
          const char  *as_of,
          guint        lead_days)
{
  g_autoptr(GError) error = NULL;
  ProcuraDashboardData *data = procura_store_query_dashboard (d->f.store, as_of, lead_days, &error);

  g_assert_no_error (error);
  g_assert_nonnull (data);

  return data;
}

static const ProcuraDashboardItem *
only_item (const ProcuraDashboardData *data,
           ProcuraDashboardListKind    kind)
{
  const ProcuraDashboardList *list = procura_dashboard_data_get_list (data, kind);

  g_assert_cmpuint (list->total, ==, 1);
  g_assert_cmpuint (list->items->len, ==, 1);

  return g_ptr_array_index (list->items, 0);
}

/* ---- the queries ------------------------------------------------------- */

static void
test_query_lists (DashFixture   *d,
                  gconstpointer  data)
{
  g_autoptr(ProcuraDashboardData) dash = query_ok (d, NULL, 0);
  const ProcuraDashboardItem *item;

  g_assert_cmpstr (dash->as_of, ==, FIXTURE_TODAY);
  g_assert_cmpstr (dash->week_end, ==, "2021-09-22");
  g_assert_cmpstr (dash->lead_end, ==, "2021-09-29");

  item = only_item (dash, PROCURA_DASHBOARD_LIST_OVERDUE);
  g_assert_cmpstr (item->id, ==, d->overdue);
  g_assert_cmpstr (item->title, ==, "中期报告");
  g_assert_cmpstr (item->date, ==, "2021-09-10");
  g_assert_cmpstr (item->project_id, ==, d->project_a);
  g_assert_cmpstr (item->project_code, ==, "QZ-2021-001");
  g_assert_cmpstr (item->project_title, ==, "社区服务项目 QZ-2021-001");

  /* B's milestone due in 3 days is not listed: B is completed */
  item = only_item (dash, PROCURA_DASHBOARD_LIST_DUE_WEEK);
  g_assert_cmpstr (item->id, ==, d->due_5);
  g_assert_cmpstr (item->date, ==, "2021-09-20");

  item = only_item (dash, PROCURA_DASHBOARD_LIST_DUE_LATER);
  g_assert_cmpstr (item->id, ==, d->due_10);

  item = only_item (dash, PROCURA_DASHBOARD_LIST_REVIEW);
  g_assert_cmpstr (item->id, ==, d->report);
  g_assert_cmpstr (item->title, ==, "2021年9月服务报告");
  g_assert_nonnull (item->date);        /* submitted_at, set by the workflow */
  g_assert_null (item->detail);
  g_assert_cmpstr (item->project_id, ==, d->project_a);

  item = only_item (dash, PROCURA_DASHBOARD_LIST_PAYABLE);
  g_assert_cmpstr (item->id, ==, d->payable);
  g_assert_cmpint (item->amount, ==, FINAL_TRANCHE);
  g_assert_cmpstr (item->detail, ==, "结项验收");
  g_assert_cmpstr (item->project_id, ==, d->project_b);
}

static void
test_query_figures (DashFixture   *d,
                    gconstpointer  data)
{
  g_autoptr(ProcuraDashboardData) dash = query_ok (d, NULL, 0);
  const ProcuraDashboardStreet *street;

  g_assert_cmpuint (dash->n_projects, ==, 2);
  g_assert_cmpuint (dash->n_active, ==, 1);
  g_assert_cmpuint (procura_dashboard_data_count_projects (dash, "active"), ==, 1);
  g_assert_cmpuint (procura_dashboard_data_count_projects (dash, "completed"), ==, 1);
  g_assert_cmpuint (procura_dashboard_data_count_projects (dash, "draft"), ==, 0);
  g_assert_cmpuint (procura_dashboard_data_count_projects (dash, "no-such-status"), ==, 0);
  /* every status, in workflow order */
  g_assert_cmpuint (dash->project_statuses->len, ==, 5);
  g_assert_cmpstr (g_array_index (dash->project_statuses, ProcuraDashboardCount, 0).code, ==, "draft");

  g_assert_cmpint (dash->value, ==, 2 * FIXTURE_VALUE + AMENDMENT);
  g_assert_cmpint (dash->paid, ==, PAID);
  g_assert_cmpint (dash->balance, ==, 2 * FIXTURE_VALUE + AMENDMENT - PAID);

  /* per street, largest value first; B has no street */
  g_assert_cmpuint (dash->streets->len, ==, 2);
  street = g_ptr_array_index (dash->streets, 0);
  g_assert_cmpstr (street->street, ==, "长江街道");
  g_assert_cmpstr (street->label, ==, "长江街道");
  g_assert_cmpuint (street->n_projects, ==, 1);
  g_assert_cmpint (street->value, ==, FIXTURE_VALUE + AMENDMENT);
  g_assert_cmpint (street->paid, ==, 0);
  street = g_ptr_array_index (dash->streets, 1);
  g_assert_null (street->street);
  g_assert_cmpstr (street->label, ==, "District-wide");
  g_assert_cmpint (street->value, ==, FIXTURE_VALUE);
  g_assert_cmpint (street->paid, ==, PAID);

  /* milestones of the open project A: three planned, one of them overdue
   * and counted as such only, and one accepted */
  g_assert_cmpuint (dash->milestone_statuses->len, ==, 5);
  g_assert_cmpuint (procura_dashboard_data_count_milestones (dash, "planned"), ==, 3);
  g_assert_cmpuint (procura_dashboard_data_count_milestones (dash, "submitted"), ==, 0);
  g_assert_cmpuint (procura_dashboard_data_count_milestones (dash, "accepted"), ==, 1);
  g_assert_cmpuint (procura_dashboard_data_count_milestones (dash, "returned"), ==, 0);
  g_assert_cmpuint (procura_dashboard_data_count_milestones (dash, "overdue"), ==, 1);
  g_assert_cmpstr (g_array_index (dash->milestone_statuses, ProcuraDashboardCount, 4).code, ==, "overdue");
  g_assert_cmpstr (g_array_index (dash->milestone_statuses, ProcuraDashboardCount, 4).label, ==, "Overdue");
}

/* as_of and lead_days move the windows */
static void
test_query_windows (DashFixture   *d,
                    gconstpointer  data)
{
  g_autoptr(ProcuraDashboardData) later = query_ok (d, "2021-09-22", 0);
  g_autoptr(ProcuraDashboardData) week_only = query_ok (d, NULL, 7);
  g_autoptr(ProcuraDashboardData) month = query_ok (d, NULL, 60);
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraDashboardData) bad = NULL;

  /* a week later the milestone due on the 20th is overdue too, and the
   * one on the 25th due within the week */
  g_assert_cmpuint (later->lists[PROCURA_DASHBOARD_LIST_OVERDUE].total, ==, 2);
  g_assert_cmpuint (later->lists[PROCURA_DASHBOARD_LIST_DUE_WEEK].total, ==, 1);
  g_assert_cmpuint (later->lists[PROCURA_DASHBOARD_LIST_DUE_LATER].total, ==, 0);
  g_assert_cmpuint (procura_dashboard_data_count_milestones (later, "overdue"), ==, 2);
  g_assert_cmpuint (procura_dashboard_data_count_milestones (later, "planned"), ==, 2);
  /* the longest overdue first */
  g_assert_cmpstr (((ProcuraDashboardItem *) g_ptr_array_index (later->lists[PROCURA_DASHBOARD_LIST_OVERDUE].items, 0))->id,
                   ==, d->overdue);

  g_assert_cmpuint (week_only->lists[PROCURA_DASHBOARD_LIST_DUE_WEEK].total, ==, 1);
  g_assert_cmpuint (week_only->lists[PROCURA_DASHBOARD_LIST_DUE_LATER].total, ==, 0);

  g_assert_cmpuint (month->lists[PROCURA_DASHBOARD_LIST_DUE_WEEK].total, ==, 1);
  g_assert_cmpuint (month->lists[PROCURA_DASHBOARD_LIST_DUE_LATER].total, ==, 2);

  bad = procura_store_query_dashboard (d->f.store, "2021-13-01", 0, &error);
  g_assert_null (bad);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
}

/* Changes through the write path show at the next query. */
static void
test_query_follows_changes (DashFixture   *d,
                            gconstpointer  data)
{
  g_autoptr(ProcuraDashboardData) before = query_ok (d, NULL, 0);
  g_autoptr(ProcuraDashboardData) after = NULL;

  accept_milestone (&d->f, d->overdue);
  set_state (&d->f, PROCURA_ENTITY_PROJECT, d->project_a, "terminated");
  after = query_ok (d, NULL, 0);

  g_assert_cmpuint (before->n_active, ==, 1);
  g_assert_cmpuint (after->n_active, ==, 0);
  /* a terminated project has nothing due */
  for (guint i = PROCURA_DASHBOARD_LIST_OVERDUE; i <= PROCURA_DASHBOARD_LIST_DUE_LATER; i++)
    {
      g_assert_cmpuint (after->lists[i].total, ==, 0);
      g_assert_cmpuint (after->lists[i].items->len, ==, 0);
    }
  /* its submitted report still waits for review */
  g_assert_cmpuint (after->lists[PROCURA_DASHBOARD_LIST_REVIEW].total, ==, 1);
  /* only the completed project counts in the figures now */
  g_assert_cmpint (after->value, ==, FIXTURE_VALUE);
  g_assert_cmpuint (after->streets->len, ==, 1);
  for (guint i = 0; i < after->milestone_statuses->len; i++)
    g_assert_cmpuint (g_array_index (after->milestone_statuses, ProcuraDashboardCount, i).count, ==, 0);
}

/* Lists keep their first PROCURA_DASHBOARD_LIST_LIMIT items, counting all. */
static void
test_query_limit (DashFixture   *d,
                  gconstpointer  data)
{
  g_autoptr(ProcuraDashboardData) dash = NULL;
  g_autofree char *project = add_active_project (&d->f, FIXTURE_VALUE);
  guint n = PROCURA_DASHBOARD_LIST_LIMIT + 5;

  g_assert_true (procura_store_begin (d->f.store, NULL));
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *title = g_strdup_printf ("节点 %02u", i);
      g_autofree char *due = g_strdup_printf ("2021-08-%02u", 1 + i % 28);

      g_free (add_milestone (&d->f, project, title, due));
    }
  g_assert_true (procura_store_commit (d->f.store, NULL));

  /* with A's overdue milestone */
  dash = query_ok (d, NULL, 0);
  g_assert_cmpuint (dash->lists[PROCURA_DASHBOARD_LIST_OVERDUE].total, ==, n + 1);
  g_assert_cmpuint (dash->lists[PROCURA_DASHBOARD_LIST_OVERDUE].items->len, ==, PROCURA_DASHBOARD_LIST_LIMIT);
  g_assert_cmpuint (procura_dashboard_data_count_milestones (dash, "overdue"), ==, n + 1);

  /* in due order */
  for (guint i = 1; i < PROCURA_DASHBOARD_LIST_LIMIT; i++)
    {
      ProcuraDashboardItem *a = g_ptr_array_index (dash->lists[PROCURA_DASHBOARD_LIST_OVERDUE].items, i - 1);
      ProcuraDashboardItem *b = g_ptr_array_index (dash->lists[PROCURA_DASHBOARD_LIST_OVERDUE].items, i);

      g_assert_cmpstr (a->date, <=, b->date);
    }
}

static void
test_query_empty (DashFixture   *d,
                  gconstpointer  data)
{
  g_autoptr(ProcuraDashboardData) dash = query_ok (d, NULL, 0);

  g_assert_cmpuint (dash->n_projects, ==, 0);
  g_assert_cmpint (dash->value, ==, 0);
  g_assert_cmpint (dash->balance, ==, 0);
  g_assert_cmpuint (dash->streets->len, ==, 0);
  for (guint i = 0; i < PROCURA_DASHBOARD_N_LISTS; i++)
    g_assert_cmpuint (dash->lists[i].total, ==, 0);
}

/* The SQL spells out the closed statuses; they must be the final states
 * of the project workflow. */
static void
test_query_closed_statuses (void)
{
  const ProcuraFieldInfo *field = procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "status");
  static const char * const closed[] = { "completed", "terminated", "cancelled", NULL };

  for (const ProcuraEnumValue *v = field->enum_values; v->code != NULL; v++)
    g_assert_cmpint (procura_workflow_is_final (PROCURA_ENTITY_PROJECT, v->code), ==,
                     g_strv_contains (closed, v->code));
}

static void
test_list_names (void)
{
  ProcuraDashboardListKind kind;

  for (guint i = 0; i < PROCURA_DASHBOARD_N_LISTS; i++)
    {
      const char *name = procura_dashboard_list_kind_to_string (i);

      g_assert_true (procura_dashboard_list_kind_from_string (name, &kind));
      g_assert_cmpuint (kind, ==, i);
    }
  g_assert_cmpstr (procura_dashboard_list_kind_to_string (PROCURA_DASHBOARD_LIST_OVERDUE), ==, "overdue");
  g_assert_false (procura_dashboard_list_kind_from_string ("nothing", &kind));
  g_assert_false (procura_dashboard_list_kind_from_string (NULL, &kind));
}

/* ---- the page ---------------------------------------------------------- */

typedef struct
{
  GtkWidget *window;
  GtkWidget *dashboard;
  GPtrArray *opened;    /* "project-id section" of each win.open-project-section */
} Page;

static void
open_project_cb (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  Page *page = user_data;
  const char *id = NULL;
  const char *section = NULL;

  g_variant_get (parameter, "(&s&s)", &id, &section);
  g_ptr_array_add (page->opened, g_strdup_printf ("%s %s", id, section));
}

static void
wait_for_draw (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

static void
page_open (Page         *page,
           ProcuraStore *store)
{
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) action = g_simple_action_new ("open-project-section", G_VARIANT_TYPE ("(ss)"));

  page->opened = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (action, "activate", G_CALLBACK (open_project_cb), page);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (action));

  page->window = gtk_window_new ();
  gtk_widget_insert_action_group (page->window, "win", G_ACTION_GROUP (group));
  gtk_window_set_default_size (GTK_WINDOW (page->window), 1200, 900);
  page->dashboard = procura_dashboard_new (store);
  gtk_window_set_child (GTK_WINDOW (page->window), page->dashboard);
  gtk_window_present (GTK_WINDOW (page->window));
  wait_for_draw (page->window);
}

static void
page_close (Page *page)
{
  g_object_add_weak_pointer (G_OBJECT (page->dashboard), (gpointer *) &page->dashboard);
  gtk_window_destroy (GTK_WINDOW (page->window));
  g_assert_null (page->dashboard);
  g_clear_pointer (&page->opened, g_ptr_array_unref);
}

static void
collect_rows (GtkWidget *widget,
              GPtrArray *rows)
{
  if (ADW_IS_PREFERENCES_ROW (widget) && GTK_IS_ACTIONABLE (widget) &&
      g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (widget)), "win.open-project-section") == 0)
    g_ptr_array_add (rows, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_rows (child, rows);
}

/* The project rows of the page, in order. */
static GPtrArray *
project_rows (Page *page)
{
  GPtrArray *rows = g_ptr_array_new ();

  collect_rows (page->dashboard, rows);

  return rows;
}

static GtkWidget *
find_row (Page       *page,
          const char *title)
{
  g_autoptr(GPtrArray) rows = project_rows (page);

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), title) == 0)
      return g_ptr_array_index (rows, i);

  g_error ("no row titled %s", title);
  return NULL;
}

static void
collect_charts (GtkWidget *widget,
                GPtrArray *charts)
{
  if (PROCURA_IS_CHART (widget))
    g_ptr_array_add (charts, widget);

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect_charts (child, charts);
}

static void
test_page_rows (DashFixture   *d,
                gconstpointer  data)
{
  Page page = { NULL, };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) charts = g_ptr_array_new ();
  ProcuraDashboard *dashboard;

  page_open (&page, d->f.store);
  dashboard = PROCURA_DASHBOARD (page.dashboard);

  g_assert_true (procura_dashboard_get_store (dashboard) == d->f.store);
  g_assert_nonnull (procura_dashboard_get_data (dashboard));
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "overdue"), ==, 1);
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "due-week"), ==, 1);
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "due-later"), ==, 1);
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "review"), ==, 1);
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "payable"), ==, 1);

  rows = project_rows (&page);
  g_assert_cmpuint (rows->len, ==, 5);
  for (guint i = 0; i < rows->len; i++)
    g_assert_true (gtk_widget_is_drawable (g_ptr_array_index (rows, i)));
  /* B's milestone is not on the page */
  for (guint i = 0; i < rows->len; i++)
    g_assert_cmpstr (adw_preferences_row_get_title (g_ptr_array_index (rows, i)), !=, "专项督查");

  /* both charts have data */
  collect_charts (page.dashboard, charts);
  g_assert_cmpuint (charts->len, ==, 2);
  for (guint i = 0; i < charts->len; i++)
    g_assert_false (procura_chart_is_empty (g_ptr_array_index (charts, i)));
  g_assert_cmpuint (procura_chart_get_n_categories (g_ptr_array_index (charts, 0)), ==, 2);
  g_assert_cmpuint (procura_chart_get_n_categories (g_ptr_array_index (charts, 1)), ==, 5);

  page_close (&page);
}

static void
test_page_open_project (DashFixture   *d,
                        gconstpointer  data)
{
  Page page = { NULL, };
  char *expected;

  page_open (&page, d->f.store);

  g_assert_true (gtk_widget_activate (find_row (&page, "中期报告")));
  g_assert_true (gtk_widget_activate (find_row (&page, "拨付")));
  g_assert_true (gtk_widget_activate (find_row (&page, "2021年9月服务报告")));

  g_assert_cmpuint (page.opened->len, ==, 3);
  /* each on what waits there: the overdue milestone, the payable
   * tranche, the report to review */
  expected = g_strdup_printf ("%s milestones", d->project_a);
  g_assert_cmpstr (g_ptr_array_index (page.opened, 0), ==, expected);
  g_free (expected);
  expected = g_strdup_printf ("%s payments", d->project_b);
  g_assert_cmpstr (g_ptr_array_index (page.opened, 1), ==, expected);
  g_free (expected);
  expected = g_strdup_printf ("%s reports", d->project_a);
  g_assert_cmpstr (g_ptr_array_index (page.opened, 2), ==, expected);
  g_free (expected);

  page_close (&page);
}

static void
test_page_reload (DashFixture   *d,
                  gconstpointer  data)
{
  Page page = { NULL, };
  ProcuraDashboard *dashboard;

  page_open (&page, d->f.store);
  dashboard = PROCURA_DASHBOARD (page.dashboard);

  accept_milestone (&d->f, d->overdue);
  /* nothing changes until the reload */
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "overdue"), ==, 1);

  procura_dashboard_reload (dashboard);
  wait_for_draw (page.window);
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "overdue"), ==, 0);
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "due-week"), ==, 1);
  g_assert_cmpuint (procura_dashboard_data_count_milestones (procura_dashboard_get_data (dashboard), "accepted"), ==, 2);

  /* no store: nothing shown */
  procura_dashboard_set_store (dashboard, NULL);
  g_assert_null (procura_dashboard_get_data (dashboard));
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "due-week"), ==, 0);

  page_close (&page);
}

/* The background load shows the same rows as the synchronous one, and a
 * load still running when the page is destroyed is dropped. */
static void
test_page_reload_async (DashFixture   *d,
                        gconstpointer  data)
{
  Page page = { NULL, };
  ProcuraDashboard *dashboard;

  page_open (&page, NULL);
  dashboard = PROCURA_DASHBOARD (page.dashboard);
  g_assert_null (procura_dashboard_get_data (dashboard));

  procura_dashboard_set_store_async (dashboard, d->f.store);
  g_assert_true (procura_dashboard_get_store (dashboard) == d->f.store);
  for (guint i = 0; i < 2000 && procura_dashboard_get_data (dashboard) == NULL; i++)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (procura_dashboard_get_data (dashboard));
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "overdue"), ==, 1);
  g_assert_cmpuint (procura_dashboard_get_n_items (dashboard, "review"), ==, 1);

  /* a load still running when the page goes away is dropped quietly
   * (fatal warnings would end the test otherwise) */
  procura_dashboard_reload_async (dashboard);
  g_object_add_weak_pointer (G_OBJECT (page.dashboard), (gpointer *) &page.dashboard);
  gtk_window_destroy (GTK_WINDOW (page.window));
  /* the running load holds the page until it ends, then lets it go */
  for (guint i = 0; i < 500 && page.dashboard != NULL; i++)
    {
      g_usleep (10 * 1000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_null (page.dashboard);
  g_clear_pointer (&page.opened, g_ptr_array_unref);
}

/* Long lists show their first rows and a "Show All" row. */
static void
test_page_show_all (DashFixture   *d,
                    gconstpointer  data)
{
  g_autofree char *project = add_active_project (&d->f, FIXTURE_VALUE);
  g_autoptr(GPtrArray) rows = NULL;
  Page page = { NULL, };
  guint n_visible = 0;

  for (guint i = 0; i < 12; i++)
    {
      g_autofree char *title = g_strdup_printf ("节点 %02u", i);

      g_free (add_milestone (&d->f, project, title, "2021-09-01"));
    }

  /* with A's overdue milestone */
  page_open (&page, d->f.store);
  g_assert_cmpuint (procura_dashboard_get_n_items (PROCURA_DASHBOARD (page.dashboard), "overdue"), ==, 13);

  /* the first five rows of the 13, and the rows of the other lists */
  rows = project_rows (&page);
  g_assert_cmpuint (rows->len, ==, 5 + 4);

  g_assert_true (gtk_widget_activate_action (page.dashboard, "dashboard.show-all", "s", "overdue"));
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = project_rows (&page);
  g_assert_cmpuint (rows->len, ==, 13 + 4);
  for (guint i = 0; i < rows->len; i++)
    n_visible += gtk_widget_get_visible (g_ptr_array_index (rows, i));
  g_assert_cmpuint (n_visible, ==, rows->len);

  page_close (&page);
}

static void
test_page_empty (DashFixture   *d,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) charts = g_ptr_array_new ();
  Page page = { NULL, };

  page_open (&page, d->f.store);

  for (guint i = 0; i < PROCURA_DASHBOARD_N_LISTS; i++)
    g_assert_cmpuint (procura_dashboard_get_n_items (PROCURA_DASHBOARD (page.dashboard),
                                                     procura_dashboard_list_kind_to_string (i)), ==, 0);

  collect_charts (page.dashboard, charts);
  g_assert_cmpuint (charts->len, ==, 2);
  for (guint i = 0; i < charts->len; i++)
    g_assert_true (procura_chart_is_empty (g_ptr_array_index (charts, i)));

  page_close (&page);
}

/* ---- the chart --------------------------------------------------------- */

static void
count_notify (guint *counter)
{
  (*counter)++;
}

static void
test_chart (void)
{
  static const char * const names[] = { "Contract value", "Paid" };
  static const char * const colors[] = { "blue_3", "#2ec27e" };
  const double values[] = { 300, 120 };
  const double zeros[] = { 0, 0 };
  const char * const texts[] = { "300.00", "120.00" };
  GtkWidget *window = gtk_window_new ();
  GtkWidget *widget = procura_chart_new (GTK_ORIENTATION_HORIZONTAL);
  ProcuraChart *chart = PROCURA_CHART (widget);
  guint notified = 0;

  g_signal_connect_swapped (chart, "notify::orientation", G_CALLBACK (count_notify), &notified);
  procura_chart_set_orientation (chart, GTK_ORIENTATION_HORIZONTAL);
  g_assert_cmpuint (notified, ==, 0);
  procura_chart_set_orientation (chart, GTK_ORIENTATION_VERTICAL);
  g_assert_cmpuint (notified, ==, 1);
  g_assert_cmpint (procura_chart_get_orientation (chart), ==, GTK_ORIENTATION_VERTICAL);

  procura_chart_set_empty_text (chart, "Nothing yet");
  g_assert_cmpstr (procura_chart_get_empty_text (chart), ==, "Nothing yet");
  g_assert_true (procura_chart_is_empty (chart));

  procura_chart_set_series (chart, 2, names, colors);
  procura_chart_append (chart, "长江街道", zeros, NULL, NULL, NULL);
  g_assert_cmpuint (procura_chart_get_n_categories (chart), ==, 1);
  g_assert_true (procura_chart_is_empty (chart));
  procura_chart_append (chart, "全区", values, texts, NULL, "tooltip");
  g_assert_false (procura_chart_is_empty (chart));

  /* drawn both ways without complaint */
  gtk_window_set_child (GTK_WINDOW (window), widget);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_draw (window);
  procura_chart_set_orientation (chart, GTK_ORIENTATION_HORIZONTAL);
  wait_for_draw (window);
  g_assert_cmpint (gtk_widget_get_height (widget), >, 0);

  procura_chart_remove_all (chart);
  g_assert_cmpuint (procura_chart_get_n_categories (chart), ==, 0);
  wait_for_draw (window);

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int   argc,
      char *argv[])
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  g_test_add_func ("/dashboard/query/closed-statuses", test_query_closed_statuses);
  g_test_add_func ("/dashboard/query/list-names", test_list_names);
  g_test_add ("/dashboard/query/lists", DashFixture, NULL, dash_setup, test_query_lists, dash_teardown);
  g_test_add ("/dashboard/query/figures", DashFixture, NULL, dash_setup, test_query_figures, dash_teardown);
  g_test_add ("/dashboard/query/windows", DashFixture, NULL, dash_setup, test_query_windows, dash_teardown);
  g_test_add ("/dashboard/query/follows-changes", DashFixture, NULL, dash_setup, test_query_follows_changes, dash_teardown);
  g_test_add ("/dashboard/query/limit", DashFixture, NULL, dash_setup, test_query_limit, dash_teardown);
  g_test_add ("/dashboard/query/empty", DashFixture, "empty", dash_setup, test_query_empty, dash_teardown);
  g_test_add ("/dashboard/page/rows", DashFixture, NULL, dash_setup, test_page_rows, dash_teardown);
  g_test_add ("/dashboard/page/open-project", DashFixture, NULL, dash_setup, test_page_open_project, dash_teardown);
  g_test_add ("/dashboard/page/reload", DashFixture, NULL, dash_setup, test_page_reload, dash_teardown);
  g_test_add ("/dashboard/page/reload-async", DashFixture, NULL, dash_setup, test_page_reload_async, dash_teardown);
  g_test_add ("/dashboard/page/show-all", DashFixture, NULL, dash_setup, test_page_show_all, dash_teardown);
  g_test_add ("/dashboard/page/empty", DashFixture, "empty", dash_setup, test_page_empty, dash_teardown);
  g_test_add_func ("/dashboard/chart", test_chart);

  return g_test_run ();
}
