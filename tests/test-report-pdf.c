/* test-report-pdf.c — the PDF project report written by procura-cli report
 *
 * On a demo store, the report of a project with milestones, payments,
 * evaluations and indicators is written under zh_CN and read back with
 * poppler's pdfinfo and pdftotext: the page count matches the page footer
 * of every page, and the text holds the Chinese title, the project number,
 * the amount in capital form, a milestone and a grade. Also the errors:
 * unknown project, no -o, an unwritable path — exit 1 and no file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "procura-demo.h"
#include "procura-derive.h"
#include "procura-money.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-store.h"
#include "procura-test-utils.h"

#define TODAY "2024-06-30"

static char *root;
static char *data_dir;
static const char *cli_path;
static char **cli_env;
static ProcuraStore *store;

static char **
zh_environ (void)
{
  char **env = g_strdupv (cli_env);

  env = g_environ_setenv (env, "LANG", "zh_CN.UTF-8", TRUE);
  env = g_environ_setenv (env, "LC_ALL", "zh_CN.UTF-8", TRUE);
  return env;
}

static int
run_report (const char  *project,
            const char  *output,
            char       **err)
{
  g_auto(GStrv) env = zh_environ ();
  const char *argv[] = { cli_path, "--data-dir", data_dir, "--today", TODAY, "report",
                         project, output != NULL ? "-o" : NULL, output, NULL };

  return procura_test_run (env, NULL, NULL, err, argv);
}

/* A project with something in every section, and the grade of one of its
 * scored evaluations. */
static ProcuraProjectBundle *
pick_project (char **out_grade)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = procura_store_query_ledger (store, NULL, TODAY, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);
      g_autoptr(ProcuraProjectBundle) bundle = procura_store_load_project (store, row->id, &error);

      g_assert_no_error (error);
      if (bundle->milestones->len == 0 || bundle->payments->len == 0 ||
          bundle->indicators->len == 0 || bundle->indicator_periods->len == 0)
        continue;
      for (guint j = 0; j < bundle->evaluations->len; j++)
        {
          ProcuraRecord *e = g_ptr_array_index (bundle->evaluations, j);
          char *grade = procura_evaluation_grade (bundle, procura_record_get_id (e));

          if (grade != NULL)
            {
              *out_grade = grade;
              return g_steal_pointer (&bundle);
            }
        }
    }

  g_assert_not_reached ();
  return NULL;
}

static char *
without_spaces (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isspace (g_utf8_get_char (p)))
      g_string_append_unichar (out, g_utf8_get_char (p));
  return g_string_free (out, FALSE);
}

static void
test_report (void)
{
  g_autofree char *grade = NULL;
  g_autoptr(ProcuraProjectBundle) bundle = pick_project (&grade);
  const char *code = procura_record_get_string (bundle->project, "code");
  const char *title = procura_record_get_string (bundle->project, "title");
  ProcuraRecord *milestone = g_ptr_array_index (bundle->milestones, 0);
  g_autofree char *capital = procura_money_format_capital (procura_record_get_int (bundle->project, "value", 0));
  g_autofree char *dir = g_build_filename (root, "报告", NULL);
  g_autofree char *file = g_build_filename (dir, "项目报告.pdf", NULL);
  g_autofree char *info = NULL, *text = NULL, *err = NULL, *flat = NULL;
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));
  g_autoptr(GDir) listing = NULL;
  const char *pages_line;
  const char *page_format;
  gboolean translated;
  guint64 n_pages = 0;
  const char *name;
  guint n_files = 0;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_cmpint (run_report (code, file, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  g_assert_true (g_file_test (file, G_FILE_TEST_IS_REGULAR));

  /* atomic: only the PDF is left beside it, no temporary file */
  listing = g_dir_open (dir, 0, NULL);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_assert_cmpstr (name, ==, "项目报告.pdf");
      n_files++;
    }
  g_assert_cmpuint (n_files, ==, 1);

  {
    const char *argv[] = { "pdfinfo", file, NULL };

    g_assert_cmpint (procura_test_run (NULL, NULL, &info, NULL, argv), ==, 0);
  }
  pages_line = strstr (info, "\nPages:");
  g_assert_nonnull (pages_line);
  n_pages = g_ascii_strtoull (pages_line + strlen ("\nPages:") + strspn (pages_line + strlen ("\nPages:"), " "), NULL, 10);
  g_assert_cmpuint (n_pages, >=, 1);

  {
    const char *argv[] = { "pdftotext", "-enc", "UTF-8", file, "-", NULL };

    g_assert_cmpint (procura_test_run (NULL, NULL, &text, NULL, argv), ==, 0);
  }
  g_assert_true (g_utf8_validate (text, -1, NULL));

  /* pdftotext drops the narrow spaces between Chinese characters and
   * breaks lines anywhere: compare without white space */
  flat = without_spaces (text);

  /* the footer of every page counts the pages: "第 N 页 共 M 页" once the
   * catalogue translates it, "Page N of M" before */
  g_assert_nonnull (setlocale (LC_ALL, "zh_CN.UTF-8"));
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  page_format = g_dgettext (GETTEXT_PACKAGE, "Page %d of %d");
  translated = strcmp (page_format, "Page %d of %d") != 0;
  if (translated)
    g_assert_nonnull (strstr (page_format, "共"));
  for (guint64 i = 1; i <= n_pages + 1; i++)
    {
      g_autofree char *footer = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "Page %d of %d"), (int) i, (int) n_pages);
      g_autofree char *flat_footer = without_spaces (footer);

      if (i <= n_pages)
        g_assert_nonnull (strstr (flat, flat_footer));
      else
        g_assert_null (strstr (flat, flat_footer));
    }

  {
    g_autofree char *flat_title = without_spaces (title);
    g_autofree char *flat_milestone = without_spaces (procura_record_get_string (milestone, "title"));

    g_assert_nonnull (strstr (flat, flat_title));
    g_assert_nonnull (strstr (flat, code));
    g_assert_nonnull (strstr (flat, capital));
    g_assert_true (g_str_has_suffix (capital, "整") || strstr (capital, "分") != NULL);
    g_assert_nonnull (strstr (flat, flat_milestone));
    g_assert_nonnull (strstr (text, grade));
  }
  /* labels follow the locale once the catalogue has them */
  if (strcmp (g_dgettext (GETTEXT_PACKAGE, "Due date"), "Due date") != 0)
    {
      g_assert_nonnull (strstr (text, g_dgettext (GETTEXT_PACKAGE, "Due date")));
      g_assert_null (strstr (text, "Due date"));
    }

  setlocale (LC_ALL, saved);
}

static guint64
count_pages (const char *file)
{
  g_autofree char *info = NULL;
  const char *argv[] = { "pdfinfo", file, NULL };
  const char *line;

  g_assert_cmpint (procura_test_run (NULL, NULL, &info, NULL, argv), ==, 0);
  line = strstr (info, "\nPages:");
  g_assert_nonnull (line);
  line += strlen ("\nPages:");
  return g_ascii_strtoull (line + strspn (line, " "), NULL, 10);
}

static char *
pdf_text (const char *file)
{
  char *text = NULL;
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", file, "-", NULL };

  g_assert_cmpint (procura_test_run (NULL, NULL, &text, NULL, argv), ==, 0);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  return text;
}

/* A table longer than a page breaks between rows: every row is there once,
 * and the report grows by pages. */
static void
test_long_table (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) rows = procura_store_query_ledger (store, NULL, TODAY, &error);
  g_autofree char *before = g_build_filename (root, "before.pdf", NULL);
  g_autofree char *after = g_build_filename (root, "after.pdf", NULL);
  g_autofree char *text = NULL, *flat = NULL;
  ProcuraLedgerRow *open_row = NULL;
  guint64 pages_before;

  g_assert_no_error (error);
  for (guint i = 0; i < rows->len && open_row == NULL; i++)
    {
      ProcuraLedgerRow *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (row->status, "active") == 0 && row->start_date != NULL)
        open_row = row;
    }
  if (open_row == NULL)
    {
      g_test_fail_printf ("no project in progress in the demo store");
      return;
    }

  g_assert_cmpint (run_report (open_row->code, before, NULL), ==, 0);
  pages_before = count_pages (before);

  for (guint i = 0; i < 60; i++)
    {
      g_autoptr(ProcuraRecord) m = procura_record_new (PROCURA_ENTITY_MILESTONE, NULL);
      g_autofree char *title = g_strdup_printf ("分段里程碑第%02u项", i);

      procura_record_set_string (m, "project_id", open_row->id);
      procura_record_set_string (m, "title", title);
      procura_record_set_string (m, "type", "delivery");
      procura_record_set_string (m, "due_date", open_row->start_date);
      procura_record_set_string (m, "status", "planned");
      g_assert_true (procura_store_insert (store, m, &error));
      g_assert_no_error (error);
    }

  g_assert_cmpint (run_report (open_row->code, after, NULL), ==, 0);
  g_assert_cmpuint (count_pages (after), >=, pages_before + 1);
  text = pdf_text (after);
  flat = without_spaces (text);

  /* the history section at the end repeats the newest titles: look before it */
  {
    g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));
    g_autofree char *history = NULL;
    char *end;

    g_assert_nonnull (setlocale (LC_ALL, "zh_CN.UTF-8"));
    bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
    bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
    history = without_spaces (g_dgettext (GETTEXT_PACKAGE, "History"));
    setlocale (LC_ALL, saved);

    end = strstr (flat, history);
    g_assert_nonnull (end);
    *end = '\0';
  }

  for (guint i = 0; i < 60; i++)
    {
      g_autofree char *title = g_strdup_printf ("分段里程碑第%02u项", i);
      const char *hit = strstr (flat, title);

      g_assert_nonnull (hit);
      g_assert_null (strstr (hit + strlen (title), title));
    }
}

static void
test_errors (void)
{
  g_autofree char *file = g_build_filename (root, "unknown.pdf", NULL);
  g_autofree char *nowhere = g_build_filename (root, "no-such-dir", "r.pdf", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = procura_store_list (store, PROCURA_ENTITY_PROJECT, NULL, NULL, &error);
  const char *code;

  g_assert_no_error (error);
  code = procura_record_get_string (g_ptr_array_index (projects, 0), "code");

  /* unknown project: exit 1, said by name, no file */
  g_assert_cmpint (run_report ("NO-SUCH-PROJECT", file, &err), ==, 1);
  g_assert_nonnull (strstr (err, "NO-SUCH-PROJECT"));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  /* no -o */
  g_assert_cmpint (run_report (code, NULL, &err), ==, 1);
  g_assert_nonnull (strstr (err, "--output"));
  g_clear_pointer (&err, g_free);

  /* a directory that does not exist */
  g_assert_cmpint (run_report (code, nowhere, &err), ==, 1);
  g_assert_nonnull (strstr (err, nowhere));
  g_assert_false (g_file_test (nowhere, G_FILE_TEST_EXISTS));
}

static void
test_no_poppler (void)
{
  g_test_skip ("pdftotext or pdfinfo (poppler-utils) is not installed");
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *pdftotext = g_find_program_in_path ("pdftotext");
  g_autofree char *pdfinfo = g_find_program_in_path ("pdfinfo");
  int status;

  setlocale (LC_ALL, "");
  if (!procura_test_init_cli (&argc, &argv, &cli_path, &cli_env))
    return 77;

  if (pdftotext == NULL || pdfinfo == NULL)
    {
      g_test_add_func ("/report-pdf/no-poppler", test_no_poppler);
      status = g_test_run ();
      g_strfreev (cli_env);
      return status;
    }

  root = procura_test_make_tmp_dir ("procura-test-report-pdf-XXXXXX");
  data_dir = g_build_filename (root, "data", NULL);
  store = procura_store_open (data_dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (store, TODAY);
  procura_store_set_actor (store, "test");
  g_assert_true (procura_demo_generate (store, 12, 5, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/report-pdf/report", test_report);
  g_test_add_func ("/report-pdf/long-table", test_long_table);
  g_test_add_func ("/report-pdf/errors", test_errors);

  status = g_test_run ();

  g_clear_object (&store);
  procura_test_remove_tree (root);
  g_free (data_dir);
  g_free (root);
  g_strfreev (cli_env);

  return status;
}
