/* procura-uscc.c — 统一社会信用代码 (GB 32100-2015) validation
 *
 * Structure: [1] registration authority, [2] organization category,
 * [3–8] GB/T 2260 division code, [9–17] organization code whose last
 * character is its own GB 11714 check, [18] GB 32100 check character.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include "procura-error.h"
#include "procura-uscc.h"

/* The 31 characters of GB 32100; a character's value is its index.
 * I, O, S, V and Z are left out because they are easily misread. */
static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

typedef struct
{
  char        code;
  const char *label;
} Label;

typedef struct
{
  char         code;
  const char  *label;
  const Label *categories;   /* terminated by { 0, NULL } */
} Authority;

/* Registration authorities and their categories as assigned by the
 * national code centre. GB 32100-2015 itself names only 1, 5, 9 and Y; the
 * others were assigned later (G is the public-security organs, which
 * register representative offices of overseas NGOs since 2017). A code
 * outside this table cannot have been issued, so it is refused. */
static const Label cat_establishment[] = {
  { '1', N_("Government agency") },
  { '2', N_("Public institution") },
  { '3', N_("Mass organization") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_foreign[] = {
  { '1', N_("Resident office of a foreign news agency") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_justice[] = {
  { '1', N_("Law firm") },
  { '2', N_("Notary office") },
  { '3', N_("Grassroots legal service office") },
  { '4', N_("Forensic appraisal institution") },
  { '5', N_("Arbitration commission") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_culture[] = {
  { '1', N_("Foreign cultural centre") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_civil[] = {
  { '1', N_("Social organization") },
  { '2', N_("Private non-enterprise unit") },
  { '3', N_("Foundation") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_tourism[] = {
  { '1', N_("Resident office of a foreign tourism authority") },
  { '2', N_("Resident office of a Hong Kong, Macao or Taiwan tourism authority") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_religion[] = {
  { '1', N_("Religious venue") },
  { '2', N_("Religious college") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_union[] = {
  { '1', N_("Grassroots trade union") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_commerce[] = {
  { '1', N_("Enterprise") },
  { '2', N_("Individual business") },
  { '3', N_("Farmers' cooperative") },
  { 0, NULL },
};
static const Label cat_military[] = {
  { '1', N_("Military public institution") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_public_security[] = {
  { '1', N_("Representative office of an overseas NGO") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_agriculture[] = {
  { '1', N_("Group-level collective economic organization") },
  { '2', N_("Village-level collective economic organization") },
  { '3', N_("Township-level collective economic organization") },
  { '9', N_("Other") },
  { 0, NULL },
};
static const Label cat_other[] = {
  { '1', N_("Other") },
  { 0, NULL },
};

static const Authority authorities[] = {
  { '1', N_("Establishment administration"), cat_establishment },
  { '2', N_("Foreign affairs"), cat_foreign },
  { '3', N_("Justice administration"), cat_justice },
  { '4', N_("Culture"), cat_culture },
  { '5', N_("Civil affairs"), cat_civil },
  { '6', N_("Tourism"), cat_tourism },
  { '7', N_("Religious affairs"), cat_religion },
  { '8', N_("Trade unions"), cat_union },
  { '9', N_("Market regulation"), cat_commerce },
  { 'A', N_("Central Military Commission establishment office"), cat_military },
  { 'G', N_("Public security"), cat_public_security },
  { 'N', N_("Agriculture and rural affairs"), cat_agriculture },
  { 'Y', N_("Other"), cat_other },
};

static const Authority *
find_authority (char c)
{
  for (guint i = 0; i < G_N_ELEMENTS (authorities); i++)
    if (authorities[i].code == c)
      return &authorities[i];
  return NULL;
}

static const Label *
find_category (const Authority *authority,
               char             c)
{
  for (const Label *l = authority->categories; l->label != NULL; l++)
    if (l->code == c)
      return l;
  return NULL;
}

/* Value of c in the GB 32100 set, or -1. */
static int
charset_value (char c)
{
  const char *hit;

  if (c == '\0')
    return -1;
  hit = strchr (charset, c);
  return hit != NULL ? (int) (hit - charset) : -1;
}

char
procura_uscc_check_char (const char *first17)
{
  int sum = 0;
  int weight = 1;

  g_return_val_if_fail (first17 != NULL, 0);

  /* Weights are 3^(i−1) mod 31, i.e. 1, 3, 9, 27, 19, 26, … */
  for (int i = 0; i < 17; i++)
    {
      int v = charset_value (first17[i]);

      if (v < 0)
        return 0;
      sum += v * weight;
      weight = weight * 3 % 31;
    }

  return charset[(31 - sum % 31) % 31];
}

char
procura_uscc_org_check_char (const char *body8)
{
  static const int weights[8] = { 3, 7, 9, 10, 5, 8, 4, 2 };
  int sum = 0;
  int r;

  g_return_val_if_fail (body8 != NULL, 0);

  /* GB 11714 values: digits 0–9, A–Z 10–35. */
  for (int i = 0; i < 8; i++)
    {
      char c = body8[i];
      int v;

      if (c >= '0' && c <= '9')
        v = c - '0';
      else if (c >= 'A' && c <= 'Z')
        v = c - 'A' + 10;
      else
        return 0;
      sum += v * weights[i];
    }

  r = 11 - sum % 11;
  if (r == 10)
    return 'X';
  if (r == 11)
    return '0';
  return (char) ('0' + r);
}

static gboolean
fail (GError    **error,
      const char *reason)
{
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               /* Translators: "<field label>: <reason>" */
               _("%s: %s"), _("Unified social credit code"), reason);
  return FALSE;
}

gboolean
procura_uscc_validate (const char  *code,
                       GError     **error)
{
  const Authority *authority;
  g_autofree char *reason = NULL;
  glong n_chars;
  char expected;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (code == NULL || *code == '\0')
    return fail (error, _("empty"));
  if (!g_utf8_validate (code, -1, NULL))
    return fail (error, _("contains invalid characters"));

  n_chars = g_utf8_strlen (code, -1);
  if (n_chars != 18)
    {
      /* Translators: %ld is the number of characters typed */
      reason = g_strdup_printf (_("must be 18 characters, not %ld"), n_chars);
      return fail (error, reason);
    }

  for (const char *p = code; *p != '\0'; p = g_utf8_next_char (p))
    {
      if (*p >= 'a' && *p <= 'z')
        return fail (error, _("letters must be capitals"));
      if (charset_value (*p) < 0)
        {
          g_autofree char *ch = g_strndup (p, (gsize) (g_utf8_next_char (p) - p));

          if (strchr ("IOSVZ", *p) != NULL)
            /* Translators: %s is a letter of the code */
            reason = g_strdup_printf (_("“%s” is not used in credit codes "
                                        "(I, O, S, V and Z never are)"), ch);
          else
            /* Translators: %s is a character of the code */
            reason = g_strdup_printf (_("“%s” is not allowed"), ch);
          return fail (error, reason);
        }
    }
  /* From here on the code is 18 ASCII characters. */

  authority = find_authority (code[0]);
  if (authority == NULL)
    {
      reason = g_strdup_printf (_("unknown registration authority “%c”"), code[0]);
      return fail (error, reason);
    }
  if (find_category (authority, code[1]) == NULL)
    {
      reason = g_strdup_printf (_("unknown organization category “%c” "
                                  "for registration authority “%c”"),
                                code[1], code[0]);
      return fail (error, reason);
    }

  for (int i = 2; i < 8; i++)
    if (code[i] < '0' || code[i] > '9')
      return fail (error, _("characters 3 to 8 must be digits (division code)"));

  expected = procura_uscc_org_check_char (code + 8);
  if (expected != code[16])
    {
      reason = g_strdup_printf (_("organization code check character should be “%c”"),
                                expected);
      return fail (error, reason);
    }

  expected = procura_uscc_check_char (code);
  if (expected != code[17])
    {
      reason = g_strdup_printf (_("check character should be “%c”"), expected);
      return fail (error, reason);
    }

  return TRUE;
}

const char *
procura_uscc_authority_label (const char *code)
{
  const Authority *authority;

  if (code == NULL || *code == '\0')
    return NULL;
  authority = find_authority (code[0]);
  return authority != NULL ? _(authority->label) : NULL;
}

const char *
procura_uscc_category_label (const char *code)
{
  const Authority *authority;
  const Label *category;

  if (code == NULL || code[0] == '\0' || code[1] == '\0')
    return NULL;
  authority = find_authority (code[0]);
  if (authority == NULL)
    return NULL;
  category = find_category (authority, code[1]);
  return category != NULL ? _(category->label) : NULL;
}
