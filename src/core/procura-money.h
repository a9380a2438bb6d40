/* procura-money.h — money as integer 分 (fen)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Largest amount accepted: 10^15 fen (10 trillion yuan) keeps every sum of
 * a district's ledger far inside gint64. */
#define PROCURA_MONEY_MAX G_GINT64_CONSTANT (1000000000000000)

/* Parses what officers type: "1234.56", "1,234.56", "¥1,234.56", "￥1234.56",
 * "1234.56元", "12.5万", "12.5万元", "-300" (only when allow_negative).
 * Surrounding whitespace is ignored. Refuses more than two decimals
 * (after scaling for 万: at most six decimals of 万), overflow, misplaced
 * thousands separators and anything else, with PROCURA_ERROR_INVALID naming
 * field_label (may be NULL → "Amount"). */
gboolean  procura_money_parse          (const char  *text,
                                        gboolean     allow_negative,
                                        const char  *field_label,
                                        gint64      *out_fen,
                                        GError     **error);

/* "¥1,234.56", "-¥300.00" */
char     *procura_money_format         (gint64 fen);
/* "1234.56" — plain, for JSON-free text exports and history values */
char     *procura_money_format_plain   (gint64 fen);
/* "12.35" (万元, two decimals, rounded half away from zero) */
char     *procura_money_format_wan     (gint64 fen);
/* Chinese capital form used on documents: 0 → "零元整",
 * 10 yuan → "壹拾元整", 100000.05 → "壹拾万元零伍分",
 * 1234567.89 → "壹佰贰拾叁万肆仟伍佰陆拾柒元捌角玖分";
 * negative amounts get a leading "负". */
char     *procura_money_format_capital (gint64 fen);

G_END_DECLS
