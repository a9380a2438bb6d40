/* procura-dashboard.h — 工作台: what is due, overdue and waiting, key
 * figures and charts
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

#include "procura-dashboard-query.h"
#include "procura-store.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_DASHBOARD (procura_dashboard_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraDashboard, procura_dashboard, PROCURA, DASHBOARD, GtkWidget)

/* A scrolling page. Activating a row of its lists activates the action
 * "win.open-project" with the project's id (a string parameter), which
 * the window installs. */
GtkWidget                  *procura_dashboard_new           (ProcuraStore     *store);
ProcuraStore               *procura_dashboard_get_store     (ProcuraDashboard *self);
/* Setting a store reloads the dashboard. */
void                        procura_dashboard_set_store     (ProcuraDashboard *self,
                                                             ProcuraStore     *store);
/* Reads everything again, as of the store's today; call after changes.
 * Errors are shown on the page. */
void                        procura_dashboard_reload        (ProcuraDashboard *self);
/* The same, with the queries in a worker thread on a second connection to
 * the store's database; the page updates when they are done. */
void                        procura_dashboard_reload_async  (ProcuraDashboard *self);
void                        procura_dashboard_set_store_async (ProcuraDashboard *self,
                                                               ProcuraStore     *store);
/* What is shown, or NULL (no store, or it could not be read). */
const ProcuraDashboardData *procura_dashboard_get_data      (ProcuraDashboard *self);
/* Items of a list — "overdue", "due-week", "due-later", "review" or
 * "payable" (see procura_dashboard_list_kind_to_string()) — shown as rows
 * or waiting behind the list's "Show All" row. */
guint                       procura_dashboard_get_n_items   (ProcuraDashboard *self,
                                                             const char       *list);

G_END_DECLS
