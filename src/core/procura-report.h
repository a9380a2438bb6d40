/* procura-report.h — the printable PDF report of a project
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "procura-store.h"

G_BEGIN_DECLS

/* Writes the report of a project (id or project number) as an A4 PDF to
 * path, atomically: a temporary file beside path, then a rename. Labels
 * follow the current locale. PROCURA_ERROR_NOT_FOUND for an unknown
 * project; a G_IO_ERROR / G_FILE_ERROR naming path when it cannot be
 * written. */
gboolean procura_report_write_pdf (ProcuraStore  *store,
                                   const char    *project,
                                   const char    *path,
                                   GError       **error);

G_END_DECLS
