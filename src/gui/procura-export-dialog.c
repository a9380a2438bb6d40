/* procura-export-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "procura-export-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "procura-export-csv.h"
#include "procura-export-dialog.h"
#include "procura-export-xlsx.h"
#include "procura-ocds.h"
#include "procura-ocds-record.h"

/* The export runs in a worker on a connection of its own (a ProcuraStore
 * is not shared between threads): a 20,000-project OCDS package takes
 * seconds, and the window stays responsive meanwhile. */

struct _ProcuraExportDialog
{
  AdwWindow             parent_instance;

  char                 *data_dir;
  char                 *today;
  GPtrArray            *shown_ids;   /* char*, or NULL */
  char                 *project_id;
  char                 *project_title;

  char                 *format;      /* "csv", "xlsx", "ocds", "ocds-record" */
  char                 *scope;       /* "all", "shown", "project" */
  char                 *error_message;
  gboolean              busy;
  gboolean              disposed;
  GtkFileChooserNative *chooser;
  GSettings            *settings;    /* NULL without the ocid prefix key */

  /* Template widgets */
  GtkWidget            *export_button;
  GtkSpinner           *spinner;
  AdwPreferencesPage   *page;
  GtkWidget            *ocds_record_row;
  GtkWidget            *table_group;
  AdwComboRow          *table_row;
  GtkWidget            *ocid_group;
  AdwActionRow         *ocid_row;
  AdwActionRow         *all_row;
  AdwActionRow         *shown_row;
  AdwActionRow         *project_row;
};

G_DEFINE_FINAL_TYPE (ProcuraExportDialog, procura_export_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_FORMAT,
  PROP_TABLE,
  PROP_SCOPE,
  PROP_BUSY,
  N_PROPS
};

enum {
  EXPORTED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static const ProcuraExportTable tables[] = {
  PROCURA_EXPORT_TABLE_LEDGER,
  PROCURA_EXPORT_TABLE_MILESTONES,
  PROCURA_EXPORT_TABLE_PAYMENTS,
  PROCURA_EXPORT_TABLE_EVALUATIONS,
};

gboolean
procura_export_dialog_has_record_package (void)
{
  return TRUE;
}

/* The settings holding the ocid prefix, or NULL without the schema (an
 * uninstalled run without GSETTINGS_SCHEMA_DIR). */
static GSettings *
dup_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source == NULL ||
      !(schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)) ||
      !g_settings_schema_has_key (schema, "ocds-ocid-prefix"))
    return NULL;

  return g_settings_new_full (schema, NULL, NULL);
}

char *
procura_export_dup_ocid_prefix (void)
{
  g_autofree char *prefix = procura_ocds_dup_preferred_prefix ();

  /* a value set behind the preferences' back (dconf) is not used */
  if (prefix == NULL || !procura_ocds_check_prefix (prefix, NULL))
    return g_strdup (PROCURA_OCDS_DEFAULT_PREFIX);

  return g_steal_pointer (&prefix);
}

/* ---- the worker ------------------------------------------------------------- */

typedef struct
{
  char               *data_dir;
  char               *format;
  ProcuraExportTable  table;
  GPtrArray          *ids;     /* NULL: every project */
  char               *prefix;
  char               *path;
} ExportJob;

static void
export_job_free (gpointer data)
{
  ExportJob *job = data;

  g_free (job->data_dir);
  g_free (job->format);
  g_clear_pointer (&job->ids, g_ptr_array_unref);
  g_free (job->prefix);
  g_free (job->path);
  g_free (job);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportJob *job = task_data;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok = FALSE;

  if ((store = procura_store_open (job->data_dir, &error)) != NULL)
    {
      if (g_str_equal (job->format, "csv"))
        ok = procura_export_csv_to_file (store, job->table, job->ids, job->path, &error);
      else if (g_str_equal (job->format, "xlsx"))
        ok = procura_export_xlsx_to_file (store, tables, G_N_ELEMENTS (tables), job->ids, job->path, &error);
      else if (g_str_equal (job->format, "ocds"))
        ok = procura_ocds_export_to_file (store, job->ids, job->prefix, job->path, &error);
      else if (g_str_equal (job->format, "ocds-record"))
        ok = procura_ocds_record_export_to_file (store, job->ids, job->prefix, job->path, &error);
      else
        g_set_error (&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                     _("The format “%s” cannot be exported"), job->format);
    }

  if (!ok)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

/* ---- the dialog ------------------------------------------------------------- */

static ProcuraExportTable
get_table (ProcuraExportDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->table_row);

  return selected < G_N_ELEMENTS (tables) ? tables[selected] : PROCURA_EXPORT_TABLE_LEDGER;
}

static void
update_rows (ProcuraExportDialog *self)
{
  gboolean ocds = g_str_has_prefix (self->format, "ocds");

  gtk_widget_set_visible (self->table_group, g_str_equal (self->format, "csv"));
  gtk_widget_set_visible (self->ocid_group, ocds);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.choose-file", !self->busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "export.to-file", !self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->page), !self->busy);

  if (ocds)
    {
      g_autofree char *prefix = procura_export_dup_ocid_prefix ();
      /* Translators: %s is the ocid prefix, e.g. ocds-procura; the rest
       * is an example project number */
      g_autofree char *subtitle = g_strdup_printf (_("%s — each project’s ocid is this prefix, a hyphen and its project number"),
                                                   prefix);

      adw_action_row_set_subtitle (self->ocid_row, subtitle);
    }
}

static void
set_busy (ProcuraExportDialog *self,
          gboolean             busy)
{
  self->busy = busy;
  update_rows (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

static void
export_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  ProcuraExportDialog *self = PROCURA_EXPORT_DIALOG (object);
  ExportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* destroyed meanwhile: its widgets are gone */
  if (self->disposed)
    return;

  set_busy (self, FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = g_filename_display_basename (job->path);
      AdwMessageDialog *dialog;

      g_free (self->error_message);
      self->error_message = g_strdup (error->message);

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
      /* Translators: %s is a file name */
      adw_message_dialog_format_heading (dialog, _("Could Not Export to “%s”"), name);
      adw_message_dialog_set_body (dialog, error->message);
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  g_clear_pointer (&self->error_message, g_free);
  g_signal_emit (self, signals [EXPORTED], 0, job->path);
  gtk_window_close (GTK_WINDOW (self));
}

void
procura_export_dialog_export_to_path (ProcuraExportDialog *self,
                                      const char          *path)
{
  g_autoptr(GTask) task = NULL;
  ExportJob *job;

  g_return_if_fail (PROCURA_IS_EXPORT_DIALOG (self));
  g_return_if_fail (path != NULL);

  if (self->busy || self->data_dir == NULL)
    return;

  job = g_new0 (ExportJob, 1);
  job->data_dir = g_strdup (self->data_dir);
  job->format = g_strdup (self->format);
  job->table = get_table (self);
  job->prefix = procura_export_dup_ocid_prefix ();
  job->path = g_strdup (path);

  if (g_str_equal (self->scope, "shown") && self->shown_ids != NULL)
    {
      job->ids = g_ptr_array_new_full (self->shown_ids->len, g_free);
      for (guint i = 0; i < self->shown_ids->len; i++)
        g_ptr_array_add (job->ids, g_strdup (g_ptr_array_index (self->shown_ids, i)));
    }
  else if (g_str_equal (self->scope, "project") && self->project_id != NULL)
    {
      job->ids = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (job->ids, g_strdup (self->project_id));
    }

  task = g_task_new (self, NULL, export_cb, NULL);
  g_task_set_source_tag (task, procura_export_dialog_export_to_path);
  g_task_set_task_data (task, job, export_job_free);
  g_task_run_in_thread (task, export_thread);

  set_busy (self, TRUE);
}

char *
procura_export_dialog_dup_suggested_name (ProcuraExportDialog *self)
{
  const char *date;

  g_return_val_if_fail (PROCURA_IS_EXPORT_DIALOG (self), NULL);

  date = self->today != NULL ? self->today : "";

  if (g_str_equal (self->format, "csv"))
    return g_strdup_printf ("%s-%s.csv", procura_export_table_get_sheet_name (get_table (self)), date);
  if (g_str_equal (self->format, "xlsx"))
    /* Translators: the file name of an exported workbook, without the
     * date and the extension */
    return g_strdup_printf ("%s-%s.xlsx", C_("file name", "Purchased Services"), date);
  if (g_str_equal (self->format, "ocds-record"))
    return g_strdup_printf ("ocds-records-%s.json", date);

  return g_strdup_printf ("ocds-releases-%s.json", date);
}

static void
chooser_response_cb (ProcuraExportDialog  *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  g_assert (PROCURA_IS_EXPORT_DIALOG (self));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file != NULL ? g_file_get_path (file) : NULL;

      if (path != NULL)
        procura_export_dialog_export_to_path (self, path);
    }

  gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (chooser));
  g_clear_object (&self->chooser);
}

static void
add_filter (GtkFileChooser *chooser,
            const char     *name,
            const char     *mime_type,
            const char     *pattern)
{
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();

  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_mime_type (filter, mime_type);
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_chooser_add_filter (chooser, filter);
}

static void
choose_file_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  ProcuraExportDialog *self = PROCURA_EXPORT_DIALOG (widget);
  g_autofree char *name = procura_export_dialog_dup_suggested_name (self);
  GtkFileChooser *chooser;

  if (self->chooser != NULL)
    return;

  self->chooser = gtk_file_chooser_native_new (_("Export To"),
                                               GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SAVE,
                                               _("_Export"),
                                               _("_Cancel"));
  chooser = GTK_FILE_CHOOSER (self->chooser);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  gtk_file_chooser_set_current_name (chooser, name);

  if (g_str_equal (self->format, "csv"))
    add_filter (chooser, _("CSV Tables"), "text/csv", "*.csv");
  else if (g_str_equal (self->format, "xlsx"))
    add_filter (chooser, _("Excel Workbooks"),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "*.xlsx");
  else
    add_filter (chooser, _("JSON Files"), "application/json", "*.json");

  {
    const char *documents = g_get_user_special_dir (G_USER_DIRECTORY_DOCUMENTS);

    if (documents != NULL && g_file_test (documents, G_FILE_TEST_IS_DIR))
      {
        g_autoptr(GFile) folder = g_file_new_for_path (documents);

        gtk_file_chooser_set_current_folder (chooser, folder, NULL);
      }
  }

  g_signal_connect_object (self->chooser, "response",
                           G_CALLBACK (chooser_response_cb), self,
                           G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
to_file_action (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  procura_export_dialog_export_to_path (PROCURA_EXPORT_DIALOG (widget),
                                        g_variant_get_string (parameter, NULL));
}

static void
set_format (ProcuraExportDialog *self,
            const char          *format)
{
  if (format == NULL ||
      !(g_str_equal (format, "csv") || g_str_equal (format, "xlsx") || g_str_equal (format, "ocds") ||
        (g_str_equal (format, "ocds-record") && procura_export_dialog_has_record_package ())))
    return;

  if (g_strcmp0 (self->format, format) == 0)
    return;

  g_free (self->format);
  self->format = g_strdup (format);
  update_rows (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_FORMAT]);
}

static void
set_scope (ProcuraExportDialog *self,
           const char          *scope)
{
  if (scope == NULL ||
      !(g_str_equal (scope, "all") ||
        (g_str_equal (scope, "shown") && self->shown_ids != NULL) ||
        (g_str_equal (scope, "project") && self->project_id != NULL)))
    return;

  if (g_strcmp0 (self->scope, scope) == 0)
    return;

  g_free (self->scope);
  self->scope = g_strdup (scope);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SCOPE]);
}

static void
set_table (ProcuraExportDialog *self,
           const char          *name)
{
  ProcuraExportTable table;

  if (name == NULL || !procura_export_table_from_name (name, &table))
    return;

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (tables[i] == table)
      adw_combo_row_set_selected (self->table_row, i);
}

static void
table_selected_cb (ProcuraExportDialog *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TABLE]);
}

/* The rows that say which projects, with their counts. */
static void
setup_scope_rows (ProcuraExportDialog *self,
                  guint                n_projects)
{
  g_autofree char *all = NULL;

  /* Translators: %u projects in the ledger */
  all = g_strdup_printf (ngettext ("%u project", "%u projects", n_projects), n_projects);
  adw_action_row_set_subtitle (self->all_row, all);

  gtk_widget_set_visible (GTK_WIDGET (self->shown_row), self->shown_ids != NULL);
  if (self->shown_ids != NULL)
    {
      g_autofree char *shown = g_strdup_printf (ngettext ("%u project, as searched and filtered",
                                                          "%u projects, as searched and filtered",
                                                          self->shown_ids->len),
                                                self->shown_ids->len);

      adw_action_row_set_subtitle (self->shown_row, shown);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->project_row), self->project_id != NULL);
  if (self->project_title != NULL)
    adw_action_row_set_subtitle (self->project_row, self->project_title);
}

/* The file is being written: the dialog stays until it is. */
static gboolean
procura_export_dialog_close_request (GtkWindow *window)
{
  ProcuraExportDialog *self = PROCURA_EXPORT_DIALOG (window);

  if (self->busy)
    return TRUE;

  return GTK_WINDOW_CLASS (procura_export_dialog_parent_class)->close_request (window);
}

static void
procura_export_dialog_dispose (GObject *object)
{
  ProcuraExportDialog *self = (ProcuraExportDialog *)object;

  self->disposed = TRUE;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_EXPORT_DIALOG);

  G_OBJECT_CLASS (procura_export_dialog_parent_class)->dispose (object);
}

static void
procura_export_dialog_finalize (GObject *object)
{
  ProcuraExportDialog *self = (ProcuraExportDialog *)object;

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->today, g_free);
  g_clear_pointer (&self->shown_ids, g_ptr_array_unref);
  g_clear_pointer (&self->project_id, g_free);
  g_clear_pointer (&self->project_title, g_free);
  g_clear_pointer (&self->format, g_free);
  g_clear_pointer (&self->scope, g_free);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (procura_export_dialog_parent_class)->finalize (object);
}

static void
procura_export_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ProcuraExportDialog *self = PROCURA_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_FORMAT:
      g_value_set_string (value, self->format);
      break;

    case PROP_TABLE:
      g_value_set_string (value, procura_export_table_get_name (get_table (self)));
      break;

    case PROP_SCOPE:
      g_value_set_string (value, self->scope);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_export_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ProcuraExportDialog *self = PROCURA_EXPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STORE:
      {
        ProcuraStore *store = g_value_get_object (value);

        if (store != NULL)
          {
            self->data_dir = g_strdup (procura_store_get_data_dir (store));
            self->today = procura_store_dup_today (store);
          }
      }
      break;

    case PROP_FORMAT:
      set_format (self, g_value_get_string (value));
      break;

    case PROP_TABLE:
      set_table (self, g_value_get_string (value));
      break;

    case PROP_SCOPE:
      set_scope (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_export_dialog_class_init (ProcuraExportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = procura_export_dialog_dispose;
  object_class->finalize = procura_export_dialog_finalize;
  object_class->get_property = procura_export_dialog_get_property;
  object_class->set_property = procura_export_dialog_set_property;

  GTK_WINDOW_CLASS (klass)->close_request = procura_export_dialog_close_request;

  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, PROCURA_TYPE_STORE,
                         (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraExportDialog:format:
   *
   * "csv", "xlsx", "ocds" (a release package) or "ocds-record".
   */
  properties [PROP_FORMAT] =
    g_param_spec_string ("format", NULL, NULL, "csv",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraExportDialog:table:
   *
   * The table a CSV export holds: "ledger", "milestones", "payments"
   * or "evaluations".
   */
  properties [PROP_TABLE] =
    g_param_spec_string ("table", NULL, NULL, "ledger",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraExportDialog:scope:
   *
   * Which projects: "all", "shown" (as the ledger shows them) or
   * "project" (the one open).
   */
  properties [PROP_SCOPE] =
    g_param_spec_string ("scope", NULL, NULL, "all",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ProcuraExportDialog::exported:
   * @path: the file written
   *
   * The export was written; the dialog closes.
   */
  signals [EXPORTED] =
    g_signal_new ("exported",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/procura-export-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, export_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, ocds_record_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, table_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, table_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, ocid_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, ocid_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, all_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, shown_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraExportDialog, project_row);

  gtk_widget_class_install_property_action (widget_class, "export.format", "format");
  gtk_widget_class_install_property_action (widget_class, "export.scope", "scope");
  gtk_widget_class_install_action (widget_class, "export.choose-file", NULL, choose_file_action);
  gtk_widget_class_install_action (widget_class, "export.to-file", "s", to_file_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
procura_export_dialog_init (ProcuraExportDialog *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);

  self->format = g_strdup ("csv");
  self->scope = g_strdup ("all");

  gtk_widget_init_template (GTK_WIDGET (self));

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    gtk_string_list_append (names, procura_export_table_get_sheet_name (tables[i]));
  adw_combo_row_set_model (self->table_row, G_LIST_MODEL (names));
  g_signal_connect_object (self->table_row, "notify::selected",
                           G_CALLBACK (table_selected_cb), self, G_CONNECT_SWAPPED);

  gtk_widget_set_visible (self->ocds_record_row, procura_export_dialog_has_record_package ());

  /* the prefix may be changed in the preferences meanwhile */
  if ((self->settings = dup_settings ()) != NULL)
    g_signal_connect_object (self->settings, "changed::ocds-ocid-prefix",
                             G_CALLBACK (update_rows), self, G_CONNECT_SWAPPED);

  update_rows (self);
}

ProcuraExportDialog *
procura_export_dialog_new (GtkWindow    *parent,
                           ProcuraStore *store,
                           guint         n_projects,
                           GPtrArray    *shown_ids,
                           const char   *project_id,
                           const char   *project_title)
{
  ProcuraExportDialog *self;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);

  self = g_object_new (PROCURA_TYPE_EXPORT_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       NULL);

  if (shown_ids != NULL)
    {
      self->shown_ids = g_ptr_array_new_full (shown_ids->len, g_free);
      for (guint i = 0; i < shown_ids->len; i++)
        g_ptr_array_add (self->shown_ids, g_strdup (g_ptr_array_index (shown_ids, i)));
    }
  self->project_id = g_strdup (project_id);
  self->project_title = g_strdup (project_title);

  setup_scope_rows (self, n_projects);

  /* what the window shows is the likely choice */
  if (self->project_id != NULL)
    set_scope (self, "project");
  else if (self->shown_ids != NULL)
    set_scope (self, "shown");

  return self;
}

gboolean
procura_export_dialog_get_busy (ProcuraExportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_EXPORT_DIALOG (self), FALSE);

  return self->busy;
}

const char *
procura_export_dialog_get_error_message (ProcuraExportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_EXPORT_DIALOG (self), NULL);

  return self->error_message;
}
