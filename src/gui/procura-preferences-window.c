/* procura-preferences-window.c
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

#define G_LOG_DOMAIN "procura-preferences"

#include "config.h"

#include <glib/gi18n.h>

#include "procura-ocds.h"
#include "procura-paths.h"
#include "procura-preferences-window.h"

struct _ProcuraPreferencesWindow
{
  AdwPreferencesWindow  parent_instance;

  GSettings            *settings;   /* NULL without the compiled schema */
  char                 *data_dir;
  GtkFileChooserNative *chooser;

  /* Template widgets */
  AdwActionRow         *data_dir_row;
  AdwActionRow         *pending_row;
  GtkWidget            *author_row;
  AdwEntryRow          *ocid_prefix_row;
  GtkLabel             *ocid_prefix_error;
  GtkWidget            *lead_days_row;
  GtkAdjustment        *lead_days_adjustment;
};

G_DEFINE_FINAL_TYPE (ProcuraPreferencesWindow, procura_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

enum {
  PROP_0,
  PROP_DATA_DIR,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

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
    {
      g_debug ("GSettings schema %s not found; preferences are not kept", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static gboolean
has_key (GSettings  *settings,
         const char *key)
{
  g_autoptr(GSettingsSchema) schema = NULL;

  g_object_get (settings, "settings-schema", &schema, NULL);

  return schema != NULL && g_settings_schema_has_key (schema, key);
}

/* The data-dir setting resolved as the application resolves it (without
 * --data-dir and $PROCURA_DATA_DIR, which win over it). */
static char *
dup_next_resolved (ProcuraPreferencesWindow *self)
{
  g_autofree char *next = procura_preferences_window_dup_next_data_dir (self);

  return procura_paths_resolve_data_dir (next);
}

static void
update_rows (ProcuraPreferencesWindow *self)
{
  g_autofree char *next = NULL;
  g_autofree char *setting = NULL;

  g_assert (PROCURA_IS_PREFERENCES_WINDOW (self));

  adw_action_row_set_subtitle (self->data_dir_row, self->data_dir != NULL ? self->data_dir : "");

  setting = procura_preferences_window_dup_next_data_dir (self);
  next = dup_next_resolved (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.choose-data-dir", self->settings != NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.reset-data-dir", setting != NULL);

  /* a folder chosen here, not yet in use */
  if (self->settings != NULL && g_strcmp0 (next, self->data_dir) != 0 && setting != NULL)
    {
      adw_action_row_set_subtitle (self->pending_row, next);
      gtk_widget_set_visible (GTK_WIDGET (self->pending_row), TRUE);
    }
  else
    {
      gtk_widget_set_visible (GTK_WIDGET (self->pending_row), FALSE);
    }
}

static void
chooser_response_cb (ProcuraPreferencesWindow *self,
                     int                       response,
                     GtkFileChooserNative     *chooser)
{
  g_assert (PROCURA_IS_PREFERENCES_WINDOW (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = folder != NULL ? g_file_get_path (folder) : NULL;

      if (path != NULL)
        procura_preferences_window_set_next_data_dir (self, path);
    }

  g_clear_object (&self->chooser);
}

static void
choose_data_dir_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *parameter)
{
  ProcuraPreferencesWindow *self = PROCURA_PREFERENCES_WINDOW (widget);
  g_autoptr(GFile) current = NULL;

  if (self->chooser != NULL)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }

  self->chooser = gtk_file_chooser_native_new (_("Choose the Data Folder"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                               _("_Select"),
                                               _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);

  if (self->data_dir != NULL && g_file_test (self->data_dir, G_FILE_TEST_IS_DIR))
    {
      current = g_file_new_for_path (self->data_dir);
      gtk_file_chooser_set_file (GTK_FILE_CHOOSER (self->chooser), current, NULL);
    }

  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
reset_data_dir_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  procura_preferences_window_set_next_data_dir (PROCURA_PREFERENCES_WINDOW (widget), NULL);
}

static void
show_ocid_prefix_error (ProcuraPreferencesWindow *self,
                        const GError             *error)
{
  gtk_widget_set_visible (GTK_WIDGET (self->ocid_prefix_error), error != NULL);
  gtk_label_set_label (self->ocid_prefix_error, error != NULL ? error->message : "");
  if (error != NULL)
    gtk_widget_add_css_class (GTK_WIDGET (self->ocid_prefix_row), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->ocid_prefix_row), "error");
}

/* Checked as typed; kept only when applied and valid. */
static void
ocid_prefix_changed_cb (ProcuraPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->ocid_prefix_row));

  procura_ocds_check_prefix (text, &error);
  show_ocid_prefix_error (self, error);
}

static void
ocid_prefix_apply_cb (ProcuraPreferencesWindow *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *old = NULL;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->ocid_prefix_row));

  if (self->settings == NULL)
    return;

  if (!procura_ocds_check_prefix (text, &error))
    {
      show_ocid_prefix_error (self, error);
      return;
    }

  old = g_settings_get_string (self->settings, "ocds-ocid-prefix");
  if (g_strcmp0 (old, text) == 0)
    return;

  g_settings_set_string (self->settings, "ocds-ocid-prefix", text);
  show_ocid_prefix_error (self, NULL);
  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                    adw_toast_new (_("Identifier prefix saved")));
}

static void
procura_preferences_window_dispose (GObject *object)
{
  ProcuraPreferencesWindow *self = (ProcuraPreferencesWindow *)object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_PREFERENCES_WINDOW);

  G_OBJECT_CLASS (procura_preferences_window_parent_class)->dispose (object);
}

static void
procura_preferences_window_finalize (GObject *object)
{
  ProcuraPreferencesWindow *self = (ProcuraPreferencesWindow *)object;

  g_clear_pointer (&self->data_dir, g_free);

  G_OBJECT_CLASS (procura_preferences_window_parent_class)->finalize (object);
}

static void
procura_preferences_window_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  ProcuraPreferencesWindow *self = PROCURA_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_preferences_window_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  ProcuraPreferencesWindow *self = PROCURA_PREFERENCES_WINDOW (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_free (self->data_dir);
      self->data_dir = g_value_dup_string (value);
      update_rows (self);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_preferences_window_class_init (ProcuraPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = procura_preferences_window_dispose;
  object_class->finalize = procura_preferences_window_finalize;
  object_class->get_property = procura_preferences_window_get_property;
  object_class->set_property = procura_preferences_window_set_property;

  /**
   * ProcuraPreferencesWindow:data-dir:
   *
   * The data folder in use.
   */
  properties [PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/procura-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraPreferencesWindow, data_dir_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraPreferencesWindow, pending_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraPreferencesWindow, author_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraPreferencesWindow, ocid_prefix_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraPreferencesWindow, ocid_prefix_error);
  gtk_widget_class_bind_template_child (widget_class, ProcuraPreferencesWindow, lead_days_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraPreferencesWindow, lead_days_adjustment);

  gtk_widget_class_install_action (widget_class, "prefs.choose-data-dir", NULL, choose_data_dir_action);
  gtk_widget_class_install_action (widget_class, "prefs.reset-data-dir", NULL, reset_data_dir_action);
}

static void
procura_preferences_window_init (ProcuraPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = dup_settings ();

  if (self->settings != NULL)
    {
      g_settings_bind (self->settings, "reminder-lead-days",
                       self->lead_days_adjustment, "value",
                       G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (self->settings, "author-name",
                       self->author_row, "text",
                       G_SETTINGS_BIND_DEFAULT);
    }
  else
    {
      gtk_widget_set_sensitive (self->lead_days_row, FALSE);
      gtk_widget_set_sensitive (self->author_row, FALSE);
    }

  /* not bound: an invalid prefix must never reach the setting */
  if (self->settings != NULL && has_key (self->settings, "ocds-ocid-prefix"))
    {
      g_autofree char *prefix = g_settings_get_string (self->settings, "ocds-ocid-prefix");

      gtk_editable_set_text (GTK_EDITABLE (self->ocid_prefix_row), prefix);
      g_signal_connect_object (self->ocid_prefix_row, "changed",
                               G_CALLBACK (ocid_prefix_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->ocid_prefix_row, "apply",
                               G_CALLBACK (ocid_prefix_apply_cb), self, G_CONNECT_SWAPPED);
    }
  else
    {
      gtk_widget_set_sensitive (GTK_WIDGET (self->ocid_prefix_row), FALSE);
    }

  update_rows (self);
}

GtkWidget *
procura_preferences_window_new (GtkWindow  *parent,
                                const char *data_dir)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);

  return g_object_new (PROCURA_TYPE_PREFERENCES_WINDOW,
                       "transient-for", parent,
                       "data-dir", data_dir,
                       NULL);
}

const char *
procura_preferences_window_get_data_dir (ProcuraPreferencesWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_PREFERENCES_WINDOW (self), NULL);

  return self->data_dir;
}

char *
procura_preferences_window_dup_next_data_dir (ProcuraPreferencesWindow *self)
{
  g_autofree char *value = NULL;

  g_return_val_if_fail (PROCURA_IS_PREFERENCES_WINDOW (self), NULL);

  if (self->settings == NULL)
    return NULL;

  value = g_settings_get_string (self->settings, "data-dir");

  return value[0] != '\0' ? g_steal_pointer (&value) : NULL;
}

void
procura_preferences_window_set_next_data_dir (ProcuraPreferencesWindow *self,
                                              const char               *data_dir)
{
  g_autofree char *resolved = NULL;

  g_return_if_fail (PROCURA_IS_PREFERENCES_WINDOW (self));

  if (self->settings == NULL)
    return;

  g_settings_set_string (self->settings, "data-dir", data_dir != NULL ? data_dir : "");
  update_rows (self);

  resolved = dup_next_resolved (self);
  if (g_strcmp0 (resolved, self->data_dir) != 0)
    adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self),
                                      adw_toast_new (_("The new data folder is used after Procura restarts")));
}
