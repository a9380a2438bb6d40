/* test-import-xlsx.c — the project ledger from .xlsx workbooks, in the
 * library and through `procura-cli import`
 *
 * Workbooks come from two writers: libxlsxwriter, a real spreadsheet
 * writer (shared strings, or inline strings in its constant-memory mode;
 * dates as day numbers; formula results), and parts written here by hand
 * with libarchive, for what libxlsxwriter never writes: rich text runs
 * with a phonetic guide, a first sheet that is not sheet1.xml, gaps
 * between cells and rows, cells and rows without references, numbers in
 * exponent form and with binary noise, formula errors, a prefixed
 * namespace. The same ledger as CSV and as XLSX gives the same report and
 * the same projects; each kind of bad row is reported on its sheet row
 * with every one of its problems; broken workbooks (not a zip, no
 * worksheet, bad XML, a zip bomb) are refused naming the file and the
 * part; our own XLSX export imports again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <archive.h>
#include <archive_entry.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <locale.h>
#include <string.h>
#include <xlsxwriter.h>

#include "procura-demo.h"
#include "procura-error.h"
#include "procura-export-csv.h"
#include "procura-export-xlsx.h"
#include "procura-import-csv.h"
#include "procura-record.h"
#include "procura-schema.h"
#include "procura-store.h"
#include "procura-test-utils.h"
#include "procura-xlsx-reader.h"

#define TODAY "2026-11-27"
#define BUYER "天元区民政局"

static char *root;
static guint n_stores;

static ProcuraStore *
new_store (char **out_dir)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_strdup_printf ("%s/store-%u", root, ++n_stores);
  g_autoptr(ProcuraStore) store = procura_store_open (dir, &error);
  g_autoptr(ProcuraRecord) buyer = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
  g_autofree char *uscc = make_uscc (900000 + n_stores);

  g_assert_no_error (error);
  procura_store_set_today (store, TODAY);
  procura_store_set_actor (store, "test");

  procura_record_set_string (buyer, "name", BUYER);
  procura_record_set_string (buyer, "uscc", uscc);
  procura_record_set_string (buyer, "kind", "civil_affairs_bureau");
  g_assert_true (procura_store_insert (store, buyer, &error));
  g_assert_no_error (error);

  if (out_dir != NULL)
    *out_dir = g_steal_pointer (&dir);

  return g_steal_pointer (&store);
}

static guint
count (ProcuraStore            *store,
       const ProcuraEntityInfo *entity)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = procura_store_list (store, entity, NULL, NULL, &error);

  g_assert_no_error (error);
  return records->len;
}

static ProcuraRecord *
project_by_code (ProcuraStore *store,
                 const char   *code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = procura_store_list (store, PROCURA_ENTITY_PROJECT, "code", code, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  return procura_record_ref (g_ptr_array_index (found, 0));
}

static ProcuraImport *
load_ok (const char *path)
{
  g_autoptr(GError) error = NULL;
  ProcuraImport *import = procura_import_csv_load (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (import);
  return import;
}

static void
run_ok (ProcuraImport     *import,
        ProcuraStore      *store,
        ProcuraImportMode  mode)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (procura_import_run (import, store, mode, &error));
  g_assert_no_error (error);
}

/* Every problem of every row as "LINE: problem" lines, to compare whole. */
static char *
report (ProcuraImport *import)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < procura_import_get_n_rows (import); i++)
    {
      const char * const *problems = procura_import_get_row_problems (import, i);

      g_assert_nonnull (problems);
      /* the first of them is the row's problem */
      g_assert_cmpstr (problems[0], ==, procura_import_get_row_problem (import, i));
      for (guint j = 0; problems[j] != NULL; j++)
        g_string_append_printf (out, "%u: %s\n", procura_import_get_row_line (import, i), problems[j]);
    }

  return g_string_free (out, FALSE);
}

static void
load_fails (const char *path,
            const char *contains1,
            const char *contains2)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraImport) import = procura_import_csv_load (path, &error);

  g_assert_null (import);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_test_message ("%s", error->message);
  /* the file is named */
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, contains1));
  if (contains2 != NULL)
    g_assert_nonnull (strstr (error->message, contains2));
}

/* ---- zips by hand -------------------------------------------------------- */

/* parts: name, content, name, content, …, NULL */
static void
write_zip (const char         *path,
           const char * const *parts)
{
  struct archive *zip = archive_write_new ();

  g_assert_cmpint (archive_write_set_format_zip (zip), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (zip, path), ==, ARCHIVE_OK);
  for (guint i = 0; parts[i] != NULL; i += 2)
    {
      struct archive_entry *entry = archive_entry_new ();
      gsize length = strlen (parts[i + 1]);

      archive_entry_set_pathname (entry, parts[i]);
      archive_entry_set_size (entry, (la_int64_t) length);
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      g_assert_cmpint (archive_write_header (zip, entry), ==, ARCHIVE_OK);
      g_assert_cmpint (archive_write_data (zip, parts[i + 1], length), ==, (la_ssize_t) length);
      archive_entry_free (entry);
    }
  g_assert_cmpint (archive_write_close (zip), ==, ARCHIVE_OK);
  archive_write_free (zip);
}

#define CONTENT_TYPES \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
  "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">" \
  "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>" \
  "<Default Extension=\"xml\" ContentType=\"application/xml\"/>" \
  "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>" \
  "<Override PartName=\"/xl/worksheets/ledger.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" \
  "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>" \
  "<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>" \
  "</Types>"

#define PACKAGE_RELS \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
  "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>" \
  "</Relationships>"

/* The ledger is listed first but is not sheet1.xml: sheet1.xml is the
 * second sheet, a note that must not be read. */
#define WORKBOOK \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
  "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
  "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" \
  "<sheets><sheet name=\"台账\" sheetId=\"2\" r:id=\"rId7\"/><sheet name=\"说明\" sheetId=\"1\" r:id=\"rId1\"/></sheets>" \
  "</workbook>"

#define WORKBOOK_RELS \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
  "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
  "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>" \
  "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" Target=\"sharedStrings.xml\"/>" \
  "<Relationship Id=\"rId7\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"/xl/worksheets/ledger.xml\"/>" \
  "</Relationships>"

/* 2 is rich text in three runs with a phonetic guide that is not text */
#define SHARED_STRINGS \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
  "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"9\" uniqueCount=\"9\">" \
  "<si><t>项目编号</t></si>" \
  "<si><t>项目名称</t></si>" \
  "<si><r><rPr><b/><sz val=\"11\"/></rPr><t>长者</t></r><r><rPr><i/></rPr><t xml:space=\"preserve\">饭堂 </t></r>" \
  "<r><t>服务</t></r><rPh sb=\"0\" eb=\"2\"><t>ZHANGZHE</t></rPh><phoneticPr fontId=\"1\"/></si>" \
  "<si><t>承接机构</t></si>" \
  "<si><t>春雨社会工作服务中心</t></si>" \
  "<si><t>合同金额(元)</t></si>" \
  "<si><t>开始日期</t></si>" \
  "<si><t>状态</t></si>" \
  "<si><t>草稿</t></si>" \
  "</sst>"

#define DECOY_SHEET \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
  "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>" \
  "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>" \
  "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>DECOY-1</t></is></c></row>" \
  "</sheetData></worksheet>"

/* A prefixed namespace; H1 is a gap in the header (its column is read
 * by nobody); row 3 is missing; B4 and D5 are gaps; row 7 and its cells
 * have no references; numbers in exponent form and with binary noise;
 * a formula string result; formula errors. */
static char *
hand_built_sheet (const char *uscc)
{
  return g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
    "<x:worksheet xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
    "<x:dimension ref=\"A1:K9\"/><x:sheetData>"
    "<x:row r=\"1\" spans=\"1:9\">"
    "<x:c r=\"A1\" t=\"s\"><x:v>0</x:v></x:c><x:c r=\"B1\" t=\"s\"><x:v>1</x:v></x:c>"
    "<x:c r=\"C1\" t=\"s\"><x:v>3</x:v></x:c>"
    "<x:c r=\"D1\" t=\"inlineStr\"><x:is><x:t>统一社会信用代码</x:t></x:is></x:c>"
    "<x:c r=\"E1\" t=\"s\"><x:v>5</x:v></x:c><x:c r=\"F1\" t=\"s\"><x:v>6</x:v></x:c>"
    "<x:c r=\"G1\" t=\"s\" s=\"3\"><x:v>7</x:v></x:c>"
    "<x:c r=\"I1\" t=\"inlineStr\"><x:is><x:r><x:t>结束</x:t></x:r><x:r><x:t>日期</x:t></x:r></x:is></x:c>"
    "<x:c r=\"J1\" t=\"inlineStr\"><x:is><x:t>类别</x:t></x:is></x:c><x:c r=\"K1\" t=\"inlineStr\"><x:is><x:t>采购方式</x:t></x:is></x:c>"
    "</x:row>"
    "<x:row r=\"2\">"
    "<x:c r=\"A2\" t=\"inlineStr\"><x:is><x:t>H-001</x:t></x:is></x:c>"
    "<x:c r=\"B2\" t=\"s\"><x:v>2</x:v></x:c><x:c r=\"C2\" t=\"s\"><x:v>4</x:v></x:c>"
    "<x:c r=\"D2\" t=\"str\"><x:f>UPPER(Z2)</x:f><x:v>%s</x:v></x:c>"
    "<x:c r=\"E2\" s=\"1\"><x:v>1.5E+3</x:v></x:c>"
    "<x:c r=\"F2\" s=\"2\"><x:v>44409</x:v></x:c>"
    "<x:c r=\"G2\" t=\"s\"><x:v>8</x:v></x:c>"
    "<x:c r=\"H2\" t=\"inlineStr\"><x:is><x:t>no column</x:t></x:is></x:c>"
    "<x:c r=\"I2\" s=\"2\"><x:v>44773</x:v></x:c>"
    "<x:c r=\"J2\" t=\"inlineStr\"><x:is><x:t>养老服务</x:t></x:is></x:c><x:c r=\"K2\" t=\"inlineStr\"><x:is><x:t>询价</x:t></x:is></x:c>"
    "</x:row>"
    "<x:row r=\"4\">"
    "<x:c r=\"A4\" t=\"inlineStr\"><x:is><x:t>H-002</x:t></x:is></x:c>"
    "<x:c r=\"C4\" t=\"s\"><x:v>4</x:v></x:c>"
    "<x:c r=\"E4\"><x:v>11000000</x:v></x:c>"
    "<x:c r=\"J4\" t=\"inlineStr\"><x:is><x:t>养老服务</x:t></x:is></x:c><x:c r=\"K4\" t=\"inlineStr\"><x:is><x:t>询价</x:t></x:is></x:c>"
    "</x:row>"
    "<x:row r=\"5\">"
    "<x:c r=\"A5\" t=\"inlineStr\"><x:is><x:t>H-003</x:t></x:is></x:c>"
    "<x:c r=\"B5\" t=\"inlineStr\"><x:is><x:t>老人&amp;_x000A_儿童</x:t></x:is></x:c>"
    "<x:c r=\"C5\" t=\"s\"><x:v>4</x:v></x:c>"
    "<x:c r=\"E5\"><x:v>1234.5599999999999</x:v></x:c>"
    "<x:c r=\"F5\" t=\"inlineStr\"><x:is><x:t>2021年8月1日</x:t></x:is></x:c>"
    "<x:c r=\"G5\"/>"
    "<x:c r=\"I5\"><x:v>4.4773E4</x:v></x:c>"
    "<x:c r=\"J5\" t=\"inlineStr\"><x:is><x:t>养老服务</x:t></x:is></x:c><x:c r=\"K5\" t=\"inlineStr\"><x:is><x:t>询价</x:t></x:is></x:c>"
    "</x:row>"
    "<x:row r=\"6\">"
    "<x:c r=\"A6\" t=\"inlineStr\"><x:is><x:t>H-004</x:t></x:is></x:c>"
    "<x:c r=\"B6\" t=\"e\"><x:f>VLOOKUP(A6,Z:Z,2,0)</x:f><x:v>#REF!</x:v></x:c>"
    "<x:c r=\"C6\" t=\"s\"><x:v>4</x:v></x:c>"
    "<x:c r=\"E6\" t=\"e\"><x:v>#N/A</x:v></x:c>"
    "<x:c r=\"F6\" t=\"inlineStr\"><x:is><x:t>2021-02-30</x:t></x:is></x:c>"
    "<x:c r=\"J6\" t=\"inlineStr\"><x:is><x:t>养老服务</x:t></x:is></x:c><x:c r=\"K6\" t=\"inlineStr\"><x:is><x:t>询价</x:t></x:is></x:c>"
    "</x:row>"
    "<x:row><x:c t=\"inlineStr\"><x:is><x:t>H-005</x:t></x:is></x:c>"
    "<x:c t=\"inlineStr\"><x:is><x:t>标题五</x:t></x:is></x:c>"
    "<x:c t=\"s\"><x:v>4</x:v></x:c>"
    "<x:c r=\"J7\" t=\"inlineStr\"><x:is><x:t>养老服务</x:t></x:is></x:c><x:c r=\"K7\" t=\"inlineStr\"><x:is><x:t>询价</x:t></x:is></x:c>"
    "</x:row>"
    "<x:row r=\"9\"><x:c r=\"A9\" s=\"1\"/><x:c r=\"B9\" t=\"inlineStr\"><x:is><x:t></x:t></x:is></x:c></x:row>"
    "</x:sheetData></x:worksheet>", uscc);
}

static void
write_hand_built (const char *path,
                  const char *sheet)
{
  const char * const parts[] = {
    "[Content_Types].xml", CONTENT_TYPES,
    "_rels/.rels", PACKAGE_RELS,
    "xl/workbook.xml", WORKBOOK,
    "xl/_rels/workbook.xml.rels", WORKBOOK_RELS,
    "xl/worksheets/sheet1.xml", DECOY_SHEET,
    "xl/sharedStrings.xml", SHARED_STRINGS,
    "xl/worksheets/ledger.xml", sheet,
    NULL,
  };

  write_zip (path, parts);
}

static void
test_hand_built (void)
{
  g_autoptr(ProcuraStore) store = new_store (NULL);
  g_autofree char *uscc = make_uscc (31);
  g_autofree char *sheet = hand_built_sheet (uscc);
  g_autofree char *path = g_build_filename (root, "hand-built.xlsx", NULL);
  g_autoptr(ProcuraImport) import = NULL;
  g_autoptr(ProcuraRecord) h1 = NULL, h3 = NULL, h5 = NULL;
  g_autofree char *text = NULL;
  const char * const *problems;

  write_hand_built (path, sheet);
  import = load_ok (path);

  g_assert_cmpstr (procura_import_get_encoding (import), ==, "XLSX");
  g_assert_null (procura_import_get_unknown_columns (import)[0]);
  /* the first sheet listed, not sheet1.xml; rows by their sheet number */
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, 5);
  g_assert_cmpuint (procura_import_get_row_line (import, 0), ==, 2);
  g_assert_cmpuint (procura_import_get_row_line (import, 1), ==, 4);
  g_assert_cmpuint (procura_import_get_row_line (import, 2), ==, 5);
  g_assert_cmpuint (procura_import_get_row_line (import, 3), ==, 6);
  g_assert_cmpuint (procura_import_get_row_line (import, 4), ==, 7);
  /* before a run no row has a problem */
  g_assert_null (procura_import_get_row_problems (import, 0)[0]);
  /* the cells a preview shows, before any run */
  {
    g_autofree char *code = procura_import_dup_row_cell (import, 0, PROCURA_IMPORT_FIELD_CODE);
    g_autofree char *title = procura_import_dup_row_cell (import, 0, PROCURA_IMPORT_FIELD_TITLE);
    g_autofree char *agency = procura_import_dup_row_cell (import, 0, PROCURA_IMPORT_FIELD_AGENCY);
    g_autofree char *value = procura_import_dup_row_cell (import, 0, PROCURA_IMPORT_FIELD_VALUE);
    g_autofree char *big = procura_import_dup_row_cell (import, 1, PROCURA_IMPORT_FIELD_VALUE);
    g_autofree char *no_title = procura_import_dup_row_cell (import, 1, PROCURA_IMPORT_FIELD_TITLE);
    g_autofree char *error_title = procura_import_dup_row_cell (import, 3, PROCURA_IMPORT_FIELD_TITLE);

    g_assert_cmpstr (code, ==, "H-001");
    g_assert_cmpstr (title, ==, "长者饭堂 服务");
    g_assert_cmpstr (agency, ==, "春雨社会工作服务中心");
    g_assert_cmpstr (value, ==, "1500");
    g_assert_cmpstr (big, ==, "11000000");
    g_assert_null (no_title);
    g_assert_null (error_title);
  }

  run_ok (import, store, PROCURA_IMPORT_VALID_ROWS);
  text = report (import);
  g_test_message ("report:\n%s", text);
  /* row 4: B4 is a gap, so C4 is still the agency and the title is missing */
  g_assert_true (g_str_has_prefix (procura_import_get_row_problem (import, 1), "Project title: required"));
  g_assert_null (procura_import_get_row_problems (import, 1)[1]);
  /* row 6: two cells show formula errors and a date does not exist; the
   * store's "title required" only repeats the first and is left out */
  problems = procura_import_get_row_problems (import, 3);
  g_assert_cmpstr (problems[0], ==, "项目名称: the cell shows the error #REF!; correct it in the spreadsheet");
  g_assert_cmpstr (problems[1], ==, "合同金额(元): the cell shows the error #N/A; correct it in the spreadsheet");
  g_assert_true (g_str_has_prefix (problems[2], "开始日期: "));
  g_assert_null (problems[3]);
  g_assert_cmpuint (procura_import_get_n_problems (import), ==, 2);
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 3);
  g_assert_cmpuint (count (store, PROCURA_ENTITY_PROJECT), ==, 3);
  assert_store_check_passes (store);

  h1 = project_by_code (store, "H-001");
  /* the rich text's runs joined, without the phonetic guide */
  g_assert_cmpstr (procura_record_get_string (h1, "title"), ==, "长者饭堂 服务");
  /* 1.5E+3 yuan, exactly */
  g_assert_cmpint (procura_record_get_int (h1, "value", -1), ==, 150000);
  g_assert_cmpstr (procura_record_get_string (h1, "start_date"), ==, "2021-08-01");
  g_assert_cmpstr (procura_record_get_string (h1, "end_date"), ==, "2022-07-31");
  g_assert_cmpstr (procura_record_get_string (h1, "status"), ==, "draft");

  h3 = project_by_code (store, "H-003");
  /* the entity and Excel's escape of a line feed */
  g_assert_cmpstr (procura_record_get_string (h3, "title"), ==, "老人&\n儿童");
  /* 1234.5599999999999 is what Excel writes for 1234.56 */
  g_assert_cmpint (procura_record_get_int (h3, "value", -1), ==, 123456);
  g_assert_cmpstr (procura_record_get_string (h3, "start_date"), ==, "2021-08-01");
  g_assert_cmpstr (procura_record_get_string (h3, "end_date"), ==, "2022-07-31");
  /* the agency row 2 created, by its name (D5 is a gap) */
  g_assert_cmpstr (procura_record_get_string (h3, "agency_id"), ==, procura_record_get_string (h1, "agency_id"));

  h5 = project_by_code (store, "H-005");
  g_assert_cmpstr (procura_record_get_string (h5, "title"), ==, "标题五");

  /* the reader alone: the sheet's name and the cells as written */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *data = NULL;
    gsize length = 0;
    g_autoptr(ProcuraXlsxSheet) xs = NULL;
    const ProcuraXlsxRow *row;

    g_assert_true (g_file_get_contents (path, &data, &length, &error));
    xs = procura_xlsx_sheet_read (data, length, "hand-built.xlsx", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (procura_xlsx_sheet_get_name (xs), ==, "台账");
    /* row 9 has no value: left out */
    g_assert_cmpuint (procura_xlsx_sheet_get_n_rows (xs), ==, 6);
    row = procura_xlsx_sheet_get_row (xs, 1);
    g_assert_cmpuint (row->number, ==, 2);
    g_assert_cmpuint (row->n_cells, ==, 11);
    g_assert_cmpuint (row->cells[4].column, ==, 4);
    g_assert_cmpint (row->cells[4].type, ==, PROCURA_XLSX_CELL_NUMBER);
    g_assert_cmpstr (row->cells[4].text, ==, "1.5E+3");
    g_assert_cmpint (row->cells[3].type, ==, PROCURA_XLSX_CELL_TEXT);
    g_assert_cmpstr (row->cells[3].text, ==, uscc);
    row = procura_xlsx_sheet_get_row (xs, 2);
    g_assert_cmpuint (row->n_cells, ==, 5);
    g_assert_cmpuint (row->cells[1].column, ==, 2);
    g_assert_cmpstr (row->cells[2].text, ==, "11000000");
    row = procura_xlsx_sheet_get_row (xs, 4);
    g_assert_cmpint (row->cells[1].type, ==, PROCURA_XLSX_CELL_ERROR);
    g_assert_cmpstr (row->cells[1].text, ==, "#REF!");
    row = procura_xlsx_sheet_get_row (xs, 5);
    g_assert_cmpuint (row->number, ==, 7);
    g_assert_cmpuint (row->cells[2].column, ==, 2);
    g_assert_cmpuint (row->cells[3].column, ==, 9);
  }
}

/* A title row above the header, as officers' ledgers have; the rows
 * keep their sheet numbers and a formula error still finds its column. */
static void
test_title_row (void)
{
  g_autoptr(ProcuraStore) store = new_store (NULL);
  g_autofree char *uscc = make_uscc (32);
  g_autofree char *path = g_build_filename (root, "title.xlsx", NULL);
  g_autoptr(ProcuraImport) import = NULL;
  g_autoptr(ProcuraRecord) t2 = NULL;
#define IS(ref, text) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" text "</t></is></c>"
  g_autofree char *sheet = g_strdup_printf (
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
    "<row r=\"1\">" IS ("A1", "天元区2021年政府购买社会工作服务项目台账") "</row>"
    "<row r=\"2\">" IS ("F2", "单位：元") "</row>"
    "<row r=\"3\">" IS ("A3", "项目编号") IS ("B3", "项目名称") IS ("C3", "承接机构") IS ("D3", "统一社会信用代码")
    IS ("E3", "类别") IS ("F3", "采购方式") IS ("G3", "合同金额(元)") "</row>"
    "<row r=\"4\">" IS ("A4", "T-1") "<c r=\"B4\" t=\"e\"><v>#N/A</v></c>" IS ("C4", "春雨社会工作服务中心")
    IS ("D4", "%s") IS ("E4", "养老服务") IS ("F4", "询价") "<c r=\"G4\"><v>96500</v></c></row>"
    "<row r=\"5\">" IS ("A5", "T-2") IS ("B5", "标题二") IS ("C5", "春雨社会工作服务中心")
    IS ("D5", "%s") IS ("E5", "养老服务") IS ("F5", "询价") "<c r=\"G5\"><v>96500.5</v></c></row>"
    "</sheetData></worksheet>", uscc, uscc);
#undef IS
  g_autofree char *text = NULL;

  write_hand_built (path, sheet);
  import = load_ok (path);
  g_assert_null (procura_import_get_unknown_columns (import)[0]);
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, 2);
  run_ok (import, store, PROCURA_IMPORT_VALID_ROWS);
  text = report (import);
  g_assert_cmpstr (text, ==, "4: 项目名称: the cell shows the error #N/A; correct it in the spreadsheet\n");
  t2 = project_by_code (store, "T-2");
  g_assert_cmpint (procura_record_get_int (t2, "value", -1), ==, 9650050);
}

/* ---- the same ledger as CSV and XLSX ----------------------------------------- */

typedef struct
{
  char        kind;  /* 's' text, 'n' number, 'd' date (ISO here, a date cell in the sheet) */
  const char *text;  /* "U1", "U2": the credit codes */
} Cell;

#define N_LEDGER_COLUMNS 13
static const char * const ledger_header[N_LEDGER_COLUMNS] = {
  "项目编号", "项目名称", "承接机构", "统一社会信用代码", "购买主体", "类别", "采购方式", "状态",
  "合同金额(万元)", "开始日期", "结束日期", "备注", "合同签订日期",
};

#define S(t) { 's', t }
#define N(t) { 'n', t }
#define D(t) { 'd', t }
#define E { 's', NULL }

/* Row i is sheet row i + 2 and CSV line i + 2. */
static const Cell ledger[][N_LEDGER_COLUMNS] = {
  /* 2 */ { S ("P-001"), S ("社区服务, 一期"), S ("春雨社工"), S ("U1"), S (BUYER), S ("社区治理"), S ("公开招标"), S ("执行中"),
            N ("12.5"), D ("2021-08-01"), D ("2022-07-31"), E, D ("2021-07-20") },
  /* 3 */ { S ("P-002"), S ("标题 \"引号\""), S ("春雨社工"), S ("U1"), S (BUYER), S ("养老服务"), S ("单一来源"), S ("草稿"),
            N ("8"), D ("2021-08-01"), D ("2022-07-31"), S ("备注"), E },
  /* 4 */ { S ("P-003"), E, S ("春雨社工"), S ("U1"), S (BUYER), S ("养老服务"), S ("询价"), S ("草稿"),
            N ("8"), D ("2021-08-01"), D ("2022-07-31"), E, E },
  /* 5 */ { S ("P-004"), S ("标题四"), S ("春雨社工"), S ("U1"), S (BUYER), S ("养老服务"), S ("询价"), S ("草稿"),
            N ("8"), S ("2021-13-01"), D ("2022-07-31"), E, E },
  /* 6 */ { S ("P-005"), S ("标题五"), S ("春雨社工"), S ("U1"), S (BUYER), S ("养老服务"), S ("询价"), S ("草稿"),
            N ("8.1234567"), D ("2021-08-01"), D ("2022-07-31"), E, E },
  /* 7 */ { S ("P-006"), S ("标题六"), S ("新机构"), S ("91110000MA0000000X"), S (BUYER), S ("养老服务"), S ("询价"), S ("草稿"),
            N ("8"), D ("2021-08-01"), D ("2022-07-31"), E, E },
  /* 8 */ { S ("P-001"), S ("重复"), S ("春雨社工"), S ("U1"), S (BUYER), S ("养老服务"), S ("询价"), S ("草稿"),
            N ("8"), D ("2021-08-01"), D ("2022-07-31"), E, E },
  /* 9 */ { S ("P-007"), S ("标题七"), S ("春雨社工"), S ("U1"), S (BUYER), S ("养老服务"), S ("询价"), S ("进行了"),
            N ("8"), D ("2021-08-01"), D ("2022-07-31"), E, E },
  /* 10 */ { S ("OLD-1"), S ("已有项目"), S ("春雨社工"), S ("U1"), S (BUYER), S ("养老服务"), S ("询价"), S ("草稿"),
             N ("8"), D ("2021-08-01"), D ("2022-07-31"), E, E },
  /* 11 */ { S ("P-008"), S ("标题八"), S ("秋实社工"), S ("U2"), S (BUYER), S ("家庭服务"), S ("竞争性磋商"), S ("草稿"),
             N ("0.5"), D ("2021-08-01"), D ("2022-07-31"), E, E },
  /* 12 */ { S ("P-009"), S ("标题九"), S ("春雨社工"), S ("U1"), S (BUYER), S ("养老服务"), S ("询价"), S ("草稿"),
             N ("8"), D ("2022-08-01"), D ("2021-07-31"), E, E },
  /* 13 */ { S ("P-010"), S ("标题十"), S ("无名机构"), E, S (BUYER), S ("养老服务"), S ("询价"), S ("草稿"),
             N ("8"), D ("2021-08-01"), D ("2022-07-31"), E, E },
  /* 14: two problems */
  /* 14 */ { S ("P-011"), S ("标题十一"), S ("春雨社工"), S ("U1"), S (BUYER), S ("养老服务"), S ("询价"), S ("进行了"),
             N ("8"), S ("2021-02-30"), D ("2022-07-31"), E, E },
  /* 15: three, and the store's complaint about what is left */
  /* 15 */ { S ("P-012"), E, S ("无名机构"), E, S ("没有这个单位"), S ("养老服务"), S ("询价"), S ("草稿"),
             S ("八万"), D ("2021-08-01"), D ("2022-07-31"), E, E },
};

static const char *
cell_text (const Cell *c,
           const char *u1,
           const char *u2)
{
  if (c->text == NULL)
    return "";
  if (strcmp (c->text, "U1") == 0)
    return u1;
  if (strcmp (c->text, "U2") == 0)
    return u2;
  return c->text;
}

static void
append_csv_cell (GString    *csv,
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

static char *
ledger_csv (void)
{
  g_autofree char *u1 = make_uscc (11);
  g_autofree char *u2 = make_uscc (12);
  GString *csv = g_string_new (NULL);

  for (guint c = 0; c < N_LEDGER_COLUMNS; c++)
    {
      if (c > 0)
        g_string_append_c (csv, ',');
      append_csv_cell (csv, ledger_header[c]);
    }
  g_string_append (csv, "\r\n");
  for (guint r = 0; r < G_N_ELEMENTS (ledger); r++)
    {
      for (guint c = 0; c < N_LEDGER_COLUMNS; c++)
        {
          if (c > 0)
            g_string_append_c (csv, ',');
          append_csv_cell (csv, cell_text (&ledger[r][c], u1, u2));
        }
      g_string_append (csv, "\r\n");
    }

  return g_string_free (csv, FALSE);
}

/* The ledger as libxlsxwriter writes it: text as shared strings (inline
 * strings in constant-memory mode), numbers as numbers, dates as day
 * numbers with a date format. */
static void
write_ledger_xlsx (const char *path,
                   gboolean    constant_memory)
{
  g_autofree char *u1 = make_uscc (11);
  g_autofree char *u2 = make_uscc (12);
  lxw_workbook_options options = { .constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE, .tmpdir = root };
  lxw_workbook *workbook = workbook_new_opt (path, &options);
  lxw_worksheet *sheet = workbook_add_worksheet (workbook, "台账");
  lxw_worksheet *other = workbook_add_worksheet (workbook, "Other");
  lxw_format *date_format = workbook_add_format (workbook);

  format_set_num_format (date_format, "yyyy-mm-dd");
  for (guint c = 0; c < N_LEDGER_COLUMNS; c++)
    g_assert_cmpint (worksheet_write_string (sheet, 0, (lxw_col_t) c, ledger_header[c], NULL), ==, LXW_NO_ERROR);
  for (guint r = 0; r < G_N_ELEMENTS (ledger); r++)
    for (guint c = 0; c < N_LEDGER_COLUMNS; c++)
      {
        const Cell *cell = &ledger[r][c];
        const char *text = cell_text (cell, u1, u2);
        lxw_row_t row = (lxw_row_t) (r + 1);
        lxw_error status = LXW_NO_ERROR;

        if (text[0] == '\0')
          continue;
        if (cell->kind == 'n')
          status = worksheet_write_number (sheet, row, (lxw_col_t) c, g_ascii_strtod (text, NULL), NULL);
        else if (cell->kind == 'd')
          {
            lxw_datetime dt = { 0 };

            g_assert_cmpint (sscanf (text, "%d-%d-%d", &dt.year, &dt.month, &dt.day), ==, 3);
            status = worksheet_write_datetime (sheet, row, (lxw_col_t) c, &dt, date_format);
          }
        else if (c == 3)
          /* the credit code as a formula's result (t="str") */
          status = worksheet_write_formula_str (sheet, row, (lxw_col_t) c, "=UPPER(\"x\")", NULL, text);
        else
          status = worksheet_write_string (sheet, row, (lxw_col_t) c, text, NULL);
        g_assert_cmpint (status, ==, LXW_NO_ERROR);
      }
  worksheet_write_string (other, 0, 0, "项目编号", NULL);
  worksheet_write_string (other, 1, 0, "NOT-READ", NULL);
  g_assert_cmpint (workbook_close (workbook), ==, LXW_NO_ERROR);
}

static ProcuraStore *
store_with_old_project (void)
{
  ProcuraStore *store = new_store (NULL);
  g_autofree char *u1 = make_uscc (11);
  g_autofree char *csv = g_strdup_printf (
    "编号,名称,承接机构,统一社会信用代码,类别,采购方式\n"
    "OLD-1,已有项目,春雨社工,%s,养老服务,询价\n", u1);
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraImport) import = procura_import_csv_parse (csv, strlen (csv), &error);

  g_assert_no_error (error);
  run_ok (import, store, PROCURA_IMPORT_ALL_OR_NONE);
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 1);

  return store;
}

/* Every problem of every bad row, word for word: line 14 has two, line
 * 15 three of its cells' and then the store's first complaint about the
 * rest (its title). */
static const char expected_ledger_report[] =
  "4: Project title: required\n"
  "5: 开始日期: there is no day 2021-13-01 in the calendar\n"
  "6: 合同金额(万元): more than six decimal places of 万 (finer than one fen)\n"
  "7: 统一社会信用代码: organization code check character should be “7”\n"
  "8: 项目编号: “P-001” is also on line 2\n"
  "9: 状态: “进行了” is not one of: Draft, In progress, Completed, Terminated early, Cancelled\n"
  "10: 项目编号: “OLD-1” is already in the ledger (import adds projects, it does not change them)\n"
  "12: End date: before Start date (2022-08-01)\n"
  "13: 承接机构: no organization named “无名机构” (give its credit code to add it)\n"
  "14: 开始日期: there is no day 2021-02-30 in the calendar\n"
  "14: 状态: “进行了” is not one of: Draft, In progress, Completed, Terminated early, Cancelled\n"
  "15: 合同金额(万元): not an amount\n"
  "15: 承接机构: no organization named “无名机构” (give its credit code to add it)\n"
  "15: 购买主体: no organization named “没有这个单位”\n"
  "15: Project title: required\n";

static void
assert_ledger_report (ProcuraImport *import)
{
  g_autofree char *text = report (import);

  g_assert_cmpstr (text, ==, expected_ledger_report);
  g_assert_cmpuint (procura_import_get_n_problems (import), ==, 11);
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, G_N_ELEMENTS (ledger));
}

static void
test_same_as_csv (void)
{
  g_autofree char *csv = ledger_csv ();
  g_autofree char *csv_path = g_build_filename (root, "ledger.csv", NULL);
  g_autofree char *xlsx_path = g_build_filename (root, "ledger.xlsx", NULL);
  g_autofree char *inline_path = g_build_filename (root, "ledger-inline.xlsx", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraImport) from_csv = NULL;
  g_autoptr(ProcuraStore) csv_store = store_with_old_project ();
  g_autofree char *csv_report = NULL;
  const char *paths[] = { xlsx_path, inline_path };

  g_assert_true (g_file_set_contents (csv_path, csv, -1, &error));
  g_assert_no_error (error);
  write_ledger_xlsx (xlsx_path, FALSE);
  write_ledger_xlsx (inline_path, TRUE);

  from_csv = load_ok (csv_path);
  g_assert_cmpstr (procura_import_get_encoding (from_csv), ==, "UTF-8");
  run_ok (from_csv, csv_store, PROCURA_IMPORT_VALID_ROWS);
  assert_ledger_report (from_csv);
  csv_report = report (from_csv);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_autoptr(ProcuraImport) import = load_ok (paths[i]);
      g_autoptr(ProcuraStore) store = store_with_old_project ();
      g_autofree char *text = NULL;
      static const char * const codes[] = { "P-001", "P-002", "P-008" };

      g_assert_cmpstr (procura_import_get_encoding (import), ==, "XLSX");
      g_assert_cmpstr (procura_import_get_unknown_columns (import)[0], ==, "备注");
      for (guint r = 0; r < procura_import_get_n_rows (import); r++)
        for (ProcuraImportField f = PROCURA_IMPORT_FIELD_CODE; f <= PROCURA_IMPORT_FIELD_VALUE; f++)
          {
            g_autofree char *a = procura_import_dup_row_cell (from_csv, r, f);
            g_autofree char *b = procura_import_dup_row_cell (import, r, f);

            g_assert_cmpstr (a, ==, b);
          }
      {
        g_autofree char *wan = procura_import_dup_row_cell (import, 0, PROCURA_IMPORT_FIELD_VALUE);

        g_assert_cmpstr (wan, ==, "12.5万");
      }

      /* a dry run and an all-or-nothing import write nothing */
      run_ok (import, store, PROCURA_IMPORT_DRY_RUN);
      assert_ledger_report (import);
      run_ok (import, store, PROCURA_IMPORT_ALL_OR_NONE);
      g_assert_cmpuint (procura_import_get_n_written (import), ==, 0);
      g_assert_cmpuint (count (store, PROCURA_ENTITY_PROJECT), ==, 1);

      run_ok (import, store, PROCURA_IMPORT_VALID_ROWS);
      text = report (import);
      /* word for word the CSV's report */
      g_assert_cmpstr (text, ==, csv_report);
      g_assert_cmpuint (procura_import_get_n_written (import), ==, 3);
      g_assert_cmpuint (count (store, PROCURA_ENTITY_PROJECT), ==, 4);
      g_assert_cmpuint (count (store, PROCURA_ENTITY_ORGANIZATION), ==, count (csv_store, PROCURA_ENTITY_ORGANIZATION));
      assert_store_check_passes (store);

      for (guint c = 0; c < G_N_ELEMENTS (codes); c++)
        {
          g_autoptr(ProcuraRecord) a = project_by_code (csv_store, codes[c]);
          g_autoptr(ProcuraRecord) b = project_by_code (store, codes[c]);
          static const char * const fields[] = {
            "title", "status", "category", "method", "start_date", "end_date", "date_signed",
          };

          for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
            g_assert_cmpstr (procura_record_get_string (a, fields[f]), ==, procura_record_get_string (b, fields[f]));
          g_assert_cmpint (procura_record_get_int (a, "value", -1), ==, procura_record_get_int (b, "value", -1));
        }
      {
        g_autoptr(ProcuraRecord) p1 = project_by_code (store, "P-001");
        g_autoptr(ProcuraRecord) p8 = project_by_code (store, "P-008");

        g_assert_cmpint (procura_record_get_int (p1, "value", -1), ==, 12500000);
        g_assert_cmpint (procura_record_get_int (p8, "value", -1), ==, 500000);
        g_assert_cmpstr (procura_record_get_string (p1, "title"), ==, "社区服务, 一期");
        g_assert_cmpstr (procura_record_get_string (p1, "date_signed"), ==, "2021-07-20");
        g_assert_cmpstr (procura_record_get_string (p1, "status"), ==, "active");
      }
    }
}

/* ---- broken workbooks ------------------------------------------------------- */

static void
test_malformed (void)
{
  g_autofree char *path = g_build_filename (root, "broken.xlsx", NULL);
  g_autofree char *uscc = make_uscc (31);
  g_autofree char *sheet = hand_built_sheet (uscc);
  g_autoptr(GError) error = NULL;

  /* zip magic, then nothing a zip is made of */
  g_assert_true (g_file_set_contents (path, "PK\003\004garbage that is not a zip", -1, &error));
  load_fails (path, "not an XLSX workbook", NULL);

  /* a real workbook cut in half */
  {
    g_autofree char *whole = g_build_filename (root, "whole.xlsx", NULL);
    g_autofree char *data = NULL;
    gsize length = 0;

    write_ledger_xlsx (whole, FALSE);
    g_assert_true (g_file_get_contents (whole, &data, &length, &error));
    g_assert_true (g_file_set_contents (path, data, (gssize) (length / 2), &error));
    load_fails (path, "XLSX workbook", NULL);
  }

  /* a zip, but no workbook in it */
  {
    const char * const parts[] = { "readme.txt", "hello", NULL };

    write_zip (path, parts);
    load_fails (path, "xl/workbook.xml is missing", NULL);
  }

  /* a workbook without a worksheet */
  {
    const char * const parts[] = {
      "_rels/.rels", PACKAGE_RELS,
      "xl/workbook.xml", "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheets/></workbook>",
      NULL,
    };

    write_zip (path, parts);
    load_fails (path, "xl/workbook.xml lists no worksheet", NULL);
  }

  /* the sheet its relationships name is not in the zip */
  {
    const char * const parts[] = {
      "_rels/.rels", PACKAGE_RELS,
      "xl/workbook.xml", WORKBOOK,
      "xl/_rels/workbook.xml.rels", WORKBOOK_RELS,
      "xl/sharedStrings.xml", SHARED_STRINGS,
      NULL,
    };

    write_zip (path, parts);
    load_fails (path, "xl/worksheets/ledger.xml is missing", NULL);
  }

  /* XML that is not well-formed */
  {
    g_autofree char *cut = g_strndup (sheet, strlen (sheet) - 40);

    write_hand_built (path, cut);
    load_fails (path, "xl/worksheets/ledger.xml is not well-formed XML", NULL);
  }

  /* a shared string that does not exist */
  {
    g_autofree char *bad = g_strdup (sheet);
    char *at = strstr (bad, "<x:c r=\"C2\" t=\"s\"><x:v>4<");

    g_assert_nonnull (at);
    at[strlen ("<x:c r=\"C2\" t=\"s\"><x:v>")] = '9';
    write_hand_built (path, bad);
    load_fails (path, "xl/worksheets/ledger.xml: cell C2 refers to shared string “9”", NULL);
  }

  /* a cell reference beyond Excel's last column, XFD */
  {
    const char *cell = "<x:c r=\"C4\"";
    const char *at = strstr (sheet, cell);
    g_autofree char *head = g_strndup (sheet, (gsize) (at - sheet));
    g_autofree char *bad = g_strconcat (head, "<x:c r=\"XFE4\"", at + strlen (cell), NULL);

    write_hand_built (path, bad);
    load_fails (path, "xl/worksheets/ledger.xml: “XFE4” is not a cell reference", NULL);
  }

  /* the old binary .xls */
  g_assert_true (g_file_set_contents (path, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 rest", 13, &error));
  load_fails (path, ".xls", NULL);
}

/* A sheet that inflates past the bound: refused while inflating, whatever
 * size the zip declares. */
static void
test_zip_bomb (void)
{
  g_autofree char *path = g_build_filename (root, "bomb.xlsx", NULL);
  g_autofree char *chunk = g_malloc (1024 * 1024);
  struct archive *zip = archive_write_new ();
  struct archive_entry *entry;
  const char *head = "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>";
  const char * const small[] = {
    "_rels/.rels", PACKAGE_RELS,
    "xl/workbook.xml", WORKBOOK,
    "xl/_rels/workbook.xml.rels", WORKBOOK_RELS,
    "xl/sharedStrings.xml", SHARED_STRINGS,
  };
  gsize total = PROCURA_XLSX_MAX_PART_SIZE + 1024 * 1024;
  struct stat st;

  memset (chunk, ' ', 1024 * 1024);
  g_assert_cmpint (archive_write_set_format_zip (zip), ==, ARCHIVE_OK);
  g_assert_cmpint (archive_write_open_filename (zip, path), ==, ARCHIVE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (small); i += 2)
    {
      entry = archive_entry_new ();
      archive_entry_set_pathname (entry, small[i]);
      archive_entry_set_size (entry, (la_int64_t) strlen (small[i + 1]));
      archive_entry_set_filetype (entry, AE_IFREG);
      archive_entry_set_perm (entry, 0644);
      g_assert_cmpint (archive_write_header (zip, entry), ==, ARCHIVE_OK);
      archive_write_data (zip, small[i + 1], strlen (small[i + 1]));
      archive_entry_free (entry);
    }
  entry = archive_entry_new ();
  archive_entry_set_pathname (entry, "xl/worksheets/ledger.xml");
  /* no size given: a streamed entry, as a lying zip would have */
  archive_entry_set_filetype (entry, AE_IFREG);
  archive_entry_set_perm (entry, 0644);
  g_assert_cmpint (archive_write_header (zip, entry), ==, ARCHIVE_OK);
  archive_write_data (zip, head, strlen (head));
  for (gsize written = 0; written < total; written += 1024 * 1024)
    g_assert_cmpint (archive_write_data (zip, chunk, 1024 * 1024), ==, 1024 * 1024);
  archive_entry_free (entry);
  g_assert_cmpint (archive_write_close (zip), ==, ARCHIVE_OK);
  archive_write_free (zip);

  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_test_message ("bomb: %lld bytes", (long long) st.st_size);
  g_assert_cmpint (st.st_size, <, 2 * 1024 * 1024);
  load_fails (path, "xl/worksheets/ledger.xml is larger than 200 MiB uncompressed; refused", NULL);
}

/* ---- small files that claim a lot --------------------------------------- */

#define IS(ref, text) "<c r=\"" ref "\" t=\"inlineStr\"><is><t>" text "</t></is></c>"
#define SHEET_HEAD "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
#define SHEET_TAIL "</sheetData></worksheet>"

static void
write_workbook (const char *path,
                const char *workbook,
                const char *shared_strings,
                const char *sheet)
{
  const char * const parts[] = {
    "_rels/.rels", PACKAGE_RELS,
    "xl/workbook.xml", workbook,
    "xl/_rels/workbook.xml.rels", WORKBOOK_RELS,
    "xl/sharedStrings.xml", shared_strings,
    "xl/worksheets/ledger.xml", sheet,
    NULL,
  };

  write_zip (path, parts);
}

/* A header cell far right (Excel's last column, XFD) made every one of
 * many rows 16,384 cells wide; the header's last column now sets the
 * width, and a header of thousands of columns is refused. Cells right of
 * the header are left out, and a row with nothing left is no row. */
static void
test_wide (void)
{
  g_autofree char *path = g_build_filename (root, "wide.xlsx", NULL);
  g_autofree char *uscc = make_uscc (33);
  g_autoptr(GString) sheet = g_string_new (SHEET_HEAD "<row r=\"1\">" IS ("A1", "项目编号") IS ("B1", "项目名称")
                                           IS ("XFD1", "x") "</row>");
  g_autoptr(ProcuraImport) import = NULL;
  g_autoptr(ProcuraStore) store = new_store (NULL);

  for (guint i = 2; i < 2000; i++)
    g_string_append_printf (sheet, "<row r=\"%u\"><c r=\"A%u\"><v>1</v></c></row>", i, i);
  g_string_append (sheet, SHEET_TAIL);
  write_workbook (path, WORKBOOK, SHARED_STRINGS, sheet->str);
  load_fails (path, "Line 1: the header row names more than 1000 columns", NULL);

  g_string_printf (sheet, SHEET_HEAD
                   "<row r=\"1\">" IS ("A1", "项目编号") IS ("B1", "项目名称") IS ("C1", "承接机构")
                   IS ("D1", "统一社会信用代码") IS ("E1", "类别") IS ("F1", "采购方式") "</row>"
                   "<row r=\"2\">" IS ("A2", "W-1") IS ("B2", "标题") IS ("C2", "春雨社会工作服务中心")
                   IS ("D2", "%s") IS ("E2", "养老服务") IS ("F2", "询价") IS ("XFD2", "right of the header") "</row>"
                   "<row r=\"3\">" IS ("XFD3", "right of the header") "</row>"
                   "<row r=\"4\">" IS ("A4", " ") IS ("C4", "\t") "</row>"
                   SHEET_TAIL, uscc);
  write_workbook (path, WORKBOOK, SHARED_STRINGS, sheet->str);
  import = load_ok (path);
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, 1);
  run_ok (import, store, PROCURA_IMPORT_ALL_OR_NONE);
  g_assert_cmpuint (procura_import_get_n_problems (import), ==, 0);
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 1);
}

/* One long shared string shown by many cells: a small file, and
 * gigabytes once each cell holds its copy. The text read is bounded. */
static void
test_shared_string_bomb (void)
{
  g_autofree char *path = g_build_filename (root, "shared-bomb.xlsx", NULL);
  g_autoptr(GString) strings = g_string_new ("<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                                             "<si><t>项目编号</t></si><si><t>项目名称</t></si><si><t>");
  g_autoptr(GString) sheet = g_string_new (SHEET_HEAD "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
                                           "<c r=\"B1\" t=\"s\"><v>1</v></c></row>");

  /* 1 MiB, shown 300 times: 300 MiB */
  for (guint i = 0; i < 1024 * 1024 / 8; i++)
    g_string_append (strings, "xxxxxxxx");
  g_string_append (strings, "</t></si></sst>");
  for (guint i = 2; i < 152; i++)
    g_string_append_printf (sheet, "<row r=\"%u\"><c r=\"A%u\" t=\"s\"><v>2</v></c>"
                            "<c r=\"B%u\" t=\"s\"><v>2</v></c></row>", i, i, i);
  g_string_append (sheet, SHEET_TAIL);
  write_workbook (path, WORKBOOK, strings->str, sheet->str);
  load_fails (path, "xl/worksheets/ledger.xml: the cells hold more than 256 MiB of text; refused", NULL);
}

/* ---- dates --------------------------------------------------------------- */

#define WORKBOOK_1904 \
  "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n" \
  "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" " \
  "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">" \
  "<workbookPr date1904=\"1\" defaultThemeVersion=\"124226\"/>" \
  "<sheets><sheet name=\"台账\" sheetId=\"2\" r:id=\"rId7\"/></sheets>" \
  "</workbook>"

/* Old Mac workbooks count days from 1904; a date with a time is a day
 * number with a fraction, the day is what counts. */
static void
test_dates (void)
{
  g_autofree char *path = g_build_filename (root, "dates.xlsx", NULL);
  g_autofree char *uscc = make_uscc (34);
  const char *workbooks[] = { WORKBOOK, WORKBOOK_1904 };
  /* 2021-08-01 and 2022-07-31, counted from 1900 and from 1904 */
  const char *days[][2] = { { "44409.5", "44773" }, { "42947.75", "43311" } };

  for (guint w = 0; w < G_N_ELEMENTS (workbooks); w++)
    {
      g_autoptr(ProcuraStore) store = new_store (NULL);
      g_autoptr(ProcuraImport) import = NULL;
      g_autoptr(ProcuraRecord) d1 = NULL, d2 = NULL;
      g_autofree char *sheet = g_strdup_printf (
        SHEET_HEAD
        "<row r=\"1\">" IS ("A1", "项目编号") IS ("B1", "项目名称") IS ("C1", "承接机构")
        IS ("D1", "统一社会信用代码") IS ("E1", "类别") IS ("F1", "采购方式") IS ("G1", "开始日期")
        IS ("H1", "结束日期") "</row>"
        "<row r=\"2\">" IS ("A2", "D-1") IS ("B2", "标题") IS ("C2", "春雨社会工作服务中心") IS ("D2", "%s")
        IS ("E2", "养老服务") IS ("F2", "询价") "<c r=\"G2\" s=\"1\"><v>%s</v></c><c r=\"H2\" s=\"1\"><v>%s</v></c></row>"
        "<row r=\"3\">" IS ("A3", "D-2") IS ("B3", "标题") IS ("C3", "春雨社会工作服务中心") IS ("D3", "%s")
        IS ("E3", "养老服务") IS ("F3", "询价") IS ("G3", "2021-08-01 00:00:00") IS ("H3", "2022/7/31 0:00") "</row>"
        SHEET_TAIL, uscc, days[w][0], days[w][1], uscc);

      write_workbook (path, workbooks[w], SHARED_STRINGS, sheet);
      import = load_ok (path);
      run_ok (import, store, PROCURA_IMPORT_ALL_OR_NONE);
      g_assert_cmpuint (procura_import_get_n_problems (import), ==, 0);
      d1 = project_by_code (store, "D-1");
      d2 = project_by_code (store, "D-2");
      g_assert_cmpstr (procura_record_get_string (d1, "start_date"), ==, "2021-08-01");
      g_assert_cmpstr (procura_record_get_string (d1, "end_date"), ==, "2022-07-31");
      /* text is text, whatever the workbook counts from */
      g_assert_cmpstr (procura_record_get_string (d2, "start_date"), ==, "2021-08-01");
      g_assert_cmpstr (procura_record_get_string (d2, "end_date"), ==, "2022-07-31");
    }
}

#undef IS

/* ---- round trip through our XLSX export --------------------------------------- */

static void
test_export_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) source = NULL;
  g_autoptr(GPtrArray) orgs = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(ProcuraImport) from_xlsx = NULL;
  g_autoptr(ProcuraImport) from_csv = NULL;
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autofree char *dir = g_build_filename (root, "demo", NULL);
  g_autofree char *xlsx = g_build_filename (root, "export.xlsx", NULL);
  g_autofree char *xlsx_report = NULL, *csv_report = NULL;
  const ProcuraExportTable tables[] = { PROCURA_EXPORT_TABLE_LEDGER, PROCURA_EXPORT_TABLE_PAYMENTS };
  ProcuraStore *targets[2];
  guint n_written = 0, n_completed = 0;

  source = procura_store_open (dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (source, TODAY);
  procura_store_set_actor (source, "test");
  g_assert_true (procura_demo_generate (source, 60, 5, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (procura_export_xlsx_to_file (source, tables, G_N_ELEMENTS (tables), NULL, xlsx, &error));
  g_assert_no_error (error);
  g_assert_true (procura_export_csv (source, PROCURA_EXPORT_TABLE_LEDGER, NULL, csv, &error));
  g_assert_no_error (error);

  orgs = procura_store_list (source, PROCURA_ENTITY_ORGANIZATION, NULL, NULL, &error);
  g_assert_no_error (error);
  for (guint t = 0; t < G_N_ELEMENTS (targets); t++)
    {
      g_autofree char *target_dir = g_strdup_printf ("%s/target-%u", root, t);

      targets[t] = procura_store_open (target_dir, &error);
      g_assert_no_error (error);
      procura_store_set_today (targets[t], TODAY);
      procura_store_set_actor (targets[t], "test");
      g_assert_true (procura_store_begin (targets[t], &error));
      for (guint i = 0; i < orgs->len; i++)
        {
          g_autoptr(ProcuraRecord) copy = procura_record_copy (g_ptr_array_index (orgs, i));

          g_assert_true (procura_store_insert (targets[t], copy, &error));
          g_assert_no_error (error);
        }
      g_assert_true (procura_store_commit (targets[t], &error));
    }

  /* the ledger is the first sheet; its rows as the CSV export's */
  from_xlsx = load_ok (xlsx);
  g_assert_cmpstr (procura_import_get_encoding (from_xlsx), ==, "XLSX");
  g_assert_null (procura_import_get_unknown_columns (from_xlsx)[0]);
  g_assert_cmpuint (g_strv_length ((char **) procura_import_get_ignored_columns (from_xlsx)), ==, 4);
  from_csv = procura_import_csv_parse (csv->str, csv->len, &error);
  g_assert_no_error (error);
  run_ok (from_xlsx, targets[0], PROCURA_IMPORT_VALID_ROWS);
  run_ok (from_csv, targets[1], PROCURA_IMPORT_VALID_ROWS);
  xlsx_report = report (from_xlsx);
  csv_report = report (from_csv);
  g_test_message ("report:\n%s", xlsx_report);
  g_assert_cmpstr (xlsx_report, ==, csv_report);
  g_assert_cmpuint (procura_import_get_n_written (from_xlsx), ==, procura_import_get_n_written (from_csv));
  assert_store_check_passes (targets[0]);

  projects = procura_store_list (source, PROCURA_ENTITY_PROJECT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (procura_import_get_n_rows (from_xlsx), ==, projects->len);
  for (guint i = 0; i < projects->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (projects, i);
      static const char * const fields[] = {
        "title", "agency_id", "buyer_id", "street", "community", "category", "method",
        "status", "start_date", "end_date", "date_signed",
      };
      g_autoptr(GPtrArray) found = procura_store_list (targets[0], PROCURA_ENTITY_PROJECT, "code",
                                                       procura_record_get_string (p, "code"), &error);

      g_assert_no_error (error);
      if (found->len == 0)
        continue;
      n_written++;
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          const char *expected = procura_record_get_string (p, fields[f]);

          /* a completed project comes in active (its final milestone and
           * evaluation are not in a ledger), with a note */
          if (strcmp (fields[f], "status") == 0 && g_strcmp0 (expected, "completed") == 0)
            {
              expected = "active";
              n_completed++;
            }
          g_assert_cmpstr (procura_record_get_string (g_ptr_array_index (found, 0), fields[f]), ==, expected);
        }
      if (procura_record_has (p, "value"))
        g_assert_cmpint (procura_record_get_int (g_ptr_array_index (found, 0), "value", -1), ==,
                         procura_record_get_int (p, "value", -1));
    }
  g_assert_cmpuint (n_written, ==, procura_import_get_n_written (from_xlsx));
  g_assert_cmpuint (n_written, >, 0);
  g_assert_cmpuint (n_completed, >, 0);
  g_assert_cmpuint (procura_import_get_n_noted (from_xlsx), ==, n_completed);

  for (guint t = 0; t < G_N_ELEMENTS (targets); t++)
    g_object_unref (targets[t]);
}

/* ---- procura-cli import -------------------------------------------------------- */

static const char *cli;
static char **cli_env;

static void
test_cli (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = g_build_filename (root, "cli-ledger.xlsx", NULL);
  g_autofree char *broken = g_build_filename (root, "cli-broken.xlsx", NULL);
  g_autoptr(GError) error = NULL;

  if (cli == NULL)
    {
      g_test_skip ("no procura-cli");
      return;
    }

  g_object_unref (new_store (&dir));
  write_ledger_xlsx (path, FALSE);
  g_assert_true (g_file_set_contents (broken, "PK\003\004", 4, &error));

  {
    g_autofree char *out = NULL, *err = NULL;
    const char *argv[] = { cli, "--data-dir", dir, "--today", TODAY, "import", path, NULL };

    g_assert_cmpint (procura_test_run (cli_env, NULL, &out, &err, argv), ==, 1);
    g_test_message ("%s", out);
    g_assert_nonnull (strstr (out, "Encoding: XLSX\n"));
    g_assert_nonnull (strstr (out, "\nLine 8: 项目编号: “P-001” is also on line 2\n"));
    /* both problems of row 14, each on a line of its own (OLD-1 is new here) */
    g_assert_nonnull (strstr (out, "\nLine 14: 开始日期: there is no day 2021-02-30 in the calendar\n"
                                   "Line 14: 状态: “进行了” is not one of: Draft, In progress, Completed, Terminated early, Cancelled\n"));
    g_assert_nonnull (strstr (out, "\nLine 15: Project title: required"));
    g_assert_null (strstr (out, "Line 2:"));
    g_assert_nonnull (strstr (out, "14 rows: 4 without problems, 10 with problems\n"));
    g_assert_nonnull (strstr (err, "Nothing written"));
  }
  {
    g_autofree char *out = NULL;
    const char *argv[] = { cli, "--data-dir", dir, "--today", TODAY, "import", path, "--valid-rows", NULL };

    g_assert_cmpint (procura_test_run (cli_env, NULL, &out, NULL, argv), ==, 0);
    g_assert_nonnull (strstr (out, "Imported 4 projects.\n"));
  }
  {
    g_autofree char *err = NULL;
    const char *argv[] = { cli, "--data-dir", dir, "--today", TODAY, "import", broken, NULL };

    g_assert_cmpint (procura_test_run (cli_env, NULL, NULL, &err, argv), ==, 1);
    g_assert_nonnull (strstr (err, "cli-broken.xlsx: not an XLSX workbook"));
  }
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  int status;

  setlocale (LC_ALL, "");
  if (!procura_test_init_cli (&argc, &argv, &cli, &cli_env))
    cli = NULL;

  root = g_dir_make_tmp ("procura-test-import-xlsx-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/import-xlsx/hand-built", test_hand_built);
  g_test_add_func ("/import-xlsx/title-row", test_title_row);
  g_test_add_func ("/import-xlsx/same-as-csv", test_same_as_csv);
  g_test_add_func ("/import-xlsx/malformed", test_malformed);
  g_test_add_func ("/import-xlsx/zip-bomb", test_zip_bomb);
  g_test_add_func ("/import-xlsx/wide", test_wide);
  g_test_add_func ("/import-xlsx/shared-string-bomb", test_shared_string_bomb);
  g_test_add_func ("/import-xlsx/dates", test_dates);
  g_test_add_func ("/import-xlsx/export-round-trip", test_export_round_trip);
  g_test_add_func ("/import-xlsx/cli", test_cli);

  status = g_test_run ();

  procura_test_remove_tree (root);
  g_free (root);
  g_strfreev (cli_env);

  return status;
}
