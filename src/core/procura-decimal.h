/* procura-decimal.h — exact decimals as integer hundredths
 *
 * Scores, weights and indicator values are never floating point: 85.5 is
 * stored as 8550.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PROCURA_DECIMAL_MAX G_GINT64_CONSTANT (100000000000000)

/* "85", "85.5", "-3.25", "70%" (the % sign is accepted and ignored).
 * More than two decimals, overflow and garbage are refused naming field_label. */
gboolean  procura_decimal_parse  (const char  *text,
                                  const char  *field_label,
                                  gint64      *out_hundredths,
                                  GError     **error);
/* Shortest exact form: 8550 → "85.5", 8500 → "85", -325 → "-3.25" */
char     *procura_decimal_format (gint64 hundredths);

G_END_DECLS
