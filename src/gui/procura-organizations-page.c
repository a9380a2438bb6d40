/* procura-organizations-page.c
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

#define G_LOG_DOMAIN "procura-organizations-page"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "procura-decimal.h"
#include "procura-grade.h"
#include "procura-money.h"
#include "procura-application.h"
#include "procura-cells.h"
#include "procura-permissions.h"
#include "procura-organizations-page.h"
#include "procura-project-row.h"
#include "procura-record-editor.h"
#include "procura-uscc.h"

/* ==== ProcuraOrganizationItem ========================================= */

struct _ProcuraOrganizationItem
{
  GObject                 parent_instance;

  ProcuraOrganizationRow *row;
};

G_DEFINE_FINAL_TYPE (ProcuraOrganizationItem, procura_organization_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_ID,
  ITEM_PROP_NAME,
  ITEM_PROP_KIND_LABEL,
  ITEM_PROP_USCC,
  ITEM_PROP_N_PROJECTS,
  ITEM_PROP_AVERAGE_SCORE,
  ITEM_N_PROPS
};

static GParamSpec *item_properties [ITEM_N_PROPS];

static const ProcuraFieldInfo *
kind_field (void)
{
  return procura_entity_lookup_field (PROCURA_ENTITY_ORGANIZATION, "kind");
}

static const char *
kind_label (const char *kind)
{
  return kind != NULL ? procura_field_enum_label (kind_field (), kind) : "";
}

static void
procura_organization_item_finalize (GObject *object)
{
  ProcuraOrganizationItem *self = (ProcuraOrganizationItem *)object;

  g_clear_pointer (&self->row, procura_organization_row_free);

  G_OBJECT_CLASS (procura_organization_item_parent_class)->finalize (object);
}

static void
procura_organization_item_get_property (GObject    *object,
                                        guint       prop_id,
                                        GValue     *value,
                                        GParamSpec *pspec)
{
  ProcuraOrganizationItem *self = PROCURA_ORGANIZATION_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_ID:
      g_value_set_string (value, self->row->id);
      break;

    case ITEM_PROP_NAME:
      g_value_set_string (value, self->row->name);
      break;

    case ITEM_PROP_KIND_LABEL:
      g_value_set_string (value, kind_label (self->row->kind));
      break;

    case ITEM_PROP_USCC:
      g_value_set_string (value, self->row->uscc);
      break;

    case ITEM_PROP_N_PROJECTS:
      g_value_set_uint (value, self->row->n_projects);
      break;

    case ITEM_PROP_AVERAGE_SCORE:
      g_value_set_int64 (value, self->row->average_score);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_organization_item_class_init (ProcuraOrganizationItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = procura_organization_item_finalize;
  object_class->get_property = procura_organization_item_get_property;

  item_properties [ITEM_PROP_ID] =
    g_param_spec_string ("id", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_KIND_LABEL] =
    g_param_spec_string ("kind-label", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_USCC] =
    g_param_spec_string ("uscc", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_N_PROJECTS] =
    g_param_spec_uint ("n-projects", NULL, NULL, 0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  item_properties [ITEM_PROP_AVERAGE_SCORE] =
    g_param_spec_int64 ("average-score", NULL, NULL, -1, G_MAXINT64, -1,
                        (G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
procura_organization_item_init (ProcuraOrganizationItem *self)
{
}

/* Takes ownership of row. */
static ProcuraOrganizationItem *
procura_organization_item_new (ProcuraOrganizationRow *row)
{
  ProcuraOrganizationItem *self = g_object_new (PROCURA_TYPE_ORGANIZATION_ITEM, NULL);

  self->row = row;

  return self;
}

const ProcuraOrganizationRow *
procura_organization_item_get_row (ProcuraOrganizationItem *self)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATION_ITEM (self), NULL);

  return self->row;
}

const char *
procura_organization_item_get_id (ProcuraOrganizationItem *self)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATION_ITEM (self), NULL);

  return self->row->id;
}

/* GCompareDataFunc for the grade column: best average first, organizations
 * without one last. */
static int
compare_average_score (gconstpointer a,
                       gconstpointer b,
                       gpointer      user_data)
{
  gint64 x = PROCURA_ORGANIZATION_ITEM ((gpointer) a)->row->average_score;
  gint64 y = PROCURA_ORGANIZATION_ITEM ((gpointer) b)->row->average_score;

  if (x == y)
    return GTK_ORDERING_EQUAL;
  if (x < 0)
    return GTK_ORDERING_LARGER;
  if (y < 0)
    return GTK_ORDERING_SMALLER;

  return x > y ? GTK_ORDERING_SMALLER : GTK_ORDERING_LARGER;
}

/* ==== ProcuraOrganizationsPage ======================================== */

/* The list pipeline, as in the project ledger:
 *
 *   organizations (GListStore of ProcuraOrganizationItem, by name)
 *     → sort_model   (the column view's sorter: header clicks)
 *     → filter_model (search_filter: instant search)
 *     → selection    → column_view
 *
 * selected_id is the organization whose details are shown. It stays
 * while a search hides its line and is selected again when the line comes
 * back; only another selection, select (NULL) or its disappearance from
 * the store change it.
 */
struct _ProcuraOrganizationsPage
{
  GtkWidget            parent_instance;

  ProcuraStore        *store;
  GApplication        *app;           /* whose account's role the page mirrors */

  GListStore          *organizations;
  GtkSortListModel    *sort_model;
  GtkCustomFilter     *search_filter;
  GtkFilterListModel  *filter_model;
  GtkSingleSelection  *selection;
  GListStore          *projects;      /* ProcuraProjectRow of the selected one */
  ProcuraGradeScheme  *default_scheme;

  char                *search_text;   /* as typed */
  char                *search_key;    /* folded terms joined by spaces */
  char               **search_terms;  /* folded terms, NULL-terminated */
  char                *selected_id;
  char                *error_message;
  guint                n_organizations;
  guint                n_shown;
  guint                scroll_tick;
  guint                reloading : 1;
  guint                stale : 1;     /* hidden since the last load */

  /* Template widgets */
  GtkStack            *page_stack;
  AdwLeaflet          *leaflet;
  GtkSearchEntry      *search_entry;
  GtkStack            *list_stack;
  GtkColumnView       *column_view;
  GtkColumnViewColumn *grade_column;
  GtkLabel            *count_label;
  GtkStack            *details_stack;
  GtkScrolledWindow   *details_scroller;
  GtkLabel            *name_label;
  GtkLabel            *kind_label;
  GtkWidget           *edit_button;
  GtkFlowBox          *figures_box;
  GtkListBox          *registration_list;
  GtkListBox          *contact_list;
  AdwPreferencesGroup *projects_group;
  GtkListBox          *projects_list;
  AdwStatusPage       *error_page;

  /* Figures, made in init */
  GtkLabel            *n_projects_label;
  GtkLabel            *n_active_label;
  GtkLabel            *total_value_label;
  GtkLabel            *average_label;
  GtkLabel            *average_grade_label;
  GtkLabel            *average_caption;
};

G_DEFINE_FINAL_TYPE (ProcuraOrganizationsPage, procura_organizations_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_SEARCH_TEXT,
  PROP_SELECTED_ID,
  PROP_N_ORGANIZATIONS,
  PROP_N_SHOWN,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void show_details (ProcuraOrganizationsPage *self);

/* ---- auxiliary methods ------------------------------------------------ */

/* Grades are coloured by the band of the default scheme the score falls
 * in, so that a project graded on a scheme of its own (A+, A, A- …)
 * reads the same as the others. */
static const char * const grade_classes[] = { "success", "accent", "warning", "error" };

static void
set_grade_style (ProcuraOrganizationsPage *self,
                 GtkWidget                *label,
                 gint64                    score)
{
  const char *style = NULL;

  if (score >= 0)
    {
      guint n_bands = procura_grade_scheme_get_n_bands (self->default_scheme);

      for (guint i = 0; i < n_bands && style == NULL; i++)
        {
          if (score >= procura_grade_scheme_get_band_threshold (self->default_scheme, i))
            style = grade_classes[MIN (i, G_N_ELEMENTS (grade_classes) - 1)];
        }
    }

  for (guint i = 0; i < G_N_ELEMENTS (grade_classes); i++)
    {
      if (g_strcmp0 (grade_classes[i], style) == 0)
        gtk_widget_add_css_class (label, grade_classes[i]);
      else
        gtk_widget_remove_css_class (label, grade_classes[i]);
    }
}

static ProcuraOrganizationItem *
find_item (GListModel *model,
           const char *id,
           guint      *out_position)
{
  guint n_items = g_list_model_get_n_items (model);

  if (id == NULL)
    return NULL;

  for (guint i = 0; i < n_items; i++)
    {
      g_autoptr(ProcuraOrganizationItem) item = g_list_model_get_item (model, i);

      if (g_strcmp0 (item->row->id, id) == 0)
        {
          if (out_position != NULL)
            *out_position = i;
          return item;  /* the model keeps it alive */
        }
    }

  return NULL;
}

static void
set_error_message (ProcuraOrganizationsPage *self,
                   const char               *message)
{
  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  if (g_strcmp0 (message, self->error_message) == 0)
    return;

  g_free (self->error_message);
  self->error_message = g_strdup (message);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR_MESSAGE]);
}

static void
update_state (ProcuraOrganizationsPage *self)
{
  g_autofree char *count = NULL;
  guint n_organizations;
  guint n_shown;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  if (self->page_stack == NULL)  /* disposed */
    return;

  n_organizations = g_list_model_get_n_items (G_LIST_MODEL (self->organizations));
  n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->filter_model));

  if (n_organizations == 0 && self->error_message != NULL)
    gtk_stack_set_visible_child_name (self->page_stack, "error");
  else if (n_organizations == 0 && self->store != NULL)
    gtk_stack_set_visible_child_name (self->page_stack, "empty");
  else
    gtk_stack_set_visible_child_name (self->page_stack, "content");

  gtk_stack_set_visible_child_name (self->list_stack, n_shown > 0 || n_organizations == 0 ? "list" : "no-results");

  if (n_shown == n_organizations)
    count = g_strdup_printf (ngettext ("%u organization", "%u organizations", n_organizations),
                             n_organizations);
  else
    /* Translators: the count under the organizations list while searching,
     * e.g. "12 of 200 organizations". The plural follows the second number. */
    count = g_strdup_printf (ngettext ("%u of %u organization", "%u of %u organizations", n_organizations),
                             n_shown, n_organizations);
  gtk_label_set_text (self->count_label, count);

  if (self->n_organizations != n_organizations)
    {
      self->n_organizations = n_organizations;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_ORGANIZATIONS]);
    }

  if (self->n_shown != n_shown)
    {
      self->n_shown = n_shown;
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_N_SHOWN]);
    }
}

/* Shows in the list what selected_id says, without touching it. */
static void
sync_list_selection (ProcuraOrganizationsPage *self)
{
  guint position = GTK_INVALID_LIST_POSITION;
  gboolean was_reloading = self->reloading;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  find_item (G_LIST_MODEL (self->filter_model), self->selected_id, &position);

  if (gtk_single_selection_get_selected (self->selection) == position)
    return;

  self->reloading = TRUE;
  gtk_single_selection_set_selected (self->selection, position);
  self->reloading = was_reloading;
}

static void
set_selected_id (ProcuraOrganizationsPage *self,
                 const char               *id)
{
  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  if (g_strcmp0 (id, self->selected_id) == 0)
    return;

  g_free (self->selected_id);
  self->selected_id = g_strdup (id);

  show_details (self);

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SELECTED_ID]);
}

/* Applies text to the filter at once (the entry's own signal comes after
 * its search delay). */
static void
apply_search (ProcuraOrganizationsPage *self,
              const char               *text)
{
  g_auto(GStrv) terms = NULL;
  g_autofree char *key = NULL;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  if (text == NULL)
    text = "";

  if (g_strcmp0 (text, self->search_text) == 0)
    return;

  g_free (self->search_text);
  self->search_text = g_strdup (text);

  terms = procura_organization_search_terms (text);
  key = g_strjoinv (" ", terms);

  if (g_strcmp0 (key, self->search_key) != 0)
    {
      const char *old_key = self->search_key != NULL ? self->search_key : "";
      GtkFilterChange change;

      /* Typing on narrows the result, deleting widens it. */
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

static gboolean
search_filter_func (gpointer item,
                    gpointer user_data)
{
  ProcuraOrganizationsPage *self = user_data;

  return procura_organization_row_matches (PROCURA_ORGANIZATION_ITEM (item)->row,
                                           (const char * const *) self->search_terms);
}

/* GtkColumnView has no scroll_to () before GTK 4.12: its list view has the
 * action. A list not drawn yet has nothing to scroll: that waits for the
 * next frame. */
static gboolean
scroll_to_selected_cb (GtkWidget     *widget,
                       GdkFrameClock *frame_clock,
                       gpointer       user_data)
{
  ProcuraOrganizationsPage *self = PROCURA_ORGANIZATIONS_PAGE (user_data);
  guint position = gtk_single_selection_get_selected (self->selection);

  /* not laid out yet */
  if (position != GTK_INVALID_LIST_POSITION && gtk_widget_get_height (widget) == 0)
    return G_SOURCE_CONTINUE;

  self->scroll_tick = 0;

  if (position == GTK_INVALID_LIST_POSITION)
    return G_SOURCE_REMOVE;

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->column_view));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_LIST_VIEW (child))
        {
          gtk_widget_activate_action (child, "list.scroll-to-item", "u", position);
          break;
        }
    }

  return G_SOURCE_REMOVE;
}

static void
scroll_to_selected (ProcuraOrganizationsPage *self)
{
  if (self->scroll_tick == 0)
    self->scroll_tick = gtk_widget_add_tick_callback (GTK_WIDGET (self->column_view),
                                                      scroll_to_selected_cb,
                                                      self, NULL);
}

/* ---- the details ------------------------------------------------------ */

static GtkWidget *
new_caption (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "caption");
  gtk_widget_add_css_class (label, "dim-label");

  return label;
}

/* A figure on a card: the value large, what it is under it. */
static GtkLabel *
add_figure (ProcuraOrganizationsPage  *self,
            const char                *caption,
            GtkLabel                 **out_caption,
            GtkLabel                 **out_grade)
{
  GtkWidget *card = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *line = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *value = gtk_label_new (NULL);
  GtkWidget *what = new_caption (caption);

  gtk_widget_add_css_class (card, "card");
  gtk_widget_set_margin_top (line, 12);
  gtk_widget_set_margin_start (line, 12);
  gtk_widget_set_margin_end (line, 12);
  gtk_widget_set_margin_bottom (what, 12);
  gtk_widget_set_margin_start (what, 12);
  gtk_widget_set_margin_end (what, 12);
  gtk_label_set_wrap (GTK_LABEL (what), FALSE);
  gtk_label_set_ellipsize (GTK_LABEL (what), PANGO_ELLIPSIZE_END);

  gtk_label_set_xalign (GTK_LABEL (value), 0.0f);
  gtk_label_set_ellipsize (GTK_LABEL (value), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (value, "title-3");
  gtk_widget_add_css_class (value, "numeric");
  gtk_box_append (GTK_BOX (line), value);

  if (out_grade != NULL)
    {
      GtkWidget *grade = gtk_label_new (NULL);

      gtk_widget_set_valign (grade, GTK_ALIGN_BASELINE);
      gtk_widget_set_valign (value, GTK_ALIGN_BASELINE);
      gtk_widget_add_css_class (grade, "heading");
      gtk_box_append (GTK_BOX (line), grade);
      *out_grade = GTK_LABEL (grade);
    }

  gtk_box_append (GTK_BOX (card), line);
  gtk_box_append (GTK_BOX (card), what);
  gtk_flow_box_append (self->figures_box, card);
  gtk_widget_set_focusable (gtk_widget_get_parent (card), FALSE);

  if (out_caption != NULL)
    *out_caption = GTK_LABEL (what);

  return GTK_LABEL (value);
}

/* A read-only value of the details: what it is small on top, the value
 * (selectable) under it, "—" when there is none. */
static GtkWidget *
property_cell_new (const char *title,
                   const char *value)
{
  GtkWidget *cell = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *text = gtk_label_new (value != NULL && value[0] != '\0' ? value : "—");
  g_autofree char *accessible = NULL;

  gtk_label_set_xalign (GTK_LABEL (text), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (text), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (text), value != NULL && value[0] != '\0');
  if (value == NULL || value[0] == '\0')
    gtk_widget_add_css_class (text, "dim-label");

  gtk_widget_set_hexpand (cell, TRUE);
  gtk_widget_set_valign (cell, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (cell), new_caption (title));
  gtk_box_append (GTK_BOX (cell), text);

  /* Translators: how screen readers read a value of the details,
   * e.g. "Contact person: 王芳" */
  accessible = g_strdup_printf (_("%s: %s"), title, value != NULL && value[0] != '\0' ? value : _("none"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (cell),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, accessible,
                                  -1);

  return cell;
}

/* A line of the details holding cells side by side, in equal widths. */
static GtkWidget *
property_row_new (GtkWidget *first_cell,
                  ...)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  va_list args;

  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);
  gtk_widget_set_margin_top (box, 8);
  gtk_widget_set_margin_bottom (box, 8);
  gtk_widget_set_margin_start (box, 12);
  gtk_widget_set_margin_end (box, 12);
  gtk_box_set_homogeneous (GTK_BOX (box), TRUE);

  va_start (args, first_cell);
  for (GtkWidget *cell = first_cell; cell != NULL; cell = va_arg (args, GtkWidget *))
    gtk_box_append (GTK_BOX (box), cell);
  va_end (args);

  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);

  return row;
}

static const char *
field_label (const char *name)
{
  return procura_field_get_label (procura_entity_lookup_field (PROCURA_ENTITY_ORGANIZATION, name));
}

static void
clear_list_box (GtkListBox *list)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (list))) != NULL)
    gtk_list_box_remove (list, child);
}

/* The credit code, whether it is valid, and what its characters say:
 * 登记管理部门 (char 1), 机构类别 (chars 1–2), 行政区划 (chars 3–8). */
static void
fill_registration (ProcuraOrganizationsPage *self,
                   ProcuraRecord            *record)
{
  const char *uscc = procura_record_get_string (record, "uscc");
  g_autoptr(GError) invalid = NULL;
  g_autofree char *division = NULL;
  GtkWidget *code_cell;
  GtkWidget *code_row;
  GtkWidget *mark;
  GtkWidget *mark_icon;
  GtkWidget *mark_label;

  clear_list_box (self->registration_list);

  code_cell = property_cell_new (field_label ("uscc"), uscc);
  gtk_widget_add_css_class (gtk_widget_get_last_child (code_cell), "monospace");
  code_row = property_row_new (code_cell, NULL);

  mark = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (mark, GTK_ALIGN_CENTER);
  gtk_widget_set_halign (mark, GTK_ALIGN_END);
  gtk_widget_set_hexpand (mark, FALSE);
  mark_icon = gtk_image_new ();
  mark_label = gtk_label_new (NULL);
  gtk_box_append (GTK_BOX (mark), mark_icon);
  gtk_box_append (GTK_BOX (mark), mark_label);
  gtk_box_set_homogeneous (GTK_BOX (gtk_widget_get_parent (code_cell)), FALSE);
  gtk_box_append (GTK_BOX (gtk_widget_get_parent (code_cell)), mark);

  if (uscc != NULL && procura_uscc_validate (uscc, &invalid))
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (mark_icon), "emblem-ok-symbolic");
      /* Translators: the credit code passed its check characters (校验通过) */
      gtk_label_set_text (GTK_LABEL (mark_label), _("Valid"));
      gtk_widget_add_css_class (mark, "success");
      gtk_widget_set_tooltip_text (mark, _("The check characters of the code are correct"));
    }
  else
    {
      gtk_image_set_from_icon_name (GTK_IMAGE (mark_icon), "dialog-warning-symbolic");
      /* Translators: the credit code fails a rule (校验未通过) */
      gtk_label_set_text (GTK_LABEL (mark_label), _("Invalid"));
      gtk_widget_add_css_class (mark, "warning");
      if (invalid != NULL)
        {
          GtkWidget *reason = new_caption (invalid->message);

          gtk_widget_remove_css_class (reason, "dim-label");
          gtk_widget_add_css_class (reason, "warning");
          gtk_box_append (GTK_BOX (code_cell), reason);
          gtk_widget_set_tooltip_text (mark, invalid->message);
        }
    }
  gtk_list_box_append (self->registration_list, code_row);

  /* what the code says, even of a code that fails a check */
  if (uscc != NULL && strlen (uscc) >= 8)
    division = g_strndup (uscc + 2, 6);

  gtk_list_box_append (self->registration_list,
                       property_row_new (
                         /* Translators: 登记管理部门, from the first
                          * character of the credit code */
                         property_cell_new (_("Registration authority"), procura_uscc_authority_label (uscc)),
                         /* Translators: 机构类别, from the first two
                          * characters of the credit code */
                         property_cell_new (_("Organization category"), procura_uscc_category_label (uscc)),
                         /* Translators: 行政区划码, characters 3 to 8 of
                          * the credit code */
                         property_cell_new (_("Division code"), division),
                         NULL));
}

static void
fill_contacts (ProcuraOrganizationsPage *self,
               ProcuraRecord            *record)
{
  const char *note = procura_record_get_string (record, "note");

#define CELL(name) property_cell_new (field_label (name), procura_record_get_string (record, name))

  clear_list_box (self->contact_list);

  gtk_list_box_append (self->contact_list, property_row_new (CELL ("address"), NULL));
  gtk_list_box_append (self->contact_list,
                       property_row_new (CELL ("contact_person"),
                                         CELL ("contact_phone"),
                                         CELL ("contact_email"),
                                         NULL));

  /* a note only when there is one */
  if (note != NULL && note[0] != '\0')
    gtk_list_box_append (self->contact_list, property_row_new (CELL ("note"), NULL));

#undef CELL
}

static void
fill_figures (ProcuraOrganizationsPage     *self,
              const ProcuraOrganizationRow *row)
{
  g_autofree char *n_projects = g_strdup_printf ("%u", row->n_projects);
  g_autofree char *n_active = g_strdup_printf ("%u", row->n_active);
  g_autofree char *value = procura_money_format (row->total_value);

  gtk_label_set_text (self->n_projects_label, n_projects);
  gtk_label_set_text (self->n_active_label, n_active);
  gtk_label_set_text (self->total_value_label, value);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->total_value_label), value);

  if (row->average_score >= 0)
    {
      g_autofree char *score = procura_decimal_format (row->average_score);
      g_autofree char *caption = NULL;

      /* Translators: under the average score of an organization: how many
       * of its projects have a final evaluation */
      caption = g_strdup_printf (ngettext ("Average of %u evaluated project",
                                           "Average of %u evaluated projects",
                                           row->n_graded),
                                 row->n_graded);
      gtk_label_set_text (self->average_label, score);
      gtk_label_set_text (self->average_grade_label, row->average_grade);
      gtk_widget_set_visible (GTK_WIDGET (self->average_grade_label), TRUE);
      set_grade_style (self, GTK_WIDGET (self->average_grade_label), row->average_score);
      gtk_label_set_text (self->average_caption, caption);
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->average_caption), caption);
    }
  else
    {
      gtk_label_set_text (self->average_label, "—");
      gtk_widget_set_visible (GTK_WIDGET (self->average_grade_label), FALSE);
      gtk_label_set_text (self->average_caption, _("No final evaluation yet"));
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->average_caption), NULL);
    }
}

static GtkWidget *
create_project_row_cb (gpointer item,
                       gpointer user_data)
{
  ProcuraOrganizationsPage *self = user_data;
  ProcuraProjectRow *project = item;
  const char *grade = procura_project_row_get_grade (project);
  g_autofree char *value = procura_money_format (procura_project_row_get_amended_value (project));
  g_autofree char *subtitle = NULL;
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *value_label = gtk_label_new (value);
  GtkWidget *grade_label = gtk_label_new (grade != NULL ? grade : "—");

  /* Translators: under a project's title: its number and its status,
   * e.g. "TY-2024-0012 · 执行中" */
  subtitle = g_strdup_printf (_("%s · %s"),
                              procura_project_row_get_code (project),
                              procura_project_row_get_status_label (project));

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), procura_project_row_get_title (project));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_title_lines (ADW_ACTION_ROW (row), 2);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), TRUE);

  gtk_widget_add_css_class (value_label, "numeric");
  gtk_widget_set_valign (value_label, GTK_ALIGN_CENTER);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), value_label);

  gtk_widget_set_valign (grade_label, GTK_ALIGN_CENTER);
  gtk_label_set_width_chars (GTK_LABEL (grade_label), 4);
  gtk_label_set_xalign (GTK_LABEL (grade_label), 0.5f);
  if (grade != NULL)
    {
      gtk_widget_add_css_class (grade_label, "heading");
      set_grade_style (self, grade_label, procura_project_row_get_score (project));
      gtk_widget_set_tooltip_text (grade_label, _("Grade of the latest final evaluation"));
    }
  else
    {
      gtk_widget_add_css_class (grade_label, "dim-label");
      gtk_widget_set_tooltip_text (grade_label, _("No final evaluation yet"));
    }
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), grade_label);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), gtk_image_new_from_icon_name ("go-next-symbolic"));

  return row;
}

static void
fill_projects (ProcuraOrganizationsPage     *self,
               const ProcuraOrganizationRow *row)
{
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree gpointer *items = NULL;
  g_autofree char *description = NULL;
  guint n_items = 0;

  rows = procura_store_query_organization_projects (self->store, row->id, &error);
  if (rows == NULL)
    {
      g_warning ("Could not list the projects of %s: %s", row->id, error->message);
      g_list_store_remove_all (self->projects);
    }
  else
    {
      /* The rows move into their objects, the newest number first: a
       * track record reads back from the latest contract. */
      g_ptr_array_set_free_func (rows, NULL);
      n_items = rows->len;
      items = g_new (gpointer, MAX (n_items, 1));
      for (guint i = 0; i < n_items; i++)
        items[i] = procura_project_row_new (g_ptr_array_index (rows, n_items - 1 - i));

      g_list_store_splice (self->projects, 0,
                           g_list_model_get_n_items (G_LIST_MODEL (self->projects)),
                           items, n_items);

      for (guint i = 0; i < n_items; i++)
        g_object_unref (items[i]);
    }

  if (row->n_purchased > 0 && row->n_projects > 0)
    /* Translators: under the heading of the projects an organization
     * carries out, when it also buys services (购买主体) */
    description = g_strdup_printf (ngettext ("Also the purchasing unit of %u project",
                                             "Also the purchasing unit of %u projects",
                                             row->n_purchased),
                                   row->n_purchased);
  else if (row->n_purchased > 0)
    /* Translators: under the heading of the projects an organization
     * carries out, when it carries out none but buys services (购买主体),
     * as a civil-affairs bureau does */
    description = g_strdup_printf (ngettext ("Purchasing unit of %u project",
                                             "Purchasing unit of %u projects",
                                             row->n_purchased),
                                   row->n_purchased);
  adw_preferences_group_set_description (self->projects_group, description);
}

/* ---- what the account may do (product.md §4) ------------------------- */

static const char *
page_role (ProcuraOrganizationsPage *self)
{
  return PROCURA_IS_APPLICATION (self->app) ? procura_application_get_role (PROCURA_APPLICATION (self->app)) : NULL;
}

/* Officers register and edit every organization; an agency edits only its
 * own contact details (the editor locks the other fields); admins and
 * auditors read. */
static gboolean
may_edit_organization (ProcuraOrganizationsPage *self,
                       const ProcuraRecord      *record)
{
  const char *role = page_role (self);
  const char *organization = PROCURA_IS_APPLICATION (self->app)
                             ? procura_application_get_organization (PROCURA_APPLICATION (self->app)) : NULL;

  return record != NULL &&
         procura_permissions_may (role, "organization", PROCURA_OP_UPDATE) &&
         procura_permissions_is_own_organization (role, organization, procura_record_get_string (record, "uscc"));
}

/* Buttons of an action the account may not use are hidden, not only
 * insensitive. */
static void
set_action_buttons_visible (GtkWidget  *widget,
                            const char *action,
                            gboolean    visible)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (child)), action) == 0)
        gtk_widget_set_visible (child, visible);
      else
        set_action_buttons_visible (child, action, visible);
    }
}

static void show_details (ProcuraOrganizationsPage *self);

static void
update_role (ProcuraOrganizationsPage *self)
{
  gboolean may_add = procura_permissions_may (page_role (self), "organization", PROCURA_OP_CREATE);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "organizations.add", self->store != NULL && may_add);
  set_action_buttons_visible (GTK_WIDGET (self), "organizations.add", may_add);
  if (self->store != NULL)
    show_details (self);
}

static void
show_details (ProcuraOrganizationsPage *self)
{
  g_autoptr(ProcuraRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  ProcuraOrganizationItem *item;
  GtkAdjustment *adjustment;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  item = find_item (G_LIST_MODEL (self->organizations), self->selected_id, NULL);
  if (item != NULL)
    record = procura_store_get (self->store, PROCURA_ENTITY_ORGANIZATION, self->selected_id, &error);

  if (record == NULL)
    {
      if (error != NULL)
        g_warning ("Could not load organization %s: %s", self->selected_id, error->message);
      g_list_store_remove_all (self->projects);
      gtk_stack_set_visible_child_name (self->details_stack, "none");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "organizations.edit", FALSE);
      gtk_widget_set_visible (GTK_WIDGET (self->edit_button), FALSE);
      return;
    }

  gtk_label_set_text (self->name_label, procura_record_get_string (record, "name"));
  gtk_label_set_text (self->kind_label, kind_label (procura_record_get_string (record, "kind")));
  gtk_actionable_set_action_target (GTK_ACTIONABLE (self->edit_button), "s", self->selected_id);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "organizations.edit", may_edit_organization (self, record));
  gtk_widget_set_visible (GTK_WIDGET (self->edit_button), may_edit_organization (self, record));

  fill_figures (self, item->row);
  fill_registration (self, record);
  fill_contacts (self, record);
  fill_projects (self, item->row);

  /* another organization: from its top */
  adjustment = gtk_scrolled_window_get_vadjustment (self->details_scroller);
  gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));

  gtk_stack_set_visible_child_name (self->details_stack, "details");
}

/* ---- the record editor ------------------------------------------------ */

static void
editor_saved_cb (ProcuraOrganizationsPage *self,
                 const char               *id,
                 ProcuraRecordEditor      *editor)
{
  g_autoptr(GError) error = NULL;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  if (!procura_organizations_page_reload (self, &error))
    return;

  procura_organizations_page_select (self, id);
}

/* The schema-driven editor of product.md §5: live validation of every
 * field, the credit code's check characters included. */
static void
open_editor (ProcuraOrganizationsPage *self,
             const char               *id)
{
  ProcuraRecordEditor *editor;
  GtkRoot *root;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  if (self->store == NULL)
    return;

  /* the actions are disabled for what the account may not change; this
   * also holds for an id passed by hand */
  if (id == NULL && !procura_permissions_may (page_role (self), "organization", PROCURA_OP_CREATE))
    return;
  if (id != NULL)
    {
      g_autoptr(ProcuraRecord) record = procura_store_get (self->store, PROCURA_ENTITY_ORGANIZATION, id, NULL);

      if (!may_edit_organization (self, record))
        return;
    }

  root = gtk_widget_get_root (GTK_WIDGET (self));
  editor = procura_record_editor_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                      self->store,
                                      PROCURA_ENTITY_ORGANIZATION,
                                      id,
                                      NULL);
  gtk_window_set_modal (GTK_WINDOW (editor), TRUE);
  g_signal_connect_object (editor, "saved", G_CALLBACK (editor_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
}

/* ---- signal callbacks: the columns ------------------------------------ */

static void
setup_long_text_cb (GtkSignalListItemFactory *factory,
                    GtkListItem              *list_item,
                    ProcuraOrganizationsPage *self)
{
  gtk_list_item_set_child (list_item, GTK_WIDGET (procura_cell_long_text_new ()));
}

static void
setup_code_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraOrganizationsPage *self)
{
  GtkInscription *inscription = procura_cell_inscription_new (0.0f);

  gtk_widget_add_css_class (GTK_WIDGET (inscription), "numeric");
  gtk_list_item_set_child (list_item, GTK_WIDGET (inscription));
}

static void
setup_number_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 ProcuraOrganizationsPage *self)
{
  gtk_list_item_set_child (list_item, GTK_WIDGET (procura_cell_number_new ()));
}

/* The grade, coloured by band, then the score */
static void
setup_grade_cb (GtkSignalListItemFactory *factory,
                GtkListItem              *list_item,
                ProcuraOrganizationsPage *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *grade = gtk_label_new (NULL);
  GtkInscription *score = procura_cell_inscription_new (0.0f);

  gtk_label_set_xalign (GTK_LABEL (grade), 0.0f);
  gtk_widget_add_css_class (GTK_WIDGET (score), "numeric");
  gtk_widget_add_css_class (GTK_WIDGET (score), "dim-label");

  gtk_box_append (GTK_BOX (box), grade);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (score));
  gtk_list_item_set_child (list_item, box);
}

static void
set_cell_text (GtkListItem *list_item,
               const char  *text)
{
  gtk_inscription_set_text (GTK_INSCRIPTION (gtk_list_item_get_child (list_item)), text);
}

static void
bind_name_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraOrganizationsPage *self)
{
  ProcuraOrganizationItem *item = gtk_list_item_get_item (list_item);

  set_cell_text (list_item, item->row->name);
}

static void
bind_kind_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraOrganizationsPage *self)
{
  ProcuraOrganizationItem *item = gtk_list_item_get_item (list_item);

  set_cell_text (list_item, kind_label (item->row->kind));
}

static void
bind_uscc_cb (GtkSignalListItemFactory *factory,
              GtkListItem              *list_item,
              ProcuraOrganizationsPage *self)
{
  ProcuraOrganizationItem *item = gtk_list_item_get_item (list_item);

  set_cell_text (list_item, item->row->uscc);
}

static void
bind_projects_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  ProcuraOrganizationsPage *self)
{
  ProcuraOrganizationItem *item = gtk_list_item_get_item (list_item);
  char text[16];

  g_snprintf (text, sizeof text, "%u", item->row->n_projects);
  set_cell_text (list_item, text);
}

static void
bind_grade_cb (GtkSignalListItemFactory *factory,
               GtkListItem              *list_item,
               ProcuraOrganizationsPage *self)
{
  ProcuraOrganizationItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *box = gtk_list_item_get_child (list_item);
  GtkWidget *grade = gtk_widget_get_first_child (box);
  GtkWidget *score = gtk_widget_get_last_child (box);

  if (item->row->average_score >= 0)
    {
      g_autofree char *text = procura_decimal_format (item->row->average_score);

      gtk_label_set_text (GTK_LABEL (grade), item->row->average_grade);
      gtk_inscription_set_text (GTK_INSCRIPTION (score), text);
      set_grade_style (self, grade, item->row->average_score);
    }
  else
    {
      gtk_label_set_text (GTK_LABEL (grade), "—");
      gtk_inscription_set_text (GTK_INSCRIPTION (score), NULL);
      set_grade_style (self, grade, -1);
    }
}

/* ---- signal callbacks ------------------------------------------------- */

static void
search_changed_cb (ProcuraOrganizationsPage *self,
                   GtkSearchEntry           *entry)
{
  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
}

static void
stop_search_cb (ProcuraOrganizationsPage *self,
                GtkSearchEntry           *entry)
{
  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  procura_organizations_page_set_search_text (self, "");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
search_activate_cb (ProcuraOrganizationsPage *self,
                    GtkSearchEntry           *entry)
{
  g_autoptr(ProcuraOrganizationItem) first = NULL;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  /* Enter: the first result, and on to the list */
  apply_search (self, gtk_editable_get_text (GTK_EDITABLE (entry)));
  if (gtk_single_selection_get_selected_item (self->selection) == NULL &&
      (first = g_list_model_get_item (G_LIST_MODEL (self->filter_model), 0)) != NULL)
    set_selected_id (self, first->row->id);
  sync_list_selection (self);

  if (self->n_shown > 0)
    gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static void
selection_changed_cb (ProcuraOrganizationsPage *self,
                      GParamSpec               *pspec,
                      GtkSingleSelection       *selection)
{
  ProcuraOrganizationItem *item;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  /* The search hiding the line, or a reload: the details stay. */
  if (self->reloading ||
      (item = gtk_single_selection_get_selected_item (selection)) == NULL)
    return;

  set_selected_id (self, item->row->id);
}

static void
filter_items_changed_cb (ProcuraOrganizationsPage *self,
                         guint                     position,
                         guint                     removed,
                         guint                     added,
                         GListModel               *model)
{
  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  if (self->reloading)
    return;

  update_state (self);

  /* the selected line back in view after a search */
  if (added > 0 && gtk_single_selection_get_selected_item (self->selection) == NULL)
    sync_list_selection (self);
}

static void
column_view_activate_cb (ProcuraOrganizationsPage *self,
                         guint                     position,
                         GtkColumnView            *column_view)
{
  g_autoptr(ProcuraOrganizationItem) item = NULL;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  item = g_list_model_get_item (G_LIST_MODEL (self->filter_model), position);
  if (item == NULL)
    return;

  set_selected_id (self, item->row->id);

  /* folded: on to the details */
  adw_leaflet_set_visible_child_name (self->leaflet, "details");
}

static void
project_activated_cb (ProcuraOrganizationsPage *self,
                      GtkListBoxRow            *row,
                      GtkListBox               *list)
{
  g_autoptr(ProcuraProjectRow) project = NULL;

  g_assert (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  project = g_list_model_get_item (G_LIST_MODEL (self->projects), gtk_list_box_row_get_index (row));
  if (project == NULL)
    return;

  /* the window opens the project page */
  if (!gtk_widget_activate_action (GTK_WIDGET (self), "win.open-project", "s",
                                   procura_project_row_get_id (project)))
    g_debug ("No win.open-project action to open project %s", procura_project_row_get_id (project));
}

/* ---- actions ---------------------------------------------------------- */

static void
add_action (GtkWidget  *widget,
            const char *action_name,
            GVariant   *param)
{
  open_editor (PROCURA_ORGANIZATIONS_PAGE (widget), NULL);
}

static void
edit_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *param)
{
  open_editor (PROCURA_ORGANIZATIONS_PAGE (widget), g_variant_get_string (param, NULL));
}

static void
select_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  ProcuraOrganizationsPage *self = PROCURA_ORGANIZATIONS_PAGE (widget);

  if (procura_organizations_page_select (self, g_variant_get_string (param, NULL)))
    adw_leaflet_set_visible_child_name (self->leaflet, "details");
}

static void
reload_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *param)
{
  procura_organizations_page_reload (PROCURA_ORGANIZATIONS_PAGE (widget), NULL);
}

static void
show_list_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ProcuraOrganizationsPage *self = PROCURA_ORGANIZATIONS_PAGE (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->column_view));
}

static gboolean
focus_search_cb (GtkWidget *widget,
                 GVariant  *args,
                 gpointer   user_data)
{
  ProcuraOrganizationsPage *self = PROCURA_ORGANIZATIONS_PAGE (widget);

  adw_leaflet_set_visible_child_name (self->leaflet, "list");
  gtk_widget_grab_focus (GTK_WIDGET (self->search_entry));

  return TRUE;
}

/* ---- GtkWidget -------------------------------------------------------- */

static void
procura_organizations_page_map (GtkWidget *widget)
{
  ProcuraOrganizationsPage *self = PROCURA_ORGANIZATIONS_PAGE (widget);

  GTK_WIDGET_CLASS (procura_organizations_page_parent_class)->map (widget);

  /* figures change as projects do: fresh ones each time the page shows */
  if (self->stale && self->store != NULL)
    procura_organizations_page_reload (self, NULL);

}

static void
procura_organizations_page_unmap (GtkWidget *widget)
{
  ProcuraOrganizationsPage *self = PROCURA_ORGANIZATIONS_PAGE (widget);

  self->stale = TRUE;

  GTK_WIDGET_CLASS (procura_organizations_page_parent_class)->unmap (widget);
}

/* ---- GObject ---------------------------------------------------------- */

static void
procura_organizations_page_dispose (GObject *object)
{
  ProcuraOrganizationsPage *self = (ProcuraOrganizationsPage *)object;

  if (self->scroll_tick != 0)
    {
      gtk_widget_remove_tick_callback (GTK_WIDGET (self->column_view), self->scroll_tick);
      self->scroll_tick = 0;
    }

  /* the models outlive the widgets for a moment while the template goes:
   * their signals must not reach a half-disposed page */
  if (self->filter_model != NULL)
    g_signal_handlers_disconnect_by_data (self->filter_model, self);
  if (self->selection != NULL)
    g_signal_handlers_disconnect_by_data (self->selection, self);

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_ORGANIZATIONS_PAGE);

  g_clear_object (&self->selection);
  g_clear_object (&self->filter_model);
  g_clear_object (&self->search_filter);
  g_clear_object (&self->sort_model);
  g_clear_object (&self->organizations);
  g_clear_object (&self->projects);
  g_clear_object (&self->store);
  g_clear_object (&self->app);

  G_OBJECT_CLASS (procura_organizations_page_parent_class)->dispose (object);
}

static void
procura_organizations_page_finalize (GObject *object)
{
  ProcuraOrganizationsPage *self = (ProcuraOrganizationsPage *)object;

  g_clear_pointer (&self->default_scheme, procura_grade_scheme_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->search_key, g_free);
  g_clear_pointer (&self->search_terms, g_strfreev);
  g_clear_pointer (&self->selected_id, g_free);
  g_clear_pointer (&self->error_message, g_free);

  G_OBJECT_CLASS (procura_organizations_page_parent_class)->finalize (object);
}

static void
procura_organizations_page_get_property (GObject    *object,
                                         guint       prop_id,
                                         GValue     *value,
                                         GParamSpec *pspec)
{
  ProcuraOrganizationsPage *self = PROCURA_ORGANIZATIONS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_SEARCH_TEXT:
      g_value_set_string (value, self->search_text);
      break;

    case PROP_SELECTED_ID:
      g_value_set_string (value, self->selected_id);
      break;

    case PROP_N_ORGANIZATIONS:
      g_value_set_uint (value, self->n_organizations);
      break;

    case PROP_N_SHOWN:
      g_value_set_uint (value, self->n_shown);
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_organizations_page_set_property (GObject      *object,
                                         guint         prop_id,
                                         const GValue *value,
                                         GParamSpec   *pspec)
{
  ProcuraOrganizationsPage *self = PROCURA_ORGANIZATIONS_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      procura_organizations_page_set_store (self, g_value_get_object (value));
      break;

    case PROP_SEARCH_TEXT:
      procura_organizations_page_set_search_text (self, g_value_get_string (value));
      break;

    case PROP_SELECTED_ID:
      procura_organizations_page_select (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_organizations_page_class_init (ProcuraOrganizationsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = procura_organizations_page_dispose;
  object_class->finalize = procura_organizations_page_finalize;
  object_class->get_property = procura_organizations_page_get_property;
  object_class->set_property = procura_organizations_page_set_property;

  widget_class->map = procura_organizations_page_map;
  widget_class->unmap = procura_organizations_page_unmap;

  /**
   * ProcuraOrganizationsPage:store:
   *
   * The store shown. Setting it loads the organizations.
   */
  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PROCURA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraOrganizationsPage:search-text:
   *
   * The search as typed. Setting it fills the search entry and filters at
   * once.
   */
  properties [PROP_SEARCH_TEXT] =
    g_param_spec_string ("search-text", NULL, NULL,
                         "",
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraOrganizationsPage:selected-id:
   *
   * The id of the organization whose details are shown, or NULL.
   */
  properties [PROP_SELECTED_ID] =
    g_param_spec_string ("selected-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraOrganizationsPage:n-organizations:
   *
   * The number of live organizations.
   */
  properties [PROP_N_ORGANIZATIONS] =
    g_param_spec_uint ("n-organizations", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraOrganizationsPage:n-shown:
   *
   * The number of organizations the search lets through.
   */
  properties [PROP_N_SHOWN] =
    g_param_spec_uint ("n-shown", NULL, NULL,
                       0, G_MAXUINT, 0,
                       (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  /**
   * ProcuraOrganizationsPage:error-message:
   *
   * Why the last load failed, or NULL after a successful one.
   */
  properties [PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The template looks items up by type in its sorter expressions. */
  g_type_ensure (PROCURA_TYPE_ORGANIZATION_ITEM);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "organizations-page");

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/procura-organizations-page.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, page_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, leaflet);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, search_entry);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, list_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, column_view);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, grade_column);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, count_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, details_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, details_scroller);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, name_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, kind_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, edit_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, figures_box);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, registration_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, contact_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, projects_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, projects_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraOrganizationsPage, error_page);
  gtk_widget_class_bind_template_callback (widget_class, setup_long_text_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_code_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_number_cb);
  gtk_widget_class_bind_template_callback (widget_class, setup_grade_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_name_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_kind_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_uscc_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_projects_cb);
  gtk_widget_class_bind_template_callback (widget_class, bind_grade_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, stop_search_cb);
  gtk_widget_class_bind_template_callback (widget_class, search_activate_cb);
  gtk_widget_class_bind_template_callback (widget_class, project_activated_cb);

  gtk_widget_class_install_action (widget_class, "organizations.add", NULL, add_action);
  gtk_widget_class_install_action (widget_class, "organizations.edit", "s", edit_action);
  gtk_widget_class_install_action (widget_class, "organizations.select", "s", select_action);
  gtk_widget_class_install_action (widget_class, "organizations.reload", NULL, reload_action);
  gtk_widget_class_install_action (widget_class, "organizations.show-list", NULL, show_list_action);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, focus_search_cb, NULL);
}

static void
procura_organizations_page_init (ProcuraOrganizationsPage *self)
{
  g_autoptr(GtkSorter) grade_sorter = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->default_scheme = procura_grade_scheme_parse (PROCURA_GRADE_SCHEME_DEFAULT, NULL);
  self->search_text = g_strdup ("");
  self->search_key = g_strdup ("");
  self->search_terms = g_new0 (char *, 1);

  self->n_projects_label = add_figure (self,
                                       /* Translators: figure on the details of an
                                        * organization: projects it carries out (承接项目) */
                                       C_("figure", "Projects"), NULL, NULL);
  self->n_active_label = add_figure (self,
                                     /* Translators: figure: of those, projects in progress (执行中) */
                                     C_("figure", "In progress"), NULL, NULL);
  self->total_value_label = add_figure (self,
                                        /* Translators: figure: contract values of its projects,
                                         * amendments included, cancelled ones left out (合同总额) */
                                        C_("figure", "Total contract value"), NULL, NULL);
  self->average_label = add_figure (self,
                                    C_("figure", "Average score"),
                                    &self->average_caption, &self->average_grade_label);

  grade_sorter = GTK_SORTER (gtk_custom_sorter_new (compare_average_score, NULL, NULL));
  gtk_column_view_column_set_sorter (self->grade_column, grade_sorter);

  self->organizations = g_list_store_new (PROCURA_TYPE_ORGANIZATION_ITEM);
  self->sort_model = gtk_sort_list_model_new (g_object_ref (G_LIST_MODEL (self->organizations)),
                                              g_object_ref (gtk_column_view_get_sorter (self->column_view)));
  self->search_filter = gtk_custom_filter_new (search_filter_func, self, NULL);
  self->filter_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->sort_model)),
                                                  g_object_ref (GTK_FILTER (self->search_filter)));
  self->selection = gtk_single_selection_new (g_object_ref (G_LIST_MODEL (self->filter_model)));
  gtk_single_selection_set_autoselect (self->selection, FALSE);
  gtk_single_selection_set_can_unselect (self->selection, FALSE);
  gtk_column_view_set_model (self->column_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->selection, "notify::selected-item",
                           G_CALLBACK (selection_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->filter_model, "items-changed",
                           G_CALLBACK (filter_items_changed_cb), self, G_CONNECT_SWAPPED);
  /* folded, the details are a page of their own: a click opens them */
  g_object_bind_property (self->leaflet, "folded",
                          self->column_view, "single-click-activate",
                          G_BINDING_SYNC_CREATE);
  g_signal_connect_object (self->column_view, "activate",
                           G_CALLBACK (column_view_activate_cb), self, G_CONNECT_SWAPPED);

  self->projects = g_list_store_new (PROCURA_TYPE_PROJECT_ROW);
  gtk_list_box_bind_model (self->projects_list, G_LIST_MODEL (self->projects),
                           create_project_row_cb, self, NULL);
  {
    GtkWidget *placeholder = gtk_label_new (_("Not the contracted agency of any project"));

    gtk_widget_set_margin_top (placeholder, 18);
    gtk_widget_set_margin_bottom (placeholder, 18);
    gtk_widget_set_margin_start (placeholder, 12);
    gtk_widget_set_margin_end (placeholder, 12);
    gtk_label_set_wrap (GTK_LABEL (placeholder), TRUE);
    gtk_widget_add_css_class (placeholder, "dim-label");
    gtk_list_box_set_placeholder (self->projects_list, placeholder);
  }

  gtk_search_entry_set_key_capture_widget (self->search_entry, GTK_WIDGET (self->column_view));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "organizations.edit", FALSE);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "organizations.add", FALSE);

  /* the account's role decides what is offered, live */
  if (PROCURA_IS_APPLICATION (g_application_get_default ()))
    {
      self->app = g_object_ref (g_application_get_default ());
      g_signal_connect_object (self->app, "notify::role",
                               G_CALLBACK (update_role), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->app, "notify::organization",
                               G_CALLBACK (update_role), self, G_CONNECT_SWAPPED);
    }
  update_role (self);

  update_state (self);
}

/* ---- public API ------------------------------------------------------- */

GtkWidget *
procura_organizations_page_new (ProcuraStore *store)
{
  g_return_val_if_fail (store == NULL || PROCURA_IS_STORE (store), NULL);

  return g_object_new (PROCURA_TYPE_ORGANIZATIONS_PAGE,
                       "store", store,
                       NULL);
}

ProcuraStore *
procura_organizations_page_get_store (ProcuraOrganizationsPage *self)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self), NULL);

  return self->store;
}

void
procura_organizations_page_set_store (ProcuraOrganizationsPage *self,
                                      ProcuraStore             *store)
{
  g_return_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self));
  g_return_if_fail (store == NULL || PROCURA_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  update_role (self);

  if (store != NULL)
    {
      procura_organizations_page_reload (self, NULL);
    }
  else
    {
      g_list_store_remove_all (self->organizations);
      set_selected_id (self, NULL);
      update_state (self);
    }

  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);
}

gboolean
procura_organizations_page_reload (ProcuraOrganizationsPage  *self,
                                   GError                   **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  g_autofree gpointer *items = NULL;
  gint64 begin_time = g_get_monotonic_time ();
  gint64 query_time;
  guint n_items;

  g_return_val_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->store == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("No data folder is open."));
      return FALSE;
    }

  rows = procura_store_query_organizations (self->store, NULL, &local_error);
  query_time = g_get_monotonic_time ();

  if (rows == NULL)
    {
      g_autofree char *escaped = g_markup_escape_text (local_error->message, -1);

      g_debug ("Loading the organizations failed: %s", local_error->message);
      set_error_message (self, local_error->message);
      adw_status_page_set_description (self->error_page, escaped);
      update_state (self);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  self->stale = FALSE;
  set_error_message (self, NULL);

  /* The rows move into their objects. */
  g_ptr_array_set_free_func (rows, NULL);
  n_items = rows->len;
  items = g_new (gpointer, MAX (n_items, 1));
  for (guint i = 0; i < n_items; i++)
    items[i] = procura_organization_item_new (g_ptr_array_index (rows, i));

  /* One items-changed for the whole list; the selection follows after. */
  self->reloading = TRUE;
  g_list_store_splice (self->organizations,
                       0, g_list_model_get_n_items (G_LIST_MODEL (self->organizations)),
                       items, n_items);
  self->reloading = FALSE;

  for (guint i = 0; i < n_items; i++)
    g_object_unref (items[i]);

  update_state (self);

  /* the selected organization, with its new figures, unless it is gone */
  if (self->selected_id != NULL &&
      find_item (G_LIST_MODEL (self->organizations), self->selected_id, NULL) == NULL)
    set_selected_id (self, NULL);
  else
    show_details (self);
  sync_list_selection (self);

  /* the new rows start at the top: back to the selected one */
  if (gtk_single_selection_get_selected (self->selection) != GTK_INVALID_LIST_POSITION)
    scroll_to_selected (self);

  g_debug ("%u organizations loaded: query %.1f ms, models %.1f ms",
           n_items,
           (query_time - begin_time) / 1000.0,
           (g_get_monotonic_time () - query_time) / 1000.0);

  return TRUE;
}

const char *
procura_organizations_page_get_search_text (ProcuraOrganizationsPage *self)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self), NULL);

  return self->search_text;
}

void
procura_organizations_page_set_search_text (ProcuraOrganizationsPage *self,
                                            const char               *search_text)
{
  g_return_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self));

  if (search_text == NULL)
    search_text = "";

  apply_search (self, search_text);

  /* keep the entry's transient empty state (replacing its text) out of
   * the filter */
  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->search_entry)), search_text) != 0)
    {
      g_signal_handlers_block_by_func (self->search_entry, search_changed_cb, self);
      gtk_editable_set_text (GTK_EDITABLE (self->search_entry), search_text);
      g_signal_handlers_unblock_by_func (self->search_entry, search_changed_cb, self);
    }
}

const char *
procura_organizations_page_get_selected_id (ProcuraOrganizationsPage *self)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self), NULL);

  return self->selected_id;
}

gboolean
procura_organizations_page_select (ProcuraOrganizationsPage *self,
                                   const char               *id)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self), FALSE);

  if (id != NULL && find_item (G_LIST_MODEL (self->organizations), id, NULL) == NULL)
    return FALSE;

  /* a search that hides it goes */
  if (id != NULL && find_item (G_LIST_MODEL (self->filter_model), id, NULL) == NULL)
    procura_organizations_page_set_search_text (self, "");

  set_selected_id (self, id);
  sync_list_selection (self);

  if (id != NULL)
    scroll_to_selected (self);

  return TRUE;
}

GListModel *
procura_organizations_page_get_model (ProcuraOrganizationsPage *self)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self), NULL);

  return G_LIST_MODEL (self->filter_model);
}

GListModel *
procura_organizations_page_get_projects (ProcuraOrganizationsPage *self)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self), NULL);

  return G_LIST_MODEL (self->projects);
}

guint
procura_organizations_page_get_n_organizations (ProcuraOrganizationsPage *self)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self), 0);

  return self->n_organizations;
}

guint
procura_organizations_page_get_n_shown (ProcuraOrganizationsPage *self)
{
  g_return_val_if_fail (PROCURA_IS_ORGANIZATIONS_PAGE (self), 0);

  return self->n_shown;
}
