/* procura-record-editor.c — the editor form for every entity
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

#define G_LOG_DOMAIN "procura-record-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "procura-cells.h"
#include "procura-date.h"
#include "procura-decimal.h"
#include "procura-error.h"
#include "procura-application.h"
#include "procura-money.h"
#include "procura-permissions.h"
#include "procura-record-editor.h"
#include "procura-workflow.h"

/* One form for fourteen entities, built from the schema catalogue.
 *
 * Every field of the entity has a Field: the value it had when the editor
 * opened (the stored record, or the defaults of a new one), the value its
 * row holds now, and the messages shown next to it. Validation has two
 * steps:
 *
 *   1. on every change, the row's text is parsed with the core's field
 *      parser (procura_field_parse_text): money in every accepted form,
 *      dates as people write them … A parse error shows at once;
 *   2. when every field parses, a short while later (CHECK_DELAY_MS, so
 *      typing stays smooth), the whole record goes through the store's
 *      dry run (procura_store_check_insert/update): every rule the write
 *      path applies. Its error names a field by its translated label; the
 *      message is shown next to that field, or at the top of the form when
 *      it names none that is shown.
 *
 * Save is possible when something changed and both steps passed; it
 * writes only the changed fields through the single write path.
 */

#define CHECK_DELAY_MS 150

typedef enum
{
  WIDGET_NONE,       /* not shown: the state of a new record, an empty system field */
  WIDGET_ENTRY,      /* AdwEntryRow: text, numbers, money, dates */
  WIDGET_TEXT_VIEW,  /* GtkTextView in a group of its own: long texts */
  WIDGET_COMBO,      /* AdwComboRow: enumerations, workflow states, references */
  WIDGET_SWITCH,     /* AdwActionRow + GtkSwitch */
  WIDGET_READ_ONLY,  /* AdwActionRow showing the value: system fields */
} WidgetKind;

typedef struct
{
  ProcuraRecordEditor    *editor;        /* unowned */
  const ProcuraFieldInfo *info;
  guint                   index;
  WidgetKind              kind;

  GtkWidget              *row;           /* the row; for a text view, its group */
  GtkWidget              *input;         /* GtkSwitch, GtkTextView */
  GtkWidget              *error_row;     /* AdwPreferencesRow below the row (GtkLabel for text views) */
  GtkLabel               *error_label;

  GtkStringList          *choice_labels; /* combos: what is shown … */
  GPtrArray              *choice_values; /* … and the code or id of each (NULL: none) */
  const char             *scope_field;   /* references: the field whose value selects the candidates */

  GVariant               *original;      /* loaded (or default) value, NULL for null */
  GVariant               *value;         /* current value, NULL for null */
  char                   *parse_error;
  char                   *check_error;   /* the dry run's message, when it names this field */

  guint                   choices_complete : 1; /* references: every candidate listed */
  guint                   touched : 1;   /* changed by the person (or set_text) */
  guint                   hidden : 1;    /* procura_record_editor_set_hidden_fields() */
  guint                   locked : 1;    /* shown, not editable: procura_record_editor_set_editable_fields() */
  guint                   updating : 1;  /* ignore the row's change signals */
} Field;

struct _ProcuraRecordEditor
{
  AdwWindow                parent_instance;

  ProcuraStore            *store;
  const ProcuraEntityInfo *entity;
  char                    *record_id;
  ProcuraRecord           *defaults;
  ProcuraRecord           *original;   /* as loaded: the stored record or the defaults */

  GPtrArray               *fields;     /* Field*, one per field of the entity, schema order */
  char                    *message;    /* shown at the top */
  GError                  *check_error; /* the last dry run's, or NULL */
  char                    *saved_id;
  AdwMessageDialog        *discard_dialog; /* weak */

  guint                    check_source;
  guint                    can_save : 1;
  guint                    dirty : 1;
  guint                    message_is_hint : 1;  /* a missing field not yet touched */
  guint                    load_failed : 1;
  guint                    closing : 1;          /* saved or discarded: close without asking */
  guint                    constructed : 1;

  /* Template widgets */
  GtkButton               *save_button;
  GtkButton               *cancel_button;
  AdwPreferencesPage      *page;
  GtkWidget               *message_group;
  GtkWidget               *message_box;
  GtkImage                *message_icon;
  GtkLabel                *message_label;
  AdwPreferencesGroup     *main_group;
};

G_DEFINE_FINAL_TYPE (ProcuraRecordEditor, procura_record_editor, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_STORE,
  PROP_ENTITY,
  PROP_RECORD_ID,
  PROP_DEFAULTS,
  PROP_CAN_SAVE,
  PROP_DIRTY,
  PROP_SAVED_ID,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

enum {
  SIGNAL_SAVED,
  N_SIGNALS
};

static guint signals [N_SIGNALS];

static void schedule_check        (ProcuraRecordEditor *self);
static void run_check             (ProcuraRecordEditor *self);
static void field_changed         (Field               *f);
static void field_read            (Field               *f);

/* ---- fields ------------------------------------------------------------ */

static void
field_free (gpointer data)
{
  Field *f = data;

  g_clear_pointer (&f->original, g_variant_unref);
  g_clear_pointer (&f->value, g_variant_unref);
  g_clear_pointer (&f->parse_error, g_free);
  g_clear_pointer (&f->check_error, g_free);
  g_clear_pointer (&f->choice_values, g_ptr_array_unref);
  g_clear_object (&f->choice_labels);
  g_free (f);
}

static Field *
lookup_field (ProcuraRecordEditor *self,
              const char          *name)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      if (strcmp (f->info->name, name) == 0)
        return f;
    }

  return NULL;
}

static gboolean
is_creating (ProcuraRecordEditor *self)
{
  return self->record_id == NULL;
}

/* Whether the person can see the field's row. */
static gboolean
field_is_shown (const Field *f)
{
  return f->kind != WIDGET_NONE && !f->hidden;
}

static gboolean
field_is_editable (const Field *f)
{
  return f->kind == WIDGET_ENTRY || f->kind == WIDGET_TEXT_VIEW ||
         f->kind == WIDGET_COMBO || f->kind == WIDGET_SWITCH;
}

/* Texts that people write in paragraphs get a text view. */
static gboolean
field_is_long_text (const ProcuraFieldInfo *info)
{
  static const char * const names[] = {
    "description", "narrative", "rationale", "review_comment",
    "comment", "note", "resolution",
  };

  if (info->type != PROCURA_FIELD_TEXT)
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strcmp (info->name, names[i]) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
field_is_status (ProcuraRecordEditor    *self,
                 const ProcuraFieldInfo *info)
{
  return self->entity->status_field != NULL &&
         strcmp (self->entity->status_field, info->name) == 0 &&
         procura_workflow_initial_state (self->entity) != NULL;
}

/* What an entry shows for a value: money as ¥1,234.56, dates as
 * YYYY-MM-DD, numbers plainly. */
static char *
value_to_entry_text (const ProcuraFieldInfo *info,
                     GVariant               *value)
{
  if (value == NULL)
    return g_strdup ("");

  switch (info->type)
    {
    case PROCURA_FIELD_MONEY:
      return procura_money_format (g_variant_get_int64 (value));
    case PROCURA_FIELD_DECIMAL:
      return procura_decimal_format (g_variant_get_int64 (value));
    case PROCURA_FIELD_INT:
      return g_strdup_printf ("%" G_GINT64_FORMAT, g_variant_get_int64 (value));
    case PROCURA_FIELD_BOOL:
      return g_strdup (g_variant_get_boolean (value) ? "true" : "false");
    case PROCURA_FIELD_TEXT:
    case PROCURA_FIELD_DATE:
    case PROCURA_FIELD_MONTH:
    case PROCURA_FIELD_TIMESTAMP:
    case PROCURA_FIELD_ENUM:
    case PROCURA_FIELD_REF:
    default:
      return g_variant_dup_string (value, NULL);
    }
}


/* ---- references: candidates and their names ---------------------------- */

/* How people recognise a record in a list. */
static char *
describe_record (const ProcuraRecord *record)
{
  const ProcuraEntityInfo *entity = procura_record_get_entity (record);
  const ProcuraFieldInfo *title_info = procura_entity_lookup_field (entity, entity->title_field);
  int title_index = procura_entity_field_index (entity, entity->title_field);
  g_autofree char *title = NULL;
  const char *date = NULL;

  if (strcmp (entity->name, "project") == 0)
    return g_strdup_printf ("%s %s",
                            procura_record_get_string (record, "code") ?: "",
                            procura_record_get_string (record, "title") ?: "");

  if (strcmp (entity->name, "indicator_period") == 0)
    return g_strdup_printf ("%s – %s",
                            procura_record_get_string (record, "period_start") ?: "",
                            procura_record_get_string (record, "period_end") ?: "");

  if (title_info != NULL && title_index >= 0)
    title = procura_field_value_to_display (title_info, procura_record_get_value (record, (guint) title_index));
  if (title == NULL || title[0] == '\0')
    {
      g_free (title);
      title = g_strdup (procura_record_get_id (record));
    }

  /* Monthly milestones and activities repeat their titles: the date tells
   * them apart. */
  if (strcmp (entity->name, "milestone") == 0)
    date = procura_record_get_string (record, "due_date");
  else if (strcmp (entity->name, "activity") == 0 || strcmp (entity->name, "evaluation") == 0)
    date = procura_record_get_string (record, "date");

  if (date != NULL)
    return g_strdup_printf ("%s · %s", title, date);

  return g_steal_pointer (&title);
}

/* The field of this entity whose value selects the candidates of a
 * reference: the referenced entity's parent when this entity has that
 * field too (a criterion's parent within its evaluation), else the
 * project. NULL when the candidates are everything (organizations,
 * grade schemes, projects). */
static const char *
reference_scope (const ProcuraEntityInfo *entity,
                 const ProcuraFieldInfo  *info)
{
  const ProcuraEntityInfo *target = procura_schema_lookup (info->ref_entity);

  if (target == NULL || !target->project_scoped)
    return NULL;

  if (target->parent_field != NULL &&
      strcmp (target->parent_field, info->name) != 0 &&
      procura_entity_lookup_field (entity, target->parent_field) != NULL &&
      procura_entity_lookup_field (target, target->parent_field) != NULL)
    return target->parent_field;

  if (procura_entity_lookup_field (entity, "project_id") != NULL &&
      procura_entity_lookup_field (target, "project_id") != NULL)
    return "project_id";

  return NULL;
}

static const char *
field_string_value (Field *f)
{
  if (f == NULL || f->value == NULL || !g_variant_is_of_type (f->value, G_VARIANT_TYPE_STRING))
    return NULL;

  return g_variant_get_string (f->value, NULL);
}

static void
add_choice (Field      *f,
            const char *label,
            const char *value)
{
  gtk_string_list_append (f->choice_labels, label);
  g_ptr_array_add (f->choice_values, g_strdup (value));
}

static void
fill_reference_choices (ProcuraRecordEditor *self,
                        Field               *f,
                        const char          *current,
                        gboolean             keep_current)
{
  const ProcuraEntityInfo *target = procura_schema_lookup (f->info->ref_entity);
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  gboolean seen_current = FALSE;

  if (target == NULL)
    return;

  if (f->scope_field != NULL)
    {
      const char *scope = field_string_value (lookup_field (self, f->scope_field));

      if (scope != NULL)
        records = procura_store_list (self->store, target, f->scope_field, scope, &error);
    }
  else
    {
      records = procura_store_list (self->store, target, NULL, NULL, &error);
    }

  if (error != NULL)
    g_warning ("Listing %s: %s", target->plural, error->message);

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      ProcuraRecord *r = g_ptr_array_index (records, i);
      const char *id = procura_record_get_id (r);
      g_autofree char *label = NULL;

      /* a record cannot be its own parent */
      if (target == self->entity && g_strcmp0 (id, self->record_id) == 0)
        continue;

      label = describe_record (r);
      add_choice (f, label, id);
      seen_current |= g_strcmp0 (id, current) == 0;
    }

  /* The stored value stays selectable even when it is no longer a
   * candidate (a deleted organization, another project's milestone). */
  if (current != NULL && !seen_current && keep_current)
    {
      g_autoptr(ProcuraRecord) r = procura_store_get (self->store, target, current, NULL);
      g_autofree char *label = r != NULL ? describe_record (r) : g_strdup (current);

      add_choice (f, label, current);
    }
}

/* (Re)builds a combo's choices around the value `current`. The
 * candidates of a reference are listed only when complete is TRUE (the
 * row is shown, or a value is being chosen): a hidden project_id need not
 * list every project. */
static void
fill_choices (ProcuraRecordEditor *self,
              Field               *f,
              const char          *current,
              gboolean             complete,
              gboolean             keep_current)
{
  const ProcuraFieldInfo *info = f->info;

  g_clear_object (&f->choice_labels);
  g_clear_pointer (&f->choice_values, g_ptr_array_unref);
  f->choice_labels = gtk_string_list_new (NULL);
  f->choice_values = g_ptr_array_new_with_free_func (g_free);

  if (!(info->flags & PROCURA_FIELD_REQUIRED))
    /* Translators: the choice for an optional field left empty */
    add_choice (f, C_("choice", "None"), NULL);
  else if (current == NULL || info->type == PROCURA_FIELD_REF)
    /* Translators: the choice of a required field not chosen yet */
    add_choice (f, _("Choose…"), NULL);

  if (info->type == PROCURA_FIELD_ENUM && field_is_status (self, info) && current != NULL)
    {
      /* A workflow state: where the record is and where it may go next. */
      const char **next = procura_workflow_next_states (self->entity, current);

      add_choice (f, procura_field_enum_label (info, current), current);
      for (guint i = 0; next[i] != NULL; i++)
        add_choice (f, procura_field_enum_label (info, next[i]), next[i]);
    }
  else if (info->type == PROCURA_FIELD_ENUM)
    {
      gboolean seen_current = FALSE;

      for (const ProcuraEnumValue *v = info->enum_values; v->code != NULL; v++)
        {
          add_choice (f, procura_enum_get_label (v), v->code);
          seen_current |= g_strcmp0 (v->code, current) == 0;
        }
      if (current != NULL && !seen_current)
        add_choice (f, current, current);
    }
  else if (info->type == PROCURA_FIELD_REF && complete)
    {
      fill_reference_choices (self, f, current, keep_current);
    }
  else if (info->type == PROCURA_FIELD_REF && current != NULL)
    {
      const ProcuraEntityInfo *target = procura_schema_lookup (info->ref_entity);
      g_autoptr(ProcuraRecord) r = target != NULL ? procura_store_get (self->store, target, current, NULL) : NULL;
      g_autofree char *label = r != NULL ? describe_record (r) : g_strdup (current);

      add_choice (f, label, current);
    }

  f->choices_complete = complete || info->type != PROCURA_FIELD_REF;
}

static guint
choice_index (Field      *f,
              const char *value)
{
  for (guint i = 0; i < f->choice_values->len; i++)
    if (g_strcmp0 (g_ptr_array_index (f->choice_values, i), value) == 0)
      return i;

  return GTK_INVALID_LIST_POSITION;
}

/* A choice row is an AdwComboRow, or — for organizations, which are many —
 * an action row with a searchable GtkDropDown (f->input). */
static guint
combo_get_selected (Field *f)
{
  if (f->input != NULL)
    return gtk_drop_down_get_selected (GTK_DROP_DOWN (f->input));
  return adw_combo_row_get_selected (ADW_COMBO_ROW (f->row));
}

static void
combo_set_selected (Field *f,
                    guint  position)
{
  if (f->input != NULL)
    gtk_drop_down_set_selected (GTK_DROP_DOWN (f->input), position);
  else
    adw_combo_row_set_selected (ADW_COMBO_ROW (f->row), position);
}

static void
combo_set_model (Field      *f,
                 GListModel *model)
{
  if (f->input != NULL)
    gtk_drop_down_set_model (GTK_DROP_DOWN (f->input), model);
  else
    adw_combo_row_set_model (ADW_COMBO_ROW (f->row), model);
}

static void
combo_set_choices (ProcuraRecordEditor *self,
                   Field               *f,
                   const char          *current,
                   gboolean             complete,
                   gboolean             keep_current)
{
  g_autofree char *selected = g_strdup (current);
  guint position;

  fill_choices (self, f, selected, complete, keep_current);

  f->updating = TRUE;
  combo_set_model (f, G_LIST_MODEL (f->choice_labels));
  position = choice_index (f, selected);
  combo_set_selected (f, position != GTK_INVALID_LIST_POSITION ? position : 0);
  f->updating = FALSE;

  /* A state with nowhere to go is shown, not offered. */
  gtk_widget_set_sensitive (f->row, !f->locked && (f->choice_values->len > 1 || f->info->type == PROCURA_FIELD_REF));
}

/* Lists every candidate of a reference, keeping its value. */
static void
ensure_choices (ProcuraRecordEditor *self,
                Field               *f)
{
  if (f->kind == WIDGET_COMBO && !f->choices_complete)
    combo_set_choices (self, f, field_string_value (f), TRUE, TRUE);
}

static void
combo_map_cb (GtkWidget *row,
              Field     *f)
{
  if (f->editor->constructed)
    ensure_choices (f->editor, f);
}

/* References scoped by `scope` (a project, an evaluation) list that
 * one's records: list them again when it changes, dropping a value that
 * belongs to the old one. */
static void
refresh_scoped_choices (ProcuraRecordEditor *self,
                        Field               *scope)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);
      g_autoptr(GVariant) before = NULL;

      if (f->kind != WIDGET_COMBO || f->scope_field == NULL ||
          strcmp (f->scope_field, scope->info->name) != 0)
        continue;

      before = f->value != NULL ? g_variant_ref (f->value) : NULL;
      combo_set_choices (self, f, field_string_value (f), TRUE, FALSE);
      field_read (f);
      if (!procura_field_value_equal (before, f->value))
        refresh_scoped_choices (self, f);
    }
}

/* ---- reading the rows -------------------------------------------------- */

static char *
field_dup_text (Field *f)
{
  switch (f->kind)
    {
    case WIDGET_ENTRY:
      return g_strdup (gtk_editable_get_text (GTK_EDITABLE (f->row)));

    case WIDGET_TEXT_VIEW:
      {
        GtkTextBuffer *buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->input));
        GtkTextIter start, end;

        gtk_text_buffer_get_bounds (buffer, &start, &end);
        return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
      }

    case WIDGET_COMBO:
      {
        guint selected = combo_get_selected (f);

        if (selected == GTK_INVALID_LIST_POSITION)
          return g_strdup ("");
        return g_strdup (gtk_string_list_get_string (f->choice_labels, selected));
      }

    case WIDGET_SWITCH:
      return g_strdup (gtk_switch_get_active (GTK_SWITCH (f->input)) ? "true" : "false");

    case WIDGET_READ_ONLY:
    case WIDGET_NONE:
    default:
      return value_to_entry_text (f->info, f->value);
    }
}

/* Reads the row into f->value, or f->parse_error. */
static void
field_read (Field *f)
{
  g_autoptr(GVariant) value = NULL;

  g_clear_pointer (&f->parse_error, g_free);

  switch (f->kind)
    {
    case WIDGET_ENTRY:
    case WIDGET_TEXT_VIEW:
      {
        g_autofree char *text = field_dup_text (f);
        g_autoptr(GError) error = NULL;

        if (!procura_field_parse_text (f->info, text, &value, &error))
          {
            f->parse_error = g_strdup (error->message);
            return;
          }
      }
      break;

    case WIDGET_COMBO:
      {
        guint selected = combo_get_selected (f);
        const char *code = NULL;

        if (selected != GTK_INVALID_LIST_POSITION && selected < f->choice_values->len)
          code = g_ptr_array_index (f->choice_values, selected);
        if (code != NULL)
          value = g_variant_ref_sink (g_variant_new_string (code));
      }
      break;

    case WIDGET_SWITCH:
      {
        gboolean active = gtk_switch_get_active (GTK_SWITCH (f->input));

        /* off and never set stays never set */
        if (f->original != NULL || active)
          value = g_variant_ref_sink (g_variant_new_boolean (active));
      }
      break;

    case WIDGET_READ_ONLY:
    case WIDGET_NONE:
    default:
      return;
    }

  g_clear_pointer (&f->value, g_variant_unref);
  f->value = g_steal_pointer (&value);
}

static gboolean
field_is_changed (const Field *f)
{
  return f->parse_error != NULL || !procura_field_value_equal (f->original, f->value);
}

/* ---- showing messages -------------------------------------------------- */

static const char *
field_shown_error (const Field *f)
{
  return f->parse_error != NULL ? f->parse_error : f->check_error;
}

static void
field_show_error (Field *f)
{
  const char *message = field_shown_error (f);
  GtkWidget *target;

  if (f->error_label == NULL)
    return;

  target = f->kind == WIDGET_TEXT_VIEW ? gtk_widget_get_parent (f->input) : f->row;

  gtk_label_set_text (f->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (f->error_row, message != NULL && !f->hidden);

  if (message != NULL)
    {
      gtk_widget_add_css_class (target, "error");
      gtk_accessible_update_state (GTK_ACCESSIBLE (f->kind == WIDGET_TEXT_VIEW ? f->input : f->row),
                                   GTK_ACCESSIBLE_STATE_INVALID, GTK_ACCESSIBLE_INVALID_TRUE,
                                   -1);
      gtk_accessible_update_property (GTK_ACCESSIBLE (f->kind == WIDGET_TEXT_VIEW ? f->input : f->row),
                                      GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, message,
                                      -1);
    }
  else
    {
      gtk_widget_remove_css_class (target, "error");
      gtk_accessible_reset_state (GTK_ACCESSIBLE (f->kind == WIDGET_TEXT_VIEW ? f->input : f->row),
                                  GTK_ACCESSIBLE_STATE_INVALID);
      gtk_accessible_reset_property (GTK_ACCESSIBLE (f->kind == WIDGET_TEXT_VIEW ? f->input : f->row),
                                     GTK_ACCESSIBLE_PROPERTY_DESCRIPTION);
    }
}

static void
show_message (ProcuraRecordEditor *self,
              const char          *message,
              gboolean             is_hint)
{
  if (g_strcmp0 (self->message, message) != 0)
    {
      g_free (self->message);
      self->message = g_strdup (message);
    }
  self->message_is_hint = message != NULL && is_hint;

  gtk_label_set_text (self->message_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->message_group), message != NULL);

  if (self->message_is_hint)
    {
      gtk_image_set_from_icon_name (self->message_icon, "dialog-information-symbolic");
      gtk_widget_remove_css_class (self->message_box, "error");
      gtk_widget_add_css_class (GTK_WIDGET (self->message_label), "dim-label");
    }
  else
    {
      gtk_image_set_from_icon_name (self->message_icon, "dialog-warning-symbolic");
      gtk_widget_add_css_class (self->message_box, "error");
      gtk_widget_remove_css_class (GTK_WIDGET (self->message_label), "dim-label");
    }
}

/* The label a core message starts with: "<label>: …" or "<label>：…". */
static gboolean
message_starts_with_label (const char *message,
                           const char *label)
{
  gsize len = strlen (label);

  if (len == 0 || strncmp (message, label, len) != 0)
    return FALSE;

  return message[len] == ':' || g_str_has_prefix (message + len, "：");
}

/* The field a core message is about. Messages start with the field's
 * translated label; the longest label that fits wins ("Project title"
 * over "Project"). Failing that, a field whose label ends with the
 * message's prefix ("Credit code" → "Unified social credit code"). */
static Field *
field_for_message (ProcuraRecordEditor *self,
                   const char          *message)
{
  Field *best = NULL;
  gsize best_len = 0;
  const char *colon;

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);
      const char *label = procura_field_get_label (f->info);
      gsize len = strlen (label);

      /* among fields of one label, prefer the one that is shown */
      if (message_starts_with_label (message, label) &&
          (len > best_len || (len == best_len && !field_is_shown (best) && field_is_shown (f))))
        {
          best = f;
          best_len = len;
        }
    }

  if (best != NULL)
    return best;

  colon = strstr (message, "：");
  if (colon == NULL || (strchr (message, ':') != NULL && strchr (message, ':') < colon))
    colon = strchr (message, ':');

  if (colon != NULL && colon > message)
    {
      g_autofree char *prefix = g_utf8_casefold (message, colon - message);

      for (guint i = 0; i < self->fields->len; i++)
        {
          Field *f = g_ptr_array_index (self->fields, i);
          g_autofree char *label = g_utf8_casefold (procura_field_get_label (f->info), -1);

          if (g_str_has_suffix (label, prefix) && (best == NULL || (!field_is_shown (best) && field_is_shown (f))))
            best = f;
        }
    }

  return best;
}

/* Shows a core error (dry run or refused save) where it belongs. */
static void
route_error (ProcuraRecordEditor *self,
             const GError        *error)
{
  Field *f = field_for_message (self, error->message);

  if (f != NULL && field_is_shown (f) && field_is_editable (f) &&
      (f->touched || !is_creating (self) ||
       !g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED)))
    {
      g_free (f->check_error);
      f->check_error = g_strdup (error->message);
      field_show_error (f);
      show_message (self, NULL, FALSE);
      return;
    }

  /* A required field of a new record that nobody has reached yet is a
   * hint, not an error. */
  show_message (self, error->message,
                f != NULL && field_is_shown (f) && !f->touched &&
                g_error_matches (error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED));
}

/* Brings the first field with a message into view, the cursor in it. */
static void
focus_first_error (ProcuraRecordEditor *self)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      if (field_shown_error (f) != NULL && field_is_shown (f))
        {
          gtk_widget_grab_focus (f->kind == WIDGET_TEXT_VIEW ? f->input : f->row);
          return;
        }
    }
}

/* A new form starts with the cursor in its first field, not on Cancel. */
static void
focus_first_field_cb (ProcuraRecordEditor *self)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      if (field_is_shown (f) && field_is_editable (f) && f->row != NULL)
        {
          gtk_widget_grab_focus (f->kind == WIDGET_TEXT_VIEW ? f->input : f->row);
          return;
        }
    }
}

/* ---- state ------------------------------------------------------------- */

static void
set_can_save (ProcuraRecordEditor *self,
              gboolean             can_save)
{
  can_save = !!can_save;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", can_save);

  if (self->can_save == can_save)
    return;

  self->can_save = can_save;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_SAVE]);
}

static void
update_dirty (ProcuraRecordEditor *self)
{
  gboolean dirty = FALSE;

  for (guint i = 0; i < self->fields->len && !dirty; i++)
    dirty = field_is_changed (g_ptr_array_index (self->fields, i));

  if (self->dirty == dirty)
    return;

  self->dirty = dirty;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DIRTY]);
}

static gboolean
any_parse_error (ProcuraRecordEditor *self)
{
  for (guint i = 0; i < self->fields->len; i++)
    if (((Field *) g_ptr_array_index (self->fields, i))->parse_error != NULL)
      return TRUE;

  return FALSE;
}

/* The record to write: a new record with every value, or the changes. */
static ProcuraRecord *
build_record (ProcuraRecordEditor *self)
{
  ProcuraRecord *record = procura_record_new (self->entity, self->record_id);

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      if (is_creating (self))
        {
          if (f->value != NULL)
            procura_record_set_value (record, f->index, f->value);
        }
      else if (field_is_editable (f) && field_is_changed (f))
        {
          procura_record_set_value (record, f->index, f->value);
        }
    }

  return record;
}

static void
clear_check_errors (ProcuraRecordEditor *self)
{
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      if (f->check_error != NULL)
        {
          g_clear_pointer (&f->check_error, g_free);
          field_show_error (f);
        }
    }
}

/* Step 2: the whole record through the store's dry run. */
static void
run_check (ProcuraRecordEditor *self)
{
  g_autoptr(ProcuraRecord) record = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  g_clear_handle_id (&self->check_source, g_source_remove);
  g_clear_error (&self->check_error);

  if (self->load_failed)
    {
      set_can_save (self, FALSE);
      return;
    }

  clear_check_errors (self);
  update_dirty (self);

  if (any_parse_error (self) || !self->dirty)
    {
      show_message (self, NULL, FALSE);
      set_can_save (self, FALSE);
      return;
    }

  record = build_record (self);
  if (is_creating (self))
    ok = procura_store_check_insert (self->store, record, &error);
  else
    ok = procura_store_check_update (self->store, record, &error);

  if (ok)
    show_message (self, NULL, FALSE);
  else
    route_error (self, error);

  self->check_error = g_steal_pointer (&error);
  set_can_save (self, ok);
}

static gboolean
check_timeout_cb (gpointer user_data)
{
  ProcuraRecordEditor *self = user_data;

  self->check_source = 0;
  run_check (self);

  return G_SOURCE_REMOVE;
}

static void
schedule_check (ProcuraRecordEditor *self)
{
  g_clear_handle_id (&self->check_source, g_source_remove);
  self->check_source = g_timeout_add (CHECK_DELAY_MS, check_timeout_cb, self);
}

/* Runs a pending dry run now, so what is asked for is current. */
static void
flush_check (ProcuraRecordEditor *self)
{
  if (self->check_source != 0)
    run_check (self);
}

/* Step 1, on every change of a row. */
static void
field_changed (Field *f)
{
  ProcuraRecordEditor *self = f->editor;

  if (f->updating || !self->constructed)
    return;

  f->touched = TRUE;
  field_read (f);
  g_clear_pointer (&f->check_error, g_free);
  field_show_error (f);

  if (f->kind == WIDGET_COMBO && f->info->type == PROCURA_FIELD_REF)
    refresh_scoped_choices (self, f);

  update_dirty (self);

  /* Nothing to ask the store yet: say so at once. */
  if (f->parse_error != NULL || !self->dirty)
    set_can_save (self, FALSE);

  schedule_check (self);
}

static void
entry_changed_cb (GtkEditable *editable,
                  Field       *f)
{
  field_changed (f);
}

static void
buffer_changed_cb (GtkTextBuffer *buffer,
                   Field         *f)
{
  field_changed (f);
}

static void
combo_selected_cb (GObject    *row,
                   GParamSpec *pspec,
                   Field      *f)
{
  field_changed (f);
}

static void
switch_active_cb (GtkSwitch  *sw,
                  GParamSpec *pspec,
                  Field      *f)
{
  field_changed (f);
}

/* Money and dates are shown in their canonical form once the person
 * leaves the row: 12.5万 becomes ¥125,000.00, 2021/8/1 2021-08-01. */
static void
entry_focus_leave_cb (GtkEventControllerFocus *controller,
                      Field                   *f)
{
  g_autofree char *text = NULL;

  if (!f->editor->constructed || f->parse_error != NULL || f->value == NULL ||
      (f->info->type != PROCURA_FIELD_MONEY && f->info->type != PROCURA_FIELD_DATE))
    return;

  text = value_to_entry_text (f->info, f->value);
  if (g_strcmp0 (text, gtk_editable_get_text (GTK_EDITABLE (f->row))) != 0)
    {
      f->updating = TRUE;
      gtk_editable_set_text (GTK_EDITABLE (f->row), text);
      f->updating = FALSE;
    }
}

/* ---- building the form ------------------------------------------------- */

static void
add_error_row (ProcuraRecordEditor *self,
               Field               *f)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_selectable (GTK_LABEL (label), TRUE);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_add_css_class (label, "caption");
  f->error_label = GTK_LABEL (label);

  if (f->kind == WIDGET_TEXT_VIEW)
    {
      gtk_widget_set_margin_top (label, 6);
      gtk_widget_set_margin_start (label, 6);
      f->error_row = label;
      gtk_widget_set_visible (label, FALSE);
      adw_preferences_group_add (ADW_PREFERENCES_GROUP (f->row), label);
      return;
    }

  gtk_widget_set_margin_start (label, 12);
  gtk_widget_set_margin_end (label, 12);
  gtk_widget_set_margin_top (label, 6);
  gtk_widget_set_margin_bottom (label, 6);

  f->error_row = adw_preferences_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f->error_row), procura_field_get_label (f->info));
  gtk_list_box_row_set_activatable (GTK_LIST_BOX_ROW (f->error_row), FALSE);
  gtk_list_box_row_set_selectable (GTK_LIST_BOX_ROW (f->error_row), FALSE);
  gtk_widget_set_focusable (f->error_row, FALSE);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (f->error_row), label);
  gtk_widget_set_visible (f->error_row, FALSE);
  adw_preferences_group_add (self->main_group, f->error_row);
}

static void
build_entry_row (ProcuraRecordEditor *self,
                 Field               *f)
{
  const ProcuraFieldInfo *info = f->info;
  g_autofree char *text = value_to_entry_text (info, f->value);
  GtkEventController *focus;

  f->kind = WIDGET_ENTRY;
  f->row = adw_entry_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (f->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f->row), procura_field_get_label (info));
  adw_entry_row_set_activates_default (ADW_ENTRY_ROW (f->row), TRUE);
  gtk_editable_set_text (GTK_EDITABLE (f->row), text);

  switch (info->type)
    {
    case PROCURA_FIELD_MONEY:
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (f->row), GTK_INPUT_PURPOSE_NUMBER);
      gtk_widget_set_tooltip_text (f->row, _("An amount such as 1,234.56, ¥1,234.56, 1234.56元 or 12.5万"));
      break;
    case PROCURA_FIELD_DECIMAL:
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (f->row), GTK_INPUT_PURPOSE_NUMBER);
      break;
    case PROCURA_FIELD_INT:
      adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (f->row), GTK_INPUT_PURPOSE_DIGITS);
      break;
    case PROCURA_FIELD_DATE:
      gtk_widget_set_tooltip_text (f->row, _("A date such as 2026-03-31, 2026/3/31 or 2026年3月31日"));
      break;
    case PROCURA_FIELD_MONTH:
      gtk_widget_set_tooltip_text (f->row, _("A month such as 2026-03"));
      break;
    case PROCURA_FIELD_TEXT:
      if (g_str_has_suffix (info->name, "_email"))
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (f->row), GTK_INPUT_PURPOSE_EMAIL);
      else if (g_str_has_suffix (info->name, "_phone"))
        adw_entry_row_set_input_purpose (ADW_ENTRY_ROW (f->row), GTK_INPUT_PURPOSE_PHONE);
      break;
    case PROCURA_FIELD_TIMESTAMP:
    case PROCURA_FIELD_BOOL:
    case PROCURA_FIELD_ENUM:
    case PROCURA_FIELD_REF:
    default:
      break;
    }

  g_signal_connect (f->row, "changed", G_CALLBACK (entry_changed_cb), f);

  focus = gtk_event_controller_focus_new ();
  g_signal_connect (focus, "leave", G_CALLBACK (entry_focus_leave_cb), f);
  gtk_widget_add_controller (f->row, focus);

  adw_preferences_group_add (self->main_group, f->row);
  add_error_row (self, f);
}

static void
build_text_view (ProcuraRecordEditor *self,
                 Field               *f)
{
  g_autofree char *text = value_to_entry_text (f->info, f->value);
  GtkWidget *scrolled = gtk_scrolled_window_new ();
  GtkTextBuffer *buffer;

  f->kind = WIDGET_TEXT_VIEW;
  f->row = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (f->row), procura_field_get_label (f->info));

  gtk_scrolled_window_set_policy (GTK_SCROLLED_WINDOW (scrolled), GTK_POLICY_NEVER, GTK_POLICY_AUTOMATIC);
  gtk_scrolled_window_set_min_content_height (GTK_SCROLLED_WINDOW (scrolled), 96);
  gtk_scrolled_window_set_max_content_height (GTK_SCROLLED_WINDOW (scrolled), 320);
  gtk_scrolled_window_set_propagate_natural_height (GTK_SCROLLED_WINDOW (scrolled), TRUE);
  gtk_widget_add_css_class (scrolled, "card");
  gtk_widget_set_overflow (scrolled, GTK_OVERFLOW_HIDDEN);

  f->input = gtk_text_view_new ();
  gtk_text_view_set_wrap_mode (GTK_TEXT_VIEW (f->input), GTK_WRAP_WORD_CHAR);
  gtk_text_view_set_accepts_tab (GTK_TEXT_VIEW (f->input), FALSE);
  gtk_text_view_set_left_margin (GTK_TEXT_VIEW (f->input), 12);
  gtk_text_view_set_right_margin (GTK_TEXT_VIEW (f->input), 12);
  gtk_text_view_set_top_margin (GTK_TEXT_VIEW (f->input), 10);
  gtk_text_view_set_bottom_margin (GTK_TEXT_VIEW (f->input), 10);
  gtk_accessible_update_property (GTK_ACCESSIBLE (f->input),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, procura_field_get_label (f->info),
                                  GTK_ACCESSIBLE_PROPERTY_MULTI_LINE, TRUE,
                                  -1);
  if (f->info->flags & PROCURA_FIELD_REQUIRED)
    gtk_accessible_update_property (GTK_ACCESSIBLE (f->input),
                                    GTK_ACCESSIBLE_PROPERTY_REQUIRED, TRUE,
                                    -1);

  buffer = gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->input));
  gtk_text_buffer_set_text (buffer, text, -1);
  g_signal_connect (buffer, "changed", G_CALLBACK (buffer_changed_cb), f);

  gtk_scrolled_window_set_child (GTK_SCROLLED_WINDOW (scrolled), f->input);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (f->row), scrolled);
  adw_preferences_page_add (self->page, ADW_PREFERENCES_GROUP (f->row));
  add_error_row (self, f);
}

static void
build_combo_row (ProcuraRecordEditor *self,
                 Field               *f)
{
  f->kind = WIDGET_COMBO;
  if (f->info->type == PROCURA_FIELD_REF && g_strcmp0 (f->info->ref_entity, "organization") == 0)
    {
      /* hundreds of organizations: a drop-down that finds them by name */
      f->row = adw_action_row_new ();
      f->input = procura_name_drop_down_new ();
      gtk_widget_set_valign (f->input, GTK_ALIGN_CENTER);
      gtk_accessible_update_property (GTK_ACCESSIBLE (f->input),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, procura_field_get_label (f->info),
                                      -1);
      adw_action_row_add_suffix (ADW_ACTION_ROW (f->row), f->input);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (f->row), f->input);
    }
  else
    f->row = adw_combo_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (f->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f->row), procura_field_get_label (f->info));
  if (f->info->type == PROCURA_FIELD_REF)
    f->scope_field = reference_scope (self->entity, f->info);

  combo_set_choices (self, f, field_string_value (f), FALSE, TRUE);
  g_signal_connect (f->input != NULL ? f->input : f->row, "notify::selected", G_CALLBACK (combo_selected_cb), f);
  g_signal_connect (f->row, "map", G_CALLBACK (combo_map_cb), f);

  adw_preferences_group_add (self->main_group, f->row);
  add_error_row (self, f);
}

static void
build_switch_row (ProcuraRecordEditor *self,
                  Field               *f)
{
  f->kind = WIDGET_SWITCH;
  f->row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (f->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f->row), procura_field_get_label (f->info));

  f->input = gtk_switch_new ();
  gtk_widget_set_valign (f->input, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (f->input), f->value != NULL && g_variant_get_boolean (f->value));
  adw_action_row_add_suffix (ADW_ACTION_ROW (f->row), f->input);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (f->row), f->input);
  g_signal_connect (f->input, "notify::active", G_CALLBACK (switch_active_cb), f);

  adw_preferences_group_add (self->main_group, f->row);
  add_error_row (self, f);
}

static void
build_read_only_row (ProcuraRecordEditor *self,
                     Field               *f)
{
  g_autofree char *text = NULL;

  if (f->info->type == PROCURA_FIELD_TIMESTAMP)
    text = procura_timestamp_format_display (g_variant_get_string (f->value, NULL));
  else
    text = procura_field_value_to_display (f->info, f->value);

  f->kind = WIDGET_READ_ONLY;
  f->row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (f->row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (f->row), procura_field_get_label (f->info));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (f->row), text);
  adw_preferences_group_add (self->main_group, f->row);
}

static void
build_field (ProcuraRecordEditor *self,
             Field               *f)
{
  const ProcuraFieldInfo *info = f->info;

  /* A new record starts in the workflow's initial state; the write path
   * puts it there. */
  if (field_is_status (self, info) && is_creating (self))
    return;

  /* Set by the workflow only: shown once there is something to show. */
  if ((info->flags & PROCURA_FIELD_SYSTEM) || info->type == PROCURA_FIELD_TIMESTAMP)
    {
      if (f->value != NULL)
        build_read_only_row (self, f);
      return;
    }

  switch (info->type)
    {
    case PROCURA_FIELD_ENUM:
    case PROCURA_FIELD_REF:
      build_combo_row (self, f);
      break;
    case PROCURA_FIELD_BOOL:
      build_switch_row (self, f);
      break;
    case PROCURA_FIELD_TEXT:
      if (field_is_long_text (info))
        build_text_view (self, f);
      else
        build_entry_row (self, f);
      break;
    case PROCURA_FIELD_INT:
    case PROCURA_FIELD_MONEY:
    case PROCURA_FIELD_DECIMAL:
    case PROCURA_FIELD_DATE:
    case PROCURA_FIELD_MONTH:
    case PROCURA_FIELD_TIMESTAMP:
    default:
      build_entry_row (self, f);
      break;
    }
}

static void
set_title (ProcuraRecordEditor *self)
{
  g_autofree char *title = NULL;

  if (is_creating (self))
    /* Translators: window title, %s is what is created, e.g. "New Milestone" */
    title = g_strdup_printf (C_("editor", "New %s"), procura_entity_get_label (self->entity));
  else
    /* Translators: window title, %s is what is edited, e.g. "Edit Milestone" */
    title = g_strdup_printf (C_("editor", "Edit %s"), procura_entity_get_label (self->entity));

  gtk_window_set_title (GTK_WINDOW (self), title);
}

static void
load (ProcuraRecordEditor *self)
{
  g_autoptr(GError) error = NULL;

  if (is_creating (self))
    {
      self->original = procura_record_new (self->entity, NULL);
      for (guint i = 0; self->defaults != NULL && i < self->entity->n_fields; i++)
        if (procura_record_is_set (self->defaults, i))
          procura_record_set_value (self->original, i, procura_record_get_value (self->defaults, i));
    }
  else
    {
      self->original = procura_store_get (self->store, self->entity, self->record_id, &error);
      if (self->original == NULL)
        {
          self->load_failed = TRUE;
          self->original = procura_record_new (self->entity, self->record_id);
        }
    }

  for (guint i = 0; i < self->entity->n_fields; i++)
    {
      Field *f = g_new0 (Field, 1);
      GVariant *value = procura_record_get_value (self->original, i);

      f->editor = self;
      f->info = &self->entity->fields[i];
      f->index = i;
      f->kind = WIDGET_NONE;
      f->original = value != NULL ? g_variant_ref (value) : NULL;
      f->value = value != NULL ? g_variant_ref (value) : NULL;
      g_ptr_array_add (self->fields, f);
    }

  /* A switch of a new record is off, not unknown: required yes/no fields
   * then need no touching. */
  if (is_creating (self))
    for (guint i = 0; i < self->fields->len; i++)
      {
        Field *f = g_ptr_array_index (self->fields, i);

        if (f->info->type == PROCURA_FIELD_BOOL && f->value == NULL)
          {
            f->original = g_variant_ref_sink (g_variant_new_boolean (FALSE));
            f->value = g_variant_ref (f->original);
          }
      }

  if (self->load_failed)
    {
      g_autofree char *message = g_strdup_printf (_("This %s cannot be opened: %s"),
                                                  procura_entity_get_label (self->entity),
                                                  error->message);

      show_message (self, message, FALSE);
      gtk_widget_set_sensitive (GTK_WIDGET (self->main_group), FALSE);
      return;
    }

  for (guint i = 0; i < self->fields->len; i++)
    build_field (self, g_ptr_array_index (self->fields, i));
}

/* ---- closing ----------------------------------------------------------- */

static gboolean
close_idle_cb (gpointer user_data)
{
  g_autoptr(ProcuraRecordEditor) self = user_data;

  gtk_window_close (GTK_WINDOW (self));

  return G_SOURCE_REMOVE;
}

static void
discard_response_cb (AdwMessageDialog    *dialog,
                     const char          *response,
                     ProcuraRecordEditor *self)
{
  if (g_strcmp0 (response, "discard") != 0)
    return;

  /* Closed once the dialog has finished closing itself: closing now would
   * destroy it inside its own response. */
  self->closing = TRUE;
  g_idle_add_full (G_PRIORITY_HIGH_IDLE, close_idle_cb, g_object_ref (self), NULL);
}

static void
ask_discard (ProcuraRecordEditor *self)
{
  AdwMessageDialog *dialog;

  if (self->discard_dialog != NULL)
    {
      gtk_window_present (GTK_WINDOW (self->discard_dialog));
      return;
    }

  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self),
                                                       _("Discard Changes?"),
                                                       _("The changes made in this form have not been saved and will be lost.")));
  adw_message_dialog_add_responses (dialog,
                                    "keep", _("_Keep Editing"),
                                    "discard", _("_Discard"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (dialog, "keep");
  adw_message_dialog_set_close_response (dialog, "keep");
  g_signal_connect_object (dialog, "response", G_CALLBACK (discard_response_cb), self, 0);

  self->discard_dialog = dialog;
  g_object_add_weak_pointer (G_OBJECT (dialog), (gpointer *) &self->discard_dialog);
  gtk_window_present (GTK_WINDOW (dialog));
}

static gboolean
procura_record_editor_close_request (GtkWindow *window)
{
  ProcuraRecordEditor *self = PROCURA_RECORD_EDITOR (window);

  if (!self->closing && !self->load_failed)
    {
      flush_check (self);
      update_dirty (self);
      if (self->dirty)
        {
          ask_discard (self);
          return TRUE;
        }
    }

  if (GTK_WINDOW_CLASS (procura_record_editor_parent_class)->close_request != NULL)
    return GTK_WINDOW_CLASS (procura_record_editor_parent_class)->close_request (window);

  return FALSE;
}

/* ---- actions ----------------------------------------------------------- */

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  procura_record_editor_save (PROCURA_RECORD_EDITOR (widget), NULL);
}

static void
cancel_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* ---- the account's role ------------------------------------------------- */

static void
set_field_locked (Field    *f,
                  gboolean  locked)
{
  f->locked = locked;
  if (f->row == NULL)
    return;

  if (f->kind == WIDGET_COMBO)
    gtk_widget_set_sensitive (f->row, !locked && ((f->choice_values != NULL && f->choice_values->len > 1) ||
                                                 f->info->type == PROCURA_FIELD_REF));
  else
    gtk_widget_set_sensitive (f->row, !locked);
}

/* What the account may not change is shown but not offered: an agency
 * edits only its organization's contact details and the actual values of
 * indicator periods, never a report's review (product.md §4; the server
 * refuses the rest). */
static void
lock_by_role (ProcuraRecordEditor *self)
{
  GApplication *app = g_application_get_default ();
  const char *role;

  if (!PROCURA_IS_APPLICATION (app))
    return;

  role = procura_application_get_role (PROCURA_APPLICATION (app));
  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      if (!procura_permissions_may_field (role, self->entity->name, f->info->name))
        set_field_locked (f, TRUE);
      /* an agency reports in its own name only: offering the other
       * organizations would offer refusals */
      else if (g_strcmp0 (role, "agency") == 0 && strcmp (f->info->name, "submitter_org_id") == 0 &&
               field_string_value (f) != NULL)
        set_field_locked (f, TRUE);
    }
}

/* ---- GObject ----------------------------------------------------------- */

static void
procura_record_editor_constructed (GObject *object)
{
  ProcuraRecordEditor *self = PROCURA_RECORD_EDITOR (object);

  G_OBJECT_CLASS (procura_record_editor_parent_class)->constructed (object);

  g_return_if_fail (PROCURA_IS_STORE (self->store));
  g_return_if_fail (self->entity != NULL);

  set_title (self);
  load (self);
  lock_by_role (self);
  gtk_window_set_default_widget (GTK_WINDOW (self), GTK_WIDGET (self->save_button));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save", FALSE);
  g_signal_connect (self, "map", G_CALLBACK (focus_first_field_cb), NULL);

  self->constructed = TRUE;
}

static void
procura_record_editor_dispose (GObject *object)
{
  ProcuraRecordEditor *self = PROCURA_RECORD_EDITOR (object);

  /* Rows emit change signals as they go: nothing is validated any more. */
  self->constructed = FALSE;
  g_clear_handle_id (&self->check_source, g_source_remove);
  if (self->discard_dialog != NULL)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->discard_dialog), (gpointer *) &self->discard_dialog);
      gtk_window_destroy (GTK_WINDOW (self->discard_dialog));
      self->discard_dialog = NULL;
    }

  gtk_widget_dispose_template (GTK_WIDGET (self), PROCURA_TYPE_RECORD_EDITOR);

  G_OBJECT_CLASS (procura_record_editor_parent_class)->dispose (object);
}

static void
procura_record_editor_finalize (GObject *object)
{
  ProcuraRecordEditor *self = PROCURA_RECORD_EDITOR (object);

  g_clear_pointer (&self->fields, g_ptr_array_unref);
  g_clear_pointer (&self->original, procura_record_unref);
  g_clear_pointer (&self->defaults, procura_record_unref);
  g_clear_pointer (&self->record_id, g_free);
  g_clear_pointer (&self->message, g_free);
  g_clear_pointer (&self->saved_id, g_free);
  g_clear_error (&self->check_error);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (procura_record_editor_parent_class)->finalize (object);
}

static void
procura_record_editor_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  ProcuraRecordEditor *self = PROCURA_RECORD_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_ENTITY:
      g_value_set_pointer (value, (gpointer) self->entity);
      break;
    case PROP_RECORD_ID:
      g_value_set_string (value, self->record_id);
      break;
    case PROP_DEFAULTS:
      g_value_set_boxed (value, self->defaults);
      break;
    case PROP_CAN_SAVE:
      g_value_set_boolean (value, procura_record_editor_get_can_save (self));
      break;
    case PROP_DIRTY:
      g_value_set_boolean (value, self->dirty);
      break;
    case PROP_SAVED_ID:
      g_value_set_string (value, self->saved_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_record_editor_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  ProcuraRecordEditor *self = PROCURA_RECORD_EDITOR (object);

  switch (prop_id)
    {
    case PROP_STORE:
      self->store = g_value_dup_object (value);
      break;
    case PROP_ENTITY:
      self->entity = g_value_get_pointer (value);
      break;
    case PROP_RECORD_ID:
      self->record_id = g_value_dup_string (value);
      break;
    case PROP_DEFAULTS:
      self->defaults = g_value_dup_boxed (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
procura_record_editor_class_init (ProcuraRecordEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = procura_record_editor_constructed;
  object_class->dispose = procura_record_editor_dispose;
  object_class->finalize = procura_record_editor_finalize;
  object_class->get_property = procura_record_editor_get_property;
  object_class->set_property = procura_record_editor_set_property;

  window_class->close_request = procura_record_editor_close_request;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PROCURA_TYPE_STORE,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  /* The ProcuraEntityInfo of the catalogue (static). */
  properties[PROP_ENTITY] =
    g_param_spec_pointer ("entity", NULL, NULL,
                          (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_RECORD_ID] =
    g_param_spec_string ("record-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DEFAULTS] =
    g_param_spec_boxed ("defaults", NULL, NULL,
                        PROCURA_TYPE_RECORD,
                        (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS));

  properties[PROP_CAN_SAVE] =
    g_param_spec_boolean ("can-save", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_DIRTY] =
    g_param_spec_boolean ("dirty", NULL, NULL,
                          FALSE,
                          (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  properties[PROP_SAVED_ID] =
    g_param_spec_string ("saved-id", NULL, NULL,
                         NULL,
                         (G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * ProcuraRecordEditor::saved:
   * @id: the id of the record written
   *
   * Emitted after a successful save, just before the editor closes.
   */
  signals[SIGNAL_SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_BASE "/ui/procura-record-editor.ui");
  gtk_widget_class_bind_template_child (widget_class, ProcuraRecordEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraRecordEditor, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, ProcuraRecordEditor, page);
  gtk_widget_class_bind_template_child (widget_class, ProcuraRecordEditor, message_group);
  gtk_widget_class_bind_template_child (widget_class, ProcuraRecordEditor, message_box);
  gtk_widget_class_bind_template_child (widget_class, ProcuraRecordEditor, message_icon);
  gtk_widget_class_bind_template_child (widget_class, ProcuraRecordEditor, message_label);
  gtk_widget_class_bind_template_child (widget_class, ProcuraRecordEditor, main_group);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.cancel", NULL, cancel_action);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK, "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "editor.cancel", NULL);
}

static void
procura_record_editor_init (ProcuraRecordEditor *self)
{
  self->fields = g_ptr_array_new_with_free_func (field_free);

  gtk_widget_init_template (GTK_WIDGET (self));
}

/* ---- public API -------------------------------------------------------- */

ProcuraRecordEditor *
procura_record_editor_new (GtkWindow               *parent,
                           ProcuraStore            *store,
                           const ProcuraEntityInfo *entity,
                           const char              *id_or_null,
                           ProcuraRecord           *defaults_or_null)
{
  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (PROCURA_IS_STORE (store), NULL);
  g_return_val_if_fail (entity != NULL, NULL);
  g_return_val_if_fail (defaults_or_null == NULL ||
                        procura_record_get_entity (defaults_or_null) == entity, NULL);

  return g_object_new (PROCURA_TYPE_RECORD_EDITOR,
                       "transient-for", parent,
                       "store", store,
                       "entity", entity,
                       "record-id", id_or_null,
                       "defaults", defaults_or_null,
                       NULL);
}

ProcuraStore *
procura_record_editor_get_store (ProcuraRecordEditor *self)
{
  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), NULL);

  return self->store;
}

const ProcuraEntityInfo *
procura_record_editor_get_entity (ProcuraRecordEditor *self)
{
  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), NULL);

  return self->entity;
}

const char *
procura_record_editor_get_record_id (ProcuraRecordEditor *self)
{
  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), NULL);

  return self->record_id;
}

void
procura_record_editor_set_hidden_fields (ProcuraRecordEditor *self,
                                         const char * const  *names)
{
  g_return_if_fail (PROCURA_IS_RECORD_EDITOR (self));

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      f->hidden = names != NULL && g_strv_contains (names, f->info->name);
      if (f->row != NULL)
        gtk_widget_set_visible (f->row, !f->hidden);
      field_show_error (f);
    }

  /* A message may now belong at the top, or next to its field. */
  if (self->constructed && self->dirty)
    run_check (self);
}

void
procura_record_editor_set_editable_fields (ProcuraRecordEditor *self,
                                           const char * const  *names)
{
  g_return_if_fail (PROCURA_IS_RECORD_EDITOR (self));

  for (guint i = 0; i < self->fields->len; i++)
    {
      Field *f = g_ptr_array_index (self->fields, i);

      set_field_locked (f, names != NULL && !g_strv_contains (names, f->info->name));
    }
}

gboolean
procura_record_editor_get_field_editable (ProcuraRecordEditor *self,
                                          const char          *field)
{
  Field *f;

  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), FALSE);

  f = lookup_field (self, field);
  return f != NULL && f->row != NULL && !f->locked && f->kind != WIDGET_READ_ONLY;
}

gboolean
procura_record_editor_set_text (ProcuraRecordEditor *self,
                                const char          *field,
                                const char          *text)
{
  Field *f;

  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), FALSE);
  g_return_val_if_fail (field != NULL, FALSE);

  f = lookup_field (self, field);
  if (f == NULL)
    return FALSE;

  if (text == NULL)
    text = "";

  switch (f->kind)
    {
    case WIDGET_ENTRY:
      gtk_editable_set_text (GTK_EDITABLE (f->row), text);
      break;

    case WIDGET_TEXT_VIEW:
      gtk_text_buffer_set_text (gtk_text_view_get_buffer (GTK_TEXT_VIEW (f->input)), text, -1);
      break;

    case WIDGET_SWITCH:
      {
        g_autoptr(GVariant) value = NULL;
        g_autoptr(GError) error = NULL;

        if (!procura_field_parse_text (f->info, text, &value, &error))
          {
            f->touched = TRUE;
            g_free (f->parse_error);
            f->parse_error = g_strdup (error->message);
            field_show_error (f);
            set_can_save (self, FALSE);
            break;
          }
        if (gtk_switch_get_active (GTK_SWITCH (f->input)) == (value != NULL && g_variant_get_boolean (value)))
          field_changed (f);
        else
          gtk_switch_set_active (GTK_SWITCH (f->input), value != NULL && g_variant_get_boolean (value));
      }
      break;

    case WIDGET_COMBO:
      {
        g_autofree char *trimmed = g_strstrip (g_strdup (text));
        g_autoptr(GError) error = NULL;
        g_autofree char *resolved = NULL;
        const char *code = NULL;
        guint position = GTK_INVALID_LIST_POSITION;

        ensure_choices (self, f);

        /* a code, an id, or what the row shows */
        if (trimmed[0] == '\0')
          position = choice_index (f, NULL);
        if (position == GTK_INVALID_LIST_POSITION && trimmed[0] != '\0')
          position = choice_index (f, trimmed);
        for (guint i = 0; position == GTK_INVALID_LIST_POSITION && i < f->choice_values->len; i++)
          if (g_strcmp0 (gtk_string_list_get_string (f->choice_labels, i), trimmed) == 0)
            position = i;

        if (position == GTK_INVALID_LIST_POSITION && trimmed[0] != '\0')
          {
            if (f->info->type == PROCURA_FIELD_ENUM)
              {
                const ProcuraEnumValue *v = procura_field_match_enum (f->info, trimmed);

                if (v != NULL)
                  code = v->code;
                else
                  {
                    g_autoptr(GVariant) ignored = NULL;

                    procura_field_parse_text (f->info, trimmed, &ignored, &error);
                  }
              }
            else
              {
                const ProcuraEntityInfo *target = procura_schema_lookup (f->info->ref_entity);

                resolved = procura_store_resolve_ref (self->store, target, trimmed, &error);
                code = resolved;
                if (error != NULL)
                  g_prefix_error (&error, "%s: ", procura_field_get_label (f->info));
              }
            if (code != NULL)
              position = choice_index (f, code);
            if (code != NULL && position == GTK_INVALID_LIST_POSITION && error == NULL)
              g_set_error (&error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                           /* Translators: "<field label>: “<text>” cannot be chosen here" */
                           _("%s: “%s” cannot be chosen here"),
                           procura_field_get_label (f->info), trimmed);
          }

        if (position == GTK_INVALID_LIST_POSITION)
          {
            if (error == NULL)
              g_set_error (&error, PROCURA_ERROR, PROCURA_ERROR_REQUIRED,
                           _("%s: required"), procura_field_get_label (f->info));
            f->touched = TRUE;
            g_free (f->parse_error);
            f->parse_error = g_strdup (error->message);
            field_show_error (f);
            update_dirty (self);
            set_can_save (self, FALSE);
            break;
          }

        if (combo_get_selected (f) == position)
          field_changed (f);
        else
          combo_set_selected (f, position);
      }
      break;

    case WIDGET_READ_ONLY:
    case WIDGET_NONE:
    default:
      g_debug ("%s.%s is not editable in the form", self->entity->name, field);
      return FALSE;
    }

  return TRUE;
}

char *
procura_record_editor_dup_text (ProcuraRecordEditor *self,
                                const char          *field)
{
  Field *f;

  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  f = lookup_field (self, field);
  return f != NULL ? field_dup_text (f) : NULL;
}

const char *
procura_record_editor_get_error (ProcuraRecordEditor *self,
                                 const char          *field)
{
  Field *f;

  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), NULL);
  g_return_val_if_fail (field != NULL, NULL);

  flush_check (self);

  f = lookup_field (self, field);
  if (f == NULL || !field_is_shown (f))
    return NULL;

  return field_shown_error (f);
}

const char *
procura_record_editor_get_message (ProcuraRecordEditor *self)
{
  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), NULL);

  flush_check (self);

  return self->message;
}

gboolean
procura_record_editor_get_can_save (ProcuraRecordEditor *self)
{
  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), FALSE);

  flush_check (self);

  return self->can_save;
}

gboolean
procura_record_editor_get_dirty (ProcuraRecordEditor *self)
{
  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), FALSE);

  return self->dirty;
}

gboolean
procura_record_editor_save (ProcuraRecordEditor  *self,
                            GError              **error)
{
  g_autoptr(ProcuraRecord) record = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), FALSE);

  /* what the person sees is what is checked, and saved */
  run_check (self);

  /* Asked to save with a required field not reached yet: now it is an
   * error of that field. */
  if (!self->can_save && self->message_is_hint)
    {
      Field *f = field_for_message (self, self->message);

      if (f != NULL)
        {
          f->touched = TRUE;
          run_check (self);
        }
    }

  if (!self->can_save)
    {
      const char *problem = self->message;

      for (guint i = 0; problem == NULL && i < self->fields->len; i++)
        problem = field_shown_error (g_ptr_array_index (self->fields, i));

      focus_first_error (self);
      if (self->check_error != NULL)
        g_propagate_error (error, g_error_copy (self->check_error));
      else
        g_set_error_literal (error, PROCURA_ERROR, PROCURA_ERROR_INVALID,
                             problem != NULL ? problem : _("Nothing has been changed"));
      return FALSE;
    }

  record = build_record (self);
  if (is_creating (self))
    ok = procura_store_insert (self->store, record, &local_error);
  else
    ok = procura_store_update (self->store, record, &local_error);

  if (!ok)
    {
      /* Someone else changed the store since the last check. */
      clear_check_errors (self);
      route_error (self, local_error);
      set_can_save (self, FALSE);
      focus_first_error (self);
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  g_free (self->saved_id);
  self->saved_id = g_strdup (procura_record_get_id (record));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SAVED_ID]);

  self->closing = TRUE;
  set_can_save (self, FALSE);

  g_signal_emit (self, signals[SIGNAL_SAVED], 0, self->saved_id);
  gtk_window_close (GTK_WINDOW (self));

  return TRUE;
}

const char *
procura_record_editor_get_saved_id (ProcuraRecordEditor *self)
{
  g_return_val_if_fail (PROCURA_IS_RECORD_EDITOR (self), NULL);

  return self->saved_id;
}
