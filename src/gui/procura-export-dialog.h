/* procura-export-dialog.h — projects out as CSV, an Excel workbook or
 * OCDS JSON
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "procura-store.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_EXPORT_DIALOG (procura_export_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraExportDialog, procura_export_dialog, PROCURA, EXPORT_DIALOG, AdwWindow)

/* n_projects: how many projects there are, for the choice of all of
 * them; shown_ids: the projects the ledger shows (NULL: no choice of them);
 * project_id: the project open in the window (NULL: none). The dialog
 * asks for the format, the table and the projects, then (export.choose-file)
 * for a file; export.to-file does the rest, and ::exported follows. */
ProcuraExportDialog *procura_export_dialog_new            (GtkWindow           *parent,
                                                           ProcuraStore        *store,
                                                           guint                n_projects,
                                                           GPtrArray           *shown_ids,
                                                           const char          *project_id,
                                                           const char          *project_title) G_GNUC_WARN_UNUSED_RESULT;
/* Writes the export chosen to path in a worker (what the file chooser
 * ends in; export.to-file with the path as parameter does the same). */
void                 procura_export_dialog_export_to_path (ProcuraExportDialog *self,
                                                           const char          *path);
/* The file name offered: e.g. 项目台账-2026-11-27.csv */
char                *procura_export_dialog_dup_suggested_name (ProcuraExportDialog *self) G_GNUC_WARN_UNUSED_RESULT;
gboolean             procura_export_dialog_get_busy       (ProcuraExportDialog *self);
/* The message of the last failed export, or NULL. */
const char          *procura_export_dialog_get_error_message (ProcuraExportDialog *self);
/* Whether the OCDS record package can be chosen. */
gboolean             procura_export_dialog_has_record_package (void);

/* The ocds-ocid-prefix setting, or PROCURA_OCDS_DEFAULT_PREFIX. */
char                *procura_export_dup_ocid_prefix       (void) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
