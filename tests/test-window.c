/* test-window.c — the real main window, driven through its actions
 *
 * Runs under a display (xvfb-run in build-aux/test.sh). Builds a store with
 * demo data, opens ProcuraWindow on it and checks the ledger: every project
 * listed with its figures, search narrowing the rows, reload picking up a
 * change made through the write path, the empty state.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "procura-application.h"
#include "procura-demo.h"
#include "procura-money.h"
#include "procura-organizations-page.h"
#include "procura-preferences-window.h"
#include "procura-project-page.h"
#include "procura-project-row.h"
#include "procura-query.h"
#include "procura-record-editor.h"
#include "procura-reminders.h"
#include "procura-store.h"
#include "procura-test-utils.h"
#include "procura-dashboard.h"
#include "procura-window.h"

#define VALID_USCC   "52420000MJH233402K"
#define INVALID_USCC "52420000MJH233402A"   /* wrong check character */

#define N_PROJECTS 40

typedef struct
{
  char         *dir;
  ProcuraStore *store;
} WindowFixture;

static void
reset_settings (void)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GSettingsSchema) schema = NULL;
  g_auto(GStrv) keys = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);
  keys = g_settings_schema_list_keys (schema);
  for (guint i = 0; keys[i] != NULL; i++)
    g_settings_reset (settings, keys[i]);
  g_settings_sync ();
}

static void
fixture_setup (WindowFixture *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint n_projects = GPOINTER_TO_UINT (data);

  f->dir = procura_test_make_tmp_dir ("procura-window-XXXXXX");
  f->store = procura_test_open_store (f->dir, "2026-11-27", "tester");

  /* GSETTINGS_BACKEND=memory keeps what an earlier test chose */
  reset_settings ();

  /* 1: the usual demo ledger */
  if (n_projects == 1)
    n_projects = N_PROJECTS;

  if (n_projects > 0)
    {
      g_assert_true (procura_demo_generate (f->store, n_projects, 5, NULL, NULL, &error));
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (WindowFixture *f,
                  gconstpointer  data)
{
  g_clear_object (&f->store);
  procura_test_remove_tree (f->dir);
  g_free (f->dir);
}

static void
wait_for_draw (GtkWidget *widget)
{
  gtk_test_widget_wait_for_draw (widget);
  for (guint i = 0; i < 50 && g_main_context_iteration (NULL, FALSE); i++)
    ;
}

/* Runs the main loop until the ledger has loaded in the background. */
static void
wait_for_ledger (ProcuraWindow *window)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (procura_window_get_loading (window))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      g_main_context_iteration (NULL, TRUE);
    }
  wait_for_draw (GTK_WIDGET (window));
}

static ProcuraWindow *
open_window (WindowFixture *f)
{
  ProcuraWindow *window = g_object_new (PROCURA_TYPE_WINDOW, "store", f->store, NULL);

  gtk_window_set_default_size (GTK_WINDOW (window), 1400, 800);
  gtk_window_present (GTK_WINDOW (window));
  wait_for_ledger (window);

  return window;
}

static guint
count_matching (GPtrArray  *rows,
                const char *needle)
{
  guint n = 0;

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);

      if (strstr (row->code, needle) || strstr (row->title, needle) ||
          (row->agency_name && strstr (row->agency_name, needle)) ||
          (row->street && strstr (row->street, needle)) ||
          (row->community && strstr (row->community, needle)))
        n++;
    }

  return n;
}

static void
test_ledger_lists_every_project (WindowFixture *f,
                                 gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraWindow *window = open_window (f);
  GListModel *model = procura_window_get_ledger_model (window);
  gboolean seen_paid = FALSE;

  g_assert_null (procura_window_get_error_message (window));
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, N_PROJECTS);
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, N_PROJECTS);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, N_PROJECTS);

  /* every row shows the figures the core computes */
  rows = procura_store_query_ledger (f->store, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ProcuraProjectRow) item = g_list_model_get_item (model, i);
      ProcuraLedgerRow *expected = NULL;

      for (guint j = 0; j < rows->len && expected == NULL; j++)
        if (g_strcmp0 (((ProcuraLedgerRow *) g_ptr_array_index (rows, j))->id, procura_project_row_get_id (item)) == 0)
          expected = g_ptr_array_index (rows, j);

      g_assert_nonnull (expected);
      g_assert_cmpstr (procura_project_row_get_code (item), ==, expected->code);
      g_assert_cmpint (procura_project_row_get_paid (item), ==, expected->paid);
      g_assert_cmpint (procura_project_row_get_amended_value (item), ==, expected->amended_value);
      g_assert_cmpuint (procura_project_row_get_progress (item), ==, procura_ledger_row_get_progress (expected));
      g_assert_cmpstr (procura_project_row_get_next_due (item), ==, expected->next_due);
      seen_paid |= expected->paid > 0;
    }
  g_assert_true (seen_paid);

  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  for (guint i = 0; i < 200 && window != NULL; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (window);
}

static void
test_search_narrows (WindowFixture *f,
                     gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraProjectRow) first = NULL;
  ProcuraWindow *window = open_window (f);
  GListModel *model = procura_window_get_ledger_model (window);
  const char *code;
  const char *street;

  rows = procura_store_query_ledger (f->store, NULL, NULL, &error);
  g_assert_no_error (error);

  /* the search action opens the search bar */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  wait_for_draw (GTK_WIDGET (window));

  /* a project number finds exactly that project */
  code = ((ProcuraLedgerRow *) g_ptr_array_index (rows, 7))->code;
  procura_window_set_search_text (window, code);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, count_matching (rows, code));
  first = g_list_model_get_item (model, 0);
  g_assert_cmpstr (procura_project_row_get_code (first), ==, code);

  /* a street shows exactly its projects */
  street = ((ProcuraLedgerRow *) g_ptr_array_index (rows, 3))->street;
  procura_window_set_search_text (window, street);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, count_matching (rows, street));
  g_assert_cmpuint (procura_window_get_n_shown (window), <, N_PROJECTS);
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, N_PROJECTS);

  /* nothing matches */
  procura_window_set_search_text (window, "不存在的项目zzz");
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, 0);

  /* the empty ledger's button clears the search and the filters alike */
  g_object_set (window, "filter-overdue", TRUE, NULL);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-all-projects", NULL));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (procura_window_get_search_text (window), ==, "");
  {
    gboolean overdue_only = TRUE;

    g_object_get (window, "filter-overdue", &overdue_only, NULL);
    g_assert_false (overdue_only);
  }
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, N_PROJECTS);

  /* cleared: all again */
  procura_window_set_search_text (window, "x");
  procura_window_set_search_text (window, "");
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, N_PROJECTS);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_reload_sees_new_project (WindowFixture *f,
                              gconstpointer  data)
{
  g_autoptr(ProcuraRecord) project = procura_record_new (PROCURA_ENTITY_PROJECT, NULL);
  g_autoptr(GError) error = NULL;
  ProcuraWindow *window = open_window (f);

  procura_record_set_string (project, "code", "ZZ-2026-999");
  procura_record_set_string (project, "title", "窗口测试项目");
  procura_record_set_string (project, "category", "elderly");
  procura_record_set_string (project, "method", "inquiry");
  g_assert_true (procura_store_insert (f->store, project, &error));
  g_assert_no_error (error);

  g_assert_cmpuint (procura_window_get_n_projects (window), ==, N_PROJECTS);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.reload", NULL));
  wait_for_ledger (window);
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, N_PROJECTS + 1);

  procura_window_set_search_text (window, "ZZ-2026-999");
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, 1);

  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_empty_store (WindowFixture *f,
                  gconstpointer  data)
{
  ProcuraWindow *window = open_window (f);

  g_assert_null (procura_window_get_error_message (window));
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, 0);
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, 0);

  /* nothing keeps a closed window alive */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  gtk_window_destroy (GTK_WINDOW (window));
  for (guint i = 0; i < 200 && window != NULL; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (window);
}


/* ---- the filter bar ------------------------------------------------------ */

static GPtrArray *
query (WindowFixture             *f,
       const ProcuraLedgerFilter *filter)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = procura_store_query_ledger (f->store, filter, NULL, &error);

  g_assert_no_error (error);

  return rows;
}

/* The window shows exactly the projects the core's query finds with the
 * window's filter. */
static void
assert_ledger_matches_query (WindowFixture *f,
                             ProcuraWindow *window)
{
  ProcuraLedgerFilter filter;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  GListModel *model = procura_window_get_ledger_model (window);

  procura_window_get_ledger_filter (window, &filter);
  rows = query (f, &filter);

  g_assert_cmpuint (procura_window_get_n_shown (window), ==, rows->len);
  g_assert_cmpuint (g_list_model_get_n_items (model), ==, rows->len);

  for (guint i = 0; i < rows->len; i++)
    g_hash_table_add (ids, ((ProcuraLedgerRow *) g_ptr_array_index (rows, i))->id);
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ProcuraProjectRow) item = g_list_model_get_item (model, i);

      g_assert_true (g_hash_table_contains (ids, procura_project_row_get_id (item)));
    }
}

static void
test_filters_match_query (WindowFixture *f,
                          gconstpointer  data)
{
  g_autoptr(GPtrArray) all = query (f, NULL);
  ProcuraWindow *window = open_window (f);
  ProcuraLedgerRow *sample = NULL;
  g_autofree char *year = NULL;
  ProcuraLedgerFilter filter;

  /* a project with an agency, a street and a year to filter by */
  for (guint i = 0; i < all->len && sample == NULL; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (all, i);

      if (row->agency_id != NULL && row->street != NULL && row->budget_year != 0 &&
          g_strcmp0 (row->status, "active") == 0)
        sample = row;
    }
  g_assert (sample != NULL);
  year = g_strdup_printf ("%d", sample->budget_year);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "ledger"));

  /* each filter alone */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-status", "s", "active"));
  assert_ledger_matches_query (f, window);
  g_assert_cmpuint (procura_window_get_n_shown (window), <, N_PROJECTS);
  g_assert_cmpuint (procura_window_get_n_shown (window), >, 0);
  procura_window_clear_filters (window);
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, N_PROJECTS);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-year", "s", year));
  assert_ledger_matches_query (f, window);
  procura_window_clear_filters (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-street", "s", sample->street));
  assert_ledger_matches_query (f, window);
  procura_window_clear_filters (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-category", "s", sample->category));
  assert_ledger_matches_query (f, window);
  procura_window_clear_filters (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-agency", "s", sample->agency_id));
  assert_ledger_matches_query (f, window);
  procura_window_clear_filters (window);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-overdue", NULL));
  g_assert_true (procura_window_get_ledger_model (window) != NULL);
  assert_ledger_matches_query (f, window);
  g_assert_cmpuint (procura_window_get_n_shown (window), >, 0);
  procura_window_clear_filters (window);

  /* all together: the sample is among what remains */
  g_object_set (window,
                "filter-status", sample->status,
                "filter-year", year,
                "filter-street", sample->street,
                "filter-category", sample->category,
                "filter-agency", sample->agency_id,
                NULL);
  assert_ledger_matches_query (f, window);
  g_assert_cmpuint (procura_window_get_n_shown (window), >=, 1);
  procura_window_get_ledger_filter (window, &filter);
  g_assert_cmpstr (filter.agency, ==, sample->agency_id);
  g_assert_cmpint (filter.year, ==, sample->budget_year);

  /* and with the search: the filters and the search narrow together */
  procura_window_set_search_text (window, sample->code);
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, 1);
  procura_window_set_search_text (window, "不存在的项目zzz");
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, 0);
  procura_window_set_search_text (window, "");
  assert_ledger_matches_query (f, window);

  /* the count stays right */
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, N_PROJECTS);

  /* a year that is no number filters nothing */
  procura_window_clear_filters (window);
  g_object_set (window, "filter-year", "soon", NULL);
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, N_PROJECTS);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* Filters and the sort order chosen in one window come back in the next. */
static void
test_filters_persist (WindowFixture *f,
                      gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) all = query (f, NULL);
  ProcuraLedgerRow *sample = g_ptr_array_index (all, 0);
  ProcuraWindow *window = open_window (f);
  g_autofree char *status = NULL;
  g_autofree char *sort_column = NULL;
  guint n_shown;
  gboolean descending;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-category", "s", sample->category));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-overdue", NULL));
  g_object_set (window, "sort-column", "paid", "sort-descending", TRUE, NULL);
  n_shown = procura_window_get_n_shown (window);
  g_assert_cmpuint (n_shown, <, N_PROJECTS);

  /* kept at once */
  {
    g_autofree char *category = g_settings_get_string (settings, "ledger-filter-category");
    g_autofree char *column = g_settings_get_string (settings, "ledger-sort-column");

    g_assert_cmpstr (category, ==, sample->category);
    g_assert_true (g_settings_get_boolean (settings, "ledger-filter-overdue"));
    g_assert_cmpstr (column, ==, "paid");
    g_assert_true (g_settings_get_boolean (settings, "ledger-sort-descending"));
  }

  gtk_window_destroy (GTK_WINDOW (window));

  /* a new window starts where the last one stopped */
  window = open_window (f);
  g_object_get (window,
                "filter-category", &status,
                "sort-column", &sort_column,
                "sort-descending", &descending,
                NULL);
  g_assert_cmpstr (status, ==, sample->category);
  g_assert_cmpstr (sort_column, ==, "paid");
  g_assert_true (descending);
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, n_shown);
  assert_ledger_matches_query (f, window);

  /* sorted by paid, largest first */
  {
    GListModel *model = procura_window_get_ledger_model (window);
    gint64 last = G_MAXINT64;

    for (guint i = 0; i < g_list_model_get_n_items (model); i++)
      {
        g_autoptr(ProcuraProjectRow) item = g_list_model_get_item (model, i);

        g_assert_cmpint (procura_project_row_get_paid (item), <=, last);
        last = procura_project_row_get_paid (item);
      }
  }

  /* cleared: cleared in the settings too */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.clear-filters", NULL));
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, N_PROJECTS);
  {
    g_autofree char *category = g_settings_get_string (settings, "ledger-filter-category");

    g_assert_cmpstr (category, ==, "");
    g_assert_false (g_settings_get_boolean (settings, "ledger-filter-overdue"));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

static GtkWidget *
find_widget_of_type (GtkWidget *root,
                     GType      type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;

  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = find_widget_of_type (child, type);

      if (found != NULL)
        return found;
    }

  return NULL;
}

/* The title in the content's header bar (the sidebar has one of its own):
 * searched under the leaflet child that holds the places. */
static AdwWindowTitle *
content_header_title (ProcuraWindow *window)
{
  GtkWidget *content = procura_window_get_place_widget (window, "ledger");

  while (!ADW_IS_LEAFLET (gtk_widget_get_parent (content)))
    content = gtk_widget_get_parent (content);

  return ADW_WINDOW_TITLE (find_widget_of_type (content, ADW_TYPE_WINDOW_TITLE));
}

/* A click on a column title sorts the ledger and is kept. */
static void
test_sort_by_header (WindowFixture *f,
                     gconstpointer  data)
{
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  ProcuraWindow *window = open_window (f);
  GtkColumnView *column_view;
  GListModel *columns;
  GListModel *model = procura_window_get_ledger_model (window);
  g_autoptr(GtkColumnViewColumn) value_column = NULL;
  g_autoptr(GtkColumnViewColumn) title_column = NULL;
  g_autofree char *column = NULL;
  gint64 last;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "ledger"));
  wait_for_draw (GTK_WIDGET (window));

  column_view = GTK_COLUMN_VIEW (find_widget_of_type (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW));
  g_assert_nonnull (column_view);
  columns = gtk_column_view_get_columns (column_view);
  title_column = g_list_model_get_item (columns, 1);
  value_column = g_list_model_get_item (columns, 4);
  g_assert_cmpstr (gtk_column_view_column_get_title (value_column), ==, "Contract Value");

  /* what a click on the title does: sort by it, ascending */
  gtk_column_view_sort_by_column (column_view, value_column, GTK_SORT_ASCENDING);
  wait_for_draw (GTK_WIDGET (window));
  g_object_get (window, "sort-column", &column, NULL);
  g_assert_cmpstr (column, ==, "value");
  g_clear_pointer (&column, g_free);
  column = g_settings_get_string (settings, "ledger-sort-column");
  g_assert_cmpstr (column, ==, "value");
  g_assert_false (g_settings_get_boolean (settings, "ledger-sort-descending"));

  last = G_MININT64;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ProcuraProjectRow) item = g_list_model_get_item (model, i);

      g_assert_cmpint (procura_project_row_get_amended_value (item), >=, last);
      last = procura_project_row_get_amended_value (item);
    }

  /* a second click: descending */
  gtk_column_view_sort_by_column (column_view, value_column, GTK_SORT_DESCENDING);
  g_assert_true (g_settings_get_boolean (settings, "ledger-sort-descending"));
  last = G_MAXINT64;
  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ProcuraProjectRow) item = g_list_model_get_item (model, i);

      g_assert_cmpint (procura_project_row_get_amended_value (item), <=, last);
      last = procura_project_row_get_amended_value (item);
    }

  /* another column */
  gtk_column_view_sort_by_column (column_view, title_column, GTK_SORT_ASCENDING);
  g_clear_pointer (&column, g_free);
  column = g_settings_get_string (settings, "ledger-sort-column");
  g_assert_cmpstr (column, ==, "title");
  g_assert_false (g_settings_get_boolean (settings, "ledger-sort-descending"));

  /* sorting keeps the filter */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-status", "s", "active"));
  gtk_column_view_sort_by_column (column_view, value_column, GTK_SORT_DESCENDING);
  assert_ledger_matches_query (f, window);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- the project page ------------------------------------------------------- */

static void
test_open_project (WindowFixture *f,
                   gconstpointer  data)
{
  ProcuraWindow *window = open_window (f);
  GListModel *model = procura_window_get_ledger_model (window);
  g_autoptr(ProcuraProjectRow) row = g_list_model_get_item (model, 5);
  g_autoptr(ProcuraProjectRow) other = g_list_model_get_item (model, 9);
  GtkWidget *page;
  GtkColumnView *column_view;

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "ledger"));

  /* the action shows the project page of that project */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-project", "s",
                                             procura_project_row_get_id (row)));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (procura_window_get_place (window), ==, "project");
  g_assert_cmpstr (procura_window_get_project_id (window), ==, procura_project_row_get_id (row));
  page = procura_window_get_place_widget (window, "project");
  g_assert_true (PROCURA_IS_PROJECT_PAGE (page));
  g_assert_cmpstr (procura_project_page_get_project_id (PROCURA_PROJECT_PAGE (page)), ==,
                   procura_project_row_get_id (row));
  g_assert_cmpstr (procura_project_page_get_code (PROCURA_PROJECT_PAGE (page)), ==,
                   procura_project_row_get_code (row));
  g_assert_true (gtk_widget_get_mapped (page));
  g_assert_cmpstr (procura_project_page_get_section (PROCURA_PROJECT_PAGE (page)), ==, "contract");

  /* from the dashboard: the project at what waits there, another
   * project's too */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-project-section", "(ss)",
                                             procura_project_row_get_id (other), "payments"));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (procura_project_page_get_project_id (PROCURA_PROJECT_PAGE (page)), ==,
                   procura_project_row_get_id (other));
  g_assert_cmpstr (procura_project_page_get_section (PROCURA_PROJECT_PAGE (page)), ==, "payments");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-project-section", "(ss)",
                                             procura_project_row_get_id (row), "reports"));
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (procura_project_page_get_project_id (PROCURA_PROJECT_PAGE (page)), ==,
                   procura_project_row_get_id (row));
  g_assert_cmpstr (procura_project_page_get_section (PROCURA_PROJECT_PAGE (page)), ==, "reports");

  /* the page shows the title; the header bar does not repeat it, the
   * window title (task switcher) names the project */
  {
    AdwWindowTitle *header_title = content_header_title (window);
    const char *project_title = procura_project_page_get_title (PROCURA_PROJECT_PAGE (page));

    g_assert_nonnull (project_title);
    g_assert_cmpstr (adw_window_title_get_title (header_title), ==, "");
    g_assert_true (g_str_has_prefix (gtk_window_get_title (GTK_WINDOW (window)), project_title));
  }

  /* back to the ledger */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (procura_window_get_place (window), ==, "ledger");
  g_assert_cmpstr (adw_window_title_get_title (content_header_title (window)), ==, "Project Ledger");

  /* a ledger row activated (Enter, double click) opens its project */
  column_view = GTK_COLUMN_VIEW (find_widget_of_type (GTK_WIDGET (window), GTK_TYPE_COLUMN_VIEW));
  g_signal_emit_by_name (column_view, "activate", 9);
  wait_for_draw (GTK_WIDGET (window));
  g_assert_cmpstr (procura_window_get_place (window), ==, "project");
  g_assert_cmpstr (procura_project_page_get_project_id (PROCURA_PROJECT_PAGE (page)), ==,
                   procura_project_row_get_id (other));

  /* the dashboard's and the organizations page's rows use the same action;
   * back goes where the project was opened from */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "dashboard"));
  g_assert_true (gtk_widget_activate_action (page, "win.open-project", "s", procura_project_row_get_id (row)));
  g_assert_cmpstr (procura_window_get_place (window), ==, "project");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (procura_window_get_place (window), ==, "dashboard");

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- reminders ----------------------------------------------------------------- */

typedef struct
{
  GPtrArray *ids;
} Sent;

static void
record_sent (ProcuraReminders *reminders,
             const char       *id,
             GNotification    *notification,
             gpointer          user_data)
{
  Sent *sent = user_data;

  g_ptr_array_add (sent->ids, g_strdup (id));
  g_assert_true (G_IS_NOTIFICATION (notification));
}

typedef struct
{
  int     n;
  GError *error;
} CheckResult;

static void
check_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  CheckResult *check = user_data;

  check->n = procura_reminders_check_finish (PROCURA_REMINDERS (object), result, &check->error);
}

/* Many at once: a few single notifications, the rest in one. */
static void
test_reminders_summary (void)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-reminders-XXXXXX");
  g_autoptr(ProcuraReminders) reminders = NULL;
  g_autoptr(GError) error = NULL;
  Sent sent = { g_ptr_array_new_with_free_func (g_free) };
  Fixture fx = { 0 };
  g_autofree char *project = NULL;

  fixture_open (&fx, dir);
  project = add_active_project (&fx, FIXTURE_VALUE);
  for (guint i = 0; i < PROCURA_REMINDERS_MAX_SINGLE + 4; i++)
    {
      g_autofree char *title = g_strdup_printf ("第%u次活动报告", i + 1);
      g_autofree char *due = g_strdup_printf ("2021-08-%02u", i + 1);
      g_free (add_milestone (&fx, project, title, due));
    }

  reminders = procura_reminders_new (NULL, fx.store);
  procura_reminders_set_send_func (reminders, record_sent, &sent, NULL);
  g_assert_cmpint (procura_reminders_check (reminders, &error), ==, PROCURA_REMINDERS_MAX_SINGLE + 4);
  g_assert_no_error (error);
  g_assert_cmpuint (sent.ids->len, ==, PROCURA_REMINDERS_MAX_SINGLE + 1);
  g_assert_cmpstr (g_ptr_array_index (sent.ids, PROCURA_REMINDERS_MAX_SINGLE), ==, "reminders-summary");
  g_assert_cmpint (procura_reminders_check (reminders, &error), ==, 0);
  g_assert_cmpuint (sent.ids->len, ==, PROCURA_REMINDERS_MAX_SINGLE + 1);

  g_ptr_array_unref (sent.ids);
  g_clear_object (&reminders);
  fixture_close (&fx);
  procura_test_remove_tree (dir);
}

static void
test_reminders_once_a_day (void)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-reminders-XXXXXX");
  g_autoptr(ProcuraReminders) reminders = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) due = NULL;
  Sent sent = { g_ptr_array_new_with_free_func (g_free) };
  Fixture fx = { 0 };
  g_autofree char *project = NULL;
  g_autofree char *closed = NULL;
  g_autofree char *overdue = NULL;
  g_autofree char *soon = NULL;
  g_autofree char *later = NULL;
  g_autofree char *accepted = NULL;
  g_autofree char *old = NULL;
  g_autofree char *expected = NULL;

  fixture_open (&fx, dir);   /* today: FIXTURE_TODAY, 2021-09-15 */

  project = add_active_project (&fx, FIXTURE_VALUE);
  overdue = add_milestone (&fx, project, "第一季度报告", "2021-09-01");
  soon = add_milestone (&fx, project, "第三季度报告", "2021-09-20");
  later = add_milestone (&fx, project, "年度报告", "2021-12-20");
  accepted = add_milestone (&fx, project, "启动会", "2021-03-01");
  accept_milestone (&fx, accepted);

  /* a closed project has nothing due */
  closed = add_active_project (&fx, FIXTURE_VALUE);
  old = add_milestone (&fx, closed, "中期报告", "2021-06-30");
  set_state (&fx, PROCURA_ENTITY_PROJECT, closed, "terminated");

  due = procura_reminders_query (fx.store, FIXTURE_TODAY, 7, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (due->len, ==, 2);
  g_assert_cmpstr (((ProcuraReminder *) g_ptr_array_index (due, 0))->milestone_id, ==, overdue);
  g_assert_cmpint (((ProcuraReminder *) g_ptr_array_index (due, 0))->days_left, ==, -14);
  g_assert_cmpstr (((ProcuraReminder *) g_ptr_array_index (due, 1))->milestone_id, ==, soon);
  g_assert_cmpint (((ProcuraReminder *) g_ptr_array_index (due, 1))->days_left, ==, 5);

  reminders = procura_reminders_new (NULL, fx.store);
  procura_reminders_set_send_func (reminders, record_sent, &sent, NULL);
  g_assert_cmpuint (procura_reminders_get_lead_days (reminders), ==, 7);

  /* first run of the day: the overdue and the soon due milestone */
  g_assert_cmpint (procura_reminders_check (reminders, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (sent.ids->len, ==, 2);
  expected = g_strconcat ("milestone-", overdue, NULL);
  g_assert_cmpstr (g_ptr_array_index (sent.ids, 0), ==, expected);
  g_clear_pointer (&expected, g_free);
  expected = g_strconcat ("milestone-", soon, NULL);
  g_assert_cmpstr (g_ptr_array_index (sent.ids, 1), ==, expected);

  /* the same day again: nothing, also from a new object (the state is in
   * the data folder) */
  g_assert_cmpint (procura_reminders_check (reminders, &error), ==, 0);
  g_assert_no_error (error);
  g_clear_object (&reminders);
  reminders = procura_reminders_new (NULL, fx.store);
  procura_reminders_set_send_func (reminders, record_sent, &sent, NULL);
  g_assert_cmpint (procura_reminders_check (reminders, &error), ==, 0);
  g_assert_cmpuint (sent.ids->len, ==, 2);

  /* a longer lead time the same day: only the newly due one */
  procura_reminders_set_lead_days (reminders, 120);
  g_assert_cmpint (procura_reminders_check (reminders, &error), ==, 1);
  g_assert_cmpuint (sent.ids->len, ==, 3);
  g_clear_pointer (&expected, g_free);
  expected = g_strconcat ("milestone-", later, NULL);
  g_assert_cmpstr (g_ptr_array_index (sent.ids, 2), ==, expected);

  /* the next day: reminded again, once */
  procura_store_set_today (fx.store, "2021-09-16");
  g_assert_cmpint (procura_reminders_check (reminders, &error), ==, 3);
  g_assert_cmpint (procura_reminders_check (reminders, &error), ==, 0);
  g_assert_cmpuint (sent.ids->len, ==, 6);

  /* the same through the worker thread */
  procura_store_set_today (fx.store, "2021-09-17");
  {
    CheckResult result = { -2, NULL };

    procura_reminders_check_async (reminders, NULL, check_done_cb, &result);
    while (result.n == -2)
      g_main_context_iteration (NULL, TRUE);
    g_assert_no_error (result.error);
    g_assert_cmpint (result.n, ==, 3);

    result.n = -2;
    procura_reminders_check_async (reminders, NULL, check_done_cb, &result);
    while (result.n == -2)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpint (result.n, ==, 0);
  }
  g_assert_cmpuint (sent.ids->len, ==, 9);

  g_ptr_array_unref (sent.ids);
  g_clear_object (&reminders);
  fixture_close (&fx);
  procura_test_remove_tree (dir);
}

/* ---- preferences, shortcuts, the application ----------------------------------- */

static void
test_preferences (void)
{
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-prefs-XXXXXX");
  g_autofree char *other = g_build_filename (dir, "elsewhere", NULL);
  g_autofree char *next = NULL;
  g_autofree char *value = NULL;
  GtkWidget *prefs;
  GtkSpinButton *spin;

  reset_settings ();
  settings = g_settings_new (APP_ID);

  prefs = procura_preferences_window_new (NULL, dir);
  gtk_window_present (GTK_WINDOW (prefs));
  wait_for_draw (prefs);

  /* the folder in use; no other chosen */
  g_assert_cmpstr (procura_preferences_window_get_data_dir (PROCURA_PREFERENCES_WINDOW (prefs)), ==, dir);
  next = procura_preferences_window_dup_next_data_dir (PROCURA_PREFERENCES_WINDOW (prefs));
  g_assert_null (next);

  /* choosing another keeps it for the next start */
  procura_preferences_window_set_next_data_dir (PROCURA_PREFERENCES_WINDOW (prefs), other);
  value = g_settings_get_string (settings, "data-dir");
  g_assert_cmpstr (value, ==, other);
  next = procura_preferences_window_dup_next_data_dir (PROCURA_PREFERENCES_WINDOW (prefs));
  g_assert_cmpstr (next, ==, other);
  g_clear_pointer (&next, g_free);
  g_clear_pointer (&value, g_free);

  /* and back to the default */
  g_assert_true (gtk_widget_activate_action (prefs, "prefs.reset-data-dir", NULL));
  value = g_settings_get_string (settings, "data-dir");
  g_assert_cmpstr (value, ==, "");

  /* the lead time follows the setting both ways */
  spin = GTK_SPIN_BUTTON (find_widget_of_type (prefs, GTK_TYPE_SPIN_BUTTON));
  g_assert_nonnull (spin);
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 7);
  g_settings_set_uint (settings, "reminder-lead-days", 10);
  g_assert_cmpfloat (gtk_spin_button_get_value (spin), ==, 10);
  gtk_spin_button_set_value (spin, 14);
  g_assert_cmpuint (g_settings_get_uint (settings, "reminder-lead-days"), ==, 14);

  gtk_window_destroy (GTK_WINDOW (prefs));
  reset_settings ();
  procura_test_remove_tree (dir);
}

/* The shortcuts window names every frequent action. */
static void
test_help_overlay (void)
{
  static const char * const accels[] = {
    "<Control>question", "<Control>comma", "F5", "<Control>q", "<Control>f", "<Control>n",
    "<Control><Shift>n", "<Alt>1", "<Alt>2", "<Alt>3", "<Alt>Left",
  };
  g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_BASE "/gtk/help-overlay.ui");
  GObject *overlay = gtk_builder_get_object (builder, "help_overlay");
  g_autoptr(GString) seen = g_string_new (NULL);
  g_autoptr(GSList) objects = NULL;
  guint n_shortcuts = 0;

  g_assert_true (GTK_IS_SHORTCUTS_WINDOW (overlay));

  objects = gtk_builder_get_objects (builder);
  for (const GSList *l = objects; l != NULL; l = l->next)
    {
      g_autofree char *action = NULL;
      g_autofree char *accelerator = NULL;

      if (!GTK_IS_SHORTCUTS_SHORTCUT (l->data))
        continue;

      g_object_get (l->data, "action-name", &action, "accelerator", &accelerator, NULL);
      g_assert_true (action != NULL || accelerator != NULL);
      if (action != NULL)
        g_string_append_printf (seen, "%s\n", action);
      if (accelerator != NULL)
        g_string_append_printf (seen, "%s\n", accelerator);
      n_shortcuts++;
    }

  g_assert_cmpuint (n_shortcuts, >=, 14);
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    g_assert_nonnull (strstr (seen->str, accels[i]));

  gtk_window_destroy (GTK_WINDOW (overlay));
}

static GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_visible (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

/* The application's actions and shortcuts, and its window. */
static void
test_application (void)
{
  g_autofree char *dir = procura_test_make_tmp_dir ("procura-app-XXXXXX");
  g_autoptr(ProcuraApplication) app = procura_application_new ();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) accels = NULL;
  GtkWindow *window;
  GtkWindow *about;
  GtkWindow *prefs;

  reset_settings ();
  procura_application_set_data_dir (app, dir);
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, &error));
  g_assert_no_error (error);

  g_application_activate (G_APPLICATION (app));
  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_assert_true (PROCURA_IS_WINDOW (window));
  wait_for_ledger (PROCURA_WINDOW (window));
  g_assert_null (procura_window_get_error_message (PROCURA_WINDOW (window)));
  g_assert_cmpstr (procura_window_get_place (PROCURA_WINDOW (window)), ==, "dashboard");

  /* the shortcuts */
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.preferences");
  g_assert_cmpstr (accels[0], ==, "<Control>comma");
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.new-project");
  g_assert_cmpstr (accels[0], ==, "<Control>n");
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.place::ledger");
  g_assert_cmpstr (accels[0], ==, "<Alt>2");
  g_clear_pointer (&accels, g_strfreev);
  accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "win.show-help-overlay");
  g_assert_nonnull (accels[0]);

  /* its icons come with it too (About, notifications), installed or not */
  {
    GtkIconTheme *theme = gtk_icon_theme_get_for_display (gtk_widget_get_display (GTK_WIDGET (window)));

    g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID));
    g_assert_true (gtk_icon_theme_has_icon (theme, APP_ID "-symbolic"));
  }

  /* the shortcuts window comes with the application */
  g_assert_nonnull (gtk_application_window_get_help_overlay (GTK_APPLICATION_WINDOW (window)));
  g_assert_true (g_action_group_has_action (G_ACTION_GROUP (window), "show-help-overlay"));

  /* the name set in the preferences is the author of the app's writes */
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    ProcuraStore *store = procura_application_get_store (app, NULL);

    g_assert_nonnull (store);
    g_assert_cmpstr (procura_store_get_actor (store), ==, g_get_user_name ());
    g_settings_set_string (settings, "author-name", "  王丽  ");
    g_assert_cmpstr (procura_store_get_actor (store), ==, "王丽");
    g_settings_set_string (settings, "author-name", "");
    g_assert_cmpstr (procura_store_get_actor (store), ==, g_get_user_name ());
  }

  /* about */
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  about = find_toplevel (ADW_TYPE_ABOUT_WINDOW);
  g_assert_nonnull (about);
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (about)), ==, PACKAGE_VERSION);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (about)), ==, GTK_LICENSE_GPL_3_0);
  g_assert_cmpstr (adw_about_window_get_release_notes_version (ADW_ABOUT_WINDOW (about)), ==, "0.1.0");
  g_assert_nonnull (adw_about_window_get_release_notes (ADW_ABOUT_WINDOW (about)));
  /* no website */
  g_assert_cmpstr (adw_about_window_get_website (ADW_ABOUT_WINDOW (about)), ==, "");
  gtk_window_destroy (about);

  /* preferences: the folder in use */
  g_action_group_activate_action (G_ACTION_GROUP (app), "preferences", NULL);
  prefs = find_toplevel (PROCURA_TYPE_PREFERENCES_WINDOW);
  g_assert_nonnull (prefs);
  g_assert_cmpstr (procura_preferences_window_get_data_dir (PROCURA_PREFERENCES_WINDOW (prefs)), ==, dir);
  gtk_window_destroy (prefs);

  /* what a notification's default action does */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-place", g_variant_new_string ("organizations"));
  g_assert_cmpstr (procura_window_get_place (PROCURA_WINDOW (window)), ==, "organizations");

  /* quit closes the windows */
  g_object_add_weak_pointer (G_OBJECT (window), (gpointer *) &window);
  g_action_group_activate_action (G_ACTION_GROUP (app), "quit", NULL);
  for (guint i = 0; i < 100 && window != NULL; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (window);

  reset_settings ();
  procura_test_remove_tree (dir);
}

/* ---- the officer's workflow, end to end ------------------------------------------ */

static void
saved_cb (ProcuraRecordEditor *editor,
          const char          *id,
          char               **out_id)
{
  g_free (*out_id);
  *out_id = g_strdup (id);
}

/* Lets the editor's debounced dry run happen, as for a person typing. */
static void
wait_for_check (void)
{
  gint64 until = g_get_monotonic_time () + 400 * G_TIME_SPAN_MILLISECOND;

  while (g_get_monotonic_time () < until)
    g_main_context_iteration (NULL, FALSE);
}

/* The record editor an action just opened. */
static ProcuraRecordEditor *
wait_for_editor (void)
{
  for (guint i = 0; i < 200; i++)
    {
      GtkWindow *editor = find_toplevel (PROCURA_TYPE_RECORD_EDITOR);

      if (editor != NULL)
        {
          wait_for_draw (GTK_WIDGET (editor));
          return PROCURA_RECORD_EDITOR (editor);
        }
      g_main_context_iteration (NULL, FALSE);
    }

  g_error ("No record editor was opened");
}

/* Types fields (name, text, …, NULL) into editor, saves as Ctrl+S does
 * and returns the id saved; the editor closes. */
static char *
fill_and_save (ProcuraRecordEditor *editor,
               const char * const  *fields)
{
  char *saved_id = NULL;

  g_signal_connect (editor, "saved", G_CALLBACK (saved_cb), &saved_id);

  for (guint i = 0; fields[i] != NULL; i += 2)
    g_assert_true (procura_record_editor_set_text (editor, fields[i], fields[i + 1]));
  wait_for_check ();

  if (!procura_record_editor_get_can_save (editor))
    {
      const ProcuraEntityInfo *entity = procura_record_editor_get_entity (editor);

      for (guint i = 0; i < entity->n_fields; i++)
        if (procura_record_editor_get_error (editor, entity->fields[i].name) != NULL)
          g_printerr ("%s: %s\n", entity->fields[i].name,
                      procura_record_editor_get_error (editor, entity->fields[i].name));
      g_printerr ("message: %s\n", procura_record_editor_get_message (editor));
      g_assert_true (procura_record_editor_get_can_save (editor));
    }

  g_object_add_weak_pointer (G_OBJECT (editor), (gpointer *) &editor);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  for (guint i = 0; i < 200 && editor != NULL; i++)
    g_main_context_iteration (NULL, FALSE);
  g_assert_null (editor);
  g_assert_nonnull (saved_id);

  return saved_id;
}

static const char *
state_label (const ProcuraEntityInfo *entity,
             const char              *code)
{
  return procura_field_enum_label (procura_entity_lookup_field (entity, entity->status_field), code);
}

static ProcuraProjectRow *
ledger_row (ProcuraWindow *window,
            const char    *id)
{
  GListModel *model = procura_window_get_ledger_model (window);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    {
      g_autoptr(ProcuraProjectRow) row = g_list_model_get_item (model, i);

      if (g_strcmp0 (procura_project_row_get_id (row), id) == 0)
        return g_steal_pointer (&row);
    }

  return NULL;
}

/* Register an agency, contract a project with three milestones and their
 * tranches, take a report with an attachment through return, resubmission
 * and acceptance, record the payment: all through the window's actions
 * and the editors they open, as an officer does. */
static void
test_officer_workflow (WindowFixture *f,
                       gconstpointer  data)
{
  static const char *milestones[][2] = {
    { "第一季度服务报告", "2026-03-31" },
    { "中期评估报告", "2026-06-30" },
    { "末期评估及结项验收", "2026-12-31" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraProjectRow) row = NULL;
  g_autoptr(ProcuraRecord) payment = NULL;
  g_autofree char *org = NULL;
  g_autofree char *project = NULL;
  g_autofree char *report = NULL;
  g_autofree char *attachment = NULL;
  g_autofree char *upload = g_build_filename (f->dir, "upload", NULL);
  g_autofree char *file = g_build_filename (upload, "活动签到表.txt", NULL);
  g_autofree char *tranche_text = procura_money_format (10000000);
  char *milestone_ids[3] = { NULL };
  char *payment_ids[3] = { NULL };
  ProcuraWindow *window = open_window (f);
  ProcuraRecordEditor *editor;
  ProcuraProjectPage *page;
  GtkWidget *organizations;
  GListModel *history;
  const char *expected_states[] = { "accepted", "submitted", "returned", "submitted", "draft" };
  guint n_states = 0;

  g_assert_cmpuint (procura_window_get_n_projects (window), ==, 0);

  /* the agency: a wrong credit code is refused, next to the field */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-organization", NULL));
  g_assert_cmpstr (procura_window_get_place (window), ==, "organizations");
  editor = wait_for_editor ();
  g_assert_true (procura_record_editor_get_entity (editor) == PROCURA_ENTITY_ORGANIZATION);
  procura_record_editor_set_text (editor, "name", "天元区康乐社会工作服务中心");
  procura_record_editor_set_text (editor, "kind", "social_work_agency");
  procura_record_editor_set_text (editor, "uscc", INVALID_USCC);
  wait_for_check ();
  g_assert_nonnull (procura_record_editor_get_error (editor, "uscc"));
  g_assert_false (procura_record_editor_get_can_save (editor));
  org = fill_and_save (editor, (const char *[]) { "uscc", VALID_USCC, NULL });
  organizations = procura_window_get_place_widget (window, "organizations");
  g_assert_cmpstr (procura_organizations_page_get_selected_id (PROCURA_ORGANIZATIONS_PAGE (organizations)), ==, org);

  /* the project, with its contract: the project page opens */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.new-project", NULL));
  editor = wait_for_editor ();
  g_assert_true (procura_record_editor_get_entity (editor) == PROCURA_ENTITY_PROJECT);
  project = fill_and_save (editor, (const char *[]) {
    "code", "TYCG-2026-0101",
    "title", "黄河社区长者食堂运营服务项目",
    "category", "elderly",
    "method", "inquiry",
    "agency_id", org,
    "budget_year", "2026",
    "value", "30万",
    "start_date", "2026-01-01",
    "end_date", "2026-12-31",
    "date_signed", "2025-12-20",
    "street", "泰山路街道",
    "community", "黄河社区",
    NULL });
  g_assert_cmpstr (procura_window_get_place (window), ==, "project");
  g_assert_cmpstr (procura_window_get_project_id (window), ==, project);
  page = PROCURA_PROJECT_PAGE (procura_window_get_place_widget (window, "project"));
  g_assert_cmpstr (procura_project_page_get_project_id (page), ==, project);
  g_assert_cmpstr (procura_project_page_get_code (page), ==, "TYCG-2026-0101");
  wait_for_ledger (window);
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, 1);

  /* the contract is signed: in progress */
  g_assert_cmpstr (procura_project_page_get_status_text (page), ==, state_label (PROCURA_ENTITY_PROJECT, "draft"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "project.set-status", "s", "active"));
  g_assert_cmpstr (procura_project_page_get_status_text (page), ==, state_label (PROCURA_ENTITY_PROJECT, "active"));

  /* three milestones, each with its tranche */
  for (guint i = 0; i < G_N_ELEMENTS (milestones); i++)
    {
      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "milestone.add", NULL));
      editor = wait_for_editor ();
      milestone_ids[i] = fill_and_save (editor, (const char *[]) {
        "title", milestones[i][0],
        "type", "reporting",
        "due_date", milestones[i][1],
        NULL });
    }
  for (guint i = 0; i < G_N_ELEMENTS (milestones); i++)
    {
      g_autofree char *title = g_strdup_printf ("第%u期款", i + 1);

      g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "payment.add", NULL));
      editor = wait_for_editor ();
      payment_ids[i] = fill_and_save (editor, (const char *[]) {
        "title", title,
        "milestone_id", milestone_ids[i],
        "planned_amount", "10万",
        NULL });
    }
  g_assert_cmpstr (procura_project_page_get_state_text (page, milestone_ids[0]), ==,
                   state_label (PROCURA_ENTITY_MILESTONE, "planned"));

  /* the first milestone's report, with an attachment */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "report.add", "s", milestone_ids[0]));
  editor = wait_for_editor ();
  report = fill_and_save (editor, (const char *[]) {
    "narrative", "开展助餐服务2,160人次，组织健康讲座4场。",
    NULL });
  g_assert_cmpint (g_mkdir_with_parents (upload, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "2026-03-15 助餐签到：张三、李四\n", -1, &error));
  attachment = procura_project_page_add_attachment (page, report, file, &error);
  g_assert_no_error (error);
  g_assert_nonnull (procura_project_page_get_attachment_hash_text (page, attachment));

  /* submitted, returned with a comment, resubmitted, accepted */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "report.submit", "s", report));
  g_assert_cmpstr (procura_project_page_get_state_text (page, report), ==,
                   state_label (PROCURA_ENTITY_REPORT, "submitted"));
  g_assert_true (procura_project_page_return_report (page, report, "请补充助餐签到表原件扫描件", &error));
  g_assert_no_error (error);
  g_assert_cmpstr (procura_project_page_get_state_text (page, report), ==,
                   state_label (PROCURA_ENTITY_REPORT, "returned"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "report.submit", "s", report));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "report.accept", "s", report));
  g_assert_cmpstr (procura_project_page_get_state_text (page, report), ==,
                   state_label (PROCURA_ENTITY_REPORT, "accepted"));
  g_assert_cmpstr (procura_project_page_get_state_text (page, milestone_ids[0]), ==,
                   state_label (PROCURA_ENTITY_MILESTONE, "accepted"));
  g_assert_cmpstr (procura_project_page_get_state_text (page, payment_ids[0]), ==,
                   state_label (PROCURA_ENTITY_PAYMENT, "payable"));

  /* the payment, with its voucher */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (page), "payment.record", "s", payment_ids[0]));
  editor = wait_for_editor ();
  g_free (fill_and_save (editor, (const char *[]) { "voucher_no", "记-2026-0315", NULL }));
  payment = procura_store_get (f->store, PROCURA_ENTITY_PAYMENT, payment_ids[0], &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_record_get_string (payment, "status"), ==, "paid");
  g_assert_cmpint (procura_record_get_int (payment, "paid_amount", 0), ==, 10000000);
  g_assert_cmpstr (procura_record_get_string (payment, "paid_date"), ==, "2026-11-27");

  /* the page's figures */
  g_assert_cmpstr (procura_project_page_get_paid_text (page), ==, tranche_text);
  g_assert_cmpstr (procura_project_page_get_progress_text (page), ==, "33%");
  g_assert_cmpstr (procura_project_page_get_state_text (page, payment_ids[0]), ==,
                   state_label (PROCURA_ENTITY_PAYMENT, "paid"));
  /* the second milestone was due on 30 June */
  g_assert_cmpstr (procura_project_page_get_overdue_text (page), ==, "1");

  /* the ledger follows the page */
  wait_for_ledger (window);
  row = ledger_row (window, project);
  g_assert_nonnull (row);
  g_assert_cmpint (procura_project_row_get_paid (row), ==, 10000000);
  g_assert_cmpint (procura_project_row_get_amended_value (row), ==, 30000000);
  g_assert_cmpuint (procura_project_row_get_progress (row), ==, 333);
  g_assert_cmpuint (procura_project_row_get_n_overdue (row), ==, 1);
  g_assert_cmpstr (procura_project_row_get_next_due (row), ==, "2026-06-30");
  g_assert_cmpstr (procura_project_row_get_agency_name (row), ==, "天元区康乐社会工作服务中心");

  /* the history: the report's review, newest first, by the officer */
  history = procura_project_page_get_history_model (page);
  for (guint i = 0; i < g_list_model_get_n_items (history); i++)
    {
      g_autoptr(ProcuraHistoryItem) item = g_list_model_get_item (history, i);

      g_assert_cmpstr (procura_history_item_get_actor (item), ==, "tester");
      if (g_strcmp0 (procura_history_item_get_field_key (item), "report.state") != 0)
        continue;

      g_assert_cmpuint (n_states, <, G_N_ELEMENTS (expected_states));
      g_assert_cmpstr (procura_history_item_get_new_value (item), ==, expected_states[n_states]);
      n_states++;
    }
  g_assert_cmpuint (n_states, ==, G_N_ELEMENTS (expected_states));

  /* back in the ledger, the project is one row */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.go-back", NULL));
  g_assert_cmpstr (procura_window_get_place (window), ==, "organizations");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "ledger"));
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, 1);

  assert_store_check_passes (f->store);

  for (guint i = 0; i < G_N_ELEMENTS (milestones); i++)
    {
      g_free (milestone_ids[i]);
      g_free (payment_ids[i]);
    }
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Renders widget as it is now into a PNG file. */
static void
save_screenshot (GtkWidget  *widget,
                 const char *path)
{
  g_autoptr(GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GskRenderer *renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  graphene_rect_t bounds;

  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot),
                          gdk_paintable_get_intrinsic_width (paintable),
                          gdk_paintable_get_intrinsic_height (paintable));
  node = gtk_snapshot_free_to_node (g_steal_pointer (&snapshot));
  g_assert_nonnull (node);
  gsk_render_node_get_bounds (node, &bounds);
  texture = gsk_renderer_render_texture (renderer, node, &bounds);
  g_assert_true (gdk_texture_save_to_png (texture, path));
}

static void
test_places (WindowFixture *f,
             gconstpointer  data)
{
  ProcuraWindow *window = open_window (f);
  AdwLeaflet *leaflet;

  /* the dashboard comes first */
  g_assert_cmpstr (procura_window_get_place (window), ==, "dashboard");

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "ledger"));
  g_assert_cmpstr (procura_window_get_place (window), ==, "ledger");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "organizations"));
  g_assert_cmpstr (procura_window_get_place (window), ==, "organizations");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "dashboard"));
  g_assert_cmpstr (procura_window_get_place (window), ==, "dashboard");

  /* the project page needs a project */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "project"));
  g_assert_cmpstr (procura_window_get_place (window), ==, "dashboard");

  /* the search is the ledger's */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.search", NULL));
  g_assert_cmpstr (procura_window_get_place (window), ==, "ledger");

  /* a narrow window folds the sidebar away */
  leaflet = ADW_LEAFLET (adw_application_window_get_content (ADW_APPLICATION_WINDOW (window)));
  g_assert_false (adw_leaflet_get_folded (leaflet));
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 700);
  wait_for_draw (GTK_WIDGET (window));
  for (guint i = 0; i < 20 && !adw_leaflet_get_folded (leaflet); i++)
    wait_for_draw (GTK_WIDGET (window));
  g_assert_true (adw_leaflet_get_folded (leaflet));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "content");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-sidebar", NULL));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "sidebar");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "organizations"));
  g_assert_cmpstr (adw_leaflet_get_visible_child_name (leaflet), ==, "content");

  /* closed on the ledger, the next window opens on it; its dashboard
   * loads once the ledger has */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", "ledger"));
  gtk_window_close (GTK_WINDOW (window));
  {
    g_autoptr(GSettings) settings = g_settings_new (APP_ID);
    g_autofree char *saved = g_settings_get_string (settings, "window-place");
    ProcuraWindow *again;
    ProcuraDashboard *dashboard;

    g_assert_cmpstr (saved, ==, "ledger");
    again = g_object_new (PROCURA_TYPE_WINDOW, "store", f->store, NULL);
    g_assert_cmpstr (procura_window_get_place (again), ==, "ledger");
    dashboard = PROCURA_DASHBOARD (procura_window_get_place_widget (again, "dashboard"));
    g_assert_null (procura_dashboard_get_store (dashboard));
    gtk_window_present (GTK_WINDOW (again));
    wait_for_ledger (again);
    g_assert_true (procura_dashboard_get_store (dashboard) == f->store);
    gtk_window_destroy (GTK_WINDOW (again));
  }
}

/* PROCURA_SCREENSHOT_DIR=docs/screenshots LANG=zh_CN.UTF-8: each place
 * of a demo store as a PNG. */
static void
test_screenshots (WindowFixture *f,
                  gconstpointer  data)
{
  const char *dir = g_getenv ("PROCURA_SCREENSHOT_DIR");
  /* the project is opened from the ledger, as usual */
  static const char * const places[] = { "dashboard", "organizations", "ledger", "project" };
  ProcuraWindow *window;
  g_autoptr(ProcuraProjectRow) row = NULL;

  if (dir == NULL || dir[0] == '\0')
    {
      g_test_skip ("PROCURA_SCREENSHOT_DIR is not set");
      return;
    }

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);

  window = open_window (f);
  gtk_window_set_default_size (GTK_WINDOW (window), 1440, 860);
  wait_for_draw (GTK_WIDGET (window));

  for (guint i = 0; i < G_N_ELEMENTS (places); i++)
    {
      g_autofree char *name = g_strdup_printf ("%s.png", places[i]);
      g_autofree char *path = g_build_filename (dir, name, NULL);

      if (g_str_equal (places[i], "project"))
        {
          GListModel *model = procura_window_get_ledger_model (window);

          row = g_list_model_get_item (model, 3);
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.open-project", "s",
                                                     procura_project_row_get_id (row)));
        }
      else
        {
          g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.place", "s", places[i]));
        }

      /* the ledger as an officer keeps it: the projects in progress */
      if (g_str_equal (places[i], "ledger"))
        g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.filter-status", "s", "active"));

      for (guint j = 0; j < 10; j++)
        wait_for_draw (GTK_WIDGET (window));
      save_screenshot (GTK_WIDGET (window), path);
      g_test_message ("wrote %s", path);
    }

  /* the preferences and the keyboard shortcuts */
  {
    g_autofree char *path = g_build_filename (dir, "preferences.png", NULL);
    GtkWidget *prefs = procura_preferences_window_new (GTK_WINDOW (window), f->dir);

    gtk_window_present (GTK_WINDOW (prefs));
    for (guint j = 0; j < 10; j++)
      wait_for_draw (prefs);
    save_screenshot (prefs, path);
    gtk_window_destroy (GTK_WINDOW (prefs));
  }
  {
    g_autofree char *path = g_build_filename (dir, "shortcuts.png", NULL);
    g_autoptr(GtkBuilder) builder = gtk_builder_new_from_resource (RESOURCE_BASE "/gtk/help-overlay.ui");
    GtkWidget *overlay = GTK_WIDGET (gtk_builder_get_object (builder, "help_overlay"));

    gtk_window_present (GTK_WINDOW (overlay));
    for (guint j = 0; j < 10; j++)
      wait_for_draw (overlay);
    save_screenshot (overlay, path);
    gtk_window_destroy (GTK_WINDOW (overlay));
  }

  gtk_window_destroy (GTK_WINDOW (window));
}

int
main (int    argc,
      char **argv)
{
  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;  /* TAP: the plan line says it was skipped */
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  /* gtk_test_init() chose en_US; screenshots show the locale of the
   * environment, in the translation of the build tree */
  if (g_getenv ("PROCURA_SCREENSHOT_DIR") != NULL)
    setlocale (LC_ALL, "");
  /* what AdwApplication loads for the application */
  {
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();

    gtk_css_provider_load_from_resource (provider, RESOURCE_BASE "/style.css");
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (provider),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add ("/window/ledger/lists-every-project", WindowFixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_ledger_lists_every_project, fixture_teardown);
  g_test_add ("/window/ledger/search-narrows", WindowFixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_search_narrows, fixture_teardown);
  g_test_add ("/window/ledger/reload-sees-new-project", WindowFixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_reload_sees_new_project, fixture_teardown);
  g_test_add ("/window/ledger/empty-store", WindowFixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_empty_store, fixture_teardown);
  g_test_add ("/window/places", WindowFixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_places, fixture_teardown);
  g_test_add ("/window/ledger/filters-match-query", WindowFixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_filters_match_query, fixture_teardown);
  g_test_add ("/window/ledger/filters-persist", WindowFixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_filters_persist, fixture_teardown);
  g_test_add ("/window/ledger/sort-by-header", WindowFixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_sort_by_header, fixture_teardown);
  g_test_add ("/window/open-project", WindowFixture, GINT_TO_POINTER (TRUE),
              fixture_setup, test_open_project, fixture_teardown);
  g_test_add ("/window/officer-workflow", WindowFixture, GINT_TO_POINTER (FALSE),
              fixture_setup, test_officer_workflow, fixture_teardown);
  g_test_add_func ("/reminders/once-a-day", test_reminders_once_a_day);
  g_test_add_func ("/preferences", test_preferences);
  g_test_add_func ("/help-overlay", test_help_overlay);
  g_test_add_func ("/application", test_application);
  g_test_add_func ("/reminders/summary", test_reminders_summary);
  g_test_add ("/window/screenshots", WindowFixture, GUINT_TO_POINTER (g_getenv ("PROCURA_SCREENSHOT_DIR") ? 400 : 0),
              fixture_setup, test_screenshots, fixture_teardown);

  return g_test_run ();
}
