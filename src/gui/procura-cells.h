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

G_END_DECLS
