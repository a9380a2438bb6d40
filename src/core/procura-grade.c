/* procura-grade.c — configurable grade schemes
 *
 * Grade scales differ between localities (优秀/良好/合格/不合格 here,
 * A+ to B in Shenzhen), so a scheme is parsed from text such as
 * "优秀>=90;良好>=80;合格>=60;不合格>=0" rather than hard-coded.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-decimal.h"
#include "procura-error.h"
#include "procura-grade.h"

typedef struct
{
  char   *name;
  gint64  threshold;    /* hundredths, 0–10000 */
} Band;

struct _ProcuraGradeScheme
{
  GArray *bands;        /* of Band, thresholds strictly descending */
};

static void
band_clear (gpointer data)
{
  Band *band = data;

  g_free (band->name);
}

void
procura_grade_scheme_free (ProcuraGradeScheme *scheme)
{
  if (scheme == NULL)
    return;
  g_array_unref (scheme->bands);
  g_free (scheme);
}

static void
scheme_error (GError    **error,
              const char *reason)
{
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               /* Translators: "<field label>: <reason>" */
               _("%s: %s"), _("Grade scheme"), reason);
}

ProcuraGradeScheme *
procura_grade_scheme_parse (const char  *text,
                            GError     **error)
{
  g_autoptr(GArray) bands = NULL;
  g_autofree char *norm = NULL;
  g_auto(GStrv) parts = NULL;
  ProcuraGradeScheme *scheme;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* NFKC folds the full-width "；" and "＞＝" of Chinese input methods;
   * "≥" is accepted below as well. */
  if (text != NULL)
    {
      norm = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
      if (norm == NULL)
        {
          scheme_error (error, _("not valid UTF-8 text"));
          return NULL;
        }
    }
  if (norm == NULL || *g_strstrip (norm) == '\0')
    {
      scheme_error (error, _("empty"));
      return NULL;
    }

  bands = g_array_new (FALSE, TRUE, sizeof (Band));
  g_array_set_clear_func (bands, band_clear);

  parts = g_strsplit (norm, ";", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *part = g_strstrip (parts[i]);
      char *op;
      const char *value;
      g_autofree char *value_label = NULL;
      g_autofree char *reason = NULL;
      GError *local_error = NULL;
      Band band = { NULL, 0 };

      /* A trailing ";" (or a doubled one) is harmless. */
      if (*part == '\0')
        continue;

      if ((op = strstr (part, ">=")) != NULL)
        value = op + strlen (">=");
      else if ((op = strstr (part, "≥")) != NULL)
        value = op + strlen ("≥");
      else
        {
          /* Translators: %s is one band of the scheme; keep ">=" */
          reason = g_strdup_printf (_("“%s” is not of the form grade>=score"), part);
          scheme_error (error, reason);
          return NULL;
        }

      *op = '\0';
      g_strchomp (part);
      if (*part == '\0')
        {
          scheme_error (error, _("a band has no grade name"));
          return NULL;
        }
      for (guint j = 0; j < bands->len; j++)
        if (strcmp (g_array_index (bands, Band, j).name, part) == 0)
          {
            /* Translators: %s is a grade name */
            reason = g_strdup_printf (_("grade “%s” appears twice"), part);
            scheme_error (error, reason);
            return NULL;
          }

      /* Translators: the label of a threshold in error messages */
      value_label = g_strdup_printf (_("Grade scheme, threshold of “%s”"), part);
      if (!procura_decimal_parse (value, value_label, &band.threshold, &local_error))
        {
          g_propagate_error (error, local_error);
          return NULL;
        }
      if (band.threshold < 0 || band.threshold > 10000)
        {
          /* Translators: %s is a grade name */
          reason = g_strdup_printf (_("threshold of “%s” must be between 0 and 100"), part);
          scheme_error (error, reason);
          return NULL;
        }
      if (bands->len > 0)
        {
          const Band *prev = &g_array_index (bands, Band, bands->len - 1);

          if (band.threshold >= prev->threshold)
            {
              g_autofree char *a = procura_decimal_format (band.threshold);
              g_autofree char *b = procura_decimal_format (prev->threshold);

              /* Translators: grade names and their thresholds */
              reason = g_strdup_printf (_("thresholds must go down: "
                                          "“%s” (%s) comes after “%s” (%s)"),
                                        part, a, prev->name, b);
              scheme_error (error, reason);
              return NULL;
            }
        }

      band.name = g_strdup (part);
      g_array_append_val (bands, band);
    }

  if (bands->len == 0)
    {
      scheme_error (error, _("empty"));
      return NULL;
    }
  if (g_array_index (bands, Band, bands->len - 1).threshold != 0)
    {
      scheme_error (error, _("the last grade must start at 0 so that every score gets a grade"));
      return NULL;
    }

  scheme = g_new0 (ProcuraGradeScheme, 1);
  scheme->bands = g_steal_pointer (&bands);
  return scheme;
}

guint
procura_grade_scheme_get_n_bands (const ProcuraGradeScheme *scheme)
{
  g_return_val_if_fail (scheme != NULL, 0);

  return scheme->bands->len;
}

const char *
procura_grade_scheme_get_band_name (const ProcuraGradeScheme *scheme,
                                    guint                     i)
{
  g_return_val_if_fail (scheme != NULL, NULL);
  g_return_val_if_fail (i < scheme->bands->len, NULL);

  return g_array_index (scheme->bands, Band, i).name;
}

gint64
procura_grade_scheme_get_band_threshold (const ProcuraGradeScheme *scheme,
                                         guint                     i)
{
  g_return_val_if_fail (scheme != NULL, 0);
  g_return_val_if_fail (i < scheme->bands->len, 0);

  return g_array_index (scheme->bands, Band, i).threshold;
}

/* Totals above 100 get the top grade; negative totals (which the
 * evaluation rules should never produce) get the bottom one. */
const char *
procura_grade_scheme_grade (const ProcuraGradeScheme *scheme,
                            gint64                    total_hundredths)
{
  guint n;

  g_return_val_if_fail (scheme != NULL, NULL);

  n = scheme->bands->len;
  for (guint i = 0; i < n; i++)
    {
      const Band *band = &g_array_index (scheme->bands, Band, i);

      if (total_hundredths >= band->threshold)
        return band->name;
    }
  return g_array_index (scheme->bands, Band, n - 1).name;
}
