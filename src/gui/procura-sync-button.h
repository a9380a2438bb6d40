/* procura-sync-button.h — the header bar's sync status and its popover
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

#include "procura-sync-agent.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_SYNC_BUTTON (procura_sync_button_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraSyncButton, procura_sync_button, PROCURA, SYNC_BUTTON, GtkWidget)

ProcuraSyncAgent *procura_sync_button_get_agent (ProcuraSyncButton *self);
void              procura_sync_button_set_agent (ProcuraSyncButton *self,
                                                 ProcuraSyncAgent  *agent);
/* What the button says, e.g. "Synced" or "3 Conflicts" */
const char       *procura_sync_button_get_label (ProcuraSyncButton *self);
/* The popover's sentence about the state */
const char       *procura_sync_button_get_detail (ProcuraSyncButton *self);

/* The short label and the icon of the agent's state (also used by the
 * account dialog). */
char             *procura_sync_status_dup_label (ProcuraSyncAgent  *agent,
                                                 const char       **out_icon_name);
/* A sentence about the state, with the last error when there is one. */
char             *procura_sync_status_dup_detail (ProcuraSyncAgent *agent);
/* "Last synced 27 Nov 2026 13:32", or NULL before the first run. */
char             *procura_sync_status_dup_last_synced (ProcuraSyncAgent *agent);

G_END_DECLS
