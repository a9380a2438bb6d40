/* procura-audit-window.h — the server's audit log and its verification
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "procura-audit.h"

G_BEGIN_DECLS

/* One entry of the log as the window shows it. */
#define PROCURA_TYPE_AUDIT_LOG_ITEM (procura_audit_log_item_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraAuditLogItem, procura_audit_log_item, PROCURA, AUDIT_LOG_ITEM, GObject)

gint64      procura_audit_log_item_get_seq         (ProcuraAuditLogItem *self);
/* the UTC timestamp as stored, and as people read it (local time) */
const char *procura_audit_log_item_get_at          (ProcuraAuditLogItem *self);
const char *procura_audit_log_item_get_time_text   (ProcuraAuditLogItem *self);
const char *procura_audit_log_item_get_actor       (ProcuraAuditLogItem *self);
const char *procura_audit_log_item_get_action      (ProcuraAuditLogItem *self);
/* "report 0190…", or NULL */
const char *procura_audit_log_item_get_record_text (ProcuraAuditLogItem *self);
const char *procura_audit_log_item_get_status      (ProcuraAuditLogItem *self);
const char *procura_audit_log_item_get_detail      (ProcuraAuditLogItem *self);

#define PROCURA_TYPE_AUDIT_WINDOW (procura_audit_window_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraAuditWindow, procura_audit_window, PROCURA, AUDIT_WINDOW, AdwWindow)

/* The whole audit log of the server this data directory syncs with
 * (account.json: server and token), fetched page by page in a worker
 * thread when the window is made, shown with filters by person and
 * action, and verified with the same code as `procura-server audit
 * verify` (procura-audit.h). Without a server account it says that the
 * log lives on the server; for an agency account (no access) it says so.
 *
 * Actions: audit.reload (F5, Ctrl+R) fetches and verifies again;
 * audit.filter-actor (s: person or ""), audit.filter-action (s: action
 * or ""); window.close (Escape). */
ProcuraAuditWindow *procura_audit_window_new           (GtkWindow          *parent,
                                                        const char         *data_dir) G_GNUC_WARN_UNUSED_RESULT;
void                procura_audit_window_reload        (ProcuraAuditWindow *self);
/* TRUE while fetching and verifying (ProcuraAuditWindow:loading). */
gboolean            procura_audit_window_get_loading   (ProcuraAuditWindow *self);
/* What is shown: "loading", "log", "no-account", "forbidden" or "error". */
const char         *procura_audit_window_get_state     (ProcuraAuditWindow *self);
/* The verdict as shown ("The log is intact: 42 entries", "Entry 7 was
 * altered", …), or the error message; NULL while loading. */
const char         *procura_audit_window_get_message   (ProcuraAuditWindow *self);
/* The verification's report; FALSE when no log was verified. */
gboolean            procura_audit_window_get_report    (ProcuraAuditWindow *self,
                                                        ProcuraAuditReport *report);
/* The entries shown (filtered), in log order: ProcuraAuditLogItem. */
GListModel         *procura_audit_window_get_model     (ProcuraAuditWindow *self);

/* Whether the account may open the audit log at all (for the window's
 * menu item: admin, officer, auditor; a local ledger too, to learn that
 * the log lives on the server). role as procura_application_get_role(). */
gboolean            procura_audit_window_is_available  (const char         *role);

G_END_DECLS
