/* procura-project-page.c
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

#define G_LOG_DOMAIN "procura-project-page"

#include "config.h"

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <string.h>

#include "procura-blobs.h"
#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-derive.h"
#include "procura-error.h"
#include "procura-money.h"
#include "procura-application.h"
#include "procura-paths.h"
#include "procura-permissions.h"
#include "procura-project-page.h"
#include "procura-query.h"
#include "procura-timeline.h"
#include "procura-workflow.h"

/* The record editor is written alongside this page; until its header is
 * there, editing says so in a toast. */
#if defined(__has_include)
# if __has_include ("procura-record-editor.h")
#  include "procura-record-editor.h"
#  define HAVE_RECORD_EDITOR 1
# endif
#endif
#ifndef HAVE_RECORD_EDITOR
# define HAVE_RECORD_EDITOR 0
#endif

/* ---- ProcuraHistoryItem ------------------------------------------------ */

struct _ProcuraHistoryItem
{
  GObject  parent_instance;

  gint64   change_id;
  char    *at;
  char    *time_text;
  char    *actor;
  char    *op;
  char    *entity;
  char    *record_id;
  char    *record_text;
  char    *field;
  char    *field_key;
  char    *field_label;
  char    *old_value;
  char    *new_value;
  char    *old_text;
  char    *new_text;
};

G_DEFINE_FINAL_TYPE (ProcuraHistoryItem, procura_history_item, G_TYPE_OBJECT)

static void
procura_history_item_finalize (GObject *object)
{
  ProcuraHistoryItem *self = (ProcuraHistoryItem *)object;

  g_free (self->at);
  g_free (self->time_text);
  g_free (self->actor);
  g_free (self->op);
  g_free (self->entity);
  g_free (self->record_id);
  g_free (self->record_text);
  g_free (self->field);
  g_free (self->field_key);
  g_free (self->field_label);
  g_free (self->old_value);
  g_free (self->new_value);
  g_free (self->old_text);
  g_free (self->new_text);

  G_OBJECT_CLASS (procura_history_item_parent_class)->finalize (object);
}

static void
procura_history_item_class_init (ProcuraHistoryItemClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = procura_history_item_finalize;
}

static void
procura_history_item_init (ProcuraHistoryItem *self)
{
}

#define HISTORY_GETTER(type, name, default_value)                          \
  type                                                                     \
  procura_history_item_get_##name (ProcuraHistoryItem *self)               \
  {                                                                        \
    g_return_val_if_fail (PROCURA_IS_HISTORY_ITEM (self), default_value);  \
    return self->name;                                                     \
  }

HISTORY_GETTER (gint64, change_id, 0)
HISTORY_GETTER (const char *, at, NULL)
HISTORY_GETTER (const char *, time_text, NULL)
HISTORY_GETTER (const char *, actor, NULL)
HISTORY_GETTER (const char *, op, NULL)
HISTORY_GETTER (const char *, entity, NULL)
HISTORY_GETTER (const char *, record_id, NULL)
HISTORY_GETTER (const char *, record_text, NULL)
HISTORY_GETTER (const char *, field, NULL)
HISTORY_GETTER (const char *, field_key, NULL)
HISTORY_GETTER (const char *, field_label, NULL)
HISTORY_GETTER (const char *, old_value, NULL)
HISTORY_GETTER (const char *, new_value, NULL)
HISTORY_GETTER (const char *, old_text, NULL)
HISTORY_GETTER (const char *, new_text, NULL)

#undef HISTORY_GETTER

/* ---- ProcuraProjectPage ------------------------------------------------ */

typedef enum
{
  HISTORY_COLUMN_TIME,
  HISTORY_COLUMN_ACTOR,
  HISTORY_COLUMN_RECORD,
  HISTORY_COLUMN_FIELD,
  HISTORY_COLUMN_OLD,
  HISTORY_COLUMN_NEW,
} HistoryColumn;

struct _ProcuraProjectPage
{
  GtkWidget             parent_instance;

  ProcuraStore         *store;
  char                 *project_id;
  ProcuraProjectBundle *bundle;
  GHashTable           *records;       /* id → ProcuraRecord*, of the bundle and looked-up organizations */
  GPtrArray            *extra_records; /* organizations outside the bundle */
  char                 *today;
  gboolean              closed;
  char                 *error_message;
  char                 *last_message;

  GHashTable           *hash_labels;   /* attachment id → GtkLabel* shown */
  GHashTable           *state_tags;    /* record id → GtkLabel* shown */
  GHashTable           *review_labels; /* report id → GtkLabel* of a returned report's comment */
  GHashTable           *report_folds;  /* report id → GINT (1 unfolded, 2 folded) by the person */
  GApplication         *app;           /* whose account's role the page mirrors (product.md §4) */
  guint                 sections_built; /* bit per section_builders[] entry */

  GListStore           *history;       /* ProcuraHistoryItem, newest first */
  GtkCustomFilter      *history_filter;
  GtkFilterListModel   *history_model;
  GtkNoSelection       *history_selection;
  char                 *history_field;
  char                 *history_actor;
  GPtrArray            *field_keys;    /* parallel to the field dropdown's items */
  GPtrArray            *actor_keys;    /* parallel to the person dropdown's items */
  guint                 updating_filters : 1;

  GMenu                *status_menu;
  GtkFileChooserNative *chooser;
  char                 *chooser_report_id;

  /* Template widgets */
  GtkStack             *main_stack;
  AdwStatusPage        *error_page;
  GtkLabel             *code_label;
  GtkLabel             *status_label;
  GtkLabel             *overdue_tag;
  GtkLabel             *title_label;
  GtkLabel             *agency_label;
  GtkMenuButton        *status_button;
  GtkFlowBox           *facts_box;
  GtkLabel             *value_label;
  GtkLabel             *value_detail_label;
  GtkLabel             *paid_label;
  GtkLabel             *paid_detail_label;
  GtkLabel             *balance_label;
  GtkLabel             *balance_detail_label;
  GtkLabel             *progress_label;
  GtkProgressBar       *progress_bar;
  GtkLabel             *progress_detail_label;
  GtkLabel             *period_label;
  GtkLabel             *period_detail_label;
  GtkLabel             *overdue_label;
  GtkLabel             *overdue_detail_label;
  AdwSqueezer          *switcher_squeezer;
  GtkWidget            *switcher_placeholder;
  AdwViewSwitcherBar   *switcher_bar;
  AdwViewStack         *view_stack;
  GtkListBox           *contract_list;
  GtkListBox           *service_list;
  GtkListBox           *amendments_list;
  GtkStack             *milestones_stack;
  ProcuraTimeline      *timeline;
  GtkListBox           *milestones_list;
  GtkStack             *reports_stack;
  GtkBox               *reports_box;
  GtkStack             *payments_stack;
  GtkLabel             *funds_paid_label;
  GtkLabel             *funds_percent_label;
  GtkLevelBar          *funds_bar;
  GtkLabel             *funds_detail_label;
  GtkListBox           *payments_list;
  GtkBox               *evaluations_box;
  GtkListBox           *indicators_list;
  GtkStack             *activities_stack;
  GtkListBox           *activities_list;
  GtkStack             *consultations_stack;
  GtkListBox           *consultations_list;
  GtkLabel             *history_count_label;
  GtkDropDown          *history_field_dropdown;
  GtkDropDown          *history_actor_dropdown;
  GtkStack             *history_stack;
  GtkColumnView        *history_view;
};

G_DEFINE_FINAL_TYPE (ProcuraProjectPage, procura_project_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  PROP_PROJECT_ID,
  PROP_TITLE,
  PROP_CODE,
  PROP_SECTION,
  PROP_ERROR_MESSAGE,
  N_PROPS
};

enum {
  CHANGED,
  TOAST,
  N_SIGNALS
};

static GParamSpec *properties [N_PROPS];
static guint signals [N_SIGNALS];

static void load_project (ProcuraProjectPage *self);

/* ---- small helpers ------------------------------------------------------ */

static char *
blob_dir (ProcuraProjectPage *self)
{
  return g_build_filename (procura_store_get_data_dir (self->store), "blobs", NULL);
}

static void
emit_toast (ProcuraProjectPage *self,
            const char         *message)
{
  g_assert (PROCURA_IS_PROJECT_PAGE (self));

  g_free (self->last_message);
  self->last_message = g_strdup (message);
  g_debug ("%s", message);
  g_signal_emit (self, signals [TOAST], 0, message);
}

static void
emit_error (ProcuraProjectPage *self,
            const GError       *error)
{
  emit_toast (self, error->message);
}

/* After a write of the page: show it, tell the window, say what happened. */
static void
written (ProcuraProjectPage *self,
         const char         *message)
{
  g_assert (PROCURA_IS_PROJECT_PAGE (self));

  load_project (self);
  g_signal_emit (self, signals [CHANGED], 0);
  if (message != NULL)
    emit_toast (self, message);
}

static const ProcuraFieldInfo *
field_of (const ProcuraEntityInfo *entity,
          const char              *name)
{
  return procura_entity_lookup_field (entity, name);
}

static const char *
enum_label (const ProcuraEntityInfo *entity,
            const char              *field,
            const char              *code)
{
  if (code == NULL)
    return NULL;

  return procura_field_enum_label (field_of (entity, field), code);
}

static const char *
state_of (const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);

  if (entity->status_field == NULL)
    return NULL;

  return procura_record_get_string (record, entity->status_field);
}

/* The colour of a workflow state: done, in hand, needing attention. */
static const char *
state_style (const char *code)
{
  static const char *success[] = { "accepted", "paid", "completed", "resolved", "final", NULL };
  static const char *accent[] = { "submitted", "active", "payable", "agreed", "in_progress", NULL };
  static const char *warning[] = { "returned", "terminated", "unresolved", NULL };

  if (code == NULL)
    return NULL;
  if (g_strv_contains (success, code))
    return "success";
  if (g_strv_contains (accent, code))
    return "accent";
  if (g_strv_contains (warning, code))
    return "warning";
  return NULL;
}

static void
style_tag (GtkLabel   *label,
           const char *text,
           const char *style)
{
  const char *classes[] = { "procura-tag", style, NULL };

  gtk_label_set_label (label, text != NULL ? text : "");
  gtk_widget_set_css_classes (GTK_WIDGET (label), classes);
}

static GtkWidget *
tag_new (const char *text,
         const char *style)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  style_tag (GTK_LABEL (label), text, style);

  return label;
}

static GtkWidget *
state_tag_new (ProcuraProjectPage  *self,
               const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  const char *state = state_of (record);
  GtkWidget *tag = tag_new (enum_label (entity, entity->status_field, state), state_style (state));

  g_hash_table_replace (self->state_tags, g_strdup (procura_record_get_id (record)), tag);

  return tag;
}

static AdwActionRow *
action_row_new (const char *title,
                const char *subtitle)
{
  AdwActionRow *row = ADW_ACTION_ROW (adw_action_row_new ());

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title != NULL ? title : "");
  if (subtitle != NULL && subtitle[0] != '\0')
    adw_action_row_set_subtitle (row, subtitle);

  return row;
}

static void
row_set_action (GtkListBoxRow *row,
                const char    *action,
                const char    *target)
{
  gtk_list_box_row_set_activatable (row, TRUE);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (row), action);
  if (target != NULL)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (row), "s", target);
}

/* ---- what the account may do (product.md §4) ------------------------------- */

/* The account's role: NULL for a local ledger (officer powers). */
static const char *
page_role (ProcuraProjectPage *self)
{
  if (PROCURA_IS_APPLICATION (self->app))
    return procura_application_get_role (PROCURA_APPLICATION (self->app));

  return NULL;
}

static gboolean
may (ProcuraProjectPage *self,
     const char         *entity,
     ProcuraOperation    op)
{
  return procura_permissions_may (page_role (self), entity, op);
}

static ProcuraRecord *lookup_record (ProcuraProjectPage *self,
                                     const char         *id);

/* May the account open this record in the editor? Agencies: reports not
 * yet accepted and their files, activities, consultation items, and the
 * actual values of indicator periods (the editor locks the rest). */
static gboolean
may_edit_record (ProcuraProjectPage  *self,
                 const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  const char *role = page_role (self);

  if (!procura_permissions_may (role, entity->name, PROCURA_OP_UPDATE))
    return FALSE;
  if (entity == PROCURA_ENTITY_REPORT)
    return procura_permissions_may_report (role, procura_record_get_string (record, "state"), PROCURA_OP_UPDATE);
  if (entity == PROCURA_ENTITY_ATTACHMENT)
    {
      ProcuraRecord *report = lookup_record (self, procura_record_get_string (record, "report_id"));

      return report == NULL ||
             procura_permissions_may_report (role, procura_record_get_string (report, "state"), PROCURA_OP_UPDATE);
    }

  return TRUE;
}

/* A row opens its record in the editor only for an account that may
 * change it; for others it is plain text, not a dimmed button. */
static void
row_set_edit_action (ProcuraProjectPage  *self,
                     GtkListBoxRow       *row,
                     const char          *action,
                     const ProcuraRecord *record)
{
  if (may_edit_record (self, record))
    row_set_action (row, action, procura_record_get_id (record));
}

static GtkWidget *
icon_button_new (const char *icon_name,
                 const char *tooltip,
                 const char *action,
                 const char *target)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon_name);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (target != NULL)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", target);

  return button;
}

static GtkWidget *
text_button_new (const char *label,
                 const char *style,
                 const char *action,
                 const char *target)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  if (style != NULL)
    gtk_widget_add_css_class (button, style);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  if (target != NULL)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (button), "s", target);

  return button;
}

static GtkWidget *
value_label_new (const char *text,
                 const char *style)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 1.0f);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_widget_set_can_focus (label, FALSE);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);

  return label;
}

static GtkWidget *
placeholder_new (const char *text)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_widget_set_margin_top (label, 18);
  gtk_widget_set_margin_bottom (label, 18);
  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "dim-label");

  return label;
}

static void
list_box_clear (GtkListBox *list)
{
  GtkListBoxRow *row;

  while ((row = gtk_list_box_get_row_at_index (list, 0)) != NULL)
    gtk_list_box_remove (list, GTK_WIDGET (row));
}

static void
box_clear (GtkBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_box_remove (box, child);
}

static GtkListBox *
boxed_list_new (void)
{
  GtkWidget *list = gtk_list_box_new ();

  gtk_list_box_set_selection_mode (GTK_LIST_BOX (list), GTK_SELECTION_NONE);
  gtk_widget_add_css_class (list, "boxed-list");

  return GTK_LIST_BOX (list);
}

static char *
format_date (const char *date)
{
  if (date == NULL || date[0] == '\0')
    return g_strdup ("—");

  return procura_date_format_display (date);
}

static char *
format_month (const char *month)
{
  g_autoptr(GDateTime) dt = NULL;
  int y, m;

  if (month == NULL || sscanf (month, "%d-%d", &y, &m) != 2 ||
      (dt = g_date_time_new_utc (y, m, 1, 0, 0, 0)) == NULL)
    return g_strdup (month != NULL ? month : "—");

  /* Translators: a month, a g_date_time_format() format: "%Y年%-m月" in
   * Chinese */
  return g_date_time_format (dt, _("%B %Y"));
}

/* A UTC timestamp in the local time zone. */
static char *
format_timestamp (const char *timestamp)
{
  if (timestamp == NULL)
    return g_strdup ("—");

  return procura_timestamp_format_display (timestamp);
}

static char *
format_decimal (const ProcuraRecord *record,
                const char          *field)
{
  if (!procura_record_has (record, field))
    return g_strdup ("—");

  return procura_decimal_format (procura_record_get_int (record, field, 0));
}

static char *
format_wan (gint64 fen)
{
  g_autofree char *wan = procura_money_format_wan (fen);

  /* Translators: an amount in ten thousands of yuan, "%s 万元" in
   * Chinese */
  return g_strdup_printf (_("%s × 10k yuan"), wan);
}

static guint
percent_of (gint64 part,
            gint64 whole)
{
  if (whole <= 0 || part <= 0)
    return 0;

  return (guint) MIN (G_GINT64_CONSTANT (999), (part * 100 + whole / 2) / whole);
}

/* ---- records ----------------------------------------------------------- */

/* A sortable view of records owned elsewhere. */
static GPtrArray *
borrowed_copy (GPtrArray *records)
{
  GPtrArray *copy = g_ptr_array_sized_new (records->len);

  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (copy, g_ptr_array_index (records, i));

  return copy;
}

static void
index_records (ProcuraProjectPage *self,
               GPtrArray          *records)
{
  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      ProcuraRecord *record = g_ptr_array_index (records, i);

      g_hash_table_insert (self->records, (gpointer) procura_record_get_id (record), record);
    }
}

static void
index_bundle (ProcuraProjectPage *self)
{
  ProcuraProjectBundle *bundle = self->bundle;
  GPtrArray *arrays[] = {
    bundle->amendments, bundle->milestones, bundle->payments, bundle->reports,
    bundle->attachments, bundle->evaluations, bundle->criteria, bundle->indicators,
    bundle->indicator_periods, bundle->activities, bundle->consultations,
  };
  ProcuraRecord *singles[] = { bundle->project, bundle->agency, bundle->buyer, bundle->grade_scheme };

  g_hash_table_remove_all (self->records);
  g_ptr_array_set_size (self->extra_records, 0);

  for (guint i = 0; i < G_N_ELEMENTS (singles); i++)
    if (singles[i] != NULL)
      g_hash_table_insert (self->records, (gpointer) procura_record_get_id (singles[i]), singles[i]);

  for (guint i = 0; i < G_N_ELEMENTS (arrays); i++)
    index_records (self, arrays[i]);
}

static ProcuraRecord *
lookup_record (ProcuraProjectPage *self,
               const char         *id)
{
  if (id == NULL)
    return NULL;

  return g_hash_table_lookup (self->records, id);
}

/* The record a reference points to: in the bundle, or (organizations
 * and grade schemes outside it) from the store, once. */
static ProcuraRecord *
resolve_ref (ProcuraProjectPage *self,
             const char         *entity_name,
             const char         *id)
{
  ProcuraRecord *record = lookup_record (self, id);
  const ProcuraEntityInfo *entity;

  if (record != NULL || id == NULL || entity_name == NULL || self->store == NULL)
    return record;

  entity = procura_schema_lookup (entity_name);
  if (entity == NULL || entity->project_scoped || g_str_equal (entity_name, "project"))
    return NULL;

  record = procura_store_get (self->store, entity, id, NULL);
  if (record != NULL)
    {
      g_ptr_array_add (self->extra_records, record);
      g_hash_table_insert (self->records, (gpointer) procura_record_get_id (record), record);
    }

  return record;
}

static char *record_title (ProcuraProjectPage *self, const ProcuraRecord *record);

/* What people see for a field of a record; NULL when it is empty. */
static char *
record_display (ProcuraProjectPage  *self,
                const ProcuraRecord *record,
                const char          *name)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  int index = procura_entity_field_index (entity, name);
  const ProcuraFieldInfo *field;
  GVariant *value;

  if (index < 0 || !procura_record_is_set (record, index))
    return NULL;

  value = procura_record_get_value (record, index);
  if (value == NULL)
    return NULL;

  field = &entity->fields[index];
  switch (field->type)
    {
    case PROCURA_FIELD_REF:
      {
        const char *id = g_variant_get_string (value, NULL);
        ProcuraRecord *target = resolve_ref (self, field->ref_entity, id);

        return target != NULL ? record_title (self, target) : g_strdup (id);
      }

    case PROCURA_FIELD_MONTH:
      return format_month (g_variant_get_string (value, NULL));

    case PROCURA_FIELD_TIMESTAMP:
      return format_timestamp (g_variant_get_string (value, NULL));

    default:
      return procura_field_value_to_display (field, value);
    }
}

static char *
record_title (ProcuraProjectPage  *self,
              const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  char *title = NULL;

  if (entity->title_field != NULL)
    title = record_display (self, record, entity->title_field);

  return title != NULL ? title : g_strdup (procura_entity_get_label (entity));
}

/* ---- the editor ---------------------------------------------------------- */

#if HAVE_RECORD_EDITOR
static void
editor_saved_cb (ProcuraProjectPage *self,
                 const char         *id)
{
  written (self, _("Changes saved"));
}
#endif

/* Opens the record editor on a record (id) or a new one (id NULL,
 * pre-filled from defaults). presets: field, text pairs (NULL-terminated)
 * put into the form as if typed, e.g. to record a payment. The editor's
 * window is returned (NULL in a build without editors). */
static GtkWindow *
open_editor_full (ProcuraProjectPage      *self,
                  const ProcuraEntityInfo *entity,
                  const char              *id,
                  ProcuraRecord           *defaults,
                  const char * const      *hidden_fields,
                  const char * const      *presets)
{
#if HAVE_RECORD_EDITOR
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *parent = GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL;
  ProcuraRecordEditor *editor;

  g_assert (PROCURA_IS_PROJECT_PAGE (self));

  editor = procura_record_editor_new (parent, self->store, entity, id, defaults);
  if (hidden_fields != NULL)
    procura_record_editor_set_hidden_fields (editor, hidden_fields);
  for (guint i = 0; presets != NULL && presets[i] != NULL && presets[i + 1] != NULL; i += 2)
    procura_record_editor_set_text (editor, presets[i], presets[i + 1]);
  g_signal_connect_object (editor, "saved", G_CALLBACK (editor_saved_cb), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (editor));
  return GTK_WINDOW (editor);
#else
  g_assert (PROCURA_IS_PROJECT_PAGE (self));

  emit_toast (self, _("The record editor is not available in this build"));
  return NULL;
#endif
}

static void
open_editor (ProcuraProjectPage      *self,
             const ProcuraEntityInfo *entity,
             const char              *id,
             ProcuraRecord           *defaults,
             const char * const      *hidden_fields)
{
  open_editor_full (self, entity, id, defaults, hidden_fields, NULL);
}

static ProcuraRecord *
child_defaults (ProcuraProjectPage      *self,
                const ProcuraEntityInfo *entity)
{
  ProcuraRecord *defaults = procura_record_new (entity, NULL);

  if (procura_entity_lookup_field (entity, "project_id") != NULL)
    procura_record_set_string (defaults, "project_id", self->project_id);

  return defaults;
}

static void
add_child (ProcuraProjectPage      *self,
           const ProcuraEntityInfo *entity,
           ProcuraRecord           *defaults)
{
  static const char *hidden[] = { "project_id", NULL };
  g_autoptr(ProcuraRecord) own = NULL;

  if (self->bundle == NULL)
    return;

  if (defaults == NULL)
    defaults = own = child_defaults (self, entity);

  open_editor (self, entity, NULL, defaults, hidden);
}

static void
edit_record (ProcuraProjectPage *self,
             const char         *id)
{
  static const char *hidden[] = { "project_id", NULL };
  ProcuraRecord *record = lookup_record (self, id);

  if (record == NULL)
    {
      emit_toast (self, _("This record is no longer there"));
      return;
    }
  if (!may_edit_record (self, record))
    {
      emit_toast (self, _("This account may not change this record"));
      return;
    }

  open_editor (self, procura_record_get_entity (record), id, NULL,
               procura_record_get_entity (record) == PROCURA_ENTITY_PROJECT ? NULL : hidden);
}

/* ---- header ---------------------------------------------------------------- */

static const char *
effective_end (ProcuraProjectPage *self)
{
  const char *end = procura_record_get_string (self->bundle->project, "end_date");

  for (guint i = 0; i < self->bundle->amendments->len; i++)
    {
      const char *new_end = procura_record_get_string (g_ptr_array_index (self->bundle->amendments, i),
                                                       "new_end_date");

      if (new_end != NULL && (end == NULL || strcmp (new_end, end) > 0))
        end = new_end;
    }

  return end;
}

static void
update_status_menu (ProcuraProjectPage *self)
{
  const char *status = state_of (self->bundle->project);
  const char **next = procura_workflow_next_states (PROCURA_ENTITY_PROJECT, status);

  g_menu_remove_all (self->status_menu);

  for (guint i = 0; next[i] != NULL; i++)
    {
      g_autoptr(GMenuItem) item = NULL;
      g_autofree char *label = NULL;

      /* Translators: a menu item moving the project to a state, e.g.
       * "Mark as In progress"; %s is the state's label */
      label = g_strdup_printf (_("Mark as “%s”"), enum_label (PROCURA_ENTITY_PROJECT, "status", next[i]));
      item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target (item, "project.set-status", "s", next[i]);
      g_menu_append_item (self->status_menu, item);
    }

  gtk_widget_set_sensitive (GTK_WIDGET (self->status_button), next[0] != NULL);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_button),
                               next[0] != NULL ? _("Move the project to another state")
                                               : _("The project is closed; its state no longer changes"));
}

static void
build_header (ProcuraProjectPage *self)
{
  ProcuraProjectBundle *bundle = self->bundle;
  ProcuraRecord *project = bundle->project;
  const char *status = state_of (project);
  gint64 value = procura_record_get_int (project, "value", 0);
  gint64 amended = procura_project_amended_value (bundle);
  gint64 paid = procura_project_paid (bundle);
  gint64 balance = procura_project_balance (bundle);
  gint64 payable = 0;
  guint overdue = procura_project_count_overdue (bundle, self->today);
  guint n_accepted = 0;
  ProcuraRecord *next_due = NULL;
  const char *start = procura_record_get_string (project, "start_date");
  const char *end = effective_end (self);
  g_autoptr(GString) agency = g_string_new (NULL);
  g_autofree char *text = NULL;
  g_autofree char *detail = NULL;
  g_autofree char *agency_name = NULL;
  g_autofree char *category = NULL;

  gtk_label_set_label (self->code_label, procura_record_get_string (project, "code"));
  style_tag (self->status_label, enum_label (PROCURA_ENTITY_PROJECT, "status", status), state_style (status));
  gtk_label_set_label (self->title_label, procura_record_get_string (project, "title"));

  agency_name = bundle->agency != NULL ? record_title (self, bundle->agency) : NULL;
  if (agency_name != NULL)
    g_string_append (agency, agency_name);
  else
    g_string_append (agency, _("No agency contracted yet"));
  if (procura_record_get_string (project, "street") != NULL)
    g_string_append_printf (agency, " · %s", procura_record_get_string (project, "street"));
  if (procura_record_get_string (project, "community") != NULL)
    g_string_append_printf (agency, " %s", procura_record_get_string (project, "community"));
  category = record_display (self, project, "category");
  if (category != NULL)
    g_string_append_printf (agency, " · %s", category);
  gtk_label_set_label (self->agency_label, agency->str);

  /* value */
  text = procura_money_format (amended);
  gtk_label_set_label (self->value_label, text);
  g_clear_pointer (&text, g_free);
  if (amended != value)
    {
      g_autofree char *delta = procura_money_format (ABS (amended - value));
      g_autofree char *wan = format_wan (amended);

      /* Translators: under the contract value: the change the amendments
       * made, then the value in 万元 */
      detail = g_strdup_printf (amended > value ? _("incl. +%s amended · %s") : _("incl. −%s amended · %s"),
                                delta, wan);
    }
  else
    detail = format_wan (amended);
  gtk_label_set_label (self->value_detail_label, detail);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->value_label), NULL);
  g_clear_pointer (&detail, g_free);
  {
    g_autofree char *capital = procura_money_format_capital (amended);
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->value_label), capital);
  }

  /* paid and balance */
  text = procura_money_format (paid);
  gtk_label_set_label (self->paid_label, text);
  g_clear_pointer (&text, g_free);
  /* Translators: share of the contract value paid */
  detail = g_strdup_printf (_("%u%% of the value"), percent_of (paid, amended));
  gtk_label_set_label (self->paid_detail_label, detail);
  g_clear_pointer (&detail, g_free);

  text = procura_money_format (balance);
  gtk_label_set_label (self->balance_label, text);
  g_clear_pointer (&text, g_free);
  for (guint i = 0; i < bundle->payments->len; i++)
    {
      ProcuraRecord *payment = g_ptr_array_index (bundle->payments, i);

      if (g_strcmp0 (state_of (payment), "payable") == 0)
        payable += procura_record_get_int (payment, "planned_amount", 0);
    }
  if (payable > 0)
    {
      g_autofree char *amount = procura_money_format (payable);

      detail = g_strdup_printf (_("%s payable now"), amount);
    }
  else
    detail = g_strdup (_("Nothing payable now"));
  gtk_label_set_label (self->balance_detail_label, detail);
  g_clear_pointer (&detail, g_free);

  /* progress */
  for (guint i = 0; i < bundle->milestones->len; i++)
    {
      ProcuraRecord *milestone = g_ptr_array_index (bundle->milestones, i);

      if (g_strcmp0 (state_of (milestone), "accepted") == 0)
        n_accepted++;
      else if (next_due == NULL ||
               g_strcmp0 (procura_record_get_string (milestone, "due_date"),
                          procura_record_get_string (next_due, "due_date")) < 0)
        next_due = milestone;
    }
  /* rounded down, as the ledger and the CLI show it: never 100% before the
   * last milestone is accepted */
  text = g_strdup_printf ("%u%%", procura_project_progress (bundle) / 10);
  gtk_label_set_label (self->progress_label, text);
  g_clear_pointer (&text, g_free);
  if (bundle->milestones->len == 0)
    text = g_strdup (_("No milestones planned"));
  else
    /* Translators: milestones accepted of milestones planned */
    text = g_strdup_printf (ngettext ("%u of %u milestone accepted", "%u of %u milestones accepted",
                                      bundle->milestones->len),
                            n_accepted, bundle->milestones->len);
  gtk_label_set_label (self->progress_detail_label, text);
  g_clear_pointer (&text, g_free);
  gtk_progress_bar_set_fraction (self->progress_bar, procura_project_progress (bundle) / 1000.0);

  /* period */
  {
    g_autofree char *s = format_date (start);
    g_autofree char *e = format_date (end);

    /* one date a line */
    text = g_strdup_printf ("%s –\n%s", s, e);
    gtk_label_set_label (self->period_label, text);
    g_clear_pointer (&text, g_free);
  }
  if (self->closed)
    detail = g_strdup (enum_label (PROCURA_ENTITY_PROJECT, "status", status));
  else if (start != NULL && g_strcmp0 (self->today, start) < 0)
    {
      int days = procura_date_diff_days (self->today, start);

      detail = g_strdup_printf (ngettext ("Starts in %d day", "Starts in %d days", days), days);
    }
  else if (end != NULL && g_strcmp0 (self->today, end) <= 0)
    {
      int days = procura_date_diff_days (self->today, end);

      detail = g_strdup_printf (ngettext ("%d day left", "%d days left", days), days);
    }
  else if (end != NULL)
    {
      int days = procura_date_diff_days (end, self->today);

      detail = g_strdup_printf (ngettext ("Ended %d day ago", "Ended %d days ago", days), days);
    }
  else
    detail = g_strdup ("");
  if (g_strcmp0 (end, procura_record_get_string (project, "end_date")) != 0)
    {
      char *extended = g_strdup_printf ("%s · %s", detail, _("extended by amendment"));

      g_free (detail);
      detail = extended;
    }
  gtk_label_set_label (self->period_detail_label, detail);
  g_clear_pointer (&detail, g_free);

  /* overdue */
  text = g_strdup_printf ("%u", overdue);
  gtk_label_set_label (self->overdue_label, text);
  g_clear_pointer (&text, g_free);
  if (overdue > 0)
    gtk_widget_add_css_class (GTK_WIDGET (self->overdue_label), "error");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->overdue_label), "error");
  if (next_due != NULL && !self->closed)
    {
      g_autofree char *due = format_date (procura_record_get_string (next_due, "due_date"));

      /* Translators: the next milestone due: its title, then its date */
      detail = g_strdup_printf (_("Next: %s, %s"), procura_record_get_string (next_due, "title"), due);
    }
  else if (self->closed)
    detail = g_strdup (_("Nothing is due on a closed project"));
  else
    detail = g_strdup (_("Nothing due"));
  gtk_label_set_label (self->overdue_detail_label, detail);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->overdue_detail_label), detail);
  g_clear_pointer (&detail, g_free);

  gtk_widget_set_visible (GTK_WIDGET (self->overdue_tag), overdue > 0);
  if (overdue > 0)
    {
      text = g_strdup_printf (ngettext ("%u overdue", "%u overdue", overdue), overdue);
      gtk_label_set_label (self->overdue_tag, text);
      g_clear_pointer (&text, g_free);
    }

  update_status_menu (self);
}

/* ---- 合同 ---------------------------------------------------------------- */

static void
add_field_rows (ProcuraProjectPage *self,
                GtkListBox         *list,
                const char * const *names)
{
  ProcuraRecord *project = self->bundle->project;

  for (guint i = 0; names[i] != NULL; i++)
    {
      const ProcuraFieldInfo *field = field_of (PROCURA_ENTITY_PROJECT, names[i]);
      g_autofree char *value = record_display (self, project, names[i]);
      AdwActionRow *row;

      if (field == NULL)
        continue;

      row = action_row_new (procura_field_get_label (field), NULL);
      if (value != NULL && g_utf8_strlen (value, -1) > 28)
        {
          /* long text reads better under its label */
          adw_action_row_set_subtitle (row, value);
          adw_action_row_set_subtitle_lines (row, 0);
            }
      else
        {
          if (field->type == PROCURA_FIELD_MONEY && value != NULL)
            {
              g_autofree char *capital = procura_money_format_capital (procura_record_get_int (project, names[i], 0));

              adw_action_row_set_subtitle (row, capital);
            }
          adw_action_row_add_suffix (row, value_label_new (value != NULL ? value : "—",
                                                           value == NULL ? "dim-label" :
                                                           field->type == PROCURA_FIELD_MONEY ? "numeric" : NULL));
        }
      gtk_list_box_append (list, GTK_WIDGET (row));
    }
}

static void
build_contract (ProcuraProjectPage *self)
{
  static const char *contract_fields[] = {
    "contract_no", "value", "date_signed", "date_filed", "start_date", "end_date",
    "method", "budget", "funding_source", "budget_year", "grade_scheme_id", NULL
  };
  static const char *service_fields[] = {
    "code", "title", "category", "buyer_id", "agency_id", "street", "community", "description", NULL
  };
  ProcuraProjectBundle *bundle = self->bundle;
  gint64 value = procura_record_get_int (bundle->project, "value", 0);
  gint64 increase = 0;
  gint64 net = 0;

  list_box_clear (self->contract_list);
  list_box_clear (self->service_list);
  list_box_clear (self->amendments_list);

  add_field_rows (self, self->contract_list, contract_fields);
  add_field_rows (self, self->service_list, service_fields);

  for (guint i = 0; i < bundle->amendments->len; i++)
    {
      ProcuraRecord *amendment = g_ptr_array_index (bundle->amendments, i);
      gint64 delta = procura_record_get_int (amendment, "value_delta", 0);
      g_autofree char *date = format_date (procura_record_get_string (amendment, "date"));
      g_autoptr(GString) subtitle = g_string_new (date);
      AdwActionRow *row;

      if (procura_record_get_string (amendment, "description") != NULL)
        g_string_append_printf (subtitle, " · %s", procura_record_get_string (amendment, "description"));
      if (procura_record_get_string (amendment, "new_end_date") != NULL)
        {
          g_autofree char *new_end = format_date (procura_record_get_string (amendment, "new_end_date"));

          g_string_append (subtitle, " · ");
          g_string_append_printf (subtitle, _("service period extended to %s"), new_end);
        }

      row = action_row_new (procura_record_get_string (amendment, "rationale"), subtitle->str);
      adw_action_row_set_subtitle_lines (row, 3);
      if (delta != 0)
        {
          g_autofree char *money = procura_money_format (ABS (delta));
          g_autofree char *signed_money = g_strdup_printf ("%s%s", delta > 0 ? "+" : "−", money);

          adw_action_row_add_suffix (row, value_label_new (signed_money, "numeric"));
        }
      row_set_edit_action (self, GTK_LIST_BOX_ROW (row), "record.edit", amendment);
      gtk_list_box_append (self->amendments_list, GTK_WIDGET (row));

      net += delta;
      if (delta > 0)
        increase += delta;
    }

  if (bundle->amendments->len > 0)
    {
      g_autofree char *original = procura_money_format (value);
      g_autofree char *current = procura_money_format (value + net);
      g_autofree char *title = NULL;
      g_autofree char *subtitle = NULL;
      AdwActionRow *row;

      /* Translators: the summary under the amendments: original value →
       * value now */
      title = g_strdup_printf (_("%s originally, %s now"), original, current);
      /* Translators: the share of the original value the amendments
       * added, and the limit (10%) */
      subtitle = g_strdup_printf (_("Increases add %u%% of the original value; the limit is 10%%"),
                                  percent_of (increase, value));
      row = action_row_new (title, subtitle);
      gtk_list_box_append (self->amendments_list, GTK_WIDGET (row));
    }
}

/* ---- 里程碑 ---------------------------------------------------------------- */

static gboolean
milestone_overdue (ProcuraProjectPage  *self,
                   const ProcuraRecord *milestone)
{
  return !self->closed && procura_milestone_is_overdue (milestone, self->today);
}

static const char *
milestone_icon (ProcuraProjectPage  *self,
                const ProcuraRecord *milestone,
                const char         **style)
{
  const char *state = state_of (milestone);

  if (g_strcmp0 (state, "accepted") == 0)
    {
      *style = "success";
      return "emblem-ok-symbolic";
    }
  if (milestone_overdue (self, milestone))
    {
      *style = "error";
      return "task-past-due-symbolic";
    }
  if (g_strcmp0 (state, "submitted") == 0)
    {
      *style = "accent";
      return "document-send-symbolic";
    }
  if (g_strcmp0 (state, "returned") == 0)
    {
      *style = "warning";
      return "mail-replied-symbolic";
    }

  *style = "dim-label";
  return "task-due-symbolic";
}

static void
build_milestones (ProcuraProjectPage *self)
{
  GPtrArray *milestones = self->bundle->milestones;

  list_box_clear (self->milestones_list);
  procura_timeline_remove_all (self->timeline);
  procura_timeline_set_start_date (self->timeline, procura_record_get_string (self->bundle->project, "start_date"));
  procura_timeline_set_end_date (self->timeline, effective_end (self));
  procura_timeline_set_today (self->timeline, self->today);

  gtk_stack_set_visible_child_name (self->milestones_stack, milestones->len > 0 ? "content" : "empty");

  for (guint i = 0; i < milestones->len; i++)
    {
      ProcuraRecord *milestone = g_ptr_array_index (milestones, i);
      const char *id = procura_record_get_id (milestone);
      const char *due = procura_record_get_string (milestone, "due_date");
      gboolean overdue = milestone_overdue (self, milestone);
      g_autofree char *due_text = format_date (due);
      g_autofree char *type = record_display (self, milestone, "code");
      g_autoptr(GString) subtitle = g_string_new (NULL);
      const char *style = NULL;
      const char *icon = milestone_icon (self, milestone, &style);
      GtkWidget *image;
      AdwActionRow *row;

      procura_timeline_add_milestone (self->timeline, id,
                                      procura_record_get_string (milestone, "title"),
                                      due,
                                      procura_record_get_string (milestone, "date_met"),
                                      state_of (milestone),
                                      overdue);

      /* Translators: a milestone's due date */
      g_string_append_printf (subtitle, _("Due %s"), due_text);
      if (procura_record_get_string (milestone, "date_met") != NULL)
        {
          g_autofree char *met = format_date (procura_record_get_string (milestone, "date_met"));

          g_string_append (subtitle, " · ");
          /* Translators: the date a milestone was met */
          g_string_append_printf (subtitle, _("met %s"), met);
        }
      if (type == NULL)
        type = record_display (self, milestone, "type");
      if (type != NULL)
        g_string_append_printf (subtitle, " · %s", type);

      row = action_row_new (procura_record_get_string (milestone, "title"), subtitle->str);
      image = gtk_image_new_from_icon_name (icon);
      gtk_widget_add_css_class (image, style);
      adw_action_row_add_prefix (row, image);

      if (overdue)
        {
          int days = procura_date_diff_days (due, self->today);
          g_autofree char *late = g_strdup_printf (ngettext ("%d day overdue", "%d days overdue", days), days);

          adw_action_row_add_suffix (row, tag_new (late, "error"));
        }
      adw_action_row_add_suffix (row, state_tag_new (self, milestone));
      if (may_edit_record (self, milestone))
        adw_action_row_add_suffix (row, icon_button_new ("document-edit-symbolic", _("Edit Milestone"),
                                                         "milestone.edit", id));
      row_set_edit_action (self, GTK_LIST_BOX_ROW (row), "milestone.edit", milestone);
      gtk_list_box_append (self->milestones_list, GTK_WIDGET (row));
    }
}

/* ---- 报告与材料 ---------------------------------------------------------- */

static GtkWidget *
attachment_row_new (ProcuraProjectPage  *self,
                    const ProcuraRecord *attachment)
{
  const char *id = procura_record_get_id (attachment);
  const char *mime = procura_record_get_string (attachment, "mime_type");
  const char *sha = procura_record_get_string (attachment, "sha256");
  g_autofree char *size = g_format_size ((guint64) procura_record_get_int (attachment, "size", 0));
  g_autofree char *content_type = mime != NULL ? g_content_type_from_mime_type (mime) : NULL;
  g_autofree char *description = content_type != NULL ? g_content_type_get_description (content_type) : NULL;
  g_autofree char *subtitle = g_strdup_printf ("%s · %s", size, description != NULL ? description : (mime ? mime : ""));
  g_autoptr(GIcon) icon = content_type != NULL ? g_content_type_get_symbolic_icon (content_type) : NULL;
  AdwActionRow *row = action_row_new (procura_record_get_string (attachment, "name"), subtitle);
  GtkWidget *hash_box;
  GtkWidget *hash;
  GtkWidget *image;

  image = icon != NULL ? gtk_image_new_from_gicon (icon) : gtk_image_new_from_icon_name ("text-x-generic-symbolic");
  adw_action_row_add_prefix (row, image);

  hash_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);
  gtk_widget_set_valign (hash_box, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (hash_box, "linked");

  hash = gtk_label_new (sha);
  gtk_label_set_ellipsize (GTK_LABEL (hash), PANGO_ELLIPSIZE_MIDDLE);
  gtk_label_set_max_width_chars (GTK_LABEL (hash), 18);
  gtk_label_set_width_chars (GTK_LABEL (hash), 12);
  gtk_label_set_selectable (GTK_LABEL (hash), TRUE);
  gtk_widget_set_can_focus (hash, FALSE);
  gtk_widget_add_css_class (hash, "procura-hash");
  gtk_widget_add_css_class (hash, "dim-label");
  gtk_widget_set_margin_end (hash, 4);
  {
    /* Translators: tooltip of an attachment's checksum */
    g_autofree char *tooltip = g_strdup_printf (_("SHA-256: %s"), sha);
    gtk_widget_set_tooltip_text (hash, tooltip);
  }
  gtk_box_append (GTK_BOX (hash_box), hash);
  gtk_box_append (GTK_BOX (hash_box), icon_button_new ("edit-copy-symbolic", _("Copy SHA-256"),
                                                       "attachment.copy-hash", id));
  adw_action_row_add_suffix (row, hash_box);
  g_hash_table_replace (self->hash_labels, g_strdup (id), hash);

  adw_action_row_add_suffix (row, icon_button_new ("document-open-symbolic", _("Open"), "attachment.open", id));
  row_set_action (GTK_LIST_BOX_ROW (row), "attachment.open", id);

  return GTK_WIDGET (row);
}

static void
report_row_expanded_cb (AdwExpanderRow     *row,
                        GParamSpec         *pspec,
                        ProcuraProjectPage *self)
{
  const char *id = g_object_get_data (G_OBJECT (row), "procura-report-id");

  if (id != NULL)
    g_hash_table_replace (self->report_folds, g_strdup (id),
                          GINT_TO_POINTER (adw_expander_row_get_expanded (row) ? 1 : 2));
}

static GtkWidget *
report_row_new (ProcuraProjectPage  *self,
                const ProcuraRecord *report)
{
  const char *id = procura_record_get_id (report);
  const char *state = state_of (report);
  gboolean accepted = g_strcmp0 (state, "accepted") == 0;
  AdwExpanderRow *row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  g_autoptr(GString) subtitle = g_string_new (NULL);
  g_autofree char *kind = record_display (self, report, "kind");
  GtkWidget *actions;
  guint n_files = 0;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), procura_record_get_string (report, "title"));

  if (kind != NULL)
    g_string_append (subtitle, kind);
  if (procura_record_get_string (report, "period_start") != NULL ||
      procura_record_get_string (report, "period_end") != NULL)
    {
      g_autofree char *s = format_date (procura_record_get_string (report, "period_start"));
      g_autofree char *e = format_date (procura_record_get_string (report, "period_end"));

      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      g_string_append_printf (subtitle, "%s – %s", s, e);
    }
  if (procura_record_get_string (report, "submitted_at") != NULL)
    {
      g_autofree char *at = format_timestamp (procura_record_get_string (report, "submitted_at"));

      if (subtitle->len > 0)
        g_string_append (subtitle, " · ");
      /* Translators: when a report was submitted (local time) */
      g_string_append_printf (subtitle, _("submitted %s"), at);
    }
  adw_expander_row_set_subtitle (row, subtitle->str);

  /* the review buttons, by state — only those the account may use */
  actions = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_valign (actions, GTK_ALIGN_CENTER);
  gtk_box_append (GTK_BOX (actions), state_tag_new (self, report));
  /* (a returned report's Resubmit is on the comment above it) */
  if (g_strcmp0 (state, "draft") == 0 && procura_permissions_may_submit (page_role (self)))
    {
      GtkWidget *submit = text_button_new (_("S_ubmit"), "suggested-action", "report.submit", id);

      gtk_widget_set_tooltip_text (submit, _("Submit the report for review"));
      gtk_box_append (GTK_BOX (actions), submit);
    }
  else if (g_strcmp0 (state, "submitted") == 0 && procura_permissions_may_review (page_role (self)))
    {
      GtkWidget *ret = text_button_new (_("_Return…"), NULL, "report.return", id);
      GtkWidget *accept = text_button_new (_("_Accept"), "suggested-action", "report.accept", id);

      gtk_widget_set_tooltip_text (ret, _("Send the report back to the agency with a comment"));
      gtk_widget_set_tooltip_text (accept, _("Accept the report: its milestone is met and its tranches become payable"));
      gtk_box_append (GTK_BOX (actions), ret);
      gtk_box_append (GTK_BOX (actions), accept);
    }

  /* inside: narrative, review comment, files */
  if (procura_record_get_string (report, "review_comment") != NULL)
    {
      /* The comment is the one a return left; once resubmitted or
       * accepted it is the earlier round's, and reviewed_at the later
       * review's time, not the comment's. */
      gboolean returned = g_strcmp0 (state, "returned") == 0;
      AdwActionRow *comment = action_row_new (returned ? _("Review comment") : _("Earlier return comment"),
                                              procura_record_get_string (report, "review_comment"));
      GtkWidget *image = gtk_image_new_from_icon_name ("mail-replied-symbolic");

      adw_action_row_set_subtitle_lines (comment, 0);
      gtk_widget_add_css_class (image, returned ? "warning" : "dim-label");
      adw_action_row_add_prefix (comment, image);
      if (returned && procura_record_get_string (report, "reviewed_at") != NULL)
        {
          g_autofree char *at = format_timestamp (procura_record_get_string (report, "reviewed_at"));

          adw_action_row_add_suffix (comment, value_label_new (at, "dim-label"));
        }
      adw_expander_row_add_row (row, GTK_WIDGET (comment));
    }

  if (procura_record_get_string (report, "narrative") != NULL)
    {
      AdwActionRow *narrative = action_row_new (_("Narrative"), procura_record_get_string (report, "narrative"));

      adw_action_row_set_subtitle_lines (narrative, 0);
      adw_expander_row_add_row (row, GTK_WIDGET (narrative));
    }

  for (guint i = 0; i < self->bundle->attachments->len; i++)
    {
      ProcuraRecord *attachment = g_ptr_array_index (self->bundle->attachments, i);

      if (g_strcmp0 (procura_record_get_string (attachment, "report_id"), id) != 0)
        continue;

      adw_expander_row_add_row (row, attachment_row_new (self, attachment));
      n_files++;
    }

  if (!accepted && may_edit_record (self, report))
    {
      AdwActionRow *add = action_row_new (_("Attach Files…"), NULL);
      GtkWidget *image = gtk_image_new_from_icon_name ("mail-attachment-symbolic");

      adw_action_row_add_prefix (add, image);
      row_set_action (GTK_LIST_BOX_ROW (add), "attachment.add", id);
      adw_expander_row_add_row (row, GTK_WIDGET (add));

      /* edit while not yet accepted */
      adw_expander_row_add_action (row, icon_button_new ("document-edit-symbolic", _("Edit Report"),
                                                         "report.edit", id));
    }
  else if (n_files == 0)
    {
      AdwActionRow *none = action_row_new (_("No files attached"), NULL);

      gtk_widget_add_css_class (GTK_WIDGET (none), "dim-label");
      adw_expander_row_add_row (row, GTK_WIDGET (none));
    }
  /* (actions are prepended: the buttons come before the pencil) */
  adw_expander_row_add_action (row, actions);

  /* What needs a decision is open; a report the person unfolded (to
   * attach a file) stays so when the page shows the change. */
  switch (GPOINTER_TO_INT (g_hash_table_lookup (self->report_folds, id)))
    {
    case 1:
      adw_expander_row_set_expanded (row, TRUE);
      break;
    case 2:
      adw_expander_row_set_expanded (row, FALSE);
      break;
    default:
      adw_expander_row_set_expanded (row, g_strcmp0 (state, "submitted") == 0 || g_strcmp0 (state, "returned") == 0);
      break;
    }
  g_object_set_data_full (G_OBJECT (row), "procura-report-id", g_strdup (id), g_free);
  g_signal_connect_object (row, "notify::expanded", G_CALLBACK (report_row_expanded_cb), self, 0);

  return GTK_WIDGET (row);
}

/* A returned report's review comment, where the person who has to act on
 * it cannot miss it, with what to do next: edit, then submit again. (An
 * info bar: AdwBanner is libadwaita 1.3.) */
static GtkWidget *
returned_banner_new (ProcuraProjectPage  *self,
                     const ProcuraRecord *report)
{
  const char *id = procura_record_get_id (report);
  const char *comment = procura_record_get_string (report, "review_comment");
  GtkWidget *bar = gtk_info_bar_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *title = gtk_label_new (NULL);
  GtkWidget *text = gtk_label_new (comment != NULL ? comment : _("No comment was given"));
  g_autofree char *heading = NULL;

  gtk_info_bar_set_message_type (GTK_INFO_BAR (bar), GTK_MESSAGE_WARNING);
  gtk_widget_set_margin_bottom (bar, 12);

  /* Translators: above the reviewer's comment on a returned report; %s
   * is the report's title */
  heading = g_strdup_printf (_("“%s” was returned for changes"), procura_record_get_string (report, "title"));
  gtk_label_set_text (GTK_LABEL (title), heading);
  gtk_label_set_xalign (GTK_LABEL (title), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (title), TRUE);
  gtk_widget_add_css_class (title, "heading");
  gtk_label_set_xalign (GTK_LABEL (text), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (text), TRUE);
  gtk_label_set_selectable (GTK_LABEL (text), TRUE);
  gtk_widget_set_hexpand (box, TRUE);
  gtk_box_append (GTK_BOX (box), title);
  gtk_box_append (GTK_BOX (box), text);
  gtk_info_bar_add_child (GTK_INFO_BAR (bar), box);
  g_hash_table_replace (self->review_labels, g_strdup (id), text);

  if (may_edit_record (self, report))
    {
      GtkWidget *edit = text_button_new (_("_Edit Report…"), NULL, "report.edit", id);
      GtkWidget *submit = text_button_new (_("Res_ubmit"), "suggested-action", "report.submit", id);

      gtk_widget_set_tooltip_text (submit, _("Submit the report for review"));
      gtk_info_bar_add_action_widget (GTK_INFO_BAR (bar), edit, GTK_RESPONSE_NONE);
      gtk_info_bar_add_action_widget (GTK_INFO_BAR (bar), submit, GTK_RESPONSE_NONE);
    }

  return bar;
}

static GtkWidget *
report_group_new (ProcuraProjectPage  *self,
                  const ProcuraRecord *milestone)
{
  GtkWidget *group = adw_preferences_group_new ();
  const char *milestone_id = milestone != NULL ? procura_record_get_id (milestone) : "";
  GtkListBox *list = boxed_list_new ();
  GtkWidget *add;
  guint n = 0;

  if (milestone != NULL)
    {
      g_autofree char *title = g_markup_escape_text (procura_record_get_string (milestone, "title"), -1);
      g_autofree char *due = format_date (procura_record_get_string (milestone, "due_date"));
      g_autofree char *description = NULL;
      const char *state = enum_label (PROCURA_ENTITY_MILESTONE, "status", state_of (milestone));

      if (milestone_overdue (self, milestone))
        /* Translators: under a milestone's title on the reports page: its
         * due date, its state, overdue */
        description = g_strdup_printf (_("Due %s · %s · overdue"), due, state);
      else
        /* Translators: under a milestone's title on the reports page: its
         * due date and its state */
        description = g_strdup_printf (_("Due %s · %s"), due, state);

      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), title);
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group), description);
    }
  else
    adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("Other Reports"));

  add = text_button_new (NULL, "flat", "report.add", milestone_id);
  gtk_button_set_child (GTK_BUTTON (add),
                        g_object_new (ADW_TYPE_BUTTON_CONTENT,
                                      "icon-name", "list-add-symbolic",
                                      "label", _("Add Report"),
                                      NULL));
  if (milestone != NULL && g_strcmp0 (state_of (milestone), "accepted") == 0)
    gtk_widget_set_visible (add, FALSE);
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group), add);

  for (guint i = 0; i < self->bundle->reports->len; i++)
    {
      ProcuraRecord *report = g_ptr_array_index (self->bundle->reports, i);
      const char *report_milestone = procura_record_get_string (report, "milestone_id");

      if (milestone != NULL ? g_strcmp0 (report_milestone, milestone_id) != 0
                            : (report_milestone != NULL && lookup_record (self, report_milestone) != NULL))
        continue;

      if (g_strcmp0 (state_of (report), "returned") == 0)
        adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), returned_banner_new (self, report));
      gtk_list_box_append (list, report_row_new (self, report));
      n++;
    }

  if (milestone == NULL && n == 0)
    {
      g_object_ref_sink (group);
      g_object_unref (group);
      g_object_ref_sink (list);
      g_object_unref (list);
      return NULL;
    }

  gtk_list_box_set_placeholder (list, placeholder_new (_("No reports for this milestone yet")));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (list));

  return group;
}

static int
compare_open_first (gconstpointer a,
                    gconstpointer b)
{
  const ProcuraRecord *ra = *(const ProcuraRecord * const *) a;
  const ProcuraRecord *rb = *(const ProcuraRecord * const *) b;
  gboolean done_a = g_strcmp0 (state_of (ra), "accepted") == 0;
  gboolean done_b = g_strcmp0 (state_of (rb), "accepted") == 0;
  int by_date = g_strcmp0 (procura_record_get_string (ra, "due_date"), procura_record_get_string (rb, "due_date"));

  if (done_a != done_b)
    return done_a ? 1 : -1;

  return done_a ? -by_date : by_date;
}

static void
build_reports (ProcuraProjectPage *self)
{
  GtkWidget *other;

  g_autoptr(GPtrArray) milestones = borrowed_copy (self->bundle->milestones);

  box_clear (self->reports_box);

  /* what is still open first, soonest due on top; then what is done,
   * latest on top */
  g_ptr_array_sort (milestones, compare_open_first);
  for (guint i = 0; i < milestones->len; i++)
    gtk_box_append (self->reports_box, report_group_new (self, g_ptr_array_index (milestones, i)));

  if ((other = report_group_new (self, NULL)) != NULL)
    gtk_box_append (self->reports_box, other);

  gtk_stack_set_visible_child_name (self->reports_stack,
                                    gtk_widget_get_first_child (GTK_WIDGET (self->reports_box)) != NULL
                                      ? "content" : "empty");
}

/* ---- 资金 ------------------------------------------------------------------ */

static void
build_payments (ProcuraProjectPage *self)
{
  GPtrArray *payments = self->bundle->payments;
  gint64 amended = procura_project_amended_value (self->bundle);
  gint64 paid = procura_project_paid (self->bundle);
  gint64 planned = 0;
  gint64 payable = 0;
  g_autofree char *paid_text = procura_money_format (paid);
  g_autofree char *amended_text = procura_money_format (amended);
  g_autofree char *text = NULL;
  g_autoptr(GString) detail = g_string_new (NULL);

  list_box_clear (self->payments_list);
  gtk_stack_set_visible_child_name (self->payments_stack, payments->len > 0 ? "content" : "empty");

  for (guint i = 0; i < payments->len; i++)
    {
      ProcuraRecord *payment = g_ptr_array_index (payments, i);
      const char *id = procura_record_get_id (payment);
      const char *state = state_of (payment);
      gint64 amount = procura_record_get_int (payment, "planned_amount", 0);
      g_autofree char *amount_text = procura_money_format (amount);
      g_autoptr(GString) subtitle = g_string_new (NULL);
      ProcuraRecord *milestone = lookup_record (self, procura_record_get_string (payment, "milestone_id"));
      AdwActionRow *row;

      planned += amount;
      if (g_strcmp0 (state, "payable") == 0)
        payable += amount;

      if (g_strcmp0 (state, "paid") == 0)
        {
          g_autofree char *paid_amount = procura_money_format (procura_record_get_int (payment, "paid_amount", 0));
          g_autofree char *date = format_date (procura_record_get_string (payment, "paid_date"));

          /* Translators: a paid tranche: amount and date */
          g_string_append_printf (subtitle, _("Paid %s on %s"), paid_amount, date);
          if (procura_record_get_string (payment, "voucher_no") != NULL)
            {
              g_string_append (subtitle, " · ");
              /* Translators: a payment's voucher number */
              g_string_append_printf (subtitle, _("voucher %s"), procura_record_get_string (payment, "voucher_no"));
            }
        }
      else if (procura_record_get_string (payment, "planned_date") != NULL)
        {
          g_autofree char *date = format_date (procura_record_get_string (payment, "planned_date"));

          /* Translators: when a tranche is planned to be paid */
          g_string_append_printf (subtitle, _("Planned for %s"), date);
        }

      if (milestone != NULL)
        {
          if (subtitle->len > 0)
            g_string_append (subtitle, " · ");
          /* Translators: the milestone a tranche depends on */
          g_string_append_printf (subtitle, _("after “%s”"), procura_record_get_string (milestone, "title"));
        }
      if (procura_record_get_string (payment, "condition") != NULL)
        {
          if (subtitle->len > 0)
            g_string_append (subtitle, "\n");
          g_string_append (subtitle, procura_record_get_string (payment, "condition"));
        }

      row = action_row_new (procura_record_get_string (payment, "title"), subtitle->str);
      adw_action_row_set_subtitle_lines (row, 3);
      if (g_strcmp0 (state, "payable") == 0 && may_edit_record (self, payment))
        adw_action_row_add_suffix (row, text_button_new (_("Record _Payment…"), "suggested-action",
                                                         "payment.record", id));
      adw_action_row_add_suffix (row, state_tag_new (self, payment));
      {
        GtkWidget *amount_label = value_label_new (amount_text, "numeric");

        gtk_label_set_width_chars (GTK_LABEL (amount_label), 14);
        adw_action_row_add_suffix (row, amount_label);
      }
      if (may_edit_record (self, payment))
        adw_action_row_add_suffix (row, icon_button_new ("document-edit-symbolic", _("Edit Tranche"),
                                                         "payment.edit", id));
      row_set_edit_action (self, GTK_LIST_BOX_ROW (row), "payment.edit", payment);
      gtk_list_box_append (self->payments_list, GTK_WIDGET (row));
    }

  /* Translators: paid of the contract value, both amounts */
  text = g_strdup_printf (_("%s paid of %s"), paid_text, amended_text);
  gtk_label_set_label (self->funds_paid_label, text);
  g_clear_pointer (&text, g_free);
  text = g_strdup_printf ("%u%%", percent_of (paid, amended));
  gtk_label_set_label (self->funds_percent_label, text);
  gtk_level_bar_set_value (self->funds_bar, amended > 0 ? MIN (1.0, (double) paid / (double) amended) : 0.0);

  {
    g_autofree char *planned_text = procura_money_format (planned);
    g_autofree char *payable_text = procura_money_format (payable);
    g_autofree char *balance_text = procura_money_format (amended - paid);

    /* Translators: the funds summary: planned in tranches, payable now,
     * balance of the contract value */
    g_string_append_printf (detail, _("Planned in tranches %s · payable now %s · balance %s"),
                            planned_text, payable_text, balance_text);
    if (planned != amended)
      {
        g_string_append (detail, " · ");
        g_string_append (detail, _("the tranches do not add up to the contract value"));
      }
  }
  gtk_label_set_label (self->funds_detail_label, detail->str);
}

/* ---- 绩效 ------------------------------------------------------------------ */

static GtkWidget *
table_row_new (const char *name,
               const char *weight,
               const char *score,
               guint       level,
               gboolean    head)
{
  GtkWidget *row = gtk_list_box_row_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *name_label = gtk_label_new (name);
  GtkWidget *weight_label = gtk_label_new (weight);
  GtkWidget *score_label = gtk_label_new (score);

  gtk_widget_add_css_class (box, "procura-criterion-row");
  gtk_label_set_xalign (GTK_LABEL (name_label), 0.0f);
  gtk_label_set_wrap (GTK_LABEL (name_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (name_label), PANGO_WRAP_WORD_CHAR);
  gtk_widget_set_hexpand (name_label, TRUE);
  gtk_widget_set_margin_start (name_label, level > 1 ? 24 * (level - 1) : 0);

  gtk_label_set_xalign (GTK_LABEL (weight_label), 1.0f);
  gtk_label_set_width_chars (GTK_LABEL (weight_label), 6);
  gtk_label_set_xalign (GTK_LABEL (score_label), 1.0f);
  gtk_label_set_width_chars (GTK_LABEL (score_label), 6);
  gtk_widget_add_css_class (weight_label, "numeric");
  gtk_widget_add_css_class (score_label, "numeric");

  if (head)
    {
      gtk_widget_add_css_class (box, "procura-table-head");
      gtk_widget_add_css_class (box, "dim-label");
    }
  else if (level <= 1)
    {
      gtk_widget_add_css_class (name_label, "heading");
      gtk_widget_add_css_class (score_label, "heading");
    }
  else
    gtk_widget_add_css_class (weight_label, "dim-label");

  gtk_box_append (GTK_BOX (box), name_label);
  gtk_box_append (GTK_BOX (box), weight_label);
  gtk_box_append (GTK_BOX (box), score_label);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (row), FALSE);

  return row;
}

static int
compare_position (gconstpointer a,
                  gconstpointer b)
{
  const ProcuraRecord *ra = *(const ProcuraRecord * const *) a;
  const ProcuraRecord *rb = *(const ProcuraRecord * const *) b;
  gint64 pa = procura_record_get_int (ra, "position", 0);
  gint64 pb = procura_record_get_int (rb, "position", 0);

  return pa < pb ? -1 : (pa > pb ? 1 : 0);
}

/* Score of a criterion: its own, or the sum of its children's; -1 when
 * something under it is unscored. */
static gint64
criterion_score (GPtrArray  *criteria,
                 const char *id,
                 gint64      own,
                 gboolean    has_own)
{
  gint64 sum = 0;
  gboolean has_children = FALSE;

  for (guint i = 0; i < criteria->len; i++)
    {
      ProcuraRecord *c = g_ptr_array_index (criteria, i);
      gint64 s;

      if (g_strcmp0 (procura_record_get_string (c, "parent_id"), id) != 0)
        continue;

      has_children = TRUE;
      s = criterion_score (criteria, procura_record_get_id (c),
                           procura_record_get_int (c, "score", 0), procura_record_has (c, "score"));
      if (s < 0)
        return -1;
      sum += s;
    }

  if (has_children)
    return sum;

  return has_own ? own : -1;
}

static void
append_criteria (GtkListBox *list,
                 GPtrArray  *criteria,
                 const char *parent_id,
                 guint       level)
{
  g_autoptr(GPtrArray) children = g_ptr_array_new ();

  for (guint i = 0; i < criteria->len; i++)
    {
      ProcuraRecord *c = g_ptr_array_index (criteria, i);

      if (g_strcmp0 (procura_record_get_string (c, "parent_id"), parent_id) == 0)
        g_ptr_array_add (children, c);
    }
  g_ptr_array_sort (children, compare_position);

  for (guint i = 0; i < children->len; i++)
    {
      ProcuraRecord *c = g_ptr_array_index (children, i);
      gint64 score = criterion_score (criteria, procura_record_get_id (c),
                                      procura_record_get_int (c, "score", 0), procura_record_has (c, "score"));
      g_autofree char *weight = format_decimal (c, "weight");
      g_autofree char *score_text = score >= 0 ? procura_decimal_format (score) : g_strdup ("—");
      GtkWidget *row = table_row_new (procura_record_get_string (c, "name"), weight, score_text, level, FALSE);

      if (procura_record_get_string (c, "comment") != NULL)
        gtk_widget_set_tooltip_text (row, procura_record_get_string (c, "comment"));
      gtk_list_box_append (list, row);
      append_criteria (list, criteria, procura_record_get_id (c), level + 1);
    }
}

/* The top band of the scheme is good news, the bottom one bad. */
static const char *
grade_style (ProcuraProjectPage *self,
             const char         *grade)
{
  g_autoptr(ProcuraGradeScheme) scheme = procura_project_grade_scheme (self->bundle);
  guint n = scheme != NULL ? procura_grade_scheme_get_n_bands (scheme) : 0;

  for (guint i = 0; i < n; i++)
    {
      if (g_strcmp0 (procura_grade_scheme_get_band_name (scheme, i), grade) != 0)
        continue;
      if (i == 0)
        return "success";
      if (i + 1 == n)
        return "error";
      return "accent";
    }

  return "accent";
}

static GtkWidget *
evaluation_card_new (ProcuraProjectPage  *self,
                     const ProcuraRecord *evaluation)
{
  const char *id = procura_record_get_id (evaluation);
  GtkListBox *list = boxed_list_new ();
  g_autoptr(GPtrArray) criteria = g_ptr_array_new ();
  g_autofree char *kind = record_display (self, evaluation, "kind");
  g_autofree char *date = format_date (procura_record_get_string (evaluation, "date"));
  g_autofree char *evaluator = record_display (self, evaluation, "evaluator_org_id");
  g_autofree char *title = g_strdup_printf ("%s · %s", kind != NULL ? kind : "", date);
  g_autofree char *grade = procura_evaluation_grade (self->bundle, id);
  g_autoptr(GString) subtitle = g_string_new (evaluator);
  gint64 total = procura_evaluation_total (self->bundle, id);
  AdwActionRow *head;
  GtkWidget *total_box;

  if (procura_record_get_string (evaluation, "comment") != NULL)
    {
      if (subtitle->len > 0)
        g_string_append (subtitle, "\n");
      g_string_append (subtitle, procura_record_get_string (evaluation, "comment"));
    }

  head = action_row_new (title, subtitle->str);
  adw_action_row_set_subtitle_lines (head, 4);

  total_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  gtk_widget_set_valign (total_box, GTK_ALIGN_CENTER);
  if (total >= 0)
    {
      g_autofree char *total_text = procura_decimal_format (total);
      GtkWidget *label = gtk_label_new (total_text);

      gtk_widget_add_css_class (label, "title-3");
      gtk_widget_add_css_class (label, "numeric");
      gtk_widget_set_tooltip_text (label, _("Total score"));
      gtk_box_append (GTK_BOX (total_box), label);
    }
  else
    gtk_box_append (GTK_BOX (total_box), value_label_new (_("Not fully scored"), "dim-label"));
  if (grade != NULL)
    {
      GtkWidget *tag = tag_new (grade, grade_style (self, grade));

      gtk_widget_add_css_class (tag, "procura-grade");
      gtk_widget_set_tooltip_text (tag, _("Grade under the project’s grade scheme"));
      gtk_box_append (GTK_BOX (total_box), tag);
    }
  gtk_box_append (GTK_BOX (total_box), state_tag_new (self, evaluation));
  adw_action_row_add_suffix (head, total_box);
  row_set_edit_action (self, GTK_LIST_BOX_ROW (head), "record.edit", evaluation);
  gtk_list_box_append (list, GTK_WIDGET (head));

  for (guint i = 0; i < self->bundle->criteria->len; i++)
    {
      ProcuraRecord *c = g_ptr_array_index (self->bundle->criteria, i);

      if (g_strcmp0 (procura_record_get_string (c, "evaluation_id"), id) == 0)
        g_ptr_array_add (criteria, c);
    }

  if (criteria->len > 0)
    {
      gtk_list_box_append (list, table_row_new (_("Indicator"), _("Weight"), _("Score"), 1, TRUE));
      append_criteria (list, criteria, NULL, 1);
    }
  else
    gtk_list_box_append (list, table_row_new (_("No indicators recorded yet"), "", "", 2, TRUE));

  return GTK_WIDGET (list);
}

/* Is the target met: higher-is-better indicators reach it from below. */
static gboolean
target_met (gboolean ascending,
            gint64   actual,
            gint64   target)
{
  return ascending ? actual >= target : actual <= target;
}

static GtkWidget *
met_tag_new (gboolean met)
{
  return tag_new (met ? _("Target met") : _("Target not met"), met ? "success" : "warning");
}

static GtkWidget *
indicator_row_new (ProcuraProjectPage  *self,
                   const ProcuraRecord *indicator)
{
  const char *id = procura_record_get_id (indicator);
  gboolean ascending = procura_record_get_bool (indicator, "ascending");
  const char *unit = procura_record_get_string (indicator, "unit");
  AdwExpanderRow *row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  g_autofree char *baseline = format_decimal (indicator, "baseline_value");
  g_autofree char *target = format_decimal (indicator, "target_value");
  g_autofree char *subtitle = NULL;
  g_autofree char *title = NULL;
  GtkWidget *arrow;
  ProcuraRecord *latest = NULL;
  guint n_periods = 0;

  title = unit != NULL ? g_strdup_printf ("%s（%s）", procura_record_get_string (indicator, "title"), unit)
                       : g_strdup (procura_record_get_string (indicator, "title"));
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);

  /* Translators: an outcome indicator: baseline → target */
  subtitle = g_strdup_printf (_("Baseline %s → target %s"), baseline, target);
  adw_expander_row_set_subtitle (row, subtitle);

  arrow = gtk_image_new_from_icon_name (ascending ? "go-up-symbolic" : "go-down-symbolic");
  gtk_widget_set_tooltip_text (arrow, ascending ? _("Higher is better") : _("Lower is better"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (arrow),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  ascending ? _("Higher is better") : _("Lower is better"),
                                  -1);
  gtk_widget_add_css_class (arrow, "accent");
  adw_expander_row_add_prefix (row, arrow);

  for (guint i = 0; i < self->bundle->indicator_periods->len; i++)
    {
      ProcuraRecord *period = g_ptr_array_index (self->bundle->indicator_periods, i);
      g_autofree char *start = NULL;
      g_autofree char *end = NULL;
      g_autofree char *period_title = NULL;
      g_autofree char *period_target = NULL;
      g_autofree char *actual = NULL;
      g_autoptr(GString) period_subtitle = g_string_new (NULL);
      AdwActionRow *period_row;
      gboolean has_target;

      if (g_strcmp0 (procura_record_get_string (period, "indicator_id"), id) != 0)
        continue;

      n_periods++;
      start = format_date (procura_record_get_string (period, "period_start"));
      end = format_date (procura_record_get_string (period, "period_end"));
      period_title = g_strdup_printf ("%s – %s", start, end);
      has_target = procura_record_has (period, "target_value") || procura_record_has (indicator, "target_value");
      period_target = procura_record_has (period, "target_value") ? format_decimal (period, "target_value")
                                                                  : g_strdup (target);
      actual = format_decimal (period, "actual_value");
      /* Translators: one period of an outcome indicator */
      g_string_append_printf (period_subtitle, _("Target %s · actual %s"), period_target, actual);
      if (procura_record_get_string (period, "comment") != NULL)
        g_string_append_printf (period_subtitle, " · %s", procura_record_get_string (period, "comment"));

      period_row = action_row_new (period_title, period_subtitle->str);
      adw_action_row_set_subtitle_lines (period_row, 3);
      if (procura_record_has (period, "actual_value") && has_target)
        {
          gint64 t = procura_record_has (period, "target_value") ? procura_record_get_int (period, "target_value", 0)
                                                                 : procura_record_get_int (indicator, "target_value", 0);

          adw_action_row_add_suffix (period_row,
                                     met_tag_new (target_met (ascending, procura_record_get_int (period, "actual_value", 0), t)));
        }
      row_set_edit_action (self, GTK_LIST_BOX_ROW (period_row), "record.edit", period);
      adw_expander_row_add_row (row, GTK_WIDGET (period_row));

      if (procura_record_has (period, "actual_value") &&
          (latest == NULL || g_strcmp0 (procura_record_get_string (period, "period_end"),
                                        procura_record_get_string (latest, "period_end")) > 0))
        latest = period;
    }

  if (may (self, "indicator_period", PROCURA_OP_CREATE))
  {
    AdwActionRow *add = action_row_new (_("Add Period…"), NULL);

    adw_action_row_add_prefix (add, gtk_image_new_from_icon_name ("list-add-symbolic"));
    row_set_action (GTK_LIST_BOX_ROW (add), "indicator-period.add", id);
    adw_expander_row_add_row (row, GTK_WIDGET (add));
  }

  if (latest != NULL)
    {
      g_autofree char *actual = format_decimal (latest, "actual_value");
      g_autofree char *as_of = format_date (procura_record_get_string (latest, "period_end"));
      /* Translators: the latest actual value of an outcome indicator and
       * the end of the period it was measured in, e.g. "Latest 23 (to
       * 2025年6月30日)" */
      g_autofree char *actual_text = g_strdup_printf (_("Latest %s (to %s)"), actual, as_of);
      GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);

      gtk_widget_set_valign (box, GTK_ALIGN_CENTER);
      gtk_box_append (GTK_BOX (box), value_label_new (actual_text, "numeric"));
      /* met or not against the target the row shows (the indicator's);
       * each period is judged against its own target in its own row */
      if (procura_record_has (indicator, "target_value"))
        gtk_box_append (GTK_BOX (box),
                        met_tag_new (target_met (ascending, procura_record_get_int (latest, "actual_value", 0),
                                                 procura_record_get_int (indicator, "target_value", 0))));
      adw_expander_row_add_action (row, box);
    }
  else if (n_periods == 0)
    adw_expander_row_add_action (row, value_label_new (_("No periods yet"), "dim-label"));

  return GTK_WIDGET (row);
}

static void
build_performance (ProcuraProjectPage *self)
{
  box_clear (self->evaluations_box);
  list_box_clear (self->indicators_list);

  for (guint i = 0; i < self->bundle->evaluations->len; i++)
    gtk_box_append (self->evaluations_box, evaluation_card_new (self, g_ptr_array_index (self->bundle->evaluations, i)));

  if (self->bundle->evaluations->len == 0)
    {
      GtkListBox *list = boxed_list_new ();

      gtk_list_box_set_placeholder (list, placeholder_new (_("No evaluations yet")));
      gtk_box_append (self->evaluations_box, GTK_WIDGET (list));
    }

  for (guint i = 0; i < self->bundle->indicators->len; i++)
    gtk_list_box_append (self->indicators_list, indicator_row_new (self, g_ptr_array_index (self->bundle->indicators, i)));
}

/* ---- 服务活动 · 协商议事 ------------------------------------------------- */

static int
compare_by_date_desc (gconstpointer a,
                      gconstpointer b,
                      gpointer      field)
{
  const ProcuraRecord *ra = *(const ProcuraRecord * const *) a;
  const ProcuraRecord *rb = *(const ProcuraRecord * const *) b;

  return -g_strcmp0 (procura_record_get_string (ra, field), procura_record_get_string (rb, field));
}

static void
build_activities (ProcuraProjectPage *self)
{
  g_autoptr(GPtrArray) activities = borrowed_copy (self->bundle->activities);

  list_box_clear (self->activities_list);
  gtk_stack_set_visible_child_name (self->activities_stack, activities->len > 0 ? "content" : "empty");
  g_ptr_array_sort_with_data (activities, compare_by_date_desc, (gpointer) "date");

  for (guint i = 0; i < activities->len; i++)
    {
      ProcuraRecord *activity = g_ptr_array_index (activities, i);
      g_autofree char *date = format_date (procura_record_get_string (activity, "date"));
      g_autofree char *kind = record_display (self, activity, "kind");
      g_autoptr(GString) subtitle = g_string_new (date);
      g_autoptr(GString) breakdown = g_string_new (NULL);
      const char *groups[] = { "residents", "volunteers", "partner_staff" };
      AdwActionRow *row;

      if (kind != NULL)
        g_string_append_printf (subtitle, " · %s", kind);
      if (procura_record_get_string (activity, "location") != NULL)
        g_string_append_printf (subtitle, " · %s", procura_record_get_string (activity, "location"));
      else if (procura_record_get_string (activity, "community") != NULL)
        g_string_append_printf (subtitle, " · %s", procura_record_get_string (activity, "community"));
      if (procura_record_get_string (activity, "note") != NULL)
        g_string_append_printf (subtitle, "\n%s", procura_record_get_string (activity, "note"));

      row = action_row_new (procura_record_get_string (activity, "title"), subtitle->str);
      adw_action_row_set_subtitle_lines (row, 3);

      for (guint g = 0; g < G_N_ELEMENTS (groups); g++)
        if (procura_record_has (activity, groups[g]))
          {
            if (breakdown->len > 0)
              g_string_append (breakdown, " · ");
            g_string_append_printf (breakdown, "%s %" G_GINT64_FORMAT,
                                    procura_field_get_label (field_of (PROCURA_ENTITY_ACTIVITY, groups[g])),
                                    procura_record_get_int (activity, groups[g], 0));
          }

      if (procura_record_has (activity, "participants"))
        {
          gint64 n = procura_record_get_int (activity, "participants", 0);
          g_autofree char *count = g_strdup_printf (ngettext ("%lld participant",
                                                              "%lld participants", (gulong) n),
                                                    (long long) n);
          GtkWidget *label = value_label_new (count, "numeric");

          if (breakdown->len > 0)
            gtk_widget_set_tooltip_text (label, breakdown->str);
          adw_action_row_add_suffix (row, label);
        }

      row_set_edit_action (self, GTK_LIST_BOX_ROW (row), "record.edit", activity);
      gtk_list_box_append (self->activities_list, GTK_WIDGET (row));
    }
}

static void
build_consultations (ProcuraProjectPage *self)
{
  g_autoptr(GPtrArray) items = borrowed_copy (self->bundle->consultations);

  list_box_clear (self->consultations_list);
  gtk_stack_set_visible_child_name (self->consultations_stack, items->len > 0 ? "content" : "empty");
  g_ptr_array_sort_with_data (items, compare_by_date_desc, (gpointer) "month");

  for (guint i = 0; i < items->len; i++)
    {
      ProcuraRecord *item = g_ptr_array_index (items, i);
      g_autofree char *month = format_month (procura_record_get_string (item, "month"));
      g_autofree char *source = record_display (self, item, "source");
      g_autoptr(GString) subtitle = g_string_new (month);
      AdwActionRow *row;

      if (source != NULL)
        g_string_append_printf (subtitle, " · %s", source);
      if (procura_record_get_string (item, "raised_by") != NULL)
        g_string_append_printf (subtitle, " · %s", procura_record_get_string (item, "raised_by"));
      if (procura_record_get_string (item, "resolution") != NULL)
        g_string_append_printf (subtitle, "\n%s", procura_record_get_string (item, "resolution"));

      row = action_row_new (procura_record_get_string (item, "topic"), subtitle->str);
      adw_action_row_set_subtitle_lines (row, 3);
      if (procura_record_get_string (item, "parties") != NULL)
        gtk_widget_set_tooltip_text (GTK_WIDGET (row), procura_record_get_string (item, "parties"));
      adw_action_row_add_suffix (row, state_tag_new (self, item));
      row_set_edit_action (self, GTK_LIST_BOX_ROW (row), "record.edit", item);
      gtk_list_box_append (self->consultations_list, GTK_WIDGET (row));
    }
}

/* ---- 历史 ------------------------------------------------------------------ */

static char *
history_value_text (ProcuraProjectPage     *self,
                    const ProcuraFieldInfo *field,
                    const char             *value)
{
  g_autoptr(GVariant) variant = NULL;

  if (value == NULL)
    return g_strdup ("");
  if (field == NULL)
    return g_strdup (value);

  switch (field->type)
    {
    case PROCURA_FIELD_REF:
      {
        ProcuraRecord *target = resolve_ref (self, field->ref_entity, value);

        return target != NULL ? record_title (self, target) : g_strdup (value);
      }

    case PROCURA_FIELD_MONTH:
      return format_month (value);

    case PROCURA_FIELD_TIMESTAMP:
      return format_timestamp (value);

    default:
      variant = procura_field_value_from_text (field, value);
      return variant != NULL ? procura_field_value_to_display (field, variant) : g_strdup (value);
    }
}

static ProcuraHistoryItem *
history_item_new (ProcuraProjectPage        *self,
                  const ProcuraHistoryEntry *entry)
{
  ProcuraHistoryItem *item = g_object_new (PROCURA_TYPE_HISTORY_ITEM, NULL);
  const ProcuraEntityInfo *entity = procura_schema_lookup (entry->entity);
  const ProcuraFieldInfo *field = entity != NULL ? field_of (entity, entry->field) : NULL;
  ProcuraRecord *record = lookup_record (self, entry->record_id);

  item->change_id = entry->change_id;
  item->at = g_strdup (entry->at);
  item->time_text = format_timestamp (entry->at);
  item->actor = g_strdup (entry->actor);
  item->op = g_strdup (entry->op);
  item->entity = g_strdup (entry->entity);
  item->record_id = g_strdup (entry->record_id);
  item->field = g_strdup (entry->field);
  item->field_key = g_strdup_printf ("%s.%s", entry->entity, entry->field);
  item->field_label = g_strdup (field != NULL ? procura_field_get_label (field) : entry->field);
  item->old_value = g_strdup (entry->old_value);
  item->new_value = g_strdup (entry->new_value);
  item->old_text = history_value_text (self, field, entry->old_value);
  item->new_text = history_value_text (self, field, entry->new_value);

  if (entity == NULL)
    item->record_text = g_strdup (entry->entity);
  else if (record != NULL && entity != PROCURA_ENTITY_PROJECT)
    {
      g_autofree char *title = record_title (self, record);

      item->record_text = g_strdup_printf ("%s · %s", procura_entity_get_label (entity), title);
    }
  else
    item->record_text = g_strdup (procura_entity_get_label (entity));

  return item;
}

static gboolean
history_filter_func (gpointer item,
                     gpointer user_data)
{
  ProcuraProjectPage *self = user_data;
  ProcuraHistoryItem *history = item;

  if (self->history_field != NULL && self->history_field[0] != '\0' &&
      g_strcmp0 (self->history_field, history->field_key) != 0 &&
      g_strcmp0 (self->history_field, history->field) != 0)
    return FALSE;

  if (self->history_actor != NULL && self->history_actor[0] != '\0' &&
      g_strcmp0 (self->history_actor, history->actor) != 0)
    return FALSE;

  return TRUE;
}

static void
update_history_state (ProcuraProjectPage *self)
{
  guint n_all = g_list_model_get_n_items (G_LIST_MODEL (self->history));
  guint n_shown = g_list_model_get_n_items (G_LIST_MODEL (self->history_model));
  g_autofree char *text = NULL;

  if (n_shown == n_all)
    text = g_strdup_printf (ngettext ("%u change", "%u changes", n_all), n_all);
  else
    /* Translators: history rows shown after filtering, of all rows */
    text = g_strdup_printf (ngettext ("%u of %u change", "%u of %u changes", n_all), n_shown, n_all);

  gtk_label_set_label (self->history_count_label, text);
  gtk_stack_set_visible_child_name (self->history_stack, n_shown > 0 ? "content" : "empty");
}

static guint
key_index (GPtrArray  *keys,
           const char *key)
{
  for (guint i = 0; i < keys->len; i++)
    if (g_strcmp0 (g_ptr_array_index (keys, i), key) == 0)
      return i;

  return 0;
}

/* Applies field and actor ("" or NULL: all) to the history filter and the
 * dropdowns. */
static void
set_history_filter (ProcuraProjectPage *self,
                    const char         *field,
                    const char         *actor)
{
  gboolean changed = FALSE;

  if (field != NULL && g_strcmp0 (field, self->history_field) != 0)
    {
      g_free (self->history_field);
      self->history_field = g_strdup (field);
      changed = TRUE;
    }
  if (actor != NULL && g_strcmp0 (actor, self->history_actor) != 0)
    {
      g_free (self->history_actor);
      self->history_actor = g_strdup (actor);
      changed = TRUE;
    }

  self->updating_filters = TRUE;
  gtk_drop_down_set_selected (self->history_field_dropdown, key_index (self->field_keys, self->history_field));
  gtk_drop_down_set_selected (self->history_actor_dropdown, key_index (self->actor_keys, self->history_actor));
  self->updating_filters = FALSE;

  if (changed)
    gtk_filter_changed (GTK_FILTER (self->history_filter), GTK_FILTER_CHANGE_DIFFERENT);

  update_history_state (self);
}

typedef struct
{
  char *key;
  char *label;
} Choice;

static int
compare_choices (gconstpointer a,
                 gconstpointer b)
{
  const Choice *ca = a;
  const Choice *cb = b;

  return g_utf8_collate (ca->label, cb->label);
}

static void
fill_dropdown (GtkDropDown *dropdown,
               GPtrArray   *keys,
               const char  *all_label,
               GHashTable  *choices)  /* key → label */
{
  g_autoptr(GArray) sorted = g_array_new (FALSE, FALSE, sizeof (Choice));
  g_autoptr(GtkStringList) strings = gtk_string_list_new (NULL);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, choices);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_array_append_val (sorted, ((Choice) { key, value }));
  g_array_sort (sorted, compare_choices);

  g_ptr_array_set_size (keys, 0);
  g_ptr_array_add (keys, g_strdup (""));
  gtk_string_list_append (strings, all_label);

  for (guint i = 0; i < sorted->len; i++)
    {
      Choice *choice = &g_array_index (sorted, Choice, i);

      g_ptr_array_add (keys, g_strdup (choice->key));
      gtk_string_list_append (strings, choice->label);
    }

  gtk_drop_down_set_model (dropdown, G_LIST_MODEL (strings));
}

static void
build_history (ProcuraProjectPage *self,
               GPtrArray          *entries)
{
  g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GHashTable) fields = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) actors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; i < entries->len; i++)
    {
      ProcuraHistoryItem *item = history_item_new (self, g_ptr_array_index (entries, i));
      const ProcuraEntityInfo *entity = procura_schema_lookup (item->entity);

      if (!g_hash_table_contains (fields, item->field_key))
        g_hash_table_insert (fields, g_strdup (item->field_key),
                             g_strdup_printf ("%s · %s",
                                              entity != NULL ? procura_entity_get_label (entity) : item->entity,
                                              item->field_label));
      if (item->actor != NULL && !g_hash_table_contains (actors, item->actor))
        g_hash_table_insert (actors, g_strdup (item->actor), g_strdup (item->actor));

      g_ptr_array_add (items, item);
    }

  self->updating_filters = TRUE;
  fill_dropdown (self->history_field_dropdown, self->field_keys, _("All fields"), fields);
  fill_dropdown (self->history_actor_dropdown, self->actor_keys, _("Everyone"), actors);
  self->updating_filters = FALSE;

  g_list_store_splice (self->history, 0, g_list_model_get_n_items (G_LIST_MODEL (self->history)),
                       items->pdata, items->len);

  /* keep the filter if its field or person is still there */
  if (key_index (self->field_keys, self->history_field) == 0)
    g_clear_pointer (&self->history_field, g_free);
  if (key_index (self->actor_keys, self->history_actor) == 0)
    g_clear_pointer (&self->history_actor, g_free);
  set_history_filter (self, self->history_field ? self->history_field : "",
                      self->history_actor ? self->history_actor : "");
  gtk_filter_changed (GTK_FILTER (self->history_filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_history_state (self);
}

/* The history section's builder: the query runs only when the section is
 * first shown (or its model asked for), not with every page opening. */
static void
build_history_section (ProcuraProjectPage *self)
{
  g_autoptr(GPtrArray) history = NULL;
  g_autoptr(GError) error = NULL;

  history = procura_store_query_history (self->store, self->project_id, &error);
  if (history == NULL)
    {
      emit_error (self, error);
      history = g_ptr_array_new ();
    }
  build_history (self, history);
}

static void
history_setup_cb (GtkSignalListItemFactory *factory,
                  GtkListItem              *list_item,
                  gpointer                  user_data)
{
  HistoryColumn column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  GtkInscription *inscription = GTK_INSCRIPTION (gtk_inscription_new (NULL));

  gtk_inscription_set_text_overflow (inscription, GTK_INSCRIPTION_OVERFLOW_ELLIPSIZE_END);
  gtk_inscription_set_min_chars (inscription, 6);
  gtk_widget_set_hexpand (GTK_WIDGET (inscription), TRUE);
  if (column == HISTORY_COLUMN_TIME)
    gtk_widget_add_css_class (GTK_WIDGET (inscription), "numeric");
  gtk_list_item_set_child (list_item, GTK_WIDGET (inscription));
}

static void
history_bind_cb (GtkSignalListItemFactory *factory,
                 GtkListItem              *list_item,
                 gpointer                  user_data)
{
  HistoryColumn column = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (factory), "column"));
  ProcuraHistoryItem *item = gtk_list_item_get_item (list_item);
  GtkWidget *child = gtk_list_item_get_child (list_item);
  const char *text = NULL;

  switch (column)
    {
    case HISTORY_COLUMN_TIME:
      text = item->time_text;
      break;
    case HISTORY_COLUMN_ACTOR:
      text = item->actor;
      break;
    case HISTORY_COLUMN_RECORD:
      text = item->record_text;
      break;
    case HISTORY_COLUMN_FIELD:
      text = item->field_label;
      break;
    case HISTORY_COLUMN_OLD:
      text = item->old_text;
      break;
    case HISTORY_COLUMN_NEW:
      text = item->new_text;
      break;
    default:
      g_assert_not_reached ();
    }

  gtk_inscription_set_text (GTK_INSCRIPTION (child), text);
  gtk_widget_set_tooltip_text (child, text != NULL && g_utf8_strlen (text, -1) > 12 ? text : NULL);
  if (column == HISTORY_COLUMN_OLD)
    gtk_widget_add_css_class (child, "dim-label");
}

static void
add_history_column (ProcuraProjectPage *self,
                    HistoryColumn       column,
                    const char         *title,
                    int                 fixed_width,
                    gboolean            expand)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
  GtkColumnViewColumn *view_column;

  g_object_set_data (G_OBJECT (factory), "column", GUINT_TO_POINTER (column));
  g_signal_connect (factory, "setup", G_CALLBACK (history_setup_cb), self);
  g_signal_connect (factory, "bind", G_CALLBACK (history_bind_cb), self);

  view_column = gtk_column_view_column_new (title, factory);
  gtk_column_view_column_set_resizable (view_column, TRUE);
  gtk_column_view_column_set_expand (view_column, expand);
  if (fixed_width > 0)
    gtk_column_view_column_set_fixed_width (view_column, fixed_width);
  gtk_column_view_append_column (self->history_view, view_column);
  g_object_unref (view_column);
}

static void
history_dropdown_changed_cb (ProcuraProjectPage *self,
                             GParamSpec         *pspec,
                             GtkDropDown        *dropdown)
{
  guint selected = gtk_drop_down_get_selected (dropdown);
  GPtrArray *keys = dropdown == self->history_field_dropdown ? self->field_keys : self->actor_keys;
  const char *key = selected < keys->len ? g_ptr_array_index (keys, selected) : "";

  if (self->updating_filters)
    return;

  if (dropdown == self->history_field_dropdown)
    set_history_filter (self, key, NULL);
  else
    set_history_filter (self, NULL, key);
}

/* ---- loading ------------------------------------------------------------- */

static void
clear_shown (ProcuraProjectPage *self)
{
  g_hash_table_remove_all (self->hash_labels);
  g_hash_table_remove_all (self->state_tags);
  g_hash_table_remove_all (self->review_labels);
}

static void
show_error (ProcuraProjectPage *self,
            const GError       *error)
{
  g_autofree char *escaped = g_markup_escape_text (error->message, -1);

  g_free (self->error_message);
  self->error_message = g_strdup (error->message);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR_MESSAGE]);

  if (self->bundle == NULL)
    {
      adw_status_page_set_description (self->error_page, escaped);
      gtk_stack_set_visible_child_name (self->main_stack, "error");
    }
  else
    {
      g_autofree char *message = g_strdup_printf (_("Could not reload the project: %s"), error->message);

      emit_toast (self, message);
    }
}

/* The page's actions with what each needs of the account (product.md §4):
 * an entity and operation, or (entity NULL) a special rule. */
static const struct
{
  const char       *action;
  const char       *entity;
  ProcuraOperation  op;
} action_rules[] = {
  { "project.edit", "project", PROCURA_OP_UPDATE },
  { "project.set-status", "project", PROCURA_OP_UPDATE },
  { "project.reload", NULL, 0 },
  { "record.edit", NULL, PROCURA_OP_UPDATE },      /* any write; checked per record */
  { "amendment.add", "amendment", PROCURA_OP_CREATE },
  { "milestone.add", "milestone", PROCURA_OP_CREATE },
  { "milestone.edit", "milestone", PROCURA_OP_UPDATE },
  { "report.add", "report", PROCURA_OP_CREATE },
  { "report.edit", "report", PROCURA_OP_UPDATE },
  { "report.submit", "report", PROCURA_OP_UPDATE },
  { "report.accept", NULL, PROCURA_OP_DELETE },    /* the review */
  { "report.return", NULL, PROCURA_OP_DELETE },
  { "attachment.add", "attachment", PROCURA_OP_CREATE },
  { "attachment.open", NULL, 0 },
  { "attachment.copy-hash", NULL, 0 },
  { "payment.add", "payment", PROCURA_OP_CREATE },
  { "payment.record", "payment", PROCURA_OP_UPDATE },
  { "payment.edit", "payment", PROCURA_OP_UPDATE },
  { "evaluation.add", "evaluation", PROCURA_OP_CREATE },
  { "indicator.add", "indicator", PROCURA_OP_CREATE },
  { "indicator-period.add", "indicator_period", PROCURA_OP_CREATE },
  { "activity.add", "activity", PROCURA_OP_CREATE },
  { "consultation.add", "consultation", PROCURA_OP_CREATE },
  { "history.filter-field", NULL, 0 },
  { "history.filter-actor", NULL, 0 },
};

static gboolean
action_allowed (ProcuraProjectPage *self,
                const char         *action)
{
  const char *role = page_role (self);

  for (guint i = 0; i < G_N_ELEMENTS (action_rules); i++)
    {
      if (g_strcmp0 (action_rules[i].action, action) != 0)
        continue;

      if (action_rules[i].entity != NULL)
        return procura_permissions_may (role, action_rules[i].entity, action_rules[i].op);
      if (action_rules[i].op == PROCURA_OP_UPDATE)
        return procura_permissions_may_write (role);
      if (action_rules[i].op == PROCURA_OP_DELETE)
        return procura_permissions_may_review (role);
      return TRUE;
    }

  /* not one of the page's actions (the window's, the application's) */
  return TRUE;
}

/* What the account may not do is not offered at all: buttons of actions
 * it may not use are hidden, not just insensitive. Buttons the page
 * itself hid for other reasons stay hidden. */
static void
apply_role_visibility (ProcuraProjectPage *self,
                       GtkWidget          *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) && gtk_actionable_get_action_name (GTK_ACTIONABLE (child)) != NULL)
        {
          gboolean allowed = action_allowed (self, gtk_actionable_get_action_name (GTK_ACTIONABLE (child)));
          gboolean hidden_by_role = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (child), "procura-role-hidden"));

          if (!allowed && gtk_widget_get_visible (child))
            {
              gtk_widget_set_visible (child, FALSE);
              g_object_set_data (G_OBJECT (child), "procura-role-hidden", GINT_TO_POINTER (TRUE));
            }
          else if (allowed && hidden_by_role)
            {
              gtk_widget_set_visible (child, TRUE);
              g_object_set_data (G_OBJECT (child), "procura-role-hidden", NULL);
            }
          continue;
        }

      apply_role_visibility (self, child);
    }
}

static void
update_actions (ProcuraProjectPage *self)
{
  gboolean loaded = self->bundle != NULL && self->store != NULL;

  for (guint i = 0; i < G_N_ELEMENTS (action_rules); i++)
    gtk_widget_action_set_enabled (GTK_WIDGET (self), action_rules[i].action,
                                   loaded && action_allowed (self, action_rules[i].action));

  gtk_widget_set_visible (GTK_WIDGET (self->status_button), may (self, "project", PROCURA_OP_UPDATE));
  apply_role_visibility (self, GTK_WIDGET (self));
}

static void
role_changed_cb (ProcuraProjectPage *self)
{
  /* rows are built for the role: build them again */
  if (self->bundle != NULL)
    load_project (self);
  else
    update_actions (self);
}

typedef void (*SectionBuilder) (ProcuraProjectPage *self);

static const struct
{
  const char     *name;   /* the view stack page */
  SectionBuilder  build;
} section_builders[] = {
  { "contract", build_contract },
  { "milestones", build_milestones },
  { "reports", build_reports },
  { "payments", build_payments },
  { "performance", build_performance },
  { "activities", build_activities },
  { "consultations", build_consultations },
  { "history", build_history_section },
};

static void
ensure_section_built (ProcuraProjectPage *self,
                      const char         *name)
{
  if (self->bundle == NULL || name == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (section_builders); i++)
    if (g_str_equal (section_builders[i].name, name) && !(self->sections_built & (1u << i)))
      {
        self->sections_built |= 1u << i;
        section_builders[i].build (self);
        apply_role_visibility (self, GTK_WIDGET (self));
      }
}

static void
ensure_all_sections_built (ProcuraProjectPage *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (section_builders); i++)
    ensure_section_built (self, section_builders[i].name);
}

static void
load_project (ProcuraProjectPage *self)
{
  g_autoptr(ProcuraProjectBundle) bundle = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *old_title = NULL;
  gint64 started = g_get_monotonic_time ();

  g_assert (PROCURA_IS_PROJECT_PAGE (self));

  if (self->store == NULL || self->project_id == NULL)
    {
      clear_shown (self);
      g_clear_pointer (&self->bundle, procura_project_bundle_free);
      g_hash_table_remove_all (self->records);
      g_list_store_remove_all (self->history);
      gtk_stack_set_visible_child_name (self->main_stack, "empty");
      update_actions (self);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CODE]);
      return;
    }

  bundle = procura_store_load_project (self->store, self->project_id, &error);
  if (bundle == NULL)
    {
      show_error (self, error);
      update_actions (self);
      return;
    }

  if (self->error_message != NULL)
    {
      g_clear_pointer (&self->error_message, g_free);
      g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_ERROR_MESSAGE]);
    }

  if (self->bundle != NULL)
    old_title = g_strdup (procura_record_get_string (self->bundle->project, "title"));

  clear_shown (self);
  g_clear_pointer (&self->bundle, procura_project_bundle_free);
  self->bundle = g_steal_pointer (&bundle);
  index_bundle (self);

  g_free (self->today);
  self->today = procura_store_dup_today (self->store);
  self->closed = procura_project_is_closed (self->bundle);

  build_header (self);
  /* Only the section shown is built now; the others when first shown
   * (ensure_section_built). Building all of them doubled the time to open
   * a page. */
  self->sections_built = 0;
  g_list_store_remove_all (self->history);
  ensure_section_built (self, adw_view_stack_get_visible_child_name (self->view_stack));

  gtk_stack_set_visible_child_name (self->main_stack, "project");
  update_actions (self);

  if (g_strcmp0 (old_title, procura_record_get_string (self->bundle->project, "title")) != 0)
    g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_TITLE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_CODE]);

  g_debug ("Project %s built in %.1f ms", self->project_id,
           (g_get_monotonic_time () - started) / 1000.0);
}

/* ---- writes -------------------------------------------------------------- */

static gboolean
update_state (ProcuraProjectPage      *self,
              const ProcuraEntityInfo *entity,
              const char              *id,
              const char              *state,
              const char              *comment,
              GError                 **error)
{
  g_autoptr(ProcuraRecord) changes = procura_record_new (entity, id);

  procura_record_set_string (changes, entity->status_field, state);
  if (comment != NULL)
    procura_record_set_string (changes, "review_comment", comment);

  return procura_store_update (self->store, changes, error);
}

static void
set_report_state (ProcuraProjectPage *self,
                  const char         *id,
                  const char         *state,
                  const char         *message)
{
  g_autoptr(GError) error = NULL;

  if (!update_state (self, PROCURA_ENTITY_REPORT, id, state, NULL, &error))
    {
      emit_error (self, error);
      return;
    }

  written (self, message);
}

/* ---- attachments --------------------------------------------------------- */

static ProcuraRecord *
attachment_record_new (ProcuraProjectPage *self,
                       const char         *report_id,
                       const char         *path,
                       const char         *sha256,
                       gint64              size)
{
  g_autofree char *name = g_filename_display_basename (path);
  g_autofree char *content_type = g_content_type_guess (path, NULL, 0, NULL);
  g_autofree char *mime = content_type != NULL ? g_content_type_get_mime_type (content_type) : NULL;
  ProcuraRecord *record = procura_record_new (PROCURA_ENTITY_ATTACHMENT, NULL);
  ProcuraRecord *report = lookup_record (self, report_id);

  procura_record_set_string (record, "project_id", self->project_id);
  procura_record_set_string (record, "report_id", report_id);
  procura_record_set_string (record, "name", name);
  procura_record_set_string (record, "mime_type", mime != NULL ? mime : "application/octet-stream");
  procura_record_set_int (record, "size", size);
  procura_record_set_string (record, "sha256", sha256);
  if (report != NULL && procura_record_get_string (report, "kind") != NULL)
    procura_record_set_string (record, "doc_type", procura_record_get_string (report, "kind"));

  return record;
}

typedef struct
{
  char   *blob_dir;
  char   *path;
  char   *report_id;
  char   *sha256;
  gint64  size;
} ImportData;

static void
import_data_free (gpointer data)
{
  ImportData *import = data;

  g_free (import->blob_dir);
  g_free (import->path);
  g_free (import->report_id);
  g_free (import->sha256);
  g_free (import);
}

static void
import_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ImportData *import = task_data;
  GError *error = NULL;

  import->sha256 = procura_blobs_import_file (import->blob_dir, import->path, &import->size, &error);
  if (import->sha256 == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
import_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (object);
  GTask *task = G_TASK (result);
  ImportData *import = g_task_get_task_data (task);
  g_autoptr(ProcuraRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;
  g_autofree char *name = NULL;

  if (!g_task_propagate_boolean (task, &error))
    {
      emit_error (self, error);
      return;
    }

  if (self->store == NULL || self->bundle == NULL)
    return;

  record = attachment_record_new (self, import->report_id, import->path, import->sha256, import->size);
  if (!procura_store_insert (self->store, record, &error))
    {
      emit_error (self, error);
      return;
    }

  name = g_filename_display_basename (import->path);
  /* Translators: %s is a file name */
  message = g_strdup_printf (_("“%s” attached"), name);
  written (self, message);
}

static void
import_async (ProcuraProjectPage *self,
              const char         *report_id,
              const char         *path)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, import_done_cb, NULL);
  ImportData *import = g_new0 (ImportData, 1);

  import->blob_dir = blob_dir (self);
  import->path = g_strdup (path);
  import->report_id = g_strdup (report_id);
  g_task_set_source_tag (task, import_async);
  g_task_set_task_data (task, import, import_data_free);
  g_task_run_in_thread (task, import_thread);
}

static void
chooser_response_cb (ProcuraProjectPage   *self,
                     int                   response,
                     GtkFileChooserNative *chooser)
{
  if (response == GTK_RESPONSE_ACCEPT && self->chooser_report_id != NULL)
    {
      g_autoptr(GListModel) files = gtk_file_chooser_get_files (GTK_FILE_CHOOSER (chooser));

      for (guint i = 0; i < g_list_model_get_n_items (files); i++)
        {
          g_autoptr(GFile) file = g_list_model_get_item (files, i);
          g_autofree char *path = g_file_get_path (file);

          if (path != NULL)
            import_async (self, self->chooser_report_id, path);
          else
            emit_toast (self, _("Only local files can be attached"));
        }
    }

  g_clear_pointer (&self->chooser_report_id, g_free);
  g_clear_object (&self->chooser);
}

/* The launch holds only a weak reference: a page closed meanwhile is not
 * kept alive for a toast nobody sees. */
static void
launch_done_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr(ProcuraProjectPage) self = g_weak_ref_get (weak);
  g_autoptr(GError) error = NULL;

  g_weak_ref_clear (weak);
  g_free (weak);

  if (!g_app_info_launch_default_for_uri_finish (result, &error) && self != NULL)
    {
      g_autofree char *message = g_strdup_printf (_("Could not open the file: %s"), error->message);

      emit_toast (self, message);
    }
}

static void
open_attachment (ProcuraProjectPage *self,
                 const char         *id)
{
  ProcuraRecord *attachment = lookup_record (self, id);
  g_autofree char *blobs = NULL;
  g_autofree char *copies = NULL;
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkAppLaunchContext) context = NULL;
  GWeakRef *weak;

  if (attachment == NULL)
    {
      emit_toast (self, _("This record is no longer there"));
      return;
    }

  /* The blob has no name: open a read-only copy under the file's own
   * name, after checking its hash. The application prunes old copies. */
  blobs = blob_dir (self);
  copies = procura_paths_opened_copies_dir ();
  path = procura_blobs_copy_out (blobs, procura_record_get_string (attachment, "sha256"),
                                 procura_record_get_string (attachment, "name"), copies, &error);
  if (path == NULL)
    {
      const char *name = procura_record_get_string (attachment, "name");
      g_autofree char *message = NULL;

      /* people need to know what is wrong with the file, not its hash or
       * where the store keeps it */
      if (g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_NOT_FOUND))
        message = g_strdup_printf (_("The file “%s” is not on this computer"), name);
      else if (g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_CORRUPT))
        message = g_strdup_printf (_("The file “%s” is damaged: its content no longer matches its checksum"), name);
      else
        message = g_strdup_printf (_("Could not open the file: %s"), error->message);

      g_debug ("Opening attachment %s: %s", id, error->message);
      emit_toast (self, message);
      return;
    }

  uri = g_filename_to_uri (path, NULL, NULL);
  context = gdk_display_get_app_launch_context (gtk_widget_get_display (GTK_WIDGET (self)));
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, self);
  g_app_info_launch_default_for_uri_async (uri, G_APP_LAUNCH_CONTEXT (context), NULL,
                                           launch_done_cb, weak);
}

/* ---- the return dialog ----------------------------------------------------- */

static void
return_entry_changed_cb (GtkEditable      *entry,
                         AdwMessageDialog *dialog)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (entry)));

  adw_message_dialog_set_response_enabled (dialog, "return", text[0] != '\0');
}

static void
return_response_cb (AdwMessageDialog   *dialog,
                    const char         *response,
                    ProcuraProjectPage *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "entry");
  const char *report_id = g_object_get_data (G_OBJECT (dialog), "report-id");
  g_autoptr(GError) error = NULL;

  if (g_strcmp0 (response, "return") != 0)
    return;

  if (!procura_project_page_return_report (self, report_id, gtk_editable_get_text (entry), &error))
    emit_error (self, error);
}

static void
show_return_dialog (ProcuraProjectPage *self,
                    const char         *report_id)
{
  ProcuraRecord *report = lookup_record (self, report_id);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *dialog;
  GtkWidget *entry;

  if (report == NULL)
    {
      emit_toast (self, _("This record is no longer there"));
      return;
    }

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Return the Report?"), NULL);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” goes back to the agency with your comment. They can revise it and submit it again."),
                                  procura_record_get_string (report, "title"));

  entry = gtk_entry_new ();
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("What needs to change"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (entry),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Review comment"),
                                  -1);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);

  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "return", _("_Return Report"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "return", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_enabled (ADW_MESSAGE_DIALOG (dialog), "return", FALSE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "return");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data (G_OBJECT (dialog), "entry", entry);
  g_object_set_data_full (G_OBJECT (dialog), "report-id", g_strdup (report_id), g_free);
  g_signal_connect (entry, "changed", G_CALLBACK (return_entry_changed_cb), dialog);
  g_signal_connect_object (dialog, "response", G_CALLBACK (return_response_cb), self, 0);

  gtk_window_present (GTK_WINDOW (dialog));
  gtk_widget_grab_focus (entry);
}

/* ---- actions ------------------------------------------------------------- */

static const char *
string_param (GVariant *param)
{
  return param != NULL ? g_variant_get_string (param, NULL) : "";
}

static void
project_edit_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *param)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (widget);

  if (self->bundle != NULL)
    open_editor (self, PROCURA_ENTITY_PROJECT, self->project_id, NULL, NULL);
}

static void
project_set_status_action (GtkWidget  *widget,
                           const char *action_name,
                           GVariant   *param)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (widget);
  const char *state = string_param (param);
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (self->bundle == NULL)
    return;

  if (!update_state (self, PROCURA_ENTITY_PROJECT, self->project_id, state, NULL, &error))
    {
      emit_error (self, error);
      return;
    }

  /* Translators: %s is the project's new state */
  message = g_strdup_printf (_("Project is now “%s”"), enum_label (PROCURA_ENTITY_PROJECT, "status", state));
  written (self, message);
}

static void
project_reload_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  load_project (PROCURA_PROJECT_PAGE (widget));
}

static void
record_edit_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *param)
{
  edit_record (PROCURA_PROJECT_PAGE (widget), string_param (param));
}

static void
child_add_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *param)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (widget);
  g_autofree char *entity_name = g_strndup (action_name, strcspn (action_name, "."));
  const ProcuraEntityInfo *entity;

  g_strdelimit (entity_name, "-", '_');
  entity = procura_schema_lookup (entity_name);
  g_return_if_fail (entity != NULL);

  add_child (self, entity, NULL);
}

static void
indicator_period_add_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (widget);
  g_autoptr(ProcuraRecord) defaults = NULL;

  if (self->bundle == NULL)
    return;

  defaults = child_defaults (self, PROCURA_ENTITY_INDICATOR_PERIOD);
  procura_record_set_string (defaults, "indicator_id", string_param (param));
  add_child (self, PROCURA_ENTITY_INDICATOR_PERIOD, defaults);
}

static void
report_add_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *param)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (widget);
  const char *milestone_id = string_param (param);
  g_autoptr(ProcuraRecord) defaults = NULL;
  ProcuraRecord *milestone;

  if (self->bundle == NULL)
    return;

  defaults = child_defaults (self, PROCURA_ENTITY_REPORT);
  procura_record_set_string (defaults, "kind", "physicalProgressReport");
  if (self->bundle->agency != NULL)
    procura_record_set_string (defaults, "submitter_org_id", procura_record_get_id (self->bundle->agency));
  if ((milestone = lookup_record (self, milestone_id)) != NULL)
    {
      procura_record_set_string (defaults, "milestone_id", milestone_id);
      procura_record_set_string (defaults, "title", procura_record_get_string (milestone, "title"));
    }

  add_child (self, PROCURA_ENTITY_REPORT, defaults);
}

static void
report_submit_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  set_report_state (PROCURA_PROJECT_PAGE (widget), string_param (param), "submitted", _("Report submitted"));
}

static void
report_accept_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  set_report_state (PROCURA_PROJECT_PAGE (widget), string_param (param), "accepted", _("Report accepted"));
}

static void
report_return_action (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *param)
{
  show_return_dialog (PROCURA_PROJECT_PAGE (widget), string_param (param));
}

static void
attachment_add_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (lookup_record (self, string_param (param)) == NULL)
    {
      emit_toast (self, _("This record is no longer there"));
      return;
    }

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  g_free (self->chooser_report_id);
  self->chooser_report_id = g_strdup (string_param (param));

  self->chooser = gtk_file_chooser_native_new (_("Attach Files"),
                                               GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                               GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Attach"), _("_Cancel"));
  gtk_file_chooser_set_select_multiple (GTK_FILE_CHOOSER (self->chooser), TRUE);
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect_object (self->chooser, "response", G_CALLBACK (chooser_response_cb), self, G_CONNECT_SWAPPED);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
attachment_open_action (GtkWidget  *widget,
                        const char *action_name,
                        GVariant   *param)
{
  open_attachment (PROCURA_PROJECT_PAGE (widget), string_param (param));
}

static void
attachment_copy_hash_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (widget);
  ProcuraRecord *attachment = lookup_record (self, string_param (param));

  if (attachment == NULL)
    return;

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), procura_record_get_string (attachment, "sha256"));
  emit_toast (self, _("Checksum (SHA-256) copied"));
}

static void
payment_record_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *param)
{
  static const char *hidden[] = { "project_id", NULL };
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (widget);
  ProcuraRecord *payment = lookup_record (self, string_param (param));
  g_autofree char *amount = NULL;
  const char *presets[7];
  GtkWindow *editor;

  if (payment == NULL)
    {
      emit_toast (self, _("This record is no longer there"));
      return;
    }

  /* paid today, as planned; the officer corrects what differs and adds
   * the voucher number */
  amount = procura_money_format (procura_record_get_int (payment, "planned_amount", 0));
  presets[0] = "status";
  presets[1] = "paid";
  presets[2] = "paid_date";
  presets[3] = self->today;
  presets[4] = procura_record_has (payment, "paid_amount") ? NULL : "paid_amount";
  presets[5] = amount;
  presets[6] = NULL;

  editor = open_editor_full (self, PROCURA_ENTITY_PAYMENT, procura_record_get_id (payment), NULL, hidden, presets);
  if (editor != NULL)
    gtk_window_set_title (editor, _("Record Payment"));
}

static void
history_filter_field_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  set_history_filter (PROCURA_PROJECT_PAGE (widget), string_param (param), NULL);
}

static void
history_filter_actor_action (GtkWidget  *widget,
                             const char *action_name,
                             GVariant   *param)
{
  set_history_filter (PROCURA_PROJECT_PAGE (widget), NULL, string_param (param));
}

/* ---- signal callbacks ------------------------------------------------------ */

static void
timeline_milestone_activated_cb (ProcuraTimeline    *timeline,
                                 const char         *id,
                                 ProcuraProjectPage *self)
{
  gtk_widget_activate_action (GTK_WIDGET (self), "milestone.edit", "s", id);
}

static void
squeezer_child_changed_cb (ProcuraProjectPage *self)
{
  gtk_widget_set_visible (GTK_WIDGET (self->switcher_bar), TRUE);
  adw_view_switcher_bar_set_reveal (self->switcher_bar,
                                    adw_squeezer_get_visible_child (self->switcher_squeezer) == self->switcher_placeholder);
}

/* The history table gets its rows only while it is shown: a column view
 * makes a few hundred row widgets at once, which would slow down every
 * load of the page. */
static void
attach_history (ProcuraProjectPage *self)
{
  gboolean shown = g_strcmp0 (adw_view_stack_get_visible_child_name (self->view_stack), "history") == 0;
  GtkSelectionModel *model = shown ? GTK_SELECTION_MODEL (self->history_selection) : NULL;

  if (gtk_column_view_get_model (self->history_view) != model)
    gtk_column_view_set_model (self->history_view, model);
}

static void
section_changed_cb (ProcuraProjectPage *self)
{
  ensure_section_built (self, adw_view_stack_get_visible_child_name (self->view_stack));
  attach_history (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_SECTION]);
}

/* ---- GObject ----------------------------------------------------------------- */

static void
procura_project_page_dispose (GObject *object)
{
  ProcuraProjectPage *self = (ProcuraProjectPage *)object;

  if (self->chooser != NULL)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);

  if (self->hash_labels != NULL)
    g_hash_table_remove_all (self->hash_labels);
  if (self->state_tags != NULL)
    g_hash_table_remove_all (self->state_tags);
  if (self->review_labels != NULL)
    g_hash_table_remove_all (self->review_labels);
  g_clear_object (&self->app);

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_PROJECT_PAGE);

  g_clear_object (&self->store);
  g_clear_object (&self->status_menu);
  g_clear_object (&self->history_selection);
  g_clear_object (&self->history_model);
  g_clear_object (&self->history_filter);
  g_clear_object (&self->history);

  G_OBJECT_CLASS (procura_project_page_parent_class)->dispose (object);
}

static void
procura_project_page_finalize (GObject *object)
{
  ProcuraProjectPage *self = (ProcuraProjectPage *)object;

  g_clear_pointer (&self->bundle, procura_project_bundle_free);
  g_clear_pointer (&self->records, g_hash_table_unref);
  g_clear_pointer (&self->extra_records, g_ptr_array_unref);
  g_clear_pointer (&self->hash_labels, g_hash_table_unref);
  g_clear_pointer (&self->state_tags, g_hash_table_unref);
  g_clear_pointer (&self->review_labels, g_hash_table_unref);
  g_clear_pointer (&self->report_folds, g_hash_table_unref);
  g_clear_pointer (&self->field_keys, g_ptr_array_unref);
  g_clear_pointer (&self->actor_keys, g_ptr_array_unref);
  g_free (self->project_id);
  g_free (self->today);
  g_free (self->error_message);
  g_free (self->last_message);
  g_free (self->history_field);
  g_free (self->history_actor);
  g_free (self->chooser_report_id);

  G_OBJECT_CLASS (procura_project_page_parent_class)->finalize (object);
}

static void
procura_project_page_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;

    case PROP_PROJECT_ID:
      g_value_set_string (value, self->project_id);
      break;

    case PROP_TITLE:
      g_value_set_string (value, procura_project_page_get_title (self));
      break;

    case PROP_CODE:
      g_value_set_string (value, procura_project_page_get_code (self));
      break;

    case PROP_SECTION:
      g_value_set_string (value, procura_project_page_get_section (self));
      break;

    case PROP_ERROR_MESSAGE:
      g_value_set_string (value, self->error_message);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_project_page_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  ProcuraProjectPage *self = PROCURA_PROJECT_PAGE (object);

  switch (prop_id)
    {
    case PROP_STORE:
      procura_project_page_set_store (self, g_value_get_object (value));
      break;

    case PROP_PROJECT_ID:
      procura_project_page_set_project_id (self, g_value_get_string (value));
      break;

    case PROP_SECTION:
      procura_project_page_set_section (self, g_value_get_string (value));
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_project_page_class_init (ProcuraProjectPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = procura_project_page_dispose;
  object_class->finalize = procura_project_page_finalize;
  object_class->get_property = procura_project_page_get_property;
  object_class->set_property = procura_project_page_set_property;

  properties [PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, PROCURA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_PROJECT_ID] =
    g_param_spec_string ("project-id", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_CODE] =
    g_param_spec_string ("code", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_SECTION] =
    g_param_spec_string ("section", NULL, NULL, NULL,
                         (G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  properties [PROP_ERROR_MESSAGE] =
    g_param_spec_string ("error-message", NULL, NULL, NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ProcuraProjectPage::changed:
   *
   * The page wrote to the store: whatever else shows the project is out
   * of date.
   */
  signals [CHANGED] =
    g_signal_new ("changed",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  /**
   * ProcuraProjectPage::toast:
   * @message: translated text
   *
   * A result or an error to show in a toast.
   */
  signals [TOAST] =
    g_signal_new ("toast",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (PROCURA_TYPE_TIMELINE);

  gtk_widget_class_set_template_from_resource (widget_class, "/org/procura/Procura/ui/procura-project-page.ui");
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "projectpage");

  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, main_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, error_page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, code_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, overdue_tag);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, title_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, agency_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, status_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, facts_box);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, value_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, value_detail_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, paid_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, paid_detail_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, balance_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, balance_detail_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, progress_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, progress_detail_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, period_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, period_detail_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, overdue_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, overdue_detail_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, switcher_squeezer);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, switcher_placeholder);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, switcher_bar);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, view_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, contract_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, service_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, amendments_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, milestones_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, timeline);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, milestones_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, reports_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, reports_box);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, payments_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, funds_paid_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, funds_percent_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, funds_bar);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, funds_detail_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, payments_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, evaluations_box);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, indicators_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, activities_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, activities_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, consultations_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, consultations_list);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, history_count_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, history_field_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, history_actor_dropdown);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, history_stack);
  gtk_widget_class_bind_template_child (widget_class, ProcuraProjectPage, history_view);
  gtk_widget_class_bind_template_callback (widget_class, timeline_milestone_activated_cb);

  gtk_widget_class_install_action (widget_class, "project.edit", NULL, project_edit_action);
  gtk_widget_class_install_action (widget_class, "project.set-status", "s", project_set_status_action);
  gtk_widget_class_install_action (widget_class, "project.reload", NULL, project_reload_action);
  gtk_widget_class_install_action (widget_class, "record.edit", "s", record_edit_action);
  gtk_widget_class_install_action (widget_class, "amendment.add", NULL, child_add_action);
  gtk_widget_class_install_action (widget_class, "milestone.add", NULL, child_add_action);
  gtk_widget_class_install_action (widget_class, "milestone.edit", "s", record_edit_action);
  gtk_widget_class_install_action (widget_class, "report.add", "s", report_add_action);
  gtk_widget_class_install_action (widget_class, "report.edit", "s", record_edit_action);
  gtk_widget_class_install_action (widget_class, "report.submit", "s", report_submit_action);
  gtk_widget_class_install_action (widget_class, "report.accept", "s", report_accept_action);
  gtk_widget_class_install_action (widget_class, "report.return", "s", report_return_action);
  gtk_widget_class_install_action (widget_class, "attachment.add", "s", attachment_add_action);
  gtk_widget_class_install_action (widget_class, "attachment.open", "s", attachment_open_action);
  gtk_widget_class_install_action (widget_class, "attachment.copy-hash", "s", attachment_copy_hash_action);
  gtk_widget_class_install_action (widget_class, "payment.add", NULL, child_add_action);
  gtk_widget_class_install_action (widget_class, "payment.record", "s", payment_record_action);
  gtk_widget_class_install_action (widget_class, "payment.edit", "s", record_edit_action);
  gtk_widget_class_install_action (widget_class, "evaluation.add", NULL, child_add_action);
  gtk_widget_class_install_action (widget_class, "indicator.add", NULL, child_add_action);
  gtk_widget_class_install_action (widget_class, "indicator-period.add", "s", indicator_period_add_action);
  gtk_widget_class_install_action (widget_class, "activity.add", NULL, child_add_action);
  gtk_widget_class_install_action (widget_class, "consultation.add", NULL, child_add_action);
  gtk_widget_class_install_action (widget_class, "history.filter-field", "s", history_filter_field_action);
  gtk_widget_class_install_action (widget_class, "history.filter-actor", "s", history_filter_actor_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F5, 0, "project.reload", NULL);
}

static void
procura_project_page_init (ProcuraProjectPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  /* an empty list says so rather than showing nothing */
  gtk_list_box_set_placeholder (self->amendments_list, placeholder_new (_("No amendments to the contract")));
  gtk_list_box_set_placeholder (self->indicators_list, placeholder_new (_("No outcome indicators yet")));

  self->records = g_hash_table_new (g_str_hash, g_str_equal);
  self->extra_records = g_ptr_array_new_with_free_func ((GDestroyNotify) procura_record_unref);
  self->hash_labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->state_tags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->review_labels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->report_folds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->field_keys = g_ptr_array_new_with_free_func (g_free);
  self->actor_keys = g_ptr_array_new_with_free_func (g_free);

  self->status_menu = g_menu_new ();
  gtk_menu_button_set_menu_model (self->status_button, G_MENU_MODEL (self->status_menu));

  /* the fact cards are not for clicking */
  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->facts_box));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    gtk_widget_set_focusable (child, FALSE);

  /* history: all rows → filter (field, person) → column view */
  self->history = g_list_store_new (PROCURA_TYPE_HISTORY_ITEM);
  self->history_filter = gtk_custom_filter_new (history_filter_func, self, NULL);
  self->history_model = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->history)),
                                                   g_object_ref (GTK_FILTER (self->history_filter)));
  self->history_selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->history_model)));
  add_history_column (self, HISTORY_COLUMN_TIME, _("Time"), 170, FALSE);
  add_history_column (self, HISTORY_COLUMN_ACTOR, _("Person"), 100, FALSE);
  add_history_column (self, HISTORY_COLUMN_RECORD, _("Record"), 220, FALSE);
  add_history_column (self, HISTORY_COLUMN_FIELD, _("Field"), 120, FALSE);
  add_history_column (self, HISTORY_COLUMN_OLD, _("Before"), -1, TRUE);
  add_history_column (self, HISTORY_COLUMN_NEW, _("After"), -1, TRUE);

  g_signal_connect_object (self->history_field_dropdown, "notify::selected",
                           G_CALLBACK (history_dropdown_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->history_actor_dropdown, "notify::selected",
                           G_CALLBACK (history_dropdown_changed_cb), self, G_CONNECT_SWAPPED);

  g_signal_connect_object (self->switcher_squeezer, "notify::visible-child",
                           G_CALLBACK (squeezer_child_changed_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->view_stack, "notify::visible-child-name",
                           G_CALLBACK (section_changed_cb), self, G_CONNECT_SWAPPED);

  /* the account's role decides what is offered, and may change while the
   * page is shown (logging in or out) */
  if (PROCURA_IS_APPLICATION (g_application_get_default ()))
    {
      self->app = g_object_ref (g_application_get_default ());
      g_signal_connect_object (self->app, "notify::role",
                               G_CALLBACK (role_changed_cb), self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->app, "notify::organization",
                               G_CALLBACK (role_changed_cb), self, G_CONNECT_SWAPPED);
    }

  update_actions (self);
}

/* ---- public API ------------------------------------------------------------ */

GtkWidget *
procura_project_page_new (ProcuraStore *store)
{
  g_return_val_if_fail (store == NULL || PROCURA_IS_STORE (store), NULL);

  return g_object_new (PROCURA_TYPE_PROJECT_PAGE, "store", store, NULL);
}

ProcuraStore *
procura_project_page_get_store (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return self->store;
}

void
procura_project_page_set_store (ProcuraProjectPage *self,
                                ProcuraStore       *store)
{
  g_return_if_fail (PROCURA_IS_PROJECT_PAGE (self));
  g_return_if_fail (store == NULL || PROCURA_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  load_project (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_STORE]);
}

const char *
procura_project_page_get_project_id (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return self->project_id;
}

static void
scroll_sections_to_top (GtkWidget *widget)
{
  if (GTK_IS_SCROLLED_WINDOW (widget))
    {
      GtkAdjustment *adjustment = gtk_scrolled_window_get_vadjustment (GTK_SCROLLED_WINDOW (widget));

      gtk_adjustment_set_value (adjustment, gtk_adjustment_get_lower (adjustment));
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    scroll_sections_to_top (child);
}

void
procura_project_page_set_project_id (ProcuraProjectPage *self,
                                     const char         *project_id)
{
  g_return_if_fail (PROCURA_IS_PROJECT_PAGE (self));

  if (g_strcmp0 (project_id, self->project_id) == 0)
    return;

  g_free (self->project_id);
  self->project_id = g_strdup (project_id);

  /* a new project starts on its contract, at the top of every section,
   * with the whole history */
  g_clear_pointer (&self->bundle, procura_project_bundle_free);
  g_clear_pointer (&self->history_field, g_free);
  g_clear_pointer (&self->history_actor, g_free);
  g_hash_table_remove_all (self->report_folds);
  adw_view_stack_set_visible_child_name (self->view_stack, "contract");
  scroll_sections_to_top (GTK_WIDGET (self->view_stack));

  load_project (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties [PROP_PROJECT_ID]);
}

void
procura_project_page_reload (ProcuraProjectPage *self)
{
  g_return_if_fail (PROCURA_IS_PROJECT_PAGE (self));

  load_project (self);
}

const char *
procura_project_page_get_title (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return self->bundle != NULL ? procura_record_get_string (self->bundle->project, "title") : NULL;
}

const char *
procura_project_page_get_code (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return self->bundle != NULL ? procura_record_get_string (self->bundle->project, "code") : NULL;
}

const char *
procura_project_page_get_error_message (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return self->error_message;
}

const char *
procura_project_page_get_section (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return adw_view_stack_get_visible_child_name (self->view_stack);
}

void
procura_project_page_set_section (ProcuraProjectPage *self,
                                  const char         *section)
{
  g_return_if_fail (PROCURA_IS_PROJECT_PAGE (self));

  if (section == NULL || adw_view_stack_get_child_by_name (self->view_stack, section) == NULL)
    return;

  adw_view_stack_set_visible_child_name (self->view_stack, section);
}

gboolean
procura_project_page_return_report (ProcuraProjectPage  *self,
                                    const char          *report_id,
                                    const char          *comment,
                                    GError             **error)
{
  g_autofree char *stripped = NULL;

  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), FALSE);
  g_return_val_if_fail (report_id != NULL, FALSE);
  g_return_val_if_fail (self->store != NULL, FALSE);

  stripped = g_strstrip (g_strdup (comment != NULL ? comment : ""));
  if (!update_state (self, PROCURA_ENTITY_REPORT, report_id, "returned",
                     stripped[0] != '\0' ? stripped : NULL, error))
    return FALSE;

  written (self, _("Report returned to the agency"));
  return TRUE;
}

char *
procura_project_page_add_attachment (ProcuraProjectPage  *self,
                                     const char          *report_id,
                                     const char          *path,
                                     GError             **error)
{
  g_autoptr(ProcuraRecord) record = NULL;
  g_autofree char *blobs = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *name = NULL;
  g_autofree char *message = NULL;
  g_autofree char *id = NULL;
  gint64 size = 0;

  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);
  g_return_val_if_fail (report_id != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (self->store != NULL && self->bundle != NULL, NULL);

  blobs = blob_dir (self);
  sha256 = procura_blobs_import_file (blobs, path, &size, error);
  if (sha256 == NULL)
    return NULL;

  record = attachment_record_new (self, report_id, path, sha256, size);
  if (!procura_store_insert (self->store, record, error))
    return NULL;

  id = g_strdup (procura_record_get_id (record));
  name = g_filename_display_basename (path);
  message = g_strdup_printf (_("“%s” attached"), name);
  written (self, message);

  return g_steal_pointer (&id);
}

GListModel *
procura_project_page_get_history_model (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  ensure_section_built (self, "history");
  return G_LIST_MODEL (self->history_model);
}

static const char *
shown_label (ProcuraProjectPage *self,
             GtkLabel           *label)
{
  return self->bundle != NULL ? gtk_label_get_label (label) : NULL;
}

const char *
procura_project_page_get_status_text (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return shown_label (self, self->status_label);
}

const char *
procura_project_page_get_value_text (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return shown_label (self, self->value_label);
}

const char *
procura_project_page_get_paid_text (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return shown_label (self, self->paid_label);
}

const char *
procura_project_page_get_balance_text (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return shown_label (self, self->balance_label);
}

const char *
procura_project_page_get_progress_text (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return shown_label (self, self->progress_label);
}

const char *
procura_project_page_get_period_text (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return shown_label (self, self->period_label);
}

const char *
procura_project_page_get_overdue_text (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return shown_label (self, self->overdue_label);
}

const char *
procura_project_page_get_attachment_hash_text (ProcuraProjectPage *self,
                                               const char         *attachment_id)
{
  GtkLabel *label;

  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  ensure_all_sections_built (self);
  label = g_hash_table_lookup (self->hash_labels, attachment_id);
  return label != NULL ? gtk_label_get_label (label) : NULL;
}

const char *
procura_project_page_get_review_comment_text (ProcuraProjectPage *self,
                                              const char         *report_id)
{
  GtkLabel *label;

  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  ensure_section_built (self, "reports");
  label = report_id != NULL ? g_hash_table_lookup (self->review_labels, report_id) : NULL;

  return label != NULL ? gtk_label_get_text (label) : NULL;
}

const char *
procura_project_page_get_state_text (ProcuraProjectPage *self,
                                     const char         *record_id)
{
  GtkLabel *label;

  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  ensure_all_sections_built (self);
  label = g_hash_table_lookup (self->state_tags, record_id);
  return label != NULL ? gtk_label_get_label (label) : NULL;
}

const char *
procura_project_page_get_last_message (ProcuraProjectPage *self)
{
  g_return_val_if_fail (PROCURA_IS_PROJECT_PAGE (self), NULL);

  return self->last_message;
}
