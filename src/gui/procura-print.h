/* procura-print.h — the printable reports through GtkPrintOperation
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "procura-store.h"

G_BEGIN_DECLS

/* The report of project_id (NULL: the district summary), read from the
 * store's database and laid out for A4 by procura-report.h in a worker,
 * then drawn by a GtkPrintOperation (laid out again in the main thread
 * only for another paper chosen in the print dialog). With pdf_path
 * NULL the print dialog is shown and the job runs on its own (its errors
 * are shown to the user); else the pages are exported to pdf_path as PDF
 * without a dialog, and the finish function reports a failure. The
 * finish comes once the document is ready and the dialog shown, or the
 * PDF written: until then the user waits for the report. */
void     procura_print_report_async  (GtkWindow            *parent,
                                      ProcuraStore         *store,
                                      const char           *project_id,
                                      const char           *pdf_path,
                                      GCancellable         *cancellable,
                                      GAsyncReadyCallback   callback,
                                      gpointer              user_data);
gboolean procura_print_report_finish (GAsyncResult         *result,
                                      GError              **error);

G_END_DECLS
