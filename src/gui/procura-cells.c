/* procura-cells.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "procura-cells.h"

#include <string.h>

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

/* ---- choosing among many names -------------------------------------------- */

/* A leading place name: a stem of two or three characters and its level
 * (湖南省, 株洲市, 天元区, 荷塘街道), or an autonomous region or prefecture
 * (内蒙古自治区). Anything else is left alone: "社区服务中心" is no place. */
static const char *
skip_place_name (const char *name)
{
  static const struct { const char *level; guint min_stem, max_stem; } levels[] = {
    { "自治区", 2, 6 }, { "自治州", 2, 6 }, { "街道", 2, 3 },
    { "省", 2, 3 }, { "市", 2, 3 }, { "区", 2, 3 }, { "县", 2, 3 },
  };
  const char *p = name;

  for (guint n_chars = 0; *p != '\0' && n_chars <= 6; n_chars++, p = g_utf8_next_char (p))
    for (guint i = 0; i < G_N_ELEMENTS (levels); i++)
      if (n_chars >= levels[i].min_stem && n_chars <= levels[i].max_stem &&
          g_str_has_prefix (p, levels[i].level))
        {
          const char *rest = p + strlen (levels[i].level);

          /* a name that is only a place keeps it */
          return *rest != '\0' ? rest : name;
        }

  return name;
}

char *
procura_name_search_key (const char *name)
{
  const char *rest;
  GString *key;

  if (name == NULL)
    return g_strdup ("");

  key = g_string_new (NULL);
  for (rest = name; ; )
    {
      const char *next = skip_place_name (rest);

      if (next == rest)
        break;
      rest = next;
    }
  /* the distinctive part first (what the search matches the start of),
   * the whole name after it */
  g_string_append (key, rest);
  if (rest != name)
    {
      g_string_append_c (key, ' ');
      g_string_append (key, name);
    }

  return g_string_free (key, FALSE);
}

static char *
string_object_search_key (GtkStringObject *item)
{
  return procura_name_search_key (item != NULL ? gtk_string_object_get_string (item) : NULL);
}

GtkExpression *
procura_name_search_expression (void)
{
  return gtk_cclosure_expression_new (G_TYPE_STRING, NULL, 0, NULL,
                                      G_CALLBACK (string_object_search_key), NULL, NULL);
}

static void
name_setup_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *item,
               gpointer                  user_data)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_max_width_chars (GTK_LABEL (label), GPOINTER_TO_INT (user_data));
  gtk_list_item_set_child (item, label);
}

static void
name_bind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *item,
              gpointer                  user_data)
{
  GtkStringObject *object = gtk_list_item_get_item (item);
  const char *text = object != NULL ? gtk_string_object_get_string (object) : "";

  gtk_label_set_label (GTK_LABEL (gtk_list_item_get_child (item)), text);
}

GtkListItemFactory *
procura_name_factory_new (int max_chars)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  g_signal_connect (factory, "setup", G_CALLBACK (name_setup_cb), GINT_TO_POINTER (max_chars));
  g_signal_connect (factory, "bind", G_CALLBACK (name_bind_cb), NULL);

  return factory;
}

GtkWidget *
procura_name_drop_down_new (void)
{
  GtkWidget *drop = gtk_drop_down_new (NULL, procura_name_search_expression ());
  g_autoptr(GtkListItemFactory) factory = procura_name_factory_new (30);

  gtk_drop_down_set_enable_search (GTK_DROP_DOWN (drop), TRUE);
  gtk_drop_down_set_factory (GTK_DROP_DOWN (drop), factory);

  return drop;
}
