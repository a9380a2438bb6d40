/* procura-permissions.c — what an account may do, as the UI shows it
 *
 * One table, product.md §4 row by row; the server's check_permission()
 * in src/server/procura-server-push.c is the authority and tests hold the
 * two together (tests/test-permissions.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "procura-permissions.h"

typedef enum
{
  ROLE_LOCAL,    /* no server account: officer powers on one's own ledger */
  ROLE_ADMIN,
  ROLE_OFFICER,
  ROLE_AGENCY,
  ROLE_AUDITOR,
  ROLE_UNKNOWN,
} Role;

#define C PROCURA_OP_CREATE
#define U PROCURA_OP_UPDATE
#define D PROCURA_OP_DELETE
#define ALL (C | U | D)

static const char * const org_contact[] = { "address", "contact_person", "contact_phone", "contact_email", NULL };
static const char * const actuals[] = { "actual_value", "comment", NULL };
/* What an agency does not write on a report as fields: the officer's
 * review, and the state, which moves by submitting (report.submit) — the
 * server would take draft and submitted, but a form offering the
 * workflow's other states would offer refusals. */
/* what an agency may not set on its reports: the review, the state (it
 * moves only through Submit) and who submits (always itself — the server
 * refuses another organization's name) */
static const char * const review_fields[] = { "review_comment", "reviewed_at", "state", "submitter_org_id", NULL };

/* product.md §4: admins and auditors read everything and change nothing;
 * officers change everything; agencies, on their own projects: reports and
 * their attachments, activities, consultation items and indicator actuals,
 * and their own organization's contact details. */
static const struct
{
  const char         *entity;
  guint               ops[ROLE_UNKNOWN];  /* by Role */
  const char * const *agency_fields;      /* NULL: every field */
} table[] = {
  /*                     local  admin officer agency auditor */
  { "organization",     { ALL,  0,    ALL,    U,     0 }, org_contact },
  { "grade_scheme",     { ALL,  0,    ALL,    0,     0 }, NULL },
  { "project",          { ALL,  0,    ALL,    0,     0 }, NULL },
  { "amendment",        { ALL,  0,    ALL,    0,     0 }, NULL },
  { "milestone",        { ALL,  0,    ALL,    0,     0 }, NULL },
  { "payment",          { ALL,  0,    ALL,    0,     0 }, NULL },
  { "report",           { ALL,  0,    ALL,    ALL,   0 }, NULL },
  { "attachment",       { ALL,  0,    ALL,    ALL,   0 }, NULL },
  { "evaluation",       { ALL,  0,    ALL,    0,     0 }, NULL },
  { "criterion",        { ALL,  0,    ALL,    0,     0 }, NULL },
  { "indicator",        { ALL,  0,    ALL,    0,     0 }, NULL },
  { "indicator_period", { ALL,  0,    ALL,    U,     0 }, actuals },
  { "activity",         { ALL,  0,    ALL,    ALL,   0 }, NULL },
  { "consultation",     { ALL,  0,    ALL,    ALL,   0 }, NULL },
};

#undef C
#undef U
#undef D
#undef ALL

static Role
role_of (const char *role)
{
  if (role == NULL)
    return ROLE_LOCAL;
  if (strcmp (role, "admin") == 0)
    return ROLE_ADMIN;
  if (strcmp (role, "officer") == 0)
    return ROLE_OFFICER;
  if (strcmp (role, "agency") == 0)
    return ROLE_AGENCY;
  if (strcmp (role, "auditor") == 0)
    return ROLE_AUDITOR;
  return ROLE_UNKNOWN;
}

static int
row_of (const char *entity)
{
  for (guint i = 0; entity != NULL && i < G_N_ELEMENTS (table); i++)
    if (strcmp (table[i].entity, entity) == 0)
      return (int) i;

  return -1;
}

static gboolean
in_list (const char * const *list,
         const char         *name)
{
  for (guint i = 0; list != NULL && list[i] != NULL; i++)
    if (g_strcmp0 (list[i], name) == 0)
      return TRUE;

  return FALSE;
}

gboolean
procura_permissions_may (const char       *role,
                         const char       *entity,
                         ProcuraOperation  op)
{
  Role r = role_of (role);
  int row = row_of (entity);

  if (r == ROLE_UNKNOWN || row < 0)
    return FALSE;

  return (table[row].ops[r] & op) == op && op != 0;
}

gboolean
procura_permissions_may_field (const char *role,
                               const char *entity,
                               const char *field)
{
  Role r = role_of (role);
  int row = row_of (entity);

  if (r == ROLE_UNKNOWN || row < 0 || table[row].ops[r] == 0)
    return FALSE;
  if (r != ROLE_AGENCY)
    return TRUE;
  if (table[row].agency_fields != NULL)
    return in_list (table[row].agency_fields, field);
  if (strcmp (entity, "report") == 0)
    return !in_list (review_fields, field);

  return TRUE;
}

const char * const *
procura_permissions_fields (const char *role,
                            const char *entity)
{
  int row = row_of (entity);

  if (role_of (role) != ROLE_AGENCY || row < 0)
    return NULL;

  return table[row].agency_fields;
}

gboolean
procura_permissions_may_report (const char       *role,
                                const char       *state,
                                ProcuraOperation  op)
{
  if (!procura_permissions_may (role, "report", op))
    return FALSE;
  if (role_of (role) != ROLE_AGENCY)
    return TRUE;
  if (g_strcmp0 (state, "accepted") == 0)
    return FALSE;
  if (op & PROCURA_OP_DELETE)
    return state == NULL || strcmp (state, "draft") == 0;

  return TRUE;
}

gboolean
procura_permissions_may_submit (const char *role)
{
  return procura_permissions_may (role, "report", PROCURA_OP_UPDATE);
}

gboolean
procura_permissions_may_review (const char *role)
{
  Role r = role_of (role);

  return r == ROLE_LOCAL || r == ROLE_OFFICER;
}

gboolean
procura_permissions_may_write (const char *role)
{
  Role r = role_of (role);

  return r == ROLE_LOCAL || r == ROLE_OFFICER || r == ROLE_AGENCY;
}

gboolean
procura_permissions_may_manage_projects (const char *role)
{
  return procura_permissions_may (role, "project", PROCURA_OP_CREATE);
}

gboolean
procura_permissions_may_see_audit_log (const char *role)
{
  Role r = role_of (role);

  return r == ROLE_LOCAL || r == ROLE_ADMIN || r == ROLE_OFFICER || r == ROLE_AUDITOR;
}

gboolean
procura_permissions_may_see_history (const char *role)
{
  return role_of (role) != ROLE_UNKNOWN;
}

gboolean
procura_permissions_may_manage_accounts (const char *role)
{
  return role_of (role) == ROLE_ADMIN;
}

gboolean
procura_permissions_is_own_organization (const char *role,
                                         const char *organization,
                                         const char *uscc)
{
  if (role_of (role) != ROLE_AGENCY)
    return TRUE;

  return organization != NULL && g_strcmp0 (organization, uscc) == 0;
}
