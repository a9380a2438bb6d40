/* procura-window.h — the main window: places sidebar and the project ledger
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
#include "procura-store.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_WINDOW (procura_window_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraWindow, procura_window, PROCURA, WINDOW, AdwApplicationWindow)

/* Takes the store from the application (see ProcuraWindow:store). */
ProcuraWindow *procura_window_new                (ProcuraApplication *application) G_GNUC_WARN_UNUSED_RESULT;
ProcuraStore  *procura_window_get_store          (ProcuraWindow      *self);
void           procura_window_set_store          (ProcuraWindow      *self,
                                                  ProcuraStore       *store);
const char    *procura_window_get_place          (ProcuraWindow      *self);
void           procura_window_set_place          (ProcuraWindow      *self,
                                                  const char         *place);
const char    *procura_window_get_search_text    (ProcuraWindow      *self);
void           procura_window_set_search_text    (ProcuraWindow      *self,
                                                  const char         *search_text);
/* The ledger as shown: sorted and filtered, items are ProcuraProjectRow. */
GListModel    *procura_window_get_ledger_model   (ProcuraWindow      *self);
guint          procura_window_get_n_projects     (ProcuraWindow      *self);
guint          procura_window_get_n_shown        (ProcuraWindow      *self);
/* The message of the last failed load, or NULL. */
const char    *procura_window_get_error_message  (ProcuraWindow      *self);
/* Loads the ledger again; FALSE (the error is also shown) on failure. */
gboolean       procura_window_reload             (ProcuraWindow      *self,
                                                  GError            **error);
void           procura_window_add_toast          (ProcuraWindow      *self,
                                                  AdwToast           *toast);

G_END_DECLS
