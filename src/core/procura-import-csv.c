/* procura-import-csv.c — the project ledger from officers' spreadsheets
 * saved as CSV
 *
 * Officers keep their ledgers in Excel or WPS and save them as CSV: UTF-8
 * (with a byte order mark from Excel's "CSV UTF-8", without from other
 * tools) or GB18030/GBK (the "CSV" of Chinese Windows). The encoding is
 * detected, never asked: a byte order mark means UTF-8; text that is valid
 * UTF-8 is UTF-8 (GBK text is practically never valid UTF-8); anything
 * else is read as GB18030, a superset of GBK and GB2312.
 *
 * Columns are found by their header, in Chinese or English, including
 * the headers of our own CSV export, so an exported ledger imports again.
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
 *   completed), each step through the write path, so the history shows
 *   how it got there and each step's rules are checked.
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

typedef struct
{
  guint   line;
  char  **cells;    /* NULL-terminated */
  char   *problem;  /* NULL: good */
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
};

static void
row_clear (gpointer data)
{
  Row *row = data;

  g_strfreev (row->cells);
  g_free (row->problem);
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
  g_free (self);
}

/* ---- decoding ---------------------------------------------------------- */

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
              Row row = { row_line, NULL, NULL };

              g_ptr_array_add (cells, g_strdup (cell->str));
              g_ptr_array_add (cells, NULL);
              row.cells = (char **) g_ptr_array_steal (cells, NULL);
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

static Column
lookup_header (const char *header)
{
  g_autofree char *key = header_key (header);

  for (guint i = 0; i < G_N_ELEMENTS (header_names); i++)
    for (guint j = 0; header_names[i].names[j] != NULL; j++)
      {
        g_autofree char *name = header_key (header_names[i].names[j]);

        if (strcmp (key, name) == 0)
          return header_names[i].column;
      }

  return COL_NONE;
}

ProcuraImport *
procura_import_csv_parse (const char  *data,
                          gsize        length,
                          GError     **error)
{
  g_autoptr(ProcuraImport) self = g_new0 (ProcuraImport, 1);
  g_autofree char *text = NULL;
  Row *header;

  g_return_val_if_fail (data != NULL || length == 0, NULL);

  self->unknown = g_ptr_array_new_with_free_func (g_free);
  self->ignored = g_ptr_array_new_with_free_func (g_free);
  self->rows = g_array_new (FALSE, TRUE, sizeof (Row));
  g_array_set_clear_func (self->rows, row_clear);
  for (guint i = 0; i < N_COLS; i++)
    self->index[i] = -1;

  if (!(text = decode (data != NULL ? data : "", length, &self->encoding, error)) ||
      !parse_csv (text, self->rows, error))
    return NULL;

  if (self->rows->len == 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("The file is empty: the first line must name the columns"));
      return NULL;
    }

  header = &g_array_index (self->rows, Row, 0);
  self->headers = g_steal_pointer (&header->cells);
  g_array_remove_index (self->rows, 0);

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
          return NULL;
        }
      else
        self->index[column] = (int) i;
    }

  if (self->index[COL_VALUE_YUAN] >= 0 && self->index[COL_VALUE_WAN] >= 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("Columns “%s” and “%s” both give the contract value; keep one"),
                   self->headers[self->index[COL_VALUE_YUAN]], self->headers[self->index[COL_VALUE_WAN]]);
      return NULL;
    }

  g_ptr_array_add (self->unknown, NULL);
  g_ptr_array_add (self->ignored, NULL);

  return g_steal_pointer (&self);
}

ProcuraImport *
procura_import_csv_load (const char  *path,
                         GError     **error)
{
  g_autofree char *data = NULL;
  g_autofree char *lower = g_ascii_strdown (path, -1);
  gsize length = 0;

  if (g_str_has_suffix (lower, ".xlsx") || g_str_has_suffix (lower, ".xls"))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: importing spreadsheet files is not available yet; save the sheet as CSV"), path);
      return NULL;
    }

  if (!g_file_get_contents (path, &data, &length, error))
    return NULL;

  return procura_import_csv_parse (data, length, error);
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
  g_return_val_if_fail (row < self->rows->len, NULL);

  return g_array_index (self->rows, Row, row).problem;
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

  if (i < 0 || i >= (int) g_strv_length (row->cells))
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
          /* the reason, under the column's own name */
          g_autofree char *label = g_strconcat (_("Unified social credit code"), ": ", NULL);
          const char *reason = local_error->message;

          if (g_str_has_prefix (reason, label))
            reason += strlen (label);
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       /* Translators: "<column header>: <reason>" */
                       _("%s: %s"), header (self, COL_USCC), reason);
          return FALSE;
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

  *out_id = NULL;
  if (name == NULL)
    return TRUE;

  *out_id = procura_store_resolve_ref (store, PROCURA_ENTITY_ORGANIZATION, name, NULL);
  if (*out_id == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                   _("%s: no organization named “%s”"), header (self, COL_BUYER), name);
      return FALSE;
    }

  return TRUE;
}

/* The states from the workflow's start to target, without the start
 * (breadth first over the small graph); NULL when unreachable. */
static GPtrArray *
status_path (const char *target)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_PROJECT;
  const char *initial = procura_workflow_initial_state (entity);
  g_autoptr(GHashTable) parent = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GQueue) queue = g_queue_new ();
  GPtrArray *path;

  g_hash_table_insert (parent, (gpointer) initial, (gpointer) "");
  g_queue_push_tail (queue, (gpointer) initial);
  while (!g_queue_is_empty (queue))
    {
      const char *state = g_queue_pop_head (queue);
      const char **next = procura_workflow_next_states (entity, state);

      for (guint i = 0; next != NULL && next[i] != NULL; i++)
        if (!g_hash_table_contains (parent, next[i]))
          {
            g_hash_table_insert (parent, (gpointer) next[i], (gpointer) state);
            g_queue_push_tail (queue, (gpointer) next[i]);
          }
    }

  if (!g_hash_table_contains (parent, target))
    return NULL;

  path = g_ptr_array_new ();
  for (const char *s = target; g_strcmp0 (s, initial) != 0; s = g_hash_table_lookup (parent, s))
    g_ptr_array_insert (path, 0, (gpointer) s);

  return path;
}

static gboolean
set_cell (ProcuraRecord  *project,
          const char     *field,
          const char     *text,
          GError        **error)
{
  const char *code = text != NULL ? chinese_term (field, text) : NULL;

  return text == NULL || procura_record_set_from_text (project, field, code != NULL ? code : text, error);
}

/* Writes one row: its agency (when new), the project as a draft, then
 * the steps to its status. */
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
  g_autoptr(ProcuraRecord) existing = NULL;
  g_autoptr(GPtrArray) path = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *code = cell (self, row, COL_CODE);
  g_autofree char *agency_id = NULL, *buyer_id = NULL, *status = NULL;

  if (code != NULL)
    {
      gpointer line = g_hash_table_lookup (codes, code);

      if (line != NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_DUPLICATE,
                       _("%s: “%s” is also on line %u"), header (self, COL_CODE), code,
                       GPOINTER_TO_UINT (line));
          return FALSE;
        }
      if ((existing = find_one (store, entity, "code", code, &local_error)) != NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_DUPLICATE,
                       _("%s: “%s” is already in the ledger (import adds projects, it does not change them)"),
                       header (self, COL_CODE), code);
          return FALSE;
        }
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
    }

  for (guint c = 0; c < N_COLS; c++)
    if (column_fields[c] != NULL)
      {
        g_autofree char *text = cell (self, row, c);

        if (!set_cell (project, column_fields[c], text, error))
          return FALSE;
      }

  {
    g_autofree char *yuan = cell (self, row, COL_VALUE_YUAN);
    g_autofree char *wan = cell (self, row, COL_VALUE_WAN);
    gint64 fen = 0;

    if (yuan != NULL)
      {
        if (!procura_money_parse (yuan, FALSE, header (self, COL_VALUE_YUAN), &fen, error))
          return FALSE;
        procura_record_set_int (project, "value", fen);
      }
    else if (wan != NULL)
      {
        /* "12.5" in a 万元 column is "12.5万": the parser scales it exactly */
        g_autofree char *scaled = g_str_has_suffix (wan, "万") || g_str_has_suffix (wan, "万元")
                                  ? g_strdup (wan) : g_strconcat (wan, "万", NULL);

        if (!procura_money_parse (scaled, FALSE, header (self, COL_VALUE_WAN), &fen, error))
          return FALSE;
        procura_record_set_int (project, "value", fen);
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

        if (text == NULL)
          continue;
        if (!(date = procura_date_parse_spreadsheet (text, header (self, dates[i].column), error)))
          return FALSE;
        procura_record_set_string (project, dates[i].field, date);
      }
  }

  {
    g_autofree char *text = cell (self, row, COL_STATUS);

    if (text != NULL)
      {
        const char *term = chinese_term ("status", text);
        const ProcuraEnumValue *value =
          procura_field_match_enum (procura_entity_lookup_field (entity, "status"), term != NULL ? term : text);

        if (value == NULL)
          {
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                         _("%s: “%s” is not a project status"), header (self, COL_STATUS), text);
            return FALSE;
          }
        status = g_strdup (value->code);
        if (!(path = status_path (status)))
          {
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                         _("%s: “%s” is not a project status"), header (self, COL_STATUS), text);
            return FALSE;
          }
      }
  }

  if (!resolve_agency (self, store, row, &agency_id, error) ||
      !resolve_buyer (self, store, row, &buyer_id, error))
    return FALSE;
  if (agency_id != NULL)
    procura_record_set_string (project, "agency_id", agency_id);
  if (buyer_id != NULL)
    procura_record_set_string (project, "buyer_id", buyer_id);

  procura_record_set_string (project, "status", procura_workflow_initial_state (entity));
  if (!procura_store_insert (store, project, error))
    return FALSE;

  for (guint i = 0; path != NULL && i < path->len; i++)
    {
      g_autoptr(ProcuraRecord) step = procura_record_new (entity, id);

      procura_record_set_string (step, "status", g_ptr_array_index (path, i));
      if (!procura_store_update (store, step, error))
        return FALSE;
    }

  if (code != NULL)
    g_hash_table_insert (codes, g_strdup (code), GUINT_TO_POINTER (row->line));

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

  for (guint i = 0; i < self->rows->len; i++)
    {
      Row *row = &g_array_index (self->rows, Row, i);
      g_autoptr(GError) row_error = NULL;

      g_clear_pointer (&row->problem, g_free);

      if (!_procura_store_exec (store, "SAVEPOINT import_row", error))
        {
          procura_store_rollback (store);
          return FALSE;
        }

      if (write_row (self, store, row, codes, &row_error))
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

      /* the store failing is not the row's fault */
      if (row_error->domain == PROCURA_ERROR &&
          (row_error->code == PROCURA_ERROR_STORE || row_error->code == PROCURA_ERROR_CORRUPT))
        {
          procura_store_rollback (store);
          g_propagate_error (error, g_steal_pointer (&row_error));
          return FALSE;
        }

      row->problem = g_strdup (row_error->message);
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
