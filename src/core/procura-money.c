/* procura-money.c — money as integer 分: parsing, formatting, 大写金额
 *
 * Only integer arithmetic is used: an amount is a gint64 count of fen and
 * every conversion works on decimal digits, so no rounding can creep in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-error.h"
#include "procura-money.h"

#define YEN_SIGN "\xc2\xa5"      /* U+00A5 ¥; NFKC folds U+FFE5 ￥ into it */
#define WAN      "万"
#define YUAN     "元"

/* Magnitude of a gint64 without overflowing on G_MININT64. */
static guint64
magnitude (gint64 v)
{
  return v < 0 ? (guint64) (-(v + 1)) + 1 : (guint64) v;
}

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

static gboolean
skip_prefix (const char **p,
             const char  *prefix)
{
  size_t len = strlen (prefix);

  if (strncmp (*p, prefix, len) != 0)
    return FALSE;
  *p += len;
  return TRUE;
}

static void
skip_spaces (const char **p)
{
  while (**p == ' ' || **p == '\t')
    (*p)++;
}

gboolean
procura_money_parse (const char  *text,
                     gboolean     allow_negative,
                     const char  *field_label,
                     gint64      *out_fen,
                     GError     **error)
{
  const char *label = field_label != NULL ? field_label : _("Amount");
  g_autofree char *norm = NULL;
  const char *p;
  gboolean negative = FALSE;
  gboolean grouped = FALSE;
  gboolean overflow = FALSE;
  guint64 mantissa = 0;
  guint64 factor = 1;
  int int_digits = 0;
  int group_len = 0;
  int frac_digits = -1;   /* -1: no decimal point */
  int max_frac = 2;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* NFKC turns full-width digits, separators, ￥ and the ideographic
   * space that Chinese input methods produce into their ASCII forms. */
  if (text != NULL)
    norm = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  if (text != NULL && norm == NULL)
    goto not_amount;

  p = norm != NULL ? g_strstrip (norm) : "";
  if (*p == '\0')
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label */
                   _("%s: empty"), label);
      return FALSE;
    }

  /* Both "-¥300" (our own output) and "¥-300" are accepted. */
  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }
  if (skip_prefix (&p, YEN_SIGN))
    skip_spaces (&p);
  if (!negative && *p == '-')
    {
      negative = TRUE;
      p++;
    }

  /* Integer part, optionally grouped by threes with commas. */
  for (; is_digit (*p) || *p == ','; p++)
    {
      if (*p == ',')
        {
          /* The first group holds 1–3 digits, every later one exactly 3. */
          if (group_len == 0 || group_len > 3 || (grouped && group_len != 3))
            goto bad_grouping;
          grouped = TRUE;
          group_len = 0;
          continue;
        }
      if (mantissa > (guint64) PROCURA_MONEY_MAX)
        overflow = TRUE;
      else
        mantissa = mantissa * 10 + (guint64) (*p - '0');
      int_digits++;
      group_len++;
    }
  if (grouped && group_len != 3)
    goto bad_grouping;
  if (int_digits == 0)
    goto not_amount;

  if (*p == '.')
    {
      p++;
      frac_digits = 0;
      for (; is_digit (*p); p++)
        {
          if (mantissa > (guint64) PROCURA_MONEY_MAX)
            overflow = TRUE;
          else
            mantissa = mantissa * 10 + (guint64) (*p - '0');
          frac_digits++;
        }
      /* "5." is a typing slip, not an amount. */
      if (frac_digits == 0)
        goto not_amount;
      if (*p == '.')
        {
          g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                       /* Translators: %s is the field label */
                       _("%s: more than one decimal point"), label);
          return FALSE;
        }
      if (*p == ',')
        goto bad_grouping;
    }

  skip_spaces (&p);
  if (skip_prefix (&p, WAN))
    {
      max_frac = 6;
      skip_prefix (&p, YUAN);
    }
  else
    skip_prefix (&p, YUAN);

  if (*p == '.')
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: more than one decimal point"), label);
      return FALSE;
    }
  if (*p != '\0')
    goto not_amount;

  if (frac_digits > max_frac)
    {
      if (max_frac == 2)
        g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                     /* Translators: %s is the field label */
                     _("%s: more than two decimal places"), label);
      else
        g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                     /* Translators: %s is the field label; 万 is ten
                      * thousand yuan, six decimals of it are one fen */
                     _("%s: more than six decimal places of 万 (finer than one fen)"),
                     label);
      return FALSE;
    }

  for (int i = frac_digits < 0 ? 0 : frac_digits; i < max_frac; i++)
    factor *= 10;
  if (overflow || mantissa > (guint64) PROCURA_MONEY_MAX / factor)
    {
      g_autofree char *max = procura_money_format (PROCURA_MONEY_MAX);

      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s are the field label and the maximum */
                   _("%s: too large (at most %s)"), label, max);
      return FALSE;
    }

  if (negative && !allow_negative)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label */
                   _("%s: must not be negative"), label);
      return FALSE;
    }

  if (out_fen != NULL)
    *out_fen = negative ? -(gint64) (mantissa * factor) : (gint64) (mantissa * factor);
  return TRUE;

bad_grouping:
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               /* Translators: %s is the field label */
               _("%s: misplaced thousands separator"), label);
  return FALSE;

not_amount:
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               /* Translators: %s is the field label */
               _("%s: not an amount"), label);
  return FALSE;
}

char *
procura_money_format_plain (gint64 fen)
{
  guint64 mag = magnitude (fen);

  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u",
                          fen < 0 ? "-" : "",
                          mag / 100, (guint) (mag % 100));
}

char *
procura_money_format (gint64 fen)
{
  guint64 mag = magnitude (fen);
  g_autofree char *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, mag / 100);
  size_t len = strlen (digits);
  GString *out = g_string_new (NULL);

  if (fen < 0)
    g_string_append_c (out, '-');
  g_string_append (out, YEN_SIGN);
  for (size_t i = 0; i < len; i++)
    {
      if (i > 0 && (len - i) % 3 == 0)
        g_string_append_c (out, ',');
      g_string_append_c (out, digits[i]);
    }
  g_string_append_printf (out, ".%02u", (guint) (mag % 100));

  return g_string_free (out, FALSE);
}

char *
procura_money_format_wan (gint64 fen)
{
  guint64 mag = magnitude (fen);
  /* hundredths of 万 = fen / 10 000, rounded half away from zero */
  guint64 q = mag / 10000 + (mag % 10000 >= 5000 ? 1 : 0);

  /* no "-0.00" for tiny negative amounts */
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u",
                          fen < 0 && q > 0 ? "-" : "",
                          q / 100, (guint) (q % 100));
}

/* ---- 大写金额 ----
 *
 * Rules, following the PBOC rules for filling in bills (正确填写票据和结算
 * 凭证的基本规定), where they leave a choice the first option below is ours:
 *
 *  - Digits are 零壹贰叁肆伍陆柒捌玖 with 拾佰仟 inside a group of four and
 *    万/亿 between groups; 10 is 壹拾 (the 壹 is never dropped).
 *  - Several zeros in a row are written as a single 零. Zeros only at the end
 *    of a group are not written, since the following 万/亿/元 already fixes
 *    the position: 101000 → 壹拾万壹仟, 100100 → 壹拾万零壹佰,
 *    100010000 → 壹亿零壹万, 1000000001 → 壹拾亿零壹.
 *  - Whole yuan: "元整". With 角 but no 分 the text also ends in 整
 *    (壹拾元叁角整), so nothing can be appended after it. With 分 there
 *    is no 整. A zero 角 before a non-zero 分 is written 零 (壹拾万元零伍分);
 *    a zero 元 digit before a non-zero 角 is not (壹拾元叁角整).
 *  - Amounts under one yuan omit 元 and start at the first non-zero
 *    digit: 0.50 → 伍角整, 0.05 → 伍分, 0.55 → 伍角伍分. Zero is 零元整.
 *  - Negative amounts get a leading 负.
 */

static const char * const capital_digits[] = {
  "零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖",
};
static const char * const capital_units[] = { "", "拾", "佰", "仟" };

/* 1 ≤ n ≤ 9999 */
static void
append_capital_group (GString *out,
                      guint    n)
{
  static const guint powers[] = { 1000, 100, 10, 1 };
  gboolean started = FALSE;
  gboolean pending_zero = FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (powers); i++)
    {
      guint d = (n / powers[i]) % 10;

      if (d == 0)
        {
          pending_zero = started;
          continue;
        }
      if (pending_zero)
        g_string_append (out, capital_digits[0]);
      g_string_append (out, capital_digits[d]);
      g_string_append (out, capital_units[3 - i]);
      started = TRUE;
      pending_zero = FALSE;
    }
}

/* 1 ≤ n < 10^8 */
static void
append_capital_below_yi (GString *out,
                         guint64  n)
{
  guint high = (guint) (n / 10000);
  guint low = (guint) (n % 10000);

  if (high > 0)
    {
      append_capital_group (out, high);
      g_string_append (out, "万");
      if (low == 0)
        return;
      if (low < 1000)
        g_string_append (out, capital_digits[0]);
    }
  append_capital_group (out, low);
}

/* n ≥ 1; 亿 groups nest, so 10^12 is 壹万亿 and 10^16 壹亿亿. */
static void
append_capital_integer (GString *out,
                        guint64  n)
{
  guint64 high = n / 100000000;
  guint64 low = n % 100000000;

  if (high > 0)
    {
      append_capital_integer (out, high);
      g_string_append (out, "亿");
      if (low == 0)
        return;
      if (low < 10000000)
        g_string_append (out, capital_digits[0]);
    }
  append_capital_below_yi (out, low);
}

char *
procura_money_format_capital (gint64 fen)
{
  guint64 mag = magnitude (fen);
  guint64 yuan = mag / 100;
  guint jiao = (guint) (mag / 10 % 10);
  guint fen_digit = (guint) (mag % 10);
  GString *out = g_string_new (NULL);

  if (mag == 0)
    {
      g_string_append (out, "零元整");
      return g_string_free (out, FALSE);
    }

  if (fen < 0)
    g_string_append (out, "负");

  if (yuan > 0)
    {
      append_capital_integer (out, yuan);
      g_string_append (out, "元");
    }

  if (jiao > 0)
    {
      g_string_append (out, capital_digits[jiao]);
      g_string_append (out, "角");
    }
  else if (yuan > 0 && fen_digit > 0)
    g_string_append (out, capital_digits[0]);

  if (fen_digit > 0)
    {
      g_string_append (out, capital_digits[fen_digit]);
      g_string_append (out, "分");
    }
  else
    g_string_append (out, "整");

  return g_string_free (out, FALSE);
}
