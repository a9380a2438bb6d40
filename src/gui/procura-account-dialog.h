/* procura-account-dialog.h — logging in to a sync server, and the account
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <adwaita.h>

#include "procura-application.h"

G_BEGIN_DECLS

#define PROCURA_TYPE_ACCOUNT_DIALOG (procura_account_dialog_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraAccountDialog, procura_account_dialog, PROCURA, ACCOUNT_DIALOG, AdwWindow)

GtkWidget      *procura_account_dialog_new          (ProcuraApplication   *application,
                                                     GtkWindow            *parent);
/* "login" or "account": what the dialog shows */
const char     *procura_account_dialog_get_page     (ProcuraAccountDialog *self);
/* TRUE while a login or logout is under way */
gboolean        procura_account_dialog_get_busy     (ProcuraAccountDialog *self);
/* The error under the login form, or NULL */
const char     *procura_account_dialog_get_error    (ProcuraAccountDialog *self);
/* The question asked after a login onto records made on this computer
 * (responses "send", "empty" and "cancel"), while it is open; else NULL. */
AdwMessageDialog *procura_account_dialog_get_question (ProcuraAccountDialog *self);

G_END_DECLS
