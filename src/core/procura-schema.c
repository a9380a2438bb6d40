/* procura-schema.c — the entity catalogue
 *
 * Field names follow domain-reference.md §6 so the OCDS mapping stays
 * obvious. Enumeration codes are stable identifiers (stored, synced and
 * exported); labels are translated for display.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-schema.h"

#define REQ    PROCURA_FIELD_REQUIRED
#define UNIQUE PROCURA_FIELD_UNIQUE
#define STRICT PROCURA_FIELD_STRICT
#define NONNEG PROCURA_FIELD_NONNEG
#define SYSTEM PROCURA_FIELD_SYSTEM
#define PERSONAL PROCURA_FIELD_PERSONAL

#define TEXT      PROCURA_FIELD_TEXT
#define INT       PROCURA_FIELD_INT
#define MONEY     PROCURA_FIELD_MONEY
#define DECIMAL   PROCURA_FIELD_DECIMAL
#define DATE      PROCURA_FIELD_DATE
#define MONTH     PROCURA_FIELD_MONTH
#define TIMESTAMP PROCURA_FIELD_TIMESTAMP
#define BOOL      PROCURA_FIELD_BOOL
#define ENUM      PROCURA_FIELD_ENUM
#define REF       PROCURA_FIELD_REF

/* ---- enumerations ---------------------------------------------------- */

static const ProcuraEnumValue organization_kinds[] = {
  { "civil_affairs_bureau", N_("Civil affairs bureau") },
  { "street_office", N_("Street office") },
  { "residents_committee", N_("Residents’ committee") },
  { "social_work_agency", N_("Social work agency") },
  { "evaluator", N_("Third-party evaluator") },
  { "property_management", N_("Property management") },
  { "city_management", N_("City management") },
  { "volunteer_organization", N_("Volunteer organization") },
  { "other", N_("Other") },
  { NULL, NULL }
};

static const ProcuraEnumValue project_statuses[] = {
  { "draft", N_("Draft") },
  { "active", N_("In progress") },
  { "completed", N_("Completed") },
  { "terminated", N_("Terminated early") },
  { "cancelled", N_("Cancelled") },
  { NULL, NULL }
};

static const ProcuraEnumValue project_categories[] = {
  { "elderly", N_("Elderly care") },
  { "youth", N_("Children and youth") },
  { "community_governance", N_("Community governance") },
  { "social_assistance", N_("Social assistance") },
  { "disability", N_("Disability services") },
  { "family", N_("Family services") },
  { "comprehensive", N_("Comprehensive services") },
  { "other", N_("Other") },
  { NULL, NULL }
};

static const ProcuraEnumValue procurement_methods[] = {
  { "open_tender", N_("Open tender") },
  { "invited_tender", N_("Invited tender") },
  { "competitive_negotiation", N_("Competitive negotiation") },
  { "competitive_consultation", N_("Competitive consultation") },
  { "single_source", N_("Single source") },
  { "inquiry", N_("Request for quotation") },
  { "other", N_("Other") },
  { NULL, NULL }
};

static const ProcuraEnumValue funding_sources[] = {
  { "general_budget", N_("General public budget") },
  { "lottery_fund", N_("Welfare lottery fund") },
  { "special_fund", N_("Special fund") },
  { "other", N_("Other") },
  { NULL, NULL }
};

/* OCDS milestoneType codes (1.1) */
static const ProcuraEnumValue milestone_types[] = {
  { "preProcurement", N_("Pre-procurement") },
  { "approval", N_("Approval") },
  { "engagement", N_("Engagement") },
  { "assessment", N_("Assessment") },
  { "delivery", N_("Delivery") },
  { "reporting", N_("Reporting") },
  { "financing", N_("Financing") },
  { "payment", N_("Payment") },
  { NULL, NULL }
};

static const ProcuraEnumValue milestone_codes[] = {
  { "monthlyReport", N_("Monthly report") },
  { "consultationMeeting", N_("Consultation meeting") },
  { "residentSurvey", N_("Resident survey") },
  { "midtermEvaluation", N_("Mid-term evaluation") },
  { "finalEvaluation", N_("Final evaluation") },
  { "spotCheck", N_("Spot check") },
  { "acceptance", N_("Final acceptance") },
  { "other", N_("Other") },
  { NULL, NULL }
};

static const ProcuraEnumValue milestone_statuses[] = {
  { "planned", N_("Planned") },
  { "submitted", N_("Submitted") },
  { "accepted", N_("Accepted") },
  { "returned", N_("Returned") },
  { NULL, NULL }
};

static const ProcuraEnumValue payment_statuses[] = {
  { "planned", N_("Planned") },
  { "payable", N_("Payable") },
  { "paid", N_("Paid") },
  { NULL, NULL }
};

static const ProcuraEnumValue report_states[] = {
  { "draft", N_("Draft") },
  { "submitted", N_("Submitted") },
  { "returned", N_("Returned for changes") },
  { "accepted", N_("Accepted") },
  { NULL, NULL }
};

static const ProcuraEnumValue report_kinds[] = {
  { "physicalProgressReport", N_("Progress report") },
  { "financialProgressReport", N_("Financial report") },
  { NULL, NULL }
};

/* OCDS documentType codes relevant to this domain */
static const ProcuraEnumValue document_types[] = {
  { "physicalProgressReport", N_("Progress report") },
  { "financialProgressReport", N_("Financial report") },
  { "contractSigned", N_("Signed contract") },
  { "contractAnnexe", N_("Contract annex") },
  { "projectPlan", N_("Project plan") },
  { "needsAssessment", N_("Needs assessment") },
  { "evaluationReports", N_("Evaluation report") },
  { "completionCertificate", N_("Completion certificate") },
  { "illustration", N_("Photo or illustration") },
  { "other", N_("Other") },
  { NULL, NULL }
};

static const ProcuraEnumValue evaluation_kinds[] = {
  { "self", N_("Self-evaluation") },
  { "midterm", N_("Mid-term evaluation") },
  { "final", N_("Final evaluation") },
  { "spot_check", N_("Spot-check evaluation") },
  { "special_audit", N_("Special audit") },
  { NULL, NULL }
};

static const ProcuraEnumValue evaluation_statuses[] = {
  { "draft", N_("Draft") },
  { "final", N_("Final") },
  { NULL, NULL }
};

static const ProcuraEnumValue result_types[] = {
  { "output", N_("Output") },
  { "outcome", N_("Outcome") },
  { "impact", N_("Impact") },
  { "other", N_("Other") },
  { NULL, NULL }
};

static const ProcuraEnumValue indicator_measures[] = {
  { "unit", N_("Count") },
  { "percentage", N_("Percentage") },
  { "nominal", N_("Nominal") },
  { "ordinal", N_("Ordinal") },
  { "qualitative", N_("Qualitative") },
  { NULL, NULL }
};

static const ProcuraEnumValue activity_kinds[] = {
  { "survey", N_("Resident survey") },
  { "consultation_meeting", N_("Consultation meeting") },
  { "event", N_("Community event") },
  { "visit", N_("Home visit") },
  { "training", N_("Training") },
  { "other", N_("Other") },
  { NULL, NULL }
};

static const ProcuraEnumValue consultation_sources[] = {
  { "online_survey", N_("Online survey") },
  { "offline_visit", N_("Door-to-door visit") },
  { "resident_report", N_("Raised by residents") },
  { "other", N_("Other") },
  { NULL, NULL }
};

static const ProcuraEnumValue consultation_statuses[] = {
  { "pending", N_("To be discussed") },
  { "agreed", N_("Agreed") },
  { "in_progress", N_("In hand") },
  { "resolved", N_("Resolved") },
  { "unresolved", N_("Unresolved") },
  { NULL, NULL }
};

/* ---- entities -------------------------------------------------------- */

static const ProcuraFieldInfo organization_fields[] = {
  { "name", N_("Name"), TEXT, REQ },
  { "uscc", N_("Unified social credit code"), TEXT, REQ | UNIQUE | PROCURA_FIELD_USCC },
  { "kind", N_("Organization type"), ENUM, REQ, organization_kinds },
  { "address", N_("Address"), TEXT, 0 },
  { "contact_person", N_("Contact person"), TEXT, PERSONAL },
  { "contact_phone", N_("Contact phone"), TEXT, PERSONAL | PROCURA_FIELD_PHONE },
  { "contact_email", N_("Contact email"), TEXT, PERSONAL | PROCURA_FIELD_EMAIL },
  { "note", N_("Note"), TEXT, 0 },
};

static const ProcuraFieldInfo grade_scheme_fields[] = {
  { "name", N_("Name"), TEXT, REQ | UNIQUE },
  { "bands", N_("Grade bands"), TEXT, REQ },
};

static const ProcuraFieldInfo project_fields[] = {
  { "code", N_("Project number"), TEXT, REQ | UNIQUE },
  { "title", N_("Project title"), TEXT, REQ },
  { "description", N_("Description"), TEXT, 0 },
  { "buyer_id", N_("Purchasing unit"), REF, 0, NULL, "organization" },
  { "agency_id", N_("Contracted agency"), REF, 0, NULL, "organization" },
  { "category", N_("Service category"), ENUM, REQ, project_categories },
  { "method", N_("Procurement method"), ENUM, REQ, procurement_methods },
  { "budget", N_("Budget"), MONEY, NONNEG | STRICT },
  { "funding_source", N_("Funding source"), ENUM, 0, funding_sources },
  { "budget_year", N_("Budget year"), INT, 0 },
  { "contract_no", N_("Contract number"), TEXT, 0 },
  { "value", N_("Contract value"), MONEY, NONNEG | STRICT },
  { "start_date", N_("Start date"), DATE, 0 },
  { "end_date", N_("End date"), DATE, 0 },
  { "date_signed", N_("Date signed"), DATE, 0 },
  { "date_filed", N_("Date filed"), DATE, 0 },
  { "street", N_("Street"), TEXT, 0 },
  { "community", N_("Community"), TEXT, 0 },
  { "status", N_("Status"), ENUM, REQ | STRICT, project_statuses },
  { "grade_scheme_id", N_("Grade scheme"), REF, 0, NULL, "grade_scheme" },
};

static const ProcuraFieldInfo amendment_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "date", N_("Amendment date"), DATE, REQ },
  { "rationale", N_("Rationale"), TEXT, REQ },
  { "description", N_("Description"), TEXT, 0 },
  { "value_delta", N_("Change in value"), MONEY, STRICT },
  { "new_end_date", N_("New end date"), DATE, 0 },
};

static const ProcuraFieldInfo milestone_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "title", N_("Milestone"), TEXT, REQ },
  { "type", N_("Milestone type"), ENUM, REQ, milestone_types },
  { "code", N_("Milestone kind"), ENUM, 0, milestone_codes },
  { "due_date", N_("Due date"), DATE, REQ },
  { "date_met", N_("Date met"), DATE, 0 },
  { "status", N_("Status"), ENUM, REQ | STRICT, milestone_statuses },
  { "outside_period_allowed", N_("Allowed outside the contract period"), BOOL, 0 },
  { "description", N_("Description"), TEXT, 0 },
};

static const ProcuraFieldInfo payment_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "milestone_id", N_("Milestone"), REF, 0, NULL, "milestone" },
  { "title", N_("Tranche"), TEXT, REQ },
  { "planned_amount", N_("Planned amount"), MONEY, REQ | NONNEG | STRICT },
  { "planned_date", N_("Planned date"), DATE, 0 },
  { "condition", N_("Payment condition"), TEXT, 0 },
  { "status", N_("Status"), ENUM, REQ | STRICT, payment_statuses },
  { "paid_date", N_("Date paid"), DATE, 0 },
  { "paid_amount", N_("Amount paid"), MONEY, NONNEG | STRICT },
  { "voucher_no", N_("Voucher number"), TEXT, 0 },
};

static const ProcuraFieldInfo report_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "milestone_id", N_("Milestone"), REF, 0, NULL, "milestone" },
  { "submitter_org_id", N_("Submitted by"), REF, 0, NULL, "organization" },
  { "kind", N_("Report type"), ENUM, 0, report_kinds },
  { "title", N_("Report title"), TEXT, REQ },
  { "period_start", N_("Period start"), DATE, 0 },
  { "period_end", N_("Period end"), DATE, 0 },
  { "narrative", N_("Narrative"), TEXT, 0 },
  { "state", N_("Review state"), ENUM, REQ | STRICT, report_states },
  { "review_comment", N_("Review comment"), TEXT, 0 },
  { "submitted_at", N_("Submitted at"), TIMESTAMP, SYSTEM },
  { "reviewed_at", N_("Reviewed at"), TIMESTAMP, SYSTEM },
};

static const ProcuraFieldInfo attachment_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "report_id", N_("Report"), REF, 0, NULL, "report" },
  { "name", N_("File name"), TEXT, REQ },
  { "mime_type", N_("File type"), TEXT, REQ },
  { "size", N_("Size"), INT, REQ | NONNEG },
  { "sha256", N_("SHA-256"), TEXT, REQ },
  { "doc_type", N_("Document type"), ENUM, 0, document_types },
  { "contains_personal_info", N_("Contains personal information"), BOOL, 0 },
};

static const ProcuraFieldInfo evaluation_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "kind", N_("Evaluation type"), ENUM, REQ, evaluation_kinds },
  { "evaluator_org_id", N_("Evaluator"), REF, 0, NULL, "organization" },
  { "date", N_("Evaluation date"), DATE, REQ },
  { "status", N_("Status"), ENUM, REQ | STRICT, evaluation_statuses },
  { "comment", N_("Comment"), TEXT, 0 },
};

/* One row of an evaluation's indicator table (一级/二级/三级指标).
 * weight is the row's points (分值); a parent's weight equals the sum of
 * its children's, the top level sums to 100; score (得分) is given on
 * leaves, 0 ≤ score ≤ weight; the total is the sum of leaf scores, i.e. the
 * weighted sum of the leaves' score rates. */
static const ProcuraFieldInfo criterion_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "evaluation_id", N_("Evaluation"), REF, REQ, NULL, "evaluation" },
  { "parent_id", N_("Parent indicator"), REF, 0, NULL, "criterion" },
  { "level", N_("Level"), INT, REQ },
  { "position", N_("Order"), INT, NONNEG },
  { "name", N_("Indicator"), TEXT, REQ },
  { "weight", N_("Weight"), DECIMAL, REQ | NONNEG | STRICT },
  { "score", N_("Score"), DECIMAL, NONNEG | STRICT },
  { "comment", N_("Comment"), TEXT, 0 },
};

static const ProcuraFieldInfo indicator_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "title", N_("Indicator"), TEXT, REQ },
  { "result_type", N_("Result type"), ENUM, REQ, result_types },
  { "measure", N_("Measure"), ENUM, REQ, indicator_measures },
  { "unit", N_("Unit"), TEXT, 0 },
  { "ascending", N_("Higher is better"), BOOL, REQ },
  { "baseline_value", N_("Baseline"), DECIMAL, 0 },
  { "baseline_date", N_("Baseline date"), DATE, 0 },
  { "target_value", N_("Target"), DECIMAL, 0 },
  { "dimension", N_("Dimension"), TEXT, 0 },
};

static const ProcuraFieldInfo indicator_period_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "indicator_id", N_("Indicator"), REF, REQ, NULL, "indicator" },
  { "period_start", N_("Period start"), DATE, REQ },
  { "period_end", N_("Period end"), DATE, REQ },
  { "target_value", N_("Target"), DECIMAL, 0 },
  { "actual_value", N_("Actual"), DECIMAL, 0 },
  { "comment", N_("Comment"), TEXT, 0 },
};

static const ProcuraFieldInfo activity_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "kind", N_("Activity type"), ENUM, REQ, activity_kinds },
  { "title", N_("Activity"), TEXT, REQ },
  { "date", N_("Date"), DATE, REQ },
  { "location", N_("Location"), TEXT, 0 },
  { "community", N_("Community"), TEXT, 0 },
  { "participants", N_("Participants"), INT, NONNEG },
  { "residents", N_("Residents"), INT, NONNEG },
  { "volunteers", N_("Volunteers"), INT, NONNEG },
  { "partner_staff", N_("Partner staff"), INT, NONNEG },
  { "note", N_("Note"), TEXT, 0 },
};

static const ProcuraFieldInfo consultation_fields[] = {
  { "project_id", N_("Project"), REF, REQ, NULL, "project" },
  { "month", N_("Month"), MONTH, REQ },
  { "source", N_("Source"), ENUM, REQ, consultation_sources },
  { "topic", N_("Topic"), TEXT, REQ },
  { "raised_by", N_("Raised by"), TEXT, 0 },
  { "parties", N_("Parties consulted"), TEXT, 0 },
  { "meeting_id", N_("Consultation meeting"), REF, 0, NULL, "activity" },
  { "resolution", N_("Resolution"), TEXT, 0 },
  { "status", N_("Status"), ENUM, REQ, consultation_statuses },
};

#define ENTITY(n, pl, lbl, parent, scoped, status, title, fields) \
  { n, pl, lbl, parent, scoped, status, title, fields, G_N_ELEMENTS (fields) }

static const ProcuraEntityInfo entities[] = {
  ENTITY ("organization", "organizations", N_("Organization"), NULL, FALSE, NULL, "name", organization_fields),
  ENTITY ("grade_scheme", "grade_schemes", N_("Grade scheme"), NULL, FALSE, NULL, "name", grade_scheme_fields),
  ENTITY ("project", "projects", N_("Project"), NULL, FALSE, "status", "title", project_fields),
  ENTITY ("amendment", "amendments", N_("Amendment"), "project_id", TRUE, NULL, "rationale", amendment_fields),
  ENTITY ("milestone", "milestones", N_("Milestone"), "project_id", TRUE, "status", "title", milestone_fields),
  ENTITY ("payment", "payments", N_("Payment"), "project_id", TRUE, "status", "title", payment_fields),
  ENTITY ("report", "reports", N_("Report"), "project_id", TRUE, "state", "title", report_fields),
  ENTITY ("attachment", "attachments", N_("Attachment"), "project_id", TRUE, NULL, "name", attachment_fields),
  ENTITY ("evaluation", "evaluations", N_("Evaluation"), "project_id", TRUE, "status", "kind", evaluation_fields),
  ENTITY ("criterion", "criteria", N_("Evaluation indicator"), "evaluation_id", TRUE, NULL, "name", criterion_fields),
  ENTITY ("indicator", "indicators", N_("Outcome indicator"), "project_id", TRUE, NULL, "title", indicator_fields),
  ENTITY ("indicator_period", "indicator_periods", N_("Indicator period"), "indicator_id", TRUE, NULL, "period_start", indicator_period_fields),
  ENTITY ("activity", "activities", N_("Activity"), "project_id", TRUE, NULL, "title", activity_fields),
  ENTITY ("consultation", "consultations", N_("Consultation item"), "project_id", TRUE, "status", "topic", consultation_fields),
};

static const ProcuraEntityInfo *entity_ptrs[G_N_ELEMENTS (entities)];

const ProcuraEntityInfo * const *
procura_schema_entities (guint *n_entities)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
        entity_ptrs[i] = &entities[i];
      g_once_init_leave (&initialized, 1);
    }

  if (n_entities != NULL)
    *n_entities = G_N_ELEMENTS (entities);

  return entity_ptrs;
}

const ProcuraEntityInfo *
procura_schema_lookup (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    if (strcmp (entities[i].name, name) == 0)
      return &entities[i];

  return NULL;
}

const ProcuraEntityInfo *
procura_schema_lookup_any (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (entities); i++)
    {
      if (strcmp (entities[i].name, name) == 0 ||
          strcmp (entities[i].plural, name) == 0 ||
          g_ascii_strcasecmp (entities[i].label, name) == 0 ||
          strcmp (_(entities[i].label), name) == 0)
        return &entities[i];
    }

  return NULL;
}

int
procura_entity_field_index (const ProcuraEntityInfo *entity,
                            const char              *name)
{
  g_return_val_if_fail (entity != NULL, -1);
  g_return_val_if_fail (name != NULL, -1);

  for (guint i = 0; i < entity->n_fields; i++)
    if (strcmp (entity->fields[i].name, name) == 0)
      return (int) i;

  return -1;
}

const ProcuraFieldInfo *
procura_entity_lookup_field (const ProcuraEntityInfo *entity,
                             const char              *name)
{
  int i = procura_entity_field_index (entity, name);

  return i < 0 ? NULL : &entity->fields[i];
}

const char *
procura_entity_get_label (const ProcuraEntityInfo *entity)
{
  return _(entity->label);
}

const char *
procura_field_get_label (const ProcuraFieldInfo *field)
{
  return _(field->label);
}

const ProcuraEnumValue *
procura_field_lookup_enum (const ProcuraFieldInfo *field,
                           const char             *code)
{
  g_return_val_if_fail (field != NULL, NULL);

  if (field->enum_values == NULL || code == NULL)
    return NULL;

  for (const ProcuraEnumValue *v = field->enum_values; v->code != NULL; v++)
    if (strcmp (v->code, code) == 0)
      return v;

  return NULL;
}

const ProcuraEnumValue *
procura_field_match_enum (const ProcuraFieldInfo *field,
                          const char             *text)
{
  const ProcuraEnumValue *v;

  if ((v = procura_field_lookup_enum (field, text)) != NULL)
    return v;

  if (field->enum_values == NULL || text == NULL)
    return NULL;

  for (v = field->enum_values; v->code != NULL; v++)
    if (g_ascii_strcasecmp (v->label, text) == 0 || strcmp (_(v->label), text) == 0)
      return v;

  return NULL;
}

const char *
procura_enum_get_label (const ProcuraEnumValue *value)
{
  return _(value->label);
}

const char *
procura_field_enum_label (const ProcuraFieldInfo *field,
                          const char             *code)
{
  const ProcuraEnumValue *v = procura_field_lookup_enum (field, code);

  return v != NULL ? _(v->label) : code;
}
