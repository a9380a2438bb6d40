/* procura-derive.h — derived values, computed and never stored
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-grade.h"
#include "procura-query.h"

G_BEGIN_DECLS

/* Completed, terminated or cancelled: nothing of it is due any more. */
gboolean  procura_project_is_closed         (const ProcuraProjectBundle *bundle);
/* A milestone is overdue when its due date has passed (before as_of) and
 * it has not been accepted. */
gboolean  procura_milestone_is_overdue      (const ProcuraRecord  *milestone,
                                             const char           *as_of);
/* Contract value plus all amendments, fen */
gint64    procura_project_amended_value     (const ProcuraProjectBundle *bundle);
/* Sum of paid tranches, fen */
gint64    procura_project_paid              (const ProcuraProjectBundle *bundle);
/* amended value − paid */
gint64    procura_project_balance           (const ProcuraProjectBundle *bundle);
/* per mille of milestones accepted (0 when there are none) */
guint     procura_project_progress          (const ProcuraProjectBundle *bundle);
/* overdue milestones of a project still open (0 for a closed one) */
guint     procura_project_count_overdue     (const ProcuraProjectBundle *bundle,
                                             const char                 *as_of);
/* Total score of an evaluation in hundredths: the sum of its leaf
 * indicators' scores; -1 when an indicator is still unscored. */
gint64    procura_evaluation_total          (const ProcuraProjectBundle *bundle,
                                             const char                 *evaluation_id);
/* The project's grade scheme (its own, else the default). */
ProcuraGradeScheme *procura_project_grade_scheme (const ProcuraProjectBundle *bundle);
/* Grade of an evaluation under the project's scheme, NULL when unscored. */
char     *procura_evaluation_grade          (const ProcuraProjectBundle *bundle,
                                             const char                 *evaluation_id);

G_END_DECLS
