/* procura-uscc.h — 统一社会信用代码 (GB 32100-2015)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Validates an 18-character unified social credit code: length, the
 * character set (no I, O, S, V, Z), the registration authority and
 * category characters, six digits of division code, the GB 11714 check on
 * characters 9–17 and the GB 32100 check character 18. Lower-case input is
 * refused (codes are printed in capitals). On failure PROCURA_ERROR_INVALID
 * says which rule failed and, for check characters, what was expected. */
gboolean  procura_uscc_validate          (const char  *code,
                                          GError     **error);
/* The check character for the first 17 characters, or 0 if they contain a
 * character outside the set. */
char      procura_uscc_check_char        (const char  *first17);
/* The GB 11714 check character for the 8-character body (chars 9–16),
 * or 0 if invalid. */
char      procura_uscc_org_check_char    (const char  *body8);
/* Translated name of the registration authority (char 1), e.g. "民政". */
const char *procura_uscc_authority_label (const char  *code);
/* Translated name of the organization category (chars 1–2), e.g. "民办非企业单位". */
const char *procura_uscc_category_label  (const char  *code);

G_END_DECLS
