/* test-date.c — calendar dates, months, periods and UTC timestamps
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib.h>
#include <string.h>

#include "procura-date.h"
#include "procura-error.h"
#include "procura-test-utils.h"

/* ---- procura_date_validate ---- */

static const char * const dates_ok[] = {
  "2024-02-29",     /* leap year */
  "2000-02-29",     /* divisible by 400 */
  "2021-08-01",
  "2023-12-31",
  "2021-04-30",
  "1900-01-01",
  "2199-12-31",
};

static void
test_validate_ok (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (dates_ok); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_true (procura_date_validate (dates_ok[i], "Date signed", &error));
      g_assert_no_error (error);
    }
}

typedef struct
{
  const char *text;
  const char *label;
  const char *reason;
} Bad;

static const Bad dates_bad[] = {
  { "2023-02-29", "Date signed", "there is no day 2023-02-29 in the calendar" },
  { "1900-02-29", NULL, "there is no day 1900-02-29 in the calendar" },
  { "2021-13-01", NULL, "there is no day 2021-13-01 in the calendar" },
  { "2021-00-10", NULL, "there is no day 2021-00-10 in the calendar" },
  { "2021-04-31", NULL, "there is no day 2021-04-31 in the calendar" },
  { "2021-08-00", NULL, "there is no day 2021-08-00 in the calendar" },
  { "2021-1-1", "Due date", "not a date of the form YYYY-MM-DD" },
  { "2021/08/01", NULL, "not a date of the form YYYY-MM-DD" },
  { "2021年8月1日", NULL, "not a date of the form YYYY-MM-DD" },
  { " 2021-08-01", NULL, "not a date of the form YYYY-MM-DD" },
  { "2021-08-01 ", NULL, "not a date of the form YYYY-MM-DD" },
  { "20210801", NULL, "not a date of the form YYYY-MM-DD" },
  { "2021-08-0a", NULL, "not a date of the form YYYY-MM-DD" },
  { "+021-08-01", NULL, "not a date of the form YYYY-MM-DD" },
  { "2021-08-01T00:00:00Z", NULL, "not a date of the form YYYY-MM-DD" },
  { "1899-12-31", "Date signed", "year must be between 1900 and 2199" },
  { "2200-01-01", NULL, "year must be between 1900 and 2199" },
  { "", "Date signed", "empty" },
  { NULL, NULL, "empty" },
};

static void
test_validate_bad (gconstpointer data)
{
  const Bad *row = data;
  g_autoptr(GError) error = NULL;

  g_assert_false (procura_date_validate (row->text, row->label, &error));
  assert_refused (error, row->label != NULL ? row->label : "Date", row->reason);
}

/* ---- months ---- */

static void
test_month (void)
{
  static const Bad bad[] = {
    { "2021-13", "Month", "month must be between 01 and 12" },
    { "2021-00", NULL, "month must be between 01 and 12" },
    { "2021-8", NULL, "not a month of the form YYYY-MM" },
    { "2021-08-01", NULL, "not a month of the form YYYY-MM" },
    { "2021/08", NULL, "not a month of the form YYYY-MM" },
    { "202108", NULL, "not a month of the form YYYY-MM" },
    { "1899-12", "Consultation month", "year must be between 1900 and 2199" },
    { "", NULL, "empty" },
    { NULL, NULL, "empty" },
  };

  g_assert_true (procura_month_validate ("2021-08", NULL, NULL));
  g_assert_true (procura_month_validate ("2199-12", NULL, NULL));
  g_assert_true (procura_month_validate ("1900-01", NULL, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (procura_month_validate (bad[i].text, bad[i].label, &error));
      assert_refused (error, bad[i].label != NULL ? bad[i].label : "Month", bad[i].reason);
    }
}

/* ---- normalisation ---- */

static void
test_normalize (void)
{
  static const struct { const char *in; const char *out; } ok[] = {
    { "2021-08-01", "2021-08-01" },
    { "2021-8-1", "2021-08-01" },
    { "2021-8-01", "2021-08-01" },
    { "2021/8/1", "2021-08-01" },
    { "2021/08/01", "2021-08-01" },
    { "2021.8.1", "2021-08-01" },
    { "2021年8月1日", "2021-08-01" },
    { "2021年08月01日", "2021-08-01" },
    { "2021 年 8 月 1 日", "2021-08-01" },
    { "2021年8月1号", "2021-08-01" },
    { "2021年8月1", "2021-08-01" },
    { " 2021-8-1 ", "2021-08-01" },
    { "２０２１／８／１", "2021-08-01" },   /* full-width input method */
    { "2024/2/29", "2024-02-29" },
    { "2026年11月27日", "2026-11-27" },
  };
  static const Bad bad[] = {
    { "2021/8-1", "Start", "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "21/8/1", NULL, "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "2021/8/1/", NULL, "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "2021/123/1", NULL, "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "2021年8月", NULL, "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "2021年8月1日 ok", NULL, "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "8/1/2021", NULL, "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "yesterday", NULL, "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "2021--8-1", NULL, "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "\xff", NULL, "not a date (e.g. 2026-11-27 or 2026年11月27日)" },
    { "2021-13-01", "Start", "there is no day 2021-13-01 in the calendar" },
    { "2023/2/29", NULL, "there is no day 2023-02-29 in the calendar" },
    { "2021年4月31日", NULL, "there is no day 2021-04-31 in the calendar" },
    { "1899/1/1", NULL, "year must be between 1900 and 2199" },
    { "", NULL, "empty" },
    { "   ", "Start", "empty" },
    { NULL, NULL, "empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = procura_date_normalize (ok[i].in, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, ok[i].out);
      /* the result always passes the strict check */
      g_assert_true (procura_date_validate (out, NULL, NULL));
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = procura_date_normalize (bad[i].text, bad[i].label, &error);

      g_assert_null (out);
      assert_refused (error, bad[i].label != NULL ? bad[i].label : "Date", bad[i].reason);
    }
}

/* ---- periods ---- */

static void
test_period (void)
{
  g_autoptr(GError) error = NULL;

  /* open or empty ends: nothing to check */
  g_assert_true (procura_period_validate (NULL, "2021-01-01", NULL, NULL, NULL));
  g_assert_true (procura_period_validate ("2021-01-01", NULL, NULL, NULL, NULL));
  g_assert_true (procura_period_validate (NULL, NULL, NULL, NULL, NULL));
  g_assert_true (procura_period_validate ("", "2021-01-01", NULL, NULL, NULL));
  /* a one-day period and a normal one */
  g_assert_true (procura_period_validate ("2024-03-01", "2024-03-01", NULL, NULL, NULL));
  g_assert_true (procura_period_validate ("2024-03-01", "2025-02-28", NULL, NULL, NULL));

  g_assert_false (procura_period_validate ("2024-03-01", "2024-02-29",
                                           "Contract start", "Contract end", &error));
  assert_refused (error, "Contract end", "before Contract start (2024-03-01)");
  g_clear_error (&error);

  g_assert_false (procura_period_validate ("2025-01-01", "2024-12-31", NULL, NULL, &error));
  assert_refused (error, "End date", "before Start date (2025-01-01)");
  g_clear_error (&error);

  /* each end is itself validated, under its own label */
  g_assert_false (procura_period_validate ("2021-02-30", "2021-03-01",
                                           "Contract start", "Contract end", &error));
  assert_refused (error, "Contract start", "there is no day 2021-02-30 in the calendar");
  g_clear_error (&error);

  g_assert_false (procura_period_validate ("2021-02-01", "2021/3/1",
                                           "Contract start", "Contract end", &error));
  assert_refused (error, "Contract end", "not a date of the form YYYY-MM-DD");
}

/* ---- arithmetic ---- */

static void
test_add_days (void)
{
  static const struct { const char *date; int days; const char *out; } rows[] = {
    { "2021-01-31", 1, "2021-02-01" },
    { "2024-02-28", 1, "2024-02-29" },
    { "2023-02-28", 1, "2023-03-01" },
    { "2024-02-29", 1, "2024-03-01" },
    { "2024-12-31", 1, "2025-01-01" },
    { "2024-03-01", -1, "2024-02-29" },
    { "2023-03-01", -1, "2023-02-28" },
    { "2025-01-01", -1, "2024-12-31" },
    { "2021-08-01", 0, "2021-08-01" },
    { "2021-01-01", 365, "2022-01-01" },
    { "2024-01-01", 366, "2025-01-01" },
    { "2021-08-01", 1000, "2024-04-27" },
    { "2021-08-01", -3650, "2011-08-04" },
    { "1900-02-28", 1, "1900-03-01" },        /* 1900 is not a leap year */
    { "2000-02-28", 1, "2000-02-29" },
    { "2026-11-27", 30, "2026-12-27" },       /* a thirty-day reminder */
    { "9999-12-30", 1, "9999-12-31" },        /* the last writable day */
    { "0001-01-02", -1, "0001-01-01" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *out = procura_date_add_days (rows[i].date, rows[i].days);

      g_assert_cmpstr (out, ==, rows[i].out);
    }

  /* invalid input or a result that "YYYY" cannot write */
  g_assert_null (procura_date_add_days ("2021-02-30", 1));
  g_assert_null (procura_date_add_days ("2021/8/1", 1));
  g_assert_null (procura_date_add_days (NULL, 1));
  g_assert_null (procura_date_add_days ("9999-12-31", 1));
  g_assert_null (procura_date_add_days ("0001-01-01", -1));
  g_assert_null (procura_date_add_days ("2021-08-01", G_MAXINT));
  g_assert_null (procura_date_add_days ("2021-08-01", G_MININT));
}

static void
test_diff_days (void)
{
  g_assert_cmpint (procura_date_diff_days ("2024-02-28", "2024-03-01"), ==, 2);
  g_assert_cmpint (procura_date_diff_days ("2023-02-28", "2023-03-01"), ==, 1);
  g_assert_cmpint (procura_date_diff_days ("2023-03-01", "2023-02-28"), ==, -1);
  g_assert_cmpint (procura_date_diff_days ("2021-01-01", "2022-01-01"), ==, 365);
  g_assert_cmpint (procura_date_diff_days ("2024-01-01", "2025-01-01"), ==, 366);
  g_assert_cmpint (procura_date_diff_days ("2021-08-01", "2021-08-01"), ==, 0);
  g_assert_cmpint (procura_date_diff_days ("1900-01-01", "2199-12-31"), ==, 109572);
  /* invalid input counts as no difference */
  g_assert_cmpint (procura_date_diff_days ("2021-02-30", "2021-03-01"), ==, 0);
  g_assert_cmpint (procura_date_diff_days (NULL, "2021-03-01"), ==, 0);

  /* add_days and diff_days agree across months and leap years */
  for (int k = -2000; k <= 2000; k += 37)
    {
      g_autofree char *later = procura_date_add_days ("2024-02-29", k);

      g_assert_nonnull (later);
      g_assert_true (procura_date_validate (later, NULL, NULL));
      g_assert_cmpint (procura_date_diff_days ("2024-02-29", later), ==, k);
      g_assert_cmpint (procura_date_diff_days (later, "2024-02-29"), ==, -k);
    }
}

static void
test_today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *expected = g_date_time_format (now, "%Y-%m-%d");
  g_autofree char *today = procura_date_today ();

  g_assert_true (procura_date_validate (today, NULL, NULL));
  /* unless the test straddles midnight */
  if (strcmp (today, expected) != 0)
    {
      g_autofree char *yesterday = procura_date_add_days (today, -1);

      g_assert_cmpstr (yesterday, ==, expected);
    }
}

/* ---- timestamps ---- */

static gboolean
is_canonical_timestamp (const char *ts)
{
  static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";

  if (ts == NULL || strlen (ts) != strlen (pattern))
    return FALSE;
  for (guint i = 0; pattern[i] != '\0'; i++)
    if (pattern[i] == 'd' ? !g_ascii_isdigit (ts[i]) : ts[i] != pattern[i])
      return FALSE;
  return TRUE;
}

static void
test_timestamp_now (void)
{
  g_autofree char *now = procura_timestamp_now ();
  g_autofree char *again = NULL;

  g_assert_true (is_canonical_timestamp (now));
  again = procura_timestamp_normalize (now, NULL, NULL);
  g_assert_cmpstr (again, ==, now);
}

static void
test_timestamp_normalize (void)
{
  static const struct { const char *in; const char *out; } ok[] = {
    { "2026-11-27T08:30:00Z", "2026-11-27T08:30:00Z" },
    { "2026-11-27T16:30:00+08:00", "2026-11-27T08:30:00Z" },
    { "2026-11-27T01:30:00-05:00", "2026-11-27T06:30:00Z" },
    { "2026-01-01T02:00:00+08:00", "2025-12-31T18:00:00Z" },   /* crosses a year */
    { "2024-03-01T07:00:00+08:00", "2024-02-29T23:00:00Z" },   /* and a leap day */
    { "2026-11-27T08:30:00.999Z", "2026-11-27T08:30:00Z" },    /* fraction dropped */
    { "2026-11-27 08:30:00Z", "2026-11-27T08:30:00Z" },
    { "  2026-11-27T08:30:00Z ", "2026-11-27T08:30:00Z" },
  };
  static const Bad bad[] = {
    { "2026-11-27T08:30:00", "Updated", "not a timestamp like 2026-11-27T08:30:00Z" },
    { "2026-11-27", NULL, "not a timestamp like 2026-11-27T08:30:00Z" },
    { "2026-W48-5T08:30:00Z", NULL, "not a timestamp like 2026-11-27T08:30:00Z" },
    { "2026-02-30T00:00:00Z", NULL, "not a timestamp like 2026-11-27T08:30:00Z" },
    { "2026-11-27T25:00:00Z", NULL, "not a timestamp like 2026-11-27T08:30:00Z" },
    { "yesterday at noon", NULL, "not a timestamp like 2026-11-27T08:30:00Z" },
    { "1899-12-31T23:00:00Z", NULL, "year must be between 1900 and 2199" },
    { "1900-01-01T05:00:00+08:00", NULL, "year must be between 1900 and 2199" },
    { "", "Updated", "empty" },
    { NULL, NULL, "empty" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = procura_timestamp_normalize (ok[i].in, NULL, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (out, ==, ok[i].out);
    }

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *out = procura_timestamp_normalize (bad[i].text, bad[i].label, &error);

      g_assert_null (out);
      assert_refused (error, bad[i].label != NULL ? bad[i].label : "Timestamp", bad[i].reason);
    }
}

/* ---- display ---- */

static void
test_format_display (void)
{
  g_autofree char *a = procura_date_format_display ("2026-11-27");
  g_autofree char *b = procura_date_format_display ("2026-01-05");
  g_autofree char *bad = procura_date_format_display ("garbage");
  g_autofree char *bad_day = procura_date_format_display ("2023-02-29");

  /* untranslated format under LC_ALL=C.UTF-8 */
  g_assert_cmpstr (a, ==, "27 Nov 2026");
  g_assert_cmpstr (b, ==, "5 Jan 2026");
  /* what is not a date is shown as it is rather than hidden */
  g_assert_cmpstr (bad, ==, "garbage");
  g_assert_cmpstr (bad_day, ==, "2023-02-29");
  g_assert_null (procura_date_format_display (NULL));
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/date/validate/accepted", test_validate_ok);
  for (guint i = 0; i < G_N_ELEMENTS (dates_bad); i++)
    {
      g_autofree char *path = g_strdup_printf ("/date/validate/refused/%02u", i);
      g_test_add_data_func (path, &dates_bad[i], test_validate_bad);
    }
  g_test_add_func ("/date/month", test_month);
  g_test_add_func ("/date/normalize", test_normalize);
  g_test_add_func ("/date/period", test_period);
  g_test_add_func ("/date/add-days", test_add_days);
  g_test_add_func ("/date/diff-days", test_diff_days);
  g_test_add_func ("/date/today", test_today);
  g_test_add_func ("/date/timestamp/now", test_timestamp_now);
  g_test_add_func ("/date/timestamp/normalize", test_timestamp_normalize);
  g_test_add_func ("/date/format-display", test_format_display);

  return g_test_run ();
}
