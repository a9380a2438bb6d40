/* procura-import-dialog.h — the preview of a spreadsheet of projects
 * before it is imported
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "procura-store.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_IMPORT_DIALOG (procura_import_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraImportDialog, procura_import_dialog, PROCURA, IMPORT_DIALOG, AdwWindow)

/* Reads path (CSV or XLSX, or an OCDS release package) and checks every
 * row (release) against the store in a worker, writing nothing; the
 * dialog then lists every row with its problems (a release also with its
 * notes). import.all and import.valid-rows write; ::imported follows. */
ProcuraImportDialog *procura_import_dialog_new              (GtkWindow           *parent,
                                                             ProcuraStore        *store,
                                                             const char          *path) G_GNUC_WARN_UNUSED_RESULT;
const char          *procura_import_dialog_get_path         (ProcuraImportDialog *self);
/* TRUE while a worker reads, checks or writes. */
gboolean             procura_import_dialog_get_busy         (ProcuraImportDialog *self);
/* Why the file could not be read or written, or NULL. */
const char          *procura_import_dialog_get_error_message (ProcuraImportDialog *self);
/* TRUE when the file read is an OCDS release package (its rows are
 * releases; no encoding nor columns). */
gboolean             procura_import_dialog_get_ocds         (ProcuraImportDialog *self);
const char          *procura_import_dialog_get_encoding     (ProcuraImportDialog *self);
const char * const  *procura_import_dialog_get_unknown_columns (ProcuraImportDialog *self);
const char * const  *procura_import_dialog_get_ignored_columns (ProcuraImportDialog *self);
/* Every row (ProcuraImportRow), and the rows the table shows (all, or
 * with ProcuraImportDialog:only-problems those with problems). */
GListModel          *procura_import_dialog_get_rows         (ProcuraImportDialog *self);
GListModel          *procura_import_dialog_get_shown_rows   (ProcuraImportDialog *self);
guint                procura_import_dialog_get_n_rows       (ProcuraImportDialog *self);
guint                procura_import_dialog_get_n_problems   (ProcuraImportDialog *self);

G_END_DECLS
