/* procura-date.c — calendar dates and UTC timestamps
 *
 * Dates stay text ("YYYY-MM-DD") everywhere so they sort as strings; GDate
 * is used only for calendar arithmetic, never for storage.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>

#include <time.h>

#include "procura-date.h"
#include "procura-error.h"

#define YEAR_MIN 1900
#define YEAR_MAX 2199

/* GDate's Julian day of 9999-12-31 (day 1 is 0001-01-01). */
#define JULIAN_9999_12_31 3652059

static gboolean
is_digit (char c)
{
  return c >= '0' && c <= '9';
}

/* Reads exactly n digits (no sign, no spaces, unlike sscanf). */
static gboolean
read_digits (const char **p,
             int          n,
             int         *out)
{
  int v = 0;

  for (int i = 0; i < n; i++)
    {
      if (!is_digit ((*p)[i]))
        return FALSE;
      v = v * 10 + ((*p)[i] - '0');
    }
  *p += n;
  *out = v;
  return TRUE;
}

/* Reads one or two digits, for the loosely typed "2021/8/1". */
static gboolean
read_1_or_2_digits (const char **p,
                    int         *out)
{
  if (!is_digit (**p))
    return FALSE;
  if (is_digit ((*p)[1]))
    return read_digits (p, 2, out);
  return read_digits (p, 1, out);
}

/* Strict "YYYY-MM-DD" split into fields, no calendar check. */
static gboolean
split_iso_date (const char *text,
                int        *y,
                int        *m,
                int        *d)
{
  const char *p = text;

  if (text == NULL || strlen (text) != 10)
    return FALSE;
  return read_digits (&p, 4, y) && *p++ == '-'
         && read_digits (&p, 2, m) && *p++ == '-'
         && read_digits (&p, 2, d);
}

static gboolean
check_day (int          y,
           int          m,
           int          d,
           const char  *label,
           GError     **error)
{
  if (y < YEAR_MIN || y > YEAR_MAX)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label, %d the limits */
                   _("%s: year must be between %d and %d"),
                   label, YEAR_MIN, YEAR_MAX);
      return FALSE;
    }
  if (m < 1 || m > 12 || d < 1
      || d > g_date_get_days_in_month ((GDateMonth) m, (GDateYear) y))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label, then the date */
                   _("%s: there is no day %04d-%02d-%02d in the calendar"),
                   label, y, m, d);
      return FALSE;
    }
  return TRUE;
}

static gboolean
report_empty (const char  *label,
              GError     **error)
{
  g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
               /* Translators: %s is the field label */
               _("%s: empty"), label);
  return FALSE;
}

gboolean
procura_date_validate (const char  *text,
                       const char  *field_label,
                       GError     **error)
{
  const char *label = field_label != NULL ? field_label : _("Date");
  int y, m, d;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL || *text == '\0')
    return report_empty (label, error);
  if (!split_iso_date (text, &y, &m, &d))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label; keep YYYY-MM-DD */
                   _("%s: not a date of the form YYYY-MM-DD"), label);
      return FALSE;
    }
  return check_day (y, m, d, label, error);
}

gboolean
procura_month_validate (const char  *text,
                        const char  *field_label,
                        GError     **error)
{
  const char *label = field_label != NULL ? field_label : _("Month");
  const char *p = text;
  int y, m;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (text == NULL || *text == '\0')
    return report_empty (label, error);
  if (strlen (text) != 7
      || !read_digits (&p, 4, &y) || *p++ != '-' || !read_digits (&p, 2, &m))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label; keep YYYY-MM */
                   _("%s: not a month of the form YYYY-MM"), label);
      return FALSE;
    }
  if (y < YEAR_MIN || y > YEAR_MAX)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: year must be between %d and %d"),
                   label, YEAR_MIN, YEAR_MAX);
      return FALSE;
    }
  if (m < 1 || m > 12)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label */
                   _("%s: month must be between 01 and 12"), label);
      return FALSE;
    }
  return TRUE;
}

static void
skip_spaces (const char **p)
{
  while (**p == ' ')
    (*p)++;
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

/* "2021-8-1", "2021/08/01", "2021.8.1" (one separator throughout) or
 * "2021年8月1日" (日 or 号 optional, spaces allowed between the parts). */
static gboolean
split_loose_date (const char *text,
                  int        *y,
                  int        *m,
                  int        *d)
{
  const char *p = text;
  char sep;

  if (!read_digits (&p, 4, y))
    return FALSE;

  sep = *p;
  if (sep == '-' || sep == '/' || sep == '.')
    {
      p++;
      return read_1_or_2_digits (&p, m) && *p++ == sep
             && read_1_or_2_digits (&p, d) && *p == '\0';
    }

  skip_spaces (&p);
  if (!skip_prefix (&p, "年"))
    return FALSE;
  skip_spaces (&p);
  if (!read_1_or_2_digits (&p, m))
    return FALSE;
  skip_spaces (&p);
  if (!skip_prefix (&p, "月"))
    return FALSE;
  skip_spaces (&p);
  if (!read_1_or_2_digits (&p, d))
    return FALSE;
  skip_spaces (&p);
  if (!skip_prefix (&p, "日"))
    skip_prefix (&p, "号");
  return *p == '\0';
}

char *
procura_date_normalize (const char  *text,
                        const char  *field_label,
                        GError     **error)
{
  const char *label = field_label != NULL ? field_label : _("Date");
  g_autofree char *norm = NULL;
  char *stripped;
  int y, m, d;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* NFKC folds full-width digits and "／" typed with Chinese input. */
  if (text != NULL)
    norm = g_utf8_normalize (text, -1, G_NORMALIZE_NFKC);
  stripped = norm != NULL ? g_strstrip (norm) : NULL;

  if (text == NULL || *text == '\0' || (stripped != NULL && *stripped == '\0'))
    {
      report_empty (label, error);
      return NULL;
    }
  if (stripped == NULL || !split_loose_date (stripped, &y, &m, &d))
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label; keep the example
                    * dates as they are */
                   _("%s: not a date (e.g. 2026-11-27 or 2026年11月27日)"), label);
      return NULL;
    }
  if (!check_day (y, m, d, label, error))
    return NULL;

  return g_strdup_printf ("%04d-%02d-%02d", y, m, d);
}

char *
procura_date_parse_spreadsheet (const char  *text,
                                const char  *field_label,
                                GError     **error)
{
  const char *label = field_label != NULL ? field_label : _("Date");
  g_autofree char *copy = g_strstrip (g_strdup (text != NULL ? text : ""));
  const char *p = copy;
  guint64 serial = 0;
  g_autoptr(GDate) date = NULL;
  char *result;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* only plain day numbers ("44409", or "44409.0" as some sheets save
   * them); anything else is a date as people type it */
  if (*p == '\0' || !g_ascii_isdigit (*p))
    return procura_date_normalize (text, field_label, error);
  while (g_ascii_isdigit (*p) && serial < 1000000)
    serial = serial * 10 + (guint64) (*p++ - '0');
  if (*p == '.')
    for (p++; *p == '0'; p++)
      ;
  if (*p != '\0')
    return procura_date_normalize (text, field_label, error);

  if (serial == 60)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label */
                   _("%s: day number 60 is 29 February 1900, which does not exist"), label);
      return NULL;
    }
  /* Lotus 1-2-3 counted 1900 as a leap year and Excel kept the mistake:
   * from 61 on, day n is n days after 1899-12-30. */
  if (serial < 1 || serial > 109573)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: not a date (e.g. 2026-11-27 or 2026年11月27日)"), label);
      return NULL;
    }
  date = g_date_new_dmy (31, G_DATE_DECEMBER, 1899);
  g_date_add_days (date, (guint) (serial < 60 ? serial : serial - 1));
  result = g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date),
                            (guint) g_date_get_month (date), g_date_get_day (date));
  if (!procura_date_validate (result, label, error))
    {
      g_free (result);
      return NULL;
    }

  return result;
}

gboolean
procura_period_validate (const char  *start,
                         const char  *end,
                         const char  *start_label,
                         const char  *end_label,
                         GError     **error)
{
  const char *slabel = start_label != NULL ? start_label : _("Start date");
  const char *elabel = end_label != NULL ? end_label : _("End date");

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  /* An open period (an empty field from a form counts as absent). */
  if (start == NULL || *start == '\0' || end == NULL || *end == '\0')
    return TRUE;

  if (!procura_date_validate (start, slabel, error)
      || !procura_date_validate (end, elabel, error))
    return FALSE;

  /* Canonical dates compare correctly as strings. */
  if (strcmp (end, start) < 0)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: "End date: before Start date (2024-01-01)" */
                   _("%s: before %s (%s)"), elabel, slabel, start);
      return FALSE;
    }
  return TRUE;
}

char *
procura_date_today (void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();

  return g_date_time_format (now, "%Y-%m-%d");
}

/* Julian day number of a canonical date, or 0 when it isn't one. */
static guint32
julian_of (const char *date)
{
  int y, m, d;
  GDate g;

  if (!split_iso_date (date, &y, &m, &d)
      || y < 1 || m < 1 || m > 12 || d < 1
      || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return 0;

  g_date_clear (&g, 1);
  g_date_set_dmy (&g, (GDateDay) d, (GDateMonth) m, (GDateYear) y);
  return g_date_get_julian (&g);
}

/* Returns NULL when date is not a canonical date or the result would
 * leave years 1–9999 (which "YYYY" cannot write). */
char *
procura_date_add_days (const char *date,
                       int         days)
{
  guint32 j = julian_of (date);
  gint64 target;
  GDate g;

  if (j == 0)
    return NULL;

  target = (gint64) j + days;
  if (target < 1 || target > JULIAN_9999_12_31)
    return NULL;

  g_date_clear (&g, 1);
  g_date_set_julian (&g, (guint32) target);
  return g_strdup_printf ("%04d-%02d-%02d", g_date_get_year (&g),
                          g_date_get_month (&g), g_date_get_day (&g));
}

/* Returns 0 when either argument is not a canonical date. */
int
procura_date_diff_days (const char *a,
                        const char *b)
{
  guint32 ja = julian_of (a);
  guint32 jb = julian_of (b);

  if (ja == 0 || jb == 0)
    return 0;
  return (int) ((gint64) jb - (gint64) ja);
}

char *
procura_timestamp_now (void)
{
  /* every write stamps the time: gmtime_r is much cheaper than GDateTime */
  time_t now = (time_t) (g_get_real_time () / G_USEC_PER_SEC);
  struct tm tm;

  gmtime_r (&now, &tm);
  return g_strdup_printf ("%04d-%02d-%02dT%02d:%02d:%02dZ",
                          tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec);
}

char *
procura_timestamp_normalize (const char  *text,
                             const char  *field_label,
                             GError     **error)
{
  const char *label = field_label != NULL ? field_label : _("Timestamp");
  g_autofree char *copy = NULL;
  g_autoptr(GDateTime) parsed = NULL;
  g_autoptr(GDateTime) utc = NULL;
  char *stripped;
  int y;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  copy = g_strdup (text != NULL ? text : "");
  stripped = g_strstrip (copy);
  if (*stripped == '\0')
    {
      report_empty (label, error);
      return NULL;
    }

  /* GLib also takes week and ordinal dates; only calendar dates with a
   * time and an explicit zone are timestamps here (no default zone is
   * passed, so a missing zone fails). */
  if (strlen (stripped) < 11 || stripped[4] != '-' || stripped[7] != '-'
      || (stripped[10] != 'T' && stripped[10] != ' ')
      || (parsed = g_date_time_new_from_iso8601 (stripped, NULL)) == NULL)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   /* Translators: %s is the field label; keep the example */
                   _("%s: not a timestamp like 2026-11-27T08:30:00Z"), label);
      return NULL;
    }

  utc = g_date_time_to_utc (parsed);
  y = g_date_time_get_year (utc);
  if (y < YEAR_MIN || y > YEAR_MAX)
    {
      g_set_error (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                   _("%s: year must be between %d and %d"),
                   label, YEAR_MIN, YEAR_MAX);
      return NULL;
    }

  /* Fractions of a second are dropped: the stored form has none. */
  return g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
}

/* Returns a copy of date unchanged when it is not a canonical date, so a
 * bad stored value is still shown rather than hidden. */
char *
procura_date_format_display (const char *date)
{
  g_autoptr(GDateTime) dt = NULL;
  char *out;
  int y, m, d;

  if (date == NULL)
    return NULL;
  if (!split_iso_date (date, &y, &m, &d) || y < 1 || y > 9999
      || m < 1 || m > 12 || d < 1
      || !g_date_valid_dmy ((GDateDay) d, (GDateMonth) m, (GDateYear) y))
    return g_strdup (date);

  dt = g_date_time_new_utc (y, m, d, 0, 0, 0);
  if (dt == NULL)
    return g_strdup (date);

  /* Translators: g_date_time_format() format for a date on screen and in
   * reports, e.g. "27 Nov 2026". For zh_CN use "%Y年%-m月%-d日". */
  out = g_date_time_format (dt, _("%-d %b %Y"));
  return out != NULL ? out : g_strdup (date);
}

char *
procura_timestamp_format_display (const char *timestamp)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;
  char *out;

  if (timestamp == NULL)
    return NULL;

  if ((utc = g_date_time_new_from_iso8601 (timestamp, NULL)) == NULL)
    return g_strdup (timestamp);
  local = g_date_time_to_local (utc);

  /* Translators: g_date_time_format() format for a moment on screen, in
   * local time, e.g. "27 Nov 2026 13:32". For zh_CN use
   * "%Y年%-m月%-d日 %H:%M". */
  out = g_date_time_format (local, _("%-d %b %Y %H:%M"));
  return out != NULL ? out : g_strdup (timestamp);
}
