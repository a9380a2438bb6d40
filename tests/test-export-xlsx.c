/* test-export-xlsx.c — the XLSX export, in the library and through
 * `procura-cli export --format xlsx`
 *
 * On a demo store, the workbook is opened as the zip it is (unzip -p) and
 * its XML read back: one sheet per table in order, named in the current
 * language; a header row plus one row per project or record; money cells
 * as numbers equal to the store's 分 with the format #,##0.00; dates as
 * Excel serial days with yyyy-mm-dd; text as shared strings, never
 * formulas; a frozen header; Chinese headers under zh_CN; and the CLI
 * refusing a workbook without -o and leaving files alone on error.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <libintl.h>
#include <locale.h>
#include <math.h>
#include <string.h>
#include <sys/wait.h>

#include "procura-demo.h"
#include "procura-export-csv.h"
#include "procura-export-xlsx.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-schema.h"
#include "procura-store.h"
#include "procura-test-utils.h"

#define N_PROJECTS 12
#define TODAY      "2026-11-27"

static char *root;
static char *data_dir;
static ProcuraStore *store;

static const ProcuraExportTable all_tables[] = {
  PROCURA_EXPORT_TABLE_LEDGER, PROCURA_EXPORT_TABLE_MILESTONES,
  PROCURA_EXPORT_TABLE_PAYMENTS, PROCURA_EXPORT_TABLE_EVALUATIONS,
};

/* ---- reading the workbook back --------------------------------------- */

static gboolean
have_unzip (void)
{
  g_autofree char *unzip = g_find_program_in_path ("unzip");

  return unzip != NULL;
}

static char *
unzip_part (const char *path,
            const char *part)
{
  const char *argv[] = { "unzip", "-p", path, part, NULL };
  g_autoptr(GError) error = NULL;
  char *out = NULL;
  int wait_status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDERR_TO_DEV_NULL,
                NULL, NULL, &out, NULL, &wait_status, &error);
  g_assert_no_error (error);
  g_assert_true (WIFEXITED (wait_status));
  if (WEXITSTATUS (wait_status) != 0)
    g_error ("%s has no part %s", path, part);

  return out;
}

/* All first groups of pattern in text, in order. */
static GPtrArray *
matches (const char *text,
         const char *pattern)
{
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) info = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);

  g_assert_nonnull (re);
  g_regex_match (re, text, 0, &info);
  while (g_match_info_matches (info))
    {
      g_ptr_array_add (found, g_match_info_fetch (info, 1));
      g_match_info_next (info, NULL);
    }

  return found;
}

typedef struct
{
  char     *path;
  GPtrArray *sheet_names;
  GPtrArray *sheets;          /* XML of sheet1.xml … */
  GPtrArray *strings;         /* shared strings, as XML text */
  GPtrArray *xf_num_fmts;     /* cellXfs: numFmtId of each style */
  GPtrArray *xf_fonts;        /* cellXfs: fontId of each style */
  GHashTable *num_fmt_codes;  /* numFmtId → formatCode */
  char     *styles;
} Workbook;

static void
workbook_free (Workbook *wb)
{
  g_free (wb->path);
  g_ptr_array_unref (wb->sheet_names);
  g_ptr_array_unref (wb->sheets);
  g_ptr_array_unref (wb->strings);
  g_ptr_array_unref (wb->xf_num_fmts);
  g_ptr_array_unref (wb->xf_fonts);
  g_hash_table_unref (wb->num_fmt_codes);
  g_free (wb->styles);
  g_free (wb);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Workbook, workbook_free)

static Workbook *
workbook_read (const char *path)
{
  Workbook *wb = g_new0 (Workbook, 1);
  g_autofree char *workbook = unzip_part (path, "xl/workbook.xml");
  g_autofree char *strings = unzip_part (path, "xl/sharedStrings.xml");
  g_autoptr(GPtrArray) ids = NULL, codes = NULL;
  const char *xfs, *xfs_end;
  g_autofree char *cell_xfs = NULL;

  wb->path = g_strdup (path);
  wb->sheet_names = matches (workbook, "<sheet name=\"([^\"]*)\"");
  wb->sheets = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < wb->sheet_names->len; i++)
    {
      g_autofree char *part = g_strdup_printf ("xl/worksheets/sheet%u.xml", i + 1);

      g_ptr_array_add (wb->sheets, unzip_part (path, part));
    }
  wb->strings = matches (strings, "<si><t(?: [^>]*)?>([^<]*)</t></si>");

  wb->styles = unzip_part (path, "xl/styles.xml");
  ids = matches (wb->styles, "<numFmt numFmtId=\"([0-9]+)\"");
  codes = matches (wb->styles, "<numFmt numFmtId=\"[0-9]+\" formatCode=\"([^\"]*)\"");
  g_assert_cmpuint (ids->len, ==, codes->len);
  wb->num_fmt_codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < ids->len; i++)
    g_hash_table_insert (wb->num_fmt_codes, g_strdup (ids->pdata[i]), g_strdup (codes->pdata[i]));

  xfs = strstr (wb->styles, "<cellXfs");
  g_assert_nonnull (xfs);
  xfs_end = strstr (xfs, "</cellXfs>");
  g_assert_nonnull (xfs_end);
  cell_xfs = g_strndup (xfs, xfs_end - xfs);
  wb->xf_num_fmts = matches (cell_xfs, "<xf numFmtId=\"([0-9]+)\"");
  wb->xf_fonts = matches (cell_xfs, "<xf numFmtId=\"[0-9]+\" fontId=\"([0-9]+)\"");
  g_assert_cmpuint (wb->xf_num_fmts->len, ==, wb->xf_fonts->len);

  return wb;
}

typedef struct
{
  guint  style;
  char  *type;   /* NULL: a number */
  char  *value;
} Cell;

static void
cell_clear (Cell *cell)
{
  g_clear_pointer (&cell->type, g_free);
  g_clear_pointer (&cell->value, g_free);
}

/* The cell ref (e.g. "M2") of sheet; FALSE when the cell is empty. */
static gboolean
get_cell (Workbook   *wb,
          guint       sheet,
          const char *ref,
          Cell       *cell)
{
  g_autofree char *pattern = g_strdup_printf ("<c r=\"%s\"(?: s=\"([0-9]+)\")?(?: t=\"(\\w+)\")?>(<f>)?<v>([^<]*)</v></c>", ref);
  g_autoptr(GRegex) re = g_regex_new (pattern, 0, 0, NULL);
  g_autoptr(GMatchInfo) info = NULL;
  g_autofree char *style = NULL, *formula = NULL;

  if (!g_regex_match (re, g_ptr_array_index (wb->sheets, sheet), 0, &info))
    return FALSE;

  style = g_match_info_fetch (info, 1);
  cell->style = style[0] != '\0' ? (guint) g_ascii_strtoull (style, NULL, 10) : 0;
  cell->type = g_match_info_fetch (info, 2);
  if (cell->type[0] == '\0')
    g_clear_pointer (&cell->type, g_free);
  formula = g_match_info_fetch (info, 3);
  g_assert_cmpstr (formula, ==, "");
  cell->value = g_match_info_fetch (info, 4);

  return TRUE;
}

static const char *
cell_format (Workbook   *wb,
             const Cell *cell)
{
  g_assert_cmpuint (cell->style, <, wb->xf_num_fmts->len);

  return g_hash_table_lookup (wb->num_fmt_codes, g_ptr_array_index (wb->xf_num_fmts, cell->style));
}

static const char *
cell_string (Workbook   *wb,
             const Cell *cell)
{
  guint64 index = g_ascii_strtoull (cell->value, NULL, 10);

  g_assert_cmpstr (cell->type, ==, "s");
  g_assert_cmpuint (index, <, wb->strings->len);

  return g_ptr_array_index (wb->strings, index);
}

static guint
count_rows (Workbook *wb,
            guint     sheet)
{
  g_autoptr(GPtrArray) rows = matches (g_ptr_array_index (wb->sheets, sheet), "<row r=\"([0-9]+)\"");

  return rows->len;
}

/* ---- the store's own figures ----------------------------------------- */

static GPtrArray *
ledger (void)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = procura_store_query_ledger (store, NULL, NULL, &error);

  g_assert_no_error (error);
  return rows;
}

static guint
count_records (ProcuraExportTable table)
{
  g_autoptr(GPtrArray) rows = ledger ();
  guint n = 0;

  if (table == PROCURA_EXPORT_TABLE_LEDGER)
    return rows->len;

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      g_autoptr(GError) error = NULL;
      g_autoptr(ProcuraProjectBundle) bundle = procura_store_load_project (store, row->id, &error);

      g_assert_no_error (error);
      n += table == PROCURA_EXPORT_TABLE_MILESTONES ? bundle->milestones->len
         : table == PROCURA_EXPORT_TABLE_PAYMENTS ? bundle->payments->len
         : bundle->evaluations->len;
    }

  return n;
}

/* Excel's serial day of an ISO date (1900 date system). */
static gint64
serial_day (const char *iso)
{
  g_autoptr(GDate) epoch = g_date_new_dmy (30, G_DATE_DECEMBER, 1899);
  g_autoptr(GDate) date = g_date_new ();

  g_date_set_parse (date, iso);
  g_assert_true (g_date_valid (date));

  return g_date_days_between (epoch, date);
}

static Workbook *
export_workbook (const char               *name,
                 const ProcuraExportTable *tables,
                 guint                     n_tables)
{
  g_autofree char *path = g_build_filename (root, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (procura_export_xlsx_to_file (store, tables, n_tables, NULL, path, &error));
  g_assert_no_error (error);

  return workbook_read (path);
}

/* ---- tests ----------------------------------------------------------- */

static void
test_workbook (void)
{
  g_autoptr(Workbook) wb = NULL;
  g_autoptr(GPtrArray) rows = ledger ();
  guint n_dates = 0, n_amounts = 0;
  Cell cell = { 0 };

  if (!have_unzip ())
    {
      g_test_skip ("no unzip to read the workbook back");
      return;
    }

  wb = export_workbook ("all.xlsx", all_tables, G_N_ELEMENTS (all_tables));

  /* one sheet per table, in order, named in the current language */
  g_assert_cmpuint (wb->sheet_names->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpstr (g_ptr_array_index (wb->sheet_names, i), ==,
                       procura_export_table_get_sheet_name (all_tables[i]));
      /* the header row plus one per project or record */
      g_assert_cmpuint (count_rows (wb, i), ==, 1 + count_records (all_tables[i]));
      /* the header stays in view */
      g_assert_nonnull (strstr (g_ptr_array_index (wb->sheets, i), "state=\"frozen\""));
      /* text is never a formula */
      g_assert_null (strstr (g_ptr_array_index (wb->sheets, i), "<f>"));
    }
  g_assert_cmpstr (g_ptr_array_index (wb->sheet_names, 0), ==, "Ledger");
  g_assert_cmpuint (rows->len, ==, N_PROJECTS);

  /* a bold header: A1 is a string in a style whose font is bold */
  g_assert_true (get_cell (wb, 0, "A1", &cell));
  g_assert_cmpstr (cell_string (wb, &cell), ==, "Project number");
  g_assert_cmpstr (g_ptr_array_index (wb->xf_fonts, cell.style), !=, "0");
  g_assert_nonnull (strstr (wb->styles, "<b/>"));
  cell_clear (&cell);

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      g_autofree char *a = g_strdup_printf ("A%u", i + 2);
      g_autofree char *m = g_strdup_printf ("M%u", i + 2);
      g_autofree char *n = g_strdup_printf ("N%u", i + 2);
      double yuan;

      /* text as a shared string */
      g_assert_true (get_cell (wb, 0, a, &cell));
      g_assert_cmpstr (cell_string (wb, &cell), ==, row->code);
      cell_clear (&cell);

      /* Paid (yuan): a number equal to the store's 分, as #,##0.00 */
      g_assert_true (get_cell (wb, 0, m, &cell));
      g_assert_null (cell.type);
      g_assert_cmpstr (cell_format (wb, &cell), ==, "#,##0.00");
      yuan = g_ascii_strtod (cell.value, NULL);
      g_assert_cmpint ((gint64) llround (yuan * 100), ==, row->paid);
      g_assert_cmpfloat (yuan, ==, (double) row->paid / 100.0);
      n_amounts += row->paid != 0;
      cell_clear (&cell);

      /* Start date: Excel's serial day, as yyyy-mm-dd */
      if (row->start_date != NULL)
        {
          g_assert_true (get_cell (wb, 0, n, &cell));
          g_assert_null (cell.type);
          g_assert_cmpstr (cell_format (wb, &cell), ==, "yyyy-mm-dd");
          g_assert_cmpint (g_ascii_strtoll (cell.value, NULL, 10), ==, serial_day (row->start_date));
          g_assert_null (strchr (cell.value, '.'));
          n_dates++;
          cell_clear (&cell);
        }
      else
        g_assert_false (get_cell (wb, 0, n, &cell));
    }
  /* the demo has paid and dated projects: the loop above checked some */
  g_assert_cmpuint (n_amounts, >, 0);
  g_assert_cmpuint (n_dates, >, 0);
}

static void
test_one_table (void)
{
  const ProcuraExportTable payments = PROCURA_EXPORT_TABLE_PAYMENTS;
  g_autoptr(Workbook) wb = NULL;
  Cell cell = { 0 };

  if (!have_unzip ())
    {
      g_test_skip ("no unzip to read the workbook back");
      return;
    }

  wb = export_workbook ("payments.xlsx", &payments, 1);
  g_assert_cmpuint (wb->sheet_names->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (wb->sheet_names, 0), ==, "Payments");
  g_assert_cmpuint (count_rows (wb, 0), ==, 1 + count_records (payments));
  /* D: Planned amount (yuan) */
  g_assert_true (get_cell (wb, 0, "D1", &cell));
  g_assert_cmpstr (cell_string (wb, &cell), ==, "Planned amount (yuan)");
  cell_clear (&cell);
  g_assert_true (get_cell (wb, 0, "D2", &cell));
  g_assert_cmpstr (cell_format (wb, &cell), ==, "#,##0.00");
  cell_clear (&cell);
}

static void
test_formula_text (void)
{
  g_autoptr(GPtrArray) rows = ledger ();
  ProcuraLedgerRow *first = g_ptr_array_index (rows, 0);
  const char *title = "=HYPERLINK(\"http://127.0.0.1/\",\"x\")";
  g_autoptr(ProcuraRecord) changes = procura_record_new (PROCURA_ENTITY_PROJECT, first->id);
  g_autoptr(ProcuraRecord) undo = procura_record_new (PROCURA_ENTITY_PROJECT, first->id);
  g_autoptr(GError) error = NULL;
  g_autoptr(Workbook) wb = NULL;
  Cell cell = { 0 };

  if (!have_unzip ())
    {
      g_test_skip ("no unzip to read the workbook back");
      return;
    }

  procura_record_set_string (changes, "title", title);
  g_assert_true (procura_store_update (store, changes, &error));
  g_assert_no_error (error);

  wb = export_workbook ("formula.xlsx", all_tables, 1);
  g_assert_true (get_cell (wb, 0, "B2", &cell));
  /* a string, as typed, without the CSV's apostrophe (libxlsxwriter
   * escapes only & < > in text, none of which is in title) */
  g_assert_cmpstr (cell_string (wb, &cell), ==, title);
  g_assert_null (strstr (g_ptr_array_index (wb->sheets, 0), "<f>"));
  cell_clear (&cell);

  procura_record_set_string (undo, "title", first->title);
  g_assert_true (procura_store_update (store, undo, &error));
  g_assert_no_error (error);
}

static void
test_chinese (void)
{
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));
  g_autoptr(Workbook) wb = NULL;

  if (!have_unzip ())
    {
      g_test_skip ("no unzip to read the workbook back");
      return;
    }
  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    {
      g_test_skip ("no zh_CN.UTF-8 locale on this system");
      return;
    }
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");

  if (strcmp (g_dpgettext2 (GETTEXT_PACKAGE, "CSV header", "Project number"), "Project number") == 0)
    {
      setlocale (LC_ALL, saved);
      g_test_skip ("the zh_CN catalogue in " BUILD_LOCALEDIR " has no CSV headers yet");
      return;
    }

  wb = export_workbook ("中文.xlsx", all_tables, G_N_ELEMENTS (all_tables));

  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (g_ptr_array_index (wb->sheet_names, i), ==,
                     procura_export_table_get_sheet_name (all_tables[i]));
  /* once the catalogue has the sheet names, they are these */
  if (strcmp (procura_export_table_get_sheet_name (PROCURA_EXPORT_TABLE_LEDGER), "Ledger") != 0)
    {
      g_assert_cmpstr (g_ptr_array_index (wb->sheet_names, 0), ==, "项目台账");
      g_assert_cmpstr (g_ptr_array_index (wb->sheet_names, 1), ==, "里程碑");
      g_assert_cmpstr (g_ptr_array_index (wb->sheet_names, 2), ==, "资金拨付");
      g_assert_cmpstr (g_ptr_array_index (wb->sheet_names, 3), ==, "评估");
    }

  setlocale (LC_ALL, saved);

  g_assert_true (g_ptr_array_find_with_equal_func (wb->strings, "项目编号", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (wb->strings, "合同金额(元)", g_str_equal, NULL));
  g_assert_true (g_ptr_array_find_with_equal_func (wb->strings, "计划金额(元)", g_str_equal, NULL));
  g_assert_false (g_ptr_array_find_with_equal_func (wb->strings, "Project number", g_str_equal, NULL));
}

/* ---- procura-cli export --format xlsx --------------------------------- */

static int
run_cli (char       **out,
         char       **err,
         const char  *first,
         ...) G_GNUC_NULL_TERMINATED;

static int
run_cli (char       **out,
         char       **err,
         const char  *first,
         ...)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  va_list ap;

  va_start (ap, first);
  for (const char *a = first; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (args, (gpointer) a);
  va_end (ap);
  g_ptr_array_add (args, NULL);

  return procura_test_run_cli (data_dir, TODAY, out, err, (const char * const *) args->pdata);
}

static guint
count_files (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  g_assert_nonnull (d);
  while (g_dir_read_name (d) != NULL)
    n++;

  return n;
}

static void
test_cli (void)
{
  g_autofree char *dir = g_build_filename (root, "cli", NULL);
  g_autofree char *file = g_build_filename (dir, "资金拨付.xlsx", NULL);
  g_autofree char *old = g_build_filename (dir, "old.xlsx", NULL);
  g_autofree char *out = NULL, *err = NULL, *contents = NULL;
  g_autoptr(Workbook) wb = NULL;

  if (g_getenv ("PROCURA_CLI") == NULL)
    {
      g_test_skip ("$PROCURA_CLI is not set");
      return;
    }
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);

  /* a workbook is binary: not to standard output */
  g_assert_cmpint (run_cli (&out, &err, "export", "--format", "xlsx", NULL), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "--output"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* one table */
  g_assert_cmpint (run_cli (&out, &err, "export", "--format", "xlsx", "--table", "payments", "-o", file, NULL), ==, 0);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_true (g_str_has_prefix (contents, "PK\x03\x04"));
  g_clear_pointer (&contents, g_free);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  if (have_unzip ())
    {
      wb = workbook_read (file);
      g_assert_cmpuint (wb->sheet_names->len, ==, 1);
      g_assert_cmpstr (g_ptr_array_index (wb->sheet_names, 0), ==, "Payments");
      g_assert_cmpuint (count_rows (wb, 0), ==, 1 + count_records (PROCURA_EXPORT_TABLE_PAYMENTS));
      g_clear_pointer (&wb, workbook_free);
    }

  /* every table by default */
  g_assert_cmpint (run_cli (NULL, &err, "export", "--format", "xlsx", "-o", file, NULL), ==, 0);
  g_clear_pointer (&err, g_free);
  if (have_unzip ())
    {
      wb = workbook_read (file);
      g_assert_cmpuint (wb->sheet_names->len, ==, 4);
      g_clear_pointer (&wb, workbook_free);
    }

  /* errors leave an existing file as it was, create nothing, and leave
   * no temporary file behind */
  g_assert_true (g_file_set_contents (old, "old", -1, NULL));
  g_assert_cmpuint (count_files (dir), ==, 2);
  g_assert_cmpint (run_cli (NULL, &err, "export", "--format", "xlsx", "NO-SUCH-PROJECT", "-o", old, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "NO-SUCH-PROJECT"));
  g_clear_pointer (&err, g_free);
  g_assert_true (g_file_get_contents (old, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "old");
  g_clear_pointer (&contents, g_free);
  g_assert_cmpint (run_cli (NULL, &err, "export", "--format", "xlsx", "--table", "contracts", "-o", old, NULL), ==, 1);
  g_assert_nonnull (strstr (err, "--table"));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (run_cli (NULL, &err, "export", "--format", "xlsx", "NO-SUCH-PROJECT", "-o", file, NULL), ==, 1);
  g_clear_pointer (&err, g_free);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (dir), ==, 1);
  /* a folder that does not exist: the file system's error, exit 2 as
   * for CSV, naming the file */
  {
    g_autofree char *nowhere = g_build_filename (root, "no-such-dir", "x.xlsx", NULL);

    g_assert_cmpint (run_cli (NULL, &err, "export", "--format", "xlsx", "-o", nowhere, NULL), ==, 2);
    g_assert_nonnull (strstr (err, "Output file"));
    g_assert_nonnull (strstr (err, nowhere));
    g_clear_pointer (&err, g_free);
  }
}

/* ---- main ------------------------------------------------------------ */

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  root = g_dir_make_tmp ("procura-test-export-xlsx-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (root, "data", NULL);
  store = procura_store_open (data_dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (store, TODAY);
  procura_store_set_actor (store, "test");
  g_assert_true (procura_demo_generate (store, N_PROJECTS, 11, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/export-xlsx/workbook", test_workbook);
  g_test_add_func ("/export-xlsx/one-table", test_one_table);
  g_test_add_func ("/export-xlsx/formula-text", test_formula_text);
  g_test_add_func ("/export-xlsx/chinese", test_chinese);
  g_test_add_func ("/export-xlsx/cli", test_cli);

  status = g_test_run ();

  g_clear_object (&store);
  procura_test_remove_tree (root);
  g_free (data_dir);
  g_free (root);

  return status;
}
