/* procura-project-row.h — one line of the project ledger as a GObject
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

#include <glib-object.h>

#include "procura-query.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_PROJECT_ROW (procura_project_row_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraProjectRow, procura_project_row, PROCURA, PROJECT_ROW, GObject)

/* Takes ownership of row. All properties are read-only: a reload of the
 * ledger replaces the rows. */
ProcuraProjectRow      *procura_project_row_new                (ProcuraLedgerRow        *row) G_GNUC_WARN_UNUSED_RESULT;
const ProcuraLedgerRow *procura_project_row_get_ledger_row     (ProcuraProjectRow       *self);
const char             *procura_project_row_get_id             (ProcuraProjectRow       *self);
const char             *procura_project_row_get_code           (ProcuraProjectRow       *self);
const char             *procura_project_row_get_title          (ProcuraProjectRow       *self);
const char             *procura_project_row_get_agency_name    (ProcuraProjectRow       *self);
const char             *procura_project_row_get_street         (ProcuraProjectRow       *self);
const char             *procura_project_row_get_community      (ProcuraProjectRow       *self);
const char             *procura_project_row_get_place          (ProcuraProjectRow       *self);
const char             *procura_project_row_get_category       (ProcuraProjectRow       *self);
const char             *procura_project_row_get_status         (ProcuraProjectRow       *self);
const char             *procura_project_row_get_status_label   (ProcuraProjectRow       *self);
const char             *procura_project_row_get_next_due       (ProcuraProjectRow       *self);
const char             *procura_project_row_get_grade          (ProcuraProjectRow       *self);
gint64                  procura_project_row_get_value          (ProcuraProjectRow       *self);
gint64                  procura_project_row_get_amended_value  (ProcuraProjectRow       *self);
gint64                  procura_project_row_get_paid           (ProcuraProjectRow       *self);
gint64                  procura_project_row_get_balance        (ProcuraProjectRow       *self);
gint64                  procura_project_row_get_score          (ProcuraProjectRow       *self);
guint                   procura_project_row_get_progress       (ProcuraProjectRow       *self);
guint                   procura_project_row_get_n_overdue      (ProcuraProjectRow       *self);
gboolean                procura_project_row_get_overdue        (ProcuraProjectRow       *self);
int                     procura_project_row_get_budget_year    (ProcuraProjectRow       *self);
/* The year the ledger's year filter uses: the budget year, else the year
 * of the start date; 0 when neither is known. */
int                     procura_project_row_get_year           (ProcuraProjectRow       *self);
/* Computes what the search and the display derive lazily, so that rows
 * built in a worker thread are ready before the main thread sees them. */
void                    procura_project_row_prepare            (ProcuraProjectRow       *self);

/* TRUE when every term (already case-folded with g_utf8_casefold) occurs
 * in the code, title, agency name, street or community. NULL or empty
 * terms match everything. */
gboolean                procura_project_row_matches            (ProcuraProjectRow       *self,
                                                                const char * const      *folded_terms);

/* GCompareDataFunc for GtkCustomSorter: status in workflow order. */
int                     procura_project_row_compare_status     (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);
/* GCompareDataFunc for GtkCustomSorter: next due date, rows without one
 * last. */
int                     procura_project_row_compare_next_due   (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);

/* GCompareDataFunc for GtkCustomSorter: score of the latest final
 * evaluation, projects without one last. */
int                     procura_project_row_compare_score      (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);

/* GCompareDataFunc for GtkCustomSorter, one per ledger column: code;
 * title, agency and place in the locale's collation order; contract
 * value (amendments included), paid and progress. */
int                     procura_project_row_compare_code       (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);
int                     procura_project_row_compare_title      (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);
int                     procura_project_row_compare_agency     (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);
int                     procura_project_row_compare_place      (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);
int                     procura_project_row_compare_value      (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);
int                     procura_project_row_compare_paid       (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);
int                     procura_project_row_compare_progress   (gconstpointer            a,
                                                                gconstpointer            b,
                                                                gpointer                 user_data);

G_END_DECLS
