/* test-rules.c — every domain rule of product.md §2–§3 through the single
 * write path: a valid case and a refused one, with the error code and the
 * field the message names, and nothing written on refusal
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "procura-derive.h"
#include "procura-error.h"
#include "procura-query.h"
#include "procura-store.h"
#include "procura-test-utils.h"
#include "procura-uscc.h"

/* ---- refusals ---------------------------------------------------------- */

/* Each refusal: the code, the field the message names, and not one row of
 * change, history or outbox written. */
static void
assert_wrote_nothing (Fixture *f,
                      Counts   before)
{
  assert_counts_delta (before, counts (f), 0, 0, 0);
}

static void
insert_refused (Fixture       *f,
                ProcuraRecord *record,
                int            code,
                const char    *label)
{
  Counts before = counts (f);

  insert_fails (f, record, code, label);
  assert_wrote_nothing (f, before);
}

static void
update_refused (Fixture       *f,
                ProcuraRecord *changes,
                int            code,
                const char    *label)
{
  g_autoptr(GError) error = NULL;
  Counts before = counts (f);

  g_assert_false (procura_store_update (f->store, changes, &error));
  assert_error_names (error, code, label);
  assert_wrote_nothing (f, before);
}

static void
set_state_refused (Fixture                 *f,
                   const ProcuraEntityInfo *entity,
                   const char              *id,
                   const char              *state,
                   int                      code,
                   const char              *label)
{
  g_autoptr(ProcuraRecord) changes = procura_record_new (entity, id);

  procura_record_set_string (changes, entity->status_field, state);
  update_refused (f, changes, code, label);
}

static void
delete_refused (Fixture                 *f,
                const ProcuraEntityInfo *entity,
                const char              *id,
                int                      code,
                const char              *label)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraRecord) still = NULL;
  Counts before = counts (f);

  g_assert_false (procura_store_delete (f->store, entity, id, &error));
  assert_error_names (error, code, label);
  assert_wrote_nothing (f, before);
  still = get_ok (f, entity, id);
}

static void
delete_ok (Fixture                 *f,
           const ProcuraEntityInfo *entity,
           const char              *id)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (procura_store_delete (f->store, entity, id, &error));
  g_assert_no_error (error);
  assert_not_found (f, entity, id);
}

static void
assert_state (Fixture                 *f,
              const ProcuraEntityInfo *entity,
              const char              *id,
              const char              *state)
{
  g_autofree char *got = get_text (f, entity, id, entity->status_field);

  g_assert_cmpstr (got, ==, state);
}

static ProcuraRecord *
new_milestone (const char *project,
               const char *due)
{
  ProcuraRecord *m = procura_record_new (PROCURA_ENTITY_MILESTONE, NULL);

  procura_record_set_string (m, "project_id", project);
  procura_record_set_string (m, "title", "里程碑");
  procura_record_set_string (m, "type", "delivery");
  procura_record_set_string (m, "due_date", due);

  return m;
}

static char *
add_report (Fixture    *f,
            const char *project,
            const char *milestone)
{
  g_autoptr(ProcuraRecord) r = procura_record_new (PROCURA_ENTITY_REPORT, NULL);

  procura_record_set_string (r, "project_id", project);
  if (milestone != NULL)
    procura_record_set_string (r, "milestone_id", milestone);
  procura_record_set_string (r, "title", "服务报告");
  procura_record_set_string (r, "narrative", "本期开展服务 20 次");

  return insert_ok (f, r);
}

static char *
add_activity (Fixture    *f,
              const char *project,
              const char *kind)
{
  g_autoptr(ProcuraRecord) a = procura_record_new (PROCURA_ENTITY_ACTIVITY, NULL);

  procura_record_set_string (a, "project_id", project);
  procura_record_set_string (a, "kind", kind);
  procura_record_set_string (a, "title", "社区活动");
  procura_record_set_string (a, "date", "2021-08-27");

  return insert_ok (f, a);
}

static ProcuraRecord *
new_consultation (const char *project,
                  const char *meeting)
{
  ProcuraRecord *c = procura_record_new (PROCURA_ENTITY_CONSULTATION, NULL);

  procura_record_set_string (c, "project_id", project);
  procura_record_set_string (c, "month", "2021-08");
  procura_record_set_string (c, "source", "offline_visit");
  procura_record_set_string (c, "topic", "小区停车难");
  if (meeting != NULL)
    procura_record_set_string (c, "meeting_id", meeting);

  return c;
}

/* ======================================================================
 * Organizations: the unified social credit code
 * ====================================================================== */

static void
test_uscc_valid (Fixture *f)
{
  static const char * const valid[] = {
    "9144030071526726XG",
    "52420000MJH233402K",
    "53420000MJH2448303",
    "G1610000713522976L",
  };

  for (guint i = 0; i < G_N_ELEMENTS (valid); i++)
    {
      g_autoptr(ProcuraRecord) org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
      g_autofree char *id = NULL;

      procura_record_set_string (org, "name", "机构");
      procura_record_set_string (org, "uscc", valid[i]);
      procura_record_set_string (org, "kind", "other");
      id = insert_ok (f, org);
    }

  /* generated codes are valid too */
  for (guint n = 0; n < 20; n++)
    {
      g_autofree char *code = make_uscc (n * 7919);

      g_assert_true (procura_uscc_validate (code, NULL));
    }
  assert_check_passes (f);
}

typedef struct
{
  const char *code;
  const char *reason;
} BadCode;

static const BadCode bad_codes[] = {
  { "9144030071526726X", "must be 18 characters" },
  { "9144030071526726XG1", "must be 18 characters" },
  { "9144030071526726xg", "capitals" },
  { "9I44030071526726XG", "“I”" },
  { "91440300715267O6XG", "“O”" },
  { "914403007152-726XG", "“-”" },
  { "B144030071526726XG", "registration authority" },
  { "9444030071526726XG", "organization category" },
  { "9144A30071526726XG", "division code" },
  { "9144030071526727XG", "organization code check character" },
  { "9144030071526726XH", "check character should be “G”" },
};

static void
assert_uscc_refusal (const GError *error,
                     const char   *reason)
{
  g_autofree char *lower = NULL;

  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_test_message ("%s", error->message);
  /* names the field (its label says "Unified social credit code", the
   * message "Unified social credit code") and the reason */
  lower = g_ascii_strdown (error->message, -1);
  g_assert_nonnull (strstr (lower, "credit code"));
  g_assert_nonnull (strstr (error->message, reason));
}

static void
test_uscc_refused (Fixture *f)
{
  g_autofree char *existing = add_org (f, "已登记机构", "social_work_agency");

  for (guint i = 0; i < G_N_ELEMENTS (bad_codes); i++)
    {
      g_autoptr(ProcuraRecord) org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);
      g_autoptr(ProcuraRecord) change = procura_record_new (PROCURA_ENTITY_ORGANIZATION, existing);
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) change_error = NULL;
      Counts before = counts (f);

      g_test_message ("credit code %s", bad_codes[i].code);
      procura_record_set_string (org, "name", "机构");
      procura_record_set_string (org, "uscc", bad_codes[i].code);
      procura_record_set_string (org, "kind", "other");
      g_assert_false (procura_store_insert (f->store, org, &error));
      assert_uscc_refusal (error, bad_codes[i].reason);

      /* the same code as a change of a registered organization */
      procura_record_set_string (change, "uscc", bad_codes[i].code);
      g_assert_false (procura_store_update (f->store, change, &change_error));
      assert_uscc_refusal (change_error, bad_codes[i].reason);
      assert_wrote_nothing (f, before);
    }

  /* empty is "required" */
  {
    g_autoptr(ProcuraRecord) org = procura_record_new (PROCURA_ENTITY_ORGANIZATION, NULL);

    procura_record_set_string (org, "name", "机构");
    procura_record_set_string (org, "uscc", "");
    procura_record_set_string (org, "kind", "other");
    insert_refused (f, org, PROCURA_ERROR_REQUIRED, "Unified social credit code");
  }
  assert_check_passes (f);
}

/* ======================================================================
 * Projects
 * ====================================================================== */

static void
test_project_period (Fixture *f)
{
  g_autoptr(ProcuraRecord) bad = new_project (f, "P-1");
  g_autoptr(ProcuraRecord) same_day = new_project (f, "P-2");
  g_autoptr(ProcuraRecord) change = NULL;
  g_autofree char *id = NULL;

  procura_record_set_string (bad, "start_date", "2021-06-01");
  procura_record_set_string (bad, "end_date", "2021-05-31");
  insert_refused (f, bad, PROCURA_ERROR_INVALID, "End date");

  procura_record_set_string (same_day, "start_date", "2021-06-01");
  procura_record_set_string (same_day, "end_date", "2021-06-01");
  id = insert_ok (f, same_day);

  change = procura_record_new (PROCURA_ENTITY_PROJECT, id);
  procura_record_set_string (change, "start_date", "2021-06-02");
  update_refused (f, change, PROCURA_ERROR_INVALID, "End date");
}

static void
test_project_budget_year (Fixture *f)
{
  static const gint64 bad_years[] = { 1989, 2200, 21 };
  g_autoptr(ProcuraRecord) good = new_project (f, "Y-OK");
  g_autofree char *id = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (bad_years); i++)
    {
      g_autofree char *code = g_strdup_printf ("Y-%u", i);
      g_autoptr(ProcuraRecord) bad = new_project (f, code);

      procura_record_set_int (bad, "budget_year", bad_years[i]);
      insert_refused (f, bad, PROCURA_ERROR_INVALID, "Budget year");
    }

  procura_record_set_int (good, "budget_year", 2021);
  id = insert_ok (f, good);
}

static void
test_project_agency_not_buyer (Fixture *f)
{
  g_autofree char *org = add_org (f, "街道办", "street_office");
  g_autofree char *other = add_org (f, "社工站", "social_work_agency");
  g_autoptr(ProcuraRecord) bad = new_project (f, "AB-1");
  g_autoptr(ProcuraRecord) good = new_project (f, "AB-2");
  g_autofree char *id = NULL;

  procura_record_set_string (bad, "buyer_id", org);
  procura_record_set_string (bad, "agency_id", org);
  insert_refused (f, bad, PROCURA_ERROR_INVALID, "Contracted agency");

  procura_record_set_string (good, "buyer_id", org);
  procura_record_set_string (good, "agency_id", other);
  id = insert_ok (f, good);
}

/* A contract in force says who, how much and for how long. */
static void
test_project_active_requires (Fixture *f)
{
  static const struct { const char *field, *label; } needed[] = {
    { "agency_id", "Contracted agency" },
    { "value", "Contract value" },
    { "start_date", "Start date" },
    { "end_date", "End date" },
    { "date_signed", "Date signed" },
  };
  g_autofree char *agency = add_org (f, "社工服务中心", "social_work_agency");

  for (guint i = 0; i <= G_N_ELEMENTS (needed); i++)
    {
      g_autofree char *code = g_strdup_printf ("AR-%u", i);
      g_autoptr(ProcuraRecord) project = new_project (f, code);
      g_autofree char *id = NULL;

      set_contract (project, agency, FIXTURE_VALUE);
      if (i < G_N_ELEMENTS (needed))
        procura_record_set_null (project, needed[i].field);
      id = insert_ok (f, project);

      if (i < G_N_ELEMENTS (needed))
        {
          g_test_message ("active without %s", needed[i].field);
          set_state_refused (f, PROCURA_ENTITY_PROJECT, id, "active",
                             PROCURA_ERROR_REQUIRED, needed[i].label);
          assert_state (f, PROCURA_ENTITY_PROJECT, id, "draft");
        }
      else
        {
          set_state (f, PROCURA_ENTITY_PROJECT, id, "active");
          assert_state (f, PROCURA_ENTITY_PROJECT, id, "active");
        }
    }

  /* and an active contract cannot drop them */
  {
    g_autofree char *id = add_active_project (f, FIXTURE_VALUE);
    g_autoptr(ProcuraRecord) drop = procura_record_new (PROCURA_ENTITY_PROJECT, id);

    procura_record_set_null (drop, "value");
    update_refused (f, drop, PROCURA_ERROR_REQUIRED, "Contract value");
  }
}

static void
test_project_starts_draft (Fixture *f)
{
  g_autofree char *id = add_draft_project (f, "SD-1");

  assert_state (f, PROCURA_ENTITY_PROJECT, id, "draft");
}

/* "New records start in their initial state": a project cannot be created
 * already signed, completed or ended, which would skip the checks of those
 * transitions (e.g. completion without an accepted final milestone). */
static void
test_project_new_must_be_draft (Fixture *f)
{
  static const char * const states[] = { "completed", "active", "terminated", "cancelled" };
  g_autofree char *agency = add_org (f, "社工服务中心", "social_work_agency");

  for (guint i = 0; i < G_N_ELEMENTS (states); i++)
    {
      g_autofree char *code = g_strdup_printf ("ND-%u", i);
      g_autoptr(ProcuraRecord) project = new_project (f, code);

      g_test_message ("new project in state %s", states[i]);
      set_contract (project, agency, FIXTURE_VALUE);
      procura_record_set_string (project, "status", states[i]);
      insert_refused (f, project, PROCURA_ERROR_TRANSITION, "Status");
    }
}

static void
test_project_transitions (Fixture *f)
{
  g_autofree char *agency = add_org (f, "社工服务中心", "social_work_agency");
  g_autoptr(ProcuraRecord) signed_draft = new_project (f, "T-1");
  g_autofree char *draft = NULL;
  g_autofree char *active = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *ended = add_active_project (f, FIXTURE_VALUE);

  /* a draft with everything a signed contract needs: only the graph
   * stands between it and the refused states */
  set_contract (signed_draft, agency, FIXTURE_VALUE);
  draft = insert_ok (f, signed_draft);

  set_state_refused (f, PROCURA_ENTITY_PROJECT, draft, "completed", PROCURA_ERROR_TRANSITION, "Status");
  set_state_refused (f, PROCURA_ENTITY_PROJECT, draft, "terminated", PROCURA_ERROR_TRANSITION, "Status");
  set_state_refused (f, PROCURA_ENTITY_PROJECT, active, "cancelled", PROCURA_ERROR_TRANSITION, "Status");
  set_state_refused (f, PROCURA_ENTITY_PROJECT, active, "draft", PROCURA_ERROR_TRANSITION, "Status");

  set_state (f, PROCURA_ENTITY_PROJECT, ended, "terminated");
  set_state_refused (f, PROCURA_ENTITY_PROJECT, ended, "active", PROCURA_ERROR_TRANSITION, "Status");
  set_state (f, PROCURA_ENTITY_PROJECT, draft, "cancelled");
  set_state_refused (f, PROCURA_ENTITY_PROJECT, draft, "draft", PROCURA_ERROR_TRANSITION, "Status");
  assert_check_passes (f);
}

/* 已结项 only after the final milestone is accepted and the final
 * evaluation recorded. */
static void
test_project_completion_guards (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *m1 = NULL;
  g_autofree char *m2 = NULL;
  g_autofree char *midterm = NULL;
  g_autofree char *final = NULL;
  g_autofree char *criterion = NULL;

  /* no milestone at all */
  set_state_refused (f, PROCURA_ENTITY_PROJECT, project, "completed", PROCURA_ERROR_TRANSITION, "Status");

  /* the last milestone not accepted */
  m1 = add_milestone (f, project, "中期", "2021-06-30");
  m2 = add_milestone (f, project, "结项验收", "2021-12-15");
  accept_milestone (f, m1);
  set_state_refused (f, PROCURA_ENTITY_PROJECT, project, "completed", PROCURA_ERROR_TRANSITION, "Status");

  /* last milestone accepted, no final evaluation */
  accept_milestone (f, m2);
  set_state_refused (f, PROCURA_ENTITY_PROJECT, project, "completed", PROCURA_ERROR_TRANSITION, "Status");

  /* a final mid-term evaluation is not the final evaluation */
  midterm = add_final_evaluation (f, project, "midterm", "2021-07-01", 8000);
  set_state_refused (f, PROCURA_ENTITY_PROJECT, project, "completed", PROCURA_ERROR_TRANSITION, "Status");

  /* a final evaluation still in draft is not recorded yet */
  final = add_evaluation (f, project, "final", "2021-12-20");
  criterion = add_criterion (f, final, NULL, 1, "综合", 10000, 9100);
  set_state_refused (f, PROCURA_ENTITY_PROJECT, project, "completed", PROCURA_ERROR_TRANSITION, "Status");

  set_state (f, PROCURA_ENTITY_EVALUATION, final, "final");
  set_state (f, PROCURA_ENTITY_PROJECT, project, "completed");
  assert_state (f, PROCURA_ENTITY_PROJECT, project, "completed");

  /* a completed project is evidence */
  delete_refused (f, PROCURA_ENTITY_PROJECT, project, PROCURA_ERROR_REFERENCED, "Project");
  set_state_refused (f, PROCURA_ENTITY_PROJECT, project, "active", PROCURA_ERROR_TRANSITION, "Status");
  assert_check_passes (f);
}

static void
test_project_delete (Fixture *f)
{
  g_autofree char *draft = add_draft_project (f, "DEL-1");
  g_autofree char *active = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *terminated = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *cancelled = add_draft_project (f, "DEL-2");

  delete_refused (f, PROCURA_ENTITY_PROJECT, active, PROCURA_ERROR_TRANSITION, "Project");
  set_state (f, PROCURA_ENTITY_PROJECT, terminated, "terminated");
  delete_refused (f, PROCURA_ENTITY_PROJECT, terminated, PROCURA_ERROR_TRANSITION, "Project");
  set_state (f, PROCURA_ENTITY_PROJECT, cancelled, "cancelled");
  delete_refused (f, PROCURA_ENTITY_PROJECT, cancelled, PROCURA_ERROR_TRANSITION, "Project");

  delete_ok (f, PROCURA_ENTITY_PROJECT, draft);
  assert_check_passes (f);
}

/* The contract value cannot fall below what was paid, nor below what
 * makes the amendments more than 10 %. */
static void
test_project_value_limits (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *payment = add_payment (f, project, NULL, 6000000);
  G_GNUC_UNUSED g_autofree char *amendment = add_amendment (f, project, 500000, NULL);
  g_autoptr(ProcuraRecord) below_paid = procura_record_new (PROCURA_ENTITY_PROJECT, project);
  g_autoptr(ProcuraRecord) below_ten = procura_record_new (PROCURA_ENTITY_PROJECT, project);
  g_autoptr(ProcuraRecord) ok = procura_record_new (PROCURA_ENTITY_PROJECT, project);

  pay (f, payment, 6000000, "2021-03-01");

  /* 5,999,999 + 500,000 < 6,000,000 paid; and +500,000 > 10 % of it */
  procura_record_set_int (below_paid, "value", 5499999);
  update_refused (f, below_paid, PROCURA_ERROR_LIMIT, "Contract value");

  /* 4,999,999: the ¥5,000 amendment is more than 10 % */
  procura_record_set_int (below_ten, "value", 4999999);
  update_refused (f, below_ten, PROCURA_ERROR_LIMIT, "Contract value");

  /* exactly 10 × the increase, still above the payments */
  procura_record_set_int (ok, "value", 6000000);
  update_ok (f, ok);
  assert_check_passes (f);
}

/* ======================================================================
 * Amendments
 * ====================================================================== */

static ProcuraRecord *
new_amendment (const char *project,
               gint64      delta)
{
  ProcuraRecord *a = procura_record_new (PROCURA_ENTITY_AMENDMENT, NULL);

  procura_record_set_string (a, "project_id", project);
  procura_record_set_string (a, "date", "2021-06-01");
  procura_record_set_string (a, "rationale", "增加服务内容");
  procura_record_set_int (a, "value_delta", delta);

  return a;
}

static void
test_amendment_only_active (Fixture *f)
{
  g_autofree char *draft = add_draft_project (f, "AM-1");
  g_autofree char *terminated = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *active = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) on_draft = new_amendment (draft, 1000);
  g_autoptr(ProcuraRecord) on_terminated = new_amendment (terminated, 1000);
  g_autofree char *kept = add_amendment (f, active, 1000, NULL);
  g_autoptr(ProcuraRecord) late_edit = procura_record_new (PROCURA_ENTITY_AMENDMENT, kept);

  insert_refused (f, on_draft, PROCURA_ERROR_INVALID, "Project");

  set_state (f, PROCURA_ENTITY_PROJECT, terminated, "terminated");
  insert_refused (f, on_terminated, PROCURA_ERROR_INVALID, "Project");

  /* an amendment of a contract no longer in force cannot change either */
  set_state (f, PROCURA_ENTITY_PROJECT, active, "terminated");
  procura_record_set_string (late_edit, "rationale", "事后修改");
  update_refused (f, late_edit, PROCURA_ERROR_INVALID, "Project");
}

/* 政府采购法 Art. 49: increases total at most 10 % of the original value. */
static void
test_amendment_limit_exact (Fixture *f)
{
  g_autofree char *p1 = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *p2 = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) over = new_amendment (p2, FIXTURE_VALUE / 10 + 1);
  G_GNUC_UNUSED g_autofree char *exact = add_amendment (f, p1, FIXTURE_VALUE / 10, NULL);

  insert_refused (f, over, PROCURA_ERROR_LIMIT, "Change in value");
  assert_check_passes (f);
}

static void
test_amendment_limit_cumulative (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  G_GNUC_UNUSED g_autofree char *a1 = add_amendment (f, project, 400000, NULL);
  G_GNUC_UNUSED g_autofree char *a2 = add_amendment (f, project, 400000, NULL);
  /* a reduction does not make room: increases count on their own */
  G_GNUC_UNUSED g_autofree char *cut = add_amendment (f, project, -300000, NULL);
  g_autofree char *a3 = add_amendment (f, project, 200000, NULL);
  g_autofree char *a5 = NULL;
  g_autoptr(ProcuraRecord) one_more = new_amendment (project, 1);
  g_autoptr(ProcuraRecord) grow = procura_record_new (PROCURA_ENTITY_AMENDMENT, a3);
  g_autoptr(ProcuraRecord) shrink = procura_record_new (PROCURA_ENTITY_AMENDMENT, a3);
  g_autoptr(ProcuraRecord) last = new_amendment (project, 1);

  insert_refused (f, one_more, PROCURA_ERROR_LIMIT, "Change in value");

  /* editing an amendment counts the others, not its own old value */
  procura_record_set_int (grow, "value_delta", 200001);
  update_refused (f, grow, PROCURA_ERROR_LIMIT, "Change in value");
  procura_record_set_int (shrink, "value_delta", 199999);
  update_ok (f, shrink);
  a5 = insert_ok (f, last);
  assert_check_passes (f);
}

static void
test_amendment_new_end_date (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) bad = new_amendment (project, 0);
  g_autoptr(ProcuraRecord) good = new_amendment (project, 0);
  g_autofree char *id = NULL;

  procura_record_set_string (bad, "new_end_date", "2020-12-31");
  insert_refused (f, bad, PROCURA_ERROR_INVALID, "New end date");
  procura_record_set_string (good, "new_end_date", "2022-06-30");
  id = insert_ok (f, good);
}

static void
test_amendment_below_paid (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *payment = add_payment (f, project, NULL, 9000000);
  g_autoptr(ProcuraRecord) too_deep = NULL;
  g_autoptr(ProcuraRecord) ok = NULL;
  g_autofree char *id = NULL;

  pay (f, payment, 9000000, "2021-05-01");
  too_deep = new_amendment (project, -1000001);
  insert_refused (f, too_deep, PROCURA_ERROR_LIMIT, "Change in value");
  ok = new_amendment (project, -1000000);
  id = insert_ok (f, ok);
  assert_check_passes (f);
}

/* Deleting an amendment that payments rely on would leave more paid than
 * the contract value with amendments: refused like any other write that
 * breaks the payment limit. */
static void
test_amendment_delete_below_paid (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *amendment = add_amendment (f, project, 1000000, NULL);
  g_autofree char *p1 = add_payment (f, project, NULL, FIXTURE_VALUE);
  g_autofree char *p2 = add_payment (f, project, NULL, 1000000);

  pay (f, p1, FIXTURE_VALUE, "2021-05-01");
  pay (f, p2, 1000000, "2021-06-15");
  assert_check_passes (f);

  delete_refused (f, PROCURA_ENTITY_AMENDMENT, amendment, PROCURA_ERROR_LIMIT, "Change in value");
  assert_check_passes (f);
}

/* Amendments change only a contract in force (see only-active): removing
 * one from a terminated contract rewrites its final value just as much. */
static void
test_amendment_delete_only_active (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *amendment = add_amendment (f, project, 100000, NULL);

  set_state (f, PROCURA_ENTITY_PROJECT, project, "terminated");
  delete_refused (f, PROCURA_ENTITY_AMENDMENT, amendment, PROCURA_ERROR_INVALID, "Project");
}

/* ======================================================================
 * Milestones
 * ====================================================================== */

static void
test_milestone_period (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) before = new_milestone (project, "2020-12-31");
  g_autoptr(ProcuraRecord) after = new_milestone (project, "2022-01-01");
  g_autoptr(ProcuraRecord) first_day = new_milestone (project, FIXTURE_START);
  g_autoptr(ProcuraRecord) last_day = new_milestone (project, FIXTURE_END);
  g_autoptr(ProcuraRecord) allowed = new_milestone (project, "2022-01-15");
  g_autoptr(ProcuraRecord) extended = new_milestone (project, "2022-03-31");
  g_autoptr(ProcuraRecord) beyond = new_milestone (project, "2022-04-01");
  g_autoptr(ProcuraRecord) move = NULL;
  g_autofree char *id1 = NULL, *id2 = NULL, *id3 = NULL, *id4 = NULL, *amendment = NULL;

  insert_refused (f, before, PROCURA_ERROR_INVALID, "Due date");
  insert_refused (f, after, PROCURA_ERROR_INVALID, "Due date");
  id1 = insert_ok (f, first_day);
  id2 = insert_ok (f, last_day);

  /* outside the period when marked as intended */
  procura_record_set_bool (allowed, "outside_period_allowed", TRUE);
  id3 = insert_ok (f, allowed);

  /* within the end an amendment extended the contract to */
  amendment = add_amendment (f, project, 0, "2022-03-31");
  id4 = insert_ok (f, extended);
  insert_refused (f, beyond, PROCURA_ERROR_INVALID, "Due date");

  /* moving a due date out of the period is refused too */
  move = procura_record_new (PROCURA_ENTITY_MILESTONE, id2);
  procura_record_set_string (move, "due_date", "2022-04-02");
  update_refused (f, move, PROCURA_ERROR_INVALID, "Due date");
  assert_check_passes (f);
}

/* The period rule holds from the project's side as well: shortening the
 * contract may not strand a milestone outside it. */
static void
test_milestone_period_project_shortened (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  G_GNUC_UNUSED g_autofree char *milestone = add_milestone (f, project, "年终总结", "2021-12-15");
  g_autoptr(ProcuraRecord) shorten = procura_record_new (PROCURA_ENTITY_PROJECT, project);
  g_autoptr(GError) error = NULL;
  Counts before = counts (f);

  procura_record_set_string (shorten, "end_date", "2021-11-30");
  g_assert_false (procura_store_update (f->store, shorten, &error));
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID);
  g_assert_true (strstr (error->message, "End date") != NULL || strstr (error->message, "Due date") != NULL);
  assert_wrote_nothing (f, before);
}

static void
test_milestone_new_planned (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) submitted = new_milestone (project, "2021-06-30");
  g_autoptr(ProcuraRecord) accepted = new_milestone (project, "2021-06-30");
  g_autofree char *id = NULL;

  procura_record_set_string (submitted, "status", "submitted");
  insert_refused (f, submitted, PROCURA_ERROR_TRANSITION, "Status");
  procura_record_set_string (accepted, "status", "accepted");
  procura_record_set_string (accepted, "date_met", "2021-06-30");
  insert_refused (f, accepted, PROCURA_ERROR_TRANSITION, "Status");

  id = add_milestone (f, project, "正常", "2021-06-30");
  assert_state (f, PROCURA_ENTITY_MILESTONE, id, "planned");
  set_state_refused (f, PROCURA_ENTITY_MILESTONE, id, "accepted", PROCURA_ERROR_TRANSITION, "Status");
  set_state_refused (f, PROCURA_ENTITY_MILESTONE, id, "returned", PROCURA_ERROR_TRANSITION, "Status");
}

/* Accepting records the date met: the store's today, unless given. */
static void
test_milestone_date_met (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *m1 = add_milestone (f, project, "一", "2021-03-31");
  g_autofree char *m2 = add_milestone (f, project, "二", "2021-06-30");
  g_autoptr(ProcuraRecord) given = procura_record_new (PROCURA_ENTITY_MILESTONE, m2);
  g_autofree char *met1 = NULL;
  g_autofree char *met2 = NULL;

  procura_store_set_today (f->store, "2021-10-08");
  accept_milestone (f, m1);
  met1 = get_text (f, PROCURA_ENTITY_MILESTONE, m1, "date_met");
  g_assert_cmpstr (met1, ==, "2021-10-08");

  set_state (f, PROCURA_ENTITY_MILESTONE, m2, "submitted");
  procura_record_set_string (given, "status", "accepted");
  procura_record_set_string (given, "date_met", "2021-07-02");
  update_ok (f, given);
  met2 = get_text (f, PROCURA_ENTITY_MILESTONE, m2, "date_met");
  g_assert_cmpstr (met2, ==, "2021-07-02");
  assert_check_passes (f);
}

/* ======================================================================
 * Payments
 * ====================================================================== */

static void
test_payment_new_planned (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) p = procura_record_new (PROCURA_ENTITY_PAYMENT, NULL);
  g_autoptr(ProcuraRecord) paid = NULL;

  procura_record_set_string (p, "project_id", project);
  procura_record_set_string (p, "title", "首付款");
  procura_record_set_int (p, "planned_amount", 100000);
  procura_record_set_string (p, "status", "payable");
  insert_refused (f, p, PROCURA_ERROR_TRANSITION, "Status");

  paid = procura_record_copy (p);
  procura_record_set_id (paid, NULL);
  procura_record_set_string (paid, "status", "paid");
  procura_record_set_int (paid, "paid_amount", 100000);
  procura_record_set_string (paid, "paid_date", "2021-03-01");
  procura_record_set_string (paid, "voucher_no", "V-1");
  insert_refused (f, paid, PROCURA_ERROR_TRANSITION, "Status");
}

static void
test_payment_payable_needs_accepted_milestone (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "第一季度", "2021-03-31");
  g_autofree char *tranche = add_payment (f, project, milestone, 2500000);
  g_autofree char *free_tranche = add_payment (f, project, NULL, 1000000);

  set_state_refused (f, PROCURA_ENTITY_PAYMENT, tranche, "payable", PROCURA_ERROR_TRANSITION, "Status");
  set_state (f, PROCURA_ENTITY_MILESTONE, milestone, "submitted");
  set_state_refused (f, PROCURA_ENTITY_PAYMENT, tranche, "payable", PROCURA_ERROR_TRANSITION, "Status");
  set_state (f, PROCURA_ENTITY_MILESTONE, milestone, "returned");
  set_state_refused (f, PROCURA_ENTITY_PAYMENT, tranche, "payable", PROCURA_ERROR_TRANSITION, "Status");

  /* accepting the milestone makes its planned tranche payable */
  set_state (f, PROCURA_ENTITY_MILESTONE, milestone, "submitted");
  set_state (f, PROCURA_ENTITY_MILESTONE, milestone, "accepted");
  assert_state (f, PROCURA_ENTITY_PAYMENT, tranche, "payable");

  /* a tranche with a condition of its own becomes payable when an
   * officer says so */
  set_state (f, PROCURA_ENTITY_PAYMENT, free_tranche, "payable");

  /* and no tranche skips a step */
  {
    g_autofree char *skip = add_payment (f, project, NULL, 1000);
    g_autoptr(ProcuraRecord) jump = procura_record_new (PROCURA_ENTITY_PAYMENT, skip);

    procura_record_set_string (jump, "status", "paid");
    procura_record_set_int (jump, "paid_amount", 1000);
    procura_record_set_string (jump, "paid_date", "2021-04-01");
    procura_record_set_string (jump, "voucher_no", "V-9");
    update_refused (f, jump, PROCURA_ERROR_TRANSITION, "Status");
  }
  assert_check_passes (f);
}

/* A payable tranche stays tied to an accepted milestone: it cannot be
 * re-linked to one that has not been accepted. */
static void
test_payment_payable_relinked (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *accepted = add_milestone (f, project, "第一季度", "2021-03-31");
  g_autofree char *planned = add_milestone (f, project, "第四季度", "2021-12-15");
  g_autofree char *tranche = add_payment (f, project, accepted, 2500000);
  g_autoptr(ProcuraRecord) relink = procura_record_new (PROCURA_ENTITY_PAYMENT, tranche);
  g_autoptr(GError) error = NULL;
  g_autofree char *linked = NULL;
  Counts before;

  accept_milestone (f, accepted);
  assert_state (f, PROCURA_ENTITY_PAYMENT, tranche, "payable");

  before = counts (f);
  procura_record_set_string (relink, "milestone_id", planned);
  g_assert_false (procura_store_update (f->store, relink, &error));
  g_assert_true (g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_TRANSITION) ||
                 g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_INVALID));
  g_assert_true (strstr (error->message, "Milestone") != NULL || strstr (error->message, "Status") != NULL);
  assert_wrote_nothing (f, before);
  linked = get_text (f, PROCURA_ENTITY_PAYMENT, tranche, "milestone_id");
  g_assert_cmpstr (linked, ==, accepted);
}

static ProcuraRecord *
paid_changes (const char *payment,
              gint64      amount,
              const char *date,
              const char *voucher)
{
  ProcuraRecord *changes = procura_record_new (PROCURA_ENTITY_PAYMENT, payment);

  procura_record_set_string (changes, "status", "paid");
  if (amount >= 0)
    procura_record_set_int (changes, "paid_amount", amount);
  if (date != NULL)
    procura_record_set_string (changes, "paid_date", date);
  if (voucher != NULL)
    procura_record_set_string (changes, "voucher_no", voucher);

  return changes;
}

static void
test_payment_paid_requires (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *payment = add_payment (f, project, NULL, 1000000);
  g_autoptr(ProcuraRecord) no_voucher = paid_changes (payment, 1000000, "2021-04-01", NULL);
  g_autoptr(ProcuraRecord) no_date = paid_changes (payment, 1000000, NULL, "记-001");
  g_autoptr(ProcuraRecord) no_amount = paid_changes (payment, -1, "2021-04-01", "记-001");
  g_autoptr(ProcuraRecord) zero = paid_changes (payment, 0, "2021-04-01", "记-001");
  g_autoptr(ProcuraRecord) complete = paid_changes (payment, 1000000, "2021-04-01", "记-001");

  set_state (f, PROCURA_ENTITY_PAYMENT, payment, "payable");
  update_refused (f, no_voucher, PROCURA_ERROR_REQUIRED, "Voucher number");
  update_refused (f, no_date, PROCURA_ERROR_REQUIRED, "Date paid");
  update_refused (f, no_amount, PROCURA_ERROR_REQUIRED, "Amount paid");
  update_refused (f, zero, PROCURA_ERROR_INVALID, "Amount paid");
  assert_state (f, PROCURA_ENTITY_PAYMENT, payment, "payable");

  update_ok (f, complete);
  assert_state (f, PROCURA_ENTITY_PAYMENT, payment, "paid");
  assert_check_passes (f);
}

/* An empty voucher number is no voucher number. */
static void
test_payment_paid_blank_voucher (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *payment = add_payment (f, project, NULL, 1000000);
  g_autoptr(ProcuraRecord) blank = paid_changes (payment, 1000000, "2021-04-01", "");

  set_state (f, PROCURA_ENTITY_PAYMENT, payment, "payable");
  update_refused (f, blank, PROCURA_ERROR_REQUIRED, "Voucher number");
  assert_state (f, PROCURA_ENTITY_PAYMENT, payment, "payable");
}

static void
test_payment_paid_fields_only_when_paid (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) p = procura_record_new (PROCURA_ENTITY_PAYMENT, NULL);
  g_autoptr(ProcuraRecord) dated = NULL;

  procura_record_set_string (p, "project_id", project);
  procura_record_set_string (p, "title", "首付款");
  procura_record_set_int (p, "planned_amount", 100000);
  procura_record_set_int (p, "paid_amount", 100000);
  insert_refused (f, p, PROCURA_ERROR_INVALID, "Status");

  dated = procura_record_copy (p);
  procura_record_set_id (dated, NULL);
  procura_record_set_null (dated, "paid_amount");
  procura_record_set_string (dated, "paid_date", "2021-03-01");
  insert_refused (f, dated, PROCURA_ERROR_INVALID, "Status");
}

/* Paid total ≤ contract value + amendments. */
static void
test_payment_limit (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *p1 = add_payment (f, project, NULL, 6000000);
  g_autofree char *p2 = add_payment (f, project, NULL, 4000000);
  g_autofree char *p3 = add_payment (f, project, NULL, 1);
  g_autoptr(ProcuraRecord) over = NULL;
  g_autoptr(ProcuraRecord) raise = NULL;
  g_autoptr(ProcuraRecord) extra = NULL;

  pay (f, p1, 6000000, "2021-03-01");
  set_state (f, PROCURA_ENTITY_PAYMENT, p2, "payable");
  over = paid_changes (p2, 4000001, "2021-06-01", "记-002");
  update_refused (f, over, PROCURA_ERROR_LIMIT, "Amount paid");
  pay (f, p2, 4000000, "2021-06-01");   /* exactly the value */

  set_state (f, PROCURA_ENTITY_PAYMENT, p3, "payable");
  extra = paid_changes (p3, 1, "2021-07-01", "记-003");
  update_refused (f, extra, PROCURA_ERROR_LIMIT, "Amount paid");

  /* a paid tranche's amount cannot grow past the limit either */
  raise = procura_record_new (PROCURA_ENTITY_PAYMENT, p1);
  procura_record_set_int (raise, "paid_amount", 6000001);
  update_refused (f, raise, PROCURA_ERROR_LIMIT, "Amount paid");
  assert_check_passes (f);
}

static void
test_payment_limit_with_amendments (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  G_GNUC_UNUSED g_autofree char *amendment = add_amendment (f, project, 1000000, NULL);
  g_autofree char *p1 = add_payment (f, project, NULL, 11000000);
  g_autofree char *p2 = add_payment (f, project, NULL, 1);
  g_autoptr(ProcuraRecord) over = NULL;
  g_autoptr(ProcuraRecord) too_much = NULL;

  set_state (f, PROCURA_ENTITY_PAYMENT, p1, "payable");
  too_much = paid_changes (p1, 11000001, "2021-06-01", "记-001");
  update_refused (f, too_much, PROCURA_ERROR_LIMIT, "Amount paid");
  pay (f, p1, 11000000, "2021-06-01");

  set_state (f, PROCURA_ENTITY_PAYMENT, p2, "payable");
  over = paid_changes (p2, 1, "2021-07-01", "记-002");
  update_refused (f, over, PROCURA_ERROR_LIMIT, "Amount paid");
  assert_check_passes (f);
}

static void
test_payment_not_before_signed (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *payment = add_payment (f, project, NULL, 100000);
  g_autoptr(ProcuraRecord) early = paid_changes (payment, 100000, "2020-12-19", "记-001");

  set_state (f, PROCURA_ENTITY_PAYMENT, payment, "payable");
  update_refused (f, early, PROCURA_ERROR_INVALID, "Date paid");
  pay (f, payment, 100000, FIXTURE_SIGNED);
  assert_check_passes (f);
}

static void
test_payment_paid_is_final (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *payment = add_payment (f, project, NULL, 100000);

  pay (f, payment, 100000, "2021-02-01");
  set_state_refused (f, PROCURA_ENTITY_PAYMENT, payment, "payable", PROCURA_ERROR_TRANSITION, "Status");
  set_state_refused (f, PROCURA_ENTITY_PAYMENT, payment, "planned", PROCURA_ERROR_TRANSITION, "Status");
  delete_refused (f, PROCURA_ENTITY_PAYMENT, payment, PROCURA_ERROR_TRANSITION, "Payment");
}

/* ======================================================================
 * Reports: the review loop and its cascade
 * ====================================================================== */

static void
set_review (Fixture    *f,
            const char *report,
            const char *state,
            const char *comment)
{
  g_autoptr(ProcuraRecord) changes = procura_record_new (PROCURA_ENTITY_REPORT, report);

  procura_record_set_string (changes, "state", state);
  if (comment != NULL)
    procura_record_set_string (changes, "review_comment", comment);
  update_ok (f, changes);
}

static void
test_report_review_loop (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "第一季度", "2021-03-31");
  g_autofree char *tranche = add_payment (f, project, milestone, 2500000);
  g_autofree char *report = add_report (f, project, milestone);
  g_autoptr(ProcuraRecord) r = NULL;
  g_autoptr(ProcuraRecord) m = NULL;
  g_autoptr(ProcuraRecord) no_comment = procura_record_new (PROCURA_ENTITY_REPORT, report);

  assert_state (f, PROCURA_ENTITY_REPORT, report, "draft");
  assert_state (f, PROCURA_ENTITY_MILESTONE, milestone, "planned");

  /* draft → submitted: the milestone is submitted, the time recorded */
  set_review (f, report, "submitted", NULL);
  assert_state (f, PROCURA_ENTITY_MILESTONE, milestone, "submitted");
  assert_state (f, PROCURA_ENTITY_PAYMENT, tranche, "planned");
  r = get_ok (f, PROCURA_ENTITY_REPORT, report);
  g_assert_nonnull (procura_record_get_string (r, "submitted_at"));
  g_assert_null (procura_record_get_string (r, "reviewed_at"));
  g_clear_pointer (&r, procura_record_unref);

  /* returning needs a comment */
  procura_record_set_string (no_comment, "state", "returned");
  update_refused (f, no_comment, PROCURA_ERROR_REQUIRED, "Review comment");
  assert_state (f, PROCURA_ENTITY_MILESTONE, milestone, "submitted");

  /* submitted → returned (with a comment): the milestone is returned */
  set_review (f, report, "returned", "请补充活动签到表");
  assert_state (f, PROCURA_ENTITY_REPORT, report, "returned");
  assert_state (f, PROCURA_ENTITY_MILESTONE, milestone, "returned");
  assert_state (f, PROCURA_ENTITY_PAYMENT, tranche, "planned");
  r = get_ok (f, PROCURA_ENTITY_REPORT, report);
  g_assert_nonnull (procura_record_get_string (r, "reviewed_at"));
  g_clear_pointer (&r, procura_record_unref);

  /* returned → submitted again */
  set_text (f, PROCURA_ENTITY_REPORT, report, "narrative", "已补充签到表");
  set_review (f, report, "submitted", NULL);
  assert_state (f, PROCURA_ENTITY_MILESTONE, milestone, "submitted");

  /* returning again needs a new comment, not the old one */
  {
    g_autoptr(ProcuraRecord) same = procura_record_new (PROCURA_ENTITY_REPORT, report);

    procura_record_set_string (same, "state", "returned");
    procura_record_set_string (same, "review_comment", "请补充活动签到表");
    update_refused (f, same, PROCURA_ERROR_REQUIRED, "Review comment");
  }

  /* submitted → accepted: milestone accepted today, tranche payable */
  set_review (f, report, "accepted", NULL);
  assert_state (f, PROCURA_ENTITY_REPORT, report, "accepted");
  m = get_ok (f, PROCURA_ENTITY_MILESTONE, milestone);
  g_assert_cmpstr (procura_record_get_string (m, "status"), ==, "accepted");
  g_assert_cmpstr (procura_record_get_string (m, "date_met"), ==, FIXTURE_TODAY);
  assert_state (f, PROCURA_ENTITY_PAYMENT, tranche, "payable");

  pay (f, tranche, 2500000, "2021-09-20");
  assert_check_passes (f);
}

static void
test_report_returned_comment (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *report = add_report (f, project, NULL);
  g_autoptr(ProcuraRecord) blank = procura_record_new (PROCURA_ENTITY_REPORT, report);

  set_review (f, report, "submitted", NULL);
  procura_record_set_string (blank, "state", "returned");
  procura_record_set_string (blank, "review_comment", "");
  update_refused (f, blank, PROCURA_ERROR_REQUIRED, "Review comment");
  set_review (f, report, "returned", "数据有误");
  assert_state (f, PROCURA_ENTITY_REPORT, report, "returned");
}

static void
test_report_accepted_locked (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "第一季度", "2021-03-31");
  g_autofree char *report = add_report (f, project, milestone);
  g_autoptr(ProcuraRecord) edit = procura_record_new (PROCURA_ENTITY_REPORT, report);
  g_autoptr(ProcuraRecord) attach = procura_record_new (PROCURA_ENTITY_ATTACHMENT, NULL);

  set_review (f, report, "submitted", NULL);
  set_review (f, report, "accepted", NULL);

  procura_record_set_string (edit, "narrative", "事后修改");
  update_refused (f, edit, PROCURA_ERROR_TRANSITION, "Review state");
  set_state_refused (f, PROCURA_ENTITY_REPORT, report, "returned", PROCURA_ERROR_TRANSITION, "Review state");
  set_state_refused (f, PROCURA_ENTITY_REPORT, report, "draft", PROCURA_ERROR_TRANSITION, "Review state");
  delete_refused (f, PROCURA_ENTITY_REPORT, report, PROCURA_ERROR_TRANSITION, "Report");

  procura_record_set_string (attach, "project_id", project);
  procura_record_set_string (attach, "report_id", report);
  procura_record_set_string (attach, "name", "补交.pdf");
  procura_record_set_string (attach, "mime_type", "application/pdf");
  procura_record_set_int (attach, "size", 10);
  procura_record_set_string (attach, "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  insert_refused (f, attach, PROCURA_ERROR_TRANSITION, "Report");
}

/* The files of an accepted report are evidence too: none can be added
 * (above), swapped or removed. */
static char *
add_attachment_to_accepted_report (Fixture *f,
                                   char   **out_report)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "第一季度", "2021-03-31");
  g_autofree char *report = add_report (f, project, milestone);
  g_autoptr(ProcuraRecord) attach = procura_record_new (PROCURA_ENTITY_ATTACHMENT, NULL);
  char *id;

  procura_record_set_string (attach, "project_id", project);
  procura_record_set_string (attach, "report_id", report);
  procura_record_set_string (attach, "name", "签到表.pdf");
  procura_record_set_string (attach, "mime_type", "application/pdf");
  procura_record_set_int (attach, "size", 3);
  procura_record_set_string (attach, "sha256", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  id = insert_ok (f, attach);

  set_review (f, report, "submitted", NULL);
  set_review (f, report, "accepted", NULL);
  if (out_report != NULL)
    *out_report = g_steal_pointer (&report);

  return id;
}

static void
test_report_accepted_attachment_swapped (Fixture *f)
{
  g_autofree char *attachment = add_attachment_to_accepted_report (f, NULL);
  g_autoptr(ProcuraRecord) swap = procura_record_new (PROCURA_ENTITY_ATTACHMENT, attachment);
  g_autofree char *sha256 = NULL;

  procura_record_set_string (swap, "sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  procura_record_set_int (swap, "size", 0);
  update_refused (f, swap, PROCURA_ERROR_TRANSITION, "Report");
  sha256 = get_text (f, PROCURA_ENTITY_ATTACHMENT, attachment, "sha256");
  g_assert_cmpstr (sha256, ==, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void
test_report_accepted_attachment_removed (Fixture *f)
{
  g_autofree char *report = NULL;
  g_autofree char *attachment = add_attachment_to_accepted_report (f, &report);

  delete_refused (f, PROCURA_ENTITY_ATTACHMENT, attachment, PROCURA_ERROR_TRANSITION, "Report");
}

static void
test_report_new_draft (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) r = procura_record_new (PROCURA_ENTITY_REPORT, NULL);

  procura_record_set_string (r, "project_id", project);
  procura_record_set_string (r, "title", "报告");
  procura_record_set_string (r, "state", "submitted");
  insert_refused (f, r, PROCURA_ERROR_TRANSITION, "Review state");
}

static void
test_report_after_milestone_accepted (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "第一季度", "2021-03-31");
  g_autofree char *first = add_report (f, project, milestone);
  g_autofree char *late = add_report (f, project, milestone);
  g_autoptr(ProcuraRecord) submit = procura_record_new (PROCURA_ENTITY_REPORT, late);

  set_review (f, first, "submitted", NULL);
  set_review (f, first, "accepted", NULL);
  procura_record_set_string (submit, "state", "submitted");
  update_refused (f, submit, PROCURA_ERROR_TRANSITION, "Milestone");
  assert_state (f, PROCURA_ENTITY_MILESTONE, milestone, "accepted");
}

static void
test_report_period_and_delete (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) r = procura_record_new (PROCURA_ENTITY_REPORT, NULL);
  g_autofree char *draft = add_report (f, project, NULL);
  g_autofree char *submitted = add_report (f, project, NULL);

  procura_record_set_string (r, "project_id", project);
  procura_record_set_string (r, "title", "报告");
  procura_record_set_string (r, "period_start", "2021-04-01");
  procura_record_set_string (r, "period_end", "2021-03-31");
  insert_refused (f, r, PROCURA_ERROR_INVALID, "Period end");

  set_review (f, submitted, "submitted", NULL);
  delete_refused (f, PROCURA_ENTITY_REPORT, submitted, PROCURA_ERROR_TRANSITION, "Report");
  delete_ok (f, PROCURA_ENTITY_REPORT, draft);
}

static void
test_attachment_sha256 (Fixture *f)
{
  static const char * const bad[] = {
    "E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b85",
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8zz",
  };
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ProcuraRecord) a = procura_record_new (PROCURA_ENTITY_ATTACHMENT, NULL);

      procura_record_set_string (a, "project_id", project);
      procura_record_set_string (a, "name", "a.txt");
      procura_record_set_string (a, "mime_type", "text/plain");
      procura_record_set_int (a, "size", 0);
      procura_record_set_string (a, "sha256", bad[i]);
      insert_refused (f, a, PROCURA_ERROR_INVALID, "SHA-256");
    }
}

/* ======================================================================
 * Evaluations and their indicator tables
 * ====================================================================== */

static void
test_evaluation_new_draft (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) e = procura_record_new (PROCURA_ENTITY_EVALUATION, NULL);

  procura_record_set_string (e, "project_id", project);
  procura_record_set_string (e, "kind", "final");
  procura_record_set_string (e, "date", "2021-12-20");
  procura_record_set_string (e, "status", "final");
  insert_refused (f, e, PROCURA_ERROR_TRANSITION, "Status");
}

/* 服务成效 60 = 居民满意度 30 (25) + 目标达成 30 (28); 项目管理 40 (35):
 * total 88 → 良好 under the default scheme. */
static char *
add_scored_tree (Fixture    *f,
                 const char *project)
{
  char *evaluation = add_evaluation (f, project, "final", "2021-12-20");
  g_autofree char *a = add_criterion (f, evaluation, NULL, 1, "服务成效", 6000, -1);
  G_GNUC_UNUSED g_autofree char *a1 = add_criterion (f, evaluation, a, 2, "居民满意度", 3000, 2500);
  G_GNUC_UNUSED g_autofree char *a2 = add_criterion (f, evaluation, a, 2, "目标达成", 3000, 2800);
  G_GNUC_UNUSED g_autofree char *b = add_criterion (f, evaluation, NULL, 1, "项目管理", 4000, 3500);

  return evaluation;
}

static void
test_evaluation_finalise_ok (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_scored_tree (f, project);
  g_autoptr(ProcuraProjectBundle) bundle = NULL;
  g_autofree char *grade = NULL;

  set_state (f, PROCURA_ENTITY_EVALUATION, evaluation, "final");
  assert_state (f, PROCURA_ENTITY_EVALUATION, evaluation, "final");

  bundle = procura_store_load_project (f->store, project, NULL);
  g_assert_nonnull (bundle);
  g_assert_cmpint (procura_evaluation_total (bundle, evaluation), ==, 8800);
  grade = procura_evaluation_grade (bundle, evaluation);
  g_assert_cmpstr (grade, ==, "良好");
  assert_check_passes (f);
}

static void
test_evaluation_finalise_weights_9999 (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "final", "2021-12-20");
  G_GNUC_UNUSED g_autofree char *a = add_criterion (f, evaluation, NULL, 1, "服务成效", 6000, 5000);
  g_autofree char *b = add_criterion (f, evaluation, NULL, 1, "项目管理", 3999, 3000);
  g_autoptr(ProcuraRecord) fix = procura_record_new (PROCURA_ENTITY_CRITERION, b);

  set_state_refused (f, PROCURA_ENTITY_EVALUATION, evaluation, "final", PROCURA_ERROR_INVALID, "Weight");
  assert_state (f, PROCURA_ENTITY_EVALUATION, evaluation, "draft");

  procura_record_set_int (fix, "weight", 4000);
  update_ok (f, fix);
  set_state (f, PROCURA_ENTITY_EVALUATION, evaluation, "final");
}

static void
test_evaluation_finalise_weights_over (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "final", "2021-12-20");
  G_GNUC_UNUSED g_autofree char *a = add_criterion (f, evaluation, NULL, 1, "服务成效", 6000, 5000);
  G_GNUC_UNUSED g_autofree char *b = add_criterion (f, evaluation, NULL, 1, "项目管理", 4001, 3000);

  set_state_refused (f, PROCURA_ENTITY_EVALUATION, evaluation, "final", PROCURA_ERROR_INVALID, "Weight");
}

/* Finalising the evaluation is refused with code, the message naming label
 * and the criterion at fault. */
static void
finalise_refused (Fixture    *f,
                  const char *evaluation,
                  int         code,
                  const char *label,
                  const char *criterion)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraRecord) changes = procura_record_new (PROCURA_ENTITY_EVALUATION, evaluation);

  procura_record_set_string (changes, "status", "final");
  g_assert_false (procura_store_update (f->store, changes, &error));
  assert_error_names (error, code, label);
  g_assert_nonnull (strstr (error->message, criterion));
}

static void
test_evaluation_finalise_children_mismatch (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "final", "2021-12-20");
  g_autofree char *a = add_criterion (f, evaluation, NULL, 1, "服务成效", 6000, -1);
  G_GNUC_UNUSED g_autofree char *a1 = add_criterion (f, evaluation, a, 2, "居民满意度", 3000, 2500);
  G_GNUC_UNUSED g_autofree char *a2 = add_criterion (f, evaluation, a, 2, "目标达成", 2999, 2800);
  G_GNUC_UNUSED g_autofree char *b = add_criterion (f, evaluation, NULL, 1, "项目管理", 4000, 3500);

  finalise_refused (f, evaluation, PROCURA_ERROR_INVALID, "Weight", "服务成效");
  assert_state (f, PROCURA_ENTITY_EVALUATION, evaluation, "draft");
}

static void
test_evaluation_finalise_unscored_leaf (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "final", "2021-12-20");
  g_autofree char *a = add_criterion (f, evaluation, NULL, 1, "服务成效", 6000, -1);
  G_GNUC_UNUSED g_autofree char *a1 = add_criterion (f, evaluation, a, 2, "居民满意度", 3000, 2500);
  G_GNUC_UNUSED g_autofree char *a2 = add_criterion (f, evaluation, a, 2, "目标达成", 3000, -1);
  G_GNUC_UNUSED g_autofree char *b = add_criterion (f, evaluation, NULL, 1, "项目管理", 4000, 3500);

  finalise_refused (f, evaluation, PROCURA_ERROR_REQUIRED, "Score", "目标达成");
}

static void
test_evaluation_finalise_parent_scored (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "final", "2021-12-20");
  g_autofree char *a = add_criterion (f, evaluation, NULL, 1, "服务成效", 6000, 5000);
  G_GNUC_UNUSED g_autofree char *a1 = add_criterion (f, evaluation, a, 2, "居民满意度", 3000, 2500);
  G_GNUC_UNUSED g_autofree char *a2 = add_criterion (f, evaluation, a, 2, "目标达成", 3000, 2500);
  G_GNUC_UNUSED g_autofree char *b = add_criterion (f, evaluation, NULL, 1, "项目管理", 4000, 3500);

  set_state_refused (f, PROCURA_ENTITY_EVALUATION, evaluation, "final", PROCURA_ERROR_INVALID, "Score");
}

static void
test_evaluation_finalise_empty (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "final", "2021-12-20");

  set_state_refused (f, PROCURA_ENTITY_EVALUATION, evaluation, "final", PROCURA_ERROR_REQUIRED, "Weight");
}

static void
test_evaluation_score_over_weight (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "final", "2021-12-20");
  g_autoptr(ProcuraRecord) over = procura_record_new (PROCURA_ENTITY_CRITERION, NULL);
  g_autofree char *full = NULL;
  g_autoptr(ProcuraRecord) raise = NULL;
  g_autoptr(ProcuraRecord) shrink = NULL;

  procura_record_set_string (over, "evaluation_id", evaluation);
  procura_record_set_int (over, "level", 1);
  procura_record_set_string (over, "name", "服务成效");
  procura_record_set_int (over, "weight", 3000);
  procura_record_set_int (over, "score", 3001);
  insert_refused (f, over, PROCURA_ERROR_INVALID, "Score");

  full = add_criterion (f, evaluation, NULL, 1, "服务成效", 3000, 3000);   /* = weight: fine */
  raise = procura_record_new (PROCURA_ENTITY_CRITERION, full);
  procura_record_set_int (raise, "score", 3001);
  update_refused (f, raise, PROCURA_ERROR_INVALID, "Score");
  shrink = procura_record_new (PROCURA_ENTITY_CRITERION, full);
  procura_record_set_int (shrink, "weight", 2999);
  update_refused (f, shrink, PROCURA_ERROR_INVALID, "Score");
}

static void
test_evaluation_final_locked (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_scored_tree (f, project);
  g_autoptr(ProcuraProjectBundle) bundle = NULL;
  g_autoptr(ProcuraRecord) comment = procura_record_new (PROCURA_ENTITY_EVALUATION, evaluation);
  g_autoptr(ProcuraRecord) extra = procura_record_new (PROCURA_ENTITY_CRITERION, NULL);
  g_autoptr(GPtrArray) criteria = NULL;
  ProcuraRecord *leaf = NULL;

  set_state (f, PROCURA_ENTITY_EVALUATION, evaluation, "final");

  procura_record_set_string (comment, "comment", "改一下");
  update_refused (f, comment, PROCURA_ERROR_TRANSITION, "Status");
  set_state_refused (f, PROCURA_ENTITY_EVALUATION, evaluation, "draft", PROCURA_ERROR_TRANSITION, "Status");
  delete_refused (f, PROCURA_ENTITY_EVALUATION, evaluation, PROCURA_ERROR_REFERENCED, "Evaluation");

  criteria = procura_store_list (f->store, PROCURA_ENTITY_CRITERION, "evaluation_id", evaluation, NULL);
  g_assert_cmpuint (criteria->len, ==, 4);
  for (guint i = 0; i < criteria->len; i++)
    if (procura_record_has (g_ptr_array_index (criteria, i), "score"))
      leaf = g_ptr_array_index (criteria, i);
  g_assert_nonnull (leaf);

  {
    g_autoptr(ProcuraRecord) rescore = procura_record_new (PROCURA_ENTITY_CRITERION, procura_record_get_id (leaf));

    procura_record_set_int (rescore, "score", 0);
    update_refused (f, rescore, PROCURA_ERROR_TRANSITION, "Evaluation");
  }

  procura_record_set_string (extra, "evaluation_id", evaluation);
  procura_record_set_int (extra, "level", 1);
  procura_record_set_string (extra, "name", "附加分");
  procura_record_set_int (extra, "weight", 0);
  procura_record_set_int (extra, "score", 0);
  insert_refused (f, extra, PROCURA_ERROR_TRANSITION, "Evaluation");

  bundle = procura_store_load_project (f->store, project, NULL);
  g_assert_cmpint (procura_evaluation_total (bundle, evaluation), ==, 8800);
  assert_check_passes (f);
}

/* A final evaluation's indicators are evidence: deleting one would change
 * the recorded total and grade. */
static void
test_evaluation_final_locked_delete_criterion (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "final", "2021-12-20");
  G_GNUC_UNUSED g_autofree char *a = add_criterion (f, evaluation, NULL, 1, "服务成效", 6000, 5000);
  g_autofree char *b = add_criterion (f, evaluation, NULL, 1, "项目管理", 4000, 3500);
  g_autoptr(ProcuraProjectBundle) bundle = NULL;

  set_state (f, PROCURA_ENTITY_EVALUATION, evaluation, "final");
  delete_refused (f, PROCURA_ENTITY_CRITERION, b, PROCURA_ERROR_TRANSITION, "Evaluation");

  bundle = procura_store_load_project (f->store, project, NULL);
  g_assert_cmpint (procura_evaluation_total (bundle, evaluation), ==, 8500);
}

/* Nor can an indicator leave a final evaluation for another one. */
static void
test_evaluation_final_locked_move_criterion (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "final", "2021-12-20");
  g_autofree char *other = add_evaluation (f, project, "self", "2021-12-01");
  G_GNUC_UNUSED g_autofree char *a = add_criterion (f, evaluation, NULL, 1, "服务成效", 6000, 5000);
  g_autofree char *b = add_criterion (f, evaluation, NULL, 1, "项目管理", 4000, 3500);
  g_autoptr(ProcuraRecord) move = procura_record_new (PROCURA_ENTITY_CRITERION, b);

  set_state (f, PROCURA_ENTITY_EVALUATION, evaluation, "final");
  procura_record_set_string (move, "evaluation_id", other);
  update_refused (f, move, PROCURA_ERROR_TRANSITION, "Evaluation");
}

static void
test_criterion_levels (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *evaluation = add_evaluation (f, project, "midterm", "2021-07-01");
  g_autofree char *other = add_evaluation (f, project, "self", "2021-06-01");
  g_autofree char *top = add_criterion (f, evaluation, NULL, 1, "服务成效", 6000, -1);
  g_autofree char *foreign = add_criterion (f, other, NULL, 1, "别的评估", 10000, -1);
  g_autofree char *mid = add_criterion (f, evaluation, top, 2, "居民满意度", 3000, -1);
  G_GNUC_UNUSED g_autofree char *leaf = add_criterion (f, evaluation, mid, 3, "问卷回收率", 1500, 1200);
  static const struct { gint64 level; int parent; gint64 weight; const char *label; } bad[] = {
    { 0, 0, 1000, "Level" },      /* 0: no parent */
    { 4, 0, 1000, "Level" },
    { 2, 0, 1000, "Level" },      /* level 2 without a parent */
    { 3, 1, 1000, "Level" },      /* level 3 under a level 1 */
    { 2, 2, 1000, "Parent indicator" },  /* parent of another evaluation */
    { 1, 0, 10001, "Weight" },    /* more than 100 */
    { 1, 0, -1, "Weight" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ProcuraRecord) c = procura_record_new (PROCURA_ENTITY_CRITERION, NULL);

      g_test_message ("criterion case %u", i);
      procura_record_set_string (c, "evaluation_id", evaluation);
      if (bad[i].parent == 1)
        procura_record_set_string (c, "parent_id", top);
      else if (bad[i].parent == 2)
        procura_record_set_string (c, "parent_id", foreign);
      procura_record_set_int (c, "level", bad[i].level);
      procura_record_set_string (c, "name", "指标");
      procura_record_set_int (c, "weight", bad[i].weight);
      insert_refused (f, c, PROCURA_ERROR_INVALID, bad[i].label);
    }
}

/* ======================================================================
 * Consultation items
 * ====================================================================== */

static void
test_consultation_meeting_kind (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *event = add_activity (f, project, "event");
  g_autofree char *meeting = add_activity (f, project, "consultation_meeting");
  g_autoptr(ProcuraRecord) wrong = new_consultation (project, event);
  g_autoptr(ProcuraRecord) right = new_consultation (project, meeting);
  g_autoptr(ProcuraRecord) repoint = NULL;
  g_autofree char *id = NULL;

  insert_refused (f, wrong, PROCURA_ERROR_INVALID, "Consultation meeting");
  id = insert_ok (f, right);

  repoint = procura_record_new (PROCURA_ENTITY_CONSULTATION, id);
  procura_record_set_string (repoint, "meeting_id", event);
  update_refused (f, repoint, PROCURA_ERROR_INVALID, "Consultation meeting");
  assert_check_passes (f);
}

/* The meeting an item points to stays a consultation meeting. */
static void
test_consultation_meeting_kind_changed (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *meeting = add_activity (f, project, "consultation_meeting");
  g_autoptr(ProcuraRecord) item = new_consultation (project, meeting);
  g_autoptr(ProcuraRecord) change = procura_record_new (PROCURA_ENTITY_ACTIVITY, meeting);
  g_autoptr(GError) error = NULL;
  G_GNUC_UNUSED g_autofree char *id = insert_ok (f, item);
  g_autofree char *kind = NULL;
  Counts before = counts (f);

  procura_record_set_string (change, "kind", "event");
  g_assert_false (procura_store_update (f->store, change, &error));
  g_assert_nonnull (error);
  g_assert_true (g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_INVALID) ||
                 g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_REFERENCED));
  g_assert_nonnull (strstr (error->message, "Activity type"));
  assert_wrote_nothing (f, before);
  kind = get_text (f, PROCURA_ENTITY_ACTIVITY, meeting, "kind");
  g_assert_cmpstr (kind, ==, "consultation_meeting");
}

static void
test_consultation_workflow (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) agreed = new_consultation (project, NULL);
  g_autoptr(ProcuraRecord) item = new_consultation (project, NULL);
  g_autoptr(ProcuraRecord) dropped = new_consultation (project, NULL);
  g_autofree char *id = NULL;
  g_autofree char *dropped_id = NULL;

  procura_record_set_string (agreed, "status", "agreed");
  insert_refused (f, agreed, PROCURA_ERROR_TRANSITION, "Status");

  id = insert_ok (f, item);
  assert_state (f, PROCURA_ENTITY_CONSULTATION, id, "pending");
  set_state_refused (f, PROCURA_ENTITY_CONSULTATION, id, "resolved", PROCURA_ERROR_TRANSITION, "Status");
  set_state (f, PROCURA_ENTITY_CONSULTATION, id, "agreed");
  set_state (f, PROCURA_ENTITY_CONSULTATION, id, "in_progress");
  set_state (f, PROCURA_ENTITY_CONSULTATION, id, "resolved");
  set_state_refused (f, PROCURA_ENTITY_CONSULTATION, id, "in_progress", PROCURA_ERROR_TRANSITION, "Status");
  delete_refused (f, PROCURA_ENTITY_CONSULTATION, id, PROCURA_ERROR_TRANSITION, "Consultation item");

  dropped_id = insert_ok (f, dropped);
  set_state (f, PROCURA_ENTITY_CONSULTATION, dropped_id, "unresolved");
  delete_refused (f, PROCURA_ENTITY_CONSULTATION, dropped_id, PROCURA_ERROR_TRANSITION, "Consultation item");
}

/* ======================================================================
 * Deletion of records in final states; the remaining rules
 * ====================================================================== */

static void
test_delete_final_states (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autofree char *milestone = add_milestone (f, project, "第一季度", "2021-03-31");
  g_autofree char *submitted = add_milestone (f, project, "第二季度", "2021-06-30");
  g_autofree char *planned = add_milestone (f, project, "第三季度", "2021-09-30");
  g_autofree char *payable = add_payment (f, project, NULL, 1000);

  accept_milestone (f, milestone);
  delete_refused (f, PROCURA_ENTITY_MILESTONE, milestone, PROCURA_ERROR_TRANSITION, "Milestone");

  /* states that are not final can go */
  set_state (f, PROCURA_ENTITY_MILESTONE, submitted, "submitted");
  delete_ok (f, PROCURA_ENTITY_MILESTONE, submitted);
  delete_ok (f, PROCURA_ENTITY_MILESTONE, planned);
  set_state (f, PROCURA_ENTITY_PAYMENT, payable, "payable");
  delete_ok (f, PROCURA_ENTITY_PAYMENT, payable);
  assert_check_passes (f);
}

static void
test_indicator_rules (Fixture *f)
{
  g_autofree char *project = add_active_project (f, FIXTURE_VALUE);
  g_autoptr(ProcuraRecord) indicator = procura_record_new (PROCURA_ENTITY_INDICATOR, NULL);
  g_autoptr(ProcuraRecord) period = procura_record_new (PROCURA_ENTITY_INDICATOR_PERIOD, NULL);
  g_autoptr(ProcuraRecord) got = NULL;
  g_autofree char *id = NULL;

  procura_record_set_string (indicator, "project_id", project);
  procura_record_set_string (indicator, "title", "服务人次");
  procura_record_set_string (indicator, "result_type", "output");
  procura_record_set_string (indicator, "measure", "unit");
  id = insert_ok (f, indicator);
  got = get_ok (f, PROCURA_ENTITY_INDICATOR, id);
  g_assert_true (procura_record_get_bool (got, "ascending"));   /* higher is better by default */

  procura_record_set_string (period, "indicator_id", id);
  procura_record_set_string (period, "period_start", "2021-07-01");
  procura_record_set_string (period, "period_end", "2021-06-30");
  insert_refused (f, period, PROCURA_ERROR_INVALID, "Period end");
}

static void
test_grade_scheme_bands (Fixture *f)
{
  static const char * const bad[] = {
    "优秀>=90;良好>=80",          /* no band at 0 */
    "优秀>=80;良好>=90;差>=0",    /* not descending */
    "优秀>=120;差>=0",
    "",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(ProcuraRecord) s = procura_record_new (PROCURA_ENTITY_GRADE_SCHEME, NULL);
      g_autofree char *name = g_strdup_printf ("方案 %u", i);

      procura_record_set_string (s, "name", name);
      procura_record_set_string (s, "bands", bad[i]);
      insert_refused (f, s, bad[i][0] == '\0' ? PROCURA_ERROR_REQUIRED : PROCURA_ERROR_INVALID,
                      "Grade bands");
    }
}

/* ---- running tests ------------------------------------------------- */

int
main (int argc, char *argv[])
{
  static const FixtureTest tests[] = {
    { "/rules/uscc/valid", test_uscc_valid },
    { "/rules/uscc/refused", test_uscc_refused },
    { "/rules/project/period", test_project_period },
    { "/rules/project/budget-year", test_project_budget_year },
    { "/rules/project/agency-not-buyer", test_project_agency_not_buyer },
    { "/rules/project/active-requires", test_project_active_requires },
    { "/rules/project/starts-draft", test_project_starts_draft },
    { "/rules/project/new-must-be-draft", test_project_new_must_be_draft },
    { "/rules/project/transitions", test_project_transitions },
    { "/rules/project/completion-guards", test_project_completion_guards },
    { "/rules/project/delete", test_project_delete },
    { "/rules/project/value-limits", test_project_value_limits },
    { "/rules/amendment/only-active", test_amendment_only_active },
    { "/rules/amendment/limit-exact", test_amendment_limit_exact },
    { "/rules/amendment/limit-cumulative", test_amendment_limit_cumulative },
    { "/rules/amendment/new-end-date", test_amendment_new_end_date },
    { "/rules/amendment/below-paid", test_amendment_below_paid },
    { "/rules/amendment/delete-below-paid", test_amendment_delete_below_paid },
    { "/rules/amendment/delete-only-active", test_amendment_delete_only_active },
    { "/rules/milestone/period", test_milestone_period },
    { "/rules/milestone/period-project-shortened", test_milestone_period_project_shortened },
    { "/rules/milestone/new-planned", test_milestone_new_planned },
    { "/rules/milestone/date-met", test_milestone_date_met },
    { "/rules/payment/new-planned", test_payment_new_planned },
    { "/rules/payment/payable-needs-accepted-milestone", test_payment_payable_needs_accepted_milestone },
    { "/rules/payment/payable-relinked", test_payment_payable_relinked },
    { "/rules/payment/paid-requires", test_payment_paid_requires },
    { "/rules/payment/paid-blank-voucher", test_payment_paid_blank_voucher },
    { "/rules/payment/paid-fields-only-when-paid", test_payment_paid_fields_only_when_paid },
    { "/rules/payment/limit", test_payment_limit },
    { "/rules/payment/limit-with-amendments", test_payment_limit_with_amendments },
    { "/rules/payment/not-before-signed", test_payment_not_before_signed },
    { "/rules/payment/paid-is-final", test_payment_paid_is_final },
    { "/rules/report/review-loop", test_report_review_loop },
    { "/rules/report/returned-comment", test_report_returned_comment },
    { "/rules/report/accepted-locked", test_report_accepted_locked },
    { "/rules/report/accepted-attachment-swapped", test_report_accepted_attachment_swapped },
    { "/rules/report/accepted-attachment-removed", test_report_accepted_attachment_removed },
    { "/rules/report/new-draft", test_report_new_draft },
    { "/rules/report/after-milestone-accepted", test_report_after_milestone_accepted },
    { "/rules/report/period-and-delete", test_report_period_and_delete },
    { "/rules/attachment/sha256", test_attachment_sha256 },
    { "/rules/evaluation/new-draft", test_evaluation_new_draft },
    { "/rules/evaluation/finalise-ok", test_evaluation_finalise_ok },
    { "/rules/evaluation/finalise-weights-99.99", test_evaluation_finalise_weights_9999 },
    { "/rules/evaluation/finalise-weights-100.01", test_evaluation_finalise_weights_over },
    { "/rules/evaluation/finalise-children-mismatch", test_evaluation_finalise_children_mismatch },
    { "/rules/evaluation/finalise-unscored-leaf", test_evaluation_finalise_unscored_leaf },
    { "/rules/evaluation/finalise-parent-scored", test_evaluation_finalise_parent_scored },
    { "/rules/evaluation/finalise-empty", test_evaluation_finalise_empty },
    { "/rules/evaluation/score-over-weight", test_evaluation_score_over_weight },
    { "/rules/evaluation/final-locked", test_evaluation_final_locked },
    { "/rules/evaluation/final-locked-delete-criterion", test_evaluation_final_locked_delete_criterion },
    { "/rules/evaluation/final-locked-move-criterion", test_evaluation_final_locked_move_criterion },
    { "/rules/evaluation/criterion-levels", test_criterion_levels },
    { "/rules/consultation/meeting-kind", test_consultation_meeting_kind },
    { "/rules/consultation/meeting-kind-changed", test_consultation_meeting_kind_changed },
    { "/rules/consultation/workflow", test_consultation_workflow },
    { "/rules/delete/final-states", test_delete_final_states },
    { "/rules/indicator", test_indicator_rules },
    { "/rules/grade-scheme", test_grade_scheme_bands },
  };

  procura_test_init (&argc, &argv);
  fixture_add_tests ("procura-test-rules-XXXXXX", tests, G_N_ELEMENTS (tests));

  return g_test_run ();
}
