/* procura-reminders.c
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

#define G_LOG_DOMAIN "procura-reminders"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "procura-date.h"
#include "procura-reminders.h"
#include "procura-schema.h"
#include "procura-store-private.h"
#include "procura-workflow.h"

#define CHECK_INTERVAL_SECONDS (60 * 60)
#define FIRST_CHECK_DELAY_SECONDS 3
#define STATE_GROUP "Notified"

struct _ProcuraReminders
{
  GObject                  parent_instance;

  GApplication            *application;  /* weak */
  ProcuraStore            *store;
  guint                    lead_days;

  ProcuraReminderSendFunc  send_func;
  gpointer                 send_data;
  GDestroyNotify           send_destroy;

  GCancellable            *cancellable;
  guint                    timeout_id;
  gboolean                 checking;
};

G_DEFINE_FINAL_TYPE (ProcuraReminders, procura_reminders, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_STORE,
  PROP_LEAD_DAYS,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* ---- the query ----------------------------------------------------------- */

void
procura_reminder_free (ProcuraReminder *reminder)
{
  if (reminder == NULL)
    return;

  g_free (reminder->milestone_id);
  g_free (reminder->milestone_title);
  g_free (reminder->due_date);
  g_free (reminder->project_id);
  g_free (reminder->project_code);
  g_free (reminder->project_title);
  g_free (reminder);
}

/* Open projects first, then their milestones not yet accepted that fall
 * due by the limit, through the (project_id, status, due_date) index:
 * quicker than walking every milestone ever due. */
static const char reminders_sql[] =
  "SELECT m.id, m.title, m.due_date, p.id, p.code, p.title, p.status "
  "FROM project p CROSS JOIN milestone m "
  "  ON m.project_id = p.id AND m.deleted = 0 AND m.status <> 'accepted' AND m.due_date <= ?1 "
  "WHERE p.deleted = 0 "
  "ORDER BY m.due_date, p.code, m.id";

static char *
dup_column (sqlite3_stmt *stmt,
            int           col)
{
  const unsigned char *text = sqlite3_column_text (stmt, col);

  return text != NULL ? g_strdup ((const char *) text) : NULL;
}

GPtrArray *
procura_reminders_query (ProcuraStore  *store,
                         const char    *today,
                         guint          lead_days,
                         GError       **error)
{
  g_autoptr(GPtrArray) reminders = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_reminder_free);
  g_autofree char *limit = NULL;
  sqlite3_stmt *stmt;
  int rc;

  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);
  g_return_val_if_fail (today != NULL, NULL);

  limit = procura_date_add_days (today, (int) MIN (lead_days, 3650));

  if (!(stmt = _procura_store_prepare (store, reminders_sql, error)))
    return NULL;

  sqlite3_bind_text (stmt, 1, limit, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *status = (const char *) sqlite3_column_text (stmt, 6);
      ProcuraReminder *reminder;

      /* completed, terminated or cancelled projects have nothing due */
      if (status == NULL || procura_workflow_is_final (PROCURA_ENTITY_PROJECT, status))
        continue;

      reminder = g_new0 (ProcuraReminder, 1);
      reminder->milestone_id = dup_column (stmt, 0);
      reminder->milestone_title = dup_column (stmt, 1);
      reminder->due_date = dup_column (stmt, 2);
      reminder->project_id = dup_column (stmt, 3);
      reminder->project_code = dup_column (stmt, 4);
      reminder->project_title = dup_column (stmt, 5);
      reminder->days_left = procura_date_diff_days (today, reminder->due_date);
      g_ptr_array_add (reminders, reminder);
    }
  sqlite3_reset (stmt);

  if (rc != SQLITE_DONE)
    {
      _procura_store_set_sqlite_error (store, error, _("finding milestones to remind of"));
      return NULL;
    }

  return g_steal_pointer (&reminders);
}

/* ---- the state file ---------------------------------------------------------- */

static char *
state_path (ProcuraReminders *self)
{
  return g_build_filename (procura_store_get_data_dir (self->store), PROCURA_REMINDERS_STATE_FILE, NULL);
}

/* The milestones notified today, as a set of ids. */
static GHashTable *
load_notified (ProcuraReminders *self,
               const char       *today)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autoptr(GHashTable) notified = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *path = state_path (self);
  g_autofree char *date = NULL;
  g_auto(GStrv) ids = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_key_file_load_from_file (key_file, path, G_KEY_FILE_NONE, &error))
    {
      if (!g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_debug ("Could not read %s: %s", path, error->message);
      return g_steal_pointer (&notified);
    }

  /* a new day: everything may be reminded of again */
  date = g_key_file_get_string (key_file, STATE_GROUP, "Date", NULL);
  if (g_strcmp0 (date, today) != 0)
    return g_steal_pointer (&notified);

  ids = g_key_file_get_string_list (key_file, STATE_GROUP, "Milestones", NULL, NULL);
  for (guint i = 0; ids != NULL && ids[i] != NULL; i++)
    g_hash_table_add (notified, g_strdup (ids[i]));

  return g_steal_pointer (&notified);
}

static int
compare_ids (gconstpointer a,
             gconstpointer b,
             gpointer      user_data)
{
  return strcmp (*(const char * const *)a, *(const char * const *)b);
}

static void
save_notified (ProcuraReminders *self,
               const char       *today,
               GHashTable       *notified)
{
  g_autoptr(GKeyFile) key_file = g_key_file_new ();
  g_autofree char *path = state_path (self);
  g_autofree gpointer *ids = NULL;
  g_autoptr(GError) error = NULL;
  guint n_ids;

  ids = g_hash_table_get_keys_as_array (notified, &n_ids);
  g_qsort_with_data (ids, n_ids, sizeof (gpointer), compare_ids, NULL);

  g_key_file_set_string (key_file, STATE_GROUP, "Date", today);
  g_key_file_set_string_list (key_file, STATE_GROUP, "Milestones",
                              (const char * const *) ids, n_ids);

  if (!g_key_file_save_to_file (key_file, path, &error))
    g_warning ("Could not keep which reminders were sent in %s: %s", path, error->message);
}

/* ---- notifications -------------------------------------------------------------- */

static GNotification *
new_notification (const ProcuraReminder *reminder)
{
  g_autofree char *due = procura_date_format_display (reminder->due_date);
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  GNotification *notification;

  if (reminder->days_left < 0)
    /* Translators: a desktop notification's title; %s is the milestone */
    title = g_strdup_printf (_("Overdue: %s"), reminder->milestone_title);
  else
    /* Translators: a desktop notification's title; %s is the milestone */
    title = g_strdup_printf (_("Due soon: %s"), reminder->milestone_title);

  if (reminder->days_left < 0)
    /* Translators: a notification's text: project number and name, the
     * due date, and how many days it is overdue */
    body = g_strdup_printf (ngettext ("%s %s\nDue %s, %d day overdue",
                                      "%s %s\nDue %s, %d days overdue",
                                      -reminder->days_left),
                            reminder->project_code, reminder->project_title, due, -reminder->days_left);
  else if (reminder->days_left == 0)
    /* Translators: a notification's text: project number and name, due date */
    body = g_strdup_printf (_("%s %s\nDue today, %s"),
                            reminder->project_code, reminder->project_title, due);
  else
    /* Translators: a notification's text: project number and name, the
     * due date, and in how many days it is due */
    body = g_strdup_printf (ngettext ("%s %s\nDue %s, in %d day",
                                      "%s %s\nDue %s, in %d days",
                                      reminder->days_left),
                            reminder->project_code, reminder->project_title, due, reminder->days_left);

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_priority (notification,
                               reminder->days_left < 0 ? G_NOTIFICATION_PRIORITY_HIGH
                                                       : G_NOTIFICATION_PRIORITY_NORMAL);
  /* notifications can only name the application's actions */
  g_notification_set_default_action_and_target (notification, "app.open-project",
                                                "s", reminder->project_id);
  g_notification_add_button_with_target (notification, _("Open Project"),
                                         "app.open-project", "s", reminder->project_id);

  return notification;
}

static GNotification *
new_summary_notification (guint n_more,
                          guint n_overdue)
{
  g_autofree char *title = NULL;
  g_autofree char *body = NULL;
  GNotification *notification;

  /* Translators: a desktop notification's title after the first few
   * reminders */
  title = g_strdup_printf (ngettext ("%u more milestone due or overdue",
                                     "%u more milestones due or overdue",
                                     n_more),
                           n_more);
  /* Translators: a notification's text */
  body = g_strdup_printf (ngettext ("%u of them is overdue. The dashboard lists them all.",
                                    "%u of them are overdue. The dashboard lists them all.",
                                    n_overdue),
                          n_overdue);

  notification = g_notification_new (title);
  g_notification_set_body (notification, body);
  g_notification_set_default_action_and_target (notification, "app.show-place", "s", "dashboard");

  return notification;
}

static void
send_notification (ProcuraReminders *self,
                   const char       *id,
                   GNotification    *notification)
{
  if (self->send_func != NULL)
    self->send_func (self, id, notification, self->send_data);
  else if (self->application != NULL && g_application_get_is_registered (self->application))
    g_application_send_notification (self->application, id, notification);
  else
    g_debug ("No application to send reminder %s", id);
}

/* Sends what was not sent today. Returns the number of milestones
 * notified. */
static guint
send_reminders (ProcuraReminders *self,
                const char       *today,
                GPtrArray        *reminders)
{
  g_autoptr(GHashTable) notified = load_notified (self, today);
  guint n_sent = 0;
  guint n_more = 0;
  guint n_more_overdue = 0;

  for (guint i = 0; i < reminders->len; i++)
    {
      ProcuraReminder *reminder = g_ptr_array_index (reminders, i);

      if (g_hash_table_contains (notified, reminder->milestone_id))
        continue;

      if (n_sent < PROCURA_REMINDERS_MAX_SINGLE)
        {
          g_autoptr(GNotification) notification = new_notification (reminder);
          g_autofree char *id = g_strconcat ("milestone-", reminder->milestone_id, NULL);

          send_notification (self, id, notification);
        }
      else
        {
          n_more++;
          n_more_overdue += reminder->days_left < 0;
        }

      n_sent++;
      g_hash_table_add (notified, g_strdup (reminder->milestone_id));
    }

  if (n_more > 0)
    {
      g_autoptr(GNotification) notification = new_summary_notification (n_more, n_more_overdue);

      send_notification (self, "reminders-summary", notification);
    }

  if (n_sent > 0)
    save_notified (self, today, notified);

  g_debug ("%u of %u reminders sent", n_sent, reminders->len);

  return n_sent;
}

/* ---- checking in the background ---------------------------------------------------- */

typedef struct
{
  char  *data_dir;
  char  *today;
  guint  lead_days;
} CheckRequest;

static void
check_request_free (gpointer data)
{
  CheckRequest *request = data;

  g_free (request->data_dir);
  g_free (request->today);
  g_free (request);
}

static void
check_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CheckRequest *request = task_data;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *reminders;

  /* a store is not shared between threads: a connection of our own */
  if (!(store = procura_store_open (request->data_dir, &error)) ||
      !(reminders = procura_reminders_query (store, request->today, request->lead_days, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_pointer (task, reminders, (GDestroyNotify) g_ptr_array_unref);
}

void
procura_reminders_check_async (ProcuraReminders    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  CheckRequest *request;

  g_return_if_fail (PROCURA_IS_REMINDERS (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, procura_reminders_check_async);

  if (self->store == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                               "%s", _("No data folder is open."));
      return;
    }

  request = g_new0 (CheckRequest, 1);
  request->data_dir = g_strdup (procura_store_get_data_dir (self->store));
  request->today = procura_store_dup_today (self->store);
  request->lead_days = self->lead_days;
  g_task_set_task_data (task, request, check_request_free);
  g_task_run_in_thread (task, check_thread);
}

int
procura_reminders_check_finish (ProcuraReminders  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_autoptr(GPtrArray) reminders = NULL;
  CheckRequest *request;

  g_return_val_if_fail (PROCURA_IS_REMINDERS (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  if (!(reminders = g_task_propagate_pointer (G_TASK (result), error)))
    return -1;

  /* the store may have changed while the thread ran */
  request = g_task_get_task_data (G_TASK (result));
  if (self->store == NULL ||
      g_strcmp0 (request->data_dir, procura_store_get_data_dir (self->store)) != 0)
    return 0;

  return send_reminders (self, request->today, reminders);
}

int
procura_reminders_check (ProcuraReminders  *self,
                         GError           **error)
{
  g_autoptr(GPtrArray) reminders = NULL;
  g_autofree char *today = NULL;

  g_return_val_if_fail (PROCURA_IS_REMINDERS (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  if (self->store == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("No data folder is open."));
      return -1;
    }

  today = procura_store_dup_today (self->store);
  if (!(reminders = procura_reminders_query (self->store, today, self->lead_days, error)))
    return -1;

  return send_reminders (self, today, reminders);
}

static void
check_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ProcuraReminders *self = PROCURA_REMINDERS (object);
  g_autoptr(GError) error = NULL;

  self->checking = FALSE;

  if (procura_reminders_check_finish (self, result, &error) < 0 &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Could not check for due milestones: %s", error->message);
}

static void
start_check (ProcuraReminders *self)
{
  if (self->checking)
    return;

  self->checking = TRUE;
  procura_reminders_check_async (self, self->cancellable, check_cb, NULL);
}

static gboolean
check_timeout_cb (gpointer user_data)
{
  start_check (user_data);

  return G_SOURCE_CONTINUE;
}

static gboolean
first_check_cb (gpointer user_data)
{
  ProcuraReminders *self = user_data;

  /* after the first check, once an hour */
  self->timeout_id = g_timeout_add_seconds (CHECK_INTERVAL_SECONDS, check_timeout_cb, self);
  start_check (self);

  return G_SOURCE_REMOVE;
}

void
procura_reminders_start (ProcuraReminders *self)
{
  g_return_if_fail (PROCURA_IS_REMINDERS (self));

  procura_reminders_stop (self);

  self->cancellable = g_cancellable_new ();
  /* not during start-up: the window comes first */
  self->timeout_id = g_timeout_add_seconds (FIRST_CHECK_DELAY_SECONDS, first_check_cb, self);
}

void
procura_reminders_stop (ProcuraReminders *self)
{
  g_return_if_fail (PROCURA_IS_REMINDERS (self));

  g_clear_handle_id (&self->timeout_id, g_source_remove);
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
}

/* ---- GObject ------------------------------------------------------------------------ */

static void
procura_reminders_dispose (GObject *object)
{
  ProcuraReminders *self = (ProcuraReminders *)object;

  procura_reminders_stop (self);
  g_clear_weak_pointer (&self->application);
  g_clear_object (&self->store);

  if (self->send_destroy != NULL)
    self->send_destroy (self->send_data);
  self->send_func = NULL;
  self->send_data = NULL;
  self->send_destroy = NULL;

  G_OBJECT_CLASS (procura_reminders_parent_class)->dispose (object);
}

static void
procura_reminders_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  ProcuraReminders *self = PROCURA_REMINDERS (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_LEAD_DAYS:
      g_value_set_uint (value, self->lead_days);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_reminders_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  ProcuraReminders *self = PROCURA_REMINDERS (object);

  switch (prop_id)
    {
    case PROP_STORE:
      procura_reminders_set_store (self, g_value_get_object (value));
      break;

    case PROP_LEAD_DAYS:
      procura_reminders_set_lead_days (self, g_value_get_uint (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_reminders_class_init (ProcuraRemindersClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = procura_reminders_dispose;
  object_class->get_property = procura_reminders_get_property;
  object_class->set_property = procura_reminders_set_property;

  /**
   * ProcuraReminders:store:
   *
   * The store whose milestones are reminded of; its data directory keeps
   * which were notified.
   */
  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PROCURA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraReminders:lead-days:
   *
   * How many days before its due date a milestone is reminded of.
   */
  properties [PROP_LEAD_DAYS] =
    g_param_spec_uint ("lead-days", NULL, NULL,
                       0, 365, 7,
                       (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
procura_reminders_init (ProcuraReminders *self)
{
  self->lead_days = 7;
}

ProcuraReminders *
procura_reminders_new (GApplication *application,
                       ProcuraStore *store)
{
  ProcuraReminders *self;

  g_return_val_if_fail (application == NULL || G_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (store == NULL || PROCURA_IS_STORE (store), NULL);

  self = g_object_new (PROCURA_TYPE_REMINDERS,
                       "store", store,
                       NULL);
  g_set_weak_pointer (&self->application, application);

  return self;
}

void
procura_reminders_set_send_func (ProcuraReminders        *self,
                                 ProcuraReminderSendFunc  func,
                                 gpointer                 user_data,
                                 GDestroyNotify           destroy)
{
  g_return_if_fail (PROCURA_IS_REMINDERS (self));

  if (self->send_destroy != NULL)
    self->send_destroy (self->send_data);

  self->send_func = func;
  self->send_data = user_data;
  self->send_destroy = destroy;
}

ProcuraStore *
procura_reminders_get_store (ProcuraReminders *self)
{
  g_return_val_if_fail (PROCURA_IS_REMINDERS (self), NULL);

  return self->store;
}

void
procura_reminders_set_store (ProcuraReminders *self,
                             ProcuraStore     *store)
{
  g_return_if_fail (PROCURA_IS_REMINDERS (self));
  g_return_if_fail (store == NULL || PROCURA_IS_STORE (store));

  if (g_set_object (&self->store, store))
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);
}

guint
procura_reminders_get_lead_days (ProcuraReminders *self)
{
  g_return_val_if_fail (PROCURA_IS_REMINDERS (self), 0);

  return self->lead_days;
}

void
procura_reminders_set_lead_days (ProcuraReminders *self,
                                 guint             lead_days)
{
  g_return_if_fail (PROCURA_IS_REMINDERS (self));

  lead_days = MIN (lead_days, 365);

  if (self->lead_days == lead_days)
    return;

  self->lead_days = lead_days;
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_LEAD_DAYS]);
}
