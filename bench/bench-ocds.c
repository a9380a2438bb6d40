/* bench-ocds.c — OCDS export figures for docs/PERFORMANCE.md
 *
 * Generates the demo (default 20,000 projects) unless --data-dir points at
 * a store that has projects, then times the release package of every
 * project written to a file (the "export the 20,000-project demo
 * as OCDS ≤ 10 s") and the record package, with every project's history
 * as releases, of the first --record-projects projects.
 *
 *   bench-ocds [--projects N] [--seed S] [--data-dir DIR] [--record-projects N]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "procura-demo.h"
#include "procura-ocds.h"
#include "procura-ocds-record.h"
#include "procura-query.h"
#include "procura-store.h"

static double
seconds_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1e6;
}

static void
progress_cb (guint    done,
             guint    total,
             gpointer user_data)
{
  if (done % 2000 == 0 || done == total)
    g_printerr ("  generated %u / %u\n", done, total);
}

/* Counts the objects that open a line at depth levels (two spaces each)
 * of the written file: releases (2) or records (2) and their releases (4).
 * The figure comes from what was written, not from the exporter, without
 * parsing hundreds of megabytes. */
static guint
count_objects (const char *path,
               guint       depth)
{
  g_autoptr(GMappedFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *needle = g_strdup_printf ("\n%*s{\n", (int) depth * 2, "");
  const char *text, *end, *p;
  gsize len = strlen (needle);
  guint n = 0;

  file = g_mapped_file_new (path, FALSE, &error);
  if (file == NULL)
    {
      g_printerr ("%s\n", error->message);
      exit (2);
    }
  text = g_mapped_file_get_contents (file);
  end = text + g_mapped_file_get_length (file);
  for (p = text; p != NULL && p + len <= end; p += len)
    {
      p = g_strstr_len (p, end - p, needle);
      if (p == NULL)
        break;
      n++;
    }
  return n;
}

static guint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (guint64) st.st_size : 0;
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— benchmark the OCDS export");
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) record_ids = NULL;
  g_autofree char *data_dir = NULL, *out_dir = NULL;
  g_autofree char *release_path = NULL, *record_path = NULL;
  int n_projects = 20000;
  int n_record = 2000;
  gint64 seed = 1;
  gint64 start;
  double seconds;
  guint n;
  GOptionEntry entries[] = {
    { "projects", 'n', 0, G_OPTION_ARG_INT, &n_projects, "Projects to generate (default 20000)", "N" },
    { "seed", 's', 0, G_OPTION_ARG_INT64, &seed, "Demo seed (default 1)", "S" },
    { "data-dir", 'd', 0, G_OPTION_ARG_FILENAME, &data_dir, "Use this store; generate only if it has no projects", "DIR" },
    { "record-projects", 'r', 0, G_OPTION_ARG_INT, &n_record, "Projects in the timed record package (default 2000)", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }

  if (data_dir == NULL)
    data_dir = g_dir_make_tmp ("procura-bench-ocds-XXXXXX", &error);
  out_dir = g_dir_make_tmp ("procura-bench-ocds-out-XXXXXX", &error);
  if (data_dir == NULL || out_dir == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  release_path = g_build_filename (out_dir, "release-package.json", NULL);
  record_path = g_build_filename (out_dir, "record-package.json", NULL);

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
        g_print ("generate %d projects: %.1f s\n", n_projects, seconds_since (start));
      }
  }
  /* a fresh connection, as procura-cli export has (OS cache warm) */
  g_clear_object (&store);
  store = procura_store_open (data_dir, &error);
  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  /* 1. the release package of everything, to a file */
  start = g_get_monotonic_time ();
  if (!procura_ocds_export_to_file (store, NULL, NULL, release_path, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  seconds = seconds_since (start);
  n = count_objects (release_path, 2);
  g_print ("release package: %u projects, %u releases, %" G_GUINT64_FORMAT " bytes, %.2f s, %.0f projects/s (target <= 10 s for 20,000)\n",
           n, n, file_size (release_path), seconds, n / seconds);

  /* 2. the record package of the first n_record projects */
  rows = procura_store_query_ledger (store, NULL, NULL, &error);
  if (rows == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  record_ids = g_ptr_array_new ();
  for (guint i = 0; i < rows->len && i < (guint) n_record; i++)
    g_ptr_array_add (record_ids, ((ProcuraLedgerRow *) g_ptr_array_index (rows, i))->id);
  start = g_get_monotonic_time ();
  if (!procura_ocds_record_export_to_file (store, record_ids, NULL, record_path, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  seconds = seconds_since (start);
  n = count_objects (record_path, 2);
  g_print ("record package: %u projects, %u releases, %" G_GUINT64_FORMAT " bytes, %.2f s, %.0f projects/s\n",
           n, count_objects (record_path, 4), file_size (record_path), seconds, n / seconds);

  g_unlink (release_path);
  g_unlink (record_path);
  g_rmdir (out_dir);
  g_print ("data dir: %s\n", data_dir);
  return 0;
}
