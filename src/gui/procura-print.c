/* procura-print.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "procura-print"

#include "config.h"

#include <math.h>

#include <adwaita.h>
#include <glib/gi18n.h>
#include <pango/pangocairo.h>

#include "procura-print.h"
#include "procura-report.h"

/* The printer and options chosen last, offered again in this session. */
static GtkPrintSettings *last_settings;

/* The document was laid out for A4 in the worker that read it (see
 * read_document_thread()): the print context measures text the same way
 * (72 dpi in points, unhinted metrics), so only the page count is left
 * to give. */
static void
begin_print_cb (GtkPrintOperation     *operation,
                GtkPrintContext       *context,
                ProcuraReportDocument *doc)
{
  /* the document keeps its own margins: it gets the whole sheet */
  double width = gtk_print_context_get_width (context);
  double height = gtk_print_context_get_height (context);

  /* Another sheet than A4 portrait (the user chose Letter, or landscape,
   * in the print dialog): the layout of the worker does not fit it, so
   * it is laid out again here, in the main thread, for that sheet — the
   * window waits for it as it did before layouts moved to the worker. */
  if (fabs (width - PROCURA_REPORT_A4_WIDTH) > 0.5 || fabs (height - PROCURA_REPORT_A4_HEIGHT) > 0.5)
    {
      PangoContext *pango_context = gtk_print_context_create_pango_context (context);

      g_debug ("Laying the report out again for a sheet of %.1f × %.1f pt", width, height);
      procura_report_document_paginate (doc, pango_context, width, height);
      g_object_unref (pango_context);
    }

  gtk_print_operation_set_n_pages (operation, procura_report_document_get_n_pages (doc));
}

static void
draw_page_cb (GtkPrintOperation     *operation,
              GtkPrintContext       *context,
              int                    page_nr,
              ProcuraReportDocument *doc)
{
  procura_report_document_draw_page (doc, gtk_print_context_get_cairo_context (context), page_nr);
}

static void
show_print_error (GtkWindow    *parent,
                  const GError *error)
{
  GtkWidget *dialog = adw_message_dialog_new (parent, _("Could Not Print"), error->message);

  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (dialog), "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Once per operation, whether the failure comes from run() or "done". */
static void
show_operation_error (GtkPrintOperation *operation,
                      GtkWindow         *parent,
                      const GError      *error)
{
  if (error == NULL || g_object_get_data (G_OBJECT (operation), "procura-error-shown") != NULL)
    return;

  g_object_set_data (G_OBJECT (operation), "procura-error-shown", GINT_TO_POINTER (TRUE));
  show_print_error (parent, error);
}

static void
done_cb (GtkPrintOperation       *operation,
         GtkPrintOperationResult  result,
         GtkWindow               *parent)
{
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      g_autoptr(GError) error = NULL;

      gtk_print_operation_get_error (operation, &error);
      show_operation_error (operation, parent, error);
    }
  else if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    {
      g_set_object (&last_settings, gtk_print_operation_get_print_settings (operation));
    }
}

static GtkPageSetup *
a4_page_setup (void)
{
  GtkPageSetup *setup = gtk_page_setup_new ();
  g_autoptr(GtkPaperSize) a4 = gtk_paper_size_new (GTK_PAPER_NAME_A4);

  gtk_page_setup_set_paper_size_and_default_margins (setup, a4);
  gtk_page_setup_set_orientation (setup, GTK_PAGE_ORIENTATION_PORTRAIT);

  return setup;
}

/* Runs the print operation over doc (which it takes): to pdf_path without
 * a dialog, or with the print dialog when pdf_path is NULL. */
static gboolean
run_operation (GtkWindow              *parent,
               ProcuraReportDocument  *doc,
               const char             *pdf_path,
               GError                **error)
{
  g_autoptr(GtkPrintOperation) operation = gtk_print_operation_new ();
  g_autoptr(GtkPageSetup) setup = a4_page_setup ();
  g_autoptr(GError) local_error = NULL;
  GtkPrintOperationResult result;

  /* the operation owns the document: an asynchronous job outlives us */
  g_object_set_data_full (G_OBJECT (operation), "procura-report-document", doc,
                          (GDestroyNotify) procura_report_document_free);

  gtk_print_operation_set_job_name (operation, procura_report_document_get_title (doc));
  gtk_print_operation_set_unit (operation, GTK_UNIT_POINTS);
  /* the document draws its own margins */
  gtk_print_operation_set_use_full_page (operation, TRUE);
  gtk_print_operation_set_default_page_setup (operation, setup);
  gtk_print_operation_set_embed_page_setup (operation, TRUE);
  if (last_settings != NULL && pdf_path == NULL)
    gtk_print_operation_set_print_settings (operation, last_settings);

  g_signal_connect (operation, "begin-print", G_CALLBACK (begin_print_cb), doc);
  g_signal_connect (operation, "draw-page", G_CALLBACK (draw_page_cb), doc);

  if (pdf_path != NULL)
    {
      gtk_print_operation_set_export_filename (operation, pdf_path);
      result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_EXPORT, parent, &local_error);
      if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
        {
          g_autofree char *name = g_filename_display_name (pdf_path);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       _("Could not write “%s”: %s"), name,
                       local_error != NULL ? local_error->message : _("unknown error"));
          return FALSE;
        }

      return TRUE;
    }

  gtk_print_operation_set_allow_async (operation, TRUE);
  gtk_print_operation_set_show_progress (operation, TRUE);
  if (parent != NULL)
    g_signal_connect_object (operation, "done", G_CALLBACK (done_cb), parent, 0);
  else
    g_signal_connect (operation, "done", G_CALLBACK (done_cb), NULL);
  result = gtk_print_operation_run (operation, GTK_PRINT_OPERATION_ACTION_PRINT_DIALOG, parent, &local_error);
  if (result == GTK_PRINT_OPERATION_RESULT_ERROR)
    {
      show_operation_error (operation, parent, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }
  if (result == GTK_PRINT_OPERATION_RESULT_APPLY)
    g_set_object (&last_settings, gtk_print_operation_get_print_settings (operation));

  return TRUE;
}

/* ---- reading the report in a worker ------------------------------------------ */

typedef struct
{
  GtkWindow *parent;     /* weak */
  char      *data_dir;
  char      *today;
  char      *project_id; /* NULL: the district */
  char      *pdf_path;   /* NULL: the print dialog */
} PrintJob;

static void
print_job_free (gpointer data)
{
  PrintJob *job = data;

  g_clear_weak_pointer (&job->parent);
  g_free (job->data_dir);
  g_free (job->today);
  g_free (job->project_id);
  g_free (job->pdf_path);
  g_free (job);
}

/* A district of 20,000 projects takes seconds to read and seconds more to
 * lay out: both happen here, with a connection of the worker's own (a
 * ProcuraStore is not shared between threads). Only the drawing of each
 * page is left to the main thread, as GtkPrintOperation wants.
 *
 * The layout is for A4 with a font map of the document's own rather than
 * pango_cairo_font_map_get_default(): that one is per thread, and the
 * document keeps the font map it was laid out with to draw with it later
 * in the main thread, while this pool thread may use its default font
 * map again for the next job. A font map used by one thread at a time,
 * handed over by the task's return, is safe. */
static void
read_document_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  PrintJob *job = task_data;
  g_autoptr(ProcuraStore) store = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraReportDocument *doc = NULL;

  if ((store = procura_store_open (job->data_dir, &error)) != NULL)
    {
      procura_store_set_today (store, job->today);
      if (job->project_id != NULL)
        doc = procura_report_document_new_project (store, job->project_id, &error);
      else
        doc = procura_report_document_new_district (store, &error);
    }

  if (doc == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (!g_task_return_error_if_cancelled (task))
    {
      g_autoptr(PangoFontMap) font_map = pango_cairo_font_map_new ();
      PangoContext *context = pango_font_map_create_context (font_map);

      /* as gtk_print_context_create_pango_context() with points for units */
      pango_cairo_context_set_resolution (context, 72);
      procura_report_document_paginate (doc, context, PROCURA_REPORT_A4_WIDTH, PROCURA_REPORT_A4_HEIGHT);
      g_object_unref (context);
      g_task_return_pointer (task, g_steal_pointer (&doc), (GDestroyNotify) procura_report_document_free);
    }
  else
    procura_report_document_free (doc);
}

static void
document_read_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PrintJob *job = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  ProcuraReportDocument *doc;

  doc = g_task_propagate_pointer (G_TASK (result), &error);
  if (doc == NULL)
    {
      if (job->pdf_path == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        show_print_error (job->parent, error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (g_task_return_error_if_cancelled (task))
    {
      procura_report_document_free (doc);
      return;
    }

  if (!run_operation (job->parent, doc, job->pdf_path, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_boolean (task, TRUE);
}

void
procura_print_report_async (GtkWindow           *parent,
                            ProcuraStore        *store,
                            const char          *project_id,
                            const char          *pdf_path,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) read = NULL;
  PrintJob *job;

  g_return_if_fail (parent == NULL || GTK_IS_WINDOW (parent));
  g_return_if_fail (PROCURA_IS_STORE (store));

  job = g_new0 (PrintJob, 1);
  g_set_weak_pointer (&job->parent, parent);
  job->data_dir = g_strdup (procura_store_get_data_dir (store));
  job->today = procura_store_dup_today (store);
  job->project_id = g_strdup (project_id);
  job->pdf_path = g_strdup (pdf_path);

  task = g_task_new (parent, cancellable, callback, user_data);
  g_task_set_source_tag (task, procura_print_report_async);
  g_task_set_task_data (task, job, print_job_free);

  read = g_task_new (NULL, cancellable, document_read_cb, g_object_ref (task));
  g_task_set_source_tag (read, read_document_thread);
  g_task_set_task_data (read, job, NULL);
  g_task_run_in_thread (read, read_document_thread);
}

gboolean
procura_print_report_finish (GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
