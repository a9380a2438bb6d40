/* procura-account-dialog.c — logging in to a sync server, and the account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "procura-account-dialog.h"
#include "procura-sync.h"
#include "procura-sync-button.h"
#include "procura-window.h"

struct _ProcuraAccountDialog
{
  AdwWindow            parent_instance;

  ProcuraApplication  *application;
  ProcuraSyncAgent    *agent;
  GCancellable        *cancellable;
  ProcuraAccount      *pending;     /* logged in, waiting for the question's answer */
  AdwMessageDialog    *question;
  gboolean             busy;
  char                *login_description;  /* the form's, before a session ended */

  GtkStack            *stack;
  AdwPreferencesGroup *login_group;
  AdwEntryRow         *server_row;
  AdwEntryRow         *username_row;
  AdwPasswordEntryRow *password_row;
  GtkLabel            *login_error;
  GtkSpinner          *login_spinner;
  AdwActionRow        *server_value_row;
  AdwActionRow        *user_value_row;
  AdwActionRow        *role_value_row;
  AdwActionRow        *organization_value_row;
  AdwActionRow        *status_row;
  GtkImage            *status_icon;
  AdwActionRow        *conflicts_row;
};

G_DEFINE_FINAL_TYPE (ProcuraAccountDialog, procura_account_dialog, ADW_TYPE_WINDOW)

static void
set_busy (ProcuraAccountDialog *self,
          gboolean              busy)
{
  self->busy = busy;
  gtk_widget_set_visible (GTK_WIDGET (self->login_spinner), busy);
  gtk_spinner_set_spinning (self->login_spinner, busy);
  /* not insensitive: that would take the focus from the entry typed in */
  gtk_editable_set_editable (GTK_EDITABLE (self->server_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->username_row), !busy);
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.log-in", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "account.log-out", !busy);
}

static void
show_error (ProcuraAccountDialog *self,
            const char           *message)
{
  gtk_label_set_label (self->login_error, message);
  gtk_widget_set_visible (GTK_WIDGET (self->login_error), message != NULL);
}

static void
update (ProcuraAccountDialog *self)
{
  ProcuraSyncStatus status = procura_sync_agent_get_status (self->agent);
  const char *organization = procura_sync_agent_get_organization (self->agent);
  const char *icon = NULL;
  g_autofree char *label = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *last = NULL;
  g_autofree char *subtitle = NULL;
  guint n_conflicts = procura_sync_agent_get_n_conflicts (self->agent);

  if (status == PROCURA_SYNC_STATUS_LOCAL || status == PROCURA_SYNC_STATUS_NEEDS_LOGIN ||
      self->pending != NULL)
    {
      if (!self->busy)
        gtk_stack_set_visible_child_name (self->stack, "login");
      if (status == PROCURA_SYNC_STATUS_NEEDS_LOGIN && self->pending == NULL)
        adw_preferences_group_set_description (self->login_group,
                                               _("The session has ended. Enter the password again to go on "
                                                 "syncing; changes made here are kept until then."));
      else
        adw_preferences_group_set_description (self->login_group, self->login_description);
      return;
    }

  gtk_stack_set_visible_child_name (self->stack, "account");
  adw_action_row_set_subtitle (self->server_value_row, procura_sync_agent_get_server (self->agent));
  adw_action_row_set_subtitle (self->user_value_row, procura_sync_agent_get_username (self->agent));
  adw_action_row_set_subtitle (self->role_value_row,
                               procura_sync_role_display_name (procura_sync_agent_get_role (self->agent)));
  {
    /* the organization by its name, once the ledger holds it; the credit
     * code alone says little to the person it belongs to */
    ProcuraStore *store = organization != NULL ? procura_application_get_store (self->application, NULL) : NULL;
    g_autoptr(GPtrArray) found = store != NULL ? procura_store_list (store, PROCURA_ENTITY_ORGANIZATION, "uscc",
                                                                     organization, NULL)
                                               : NULL;
    const char *name = found != NULL && found->len > 0 ? procura_record_get_string (g_ptr_array_index (found, 0), "name")
                                                       : NULL;
    /* Translators: an organization's name and its credit code */
    g_autofree char *shown = name != NULL ? g_strdup_printf (_("%s (%s)"), name, organization) : g_strdup (organization);

    adw_action_row_set_subtitle (self->organization_value_row, shown);
  }
  gtk_widget_set_visible (GTK_WIDGET (self->organization_value_row), organization != NULL);

  label = procura_sync_status_dup_label (self->agent, &icon);
  detail = procura_sync_status_dup_detail (self->agent);
  last = procura_sync_status_dup_last_synced (self->agent);
  subtitle = last != NULL ? g_strconcat (detail, "\n", last, NULL) : g_strdup (detail);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), label);
  adw_action_row_set_subtitle (self->status_row, subtitle);
  gtk_image_set_from_icon_name (self->status_icon, icon);
  gtk_widget_set_visible (GTK_WIDGET (self->conflicts_row), n_conflicts > 0);
  {
    g_autofree char *n = g_strdup_printf (ngettext ("%u waits for your decision", "%u wait for your decision",
                                                    n_conflicts), n_conflicts);
    adw_action_row_set_subtitle (self->conflicts_row, n);
  }
}

/* A login error people can act on */
static char *
login_error_message (const GError *error)
{
  if (g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAUTHORIZED))
    return g_strdup (_("The user name or the password is wrong."));
  if (g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_UNAVAILABLE))
    return g_strdup_printf (_("The server cannot be reached: check the address and the network.\n%s"),
                            error->message);
  if (g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_NOT_SUPPORTED) ||
      g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_PROTOCOL))
    return g_strdup_printf (_("This address does not answer like a Procura sync server.\n%s"),
                            error->message);
  if (g_error_matches (error, PROCURA_SYNC_ERROR, PROCURA_SYNC_ERROR_FORBIDDEN))
    return g_strdup_printf (_("The server refused this account: it may be disabled or locked; "
                              "ask the administrator.\n%s"), error->message);

  return g_strdup (error->message);
}

static void
begin_session (ProcuraAccountDialog *self)
{
  g_autoptr(ProcuraAccount) account = g_steal_pointer (&self->pending);
  g_autoptr(GError) error = NULL;

  if (!procura_sync_agent_begin_session (self->agent, account, &error))
    {
      g_autofree char *message = g_strdup_printf (_("Could not keep the session: %s"), error->message);

      show_error (self, message);
      procura_sync_agent_discard_login_async (self->agent, account, NULL, NULL);
    }
  else
    {
      show_error (self, NULL);
      gtk_editable_set_text (GTK_EDITABLE (self->password_row), "");
    }
  update (self);
}

static void
discard_login (ProcuraAccountDialog *self)
{
  g_autoptr(ProcuraAccount) account = g_steal_pointer (&self->pending);

  if (account != NULL)
    procura_sync_agent_discard_login_async (self->agent, account, NULL, NULL);
  update (self);
}

static void
question_response_cb (ProcuraAccountDialog *self,
                      const char           *response,
                      AdwMessageDialog     *question)
{
  self->question = NULL;

  if (g_strcmp0 (response, "send") == 0)
    begin_session (self);
  else if (g_strcmp0 (response, "empty") == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *moved_to = NULL;

      if (!procura_application_start_empty_ledger (self->application, &moved_to, &error))
        {
          g_autofree char *message = g_strdup_printf (_("Could not start an empty ledger: %s"), error->message);

          show_error (self, message);
          discard_login (self);
          return;
        }
      /* nothing is lost quietly: say where the old ledger went */
      if (PROCURA_IS_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (self))))
        {
          /* toast titles are markup in libadwaita 1.2 */
          g_autofree char *path = g_markup_escape_text (moved_to, -1);
          g_autofree char *title = g_strdup_printf (_("The ledger of this computer was kept as “%s”"), path);
          AdwToast *toast = adw_toast_new (title);

          adw_toast_set_timeout (toast, 0);
          procura_window_add_toast (PROCURA_WINDOW (gtk_window_get_transient_for (GTK_WINDOW (self))), toast);
        }
      begin_session (self);
    }
  else
    discard_login (self);
}

/* What to do with the ledger on this computer before the session starts:
 * start an empty one, or (officers over their own records) send them. */
static void
present_question (ProcuraAccountDialog *self,
                  const char           *heading,
                  const char           *body,
                  gboolean              may_send)
{
  AdwMessageDialog *question;

  question = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, body));
  adw_message_dialog_add_response (question, "cancel", _("_Cancel"));
  adw_message_dialog_add_response (question, "empty", _("Start _Empty Ledger"));
  if (may_send)
    {
      adw_message_dialog_add_response (question, "send", _("_Send Records"));
      adw_message_dialog_set_response_appearance (question, "send", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (question, "send");
    }
  else
    {
      adw_message_dialog_set_response_appearance (question, "empty", ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (question, "empty");
    }
  adw_message_dialog_set_close_response (question, "cancel");
  g_signal_connect_object (question, "response", G_CALLBACK (question_response_cb), self, G_CONNECT_SWAPPED);

  self->question = question;
  gtk_window_present (GTK_WINDOW (question));
}

/* A first login onto records made on this computer: an officer may send
 * them; the other roles cannot write them, so this account starts on an
 * empty ledger and the records are kept aside. Nothing is lost quietly. */
static void
ask_about_local_records (ProcuraAccountDialog *self,
                         guint                 n_records)
{
  const char *role = self->pending->role;
  gboolean may_send = g_strcmp0 (role, "officer") == 0;
  g_autofree char *body = NULL;

  if (may_send)
    body = g_strdup_printf (ngettext ("This computer holds %u change that was never sent to a server. "
                                      "It can be sent to %s now, under your name. Or this account can "
                                      "start with the server’s ledger, and the present database is "
                                      "kept aside in the data folder.",
                                      "This computer holds %u changes that were never sent to a server. "
                                      "They can be sent to %s now, under your name. Or this account can "
                                      "start with the server’s ledger, and the present database is "
                                      "kept aside in the data folder.", n_records),
                            n_records, self->pending->server);
  else
    body = g_strdup_printf (ngettext ("This computer holds %u change that was never sent to a server. "
                                      "An account with the role “%s” cannot send it. To use this account, Procura starts "
                                      "an empty ledger that fills from the server; the present database "
                                      "is kept aside in the data folder, nothing is deleted.",
                                      "This computer holds %u changes that were never sent to a server. "
                                      "An account with the role “%s” cannot send them. To use this account, Procura starts "
                                      "an empty ledger that fills from the server; the present database "
                                      "is kept aside in the data folder, nothing is deleted.", n_records),
                            n_records, procura_sync_role_display_name (role));

  present_question (self, _("Records Made on This Computer"), body, may_send);
}

/* The ledger here was filled as someone else: it may hold what this
 * account must not see, so the account starts an empty one. */
static void
ask_about_other_account (ProcuraAccountDialog *self)
{
  g_autofree char *body = NULL;

  body = g_strdup_printf (_("The ledger on this computer was filled from a server under another account. "
                            "It may hold records %s may not see, so Procura starts an empty ledger that "
                            "fills from the server; the present database is kept aside in the data folder, "
                            "nothing is deleted."),
                          self->pending->username);
  present_question (self, _("A Ledger of Another Account"), body, FALSE);
}

static void
login_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(ProcuraAccountDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  ProcuraAccount *account;
  guint n_local;

  account = procura_sync_agent_login_finish (PROCURA_SYNC_AGENT (source), result, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  /* closed just as the answer came: that session is not wanted */
  if (self->agent == NULL)
    {
      if (account != NULL)
        procura_sync_agent_discard_login_async (PROCURA_SYNC_AGENT (source), account, NULL, NULL);
      g_clear_pointer (&account, procura_account_free);
      return;
    }
  set_busy (self, FALSE);

  if (account == NULL)
    {
      g_autofree char *message = login_error_message (error);

      show_error (self, message);
      gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
      return;
    }

  show_error (self, NULL);
  g_clear_pointer (&self->pending, procura_account_free);
  self->pending = account;

  n_local = procura_sync_agent_count_local_records (self->agent, account);
  if (procura_sync_agent_holds_other_account (self->agent, account))
    ask_about_other_account (self);
  else if (n_local > 0)
    ask_about_local_records (self, n_local);
  else
    begin_session (self);
}

static void
log_in_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ProcuraAccountDialog *self = PROCURA_ACCOUNT_DIALOG (widget);
  g_autofree char *server = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  g_autofree char *username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));

  if (self->busy)
    return;

  show_error (self, NULL);
  set_busy (self, TRUE);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  procura_sync_agent_login_async (self->agent, server, username,
                                  gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                  self->cancellable, login_cb, g_object_ref (self));
}

static void
logout_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(ProcuraAccountDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = procura_sync_agent_logout_finish (PROCURA_SYNC_AGENT (source), result, &error);

  /* closed while the server was asked: nothing left to show it in */
  if (self->agent == NULL)
    return;

  set_busy (self, FALSE);
  if (!ok)
    show_error (self, error->message);
  update (self);
}

static void
log_out_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  ProcuraAccountDialog *self = PROCURA_ACCOUNT_DIALOG (widget);

  if (self->busy)
    return;

  /* the last account is the likeliest next one */
  gtk_editable_set_text (GTK_EDITABLE (self->server_row),
                         procura_sync_agent_get_server (self->agent) != NULL
                         ? procura_sync_agent_get_server (self->agent) : "");
  gtk_editable_set_text (GTK_EDITABLE (self->username_row),
                         procura_sync_agent_get_username (self->agent) != NULL
                         ? procura_sync_agent_get_username (self->agent) : "");
  set_busy (self, TRUE);
  procura_sync_agent_logout_async (self->agent, logout_cb, g_object_ref (self));
}

static void
entry_activated_cb (ProcuraAccountDialog *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "account.log-in", NULL);
}

const char *
procura_account_dialog_get_page (ProcuraAccountDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_ACCOUNT_DIALOG (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

gboolean
procura_account_dialog_get_busy (ProcuraAccountDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_ACCOUNT_DIALOG (self), FALSE);

  return self->busy;
}

const char *
procura_account_dialog_get_error (ProcuraAccountDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_ACCOUNT_DIALOG (self), NULL);

  return gtk_widget_get_visible (GTK_WIDGET (self->login_error)) ? gtk_label_get_label (self->login_error) : NULL;
}

AdwMessageDialog *
procura_account_dialog_get_question (ProcuraAccountDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_ACCOUNT_DIALOG (self), NULL);

  return self->question;
}

static void
procura_account_dialog_dispose (GObject *object)
{
  ProcuraAccountDialog *self = (ProcuraAccountDialog *)object;

  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  /* closed while the question was open: that session is not wanted */
  if (self->pending != NULL && self->agent != NULL)
    procura_sync_agent_discard_login_async (self->agent, self->pending, NULL, NULL);
  g_clear_pointer (&self->pending, procura_account_free);
  if (self->agent != NULL)
    g_signal_handlers_disconnect_by_data (self->agent, self);
  g_clear_object (&self->agent);
  g_clear_object (&self->application);
  g_clear_pointer (&self->login_description, g_free);
  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_ACCOUNT_DIALOG);

  G_OBJECT_CLASS (procura_account_dialog_parent_class)->dispose (object);
}

static void
procura_account_dialog_class_init (ProcuraAccountDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = procura_account_dialog_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/procura/Procura/ui/procura-account-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, login_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, login_error);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, login_spinner);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, server_value_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, user_value_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, role_value_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, organization_value_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, status_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, status_icon);
  gtk_widget_class_bind_template_child (widget_class, ProcuraAccountDialog, conflicts_row);

  gtk_widget_class_install_action (widget_class, "account.log-in", NULL, log_in_action);
  gtk_widget_class_install_action (widget_class, "account.log-out", NULL, log_out_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
procura_account_dialog_init (ProcuraAccountDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->login_description = g_strdup (adw_preferences_group_get_description (self->login_group));

  g_signal_connect_object (self->server_row, "entry-activated", G_CALLBACK (entry_activated_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->username_row, "entry-activated", G_CALLBACK (entry_activated_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->password_row, "entry-activated", G_CALLBACK (entry_activated_cb),
                           self, G_CONNECT_SWAPPED);
}

GtkWidget *
procura_account_dialog_new (ProcuraApplication *application,
                            GtkWindow          *parent)
{
  ProcuraAccountDialog *self;

  g_return_val_if_fail (PROCURA_IS_APPLICATION (application), NULL);

  self = g_object_new (PROCURA_TYPE_ACCOUNT_DIALOG,
                       "transient-for", parent,
                       "application", application,
                       NULL);
  self->application = g_object_ref (application);
  self->agent = procura_application_get_sync_agent (application);
  if (self->agent != NULL)
    {
      g_object_ref (self->agent);
      g_signal_connect_object (self->agent, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
      if (procura_sync_agent_get_server (self->agent) != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->server_row), procura_sync_agent_get_server (self->agent));
      if (procura_sync_agent_get_username (self->agent) != NULL)
        gtk_editable_set_text (GTK_EDITABLE (self->username_row), procura_sync_agent_get_username (self->agent));
      update (self);
    }
  else
    gtk_widget_set_sensitive (GTK_WIDGET (self->stack), FALSE);

  return GTK_WIDGET (self);
}
