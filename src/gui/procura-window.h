/* procura-window.h — the main window: places sidebar, ledger, project page
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

#pragma once

#include <adwaita.h>

#include "procura-application.h"
#include "procura-query.h"
#include "procura-store.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_WINDOW (procura_window_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraWindow, procura_window, PROCURA, WINDOW, AdwApplicationWindow)

/* Takes the store from the application (see ProcuraWindow:store). */
ProcuraWindow *procura_window_new                (ProcuraApplication *application) G_GNUC_WARN_UNUSED_RESULT;
ProcuraStore  *procura_window_get_store          (ProcuraWindow      *self);
void           procura_window_set_store          (ProcuraWindow      *self,
                                                  ProcuraStore       *store);
/* Lets go of the store everywhere (the places too) without opening
 * another: the application is about to replace the database. */
void           procura_window_release_store      (ProcuraWindow      *self);

/* Places, by name: "dashboard", "ledger", "organizations" and "project"
 * (the project page, see procura_window_open_project()). */
const char    *procura_window_get_place          (ProcuraWindow      *self);
void           procura_window_set_place          (ProcuraWindow      *self,
                                                  const char         *place);
/* Shows the project page of project_id (as win.open-project does). */
void           procura_window_open_project       (ProcuraWindow      *self,
                                                  const char         *project_id);
/* The project on the project page, or NULL. */
const char    *procura_window_get_project_id     (ProcuraWindow      *self);
/* The widget shown for a place: the dashboard, the ledger, the
 * organizations page or the project page. */
GtkWidget     *procura_window_get_place_widget   (ProcuraWindow      *self,
                                                  const char         *place);

/* The ledger */
const char    *procura_window_get_search_text    (ProcuraWindow      *self);
void           procura_window_set_search_text    (ProcuraWindow      *self,
                                                  const char         *search_text);
/* The filter bar's choices (ProcuraWindow:filter-status and friends) as a
 * ledger filter, search left out; the strings belong to the window. */
void           procura_window_get_ledger_filter  (ProcuraWindow      *self,
                                                  ProcuraLedgerFilter *filter);
/* Clears the filter bar (win.clear-filters). */
void           procura_window_clear_filters      (ProcuraWindow      *self);
/* The ledger as shown: sorted and filtered, items are ProcuraProjectRow. */
GListModel    *procura_window_get_ledger_model   (ProcuraWindow      *self);
guint          procura_window_get_n_projects     (ProcuraWindow      *self);
guint          procura_window_get_n_shown        (ProcuraWindow      *self);
/* TRUE while the ledger loads in the background. */
gboolean       procura_window_get_loading        (ProcuraWindow      *self);
/* The message of the last failed load, or NULL. */
const char    *procura_window_get_error_message  (ProcuraWindow      *self);
/* Loads the ledger again, now; FALSE (the error is also shown) on
 * failure. win.reload does the same in the background. */
gboolean       procura_window_reload             (ProcuraWindow      *self,
                                                  GError            **error);
/* Loads the ledger again in a worker thread (ProcuraWindow:loading),
 * and tells the other places to reload. */
void           procura_window_reload_async       (ProcuraWindow      *self);
void           procura_window_add_toast          (ProcuraWindow      *self,
                                                  AdwToast           *toast);

/* Interchange. What win.import-file does (the end of win.import's file
 * chooser): the import preview of path, for roles that may create
 * projects. */
void           procura_window_import_file        (ProcuraWindow      *self,
                                                  const char         *path);
/* win.save-report-pdf ("(ss)": a project id, "" for the district
 * summary, and a path; the end of win.export-pdf's file chooser) draws
 * the report with GtkPrintOperation into a PDF, in the background. */

G_END_DECLS
