/* procura-sync-button.c — the header bar's sync status and its popover
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>

#include "procura-date.h"
#include "procura-sync-button.h"

struct _ProcuraSyncButton
{
  GtkWidget         parent_instance;

  ProcuraSyncAgent *agent;

  GtkMenuButton    *menu_button;
  GtkImage         *icon;
  GtkLabel         *label;
  GtkLabel         *title_label;
  GtkLabel         *detail_label;
  GtkLabel         *last_synced_label;
  GtkWidget        *sync_button;
  GtkWidget        *conflicts_button;
};

G_DEFINE_FINAL_TYPE (ProcuraSyncButton, procura_sync_button, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_AGENT,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

char *
procura_sync_status_dup_label (ProcuraSyncAgent  *agent,
                               const char       **out_icon_name)
{
  ProcuraSyncStatus status = agent != NULL ? procura_sync_agent_get_status (agent) : PROCURA_SYNC_STATUS_LOCAL;
  guint n_conflicts = agent != NULL ? procura_sync_agent_get_n_conflicts (agent) : 0;
  guint n_pending = agent != NULL ? procura_sync_agent_get_n_pending (agent) : 0;
  const char *icon = "computer-symbolic";
  char *label;

  /* a conflict waits for a person: it outranks everything but a run */
  if (status == PROCURA_SYNC_STATUS_SYNCING)
    {
      icon = "emblem-synchronizing-symbolic";
      label = g_strdup (_("Syncing…"));
    }
  else if (status != PROCURA_SYNC_STATUS_LOCAL && n_conflicts > 0)
    {
      icon = "dialog-warning-symbolic";
      /* Translators: the sync status in the header bar */
      label = g_strdup_printf (ngettext ("%u Conflict", "%u Conflicts", n_conflicts), n_conflicts);
    }
  else
    switch (status)
      {
      case PROCURA_SYNC_STATUS_SYNCED:
        if (n_pending > 0)
          {
            icon = "document-send-symbolic";
            /* Translators: the sync status in the header bar: changes not yet sent */
            label = g_strdup_printf (ngettext ("%u to Send", "%u to Send", n_pending), n_pending);
          }
        else
          {
            icon = "emblem-ok-symbolic";
            label = g_strdup (_("Synced"));
          }
        break;
      case PROCURA_SYNC_STATUS_OFFLINE:
        icon = "network-offline-symbolic";
        label = g_strdup (_("Offline"));
        break;
      case PROCURA_SYNC_STATUS_NEEDS_LOGIN:
        icon = "dialog-password-symbolic";
        label = g_strdup (_("Log In Again"));
        break;
      case PROCURA_SYNC_STATUS_FAILED:
        icon = "dialog-warning-symbolic";
        label = g_strdup (_("Sync Failed"));
        break;
      case PROCURA_SYNC_STATUS_LOCAL:
      case PROCURA_SYNC_STATUS_SYNCING:
      default:
        icon = "computer-symbolic";
        /* Translators: the sync status of a ledger without a server account */
        label = g_strdup (_("This Computer Only"));
        break;
      }

  if (out_icon_name != NULL)
    *out_icon_name = icon;

  return label;
}

char *
procura_sync_status_dup_detail (ProcuraSyncAgent *agent)
{
  ProcuraSyncStatus status = agent != NULL ? procura_sync_agent_get_status (agent) : PROCURA_SYNC_STATUS_LOCAL;
  guint n_conflicts = agent != NULL ? procura_sync_agent_get_n_conflicts (agent) : 0;
  guint n_pending = agent != NULL ? procura_sync_agent_get_n_pending (agent) : 0;
  const char *error = agent != NULL ? procura_sync_agent_get_last_error (agent) : NULL;
  g_autoptr(GString) text = g_string_new (NULL);

  switch (status)
    {
    case PROCURA_SYNC_STATUS_LOCAL:
      g_string_append (text, _("This ledger is kept on this computer only. Log in to a sync server "
                               "to share it with colleagues and work offline."));
      break;
    case PROCURA_SYNC_STATUS_SYNCING:
      /* an auditor's or an administrator's app sends nothing */
      if (g_strcmp0 (procura_sync_agent_get_role (agent), "auditor") == 0 ||
          g_strcmp0 (procura_sync_agent_get_role (agent), "admin") == 0)
        g_string_append (text, _("Fetching the changes made by others."));
      else
        g_string_append (text, _("Sending changes made here and fetching others’."));
      break;
    case PROCURA_SYNC_STATUS_SYNCED:
      g_string_append_printf (text, _("Up to date with %s."), procura_sync_agent_get_server (agent));
      break;
    case PROCURA_SYNC_STATUS_OFFLINE:
      g_string_append (text, _("The server cannot be reached. Work goes on here and is sent when "
                               "the server can be reached again."));
      break;
    case PROCURA_SYNC_STATUS_NEEDS_LOGIN:
      g_string_append (text, _("The session has ended. Enter the password again to go on syncing; "
                               "changes made here are kept until then."));
      break;
    case PROCURA_SYNC_STATUS_FAILED:
    default:
      g_string_append (text, _("The last sync did not go through."));
      break;
    }

  if (status != PROCURA_SYNC_STATUS_LOCAL && n_pending > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, ngettext ("%u change waits to be sent.",
                                              "%u changes wait to be sent.", n_pending), n_pending);
    }
  if (n_conflicts > 0)
    {
      g_string_append_c (text, ' ');
      g_string_append_printf (text, ngettext ("%u conflict waits for your decision.",
                                              "%u conflicts wait for your decision.", n_conflicts), n_conflicts);
    }
  if (error != NULL && status != PROCURA_SYNC_STATUS_SYNCED && status != PROCURA_SYNC_STATUS_SYNCING)
    {
      g_string_append (text, "\n");
      g_string_append (text, error);
    }

  return g_string_free (g_steal_pointer (&text), FALSE);
}

char *
procura_sync_status_dup_last_synced (ProcuraSyncAgent *agent)
{
  GDateTime *last = agent != NULL ? procura_sync_agent_get_last_synced (agent) : NULL;
  g_autofree char *iso = NULL;
  g_autofree char *shown = NULL;

  if (last == NULL)
    return NULL;

  iso = g_date_time_format (last, "%Y-%m-%dT%H:%M:%SZ");
  shown = procura_timestamp_format_display (iso);
  /* Translators: %s is a date and time */
  return g_strdup_printf (_("Last synced %s"), shown);
}

static void
update (ProcuraSyncButton *self)
{
  g_autofree char *label = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *last = NULL;
  const char *icon = NULL;
  ProcuraSyncStatus status;

  label = procura_sync_status_dup_label (self->agent, &icon);
  detail = procura_sync_status_dup_detail (self->agent);
  last = procura_sync_status_dup_last_synced (self->agent);
  status = self->agent != NULL ? procura_sync_agent_get_status (self->agent) : PROCURA_SYNC_STATUS_LOCAL;

  gtk_image_set_from_icon_name (self->icon, icon);
  gtk_label_set_label (self->label, label);
  gtk_label_set_label (self->title_label, label);
  gtk_label_set_label (self->detail_label, detail);
  gtk_label_set_label (self->last_synced_label, last);
  gtk_widget_set_visible (GTK_WIDGET (self->last_synced_label), last != NULL);
  gtk_widget_set_visible (self->sync_button,
                          status != PROCURA_SYNC_STATUS_LOCAL && status != PROCURA_SYNC_STATUS_NEEDS_LOGIN);
  gtk_widget_set_visible (self->conflicts_button,
                          self->agent != NULL && procura_sync_agent_get_n_conflicts (self->agent) > 0);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->menu_button), detail);

  /* a state that needs a person stands out */
  if (status == PROCURA_SYNC_STATUS_NEEDS_LOGIN || status == PROCURA_SYNC_STATUS_FAILED ||
      (self->agent != NULL && procura_sync_agent_get_n_conflicts (self->agent) > 0))
    gtk_widget_add_css_class (GTK_WIDGET (self->menu_button), "warning");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->menu_button), "warning");
}

ProcuraSyncAgent *
procura_sync_button_get_agent (ProcuraSyncButton *self)
{
  g_return_val_if_fail (PROCURA_IS_SYNC_BUTTON (self), NULL);

  return self->agent;
}

void
procura_sync_button_set_agent (ProcuraSyncButton *self,
                               ProcuraSyncAgent  *agent)
{
  g_return_if_fail (PROCURA_IS_SYNC_BUTTON (self));
  g_return_if_fail (agent == NULL || PROCURA_IS_SYNC_AGENT (agent));

  if (self->agent == agent)
    return;

  if (self->agent != NULL)
    g_signal_handlers_disconnect_by_data (self->agent, self);
  g_set_object (&self->agent, agent);
  if (agent != NULL)
    g_signal_connect_object (agent, "notify", G_CALLBACK (update), self, G_CONNECT_SWAPPED);
  update (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_AGENT]);
}

const char *
procura_sync_button_get_label (ProcuraSyncButton *self)
{
  g_return_val_if_fail (PROCURA_IS_SYNC_BUTTON (self), NULL);

  return gtk_label_get_label (self->label);
}

const char *
procura_sync_button_get_detail (ProcuraSyncButton *self)
{
  g_return_val_if_fail (PROCURA_IS_SYNC_BUTTON (self), NULL);

  return gtk_label_get_label (self->detail_label);
}

static void
procura_sync_button_dispose (GObject *object)
{
  ProcuraSyncButton *self = (ProcuraSyncButton *)object;

  if (self->agent != NULL)
    g_signal_handlers_disconnect_by_data (self->agent, self);
  g_clear_object (&self->agent);
  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_SYNC_BUTTON);

  G_OBJECT_CLASS (procura_sync_button_parent_class)->dispose (object);
}

static void
procura_sync_button_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  ProcuraSyncButton *self = PROCURA_SYNC_BUTTON (object);

  switch (prop_id)
    {
    case PROP_AGENT:
      g_value_set_object (value, self->agent);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_sync_button_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  ProcuraSyncButton *self = PROCURA_SYNC_BUTTON (object);

  switch (prop_id)
    {
    case PROP_AGENT:
      procura_sync_button_set_agent (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* The popover stays open over the window an item opens otherwise. */
static void
popover_button_clicked_cb (ProcuraSyncButton *self)
{
  gtk_menu_button_popdown (self->menu_button);
}

static void
procura_sync_button_class_init (ProcuraSyncButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = procura_sync_button_dispose;
  object_class->get_property = procura_sync_button_get_property;
  object_class->set_property = procura_sync_button_set_property;

  properties [PROP_AGENT] =
    g_param_spec_object ("agent", NULL, NULL,
                         PROCURA_TYPE_SYNC_AGENT,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/procura/Procura/ui/procura-sync-button.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraSyncButton, menu_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraSyncButton, icon);
  gtk_widget_class_bind_template_child (widget_class, ProcuraSyncButton, label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraSyncButton, title_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraSyncButton, detail_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraSyncButton, last_synced_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraSyncButton, sync_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraSyncButton, conflicts_button);
  gtk_widget_class_bind_template_callback (widget_class, popover_button_clicked_cb);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
procura_sync_button_init (ProcuraSyncButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  update (self);
}
