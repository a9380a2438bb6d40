/* procura-grade.h — configurable grade schemes
 *
 * A scheme is text like "优秀>=90;良好>=80;合格>=60;不合格>=0": bands in
 * descending order of threshold, the last one at 0 so every score gets a
 * grade. Thresholds are decimals (hundredths internally).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PROCURA_GRADE_SCHEME_DEFAULT "优秀>=90;良好>=80;合格>=60;不合格>=0"

typedef struct _ProcuraGradeScheme ProcuraGradeScheme;

/* Refuses: empty text, empty grade names, duplicate names, thresholds out
 * of 0–100, thresholds not strictly descending, no band at 0. */
ProcuraGradeScheme *procura_grade_scheme_parse  (const char          *text,
                                                 GError             **error);
void                procura_grade_scheme_free   (ProcuraGradeScheme  *scheme);
guint               procura_grade_scheme_get_n_bands (const ProcuraGradeScheme *scheme);
const char         *procura_grade_scheme_get_band_name (const ProcuraGradeScheme *scheme,
                                                        guint                     i);
gint64              procura_grade_scheme_get_band_threshold (const ProcuraGradeScheme *scheme,
                                                             guint                     i);
/* Grade for a total in hundredths (0–10000). */
const char         *procura_grade_scheme_grade  (const ProcuraGradeScheme *scheme,
                                                 gint64                    total_hundredths);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ProcuraGradeScheme, procura_grade_scheme_free)

G_END_DECLS
