/* procura-window.c
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

#define G_LOG_DOMAIN "procura-window"

#include "config.h"

#include <glib/gi18n.h>

#include "procura-money.h"
#include "procura-project-row.h"
#include "procura-query.h"
#include "procura-window.h"

/* The ledger pipeline:
 *
 *   projects (GListStore of ProcuraProjectRow, in the store's order)
 *     → sort_model   (the column view's sorter: header clicks)
 *     → filter_model (search_filter: instant search)
 *     → selection    → column_view
 *
 * Sorting comes before filtering so that typing a search only re-filters
 * rows that are already sorted.
 */
struct _ProcuraWindow
{
  AdwApplicationWindow  parent_instance;

  ProcuraStore         *store;
  GSettings            *settings;

  GListStore           *projects;
  GtkSortListModel     *sort_model;
  GtkCustomFilter      *search_filter;
  GtkFilterListModel   *filter_model;
  GtkSingleSelection   *selection;

  char                 *search_text;   /* as typed */
  char                 *search_key;    /* folded terms joined by spaces */
  char                **search_terms;  /* folded terms, NULL-terminated */
  char                 *error_message;
  AdwToast             *reload_toast;  /* weak */
  guint                 n_projects;
  guint                 n_shown;
  guint                 constructed : 1;

  /* Template widgets */
  AdwLeaflet           *leaflet;
  GtkListBox           *sidebar_list;
  AdwWindowTitle       *window_title;
  AdwToastOverlay      *toast_overlay;
  GtkStack             *places_stack;
  GtkSearchBar         *search_bar;
  GtkSearchEntry       *search_entry;
  GtkStack             *ledger_stack;
  GtkColumnView        *column_view;
  GtkColumnViewColumn  *status_column;
  GtkColumnViewColumn  *next_due_column;
  GtkColumnViewColumn  *grade_column;
  AdwStatusPage        *empty_page;
  AdwStatusPage        *error_page;
};

G_DEFINE_FINAL_TYPE (ProcuraWindow, procura_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PLACE,
  PROP_SEARCH_TEXT,
  PROP_LEDGER_MODEL,
  PROP_N_PROJECTS,
  PROP_N_SHOWN,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

/* Auxiliary methods */

static GSettings *
dup_settings (void)
{
  static const char *keys[] = { "window-width", "window-height", "window-maximized" };
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  /* An uninstalled run may have no compiled schema: g_settings_new() would
   * abort, so look it up first and go without persistence. */
  if (source == NULL ||
      !(schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)))
    {
      g_debug ("GSettings schema %s not found; window state is not kept", APP_ID);
      return NULL;
    }

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      if (!g_settings_schema_has_key (schema, keys[i]))
        {
          g_debug ("GSettings schema %s lacks %s; window state is not kept", APP_ID, keys[i]);
          return NULL;
        }
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static void
restore_window_state (ProcuraWindow *self)
{
  int width;
  int height;

  g_assert (PROCURA_IS_WINDOW (self));

  if (self->settings == NULL)
    return;

  width = g_settings_get_int (self->settings, "window-width");
  height = g_settings_get_int (self->settings, "window-height");

  if (width > 0 && height > 0)
    gtk_window_set_default_size (GTK_WINDOW (self), width, height);

  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));
}

static void
save_window_state (ProcuraWindow *self)
{
  int width;
  int height;

  g_assert (PROCURA_IS_WINDOW (self));

  if (self->settings == NULL)
    return;

  /* The default size follows the window while it is not maximized, so it
   * is the size to restore. */
  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);

  g_settings_delay (self->settings);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  g_settings_apply (self->settings);
}

static char **
split_search_terms (const char *text)
{
  g_autofree char *folded = g_utf8_casefold (text != NULL ? text : "", -1);
  g_auto(GStrv) wide = g_strsplit (folded, "\u3000", -1);  /* ideographic space */
  g_autofree char *narrow = g_strjoinv (" ", wide);
  g_auto(GStrv) parts = g_strsplit_set (narrow, " \t\n\r", -1);
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      if (parts[i][0] != '\0')
        g_strv_builder_add (builder, parts[i]);
    }

  return g_strv_builder_end (builder);
}

static gboolean
search_filter_func (gpointer item,
                    gpointer user_data)
{
  ProcuraWindow *self = user_data;

  return procura_project_row_matches (item, (const char * const *)self->search_terms);
}

/* Applies text to the filter at once (the entry's own signal comes after
 * its search delay). */
static void
apply_search (ProcuraWindow *self,
              const char    *text)
{
  g_auto(GStrv) terms = NULL;
  g_autofree char *key = NULL;
  GtkFilterChange change;

  g_assert (PROCURA_IS_WINDOW (self));

  if (text == NULL)
    text = "";

  if (g_strcmp0 (text, self->search_text) == 0)
    return;

  g_free (self->search_text);
  self->search_text = g_strdup (text);

  terms = split_search_terms (text);
  key = g_strjoinv (" ", terms);

  if (g_strcmp0 (key, self->search_key) != 0)
    {
      const char *old_key = self->search_key != NULL ? self->search_key : "";

      /* Typing on narrows the result, deleting widens it: tell the filter
       * model so that it only looks at the rows that can change. */
      if (g_str_has_prefix (key, old_key))
        change = GTK_FILTER_CHANGE_MORE_STRICT;
      else if (g_str_has_prefix (old_key, key))
        change = GTK_FILTER_CHANGE_LESS_STRICT;
      else
        change = GTK_FILTER_CHANGE_DIFFERENT;

      g_strfreev (self->search_terms);
      self->search_terms = g_steal_pointer (&terms);
      g_free (self->search_key);
      self->search_key = g_steal_pointer (&key);

      gtk_filter_changed (GTK_FILTER (self->search_filter), change);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SEARCH_TEXT]);
}

static void
update_ledger_state (ProcuraWindow *self)
{
  g_autofree char *subtitle = NULL;
  guint n_projects;
  guint n_shown;
  const char *page;

  g_assert (PROCURA_IS_WINDOW (self));

  n_projects = g_list_model_get_n_items (G_LIST_MODEL (self->projects));
  n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  if (n_projects == 0 && self->error_message != NULL)
    page = "error";
  else if (n_projects == 0)
    page = "empty";
  else if (n_shown == 0)
    page = "no-results";
  else
    page = "table";

  gtk_stack_set_visible_child_name (self->ledger_stack, page);

  if (n_projects > 0)
    /* Translators: the count of the project ledger, e.g. "12 of 2000
     * projects": the number shown after searching, of the number in the
     * ledger. The plural follows the second number. */
    subtitle = g_strdup_printf (ngettext ("%u of %u project",
                                          "%u of %u projects",
                                          n_projects),
                                n_shown, n_projects);

  adw_window_title_set_subtitle (self->window_title, subtitle != NULL ? subtitle : "");

  if (n_projects == 0 && self->store != NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (procura_store_get_data_dir (self->store), -1);
      g_autofree char *description = NULL;

      description = g_strdup_printf (_("The data folder “%s” holds no projects yet."), escaped);
      adw_status_page_set_description (self->empty_page, description);
    }

  if (self->n_projects != n_projects)
    {
      self->n_projects = n_projects;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_PROJECTS]);
    }

  if (self->n_shown != n_shown)
    {
      self->n_shown = n_shown;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_SHOWN]);
    }
}

static void
set_error_message (ProcuraWindow *self,
                   const char    *message)
{
  g_assert (PROCURA_IS_WINDOW (self));

  if (g_strcmp0 (message, self->error_message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR_MESSAGE]);
}

/* Shows a failed load: on the error page when nothing is shown, else in a
 * toast over the rows of the last successful load. */
static void
show_load_error (ProcuraWindow *self,
                 const GError  *error)
{
  g_autofree char *escaped = NULL;

  g_assert (PROCURA_IS_WINDOW (self));
  g_assert (error != NULL);

  g_debug ("Loading the ledger failed: %s", error->message);

  set_error_message (self, error->message);

  escaped = g_markup_escape_text (error->message, -1);
  adw_status_page_set_description (self->error_page, escaped);

  if (g_list_model_get_n_items (G_LIST_MODEL (self->projects)) > 0)
    {
      g_autofree char *title = NULL;
      AdwToast *toast;

      title = g_strdup_printf (_("Could not reload the ledger: %s"), escaped);
      toast = adw_toast_new (title);
      adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
      adw_toast_set_timeout (toast, 0);
      adw_toast_overlay_add_toast (self->toast_overlay, toast);
    }

  update_ledger_state (self);
}

static GtkListBoxRow *
find_sidebar_row (ProcuraWindow *self,
                  const char    *place)
{
  g_assert (PROCURA_IS_WINDOW (self));

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->sidebar_list));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GVariant *target;

      if (!GTK_IS_LIST_BOX_ROW (child))
        continue;

      target = gtk_actionable_get_action_target_value (GTK_ACTIONABLE (child));
      if (target != NULL &&
          g_variant_is_of_type (target, G_VARIANT_TYPE_STRING) &&
          g_strcmp0 (g_variant_get_string (target, NULL), place) == 0)
        return GTK_LIST_BOX_ROW (child);
    }

  return NULL;
}

static GtkInscription *
cell_inscription (GtkListItem *list_item)
{
  GtkWidget *child = gtk_list_item_get_child (list_item);

  if (GTK_IS_INSCRIPTION (child))
    return GTK_INSCRIPTION (child);

  /* composite cells keep their text last */
  return GTK_INSCRIPTION (gtk_widget_get_last_child (child));
}

static void
set_cell_text (GtkListItem *list_item,
               const char  *text)
{
  gtk_inscription_set_text (cell_inscription (list_item), text);
}

static GtkInscription *
new_inscription (float xalign)
{
  GtkInscription *inscription = GTK_INSCRIPTION (gtk_inscription_new (NULL));

  gtk_inscription_set_text_overflow (inscription, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_xalign (inscription, xalign);
  gtk_widget_set_hexpand (GTK_WIDGET (inscription), TRUE);

  return inscription;
}

/* Signal callbacks: the column factories */

static void
setup_text_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraWindow            *self)
{
  gtk_list_item_set_child (list_item, GTK_WIDGET (new_inscription (0.0f)));
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

/* Text that is often ellipsized: the whole of it in a tooltip. The tooltip
 * is asked for when needed; setting one on each bind costs more than the
 * rest of the cell. */
static void
setup_long_text_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item,
                    ProcuraWindow            *self)
{
  GtkInscription *inscription = new_inscription (0.0f);

  gtk_widget_set_has_tooltip (GTK_WIDGET (inscription), TRUE);
  g_signal_connect (inscription, "query-tooltip", G_CALLBACK (text_query_tooltip_cb), NULL);
  gtk_list_item_set_child (list_item, GTK_WIDGET (inscription));
}

static void
setup_money_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                ProcuraWindow            *self)
{
  GtkInscription *inscription = new_inscription (1.0f);

  gtk_widget_add_css_class (GTK_WIDGET (inscription), "numeric");
  gtk_list_item_set_child (list_item, GTK_WIDGET (inscription));
}

static void
setup_progress_cb (GtkSignalListItemFactory *factory,
                   GtkListItem              *list_item,
                   ProcuraWindow            *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *bar = gtk_progress_bar_new ();
  GtkInscription *inscription = new_inscription (1.0f);

  gtk_widget_set_valign (bar, GTK_ALIGN_CENTER);
  gtk_widget_set_hexpand (bar, TRUE);
  gtk_inscription_set_min_chars (inscription, 5);
  gtk_inscription_set_nat_chars (inscription, 5);
  gtk_widget_set_hexpand (GTK_WIDGET (inscription), FALSE);
  gtk_widget_add_css_class (GTK_WIDGET (inscription), "numeric");

  gtk_box_append (GTK_BOX (box), bar);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (inscription));
  gtk_list_item_set_child (list_item, box);
}

static gboolean
due_query_tooltip_cb (GtkWidget   *widget,
                      int          x,
                      int          y,
                      gboolean     keyboard_mode,
                      GtkTooltip  *tooltip,
                      GtkListItem *list_item)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);
  g_autofree char *text = NULL;
  guint n_overdue;

  if (row == NULL || (n_overdue = procura_project_row_get_n_overdue (row)) == 0)
    return FALSE;

  text = g_strdup_printf (ngettext ("%u milestone overdue",
                                    "%u milestones overdue",
                                    n_overdue),
                          n_overdue);
  gtk_tooltip_set_text (tooltip, text);

  return TRUE;
}

static void
setup_due_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraWindow            *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *icon = gtk_image_new_from_icon_name ("dialog-warning-symbolic");

  gtk_widget_set_visible (icon, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Overdue"),
                                  -1);

  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (new_inscription (0.0f)));
  gtk_list_item_set_child (list_item, box);

  /* see setup_long_text_cb() */
  gtk_widget_set_has_tooltip (box, TRUE);
  g_signal_connect (box, "query-tooltip", G_CALLBACK (due_query_tooltip_cb), list_item);
}

static void
bind_code_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);

  set_cell_text (list_item, procura_project_row_get_code (row));
}

static void
bind_title_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);
  const char *title = procura_project_row_get_title (row);

  set_cell_text (list_item, title);
}

static void
bind_agency_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);
  const char *agency = procura_project_row_get_agency_name (row);

  set_cell_text (list_item, agency);
}

static void
bind_place_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);

  set_cell_text (list_item, procura_project_row_get_place (row));
}

static void
bind_value_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);
  g_autofree char *text = procura_money_format (procura_project_row_get_amended_value (row));

  set_cell_text (list_item, text);
}

static void
bind_paid_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);
  g_autofree char *text = procura_money_format (procura_project_row_get_paid (row));

  set_cell_text (list_item, text);
}

static void
bind_progress_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  guint progress = procura_project_row_get_progress (row);
  char text[16];

  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (gtk_widget_get_first_child (box)),
                                 progress / 1000.0);
  g_snprintf (text, sizeof text, "%u%%", progress / 10);
  set_cell_text (list_item, text);
}

static void
bind_status_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);

  set_cell_text (list_item, procura_project_row_get_status_label (row));
}

static void
bind_due_cb (GtkSignalListItemFactory *factory,
             GtkListItem              *list_item,
             ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  guint n_overdue = procura_project_row_get_n_overdue (row);

  set_cell_text (list_item, procura_project_row_get_next_due (row));
  gtk_widget_set_visible (gtk_widget_get_first_child (box), n_overdue > 0);

  if (n_overdue > 0)
    gtk_widget_add_css_class (box, "error");
  else
    gtk_widget_remove_css_class (box, "error");
}

static void
bind_grade_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraWindow            *self)
{
  ProcuraProjectRow *row = gtk_list_item_get_item (list_item);

  set_cell_text (list_item, procura_project_row_get_grade (row));
}

/* Signal callbacks: search */

static void
search_changed_cb (ProcuraWindow  *self,
                   GtkSearchEntry *entry)
{
  g_assert (PROCURA_IS_WINDOW (self));

  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
stop_search_cb (ProcuraWindow  *self,
                GtkSearchEntry *entry)
{
  g_assert (PROCURA_IS_WINDOW (self));

  gtk_search_bar_set_search_mode (self->search_bar, FALSE);
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
search_activate_cb (ProcuraWindow  *self,
                    GtkSearchEntry *entry)
{
  g_assert (PROCURA_IS_WINDOW (self));

  /* Enter: on to the results */
  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
  if (self->n_shown > 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
filter_items_changed_cb (ProcuraWindow *self,
                         guint          position,
                         guint          removed,
                         guint          added,
                         GListModel    *model)
{
  g_assert (PROCURA_IS_WINDOW (self));

  update_ledger_state (self);
}

static void
places_visible_child_cb (ProcuraWindow *self,
                         GParamSpec    *pspec,
                         GtkStack      *stack)
{
  GtkListBoxRow *row;

  g_assert (PROCURA_IS_WINDOW (self));

  if ((row = find_sidebar_row (self, gtk_stack_get_visible_child_name (stack))))
    gtk_list_box_select_row (self->sidebar_list, row);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PLACE]);
}

/* Actions */

static void
search_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);

  procura_window_set_place (self, "ledger");
  gtk_search_bar_set_search_mode (self->search_bar, TRUE);
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));
  gtk_editable_select_region (GTK_EDITABLE (self->search_entry), 0, -1);
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);
  AdwToast *toast;

  if (self->reload_toast != NULL)
    adw_toast_dismiss (self->reload_toast);

  /* failures are shown by the window itself */
  if (!procura_window_reload (self, NULL))
    return;

  toast = adw_toast_new (_("Ledger reloaded"));
  adw_toast_set_timeout (toast, 2);
  g_set_weak_pointer (&self->reload_toast, toast);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}

static void
show_sidebar_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  ProcuraWindow *self = PROCURA_WINDOW (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "sidebar");
}

/* Parent class overrides */

static gboolean
procura_window_close_request (GtkWindow *window)
{
  ProcuraWindow *self = (ProcuraWindow *)window;

  save_window_state (self);

  return GTK_WINDOW_CLASS (procura_window_parent_class)->close_request (window);
}

static void
procura_window_constructed (GObject *object)
{
  ProcuraWindow *self = (ProcuraWindow *)object;

  G_OBJECT_CLASS (procura_window_parent_class)->constructed (object);

  self->constructed = TRUE;

  /* The first load happens before the window is shown, so the first frame
   * already has the ledger. Without a store the error page says why. */
  procura_window_reload (self, NULL);
}

static void
procura_window_dispose (GObject *object)
{
  ProcuraWindow *self = (ProcuraWindow *)object;

  /* Somebody may still hold the ledger model: leave no pointer to us. */
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  if (self->search_filter != NULL)
    gtk_custom_filter_set_filter_func (self->search_filter, NULL, NULL, NULL);

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_WINDOW);

  g_clear_weak_pointer (&self->reload_toast);
  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->search_filter);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->projects);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (procura_window_parent_class)->dispose (object);
}

static void
procura_window_finalize (GObject *object)
{
  ProcuraWindow *self = (ProcuraWindow *)object;

  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->search_key, g_free);
  g_clear_pointer (&self->search_terms, g_strfreev);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (procura_window_parent_class)->finalize (object);
}

static void
procura_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  ProcuraWindow *self = PROCURA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, procura_window_get_store (self));
      break;

    case PROP_PLACE:
      g_value_set_string (value, procura_window_get_place (self));
      break;

    case PROP_SEARCH_TEXT:
      g_value_set_string (value, procura_window_get_search_text (self));
      break;

    case PROP_LEDGER_MODEL:
      g_value_set_object (value, procura_window_get_ledger_model (self));
      break;

    case PROP_N_PROJECTS:
      g_value_set_uint (value, procura_window_get_n_projects (self));
      break;

    case PROP_N_SHOWN:
      g_value_set_uint (value, procura_window_get_n_shown (self));
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, procura_window_get_error_message (self));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  ProcuraWindow *self = PROCURA_WINDOW (object);

  switch (prop_id)
    {
    case PROP_STORE:
      procura_window_set_store (self, g_value_get_object (value));
      break;

    case PROP_PLACE:
      procura_window_set_place (self, g_value_get_string (value));
      break;

    case PROP_SEARCH_TEXT:
      procura_window_set_search_text (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* class_init and init */

static void
procura_window_class_init (ProcuraWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = procura_window_constructed;
  object_class->dispose = procura_window_dispose;
  object_class->finalize = procura_window_finalize;
  object_class->get_property = procura_window_get_property;
  object_class->set_property = procura_window_set_property;

  window_class->close_request = procura_window_close_request;

  /**
   * ProcuraWindow:store:
   *
   * The store shown. Setting it loads the ledger; when it is NULL the
   * window asks its ProcuraApplication for the store on reload.
   */
  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PROCURA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:place:
   *
   * The place shown, by name: "ledger". Also the state of win.place.
   */
  properties [PROP_PLACE] =
    g_param_spec_string ("place", NULL, NULL,
                         "ledger",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:search-text:
   *
   * The ledger search as typed. Setting it fills the search entry and
   * filters at once, without the entry's typing delay.
   */
  properties [PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:ledger-model:
   *
   * The ledger as shown, sorted and filtered; items are ProcuraProjectRow.
   */
  properties [PROP_LEDGER_MODEL] =
    g_param_spec_object ("ledger-model", NULL, NULL,
                         G_TYPE_LIST_MODEL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:n-projects:
   *
   * The number of projects in the ledger.
   */
  properties [PROP_N_PROJECTS] =
    g_param_spec_uint ("n-projects", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:n-shown:
   *
   * The number of projects the search lets through.
   */
  properties [PROP_N_SHOWN] =
    g_param_spec_uint ("n-shown", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraWindow:error-message:
   *
   * Why the last load of the ledger failed, or NULL after a successful one.
   */
  properties [PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The template looks rows up by type in its sorter expressions. */
  g_type_ensure (PROCURA_TYPE_PROJECT_ROW);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/procura-window.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, sidebar_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, places_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, search_bar);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, ledger_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, column_view);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, status_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, next_due_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, grade_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraWindow, error_page);
  gtk_widget_class_bind_template_callback (widget_class, setup_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_long_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_money_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_progress_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_due_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_code_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_title_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_agency_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_place_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_value_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_paid_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_progress_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_status_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_due_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_grade_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);

  gtk_widget_class_install_action (widget_class, "win.search", NULL, search_action);
  gtk_widget_class_install_action (widget_class, "win.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "win.show-sidebar", NULL, show_sidebar_action);
  gtk_widget_class_install_property_action (widget_class, "win.place", "place");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.search", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.reload", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "win.reload", NULL);
}

static void
procura_window_init (ProcuraWindow *self)
{
  g_autoptr(GtkSorter) status_sorter = NULL;
  g_autoptr(GtkSorter) next_due_sorter = NULL;
  g_autoptr(GtkSorter) grade_sorter = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->settings = dup_settings ();
  restore_window_state (self);

  /* Columns whose order is not that of a property: workflow order, and
   * rows without a date or grade last */
  status_sorter = GTK_SORTER (gtk_custom_sorter_new (procura_project_row_compare_status, NULL, NULL));
  gtk_column_view_column_set_sorter (self->status_column, status_sorter);
  next_due_sorter = GTK_SORTER (gtk_custom_sorter_new (procura_project_row_compare_next_due, NULL, NULL));
  gtk_column_view_column_set_sorter (self->next_due_column, next_due_sorter);
  grade_sorter = GTK_SORTER (gtk_custom_sorter_new (procura_project_row_compare_score, NULL, NULL));
  gtk_column_view_column_set_sorter (self->grade_column, grade_sorter);

  self->search_text = g_strdup ("");
  self->search_key = g_strdup ("");
  self->search_terms = g_new0 (char *, 1);

  self->projects = g_list_store_new (PROCURA_TYPE_PROJECT_ROW);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->projects)),
                                              g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->search_filter = gtk_custom_filter_new (search_filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)),
                                                  g_object_ref (GTK_FILTER (self->search_filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, TRUE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->filter_model,
                           "items-changed",
                           G_CALLBACK (filter_items_changed_cb),
                           self,
                           G_CONNECT_SWAPPED);

  gtk_search_bar_connect_entry (self->search_bar, GTK_EDITABLE (self->search_entry));
  gtk_search_bar_set_key_capture_widget (self->search_bar, GTK_WIDGET (self));

  g_signal_connect_object (self->places_stack,
                           "notify::visible-child-name",
                           G_CALLBACK (places_visible_child_cb),
                           self,
                           G_CONNECT_SWAPPED);
  gtk_list_box_select_row (self->sidebar_list, find_sidebar_row (self, "ledger"));
  adw_leaflet_set_visible_child_name (self->leaflet, "content");

  update_ledger_state (self);
}

/* Public API */

ProcuraWindow *
procura_window_new (ProcuraApplication *application)
{
  g_autoptr(GError) error = NULL;
  ProcuraWindow *self;
  ProcuraStore *store;

  g_return_val_if_fail (PROCURA_IS_APPLICATION (application), NULL);

  store = procura_application_get_store (application, &error);
  self = g_object_new (PROCURA_TYPE_WINDOW,
                       "application", application,
                       "store", store,
                       NULL);

  if (store == NULL)
    show_load_error (self, error);

  return self;
}

ProcuraStore *
procura_window_get_store (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  return self->store;
}

void
procura_window_set_store (ProcuraWindow *self,
                          ProcuraStore  *store)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));
  g_return_if_fail (store == NULL || PROCURA_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  if (self->constructed)
    procura_window_reload (self, NULL);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);
}

const char *
procura_window_get_place (ProcuraWindow *self)
{
  const char *place = NULL;

  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  /* win.place reads this while the template is still being built */
  if (self->places_stack != NULL)
    place = gtk_stack_get_visible_child_name (self->places_stack);

  return place != NULL ? place : "ledger";
}

void
procura_window_set_place (ProcuraWindow *self,
                          const char    *place)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));
  g_return_if_fail (place != NULL);

  if (gtk_stack_get_child_by_name (self->places_stack, place) == NULL)
    {
      g_warning ("No place named “%s”", place);
      return;
    }

  /* notifies through places_visible_child_cb() */
  gtk_stack_set_visible_child_name (self->places_stack, place);

  /* on a narrow window, on from the sidebar to the place */
  adw_leaflet_set_visible_child_name (self->leaflet, "content");
}

const char *
procura_window_get_search_text (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  return self->search_text;
}

void
procura_window_set_search_text (ProcuraWindow *self,
                                const char    *search_text)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));

  if (search_text == NULL)
    search_text = "";

  apply_search (self, search_text);

  /* Replacing the text empties the entry first, and an empty search
   * entry reports at once: keep that transient state out of the filter. */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), search_text) != 0)
    {
      g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), search_text);
      g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
    }

  if (search_text[0] != '\0')
    gtk_search_bar_set_search_mode (self->search_bar, TRUE);
}

GListModel *
procura_window_get_ledger_model (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  return G_LIST_MODEL (self->filter_model);
}

guint
procura_window_get_n_projects (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), 0);

  return self->n_projects;
}

guint
procura_window_get_n_shown (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), 0);

  return self->n_shown;
}

const char *
procura_window_get_error_message (ProcuraWindow *self)
{
  g_return_val_if_fail (PROCURA_IS_WINDOW (self), NULL);

  return self->error_message;
}

gboolean
procura_window_reload (ProcuraWindow  *self,
                       GError        **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree gpointer *items = NULL;
  gint64 begin_time = g_get_monotonic_time ();
  gint64 query_time;
  guint n_items;

  g_return_val_if_fail (PROCURA_IS_WINDOW (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->store == NULL)
    {
      GtkApplication *app = gtk_window_get_application (GTK_WINDOW (self));
      ProcuraStore *store = NULL;

      if (PROCURA_IS_APPLICATION (app))
        store = procura_application_get_store (PROCURA_APPLICATION (app), &local_error);
      else
        g_set_error_literal (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                             _("No data folder is open."));

      /* not through the setter: that would load a second time */
      if (g_set_object (&self->store, store))
        g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);
    }

  if (self->store != NULL)
    rows = procura_store_query_ledger (self->store, NULL, NULL, &local_error);

  query_time = g_get_monotonic_time ();

  if (rows == NULL)
    {
      show_load_error (self, local_error);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  /* The rows move into their objects. */
  g_ptr_array_set_free_func (rows, NULL);
  n_items = rows->len;
  items = g_new (gpointer, MAX (n_items, 1));
  for (guint i = 0; i < n_items; i++)
    items[i] = procura_project_row_new (g_ptr_array_index (rows, i));

  set_error_message (self, NULL);

  /* One items-changed for the whole ledger */
  g_list_store_splice (self->projects,
                       0, g_list_model_get_n_items (G_LIST_MODEL (self->projects)),
                       items, n_items);

  for (guint i = 0; i < n_items; i++)
    g_object_unref (items[i]);

  update_ledger_state (self);

  g_debug ("Ledger of %u projects loaded: query %.1f ms, models %.1f ms",
           n_items,
           (query_time - begin_time) / 1000.0,
           (g_get_monotonic_time () - query_time) / 1000.0);

  return TRUE;
}

void
procura_window_add_toast (ProcuraWindow *self,
                          AdwToast      *toast)
{
  g_return_if_fail (PROCURA_IS_WINDOW (self));
  g_return_if_fail (ADW_IS_TOAST (toast));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
