/* procura-import-csv.c — the project ledger from officers' spreadsheets:
 * CSV files and .xlsx workbooks
 *
 * Officers keep their ledgers in Excel or WPS and save them as CSV: UTF-8
 * (with a byte order mark from Excel's "CSV UTF-8", without from other
 * tools) or GB18030/GBK (the "CSV" of Chinese Windows). The encoding is
 * detected, never asked: a byte order mark means UTF-8; text that is valid
 * UTF-8 is UTF-8 (GBK text is practically never valid UTF-8); anything
 * else is read as GB18030, a superset of GBK and GB2312.
 *
 * A workbook (.xlsx, recognised by its zip signature, not its name) is
 * read with procura-xlsx-reader.c: its first sheet becomes the same rows
 * of text a CSV gives, numbers as the plain decimals Excel shows (exact,
 * never through a double) and each row's line its sheet row number, so
 * everything below is shared.
 *
 * Columns are found by their header, in Chinese or English, including
 * the headers of our own CSV export, so an exported ledger imports again.
 *
 * Every problem of a row is listed, not only the first: each cell that
 * does not parse, then the write goes ahead with the good cells so the
 * store's first complaint about the rest is listed too (the store stops
 * at its first rule), unless it only repeats a cell's problem.
 *
 * Decisions:
 * - Import adds projects; it never updates one. A row whose project
 *   number is already in the ledger is a problem of that row.
 * - The agency is found by its credit code, else by its exact name. An
 *   agency not in the store is created as a social work agency when the
 *   row gives its name and a valid credit code (the code is what
 *   identifies it); a name alone that matches nothing is a problem, as is
 *   an invalid code. The purchasing unit must already exist (by name or
 *   code): buyers are a handful of offices set up once, and a misspelt
 *   one must not become a new organization.
 * - Every project starts as a draft (the workflow's rule); a row whose
 *   status is later is taken along the workflow graph (draft → active →
 *   terminated), each step through the write path, so the history shows
 *   how it got there and each step's rules are checked.
 * - A completed project needs its final milestone accepted and its final
 *   evaluation recorded, which no ledger row gives and the import does
 *   not make up: a row saying 已结项 comes in active, with a note (not a
 *   problem), and is closed in Procura once those are recorded.
 * - Dates are days: a time after one (a datetime cell, a day number with
 *   a fraction) is dropped.
 * - All rows are written in one transaction, each row in a savepoint of
 *   its own: a bad row leaves nothing behind and the good ones before it
 *   stay, so a later row repeating a project number is found. Rolling a
 *   savepoint back leaves the store's read cache holding only the rolled
 *   back rows' new records, whose ids nothing reads again.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-date.h"
#include "procura-error.h"
#include "procura-import-csv.h"
#include "procura-money.h"
#include "procura-schema.h"
#include "procura-store-private.h"
#include "procura-uscc.h"
#include "procura-workflow.h"
#include "procura-xlsx-reader.h"

typedef enum
{
  COL_NONE = -1,
  COL_CODE,
  COL_TITLE,
  COL_AGENCY,
  COL_USCC,
  COL_BUYER,
  COL_STREET,
  COL_COMMUNITY,
  COL_CATEGORY,
  COL_METHOD,
  COL_STATUS,
  COL_VALUE_YUAN,
  COL_VALUE_WAN,
  COL_START,
  COL_END,
  COL_SIGNED,
  COL_CONTRACT_NO,
  COL_BUDGET_YEAR,
  COL_DESCRIPTION,
  N_COLS,
  COL_COMPUTED,  /* ours, derived: recognised and left out */
} Column;

/* Headers compared after NFKC (full-width brackets and letters fold to
 * ASCII), without spaces, case-folded. */
static const struct
{
  Column      column;
  const char *names[10];
} header_names[] = {
  { COL_CODE, { "项目编号", "编号", "project number", "project code", "code", NULL } },
  { COL_TITLE, { "项目名称", "名称", "project title", "project name", "title", NULL } },
  { COL_AGENCY, { "承接机构", "承接单位", "中标单位", "contracted agency", "agency", NULL } },
  { COL_USCC, { "统一社会信用代码", "信用代码", "承接机构统一社会信用代码", "unified social credit code", "uscc", NULL } },
  { COL_BUYER, { "购买主体", "购买单位", "采购单位", "purchasing unit", "buyer", NULL } },
  { COL_STREET, { "街道", "street", NULL } },
  { COL_COMMUNITY, { "社区", "community", NULL } },
  { COL_CATEGORY, { "类别", "服务类别", "项目类别", "category", "service category", NULL } },
  { COL_METHOD, { "采购方式", "procurement method", "method", NULL } },
  { COL_STATUS, { "状态", "项目状态", "status", NULL } },
  { COL_VALUE_YUAN, { "合同金额(元)", "合同金额", "contract value (yuan)", "contract value", NULL } },
  { COL_VALUE_WAN, { "合同金额(万元)", "contract value (10,000 yuan)", "contract value (10000 yuan)", NULL } },
  { COL_START, { "开始日期", "起始日期", "start date", NULL } },
  { COL_END, { "结束日期", "截止日期", "end date", NULL } },
  { COL_SIGNED, { "签订日期", "合同签订日期", "签约日期", "date signed", NULL } },
  { COL_CONTRACT_NO, { "合同编号", "contract number", NULL } },
  { COL_BUDGET_YEAR, { "预算年度", "budget year", NULL } },
  { COL_DESCRIPTION, { "项目简介", "项目描述", "description", NULL } },
  { COL_COMPUTED, { "已支付(元)", "paid (yuan)", "进度(%)", "progress (%)", "评估等级", "evaluation grade",
                    "调整后金额(元)", "value with amendments (yuan)", NULL } },
};

/* Officers' ledgers say these in Chinese whatever the language Procura
 * runs in; labels of the current language and codes are accepted too. */
static const struct
{
  const char *field;
  const char *text;
  const char *code;
} chinese_terms[] = {
  { "status", "草稿", "draft" },
  { "status", "执行中", "active" },
  { "status", "进行中", "active" },
  { "status", "实施中", "active" },
  { "status", "已结项", "completed" },
  { "status", "已完成", "completed" },
  { "status", "已结束", "completed" },
  { "status", "提前终止", "terminated" },
  { "status", "已终止", "terminated" },
  { "status", "已撤销", "cancelled" },
  { "method", "公开招标", "open_tender" },
  { "method", "邀请招标", "invited_tender" },
  { "method", "竞争性谈判", "competitive_negotiation" },
  { "method", "竞争性磋商", "competitive_consultation" },
  { "method", "单一来源", "single_source" },
  { "method", "单一来源采购", "single_source" },
  { "method", "询价", "inquiry" },
  { "method", "其他", "other" },
  { "category", "养老服务", "elderly" },
  { "category", "儿童青少年服务", "youth" },
  { "category", "社区治理", "community_governance" },
  { "category", "社会救助", "social_assistance" },
  { "category", "助残服务", "disability" },
  { "category", "家庭服务", "family" },
  { "category", "综合服务", "comprehensive" },
  { "category", "其他", "other" },
};

static const char *
chinese_term (const char *field,
              const char *text)
{
  for (guint i = 0; i < G_N_ELEMENTS (chinese_terms); i++)
    if (strcmp (chinese_terms[i].field, field) == 0 && strcmp (chinese_terms[i].text, text) == 0)
      return chinese_terms[i].code;

  return NULL;
}

/* The project field each column sets as typed (NULL: handled apart). */
static const char * const column_fields[N_COLS] = {
  [COL_CODE] = "code",
  [COL_TITLE] = "title",
  [COL_STREET] = "street",
  [COL_COMMUNITY] = "community",
  [COL_CATEGORY] = "category",
  [COL_METHOD] = "method",
  [COL_CONTRACT_NO] = "contract_no",
  [COL_BUDGET_YEAR] = "budget_year",
  [COL_DESCRIPTION] = "description",
};

/* The schema field each column ends in, to know which of the store's
 * complaints only repeat a problem already reported for the column. */
static const char * const column_targets[N_COLS] = {
  [COL_CODE] = "code",
  [COL_TITLE] = "title",
  [COL_AGENCY] = "agency_id",
  [COL_USCC] = "agency_id",
  [COL_BUYER] = "buyer_id",
  [COL_STREET] = "street",
  [COL_COMMUNITY] = "community",
  [COL_CATEGORY] = "category",
  [COL_METHOD] = "method",
  [COL_STATUS] = "status",
  [COL_VALUE_YUAN] = "value",
  [COL_VALUE_WAN] = "value",
  [COL_START] = "start_date",
  [COL_END] = "end_date",
  [COL_SIGNED] = "date_signed",
  [COL_CONTRACT_NO] = "contract_no",
  [COL_BUDGET_YEAR] = "budget_year",
  [COL_DESCRIPTION] = "description",
};

G_STATIC_ASSERT (N_COLS <= 32);

typedef struct
{
  guint       line;
  guint       n_cells;
  char      **cells;        /* NULL-terminated, n_cells long */
  guint32     error_cells;  /* columns (1 << Column) whose cell shows a formula error */
  GPtrArray  *problems;     /* char*, NULL-terminated; NULL: good */
  GPtrArray  *notes;        /* char*, NULL-terminated; NULL: none */
} Row;

struct _ProcuraImport
{
  const char *encoding;
  char      **headers;         /* as in the file */
  int         index[N_COLS];   /* column of each field, -1 when absent */
  GPtrArray  *unknown;         /* char*, NULL-terminated */
  GPtrArray  *ignored;
  GArray     *rows;            /* Row */
  guint       n_problems;
  guint       n_written;
  /* in a run: organization ids by "uscc:…" and "buyer:…", learnt from
   * good rows only (a bad row's new agency is rolled back); a row's
   * lookups are the import's most frequent queries */
  GHashTable *org_ids;
};

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_strfreev (row->cells);
  g_clear_pointer (&row->problems, g_ptr_array_unref);
  g_clear_pointer (&row->notes, g_ptr_array_unref);
}

void
procura_import_free (ProcuraImport *self)
{
  if (self == NULL)
    return;

  g_strfreev (self->headers);
  g_clear_pointer (&self->unknown, g_ptr_array_unref);
  g_clear_pointer (&self->ignored, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_array_unref);
  g_clear_pointer (&self->org_ids, g_hash_table_unref);
  g_free (self);
}

/* ---- decoding ---------------------------------------------------------- */

/* A file that is not UTF-8 as a whole may still have UTF-8 lines: rows
 * pasted from another file. Read as GB18030 they would be stored as
 * mojibake, so such a file is refused: the first line of each kind.
 * Only a line with a character of three bytes or more counts as UTF-8
 * (Chinese text always has one), as a short GB18030 line can happen to
 * be valid UTF-8 of two-byte Latin letters. */
static gboolean
check_one_encoding (const char  *data,
                    gsize        length,
                    GError     **error)
{
  const char *p = data, *end = data + length;
  guint line = 1, first_utf8 = 0, first_other = 0;

  while (p < end && (first_utf8 == 0 || first_other == 0))
    {
      const char *nl = memchr (p, '\n', (gsize) (end - p));
      const char *eol = nl != NULL ? nl : end;
      gboolean ascii = TRUE, wide = FALSE;

      for (const char *q = p; q < eol; q++)
        if ((guchar) *q >= 0x80)
          {
            ascii = FALSE;
            wide |= (guchar) *q >= 0xe0;
          }
      if (!ascii)
        {
          if (g_utf8_validate_len (p, (gsize) (eol - p), NULL))
            {
              if (wide && first_utf8 == 0)
                first_utf8 = line;
            }
          else if (first_other == 0)
            first_other = line;
        }
      line++;
      p = eol + 1;
    }

  if (first_utf8 == 0 || first_other == 0)
    return TRUE;

  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               _("Line %u is UTF-8 text but line %u is not; save the file in one encoding"),
               first_utf8, first_other);
  return FALSE;
}

static char *
decode (const char   *data,
        gsize         length,
        const char  **out_encoding,
        GError      **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *converted = NULL;
  gsize written = 0;

  if (length >= 3 && memcmp (data, "\xef\xbb\xbf", 3) == 0)
    {
      if (!g_utf8_validate_len (data + 3, length - 3, NULL))
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("The file starts as UTF-8 text but contains bytes that are not UTF-8"));
          return NULL;
        }
      *out_encoding = "UTF-8 (BOM)";
      return g_strndup (data + 3, length - 3);
    }

  if (g_utf8_validate_len (data, length, NULL))
    {
      *out_encoding = "UTF-8";
      return g_strndup (data, length);
    }

  if (!check_one_encoding (data, length, error))
    return NULL;

  converted = g_convert (data, length, "UTF-8", "GB18030", NULL, &written, &local_error);
  if (converted == NULL || strlen (converted) != written)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("The file is neither UTF-8 nor GB18030 text; save it from the spreadsheet as CSV"));
      return NULL;
    }
  *out_encoding = "GB18030";

  return g_steal_pointer (&converted);
}

/* ---- RFC 4180 ------------------------------------------------------------ */

/* Whether every cell is empty or white space. */
static gboolean
is_blank (char **cells)
{
  for (guint i = 0; cells[i] != NULL; i++)
    for (const char *p = cells[i]; *p != '\0'; p = g_utf8_next_char (p))
      if (!g_unichar_isspace (g_utf8_get_char (p)))
        return FALSE;

  return TRUE;
}

/* Excel's limit of columns: a longer row was not saved from a sheet */
#define MAX_ROW_CELLS 16384u

/* Splits text into rows of cells; a quoted cell may hold commas, doubled
 * quotes and line breaks. Rows end with LF or CRLF (a lone CR too). */
static gboolean
parse_csv (const char  *text,
           GArray      *rows,
           GError     **error)
{
  g_autoptr(GPtrArray) cells = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GString) cell = g_string_new (NULL);
  const char *p = text;
  guint line = 1, row_line = 1;
  gboolean in_quotes = FALSE, quoted_cell = FALSE;

  for (;;)
    {
      char c = *p;

      if (in_quotes)
        {
          if (c == '\0')
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("Line %u: a quoted cell is never closed"), row_line);
              return FALSE;
            }
          if (c == '"' && p[1] == '"')
            {
              g_string_append_c (cell, '"');
              p += 2;
              continue;
            }
          if (c == '"')
            {
              in_quotes = FALSE;
              p++;
              continue;
            }
          if (c == '\n')
            line++;
          else if (c == '\r' && p[1] != '\n')
            line++;
          g_string_append_c (cell, c);
          p++;
          continue;
        }

      if (c == '"' && cell->len == 0 && !quoted_cell)
        {
          in_quotes = quoted_cell = TRUE;
          p++;
          continue;
        }

      if (c == ',')
        {
          if (cells->len >= MAX_ROW_CELLS)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("Line %u: more than %u cells in a row; not a ledger"), row_line, MAX_ROW_CELLS);
              return FALSE;
            }
          g_ptr_array_add (cells, g_strdup (cell->str));
          g_string_truncate (cell, 0);
          quoted_cell = FALSE;
          p++;
          continue;
        }

      if (c == '\r' || c == '\n' || c == '\0')
        {
          gboolean empty = cells->len == 0 && cell->len == 0 && !quoted_cell;

          if (!empty)
            {
              Row row = { .line = row_line };

              g_ptr_array_add (cells, g_strdup (cell->str));
              /* empty cells at the end carry nothing (a sheet's used
               * range may be much wider than its table) */
              while (cells->len > 1 && ((char *) g_ptr_array_index (cells, cells->len - 1))[0] == '\0')
                g_ptr_array_remove_index (cells, cells->len - 1);
              row.n_cells = cells->len;
              g_ptr_array_add (cells, NULL);
              row.cells = (char **) g_ptr_array_steal (cells, NULL);
              /* Excel saves the blank rows of a sheet's used range as
               * ",,,,": nothing to import, nothing to report */
              if (is_blank (row.cells))
                g_strfreev (row.cells);
              else
                g_array_append_val (rows, row);
              g_ptr_array_set_free_func (cells, g_free);
            }
          g_string_truncate (cell, 0);
          quoted_cell = FALSE;

          if (c == '\0')
            break;
          if (c == '\r' && p[1] == '\n')
            p++;
          p++;
          row_line = ++line;
          continue;
        }

      g_string_append_c (cell, c);
      p++;
    }

  return TRUE;
}

/* ---- headers ------------------------------------------------------------- */

static char *
header_key (const char *header)
{
  g_autofree char *norm = g_utf8_normalize (header, -1, G_NORMALIZE_NFKC);
  g_autofree char *folded = g_utf8_casefold (norm != NULL ? norm : "", -1);
  GString *key = g_string_new (NULL);

  for (const char *p = folded; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (!g_unichar_isspace (c))
        g_string_append_unichar (key, c);
    }

  return g_string_free (key, FALSE);
}

/* The known headers' keys, normalised once: a header row may be long. */
static GHashTable *
known_headers (void)
{
  static GHashTable *table;

  if (g_once_init_enter (&table))
    {
      GHashTable *keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

      for (guint i = 0; i < G_N_ELEMENTS (header_names); i++)
        for (guint j = 0; header_names[i].names[j] != NULL; j++)
          {
            char *key = header_key (header_names[i].names[j]);

            /* the first column naming a key has it; values are offset so
             * that none is NULL */
            if (g_hash_table_contains (keys, key))
              g_free (key);
            else
              g_hash_table_insert (keys, key, GINT_TO_POINTER (header_names[i].column + 2));
          }
      g_once_init_leave (&table, keys);
    }

  return table;
}

static Column
lookup_header (const char *header)
{
  g_autofree char *key = NULL;
  gpointer value;

  if (header[0] == '\0')
    return COL_NONE;
  key = header_key (header);
  value = g_hash_table_lookup (known_headers (), key);

  return value != NULL ? (Column) (GPOINTER_TO_INT (value) - 2) : COL_NONE;
}

static ProcuraImport *
import_new (void)
{
  ProcuraImport *self = g_new0 (ProcuraImport, 1);

  self->unknown = g_ptr_array_new_with_free_func (g_free);
  self->ignored = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);
  for (guint i = 0; i < N_COLS; i++)
    self->index[i] = -1;

  return self;
}

/* Officers' ledgers often have a title ("天元区2021年政府购买服务项目
 * 台账") or a note in the rows above the header: the header is the first
 * of the first rows that names two known columns, else the first row. */
#define MAX_TITLE_ROWS 10

static guint
find_header (GArray *rows)
{
  for (guint i = 0; i < rows->len && i <= MAX_TITLE_ROWS; i++)
    {
      char **cells = g_array_index (rows, Row, i).cells;
      guint known = 0;

      for (guint j = 0; cells[j] != NULL && known < 2 && j < 200; j++)
        if (cells[j][0] != '\0' && lookup_header (cells[j]) != COL_NONE)
          known++;
      if (known >= 2)
        return i;
    }

  return 0;
}

/* A ledger has a few dozen columns; a header row of thousands is not
 * one, and would only make every row as wide. */
#define MAX_HEADER_COLUMNS 1000

static gboolean
check_header_width (guint    line,
                    guint    width,
                    GError **error)
{
  if (width <= MAX_HEADER_COLUMNS)
    return TRUE;

  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               _("Line %u: the header row names more than %u columns; a ledger has far fewer"),
               line, MAX_HEADER_COLUMNS);
  return FALSE;
}

/* Takes the header row (the rows above it are a title) and maps its
 * columns to fields; the header's index among the rows read. */
static gboolean
map_header (ProcuraImport  *self,
            guint          *out_header,
            GError        **error)
{
  Row *header;
  guint h, width = 0;

  if (self->rows->len == 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("The file is empty: the first line must name the columns"));
      return FALSE;
    }

  h = find_header (self->rows);
  header = &g_array_index (self->rows, Row, h);
  for (guint i = 0; i < header->n_cells; i++)
    if (!is_blank ((char *[]) { header->cells[i], NULL }))
      width = i + 1;
  if (!check_header_width (header->line, width, error))
    return FALSE;
  self->headers = g_steal_pointer (&header->cells);
  g_array_remove_range (self->rows, 0, h + 1);
  if (out_header != NULL)
    *out_header = h;

  for (guint i = 0; self->headers[i] != NULL; i++)
    {
      const char *name = self->headers[i];
      Column column = lookup_header (name);

      if (column == COL_NONE)
        {
          if (name[0] != '\0')
            g_ptr_array_add (self->unknown, g_strdup (name));
        }
      else if (column == COL_COMPUTED)
        g_ptr_array_add (self->ignored, g_strdup (name));
      else if (self->index[column] >= 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("Columns “%s” and “%s” both give the same field; keep one"),
                       self->headers[self->index[column]], name);
          return FALSE;
        }
      else
        self->index[column] = (int) i;
    }

  if (self->index[COL_VALUE_YUAN] >= 0 && self->index[COL_VALUE_WAN] >= 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("Columns “%s” and “%s” both give the contract value; keep one"),
                   self->headers[self->index[COL_VALUE_YUAN]], self->headers[self->index[COL_VALUE_WAN]]);
      return FALSE;
    }

  g_ptr_array_add (self->unknown, NULL);
  g_ptr_array_add (self->ignored, NULL);

  return TRUE;
}

ProcuraImport *
procura_import_csv_parse (const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(ProcuraImport) self = NULL;
  g_autofree char *text = NULL;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  self = import_new ();
  if (!(text = decode (data != NULL ? data : "", length, &self->encoding, error)) ||
      !parse_csv (text, self->rows, error) ||
      !map_header (self, NULL, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* ---- XLSX ---------------------------------------------------------------- */

/* A number as the sheet's XML writes it ("96500", "1.5E+3",
 * "1234.5599999999999") as the plain decimal Excel shows ("1500",
 * "1234.56"): rounded to Excel's 15 significant digits, in decimal, never
 * through a double. NULL when text is not a number. */
static char *
plain_number (const char *text)
{
  g_autoptr(GString) digits = g_string_new (NULL);
  gboolean negative = FALSE;
  const char *p = text;
  gint64 exponent = 0;
  GString *out;

  if (*p == '-' || *p == '+')
    negative = *p++ == '-';
  for (; g_ascii_isdigit (*p); p++)
    g_string_append_c (digits, *p);
  if (*p == '.')
    for (p++; g_ascii_isdigit (*p); p++, exponent--)
      g_string_append_c (digits, *p);
  if (digits->len == 0)
    return NULL;
  if (*p == 'e' || *p == 'E')
    {
      gboolean minus = FALSE;
      gint64 e = 0;

      p++;
      if (*p == '-' || *p == '+')
        minus = *p++ == '-';
      if (!g_ascii_isdigit (*p))
        return NULL;
      for (; g_ascii_isdigit (*p); p++)
        if ((e = e * 10 + (*p - '0')) > 1000)
          return NULL;
      exponent += minus ? -e : e;
    }
  if (*p != '\0')
    return NULL;

  /* value = digits × 10^exponent */
  while (digits->len > 1 && digits->str[0] == '0')
    g_string_erase (digits, 0, 1);
  if (digits->len > 15)
    {
      gboolean up = digits->str[15] >= '5';

      exponent += (gint64) digits->len - 15;
      g_string_truncate (digits, 15);
      for (int i = 14; up && i >= 0; i--)
        {
          if (digits->str[i] == '9')
            digits->str[i] = '0';
          else
            {
              digits->str[i]++;
              up = FALSE;
            }
        }
      if (up)
        g_string_prepend_c (digits, '1');
    }
  while (exponent < 0 && digits->len > 1 && digits->str[digits->len - 1] == '0')
    {
      g_string_truncate (digits, digits->len - 1);
      exponent++;
    }
  if (exponent > 30 || exponent < -30)
    return NULL;

  out = g_string_new (negative && strcmp (digits->str, "0") != 0 ? "-" : "");
  if (exponent >= 0)
    {
      g_string_append (out, digits->str);
      for (gint64 i = 0; i < exponent && strcmp (digits->str, "0") != 0; i++)
        g_string_append_c (out, '0');
    }
  else
    {
      gint64 n_int = (gint64) digits->len + exponent;

      if (n_int <= 0)
        {
          g_string_append (out, "0.");
          for (gint64 i = 0; i < -n_int; i++)
            g_string_append_c (out, '0');
          g_string_append (out, digits->str);
        }
      else
        {
          g_string_append_len (out, digits->str, n_int);
          g_string_append_c (out, '.');
          g_string_append (out, digits->str + n_int);
        }
    }

  return g_string_free (out, FALSE);
}

/* A sheet row as the cells of a CSV row: width columns, empty where the
 * sheet has none; numbers as plain decimals. */
static char **
sheet_cells (const ProcuraXlsxRow *sheet_row,
             guint                 width)
{
  char **cells = g_new0 (char *, width + 1);

  for (guint i = 0; i < width; i++)
    cells[i] = g_strdup ("");
  for (guint i = 0; i < sheet_row->n_cells; i++)
    {
      const ProcuraXlsxCell *c = &sheet_row->cells[i];
      char *text = NULL;

      if (c->column >= width)
        break;
      if (c->type == PROCURA_XLSX_CELL_NUMBER)
        text = plain_number (c->text);
      if (text == NULL)
        text = g_strdup (c->text);
      g_free (cells[c->column]);
      cells[c->column] = text;
    }

  return cells;
}

/* Excel's 1904 date system (old Mac workbooks) counts days from
 * 1904-01-01, 1,462 days after its 1900 system's start. */
#define DAYS_1900_TO_1904 1462

/* A day number of the 1904 system ("35000", "35000.5") in the 1900
 * system, so that the date parser reads it; NULL when not a number. */
static char *
from_1904 (const char *text)
{
  const char *dot = strchr (text, '.');
  g_autofree char *day = g_strndup (text, dot != NULL ? (gsize) (dot - text) : strlen (text));
  guint64 n;

  if (!g_ascii_string_to_unsigned (day, 10, 0, G_MAXINT32, &n, NULL))
    return NULL;

  return g_strdup_printf ("%" G_GUINT64_FORMAT "%s", n + DAYS_1900_TO_1904, dot != NULL ? dot : "");
}

static ProcuraImport *
xlsx_parse (const char  *data,
            gsize        length,
            const char  *file_name,
            GError     **error)
{
  static const Column date_columns[] = { COL_START, COL_END, COL_SIGNED };
  g_autoptr(ProcuraXlsxSheet) sheet = procura_xlsx_sheet_read (data, length, file_name, error);
  g_autoptr(ProcuraImport) self = NULL;
  g_autoptr(GArray) first = NULL;
  g_autoptr(GArray) sheet_index = NULL;  /* guint: each row's index among the sheet's */
  guint n_rows, width = 0, h = 0, header = 0;

  if (sheet == NULL)
    return NULL;

  self = import_new ();
  self->encoding = "XLSX";
  n_rows = procura_xlsx_sheet_get_n_rows (sheet);

  /* the header is among the first rows, and its last named column sets
   * every row's width: a cell right of it has no column to go to, and
   * a sheet's used range may reach column XFD */
  first = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (first, row_clear);
  for (guint i = 0; i < n_rows && i <= MAX_TITLE_ROWS; i++)
    {
      const ProcuraXlsxRow *sheet_row = procura_xlsx_sheet_get_row (sheet, i);
      guint w = MIN (sheet_row->cells[sheet_row->n_cells - 1].column + 1, MAX_HEADER_COLUMNS + 1);
      Row row = { .line = sheet_row->number, .n_cells = w, .cells = sheet_cells (sheet_row, w) };

      g_array_append_val (first, row);
    }
  if (n_rows > 0)
    {
      const ProcuraXlsxRow *header_row;

      header = find_header (first);
      header_row = procura_xlsx_sheet_get_row (sheet, header);
      for (guint j = 0; j < header_row->n_cells; j++)
        if (!is_blank ((char *[]) { header_row->cells[j].text, NULL }))
          width = header_row->cells[j].column + 1;
      if (!check_header_width (header_row->number, width, error))
        {
          g_prefix_error (error, "%s: ", file_name);
          return NULL;
        }
    }

  sheet_index = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < n_rows; i++)
    {
      const ProcuraXlsxRow *sheet_row = procura_xlsx_sheet_get_row (sheet, i);
      Row row = { .line = sheet_row->number, .n_cells = width, .cells = sheet_cells (sheet_row, width) };

      /* nothing left of the header's end: nothing to import or report */
      if (i != header && is_blank (row.cells))
        {
          g_strfreev (row.cells);
          continue;
        }
      g_array_append_val (self->rows, row);
      g_array_append_val (sheet_index, i);
    }

  if (!map_header (self, &h, error))
    return NULL;
  g_array_remove_range (sheet_index, 0, h + 1);

  for (guint i = 0; i < self->rows->len; i++)
    {
      const ProcuraXlsxRow *sheet_row = procura_xlsx_sheet_get_row (sheet, g_array_index (sheet_index, guint, i));
      Row *row = &g_array_index (self->rows, Row, i);

      for (guint j = 0; j < sheet_row->n_cells; j++)
        {
          const ProcuraXlsxCell *c = &sheet_row->cells[j];

          /* cells showing a formula's error (#N/A, #REF!…): a problem of
           * the field their column maps to */
          if (c->type == PROCURA_XLSX_CELL_ERROR)
            for (guint k = 0; k < N_COLS; k++)
              if (self->index[k] == (int) c->column)
                row->error_cells |= 1u << k;

          /* a date is a day number, counted from 1904 in such a workbook */
          if (c->type == PROCURA_XLSX_CELL_NUMBER && procura_xlsx_sheet_get_date1904 (sheet))
            for (guint k = 0; k < G_N_ELEMENTS (date_columns); k++)
              if (self->index[date_columns[k]] == (int) c->column)
                {
                  char *shifted = from_1904 (row->cells[c->column]);

                  if (shifted != NULL)
                    {
                      g_free (row->cells[c->column]);
                      row->cells[c->column] = shifted;
                    }
                }
        }
    }

  return g_steal_pointer (&self);
}

ProcuraImport *
procura_import_parse (const char  *data,
                      gsize        length,
                      const char  *file_name,
                      GError     **error)
{
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  if (file_name == NULL)
    file_name = "";

  /* a zip: an .xlsx workbook, whatever the file is called */
  if (length >= 4 && (memcmp (data, "PK\003\004", 4) == 0 || memcmp (data, "PK\005\006", 4) == 0))
    return xlsx_parse (data, length, file_name, error);

  /* the binary .xls of Excel 97–2003 (an OLE2 compound file) */
  if (length >= 8 && memcmp (data, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: an Excel 97–2003 workbook (.xls) cannot be read; save it as .xlsx or CSV"), file_name);
      return NULL;
    }

  return procura_import_csv_parse (data, length, error);
}

ProcuraImport *
procura_import_csv_load (const char  *path,
                         GError     **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;

  return procura_import_parse (data, length, path, error);
}

const char *
procura_import_get_encoding (ProcuraImport *self)
{
  return self->encoding;
}

const char * const *
procura_import_get_unknown_columns (ProcuraImport *self)
{
  return (const char * const *) self->unknown->pdata;
}

const char * const *
procura_import_get_ignored_columns (ProcuraImport *self)
{
  return (const char * const *) self->ignored->pdata;
}

guint
procura_import_get_n_rows (ProcuraImport *self)
{
  return self->rows->len;
}

guint
procura_import_get_row_line (ProcuraImport *self,
                             guint          row)
{
  g_return_val_if_fail (row < self->rows->len, 0);

  return g_array_index (self->rows, Row, row).line;
}

const char *
procura_import_get_row_problem (ProcuraImport *self,
                                guint          row)
{
  GPtrArray *problems;

  g_return_val_if_fail (row < self->rows->len, NULL);

  problems = g_array_index (self->rows, Row, row).problems;
  return problems != NULL ? g_ptr_array_index (problems, 0) : NULL;
}

const char * const *
procura_import_get_row_notes (ProcuraImport *self,
                              guint          row)
{
  static const char * const none[] = { NULL };
  GPtrArray *notes;

  g_return_val_if_fail (row < self->rows->len, none);

  notes = g_array_index (self->rows, Row, row).notes;
  return notes != NULL ? (const char * const *) notes->pdata : none;
}

guint
procura_import_get_n_noted (ProcuraImport *self)
{
  guint n = 0;

  for (guint i = 0; i < self->rows->len; i++)
    if (g_array_index (self->rows, Row, i).notes != NULL)
      n++;

  return n;
}

const char * const *
procura_import_get_row_problems (ProcuraImport *self,
                                 guint          row)
{
  static const char * const none[] = { NULL };
  GPtrArray *problems;

  g_return_val_if_fail (row < self->rows->len, none);

  problems = g_array_index (self->rows, Row, row).problems;
  return problems != NULL ? (const char * const *) problems->pdata : none;
}

guint
procura_import_get_n_problems (ProcuraImport *self)
{
  return self->n_problems;
}

guint
procura_import_get_n_written (ProcuraImport *self)
{
  return self->n_written;
}

/* ---- rows ---------------------------------------------------------------- */

/* The cell of a column, stripped; NULL when the column is absent or the
 * cell empty. */
static char *
cell (ProcuraImport *self,
      Row           *row,
      Column         column)
{
  int i = self->index[column];

  if (i < 0 || i >= (int) row->n_cells || (row->error_cells & (1u << column)) != 0)
    return NULL;

  {
    char *text = g_strstrip (g_strdup (row->cells[i]));

    /* our export's guard against formulas: '=… stands for =… */
    if (text[0] == '\'' && text[1] != '\0' && strchr ("=+-@\t\r", text[1]) != NULL)
      memmove (text, text + 1, strlen (text));
    if (text[0] == '\0')
      g_clear_pointer (&text, g_free);
    return text;
  }
}

char *
procura_import_dup_row_cell (ProcuraImport      *self,
                             guint               row,
                             ProcuraImportField  field)
{
  Row *r;

  g_return_val_if_fail (row < self->rows->len, NULL);

  r = &g_array_index (self->rows, Row, row);
  switch (field)
    {
    case PROCURA_IMPORT_FIELD_CODE:
      return cell (self, r, COL_CODE);
    case PROCURA_IMPORT_FIELD_TITLE:
      return cell (self, r, COL_TITLE);
    case PROCURA_IMPORT_FIELD_AGENCY:
      return cell (self, r, COL_AGENCY);
    case PROCURA_IMPORT_FIELD_VALUE:
      {
        g_autofree char *wan = NULL;
        char *yuan = cell (self, r, COL_VALUE_YUAN);

        if (yuan != NULL || !(wan = cell (self, r, COL_VALUE_WAN)))
          return yuan;
        if (g_str_has_suffix (wan, "万") || g_str_has_suffix (wan, "万元"))
          return g_steal_pointer (&wan);
        return g_strconcat (wan, "万", NULL);
      }
    default:
      g_return_val_if_reached (NULL);
    }
}

static const char *
header (ProcuraImport *self,
        Column         column)
{
  return self->headers[self->index[column]];
}

static ProcuraRecord *
find_one (ProcuraStore            *store,
          const ProcuraEntityInfo *entity,
          const char              *field,
          const char              *value,
          GError                 **error)
{
  g_autoptr(GPtrArray) found = procura_store_list (store, entity, field, value, error);

  if (found == NULL)
    return NULL;
  if (found->len == 0)
    return NULL;

  return procura_record_ref (g_ptr_array_index (found, 0));
}

/* The agency's id: found by credit code or name, or created. */
static gboolean
resolve_agency (ProcuraImport  *self,
                ProcuraStore   *store,
                Row            *row,
                char          **out_id,
                GError        **error)
{
  g_autofree char *name = cell (self, row, COL_AGENCY);
  g_autofree char *uscc = cell (self, row, COL_USCC);
  g_autoptr(ProcuraRecord) org = NULL;
  g_autoptr(GError) local_error = NULL;

  *out_id = NULL;
  if (uscc != NULL)
    {
      g_autofree char *upper = g_utf8_strup (uscc, -1);

      if (!procura_uscc_validate (upper, &local_error))
        {
          /* the reason, under the column's own name: the message is
           * "label: reason", whatever the language's colon */
          const char *label = _("Unified social credit code");
          const char *reason = local_error->message;

          if (g_str_has_prefix (reason, label))
            {
              reason += strlen (label);
              while (*reason != '\0' && (g_unichar_ispunct (g_utf8_get_char (reason)) ||
                                          g_unichar_isspace (g_utf8_get_char (reason))))
                reason = g_utf8_next_char (reason);
            }
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       /* Translators: "<column header>: <reason>" */
                       _("%s: %s"), header (self, COL_USCC), reason);
          return FALSE;
        }
      g_autofree char *key = g_strconcat ("uscc:", upper, NULL);
      const char *known = g_hash_table_lookup (self->org_ids, key);

      if (known != NULL)
        {
          *out_id = g_strdup (known);
          return TRUE;
        }
      if ((org = find_one (store, PROCURA_ENTITY_ORGANIZATION, "uscc", upper, &local_error)) == NULL &&
          local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (org == NULL)
        {
          g_autoptr(ProcuraRecord) created = NULL;
          g_autofree char *id = g_uuid_string_random ();

          if (name == NULL)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                           _("%s: required to add the agency with credit code %s"),
                           self->index[COL_AGENCY] >= 0 ? header (self, COL_AGENCY) : C_("CSV header", "Contracted agency"),
                           upper);
              return FALSE;
            }
          created = procura_record_new (PROCURA_ENTITY_ORGANIZATION, id);
          procura_record_set_string (created, "name", name);
          procura_record_set_string (created, "uscc", upper);
          procura_record_set_string (created, "kind", "social_work_agency");
          if (!procura_store_insert (store, created, error))
            return FALSE;
          *out_id = g_steal_pointer (&id);
          return TRUE;
        }
    }
  else if (name != NULL)
    {
      if ((org = find_one (store, PROCURA_ENTITY_ORGANIZATION, "name", name, &local_error)) == NULL)
        {
          if (local_error != NULL)
            g_propagate_error (error, g_steal_pointer (&local_error));
          else
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                         _("%s: no organization named “%s” (give its credit code to add it)"),
                         header (self, COL_AGENCY), name);
          return FALSE;
        }
    }

  if (org != NULL)
    *out_id = g_strdup (procura_record_get_id (org));

  return TRUE;
}

static gboolean
resolve_buyer (ProcuraImport  *self,
               ProcuraStore   *store,
               Row            *row,
               char          **out_id,
               GError        **error)
{
  g_autofree char *name = cell (self, row, COL_BUYER);
  g_autofree char *key = NULL;
  const char *known;

  *out_id = NULL;
  if (name == NULL)
    return TRUE;

  key = g_strconcat ("buyer:", name, NULL);
  if ((known = g_hash_table_lookup (self->org_ids, key)) != NULL)
    {
      *out_id = g_strdup (known);
      return TRUE;
    }
  *out_id = procura_store_resolve_ref (store, PROCURA_ENTITY_ORGANIZATION, name, NULL);
  if (*out_id == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                   _("%s: no organization named “%s”"), header (self, COL_BUYER), name);
      return FALSE;
    }

  return TRUE;
}

/* The states from the workflow's start to target, without the start;
 * NULL when unreachable. */
static GPtrArray *
status_path (const char *target)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_PROJECT;

  return procura_workflow_path (entity, procura_workflow_initial_state (entity), target);
}

/* What an officer may type for an enumeration: its labels in the
 * current language (codes are accepted too, but are not for people). */
static char *
enum_choices (const ProcuraFieldInfo *field)
{
  GString *choices = g_string_new (NULL);

  for (const ProcuraEnumValue *e = field->enum_values; e->code != NULL; e++)
    {
      if (choices->len > 0)
        /* Translators: separates the values of a list, e.g. "Draft, Active" */
        g_string_append (choices, C_("list", ", "));
      g_string_append (choices, procura_enum_get_label (e));
    }

  return g_string_free (choices, FALSE);
}

static GError *
not_one_of (ProcuraImport          *self,
            Column                  column,
            const ProcuraFieldInfo *field,
            const char             *text)
{
  g_autofree char *choices = enum_choices (field);

  return g_error_new (PROCURA_ERROR, PROCURA_ERROR_INVALID,
                      /* Translators: %s: column header; %s: the cell; %s: the labels allowed */
                      _("%s: “%s” is not one of: %s"), header (self, column), text, choices);
}

static gboolean
set_cell (ProcuraImport  *self,
          ProcuraRecord  *project,
          Column          column,
          const char     *text,
          GError        **error)
{
  const char *name = column_fields[column];
  const ProcuraFieldInfo *field = procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, name);
  const char *code = text != NULL ? chinese_term (name, text) : NULL;

  if (text == NULL)
    return TRUE;
  if (field != NULL && field->type == PROCURA_FIELD_ENUM && code == NULL)
    {
      const ProcuraEnumValue *value = procura_field_match_enum (field, text);

      if (value == NULL)
        {
          g_propagate_error (error, not_one_of (self, column, field, text));
          return FALSE;
        }
      code = value->code;
    }

  return procura_record_set_from_text (project, name, code != NULL ? code : text, error);
}

/* Cuts the time from a date cell, in place: "2021/8/1 0:00",
 * "2021-08-01 00:00:00", "2021-08-01T09:30", or the fraction of a day
 * number ("46235.5", as a sheet stores a date with a time). These fields
 * are days; the time means nothing to them. A fraction is taken for a
 * time only in a day number of five digits (from 1927 on), so that
 * "2021.8" is not read as day 2021. */
static void
date_only (char *text)
{
  char *p = text, *sep;
  int hour;

  while (g_ascii_isdigit (*p))
    p++;
  if (p - text >= 5 && *p == '.')
    {
      char *q = p + 1;

      while (g_ascii_isdigit (*q))
        q++;
      if (*q == '\0' && q > p + 1)
        {
          *p = '\0';
          return;
        }
    }

  /* the last space or T followed by H:MM, H:MM:SS or H:MM:SS.fff */
  sep = strrchr (text, ' ');
  if (sep == NULL)
    sep = strrchr (text, 'T');
  if (sep == NULL || sep == text)
    return;
  p = sep + 1;
  if (!g_ascii_isdigit (*p))
    return;
  hour = g_ascii_digit_value (*p++);
  if (g_ascii_isdigit (*p))
    hour = hour * 10 + g_ascii_digit_value (*p++);
  if (hour > 23 || p[0] != ':' || p[1] < '0' || p[1] > '5' || !g_ascii_isdigit (p[2]))
    return;
  p += 3;
  if (p[0] == ':' && p[1] >= '0' && p[1] <= '5' && g_ascii_isdigit (p[2]))
    {
      p += 3;
      if (*p == '.')
        for (p++; g_ascii_isdigit (*p); p++)
          ;
    }
  if (*p != '\0')
    return;
  *sep = '\0';
  g_strchomp (text);
}

/* The store's failures are not a row's fault: they end the import. */
static gboolean
is_store_failure (const GError *error)
{
  return error->domain == PROCURA_ERROR &&
         (error->code == PROCURA_ERROR_STORE || error->code == PROCURA_ERROR_CORRUPT);
}

typedef struct
{
  Row     *row;
  guint32  failed;  /* columns with a problem reported (1 << Column) */
} RowCheck;

static void
add_note (Row  *row,
          char *note)
{
  if (row->notes == NULL)
    {
      row->notes = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (row->notes, NULL);
    }
  g_ptr_array_insert (row->notes, (gint) row->notes->len - 1, note);
}

static void
add_problem (RowCheck *check,
             Column    column,
             GError   *error)
{
  if (check->row->problems == NULL)
    {
      check->row->problems = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (check->row->problems, NULL);
    }
  /* keep the NULL at the end */
  g_ptr_array_insert (check->row->problems, (gint) check->row->problems->len - 1, g_strdup (error->message));
  if (column != COL_NONE)
    check->failed |= 1u << column;
}

/* Whether a complaint of the store's write is about a field whose column
 * already has its problem listed: a date that did not parse is missing
 * to the store, and "required" would only repeat it. */
static gboolean
repeats_problem (RowCheck     *check,
                 const GError *error)
{
  for (guint c = 0; c < N_COLS; c++)
    if ((check->failed & (1u << c)) != 0)
      {
        const ProcuraFieldInfo *field = procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, column_targets[c]);
        const char *label = field != NULL ? procura_field_get_label (field) : NULL;
        gsize n = label != NULL ? strlen (label) : 0;

        /* "label: reason", whatever the language's colon */
        if (n > 0 && strncmp (error->message, label, n) == 0 &&
            g_unichar_ispunct (g_utf8_get_char (error->message + n)))
          return TRUE;
      }

  return FALSE;
}

/* Checks one row and writes it: its agency (when new), the project as a
 * draft, then the steps to its status. Every problem of the cells is
 * listed; the write goes ahead with the cells that are good, so that the
 * store's first complaint about the rest is listed too. FALSE only for a
 * failure of the store. */
static gboolean
write_row (ProcuraImport  *self,
           ProcuraStore   *store,
           Row            *row,
           GHashTable     *codes,
           GError        **error)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_PROJECT;
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(ProcuraRecord) project = procura_record_new (entity, id);
  g_autoptr(GPtrArray) path = NULL;
  g_autofree char *code = cell (self, row, COL_CODE);
  g_autofree char *agency_id = NULL, *buyer_id = NULL;
  g_autofree char *status_note = NULL;
  RowCheck check = { row, 0 };

  /* a cell showing #N/A or #REF! holds no value */
  for (guint c = 0; c < N_COLS; c++)
    if ((row->error_cells & (1u << c)) != 0)
      {
        g_autoptr(GError) cell_error =
          g_error_new (PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       /* Translators: %s: column header, %s: "#N/A", "#REF!"… */
                       _("%s: the cell shows the error %s; correct it in the spreadsheet"),
                       header (self, c), row->cells[self->index[c]]);

        add_problem (&check, c, cell_error);
      }

  if (code != NULL)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(ProcuraRecord) existing = NULL;
      gpointer line = g_hash_table_lookup (codes, code);

      if (line != NULL)
        local_error = g_error_new (PROCURA_ERROR, PROCURA_ERROR_DUPLICATE,
                                   _("%s: “%s” is also on line %u"), header (self, COL_CODE), code,
                                   GPOINTER_TO_UINT (line));
      else if ((existing = find_one (store, entity, "code", code, &local_error)) != NULL)
        local_error = g_error_new (PROCURA_ERROR, PROCURA_ERROR_DUPLICATE,
                                   _("%s: “%s” is already in the ledger (import adds projects, it does not change them)"),
                                   header (self, COL_CODE), code);
      if (local_error != NULL)
        {
          if (is_store_failure (local_error))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return FALSE;
            }
          add_problem (&check, COL_CODE, local_error);
          g_clear_pointer (&code, g_free);
        }
    }

  for (guint c = 0; c < N_COLS; c++)
    if (column_fields[c] != NULL && (c != COL_CODE || code != NULL))
      {
        g_autofree char *text = cell (self, row, c);
        g_autoptr(GError) local_error = NULL;

        if (!set_cell (self, project, c, text, &local_error))
          add_problem (&check, c, local_error);
      }

  {
    g_autofree char *yuan = cell (self, row, COL_VALUE_YUAN);
    g_autofree char *wan = cell (self, row, COL_VALUE_WAN);
    g_autoptr(GError) local_error = NULL;
    gint64 fen = 0;

    if (yuan != NULL)
      {
        if (procura_money_parse (yuan, FALSE, header (self, COL_VALUE_YUAN), &fen, &local_error))
          procura_record_set_int (project, "value", fen);
        else
          add_problem (&check, COL_VALUE_YUAN, local_error);
      }
    else if (wan != NULL)
      {
        /* "12.5" in a 万元 column is "12.5万": the parser scales it exactly */
        g_autofree char *scaled = g_str_has_suffix (wan, "万") || g_str_has_suffix (wan, "万元")
                                  ? g_strdup (wan) : g_strconcat (wan, "万", NULL);

        if (procura_money_parse (scaled, FALSE, header (self, COL_VALUE_WAN), &fen, &local_error))
          procura_record_set_int (project, "value", fen);
        else
          add_problem (&check, COL_VALUE_WAN, local_error);
      }
  }

  {
    static const struct { Column column; const char *field; } dates[] = {
      { COL_START, "start_date" }, { COL_END, "end_date" }, { COL_SIGNED, "date_signed" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (dates); i++)
      {
        g_autofree char *text = cell (self, row, dates[i].column);
        g_autofree char *date = NULL;
        g_autoptr(GError) local_error = NULL;

        if (text == NULL)
          continue;
        date_only (text);
        if ((date = procura_date_parse_spreadsheet (text, header (self, dates[i].column), &local_error)))
          procura_record_set_string (project, dates[i].field, date);
        else
          add_problem (&check, dates[i].column, local_error);
      }
  }

  {
    g_autofree char *text = cell (self, row, COL_STATUS);

    if (text != NULL)
      {
        const char *term = chinese_term ("status", text);
        const ProcuraEnumValue *value =
          procura_field_match_enum (procura_entity_lookup_field (entity, "status"), term != NULL ? term : text);

        if (value == NULL || !(path = status_path (value->code)))
          {
            g_autoptr(GError) local_error =
              not_one_of (self, COL_STATUS, procura_entity_lookup_field (entity, "status"), text);

            add_problem (&check, COL_STATUS, local_error);
          }
        else if (strcmp (value->code, "completed") == 0)
          {
            /* a project is completed once its final milestone is accepted
             * and its final evaluation recorded, which a ledger row does
             * not give: it comes in active, and says so */
            g_clear_pointer (&path, g_ptr_array_unref);
            path = status_path ("active");
            status_note = g_strdup_printf (_("%s: the ledger says “%s”; imported as “%s”, as a project is completed "
                                             "only once its final milestone is accepted and its final evaluation recorded"),
                                           header (self, COL_STATUS), text,
                                           procura_field_enum_label (procura_entity_lookup_field (entity, "status"),
                                                                     "active"));
          }
      }
  }

  {
    g_autoptr(GError) local_error = NULL;

    if (!resolve_agency (self, store, row, &agency_id, &local_error))
      {
        if (is_store_failure (local_error))
          {
            g_propagate_error (error, g_steal_pointer (&local_error));
            return FALSE;
          }
        /* the code and the name give one field, the agency */
        add_problem (&check, COL_AGENCY, local_error);
        check.failed |= 1u << COL_USCC;
      }
    else if (agency_id != NULL)
      procura_record_set_string (project, "agency_id", agency_id);
  }

  {
    g_autoptr(GError) local_error = NULL;

    if (!resolve_buyer (self, store, row, &buyer_id, &local_error))
      add_problem (&check, COL_BUYER, local_error);
    else if (buyer_id != NULL)
      procura_record_set_string (project, "buyer_id", buyer_id);
  }

  /* the store's rules: its first complaint, unless it repeats one above */
  {
    g_autoptr(GError) local_error = NULL;

    procura_record_set_string (project, "status", procura_workflow_initial_state (entity));
    if (procura_store_insert (store, project, &local_error))
      for (guint i = 0; path != NULL && i < path->len; i++)
        {
          g_autoptr(ProcuraRecord) step = procura_record_new (entity, id);

          procura_record_set_string (step, "status", g_ptr_array_index (path, i));
          if (!procura_store_update (store, step, &local_error))
            break;
        }

    if (local_error != NULL)
      {
        if (is_store_failure (local_error))
          {
            g_propagate_error (error, g_steal_pointer (&local_error));
            return FALSE;
          }
        if (!repeats_problem (&check, local_error))
          add_problem (&check, COL_NONE, local_error);
      }
  }

  if (row->problems == NULL && code != NULL)
    g_hash_table_insert (codes, g_strdup (code), GUINT_TO_POINTER (row->line));
  if (row->problems == NULL && status_note != NULL)
    add_note (row, g_steal_pointer (&status_note));
  if (row->problems == NULL)
    {
      g_autofree char *uscc = cell (self, row, COL_USCC);
      g_autofree char *buyer = cell (self, row, COL_BUYER);

      if (uscc != NULL && agency_id != NULL)
        {
          g_autofree char *upper = g_utf8_strup (uscc, -1);

          g_hash_table_insert (self->org_ids, g_strconcat ("uscc:", upper, NULL), g_strdup (agency_id));
        }
      if (buyer != NULL && buyer_id != NULL)
        g_hash_table_insert (self->org_ids, g_strconcat ("buyer:", buyer, NULL), g_strdup (buyer_id));
    }

  return TRUE;
}

gboolean
procura_import_run (ProcuraImport     *self,
                    ProcuraStore      *store,
                    ProcuraImportMode  mode,
                    GError           **error)
{
  g_autoptr(GHashTable) codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  guint n_good = 0;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);
  g_return_val_if_fail (!procura_store_in_transaction (store), FALSE);

  self->n_problems = 0;
  self->n_written = 0;

  if (!procura_store_begin (store, error))
    return FALSE;
  if (self->org_ids == NULL)
    self->org_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_remove_all (self->org_ids);

  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);
      g_autoptr(GError) row_error = NULL;

      g_clear_pointer (&row->problems, g_ptr_array_unref);
      g_clear_pointer (&row->notes, g_ptr_array_unref);

      if (!_procura_store_exec (store, "SAVEPOINT import_row", error))
        {
          procura_store_rollback (store);
          return FALSE;
        }

      if (!write_row (self, store, row, codes, &row_error))
        {
          procura_store_rollback (store);
          g_propagate_error (error, g_steal_pointer (&row_error));
          return FALSE;
        }

      if (row->problems == NULL)
        {
          if (!_procura_store_exec (store, "RELEASE import_row", error))
            {
              procura_store_rollback (store);
              return FALSE;
            }
          n_good++;
          continue;
        }

      if (!_procura_store_exec (store, "ROLLBACK TO import_row", error) ||
          !_procura_store_exec (store, "RELEASE import_row", error))
        {
          procura_store_rollback (store);
          return FALSE;
        }
      self->n_problems++;
    }

  if (mode == PROCURA_IMPORT_DRY_RUN ||
      (mode == PROCURA_IMPORT_ALL_OR_NONE && self->n_problems > 0) ||
      n_good == 0)
    {
      procura_store_rollback (store);
      return TRUE;
    }

  if (!procura_store_commit (store, error))
    return FALSE;
  self->n_written = n_good;

  return TRUE;
}
