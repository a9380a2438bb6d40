/* procura-date.h — calendar dates and UTC timestamps
 *
 * Dates are ISO 8601 calendar dates "YYYY-MM-DD" stored as text; they sort
 * and compare as strings. Timestamps are "YYYY-MM-DDTHH:MM:SSZ" in UTC.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Accepts exactly "YYYY-MM-DD" with a real calendar day (years 1900–2199). */
gboolean  procura_date_validate     (const char  *text,
                                     const char  *field_label,
                                     GError     **error);
/* Accepts "YYYY-MM" (months, e.g. for consultation items). */
gboolean  procura_month_validate    (const char  *text,
                                     const char  *field_label,
                                     GError     **error);
/* Accepts what people type — "2021-08-01", "2021/8/1", "2021.8.1",
 * "2021年8月1日" — and returns the canonical "YYYY-MM-DD". */
char     *procura_date_normalize    (const char  *text,
                                     const char  *field_label,
                                     GError     **error);
/* procura_date_normalize(), and also the day numbers spreadsheets store
 * (Excel and WPS: 1 = 1900-01-01, 44409 = 2021-08-01; 60 is the
 * 1900-02-29 that never was, and is refused), as a CSV saved from a sheet
 * whose date column was not formatted as dates carries them. */
char     *procura_date_parse_spreadsheet (const char  *text,
                                          const char  *field_label,
                                          GError     **error);
/* Refuses end < start (either may be NULL: then nothing to check). */
gboolean  procura_period_validate   (const char  *start,
                                     const char  *end,
                                     const char  *start_label,
                                     const char  *end_label,
                                     GError     **error);
/* Today's date in the local time zone (what officers mean by "today"). */
char     *procura_date_today        (void);
/* date + days, both canonical */
char     *procura_date_add_days     (const char  *date,
                                     int          days);
/* Days from a to b (b − a). */
int       procura_date_diff_days    (const char  *a,
                                     const char  *b);
/* Now as a UTC timestamp "YYYY-MM-DDTHH:MM:SSZ". */
char     *procura_timestamp_now     (void);
/* A UTC timestamp on screen, in local time to the minute, e.g.
 * "27 Nov 2026 13:32" (zh_CN: "2026年11月27日 13:32"). Unparsable text
 * comes back unchanged; NULL gives NULL. */
char     *procura_timestamp_format_display (const char *timestamp);
/* Accepts a timestamp with Z or an offset; returns it in canonical UTC. */
char     *procura_timestamp_normalize (const char  *text,
                                       const char  *field_label,
                                       GError     **error);
/* "2026年11月27日" under zh_CN, "27 Nov 2026"-style otherwise (translated
 * strftime format). */
char     *procura_date_format_display (const char *date);

G_END_DECLS
