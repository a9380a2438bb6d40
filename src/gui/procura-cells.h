/* procura-cells.h — cells of the app's column views
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* One line of text, ellipsized at the end, aligned by xalign. */
GtkInscription *procura_cell_inscription_new (float xalign);
/* Text that is often ellipsized: the whole of it in a tooltip. The
 * tooltip is asked for when needed; setting one on each bind costs more
 * than the rest of the cell. */
GtkInscription *procura_cell_long_text_new   (void);
/* Figures: right-aligned, tabular digits. */
GtkInscription *procura_cell_number_new      (void);

/* Choosing an organization among hundreds whose names nearly all start
 * with the same place names (湖南省, 株洲市, 天元区 …): a drop-down's search
 * matches the start of what this expression gives for a GtkStringObject —
 * the name without its leading place names, then the whole name — so
 * "至善" finds 株洲市至善社会工作服务中心. */
char              *procura_name_search_key         (const char *name);
GtkExpression     *procura_name_search_expression  (void);
/* Shows a GtkStringObject's whole string, up to max_chars wide. */
GtkListItemFactory *procura_name_factory_new       (int         max_chars);
/* A GtkDropDown over names with that search. */
GtkWidget         *procura_name_drop_down_new      (void);

G_END_DECLS
