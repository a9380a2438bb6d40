/* procura-error.h — the error domain of the domain core
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PROCURA_ERROR (procura_error_quark ())

/* Messages always name the field (by its translated label) and the reason,
 * e.g. "Unified social credit code: check character should be “X”". */
typedef enum
{
  PROCURA_ERROR_INVALID,        /* a value breaks a rule of its field or record */
  PROCURA_ERROR_REQUIRED,       /* a required field is missing */
  PROCURA_ERROR_NOT_FOUND,      /* no record with that id */
  PROCURA_ERROR_DUPLICATE,      /* a unique value is taken */
  PROCURA_ERROR_TRANSITION,     /* a workflow transition outside the graph */
  PROCURA_ERROR_LIMIT,          /* a money limit (amendments, payments) */
  PROCURA_ERROR_REFERENCED,     /* delete refused: other records point here */
  PROCURA_ERROR_SCHEMA_TOO_NEW, /* database written by a newer Procura */
  PROCURA_ERROR_STORE,          /* SQLite or file system failure */
  PROCURA_ERROR_CORRUPT,        /* an integrity check failed */
} ProcuraError;

GQuark procura_error_quark (void);

G_END_DECLS
