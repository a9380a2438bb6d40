/* procura-import-row.h — one row of a spreadsheet, or one release of an
 * OCDS package, being imported, as the preview shows it
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

#define PROCURA_TYPE_IMPORT_ROW (procura_import_row_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraImportRow, procura_import_row, PROCURA, IMPORT_ROW, GObject)

/* A copy of what the preview needs, so that the dialog never touches the
 * import while a worker runs it. Texts may be NULL; problems NULL or
 * empty for a good row. */
ProcuraImportRow   *procura_import_row_new          (guint               line,
                                                     const char         *code,
                                                     const char         *title,
                                                     const char         *agency,
                                                     const char         *amount,
                                                     const char * const *problems,
                                                     const char * const *notes) G_GNUC_WARN_UNUSED_RESULT;
guint               procura_import_row_get_line     (ProcuraImportRow   *self);
const char         *procura_import_row_get_code     (ProcuraImportRow   *self);
const char         *procura_import_row_get_title    (ProcuraImportRow   *self);
const char         *procura_import_row_get_agency   (ProcuraImportRow   *self);
const char         *procura_import_row_get_amount   (ProcuraImportRow   *self);
/* NULL-terminated; empty for a good row. */
const char * const *procura_import_row_get_problems (ProcuraImportRow   *self);
gboolean            procura_import_row_has_problems (ProcuraImportRow   *self);

/* A release of an OCDS package: label "ocid / release id"; project the
 * number of the existing project it updates, or NULL for a new one;
 * problem NULL when good; notes (NULL or NULL-terminated) what the
 * ledger's rules left out of it, which are not problems. line is the
 * release's place in the package, from 1. */
ProcuraImportRow   *procura_import_row_new_release  (guint               line,
                                                     const char         *label,
                                                     const char         *project,
                                                     const char         *problem,
                                                     const char * const *notes) G_GNUC_WARN_UNUSED_RESULT;
/* NULL for a spreadsheet row. */
const char         *procura_import_row_get_label    (ProcuraImportRow   *self);
const char         *procura_import_row_get_project  (ProcuraImportRow   *self);
/* NULL-terminated; empty when none (and for a spreadsheet row). */
const char * const *procura_import_row_get_notes    (ProcuraImportRow   *self);

G_END_DECLS
