/* test-import-csv.c — the project ledger from CSV, in the library and
 * through `procura-cli import`
 *
 * Encodings detected (UTF-8, UTF-8 with BOM, GB18030 made here with
 * g_convert), RFC 4180 quoting and the line numbers after a cell with line
 * breaks, Chinese and English headers, 万元, the dates officers type and
 * Excel day numbers, each kind of bad row reported on its line, nothing
 * written unless every row is good or the valid rows are asked for, and a
 * round trip through our own CSV export.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <libintl.h>
#include <locale.h>
#include <string.h>

#include "procura-date.h"
#include "procura-demo.h"
#include "procura-error.h"
#include "procura-export-csv.h"
#include "procura-import-csv.h"
#include "procura-record.h"
#include "procura-schema.h"
#include "procura-store.h"
#include "procura-test-utils.h"

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
parse_ok (const char *text,
          gssize      length)
{
  g_autoptr(GError) error = NULL;
  ProcuraImport *import = procura_import_csv_parse (text, length < 0 ? strlen (text) : (gsize) length, &error);

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

/* The rows with a problem as "LINE: problem" lines, to compare whole. */
static char *
problems (ProcuraImport *import)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < procura_import_get_n_rows (import); i++)
    if (procura_import_get_row_problem (import, i) != NULL)
      g_string_append_printf (out, "%u: %s\n", procura_import_get_row_line (import, i),
                              procura_import_get_row_problem (import, i));

  return g_string_free (out, FALSE);
}

/* ---- dates ------------------------------------------------------------ */

static void
test_dates (void)
{
  static const struct { const char *text, *date; } good[] = {
    { "44409", "2021-08-01" },      /* the day number Excel stores */
    { "44409.0", "2021-08-01" },
    { "1", "1900-01-01" },
    { "59", "1900-02-28" },
    { "61", "1900-03-01" },          /* after Lotus's 29 February 1900 */
    { "2021-08-01", "2021-08-01" },
    { "2021/8/1", "2021-08-01" },
    { "2021.8.1", "2021-08-01" },
    { "2021年8月1日", "2021-08-01" },
    { " 2021-8-1 ", "2021-08-01" },
  };
  static const char * const bad[] = { "60", "0", "abc", "2021-02-30", "44409.5", "", "9999999" };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *date = procura_date_parse_spreadsheet (good[i].text, "开始日期", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (date, ==, good[i].date);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *date = procura_date_parse_spreadsheet (bad[i], "开始日期", &error);

      g_assert_null (date);
      g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
      g_assert_true (g_str_has_prefix (error->message, "开始日期: "));
    }
}

/* ---- encodings and quoting ---------------------------------------------- */

#define HEADER_ZH "项目编号,项目名称,承接机构,统一社会信用代码,购买主体,类别,采购方式,状态,合同金额(元),开始日期,结束日期,签订日期"

static char *
good_ledger (void)
{
  g_autofree char *uscc = make_uscc (1);

  return g_strdup_printf (HEADER_ZH "\r\n"
                          "E-001,长者饭堂服务项目,春雨社会工作服务中心,%s," BUYER ",养老服务,公开招标,执行中,\"96,500.00\",2021/8/1,2022年7月31日,44400\r\n"
                          "E-002,青少年“四点半课堂”,春雨社会工作服务中心,%s," BUYER ",儿童青少年服务,询价,草稿,100000,2021.9.1,44803,\r\n",
                          uscc, uscc);
}

static void
check_good_ledger (ProcuraStore *store)
{
  g_autoptr(ProcuraRecord) p1 = project_by_code (store, "E-001");
  g_autoptr(ProcuraRecord) p2 = project_by_code (store, "E-002");

  g_assert_cmpstr (procura_record_get_string (p1, "title"), ==, "长者饭堂服务项目");
  g_assert_cmpstr (procura_record_get_string (p1, "status"), ==, "active");
  g_assert_cmpstr (procura_record_get_string (p1, "category"), ==, "elderly");
  g_assert_cmpstr (procura_record_get_string (p1, "method"), ==, "open_tender");
  g_assert_cmpint (procura_record_get_int (p1, "value", -1), ==, 9650000);
  g_assert_cmpstr (procura_record_get_string (p1, "start_date"), ==, "2021-08-01");
  g_assert_cmpstr (procura_record_get_string (p1, "end_date"), ==, "2022-07-31");
  g_assert_cmpstr (procura_record_get_string (p1, "date_signed"), ==, "2021-07-23");
  g_assert_cmpstr (procura_record_get_string (p2, "title"), ==, "青少年“四点半课堂”");
  g_assert_cmpstr (procura_record_get_string (p2, "status"), ==, "draft");
  g_assert_cmpstr (procura_record_get_string (p2, "end_date"), ==, "2022-08-30");
  /* one agency, created once, referenced by both */
  g_assert_cmpstr (procura_record_get_string (p1, "agency_id"), ==, procura_record_get_string (p2, "agency_id"));
  g_assert_cmpuint (count (store, PROCURA_ENTITY_ORGANIZATION), ==, 2);
}

static void
test_encodings (void)
{
  g_autofree char *utf8 = good_ledger ();
  g_autofree char *bom = g_strconcat ("\xEF\xBB\xBF", utf8, NULL);
  g_autoptr(GError) error = NULL;
  gsize gb_len = 0;
  g_autofree char *gb = g_convert (utf8, -1, "GB18030", "UTF-8", NULL, &gb_len, &error);
  const struct { const char *data; gsize len; const char *encoding; } files[] = {
    { utf8, strlen (utf8), "UTF-8" },
    { bom, strlen (bom), "UTF-8 (BOM)" },
    { gb, gb_len, "GB18030" },
  };

  g_assert_no_error (error);
  /* the GB18030 bytes really are not UTF-8, or the test tests nothing */
  g_assert_false (g_utf8_validate_len (gb, gb_len, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr(ProcuraStore) store = new_store (NULL);
      g_autoptr(ProcuraImport) import = parse_ok (files[i].data, files[i].len);
      g_autofree char *report = NULL;

      g_assert_cmpstr (procura_import_get_encoding (import), ==, files[i].encoding);
      g_assert_null (procura_import_get_unknown_columns (import)[0]);
      g_assert_cmpuint (procura_import_get_n_rows (import), ==, 2);
      run_ok (import, store, PROCURA_IMPORT_ALL_OR_NONE);
      report = problems (import);
      g_assert_cmpstr (report, ==, "");
      g_assert_cmpuint (procura_import_get_n_written (import), ==, 2);
      check_good_ledger (store);
    }

  /* neither encoding: refused as a whole */
  {
    g_autoptr(ProcuraImport) import = procura_import_csv_parse ("\xff\xfe\xff,\x80\n", 6, &error);

    g_assert_null (import);
    g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
    g_clear_error (&error);
  }
}

static void
test_quoting (void)
{
  g_autoptr(ProcuraStore) store = new_store (NULL);
  g_autofree char *uscc = make_uscc (2);
  /* English headers, LF line ends, a title with a comma, a doubled quote
   * and a line break, and a line number counted after it */
  g_autofree char *csv = g_strdup_printf (
    "Project number,Project title,Contracted agency,Unified social credit code,Category,Procurement method,Contract value (yuan),Note\n"
    "Q-1,\"Homes, \"\"safe\"\" and\nwarm\",Agency A,%s,Elderly care,Open tender,1000,x\n"
    "\n"
    "Q-2,,Agency A,%s,Elderly care,Open tender,1000,\"y,\n\"\n"
    "Q-3,'=SUM(A1),Agency A,%s,elderly,single_source,1000,\n",
    uscc, uscc, uscc);
  g_autoptr(ProcuraImport) import = parse_ok (csv, -1);
  g_autoptr(ProcuraRecord) q1 = NULL, q3 = NULL;
  g_autofree char *report = NULL;

  g_assert_cmpstr (procura_import_get_unknown_columns (import)[0], ==, "Note");
  g_assert_null (procura_import_get_unknown_columns (import)[1]);
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, 3);
  g_assert_cmpuint (procura_import_get_row_line (import, 0), ==, 2);
  g_assert_cmpuint (procura_import_get_row_line (import, 1), ==, 5);
  g_assert_cmpuint (procura_import_get_row_line (import, 2), ==, 7);

  run_ok (import, store, PROCURA_IMPORT_VALID_ROWS);
  report = problems (import);
  g_assert_true (g_str_has_prefix (report, "5: Project title: "));
  g_assert_cmpuint (procura_import_get_n_problems (import), ==, 1);

  q1 = project_by_code (store, "Q-1");
  g_assert_cmpstr (procura_record_get_string (q1, "title"), ==, "Homes, \"safe\" and\nwarm");
  /* our export's apostrophe guard comes off again */
  q3 = project_by_code (store, "Q-3");
  g_assert_cmpstr (procura_record_get_string (q3, "title"), ==, "=SUM(A1)");

  /* an unterminated quote: the file is refused, naming the line */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(ProcuraImport) broken = procura_import_csv_parse ("编号,名称\nA,\"open\n", strlen ("编号,名称\nA,\"open\n"), &error);

    g_assert_null (broken);
    g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "Line 2"));
  }
}

/* A title and a note above the header, as officers' ledgers have: the
 * header is found below them and the lines keep their numbers. */
static void
test_title_rows (void)
{
  g_autoptr(ProcuraStore) store = new_store (NULL);
  g_autofree char *uscc = make_uscc (3);
  g_autofree char *csv = g_strdup_printf (
    "天元区2021年政府购买社会工作服务项目台账,,,\r\n"
    ",,,单位：元\r\n"
    "\r\n"
    "项目编号,项目名称,承接机构,统一社会信用代码,类别,采购方式,合同金额(元)\r\n"
    "T-1,,春雨社工,%s,养老服务,询价,100\r\n"
    "T-2,标题二,春雨社工,%s,养老服务,询价,100\r\n",
    uscc, uscc);
  g_autoptr(ProcuraImport) import = parse_ok (csv, -1);
  g_autofree char *report = NULL;

  g_assert_null (procura_import_get_unknown_columns (import)[0]);
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, 2);
  g_assert_cmpuint (procura_import_get_row_line (import, 0), ==, 5);
  run_ok (import, store, PROCURA_IMPORT_VALID_ROWS);
  report = problems (import);
  g_assert_true (g_str_has_prefix (report, "5: Project title: required"));
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 1);

  /* a first row naming one known column is still the header when no
   * row below names two */
  {
    g_autoptr(ProcuraImport) one = parse_ok ("名称,其他\nA,B\n", -1);

    g_assert_cmpuint (procura_import_get_n_rows (one), ==, 1);
    g_assert_cmpstr (procura_import_get_unknown_columns (one)[0], ==, "其他");
  }
}

/* ---- every kind of bad row ---------------------------------------------- */

static char *
mixed_ledger (void)
{
  g_autofree char *u1 = make_uscc (11);
  g_autofree char *u2 = make_uscc (12);

  return g_strdup_printf (
    "项目编号,项目名称,承接机构,统一社会信用代码,购买主体,类别,采购方式,状态,合同金额(万元),开始日期,结束日期,备注,合同签订日期\r\n"
    /* 2 */ "P-001,\"社区服务, 一期\",春雨社工,%s," BUYER ",社区治理,公开招标,执行中,12.5,2021/8/1,44773,,2021-07-20\r\n"
    /* 3 */ "P-002,\"多行\r\n标题 \"\"引号\"\"\",春雨社工,%s," BUYER ",养老服务,单一来源,草稿,8,2021年8月1日,2022.7.31,\r\n"
    /* 5 */ "P-003,,春雨社工,%s," BUYER ",养老服务,询价,草稿,8,2021-08-01,2022-07-31,\r\n"
    /* 6 */ "P-004,标题四,春雨社工,%s," BUYER ",养老服务,询价,草稿,8,2021-13-01,2022-07-31,\r\n"
    /* 7 */ "P-005,标题五,春雨社工,%s," BUYER ",养老服务,询价,草稿,8.1234567,2021-08-01,2022-07-31,\r\n"
    /* 8 */ "P-006,标题六,新机构,91110000MA0000000X," BUYER ",养老服务,询价,草稿,8,2021-08-01,2022-07-31,\r\n"
    /* 9 */ "P-001,重复,春雨社工,%s," BUYER ",养老服务,询价,草稿,8,2021-08-01,2022-07-31,\r\n"
    /* 10 */ "P-007,标题七,春雨社工,%s," BUYER ",养老服务,询价,进行了,8,2021-08-01,2022-07-31,\r\n"
    /* 11 */ "OLD-1,已有项目,春雨社工,%s," BUYER ",养老服务,询价,草稿,8,2021-08-01,2022-07-31,\r\n"
    /* 12 */ "P-008,标题八,秋实社工,%s," BUYER ",家庭服务,竞争性磋商,草稿,0.5,2021-08-01,2022-07-31,\r\n"
    /* 13 */ "P-009,标题九,春雨社工,%s," BUYER ",养老服务,询价,草稿,8,2022-08-01,2021-07-31,\r\n"
    /* 14 */ "P-010,标题十,无名机构,," BUYER ",养老服务,询价,草稿,8,2021-08-01,2022-07-31,\r\n",
    u1, u1, u1, u1, u1, u1, u1, u1, u2, u1);
}

static void
assert_mixed_report (ProcuraImport *import)
{
  g_autofree char *report = problems (import);
  g_auto(GStrv) lines = g_strsplit (report, "\n", -1);
  static const struct { const char *prefix; const char *contains; } expected[] = {
    { "5: Project title: ", NULL },
    { "6: 开始日期: ", NULL },
    { "7: 合同金额(万元): ", NULL },
    { "8: 统一社会信用代码: organization code check character should be", NULL },
    { "9: 项目编号: “P-001” is also on line 2", NULL },
    { "10: 状态: “进行了” is not one of: Draft, In progress, Completed, Terminated early, Cancelled", NULL },
    { "11: 项目编号: “OLD-1” is already in the ledger", NULL },
    { "13: ", "End date" },
    { "14: 承接机构: no organization named “无名机构”", NULL },
  };

  g_test_message ("report:\n%s", report);
  g_assert_cmpuint (g_strv_length (lines), ==, G_N_ELEMENTS (expected) + 1);
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      g_assert_true (g_str_has_prefix (lines[i], expected[i].prefix));
      if (expected[i].contains != NULL)
        g_assert_nonnull (strstr (lines[i], expected[i].contains));
    }
  g_assert_cmpuint (procura_import_get_n_problems (import), ==, G_N_ELEMENTS (expected));
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, 12);
}

static ProcuraStore *
store_with_old_project (void)
{
  ProcuraStore *store = new_store (NULL);
  g_autofree char *u1 = make_uscc (11);
  g_autofree char *csv = g_strdup_printf (
    "编号,名称,承接机构,统一社会信用代码,类别,采购方式\n"
    "OLD-1,已有项目,春雨社工,%s,养老服务,询价\n", u1);
  g_autoptr(ProcuraImport) import = parse_ok (csv, -1);

  run_ok (import, store, PROCURA_IMPORT_ALL_OR_NONE);
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 1);
  g_assert_cmpuint (count (store, PROCURA_ENTITY_PROJECT), ==, 1);

  return store;
}

static void
test_problems (void)
{
  g_autoptr(ProcuraStore) store = store_with_old_project ();
  g_autofree char *csv = mixed_ledger ();
  g_autoptr(ProcuraImport) import = parse_ok (csv, -1);
  guint orgs = count (store, PROCURA_ENTITY_ORGANIZATION);

  g_assert_cmpstr (procura_import_get_unknown_columns (import)[0], ==, "备注");

  /* a dry run and an all-or-nothing import write nothing, not even the
   * new agency of the good row 12 */
  run_ok (import, store, PROCURA_IMPORT_DRY_RUN);
  assert_mixed_report (import);
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 0);
  run_ok (import, store, PROCURA_IMPORT_ALL_OR_NONE);
  assert_mixed_report (import);
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 0);
  g_assert_cmpuint (count (store, PROCURA_ENTITY_PROJECT), ==, 1);
  g_assert_cmpuint (count (store, PROCURA_ENTITY_ORGANIZATION), ==, orgs);

  /* the valid rows: 2, 3 and 12, in one commit */
  run_ok (import, store, PROCURA_IMPORT_VALID_ROWS);
  assert_mixed_report (import);
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 3);
  g_assert_cmpuint (count (store, PROCURA_ENTITY_PROJECT), ==, 4);
  g_assert_cmpuint (count (store, PROCURA_ENTITY_ORGANIZATION), ==, orgs + 1);
  /* the savepoints of the bad rows left history and outbox consistent */
  assert_store_check_passes (store);
  {
    g_autoptr(ProcuraRecord) p1 = project_by_code (store, "P-001");
    g_autoptr(ProcuraRecord) p2 = project_by_code (store, "P-002");
    g_autoptr(ProcuraRecord) p8 = project_by_code (store, "P-008");

    /* 12.5 万元 and 0.5 万元, exactly */
    g_assert_cmpint (procura_record_get_int (p1, "value", -1), ==, G_GINT64_CONSTANT (12500000));
    g_assert_cmpint (procura_record_get_int (p8, "value", -1), ==, 500000);
    g_assert_cmpstr (procura_record_get_string (p1, "title"), ==, "社区服务, 一期");
    g_assert_cmpstr (procura_record_get_string (p1, "status"), ==, "active");
    g_assert_cmpstr (procura_record_get_string (p1, "end_date"), ==, "2022-07-31");
    g_assert_cmpstr (procura_record_get_string (p2, "title"), ==, "多行\r\n标题 \"引号\"");
    g_assert_cmpstr (procura_record_get_string (p8, "method"), ==, "competitive_consultation");
  }

  /* again: now every good row is already in the ledger */
  {
    g_autoptr(ProcuraImport) again = parse_ok (csv, -1);

    run_ok (again, store, PROCURA_IMPORT_VALID_ROWS);
    g_assert_cmpuint (procura_import_get_n_problems (again), ==, 12);
    g_assert_cmpuint (procura_import_get_n_written (again), ==, 0);
    g_assert_cmpuint (count (store, PROCURA_ENTITY_PROJECT), ==, 4);
  }
}

/* ---- what officers' files also hold ---------------------------------------- */

/* Excel writes the blank rows of a sheet's used range as ",,,,": they
 * are no rows, not rows without a project number. */
static void
test_blank_rows (void)
{
  g_autoptr(ProcuraStore) store = new_store (NULL);
  g_autofree char *uscc = make_uscc (21);
  g_autofree char *csv = g_strdup_printf (
    ",,,,,\r\n"
    "项目编号,项目名称,承接机构,统一社会信用代码,类别,采购方式\r\n"
    "B-1,标题,春雨社工,%s,养老服务,询价\r\n"
    ",,,,,\r\n"
    " , ,\"\",,\t,\r\n"
    "B-2,标题二,春雨社工,%s,养老服务,询价\r\n"
    ",,,,,\r\n", uscc, uscc);
  g_autoptr(ProcuraImport) import = parse_ok (csv, -1);
  g_autofree char *report = NULL;

  g_assert_cmpuint (procura_import_get_n_rows (import), ==, 2);
  g_assert_cmpuint (procura_import_get_row_line (import, 0), ==, 3);
  g_assert_cmpuint (procura_import_get_row_line (import, 1), ==, 6);
  run_ok (import, store, PROCURA_IMPORT_ALL_OR_NONE);
  report = problems (import);
  g_assert_cmpstr (report, ==, "");
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 2);
}

/* A UTF-8 row pasted into a GB18030 file: either reading stores
 * mojibake, so the file is refused, naming a line of each. */
static void
test_mixed_encodings (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *gb_row = g_convert ("M-2,青少年服务项目,新机构乙\n", -1, "GB18030", "UTF-8", NULL, NULL, &error);
  g_autofree char *csv = NULL;
  g_autoptr(ProcuraImport) import = NULL;

  g_assert_no_error (error);
  csv = g_strconcat ("project number,project title,agency\n"
                     "M-1,社区治理项目,新机构甲\n", gb_row, NULL);
  import = procura_import_csv_parse (csv, strlen (csv), &error);
  g_assert_null (import);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "Line 2 is UTF-8 text but line 3 is not; save the file in one encoding");
}

/* A header row of thousands of columns is not a ledger: refused at once
 * rather than mapped cell by cell. */
static void
test_wide_header (void)
{
  g_autoptr(GString) csv = g_string_new ("项目编号,项目名称");
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraImport) import = NULL;
  gint64 start;

  for (guint i = 0; i < 5000; i++)
    g_string_append (csv, ",x");
  g_string_append (csv, "\nW-1,标题\n");
  start = g_get_monotonic_time ();
  import = procura_import_csv_parse (csv->str, csv->len, &error);
  g_test_message ("%.2f s", (double) (g_get_monotonic_time () - start) / G_USEC_PER_SEC);
  g_assert_null (import);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "Line 1: the header row names more than 1000 columns; a ledger has far fewer");

  /* no sheet has more columns than Excel's 16,384 */
  g_clear_error (&error);
  g_string_assign (csv, "项目编号,项目名称\nW-1,标题");
  for (guint i = 0; i < 200000; i++)
    g_string_append (csv, ",");
  g_string_append (csv, "\n");
  import = procura_import_csv_parse (csv->str, csv->len, &error);
  g_assert_null (import);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==, "Line 2: more than 16384 cells in a row; not a ledger");

  /* trailing empty header cells are no columns; 999 unknown ones are
   * only unknown */
  g_clear_error (&error);
  g_string_assign (csv, "项目编号,项目名称");
  for (guint i = 0; i < 998; i++)
    g_string_append_printf (csv, ",x%u", i);
  for (guint i = 0; i < 5000; i++)
    g_string_append (csv, ",");
  g_string_append (csv, "\nW-1,标题\n");
  import = procura_import_csv_parse (csv->str, csv->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length ((char **) procura_import_get_unknown_columns (import)), ==, 998);
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, 1);
}

/* Dates with a time (a datetime cell saved as CSV, a day number with a
 * fraction): the day. */
static void
test_date_times (void)
{
  g_autoptr(ProcuraStore) store = new_store (NULL);
  g_autofree char *uscc = make_uscc (22);
  static const struct { const char *text, *date; } dates[] = {
    { "2021-08-01 00:00:00", "2021-08-01" },
    { "2021/8/1 0:00", "2021-08-01" },
    { "2021-08-01T09:30", "2021-08-01" },
    { "2021年8月1日 18:45:30", "2021-08-01" },
    { "44409.5", "2021-08-01" },
    { "44409.999988", "2021-08-01" },
  };
  static const char * const bad[] = { "2021.8", "2021-08-01 25:00", "2021-08-01 noon" };
  g_autoptr(GString) csv = g_string_new ("项目编号,项目名称,承接机构,统一社会信用代码,类别,采购方式,开始日期\n");
  g_autoptr(ProcuraImport) import = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    g_string_append_printf (csv, "T-%u,标题,春雨社工,%s,养老服务,询价,%s\n", i, uscc, dates[i].text);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_string_append_printf (csv, "X-%u,标题,春雨社工,%s,养老服务,询价,%s\n", i, uscc, bad[i]);
  import = parse_ok (csv->str, csv->len);
  run_ok (import, store, PROCURA_IMPORT_VALID_ROWS);
  for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
    {
      g_autofree char *code = g_strdup_printf ("T-%u", i);
      g_autoptr(ProcuraRecord) p = project_by_code (store, code);

      g_test_message ("%s", dates[i].text);
      g_assert_null (procura_import_get_row_problem (import, i));
      g_assert_cmpstr (procura_record_get_string (p, "start_date"), ==, dates[i].date);
      g_assert_null (procura_import_get_row_notes (import, i)[0]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_true (g_str_has_prefix (procura_import_get_row_problem (import, G_N_ELEMENTS (dates) + i), "开始日期: "));
}

/* ---- completed projects ----------------------------------------------------- */

/* A historic ledger is mostly completed projects. Completion needs the
 * final milestone accepted and the final evaluation recorded, which no
 * ledger row gives: such a row comes in active, with a note saying so,
 * when its contract facts allow. Terminated and cancelled ones are
 * taken as they are. */
static char *
status_ledger (void)
{
  g_autofree char *u1 = make_uscc (23);

  return g_strdup_printf (
    "项目编号,项目名称,承接机构,统一社会信用代码,购买主体,合同金额(元),开始日期,结束日期,签订日期,采购方式,状态,类别\n"
    /* 2 */ "S-1,已结项项目,新机构甲,%s," BUYER ",100000,2020-01-01,2020-12-31,2019-12-20,公开招标,已结项,养老服务\n"
    /* 3 */ "S-2,终止项目,新机构甲,%s," BUYER ",100000,2020-01-01,2020-12-31,2019-12-20,公开招标,提前终止,养老服务\n"
    /* 4 */ "S-3,撤销项目,,," BUYER ",100000,,,,公开招标,已撤销,养老服务\n"
    /* 5 */ "S-4,已结项无签订日期,新机构甲,%s," BUYER ",100000,2020-01-01,2020-12-31,,公开招标,Completed,养老服务\n",
    u1, u1, u1);
}

static void
test_completed (void)
{
  g_autoptr(ProcuraStore) store = new_store (NULL);
  g_autofree char *csv = status_ledger ();
  g_autoptr(ProcuraImport) import = parse_ok (csv, -1);
  const char * const *notes;

  run_ok (import, store, PROCURA_IMPORT_VALID_ROWS);
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, 4);
  g_assert_null (procura_import_get_row_problem (import, 0));
  g_assert_null (procura_import_get_row_problem (import, 1));
  g_assert_null (procura_import_get_row_problem (import, 2));
  /* the facts an active project needs are still checked */
  g_assert_true (g_str_has_prefix (procura_import_get_row_problem (import, 3), "Date signed: required"));
  g_assert_cmpuint (procura_import_get_n_problems (import), ==, 1);
  g_assert_cmpuint (procura_import_get_n_written (import), ==, 3);

  notes = procura_import_get_row_notes (import, 0);
  g_assert_nonnull (notes[0]);
  g_assert_null (notes[1]);
  g_assert_cmpstr (notes[0], ==, "状态: the ledger says “已结项”; imported as “In progress”, as a project is completed "
                                 "only once its final milestone is accepted and its final evaluation recorded");
  for (guint i = 1; i < 4; i++)
    g_assert_null (procura_import_get_row_notes (import, i)[0]);
  g_assert_cmpuint (procura_import_get_n_noted (import), ==, 1);

  {
    g_autoptr(ProcuraRecord) s1 = project_by_code (store, "S-1");
    g_autoptr(ProcuraRecord) s2 = project_by_code (store, "S-2");
    g_autoptr(ProcuraRecord) s3 = project_by_code (store, "S-3");

    g_assert_cmpstr (procura_record_get_string (s1, "status"), ==, "active");
    g_assert_cmpstr (procura_record_get_string (s2, "status"), ==, "terminated");
    g_assert_cmpstr (procura_record_get_string (s3, "status"), ==, "cancelled");
  }
  assert_store_check_passes (store);
}

/* ---- zh_CN ---------------------------------------------------------------- */

/* Under zh_CN the field and its reason are joined by a full-width colon:
 * a reason is not given its label twice, and an enumeration's problem
 * lists the labels an officer types, not the codes. */
static void
test_chinese_messages (void)
{
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(ProcuraImport) import = NULL;
  const char *label;

  if (setlocale (LC_ALL, "zh_CN.UTF-8") == NULL)
    {
      g_test_skip ("no zh_CN.UTF-8 locale on this system");
      return;
    }
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  label = g_dgettext (GETTEXT_PACKAGE, "Unified social credit code");
  if (strcmp (label, "Unified social credit code") == 0)
    {
      setlocale (LC_ALL, saved);
      g_test_skip ("the zh_CN catalogue in " BUILD_LOCALEDIR " is not built");
      return;
    }

  store = new_store (NULL);
  import = parse_ok ("项目编号,项目名称,承接机构,统一社会信用代码,类别,采购方式,开始日期\n"
                     "Z-1,标题,春雨社工,52430211MJC81331X,养老服务,询价,2021-08-01\n"
                     "Z-2,标题,春雨社工,,老年服务,公开,2021-08-01\n", -1);
  run_ok (import, store, PROCURA_IMPORT_DRY_RUN);

  {
    const char * const *p1 = procura_import_get_row_problems (import, 0);
    const char * const *p2 = procura_import_get_row_problems (import, 1);
    g_autofree char *all1 = g_strjoinv ("\n", (char **) p1);
    g_autofree char *all2 = g_strjoinv ("\n", (char **) p2);
    g_autofree char *twice = g_strconcat (label, "：", label, NULL);
    const char *first;

    g_test_message ("%s\n%s", all1, all2);
    /* the credit code's reason once under its column, not "统一社会信用代码：统一社会信用代码：…" */
    g_assert_nonnull (p1[0]);
    g_assert_true (g_str_has_prefix (p1[0], "统一社会信用代码"));
    g_assert_null (strstr (p1[0], twice));
    first = strstr (p1[0], label);
    g_assert_null (strstr (first + strlen (label), label));
    /* the labels of categories and methods, in Chinese */
    g_assert_nonnull (strstr (all2, "养老服务"));
    g_assert_nonnull (strstr (all2, "公开招标"));
    g_assert_null (strstr (all2, "elderly"));
    g_assert_null (strstr (all2, "open_tender"));
  }

  setlocale (LC_ALL, saved);
}

/* ---- round trip through our export --------------------------------------- */

static int
compare_codes (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (procura_record_get_string (*(ProcuraRecord **) a, "code"),
                    procura_record_get_string (*(ProcuraRecord **) b, "code"));
}

static void
test_round_trip (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) source = NULL;
  g_autoptr(ProcuraStore) target = NULL;
  g_autoptr(GString) csv = g_string_new (NULL);
  g_autoptr(GPtrArray) orgs = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(ProcuraImport) import = NULL;
  g_autofree char *dir = g_build_filename (root, "demo", NULL);
  g_autofree char *target_dir = g_build_filename (root, "target", NULL);
  const char * const *ignored;
  guint n_plain = 0;

  source = procura_store_open (dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (source, TODAY);
  procura_store_set_actor (source, "test");
  g_assert_true (procura_demo_generate (source, 40, 5, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (procura_export_csv (source, PROCURA_EXPORT_TABLE_LEDGER, NULL, csv, &error));
  g_assert_no_error (error);

  /* the target knows the organizations (buyers are never created by an
   * import) but has no project */
  target = procura_store_open (target_dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (target, TODAY);
  procura_store_set_actor (target, "test");
  orgs = procura_store_list (source, PROCURA_ENTITY_ORGANIZATION, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (procura_store_begin (target, &error));
  for (guint i = 0; i < orgs->len; i++)
    {
      g_autoptr(ProcuraRecord) copy = procura_record_copy (g_ptr_array_index (orgs, i));

      g_assert_true (procura_store_insert (target, copy, &error));
      g_assert_no_error (error);
    }
  g_assert_true (procura_store_commit (target, &error));

  import = parse_ok (csv->str, csv->len);
  g_assert_cmpstr (procura_import_get_encoding (import), ==, "UTF-8 (BOM)");
  g_assert_null (procura_import_get_unknown_columns (import)[0]);
  ignored = procura_import_get_ignored_columns (import);
  /* value with amendments, paid, progress, grade: Procura computes them */
  g_assert_cmpuint (g_strv_length ((char **) ignored), ==, 4);
  g_assert_cmpstr (ignored[0], ==, "Value with amendments (yuan)");
  g_assert_cmpstr (ignored[1], ==, "Paid (yuan)");

  run_ok (import, target, PROCURA_IMPORT_DRY_RUN);
  projects = procura_store_list (source, PROCURA_ENTITY_PROJECT, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (procura_import_get_n_rows (import), ==, projects->len);

  /* Row i is the i-th project by number (the export's order). Drafts and
   * cancelled projects import as they are. A project in force needs its
   * date signed, which the ledger export does not carry (yet); a
   * completed one also needs its final milestone and evaluation, which a
   * ledger never carries: those rows are refused by the store's rules,
   * and say so. */
  g_ptr_array_sort (projects, compare_codes);
  for (guint i = 0; i < procura_import_get_n_rows (import); i++)
    {
      const char *problem = procura_import_get_row_problem (import, i);
      const char *status = procura_record_get_string (g_ptr_array_index (projects, i), "status");

      if (g_strcmp0 (status, "draft") == 0 || g_strcmp0 (status, "cancelled") == 0)
        {
          g_assert_null (problem);
          n_plain++;
        }
      else if (problem != NULL)
        {
          g_test_message ("line %u (%s): %s", procura_import_get_row_line (import, i), status, problem);
          /* a completed project is imported as active, whose rules these are */
          g_assert_true (g_str_has_prefix (problem, "Date signed: required once the contract is signed"));
        }
    }
  g_assert_cmpuint (n_plain, >, 0);
  g_assert_cmpuint (count (target, PROCURA_ENTITY_PROJECT), ==, 0);

  /* the rest, written: the same facts as the source */
  run_ok (import, target, PROCURA_IMPORT_VALID_ROWS);
  g_assert_cmpuint (procura_import_get_n_written (import), ==,
                    procura_import_get_n_rows (import) - procura_import_get_n_problems (import));
  g_assert_cmpuint (procura_import_get_n_written (import), >, 0);
  assert_store_check_passes (target);
  for (guint i = 0; i < projects->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (projects, i);
      static const char * const fields[] = {
        "title", "agency_id", "buyer_id", "street", "community", "category", "method",
        "status", "start_date", "end_date",
      };
      g_autoptr(GPtrArray) found = NULL;

      if (procura_import_get_row_problem (import, i) != NULL)
        continue;
      found = procura_store_list (target, PROCURA_ENTITY_PROJECT, "code",
                                  procura_record_get_string (p, "code"), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (found->len, ==, 1);
      for (guint f = 0; f < G_N_ELEMENTS (fields); f++)
        {
          const char *expected = procura_record_get_string (p, fields[f]);

          /* completed comes in active, with a note */
          if (strcmp (fields[f], "status") == 0 && g_strcmp0 (expected, "completed") == 0)
            {
              expected = "active";
              g_assert_nonnull (procura_import_get_row_notes (import, i)[0]);
            }
          g_assert_cmpstr (procura_record_get_string (g_ptr_array_index (found, 0), fields[f]), ==, expected);
        }
      /* the export writes 0.00 for a draft without a value */
      if (procura_record_has (p, "value"))
        g_assert_cmpint (procura_record_get_int (g_ptr_array_index (found, 0), "value", -1), ==,
                         procura_record_get_int (p, "value", -1));
    }
}

/* ---- procura-cli import ------------------------------------------------- */

static const char *cli;
static char **cli_env;

static int
run_cli (const char  *dir,
         char       **out,
         char       **err,
         const char  *a1,
         const char  *a2,
         const char  *a3)
{
  const char *argv[] = { cli, "--data-dir", dir, "--today", TODAY, "import", a1, a2, a3, NULL };

  return procura_test_run (cli_env, NULL, out, err, argv);
}

static guint
count_in (const char *dir)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraStore) store = procura_store_open (dir, &error);

  g_assert_no_error (error);
  return count (store, PROCURA_ENTITY_PROJECT);
}

static void
test_cli (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *csv = mixed_ledger ();
  g_autofree char *path = g_build_filename (root, "ledger.csv", NULL);
  g_autofree char *xlsx = g_build_filename (root, "ledger.xlsx", NULL);
  g_autoptr(GError) error = NULL;

  if (cli == NULL)
    {
      g_test_skip ("no procura-cli");
      return;
    }

  g_object_unref (new_store (&dir));
  g_assert_true (g_file_set_contents (path, csv, -1, &error));
  g_assert_true (g_file_set_contents (xlsx, "PK\x03\x04", 4, &error));

  {
    g_autofree char *out = NULL, *err = NULL;

    g_assert_cmpint (run_cli (dir, &out, &err, path, NULL, NULL), ==, 1);
    g_assert_nonnull (strstr (out, "Encoding: UTF-8\n"));
    g_assert_nonnull (strstr (out, "Columns not recognised (left out): 备注\n"));
    g_assert_nonnull (strstr (out, "\nLine 5: Project title: "));
    g_assert_nonnull (strstr (out, "\nLine 9: 项目编号: “P-001” is also on line 2\n"));
    g_assert_nonnull (strstr (out, "\nLine 14: 承接机构: "));
    g_assert_null (strstr (out, "Line 2:"));
    g_assert_null (strstr (out, "Line 12:"));
    g_assert_nonnull (strstr (out, "12 rows: 4 without problems, 8 with problems\n"));
    g_assert_nonnull (strstr (err, "Nothing written"));
    g_assert_cmpuint (count_in (dir), ==, 0);
  }
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (run_cli (dir, &out, NULL, path, "--dry-run", NULL), ==, 1);
    g_assert_nonnull (strstr (out, "Dry run: nothing written.\n"));
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_cli (dir, &out, NULL, path, "--dry-run", "--valid-rows"), ==, 0);
    g_assert_cmpuint (count_in (dir), ==, 0);
  }
  {
    g_autofree char *out = NULL;

    g_assert_cmpint (run_cli (dir, &out, NULL, path, "--valid-rows", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "\nLine 9: 项目编号: “P-001” is also on line 2\n"));
    g_assert_nonnull (strstr (out, "Imported 4 projects.\n"));
    g_assert_cmpuint (count_in (dir), ==, 4);
  }
  {
    g_autofree char *err = NULL;

    /* zip magic and nothing else: read as a workbook, refused as one */
    g_assert_cmpint (run_cli (dir, NULL, &err, xlsx, NULL, NULL), ==, 1);
    g_assert_nonnull (strstr (err, "ledger.xlsx: not an XLSX workbook"));
    g_clear_pointer (&err, g_free);
    g_assert_cmpint (run_cli (dir, NULL, &err, "/nonexistent/ledger.csv", NULL, NULL), ==, 1);
    g_assert_cmpuint (count_in (dir), ==, 4);
  }
  {
    g_autofree char *out = NULL, *err = NULL;
    g_autofree char *status_csv = status_ledger ();
    g_autofree char *status_path = g_build_filename (root, "status.csv", NULL);

    /* a note is not a problem: it is printed and counted, and does not
     * stop an all-or-nothing import (line 5 does) */
    g_assert_true (g_file_set_contents (status_path, status_csv, -1, &error));
    g_assert_cmpint (run_cli (dir, &out, &err, status_path, NULL, NULL), ==, 1);
    g_assert_nonnull (strstr (out, "\nLine 2: note: 状态: the ledger says “已结项”; imported as “In progress”"));
    g_assert_nonnull (strstr (out, "\nLine 5: Date signed: required"));
    g_assert_nonnull (strstr (out, "4 rows: 3 without problems, 1 with problems\n1 row with notes\n"));
    g_assert_cmpuint (count_in (dir), ==, 4);
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (run_cli (dir, &out, NULL, status_path, "--valid-rows", NULL), ==, 0);
    g_assert_nonnull (strstr (out, "Imported 3 projects.\n"));
    g_assert_cmpuint (count_in (dir), ==, 7);
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

  root = g_dir_make_tmp ("procura-test-import-csv-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_func ("/import-csv/dates", test_dates);
  g_test_add_func ("/import-csv/encodings", test_encodings);
  g_test_add_func ("/import-csv/quoting", test_quoting);
  g_test_add_func ("/import-csv/title-rows", test_title_rows);
  g_test_add_func ("/import-csv/problems", test_problems);
  g_test_add_func ("/import-csv/blank-rows", test_blank_rows);
  g_test_add_func ("/import-csv/mixed-encodings", test_mixed_encodings);
  g_test_add_func ("/import-csv/wide-header", test_wide_header);
  g_test_add_func ("/import-csv/date-times", test_date_times);
  g_test_add_func ("/import-csv/completed", test_completed);
  g_test_add_func ("/import-csv/chinese-messages", test_chinese_messages);
  g_test_add_func ("/import-csv/round-trip", test_round_trip);
  g_test_add_func ("/import-csv/cli", test_cli);

  status = g_test_run ();

  procura_test_remove_tree (root);
  g_free (root);
  g_strfreev (cli_env);

  return status;
}
