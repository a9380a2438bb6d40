/* procura-conflicts-window.h — sync conflicts, both values, and the choice
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "procura-application.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_CONFLICTS_WINDOW (procura_conflicts_window_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraConflictsWindow, procura_conflicts_window, PROCURA, CONFLICTS_WINDOW, AdwWindow)

GtkWidget *procura_conflicts_window_new       (ProcuraApplication     *application,
                                               GtkWindow              *parent);
/* Reads the open conflicts again. */
void       procura_conflicts_window_reload    (ProcuraConflictsWindow *self);
/* The conflicts shown (ProcuraConflict, owned by the window). */
GPtrArray *procura_conflicts_window_get_conflicts (ProcuraConflictsWindow *self);
/* The group showing the conflict with this id, or NULL. */
GtkWidget *procura_conflicts_window_get_group (ProcuraConflictsWindow *self,
                                               gint64                  id);

G_END_DECLS
