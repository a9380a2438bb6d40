/* bench-store.c — figures for docs/PERFORMANCE.md
 *
 * Generates the demo (default 20,000 projects) unless --data-dir points at
 * an existing store, then times: opening the store, listing all projects
 * with their derived figures, listing with filters, and loading single
 * projects with everything under them.
 *
 *   bench-store [--projects N] [--seed S] [--data-dir DIR] [--loads N]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>

#include "procura-demo.h"
#include "procura-query.h"
#include "procura-store.h"

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  if (done % 2000 == 0 || done == total)
    g_printerr ("  generated %u / %u\n", done, total);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— benchmark the local store");
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree double *loads = NULL;
  int n_projects = 20000;
  gint64 seed = 1;
  int n_loads = 500;
  gboolean generated = FALSE;
  gint64 start;
  double open_ms, list_ms, total;
  GOptionEntry entries[] = {
    { "projects", 'n', 0, G_OPTION_ARG_INT, &n_projects, "Projects to generate (default 20000)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Demo seed (default 1)", "S" },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir, "Use this store; generate only if it has no projects", "DIR" },
    { "loads", 0, 0, G_OPTION_ARG_INT, &n_loads, "Single-project loads to time (default 500)", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (data_dir == NULL)
    data_dir = g_dir_make_tmp ("procura-bench-XXXXXX", &error);
  if (data_dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  /* 1. generation */
  store = procura_store_open (data_dir, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  procura_store_set_today (store, "2026-11-27");
  {
    g_autoptr(GHashTable) stats = procura_store_query_stats (store, &error);
    gint64 *have = stats != NULL ? g_hash_table_lookup (stats, "projects") : NULL;

    if (have == NULL || *have == 0)
      {
        start = g_get_monotonic_time ();
        if (!procura_demo_generate (store, n_projects, seed, progress_cb, NULL, &error))
          {
            g_printerr ("%s\n", error->message);
            return 2;
          }
        g_print ("generate %d projects: %.1f s\n", n_projects, ms_since (start) / 1000.0);
        generated = TRUE;
      }
  }
  {
    g_autoptr(GHashTable) stats = procura_store_query_stats (store, &error);
    GHashTableIter iter;
    gpointer key, value;
    gint64 records = 0;

    g_hash_table_iter_init (&iter, stats);
    while (g_hash_table_iter_next (&iter, &key, &value))
      if (g_strcmp0 (key, "history") != 0 && g_strcmp0 (key, "outbox") != 0 && g_strcmp0 (key, "changes") != 0)
        records += *(gint64 *) value;
    g_print ("records: %" G_GINT64_FORMAT "  history rows: %" G_GINT64_FORMAT "  projects: %" G_GINT64_FORMAT "\n",
             records, *(gint64 *) g_hash_table_lookup (stats, "history"),
             *(gint64 *) g_hash_table_lookup (stats, "projects"));
  }
  g_clear_object (&store);
  (void) generated;

  /* 2. open + list all, cold process state (fresh connection, OS cache warm) */
  start = g_get_monotonic_time ();
  store = procura_store_open (data_dir, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  open_ms = ms_since (start);
  start = g_get_monotonic_time ();
  rows = procura_store_query_ledger (store, NULL, "2026-11-27", &error);
  if (rows == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  list_ms = ms_since (start);
  g_print ("open store: %.1f ms\n", open_ms);
  g_print ("list all %u projects with figures: %.1f ms\n", rows->len, list_ms);
  g_print ("open + list: %.1f ms (target <= 150 ms)\n", open_ms + list_ms);

  /* 3. filtered lists (warm) */
  {
    ProcuraLedgerRow *first = g_ptr_array_index (rows, 0);
    struct { const char *name; ProcuraLedgerFilter filter; } cases[] = {
      { "status=active", { .status = "active" } },
      { "street", { .street = first->street } },
      { "agency", { .agency = first->agency_id } },
      { "year=2024", { .year = 2024 } },
      { "overdue", { .overdue_only = TRUE } },
      { "search \"社区\"", { .search = "社区" } },
    };

    for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(GPtrArray) filtered = NULL;

        start = g_get_monotonic_time ();
        filtered = procura_store_query_ledger (store, &cases[i].filter, "2026-11-27", &error);
        if (filtered == NULL)
          {
            g_printerr ("%s\n", error->message);
            return 2;
          }
        g_print ("list %-16s %5u rows: %.1f ms\n", cases[i].name, filtered->len, ms_since (start));
      }
  }

  /* 4. single-project loads spread over the ledger */
  loads = g_new0 (double, n_loads);
  total = 0;
  for (int i = 0; i < n_loads; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, (guint) ((gint64) i * 7919 % rows->len));
      g_autoptr(ProcuraProjectBundle) bundle = NULL;

      start = g_get_monotonic_time ();
      bundle = procura_store_load_project (store, row->id, &error);
      loads[i] = ms_since (start);
      total += loads[i];
      if (bundle == NULL)
        {
          g_printerr ("%s\n", error->message);
          return 2;
        }
    }
  qsort (loads, n_loads, sizeof (double), compare_double);
  g_print ("load one project (%d loads): median %.2f ms, p95 %.2f ms, max %.2f ms, mean %.2f ms (target <= 10 ms)\n",
           n_loads, loads[n_loads / 2], loads[n_loads * 95 / 100], loads[n_loads - 1], total / n_loads);

  g_print ("data dir: %s\n", data_dir);
  return 0;
}
