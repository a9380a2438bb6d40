/* procura-reminders.h — desktop notifications for due and overdue milestones
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

#include <gio/gio.h>

#include "procura-store.h"

G_BEGIN_DECLS

/* The file in the data directory that remembers which milestones were
 * notified on which day. */
#define PROCURA_REMINDERS_STATE_FILE "reminders.ini"

/* At most this many notifications of single milestones per check; the
 * rest are counted in one summary notification ("reminders-summary"). */
#define PROCURA_REMINDERS_MAX_SINGLE 5

/* A milestone of an open project, not yet accepted, due within the lead
 * days or overdue. */
typedef struct
{
  char *milestone_id;
  char *milestone_title;
  char *due_date;
  char *project_id;
  char *project_code;
  char *project_title;
  int   days_left;     /* due date − today; negative when overdue */
} ProcuraReminder;

void       procura_reminder_free            (ProcuraReminder *reminder);

/* Milestones to remind of as of today, most overdue first. Array of
 * ProcuraReminder*. */
GPtrArray *procura_reminders_query          (ProcuraStore    *store,
                                             const char      *today,
                                             guint            lead_days,
                                             GError         **error);

#define PROCURA_TYPE_REMINDERS (procura_reminders_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraReminders, procura_reminders, PROCURA, REMINDERS, GObject)

/* How a notification leaves: by default
 * g_application_send_notification() on the application. id is
 * "milestone-<milestone id>" or "reminders-summary". */
typedef void (*ProcuraReminderSendFunc) (ProcuraReminders *reminders,
                                         const char       *id,
                                         GNotification    *notification,
                                         gpointer          user_data);

/* Notifications name the application's actions app.open-project (s,
 * the project id) and app.show-place (s, "dashboard") as their default
 * actions. application may be NULL when a send function is set. */
ProcuraReminders *procura_reminders_new           (GApplication            *application,
                                                   ProcuraStore            *store) G_GNUC_WARN_UNUSED_RESULT;
void              procura_reminders_set_send_func (ProcuraReminders        *self,
                                                   ProcuraReminderSendFunc  func,
                                                   gpointer                 user_data,
                                                   GDestroyNotify           destroy);
ProcuraStore     *procura_reminders_get_store     (ProcuraReminders        *self);
void              procura_reminders_set_store     (ProcuraReminders        *self,
                                                   ProcuraStore            *store);
/* Days before its due date a milestone is reminded of
 * (ProcuraReminders:lead-days, the reminder-lead-days setting). */
guint             procura_reminders_get_lead_days (ProcuraReminders        *self);
void              procura_reminders_set_lead_days (ProcuraReminders        *self,
                                                   guint                    lead_days);

/* Finds the milestones to remind of and sends a notification for each
 * not yet notified today (at most once per milestone per day, kept in
 * PROCURA_REMINDERS_STATE_FILE). Returns the number of milestones
 * notified, or -1 with error set. Runs the query in the calling thread. */
int               procura_reminders_check         (ProcuraReminders        *self,
                                                   GError                 **error);
/* The same with the query in a worker thread, on a connection of its
 * own; the notifications are sent from the calling thread's context. */
void              procura_reminders_check_async   (ProcuraReminders        *self,
                                                   GCancellable            *cancellable,
                                                   GAsyncReadyCallback      callback,
                                                   gpointer                 user_data);
int               procura_reminders_check_finish  (ProcuraReminders        *self,
                                                   GAsyncResult            *result,
                                                   GError                 **error);
/* Checks shortly after the call and then once an hour, in the background,
 * until stopped. */
void              procura_reminders_start         (ProcuraReminders        *self);
void              procura_reminders_stop          (ProcuraReminders        *self);

G_END_DECLS
