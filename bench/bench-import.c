/* bench-import.c — figures for docs/PERFORMANCE.md: importing a ledger
 *
 * Writes a ledger of N rows (default 20,000) into a temporary directory,
 * as officers' spreadsheets hold it: Chinese titles, streets and
 * communities, 200 social-work agencies with valid credit codes, amounts
 * in yuan with separators, dates typed three ways, drafts and projects in
 * force. Then times, each into a fresh store:
 *   - the GB18030 CSV (the "CSV" of Chinese Windows): a dry run, then the
 *     real import (target of issue 5: ≤ 5 s);
 *   - the same rows as an .xlsx workbook written by libxlsxwriter
 *     (shared strings, numbers and dates as numbers): a dry run, then
 *     the real import.
 * The first run into a fresh store also grows its write-ahead log: that
 * is why a dry run can take as long as the import after it.
 * Each time covers reading the file, decoding, parsing and every row
 * through the store's write path in one transaction.
 *
 *   bench-import [--rows N] [--keep]
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>
#include <xlsxwriter.h>

#include "procura-import-csv.h"
#include "procura-record.h"
#include "procura-schema.h"
#include "procura-store.h"
#include "procura-uscc.h"

#define BUYER "天元区民政局"
#define N_AGENCIES 200
#define N_COLUMNS 14

static const char * const header[N_COLUMNS] = {
  "项目编号", "项目名称", "承接机构", "统一社会信用代码", "购买主体", "街道", "社区", "类别",
  "采购方式", "状态", "合同金额(元)", "开始日期", "结束日期", "签订日期",
};

static const char * const streets[] = { "嵩山路街道", "泰山路街道", "黄河街道", "长江北街道", "井龙街道", "栗雨街道" };
static const char * const communities[] = { "湘山社区", "株木社区", "天台社区", "白马垄社区", "栗雨社区", "新马社区", "隆兴坳社区" };
static const char * const services[] = {
  "长者饭堂运营", "居家养老上门服务", "困境儿童关爱", "青少年“四点半课堂”", "社区矫正社会工作",
  "残疾人康复与就业支持", "社区协商议事能力建设", "低保家庭救助帮扶", "婚姻家庭辅导", "社区志愿服务站运营",
};
static const char * const categories[] = {
  "养老服务", "养老服务", "儿童青少年服务", "儿童青少年服务", "社区治理",
  "助残服务", "社区治理", "社会救助", "家庭服务", "综合服务",
};
static const char * const methods[] = { "公开招标", "竞争性磋商", "竞争性谈判", "单一来源", "询价" };
static const char * const agency_words[] = { "春雨", "秋实", "同心", "阳光", "善德", "仁和", "乐群", "明德", "博爱", "立人" };

static char *
agency_uscc (guint n)
{
  char body[16];
  char first17[32];

  g_snprintf (body, sizeof body, "%08u", 51000000 + n);
  g_snprintf (first17, sizeof first17, "52430211%s%c", body, procura_uscc_org_check_char (body));

  return g_strdup_printf ("%s%c", first17, procura_uscc_check_char (first17));
}

typedef struct
{
  char  *cells[N_COLUMNS];
  gint64 yuan;
  int    start[3], end[3], signed_on[3];
} LedgerRow;

static void
ledger_row_clear (gpointer data)
{
  LedgerRow *row = data;

  for (guint i = 0; i < N_COLUMNS; i++)
    g_free (row->cells[i]);
}

static GArray *
make_rows (guint n)
{
  GArray *rows = g_array_sized_new (FALSE, TRUE, sizeof (LedgerRow), n);
  GRand *rand = g_rand_new_with_seed (20261127);

  g_array_set_clear_func (rows, ledger_row_clear);
  for (guint i = 0; i < n; i++)
    {
      LedgerRow row = { { NULL } };
      guint service = (guint) g_rand_int_range (rand, 0, G_N_ELEMENTS (services));
      guint agency = (guint) g_rand_int_range (rand, 0, N_AGENCIES);
      int year = g_rand_int_range (rand, 2019, 2026);
      int month = g_rand_int_range (rand, 1, 13);
      gboolean active = g_rand_boolean (rand);
      const char *street = streets[g_rand_int_range (rand, 0, G_N_ELEMENTS (streets))];

      row.yuan = g_rand_int_range (rand, 30, 2000) * 1000 + (g_rand_boolean (rand) ? 500 : 0);
      row.start[0] = year, row.start[1] = month, row.start[2] = 1;
      row.end[0] = year + 1, row.end[1] = month, row.end[2] = 1;
      row.signed_on[0] = month > 1 ? year : year - 1, row.signed_on[1] = month > 1 ? month - 1 : 12, row.signed_on[2] = 15;

      row.cells[0] = g_strdup_printf ("TY-%d-%05u", year, i + 1);
      row.cells[1] = g_strdup_printf ("%s%d年%s项目（第%u期）", street, year, services[service], i % 3 + 1);
      row.cells[2] = g_strdup_printf ("株洲市天元区%s%s社会工作服务中心", agency_words[agency % 10],
                                      agency_words[(agency / 10) % 10]);
      row.cells[3] = agency_uscc (agency);
      row.cells[4] = g_strdup (BUYER);
      row.cells[5] = g_strdup (street);
      row.cells[6] = g_strdup (communities[g_rand_int_range (rand, 0, G_N_ELEMENTS (communities))]);
      row.cells[7] = g_strdup (categories[service]);
      row.cells[8] = g_strdup (methods[g_rand_int_range (rand, 0, G_N_ELEMENTS (methods))]);
      row.cells[9] = g_strdup (active ? "执行中" : "草稿");
      /* "1,234,500.00" as Excel shows a money cell, or plain */
      if (i % 2 == 0)
        row.cells[10] = g_strdup_printf ("%" G_GINT64_FORMAT ".00", row.yuan);
      else
        {
          g_autofree char *plain = g_strdup_printf ("%" G_GINT64_FORMAT, row.yuan);
          GString *grouped = g_string_new (NULL);
          gsize len = strlen (plain);

          for (gsize k = 0; k < len; k++)
            {
              if (k > 0 && (len - k) % 3 == 0)
                g_string_append_c (grouped, ',');
              g_string_append_c (grouped, plain[k]);
            }
          g_string_append (grouped, ".00");
          row.cells[10] = g_string_free (grouped, FALSE);
        }
      /* the three ways officers type dates */
      switch (i % 3)
        {
        case 0:
          row.cells[11] = g_strdup_printf ("%d-%02d-%02d", row.start[0], row.start[1], row.start[2]);
          row.cells[12] = g_strdup_printf ("%d-%02d-%02d", row.end[0], row.end[1], row.end[2]);
          break;
        case 1:
          row.cells[11] = g_strdup_printf ("%d/%d/%d", row.start[0], row.start[1], row.start[2]);
          row.cells[12] = g_strdup_printf ("%d/%d/%d", row.end[0], row.end[1], row.end[2]);
          break;
        default:
          row.cells[11] = g_strdup_printf ("%d年%d月%d日", row.start[0], row.start[1], row.start[2]);
          row.cells[12] = g_strdup_printf ("%d年%d月%d日", row.end[0], row.end[1], row.end[2]);
          break;
        }
      row.cells[13] = g_strdup_printf ("%d-%02d-%02d", row.signed_on[0], row.signed_on[1], row.signed_on[2]);
      g_array_append_val (rows, row);
    }
  g_rand_free (rand);

  return rows;
}

static void
append_cell (GString    *csv,
             const char *text)
{
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (csv, text);
      return;
    }
  g_string_append_c (csv, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (csv, '"');
      g_string_append_c (csv, *p);
    }
  g_string_append_c (csv, '"');
}

static gboolean
write_gb18030_csv (GArray      *rows,
                   const char  *path,
                   gsize       *out_bytes,
                   GError     **error)
{
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autofree char *gb = NULL;
  gsize length = 0;

  for (guint c = 0; c < N_COLUMNS; c++)
    {
      if (c > 0)
        g_string_append_c (csv, ',');
      append_cell (csv, header[c]);
    }
  g_string_append (csv, "\r\n");
  for (guint r = 0; r < rows->len; r++)
    {
      LedgerRow *row = &g_array_index (rows, LedgerRow, r);

      for (guint c = 0; c < N_COLUMNS; c++)
        {
          if (c > 0)
            g_string_append_c (csv, ',');
          append_cell (csv, row->cells[c]);
        }
      g_string_append (csv, "\r\n");
    }

  if (!(gb = g_convert (csv->str, (gssize) csv->len, "GB18030", "UTF-8", NULL, &length, error)))
    return FALSE;
  *out_bytes = length;

  return g_file_set_contents (path, gb, (gssize) length, error);
}

static gboolean
write_xlsx (GArray      *rows,
            const char  *path,
            GError     **error)
{
  lxw_workbook *workbook = workbook_new (path);
  lxw_worksheet *sheet = workbook_add_worksheet (workbook, "台账");
  lxw_format *date = workbook_add_format (workbook);
  lxw_format *money = workbook_add_format (workbook);
  lxw_error status;

  format_set_num_format (date, "yyyy-mm-dd");
  format_set_num_format (money, "#,##0.00");
  for (guint c = 0; c < N_COLUMNS; c++)
    worksheet_write_string (sheet, 0, (lxw_col_t) c, header[c], NULL);
  for (guint r = 0; r < rows->len; r++)
    {
      LedgerRow *row = &g_array_index (rows, LedgerRow, r);
      lxw_row_t line = (lxw_row_t) (r + 1);
      lxw_datetime start = { row->start[0], row->start[1], row->start[2], 0, 0, 0 };
      lxw_datetime end = { row->end[0], row->end[1], row->end[2], 0, 0, 0 };
      lxw_datetime signed_on = { row->signed_on[0], row->signed_on[1], row->signed_on[2], 0, 0, 0 };

      for (guint c = 0; c < 10; c++)
        worksheet_write_string (sheet, line, (lxw_col_t) c, row->cells[c], NULL);
      worksheet_write_number (sheet, line, 10, (double) row->yuan, money);
      worksheet_write_datetime (sheet, line, 11, &start, date);
      worksheet_write_datetime (sheet, line, 12, &end, date);
      worksheet_write_datetime (sheet, line, 13, &signed_on, date);
    }

  if ((status = workbook_close (workbook)) != LXW_NO_ERROR)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: %s", path, lxw_strerror (status));
      return FALSE;
    }

  return TRUE;
}

static ProcuraStore *
fresh_store (const char  *dir,
             GError     **error)
{
  g_autoptr(ProcuraStore) store = procura_store_open (dir, error);
  g_autoptr(ProcuraRecord) buyer = NULL;
  g_autofree char *uscc = agency_uscc (999);

  if (store == NULL)
    return NULL;
  procura_store_set_today (store, "2026-11-27");
  procura_store_set_actor (store, "bench");
  buyer = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  procura_record_set_string (buyer, "name", BUYER);
  procura_record_set_string (buyer, "uscc", uscc);
  procura_record_set_string (buyer, "kind", "civil_affairs_bureau");
  if (!procura_store_insert (store, buyer, error))
    return NULL;

  return g_steal_pointer (&store);
}

/* Loads path and runs it into store; the seconds it took, or < 0. */
static double
time_import (const char        *path,
             ProcuraStore      *store,
             ProcuraImportMode  mode,
             guint              expect_rows,
             const char        *what,
             gsize              bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraImport) import = NULL;
  gint64 start = g_get_monotonic_time ();
  double seconds;
  guint n_rows;

  if (!(import = procura_import_csv_load (path, &error)) ||
      !procura_import_run (import, store, mode, &error))
    {
      g_printerr ("%s: %s\n", what, error->message);
      return -1;
    }
  seconds = (g_get_monotonic_time () - start) / 1e6;
  n_rows = procura_import_get_n_rows (import);

  if (n_rows != expect_rows || procura_import_get_n_problems (import) > 0)
    {
      for (guint i = 0; i < n_rows; i++)
        if (procura_import_get_row_problem (import, i) != NULL)
          {
            g_printerr ("%s: line %u: %s\n", what, procura_import_get_row_line (import, i),
                        procura_import_get_row_problem (import, i));
            break;
          }
      g_printerr ("%s: %u rows, %u with problems (expected %u good rows)\n", what, n_rows,
                  procura_import_get_n_problems (import), expect_rows);
      return -1;
    }
  if (mode != PROCURA_IMPORT_DRY_RUN && procura_import_get_n_written (import) != n_rows)
    {
      g_printerr ("%s: %u of %u rows written\n", what, procura_import_get_n_written (import), n_rows);
      return -1;
    }

  g_print ("%-28s %6u rows  %9" G_GSIZE_FORMAT " bytes  %6.2f s  %8.0f rows/s  (%s)\n",
           what, n_rows, bytes, seconds, n_rows / seconds, procura_import_get_encoding (import));

  return seconds;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) d = g_dir_open (path, 0, NULL);
  const char *name;

  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new ("— benchmark importing a ledger");
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) rows = NULL;
  g_autoptr(ProcuraStore) csv_store = NULL;
  g_autoptr(ProcuraStore) xlsx_store = NULL;
  g_autofree char *dir = NULL, *csv_path = NULL, *xlsx_path = NULL;
  g_autofree char *csv_dir = NULL, *xlsx_dir = NULL;
  int n_rows = 20000;
  gboolean keep = FALSE;
  gsize csv_bytes = 0;
  GStatBuf st;
  double dry, real, xlsx_dry, xlsx;
  gint64 start;
  GOptionEntry entries[] = {
    { "rows", 'n', 0, G_OPTION_ARG_INT, &n_rows, "Rows in the ledger (default 20000)", "N" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the files and stores", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || n_rows < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--rows must be at least 1");
      return 1;
    }

  if (!(dir = g_dir_make_tmp ("procura-bench-import-XXXXXX", &error)))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  csv_path = g_build_filename (dir, "ledger-gb18030.csv", NULL);
  xlsx_path = g_build_filename (dir, "ledger.xlsx", NULL);
  csv_dir = g_build_filename (dir, "store-csv", NULL);
  xlsx_dir = g_build_filename (dir, "store-xlsx", NULL);

  start = g_get_monotonic_time ();
  rows = make_rows ((guint) n_rows);
  if (!write_gb18030_csv (rows, csv_path, &csv_bytes, &error) ||
      !write_xlsx (rows, xlsx_path, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  g_print ("wrote the ledger (%d rows, CSV and XLSX) in %.1f s into %s\n", n_rows,
           (g_get_monotonic_time () - start) / 1e6, dir);

  if (!(csv_store = fresh_store (csv_dir, &error)) ||
      !(xlsx_store = fresh_store (xlsx_dir, &error)))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  dry = time_import (csv_path, csv_store, PROCURA_IMPORT_DRY_RUN, (guint) n_rows, "GB18030 CSV, dry run", csv_bytes);
  real = time_import (csv_path, csv_store, PROCURA_IMPORT_ALL_OR_NONE, (guint) n_rows, "GB18030 CSV, import", csv_bytes);
  g_stat (xlsx_path, &st);
  xlsx_dry = time_import (xlsx_path, xlsx_store, PROCURA_IMPORT_DRY_RUN, (guint) n_rows, "XLSX, dry run",
                          (gsize) st.st_size);
  xlsx = time_import (xlsx_path, xlsx_store, PROCURA_IMPORT_ALL_OR_NONE, (guint) n_rows, "XLSX, import",
                      (gsize) st.st_size);

  if (!keep)
    {
      g_clear_object (&csv_store);
      g_clear_object (&xlsx_store);
      remove_tree (dir);
    }

  if (dry < 0 || real < 0 || xlsx_dry < 0 || xlsx < 0)
    return 1;
  if (n_rows == 20000)
    g_print ("target: GB18030 CSV import of 20,000 rows ≤ 5 s: %s\n", real <= 5.0 ? "met" : "NOT met");

  return 0;
}
