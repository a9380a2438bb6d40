/* procura-application.c
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

#define G_LOG_DOMAIN "procura-application"

#include "config.h"

#include <glib/gi18n.h>

#include <errno.h>
#include <glib/gstdio.h>

#include "procura-account-dialog.h"
#include "procura-application.h"
#include "procura-audit-window.h"
#include "procura-blobs.h"
#include "procura-conflicts-window.h"
#include "procura-paths.h"
#include "procura-preferences-window.h"
#include "procura-reminders.h"
#include "procura-window.h"

struct _ProcuraApplication
{
  AdwApplication  parent_instance;

  char             *data_dir;
  ProcuraStore     *store;
  GSettings        *settings;   /* NULL without the compiled schema */
  ProcuraReminders *reminders;
  char             *role;          /* NULL: no server account */
  char             *organization;  /* agency accounts: their organization's USCC */
  ProcuraSyncAgent *sync_agent;    /* with the store */
  gboolean          replacing_store; /* the database is being moved aside */
};

G_DEFINE_FINAL_TYPE (ProcuraApplication, procura_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_ROLE,
  PROP_ORGANIZATION,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* The application's settings, or NULL when the schema is not installed
 * (an uninstalled run without GSETTINGS_SCHEMA_DIR). */
static GSettings *
dup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL ||
      !(schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)) ||
      !g_settings_schema_has_key (schema, "data-dir") ||
      !g_settings_schema_has_key (schema, "reminder-lead-days") ||
      !g_settings_schema_has_key (schema, "author-name"))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

/* The data-dir setting, or NULL when unset or without a schema. */
static char *
dup_data_dir_setting (void)
{
  g_autoptr(GSettings) settings = dup_settings ();
  g_autofree char *value = NULL;

  if (settings == NULL)
    return NULL;

  value = g_settings_get_string (settings, "data-dir");

  return value[0] != '\0' ? g_steal_pointer (&value) : NULL;
}

static char *
resolve_data_dir (void)
{
  g_autofree char *setting = NULL;
  const char *env = g_getenv (PROCURA_DATA_DIR_ENV);

  /* $PROCURA_DATA_DIR wins over the setting; procura_paths_*() apply the
   * environment and the XDG default. */
  if (env == NULL || env[0] == '\0')
    setting = dup_data_dir_setting ();

  return procura_paths_resolve_data_dir (setting);
}

static void
procura_application_quit_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  ProcuraApplication *self = user_data;
  GList *windows;

  g_assert (PROCURA_IS_APPLICATION (self));

  /* Close rather than destroy so that windows save their state; the
   * application quits when the last one is gone. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (const GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));
  g_list_free (windows);
}

static void
procura_application_about_action (GSimpleAction *action,
                                  GVariant      *parameter,
                                  gpointer       user_data)
{
  const char *developers[] = { _("The Procura authors"), NULL };
  ProcuraApplication *self = user_data;
  GtkWindow *about;

  g_assert (PROCURA_IS_APPLICATION (self));

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", gtk_application_get_active_window (GTK_APPLICATION (self)),
                        "modal", TRUE,
                        "application-icon", APP_ID,
                        /* the Chinese name is 购买服务项目台账 */
                        "application-name", _("Procura"),
                        "comments", _("Keep the ledger of government-purchased social services: "
                                      "contracts, milestones, payments, evaluations and their audit trail."),
                        "developer-name", _("The Procura authors"),
                        "developers", developers,
                        "version", PACKAGE_VERSION,
                        "copyright", _("© 2026 The Procura authors"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        /* Translators: put your names here, one per line. */
                        "translator-credits", _("translator-credits"),
                        "release-notes-version", "0.1.0",
                        "release-notes", _("<p>The first release of Procura.</p>"
                                           "<ul>"
                                           "<li>A dashboard of what is due this week, overdue and awaiting review</li>"
                                           "<li>The project ledger with filters by year, street, status, category and agency, and instant search</li>"
                                           "<li>Project pages with milestones, reports, payments, evaluations and their history</li>"
                                           "<li>Organizations with validated unified social credit codes</li>"
                                           "<li>Desktop reminders of due and overdue milestones</li>"
                                           "</ul>"),
                        NULL);

  gtk_window_present (about);
}

static void
procura_application_preferences_action (GSimpleAction *action,
                                        GVariant      *parameter,
                                        gpointer       user_data)
{
  ProcuraApplication *self = user_data;
  GtkWidget *preferences;

  g_assert (PROCURA_IS_APPLICATION (self));

  preferences = procura_preferences_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                procura_application_get_data_dir (self));
  gtk_window_present (GTK_WINDOW (preferences));
}

/* The window to show something in: the active one, or a new one. */
static GtkWindow *
ensure_window (ProcuraApplication *self)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (self));

  if (!PROCURA_IS_WINDOW (window))
    window = GTK_WINDOW (procura_window_new (self));

  gtk_window_present (window);

  return window;
}

/* From a notification: notifications can only name application actions. */
static void
procura_application_open_project_action (GSimpleAction *action,
                                         GVariant      *parameter,
                                         gpointer       user_data)
{
  ProcuraApplication *self = user_data;

  g_assert (PROCURA_IS_APPLICATION (self));

  procura_window_open_project (PROCURA_WINDOW (ensure_window (self)),
                               g_variant_get_string (parameter, NULL));
}

static void
procura_application_show_place_action (GSimpleAction *action,
                                       GVariant      *parameter,
                                       gpointer       user_data)
{
  ProcuraApplication *self = user_data;

  g_assert (PROCURA_IS_APPLICATION (self));

  procura_window_set_place (PROCURA_WINDOW (ensure_window (self)),
                            g_variant_get_string (parameter, NULL));
}

static void
procura_application_account_action (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data)
{
  ProcuraApplication *self = user_data;
  GtkWidget *dialog;

  g_assert (PROCURA_IS_APPLICATION (self));

  dialog = procura_account_dialog_new (self, gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
procura_application_sync_action (GSimpleAction *action,
                                 GVariant      *parameter,
                                 gpointer       user_data)
{
  ProcuraApplication *self = user_data;
  ProcuraSyncAgent *agent = procura_application_get_sync_agent (self);
  ProcuraSyncStatus status;

  g_assert (PROCURA_IS_APPLICATION (self));

  if (agent == NULL)
    return;

  /* without a session a sync needs the account page first */
  status = procura_sync_agent_get_status (agent);
  if (status == PROCURA_SYNC_STATUS_LOCAL || status == PROCURA_SYNC_STATUS_NEEDS_LOGIN)
    procura_application_account_action (NULL, NULL, self);
  else
    procura_sync_agent_sync_now (agent);
}

static void
procura_application_conflicts_action (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  ProcuraApplication *self = user_data;
  GtkWidget *window;

  g_assert (PROCURA_IS_APPLICATION (self));

  window = procura_conflicts_window_new (self, gtk_application_get_active_window (GTK_APPLICATION (self)));
  gtk_window_present (GTK_WINDOW (window));
}

static void
procura_application_audit_log_action (GSimpleAction *action,
                                      GVariant      *parameter,
                                      gpointer       user_data)
{
  ProcuraApplication *self = user_data;
  GtkWidget *window;

  g_assert (PROCURA_IS_APPLICATION (self));

  window = GTK_WIDGET (procura_audit_window_new (gtk_application_get_active_window (GTK_APPLICATION (self)),
                                                 procura_application_get_data_dir (self)));
  gtk_window_present (GTK_WINDOW (window));
}

/* The audit log is the server's, for the roles that may read all of it. */
static void
update_role_actions (ProcuraApplication *self)
{
  GAction *action = g_action_map_lookup_action (G_ACTION_MAP (self), "audit-log");

  if (action != NULL)
    g_simple_action_set_enabled (G_SIMPLE_ACTION (action), procura_audit_window_is_available (self->role));
}

static const GActionEntry app_actions[] = {
  { "account", procura_application_account_action },
  { "sync", procura_application_sync_action },
  { "conflicts", procura_application_conflicts_action },
  { "audit-log", procura_application_audit_log_action },
  { "quit", procura_application_quit_action },
  { "about", procura_application_about_action },
  { "preferences", procura_application_preferences_action },
  { "open-project", procura_application_open_project_action, "s" },
  { "show-place", procura_application_show_place_action, "s" },
};

static int
procura_application_handle_local_options (GApplication *application,
                                          GVariantDict *options)
{
  ProcuraApplication *self = (ProcuraApplication *)application;
  g_autofree char *data_dir = NULL;

  g_assert (PROCURA_IS_APPLICATION (self));

  if (g_variant_dict_lookup (options, "data-dir", "^ay", &data_dir) && data_dir[0] != '\0')
    {
      g_autofree char *absolute = g_canonicalize_filename (data_dir, NULL);

      procura_application_set_data_dir (self, absolute);

      /* A window on another data directory is another instance: do not
       * hand the command line to one already running elsewhere. */
      g_application_set_flags (application,
                               g_application_get_flags (application) | G_APPLICATION_NON_UNIQUE);
    }

  /* carry on with the default processing */
  return -1;
}

/* The author of this app's writes: the name set in the preferences, else
 * the store's default (the login name). */
static void
apply_author_name (ProcuraApplication *self)
{
  g_autofree char *name = NULL;

  if (self->store == NULL || self->settings == NULL)
    return;

  name = g_strstrip (g_settings_get_string (self->settings, "author-name"));
  if (name[0] != '\0')
    procura_store_set_actor (self->store, name);
  else
    procura_store_set_actor (self->store, g_get_user_name ());
}

/* Attachments opened with other applications are copied out of the blob
 * store (procura_blobs_copy_out()); a day later no viewer needs them. */
#define OPENED_COPIES_MAX_AGE (24 * 60 * 60)

static void
prune_opened_copies_thread (GTask        *task,
                            gpointer      source_object,
                            gpointer      task_data,
                            GCancellable *cancellable)
{
  g_autofree char *copies = procura_paths_opened_copies_dir ();
  guint removed = procura_blobs_prune_copies (copies, OPENED_COPIES_MAX_AGE);

  if (removed > 0)
    g_debug ("Removed %u copies of opened attachments from %s", removed, copies);
  g_task_return_boolean (task, TRUE);
}

/* GTK 4.8 sizes a wrapping tooltip label to a near-square block, which
 * for Chinese text (a line may break after any character) means two or
 * three characters a line. A minimum width keeps tooltips readable; only
 * for the CJK languages, where the problem exists. */
static void
install_cjk_tooltip_style (void)
{
  const char * const *languages = g_get_language_names ();
  g_autoptr(GtkCssProvider) provider = NULL;
  GdkDisplay *display = gdk_display_get_default ();

  if (display == NULL || languages[0] == NULL ||
      !(g_str_has_prefix (languages[0], "zh") || g_str_has_prefix (languages[0], "ja") ||
        g_str_has_prefix (languages[0], "ko")))
    return;

  provider = gtk_css_provider_new ();
  gtk_css_provider_load_from_data (provider, "tooltip label { min-width: 8em; }", -1);
  gtk_style_context_add_provider_for_display (display, GTK_STYLE_PROVIDER (provider),
                                              GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
}

static void
clear_sync_agent (ProcuraApplication *self)
{
  if (self->sync_agent == NULL)
    return;

  procura_sync_agent_stop (self->sync_agent);
  g_signal_handlers_disconnect_by_data (self->sync_agent, self);
  g_clear_object (&self->sync_agent);
}

static void
procura_application_startup (GApplication *application)
{
  static const struct
  {
    const char *action;
    const char *accels[3];
  } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.search", { "<Control>f", NULL } },
    { "win.reload", { "F5", "<Control>r", NULL } },
    { "win.import", { "<Control>i", NULL } },
    { "win.print", { "<Control>p", NULL } },
    { "win.new-project", { "<Control>n", NULL } },
    { "win.new-organization", { "<Control><Shift>n", NULL } },
    { "win.go-back", { "<Alt>Left", NULL } },
    { "win.place::dashboard", { "<Alt>1", NULL } },
    { "win.place::ledger", { "<Alt>2", NULL } },
    { "win.place::organizations", { "<Alt>3", NULL } },
  };
  ProcuraApplication *self = (ProcuraApplication *)application;

  g_assert (PROCURA_IS_APPLICATION (self));

  G_APPLICATION_CLASS (procura_application_parent_class)->startup (application);

  g_action_map_add_action_entries (G_ACTION_MAP (self),
                                   app_actions,
                                   G_N_ELEMENTS (app_actions),
                                   self);
  update_role_actions (self);

  /* The window binds its own shortcuts too; registering them here makes
   * menus show them. */
  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (GTK_APPLICATION (self), accels[i].action, accels[i].accels);

  self->settings = dup_settings ();
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::author-name",
                             G_CALLBACK (apply_author_name), self, G_CONNECT_SWAPPED);
  install_cjk_tooltip_style ();

  {
    g_autoptr(GTask) task = g_task_new (self, NULL, NULL, NULL);

    g_task_set_source_tag (task, prune_opened_copies_thread);
    g_task_run_in_thread (task, prune_opened_copies_thread);
  }
}

/* Reminders of due and overdue milestones, from the first window on. */
static void
start_reminders (ProcuraApplication *self)
{
  ProcuraStore *store;

  g_assert (PROCURA_IS_APPLICATION (self));

  if (self->reminders != NULL || !(store = procura_application_get_store (self, NULL)))
    return;

  self->reminders = procura_reminders_new (G_APPLICATION (self), store);
  if (self->settings != NULL)
    g_settings_bind (self->settings, "reminder-lead-days",
                     self->reminders, "lead-days",
                     G_SETTINGS_BIND_GET);
  procura_reminders_start (self->reminders);
}

static void
procura_application_activate (GApplication *application)
{
  ProcuraApplication *self = (ProcuraApplication *)application;

  g_assert (PROCURA_IS_APPLICATION (self));

  /* the account's role before the first window: it shapes the window */
  procura_application_get_sync_agent (self);
  ensure_window (self);
  start_reminders (self);
}

static void
procura_application_shutdown (GApplication *application)
{
  ProcuraApplication *self = (ProcuraApplication *)application;

  g_assert (PROCURA_IS_APPLICATION (self));

  if (self->reminders != NULL)
    procura_reminders_stop (self->reminders);
  g_clear_object (&self->reminders);
  clear_sync_agent (self);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_APPLICATION_CLASS (procura_application_parent_class)->shutdown (application);
}

static void
procura_application_dispose (GObject *object)
{
  ProcuraApplication *self = (ProcuraApplication *)object;

  clear_sync_agent (self);
  g_clear_object (&self->reminders);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (procura_application_parent_class)->dispose (object);
}

static void
procura_application_finalize (GObject *object)
{
  ProcuraApplication *self = (ProcuraApplication *)object;

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->role, g_free);
  g_clear_pointer (&self->organization, g_free);

  G_OBJECT_CLASS (procura_application_parent_class)->finalize (object);
}

static void
procura_application_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ProcuraApplication *self = PROCURA_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, procura_application_get_data_dir (self));
      break;

    case PROP_ROLE:
      g_value_set_string (value, self->role);
      break;

    case PROP_ORGANIZATION:
      g_value_set_string (value, self->organization);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_application_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ProcuraApplication *self = PROCURA_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      procura_application_set_data_dir (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_application_class_init (ProcuraApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = procura_application_dispose;
  object_class->finalize = procura_application_finalize;
  object_class->get_property = procura_application_get_property;
  object_class->set_property = procura_application_set_property;

  app_class->handle_local_options = procura_application_handle_local_options;
  app_class->startup = procura_application_startup;
  app_class->activate = procura_application_activate;
  app_class->shutdown = procura_application_shutdown;

  /**
   * ProcuraApplication:data-dir:
   *
   * The directory holding the store. Reading it resolves the default
   * when nothing was set; setting it (NULL: the default again) closes a
   * store opened from the previous directory.
   */
  properties [PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraApplication:role:
   *
   * The role of the server account this data directory syncs as
   * ("admin", "officer", "agency" or "auditor"), or %NULL without one:
   * a local ledger, where the user has an officer's powers. The window
   * shows and hides actions by it; the server enforces it.
   */
  properties [PROP_ROLE] =
    g_param_spec_string ("role", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraApplication:organization:
   *
   * For an agency account, its organization's 统一社会信用代码 (USCC);
   * else %NULL.
   */
  properties [PROP_ORGANIZATION] =
    g_param_spec_string ("organization", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
procura_application_init (ProcuraApplication *self)
{
  g_application_add_main_option (G_APPLICATION (self),
                                 "data-dir", 0,
                                 G_OPTION_FLAG_NONE,
                                 G_OPTION_ARG_FILENAME,
                                 _("Keep the database and attachments in DIR"),
                                 /* Translators: the argument of --data-dir */
                                 _("DIR"));
}

ProcuraApplication *
procura_application_new (void)
{
  return g_object_new (PROCURA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", RESOURCE_BASE,
                       NULL);
}

const char *
procura_application_get_data_dir (ProcuraApplication *self)
{
  g_return_val_if_fail (PROCURA_IS_APPLICATION (self), NULL);

  if (self->data_dir == NULL)
    self->data_dir = resolve_data_dir ();

  return self->data_dir;
}

void
procura_application_set_data_dir (ProcuraApplication *self,
                                  const char         *data_dir)
{
  g_return_if_fail (PROCURA_IS_APPLICATION (self));

  if (data_dir != NULL && data_dir[0] == '\0')
    data_dir = NULL;

  if (g_strcmp0 (data_dir, self->data_dir) == 0)
    return;

  g_free (self->data_dir);
  self->data_dir = g_strdup (data_dir);
  clear_sync_agent (self);
  g_clear_object (&self->store);
  if (self->reminders != NULL)
    procura_reminders_set_store (self->reminders, NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_DATA_DIR]);
}

ProcuraStore *
procura_application_get_store (ProcuraApplication  *self,
                               GError             **error)
{
  g_return_val_if_fail (PROCURA_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->store == NULL && self->replacing_store)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("The ledger is being replaced; it opens again in a moment."));
      return NULL;
    }

  if (self->store == NULL)
    {
      self->store = procura_store_open (procura_application_get_data_dir (self), error);

      if (self->store != NULL)
        apply_author_name (self);
      if (self->store != NULL && self->reminders != NULL)
        procura_reminders_set_store (self->reminders, self->store);
    }

  return self->store;
}

const char *
procura_application_get_role (ProcuraApplication *self)
{
  g_return_val_if_fail (PROCURA_IS_APPLICATION (self), NULL);

  return self->role;
}

const char *
procura_application_get_organization (ProcuraApplication *self)
{
  g_return_val_if_fail (PROCURA_IS_APPLICATION (self), NULL);

  return self->organization;
}

void
procura_application_set_account_role (ProcuraApplication *self,
                                      const char         *role,
                                      const char         *organization)
{
  g_return_if_fail (PROCURA_IS_APPLICATION (self));

  g_object_freeze_notify (G_OBJECT (self));
  if (g_strcmp0 (role, self->role) != 0)
    {
      g_free (self->role);
      self->role = g_strdup (role);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ROLE]);
      update_role_actions (self);
    }
  if (g_strcmp0 (organization, self->organization) != 0)
    {
      g_free (self->organization);
      self->organization = g_strdup (organization);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ORGANIZATION]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/* The account's role decides what the windows offer (procura_application_get_role()). */
static void
sync_agent_identity_cb (ProcuraApplication *self,
                        GParamSpec         *pspec,
                        ProcuraSyncAgent   *agent)
{
  procura_application_set_account_role (self,
                                        procura_sync_agent_get_role (agent),
                                        procura_sync_agent_get_organization (agent));
}

ProcuraSyncAgent *
procura_application_get_sync_agent (ProcuraApplication *self)
{
  ProcuraStore *store;

  g_return_val_if_fail (PROCURA_IS_APPLICATION (self), NULL);

  if (self->sync_agent == NULL && (store = procura_application_get_store (self, NULL)))
    {
      self->sync_agent = procura_sync_agent_new (store);
      g_signal_connect_object (self->sync_agent, "notify::role",
                               G_CALLBACK (sync_agent_identity_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->sync_agent, "notify::organization",
                               G_CALLBACK (sync_agent_identity_cb), self, G_CONNECT_SWAPPED);
      procura_sync_agent_start (self->sync_agent);
      sync_agent_identity_cb (self, NULL, self->sync_agent);
    }

  return self->sync_agent;
}

/* Runs the main loop until check() holds, for at most timeout_ms. */
static gboolean
wait_until (gboolean (*check) (gpointer),
            gpointer   data,
            guint      timeout_ms)
{
  gint64 end = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  while (!check (data) && g_get_monotonic_time () < end)
    {
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (10 * 1000);
    }

  return check (data);
}

static gboolean
agent_idle (gpointer data)
{
  return !procura_sync_agent_get_running (data);
}

static gboolean
store_gone (gpointer data)
{
  g_autoptr(ProcuraStore) store = g_weak_ref_get (data);

  return store == NULL;
}

static gboolean
wal_gone (gpointer data)
{
  g_autofree char *wal = g_strconcat (data, "-wal", NULL);

  return !g_file_test (wal, G_FILE_TEST_EXISTS);
}

static void
set_windows_store (ProcuraApplication *self,
                   ProcuraStore       *store)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (PROCURA_IS_WINDOW (l->data))
      {
        if (store == NULL)
          procura_window_release_store (PROCURA_WINDOW (l->data));
        else
          procura_window_set_store (PROCURA_WINDOW (l->data), store);
      }
}

gboolean
procura_application_start_empty_ledger (ProcuraApplication  *self,
                                        char               **out_moved_to,
                                        GError             **error)
{
  const char *data_dir;
  g_autofree char *db = NULL;
  g_autofree char *stamp = NULL;
  g_autofree char *aside = NULL;
  g_autoptr(GDateTime) now = NULL;
  g_autoptr(GError) local_error = NULL;
  GWeakRef old_ref;
  ProcuraStore *store;

  g_return_val_if_fail (PROCURA_IS_APPLICATION (self), FALSE);
  g_return_val_if_fail (!self->replacing_store, FALSE);

  data_dir = procura_application_get_data_dir (self);
  db = g_build_filename (data_dir, PROCURA_STORE_DB_NAME, NULL);
  now = g_date_time_new_now_utc ();
  stamp = g_date_time_format (now, "%Y%m%dT%H%M%SZ");
  aside = g_strdup_printf ("%s%cprocura-local-%s.db", data_dir, G_DIR_SEPARATOR, stamp);
  if (g_file_test (aside, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                   _("“%s” exists already; try again in a second"), aside);
      return FALSE;
    }

  /* No connection may stay open on the old database: SQLite finds the
   * WAL files by the database's name, so a late close would take the new
   * database's. Everyone lets go of it first. */
  if (self->sync_agent != NULL)
    {
      procura_sync_agent_stop (self->sync_agent);
      if (!wait_until (agent_idle, self->sync_agent, 30000))
        {
          g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_BUSY,
                               _("A sync is still running; try again in a moment"));
          goto reopen;
        }
      procura_sync_agent_set_store (self->sync_agent, NULL);
    }

  self->replacing_store = TRUE;
  g_weak_ref_init (&old_ref, self->store);
  set_windows_store (self, NULL);
  if (self->reminders != NULL)
    procura_reminders_set_store (self->reminders, NULL);
  g_clear_object (&self->store);

  if (!wait_until (store_gone, &old_ref, 10000))
    {
      g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("The ledger is still in use; close other windows of it and try again"));
      self->replacing_store = FALSE;
      self->store = g_weak_ref_get (&old_ref);
      g_weak_ref_clear (&old_ref);
      goto reopen;
    }
  g_weak_ref_clear (&old_ref);
  /* background readers (the ledger, the dashboard) close theirs soon;
   * the last close removes the WAL. A WAL left behind (a crash) holds
   * committed data and goes along with the database. */
  if (!wait_until (wal_gone, db, 5000))
    {
      /* someone still has it open (another window, procura-cli):
       * moving it now could cost that program its data */
      g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("The ledger is still open in another program; close it and try again"));
      self->replacing_store = FALSE;
      goto reopen;
    }

  for (guint i = 0; i < 3; i++)
    {
      static const char * const suffixes[] = { "", "-wal", "-shm" };
      g_autofree char *from = g_strconcat (db, suffixes[i], NULL);
      g_autofree char *to = g_strconcat (aside, suffixes[i], NULL);

      if (g_rename (from, to) != 0 && errno != ENOENT)
        {
          int errsv = errno;

          g_set_error (&local_error, G_FILE_ERROR, g_file_error_from_errno (errsv),
                       _("Could not move “%s” to “%s”: %s"), from, to, g_strerror (errsv));
          /* put back what moved: the old ledger stays in use */
          for (guint j = 0; j < i; j++)
            {
              g_autofree char *back_from = g_strconcat (aside, suffixes[j], NULL);
              g_autofree char *back_to = g_strconcat (db, suffixes[j], NULL);

              g_rename (back_from, back_to);
            }
          self->replacing_store = FALSE;
          goto reopen;
        }
    }
  g_message ("The ledger of this computer was moved to %s", aside);
  self->replacing_store = FALSE;
  if (out_moved_to != NULL)
    *out_moved_to = g_steal_pointer (&aside);

reopen:
  {
    g_autoptr(GError) open_error = NULL;

    store = procura_application_get_store (self, &open_error);
    if (store != NULL)
      {
        set_windows_store (self, store);
        if (self->sync_agent != NULL)
          procura_sync_agent_set_store (self->sync_agent, store);
      }
    if (local_error != NULL)
      {
        /* the old ledger goes on as before */
        if (store != NULL && self->sync_agent != NULL)
          procura_sync_agent_start (self->sync_agent);
        g_propagate_error (error, g_steal_pointer (&local_error));
        return FALSE;
      }
    if (store == NULL)
      {
        g_propagate_error (error, g_steal_pointer (&open_error));
        return FALSE;
      }

    return TRUE;
  }
}
