/* procura-ocds-preserve.h — what an imported OCDS release said, kept and
 * written back on export
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <json-glib/json-glib.h>

#include "procura-ocds-private.h"
#include "procura-store.h"

G_BEGIN_DECLS

/* Called by the exporter with a project's complete release (amounts as
 * integer 分 under "amount", hundredths under "measure", as its writer
 * expects). For a project imported from OCDS the kept release is laid
 * under it: every value Procura still holds as it was after the import
 * keeps the imported text (dates, amounts, currency, ids), values changed
 * in Procura since win, fields Procura does not model are written back.
 * Numbers kept from the import become doubles in the tree; the writer
 * prints them with procura_ocds_preserve_format_number(). A project never
 * imported is left alone. used gains the extensions whose fields the
 * merged release has (kept ones included). On error (a damaged kept release, a failed
 * read) release is left as it was, and with error NULL a warning is
 * logged. */
gboolean    procura_ocds_preserve_apply         (ProcuraStore  *store,
                                                 const char    *project_id,
                                                 JsonObject    *release,
                                                 ProcuraOcdsUsed *used,
                                                 GError       **error);

/* The shortest text that reads back as value; buffer holds
 * G_ASCII_DTOSTR_BUF_SIZE bytes. */
const char *procura_ocds_preserve_format_number (char          *buffer,
                                                 double         value);

/* OCDS merging of a later release into a compiled one (objects by
 * member, arrays of objects by "id", anything else replaced). */
void        procura_ocds_preserve_merge_release (JsonObject    *compiled,
                                                 JsonObject    *release);

/* For the importer (inside its transaction). */
gboolean    _procura_ocds_preserve_find         (ProcuraStore  *store,
                                                 const char    *ocid,
                                                 char         **project_id,
                                                 GError       **error);
/* The kept release and id map of a project (NULLs when none). */
gboolean    _procura_ocds_preserve_load         (ProcuraStore  *store,
                                                 const char    *project_id,
                                                 JsonNode     **release,
                                                 JsonObject   **idmap,
                                                 GError       **error);
/* Keeps release and idmap for the project and, as the baseline, what the
 * exporter makes of the project now. */
gboolean    _procura_ocds_preserve_save         (ProcuraStore  *store,
                                                 const char    *project_id,
                                                 const char    *ocid,
                                                 JsonObject    *release,
                                                 JsonObject    *idmap,
                                                 GError       **error);

G_END_DECLS
