/* procura-project-page.h — one project with everything under it
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

#include "procura-store.h"

G_BEGIN_DECLS

/* One row of the page's history: a field change as shown. */
#define PROCURA_TYPE_HISTORY_ITEM (procura_history_item_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraHistoryItem, procura_history_item, PROCURA, HISTORY_ITEM, GObject)

gint64      procura_history_item_get_change_id   (ProcuraHistoryItem *self);
/* UTC timestamp as stored, and as shown in the local time zone */
const char *procura_history_item_get_at          (ProcuraHistoryItem *self);
const char *procura_history_item_get_time_text   (ProcuraHistoryItem *self);
const char *procura_history_item_get_actor       (ProcuraHistoryItem *self);
const char *procura_history_item_get_op          (ProcuraHistoryItem *self);
const char *procura_history_item_get_entity      (ProcuraHistoryItem *self);
const char *procura_history_item_get_record_id   (ProcuraHistoryItem *self);
/* "Report · Mid-term report" */
const char *procura_history_item_get_record_text (ProcuraHistoryItem *self);
const char *procura_history_item_get_field       (ProcuraHistoryItem *self);
/* "report.state": what history.filter-field takes */
const char *procura_history_item_get_field_key   (ProcuraHistoryItem *self);
const char *procura_history_item_get_field_label (ProcuraHistoryItem *self);
/* canonical values (NULL for null) and what is shown */
const char *procura_history_item_get_old_value   (ProcuraHistoryItem *self);
const char *procura_history_item_get_new_value   (ProcuraHistoryItem *self);
const char *procura_history_item_get_old_text    (ProcuraHistoryItem *self);
const char *procura_history_item_get_new_text    (ProcuraHistoryItem *self);

#define PROCURA_TYPE_PROJECT_PAGE (procura_project_page_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraProjectPage, procura_project_page, PROCURA, PROJECT_PAGE, GtkWidget)

/* Actions (installed on the class, so reachable from the page and its
 * children, or through gtk_widget_activate_action() on the page):
 *
 *   project.edit                 project.set-status (s: state code)
 *   project.reload               record.edit (s: id of any record shown)
 *   amendment.add                milestone.add        milestone.edit (s)
 *   report.add (s: milestone id or "")                report.edit (s)
 *   report.submit (s)            report.accept (s)    report.return (s)
 *   attachment.add (s: report id)                     attachment.open (s)
 *   attachment.copy-hash (s)
 *   payment.add                  payment.record (s)   payment.edit (s)
 *   evaluation.add               indicator.add        indicator-period.add (s: indicator id)
 *   activity.add                 consultation.add
 *   history.filter-field (s: "entity.field" or "")
 *   history.filter-actor (s: person or "")
 *
 * Signals: ::changed after every write the page made (refresh what else
 * shows the project), ::toast (const char *message) with a translated
 * result or error message to show in an AdwToast.
 */
GtkWidget    *procura_project_page_new                 (ProcuraStore       *store) G_GNUC_WARN_UNUSED_RESULT;
ProcuraStore *procura_project_page_get_store           (ProcuraProjectPage *self);
void          procura_project_page_set_store           (ProcuraProjectPage *self,
                                                        ProcuraStore       *store);
const char   *procura_project_page_get_project_id      (ProcuraProjectPage *self);
/* Loads the project and shows it (NULL: the empty state). */
void          procura_project_page_set_project_id      (ProcuraProjectPage *self,
                                                        const char         *project_id);
/* Loads the project again from the store. */
void          procura_project_page_reload              (ProcuraProjectPage *self);
/* The project's title and number, for the window's title; NULL when
 * nothing is shown. */
const char   *procura_project_page_get_title           (ProcuraProjectPage *self);
const char   *procura_project_page_get_code            (ProcuraProjectPage *self);
/* The message of the last failed load, or NULL. */
const char   *procura_project_page_get_error_message   (ProcuraProjectPage *self);

/* "contract", "milestones", "reports", "payments", "performance",
 * "activities", "consultations", "history" */
const char   *procura_project_page_get_section         (ProcuraProjectPage *self);
void          procura_project_page_set_section         (ProcuraProjectPage *self,
                                                        const char         *section);

/* What report.return does after its dialog: state returned with the
 * comment, through the store's write path. */
gboolean      procura_project_page_return_report       (ProcuraProjectPage *self,
                                                        const char         *report_id,
                                                        const char         *comment,
                                                        GError            **error);
/* What attachment.add does for each chosen file: keeps the file in the
 * blob directory and records the attachment. Returns the new
 * attachment's id. */
char         *procura_project_page_add_attachment      (ProcuraProjectPage *self,
                                                        const char         *report_id,
                                                        const char         *path,
                                                        GError            **error) G_GNUC_WARN_UNUSED_RESULT;

/* The history rows shown (filtered), newest first: ProcuraHistoryItem. */
GListModel   *procura_project_page_get_history_model   (ProcuraProjectPage *self);

/* The figures as shown in the header */
const char   *procura_project_page_get_status_text     (ProcuraProjectPage *self);
const char   *procura_project_page_get_value_text      (ProcuraProjectPage *self);
const char   *procura_project_page_get_paid_text       (ProcuraProjectPage *self);
const char   *procura_project_page_get_balance_text    (ProcuraProjectPage *self);
const char   *procura_project_page_get_progress_text   (ProcuraProjectPage *self);
const char   *procura_project_page_get_period_text     (ProcuraProjectPage *self);
const char   *procura_project_page_get_overdue_text    (ProcuraProjectPage *self);
/* The SHA-256 shown for an attachment, NULL when it is not shown. */
const char   *procura_project_page_get_attachment_hash_text (ProcuraProjectPage *self,
                                                             const char         *attachment_id);
/* The state shown for a report, milestone or tranche (its translated
 * label), NULL when it is not shown. */
const char   *procura_project_page_get_state_text      (ProcuraProjectPage *self,
                                                        const char         *record_id);
/* The reviewer's comment shown above a returned report (with its
 * "Resubmit"), NULL when none is shown for it. */
const char   *procura_project_page_get_review_comment_text (ProcuraProjectPage *self,
                                                            const char         *report_id);
/* The message of the last ::toast, or NULL. */
const char   *procura_project_page_get_last_message    (ProcuraProjectPage *self);

G_END_DECLS
