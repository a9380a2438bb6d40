/* procura-organizations-page.h — 承接机构: the organizations and, for the
 * one selected, its registration, contacts and projects
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

#include "procura-organizations-query.h"
#include "procura-store.h"

G_BEGIN_DECLS

/* One line of the organizations list as a GObject: what the page's list
 * model holds. Read-only; a reload replaces the items. */
#define PROCURA_TYPE_ORGANIZATION_ITEM (procura_organization_item_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraOrganizationItem, procura_organization_item, PROCURA, ORGANIZATION_ITEM, GObject)

const ProcuraOrganizationRow *procura_organization_item_get_row (ProcuraOrganizationItem *self);
const char                   *procura_organization_item_get_id  (ProcuraOrganizationItem *self);

#define PROCURA_TYPE_ORGANIZATIONS_PAGE (procura_organizations_page_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraOrganizationsPage, procura_organizations_page, PROCURA, ORGANIZATIONS_PAGE, GtkWidget)

/* The page loads the organizations when it gets a store, and again when
 * it is shown after having been hidden (figures change as projects do).
 *
 * Actions (installed on the page):
 *   organizations.add             opens the record editor for a new
 *                                 organization; selects it once saved
 *   organizations.edit    (s id)  opens the record editor on it
 *   organizations.select  (s id)  selects it (clearing a search that hides
 *                                 it) and shows its details
 * Activating a project of the selected organization activates
 * win.open-project (s project id). */
GtkWidget    *procura_organizations_page_new               (ProcuraStore             *store) G_GNUC_WARN_UNUSED_RESULT;
ProcuraStore *procura_organizations_page_get_store         (ProcuraOrganizationsPage *self);
void          procura_organizations_page_set_store         (ProcuraOrganizationsPage *self,
                                                            ProcuraStore             *store);
/* Loads the organizations again, keeping the selection and the search;
 * FALSE (the error is also shown on the page) on failure. */
gboolean      procura_organizations_page_reload            (ProcuraOrganizationsPage *self,
                                                            GError                  **error);
const char   *procura_organizations_page_get_search_text   (ProcuraOrganizationsPage *self);
/* Fills the search entry and filters at once. */
void          procura_organizations_page_set_search_text   (ProcuraOrganizationsPage *self,
                                                            const char               *search_text);
/* The id of the selected organization, or NULL. */
const char   *procura_organizations_page_get_selected_id   (ProcuraOrganizationsPage *self);
/* As organizations.select; FALSE when no live organization has that id
 * (NULL unselects). */
gboolean      procura_organizations_page_select            (ProcuraOrganizationsPage *self,
                                                            const char               *id);
/* The list as shown, sorted and filtered; items are
 * ProcuraOrganizationItem. */
GListModel   *procura_organizations_page_get_model         (ProcuraOrganizationsPage *self);
/* The projects shown for the selected organization, the newest number
 * first; items are ProcuraProjectRow. */
GListModel   *procura_organizations_page_get_projects      (ProcuraOrganizationsPage *self);
guint         procura_organizations_page_get_n_organizations (ProcuraOrganizationsPage *self);
guint         procura_organizations_page_get_n_shown       (ProcuraOrganizationsPage *self);

G_END_DECLS
