/* test-uscc.c — 统一社会信用代码 (GB 32100-2015 / GB 11714)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "procura-error.h"
#include "procura-uscc.h"

static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* The domain reference's vectors, all of which pass both checks. The one
 * starting with G is a public-security registration (representative office
 * of an overseas NGO, Shaanxi): G is in the character set and an assigned
 * authority, so it is valid. */
static const char * const valid_codes[] = {
  "9144030071526726XG",
  "52420000MJH233402K",
  "53420000MJH2448303",
  "G1610000713522976L",
};

static void
test_valid (gconstpointer data)
{
  const char *code = data;
  g_autoptr(GError) error = NULL;

  g_assert_true (procura_uscc_validate (code, &error));
  g_assert_no_error (error);
  g_assert_cmpint (procura_uscc_check_char (code), ==, code[17]);
  g_assert_cmpint (procura_uscc_org_check_char (code + 8), ==, code[16]);
}

typedef struct
{
  const char *code;
  const char *reason;
} Bad;

static const Bad invalid_codes[] = {
  { NULL, "empty" },
  { "", "empty" },
  { "9144030071526726X", "must be 18 characters, not 17" },
  { "9144030071526726XGG", "must be 18 characters, not 19" },
  { "9144 030071526726XG", "must be 18 characters, not 19" },
  { "91440300", "must be 18 characters, not 8" },
  { "9144030071526726xg", "letters must be capitals" },
  { "52420000mjh233402K", "letters must be capitals" },
  { "91440300715267I6XG", "“I” is not used in credit codes (I, O, S, V and Z never are)" },
  { "91440300715267O6XG", "“O” is not used in credit codes (I, O, S, V and Z never are)" },
  { "91440300715267S6XG", "“S” is not used in credit codes (I, O, S, V and Z never are)" },
  { "91440300715267V6XG", "“V” is not used in credit codes (I, O, S, V and Z never are)" },
  { "91440300715267Z6XG", "“Z” is not used in credit codes (I, O, S, V and Z never are)" },
  { "9144030071526-26XG", "“-” is not allowed" },
  { "914403007152672６XG", "“６” is not allowed" },   /* full-width digit */
  { "\xff" "144030071526726XG", "contains invalid characters" },
  { "B144030071526726XG", "unknown registration authority “B”" },
  { "0144030071526726XG", "unknown registration authority “0”" },
  { "9444030071526726XG", "unknown organization category “4” for registration authority “9”" },
  { "54420000MJH233402K", "unknown organization category “4” for registration authority “5”" },
  { "Y2420000MJH233402K", "unknown organization category “2” for registration authority “Y”" },
  { "91A40300715267260G", "characters 3 to 8 must be digits (division code)" },
  { "9144030X71526726XG", "characters 3 to 8 must be digits (division code)" },
  /* negative example from a public test list: fails GB 11714 first */
  { "51420000MJH2003664", "organization code check character should be “0”" },
  /* organization check broken, GB 32100 check recomputed to match */
  { "91440300715267261R", "organization code check character should be “X”" },
  /* organization check right, GB 32100 check wrong */
  { "9144030071526726XH", "check character should be “G”" },
  { "52420000MJH2334020", "check character should be “K”" },
  { "53420000MJH2448300", "check character should be “3”" },
  { "G1610000713522976M", "check character should be “L”" },
};

static void
test_invalid (gconstpointer data)
{
  const Bad *row = data;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = g_strdup_printf ("Unified social credit code: %s", row->reason);

  /* g_test_message() output must stay valid UTF-8 for the TAP stream */
  g_test_message ("validating “%s”",
                  row->code == NULL ? "(null)"
                  : g_utf8_validate (row->code, -1, NULL) ? row->code : "(not UTF-8)");
  g_assert_false (procura_uscc_validate (row->code, &error));
  g_assert_true (g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_INVALID));
  g_assert_cmpstr (error->message, ==, expected);
}

static void
test_check_char_edge (void)
{
  g_assert_cmpint (procura_uscc_check_char ("9144030071526726X"), ==, 'G');
  /* only the first 17 characters count */
  g_assert_cmpint (procura_uscc_check_char ("9144030071526726XQQQ"), ==, 'G');
  g_assert_cmpint (procura_uscc_check_char ("9144030071526726I"), ==, 0);
  g_assert_cmpint (procura_uscc_check_char ("9144030071526726x"), ==, 0);
  g_assert_cmpint (procura_uscc_check_char ("914403"), ==, 0);
  g_assert_cmpint (procura_uscc_check_char (""), ==, 0);
  /* all zeros: sum 0, check 0 */
  g_assert_cmpint (procura_uscc_check_char ("00000000000000000"), ==, '0');

  g_assert_cmpint (procura_uscc_org_check_char ("71526726"), ==, 'X');
  g_assert_cmpint (procura_uscc_org_check_char ("MJH23340"), ==, '2');
  g_assert_cmpint (procura_uscc_org_check_char ("MJH24483"), ==, '0');
  g_assert_cmpint (procura_uscc_org_check_char ("71352297"), ==, '6');
  /* sum 0 → r = 11 → "0" */
  g_assert_cmpint (procura_uscc_org_check_char ("00000000"), ==, '0');
  g_assert_cmpint (procura_uscc_org_check_char ("7152672"), ==, 0);
  g_assert_cmpint (procura_uscc_org_check_char ("mjh23340"), ==, 0);
  g_assert_cmpint (procura_uscc_org_check_char ("MJH-3340"), ==, 0);
}

/* A random code that passes every rule: a known authority and category,
 * a digit division code, a body from the character set, both checks. */
static void
random_code (char code[19])
{
  static const char * const prefixes[] = {
    "11", "12", "13", "19", "31", "35", "51", "52", "53", "59",
    "91", "92", "93", "A1", "G1", "N2", "Y1",
  };
  const char *prefix = prefixes[g_test_rand_int_range (0, G_N_ELEMENTS (prefixes))];
  char org;

  code[0] = prefix[0];
  code[1] = prefix[1];
  for (int i = 2; i < 8; i++)
    code[i] = (char) ('0' + g_test_rand_int_range (0, 10));
  for (int i = 8; i < 16; i++)
    code[i] = charset[g_test_rand_int_range (0, 31)];
  org = procura_uscc_org_check_char (code + 8);
  g_assert_cmpint (org, !=, 0);
  code[16] = org;
  code[17] = '\0';
  code[17] = procura_uscc_check_char (code);
  g_assert_cmpint (code[17], !=, 0);
  code[18] = '\0';
}

static void
test_generated (void)
{
  for (int n = 0; n < 2000; n++)
    {
      char code[19];
      g_autoptr(GError) error = NULL;

      random_code (code);
      if (!procura_uscc_validate (code, &error))
        g_error ("generated %s refused: %s", code, error->message);
      g_assert_true (strchr (charset, code[17]) != NULL);
    }
}

/* Every single-character substitution in a valid code is caught: 31 is
 * prime and no weight is 0 mod 31, so the GB 32100 check alone always
 * changes (and other rules may catch it first). */
static void
test_single_substitutions (void)
{
  for (int n = 0; n < 50; n++)
    {
      char code[19];

      random_code (code);
      for (int pos = 0; pos < 18; pos++)
        for (const char *c = charset; *c != '\0'; c++)
          {
            char saved = code[pos];

            if (*c == saved)
              continue;
            code[pos] = *c;
            g_assert_false (procura_uscc_validate (code, NULL));
            code[pos] = saved;
          }
      g_assert_true (procura_uscc_validate (code, NULL));
    }
}

/* Adjacent transpositions are caught too (weights of neighbours differ). */
static void
test_transpositions (void)
{
  for (int n = 0; n < 200; n++)
    {
      char code[19];

      random_code (code);
      for (int pos = 0; pos < 17; pos++)
        {
          char a = code[pos], b = code[pos + 1];

          if (a == b)
            continue;
          code[pos] = b;
          code[pos + 1] = a;
          g_assert_false (procura_uscc_validate (code, NULL));
          code[pos] = a;
          code[pos + 1] = b;
        }
    }
}

static void
test_labels (void)
{
  g_assert_cmpstr (procura_uscc_authority_label ("52420000MJH233402K"), ==, "Civil affairs");
  g_assert_cmpstr (procura_uscc_category_label ("52420000MJH233402K"), ==,
                   "Private non-enterprise unit");
  g_assert_cmpstr (procura_uscc_category_label ("51420000MJH2003664"), ==, "Social organization");
  g_assert_cmpstr (procura_uscc_category_label ("53420000MJH2448303"), ==, "Foundation");
  g_assert_cmpstr (procura_uscc_category_label ("59"), ==, "Other");
  g_assert_cmpstr (procura_uscc_authority_label ("9144030071526726XG"), ==, "Market regulation");
  g_assert_cmpstr (procura_uscc_category_label ("9144030071526726XG"), ==, "Enterprise");
  g_assert_cmpstr (procura_uscc_category_label ("92"), ==, "Individual business");
  g_assert_cmpstr (procura_uscc_category_label ("93"), ==, "Farmers' cooperative");
  g_assert_cmpstr (procura_uscc_authority_label ("12"), ==, "Establishment administration");
  g_assert_cmpstr (procura_uscc_category_label ("12"), ==, "Public institution");
  g_assert_cmpstr (procura_uscc_authority_label ("G1610000713522976L"), ==, "Public security");
  g_assert_cmpstr (procura_uscc_category_label ("G1610000713522976L"), ==,
                   "Representative office of an overseas NGO");
  g_assert_cmpstr (procura_uscc_authority_label ("Y1"), ==, "Other");

  /* unknown or incomplete codes have no label */
  g_assert_null (procura_uscc_authority_label ("B1"));
  g_assert_null (procura_uscc_category_label ("B1"));
  g_assert_null (procura_uscc_category_label ("94"));
  g_assert_null (procura_uscc_category_label ("5"));
  g_assert_cmpstr (procura_uscc_authority_label ("5"), ==, "Civil affairs");
  g_assert_null (procura_uscc_authority_label (""));
  g_assert_null (procura_uscc_authority_label (NULL));
  g_assert_null (procura_uscc_category_label (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (valid_codes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/uscc/valid/%s", valid_codes[i]);
      g_test_add_data_func (path, valid_codes[i], test_valid);
    }
  for (guint i = 0; i < G_N_ELEMENTS (invalid_codes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/uscc/invalid/%02u", i);
      g_test_add_data_func (path, &invalid_codes[i], test_invalid);
    }
  g_test_add_func ("/uscc/check-char/edge-cases", test_check_char_edge);
  g_test_add_func ("/uscc/check-char/generated", test_generated);
  g_test_add_func ("/uscc/check-char/single-substitutions", test_single_substitutions);
  g_test_add_func ("/uscc/check-char/transpositions", test_transpositions);
  g_test_add_func ("/uscc/labels", test_labels);

  return g_test_run ();
}
