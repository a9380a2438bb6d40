/* procura-cells.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "procura-cells.h"

GtkInscription *
procura_cell_inscription_new (float xalign)
{
  GtkInscription *inscription = GTK_INSCRIPTION (gtk_inscription_new (NULL));

  gtk_inscription_set_text_overflow (inscription, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_xalign (inscription, xalign);
  gtk_widget_set_hexpand (GTK_WIDGET (inscription), TRUE);

  return inscription;
}

static gboolean
text_query_tooltip_cb (GtkWidget  *widget,
                       int         x,
                       int         y,
                       gboolean    keyboard_mode,
                       GtkTooltip *tooltip,
                       gpointer    user_data)
{
  const char *text = gtk_inscription_get_text (GTK_INSCRIPTION (widget));

  if (text == NULL || text[0] == '\0')
    return FALSE;

  gtk_tooltip_set_text (tooltip, text);

  return TRUE;
}

GtkInscription *
procura_cell_long_text_new (void)
{
  GtkInscription *inscription = procura_cell_inscription_new (0.0f);

  gtk_widget_set_has_tooltip (GTK_WIDGET (inscription), TRUE);
  g_signal_connect (inscription, "query-tooltip", G_CALLBACK (text_query_tooltip_cb), NULL);

  return inscription;
}

GtkInscription *
procura_cell_number_new (void)
{
  GtkInscription *inscription = procura_cell_inscription_new (1.0f);

  gtk_widget_add_css_class (GTK_WIDGET (inscription), "numeric");

  return inscription;
}
