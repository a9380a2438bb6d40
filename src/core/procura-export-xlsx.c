/* procura-export-xlsx.c — the export tables as an Excel workbook
 *
 * The rows come from procura-export-csv.c through a ProcuraExportSink;
 * this file only decides how each kind of cell looks in a workbook:
 * - text (typed text, labels, headers) as strings: libxlsxwriter writes
 *   a string as a shared string, never as a formula, so “=1+1” in a title
 *   stays text and needs no apostrophe as in the CSV;
 * - money as a number with the format #,##0.00. libxlsxwriter takes
 *   doubles, so the integer 分 become fen / 100.0 only at the cell write:
 *   the nearest double to the yuan amount, which Excel (15 significant
 *   digits) shows exactly for every amount up to 10^13 分;
 * - dates as Excel dates (serial days) with the format yyyy-mm-dd;
 * - progress and scores as numbers with one or two decimals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <xlsxwriter.h>

#include "procura-error.h"
#include "procura-export-sink.h"
#include "procura-export-xlsx.h"

#define SHEET_CONTEXT "Worksheet name"

/* Excel's column widths are in characters of the default font; a Chinese
 * character takes about two. */
#define MIN_WIDTH  8.0
#define MAX_WIDTH 50.0
#define DATE_WIDTH 12.0

static const char * const sheet_names[] = {
  [PROCURA_EXPORT_TABLE_LEDGER] = NC_("Worksheet name", "Ledger"),
  [PROCURA_EXPORT_TABLE_MILESTONES] = NC_("Worksheet name", "Milestones"),
  [PROCURA_EXPORT_TABLE_PAYMENTS] = NC_("Worksheet name", "Payments"),
  [PROCURA_EXPORT_TABLE_EVALUATIONS] = NC_("Worksheet name", "Evaluations"),
};

const char *
procura_export_table_get_sheet_name (ProcuraExportTable table)
{
  g_return_val_if_fail (table <= PROCURA_EXPORT_TABLE_EVALUATIONS, NULL);

  return g_dpgettext2 (GETTEXT_PACKAGE, SHEET_CONTEXT, sheet_names[table]);
}

typedef struct
{
  ProcuraExportSink  parent;
  lxw_worksheet     *sheet;
  lxw_format        *bold;
  lxw_format        *money;
  lxw_format        *date;
  lxw_format        *one_decimal;
  lxw_format        *two_decimals;
  lxw_row_t          row;
  lxw_col_t          col;
  GArray            *widths;  /* double per column */
  lxw_error          failed;  /* the first cell that could not be written */
} Xlsx;

static void
note_width (Xlsx   *xlsx,
            double  width)
{
  if (xlsx->widths->len <= xlsx->col)
    {
      double zero = 0;

      while (xlsx->widths->len <= xlsx->col)
        g_array_append_val (xlsx->widths, zero);
    }
  if (width > g_array_index (xlsx->widths, double, xlsx->col))
    g_array_index (xlsx->widths, double, xlsx->col) = width;
}

static double
text_width (const char *text)
{
  double width = 0;

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    width += g_unichar_iswide (g_utf8_get_char (p)) ? 2.0 : 1.0;

  return width;
}

static void
cell_done (Xlsx      *xlsx,
           lxw_error  err)
{
  if (err != LXW_NO_ERROR && xlsx->failed == LXW_NO_ERROR)
    xlsx->failed = err;
  xlsx->col++;
}

static void
xlsx_string (Xlsx       *xlsx,
             const char *text,
             lxw_format *format)
{
  lxw_error err = LXW_NO_ERROR;

  if (text != NULL && text[0] != '\0')
    {
      note_width (xlsx, text_width (text) + 1);
      err = worksheet_write_string (xlsx->sheet, xlsx->row, xlsx->col, text, format);
    }
  cell_done (xlsx, err);
}

static void
xlsx_header (ProcuraExportSink *sink,
             const char        *text)
{
  Xlsx *xlsx = (Xlsx *) sink;

  xlsx_string (xlsx, text, xlsx->bold);
}

static void
xlsx_text (ProcuraExportSink *sink,
           const char        *text)
{
  xlsx_string ((Xlsx *) sink, text, NULL);
}

static void
xlsx_date (ProcuraExportSink *sink,
           const char        *iso)
{
  Xlsx *xlsx = (Xlsx *) sink;
  lxw_datetime when = { 0 };
  char end = '\0';

  if (iso == NULL || iso[0] == '\0')
    {
      cell_done (xlsx, LXW_NO_ERROR);
      return;
    }

  /* the store holds valid dates; anything else stays readable as text */
  if (sscanf (iso, "%4d-%2d-%2d%c", &when.year, &when.month, &when.day, &end) != 3 ||
      !g_date_valid_dmy (when.day, when.month, when.year))
    {
      xlsx_string (xlsx, iso, NULL);
      return;
    }

  note_width (xlsx, DATE_WIDTH);
  cell_done (xlsx, worksheet_write_datetime (xlsx->sheet, xlsx->row, xlsx->col, &when, xlsx->date));
}

static void
xlsx_number (Xlsx       *xlsx,
             double      value,
             double      width,
             lxw_format *format)
{
  note_width (xlsx, width);
  cell_done (xlsx, worksheet_write_number (xlsx->sheet, xlsx->row, xlsx->col, value, format));
}

static void
xlsx_money (ProcuraExportSink *sink,
            gint64             fen)
{
  Xlsx *xlsx = (Xlsx *) sink;
  g_autofree char *shown = g_strdup_printf ("%" G_GINT64_FORMAT, fen);

  /* the one place 分 become a double: see the top of the file */
  xlsx_number (xlsx, (double) fen / 100.0, strlen (shown) * 4.0 / 3.0 + 3, xlsx->money);
}

static void
xlsx_decimal (ProcuraExportSink *sink,
              gint64             value,
              guint              digits)
{
  Xlsx *xlsx = (Xlsx *) sink;

  xlsx_number (xlsx, (double) value / (digits == 1 ? 10.0 : 100.0), MIN_WIDTH,
               digits == 1 ? xlsx->one_decimal : xlsx->two_decimals);
}

static void
xlsx_end_row (ProcuraExportSink *sink)
{
  Xlsx *xlsx = (Xlsx *) sink;

  xlsx->row++;
  xlsx->col = 0;
}

static const ProcuraExportSinkVTable xlsx_vtable = {
  .header = xlsx_header,
  .text = xlsx_text,
  .date = xlsx_date,
  .money = xlsx_money,
  .decimal = xlsx_decimal,
  .end_row = xlsx_end_row,
};

static lxw_format *
number_format (lxw_workbook *workbook,
               const char   *code)
{
  lxw_format *format = workbook_add_format (workbook);

  format_set_num_format (format, code);
  return format;
}

static void
set_error (GError     **error,
           const char  *path,
           lxw_error    err)
{
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
               _("Output file: %s: %s"), path, lxw_strerror (err));
}

/* Writes the workbook to tmp_path (which exists, empty). */
static gboolean
write_workbook (ProcuraStore              *store,
                const ProcuraExportTable  *tables,
                guint                      n_tables,
                GPtrArray                 *project_ids,
                const char                *tmp_path,
                const char                *path,
                GError                   **error)
{
  lxw_workbook *workbook = workbook_new (tmp_path);
  lxw_format *bold, *money, *date, *one_decimal, *two_decimals;
  lxw_error err;

  if (workbook == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Output file: %s: cannot be written"), path);
      return FALSE;
    }

  bold = workbook_add_format (workbook);
  format_set_bold (bold);
  money = number_format (workbook, "#,##0.00");
  date = number_format (workbook, "yyyy-mm-dd");
  one_decimal = number_format (workbook, "0.0");
  two_decimals = number_format (workbook, "0.00");

  for (guint i = 0; i < n_tables; i++)
    {
      g_autoptr(GArray) widths = g_array_new (FALSE, TRUE, sizeof (double));
      Xlsx xlsx = {
        { &xlsx_vtable }, NULL, bold, money, date, one_decimal, two_decimals, 0, 0, widths, LXW_NO_ERROR
      };

      const char *name = procura_export_table_get_sheet_name (tables[i]);

      /* a translation Excel cannot take as a name (too long, a [ or :)
       * must not cost the export: the English name then */
      if (workbook_validate_sheet_name (workbook, name) != LXW_NO_ERROR)
        name = sheet_names[tables[i]];
      if ((err = workbook_validate_sheet_name (workbook, name)) != LXW_NO_ERROR ||
          (xlsx.sheet = workbook_add_worksheet (workbook, name)) == NULL)
        {
          workbook_close (workbook);
          set_error (error, path, err != LXW_NO_ERROR ? err : LXW_ERROR_SHEETNAME_ALREADY_USED);
          return FALSE;
        }

      if (!procura_export_to_sink (store, tables[i], project_ids, &xlsx.parent, error))
        {
          workbook_close (workbook);
          return FALSE;
        }
      if (xlsx.failed != LXW_NO_ERROR)
        {
          workbook_close (workbook);
          set_error (error, path, xlsx.failed);
          return FALSE;
        }

      /* the header stays in view while scrolling */
      worksheet_freeze_panes (xlsx.sheet, 1, 0);
      for (guint c = 0; c < widths->len; c++)
        worksheet_set_column (xlsx.sheet, c, c,
                              CLAMP (g_array_index (widths, double, c), MIN_WIDTH, MAX_WIDTH), NULL);
    }

  if ((err = workbook_close (workbook)) != LXW_NO_ERROR)
    {
      set_error (error, path, err);
      return FALSE;
    }

  return TRUE;
}

gboolean
procura_export_xlsx_to_file (ProcuraStore              *store,
                             const ProcuraExportTable  *tables,
                             guint                      n_tables,
                             GPtrArray                 *project_ids,
                             const char                *path,
                             GError                   **error)
{
  g_autofree char *dir = NULL, *base = NULL, *tmp_path = NULL;
  int fd;

  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);
  g_return_val_if_fail (tables != NULL && n_tables > 0, FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* beside path, so the rename is atomic (same file system) */
  dir = g_path_get_dirname (path);
  base = g_path_get_basename (path);
  tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX", dir, G_DIR_SEPARATOR, base);
  fd = g_mkstemp_full (tmp_path, O_RDWR, 0644);
  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Output file: %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }
  g_close (fd, NULL);

  if (!write_workbook (store, tables, n_tables, project_ids, tmp_path, path, error))
    {
      g_unlink (tmp_path);
      return FALSE;
    }

  if (g_rename (tmp_path, path) != 0)
    {
      int saved_errno = errno;

      g_unlink (tmp_path);
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Output file: %s: %s"), path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}
