/* test-export-csv.c — the CSV export for Excel and WPS, in the library and
 * through `procura-cli export`
 *
 * On a demo store: the byte order mark, CRLF, the header row, one row per
 * project or record, RFC 4180 quoting read back by a strict parser below,
 * money columns that add up exactly (in 分) to the store's own totals, the
 * project filter, Chinese headers under zh_CN, the formula-injection guard,
 * and the CLI's errors leaving -o FILE untouched.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <glib/gstdio.h>
#include <libintl.h>
#include <locale.h>
#include <string.h>
#include <sys/wait.h>

#include "procura-demo.h"
#include "procura-error.h"
#include "procura-export-csv.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-schema.h"
#include "procura-store.h"
#include "procura-test-utils.h"

#define N_PROJECTS 25
#define TODAY      "2026-11-27"
#define BOM        "\xEF\xBB\xBF"

static char *root;
static char *data_dir;
static ProcuraStore *store;

/* ---- a strict RFC 4180 reader ---------------------------------------- */

/* Rows (GStrv) of csv, which must start with the BOM and end every record
 * with CRLF; fails the test on anything else (a bare CR or LF outside
 * quotes, a stray quote inside an unquoted field, an unterminated quote). */
static GPtrArray *
parse_csv (const char *csv,
           gsize       len)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr(GPtrArray) fields = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) field = g_string_new (NULL);
  const char *p = csv, *end = csv + len;

  g_assert_cmpuint (len, >=, 3);
  g_assert_cmpmem (csv, 3, BOM, 3);
  p += 3;
  g_assert_true (len == 3 || (end[-2] == '\r' && end[-1] == '\n'));

  while (p < end)
    {
      g_string_truncate (field, 0);
      if (*p == '"')
        {
          p++;
          for (;;)
            {
              g_assert_true (p < end);  /* unterminated quote */
              if (*p == '"')
                {
                  if (p + 1 < end && p[1] == '"')
                    {
                      g_string_append_c (field, '"');
                      p += 2;
                      continue;
                    }
                  p++;
                  break;
                }
              g_string_append_c (field, *p++);
            }
        }
      else
        {
          while (p < end && *p != ',' && *p != '\r' && *p != '\n')
            {
              g_assert_cmpint (*p, !=, '"');
              g_string_append_c (field, *p++);
            }
        }

      g_ptr_array_add (fields, g_strdup (field->str));
      g_assert_true (p < end);
      if (*p == ',')
        {
          p++;
          continue;
        }
      /* the record ends here, with CRLF and nothing else */
      g_assert_cmpint (*p, ==, '\r');
      g_assert_true (p + 1 < end && p[1] == '\n');
      p += 2;
      g_ptr_array_add (fields, NULL);
      g_ptr_array_add (rows, g_ptr_array_steal (fields, NULL));
      g_ptr_array_set_free_func (fields, g_free);
    }

  return g_steal_pointer (&rows);
}

static GString *
export (ProcuraExportTable  table,
        GPtrArray          *project_ids)
{
  g_autoptr(GError) error = NULL;
  GString *out = g_string_new (NULL);

  g_assert_true (procura_export_csv (store, table, project_ids, out, &error));
  g_assert_no_error (error);

  return out;
}

static GPtrArray *
export_rows (ProcuraExportTable  table,
             GPtrArray          *project_ids)
{
  g_autoptr(GString) out = export (table, project_ids);
  GPtrArray *rows = parse_csv (out->str, out->len);
  guint n_columns;

  g_assert_cmpuint (rows->len, >=, 1);
  n_columns = g_strv_length (g_ptr_array_index (rows, 0));
  for (guint i = 1; i < rows->len; i++)
    g_assert_cmpuint (g_strv_length (g_ptr_array_index (rows, i)), ==, n_columns);

  return rows;
}

static int
column (GPtrArray  *rows,
        const char *header)
{
  char **headers = g_ptr_array_index (rows, 0);

  for (int i = 0; headers[i] != NULL; i++)
    if (strcmp (headers[i], header) == 0)
      return i;

  g_error ("no column “%s”", header);
}

static const char *
cell (GPtrArray  *rows,
      guint       row,
      const char *header)
{
  return ((char **) g_ptr_array_index (rows, row))[column (rows, header)];
}

/* "1234.50" → 123450 fen; the cell must be a plain number: digits, a
 * point and exactly two decimals, no separators, no currency sign. */
static gint64
parse_yuan (const char *text)
{
  g_autoptr(GRegex) re = g_regex_new ("^[0-9]+\\.[0-9]{2}$", 0, 0, NULL);
  const char *point;

  if (!g_regex_match (re, text, 0, NULL))
    g_error ("“%s” is not a plain amount", text);

  point = strchr (text, '.');
  return g_ascii_strtoll (text, NULL, 10) * 100 + g_ascii_strtoll (point + 1, NULL, 10);
}

static gint64
sum_column (GPtrArray  *rows,
            const char *header)
{
  gint64 sum = 0;

  for (guint i = 1; i < rows->len; i++)
    {
      const char *text = cell (rows, i, header);

      if (text[0] != '\0')
        sum += parse_yuan (text);
    }

  return sum;
}

static GPtrArray *
list (const ProcuraEntityInfo *entity)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *records = procura_store_list (store, entity, NULL, NULL, &error);

  g_assert_no_error (error);
  return records;
}

static ProcuraRecord *
project_by_code (const char *code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *id = procura_store_resolve_ref (store, PROCURA_ENTITY_PROJECT, code, &error);
  ProcuraRecord *project;

  g_assert_no_error (error);
  g_assert_nonnull (id);
  project = procura_store_get (store, PROCURA_ENTITY_PROJECT, id, &error);
  g_assert_no_error (error);

  return project;
}

static void
set_field (const ProcuraEntityInfo *entity,
           const char              *id,
           const char              *field,
           const char              *value)
{
  g_autoptr(ProcuraRecord) changes = procura_record_new (entity, id);
  g_autoptr(GError) error = NULL;

  procura_record_set_string (changes, field, value);
  g_assert_true (procura_store_update (store, changes, &error));
  g_assert_no_error (error);
}

static GPtrArray *
ids_of (const char *key)
{
  const char *keys[] = { key, NULL };
  g_autoptr(GError) error = NULL;
  GPtrArray *ids = procura_export_resolve_projects (store, keys, &error);

  g_assert_no_error (error);
  g_assert_nonnull (ids);
  return ids;
}

/* ---- the tables -------------------------------------------------------- */

static void
test_ledger (void)
{
  g_autoptr(GString) out = export (PROCURA_EXPORT_TABLE_LEDGER, NULL);
  g_autoptr(GPtrArray) rows = parse_csv (out->str, out->len);
  g_autoptr(GPtrArray) projects = list (PROCURA_ENTITY_PROJECT);
  g_autoptr(GPtrArray) amendments = list (PROCURA_ENTITY_AMENDMENT);
  g_autoptr(GPtrArray) payments = list (PROCURA_ENTITY_PAYMENT);
  g_autofree char *first_line = NULL;
  gint64 value = 0, signed_value = 0, paid = 0;

  /* no bare LF anywhere: every LF follows a CR (no title here has one) */
  for (gsize i = 0; i < out->len; i++)
    if (out->str[i] == '\n')
      g_assert_true (i > 0 && out->str[i - 1] == '\r');

  first_line = g_strndup (out->str, strstr (out->str, "\r\n") - out->str);
  g_assert_cmpstr (first_line, ==,
                   BOM "Project number,Project title,Contracted agency,Unified social credit code,"
                   "Purchasing unit,Street,Community,Category,Procurement method,Status,"
                   "Contract value (yuan),Value with amendments (yuan),Paid (yuan),Start date,End date,Date signed,"
                   "Progress (%),Evaluation grade");

  g_assert_cmpuint (projects->len, ==, N_PROJECTS);
  g_assert_cmpuint (rows->len, ==, 1 + N_PROJECTS);

  /* the store's totals, from the records themselves */
  for (guint i = 0; i < projects->len; i++)
    signed_value += procura_record_get_int (g_ptr_array_index (projects, i), "value", 0);
  value = signed_value;
  for (guint i = 0; i < amendments->len; i++)
    value += procura_record_get_int (g_ptr_array_index (amendments, i), "value_delta", 0);
  for (guint i = 0; i < payments->len; i++)
    if (g_strcmp0 (procura_record_get_string (g_ptr_array_index (payments, i), "status"), "paid") == 0)
      paid += procura_record_get_int (g_ptr_array_index (payments, i), "paid_amount", 0);
  g_assert_cmpint (value, >, 0);
  g_assert_cmpint (paid, >, 0);
  /* the contract value as signed, and the value in force: amendments
   * must be there to tell them apart */
  g_assert_cmpuint (amendments->len, >, 0);
  g_assert_cmpint (signed_value, !=, value);
  g_assert_cmpint (sum_column (rows, "Contract value (yuan)"), ==, signed_value);
  g_assert_cmpint (sum_column (rows, "Value with amendments (yuan)"), ==, value);
  g_assert_cmpint (sum_column (rows, "Paid (yuan)"), ==, paid);

  /* ordered by project number, each row that project's facts */
  for (guint i = 1; i < rows->len; i++)
    {
      g_autoptr(ProcuraRecord) project = project_by_code (cell (rows, i, "Project number"));
      g_autoptr(GRegex) date = g_regex_new ("^([0-9]{4}-[0-9]{2}-[0-9]{2})?$", 0, 0, NULL);

      if (i > 1)
        g_assert_cmpstr (cell (rows, i - 1, "Project number"), <, cell (rows, i, "Project number"));
      g_assert_cmpstr (cell (rows, i, "Project title"), ==, procura_record_get_string (project, "title"));
      g_assert_cmpstr (cell (rows, i, "Status"), ==,
                       procura_field_enum_label (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "status"),
                                                 procura_record_get_string (project, "status")));
      g_assert_cmpstr (cell (rows, i, "Procurement method"), ==,
                       procura_field_enum_label (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "method"),
                                                 procura_record_get_string (project, "method")));
      g_assert_cmpstr (cell (rows, i, "Start date"), ==, procura_record_get_string (project, "start_date"));
      g_assert_true (g_regex_match (date, cell (rows, i, "End date"), 0, NULL));
      if (procura_record_has (project, "agency_id"))
        g_assert_cmpuint (strlen (cell (rows, i, "Unified social credit code")), ==, 18);
    }
}

static void
test_children (void)
{
  g_autoptr(GPtrArray) milestones = list (PROCURA_ENTITY_MILESTONE);
  g_autoptr(GPtrArray) payments = list (PROCURA_ENTITY_PAYMENT);
  g_autoptr(GPtrArray) evaluations = list (PROCURA_ENTITY_EVALUATION);
  g_autoptr(GPtrArray) m_rows = export_rows (PROCURA_EXPORT_TABLE_MILESTONES, NULL);
  g_autoptr(GPtrArray) p_rows = export_rows (PROCURA_EXPORT_TABLE_PAYMENTS, NULL);
  g_autoptr(GPtrArray) e_rows = export_rows (PROCURA_EXPORT_TABLE_EVALUATIONS, NULL);
  g_autoptr(GRegex) score = g_regex_new ("^([0-9]{1,3}\\.[0-9]{2})?$", 0, 0, NULL);
  gint64 planned = 0, paid = 0;
  guint n_scored = 0;

  g_assert_cmpuint (milestones->len, >, 0);
  g_assert_cmpuint (m_rows->len, ==, 1 + milestones->len);
  g_assert_cmpuint (p_rows->len, ==, 1 + payments->len);
  g_assert_cmpuint (e_rows->len, ==, 1 + evaluations->len);
  g_assert_cmpstr (((char **) g_ptr_array_index (p_rows, 0))[3], ==, "Planned amount (yuan)");

  for (guint i = 0; i < payments->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (payments, i);

      planned += procura_record_get_int (p, "planned_amount", 0);
      paid += procura_record_get_int (p, "paid_amount", 0);
    }
  g_assert_cmpint (sum_column (p_rows, "Planned amount (yuan)"), ==, planned);
  g_assert_cmpint (sum_column (p_rows, "Amount paid (yuan)"), ==, paid);

  for (guint i = 1; i < e_rows->len; i++)
    {
      g_assert_true (g_regex_match (score, cell (e_rows, i, "Total score"), 0, NULL));
      if (cell (e_rows, i, "Total score")[0] != '\0')
        {
          n_scored++;
          g_assert_cmpstr (cell (e_rows, i, "Grade"), !=, "");
        }
    }
  g_assert_cmpuint (n_scored, >, 0);

  /* status labels, not codes */
  for (guint i = 1; i < m_rows->len; i++)
    g_assert_null (strstr ("planned submitted accepted returned", cell (m_rows, i, "Status")));
}

/* ---- quoting and formula injection -------------------------------------- */

static void
test_quoting (void)
{
  const char *nasty = "长者服务, “一期”\n\"Quoted\" line\r\nend";
  g_autoptr(GPtrArray) projects = list (PROCURA_ENTITY_PROJECT);
  ProcuraRecord *project = g_ptr_array_index (projects, 2);
  const char *id = procura_record_get_id (project);
  g_autoptr(GPtrArray) ids = ids_of (id);
  g_autoptr(GString) out = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) m_rows = NULL;

  set_field (PROCURA_ENTITY_PROJECT, id, "title", nasty);

  out = export (PROCURA_EXPORT_TABLE_LEDGER, ids);
  g_assert_nonnull (strstr (out->str, "\"长者服务, “一期”\n\"\"Quoted\"\" line\r\nend\""));
  rows = parse_csv (out->str, out->len);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (cell (rows, 1, "Project title"), ==, nasty);

  m_rows = export_rows (PROCURA_EXPORT_TABLE_MILESTONES, ids);
  g_assert_cmpuint (m_rows->len, >, 1);
  for (guint i = 1; i < m_rows->len; i++)
    g_assert_cmpstr (cell (m_rows, i, "Project title"), ==, nasty);
}

static void
test_formula_guard (void)
{
  g_autoptr(GPtrArray) projects = list (PROCURA_ENTITY_PROJECT);
  const char *id = procura_record_get_id (g_ptr_array_index (projects, 3));
  g_autoptr(GPtrArray) ids = ids_of (id);
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GPtrArray) p_rows = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GString) out = NULL;
  const char *payment_id;

  set_field (PROCURA_ENTITY_PROJECT, id, "title", "=HYPERLINK(\"http://127.0.0.1/\",\"点击\")");
  set_field (PROCURA_ENTITY_PROJECT, id, "street", "@SUM(1+1)");
  set_field (PROCURA_ENTITY_PROJECT, id, "community", "-2+3");

  out = export (PROCURA_EXPORT_TABLE_LEDGER, ids);
  rows = parse_csv (out->str, out->len);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (cell (rows, 1, "Project title"), ==, "'=HYPERLINK(\"http://127.0.0.1/\",\"点击\")");
  g_assert_cmpstr (cell (rows, 1, "Street"), ==, "'@SUM(1+1)");
  g_assert_cmpstr (cell (rows, 1, "Community"), ==, "'-2+3");
  /* a text not starting with a formula character is left alone */
  g_assert_cmpstr (cell (rows, 1, "Project number"), ==, procura_record_get_string (g_ptr_array_index (projects, 3), "code"));
  /* numbers stay numbers */
  parse_yuan (cell (rows, 1, "Contract value (yuan)"));
  parse_yuan (cell (rows, 1, "Paid (yuan)"));

  payments = procura_store_list (store, PROCURA_ENTITY_PAYMENT, "project_id", id, NULL);
  g_assert_nonnull (payments);
  g_assert_cmpuint (payments->len, >, 0);
  payment_id = procura_record_get_id (g_ptr_array_index (payments, 0));
  set_field (PROCURA_ENTITY_PAYMENT, payment_id, "voucher_no", "+86-1234");
  p_rows = export_rows (PROCURA_EXPORT_TABLE_PAYMENTS, ids);
  g_assert_cmpuint (p_rows->len, ==, 1 + payments->len);
  g_assert_cmpstr (cell (p_rows, 1, "Voucher number"), ==, "'+86-1234");
  parse_yuan (cell (p_rows, 1, "Planned amount (yuan)"));
}

/* ---- the project filter ------------------------------------------------- */

static void
test_filter (void)
{
  g_autoptr(GPtrArray) projects = list (PROCURA_ENTITY_PROJECT);
  ProcuraRecord *a = g_ptr_array_index (projects, 5);
  ProcuraRecord *b = g_ptr_array_index (projects, 9);
  const char *code_a = procura_record_get_string (a, "code");
  const char *code_b = procura_record_get_string (b, "code");
  /* a number, an id, and the first number again */
  const char *keys[] = { code_b, procura_record_get_id (a), code_b, NULL };
  const char *bad_keys[] = { code_a, "NO-SUCH-PROJECT", NULL };
  const char *tombstone[] = { "00000000-0000-4000-8000-000000000000", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) ids = procura_export_resolve_projects (store, keys, &error);
  g_autoptr(GPtrArray) bad = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) p_rows = NULL;
  g_autoptr(GPtrArray) payments_a = procura_store_list (store, PROCURA_ENTITY_PAYMENT, "project_id", procura_record_get_id (a), NULL);
  g_autoptr(GPtrArray) payments_b = procura_store_list (store, PROCURA_ENTITY_PAYMENT, "project_id", procura_record_get_id (b), NULL);

  g_assert_no_error (error);
  g_assert_cmpuint (ids->len, ==, 2);

  /* rows in the ledger's order whatever the order asked */
  rows = export_rows (PROCURA_EXPORT_TABLE_LEDGER, ids);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (cell (rows, 1, "Project number"), ==, code_a);
  g_assert_cmpstr (cell (rows, 2, "Project number"), ==, code_b);

  p_rows = export_rows (PROCURA_EXPORT_TABLE_PAYMENTS, ids);
  g_assert_cmpuint (p_rows->len, ==, 1 + payments_a->len + payments_b->len);
  for (guint i = 1; i < p_rows->len; i++)
    g_assert_true (g_str_equal (cell (p_rows, i, "Project number"), code_a) ||
                   g_str_equal (cell (p_rows, i, "Project number"), code_b));

  bad = procura_export_resolve_projects (store, bad_keys, &error);
  g_assert_null (bad);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "NO-SUCH-PROJECT"));
  g_clear_error (&error);

  bad = procura_export_resolve_projects (store, tombstone, &error);
  g_assert_null (bad);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
}

/* ---- zh_CN ------------------------------------------------------------- */

static void
test_chinese_headers (void)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) p_rows = NULL;
  g_autofree char *header = NULL;
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));

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

  rows = export_rows (PROCURA_EXPORT_TABLE_LEDGER, NULL);
  p_rows = export_rows (PROCURA_EXPORT_TABLE_PAYMENTS, NULL);
  header = g_strjoinv (",", g_ptr_array_index (rows, 0));
  g_assert_cmpstr (header, ==,
                   "项目编号,项目名称,承接机构,统一社会信用代码,购买主体,街道,社区,类别,采购方式,状态,"
                   "合同金额(元),调整后金额(元),已支付(元),开始日期,结束日期,签订日期,进度(%),评估等级");
  g_clear_pointer (&header, g_free);
  header = g_strjoinv (",", g_ptr_array_index (p_rows, 0));
  g_assert_cmpstr (header, ==,
                   "项目编号,项目名称,拨付批次,计划金额(元),计划拨付日期,状态,支付日期,支付金额(元),凭证号");

  /* labels in Chinese too: some status is “已完成” or “实施中”, none English */
  for (guint i = 1; i < rows->len; i++)
    {
      const char *status = cell (rows, i, "状态");

      g_assert_true (g_utf8_validate (status, -1, NULL));
      g_assert_cmpuint (g_utf8_strlen (status, -1), <, strlen (status));
    }

  setlocale (LC_ALL, saved);
}

/* ---- procura-cli export ----------------------------------------------- */

/* Runs procura-cli args… --data-dir DATA --today TODAY in C.UTF-8;
 * returns the exit code. */
static int
run_cliv (char               **out,
          char               **err,
          const char * const  *args)
{
  return procura_test_run_cli (data_dir, TODAY, out, err, args);
}

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

  return run_cliv (out, err, (const char * const *) args->pdata);
}

static void
test_cli (void)
{
  g_autofree char *file = g_build_filename (root, "资金拨付.csv", NULL);
  g_autofree char *out = NULL, *err = NULL, *contents = NULL;
  g_autoptr(GString) expected = export (PROCURA_EXPORT_TABLE_PAYMENTS, NULL);
  g_autoptr(GString) expected_ledger = export (PROCURA_EXPORT_TABLE_LEDGER, NULL);
  g_autoptr(GPtrArray) projects = list (PROCURA_ENTITY_PROJECT);
  const char *code = procura_record_get_string (g_ptr_array_index (projects, 1), "code");
  gsize len = 0;
  g_autofree char *file_arg = g_strdup_printf ("--output=%s", file);
  struct {
    const char *args[7];
    const char *named;  /* the option or argument the message must name */
  } bad[] = {
    { { "export", "--format", "ocds-record", "--table", "payments", file_arg, NULL }, "--table" },
    { { "export", "--format", "xlsx", NULL }, "--output" },
    { { "export", "--format", "tsv", file_arg, NULL }, "--format" },
    { { "export", "--table", "payments", file_arg, NULL }, "--format" },
    { { "export", "--format", "csv", "--table", "contracts", file_arg, NULL }, "--table" },
    { { "export", "--format", "csv", "NO-SUCH-PROJECT", file_arg, NULL }, "NO-SUCH-PROJECT" },
    { { "export", "--format", "csv", "--bogus", file_arg, NULL }, "--bogus" },
  };

  if (g_getenv ("PROCURA_CLI") == NULL)
    {
      g_test_skip ("$PROCURA_CLI is not set");
      return;
    }

  /* to standard output: the same bytes as the library gives */
  g_assert_cmpint (run_cli (&out, &err, "export", "--format", "csv", NULL), ==, 0);
  g_assert_cmpmem (out, strlen (out), expected_ledger->str, expected_ledger->len);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* to a file */
  g_assert_cmpint (run_cli (NULL, &err, "export", "--format", "csv", "--table", "payments", "-o", file, NULL), ==, 0);
  g_assert_true (g_file_get_contents (file, &contents, &len, NULL));
  g_assert_cmpmem (contents, len, expected->str, expected->len);
  g_clear_pointer (&contents, g_free);
  g_clear_pointer (&err, g_free);

  /* one project */
  g_assert_cmpint (run_cli (&out, &err, "export", "--format", "csv", code, NULL), ==, 0);
  {
    g_autoptr(GPtrArray) rows = parse_csv (out, strlen (out));

    g_assert_cmpuint (rows->len, ==, 2);
    g_assert_cmpstr (cell (rows, 1, "Project number"), ==, code);
  }
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* errors: exit 1, the culprit named, the file left as it was */
  g_assert_true (g_file_set_contents (file, "old", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_assert_cmpint (run_cliv (&out, &err, bad[i].args), ==, 1);
      g_assert_cmpstr (out, ==, "");
      g_assert_nonnull (strstr (err, bad[i].named));
      g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
      g_assert_cmpstr (contents, ==, "old");
      g_clear_pointer (&contents, g_free);
      g_clear_pointer (&out, g_free);
      g_clear_pointer (&err, g_free);
    }

  /* a new file is not created on error either */
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (run_cli (NULL, &err, "export", "--format", "csv", "NO-SUCH-PROJECT", "-o", file, NULL), ==, 1);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  /* the help lists the command */
  g_assert_cmpint (run_cli (&out, NULL, "--help", NULL), ==, 0);
  g_assert_nonnull (strstr (out, "export"));
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

  root = g_dir_make_tmp ("procura-test-export-csv-XXXXXX", &error);
  g_assert_no_error (error);
  data_dir = g_build_filename (root, "data", NULL);
  store = procura_store_open (data_dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (store, TODAY);
  procura_store_set_actor (store, "test");
  g_assert_true (procura_demo_generate (store, N_PROJECTS, 11, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/export-csv/ledger", test_ledger);
  g_test_add_func ("/export-csv/children", test_children);
  g_test_add_func ("/export-csv/quoting", test_quoting);
  g_test_add_func ("/export-csv/formula-guard", test_formula_guard);
  g_test_add_func ("/export-csv/filter", test_filter);
  g_test_add_func ("/export-csv/chinese-headers", test_chinese_headers);
  g_test_add_func ("/export-csv/cli", test_cli);

  status = g_test_run ();

  g_clear_object (&store);
  procura_test_remove_tree (root);
  g_free (data_dir);
  g_free (root);

  return status;
}
