/* procura-import-dialog.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "procura-import-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "procura-cells.h"
#include "procura-error.h"
#include "procura-export-dialog.h"
#include "procura-import-csv.h"
#include "procura-import-dialog.h"
#include "procura-import-row.h"
#include "procura-ocds-import.h"
#include "procura-record.h"
#include "procura-schema.h"

/* ProcuraStore is one SQLite connection and is not shared between
 * threads, so each worker opens a connection of its own to the same
 * database, as the ledger and the dashboard loaders do. The dry run holds
 * the write lock (BEGIN IMMEDIATE, then rolled back) only while it runs;
 * the window stays responsive for a 20,000-row file. The worker's
 * connection writes under the app's author and pinned date.
 *
 * The dialog holds either kind of file: a spreadsheet (ProcuraImport,
 * one preview row per data row) or an OCDS release package
 * (ProcuraOcdsImport, one preview row per release), told apart by the
 * content when the worker reads it. */

struct _ProcuraImportDialog
{
  AdwWindow       parent_instance;

  char           *path;
  char           *data_dir;
  char           *actor;
  char           *today;

  ProcuraImport  *import;     /* NULL while a worker has it */
  ProcuraOcdsImport *ocds;    /* the same, for an OCDS release package */
  gboolean        is_ocds;
  GPtrArray      *columns;    /* every column, shown or not */
  GListStore     *rows;
  GtkFilterListModel *shown;
  GtkCustomFilter *filter;
  char           *encoding;
  char          **unknown;
  char          **ignored;
  char           *error_message;
  guint           n_problems;
  gboolean        busy;
  gboolean        writing;
  gboolean        disposed;
  gboolean        only_problems;
  GCancellable   *cancellable;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  AdwWindowTitle  *window_title;
  GtkWidget       *import_all_button;
  GtkWidget       *import_valid_button;
  GtkStack        *stack;
  GtkSpinner      *spinner;
  GtkLabel        *busy_label;
  AdwStatusPage   *error_page;
  AdwActionRow    *file_row;
  AdwActionRow    *unknown_row;
  AdwActionRow    *ignored_row;
  GtkImage        *file_icon;
  GtkImage        *counts_icon;
  GtkWidget       *only_problems_check;
  GtkLabel        *counts_label;
  GtkColumnView   *column_view;
  GtkColumnViewColumn *line_column;
  GtkColumnViewColumn *code_column;
  GtkColumnViewColumn *title_column;
  GtkColumnViewColumn *agency_column;
  GtkColumnViewColumn *amount_column;
  GtkColumnViewColumn *problems_column;
  GtkColumnViewColumn *release_column;
  GtkColumnViewColumn *project_column;
  GtkColumnViewColumn *notes_column;
};

G_DEFINE_FINAL_TYPE (ProcuraImportDialog, procura_import_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_PATH,
  PROP_STORE,
  PROP_BUSY,
  PROP_ONLY_PROBLEMS,
  PROP_N_ROWS,
  PROP_N_PROBLEMS,
  N_PROPS
};

enum {
  IMPORTED,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

/* ---- what a worker hands back ------------------------------------------- */

typedef struct
{
  char            *path;
  char            *data_dir;
  char            *actor;
  char            *today;
  char            *ocid_prefix; /* of our own exports, read on the main thread */
  ProcuraImport   *import;   /* the write: given; the read: made */
  ProcuraOcdsImport *ocds;   /* or this, for an OCDS release package */
  ProcuraImportMode mode;
  GPtrArray       *rows;     /* ProcuraImportRow */
} ImportJob;

static void
import_job_free (gpointer data)
{
  ImportJob *job = data;

  g_free (job->path);
  g_free (job->data_dir);
  g_free (job->actor);
  g_free (job->today);
  g_free (job->ocid_prefix);
  g_clear_pointer (&job->import, procura_import_free);
  g_clear_pointer (&job->ocds, procura_ocds_import_free);
  g_clear_pointer (&job->rows, g_ptr_array_unref);
  g_free (job);
}

/* The rows as the preview shows them, copied out of the import so that
 * the dialog never touches it while a worker runs it. */
static GPtrArray *
collect_rows (ProcuraImport *import)
{
  guint n_rows = procura_import_get_n_rows (import);
  GPtrArray *rows = g_ptr_array_new_full (n_rows, g_object_unref);

  for (guint i = 0; i < n_rows; i++)
    {
      g_autofree char *code = procura_import_dup_row_cell (import, i, PROCURA_IMPORT_FIELD_CODE);
      g_autofree char *title = procura_import_dup_row_cell (import, i, PROCURA_IMPORT_FIELD_TITLE);
      g_autofree char *agency = procura_import_dup_row_cell (import, i, PROCURA_IMPORT_FIELD_AGENCY);
      g_autofree char *amount = procura_import_dup_row_cell (import, i, PROCURA_IMPORT_FIELD_VALUE);

      g_ptr_array_add (rows, procura_import_row_new (procura_import_get_row_line (import, i),
                                                     code, title, agency, amount,
                                                     procura_import_get_row_problems (import, i),
                                                     procura_import_get_row_notes (import, i)));
    }

  return rows;
}

/* One row per release. The project a release maps to: the number of the
 * project it updates, read after the run (a dry run rolled back, so a
 * project it would add is not there: NULL, a new one). */
static GPtrArray *
collect_releases (ProcuraOcdsImport  *ocds,
                  ProcuraStore       *store,
                  GError            **error)
{
  guint n_releases = procura_ocds_import_get_n_releases (ocds);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_full (n_releases, g_object_unref);

  for (guint i = 0; i < n_releases; i++)
    {
      const char *project_id = procura_ocds_import_get_release_project (ocds, i);
      g_autoptr(ProcuraRecord) project = NULL;
      g_autoptr(GError) local_error = NULL;

      if (project_id != NULL &&
          !(project = procura_store_get (store, PROCURA_ENTITY_PROJECT, project_id, &local_error)) &&
          !g_error_matches (local_error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }

      g_ptr_array_add (rows, procura_import_row_new_release (i + 1,
                                                             procura_ocds_import_get_release_label (ocds, i),
                                                             project != NULL ? procura_record_get_string (project, "code") : NULL,
                                                             procura_ocds_import_get_release_problem (ocds, i),
                                                             procura_ocds_import_get_release_notes (ocds, i)));
    }

  return g_steal_pointer (&rows);
}

/* A spreadsheet, or an OCDS release package: by the content, or a .json
 * name (so that a JSON file that is no package says so, rather than
 * failing as a CSV). */
static gboolean
read_file (ImportJob  *job,
           GError    **error)
{
  g_autofree char *data = NULL;
  gsize length = 0;

  if (!g_file_get_contents (job->path, &data, &length, error))
    return FALSE;

  if (procura_ocds_import_detect (data, length) || g_str_has_suffix (job->path, ".json"))
    {
      /* our own exports map back to their projects under the prefix
       * they were written with */
      if ((job->ocds = procura_ocds_import_parse (data, length, error)) != NULL)
        procura_ocds_import_set_prefix (job->ocds, job->ocid_prefix);
    }
  else
    job->import = procura_import_parse (data, length, job->path, error);

  return job->import != NULL || job->ocds != NULL;
}

/* A connection of the worker's own (see the top of the file). */
static ProcuraStore *
open_worker_store (ImportJob  *job,
                   GError    **error)
{
  ProcuraStore *store = procura_store_open (job->data_dir, error);

  if (store != NULL)
    {
      if (job->actor != NULL)
        procura_store_set_actor (store, job->actor);
      if (job->today != NULL)
        procura_store_set_today (store, job->today);
    }

  return store;
}

static void
run_import_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  ImportJob *job = task_data;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GError) error = NULL;

  if (job->import == NULL && job->ocds == NULL && !read_file (job, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    return;

  if (!(store = open_worker_store (job, &error)) ||
      (job->import != NULL && !procura_import_run (job->import, store, job->mode, &error)) ||
      (job->ocds != NULL && !procura_ocds_import_run (job->ocds, store, job->mode, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (job->import != NULL)
    job->rows = collect_rows (job->import);
  else if (!(job->rows = collect_releases (job->ocds, store, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* ---- showing it ----------------------------------------------------------- */

static char *
join_columns (const char * const *columns)
{
  /* Translators: between column names in a list */
  return g_strjoinv (_(", "), (char **) columns);
}

/* A file read and checked, not in a worker's hands. */
static gboolean
has_file (ProcuraImportDialog *self)
{
  return self->import != NULL || self->ocds != NULL;
}

static void
set_busy (ProcuraImportDialog *self,
          gboolean             busy,
          const char          *message)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  if (message != NULL)
    gtk_label_set_label (self->busy_label, message);
  if (busy)
    gtk_stack_set_visible_child_name (self->stack, "busy");

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.all",
                                 !busy && has_file (self) && self->n_problems == 0 &&
                                 g_list_model_get_n_items (G_LIST_MODEL (self->rows)) > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "import.valid-rows",
                                 !busy && has_file (self) &&
                                 self->n_problems < g_list_model_get_n_items (G_LIST_MODEL (self->rows)));

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_BUSY]);
}

static void
show_error (ProcuraImportDialog *self,
            const GError        *error)
{
  g_autofree char *name = g_filename_display_basename (self->path);
  g_autofree char *title = NULL;

  g_free (self->error_message);
  self->error_message = g_strdup (error->message);

  /* Translators: %s is a file name */
  title = g_strdup_printf (_("Could Not Read “%s”"), name);
  adw_status_page_set_title (self->error_page, title);
  adw_status_page_set_description (self->error_page, error->message);
  gtk_stack_set_visible_child_name (self->stack, "error");
}

static void
update_counts (ProcuraImportDialog *self)
{
  guint n_rows = g_list_model_get_n_items (G_LIST_MODEL (self->rows));
  guint n_valid = n_rows - self->n_problems;
  g_autofree char *counts = NULL;
  g_autofree char *valid_label = NULL;

  if (self->is_ocds)
    {
      if (n_rows == 0)
        counts = g_strdup (_("The package has no releases"));
      else if (self->n_problems == 0)
        counts = g_strdup_printf (ngettext ("%u release, ready to import",
                                            "%u releases, all ready to import", n_rows),
                                  n_rows);
      else
        {
          g_autofree char *releases = g_strdup_printf (ngettext ("%u release", "%u releases", n_rows), n_rows);
          /* Translators: the end of "12 releases, 3 of them with problems" */
          g_autofree char *bad = g_strdup_printf (ngettext ("%u of them with problems",
                                                            "%u of them with problems", self->n_problems),
                                                  self->n_problems);

          /* Translators: "12 releases, 3 of them with problems" */
          counts = g_strdup_printf (_("%s, %s"), releases, bad);
        }
    }
  else if (n_rows == 0)
    counts = g_strdup (_("The file has no rows of projects"));
  else if (self->n_problems == 0)
    counts = g_strdup_printf (ngettext ("%u row, ready to import",
                                        "%u rows, all ready to import", n_rows),
                              n_rows);
  else
    {
      g_autofree char *rows = g_strdup_printf (ngettext ("%u row", "%u rows", n_rows), n_rows);

      /* Translators: "12 rows, 3 with problems" */
      counts = g_strdup_printf (ngettext ("%s, %u with problems",
                                          "%s, %u with problems", self->n_problems),
                                rows, self->n_problems);
    }
  gtk_label_set_label (self->counts_label, counts);
  gtk_image_set_from_icon_name (self->counts_icon,
                                self->n_problems > 0 ? "dialog-warning-symbolic" : "emblem-ok-symbolic");
  if (self->n_problems > 0)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->counts_icon), "warning");
      gtk_widget_remove_css_class (GTK_WIDGET (self->counts_icon), "success");
    }
  else
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->counts_icon), "success");
      gtk_widget_remove_css_class (GTK_WIDGET (self->counts_icon), "warning");
    }

  if (self->is_ocds)
    valid_label = g_strdup_printf (ngettext ("Import the %u _Valid Release",
                                             "Import the %u _Valid Releases", n_valid),
                                   n_valid);
  else
    valid_label = g_strdup_printf (ngettext ("Import the %u _Valid Row",
                                             "Import the %u _Valid Rows", n_valid),
                                   n_valid);
  gtk_button_set_label (GTK_BUTTON (self->import_valid_button), valid_label);

  /* the button that applies is the suggested one */
  gtk_widget_set_visible (self->import_valid_button, self->n_problems > 0);
  if (self->n_problems > 0 && n_valid > 0)
    {
      gtk_widget_add_css_class (self->import_valid_button, "suggested-action");
      gtk_widget_remove_css_class (self->import_all_button, "suggested-action");
    }
  else
    {
      gtk_widget_remove_css_class (self->import_valid_button, "suggested-action");
      gtk_widget_add_css_class (self->import_all_button, "suggested-action");
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_ROWS]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_PROBLEMS]);
}

static void
show_rows (ProcuraImportDialog *self,
           GPtrArray           *rows)
{
  self->n_problems = 0;
  for (guint i = 0; i < rows->len; i++)
    if (procura_import_row_has_problems (g_ptr_array_index (rows, i)))
      self->n_problems++;

  g_list_store_splice (self->rows, 0, g_list_model_get_n_items (G_LIST_MODEL (self->rows)),
                       rows->pdata, rows->len);
  update_counts (self);


}

/* The table's columns, icon and wording for the kind of file. */
static void
show_kind (ProcuraImportDialog *self)
{
  gboolean ocds = self->is_ocds;
  GtkColumnViewColumn *spreadsheet[] = {
    self->line_column, self->code_column, self->title_column, self->agency_column,
    self->amount_column, self->problems_column,
  };
  GtkColumnViewColumn *package[] = { self->release_column, self->project_column, self->problems_column,
                                     self->notes_column };
  GtkColumnViewColumn **shown = ocds ? package : spreadsheet;
  guint n_shown = ocds ? G_N_ELEMENTS (package) : G_N_ELEMENTS (spreadsheet);
  GListModel *columns = gtk_column_view_get_columns (self->column_view);

  /* the columns of the other kind are taken out rather than hidden: GTK
   * 4.8 counts the fixed width of a hidden column in the table's width,
   * and the problems then no longer get the rest of the row */
  while (g_list_model_get_n_items (columns) > 0)
    {
      g_autoptr(GtkColumnViewColumn) column = g_list_model_get_item (columns, 0);

      gtk_column_view_remove_column (self->column_view, column);
    }
  for (guint i = 0; i < n_shown; i++)
    gtk_column_view_append_column (self->column_view, shown[i]);

  gtk_image_set_from_icon_name (self->file_icon, ocds ? "text-x-generic-symbolic" : "x-office-spreadsheet-symbolic");
  gtk_check_button_set_label (GTK_CHECK_BUTTON (self->only_problems_check),
                              ocds ? _("Only Releases with _Problems") : _("Only Rows with _Problems"));
  gtk_widget_set_tooltip_text (self->import_all_button,
                               ocds ? _("Write every release; possible only when no release has a problem")
                                    : _("Write every row; possible only when no row has a problem"));
  gtk_widget_set_tooltip_text (self->import_valid_button,
                               ocds ? _("Write the releases without problems in one go and leave out the others")
                                    : _("Write the rows without problems in one go and leave out the others"));
}

static void
show_preview (ProcuraImportDialog *self,
              GPtrArray           *rows)
{
  g_autofree char *name = g_filename_display_basename (self->path);
  g_autofree char *location = g_filename_display_name (self->path);
  g_autofree char *subtitle = NULL;
  const char * const *unknown;
  const char * const *ignored;

  g_clear_pointer (&self->encoding, g_free);
  g_clear_pointer (&self->unknown, g_strfreev);
  g_clear_pointer (&self->ignored, g_strfreev);

  adw_window_title_set_subtitle (self->window_title, name);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->file_row), name);
  show_kind (self);

  if (self->is_ocds)
    {
      /* Translators: the file's folder and what it is, e.g. "/home/… · OCDS release package" */
      subtitle = g_strdup_printf (_("%s · OCDS release package"), location);
      adw_action_row_set_subtitle (self->file_row, subtitle);
      gtk_widget_set_visible (GTK_WIDGET (self->unknown_row), FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->ignored_row), FALSE);
      show_rows (self, rows);
      gtk_stack_set_visible_child_name (self->stack, "preview");
      return;
    }

  self->encoding = g_strdup (procura_import_get_encoding (self->import));
  unknown = procura_import_get_unknown_columns (self->import);
  ignored = procura_import_get_ignored_columns (self->import);
  self->unknown = g_strdupv ((char **) unknown);
  self->ignored = g_strdupv ((char **) ignored);

  /* Translators: the file's folder and its text encoding, e.g. "/home/… · GB18030" */
  subtitle = g_strdup_printf (_("%s · Encoding: %s"), location, self->encoding);
  adw_action_row_set_subtitle (self->file_row, subtitle);

  gtk_widget_set_visible (GTK_WIDGET (self->unknown_row), unknown != NULL && unknown[0] != NULL);
  if (unknown != NULL && unknown[0] != NULL)
    {
      g_autofree char *list = join_columns (unknown);
      /* Translators: %s lists column headers */
      g_autofree char *text = g_strdup_printf (_("%s — left out"), list);

      adw_action_row_set_subtitle (self->unknown_row, text);
    }

  gtk_widget_set_visible (GTK_WIDGET (self->ignored_row), ignored != NULL && ignored[0] != NULL);
  if (ignored != NULL && ignored[0] != NULL)
    {
      g_autofree char *list = join_columns (ignored);
      /* Translators: %s lists column headers */
      g_autofree char *text = g_strdup_printf (_("%s — worked out from the ledger, not imported"), list);

      adw_action_row_set_subtitle (self->ignored_row, text);
    }

  show_rows (self, rows);
  gtk_stack_set_visible_child_name (self->stack, "preview");
}

static void
read_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  ProcuraImportDialog *self = PROCURA_IMPORT_DIALOG (object);
  ImportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  /* closed meanwhile: its widgets are gone */
  if (g_cancellable_is_cancelled (g_task_get_cancellable (G_TASK (result))))
    return;

  g_clear_object (&self->cancellable);

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      /* a file read but not checked can be checked again: keep nothing */
      set_busy (self, FALSE, NULL);
      show_error (self, error);
      return;
    }

  self->import = g_steal_pointer (&job->import);
  self->ocds = g_steal_pointer (&job->ocds);
  self->is_ocds = self->ocds != NULL;
  show_preview (self, job->rows);
  set_busy (self, FALSE, NULL);
}

static ImportJob *
import_job_new (ProcuraImportDialog *self,
                ProcuraImportMode    mode)
{
  ImportJob *job = g_new0 (ImportJob, 1);

  job->path = g_strdup (self->path);
  job->data_dir = g_strdup (self->data_dir);
  job->actor = g_strdup (self->actor);
  job->today = g_strdup (self->today);
  job->ocid_prefix = procura_export_dup_ocid_prefix ();
  job->mode = mode;

  return job;
}

static void
start_read (ProcuraImportDialog *self)
{
  g_autoptr(GTask) task = NULL;

  g_assert (PROCURA_IS_IMPORT_DIALOG (self));

  if (self->path == NULL || self->data_dir == NULL || self->cancellable != NULL)
    return;

  self->cancellable = g_cancellable_new ();
  task = g_task_new (self, self->cancellable, read_cb, NULL);
  g_task_set_source_tag (task, start_read);
  g_task_set_task_data (task, import_job_new (self, PROCURA_IMPORT_DRY_RUN), import_job_free);
  g_task_run_in_thread (task, run_import_thread);

  set_busy (self, TRUE, _("Reading the file and checking every row…"));
}

static void
write_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  ProcuraImportDialog *self = PROCURA_IMPORT_DIALOG (object);
  ImportJob *job = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;
  guint n_written;
  guint n_rows;

  self->import = g_steal_pointer (&job->import);
  self->ocds = g_steal_pointer (&job->ocds);
  self->writing = FALSE;

  if (self->ocds != NULL)
    {
      n_written = procura_ocds_import_get_n_written (self->ocds);
      n_rows = procura_ocds_import_get_n_releases (self->ocds);
    }
  else
    {
      n_written = procura_import_get_n_written (self->import);
      n_rows = procura_import_get_n_rows (self->import);
    }

  /* destroyed meanwhile (its window closed): only say what was written */
  if (self->disposed)
    {
      if (g_task_propagate_boolean (G_TASK (result), NULL) && n_written > 0)
        g_signal_emit (self, signals [IMPORTED], 0, n_written, n_rows - n_written);
      return;
    }

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *name = g_filename_display_basename (self->path);
      AdwMessageDialog *dialog;

      set_busy (self, FALSE, NULL);
      gtk_stack_set_visible_child_name (self->stack, "preview");

      dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
      /* Translators: %s is a file name */
      adw_message_dialog_format_heading (dialog, _("Could Not Import “%s”"), name);
      adw_message_dialog_format_body (dialog, _("%s\n\nNothing was written."), error->message);
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }

  /* the ledger changed since the preview: show the rows as they are now */
  if (n_written == 0)
    {
      show_rows (self, job->rows);
      set_busy (self, FALSE, NULL);
      gtk_stack_set_visible_child_name (self->stack, "preview");
      adw_toast_overlay_add_toast (self->toast_overlay,
                                   adw_toast_new (self->is_ocds
                                                  ? _("Nothing was imported: the ledger changed, check the releases again")
                                                  : _("Nothing was imported: the ledger changed, check the rows again")));
      return;
    }

  set_busy (self, FALSE, NULL);
  g_signal_emit (self, signals [IMPORTED], 0, n_written, n_rows - n_written);
  gtk_window_close (GTK_WINDOW (self));
}

static void
start_write (ProcuraImportDialog *self,
             ProcuraImportMode    mode)
{
  g_autoptr(GTask) task = NULL;
  ImportJob *job;

  g_assert (PROCURA_IS_IMPORT_DIALOG (self));

  if (self->busy || !has_file (self))
    return;

  job = import_job_new (self, mode);
  job->import = g_steal_pointer (&self->import);
  job->ocds = g_steal_pointer (&self->ocds);
  self->writing = TRUE;

  task = g_task_new (self, NULL, write_cb, NULL);
  g_task_set_source_tag (task, start_write);
  g_task_set_task_data (task, job, import_job_free);
  g_task_run_in_thread (task, run_import_thread);

  set_busy (self, TRUE, _("Importing…"));
}

static void
import_all_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  start_write (PROCURA_IMPORT_DIALOG (widget), PROCURA_IMPORT_ALL_OR_NONE);
}

static void
import_valid_rows_action (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  start_write (PROCURA_IMPORT_DIALOG (widget), PROCURA_IMPORT_VALID_ROWS);
}

/* ---- the table -------------------------------------------------------------- */

static gboolean
filter_func (gpointer item,
             gpointer user_data)
{
  ProcuraImportDialog *self = user_data;

  return !self->only_problems || procura_import_row_has_problems (item);
}

static void
setup_cell_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               gpointer                  user_data)
{
  const char *column = user_data;
  GtkInscription *cell;

  if (g_str_equal (column, "line"))
    {
      cell = procura_cell_number_new ();
      gtk_widget_add_css_class (GTK_WIDGET (cell), "dim-label");
    }
  else if (g_str_equal (column, "amount"))
    cell = procura_cell_number_new ();
  else
    cell = procura_cell_long_text_new ();

  /* every problem (and note) on a line of its own */
  if (g_str_equal (column, "problems") || g_str_equal (column, "notes"))
    gtk_inscription_set_wrap_mode (cell, PANGO_WRAP_WORD_CHAR);

  gtk_list_item_set_child (list_item, GTK_WIDGET (cell));
}

static void
bind_cell_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              gpointer                  user_data)
{
  const char *column = user_data;
  ProcuraImportRow *row = gtk_list_item_get_item (list_item);
  GtkInscription *cell = GTK_INSCRIPTION (gtk_list_item_get_child (list_item));
  g_autofree char *owned = NULL;
  const char *text = NULL;

  if (g_str_equal (column, "line"))
    text = owned = g_strdup_printf ("%u", procura_import_row_get_line (row));
  else if (g_str_equal (column, "code"))
    text = procura_import_row_get_code (row);
  else if (g_str_equal (column, "title"))
    text = procura_import_row_get_title (row);
  else if (g_str_equal (column, "agency"))
    text = procura_import_row_get_agency (row);
  else if (g_str_equal (column, "amount"))
    text = procura_import_row_get_amount (row);
  else if (g_str_equal (column, "release"))
    text = procura_import_row_get_label (row);
  else if (g_str_equal (column, "project"))
    {
      text = procura_import_row_get_project (row);
      if (text == NULL && !procura_import_row_has_problems (row))
        text = _("A new project");
    }
  else if (g_str_equal (column, "notes"))
    {
      /* what the ledger's rules left out: kept in the OCDS data, not a
       * problem of the release */
      const char * const *notes = procura_import_row_get_notes (row);
      guint n_notes = g_strv_length ((char **) notes);

      gtk_inscription_set_nat_lines (cell, MAX (n_notes, 1));
      if (n_notes > 0)
        text = owned = g_strjoinv ("\n", (char **) notes);
    }
  else if (g_str_equal (column, "problems"))
    {
      const char * const *problems = procura_import_row_get_problems (row);
      guint n_problems = g_strv_length ((char **) problems);

      gtk_inscription_set_nat_lines (cell, MAX (n_problems, 1));
      if (n_problems > 0)
        {
          text = owned = g_strjoinv ("\n", (char **) problems);
          gtk_widget_add_css_class (GTK_WIDGET (cell), "error");
          gtk_widget_remove_css_class (GTK_WIDGET (cell), "dim-label");
        }
      else
        {
          const char * const *notes = procura_import_row_get_notes (row);
          guint n_notes = g_strv_length ((char **) notes);

          /* a spreadsheet row's notes (a completed project comes in as in
           * progress) go with the row; a release's have their own column */
          if (n_notes > 0 && procura_import_row_get_label (row) == NULL)
            {
              gtk_inscription_set_nat_lines (cell, n_notes);
              text = owned = g_strjoinv ("\n", (char **) notes);
            }
          else
            text = _("Ready to import");
          gtk_widget_add_css_class (GTK_WIDGET (cell), "dim-label");
          gtk_widget_remove_css_class (GTK_WIDGET (cell), "error");
        }
    }

  gtk_inscription_set_text (cell, text);
}

static void
set_column_factory (GtkColumnViewColumn *column,
                    const char          *name)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (setup_cell_cb), (gpointer) name);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_cell_cb), (gpointer) name);
  gtk_column_view_column_set_factory (column, factory);
}

/* ---- GObject -------------------------------------------------------------- */

static void
procura_import_dialog_set_only_problems (ProcuraImportDialog *self,
                                         gboolean             only_problems)
{
  only_problems = !!only_problems;
  if (self->only_problems == only_problems)
    return;

  self->only_problems = only_problems;
  gtk_filter_changed (GTK_FILTER (self->filter),
                      only_problems ? GTK_FILTER_CHANGE_MORE_STRICT : GTK_FILTER_CHANGE_LESS_STRICT);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ONLY_PROBLEMS]);
}

static void
procura_import_dialog_set_store (ProcuraImportDialog *self,
                                 ProcuraStore        *store)
{
  if (store == NULL)
    return;

  g_free (self->data_dir);
  g_free (self->actor);
  g_free (self->today);
  self->data_dir = g_strdup (procura_store_get_data_dir (store));
  self->actor = g_strdup (procura_store_get_actor (store));
  self->today = procura_store_dup_today (store);
}

/* A write is one transaction that ends on its own: the dialog stays to
 * tell how it went. */
static gboolean
procura_import_dialog_close_request (GtkWindow *window)
{
  ProcuraImportDialog *self = PROCURA_IMPORT_DIALOG (window);

  if (self->writing)
    return TRUE;

  return GTK_WINDOW_CLASS (procura_import_dialog_parent_class)->close_request (window);
}

static void
procura_import_dialog_constructed (GObject *object)
{
  ProcuraImportDialog *self = (ProcuraImportDialog *)object;

  G_OBJECT_CLASS (procura_import_dialog_parent_class)->constructed (object);

  start_read (self);
}

static void
procura_import_dialog_dispose (GObject *object)
{
  ProcuraImportDialog *self = (ProcuraImportDialog *)object;

  /* a read still running is let go of; a write runs to its end (it is
   * one transaction either way) */
  self->disposed = TRUE;
  if (self->cancellable != NULL)
    g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_IMPORT_DIALOG);

  G_OBJECT_CLASS (procura_import_dialog_parent_class)->dispose (object);
}

static void
procura_import_dialog_finalize (GObject *object)
{
  ProcuraImportDialog *self = (ProcuraImportDialog *)object;

  g_clear_pointer (&self->import, procura_import_free);
  g_clear_pointer (&self->ocds, procura_ocds_import_free);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_clear_object (&self->shown);
  g_clear_object (&self->filter);
  g_clear_object (&self->rows);
  g_clear_pointer (&self->path, g_free);
  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->actor, g_free);
  g_clear_pointer (&self->today, g_free);
  g_clear_pointer (&self->encoding, g_free);
  g_clear_pointer (&self->unknown, g_strfreev);
  g_clear_pointer (&self->ignored, g_strfreev);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (procura_import_dialog_parent_class)->finalize (object);
}

static void
procura_import_dialog_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ProcuraImportDialog *self = PROCURA_IMPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;

    case PROP_BUSY:
      g_value_set_boolean (value, self->busy);
      break;

    case PROP_ONLY_PROBLEMS:
      g_value_set_boolean (value, self->only_problems);
      break;

    case PROP_N_ROWS:
      g_value_set_uint (value, procura_import_dialog_get_n_rows (self));
      break;

    case PROP_N_PROBLEMS:
      g_value_set_uint (value, self->n_problems);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_import_dialog_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ProcuraImportDialog *self = PROCURA_IMPORT_DIALOG (object);

  switch (prop_id)
    {
    case PROP_PATH:
      self->path = g_value_dup_string (value);
      break;

    case PROP_STORE:
      procura_import_dialog_set_store (self, g_value_get_object (value));
      break;

    case PROP_ONLY_PROBLEMS:
      procura_import_dialog_set_only_problems (self, g_value_get_boolean (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_import_dialog_class_init (ProcuraImportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = procura_import_dialog_constructed;
  object_class->dispose = procura_import_dialog_dispose;
  object_class->finalize = procura_import_dialog_finalize;
  object_class->get_property = procura_import_dialog_get_property;
  object_class->set_property = procura_import_dialog_set_property;

  window_class->close_request = procura_import_dialog_close_request;

  /**
   * ProcuraImportDialog:path:
   *
   * The spreadsheet (CSV or XLSX) or OCDS release package being
   * imported.
   */
  properties [PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraImportDialog:store:
   *
   * The app's store: the workers open the same database, and write
   * under its author and date.
   */
  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, PROCURA_TYPE_STORE,
                         (G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties [PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL, FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraImportDialog:only-problems:
   *
   * Whether the table shows only the rows with problems.
   */
  properties [PROP_ONLY_PROBLEMS] =
    g_param_spec_boolean ("only-problems", NULL, NULL, FALSE,
                          (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties [PROP_N_ROWS] =
    g_param_spec_uint ("n-rows", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_N_PROBLEMS] =
    g_param_spec_uint ("n-problems", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ProcuraImportDialog::imported:
   * @n_written: projects written (for an OCDS package: releases)
   * @n_skipped: rows (releases) left out for their problems
   *
   * The import was written (in one transaction); the dialog closes.
   */
  signals [IMPORTED] =
    g_signal_new ("imported",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/procura-import-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, import_all_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, import_valid_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, busy_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, error_page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, file_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, unknown_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, ignored_row);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, file_icon);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, counts_icon);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, only_problems_check);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, counts_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, column_view);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, line_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, code_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, title_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, agency_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, amount_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, problems_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, release_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, project_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraImportDialog, notes_column);

  gtk_widget_class_install_action (widget_class, "import.all", NULL, import_all_action);
  gtk_widget_class_install_action (widget_class, "import.valid-rows", NULL, import_valid_rows_action);
  gtk_widget_class_install_property_action (widget_class, "import.only-problems", "only-problems");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
procura_import_dialog_init (ProcuraImportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->rows = g_list_store_new (PROCURA_TYPE_IMPORT_ROW);
  self->filter = gtk_custom_filter_new (filter_func, self, NULL);
  self->shown = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->rows)),
                                           g_object_ref (GTK_FILTER (self->filter)));

  set_column_factory (self->line_column, "line");
  set_column_factory (self->code_column, "code");
  set_column_factory (self->title_column, "title");
  set_column_factory (self->agency_column, "agency");
  set_column_factory (self->amount_column, "amount");
  set_column_factory (self->problems_column, "problems");
  set_column_factory (self->release_column, "release");
  set_column_factory (self->project_column, "project");
  set_column_factory (self->notes_column, "notes");

  self->columns = g_ptr_array_new_with_free_func (g_object_unref);
  {
    GtkColumnViewColumn *all[] = {
      self->line_column, self->code_column, self->title_column, self->agency_column, self->amount_column,
      self->problems_column, self->release_column, self->project_column, self->notes_column,
    };

    for (guint i = 0; i < G_N_ELEMENTS (all); i++)
      g_ptr_array_add (self->columns, g_object_ref (all[i]));
  }

  {
    GtkNoSelection *selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->shown)));

    gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (selection));
    g_object_unref (selection);
  }

  show_kind (self);
  set_busy (self, FALSE, NULL);
}

ProcuraImportDialog *
procura_import_dialog_new (GtkWindow    *parent,
                           ProcuraStore *store,
                           const char   *path)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  return g_object_new (PROCURA_TYPE_IMPORT_DIALOG,
                       "transient-for", parent,
                       "store", store,
                       "path", path,
                       NULL);
}

const char *
procura_import_dialog_get_path (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), NULL);

  return self->path;
}

gboolean
procura_import_dialog_get_busy (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), FALSE);

  return self->busy;
}

const char *
procura_import_dialog_get_error_message (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), NULL);

  return self->error_message;
}

gboolean
procura_import_dialog_get_ocds (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), FALSE);

  return self->is_ocds;
}

const char *
procura_import_dialog_get_encoding (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), NULL);

  return self->encoding;
}

const char * const *
procura_import_dialog_get_unknown_columns (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), NULL);

  return (const char * const *) self->unknown;
}

const char * const *
procura_import_dialog_get_ignored_columns (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), NULL);

  return (const char * const *) self->ignored;
}

GListModel *
procura_import_dialog_get_rows (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), NULL);

  return G_LIST_MODEL (self->rows);
}

GListModel *
procura_import_dialog_get_shown_rows (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), NULL);

  return G_LIST_MODEL (self->shown);
}

guint
procura_import_dialog_get_n_rows (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->rows));
}

guint
procura_import_dialog_get_n_problems (ProcuraImportDialog *self)
{
  g_return_val_if_fail (PROCURA_IS_IMPORT_DIALOG (self), 0);

  return self->n_problems;
}
