/* procura-rules.c — the domain rules every write must satisfy
 *
 * prepare:  fills in what a write implies (initial states, a milestone's
 *           date met, a report's submission time).
 * validate: record- and store-level rules (periods, workflow graphs, the
 *           amendment limit, the payment limit, evaluation weights …).
 * cascade:  workflow consequences written through the same write path
 *           (report accepted → milestone accepted → tranches payable).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-error.h"
#include "procura-grade.h"
#include "procura-money.h"
#include "procura-store-private.h"
#include "procura-workflow.h"

static gboolean
is (const ProcuraRecord *record,
    const char          *entity)
{
  return strcmp (procura_record_get_entity (record)->name, entity) == 0;
}

static const char *
label_of (const ProcuraRecord *record,
          const char          *field)
{
  return procura_field_get_label (procura_entity_lookup_field (procura_record_get_entity (record), field));
}

/* Present and not blank: a voucher number of spaces is no voucher. */
static gboolean
has_text (const ProcuraRecord *record,
          const char          *field)
{
  const char *text;

  if (!procura_record_has (record, field))
    return FALSE;
  text = procura_record_get_string (record, field);
  if (text == NULL)
    return TRUE; /* non-text values are present */
  while (*text != '\0' && g_ascii_isspace (*text))
    text++;
  return *text != '\0';
}

static const char *
state_of (const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity;

  if (record == NULL)
    return NULL;
  entity = procura_record_get_entity (record);
  if (entity->status_field == NULL)
    return NULL;

  return procura_record_get_string (record, entity->status_field);
}

static gboolean
state_changed_to (const ProcuraRecord *old,
                  const ProcuraRecord *merged,
                  const char          *state)
{
  return merged != NULL &&
         g_strcmp0 (state_of (merged), state) == 0 &&
         g_strcmp0 (state_of (old), state) != 0;
}

/* Runs a query returning one integer; binds text parameters. */
static gboolean
query_int (ProcuraStore  *store,
           const char    *sql,
           gint64        *out,
           GError       **error,
           ...)
{
  sqlite3_stmt *stmt = _procura_store_prepare (store, sql, error);
  const char *param;
  va_list args;
  int col = 1;
  int rc;

  if (stmt == NULL)
    return FALSE;

  va_start (args, error);
  while ((param = va_arg (args, const char *)) != NULL)
    sqlite3_bind_text (stmt, col++, param, -1, SQLITE_TRANSIENT);
  va_end (args);

  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW)
    {
      _procura_store_set_sqlite_error (store, error, _("checking a rule"));
      sqlite3_reset (stmt);
      return FALSE;
    }
  *out = sqlite3_column_int64 (stmt, 0);
  sqlite3_reset (stmt);

  return TRUE;
}

static ProcuraRecord *
get_parent (ProcuraStore        *store,
            const ProcuraRecord *record,
            const char          *field,
            const char          *entity)
{
  const char *id = procura_record_get_string (record, field);

  if (id == NULL)
    return NULL;

  return procura_store_get (store, procura_schema_lookup (entity), id, NULL);
}

/* ---- prepare ------------------------------------------------------- */

/* The change itself sets the timestamp field (a value other than the one
 * the record had). */
static gboolean
stamp_given (const ProcuraRecord *old,
             const ProcuraRecord *merged,
             const char          *field)
{
  const char *value = procura_record_get_string (merged, field);

  return value != NULL && (old == NULL || g_strcmp0 (value, procura_record_get_string (old, field)) != 0);
}

gboolean
_procura_rules_prepare (ProcuraStore        *store,
                        const ProcuraRecord *old,
                        ProcuraRecord       *merged,
                        GError             **error)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (merged);

  if (old == NULL && entity->status_field != NULL &&
      !procura_record_has (merged, entity->status_field))
    procura_record_set_string (merged, entity->status_field,
                               procura_workflow_initial_state (entity));

  if (is (merged, "milestone") && state_changed_to (old, merged, "accepted") &&
      !procura_record_has (merged, "date_met"))
    {
      g_autofree char *today = procura_store_dup_today (store);
      procura_record_set_string (merged, "date_met", today);
    }

  if (is (merged, "report"))
    {
      /* stamped when the step is taken; a change that carries its own
       * stamp keeps it (the server applying a step taken offline days
       * ago keeps the day it was taken) */
      if (state_changed_to (old, merged, "submitted") && !stamp_given (old, merged, "submitted_at"))
        {
          g_autofree char *now = procura_timestamp_now ();
          procura_record_set_string (merged, "submitted_at", now);
        }
      if ((state_changed_to (old, merged, "accepted") || state_changed_to (old, merged, "returned")) &&
          !stamp_given (old, merged, "reviewed_at"))
        {
          g_autofree char *now = procura_timestamp_now ();
          procura_record_set_string (merged, "reviewed_at", now);
        }
    }

  if (is (merged, "indicator") && old == NULL && !procura_record_has (merged, "ascending"))
    procura_record_set_bool (merged, "ascending", TRUE);

  return TRUE;
}

/* ---- validate ------------------------------------------------------ */

static gboolean
check_period (const ProcuraRecord *record,
              const char          *start,
              const char          *end,
              GError             **error)
{
  return procura_period_validate (procura_record_get_string (record, start),
                                  procura_record_get_string (record, end),
                                  label_of (record, start), label_of (record, end),
                                  error);
}

/* The latest end date in force: the contract's, or a later one set by an
 * amendment. */
static char *
project_effective_end (ProcuraStore        *store,
                       const ProcuraRecord *project)
{
  sqlite3_stmt *stmt;
  const char *end = procura_record_get_string (project, "end_date");
  char *result = g_strdup (end);

  stmt = _procura_store_prepare (store,
                                 "SELECT max(new_end_date) FROM amendment "
                                 "WHERE project_id = ? AND deleted = 0",
                                 NULL);
  if (stmt == NULL)
    return result;
  sqlite3_bind_text (stmt, 1, procura_record_get_id (project), -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
    {
      const char *amended = (const char *) sqlite3_column_text (stmt, 0);

      if (result == NULL || strcmp (amended, result) > 0)
        {
          g_free (result);
          result = g_strdup (amended);
        }
    }
  sqlite3_reset (stmt);

  return result;
}

static gboolean
sum_amendments (ProcuraStore *store,
                const char   *project_id,
                const char   *except_id,
                gint64       *net,
                gint64       *increase,
                GError      **error)
{
  return query_int (store,
                    "SELECT COALESCE(sum(value_delta), 0) FROM amendment "
                    "WHERE project_id = ? AND deleted = 0 AND id <> ?",
                    net, error, project_id, except_id != NULL ? except_id : "", NULL) &&
         query_int (store,
                    "SELECT COALESCE(sum(value_delta), 0) FROM amendment "
                    "WHERE project_id = ? AND deleted = 0 AND id <> ? AND value_delta > 0",
                    increase, error, project_id, except_id != NULL ? except_id : "", NULL);
}

static gboolean
sum_paid (ProcuraStore *store,
          const char   *project_id,
          const char   *except_id,
          gint64       *paid,
          GError      **error)
{
  return query_int (store,
                    "SELECT COALESCE(sum(paid_amount), 0) FROM payment "
                    "WHERE project_id = ? AND deleted = 0 AND status = 'paid' AND id <> ?",
                    paid, error, project_id, except_id != NULL ? except_id : "", NULL);
}

static gboolean
validate_project (ProcuraStore        *store,
                  const ProcuraRecord *old,
                  const ProcuraRecord *project,
                  GError             **error)
{
  const char *status = procura_record_get_string (project, "status");
  gint64 year;

  /* an impossible step is reported as such, before any missing field */
  if (old != NULL &&
      !procura_workflow_check (procura_record_get_entity (project), state_of (old), status, error))
    return FALSE;

  if (!check_period (project, "start_date", "end_date", error))
    return FALSE;

  year = procura_record_get_int (project, "budget_year", 2000);
  if (year < 1990 || year > 2199)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: %lld is not a plausible year"),
                   label_of (project, "budget_year"), (long long) year);
      return FALSE;
    }

  if (procura_record_has (project, "agency_id") &&
      g_strcmp0 (procura_record_get_string (project, "agency_id"),
                 procura_record_get_string (project, "buyer_id")) == 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: the agency cannot also be the purchasing unit"),
                   label_of (project, "agency_id"));
      return FALSE;
    }

  /* A contract in force must say who, how much and for how long. */
  if (g_strcmp0 (status, "draft") != 0 && g_strcmp0 (status, "cancelled") != 0)
    {
      static const char * const needed[] = { "agency_id", "value", "start_date", "end_date", "date_signed" };

      for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
        if (!procura_record_has (project, needed[i]))
          {
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                         _("%s: required once the contract is signed"),
                         label_of (project, needed[i]));
            return FALSE;
          }
    }

  if (old != NULL &&
      (g_strcmp0 (procura_record_get_string (old, "start_date"), procura_record_get_string (project, "start_date")) != 0 ||
       g_strcmp0 (procura_record_get_string (old, "end_date"), procura_record_get_string (project, "end_date")) != 0))
    {
      g_autofree char *end = project_effective_end (store, project);
      const char *start = procura_record_get_string (project, "start_date");
      sqlite3_stmt *stmt;

      stmt = _procura_store_prepare (store,
                                     "SELECT title, due_date FROM milestone WHERE project_id = ?1 AND deleted = 0 "
                                     "AND COALESCE(outside_period_allowed, 0) = 0 "
                                     "AND ((?2 IS NOT NULL AND due_date < ?2) OR (?3 IS NOT NULL AND due_date > ?3)) "
                                     "ORDER BY due_date LIMIT 1",
                                     error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, procura_record_get_id (project), -1, SQLITE_TRANSIENT);
      if (start != NULL)
        sqlite3_bind_text (stmt, 2, start, -1, SQLITE_TRANSIENT);
      if (end != NULL)
        sqlite3_bind_text (stmt, 3, end, -1, SQLITE_TRANSIENT);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: the milestone “%s” due %s would fall outside the contract period"),
                       label_of (project, start != NULL && strcmp ((const char *) sqlite3_column_text (stmt, 1), start) < 0
                                          ? "start_date" : "end_date"),
                       (const char *) sqlite3_column_text (stmt, 0),
                       (const char *) sqlite3_column_text (stmt, 1));
          sqlite3_reset (stmt);
          return FALSE;
        }
      sqlite3_reset (stmt);
    }

  if (old != NULL)
    {
      gint64 net = 0, increase = 0, paid = 0;
      gint64 value = procura_record_get_int (project, "value", 0);

      if (!sum_amendments (store, procura_record_get_id (project), NULL, &net, &increase, error) ||
          !sum_paid (store, procura_record_get_id (project), NULL, &paid, error))
        return FALSE;

      if (increase * 10 > value && increase > 0)
        {
          g_autofree char *v = procura_money_format (value);
          g_autofree char *inc = procura_money_format (increase);

          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_LIMIT,
                       _("%s: amendments already add %s, more than 10%% of %s"),
                       label_of (project, "value"), inc, v);
          return FALSE;
        }

      if (paid > value + net)
        {
          g_autofree char *p = procura_money_format (paid);

          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_LIMIT,
                       _("%s: %s has already been paid; the value cannot go below it"),
                       label_of (project, "value"), p);
          return FALSE;
        }

      if (state_changed_to (old, project, "completed"))
        {
          gint64 open_milestones = 0, final_evals = 0, n_milestones = 0;

          if (!query_int (store,
                          "SELECT count(*) FROM milestone WHERE project_id = ? AND deleted = 0",
                          &n_milestones, error, procura_record_get_id (project), NULL) ||
              !query_int (store,
                          "SELECT count(*) FROM milestone WHERE project_id = ? AND deleted = 0 "
                          "AND status <> 'accepted' AND due_date >= (SELECT max(due_date) FROM milestone "
                          "WHERE project_id = ?1 AND deleted = 0)",
                          &open_milestones, error, procura_record_get_id (project), NULL) ||
              !query_int (store,
                          "SELECT count(*) FROM evaluation WHERE project_id = ? AND deleted = 0 "
                          "AND kind = 'final' AND status = 'final'",
                          &final_evals, error, procura_record_get_id (project), NULL))
            return FALSE;

          if (n_milestones == 0 || open_milestones > 0)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                           _("%s: a project is completed only after its final milestone is accepted"),
                           label_of (project, "status"));
              return FALSE;
            }
          if (final_evals == 0)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                           _("%s: a project is completed only after its final evaluation is recorded"),
                           label_of (project, "status"));
              return FALSE;
            }
        }
    }

  return TRUE;
}

static gboolean
validate_child_of_live_project (ProcuraStore        *store,
                                const ProcuraRecord *record,
                                ProcuraRecord      **out_project,
                                GError             **error)
{
  g_autoptr(ProcuraRecord) project = get_parent (store, record, "project_id", "project");

  if (project == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND,
                   _("%s: no such project"), label_of (record, "project_id"));
      return FALSE;
    }

  if (out_project != NULL)
    *out_project = g_steal_pointer (&project);
  return TRUE;
}

static gboolean
validate_amendment (ProcuraStore        *store,
                    const ProcuraRecord *old,
                    const ProcuraRecord *amendment,
                    GError             **error)
{
  g_autoptr(ProcuraRecord) project = NULL;
  gint64 net = 0, increase = 0, paid = 0, value, delta;

  if (!validate_child_of_live_project (store, amendment, &project, error))
    return FALSE;

  if (g_strcmp0 (procura_record_get_string (project, "status"), "active") != 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: only a contract in progress can be amended"),
                   label_of (amendment, "project_id"));
      return FALSE;
    }

  if (procura_record_has (amendment, "new_end_date") &&
      !procura_period_validate (procura_record_get_string (project, "start_date"),
                                procura_record_get_string (amendment, "new_end_date"),
                                procura_field_get_label (procura_entity_lookup_field (PROCURA_ENTITY_PROJECT, "start_date")),
                                label_of (amendment, "new_end_date"), error))
    return FALSE;

  if (!sum_amendments (store, procura_record_get_id (project), procura_record_get_id (amendment),
                       &net, &increase, error) ||
      !sum_paid (store, procura_record_get_id (project), NULL, &paid, error))
    return FALSE;

  value = procura_record_get_int (project, "value", 0);
  delta = procura_record_get_int (amendment, "value_delta", 0);
  if (delta > 0)
    increase += delta;
  net += delta;

  /* 政府采购法 Art. 49: supplementary contracts total at most 10% of the
   * original amount. */
  if (increase * 10 > value)
    {
      g_autofree char *inc = procura_money_format (increase);
      g_autofree char *original = procura_money_format (value);

      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_LIMIT,
                   _("%s: increases would total %s, more than 10%% of the original value (%s)"),
                   label_of (amendment, "value_delta"), inc, original);
      return FALSE;
    }

  if (value + net < paid)
    {
      g_autofree char *p = procura_money_format (paid);

      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_LIMIT,
                   _("%s: the contract would fall below the %s already paid"),
                   label_of (amendment, "value_delta"), p);
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_milestone (ProcuraStore        *store,
                    const ProcuraRecord *old,
                    const ProcuraRecord *milestone,
                    GError             **error)
{
  g_autoptr(ProcuraRecord) project = NULL;
  const char *due = procura_record_get_string (milestone, "due_date");

  if (!validate_child_of_live_project (store, milestone, &project, error))
    return FALSE;

  if (!procura_record_get_bool (milestone, "outside_period_allowed"))
    {
      const char *start = procura_record_get_string (project, "start_date");
      g_autofree char *end = project_effective_end (store, project);

      if ((start != NULL && strcmp (due, start) < 0) || (end != NULL && strcmp (due, end) > 0))
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: %s lies outside the contract period %s – %s "
                         "(mark the milestone as allowed outside the period if intended)"),
                       label_of (milestone, "due_date"), due,
                       start != NULL ? start : "…", end != NULL ? end : "…");
          return FALSE;
        }
    }

  if (old == NULL)
    {
      if (g_strcmp0 (state_of (milestone), "planned") != 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                       _("%s: a new milestone starts as “%s”"),
                       label_of (milestone, "status"),
                       procura_field_enum_label (procura_entity_lookup_field (PROCURA_ENTITY_MILESTONE, "status"), "planned"));
          return FALSE;
        }
    }
  else if (!procura_workflow_check (procura_record_get_entity (milestone), state_of (old),
                                    state_of (milestone), error))
    return FALSE;

  if (g_strcmp0 (state_of (milestone), "accepted") == 0 && !procura_record_has (milestone, "date_met"))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                   _("%s: required for an accepted milestone"), label_of (milestone, "date_met"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_payment (ProcuraStore        *store,
                  const ProcuraRecord *old,
                  const ProcuraRecord *payment,
                  GError             **error)
{
  g_autoptr(ProcuraRecord) project = NULL;
  const char *status = state_of (payment);

  if (!validate_child_of_live_project (store, payment, &project, error))
    return FALSE;

  if (old == NULL && g_strcmp0 (status, "planned") != 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                   _("%s: a new tranche starts as “%s”"), label_of (payment, "status"),
                   procura_field_enum_label (procura_entity_lookup_field (PROCURA_ENTITY_PAYMENT, "status"), "planned"));
      return FALSE;
    }
  if (old != NULL &&
      !procura_workflow_check (procura_record_get_entity (payment), state_of (old), status, error))
    return FALSE;

  if ((g_strcmp0 (status, "payable") == 0 || g_strcmp0 (status, "paid") == 0) &&
      procura_record_has (payment, "milestone_id") &&
      (state_changed_to (old, payment, "payable") ||
       g_strcmp0 (procura_record_get_string (old, "milestone_id"),
                  procura_record_get_string (payment, "milestone_id")) != 0))
    {
      g_autoptr(ProcuraRecord) milestone = get_parent (store, payment, "milestone_id", "milestone");

      if (milestone == NULL || g_strcmp0 (state_of (milestone), "accepted") != 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                       _("%s: the tranche becomes payable only when its milestone is accepted"),
                       label_of (payment, "status"));
          return FALSE;
        }
    }

  if (g_strcmp0 (status, "paid") == 0)
    {
      static const char * const needed[] = { "paid_date", "paid_amount", "voucher_no" };
      gint64 net = 0, increase = 0, paid = 0, limit, amount;

      for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
        if (!has_text (payment, needed[i]))
          {
            g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                         _("%s: required for a paid tranche"), label_of (payment, needed[i]));
            return FALSE;
          }

      amount = procura_record_get_int (payment, "paid_amount", 0);
      if (amount <= 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: must be more than zero"), label_of (payment, "paid_amount"));
          return FALSE;
        }

      if (!sum_amendments (store, procura_record_get_id (project), NULL, &net, &increase, error) ||
          !sum_paid (store, procura_record_get_id (project), procura_record_get_id (payment), &paid, error))
        return FALSE;

      limit = procura_record_get_int (project, "value", 0) + net;
      if (paid + amount > limit)
        {
          g_autofree char *total = procura_money_format (paid + amount);
          g_autofree char *lim = procura_money_format (limit);

          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_LIMIT,
                       _("%s: payments would total %s, more than the contract value with amendments (%s)"),
                       label_of (payment, "paid_amount"), total, lim);
          return FALSE;
        }

      if (procura_record_has (project, "date_signed") &&
          strcmp (procura_record_get_string (payment, "paid_date"),
                  procura_record_get_string (project, "date_signed")) < 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: before the contract was signed (%s)"),
                       label_of (payment, "paid_date"), procura_record_get_string (project, "date_signed"));
          return FALSE;
        }
    }
  else if (procura_record_has (payment, "paid_date") || procura_record_has (payment, "paid_amount"))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: only a paid tranche has a payment date and amount"),
                   label_of (payment, "status"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_report (ProcuraStore        *store,
                 const ProcuraRecord *old,
                 const ProcuraRecord *report,
                 GError             **error)
{
  const char *state = state_of (report);

  if (!validate_child_of_live_project (store, report, NULL, error))
    return FALSE;

  if (!check_period (report, "period_start", "period_end", error))
    return FALSE;

  if (old == NULL && g_strcmp0 (state, "draft") != 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                   _("%s: a new report starts as a draft"), label_of (report, "state"));
      return FALSE;
    }
  if (old != NULL &&
      !procura_workflow_check (procura_record_get_entity (report), state_of (old), state, error))
    return FALSE;

  /* An accepted report is evidence; it no longer changes. */
  if (old != NULL && g_strcmp0 (state_of (old), "accepted") == 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                   _("%s: an accepted report can no longer be edited"), label_of (report, "state"));
      return FALSE;
    }

  if (state_changed_to (old, report, "returned"))
    {
      const char *comment = procura_record_get_string (report, "review_comment");

      if (comment == NULL || comment[0] == '\0' ||
          g_strcmp0 (comment, procura_record_get_string (old, "review_comment")) == 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                       _("%s: say what must change when returning a report"),
                       label_of (report, "review_comment"));
          return FALSE;
        }
    }

  if (state_changed_to (old, report, "submitted") && procura_record_has (report, "milestone_id"))
    {
      g_autoptr(ProcuraRecord) milestone = get_parent (store, report, "milestone_id", "milestone");

      if (milestone != NULL && g_strcmp0 (state_of (milestone), "accepted") == 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                       _("%s: the milestone has already been accepted"), label_of (report, "milestone_id"));
          return FALSE;
        }
    }

  return TRUE;
}

/* What hangs under an accepted report or a final evaluation is evidence:
 * refuses when record's parent (through ref_field) is in locked_state. */
static gboolean
check_parent_unlocked (ProcuraStore        *store,
                       const ProcuraRecord *record,
                       const char          *ref_field,
                       const char          *parent_entity,
                       const char          *locked_state,
                       const char          *reason,
                       GError             **error)
{
  g_autoptr(ProcuraRecord) parent = NULL;

  if (record == NULL || !procura_record_has (record, ref_field))
    return TRUE;

  parent = get_parent (store, record, ref_field, parent_entity);
  if (parent != NULL && g_strcmp0 (state_of (parent), locked_state) == 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                   /* Translators: a field label, then why the change is refused */
                   _("%s: %s"), label_of (record, ref_field), reason);
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_attachment_unlocked (ProcuraStore        *store,
                           const ProcuraRecord *attachment,
                           GError             **error)
{
  return check_parent_unlocked (store, attachment, "report_id", "report", "accepted",
                                _("the report has been accepted; its files can no longer change"),
                                error);
}

static gboolean
check_criterion_unlocked (ProcuraStore        *store,
                          const ProcuraRecord *criterion,
                          GError             **error)
{
  return check_parent_unlocked (store, criterion, "evaluation_id", "evaluation", "final",
                                _("the evaluation is final; its indicators can no longer change"),
                                error);
}

static gboolean
validate_attachment (ProcuraStore        *store,
                     const ProcuraRecord *old,
                     const ProcuraRecord *attachment,
                     GError             **error)
{
  const char *sha = procura_record_get_string (attachment, "sha256");

  if (!validate_child_of_live_project (store, attachment, NULL, error))
    return FALSE;

  if (strlen (sha) != 64 || strspn (sha, "0123456789abcdef") != 64)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: must be 64 lower-case hexadecimal digits"), label_of (attachment, "sha256"));
      return FALSE;
    }

  return check_attachment_unlocked (store, attachment, error) &&
         check_attachment_unlocked (store, old, error);
}

/* Checks an evaluation's indicator table: top level sums to 100, each
 * parent's weight is the sum of its children's, every leaf is scored
 * within 0–weight, no parent carries a score of its own. */
static gboolean
check_criteria_complete (ProcuraStore  *store,
                         const char    *evaluation_id,
                         GError       **error)
{
  g_autoptr(GPtrArray) criteria = NULL;
  const ProcuraEntityInfo *entity = PROCURA_ENTITY_CRITERION;
  const char *weight_label = procura_field_get_label (procura_entity_lookup_field (entity, "weight"));
  const char *score_label = procura_field_get_label (procura_entity_lookup_field (entity, "score"));
  gint64 top_sum = 0;

  criteria = procura_store_list (store, entity, "evaluation_id", evaluation_id, error);
  if (criteria == NULL)
    return FALSE;

  if (criteria->len == 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                   _("%s: the evaluation has no indicators"), weight_label);
      return FALSE;
    }

  for (guint i = 0; i < criteria->len; i++)
    {
      ProcuraRecord *c = g_ptr_array_index (criteria, i);
      gint64 child_sum = 0;
      guint n_children = 0;

      if (!procura_record_has (c, "parent_id"))
        top_sum += procura_record_get_int (c, "weight", 0);

      for (guint j = 0; j < criteria->len; j++)
        {
          ProcuraRecord *d = g_ptr_array_index (criteria, j);

          if (g_strcmp0 (procura_record_get_string (d, "parent_id"), procura_record_get_id (c)) == 0)
            {
              child_sum += procura_record_get_int (d, "weight", 0);
              n_children++;
            }
        }

      if (n_children > 0 && child_sum != procura_record_get_int (c, "weight", 0))
        {
          g_autofree char *want = procura_decimal_format (procura_record_get_int (c, "weight", 0));
          g_autofree char *got = procura_decimal_format (child_sum);

          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: the sub-indicators of “%s” weigh %s in all, not %s"),
                       weight_label, procura_record_get_string (c, "name"), got, want);
          return FALSE;
        }

      if (n_children == 0 && !procura_record_has (c, "score"))
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                       _("%s: “%s” has not been scored"), score_label, procura_record_get_string (c, "name"));
          return FALSE;
        }
      if (n_children > 0 && procura_record_has (c, "score"))
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: “%s” has sub-indicators; score those instead"),
                       score_label, procura_record_get_string (c, "name"));
          return FALSE;
        }
    }

  if (top_sum != 10000)
    {
      g_autofree char *got = procura_decimal_format (top_sum);

      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: the top-level indicators weigh %s in all; they must sum to 100"),
                   weight_label, got);
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_evaluation (ProcuraStore        *store,
                     const ProcuraRecord *old,
                     const ProcuraRecord *evaluation,
                     GError             **error)
{
  if (!validate_child_of_live_project (store, evaluation, NULL, error))
    return FALSE;

  if (old == NULL && g_strcmp0 (state_of (evaluation), "draft") != 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                   _("%s: a new evaluation starts as a draft; record its scores, then finalise it"),
                   label_of (evaluation, "status"));
      return FALSE;
    }

  if (old != NULL)
    {
      if (!procura_workflow_check (procura_record_get_entity (evaluation), state_of (old),
                                   state_of (evaluation), error))
        return FALSE;

      if (g_strcmp0 (state_of (old), "final") == 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                       _("%s: a final evaluation can no longer be changed"),
                       label_of (evaluation, "status"));
          return FALSE;
        }

      if (state_changed_to (old, evaluation, "final") &&
          !check_criteria_complete (store, procura_record_get_id (evaluation), error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
validate_criterion (ProcuraStore        *store,
                    const ProcuraRecord *old,
                    const ProcuraRecord *criterion,
                    GError             **error)
{
  gint64 level = procura_record_get_int (criterion, "level", 0);
  gint64 weight = procura_record_get_int (criterion, "weight", 0);

  if (!check_criterion_unlocked (store, old, error) ||
      !check_criterion_unlocked (store, criterion, error))
    return FALSE;

  if (level < 1 || level > 3)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: must be 1, 2 or 3"), label_of (criterion, "level"));
      return FALSE;
    }

  if (weight > 10000)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: at most 100"), label_of (criterion, "weight"));
      return FALSE;
    }

  if (procura_record_has (criterion, "score") && procura_record_get_int (criterion, "score", 0) > weight)
    {
      g_autofree char *w = procura_decimal_format (weight);

      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: at most the indicator’s weight (%s)"), label_of (criterion, "score"), w);
      return FALSE;
    }

  if (procura_record_has (criterion, "parent_id"))
    {
      g_autoptr(ProcuraRecord) parent = get_parent (store, criterion, "parent_id", "criterion");

      if (parent == NULL ||
          g_strcmp0 (procura_record_get_string (parent, "evaluation_id"),
                     procura_record_get_string (criterion, "evaluation_id")) != 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: must belong to the same evaluation"), label_of (criterion, "parent_id"));
          return FALSE;
        }
      if (procura_record_get_int (parent, "level", 0) + 1 != level)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: a sub-indicator of a level %lld indicator is level %lld"),
                       label_of (criterion, "level"), (long long) procura_record_get_int (parent, "level", 0),
                       (long long) procura_record_get_int (parent, "level", 0) + 1);
          return FALSE;
        }
    }
  else if (level != 1)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: an indicator without a parent is level 1"), label_of (criterion, "level"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
validate_consultation (ProcuraStore        *store,
                       const ProcuraRecord *old,
                       const ProcuraRecord *item,
                       GError             **error)
{
  if (!validate_child_of_live_project (store, item, NULL, error))
    return FALSE;

  if (old == NULL && g_strcmp0 (state_of (item), "pending") != 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                   _("%s: a new item starts as “%s”"), label_of (item, "status"),
                   procura_field_enum_label (procura_entity_lookup_field (PROCURA_ENTITY_CONSULTATION, "status"), "pending"));
      return FALSE;
    }
  if (old != NULL &&
      !procura_workflow_check (procura_record_get_entity (item), state_of (old), state_of (item), error))
    return FALSE;

  if (procura_record_has (item, "meeting_id"))
    {
      g_autoptr(ProcuraRecord) meeting = get_parent (store, item, "meeting_id", "activity");

      if (meeting != NULL && g_strcmp0 (procura_record_get_string (meeting, "kind"), "consultation_meeting") != 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: the activity is not a consultation meeting"), label_of (item, "meeting_id"));
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
_procura_rules_validate (ProcuraStore        *store,
                         const ProcuraRecord *old,
                         const ProcuraRecord *merged,
                         GError             **error)
{
  /* Deletion: records whose state makes them evidence stay. */
  if (merged == NULL)
    {
      const char *state = state_of (old);

      if (procura_workflow_is_final (procura_record_get_entity (old), state) ||
          (is (old, "project") && g_strcmp0 (state, "draft") != 0) ||
          (is (old, "report") && g_strcmp0 (state, "draft") != 0))
        {
          const ProcuraEntityInfo *entity = procura_record_get_entity (old);

          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                       _("%s: a record in state “%s” is part of the file and cannot be deleted"),
                       procura_entity_get_label (entity),
                       procura_field_enum_label (procura_entity_lookup_field (entity, entity->status_field), state));
          return FALSE;
        }

      if (is (old, "attachment"))
        return check_attachment_unlocked (store, old, error);
      if (is (old, "criterion"))
        return check_criterion_unlocked (store, old, error);

      if (is (old, "amendment"))
        {
          g_autoptr(ProcuraRecord) project = get_parent (store, old, "project_id", "project");

          if (project != NULL && g_strcmp0 (state_of (project), "active") != 0)
            {
              g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           _("%s: only amendments of a contract in progress can be withdrawn"),
                           label_of (old, "project_id"));
              return FALSE;
            }
        }

      /* removing an increase must not leave payments above the contract */
      if (is (old, "amendment") && procura_record_get_int (old, "value_delta", 0) > 0)
        {
          g_autoptr(ProcuraRecord) project = get_parent (store, old, "project_id", "project");
          gint64 net = 0, increase = 0, paid = 0;

          if (project != NULL)
            {
              if (!sum_amendments (store, procura_record_get_id (project), procura_record_get_id (old),
                                   &net, &increase, error) ||
                  !sum_paid (store, procura_record_get_id (project), NULL, &paid, error))
                return FALSE;

              if (procura_record_get_int (project, "value", 0) + net < paid)
                {
                  g_autofree char *p = procura_money_format (paid);

                  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_LIMIT,
                               _("%s: without this amendment the contract would fall below the %s already paid"),
                               label_of (old, "value_delta"), p);
                  return FALSE;
                }
            }
        }
      return TRUE;
    }

  /* Every workflow starts at its beginning; later states are reached only
   * through the graph, so the history shows how. */
  if (old == NULL)
    {
      const ProcuraEntityInfo *entity = procura_record_get_entity (merged);
      const char *initial = procura_workflow_initial_state (entity);

      if (initial != NULL && g_strcmp0 (state_of (merged), initial) != 0)
        {
          const ProcuraFieldInfo *field = procura_entity_lookup_field (entity, entity->status_field);

          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION,
                       _("%s: a new %s starts as “%s”"), procura_field_get_label (field),
                       procura_entity_get_label (entity), procura_field_enum_label (field, initial));
          return FALSE;
        }
    }

  /* formats, for records that did not come through a form (JSON, sync) */
  {
    const ProcuraEntityInfo *entity = procura_record_get_entity (merged);

    for (guint i = 0; i < entity->n_fields; i++)
      if ((entity->fields[i].flags & (PROCURA_FIELD_USCC | PROCURA_FIELD_PHONE | PROCURA_FIELD_EMAIL)) &&
          !procura_field_check_text (&entity->fields[i],
                                     procura_record_get_string (merged, entity->fields[i].name), error))
        return FALSE;
  }

  if (is (merged, "grade_scheme"))
    {
      g_autoptr(ProcuraGradeScheme) scheme = NULL;
      g_autoptr(GError) local_error = NULL;

      scheme = procura_grade_scheme_parse (procura_record_get_string (merged, "bands"), &local_error);
      if (scheme == NULL)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: %s"), label_of (merged, "bands"), local_error->message);
          return FALSE;
        }
      return TRUE;
    }

  if (is (merged, "project"))
    return validate_project (store, old, merged, error);
  if (is (merged, "amendment"))
    return validate_amendment (store, old, merged, error);
  if (is (merged, "milestone"))
    return validate_milestone (store, old, merged, error);
  if (is (merged, "payment"))
    return validate_payment (store, old, merged, error);
  if (is (merged, "report"))
    return validate_report (store, old, merged, error);
  if (is (merged, "attachment"))
    return validate_attachment (store, old, merged, error);
  if (is (merged, "evaluation"))
    return validate_evaluation (store, old, merged, error);
  if (is (merged, "criterion"))
    return validate_criterion (store, old, merged, error);
  if (is (merged, "activity") && old != NULL &&
      g_strcmp0 (procura_record_get_string (old, "kind"), "consultation_meeting") == 0 &&
      g_strcmp0 (procura_record_get_string (merged, "kind"), "consultation_meeting") != 0)
    {
      gint64 n = 0;

      if (!query_int (store, "SELECT count(*) FROM consultation WHERE meeting_id = ? AND deleted = 0",
                      &n, error, procura_record_get_id (merged), NULL))
        return FALSE;
      if (n > 0)
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       _("%s: consultation items refer to this meeting"), label_of (merged, "kind"));
          return FALSE;
        }
    }

  if (is (merged, "indicator_period"))
    return check_period (merged, "period_start", "period_end", error);
  if (is (merged, "consultation"))
    return validate_consultation (store, old, merged, error);

  return TRUE;
}

/* ---- cascade ------------------------------------------------------- */

/* date_met: NULL for today (the prepare step fills it in). */
static gboolean
set_milestone_status (ProcuraStore  *store,
                      const char    *milestone_id,
                      const char    *status,
                      const char    *date_met,
                      GError       **error)
{
  g_autoptr(ProcuraRecord) milestone = procura_store_get (store, PROCURA_ENTITY_MILESTONE, milestone_id, error);
  g_autoptr(ProcuraRecord) changes = NULL;

  if (milestone == NULL)
    return FALSE;
  if (g_strcmp0 (state_of (milestone), status) == 0)
    return TRUE;

  changes = procura_record_new (PROCURA_ENTITY_MILESTONE, milestone_id);
  procura_record_set_string (changes, "status", status);
  if (date_met != NULL && !procura_record_has (milestone, "date_met"))
    procura_record_set_string (changes, "date_met", date_met);
  return procura_store_update (store, changes, error);
}

/* The local date a report was accepted on, as its reviewer's device saw
 * it — for the server, which applies an acceptance made offline later and
 * must not date the milestone by its own clock. NULL elsewhere: a device
 * dates it by its own today. */
static char *
accepted_on (ProcuraStore        *store,
             const ProcuraRecord *report)
{
  const char *reviewed_at = procura_record_get_string (report, "reviewed_at");
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (!procura_store_get_server_mode (store) || reviewed_at == NULL ||
      !(utc = g_date_time_new_from_iso8601 (reviewed_at, NULL)))
    return NULL;
  local = g_date_time_to_local (utc);

  return g_date_time_format (local, "%Y-%m-%d");
}

gboolean
_procura_rules_cascade (ProcuraStore        *store,
                        const ProcuraRecord *old,
                        const ProcuraRecord *merged,
                        GError             **error)
{
  if (is (merged, "report") && procura_record_has (merged, "milestone_id"))
    {
      const char *milestone_id = procura_record_get_string (merged, "milestone_id");

      if (state_changed_to (old, merged, "submitted"))
        return set_milestone_status (store, milestone_id, "submitted", NULL, error);
      if (state_changed_to (old, merged, "returned"))
        return set_milestone_status (store, milestone_id, "returned", NULL, error);
      if (state_changed_to (old, merged, "accepted"))
        {
          g_autofree char *date_met = accepted_on (store, merged);

          return set_milestone_status (store, milestone_id, "accepted", date_met, error);
        }
    }

  /* An accepted milestone makes its planned tranches payable. */
  if (is (merged, "milestone") && state_changed_to (old, merged, "accepted"))
    {
      g_autoptr(GPtrArray) payments = procura_store_list (store, PROCURA_ENTITY_PAYMENT, "milestone_id",
                                                          procura_record_get_id (merged), error);
      if (payments == NULL)
        return FALSE;

      for (guint i = 0; i < payments->len; i++)
        {
          ProcuraRecord *payment = g_ptr_array_index (payments, i);
          g_autoptr(ProcuraRecord) changes = NULL;

          if (g_strcmp0 (state_of (payment), "planned") != 0)
            continue;

          changes = procura_record_new (PROCURA_ENTITY_PAYMENT, procura_record_get_id (payment));
          procura_record_set_string (changes, "status", "payable");
          if (!procura_store_update (store, changes, error))
            return FALSE;
        }
    }

  return TRUE;
}
