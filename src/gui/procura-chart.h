/* procura-chart.h — a small bar chart drawn with cairo
 *
 * Copyright 2025 The Procura authors
 *
 * This program is free software: you can redistribute it and/or modify
 * it under the terms of the GNU General Public License as published by
 * the Free Software Foundation, either version 3 of the License, or
 * (at your option) any later version.
 *
 * This program is distributed in the hope that it will be useful,
 * but WITHOUT ANY WARRANTY; without even the implied warranty of
 * MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
 * GNU General Public License for more details.
 *
 * You should have received a copy of the GNU General Public License
 * along with this program.  If not, see <http://www.gnu.org/licenses/>.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PROCURA_TYPE_CHART (procura_chart_get_type ())

G_DECLARE_FINAL_TYPE (ProcuraChart, procura_chart, PROCURA, CHART, GtkWidget)

/* A chart of categories (streets, statuses …), each with one bar per
 * series. Horizontal: categories down the side and bars growing to the
 * right, for long labels; vertical: categories along the bottom and bars
 * growing upwards. Colours are names of the libadwaita palette ("blue_3",
 * "green_4", "error_color" …) or anything gdk_rgba_parse() accepts; text
 * takes the widget's colour, so the chart follows the dark style. With
 * more than one series a legend names them. Hovering a category shows its
 * tooltip. */
GtkWidget      *procura_chart_new              (GtkOrientation      orientation);

GtkOrientation  procura_chart_get_orientation  (ProcuraChart       *self);
void            procura_chart_set_orientation  (ProcuraChart       *self,
                                                GtkOrientation      orientation);
/* Shown instead of the bars when there are no categories, or every value
 * is 0. */
const char     *procura_chart_get_empty_text   (ProcuraChart       *self);
void            procura_chart_set_empty_text   (ProcuraChart       *self,
                                                const char         *empty_text);

/* Replaces the series (and removes every category). names and colors hold
 * n_series strings each. */
void            procura_chart_set_series       (ProcuraChart       *self,
                                                guint               n_series,
                                                const char * const *names,
                                                const char * const *colors);
void            procura_chart_remove_all       (ProcuraChart       *self);
/* Adds a category. values and value_texts (the labels written next to
 * the bars; may be NULL) hold one entry per series; color (may be NULL)
 * overrides the series colour for this category's bars; tooltip may be
 * NULL. */
void            procura_chart_append           (ProcuraChart       *self,
                                                const char         *label,
                                                const double       *values,
                                                const char * const *value_texts,
                                                const char         *color,
                                                const char         *tooltip);
guint           procura_chart_get_n_categories (ProcuraChart       *self);
/* TRUE when the empty text is shown. */
gboolean        procura_chart_is_empty         (ProcuraChart       *self);

G_END_DECLS
