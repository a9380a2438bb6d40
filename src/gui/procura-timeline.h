/* procura-timeline.h — a project's milestones drawn across its contract period
 *
 * Copyright 2025 The Procura authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PROCURA_TYPE_TIMELINE (procura_timeline_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraTimeline, procura_timeline, PROCURA, TIMELINE, GtkWidget)

/* The period spans start-date to end-date ("YYYY-MM-DD", either may be
 * NULL); it widens to take in every milestone. A marker is coloured by
 * the milestone's status (a milestone workflow code), red when overdue.
 * Clicking a marker emits ::milestone-activated with its id. */
GtkWidget  *procura_timeline_new               (void) G_GNUC_WARN_UNUSED_RESULT;
const char *procura_timeline_get_start_date    (ProcuraTimeline *self);
void        procura_timeline_set_start_date    (ProcuraTimeline *self,
                                                const char      *start_date);
const char *procura_timeline_get_end_date      (ProcuraTimeline *self);
void        procura_timeline_set_end_date      (ProcuraTimeline *self,
                                                const char      *end_date);
const char *procura_timeline_get_today         (ProcuraTimeline *self);
void        procura_timeline_set_today         (ProcuraTimeline *self,
                                                const char      *today);
void        procura_timeline_remove_all        (ProcuraTimeline *self);
void        procura_timeline_add_milestone     (ProcuraTimeline *self,
                                                const char      *id,
                                                const char      *title,
                                                const char      *due_date,
                                                const char      *date_met,
                                                const char      *status,
                                                gboolean         overdue);
guint       procura_timeline_get_n_milestones  (ProcuraTimeline *self);
/* The id of the milestone whose marker is at x, y (widget coordinates),
 * or NULL. */
const char *procura_timeline_get_milestone_at  (ProcuraTimeline *self,
                                                double           x,
                                                double           y);

G_END_DECLS
