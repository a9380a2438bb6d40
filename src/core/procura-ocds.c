/* procura-ocds.c — projects as an OCDS 1.1.5 release package
 *
 * The release is built as a JsonNode tree and written by a small writer of
 * our own: json-glib prints doubles with 17 significant digits (0.1 →
 * 0.10000000000000001), and an amount must be the 分 exactly. So a money
 * Value holds its 分 as an integer "amount" member inside the tree, and
 * the writer prints every integer "amount" as yuan with two decimals.
 * Indicator values (hundredths) go the same way as integer "measure"s.
 *
 * A whole store is exported in one pass per table rather than one query
 * per project and child table: the 20,000-project demo must export in
 * seconds. Each release is written as soon as it is built, so only one
 * project's tree is held at a time. The record package
 * (procura-ocds-record.c) builds its releases with the same
 * _procura_ocds_build_release().
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <string.h>

#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-error.h"
#include "procura-money.h"
#include "procura-ocds.h"
#include "procura-ocds-private.h"
#include "procura-ocds-preserve.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-store-private.h"

/* ---- building blocks ------------------------------------------------- */

static void
add_string (JsonObject *object,
            const char *name,
            const char *value)
{
  if (value != NULL && value[0] != '\0')
    json_object_set_string_member (object, name, value);
}

/* A store date (local calendar day, China) as an OCDS date-time. */
static void
add_date (JsonObject *object,
          const char *name,
          const char *date)
{
  if (date != NULL && date[0] != '\0')
    {
      g_autofree char *text = g_strdup_printf ("%sT00:00:00+08:00", date);

      json_object_set_string_member (object, name, text);
    }
}

static JsonObject *
value_object (gint64 fen)
{
  JsonObject *value = json_object_new ();

  /* 分; the writer turns an integer amount into yuan */
  json_object_set_int_member (value, "amount", fen);
  json_object_set_string_member (value, "currency", "CNY");
  return value;
}

static void
add_money (JsonObject          *object,
           const char          *name,
           const ProcuraRecord *record,
           const char          *field)
{
  if (procura_record_has (record, field))
    json_object_set_object_member (object, name,
                                   value_object (procura_record_get_int (record, field, 0)));
}

static const char *
map_code (const char * const *pairs,
          const char         *code)
{
  for (guint i = 0; code != NULL && pairs[i] != NULL; i += 2)
    if (strcmp (pairs[i], code) == 0)
      return pairs[i + 1];
  return NULL;
}

/* procurementMethod per the domain reference: 邀请招标, 竞争性谈判,
 * 竞争性磋商 and 询价 are limited; "other" has no code. */
static const char * const methods[] = {
  "open_tender", "open",
  "invited_tender", "limited",
  "competitive_negotiation", "limited",
  "competitive_consultation", "limited",
  "single_source", "direct",
  "inquiry", "limited",
  NULL
};

/* The national method names (政府采购法第二十六条), which stay Chinese
 * whatever the user's language: they are the legal terms. */
static const char * const method_details[] = {
  "open_tender", "公开招标",
  "invited_tender", "邀请招标",
  "competitive_negotiation", "竞争性谈判",
  "competitive_consultation", "竞争性磋商",
  "single_source", "单一来源",
  "inquiry", "询价",
  "other", "其他",
  NULL
};

/* tenderStatus (closed codelist): a draft is still being planned; once
 * the project runs the tender is over, or, with no agency chosen yet,
 * still under way. */
static const char * const tender_statuses[] = {
  "draft", "planning",
  "active", "complete",
  "completed", "complete",
  "terminated", "complete",
  "cancelled", "cancelled",
  NULL
};

static const char * const award_statuses[] = {
  "draft", "pending",
  "active", "active",
  "completed", "active",
  "terminated", "active",
  "cancelled", "cancelled",
  NULL
};

static const char * const contract_statuses[] = {
  "draft", "pending",
  "active", "active",
  "completed", "terminated",
  "terminated", "terminated",
  "cancelled", "cancelled",
  NULL
};

/* A milestone not yet accepted is still scheduled: whether it was missed
 * (notMet) is derived from the date, not recorded. */
static const char * const milestone_statuses[] = {
  "planned", "scheduled",
  "submitted", "scheduled",
  "returned", "scheduled",
  "accepted", "met",
  NULL
};

static char *
party_id (const ProcuraRecord *org)
{
  return g_strconcat ("CN-USCI-", procura_record_get_string (org, "uscc"), NULL);
}

static JsonObject *
org_reference (const ProcuraRecord *org)
{
  JsonObject *ref = json_object_new ();
  g_autofree char *id = party_id (org);

  json_object_set_string_member (ref, "id", id);
  add_string (ref, "name", procura_record_get_string (org, "name"));
  return ref;
}

static void
add_party (JsonArray           *parties,
           const ProcuraRecord *org,
           const char * const  *roles)
{
  JsonObject *party = json_object_new ();
  JsonObject *identifier = json_object_new ();
  JsonArray *role_array = json_array_new ();
  g_autofree char *id = party_id (org);

  json_object_set_string_member (party, "id", id);
  add_string (party, "name", procura_record_get_string (org, "name"));
  json_object_set_string_member (identifier, "scheme", "CN-USCI");
  json_object_set_string_member (identifier, "id", procura_record_get_string (org, "uscc"));
  add_string (identifier, "legalName", procura_record_get_string (org, "name"));
  json_object_set_object_member (party, "identifier", identifier);
  if (procura_record_get_string (org, "address") != NULL)
    {
      JsonObject *address = json_object_new ();

      add_string (address, "streetAddress", procura_record_get_string (org, "address"));
      add_string (address, "countryName", "中国");
      json_object_set_object_member (party, "address", address);
    }
  /* contact person, phone and e-mail are personal data: kept off exports */
  for (guint i = 0; roles[i] != NULL; i++)
    json_array_add_string_element (role_array, roles[i]);
  json_object_set_array_member (party, "roles", role_array);
  json_array_add_object_element (parties, party);
}

static const char *
latest (const char *a,
        const char *b)
{
  if (a == NULL)
    return b;
  if (b == NULL)
    return a;
  return strcmp (a, b) >= 0 ? a : b;
}

/* ---- outcome indicators (metrics extension) ---------------------------- */

static JsonObject *
observation (const char          *id,
             const ProcuraRecord *record,
             const char          *value_field,
             const char          *start_field,
             const char          *end_field,
             const char          *unit)
{
  JsonObject *obs = json_object_new ();

  json_object_set_string_member (obs, "id", id);
  if (start_field != NULL || end_field != NULL)
    {
      JsonObject *period = json_object_new ();

      if (start_field != NULL)
        add_date (period, "startDate", procura_record_get_string (record, start_field));
      if (end_field != NULL)
        add_date (period, "endDate", procura_record_get_string (record, end_field));
      if (json_object_get_size (period) > 0)
        json_object_set_object_member (obs, "period", period);
      else
        json_object_unref (period);
    }
  /* hundredths; the writer prints the exact decimal */
  json_object_set_int_member (obs, "measure", procura_record_get_int (record, value_field, 0));
  if (unit != NULL && unit[0] != '\0')
    {
      JsonObject *unit_object = json_object_new ();

      json_object_set_string_member (unit_object, "name", unit);
      json_object_set_object_member (obs, "unit", unit_object);
    }
  return obs;
}

/* contracts.agreedMetrics: the targets (overall, then per period);
 * implementation.metrics: the baseline and the actuals per period. */
static void
add_metrics (ProcuraProjectBundle *bundle,
             JsonObject           *contract,
             JsonObject           *implementation,
             gboolean             *used_metrics)
{
  JsonArray *agreed = json_array_new ();
  JsonArray *results = json_array_new ();

  for (guint i = 0; bundle->indicators != NULL && i < bundle->indicators->len; i++)
    {
      ProcuraRecord *indicator = g_ptr_array_index (bundle->indicators, i);
      const char *id = procura_record_get_id (indicator);
      const char *unit = procura_record_get_string (indicator, "unit");
      JsonArray *targets = json_array_new ();
      JsonArray *actuals = json_array_new ();

      if (procura_record_has (indicator, "target_value"))
        json_array_add_object_element (targets, observation ("target", indicator, "target_value", NULL, NULL, unit));
      if (procura_record_has (indicator, "baseline_value"))
        json_array_add_object_element (actuals, observation ("baseline", indicator, "baseline_value",
                                                             NULL, "baseline_date", unit));
      for (guint j = 0; bundle->indicator_periods != NULL && j < bundle->indicator_periods->len; j++)
        {
          ProcuraRecord *p = g_ptr_array_index (bundle->indicator_periods, j);

          if (g_strcmp0 (procura_record_get_string (p, "indicator_id"), id) != 0)
            continue;
          if (procura_record_has (p, "target_value"))
            json_array_add_object_element (targets, observation (procura_record_get_id (p), p, "target_value",
                                                                 "period_start", "period_end", unit));
          if (procura_record_has (p, "actual_value"))
            {
              JsonObject *obs = observation (procura_record_get_id (p), p, "actual_value",
                                             "period_start", "period_end", unit);

              add_string (obs, "notes", procura_record_get_string (p, "comment"));
              json_array_add_object_element (actuals, obs);
            }
        }

      for (guint k = 0; k < 2; k++)
        {
          JsonArray *observations = k == 0 ? targets : actuals;
          JsonObject *metric;

          if (json_array_get_length (observations) == 0)
            {
              json_array_unref (observations);
              continue;
            }
          metric = json_object_new ();
          json_object_set_string_member (metric, "id", id);
          add_string (metric, "title", procura_record_get_string (indicator, "title"));
          json_object_set_array_member (metric, "observations", observations);
          json_array_add_object_element (k == 0 ? agreed : results, metric);
        }
    }

  if (json_array_get_length (agreed) > 0)
    {
      json_object_set_array_member (contract, "agreedMetrics", agreed);
      *used_metrics = TRUE;
    }
  else
    json_array_unref (agreed);
  if (json_array_get_length (results) > 0)
    {
      json_object_set_array_member (implementation, "metrics", results);
      *used_metrics = TRUE;
    }
  else
    json_array_unref (results);
}

/* ---- one release ----------------------------------------------------- */

static JsonObject *
build_release (ProcuraProjectBundle *bundle,
               const char           *prefix,
               const char           *now,
               gint64                change_id,
               const char           *change_at,
               gboolean             *used_related_milestone,
               gboolean             *used_completion,
               gboolean             *used_metrics)
{
  ProcuraRecord *project = bundle->project;
  const char *code = procura_record_get_string (project, "code");
  const char *status = procura_record_get_string (project, "status");
  const char *method = procura_record_get_string (project, "method");
  const char *changed = procura_record_get_updated_at (project);
  g_autofree char *ocid = g_strdup_printf ("%s-%s", prefix, code);
  g_autofree char *release_id = NULL;
  g_autofree char *award_id = NULL;
  JsonObject *release = json_object_new ();
  JsonArray *tags = json_array_new ();
  JsonArray *parties = json_array_new ();
  JsonObject *tender = json_object_new ();
  GPtrArray *children[] = { bundle->amendments, bundle->milestones, bundle->payments, bundle->attachments };
  gint64 amended = procura_record_get_int (project, "value", 0);
  gint64 paid_total = 0;

  /* the release is as of the latest change to the project or under it,
   * deletions included (they leave no live record to date it by) */
  for (guint c = 0; c < G_N_ELEMENTS (children); c++)
    for (guint i = 0; children[c] != NULL && i < children[c]->len; i++)
      changed = latest (changed, procura_record_get_updated_at (g_ptr_array_index (children[c], i)));
  changed = latest (changed, change_at);
  if (changed == NULL)
    changed = now;
  /* named after the last change, as the record package's releases are,
   * so that the two link up and the id stays while nothing is written */
  if (change_id > 0)
    release_id = g_strdup_printf ("%s-%" G_GINT64_FORMAT, ocid, change_id);
  else
    release_id = g_strdup_printf ("%s-%s", ocid, changed);

  json_object_set_string_member (release, "ocid", ocid);
  json_object_set_string_member (release, "id", release_id);
  json_object_set_string_member (release, "date", changed);
  json_object_set_array_member (release, "tag", tags);
  json_object_set_string_member (release, "initiationType", "tender");
  json_object_set_string_member (release, "language", "zh");

  /* parties and buyer */
  if (bundle->buyer != NULL)
    {
      static const char * const buyer_roles[] = { "buyer", "procuringEntity", "payer", NULL };

      add_party (parties, bundle->buyer, buyer_roles);
      json_object_set_object_member (release, "buyer", org_reference (bundle->buyer));
    }
  if (bundle->agency != NULL)
    {
      static const char * const agency_roles[] = { "supplier", "payee", NULL };

      add_party (parties, bundle->agency, agency_roles);
    }
  json_object_set_array_member (release, "parties", parties);

  /* planning */
  if (procura_record_has (project, "budget"))
    {
      JsonObject *planning = json_object_new ();
      JsonObject *budget = json_object_new ();

      add_money (budget, "amount", project, "budget");
      json_object_set_object_member (planning, "budget", budget);
      json_object_set_object_member (release, "planning", planning);
      json_array_add_string_element (tags, "planning");
    }

  /* tender */
  json_object_set_string_member (tender, "id", code);
  add_string (tender, "title", procura_record_get_string (project, "title"));
  add_string (tender, "description", procura_record_get_string (project, "description"));
  add_string (tender, "status", bundle->agency == NULL && g_strcmp0 (status, "active") == 0
                                ? "active" : map_code (tender_statuses, status));
  /* before an award the contract value is what the tender expects */
  if (bundle->agency == NULL)
    add_money (tender, "value", project, "value");
  add_string (tender, "procurementMethod", map_code (methods, method));
  add_string (tender, "procurementMethodDetails", map_code (method_details, method));
  json_object_set_string_member (tender, "mainProcurementCategory", "services");
  if (bundle->buyer != NULL)
    json_object_set_object_member (tender, "procuringEntity", org_reference (bundle->buyer));
  json_object_set_object_member (release, "tender", tender);
  json_array_add_string_element (tags, "tender");
  if (g_strcmp0 (status, "cancelled") == 0)
    json_array_add_string_element (tags, "tenderCancellation");

  if (bundle->agency == NULL)
    return release;

  /* award and contract */
  for (guint i = 0; bundle->amendments != NULL && i < bundle->amendments->len; i++)
    amended += procura_record_get_int (g_ptr_array_index (bundle->amendments, i), "value_delta", 0);

  award_id = g_strdup_printf ("%s-award", code);
  {
    JsonArray *awards = json_array_new ();
    JsonObject *award = json_object_new ();
    JsonArray *suppliers = json_array_new ();

    json_object_set_string_member (award, "id", award_id);
    add_string (award, "title", procura_record_get_string (project, "title"));
    add_string (award, "status", map_code (award_statuses, status));
    /* the award as made: the original contract value */
    add_money (award, "value", project, "value");
    add_date (award, "date", procura_record_get_string (project, "date_signed"));
    json_array_add_object_element (suppliers, org_reference (bundle->agency));
    json_object_set_array_member (award, "suppliers", suppliers);
    json_array_add_object_element (awards, award);
    json_object_set_array_member (release, "awards", awards);
    json_array_add_string_element (tags, "award");
  }

  {
    JsonArray *contracts = json_array_new ();
    JsonObject *contract = json_object_new ();
    JsonObject *implementation = json_object_new ();
    JsonArray *milestones = json_array_new ();
    JsonArray *transactions = json_array_new ();
    JsonArray *documents = json_array_new ();
    JsonArray *implementation_documents = json_array_new ();
    JsonArray *amendments = json_array_new ();
    const char *contract_no = procura_record_get_string (project, "contract_no");

    json_object_set_string_member (contract, "id", contract_no != NULL ? contract_no : code);
    json_object_set_string_member (contract, "awardID", award_id);
    add_string (contract, "title", procura_record_get_string (project, "title"));
    add_string (contract, "description", procura_record_get_string (project, "description"));
    add_string (contract, "status", map_code (contract_statuses, status));
    /* the current value: the signed value plus every amendment */
    if (procura_record_has (project, "value"))
      json_object_set_object_member (contract, "value", value_object (amended));
    if (procura_record_get_string (project, "start_date") != NULL
        || procura_record_get_string (project, "end_date") != NULL)
      {
        JsonObject *period = json_object_new ();

        add_date (period, "startDate", procura_record_get_string (project, "start_date"));
        add_date (period, "endDate", procura_record_get_string (project, "end_date"));
        json_object_set_object_member (contract, "period", period);
      }
    add_date (contract, "dateSigned", procura_record_get_string (project, "date_signed"));

    for (guint i = 0; bundle->amendments != NULL && i < bundle->amendments->len; i++)
      {
        ProcuraRecord *a = g_ptr_array_index (bundle->amendments, i);
        JsonObject *amendment = json_object_new ();

        json_object_set_string_member (amendment, "id", procura_record_get_id (a));
        add_date (amendment, "date", procura_record_get_string (a, "date"));
        add_string (amendment, "rationale", procura_record_get_string (a, "rationale"));
        add_string (amendment, "description", procura_record_get_string (a, "description"));
        /* Not in OCDS 1.1.5 (an Amendment has no value; the release
         * schema allows further properties): what this amendment changed
         * the contract value by, so that each one's change survives an
         * import (the importer reads it back) */
        add_money (amendment, "valueChange", a, "value_delta");
        json_array_add_object_element (amendments, amendment);
      }

    for (guint i = 0; bundle->milestones != NULL && i < bundle->milestones->len; i++)
      {
        ProcuraRecord *m = g_ptr_array_index (bundle->milestones, i);
        JsonObject *milestone = json_object_new ();

        json_object_set_string_member (milestone, "id", procura_record_get_id (m));
        add_string (milestone, "title", procura_record_get_string (m, "title"));
        add_string (milestone, "type", procura_record_get_string (m, "type"));
        add_string (milestone, "code", procura_record_get_string (m, "code"));
        add_string (milestone, "description", procura_record_get_string (m, "description"));
        add_date (milestone, "dueDate", procura_record_get_string (m, "due_date"));
        add_date (milestone, "dateMet", procura_record_get_string (m, "date_met"));
        add_string (milestone, "dateModified", procura_record_get_updated_at (m));
        add_string (milestone, "status", map_code (milestone_statuses, procura_record_get_string (m, "status")));
        json_array_add_object_element (milestones, milestone);
      }

    for (guint i = 0; bundle->payments != NULL && i < bundle->payments->len; i++)
      {
        ProcuraRecord *p = g_ptr_array_index (bundle->payments, i);
        const char *milestone_id = procura_record_get_string (p, "milestone_id");
        JsonObject *transaction;

        /* planned and payable tranches are not transactions yet */
        if (g_strcmp0 (procura_record_get_string (p, "status"), "paid") != 0)
          continue;

        transaction = json_object_new ();
        json_object_set_string_member (transaction, "id", procura_record_get_id (p));
        add_date (transaction, "date", procura_record_get_string (p, "paid_date"));
        add_money (transaction, "value", p, "paid_amount");
        paid_total += procura_record_get_int (p, "paid_amount", 0);
        if (bundle->buyer != NULL)
          json_object_set_object_member (transaction, "payer", org_reference (bundle->buyer));
        json_object_set_object_member (transaction, "payee", org_reference (bundle->agency));
        for (guint j = 0; milestone_id != NULL && bundle->milestones != NULL && j < bundle->milestones->len; j++)
          {
            ProcuraRecord *m = g_ptr_array_index (bundle->milestones, j);

            if (strcmp (procura_record_get_id (m), milestone_id) == 0)
              {
                JsonObject *ref = json_object_new ();

                json_object_set_string_member (ref, "id", milestone_id);
                add_string (ref, "title", procura_record_get_string (m, "title"));
                json_object_set_object_member (transaction, "relatedImplementationMilestone", ref);
                *used_related_milestone = TRUE;
                break;
              }
          }
        json_array_add_object_element (transactions, transaction);
      }

    for (guint i = 0; bundle->attachments != NULL && i < bundle->attachments->len; i++)
      {
        ProcuraRecord *f = g_ptr_array_index (bundle->attachments, i);
        const char *doc_type = procura_record_get_string (f, "doc_type");
        JsonObject *document;

        if (procura_record_get_bool (f, "contains_personal_info"))
          continue;
        document = json_object_new ();
        json_object_set_string_member (document, "id", procura_record_get_id (f));
        if (g_strcmp0 (doc_type, "other") != 0)
          add_string (document, "documentType", doc_type);
        add_string (document, "title", procura_record_get_string (f, "name"));
        add_string (document, "format", procura_record_get_string (f, "mime_type"));
        add_string (document, "dateModified", procura_record_get_updated_at (f));
        /* files of a submitted report belong to the implementation */
        if (procura_record_get_string (f, "report_id") != NULL)
          json_array_add_object_element (implementation_documents, document);
        else
          json_array_add_object_element (documents, document);
      }

    if (json_array_get_length (documents) > 0)
      json_object_set_array_member (contract, "documents", documents);
    else
      json_array_unref (documents);
    if (json_array_get_length (amendments) > 0)
      json_object_set_array_member (contract, "amendments", amendments);
    else
      json_array_unref (amendments);
    if (json_array_get_length (milestones) > 0)
      json_object_set_array_member (implementation, "milestones", milestones);
    else
      json_array_unref (milestones);
    if (json_array_get_length (transactions) > 0)
      json_object_set_array_member (implementation, "transactions", transactions);
    else
      json_array_unref (transactions);
    if (json_array_get_length (implementation_documents) > 0)
      json_object_set_array_member (implementation, "documents", implementation_documents);
    else
      json_array_unref (implementation_documents);

    add_metrics (bundle, contract, implementation, used_metrics);

    /* contract completion: for a completed contract the final value is,
     * by the extension's definition, the sum of the transactions */
    if (g_strcmp0 (status, "completed") == 0)
      {
        add_date (implementation, "endDate", procura_record_get_string (project, "end_date"));
        json_object_set_object_member (implementation, "finalValue", value_object (paid_total));
        *used_completion = TRUE;
      }

    json_array_add_string_element (tags, "contract");
    if (g_strcmp0 (status, "terminated") == 0)
      json_array_add_string_element (tags, "contractTermination");
    if (json_object_get_size (implementation) > 0)
      {
        json_object_set_object_member (contract, "implementation", implementation);
        json_array_add_string_element (tags, "implementation");
      }
    else
      json_object_unref (implementation);

    json_array_add_object_element (contracts, contract);
    json_object_set_array_member (release, "contracts", contracts);
  }

  return release;
}

/* ---- writer ---------------------------------------------------------- */

void
_procura_ocds_write_string (GString    *out,
                            const char *text)
{
  const char *run = text;
  const char *p;

  g_string_append_c (out, '"');
  /* runs of characters that need no escape go in one append */
  for (p = text; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c >= 0x20 && c != '"' && c != '\\')
        continue;
      g_string_append_len (out, run, p - run);
      run = p + 1;
      if (c == '"' || c == '\\')
        {
          g_string_append_c (out, '\\');
          g_string_append_c (out, c);
        }
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else
        g_string_append_printf (out, "\\u%04x", c);
    }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}

void
_procura_ocds_indent (GString *out,
                      guint    depth)
{
  static const char spaces[] = "\n                                ";

  /* a newline and two spaces a level, in one append where it fits */
  if (depth * 2 < sizeof spaces - 1)
    g_string_append_len (out, spaces, 1 + depth * 2);
  else
    {
      g_string_append_c (out, '\n');
      for (guint i = 0; i < depth; i++)
        g_string_append (out, "  ");
    }
}

void
_procura_ocds_write_node (GString    *out,
                          JsonNode   *node,
                          const char *name,
                          guint       depth)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);

        g_string_append_c (out, '{');
        for (GList *l = members; l != NULL; l = l->next)
          {
            if (l != members)
              g_string_append_c (out, ',');
            _procura_ocds_indent (out, depth + 1);
            _procura_ocds_write_string (out, l->data);
            g_string_append (out, ": ");
            _procura_ocds_write_node (out, json_object_get_member (object, l->data), l->data, depth + 1);
          }
        if (members != NULL)
          _procura_ocds_indent (out, depth);
        g_string_append_c (out, '}');
      }
      break;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        g_string_append_c (out, '[');
        for (guint i = 0; i < n; i++)
          {
            if (i > 0)
              g_string_append_c (out, ',');
            _procura_ocds_indent (out, depth + 1);
            _procura_ocds_write_node (out, json_array_get_element (array, i), NULL, depth + 1);
          }
        if (n > 0)
          _procura_ocds_indent (out, depth);
        g_string_append_c (out, ']');
      }
      break;

    case JSON_NODE_NULL:
      g_string_append (out, "null");
      break;

    case JSON_NODE_VALUE:
      switch (json_node_get_value_type (node))
        {
        case G_TYPE_STRING:
          _procura_ocds_write_string (out, json_node_get_string (node));
          break;
        case G_TYPE_BOOLEAN:
          g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
          break;
        case G_TYPE_INT64:
          if (g_strcmp0 (name, "measure") == 0)
            {
              /* indicator values are hundredths too */
              g_autofree char *number = procura_decimal_format (json_node_get_int (node));

              g_string_append (out, number);
            }
          else if (g_strcmp0 (name, "amount") == 0)
            {
              g_autofree char *yuan = procura_money_format_plain (json_node_get_int (node));

              g_string_append (out, yuan);
            }
          else
            g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
          break;
        case G_TYPE_DOUBLE:
          {
            /* numbers kept from an imported release, printed as they came */
            char number[G_ASCII_DTOSTR_BUF_SIZE];

            g_string_append (out, procura_ocds_preserve_format_number (number, json_node_get_double (node)));
          }
          break;
        default:
          g_assert_not_reached ();
        }
      break;

    default:
      g_assert_not_reached ();
    }
}

/* ---- loading --------------------------------------------------------- */

/* The children a release is built from, in the order procura_store_list()
 * gives them (natural_order() in procura-store.c), so that a release reads
 * the same whichever way its bundle was loaded. Columns carry the alias c;
 * the project p is joined for the order of the whole pass. */
static const struct
{
  const char *entity;
  const char *order;
  gsize       offset;
} release_children[] = {
  { "amendment", "c.date, c.id", G_STRUCT_OFFSET (ProcuraProjectBundle, amendments) },
  { "milestone", "c.due_date, c.id", G_STRUCT_OFFSET (ProcuraProjectBundle, milestones) },
  { "payment", "COALESCE(c.planned_date, c.paid_date, '9999'), c.title, c.id",
    G_STRUCT_OFFSET (ProcuraProjectBundle, payments) },
  { "attachment", "c.name, c.id", G_STRUCT_OFFSET (ProcuraProjectBundle, attachments) },
  { "indicator", "c.title, c.id", G_STRUCT_OFFSET (ProcuraProjectBundle, indicators) },
  { "indicator_period", "c.period_start, c.id", G_STRUCT_OFFSET (ProcuraProjectBundle, indicator_periods) },
};

/* Up to this many chosen projects, each is loaded by itself: a pass over
 * every table of a large store costs more than a few hundred indexed
 * loads. */
#define FEW_PROJECTS 256

typedef struct
{
  sqlite3_stmt            *stmt;
  const ProcuraEntityInfo *entity;
  int                      project_column;
  gboolean                 has_row;
} ChildCursor;

static gboolean
cursor_step (ProcuraStore  *store,
             ChildCursor   *cursor,
             GError       **error)
{
  int rc = sqlite3_step (cursor->stmt);

  cursor->has_row = rc == SQLITE_ROW;
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("reading the projects"));
      return FALSE;
    }
  return TRUE;
}

static GHashTable *
load_organizations (ProcuraStore  *store,
                    GError       **error)
{
  g_autoptr(GHashTable) orgs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                      (GDestroyNotify) procura_record_unref);
  g_autofree char *columns = _procura_store_select_columns (PROCURA_ENTITY_ORGANIZATION, NULL);
  g_autofree char *sql = g_strdup_printf ("SELECT %s FROM organization WHERE deleted = 0", columns);
  sqlite3_stmt *stmt = _procura_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return NULL;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      ProcuraRecord *org = _procura_store_record_from_row (PROCURA_ENTITY_ORGANIZATION, stmt);

      /* the key lives in the record */
      g_hash_table_replace (orgs, (gpointer) procura_record_get_id (org), org);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("reading the organizations"));
      return NULL;
    }
  return g_steal_pointer (&orgs);
}

static ProcuraRecord *
lookup_org (GHashTable          *orgs,
            const ProcuraRecord *project,
            const char          *field)
{
  const char *id = procura_record_get_string (project, field);
  ProcuraRecord *org = id != NULL ? g_hash_table_lookup (orgs, id) : NULL;

  return org != NULL ? procura_record_ref (org) : NULL;
}

/* One pass per table, in project number order, for the chosen projects
 * (wanted NULL: all). */
static gboolean
foreach_bundle_bulk (ProcuraStore          *store,
                     GHashTable            *wanted,
                     ProcuraOcdsBundleFunc  func,
                     gpointer               user_data,
                     GError               **error)
{
  g_autoptr(GHashTable) orgs = NULL;
  g_autofree char *project_columns = _procura_store_select_columns (PROCURA_ENTITY_PROJECT, NULL);
  g_autofree char *project_sql = g_strdup_printf ("SELECT %s FROM project WHERE deleted = 0 ORDER BY code, id",
                                                  project_columns);
  ChildCursor cursors[G_N_ELEMENTS (release_children)] = { { 0 } };
  sqlite3_stmt *projects;
  gboolean ok = FALSE;
  int rc;

  if (!(orgs = load_organizations (store, error)))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (release_children); i++)
    {
      const ProcuraEntityInfo *entity = procura_schema_lookup (release_children[i].entity);
      g_autofree char *columns = _procura_store_select_columns (entity, "c");
      g_autofree char *sql = NULL;

      /* children of live projects only, in the projects' order */
      sql = g_strdup_printf ("SELECT %s FROM %s c JOIN project p ON p.id = c.project_id "
                             "WHERE c.deleted = 0 AND p.deleted = 0 ORDER BY p.code, p.id, %s",
                             columns, entity->name, release_children[i].order);
      cursors[i].entity = entity;
      cursors[i].project_column = 4 + procura_entity_field_index (entity, "project_id");
      if (!(cursors[i].stmt = _procura_store_prepare (store, sql, error)) ||
          !cursor_step (store, &cursors[i], error))
        goto out;
    }

  if (!(projects = _procura_store_prepare (store, project_sql, error)))
    goto out;
  while ((rc = sqlite3_step (projects)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (projects, 0);
      gboolean take = wanted == NULL || g_hash_table_contains (wanted, id);
      g_autoptr(ProcuraProjectBundle) bundle = NULL;

      if (take)
        {
          bundle = g_new0 (ProcuraProjectBundle, 1);
          bundle->project = _procura_store_record_from_row (PROCURA_ENTITY_PROJECT, projects);
          bundle->agency = lookup_org (orgs, bundle->project, "agency_id");
          bundle->buyer = lookup_org (orgs, bundle->project, "buyer_id");
        }

      for (guint i = 0; i < G_N_ELEMENTS (cursors); i++)
        {
          GPtrArray *children = NULL;

          if (take)
            {
              children = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_record_unref);
              G_STRUCT_MEMBER (GPtrArray *, bundle, release_children[i].offset) = children;
            }
          while (cursors[i].has_row &&
                 strcmp ((const char *) sqlite3_column_text (cursors[i].stmt, cursors[i].project_column), id) == 0)
            {
              if (take)
                g_ptr_array_add (children, _procura_store_record_from_row (cursors[i].entity, cursors[i].stmt));
              if (!cursor_step (store, &cursors[i], error))
                {
                  sqlite3_reset (projects);
                  goto out;
                }
            }
        }

      if (take && !func (bundle, user_data, error))
        {
          sqlite3_reset (projects);
          goto out;
        }
    }
  sqlite3_reset (projects);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("reading the projects"));
      goto out;
    }
  ok = TRUE;

out:
  /* a statement left stepping would hold the read transaction open */
  for (guint i = 0; i < G_N_ELEMENTS (cursors); i++)
    if (cursors[i].stmt != NULL)
      sqlite3_reset (cursors[i].stmt);
  return ok;
}

gboolean
_procura_ocds_foreach_bundle (ProcuraStore          *store,
                              GPtrArray             *project_ids,
                              ProcuraOcdsBundleFunc  func,
                              gpointer               user_data,
                              GError               **error)
{
  g_autoptr(GHashTable) wanted = NULL;
  g_autoptr(GPtrArray) ids = NULL;
  sqlite3_stmt *stmt;
  int rc;

  if (project_ids == NULL || project_ids->len > FEW_PROJECTS)
    {
      if (project_ids != NULL)
        {
          wanted = g_hash_table_new (g_str_hash, g_str_equal);
          for (guint i = 0; i < project_ids->len; i++)
            g_hash_table_add (wanted, g_ptr_array_index (project_ids, i));
        }
      return foreach_bundle_bulk (store, wanted, func, user_data, error);
    }

  /* a few projects: their live ones in number order, each loaded alone */
  ids = g_ptr_array_new_with_free_func (g_free);
  stmt = _procura_store_prepare (store, "SELECT id FROM project WHERE deleted = 0 ORDER BY code, id", error);
  if (stmt == NULL)
    return FALSE;
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);

      for (guint i = 0; i < project_ids->len; i++)
        if (strcmp (g_ptr_array_index (project_ids, i), id) == 0)
          {
            g_ptr_array_add (ids, g_strdup (id));
            break;
          }
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("reading the projects"));
      return FALSE;
    }

  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr(ProcuraProjectBundle) bundle = procura_store_load_project (store, g_ptr_array_index (ids, i), error);

      if (bundle == NULL || !func (bundle, user_data, error))
        return FALSE;
    }
  return TRUE;
}

/* ---- last changes ---------------------------------------------------- */

/* A release is named after the last change it shows, deletions included;
 * the change table is the one place that still knows of a deleted
 * amendment or attachment. Each lookup is one seek in the change_project
 * or change_record index: a grouped scan of the whole change table costs
 * a second on the 20,000-project demo. */

typedef struct
{
  gint64  id;
  char   *at;
} LastChange;

struct _ProcuraOcdsChanges
{
  ProcuraStore *store;
  GHashTable   *projects;   /* project id → LastChange*, id 0: none */
  GHashTable   *orgs;       /* organization id → LastChange* */
};

static void
last_change_free (LastChange *change)
{
  g_free (change->at);
  g_free (change);
}

#define PROJECT_LAST_CHANGE \
  "SELECT p.id, c.id, c.at FROM project p " \
  "JOIN change c ON c.id = (SELECT MAX(x.id) FROM change x WHERE x.project_id = p.id)"
#define ORG_LAST_CHANGE \
  "SELECT o.id, c.id, c.at FROM organization o " \
  "JOIN change c ON c.id = (SELECT MAX(x.id) FROM change x " \
  "WHERE x.record_id = o.id AND x.entity = 'organization')"

/* Rows of (record id, change id, at) into table; id bound to ?1 when
 * not NULL. */
static gboolean
read_last_changes (ProcuraStore  *store,
                   const char    *sql,
                   const char    *id,
                   GHashTable    *table,
                   GError       **error)
{
  sqlite3_stmt *stmt = _procura_store_prepare (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;
  if (id != NULL)
    sqlite3_bind_text (stmt, 1, id, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      LastChange *change = g_new0 (LastChange, 1);

      change->id = sqlite3_column_int64 (stmt, 1);
      change->at = g_strdup ((const char *) sqlite3_column_text (stmt, 2));
      g_hash_table_replace (table, g_strdup ((const char *) sqlite3_column_text (stmt, 0)), change);
    }
  sqlite3_reset (stmt);
  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("reading the history"));
      return FALSE;
    }
  return TRUE;
}

ProcuraOcdsChanges *
_procura_ocds_changes_new (ProcuraStore  *store,
                           GPtrArray     *project_ids,
                           GError       **error)
{
  g_autoptr(ProcuraOcdsChanges) changes = g_new0 (ProcuraOcdsChanges, 1);

  changes->store = store;
  changes->projects = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) last_change_free);
  changes->orgs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) last_change_free);

  /* a few projects are looked up when asked for */
  if (project_ids != NULL && project_ids->len <= FEW_PROJECTS)
    return g_steal_pointer (&changes);

  /* the changes read in id order: a forward walk through the table,
   * which matters when its pages are not cached yet */
  if (!read_last_changes (store,
                          "WITH l AS MATERIALIZED (SELECT p.id AS pid, "
                          "(SELECT MAX(x.id) FROM change x WHERE x.project_id = p.id) AS last "
                          "FROM project p WHERE p.deleted = 0 ORDER BY last) "
                          "SELECT l.pid, c.id, c.at FROM l JOIN change c ON c.id = l.last",
                          NULL, changes->projects, error) ||
      !read_last_changes (store, ORG_LAST_CHANGE " WHERE o.deleted = 0", NULL, changes->orgs, error))
    return NULL;
  /* every live record is there; an absent one has no change */
  changes->store = NULL;
  return g_steal_pointer (&changes);
}

void
_procura_ocds_changes_free (ProcuraOcdsChanges *changes)
{
  if (changes == NULL)
    return;
  g_clear_pointer (&changes->projects, g_hash_table_unref);
  g_clear_pointer (&changes->orgs, g_hash_table_unref);
  g_free (changes);
}

/* The last change of record id, looked up in table or (changes->store
 * set) read into it first. NULL when it has none. */
static const LastChange *
lookup_last_change (ProcuraOcdsChanges  *changes,
                    GHashTable          *table,
                    const char          *sql,
                    const char          *id,
                    GError             **error)
{
  LastChange *change;

  if (id == NULL)
    return NULL;
  if (!g_hash_table_lookup_extended (table, id, NULL, (gpointer *) &change))
    {
      g_autofree char *one = NULL;

      /* a whole store was read: none */
      if (changes->store == NULL)
        return NULL;
      one = g_strconcat (sql, " WHERE ", table == changes->projects ? "p" : "o", ".id = ?1", NULL);
      if (!read_last_changes (changes->store, one, id, table, error))
        return NULL;
      if (!g_hash_table_lookup_extended (table, id, NULL, (gpointer *) &change))
        {
          /* remembered as none */
          change = g_new0 (LastChange, 1);
          g_hash_table_insert (table, g_strdup (id), change);
        }
    }
  return change->id > 0 ? change : NULL;
}

gboolean
_procura_ocds_changes_last (ProcuraOcdsChanges    *changes,
                            ProcuraProjectBundle  *bundle,
                            gint64                *change_id,
                            const char           **change_at,
                            GError               **error)
{
  const LastChange *found[3];
  GError *local_error = NULL;

  *change_id = 0;
  *change_at = NULL;
  found[0] = lookup_last_change (changes, changes->projects, PROJECT_LAST_CHANGE,
                                 procura_record_get_id (bundle->project), &local_error);
  if (local_error == NULL)
    found[1] = lookup_last_change (changes, changes->orgs, ORG_LAST_CHANGE,
                                   bundle->buyer != NULL ? procura_record_get_id (bundle->buyer) : NULL,
                                   &local_error);
  if (local_error == NULL)
    found[2] = lookup_last_change (changes, changes->orgs, ORG_LAST_CHANGE,
                                   bundle->agency != NULL ? procura_record_get_id (bundle->agency) : NULL,
                                   &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (found); i++)
    if (found[i] != NULL && found[i]->id > *change_id)
      {
        *change_id = found[i]->id;
        *change_at = found[i]->at;
      }
  return TRUE;
}

/* ---- the package ----------------------------------------------------- */

JsonObject *
_procura_ocds_build_release (ProcuraStore         *store,
                             ProcuraProjectBundle *bundle,
                             const char           *prefix,
                             const char           *now,
                             gint64                change_id,
                             const char           *change_at,
                             ProcuraOcdsUsed      *used)
{
  JsonObject *release = build_release (bundle, prefix, now, change_id, change_at,
                                       &used->related_milestone, &used->completion,
                                       &used->metrics);

  /* an imported project: what the import said, with Procura's changes */
  procura_ocds_preserve_apply (store, procura_record_get_id (bundle->project), release, used, NULL);
  return release;
}

void
_procura_ocds_write_extensions (GString               *out,
                                const ProcuraOcdsUsed *used)
{
  const char *urls[3];
  guint n = 0;

  if (used->metrics)
    urls[n++] = PROCURA_OCDS_EXTENSION_METRICS;
  if (used->related_milestone)
    urls[n++] = PROCURA_OCDS_EXTENSION_RELATED_MILESTONE;
  if (used->completion)
    urls[n++] = PROCURA_OCDS_EXTENSION_CONTRACT_COMPLETION;
  if (n == 0)
    return;

  g_string_append_c (out, ',');
  _procura_ocds_indent (out, 1);
  g_string_append (out, "\"extensions\": [");
  for (guint i = 0; i < n; i++)
    {
      if (i > 0)
        g_string_append_c (out, ',');
      _procura_ocds_indent (out, 2);
      _procura_ocds_write_string (out, urls[i]);
    }
  _procura_ocds_indent (out, 1);
  g_string_append_c (out, ']');
}

/* uri, version, publishedDate and publisher of a package, without the
 * closing brace. */
void
_procura_ocds_write_package_head (GString    *out,
                                  const char *uri,
                                  const char *now)
{
  g_string_append (out, "{");
  _procura_ocds_indent (out, 1);
  g_string_append (out, "\"uri\": ");
  _procura_ocds_write_string (out, uri);
  g_string_append_c (out, ',');
  _procura_ocds_indent (out, 1);
  g_string_append (out, "\"version\": \"1.1\",");
  _procura_ocds_indent (out, 1);
  g_string_append (out, "\"publishedDate\": ");
  _procura_ocds_write_string (out, now);
  g_string_append_c (out, ',');
  _procura_ocds_indent (out, 1);
  g_string_append (out, "\"publisher\": {");
  _procura_ocds_indent (out, 2);
  g_string_append (out, "\"name\": \"Procura\"");
  _procura_ocds_indent (out, 1);
  g_string_append_c (out, '}');
}

typedef struct
{
  ProcuraStore       *store;
  const char         *prefix;
  const char         *now;
  ProcuraOcdsUsed     used;
  GString            *releases;
  guint               n_releases;
  ProcuraOcdsChanges *changes;
} PackageState;

static gboolean
package_add_release (ProcuraProjectBundle  *bundle,
                     gpointer               user_data,
                     GError               **error)
{
  PackageState *state = user_data;
  g_autoptr(JsonNode) node = json_node_alloc ();
  gint64 change_id;
  const char *change_at;

  if (!_procura_ocds_changes_last (state->changes, bundle, &change_id, &change_at, error))
    return FALSE;
  json_node_take_object (json_node_init (node, JSON_NODE_OBJECT),
                         _procura_ocds_build_release (state->store, bundle, state->prefix,
                                                      state->now, change_id, change_at, &state->used));
  if (state->n_releases++ > 0)
    g_string_append_c (state->releases, ',');
  _procura_ocds_indent (state->releases, 2);
  _procura_ocds_write_node (state->releases, node, NULL, 2);
  return TRUE;
}

/* The package into out, or (out NULL) into path. */
static gboolean
release_package (ProcuraStore  *store,
                 GPtrArray     *project_ids,
                 const char    *prefix,
                 const char    *uri,
                 GString       *out,
                 const char    *path,
                 GError       **error)
{
  g_autofree char *now = procura_timestamp_now ();
  g_autoptr(GString) head = g_string_new (NULL);
  g_autoptr(GString) releases = g_string_sized_new (1 << 16);
  g_autoptr(ProcuraOcdsChanges) changes = NULL;
  PackageState state = { store, prefix, now, { FALSE, FALSE, FALSE }, releases, 0, NULL };

  if (state.prefix == NULL)
    state.prefix = PROCURA_OCDS_DEFAULT_PREFIX;
  if (!procura_ocds_check_prefix (state.prefix, error))
    return FALSE;
  if (!(changes = _procura_ocds_changes_new (store, project_ids, error)))
    return FALSE;
  state.changes = changes;

  if (!_procura_ocds_foreach_bundle (store, project_ids, package_add_release, &state, error))
    return FALSE;

  _procura_ocds_write_package_head (head, uri != NULL ? uri : "urn:procura:release-package", now);
  _procura_ocds_write_extensions (head, &state.used);
  g_string_append_c (head, ',');
  _procura_ocds_indent (head, 1);
  g_string_append (head, "\"releases\": [");
  return _procura_ocds_emit (head, releases, state.n_releases > 0 ? "\n  ]\n}\n" : "]\n}\n",
                             out, path, error);
}

gboolean
procura_ocds_export_release_package (ProcuraStore  *store,
                                     GPtrArray     *project_ids,
                                     const char    *prefix,
                                     const char    *uri,
                                     GString       *out,
                                     GError       **error)
{
  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);
  g_return_val_if_fail (out != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return release_package (store, project_ids, prefix, uri, out, NULL, error);
}

gboolean
_procura_ocds_emit (GString     *head,
                    GString     *body,
                    const char  *tail,
                    GString     *out,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileOutputStream) stream = NULL;
  g_autoptr(GError) local_error = NULL;

  if (out != NULL)
    {
      g_string_append_len (out, head->str, head->len);
      g_string_append_len (out, body->str, body->len);
      g_string_append (out, tail);
      return TRUE;
    }

  /* written where it goes rather than joined first: the package of a
   * whole district is hundreds of megabytes. g_file_replace() writes a
   * temporary file and renames it over path when closed. */
  file = g_file_new_for_path (path);
  stream = g_file_replace (file, NULL, FALSE, G_FILE_CREATE_NONE, NULL, &local_error);
  if (stream == NULL ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (stream), head->str, head->len, NULL, NULL, &local_error) ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (stream), body->str, body->len, NULL, NULL, &local_error) ||
      !g_output_stream_write_all (G_OUTPUT_STREAM (stream), tail, strlen (tail), NULL, NULL, &local_error) ||
      !g_output_stream_close (G_OUTPUT_STREAM (stream), NULL, &local_error))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_STORE,
                   _("Output file: %s"), local_error->message);
      return FALSE;
    }
  return TRUE;
}

char *
_procura_ocds_uri_for_path (const char *path)
{
  char *uri = g_filename_to_uri (path, NULL, NULL);

  if (uri == NULL)
    {
      g_autofree char *absolute = g_canonicalize_filename (path, NULL);

      uri = g_filename_to_uri (absolute, NULL, NULL);
    }
  return uri;
}

gboolean
procura_ocds_export_to_file (ProcuraStore  *store,
                             GPtrArray     *project_ids,
                             const char    *prefix,
                             const char    *path,
                             GError       **error)
{
  g_autofree char *uri = NULL;

  g_return_val_if_fail (PROCURA_IS_STORE (store), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  uri = _procura_ocds_uri_for_path (path);
  return release_package (store, project_ids, prefix, uri, NULL, path, error);
}

gboolean
procura_ocds_check_prefix (const char  *prefix,
                           GError     **error)
{
  if (prefix == NULL || prefix[0] == '\0')
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("OCID prefix: empty (give one such as ocds-a1b2c3)"));
      return FALSE;
    }
  for (const char *p = prefix; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && *p != '-')
      {
        g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                     _("OCID prefix: “%s” may hold only letters A–Z and a–z, digits and “-” (such as ocds-a1b2c3)"),
                     prefix);
        return FALSE;
      }
  return TRUE;
}

char *
procura_ocds_dup_preferred_prefix (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettingsSchemaKey) key = NULL;
  g_autoptr(GSettings) settings = NULL;
  g_autofree char *prefix = NULL;

  if (source == NULL ||
      !(schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)) ||
      !g_settings_schema_has_key (schema, "ocds-ocid-prefix"))
    return NULL;
  key = g_settings_schema_get_key (schema, "ocds-ocid-prefix");
  if (!g_variant_type_equal (g_settings_schema_key_get_value_type (key), G_VARIANT_TYPE_STRING))
    return NULL;

  settings = g_settings_new_full (schema, NULL, NULL);
  prefix = g_settings_get_string (settings, "ocds-ocid-prefix");

  return prefix[0] != '\0' ? g_steal_pointer (&prefix) : NULL;
}
