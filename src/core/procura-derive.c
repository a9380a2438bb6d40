/* procura-derive.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "procura-derive.h"
#include "procura-workflow.h"

gboolean
procura_project_is_closed (const ProcuraProjectBundle *bundle)
{
  return procura_workflow_is_final (PROCURA_ENTITY_PROJECT,
                                    procura_record_get_string (bundle->project, "status"));
}

gboolean
procura_milestone_is_overdue (const ProcuraRecord *milestone,
                              const char          *as_of)
{
  const char *due = procura_record_get_string (milestone, "due_date");

  return due != NULL && as_of != NULL &&
         strcmp (due, as_of) < 0 &&
         g_strcmp0 (procura_record_get_string (milestone, "status"), "accepted") != 0;
}

gint64
procura_project_amended_value (const ProcuraProjectBundle *bundle)
{
  gint64 total = procura_record_get_int (bundle->project, "value", 0);

  for (guint i = 0; i < bundle->amendments->len; i++)
    total += procura_record_get_int (g_ptr_array_index (bundle->amendments, i), "value_delta", 0);

  return total;
}

gint64
procura_project_paid (const ProcuraProjectBundle *bundle)
{
  gint64 paid = 0;

  for (guint i = 0; i < bundle->payments->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (bundle->payments, i);

      if (g_strcmp0 (procura_record_get_string (p, "status"), "paid") == 0)
        paid += procura_record_get_int (p, "paid_amount", 0);
    }

  return paid;
}

gint64
procura_project_balance (const ProcuraProjectBundle *bundle)
{
  return procura_project_amended_value (bundle) - procura_project_paid (bundle);
}

guint
procura_project_progress (const ProcuraProjectBundle *bundle)
{
  guint accepted = 0;

  if (bundle->milestones->len == 0)
    return 0;

  for (guint i = 0; i < bundle->milestones->len; i++)
    if (g_strcmp0 (procura_record_get_string (g_ptr_array_index (bundle->milestones, i), "status"), "accepted") == 0)
      accepted++;

  return accepted * 1000 / bundle->milestones->len;
}

guint
procura_project_count_overdue (const ProcuraProjectBundle *bundle,
                               const char                 *as_of)
{
  guint n = 0;

  /* a closed project has nothing left due */
  if (procura_project_is_closed (bundle))
    return 0;

  for (guint i = 0; i < bundle->milestones->len; i++)
    if (procura_milestone_is_overdue (g_ptr_array_index (bundle->milestones, i), as_of))
      n++;

  return n;
}

static gboolean
has_children (const ProcuraProjectBundle *bundle,
              const char                 *criterion_id)
{
  for (guint i = 0; i < bundle->criteria->len; i++)
    if (g_strcmp0 (procura_record_get_string (g_ptr_array_index (bundle->criteria, i), "parent_id"),
                   criterion_id) == 0)
      return TRUE;

  return FALSE;
}

gint64
procura_evaluation_total (const ProcuraProjectBundle *bundle,
                          const char                 *evaluation_id)
{
  gint64 total = 0;
  guint n = 0;

  for (guint i = 0; i < bundle->criteria->len; i++)
    {
      ProcuraRecord *c = g_ptr_array_index (bundle->criteria, i);

      if (g_strcmp0 (procura_record_get_string (c, "evaluation_id"), evaluation_id) != 0 ||
          has_children (bundle, procura_record_get_id (c)))
        continue;

      if (!procura_record_has (c, "score"))
        return -1;
      total += procura_record_get_int (c, "score", 0);
      n++;
    }

  return n > 0 ? total : -1;
}

ProcuraGradeScheme *
procura_project_grade_scheme (const ProcuraProjectBundle *bundle)
{
  ProcuraGradeScheme *scheme = NULL;

  if (bundle->grade_scheme != NULL)
    scheme = procura_grade_scheme_parse (procura_record_get_string (bundle->grade_scheme, "bands"), NULL);
  if (scheme == NULL)
    scheme = procura_grade_scheme_parse (PROCURA_GRADE_SCHEME_DEFAULT, NULL);

  return scheme;
}

char *
procura_evaluation_grade (const ProcuraProjectBundle *bundle,
                          const char                 *evaluation_id)
{
  g_autoptr(ProcuraGradeScheme) scheme = NULL;
  gint64 total = procura_evaluation_total (bundle, evaluation_id);

  if (total < 0)
    return NULL;

  scheme = procura_project_grade_scheme (bundle);
  return g_strdup (procura_grade_scheme_grade (scheme, total));
}
