/* test-grade.c — configurable grade schemes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>

#include "procura-error.h"
#include "procura-grade.h"

static void
test_default_scheme (void)
{
  static const char * const names[] = { "优秀", "良好", "合格", "不合格" };
  static const gint64 thresholds[] = { 9000, 8000, 6000, 0 };
  static const struct { gint64 total; const char *grade; } rows[] = {
    { 10000, "优秀" },
    { 9000, "优秀" },          /* 90 is 优秀 */
    { 8999, "良好" },          /* 89.99 is not */
    { 8000, "良好" },
    { 7999, "合格" },
    { 6000, "合格" },          /* 60 passes */
    { 5999, "不合格" },        /* 59.99 does not */
    { 1, "不合格" },
    { 0, "不合格" },
    { -100, "不合格" },        /* out of range: bottom grade */
    { 10100, "优秀" },         /* out of range: top grade */
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraGradeScheme) scheme = procura_grade_scheme_parse (PROCURA_GRADE_SCHEME_DEFAULT,
                                                                     &error);

  g_assert_no_error (error);
  g_assert_nonnull (scheme);
  g_assert_cmpuint (procura_grade_scheme_get_n_bands (scheme), ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      g_assert_cmpstr (procura_grade_scheme_get_band_name (scheme, i), ==, names[i]);
      g_assert_cmpint (procura_grade_scheme_get_band_threshold (scheme, i), ==, thresholds[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpstr (procura_grade_scheme_grade (scheme, rows[i].total), ==, rows[i].grade);
}

/* Shenzhen-style letter grades */
static void
test_letter_scheme (void)
{
  static const struct { gint64 total; const char *grade; } rows[] = {
    { 10000, "A+" },
    { 9500, "A+" },
    { 9499, "A" },
    { 9000, "A" },
    { 8999, "A-" },
    { 8500, "A-" },
    { 8499, "B+" },
    { 8000, "B+" },
    { 7999, "B" },
    { 0, "B" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraGradeScheme) scheme =
    procura_grade_scheme_parse ("A+>=95;A>=90;A->=85;B+>=80;B>=0", &error);

  g_assert_no_error (error);
  g_assert_cmpuint (procura_grade_scheme_get_n_bands (scheme), ==, 5);
  g_assert_cmpstr (procura_grade_scheme_get_band_name (scheme, 2), ==, "A-");
  g_assert_cmpint (procura_grade_scheme_get_band_threshold (scheme, 2), ==, 8500);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    g_assert_cmpstr (procura_grade_scheme_grade (scheme, rows[i].total), ==, rows[i].grade);
}

static void
test_lenient_forms (void)
{
  g_autoptr(ProcuraGradeScheme) spaced = NULL;
  g_autoptr(ProcuraGradeScheme) fullwidth = NULL;
  g_autoptr(ProcuraGradeScheme) decimals = NULL;
  g_autoptr(ProcuraGradeScheme) single = NULL;
  g_autoptr(GError) error = NULL;

  /* spaces around names and a trailing separator */
  spaced = procura_grade_scheme_parse ("  优秀 >= 90 ; 良好>=80;合格>=60;不合格>=0;", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (procura_grade_scheme_get_n_bands (spaced), ==, 4);
  g_assert_cmpstr (procura_grade_scheme_get_band_name (spaced, 0), ==, "优秀");

  /* what a Chinese input method types: ；, ＞＝ and ≥ */
  fullwidth = procura_grade_scheme_parse ("优秀≥90；良好＞＝80；基本合格≥60；不合格≥0", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (procura_grade_scheme_get_n_bands (fullwidth), ==, 4);
  g_assert_cmpstr (procura_grade_scheme_get_band_name (fullwidth, 2), ==, "基本合格");
  g_assert_cmpint (procura_grade_scheme_get_band_threshold (fullwidth, 1), ==, 8000);

  /* decimal and percent thresholds */
  decimals = procura_grade_scheme_parse ("甲>=89.5;乙>=60%;丙>=0", &error);
  g_assert_no_error (error);
  g_assert_cmpint (procura_grade_scheme_get_band_threshold (decimals, 0), ==, 8950);
  g_assert_cmpint (procura_grade_scheme_get_band_threshold (decimals, 1), ==, 6000);
  g_assert_cmpstr (procura_grade_scheme_grade (decimals, 8949), ==, "乙");
  g_assert_cmpstr (procura_grade_scheme_grade (decimals, 8950), ==, "甲");

  /* one band is a (pointless but valid) scheme */
  single = procura_grade_scheme_parse ("完成>=0", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_grade_scheme_grade (single, 10000), ==, "完成");
}

typedef struct
{
  const char *text;
  const char *message;
} Bad;

static const Bad bad_schemes[] = {
  { NULL, "Grade scheme: empty" },
  { "", "Grade scheme: empty" },
  { "   ", "Grade scheme: empty" },
  { " ; ; ", "Grade scheme: empty" },
  { ">=90;不合格>=0", "Grade scheme: a band has no grade name" },
  { "优秀>=90; >=0", "Grade scheme: a band has no grade name" },
  { "优秀>=90;优秀>=0", "Grade scheme: grade “优秀” appears twice" },
  { "优秀>=101;不合格>=0", "Grade scheme: threshold of “优秀” must be between 0 and 100" },
  { "优秀>=90;不合格>=-5", "Grade scheme: threshold of “不合格” must be between 0 and 100" },
  { "优秀>=80;良好>=90;不合格>=0",
    "Grade scheme: thresholds must go down: “良好” (90) comes after “优秀” (80)" },
  { "优秀>=90;良好>=90;不合格>=0",
    "Grade scheme: thresholds must go down: “良好” (90) comes after “优秀” (90)" },
  { "优秀>=90;合格>=60",
    "Grade scheme: the last grade must start at 0 so that every score gets a grade" },
  { "优秀>=90",
    "Grade scheme: the last grade must start at 0 so that every score gets a grade" },
  { "优秀=90;不合格>=0", "Grade scheme: “优秀=90” is not of the form grade>=score" },
  { "优秀>90;不合格>=0", "Grade scheme: “优秀>90” is not of the form grade>=score" },
  { "优秀 90", "Grade scheme: “优秀 90” is not of the form grade>=score" },
  { "优秀>=abc;不合格>=0", "Grade scheme, threshold of “优秀”: not a number" },
  { "优秀>=90.555;不合格>=0", "Grade scheme, threshold of “优秀”: more than two decimal places" },
  { "优秀>=;不合格>=0", "Grade scheme, threshold of “优秀”: empty" },
  { "\xff>=0", "Grade scheme: not valid UTF-8 text" },
};

static void
test_bad_scheme (gconstpointer data)
{
  const Bad *row = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraGradeScheme) scheme = procura_grade_scheme_parse (row->text, &error);

  g_assert_null (scheme);
  g_assert_true (g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_INVALID));
  g_assert_cmpstr (error->message, ==, row->message);
}

static void
test_free_null (void)
{
  procura_grade_scheme_free (NULL);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/grade/default", test_default_scheme);
  g_test_add_func ("/grade/letters", test_letter_scheme);
  g_test_add_func ("/grade/lenient-forms", test_lenient_forms);
  for (guint i = 0; i < G_N_ELEMENTS (bad_schemes); i++)
    {
      g_autofree char *path = g_strdup_printf ("/grade/refused/%02u", i);
      g_test_add_data_func (path, &bad_schemes[i], test_bad_scheme);
    }
  g_test_add_func ("/grade/free-null", test_free_null);

  return g_test_run ();
}
