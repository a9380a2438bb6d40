/* test-permissions-mirror.c — the UI's mirror of product.md §4
 *
 * Every role × entity × operation of procura-permissions.h, checked
 * against the table of §4 as written there (not against the module's own
 * table), and the finer rules the server's check_permission() applies
 * (tests/test-permissions.c holds the server to the same table).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "procura-permissions.h"
#include "procura-schema.h"

static const char * const roles[] = { NULL, "admin", "officer", "agency", "auditor" };

/* §4 row by row: which entities an agency changes on its own projects */
static gboolean
agency_changes (const char       *entity,
                ProcuraOperation  op)
{
  /* reports and attachments: create, edit, submit (delete a draft) */
  if (strcmp (entity, "report") == 0 || strcmp (entity, "attachment") == 0)
    return TRUE;
  /* activities, consultation items: ✔ own projects */
  if (strcmp (entity, "activity") == 0 || strcmp (entity, "consultation") == 0)
    return TRUE;
  /* indicator actuals: only updates of existing periods */
  if (strcmp (entity, "indicator_period") == 0)
    return op == PROCURA_OP_UPDATE;
  /* organisations: edit own contact details */
  if (strcmp (entity, "organization") == 0)
    return op == PROCURA_OP_UPDATE;
  /* projects, contracts, amendments, milestone plans, payments,
   * evaluations (with their criteria), indicators, grade schemes: read */
  return FALSE;
}

static void
test_every_role_entity_operation (void)
{
  static const ProcuraOperation ops[] = { PROCURA_OP_CREATE, PROCURA_OP_UPDATE, PROCURA_OP_DELETE };
  guint n_entities = 0;
  const ProcuraEntityInfo * const *entities = procura_schema_entities (&n_entities);
  guint checked = 0;

  g_assert_cmpuint (n_entities, >=, 14);

  for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
    for (guint e = 0; e < n_entities; e++)
      for (guint o = 0; o < G_N_ELEMENTS (ops); o++)
        {
          const char *role = roles[r];
          const char *entity = entities[e]->name;
          gboolean expected;

          if (role == NULL || strcmp (role, "officer") == 0)
            expected = TRUE;
          else if (strcmp (role, "agency") == 0)
            expected = agency_changes (entity, ops[o]);
          else
            expected = FALSE;   /* admin, auditor: read */

          if (procura_permissions_may (role, entity, ops[o]) != expected)
            g_error ("%s may %s %s: expected %s", role ? role : "(local)",
                     ops[o] == PROCURA_OP_CREATE ? "create" : ops[o] == PROCURA_OP_UPDATE ? "update" : "delete",
                     entity, expected ? "yes" : "no");
          checked++;
        }

  g_assert_cmpuint (checked, ==, G_N_ELEMENTS (roles) * n_entities * 3);

  /* unknown roles and entities may do nothing */
  g_assert_false (procura_permissions_may ("guest", "report", PROCURA_OP_UPDATE));
  g_assert_false (procura_permissions_may ("officer", "no_such_thing", PROCURA_OP_UPDATE));
  g_assert_false (procura_permissions_may_write ("guest"));
}

static void
test_fields (void)
{
  /* agencies: contact details of their organization only */
  g_assert_true (procura_permissions_may_field ("agency", "organization", "address"));
  g_assert_true (procura_permissions_may_field ("agency", "organization", "contact_person"));
  g_assert_true (procura_permissions_may_field ("agency", "organization", "contact_phone"));
  g_assert_true (procura_permissions_may_field ("agency", "organization", "contact_email"));
  g_assert_false (procura_permissions_may_field ("agency", "organization", "name"));
  g_assert_false (procura_permissions_may_field ("agency", "organization", "uscc"));
  /* indicator periods: actual value and comment */
  g_assert_true (procura_permissions_may_field ("agency", "indicator_period", "actual_value"));
  g_assert_true (procura_permissions_may_field ("agency", "indicator_period", "comment"));
  g_assert_false (procura_permissions_may_field ("agency", "indicator_period", "target_value"));
  /* the review belongs to the officer */
  g_assert_true (procura_permissions_may_field ("agency", "report", "narrative"));
  g_assert_false (procura_permissions_may_field ("agency", "report", "review_comment"));
  /* it submits in its own name only (the server refuses another) */
  g_assert_false (procura_permissions_may_field ("agency", "report", "submitter_org_id"));
  g_assert_true (procura_permissions_may_field ("officer", "report", "submitter_org_id"));
  g_assert_false (procura_permissions_may_field ("agency", "report", "reviewed_at"));
  g_assert_false (procura_permissions_may_field ("agency", "report", "state"));
  g_assert_true (procura_permissions_may_field ("agency", "consultation", "status"));
  g_assert_true (procura_permissions_may_field ("officer", "report", "review_comment"));
  g_assert_true (procura_permissions_may_field (NULL, "organization", "name"));
  g_assert_false (procura_permissions_may_field ("auditor", "organization", "address"));
  g_assert_false (procura_permissions_may_field ("admin", "report", "narrative"));
  g_assert_false (procura_permissions_may_field ("agency", "project", "title"));

  g_assert_null (procura_permissions_fields ("officer", "organization"));
  g_assert_nonnull (procura_permissions_fields ("agency", "organization"));
  g_assert_null (procura_permissions_fields ("agency", "report"));
}

static void
test_reports (void)
{
  /* agencies: edit while not accepted, delete only drafts, never review */
  g_assert_true (procura_permissions_may_report ("agency", "draft", PROCURA_OP_UPDATE));
  g_assert_true (procura_permissions_may_report ("agency", "returned", PROCURA_OP_UPDATE));
  g_assert_true (procura_permissions_may_report ("agency", "submitted", PROCURA_OP_UPDATE));
  g_assert_false (procura_permissions_may_report ("agency", "accepted", PROCURA_OP_UPDATE));
  g_assert_true (procura_permissions_may_report ("agency", "draft", PROCURA_OP_DELETE));
  g_assert_false (procura_permissions_may_report ("agency", "returned", PROCURA_OP_DELETE));
  g_assert_true (procura_permissions_may_report ("agency", NULL, PROCURA_OP_CREATE));
  g_assert_true (procura_permissions_may_report ("officer", "accepted", PROCURA_OP_UPDATE));
  g_assert_false (procura_permissions_may_report ("auditor", "draft", PROCURA_OP_UPDATE));
  g_assert_false (procura_permissions_may_report ("admin", "draft", PROCURA_OP_CREATE));

  g_assert_true (procura_permissions_may_submit ("agency"));
  g_assert_true (procura_permissions_may_submit ("officer"));
  g_assert_true (procura_permissions_may_submit (NULL));
  g_assert_false (procura_permissions_may_submit ("auditor"));

  g_assert_true (procura_permissions_may_review (NULL));
  g_assert_true (procura_permissions_may_review ("officer"));
  g_assert_false (procura_permissions_may_review ("agency"));
  g_assert_false (procura_permissions_may_review ("auditor"));
  g_assert_false (procura_permissions_may_review ("admin"));
}

static void
test_places (void)
{
  /* the whole audit log: admin, officer, auditor — not agencies */
  g_assert_true (procura_permissions_may_see_audit_log ("admin"));
  g_assert_true (procura_permissions_may_see_audit_log ("officer"));
  g_assert_true (procura_permissions_may_see_audit_log ("auditor"));
  g_assert_true (procura_permissions_may_see_audit_log (NULL));
  g_assert_false (procura_permissions_may_see_audit_log ("agency"));
  /* a project's history: everyone (agencies hold only their own) */
  for (guint r = 0; r < G_N_ELEMENTS (roles); r++)
    g_assert_true (procura_permissions_may_see_history (roles[r]));
  /* accounts: admin */
  g_assert_true (procura_permissions_may_manage_accounts ("admin"));
  g_assert_false (procura_permissions_may_manage_accounts ("officer"));
  /* changing anything */
  g_assert_true (procura_permissions_may_write (NULL));
  g_assert_true (procura_permissions_may_write ("officer"));
  g_assert_true (procura_permissions_may_write ("agency"));
  g_assert_false (procura_permissions_may_write ("admin"));
  g_assert_false (procura_permissions_may_write ("auditor"));
  g_assert_true (procura_permissions_may_manage_projects ("officer"));
  g_assert_false (procura_permissions_may_manage_projects ("agency"));
  g_assert_false (procura_permissions_may_manage_projects ("auditor"));

  g_assert_true (procura_permissions_is_own_organization ("agency", "91110000MA01ABCD2X", "91110000MA01ABCD2X"));
  g_assert_false (procura_permissions_is_own_organization ("agency", "91110000MA01ABCD2X", "52110000MJ0000001X"));
  g_assert_false (procura_permissions_is_own_organization ("agency", NULL, NULL));
  g_assert_true (procura_permissions_is_own_organization ("officer", NULL, "52110000MJ0000001X"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/permissions/every-role-entity-operation", test_every_role_entity_operation);
  g_test_add_func ("/permissions/fields", test_fields);
  g_test_add_func ("/permissions/reports", test_reports);
  g_test_add_func ("/permissions/places", test_places);

  return g_test_run ();
}
