/* test-report-pdf.c — the printable reports: procura-cli report and the
 * document API the print dialog uses
 *
 * On a demo store, the report of a project with milestones, payments,
 * evaluations and indicators is written under zh_CN and read back with
 * poppler's pdfinfo and pdftotext: the page count matches the page footer
 * of every page, and the text holds the Chinese title, the project number,
 * the amount in capital form, a milestone and a grade. Also the errors:
 * unknown project, no -o, an unwritable path — exit 1 and no file.
 *
 * The district summary of a 200-project demo: its page count matches the
 * footers, its text holds the title, the committed contract value and
 * the total of its table as summed here from the records, and the last
 * project on the last page. The document laid out with one PangoContext
 * (another font map, another resolution) draws on other cairo_ts, page by
 * page as GtkPrintOperation does, to the same pages and text as the PDF.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "procura-date.h"
#include "procura-demo.h"
#include "procura-derive.h"
#include "procura-error.h"
#include "procura-money.h"
#include "procura-query.h"
#include "procura-record.h"
#include "procura-report.h"
#include "procura-store.h"
#include "procura-test-utils.h"

#define TODAY "2024-06-30"

static char *root;
static char *data_dir;
static char *district_dir;
static const char *cli_path;
static char **cli_env;
static ProcuraStore *store;
static ProcuraStore *district_store;

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

/* ---- the district summary and the document API ---------------------- */

#define DISTRICT_TITLE "District Summary of Purchased Service Projects"

/* Switches this process to zh_CN with the build's catalogue, as the CLI
 * runs in these tests; returns the locale to restore. */
static char *
enter_zh_locale (void)
{
  char *saved = g_strdup (setlocale (LC_ALL, NULL));

  g_assert_nonnull (setlocale (LC_ALL, "zh_CN.UTF-8"));
  bindtextdomain (GETTEXT_PACKAGE, BUILD_LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  return saved;
}

static void
leave_zh_locale (char *saved)
{
  setlocale (LC_ALL, saved);
  g_free (saved);
}

static int
run_district_cli (const char  *first,
                  const char  *second,
                  const char  *output,
                  char       **err)
{
  g_auto(GStrv) env = zh_environ ();
  const char *argv[] = { cli_path, "--data-dir", district_dir, "--today", TODAY, "report",
                         "-o", output, first, second, NULL };

  return procura_test_run (env, NULL, NULL, err, argv);
}

static char *
page_text (const char *file,
           guint64     page)
{
  char *text = NULL;
  g_autofree char *number = g_strdup_printf ("%" G_GUINT64_FORMAT, page);
  const char *argv[] = { "pdftotext", "-enc", "UTF-8", "-f", number, "-l", number, file, "-", NULL };

  g_assert_cmpint (procura_test_run (NULL, NULL, &text, NULL, argv), ==, 0);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  return text;
}

typedef struct
{
  gint64  committed;      /* value with amendments of projects in progress or completed */
  gint64  committed_paid;
  gint64  value;          /* of every live project */
  gint64  paid;
  guint   n_projects;
  char   *last_title;     /* of the project with the greatest number */
} DistrictSums;

/* The figures of the report, summed here from the records themselves. */
static void
district_sums (DistrictSums *sums)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = procura_store_list (district_store, PROCURA_ENTITY_PROJECT, NULL, NULL, &error);
  g_autoptr(GPtrArray) amendments = procura_store_list (district_store, PROCURA_ENTITY_AMENDMENT, NULL, NULL, &error);
  g_autoptr(GPtrArray) payments = procura_store_list (district_store, PROCURA_ENTITY_PAYMENT, NULL, NULL, &error);
  g_autoptr(GHashTable) deltas = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr(GHashTable) paid = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  const char *last_code = NULL;

  g_assert_no_error (error);
  memset (sums, 0, sizeof *sums);

  for (guint i = 0; i < projects->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (projects, i);

      g_hash_table_insert (deltas, (gpointer) procura_record_get_id (p), g_new0 (gint64, 1));
      g_hash_table_insert (paid, (gpointer) procura_record_get_id (p), g_new0 (gint64, 1));
    }
  for (guint i = 0; i < amendments->len; i++)
    {
      ProcuraRecord *a = g_ptr_array_index (amendments, i);
      gint64 *delta = g_hash_table_lookup (deltas, procura_record_get_string (a, "project_id"));

      if (delta != NULL)
        *delta += procura_record_get_int (a, "value_delta", 0);
    }
  for (guint i = 0; i < payments->len; i++)
    {
      ProcuraRecord *y = g_ptr_array_index (payments, i);
      gint64 *sum = g_hash_table_lookup (paid, procura_record_get_string (y, "project_id"));

      if (sum != NULL && g_strcmp0 (procura_record_get_string (y, "status"), "paid") == 0)
        *sum += procura_record_get_int (y, "paid_amount", 0);
    }

  for (guint i = 0; i < projects->len; i++)
    {
      ProcuraRecord *p = g_ptr_array_index (projects, i);
      const char *id = procura_record_get_id (p);
      const char *status = procura_record_get_string (p, "status");
      const char *code = procura_record_get_string (p, "code");
      gint64 value = procura_record_get_int (p, "value", 0) + *(gint64 *) g_hash_table_lookup (deltas, id);
      gint64 project_paid = *(gint64 *) g_hash_table_lookup (paid, id);

      sums->n_projects++;
      sums->value += value;
      sums->paid += project_paid;
      if (g_strcmp0 (status, "active") == 0 || g_strcmp0 (status, "completed") == 0)
        {
          sums->committed += value;
          sums->committed_paid += project_paid;
        }
      if (last_code == NULL || strcmp (code, last_code) > 0)
        {
          last_code = code;
          g_free (sums->last_title);
          sums->last_title = g_strdup (procura_record_get_string (p, "title"));
        }
    }
}

static void
assert_footers (const char *flat,
                guint64     n_pages)
{
  g_autofree char *saved = g_strdup (setlocale (LC_ALL, NULL));

  g_assert_nonnull (setlocale (LC_ALL, "zh_CN.UTF-8"));
  for (guint64 i = 1; i <= n_pages + 1; i++)
    {
      g_autofree char *footer = g_strdup_printf (g_dgettext (GETTEXT_PACKAGE, "Page %d of %d"), (int) i, (int) n_pages);
      g_autofree char *flat_footer = without_spaces (footer);

      if (i <= n_pages)
        g_assert_nonnull (strstr (flat, flat_footer));
      else
        g_assert_null (strstr (flat, flat_footer));
    }
  setlocale (LC_ALL, saved);
}

static void
test_district (void)
{
  g_autofree char *file = g_build_filename (root, "区级汇总.pdf", NULL);
  g_autofree char *err = NULL, *text = NULL, *flat = NULL, *last = NULL, *flat_last = NULL;
  g_autofree char *title = NULL, *subtitle = NULL;
  g_autofree char *committed = NULL, *value = NULL, *paid = NULL;
  g_autofree char *flat_title = NULL, *flat_subtitle = NULL, *flat_last_title = NULL;
  DistrictSums sums;
  guint64 n_pages;

  g_assert_cmpint (run_district_cli ("--district", NULL, file, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  n_pages = count_pages (file);
  /* the charts, then 200 projects at a few dozen a page */
  g_assert_cmpuint (n_pages, >=, 5);

  text = pdf_text (file);
  flat = without_spaces (text);
  assert_footers (flat, n_pages);

  district_sums (&sums);
  g_assert_cmpuint (sums.n_projects, ==, 200);
  g_assert_cmpint (sums.committed, >, 0);
  g_assert_cmpint (sums.committed, <, sums.value);

  {
    char *saved = enter_zh_locale ();
    g_autofree char *date = procura_date_format_display (TODAY);

    title = g_strdup (g_dgettext (GETTEXT_PACKAGE, DISTRICT_TITLE));
    subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "As of %s · %u project", "As of %s · %u projects",
                                             sums.n_projects),
                                date, sums.n_projects);
    leave_zh_locale (saved);
  }
  /* the Chinese title once the catalogue has it */
  if (strcmp (title, DISTRICT_TITLE) != 0)
    g_assert_cmpstr (title, ==, "区级购买服务项目汇总");
  flat_title = without_spaces (title);
  flat_subtitle = without_spaces (subtitle);
  g_assert_nonnull (strstr (flat, flat_title));
  g_assert_nonnull (strstr (flat, flat_subtitle));

  /* exact amounts: the key figures cover projects in progress and
   * completed, the table's totals every project */
  committed = procura_money_format (sums.committed);
  value = procura_money_format (sums.value);
  paid = procura_money_format (sums.paid);
  g_assert_nonnull (strstr (flat, committed));
  g_assert_nonnull (strstr (flat, value));
  g_assert_nonnull (strstr (flat, paid));
  {
    g_autofree char *committed_paid = procura_money_format (sums.committed_paid);
    g_autofree char *balance = procura_money_format (sums.committed - sums.committed_paid);

    g_assert_nonnull (strstr (flat, committed_paid));
    g_assert_nonnull (strstr (flat, balance));
  }

  /* the table runs to the last page: its last project is there */
  last = page_text (file, n_pages);
  flat_last = without_spaces (last);
  flat_last_title = without_spaces (sums.last_title);
  g_assert_nonnull (strstr (flat_last, flat_last_title));
  g_assert_nonnull (strstr (flat_last, value));

  g_free (sums.last_title);
}

/* Every page drawn on its own cairo_t of a PDF surface, as
 * GtkPrintOperation draws. */
static void
draw_pages_to_pdf (ProcuraReportDocument *doc,
                   const char            *file,
                   guint                  n_pages)
{
  cairo_surface_t *surface = cairo_pdf_surface_create (file, PROCURA_REPORT_A4_WIDTH, PROCURA_REPORT_A4_HEIGHT);

  for (guint i = 0; i < n_pages; i++)
    {
      cairo_t *cr = cairo_create (surface);

      procura_report_document_draw_page (doc, cr, i);
      cairo_show_page (cr);
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      cairo_destroy (cr);
    }
  cairo_surface_finish (surface);
  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
}

/* Dark pixels of an ARGB32 image: text and bars were drawn. */
static guint
count_ink (cairo_surface_t *image)
{
  const unsigned char *data = cairo_image_surface_get_data (image);
  int stride = cairo_image_surface_get_stride (image);
  guint ink = 0;

  cairo_surface_flush (image);
  for (int y = 0; y < cairo_image_surface_get_height (image); y++)
    for (int x = 0; x < cairo_image_surface_get_width (image); x++)
      {
        guint32 pixel = *(const guint32 *) (data + y * stride + 4 * x);

        if ((pixel & 0xff) < 0x80 && ((pixel >> 8) & 0xff) < 0x80)
          ink++;
      }

  return ink;
}

static void
test_document (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraReportDocument) doc = NULL;
  g_autofree char *cli_file = g_build_filename (root, "district-cli.pdf", NULL);
  g_autofree char *drawn = g_build_filename (root, "district-drawn.pdf", NULL);
  g_autofree char *written = g_build_filename (root, "district-written.pdf", NULL);
  g_autofree char *drawn_text = NULL, *written_text = NULL;
  char *saved = enter_zh_locale ();
  guint n_pages, n_other;

  g_assert_cmpint (run_district_cli ("--district", NULL, cli_file, NULL), ==, 0);

  doc = procura_report_document_new_district (district_store, &error);
  g_assert_no_error (error);
  g_assert_nonnull (procura_report_document_get_title (doc));
  g_assert_cmpstr (procura_report_document_get_title (doc), ==, g_dgettext (GETTEXT_PACKAGE, DISTRICT_TITLE));

  /* the default font map at A4: the CLI's PDF */
  n_pages = procura_report_document_paginate (doc, NULL, PROCURA_REPORT_A4_WIDTH, PROCURA_REPORT_A4_HEIGHT);
  g_assert_cmpuint (n_pages, ==, count_pages (cli_file));
  g_assert_cmpuint (procura_report_document_get_n_pages (doc), ==, n_pages);

  /* a context of another font map at 96 dpi that is gone before drawing:
   * sizes are in points, so the same pages */
  {
    PangoFontMap *font_map = pango_cairo_font_map_new ();
    PangoContext *context = pango_font_map_create_context (font_map);

    pango_cairo_context_set_resolution (context, 96);
    pango_context_set_language (context, pango_language_from_string ("en"));
    n_other = procura_report_document_paginate (doc, context, PROCURA_REPORT_A4_WIDTH, PROCURA_REPORT_A4_HEIGHT);
    g_object_unref (context);
    g_object_unref (font_map);
  }
  g_assert_cmpuint (n_other, ==, n_pages);

  /* each page on a recording surface and on a 144 dpi image */
  for (guint i = 0; i < n_pages; i++)
    {
      cairo_surface_t *recording = cairo_recording_surface_create (CAIRO_CONTENT_COLOR_ALPHA, NULL);
      cairo_surface_t *image = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, 1191, 1684);
      cairo_t *cr = cairo_create (recording);
      double x, y, w, h;

      procura_report_document_draw_page (doc, cr, i);
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      cairo_destroy (cr);
      /* nothing outside the page */
      cairo_recording_surface_ink_extents (recording, &x, &y, &w, &h);
      g_assert_cmpfloat (x, >=, 0);
      g_assert_cmpfloat (y, >=, 0);
      g_assert_cmpfloat (x + w, <=, PROCURA_REPORT_A4_WIDTH);
      g_assert_cmpfloat (y + h, <=, PROCURA_REPORT_A4_HEIGHT);
      g_assert_cmpfloat (w * h, >, 0);

      cr = cairo_create (image);
      cairo_set_source_rgb (cr, 1, 1, 1);
      cairo_paint (cr);
      cairo_scale (cr, 2, 2);
      procura_report_document_draw_page (doc, cr, i);
      g_assert_cmpint (cairo_status (cr), ==, CAIRO_STATUS_SUCCESS);
      cairo_destroy (cr);
      g_assert_cmpuint (count_ink (image), >, 1000);

      cairo_surface_destroy (image);
      cairo_surface_destroy (recording);
    }

  /* page by page on another surface, the same text as the PDF the
   * document writes itself (with the default font map again) */
  draw_pages_to_pdf (doc, drawn, n_pages);
  g_assert_true (procura_report_document_write_pdf (doc, written, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_pages (drawn), ==, n_pages);
  g_assert_cmpuint (count_pages (written), ==, n_pages);
  drawn_text = pdf_text (drawn);
  written_text = pdf_text (written);
  g_assert_cmpstr (drawn_text, ==, written_text);

  /* another page size: more pages, each footer counting them */
  {
    guint n_small = procura_report_document_paginate (doc, NULL, 420.94, 595.276);   /* A5 */
    g_autofree char *a5 = g_build_filename (root, "district-a5.pdf", NULL);
    cairo_surface_t *surface = cairo_pdf_surface_create (a5, 420.94, 595.276);
    cairo_t *cr = cairo_create (surface);
    g_autofree char *a5_text = NULL, *flat = NULL;

    g_assert_cmpuint (n_small, >, n_pages);
    for (guint i = 0; i < n_small; i++)
      {
        procura_report_document_draw_page (doc, cr, i);
        cairo_show_page (cr);
      }
    cairo_destroy (cr);
    cairo_surface_finish (surface);
    g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
    cairo_surface_destroy (surface);
    a5_text = pdf_text (a5);
    flat = without_spaces (a5_text);
    assert_footers (flat, n_small);
  }

  leave_zh_locale (saved);
}

static void
test_document_project (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(ProcuraReportDocument) doc = NULL;
  g_autoptr(GPtrArray) projects = procura_store_list (store, PROCURA_ENTITY_PROJECT, NULL, NULL, &error);
  g_autofree char *file = g_build_filename (root, "document-project.pdf", NULL);
  ProcuraRecord *project;
  guint n_pages;

  g_assert_no_error (error);
  project = g_ptr_array_index (projects, 0);

  /* by number and by id */
  doc = procura_report_document_new_project (store, procura_record_get_string (project, "code"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (procura_report_document_get_title (doc), ==, procura_record_get_string (project, "title"));
  g_clear_pointer (&doc, procura_report_document_free);
  doc = procura_report_document_new_project (store, procura_record_get_id (project), &error);
  g_assert_no_error (error);

  n_pages = procura_report_document_paginate (doc, NULL, PROCURA_REPORT_A4_WIDTH, PROCURA_REPORT_A4_HEIGHT);
  g_assert_cmpuint (n_pages, >=, 1);
  g_assert_true (procura_report_document_write_pdf (doc, file, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_pages (file), ==, n_pages);

  /* unknown projects */
  g_clear_pointer (&doc, procura_report_document_free);
  doc = procura_report_document_new_project (store, "NO-SUCH-PROJECT", &error);
  g_assert_null (doc);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  doc = procura_report_document_new_project (store, "00000000-0000-4000-8000-000000000000", &error);
  g_assert_null (doc);
  g_assert_error (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND);
}

static void
test_district_cli_errors (void)
{
  g_autofree char *file = g_build_filename (root, "district-error.pdf", NULL);
  g_autofree char *err = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) projects = procura_store_list (district_store, PROCURA_ENTITY_PROJECT, NULL, NULL, &error);
  const char *code;

  g_assert_no_error (error);
  code = procura_record_get_string (g_ptr_array_index (projects, 0), "code");

  /* neither a project nor --district: a user error that says what to give */
  g_assert_cmpint (run_district_cli (NULL, NULL, file, &err), ==, 1);
  g_assert_nonnull (strstr (err, "--district"));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  /* both */
  g_assert_cmpint (run_district_cli (code, "--district", file, &err), ==, 1);
  g_assert_nonnull (strstr (err, "--district"));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_district_cli ("--district", code, file, &err), ==, 1);
  g_assert_nonnull (strstr (err, "--district"));
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
  g_clear_pointer (&err, g_free);

  /* --district without -o */
  {
    g_auto(GStrv) env = zh_environ ();
    const char *argv[] = { cli_path, "--data-dir", district_dir, "report", "--district", NULL };

    g_assert_cmpint (procura_test_run (env, NULL, NULL, &err, argv), ==, 1);
    g_assert_nonnull (strstr (err, "--output"));
  }
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

  district_dir = g_build_filename (root, "district", NULL);
  district_store = procura_store_open (district_dir, &error);
  g_assert_no_error (error);
  procura_store_set_today (district_store, TODAY);
  procura_store_set_actor (district_store, "test");
  g_assert_true (procura_demo_generate (district_store, 200, 7, NULL, NULL, &error));
  g_assert_no_error (error);

  g_test_add_func ("/report-pdf/report", test_report);
  g_test_add_func ("/report-pdf/long-table", test_long_table);
  g_test_add_func ("/report-pdf/errors", test_errors);
  g_test_add_func ("/report-pdf/district", test_district);
  g_test_add_func ("/report-pdf/document", test_document);
  g_test_add_func ("/report-pdf/document-project", test_document_project);
  g_test_add_func ("/report-pdf/district-cli-errors", test_district_cli_errors);

  status = g_test_run ();

  g_clear_object (&store);
  g_clear_object (&district_store);
  procura_test_remove_tree (root);
  g_free (data_dir);
  g_free (district_dir);
  g_free (root);
  g_strfreev (cli_env);

  return status;
}
