/* test-ledger-big.c — the ledger's filters and search on the
 * 20,000-project demo
 *
 * Generates the demo of product.md §8 once (about a minute), opens the real
 * window on it and drives the filter bar and the search through the
 * window's actions and properties. Every combination must show exactly the
 * projects the core's ledger query returns for the same filter. Times are
 * reported, not asserted (bench/ proves speed).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <adwaita.h>
#include <string.h>

#include "procura-demo.h"
#include "procura-query.h"
#include "procura-store.h"
#include "procura-test-utils.h"
#include "procura-window.h"

#define N_PROJECTS 20000

static char *data_dir;
static ProcuraStore *store;
static ProcuraWindow *window;

static void
settle (void)
{
  for (guint i = 0; i < 100000 && procura_window_get_loading (window); i++)
    g_main_context_iteration (NULL, TRUE);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* The projects the core lists for filter and search, as the window's
 * search matches them (any of code, title, agency, street, community
 * contains the text). */
static guint
expected_count (const ProcuraLedgerFilter *filter,
                const char                *search)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  guint n = 0;

  rows = procura_store_query_ledger (store, filter, NULL, &error);
  g_assert_no_error (error);

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);

      if (search == NULL || search[0] == '\0' ||
          strstr (row->code, search) || strstr (row->title, search) ||
          (row->agency_name && strstr (row->agency_name, search)) ||
          (row->street && strstr (row->street, search)) ||
          (row->community && strstr (row->community, search)))
        n++;
    }

  return n;
}

static void
check (const char *what,
       const char *search)
{
  ProcuraLedgerFilter filter = { 0 };
  guint expected;

  procura_window_get_ledger_filter (window, &filter);
  expected = expected_count (&filter, search);
  g_test_message ("%s: %u of %u", what, procura_window_get_n_shown (window),
                  procura_window_get_n_projects (window));
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, expected);
  g_assert_cmpuint (g_list_model_get_n_items (procura_window_get_ledger_model (window)), ==, expected);
}

static void
set_facet (const char *action,
           const char *value)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), action, "s", value));
  settle ();
}

static void
test_all_listed (void)
{
  g_assert_cmpuint (procura_window_get_n_projects (window), ==, N_PROJECTS);
  check ("all", NULL);
}

static void
test_filters (void)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraLedgerRow *sample;

  rows = procura_store_query_ledger (store, NULL, NULL, &error);
  g_assert_no_error (error);
  sample = g_ptr_array_index (rows, rows->len / 2);
  g_assert_nonnull (sample->street);

  set_facet ("win.filter-status", "active");
  check ("status active", NULL);
  g_assert_cmpuint (procura_window_get_n_shown (window), <, N_PROJECTS);

  set_facet ("win.filter-street", sample->street);
  check ("status + street", NULL);

  set_facet ("win.filter-status", "");
  set_facet ("win.filter-year", "2024");
  check ("street + year", NULL);

  set_facet ("win.filter-street", "");
  set_facet ("win.filter-category", sample->category);
  check ("year + category", NULL);

  set_facet ("win.filter-year", "");
  set_facet ("win.filter-category", "");
  set_facet ("win.filter-agency", sample->agency_id);
  check ("agency", NULL);
  g_assert_cmpuint (procura_window_get_n_shown (window), >=, 1);

  set_facet ("win.filter-agency", "");
  g_object_set (window, "filter-overdue", TRUE, NULL);
  settle ();
  check ("overdue", NULL);
  g_object_set (window, "filter-overdue", FALSE, NULL);
  settle ();

  check ("cleared", NULL);
  g_assert_cmpuint (procura_window_get_n_shown (window), ==, N_PROJECTS);
}

static void
test_search (void)
{
  static const char * const typed[] = { "社", "社区", "社区治", "社区治理", "TYCG-2024", "TYCG-2024-01", "不存在的项目名", "" };
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      gint64 start = g_get_monotonic_time ();

      procura_window_set_search_text (window, typed[i]);
      settle ();
      g_test_message ("search “%s” in %.1f ms", typed[i], (g_get_monotonic_time () - start) / 1000.0);
      check (typed[i], typed[i]);
    }

  /* search and filter together */
  set_facet ("win.filter-status", "completed");
  procura_window_set_search_text (window, "社区");
  settle ();
  check ("completed + 社区", "社区");
  procura_window_set_search_text (window, "");
  set_facet ("win.filter-status", "");

  rows = procura_store_query_ledger (store, NULL, NULL, &error);
  g_assert_no_error (error);
  procura_window_set_search_text (window, ((ProcuraLedgerRow *) g_ptr_array_index (rows, 12345))->code);
  settle ();
  g_assert_cmpuint (procura_window_get_n_shown (window), >=, 1);
  procura_window_set_search_text (window, "");
  settle ();
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  gint64 start;
  int status;

  if (g_getenv ("DISPLAY") == NULL && g_getenv ("WAYLAND_DISPLAY") == NULL)
    {
      g_print ("1..0 # SKIP no display (run under xvfb-run)\n");
      return 0;
    }

  gtk_test_init (&argc, &argv, NULL);
  adw_init ();

  data_dir = g_dir_make_tmp ("procura-ledger-big-XXXXXX", &error);
  g_assert_no_error (error);
  store = procura_store_open (data_dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (store, "2026-11-27");

  start = g_get_monotonic_time ();
  g_assert_true (procura_demo_generate (store, N_PROJECTS, 1, NULL, NULL, &error));
  g_assert_no_error (error);
  g_test_message ("demo of %d projects generated in %.1f s", N_PROJECTS,
                  (g_get_monotonic_time () - start) / 1e6);

  window = g_object_new (PROCURA_TYPE_WINDOW, "store", store, NULL);
  gtk_window_set_default_size (GTK_WINDOW (window), 1440, 860);
  g_object_set (window, "place", "ledger", NULL);
  procura_window_clear_filters (window);
  gtk_window_present (GTK_WINDOW (window));
  settle ();
  gtk_test_widget_wait_for_draw (GTK_WIDGET (window));

  g_test_add_func ("/ledger-big/all-listed", test_all_listed);
  g_test_add_func ("/ledger-big/filters", test_filters);
  g_test_add_func ("/ledger-big/search", test_search);

  status = g_test_run ();

  gtk_window_destroy (GTK_WINDOW (window));
  g_clear_object (&store);
  procura_test_remove_tree (data_dir);
  g_free (data_dir);

  return status;
}
