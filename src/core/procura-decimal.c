/* procura-decimal.c — exact decimals as integer hundredths
 *
 * Scores and weights are compared and summed exactly, so they are parsed
 * digit by digit into hundredths and never pass through floating point.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>

#include "procura-decimal.h"
#include "procura-error.h"

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

gboolean
procura_decimal_parse (const char  *text,
                       const char  *field_label,
                       gint64      *out_hundredths,
                       GError     **error)
{
  const char *label = field_label != NULL ? field_label : _("Value");
  g_autofree char *norm = NULL;
  const char *p;
  gboolean negative = FALSE;
  gboolean overflow = FALSE;
  guint64 mantissa = 0;
  int int_digits = 0;
  int frac_digits = 0;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* NFKC folds full-width digits, "．" and "％" from Chinese input methods. */
  if (text != NULL)
    {
      norm = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
      if (norm == NULL)
        goto not_number;
    }

  p = norm != NULL ? g_strstrip (norm) : "";
  if (*p == '\0')
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label */
                   _("%s: empty"), label);
      return FALSE;
    }

  if (*p == '-')
    {
      negative = TRUE;
      p++;
    }

  for (; is_digit (*p); p++, int_digits++)
    {
      if (mantissa > (guint64) PROCURA_DECIMAL_MAX)
        overflow = TRUE;
      else
        mantissa = mantissa * 10 + (guint64) (*p - '0');
    }
  if (int_digits == 0)
    goto not_number;

  if (*p == '.')
    {
      p++;
      for (; is_digit (*p); p++, frac_digits++)
        {
          if (mantissa > (guint64) PROCURA_DECIMAL_MAX)
            overflow = TRUE;
          else
            mantissa = mantissa * 10 + (guint64) (*p - '0');
        }
      if (frac_digits == 0)
        goto not_number;
    }

  /* "70%" means 70: the sign only says what the number is about. */
  while (*p == ' ')
    p++;
  if (*p == '%')
    p++;
  if (*p != '\0')
    goto not_number;

  if (frac_digits > 2)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label */
                   _("%s: more than two decimal places"), label);
      return FALSE;
    }
  for (; frac_digits < 2; frac_digits++)
    {
      if (mantissa > (guint64) PROCURA_DECIMAL_MAX)
        overflow = TRUE;
      else
        mantissa *= 10;
    }
  if (overflow || mantissa > (guint64) PROCURA_DECIMAL_MAX)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label */
                   _("%s: too large"), label);
      return FALSE;
    }

  if (out_hundredths != NULL)
    *out_hundredths = negative ? -(gint64) mantissa : (gint64) mantissa;
  return TRUE;

not_number:
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               /* Translators: %s is the field label */
               _("%s: not a number"), label);
  return FALSE;
}

char *
procura_decimal_format (gint64 hundredths)
{
  guint64 mag = hundredths < 0 ? (guint64) (-(hundredths + 1)) + 1
                               : (guint64) hundredths;
  const char *sign = hundredths < 0 ? "-" : "";
  guint frac = (guint) (mag % 100);

  if (frac == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT, sign, mag / 100);
  if (frac % 10 == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%u", sign, mag / 100, frac / 10);
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%02u", sign, mag / 100, frac);
}
