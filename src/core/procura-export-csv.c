/* procura-export-csv.c — the ledger, milestones, payments and evaluations
 * as CSV for Excel and WPS
 *
 * What the spreadsheets need to open the file as officers expect:
 * - a UTF-8 byte order mark: without it Excel and WPS on Chinese Windows
 *   read the file as GBK and show mojibake;
 * - CRLF line ends and RFC 4180 quoting (a field with a comma, a quote, CR
 *   or LF is quoted, quotes doubled), so titles with line breaks stay in
 *   one cell;
 * - numbers without thousands separators or ¥, with two decimals, formatted
 *   from integer 分: the cell is a number, and exact;
 * - dates as ISO 8601 (YYYY-MM-DD), which both read as dates;
 * - enumerations as their translated labels, headers in the current
 *   language.
 *
 * Formula injection: a text cell that begins with = + - @ (or a tab or CR)
 * would be evaluated by the spreadsheet as a formula — a project title
 * typed by an agency could then run a DDE command or leak data on the
 * officer's machine. Such text cells get a leading apostrophe (the OWASP
 * advice), which the spreadsheet shows as a visible apostrophe. Cells we
 * produce as numbers, dates and labels are never prefixed, so "-12.50"
 * stays a number.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-derive.h"
#include "procura-error.h"
#include "procura-export-csv.h"
#include "procura-export-sink.h"
#include "procura-money.h"
#include "procura-query.h"
#include "procura-schema.h"

#define HEADER_CONTEXT "CSV header"

static const char * const table_names[] = {
  [PROCURA_EXPORT_TABLE_LEDGER] = "ledger",
  [PROCURA_EXPORT_TABLE_MILESTONES] = "milestones",
  [PROCURA_EXPORT_TABLE_PAYMENTS] = "payments",
  [PROCURA_EXPORT_TABLE_EVALUATIONS] = "evaluations",
};

/* The Chinese headers are the column names officers' own ledgers use, so
 * that the import (same issue) maps them back. */
static const char * const ledger_headers[] = {
  NC_("CSV header", "Project number"),
  NC_("CSV header", "Project title"),
  NC_("CSV header", "Contracted agency"),
  NC_("CSV header", "Unified social credit code"),
  NC_("CSV header", "Purchasing unit"),
  NC_("CSV header", "Street"),
  NC_("CSV header", "Community"),
  NC_("CSV header", "Category"),
  NC_("CSV header", "Procurement method"),
  NC_("CSV header", "Status"),
  NC_("CSV header", "Contract value (yuan)"),
  NC_("CSV header", "Value with amendments (yuan)"),
  NC_("CSV header", "Paid (yuan)"),
  NC_("CSV header", "Start date"),
  NC_("CSV header", "End date"),
  NC_("CSV header", "Date signed"),
  NC_("CSV header", "Progress (%)"),
  NC_("CSV header", "Evaluation grade"),
  NULL
};

static const char * const milestone_headers[] = {
  NC_("CSV header", "Project number"),
  NC_("CSV header", "Project title"),
  NC_("CSV header", "Milestone"),
  NC_("CSV header", "Due date"),
  NC_("CSV header", "Status"),
  NC_("CSV header", "Date met"),
  NULL
};

static const char * const payment_headers[] = {
  NC_("CSV header", "Project number"),
  NC_("CSV header", "Project title"),
  NC_("CSV header", "Tranche"),
  NC_("CSV header", "Planned amount (yuan)"),
  NC_("CSV header", "Planned date"),
  NC_("CSV header", "Status"),
  NC_("CSV header", "Date paid"),
  NC_("CSV header", "Amount paid (yuan)"),
  NC_("CSV header", "Voucher number"),
  NULL
};

static const char * const evaluation_headers[] = {
  NC_("CSV header", "Project number"),
  NC_("CSV header", "Project title"),
  NC_("CSV header", "Evaluation type"),
  NC_("CSV header", "Evaluator"),
  NC_("CSV header", "Evaluation date"),
  NC_("CSV header", "Status"),
  NC_("CSV header", "Total score"),
  NC_("CSV header", "Grade"),
  NULL
};

const char *
procura_export_table_get_name (ProcuraExportTable table)
{
  g_return_val_if_fail (table <= PROCURA_EXPORT_TABLE_EVALUATIONS, NULL);

  return table_names[table];
}

gboolean
procura_export_table_from_name (const char         *name,
                                ProcuraExportTable *out_table)
{
  g_return_val_if_fail (out_table != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (table_names); i++)
    if (g_strcmp0 (name, table_names[i]) == 0)
      {
        *out_table = (ProcuraExportTable) i;
        return TRUE;
      }

  return FALSE;
}

GPtrArray *
procura_export_resolve_projects (ProcuraStore        *store,
                                 const char * const  *keys,
                                 GError             **error)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);

  for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
    {
      g_autofree char *id = NULL;

      if (g_uuid_string_is_valid (keys[i]))
        {
          g_autoptr(ProcuraRecord) project = NULL;
          g_autoptr(GError) local_error = NULL;

          project = procura_store_get (store, PROCURA_ENTITY_PROJECT, keys[i], &local_error);
          if (project != NULL)
            id = g_strdup (keys[i]);
          else if (!g_error_matches (local_error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND))
            {
              g_propagate_error (error, g_steal_pointer (&local_error));
              return NULL;
            }
        }
      else
        id = procura_store_resolve_ref (store, PROCURA_ENTITY_PROJECT, keys[i], NULL);

      if (id == NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                       _("Project: nothing matches “%s” (give a project number or id)"), keys[i]);
          return NULL;
        }

      if (!g_ptr_array_find_with_equal_func (ids, id, g_str_equal, NULL))
        g_ptr_array_add (ids, g_steal_pointer (&id));
    }

  return g_steal_pointer (&ids);
}

/* ---- cells ----------------------------------------------------------- */

/* The tables below are written once, through a ProcuraExportSink (see
 * procura-export-sink.h): the CSV sink here, the XLSX one in
 * procura-export-xlsx.c. The csv_* names are kept for the table code. */

static void
csv_text (ProcuraExportSink *sink,
          const char        *text)
{
  sink->vtable->text (sink, text);
}

static void
csv_empty (ProcuraExportSink *sink)
{
  sink->vtable->text (sink, NULL);
}

static void
csv_date (ProcuraExportSink *sink,
          const char        *iso)
{
  sink->vtable->date (sink, iso);
}

static void
csv_money (ProcuraExportSink *sink,
           gint64             fen)
{
  sink->vtable->money (sink, fen);
}

static void
csv_record_money (ProcuraExportSink   *sink,
                  const ProcuraRecord *record,
                  const char          *field)
{
  if (procura_record_has (record, field))
    csv_money (sink, procura_record_get_int (record, field, 0));
  else
    csv_empty (sink);
}

static void
csv_enum (ProcuraExportSink       *sink,
          const ProcuraEntityInfo *entity,
          const char              *field,
          const char              *code)
{
  if (code == NULL)
    csv_empty (sink);
  else
    csv_text (sink, procura_field_enum_label (procura_entity_lookup_field (entity, field), code));
}

static void
csv_decimal (ProcuraExportSink *sink,
             gint64             value,
             guint              digits)
{
  sink->vtable->decimal (sink, value, digits);
}

static void
csv_end_row (ProcuraExportSink *sink)
{
  sink->vtable->end_row (sink);
}

static void
csv_headers (ProcuraExportSink  *sink,
             const char * const *headers)
{
  for (guint i = 0; headers[i] != NULL; i++)
    sink->vtable->header (sink, g_dpgettext2 (GETTEXT_PACKAGE, HEADER_CONTEXT, headers[i]));
  csv_end_row (sink);
}

/* ---- the CSV sink ----------------------------------------------------- */

typedef struct
{
  ProcuraExportSink  parent;
  GString           *out;
  gboolean           first;  /* no cell yet in this row */
} Csv;

static void
csv_raw (Csv        *csv,
         const char *text,
         gboolean    guard)
{
  gboolean quote;

  if (!csv->first)
    g_string_append_c (csv->out, ',');
  csv->first = FALSE;

  if (text == NULL || text[0] == '\0')
    return;

  quote = strpbrk (text, ",\"\r\n") != NULL;
  if (quote)
    g_string_append_c (csv->out, '"');
  if (guard && strchr ("=+-@\t\r", text[0]) != NULL)
    g_string_append_c (csv->out, '\'');

  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (csv->out, '"');
      g_string_append_c (csv->out, *p);
    }

  if (quote)
    g_string_append_c (csv->out, '"');
}

/* Text as people typed it (and headers, labels): guarded against formula
 * injection. */
static void
csv_sink_text (ProcuraExportSink *sink,
               const char        *text)
{
  csv_raw ((Csv *) sink, text, TRUE);
}

/* Numbers and dates we format ourselves. */
static void
csv_sink_date (ProcuraExportSink *sink,
               const char        *iso)
{
  csv_raw ((Csv *) sink, iso, FALSE);
}

static void
csv_sink_money (ProcuraExportSink *sink,
                gint64             fen)
{
  g_autofree char *text = procura_money_format_plain (fen);

  csv_raw ((Csv *) sink, text, FALSE);
}

static void
csv_sink_decimal (ProcuraExportSink *sink,
                  gint64             value,
                  guint              digits)
{
  g_autofree char *text = NULL;
  guint scale = digits == 1 ? 10 : 100;

  g_assert (value >= 0 && (digits == 1 || digits == 2));
  text = g_strdup_printf ("%" G_GINT64_FORMAT ".%0*u", value / scale, (int) digits, (guint) (value % scale));
  csv_raw ((Csv *) sink, text, FALSE);
}

static void
csv_sink_end_row (ProcuraExportSink *sink)
{
  Csv *csv = (Csv *) sink;

  g_string_append (csv->out, "\r\n");
  csv->first = TRUE;
}

static const ProcuraExportSinkVTable csv_vtable = {
  .header = csv_sink_text,
  .text = csv_sink_text,
  .date = csv_sink_date,
  .money = csv_sink_money,
  .decimal = csv_sink_decimal,
  .end_row = csv_sink_end_row,
};

/* ---- tables ---------------------------------------------------------- */

static GHashTable *
index_by_id (GPtrArray *records)
{
  GHashTable *index = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < records->len; i++)
    {
      ProcuraRecord *record = g_ptr_array_index (records, i);

      g_hash_table_insert (index, (gpointer) procura_record_get_id (record), record);
    }

  return index;
}

static const char *
org_field (GHashTable *orgs,
           const char *org_id,
           const char *field)
{
  ProcuraRecord *org = org_id != NULL ? g_hash_table_lookup (orgs, org_id) : NULL;

  return org != NULL ? procura_record_get_string (org, field) : NULL;
}

static gboolean
write_ledger (ProcuraStore  *store,
              GPtrArray     *rows,
              ProcuraExportSink  *csv,
              GError       **error)
{
  g_autoptr(GPtrArray) projects = NULL;
  g_autoptr(GPtrArray) orgs = NULL;
  g_autoptr(GHashTable) project_index = NULL;
  g_autoptr(GHashTable) org_index = NULL;

  if (!(projects = procura_store_list (store, PROCURA_ENTITY_PROJECT, NULL, NULL, error)) ||
      !(orgs = procura_store_list (store, PROCURA_ENTITY_ORGANIZATION, NULL, NULL, error)))
    return FALSE;
  project_index = index_by_id (projects);
  org_index = index_by_id (orgs);

  csv_headers (csv, ledger_headers);

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      ProcuraRecord *project = g_hash_table_lookup (project_index, row->id);
      const char *buyer_id = project ? procura_record_get_string (project, "buyer_id") : NULL;
      guint progress = procura_ledger_row_get_progress (row);

      csv_text (csv, row->code);
      csv_text (csv, row->title);
      csv_text (csv, row->agency_name);
      csv_text (csv, org_field (org_index, row->agency_id, "uscc"));
      csv_text (csv, org_field (org_index, buyer_id, "name"));
      csv_text (csv, row->street);
      csv_text (csv, row->community);
      csv_enum (csv, PROCURA_ENTITY_PROJECT, "category", row->category);
      csv_enum (csv, PROCURA_ENTITY_PROJECT, "method",
                project ? procura_record_get_string (project, "method") : NULL);
      csv_enum (csv, PROCURA_ENTITY_PROJECT, "status", row->status);
      /* the contract's value as signed (what an import reads back), then
       * the value in force with its amendments, as the ledger shows; both
       * empty while the project has no value yet (not 0.00, which an
       * import would take for a value) */
      if (project != NULL && procura_record_get_value (project, procura_entity_field_index (PROCURA_ENTITY_PROJECT, "value")) == NULL)
        {
          csv_empty (csv);
          csv_empty (csv);
        }
      else
        {
          csv_money (csv, row->value);
          csv_money (csv, row->amended_value);
        }
      csv_money (csv, row->paid);
      csv_date (csv, row->start_date);
      csv_date (csv, row->end_date);
      /* a project in force needs it: the import reads it back */
      csv_date (csv, project != NULL ? procura_record_get_string (project, "date_signed") : NULL);
      csv_decimal (csv, progress, 1);
      csv_text (csv, row->latest_grade);
      csv_end_row (csv);
    }

  return TRUE;
}

static void
write_milestones (ProcuraProjectBundle *bundle,
                  ProcuraExportSink    *csv)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_MILESTONE;

  for (guint i = 0; i < bundle->milestones->len; i++)
    {
      ProcuraRecord *m = g_ptr_array_index (bundle->milestones, i);

      csv_text (csv, procura_record_get_string (bundle->project, "code"));
      csv_text (csv, procura_record_get_string (bundle->project, "title"));
      csv_text (csv, procura_record_get_string (m, "title"));
      csv_date (csv, procura_record_get_string (m, "due_date"));
      csv_enum (csv, entity, "status", procura_record_get_string (m, "status"));
      csv_date (csv, procura_record_get_string (m, "date_met"));
      csv_end_row (csv);
    }
}

static void
write_payments (ProcuraProjectBundle *bundle,
                ProcuraExportSink    *csv)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_PAYMENT;

  for (guint i = 0; i < bundle->payments->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (bundle->payments, i);

      csv_text (csv, procura_record_get_string (bundle->project, "code"));
      csv_text (csv, procura_record_get_string (bundle->project, "title"));
      csv_text (csv, procura_record_get_string (p, "title"));
      csv_record_money (csv, p, "planned_amount");
      csv_date (csv, procura_record_get_string (p, "planned_date"));
      csv_enum (csv, entity, "status", procura_record_get_string (p, "status"));
      csv_date (csv, procura_record_get_string (p, "paid_date"));
      csv_record_money (csv, p, "paid_amount");
      csv_text (csv, procura_record_get_string (p, "voucher_no"));
      csv_end_row (csv);
    }
}

static void
write_evaluations (ProcuraProjectBundle *bundle,
                   GHashTable           *org_index,
                   ProcuraExportSink    *csv)
{
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_EVALUATION;

  for (guint i = 0; i < bundle->evaluations->len; i++)
    {
      ProcuraRecord *e = g_ptr_array_index (bundle->evaluations, i);
      const char *id = procura_record_get_id (e);
      gint64 total = procura_evaluation_total (bundle, id);
      g_autofree char *grade = procura_evaluation_grade (bundle, id);

      csv_text (csv, procura_record_get_string (bundle->project, "code"));
      csv_text (csv, procura_record_get_string (bundle->project, "title"));
      csv_enum (csv, entity, "kind", procura_record_get_string (e, "kind"));
      csv_text (csv, org_field (org_index, procura_record_get_string (e, "evaluator_org_id"), "name"));
      csv_date (csv, procura_record_get_string (e, "date"));
      csv_enum (csv, entity, "status", procura_record_get_string (e, "status"));
      /* hundredths, formatted from integers as money is */
      if (total >= 0)
        csv_decimal (csv, total, 2);
      else
        csv_empty (csv);
      csv_text (csv, grade);
      csv_end_row (csv);
    }
}

/* Milestones, payments and evaluations: one project bundle at a time, in
 * the ledger's order, through the read model the project page uses. */
static gboolean
write_children (ProcuraStore        *store,
                ProcuraExportTable   table,
                GPtrArray           *rows,
                ProcuraExportSink   *csv,
                GError             **error)
{
  g_autoptr(GPtrArray) orgs = NULL;
  g_autoptr(GHashTable) org_index = NULL;

  switch (table)
    {
    case PROCURA_EXPORT_TABLE_MILESTONES:
      csv_headers (csv, milestone_headers);
      break;
    case PROCURA_EXPORT_TABLE_PAYMENTS:
      csv_headers (csv, payment_headers);
      break;
    case PROCURA_EXPORT_TABLE_EVALUATIONS:
      csv_headers (csv, evaluation_headers);
      if (!(orgs = procura_store_list (store, PROCURA_ENTITY_ORGANIZATION, NULL, NULL, error)))
        return FALSE;
      org_index = index_by_id (orgs);
      break;
    case PROCURA_EXPORT_TABLE_LEDGER:
    default:
      g_assert_not_reached ();
    }

  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      g_autoptr(ProcuraProjectBundle) bundle = procura_store_load_project (store, row->id, error);

      if (bundle == NULL)
        return FALSE;

      if (table == PROCURA_EXPORT_TABLE_MILESTONES)
        write_milestones (bundle, csv);
      else if (table == PROCURA_EXPORT_TABLE_PAYMENTS)
        write_payments (bundle, csv);
      else
        write_evaluations (bundle, org_index, csv);
    }

  return TRUE;
}

gboolean
procura_export_to_sink (ProcuraStore        *store,
                        ProcuraExportTable   table,
                        GPtrArray           *project_ids,
                        ProcuraExportSink   *sink,
                        GError             **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);
  g_return_val_if_fail (table <= PROCURA_EXPORT_TABLE_EVALUATIONS, FALSE);
  g_return_val_if_fail (sink != NULL && sink->vtable != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!(rows = procura_store_query_ledger (store, NULL, NULL, error)))
    return FALSE;

  if (project_ids != NULL)
    {
      g_autoptr(GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);

      for (guint i = 0; i < project_ids->len; i++)
        g_hash_table_add (wanted, g_ptr_array_index (project_ids, i));
      for (guint i = rows->len; i > 0; i--)
        {
          ProcuraLedgerRow *row = g_ptr_array_index (rows, i - 1);

          if (!g_hash_table_contains (wanted, row->id))
            g_ptr_array_remove_index (rows, i - 1);
        }
    }

  if (table == PROCURA_EXPORT_TABLE_LEDGER)
    return write_ledger (store, rows, sink, error);
  else
    return write_children (store, table, rows, sink, error);
}

gboolean
procura_export_csv (ProcuraStore        *store,
                    ProcuraExportTable   table,
                    GPtrArray           *project_ids,
                    GString             *out,
                    GError             **error)
{
  g_autoptr(GString) buffer = g_string_new ("\xEF\xBB\xBF");
  Csv csv = { { &csv_vtable }, buffer, TRUE };

  g_return_val_if_fail (out != NULL, FALSE);

  if (!procura_export_to_sink (store, table, project_ids, &csv.parent, error))
    return FALSE;

  g_string_append_len (out, buffer->str, buffer->len);
  return TRUE;
}

gboolean
procura_export_csv_to_file (ProcuraStore        *store,
                            ProcuraExportTable   table,
                            GPtrArray           *project_ids,
                            const char          *path,
                            GError             **error)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) local_error = NULL;

  g_return_val_if_fail (path != NULL, FALSE);

  if (!procura_export_csv (store, table, project_ids, out, error))
    return FALSE;

  /* g_file_set_contents writes a temporary file beside path and renames
   * it over path: readers never see half a table. */
  if (!g_file_set_contents_full (path, out->str, out->len,
                                 G_FILE_SET_CONTENTS_CONSISTENT, 0666, &local_error))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Output file: %s"), local_error->message);
      return FALSE;
    }

  return TRUE;
}
