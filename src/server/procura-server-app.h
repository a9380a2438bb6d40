/* procura-server-app.h — the HTTP interface of procura-server
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "procura-server-storage.h"

G_BEGIN_DECLS

/* Request bodies above this are refused with 413 (PROTOCOL.md). */
#define PROCURA_SERVER_MAX_BODY (8 * 1024 * 1024)
/* JSON nested deeper than this is refused with 400. */
#define PROCURA_SERVER_MAX_DEPTH 64
#define PROCURA_SERVER_MAX_MUTATIONS 500

#define PROCURA_TYPE_SERVER_APP (procura_server_app_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraServerApp, procura_server_app, PROCURA, SERVER_APP, GObject)

/* storage is borrowed: it must outlive the app. tls_certificate may be
 * NULL (plain HTTP). */
ProcuraServerApp *procura_server_app_new    (ProcuraServerStorage  *storage,
                                             GTlsCertificate       *tls_certificate);
/* Listens on host:port (port 0: any free port); *out_url is the URL it
 * actually listens on. */
gboolean          procura_server_app_listen (ProcuraServerApp      *self,
                                             const char            *host,
                                             guint16                port,
                                             char                 **out_url,
                                             GError               **error);

/* Nesting depth of a JSON text, counted without parsing it (so that a
 * hostile body cannot make the parser recurse), or -1 past max_depth. */
int               procura_json_depth        (const char            *text,
                                             gsize                  len,
                                             int                    max_depth);

G_END_DECLS
